/*
 * The block layer and qcow2 internals: refcount entry widths, cluster
 * descriptors, random writes against a shadow copy (several cluster sizes,
 * v2/v3, refcount widths), refcount table growth, snapshots and their
 * copy-on-write, compressed clusters, backing files, zeroes and discard,
 * resize, lazy refcounts, asynchronous requests, multi-TiB images, and a
 * table of malformed headers each refused with its reason and left untouched.
 * When qemu-img is installed, every image written here must pass its check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "block/qcow2.h"
#include "system/main-loop.h"

static char *tmpdir;
static char *disk_tmpdir;   /* on a disk file system, for O_DIRECT */
static bool have_qemu_img;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static BlockDriverState *open_ok(const char *path, const char *fmt, int flags)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, fmt, flags, &err);
    if (!bs) {
        fail_msg("open %s: %s", path, error_get_pretty(err));
    }
    return bs;
}

static void create_ok(const char *fmt, const char *path, int64_t size, const char *options)
{
    Error *err = NULL;
    Opts *o = options ? opts_parse(options, NULL, &err) : NULL;
    if (!bdrv_create(fmt, path, size, o, &err)) {
        fail_msg("create %s (%s): %s", path, options ? options : "", error_get_pretty(err));
    }
    opts_free(o);
}

/* Our check finds nothing, and so does qemu-img's when it is installed. */
static void assert_consistent(const char *path)
{
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_CHECK | BDRV_O_NO_BACKING);
    BdrvCheckResult r;
    assert_int_equal(bdrv_check(bs, &r, BDRV_FIX_NONE), 0);
    assert_int_equal(r.corruptions, 0);
    assert_int_equal(r.leaks, 0);
    assert_int_equal(r.check_errors, 0);
    bdrv_unref(bs);
    if (have_qemu_img) {
        char *cmd = g_strdup_printf("qemu-img check -q '%s'", path);
        int st = system(cmd);
        g_free(cmd);
        assert_int_equal(st, 0);
    }
}

static void assert_content(BlockDriverState *bs, const uint8_t *shadow, int64_t len)
{
    uint8_t *buf = g_malloc(len);
    assert_int_equal(blk_pread(bs, 0, buf, len), 0);
    for (int64_t i = 0; i < len; i++) {
        if (buf[i] != shadow[i]) {
            fail_msg("byte %" PRId64 ": %#x, expected %#x", i, buf[i], shadow[i]);
        }
    }
    g_free(buf);
}

/* Random writes of random sizes (some unaligned, some zeroes and discards). */
static void random_writes(BlockDriverState *bs, uint8_t *shadow, int64_t len, int n,
                          GRand *rnd, bool zero_ops)
{
    uint8_t *buf = g_malloc(256 * 1024);
    for (int i = 0; i < n; i++) {
        int64_t size = g_rand_int_range(rnd, 1, 256 * 1024);
        int64_t off = g_rand_int_range(rnd, 0, (gint32)(len - size));
        int kind = zero_ops ? g_rand_int_range(rnd, 0, 10) : 0;
        if (kind == 8) {
            assert_int_equal(blk_pwrite_zeroes(bs, off, size, BDRV_REQ_MAY_UNMAP), 0);
            memset(shadow + off, 0, size);
        } else if (kind == 9) {
            /* Discarded data may read back as zeros or as before: resync. */
            assert_int_equal(blk_pdiscard(bs, off, size), 0);
            assert_int_equal(blk_pread(bs, off, shadow + off, size), 0);
        } else {
            uint8_t v = g_rand_int(rnd);
            memset(buf, v, size);
            buf[0] ^= 0x5a;
            assert_int_equal(blk_pwrite(bs, off, buf, size), 0);
            memcpy(shadow + off, buf, size);
        }
    }
    g_free(buf);
}

/* ---- Format internals ------------------------------------------------------- */

