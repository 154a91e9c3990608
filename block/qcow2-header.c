/*
 * qcow2 "Header" and "Header extensions": parsing with a range check on
 * every field, and writing the header cluster back.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* Header field offsets ("Header") */
enum {
    HDR_MAGIC = 0,
    HDR_VERSION = 4,
    HDR_BACKING_OFFSET = 8,
    HDR_BACKING_SIZE = 16,
    HDR_CLUSTER_BITS = 20,
    HDR_SIZE = 24,
    HDR_CRYPT_METHOD = 32,
    HDR_L1_SIZE = 36,
    HDR_L1_OFFSET = 40,
    HDR_REFTABLE_OFFSET = 48,
    HDR_REFTABLE_CLUSTERS = 56,
    HDR_NB_SNAPSHOTS = 60,
    HDR_SNAPSHOTS_OFFSET = 64,
    HDR_INCOMPAT = 72,
    HDR_COMPAT = 80,
    HDR_AUTOCLEAR = 88,
    HDR_REFCOUNT_ORDER = 96,
    HDR_HEADER_LENGTH = 100,
    HDR_COMPRESSION_TYPE = 104,
};

/* "Feature name table": what we write, and name unknown bits from the image's. */
static const struct {
    uint8_t type;   /* 0 incompatible, 1 compatible, 2 autoclear */
    uint8_t bit;
    const char *name;
} qcow2_features[] = {
    { 0, 0, "dirty bit" },
    { 0, 1, "corrupt bit" },
    { 0, 2, "external data file" },
    { 0, 3, "compression type" },
    { 0, 4, "extended L2 entries" },
    { 1, 0, "lazy refcounts" },
    { 2, 0, "bitmaps" },
    { 2, 1, "raw external data" },
};
#define FEATURE_ENTRY_SIZE 48

#define QCOW2_KNOWN_INCOMPAT (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)

bool qcow2_table_valid(const BDRVQcow2State *s, uint64_t offset, uint64_t len,
                       int64_t file_len)
{
    if (offset % s->cluster_size || offset == 0) {
        return false;
    }
    if (len > QCOW2_MAX_HOST_OFFSET || offset > QCOW2_MAX_HOST_OFFSET - len) {
        return false;
    }
    return offset + len <= (uint64_t)file_len;
}

static char *feature_names_unknown(const uint8_t *table, uint32_t table_len, uint64_t mask)
{
    GString *out = g_string_new(NULL);
    for (int bit = 0; bit < 64; bit++) {
        if (!(mask & (1ULL << bit))) {
            continue;
        }
        const char *name = NULL;
        char namebuf[FEATURE_ENTRY_SIZE - 1];
        for (uint32_t i = 0; table && i + FEATURE_ENTRY_SIZE <= table_len;
             i += FEATURE_ENTRY_SIZE) {
            if (table[i] == 0 && table[i + 1] == bit) {
                memcpy(namebuf, table + i + 2, FEATURE_ENTRY_SIZE - 2);
                namebuf[FEATURE_ENTRY_SIZE - 2] = 0;
                name = namebuf;
                break;
            }
        }
        for (size_t i = 0; !name && i < G_N_ELEMENTS(qcow2_features); i++) {
            if (qcow2_features[i].type == 0 && qcow2_features[i].bit == bit) {
                name = qcow2_features[i].name;
            }
        }
        if (out->len) {
            g_string_append(out, ", ");
        }
        if (name) {
            g_string_append(out, name);
        } else {
            g_string_append_printf(out, "Unknown incompatible feature: %" PRIx64,
                                   (uint64_t)1 << bit);
        }
    }
    return g_string_free(out, false);
}

static void unknown_ext_free(gpointer p)
{
    Qcow2UnknownExt *ext = p;
    g_free(ext->data);
    g_free(ext);
}

