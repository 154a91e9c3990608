/*
 * qcow2 "Cluster mapping": guest offsets to host clusters through the L1 and
 * L2 tables; allocation and copy-on-write for writes (shared clusters of
 * snapshots, partial writes over a backing file), zero clusters and discard.
 * The write order is in qcow2.h.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>

Qcow2ClusterType qcow2_cluster_type(const BDRVQcow2State *s, uint64_t e)
{
    if (e & QCOW2_OFLAG_COMPRESSED) {
        return QCOW2_CLUSTER_COMPRESSED;
    }
    if (e & QCOW2_OFLAG_ZERO) {
        return (e & QCOW2_L2E_OFFSET_MASK) ? QCOW2_CLUSTER_ZERO_ALLOC
                                           : QCOW2_CLUSTER_ZERO_PLAIN;
    }
    return (e & QCOW2_L2E_OFFSET_MASK) ? QCOW2_CLUSTER_NORMAL : QCOW2_CLUSTER_UNALLOCATED;
}

static uint64_t l2_get(const uint8_t *t, uint64_t i)
{
    return qcow2_be64(t + i * 8);
}

static void l2_set(uint8_t *t, uint64_t i, uint64_t v)
{
    qcow2_put_be64(t + i * 8, v);
}

int qcow2_write_l1_entry(BDRVQcow2State *s, uint64_t index)
{
    uint8_t e[8];
    qcow2_put_be64(e, s->l1_table[index]);
    return blk_pwrite(s->file, s->l1_table_offset + index * 8, e, 8);
}

/* Check an L1 entry before following it; its L2 offset or 0. */
static int l1_entry_l2_offset(BDRVQcow2State *s, uint64_t l1_index, uint64_t *l2_off)
{
    *l2_off = 0;
    if (l1_index >= s->l1_size) {
        return 0;
    }
    uint64_t e = s->l1_table[l1_index];
    uint64_t off = e & QCOW2_L1E_OFFSET_MASK;
    if (!off) {
        return 0;
    }
    if ((e & QCOW2_L1E_RESERVED) || off % s->cluster_size) {
        return qcow2_signal_corruption(s, "L2 table offset %#" PRIx64 " unaligned "
                                       "(L1 index: %#" PRIx64 ")", off, l1_index);
    }
    *l2_off = off;
    return 0;
}

/* Check a normal (or preallocated zero) L2 entry's host offset. */
static int l2_entry_check(BDRVQcow2State *s, uint64_t e, uint64_t l2_off, uint64_t index)
{
    Qcow2ClusterType type = qcow2_cluster_type(s, e);
    if ((type == QCOW2_CLUSTER_NORMAL || type == QCOW2_CLUSTER_ZERO_ALLOC) &&
        (e & (QCOW2_L2E_RESERVED & ~QCOW2_OFLAG_ZERO))) {
        return qcow2_signal_corruption(s, "Cluster allocation offset %#" PRIx64
                                       " unaligned (L2 offset: %#" PRIx64 ", L2 index: %#"
                                       PRIx64 ")", e & ~QCOW2_OFLAG_COPIED, l2_off, index);
    }
    if (type == QCOW2_CLUSTER_COMPRESSED &&
        (e & s->cluster_offset_mask) >= QCOW2_MAX_HOST_OFFSET) {
        return qcow2_signal_corruption(s, "Compressed cluster offset %#" PRIx64
                                       " out of range", e & s->cluster_offset_mask);
    }
    return 0;
}

