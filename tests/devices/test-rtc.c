/*
 * MC146818A RTC tests through ports 0x70/0x71 on the manual virtual clock
 * (clock=vm, base=a fixed date, so every run sees the same times): the
 * time in BCD and binary, 12/24 hours, SET, registers A-D, the periodic,
 * update-ended and alarm interrupts, UIP, divider reset, NMI mask, CMOS
 * RAM, reset, VMState, and a fuzz run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/rtc/mc146818rtc.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define NS 1000000000LL
#define BASE_DATE "2006-06-17T16:01:21"     /* a Saturday */

enum {
    SEC = 0x00, SEC_ALARM = 0x01, MIN = 0x02, MIN_ALARM = 0x03, HOUR = 0x04,
    HOUR_ALARM = 0x05, WDAY = 0x06, MDAY = 0x07, MONTH = 0x08, YEAR = 0x09,
    REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d, CENTURY = 0x32,
};

static DeviceState *rtc;
static IRQProbe *irq8;

static uint8_t cmos_read(uint8_t idx)
{
    harness_outb(0x70, idx);
    return harness_inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t val)
{
    harness_outb(0x70, idx);
    harness_outb(0x71, val);
}

static DeviceState *rtc_create(const char *base, const char *policy)
{
    const char *props[] = { "base", base, "clock", "vm", "lost_tick_policy", policy, NULL };
    return harness_create(TYPE_MC146818_RTC, &harness_isa_bus()->parent_obj, props);
}

static int setup(void **state)
{
    rtc = rtc_create(BASE_DATE, "discard");
    irq8 = harness_isa_irq(RTC_ISA_IRQ);
    harness_irq_probe_reset(irq8);
    return 0;
}

static int teardown(void **state)
{
    if (rtc) {
        qdev_unrealize(rtc);
        rtc = NULL;
    }
    return 0;
}

static void recreate(const char *base, const char *policy)
{
    teardown(NULL);
    rtc = rtc_create(base, policy);
    harness_irq_probe_reset(irq8);
}

/* Set the time with SET held, in BCD 24-hour mode. */
static void set_time_bcd(uint8_t year, uint8_t month, uint8_t mday, uint8_t hour, uint8_t min,
                         uint8_t sec)
{
    cmos_write(REG_B, 0x82);
    cmos_write(YEAR, year);
    cmos_write(MONTH, month);
    cmos_write(MDAY, mday);
    cmos_write(HOUR, hour);
    cmos_write(MIN, min);
    cmos_write(SEC, sec);
    cmos_write(REG_B, 0x02);
}

/*
 * Advance by total ns in steps shorter than any period, acknowledging
 * (reading C) whenever the line is up, as an interrupt handler would.
 * Returns how many times the line rose.
 */
static int run_acked(int64_t total, int64_t step)
{
    int before = irq8->raises;
    while (total > 0) {
        int64_t d = MIN(step, total);
        harness_clock_step(d);
        total -= d;
        if (irq8->level) {
            uint8_t c = cmos_read(REG_C);
            assert_true(c & 0x80);
            assert_int_equal(irq8->level, 0);
        }
    }
    return irq8->raises - before;
}

/* ---- Time ---------------------------------------------------------------------------- */

static void test_time_bcd(void **state)
{
    assert_int_equal(cmos_read(REG_A), 0x26);
    assert_int_equal(cmos_read(REG_B), 0x02);
    assert_int_equal(cmos_read(REG_D), 0x80);
    assert_int_equal(cmos_read(SEC), 0x21);
    assert_int_equal(cmos_read(MIN), 0x01);
    assert_int_equal(cmos_read(HOUR), 0x16);
    assert_int_equal(cmos_read(WDAY), 7);
    assert_int_equal(cmos_read(MDAY), 0x17);
    assert_int_equal(cmos_read(MONTH), 0x06);
    assert_int_equal(cmos_read(YEAR), 0x06);
    assert_int_equal(cmos_read(CENTURY), 0x20);
}