/* Walk "Header extensions" in [start, end) of the header cluster. */
static int qcow2_parse_extensions(BDRVQcow2State *s, const uint8_t *buf, uint64_t start,
                                  uint64_t end, const uint8_t **ftable, uint32_t *ftable_len,
                                  Error **errp)
{
    uint64_t off = start;
    while (off < end) {
        if (end - off < 8) {
            error_setg(errp, "Invalid header extension area: truncated at offset %" PRIu64,
                       off);
            return -EINVAL;
        }
        uint32_t magic = qcow2_be32(buf + off);
        uint32_t len = qcow2_be32(buf + off + 4);
        off += 8;
        if (magic == QCOW2_EXT_END) {
            return 0;
        }
        if (len > end - off) {
            error_setg(errp, "Header extension 0x%08x is too large (%" PRIu32 " bytes)",
                       magic, len);
            return -EINVAL;
        }
        const uint8_t *data = buf + off;
        switch (magic) {
        case QCOW2_EXT_BACKING_FMT:
            if (len > 1023) {
                error_setg(errp, "Backing file format name is too long");
                return -EINVAL;
            }
            g_free(s->image_backing_format);
            s->image_backing_format = g_strndup((const char *)data, len);
            break;
        case QCOW2_EXT_FEATURE_TABLE:
            *ftable = data;
            *ftable_len = len;
            break;
        case QCOW2_EXT_DATA_FILE:
        case QCOW2_EXT_CRYPTO:
            break;  /* refused through their feature bit / crypt_method */
        case QCOW2_EXT_BITMAPS:
            /* Bitmaps are not maintained: dropped, and the autoclear bit cleared. */
            break;
        default: {
            Qcow2UnknownExt *ext = g_new0(Qcow2UnknownExt, 1);
            ext->magic = magic;
            ext->len = len;
            ext->data = g_memdup2(data, len);
            g_ptr_array_add(s->unknown_exts, ext);
            break;
        }
        }
        off += qcow2_align_up(len, 8) <= end - off ? qcow2_align_up(len, 8) : end - off;
    }
    return 0;
}

