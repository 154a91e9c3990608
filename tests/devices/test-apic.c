/*
 * The local APIC without running a CPU: two x86-cpu devices with their
 * APICs, the xAPIC page reached through the memory dispatch as the "current"
 * CPU, the MSRs through apic_msr_access.  Registers, priorities (TPR, PPR,
 * ISR), EOI, IPIs (fixed, logical, shorthands, NMI, INIT, SIPI), the timer
 * in its three modes against the manual virtual clock, IOAPIC and MSI
 * delivery, x2APIC, info lapic, and a fuzz of everything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "system/cpus.h"
#include "tests/devices/harness.h"

#define LAPIC       0xfee00000ull
#define ID          0x020
#define VERSION     0x030
#define TPR         0x080
#define PPR         0x0a0
#define EOI         0x0b0
#define LDR         0x0d0
#define DFR         0x0e0
#define SVR         0x0f0
#define ISR         0x100
#define TMR         0x180
#define IRR         0x200
#define ESR         0x280
#define ICR_LO      0x300
#define ICR_HI      0x310
#define LVTT        0x320
#define LVT0        0x350
#define LVT1        0x360
#define LVTERR      0x370
#define TICR        0x380
#define TCCR        0x390
#define TDCR        0x3e0

#define MASKED      (1u << 16)
#define PERIODIC    (1u << 17)
#define TSC_DEADLINE (2u << 17)

static X86CPU *cpu[2];
static IOAPICState *ioapic;
static IRQLine *gsi;

static int group_setup(void **state)
{
    Error *err = NULL;

    harness_init();
    cpus_init();
    for (int i = 0; i < 2; i++) {
        DeviceState *dev = qdev_new(TYPE_X86_CPU);
        char id[4];
        snprintf(id, sizeof(id), "%d", i);
        if (!qdev_prop_set(dev, "apic-id", id, &err) || !qdev_realize_and_unref(dev, NULL, &err)) {
            return -1;
        }
        cpu[i] = X86_CPU(&dev->parent_obj);
        if (!cpus_add(cpu[i], &err) || !apic_init(cpu[i], &err)) {
            return -1;
        }
        /* x2APIC is a -cpu feature; the APIC honours EXTD only when it is there. */
        cpu[i]->features[FEAT_1_ECX] |= CPUID_1_ECX_X2APIC;
    }
    ioapic = ioapic_init(&err);
    if (!ioapic) {
        return -1;
    }
    gsi = ioapic_get_inputs(ioapic);
    apic_bus_set_ioapic(ioapic);
    ioapic_set_delivery(ioapic, apic_ioapic_deliver, NULL);
    return 0;
}

static int test_setup(void **state)
{
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        irq_lower(&gsi[i]);
    }
    qdev_reset_all((DeviceState *)ioapic);
    for (int i = 0; i < 2; i++) {
        x86_cpu_reset(cpu[i]);
        qdev_reset_all(cpu[i]->apic);
        cpu[i]->env.interrupt_request = 0;
    }
    cpus_set_current(cpu[0]);
    return 0;
}

/* The xAPIC page as CPU n sees it. */
static uint32_t rd(int n, unsigned off)
{
    cpus_set_current(cpu[n]);
    uint32_t v = harness_readl(LAPIC + off);
    cpus_set_current(cpu[0]);
    return v;
}

static void wr(int n, unsigned off, uint32_t val)
{
    cpus_set_current(cpu[n]);
    harness_writel(LAPIC + off, val);
    cpus_set_current(cpu[0]);
}

