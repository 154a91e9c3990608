/*
 * virtio-pci transport tests with an echo device defined here (one queue:
 * each request's readable bytes are copied into its writable buffers).
 * A driver written in the test brings the device up through the modern
 * capabilities and through the legacy I/O BAR, as Linux's virtio_pci
 * does, with MSI-X and with INTx; malformed rings put the device in
 * DEVICE_NEEDS_RESET with a configuration interrupt; a fuzz run hammers
 * every register.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
#include "tests/devices/harness.h"
#include "tests/devices/virtio-driver.h"
#include "util/iov.h"

#define TYPE_VIRTIO_ECHO    "virtio-echo-pci"
#define ECHO_DEVICE_ID      0x1f
#define DEVFN               PCI_DEVFN(4, 0)
#define RAM_SIZE            (1024 * 1024)
#define VDRV_BAR4           0xe0000000ull
#define VDRV_BAR1           0xfebf0000u
#define VDRV_BAR0_PORT           0xc000
#define QNUM                8
#define VDRV_DESC                0x10000
#define VDRV_AVAIL               0x11000
#define VDRV_USED                0x12000
#define BUF                 0x20000

/* ---- The echo device ------------------------------------------------------------------ */

typedef struct EchoState {
    VirtIOPCIProxy parent_obj;
    uint32_t requests;
} EchoState;

static void echo_get_config(VirtIODevice *vdev)
{
    EchoState *s = vdev->opaque;
    memcpy(vdev->config, &s->requests, 4);
}

static void echo_handle_queue(VirtIODevice *vdev, unsigned n)
{
    EchoState *s = vdev->opaque;
    VirtQueue *vq = &vdev->vq[n];
    VirtQueueElement *e;
    while (virtqueue_pop(vq, &e) == 1) {
        uint8_t buf[256];
        size_t len = iov_to_buf(e->out_sg, e->out_num, 0, buf, sizeof(buf));
        len = iov_from_buf(e->in_sg, e->in_num, 0, buf, len);
        virtqueue_push(vq, e, len);
        virtqueue_element_free(e);
        s->requests++;
    }
    virtio_notify(vdev, n);
}

static const VirtIODeviceOps echo_ops = {
    .get_config = echo_get_config,
    .handle_queue = echo_handle_queue,
};

static bool echo_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    virtio_init(&proxy->vdev, "virtio-echo", ECHO_DEVICE_ID, 8, 1, QNUM, &echo_ops, proxy);
    return true;
}

static void echo_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VIRTIO_PCI_CLASS(oc)->realize = echo_realize;
    pc->device_id = 0x1040 + ECHO_DEVICE_ID;
    pc->class_id = 0x00ff;
}

static const TypeInfo echo_type = {
    .name = TYPE_VIRTIO_ECHO,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(EchoState),
    .class_init = echo_class_init,
};

/* ---- The bench ---------------------------------------------------------------------------- */

#define BUF 0x20000

static int setup(void **state)
{
    static bool once;
    harness_init();
    if (!once) {
        once = true;
        type_register(&echo_type);
    }
    vdrv_setup(TYPE_VIRTIO_ECHO, NULL);
    return 0;
}

static int teardown(void **state)
{
    vdrv_teardown();
    return 0;
}

