/*
 * Character devices: byte streams between a frontend (a UART, the monitor)
 * and a backend (stdio, a file, a pty, a socket...).
 *
 * A backend is a Chardev with a ChardevClass of callbacks.  A frontend
 * attaches through a CharBackend and receives bytes through its handlers:
 * the backend asks can_read() how many bytes the frontend takes now and
 * delivers at most that many with read(); when the frontend can take more
 * later it calls chr_fe_accept_input().
 *
 * A mux chardev ("mux=on", "mon:stdio", -nographic) shares one backend
 * between several frontends and interprets Ctrl-a escapes (see char-mux.c).
 *
 * All of it runs in the main loop thread with the BQL held.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "util/error.h"
#include "util/opts.h"

typedef struct Chardev Chardev;

typedef enum CharEvent {
    CHR_EVENT_OPENED,   /* a peer connected / the backend is ready */
    CHR_EVENT_CLOSED,   /* the peer went away */
    CHR_EVENT_BREAK,    /* a serial break (Ctrl-a b) */
    CHR_EVENT_MUX_IN,   /* this frontend got the mux focus */
    CHR_EVENT_MUX_OUT,  /* this frontend lost the mux focus */
} CharEvent;

typedef int CharCanRead(void *opaque);
typedef void CharRead(void *opaque, const uint8_t *buf, int len);
typedef void CharEventHandler(void *opaque, CharEvent event);

/* A frontend's attachment to a chardev; embed it in the frontend's state. */
typedef struct CharBackend {
    Chardev *chr;
    int tag;            /* index among a mux's frontends, -1 otherwise */
} CharBackend;

typedef struct ChardevClass {
    const char *name;   /* backend name of -chardev: "stdio", "socket"... */
    const char *help;   /* one line for -chardev help */
    /* Parse options (already split off: id, mux, logfile are taken) and open. */
    bool (*open)(Chardev *chr, Opts *opts, Error **errp);
    /* Write as much as possible without blocking; returns bytes taken or -1. */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    /* The frontend can take more input now: resume reading. */
    void (*accept_input)(Chardev *chr);
    /* A frontend attached or changed its handlers. */
    void (*frontend_changed)(Chardev *chr);
    /* Release fds and watches, restore the terminal. */
    void (*close)(Chardev *chr);
    size_t state_size;  /* size of the backend's struct, which starts with Chardev */
} ChardevClass;

struct Chardev {
    const ChardevClass *klass;
    char *label;        /* the id */
    char *filename;     /* what info chardev shows: "stdio", "pty:/dev/pts/3" */
    bool be_open;       /* the peer is connected (sockets); always true otherwise */
    /* The single frontend (for a mux: the mux's own dispatch). */
    CharCanRead *fe_can_read;
    CharRead *fe_read;
    CharEventHandler *fe_event;
    void *fe_opaque;
    bool fe_attached;
    Chardev *mux;       /* the mux this backend feeds, if any */
};

/* ---- Creating backends ----------------------------------------------------- */

/*
 * -chardev backend,id=ID,...  (opts parsed with implied key "backend"; "help"
 * lists the backends; returns NULL, no error).  With mux=on the backend is
 * "ID-base" and the returned mux is "ID".
 */
Chardev *chardev_new_from_opts(Opts *opts, Error **errp);
/*
 * The short forms of -serial, -monitor, -parallel: "stdio", "null", "none"
 * (returns NULL without error), "vc", "pty", "file:PATH", "pipe:PATH",
 * "tcp:HOST:PORT[,server=on,wait=off,nodelay=on]", "telnet:...",
 * "unix:PATH[,server=on,...]", "mon:DEV" (a mux with a monitor on it; the
 * caller reads *want_monitor), "chardev:ID" (an existing one).
 */
Chardev *chardev_new_legacy(const char *label, const char *spec, bool *want_monitor,
                            Error **errp);
Chardev *chardev_find(const char *label);
/* A label not yet in use ("serial0", "compat_monitor0"). */
char *chardev_unique_label(const char *prefix);
/* Close every chardev (restores the terminal); safe to call more than once. */
void chardev_close_all(void);
/* Call fn for each chardev in creation order (info chardev). */
void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);
/* Text of "-chardev help". */
void chardev_print_backends(GString *out);

/* ---- For backends ---------------------------------------------------------- */

