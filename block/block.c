/*
 * The block layer's graph: drivers, format probing, opening images with
 * their backing chains, cache modes, and the calls that act on a whole
 * image (info, check, snapshots, commit).  Byte I/O is in block/io.c, the
 * asynchronous path in block/aio.c.
 */
#include "block/block-int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A chain deeper than this is refused: it is almost certainly a loop. */
#define BACKING_CHAIN_MAX_DEPTH 64

static const BlockDriver *const block_drivers[] = {
    &bdrv_qcow2,
    &bdrv_raw,
};

static const BlockDriver *bdrv_find_format(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(block_drivers); i++) {
        if (!strcmp(block_drivers[i]->format_name, name)) {
            return block_drivers[i];
        }
    }
    return NULL;
}

bool bdrv_format_known(const char *format)
{
    return bdrv_find_format(format) != NULL;
}

/* ---- Cache modes ----------------------------------------------------------- */

#define BDRV_O_CACHE_MASK (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH | BDRV_O_WRITETHROUGH)

static const struct {
    const char *name;
    int flags;
} cache_modes[] = {
    { "writeback", 0 },
    { "writethrough", BDRV_O_WRITETHROUGH },
    { "none", BDRV_O_NOCACHE },
    { "directsync", BDRV_O_NOCACHE | BDRV_O_WRITETHROUGH },
    { "unsafe", BDRV_O_NO_FLUSH },
};

bool bdrv_parse_cache_mode(const char *mode, int *flags, Error **errp)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cache_modes); i++) {
        if (!strcmp(mode, cache_modes[i].name)) {
            *flags = (*flags & ~BDRV_O_CACHE_MASK) | cache_modes[i].flags;
            return true;
        }
    }
    error_setg(errp, "invalid cache option '%s'", mode);
    return false;
}

const char *bdrv_cache_mode_name(int flags)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cache_modes); i++) {
        if ((flags & BDRV_O_CACHE_MASK) == cache_modes[i].flags) {
            return cache_modes[i].name;
        }
    }
    return "writeback";
}

bool bdrv_parse_prealloc_mode(const char *str, PreallocMode *mode, Error **errp)
{
    static const char *const names[] = { "off", "metadata", "falloc", "full" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!strcmp(str, names[i])) {
            *mode = (PreallocMode)i;
            return true;
        }
    }
    error_setg(errp, "Invalid parameter '%s'", str);
    return false;
}

/* ---- Probing ------------------------------------------------------------------ */

static const BlockDriver *bdrv_probe(const char *filename, Error **errp)
{
    uint8_t buf[2048] = { 0 };
    int fd = open(filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", filename);
        return NULL;
    }
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    int saved = errno;
    close(fd);
    if (n < 0) {
        error_setg_errno(errp, saved, "Could not read image for determining its format");
        return NULL;
    }
    const BlockDriver *best = &bdrv_raw;
    int best_score = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(block_drivers); i++) {
        if (block_drivers[i]->probe) {
            int score = block_drivers[i]->probe(buf, (int)n, filename);
            if (score > best_score) {
                best_score = score;
                best = block_drivers[i];
            }
        }
    }
    return best;
}

/*
 * Whether sector 0 with these contents would be probed as a format other
 * than raw: a guest of a probed raw image must not be able to do that.
 */
bool bdrv_sector0_probes_non_raw(const uint8_t *buf, int len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(block_drivers); i++) {
        const BlockDriver *drv = block_drivers[i];
        if (drv != &bdrv_raw && drv->probe && drv->probe(buf, len, NULL) > 1) {
            return true;
        }
    }
    return false;
}

/* ---- Opening and closing ----------------------------------------------------------- */

static BlockDriverState *bdrv_new(const BlockDriver *drv, const char *filename, int flags)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);
    bs->drv = drv;
    bs->opaque = g_malloc0(drv->instance_size ? drv->instance_size : 1);
    bs->filename = g_strdup(filename);
    bs->open_flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    bs->refcnt = 1;
    bs->request_alignment = 1;
    g_rec_mutex_init(&bs->lock);
    return bs;
}

static void bdrv_free(BlockDriverState *bs)
{
    g_rec_mutex_clear(&bs->lock);
    g_free(bs->opaque);
    g_free(bs->filename);
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    g_free(bs->temp_filename);
    g_free(bs);
}

