#include "hw/isa/isa.h"

static void isa_device_class_init(ObjectClass *oc, const void *data)
{
    DEVICE_CLASS(oc)->bus_type = TYPE_ISA_BUS;
}

static const TypeInfo isa_bus_type = {
    .name = TYPE_ISA_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(ISABus),
};

static const TypeInfo isa_device_type = {
    .name = TYPE_ISA_DEVICE,
    .parent = TYPE_DEVICE,
    .abstract = true,
    .instance_size = sizeof(ISADevice),
    .class_init = isa_device_class_init,
};

void isa_register_types(void)
{
    type_register(&isa_bus_type);
    type_register(&isa_device_type);
}

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *mem, MemoryRegion *io)
{
    ISABus *bus = ISA_BUS(qbus_new(TYPE_ISA_BUS, parent, "isa.0"));
    bus->mem = mem;
    bus->io = io;
    return bus;
}

void isa_bus_set_irqs(ISABus *bus, IRQLine **irqs)
{
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        bus->irqs[i] = irqs[i];
    }
}

ISABus *isa_device_bus(ISADevice *dev)
{
    return ISA_BUS(dev->parent_obj.parent_bus);
}

IRQLine *isa_get_irq(ISADevice *dev, unsigned n)
{
    ISABus *bus = isa_device_bus(dev);
    return n < ISA_NUM_IRQS ? bus->irqs[n] : NULL;
}

void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t port)
{
    memory_region_add_subregion(isa_device_bus(dev)->io, port, io);
}

ISADevice *isa_create_simple(ISABus *bus, const char *typename, Error **errp)
{
    DeviceState *dev = qdev_new(typename);
    if (!qdev_realize_and_unref(dev, &bus->parent_obj, errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}
