/*
 * The mux: one backend shared by up to four frontends (the serial port and
 * the monitor of -nographic).  Input goes to the frontend with the focus;
 * output of every frontend goes out.  Ctrl-a starts an escape:
 *   C-a h  help            C-a x  quit            C-a s  commit -snapshot disks
 *   C-a t  timestamps      C-a b  send a break    C-a c  next frontend
 *   C-a C-a  a literal Ctrl-a; any other key after C-a is dropped.
 * Input a frontend cannot take yet waits in a small ring per frontend, and
 * the backend stops reading while the focused ring is full.
 */
#include "chardev/char.h"
#include "system/runstate.h"

#include <stdio.h>
#include <string.h>

#define MUX_MAX_FRONTENDS 4
#define MUX_BUF_SIZE 32
#define MUX_ESCAPE 0x01     /* Ctrl-a */

typedef struct MuxFrontend {
    CharBackend *be;        /* NULL: the slot is free */
    CharCanRead *can_read;
    CharRead *read;
    CharEventHandler *event;
    void *opaque;
    bool open_pending;      /* CHR_EVENT_OPENED not yet delivered */
    bool flushing;          /* inside mux_flush: no nested delivery */
    uint8_t buf[MUX_BUF_SIZE];
    unsigned head;          /* oldest byte in buf */
    unsigned count;         /* bytes waiting in buf */
} MuxFrontend;

typedef struct MuxChardev {
    Chardev parent;
    Chardev *backend;
    MuxFrontend fe[MUX_MAX_FRONTENDS];
    int focus;              /* slot with the focus, -1 if none */
    bool escape;            /* the previous input byte was Ctrl-a */
    bool timestamps;
    bool line_start;        /* the next output byte begins a line */
    gint64 ts_start;        /* time of the first stamped line, -1 until then */
    guint open_idle;        /* pending delivery of CHR_EVENT_OPENED */
} MuxChardev;

static void (*commit_hook)(void);

void chardev_set_commit_hook(void (*fn)(void))
{
    commit_hook = fn;
}

static MuxChardev *mux_of(Chardev *chr)
{
    g_assert(chr->klass == &char_mux_class);
    return (MuxChardev *)chr;
}

static void mux_send_event(MuxChardev *m, int i, CharEvent event)
{
    MuxFrontend *f = &m->fe[i];
    if (f->be && f->event) {
        f->event(f->opaque, event);
    }
}

static void mux_print(MuxChardev *m, const char *text)
{
    chardev_write_all(m->backend, (const uint8_t *)text, strlen(text));
}

/* Let the backend read again (the focused ring has room). */
static void mux_resume_backend(MuxChardev *m)
{
    if (m->backend && m->backend->klass->accept_input) {
        m->backend->klass->accept_input(m->backend);
    }
}

/* Deliver what waits in frontend i's ring, as far as it takes it. */
static void mux_flush(MuxChardev *m, int i)
{
    MuxFrontend *f = &m->fe[i];
    if (f->flushing) {
        return;     /* the outer call goes on delivering */
    }
    f->flushing = true;
    while (f->count > 0 && f->be && f->can_read && f->read) {
        int room = f->can_read(f->opaque);
        if (room <= 0) {
            break;
        }
        unsigned chunk = MIN((unsigned)room, f->count);
        chunk = MIN(chunk, MUX_BUF_SIZE - f->head);
        uint8_t tmp[MUX_BUF_SIZE];
        memcpy(tmp, &f->buf[f->head], chunk);
        f->head = (f->head + chunk) % MUX_BUF_SIZE;
        f->count -= chunk;
        f->read(f->opaque, tmp, chunk);
    }
    f->flushing = false;
}

static void mux_push(MuxChardev *m, uint8_t c)
{
    if (m->focus < 0) {
        return;
    }
    MuxFrontend *f = &m->fe[m->focus];
    if (f->count >= MUX_BUF_SIZE) {
        return;     /* cannot happen: mux_can_read promised only the free room */
    }
    f->buf[(f->head + f->count) % MUX_BUF_SIZE] = c;
    f->count++;
}

void char_mux_set_focus(Chardev *chr, int tag)
{
    MuxChardev *m = mux_of(chr);
    if (tag < 0 || tag >= MUX_MAX_FRONTENDS || !m->fe[tag].be || tag == m->focus) {
        return;
    }
    int old = m->focus;
    if (old >= 0) {
        mux_flush(m, old);
        mux_send_event(m, old, CHR_EVENT_MUX_OUT);
    }
    m->focus = tag;
    mux_send_event(m, tag, CHR_EVENT_MUX_IN);
    mux_flush(m, tag);
    mux_resume_backend(m);
}

