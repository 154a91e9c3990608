/*
 * PCI core, i440FX and PIIX3 tests, driven through the ports a guest uses:
 * configuration mechanism #1 (0xCF8/0xCFC, all access sizes), BAR sizing
 * and decoding with a test device defined here, INTx routing through the
 * PIRQ registers to ISA IRQ and IOAPIC probes, ELCR, the 0xCF9 reset
 * control, PAM and SMRAM windows, device addresses, info pci / info qtree,
 * reset, VMState, and a fuzz run.  Each test builds a fresh machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/isa/piix3.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "system/runstate.h"
#include "tests/devices/harness.h"

#define RAM_SIZE (2 * 1024 * 1024)
#define ROM_PATTERN 0xa5
#define VGA_PATTERN 0x3c

#define DEVFN_HOST PCI_DEVFN(0, 0)
#define DEVFN_PIIX3 PCI_DEVFN(1, 0)

/* ---- A test PCI device: an I/O BAR, 32- and 64-bit memory BARs, a ROM ------------ */

#define TYPE_TEST_PCI "test-pci-dev"
#define TEST_VENDOR 0x1234
#define TEST_DEVICE 0x5678
#define TEST_IO_SIZE 0x20
#define TEST_MMIO32_SIZE 0x1000
#define TEST_MMIO64_SIZE 0x10000
#define TEST_ROM_SIZE 0x10000

typedef struct TestPCIState TestPCIState;

typedef struct TestBar {
    TestPCIState *s;
    int bar;
} TestBar;

struct TestPCIState {
    PCIDevice parent_obj;
    MemoryRegion io, mmio32, mmio64, rom;
    TestBar bars[3];            /* the opaque of each BAR's ops */
    unsigned accesses;
    int last_bar;
    hwaddr last_addr;
    uint64_t last_val;
    unsigned last_size;
    bool last_write;
};

static uint64_t test_bar_read(void *opaque, hwaddr addr, unsigned size)
{
    TestBar *b = opaque;
    TestPCIState *s = b->s;
    s->accesses++;
    s->last_bar = b->bar;
    s->last_addr = addr;
    s->last_size = size;
    s->last_write = false;
    return 0x0102030405060708ULL + addr + ((uint64_t)b->bar << 56);
}

static void test_bar_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestBar *b = opaque;
    TestPCIState *s = b->s;
    s->accesses++;
    s->last_bar = b->bar;
    s->last_addr = addr;
    s->last_val = val;
    s->last_size = size;
    s->last_write = true;
}

static const MemoryRegionOps test_io_ops = {
    .read = test_bar_read,
    .write = test_bar_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps test_mmio_ops = {
    .read = test_bar_read,
    .write = test_bar_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static bool test_pci_realize(PCIDevice *d, Error **errp)
{
    TestPCIState *s = (TestPCIState *)d;
    Object *owner = &d->parent_obj.parent_obj;
    for (int i = 0; i < 3; i++) {
        s->bars[i] = (TestBar){ s, i };
    }
    d->config[PCI_INTERRUPT_PIN] = 1;
    memory_region_init_io(&s->io, owner, &test_io_ops, &s->bars[0], "test-io", TEST_IO_SIZE);
    memory_region_init_io(&s->mmio32, owner, &test_mmio_ops, &s->bars[1], "test-mmio32",
                          TEST_MMIO32_SIZE);
    memory_region_init_io(&s->mmio64, owner, &test_mmio_ops, &s->bars[2], "test-mmio64",
                          TEST_MMIO64_SIZE);
    if (!memory_region_init_rom(&s->rom, owner, "test-rom", TEST_ROM_SIZE, errp)) {
        return false;
    }
    memset(memory_region_get_ram_ptr(&s->rom), 0x55, TEST_ROM_SIZE);
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    pci_register_bar(d, 1, 0, &s->mmio32);
    pci_register_bar(d, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->mmio64);
    pci_register_bar(d, PCI_ROM_SLOT, 0, &s->rom);
    return true;
}

static void test_pci_exit(PCIDevice *d)
{
    TestPCIState *s = (TestPCIState *)d;
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->mmio32);
    memory_region_finalize(&s->mmio64);
    memory_region_finalize(&s->rom);
}

static const VMStateField test_pci_fields[] = {
    VMS_PCI_DEVICE(TestPCIState, parent_obj),
    VMS_END,
};

static const VMStateDescription vmstate_test_pci = {
    .name = "test-pci-dev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = test_pci_fields,
};

static void test_pci_class_init(ObjectClass *oc, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    DEVICE_CLASS(oc)->vmsd = &vmstate_test_pci;
    pc->realize = test_pci_realize;
    pc->exit = test_pci_exit;
    pc->vendor_id = TEST_VENDOR;
    pc->device_id = TEST_DEVICE;
    pc->revision = 0x03;
    pc->class_id = 0x0200;      /* Ethernet controller */
}

static const TypeInfo test_pci_type = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIState),
    .class_init = test_pci_class_init,
};

/* ---- The bench ------------------------------------------------------------------ */

static MemoryRegion *ram, *pci_mem, *pci_rom, *vga;
static PCIBus *bus;
static PIIX3State *piix3;
static IRQProbe *gsi[PIIX3_NUM_PIRQS];
static int elcr_calls;
static uint8_t elcr_seen[2];
static int resets;
static bool board_maps_pci;     /* the board maps pci_mem itself, as hw/i386/pc.c does */

static void elcr_handler(void *opaque, int chip, uint8_t elcr)
{
    elcr_calls++;
    elcr_seen[chip] = elcr;
}

static void count_reset(void *opaque)
{
    resets++;
}

