/*
 * qcow2 consistency check and repair: count the references every piece of
 * metadata makes (header, L1/L2 tables of the active state and of every
 * snapshot, the snapshot table, the refcount structures), compare them with
 * the stored refcounts and the COPIED flags, and optionally repair:
 * leaks in place, refcounts that are too low by writing a new refcount
 * structure after the end of the file, COPIED flags from the refcounts.
 * Messages follow qemu-img check's.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

typedef struct CheckState {
    BDRVQcow2State *s;
    BdrvCheckResult *res;
    bool quiet;
    uint64_t nb;            /* clusters in the file */
    int64_t file_len;
    uint32_t *refs;         /* references counted, per cluster */
    int copied_errors;      /* COPIED mismatches (fixable) */
    int refcount_errors;    /* refcount below references (fixable) */
    uint64_t next_contiguous;
} CheckState;

static void check_msg(CheckState *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void check_msg(CheckState *c, const char *fmt, ...)
{
    if (c->quiet) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static void check_inc(CheckState *c, uint64_t offset, uint64_t len)
{
    if (!len) {
        return;
    }
    uint64_t first = offset >> c->s->cluster_bits;
    uint64_t last = (offset + len - 1) >> c->s->cluster_bits;
    for (uint64_t i = first; i <= last; i++) {
        if (i >= c->nb) {
            check_msg(c, "ERROR: cluster %" PRIu64 " is beyond the end of the image file\n",
                      i);
            c->res->corruptions++;
            return;
        }
        if (c->refs[i] < UINT32_MAX) {
            c->refs[i]++;
        }
    }
}

static uint64_t stored_refcount(CheckState *c, uint64_t cluster)
{
    uint64_t rc = 0;
    if (qcow2_get_refcount(c->s, cluster, &rc) < 0) {
        c->res->check_errors++;
    }
    return rc;
}

static void check_l2(CheckState *c, uint64_t l2_off, bool active)
{
    BDRVQcow2State *s = c->s;
    uint8_t *t = g_malloc(s->cluster_size);
    c->next_contiguous = 0;     /* fragmentation is counted within each L2 table */
    if (blk_pread(s->file, l2_off, t, s->cluster_size) < 0) {
        check_msg(c, "ERROR: I/O error in check_refcounts_l2\n");
        c->res->check_errors++;
        g_free(t);
        return;
    }
    for (uint32_t j = 0; j < s->l2_size; j++) {
        uint64_t e = qcow2_be64(t + j * 8);
        uint64_t start, len;
        switch (qcow2_cluster_type(s, e)) {
        case QCOW2_CLUSTER_COMPRESSED:
            if (e & QCOW2_OFLAG_COPIED) {
                check_msg(c, "ERROR: coffset=0x%" PRIx64 ": Compressed cluster has "
                          "OFLAG_COPIED set\n", e & s->cluster_offset_mask);
                c->res->corruptions++;
            }
            qcow2_compressed_range(s, e, &start, &len);
            check_inc(c, start, len);
            if (active) {
                c->res->allocated_clusters++;
                c->res->compressed_clusters++;
                c->res->fragmented_clusters++;
            }
            break;
        case QCOW2_CLUSTER_NORMAL:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            start = e & QCOW2_L2E_OFFSET_MASK;
            if (e & (QCOW2_L2E_RESERVED & ~QCOW2_OFLAG_ZERO)) {
                check_msg(c, "ERROR offset=%" PRIx64 ": Cluster is not properly aligned; "
                          "L2 entry corrupted.\n", e & ~QCOW2_OFLAG_COPIED);
                c->res->corruptions++;
                break;
            }
            check_inc(c, start, s->cluster_size);
            if (active) {
                c->res->allocated_clusters++;
                if (c->next_contiguous && start != c->next_contiguous) {
                    c->res->fragmented_clusters++;
                }
                c->next_contiguous = start + s->cluster_size;
            }
            break;
        default:
            break;
        }
    }
    g_free(t);
}

static void check_l1(CheckState *c, const uint64_t *l1, uint32_t l1_size, bool active)
{
    BDRVQcow2State *s = c->s;
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t e = l1[i];
        uint64_t l2_off = e & QCOW2_L1E_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        if ((e & QCOW2_L1E_RESERVED) || l2_off % s->cluster_size) {
            check_msg(c, "ERROR l2_offset=%" PRIx64 ": Table is not cluster aligned; L1 entry "
                      "corrupted\n", l2_off);
            c->res->corruptions++;
            continue;
        }
        if (l2_off + s->cluster_size > (uint64_t)c->file_len) {
            check_msg(c, "ERROR l2_offset=%" PRIx64 ": Table is beyond the end of the "
                      "file; L1 entry corrupted\n", l2_off);
            c->res->corruptions++;
            continue;
        }
        check_inc(c, l2_off, s->cluster_size);
        check_l2(c, l2_off, active);
    }
}

/* The COPIED flags of the active tables against the stored refcounts. */
static void check_copied(CheckState *c)
{
    BDRVQcow2State *s = c->s;
    uint8_t *t = g_malloc(s->cluster_size);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t e = s->l1_table[i];
        uint64_t l2_off = e & QCOW2_L1E_OFFSET_MASK;
        if (!l2_off || (e & QCOW2_L1E_RESERVED) || l2_off % s->cluster_size ||
            l2_off + s->cluster_size > (uint64_t)c->file_len) {
            continue;   /* reported by the walk */
        }
        uint64_t rc = stored_refcount(c, l2_off >> s->cluster_bits);
        if ((rc == 1) != !!(e & QCOW2_OFLAG_COPIED)) {
            check_msg(c, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%" PRIx64
                      " refcount=%" PRIu64 "\n", i, e, rc);
            c->res->corruptions++;
            c->copied_errors++;
        }
        if (blk_pread(s->file, l2_off, t, s->cluster_size) < 0) {
            c->res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t l2e = qcow2_be64(t + j * 8);
            Qcow2ClusterType type = qcow2_cluster_type(s, l2e);
            if ((type != QCOW2_CLUSTER_NORMAL && type != QCOW2_CLUSTER_ZERO_ALLOC) ||
                (l2e & (QCOW2_L2E_RESERVED & ~QCOW2_OFLAG_ZERO))) {
                continue;
            }
            rc = stored_refcount(c, (l2e & QCOW2_L2E_OFFSET_MASK) >> s->cluster_bits);
            if ((rc == 1) != !!(l2e & QCOW2_OFLAG_COPIED)) {
                check_msg(c, "ERROR OFLAG_COPIED data cluster: l2_entry=%" PRIx64
                          " refcount=%" PRIu64 "\n", l2e, rc);
                c->res->corruptions++;
                c->copied_errors++;
            }
        }
    }
    g_free(t);
}

