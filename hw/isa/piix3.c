/*
 * Intel 82371SB PCI ISA IDE Xcelerator (PIIX3), function 0: the PCI-to-ISA
 * bridge.  Datasheet order 290550: 2.2 (PCI configuration registers),
 * 2.3.13 (ELCR), 2.3.16 (Reset Control Register), 4.3 (PCI interrupts).
 */
#include "hw/isa/piix3.h"

#include "hw/pci-host/i440fx.h"
#include "system/runstate.h"
#include "util/log.h"

#define PCI_DEVICE_ID_INTEL_82371SB_0 0x7000

/* Configuration registers. */
#define PIIX3_PIRQRC 0x60               /* PIRQRC[A:D], 0x60-0x63 */
#define  PIRQRC_IRQEN_DISABLE 0x80      /* 1: the PIRQ is not routed */
#define  PIRQRC_IRQ_MASK 0x0f
#define  PIRQRC_WMASK (PIRQRC_IRQEN_DISABLE | PIRQRC_IRQ_MASK)

/* I/O registers. */
#define PIIX3_ELCR_PORT 0x4d0           /* ELCR1 (IRQ0-7), ELCR2 at 0x4d1 (IRQ8-15) */
#define PIIX3_RCR_PORT 0xcf9
#define  RCR_SRST 0x02                  /* system reset (hard) rather than CPU only */
#define  RCR_RCPU 0x04                  /* reset now */

/* IRQ0-2 (timer, keyboard, cascade), IRQ8 (RTC) and IRQ13 (FPU) are edge only. */
static const uint8_t piix3_elcr_mask[2] = { 0xf8, 0xde };

/*
 * PIRQRC values 0-2, 8 and 13 are reserved (2.2.10): the lines belong to
 * the timer, keyboard, cascade, RTC and FPU.  A PIRQ routed there goes nowhere.
 */
static const uint16_t piix3_pirq_irq_ok = 0xdef8;      /* IRQ 3-7, 9-12, 14, 15 */

/* Power-on values of function 0's registers (2.2). */
static const struct {
    uint8_t reg;
    uint8_t val;
} piix3_reset_values[] = {
    { PCI_COMMAND, 0x07 },              /* I/O, memory, bus master: hardwired */
    { PCI_STATUS + 1, PCI_STATUS_DEVSEL_MEDIUM >> 8 },
    { 0x4c, 0x4d },                     /* IORT: ISA I/O recovery timer */
    { 0x4e, 0x03 },                     /* XBCS: BIOS and keyboard controller enabled */
    { 0x4f, 0x00 },
    { 0x60, 0x80 }, { 0x61, 0x80 }, { 0x62, 0x80 }, { 0x63, 0x80 },    /* PIRQRC */
    { 0x69, 0x02 },                     /* TOM: top of memory */
    { 0x70, 0x80 },                     /* MBIRQ0 */
    { 0x76, 0x0c }, { 0x77, 0x0c },     /* MBDMA0/1 */
    { 0x78, 0x02 }, { 0x79, 0x00 },     /* PCSC */
    { 0x80, 0x00 },                     /* APICBASE */
    { 0x82, 0x00 },                     /* DLC */
    { 0xa0, 0x08 },                     /* SMICNTL */
    { 0xa2, 0x00 }, { 0xa3, 0x00 },     /* SMIEN */
    { 0xa4, 0x00 }, { 0xa5, 0x00 }, { 0xa6, 0x00 }, { 0xa7, 0x00 },    /* SEE */
    { 0xa8, 0x0f },                     /* FTMR */
    { 0xaa, 0x00 }, { 0xab, 0x00 },     /* SMIREQ */
    { 0xac, 0x00 },                     /* CTLTMR */
    { 0xae, 0x00 },                     /* CTHTMR */
};

struct PIIX3State {
    PCIDevice parent_obj;
    ISABus *isa_bus;
    MemoryRegion elcr_mr;
    MemoryRegion rcr_mr;                /* only when no i440FX takes 0xCF9 for us */
    bool rcr_mapped;
    IRQLine *ioapic_irqs[PIIX3_NUM_PIRQS];
    void (*elcr_notify)(void *opaque, int chip, uint8_t elcr);
    void *elcr_opaque;

    int32_t pirq_level[PIIX3_NUM_PIRQS];    /* what the PCI bus drives on PIRQA-D */
    uint16_t isa_levels;                /* ISA IRQs we drive high */
    uint8_t elcr[2];
    uint8_t rcr;
};

static PIIX3State *PIIX3(PCIDevice *dev)
{
    return (PIIX3State *)object_check(&dev->parent_obj.parent_obj, TYPE_PIIX3_DEVICE);
}

/* ---- PCI interrupt routing (4.3) --------------------------------------------------- */

/* The ISA IRQ PIRQ n is routed to, or -1. */
static int piix3_pirq_route(PIIX3State *s, int pirq)
{
    uint8_t rc = s->parent_obj.config[PIIX3_PIRQRC + pirq];
    int irq = rc & PIRQRC_IRQ_MASK;
    if ((rc & PIRQRC_IRQEN_DISABLE) || !(piix3_pirq_irq_ok & (1u << irq))) {
        return -1;
    }
    return irq;
}

