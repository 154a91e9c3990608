/*
 * The ISA bus: legacy devices at fixed I/O ports with 16 interrupt lines.
 * The board owns the lines (they fan out to the 8259 PIC and the IOAPIC)
 * and hands them to the bus; a device asks the bus for line n.
 */
#ifndef HW_ISA_ISA_H
#define HW_ISA_ISA_H

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_ISA_BUS "ISA"
#define TYPE_ISA_DEVICE "isa-device"
#define ISA_NUM_IRQS 16

typedef struct ISABus {
    BusState parent_obj;
    MemoryRegion *io;           /* the I/O space devices map their ports into */
    MemoryRegion *mem;          /* the memory space (ISA memory holes, VGA) */
    IRQLine *irqs[ISA_NUM_IRQS];
} ISABus;

typedef struct ISADevice {
    DeviceState parent_obj;
} ISADevice;

static inline ISABus *ISA_BUS(BusState *bus)
{
    return (ISABus *)object_check(&bus->parent_obj, TYPE_ISA_BUS);
}

static inline ISADevice *ISA_DEVICE(DeviceState *dev)
{
    return (ISADevice *)object_check(&dev->parent_obj, TYPE_ISA_DEVICE);
}

/* A new ISA bus under parent (the PIIX3), mapping ports into io. */
ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *mem, MemoryRegion *io);
/* Connect the bus's 16 lines (irqs[n] for ISA IRQ n). */
void isa_bus_set_irqs(ISABus *bus, IRQLine **irqs);
/* The bus a device is plugged into. */
ISABus *isa_device_bus(ISADevice *dev);
/* ISA IRQ n of the device's bus (NULL if unwired or n is out of range). */
IRQLine *isa_get_irq(ISADevice *dev, unsigned n);
/* Map a device's port region at port in the bus's I/O space. */
void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t port);

/* A new ISA device of typename, realized on bus; NULL with errp set on failure. */
ISADevice *isa_create_simple(ISABus *bus, const char *typename, Error **errp);

void isa_register_types(void);

#endif
