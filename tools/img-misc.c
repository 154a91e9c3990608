/*
 * kemu-img commands that change one image in place: snapshot, resize,
 * commit and rebase.
 */
#include "tools/kemu-img.h"
#include "util/cutils.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <string.h>

#define IMG_CHUNK (2 << 20)

static int usage_fail(int c, char **argv)
{
    if (c == ':') {
        return img_usage_error("option '%s' needs an argument", argv[optind - 1]);
    }
    return img_usage_error("unrecognized option '%s'", argv[optind - 1]);
}

/* ---- snapshot ----------------------------------------------------------------- */

int img_snapshot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *name = NULL;
    int action = 0;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":la:c:d:f:hqU", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
        case 'a':
        case 'c':
        case 'd':
            if (action) {
                return img_usage_error("Cannot mix '-l', '-a', '-c', '-d'");
            }
            action = c;
            name = c == 'l' ? NULL : optarg;
            break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img snapshot [-l | -a snapshot | -c snapshot | -d snapshot] "
                   "[-f fmt] filename\n");
            return 0;
        default:
            return usage_fail(c, argv);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    if (!action) {
        action = 'l';
    }
    int flags = action == 'l' ? BDRV_O_NO_BACKING : BDRV_O_RDWR | BDRV_O_NO_BACKING;
    BlockDriverState *bs = img_open(argv[optind], fmt, flags);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    Error *err = NULL;
    int ret = 0;
    switch (action) {
    case 'l': {
        BlockSnapshotInfo *list;
        int n = bdrv_snapshot_list(bs, &list);
        if (n > 0 && !quiet) {
            img_print_snapshots(list, n);
        }
        if (n > 0) {
            bdrv_snapshot_list_free(list, n);
        }
        break;
    }
    case 'c':
        if (!bdrv_can_snapshot(bs)) {
            error_report("Could not create snapshot '%s': %d (%s)", name, -ENOTSUP,
                         strerror(ENOTSUP));
            ret = IMG_EXIT_ERROR;
        } else if (!bdrv_snapshot_create(bs, name, &err)) {
            error_report("Could not create snapshot '%s': %s", name, error_get_pretty(err));
            ret = IMG_EXIT_ERROR;
        }
        break;
    case 'a':
        if (!bdrv_snapshot_goto(bs, name, &err)) {
            error_report("Could not apply snapshot '%s': %s", name, error_get_pretty(err));
            ret = IMG_EXIT_ERROR;
        }
        break;
    case 'd':
        if (!bdrv_snapshot_delete(bs, name, &err)) {
            error_report("Could not delete snapshot '%s': %s", name, error_get_pretty(err));
            ret = IMG_EXIT_ERROR;
        }
        break;
    }
    error_free(err);
    bdrv_unref(bs);
    return ret;
}

/* ---- resize ---------------------------------------------------------------------- */

int img_resize(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "preallocation", required_argument, NULL, 'P' },
        { "shrink", no_argument, NULL, 'S' },
        { NULL, 0, NULL, 0 },
    };
    /* The size may start with '-': take it off before getopt sees it. */
    if (argc < 3) {
        return img_usage_error("Expecting image file name and size");
    }
    const char *size_arg = argv[--argc];
    const char *fmt = NULL;
    bool quiet = false, shrink = false;
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hq", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'S': shrink = true; break;
        case 'P':
            if (!bdrv_parse_prealloc_mode(optarg, &prealloc, NULL)) {
                error_report("Invalid preallocation mode '%s'", optarg);
                return IMG_EXIT_ERROR;
            }
            break;
        case 'h':
            printf("Usage: kemu-img resize [-f fmt] [--preallocation=mode] [--shrink] "
                   "filename [+ | -]size\n");
            return 0;
        default:
            return usage_fail(c, argv);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting image file name and size");
    }
    int sign = 0;
    if (size_arg[0] == '+' || size_arg[0] == '-') {
        sign = size_arg[0] == '+' ? 1 : -1;
        size_arg++;
    }
    uint64_t delta;
    if (!parse_size(size_arg, 1, &delta) || delta > INT64_MAX) {
        error_report("Invalid size specified.");
        return IMG_EXIT_ERROR;
    }
    BlockDriverState *bs = img_open(argv[optind], fmt, BDRV_O_RDWR);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    int ret = IMG_EXIT_ERROR;
    int64_t cur = blk_getlength(bs);
    int64_t size = sign == 0 ? (int64_t)delta : cur + sign * (int64_t)delta;
    if (size < 0 || (sign > 0 && size < cur)) {
        error_report("New image size must be positive");
        goto out;
    }
    if (size < cur && !shrink) {
        error_report("Use the --shrink option to perform a shrink operation.");
        warn_report("Shrinking an image will delete all data beyond the shrunken image's "
                    "end. Before performing such an operation, make sure there is no "
                    "important data there.");
        goto out;
    }
    if (size < cur && prealloc != PREALLOC_MODE_OFF) {
        error_report("Preallocation can only be used for growing images");
        goto out;
    }
    Error *err = NULL;
    if (blk_truncate(bs, size, shrink, prealloc, &err) < 0) {
        error_report_err(err);
        goto out;
    }
    if (!quiet) {
        printf("Image resized.\n");
    }
    ret = 0;
