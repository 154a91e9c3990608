/*
 * kemu-img: create, inspect, check and convert disk images.  The command
 * names, options, output and exit codes follow qemu-img's, so scripts
 * written for one work with the other.  This file has the dispatcher, the
 * shared helpers and create, info and check; img-convert.c has convert,
 * compare, map and measure; img-misc.c snapshot, resize, commit and rebase.
 */
#include "tools/kemu-img.h"
#include "util/cutils.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- Shared helpers ---------------------------------------------------------- */

BlockDriverState *img_open(const char *filename, const char *fmt, int flags)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(filename, fmt, flags, &err);
    if (!bs) {
        error_report("Could not open '%s': %s", filename, error_get_pretty(err));
        error_free(err);
    }
    return bs;
}

bool img_parse_size(const char *str, int64_t *size)
{
    uint64_t v;
    if (!parse_size(str, 1, &v) || v > INT64_MAX) {
        error_report("Invalid image size specified. You may use k, M, G, T, P or E "
                     "suffixes for ");
        error_report("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
        return false;
    }
    *size = (int64_t)v;
    return true;
}

void img_add_options(char **options, const char *more)
{
    char *joined = *options ? g_strconcat(*options, ",", more, NULL) : g_strdup(more);
    g_free(*options);
    *options = joined;
}

bool img_parse_output(const char *arg, bool *json)
{
    if (!strcmp(arg, "json")) {
        *json = true;
    } else if (!strcmp(arg, "human")) {
        *json = false;
    } else {
        error_report("--output must be used with human or json as argument.");
        return false;
    }
    return true;
}

int img_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s", msg);
    g_free(msg);
    error_report("Try 'kemu-img --help' for more information");
    return IMG_EXIT_ERROR;
}

bool img_parse_cache(const char *mode, int *flags)
{
    Error *err = NULL;
    if (!bdrv_parse_cache_mode(mode, flags, &err)) {
        error_report("Invalid cache option: %s", mode);
        error_free(err);
        return false;
    }
    return true;
}

static double progress_last = -1;

void img_progress(bool enabled, double done, double total)
{
    double pct = total > 0 ? done * 100.0 / total : 100.0;
    /* Only when the shown value changes, as a terminal redraw is not free. */
    if (enabled && (int)(pct * 100) != (int)(progress_last * 100)) {
        printf("    (%3.2f/100%%)\r", pct);
        fflush(stdout);
        progress_last = pct;
    }
}

void img_progress_end(bool enabled)
{
    if (enabled) {
        if (progress_last < 100.0) {
            printf("    (100.00/100%%)\r");
        }
        printf("\n");
        fflush(stdout);
    }
}

/* ---- create -------------------------------------------------------------------- */

static bool opt_known(const char *const *help, const char *key)
{
    for (int i = 0; help && help[i]; i += 2) {
        if (!strcmp(help[i], key)) {
            return true;
        }
    }
    /* Accepted so the driver can refuse them with a reason. */
    static const char *const refused[] = {
        "encryption", "encrypt.format", "data_file", "extended_l2", "compression_type", NULL
    };
    for (int i = 0; refused[i]; i++) {
        if (!strcmp(refused[i], key)) {
            return true;
        }
    }
    return false;
}

typedef struct CreateCheck {
    const char *const *help;
    char *bad;
} CreateCheck;

static bool create_check_key(void *opaque, const char *key, const char *value, Error **errp)
{
    CreateCheck *c = opaque;
    if (!opt_known(c->help, key) && !c->bad) {
        c->bad = g_strdup(key);
    }
    return true;
}

static void print_create_options(const char *fmt)
{
    const char *const *help = bdrv_create_options_help(fmt);
    printf("Supported options:\n");
    for (int i = 0; help && help[i]; i += 2) {
        printf("  %-16s - %s\n", help[i], help[i + 1]);
    }
}

