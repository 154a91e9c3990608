/*
 * Drives (block/blockdev.c): QEMU's numbering and default IDs, the option
 * errors, -snapshot overlays (writes leave the image alone until a commit,
 * the temporary file goes away on close), and medium change/eject with a
 * device's callbacks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "block/blockdev.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void make_raw(const char *path, size_t size, int fill)
{
    char *buf = g_malloc(size);
    memset(buf, fill, size);
    assert_true(g_file_set_contents(path, buf, size, NULL));
    g_free(buf);
}

static DriveInfo *drive_ok(const char *spec, bool snapshot)
{
    Error *err = NULL;
    Opts *opts = opts_parse(spec, NULL, &err);
    assert_non_null(opts);
    DriveInfo *d = drive_new(opts, IF_IDE, snapshot, &err);
    if (!d) {
        fail_msg("%s: %s", spec, error_get_pretty(err));
    }
    opts_free(opts);
    return d;
}

static void drive_fails(const char *spec, const char *want)
{
    Error *err = NULL;
    Opts *opts = opts_parse(spec, NULL, &err);
    assert_non_null(opts);
    DriveInfo *d = drive_new(opts, IF_IDE, false, &err);
    opts_free(opts);
    assert_null(d);
    if (strcmp(error_get_pretty(err), want)) {
        fail_msg("%s: got '%s', want '%s'", spec, error_get_pretty(err), want);
    }
    error_free(err);
}

static void test_numbering(void **state)
{
    char *img = tmp_path("a.img");
    make_raw(img, 65536, 0);
    char *spec = g_strdup_printf("file=%s,format=raw", img);
    DriveInfo *d0 = drive_ok(spec, false);
    DriveInfo *d1 = drive_ok(spec, false);
    DriveInfo *d2 = drive_ok(spec, false);
    DriveInfo *cd = drive_ok("index=3,media=cdrom", false);
    DriveInfo *v0 = drive_ok("if=virtio", false);
    DriveInfo *n0 = drive_ok("if=none,id=mine", false);
    assert_string_equal(d0->id, "ide0-hd0");
    assert_string_equal(d1->id, "ide0-hd1");
    assert_string_equal(d2->id, "ide1-hd0");
    assert_string_equal(cd->id, "ide1-cd1");
    assert_string_equal(v0->id, "virtio0");
    assert_string_equal(n0->id, "mine");
    assert_int_equal(d2->bus, 1);
    assert_int_equal(d2->unit, 0);
    assert_ptr_equal(drive_get(IF_IDE, 1, 1), cd);
    assert_ptr_equal(drive_get_by_index(IF_IDE, 3), cd);
    assert_ptr_equal(drive_get_by_id("virtio0"), v0);
    assert_int_equal(drive_get_max_bus(IF_IDE), 1);
    assert_int_equal(drive_get_max_bus(IF_FLOPPY), -1);
    assert_null(cd->bs);
    assert_true(cd->read_only);
    assert_false(bdrv_is_read_only(d0->bs));

    drive_fails("index=0", "drive with bus=0, unit=0 (index=0) exists");
    drive_fails("bus=1,unit=1", "drive with bus=1, unit=1 (index=-1) exists");
    drive_fails("unit=2", "unit 2 too big (max is 1)");
    drive_fails("index=5,unit=0", "index cannot be used with bus and unit");
    drive_fails("if=scsi", "unsupported bus type 'scsi'");
    drive_fails("if=none,media=tape", "'tape' invalid media");
    drive_fails("if=none,cache=fast", "invalid cache option");
    drive_fails("if=none,aio=posix", "invalid aio option");
    drive_fails("if=none,aio=native",
                "aio=native was specified, but it requires cache.direct=on, "
                "which was not specified.");
    drive_fails("if=none,id=mine", "Duplicate ID 'mine' for drive");
    drive_fails("if=none,snapshot=maybe", "Parameter 'snapshot' expects 'on' or 'off'");
    drive_fails("if=none,format=vmdk,file=x", "Unknown driver 'vmdk'");
    drive_fails("if=none,format=raw,foo=bar",
                "Block format 'raw' does not support the option 'foo'");
    drive_fails("if=none,file=/nonexistent/x.img",
                "Could not open '/nonexistent/x.img': No such file or directory");

    drive_close_all();
    assert_null(drive_next(NULL));
    g_free(spec);
    g_free(img);
}

static void read_byte(BlockDriverState *bs, int64_t off, int want)
{
    uint8_t b;
    assert_int_equal(blk_pread(bs, off, &b, 1), 0);
    assert_int_equal(b, want);
}

/* -snapshot: the guest's writes go to a temporary qcow2 and vanish unless committed. */
static void test_snapshot_overlay(void **state)
{
    char *img = tmp_path("base.img");
    make_raw(img, 1 << 20, 0x11);
    char *spec = g_strdup_printf("file=%s,format=raw", img);
    DriveInfo *d = drive_ok(spec, true);
    assert_string_equal(bdrv_get_format_name(d->bs), "qcow2");
    assert_non_null(bdrv_get_backing(d->bs));
    char *overlay = g_strdup(bdrv_get_filename(d->bs));
    assert_true(g_file_test(overlay, G_FILE_TEST_EXISTS));
    uint8_t buf[4096];
    memset(buf, 0x22, sizeof(buf));
    assert_int_equal(blk_pwrite(d->bs, 8192, buf, sizeof(buf)), 0);
    read_byte(d->bs, 8192, 0x22);
    read_byte(d->bs, 0, 0x11);
    drive_close_all();
    assert_false(g_file_test(overlay, G_FILE_TEST_EXISTS));
    g_free(overlay);

    /* The image itself was not touched. */
    BlockDriverState *bs = bdrv_open(img, "raw", 0, NULL);
    assert_non_null(bs);
    read_byte(bs, 8192, 0x11);
    bdrv_unref(bs);

    /* Now commit: the write reaches the image, the overlay is emptied. */
    d = drive_ok(spec, true);
    assert_int_equal(blk_pwrite(d->bs, 8192, buf, sizeof(buf)), 0);
    Error *err = NULL;
    if (!drive_commit(d, &err)) {
        fail_msg("commit: %s", error_get_pretty(err));
    }
    int64_t pnum;
    assert_int_equal(blk_block_status(d->bs, 8192, 4096, &pnum, NULL, NULL) &
                     BDRV_BLOCK_ALLOCATED, 0);
    read_byte(d->bs, 8192, 0x22);
    drive_close_all();
    bs = bdrv_open(img, "raw", 0, NULL);
    read_byte(bs, 8192, 0x22);
    read_byte(bs, 8192 + 4096, 0x11);
    bdrv_unref(bs);

    /* A drive without a backing file has nothing to commit. */
    d = drive_ok(spec, false);
    assert_false(drive_commit(d, &err));
    assert_string_equal(error_get_pretty(err), "'commit' error for 'ide0-hd0': "
                        "Operation not supported");
    error_free(err);
    drive_close_all();
    g_free(spec);
    g_free(img);
}

