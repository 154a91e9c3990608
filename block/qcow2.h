/*
 * qcow2 internals shared by block/qcow2*.c.  Section names in comments refer
 * to QEMU's docs/interop/qcow2.txt, the format's specification.
 *
 * Crash safety: metadata is written through (every change goes to the file
 * at once, no write-back cache), in this order: refcounts are raised before
 * anything points at a cluster; a new cluster's data is written before the
 * L2 entry that maps it; a new L2 table before the L1 entry; a new table
 * (L1, refcount, snapshot) before the header field that switches to it; old
 * clusters are freed last.  A crash can therefore leak clusters but never
 * leaves metadata that points at unwritten or freed clusters.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include <string.h>
#include "block/block-int.h"

#define QCOW2_MAGIC 0x514649fbU        /* "QFI\xfb" */
#define QCOW2_V2_HEADER_LENGTH 72
#define QCOW2_V3_HEADER_LENGTH 104
#define QCOW2_WRITE_HEADER_LENGTH 112  /* v3 header with compression_type, padded */

#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MAX_BACKING_NAME 1023
/* Implementation limits (the spec's notes on qemu): tables we agree to load. */
#define QCOW2_MAX_L1_BYTES (32 * 1024 * 1024)
#define QCOW2_MAX_REFTABLE_BYTES (8 * 1024 * 1024)
#define QCOW2_MAX_SNAPSHOTS 65536
#define QCOW2_MAX_SNAPSHOT_TABLE_BYTES (64 * 1024 * 1024)
#define QCOW2_MAX_SNAPSHOT_EXTRA 1024
/* Host offsets are 56 bits ("Cluster mapping"). */
#define QCOW2_MAX_HOST_OFFSET (UINT64_C(1) << 56)

/* "Header": incompatible, compatible and autoclear feature bits */
#define QCOW2_INCOMPAT_DIRTY       (UINT64_C(1) << 0)
#define QCOW2_INCOMPAT_CORRUPT     (UINT64_C(1) << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (UINT64_C(1) << 2)
#define QCOW2_INCOMPAT_COMPRESSION (UINT64_C(1) << 3)
#define QCOW2_INCOMPAT_EXTL2       (UINT64_C(1) << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (UINT64_C(1) << 0)
#define QCOW2_AUTOCLEAR_BITMAPS    (UINT64_C(1) << 0)
#define QCOW2_AUTOCLEAR_DATA_FILE_RAW (UINT64_C(1) << 1)

/* "Header extensions" */
#define QCOW2_EXT_END           0x00000000U
#define QCOW2_EXT_BACKING_FMT   0xe2792acaU
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857U
#define QCOW2_EXT_BITMAPS       0x23852875U
#define QCOW2_EXT_CRYPTO        0x0537be77U
#define QCOW2_EXT_DATA_FILE     0x44415441U

/* "Cluster mapping": L1 and L2 entries, refcount table entries */
#define QCOW2_OFLAG_COPIED     (UINT64_C(1) << 63)
#define QCOW2_OFLAG_COMPRESSED (UINT64_C(1) << 62)
#define QCOW2_OFLAG_ZERO       (UINT64_C(1) << 0)
#define QCOW2_L1E_OFFSET_MASK  UINT64_C(0x00fffffffffffe00)
#define QCOW2_L1E_RESERVED     UINT64_C(0x7f000000000001ff)
#define QCOW2_L2E_OFFSET_MASK  UINT64_C(0x00fffffffffffe00)
#define QCOW2_L2E_RESERVED     UINT64_C(0x3f000000000001fe)
#define QCOW2_REFT_OFFSET_MASK UINT64_C(0xfffffffffffffe00)
#define QCOW2_REFT_RESERVED    UINT64_C(0x1ff)

typedef enum {
    QCOW2_CLUSTER_UNALLOCATED,
    QCOW2_CLUSTER_ZERO_PLAIN,   /* zero flag, no host cluster */
    QCOW2_CLUSTER_ZERO_ALLOC,   /* zero flag over a preallocated host cluster */
    QCOW2_CLUSTER_NORMAL,
    QCOW2_CLUSTER_COMPRESSED,
} Qcow2ClusterType;

/* A small LRU cache of cluster-sized tables (L2 tables, refcount blocks). */
typedef struct Qcow2CacheEntry {
    uint64_t offset;    /* 0: empty */
    uint8_t *data;      /* as on disk (big endian) */
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    Qcow2CacheEntry *entries;
    int n;
    uint64_t lru_counter;
} Qcow2Cache;

typedef struct Qcow2Snapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint64_t disk_size;
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    int64_t icount;             /* -1 if not recorded */
    uint8_t *extra_unknown;     /* extra data past the fields we know */
    uint32_t extra_unknown_size;
} Qcow2Snapshot;

typedef struct Qcow2UnknownExt {
    uint32_t magic;
    uint32_t len;
    uint8_t *data;
} Qcow2UnknownExt;