static void mux_focus_next(MuxChardev *m)
{
    for (int step = 1; step <= MUX_MAX_FRONTENDS; step++) {
        int i = (m->focus + step) % MUX_MAX_FRONTENDS;
        if (i >= 0 && m->fe[i].be) {
            if (i == m->focus) {
                return;     /* the only frontend */
            }
            char_mux_set_focus(&m->parent, i);
            return;
        }
    }
}

static void mux_print_help(MuxChardev *m)
{
    static const char *const help[][2] = {
        { "h", "print this help" },
        { "x", "exit emulator" },
        { "s", "save disk data back to file (if -snapshot)" },
        { "t", "toggle console timestamps" },
        { "b", "send break (magic sysrq)" },
        { "c", "switch between console and monitor" },
        { "C-a", "sends C-a" },
    };
    GString *out = g_string_new("\n\r");
    for (size_t i = 0; i < G_N_ELEMENTS(help); i++) {
        g_string_append_printf(out, "C-a %-5s%s\n\r", help[i][0], help[i][1]);
    }
    mux_print(m, out->str);
    g_string_free(out, true);
}

/* The key after Ctrl-a. */
static void mux_escape_command(MuxChardev *m, uint8_t c)
{
    switch (c) {
    case MUX_ESCAPE:
        mux_push(m, c);
        break;
    case 'h':
        mux_print_help(m);
        break;
    case 'x':
        mux_print(m, "kemu: Terminated\n\r");
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_UI);
        break;
    case 's':
        if (commit_hook) {
            commit_hook();
        }
        break;
    case 'b':
        if (m->focus >= 0) {
            mux_flush(m, m->focus);     /* the break comes after what was typed */
            mux_send_event(m, m->focus, CHR_EVENT_BREAK);
        }
        break;
    case 'c':
        mux_focus_next(m);
        break;
    case 't':
        m->timestamps = !m->timestamps;
        m->ts_start = -1;
        break;
    default:
        break;      /* unknown escapes are dropped, as in QEMU */
    }
}

/* ---- Handlers the mux sets on its backend ------------------------------------- */

static int mux_can_read(void *opaque)
{
    MuxChardev *m = opaque;
    if (m->focus < 0) {
        return 0;
    }
    return MUX_BUF_SIZE - (int)m->fe[m->focus].count;
}

static void mux_read(void *opaque, const uint8_t *buf, int len)
{
    MuxChardev *m = opaque;
    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if (m->escape) {
            m->escape = false;
            mux_escape_command(m, c);
        } else if (c == MUX_ESCAPE) {
            m->escape = true;
        } else {
            mux_push(m, c);
        }
    }
    if (m->focus >= 0) {
        mux_flush(m, m->focus);
    }
}

static void mux_event(void *opaque, CharEvent event)
{
    MuxChardev *m = opaque;
    if (event == CHR_EVENT_BREAK) {
        if (m->focus >= 0) {
            mux_send_event(m, m->focus, event);
        }
        return;
    }
    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_CLOSED) {
        m->parent.be_open = event == CHR_EVENT_OPENED;
        for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
            m->fe[i].open_pending = false;
        }
    }
    for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
        mux_send_event(m, i, event);
    }
}

/* ---- Frontends ---------------------------------------------------------------- */

bool char_mux_attach(Chardev *chr, CharBackend *be, Error **errp)
{
    MuxChardev *m = mux_of(chr);
    for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
        if (!m->fe[i].be) {
            memset(&m->fe[i], 0, sizeof(m->fe[i]));
            m->fe[i].be = be;
            be->tag = i;
            return true;
        }
    }
    error_setg(errp, "too many frontends on mux chardev '%s' (at most %d)",
               chr->label, MUX_MAX_FRONTENDS);
    return false;
}

void char_mux_detach(Chardev *chr, int tag)
{
    MuxChardev *m = mux_of(chr);
    if (tag < 0 || tag >= MUX_MAX_FRONTENDS) {
        return;
    }
    memset(&m->fe[tag], 0, sizeof(m->fe[tag]));
    if (m->focus == tag) {
        m->focus = -1;
        mux_focus_next(m);      /* from -1 this is the first frontend left */
    }
}

/* Tell frontends that joined an open mux, once start-up has attached them all. */
static gboolean mux_send_pending_open(gpointer opaque)
{
    MuxChardev *m = opaque;
    m->open_idle = 0;
    for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
        if (m->fe[i].open_pending) {
            m->fe[i].open_pending = false;
            if (m->parent.be_open) {
                mux_send_event(m, i, CHR_EVENT_OPENED);
            }
        }
    }
    return G_SOURCE_REMOVE;
}