static void test_time_binary(void **state)
{
    cmos_write(REG_B, 0x06);            /* binary, 24 hours: the registers change format at once */
    assert_int_equal(cmos_read(SEC), 21);
    assert_int_equal(cmos_read(MIN), 1);
    assert_int_equal(cmos_read(HOUR), 16);
    assert_int_equal(cmos_read(MDAY), 17);
    assert_int_equal(cmos_read(MONTH), 6);
    assert_int_equal(cmos_read(YEAR), 6);
    assert_int_equal(cmos_read(CENTURY), 20);
    harness_clock_step(40 * NS);
    assert_int_equal(cmos_read(SEC), 1);
    assert_int_equal(cmos_read(MIN), 2);
}

static void test_time_12h(void **state)
{
    cmos_write(REG_B, 0x00);            /* BCD, 12 hours: 16h is 4 PM */
    assert_int_equal(cmos_read(HOUR), 0x84);
    cmos_write(REG_B, 0x04);            /* binary, 12 hours */
    assert_int_equal(cmos_read(HOUR), 0x84);

    /* 12 AM is midnight, 12 PM noon. */
    cmos_write(REG_B, 0x00);
    cmos_write(REG_B, 0x80);
    cmos_write(HOUR, 0x12);
    cmos_write(MIN, 0x59);
    cmos_write(SEC, 0x59);
    cmos_write(REG_B, 0x00);
    assert_int_equal(cmos_read(HOUR), 0x12);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(HOUR), 0x01);
    cmos_write(REG_B, 0x80);
    cmos_write(HOUR, 0x91);             /* 11 PM */
    cmos_write(REG_B, 0x00);
    harness_clock_step(3600 * NS);
    assert_int_equal(cmos_read(HOUR), 0x12);        /* past midnight: 12 AM */
    assert_int_equal(cmos_read(MDAY), 0x18);
    cmos_write(REG_B, 0x02);            /* back to 24 hours */
    assert_int_equal(cmos_read(HOUR), 0x00);
}

static void test_set_time(void **state)
{
    set_time_bcd(0x23, 0x12, 0x31, 0x23, 0x59, 0x58);
    assert_int_equal(cmos_read(SEC), 0x58);
    harness_clock_step(2 * NS);
    assert_int_equal(cmos_read(SEC), 0x00);
    assert_int_equal(cmos_read(MIN), 0x00);
    assert_int_equal(cmos_read(HOUR), 0x00);
    assert_int_equal(cmos_read(MDAY), 0x01);
    assert_int_equal(cmos_read(MONTH), 0x01);
    assert_int_equal(cmos_read(YEAR), 0x24);
    assert_int_equal(cmos_read(CENTURY), 0x20);
    assert_int_equal(cmos_read(WDAY), 2);           /* 2024-01-01 was a Monday */

    /* SET holds the registers; the clock goes on from what was written. */
    cmos_write(REG_B, 0x82);
    harness_clock_step(5 * NS);
    assert_int_equal(cmos_read(SEC), 0x00);
    cmos_write(SEC, 0x30);
    harness_clock_step(5 * NS);
    assert_int_equal(cmos_read(SEC), 0x30);
    cmos_write(REG_B, 0x02);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(SEC), 0x31);

    /* A leap day. */
    set_time_bcd(0x24, 0x02, 0x28, 0x23, 0x59, 0x59);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(MDAY), 0x29);
    assert_int_equal(cmos_read(MONTH), 0x02);
}

static void test_write_without_set(void **state)
{
    cmos_write(MIN, 0x45);              /* SET clear: the calendar continues from it */
    assert_int_equal(cmos_read(MIN), 0x45);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(MIN), 0x45);
    assert_int_equal(cmos_read(SEC), 0x22);
    assert_int_equal(cmos_read(HOUR), 0x16);
}

