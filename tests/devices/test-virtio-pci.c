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

#include "hw/pci-host/i440fx.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
#include "tests/devices/harness.h"
#include "util/iov.h"

#define TYPE_VIRTIO_ECHO    "virtio-echo-pci"
#define ECHO_DEVICE_ID      0x1f
#define DEVFN               PCI_DEVFN(4, 0)
#define RAM_SIZE            (1024 * 1024)
#define BAR4_ADDR           0xe0000000ull
#define BAR1_ADDR           0xfebf0000u
#define BAR0_PORT           0xc000
#define QNUM                8
#define DESC                0x10000
#define AVAIL               0x11000
#define USED                0x12000
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

typedef struct Message {
    uint64_t addr;
    uint32_t data;
} Message;

static Message msgs[64];
static unsigned nmsgs;
static MemoryRegion *ram, *pci_mem;
static uint8_t *ram_ptr;
static PCIBus *bus;
static PCIDevice *dev;
static VirtIOPCIProxy *proxy;
static uint64_t common, isr, devcfg, notify;   /* guest addresses of the modern structures */

static void capture(uint64_t addr, uint32_t data)
{
    if (nmsgs < G_N_ELEMENTS(msgs)) {
        msgs[nmsgs++] = (Message){ addr, data };
    }
}

static void cfg_select(int reg)
{
    harness_outl(0xcf8, 0x80000000u | DEVFN << 8 | (reg & 0xfc));
}

static uint8_t cfg_readb(int reg)
{
    cfg_select(reg);
    return harness_inb(0xcfc + (reg & 3));
}

static uint32_t cfg_readl(int reg)
{
    cfg_select(reg);
    return harness_inl(0xcfc);
}

static void cfg_writel(int reg, uint32_t v)
{
    cfg_select(reg);
    harness_outl(0xcfc, v);
}

static void cfg_writew(int reg, uint16_t v)
{
    cfg_select(reg);
    harness_outw(0xcfc + (reg & 2), v);
}

/* Find the modern structures the way a driver does: vendor capabilities. */
static void find_structures(void)
{
    common = isr = devcfg = notify = 0;
    for (uint8_t pos = cfg_readb(PCI_CAPABILITY_LIST); pos; pos = cfg_readb(pos + 1)) {
        if (cfg_readb(pos) != PCI_CAP_ID_VNDR) {
            continue;
        }
        assert_int_equal(cfg_readb(pos + 4), 4);      /* BAR4 */
        uint64_t addr = BAR4_ADDR + cfg_readl(pos + 8);
        switch (cfg_readb(pos + 3)) {
        case 1: common = addr; break;
        case 2:
            notify = addr;
            assert_int_equal(cfg_readl(pos + 16), 4);    /* notify_off_multiplier */
            break;
        case 3: isr = addr; break;
        case 4: devcfg = addr; break;
        }
    }
    assert_true(common && isr && devcfg && notify);
}

