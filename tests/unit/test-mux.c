/*
 * Character devices: the mux and its Ctrl-a escapes over an in-test backend,
 * -chardev and legacy spec parsing, and the file, pipe and socket backends
 * driven through GLib's default context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chardev/char.h"
#include "system/runstate.h"

/* ---- An in-test backend: output collects in a string ------------------------ */

static GString *test_out;       /* what reached the backend */
static int test_accept_calls;   /* accept_input calls the backend got */
static int test_write_limit;    /* bytes the backend takes per write; 0: all */

static bool test_open(Chardev *chr, Opts *opts, Error **errp)
{
    chr->filename = g_strdup("test");
    return true;
}

static int test_write(Chardev *chr, const uint8_t *buf, int len)
{
    int n = test_write_limit && len > test_write_limit ? test_write_limit : len;
    g_string_append_len(test_out, (const char *)buf, n);
    return n;
}

static void test_accept_input(Chardev *chr)
{
    test_accept_calls++;
}

static const ChardevClass test_class = {
    .name = "testbe",
    .help = "in-test backend",
    .open = test_open,
    .write = test_write,
    .accept_input = test_accept_input,
    .state_size = sizeof(Chardev),
};

/* ---- Fake frontends ---------------------------------------------------------------- */

typedef struct FakeFe {
    CharBackend be;
    int room;               /* bytes it takes before it is full (can_read) */
    GString *in;            /* input received */
    CharEvent events[32];
    int nevents;
} FakeFe;

static int fe_can_read(void *opaque)
{
    FakeFe *fe = opaque;
    return fe->room;
}

static void fe_read(void *opaque, const uint8_t *buf, int len)
{
    FakeFe *fe = opaque;
    assert_true(len > 0);
    assert_true(len <= fe->room);
    fe->room -= len;
    g_string_append_len(fe->in, (const char *)buf, len);
}

static void fe_event(void *opaque, CharEvent event)
{
    FakeFe *fe = opaque;
    if (fe->nevents < (int)G_N_ELEMENTS(fe->events)) {
        fe->events[fe->nevents++] = event;
    }
}

static void fe_attach(FakeFe *fe, Chardev *chr)
{
    Error *err = NULL;
    memset(fe, 0, sizeof(*fe));
    fe->room = 1 << 20;
    fe->in = g_string_new(NULL);
    assert_true(chr_fe_init(&fe->be, chr, &err));
    assert_null(err);
    chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, fe);
}

static void fe_free(FakeFe *fe)
{
    chr_fe_deinit(&fe->be);
    g_string_free(fe->in, true);
    fe->in = NULL;
}

static int fe_count(const FakeFe *fe, CharEvent event)
{
    int n = 0;
    for (int i = 0; i < fe->nevents; i++) {
        n += fe->events[i] == event;
    }
    return n;
}

static void fe_write_str(FakeFe *fe, const char *s)
{
    assert_int_equal(chr_fe_write_all(&fe->be, (const uint8_t *)s, strlen(s)), (int)strlen(s));
}

/* ---- Helpers ------------------------------------------------------------------------- */

static void pump(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    do {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(1000);
    } while (g_get_monotonic_time() < end);
}

/* Run the loop until fe has received want bytes (or 5 s pass). */
static void pump_until_input(FakeFe *fe, size_t want)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (fe->in->len < want && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
}

static void pump_until_event(FakeFe *fe, CharEvent event, int count)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (fe_count(fe, event) < count && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
}

static Chardev *new_chardev(const char *spec, Error **errp)
{
    Opts *opts = opts_parse(spec, "backend", errp);
    if (!opts) {
        return NULL;
    }
    Chardev *chr = chardev_new_from_opts(opts, errp);
    opts_free(opts);
    return chr;
}

/* Create from spec, which must fail with message. */
static void expect_error(const char *spec, const char *message)
{
    Error *err = NULL;
    assert_null(new_chardev(spec, &err));
    assert_non_null(err);
    assert_string_equal(error_get_pretty(err), message);
    error_free(err);
}

