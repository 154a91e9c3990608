/*
 * Port 0x61, the NMI status and control register (Intel PIIX/PIIX3
 * datasheet, "NMISC"): the PC speaker's gate and data bits, the DRAM
 * refresh toggle that firmware uses for short delays, and PIT counter 2's
 * OUT.  The speaker itself is silent: bit 1 is stored, nothing is played.
 */
#include "hw/audio/pcspk.h"

#include "migration/vmstate.h"
#include "system/timer.h"

#define PCSPK_IOBASE 0x61

/* NMISC bits */
#define NMISC_TIM_CNT2_EN 0x01      /* GATE of PIT counter 2 */
#define NMISC_SPKR_DAT_EN 0x02      /* speaker data enable */
#define NMISC_PCI_SERR_EN 0x04      /* stored, no NMI source exists */
#define NMISC_IOCHK_NMI_EN 0x08     /* stored, no NMI source exists */
#define NMISC_WRITABLE 0x0f
#define NMISC_REF_TOGGLE 0x10       /* flips with every refresh cycle */
#define NMISC_TMR2_OUT_STS 0x20     /* OUT of PIT counter 2 */
/* Bits 6 (IOCHK# NMI) and 7 (SERR# NMI) read 0: nothing raises them. */

/* The refresh request period of PIT counter 1 as the BIOS programs it (18 ticks). */
#define PCSPK_REFRESH_NS 15085

typedef struct PCSpkState {
    ISADevice parent_obj;
    MemoryRegion io;
    uint16_t iobase;
    Object *pit;        /* link to the isa-pit */
    uint8_t ctrl;       /* the NMISC_WRITABLE bits */
} PCSpkState;

static inline PCSpkState *PCSPK(DeviceState *dev)
{
    return (PCSpkState *)object_check(&dev->parent_obj, TYPE_PCSPK);
}

static PITState *pcspk_pit(PCSpkState *s)
{
    return PIT(DEVICE(s->pit));
}

static uint64_t pcspk_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PCSpkState *s = opaque;

    if (addr != 0) {
        return 0xff;
    }
    bool refresh = (clock_get_ns(CLOCK_VIRTUAL) / PCSPK_REFRESH_NS) & 1;
    return s->ctrl | (refresh ? NMISC_REF_TOGGLE : 0) |
           (pit_get_out(pcspk_pit(s), 2) ? NMISC_TMR2_OUT_STS : 0);
}

static void pcspk_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCSpkState *s = opaque;

    if (addr != 0) {
        return;
    }
    s->ctrl = val & NMISC_WRITABLE;     /* bits 4-7 are read-only */
    pit_set_gate(pcspk_pit(s), 2, s->ctrl & NMISC_TIM_CNT2_EN);
}

static const MemoryRegionOps pcspk_io_ops = {
    .read = pcspk_io_read,
    .write = pcspk_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

ISADevice *pcspk_init(ISABus *bus, PITState *pit, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_PCSPK);
    /* PITState starts with its Object (through ISADevice and DeviceState). */
    char *path = object_get_path((Object *)pit);
    bool ok = qdev_prop_set(dev, "pit", path, errp);
    g_free(path);
    if (!ok) {
        object_unref(&dev->parent_obj);
        return NULL;
    }
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}

static void pcspk_reset(DeviceState *dev)
{
    PCSpkState *s = PCSPK(dev);
    s->ctrl = 0;
    pit_set_gate(pcspk_pit(s), 2, 0);
}

static bool pcspk_realize(DeviceState *dev, Error **errp)
{
    PCSpkState *s = PCSPK(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    if (!s->pit) {
        error_setg(errp, "isa-pcspk: property 'pit' must name the isa-pit");
        return false;
    }
    memory_region_init_io(&s->io, &dev->parent_obj, &pcspk_io_ops, s, "pcspk", 1);
    isa_register_ioport(isa, &s->io, s->iobase);
    return true;
}

static void pcspk_unrealize(DeviceState *dev)
{
    PCSpkState *s = PCSPK(dev);
    memory_region_del_subregion(isa_device_bus(ISA_DEVICE(dev))->io, &s->io);
    memory_region_finalize(&s->io);
}

static const VMStateField pcspk_fields[] = {
    VMS_FIELD(PCSpkState, ctrl, VMS_U8),
    VMS_END,
};

static int pcspk_post_load(void *opaque, int version_id)
{
    PCSpkState *s = opaque;
    s->ctrl &= NMISC_WRITABLE;
    return 0;
}

static const VMStateDescription pcspk_vmsd = {
    .name = "pcspk", .version_id = 1, .minimum_version_id = 1,
    .fields = pcspk_fields, .post_load = pcspk_post_load,
};

static const Property pcspk_props[] = {
    PROP_UINT16("iobase", PCSpkState, iobase, PCSPK_IOBASE),
    PROP_LINK("pit", PCSpkState, pit, TYPE_PIT),
    PROP_END,
};

static void pcspk_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->realize = pcspk_realize;
    dc->unrealize = pcspk_unrealize;
    dc->reset = pcspk_reset;
    dc->vmsd = &pcspk_vmsd;
    dc->user_creatable = false;     /* part of the PC board */
    dc->category = "Sound";
    object_class_set_props(klass, pcspk_props);
}

static const TypeInfo pcspk_type = {
    .name = TYPE_PCSPK,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PCSpkState),
    .desc = "PC speaker and port 0x61",
    .class_init = pcspk_class_init,
};

void pcspk_register_types(void)
{
    type_register(&pcspk_type);
}
