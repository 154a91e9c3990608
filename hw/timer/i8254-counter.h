/*
 * The 8254's counters, without the device around them: how CE and OUT
 * evolve per mode, and what each counter's port does with bytes.  Internal
 * to hw/timer/i8254*.c; boards use hw/timer/i8254.h.
 *
 * The PIT's CLK is one free-running oscillator: tick k of the virtual clock
 * starts at ceil(k * 1e9 / PIT_FREQ_HZ) ns.  A counter is not stepped tick by
 * tick; its counting element (CE) and OUT are computed from a "segment": the
 * tick at which CE was loaded, the count it was loaded with and the mode.
 * Guest writes and gate edges start new segments; modes 2 and 3 can hold
 * one pending segment that takes over at the end of the current (half-)cycle.
 * A count written during tick t is loaded by the CLK of tick t+1.
 *
 * References are to the Intel 82C54 datasheet (order number 231244).
 */
#ifndef HW_TIMER_I8254_COUNTER_H
#define HW_TIMER_I8254_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

#include "migration/vmstate.h"

/* Control word format */
#define PIT_CW_SC_SHIFT 6           /* SC1-SC0: counter select */
#define PIT_CW_SC_READ_BACK 3
#define PIT_CW_RW_SHIFT 4           /* RW1-RW0 */
#define PIT_CW_RW_MASK 3
#define PIT_CW_M_SHIFT 1            /* M2-M0 */
#define PIT_CW_M_MASK 7
#define PIT_CW_BCD 0x01

/* RW1-RW0: what the counter's port transfers. */
#define PIT_RW_LATCH 0              /* counter latch command */
#define PIT_RW_LSB 1
#define PIT_RW_MSB 2
#define PIT_RW_WORD 3               /* LSB then MSB */

/* Status byte (read-back command) */
#define PIT_STATUS_OUT 0x80
#define PIT_STATUS_NULL_COUNT 0x40

/* A stretch of counting from one load of CE. */
typedef struct PITSegment {
    int64_t start;      /* the CLK tick that loaded CE */
    uint32_t count;     /* modes 0/1/4/5: counts left at start; 2/3: the period N */
    bool done;          /* modes 0/4: terminal count already passed */
    bool low_first;     /* mode 3: starts with the low half-cycle */
    bool out_before;    /* OUT from the write or trigger until start */
} PITSegment;

typedef struct PITChannel {
    uint8_t mode;           /* M2-M0 as written (6 and 7 work as 2 and 3) */
    uint8_t rw;             /* PIT_RW_LSB/MSB/WORD */
    bool bcd;
    bool gate;
    bool armed;             /* a count was written since the control word */
    bool running;           /* CE follows seg; else it holds frozen_ce */
    bool write_msb;         /* write flip-flop: the next byte is the MSB */
    bool read_msb;          /* read flip-flop */
    uint8_t write_lsb;      /* first byte of a two-byte count */
    uint16_t cr;            /* count register, as written */
    uint8_t latch_state;    /* bytes of the output latch still unread (PIT_RW_*) */
    uint16_t latch;
    bool status_latched;
    uint8_t status;
    uint16_t frozen_ce;     /* CE while not running (binary value) */
    bool frozen_out;
    bool frozen_done;
    int64_t load_tick;      /* CR reaches CE at this tick; Null Count until then */
    PITSegment seg;
    bool pending;           /* modes 2/3: next takes over at next.start */
    PITSegment next;
} PITChannel;

/* The CLK tick running at ns, and the first ns of a tick (each inverts the other). */
int64_t pit_ns_to_tick(int64_t ns);
int64_t pit_tick_to_ns(int64_t tick);

/* OUT during tick t. */
bool pit_channel_out(const PITChannel *c, int64_t t);
/* The first tick after t at which OUT changes, or -1. */
int64_t pit_channel_next_transition(const PITChannel *c, int64_t t);

/* A control word for this counter (mode, RW, BCD) written in tick t. */
void pit_channel_control(PITChannel *c, int64_t t, uint8_t val);
/* A byte written to / read from the counter's port in tick t. */
void pit_channel_write(PITChannel *c, int64_t t, uint8_t val);
uint8_t pit_channel_read(PITChannel *c, int64_t t);
/* Counter latch command and the read-back command's two latches. */
void pit_channel_latch_count(PITChannel *c, int64_t t);
void pit_channel_latch_status(PITChannel *c, int64_t t);
void pit_channel_set_gate(PITChannel *c, int64_t t, bool level);

/* The state a PC BIOS leaves: mode 3, count 0 (65536), loaded in tick t. */
void pit_channel_reset(PITChannel *c, int64_t t, bool gate);
/* Clamp what a migration stream put in fields the formulas rely on. */
void pit_channel_sanitize(PITChannel *c);

extern const VMStateDescription pit_channel_vmsd;

#endif