/* Feed input to the mux's backend as a backend would: within can_write. */
static void inject(Chardev *base, const char *s, size_t len)
{
    while (len > 0) {
        int room = chr_be_can_write(base);
        if (room <= 0) {
            return;
        }
        int n = (size_t)room < len ? room : (int)len;
        chr_be_write(base, (const uint8_t *)s, n);
        s += n;
        len -= n;
    }
}

static void inject_str(Chardev *base, const char *s)
{
    inject(base, s, strlen(s));
}

/* ---- Mux fixture: a mux over the test backend, monitor attached before serial ---- */

typedef struct MuxFixture {
    Chardev *mux;
    Chardev *base;
    FakeFe mon;     /* attached first, like the monitor of -nographic */
    FakeFe ser;     /* attached last: it has the focus */
} MuxFixture;

static int setup(void **state)
{
    chardev_register_backends();
    chardev_register(&test_class);
    test_out = g_string_new(NULL);
    test_accept_calls = 0;
    test_write_limit = 0;
    return 0;
}

static int teardown(void **state)
{
    chardev_close_all();
    pump(5);
    g_string_free(test_out, true);
    test_out = NULL;
    chardev_set_commit_hook(NULL);
    return 0;
}

static int mux_setup(void **state)
{
    Error *err = NULL;
    MuxFixture *f = g_new0(MuxFixture, 1);
    setup(NULL);
    f->mux = new_chardev("testbe,id=con,mux=on", &err);
    assert_null(err);
    assert_non_null(f->mux);
    f->base = chardev_find("con-base");
    assert_non_null(f->base);
    assert_ptr_equal(f->base->mux, f->mux);
    fe_attach(&f->mon, f->mux);
    fe_attach(&f->ser, f->mux);
    *state = f;
    return 0;
}

static int mux_teardown(void **state)
{
    MuxFixture *f = *state;
    fe_free(&f->mon);
    fe_free(&f->ser);
    teardown(NULL);
    g_free(f);
    return 0;
}

/* ---- Mux tests ----------------------------------------------------------------- */

static void test_mux_initial_focus(void **state)
{
    MuxFixture *f = *state;

    assert_string_equal(f->mux->filename, "mux");
    assert_string_equal(f->base->filename, "test");
    /* The monitor had the focus alone, then the serial port took it. */
    assert_int_equal(f->mon.nevents, 2);
    assert_int_equal(f->mon.events[0], CHR_EVENT_MUX_IN);
    assert_int_equal(f->mon.events[1], CHR_EVENT_MUX_OUT);
    assert_int_equal(f->ser.nevents, 1);
    assert_int_equal(f->ser.events[0], CHR_EVENT_MUX_IN);
    /* OPENED comes from the main loop, after everyone attached. */
    pump(5);
    assert_int_equal(fe_count(&f->mon, CHR_EVENT_OPENED), 1);
    assert_int_equal(fe_count(&f->ser, CHR_EVENT_OPENED), 1);

    inject_str(f->base, "abc");
    assert_string_equal(f->ser.in->str, "abc");
    assert_string_equal(f->mon.in->str, "");
}

static void test_mux_switch_focus(void **state)
{
    MuxFixture *f = *state;
    f->mon.nevents = f->ser.nevents = 0;

    inject_str(f->base, "a\x01" "cb");
    assert_string_equal(f->ser.in->str, "a");
    assert_string_equal(f->mon.in->str, "b");
    assert_int_equal(f->ser.nevents, 1);
    assert_int_equal(f->ser.events[0], CHR_EVENT_MUX_OUT);
    assert_int_equal(f->mon.nevents, 1);
    assert_int_equal(f->mon.events[0], CHR_EVENT_MUX_IN);

    /* The escape may arrive split over two reads; "c" again goes back. */
    inject_str(f->base, "\x01");
    inject_str(f->base, "c");
    inject_str(f->base, "d");
    assert_string_equal(f->ser.in->str, "ad");
    assert_int_equal(f->mon.events[1], CHR_EVENT_MUX_OUT);
    assert_int_equal(f->ser.events[1], CHR_EVENT_MUX_IN);

    /* chr_fe_take_focus does the same as Ctrl-a c. */
    chr_fe_take_focus(&f->mon.be);
    inject_str(f->base, "e");
    assert_string_equal(f->mon.in->str, "be");
}

