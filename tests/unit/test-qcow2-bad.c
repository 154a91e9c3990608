/*
 * Malformed qcow2 images: a table of corruptions, each refused at open with
 * its own reason, then thousands of randomly damaged images that must be
 * refused or read with an error, never crash (the test runs under ASan), and
 * never be modified by opening them read-only, reading, checking or listing.
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
#include <string.h>
#include <unistd.h>

#include "block/qcow2.h"

static char *tmpdir;

/* Header offsets ("Header" in the qcow2 specification). */
enum {
    H_MAGIC = 0, H_VERSION = 4, H_BACKING_OFF = 8, H_BACKING_SIZE = 16, H_CLUSTER_BITS = 20,
    H_SIZE = 24, H_CRYPT = 32, H_L1_SIZE = 36, H_L1_OFF = 40, H_RT_OFF = 48,
    H_RT_CLUSTERS = 56, H_NB_SNAP = 60, H_SNAP_OFF = 64, H_INCOMPAT = 72,
    H_REFCOUNT_ORDER = 96, H_HEADER_LEN = 100, H_COMPRESSION = 104, H_EXT = 112,
};

typedef struct BadCase {
    const char *what;
    int offset;
    int width;          /* bytes, big endian; 0: an extra setup step */
    uint64_t value;
    int flags;          /* open flags */
    const char *error;  /* expected in the message */
} BadCase;

/* Extra setup steps (width 0, selected by offset). */
enum {
    SETUP_EXT_TOO_LONG = 1, SETUP_SNAPSHOT_L1, SETUP_BACKING_LONG, SETUP_SNAP_UNALIGNED,
    SETUP_SNAP_RANGE, SETUP_SNAP_HEADER,
};