static void test_refblock_widths(void **state)
{
    uint8_t blk[512];
    for (int order = 0; order <= 6; order++) {
        uint64_t max = order == 6 ? UINT64_MAX : (1ULL << (1 << order)) - 1;
        uint64_t entries = 512 * 8 >> order;
        memset(blk, 0, sizeof(blk));
        for (uint64_t i = 0; i < entries; i++) {
            qcow2_refblock_set(blk, i, order, (i * 7 + 3) & max);
        }
        for (uint64_t i = 0; i < entries; i++) {
            assert_int_equal(qcow2_refblock_get(blk, i, order), (i * 7 + 3) & max);
        }
        qcow2_refblock_set(blk, 5, order, max);
        assert_int_equal(qcow2_refblock_get(blk, 4, order), (4 * 7 + 3) & max);
        assert_int_equal(qcow2_refblock_get(blk, 5, order), max);
        assert_int_equal(qcow2_refblock_get(blk, 6, order), (6 * 7 + 3) & max);
    }
    /* Sub-byte: entry 0 is the least significant bit ("Refcount block entry"). */
    memset(blk, 0, sizeof(blk));
    qcow2_refblock_set(blk, 0, 0, 1);
    qcow2_refblock_set(blk, 9, 0, 1);
    assert_int_equal(blk[0], 0x01);
    assert_int_equal(blk[1], 0x02);
}

static void test_cluster_math(void **state)
{
    BDRVQcow2State s = { .cluster_bits = 16, .cluster_size = 65536, .version = 3 };
    s.csize_shift = 62 - (16 - 8);
    s.csize_mask = (1ULL << 8) - 1;
    s.cluster_offset_mask = (1ULL << s.csize_shift) - 1;
    assert_int_equal(qcow2_l1_entries_for(16, 1ULL << 30), 2);
    assert_int_equal(qcow2_l1_entries_for(16, (1ULL << 29) + 1), 2);
    assert_int_equal(qcow2_l1_entries_for(9, 1ULL << 20), 32);
    assert_int_equal(qcow2_l1_entries_for(21, 4ULL << 40), 8);     /* 2 MiB: 512 GiB/L2 */
    assert_int_equal(qcow2_cluster_type(&s, 0), QCOW2_CLUSTER_UNALLOCATED);
    assert_int_equal(qcow2_cluster_type(&s, QCOW2_OFLAG_ZERO), QCOW2_CLUSTER_ZERO_PLAIN);
    assert_int_equal(qcow2_cluster_type(&s, 0x50000 | QCOW2_OFLAG_ZERO),
                     QCOW2_CLUSTER_ZERO_ALLOC);
    assert_int_equal(qcow2_cluster_type(&s, 0x50000 | QCOW2_OFLAG_COPIED),
                     QCOW2_CLUSTER_NORMAL);
    /* A compressed cluster at byte 0x12345 with 3 more sectors. */
    uint64_t e = QCOW2_OFLAG_COMPRESSED | (3ULL << s.csize_shift) | 0x12345;
    assert_int_equal(qcow2_cluster_type(&s, e), QCOW2_CLUSTER_COMPRESSED);
    uint64_t start, len;
    qcow2_compressed_range(&s, e, &start, &len);
    assert_int_equal(start, 0x12200);
    assert_int_equal(len, 4 * 512);
    /* Raw deflate round trip of a compressible and an incompressible cluster. */
    uint8_t *in = g_malloc(65536), *out = g_malloc(65536), *back = g_malloc(65536);
    for (int i = 0; i < 65536; i++) {
        in[i] = i / 1000;
    }
    ssize_t n = qcow2_compress(out, 65535, in, 65536);
    assert_true(n > 0 && n < 4096);
    assert_int_equal(qcow2_decompress(back, 65536, out, n + 100), 0);
    assert_memory_equal(in, back, 65536);
    GRand *rnd = g_rand_new_with_seed(1);
    for (int i = 0; i < 65536; i++) {
        in[i] = g_rand_int(rnd);
    }
    g_rand_free(rnd);
    assert_true(qcow2_compress(out, 65535, in, 65536) < 0);
    memset(out, 0xff, 100);
    assert_int_not_equal(qcow2_decompress(back, 65536, out, 100), 0);
    g_free(in);
    g_free(out);
    g_free(back);
}