static bool irr_has(int n, int v)
{
    return rd(n, IRR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static bool isr_has(int n, int v)
{
    return rd(n, ISR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static uint32_t events(int n)
{
    return cpu[n]->env.interrupt_request;
}

static void enable_both(void)
{
    wr(0, SVR, 0x1ff);
    wr(1, SVR, 0x1ff);
}

/* Fixed IPI from CPU 0 to APIC ID dest. */
static void ipi(uint32_t dest, uint32_t lo)
{
    wr(0, ICR_HI, dest << 24);
    wr(0, ICR_LO, lo);
}

static int inta(int n)
{
    return apic_get_interrupt(cpu[n]->apic);
}

static void test_registers(void **state)
{
    assert_int_equal(rd(0, ID), 0);
    assert_int_equal(rd(1, ID), 1u << 24);
    assert_int_equal(rd(0, VERSION), 0x00050014);
    assert_int_equal(rd(0, SVR), 0xff);
    assert_int_equal(rd(0, DFR), 0xffffffff);
    assert_int_equal(rd(0, LVTT), MASKED);
    assert_int_equal(rd(1, LVT0), MASKED);
    /* The BSP's LINT0 starts as ExtINT (virtual wire), as firmware leaves it. */
    assert_int_equal(rd(0, LVT0), 0x700);
    wr(0, TPR, 0x12345678);
    assert_int_equal(rd(0, TPR), 0x78);
    assert_int_equal(rd(0, PPR), 0x78);
    wr(0, LDR, 0xffffffff);
    assert_int_equal(rd(0, LDR), 0xff000000);
    /* Read-only registers ignore writes. */
    wr(0, VERSION, 0);
    wr(0, PPR, 0);
    assert_int_equal(rd(0, VERSION), 0x00050014);
    /* LVT masks stay set while software-disabled. */
    wr(0, LVTT, 0x30);
    assert_int_equal(rd(0, LVTT), MASKED | 0x30);
    wr(0, SVR, 0x1ff);
    wr(0, LVTT, 0x30);
    assert_int_equal(rd(0, LVTT), 0x30);
    /* Disabling masks every LVT entry again. */
    wr(0, SVR, 0xff);
    assert_int_equal(rd(0, LVTT), MASKED | 0x30);
    assert_int_equal(rd(0, LVT0), MASKED | 0x700);
    /* The page is per CPU: CPU 1 sees its own registers. */
    assert_int_equal(rd(1, TPR), 0);
}

static void test_esr(void **state)
{
    enable_both();
    /* Illegal register (0x3f0, x2APIC only): the error is latched by the next ESR write. */
    wr(0, 0x3f0, 1);
    assert_int_equal(rd(0, ESR), 0);
    wr(0, ESR, 0);
    assert_int_equal(rd(0, ESR), 0x80);
    wr(0, ESR, 0);
    assert_int_equal(rd(0, ESR), 0);
    /* Send illegal vector: not sent. */
    ipi(1, 0x05);
    assert_false(irr_has(1, 5));
    wr(0, ESR, 0);
    assert_int_equal(rd(0, ESR), 0x20);
    /* The error LVT interrupts on a new error. */
    wr(0, LVTERR, 0xfe);
    ipi(1, 0x06);
    assert_true(irr_has(0, 0xfe));
    /* Receive illegal vector: from the IOAPIC with vector 3. */
    ioapic_set_delivery(ioapic, apic_ioapic_deliver, NULL);
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 4 + 1);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 1u << 24);
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 4);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 0x03);
    irq_raise(&gsi[4]);
    wr(1, ESR, 0);
    assert_int_equal(rd(1, ESR), 0x40);
}

