/*
 * raw: a host file or block device read and written as is.  It is both the
 * "raw" format and the host file below a format driver (bs->file).
 * Reads past the end of a file return zeros (a format's last cluster may be
 * shorter on disk); holes are punched for discards.
 */
#include "block/block-int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct RawState {
    int fd;
    bool is_blockdev;
    bool no_discard;    /* the host said it cannot punch holes */
    bool no_zero_range;
} RawState;

static const char *const raw_create_help[] = {
    "preallocation", "Preallocation mode (allowed values: off, falloc, full)",
    "size", "Virtual disk size",
    NULL,
};

static int raw_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    return 1;   /* anything is raw, as the last resort */
}

static int raw_open(BlockDriverState *bs, int flags, Error **errp)
{
    RawState *s = bs->opaque;
    int oflags = O_CLOEXEC | ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY);
    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    s->fd = open(bs->filename, oflags);
    if (s->fd < 0) {
        int err = errno;
        if (err == EINVAL && (flags & BDRV_O_NOCACHE)) {
            error_setg(errp, "Could not open '%s': filesystem does not support O_DIRECT",
                       bs->filename);
        } else {
            error_setg_errno(errp, err, "Could not open '%s'", bs->filename);
        }
        return -err;
    }
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        int err = errno;
        error_setg_errno(errp, err, "Could not stat '%s'", bs->filename);
        close(s->fd);
        return -err;
    }
    if (S_ISDIR(st.st_mode)) {
        error_setg(errp, "'%s' is a directory", bs->filename);
        close(s->fd);
        return -EISDIR;
    }
    s->is_blockdev = S_ISBLK(st.st_mode);
    if (flags & BDRV_O_NOCACHE) {
        int sector = 0;
        /* Block devices say their logical sector; 4 KiB is safe for files. */
        if (s->is_blockdev && ioctl(s->fd, BLKSSZGET, &sector) == 0 && sector > 0) {
            bs->request_alignment = sector;
        } else {
            bs->request_alignment = 4096;
        }
    }
    return 0;
}

static void raw_close(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static int raw_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes)
{
    RawState *s = bs->opaque;
    uint8_t *p = buf;
    while (bytes > 0) {
        ssize_t n = pread(s->fd, p, MIN(bytes, 1 << 30), offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, bytes);    /* past the end of the file */
            return 0;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

/* Crash tests: how many more host writes before the process dies (0: never). */
static int64_t raw_die_countdown;

void raw_die_after_writes(int64_t n)
{
    raw_die_countdown = n;
}

static int raw_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes)
{
    RawState *s = bs->opaque;
    if (raw_die_countdown > 0 && --raw_die_countdown == 0) {
        _exit(RAW_DIE_EXIT_STATUS);     /* as if killed between two writes */
    }
    const uint8_t *p = buf;
    while (bytes > 0) {
        ssize_t n = pwrite(s->fd, p, MIN(bytes, 1 << 30), offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return -ENOSPC;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

static int raw_flush(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    return fdatasync(s->fd) < 0 ? -errno : 0;
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    if (s->is_blockdev) {
        uint64_t size;
        if (ioctl(s->fd, BLKGETSIZE64, &size) < 0) {
            return -errno;
        }
        return (int64_t)size;
    }
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    /* Whole sectors, as qemu-img reports: the tail past the file reads as zeros. */
    return (st.st_size + 511) & ~(int64_t)511;
}

static int64_t raw_get_allocated_file_size(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

static int raw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    RawState *s = bs->opaque;
    if (s->no_discard) {
        return -ENOTSUP;
    }
    int ret;
    if (s->is_blockdev) {
        uint64_t range[2] = { offset, bytes };
        ret = ioctl(s->fd, BLKDISCARD, range);
    } else {
        ret = fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, bytes);
    }
    if (ret < 0) {
        if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL) {
            s->no_discard = true;
            return -ENOTSUP;
        }
        return -errno;
    }
    return 0;
}

static int raw_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes, int flags)
{
    RawState *s = bs->opaque;
    if (s->is_blockdev) {
        return -ENOTSUP;
    }
    int64_t len = raw_getlength(bs);
    if (len >= 0 && offset + bytes <= len && (flags & BDRV_REQ_MAY_UNMAP) &&
        raw_pdiscard(bs, offset, bytes) == 0) {
        return 0;   /* holes in a file read back as zeros */
    }
    if (s->no_zero_range) {
        return -ENOTSUP;
    }
    if (fallocate(s->fd, FALLOC_FL_ZERO_RANGE, offset, bytes) < 0) {
        if (errno == EOPNOTSUPP || errno == EINVAL) {
            s->no_zero_range = true;
            return -ENOTSUP;
        }
        return -errno;
    }
    return 0;
}

static int raw_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                            int64_t *pnum, int64_t *map, BlockDriverState **file)
{
    RawState *s = bs->opaque;
    *map = offset;
    *file = bs;
    const int flags = BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
    if (s->is_blockdev) {
        *pnum = bytes;
        return flags | BDRV_BLOCK_DATA;
    }
    off_t data = lseek(s->fd, offset, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) {   /* a hole up to the end of the file */
            *pnum = bytes;
            return flags | BDRV_BLOCK_ZERO;
        }
        *pnum = bytes;
        return flags | BDRV_BLOCK_DATA;
    }
    if (data > offset) {
        *pnum = MIN(bytes, data - offset);
        return flags | BDRV_BLOCK_ZERO;
    }
    off_t hole = lseek(s->fd, offset, SEEK_HOLE);
    if (hole < 0 || hole <= offset) {
        *pnum = bytes;
    } else {
        *pnum = MIN(bytes, hole - offset);
    }
    return flags | BDRV_BLOCK_DATA;
}