static void test_cache_modes(void **state)
{
    int flags = BDRV_O_RDWR;
    assert_true(bdrv_parse_cache_mode("none", &flags, NULL));
    assert_int_equal(flags, BDRV_O_RDWR | BDRV_O_NOCACHE);
    assert_true(bdrv_parse_cache_mode("directsync", &flags, NULL));
    assert_int_equal(flags, BDRV_O_RDWR | BDRV_O_NOCACHE | BDRV_O_WRITETHROUGH);
    assert_true(bdrv_parse_cache_mode("unsafe", &flags, NULL));
    assert_int_equal(flags, BDRV_O_RDWR | BDRV_O_NO_FLUSH);
    assert_string_equal(bdrv_cache_mode_name(flags), "unsafe");
    assert_true(bdrv_parse_cache_mode("writethrough", &flags, NULL));
    assert_string_equal(bdrv_cache_mode_name(flags), "writethrough");
    assert_true(bdrv_parse_cache_mode("writeback", &flags, NULL));
    assert_int_equal(flags, BDRV_O_RDWR);
    Error *err = NULL;
    assert_false(bdrv_parse_cache_mode("fast", &flags, &err));
    assert_non_null(strstr(error_get_pretty(err), "fast"));
    error_free(err);
}

/* ---- Reads and writes ------------------------------------------------------------ */

static void rw_case(const char *options, int64_t len, int cache_flags, int nwrites)
{
    char *path = (cache_flags & BDRV_O_NOCACHE) ? g_build_filename(disk_tmpdir, "rw.qcow2",
                                                                   NULL)
                                                : tmp_path("rw.qcow2");
    create_ok("qcow2", path, len, options);
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR | cache_flags);
    uint8_t *shadow = g_malloc0(len);
    GRand *rnd = g_rand_new_with_seed(42);
    random_writes(bs, shadow, len, nwrites, rnd, true);
    assert_content(bs, shadow, len);
    bdrv_unref(bs);
    bs = open_ok(path, NULL, 0);
    assert_string_equal(bdrv_get_format_name(bs), "qcow2");
    assert_content(bs, shadow, len);
    bdrv_unref(bs);
    assert_consistent(path);
    g_rand_free(rnd);
    g_free(shadow);
    unlink(path);
    g_free(path);
}

static void test_rw_cluster_sizes(void **state)
{
    rw_case("cluster_size=512", 4 << 20, 0, 300);
    rw_case("cluster_size=4096,compat=0.10", 8 << 20, 0, 300);
    rw_case("cluster_size=65536", 16 << 20, BDRV_O_WRITETHROUGH, 200);
    rw_case("cluster_size=2M,refcount_bits=64", 16 << 20, 0, 60);  /* 2 MiB copy-on-writes */
    rw_case("cluster_size=4096,refcount_bits=1", 8 << 20, 0, 200);
    rw_case("cluster_size=8192,refcount_bits=4", 8 << 20, BDRV_O_NO_FLUSH, 200);
}

static void test_rw_odirect(void **state)
{
    char *path = g_build_filename(disk_tmpdir, "direct.qcow2", NULL);
    create_ok("qcow2", path, 1 << 20, NULL);
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_NOCACHE, &err);
    if (!bs) {
        printf("SKIP: O_DIRECT not supported here: %s\n", error_get_pretty(err));
        error_free(err);
    } else {
        bdrv_unref(bs);
        /* O_DIRECT goes to the device every time: fewer requests keep it quick. */
        rw_case("cluster_size=4096", 4 << 20, BDRV_O_NOCACHE, 25);
    }
    unlink(path);
    g_free(path);
}

/* 512-byte clusters with 64-bit refcounts: a refcount block covers 64 clusters. */
static void test_refcount_table_grows(void **state)
{
    char *path = tmp_path("grow.qcow2");
    create_ok("qcow2", path, 32 << 20, "cluster_size=512,refcount_bits=64");
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    BDRVQcow2State *s = bs->opaque;
    uint64_t before = s->refcount_table_offset;
    uint8_t *buf = g_malloc(1 << 20);
    for (int i = 0; i < 24; i++) {
        memset(buf, i + 1, 1 << 20);
        assert_int_equal(blk_pwrite(bs, (int64_t)i << 20, buf, 1 << 20), 0);
    }
    assert_true(s->refcount_table_offset != before);
    assert_true(s->refcount_table_clusters > 1);
    for (int i = 0; i < 24; i++) {
        assert_int_equal(blk_pread(bs, (int64_t)i << 20, buf, 1 << 20), 0);
        assert_int_equal(buf[0], i + 1);
        assert_int_equal(buf[(1 << 20) - 1], i + 1);
    }
    bdrv_unref(bs);
    assert_consistent(path);
    g_free(buf);
    unlink(path);
    g_free(path);
}