/* How many bytes the frontend takes now (0 if none is attached). */
int chr_be_can_write(Chardev *chr);
/* Deliver input to the frontend (at most chr_be_can_write bytes). */
void chr_be_write(Chardev *chr, const uint8_t *buf, int len);
/* Tell the frontend of an event. */
void chr_be_event(Chardev *chr, CharEvent event);

/* ---- For frontends ---------------------------------------------------------- */

/* Attach to chr; a non-mux chardev takes one frontend ("device 'x' is busy"). */
bool chr_fe_init(CharBackend *be, Chardev *chr, Error **errp);
void chr_fe_deinit(CharBackend *be);
/*
 * Set (or with NULLs clear) the frontend's handlers.  If the chardev is
 * already open the frontend then gets CHR_EVENT_OPENED: at once, or on a
 * mux from the main loop once start-up is done.  On a mux, setting handlers
 * takes the focus (as in QEMU: the serial port, attached after the monitor
 * of -nographic, has it when the guest starts) and the frontends that lose it
 * get CHR_EVENT_MUX_OUT.
 */
void chr_fe_set_handlers(CharBackend *be, CharCanRead *can_read, CharRead *read,
                         CharEventHandler *event, void *opaque);
/* Write without blocking; returns bytes taken (may be fewer than len), or -1. */
int chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
/* Write everything, waiting for the backend if it must (monitor output). */
int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
void chr_fe_printf(CharBackend *be, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void chr_fe_accept_input(CharBackend *be);
/* Give this frontend the focus of its mux (no-op otherwise). */
void chr_fe_take_focus(CharBackend *be);
static inline bool chr_fe_backend_connected(const CharBackend *be)
{
    return be->chr != NULL;
}

/* Register the built-in backends (stdio, null, file, pipe, pty, socket, mux). */
void chardev_register_backends(void);
void chardev_register(const ChardevClass *klass);

/*
 * What "Ctrl-a s" on a mux does: save snapshot disk data back to the image
 * files (the block layer sets it for -snapshot).  NULL: the key does nothing.
 */
void chardev_set_commit_hook(void (*fn)(void));

/* ---- Inside chardev/ only: shared by char.c, the backends and the mux ------- */

extern const ChardevClass char_null_class;
extern const ChardevClass char_stdio_class;
extern const ChardevClass char_file_class;
extern const ChardevClass char_pipe_class;
extern const ChardevClass char_pty_class;
extern const ChardevClass char_socket_class;
extern const ChardevClass char_mux_class;   /* "mux,chardev=ID": wraps ID */

/* Write to chr (and its logfile) without blocking; bytes taken, or -1. */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);
/* Write everything, waiting while the backend is full; bytes written, or -1. */
int chardev_write_all(Chardev *chr, const uint8_t *buf, int len);

/*
 * Input and output over file descriptors from GLib's default context.  Input
 * is read only as far as the frontend takes it; the watch is dropped while it
 * takes nothing and re-armed by char_fdio_resume() (accept_input).
 */
typedef struct CharFdIO {
    Chardev *chr;
    int in_fd;              /* -1: no input */
    int out_fd;             /* -1: output is dropped */
    bool out_is_socket;     /* send() with MSG_NOSIGNAL */
    guint in_tag;           /* the input watch, 0 while paused */
    /* Input ended or failed (NULL: stop reading). */
    void (*eof)(Chardev *chr);
    /* Deliver input (NULL: chr_be_write); len is within chr_be_can_write. */
    void (*input)(Chardev *chr, uint8_t *buf, int len);
} CharFdIO;

void char_fdio_init(CharFdIO *io, Chardev *chr, int in_fd, int out_fd);
void char_fdio_resume(CharFdIO *io);
void char_fdio_pause(CharFdIO *io);
/* Non-blocking write to out_fd: bytes taken, 0 if it is full, -1 on error. */
int char_fdio_write(CharFdIO *io, const uint8_t *buf, int len);

/* The mux side of chr_fe_* (char-mux.c); tag is the frontend's slot. */
bool char_mux_attach(Chardev *mux, CharBackend *be, Error **errp);
void char_mux_detach(Chardev *mux, int tag);
void char_mux_set_handlers(Chardev *mux, int tag, CharCanRead *can_read, CharRead *read,
                           CharEventHandler *event, void *opaque);
void char_mux_set_focus(Chardev *mux, int tag);

#endif