static int setup(void **state)
{
    static bool once;
    Error *err = NULL;

    harness_init();
    if (!once) {
        once = true;
        type_register(&echo_type);
    }
    msi_set_delivery(capture);
    nmsgs = 0;
    ram = g_new0(MemoryRegion, 1);
    pci_mem = g_new0(MemoryRegion, 1);
    assert_true(memory_region_init_ram(ram, NULL, "pc.ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    ram_ptr = memory_region_get_ram_ptr(ram);
    memory_region_init(pci_mem, NULL, "pci", UINT64_MAX);
    bus = i440fx_init(get_system_memory(), get_system_io(), ram, pci_mem, &err);
    assert_non_null(bus);
    DeviceState *d = qdev_new(TYPE_VIRTIO_ECHO);
    assert_true(qdev_prop_set(d, "addr", "04.0", &err));
    assert_true(qdev_realize_and_unref(d, &bus->parent_obj, &err));
    dev = PCI_DEVICE(d);
    proxy = VIRTIO_PCI(dev);
    qdev_reset_machine();

    cfg_writel(PCI_BASE_ADDRESS_0, BAR0_PORT);
    cfg_writel(PCI_BASE_ADDRESS_0 + 4, BAR1_ADDR);
    cfg_writel(PCI_BASE_ADDRESS_0 + 16, (uint32_t)BAR4_ADDR);
    cfg_writel(PCI_BASE_ADDRESS_0 + 20, BAR4_ADDR >> 32);
    cfg_writew(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    find_structures();
    return 0;
}

static int teardown(void **state)
{
    qdev_unrealize(bus->parent_obj.parent);
    memory_region_del_subregion(get_system_memory(), ram);
    memory_region_finalize(ram);
    memory_region_finalize(pci_mem);
    g_free(ram);
    g_free(pci_mem);
    msi_set_delivery(NULL);
    return 0;
}

/* ---- A driver ------------------------------------------------------------------------------ */

static void put16(uint64_t a, uint16_t v) { memcpy(ram_ptr + a, &v, 2); }
static uint16_t get16(uint64_t a) { uint16_t v; memcpy(&v, ram_ptr + a, 2); return v; }
static uint32_t get32(uint64_t a) { uint32_t v; memcpy(&v, ram_ptr + a, 4); return v; }

static void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = ram_ptr + table + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static void offer(uint64_t avail, unsigned num, uint16_t head)
{
    uint16_t idx = get16(avail + 2);
    put16(avail + 4 + 2 * (idx % num), head);
    put16(avail + 2, idx + 1);
}

/* A ping: "ping" out, 16 bytes in, at descriptor 0/1 of table desc. */
static void post_ping(uint64_t desc, uint64_t avail, unsigned num)
{
    memcpy(ram_ptr + BUF, "ping", 4);
    memset(ram_ptr + BUF + 0x100, 0, 16);
    set_desc(desc, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    set_desc(desc, 1, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
    offer(avail, num, 0);
}

/* 3.1.1 with the modern interface; MSI-X vectors 0 (config) and 1 (queue) when msix. */
static void modern_init(bool msix, uint64_t features)
{
    harness_writeb(common + 0x14, 0);
    harness_writeb(common + 0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    harness_writel(common + 0x08, 0);
    harness_writel(common + 0x0c, (uint32_t)features);
    harness_writel(common + 0x08, 1);
    harness_writel(common + 0x0c, features >> 32);
    harness_writeb(common + 0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                   VIRTIO_CONFIG_S_FEATURES_OK);
    if (msix) {
        harness_writeq(BAR1_ADDR + 0, 0xfee00000);
        harness_writel(BAR1_ADDR + 8, 0x4030);
        harness_writel(BAR1_ADDR + 12, 0);
        harness_writeq(BAR1_ADDR + 16, 0xfee00000);
        harness_writel(BAR1_ADDR + 24, 0x4031);
        harness_writel(BAR1_ADDR + 28, 0);
        cfg_writew(dev->msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
        harness_writew(common + 0x10, 0);
    }
    harness_writew(common + 0x16, 0);
    assert_int_equal(harness_readw(common + 0x18), QNUM);
    harness_writew(common + 0x18, QNUM);
    if (msix) {
        harness_writew(common + 0x1a, 1);
        assert_int_equal(harness_readw(common + 0x1a), 1);
    }
    harness_writel(common + 0x20, DESC);
    harness_writel(common + 0x24, 0);
    harness_writel(common + 0x28, AVAIL);
    harness_writel(common + 0x2c, 0);
    harness_writel(common + 0x30, USED);
    harness_writel(common + 0x34, 0);
    harness_writew(common + 0x1c, 1);
    harness_writeb(common + 0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void test_ids_and_features(void **state)
{
    assert_int_equal(cfg_readl(0), (0x1040 + ECHO_DEVICE_ID) << 16 | 0x1af4);
    harness_writel(common + 0x00, 0);
    uint32_t lo = harness_readl(common + 0x04);
    harness_writel(common + 0x00, 1);
    uint32_t hi = harness_readl(common + 0x04);
    assert_true(lo & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    assert_true(lo & (1u << VIRTIO_F_RING_EVENT_IDX));
    assert_true(hi & 1);                                /* VERSION_1 */
    harness_writel(common + 0x00, 7);
    assert_int_equal(harness_readl(common + 0x04), 0);
    assert_int_equal(harness_readw(common + 0x12), 1);  /* num_queues */

    /* Only offered features stick; none change after FEATURES_OK. */
    harness_writel(common + 0x08, 0);
    harness_writel(common + 0x0c, 0xffffffff);
    assert_int_equal(harness_readl(common + 0x0c), lo);
    harness_writeb(common + 0x14, VIRTIO_CONFIG_S_FEATURES_OK);
    harness_writel(common + 0x0c, 0);
    assert_int_equal(harness_readl(common + 0x0c), lo);

    /* Queues that do not exist read size 0 and ignore writes. */
    harness_writew(common + 0x16, 5);
    assert_int_equal(harness_readw(common + 0x18), 0);
    harness_writew(common + 0x1c, 1);
    assert_int_equal(harness_readw(common + 0x1c), 0);
    /* A vector past the table is refused (NO_VECTOR). */
    harness_writew(common + 0x16, 0);
    harness_writew(common + 0x1a, 99);
    assert_int_equal(harness_readw(common + 0x1a), VIRTIO_NO_VECTOR);
}

static void test_modern_msix(void **state)
{
    modern_init(true, 1ull << 32);
    post_ping(DESC, AVAIL, QNUM);
    harness_writew(notify + 0, 0);
    assert_int_equal(get16(USED + 2), 1);
    assert_int_equal(get32(USED + 4), 0);
    assert_int_equal(get32(USED + 8), 4);
    assert_memory_equal(ram_ptr + BUF + 0x100, "ping", 4);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].data, 0x4031);
    /* The device config space: the request counter. */
    assert_int_equal(harness_readl(devcfg), 1);
    /* With MSI-X the shared line stays low. */
    assert_false(cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
}

static void test_modern_intx(void **state)
{
    modern_init(false, 1ull << 32);
    post_ping(DESC, AVAIL, QNUM);
    harness_writew(notify + 0, 0);
    assert_int_equal(get16(USED + 2), 1);
    assert_int_equal(nmsgs, 0);
    assert_true(cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
    assert_int_equal(harness_readb(isr), VIRTIO_ISR_QUEUE);  /* reading acknowledges */
    assert_int_equal(harness_readb(isr), 0);
    assert_false(cfg_readl(PCI_COMMAND) & (PCI_STATUS_INTERRUPT << 16));
}

static void test_legacy(void **state)
{
    /* Legacy driver: the I/O BAR, a page frame number, 32 feature bits. */
    harness_outb(BAR0_PORT + 0x12, 0);
    harness_outb(BAR0_PORT + 0x12, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    uint32_t f = harness_inl(BAR0_PORT + 0x00);
    assert_true(f & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    harness_outl(BAR0_PORT + 0x04, f & (1u << VIRTIO_F_RING_INDIRECT_DESC));
    harness_outw(BAR0_PORT + 0x0e, 0);
    assert_int_equal(harness_inw(BAR0_PORT + 0x0c), QNUM);
    harness_outl(BAR0_PORT + 0x08, 0x30000 / 4096);
    assert_int_equal(harness_inl(BAR0_PORT + 0x08), 0x30);
    harness_outb(BAR0_PORT + 0x12, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                 VIRTIO_CONFIG_S_DRIVER_OK);
    /* The legacy layout: available ring after the table, used ring on the next page. */
    uint64_t desc = 0x30000, avail = desc + 16 * QNUM, used = 0x31000;
    post_ping(desc, avail, QNUM);
    harness_outw(BAR0_PORT + 0x10, 0);
    assert_int_equal(get16(used + 2), 1);
    assert_memory_equal(ram_ptr + BUF + 0x100, "ping", 4);
    assert_int_equal(harness_inb(BAR0_PORT + 0x13), VIRTIO_ISR_QUEUE);
    /* Device config right after the registers while MSI-X is off. */
    assert_int_equal(harness_inl(BAR0_PORT + 0x14), 1);
    /* PFN 0 resets the queue. */
    harness_outl(BAR0_PORT + 0x08, 0);
    assert_int_equal(harness_inl(BAR0_PORT + 0x08), 0);
}

static void test_bad_ring(void **state)
{
    modern_init(true, 1ull << 32);
    /* A chain that loops: the device needs a reset, and says so with a config interrupt. */
    set_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    set_desc(DESC, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
    offer(AVAIL, QNUM, 0);
    harness_writew(notify + 0, 0);
    uint8_t status = harness_readb(common + 0x14);
    assert_true(status & VIRTIO_CONFIG_S_NEEDS_RESET);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].data, 0x4030);
    /* Further kicks do nothing; a reset brings it back. */
    harness_writew(notify + 0, 0);
    assert_int_equal(get16(USED + 2), 0);
    harness_writeb(common + 0x14, 0);
    assert_int_equal(harness_readb(common + 0x14), 0);
    memset(ram_ptr + DESC, 0, 0x3000);
    modern_init(true, 1ull << 32);
    post_ping(DESC, AVAIL, QNUM);
    harness_writew(notify + 0, 0);
    assert_int_equal(get16(USED + 2), 1);

    /* Rings outside RAM are refused at enable. */
    harness_writeb(common + 0x14, 0);
    harness_writew(common + 0x16, 0);
    harness_writel(common + 0x20, 0xfebf0000);
    harness_writew(common + 0x1c, 1);
    assert_int_equal(harness_readw(common + 0x1c), 0);
}

static void test_fuzz(void **state)
{
    modern_init(true, (1ull << 32) | (1u << VIRTIO_F_RING_EVENT_IDX));
    for (unsigned i = 0; i < 0x3000; i++) {
        ram_ptr[DESC + i] = g_random_int();
    }
    harness_fuzz(false, BAR4_ADDR, 0x4000, 20000, 11);
    harness_fuzz(true, BAR0_PORT, 0x20, 20000, 12);
    harness_fuzz(false, BAR1_ADDR, 0x1000, 5000, 13);
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