static void test_priorities(void **state)
{
    enable_both();
    ipi(1, 0x40);
    assert_true(irr_has(1, 0x40));
    assert_true(events(1) & CPU_INTERRUPT_HARD);
    assert_false(events(0) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(1), 0x40);
    assert_false(irr_has(1, 0x40));
    assert_true(isr_has(1, 0x40));
    assert_int_equal(rd(1, PPR), 0x40);
    assert_false(events(1) & CPU_INTERRUPT_HARD);
    /* Same class or lower waits in the IRR; a higher class nests. */
    ipi(1, 0x45);
    ipi(1, 0x35);
    assert_false(events(1) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(1), -1);
    ipi(1, 0x61);
    assert_true(events(1) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(1), 0x61);
    assert_int_equal(rd(1, PPR), 0x60);
    /* EOI retires the highest in service first. */
    wr(1, EOI, 0);
    assert_false(isr_has(1, 0x61));
    assert_true(isr_has(1, 0x40));
    assert_false(events(1) & CPU_INTERRUPT_HARD);
    wr(1, EOI, 0);
    assert_int_equal(inta(1), 0x45);
    wr(1, EOI, 0);
    /* TPR holds back lower classes; lowering it releases them. */
    wr(1, TPR, 0x50);
    assert_int_equal(rd(1, PPR), 0x50);
    assert_false(events(1) & CPU_INTERRUPT_HARD);
    wr(1, TPR, 0x20);
    assert_true(events(1) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(1), 0x35);
    wr(1, EOI, 0);
    assert_int_equal(rd(1, PPR), 0x20);
    /* EOI with nothing in service is harmless. */
    wr(1, EOI, 0);
    /* Software-disabled: held in the IRR, not presented. */
    wr(1, SVR, 0xff);
    ipi(1, 0x70);
    assert_true(irr_has(1, 0x70));
    assert_false(events(1) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(1), -1);
}

static void test_spurious(void **state)
{
    /* The spurious vector is programmable; nothing pending: no vector. */
    wr(0, SVR, 0x1ef);
    assert_int_equal(rd(0, SVR), 0x1ef);
    assert_int_equal(inta(0), -1);
    /* ExtINT ignores priorities and takes the vector from the 8259 (none here). */
    wr(0, LVT0, 0x700);
    apic_set_lint(cpu[0]->apic, 0, 1);
    assert_true(events(0) & CPU_INTERRUPT_HARD);
    assert_int_equal(inta(0), -1);
    apic_set_lint(cpu[0]->apic, 0, 0);
    assert_false(events(0) & CPU_INTERRUPT_HARD);
    /* LINT0 masked: the 8259 does not get through. */
    wr(0, LVT0, MASKED | 0x700);
    apic_set_lint(cpu[0]->apic, 0, 1);
    assert_false(events(0) & CPU_INTERRUPT_HARD);
    apic_set_lint(cpu[0]->apic, 0, 0);
    /* LINT1 as NMI. */
    wr(0, LVT1, 0x400);
    apic_set_lint(cpu[0]->apic, 1, 1);
    assert_true(events(0) & CPU_INTERRUPT_NMI);
}

static void test_destinations(void **state)
{
    enable_both();
    /* Shorthands: self, all including self, all but self. */
    wr(0, ICR_LO, 0x41 | 1u << 18);
    assert_true(irr_has(0, 0x41));
    assert_false(irr_has(1, 0x41));
    wr(0, ICR_LO, 0x42 | 2u << 18);
    assert_true(irr_has(0, 0x42) && irr_has(1, 0x42));
    wr(0, ICR_LO, 0x43 | 3u << 18);
    assert_false(irr_has(0, 0x43));
    assert_true(irr_has(1, 0x43));
    /* Physical broadcast. */
    ipi(0xff, 0x44);
    assert_true(irr_has(0, 0x44) && irr_has(1, 0x44));
    /* Flat logical: a bit per APIC. */
    wr(0, LDR, 0x01000000);
    wr(1, LDR, 0x02000000);
    ipi(0x02, 0x51 | 1u << 11);
    assert_false(irr_has(0, 0x51));
    assert_true(irr_has(1, 0x51));
    ipi(0x03, 0x52 | 1u << 11);
    assert_true(irr_has(0, 0x52) && irr_has(1, 0x52));
    /* Cluster logical: cluster in the high nibble. */
    wr(0, DFR, 0x0fffffff);
    wr(1, DFR, 0x0fffffff);
    wr(0, LDR, 0x11000000);
    wr(1, LDR, 0x12000000);
    ipi(0x12, 0x53 | 1u << 11);
    assert_false(irr_has(0, 0x53));
    assert_true(irr_has(1, 0x53));
    ipi(0x23, 0x54 | 1u << 11);
    assert_false(irr_has(0, 0x54) || irr_has(1, 0x54));
    /* Lowest priority: one of the two, the one with the lower TPR. */
    wr(0, TPR, 0x80);
    ipi(0x13, 0x55 | 1u << 11 | 1u << 8);
    assert_false(irr_has(0, 0x55));
    assert_true(irr_has(1, 0x55));
}