/* A ping: "ping" out, 16 bytes in, at descriptor 0/1 of table desc. */
static void post_ping(uint64_t desc, uint64_t avail, unsigned num)
{
    memcpy(vdrv.ram + BUF, "ping", 4);
    memset(vdrv.ram + BUF + 0x100, 0, 16);
    vdrv_set_desc(desc, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    vdrv_set_desc(desc, 1, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
    vdrv_offer(avail, num, 0);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void test_ids_and_features(void **state)
{
    assert_int_equal(vdrv_cfg_readl(0), (0x1040 + ECHO_DEVICE_ID) << 16 | 0x1af4);
    harness_writel(vdrv.common + 0x00, 0);
    uint32_t lo = harness_readl(vdrv.common + 0x04);
    harness_writel(vdrv.common + 0x00, 1);
    uint32_t hi = harness_readl(vdrv.common + 0x04);
    assert_true(lo & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    assert_true(lo & (1u << VIRTIO_F_RING_EVENT_IDX));
    assert_true(hi & 1);                                /* VERSION_1 */
    harness_writel(vdrv.common + 0x00, 7);
    assert_int_equal(harness_readl(vdrv.common + 0x04), 0);
    assert_int_equal(harness_readw(vdrv.common + 0x12), 1);  /* num_queues */

    /* Only offered features stick; none change after FEATURES_OK. */
    harness_writel(vdrv.common + 0x08, 0);
    harness_writel(vdrv.common + 0x0c, 0xffffffff);
    assert_int_equal(harness_readl(vdrv.common + 0x0c), lo);
    harness_writeb(vdrv.common + 0x14, VIRTIO_CONFIG_S_FEATURES_OK);
    harness_writel(vdrv.common + 0x0c, 0);
    assert_int_equal(harness_readl(vdrv.common + 0x0c), lo);

    /* Queues that do not exist read size 0 and ignore writes. */
    harness_writew(vdrv.common + 0x16, 5);
    assert_int_equal(harness_readw(vdrv.common + 0x18), 0);
    harness_writew(vdrv.common + 0x1c, 1);
    assert_int_equal(harness_readw(vdrv.common + 0x1c), 0);
    /* A vector past the table is refused (NO_VECTOR). */
    harness_writew(vdrv.common + 0x16, 0);
    harness_writew(vdrv.common + 0x1a, 99);
    assert_int_equal(harness_readw(vdrv.common + 0x1a), VIRTIO_NO_VECTOR);
}

static void test_modern_msix(void **state)
{
    vdrv_modern_init(true, 1ull << 32, 1, QNUM);
    post_ping(VDRV_DESC, VDRV_AVAIL, QNUM);
    vdrv_kick(0);
    assert_int_equal(vdrv_get16(VDRV_USED + 2), 1);
    assert_int_equal(vdrv_get32(VDRV_USED + 4), 0);
    assert_int_equal(vdrv_get32(VDRV_USED + 8), 4);
    assert_memory_equal(vdrv.ram + BUF + 0x100, "ping", 4);
    assert_int_equal(vdrv.nmsgs, 1);
    assert_int_equal(vdrv.msgs[0], 0x4031);
    /* The device config space: the request counter. */
    assert_int_equal(harness_readl(vdrv.devcfg), 1);
    /* With MSI-X the shared line stays low. */
    assert_false(vdrv_cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
}

static void test_modern_intx(void **state)
{
    vdrv_modern_init(false, 1ull << 32, 1, QNUM);
    post_ping(VDRV_DESC, VDRV_AVAIL, QNUM);
    vdrv_kick(0);
    assert_int_equal(vdrv_get16(VDRV_USED + 2), 1);
    assert_int_equal(vdrv.nmsgs, 0);
    assert_true(vdrv_cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
    assert_int_equal(harness_readb(vdrv.isr), VIRTIO_ISR_QUEUE);  /* reading acknowledges */
    assert_int_equal(harness_readb(vdrv.isr), 0);
    assert_false(vdrv_cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
}

static void test_legacy(void **state)
{
    /* Legacy driver: the I/O BAR, a page frame number, 32 feature bits. */
    harness_outb(VDRV_BAR0_PORT + 0x12, 0);
    harness_outb(VDRV_BAR0_PORT + 0x12, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    uint32_t f = harness_inl(VDRV_BAR0_PORT + 0x00);
    assert_true(f & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    harness_outl(VDRV_BAR0_PORT + 0x04, f & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    harness_outw(VDRV_BAR0_PORT + 0x0e, 0);
    assert_int_equal(harness_inw(VDRV_BAR0_PORT + 0x0c), QNUM);
    harness_outl(VDRV_BAR0_PORT + 0x08, 0x30000 / 4096);
    assert_int_equal(harness_inl(VDRV_BAR0_PORT + 0x08), 0x30);
    harness_outb(VDRV_BAR0_PORT + 0x12, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                 VIRTIO_CONFIG_S_DRIVER_OK);
    /* The legacy layout: available ring after the table, used ring on the next page. */
    uint64_t desc = 0x30000, avail = desc + 16 * QNUM, used = 0x31000;
    post_ping(desc, avail, QNUM);
    harness_outw(VDRV_BAR0_PORT + 0x10, 0);
    assert_int_equal(vdrv_get16(used + 2), 1);
    assert_memory_equal(vdrv.ram + BUF + 0x100, "ping", 4);
    assert_int_equal(harness_inb(VDRV_BAR0_PORT + 0x13), VIRTIO_ISR_QUEUE);
    /* Device config right after the registers while MSI-X is off. */
    assert_int_equal(harness_inl(VDRV_BAR0_PORT + 0x14), 1);
    /* PFN 0 resets the queue. */
    harness_outl(VDRV_BAR0_PORT + 0x08, 0);
    assert_int_equal(harness_inl(VDRV_BAR0_PORT + 0x08), 0);
}

static void test_bad_ring(void **state)
{
    vdrv_modern_init(true, 1ull << 32, 1, QNUM);
    /* A chain that loops: the device needs a reset, and says so with a config interrupt. */
    vdrv_set_desc(VDRV_DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    vdrv_set_desc(VDRV_DESC, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
    vdrv_offer(VDRV_AVAIL, QNUM, 0);
    vdrv_kick(0);
    uint8_t status = harness_readb(vdrv.common + 0x14);
    assert_true(status & VIRTIO_CONFIG_S_NEEDS_RESET);
    assert_int_equal(vdrv.nmsgs, 1);
    assert_int_equal(vdrv.msgs[0], 0x4030);
    /* Further kicks do nothing; a reset brings it back. */
    vdrv_kick(0);
    assert_int_equal(vdrv_get16(VDRV_USED + 2), 0);
    harness_writeb(vdrv.common + 0x14, 0);
    assert_int_equal(harness_readb(vdrv.common + 0x14), 0);
    memset(vdrv.ram + VDRV_DESC, 0, 0x3000);
    vdrv_modern_init(true, 1ull << 32, 1, QNUM);
    post_ping(VDRV_DESC, VDRV_AVAIL, QNUM);
    vdrv_kick(0);
    assert_int_equal(vdrv_get16(VDRV_USED + 2), 1);

    /* Rings outside RAM are refused at enable. */
    harness_writeb(vdrv.common + 0x14, 0);
    harness_writew(vdrv.common + 0x16, 0);
    harness_writel(vdrv.common + 0x20, 0xfebf0000);
    harness_writew(vdrv.common + 0x1c, 1);
    assert_int_equal(harness_readw(vdrv.common + 0x1c), 0);
}

static void test_fuzz(void **state)
{
    vdrv_modern_init(true, (1ull << 32) | (1u << VIRTIO_F_RING_EVENT_IDX), 1, QNUM);
    for (unsigned i = 0; i < 0x3000; i++) {
        vdrv.ram[VDRV_DESC + i] = g_random_int();
    }
    harness_fuzz(false, VDRV_BAR4, 0x4000, 20000, 11);
    harness_fuzz(true, VDRV_BAR0_PORT, 0x20, 20000, 12);
    harness_fuzz(false, VDRV_BAR1, 0x1000, 5000, 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids_and_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_msix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modern_intx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