static void test_mux_escape_literal_and_unknown(void **state)
{
    MuxFixture *f = *state;

    inject_str(f->base, "\x01\x01" "x\x01zq");
    /* C-a C-a is one C-a; C-a z is dropped; and no shutdown happened. */
    assert_int_equal(f->ser.in->len, 3);
    assert_memory_equal(f->ser.in->str, "\x01xq", 3);
    assert_false(runstate_process_requests());
    assert_string_equal(test_out->str, "");
}

static void test_mux_help(void **state)
{
    MuxFixture *f = *state;

    inject_str(f->base, "\x01h");
    assert_string_equal(f->ser.in->str, "");
    assert_non_null(strstr(test_out->str, "C-a h    print this help\n\r"));
    assert_non_null(strstr(test_out->str, "C-a x    exit emulator\n\r"));
    assert_non_null(strstr(test_out->str, "C-a c    switch between console and monitor\n\r"));
    assert_non_null(strstr(test_out->str, "C-a C-a  sends C-a\n\r"));
}

static void test_mux_break(void **state)
{
    MuxFixture *f = *state;
    f->mon.nevents = f->ser.nevents = 0;

    inject_str(f->base, "k\x01" "b");
    assert_string_equal(f->ser.in->str, "k");
    assert_int_equal(fe_count(&f->ser, CHR_EVENT_BREAK), 1);
    assert_int_equal(fe_count(&f->mon, CHR_EVENT_BREAK), 0);
}

static void test_mux_exit(void **state)
{
    MuxFixture *f = *state;

    assert_false(runstate_process_requests());
    inject_str(f->base, "\x01x");
    assert_non_null(strstr(test_out->str, "kemu: Terminated\n\r"));
    assert_true(runstate_process_requests());
}

static int commit_calls;

static void count_commit(void)
{
    commit_calls++;
}

static void test_mux_commit(void **state)
{
    MuxFixture *f = *state;

    inject_str(f->base, "\x01s");
    assert_string_equal(test_out->str, "");     /* no hook: nothing at all */
    commit_calls = 0;
    chardev_set_commit_hook(count_commit);
    inject_str(f->base, "\x01s");
    assert_int_equal(commit_calls, 1);
    assert_string_equal(f->ser.in->str, "");
}

static void test_mux_buffering(void **state)
{
    MuxFixture *f = *state;

    f->ser.room = 0;
    assert_int_equal(chr_be_can_write(f->base), 32);
    inject_str(f->base, "hello");
    assert_string_equal(f->ser.in->str, "");
    assert_int_equal(chr_be_can_write(f->base), 27);

    /* A full ring stops the backend, escapes included. */
    char fill[40];
    memset(fill, 'z', sizeof(fill));
    inject(f->base, fill, sizeof(fill));
    assert_int_equal(chr_be_can_write(f->base), 0);

    /* accept_input delivers what it can, in order, and resumes the backend. */
    f->ser.room = 3;
    int before = test_accept_calls;
    chr_fe_accept_input(&f->ser.be);
    assert_string_equal(f->ser.in->str, "hel");
    assert_true(test_accept_calls > before);
    f->ser.room = 1 << 20;
    chr_fe_accept_input(&f->ser.be);
    assert_int_equal(f->ser.in->len, 32);
    assert_memory_equal(f->ser.in->str, "hellozzz", 8);
    assert_int_equal(chr_be_can_write(f->base), 32);

    /* Input buffered for one frontend stays its own across a switch. */
    f->ser.room = 0;
    inject_str(f->base, "12\x01" "c3");
    assert_string_equal(f->mon.in->str, "3");
    f->ser.room = 1 << 20;
    chr_fe_accept_input(&f->ser.be);
    assert_memory_equal(f->ser.in->str + 32, "12", 2);
}

