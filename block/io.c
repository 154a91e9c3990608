/*
 * Byte-granular synchronous I/O on a BDS: range checks, alignment for drivers
 * that need it (O_DIRECT), writethrough flushes, the raw sector 0 guard, and
 * block status through a backing chain.  Every entry point holds bs->lock
 * while the driver runs.
 */
#include "block/block-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bounce buffers for unaligned requests are at most this big. */
#define BOUNCE_MAX (1 << 20)

bool buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t i = 0;
    /* Word at a time once aligned: convert scans whole images with this. */
    while (i < len && ((uintptr_t)(p + i) & 7)) {
        if (p[i++]) {
            return false;
        }
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w) {
            return false;
        }
    }
    for (; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static void *bounce_alloc(size_t size, uint32_t align)
{
    void *p = NULL;
    if (posix_memalign(&p, MAX(align, 4096), size)) {
        return NULL;
    }
    return p;
}

static bool is_aligned(BlockDriverState *bs, int64_t offset, int64_t bytes, const void *buf)
{
    uint32_t a = bs->request_alignment;
    return a <= 1 || (offset % a == 0 && bytes % a == 0 && (uintptr_t)buf % a == 0);
}

static int bdrv_check_range(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    if (offset < 0 || bytes < 0 || offset > INT64_MAX - bytes) {
        return -EINVAL;
    }
    /* A protocol file grows on writes (a format appends clusters); formats do not. */
    if (!bs->drv->is_protocol) {
        int64_t len = bs->drv->getlength(bs);
        if (len < 0) {
            return (int)len;
        }
        if (offset + bytes > len) {
            return -EIO;
        }
    }
    return 0;
}

static int bdrv_do_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes)
{
    if (bytes == 0) {
        return 0;
    }
    if (is_aligned(bs, offset, bytes, buf)) {
        return bs->drv->pread(bs, offset, buf, bytes);
    }
    uint32_t a = bs->request_alignment;
    uint8_t *bounce = bounce_alloc(BOUNCE_MAX, a);
    if (!bounce) {
        return -ENOMEM;
    }
    int ret = 0;
    while (bytes > 0) {
        int64_t start = offset - offset % a;
        int64_t end = MIN(offset + bytes, start + BOUNCE_MAX);
        end = (end + a - 1) / a * a;
        ret = bs->drv->pread(bs, start, bounce, end - start);
        if (ret < 0) {
            break;
        }
        int64_t n = MIN(bytes, end - offset);
        memcpy(buf, bounce + (offset - start), n);
        buf = (uint8_t *)buf + n;
        offset += n;
        bytes -= n;
    }
    free(bounce);
    return ret;
}

static int bdrv_do_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes)
{
    if (bytes == 0) {
        return 0;
    }
    if (bs->probed_raw && offset < 512) {
        /* A probed raw image must not become another format under the guest. */
        uint8_t sector[512];
        int ret = bdrv_do_pread(bs, 0, sector, 512);
        if (ret < 0) {
            return ret;
        }
        memcpy(sector + offset, buf, MIN(bytes, 512 - offset));
        if (bdrv_sector0_probes_non_raw(sector, 512)) {
            return -EPERM;
        }
    }
    if (is_aligned(bs, offset, bytes, buf)) {
        return bs->drv->pwrite(bs, offset, buf, bytes);
    }
    uint32_t a = bs->request_alignment;
    uint8_t *bounce = bounce_alloc(BOUNCE_MAX, a);
    if (!bounce) {
        return -ENOMEM;
    }
    int ret = 0;
    while (bytes > 0) {
        int64_t start = offset - offset % a;
        int64_t end = MIN(offset + bytes, start + BOUNCE_MAX);
        end = (end + a - 1) / a * a;
        /* Read-modify-write of the partial blocks at both ends. */
        if (start < offset) {
            ret = bs->drv->pread(bs, start, bounce, a);
        }
        if (ret >= 0 && end > offset + bytes && (end - a > start || start == offset)) {
            ret = bs->drv->pread(bs, end - a, bounce + (end - a - start), a);
        }
        if (ret < 0) {
            break;
        }
        int64_t n = MIN(bytes, end - offset);
        memcpy(bounce + (offset - start), buf, n);
        ret = bs->drv->pwrite(bs, start, bounce, end - start);
        if (ret < 0) {
            break;
        }
        buf = (const uint8_t *)buf + n;
        offset += n;
        bytes -= n;
    }
    free(bounce);
    return ret;
}

static int bdrv_do_flush(BlockDriverState *bs)
{
    if (bs->read_only || (bs->open_flags & BDRV_O_NO_FLUSH) || !bs->drv->flush) {
        return 0;
    }
    return bs->drv->flush(bs);
}

int blk_preadv(BlockDriverState *bs, int64_t offset, const struct iovec *iov, int niov)
{
    int64_t total = 0;
    for (int i = 0; i < niov; i++) {
        total += iov[i].iov_len;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_check_range(bs, offset, total);
    for (int i = 0; i < niov && ret >= 0; i++) {
        ret = bdrv_do_pread(bs, offset, iov[i].iov_base, iov[i].iov_len);
        offset += iov[i].iov_len;
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret < 0 ? ret : 0;
}

int blk_pwritev(BlockDriverState *bs, int64_t offset, const struct iovec *iov, int niov)
{
    int64_t total = 0;
    for (int i = 0; i < niov; i++) {
        total += iov[i].iov_len;
    }
    if (bs->read_only) {
        return -EACCES;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_check_range(bs, offset, total);
    for (int i = 0; i < niov && ret >= 0; i++) {
        ret = bdrv_do_pwrite(bs, offset, iov[i].iov_base, iov[i].iov_len);
        offset += iov[i].iov_len;
    }
    if (ret >= 0 && (bs->open_flags & BDRV_O_WRITETHROUGH)) {
        ret = bdrv_do_flush(bs);
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret < 0 ? ret : 0;
}

int blk_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };
    return blk_preadv(bs, offset, &iov, 1);
}

int blk_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };
    return blk_pwritev(bs, offset, &iov, 1);
}

