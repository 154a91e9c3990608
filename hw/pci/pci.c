/*
 * The PCI core: the bus type, the abstract PCI device (slot allocation,
 * config space with write masks, BAR sizing and mapping, INTx routing), the
 * configuration mechanism #1 dispatch shared by host bridges, and VMState.
 * PCI Local Bus Specification 3.0, chapter 6.  info pci and info qtree lines
 * are in pci-info.c.
 */
#include "hw/pci/pci.h"

#include <string.h>
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci-internal.h"

#define PCI_DEVFN_MAX 256
#define PCI_FUNC_MAX 8
#define PCI_IO_SPACE_END 0xffffULL      /* x86 port space: 64 KiB */

/* The bits the guest may change in the command register (QEMU's set). */
#define PCI_COMMAND_WMASK (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
                           PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_W1C (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
                        PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
                        PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)

static GPtrArray *pci_root_bus_list;    /* PCIBus *, in creation order */

static inline PCIBus *PCI_BUS(BusState *bus)
{
    return (PCIBus *)object_check(&bus->parent_obj, TYPE_PCI_BUS);
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

static uint32_t pci_bar_offset(int region)
{
    return region == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + region * 4;
}

static bool pci_bar_is_64bit(const PCIIORegion *r)
{
    return !(r->type & PCI_BASE_ADDRESS_SPACE_IO) && (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
}

static uint64_t pci_get_quad(const uint8_t *p)
{
    return pci_get_long(p) | (uint64_t)pci_get_long(p + 4) << 32;
}

static void pci_set_quad(uint8_t *p, uint64_t v)
{
    pci_set_long(p, v);
    pci_set_long(p + 4, v >> 32);
}

const GPtrArray *pci_root_buses(void)
{
    return pci_root_bus_list;
}

PCIBus *pci_get_root_bus(void)
{
    return pci_root_bus_list && pci_root_bus_list->len ? g_ptr_array_index(pci_root_bus_list, 0)
                                                       : NULL;
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    return devfn >= 0 && devfn < PCI_DEVFN_MAX ? bus->devices[devfn] : NULL;
}

/* ---- BARs ----------------------------------------------------------------------- */

void pci_register_bar(PCIDevice *dev, int region, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    PCIIORegion *r = &dev->io_regions[region];

    /* Programming errors of the device model, not guest input. */
    g_assert(region >= 0 && region < PCI_NUM_REGIONS);
    g_assert(size >= 4 && (size & (size - 1)) == 0);
    g_assert(!(type & PCI_BASE_ADDRESS_SPACE_IO) || size <= 0x10000);
    g_assert(dev->bus);

    r->addr = PCI_BAR_UNMAPPED;
    r->size = size;
    r->type = region == PCI_ROM_SLOT ? 0 : type;
    r->memory = mr;
    r->address_space = (r->type & PCI_BASE_ADDRESS_SPACE_IO) ? dev->bus->address_space_io
                                                             : dev->bus->address_space_mem;
    g_assert(!pci_bar_is_64bit(r) || region < 5);   /* a 64-bit BAR takes two slots */

    uint32_t off = pci_bar_offset(region);
    uint64_t wmask = ~(size - 1);
    if (region == PCI_ROM_SLOT) {
        wmask |= PCI_ROM_ADDRESS_ENABLE;
    }
    if (pci_bar_is_64bit(r)) {
        pci_set_quad(dev->config + off, r->type);
        pci_set_quad(dev->wmask + off, wmask);
    } else {
        pci_set_long(dev->config + off, r->type);
        pci_set_long(dev->wmask + off, (uint32_t)wmask);
    }
}

uint64_t pci_get_bar_addr(PCIDevice *dev, int region)
{
    return region >= 0 && region < PCI_NUM_REGIONS ? dev->io_regions[region].addr
                                                   : PCI_BAR_UNMAPPED;
}

/*
 * Where a BAR decodes now, or PCI_BAR_UNMAPPED: decoding must be enabled in
 * the command register (and the ROM's enable bit set), and the range must be
 * non-zero, not wrap, fit in 32 bits for a 32-bit BAR (so the all-ones of
 * sizing never maps) and in 64 KiB for I/O.
 */
static uint64_t pci_bar_address(PCIDevice *dev, int region)
{
    PCIIORegion *r = &dev->io_regions[region];
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    uint32_t off = pci_bar_offset(region);
    uint64_t addr, last;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(dev->config + off) & ~(r->size - 1);
        last = addr + r->size - 1;
        if (addr == 0 || last <= addr || last > PCI_IO_SPACE_END) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (pci_bar_is_64bit(r)) {
        addr = pci_get_quad(dev->config + off);
    } else {
        addr = pci_get_long(dev->config + off);
    }
    if (region == PCI_ROM_SLOT && !(addr & PCI_ROM_ADDRESS_ENABLE)) {
        return PCI_BAR_UNMAPPED;
    }
    addr &= ~(r->size - 1);
    last = addr + r->size - 1;
    if (addr == 0 || last <= addr || last == PCI_BAR_UNMAPPED ||
        (!pci_bar_is_64bit(r) && last >= UINT32_MAX)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

/* Follow the BARs and the command register into the bus's address spaces. */
static void pci_update_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (!r->size) {
            continue;
        }
        uint64_t addr = pci_bar_address(dev, i);
        if (addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
        r->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* Above the bus's default contents (the board's ROMs, VGA window). */
            memory_region_add_subregion_overlap(r->address_space, addr, r->memory, 1);
        }
    }
    memory_region_transaction_commit();
}

static void pci_unmap_all(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
            r->addr = PCI_BAR_UNMAPPED;
        }
    }
    memory_region_transaction_commit();
}