static int change_calls, last_load;
static bool locked;

static void cb_change(void *opaque, bool load)
{
    change_calls++;
    last_load = load;
}

static bool cb_locked(void *opaque)
{
    return locked;
}

static const DriveMediaOps test_ops = {
    .change_media_cb = cb_change,
    .is_medium_locked = cb_locked,
};

static void test_change_eject(void **state)
{
    char *img = tmp_path("cd.iso");
    make_raw(img, 1 << 16, 0x33);
    DriveInfo *cd = drive_ok("index=2,media=cdrom", false);
    DriveInfo *hd = drive_ok("if=none,id=disk", false);
    Error *err = NULL;
    assert_true(drive_attach_dev(cd, "/machine/ide", &test_ops, NULL, &err));
    assert_false(drive_attach_dev(cd, "/machine/other", NULL, NULL, &err));
    error_free(err);
    err = NULL;
    assert_true(drive_attach_dev(hd, "/machine/disk", NULL, NULL, &err));

    assert_false(drive_change_medium(cd, "/nonexistent.iso", NULL, &err));
    assert_string_equal(error_get_pretty(err),
                        "Could not open '/nonexistent.iso': No such file or directory");
    error_free(err);
    err = NULL;
    assert_int_equal(change_calls, 0);
    assert_true(drive_change_medium(cd, img, "raw", &err));
    assert_int_equal(change_calls, 1);
    assert_true(last_load);
    assert_true(bdrv_is_read_only(cd->bs));
    read_byte(cd->bs, 100, 0x33);

    assert_false(drive_change_medium(hd, img, "raw", &err));
    assert_string_equal(error_get_pretty(err), "Device 'disk' is not removable");
    error_free(err);
    err = NULL;

    locked = true;
    assert_false(drive_change_medium(cd, img, "raw", &err));     /* the guest holds it */
    assert_string_equal(error_get_pretty(err), "Device 'ide1-cd0' is locked and force was "
                        "not specified, wait for tray to open and try again");
    error_free(err);
    err = NULL;
    assert_int_equal(change_calls, 1);
    assert_false(drive_eject(cd, false, &err));
    assert_string_equal(error_get_pretty(err), "Device 'ide1-cd0' is locked and force was "
                        "not specified, wait for tray to open and try again");
    error_free(err);
    err = NULL;
    assert_non_null(cd->bs);
    assert_true(drive_eject(cd, true, &err));
    assert_null(cd->bs);
    assert_int_equal(change_calls, 2);
    assert_false(last_load);
    locked = false;
    assert_true(drive_eject(cd, false, &err));     /* already empty: nothing to do */
    assert_int_equal(change_calls, 2);
    drive_close_all();
    g_free(img);
}

int main(void)
{
    tmpdir = g_dir_make_tmp("test-blockdev-XXXXXX", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbering),
        cmocka_unit_test(test_snapshot_overlay),
        cmocka_unit_test(test_change_eject),
    };
    int ret = cmocka_run_group_tests(tests, NULL, NULL);
    char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        ret = 1;
    }
    g_free(cmd);
    return ret;
}
