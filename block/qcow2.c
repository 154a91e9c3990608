/*
 * The qcow2 block driver: open and close (dirty bit, autoclear bits),
 * reads and writes through the cluster mapping, zeroes and discard, resize,
 * block status and image information.  Creation and measuring are in
 * qcow2-create.c.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#define QCOW2_L2_CACHE_ENTRIES 16
#define QCOW2_REFBLOCK_CACHE_ENTRIES 4


int qcow2_signal_corruption(BDRVQcow2State *s, const char *fmt, ...)
{
    if (!s->broken) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        error_report("qcow2: Image '%s' is inconsistent: %s; further writes are refused",
                     s->bs->filename, msg);
        g_free(msg);
        s->broken = true;
    }
    return -EIO;
}

static int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size >= 8 && qcow2_be32(buf) == QCOW2_MAGIC &&
        (qcow2_be32(buf + 4) == 2 || qcow2_be32(buf + 4) == 3)) {
        return 100;
    }
    return 0;
}

static void qcow2_free_state(BDRVQcow2State *s)
{
    qcow2_snapshots_free(s);
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->refblock_cache);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    g_free(s->cluster_data);
    g_free(s->image_backing_file);
    g_free(s->image_backing_format);
    if (s->unknown_exts) {
        g_ptr_array_free(s->unknown_exts, true);
    }
    memset(s, 0, sizeof(*s));
}

static int qcow2_open(BlockDriverState *bs, int flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    s->bs = bs;
    s->file = bs->file;
    s->unknown_exts = qcow2_unknown_exts_new();
    int ret = qcow2_header_read(s, errp);
    if (ret < 0) {
        goto fail;
    }
    if ((flags & BDRV_O_RDWR) && (s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        !(flags & BDRV_O_CHECK)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened read/write");
        ret = -EACCES;
        goto fail;
    }
    ret = qcow2_refcount_init(s);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read refcount table");
        goto fail;
    }
    ret = qcow2_read_l1(s, s->l1_table_offset, s->l1_size, &s->l1_table);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read L1 table");
        goto fail;
    }
    qcow2_cache_init(&s->l2_cache, QCOW2_L2_CACHE_ENTRIES);
    qcow2_cache_init(&s->refblock_cache, QCOW2_REFBLOCK_CACHE_ENTRIES);
    s->cluster_data = g_malloc(s->cluster_size);
    ret = qcow2_snapshots_read(s, errp);
    if (ret < 0) {
        goto fail;
    }
    bs->backing_file = g_strdup(s->image_backing_file);
    bs->backing_format = g_strdup(s->image_backing_format);

    if (flags & BDRV_O_RDWR) {
        if ((s->incompatible_features & QCOW2_INCOMPAT_DIRTY) && !(flags & BDRV_O_CHECK)) {
            /* Left dirty by a crash with lazy refcounts: rebuild them first. */
            ret = qcow2_repair_dirty(s);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not repair dirty image");
                goto fail;
            }
            s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
            ret = qcow2_header_write_features(s);
        }
        if (ret >= 0 && s->autoclear_features) {
            /* We do not maintain what those bits vouch for (bitmaps). */
            s->autoclear_features = 0;
            ret = qcow2_header_write(s);
        }
        /* (An image still dirty here is being checked: check clears the bit.) */
        if (ret >= 0 && (s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS) &&
            !(s->incompatible_features & QCOW2_INCOMPAT_DIRTY)) {
            s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
            ret = qcow2_header_write_features(s);
            if (ret >= 0) {
                ret = blk_flush(s->file);
            }
            s->dirty_set_by_us = true;
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            goto fail;
        }
    }
    return 0;

fail:
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    bs->backing_file = bs->backing_format = NULL;
    qcow2_free_state(s);
    return ret < 0 ? ret : -EINVAL;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    if (!bs->read_only && !s->broken && s->dirty_set_by_us) {
        /* Everything is on disk: the refcounts are consistent again. */
        if (blk_flush(s->file) >= 0) {
            s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
            if (qcow2_header_write_features(s) >= 0) {
                blk_flush(s->file);
            }
        }
    }
    qcow2_free_state(s);
}