/* ---- Capabilities (PCI 3.0, 6.7) -------------------------------------------------------- */

static bool pci_cap_range_used(const PCIDevice *dev, unsigned off, unsigned size)
{
    for (unsigned i = off; i < off + size; i++) {
        if (dev->cap_used[i / 64] & (1ull << (i % 64))) {
            return true;
        }
    }
    return false;
}

int pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset, uint8_t size,
                       Error **errp)
{
    if (size < 2) {
        error_setg(errp, "PCI capability 0x%02x: size %u is too small", cap_id, size);
        return -1;
    }
    if (!offset) {
        for (unsigned off = PCI_CONFIG_HEADER_SIZE; off + size <= PCI_CONFIG_SPACE_SIZE;
             off += 4) {
            if (!pci_cap_range_used(dev, off, size)) {
                offset = off;
                break;
            }
        }
    }
    if (offset < PCI_CONFIG_HEADER_SIZE || (offset & 3) ||
        offset + size > PCI_CONFIG_SPACE_SIZE || pci_cap_range_used(dev, offset, size)) {
        error_setg(errp, "PCI capability 0x%02x does not fit at 0x%02x", cap_id, offset);
        return -1;
    }
    for (unsigned i = offset; i < offset + size; i++) {
        dev->cap_used[i / 64] |= 1ull << (i % 64);
    }
    memset(dev->config + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    /* New capabilities go to the head of the list. */
    dev->config[offset] = cap_id;
    dev->config[offset + 1] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = offset;
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    return offset;
}

uint8_t pci_find_capability(const PCIDevice *dev, uint8_t cap_id)
{
    /* At most 48 dword-aligned places after the header: a guard against loops. */
    uint8_t pos = dev->config[PCI_CAPABILITY_LIST];
    for (int n = 0; pos && n < 48; n++, pos = dev->config[pos + 1]) {
        if (dev->config[pos] == cap_id) {
            return pos;
        }
    }
    return 0;
}

/* ---- INTx ------------------------------------------------------------------------ */

static bool pci_irq_disabled(PCIDevice *dev)
{
    return pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

/* Add change (+1/-1) to the count of the bus line that pin maps to. */
static void pci_change_irq_level(PCIDevice *dev, int pin, int change)
{
    PCIBus *bus = dev->bus;
    if (!bus || !bus->map_irq || !bus->set_irq || !bus->irq_count) {
        return;
    }
    int irq = bus->map_irq(dev, pin);
    g_assert(irq >= 0 && irq < bus->nirq);
    bus->irq_count[irq] += change;
    g_assert(bus->irq_count[irq] >= 0);
    bus->set_irq(bus->irq_opaque, irq, bus->irq_count[irq] != 0);
}

/* PCI 3.0, 6.2.3: the Interrupt Status bit follows the pin even when INTx is disabled. */
static void pci_update_irq_status(PCIDevice *dev)
{
    uint16_t status = pci_get_word(dev->config + PCI_STATUS) & ~PCI_STATUS_INTERRUPT;
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        if (dev->irq_level[i]) {
            status |= PCI_STATUS_INTERRUPT;
        }
    }
    pci_set_word(dev->config + PCI_STATUS, status);
}

static void pci_irq_set_pin(PCIDevice *dev, int pin, int level)
{
    level = level != 0;
    int change = level - dev->irq_level[pin];
    if (!change) {
        return;
    }
    dev->irq_level[pin] = level;
    pci_update_irq_status(dev);
    if (!pci_irq_disabled(dev)) {
        pci_change_irq_level(dev, pin, change);
    }
}

void pci_set_irq(PCIDevice *dev, int level)
{
    int pin = dev->config[PCI_INTERRUPT_PIN] - 1;
    if (pin < 0 || pin >= PCI_NUM_PINS) {
        return;         /* the device has no INTx pin */
    }
    pci_irq_set_pin(dev, pin, level);
}

/* INTX_DISABLE toggled: take the device's asserted pins off the bus or put them back. */
static void pci_update_irq_disabled(PCIDevice *dev, bool was_disabled)
{
    bool disabled = pci_irq_disabled(dev);
    if (disabled == was_disabled) {
        return;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        if (dev->irq_level[i]) {
            pci_change_irq_level(dev, i, disabled ? -1 : 1);
        }
    }
}

/* Recount every line from the devices' levels (after a load, or new routing). */
static void pci_bus_irq_resync(PCIBus *bus)
{
    if (!bus->map_irq || !bus->set_irq || !bus->irq_count) {
        return;
    }
    memset(bus->irq_count, 0, sizeof(int) * bus->nirq);
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *dev = bus->devices[devfn];
        if (!dev || pci_irq_disabled(dev)) {
            continue;
        }
        for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
            if (dev->irq_level[pin]) {
                int irq = bus->map_irq(dev, pin);
                g_assert(irq >= 0 && irq < bus->nirq);
                bus->irq_count[irq]++;
            }
        }
    }
    for (int irq = 0; irq < bus->nirq; irq++) {
        bus->set_irq(bus->irq_opaque, irq, bus->irq_count[irq] != 0);
    }
}