int qcow2_get_host_offset(BDRVQcow2State *s, uint64_t offset, uint64_t *bytes,
                          uint64_t *host, uint64_t *l2_entry)
{
    const uint64_t cs = s->cluster_size;
    uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
    uint64_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t in_cluster = offset & (cs - 1);
    uint64_t max = ((s->l2_size - l2_index) << s->cluster_bits) - in_cluster;
    *host = 0;
    *l2_entry = 0;
    if (*bytes > max) {
        *bytes = max;
    }
    uint64_t l2_off;
    int ret = l1_entry_l2_offset(s, l1_index, &l2_off);
    if (ret < 0) {
        return ret;
    }
    if (!l2_off) {
        return QCOW2_CLUSTER_UNALLOCATED;
    }
    uint8_t *t;
    ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
    if (ret < 0) {
        return ret;
    }
    uint64_t e = l2_get(t, l2_index);
    ret = l2_entry_check(s, e, l2_off, l2_index);
    if (ret < 0) {
        return ret;
    }
    Qcow2ClusterType type = qcow2_cluster_type(s, e);
    *l2_entry = e;
    uint64_t nb = (in_cluster + *bytes + cs - 1) >> s->cluster_bits;
    uint64_t n = 1;
    if (type != QCOW2_CLUSTER_COMPRESSED) {
        uint64_t host0 = e & QCOW2_L2E_OFFSET_MASK;
        for (; n < nb; n++) {
            uint64_t en = l2_get(t, l2_index + n);
            if (qcow2_cluster_type(s, en) != type || l2_entry_check(s, en, l2_off,
                                                                   l2_index + n) < 0) {
                break;
            }
            if (type == QCOW2_CLUSTER_NORMAL &&
                (en & QCOW2_L2E_OFFSET_MASK) != host0 + (n << s->cluster_bits)) {
                break;
            }
        }
    }
    *bytes = MIN(*bytes, (n << s->cluster_bits) - in_cluster);
    if (type == QCOW2_CLUSTER_NORMAL || type == QCOW2_CLUSTER_ZERO_ALLOC) {
        *host = (e & QCOW2_L2E_OFFSET_MASK) + in_cluster;
    }
    return type;
}

int qcow2_read_backing(BDRVQcow2State *s, uint64_t offset, uint8_t *buf, uint64_t bytes)
{
    BlockDriverState *backing = s->bs->backing;
    uint64_t n = 0;
    if (backing) {
        int64_t blen = blk_getlength(backing);
        if (blen < 0) {
            return (int)blen;
        }
        if (offset < (uint64_t)blen) {
            n = MIN(bytes, (uint64_t)blen - offset);
            int ret = blk_pread(backing, offset, buf, n);
            if (ret < 0) {
                return ret;
            }
        }
    }
    memset(buf + n, 0, bytes - n);
    return 0;
}

int qcow2_l2_for_write(BDRVQcow2State *s, uint64_t l1_index, uint64_t *l2_offset)
{
    if (l1_index >= s->l1_size) {
        return qcow2_signal_corruption(s, "Write past the L1 table (index %#" PRIx64 ")",
                                       l1_index);
    }
    uint64_t old;
    int ret = l1_entry_l2_offset(s, l1_index, &old);
    if (ret < 0) {
        return ret;
    }
    if (old && (s->l1_table[l1_index] & QCOW2_OFLAG_COPIED)) {
        *l2_offset = old;
        return 0;
    }
    if (old) {
        uint64_t rc;
        ret = qcow2_get_refcount(s, old >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc == 1) {  /* only the flag was missing */
            s->l1_table[l1_index] = old | QCOW2_OFLAG_COPIED;
            *l2_offset = old;
            return qcow2_write_l1_entry(s, l1_index);
        }
    }
    int64_t new = qcow2_alloc_clusters(s, s->cluster_size);
    if (new < 0) {
        return (int)new;
    }
    uint8_t *copy = g_malloc0(s->cluster_size);
    if (old) {
        /* Copy on write of a table shared with a snapshot: every cluster it
         * maps is shared too, so none keeps the COPIED flag. */
        ret = blk_pread(s->file, old, copy, s->cluster_size);
        for (uint32_t i = 0; i < s->l2_size; i++) {
            l2_set(copy, i, l2_get(copy, i) & ~QCOW2_OFLAG_COPIED);
        }
    }
    if (ret >= 0) {
        ret = blk_pwrite(s->file, new, copy, s->cluster_size);
    }
    g_free(copy);
    if (ret < 0) {
        qcow2_update_refcount(s, new, s->cluster_size, -1, false);
        return ret;
    }
    s->l1_table[l1_index] = (uint64_t)new | QCOW2_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(s, l1_index);
    if (ret < 0) {
        return ret;
    }
    if (old) {
        ret = qcow2_update_refcount(s, old, s->cluster_size, -1, false);
    }
    *l2_offset = new;
    return ret;
}

static int l2_write_entries(BDRVQcow2State *s, uint64_t l2_off, uint64_t first, uint64_t n)
{
    uint8_t *t;
    int ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
    if (ret < 0) {
        return ret;
    }
    return blk_pwrite(s->file, l2_off + first * 8, t + first * 8, n * 8);
}

static int l2_set_entry(BDRVQcow2State *s, uint64_t l2_off, uint64_t index, uint64_t e)
{
    uint8_t *t;
    int ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
    if (ret < 0) {
        return ret;
    }
    l2_set(t, index, e);
    return blk_pwrite(s->file, l2_off + index * 8, t + index * 8, 8);
}

