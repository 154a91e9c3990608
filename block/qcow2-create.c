/*
 * Creating qcow2 images and measuring the space one needs.  A new image is
 * laid out as: header cluster, refcount table, refcount blocks, L1 table;
 * preallocation then maps clusters through the normal allocation path.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>

const char *const qcow2_create_help[] = {
    "backing_file", "File name of a base image",
    "backing_fmt", "Image format of the base image",
    "cluster_size", "qcow2 cluster size",
    "compat", "Compatibility level (v2 [0.10] or v3 [1.1])",
    "lazy_refcounts", "Postpone refcount updates",
    "preallocation", "Preallocation mode (allowed values: off, metadata, falloc, full)",
    "refcount_bits", "Width of a reference count entry in bits",
    "size", "Virtual disk size",
    NULL,
};

typedef struct Qcow2CreateOpts {
    int version;
    int cluster_bits;
    int refcount_order;
    bool lazy_refcounts;
    PreallocMode prealloc;
    const char *backing_file;
    const char *backing_fmt;
    bool backing_unsafe;        /* kemu-img create -u: do not open the backing file */
} Qcow2CreateOpts;

static bool qcow2_parse_create_opts(Opts *opts, Qcow2CreateOpts *o, Error **errp)
{
    uint64_t cs, refcount_bits;
    memset(o, 0, sizeof(*o));
    if (!opts_get_size(opts, "cluster_size", 65536, &cs, errp)) {
        return false;
    }
    if (cs < 512 || cs > (2 << 20) || (cs & (cs - 1))) {
        error_setg(errp, "Cluster size must be a power of two between 512 and 2048k");
        return false;
    }
    o->cluster_bits = __builtin_ctzll(cs);
    const char *compat = opts_get(opts, "compat");
    o->version = 3;
    if (compat) {
        if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
            o->version = 2;
        } else if (strcmp(compat, "1.1") && strcmp(compat, "v3")) {
            error_setg(errp, "Parameter 'version' does not accept value '%s'", compat);
            return false;
        }
    }
    if (!opts_get_bool(opts, "lazy_refcounts", false, &o->lazy_refcounts, errp) ||
        !opts_get_uint(opts, "refcount_bits", 16, &refcount_bits, errp)) {
        return false;
    }
    if (!refcount_bits || refcount_bits > 64 || (refcount_bits & (refcount_bits - 1))) {
        error_setg(errp, "Refcount width must be a power of two and may not exceed 64 bits");
        return false;
    }
    o->refcount_order = __builtin_ctzll(refcount_bits);
    const char *prealloc = opts_get(opts, "preallocation");
    o->prealloc = PREALLOC_MODE_OFF;
    if (prealloc && !bdrv_parse_prealloc_mode(prealloc, &o->prealloc, NULL)) {
        error_setg(errp, "Parameter 'preallocation' does not accept value '%s'", prealloc);
        return false;
    }
    o->backing_file = opts_get(opts, "backing_file");
    o->backing_fmt = opts_get(opts, "backing_fmt");
    if (!opts_get_bool(opts, "backing_unsafe", false, &o->backing_unsafe, errp)) {
        return false;
    }
    bool flag = false;
    if ((opts_has(opts, "encryption") &&
         (!opts_get_bool(opts, "encryption", false, &flag, errp) || flag)) ||
        opts_get(opts, "encrypt.format")) {
        if (errp && !*errp) {
            error_setg(errp, "qcow2 encryption is not supported");
        }
        return false;
    }
    if (opts_get(opts, "data_file")) {
        error_setg(errp, "external data files are not supported");
        return false;
    }
    if (!opts_get_bool(opts, "extended_l2", false, &flag, errp)) {
        return false;
    }
    if (flag) {
        error_setg(errp, "Extended L2 entries are not supported");
        return false;
    }
    const char *ctype = opts_get(opts, "compression_type");
    if (ctype && strcmp(ctype, "zlib")) {
        error_setg(errp, "Unsupported compression type '%s' (only zlib is supported)", ctype);
        return false;
    }
    if (o->version < 3 && o->lazy_refcounts) {
        error_setg(errp, "Lazy refcounts only supported with compatibility level 1.1 and "
                   "above (use version=v3 or greater)");
        return false;
    }
    if (o->version < 3 && o->refcount_order != 4) {
        error_setg(errp, "Different refcount widths than 16 bits require compatibility "
                   "level 1.1 or above (use version=v3 or greater)");
        return false;
    }
    if (o->backing_file && o->prealloc != PREALLOC_MODE_OFF) {
        error_setg(errp, "Backing file and preallocation can only be used at the same time "
                   "if extended_l2 is on");
        return false;
    }
    if (o->backing_fmt && !o->backing_file) {
        error_setg(errp, "Backing format cannot be used without backing file");
        return false;
    }
    return opts_check_unused(opts, errp);
}

