/*
 * virtio-blk-pci tests: a raw image in /dev/shm behind -drive if=none, the
 * device brought up by the test driver (tests/devices/virtio-driver.c),
 * requests posted as Linux's virtio_blk posts them; the image file is
 * checked from the host side.  Bad requests get the status the spec gives,
 * bad rings DEVICE_NEEDS_RESET; a fuzz run throws random rings at it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>

#include "block/blockdev.h"
#include "hw/block/virtio-blk.h"
#include "tests/devices/harness.h"
#include "tests/devices/virtio-driver.h"

#define IMAGE_SIZE      (8 * 1024 * 1024)
#define QNUM            16
#define HDR             0x30000     /* request header */
#define DATA            0x31000     /* data buffer (up to 64 KiB) */
#define STATUS          0x42000     /* status byte */

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11

static char image[64];
static int serial_no;

static void make_drive(const char *extra)
{
    Error *err = NULL;
    snprintf(image, sizeof(image), "/dev/shm/kemu-vblk-%d-%d.raw", getpid(), serial_no++);
    int fd = open(image, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, IMAGE_SIZE), 0);
    close(fd);
    g_autofree char *spec = g_strdup_printf("if=none,id=d0,format=raw,file=%s%s", image, extra);
    Opts *opts = opts_parse(spec, NULL, &err);
    assert_non_null(opts);
    DriveInfo *dinfo = drive_new(opts, IF_NONE, false, &err);
    opts_free(opts);
    if (!dinfo) {
        fail_msg("drive_new: %s", error_get_pretty(err));
    }
}

static int setup_with(const char *drive_extra, const char *const *props)
{
    harness_init();
    make_drive(drive_extra);
    static const char *const dflt[] = { "drive=d0", "serial=kemu-serial-0123456789", NULL };
    vdrv_setup(TYPE_VIRTIO_BLK_PCI, props ? props : dflt);
    vdrv_modern_init(true, (1ull << 32) | (1u << 28) | (1u << 9) | (1u << 13),
                     vdrv.proxy->vdev.nvqs, QNUM);
    return 0;
}

static int setup(void **state)
{
    return setup_with("", NULL);
}

static int setup_readonly(void **state)
{
    return setup_with(",readonly=on", NULL);
}

static int setup_mq(void **state)
{
    static const char *const props[] = { "drive=d0", "num-queues=2", NULL };
    return setup_with("", props);
}

static int teardown(void **state)
{
    vdrv_teardown();
    drive_close_all();
    unlink(image);
    return 0;
}

/* Post header + data + status on queue q; wait for completion; return the status. */
static int request(unsigned q, uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
    uint64_t base = (uint64_t)q * VDRV_QUEUE_STRIDE;
    uint64_t desc = VDRV_DESC + base, avail = VDRV_AVAIL + base, used = VDRV_USED + base;
    uint8_t *h = vdrv.ram + HDR;
    memset(h, 0, 16);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
    vdrv.ram[STATUS] = 0xee;
    unsigned n = 0;
    vdrv_set_desc(desc, n, HDR, 16, VRING_DESC_F_NEXT, n + 1), n++;
    if (len) {
        vdrv_set_desc(desc, n, DATA, len, VRING_DESC_F_NEXT | (data_in ? VRING_DESC_F_WRITE : 0),
                      n + 1), n++;
    }
    vdrv_set_desc(desc, n, STATUS, 1, VRING_DESC_F_WRITE, 0);
    uint16_t before = vdrv_get16(used + 2);
    vdrv_offer(avail, QNUM, 0);
    vdrv_kick(q);
    for (int i = 0; i < 5000 && vdrv_get16(used + 2) == before; i++) {
        harness_poll();
        g_usleep(1000);
    }
    assert_int_equal(vdrv_get16(used + 2), (uint16_t)(before + 1));
    return vdrv.ram[STATUS];
}

