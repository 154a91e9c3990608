/*
 * qcow2 internal snapshots ("Snapshots"): the snapshot table, and taking,
 * reverting to and deleting snapshots.  A snapshot is a copy of the active
 * L1 table; everything it reaches gets one more reference, so the next write
 * to a shared cluster copies it (qcow2-cluster.c).  Refcounts go up before
 * a table points at clusters and down only after it stopped.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define SN_HEADER_SIZE 40
#define SN_EXTRA_KNOWN 24   /* vm_state_size (64 bit), disk_size, icount */

void qcow2_snapshots_free(BDRVQcow2State *s)
{
    for (uint32_t i = 0; i < s->nb_snapshots && s->snapshots; i++) {
        g_free(s->snapshots[i].id_str);
        g_free(s->snapshots[i].name);
        g_free(s->snapshots[i].extra_unknown);
    }
    g_free(s->snapshots);
    s->snapshots = NULL;
}

int qcow2_read_l1(BDRVQcow2State *s, uint64_t offset, uint32_t size, uint64_t **l1)
{
    *l1 = NULL;
    int64_t file_len = blk_getlength(s->file);
    if ((uint64_t)size * 8 > QCOW2_MAX_L1_BYTES || file_len < 0 ||
        (size && !qcow2_table_valid(s, offset, (uint64_t)size * 8, file_len))) {
        return -EINVAL;
    }
    uint64_t *t = g_new0(uint64_t, MAX(size, 1));
    int ret = size ? blk_pread(s->file, offset, t, (uint64_t)size * 8) : 0;
    if (ret < 0) {
        g_free(t);
        return ret;
    }
    for (uint32_t i = 0; i < size; i++) {
        t[i] = GUINT64_FROM_BE(t[i]);
    }
    *l1 = t;
    return 0;
}

int qcow2_snapshots_read(BDRVQcow2State *s, Error **errp)
{
    s->snapshots_size = 0;
    if (!s->nb_snapshots) {
        return 0;
    }
    int64_t file_len = blk_getlength(s->file);
    if (file_len < 0) {
        error_setg_errno(errp, (int)-file_len, "Could not get the image size");
        return (int)file_len;
    }
    s->snapshots = g_new0(Qcow2Snapshot, s->nb_snapshots);
    uint64_t off = s->snapshots_offset;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint8_t h[SN_HEADER_SIZE];
        if (off - s->snapshots_offset > QCOW2_MAX_SNAPSHOT_TABLE_BYTES) {
            error_setg(errp, "Snapshot table too large");
            return -EFBIG;
        }
        if (off + SN_HEADER_SIZE > (uint64_t)file_len) {
            error_setg(errp, "Snapshot table entry %u lies beyond the end of the file", i);
            return -EINVAL;
        }
        int ret = blk_pread(s->file, off, h, sizeof(h));
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to read snapshot table");
            return ret;
        }
        sn->l1_table_offset = qcow2_be64(h);
        sn->l1_size = qcow2_be32(h + 8);
        uint16_t id_len = qcow2_be16(h + 12);
        uint16_t name_len = qcow2_be16(h + 14);
        sn->date_sec = qcow2_be32(h + 16);
        sn->date_nsec = qcow2_be32(h + 20);
        sn->vm_clock_nsec = qcow2_be64(h + 24);
        sn->vm_state_size = qcow2_be32(h + 32);
        uint32_t extra = qcow2_be32(h + 36);
        if (extra > QCOW2_MAX_SNAPSHOT_EXTRA) {
            error_setg(errp, "Too much extra metadata in snapshot table entry %u", i);
            return -EFBIG;
        }
        uint64_t unpadded = SN_HEADER_SIZE + (uint64_t)extra + id_len + name_len;
        uint64_t len = qcow2_align_up(unpadded, 8);
        /* The padding of the last entry may lie past the end of the file. */
        if (off + unpadded > (uint64_t)file_len) {
            error_setg(errp, "Snapshot table entry %u lies beyond the end of the file", i);
            return -EINVAL;
        }
        uint8_t *body = g_malloc(extra + id_len + name_len + 1);
        ret = blk_pread(s->file, off + SN_HEADER_SIZE, body, extra + id_len + name_len);
        if (ret < 0) {
            g_free(body);
            error_setg_errno(errp, -ret, "Failed to read snapshot table");
            return ret;
        }
        sn->disk_size = s->size;
        sn->icount = -1;
        if (extra >= 8) {
            sn->vm_state_size = qcow2_be64(body);
        }
        if (extra >= 16) {
            sn->disk_size = qcow2_be64(body + 8);
        }
        if (extra >= 24) {
            sn->icount = (int64_t)qcow2_be64(body + 16);
        }
        if (extra > SN_EXTRA_KNOWN) {
            sn->extra_unknown_size = extra - SN_EXTRA_KNOWN;
            sn->extra_unknown = g_memdup2(body + SN_EXTRA_KNOWN, sn->extra_unknown_size);
        }
        sn->id_str = g_strndup((char *)body + extra, id_len);
        sn->name = g_strndup((char *)body + extra + id_len, name_len);
        g_free(body);
        if ((uint64_t)sn->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
            error_setg(errp, "Snapshot L1 table too large");
            return -EFBIG;
        }
        if (sn->l1_size && !qcow2_table_valid(s, sn->l1_table_offset,
                                              (uint64_t)sn->l1_size * 8, file_len)) {
            error_setg(errp, "Snapshot L1 table offset invalid");
            return -EINVAL;
        }
        if (sn->disk_size > INT64_MAX / 2) {
            error_setg(errp, "Snapshot %s has an invalid disk size", sn->id_str);
            return -EINVAL;
        }
        off += len;
    }
    s->snapshots_size = off - s->snapshots_offset;
    return 0;
}