static void test_invalid_values(void **state)
{
    /* Stored as written; the chip checks nothing. */
    cmos_write(REG_B, 0x82);
    cmos_write(SEC, 0x7a);
    cmos_write(MIN, 0xff);
    cmos_write(HOUR, 0x3f);
    cmos_write(MDAY, 0x00);
    cmos_write(MONTH, 0x13);
    cmos_write(YEAR, 0xaa);
    cmos_write(CENTURY, 0xff);
    cmos_write(REG_B, 0x02);
    assert_int_equal(cmos_read(SEC), 0x7a);
    assert_int_equal(cmos_read(MONTH), 0x13);
    for (int i = 0; i < 5; i++) {
        harness_clock_step(NS);
        uint8_t sec = cmos_read(SEC);
        assert_true((sec & 0x0f) <= 9 && sec <= 0x59);
        uint8_t month = cmos_read(MONTH);
        assert_true(month >= 1 && month <= 0x12);
    }
    /* Binary mode, everything 0xff. */
    cmos_write(REG_B, 0x86);
    for (uint8_t r = SEC; r <= YEAR; r++) {
        cmos_write(r, 0xff);
    }
    cmos_write(CENTURY, 0xff);
    cmos_write(REG_B, 0x06);
    harness_clock_step(3 * NS);
    assert_true(cmos_read(SEC) < 60);
    assert_true(cmos_read(HOUR) < 24);
    /* And with the update interrupt and alarm on, over a while. */
    cmos_write(REG_B, 0x36);
    assert_true(run_acked(5 * NS, NS / 4) >= 5);
}

static void test_base_date_only(void **state)
{
    recreate("2006-06-17", "discard");
    assert_int_equal(cmos_read(SEC), 0x00);
    assert_int_equal(cmos_read(MIN), 0x00);
    assert_int_equal(cmos_read(HOUR), 0x00);
    assert_int_equal(cmos_read(MDAY), 0x17);
}

static void test_base_year(void **state)
{
    teardown(NULL);
    Error *err = NULL;
    ISADevice *dev = mc146818_rtc_init(harness_isa_bus(), 1980, &err);
    assert_non_null(dev);
    rtc = &dev->parent_obj;
    /* base_year 1980: the year register counts from 1980, whatever the date. */
    cmos_write(REG_B, 0x82);
    cmos_write(YEAR, 0x26);
    cmos_write(CENTURY, 0x00);
    cmos_write(REG_B, 0x02);
    assert_int_equal(cmos_read(YEAR), 0x26);
    teardown(NULL);

    dev = mc146818_rtc_init(harness_isa_bus(), 2000, &err);     /* what a PC board passes */
    assert_non_null(dev);
    rtc = &dev->parent_obj;
    uint8_t century = cmos_read(CENTURY);
    assert_true(century == 0x20 || century == 0x21);
}

