/*
 * Intel 82441FX PCI and Memory Controller (PMC), "82440FX PCISET" datasheet
 * (order 290549): the host bridge "i440FX-pcihost" (configuration mechanism
 * #1 at 0xCF8/0xCFC, the root bus) and its PCI function 00.0 "i440FX" with
 * the Programmable Attribute Map (PAM, 0x59-0x5F) and SMRAM control (0x72).
 */
#include "hw/pci-host/i440fx.h"

/* I/O ports (datasheet 3.1). */
#define I440FX_CONFADD_PORT 0xcf8
#define I440FX_CONFDATA_PORT 0xcfc
#define I440FX_CF9_OFFSET 1             /* 0xCF9 within the CONFADD dword */
/* CONFADD: bit 31 enable, 23:16 bus, 15:11 device, 10:8 function, 7:2 register. */
#define I440FX_CONFADD_MASK 0x80fffffcu

/* Function 00.0 identity. */
#define PCI_DEVICE_ID_INTEL_82441 0x1237
#define I440FX_REVISION 0x02

/* Configuration registers (datasheet 3.2). */
#define I440FX_RAM_SIZE 0x57            /* QEMU's: RAM in 8 MiB units, for coreboot */
#define I440FX_PAM0 0x59                /* PAM0-PAM6: 0x59-0x5F */
#define I440FX_PAM_REGS 7
#define  PAM_RE 0x1                     /* reads go to DRAM */
#define  PAM_WE 0x2                     /* writes go to DRAM */
#define  PAM_NIBBLE_WMASK 0x7           /* RE, WE, CE */
#define I440FX_SMRAMC 0x72
#define  SMRAMC_D_OPEN 0x40
#define  SMRAMC_D_CLS 0x20
#define  SMRAMC_D_LCK 0x10
#define  SMRAMC_G_SMRAME 0x08
#define  SMRAMC_C_BASE_SEG 0x02         /* hardwired: SMRAM at 0xA0000 */
#define  SMRAMC_WMASK (SMRAMC_D_OPEN | SMRAMC_D_CLS | SMRAMC_D_LCK | SMRAMC_G_SMRAME)
#define  SMRAMC_WMASK_LOCKED SMRAMC_D_CLS

/* PAM segments: 0xF0000 (64 KiB, PAM0 high nibble), then 12 x 16 KiB from 0xC0000. */
#define PAM_BIOS_BASE 0xf0000
#define PAM_BIOS_SIZE 0x10000
#define PAM_EXPAN_BASE 0xc0000
#define PAM_EXPAN_SIZE 0x4000
#define PAM_SEGMENTS 13
#define SMRAM_BASE 0xa0000
#define SMRAM_SIZE 0x20000

typedef struct I440FXHostState {
    DeviceState parent_obj;
    /* Set by i440fx_init before realize. */
    MemoryRegion *system_memory;
    MemoryRegion *system_io;
    MemoryRegion *ram;
    MemoryRegion *pci_memory;

    MemoryRegion conf_mr;               /* 0xCF8-0xCFB */
    MemoryRegion data_mr;               /* 0xCFC-0xCFF */
    bool mapped_pci_memory;             /* we put pci_memory under system memory */
    uint32_t config_reg;
    PCIBus *bus;
    uint8_t (*cf9_read)(void *opaque);
    void (*cf9_write)(void *opaque, uint8_t val);
    void *cf9_opaque;
} I440FXHostState;

typedef struct I440FXState I440FXState;

/* One PAM segment: four windows over it, one enabled, indexed by the RE/WE bits. */
typedef struct PAMSegment {
    I440FXState *s;
    hwaddr start;
    uint64_t size;
    MemoryRegion window[4];     /* 0: PCI, RE: RAM read-only, WE: write-only, RE|WE: RAM */
    uint8_t mode;
} PAMSegment;

