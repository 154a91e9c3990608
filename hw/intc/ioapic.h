/*
 * The I/O APIC (82093AA datasheet; version 0x20 as on later chipsets, which
 * adds the EOI register): 24 interrupt pins, each routed by a 64-bit
 * redirection entry to a message for the local APICs.  The LAPIC (or the
 * accelerator's in-kernel one) receives messages through a callback.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_IOAPIC "ioapic"
#define IOAPIC_NUM_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_MMIO_SIZE 0x1000

/* Delivery modes (redirection entry bits 10:8). */
#define IOAPIC_DM_FIXED     0
#define IOAPIC_DM_LOWEST    1
#define IOAPIC_DM_SMI       2
#define IOAPIC_DM_NMI       4
#define IOAPIC_DM_INIT      5
#define IOAPIC_DM_EXTINT    7

typedef struct IOAPICState IOAPICState;

/* One interrupt message, as the IOAPIC sends it on the APIC bus. */
typedef struct IOAPICMessage {
    uint8_t dest;           /* APIC ID (physical) or logical destination */
    uint8_t dest_mode;      /* 0 physical, 1 logical */
    uint8_t delivery_mode;  /* IOAPIC_DM_* */
    uint8_t vector;
    uint8_t trigger_mode;   /* 1 level (the LAPIC must EOI back), 0 edge */
    uint8_t pin;            /* the IOAPIC pin that sent it (for tracing) */
} IOAPICMessage;

typedef void IOAPICDeliverFunc(void *opaque, const IOAPICMessage *msg);

/*
 * Create and realize the IOAPIC on the system bus, its registers mapped at
 * IOAPIC_DEFAULT_BASE in the system memory.  NULL with errp set on failure.
 */
IOAPICState *ioapic_init(Error **errp);
/* The 24 input lines (n = pin = GSI), owned by the IOAPIC. */
IRQLine *ioapic_get_inputs(IOAPICState *s);
/* Where messages go; until set (fn NULL) they are only counted. */
void ioapic_set_delivery(IOAPICState *s, IOAPICDeliverFunc *fn, void *opaque);
/* A LAPIC's EOI of vector: clears remote IRR of level pins with it, re-delivers. */
void ioapic_eoi_broadcast(IOAPICState *s, int vector);
/* Messages sent from pin so far (with or without a delivery callback). */
uint64_t ioapic_get_delivery_count(IOAPICState *s, unsigned pin);

/* The IOAPIC behind a DeviceState of TYPE_IOAPIC. */
IOAPICState *ioapic_from_device(DeviceState *dev);

/* The redirection tables of every IOAPIC (info pic, info ioapic). */
void ioapic_print_info(GString *out);
/* "IRQ statistics for ioapic:" per IOAPIC (info irq). */
void ioapic_print_irq_stats(GString *out);

void ioapic_register_types(void);

#endif
