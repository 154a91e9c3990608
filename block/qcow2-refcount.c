/*
 * qcow2 "Host cluster management": refcount entries of every width, cluster
 * and byte allocation, refcount blocks created on demand, a refcount table
 * that grows, and the walks that snapshots need (refcounts of everything an
 * L1 table reaches; the COPIED flags of the active tables).
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>

uint64_t qcow2_refblock_get(const uint8_t *block, uint64_t index, int order)
{
    switch (order) {
    case 0:
    case 1:
    case 2: {
        /* Sub-byte widths: entry 0 is in the least significant bits. */
        int bits = 1 << order;
        uint64_t bit = index * bits;
        return (block[bit / 8] >> (bit % 8)) & ((1U << bits) - 1);
    }
    case 3:
        return block[index];
    case 4:
        return qcow2_be16(block + index * 2);
    case 5:
        return qcow2_be32(block + index * 4);
    default:
        return qcow2_be64(block + index * 8);
    }
}

void qcow2_refblock_set(uint8_t *block, uint64_t index, int order, uint64_t value)
{
    switch (order) {
    case 0:
    case 1:
    case 2: {
        int bits = 1 << order;
        uint64_t bit = index * bits;
        uint8_t mask = ((1U << bits) - 1) << (bit % 8);
        block[bit / 8] = (block[bit / 8] & ~mask) | ((value << (bit % 8)) & mask);
        break;
    }
    case 3:
        block[index] = (uint8_t)value;
        break;
    case 4:
        qcow2_put_be16(block + index * 2, (uint16_t)value);
        break;
    case 5:
        qcow2_put_be32(block + index * 4, (uint32_t)value);
        break;
    default:
        qcow2_put_be64(block + index * 8, value);
        break;
    }
}

/* Byte range [*lo, *hi) of the block holding entry index. */
static void refblock_entry_bytes(int order, uint64_t index, size_t *lo, size_t *hi)
{
    if (order < 3) {
        *lo = index * (1 << order) / 8;
        *hi = *lo + 1;
    } else {
        size_t w = 1 << (order - 3);
        *lo = index * w;
        *hi = *lo + w;
    }
}

int qcow2_refcount_init(BDRVQcow2State *s)
{
    uint64_t bytes = (uint64_t)s->refcount_table_clusters << s->cluster_bits;
    s->refcount_table_size = bytes / 8;
    s->refcount_table = g_malloc(bytes);
    int ret = blk_pread(s->file, s->refcount_table_offset, s->refcount_table, bytes);
    if (ret < 0) {
        return ret;
    }
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        s->refcount_table[i] = GUINT64_FROM_BE(s->refcount_table[i]);
    }
    return 0;
}

/* Offset of the refcount block for table index rt_index; 0 if none. */
static int refblock_offset(BDRVQcow2State *s, uint64_t rt_index, uint64_t *offset)
{
    *offset = 0;
    if (rt_index >= s->refcount_table_size) {
        return 0;
    }
    uint64_t e = s->refcount_table[rt_index];
    if (!e) {
        return 0;
    }
    uint64_t off = e & QCOW2_REFT_OFFSET_MASK;
    if ((e & QCOW2_REFT_RESERVED) || off % s->cluster_size) {
        return qcow2_signal_corruption(s, "Refblock offset %#" PRIx64 " unaligned "
                                       "(reftable index %#" PRIx64 ")", off, rt_index);
    }
    *offset = off;
    return 0;
}

int qcow2_get_refcount(BDRVQcow2State *s, uint64_t cluster_index, uint64_t *refcount)
{
    uint64_t off;
    int ret = refblock_offset(s, cluster_index >> s->refcount_block_bits, &off);
    *refcount = 0;
    if (ret < 0 || !off) {
        return ret;
    }
    uint8_t *blk;
    ret = qcow2_cache_get(s, &s->refblock_cache, off, false, &blk);
    if (ret < 0) {
        return ret;
    }
    uint64_t idx = cluster_index & ((1ULL << s->refcount_block_bits) - 1);
    *refcount = qcow2_refblock_get(blk, idx, s->refcount_order);
    return 0;
}

static int grow_refcount_table(BDRVQcow2State *s, uint64_t min_index);

/*
 * A refcount block for table index r: it goes into the first cluster of the
 * range it describes (all free, since nothing there has a refcount) and
 * counts itself.
 */
