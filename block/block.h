/*
 * The block layer: disk images behind a driver interface (raw, qcow2).
 *
 * A BlockDriverState (BDS) is one open image.  A format image (qcow2) reads
 * its own file through a child BDS (bs->file, the raw driver) and unallocated
 * data through its backing image (bs->backing), which may itself have one.
 * BDSes are reference counted: bdrv_open() returns one reference,
 * bdrv_unref() drops it and closes the image (and its children) at zero.
 *
 * I/O entry points (blk_*) take byte offsets and lengths; the layer splits
 * and aligns them for drivers that need sectors (O_DIRECT).  They return 0
 * or a negative errno.  Every call takes the BDS's own lock, so requests to
 * one image are serialized (qcow2 metadata is not thread safe); different
 * images run in parallel.  The asynchronous calls (blk_aio_*) run the same
 * synchronous code in a GLib thread pool and deliver completions in the main
 * loop through a bottom half, so a device model never blocks a vCPU on disk
 * I/O.  Requests in flight at the same time complete in any order.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "util/error.h"
#include "util/opts.h"

typedef struct BlockDriverState BlockDriverState;

/* Open flags (bdrv_open) */
enum {
    BDRV_O_RDWR         = 1 << 0,
    BDRV_O_NOCACHE      = 1 << 1,   /* O_DIRECT on the host file */
    BDRV_O_NO_FLUSH     = 1 << 2,   /* cache=unsafe: flushes succeed without syncing */
    BDRV_O_WRITETHROUGH = 1 << 3,   /* flush after every write before completing it */
    BDRV_O_SNAPSHOT     = 1 << 4,   /* writes go to a temporary qcow2 overlay */
    BDRV_O_NO_BACKING   = 1 << 5,   /* do not open the backing file */
    BDRV_O_CHECK        = 1 << 6,   /* opened for check/repair: no automatic repair */
};

/* Flags of blk_pwrite_zeroes */
enum {
    BDRV_REQ_MAY_UNMAP  = 1 << 0,   /* the range may be deallocated */
};

/*
 * cache=writeback|writethrough|none|directsync|unsafe into BDRV_O_* flags:
 * *flags has its cache bits replaced.  False with errp set on an unknown mode.
 */
bool bdrv_parse_cache_mode(const char *mode, int *flags, Error **errp);
/* The cache mode name of flags ("writeback", ...). */
const char *bdrv_cache_mode_name(int flags);

/*
 * Open filename with the driver named format ("raw", "qcow2"), or probe the
 * format when format is NULL.  When probing guesses raw for an image opened
 * read-write, a warning is printed and writes that would turn sector 0 into
 * another format's header are refused.  The backing chain is opened read-only.
 */
BlockDriverState *bdrv_open(const char *filename, const char *format, int flags,
                            Error **errp);
void bdrv_ref(BlockDriverState *bs);
/* Drop a reference; the last one waits for in-flight requests, flushes and closes. */
void bdrv_unref(BlockDriverState *bs);

const char *bdrv_get_format_name(const BlockDriverState *bs);
const char *bdrv_get_filename(const BlockDriverState *bs);
bool bdrv_is_read_only(const BlockDriverState *bs);
int bdrv_get_flags(const BlockDriverState *bs);
/* The backing image (NULL if none or not opened). */
BlockDriverState *bdrv_get_backing(const BlockDriverState *bs);
/* Whether the driver stores compressed clusters (convert -c). */
bool bdrv_supports_compression(const BlockDriverState *bs);
/* Largest useful request granularity: the cluster size for qcow2, else 0. */
uint32_t bdrv_get_cluster_size(const BlockDriverState *bs);

/* ---- Synchronous I/O (0 or -errno) ---------------------------------------- */
int blk_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes);
int blk_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes);
int blk_preadv(BlockDriverState *bs, int64_t offset, const struct iovec *iov, int niov);
int blk_pwritev(BlockDriverState *bs, int64_t offset, const struct iovec *iov, int niov);
/* Write one whole cluster (or the image's last, partial one) compressed. */
int blk_pwrite_compressed(BlockDriverState *bs, int64_t offset, const void *buf,
                          int64_t bytes);
