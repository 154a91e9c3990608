/*
 * The 16550A UART core (National PC16550D, TI TL16C550C): eight registers,
 * 16-byte FIFOs, interrupts, loopback and the line timing at the programmed
 * baud rate.  It is not a device on its own: isa-serial (and later a PCI
 * serial card) embed a SerialState, map serial->io and give it an IRQ line.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "chardev/char.h"
#include "hw/core/irq.h"
#include "hw/isa/isa.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "system/timer.h"

#define TYPE_ISA_SERIAL "isa-serial"

#define SERIAL_FIFO_SIZE 16
#define SERIAL_NUM_REGS 8
#define SERIAL_MAX_ISA_PORTS 4

/* A byte ring; capacity is SERIAL_FIFO_SIZE, or 1 with the FIFOs off. */
typedef struct SerialFifo {
    uint8_t data[SERIAL_FIFO_SIZE];
    uint8_t flags[SERIAL_FIFO_SIZE];    /* RX only: the LSR error bits of each byte */
    uint32_t head;
    uint32_t count;
} SerialFifo;

typedef struct SerialState {
    MemoryRegion io;            /* SERIAL_NUM_REGS one-byte ports */
    IRQLine *irq;
    CharBackend chr;

    /* Registers as the guest programmed them. */
    uint16_t divisor;           /* DLM:DLL */
    uint8_t ier;
    uint8_t fcr;                /* write-only; kept for the FIFO mode and trigger */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;                /* latched bits: OE, PE, FE, BI (and DR, THRE, TEMT) */
    uint8_t msr;
    uint8_t scr;

    /* Receiver. */
    SerialFifo rx;
    bool timeout_pending;       /* character timeout interrupt */
    Timer *rx_timeout_timer;

    /* Transmitter: bytes the chardev has not taken yet (THR / TX FIFO). */
    SerialFifo tx;
    bool thr_pending;           /* THR empty interrupt, cleared by an IIR read */
    Timer *tx_timer;            /* retries a chardev that took nothing */
} SerialState;

/*
 * Set up s inside owner's realize: the register region (map s->io where the
 * bus wants it) and the timers; irq is driven high while an interrupt is
 * pending.  chr may be NULL (output dropped, no input); fails if it is busy.
 */
bool serial_init(SerialState *s, Object *owner, const char *name, IRQLine *irq,
                 Chardev *chr, Error **errp);
/* Undo serial_init (unrealize). */
void serial_exit(SerialState *s);
/* Power-on register values; drops what the FIFOs hold. */
void serial_reset(SerialState *s);

/* The state for a VMS_STRUCT field of the embedding device (checks and re-raises on load). */
extern const VMStateDescription vmstate_serial;

/* ---- isa-serial (serial-isa.c) ---------------------------------------------- */

/*
 * COM<index+1> at its standard port and IRQ (0x3f8/4, 0x2f8/3, 0x3e8/4,
 * 0x2e8/3) on bus, connected to chr (NULL: no chardev).  NULL with errp set
 * on failure.
 */
ISADevice *serial_isa_init(ISABus *bus, int index, Chardev *chr, Error **errp);

void serial_register_types(void);

#endif