typedef struct BDRVQcow2State {
    BlockDriverState *bs;
    BlockDriverState *file;
    int version;
    int cluster_bits;
    uint32_t cluster_size;
    int l2_bits;
    uint32_t l2_size;           /* entries per L2 table */
    /* "Compressed Clusters Descriptor" */
    int csize_shift;
    uint64_t csize_mask;
    uint64_t cluster_offset_mask;

    uint64_t size;              /* virtual size */
    uint32_t crypt_method;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t *l1_table;         /* host byte order */

    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint64_t refcount_table_size;   /* entries */
    uint64_t *refcount_table;       /* host byte order */
    int refcount_order;
    int refcount_block_bits;        /* log2 of entries per block */
    uint64_t refcount_max;

    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t snapshots_size;        /* bytes */
    Qcow2Snapshot *snapshots;

    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t header_length;
    char *image_backing_file;       /* as in the header (bs->backing_file mirrors it) */
    char *image_backing_format;
    GPtrArray *unknown_exts;        /* Qcow2UnknownExt *, rewritten as found */

    Qcow2Cache l2_cache;
    Qcow2Cache refblock_cache;
    uint64_t free_cluster_index;    /* no free cluster below this one */
    uint64_t free_byte_offset;      /* where the next compressed cluster may go */
    uint64_t highest_alloc;         /* highest cluster index this session allocated */
    uint8_t *cluster_data;          /* last decompressed cluster */
    uint64_t cluster_cache_entry;   /* its L2 entry, 0 if none */

    bool prealloc_checked;          /* qcow2_metadata_preallocated() ran */
    bool prealloc_detected;
    bool broken;                    /* inconsistency found: refuse further writes */
    bool dirty_set_by_us;
} BDRVQcow2State;

/* ---- big-endian helpers ---- */
static inline uint64_t qcow2_be64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return GUINT64_FROM_BE(v);
}

static inline uint32_t qcow2_be32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}

static inline uint16_t qcow2_be16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return GUINT16_FROM_BE(v);
}

static inline void qcow2_put_be64(void *p, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}

static inline void qcow2_put_be32(void *p, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static inline void qcow2_put_be16(void *p, uint16_t v)
{
    v = GUINT16_TO_BE(v);
    memcpy(p, &v, 2);
}

static inline uint64_t qcow2_align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) / align * align;
}

