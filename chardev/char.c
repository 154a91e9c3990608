/*
 * Character devices: the registry of backends and chardevs, -chardev and the
 * legacy -serial/-monitor specs, and the plumbing between frontends and
 * backends (including the fd reader/writer the backends share).
 */
#include "chardev/char.h"
#include "util/cutils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

/* What the registry knows of a chardev beyond struct Chardev. */
typedef struct ChardevEntry {
    Chardev *chr;
    CharBackend *fe;    /* the frontend of a non-mux chardev, to detach at close */
    int logfd;          /* logfile=, -1 if none */
} ChardevEntry;

static GPtrArray *backend_classes;  /* const ChardevClass * */
static GPtrArray *chardevs;         /* ChardevEntry *, in creation order */

/* A backend that takes nothing for this long is given up on by write_all. */
#define CHR_WRITE_ALL_STALL_US (10 * G_USEC_PER_SEC)
#define CHR_READ_CHUNK 4096

/* ---- Registry ---------------------------------------------------------------- */

void chardev_register(const ChardevClass *klass)
{
    if (!backend_classes) {
        backend_classes = g_ptr_array_new();
    }
    for (guint i = 0; i < backend_classes->len; i++) {
        const ChardevClass *k = g_ptr_array_index(backend_classes, i);
        if (k == klass || !strcmp(k->name, klass->name)) {
            return;
        }
    }
    g_ptr_array_add(backend_classes, (gpointer)klass);
}

void chardev_register_backends(void)
{
    /* A peer that goes away mid-write must give EPIPE, not kill kemu. */
    signal(SIGPIPE, SIG_IGN);
    chardev_register(&char_null_class);
    chardev_register(&char_stdio_class);
    chardev_register(&char_file_class);
    chardev_register(&char_pipe_class);
    chardev_register(&char_pty_class);
    chardev_register(&char_socket_class);
    chardev_register(&char_mux_class);
}

static const ChardevClass *chardev_class_find(const char *name)
{
    for (guint i = 0; backend_classes && i < backend_classes->len; i++) {
        const ChardevClass *k = g_ptr_array_index(backend_classes, i);
        if (!strcmp(k->name, name)) {
            return k;
        }
    }
    return NULL;
}

void chardev_print_backends(GString *out)
{
    g_string_append(out, "Available chardev backend types:\n");
    for (guint i = 0; backend_classes && i < backend_classes->len; i++) {
        const ChardevClass *k = g_ptr_array_index(backend_classes, i);
        g_string_append_printf(out, "  %-8s %s\n", k->name, k->help ? k->help : "");
    }
}

static ChardevEntry *chardev_entry(const Chardev *chr)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        ChardevEntry *e = g_ptr_array_index(chardevs, i);
        if (e->chr == chr) {
            return e;
        }
    }
    return NULL;
}

Chardev *chardev_find(const char *label)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        ChardevEntry *e = g_ptr_array_index(chardevs, i);
        if (!strcmp(e->chr->label, label)) {
            return e->chr;
        }
    }
    return NULL;
}

char *chardev_unique_label(const char *prefix)
{
    for (unsigned i = 0;; i++) {
        char *label = g_strdup_printf("%s%u", prefix, i);
        if (!chardev_find(label)) {
            return label;
        }
        g_free(label);
    }
}

void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        ChardevEntry *e = g_ptr_array_index(chardevs, i);
        fn(e->chr, opaque);
    }
}

static bool chardev_is_mux(const Chardev *chr)
{
    return chr->klass == &char_mux_class;
}

static void chardev_free(Chardev *chr)
{
    g_free(chr->label);
    g_free(chr->filename);
    g_free(chr);
}

/* Close one chardev: detach its frontend so it writes nowhere afterwards. */
static void chardev_entry_close(ChardevEntry *e)
{
    if (e->fe && e->fe->chr == e->chr) {
        e->fe->chr = NULL;
    }
    if (e->chr->klass->close) {
        e->chr->klass->close(e->chr);
    }
    if (e->logfd >= 0) {
        close(e->logfd);
    }
    chardev_free(e->chr);
    g_free(e);
}