static void test_snapshots_cow(void **state)
{
    char *path = tmp_path("snap.qcow2");
    const int64_t len = 8 << 20;
    create_ok("qcow2", path, len, "cluster_size=4096");
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    uint8_t *v1 = g_malloc0(len), *v2;
    GRand *rnd = g_rand_new_with_seed(7);
    random_writes(bs, v1, len, 100, rnd, false);
    Error *err = NULL;
    assert_true(bdrv_snapshot_create(bs, "one", &err));
    v2 = g_memdup2(v1, len);
    random_writes(bs, v2, len, 100, rnd, true);
    assert_content(bs, v2, len);
    assert_true(bdrv_snapshot_create(bs, "two", &err));
    random_writes(bs, v2, len, 50, rnd, true);
    BlockSnapshotInfo *list;
    int n = bdrv_snapshot_list(bs, &list);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "one");
    assert_string_equal(list[1].id, "2");
    assert_int_equal(list[1].disk_size, len);
    bdrv_snapshot_list_free(list, n);
    bdrv_unref(bs);
    assert_consistent(path);

    bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    assert_true(bdrv_snapshot_goto(bs, "one", &err));
    assert_content(bs, v1, len);
    random_writes(bs, v1, len, 50, rnd, true);     /* writes after revert COW again */
    assert_content(bs, v1, len);
    assert_true(bdrv_snapshot_delete(bs, "2", &err));
    assert_false(bdrv_snapshot_goto(bs, "two", &err));
    assert_non_null(strstr(error_get_pretty(err), "Failed to load snapshot"));
    error_free(err);
    err = NULL;
    assert_true(bdrv_snapshot_delete(bs, "one", &err));
    assert_content(bs, v1, len);
    bdrv_unref(bs);
    assert_consistent(path);
    g_rand_free(rnd);
    g_free(v1);
    g_free(v2);
    unlink(path);
    g_free(path);
}

static void test_compressed(void **state)
{
    char *path = tmp_path("comp.qcow2");
    const int64_t len = 1 << 20;
    create_ok("qcow2", path, len, "cluster_size=4096");
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    uint8_t *shadow = g_malloc(len);
    for (int64_t i = 0; i < len; i++) {
        shadow[i] = (i / 4096) % 3 == 2 ? g_random_int() : i / 512;
    }
    for (int64_t off = 0; off < len; off += 4096) {
        assert_int_equal(blk_pwrite_compressed(bs, off, shadow + off, 4096), 0);
    }
    assert_int_equal(blk_pwrite_compressed(bs, 100, shadow, 4096), -EINVAL);
    assert_content(bs, shadow, len);
    int64_t pnum;
    assert_true(blk_block_status(bs, 0, 4096, &pnum, NULL, NULL) & BDRV_BLOCK_COMPRESSED);
    /* Partial overwrites copy the rest out of the compressed cluster. */
    memset(shadow + 5000, 0xee, 3000);
    assert_int_equal(blk_pwrite(bs, 5000, shadow + 5000, 3000), 0);
    assert_content(bs, shadow, len);
    bdrv_unref(bs);
    assert_consistent(path);
    bs = open_ok(path, "qcow2", 0);
    assert_content(bs, shadow, len);
    bdrv_unref(bs);
    g_free(shadow);
    unlink(path);
    g_free(path);
}