static int create_refblock(BDRVQcow2State *s, uint64_t r)
{
    if (r >= s->refcount_table_size) {
        return grow_refcount_table(s, r);
    }
    uint64_t cluster = r << s->refcount_block_bits;
    if (cluster == 0) {
        return qcow2_signal_corruption(s, "Refcount block for the header is missing");
    }
    uint64_t off = cluster << s->cluster_bits;
    if (off >= QCOW2_MAX_HOST_OFFSET) {
        return -EFBIG;
    }
    uint8_t *blk;
    int ret = qcow2_cache_get(s, &s->refblock_cache, off, true, &blk);
    if (ret < 0) {
        return ret;
    }
    qcow2_refblock_set(blk, 0, s->refcount_order, 1);
    ret = blk_pwrite(s->file, off, blk, s->cluster_size);
    if (ret < 0) {
        qcow2_cache_invalidate(&s->refblock_cache, off);
        return ret;
    }
    uint8_t e[8];
    qcow2_put_be64(e, off);
    ret = blk_pwrite(s->file, s->refcount_table_offset + r * 8, e, 8);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[r] = off;
    s->highest_alloc = MAX(s->highest_alloc, cluster);
    return 0;
}

/*
 * Move the refcount table to a bigger one after the end of the image,
 * followed by the refcount blocks that describe the new clusters, then
 * switch the header to it and free the old table.
 */