/*
 * Write n bytes at in_cluster of the guest cluster starting at guest, whose
 * L2 entry e is not a writable (COPIED) normal cluster: a new cluster gets
 * the old contents around the new data, then the entry points at it.
 */
static int qcow2_cow_cluster(BDRVQcow2State *s, uint64_t guest, uint64_t l2_off,
                             uint64_t l2_index, uint64_t e, uint64_t in_cluster,
                             const uint8_t *buf, uint64_t n)
{
    const uint64_t cs = s->cluster_size;
    Qcow2ClusterType type = qcow2_cluster_type(s, e);
    uint64_t host = e & QCOW2_L2E_OFFSET_MASK;
    int ret;

    if ((type == QCOW2_CLUSTER_NORMAL || type == QCOW2_CLUSTER_ZERO_ALLOC) &&
        !(e & QCOW2_OFLAG_COPIED)) {
        uint64_t rc;
        ret = qcow2_get_refcount(s, host >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc == 1) {
            e |= QCOW2_OFLAG_COPIED;
        }
    }
    if (type == QCOW2_CLUSTER_NORMAL && (e & QCOW2_OFLAG_COPIED)) {
        ret = blk_pwrite(s->file, host + in_cluster, buf, n);
        return ret < 0 ? ret : l2_set_entry(s, l2_off, l2_index, e);
    }

    uint8_t *cbuf = g_malloc0(cs);
    if (type == QCOW2_CLUSTER_ZERO_ALLOC && (e & QCOW2_OFLAG_COPIED)) {
        /* Our own preallocated zero cluster: fill it in place. */
        memcpy(cbuf + in_cluster, buf, n);
        ret = blk_pwrite(s->file, host, cbuf, cs);
        g_free(cbuf);
        return ret < 0 ? ret : l2_set_entry(s, l2_off, l2_index, host | QCOW2_OFLAG_COPIED);
    }
    bool full = in_cluster == 0 && (n == cs || guest + n >= s->size);
    ret = 0;
    if (!full) {
        switch (type) {
        case QCOW2_CLUSTER_NORMAL:
            ret = blk_pread(s->file, host, cbuf, cs);
            break;
        case QCOW2_CLUSTER_COMPRESSED:
            ret = qcow2_read_compressed(s, e, cbuf);
            break;
        case QCOW2_CLUSTER_UNALLOCATED:
            ret = qcow2_read_backing(s, guest, cbuf, cs);
            break;
        default:
            break;  /* zero clusters: already zeros */
        }
    }
    memcpy(cbuf + in_cluster, buf, n);
    int64_t new = ret < 0 ? ret : qcow2_alloc_clusters(s, cs);
    if (new < 0) {
        g_free(cbuf);
        return (int)new;
    }
    ret = blk_pwrite(s->file, new, cbuf, full ? n : cs);
    g_free(cbuf);
    if (ret >= 0) {
        ret = l2_set_entry(s, l2_off, l2_index, (uint64_t)new | QCOW2_OFLAG_COPIED);
    }
    if (ret < 0) {
        return ret;
    }
    return qcow2_free_l2_entry(s, e, false);
}