void chardev_close_all(void)
{
    if (!chardevs) {
        return;
    }
    /* Newest first: a mux goes before the backend it feeds from. */
    while (chardevs->len > 0) {
        ChardevEntry *e = g_ptr_array_steal_index(chardevs, chardevs->len - 1);
        chardev_entry_close(e);
    }
}

/* ---- Creating chardevs ------------------------------------------------------ */

/* QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'. */
static bool chardev_id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_') {
            return false;
        }
    }
    return true;
}

/* Allocate, open and register one chardev of class klass. */
static Chardev *chardev_create(const ChardevClass *klass, const char *label, Opts *opts,
                               Error **errp)
{
    size_t size = klass->state_size ? klass->state_size : sizeof(Chardev);
    g_assert(size >= sizeof(Chardev));

    if (chardev_find(label)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", label);
        return NULL;
    }
    Chardev *chr = g_malloc0(size);
    chr->klass = klass;
    chr->label = g_strdup(label);
    chr->be_open = true;

    Error *err = NULL;
    if (!klass->open(chr, opts, &err)) {
        if (!err) {
            error_setg(&err, "chardev: opening backend \"%s\" failed", klass->name);
        }
        error_propagate(errp, err);
        chardev_free(chr);
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(klass->name);
    }
    ChardevEntry *e = g_new0(ChardevEntry, 1);
    e->chr = chr;
    e->logfd = -1;
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, e);
    return chr;
}

/* Undo chardev_create for a chardev whose options turned out bad. */
static void chardev_destroy(Chardev *chr)
{
    ChardevEntry *e = chardev_entry(chr);
    g_ptr_array_remove(chardevs, e);
    chardev_entry_close(e);
}

static bool chardev_open_logfile(Chardev *chr, Opts *opts, Error **errp)
{
    const char *path = opts_get(opts, "logfile");
    bool append;
    if (!opts_get_bool(opts, "logappend", false, &append, errp)) {
        return false;
    }
    if (!path) {
        return true;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return false;
    }
    chardev_entry(chr)->logfd = fd;
    return true;
}

Chardev *chardev_new_from_opts(Opts *opts, Error **errp)
{
    const char *name = opts_get(opts, "backend");
    if (opts_help_requested(opts) || !g_strcmp0(name, "help")) {
        GString *out = g_string_new(NULL);
        chardev_print_backends(out);
        fputs(out->str, stdout);
        g_string_free(out, true);
        return NULL;
    }
    if (!name) {
        error_setg(errp, "Parameter 'backend' is missing");
        return NULL;
    }
    const char *id = opts_get(opts, "id");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!chardev_id_valid(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    const ChardevClass *klass = chardev_class_find(name);
    if (!klass) {
        error_setg(errp, "'%s' is not a valid char driver name", name);
        return NULL;
    }
    bool mux;
    if (!opts_get_bool(opts, "mux", false, &mux, errp)) {
        return NULL;
    }
    /* With mux=on the backend is "ID-base" and the mux takes the ID, as in QEMU. */
    g_autofree char *base_label = mux ? g_strdup_printf("%s-base", id) : g_strdup(id);
    if (chardev_find(id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return NULL;
    }
    Chardev *chr = chardev_create(klass, base_label, opts, errp);
    if (!chr) {
        return NULL;
    }
    if (!chardev_open_logfile(chr, opts, errp) || !opts_check_unused(opts, errp)) {
        chardev_destroy(chr);
        return NULL;
    }
    if (!mux) {
        return chr;
    }
    Opts *mux_opts = opts_new();
    opts_set(mux_opts, "chardev", base_label);
    Chardev *m = chardev_create(&char_mux_class, id, mux_opts, errp);
    opts_free(mux_opts);
    if (!m) {
        chardev_destroy(chr);
    }
    return m;
}

/* ---- Legacy specs (-serial, -monitor) --------------------------------------- */

static bool copy_opt(void *opaque, const char *key, const char *value, Error **errp)
{
    opts_set(opaque, key, value);
    return true;
}

/* "[HOST]:PORT[,opts]" of tcp: and telnet:. */
static bool legacy_parse_inet(const char *spec, const char *rest, Opts *opts, Error **errp)
{
    const char *comma = strchr(rest, ',');
    g_autofree char *addr = comma ? g_strndup(rest, comma - rest) : g_strdup(rest);
    char *colon = strrchr(addr, ':');
    if (!colon || colon[1] == '\0') {
        error_setg(errp, "'%s': expected [HOST]:PORT", spec);
        return false;
    }
    *colon = '\0';
    char *host = addr;
    size_t hlen = strlen(host);
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        host++;
    }
    if (comma) {
        Opts *extra = opts_parse(comma + 1, NULL, errp);
        if (!extra) {
            return false;
        }
        opts_foreach(extra, copy_opt, opts, NULL);
        opts_free(extra);
    }
    if (!*host) {
        /* QEMU: no host means every interface for a server, this host for a client. */
        const char *server = opts_get(opts, "server");
        bool is_server = false;
        if (server) {
            parse_bool(server, &is_server);
        }
        host = is_server ? "0.0.0.0" : "localhost";
    }
    opts_set(opts, "host", host);
    opts_set(opts, "port", colon + 1);
    return true;
}

/* The text after prefix, or NULL if s does not start with it. */
static const char *strip_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) ? NULL : s + n;
}