out:
    bdrv_unref(bs);
    return ret;
}

/* ---- commit ------------------------------------------------------------------------- */

/* The layer of bs's backing chain stored in path, and its depth (1 = bs's backing). */
static BlockDriverState *chain_find(BlockDriverState *bs, const char *path, int *depth)
{
    struct stat want;
    if (stat(path, &want) < 0) {
        return NULL;
    }
    *depth = 1;
    for (BlockDriverState *b = bdrv_get_backing(bs); b; b = bdrv_get_backing(b), ++*depth) {
        struct stat st;
        if (stat(bdrv_get_filename(b), &st) == 0 && st.st_dev == want.st_dev &&
            st.st_ino == want.st_ino) {
            return b;
        }
    }
    return NULL;
}

/*
 * commit -b: write what the layers above base decide into base.  Nothing is
 * emptied (qemu-img's -b implies -d), so the chain reads the same afterwards.
 */
static int commit_to_base(BlockDriverState *bs, const char *name, const char *base_name,
                          int cache)
{
    int depth;
    BlockDriverState *old = chain_find(bs, base_name, &depth);
    if (!old) {
        error_report("Did not find '%s' in the backing chain of '%s'", base_name, name);
        return IMG_EXIT_ERROR;
    }
    BlockDriverState *base = img_open(bdrv_get_filename(old), bdrv_get_format_name(old),
                                      BDRV_O_RDWR | BDRV_O_NO_BACKING | cache);
    if (!base) {
        return IMG_EXIT_ERROR;
    }
    int64_t len = blk_getlength(bs);
    int64_t base_len = blk_getlength(base);
    int ret = len < 0 ? (int)len : base_len < 0 ? (int)base_len : 0;
    if (ret >= 0 && base_len < len) {
        ret = blk_truncate(base, len, false, PREALLOC_MODE_OFF, NULL);
    }
    uint8_t *buf = g_malloc(IMG_CHUNK);
    for (int64_t off = 0; off < len && ret >= 0;) {
        int64_t pnum;
        int d;
        int st = blk_block_status_above(bs, off, MIN(IMG_CHUNK, len - off), &pnum, NULL,
                                        NULL, &d);
        if (st < 0) {
            ret = st;
            break;
        }
        if (d < depth) {
            if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA)) {
                ret = blk_pwrite_zeroes(base, off, pnum, 0);
            } else {
                ret = blk_pread(bs, off, buf, pnum);
                if (ret >= 0) {
                    ret = blk_pwrite(base, off, buf, pnum);
                }
            }
        }
        off += pnum;
    }
    g_free(buf);
    if (ret >= 0) {
        ret = blk_flush(base);
    }
    bdrv_unref(base);
    if (ret < 0) {
        error_report("Error while committing the image: %s", strerror(-ret));
        return IMG_EXIT_ERROR;
    }
    return 0;
}

