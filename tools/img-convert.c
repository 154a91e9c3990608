/*
 * kemu-img commands that walk whole images: convert (sparse, optionally
 * compressed), compare, map and measure.
 */
#include "tools/kemu-img.h"
#include "util/cutils.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Bytes moved per request. */
#define IMG_CHUNK (2 << 20)

static int usage_fail(int c, char **argv)
{
    if (c == ':') {
        return img_usage_error("option '%s' needs an argument", argv[optind - 1]);
    }
    return img_usage_error("unrecognized option '%s'", argv[optind - 1]);
}

/* ---- convert -------------------------------------------------------------------- */

typedef struct ConvertSource {
    BlockDriverState *bs;
    int64_t len;
    int64_t start;      /* offset in the concatenated input */
} ConvertSource;

/*
 * Copy one source into out at base.  Ranges the source chain reads as zeros
 * are skipped (a new target reads zeros there) or zeroed (-n); data is
 * written in sparse_size pieces, skipping the all-zero ones.
 */
static int convert_one(ConvertSource *src, BlockDriverState *out, bool target_is_zero,
                       bool top_only, bool compress, int64_t sparse_size, int64_t granule,
                       bool progress, int64_t *done, int64_t total, uint8_t *buf)
{
    for (int64_t off = 0; off < src->len;) {
        int64_t chunk = MIN(IMG_CHUNK, src->len - off);
        int64_t pnum;
        int depth;
        /*
         * -B: the target's backing file stands for the source's, so only what
         * the source's top layer decides is copied (as qemu-img does).
         */
        int st = top_only ? blk_block_status(src->bs, off, chunk, &pnum, NULL, NULL)
                          : blk_block_status_above(src->bs, off, chunk, &pnum, NULL, NULL,
                                                   &depth);
        if (st < 0) {
            error_report("error while reading block status at offset %" PRId64 ": %s",
                         off, strerror(-st));
            return st;
        }
        /* Whole granules only, so a compressed cluster is never split. */
        if (off + pnum < src->len) {
            if (pnum >= granule) {
                pnum -= pnum % granule;
            } else {
                pnum = MIN(granule, src->len - off);
                st = BDRV_BLOCK_DATA;   /* mixed: read it, zeros are found below */
            }
        }
        int64_t dst = src->start + off;
        int ret = 0;
        if (top_only && st == 0) {
            /* Unallocated in the top layer: the target's backing file has it. */
        } else if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA)) {
            if (!target_is_zero) {
                ret = blk_pwrite_zeroes(out, dst, pnum, BDRV_REQ_MAY_UNMAP);
            }
        } else {
            ret = blk_pread(src->bs, off, buf, pnum);
            if (ret < 0) {
                error_report("error while reading at byte %" PRId64 ": %s", off,
                             strerror(-ret));
                return ret;
            }
            /* Runs of pieces that are all data, or all zeros, go out as one request. */
            for (int64_t p = 0; p < pnum && ret >= 0;) {
                int64_t step = compress ? granule : MAX(sparse_size, 512);
                int64_t n = MIN(step, pnum - p);
                bool zero = buffer_is_zero(buf + p, n);
                if (!compress) {
                    while (p + n < pnum &&
                           buffer_is_zero(buf + p + n, MIN(step, pnum - p - n)) == zero) {
                        n += MIN(step, pnum - p - n);
                    }
                }
                if (zero) {
                    if (!target_is_zero) {
                        ret = blk_pwrite_zeroes(out, dst + p, n, BDRV_REQ_MAY_UNMAP);
                    }
                } else if (compress) {
                    ret = blk_pwrite_compressed(out, dst + p, buf + p, n);
                } else {
                    ret = blk_pwrite(out, dst + p, buf + p, n);
                }
                p += n;
            }
        }
        if (ret < 0) {
            error_report("error while writing at byte %" PRId64 ": %s", dst, strerror(-ret));
            return ret;
        }
        off += pnum;
        *done += pnum;
        img_progress(progress, *done, total);
    }
    return 0;
}

/* -l: "snapshot.id=x,snapshot.name=y", or an ID or name alone (ID first). */
static bool convert_load_snapshot(BlockDriverState *bs, const char *param)
{
    Error *err = NULL;
    bool ok;
    if (g_str_has_prefix(param, "snapshot.id=") || g_str_has_prefix(param, "snapshot.name=")) {
        Opts *o = opts_parse(param, NULL, &err);
        ok = o && bdrv_snapshot_load_tmp(bs, opts_get(o, "snapshot.id"),
                                         opts_get(o, "snapshot.name"), &err);
        if (o && ok && !opts_check_unused(o, &err)) {
            ok = false;
        }
        opts_free(o);
    } else {
        ok = bdrv_snapshot_load_tmp(bs, param, NULL, NULL) ||
             bdrv_snapshot_load_tmp(bs, NULL, param, &err);
    }
    if (!ok) {
        error_report("Failed to load snapshot: %s", error_get_pretty(err));
        error_free(err);
    }
    return ok;
}