static int raw_preallocate(int fd, int64_t old, int64_t size, PreallocMode prealloc,
                           Error **errp)
{
    if (prealloc == PREALLOC_MODE_FALLOC) {
        int err = posix_fallocate(fd, old, size - old);
        if (err) {
            error_setg_errno(errp, err, "Could not preallocate data for the new area");
            return -err;
        }
    } else if (prealloc == PREALLOC_MODE_FULL) {
        static const uint8_t zeros[65536];
        for (int64_t off = old; off < size;) {
            ssize_t n = pwrite(fd, zeros, MIN((int64_t)sizeof(zeros), size - off), off);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                error_setg_errno(errp, errno, "Could not write zeros for preallocation");
                return -errno;
            }
            off += n;
        }
    }
    return 0;
}

static int raw_truncate(BlockDriverState *bs, int64_t size, bool shrink,
                        PreallocMode prealloc, Error **errp)
{
    RawState *s = bs->opaque;
    int64_t old = raw_getlength(bs);
    if (old < 0) {
        error_setg_errno(errp, (int)-old, "Could not get the current size");
        return (int)old;
    }
    if (s->is_blockdev) {
        if (size > old) {
            error_setg(errp, "Cannot grow device files");
            return -EINVAL;
        }
        return 0;
    }
    if (prealloc == PREALLOC_MODE_METADATA) {
        error_setg(errp, "Unsupported preallocation mode 'metadata'");
        return -ENOTSUP;
    }
    if (size > old && prealloc != PREALLOC_MODE_OFF) {
        return raw_preallocate(s->fd, old, size, prealloc, errp);
    }
    if (ftruncate(s->fd, size) < 0) {
        int err = errno;
        error_setg_errno(errp, err, "Failed to resize the file");
        return -err;
    }
    return 0;
}

static bool raw_create(const char *filename, int64_t size, Opts *opts, Error **errp)
{
    PreallocMode prealloc = PREALLOC_MODE_OFF;
    const char *p = opts_get(opts, "preallocation");
    if (p && !bdrv_parse_prealloc_mode(p, &prealloc, errp)) {
        return false;
    }
    if (prealloc == PREALLOC_MODE_METADATA) {
        error_setg(errp, "Unsupported preallocation mode 'metadata'");
        return false;
    }
    if (!opts_check_unused(opts, errp)) {
        return false;
    }
    if (size < 0) {
        error_setg(errp, "Image creation needs a size parameter");
        return false;
    }
    int fd = open(filename, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", filename);
        return false;
    }
    struct stat st;
    bool ok = true;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (ftruncate(fd, 0) < 0 || ftruncate(fd, size) < 0) {
            error_setg_errno(errp, errno, "Could not resize file");
            ok = false;
        } else if (raw_preallocate(fd, 0, size, prealloc, errp) < 0) {
            ok = false;
        }
    }
    close(fd);
    return ok;
}

static bool raw_measure(Opts *opts, BlockDriverState *in, int64_t size, uint64_t *required,
                        uint64_t *fully_allocated, Error **errp)
{
    if (in) {
        size = blk_getlength(in);
        if (size < 0) {
            error_setg_errno(errp, (int)-size, "Unable to get image virtual_size");
            return false;
        }
    }
    *required = size;
    *fully_allocated = size;
    return true;
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(RawState),
    .probe = raw_probe,
    .is_protocol = true,
    .open = raw_open,
    .close = raw_close,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .pwrite_zeroes = raw_pwrite_zeroes,
    .pdiscard = raw_pdiscard,
    .flush = raw_flush,
    .getlength = raw_getlength,
    .get_allocated_file_size = raw_get_allocated_file_size,
    .truncate = raw_truncate,
    .block_status = raw_block_status,
    .create = raw_create,
    .create_help = raw_create_help,
    .measure = raw_measure,
};