static void test_backing_chain(void **state)
{
    char *base = tmp_path("base.raw"), *mid = tmp_path("mid.qcow2");
    char *top = tmp_path("top.qcow2");
    const int64_t len = 4 << 20;
    uint8_t *shadow = g_malloc(len);
    create_ok("raw", base, len, NULL);
    BlockDriverState *bs = open_ok(base, "raw", BDRV_O_RDWR);
    GRand *rnd = g_rand_new_with_seed(3);
    memset(shadow, 0, len);
    random_writes(bs, shadow, len, 40, rnd, false);
    bdrv_unref(bs);
    create_ok("qcow2", mid, -1, "backing_file=base.raw,backing_fmt=raw,cluster_size=4096");
    create_ok("qcow2", top, len, "backing_file=mid.qcow2,backing_fmt=qcow2,compat=0.10");
    bs = open_ok(top, NULL, BDRV_O_RDWR);
    assert_content(bs, shadow, len);
    random_writes(bs, shadow, len, 60, rnd, true);     /* partial writes COW from below */
    assert_content(bs, shadow, len);
    int64_t pnum;
    int depth;
    assert_true(blk_block_status_above(bs, len - 1, 1, &pnum, NULL, NULL, &depth) >= 0);
    Error *err = NULL;
    assert_true(bdrv_commit(bs, false, &err));        /* into mid, then top emptied */
    assert_content(bs, shadow, len);
    assert_int_equal(blk_block_status(bs, 0, len, &pnum, NULL, NULL), 0);
    assert_int_equal(pnum, len);
    bdrv_unref(bs);
    assert_consistent(mid);
    assert_consistent(top);
    bs = open_ok(mid, "qcow2", 0);
    assert_content(bs, shadow, len);
    bdrv_unref(bs);

    /* A chain that loops is refused instead of recursing. */
    create_ok("qcow2", top, len, "backing_file=top.qcow2,backing_fmt=qcow2");
    assert_null(bdrv_open(top, "qcow2", 0, &err));
    assert_non_null(strstr(error_get_pretty(err), "loop"));
    error_free(err);
    g_rand_free(rnd);
    g_free(shadow);
    unlink(base);
    unlink(mid);
    unlink(top);
    g_free(base);
    g_free(mid);
    g_free(top);
}

/* -snapshot: writes go to a temporary overlay until "commit" writes them back. */
static void test_snapshot_mode(void **state)
{
    char *path = tmp_path("base-snap.raw");
    create_ok("raw", path, 1 << 20, NULL);
    BlockDriverState *bs = open_ok(path, "raw", BDRV_O_RDWR | BDRV_O_SNAPSHOT);
    assert_string_equal(bdrv_get_format_name(bs), "qcow2");
    assert_non_null(bdrv_get_backing(bs));
    uint8_t buf[4096], back[4096];
    memset(buf, 0x77, sizeof(buf));
    assert_int_equal(blk_pwrite(bs, 4096, buf, sizeof(buf)), 0);
    BlockDriverState *orig = open_ok(path, "raw", 0);
    assert_int_equal(blk_pread(orig, 4096, back, sizeof(back)), 0);
    assert_true(buffer_is_zero(back, sizeof(back)));
    bdrv_unref(orig);
    Error *err = NULL;
    assert_true(bdrv_commit(bs, false, &err));
    orig = open_ok(path, "raw", 0);
    assert_int_equal(blk_pread(orig, 4096, back, sizeof(back)), 0);
    assert_memory_equal(buf, back, sizeof(back));
    bdrv_unref(orig);
    char *overlay = g_strdup(bdrv_get_filename(bs));
    bdrv_unref(bs);
    assert_false(g_file_test(overlay, G_FILE_TEST_EXISTS));     /* removed on close */
    g_free(overlay);
    unlink(path);
    g_free(path);
}

