/*
 * The PIIX3 IDE function (82371SB function 1, 8086:7010), at 01.1 of the
 * pc machine: two channels in compatibility mode at the legacy ports
 * (primary 1F0h-1F7h/3F6h on ISA IRQ 14, secondary 170h-177h/376h on IRQ
 * 15) and the bus-master registers at BAR4 (BMIBA).  Datasheet 290550:
 * the IDE configuration registers and the bus master IDE I/O registers.
 */
#include "hw/ide/ide-internal.h"

#include <stdio.h>
#include <string.h>

#define PCI_DEVICE_ID_INTEL_82371SB_1   0x7010
#define PIIX_IDE_PROG_IF        0x80    /* bus master capable, both channels legacy */
#define PIIX_IDETIM             0x40    /* primary 40-41h, secondary 42-43h */
#define  IDETIM_IDE_DECODE      0x8000
#define PIIX_SIDETIM            0x44
#define PIIX_BMIBA_BAR          4
#define PIIX_BMIBA_SIZE         16

static const uint16_t piix_cmd_ports[2] = { 0x1f0, 0x170 };
static const uint16_t piix_ctl_ports[2] = { 0x3f6, 0x376 };
static const int piix_irqs[2] = { 14, 15 };

typedef struct PIIX3IDEState {
    PCIDevice parent_obj;
    IDEChannel ch[2];
    IDEBus *bus[2];
    MemoryRegion cmd_mr[2];
    MemoryRegion ctl_mr[2];
    MemoryRegion bm_mr;
    ISABus *isa;            /* set by piix3_ide_create, else the machine's ISA bus */
} PIIX3IDEState;

static PIIX3IDEState *piix3_ide(PCIDevice *d)
{
    return (PIIX3IDEState *)object_check(&d->parent_obj.parent_obj, TYPE_PIIX3_IDE);
}

static uint64_t piix_cmd_read(void *opaque, hwaddr addr, unsigned size)
{
    return ide_cmd_read(opaque, addr, size);
}

static void piix_cmd_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ide_cmd_write(opaque, addr, val, size);
}

/* Byte registers, and the data port as 16 or 32 bits at offset 0. */
static const MemoryRegionOps piix_cmd_ops = {
    .read = piix_cmd_read,
    .write = piix_cmd_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t piix_ctl_read(void *opaque, hwaddr addr, unsigned size)
{
    return ide_ctl_read(opaque);
}

static void piix_ctl_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ide_ctl_write(opaque, val);
}

static const MemoryRegionOps piix_ctl_ops = {
    .read = piix_ctl_read,
    .write = piix_ctl_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t piix_bm_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX3IDEState *s = opaque;
    return ide_bm_read(&s->ch[(addr / BM_REGS_SIZE) & 1], addr % BM_REGS_SIZE);
}

static void piix_bm_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIX3IDEState *s = opaque;
    ide_bm_write(&s->ch[(addr / BM_REGS_SIZE) & 1], addr % BM_REGS_SIZE, val);
}

