/*
 * The socket backend: TCP (host=, port=) or a unix socket (path=), as a
 * client that connects at open or as a server (server=on) that serves one
 * client at a time and listens again when it leaves.  A server with wait=on
 * (the default) blocks in open until the first client connects.
 * telnet=on puts a telnet client in character mode and strips the telnet
 * commands it sends (RFC 854).
 */
#include "chardev/char.h"
#include "util/cutils.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

/* Telnet bytes, RFC 854 and RFC 857/858. */
enum {
    TN_SE = 240,
    TN_BRK = 243,
    TN_SB = 250,
    TN_WILL = 251,
    TN_DONT = 254,
    TN_IAC = 255,
    TN_OPT_ECHO = 1,
    TN_OPT_SGA = 3,
    TN_OPT_LINEMODE = 34,
};

typedef enum TelnetState {
    TELNET_DATA,
    TELNET_CR,          /* after CR: a NUL that follows is dropped */
    TELNET_IAC,         /* after IAC */
    TELNET_OPTION,      /* after IAC WILL/WONT/DO/DONT: the option byte */
    TELNET_SUB,         /* inside IAC SB ... IAC SE */
    TELNET_SUB_IAC,
} TelnetState;

typedef struct SocketChardev {
    Chardev parent;
    bool is_unix;
    bool is_server;
    bool telnet;
    bool nodelay;
    char *host, *port;      /* TCP */
    char *path;             /* unix */
    char *listen_name;      /* "tcp:127.0.0.1:4444,server=on" (servers) */
    int listen_fd;
    guint listen_tag;
    int fd;                 /* the connection, -1 if none */
    CharFdIO io;
    guint hangup_idle;      /* disconnect after a failed write */
    TelnetState tn_state;
} SocketChardev;

static const char *socket_server_suffix(SocketChardev *s)
{
    return s->is_server ? ",server=on" : "";
}

/* "host:port" of an address, numeric, IPv6 in brackets. */
static char *socket_addr_str(const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return g_strdup("?:?");
    }
    return strchr(host, ':') ? g_strdup_printf("[%s]:%s", host, serv)
                             : g_strdup_printf("%s:%s", host, serv);
}

static char *socket_local_str(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        return g_strdup("?:?");
    }
    return socket_addr_str((struct sockaddr *)&ss, len);
}

static char *socket_peer_str(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
        return g_strdup("?:?");
    }
    return socket_addr_str((struct sockaddr *)&ss, len);
}

/* What info chardev shows, as QEMU words it. */
static void socket_update_filename(SocketChardev *s)
{
    Chardev *chr = &s->parent;
    g_free(chr->filename);
    if (s->is_unix) {
        chr->filename = g_strdup_printf("%sunix:%s%s", s->fd < 0 ? "disconnected:" : "",
                                        s->path, socket_server_suffix(s));
    } else if (s->fd < 0) {
        chr->filename = s->is_server
            ? g_strdup_printf("disconnected:%s", s->listen_name)
            : g_strdup_printf("disconnected:tcp:%s:%s", s->host, s->port);
    } else {
        g_autofree char *local = socket_local_str(s->fd);
        g_autofree char *peer = socket_peer_str(s->fd);
        chr->filename = g_strdup_printf("tcp:%s%s <-> %s", local,
                                        socket_server_suffix(s), peer);
    }
}

/* ---- Telnet input ---------------------------------------------------------------- */

/* Strip telnet commands from buf and deliver the data (and breaks) in order. */
static void socket_telnet_input(Chardev *chr, uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)chr;
    int out = 0;

    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];
        switch (s->tn_state) {
        case TELNET_CR:
            s->tn_state = TELNET_DATA;
            if (c == 0) {
                break;      /* CR NUL is a bare CR */
            }
            /* fall through */
        case TELNET_DATA:
            if (c == TN_IAC) {
                s->tn_state = TELNET_IAC;
            } else {
                buf[out++] = c;
                if (c == '\r') {
                    s->tn_state = TELNET_CR;
                }
            }
            break;
        case TELNET_IAC:
            s->tn_state = TELNET_DATA;
            if (c == TN_IAC) {
                buf[out++] = c;             /* IAC IAC is a literal 255 */
            } else if (c >= TN_WILL && c <= TN_DONT) {
                s->tn_state = TELNET_OPTION;
            } else if (c == TN_SB) {
                s->tn_state = TELNET_SUB;
            } else if (c == TN_BRK) {
                chr_be_write(chr, buf, out);
                out = 0;
                chr_be_event(chr, CHR_EVENT_BREAK);
            }
            break;
        case TELNET_OPTION:
            s->tn_state = TELNET_DATA;
            break;
        case TELNET_SUB:
            if (c == TN_IAC) {
                s->tn_state = TELNET_SUB_IAC;
            }
            break;
        case TELNET_SUB_IAC:
            s->tn_state = c == TN_SE ? TELNET_DATA : TELNET_SUB;
            break;
        }
    }
    chr_be_write(chr, buf, out);
}