/* Drive each ISA IRQ with the OR of the PIRQs routed to it; touch only lines that change. */
static void piix3_update_isa_irqs(PIIX3State *s)
{
    uint16_t levels = 0;
    for (int pirq = 0; pirq < PIIX3_NUM_PIRQS; pirq++) {
        int irq = piix3_pirq_route(s, pirq);
        if (irq >= 0 && s->pirq_level[pirq]) {
            levels |= 1u << irq;
        }
    }
    uint16_t changed = levels ^ s->isa_levels;
    s->isa_levels = levels;
    for (int irq = 0; irq < ISA_NUM_IRQS; irq++) {
        if (changed & (1u << irq)) {
            irq_set(s->isa_bus->irqs[irq], (levels >> irq) & 1);
        }
    }
}

static void piix3_set_irq(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    if (pirq < 0 || pirq >= PIIX3_NUM_PIRQS) {
        return;
    }
    s->pirq_level[pirq] = level != 0;
    piix3_update_isa_irqs(s);
    irq_set(s->ioapic_irqs[pirq], level != 0);
}

/* INTA of slot 1 is PIRQA; each slot rotates its pins by one (QEMU's swizzle). */
static int piix3_map_irq(PCIDevice *dev, int pin)
{
    return (pin + PCI_SLOT(dev->devfn) - 1) & (PIIX3_NUM_PIRQS - 1);
}

static void piix3_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    pci_default_write_config(d, addr, val, len);
    if (addr < PIIX3_PIRQRC + PIIX3_NUM_PIRQS && addr + len > PIIX3_PIRQRC) {
        for (int pirq = 0; pirq < PIIX3_NUM_PIRQS; pirq++) {
            uint8_t rc = d->config[PIIX3_PIRQRC + pirq];
            if (!(rc & PIRQRC_IRQEN_DISABLE) && piix3_pirq_route(PIIX3(d), pirq) < 0) {
                log_mask(LOG_GUEST_ERROR, "PIIX3: PIRQ%c routed to reserved IRQ %d\n",
                         'A' + pirq, rc & PIRQRC_IRQ_MASK);
            }
        }
        piix3_update_isa_irqs(PIIX3(d));
    }
}

/* ---- ELCR (2.3.13) ---------------------------------------------------------------- */

static void piix3_elcr_changed(PIIX3State *s, int chip)
{
    if (s->elcr_notify) {
        s->elcr_notify(s->elcr_opaque, chip, s->elcr[chip]);
    }
}

static uint64_t piix3_elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX3State *s = opaque;
    return addr < 2 ? s->elcr[addr] : 0xff;
}

static void piix3_elcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIX3State *s = opaque;
    if (addr >= 2) {
        return;
    }
    uint8_t v = val & piix3_elcr_mask[addr];
    if (v != s->elcr[addr]) {
        s->elcr[addr] = v;
        piix3_elcr_changed(s, addr);
    }
}

static const MemoryRegionOps piix3_elcr_ops = {
    .read = piix3_elcr_read,
    .write = piix3_elcr_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

uint8_t piix3_elcr(PIIX3State *s, int chip)
{
    return chip == 0 || chip == 1 ? s->elcr[chip] : 0;
}

void piix3_set_elcr_handler(PIIX3State *s, void (*fn)(void *opaque, int chip, uint8_t elcr),
                            void *opaque)
{
    s->elcr_notify = fn;
    s->elcr_opaque = opaque;
    piix3_elcr_changed(s, 0);
    piix3_elcr_changed(s, 1);
}

/* ---- Reset Control Register, 0xCF9 (2.3.16) ----------------------------------------- */

static uint8_t piix3_rcr_read(void *opaque)
{
    PIIX3State *s = opaque;
    return s->rcr;
}

static void piix3_rcr_write(void *opaque, uint8_t val)
{
    PIIX3State *s = opaque;
    if (val & RCR_RCPU) {
        /* Hard (SRST) and soft resets alike restart the whole machine here. */
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    s->rcr = val & RCR_SRST;
}

static uint64_t piix3_rcr_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return piix3_rcr_read(opaque);
}

static void piix3_rcr_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    piix3_rcr_write(opaque, val);
}