int img_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *out_fmt = "raw";
    const char *out_backing = NULL, *out_backing_fmt = NULL, *snapshot = NULL;
    char *options = NULL;
    bool compress = false, progress = false, quiet = false, no_create = false;
    int64_t sparse_size = 4096;
    int cache = 0, src_cache = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hf:O:B:F:l:co:S:pqnt:T:UWm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'B': out_backing = optarg; break;
        case 'F': out_backing_fmt = optarg; break;
        case 'l': snapshot = optarg; break;
        case 'c': compress = true; break;
        case 'o': img_add_options(&options, optarg); break;
        case 'S':
            if (!img_parse_size(optarg, &sparse_size) || sparse_size % 512) {
                g_free(options);
                error_report("Invalid buffer size for sparse output specified. Valid sizes "
                             "are multiples of 512 up to 16M.");
                return IMG_EXIT_ERROR;
            }
            break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'n': no_create = true; break;
        case 't':
        case 'T':
            if (!img_parse_cache(optarg, c == 't' ? &cache : &src_cache)) {
                g_free(options);
                return IMG_EXIT_ERROR;
            }
            break;
        case 'U':
        case 'W':
        case 'm': break;
        case 'h':
            printf("Usage: kemu-img convert [-c] [-p] [-n] [-f fmt] [-O output_fmt] "
                   "[-B backing_file [-F backing_fmt]] [-o options] [-l snapshot_param] "
                   "[-S sparse_size] filename [filename2 [...]] output\n");
            return 0;
        default:
            g_free(options);
            return usage_fail(c, argv);
        }
    }
    if (quiet) {
        progress = false;
    }
    if (argc - optind < 2) {
        g_free(options);
        return img_usage_error("Must specify image file name");
    }
    int nsrc = argc - optind - 1;
    const char *out_name = argv[argc - 1];
    if (out_backing && strcmp(out_fmt, "qcow2")) {
        g_free(options);
        error_report("Backing file not supported for file format '%s'", out_fmt);
        return IMG_EXIT_ERROR;
    }
    if (out_backing && !out_backing_fmt) {
        g_free(options);
        error_report("Use of backing file requires explicit backing format");
        return IMG_EXIT_ERROR;
    }
    if (snapshot && nsrc > 1) {
        g_free(options);
        error_report("No support for concatenating multiple snapshot");
        return IMG_EXIT_ERROR;
    }
    ConvertSource *src = g_new0(ConvertSource, nsrc);
    int64_t total = 0;
    int ret = IMG_EXIT_ERROR;
    BlockDriverState *out = NULL;
    uint8_t *buf = NULL;
    for (int i = 0; i < nsrc; i++) {
        src[i].bs = img_open(argv[optind + i], fmt, src_cache);
        if (!src[i].bs || (snapshot && !convert_load_snapshot(src[i].bs, snapshot))) {
            goto out;
        }
        src[i].len = blk_getlength(src[i].bs);
        src[i].start = total;
        total += src[i].len;
    }
    if (!no_create) {
        Error *err = NULL;
        Opts *o = options ? opts_parse(options, NULL, &err) : opts_new();
        if (o && out_backing) {
            opts_set(o, "backing_file", out_backing);
            opts_set(o, "backing_fmt", out_backing_fmt);
        }
        if (!o || !bdrv_create(out_fmt, out_name, total, o, &err)) {
            error_report("%s: %s", out_name, error_get_pretty(err));
            error_free(err);
            opts_free(o);
            goto out;
        }
        opts_free(o);
    } else if (options) {
        error_report("-o has no effect when skipping image creation");
        goto out;
    }
    out = img_open(out_name, out_fmt, BDRV_O_RDWR | cache);
    if (!out) {
        goto out;
    }
    if (compress && !bdrv_supports_compression(out)) {
        error_report("Compression not supported for this file format");
        goto out;
    }
    if (no_create && blk_getlength(out) < total) {
        error_report("Output image is too small (%" PRId64 " bytes, need %" PRId64 ")",
                     blk_getlength(out), total);
        goto out;
    }
    /* A fresh image without a backing file already reads as zeros. */
    bool target_is_zero = !no_create && !bdrv_get_backing(out);
    int64_t granule = MAX(bdrv_get_cluster_size(out), 512);
    if (!compress) {
        granule = 512;
    }
    buf = g_malloc(IMG_CHUNK + granule);
    int64_t done = 0;
    img_progress(progress, 0, total);
    for (int i = 0; i < nsrc; i++) {
        if (convert_one(&src[i], out, target_is_zero, out_backing != NULL, compress,
                        sparse_size, granule, progress, &done, total, buf) < 0) {
            goto out;
        }
    }
    int fret = blk_flush(out);
    if (fret < 0) {
        error_report("error while flushing: %s", strerror(-fret));
        goto out;
    }
    img_progress_end(progress);
    ret = 0;