BlockDriverState *bdrv_open_file(const char *filename, int flags, Error **errp)
{
    /* The host file of a format image: writethrough is done at the top. */
    flags &= ~(BDRV_O_WRITETHROUGH | BDRV_O_SNAPSHOT);
    BlockDriverState *bs = bdrv_new(&bdrv_raw, filename, flags);
    if (bdrv_raw.open(bs, flags, errp) < 0) {
        bdrv_free(bs);
        return NULL;
    }
    return bs;
}

static BlockDriverState *bdrv_open_driver(const BlockDriver *drv, const char *filename,
                                          int flags, Error **errp)
{
    BlockDriverState *bs = bdrv_new(drv, filename, flags);
    if (!drv->is_protocol) {
        bs->file = bdrv_open_file(filename, flags, errp);
        if (!bs->file) {
            bdrv_free(bs);
            return NULL;
        }
    }
    if (drv->open(bs, flags, errp) < 0) {
        if (bs->file) {
            bdrv_unref(bs->file);
        }
        bdrv_free(bs);
        return NULL;
    }
    return bs;
}

char *bdrv_backing_path(const char *base_filename, const char *backing)
{
    if (g_path_is_absolute(backing) || !strchr(base_filename, '/')) {
        return g_strdup(backing);
    }
    char *dir = g_path_get_dirname(base_filename);
    char *path = g_build_filename(dir, backing, NULL);
    g_free(dir);
    return path;
}

/* Whether the file at path is the image of bs or of one of its descendants. */
static bool bdrv_chain_contains_file(BlockDriverState *top, const char *path)
{
    struct stat want;
    if (stat(path, &want) < 0) {
        return false;
    }
    for (BlockDriverState *bs = top; bs; bs = bs->backing) {
        struct stat st;
        if (stat(bs->filename, &st) == 0 && st.st_dev == want.st_dev &&
            st.st_ino == want.st_ino) {
            return true;
        }
    }
    return false;
}

static bool bdrv_open_backing_depth(BlockDriverState *bs, BlockDriverState *top, int depth,
                                    Error **errp);

bool bdrv_open_backing(BlockDriverState *bs, Error **errp)
{
    return bdrv_open_backing_depth(bs, bs, 0, errp);
}

static bool bdrv_open_backing_depth(BlockDriverState *bs, BlockDriverState *top, int depth,
                                    Error **errp)
{
    if (!bs->backing_file || !bs->backing_file[0] || bs->backing) {
        return true;
    }
    if (depth >= BACKING_CHAIN_MAX_DEPTH) {
        error_setg(errp, "Backing chain of '%s' is deeper than %d images",
                   top->filename, BACKING_CHAIN_MAX_DEPTH);
        return false;
    }
    char *path = bdrv_backing_path(bs->filename, bs->backing_file);
    if (bdrv_chain_contains_file(top, path)) {
        error_setg(errp, "Backing file '%s' of '%s' is already in the chain (loop)",
                   path, bs->filename);
        g_free(path);
        return false;
    }
    const BlockDriver *drv;
    if (bs->backing_format) {
        drv = bdrv_find_format(bs->backing_format);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s' for backing file '%s'",
                       bs->backing_format, path);
            g_free(path);
            return false;
        }
    } else {
        drv = bdrv_probe(path, errp);
        if (!drv) {
            error_prepend(errp, "Could not open backing file: ");
            g_free(path);
            return false;
        }
    }
    int flags = bs->open_flags & (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH);
    BlockDriverState *backing = bdrv_open_driver(drv, path, flags, errp);
    if (!backing) {
        error_prepend(errp, "Could not open backing file: ");
        g_free(path);
        return false;
    }
    g_free(path);
    bs->backing = backing;
    if (!bdrv_open_backing_depth(backing, top, depth + 1, errp)) {
        bs->backing = NULL;
        bdrv_unref(backing);
        return false;
    }
    return true;
}