static int setup(void **state)
{
    static bool once;
    Error *err = NULL;

    harness_init();
    if (!once) {
        once = true;
        type_register(&test_pci_type);
        runstate_add_reset_handler(count_reset, NULL);
        for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
            gsi[i] = harness_irq_probe_new();
        }
    }
    ram = g_new0(MemoryRegion, 1);
    pci_mem = g_new0(MemoryRegion, 1);
    pci_rom = g_new0(MemoryRegion, 1);
    vga = g_new0(MemoryRegion, 1);
    assert_true(memory_region_init_ram(ram, NULL, "pc.ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    memory_region_init(pci_mem, NULL, "pci", UINT64_MAX);
    /* The PCI side of 0xA0000-0xFFFFF: a VGA window and option/BIOS ROM. */
    assert_true(memory_region_init_ram(vga, NULL, "vga", 0x20000, &err));
    memset(memory_region_get_ram_ptr(vga), VGA_PATTERN, 0x20000);
    memory_region_add_subregion(pci_mem, 0xa0000, vga);
    assert_true(memory_region_init_rom(pci_rom, NULL, "isa-bios", 0x40000, &err));
    memset(memory_region_get_ram_ptr(pci_rom), ROM_PATTERN, 0x40000);
    memory_region_add_subregion(pci_mem, 0xc0000, pci_rom);
    if (board_maps_pci) {
        memory_region_add_subregion_overlap(get_system_memory(), 0, pci_mem, -1);
    }

    bus = i440fx_init(get_system_memory(), get_system_io(), ram, pci_mem, &err);
    assert_non_null(bus);
    piix3 = piix3_create(bus, &err);
    assert_non_null(piix3);
    IRQLine *lines[ISA_NUM_IRQS], *gsi_lines[PIIX3_NUM_PIRQS];
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        lines[i] = harness_isa_irq(i)->line;
        harness_isa_irq(i)->level = 0;
        harness_irq_probe_reset(harness_isa_irq(i));
    }
    isa_bus_set_irqs(piix3_isa_bus(piix3), lines);
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        gsi_lines[i] = gsi[i]->line;
        harness_irq_probe_reset(gsi[i]);
    }
    piix3_set_ioapic_irqs(piix3, gsi_lines);
    elcr_calls = 0;
    piix3_set_elcr_handler(piix3, elcr_handler, NULL);
    qdev_reset_machine();
    return 0;
}

static int setup_board_maps_pci(void **state)
{
    board_maps_pci = true;
    return setup(state);
}

static int teardown(void **state)
{
    qdev_unrealize(bus->parent_obj.parent);
    bus = NULL;
    piix3 = NULL;
    assert_true((pci_mem->container != NULL) == board_maps_pci);
    if (board_maps_pci) {
        memory_region_del_subregion(get_system_memory(), pci_mem);
        board_maps_pci = false;
    }
    memory_region_del_subregion(get_system_memory(), ram);
    memory_region_del_subregion(pci_mem, vga);
    memory_region_del_subregion(pci_mem, pci_rom);
    MemoryRegion *regions[] = { ram, pci_mem, pci_rom, vga };
    for (unsigned i = 0; i < G_N_ELEMENTS(regions); i++) {
        memory_region_finalize(regions[i]);
        g_free(regions[i]);
    }
    /* A 0xCF9 write may have left a reset request behind. */
    runstate_process_requests();
    return 0;
}

static uint32_t cfg_addr(int bus_num, int devfn, int reg)
{
    return 0x80000000u | bus_num << 16 | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_readl(int devfn, int reg)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    return harness_inl(0xcfc);
}

static uint16_t cfg_readw(int devfn, int reg)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    return harness_inw(0xcfc + (reg & 2));
}

static uint8_t cfg_readb(int devfn, int reg)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    return harness_inb(0xcfc + (reg & 3));
}

static void cfg_writel(int devfn, int reg, uint32_t val)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    harness_outl(0xcfc, val);
}

static void cfg_writew(int devfn, int reg, uint16_t val)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    harness_outw(0xcfc + (reg & 2), val);
}

static void cfg_writeb(int devfn, int reg, uint8_t val)
{
    harness_outl(0xcf8, cfg_addr(0, devfn, reg));
    harness_outb(0xcfc + (reg & 3), val);
}

static TestPCIState *test_dev_create(int devfn)
{
    Error *err = NULL;
    PCIDevice *d = pci_create_simple(bus, devfn, TYPE_TEST_PCI, &err);
    assert_non_null(d);
    return (TestPCIState *)d;
}

/* ---- Identity and configuration mechanism #1 -------------------------------------- */

static void test_ids(void **state)
{
    assert_int_equal(cfg_readl(DEVFN_HOST, PCI_VENDOR_ID), 0x12378086);
    assert_int_equal(cfg_readl(DEVFN_HOST, PCI_REVISION_ID), 0x06000002);
    assert_int_equal(cfg_readb(DEVFN_HOST, PCI_HEADER_TYPE), 0x00);
    assert_int_equal(cfg_readl(DEVFN_HOST, PCI_SUBSYSTEM_VENDOR_ID), 0x11001af4);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x02);      /* SMRAMC */
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x57), 0);         /* 2 MiB: 0 x 8 MiB */

    assert_int_equal(cfg_readl(DEVFN_PIIX3, PCI_VENDOR_ID), 0x70008086);
    assert_int_equal(cfg_readl(DEVFN_PIIX3, PCI_REVISION_ID), 0x06010000);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, PCI_HEADER_TYPE), 0x80);
    assert_int_equal(cfg_readw(DEVFN_PIIX3, PCI_COMMAND), 0x0007);
    assert_int_equal(cfg_readw(DEVFN_PIIX3, PCI_STATUS), 0x0200);
    assert_int_equal(cfg_readl(DEVFN_PIIX3, 0x60), 0x80808080);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, 0x4c), 0x4d);
}

static void test_absent_and_disabled(void **state)
{
    assert_int_equal(cfg_readl(PCI_DEVFN(3, 0), 0), 0xffffffff);
    assert_int_equal(cfg_readw(PCI_DEVFN(31, 7), 2), 0xffff);
    assert_int_equal(cfg_readb(PCI_DEVFN(1, 1), 0), 0xff);
    cfg_writel(PCI_DEVFN(3, 0), PCI_COMMAND, 0x7);      /* goes nowhere */
    /* Bus 1 does not exist: even 00.0 there reads all ones. */
    harness_outl(0xcf8, cfg_addr(1, DEVFN_HOST, 0));
    assert_int_equal(harness_inl(0xcfc), 0xffffffff);
    /* Without the enable bit, 0xCFC is not a config access. */
    harness_outl(0xcf8, 0x00000000);
    assert_int_equal(harness_inl(0xcfc), 0xffffffff);
    harness_outl(0xcfc, 0x12345678);
    assert_int_equal(cfg_readl(DEVFN_HOST, 0), 0x12378086);

    /* CONFADD reads back (Linux's type 1 probe), minus reserved bits. */
    harness_outl(0xcf8, 0x80000000);
    assert_int_equal(harness_inl(0xcf8), 0x80000000);
    harness_outl(0xcf8, 0xffffffff);
    assert_int_equal(harness_inl(0xcf8), 0x80fffffc);
    /* Byte and word accesses are not CONFADD's. */
    harness_outl(0xcf8, 0x80000800);
    harness_outb(0xcfb, 0x01);
    harness_outw(0xcfa, 0x1234);
    assert_int_equal(harness_inl(0xcf8), 0x80000800);
    assert_int_equal(harness_inb(0xcf8), 0xff);
    assert_int_equal(harness_inw(0xcfa), 0xffff);
}