/* The "Formatting ..." line, with the options in qemu-img's order. */
static void print_formatting(const char *fmt, const char *filename, int64_t size, Opts *o)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "Formatting '%s', fmt=%s ", filename, fmt);
    const char *prealloc = opts_has(o, "preallocation") ? opts_get(o, "preallocation") : NULL;
    if (!strcmp(fmt, "qcow2")) {
        uint64_t cs = 65536, rb = 16;
        bool lazy = false;
        opts_get_size(o, "cluster_size", 65536, &cs, NULL);
        opts_get_uint(o, "refcount_bits", 16, &rb, NULL);
        opts_get_bool(o, "lazy_refcounts", false, &lazy, NULL);
        if (opts_has(o, "encryption")) {
            g_string_append_printf(s, "encryption=%s ", opts_get(o, "encryption"));
        }
        g_string_append_printf(s, "cluster_size=%" PRIu64 " extended_l2=off ", cs);
        if (prealloc) {
            g_string_append_printf(s, "preallocation=%s ", prealloc);
        }
        g_string_append_printf(s, "compression_type=zlib size=%" PRId64, size);
        if (opts_has(o, "compat")) {
            g_string_append_printf(s, " compat=%s", opts_get(o, "compat"));
        }
        if (opts_has(o, "backing_file")) {
            g_string_append_printf(s, " backing_file=%s", opts_get(o, "backing_file"));
        }
        if (opts_has(o, "backing_fmt")) {
            g_string_append_printf(s, " backing_fmt=%s", opts_get(o, "backing_fmt"));
        }
        g_string_append_printf(s, " lazy_refcounts=%s refcount_bits=%" PRIu64,
                               lazy ? "on" : "off", rb);
    } else {
        g_string_append_printf(s, "size=%" PRId64, size);
        if (prealloc) {
            g_string_append_printf(s, " preallocation=%s", prealloc);
        }
    }
    printf("%s\n", s->str);
    fflush(stdout);
    g_string_free(s, true);
}

/* Drop the "used" marks print_formatting left, so the driver sees every key. */
static Opts *opts_reparse(const char *options)
{
    return options ? opts_parse(options, NULL, NULL) : opts_new();
}

int img_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, 'O' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = "raw", *backing = NULL, *backing_fmt = NULL;
    char *options = NULL;
    bool quiet = false, unsafe = false;
    int c;
    while ((c = getopt_long(argc, argv, ":F:b:f:ho:qu", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'b': backing = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'o': img_add_options(&options, optarg); break;
        case 'q': quiet = true; break;
        case 'u': unsafe = true; break;
        case 'h':
            printf("Usage: kemu-img create [-f fmt] [-b backing_file [-F backing_fmt]] [-u] "
                   "[-o options] filename [size]\n");
            return 0;
        case ':': return img_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return img_usage_error("unrecognized option '%s'", argv[optind - 1]);
        }
    }
    int ret = IMG_EXIT_ERROR;
    if (options && (!strcmp(options, "help") || !strcmp(options, "?"))) {
        if (!bdrv_format_known(fmt)) {
            error_report("Unknown file format '%s'", fmt);
            goto out;
        }
        print_create_options(fmt);
        ret = 0;
        goto out;
    }
    if (optind >= argc) {
        ret = img_usage_error("Expecting image file name");
        goto out;
    }
    const char *filename = argv[optind++];
    int64_t size = -1;
    if (optind < argc && !img_parse_size(argv[optind++], &size)) {
        goto out;
    }
    if (optind < argc) {
        ret = img_usage_error("Unexpected argument: %s", argv[optind]);
        goto out;
    }
    if (!bdrv_format_known(fmt)) {
        error_report("Unknown file format '%s'", fmt);
        goto out;
    }
    Error *err = NULL;
    Opts *o = options ? opts_parse(options, NULL, &err) : opts_new();
    if (!o) {
        error_report("Invalid options for file format '%s': %s", fmt, error_get_pretty(err));
        error_free(err);
        goto out;
    }
    if (backing) {
        opts_set(o, "backing_file", backing);
    }
    if (backing_fmt) {
        opts_set(o, "backing_fmt", backing_fmt);
    }
    CreateCheck check = { .help = bdrv_create_options_help(fmt) };
    opts_foreach(o, create_check_key, &check, NULL);
    if (check.bad) {
        error_report("%s: Invalid parameter '%s'", filename, check.bad);
        g_free(check.bad);
        opts_free(o);
        goto out;
    }
    const char *bf = opts_has(o, "backing_file") ? opts_get(o, "backing_file") : NULL;
    if (bf && !opts_has(o, "backing_fmt")) {
        /* As qemu-img: a guessed backing format is named, but not trusted. */
        char *path = bdrv_backing_path(filename, bf);
        BlockDriverState *probe = bdrv_open(path, NULL, BDRV_O_NO_BACKING, NULL);
        g_free(path);
        error_report("%s: Backing file specified without backing format", filename);
        if (probe) {
            fprintf(stderr, "Detected format of %s.\n", bdrv_get_format_name(probe));
            bdrv_unref(probe);
        }
        opts_free(o);
        goto out;
    }
    if (size < 0 && bf && !unsafe) {
        /* Like qemu-img, the size comes from the backing image and is printed. */
        const char *bfmt = opts_has(o, "backing_fmt") ? opts_get(o, "backing_fmt") : NULL;
        char *path = bdrv_backing_path(filename, bf);
        BlockDriverState *bbs = bdrv_open(path, bfmt, BDRV_O_NO_BACKING, &err);
        g_free(path);
        if (!bbs) {
            error_report("%s: Could not open backing image: %s", filename,
                         error_get_pretty(err));
            error_free(err);
            opts_free(o);
            goto out;
        }
        size = blk_getlength(bbs);
        bdrv_unref(bbs);
    }
    if (size < 0) {
        error_report("%s: Image creation needs a size parameter", filename);
        opts_free(o);
        goto out;
    }
    if (!quiet) {
        print_formatting(fmt, filename, (size + 511) / 512 * 512, o);
    }
    opts_free(o);
    o = opts_reparse(options);
    if (backing) {
        opts_set(o, "backing_file", backing);
    }
    if (backing_fmt) {
        opts_set(o, "backing_fmt", backing_fmt);
    }
    if (unsafe && bf) {
        opts_set(o, "backing_unsafe", "on");   /* -u: the backing file is not opened */
    }
    if (!bdrv_create(fmt, filename, size, o, &err)) {
        error_report("%s: %s", filename, error_get_pretty(err));
        error_free(err);
    } else {
        ret = 0;
    }
    opts_free(o);
out:
    g_free(options);
    return ret;
}