/*
 * A new refcount table and blocks after the end of the file, holding refs
 * (plus their own clusters); the header then points at them.
 */
static int rebuild_refcounts(BDRVQcow2State *s, const uint32_t *refs, uint64_t nb)
{
    const uint64_t rbe = 1ULL << s->refcount_block_bits;
    const uint64_t epc = s->cluster_size / 8;
    const int cb = s->cluster_bits;
    uint64_t p = nb, tc = 1, bc = 1;
    for (;;) {
        uint64_t nbc = (p + tc + bc + rbe - 1) / rbe;
        uint64_t ntc = (nbc + epc - 1) / epc;
        if (nbc == bc && ntc == tc) {
            break;
        }
        bc = nbc;
        tc = ntc;
    }
    if ((tc << cb) > QCOW2_MAX_REFTABLE_BYTES) {
        return -EFBIG;
    }
    uint64_t end = p + tc + bc;
    uint8_t *blk = g_malloc(s->cluster_size);
    uint64_t *table = g_new0(uint64_t, tc * epc);
    int ret = 0;
    for (uint64_t r = 0; r < bc && ret >= 0; r++) {
        memset(blk, 0, s->cluster_size);
        for (uint64_t j = 0; j < rbe; j++) {
            uint64_t i = r * rbe + j;
            uint64_t v = i < nb ? refs[i] : (i >= p && i < end);
            qcow2_refblock_set(blk, j, s->refcount_order, MIN(v, s->refcount_max));
        }
        table[r] = (p + tc + r) << cb;
        ret = blk_pwrite(s->file, table[r], blk, s->cluster_size);
    }
    g_free(blk);
    uint64_t *be = g_new(uint64_t, tc * epc);
    for (uint64_t i = 0; i < tc * epc; i++) {
        be[i] = GUINT64_TO_BE(table[i]);
    }
    if (ret >= 0) {
        ret = blk_pwrite(s->file, p << cb, be, tc << cb);
    }
    g_free(be);
    if (ret >= 0) {
        ret = blk_flush(s->file);
    }
    if (ret >= 0) {
        ret = qcow2_header_write_reftable(s, p << cb, (uint32_t)tc);
    }
    if (ret < 0) {
        g_free(table);
        return ret;
    }
    g_free(s->refcount_table);
    s->refcount_table = table;
    s->refcount_table_size = tc * epc;
    s->refcount_table_offset = p << cb;
    s->refcount_table_clusters = (uint32_t)tc;
    s->free_cluster_index = 0;
    s->highest_alloc = end - 1;
    qcow2_cache_clear(&s->refblock_cache);
    return 0;
}