/* Whether two byte ranges overlap. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

int qcow2_header_read(BDRVQcow2State *s, Error **errp)
{
    int64_t file_len = blk_getlength(s->file);
    if (file_len < 0) {
        error_setg_errno(errp, (int)-file_len, "Could not get the image size");
        return (int)file_len;
    }
    uint8_t h[QCOW2_WRITE_HEADER_LENGTH] = { 0 };
    int ret = blk_pread(s->file, 0, h, sizeof(h));
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    if (file_len < QCOW2_V2_HEADER_LENGTH || qcow2_be32(h + HDR_MAGIC) != QCOW2_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    s->version = qcow2_be32(h + HDR_VERSION);
    if (s->version != 2 && s->version != 3) {
        error_setg(errp, "Unsupported qcow2 version %d", s->version);
        return -ENOTSUP;
    }
    uint32_t cluster_bits = qcow2_be32(h + HDR_CLUSTER_BITS);
    if (cluster_bits < QCOW2_MIN_CLUSTER_BITS || cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%" PRIu32, cluster_bits);
        return -EINVAL;
    }
    s->cluster_bits = cluster_bits;
    s->cluster_size = 1U << cluster_bits;
    s->l2_bits = cluster_bits - 3;
    s->l2_size = 1U << s->l2_bits;
    s->csize_shift = 62 - (cluster_bits - 8);
    s->csize_mask = (1ULL << (cluster_bits - 8)) - 1;
    s->cluster_offset_mask = (1ULL << s->csize_shift) - 1;

    if (s->version == 2) {
        s->header_length = QCOW2_V2_HEADER_LENGTH;
        s->refcount_order = 4;
    } else {
        s->header_length = qcow2_be32(h + HDR_HEADER_LENGTH);
        if (s->header_length < QCOW2_V3_HEADER_LENGTH) {
            error_setg(errp, "qcow2 header too short");
            return -EINVAL;
        }
        if (s->header_length > s->cluster_size) {
            error_setg(errp, "qcow2 header exceeds cluster size");
            return -EINVAL;
        }
        if (s->header_length % 8) {
            error_setg(errp, "qcow2 header length %" PRIu32 " is not a multiple of 8",
                       s->header_length);
            return -EINVAL;
        }
        s->incompatible_features = qcow2_be64(h + HDR_INCOMPAT);
        s->compatible_features = qcow2_be64(h + HDR_COMPAT);
        s->autoclear_features = qcow2_be64(h + HDR_AUTOCLEAR);
        s->refcount_order = (int)qcow2_be32(h + HDR_REFCOUNT_ORDER);
        if (qcow2_be32(h + HDR_REFCOUNT_ORDER) > 6) {
            error_setg(errp, "Reference count entry width too large; may not exceed 64 bits");
            return -EINVAL;
        }
    }

    s->crypt_method = qcow2_be32(h + HDR_CRYPT_METHOD);
    if (s->crypt_method != 0) {
        error_setg(errp, "qcow2 encryption is not supported");
        return -ENOTSUP;
    }

    uint8_t *buf = g_malloc0(s->cluster_size);
    ret = blk_pread(s->file, 0, buf, MIN((int64_t)s->cluster_size, file_len));
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        g_free(buf);
        return ret;
    }

    uint64_t backing_offset = qcow2_be64(h + HDR_BACKING_OFFSET);
    uint32_t backing_size = qcow2_be32(h + HDR_BACKING_SIZE);
    uint64_t ext_end = s->cluster_size;
    if (backing_offset) {
        if (backing_size > QCOW2_MAX_BACKING_NAME) {
            error_setg(errp, "Backing file name too long");
            goto fail;
        }
        if (backing_offset < s->header_length || backing_offset > s->cluster_size ||
            backing_size > s->cluster_size - backing_offset) {
            error_setg(errp, "Invalid backing file offset");
            goto fail;
        }
        ext_end = backing_offset;
    }

    const uint8_t *ftable = NULL;
    uint32_t ftable_len = 0;
    if (qcow2_parse_extensions(s, buf, s->header_length, ext_end, &ftable, &ftable_len,
                               errp) < 0) {
        goto fail;
    }

    if (s->incompatible_features & QCOW2_INCOMPAT_DATA_FILE) {
        error_setg(errp, "external data files are not supported");
        goto fail;
    }
    if (s->header_length > HDR_COMPRESSION_TYPE && buf[HDR_COMPRESSION_TYPE] != 0) {
        error_setg(errp, "Unsupported compression type %u (only zlib is supported)",
                   buf[HDR_COMPRESSION_TYPE]);
        goto fail;
    }
    uint64_t unknown = s->incompatible_features & ~QCOW2_KNOWN_INCOMPAT;
    if (unknown) {
        char *names = feature_names_unknown(ftable, ftable_len, unknown);
        error_setg(errp, "Unsupported qcow2 feature(s): %s", names);
        g_free(names);
        goto fail;
    }
    if (backing_offset) {
        s->image_backing_file = g_strndup((const char *)buf + backing_offset, backing_size);
    }
    g_free(buf);
    buf = NULL;

    s->size = qcow2_be64(h + HDR_SIZE);
    if (s->size > INT64_MAX / 2) {
        error_setg(errp, "Image size %" PRIu64 " is too large", s->size);
        return -EFBIG;
    }
    s->l1_size = qcow2_be32(h + HDR_L1_SIZE);
    s->l1_table_offset = qcow2_be64(h + HDR_L1_OFFSET);
    if ((uint64_t)s->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "Active L1 table too large");
        return -EFBIG;
    }
    uint64_t l1_needed = qcow2_l1_entries_for(s->cluster_bits, s->size);
    if (l1_needed > QCOW2_MAX_L1_BYTES / 8) {
        error_setg(errp, "Image is too big");
        return -EFBIG;
    }
    if (s->l1_size < l1_needed) {
        error_setg(errp, "L1 table is too small");
        return -EINVAL;
    }
    if (s->l1_size && !qcow2_table_valid(s, s->l1_table_offset, (uint64_t)s->l1_size * 8,
                                         file_len)) {
        error_setg(errp, "Invalid L1 table offset");
        return -EINVAL;
    }

    s->refcount_table_offset = qcow2_be64(h + HDR_REFTABLE_OFFSET);
    s->refcount_table_clusters = qcow2_be32(h + HDR_REFTABLE_CLUSTERS);
    if (s->refcount_table_clusters == 0) {
        error_setg(errp, "Image does not contain a reference count table");
        return -EINVAL;
    }
    if ((uint64_t)s->refcount_table_clusters > QCOW2_MAX_REFTABLE_BYTES / s->cluster_size) {
        error_setg(errp, "Reference count table too large");
        return -EINVAL;
    }
    uint64_t rt_bytes = (uint64_t)s->refcount_table_clusters << s->cluster_bits;
    if (!qcow2_table_valid(s, s->refcount_table_offset, rt_bytes, file_len)) {
        error_setg(errp, "Invalid reference count table offset");
        return -EINVAL;
    }
    s->refcount_block_bits = s->cluster_bits + 3 - s->refcount_order;
    s->refcount_max = s->refcount_order == 6 ? (uint64_t)INT64_MAX
                                             : (1ULL << (1 << s->refcount_order)) - 1;

    s->nb_snapshots = qcow2_be32(h + HDR_NB_SNAPSHOTS);
    s->snapshots_offset = qcow2_be64(h + HDR_SNAPSHOTS_OFFSET);
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS) {
        error_setg(errp, "Too many snapshots");
        return -EFBIG;
    }
    if (s->nb_snapshots &&
        !qcow2_table_valid(s, s->snapshots_offset, (uint64_t)s->nb_snapshots * 40,
                           file_len)) {
        error_setg(errp, "Invalid snapshot table offset");
        return -EINVAL;
    }

    /* The tables must not overlap each other or the header. */
    uint64_t l1_bytes = qcow2_align_up((uint64_t)s->l1_size * 8, s->cluster_size);
    if (ranges_overlap(0, s->cluster_size, s->refcount_table_offset, rt_bytes) ||
        ranges_overlap(0, s->cluster_size, s->l1_table_offset, l1_bytes) ||
        ranges_overlap(s->l1_table_offset, l1_bytes, s->refcount_table_offset, rt_bytes)) {
        error_setg(errp, "qcow2 metadata overlap: the header, L1 table and refcount "
                   "table must not share clusters");
        return -EINVAL;
    }
    if (s->nb_snapshots &&
        (ranges_overlap(s->snapshots_offset, s->cluster_size, 0, s->cluster_size) ||
         ranges_overlap(s->snapshots_offset, s->cluster_size, s->refcount_table_offset,
                        rt_bytes) ||
         ranges_overlap(s->snapshots_offset, s->cluster_size, s->l1_table_offset,
                        l1_bytes))) {
        error_setg(errp, "qcow2 metadata overlap: the snapshot table shares clusters "
                   "with other metadata");
        return -EINVAL;
    }
    return 0;

