/*
 * Device tests without a CPU: an in-process bench with the system memory and
 * I/O spaces, a manual virtual clock, an ISA bus whose 16 lines are probes,
 * and port/MMIO accessors that go through the same dispatch a CPU uses.
 */
#ifndef TESTS_DEVICES_HARNESS_H
#define TESTS_DEVICES_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "hw/isa/isa.h"
#include "system/memory.h"

/* What an interrupt line was driven to. */
typedef struct IRQProbe {
    IRQLine *line;      /* give this to the device under test */
    int level;
    int raises;         /* 0 -> 1 transitions */
    int lowers;         /* 1 -> 0 transitions */
} IRQProbe;

/* Register every type, set the virtual clock to manual, start the main loop. */
void harness_init(void);
/* A fresh ISA bus (on a dummy bridge) whose IRQ n is harness_isa_irq(n). */
ISABus *harness_isa_bus(void);
IRQProbe *harness_isa_irq(unsigned n);
/* A probe line not attached to anything. */
IRQProbe *harness_irq_probe_new(void);
void harness_irq_probe_reset(IRQProbe *p);

uint8_t harness_inb(uint16_t port);
uint16_t harness_inw(uint16_t port);
uint32_t harness_inl(uint16_t port);
void harness_outb(uint16_t port, uint8_t val);
void harness_outw(uint16_t port, uint16_t val);
void harness_outl(uint16_t port, uint32_t val);

uint8_t harness_readb(hwaddr addr);
uint16_t harness_readw(hwaddr addr);
uint32_t harness_readl(hwaddr addr);
uint64_t harness_readq(hwaddr addr);
void harness_writeb(hwaddr addr, uint8_t val);
void harness_writew(hwaddr addr, uint16_t val);
void harness_writel(hwaddr addr, uint32_t val);
void harness_writeq(hwaddr addr, uint64_t val);

/* Advance the virtual clock, running the timers that fall due. */
void harness_clock_step(int64_t ns);
int64_t harness_clock_ns(void);
/* Run the main loop's pending bottom halves and fd handlers without waiting. */
void harness_poll(void);

/* What a device wrote to a capture chardev, and how that chardev behaves. */
typedef struct HarnessCapture {
    GString *out;       /* every byte the chardev took */
    int limit;          /* bytes taken per write call; 0: all */
    bool stalled;       /* take nothing (a full pipe) */
    bool drip;          /* take one byte on every other call */
    int calls;          /* write calls so far */
} HarnessCapture;

typedef struct Chardev Chardev;
/* A new chardev named id that collects output; *chr (if not NULL) gets it. */
HarnessCapture *harness_capture_chardev(const char *id, Chardev **chr);

/* qdev_new + realize on bus (NULL: the system bus), asserting success. */
DeviceState *harness_create(const char *typename, BusState *bus, const char *const *props);

/*
 * Fuzz a device's registers: write `count` random values (seeded) of random
 * sizes to random offsets in [base, base + len) of the I/O space (io=true)
 * or memory, interleaved with reads and clock steps.  The test passes if
 * nothing crashes (run under ASan/UBSan).
 */
void harness_fuzz(bool io, hwaddr base, uint64_t len, unsigned count, uint32_t seed);

#endif