static void test_sub_dword_access(void **state)
{
    assert_int_equal(cfg_readb(DEVFN_HOST, 0), 0x86);
    assert_int_equal(cfg_readb(DEVFN_HOST, 1), 0x80);
    assert_int_equal(cfg_readb(DEVFN_HOST, 2), 0x37);
    assert_int_equal(cfg_readb(DEVFN_HOST, 3), 0x12);
    assert_int_equal(cfg_readw(DEVFN_HOST, 2), 0x1237);
    assert_int_equal(cfg_readw(DEVFN_PIIX3, 0x0a), 0x0601);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, 0x0b), 0x06);

    /* PIRQRC: byte writes at offsets 1-3 of 0xCFC, word writes at offset 2. */
    cfg_writeb(DEVFN_PIIX3, 0x61, 0x0a);
    cfg_writeb(DEVFN_PIIX3, 0x63, 0x0b);
    assert_int_equal(cfg_readl(DEVFN_PIIX3, 0x60), 0x0b800a80);
    cfg_writew(DEVFN_PIIX3, 0x62, 0x0509);
    assert_int_equal(cfg_readl(DEVFN_PIIX3, 0x60), 0x05090a80);
    /* Reserved bits 6:4 do not stick. */
    cfg_writeb(DEVFN_PIIX3, 0x60, 0x7f);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, 0x60), 0x0f);
    /* Read-only header fields. */
    cfg_writel(DEVFN_HOST, PCI_VENDOR_ID, 0);
    cfg_writeb(DEVFN_PIIX3, PCI_HEADER_TYPE, 0);
    assert_int_equal(cfg_readl(DEVFN_HOST, 0), 0x12378086);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, PCI_HEADER_TYPE), 0x80);
    /* Unaligned data port accesses are refused. */
    harness_outl(0xcf8, cfg_addr(0, DEVFN_HOST, 0));
    assert_int_equal(harness_inw(0xcfd), 0xffff);
}

/* ---- BARs ------------------------------------------------------------------------ */