fail:
    g_free(buf);
    return -EINVAL;
}

/* Build the header cluster: header, extensions, backing file name. */
static int qcow2_header_build(BDRVQcow2State *s, uint8_t *buf, uint32_t bufsize,
                              uint32_t *used)
{
    memset(buf, 0, bufsize);
    uint32_t hl = s->version == 2 ? QCOW2_V2_HEADER_LENGTH : QCOW2_WRITE_HEADER_LENGTH;
    qcow2_put_be32(buf + HDR_MAGIC, QCOW2_MAGIC);
    qcow2_put_be32(buf + HDR_VERSION, s->version);
    qcow2_put_be32(buf + HDR_CLUSTER_BITS, s->cluster_bits);
    qcow2_put_be64(buf + HDR_SIZE, s->size);
    qcow2_put_be32(buf + HDR_CRYPT_METHOD, 0);
    qcow2_put_be32(buf + HDR_L1_SIZE, s->l1_size);
    qcow2_put_be64(buf + HDR_L1_OFFSET, s->l1_table_offset);
    qcow2_put_be64(buf + HDR_REFTABLE_OFFSET, s->refcount_table_offset);
    qcow2_put_be32(buf + HDR_REFTABLE_CLUSTERS, s->refcount_table_clusters);
    qcow2_put_be32(buf + HDR_NB_SNAPSHOTS, s->nb_snapshots);
    qcow2_put_be64(buf + HDR_SNAPSHOTS_OFFSET, s->snapshots_offset);
    if (s->version >= 3) {
        qcow2_put_be64(buf + HDR_INCOMPAT, s->incompatible_features);
        qcow2_put_be64(buf + HDR_COMPAT, s->compatible_features);
        qcow2_put_be64(buf + HDR_AUTOCLEAR, s->autoclear_features);
        qcow2_put_be32(buf + HDR_REFCOUNT_ORDER, s->refcount_order);
        qcow2_put_be32(buf + HDR_HEADER_LENGTH, hl);
    }
    uint32_t off = hl;
    size_t fmt_len = s->image_backing_format ? strlen(s->image_backing_format) : 0;
    size_t name_len = s->image_backing_file ? strlen(s->image_backing_file) : 0;
    size_t ftable_len = G_N_ELEMENTS(qcow2_features) * FEATURE_ENTRY_SIZE;

    /* Room check before anything optional: extensions, end marker, name. */
    uint64_t need = hl + 8 + (fmt_len ? 8 + qcow2_align_up(fmt_len, 8) : 0) + name_len;
    for (guint i = 0; i < s->unknown_exts->len; i++) {
        Qcow2UnknownExt *ext = g_ptr_array_index(s->unknown_exts, i);
        need += 8 + qcow2_align_up(ext->len, 8);
    }
    if (need > bufsize) {
        return -ENOSPC;
    }
    bool with_ftable = s->version >= 3 && need + 8 + ftable_len <= bufsize &&
                       s->cluster_size > 512;

    if (fmt_len) {
        qcow2_put_be32(buf + off, QCOW2_EXT_BACKING_FMT);
        qcow2_put_be32(buf + off + 4, fmt_len);
        memcpy(buf + off + 8, s->image_backing_format, fmt_len);
        off += 8 + qcow2_align_up(fmt_len, 8);
    }
    if (with_ftable) {
        qcow2_put_be32(buf + off, QCOW2_EXT_FEATURE_TABLE);
        qcow2_put_be32(buf + off + 4, ftable_len);
        off += 8;
        for (size_t i = 0; i < G_N_ELEMENTS(qcow2_features); i++) {
            buf[off] = qcow2_features[i].type;
            buf[off + 1] = qcow2_features[i].bit;
            memcpy(buf + off + 2, qcow2_features[i].name, strlen(qcow2_features[i].name));
            off += FEATURE_ENTRY_SIZE;
        }
    }
    for (guint i = 0; i < s->unknown_exts->len; i++) {
        Qcow2UnknownExt *ext = g_ptr_array_index(s->unknown_exts, i);
        qcow2_put_be32(buf + off, ext->magic);
        qcow2_put_be32(buf + off + 4, ext->len);
        memcpy(buf + off + 8, ext->data, ext->len);
        off += 8 + qcow2_align_up(ext->len, 8);
    }
    off += 8;   /* end of extensions: already zero */
    if (name_len) {
        qcow2_put_be64(buf + HDR_BACKING_OFFSET, off);
        qcow2_put_be32(buf + HDR_BACKING_SIZE, name_len);
        memcpy(buf + off, s->image_backing_file, name_len);
        off += name_len;
    }
    *used = off;
    return 0;
}