static int qcow2_check_impl(BDRVQcow2State *s, BdrvCheckResult *res, BdrvCheckMode fix,
                            bool quiet)
{
    CheckState c = { .s = s, .res = res, .quiet = quiet };
    c.file_len = blk_getlength(s->file);
    if (c.file_len < 0) {
        return (int)c.file_len;
    }
    c.nb = qcow2_size_to_clusters(s, c.file_len);
    if (c.nb > (1ULL << 31)) {
        check_msg(&c, "ERROR: image file too large to check\n");
        res->check_errors++;
        return -EFBIG;
    }
    c.refs = g_new0(uint32_t, MAX(c.nb, 1));
    res->total_clusters = qcow2_size_to_clusters(s, s->size);

    check_inc(&c, 0, s->cluster_size);
    check_inc(&c, s->l1_table_offset, (uint64_t)s->l1_size * 8);
    check_l1(&c, s->l1_table, s->l1_size, true);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint64_t *l1;
        if (qcow2_read_l1(s, sn->l1_table_offset, sn->l1_size, &l1) < 0) {
            check_msg(&c, "ERROR: snapshot %s (%s) l1_offset=%#" PRIx64 ": L1 table is "
                      "invalid\n", sn->id_str, sn->name, sn->l1_table_offset);
            res->corruptions++;
            continue;
        }
        check_inc(&c, sn->l1_table_offset, (uint64_t)sn->l1_size * 8);
        check_l1(&c, l1, sn->l1_size, false);
        g_free(l1);
    }
    check_inc(&c, s->snapshots_offset, s->snapshots_size);
    uint32_t *data_refs = g_memdup2(c.refs, sizeof(uint32_t) * MAX(c.nb, 1));

    check_inc(&c, s->refcount_table_offset,
              (uint64_t)s->refcount_table_clusters << s->cluster_bits);
    for (uint64_t r = 0; r < s->refcount_table_size; r++) {
        uint64_t e = s->refcount_table[r];
        uint64_t off = e & QCOW2_REFT_OFFSET_MASK;
        if (!e) {
            continue;
        }
        if ((e & QCOW2_REFT_RESERVED) || off % s->cluster_size) {
            check_msg(&c, "ERROR refcount block %" PRIu64 " is not cluster aligned; refcount "
                      "table entry corrupted\n", r);
            res->corruptions++;
            c.refcount_errors++;
            continue;
        }
        if (off + s->cluster_size > (uint64_t)c.file_len) {
            check_msg(&c, "ERROR refcount block %" PRIu64 " is outside image\n", r);
            res->corruptions++;
            c.refcount_errors++;
            continue;
        }
        check_inc(&c, off, s->cluster_size);
    }

    /* Compare stored refcounts with the references found. */
    int64_t highest = -1;
    GArray *leaked = g_array_new(false, false, sizeof(uint64_t));
    /* Like qemu-img, only clusters inside the file count. */
    for (uint64_t i = 0; i < c.nb; i++) {
        uint64_t rc = 0;
        if (qcow2_get_refcount(s, i, &rc) < 0) {
            res->check_errors++;
            continue;
        }
        uint64_t ref = c.refs[i];
        if (rc || ref) {
            highest = i;
        }
        if (rc < ref) {
            check_msg(&c, "ERROR cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64
                      "\n", i, rc, ref);
            res->corruptions++;
            c.refcount_errors++;
        } else if (rc > ref) {
            check_msg(&c, "Leaked cluster %" PRIu64 " refcount=%" PRIu64 " reference=%"
                      PRIu64 "\n", i, rc, ref);
            res->leaks++;
            g_array_append_val(leaked, i);
        }
    }
    res->image_end_offset = (highest + 1) << s->cluster_bits;
    check_copied(&c);

    int ret = 0;
    if ((fix & BDRV_FIX_ERRORS) && c.refcount_errors) {
        /* Too low refcounts risk overwriting data: replace the whole structure. */
        ret = rebuild_refcounts(s, data_refs, c.nb);
        if (ret >= 0) {
            res->corruptions_fixed += c.refcount_errors;
            res->leaks_fixed += res->leaks;
            g_array_set_size(leaked, 0);
        }
    }
    for (guint k = 0; k < leaked->len && (fix & BDRV_FIX_LEAKS) && ret >= 0; k++) {
        uint64_t i = g_array_index(leaked, uint64_t, k);
        uint64_t rc = 0, ref = c.refs[i];
        qcow2_get_refcount(s, i, &rc);
        check_msg(&c, "Repairing cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64
                  "\n", i, rc, ref);
        ret = qcow2_update_refcount(s, i << s->cluster_bits, s->cluster_size,
                                    (int64_t)ref - (int64_t)rc, false);
        if (ret >= 0) {
            res->leaks_fixed++;
        }
    }
    if ((fix & BDRV_FIX_ERRORS) && c.copied_errors && ret >= 0) {
        ret = qcow2_update_copied_flags(s);
        if (ret >= 0) {
            res->corruptions_fixed += c.copied_errors;
        }
    }
    if (ret >= 0 && fix) {
        ret = blk_flush(s->file);
    }
    /* Repaired completely: the image is consistent again, say so in the header. */
    uint64_t clear = 0;
    if ((fix & BDRV_FIX_LEAKS) && res->leaks_fixed == res->leaks &&
        res->corruptions_fixed == res->corruptions) {
        clear |= QCOW2_INCOMPAT_DIRTY;
        if (fix & BDRV_FIX_ERRORS) {
            clear |= QCOW2_INCOMPAT_CORRUPT;
        }
    }
    if (ret >= 0 && !res->check_errors && (s->incompatible_features & clear)) {
        s->incompatible_features &= ~clear;
        ret = qcow2_header_write_features(s);
        if (ret >= 0) {
            ret = blk_flush(s->file);
        }
    }
    g_array_free(leaked, true);
    g_free(data_refs);
    g_free(c.refs);
    if (ret < 0) {
        res->check_errors++;
    }
    return 0;
}

int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix)
{
    return qcow2_check_impl(bs->opaque, res, fix, false);
}

int qcow2_repair_dirty(BDRVQcow2State *s)
{
    BdrvCheckResult res = { 0 };
    int ret = qcow2_check_impl(s, &res, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS, true);
    if (ret < 0 || res.check_errors) {
        return ret < 0 ? ret : -EIO;
    }
    return 0;
}