static void test_resize_and_large(void **state)
{
    char *path = tmp_path("big.qcow2");
    const int64_t tib4 = 4LL << 40;
    create_ok("qcow2", path, tib4, NULL);
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    uint8_t buf[8192], back[8192];
    memset(buf, 0xab, sizeof(buf));
    assert_int_equal(blk_pwrite(bs, tib4 - 5000, buf, 5000), 0);
    assert_int_equal(blk_pwrite(bs, 3LL << 40, buf, sizeof(buf)), 0);
    assert_int_equal(blk_pread(bs, tib4 - 5000, back, 5000), 0);
    assert_memory_equal(buf, back, 5000);
    assert_int_equal(blk_pwrite(bs, tib4 - 10, buf, 20), -EIO);  /* past the end */
    Error *err = NULL;
    assert_true(blk_truncate(bs, tib4 + (1LL << 40), false, PREALLOC_MODE_OFF, &err) == 0);
    assert_int_equal(blk_pread(bs, tib4 + 100, back, 100), 0);
    assert_true(buffer_is_zero(back, 100));
    assert_int_equal(blk_truncate(bs, 1 << 20, false, PREALLOC_MODE_OFF, &err), -EINVAL);
    assert_non_null(strstr(error_get_pretty(err), "--shrink"));
    error_free(err);
    err = NULL;
    assert_int_equal(blk_truncate(bs, 3LL << 40, true, PREALLOC_MODE_OFF, &err), 0);
    assert_int_equal(blk_getlength(bs), 3LL << 40);
    /* Growing again: what was cut off reads as zeros. */
    assert_int_equal(blk_truncate(bs, tib4, false, PREALLOC_MODE_OFF, &err), 0);
    assert_int_equal(blk_pread(bs, tib4 - 5000, back, 5000), 0);
    assert_true(buffer_is_zero(back, 5000));
    assert_int_equal(blk_pread(bs, 3LL << 40, back, 100), 0);
    assert_true(buffer_is_zero(back, 100));
    bdrv_unref(bs);
    assert_consistent(path);
    /* Preallocated metadata maps every cluster; zeros still read back. */
    create_ok("qcow2", path, 4 << 20, "preallocation=metadata,cluster_size=4096");
    bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    int64_t pnum;
    for (int64_t off = 0; off < 4 << 20; off += pnum) {
        assert_true(blk_block_status(bs, off, (4 << 20) - off, &pnum, NULL, NULL) &
                    BDRV_BLOCK_DATA);
    }
    assert_true(blk_truncate(bs, 8 << 20, false, PREALLOC_MODE_FALLOC, &err) == 0);
    bdrv_unref(bs);
    assert_consistent(path);
    unlink(path);
    g_free(path);
}

static uint64_t read_incompat(const char *path)
{
    uint8_t v[8];
    int fd = open(path, O_RDONLY);
    assert_int_equal(pread(fd, v, 8, 72), 8);
    close(fd);
    return qcow2_be64(v);
}

static void test_lazy_refcounts_dirty(void **state)
{
    char *path = tmp_path("lazy.qcow2"), *copy = tmp_path("crashed.qcow2");
    create_ok("qcow2", path, 1 << 20, "lazy_refcounts=on");
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    uint8_t buf[4096];
    memset(buf, 1, sizeof(buf));
    assert_int_equal(blk_pwrite(bs, 0, buf, sizeof(buf)), 0);
    assert_true(read_incompat(path) & QCOW2_INCOMPAT_DIRTY);
    /* What a crash would leave: a dirty image with a leaked cluster. */
    char *cmd = g_strdup_printf("cp '%s' '%s'", path, copy);
    assert_int_equal(system(cmd), 0);
    g_free(cmd);
    bdrv_unref(bs);
    assert_false(read_incompat(path) & QCOW2_INCOMPAT_DIRTY);
    bs = open_ok(copy, "qcow2", 0);
    ImageInfo *info = bdrv_get_image_info(bs, NULL);
    assert_true(info->dirty_flag);
    bdrv_image_info_free(info);
    bdrv_unref(bs);
    bs = open_ok(copy, "qcow2", BDRV_O_RDWR);   /* repairs */
    assert_int_equal(blk_pread(bs, 0, buf, sizeof(buf)), 0);
    assert_int_equal(buf[100], 1);
    bdrv_unref(bs);
    assert_false(read_incompat(copy) & QCOW2_INCOMPAT_DIRTY);
    assert_consistent(copy);
    unlink(path);
    unlink(copy);
    g_free(path);
    g_free(copy);
}