static void test_nmi_init_sipi(void **state)
{
    enable_both();
    ipi(1, 0x400);
    assert_true(events(1) & CPU_INTERRUPT_NMI);
    /* INIT level de-assert does nothing; INIT assert does. */
    ipi(1, 0x8500);
    assert_false(events(1) & CPU_INTERRUPT_INIT);
    ipi(1, 0x4500);
    assert_true(events(1) & CPU_INTERRUPT_INIT);
    /* The AP waits for SIPI: it takes the vector. */
    assert_int_equal(cpu[1]->env.mp_state, X86_MP_WAIT_FOR_SIPI);
    ipi(1, 0x4608);
    assert_true(events(1) & CPU_INTERRUPT_SIPI);
    assert_int_equal(cpu[1]->env.sipi_vector, 8);
    /* A running CPU ignores SIPI. */
    wr(1, ICR_HI, 0);
    wr(1, ICR_LO, 0x4609);
    assert_false(events(0) & CPU_INTERRUPT_SIPI);
    /* The ICR reads back, delivery status idle. */
    assert_int_equal(rd(1, ICR_LO), 0x4609);
    /* INIT resets the APIC but keeps its ID. */
    wr(1, TPR, 0x30);
    apic_init_reset(cpu[1]->apic);
    assert_int_equal(rd(1, TPR), 0);
    assert_int_equal(rd(1, ID), 1u << 24);
    assert_int_equal(rd(1, SVR), 0xff);
}

static void test_timer_oneshot(void **state)
{
    enable_both();
    wr(0, TDCR, 0xb);                   /* divide by 1: one count per ns */
    wr(0, LVTT, 0x30);
    wr(0, TICR, 1000);
    assert_int_equal(rd(0, TICR), 1000);
    harness_clock_step(400);
    assert_int_equal(rd(0, TCCR), 600);
    assert_false(irr_has(0, 0x30));
    harness_clock_step(600);
    assert_true(irr_has(0, 0x30));
    assert_int_equal(rd(0, TCCR), 0);
    assert_int_equal(inta(0), 0x30);
    wr(0, EOI, 0);
    harness_clock_step(10000);
    assert_false(irr_has(0, 0x30));
    /* Divide by 2 (TDCR 0): twice as long. */
    wr(0, TDCR, 0);
    wr(0, TICR, 1000);
    harness_clock_step(1500);
    assert_int_equal(rd(0, TCCR), 250);
    assert_false(irr_has(0, 0x30));
    harness_clock_step(500);
    assert_true(irr_has(0, 0x30));
    /* A masked timer counts but does not interrupt. */
    assert_int_equal(inta(0), 0x30);
    wr(0, EOI, 0);
    wr(0, LVTT, MASKED | 0x30);
    wr(0, TDCR, 0xb);
    wr(0, TICR, 100);
    harness_clock_step(200);
    assert_false(irr_has(0, 0x30));
    /* Initial count 0 stops it. */
    wr(0, LVTT, 0x30);
    wr(0, TICR, 0);
    harness_clock_step(1000);
    assert_false(irr_has(0, 0x30));
}

static void test_timer_periodic(void **state)
{
    enable_both();
    wr(1, TDCR, 0xb);
    wr(1, LVTT, PERIODIC | 0x31);
    wr(1, TICR, 100000);                /* 100 us */
    int ticks = 0;
    for (int i = 0; i < 20; i++) {
        harness_clock_step(50000);
        if (inta(1) == 0x31) {
            ticks++;
            wr(1, EOI, 0);
        }
    }
    assert_int_equal(ticks, 10);
    assert_int_equal(rd(1, TCCR), 100000);
    harness_clock_step(25000);
    assert_int_equal(rd(1, TCCR), 75000);
    wr(1, LVTT, MASKED);
    harness_clock_step(1000000);
    assert_false(irr_has(1, 0x31));
}

