/*
 * x87 error reporting the PC/AT way (IBM PC/AT Technical Reference, the
 * 80287 interface; SDM vol. 1, D.1 and D.2.1): with CR0.NE=0 the CPU
 * signals an unmasked x87 exception on FERR#, which sets a latch driving
 * IRQ 13 (the slave 8259's input 5).  The handler writes any value to
 * port 0xf0: that clears the latch and asserts IGNNE#.  The interpreter
 * never stalls on a pending exception with NE=0, so IGNNE# has nothing to
 * release and is not modelled beyond the latch.  Reads of port 0xf0 see
 * nothing (all ones).
 */
#include "hw/i386/ferr.h"

#include "migration/vmstate.h"

#define FERR_PORT       0xf0
#define FERR_ISA_IRQ    13

typedef struct FerrState {
    ISADevice parent_obj;
    MemoryRegion io;
    IRQLine *ferr_in;           /* the CPU's FERR# */
    bool ferr;                  /* FERR# level, for edge detection */
    bool latched;               /* IRQ 13 is asserted */
} FerrState;

static inline FerrState *ISA_FERR(DeviceState *dev)
{
    return (FerrState *)object_check(&dev->parent_obj, TYPE_ISA_FERR);
}

static void ferr_update(FerrState *s)
{
    irq_set(isa_get_irq(&s->parent_obj, FERR_ISA_IRQ), s->latched);
}

static void ferr_pin_set(void *opaque, int n, int level)
{
    FerrState *s = opaque;
    if (level && !s->ferr) {
        s->latched = true;
        ferr_update(s);
    }
    s->ferr = level != 0;
}

static uint64_t ferr_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xff;
}

static void ferr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FerrState *s = opaque;
    s->latched = false;
    ferr_update(s);
}

static const MemoryRegionOps ferr_ops = {
    .read = ferr_read,
    .write = ferr_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

ISADevice *ferr_init(ISABus *bus, Error **errp)
{
    return isa_create_simple(bus, TYPE_ISA_FERR, errp);
}

IRQLine *ferr_get_input(ISADevice *dev)
{
    return ISA_FERR(&dev->parent_obj)->ferr_in;
}

static void ferr_reset(DeviceState *dev)
{
    FerrState *s = ISA_FERR(dev);
    s->ferr = false;
    s->latched = false;
    ferr_update(s);
}

static bool ferr_realize(DeviceState *dev, Error **errp)
{
    FerrState *s = ISA_FERR(dev);
    memory_region_init_io(&s->io, &dev->parent_obj, &ferr_ops, s, "ferr", 1);
    isa_register_ioport(&s->parent_obj, &s->io, FERR_PORT);
    s->ferr_in = irq_new_array(ferr_pin_set, s, 1);
    return true;
}

static void ferr_unrealize(DeviceState *dev)
{
    FerrState *s = ISA_FERR(dev);
    memory_region_finalize(&s->io);
    irq_free_array(s->ferr_in);
    s->ferr_in = NULL;
}

static const VMStateField ferr_vmstate_fields[] = {
    VMS_FIELD(FerrState, ferr, VMS_BOOL),
    VMS_FIELD(FerrState, latched, VMS_BOOL),
    VMS_END,
};

static const VMStateDescription ferr_vmstate = {
    .name = "isa-ferr",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ferr_vmstate_fields,
};

static void ferr_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = ferr_realize;
    dc->unrealize = ferr_unrealize;
    dc->reset = ferr_reset;
    dc->vmsd = &ferr_vmstate;
    dc->category = "Misc";
    /* Wired to the CPU's FERR#: the board creates it. */
    dc->user_creatable = false;
}

static const TypeInfo ferr_type = {
    .name = TYPE_ISA_FERR,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(FerrState),
    .desc = "x87 FERR# latch on IRQ 13, cleared by port 0xf0",
    .class_init = ferr_class_init,
};

void ferr_register_types(void)
{
    type_register(&ferr_type);
}