static void test_probe_raw_guard(void **state)
{
    char *path = tmp_path("probe.raw");
    create_ok("raw", path, 1 << 20, NULL);
    BlockDriverState *bs = open_ok(path, NULL, BDRV_O_RDWR);
    assert_string_equal(bdrv_get_format_name(bs), "raw");
    uint8_t hdr[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
    assert_int_equal(blk_pwrite(bs, 0, hdr, sizeof(hdr)), -EPERM);
    assert_int_equal(blk_pwrite(bs, 512, hdr, sizeof(hdr)), 0);
    bdrv_unref(bs);
    unlink(path);
    g_free(path);
}

/* ---- Crash safety ------------------------------------------------------------------------ */

#define CRASH_SLOTS 2048
#define CRASH_SLOT_SIZE 4096

/*
 * The writer: slot order[i] gets pattern i; after each flush it reports i.
 * It dies after a random number of host writes, mostly in the middle of a
 * request's metadata updates; the remaining rounds are killed with SIGKILL.
 */
static void crash_writer(const char *path, int fd, const uint16_t *order, int first,
                         int64_t die_after)
{
    BlockDriverState *bs = bdrv_open(path, "qcow2", BDRV_O_RDWR, NULL);
    if (!bs) {
        _exit(2);
    }
    raw_die_after_writes(die_after);
    uint8_t buf[CRASH_SLOT_SIZE];
    for (int i = first; i < CRASH_SLOTS; i++) {
        memset(buf, (i % 251) + 1, sizeof(buf));
        /* Half a slot, or a whole one: partial clusters take the copy-on-write path. */
        int64_t len = i % 3 ? CRASH_SLOT_SIZE : CRASH_SLOT_SIZE / 2;
        if (blk_pwrite(bs, (int64_t)order[i] * CRASH_SLOT_SIZE, buf, len) < 0) {
            _exit(3);
        }
        if (i % 8 == 7) {
            if (blk_flush(bs) < 0 || write(fd, &i, sizeof(i)) != sizeof(i)) {
                _exit(4);
            }
        }
    }
    close(fd);      /* the parent reads to the end of the reports */
    for (;;) {
        pause();    /* wait for the SIGKILL */
    }
}

static void crash_case(const char *options)
{
    char *path = tmp_path("crash.qcow2");
    create_ok("qcow2", path, CRASH_SLOTS * CRASH_SLOT_SIZE, options);
    uint16_t order[CRASH_SLOTS];
    GRand *rnd = g_rand_new_with_seed(99);
    for (int i = 0; i < CRASH_SLOTS; i++) {
        order[i] = i;
    }
    for (int i = CRASH_SLOTS - 1; i > 0; i--) {
        int j = g_rand_int_range(rnd, 0, i + 1);
        uint16_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int done = 0;   /* slots before this one are known to be flushed */
    int kills = 0;
    for (int round = 0; round < 12 && done < CRASH_SLOTS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        fflush(NULL);
        /* Most rounds die mid-request; every fourth is killed from outside. */
        int64_t die_after = round % 4 == 3 ? 0 : g_rand_int_range(rnd, 5, 400);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            crash_writer(path, fds[1], order, done, die_after);
        }
        close(fds[1]);
        if (!die_after) {
            g_usleep(g_rand_int_range(rnd, 100, 5000));
            kill(pid, SIGKILL);
        }
        int status, last;
        while (read(fds[0], &last, sizeof(last)) == sizeof(last)) {
            done = last + 1;
        }
        close(fds[0]);
        kill(pid, SIGKILL);     /* a writer that finished waits for this */
        waitpid(pid, &status, 0);
        assert_true((WIFEXITED(status) && WEXITSTATUS(status) == RAW_DIE_EXIT_STATUS) ||
                    WIFSIGNALED(status));
        kills += WIFEXITED(status) || (!die_after && done < CRASH_SLOTS);
        /* No corruption (leaks are allowed), and every flushed write is there. */
        BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_CHECK);
        BdrvCheckResult r;
        assert_int_equal(bdrv_check(bs, &r, BDRV_FIX_NONE), 0);
        assert_int_equal(r.corruptions, 0);
        uint8_t buf[CRASH_SLOT_SIZE];
        for (int i = 0; i < done; i++) {
            int64_t len = i % 3 ? CRASH_SLOT_SIZE : CRASH_SLOT_SIZE / 2;
            assert_int_equal(blk_pread(bs, (int64_t)order[i] * CRASH_SLOT_SIZE, buf, len), 0);
            assert_int_equal(buf[0], (i % 251) + 1);
            assert_int_equal(buf[len - 1], (i % 251) + 1);
        }
        bdrv_unref(bs);
        if (have_qemu_img) {
            char *cmd = g_strdup_printf("qemu-img check -q '%s' >/dev/null 2>&1", path);
            int st = system(cmd);
            g_free(cmd);
            assert_true(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3));
        }
    }
    printf("crash (%s): %d writers died mid-write, %d of %d writes flushed\n", options,
           kills, done, CRASH_SLOTS);
    assert_true(kills >= 6);
    g_rand_free(rnd);
    unlink(path);
    g_free(path);
}