static BlockDriverState *bdrv_open_snapshot_overlay(const char *filename, const char *format,
                                                    int flags, Error **errp)
{
    BlockDriverState *base = bdrv_open(filename, format, flags & ~(BDRV_O_RDWR |
                                       BDRV_O_SNAPSHOT), errp);
    if (!base) {
        return NULL;
    }
    int64_t size = blk_getlength(base);
    char *base_fmt = g_strdup(bdrv_get_format_name(base));
    bdrv_unref(base);

    char *tmp = NULL;
    GError *gerr = NULL;
    int fd = g_file_open_tmp("kemu-snapshot-XXXXXX.qcow2", &tmp, &gerr);
    if (fd < 0) {
        error_setg(errp, "Could not create temporary overlay: %s", gerr->message);
        g_error_free(gerr);
        g_free(base_fmt);
        return NULL;
    }
    close(fd);
    char *abs = realpath(filename, NULL);
    Opts *opts = opts_new();
    opts_set(opts, "backing_file", abs ? abs : filename);
    opts_set(opts, "backing_fmt", base_fmt);
    bool ok = bdrv_create("qcow2", tmp, size, opts, errp);
    opts_free(opts);
    free(abs);
    g_free(base_fmt);
    BlockDriverState *bs = NULL;
    if (ok) {
        bs = bdrv_open(tmp, "qcow2", (flags | BDRV_O_RDWR) & ~BDRV_O_SNAPSHOT, errp);
    }
    if (!bs) {
        unlink(tmp);
        g_free(tmp);
        return NULL;
    }
    bs->temp_filename = tmp;
    return bs;
}

BlockDriverState *bdrv_open(const char *filename, const char *format, int flags,
                            Error **errp)
{
    if (flags & BDRV_O_SNAPSHOT) {
        return bdrv_open_snapshot_overlay(filename, format, flags, errp);
    }
    const BlockDriver *drv;
    bool probed = false;
    if (format) {
        drv = bdrv_find_format(format);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", format);
            return NULL;
        }
    } else {
        drv = bdrv_probe(filename, errp);
        if (!drv) {
            return NULL;
        }
        probed = true;
    }
    BlockDriverState *bs = bdrv_open_driver(drv, filename, flags, errp);
    if (!bs) {
        return NULL;
    }
    if (probed && drv == &bdrv_raw && (flags & BDRV_O_RDWR)) {
        bs->probed_raw = true;
        /* Printed bare, as QEMU does, so scripts that grep for it keep working. */
        fprintf(stderr, "WARNING: Image format was not specified for '%s' and probing "
                "guessed raw.\n"
                "         Automatically detecting the format is dangerous for raw images, "
                "write operations on block 0 will be restricted.\n"
                "         Specify the 'raw' format explicitly to remove the "
                "restrictions.\n", filename);
    }
    if (!(flags & BDRV_O_NO_BACKING) && !bdrv_open_backing(bs, errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    g_atomic_int_inc(&bs->refcnt);
}

void bdrv_unref(BlockDriverState *bs)
{
    if (!bs || !g_atomic_int_dec_and_test(&bs->refcnt)) {
        return;
    }
    blk_drain(bs);
    if (!bs->read_only) {
        blk_flush(bs);
    }
    g_rec_mutex_lock(&bs->lock);
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    g_rec_mutex_unlock(&bs->lock);
    if (bs->backing) {
        bdrv_unref(bs->backing);
    }
    if (bs->file) {
        bdrv_unref(bs->file);
    }
    if (bs->temp_filename) {
        unlink(bs->temp_filename);
    }
    bdrv_free(bs);
}

const char *bdrv_get_format_name(const BlockDriverState *bs)
{
    return bs->drv->format_name;
}

const char *bdrv_get_filename(const BlockDriverState *bs)
{
    return bs->filename;
}

bool bdrv_is_read_only(const BlockDriverState *bs)
{
    return bs->read_only;
}

int bdrv_get_flags(const BlockDriverState *bs)
{
    return bs->open_flags;
}

BlockDriverState *bdrv_get_backing(const BlockDriverState *bs)
{
    return bs->backing;
}

bool bdrv_supports_compression(const BlockDriverState *bs)
{
    return bs->drv->pwrite_compressed != NULL;
}

uint32_t bdrv_get_cluster_size(const BlockDriverState *bs)
{
    return bs->drv->get_cluster_size ? bs->drv->get_cluster_size((BlockDriverState *)bs) : 0;
}

/* ---- Creation ------------------------------------------------------------------------ */

bool bdrv_create(const char *format, const char *filename, int64_t size, Opts *opts,
                 Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(format);
    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", format);
        return false;
    }
    Opts *empty = NULL;
    if (!opts) {
        opts = empty = opts_new();
    }
    bool ok = drv->create(filename, size, opts, errp);
    opts_free(empty);
    return ok;
}

const char *const *bdrv_create_options_help(const char *format)
{
    const BlockDriver *drv = bdrv_find_format(format);
    return drv ? drv->create_help : NULL;
}