/* ---- info ------------------------------------------------------------------------- */

static void info_human(const ImageInfo *info)
{
    char *vsize = size_to_str(info->virtual_size);
    printf("image: %s\n", info->filename);
    printf("file format: %s\n", info->format);
    printf("virtual size: %s (%" PRId64 " bytes)\n", vsize, info->virtual_size);
    g_free(vsize);
    if (info->actual_size >= 0) {
        char *dsize = size_to_str(info->actual_size);
        printf("disk size: %s\n", dsize);
        g_free(dsize);
    }
    if (info->cluster_size) {
        printf("cluster_size: %" PRId64 "\n", info->cluster_size);
    }
    if (info->has_dirty_flag && info->dirty_flag) {
        printf("cleanly shut down: no\n");
    }
    if (info->backing_filename) {
        printf("backing file: %s", info->backing_filename);
        if (strcmp(info->backing_filename, info->full_backing_filename)) {
            printf(" (actual path: %s)", info->full_backing_filename);
        }
        printf("\n");
        if (info->backing_format) {
            printf("backing file format: %s\n", info->backing_format);
        }
    }
    if (info->nb_snapshots) {
        img_print_snapshots(info->snapshots, info->nb_snapshots);
    }
    if (info->specific_type) {
        printf("Format specific information:\n");
        for (int i = 0; i < info->nb_specific; i++) {
            const ImageInfoSpecific *sp = &info->specific[i];
            printf("    %s: ", sp->human_key);
            if (sp->kind == INFO_STR) {
                printf("%s\n", sp->str);
            } else if (sp->kind == INFO_BOOL) {
                printf("%s\n", sp->b ? "true" : "false");
            } else {
                printf("%" PRId64 "\n", sp->i);
            }
        }
    }
}

static void info_json(JsonOut *j, const ImageInfo *info)
{
    json_open(j, NULL, '{');
    if (info->backing_format) {
        json_str(j, "backing-filename-format", info->backing_format);
    }
    if (info->nb_snapshots) {
        json_open(j, "snapshots", '[');
        for (int i = 0; i < info->nb_snapshots; i++) {
            const BlockSnapshotInfo *sn = &info->snapshots[i];
            json_open(j, NULL, '{');
            if (sn->icount >= 0) {
                json_int(j, "icount", sn->icount);
            }
            json_int(j, "vm-clock-nsec", sn->vm_clock_nsec % 1000000000);
            json_str(j, "name", sn->name);
            json_int(j, "date-sec", sn->date_sec);
            json_int(j, "date-nsec", sn->date_nsec);
            json_int(j, "vm-clock-sec", sn->vm_clock_nsec / 1000000000);
            json_str(j, "id", sn->id);
            json_int(j, "vm-state-size", sn->vm_state_size);
            json_close(j, '}');
        }
        json_close(j, ']');
    }
    json_int(j, "virtual-size", info->virtual_size);
    json_str(j, "filename", info->filename);
    if (info->cluster_size) {
        json_int(j, "cluster-size", info->cluster_size);
    }
    json_str(j, "format", info->format);
    if (info->actual_size >= 0) {
        json_int(j, "actual-size", info->actual_size);
    }
    if (info->specific_type) {
        json_open(j, "format-specific", '{');
        json_str(j, "type", info->specific_type);
        json_open(j, "data", '{');
        for (int i = 0; i < info->nb_specific; i++) {
            const ImageInfoSpecific *sp = &info->specific[i];
            if (sp->kind == INFO_STR) {
                json_str(j, sp->json_key, sp->str);
            } else if (sp->kind == INFO_BOOL) {
                json_bool(j, sp->json_key, sp->b);
            } else {
                json_int(j, sp->json_key, sp->i);
            }
        }
        json_close(j, '}');
        json_close(j, '}');
    }
    if (info->backing_filename) {
        json_str(j, "full-backing-filename", info->full_backing_filename);
        json_str(j, "backing-filename", info->backing_filename);
    }
    json_bool(j, "dirty-flag", info->has_dirty_flag && info->dirty_flag);
    json_close(j, '}');
}