static int qcow2_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *p = buf;
    uint8_t *cluster = NULL;
    int ret = 0;
    while (bytes > 0 && ret >= 0) {
        uint64_t n = bytes, host, e;
        int type = qcow2_get_host_offset(s, offset, &n, &host, &e);
        if (type < 0) {
            ret = type;
            break;
        }
        switch (type) {
        case QCOW2_CLUSTER_UNALLOCATED:
            ret = qcow2_read_backing(s, offset, p, n);
            break;
        case QCOW2_CLUSTER_ZERO_PLAIN:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            memset(p, 0, n);
            break;
        case QCOW2_CLUSTER_NORMAL:
            ret = blk_pread(s->file, host, p, n);
            break;
        case QCOW2_CLUSTER_COMPRESSED:
            if (!cluster) {
                cluster = g_malloc(s->cluster_size);
            }
            ret = qcow2_read_compressed(s, e, cluster);
            if (ret >= 0) {
                memcpy(p, cluster + qcow2_offset_into_cluster(s, offset), n);
            }
            break;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    g_free(cluster);
    return ret;
}

static int qcow2_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes)
{
    return qcow2_pwrite_clusters(bs->opaque, offset, buf, bytes);
}

static int qcow2_pwrite_compressed(BlockDriverState *bs, int64_t offset, const void *buf,
                                   int64_t bytes)
{
    return qcow2_write_compressed(bs->opaque, offset, buf, bytes);
}

/* [*start, *end) shrunk to whole clusters (the last, partial one counts at the end). */
static bool qcow2_whole_clusters(BDRVQcow2State *s, uint64_t *start, uint64_t *end)
{
    uint64_t a = qcow2_align_up(*start, s->cluster_size);
    uint64_t b = *end >= s->size ? qcow2_align_up(*end, s->cluster_size)
                                 : *end & ~((uint64_t)s->cluster_size - 1);
    *start = a;
    *end = b;
    return a < b;
}

static int qcow2_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    if (s->version < 3 && bs->backing_file) {
        return -ENOTSUP;    /* no zero flag: the layer writes zeros */
    }
    uint64_t start = offset, end = offset + bytes;
    if (!qcow2_whole_clusters(s, &start, &end)) {
        return -ENOTSUP;
    }
    int ret = 0;
    uint8_t *zeros = g_malloc0(s->cluster_size);
    if ((uint64_t)offset < start) {
        ret = qcow2_pwrite_clusters(s, offset, zeros, start - offset);
    }
    if (ret >= 0 && (uint64_t)(offset + bytes) > end) {
        ret = qcow2_pwrite_clusters(s, end, zeros, offset + bytes - end);
    }
    g_free(zeros);
    if (ret >= 0) {
        ret = qcow2_discard_clusters(s, start, end - start, QCOW2_DISCARD_ZERO);
    }
    return ret;
}

static int qcow2_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = offset, end = offset + bytes;
    if (!qcow2_whole_clusters(s, &start, &end)) {
        return 0;
    }
    return qcow2_discard_clusters(s, start, end - start, QCOW2_DISCARD_GUEST);
}

static int qcow2_flush(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    return blk_flush(s->file);  /* metadata is written through: only sync */
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    return (int64_t)s->size;
}

static uint32_t qcow2_get_cluster_size(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    return s->cluster_size;
}

/*
 * Whether clusters were mapped without being written (preallocation=metadata):
 * noticeably more clusters in use than the host file really stores.  Only
 * then is it worth asking the host file where its holes are (qemu-img uses
 * the same rule, so map and measure agree).
 */
static bool qcow2_metadata_preallocated(BDRVQcow2State *s)
{
    if (s->prealloc_checked) {
        return s->prealloc_detected;
    }
    s->prealloc_checked = true;
    int64_t file_len = blk_getlength(s->file);
    int64_t real = bdrv_get_allocated_file_size(s->file);
    if (file_len < 0 || real < 0) {
        return false;
    }
    uint64_t real_clusters = real / s->cluster_size;
    uint64_t threshold = MAX(real_clusters * 10 / 9, real_clusters + 2);
    uint64_t nb = qcow2_size_to_clusters(s, file_len), used = 0;
    for (uint64_t c = 0; c < nb && used <= threshold; c++) {
        uint64_t rc;
        if (qcow2_get_refcount(s, c, &rc) < 0) {
            return false;
        }
        used += rc > 0;
    }
    s->prealloc_detected = used > threshold;
    return s->prealloc_detected;
}

