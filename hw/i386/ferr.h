/*
 * The PC/AT's x87 error latch: the CPU's FERR# raises IRQ 13, a write to
 * I/O port 0xf0 clears it (and asserts IGNNE#).
 */
#ifndef HW_I386_FERR_H
#define HW_I386_FERR_H

#include "hw/core/irq.h"
#include "hw/isa/isa.h"

#define TYPE_ISA_FERR "isa-ferr"

/* Create and realize the latch on bus (port 0xf0, IRQ 13); NULL with errp set. */
ISADevice *ferr_init(ISABus *bus, Error **errp);
/* The CPU's FERR# pin: a rising level sets the latch. */
IRQLine *ferr_get_input(ISADevice *dev);

void ferr_register_types(void);

#endif
