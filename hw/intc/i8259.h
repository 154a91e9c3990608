/*
 * The two cascaded Intel 8259A programmable interrupt controllers of the PC:
 * the master at 0x20/0x21 drives the CPU's INTR line, the slave at 0xA0/0xA1
 * drives the master's IR2.  The edge/level control (ELCR) lives in the PIIX3,
 * which hands its bits over with i8259_set_elcr().
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/irq.h"
#include "hw/isa/isa.h"

#define TYPE_I8259 "isa-i8259"

typedef struct PICState PICState;

/*
 * Create and realize the master (0x20) and slave (0xA0) on bus, cascade the
 * slave into the master's IR2 and connect the master's INT to parent_irq
 * (may be NULL for now).  Returns the 16 ISA input lines (n = ISA IRQ n,
 * 8-15 on the slave), owned by the master; *master_out gets the master.
 * Aborts only if the chips cannot be created (a programming error).
 */
IRQLine *i8259_init(ISABus *bus, IRQLine *parent_irq, PICState **master_out);

/* The slave cascaded on master's IR2 (NULL if none), e.g. for the PIIX3's ELCR2. */
PICState *i8259_get_slave(PICState *master);

/* INTA cycle: acknowledge the highest request and return its vector (slaves included). */
int pic_read_irq(PICState *master);
/* The level of the master's INT output. */
bool pic_get_output(PICState *master);

/* ELCR bits from the PIIX3 (1 = level triggered), limited by "elcr_mask". */
void i8259_set_elcr(PICState *s, uint8_t elcr);
uint8_t i8259_get_elcr(PICState *s);

/* Connect a chip's INT output (i8259_init does it; for boards that wire later). */
void i8259_set_output(PICState *s, IRQLine *int_out);

/* The chip's DeviceState (for qdev_reset_all and such). */
DeviceState *i8259_device(PICState *s);

void i8259_register_types(void);

#endif
