/*
 * The pty backend: a new pseudo-terminal whose slave (/dev/pts/N) the user
 * opens with screen, minicom or socat.  The master sees POLLHUP while no one
 * has the slave open; output is dropped then, and a timer polls each second
 * for someone to connect.
 */
#include "chardev/char.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define PTY_POLL_MS 1000

typedef struct PtyChardev {
    Chardev parent;
    int master;
    CharFdIO io;
    bool connected;     /* someone has the slave open */
    guint poll_tag;     /* the connect poll timer, 0 if not running */
} PtyChardev;

static bool pty_slave_open(PtyChardev *s)
{
    struct pollfd pfd = { .fd = s->master, .events = POLLIN };
    if (poll(&pfd, 1, 0) < 0) {
        return false;
    }
    return !(pfd.revents & POLLHUP);
}

static gboolean pty_poll_connect(gpointer opaque);

static void pty_set_connected(PtyChardev *s, bool connected)
{
    if (s->connected == connected) {
        return;
    }
    s->connected = connected;
    if (connected) {
        if (s->poll_tag) {
            g_source_remove(s->poll_tag);
            s->poll_tag = 0;
        }
        char_fdio_resume(&s->io);
        chr_be_event(&s->parent, CHR_EVENT_OPENED);
    } else {
        char_fdio_pause(&s->io);
        if (!s->poll_tag) {
            s->poll_tag = g_timeout_add(PTY_POLL_MS, pty_poll_connect, s);
        }
        chr_be_event(&s->parent, CHR_EVENT_CLOSED);
    }
}

static gboolean pty_poll_connect(gpointer opaque)
{
    PtyChardev *s = opaque;
    if (pty_slave_open(s)) {
        s->poll_tag = 0;
        pty_set_connected(s, true);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* Reading the master failed (EIO): the last slave user hung up. */
static void pty_hangup(Chardev *chr)
{
    pty_set_connected((PtyChardev *)chr, false);
}

static bool pty_open(Chardev *chr, Opts *opts, Error **errp)
{
    PtyChardev *s = (PtyChardev *)chr;
    int slave;

    s->master = -1;
    if (openpty(&s->master, &slave, NULL, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "chardev: pty: could not create a pseudo-terminal");
        return false;
    }
    struct termios t;
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    const char *name = ttyname(slave);
    chr->filename = g_strdup_printf("pty:%s", name ? name : "?");
    /* Keeping the slave open would hide hang-ups; the settings stay with the pty. */
    close(slave);
    fcntl(s->master, F_SETFD, FD_CLOEXEC);
    int fl = fcntl(s->master, F_GETFL);
    if (fl >= 0) {
        fcntl(s->master, F_SETFL, fl | O_NONBLOCK);
    }
    fprintf(stderr, "char device redirected to %s (label %s)\n",
            chr->filename + 4, chr->label);

    char_fdio_init(&s->io, chr, s->master, s->master);
    s->io.eof = pty_hangup;
    chr->be_open = false;
    s->connected = false;
    s->poll_tag = g_timeout_add(PTY_POLL_MS, pty_poll_connect, s);
    return true;
}

static int pty_write(Chardev *chr, const uint8_t *buf, int len)
{
    PtyChardev *s = (PtyChardev *)chr;
    if (!s->connected) {
        if (!pty_slave_open(s)) {
            return len;     /* no one listens: drop, do not stall the guest */
        }
        pty_set_connected(s, true);
    }
    int n = char_fdio_write(&s->io, buf, len);
    if (n < 0) {
        pty_set_connected(s, false);
        return len;
    }
    return n;
}

static void pty_resume(Chardev *chr)
{
    PtyChardev *s = (PtyChardev *)chr;
    if (s->connected) {
        char_fdio_resume(&s->io);
    }
}

static void pty_close(Chardev *chr)
{
    PtyChardev *s = (PtyChardev *)chr;
    char_fdio_pause(&s->io);
    if (s->poll_tag) {
        g_source_remove(s->poll_tag);
        s->poll_tag = 0;
    }
    if (s->master >= 0) {
        close(s->master);
        s->master = -1;
    }
}

const ChardevClass char_pty_class = {
    .name = "pty",
    .help = "a new pseudo-terminal (its /dev/pts/N is printed at start)",
    .open = pty_open,
    .write = pty_write,
    .accept_input = pty_resume,
    .frontend_changed = pty_resume,
    .close = pty_close,
    .state_size = sizeof(PtyChardev),
};