/* Write list as the new snapshot table, switch the header to it, free the old one. */
static int qcow2_snapshots_write(BDRVQcow2State *s, Qcow2Snapshot *list, uint32_t nb)
{
    uint64_t size = 0;
    for (uint32_t i = 0; i < nb; i++) {
        size += qcow2_align_up(SN_HEADER_SIZE + SN_EXTRA_KNOWN + list[i].extra_unknown_size +
                               strlen(list[i].id_str) + strlen(list[i].name), 8);
    }
    if (size > QCOW2_MAX_SNAPSHOT_TABLE_BYTES) {
        return -EFBIG;
    }
    uint8_t *buf = g_malloc0(MAX(size, 1));
    uint64_t p = 0;
    for (uint32_t i = 0; i < nb; i++) {
        Qcow2Snapshot *sn = &list[i];
        size_t id_len = strlen(sn->id_str), name_len = strlen(sn->name);
        uint32_t extra = SN_EXTRA_KNOWN + sn->extra_unknown_size;
        qcow2_put_be64(buf + p, sn->l1_table_offset);
        qcow2_put_be32(buf + p + 8, sn->l1_size);
        qcow2_put_be16(buf + p + 12, id_len);
        qcow2_put_be16(buf + p + 14, name_len);
        qcow2_put_be32(buf + p + 16, sn->date_sec);
        qcow2_put_be32(buf + p + 20, sn->date_nsec);
        qcow2_put_be64(buf + p + 24, sn->vm_clock_nsec);
        qcow2_put_be32(buf + p + 32, sn->vm_state_size > UINT32_MAX ? 0 : sn->vm_state_size);
        qcow2_put_be32(buf + p + 36, extra);
        qcow2_put_be64(buf + p + 40, sn->vm_state_size);
        qcow2_put_be64(buf + p + 48, sn->disk_size);
        qcow2_put_be64(buf + p + 56, sn->icount < 0 ? UINT64_MAX : (uint64_t)sn->icount);
        if (sn->extra_unknown_size) {
            memcpy(buf + p + 64, sn->extra_unknown, sn->extra_unknown_size);
        }
        memcpy(buf + p + SN_HEADER_SIZE + extra, sn->id_str, id_len);
        memcpy(buf + p + SN_HEADER_SIZE + extra + id_len, sn->name, name_len);
        p += qcow2_align_up(SN_HEADER_SIZE + extra + id_len + name_len, 8);
    }
    int64_t off = 0;
    int ret = 0;
    if (nb) {
        off = qcow2_alloc_clusters(s, size);
        ret = off < 0 ? (int)off : blk_pwrite(s->file, off, buf, size);
    }
    g_free(buf);
    if (ret >= 0) {
        ret = blk_flush(s->file);
    }
    if (ret >= 0) {
        ret = qcow2_header_write_snapshots(s, nb, off);
    }
    if (ret < 0) {
        if (off > 0) {
            qcow2_update_refcount(s, off, size, -1, false);
        }
        return ret;
    }
    uint64_t old_off = s->snapshots_offset, old_size = s->snapshots_size;
    s->snapshots_offset = off;
    s->snapshots_size = size;
    if (old_off && old_size) {
        return qcow2_update_refcount(s, old_off, old_size, -1, false);
    }
    return 0;
}