bool bdrv_measure(const char *format, Opts *opts, BlockDriverState *in, int64_t size,
                  uint64_t *required, uint64_t *fully_allocated, Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(format);
    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", format);
        return false;
    }
    if (!drv->measure) {
        error_setg(errp, "Format driver '%s' does not support size measurement", format);
        return false;
    }
    return drv->measure(opts, in, size, required, fully_allocated, errp);
}

/* ---- Information and checks ------------------------------------------------------------ */

ImageInfo *bdrv_get_image_info(BlockDriverState *bs, Error **errp)
{
    int64_t size = blk_getlength(bs);
    if (size < 0) {
        error_setg_errno(errp, (int)-size, "Can't get image size '%s'", bs->filename);
        return NULL;
    }
    ImageInfo *info = g_new0(ImageInfo, 1);
    info->filename = g_strdup(bs->filename);
    info->format = g_strdup(bs->drv->format_name);
    info->virtual_size = size;
    info->actual_size = bdrv_get_allocated_file_size(bs);
    if (bs->backing_file && bs->backing_file[0]) {
        info->backing_filename = g_strdup(bs->backing_file);
        info->full_backing_filename = bdrv_backing_path(bs->filename, bs->backing_file);
        info->backing_format = g_strdup(bs->backing_format);
    }
    if (bs->drv->get_info) {
        g_rec_mutex_lock(&bs->lock);
        bs->drv->get_info(bs, info);
        g_rec_mutex_unlock(&bs->lock);
    }
    if (bs->drv->snapshot_list) {
        info->nb_snapshots = bdrv_snapshot_list(bs, &info->snapshots);
        if (info->nb_snapshots < 0) {
            info->nb_snapshots = 0;
        }
    }
    return info;
}

void bdrv_image_info_free(ImageInfo *info)
{
    if (!info) {
        return;
    }
    g_free(info->filename);
    g_free(info->format);
    g_free(info->backing_filename);
    g_free(info->full_backing_filename);
    g_free(info->backing_format);
    bdrv_snapshot_list_free(info->snapshots, info->nb_snapshots);
    for (int i = 0; i < info->nb_specific; i++) {
        g_free(info->specific[i].str);
    }
    g_free(info);
}