out:
    if (out) {
        bdrv_unref(out);
    }
    for (int i = 0; i < nsrc; i++) {
        if (src[i].bs) {
            bdrv_unref(src[i].bs);
        }
    }
    g_free(src);
    g_free(buf);
    g_free(options);
    return ret;
}

/* ---- compare ---------------------------------------------------------------------- */

/* Offset of the first 512-byte sector in which a and b differ, or -1. */
static int64_t first_mismatch(const uint8_t *a, const uint8_t *b, int64_t len)
{
    for (int64_t i = 0; i < len; i += 512) {
        int64_t n = MIN(512, len - i);
        if (memcmp(a + i, b + i, n)) {
            return i;
        }
    }
    return -1;
}

static int64_t first_nonzero(const uint8_t *a, int64_t len)
{
    for (int64_t i = 0; i < len; i += 512) {
        if (!buffer_is_zero(a + i, MIN(512, len - i))) {
            return i;
        }
    }
    return -1;
}

int img_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt1 = NULL, *fmt2 = NULL;
    bool progress = false, quiet = false, strict = false;
    int cache = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hf:F:T:pqsU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 'T':
            if (!img_parse_cache(optarg, &cache)) {
                return 2;
            }
            break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 's': strict = true; break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img compare [-f fmt] [-F fmt] [-p] [-q] [-s] file1 file2\n");
            return 0;
        default:
            usage_fail(c, argv);
            return 2;
        }
    }
    if (quiet) {
        progress = false;
    }
    if (argc - optind != 2) {
        img_usage_error("Expecting two image file names");
        return 2;
    }
    const char *name1 = argv[optind], *name2 = argv[optind + 1];
    BlockDriverState *bs1 = img_open(name1, fmt1, cache);
    BlockDriverState *bs2 = bs1 ? img_open(name2, fmt2 ? fmt2 : fmt1, cache) : NULL;
    if (!bs2) {
        if (bs1) {
            bdrv_unref(bs1);
        }
        return 2;
    }
    int64_t len1 = blk_getlength(bs1), len2 = blk_getlength(bs2);
    int64_t common = MIN(len1, len2), total = MAX(len1, len2);
    uint8_t *b1 = g_malloc(IMG_CHUNK), *b2 = g_malloc(IMG_CHUNK);
    int ret = 0;
    /* Sizes are compared in sectors, as qemu-img does. */
    if ((len1 + 511) / 512 != (len2 + 511) / 512) {
        if (strict) {
            if (!quiet) {
                printf("Strict mode: Image size mismatch!\n");
            }
            ret = 1;
            goto out;
        }
        if (!quiet) {
            printf("Warning: Image size mismatch!\n");
        }
    }
    img_progress(progress, 0, total);
    for (int64_t off = 0; off < total && !ret;) {
        int64_t n = MIN(IMG_CHUNK, (off < common ? common : total) - off);
        int64_t p1, p2, map;
        int depth;
        BlockDriverState *file;
        int s1 = blk_block_status_above(bs1, off, n, &p1, &map, &file, &depth);
        int s2 = off < common ? blk_block_status_above(bs2, off, n, &p2, &map, &file, &depth)
                              : 0;
        if (s1 < 0 || s2 < 0) {
            error_report("error while reading block status: %s", strerror(-MIN(s1, s2)));
            ret = 2;
            break;
        }
        if (off < common) {
            n = MIN(p1, p2);
            bool z1 = (s1 & BDRV_BLOCK_ZERO) && !(s1 & BDRV_BLOCK_DATA);
            bool z2 = (s2 & BDRV_BLOCK_ZERO) && !(s2 & BDRV_BLOCK_DATA);
            if (strict && (s1 & BDRV_BLOCK_ALLOCATED) != (s2 & BDRV_BLOCK_ALLOCATED)) {
                if (!quiet) {
                    printf("Strict mode: Offset %" PRId64 " block status mismatch!\n", off);
                }
                ret = 1;
                break;
            }
            if (!(z1 && z2)) {
                int r1 = blk_pread(bs1, off, b1, n);
                int r2 = r1 < 0 ? 0 : blk_pread(bs2, off, b2, n);
                if (r1 < 0 || r2 < 0) {
                    error_report("Error while reading offset %" PRId64 ": %s", off,
                                 strerror(-MIN(r1, r2)));
                    ret = 2;
                    break;
                }
                int64_t m = first_mismatch(b1, b2, n);
                if (m >= 0) {
                    if (!quiet) {
                        printf("Content mismatch at offset %" PRId64 "!\n", off + m);
                    }
                    ret = 1;
                    break;
                }
            }
        } else {
            /* Past the shorter image: the longer one must read as zeros. */
            BlockDriverState *longer = len1 > len2 ? bs1 : bs2;
            int64_t pl;
            int sl = blk_block_status_above(longer, off, n, &pl, &map, &file, &depth);
            if (sl < 0) {
                ret = 2;
                break;
            }
            n = pl;
            if (!((sl & BDRV_BLOCK_ZERO) && !(sl & BDRV_BLOCK_DATA))) {
                int r = blk_pread(longer, off, b1, n);
                if (r < 0) {
                    error_report("Error while reading offset %" PRId64 ": %s", off,
                                 strerror(-r));
                    ret = 2;
                    break;
                }
                int64_t m = first_nonzero(b1, n);
                if (m >= 0) {
                    if (!quiet) {
                        printf("Content mismatch at offset %" PRId64 "!\n", off + m);
                    }
                    ret = 1;
                    break;
                }
            }
        }
        off += n;
        img_progress(progress, off, total);
    }
    if (!ret) {
        img_progress_end(progress);
        if (!quiet) {
            printf("Images are identical.\n");
        }
    }