void pci_bus_irqs(PCIBus *bus, PCISetIRQFunc *set_irq, PCIMapIRQFunc *map_irq,
                  void *opaque, int nirq)
{
    g_assert(nirq > 0);
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
    pci_bus_irq_resync(bus);
}

/* ---- Config space ------------------------------------------------------------------ */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len)
{
    uint32_t val = 0;
    if (len < 1 || len > 4 || addr >= PCI_CONFIG_SPACE_SIZE ||
        (uint32_t)len > PCI_CONFIG_SPACE_SIZE - addr) {
        return UINT32_MAX;
    }
    for (int i = len - 1; i >= 0; i--) {
        val = val << 8 | dev->config[addr + i];
    }
    return val;
}

void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    if (len < 1 || len > 4 || addr >= PCI_CONFIG_SPACE_SIZE ||
        (uint32_t)len > PCI_CONFIG_SPACE_SIZE - addr) {
        return;
    }
    bool was_irq_disabled = pci_irq_disabled(dev);
    uint16_t old_msix_ctrl = dev->msix_cap ? pci_get_word(dev->config + dev->msix_cap +
                                                          PCI_MSIX_FLAGS) : 0;
    for (int i = 0; i < len; i++, val >>= 8) {
        uint8_t wmask = dev->wmask[addr + i];
        uint8_t w1c = dev->w1cmask[addr + i];
        dev->config[addr + i] = (dev->config[addr + i] & ~wmask) | (val & wmask);
        dev->config[addr + i] &= ~(val & w1c);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4)) {
        pci_update_mappings(dev);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_irq_disabled(dev, was_irq_disabled);
    }
    msi_write_config(dev, addr, len);
    msix_write_config(dev, addr, len, old_msix_ctrl);
}

/* The device a 0xCF8 address selects, or NULL: only bus 0 exists (no bridges yet). */
static PCIDevice *pci_host_find(PCIBus *bus, uint32_t cf8, unsigned offset, int len)
{
    if (!(cf8 & 0x80000000u) || ((cf8 >> 16) & 0xff) != 0) {
        return NULL;
    }
    if ((len != 1 && len != 2 && len != 4) || offset + len > 4) {
        return NULL;
    }
    return bus->devices[(cf8 >> 8) & 0xff];
}