int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "backing-chain", no_argument, NULL, 'c' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    bool json = false, chain = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o':
            if (!img_parse_output(optarg, &json)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'c': chain = true; break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img info [-f fmt] [--output=human|json] [--backing-chain] "
                   "filename\n");
            return 0;
        case ':': return img_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return img_usage_error("unrecognized option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    BlockDriverState *top = img_open(argv[optind], fmt, chain ? 0 : BDRV_O_NO_BACKING);
    if (!top) {
        return IMG_EXIT_ERROR;
    }
    JsonOut j = { .f = stdout };
    if (json && chain) {
        json_open(&j, NULL, '[');
    }
    int ret = 0;
    for (BlockDriverState *bs = top; bs; bs = chain ? bdrv_get_backing(bs) : NULL) {
        Error *err = NULL;
        ImageInfo *info = bdrv_get_image_info(bs, &err);
        if (!info) {
            error_report_err(err);
            ret = IMG_EXIT_ERROR;
            break;
        }
        if (json) {
            info_json(&j, info);
        } else {
            if (bs != top) {
                printf("\n");
            }
            info_human(info);
        }
        bdrv_image_info_free(info);
    }
    if (json && chain) {
        json_close(&j, ']');
    }
    bdrv_unref(top);
    return ret;
}

/* ---- check ------------------------------------------------------------------------------ */

static void check_human(const BdrvCheckResult *r)
{
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            printf("\n%d errors were found on the image.\nData may be corrupted, or further "
                   "writes to the image may corrupt it.\n", r->corruptions);
        }
        if (r->leaks) {
            printf("\n%d leaked clusters were found on the image.\nThis means waste of disk "
                   "space, but no harm to data.\n", r->leaks);
        }
        if (r->check_errors) {
            printf("\n%d internal errors have occurred during the check.\n", r->check_errors);
        }
    }
    if (r->total_clusters && r->allocated_clusters) {
        printf("%" PRId64 "/%" PRId64 " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% "
               "compressed clusters\n", r->allocated_clusters, r->total_clusters,
               r->allocated_clusters * 100.0 / r->total_clusters,
               r->fragmented_clusters * 100.0 / r->allocated_clusters,
               r->compressed_clusters * 100.0 / r->allocated_clusters);
    }
    if (r->image_end_offset > 0) {
        printf("Image end offset: %" PRId64 "\n", r->image_end_offset);
    }
}

static void check_json(const BdrvCheckResult *r, const char *filename, const char *fmt)
{
    JsonOut j = { .f = stdout };
    json_open(&j, NULL, '{');
    if (r->image_end_offset > 0) {
        json_int(&j, "image-end-offset", r->image_end_offset);
    }
    json_int(&j, "total-clusters", r->total_clusters);
    if (r->corruptions) {
        json_int(&j, "corruptions", r->corruptions);
    }
    json_int(&j, "check-errors", r->check_errors);
    if (r->leaks) {
        json_int(&j, "leaks", r->leaks);
    }
    if (r->corruptions_fixed) {
        json_int(&j, "corruptions-fixed", r->corruptions_fixed);
    }
    if (r->leaks_fixed) {
        json_int(&j, "leaks-fixed", r->leaks_fixed);
    }
    if (r->allocated_clusters) {
        json_int(&j, "allocated-clusters", r->allocated_clusters);
    }
    if (r->fragmented_clusters) {
        json_int(&j, "fragmented-clusters", r->fragmented_clusters);
    }
    if (r->compressed_clusters) {
        json_int(&j, "compressed-clusters", r->compressed_clusters);
    }
    json_str(&j, "filename", filename);
    json_str(&j, "format", fmt);
    json_close(&j, '}');
}

