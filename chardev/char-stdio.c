/*
 * The stdio backend: input from fd 0, output to fd 1.  On a terminal, input
 * is raw (every key goes to the guest at once) but output post-processing
 * (OPOST) stays on so "\n" still starts a new line; with signal=on (the
 * default) Ctrl-C still kills kemu.  The terminal is restored on close, by
 * chardev_close_all() and at exit.
 */
#include "chardev/char.h"

#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

typedef struct StdioChardev {
    Chardev parent;
    CharFdIO io;
    bool at_eof;        /* stdin ended: do not poll it again */
} StdioChardev;

static bool stdio_in_use;
static bool term_saved;
static struct termios term_orig;

static void stdio_restore_terminal(void)
{
    if (term_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &term_orig);
        term_saved = false;
    }
}

static void stdio_set_raw(bool signals, bool echo)
{
    static bool atexit_done;
    struct termios t;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &term_orig) < 0) {
        return;     /* not a terminal: leave it alone */
    }
    if (!atexit_done) {
        atexit(stdio_restore_terminal);
        atexit_done = true;
    }
    term_saved = true;
    t = term_orig;
    /* cfmakeraw(), minus the output side. */
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    if (signals) {
        t.c_lflag |= ISIG;
    }
    if (echo) {
        t.c_lflag |= ECHO;
    }
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* stdin ended (e.g. </dev/null): stop reading, keep writing. */
static void stdio_eof(Chardev *chr)
{
    ((StdioChardev *)chr)->at_eof = true;
}

static bool stdio_open(Chardev *chr, Opts *opts, Error **errp)
{
    StdioChardev *s = (StdioChardev *)chr;
    bool signals, echo;

    if (!opts_get_bool(opts, "signal", true, &signals, errp) ||
        !opts_get_bool(opts, "echo", false, &echo, errp)) {
        return false;
    }
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    stdio_set_raw(signals, echo);
    char_fdio_init(&s->io, chr, STDIN_FILENO, STDOUT_FILENO);
    s->io.eof = stdio_eof;
    char_fdio_resume(&s->io);
    chr->filename = g_strdup("stdio");
    return true;
}

static int stdio_write(Chardev *chr, const uint8_t *buf, int len)
{
    StdioChardev *s = (StdioChardev *)chr;
    return char_fdio_write(&s->io, buf, len);
}

static void stdio_resume(Chardev *chr)
{
    StdioChardev *s = (StdioChardev *)chr;
    if (!s->at_eof) {
        char_fdio_resume(&s->io);
    }
}

static void stdio_close(Chardev *chr)
{
    StdioChardev *s = (StdioChardev *)chr;
    char_fdio_pause(&s->io);
    stdio_restore_terminal();
    stdio_in_use = false;
}

const ChardevClass char_stdio_class = {
    .name = "stdio",
    .help = "the terminal kemu runs in (signal=off: Ctrl-C goes to the guest)",
    .open = stdio_open,
    .write = stdio_write,
    .accept_input = stdio_resume,
    .frontend_changed = stdio_resume,
    .close = stdio_close,
    .state_size = sizeof(StdioChardev),
};
