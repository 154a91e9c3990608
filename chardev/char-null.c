/* The null backend: output vanishes, input never comes. */
#include "chardev/char.h"

static bool null_open(Chardev *chr, Opts *opts, Error **errp)
{
    chr->filename = g_strdup("null");
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

const ChardevClass char_null_class = {
    .name = "null",
    .help = "discard output, no input",
    .open = null_open,
    .write = null_write,
    .state_size = sizeof(Chardev),
};