uint32_t pci_host_config_read(PCIBus *bus, uint32_t cf8, unsigned offset, int len)
{
    uint32_t ones = len >= 4 ? UINT32_MAX : (1u << (len * 8)) - 1;
    PCIDevice *dev = pci_host_find(bus, cf8, offset, len);
    if (!dev) {
        return ones;
    }
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint32_t addr = (cf8 & 0xfc) + offset;
    uint32_t val = pc->config_read ? pc->config_read(dev, addr, len)
                                   : pci_default_read_config(dev, addr, len);
    return val & ones;
}

void pci_host_config_write(PCIBus *bus, uint32_t cf8, unsigned offset, uint32_t val, int len)
{
    PCIDevice *dev = pci_host_find(bus, cf8, offset, len);
    if (!dev) {
        return;         /* master abort: the write goes nowhere */
    }
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint32_t addr = (cf8 & 0xfc) + offset;
    if (len < 4) {
        val &= (1u << (len * 8)) - 1;
    }
    if (pc->config_write) {
        pc->config_write(dev, addr, val, len);
    } else {
        pci_default_write_config(dev, addr, val, len);
    }
}

/* The header as realize leaves it: ids from the class, QEMU's default masks. */
static void pci_config_init(PCIDevice *dev, PCIDeviceClass *pc)
{
    memset(dev->config, 0, sizeof(dev->config));
    memset(dev->wmask, 0, sizeof(dev->wmask));
    memset(dev->w1cmask, 0, sizeof(dev->w1cmask));
    memset(dev->cap_used, 0, sizeof(dev->cap_used));
    dev->msi_cap = 0;
    pci_set_word(dev->config + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(dev->config + PCI_DEVICE_ID, pc->device_id);
    dev->config[PCI_REVISION_ID] = pc->revision;
    pci_set_word(dev->config + PCI_CLASS_DEVICE, pc->class_id);
    if (pc->subsystem_vendor_id) {
        pci_set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
        pci_set_word(dev->config + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    } else if (!pc->is_bridge) {
        pci_set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(dev->config + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    }
    if (dev->multifunction) {
        dev->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    pci_set_word(dev->wmask + PCI_COMMAND, PCI_COMMAND_WMASK);
    pci_set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    /* Device-specific registers are writable unless the device says otherwise. */
    memset(dev->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        dev->io_regions[i] = (PCIIORegion){ .addr = PCI_BAR_UNMAPPED };
    }
    memset(dev->irq_level, 0, sizeof(dev->irq_level));
}

/* ---- Reset ------------------------------------------------------------------------- */

void pci_device_reset(PCIDevice *dev)
{
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        pci_irq_set_pin(dev, pin, 0);
    }
    uint16_t cmd_mask = pci_get_word(dev->wmask + PCI_COMMAND) |
                        pci_get_word(dev->w1cmask + PCI_COMMAND);
    uint16_t sts_mask = pci_get_word(dev->wmask + PCI_STATUS) |
                        pci_get_word(dev->w1cmask + PCI_STATUS);
    pci_set_word(dev->config + PCI_COMMAND, pci_get_word(dev->config + PCI_COMMAND) & ~cmd_mask);
    pci_set_word(dev->config + PCI_STATUS, pci_get_word(dev->config + PCI_STATUS) & ~sts_mask);
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    dev->config[PCI_INTERRUPT_LINE] &= ~(dev->wmask[PCI_INTERRUPT_LINE] |
                                         dev->w1cmask[PCI_INTERRUPT_LINE]);
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (!r->size) {
            continue;
        }
        if (pci_bar_is_64bit(r)) {
            pci_set_quad(dev->config + pci_bar_offset(i), r->type);
        } else {
            pci_set_long(dev->config + pci_bar_offset(i), r->type);
        }
    }
    pci_update_mappings(dev);
    msi_reset(dev);
    msix_reset(dev);
}

void pci_bus_reset(PCIBus *bus)
{
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn]) {
            pci_device_reset(bus->devices[devfn]);
        }
    }
}

static void pci_qdev_reset(DeviceState *qdev)
{
    pci_device_reset(PCI_DEVICE(qdev));
}

/* ---- Realize ------------------------------------------------------------------------ */