/* Translate one legacy spec (without "mon:") into -chardev options. */
static bool legacy_to_opts(const char *spec, Opts *opts, Error **errp)
{
    const char *rest;

    if (!strcmp(spec, "stdio") || !strcmp(spec, "null") || !strcmp(spec, "pty")) {
        opts_set(opts, "backend", spec);
    } else if (!strcmp(spec, "vc") || g_str_has_prefix(spec, "vc:")) {
        /* The graphical console is a later issue; until then "vc" discards. */
        opts_set(opts, "backend", "null");
    } else if ((rest = strip_prefix(spec, "file:"))) {
        opts_set(opts, "backend", "file");
        opts_set(opts, "path", rest);
    } else if ((rest = strip_prefix(spec, "pipe:"))) {
        opts_set(opts, "backend", "pipe");
        opts_set(opts, "path", rest);
    } else if ((rest = strip_prefix(spec, "tcp:"))) {
        opts_set(opts, "backend", "socket");
        return legacy_parse_inet(spec, rest, opts, errp);
    } else if ((rest = strip_prefix(spec, "telnet:"))) {
        opts_set(opts, "backend", "socket");
        opts_set(opts, "telnet", "on");
        return legacy_parse_inet(spec, rest, opts, errp);
    } else if ((rest = strip_prefix(spec, "unix:"))) {
        const char *comma = strchr(rest, ',');
        g_autofree char *path = comma ? g_strndup(rest, comma - rest) : g_strdup(rest);
        opts_set(opts, "backend", "socket");
        opts_set(opts, "path", path);
        if (comma) {
            Opts *extra = opts_parse(comma + 1, NULL, errp);
            if (!extra) {
                return false;
            }
            opts_foreach(extra, copy_opt, opts, NULL);
            opts_free(extra);
        }
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return false;
    }
    return true;
}

Chardev *chardev_new_legacy(const char *label, const char *spec, bool *want_monitor,
                            Error **errp)
{
    if (want_monitor) {
        *want_monitor = false;
    }
    if (!strcmp(spec, "none")) {
        return NULL;
    }
    const char *dev = strip_prefix(spec, "mon:");
    bool mon = dev != NULL;
    if (mon) {
        spec = dev;
    }
    g_autofree char *own_label = label ? NULL : chardev_unique_label("chardev");
    Opts *opts = opts_new();
    opts_set(opts, "id", label ? label : own_label);

    Chardev *chr = NULL;
    const char *id = strip_prefix(spec, "chardev:");
    if (id && !mon) {
        chr = chardev_find(id);
        if (!chr) {
            error_setg(errp, "Chardev '%s' not found", id);
        }
        opts_free(opts);
        return chr;
    }
    if (id) {
        /* mon:chardev:ID puts a mux on an existing chardev. */
        opts_set(opts, "backend", "mux");
        opts_set(opts, "chardev", id);
        chr = chardev_new_from_opts(opts, errp);
    } else if (legacy_to_opts(spec, opts, errp)) {
        if (mon) {
            opts_set(opts, "mux", "on");
            if (!strcmp(spec, "stdio")) {
                /* The monitor shares stdio: Ctrl-C goes to the guest, C-a x quits. */
                opts_set(opts, "signal", "off");
            }
        }
        chr = chardev_new_from_opts(opts, errp);
    }
    opts_free(opts);
    if (chr && mon && want_monitor) {
        *want_monitor = true;
    }
    return chr;
}