static void test_timer_deadline(void **state)
{
    uint64_t v;

    enable_both();
    /* Outside TSC-deadline mode the MSR ignores writes and reads 0. */
    v = 12345;
    assert_int_equal(apic_msr_access(cpu[0], 0x6e0, &v, true), 1);
    assert_int_equal(apic_msr_access(cpu[0], 0x6e0, &v, false), 1);
    assert_int_equal(v, 0);
    wr(0, LVTT, TSC_DEADLINE | 0x32);
    assert_int_equal(rd(0, LVTT), TSC_DEADLINE | 0x32);
    /* The initial count is ignored in this mode. */
    wr(0, TICR, 10);
    assert_int_equal(rd(0, TICR), 0);
    uint64_t now = harness_clock_ns() + cpu[0]->env.tsc_offset;
    v = now + 5000;
    assert_int_equal(apic_msr_access(cpu[0], 0x6e0, &v, true), 1);
    assert_int_equal(apic_msr_access(cpu[0], 0x6e0, &v, false), 1);
    assert_int_equal(v, now + 5000);
    harness_clock_step(4000);
    assert_false(irr_has(0, 0x32));
    harness_clock_step(1000);
    assert_true(irr_has(0, 0x32));
    /* Fired: disarmed, the MSR reads 0. */
    apic_msr_access(cpu[0], 0x6e0, &v, false);
    assert_int_equal(v, 0);
    assert_int_equal(inta(0), 0x32);
    wr(0, EOI, 0);
    /* A deadline in the past fires at once; 0 disarms. */
    v = 1;
    apic_msr_access(cpu[0], 0x6e0, &v, true);
    harness_clock_step(1);
    assert_true(irr_has(0, 0x32));
    assert_int_equal(inta(0), 0x32);
    wr(0, EOI, 0);
    v = harness_clock_ns() + 100;
    apic_msr_access(cpu[0], 0x6e0, &v, true);
    v = 0;
    apic_msr_access(cpu[0], 0x6e0, &v, true);
    harness_clock_step(1000);
    assert_false(irr_has(0, 0x32));
}

static void test_ioapic(void **state)
{
    enable_both();
    /* Pin 5: vector 0x45, level, to APIC 1. */
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 5 + 1);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 1u << 24);
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 5);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 0x45 | 1u << 15);
    irq_raise(&gsi[5]);
    assert_true(irr_has(1, 0x45));
    assert_true(rd(1, TMR + 0x20) & (1u << 5));
    assert_false(irr_has(0, 0x45));
    assert_int_equal(inta(1), 0x45);
    /* EOI with the line still up: remote IRR clears and it comes again. */
    wr(1, EOI, 0);
    assert_true(irr_has(1, 0x45));
    irq_lower(&gsi[5]);
    assert_int_equal(inta(1), 0x45);
    wr(1, EOI, 0);
    assert_false(irr_has(1, 0x45));
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 5);
    assert_false(harness_readl(IOAPIC_DEFAULT_BASE + 0x10) & (1u << 14));
    /* Edge, NMI mode, to APIC 0. */
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 6 + 1);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 0);
    harness_writel(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 6);
    harness_writel(IOAPIC_DEFAULT_BASE + 0x10, 4u << 8);
    irq_raise(&gsi[6]);
    assert_true(events(0) & CPU_INTERRUPT_NMI);
}