/* devfn -1: function 0 of the first free slot from devfn_min (QEMU's rule). */
static int pci_bus_find_free_devfn(PCIBus *bus)
{
    for (int devfn = bus->devfn_min; devfn < PCI_DEVFN_MAX; devfn += PCI_FUNC_MAX) {
        if (!bus->devices[devfn]) {
            return devfn;
        }
    }
    return -1;
}

/* Function 0 says whether the slot is multi-function (PCI 3.0, 6.2.1). */
static bool pci_check_multifunction(PCIBus *bus, PCIDevice *dev, int devfn, Error **errp)
{
    int slot = PCI_SLOT(devfn);
    if (PCI_FUNC(devfn)) {
        PCIDevice *f0 = bus->devices[PCI_DEVFN(slot, 0)];
        if (f0 && !f0->multifunction) {
            error_setg(errp, "PCI: single function device can't be populated in function %x.%x",
                       slot, PCI_FUNC(devfn));
            return false;
        }
        return true;
    }
    if (dev->multifunction) {
        return true;
    }
    for (int fn = 1; fn < PCI_FUNC_MAX; fn++) {
        if (bus->devices[PCI_DEVFN(slot, fn)]) {
            error_setg(errp, "PCI: %x.0 indicates single function, but %x.%x is already populated.",
                       slot, slot, fn);
            return false;
        }
    }
    return true;
}