static inline uint64_t qcow2_size_to_clusters(const BDRVQcow2State *s, uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

static inline uint64_t qcow2_offset_into_cluster(const BDRVQcow2State *s, uint64_t off)
{
    return off & (s->cluster_size - 1);
}

/* L1 entries needed to map size bytes. */
static inline uint64_t qcow2_l1_entries_for(int cluster_bits, uint64_t size)
{
    int shift = cluster_bits + (cluster_bits - 3);
    return (size + (1ULL << shift) - 1) >> shift;
}

Qcow2ClusterType qcow2_cluster_type(const BDRVQcow2State *s, uint64_t l2_entry);
/* Host byte range [*start, *start + *len) that a compressed L2 entry covers. */
void qcow2_compressed_range(const BDRVQcow2State *s, uint64_t l2_entry, uint64_t *start,
                            uint64_t *len);

/* Report an inconsistency once and refuse writes from now on; returns -EIO. */
int qcow2_signal_corruption(BDRVQcow2State *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* qcow2-header.c */
/* The list for BDRVQcow2State.unknown_exts. */
GPtrArray *qcow2_unknown_exts_new(void);
int qcow2_header_read(BDRVQcow2State *s, Error **errp);
/* Rewrite the whole header cluster from the state. */
int qcow2_header_write(BDRVQcow2State *s);
/* Write just the incompatible feature bits (the dirty bit). */
int qcow2_header_write_features(BDRVQcow2State *s);
int qcow2_header_write_size(BDRVQcow2State *s);
/* Point the header at a new L1 table / refcount table / snapshot table. */
int qcow2_header_write_l1(BDRVQcow2State *s, uint32_t l1_size, uint64_t l1_offset);
int qcow2_header_write_reftable(BDRVQcow2State *s, uint64_t offset, uint32_t clusters);
int qcow2_header_write_snapshots(BDRVQcow2State *s, uint32_t nb, uint64_t offset);
/* Whether [offset, offset + len) is a valid, cluster aligned table in the file. */
bool qcow2_table_valid(const BDRVQcow2State *s, uint64_t offset, uint64_t len,
                       int64_t file_len);

/* qcow2-cache.c */
void qcow2_cache_init(Qcow2Cache *c, int n);
void qcow2_cache_destroy(Qcow2Cache *c);
/* The table at offset, read from the file unless fresh (then zeroed). */
int qcow2_cache_get(BDRVQcow2State *s, Qcow2Cache *c, uint64_t offset, bool fresh,
                    uint8_t **data);
void qcow2_cache_invalidate(Qcow2Cache *c, uint64_t offset);
void qcow2_cache_clear(Qcow2Cache *c);

/* qcow2-refcount.c */
int qcow2_refcount_init(BDRVQcow2State *s);
int qcow2_get_refcount(BDRVQcow2State *s, uint64_t cluster_index, uint64_t *refcount);
/* Add addend to the refcount of every cluster overlapping [offset, offset + len). */
int qcow2_update_refcount(BDRVQcow2State *s, uint64_t offset, uint64_t len, int64_t addend,
                          bool discard);
/* size bytes of contiguous clusters (tables); their host offset or -errno. */
int64_t qcow2_alloc_clusters(BDRVQcow2State *s, uint64_t size);
/* The first free clusters, at most max_nb of them contiguous (data); *nb got. */
int64_t qcow2_alloc_clusters_upto(BDRVQcow2State *s, uint64_t max_nb, uint64_t *nb);
int64_t qcow2_alloc_bytes(BDRVQcow2State *s, uint64_t size);
/* Drop the reference an L2 entry holds on its host clusters. */
int qcow2_free_l2_entry(BDRVQcow2State *s, uint64_t l2_entry, bool discard);
/* Add addend to every cluster an L1 table (and its L2 tables) references. */
int qcow2_update_l1_refcounts(BDRVQcow2State *s, const uint64_t *l1, uint32_t l1_size,
                              int64_t addend);
/* Set the COPIED flags of the active L1 and L2 tables from the refcounts. */
int qcow2_update_copied_flags(BDRVQcow2State *s);
/* Refcount entry access within a block (exported for the unit tests). */
uint64_t qcow2_refblock_get(const uint8_t *block, uint64_t index, int order);
void qcow2_refblock_set(uint8_t *block, uint64_t index, int order, uint64_t value);

/* qcow2-cluster.c */
/*
 * Map the guest range starting at offset: returns the cluster type of the
 * first cluster and shrinks *bytes to the run of clusters of the same type
 * (contiguous on the host for normal clusters); *host is the host offset of
 * offset for normal clusters, *l2_entry the first cluster's entry.
 */
int qcow2_get_host_offset(BDRVQcow2State *s, uint64_t offset, uint64_t *bytes,
                          uint64_t *host, uint64_t *l2_entry);
int qcow2_pwrite_clusters(BDRVQcow2State *s, uint64_t offset, const uint8_t *buf,
                          uint64_t bytes);
/* Read bytes of guest data the way an unallocated cluster reads (backing or zeros). */
int qcow2_read_backing(BDRVQcow2State *s, uint64_t offset, uint8_t *buf, uint64_t bytes);
typedef enum {
    QCOW2_DISCARD_GUEST,        /* discard request: unallocated or zero (with backing) */
    QCOW2_DISCARD_ZERO,         /* write zeroes: the zero flag */
    QCOW2_DISCARD_UNMAP,        /* deallocate: reads fall through to the backing file */
} Qcow2DiscardMode;
/* Whole clusters [offset, offset + bytes) (cluster aligned). */
int qcow2_discard_clusters(BDRVQcow2State *s, uint64_t offset, uint64_t bytes,
                           Qcow2DiscardMode mode);
/* Writable L2 table for l1_index (allocated or copied on write); its offset. */
int qcow2_l2_for_write(BDRVQcow2State *s, uint64_t l1_index, uint64_t *l2_offset);
int qcow2_grow_l1_table(BDRVQcow2State *s, uint64_t min_size);
int qcow2_write_l1_entry(BDRVQcow2State *s, uint64_t index);
int qcow2_preallocate(BDRVQcow2State *s, uint64_t from, uint64_t to, PreallocMode mode);

/* qcow2-compress.c */
int qcow2_read_compressed(BDRVQcow2State *s, uint64_t l2_entry, uint8_t *cluster);
int qcow2_write_compressed(BDRVQcow2State *s, uint64_t offset, const uint8_t *buf,
                           uint64_t bytes);
/* Raw deflate of one cluster; returns the compressed size or -1 if not smaller. */
ssize_t qcow2_compress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size);
int qcow2_decompress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size);

/* qcow2-snapshot.c */
int qcow2_snapshots_read(BDRVQcow2State *s, Error **errp);
void qcow2_snapshots_free(BDRVQcow2State *s);
int qcow2_snapshot_create(BlockDriverState *bs, const char *name, Error **errp);
int qcow2_snapshot_goto(BlockDriverState *bs, const char *id_or_name, Error **errp);
int qcow2_snapshot_delete(BlockDriverState *bs, const char *id_or_name, Error **errp);
int qcow2_snapshot_load_tmp(BlockDriverState *bs, const char *id, const char *name,
                            Error **errp);
int qcow2_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **list);
/* Read and range-check an L1 table from the file (host byte order). */
int qcow2_read_l1(BDRVQcow2State *s, uint64_t offset, uint32_t size, uint64_t **l1);

/* qcow2-create.c */
bool qcow2_create(const char *filename, int64_t size, Opts *opts, Error **errp);
bool qcow2_measure(Opts *opts, BlockDriverState *in, int64_t size, uint64_t *required,
                   uint64_t *fully_allocated, Error **errp);
extern const char *const qcow2_create_help[];

/* qcow2-check.c */
int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix);
/* The silent repair of an image left dirty (lazy refcounts) when opened read-write. */
int qcow2_repair_dirty(BDRVQcow2State *s);

#endif