static const MemoryRegionOps piix3_rcr_ops = {
    .read = piix3_rcr_io_read,
    .write = piix3_rcr_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- Device ------------------------------------------------------------------------- */

static bool piix3_realize(PCIDevice *d, Error **errp)
{
    PIIX3State *s = PIIX3(d);
    Object *owner = &d->parent_obj.parent_obj;

    if (!d->multifunction) {
        d->multifunction = true;
        d->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    /* The bridge always decodes: IOSE, MSE, BME are hardwired to 1. */
    pci_set_word(d->wmask + PCI_COMMAND, pci_get_word(d->wmask + PCI_COMMAND) &
                 ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        d->wmask[PIIX3_PIRQRC + i] = PIRQRC_WMASK;
    }

    s->isa_bus = isa_bus_new(&d->parent_obj, d->bus->address_space_mem,
                             d->bus->address_space_io);
    memory_region_init_io(&s->elcr_mr, owner, &piix3_elcr_ops, s, "piix3-elcr", 2);
    memory_region_add_subregion(d->bus->address_space_io, PIIX3_ELCR_PORT, &s->elcr_mr);
    /* On an i440FX, 0xCF9 shares the host's CONFADD dword; it hands us byte accesses. */
    if (!i440fx_set_cf9_handler(d->bus, piix3_rcr_read, piix3_rcr_write, s)) {
        memory_region_init_io(&s->rcr_mr, owner, &piix3_rcr_ops, s, "piix3-reset-control", 1);
        memory_region_add_subregion_overlap(d->bus->address_space_io, PIIX3_RCR_PORT,
                                            &s->rcr_mr, 1);
        s->rcr_mapped = true;
    }
    pci_bus_irqs(d->bus, piix3_set_irq, piix3_map_irq, s, PIIX3_NUM_PIRQS);
    return true;
}

static void piix3_exit(PCIDevice *d)
{
    PIIX3State *s = PIIX3(d);
    memory_region_finalize(&s->elcr_mr);
    if (s->rcr_mapped) {
        memory_region_finalize(&s->rcr_mr);
        s->rcr_mapped = false;
    } else {
        i440fx_set_cf9_handler(d->bus, NULL, NULL, NULL);
    }
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        if (s->isa_levels & (1u << i)) {
            irq_lower(s->isa_bus->irqs[i]);
        }
    }
    s->isa_levels = 0;
    /* Devices left on the bus must not call into us any more. */
    if (d->bus->irq_opaque == s) {
        d->bus->set_irq = NULL;
        d->bus->map_irq = NULL;
        d->bus->irq_opaque = NULL;
    }
}

static void piix3_reset(DeviceState *dev)
{
    PIIX3State *s = PIIX3(PCI_DEVICE(dev));
    uint8_t *config = s->parent_obj.config;
    for (unsigned i = 0; i < G_N_ELEMENTS(piix3_reset_values); i++) {
        config[piix3_reset_values[i].reg] = piix3_reset_values[i].val;
    }
    piix3_update_isa_irqs(s);
    s->rcr = 0;
    for (int chip = 0; chip < 2; chip++) {
        s->elcr[chip] = 0;
        piix3_elcr_changed(s, chip);
    }
}

static int piix3_post_load(void *opaque, int version_id)
{
    PIIX3State *s = opaque;
    for (int chip = 0; chip < 2; chip++) {
        s->elcr[chip] &= piix3_elcr_mask[chip];
        piix3_elcr_changed(s, chip);
    }
    s->rcr &= RCR_SRST;
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        s->pirq_level[i] = s->pirq_level[i] != 0;
    }
    piix3_update_isa_irqs(s);
    return 0;
}

static const VMStateField piix3_fields[] = {
    VMS_PCI_DEVICE(PIIX3State, parent_obj),
    VMS_ARRAY(PIIX3State, pirq_level, VMS_I32, PIIX3_NUM_PIRQS),
    VMS_FIELD(PIIX3State, isa_levels, VMS_U16),
    VMS_ARRAY(PIIX3State, elcr, VMS_U8, 2),
    VMS_FIELD(PIIX3State, rcr, VMS_U8),
    VMS_END,
};

static const VMStateDescription vmstate_piix3 = {
    .name = "PIIX3",
    .version_id = 3,
    .minimum_version_id = 3,
    .fields = piix3_fields,
    .post_load = piix3_post_load,
};

static void piix3_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    pc->realize = piix3_realize;
    pc->exit = piix3_exit;
    pc->config_write = piix3_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371SB_0;
    pc->class_id = PCI_CLASS_BRIDGE_ISA;
    dc->reset = piix3_reset;
    dc->vmsd = &vmstate_piix3;
    dc->category = "Controller/Bridge/Hub";
}

PIIX3State *piix3_create(PCIBus *bus, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_PIIX3_DEVICE);
    PCIDevice *d = PCI_DEVICE(dev);
    d->devfn = PCI_DEVFN(1, 0);
    d->multifunction = true;
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return PIIX3(d);
}

ISABus *piix3_isa_bus(PIIX3State *s)
{
    return s->isa_bus;
}

PCIDevice *piix3_pci_device(PIIX3State *s)
{
    return &s->parent_obj;
}

void piix3_set_ioapic_irqs(PIIX3State *s, IRQLine **lines)
{
    for (int i = 0; i < PIIX3_NUM_PIRQS; i++) {
        s->ioapic_irqs[i] = lines ? lines[i] : NULL;
        irq_set(s->ioapic_irqs[i], s->pirq_level[i]);
    }
}

static const TypeInfo piix3_type = {
    .name = TYPE_PIIX3_DEVICE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PIIX3State),
    .desc = "ISA bridge",
    .class_init = piix3_class_init,
};

void piix3_register_types(void)
{
    type_register(&piix3_type);
}