static int grow_refcount_table(BDRVQcow2State *s, uint64_t min_index)
{
    const uint64_t epc = s->cluster_size / 8;
    const uint64_t rbe = 1ULL << s->refcount_block_bits;
    const int cb = s->cluster_bits;
    int64_t file_len = blk_getlength(s->file);
    if (file_len < 0) {
        return (int)file_len;
    }
    uint64_t p = MAX(qcow2_size_to_clusters(s, file_len), s->highest_alloc + 1);
    uint64_t new_entries = qcow2_align_up(MAX(min_index + 1,
                                              s->refcount_table_size * 3 / 2), epc);
    uint64_t tc, nb, last_r;
    for (;;) {
        tc = new_entries / epc;
        nb = 0;
        for (;;) {
            uint64_t end = p + tc + nb, cnt = 0;
            for (uint64_t r = p / rbe; r <= (end - 1) / rbe; r++) {
                cnt += r >= s->refcount_table_size || !s->refcount_table[r];
            }
            if (cnt == nb) {
                break;
            }
            nb = cnt;
        }
        last_r = (p + tc + nb - 1) / rbe;
        if (last_r < new_entries) {
            break;
        }
        new_entries = qcow2_align_up(last_r + 1, epc);
    }
    if ((tc << cb) > QCOW2_MAX_REFTABLE_BYTES || ((p + tc + nb) << cb) >= QCOW2_MAX_HOST_OFFSET) {
        return -EFBIG;
    }

    uint64_t *table = g_new0(uint64_t, new_entries);
    memcpy(table, s->refcount_table, s->refcount_table_size * 8);
    uint8_t *blk = g_malloc(s->cluster_size);
    int ret = 0;
    uint64_t k = 0;
    for (uint64_t r = p / rbe; r <= last_r && ret >= 0; r++) {
        if (r < s->refcount_table_size && s->refcount_table[r]) {
            continue;
        }
        uint64_t bc = p + tc + k++;
        memset(blk, 0, s->cluster_size);
        uint64_t lo = MAX(r * rbe, p), hi = MIN((r + 1) * rbe, p + tc + nb);
        for (uint64_t c = lo; c < hi; c++) {
            qcow2_refblock_set(blk, c - r * rbe, s->refcount_order, 1);
        }
        ret = blk_pwrite(s->file, bc << cb, blk, s->cluster_size);
        table[r] = bc << cb;
    }
    g_free(blk);
    for (uint64_t r = p / rbe; r <= last_r && ret >= 0; r++) {
        if (r < s->refcount_table_size && s->refcount_table[r]) {
            uint64_t lo = MAX(r * rbe, p), hi = MIN((r + 1) * rbe, p + tc + nb);
            if (lo < hi) {
                ret = qcow2_update_refcount(s, lo << cb, (hi - lo) << cb, 1, false);
            }
        }
    }
    uint64_t *be = g_malloc0(tc << cb);
    for (uint64_t i = 0; i < new_entries; i++) {
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
    uint64_t old_off = s->refcount_table_offset;
    uint64_t old_clusters = s->refcount_table_clusters;
    g_free(s->refcount_table);
    s->refcount_table = table;
    s->refcount_table_size = new_entries;
    s->refcount_table_offset = p << cb;
    s->refcount_table_clusters = (uint32_t)tc;
    s->highest_alloc = MAX(s->highest_alloc, p + tc + nb - 1);
    return qcow2_update_refcount(s, old_off, old_clusters << cb, -1, false);
}

/* Write the bytes [lo, hi) of the refcount block at block_off from the cache. */
static int refblock_write_range(BDRVQcow2State *s, uint64_t block_off, size_t lo, size_t hi)
{
    if (!block_off || lo >= hi) {
        return 0;
    }
    uint8_t *blk;
    int ret = qcow2_cache_get(s, &s->refblock_cache, block_off, false, &blk);
    if (ret < 0) {
        return ret;
    }
    return blk_pwrite(s->file, block_off + lo, blk + lo, hi - lo);
}

int qcow2_update_refcount(BDRVQcow2State *s, uint64_t offset, uint64_t len, int64_t addend,
                          bool discard)
{
    if (len == 0 || addend == 0) {
        return 0;
    }
    const uint64_t first = offset >> s->cluster_bits;
    const uint64_t last = (offset + len - 1) >> s->cluster_bits;
    const uint64_t idx_mask = (1ULL << s->refcount_block_bits) - 1;
    uint64_t cur_r = UINT64_MAX, cur_off = 0;
    size_t dlo = SIZE_MAX, dhi = 0;
    int ret = 0;

    for (uint64_t c = first; c <= last; c++) {
        uint64_t r = c >> s->refcount_block_bits;
        if (r != cur_r) {
            ret = refblock_write_range(s, cur_off, dlo, dhi);
            if (ret < 0) {
                return ret;
            }
            dlo = SIZE_MAX;
            dhi = 0;
            cur_r = r;
            ret = refblock_offset(s, r, &cur_off);
            if (ret >= 0 && !cur_off) {
                if (addend < 0) {
                    return qcow2_signal_corruption(s, "Freeing cluster %#" PRIx64
                                                   " that has no refcount block",
                                                   c << s->cluster_bits);
                }
                ret = create_refblock(s, r);
                if (ret >= 0) {
                    ret = refblock_offset(s, r, &cur_off);
                }
            }
            if (ret < 0) {
                return ret;
            }
        }
        uint8_t *blk;
        ret = qcow2_cache_get(s, &s->refblock_cache, cur_off, false, &blk);
        if (ret < 0) {
            return ret;
        }
        uint64_t idx = c & idx_mask;
        uint64_t old = qcow2_refblock_get(blk, idx, s->refcount_order);
        if (addend < 0 && old < (uint64_t)-addend) {
            return qcow2_signal_corruption(s, "Refcount of cluster %#" PRIx64
                                           " would drop below zero", c << s->cluster_bits);
        }
        if (addend > 0 && s->refcount_max - old < (uint64_t)addend) {
            return -ERANGE;
        }
        uint64_t val = old + addend;
        qcow2_refblock_set(blk, idx, s->refcount_order, val);
        size_t lo, hi;
        refblock_entry_bytes(s->refcount_order, idx, &lo, &hi);
        dlo = MIN(dlo, lo);
        dhi = MAX(dhi, hi);
        if (val == 0) {
            uint64_t coff = c << s->cluster_bits;
            s->free_cluster_index = MIN(s->free_cluster_index, c);
            qcow2_cache_invalidate(&s->l2_cache, coff);
            s->cluster_cache_entry = 0;
            if (s->free_byte_offset && (s->free_byte_offset >> s->cluster_bits) == c) {
                s->free_byte_offset = 0;
            }
            if (discard) {
                /* Nothing references it any more: give the space back. */
                blk_pdiscard(s->file, coff, s->cluster_size);
            }
        }
    }
    return refblock_write_range(s, cur_off, dlo, dhi);
}

int64_t qcow2_alloc_clusters(BDRVQcow2State *s, uint64_t size)
{
    if (s->broken) {
        return -EIO;
    }
    uint64_t nb = MAX(qcow2_size_to_clusters(s, size), 1);
    const uint64_t max_cluster = QCOW2_MAX_HOST_OFFSET >> s->cluster_bits;
    uint64_t start = 0;
    for (;;) {
        uint64_t run = 0;
        for (uint64_t idx = MAX(s->free_cluster_index, 1); run < nb; idx++) {
            if (idx + nb - run > max_cluster) {
                return -EFBIG;
            }
            uint64_t rc;
            int ret = qcow2_get_refcount(s, idx, &rc);
            if (ret < 0) {
                return ret;
            }
            if (rc == 0) {
                if (run++ == 0) {
                    start = idx;
                }
            } else {
                run = 0;
            }
        }
        /* The refcounts must be storable before the clusters are ours. */
        bool created = false;
        for (uint64_t r = start >> s->refcount_block_bits;
             r <= (start + nb - 1) >> s->refcount_block_bits; r++) {
            if (r >= s->refcount_table_size || !s->refcount_table[r]) {
                int ret = create_refblock(s, r);
                if (ret < 0) {
                    return ret;
                }
                created = true;
                break;
            }
        }
        if (!created) {
            break;
        }
    }
    int ret = qcow2_update_refcount(s, start << s->cluster_bits, nb << s->cluster_bits, 1,
                                    false);
    if (ret < 0) {
        return ret;
    }
    if (nb == 1 || start == MAX(s->free_cluster_index, 1)) {
        s->free_cluster_index = start + nb;
    }
    s->highest_alloc = MAX(s->highest_alloc, start + nb - 1);
    return (int64_t)(start << s->cluster_bits);
}

int64_t qcow2_alloc_clusters_upto(BDRVQcow2State *s, uint64_t max_nb, uint64_t *nb)
{
    if (s->broken) {
        return -EIO;
    }
    const uint64_t max_cluster = QCOW2_MAX_HOST_OFFSET >> s->cluster_bits;
    uint64_t start = MAX(s->free_cluster_index, 1), run;
    for (;;) {
        uint64_t rc = 1;
        for (; start < max_cluster; start++) {
            int ret = qcow2_get_refcount(s, start, &rc);
            if (ret < 0) {
                return ret;
            }
            if (rc == 0) {
                break;
            }
        }
        if (start >= max_cluster) {
            return -EFBIG;
        }
        /* The free run from start, up to max_nb, within refcount blocks that exist. */
        uint64_t r = start >> s->refcount_block_bits;
        if (r >= s->refcount_table_size || !s->refcount_table[r]) {
            int ret = create_refblock(s, r);
            if (ret < 0) {
                return ret;
            }
            start = MAX(s->free_cluster_index, 1);
            continue;
        }
        uint64_t block_end = (r + 1) << s->refcount_block_bits;
        for (run = 1; run < max_nb && start + run < block_end; run++) {
            int ret = qcow2_get_refcount(s, start + run, &rc);
            if (ret < 0) {
                return ret;
            }
            if (rc) {
                break;
            }
        }
        break;
    }
    int ret = qcow2_update_refcount(s, start << s->cluster_bits, run << s->cluster_bits, 1,
                                    false);
    if (ret < 0) {
        return ret;
    }
    /* Everything from the old hint up to start was in use. */
    s->free_cluster_index = start + run;
    s->highest_alloc = MAX(s->highest_alloc, start + run - 1);
    *nb = run;
    return (int64_t)(start << s->cluster_bits);
}

int64_t qcow2_alloc_bytes(BDRVQcow2State *s, uint64_t size)
{
    const uint64_t cs = s->cluster_size;
    uint64_t off = s->free_byte_offset;
    int ret;
    if (off && (off & (cs - 1)) && size <= cs - (off & (cs - 1))) {
        ret = qcow2_update_refcount(s, off, 1, 1, false);
        if (ret < 0) {
            return ret;
        }
    } else if (off && (off & (cs - 1))) {
        /* Spill into the next cluster only if it is the adjacent one. */
        int64_t next = qcow2_alloc_clusters(s, cs);
        if (next < 0) {
            return next;
        }
        if ((uint64_t)next == qcow2_align_up(off, cs)) {
            ret = qcow2_update_refcount(s, off, 1, 1, false);
            if (ret < 0) {
                return ret;
            }
        } else {
            off = next;
        }
    } else {
        int64_t c = qcow2_alloc_clusters(s, cs);
        if (c < 0) {
            return c;
        }
        off = c;
    }
    s->free_byte_offset = off + size;
    return (int64_t)off;
}

void qcow2_compressed_range(const BDRVQcow2State *s, uint64_t l2_entry, uint64_t *start,
                            uint64_t *len)
{
    uint64_t off = l2_entry & s->cluster_offset_mask;
    uint64_t nsec = ((l2_entry >> s->csize_shift) & s->csize_mask) + 1;
    *start = off & ~511ULL;
    *len = nsec * 512;
}

int qcow2_free_l2_entry(BDRVQcow2State *s, uint64_t l2_entry, bool discard)
{
    switch (qcow2_cluster_type(s, l2_entry)) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return qcow2_update_refcount(s, l2_entry & QCOW2_L2E_OFFSET_MASK, s->cluster_size,
                                     -1, discard);
    case QCOW2_CLUSTER_COMPRESSED: {
        uint64_t start, len;
        qcow2_compressed_range(s, l2_entry, &start, &len);
        return qcow2_update_refcount(s, start, len, -1, discard);
    }
    default:
        return 0;
    }
}