int img_commit(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    const char *base = NULL;
    bool quiet = false, keep = false, progress = false;
    int cache = BDRV_O_NO_FLUSH;    /* qemu-img commit defaults to cache=unsafe */
    int c;
    while ((c = getopt_long(argc, argv, ":f:ht:b:dpq", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't':
            if (!img_parse_cache(optarg, &cache)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'b': base = optarg; break;
        case 'd': keep = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'h':
            printf("Usage: kemu-img commit [-f fmt] [-t cache] [-b base] [-d] [-p] filename\n");
            return 0;
        default:
            return usage_fail(c, argv);
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    BlockDriverState *bs = img_open(argv[optind], fmt, BDRV_O_RDWR | cache);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    Error *err = NULL;
    int ret = 0;
    img_progress(progress && !quiet, 0, 1);
    if (base) {
        ret = commit_to_base(bs, argv[optind], base, cache);
        if (ret == 0) {
            img_progress_end(progress && !quiet);
            if (!quiet) {
                printf("Image committed.\n");
            }
        }
    } else if (!bdrv_commit(bs, keep, &err)) {
        error_report_err(err);
        ret = IMG_EXIT_ERROR;
    } else {
        img_progress_end(progress && !quiet);
        if (!quiet) {
            printf("Image committed.\n");
        }
    }
    bdrv_unref(bs);
    return ret;
}

/* ---- rebase ---------------------------------------------------------------------------- */

/*
 * Safe rebase: where bs itself allocates nothing, what it reads now (through
 * the old backing chain) must still be read with the new one; copy it into
 * bs wherever the new backing image differs.
 */
static int rebase_copy(BlockDriverState *bs, BlockDriverState *new_backing, bool progress)
{
    int64_t len = blk_getlength(bs);
    int64_t new_len = new_backing ? blk_getlength(new_backing) : 0;
    uint8_t *old_buf = g_malloc(IMG_CHUNK), *new_buf = g_malloc(IMG_CHUNK);
    int ret = 0;
    for (int64_t off = 0; off < len && ret >= 0;) {
        int64_t pnum;
        int st = blk_block_status(bs, off, MIN(IMG_CHUNK, len - off), &pnum, NULL, NULL);
        if (st < 0) {
            ret = st;
            break;
        }
        if (!(st & BDRV_BLOCK_ALLOCATED)) {
            ret = blk_pread(bs, off, old_buf, pnum);
            memset(new_buf, 0, pnum);
            if (ret >= 0 && off < new_len) {
                ret = blk_pread(new_backing, off, new_buf, MIN(pnum, new_len - off));
            }
            /* Copy whole 64 KiB pieces that differ. */
            for (int64_t p = 0; p < pnum && ret >= 0; p += 65536) {
                int64_t n = MIN(65536, pnum - p);
                if (memcmp(old_buf + p, new_buf + p, n)) {
                    ret = blk_pwrite(bs, off + p, old_buf + p, n);
                }
            }
        }
        off += pnum;
        img_progress(progress, off, len);
    }
    g_free(old_buf);
    g_free(new_buf);
    return ret;
}

int img_rebase(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *backing = NULL, *backing_fmt = NULL;
    bool quiet = false, unsafe = false, progress = false;
    int cache = 0, src_cache = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hf:F:b:upt:T:qU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'b': backing = optarg; break;
        case 'u': unsafe = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 't':
        case 'T':
            if (!img_parse_cache(optarg, c == 't' ? &cache : &src_cache)) {
                return IMG_EXIT_ERROR;
            }
            break;
        case 'U': break;
        case 'h':
            printf("Usage: kemu-img rebase [-f fmt] [-u] -b backing_file [-F backing_fmt] "
                   "filename\n");
            return 0;
        default:
            return usage_fail(c, argv);
        }
    }
    if (quiet) {
        progress = false;
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    if (!unsafe && !backing) {
        return img_usage_error("Must specify backing file (-b) or use unsafe mode (-u)");
    }
    const char *filename = argv[optind];
    int flags = BDRV_O_RDWR | cache | (unsafe ? BDRV_O_NO_BACKING : 0);
    BlockDriverState *bs = img_open(filename, fmt, flags);
    if (!bs) {
        return IMG_EXIT_ERROR;
    }
    int ret = IMG_EXIT_ERROR;
    BlockDriverState *new_backing = NULL;
    Error *err = NULL;
    char *probed_fmt = NULL;
    if (backing && *backing) {
        char *path = bdrv_backing_path(filename, backing);
        if (!backing_fmt) {
            /* Like qemu-img: a guessed raw format is not written into the image. */
            BlockDriverState *probe = bdrv_open(path, NULL, BDRV_O_NO_BACKING, NULL);
            if (probe && strcmp(bdrv_get_format_name(probe), "raw")) {
                probed_fmt = g_strdup(bdrv_get_format_name(probe));
            }
            if (probe) {
                bdrv_unref(probe);
            }
            if (!probed_fmt) {
                error_report("Could not change the backing file to '%s': backing format "
                             "must be specified", backing);
                g_free(path);
                goto out;
            }
            backing_fmt = probed_fmt;
        }
        if (!unsafe) {
            new_backing = bdrv_open(path, backing_fmt, src_cache, &err);
            if (!new_backing) {
                error_report("Could not open new backing file '%s': %s", path,
                             error_get_pretty(err));
                error_free(err);
                g_free(path);
                goto out;
            }
        }
        g_free(path);
    }
    if (!unsafe) {
        int r = rebase_copy(bs, new_backing, progress);
        if (r < 0) {
            error_report("Error while rebasing the image: %s", strerror(-r));
            goto out;
        }
    }
    if (!bdrv_change_backing_file(bs, backing && *backing ? backing : NULL,
                                  backing && *backing ? backing_fmt : NULL, &err)) {
        error_report("Could not change the backing file to '%s': %s", backing ? backing : "",
                     error_get_pretty(err));
        error_free(err);
        goto out;
    }
    img_progress_end(progress);
    ret = 0;
out:
    if (new_backing) {
        bdrv_unref(new_backing);
    }
    g_free(probed_fmt);
    bdrv_unref(bs);
    return ret;
}