struct I440FXState {
    PCIDevice parent_obj;
    I440FXHostState *host;
    PAMSegment pam[PAM_SEGMENTS];
    MemoryRegion smram_window;  /* the PCI side (VGA) over SMRAM unless D_OPEN */
    AddressSpace *pci_as;       /* for write-only segments' reads, made on first use */
};

static I440FXHostState *I440FX_PCI_HOST(DeviceState *dev)
{
    return (I440FXHostState *)object_check(&dev->parent_obj, TYPE_I440FX_PCI_HOST);
}

static I440FXState *I440FX(PCIDevice *dev)
{
    return (I440FXState *)object_check(&dev->parent_obj.parent_obj, TYPE_I440FX_PCI_DEVICE);
}

/* ---- Host: configuration mechanism #1 --------------------------------------------- */

static uint64_t i440fx_conf_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXHostState *h = opaque;
    uint64_t val = 0;

    if (addr == 0 && size == 4) {
        return h->config_reg;
    }
    /* Not a dword: an ISA cycle, where only the PIIX3's 0xCF9 answers. */
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = 0xff;
        if (addr + i == I440FX_CF9_OFFSET && h->cf9_read) {
            b = h->cf9_read(h->cf9_opaque);
        }
        val |= (uint64_t)b << (i * 8);
    }
    return val;
}

static void i440fx_conf_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I440FXHostState *h = opaque;

    if (addr == 0 && size == 4) {
        h->config_reg = val & I440FX_CONFADD_MASK;
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        if (addr + i == I440FX_CF9_OFFSET && h->cf9_write) {
            h->cf9_write(h->cf9_opaque, val >> (i * 8));
        }
    }
}

static const MemoryRegionOps i440fx_conf_ops = {
    .read = i440fx_conf_read,
    .write = i440fx_conf_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t i440fx_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXHostState *h = opaque;
    return pci_host_config_read(h->bus, h->config_reg, addr, size);
}

static void i440fx_data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I440FXHostState *h = opaque;
    pci_host_config_write(h->bus, h->config_reg, addr, val, size);
}

static const MemoryRegionOps i440fx_data_ops = {
    .read = i440fx_data_read,
    .write = i440fx_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

bool i440fx_set_cf9_handler(PCIBus *bus, uint8_t (*read)(void *opaque),
                            void (*write)(void *opaque, uint8_t val), void *opaque)
{
    DeviceState *parent = bus->parent_obj.parent;
    if (!parent || !object_dynamic_cast(&parent->parent_obj, TYPE_I440FX_PCI_HOST)) {
        return false;
    }
    I440FXHostState *h = I440FX_PCI_HOST(parent);
    h->cf9_read = read;
    h->cf9_write = write;
    h->cf9_opaque = opaque;
    return true;
}

static bool i440fx_host_realize(DeviceState *dev, Error **errp)
{
    I440FXHostState *h = I440FX_PCI_HOST(dev);

    if (!h->system_memory || !h->system_io || !h->ram || !h->pci_memory) {
        error_setg(errp, "%s: create it with i440fx_init()", TYPE_I440FX_PCI_HOST);
        return false;
    }
    memory_region_init_io(&h->conf_mr, &dev->parent_obj, &i440fx_conf_ops, h,
                          "pci-conf-idx", 4);
    memory_region_init_io(&h->data_mr, &dev->parent_obj, &i440fx_data_ops, h,
                          "pci-conf-data", 4);
    memory_region_transaction_begin();
    memory_region_add_subregion(h->system_io, I440FX_CONFADD_PORT, &h->conf_mr);
    memory_region_add_subregion(h->system_io, I440FX_CONFDATA_PORT, &h->data_mr);
    /* Under everything the board maps: whatever is not RAM is the PCI side. */
    if (!h->pci_memory->container) {
        memory_region_add_subregion_overlap(h->system_memory, 0, h->pci_memory, -1);
        h->mapped_pci_memory = true;
    }
    memory_region_transaction_commit();
    h->bus = pci_root_bus_new(dev, "pci.0", h->pci_memory, h->system_io, 0);
    return true;
}

static void i440fx_host_unrealize(DeviceState *dev)
{
    I440FXHostState *h = I440FX_PCI_HOST(dev);
    memory_region_transaction_begin();
    memory_region_finalize(&h->conf_mr);
    memory_region_finalize(&h->data_mr);
    if (h->mapped_pci_memory) {
        memory_region_del_subregion(h->system_memory, h->pci_memory);
        h->mapped_pci_memory = false;
    }
    memory_region_transaction_commit();
}

static void i440fx_host_reset(DeviceState *dev)
{
    I440FXHostState *h = I440FX_PCI_HOST(dev);
    h->config_reg = 0;
    /* The devices have reset (children first); now their standard headers. */
    if (h->bus) {
        pci_bus_reset(h->bus);
    }
}

static const VMStateField i440fx_host_fields[] = {
    VMS_FIELD(I440FXHostState, config_reg, VMS_U32),
    VMS_END,
};

static const VMStateDescription vmstate_i440fx_host = {
    .name = "i440FX-pcihost",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i440fx_host_fields,
};

static void i440fx_host_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = i440fx_host_realize;
    dc->unrealize = i440fx_host_unrealize;
    dc->reset = i440fx_host_reset;
    dc->vmsd = &vmstate_i440fx_host;
    dc->category = "Controller/Bridge/Hub";
}