int blk_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes, int flags);
/* Tell the image the range is unused; it may read back as zeros or old data. */
int blk_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes);
int blk_flush(BlockDriverState *bs);
/* Virtual size in bytes, or -errno. */
int64_t blk_getlength(BlockDriverState *bs);
/* Bytes the image occupies on the host (st_blocks), or -errno. */
int64_t bdrv_get_allocated_file_size(BlockDriverState *bs);

typedef enum {
    PREALLOC_MODE_OFF,
    PREALLOC_MODE_METADATA,
    PREALLOC_MODE_FALLOC,
    PREALLOC_MODE_FULL,
} PreallocMode;
bool bdrv_parse_prealloc_mode(const char *str, PreallocMode *mode, Error **errp);

/* Resize to size bytes; shrinking must be asked for explicitly. */
int blk_truncate(BlockDriverState *bs, int64_t size, bool shrink, PreallocMode prealloc,
                 Error **errp);

/* Block status flags */
enum {
    BDRV_BLOCK_DATA         = 1 << 0,   /* reads come from stored data */
    BDRV_BLOCK_ZERO         = 1 << 1,   /* reads as zeros */
    BDRV_BLOCK_OFFSET_VALID = 1 << 2,   /* *map is the host offset in *file */
    BDRV_BLOCK_ALLOCATED    = 1 << 3,   /* this layer decides the content */
    BDRV_BLOCK_COMPRESSED   = 1 << 4,
};
/*
 * Status of [offset, offset + bytes) in this layer only: returns BDRV_BLOCK_*
 * flags valid for the first *pnum bytes (>= 1), or -errno.  Unallocated ranges
 * of an image with a backing file return 0 (ask the backing image).
 */
int blk_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes, int64_t *pnum,
                     int64_t *map, BlockDriverState **file);
/*
 * Same through the backing chain: *depth is the layer (0 = bs) that decides
 * the content.  Ranges past every layer read as zeros (BDRV_BLOCK_ZERO, depth
 * of the last layer).
 */
int blk_block_status_above(BlockDriverState *bs, int64_t offset, int64_t bytes,
                           int64_t *pnum, int64_t *map, BlockDriverState **file,
                           int *depth);

/* Whether buf is all zeros (sparse copies skip such pieces). */
bool buffer_is_zero(const void *buf, size_t len);

/* ---- Asynchronous I/O ------------------------------------------------------ */
/* Called in the main loop (BQL held) with 0 or -errno. */
typedef void BlockCompletionFunc(void *opaque, int ret);

/*
 * Queue a request; cb runs later in the main loop (never inside the call).
 * The iovec array is copied; the memory it points to must stay valid until cb.
 * Needs main_loop_init() to have run.
 */