int qcow2_pwrite_clusters(BDRVQcow2State *s, uint64_t offset, const uint8_t *buf,
                          uint64_t bytes)
{
    const uint64_t cs = s->cluster_size;
    if (s->broken) {
        return -EIO;
    }
    while (bytes > 0) {
        uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
        uint64_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
        uint64_t in_cluster = offset & (cs - 1);
        uint64_t n = MIN(bytes, cs - in_cluster);
        uint64_t l2_off;
        int ret = qcow2_l2_for_write(s, l1_index, &l2_off);
        if (ret < 0) {
            return ret;
        }
        uint8_t *t;
        ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
        if (ret < 0) {
            return ret;
        }
        uint64_t e = l2_get(t, l2_index);
        ret = l2_entry_check(s, e, l2_off, l2_index);
        if (ret < 0) {
            return ret;
        }
        Qcow2ClusterType type = qcow2_cluster_type(s, e);

        if (type == QCOW2_CLUSTER_NORMAL && (e & QCOW2_OFLAG_COPIED)) {
            /* In place, extended over following clusters contiguous on the host. */
            uint64_t host = (e & QCOW2_L2E_OFFSET_MASK) + in_cluster;
            uint64_t j = l2_index + 1;
            while (n < bytes && j < s->l2_size) {
                uint64_t en = l2_get(t, j);
                if (qcow2_cluster_type(s, en) != QCOW2_CLUSTER_NORMAL ||
                    !(en & QCOW2_OFLAG_COPIED) || (en & QCOW2_L2E_RESERVED) ||
                    (en & QCOW2_L2E_OFFSET_MASK) != host + n) {
                    break;
                }
                n += MIN(cs, bytes - n);
                j++;
            }
            ret = blk_pwrite(s->file, host, buf, n);
        } else if (in_cluster == 0 && (n == cs || offset + n >= s->size) &&
                   (type == QCOW2_CLUSTER_UNALLOCATED || type == QCOW2_CLUSTER_ZERO_PLAIN)) {
            /* Whole new clusters: one allocation, one data write, one L2 write. */
            uint64_t k = 1;
            while (l2_index + k < s->l2_size && n < bytes) {
                uint64_t en = l2_get(t, l2_index + k);
                Qcow2ClusterType tn = qcow2_cluster_type(s, en);
                uint64_t m = MIN(cs, bytes - n);
                if ((tn != QCOW2_CLUSTER_UNALLOCATED && tn != QCOW2_CLUSTER_ZERO_PLAIN) ||
                    (m < cs && offset + n + m < s->size)) {
                    break;
                }
                n += m;
                k++;
            }
            uint64_t got;
            int64_t host = qcow2_alloc_clusters_upto(s, k, &got);
            if (host < 0) {
                return (int)host;
            }
            k = got;
            n = MIN(n, k * cs);
            ret = blk_pwrite(s->file, host, buf, n);
            if (ret < 0) {
                return ret;
            }
            ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
            if (ret < 0) {
                return ret;
            }
            for (uint64_t i = 0; i < k; i++) {
                l2_set(t, l2_index + i, ((uint64_t)host + i * cs) | QCOW2_OFLAG_COPIED);
            }
            ret = l2_write_entries(s, l2_off, l2_index, k);
        } else {
            ret = qcow2_cow_cluster(s, offset - in_cluster, l2_off, l2_index, e, in_cluster,
                                    buf, n);
        }
        if (ret < 0) {
            return ret;
        }
        offset += n;
        buf += n;
        bytes -= n;
    }
    return 0;
}

int qcow2_discard_clusters(BDRVQcow2State *s, uint64_t offset, uint64_t bytes,
                           Qcow2DiscardMode mode)
{
    const bool backing = s->bs->backing_file != NULL;
    /* With a backing file, "reads as zero" needs the v3 zero flag. */
    const uint64_t zero_entry = (backing && mode != QCOW2_DISCARD_UNMAP) ?
                                (s->version >= 3 ? QCOW2_OFLAG_ZERO : UINT64_MAX) : 0;
    if (s->broken) {
        return -EIO;
    }
    if (zero_entry == UINT64_MAX) {
        return 0;   /* v2 over a backing file: keep the data, discard is advisory */
    }
    uint64_t cluster = offset >> s->cluster_bits;
    uint64_t end = qcow2_size_to_clusters(s, offset + bytes);
    uint64_t *old = g_new(uint64_t, s->l2_size);
    int ret = 0;
    while (cluster < end && ret >= 0) {
        uint64_t l1_index = cluster >> s->l2_bits;
        uint64_t l2_index = cluster & (s->l2_size - 1);
        uint64_t count = MIN(end - cluster, s->l2_size - l2_index);
        cluster += count;
        if (l1_index >= s->l1_size) {
            break;
        }
        uint64_t l2_off;
        ret = l1_entry_l2_offset(s, l1_index, &l2_off);
        if (ret < 0 || (!l2_off && zero_entry != QCOW2_OFLAG_ZERO)) {
            continue;   /* unallocated already reads as wanted */
        }
        ret = qcow2_l2_for_write(s, l1_index, &l2_off);
        uint8_t *t;
        if (ret >= 0) {
            ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
        }
        if (ret < 0) {
            break;
        }
        uint64_t nold = 0;
        int64_t lo = -1, hi = -1;
        for (uint64_t i = l2_index; i < l2_index + count; i++) {
            uint64_t e = l2_get(t, i);
            uint64_t ne = zero_entry;
            if (ne == e) {
                continue;
            }
            l2_set(t, i, ne);
            old[nold++] = e;
            lo = lo < 0 ? (int64_t)i : lo;
            hi = i + 1;
        }
        if (lo >= 0) {
            ret = blk_pwrite(s->file, l2_off + lo * 8, t + lo * 8, (hi - lo) * 8);
        }
        for (uint64_t i = 0; i < nold && ret >= 0; i++) {
            ret = qcow2_free_l2_entry(s, old[i], true);
        }
    }
    g_free(old);
    return ret;
}

