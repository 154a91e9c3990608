/*
 * Intel 8254 programmable interval timer ("isa-pit", ports 0x40-0x43).
 * Three counters clocked at 1.193182 MHz from CLOCK_VIRTUAL.  Counter 0's
 * OUT drives ISA IRQ 0; counter 1 is the DRAM refresh counter; counter 2's
 * gate and OUT are bits 0 and 5 of port 0x61 (hw/audio/pcspk.c).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include <stdbool.h>

#include "hw/isa/isa.h"

#define TYPE_PIT "isa-pit"
#define PIT_FREQ_HZ 1193182
#define PIT_NUM_CHANNELS 3

typedef struct PITState PITState;

static inline PITState *PIT(DeviceState *dev)
{
    return (PITState *)object_check(&dev->parent_obj, TYPE_PIT);
}

/* A PIT at ports 0x40-0x43 of bus, on the bus's IRQ 0; NULL with errp set on failure. */
PITState *pit_init(ISABus *bus, Error **errp);

/* The level of a counter's OUT pin now (0 for a bad channel). */
int pit_get_out(PITState *s, int channel);
/* Drive a counter's GATE input (rising edges trigger modes 1, 2, 3 and 5). */
void pit_set_gate(PITState *s, int channel, int level);
int pit_get_gate(PITState *s, int channel);
/*
 * Connect or disconnect counter 0's OUT from IRQ 0 (the HPET's legacy
 * replacement route takes IRQ 0 over).  The counter keeps counting.
 */
void pit_set_enabled(PITState *s, bool enabled);

void pit_register_types(void);

#endif