/* We echo and need no go-ahead; line mode off: the client sends each key. */
static void socket_telnet_negotiate(SocketChardev *s)
{
    static const uint8_t nego[] = {
        TN_IAC, TN_WILL, TN_OPT_ECHO,
        TN_IAC, TN_WILL, TN_OPT_SGA,
        TN_IAC, TN_DONT, TN_OPT_LINEMODE,
    };
    if (send(s->fd, nego, sizeof(nego), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        /* a client that cannot take 9 bytes is gone; reading will tell */
    }
}

/* ---- Connection ------------------------------------------------------------------- */

static gboolean socket_accept_ready(gint fd, GIOCondition cond, gpointer opaque);

static void socket_listen_watch(SocketChardev *s)
{
    if (s->listen_fd >= 0 && !s->listen_tag) {
        s->listen_tag = g_unix_fd_add(s->listen_fd, G_IO_IN, socket_accept_ready, s);
    }
}

static void socket_disconnect(SocketChardev *s)
{
    if (s->fd < 0) {
        return;
    }
    char_fdio_pause(&s->io);
    if (s->hangup_idle) {
        g_source_remove(s->hangup_idle);
        s->hangup_idle = 0;
    }
    close(s->fd);
    s->fd = -1;
    socket_update_filename(s);
    chr_be_event(&s->parent, CHR_EVENT_CLOSED);
    socket_listen_watch(s);     /* a server waits for the next client */
}

static void socket_eof(Chardev *chr)
{
    socket_disconnect((SocketChardev *)chr);
}

static gboolean socket_hangup_cb(gpointer opaque)
{
    SocketChardev *s = opaque;
    s->hangup_idle = 0;
    socket_disconnect(s);
    return G_SOURCE_REMOVE;
}

static void socket_connected(SocketChardev *s, int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    if (!s->is_unix && s->nodelay) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    s->tn_state = TELNET_DATA;
    if (s->listen_tag) {
        g_source_remove(s->listen_tag);     /* one client at a time */
        s->listen_tag = 0;
    }
    char_fdio_init(&s->io, &s->parent, fd, fd);
    s->io.out_is_socket = true;
    s->io.eof = socket_eof;
    if (s->telnet) {
        s->io.input = socket_telnet_input;
        socket_telnet_negotiate(s);
    }
    socket_update_filename(s);
    char_fdio_resume(&s->io);
    chr_be_event(&s->parent, CHR_EVENT_OPENED);
}

static gboolean socket_accept_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0) {
        return G_SOURCE_CONTINUE;   /* the client left already, or EINTR */
    }
    if (s->fd >= 0) {
        close(cfd);                 /* cannot happen: the watch is off while connected */
        return G_SOURCE_CONTINUE;
    }
    s->listen_tag = 0;
    socket_connected(s, cfd);
    return G_SOURCE_REMOVE;
}

/* ---- Opening -------------------------------------------------------------------------- */

static bool socket_unix_addr(const char *path, struct sockaddr_un *addr, Error **errp)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return false;
    }
    strcpy(addr->sun_path, path);
    return true;
}

static bool socket_listen(SocketChardev *s, Error **errp)
{
    int fd = -1;

    if (s->is_unix) {
        struct sockaddr_un addr;
        struct stat st;
        if (!socket_unix_addr(s->path, &addr, errp)) {
            return false;
        }
        /* A socket file left by an earlier run would make bind fail. */
        if (stat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
            unlink(s->path);
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s", s->path);
            goto fail;
        }
        s->listen_name = g_strdup_printf("unix:%s,server=on", s->path);
    } else {
        struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM };
        struct addrinfo *res;
        int rc = getaddrinfo(s->host, s->port, &hints, &res);
        if (rc != 0) {
            error_setg(errp, "address resolution failed for %s:%s: %s",
                       s->host, s->port, gai_strerror(rc));
            return false;
        }
        int err = 0;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
                break;
            }
            err = errno;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to bind socket to %s:%s", s->host, s->port);
            return false;
        }
        g_autofree char *local = socket_local_str(fd);
        s->listen_name = g_strdup_printf("tcp:%s,server=on", local);
    }
    s->listen_fd = fd;
    return true;

fail:
    if (fd >= 0) {
        close(fd);
    }
    return false;
}