/* ---- Function 00.0: PAM and SMRAM ------------------------------------------------- */

/* A write-only segment (WE without RE): reads go to the PCI side, writes to DRAM. */
static uint64_t pam_wo_read(void *opaque, hwaddr addr, unsigned size)
{
    PAMSegment *seg = opaque;
    I440FXState *s = seg->s;
    if (!s->pci_as) {
        s->pci_as = g_new0(AddressSpace, 1);
        address_space_init(s->pci_as, s->host->pci_memory, "i440FX-pam-pci");
    }
    return address_space_ld(s->pci_as, seg->start + addr, size, NULL);
}

static void pam_wo_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PAMSegment *seg = opaque;
    uint8_t *ram = memory_region_get_ram_ptr(seg->s->host->ram);
    if (!ram) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        ram[seg->start + addr + i] = val >> (i * 8);
    }
}

static const MemoryRegionOps pam_wo_ops = {
    .read = pam_wo_read,
    .write = pam_wo_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static void pam_segment_init(I440FXState *s, PAMSegment *seg, hwaddr start, uint64_t size)
{
    I440FXHostState *h = s->host;
    Object *owner = &s->parent_obj.parent_obj.parent_obj;

    seg->s = s;
    seg->start = start;
    seg->size = size;
    memory_region_init_alias(&seg->window[0], owner, "pam-pci", h->pci_memory, start, size);
    memory_region_init_alias(&seg->window[PAM_RE], owner, "pam-rom", h->ram, start, size);
    /* RE only: writes should reach the PCI side, where nothing takes them; drop them. */
    memory_region_set_readonly(&seg->window[PAM_RE], true);
    memory_region_init_io(&seg->window[PAM_WE], owner, &pam_wo_ops, seg, "pam-wo", size);
    memory_region_init_alias(&seg->window[PAM_RE | PAM_WE], owner, "pam-ram", h->ram,
                             start, size);
    for (int i = 0; i < 4; i++) {
        memory_region_set_enabled(&seg->window[i], i == 0);
        memory_region_add_subregion_overlap(h->system_memory, start, &seg->window[i], 1);
    }
    seg->mode = 0;
}

/* The attribute nibble of segment i: PAM0[7:4] for 0xF0000, then low/high nibbles. */
static uint8_t pam_segment_mode(I440FXState *s, int i)
{
    const uint8_t *config = s->parent_obj.config;
    int reg = I440FX_PAM0 + (i + 1) / 2;
    int shift = (i & 1) ? 0 : 4;
    return (config[reg] >> shift) & (PAM_RE | PAM_WE);
}

static void i440fx_update_memory_mappings(I440FXState *s)
{
    uint8_t *config = s->parent_obj.config;

    memory_region_transaction_begin();
    for (int i = 0; i < PAM_SEGMENTS; i++) {
        PAMSegment *seg = &s->pam[i];
        uint8_t mode = pam_segment_mode(s, i);
        if (mode != seg->mode) {
            memory_region_set_enabled(&seg->window[seg->mode], false);
            memory_region_set_enabled(&seg->window[mode], true);
            seg->mode = mode;
        }
    }
    /* D_OPEN shows SMRAM (the RAM underneath) outside SMM. */
    memory_region_set_enabled(&s->smram_window, !(config[I440FX_SMRAMC] & SMRAMC_D_OPEN));
    memory_region_transaction_commit();
}

/* Datasheet 3.2.23: D_LCK closes D_OPEN and freezes the register until reset. */
static void i440fx_smram_apply_lock(I440FXState *s)
{
    PCIDevice *d = &s->parent_obj;
    if (d->config[I440FX_SMRAMC] & SMRAMC_D_LCK) {
        d->config[I440FX_SMRAMC] &= ~SMRAMC_D_OPEN;
        d->wmask[I440FX_SMRAMC] = SMRAMC_WMASK_LOCKED;
    } else {
        d->wmask[I440FX_SMRAMC] = SMRAMC_WMASK;
    }
}

static void i440fx_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    I440FXState *s = I440FX(d);
    pci_default_write_config(d, addr, val, len);
    if ((addr < I440FX_PAM0 + I440FX_PAM_REGS && addr + len > I440FX_PAM0) ||
        (addr <= I440FX_SMRAMC && addr + len > I440FX_SMRAMC)) {
        i440fx_smram_apply_lock(s);
        i440fx_update_memory_mappings(s);
    }
}