static int qcow2_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                              int64_t *pnum, int64_t *map, BlockDriverState **file)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t n = bytes, host, e;
    int type = qcow2_get_host_offset(s, offset, &n, &host, &e);
    if (type < 0) {
        return type;
    }
    *pnum = n;
    switch (type) {
    case QCOW2_CLUSTER_UNALLOCATED:
        return bs->backing_file ? 0 : BDRV_BLOCK_ZERO;
    case QCOW2_CLUSTER_ZERO_PLAIN:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    case QCOW2_CLUSTER_NORMAL: {
        *map = host;
        *file = s->file;
        int zero = 0;
        if (qcow2_metadata_preallocated(s)) {
            /* Mapped but never written: a hole in the host file reads as zeros. */
            int64_t fnum;
            int fst = blk_block_status(s->file, host, n, &fnum, NULL, NULL);
            if (fst >= 0 && (fst & BDRV_BLOCK_ZERO) && !(fst & BDRV_BLOCK_DATA)) {
                zero = BDRV_BLOCK_ZERO;
            }
            if (fst >= 0 && fnum < *pnum) {
                *pnum = fnum;
            }
        }
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID | zero;
    }
    default:
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
    }
}

/* Shorten the file to its last cluster in use. */
static int qcow2_trim_file(BDRVQcow2State *s)
{
    int64_t len = blk_getlength(s->file);
    if (len < 0) {
        return (int)len;
    }
    uint64_t c = qcow2_size_to_clusters(s, len);
    while (c > 1) {
        uint64_t rc;
        int ret = qcow2_get_refcount(s, c - 1, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc) {
            break;
        }
        c--;
    }
    if ((c << s->cluster_bits) < (uint64_t)len) {
        s->highest_alloc = MIN(s->highest_alloc, c - 1);
        s->free_byte_offset = 0;
        return blk_truncate(s->file, c << s->cluster_bits, true, PREALLOC_MODE_OFF, NULL);
    }
    return 0;
}

static int qcow2_truncate(BlockDriverState *bs, int64_t size, bool shrink,
                          PreallocMode prealloc, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old = s->size;
    int ret = 0;
    if (size % 512) {
        error_setg(errp, "The new size must be a multiple of 512");
        return -EINVAL;
    }
    if ((uint64_t)size < old) {
        if (s->version < 3 && s->nb_snapshots) {
            error_setg(errp, "Can't resize a v2 image which has snapshots");
            return -ENOTSUP;
        }
        if (prealloc != PREALLOC_MODE_OFF) {
            error_setg(errp, "Preallocation can't be used for shrinking an image");
            return -EINVAL;
        }
        uint64_t first = qcow2_align_up(size, s->cluster_size);
        if (first < old) {
            ret = qcow2_discard_clusters(s, first, qcow2_align_up(old, s->cluster_size) - first,
                                         QCOW2_DISCARD_UNMAP);
        }
        /* L2 tables wholly past the end go too. */
        for (uint64_t i = qcow2_l1_entries_for(s->cluster_bits, size);
             i < s->l1_size && ret >= 0; i++) {
            uint64_t l2 = s->l1_table[i] & QCOW2_L1E_OFFSET_MASK;
            if (l2) {
                s->l1_table[i] = 0;
                ret = qcow2_write_l1_entry(s, i);
                if (ret >= 0) {
                    ret = qcow2_update_refcount(s, l2, s->cluster_size, -1, true);
                }
            }
        }
        if (ret >= 0) {
            s->size = size;
            ret = qcow2_header_write_size(s);
        }
        if (ret >= 0) {
            ret = qcow2_trim_file(s);
        }
    } else if ((uint64_t)size > old) {
        if (s->version < 3 && s->nb_snapshots) {
            error_setg(errp, "Can't resize a v2 image which has snapshots");
            return -ENOTSUP;
        }
        ret = qcow2_grow_l1_table(s, qcow2_l1_entries_for(s->cluster_bits, size));
        if (ret == -EFBIG) {
            error_setg(errp, "Active L1 table too large");
            return ret;
        }
        uint64_t tail = MIN((uint64_t)size, qcow2_align_up(old, s->cluster_size));
        if (ret >= 0 && old % s->cluster_size && tail > old) {
            /* Bytes past the old end in its last cluster must read as zeros. */
            uint64_t n = tail - old, host, e;
            int type = qcow2_get_host_offset(s, old, &n, &host, &e);
            s->size = size;
            if (type == QCOW2_CLUSTER_NORMAL || type == QCOW2_CLUSTER_COMPRESSED) {
                uint8_t *zeros = g_malloc0(tail - old);
                ret = qcow2_pwrite_clusters(s, old, zeros, tail - old);
                g_free(zeros);
            } else if (type < 0) {
                ret = type;
            }
        }
        s->size = size;
        if (ret >= 0) {
            ret = qcow2_header_write_size(s);
        }
        if (ret >= 0) {
            ret = qcow2_preallocate(s, old, size, prealloc);
        }
    }
    if (ret < 0 && errp && !*errp) {
        error_setg_errno(errp, -ret, "Failed to resize the image");
    }
    return ret < 0 ? ret : blk_flush(s->file);
}

