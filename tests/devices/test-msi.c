/*
 * MSI and MSI-X tests: a test PCI device with both capabilities on an
 * i440FX bus, programmed through configuration mechanism #1 and its MSI-X
 * BAR as a guest driver would; the messages are caught where the board
 * would hand them to the interrupt controller (msi_set_delivery).
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
#include "hw/pci/pci.h"
#include "tests/devices/harness.h"

#define RAM_SIZE        (1024 * 1024)
#define TYPE_MSI_TEST   "msi-test-dev"
#define DEVFN           PCI_DEVFN(3, 0)
#define MSI_VECTORS     4
#define MSIX_VECTORS    70          /* more than 64: two PBA words */
#define MSIX_BAR        1
#define MSIX_BAR_SIZE   0x2000
#define MSIX_TABLE      0x0000
#define MSIX_PBA        0x1800
#define BAR_ADDR        0xfebf0000u

typedef struct MSITestState {
    PCIDevice parent_obj;
    MemoryRegion bar;
} MSITestState;

static bool msi_test_realize(PCIDevice *d, Error **errp)
{
    MSITestState *s = (MSITestState *)d;
    memory_region_init(&s->bar, &d->parent_obj.parent_obj, "msix-bar", MSIX_BAR_SIZE);
    pci_register_bar(d, MSIX_BAR, 0, &s->bar);
    return msi_init(d, 0, MSI_VECTORS, true, true, errp) &&
           msix_init(d, 0, MSIX_VECTORS, &s->bar, MSIX_BAR, MSIX_TABLE, MSIX_PBA, errp);
}

static void msi_test_exit(PCIDevice *d)
{
    memory_region_finalize(&((MSITestState *)d)->bar);
}

static void msi_test_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    pc->realize = msi_test_realize;
    pc->exit = msi_test_exit;
    pc->vendor_id = 0x1234;
    pc->device_id = 0x5678;
    pc->class_id = 0x0200;
}

static const TypeInfo msi_test_type = {
    .name = TYPE_MSI_TEST,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(MSITestState),
    .class_init = msi_test_class_init,
};

/* ---- The bench ---------------------------------------------------------------------- */

typedef struct Message {
    uint64_t addr;
    uint32_t data;
} Message;

static Message msgs[64];
static unsigned nmsgs;
static MemoryRegion *ram, *pci_mem;
static PCIBus *bus;
static PCIDevice *dev;

static void capture(uint64_t addr, uint32_t data)
{
    assert_true(nmsgs < G_N_ELEMENTS(msgs));
    msgs[nmsgs++] = (Message){ addr, data };
}

static void discard(uint64_t addr, uint32_t data)
{
}

