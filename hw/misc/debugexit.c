/*
 * isa-debug-exit: a test-harness port.  A write of value v asks kemu to
 * exit with status (v << 1) | 1, so a guest can report pass or fail with a
 * status no normal exit produces.
 */
#include "hw/misc/debugexit.h"

#include "hw/isa/isa.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "system/runstate.h"

typedef struct ISADebugExitState {
    ISADevice parent_obj;
    uint32_t iobase;
    uint32_t iosize;
    MemoryRegion io;
} ISADebugExitState;

static ISADebugExitState *ISA_DEBUG_EXIT(DeviceState *dev)
{
    return (ISADebugExitState *)object_check(&dev->parent_obj, TYPE_ISA_DEBUG_EXIT);
}

static uint64_t debugexit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debugexit_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    uint32_t status = ((uint32_t)val << 1) | 1;
    runstate_set_exit_status((int)status);
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

static const MemoryRegionOps debugexit_ops = {
    .read = debugexit_read,
    .write = debugexit_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool debugexit_realize(DeviceState *dev, Error **errp)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);
    if (s->iosize == 0 || s->iosize > 0x10000 || s->iobase > 0x10000 - s->iosize) {
        error_setg(errp, "isa-debug-exit: ports 0x%x+0x%x do not fit the I/O space",
                   s->iobase, s->iosize);
        return false;
    }
    memory_region_init_io(&s->io, &dev->parent_obj, &debugexit_ops, s, TYPE_ISA_DEBUG_EXIT,
                          s->iosize);
    isa_register_ioport(&s->parent_obj, &s->io, s->iobase);
    return true;
}

static void debugexit_unrealize(DeviceState *dev)
{
    memory_region_finalize(&ISA_DEBUG_EXIT(dev)->io);
}

/* Stateless: only the configuration. */
static const VMStateField debugexit_vmstate_fields[] = {
    VMS_END,
};

static const VMStateDescription debugexit_vmstate = {
    .name = "isa-debug-exit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = debugexit_vmstate_fields,
};

static const Property debugexit_props[] = {
    { .name = "iobase", .info = &prop_info_uint32, .offset = offsetof(ISADebugExitState, iobase),
      .defval.u = 0x501, .desc = "first I/O port" },
    { .name = "iosize", .info = &prop_info_uint32, .offset = offsetof(ISADebugExitState, iosize),
      .defval.u = 2, .desc = "number of ports" },
    PROP_END,
};

static void debugexit_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->user_creatable = true;
    dc->category = "Misc";
    dc->realize = debugexit_realize;
    dc->unrealize = debugexit_unrealize;
    dc->vmsd = &debugexit_vmstate;
    object_class_set_props(oc, debugexit_props);
}

static const TypeInfo debugexit_type = {
    .name = TYPE_ISA_DEBUG_EXIT,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISADebugExitState),
    .desc = "write v to exit with status (v << 1) | 1",
    .class_init = debugexit_class_init,
};

void debugexit_register_types(void)
{
    type_register(&debugexit_type);
}