static bool i440fx_realize(PCIDevice *d, Error **errp)
{
    I440FXState *s = I440FX(d);
    DeviceState *host = d->bus->parent_obj.parent;

    if (!host || !object_dynamic_cast(&host->parent_obj, TYPE_I440FX_PCI_HOST) ||
        d->devfn != 0) {
        error_setg(errp, "%s: must be function 00.0 of the %s bus", TYPE_I440FX_PCI_DEVICE,
                   TYPE_I440FX_PCI_HOST);
        return false;
    }
    s->host = I440FX_PCI_HOST(host);
    if (memory_region_size(s->host->ram) < PAM_BIOS_BASE + PAM_BIOS_SIZE) {
        error_setg(errp, "%s: needs at least 1 MiB of RAM", TYPE_I440FX_PCI_DEVICE);
        return false;
    }
    uint64_t ram_units = memory_region_size(s->host->ram) / (8 * 1024 * 1024);
    d->config[I440FX_RAM_SIZE] = ram_units > 255 ? 255 : ram_units;
    d->wmask[I440FX_RAM_SIZE] = 0;

    d->wmask[I440FX_PAM0] = PAM_NIBBLE_WMASK << 4;     /* PAM0[3:0] is reserved */
    for (int i = 1; i < I440FX_PAM_REGS; i++) {
        d->wmask[I440FX_PAM0 + i] = PAM_NIBBLE_WMASK << 4 | PAM_NIBBLE_WMASK;
    }
    d->config[I440FX_SMRAMC] = SMRAMC_C_BASE_SEG;
    d->wmask[I440FX_SMRAMC] = SMRAMC_WMASK;

    memory_region_transaction_begin();
    pam_segment_init(s, &s->pam[0], PAM_BIOS_BASE, PAM_BIOS_SIZE);
    for (int i = 1; i < PAM_SEGMENTS; i++) {
        pam_segment_init(s, &s->pam[i], PAM_EXPAN_BASE + (i - 1) * PAM_EXPAN_SIZE,
                         PAM_EXPAN_SIZE);
    }
    memory_region_init_alias(&s->smram_window, &d->parent_obj.parent_obj, "smram-region",
                             s->host->pci_memory, SMRAM_BASE, SMRAM_SIZE);
    memory_region_add_subregion_overlap(s->host->system_memory, SMRAM_BASE,
                                        &s->smram_window, 1);
    memory_region_transaction_commit();
    return true;
}