static bool socket_connect(SocketChardev *s, Error **errp)
{
    int fd = -1, err = 0;

    if (s->is_unix) {
        struct sockaddr_un addr;
        if (!socket_unix_addr(s->path, &addr, errp)) {
            return false;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'", s->path);
            if (fd >= 0) {
                close(fd);
            }
            return false;
        }
    } else {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
        struct addrinfo *res;
        int rc = getaddrinfo(s->host, s->port, &hints, &res);
        if (rc != 0) {
            error_setg(errp, "address resolution failed for %s:%s: %s",
                       s->host, s->port, gai_strerror(rc));
            return false;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                break;
            }
            err = errno;
            if (fd >= 0) {
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to connect to '%s:%s'", s->host, s->port);
            return false;
        }
    }
    socket_connected(s, fd);
    return true;
}

/* A server with wait=on: block until the first client is there. */
static bool socket_wait_client(SocketChardev *s, Error **errp)
{
    info_report("QEMU waiting for connection on: disconnected:%s", s->listen_name);
    for (;;) {
        int cfd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd >= 0) {
            socket_connected(s, cfd);
            return true;
        }
        if (errno != EINTR && errno != ECONNABORTED) {
            error_setg_errno(errp, errno, "Failed to accept a connection on %s",
                             s->listen_name);
            return false;
        }
    }
}

static bool socket_parse(SocketChardev *s, Opts *opts, bool *wait, Error **errp)
{
    bool nowait = false;
    uint64_t reconnect;

    if (!opts_get_bool(opts, "server", false, &s->is_server, errp) ||
        !opts_get_bool(opts, "wait", true, wait, errp) ||
        !opts_get_bool(opts, "nowait", false, &nowait, errp) ||
        !opts_get_bool(opts, "nodelay", false, &s->nodelay, errp) ||
        !opts_get_bool(opts, "telnet", false, &s->telnet, errp) ||
        !opts_get_uint(opts, "reconnect", 0, &reconnect, errp)) {
        return false;
    }
    if (nowait) {
        *wait = false;      /* the old flag form of wait=off */
    }
    if (reconnect) {
        error_setg(errp, "chardev: socket: reconnect is not supported");
        return false;
    }
    const char *path = opts_get(opts, "path");
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");
    if (path) {
        if (host || port) {
            error_setg(errp, "chardev: socket: give either path= or host= and port=");
            return false;
        }
        if (!*path) {
            error_setg(errp, "chardev: socket: empty path");
            return false;
        }
        s->is_unix = true;
        s->path = g_strdup(path);
        return true;
    }
    if (!port || !*port) {
        error_setg(errp, "chardev: socket: no port given");
        return false;
    }
    uint64_t pnum;
    if (!parse_uint64(port, &pnum) || pnum > 65535) {
        error_setg(errp, "chardev: socket: invalid port '%s'", port);
        return false;
    }
    if (!host || !*host) {
        host = s->is_server ? "0.0.0.0" : "localhost";
    }
    s->host = g_strdup(host);
    s->port = g_strdup(port);
    return true;
}

static void socket_close(Chardev *chr);

static bool socket_open(Chardev *chr, Opts *opts, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    bool wait;

    s->fd = -1;
    s->listen_fd = -1;
    chr->be_open = false;
    if (!socket_parse(s, opts, &wait, errp)) {
        goto fail;
    }
    if (!s->is_server) {
        if (!socket_connect(s, errp)) {
            goto fail;
        }
        return true;
    }
    if (!socket_listen(s, errp)) {
        goto fail;
    }
    socket_update_filename(s);
    if (wait && !socket_wait_client(s, errp)) {
        goto fail;
    }
    socket_listen_watch(s);
    return true;

fail:
    socket_close(chr);
    return false;
}

static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (s->fd < 0) {
        return len;     /* no client: output is dropped, as in QEMU */
    }
    int n = char_fdio_write(&s->io, buf, len);
    if (n < 0) {
        /* The peer went away; disconnect outside the frontend's write. */
        if (!s->hangup_idle) {
            s->hangup_idle = g_idle_add(socket_hangup_cb, s);
        }
        return -1;
    }
    return n;
}

static void socket_resume(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (s->fd >= 0) {
        char_fdio_resume(&s->io);
    }
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (s->fd >= 0) {
        char_fdio_pause(&s->io);
        close(s->fd);
        s->fd = -1;
    }
    if (s->hangup_idle) {
        g_source_remove(s->hangup_idle);
        s->hangup_idle = 0;
    }
    if (s->listen_tag) {
        g_source_remove(s->listen_tag);
        s->listen_tag = 0;
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    g_free(s->host);
    g_free(s->port);
    g_free(s->path);
    g_free(s->listen_name);
    s->host = s->port = s->path = s->listen_name = NULL;
}

const ChardevClass char_socket_class = {
    .name = "socket",
    .help = "TCP (host=,port=) or unix (path=) socket; server=on[,wait=off], telnet=on",
    .open = socket_open,
    .write = socket_write,
    .accept_input = socket_resume,
    .frontend_changed = socket_resume,
    .close = socket_close,
    .state_size = sizeof(SocketChardev),
};