static void test_bar_sizing_and_mapping(void **state)
{
    int devfn = PCI_DEVFN(3, 0);
    TestPCIState *t = test_dev_create(devfn);
    PCIDevice *d = &t->parent_obj;

    assert_int_equal(cfg_readl(devfn, 0), TEST_DEVICE << 16 | TEST_VENDOR);
    assert_int_equal(cfg_readl(devfn, 0x10), PCI_BASE_ADDRESS_SPACE_IO);
    assert_int_equal(cfg_readl(devfn, 0x18), 0x0c);

    /* Sizing: all ones in, the size mask and type bits out. */
    for (int reg = 0x10; reg <= 0x1c; reg += 4) {
        cfg_writel(devfn, reg, 0xffffffff);
    }
    cfg_writel(devfn, 0x30, 0xfffffffe);
    assert_int_equal(cfg_readl(devfn, 0x10), 0xffffffe1);
    assert_int_equal(cfg_readl(devfn, 0x14), 0xfffff000);
    assert_int_equal(cfg_readl(devfn, 0x18), 0xffff000c);
    assert_int_equal(cfg_readl(devfn, 0x1c), 0xffffffff);
    assert_int_equal(cfg_readl(devfn, 0x20), 0);     /* unimplemented BAR4 */
    assert_int_equal(cfg_readl(devfn, 0x30), 0xffff0000);

    cfg_writel(devfn, 0x10, 0xc000);
    cfg_writel(devfn, 0x14, 0xfebf0000);
    cfg_writel(devfn, 0x18, 0x00000000);
    cfg_writel(devfn, 0x1c, 0x00000008);             /* 64-bit BAR at 0x8_0000_0000 */
    cfg_writel(devfn, 0x30, 0xfeb00000 | PCI_ROM_ADDRESS_ENABLE);
    /* Decoding still off: nothing there. */
    assert_true(pci_get_bar_addr(d, 0) == PCI_BAR_UNMAPPED);
    assert_int_equal(harness_inb(0xc000), 0xff);
    assert_int_equal(harness_readl(0xfebf0000), 0xffffffff);
    assert_int_equal(t->accesses, 0);

    cfg_writew(devfn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    assert_true(pci_get_bar_addr(d, 0) == 0xc000);
    assert_true(pci_get_bar_addr(d, 1) == 0xfebf0000);
    assert_true(pci_get_bar_addr(d, 2) == 0x800000000ULL);
    assert_true(pci_get_bar_addr(d, PCI_ROM_SLOT) == 0xfeb00000);

    harness_outw(0xc004, 0xbeef);
    assert_int_equal(t->last_bar, 0);
    assert_int_equal(t->last_addr, 4);
    assert_int_equal(t->last_val, 0xbeef);
    assert_int_equal(t->last_size, 2);
    assert_true(t->last_write);
    assert_int_equal(harness_inb(0xc01f), 0x08 + 0x1f);
    assert_int_equal(harness_readl(0xfebf0010), 0x05060708 + 0x10);
    assert_int_equal(t->last_bar, 1);
    harness_writel(0xfebf0ffc, 0x11223344);
    assert_int_equal(t->last_addr, 0xffc);
    assert_int_equal(t->last_val, 0x11223344);
    assert_true(harness_readq(0x800000100ULL) == 0x0302030405060708ULL + 0x100);
    assert_int_equal(t->last_bar, 2);
    assert_int_equal(t->last_size, 8);
    assert_int_equal(harness_readl(0xfeb00000), 0x55555555);

    /* Moving a BAR while decoding: the old place goes blank. */
    unsigned n = t->accesses;
    cfg_writel(devfn, 0x14, 0xfebe0000);
    assert_int_equal(harness_readl(0xfebf0000), 0xffffffff);
    assert_int_equal(harness_readl(0xfebe0000), 0x05060708);
    assert_int_equal(t->accesses, n + 1);

    /* ROM enable bit off: unmapped though memory decoding is on. */
    cfg_writel(devfn, 0x30, 0xfeb00000);
    assert_true(pci_get_bar_addr(d, PCI_ROM_SLOT) == PCI_BAR_UNMAPPED);
    assert_int_equal(harness_readl(0xfeb00000), 0xffffffff);

    /* Sizing with decoding on never maps the all-ones address. */
    cfg_writel(devfn, 0x14, 0xffffffff);
    assert_true(pci_get_bar_addr(d, 1) == PCI_BAR_UNMAPPED);
    cfg_writel(devfn, 0x14, 0);
    assert_true(pci_get_bar_addr(d, 1) == PCI_BAR_UNMAPPED);
    cfg_writel(devfn, 0x18, 0xffffffff);
    cfg_writel(devfn, 0x1c, 0xffffffff);
    assert_true(pci_get_bar_addr(d, 2) == PCI_BAR_UNMAPPED);
    /* An I/O BAR past 64 KiB, or at 0, is not mapped. */
    cfg_writel(devfn, 0x10, 0xfffe0);
    assert_true(pci_get_bar_addr(d, 0) == PCI_BAR_UNMAPPED);
    cfg_writel(devfn, 0x10, 0x10000);
    assert_true(pci_get_bar_addr(d, 0) == PCI_BAR_UNMAPPED);
    cfg_writel(devfn, 0x10, 0);
    assert_true(pci_get_bar_addr(d, 0) == PCI_BAR_UNMAPPED);
    cfg_writel(devfn, 0x10, 0xffe0);
    assert_true(pci_get_bar_addr(d, 0) == 0xffe0);

    /* Decoding off again: everything goes. */
    cfg_writel(devfn, 0x14, 0xfebf0000);
    cfg_writew(devfn, PCI_COMMAND, PCI_COMMAND_IO);
    assert_true(pci_get_bar_addr(d, 1) == PCI_BAR_UNMAPPED);
    assert_true(pci_get_bar_addr(d, 0) == 0xffe0);
    n = t->accesses;
    assert_int_equal(harness_readl(0xfebf0000), 0xffffffff);
    assert_int_equal(t->accesses, n);
    cfg_writew(devfn, PCI_COMMAND, 0);
    assert_int_equal(harness_inb(0xffe0), 0xff);
    assert_int_equal(t->accesses, n);

    /* Reset: BARs back to their type bits, decoding off. */
    cfg_writew(devfn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    qdev_reset_machine();
    assert_int_equal(cfg_readw(devfn, PCI_COMMAND), 0);
    assert_int_equal(cfg_readl(devfn, 0x10), 1);
    assert_int_equal(cfg_readl(devfn, 0x14), 0);
    assert_int_equal(cfg_readl(devfn, 0x18), 0x0c);
    assert_int_equal(cfg_readl(devfn, 0x1c), 0);
    assert_true(pci_get_bar_addr(d, 0) == PCI_BAR_UNMAPPED);
}

/* ---- INTx ----------------------------------------------------------------------- */

static void test_intx_routing(void **state)
{
    /* INTA of slots 3 and 7 both land on PIRQC; slot 4 on PIRQD. */
    TestPCIState *a = test_dev_create(PCI_DEVFN(3, 0));
    TestPCIState *b = test_dev_create(PCI_DEVFN(7, 0));
    TestPCIState *c = test_dev_create(PCI_DEVFN(4, 0));
    IRQProbe *irq10 = harness_isa_irq(10), *irq11 = harness_isa_irq(11);

    /* Unrouted (0x80): only the IOAPIC sees it. */
    pci_set_irq(&a->parent_obj, 1);
    assert_int_equal(gsi[2]->level, 1);
    assert_int_equal(irq11->level, 0);
    assert_true(cfg_readw(PCI_DEVFN(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT);
    pci_set_irq(&a->parent_obj, 0);
    assert_int_equal(gsi[2]->level, 0);
    assert_false(cfg_readw(PCI_DEVFN(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT);

    cfg_writeb(DEVFN_PIIX3, 0x62, 11);      /* PIRQC -> IRQ 11 */
    cfg_writeb(DEVFN_PIIX3, 0x63, 11);      /* PIRQD -> IRQ 11 */
    harness_irq_probe_reset(irq11);

    /* Two devices on one PIRQ: the line stays up until both let go. */
    pci_set_irq(&a->parent_obj, 1);
    assert_int_equal(irq11->level, 1);
    pci_set_irq(&b->parent_obj, 1);
    pci_set_irq(&a->parent_obj, 0);
    assert_int_equal(irq11->level, 1);
    assert_int_equal(gsi[2]->level, 1);
    pci_set_irq(&b->parent_obj, 0);
    assert_int_equal(irq11->level, 0);
    assert_int_equal(gsi[2]->level, 0);
    assert_int_equal(irq11->raises, 1);
    assert_int_equal(irq11->lowers, 1);

    /* Two PIRQs on one IRQ: the OR of both. */
    pci_set_irq(&a->parent_obj, 1);
    pci_set_irq(&c->parent_obj, 1);
    assert_int_equal(gsi[3]->level, 1);
    pci_set_irq(&a->parent_obj, 0);
    assert_int_equal(irq11->level, 1);
    pci_set_irq(&c->parent_obj, 0);
    assert_int_equal(irq11->level, 0);

    /* INTX_DISABLE takes the pin off the bus but keeps the status bit. */
    pci_set_irq(&a->parent_obj, 1);
    cfg_writew(PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
    assert_int_equal(irq11->level, 0);
    assert_int_equal(gsi[2]->level, 0);
    assert_int_equal(cfg_readw(PCI_DEVFN(3, 0), PCI_STATUS), PCI_STATUS_INTERRUPT);
    pci_set_irq(&a->parent_obj, 0);
    pci_set_irq(&a->parent_obj, 1);
    assert_int_equal(irq11->level, 0);
    cfg_writew(PCI_DEVFN(3, 0), PCI_COMMAND, 0);
    assert_int_equal(irq11->level, 1);

    /* Rerouting while asserted moves the level. */
    harness_irq_probe_reset(irq10);
    cfg_writeb(DEVFN_PIIX3, 0x62, 10);
    assert_int_equal(irq11->level, 0);
    assert_int_equal(irq10->level, 1);
    cfg_writeb(DEVFN_PIIX3, 0x62, 0x80 | 10);       /* disabled */
    assert_int_equal(irq10->level, 0);
    cfg_writeb(DEVFN_PIIX3, 0x62, 2);               /* reserved: the cascade */
    assert_int_equal(harness_isa_irq(2)->level, 0);
    assert_int_equal(harness_isa_irq(2)->raises, 0);
    cfg_writeb(DEVFN_PIIX3, 0x62, 11);
    assert_int_equal(irq11->level, 1);

    /* Reset lowers everything and unroutes. */
    qdev_reset_machine();
    assert_int_equal(irq11->level, 0);
    assert_int_equal(gsi[2]->level, 0);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, 0x62), 0x80);
    assert_false(cfg_readw(PCI_DEVFN(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT);

    /* Pins B-D rotate by slot: slot 3 INTB is PIRQD. */
    a->parent_obj.config[PCI_INTERRUPT_PIN] = 2;
    pci_set_irq(&a->parent_obj, 1);
    assert_int_equal(gsi[3]->level, 1);
    pci_set_irq(&a->parent_obj, 0);
    assert_int_equal(gsi[3]->level, 0);
}

/* ---- PIIX3 I/O registers ---------------------------------------------------------- */

static void test_elcr(void **state)
{
    assert_int_equal(harness_inb(0x4d0), 0);
    assert_int_equal(harness_inb(0x4d1), 0);
    assert_int_equal(elcr_seen[0], 0);
    elcr_calls = 0;
    harness_outb(0x4d0, 0xff);
    harness_outb(0x4d1, 0xff);
    /* IRQ 0-2, 8 and 13 stay edge triggered. */
    assert_int_equal(harness_inb(0x4d0), 0xf8);
    assert_int_equal(harness_inb(0x4d1), 0xde);
    assert_int_equal(harness_inw(0x4d0), 0xdef8);
    assert_int_equal(piix3_elcr(piix3, 0), 0xf8);
    assert_int_equal(piix3_elcr(piix3, 1), 0xde);
    assert_int_equal(elcr_calls, 2);
    assert_int_equal(elcr_seen[0], 0xf8);
    assert_int_equal(elcr_seen[1], 0xde);
    harness_outw(0x4d0, 0x0820);
    assert_int_equal(elcr_seen[0], 0x20);
    assert_int_equal(elcr_seen[1], 0x08);
    qdev_reset_machine();
    assert_int_equal(harness_inw(0x4d0), 0);
    assert_int_equal(elcr_seen[0], 0);
    assert_int_equal(elcr_seen[1], 0);
}

static void test_reset_control(void **state)
{
    resets = 0;
    assert_int_equal(harness_inb(0xcf9), 0);
    harness_outb(0xcf9, 0x02);                      /* hard reset type, not yet */
    assert_int_equal(harness_inb(0xcf9), 0x02);
    assert_false(runstate_process_requests());
    assert_int_equal(resets, 0);
    /* CONFADD still works around it, and dword writes do not reach 0xCF9. */
    harness_outl(0xcf8, 0x8000060c);
    assert_int_equal(harness_inl(0xcf8), 0x8000060c);
    assert_false(runstate_process_requests());
    assert_int_equal(resets, 0);
    assert_int_equal(harness_inb(0xcf9), 0x02);

    harness_outb(0xcf9, 0x06);
    assert_false(runstate_process_requests());      /* a reset does not exit */
    assert_int_equal(resets, 1);
    harness_outb(0xcf9, 0x0e);
    assert_false(runstate_process_requests());
    assert_int_equal(resets, 2);
    harness_outb(0xcf9, 0x04);                      /* soft reset */
    assert_false(runstate_process_requests());
    assert_int_equal(resets, 3);
    qdev_reset_machine();
    assert_int_equal(harness_inb(0xcf9), 0);
}

/* Removing the PIIX3 leaves the bus's INTx unrouted, not dangling. */
static void test_piix3_unplug(void **state)
{
    TestPCIState *t = test_dev_create(PCI_DEVFN(3, 0));
    cfg_writeb(DEVFN_PIIX3, 0x62, 11);
    pci_set_irq(&t->parent_obj, 1);
    assert_int_equal(harness_isa_irq(11)->level, 1);
    qdev_unrealize(&piix3_pci_device(piix3)->parent_obj);
    piix3 = NULL;
    assert_int_equal(harness_isa_irq(11)->level, 0);
    pci_set_irq(&t->parent_obj, 0);
    pci_set_irq(&t->parent_obj, 1);
    assert_int_equal(harness_isa_irq(11)->level, 0);
    assert_int_equal(cfg_readl(DEVFN_PIIX3, 0), 0xffffffff);
    assert_int_equal(harness_inb(0x4d0), 0xff);
    int before = resets;
    harness_outb(0xcf9, 0x06);                      /* nobody home */
    assert_false(runstate_process_requests());
    assert_int_equal(resets, before);
    qdev_reset_machine();
}

/* ---- PAM and SMRAM -------------------------------------------------------------- */

static uint8_t *ram_at(hwaddr addr)
{
    return (uint8_t *)memory_region_get_ram_ptr(ram) + addr;
}

static void test_pam(void **state)
{
    const uint32_t rom = ROM_PATTERN * 0x01010101u;

    /* Power-on: reads and writes go to the PCI side (the ROM). */
    memset(ram_at(0xc0000), 0, 0x40000);
    assert_int_equal(harness_readl(0xc0000), rom);
    assert_int_equal(harness_readl(0xffff0), rom);
    harness_writel(0xc0000, 0x12345678);
    assert_int_equal(harness_readl(0xc0000), rom);
    assert_int_equal(*(uint32_t *)ram_at(0xc0000), 0);

    /* PAM1[3:0] = RE|WE: 0xC0000-0xC3FFF is RAM; 0xC4000 is not. */
    cfg_writeb(DEVFN_HOST, 0x5a, 0x03);
    harness_writel(0xc0000, 0xdeadbeef);
    assert_int_equal(harness_readl(0xc0000), 0xdeadbeef);
    assert_int_equal(*(uint32_t *)ram_at(0xc0000), 0xdeadbeef);
    harness_writel(0xc4000, 0x11111111);
    assert_int_equal(harness_readl(0xc4000), rom);
    assert_int_equal(*(uint32_t *)ram_at(0xc4000), 0);

    /* Back to the PCI side: the RAM keeps its value underneath. */
    cfg_writeb(DEVFN_HOST, 0x5a, 0x00);
    assert_int_equal(harness_readl(0xc0000), rom);

    /* RE only: reads RAM, writes are dropped. */
    cfg_writeb(DEVFN_HOST, 0x5a, 0x01);
    assert_int_equal(harness_readl(0xc0000), 0xdeadbeef);
    harness_writel(0xc0000, 0x0badf00d);
    assert_int_equal(harness_readl(0xc0000), 0xdeadbeef);

    /* WE only: reads from the ROM, writes into RAM (the shadowing copy). */
    cfg_writeb(DEVFN_HOST, 0x5a, 0x02);
    assert_int_equal(harness_readl(0xc0000), rom);
    harness_writel(0xc0000, 0xcafef00d);
    harness_writeb(0xc3fff, 0x77);
    assert_int_equal(harness_readl(0xc0000), rom);
    assert_int_equal(*(uint32_t *)ram_at(0xc0000), 0xcafef00d);
    assert_int_equal(*ram_at(0xc3fff), 0x77);
    cfg_writeb(DEVFN_HOST, 0x5a, 0x03);
    assert_int_equal(harness_readl(0xc0000), 0xcafef00d);

    /* The high nibble of PAM1 is the next segment. */
    cfg_writeb(DEVFN_HOST, 0x5a, 0x30);
    harness_writel(0xc4000, 0x44444444);
    assert_int_equal(harness_readl(0xc4000), 0x44444444);
    assert_int_equal(harness_readl(0xc0000), rom);

    /* PAM0[7:4] is the BIOS segment 0xF0000-0xFFFFF; [3:0] is reserved. */
    cfg_writeb(DEVFN_HOST, 0x59, 0xff);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x59), 0x70);
    harness_writel(0xffff0, 0xea5b0ff0);
    assert_int_equal(harness_readl(0xffff0), 0xea5b0ff0);
    assert_int_equal(harness_readl(0xefff0), rom);
    /* PAM6 high nibble: 0xEC000-0xEFFFF. */
    cfg_writeb(DEVFN_HOST, 0x5f, 0x30);
    assert_int_equal(harness_readl(0xefff0), 0);

    /* Reset puts everything back on the PCI side. */
    qdev_reset_machine();
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x59), 0);
    assert_int_equal(harness_readl(0xffff0), rom);
    assert_int_equal(harness_readl(0xc4000), rom);
}

static void test_smram(void **state)
{
    const uint32_t vga_val = VGA_PATTERN * 0x01010101u;
    *(uint32_t *)ram_at(0xa0000) = 0x5a5a5a5a;

    /* Normally the VGA (PCI) side shows. */
    assert_int_equal(harness_readl(0xa0000), vga_val);
    assert_int_equal(harness_readl(0xbfffc), vga_val);
    /* D_OPEN: SMRAM (the RAM) shows. */
    cfg_writeb(DEVFN_HOST, 0x72, 0x4a);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x4a);
    assert_int_equal(harness_readl(0xa0000), 0x5a5a5a5a);
    harness_writel(0xa0004, 0x01020304);
    assert_int_equal(*(uint32_t *)ram_at(0xa0004), 0x01020304);
    /* C_BASE_SEG is hardwired. */
    cfg_writeb(DEVFN_HOST, 0x72, 0x40);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x42);

    /* D_LCK closes it and freezes D_OPEN, D_LCK, G_SMRAME until reset. */
    cfg_writeb(DEVFN_HOST, 0x72, 0x5a);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x1a);
    assert_int_equal(harness_readl(0xa0000), vga_val);
    cfg_writeb(DEVFN_HOST, 0x72, 0x42);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x1a);
    assert_int_equal(harness_readl(0xa0000), vga_val);
    cfg_writeb(DEVFN_HOST, 0x72, 0x3a);             /* D_CLS stays writable */
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x3a);

    qdev_reset_machine();
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x72), 0x02);
    cfg_writeb(DEVFN_HOST, 0x72, 0x42);
    assert_int_equal(harness_readl(0xa0000), 0x5a5a5a5a);
}