static void read_image(off_t off, void *buf, size_t len)
{
    int fd = open(image, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
    close(fd);
}

static void test_config(void **state)
{
    uint64_t cap;
    cap = harness_readl(vdrv.devcfg) | (uint64_t)harness_readl(vdrv.devcfg + 4) << 32;
    assert_int_equal(cap, IMAGE_SIZE / 512);
    assert_int_equal(harness_readl(vdrv.devcfg + 20), 512);          /* blk_size */
    assert_int_equal(harness_readw(vdrv.devcfg + 34), 1);            /* num_queues */
    harness_writel(vdrv.common + 0x00, 0);
    uint32_t f = harness_readl(vdrv.common + 0x04);
    assert_true(f & (1u << 9));             /* FLUSH */
    assert_true(f & (1u << 13));            /* DISCARD */
    assert_false(f & (1u << 5));            /* not read-only */
    /* The transitional PCI identity drivers look for. */
    assert_int_equal(vdrv_cfg_readl(0), 0x10011af4);
    assert_int_equal(vdrv_cfg_readl(0x2c), 0x00021af4);
}

static void test_write_read(void **state)
{
    for (unsigned i = 0; i < 4096; i++) {
        vdrv.ram[DATA + i] = i * 7 + 3;
    }
    g_autofree uint8_t *pattern = g_memdup2(vdrv.ram + DATA, 4096);
    assert_int_equal(request(0, T_OUT, 8, 4096, false), 0);
    assert_int_equal(request(0, T_FLUSH, 0, 0, false), 0);
    uint8_t disk[4096];
    read_image(8 * 512, disk, sizeof(disk));
    assert_memory_equal(disk, pattern, 4096);

    memset(vdrv.ram + DATA, 0, 4096);
    assert_int_equal(request(0, T_IN, 8, 4096, true), 0);
    assert_memory_equal(vdrv.ram + DATA, pattern, 4096);
    /* The used length counts the data and the status byte. */
    unsigned last = (vdrv_get16(VDRV_USED + 2) - 1) % QNUM;
    assert_int_equal(vdrv_get32(VDRV_USED + 4 + 8 * last + 4), 4097);
    assert_true(vdrv.nmsgs >= 1 && vdrv.msgs[vdrv.nmsgs - 1] == VDRV_MSI_DATA + 1);

    /* The last sector is reachable, one past it is not. */
    assert_int_equal(request(0, T_IN, IMAGE_SIZE / 512 - 1, 512, true), 0);
    assert_int_equal(request(0, T_IN, IMAGE_SIZE / 512, 512, true), 1);
    assert_int_equal(request(0, T_OUT, IMAGE_SIZE / 512 - 1, 1024, false), 1);
    assert_int_equal(request(0, T_IN, UINT64_MAX / 256, 512, true), 1);
    /* Not whole sectors. */
    assert_int_equal(request(0, T_IN, 0, 100, true), 1);
}

static void test_other_requests(void **state)
{
    /* GET_ID: the serial, 20 bytes, no terminator when it fills them. */
    assert_int_equal(request(0, T_GET_ID, 0, 20, true), 0);
    assert_memory_equal(vdrv.ram + DATA, "kemu-serial-01234567", 20);
    assert_int_equal(request(0, 99, 0, 512, true), 2);         /* UNSUPP */

    /* Discard one segment: sectors 0-7. */
    uint8_t seg[16] = { 0 };
    seg[8] = 8;
    memcpy(vdrv.ram + DATA, seg, 16);
    assert_int_equal(request(0, T_DISCARD, 0, 16, false), 0);
    seg[12] = 2;                                              /* unknown flag */
    memcpy(vdrv.ram + DATA, seg, 16);
    assert_int_equal(request(0, T_DISCARD, 0, 16, false), 2);
    memcpy(vdrv.ram + DATA, seg, 16);
    assert_int_equal(request(0, T_DISCARD, 0, 8, false), 1);   /* short segment */
}

static void test_malformed(void **state)
{
    /* No status byte: completed with nothing written, the device carries on. */
    vdrv_set_desc(VDRV_DESC, 0, HDR, 16, 0, 0);
    vdrv_offer(VDRV_AVAIL, QNUM, 0);
    vdrv_kick(0);
    assert_int_equal(vdrv_get16(VDRV_USED + 2), 1);
    assert_int_equal(vdrv_get32(VDRV_USED + 8), 0);
    assert_int_equal(request(0, T_FLUSH, 0, 0, false), 0);

    /* Data into the MMIO hole: the ring is broken, the device needs a reset. */
    vdrv_set_desc(VDRV_DESC, 0, HDR, 16, VRING_DESC_F_NEXT, 1);
    vdrv_set_desc(VDRV_DESC, 1, VDRV_BAR1, 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    vdrv_set_desc(VDRV_DESC, 2, STATUS, 1, VRING_DESC_F_WRITE, 0);
    vdrv_offer(VDRV_AVAIL, QNUM, 0);
    vdrv_kick(0);
    assert_true(harness_readb(vdrv.common + 0x14) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_readonly(void **state)
{
    harness_writel(vdrv.common + 0x00, 0);
    assert_true(harness_readl(vdrv.common + 0x04) & (1u << 5));
    assert_int_equal(request(0, T_OUT, 0, 512, false), 1);
    assert_int_equal(request(0, T_IN, 0, 512, true), 0);
}

static void test_multiqueue(void **state)
{
    assert_int_equal(harness_readw(vdrv.devcfg + 34), 2);
    memset(vdrv.ram + DATA, 0x5a, 512);
    assert_int_equal(request(1, T_OUT, 3, 512, false), 0);
    memset(vdrv.ram + DATA, 0, 512);
    assert_int_equal(request(0, T_IN, 3, 512, true), 0);
    assert_int_equal(vdrv.ram[DATA + 511], 0x5a);
}

static void test_bad_properties(void **state)
{
    Error *err = NULL;
    DeviceState *d = qdev_new(TYPE_VIRTIO_BLK_PCI);
    assert_true(qdev_prop_set(d, "drive", "d0", &err));
    /* d0 is taken by the device of the setup. */
    assert_false(qdev_realize_and_unref(d, &vdrv.dev->bus->parent_obj, &err));
    assert_non_null(err);
    error_free(err);
}

static void test_fuzz(void **state)
{
    for (unsigned i = 0; i < 0x3000; i++) {
        vdrv.ram[VDRV_DESC + i] = g_random_int();
    }
    harness_fuzz(false, VDRV_BAR4, 0x4000, 20000, 21);
    for (int i = 0; i < 200; i++) {
        harness_poll();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup_readonly, teardown),
        cmocka_unit_test_setup_teardown(test_multiqueue, setup_mq, teardown),
        cmocka_unit_test_setup_teardown(test_bad_properties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