void char_mux_set_handlers(Chardev *chr, int tag, CharCanRead *can_read, CharRead *read,
                           CharEventHandler *event, void *opaque)
{
    MuxChardev *m = mux_of(chr);
    if (tag < 0 || tag >= MUX_MAX_FRONTENDS || !m->fe[tag].be) {
        return;
    }
    MuxFrontend *f = &m->fe[tag];
    f->can_read = can_read;
    f->read = read;
    f->event = event;
    f->opaque = opaque;
    f->open_pending = false;
    if (!can_read && !read && !event) {
        return;
    }
    char_mux_set_focus(chr, tag);
    if (event && chr->be_open) {
        f->open_pending = true;
        if (!m->open_idle) {
            m->open_idle = g_idle_add(mux_send_pending_open, m);
        }
    }
    mux_flush(m, tag);
    mux_resume_backend(m);
}

/* ---- The mux as a chardev ------------------------------------------------------ */

/* "[HH:MM:SS.mmm] " of the time since the first stamped line. */
static void mux_write_timestamp(MuxChardev *m)
{
    gint64 now = g_get_monotonic_time();
    if (m->ts_start < 0) {
        m->ts_start = now;
    }
    gint64 ms = (now - m->ts_start) / 1000;
    char stamp[48];
    int n = snprintf(stamp, sizeof(stamp), "[%02d:%02d:%02d.%03d] ",
                     (int)(ms / 3600000), (int)(ms / 60000 % 60),
                     (int)(ms / 1000 % 60), (int)(ms % 1000));
    if (n > 0 && (size_t)n < sizeof(stamp)) {
        chardev_write_all(m->backend, (const uint8_t *)stamp, n);
    }
}

static int mux_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *m = mux_of(chr);
    if (!m->backend) {
        return len;
    }
    if (!m->timestamps) {
        return chardev_write(m->backend, buf, len);
    }
    int done = 0;
    while (done < len) {
        if (m->line_start) {
            mux_write_timestamp(m);
            m->line_start = false;
        }
        const uint8_t *nl = memchr(buf + done, '\n', len - done);
        int seg = nl ? (int)(nl - (buf + done)) + 1 : len - done;
        int n = chardev_write(m->backend, buf + done, seg);
        if (n < 0) {
            return done ? done : -1;
        }
        done += n;
        if (n < seg) {
            break;      /* the backend is full; the line goes on next time */
        }
        m->line_start = nl != NULL;
    }
    return done;
}

static void mux_accept_input(Chardev *chr)
{
    MuxChardev *m = mux_of(chr);
    for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
        mux_flush(m, i);
    }
    mux_resume_backend(m);
}

static bool mux_open(Chardev *chr, Opts *opts, Error **errp)
{
    MuxChardev *m = mux_of(chr);
    const char *id = opts_get(opts, "chardev");
    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    Chardev *backend = chardev_find(id);
    if (!backend) {
        error_setg(errp, "Chardev '%s' not found", id);
        return false;
    }
    if (backend->fe_attached) {
        error_setg(errp, "device '%s' is busy", id);
        return false;
    }
    m->backend = backend;
    m->focus = -1;
    m->line_start = true;
    m->ts_start = -1;
    backend->fe_can_read = mux_can_read;
    backend->fe_read = mux_read;
    backend->fe_event = mux_event;
    backend->fe_opaque = m;
    backend->fe_attached = true;
    backend->mux = chr;
    chr->be_open = backend->be_open;
    chr->filename = g_strdup("mux");
    if (backend->klass->frontend_changed) {
        backend->klass->frontend_changed(backend);
    }
    return true;
}

static void mux_close(Chardev *chr)
{
    MuxChardev *m = mux_of(chr);
    if (m->open_idle) {
        g_source_remove(m->open_idle);
        m->open_idle = 0;
    }
    Chardev *backend = m->backend;
    if (backend && backend->mux == chr) {
        backend->fe_can_read = NULL;
        backend->fe_read = NULL;
        backend->fe_event = NULL;
        backend->fe_opaque = NULL;
        backend->fe_attached = false;
        backend->mux = NULL;
    }
    m->backend = NULL;
    for (int i = 0; i < MUX_MAX_FRONTENDS; i++) {
        if (m->fe[i].be && m->fe[i].be->chr == chr) {
            m->fe[i].be->chr = NULL;    /* its frontend now writes nowhere */
        }
        m->fe[i].be = NULL;
    }
}

const ChardevClass char_mux_class = {
    .name = "mux",
    .help = "share chardev=ID between frontends, with Ctrl-a escapes",
    .open = mux_open,
    .write = mux_write,
    .accept_input = mux_accept_input,
    .close = mux_close,
    .state_size = sizeof(MuxChardev),
};
