/*
 * isa-serial: a 16550A at a COM port.  index picks COM1..COM4's standard
 * port and IRQ; iobase and irq override them.  Left unset, index is the
 * lowest COM port no other isa-serial on the bus uses, so "-device
 * isa-serial" after the board's COM1 becomes COM2, as in QEMU.
 */
#include "hw/char/serial.h"

#include <stdio.h>

typedef struct ISASerialState {
    ISADevice parent_obj;
    int32_t index;          /* -1: the first free COM port */
    int32_t iobase;         /* -1: from index */
    int32_t irq;            /* -1: from index */
    char *chardev;          /* chardev id, or NULL */
    SerialState state;
} ISASerialState;

static const uint16_t isa_serial_iobase[SERIAL_MAX_ISA_PORTS] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint8_t isa_serial_irq[SERIAL_MAX_ISA_PORTS] = { 4, 3, 4, 3 };

static ISASerialState *ISA_SERIAL(DeviceState *dev)
{
    return (ISASerialState *)object_check(&dev->parent_obj, TYPE_ISA_SERIAL);
}

/* Is COM<index+1> taken by another realized isa-serial on bus? */
static bool isa_serial_index_used(BusState *bus, DeviceState *self, int32_t index)
{
    for (guint i = 0; i < bus->children->len; i++) {
        DeviceState *dev = g_ptr_array_index(bus->children, i);
        if (dev != self && dev->realized &&
            object_dynamic_cast(&dev->parent_obj, TYPE_ISA_SERIAL) &&
            ISA_SERIAL(dev)->index == index) {
            return true;
        }
    }
    return false;
}

static bool isa_serial_realize(DeviceState *dev, Error **errp)
{
    ISASerialState *isa = ISA_SERIAL(dev);
    Chardev *chr = NULL;

    if (isa->index == -1) {
        for (int32_t i = 0; i < SERIAL_MAX_ISA_PORTS && isa->index == -1; i++) {
            if (!isa_serial_index_used(dev->parent_bus, dev, i)) {
                isa->index = i;
            }
        }
    }
    if (isa->index < 0 || isa->index >= SERIAL_MAX_ISA_PORTS) {
        isa->index = -1;
        error_setg(errp, "Max. supported number of ISA serial ports is %d.",
                   SERIAL_MAX_ISA_PORTS);
        return false;
    }
    if (isa->iobase == -1) {
        isa->iobase = isa_serial_iobase[isa->index];
    }
    if (isa->irq == -1) {
        isa->irq = isa_serial_irq[isa->index];
    }
    if (isa->iobase < 0 || isa->iobase > 0x10000 - SERIAL_NUM_REGS) {
        error_setg(errp, "isa-serial: iobase 0x%x is out of range", (unsigned)isa->iobase);
        return false;
    }
    if (isa->irq < 0 || isa->irq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq %d is out of range (0..%d)", isa->irq,
                   ISA_NUM_IRQS - 1);
        return false;
    }
    if (isa->chardev) {
        chr = chardev_find(isa->chardev);
        if (!chr) {
            error_setg(errp, "Property 'isa-serial.chardev' can't find value '%s'",
                       isa->chardev);
            return false;
        }
    }
    if (!serial_init(&isa->state, &dev->parent_obj, "serial",
                     isa_get_irq(&isa->parent_obj, isa->irq), chr, errp)) {
        return false;
    }
    isa_register_ioport(&isa->parent_obj, &isa->state.io, isa->iobase);
    return true;
}

static void isa_serial_unrealize(DeviceState *dev)
{
    serial_exit(&ISA_SERIAL(dev)->state);
}

static void isa_serial_reset(DeviceState *dev)
{
    serial_reset(&ISA_SERIAL(dev)->state);
}

static const VMStateField isa_serial_vmstate_fields[] = {
    VMS_STRUCT_ARRAY(ISASerialState, state, 1, SerialState, &vmstate_serial),
    VMS_END,
};

static const VMStateDescription isa_serial_vmstate = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = isa_serial_vmstate_fields,
};

static const Property isa_serial_props[] = {
    { .name = "index", .info = &prop_info_int32, .offset = offsetof(ISASerialState, index),
      .defval.i = -1, .desc = "COM port 0..3 (-1: the first free one)" },
    { .name = "iobase", .info = &prop_info_int32, .offset = offsetof(ISASerialState, iobase),
      .defval.i = -1, .desc = "I/O port base (-1: COM port default)" },
    { .name = "irq", .info = &prop_info_int32, .offset = offsetof(ISASerialState, irq),
      .defval.i = -1, .desc = "ISA IRQ (-1: COM port default)" },
    { .name = "chardev", .info = &prop_info_string, .offset = offsetof(ISASerialState, chardev),
      .desc = "ID of a chardev to use as a backend" },
    PROP_END,
};

static void isa_serial_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->user_creatable = true;
    dc->category = "Input";
    dc->realize = isa_serial_realize;
    dc->unrealize = isa_serial_unrealize;
    dc->reset = isa_serial_reset;
    dc->vmsd = &isa_serial_vmstate;
    object_class_set_props(oc, isa_serial_props);
}

static const TypeInfo isa_serial_type = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISASerialState),
    .desc = "16550A UART at a COM port",
    .class_init = isa_serial_class_init,
};

ISADevice *serial_isa_init(ISABus *bus, int index, Chardev *chr, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
    char text[16];
    snprintf(text, sizeof(text), "%d", index);
    if (!qdev_prop_set(dev, "index", text, errp) ||
        (chr && !qdev_prop_set(dev, "chardev", chr->label, errp))) {
        object_unref(&dev->parent_obj);
        return NULL;
    }
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}

void serial_register_types(void)
{
    type_register(&isa_serial_type);
}