/* Any size the guest likes; the core hands us bytes. */
static const MemoryRegionOps piix_bm_ops = {
    .read = piix_bm_read,
    .write = piix_bm_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static bool piix3_ide_realize(PCIDevice *d, Error **errp)
{
    PIIX3IDEState *s = piix3_ide(d);
    Object *owner = &d->parent_obj.parent_obj;

    if (!s->isa) {
        BusState *isa = qbus_find(TYPE_ISA_BUS);
        s->isa = isa ? ISA_BUS(isa) : NULL;
    }
    d->config[PCI_CLASS_PROG] = PIIX_IDE_PROG_IF;
    d->config[PCI_INTERRUPT_PIN] = 0;   /* compatibility mode: ISA IRQs, no INTx */
    memset(d->wmask + PIIX_IDETIM, 0xff, PIIX_SIDETIM + 1 - PIIX_IDETIM);

    for (int i = 0; i < 2; i++) {
        ide_channel_init(&s->ch[i], i, s->isa, piix_irqs[i], address_space_memory());
        memory_region_init_io(&s->cmd_mr[i], owner, &piix_cmd_ops, &s->ch[i], "ide", 8);
        memory_region_add_subregion(d->bus->address_space_io, piix_cmd_ports[i], &s->cmd_mr[i]);
        memory_region_init_io(&s->ctl_mr[i], owner, &piix_ctl_ops, &s->ch[i], "ide-ctl", 1);
        memory_region_add_subregion(d->bus->address_space_io, piix_ctl_ports[i], &s->ctl_mr[i]);
        s->bus[i] = (IDEBus *)object_check(
            &qbus_new(TYPE_IDE_BUS, &d->parent_obj, NULL)->parent_obj, TYPE_IDE_BUS);
        s->bus[i]->ch = &s->ch[i];
    }
    memory_region_init_io(&s->bm_mr, owner, &piix_bm_ops, s, "piix-bmdma", PIIX_BMIBA_SIZE);
    pci_register_bar(d, PIIX_BMIBA_BAR, PCI_BASE_ADDRESS_SPACE_IO, &s->bm_mr);
    return true;
}

static void piix3_ide_exit(PCIDevice *d)
{
    PIIX3IDEState *s = piix3_ide(d);
    for (int i = 0; i < 2; i++) {
        for (int u = 0; u < 2; u++) {
            ide_unit_drain(&s->ch[i].units[u]);
        }
        s->bus[i]->ch = NULL;
        memory_region_finalize(&s->cmd_mr[i]);
        memory_region_finalize(&s->ctl_mr[i]);
    }
    memory_region_finalize(&s->bm_mr);
}

static void piix3_ide_reset(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PIIX3IDEState *s = piix3_ide(d);
    memset(d->config + PIIX_IDETIM, 0, PIIX_SIDETIM + 1 - PIIX_IDETIM);
    /*
     * The legacy ports always decode here; IDETIM's decode-enable bit starts
     * set (the datasheet's power-on value is clear, firmware sets it) so that
     * a kernel booted without firmware (-kernel) finds both channels enabled.
     */
    pci_set_word(d->config + PIIX_IDETIM, IDETIM_IDE_DECODE);
    pci_set_word(d->config + PIIX_IDETIM + 2, IDETIM_IDE_DECODE);
    for (int i = 0; i < 2; i++) {
        ide_channel_reset(&s->ch[i]);
    }
}

static const VMStateField piix3_ide_fields[] = {
    VMS_PCI_DEVICE(PIIX3IDEState, parent_obj),
    VMS_STRUCT_ARRAY(PIIX3IDEState, ch, 2, IDEChannel, &vmstate_ide_channel),
    VMS_END,
};

static const VMStateDescription vmstate_piix3_ide = {
    .name = "piix3-ide",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = piix3_ide_fields,
};

static void piix3_ide_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    pc->realize = piix3_ide_realize;
    pc->exit = piix3_ide_exit;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371SB_1;
    pc->class_id = PCI_CLASS_STORAGE_IDE;
    dc->reset = piix3_ide_reset;
    dc->vmsd = &vmstate_piix3_ide;
    dc->category = "Storage";
}

static const TypeInfo piix3_ide_type = {
    .name = TYPE_PIIX3_IDE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PIIX3IDEState),
    .desc = "PIIX3 IDE controller",
    .class_init = piix3_ide_class_init,
};

PCIDevice *piix3_ide_create(PCIBus *bus, ISABus *isa, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_PIIX3_IDE);
    PCIDevice *d = PCI_DEVICE(dev);
    d->devfn = PCI_DEVFN(1, 1);
    piix3_ide(d)->isa = isa;
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return d;
}

bool piix3_ide_attach_drives(PCIDevice *d, Error **errp)
{
    PIIX3IDEState *s = piix3_ide(d);
    int max_bus = drive_get_max_bus(IF_IDE);
    if (max_bus >= 2) {
        error_setg(errp, "Too many IDE buses defined (%d > 2)", max_bus + 1);
        return false;
    }
    for (int b = 0; b < 2; b++) {
        for (int unit = 0; unit < 2; unit++) {
            DriveInfo *dinfo = drive_get(IF_IDE, b, unit);
            if (!dinfo) {
                continue;
            }
            DeviceState *dev = qdev_new(dinfo->media_cdrom ? TYPE_IDE_CD : TYPE_IDE_HD);
            char unit_str[4];
            snprintf(unit_str, sizeof(unit_str), "%d", unit);
            if (!qdev_prop_set(dev, "drive", dinfo->id, errp) ||
                !qdev_prop_set(dev, "unit", unit_str, errp)) {
                object_unref(&dev->parent_obj);
                return false;
            }
            if (!qdev_realize_and_unref(dev, &s->bus[b]->parent_obj, errp)) {
                return false;
            }
        }
    }
    return true;
}

void ide_register_types(void)
{
    ide_dev_register_types();
    type_register(&piix3_ide_type);
}