int qcow2_header_write(BDRVQcow2State *s)
{
    if (!s->unknown_exts) {
        s->unknown_exts = g_ptr_array_new_with_free_func(unknown_ext_free);
    }
    uint8_t *buf = g_malloc(s->cluster_size);
    uint32_t used;
    int ret = qcow2_header_build(s, buf, s->cluster_size, &used);
    if (ret >= 0) {
        ret = blk_pwrite(s->file, 0, buf, used);
    }
    g_free(buf);
    return ret;
}

/* Every caller below writes one field (or two adjacent ones) in one write. */
int qcow2_header_write_features(BDRVQcow2State *s)
{
    if (s->version < 3) {
        return 0;
    }
    uint8_t v[8];
    qcow2_put_be64(v, s->incompatible_features);
    return blk_pwrite(s->file, HDR_INCOMPAT, v, 8);
}

int qcow2_header_write_size(BDRVQcow2State *s)
{
    uint8_t v[8];
    qcow2_put_be64(v, s->size);
    return blk_pwrite(s->file, HDR_SIZE, v, 8);
}

int qcow2_header_write_l1(BDRVQcow2State *s, uint32_t l1_size, uint64_t l1_offset)
{
    uint8_t v[12];
    qcow2_put_be32(v, l1_size);
    qcow2_put_be64(v + 4, l1_offset);
    return blk_pwrite(s->file, HDR_L1_SIZE, v, 12);
}

int qcow2_header_write_reftable(BDRVQcow2State *s, uint64_t offset, uint32_t clusters)
{
    uint8_t v[12];
    qcow2_put_be64(v, offset);
    qcow2_put_be32(v + 8, clusters);
    return blk_pwrite(s->file, HDR_REFTABLE_OFFSET, v, 12);
}

int qcow2_header_write_snapshots(BDRVQcow2State *s, uint32_t nb, uint64_t offset)
{
    uint8_t v[12];
    qcow2_put_be32(v, nb);
    qcow2_put_be64(v + 4, offset);
    return blk_pwrite(s->file, HDR_NB_SNAPSHOTS, v, 12);
}

GPtrArray *qcow2_unknown_exts_new(void)
{
    return g_ptr_array_new_with_free_func(unknown_ext_free);
}