bool qcow2_create(const char *filename, int64_t size, Opts *opts, Error **errp)
{
    Qcow2CreateOpts o;
    if (!qcow2_parse_create_opts(opts, &o, errp)) {
        return false;
    }
    if (o.backing_file) {
        if (!o.backing_fmt) {
            error_setg(errp, "Backing file specified without backing format");
            return false;
        }
        if (strlen(o.backing_file) > QCOW2_MAX_BACKING_NAME) {
            error_setg(errp, "Backing file name too long");
            return false;
        }
    }
    if (o.backing_file && !o.backing_unsafe) {
        char *path = bdrv_backing_path(filename, o.backing_file);
        BlockDriverState *backing = bdrv_open(path, o.backing_fmt, BDRV_O_NO_BACKING, errp);
        g_free(path);
        if (!backing) {
            error_prepend(errp, "Could not open backing image: ");
            return false;
        }
        if (size < 0) {
            size = blk_getlength(backing);
        }
        bdrv_unref(backing);
    }
    if (size < 0) {
        error_setg(errp, "Image creation needs a size parameter");
        return false;
    }
    size = qcow2_align_up(size, 512);

    BDRVQcow2State s = { 0 };
    s.version = o.version;
    s.cluster_bits = o.cluster_bits;
    s.cluster_size = 1U << o.cluster_bits;
    s.refcount_order = o.refcount_order;
    s.size = size;
    s.l1_size = qcow2_l1_entries_for(o.cluster_bits, size);
    if ((uint64_t)s.l1_size * 8 > QCOW2_MAX_L1_BYTES ||
        qcow2_l1_entries_for(o.cluster_bits, size) > QCOW2_MAX_L1_BYTES / 8) {
        error_setg(errp, "The image size is too large for file format 'qcow2' (try using "
                   "a larger cluster size)");
        return false;
    }
    s.compatible_features = o.lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0;
    s.image_backing_file = (char *)o.backing_file;
    s.image_backing_format = (char *)o.backing_fmt;

    /* Header, refcount table (tc), refcount blocks (bc), L1 table (lc). */
    const uint64_t cs = s.cluster_size;
    const uint64_t rbe = 1ULL << (o.cluster_bits + 3 - o.refcount_order);
    uint64_t lc = qcow2_align_up((uint64_t)s.l1_size * 8, cs) / cs;
    uint64_t tc = 1, bc = 1;
    for (;;) {
        uint64_t nbc = (1 + tc + bc + lc + rbe - 1) / rbe;
        uint64_t ntc = (nbc * 8 + cs - 1) / cs;
        if (nbc == bc && ntc == tc) {
            break;
        }
        bc = nbc;
        tc = ntc;
    }
    uint64_t total = 1 + tc + bc + lc;
    s.refcount_table_offset = cs;
    s.refcount_table_clusters = tc;
    s.l1_table_offset = s.l1_size ? (1 + tc + bc) * cs : 0;

    Opts *raw_opts = opts_new();
    bool ok = bdrv_raw.create(filename, 0, raw_opts, errp);
    opts_free(raw_opts);
    if (!ok) {
        return false;
    }
    s.file = bdrv_open_file(filename, BDRV_O_RDWR, errp);
    if (!s.file) {
        return false;
    }
    s.unknown_exts = qcow2_unknown_exts_new();
    int ret = qcow2_header_write(&s);
    uint8_t *buf = g_malloc0(MAX(tc, bc) * cs);
    for (uint64_t r = 0; r < bc && ret >= 0; r++) {
        qcow2_put_be64(buf + r * 8, (1 + tc + r) * cs);
    }
    if (ret >= 0) {
        ret = blk_pwrite(s.file, cs, buf, tc * cs);
    }
    memset(buf, 0, MAX(tc, bc) * cs);
    for (uint64_t i = 0; i < total; i++) {
        qcow2_refblock_set(buf + (i / rbe) * cs, i % rbe, o.refcount_order, 1);
    }
    if (ret >= 0) {
        ret = blk_pwrite(s.file, (1 + tc) * cs, buf, bc * cs);
    }
    g_free(buf);
    if (ret >= 0 && s.l1_size) {
        uint8_t *zeros = g_malloc0((uint64_t)s.l1_size * 8);
        ret = blk_pwrite(s.file, s.l1_table_offset, zeros, (uint64_t)s.l1_size * 8);
        g_free(zeros);
    }
    if (ret >= 0) {
        ret = blk_flush(s.file);
    }
    g_ptr_array_free(s.unknown_exts, true);
    bdrv_unref(s.file);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
        return false;
    }
    if (o.prealloc != PREALLOC_MODE_OFF) {
        BlockDriverState *bs = bdrv_open(filename, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING,
                                         errp);
        if (!bs) {
            return false;
        }
        g_rec_mutex_lock(&bs->lock);
        ret = qcow2_preallocate(bs->opaque, 0, size, o.prealloc);
        g_rec_mutex_unlock(&bs->lock);
        bdrv_unref(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not preallocate the image");
            return false;
        }
    }
    return true;
}