static void test_msi(void **state)
{
    enable_both();
    apic_deliver_msi(0xfee01000, 0x46);
    assert_true(irr_has(1, 0x46));
    assert_false(irr_has(0, 0x46));
    assert_false(rd(1, TMR + 0x20) & (1u << 6));
    /* A write by no CPU (a device) in the window is an MSI too. */
    cpus_set_current(NULL);
    harness_writel(0xfee00000, 0x47);
    harness_writel(0xfee00000 | 0xff << 12, 0x48);
    cpus_set_current(cpu[0]);
    assert_true(irr_has(0, 0x47));
    assert_false(irr_has(1, 0x47));
    assert_true(irr_has(0, 0x48) && irr_has(1, 0x48));
    /* Outside the window: dropped. */
    apic_deliver_msi(0xfef00000, 0x49);
    assert_false(irr_has(0, 0x49) || irr_has(1, 0x49));
}

static void test_x2apic(void **state)
{
    uint64_t v, base = cpu[0]->env.apic_base;

    /* Not in x2APIC mode: the MSRs #GP. */
    assert_int_equal(apic_msr_access(cpu[0], 0x802, &v, false), 0);
    /* disabled -> x2APIC directly is invalid; EXTD without EN too. */
    v = (base & ~(1ull << 11)) | 1u << 10;
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 0);
    v = base | 1u << 10;
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 1);
    assert_int_equal(apic_msr_access(cpu[1], 0x1b, &(uint64_t){ cpu[1]->env.apic_base | 1u << 10 },
                                     true), 1);
    assert_int_equal(apic_msr_access(cpu[0], 0x802, &v, false), 1);
    assert_int_equal(v, 0);
    assert_int_equal(apic_msr_access(cpu[1], 0x802, &v, false), 1);
    assert_int_equal(v, 1);
    assert_int_equal(apic_msr_access(cpu[1], 0x80d, &v, false), 1);
    assert_int_equal(v, 2);                                 /* cluster 0, bit 1 */
    assert_int_equal(apic_msr_access(cpu[0], 0x803, &v, false), 1);
    assert_int_equal(v, 0x00050014);
    /* Read-only, write-only and absent registers #GP. */
    v = 5;
    assert_int_equal(apic_msr_access(cpu[0], 0x802, &v, true), 0);
    assert_int_equal(apic_msr_access(cpu[0], 0x80b, &v, false), 0);
    assert_int_equal(apic_msr_access(cpu[0], 0x80e, &v, false), 0);
    assert_int_equal(apic_msr_access(cpu[0], 0x831, &v, false), 0);
    assert_int_equal(apic_msr_access(cpu[0], 0x80b, &v, true), 0);  /* EOI must be 0 */
    /* SVR, then a 64-bit ICR to x2APIC ID 1 and a self IPI. */
    v = 0x1ff;
    assert_int_equal(apic_msr_access(cpu[0], 0x80f, &v, true), 1);
    assert_int_equal(apic_msr_access(cpu[1], 0x80f, &v, true), 1);
    v = 1ull << 32 | 0x61;
    assert_int_equal(apic_msr_access(cpu[0], 0x830, &v, true), 1);
    assert_int_equal(apic_msr_access(cpu[1], 0x820 + 3, &v, false), 1);
    assert_true(v & (1u << 1));
    v = 0x62;
    assert_int_equal(apic_msr_access(cpu[0], 0x83f, &v, true), 1);
    assert_int_equal(apic_get_interrupt(cpu[0]->apic), 0x62);
    v = 0;
    assert_int_equal(apic_msr_access(cpu[0], 0x80b, &v, true), 1);
    /* The xAPIC page is gone in x2APIC mode. */
    assert_int_equal(rd(0, VERSION), 0);
    /* x2APIC -> xAPIC is invalid; -> disabled is fine. */
    v = base;
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 0);
    v = base & ~(3ull << 10);
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 1);
    /* The BSP flag is read-only; reserved bits #GP. */
    v = base & ~(uint64_t)MSR_IA32_APICBASE_BSP;
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 1);
    assert_true(cpu[0]->env.apic_base & MSR_IA32_APICBASE_BSP);
    v = base | 1;
    assert_int_equal(apic_msr_access(cpu[0], 0x1b, &v, true), 0);
    /* Not an APIC MSR. */
    assert_int_equal(apic_msr_access(cpu[0], 0x10, &v, false), -1);
}

