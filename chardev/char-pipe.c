/*
 * The pipe backend: path=P reads P.in and writes P.out when both exist
 * (a pair of FIFOs), else uses P both ways.
 */
#include "chardev/char.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

typedef struct PipeChardev {
    Chardev parent;
    int in_fd;
    int out_fd;         /* may equal in_fd */
    CharFdIO io;
} PipeChardev;

/* O_RDWR: opening a FIFO never blocks waiting for the other end (Linux). */
static int pipe_open_path(const char *path, Error **errp)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    return fd;
}

static bool pipe_open(Chardev *chr, Opts *opts, Error **errp)
{
    PipeChardev *s = (PipeChardev *)chr;
    const char *path = opts_get(opts, "path");

    s->in_fd = s->out_fd = -1;
    if (!path || !*path) {
        error_setg(errp, "chardev: pipe: no filename given");
        return false;
    }
    g_autofree char *in_path = g_strdup_printf("%s.in", path);
    g_autofree char *out_path = g_strdup_printf("%s.out", path);
    if (access(in_path, F_OK) == 0 && access(out_path, F_OK) == 0) {
        s->in_fd = pipe_open_path(in_path, errp);
        if (s->in_fd < 0) {
            return false;
        }
        s->out_fd = pipe_open_path(out_path, errp);
        if (s->out_fd < 0) {
            close(s->in_fd);
            return false;
        }
    } else {
        s->in_fd = s->out_fd = pipe_open_path(path, errp);
        if (s->in_fd < 0) {
            return false;
        }
    }
    char_fdio_init(&s->io, chr, s->in_fd, s->out_fd);
    char_fdio_resume(&s->io);
    chr->filename = g_strdup("pipe");
    return true;
}

static int pipe_write(Chardev *chr, const uint8_t *buf, int len)
{
    PipeChardev *s = (PipeChardev *)chr;
    return char_fdio_write(&s->io, buf, len);
}

static void pipe_resume(Chardev *chr)
{
    PipeChardev *s = (PipeChardev *)chr;
    char_fdio_resume(&s->io);
}

static void pipe_close(Chardev *chr)
{
    PipeChardev *s = (PipeChardev *)chr;
    char_fdio_pause(&s->io);
    if (s->out_fd >= 0 && s->out_fd != s->in_fd) {
        close(s->out_fd);
    }
    if (s->in_fd >= 0) {
        close(s->in_fd);
    }
    s->in_fd = s->out_fd = -1;
}

const ChardevClass char_pipe_class = {
    .name = "pipe",
    .help = "path=P: read P.in and write P.out (FIFOs), or P both ways",
    .open = pipe_open,
    .write = pipe_write,
    .accept_input = pipe_resume,
    .frontend_changed = pipe_resume,
    .close = pipe_close,
    .state_size = sizeof(PipeChardev),
};
