/*
 * Inside the block layer: the BlockDriver interface and BlockDriverState.
 * Only block/ includes this; everybody else uses block/block.h.
 *
 * Driver callbacks run with bs->lock held (the layer takes it), so a driver
 * never sees two requests on one BDS at once.  Drivers reach their children
 * through the public blk_* calls, which take the child's own lock: the lock
 * order is always parent before child, and chains are acyclic.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include <glib.h>
#include "block/block.h"

typedef struct BlockDriver {
    const char *format_name;
    size_t instance_size;
    /* Score 0..100 that buf (the first bytes of the file) is this format. */
    int (*probe)(const uint8_t *buf, int buf_size, const char *filename);
    /* Protocol drivers open bs->filename themselves; formats get bs->file. */
    bool is_protocol;

    int (*open)(BlockDriverState *bs, int flags, Error **errp);
    void (*close)(BlockDriverState *bs);
    int (*pread)(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes);
    int (*pwrite)(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes);
    int (*pwrite_compressed)(BlockDriverState *bs, int64_t offset, const void *buf,
                             int64_t bytes);
    /* -ENOTSUP makes the layer write a buffer of zeros instead. */
    int (*pwrite_zeroes)(BlockDriverState *bs, int64_t offset, int64_t bytes, int flags);
    int (*pdiscard)(BlockDriverState *bs, int64_t offset, int64_t bytes);
    int (*flush)(BlockDriverState *bs);
    int64_t (*getlength)(BlockDriverState *bs);
    int64_t (*get_allocated_file_size)(BlockDriverState *bs);
    int (*truncate)(BlockDriverState *bs, int64_t size, bool shrink, PreallocMode prealloc,
                    Error **errp);
    int (*block_status)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        int64_t *pnum, int64_t *map, BlockDriverState **file);
    void (*get_info)(BlockDriverState *bs, ImageInfo *info);
    int (*check)(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix);
    uint32_t (*get_cluster_size)(BlockDriverState *bs);

    bool (*create)(const char *filename, int64_t size, Opts *opts, Error **errp);
    const char *const *create_help;
    bool (*measure)(Opts *opts, BlockDriverState *in, int64_t size, uint64_t *required,
                    uint64_t *fully_allocated, Error **errp);

    int (*snapshot_create)(BlockDriverState *bs, const char *name, Error **errp);
    int (*snapshot_goto)(BlockDriverState *bs, const char *id_or_name, Error **errp);
    int (*snapshot_delete)(BlockDriverState *bs, const char *id_or_name, Error **errp);
    int (*snapshot_list)(BlockDriverState *bs, BlockSnapshotInfo **list);
    /* Read-only images: make reads see a snapshot (id and/or name; NULL: any). */
    int (*snapshot_load_tmp)(BlockDriverState *bs, const char *id, const char *name,
                             Error **errp);

    int (*change_backing_file)(BlockDriverState *bs, const char *file, const char *fmt,
                               Error **errp);
    int (*make_empty)(BlockDriverState *bs);
} BlockDriver;

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;               /* the driver's state, instance_size bytes */
    char *filename;
    int open_flags;
    bool read_only;
    int refcnt;
    GRecMutex lock;             /* serializes every request on this BDS */

    BlockDriverState *file;     /* the host file of a format driver */
    BlockDriverState *backing;
    char *backing_file;         /* as stored in the image; set by the driver */
    char *backing_format;       /* as stored; NULL to probe */
    char *temp_filename;        /* the -snapshot overlay, unlinked on close */

    uint32_t request_alignment; /* I/O offsets and lengths must be multiples */
    bool probed_raw;            /* format guessed: sector 0 writes restricted */
    int in_flight;              /* atomic: asynchronous requests not completed */
};

extern const BlockDriver bdrv_raw;
extern const BlockDriver bdrv_qcow2;

/* Open a host file with the raw driver, as the child of a format driver. */
BlockDriverState *bdrv_open_file(const char *filename, int flags, Error **errp);
/* Open bs's backing file into bs->backing (no-op without one). */
bool bdrv_open_backing(BlockDriverState *bs, Error **errp);

/*
 * For crash tests only: the process exits with RAW_DIE_EXIT_STATUS instead
 * of doing its n-th host file write from now on, as a SIGKILL between two
 * writes of one request would leave the file.
 */
#define RAW_DIE_EXIT_STATUS 77
void raw_die_after_writes(int64_t n);

/* Whether sector 0 with these contents would probe as a format other than raw. */
bool bdrv_sector0_probes_non_raw(const uint8_t *buf, int len);

#endif