static void test_mux_output(void **state)
{
    MuxFixture *f = *state;

    fe_write_str(&f->ser, "guest ");
    fe_write_str(&f->mon, "(qemu) ");
    chr_fe_printf(&f->mon.be, "%d\n", 42);
    assert_string_equal(test_out->str, "guest (qemu) 42\n");

    /* A backend that takes a byte at a time still gets all of write_all. */
    g_string_truncate(test_out, 0);
    test_write_limit = 1;
    fe_write_str(&f->ser, "slow");
    assert_string_equal(test_out->str, "slow");
    assert_int_equal(chr_fe_write(&f->ser.be, (const uint8_t *)"ab", 2), 1);
}

/* Check "[00:00:0S.mmm] " (15 characters) at p. */
static void assert_stamp(const char *p)
{
    assert_true(strlen(p) >= 15);
    assert_int_equal(p[0], '[');
    assert_memory_equal(p + 1, "00:00:0", 7);
    assert_int_equal(p[9], '.');
    assert_int_equal(p[13], ']');
    assert_int_equal(p[14], ' ');
}

static void test_mux_timestamps(void **state)
{
    MuxFixture *f = *state;

    inject_str(f->base, "\x01t");
    fe_write_str(&f->ser, "one\ntw");
    fe_write_str(&f->mon, "o\nthree");
    const char *s = test_out->str;
    assert_stamp(s);
    assert_memory_equal(s + 15, "one\n", 4);
    assert_stamp(s + 19);
    assert_memory_equal(s + 34, "two\n", 4);
    assert_stamp(s + 38);
    assert_string_equal(s + 53, "three");

    /* Off again: plain output. */
    inject_str(f->base, "\x01t");
    g_string_truncate(test_out, 0);
    fe_write_str(&f->ser, "\nfour\n");
    assert_string_equal(test_out->str, "\nfour\n");
}

static void test_mux_frontends(void **state)
{
    MuxFixture *f = *state;
    Error *err = NULL;
    FakeFe more[2];

    fe_attach(&more[0], f->mux);
    fe_attach(&more[1], f->mux);
    CharBackend fifth;
    assert_false(chr_fe_init(&fifth, f->mux, &err));
    assert_string_equal(error_get_pretty(err),
                        "too many frontends on mux chardev 'con' (at most 4)");
    error_free(err);
    err = NULL;

    /* The base is taken by the mux. */
    assert_false(chr_fe_init(&fifth, f->base, &err));
    assert_string_equal(error_get_pretty(err), "device 'con-base' is busy");
    error_free(err);

    /* Detaching the focused frontend hands the focus on. */
    fe_free(&more[1]);
    inject_str(f->base, "m");
    assert_string_equal(f->mon.in->str, "m");
    fe_free(&more[0]);
}

/* ---- Parsing ------------------------------------------------------------------------ */

static void test_opts_errors(void **state)
{
    Error *err = NULL;

    expect_error("nosuch,id=a", "'nosuch' is not a valid char driver name");
    expect_error("null", "Parameter 'id' is missing");
    expect_error("null,id=9x", "Parameter 'id' expects an identifier");
    expect_error("null,id=a,bogus=1", "Invalid parameter 'bogus'");
    expect_error("file,id=a", "chardev: file: no filename given");
    expect_error("file,id=a,path=/nonexistent-dir/x",
                 "could not open '/nonexistent-dir/x': No such file or directory");
    expect_error("socket,id=a,host=127.0.0.1", "chardev: socket: no port given");
    expect_error("socket,id=a,port=1,reconnect=1", "chardev: socket: reconnect is not supported");
    expect_error("mux,id=a,chardev=none", "Chardev 'none' not found");

    Chardev *chr = new_chardev("null,id=a", &err);
    assert_non_null(chr);
    assert_string_equal(chr->label, "a");
    assert_string_equal(chr->filename, "null");
    assert_true(chr->be_open);
    assert_ptr_equal(chardev_find("a"), chr);
    expect_error("null,id=a", "Duplicate ID 'a' for chardev");
    expect_error("null,id=a,mux=on", "Duplicate ID 'a' for chardev");
    /* Failed attempts left nothing behind. */
    assert_null(chardev_find("a-base"));

    char *label = chardev_unique_label("a");
    assert_string_equal(label, "a0");
    g_free(label);

    GString *help = g_string_new(NULL);
    chardev_print_backends(help);
    assert_non_null(strstr(help->str, "socket"));
    assert_non_null(strstr(help->str, "testbe"));
    g_string_free(help, true);

    /* A second stdio is refused (the first leaves a non-tty stdin alone). */
    Chardev *s1 = new_chardev("stdio,id=s1", &err);
    assert_non_null(s1);
    expect_error("stdio,id=s2", "cannot use stdio by multiple character devices");
}

