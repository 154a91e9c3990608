/*
 * High Precision Event Timer ("hpet"), IA-PC HPET specification 1.0a:
 * a 64-bit main counter at 100 MHz of CLOCK_VIRTUAL and three comparators,
 * registers at 0xFED00000 (1 KiB).
 *
 * Interrupt outputs.  The board connects output line n (n < 32, the
 * Tn_INT_ROUTE_CNF numbering) with hpet_connect_irq():
 *  - lines 0-15 are the ISA IRQs as the board fans them out (8259 pin n and
 *    the IOAPIC; ISA IRQ 0 reaching IOAPIC pin 2 through the board's
 *    override, as the spec's legacy table asks);
 *  - lines 16-23 are IOAPIC pins 16-23.
 * In LegacyReplacement mode (LEG_RT_CNF) timer 0 drives line 0 (8259 IRQ0 /
 * IOAPIC pin 2) and timer 1 drives line 8 (IRQ8): the PIT's IRQ 0 is turned
 * off with pit_set_enabled() and the RTC's interrupt is blocked.  For that the
 * board gives the RTC hpet_rtc_irq_in() as its interrupt line; the HPET
 * passes it on to line 8 unless it is in legacy mode.
 * Otherwise a timer drives the line of its Tn_INT_ROUTE_CNF, which must be
 * set in Tn_INT_ROUTE_CAP: by default IOAPIC pins 20-23 (property "intcap",
 * 0x00f00000), free of the ISA IRQs and of the PIIX's PCI interrupts.
 */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include <stdint.h>

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "hw/timer/i8254.h"

#define TYPE_HPET "hpet"
#define HPET_BASE 0xfed00000ULL
#define HPET_LEN 0x400
#define HPET_NUM_TIMERS 3
#define HPET_NUM_IRQ_LINES 32
#define HPET_LEGACY_TIMER0_LINE 0
#define HPET_LEGACY_TIMER1_LINE 8
#define HPET_DEFAULT_INTCAP 0x00f00000u

typedef struct HPETState HPETState;

static inline HPETState *HPET(DeviceState *dev)
{
    return (HPETState *)object_check(&dev->parent_obj, TYPE_HPET);
}

/*
 * An HPET on the system bus mapped at HPET_BASE; pit (may be NULL) is the
 * isa-pit whose IRQ 0 legacy mode turns off.  NULL with errp set on failure.
 */
HPETState *hpet_init(PITState *pit, Error **errp);
/* Wire output line n (0..31) to line (NULL: unwired). */
void hpet_connect_irq(HPETState *s, unsigned n, IRQLine *line);
/* The input the RTC drives instead of ISA IRQ 8 (see above). */
IRQLine *hpet_rtc_irq_in(HPETState *s);
/* The low 32 bits of the capabilities: the ACPI HPET table's Event Timer Block ID. */
uint32_t hpet_block_id(HPETState *s);

void hpet_register_types(void);

#endif