/* Metadata clusters of a fully allocated image of size bytes. */
static uint64_t qcow2_meta_clusters(uint64_t size, int cluster_bits, int refcount_order)
{
    const uint64_t cs = 1ULL << cluster_bits;
    const uint64_t rbe = 1ULL << (cluster_bits + 3 - refcount_order);
    uint64_t clusters = (size + cs - 1) / cs;
    uint64_t l2 = (clusters + (cs / 8) - 1) / (cs / 8);
    uint64_t l1 = (l2 * 8 + cs - 1) / cs;
    uint64_t tc = 1, bc = 1;
    for (;;) {
        uint64_t nbc = (1 + l1 + l2 + clusters + tc + bc + rbe - 1) / rbe;
        uint64_t ntc = (nbc * 8 + cs - 1) / cs;
        if (nbc == bc && ntc == tc) {
            break;
        }
        bc = nbc;
        tc = ntc;
    }
    return 1 + l1 + l2 + tc + bc;
}

bool qcow2_measure(Opts *opts, BlockDriverState *in, int64_t size, uint64_t *required,
                   uint64_t *fully_allocated, Error **errp)
{
    Qcow2CreateOpts o;
    if (!qcow2_parse_create_opts(opts, &o, errp)) {
        return false;
    }
    const uint64_t cs = 1ULL << o.cluster_bits;
    uint64_t data = 0;
    if (in) {
        size = blk_getlength(in);
        if (size < 0) {
            error_setg_errno(errp, (int)-size, "Unable to get image virtual_size");
            return false;
        }
        uint64_t last = UINT64_MAX;
        for (int64_t off = 0; off < size;) {
            int64_t pnum;
            int depth;
            int st = blk_block_status_above(in, off, size - off, &pnum, NULL, NULL, &depth);
            if (st < 0) {
                error_setg_errno(errp, -st, "Unable to get block status");
                return false;
            }
            if ((st & BDRV_BLOCK_DATA) && !(st & BDRV_BLOCK_ZERO)) {
                uint64_t first = off / cs, end = (off + pnum - 1) / cs;
                data += end - first + 1 - (first == last);
                last = end;
            }
            off += pnum;
        }
    }
    size = qcow2_align_up(size, 512);
    uint64_t meta = qcow2_meta_clusters(size, o.cluster_bits, o.refcount_order) * cs;
    *fully_allocated = meta + qcow2_align_up(size, cs);
    *required = meta + data * cs;
    if (o.prealloc == PREALLOC_MODE_FALLOC || o.prealloc == PREALLOC_MODE_FULL) {
        *required = *fully_allocated;
    }
    return true;
}