static void expect_legacy_error(const char *spec, const char *message)
{
    Error *err = NULL;
    bool mon = true;
    assert_null(chardev_new_legacy("leg", spec, &mon, &err));
    assert_false(mon);
    assert_non_null(err);
    assert_string_equal(error_get_pretty(err), message);
    error_free(err);
}

static int count_chardevs_fn_n;

static void count_chardevs_fn(Chardev *chr, void *opaque)
{
    count_chardevs_fn_n++;
}

static void test_legacy(void **state)
{
    Error *err = NULL;
    bool mon = true;

    assert_null(chardev_new_legacy("serial0", "none", &mon, &err));
    assert_null(err);
    assert_false(mon);

    expect_legacy_error("foo", "'foo' is not a valid char driver");
    expect_legacy_error("tcp:localhost", "'tcp:localhost': expected [HOST]:PORT");
    expect_legacy_error("tcp:localhost:", "'tcp:localhost:': expected [HOST]:PORT");
    expect_legacy_error("chardev:nope", "Chardev 'nope' not found");

    Chardev *vc = chardev_new_legacy("serial0", "vc", &mon, &err);
    assert_non_null(vc);
    assert_string_equal(vc->filename, "null");
    assert_false(mon);
    assert_ptr_equal(chardev_new_legacy("x", "chardev:serial0", &mon, &err), vc);

    Chardev *m = chardev_new_legacy("serial1", "mon:null", &mon, &err);
    assert_null(err);
    assert_non_null(m);
    assert_true(mon);
    assert_string_equal(m->filename, "mux");
    assert_non_null(chardev_find("serial1-base"));

    count_chardevs_fn_n = 0;
    chardev_foreach(count_chardevs_fn, NULL);
    assert_int_equal(count_chardevs_fn_n, 3);

    /* tcp: with an empty host is a server on every interface. */
    Chardev *t = chardev_new_legacy("serial2", "tcp::0,server=on,wait=off", &mon, &err);
    assert_null(err);
    assert_non_null(t);
    assert_true(g_str_has_prefix(t->filename, "disconnected:tcp:0.0.0.0:"));
    assert_true(g_str_has_suffix(t->filename, ",server=on"));
    /* The old flag forms "server" and "nowait". */
    Chardev *u = chardev_new_legacy("serial3", "telnet:127.0.0.1:0,server,nowait", &mon, &err);
    assert_null(err);
    assert_non_null(u);
    assert_true(g_str_has_prefix(u->filename, "disconnected:tcp:127.0.0.1:"));
}

/* ---- Backends ------------------------------------------------------------------------ */