out:
    g_free(b1);
    g_free(b2);
    bdrv_unref(bs1);
    bdrv_unref(bs2);
    return ret;
}

/* ---- map ------------------------------------------------------------------------------ */

typedef struct MapEntry {
    int64_t start;
    int64_t length;
    int depth;
    bool present;
    bool zero;
    bool data;
    bool has_offset;
    int64_t offset;
    const char *filename;
} MapEntry;

static bool map_mergeable(const MapEntry *a, const MapEntry *b)
{
    return a->depth == b->depth && a->present == b->present && a->zero == b->zero &&
           a->data == b->data && a->has_offset == b->has_offset &&
           a->filename == b->filename &&
           (!a->has_offset || a->offset + a->length == b->offset);
}

static bool map_print(const MapEntry *e, bool json, bool *first)
{
    if (json) {
        printf("%s{ \"start\": %" PRId64 ", \"length\": %" PRId64 ", \"depth\": %d, "
               "\"present\": %s, \"zero\": %s, \"data\": %s", *first ? "[" : ",\n",
               e->start, e->length, e->depth, e->present ? "true" : "false",
               e->zero ? "true" : "false", e->data ? "true" : "false");
        if (e->has_offset) {
            printf(", \"offset\": %" PRId64, e->offset);
        }
        printf("}");
    } else if (e->data && !e->zero) {
        if (!e->has_offset) {
            error_report("File contains external, encrypted or compressed clusters.");
            return false;
        }
        char a[32], b[32], c[32];
        snprintf(a, sizeof(a), "%#" PRIx64, e->start);
        snprintf(b, sizeof(b), "%#" PRIx64, e->length);
        snprintf(c, sizeof(c), "%#" PRIx64, e->offset);
        printf("%-16s%-16s%-16s%s\n", a, b, c, e->filename);
    } else {
        return true;
    }
    *first = false;
    return true;
}