static const BadCase bad_cases[] = {
    { "magic", H_MAGIC, 4, 0x51464900, 0, "Image is not in qcow2 format" },
    { "version 1", H_VERSION, 4, 1, 0, "Unsupported qcow2 version 1" },
    { "version 4", H_VERSION, 4, 4, 0, "Unsupported qcow2 version 4" },
    { "cluster bits 8", H_CLUSTER_BITS, 4, 8, 0, "Unsupported cluster size: 2^8" },
    { "cluster bits 22", H_CLUSTER_BITS, 4, 22, 0, "Unsupported cluster size: 2^22" },
    { "header length 96", H_HEADER_LEN, 4, 96, 0, "qcow2 header too short" },
    { "header length > cluster", H_HEADER_LEN, 4, 0x20000, 0,
      "qcow2 header exceeds cluster size" },
    { "header length 108", H_HEADER_LEN, 4, 108, 0, "is not a multiple of 8" },
    { "AES encryption", H_CRYPT, 4, 1, 0, "qcow2 encryption is not supported" },
    { "LUKS encryption", H_CRYPT, 4, 2, 0, "qcow2 encryption is not supported" },
    { "external data file", H_INCOMPAT, 8, 1 << 2, 0, "external data files are not supported" },
    { "extended L2", H_INCOMPAT, 8, 1 << 4, 0, "Unsupported qcow2 feature(s): extended L2" },
    { "unknown incompatible bit", H_INCOMPAT, 8, 1ULL << 40, 0,
      "Unknown incompatible feature: 10000000000" },
    { "zstd compression", H_COMPRESSION, 1, 1, 0, "Unsupported compression type 1" },
    { "refcount order 7", H_REFCOUNT_ORDER, 4, 7, 0, "Reference count entry width too large" },
    { "L1 size overflow", H_L1_SIZE, 4, 0x10000000, 0, "Active L1 table too large" },
    { "L1 size too small", H_L1_SIZE, 4, 0, 0, "L1 table is too small" },
    { "L1 offset unaligned", H_L1_OFF, 8, 0x30200, 0, "Invalid L1 table offset" },
    { "L1 offset past EOF", H_L1_OFF, 8, 0x7fff0000, 0, "Invalid L1 table offset" },
    { "virtual size huge", H_SIZE, 8, 0x7fffffffffffffffULL, 0, "too large" },
    { "virtual size beyond L1 limit", H_SIZE, 8, 1ULL << 61, 0, "Image is too big" },
    { "refcount table at 0", H_RT_OFF, 8, 0, 0, "Invalid reference count table offset" },
    { "refcount table past EOF", H_RT_OFF, 8, 0x100000000ULL, 0,
      "Invalid reference count table offset" },
    { "no refcount table", H_RT_CLUSTERS, 4, 0, 0, "does not contain a reference count table" },
    { "refcount table too large", H_RT_CLUSTERS, 4, 0x1000, 0, "Reference count table too large" },
    { "L1 table overlaps refcount table", H_L1_OFF, 8, 0x10000, 0, "metadata overlap" },
    { "L1 table overlaps header", H_L1_OFF, 8, 0, 0, "Invalid L1 table offset" },
    { "too many snapshots", H_NB_SNAP, 4, 70000, 0, "Too many snapshots" },
    { "snapshot table unaligned", H_SNAP_OFF, 0, SETUP_SNAP_UNALIGNED, 0,
      "Invalid snapshot table offset" },
    { "snapshot table out of range", H_SNAP_OFF, 0, SETUP_SNAP_RANGE, 0,
      "Invalid snapshot table offset" },
    { "snapshot table overlaps header", H_SNAP_OFF, 0, SETUP_SNAP_HEADER, 0,
      "Invalid snapshot table offset" },
    { "backing name too long", H_BACKING_SIZE, 0, SETUP_BACKING_LONG, 0,
      "Backing file name too long" },
    { "backing offset past cluster", H_BACKING_OFF, 8, 0x10008, 0, "Invalid backing file offset" },
    { "header extension too long", 0, 0, SETUP_EXT_TOO_LONG, 0, "is too large" },
    { "corrupt bit, read-write", H_INCOMPAT, 8, 1 << 1, BDRV_O_RDWR,
      "Image is corrupt; cannot be opened read/write" },
    { "snapshot L1 unaligned", 0, 0, SETUP_SNAPSHOT_L1, 0, "Snapshot L1 table offset invalid" },
};

static char *make_image(const char *name, int64_t size, const char *options)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    Error *err = NULL;
    Opts *o = options ? opts_parse(options, NULL, &err) : NULL;
    if (!bdrv_create("qcow2", path, size, o, &err)) {
        fail_msg("create: %s", error_get_pretty(err));
    }
    opts_free(o);
    return path;
}

static void poke(const char *path, int offset, int width, uint64_t value)
{
    uint8_t v[8];
    for (int i = 0; i < width; i++) {
        v[i] = value >> (8 * (width - 1 - i));
    }
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, v, width, offset), width);
    close(fd);
}

static uint64_t peek(const char *path, int offset, int width)
{
    uint8_t v[8];
    int fd = open(path, O_RDONLY);
    assert_int_equal(pread(fd, v, width, offset), width);
    close(fd);
    uint64_t r = 0;
    for (int i = 0; i < width; i++) {
        r = r << 8 | v[i];
    }
    return r;
}

static gchar *file_digest(const char *path)
{
    gchar *data;
    gsize len;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)data, len);
    g_free(data);
    return sum;
}

static void snapshot_one(const char *path)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, "qcow2", BDRV_O_RDWR, &err);
    assert_non_null(bs);
    uint8_t buf[4096];
    memset(buf, 0x33, sizeof(buf));
    assert_int_equal(blk_pwrite(bs, 8192, buf, sizeof(buf)), 0);
    assert_true(bdrv_snapshot_create(bs, "s", &err));
    bdrv_unref(bs);
}