int qcow2_update_l1_refcounts(BDRVQcow2State *s, const uint64_t *l1, uint32_t l1_size,
                              int64_t addend)
{
    uint8_t *t = g_malloc(s->cluster_size);
    int ret = 0;
    for (uint32_t i = 0; i < l1_size && ret >= 0; i++) {
        uint64_t l2_off = l1[i] & QCOW2_L1E_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        ret = blk_pread(s->file, l2_off, t, s->cluster_size);
        /* Runs of contiguous host clusters become one refcount update. */
        uint64_t run_start = 0, run_len = 0;
        for (uint32_t j = 0; j < s->l2_size && ret >= 0; j++) {
            uint64_t e = qcow2_be64(t + j * 8);
            uint64_t start = 0, len = 0;
            switch (qcow2_cluster_type(s, e)) {
            case QCOW2_CLUSTER_NORMAL:
            case QCOW2_CLUSTER_ZERO_ALLOC:
                start = e & QCOW2_L2E_OFFSET_MASK;
                len = s->cluster_size;
                break;
            case QCOW2_CLUSTER_COMPRESSED:
                qcow2_compressed_range(s, e, &start, &len);
                break;
            default:
                continue;
            }
            if (run_len && run_start + run_len == start &&
                !((start | len) & (s->cluster_size - 1))) {
                run_len += len;
                continue;
            }
            ret = qcow2_update_refcount(s, run_start, run_len, addend, addend < 0);
            run_start = start;
            run_len = len;
        }
        if (ret >= 0) {
            ret = qcow2_update_refcount(s, run_start, run_len, addend, addend < 0);
        }
        if (ret >= 0) {
            ret = qcow2_update_refcount(s, l2_off, s->cluster_size, addend, addend < 0);
        }
    }
    g_free(t);
    return ret;
}