static int qcow2_snapshot_find(BDRVQcow2State *s, const char *id_or_name)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].id_str, id_or_name)) {
            return i;
        }
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].name, id_or_name)) {
            return i;
        }
    }
    return -1;
}

/* Every L2 table an L1 table reaches, and every cluster those map, lie in the file. */
static int qcow2_l1_check_sane(BDRVQcow2State *s, const uint64_t *l1, uint32_t l1_size)
{
    int64_t file_len = blk_getlength(s->file);
    if (file_len < 0) {
        return (int)file_len;
    }
    uint8_t *t = g_malloc(s->cluster_size);
    int ret = 0;
    for (uint32_t i = 0; i < l1_size && ret >= 0; i++) {
        uint64_t l2_off = l1[i] & QCOW2_L1E_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        if ((l1[i] & QCOW2_L1E_RESERVED) ||
            !qcow2_table_valid(s, l2_off, s->cluster_size, file_len)) {
            ret = qcow2_signal_corruption(s, "L2 table offset %#" PRIx64 " invalid", l2_off);
            break;
        }
        ret = blk_pread(s->file, l2_off, t, s->cluster_size);
        for (uint32_t j = 0; j < s->l2_size && ret >= 0; j++) {
            uint64_t e = qcow2_be64(t + j * 8);
            uint64_t start, len;
            switch (qcow2_cluster_type(s, e)) {
            case QCOW2_CLUSTER_NORMAL:
            case QCOW2_CLUSTER_ZERO_ALLOC:
                start = e & QCOW2_L2E_OFFSET_MASK;
                if ((e & (QCOW2_L2E_RESERVED & ~QCOW2_OFLAG_ZERO)) ||
                    start >= (uint64_t)file_len) {
                    ret = qcow2_signal_corruption(s, "Cluster offset %#" PRIx64 " invalid "
                                                  "(L2 table %#" PRIx64 ")", start, l2_off);
                }
                break;
            case QCOW2_CLUSTER_COMPRESSED:
                qcow2_compressed_range(s, e, &start, &len);
                if (start >= (uint64_t)file_len) {
                    ret = qcow2_signal_corruption(s, "Compressed cluster offset %#" PRIx64
                                                  " invalid", start);
                }
                break;
            default:
                break;
            }
        }
    }
    g_free(t);
    return ret;
}

