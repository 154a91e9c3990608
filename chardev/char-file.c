/* The file backend: output goes to path= (truncated, or appended with append=on). */
#include "chardev/char.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

typedef struct FileChardev {
    Chardev parent;
    int fd;
    CharFdIO io;
} FileChardev;

static bool file_open(Chardev *chr, Opts *opts, Error **errp)
{
    FileChardev *s = (FileChardev *)chr;
    const char *path = opts_get(opts, "path");
    bool append;

    if (!opts_get_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    if (!path || !*path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    s->fd = open(path, flags, 0666);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return false;
    }
    char_fdio_init(&s->io, chr, -1, s->fd);
    chr->filename = g_strdup("file");
    return true;
}

static int file_write(Chardev *chr, const uint8_t *buf, int len)
{
    FileChardev *s = (FileChardev *)chr;
    return char_fdio_write(&s->io, buf, len);
}

static void file_close(Chardev *chr)
{
    FileChardev *s = (FileChardev *)chr;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

const ChardevClass char_file_class = {
    .name = "file",
    .help = "write output to path=FILE (append=on to keep what is there)",
    .open = file_open,
    .write = file_write,
    .close = file_close,
    .state_size = sizeof(FileChardev),
};