static void test_bad_headers(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *c = &bad_cases[i];
        char *path = make_image("bad.qcow2", 1 << 30, NULL);
        if (c->width) {
            poke(path, c->offset, c->width, c->value);
        } else if (c->value == SETUP_EXT_TOO_LONG) {
            poke(path, H_EXT + 4, 4, 0xfff0);   /* the feature table's length */
        } else if (c->value == SETUP_BACKING_LONG) {
            poke(path, H_BACKING_OFF, 8, 0x1000);
            poke(path, H_BACKING_SIZE, 4, 2000);
        } else if (c->value == SETUP_SNAPSHOT_L1) {
            snapshot_one(path);
            poke(path, peek(path, H_SNAP_OFF, 8), 8, 0x12345);
        } else {
            static const uint64_t snap_off[] = {
                [SETUP_SNAP_UNALIGNED] = 0x10010, [SETUP_SNAP_RANGE] = 0x7000000000ULL,
                [SETUP_SNAP_HEADER] = 0,
            };
            snapshot_one(path);
            poke(path, H_SNAP_OFF, 8, snap_off[c->value]);
        }
        gchar *before = file_digest(path);
        Error *err = NULL;
        BlockDriverState *bs = bdrv_open(path, "qcow2", c->flags, &err);
        if (bs || !strstr(error_get_pretty(err), c->error)) {
            fail_msg("%s: expected \"%s\", got \"%s\"", c->what, c->error,
                     bs ? "success" : error_get_pretty(err));
        }
        error_free(err);
        err = NULL;
        /* Read-write opens are refused just the same, and touch nothing. */
        bs = bdrv_open(path, "qcow2", BDRV_O_RDWR, &err);
        assert_null(bs);
        error_free(err);
        gchar *after = file_digest(path);
        assert_string_equal(before, after);
        g_free(before);
        g_free(after);
        unlink(path);
        g_free(path);
    }
}

/* Bad entries inside the tables only show when used: an error, not a crash. */
static void test_bad_tables(void **state)
{
    char *path = make_image("tables.qcow2", 1 << 20, "cluster_size=4096");
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, "qcow2", BDRV_O_RDWR, &err);
    uint8_t buf[8192];
    memset(buf, 0x44, sizeof(buf));
    assert_int_equal(blk_pwrite(bs, 0, buf, sizeof(buf)), 0);
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_off = s->l1_table_offset;
    bdrv_unref(bs);
    uint64_t l2 = peek(path, l1_off, 8) & QCOW2_L1E_OFFSET_MASK;

    poke(path, l1_off, 8, l2 | 0x100);              /* L2 offset unaligned */
    bs = bdrv_open(path, "qcow2", 0, &err);
    assert_non_null(bs);
    assert_int_equal(blk_pread(bs, 0, buf, 512), -EIO);
    bdrv_unref(bs);
    poke(path, l1_off, 8, 0x80000000000000ULL);     /* L2 past the end of the file */
    bs = bdrv_open(path, "qcow2", BDRV_O_RDWR, &err);
    assert_int_equal(blk_pread(bs, 0, buf, 512), -EIO);
    assert_int_equal(blk_pwrite(bs, 0, buf, 512), -EIO);   /* and no write after that */
    bdrv_unref(bs);
    poke(path, l1_off, 8, l2 | QCOW2_OFLAG_COPIED);
    poke(path, l2, 8, QCOW2_OFLAG_COPIED | 0x3000 | 0x20);  /* data unaligned */
    bs = bdrv_open(path, "qcow2", 0, &err);
    assert_int_equal(blk_pread(bs, 0, buf, 512), -EIO);
    BdrvCheckResult r;
    assert_int_equal(bdrv_check(bs, &r, BDRV_FIX_NONE), 0);
    assert_true(r.corruptions > 0);
    bdrv_unref(bs);
    /* A compressed descriptor pointing at garbage does not decompress. */
    poke(path, l2, 8, QCOW2_OFLAG_COMPRESSED | 0x200);
    bs = bdrv_open(path, "qcow2", 0, &err);
    assert_int_equal(blk_pread(bs, 0, buf, 512), -EIO);
    bdrv_unref(bs);
    unlink(path);
    g_free(path);
}