int qcow2_update_copied_flags(BDRVQcow2State *s)
{
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1_table[i] & QCOW2_L1E_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        uint64_t rc;
        int ret = qcow2_get_refcount(s, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        uint64_t want = l2_off | (rc == 1 ? QCOW2_OFLAG_COPIED : 0);
        if (s->l1_table[i] != want) {
            s->l1_table[i] = want;
            ret = qcow2_write_l1_entry(s, i);
            if (ret < 0) {
                return ret;
            }
        }
        uint8_t *t;
        ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
        if (ret < 0) {
            return ret;
        }
        int64_t lo = -1, hi = -1;
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = qcow2_be64(t + j * 8);
            Qcow2ClusterType type = qcow2_cluster_type(s, e);
            if (type != QCOW2_CLUSTER_NORMAL && type != QCOW2_CLUSTER_ZERO_ALLOC) {
                continue;
            }
            ret = qcow2_get_refcount(s, (e & QCOW2_L2E_OFFSET_MASK) >> s->cluster_bits, &rc);
            if (ret < 0) {
                return ret;
            }
            /* The refcount lookup may have recycled the cache slot. */
            ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
            if (ret < 0) {
                return ret;
            }
            uint64_t ne = rc == 1 ? e | QCOW2_OFLAG_COPIED : e & ~QCOW2_OFLAG_COPIED;
            if (ne != e) {
                qcow2_put_be64(t + j * 8, ne);
                lo = lo < 0 ? j : lo;
                hi = j + 1;
            }
        }
        if (lo >= 0) {
            ret = blk_pwrite(s->file, l2_off + lo * 8, t + lo * 8, (hi - lo) * 8);
            if (ret < 0) {
                return ret;
            }
        }
    }
    return 0;
}