int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix)
{
    memset(res, 0, sizeof(*res));
    if (!bs->drv->check) {
        return -ENOTSUP;
    }
    if (fix && bs->read_only) {
        return -EACCES;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->check(bs, res, fix);
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

/* ---- Snapshots --------------------------------------------------------------------------- */

bool bdrv_can_snapshot(BlockDriverState *bs)
{
    return bs->drv->snapshot_create != NULL;
}

static bool bdrv_snapshot_check(BlockDriverState *bs, bool write, Error **errp)
{
    if (!bs->drv->snapshot_create) {
        error_setg(errp, "Block format '%s' used by device '%s' does not support "
                   "internal snapshots", bs->drv->format_name, bs->filename);
        return false;
    }
    if (write && bs->read_only) {
        error_setg(errp, "Image '%s' is read-only", bs->filename);
        return false;
    }
    return true;
}

bool bdrv_snapshot_create(BlockDriverState *bs, const char *name, Error **errp)
{
    if (!bdrv_snapshot_check(bs, true, errp)) {
        return false;
    }
    blk_drain(bs);
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->snapshot_create(bs, name, errp);
    g_rec_mutex_unlock(&bs->lock);
    return ret >= 0;
}

bool bdrv_snapshot_goto(BlockDriverState *bs, const char *id_or_name, Error **errp)
{
    if (!bdrv_snapshot_check(bs, true, errp)) {
        return false;
    }
    blk_drain(bs);
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->snapshot_goto(bs, id_or_name, errp);
    g_rec_mutex_unlock(&bs->lock);
    return ret >= 0;
}

bool bdrv_snapshot_delete(BlockDriverState *bs, const char *id_or_name, Error **errp)
{
    if (!bdrv_snapshot_check(bs, true, errp)) {
        return false;
    }
    blk_drain(bs);
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->snapshot_delete(bs, id_or_name, errp);
    g_rec_mutex_unlock(&bs->lock);
    return ret >= 0;
}

bool bdrv_snapshot_load_tmp(BlockDriverState *bs, const char *id, const char *name,
                            Error **errp)
{
    if (!bs->drv->snapshot_load_tmp) {
        error_setg(errp, "Block format '%s' used by device '' does not support temporarily "
                   "loading internal snapshots", bs->drv->format_name);
        return false;
    }
    if (!bs->read_only) {
        error_setg(errp, "Device '' is writable, cannot load internal snapshot");
        return false;
    }
    blk_drain(bs);
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->snapshot_load_tmp(bs, id, name, errp);
    g_rec_mutex_unlock(&bs->lock);
    return ret >= 0;
}

int bdrv_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **list)
{
    *list = NULL;
    if (!bs->drv->snapshot_list) {
        return -ENOTSUP;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->snapshot_list(bs, list);
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

void bdrv_snapshot_list_free(BlockSnapshotInfo *list, int n)
{
    for (int i = 0; i < n; i++) {
        g_free(list[i].id);
        g_free(list[i].name);
    }
    g_free(list);
}

/* ---- Backing chains ------------------------------------------------------------------------- */

bool bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                              const char *backing_fmt, Error **errp)
{
    if (!bs->drv->change_backing_file) {
        error_setg(errp, "Format '%s' does not support backing files",
                   bs->drv->format_name);
        return false;
    }
    if (bs->read_only) {
        error_setg(errp, "Image '%s' is read-only", bs->filename);
        return false;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->change_backing_file(bs, backing_file, backing_fmt, errp);
    g_rec_mutex_unlock(&bs->lock);
    return ret >= 0;
}

int bdrv_make_empty(BlockDriverState *bs)
{
    if (!bs->drv->make_empty) {
        return -ENOTSUP;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->make_empty(bs);
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

/* Copy what bs itself allocates into dst (same offsets). */
static int bdrv_copy_allocated(BlockDriverState *bs, BlockDriverState *dst, int64_t len)
{
    const int64_t chunk = 1 << 20;
    uint8_t *buf = g_malloc(chunk);
    int ret = 0;
    for (int64_t off = 0; off < len && ret >= 0;) {
        int64_t pnum;
        int st = blk_block_status(bs, off, MIN(chunk, len - off), &pnum, NULL, NULL);
        if (st < 0) {
            ret = st;
            break;
        }
        if (!(st & BDRV_BLOCK_ALLOCATED)) {
            /* the backing image already holds it */
        } else if (st & BDRV_BLOCK_ZERO) {
            ret = blk_pwrite_zeroes(dst, off, pnum, 0);
        } else {
            ret = blk_pread(bs, off, buf, pnum);
            if (ret >= 0) {
                ret = blk_pwrite(dst, off, buf, pnum);
            }
        }
        off += pnum;
    }
    g_free(buf);
    return ret;
}

bool bdrv_commit(BlockDriverState *bs, bool keep, Error **errp)
{
    if (!bs->backing) {
        error_setg(errp, "Image does not have a backing file");
        return false;
    }
    if (bs->read_only && !keep) {
        error_setg(errp, "Image '%s' is read-only", bs->filename);
        return false;
    }
    blk_drain(bs);
    BlockDriverState *old = bs->backing;
    char *path = g_strdup(old->filename);
    char *fmt = g_strdup(old->drv->format_name);
    int cache = bs->open_flags & (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH);
    BlockDriverState *base = bdrv_open(path, fmt, BDRV_O_RDWR | cache, errp);
    bool ok = false;
    if (!base) {
        error_prepend(errp, "Could not reopen the backing file read-write: ");
        goto out;
    }
    g_rec_mutex_lock(&bs->lock);
    int64_t len = blk_getlength(bs);
    int64_t base_len = blk_getlength(base);
    int ret = len < 0 ? (int)len : base_len < 0 ? (int)base_len : 0;
    if (ret >= 0 && base_len < len) {
        ret = blk_truncate(base, len, false, PREALLOC_MODE_OFF, NULL);
    }
    if (ret >= 0) {
        ret = bdrv_copy_allocated(bs, base, len);
    }
    if (ret >= 0) {
        ret = blk_flush(base);
    }
    if (ret < 0) {
        g_rec_mutex_unlock(&bs->lock);
        error_setg_errno(errp, -ret, "Error while committing the image");
        bdrv_unref(base);
        goto out;
    }
    /* Swap in a fresh read-only view: the old one may cache stale metadata. */
    bdrv_unref(base);
    bs->backing = NULL;
    bdrv_unref(old);
    ok = bdrv_open_backing(bs, errp);
    if (ok && !keep) {
        ret = bdrv_make_empty(bs);
        if (ret < 0 && ret != -ENOTSUP) {
            error_setg_errno(errp, -ret, "Could not empty %s", bs->filename);
            ok = false;
        }
    }
    g_rec_mutex_unlock(&bs->lock);
out:
    g_free(path);
    g_free(fmt);
    return ok;
}