static void info_add(ImageInfo *info, const char *human, const char *json, int kind,
                     const char *str, bool b, int64_t i)
{
    ImageInfoSpecific *sp = &info->specific[info->nb_specific++];
    sp->human_key = human;
    sp->json_key = json;
    sp->kind = kind;
    sp->str = g_strdup(str);
    sp->b = b;
    sp->i = i;
}

static void qcow2_get_info(BlockDriverState *bs, ImageInfo *info)
{
    BDRVQcow2State *s = bs->opaque;
    info->cluster_size = s->cluster_size;
    info->has_dirty_flag = true;
    info->dirty_flag = (s->incompatible_features & QCOW2_INCOMPAT_DIRTY) && !s->dirty_set_by_us;
    info->specific_type = "qcow2";
    info_add(info, "compat", "compat", INFO_STR, s->version == 2 ? "0.10" : "1.1", 0, 0);
    info_add(info, "compression type", "compression-type", INFO_STR, "zlib", 0, 0);
    if (s->version >= 3) {
        info_add(info, "lazy refcounts", "lazy-refcounts", INFO_BOOL, NULL,
                 s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS, 0);
    }
    info_add(info, "refcount bits", "refcount-bits", INFO_INT, NULL, false,
             1 << s->refcount_order);
    if (s->version >= 3) {
        info_add(info, "corrupt", "corrupt", INFO_BOOL, NULL,
                 s->incompatible_features & QCOW2_INCOMPAT_CORRUPT, 0);
        info_add(info, "extended l2", "extended-l2", INFO_BOOL, NULL, false, 0);
    }
}

static int qcow2_change_backing_file(BlockDriverState *bs, const char *file, const char *fmt,
                                     Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    if (file && strlen(file) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "Backing file name too long");
        return -EINVAL;
    }
    char *old_file = s->image_backing_file, *old_fmt = s->image_backing_format;
    s->image_backing_file = file && *file ? g_strdup(file) : NULL;
    s->image_backing_format = file && *file && fmt ? g_strdup(fmt) : NULL;
    int ret = qcow2_header_write(s);
    if (ret >= 0) {
        ret = blk_flush(s->file);
    }
    if (ret < 0) {
        g_free(s->image_backing_file);
        g_free(s->image_backing_format);
        s->image_backing_file = old_file;
        s->image_backing_format = old_fmt;
        error_setg_errno(errp, -ret, "Could not change the backing file");
        return ret;
    }
    g_free(old_file);
    g_free(old_fmt);
    g_free(bs->backing_file);
    g_free(bs->backing_format);
    bs->backing_file = g_strdup(s->image_backing_file);
    bs->backing_format = g_strdup(s->image_backing_format);
    return 0;
}

static int qcow2_make_empty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = qcow2_discard_clusters(s, 0, s->size, QCOW2_DISCARD_UNMAP);
    return ret < 0 ? ret : blk_flush(s->file);
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .pwrite_compressed = qcow2_pwrite_compressed,
    .pwrite_zeroes = qcow2_pwrite_zeroes,
    .pdiscard = qcow2_pdiscard,
    .flush = qcow2_flush,
    .getlength = qcow2_getlength,
    .truncate = qcow2_truncate,
    .block_status = qcow2_block_status,
    .get_info = qcow2_get_info,
    .check = qcow2_check,
    .get_cluster_size = qcow2_get_cluster_size,
    .create = qcow2_create,
    .create_help = qcow2_create_help,
    .measure = qcow2_measure,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_goto = qcow2_snapshot_goto,
    .snapshot_load_tmp = qcow2_snapshot_load_tmp,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_list = qcow2_snapshot_list,
    .change_backing_file = qcow2_change_backing_file,
    .make_empty = qcow2_make_empty,
};