int img_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "repair", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, 'o' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    bool json = false, quiet = false;
    BdrvCheckMode fix = BDRV_FIX_NONE;
    int flags = BDRV_O_CHECK | BDRV_O_NO_BACKING;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hqr:T:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'r':
            flags |= BDRV_O_RDWR;
            if (!strcmp(optarg, "leaks")) {
                fix = BDRV_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
            } else {
                return img_usage_error("Unknown option value for -r (expecting 'leaks' or "
                                       "'all'): %s", optarg);
            }
            break;
        case 'o':
            if (!img_parse_output(optarg, &json)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'q': quiet = true; break;
        case 'T':
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img check [-f fmt] [--output=human|json] [-r leaks|all] "
                   "filename\n");
            return 0;
        case ':': return img_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return img_usage_error("unrecognized option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    const char *filename = argv[optind];
    BlockDriverState *bs = img_open(filename, fmt, flags);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    BdrvCheckResult r;
    int ret = bdrv_check(bs, &r, fix);
    if (ret == -ENOTSUP) {
        error_report("This image format does not support checks");
        bdrv_unref(bs);
        return 63;
    }
    if (ret < 0) {
        error_report("Check failed: %s", strerror(-ret));
        bdrv_unref(bs);
        return IMG_EXIT_ERROR;
    }
    if (r.corruptions_fixed || r.leaks_fixed) {
        BdrvCheckResult first = r;
        if (!json && !quiet) {
            printf("The following inconsistencies were found and repaired:\n\n"
                   "    %d leaked clusters\n    %d corruptions\n\n"
                   "Double checking the fixed image now...\n", r.leaks_fixed,
                   r.corruptions_fixed);
        }
        ret = bdrv_check(bs, &r, BDRV_FIX_NONE);
        r.leaks_fixed = first.leaks_fixed;
        r.corruptions_fixed = first.corruptions_fixed;
    }
    if (!quiet) {
        if (json) {
            check_json(&r, filename, bdrv_get_format_name(bs));
        } else {
            check_human(&r);
        }
    }
    bdrv_unref(bs);
    if (ret < 0 || r.check_errors) {
        return IMG_EXIT_ERROR;
    }
    return r.corruptions ? 2 : r.leaks ? 3 : 0;
}

/* ---- Dispatcher ---------------------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *syntax;
} img_commands[] = {
    { "check", img_check, "check [-f fmt] [--output=ofmt] [-r [leaks | all]] filename" },
    { "commit", img_commit, "commit [-f fmt] [-t cache] [-d] [-p] filename" },
    { "compare", img_compare, "compare [-f fmt] [-F fmt] [-p] [-q] [-s] filename1 filename2" },
    { "convert", img_convert, "convert [-c] [-p] [-q] [-n] [-f fmt] [-t cache] [-T src_cache] "
      "[-O output_fmt] [-o options] [-S sparse_size] filename [filename2 [...]] "
      "output_filename" },
    { "create", img_create, "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] "
      "[-o options] filename [size]" },
    { "info", img_info, "info [-f fmt] [--output=ofmt] [--backing-chain] filename" },
    { "map", img_map, "map [-f fmt] [--output=ofmt] [--start-offset=offset] "
      "[--max-length=len] filename" },
    { "measure", img_measure, "measure [--output=ofmt] [-O output_fmt] [-o options] "
      "[--size N | [-f fmt] filename]" },
    { "snapshot", img_snapshot, "snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] "
      "[-f fmt] filename" },
    { "rebase", img_rebase, "rebase [-f fmt] [-t cache] [-T src_cache] [-p] [-q] [-u] "
      "-b backing_file [-F backing_fmt] filename" },
    { "resize", img_resize, "resize [-f fmt] [--preallocation=prealloc] [-q] [--shrink] "
      "filename [+ | -]size" },
};

static void img_help(void)
{
    printf("kemu-img version " KEMU_VERSION "\n"
           "usage: kemu-img [standard options] command [command options]\n"
           "Disk image utility for kemu (options and output follow qemu-img)\n\n"
           "    '-h', '--help'       display this help and exit\n"
           "    '-V', '--version'    output version information and exit\n\n"
           "Command syntax:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(img_commands); i++) {
        printf("  %s\n", img_commands[i].syntax);
    }
    printf("\nSupported formats: qcow2 raw\n");
}

int main(int argc, char **argv)
{
    error_set_progname("kemu-img");
    if (argc < 2) {
        return img_usage_error("Not enough arguments");
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        img_help();
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("kemu-img version " KEMU_VERSION "\n");
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(img_commands); i++) {
        if (!strcmp(cmd, img_commands[i].name)) {
            return img_commands[i].fn(argc - 1, argv + 1);
        }
    }
    error_report("Command not found: %s", cmd);
    return IMG_EXIT_ERROR;
}