int blk_pwrite_compressed(BlockDriverState *bs, int64_t offset, const void *buf,
                          int64_t bytes)
{
    if (!bs->drv->pwrite_compressed) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EACCES;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_check_range(bs, offset, bytes);
    if (ret >= 0) {
        ret = bs->drv->pwrite_compressed(bs, offset, buf, bytes);
    }
    if (ret >= 0 && (bs->open_flags & BDRV_O_WRITETHROUGH)) {
        ret = bdrv_do_flush(bs);
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int blk_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes, int flags)
{
    if (bs->read_only) {
        return -EACCES;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_check_range(bs, offset, bytes);
    if (ret >= 0) {
        ret = -ENOTSUP;
        if (bs->drv->pwrite_zeroes && !bs->probed_raw) {
            ret = bs->drv->pwrite_zeroes(bs, offset, bytes, flags);
        }
        if (ret == -ENOTSUP) {
            int64_t chunk = MIN(bytes, BOUNCE_MAX);
            uint8_t *zeros = bounce_alloc(MAX(chunk, 1), bs->request_alignment);
            ret = zeros ? 0 : -ENOMEM;
            if (zeros) {
                memset(zeros, 0, MAX(chunk, 1));
            }
            while (ret >= 0 && bytes > 0) {
                int64_t n = MIN(bytes, chunk);
                ret = bdrv_do_pwrite(bs, offset, zeros, n);
                offset += n;
                bytes -= n;
            }
            free(zeros);
        }
    }
    if (ret >= 0 && (bs->open_flags & BDRV_O_WRITETHROUGH)) {
        ret = bdrv_do_flush(bs);
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int blk_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    if (bs->read_only) {
        return -EACCES;
    }
    if (!bs->drv->pdiscard) {
        return 0;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_check_range(bs, offset, bytes);
    if (ret >= 0) {
        ret = bs->drv->pdiscard(bs, offset, bytes);
        if (ret == -ENOTSUP) {
            ret = 0;    /* discard is advisory */
        }
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int blk_flush(BlockDriverState *bs)
{
    g_rec_mutex_lock(&bs->lock);
    int ret = bdrv_do_flush(bs);
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int64_t blk_getlength(BlockDriverState *bs)
{
    g_rec_mutex_lock(&bs->lock);
    int64_t ret = bs->drv->getlength(bs);
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int64_t bdrv_get_allocated_file_size(BlockDriverState *bs)
{
    if (bs->drv->get_allocated_file_size) {
        return bs->drv->get_allocated_file_size(bs);
    }
    return bs->file ? bdrv_get_allocated_file_size(bs->file) : -ENOTSUP;
}

int blk_truncate(BlockDriverState *bs, int64_t size, bool shrink, PreallocMode prealloc,
                 Error **errp)
{
    if (size < 0) {
        error_setg(errp, "Image size cannot be negative");
        return -EINVAL;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EACCES;
    }
    if (!bs->drv->truncate) {
        error_setg(errp, "Image format driver does not support resize");
        return -ENOTSUP;
    }
    g_rec_mutex_lock(&bs->lock);
    int64_t old = bs->drv->getlength(bs);
    int ret;
    if (old >= 0 && size < old && !shrink) {
        error_setg(errp, "Use the --shrink option to perform a shrink operation.");
        ret = -EINVAL;
    } else {
        ret = bs->drv->truncate(bs, size, shrink, prealloc, errp);
    }
    g_rec_mutex_unlock(&bs->lock);
    return ret;
}

int blk_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum,
                     int64_t *map, BlockDriverState **file)
{
    int64_t dummy_map;
    BlockDriverState *dummy_file;
    map = map ? map : &dummy_map;
    file = file ? file : &dummy_file;
    *map = 0;
    *file = NULL;
    if (bytes <= 0) {
        *pnum = 0;
        return 0;
    }
    if (!bs->drv->block_status) {
        *pnum = bytes;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    }
    g_rec_mutex_lock(&bs->lock);
    int ret = bs->drv->block_status(bs, offset, bytes, pnum, map, file);
    g_rec_mutex_unlock(&bs->lock);
    if (ret >= 0 && (*pnum <= 0 || *pnum > bytes)) {
        *pnum = bytes;  /* a driver bug must not make callers loop forever */
    }
    return ret;
}

int blk_block_status_above(BlockDriverState *bs, int64_t offset, int64_t bytes,
                           int64_t *pnum, int64_t *map, BlockDriverState **file,
                           int *depth)
{
    int d = 0;
    for (BlockDriverState *p = bs;; p = p->backing, d++) {
        int64_t len = blk_getlength(p);
        if (len < 0) {
            return (int)len;
        }
        if (offset >= len) {
            *pnum = bytes;
            *depth = d;
            if (map) {
                *map = 0;
            }
            if (file) {
                *file = NULL;
            }
            return BDRV_BLOCK_ZERO;
        }
        int64_t n;
        int st = blk_block_status(p, offset, MIN(bytes, len - offset), &n, map, file);
        if (st < 0) {
            return st;
        }
        if ((st & BDRV_BLOCK_ALLOCATED) || !p->backing) {
            *pnum = n;
            *depth = d;
            return st;
        }
        bytes = n;
    }
}