static void test_crash_sigkill(void **state)
{
    crash_case("cluster_size=4096");
    crash_case("cluster_size=16384,lazy_refcounts=on");
    crash_case("cluster_size=512,compat=0.10");   /* the refcount table grows meanwhile */
}

/* ---- Asynchronous requests ------------------------------------------------------------ */

static int aio_done_count;
static int aio_errors;

static void aio_cb(void *opaque, int ret)
{
    assert_true(bql_locked());
    aio_done_count++;
    aio_errors += ret < 0;
}

static void test_aio(void **state)
{
    main_loop_init();
    char *path = tmp_path("aio.qcow2");
    create_ok("qcow2", path, 4 << 20, "cluster_size=4096");
    BlockDriverState *bs = open_ok(path, "qcow2", BDRV_O_RDWR);
    enum { N = 64 };
    static uint8_t bufs[N][8192], back[N][8192];
    for (int i = 0; i < N; i++) {
        memset(bufs[i], i + 1, sizeof(bufs[i]));
        struct iovec iov[2] = { { bufs[i], 4096 }, { bufs[i] + 4096, 4096 } };
        blk_aio_pwritev(bs, i * 65536, iov, 2, aio_cb, NULL);
    }
    blk_aio_flush(bs, aio_cb, NULL);
    while (aio_done_count < N + 1) {
        main_loop_iterate(1000);
    }
    assert_int_equal(blk_in_flight(bs), 0);
    for (int i = 0; i < N; i++) {
        blk_aio_pread(bs, i * 65536, back[i], sizeof(back[i]), aio_cb, NULL);
    }
    blk_drain(bs);
    assert_int_equal(aio_done_count, 2 * N + 1);
    assert_int_equal(aio_errors, 0);
    for (int i = 0; i < N; i++) {
        assert_memory_equal(bufs[i], back[i], sizeof(back[i]));
    }
    blk_aio_pread(bs, 8 << 20, back[0], 512, aio_cb, NULL);  /* past the end: error */
    blk_drain(bs);
    assert_int_equal(aio_errors, 1);
    bdrv_unref(bs);
    assert_consistent(path);
    unlink(path);
    g_free(path);
}

int main(void)
{
    /* Memory-backed if we can: fsync on a real disk can take 20 ms a call. */
    char *tmpl = g_build_filename(g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                  : g_get_tmp_dir(), "kemu-qcow2-XXXXXX", NULL);
    tmpdir = g_mkdtemp(tmpl);
    disk_tmpdir = g_dir_make_tmp("kemu-qcow2-disk-XXXXXX", NULL);
    have_qemu_img = system("qemu-img --version >/dev/null 2>&1") == 0;
    if (!have_qemu_img) {
        printf("SKIP: qemu-img not installed; only kemu's own check is run\n");
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refblock_widths),
        cmocka_unit_test(test_cluster_math),
        cmocka_unit_test(test_cache_modes),
        cmocka_unit_test(test_rw_cluster_sizes),
        cmocka_unit_test(test_rw_odirect),
        cmocka_unit_test(test_refcount_table_grows),
        cmocka_unit_test(test_snapshots_cow),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_backing_chain),
        cmocka_unit_test(test_snapshot_mode),
        cmocka_unit_test(test_resize_and_large),
        cmocka_unit_test(test_lazy_refcounts_dirty),
        cmocka_unit_test(test_probe_raw_guard),
        cmocka_unit_test(test_crash_sigkill),
        cmocka_unit_test(test_aio),
    };
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = g_strdup_printf("rm -rf '%s' '%s'", tmpdir, disk_tmpdir);
    if (system(cmd) != 0) {
        ret = 1;
    }
    g_free(cmd);
    return ret;
}