static void test_info_lapic(void **state)
{
    wr(1, SVR, 0x1ff);
    Monitor *mon = monitor_new_buffer();
    monitor_run_line(mon, "info lapic 1");
    const char *out = monitor_buffer(mon);
    assert_non_null(strstr(out, "dumping local APIC state for CPU 1"));
    assert_non_null(strstr(out, "SPIV\t 0x000001ff APIC enabled"));
    monitor_free(mon);
}

static void test_vmstate(void **state)
{
    DeviceState *dev = cpu[1]->apic;
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    enable_both();
    wr(1, TPR, 0x20);
    ipi(1, 0x40);
    ipi(1, 0x90);
    assert_int_equal(inta(1), 0x90);
    wr(1, TDCR, 0xb);
    wr(1, LVTT, 0x33);
    wr(1, TICR, 5000);
    harness_clock_step(1000);
    assert_true(vmstate_save(buf, vmsd, dev, &err));
    qdev_reset_all(dev);
    assert_int_equal(rd(1, TPR), 0);
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, dev, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    assert_int_equal(rd(1, TPR), 0x20);
    assert_int_equal(rd(1, PPR), 0x90);
    assert_true(isr_has(1, 0x90) && irr_has(1, 0x40));
    assert_int_equal(rd(1, TCCR), 4000);
    /* The timer is armed again: it fires at the saved time. */
    harness_clock_step(3999);
    assert_false(irr_has(1, 0x33));
    harness_clock_step(1);
    assert_true(irr_has(1, 0x33));
    wr(1, EOI, 0);
    assert_int_equal(inta(1), 0x40);
    g_byte_array_free(buf, true);
}

static void test_fuzz(void **state)
{
    enable_both();
    harness_fuzz(false, LAPIC, 0x1000, 20000, 11);
    cpus_set_current(cpu[1]);
    harness_fuzz(false, LAPIC, 0x1000, 10000, 12);
    cpus_set_current(NULL);
    harness_fuzz(false, LAPIC, APIC_MSI_SIZE, 5000, 13);
    cpus_set_current(cpu[0]);
    GRand *r = g_rand_new_with_seed(14);
    for (int i = 0; i < 20000; i++) {
        uint64_t v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
        uint32_t msr = 0x800 + g_rand_int_range(r, 0, 0x100);
        if (g_rand_int_range(r, 0, 8) == 0) {
            msr = g_rand_boolean(r) ? 0x1b : 0x6e0;
            v &= g_rand_boolean(r) ? 0xfee00d00ull : ~0ull;
        }
        apic_msr_access(cpu[g_rand_int_range(r, 0, 2)], msr, &v, g_rand_boolean(r));
        apic_get_interrupt(cpu[g_rand_int_range(r, 0, 2)]->apic);
        if (i % 64 == 0) {
            harness_clock_step(g_rand_int_range(r, 0, 100000));
        }
    }
    g_rand_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_registers, test_setup),
        cmocka_unit_test_setup(test_esr, test_setup),
        cmocka_unit_test_setup(test_priorities, test_setup),
        cmocka_unit_test_setup(test_spurious, test_setup),
        cmocka_unit_test_setup(test_destinations, test_setup),
        cmocka_unit_test_setup(test_nmi_init_sipi, test_setup),
        cmocka_unit_test_setup(test_timer_oneshot, test_setup),
        cmocka_unit_test_setup(test_timer_periodic, test_setup),
        cmocka_unit_test_setup(test_timer_deadline, test_setup),
        cmocka_unit_test_setup(test_ioapic, test_setup),
        cmocka_unit_test_setup(test_msi, test_setup),
        cmocka_unit_test_setup(test_x2apic, test_setup),
        cmocka_unit_test_setup(test_info_lapic, test_setup),
        cmocka_unit_test_setup(test_vmstate, test_setup),
        cmocka_unit_test_setup(test_fuzz, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