static void test_bad_properties(void **state)
{
    static const char *const bad[][2] = {
        { "base", "xyz" }, { "base", "2006-13-01" }, { "base", "2006-02-29" },
        { "base", "2006-06-17T24:00:00" }, { "base", "2006-06-17T1:2" },
        { "clock", "foo" }, { "lost_tick_policy", "maybe" }, { "irq", "16" },
        { "base_year", "-1" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
        Error *err = NULL;
        assert_true(qdev_prop_set(dev, "clock", "vm", &err));
        bool ok = qdev_prop_set(dev, bad[i][0], bad[i][1], &err) &&
                  qdev_realize_and_unref(dev, &harness_isa_bus()->parent_obj, &err);
        assert_false(ok);
        assert_non_null(err);
        error_free(err);
    }
    Error *err = NULL;
    assert_false(rtc_base_check("2006-06-17T16:01:21x", &err));
    assert_non_null(strstr(error_get_pretty(err), "invalid datetime format"));
    error_free(err);
    assert_true(rtc_base_check("localtime", NULL));
    assert_true(rtc_base_check("2024-02-29T23:59:59", NULL));
}

static void test_base_host(void **state)
{
    /* base=utc/localtime with the host clock: a plausible date comes out. */
    teardown(NULL);
    const char *props[] = { "base", "localtime", NULL };
    rtc = harness_create(TYPE_MC146818_RTC, &harness_isa_bus()->parent_obj, props);
    uint8_t month = cmos_read(MONTH);
    assert_true(month >= 1 && month <= 0x12);
    assert_true(cmos_read(CENTURY) >= 0x20);
}

/* ---- Registers ------------------------------------------------------------------------ */

static void test_reg_a_uip(void **state)
{
    /* The device started at the top of a second. */
    harness_clock_step(NS - 244141 - 1);
    assert_int_equal(cmos_read(REG_A), 0x26);
    harness_clock_step(1);
    assert_int_equal(cmos_read(REG_A), 0xa6);
    assert_int_equal(cmos_read(SEC), 0x21);         /* not updated yet */
    harness_clock_step(244140);
    assert_int_equal(cmos_read(REG_A), 0xa6);
    harness_clock_step(1);
    assert_int_equal(cmos_read(REG_A), 0x26);
    assert_int_equal(cmos_read(SEC), 0x22);
    /* UIP is read only, and off while SET is. */
    cmos_write(REG_A, 0xa6);
    assert_int_equal(cmos_read(REG_A), 0x26);
    harness_clock_step(NS - 1000);
    assert_int_equal(cmos_read(REG_A), 0xa6);
    cmos_write(REG_B, 0x82);
    assert_int_equal(cmos_read(REG_A), 0x26);
}

static void test_divider_reset(void **state)
{
    harness_clock_step(NS / 4);
    cmos_write(REG_A, 0x66);            /* divider held in reset */
    harness_clock_step(10 * NS);
    assert_int_equal(cmos_read(SEC), 0x21);
    assert_int_equal(cmos_read(REG_A), 0x66);       /* no UIP while stopped */
    cmos_write(REG_A, 0x26);            /* first update half a second later */
    harness_clock_step(NS / 2 - 1);
    assert_int_equal(cmos_read(SEC), 0x21);
    harness_clock_step(1);
    assert_int_equal(cmos_read(SEC), 0x22);

    /* Other time bases do not count here either, nor make periodic interrupts. */
    cmos_read(REG_C);
    cmos_write(REG_B, 0x42);
    cmos_write(REG_A, 0x06);
    harness_clock_step(3 * NS);
    assert_int_equal(cmos_read(SEC), 0x22);
    assert_int_equal(cmos_read(REG_C), 0);
    assert_int_equal(irq8->raises, 0);
}

static void test_reg_b_c_d(void **state)
{
    cmos_write(REG_B, 0x12);            /* UIE */
    assert_int_equal(cmos_read(REG_B), 0x12);
    cmos_write(REG_B, 0x92);            /* SET clears UIE */
    assert_int_equal(cmos_read(REG_B), 0x82);
    cmos_write(REG_B, 0x03);            /* DSE is kept */
    assert_int_equal(cmos_read(REG_B), 0x03);
    cmos_write(REG_C, 0xff);
    cmos_write(REG_D, 0x00);
    assert_int_equal(cmos_read(REG_C), 0x00);
    assert_int_equal(cmos_read(REG_D), 0x80);
    assert_int_equal(harness_inb(0x70), 0xff);      /* the index port is write only */
}

/* ---- Interrupts ------------------------------------------------------------------------- */

static void test_periodic_rates(void **state)
{
    static const struct { uint8_t rs; int hz; } rates[] = {
        { 1, 256 }, { 2, 128 }, { 3, 8192 }, { 4, 4096 }, { 5, 2048 }, { 6, 1024 },
        { 7, 512 }, { 8, 256 }, { 9, 128 }, { 10, 64 }, { 11, 32 }, { 12, 16 },
        { 13, 8 }, { 14, 4 }, { 15, 2 }, { 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
        cmos_write(REG_A, 0x20 | rates[i].rs);
        cmos_write(REG_B, 0x42);
        cmos_read(REG_C);
        int64_t step = rates[i].hz ? NS / rates[i].hz / 2 : NS / 100;
        int n = run_acked(NS, step);
        assert_int_equal(n, rates[i].hz);
        cmos_write(REG_B, 0x02);
    }
}

static void test_periodic_flag_and_line(void **state)
{
    /* PF is set without PIE, and the line stays low. */
    cmos_write(REG_A, 0x26);
    cmos_read(REG_C);
    harness_clock_step(NS / 100);
    assert_int_equal(cmos_read(REG_C), 0x40);
    assert_int_equal(irq8->raises, 0);

    /* Without an acknowledge the line rises once and stays up. */
    cmos_write(REG_B, 0x42);
    cmos_read(REG_C);
    harness_clock_step(NS);
    assert_int_equal(irq8->raises, 1);
    assert_int_equal(irq8->level, 1);
    assert_int_equal(cmos_read(REG_C), 0xd0);       /* and a second went by: UF */
    assert_int_equal(irq8->level, 0);
    assert_int_equal(cmos_read(REG_C), 0x00);

    /* Enabling PIE while PF is pending raises the line at once. */
    cmos_write(REG_B, 0x02);
    harness_clock_step(NS / 100);
    assert_int_equal(irq8->level, 0);
    cmos_write(REG_B, 0x42);
    assert_int_equal(irq8->level, 1);
    cmos_write(REG_B, 0x02);            /* and disabling it lowers it */
    assert_int_equal(irq8->level, 0);
}

static void test_periodic_slew(void **state)
{
    recreate(BASE_DATE, "slew");
    cmos_write(REG_A, 0x26);            /* 1024 Hz */
    cmos_write(REG_B, 0x42);
    cmos_read(REG_C);
    /* Ten periods without an acknowledge: one interrupt seen, nine owed. */
    harness_clock_step(NS / 1024 * 10 + 1000);
    assert_int_equal(irq8->raises, 1);
    int reinjected = 0;
    for (int i = 0; i < 20; i++) {
        int before = irq8->raises;
        cmos_read(REG_C);
        reinjected += irq8->raises - before;
    }
    assert_int_equal(reinjected, 9);
}

static void test_update_interrupt(void **state)
{
    cmos_write(REG_A, 0x20);            /* no periodic flag in the way */
    /* UF without UIE: a flag only. */
    harness_clock_step(NS + NS / 2);
    assert_int_equal(cmos_read(REG_C), 0x10);
    assert_int_equal(irq8->raises, 0);
    cmos_write(REG_B, 0x12);
    assert_int_equal(run_acked(3 * NS, NS / 10), 3);
    /* Not while SET stops the updates. */
    cmos_write(REG_B, 0x82);
    cmos_write(REG_B, 0x92);
    assert_int_equal(run_acked(3 * NS, NS / 10), 0);
    cmos_write(REG_B, 0x02);
    harness_clock_step(NS / 10);
    cmos_read(REG_C);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(REG_C), 0x10);
}

static void test_alarm(void **state)
{
    cmos_write(REG_A, 0x20);            /* no periodic flag in the way */
    /* 16:01:25, four seconds away. */
    cmos_write(SEC_ALARM, 0x25);
    cmos_write(MIN_ALARM, 0x01);
    cmos_write(HOUR_ALARM, 0x16);
    cmos_write(REG_B, 0x22);
    cmos_read(REG_C);
    harness_clock_step(3 * NS + NS / 2);
    assert_int_equal(irq8->raises, 0);
    harness_clock_step(NS / 2);
    assert_int_equal(irq8->raises, 1);
    assert_int_equal(cmos_read(REG_C) & 0xa0, 0xa0);
    assert_int_equal(run_acked(10 * NS, NS / 4), 0);

    /* Don't care hours and minutes: at second 00 of every minute. */
    cmos_write(SEC_ALARM, 0x00);
    cmos_write(MIN_ALARM, 0xc0);
    cmos_write(HOUR_ALARM, 0xff);       /* now 16:01:35 */
    assert_int_equal(run_acked(24 * NS, NS / 4), 0);
    assert_int_equal(run_acked(NS, NS / 4), 1);
    assert_int_equal(cmos_read(SEC), 0x00);
    assert_int_equal(run_acked(60 * NS, NS / 4), 1);

    /* All three don't care: every second. */
    cmos_write(SEC_ALARM, 0xc0);
    assert_int_equal(run_acked(5 * NS, NS / 4), 5);

    /* AF without AIE is only a flag; an alarm byte that cannot match never fires. */
    cmos_write(REG_B, 0x02);
    cmos_read(REG_C);
    harness_clock_step(NS);
    assert_int_equal(cmos_read(REG_C), 0x30);
    cmos_write(SEC_ALARM, 0x5a);
    cmos_write(REG_B, 0x22);
    assert_int_equal(run_acked(120 * NS, NS / 2), 0);

    /* An alarm in 12-hour mode: 4:06:00 PM, 54 s after now (16:05:06). */
    cmos_write(REG_B, 0x20);
    assert_int_equal(cmos_read(HOUR), 0x84);
    assert_int_equal(cmos_read(MIN), 0x05);
    assert_int_equal(cmos_read(SEC), 0x06);
    cmos_write(SEC_ALARM, 0x00);
    cmos_write(MIN_ALARM, 0x06);
    cmos_write(HOUR_ALARM, 0x84);
    int n = run_acked(120 * NS, NS / 2);
    assert_int_equal(n, 1);
}

static void test_alarm_next_day(void **state)
{
    /* 16:01:20 is past: the alarm fires a day later, not before. */
    cmos_write(SEC_ALARM, 0x20);
    cmos_write(MIN_ALARM, 0x01);
    cmos_write(HOUR_ALARM, 0x16);
    cmos_write(REG_B, 0x22);
    cmos_read(REG_C);
    harness_clock_step(86399 * NS - NS / 2);
    assert_int_equal(irq8->raises, 0);
    harness_clock_step(NS);
    assert_int_equal(irq8->raises, 1);
    assert_int_equal(cmos_read(MDAY), 0x18);
}

/* ---- Odds and ends ----------------------------------------------------------------------- */

static void test_nmi_mask(void **state)
{
    RTCState *s = MC146818_RTC(ISA_DEVICE(rtc));
    assert_false(rtc_nmi_masked(s));
    harness_outb(0x70, 0x80 | REG_D);
    assert_true(rtc_nmi_masked(s));
    assert_int_equal(harness_inb(0x71), 0x80);      /* bit 7 is not part of the index */
    harness_outb(0x70, REG_D);
    assert_false(rtc_nmi_masked(s));
}

static void test_cmos_memory(void **state)
{
    ISADevice *dev = ISA_DEVICE(rtc);
    for (unsigned i = 0x0e; i < 0x80; i++) {
        if (i != CENTURY) {
            cmos_write(i, (uint8_t)(i * 7 + 3));
        }
    }
    for (unsigned i = 0x0e; i < 0x80; i++) {
        if (i != CENTURY) {
            assert_int_equal(cmos_read(i), (uint8_t)(i * 7 + 3));
            assert_int_equal(rtc_get_memory(dev, i), (uint8_t)(i * 7 + 3));
        }
    }
    rtc_set_memory(dev, 0x34, 0x5a);    /* as the board fills in memory sizes */
    rtc_set_memory(dev, 0x3d, 0x21);
    assert_int_equal(cmos_read(0x34), 0x5a);
    assert_int_equal(cmos_read(0x3d), 0x21);
    rtc_set_memory(dev, 128, 1);        /* out of range: ignored */
    rtc_set_memory(dev, -1, 1);
    assert_int_equal(rtc_get_memory(dev, 128), 0xff);
    assert_int_equal(rtc_get_memory(dev, SEC), 0x21);
    assert_int_equal(rtc_get_memory(dev, REG_D), 0x80);
    /* A peek at C does not clear it. */
    harness_clock_step(NS);
    assert_int_equal(rtc_get_memory(dev, REG_C), 0x50);
    assert_int_equal(cmos_read(REG_C), 0x50);
    /* Word accesses split into index then data. */
    harness_outw(0x70, 0x34 | 0x77 << 8);
    assert_int_equal(cmos_read(0x34), 0x77);
}

static void test_reset(void **state)
{
    cmos_write(REG_B, 0x7a);            /* PIE AIE UIE SQWE + 24h */
    cmos_write(0x40, 0x99);
    cmos_write(0x0f, 0x0a);
    harness_clock_step(2 * NS);
    assert_int_equal(irq8->level, 1);
    qdev_reset_all(rtc);
    assert_int_equal(irq8->level, 0);
    assert_int_equal(cmos_read(REG_B), 0x02);
    assert_int_equal(cmos_read(REG_C), 0x00);
    assert_int_equal(cmos_read(REG_A), 0x26);
    assert_int_equal(cmos_read(SEC), 0x23);         /* the time survives */
    assert_int_equal(cmos_read(0x40), 0x99);        /* and the RAM */
    assert_int_equal(cmos_read(0x0f), 0x00);        /* shutdown status: boot afresh */
    cmos_write(0x0f, 0xfe);
    qdev_reset_all(rtc);
    assert_int_equal(cmos_read(0x0f), 0xfe);        /* S3 resume is kept */
    /* Nothing fires after reset. */
    harness_clock_step(3 * NS);
    assert_int_equal(irq8->level, 0);
}

static void test_vmstate(void **state)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(rtc)->vmsd;
    RTCState *s = MC146818_RTC(ISA_DEVICE(rtc));
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;

    cmos_write(REG_A, 0x2a);            /* 64 Hz */
    cmos_write(REG_B, 0x52);            /* PIE, UIE */
    cmos_write(0x50, 0x42);
    harness_clock_step(NS / 2);
    assert_true(vmstate_save(buf, vmsd, s, &err));

    /* Scribble over everything, then load the saved state back. */
    set_time_bcd(0x99, 0x01, 0x01, 0x00, 0x00, 0x00);
    cmos_write(REG_B, 0x02);
    cmos_write(0x50, 0x00);
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, s, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    assert_int_equal(cmos_read(REG_B), 0x52);
    assert_int_equal(cmos_read(0x50), 0x42);
    assert_int_equal(cmos_read(YEAR), 0x06);
    assert_int_equal(cmos_read(MIN), 0x01);
    harness_irq_probe_reset(irq8);
    assert_true(run_acked(NS, NS / 256) >= 64);

    /* A hostile stream: a huge index and times; nothing may go out of bounds. */
    GByteArray *bad = g_byte_array_new();
    g_byte_array_append(bad, buf->data, buf->len);
    bad->data[128] = 0xff;              /* index, right after the 128 CMOS bytes */
    memset(bad->data + 131, 0x7f, 8 * 7);   /* div_sec .. pf_edge */
    pos = 0;
    assert_true(vmstate_load(bad->data, bad->len, &pos, vmsd, s, vmsd->version_id, &err));
    run_acked(3 * NS, NS / 100);
    for (unsigned i = 0; i < 14; i++) {
        cmos_read(i);
    }
    g_byte_array_free(bad, true);
    g_byte_array_free(buf, true);
}

static void test_fuzz(void **state)
{
    for (uint32_t seed = 1; seed <= 4; seed++) {
        harness_fuzz(true, 0x70, 2, 20000, seed);
    }
    /* Still a clock. */
    cmos_write(REG_A, 0x26);
    cmos_write(REG_B, 0x02);
    uint8_t d = cmos_read(REG_D);
    assert_int_equal(d, 0x80);
}

int main(void)
{
    harness_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_time_bcd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_12h, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_without_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_date_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_properties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reg_a_uip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divider_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reg_b_c_d, setup, teardown),
        cmocka_unit_test_setup_teardown(test_periodic_rates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_periodic_flag_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_periodic_slew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_next_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nmi_mask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmos_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
