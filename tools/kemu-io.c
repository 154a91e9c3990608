/*
 * kemu-io: run I/O commands on an image through the block layer, with
 * qemu-io's command line and output so tests and benchmarks can drive both.
 *
 *   kemu-io [-f fmt] [-n] [-t cache] [-r] -c "cmd" [-c "cmd"...] file
 *   commands: read [-q] [-P pattern] off len, write [-q] [-P pattern] [-z] off len,
 *             discard [-q] off len, flush
 * The exit status is 1 if a command failed.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "block/block.h"
#include "util/cutils.h"
#include "util/error.h"

typedef struct IoArgs {
    bool quiet;
    bool zero;
    int pattern;            /* -1: none */
    int64_t offset;
    int64_t len;
} IoArgs;

/* qemu-io's length syntax: a number with an optional k/M/G/T suffix. */
static bool io_parse_num(const char *s, int64_t *out)
{
    uint64_t v;
    if (!parse_size(s, 1, &v) || v > INT64_MAX) {
        printf("Parsing error: non-numeric argument, or extraneous/unrecognized "
               "suffix -- %s\n", s);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool io_parse_args(char **argv, int argc, const char *flags, IoArgs *a)
{
    int i = 1;
    a->quiet = a->zero = false;
    a->pattern = -1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        char f = argv[i][1];
        if (!strchr(flags, f) || argv[i][2]) {
            printf("%s: invalid option -- '%s'\n", argv[0], argv[i] + 1);
            return false;
        }
        if (f == 'q') {
            a->quiet = true;
        } else if (f == 'z') {
            a->zero = true;
        } else if (f == 'P') {
            if (++i >= argc) {
                printf("%s: option requires an argument -- 'P'\n", argv[0]);
                return false;
            }
            a->pattern = (int)strtol(argv[i], NULL, 0) & 0xff;
        }
    }
    if (argc - i != 2) {
        printf("bad number of arguments to %s\n", argv[0]);
        return false;
    }
    return io_parse_num(argv[i], &a->offset) && io_parse_num(argv[i + 1], &a->len);
}

static void io_report(const char *verb, const IoArgs *a, gint64 usec)
{
    if (a->quiet) {
        return;
    }
    double sec = usec / 1e6;
    char *size = size_to_str((uint64_t)a->len);
    double rate = sec > 0 ? a->len / sec : 0;
    const char *unit = "bytes";
    if (rate >= 1 << 30) {
        rate /= 1 << 30, unit = "GiB";
    } else if (rate >= 1 << 20) {
        rate /= 1 << 20, unit = "MiB";
    } else if (rate >= 1 << 10) {
        rate /= 1 << 10, unit = "KiB";
    }
    printf("%s %" PRId64 "/%" PRId64 " bytes at offset %" PRId64 "\n", verb, a->len, a->len,
           a->offset);
    printf("%s, 1 ops; %05.2f sec (%.3f %s/sec and %.4f ops/sec)\n", size, sec, rate, unit,
           sec > 0 ? 1 / sec : 0.0);
    g_free(size);
}

static bool io_check_pattern(const uint8_t *buf, const IoArgs *a)
{
    for (int64_t i = 0; i < a->len; i++) {
        if (buf[i] != a->pattern) {
            printf("Pattern verification failed at offset %" PRId64 ", %" PRId64 " bytes\n",
                   a->offset, a->len);
            return false;
        }
    }
    return true;
}

static bool io_run(BlockDriverState *bs, const char *line)
{
    g_auto(GStrv) argv = NULL;
    int argc;
    if (!g_shell_parse_argv(line, &argc, &argv, NULL)) {
        return true;    /* an empty line */
    }
    IoArgs a;
    gint64 t0 = g_get_monotonic_time();
    int ret;
    if (!strcmp(argv[0], "flush")) {
        ret = blk_flush(bs);
        if (ret < 0) {
            printf("flush failed: %s\n", g_strerror(-ret));
        }
        return ret >= 0;
    }
    if (!strcmp(argv[0], "read")) {
        if (!io_parse_args(argv, argc, "qP", &a)) {
            return false;
        }
        uint8_t *buf = g_try_malloc(a.len ? a.len : 1);
        if (!buf) {
            printf("read failed: %s\n", g_strerror(ENOMEM));
            return false;
        }
        ret = blk_pread(bs, a.offset, buf, a.len);
        bool ok = ret >= 0;
        if (!ok) {
            printf("read failed: %s\n", g_strerror(-ret));
        } else {
            ok = a.pattern < 0 || io_check_pattern(buf, &a);
            io_report("read", &a, g_get_monotonic_time() - t0);
        }
        g_free(buf);
        return ok;
    }
    if (!strcmp(argv[0], "write")) {
        if (!io_parse_args(argv, argc, "qPz", &a)) {
            return false;
        }
        if (a.zero) {
            ret = blk_pwrite_zeroes(bs, a.offset, a.len, 0);
        } else {
            uint8_t *buf = g_try_malloc(a.len ? a.len : 1);
            if (!buf) {
                printf("write failed: %s\n", g_strerror(ENOMEM));
                return false;
            }
            memset(buf, a.pattern >= 0 ? a.pattern : 0xcd, a.len);
            ret = blk_pwrite(bs, a.offset, buf, a.len);
            g_free(buf);
        }
        if (ret < 0) {
            printf("write failed: %s\n", g_strerror(-ret));
            return false;
        }
        io_report("wrote", &a, g_get_monotonic_time() - t0);
        return true;
    }
    if (!strcmp(argv[0], "discard")) {
        if (!io_parse_args(argv, argc, "q", &a)) {
            return false;
        }
        ret = blk_pdiscard(bs, a.offset, a.len);
        if (ret < 0) {
            printf("discard failed: %s\n", g_strerror(-ret));
            return false;
        }
        io_report("discard", &a, g_get_monotonic_time() - t0);
        return true;
    }
    fprintf(stderr, "command \"%s\" not found\n", argv[0]);
    return false;
}

static void io_usage(void)
{
    printf("Usage: kemu-io [-f fmt] [-n] [-t cache] [-r] -c \"command\" ... file\n"
           "commands: read [-q] [-P pattern] off len | write [-q] [-P pattern] [-z] off len\n"
           "          discard [-q] off len | flush\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "cmd", required_argument, NULL, 'c' },
        { "format", required_argument, NULL, 'f' },
        { "read-only", no_argument, NULL, 'r' },
        { "nocache", no_argument, NULL, 'n' },
        { "cache", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    int flags = BDRV_O_RDWR;
    GPtrArray *cmds = g_ptr_array_new();
    int c;
    Error *err = NULL;

    error_set_progname("kemu-io");
    while ((c = getopt_long(argc, argv, "hc:f:rnt:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': g_ptr_array_add(cmds, optarg); break;
        case 'f': fmt = optarg; break;
        case 'r': flags &= ~BDRV_O_RDWR; break;
        case 'n': flags |= BDRV_O_NOCACHE; break;
        case 't':
            if (!bdrv_parse_cache_mode(optarg, &flags, &err)) {
                error_report_err(err);
                return 1;
            }
            break;
        case 'h':
            io_usage();
            return 0;
        default:
            io_usage();
            return 1;
        }
    }
    if (optind != argc - 1) {
        io_usage();
        return 1;
    }
    BlockDriverState *bs = bdrv_open(argv[optind], fmt, flags, &err);
    if (!bs) {
        error_report("can't open device %s: %s", argv[optind], error_get_pretty(err));
        error_free(err);
        return 1;
    }
    bool ok = true;
    for (guint i = 0; i < cmds->len; i++) {
        ok &= io_run(bs, g_ptr_array_index(cmds, i));   /* qemu-io goes on after a failure */
    }
    g_ptr_array_free(cmds, true);
    bdrv_unref(bs);
    return ok ? 0 : 1;
}