/* Without g_file_set_contents's fsync: thousands of these must be quick. */
static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void discard_report(void *opaque, const char *msg)
{
}

/* Thousands of images with random damage in their metadata clusters. */
static void test_fuzz_images(void **state)
{
    char *good = make_image("fuzz-src.qcow2", 256 << 10, "cluster_size=512");
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(good, "qcow2", BDRV_O_RDWR, &err);
    uint8_t buf[8192];
    for (int i = 0; i < 16; i++) {
        memset(buf, i, sizeof(buf));
        assert_int_equal(blk_pwrite(bs, i * 12000, buf, 3000 + i * 100), 0);
    }
    assert_true(bdrv_snapshot_create(bs, "fuzz", &err));
    assert_int_equal(blk_pwrite_compressed(bs, 200 << 10, buf, 512), 0);
    bdrv_unref(bs);
    gchar *image;
    gsize len;
    assert_true(g_file_get_contents(good, &image, &len, NULL));
    char *path = g_build_filename(tmpdir, "fuzz.qcow2", NULL);
    GRand *rnd = g_rand_new_with_seed(2024);
    error_set_sink(discard_report, NULL);  /* thousands of "inconsistent" reports */
    fflush(stderr);
    int saved_stderr = dup(2);              /* and of check's findings */
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    close(devnull);
    int refused = 0;
    uint8_t *all = g_malloc(256 << 10);
    for (int iter = 0; iter < 3000; iter++) {
        gchar *copy = g_memdup2(image, len);
        int n = g_rand_int_range(rnd, 1, 6);
        for (int k = 0; k < n; k++) {
            /* Mostly the header and the first metadata clusters. */
            gsize at = g_rand_boolean(rnd) ? g_rand_int_range(rnd, 0, 112)
                                           : g_rand_int_range(rnd, 0, (gint32)MIN(len, 8192));
            copy[at] = g_rand_boolean(rnd) ? (gchar)g_rand_int(rnd) : (gchar)(copy[at] ^ (1 << (k % 8)));
        }
        write_file(path, copy, len);
        bs = bdrv_open(path, "qcow2", 0, &err);
        if (!bs) {
            assert_true(strlen(error_get_pretty(err)) > 0);
            error_free(err);
            err = NULL;
            refused++;
        } else {
            int64_t size = blk_getlength(bs);
            blk_pread(bs, 0, all, MIN(size, 256 << 10));
            BdrvCheckResult r;
            bdrv_check(bs, &r, BDRV_FIX_NONE);
            BlockSnapshotInfo *list;
            int ns = bdrv_snapshot_list(bs, &list);
            if (ns >= 0) {
                bdrv_snapshot_list_free(list, ns);
            }
            ImageInfo *info = bdrv_get_image_info(bs, NULL);
            bdrv_image_info_free(info);
            bdrv_unref(bs);
        }
        gchar *now;
        gsize now_len;
        assert_true(g_file_get_contents(path, &now, &now_len, NULL));
        assert_int_equal(now_len, len);
        assert_memory_equal(now, copy, len);
        g_free(now);
        g_free(copy);
    }
    error_set_sink(NULL, NULL);
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    printf("fuzz: %d of 3000 damaged images refused at open\n", refused);
    g_free(all);
    g_rand_free(rnd);
    g_free(image);
    unlink(path);
    unlink(good);
    g_free(path);
    g_free(good);
}

int main(void)
{
    /* Memory-backed if we can: thousands of small files are written. */
    char *tmpl = g_build_filename(g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                  : g_get_tmp_dir(), "kemu-qcow2-bad-XXXXXX", NULL);
    tmpdir = g_mkdtemp(tmpl);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_fuzz_images),
    };
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        ret = 1;
    }
    g_free(cmd);
    return ret;
}