int img_map(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "start-offset", required_argument, NULL, 's' },
        { "max-length", required_argument, NULL, 'l' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    bool json = false;
    int64_t start = 0, max_len = -1;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o':
            if (!img_parse_output(optarg, &json)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 's':
            if (!img_parse_size(optarg, &start)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'l':
            if (!img_parse_size(optarg, &max_len)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img map [-f fmt] [--output=human|json] filename\n");
            return 0;
        default:
            return usage_fail(c, argv);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    BlockDriverState *bs = img_open(argv[optind], fmt, 0);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    int64_t len = blk_getlength(bs);
    int64_t end = max_len >= 0 ? MIN(len, start + max_len) : len;
    MapEntry cur = { .start = -1 };
    bool first = true;
    if (!json) {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    }
    int ret = 0;
    for (int64_t off = start; off < end;) {
        int64_t pnum, map = 0;
        int depth = 0;
        BlockDriverState *file = NULL;
        int st = blk_block_status_above(bs, off, MIN(end - off, (int64_t)1 << 30), &pnum,
                                        &map, &file, &depth);
        if (st < 0) {
            error_report("Could not read file metadata: %s", strerror(-st));
            ret = IMG_EXIT_ERROR;
            break;
        }
        /* The file a layer's data lives in is the layer's image. */
        BlockDriverState *layer = bs;
        for (int d = 0; d < depth && bdrv_get_backing(layer); d++) {
            layer = bdrv_get_backing(layer);
        }
        MapEntry e = {
            .start = off, .length = pnum, .depth = depth,
            .present = st & BDRV_BLOCK_ALLOCATED,
            .zero = (st & BDRV_BLOCK_ZERO) != 0, .data = (st & BDRV_BLOCK_DATA) != 0,
            .has_offset = (st & BDRV_BLOCK_OFFSET_VALID) != 0, .offset = map,
            .filename = bdrv_get_filename(layer),
        };
        if (cur.start >= 0 && map_mergeable(&cur, &e)) {
            cur.length += e.length;
        } else {
            if (cur.start >= 0 && !map_print(&cur, json, &first)) {
                ret = IMG_EXIT_ERROR;
                break;
            }
            cur = e;
        }
        off += pnum;
    }
    if (!ret && cur.start >= 0 && !map_print(&cur, json, &first)) {
        ret = IMG_EXIT_ERROR;
    }
    if (json) {
        printf("%s]\n", first ? "[" : "");
    }
    bdrv_unref(bs);
    return ret;
}

/* ---- measure ------------------------------------------------------------------------------- */

int img_measure(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, 'o' + 256 },
        { "size", required_argument, NULL, 's' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *out_fmt = "raw";
    char *options = NULL;
    const char *snapshot = NULL;
    bool json = false;
    int64_t size = -1;
    int c;
    while ((c = getopt_long(argc, argv, ":hf:O:o:l:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'o': img_add_options(&options, optarg); break;
        case 'o' + 256:
            if (!img_parse_output(optarg, &json)) {
                g_free(options);
                return IMG_EXIT_ERROR;
            }
            break;
        case 's':
            if (!img_parse_size(optarg, &size)) {
                g_free(options);
                return IMG_EXIT_ERROR;
            }
            break;
        case 'l': snapshot = optarg; break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img measure [--output=human|json] [-O fmt] [-o options] "
                   "[--size N | [-l snapshot_param] [-f fmt] filename]\n");
            return 0;
        default:
            g_free(options);
            return usage_fail(c, argv);
        }
    }
    const char *filename = optind < argc ? argv[optind] : NULL;
    int ret = IMG_EXIT_ERROR;
    if (filename && size >= 0) {
        error_report("--size N cannot be used together with a filename.");
        goto out;
    }
    if (!filename && size < 0) {
        error_report("Either --size N or one filename must be specified.");
        goto out;
    }
    BlockDriverState *in = filename ? img_open(filename, fmt, 0) : NULL;
    if (filename && !in) {
        goto out;
    }
    if (in && snapshot && !convert_load_snapshot(in, snapshot)) {
        bdrv_unref(in);
        goto out;
    }
    /* qemu-img counts bitmaps only where they could exist: qcow2 v3 into qcow2. */
    bool bitmaps = false;
    if (in && !strcmp(out_fmt, "qcow2") && !strcmp(bdrv_get_format_name(in), "qcow2")) {
        ImageInfo *info = bdrv_get_image_info(in, NULL);
        bitmaps = info && info->nb_specific && info->specific[0].str &&
                  !strcmp(info->specific[0].str, "1.1");
        bdrv_image_info_free(info);
    }
    Error *err = NULL;
    Opts *o = options ? opts_parse(options, NULL, &err) : opts_new();
    uint64_t required, full;
    if (!o || !bdrv_measure(out_fmt, o, in, size, &required, &full, &err)) {
        error_report_err(err);
    } else if (json) {
        JsonOut j = { .f = stdout };
        json_open(&j, NULL, '{');
        if (bitmaps) {
            json_int(&j, "bitmaps", 0);
        }
        json_int(&j, "required", required);
        json_int(&j, "fully-allocated", full);
        json_close(&j, '}');
        ret = 0;
    } else {
        printf("required size: %" PRIu64 "\nfully allocated size: %" PRIu64 "\n", required,
               full);
        if (bitmaps) {
            printf("bitmaps size: 0\n");
        }
        ret = 0;
    }
    opts_free(o);
    if (in) {
        bdrv_unref(in);
    }
out:
    g_free(options);
    return ret;
}
