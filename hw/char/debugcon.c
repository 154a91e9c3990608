/*
 * isa-debugcon: Bochs' 0xe9 port hack.  Every byte written goes to a
 * chardev; a read returns a fixed value (0xe9 by default) so a guest can
 * probe for the port before it prints.
 */
#include "hw/char/debugcon.h"

#include "chardev/char.h"
#include "hw/isa/isa.h"
#include "migration/vmstate.h"
#include "system/memory.h"

typedef struct ISADebugconState {
    ISADevice parent_obj;
    uint32_t iobase;
    uint32_t readback;
    char *chardev;
    CharBackend chr;
    MemoryRegion io;
} ISADebugconState;

static ISADebugconState *ISA_DEBUGCON(DeviceState *dev)
{
    return (ISADebugconState *)object_check(&dev->parent_obj, TYPE_ISA_DEBUGCON);
}

static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    ISADebugconState *s = opaque;
    return s->readback;
}

static void debugcon_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ISADebugconState *s = opaque;
    uint8_t byte = val;
    /* A debug port must not lose output: wait for the backend if it is full. */
    chr_fe_write_all(&s->chr, &byte, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool debugcon_realize(DeviceState *dev, Error **errp)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);
    if (!s->chardev) {
        error_setg(errp, "Can't create debugcon device, empty char device");
        return false;
    }
    Chardev *chr = chardev_find(s->chardev);
    if (!chr) {
        error_setg(errp, "Property 'isa-debugcon.chardev' can't find value '%s'", s->chardev);
        return false;
    }
    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-debugcon: iobase 0x%x is out of range", s->iobase);
        return false;
    }
    if (s->readback > 0xff) {
        error_setg(errp, "isa-debugcon: readback 0x%x is not a byte", s->readback);
        return false;
    }
    if (!chr_fe_init(&s->chr, chr, errp)) {
        return false;
    }
    memory_region_init_io(&s->io, &dev->parent_obj, &debugcon_ops, s, TYPE_ISA_DEBUGCON, 1);
    isa_register_ioport(&s->parent_obj, &s->io, s->iobase);
    return true;
}

static void debugcon_unrealize(DeviceState *dev)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);
    chr_fe_deinit(&s->chr);
    memory_region_finalize(&s->io);
}

/* No guest-visible state changes: only the configuration. */
static const VMStateField debugcon_vmstate_fields[] = {
    VMS_END,
};

static const VMStateDescription debugcon_vmstate = {
    .name = "isa-debugcon",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = debugcon_vmstate_fields,
};

static const Property debugcon_props[] = {
    { .name = "iobase", .info = &prop_info_uint32, .offset = offsetof(ISADebugconState, iobase),
      .defval.u = 0xe9, .desc = "I/O port" },
    { .name = "readback", .info = &prop_info_uint32,
      .offset = offsetof(ISADebugconState, readback), .defval.u = 0xe9,
      .desc = "value a read of the port returns" },
    { .name = "chardev", .info = &prop_info_string, .offset = offsetof(ISADebugconState, chardev),
      .desc = "ID of a chardev to use as a backend" },
    PROP_END,
};

static void debugcon_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->user_creatable = true;
    dc->category = "Misc";
    dc->realize = debugcon_realize;
    dc->unrealize = debugcon_unrealize;
    dc->vmsd = &debugcon_vmstate;
    object_class_set_props(oc, debugcon_props);
}

static const TypeInfo debugcon_type = {
    .name = TYPE_ISA_DEBUGCON,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISADebugconState),
    .desc = "Bochs-style debug console on port 0xe9",
    .class_init = debugcon_class_init,
};

void debugcon_register_types(void)
{
    type_register(&debugcon_type);
}