/* ---- Addresses, info pci, qtree ----------------------------------------------------- */

static void test_addresses(void **state)
{
    Error *err = NULL;
    DeviceState *dev;

    /* Taken slot. */
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "01.0", &err));
    assert_false(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_string_equal(error_get_pretty(err),
                        "PCI: slot 1 function 0 not available for test-pci-dev, in use by PIIX3,id=");
    error_free(err);
    err = NULL;

    /* Bad values. */
    const char *bad[] = { "zz", "20", "3.8", "3.", ".1", "-1", "", "1f.0x" };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        dev = qdev_new(TYPE_TEST_PCI);
        assert_false(qdev_prop_set(dev, "addr", bad[i], &err));
        char *want = g_strdup_printf("Property 'test-pci-dev.addr' doesn't take value '%s'",
                                     bad[i]);
        assert_string_equal(error_get_pretty(err), want);
        g_free(want);
        error_free(err);
        err = NULL;
        object_unref(&dev->parent_obj);
    }

    /* Hex slot and function; the property prints back as QEMU's "ss.f". */
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "1f.7", &err));
    char *s = object_prop_get_str(&dev->parent_obj, "addr");
    assert_string_equal(s, "1f.7");
    g_free(s);
    assert_true(qdev_prop_set(dev, "addr", "3", &err));
    s = object_prop_get_str(&dev->parent_obj, "addr");
    assert_string_equal(s, "03.0");
    g_free(s);
    object_unref(&dev->parent_obj);

    /* PIIX3 is multi-function: 01.1 is free for another function. */
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "1.1", &err));
    assert_true(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_int_equal(cfg_readw(PCI_DEVFN(1, 1), 0), TEST_VENDOR);

    /* A single-function device at 03.0 refuses 03.1. */
    test_dev_create(PCI_DEVFN(3, 0));
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "03.1", &err));
    assert_false(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_string_equal(error_get_pretty(err),
                        "PCI: single function device can't be populated in function 3.1");
    error_free(err);
    err = NULL;

    /* Function 0 after other functions: must be multifunction. */
    test_dev_create(PCI_DEVFN(5, 2)); /* no function 0 yet: allowed */
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "05.0", &err));
    assert_false(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_string_equal(error_get_pretty(err),
                        "PCI: 5.0 indicates single function, but 5.2 is already populated.");
    error_free(err);
    err = NULL;
    dev = qdev_new(TYPE_TEST_PCI);
    assert_true(qdev_prop_set(dev, "addr", "05.0", &err));
    assert_true(qdev_prop_set(dev, "multifunction", "on", &err));
    assert_true(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_int_equal(cfg_readb(PCI_DEVFN(5, 0), PCI_HEADER_TYPE), 0x80);

    /* addr -1: function 0 of the first free slot (2). */
    TestPCIState *t = test_dev_create(-1);
    assert_int_equal(t->parent_obj.devfn, PCI_DEVFN(2, 0));
    assert_int_equal(cfg_readw(PCI_DEVFN(2, 0), 0), TEST_VENDOR);

    /* Unplugging frees the slot and unmaps the BARs. */
    cfg_writel(PCI_DEVFN(2, 0), 0x10, 0xd000);
    cfg_writew(PCI_DEVFN(2, 0), PCI_COMMAND, PCI_COMMAND_IO);
    harness_outb(0xd000, 1);
    assert_int_equal(t->accesses, 1);
    qdev_unrealize(&t->parent_obj.parent_obj);
    assert_int_equal(cfg_readl(PCI_DEVFN(2, 0), 0), 0xffffffff);
    assert_int_equal(harness_inb(0xd000), 0xff);
    assert_null(pci_find_device(bus, PCI_DEVFN(2, 0)));
    t = test_dev_create(PCI_DEVFN(2, 0));
    assert_non_null(t);

    /* Too many devices: every slot's function 0 taken. */
    for (int slot = 2; slot < 32; slot++) {
        if (!pci_find_device(bus, PCI_DEVFN(slot, 0))) {
            test_dev_create(PCI_DEVFN(slot, 0));
        }
    }
    dev = qdev_new(TYPE_TEST_PCI);
    assert_false(qdev_realize_and_unref(dev, &bus->parent_obj, &err));
    assert_string_equal(error_get_pretty(err),
                        "PCI: no slot/function available for test-pci-dev, all in use or reserved");
    error_free(err);
}

static void test_info_pci(void **state)
{
    TestPCIState *t = test_dev_create(PCI_DEVFN(3, 0));
    int devfn = PCI_DEVFN(3, 0);
    cfg_writel(devfn, 0x10, 0xc000);
    cfg_writel(devfn, 0x14, 0xfebf0000);
    cfg_writel(devfn, 0x18, 0);
    cfg_writel(devfn, 0x1c, 8);
    cfg_writeb(devfn, PCI_INTERRUPT_LINE, 11);
    cfg_writew(devfn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    t->parent_obj.parent_obj.id = g_strdup("nic0");

    GString *out = g_string_new(NULL);
    pci_print_info(out);
    assert_string_equal(out->str,
        "  Bus  0, device   0, function 0:\n"
        "    Host bridge: PCI device 8086:1237\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   1, function 0:\n"
        "    ISA bridge: PCI device 8086:7000\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   3, function 0:\n"
        "    Ethernet controller: PCI device 1234:5678\n"
        "      PCI subsystem 1af4:1100\n"
        "      IRQ 11, pin A\n"
        "      BAR0: I/O at 0xc000 [0xc01f].\n"
        "      BAR1: 32 bit memory at 0xfebf0000 [0xfebf0fff].\n"
        "      BAR2: 64 bit prefetchable memory at 0x800000000 [0x80000ffff].\n"
        "      BAR6: 32 bit memory at 0xffffffffffffffff [0x0000fffe].\n"
        "      id \"nic0\"\n");
    g_string_free(out, true);

    /* Through the monitor. */
    Monitor *mon = monitor_new_buffer();
    monitor_run_line(mon, "info pci");
    assert_non_null(strstr(monitor_buffer(mon), "    ISA bridge: PCI device 8086:7000\n"));
    monitor_free(mon);

    /* info qtree: the addr property and the bus's lines. */
    out = g_string_new(NULL);
    qdev_print_tree(out);
    assert_non_null(strstr(out->str, "bus: pci.0\n"));
    assert_non_null(strstr(out->str, "dev: PIIX3, id \"\"\n"));
    assert_non_null(strstr(out->str, "addr = 01.0\n"));
    assert_non_null(strstr(out->str, "multifunction = true\n"));
    assert_non_null(strstr(out->str,
        "class ISA bridge, addr 00:01.0, pci id 8086:7000 (sub 1af4:1100)\n"));
    assert_non_null(strstr(out->str,
        "class Host bridge, addr 00:00.0, pci id 8086:1237 (sub 1af4:1100)\n"));
    assert_non_null(strstr(out->str, "bar 0: i/o at 0xc000 [0xc01f]\n"));
    assert_non_null(strstr(out->str, "bar 2: mem at 0x800000000 [0x80000ffff]\n"));
    assert_non_null(strstr(out->str, "bar 6: mem at 0xffffffffffffffff [0xfffe]\n"));
    assert_non_null(strstr(out->str, "bus: isa.0\n"));
    g_string_free(out, true);
}

/* ---- VMState ------------------------------------------------------------------------ */

static GByteArray *save_device(PCIDevice *d)
{
    DeviceClass *dc = DEVICE_GET_CLASS(&d->parent_obj);
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    assert_true(vmstate_save(buf, dc->vmsd, d, &err));
    return buf;
}

static void load_device(PCIDevice *d, GByteArray *buf)
{
    DeviceClass *dc = DEVICE_GET_CLASS(&d->parent_obj);
    size_t pos = 0;
    Error *err = NULL;
    assert_true(vmstate_load(buf->data, buf->len, &pos, dc->vmsd, d, dc->vmsd->version_id,
                             &err));
    assert_int_equal(pos, buf->len);
}

static void test_vmstate(void **state)
{
    PCIDevice *host = pci_find_device(bus, DEVFN_HOST);
    PCIDevice *isa = piix3_pci_device(piix3);

    cfg_writeb(DEVFN_HOST, 0x5a, 0x03);
    harness_writel(0xc0000, 0x600dcafe);
    cfg_writeb(DEVFN_PIIX3, 0x60, 5);
    harness_outb(0x4d0, 0x20);
    GByteArray *host_state = save_device(host);
    GByteArray *isa_state = save_device(isa);

    qdev_reset_machine();
    assert_int_equal(harness_readl(0xc0000), ROM_PATTERN * 0x01010101u);
    elcr_seen[0] = 0;
    load_device(host, host_state);
    load_device(isa, isa_state);
    assert_int_equal(cfg_readb(DEVFN_HOST, 0x5a), 0x03);
    assert_int_equal(harness_readl(0xc0000), 0x600dcafe);
    assert_int_equal(cfg_readb(DEVFN_PIIX3, 0x60), 5);
    assert_int_equal(harness_inb(0x4d0), 0x20);
    assert_int_equal(elcr_seen[0], 0x20);
    g_byte_array_free(host_state, true);
    g_byte_array_free(isa_state, true);

    /* A test device with mapped BARs and a raised INTx comes back mapped and raised. */
    TestPCIState *t = test_dev_create(PCI_DEVFN(3, 0));
    PCIDevice *d = &t->parent_obj;
    cfg_writeb(DEVFN_PIIX3, 0x62, 11);
    cfg_writel(PCI_DEVFN(3, 0), 0x14, 0xfebf0000);
    cfg_writew(PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_MEMORY);
    pci_set_irq(d, 1);
    GByteArray *dev_state = save_device(d);
    isa_state = save_device(isa);
    pci_set_irq(d, 0);
    cfg_writew(PCI_DEVFN(3, 0), PCI_COMMAND, 0);
    assert_int_equal(harness_isa_irq(11)->level, 0);
    assert_true(pci_get_bar_addr(d, 1) == PCI_BAR_UNMAPPED);

    /* Corrupt the BAR type bits in the stream: the model's win. */
    dev_state->data[0x10] = 0xfe;
    load_device(d, dev_state);
    load_device(isa, isa_state);
    assert_true(pci_get_bar_addr(d, 1) == 0xfebf0000);
    assert_int_equal(cfg_readl(PCI_DEVFN(3, 0), 0x10) & 3, PCI_BASE_ADDRESS_SPACE_IO);
    assert_int_equal(harness_readl(0xfebf0000), 0x05060708);
    assert_int_equal(harness_isa_irq(11)->level, 1);
    assert_int_equal(gsi[2]->level, 1);
    pci_set_irq(d, 0);
    assert_int_equal(harness_isa_irq(11)->level, 0);

    /* A truncated stream fails cleanly. */
    Error *err = NULL;
    size_t pos = 0;
    DeviceClass *dc = DEVICE_GET_CLASS(&d->parent_obj);
    assert_false(vmstate_load(dev_state->data, 100, &pos, dc->vmsd, d, dc->vmsd->version_id,
                              &err));
    error_free(err);
    g_byte_array_free(dev_state, true);
    g_byte_array_free(isa_state, true);
}

/* ---- Fuzz -------------------------------------------------------------------------- */

static void test_fuzz(void **state)
{
    TestPCIState *t = test_dev_create(PCI_DEVFN(3, 0));
    test_dev_create(PCI_DEVFN(4, 0));
    cfg_writeb(DEVFN_PIIX3, 0x62, 11);

    /* Raw ports: CONFADD/CONFDATA, ELCR, 0xCF9 (reset requests pile up harmlessly). */
    harness_fuzz(true, 0xcf8, 8, 20000, 1);
    harness_fuzz(true, 0x4d0, 2, 2000, 2);

    /* Config space of the present functions, with INTx toggling in between. */
    GRand *rand = g_rand_new_with_seed(3);
    static const int devfns[] = { DEVFN_HOST, DEVFN_PIIX3, PCI_DEVFN(3, 0), PCI_DEVFN(4, 0) };
    for (int i = 0; i < 30000; i++) {
        int devfn = devfns[g_rand_int_range(rand, 0, G_N_ELEMENTS(devfns))];
        int reg = g_rand_int_range(rand, 0, 256);
        static const int sizes[] = { 1, 2, 4 };
        int size = sizes[g_rand_int_range(rand, 0, 3)];
        uint32_t val = g_rand_int(rand);
        reg &= ~(size - 1);
        harness_outl(0xcf8, cfg_addr(0, devfn, reg));
        switch (g_rand_int_range(rand, 0, 6)) {
        case 0:
            pci_set_irq(&t->parent_obj, val & 1);
            break;
        case 1:
            address_space_ld(address_space_io(), 0xcfc + (reg & 3), size, NULL);
            break;
        case 2:
            harness_readl(g_rand_int_range(rand, 0xa0000, 0x100000) & ~3);
            break;
        default:
            address_space_st(address_space_io(), 0xcfc + (reg & 3), val, size, NULL);
            break;
        }
    }
    g_rand_free(rand);
    runstate_process_requests();
    qdev_reset_machine();
    assert_int_equal(cfg_readl(DEVFN_HOST, 0), 0x12378086);
    assert_int_equal(harness_isa_irq(11)->level, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_and_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sub_dword_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bar_sizing_and_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intx_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elcr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_piix3_unplug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pam, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pam, setup_board_maps_pci, teardown),
        cmocka_unit_test_setup_teardown(test_smram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smram, setup_board_maps_pci, teardown),
        cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_pci, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