/* ---- Backend side ------------------------------------------------------------- */

int chr_be_can_write(Chardev *chr)
{
    if (!chr->fe_attached || !chr->fe_can_read) {
        return 0;
    }
    int n = chr->fe_can_read(chr->fe_opaque);
    return n > 0 ? n : 0;
}

void chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (len > 0 && chr->fe_attached && chr->fe_read) {
        chr->fe_read(chr->fe_opaque, buf, len);
    }
}

void chr_be_event(Chardev *chr, CharEvent event)
{
    if (event == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (chr->fe_attached && chr->fe_event) {
        chr->fe_event(chr->fe_opaque, event);
    }
}

static void chardev_log(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevEntry *e = chardev_entry(chr);
    if (!e || e->logfd < 0) {
        return;
    }
    while (len > 0) {
        ssize_t n = write(e->logfd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;     /* a full disk loses log, never guest output */
        }
        buf += n;
        len -= n;
    }
}

int chardev_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (len <= 0) {
        return 0;
    }
    if (!chr->klass->write) {
        return len;
    }
    int n = chr->klass->write(chr, buf, len);
    if (n > len) {
        n = len;
    }
    if (n > 0) {
        chardev_log(chr, buf, n);
    }
    return n;
}

int chardev_write_all(Chardev *chr, const uint8_t *buf, int len)
{
    int done = 0;
    gint64 last_progress = g_get_monotonic_time();

    while (done < len) {
        int n = chardev_write(chr, buf + done, len - done);
        if (n < 0) {
            return done ? done : -1;
        }
        if (n > 0) {
            done += n;
            last_progress = g_get_monotonic_time();
            continue;
        }
        /*
         * The backend is full.  The generic layer has no fd to poll, so wait
         * a little and retry; a peer that reads nothing for long loses the
         * rest rather than freezing the VM forever.
         */
        if (g_get_monotonic_time() - last_progress > CHR_WRITE_ALL_STALL_US) {
            return done ? done : -1;
        }
        poll(NULL, 0, 1);
    }
    return done;
}

/* ---- Frontend side ------------------------------------------------------------ */

bool chr_fe_init(CharBackend *be, Chardev *chr, Error **errp)
{
    be->chr = NULL;
    be->tag = -1;
    if (chardev_is_mux(chr)) {
        if (!char_mux_attach(chr, be, errp)) {
            return false;
        }
        be->chr = chr;
        return true;
    }
    if (chr->fe_attached) {
        error_setg(errp, "device '%s' is busy", chr->label);
        return false;
    }
    chr->fe_attached = true;
    chr->fe_can_read = NULL;
    chr->fe_read = NULL;
    chr->fe_event = NULL;
    chr->fe_opaque = NULL;
    ChardevEntry *e = chardev_entry(chr);
    if (e) {
        e->fe = be;
    }
    be->chr = chr;
    return true;
}

void chr_fe_deinit(CharBackend *be)
{
    Chardev *chr = be->chr;
    if (!chr) {
        return;
    }
    if (be->tag >= 0) {
        char_mux_detach(chr, be->tag);
    } else {
        chr->fe_attached = false;
        chr->fe_can_read = NULL;
        chr->fe_read = NULL;
        chr->fe_event = NULL;
        chr->fe_opaque = NULL;
        ChardevEntry *e = chardev_entry(chr);
        if (e && e->fe == be) {
            e->fe = NULL;
        }
    }
    be->chr = NULL;
    be->tag = -1;
}