static int setup(void **state)
{
    static bool once;
    Error *err = NULL;

    harness_init();
    if (!once) {
        once = true;
        type_register(&msi_test_type);
    }
    msi_set_delivery(capture);
    nmsgs = 0;
    ram = g_new0(MemoryRegion, 1);
    pci_mem = g_new0(MemoryRegion, 1);
    assert_true(memory_region_init_ram(ram, NULL, "pc.ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    memory_region_init(pci_mem, NULL, "pci", UINT64_MAX);
    bus = i440fx_init(get_system_memory(), get_system_io(), ram, pci_mem, &err);
    assert_non_null(bus);
    DeviceState *d = qdev_new(TYPE_MSI_TEST);
    assert_true(qdev_prop_set(d, "addr", "03.0", &err));
    assert_true(qdev_realize_and_unref(d, &bus->parent_obj, &err));
    dev = PCI_DEVICE(d);
    qdev_reset_machine();
    return 0;
}

static int teardown(void **state)
{
    qdev_unrealize(bus->parent_obj.parent);     /* and the bus's devices; unmaps pci_mem */
    memory_region_del_subregion(get_system_memory(), ram);
    memory_region_finalize(ram);
    memory_region_finalize(pci_mem);
    g_free(ram);
    g_free(pci_mem);
    msi_set_delivery(NULL);
    return 0;
}

static void cfg_select(int reg)
{
    harness_outl(0xcf8, 0x80000000u | DEVFN << 8 | (reg & 0xfc));
}

static uint32_t cfg_readl(int reg)
{
    cfg_select(reg);
    return harness_inl(0xcfc);
}

static uint16_t cfg_readw(int reg)
{
    cfg_select(reg);
    return harness_inw(0xcfc + (reg & 2));
}

static uint8_t cfg_readb(int reg)
{
    cfg_select(reg);
    return harness_inb(0xcfc + (reg & 3));
}

static void cfg_writel(int reg, uint32_t val)
{
    cfg_select(reg);
    harness_outl(0xcfc, val);
}

static void cfg_writew(int reg, uint16_t val)
{
    cfg_select(reg);
    harness_outw(0xcfc + (reg & 2), val);
}

/* Walk the list as a driver does: the offset of cap_id, or 0. */
static uint8_t find_cap(uint8_t cap_id)
{
    uint8_t pos = cfg_readb(PCI_CAPABILITY_LIST);
    for (int n = 0; pos && n < 48; n++) {
        if (cfg_readb(pos) == cap_id) {
            return pos;
        }
        pos = cfg_readb(pos + 1);
    }
    return 0;
}

/* ---- Capability list ----------------------------------------------------------------- */

static void test_cap_list(void **state)
{
    assert_true(cfg_readw(PCI_STATUS) & PCI_STATUS_CAP_LIST);
    uint8_t msi = find_cap(PCI_CAP_ID_MSI), msix = find_cap(PCI_CAP_ID_MSIX);
    assert_int_equal(msi, dev->msi_cap);
    assert_int_equal(msix, dev->msix_cap);
    assert_int_equal(pci_find_capability(dev, PCI_CAP_ID_MSIX), msix);
    assert_int_equal(pci_find_capability(dev, 0x09), 0);
    assert_true(msi >= PCI_CONFIG_HEADER_SIZE && msix >= PCI_CONFIG_HEADER_SIZE);
    assert_true(msi + 0x18 <= msix || msix + 12 <= msi);

    /* The header is read-only: a driver cannot break the list. */
    cfg_writew(msi, 0xffff);
    assert_int_equal(cfg_readb(msi), PCI_CAP_ID_MSI);
    assert_int_equal(find_cap(PCI_CAP_ID_MSIX), msix);

    /* 64-bit, per-vector masks, 4 vectors capable, none enabled. */
    uint16_t flags = cfg_readw(msi + PCI_MSI_FLAGS);
    assert_int_equal(flags, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | (2 << 1));
    uint16_t ctrl = cfg_readw(msix + PCI_MSIX_FLAGS);
    assert_int_equal(ctrl, MSIX_VECTORS - 1);
    assert_int_equal(cfg_readl(msix + PCI_MSIX_TABLE), MSIX_TABLE | MSIX_BAR);
    assert_int_equal(cfg_readl(msix + PCI_MSIX_PBA), MSIX_PBA | MSIX_BAR);

    /* A second capability that overlaps is refused. */
    Error *err = NULL;
    assert_int_equal(pci_add_capability(dev, 0x09, msi, 4, &err), -1);
    assert_non_null(err);
    error_free(err);
}

/* ---- MSI ---------------------------------------------------------------------------- */

static void msi_program(uint8_t msi, uint64_t addr, uint16_t data, unsigned log2_vectors)
{
    cfg_writel(msi + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
    cfg_writel(msi + PCI_MSI_ADDRESS_HI, addr >> 32);
    cfg_writew(msi + 0x0c, data);
    cfg_writew(msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | log2_vectors << 4);
}

static void test_msi_messages(void **state)
{
    uint8_t msi = dev->msi_cap;

    msi_notify(dev, 0);
    assert_int_equal(nmsgs, 0);             /* disabled: nothing */
    assert_false(msi_enabled(dev));

    msi_program(msi, 0xfee01003, 0x4041, 0);  /* one vector; address bits 1:0 are reserved */
    assert_true(msi_enabled(dev));
    assert_int_equal(cfg_readl(msi + PCI_MSI_ADDRESS_LO), 0xfee01000);
    msi_notify(dev, 0);
    msi_notify(dev, 1);                     /* beyond the one enabled vector */
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].addr, 0xfee01000);
    assert_int_equal(msgs[0].data, 0x4041);

    /* Four vectors: the vector number goes in the data's low bits. */
    msi_program(msi, 0x1fee02000ull, 0x4050, 2);
    msi_notify(dev, 3);
    assert_int_equal(nmsgs, 2);
    assert_int_equal(msgs[1].addr, 0x1fee02000ull);
    assert_int_equal(msgs[1].data, 0x4053);

    /* Enabling more vectors than capable: only the capable ones work. */
    msi_program(msi, 0xfee00000, 0x4060, 5);
    msi_notify(dev, 4);
    assert_int_equal(nmsgs, 2);
    msi_notify(dev, 2);
    assert_int_equal(msgs[2].data, 0x4062);
}

static void test_msi_masking(void **state)
{
    uint8_t msi = dev->msi_cap;
    unsigned mask = msi + 0x10, pending = msi + 0x14;

    msi_program(msi, 0xfee00000, 0x4070, 2);
    cfg_writel(mask, 0xffffffff);
    assert_int_equal(cfg_readl(mask), 0xf);     /* only the capable vectors */
    msi_notify(dev, 2);
    assert_int_equal(nmsgs, 0);
    assert_int_equal(cfg_readl(pending), 1u << 2);
    cfg_writel(pending, 0);                     /* pending bits are read-only */
    assert_int_equal(cfg_readl(pending), 1u << 2);

    cfg_writel(mask, 0xf & ~(1u << 2));           /* unmask vector 2: it goes out */
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].data, 0x4072);
    assert_int_equal(cfg_readl(pending), 0);

    /* Reset disables MSI and forgets the message. */
    qdev_reset_machine();
    assert_false(msi_enabled(dev));
    assert_int_equal(cfg_readl(msi + PCI_MSI_ADDRESS_LO), 0);
    assert_int_equal(cfg_readl(mask), 0);
}

