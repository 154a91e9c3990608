/* A minimal virtio-pci driver for device tests (see virtio-driver.h). */
#include "tests/devices/virtio-driver.h"

#include <string.h>
#include <glib.h>

#include "hw/pci-host/i440fx.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "tests/devices/harness.h"

VirtioDriver vdrv;
static MemoryRegion *ram, *pci_mem;
static PCIBus *bus;

static void capture(uint64_t addr, uint32_t data)
{
    if (vdrv.nmsgs < G_N_ELEMENTS(vdrv.msgs)) {
        vdrv.msgs[vdrv.nmsgs++] = data;
    }
}

static void cfg_select(int reg)
{
    harness_outl(0xcf8, 0x80000000u | VDRV_DEVFN << 8 | (reg & 0xfc));
}

uint8_t vdrv_cfg_readb(int reg)
{
    cfg_select(reg);
    return harness_inb(0xcfc + (reg & 3));
}

uint32_t vdrv_cfg_readl(int reg)
{
    cfg_select(reg);
    return harness_inl(0xcfc);
}

void vdrv_cfg_writel(int reg, uint32_t v)
{
    cfg_select(reg);
    harness_outl(0xcfc, v);
}

void vdrv_cfg_writew(int reg, uint16_t v)
{
    cfg_select(reg);
    harness_outw(0xcfc + (reg & 2), v);
}

/* The modern structures, found the way a driver does: vendor capabilities. */
static void find_structures(void)
{
    for (uint8_t pos = vdrv_cfg_readb(PCI_CAPABILITY_LIST); pos; pos = vdrv_cfg_readb(pos + 1)) {
        if (vdrv_cfg_readb(pos) != PCI_CAP_ID_VNDR || vdrv_cfg_readb(pos + 4) != 4) {
            continue;
        }
        uint64_t addr = VDRV_BAR4 + vdrv_cfg_readl(pos + 8);
        switch (vdrv_cfg_readb(pos + 3)) {
        case 1: vdrv.common = addr; break;
        case 2: vdrv.notify = addr; break;
        case 3: vdrv.isr = addr; break;
        case 4: vdrv.devcfg = addr; break;
        }
    }
    g_assert(vdrv.common && vdrv.isr && vdrv.devcfg && vdrv.notify);
}

void vdrv_setup(const char *type, const char *const *props)
{
    Error *err = NULL;

    harness_init();
    memset(&vdrv, 0, sizeof(vdrv));
    msi_set_delivery(capture);
    ram = g_new0(MemoryRegion, 1);
    pci_mem = g_new0(MemoryRegion, 1);
    g_assert(memory_region_init_ram(ram, NULL, "pc.ram", VDRV_RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    vdrv.ram = memory_region_get_ram_ptr(ram);
    memory_region_init(pci_mem, NULL, "pci", UINT64_MAX);
    bus = i440fx_init(get_system_memory(), get_system_io(), ram, pci_mem, &err);
    g_assert(bus);
    DeviceState *d = qdev_new(type);
    g_assert(qdev_prop_set(d, "addr", "04.0", &err));
    for (unsigned i = 0; props && props[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(props[i], "=", 2);
        g_assert(qdev_prop_set(d, kv[0], kv[1], &err));
    }
    if (!qdev_realize_and_unref(d, &bus->parent_obj, &err)) {
        g_error("realize %s: %s", type, error_get_pretty(err));
    }
    vdrv.dev = PCI_DEVICE(d);
    vdrv.proxy = VIRTIO_PCI(vdrv.dev);
    qdev_reset_machine();

    vdrv_cfg_writel(PCI_BASE_ADDRESS_0, VDRV_BAR0_PORT);
    vdrv_cfg_writel(PCI_BASE_ADDRESS_0 + 4, VDRV_BAR1);
    vdrv_cfg_writel(PCI_BASE_ADDRESS_0 + 16, (uint32_t)VDRV_BAR4);
    vdrv_cfg_writel(PCI_BASE_ADDRESS_0 + 20, VDRV_BAR4 >> 32);
    vdrv_cfg_writew(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    find_structures();
}

void vdrv_teardown(void)
{
    qdev_unrealize(bus->parent_obj.parent);     /* and the device; unmaps pci_mem */
    memory_region_del_subregion(get_system_memory(), ram);
    memory_region_finalize(ram);
    memory_region_finalize(pci_mem);
    g_free(ram);
    g_free(pci_mem);
    msi_set_delivery(NULL);
}

uint16_t vdrv_get16(uint64_t addr)
{
    uint16_t v;
    memcpy(&v, vdrv.ram + addr, 2);
    return v;
}

uint32_t vdrv_get32(uint64_t addr)
{
    uint32_t v;
    memcpy(&v, vdrv.ram + addr, 4);
    return v;
}

void vdrv_set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                   uint16_t next)
{
    uint8_t *d = vdrv.ram + table + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

void vdrv_offer(uint64_t avail, unsigned num, uint16_t head)
{
    uint16_t idx = vdrv_get16(avail + 2);
    uint16_t next = idx + 1;
    memcpy(vdrv.ram + avail + 4 + 2 * (idx % num), &head, 2);
    memcpy(vdrv.ram + avail + 2, &next, 2);
}

void vdrv_modern_init(bool msix, uint64_t features, unsigned nqueues, unsigned num)
{
    uint64_t common = vdrv.common;
    uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

    harness_writeb(common + 0x14, 0);
    harness_writeb(common + 0x14, st);
    harness_writel(common + 0x08, 0);
    harness_writel(common + 0x0c, (uint32_t)features);
    harness_writel(common + 0x08, 1);
    harness_writel(common + 0x0c, features >> 32);
    st |= VIRTIO_CONFIG_S_FEATURES_OK;
    harness_writeb(common + 0x14, st);
    if (msix) {
        for (unsigned v = 0; v <= nqueues; v++) {
            harness_writeq(VDRV_BAR1 + 16 * v, 0xfee00000);
            harness_writel(VDRV_BAR1 + 16 * v + 8, VDRV_MSI_DATA + v);
            harness_writel(VDRV_BAR1 + 16 * v + 12, 0);
        }
        vdrv_cfg_writew(vdrv.dev->msix_cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
        harness_writew(common + 0x10, 0);
    }
    for (unsigned q = 0; q < nqueues; q++) {
        uint64_t base = (uint64_t)q * VDRV_QUEUE_STRIDE;
        harness_writew(common + 0x16, q);
        harness_writew(common + 0x18, num);
        if (msix) {
            harness_writew(common + 0x1a, q + 1);
        }
        harness_writel(common + 0x20, VDRV_DESC + base);
        harness_writel(common + 0x24, 0);
        harness_writel(common + 0x28, VDRV_AVAIL + base);
        harness_writel(common + 0x2c, 0);
        harness_writel(common + 0x30, VDRV_USED + base);
        harness_writel(common + 0x34, 0);
        harness_writew(common + 0x1c, 1);
    }
    harness_writeb(common + 0x14, st | VIRTIO_CONFIG_S_DRIVER_OK);
}

void vdrv_kick(unsigned queue)
{
    /* notify_off_multiplier 4, queue_notify_off = queue index */
    harness_writew(vdrv.notify + 4 * queue, queue);
}