void chr_fe_set_handlers(CharBackend *be, CharCanRead *can_read, CharRead *read,
                         CharEventHandler *event, void *opaque)
{
    Chardev *chr = be->chr;
    if (!chr) {
        return;
    }
    if (be->tag >= 0) {
        char_mux_set_handlers(chr, be->tag, can_read, read, event, opaque);
        return;
    }
    chr->fe_can_read = can_read;
    chr->fe_read = read;
    chr->fe_event = event;
    chr->fe_opaque = opaque;
    if (chr->klass->frontend_changed) {
        chr->klass->frontend_changed(chr);
    }
    /* A frontend joining an open chardev must still see it open (the monitor's banner). */
    if (event && chr->be_open) {
        event(opaque, CHR_EVENT_OPENED);
    }
}

int chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return len;     /* no backend: the bytes go nowhere */
    }
    return chardev_write(be->chr, buf, len);
}

int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return len;
    }
    return chardev_write_all(be->chr, buf, len);
}

void chr_fe_printf(CharBackend *be, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    chr_fe_write_all(be, (const uint8_t *)text, strlen(text));
    g_free(text);
}

void chr_fe_accept_input(CharBackend *be)
{
    Chardev *chr = be->chr;
    if (chr && chr->klass->accept_input) {
        chr->klass->accept_input(chr);
    }
}

void chr_fe_take_focus(CharBackend *be)
{
    if (be->chr && be->tag >= 0) {
        char_mux_set_focus(be->chr, be->tag);
    }
}

/* ---- fd input and output for the backends ------------------------------------ */

static gboolean char_fdio_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    CharFdIO *io = opaque;
    uint8_t buf[CHR_READ_CHUNK];

    int room = chr_be_can_write(io->chr);
    if (room <= 0) {
        io->in_tag = 0;     /* the frontend is full: wait for accept_input */
        return G_SOURCE_REMOVE;
    }
    size_t want = MIN((size_t)room, sizeof(buf));
    ssize_t n = read(fd, buf, want);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        io->in_tag = 0;
        if (io->eof) {
            io->eof(io->chr);
        }
        return G_SOURCE_REMOVE;
    }
    g_assert((size_t)n <= want);
    if (io->input) {
        io->input(io->chr, buf, n);
    } else {
        chr_be_write(io->chr, buf, n);
    }
    return G_SOURCE_CONTINUE;
}

void char_fdio_init(CharFdIO *io, Chardev *chr, int in_fd, int out_fd)
{
    memset(io, 0, sizeof(*io));
    io->chr = chr;
    io->in_fd = in_fd;
    io->out_fd = out_fd;
}

void char_fdio_resume(CharFdIO *io)
{
    if (io->in_fd >= 0 && !io->in_tag) {
        io->in_tag = g_unix_fd_add(io->in_fd, G_IO_IN, char_fdio_readable, io);
    }
}

void char_fdio_pause(CharFdIO *io)
{
    if (io->in_tag) {
        g_source_remove(io->in_tag);
        io->in_tag = 0;
    }
}

int char_fdio_write(CharFdIO *io, const uint8_t *buf, int len)
{
    if (io->out_fd < 0) {
        return len;
    }
    /*
     * Poll first rather than set O_NONBLOCK: stdout may be a terminal shared
     * with the shell, which must not find it non-blocking after we exit.
     * After POLLOUT, a pipe takes PIPE_BUF bytes without blocking.
     */
    struct pollfd pfd = { .fd = io->out_fd, .events = POLLOUT };
    if (poll(&pfd, 1, 0) < 0) {
        return errno == EINTR ? 0 : -1;
    }
    if (!(pfd.revents & POLLOUT)) {
        return (pfd.revents & (POLLERR | POLLNVAL)) ? -1 : 0;
    }
    size_t chunk = MIN((size_t)len, (size_t)PIPE_BUF);
    ssize_t n = io->out_is_socket
        ? send(io->out_fd, buf, chunk, MSG_NOSIGNAL | MSG_DONTWAIT)
        : write(io->out_fd, buf, chunk);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    }
    return n;
}