void blk_aio_preadv(BlockDriverState *bs, int64_t offset, const struct iovec *iov,
                    int niov, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwritev(BlockDriverState *bs, int64_t offset, const struct iovec *iov,
                     int niov, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes,
                   BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes,
                    BlockCompletionFunc *cb, void *opaque);
void blk_aio_flush(BlockDriverState *bs, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque);
/* Wait for every request queued on bs and run their callbacks (main thread). */
void blk_drain(BlockDriverState *bs);
/* Requests queued on bs whose callback has not run yet. */
int blk_in_flight(BlockDriverState *bs);

/* ---- Image creation --------------------------------------------------------- */
/*
 * Create an image of size bytes.  opts holds the format's -o options
 * (qcow2: cluster_size, compat, backing_file, backing_fmt, preallocation,
 * lazy_refcounts, refcount_bits, and backing_unsafe=on for kemu-img create -u:
 * do not open the backing file; raw: preallocation); NULL for none.  Options
 * nobody read are an error.  With a backing file and size -1, the size is
 * the backing image's.
 */
bool bdrv_create(const char *format, const char *filename, int64_t size, Opts *opts,
                 Error **errp);
/* The option names and help of a format, NULL-terminated pairs. */
const char *const *bdrv_create_options_help(const char *format);
/* Whether a format driver with this name exists. */
bool bdrv_format_known(const char *format);

/* ---- Information ------------------------------------------------------------ */
typedef struct BlockSnapshotInfo {
    char *id;
    char *name;
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    int64_t icount;         /* -1: not recorded */
    uint64_t disk_size;     /* virtual size when taken */
} BlockSnapshotInfo;

/* One line of "Format specific information" (info) in the order shown. */
typedef struct ImageInfoSpecific {
    const char *human_key;  /* "lazy refcounts" */
    const char *json_key;   /* "lazy-refcounts" */
    enum { INFO_STR, INFO_BOOL, INFO_INT } kind;
    char *str;
    bool b;
    int64_t i;
} ImageInfoSpecific;

typedef struct ImageInfo {
    char *filename;
    char *format;
    int64_t virtual_size;
    int64_t actual_size;    /* -1 if unknown */
    int64_t cluster_size;   /* 0 if the format has none */
    char *backing_filename;         /* as stored in the image */
    char *full_backing_filename;    /* resolved against the image's directory */
    char *backing_format;
    bool dirty_flag;
    bool has_dirty_flag;
    bool encrypted;
    BlockSnapshotInfo *snapshots;
    int nb_snapshots;
    const char *specific_type;      /* "qcow2"; NULL if no specific part */
    ImageInfoSpecific specific[8];
    int nb_specific;
} ImageInfo;

ImageInfo *bdrv_get_image_info(BlockDriverState *bs, Error **errp);
void bdrv_image_info_free(ImageInfo *info);

/* ---- Consistency checks ------------------------------------------------------ */
typedef enum {
    BDRV_FIX_NONE = 0,
    BDRV_FIX_LEAKS = 1,
    BDRV_FIX_ERRORS = 2,
} BdrvCheckMode;

typedef struct BdrvCheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;
    int64_t total_clusters;
    int64_t allocated_clusters;
    int64_t fragmented_clusters;
    int64_t compressed_clusters;
} BdrvCheckResult;

/* -ENOTSUP if the format has no checks; details are printed on stderr. */
int bdrv_check(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix);

/* ---- Internal snapshots --------------------------------------------------------- */
bool bdrv_can_snapshot(BlockDriverState *bs);
/* Take a snapshot called name (the ID is chosen by the driver). */
bool bdrv_snapshot_create(BlockDriverState *bs, const char *name, Error **errp);
/* Revert to / delete the snapshot whose ID or name is id_or_name. */
bool bdrv_snapshot_goto(BlockDriverState *bs, const char *id_or_name, Error **errp);
bool bdrv_snapshot_delete(BlockDriverState *bs, const char *id_or_name, Error **errp);
/* Number of snapshots, *list g_free'd with bdrv_snapshot_list_free; -errno. */
int bdrv_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **list);
/*
 * On an image opened read-only, make reads return the snapshot whose ID is
 * id and name is name (either may be NULL) until it is closed (convert -l).
 */
bool bdrv_snapshot_load_tmp(BlockDriverState *bs, const char *id, const char *name,
                            Error **errp);
void bdrv_snapshot_list_free(BlockSnapshotInfo *list, int n);

/* ---- Backing chains -------------------------------------------------------------- */
/* Rewrite the backing file name/format stored in the image (no data moves). */
bool bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                              const char *backing_fmt, Error **errp);
/*
 * Write the data allocated in bs into its backing image (reopened
 * read-write for the time of the commit), then empty bs unless keep.
 * This is the monitor's "commit" and kemu-img commit.
 */
bool bdrv_commit(BlockDriverState *bs, bool keep, Error **errp);
/* Deallocate everything in bs so reads fall through to the backing image. */
int bdrv_make_empty(BlockDriverState *bs);

/* Resolve a backing name stored in base_filename's image, as opening it would. */
char *bdrv_backing_path(const char *base_filename, const char *backing);

/*
 * Space an image of format needs for size bytes (or for the allocated data
 * of in, when in is not NULL): required and fully allocated, in bytes.
 */
bool bdrv_measure(const char *format, Opts *opts, BlockDriverState *in, int64_t size,
                  uint64_t *required, uint64_t *fully_allocated, Error **errp);

#endif