int qcow2_grow_l1_table(BDRVQcow2State *s, uint64_t min_size)
{
    if (min_size <= s->l1_size) {
        return 0;
    }
    if (min_size > QCOW2_MAX_L1_BYTES / 8) {
        return -EFBIG;
    }
    uint64_t bytes = qcow2_align_up(min_size * 8, s->cluster_size);
    int64_t new = qcow2_alloc_clusters(s, bytes);
    if (new < 0) {
        return (int)new;
    }
    uint64_t *table = g_malloc0(bytes);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        table[i] = GUINT64_TO_BE(s->l1_table[i]);
    }
    int ret = blk_pwrite(s->file, new, table, bytes);
    if (ret >= 0) {
        ret = blk_flush(s->file);
    }
    if (ret >= 0) {
        ret = qcow2_header_write_l1(s, (uint32_t)min_size, new);
    }
    if (ret < 0) {
        g_free(table);
        qcow2_update_refcount(s, new, bytes, -1, false);
        return ret;
    }
    for (uint64_t i = 0; i < min_size; i++) {
        table[i] = GUINT64_FROM_BE(table[i]);
    }
    uint64_t old_off = s->l1_table_offset;
    uint64_t old_bytes = qcow2_align_up((uint64_t)s->l1_size * 8, s->cluster_size);
    g_free(s->l1_table);
    s->l1_table = table;
    s->l1_size = (uint32_t)min_size;
    s->l1_table_offset = new;
    if (old_off && old_bytes) {
        ret = qcow2_update_refcount(s, old_off, old_bytes, -1, false);
    }
    return ret;
}

int qcow2_preallocate(BDRVQcow2State *s, uint64_t from, uint64_t to, PreallocMode mode)
{
    if (mode == PREALLOC_MODE_OFF || from >= to) {
        return 0;
    }
    uint64_t cluster = from >> s->cluster_bits;
    uint64_t end = qcow2_size_to_clusters(s, to);
    int ret = 0;
    while (cluster < end && ret >= 0) {
        uint64_t l1_index = cluster >> s->l2_bits;
        uint64_t l2_index = cluster & (s->l2_size - 1);
        uint64_t l2_off;
        ret = qcow2_l2_for_write(s, l1_index, &l2_off);
        uint8_t *t;
        if (ret >= 0) {
            ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
        }
        if (ret < 0) {
            break;
        }
        uint64_t e = l2_get(t, l2_index);
        Qcow2ClusterType type = qcow2_cluster_type(s, e);
        if (type != QCOW2_CLUSTER_UNALLOCATED && type != QCOW2_CLUSTER_ZERO_PLAIN) {
            cluster++;
            continue;
        }
        uint64_t k = 1;
        while (cluster + k < end && l2_index + k < s->l2_size) {
            Qcow2ClusterType tn = qcow2_cluster_type(s, l2_get(t, l2_index + k));
            if (tn != QCOW2_CLUSTER_UNALLOCATED && tn != QCOW2_CLUSTER_ZERO_PLAIN) {
                break;
            }
            k++;
        }
        uint64_t got;
        int64_t host = qcow2_alloc_clusters_upto(s, k, &got);
        if (host < 0) {
            return (int)host;
        }
        k = got;
        ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
        if (ret < 0) {
            return ret;
        }
        for (uint64_t i = 0; i < k; i++) {
            l2_set(t, l2_index + i, ((uint64_t)host + (i << s->cluster_bits)) |
                   QCOW2_OFLAG_COPIED);
        }
        ret = l2_write_entries(s, l2_off, l2_index, k);
        cluster += k;
    }
    if (ret < 0) {
        return ret;
    }
    /* The file covers every cluster the tables now point at. */
    uint64_t host_end = (s->highest_alloc + 1) << s->cluster_bits;
    int64_t file_len = blk_getlength(s->file);
    if (file_len >= 0 && (uint64_t)file_len < host_end) {
        ret = blk_truncate(s->file, host_end, false,
                           mode == PREALLOC_MODE_METADATA ? PREALLOC_MODE_OFF : mode, NULL);
    }
    return ret;
}