static char *read_file(const char *path)
{
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void test_file_and_logfile(void **state)
{
    Error *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("kemu-chr-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    g_autofree char *log = g_build_filename(dir, "log", NULL);
    g_autofree char *spec = g_strdup_printf("file,id=f,path=%s,logfile=%s", out, log);
    FakeFe fe;

    Chardev *chr = new_chardev(spec, &err);
    assert_null(err);
    assert_string_equal(chr->filename, "file");
    fe_attach(&fe, chr);
    fe_write_str(&fe, "line 1\n");
    fe_free(&fe);
    chardev_close_all();

    g_autofree char *t1 = read_file(out);
    g_autofree char *t2 = read_file(log);
    assert_string_equal(t1, "line 1\n");
    assert_string_equal(t2, "line 1\n");

    /* append=on keeps what is there; legacy file: truncates. */
    g_free(spec);
    spec = g_strdup_printf("file,id=f,path=%s,append=on", out);
    chr = new_chardev(spec, &err);
    fe_attach(&fe, chr);
    fe_write_str(&fe, "line 2\n");
    fe_free(&fe);
    chardev_close_all();
    g_autofree char *t3 = read_file(out);
    assert_string_equal(t3, "line 1\nline 2\n");

    g_autofree char *legacy = g_strdup_printf("file:%s", out);
    chr = chardev_new_legacy("serial0", legacy, NULL, &err);
    assert_non_null(chr);
    fe_attach(&fe, chr);
    fe_write_str(&fe, "new\n");
    fe_free(&fe);
    chardev_close_all();
    g_autofree char *t4 = read_file(out);
    assert_string_equal(t4, "new\n");

    unlink(out);
    unlink(log);
    rmdir(dir);
}

static void test_pipe(void **state)
{
    Error *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("kemu-chr-XXXXXX", NULL);
    g_autofree char *base = g_build_filename(dir, "p", NULL);
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_autofree char *spec = g_strdup_printf("pipe:%s", base);
    FakeFe fe;

    assert_int_equal(mkfifo(in, 0600), 0);
    assert_int_equal(mkfifo(out, 0600), 0);
    Chardev *chr = chardev_new_legacy("serial0", spec, NULL, &err);
    assert_null(err);
    fe_attach(&fe, chr);

    int wfd = open(in, O_WRONLY);
    int rfd = open(out, O_RDONLY | O_NONBLOCK);
    assert_true(wfd >= 0 && rfd >= 0);
    assert_int_equal(write(wfd, "ping", 4), 4);
    pump_until_input(&fe, 4);
    assert_string_equal(fe.in->str, "ping");

    fe_write_str(&fe, "pong");
    char buf[8] = "";
    assert_int_equal(read(rfd, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "pong", 4);

    /* A frontend that takes nothing pauses reading; accept_input resumes. */
    fe.room = 0;
    assert_int_equal(write(wfd, "later", 5), 5);
    pump(20);
    assert_string_equal(fe.in->str, "ping");
    fe.room = 2;
    chr_fe_accept_input(&fe.be);
    pump_until_input(&fe, 6);
    assert_string_equal(fe.in->str, "pingla");
    fe.room = 100;
    chr_fe_accept_input(&fe.be);
    pump_until_input(&fe, 9);
    assert_string_equal(fe.in->str, "pinglater");

    close(wfd);
    close(rfd);
    fe_free(&fe);
    chardev_close_all();
    unlink(in);
    unlink(out);
    rmdir(dir);
}

/* The port of a listening TCP chardev, from its filename. */
static int chardev_port(Chardev *chr)
{
    const char *colon = strrchr(chr->filename, ':');
    assert_non_null(colon);
    return atoi(colon + 1);
}

static int tcp_connect(int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read from fd until want bytes came, pumping the loop meanwhile. */
static void recv_exact(int fd, char *buf, size_t want)
{
    size_t got = 0;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (got < want && g_get_monotonic_time() < end) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 10) > 0) {
            ssize_t n = recv(fd, buf + got, want - got, 0);
            assert_true(n > 0);
            got += n;
        }
        g_main_context_iteration(NULL, FALSE);
    }
    assert_int_equal(got, want);
}

static void test_socket_server(void **state)
{
    Error *err = NULL;
    FakeFe fe;

    Chardev *chr = new_chardev("socket,id=s,host=127.0.0.1,port=0,server=on,wait=off", &err);
    assert_null(err);
    assert_non_null(chr);
    assert_false(chr->be_open);
    assert_true(g_str_has_prefix(chr->filename, "disconnected:tcp:127.0.0.1:"));
    int port = chardev_port(chr);
    assert_true(port > 0);
    fe_attach(&fe, chr);
    assert_int_equal(fe.nevents, 0);

    /* Output without a client is dropped, not queued. */
    fe_write_str(&fe, "lost");

    for (int round = 0; round < 2; round++) {
        int c = tcp_connect(port);
        assert_true(c >= 0);
        pump_until_event(&fe, CHR_EVENT_OPENED, round + 1);
        assert_int_equal(fe_count(&fe, CHR_EVENT_OPENED), round + 1);
        assert_true(chr->be_open);
        g_autofree char *prefix = g_strdup_printf("tcp:127.0.0.1:%d,server=on <-> 127.0.0.1:",
                                                  port);
        assert_true(g_str_has_prefix(chr->filename, prefix));

        g_string_truncate(fe.in, 0);
        assert_int_equal(send(c, "hi there", 8, 0), 8);
        pump_until_input(&fe, 8);
        assert_string_equal(fe.in->str, "hi there");

        fe_write_str(&fe, "back");
        char buf[8];
        recv_exact(c, buf, 4);
        assert_memory_equal(buf, "back", 4);

        close(c);
        pump_until_event(&fe, CHR_EVENT_CLOSED, round + 1);
        assert_int_equal(fe_count(&fe, CHR_EVENT_CLOSED), round + 1);
        assert_false(chr->be_open);
        assert_true(g_str_has_prefix(chr->filename, "disconnected:tcp:"));
        /* Writing to the gone peer does not crash, whatever it returns. */
        chr_fe_write(&fe.be, (const uint8_t *)"x", 1);
    }
    fe_free(&fe);
}

static void test_socket_client(void **state)
{
    Error *err = NULL;
    FakeFe fe;

    /* A port nobody listens on: bind one, note it, close it. */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sin);
    assert_int_equal(bind(probe, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(getsockname(probe, (struct sockaddr *)&sin, &len), 0);
    int port = ntohs(sin.sin_port);
    close(probe);

    g_autofree char *spec = g_strdup_printf("socket,id=c,host=127.0.0.1,port=%d", port);
    g_autofree char *msg = g_strdup_printf("Failed to connect to '127.0.0.1:%d': "
                                           "Connection refused", port);
    expect_error(spec, msg);

    /* Against a server chardev, a client chardev connects at open. */
    Chardev *srv = new_chardev("socket,id=srv,host=127.0.0.1,port=0,server=on,wait=off", &err);
    assert_non_null(srv);
    g_free(spec);
    spec = g_strdup_printf("tcp:127.0.0.1:%d", chardev_port(srv));
    Chardev *cli = chardev_new_legacy("cli", spec, NULL, &err);
    assert_null(err);
    assert_non_null(cli);
    assert_true(cli->be_open);
    assert_true(g_str_has_prefix(cli->filename, "tcp:127.0.0.1:"));
    FakeFe sfe;
    fe_attach(&sfe, srv);
    fe_attach(&fe, cli);
    assert_int_equal(fe_count(&fe, CHR_EVENT_OPENED), 1);    /* it joined an open chardev */
    fe_write_str(&fe, "over");
    pump_until_input(&sfe, 4);
    assert_string_equal(sfe.in->str, "over");
    fe_free(&fe);
    fe_free(&sfe);
}

typedef struct Connector {
    int port;
    int fd;
} Connector;

static void *connector_thread(void *opaque)
{
    Connector *c = opaque;
    for (int i = 0; i < 500 && c->fd < 0; i++) {
        c->fd = tcp_connect(c->port);
        if (c->fd < 0) {
            g_usleep(10000);
        }
    }
    return NULL;
}

static void test_socket_wait(void **state)
{
    Error *err = NULL;
    FakeFe fe;

    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sin);
    assert_int_equal(bind(probe, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(getsockname(probe, (struct sockaddr *)&sin, &len), 0);
    Connector c = { .port = ntohs(sin.sin_port), .fd = -1 };
    close(probe);

    pthread_t th;
    pthread_create(&th, NULL, connector_thread, &c);
    g_autofree char *spec = g_strdup_printf("socket,id=w,host=127.0.0.1,port=%d,server=on",
                                            c.port);
    Chardev *chr = new_chardev(spec, &err);    /* blocks until the thread connects */
    pthread_join(th, NULL);
    assert_null(err);
    assert_true(c.fd >= 0);
    assert_true(chr->be_open);
    fe_attach(&fe, chr);
    assert_int_equal(fe_count(&fe, CHR_EVENT_OPENED), 1);
    close(c.fd);
    pump_until_event(&fe, CHR_EVENT_CLOSED, 1);
    assert_int_equal(fe_count(&fe, CHR_EVENT_CLOSED), 1);
    fe_free(&fe);
}

static void test_socket_telnet(void **state)
{
    Error *err = NULL;
    FakeFe fe;

    Chardev *chr = chardev_new_legacy("tn", "telnet:127.0.0.1:0,server=on,wait=off", NULL, &err);
    assert_null(err);
    fe_attach(&fe, chr);
    int c = tcp_connect(chardev_port(chr));
    assert_true(c >= 0);
    pump_until_event(&fe, CHR_EVENT_OPENED, 1);

    /* The server offers WILL ECHO, WILL SGA, DONT LINEMODE. */
    uint8_t nego[9];
    recv_exact(c, (char *)nego, sizeof(nego));
    assert_int_equal(nego[0], 255);
    assert_int_equal(nego[1], 251);

    /* DO ECHO, a subnegotiation, IAC IAC, CR NUL and a break around data. */
    static const uint8_t in[] = {
        'a', 255, 253, 1, 'b', 255, 250, 24, 0, 'x', 255, 240, 'c',
        255, 255, '\r', 0, 'd', 255, 243, 'e',
    };
    assert_int_equal(send(c, in, sizeof(in), 0), (ssize_t)sizeof(in));
    pump_until_input(&fe, 7);
    assert_int_equal(fe.in->len, 7);
    assert_memory_equal(fe.in->str, "abc\xff\rde", 7);
    assert_int_equal(fe_count(&fe, CHR_EVENT_BREAK), 1);
    close(c);
    fe_free(&fe);
}

static void test_socket_unix(void **state)
{
    Error *err = NULL;
    FakeFe fe;
    g_autofree char *dir = g_dir_make_tmp("kemu-chr-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autofree char *spec = g_strdup_printf("socket,id=u,path=%s,server=on,wait=off", path);

    Chardev *chr = new_chardev(spec, &err);
    assert_null(err);
    g_autofree char *name = g_strdup_printf("disconnected:unix:%s,server=on", path);
    assert_string_equal(chr->filename, name);
    fe_attach(&fe, chr);

    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
    pump_until_event(&fe, CHR_EVENT_OPENED, 1);
    assert_string_equal(chr->filename, name + strlen("disconnected:"));
    assert_int_equal(send(c, "u!", 2, 0), 2);
    pump_until_input(&fe, 2);
    assert_string_equal(fe.in->str, "u!");
    close(c);
    fe_free(&fe);
    chardev_close_all();
    assert_int_equal(access(path, F_OK), -1);   /* the server removed its socket */
    rmdir(dir);
}

static void test_mux_over_socket(void **state)
{
    Error *err = NULL;
    FakeFe a, b;

    /* mon:tcp: events of the backend reach every frontend of the mux. */
    bool mon = false;
    Chardev *m = chardev_new_legacy("serial0", "mon:tcp:127.0.0.1:0,server=on,wait=off",
                                    &mon, &err);
    assert_null(err);
    assert_true(mon);
    Chardev *base = chardev_find("serial0-base");
    fe_attach(&a, m);
    fe_attach(&b, m);
    int c = tcp_connect(chardev_port(base));
    pump_until_event(&a, CHR_EVENT_OPENED, 1);
    pump_until_event(&b, CHR_EVENT_OPENED, 1);
    assert_true(m->be_open);
    assert_int_equal(send(c, "q\x01" "cr", 4, 0), 4);
    pump_until_input(&a, 1);
    assert_string_equal(b.in->str, "q");
    assert_string_equal(a.in->str, "r");
    close(c);
    pump_until_event(&a, CHR_EVENT_CLOSED, 1);
    assert_int_equal(fe_count(&b, CHR_EVENT_CLOSED), 1);
    assert_false(m->be_open);
    fe_free(&a);
    fe_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mux_initial_focus, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_switch_focus, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_escape_literal_and_unknown, mux_setup,
                                        mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_help, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_break, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_exit, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_commit, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_buffering, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_output, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_timestamps, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_mux_frontends, mux_setup, mux_teardown),
        cmocka_unit_test_setup_teardown(test_opts_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_and_logfile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_telnet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_unix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mux_over_socket, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
