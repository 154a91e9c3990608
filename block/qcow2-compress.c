/*
 * qcow2 compressed clusters ("Compressed Clusters Descriptor"): raw deflate
 * streams packed byte by byte into host clusters.  We compress with a 4 KiB
 * window, which every qcow2 reader accepts, and inflate with the largest.
 */
#include "block/qcow2.h"
#include "config-host.h"

#include <errno.h>
#include <inttypes.h>
#ifdef CONFIG_ZLIB
#include <zlib.h>
#endif

#ifndef CONFIG_ZLIB
/* Built without zlib: compressed clusters can be neither read nor written. */
ssize_t qcow2_compress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size)
{
    return -1;
}

int qcow2_decompress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size)
{
    return -ENOTSUP;
}
#else
ssize_t qcow2_compress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size)
{
    z_stream strm = { 0 };
    if (deflateInit2(&strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return -1;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dest;
    strm.avail_out = dest_size;
    int ret = deflate(&strm, Z_FINISH);
    ssize_t out = ret == Z_STREAM_END ? (ssize_t)(dest_size - strm.avail_out) : -1;
    deflateEnd(&strm);
    return out;
}

int qcow2_decompress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size)
{
    z_stream strm = { 0 };
    if (inflateInit2(&strm, -15) != Z_OK) {
        return -EIO;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dest;
    strm.avail_out = dest_size;
    int ret = inflate(&strm, Z_FINISH);
    /* Decompression stops once a whole cluster came out; the rest is padding. */
    bool ok = strm.avail_out == 0 &&
              (ret == Z_STREAM_END || ret == Z_BUF_ERROR || ret == Z_OK);
    inflateEnd(&strm);
    return ok ? 0 : -EIO;
}
#endif

int qcow2_read_compressed(BDRVQcow2State *s, uint64_t l2_entry, uint8_t *cluster)
{
    if (s->cluster_cache_entry == l2_entry) {
        memcpy(cluster, s->cluster_data, s->cluster_size);
        return 0;
    }
    uint64_t off = l2_entry & s->cluster_offset_mask;
    uint64_t nsec = ((l2_entry >> s->csize_shift) & s->csize_mask) + 1;
    uint64_t csize = nsec * 512 - (off & 511);
    uint8_t *in = g_malloc(csize);
    int ret = blk_pread(s->file, off, in, csize);
    if (ret >= 0) {
        ret = qcow2_decompress(s->cluster_data, s->cluster_size, in, csize);
        if (ret < 0) {
            error_report("qcow2: compressed cluster at %#" PRIx64 " in '%s' does not "
                         "decompress", off, s->bs->filename);
        }
    }
    g_free(in);
    if (ret < 0) {
        s->cluster_cache_entry = 0;
        return ret;
    }
    s->cluster_cache_entry = l2_entry;
    memcpy(cluster, s->cluster_data, s->cluster_size);
    return 0;
}

int qcow2_write_compressed(BDRVQcow2State *s, uint64_t offset, const uint8_t *buf,
                           uint64_t bytes)
{
    const uint64_t cs = s->cluster_size;
    if (offset & (cs - 1) || bytes > cs || (bytes != cs && offset + cs < s->size)) {
        return -EINVAL;
    }
    if (s->broken) {
        return -EIO;
    }
    uint8_t *src = g_malloc0(cs);
    memcpy(src, buf, bytes);
    uint8_t *out = g_malloc(cs);
    ssize_t clen = qcow2_compress(out, cs - 1, src, cs);
    g_free(src);
    if (clen < 0) {
        g_free(out);
        return qcow2_pwrite_clusters(s, offset, buf, bytes);   /* does not shrink */
    }
    uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
    uint64_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t l2_off;
    int ret = qcow2_l2_for_write(s, l1_index, &l2_off);
    int64_t host = ret < 0 ? ret : qcow2_alloc_bytes(s, clen);
    if (host < 0) {
        g_free(out);
        return (int)host;
    }
    if ((uint64_t)host + clen > s->cluster_offset_mask) {
        g_free(out);
        qcow2_update_refcount(s, host, clen, -1, false);
        return -EFBIG;
    }
    ret = blk_pwrite(s->file, host, out, clen);
    g_free(out);
    if (ret < 0) {
        return ret;
    }
    uint64_t nsec = ((host + clen - 1) >> 9) - ((uint64_t)host >> 9);
    uint64_t e = (uint64_t)host | (nsec << s->csize_shift) | QCOW2_OFLAG_COMPRESSED;
    uint8_t *t;
    ret = qcow2_cache_get(s, &s->l2_cache, l2_off, false, &t);
    if (ret < 0) {
        return ret;
    }
    uint64_t old = qcow2_be64(t + l2_index * 8);
    qcow2_put_be64(t + l2_index * 8, e);
    ret = blk_pwrite(s->file, l2_off + l2_index * 8, t + l2_index * 8, 8);
    if (ret < 0) {
        return ret;
    }
    return qcow2_free_l2_entry(s, old, false);
}