static bool pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    PCIBus *bus = PCI_BUS(qdev->parent_bus);
    const char *name = object_get_typename(&qdev->parent_obj);
    int devfn = dev->devfn;

    if (devfn < 0) {
        devfn = pci_bus_find_free_devfn(bus);
        if (devfn < 0) {
            error_setg(errp, "PCI: no slot/function available for %s, all in use or reserved",
                       name);
            return false;
        }
    } else if (devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "PCI: devfn %d out of range for %s", devfn, name);
        return false;
    } else if (bus->devices[devfn]) {
        PCIDevice *other = bus->devices[devfn];
        error_setg(errp, "PCI: slot %d function %d not available for %s, in use by %s,id=%s",
                   PCI_SLOT(devfn), PCI_FUNC(devfn), name,
                   object_get_typename(&other->parent_obj.parent_obj),
                   other->parent_obj.id ? other->parent_obj.id : "");
        return false;
    }
    if (!pci_check_multifunction(bus, dev, devfn, errp)) {
        return false;
    }

    dev->devfn = devfn;
    dev->bus = bus;
    pci_config_init(dev, pc);
    bus->devices[devfn] = dev;
    if (pc->realize && !pc->realize(dev, errp)) {
        bus->devices[devfn] = NULL;
        dev->bus = NULL;
        return false;
    }
    return true;
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    if (!dev->bus) {
        return;
    }
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        pci_irq_set_pin(dev, pin, 0);
    }
    pci_unmap_all(dev);
    msix_uninit(dev);       /* before exit: the table lives in one of the device's BARs */
    if (pc->exit) {
        pc->exit(dev);
    }
    dev->bus->devices[dev->devfn] = NULL;
    dev->bus = NULL;
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *typename, Error **errp)
{
    DeviceState *qdev = qdev_new(typename);
    PCIDevice *dev = PCI_DEVICE(qdev);
    dev->devfn = devfn;
    if (!qdev_realize_and_unref(qdev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return dev;
}

/* ---- The "addr" property: "slot[.fn]" in hex ------------------------------------------ */

static bool pci_devfn_prop_set(Object *obj, const Property *prop, const char *value,
                               Error **errp)
{
    int32_t *field = (int32_t *)((char *)obj + prop->offset);
    const char *p = value;
    char *end;
    unsigned long slot, fn = 0;

    if (!g_ascii_isxdigit(*p)) {
        goto invalid;
    }
    slot = strtoul(p, &end, 16);
    if (slot > 0x1f || (*end != '.' && *end != '\0')) {
        goto invalid;
    }
    if (*end == '.') {
        p = end + 1;
        if (!g_ascii_isxdigit(*p)) {
            goto invalid;
        }
        fn = strtoul(p, &end, 16);
        if (fn > 7 || *end != '\0') {
            goto invalid;
        }
    }
    *field = PCI_DEVFN(slot, fn);
    return true;

invalid:
    error_setg(errp, "Property '%s.%s' doesn't take value '%s'", object_get_typename(obj),
               prop->name, value);
    return false;
}

static char *pci_devfn_prop_get(Object *obj, const Property *prop)
{
    int32_t devfn = *(int32_t *)((char *)obj + prop->offset);
    if (devfn < 0) {
        return g_strdup("<unset>");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static void pci_devfn_prop_set_default(Object *obj, const Property *prop)
{
    *(int32_t *)((char *)obj + prop->offset) = prop->defval.i;
}

static const PropertyInfo prop_info_pci_devfn = {
    .type_name = "int32",
    .set = pci_devfn_prop_set,
    .get = pci_devfn_prop_get,
    .set_default = pci_devfn_prop_set_default,
};

static const Property pci_device_props[] = {
    { .name = "addr", .info = &prop_info_pci_devfn, .offset = offsetof(PCIDevice, devfn),
      .defval.i = -1, .desc = "Slot and optional function number, example: 06.0 or 06" },
    PROP_STRING("romfile", PCIDevice, romfile),
    { .name = "multifunction", .info = &prop_info_bool,
      .offset = offsetof(PCIDevice, multifunction), .defval.u = false, .desc = "on/off" },
    PROP_END,
};

/* ---- VMState ------------------------------------------------------------------------- */

/*
 * The stream's config bytes are the guest's; what the host relies on is
 * restored from the model: BAR type bits, the status interrupt bit.  Then the
 * BARs are remapped and the bus's lines recounted from every device's levels.
 */
static int pci_device_post_load(void *opaque, int version_id)
{
    PCIDevice *dev = opaque;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (r->size && i != PCI_ROM_SLOT) {
            uint8_t flags = (r->type & PCI_BASE_ADDRESS_SPACE_IO) ? 0x03 : 0x0f;
            uint32_t off = pci_bar_offset(i);
            dev->config[off] = (dev->config[off] & ~flags) | r->type;
        }
    }
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        dev->irq_level[pin] = dev->irq_level[pin] != 0;
    }
    pci_update_irq_status(dev);
    if (dev->bus) {
        pci_update_mappings(dev);
        pci_bus_irq_resync(dev->bus);
    }
    return 0;
}

static const VMStateField pci_device_fields[] = {
    VMS_BUF(PCIDevice, config),
    VMS_ARRAY(PCIDevice, irq_level, VMS_I32, PCI_NUM_PINS),
    VMS_END,
};

const VMStateDescription vmstate_pci_device = {
    .name = "PCIDevice",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = pci_device_fields,
    .post_load = pci_device_post_load,
};

/* ---- Types ----------------------------------------------------------------------------- */

PCIBus *pci_root_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                         MemoryRegion *io, uint8_t devfn_min)
{
    PCIBus *bus = PCI_BUS(qbus_new(TYPE_PCI_BUS, parent, name));
    bus->address_space_mem = mem;
    bus->address_space_io = io;
    bus->devfn_min = devfn_min;
    if (!pci_root_bus_list) {
        pci_root_bus_list = g_ptr_array_new();
    }
    g_ptr_array_add(pci_root_bus_list, bus);
    return bus;
}

static void pci_bus_instance_finalize(Object *obj)
{
    PCIBus *bus = (PCIBus *)obj;
    if (pci_root_bus_list) {
        g_ptr_array_remove(pci_root_bus_list, bus);
    }
    g_free(bus->irq_count);
    bus->irq_count = NULL;
}

static void pci_bus_class_init(ObjectClass *oc, const void *data)
{
    BusClass *bc = (BusClass *)oc;
    bc->print_dev = pci_bus_print_dev;
}

static void pci_device_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    dc->bus_type = TYPE_PCI_BUS;
    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_qdev_reset;
    pc->config_read = pci_default_read_config;
    pc->config_write = pci_default_write_config;
    object_class_set_props(oc, pci_device_props);
}

static const TypeInfo pci_bus_type = {
    .name = TYPE_PCI_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(PCIBus),
    .class_init = pci_bus_class_init,
    .instance_finalize = pci_bus_instance_finalize,
};

static const TypeInfo pci_device_type = {
    .name = TYPE_PCI_DEVICE,
    .parent = TYPE_DEVICE,
    .abstract = true,
    .instance_size = sizeof(PCIDevice),
    .class_size = sizeof(PCIDeviceClass),
    .class_init = pci_device_class_init,
};

void pci_register_types(void)
{
    type_register(&pci_bus_type);
    type_register(&pci_device_type);
}