static void i440fx_exit(PCIDevice *d)
{
    I440FXState *s = I440FX(d);
    memory_region_transaction_begin();
    for (int i = 0; i < PAM_SEGMENTS; i++) {
        for (int w = 0; w < 4; w++) {
            memory_region_finalize(&s->pam[i].window[w]);
        }
    }
    memory_region_finalize(&s->smram_window);
    memory_region_transaction_commit();
    if (s->pci_as) {
        address_space_destroy(s->pci_as);
        g_free(s->pci_as);
        s->pci_as = NULL;
    }
}

static void i440fx_reset(DeviceState *dev)
{
    I440FXState *s = I440FX(PCI_DEVICE(dev));
    uint8_t *config = s->parent_obj.config;
    for (int i = 0; i < I440FX_PAM_REGS; i++) {
        config[I440FX_PAM0 + i] = 0;
    }
    config[I440FX_SMRAMC] = SMRAMC_C_BASE_SEG;
    i440fx_smram_apply_lock(s);
    i440fx_update_memory_mappings(s);
}

static int i440fx_post_load(void *opaque, int version_id)
{
    I440FXState *s = opaque;
    s->parent_obj.config[I440FX_SMRAMC] = (s->parent_obj.config[I440FX_SMRAMC] & SMRAMC_WMASK) |
                                          SMRAMC_C_BASE_SEG;
    i440fx_smram_apply_lock(s);
    i440fx_update_memory_mappings(s);
    return 0;
}

static const VMStateField i440fx_fields[] = {
    VMS_PCI_DEVICE(I440FXState, parent_obj),
    VMS_END,
};

static const VMStateDescription vmstate_i440fx = {
    .name = "I440FX",
    .version_id = 3,
    .minimum_version_id = 3,
    .fields = i440fx_fields,
    .post_load = i440fx_post_load,
};

static void i440fx_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    pc->realize = i440fx_realize;
    pc->exit = i440fx_exit;
    pc->config_write = i440fx_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82441;
    pc->revision = I440FX_REVISION;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
    dc->reset = i440fx_reset;
    dc->vmsd = &vmstate_i440fx;
    dc->category = "Controller/Bridge/Hub";
}

/* ---- Board entry point -------------------------------------------------------------- */

PCIBus *i440fx_init(MemoryRegion *system_memory, MemoryRegion *system_io, MemoryRegion *ram,
                    MemoryRegion *pci_memory, Error **errp)
{
    if (memory_region_size(ram) < PAM_BIOS_BASE + PAM_BIOS_SIZE) {
        error_setg(errp, "%s: needs at least 1 MiB of RAM", TYPE_I440FX_PCI_DEVICE);
        return NULL;
    }
    DeviceState *dev = qdev_new(TYPE_I440FX_PCI_HOST);
    I440FXHostState *h = I440FX_PCI_HOST(dev);
    h->system_memory = system_memory;
    h->system_io = system_io;
    h->ram = ram;
    h->pci_memory = pci_memory;
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    if (!pci_create_simple(h->bus, 0, TYPE_I440FX_PCI_DEVICE, errp)) {
        qdev_unrealize(dev);
        return NULL;
    }
    return h->bus;
}

static const TypeInfo i440fx_host_type = {
    .name = TYPE_I440FX_PCI_HOST,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(I440FXHostState),
    .class_init = i440fx_host_class_init,
};

static const TypeInfo i440fx_type = {
    .name = TYPE_I440FX_PCI_DEVICE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(I440FXState),
    .desc = "Host bridge",
    .class_init = i440fx_class_init,
};

void i440fx_register_types(void)
{
    type_register(&i440fx_host_type);
    type_register(&i440fx_type);
}
