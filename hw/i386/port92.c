/*
 * System Control Port A at 0x92 (PS/2 tech ref; PIIX datasheets "Port 92h"):
 *   bit 0  ALT_RST: a 0 -> 1 transition resets the CPU (here: a reset request)
 *   bit 1  ALT_A20: A20 gate
 *   other bits are stored and read back (security lock, disk activity LEDs).
 * The A20 output is driven with bit 1 on every write, like the 8042's output
 * port, so either can open or close the gate; it is not driven at reset
 * (bit 1 resets to 0, the gate stays as the board set it).
 */
#include "hw/i386/port92.h"

#include "migration/vmstate.h"
#include "system/runstate.h"

#define PORT92_PORT     0x92
#define PORT92_RESET    0x01
#define PORT92_A20      0x02

typedef struct Port92State {
    ISADevice parent_obj;
    MemoryRegion io;
    IRQLine *a20_out;
    uint8_t value;
} Port92State;

static inline Port92State *PORT92(DeviceState *dev)
{
    return (Port92State *)object_check(&dev->parent_obj, TYPE_PORT92);
}

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;
    return s->value;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->value;
    s->value = val;
    irq_set(s->a20_out, !!(val & PORT92_A20));
    if ((val & PORT92_RESET) && !(old & PORT92_RESET)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

ISADevice *port92_init(ISABus *bus, IRQLine *a20_out, Error **errp)
{
    ISADevice *dev = isa_create_simple(bus, TYPE_PORT92, errp);
    if (dev) {
        port92_set_a20_line(dev, a20_out);
    }
    return dev;
}

void port92_set_a20_line(ISADevice *dev, IRQLine *a20_out)
{
    PORT92(&dev->parent_obj)->a20_out = a20_out;
}

static void port92_reset(DeviceState *dev)
{
    PORT92(dev)->value = 0;
}

static bool port92_realize(DeviceState *dev, Error **errp)
{
    Port92State *s = PORT92(dev);
    memory_region_init_io(&s->io, &dev->parent_obj, &port92_ops, s, "port92", 1);
    isa_register_ioport(&s->parent_obj, &s->io, PORT92_PORT);
    return true;
}

static void port92_unrealize(DeviceState *dev)
{
    memory_region_finalize(&PORT92(dev)->io);
}

static const VMStateField port92_vmstate_fields[] = {
    VMS_FIELD(Port92State, value, VMS_U8),
    VMS_END,
};

static const VMStateDescription port92_vmstate = {
    .name = "port92",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = port92_vmstate_fields,
};

static void port92_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = port92_realize;
    dc->unrealize = port92_unrealize;
    dc->reset = port92_reset;
    dc->vmsd = &port92_vmstate;
    dc->category = "Misc";
    /* A fixed port wired to A20: the board creates it. */
    dc->user_creatable = false;
}

static const TypeInfo port92_type = {
    .name = TYPE_PORT92,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(Port92State),
    .desc = "System Control Port A (fast A20 and reset)",
    .class_init = port92_class_init,
};

void port92_register_types(void)
{
    type_register(&port92_type);
}