int qcow2_snapshot_create(BlockDriverState *bs, const char *name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS) {
        error_setg(errp, "Too many snapshots");
        return -EFBIG;
    }
    uint64_t max_id = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint64_t id = g_ascii_strtoull(s->snapshots[i].id_str, NULL, 10);
        max_id = MAX(max_id, id);
    }
    int ret = qcow2_l1_check_sane(s, s->l1_table, s->l1_size);
    if (ret < 0) {
        error_setg(errp, "Image is inconsistent; run kemu-img check");
        return ret;
    }

    /* 1. a copy of the active L1 table */
    uint64_t l1_bytes = (uint64_t)s->l1_size * 8;
    int64_t l1_off = 0;
    if (s->l1_size) {
        l1_off = qcow2_alloc_clusters(s, l1_bytes);
        if (l1_off < 0) {
            error_setg_errno(errp, (int)-l1_off, "Could not allocate the snapshot L1 table");
            return (int)l1_off;
        }
        uint64_t *be = g_new(uint64_t, s->l1_size);
        for (uint32_t i = 0; i < s->l1_size; i++) {
            be[i] = GUINT64_TO_BE(s->l1_table[i]);
        }
        ret = blk_pwrite(s->file, l1_off, be, l1_bytes);
        g_free(be);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not write the snapshot L1 table");
            return ret;
        }
    }
    /* 2. one more reference on everything it reaches; 3. nothing is COPIED now */
    ret = qcow2_update_l1_refcounts(s, s->l1_table, s->l1_size, 1);
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(s);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not update refcounts for the snapshot");
        return ret;
    }
    /* 4. the table entry */
    gint64 now = g_get_real_time();
    Qcow2Snapshot sn = {
        .l1_table_offset = l1_off,
        .l1_size = s->l1_size,
        .id_str = g_strdup_printf("%" PRIu64, max_id + 1),
        .name = g_strdup(name),
        .disk_size = s->size,
        .date_sec = now / G_USEC_PER_SEC,
        .date_nsec = (now % G_USEC_PER_SEC) * 1000,
        .icount = 0,
    };
    Qcow2Snapshot *list = g_new(Qcow2Snapshot, s->nb_snapshots + 1);
    if (s->nb_snapshots) {
        memcpy(list, s->snapshots, sizeof(*list) * s->nb_snapshots);
    }
    list[s->nb_snapshots] = sn;
    ret = qcow2_snapshots_write(s, list, s->nb_snapshots + 1);
    if (ret < 0) {
        g_free(sn.id_str);
        g_free(sn.name);
        g_free(list);
        error_setg_errno(errp, -ret, "Could not write the snapshot table");
        return ret;
    }
    g_free(s->snapshots);
    s->snapshots = list;
    s->nb_snapshots++;
    return blk_flush(s->file);
}

int qcow2_snapshot_goto(BlockDriverState *bs, const char *id_or_name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int idx = qcow2_snapshot_find(s, id_or_name);
    if (idx < 0) {
        error_setg_errno(errp, ENOENT, "Failed to load snapshot");
        return -ENOENT;
    }
    Qcow2Snapshot *sn = &s->snapshots[idx];
    uint64_t *sn_l1;
    int ret = qcow2_read_l1(s, sn->l1_table_offset, sn->l1_size, &sn_l1);
    if (ret >= 0) {
        ret = qcow2_l1_check_sane(s, sn_l1, sn->l1_size);
    }
    if (ret < 0) {
        g_free(sn_l1);
        error_setg(errp, "Snapshot '%s' has an invalid L1 table", id_or_name);
        return ret;
    }
    uint64_t needed = MAX(sn->l1_size, qcow2_l1_entries_for(s->cluster_bits, sn->disk_size));
    ret = qcow2_grow_l1_table(s, needed);
    if (ret >= 0) {
        ret = qcow2_update_l1_refcounts(s, sn_l1, sn->l1_size, 1);
    }
    if (ret < 0) {
        g_free(sn_l1);
        error_setg_errno(errp, -ret, "Could not prepare reverting to snapshot '%s'",
                         id_or_name);
        return ret;
    }
    uint64_t *old = s->l1_table;
    uint32_t old_size = s->l1_size;
    uint64_t *table = g_new0(uint64_t, s->l1_size);
    uint64_t *be = g_new0(uint64_t, s->l1_size);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        table[i] = i < sn->l1_size ? sn_l1[i] : 0;
        be[i] = GUINT64_TO_BE(table[i]);
    }
    g_free(sn_l1);
    ret = s->l1_size ? blk_pwrite(s->file, s->l1_table_offset, be, (uint64_t)s->l1_size * 8)
                     : 0;
    g_free(be);
    if (ret < 0) {
        g_free(table);
        error_setg_errno(errp, -ret, "Could not write the L1 table");
        return ret;
    }
    s->l1_table = table;
    qcow2_cache_clear(&s->l2_cache);
    if (sn->disk_size != s->size) {
        s->size = sn->disk_size;
        ret = qcow2_header_write_size(s);
    }
    if (ret >= 0) {
        ret = qcow2_update_l1_refcounts(s, old, old_size, -1);
    }
    g_free(old);
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(s);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not finish reverting to snapshot '%s'",
                         id_or_name);
        return ret;
    }
    return blk_flush(s->file);
}

/*
 * Show a snapshot's contents on a read-only image (convert -l): only the
 * in-memory L1 table and size change; nothing is written.
 */