/* ---- MSI-X -------------------------------------------------------------------------- */

static void msix_map_bar(void)
{
    cfg_writel(PCI_BASE_ADDRESS_0 + 4 * MSIX_BAR, BAR_ADDR);
    cfg_writew(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static hwaddr entry(unsigned v)
{
    return BAR_ADDR + MSIX_TABLE + v * PCI_MSIX_ENTRY_SIZE;
}

static void msix_program(unsigned v, uint64_t addr, uint32_t data, bool masked)
{
    harness_writeq(entry(v), addr);
    harness_writel(entry(v) + 8, data);
    harness_writel(entry(v) + PCI_MSIX_ENTRY_CTRL, masked);
}

static void test_msix_table(void **state)
{
    uint8_t msix = dev->msix_cap;
    msix_map_bar();

    /* Power-on: every vector masked. */
    for (unsigned v = 0; v < MSIX_VECTORS; v++) {
        assert_int_equal(harness_readl(entry(v) + PCI_MSIX_ENTRY_CTRL), 1);
    }
    msix_program(5, 0xfee00000, 0x4025, false);
    assert_int_equal(harness_readq(entry(5)), 0xfee00000);
    assert_int_equal(harness_readl(entry(5) + 8), 0x4025);
    harness_writel(entry(5) + PCI_MSIX_ENTRY_CTRL, 0xfffffffe);   /* reserved bits */
    assert_int_equal(harness_readl(entry(5) + PCI_MSIX_ENTRY_CTRL), 0);
    /* Byte accesses are not allowed: all ones, and no effect. */
    assert_int_equal(harness_readb(entry(5)), 0xff);
    harness_writeb(entry(5), 0x11);
    assert_int_equal(harness_readl(entry(5)), 0xfee00000);

    /* Disabled: nothing, not even pending. */
    msix_notify(dev, 5);
    assert_int_equal(nmsgs, 0);
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA), 0);

    cfg_writew(msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    assert_true(msix_enabled(dev));
    msix_notify(dev, 5);
    msix_notify(dev, MSIX_VECTORS);         /* no such vector */
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].addr, 0xfee00000);
    assert_int_equal(msgs[0].data, 0x4025);
}

static void test_msix_masking(void **state)
{
    uint8_t msix = dev->msix_cap;
    msix_map_bar();
    cfg_writew(msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);

    /* A masked vector beyond 64 collects a pending bit in the second PBA word. */
    msix_program(66, 0xfee0f000, 0x40aa, true);
    msix_notify(dev, 66);
    assert_int_equal(nmsgs, 0);
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA + 8), 1ull << 2);
    harness_writeq(BAR_ADDR + MSIX_PBA + 8, 0);     /* the PBA is read-only */
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA + 8), 1ull << 2);
    harness_writel(entry(66) + PCI_MSIX_ENTRY_CTRL, 0);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].data, 0x40aa);
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA + 8), 0);

    /* The function mask holds every vector; clearing it sends what waited. */
    cfg_writew(msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    msix_notify(dev, 66);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA + 8), 1ull << 2);
    cfg_writew(msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    assert_int_equal(nmsgs, 2);
    assert_int_equal(msgs[1].addr, 0xfee0f000);

    /* Reset: disabled, masked, nothing pending. */
    msix_notify(dev, 0);
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA), 1);
    qdev_reset_machine();
    msix_map_bar();
    assert_false(msix_enabled(dev));
    assert_int_equal(harness_readq(BAR_ADDR + MSIX_PBA), 0);
    assert_int_equal(harness_readl(entry(66) + PCI_MSIX_ENTRY_CTRL), 1);
}

static void test_bad_init(void **state)
{
    Error *err = NULL;
    MemoryRegion small;
    memory_region_init(&small, NULL, "small", 0x100);
    /* 32 vectors need 512 bytes of table: it does not fit. */
    assert_false(msix_init(dev, 0, 32, &small, 2, 0, 0x80, &err));
    assert_non_null(err);
    error_free(err);
    err = NULL;
    assert_false(msi_init(dev, 0, 3, false, false, &err));
    assert_non_null(err);
    error_free(err);
    memory_region_finalize(&small);
}

static void test_fuzz(void **state)
{
    msi_set_delivery(discard);
    msix_map_bar();
    cfg_writew(dev->msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
    harness_fuzz(false, BAR_ADDR, MSIX_BAR_SIZE, 20000, 7);
    /* Config space: the device's capabilities through 0xCF8/0xCFC. */
    for (unsigned i = 0; i < 5000; i++) {
        cfg_select(0x40 + (g_random_int() % 0xc0));
        harness_outl(0xcfc, g_random_int());
        msi_notify(dev, i % 4);
        msix_notify(dev, i % MSIX_VECTORS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cap_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msi_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msi_masking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msix_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msix_masking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
