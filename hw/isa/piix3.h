/*
 * The Intel 82371SB (PIIX3) PCI-to-ISA bridge, function 01.0 of the pc
 * machine: the ISA bus, PCI interrupt routing (PIRQA-D to ISA IRQs, and to
 * IOAPIC GSI 16-19), the edge/level control registers (ELCR, 0x4D0/0x4D1)
 * and the Reset Control Register (0xCF9).
 */
#ifndef HW_ISA_PIIX3_H
#define HW_ISA_PIIX3_H

#include "hw/isa/isa.h"
#include "hw/pci/pci.h"

#define TYPE_PIIX3_DEVICE "PIIX3"
#define PIIX3_NUM_PIRQS 4

typedef struct PIIX3State PIIX3State;

/*
 * Create the PIIX3 at 01.0 of bus (multi-function) with its ISA bus "isa.0"
 * on the PCI bus's memory and I/O spaces, and take over the bus's INTx
 * routing.  The board then wires the ISA lines with
 * isa_bus_set_irqs(piix3_isa_bus(s), lines).  NULL with errp set on failure.
 */
PIIX3State *piix3_create(PCIBus *bus, Error **errp);
ISABus *piix3_isa_bus(PIIX3State *s);
PCIDevice *piix3_pci_device(PIIX3State *s);

/* IOAPIC inputs for PIRQA-D (GSI 16-19): lines[0..3]; NULL entries stay unwired. */
void piix3_set_ioapic_irqs(PIIX3State *s, IRQLine **lines);

/* ELCR of chip 0 (0x4D0: IRQ0-7) or 1 (0x4D1: IRQ8-15); 1 bits are level triggered. */
uint8_t piix3_elcr(PIIX3State *s, int chip);
/*
 * fn(opaque, chip, value) runs whenever an ELCR changes (guest write, reset,
 * load), and once right away with the current values; the board forwards to
 * i8259_set_elcr() of the master (chip 0) or slave (chip 1).
 */
void piix3_set_elcr_handler(PIIX3State *s, void (*fn)(void *opaque, int chip, uint8_t elcr),
                            void *opaque);

void piix3_register_types(void);

#endif