int qcow2_snapshot_load_tmp(BlockDriverState *bs, const char *id, const char *name,
                            Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2Snapshot *sn = NULL;
    for (uint32_t i = 0; i < s->nb_snapshots && !sn; i++) {
        if ((!id || !strcmp(s->snapshots[i].id_str, id)) &&
            (!name || !strcmp(s->snapshots[i].name, name))) {
            sn = &s->snapshots[i];
        }
    }
    if (!sn) {
        error_setg(errp, "Can't find snapshot");
        return -ENOENT;
    }
    uint64_t *sn_l1;
    int ret = qcow2_read_l1(s, sn->l1_table_offset, sn->l1_size, &sn_l1);
    if (ret >= 0) {
        ret = qcow2_l1_check_sane(s, sn_l1, sn->l1_size);
    }
    if (ret < 0) {
        g_free(sn_l1);
        error_setg(errp, "Snapshot has an invalid L1 table");
        return ret;
    }
    /* Lookups index the table up to the size: give it room for the whole disk. */
    uint32_t need = MAX(sn->l1_size, qcow2_l1_entries_for(s->cluster_bits, sn->disk_size));
    uint64_t *table = g_new0(uint64_t, MAX(need, 1));
    memcpy(table, sn_l1, (size_t)sn->l1_size * 8);
    g_free(sn_l1);
    g_free(s->l1_table);
    s->l1_table = table;
    s->l1_size = need;
    s->size = sn->disk_size;
    qcow2_cache_clear(&s->l2_cache);
    return 0;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *id_or_name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int idx = qcow2_snapshot_find(s, id_or_name);
    if (idx < 0) {
        error_setg(errp, "snapshot not found");
        return -ENOENT;
    }
    Qcow2Snapshot sn = s->snapshots[idx];
    uint64_t *sn_l1;
    int ret = qcow2_read_l1(s, sn.l1_table_offset, sn.l1_size, &sn_l1);
    if (ret >= 0) {
        ret = qcow2_l1_check_sane(s, sn_l1, sn.l1_size);
    }
    if (ret < 0) {
        g_free(sn_l1);
        error_setg(errp, "Snapshot '%s' has an invalid L1 table", id_or_name);
        return ret;
    }
    /* Out of the table first: after a crash the clusters only leak. */
    Qcow2Snapshot *list = g_new(Qcow2Snapshot, MAX(s->nb_snapshots - 1, 1));
    for (uint32_t i = 0, k = 0; i < s->nb_snapshots; i++) {
        if (i != (uint32_t)idx) {
            list[k++] = s->snapshots[i];
        }
    }
    ret = qcow2_snapshots_write(s, list, s->nb_snapshots - 1);
    if (ret < 0) {
        g_free(list);
        g_free(sn_l1);
        error_setg_errno(errp, -ret, "Could not write the snapshot table");
        return ret;
    }
    g_free(s->snapshots);
    s->snapshots = list;
    s->nb_snapshots--;
    ret = qcow2_update_l1_refcounts(s, sn_l1, sn.l1_size, -1);
    g_free(sn_l1);
    if (ret >= 0 && sn.l1_size) {
        ret = qcow2_update_refcount(s, sn.l1_table_offset,
                                    qcow2_align_up((uint64_t)sn.l1_size * 8, s->cluster_size),
                                    -1, true);
    }
    if (ret >= 0) {
        ret = qcow2_update_copied_flags(s);
    }
    g_free(sn.id_str);
    g_free(sn.name);
    g_free(sn.extra_unknown);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not free the clusters of snapshot '%s'",
                         id_or_name);
        return ret;
    }
    return blk_flush(s->file);
}

int qcow2_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **list)
{
    BDRVQcow2State *s = bs->opaque;
    BlockSnapshotInfo *out = g_new0(BlockSnapshotInfo, MAX(s->nb_snapshots, 1));
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        out[i].id = g_strdup(sn->id_str);
        out[i].name = g_strdup(sn->name);
        out[i].vm_state_size = sn->vm_state_size;
        out[i].date_sec = sn->date_sec;
        out[i].date_nsec = sn->date_nsec;
        out[i].vm_clock_nsec = sn->vm_clock_nsec;
        out[i].icount = sn->icount;
        out[i].disk_size = sn->disk_size;
    }
    *list = out;
    return (int)s->nb_snapshots;
}
