/*
 * The HPET: capabilities, the main counter at 100 MHz of virtual time,
 * one-shot and periodic comparators, level and edge interrupts, 32-bit
 * mode, interrupt routes and the legacy replacement route (which silences
 * the PIT's IRQ 0 and the RTC's IRQ 8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define GCAP_ID 0x000
#define GEN_CONF 0x010
#define GINTR_STA 0x020
#define MAIN_CNT 0x0f0
#define TN_CONF(n) (0x100 + 0x20 * (n))
#define TN_COMP(n) (0x108 + 0x20 * (n))
#define TN_FSB(n) (0x110 + 0x20 * (n))

#define CONF_ENABLE 0x1
#define CONF_LEG_RT 0x2
#define TN_LEVEL 0x2
#define TN_INT_ENB 0x4
#define TN_PERIODIC 0x8
#define TN_VAL_SET 0x40
#define TN_32MODE 0x100
#define TN_ROUTE(r) ((uint64_t)(r) << 9)

static DeviceState *hpet_dev, *pit_dev;
static HPETState *hpet;
static IRQProbe *line[HPET_NUM_IRQ_LINES];     /* probes on the lines we use */
static const unsigned used_lines[] = { 0, 8, 20, 21, 22, 23 };

static uint64_t rd(hwaddr reg)
{
    return harness_readq(HPET_BASE + reg);
}

static void wr(hwaddr reg, uint64_t val)
{
    harness_writeq(HPET_BASE + reg, val);
}

/* Step the clock to the next multiple of 10 ns (a counter tick boundary). */
static void align_tick(void)
{
    int64_t r = harness_clock_ns() % 10;
    if (r) {
        harness_clock_step(10 - r);
    }
}

static void probes_reset(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(used_lines); i++) {
        IRQProbe *p = line[used_lines[i]];
        irq_lower(p->line);
        harness_irq_probe_reset(p);
    }
    harness_irq_probe_reset(harness_isa_irq(0));  /* the PIT drives its level */
}

static int setup(void **state)
{
    qdev_reset_all(pit_dev);
    qdev_reset_all(hpet_dev);
    probes_reset();
    return 0;
}

static int group_setup(void **state)
{
    harness_init();
    ISABus *bus = harness_isa_bus();
    pit_dev = harness_create(TYPE_PIT, &bus->parent_obj, NULL);
    char *path = object_get_path(&pit_dev->parent_obj);
    const char *props[] = { "pit", path, NULL };
    hpet_dev = harness_create(TYPE_HPET, NULL, props);
    g_free(path);
    hpet = HPET(hpet_dev);
    for (unsigned i = 0; i < G_N_ELEMENTS(used_lines); i++) {
        line[used_lines[i]] = harness_irq_probe_new();
        hpet_connect_irq(hpet, used_lines[i], line[used_lines[i]]->line);
    }
    return 0;
}

static void test_capabilities(void **state)
{
    assert_int_equal(rd(GCAP_ID), 0x009896808086a201ull);   /* 10 ns, 8086, legacy, 64-bit, 3 timers */
    assert_int_equal(harness_readl(HPET_BASE + GCAP_ID), 0x8086a201);
    assert_int_equal(harness_readl(HPET_BASE + GCAP_ID + 4), 10000000);
    assert_int_equal(hpet_block_id(hpet), 0x8086a201);
    wr(GCAP_ID, 0);
    assert_int_equal(rd(GCAP_ID), 0x009896808086a201ull);

    assert_int_equal(rd(TN_CONF(0)), 0x00f0000000000030ull);    /* periodic and 64-bit capable */
    assert_int_equal(rd(TN_CONF(1)), 0x00f0000000000020ull);
    assert_int_equal(rd(TN_CONF(2)), 0x00f0000000000020ull);
    assert_int_equal(rd(TN_COMP(1)), ~0ull);
    assert_int_equal(rd(GEN_CONF), 0);
    assert_int_equal(rd(TN_FSB(0)), 0);

    /* Byte and word accesses are refused (all ones), not decoded. */
    assert_int_equal(harness_readb(HPET_BASE + GCAP_ID), 0xff);
    assert_int_equal(harness_readw(HPET_BASE + GCAP_ID), 0xffff);
    /* Reserved space reads 0. */
    assert_int_equal(rd(0x3f8), 0);

    /* Only timer 0 can be periodic; FSB delivery cannot be enabled. */
    wr(TN_CONF(1), TN_PERIODIC | (1 << 14));
    assert_int_equal(rd(TN_CONF(1)) & 0xffff, 0x20);
    wr(TN_CONF(0), TN_PERIODIC);
    assert_int_equal(rd(TN_CONF(0)) & 0xffff, 0x38);
}

static void test_main_counter(void **state)
{
    harness_clock_step(1000);
    assert_int_equal(rd(MAIN_CNT), 0);                 /* halted */
    wr(MAIN_CNT, 0x1234);
    assert_int_equal(rd(MAIN_CNT), 0x1234);
    harness_writel(HPET_BASE + MAIN_CNT + 4, 1);       /* 32-bit halves */
    assert_int_equal(rd(MAIN_CNT), 0x100001234ull);
    assert_int_equal(harness_readl(HPET_BASE + MAIN_CNT + 4), 1);

    harness_clock_step(3);                             /* phase does not matter */
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(1000);
    assert_int_equal(rd(MAIN_CNT), 0x100001234ull + 100);
    harness_clock_step(1000000);
    assert_int_equal(rd(MAIN_CNT), 0x100001234ull + 100100);
    wr(MAIN_CNT, 0);                                   /* ignored while running */
    assert_int_equal(rd(MAIN_CNT), 0x100001234ull + 100100);

    wr(GEN_CONF, 0);
    uint64_t held = rd(MAIN_CNT);
    harness_clock_step(5000);
    assert_int_equal(rd(MAIN_CNT), held);
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(50);
    assert_int_equal(rd(MAIN_CNT), held + 5);
}

static void test_oneshot(void **state)
{
    IRQProbe *p = line[20];
    wr(TN_CONF(2), TN_INT_ENB | TN_ROUTE(20));
    wr(TN_COMP(2), 1000);
    align_tick();
    int64_t t0 = harness_clock_ns();
    wr(GEN_CONF, CONF_ENABLE);

    harness_clock_step(9999);
    assert_int_equal(p->raises, 0);
    harness_clock_step(1);                             /* counter reaches 1000 at 10 us */
    assert_int_equal(p->raises, 1);
    assert_int_equal(p->lowers, 1);                    /* an edge: the line is pulsed */
    assert_int_equal(p->level, 0);
    assert_int_equal(rd(GINTR_STA), 0);                /* edge mode sets no status */
    assert_int_equal(rd(TN_COMP(2)), 1000);
    assert_int_equal(harness_clock_ns() - t0, 10000);
    harness_clock_step(1000000000);
    assert_int_equal(p->raises, 1);                    /* once */

    /* A comparator already passed does not fire (64-bit: not before the wrap). */
    wr(TN_COMP(2), rd(MAIN_CNT) - 5);
    harness_clock_step(1000000);
    assert_int_equal(p->raises, 1);

    /* Masked: no interrupt. */
    wr(TN_CONF(2), TN_ROUTE(20));
    wr(TN_COMP(2), rd(MAIN_CNT) + 10);
    harness_clock_step(1000);
    assert_int_equal(p->raises, 1);
}

static void test_periodic(void **state)
{
    IRQProbe *p = line[21];
    wr(TN_CONF(0), TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_ROUTE(21));
    wr(TN_COMP(0), 500);                               /* sets comparator and period */
    assert_int_equal(rd(TN_CONF(0)) & TN_VAL_SET, 0);  /* self-clearing */
    align_tick();
    wr(GEN_CONF, CONF_ENABLE);

    harness_clock_step(4999);
    assert_int_equal(p->raises, 0);
    harness_clock_step(1);
    assert_int_equal(p->raises, 1);
    assert_int_equal(rd(TN_COMP(0)), 1000);            /* the accumulator advanced */
    harness_clock_step(4999);
    assert_int_equal(p->raises, 1);
    harness_clock_step(1);
    assert_int_equal(p->raises, 2);
    harness_clock_step(5000 * 98);
    assert_int_equal(p->raises, 100);
    assert_int_equal(rd(TN_COMP(0)), 50500);

    /* Without VAL_SET a write changes the period only: next fire stays at 50500. */
    wr(TN_COMP(0), 200);
    assert_int_equal(rd(TN_COMP(0)), 50500);
    harness_clock_step(4990);
    assert_int_equal(p->raises, 100);
    harness_clock_step(10);
    assert_int_equal(p->raises, 101);
    assert_int_equal(rd(TN_COMP(0)), 50700);
    harness_clock_step(2000);
    assert_int_equal(p->raises, 102);

    /* The Linux sequence: VAL_SET, comparator = now + delta, then delta. */
    uint64_t now = rd(MAIN_CNT);
    wr(TN_CONF(0), rd(TN_CONF(0)) | TN_VAL_SET);
    wr(TN_COMP(0), now + 30);
    wr(TN_COMP(0), 1000);
    int base = p->raises;
    harness_clock_step(300);
    assert_int_equal(p->raises, base + 1);
    harness_clock_step(10000 * 5);
    assert_int_equal(p->raises, base + 6);
}

static void test_level(void **state)
{
    IRQProbe *p = line[22];
    wr(TN_CONF(1), TN_LEVEL | TN_INT_ENB | TN_ROUTE(22));
    wr(TN_COMP(1), 100);
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(1010);
    assert_int_equal(p->level, 1);
    assert_int_equal(rd(GINTR_STA), 2);

    wr(GINTR_STA, 0);                                  /* writing 0 does nothing */
    assert_int_equal(p->level, 1);
    harness_writel(HPET_BASE + GINTR_STA, 2);          /* write 1 to clear */
    assert_int_equal(p->level, 0);
    assert_int_equal(rd(GINTR_STA), 0);

    /* With the interrupt disabled the status bit is still set, the line stays low. */
    wr(TN_CONF(1), TN_LEVEL | TN_ROUTE(22));
    wr(TN_COMP(1), rd(MAIN_CNT) + 10);
    harness_clock_step(200);
    assert_int_equal(rd(GINTR_STA), 2);
    assert_int_equal(p->level, 0);
    wr(TN_CONF(1), TN_LEVEL | TN_INT_ENB | TN_ROUTE(22));
    assert_int_equal(p->level, 1);                     /* pending status now asserts */

    /* Halting deasserts; moving the route moves the assertion. */
    wr(GEN_CONF, 0);
    assert_int_equal(p->level, 0);
    wr(GEN_CONF, CONF_ENABLE);
    assert_int_equal(p->level, 1);
    wr(TN_CONF(1), TN_LEVEL | TN_INT_ENB | TN_ROUTE(23));
    assert_int_equal(p->level, 0);
    assert_int_equal(line[23]->level, 1);

    /* Switching to edge mode drops the status. */
    wr(TN_CONF(1), TN_INT_ENB | TN_ROUTE(23));
    assert_int_equal(rd(GINTR_STA), 0);
    assert_int_equal(line[23]->level, 0);
}

static void test_32bit_mode(void **state)
{
    IRQProbe *p = line[23];
    wr(TN_CONF(2), TN_32MODE | TN_INT_ENB | TN_ROUTE(23));
    assert_int_equal(rd(TN_CONF(2)) & TN_32MODE, TN_32MODE);
    assert_int_equal(rd(TN_COMP(2)), 0xffffffffull);   /* upper half cut off */
    wr(TN_COMP(2), 0x100000010ull);
    assert_int_equal(rd(TN_COMP(2)), 0x10);
    harness_writel(HPET_BASE + TN_COMP(2) + 4, 5);
    assert_int_equal(rd(TN_COMP(2)), 0x10);

    /* A 64-bit timer with the same comparator for contrast (line 22). */
    wr(TN_CONF(1), TN_INT_ENB | TN_ROUTE(22));
    wr(TN_COMP(1), 0x10);

    /* One-shot 32-bit: an interrupt at the wrap and one at the match. */
    wr(MAIN_CNT, 0xffffff00ull);
    align_tick();
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(0x100 * 10 - 1);
    assert_int_equal(p->raises, 0);
    harness_clock_step(1);
    assert_int_equal(p->raises, 1);                    /* low 32 bits wrapped */
    harness_clock_step(0x10 * 10);
    assert_int_equal(p->raises, 2);                    /* matched 0x10 */
    harness_clock_step(1000000);
    assert_int_equal(p->raises, 2);
    assert_int_equal(line[22]->raises, 0);             /* 64-bit: 0x10 is 2^64 away */

    /* Periodic 32-bit: the comparator wraps at 2^32. */
    wr(GEN_CONF, 0);
    wr(MAIN_CNT, 0xffffff00ull);
    wr(TN_CONF(0), TN_32MODE | TN_PERIODIC | TN_VAL_SET | TN_INT_ENB | TN_ROUTE(21));
    wr(TN_COMP(0), 0xffffff80ull);
    wr(TN_COMP(0), 0x100);
    align_tick();
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(0x80 * 10);
    assert_int_equal(line[21]->raises, 1);
    assert_int_equal(rd(TN_COMP(0)), 0x80);
    harness_clock_step(0x100 * 10);
    assert_int_equal(line[21]->raises, 2);
    assert_int_equal(rd(TN_COMP(0)), 0x180);
    assert_int_equal(rd(MAIN_CNT), 0x100000080ull);    /* the main counter stays 64-bit */
}

static void test_routes(void **state)
{
    wr(TN_CONF(2), TN_ROUTE(5));                       /* not in the capability */
    assert_int_equal(rd(TN_CONF(2)) & TN_ROUTE(31), 0);
    wr(TN_CONF(2), TN_ROUTE(20));
    assert_int_equal(rd(TN_CONF(2)) & TN_ROUTE(31), TN_ROUTE(20));
    wr(TN_CONF(2), TN_ROUTE(24));
    assert_int_equal(rd(TN_CONF(2)) & TN_ROUTE(31), TN_ROUTE(20));
    wr(TN_CONF(2), TN_ROUTE(23));
    assert_int_equal(rd(TN_CONF(2)) & TN_ROUTE(31), TN_ROUTE(23));

    /* The reset route (0) is not in the capability: nothing is driven. */
    wr(TN_CONF(1), TN_INT_ENB);
    wr(TN_COMP(1), 10);
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(1000);
    for (unsigned i = 0; i < G_N_ELEMENTS(used_lines); i++) {
        assert_int_equal(line[used_lines[i]]->raises, 0);
    }
}

static void test_legacy(void **state)
{
    IRQProbe *pit_irq = harness_isa_irq(0);
    PITState *pit = PIT(pit_dev);

    /* The PIT ticks on IRQ 0: mode 2, 1193 CLKs. */
    harness_outb(0x43, 0x34);
    harness_outb(0x40, 1193 & 0xff);
    harness_outb(0x40, 1193 >> 8);
    harness_clock_step(10000000);
    assert_in_range(pit_irq->raises, 9, 11);

    /* Legacy route: timer 0 on line 0, timer 1 on line 8, the PIT silenced. */
    wr(TN_CONF(0), TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_ROUTE(20));
    wr(TN_COMP(0), 100000);                            /* 1 ms */
    wr(TN_CONF(1), TN_INT_ENB | TN_ROUTE(21));
    wr(TN_COMP(1), 50000);
    wr(GEN_CONF, CONF_ENABLE | CONF_LEG_RT);
    int pit_before = pit_irq->raises;
    harness_clock_step(10000000);
    assert_int_equal(pit_irq->raises, pit_before);
    assert_int_equal(pit_irq->level, 0);
    assert_int_equal(line[0]->raises, 10);
    assert_int_equal(line[8]->raises, 1);
    assert_int_equal(line[20]->raises, 0);
    assert_int_equal(line[21]->raises, 0);
    assert_true(pit_get_out(pit, 0) == 0 || pit_get_out(pit, 0) == 1);

    /* The RTC's interrupt is blocked while legacy mode holds IRQ 8. */
    irq_raise(hpet_rtc_irq_in(hpet));
    assert_int_equal(line[8]->level, 0);

    /* Back to normal: the PIT ticks again, the RTC reaches line 8, timer 0 goes to 20. */
    wr(GEN_CONF, CONF_ENABLE);
    assert_int_equal(line[8]->level, 1);
    irq_lower(hpet_rtc_irq_in(hpet));
    assert_int_equal(line[8]->level, 0);
    int line0_before = line[0]->raises;
    pit_before = pit_irq->raises;
    harness_clock_step(10000000);
    assert_in_range(pit_irq->raises - pit_before, 9, 11);
    assert_int_equal(line[0]->raises, line0_before);
    assert_int_equal(line[20]->raises, 10);

    /* Reset leaves legacy mode and gives IRQ 0 back to the PIT. */
    wr(GEN_CONF, CONF_ENABLE | CONF_LEG_RT);
    pit_before = pit_irq->raises;
    harness_clock_step(5000000);
    assert_int_equal(pit_irq->raises, pit_before);
    qdev_reset_all(hpet_dev);
    harness_clock_step(5000000);
    assert_in_range(pit_irq->raises - pit_before, 4, 6);
}

static void test_vmstate(void **state)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(hpet_dev)->vmsd;
    IRQProbe *p = line[21];
    wr(TN_CONF(0), TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_ROUTE(21));
    wr(TN_COMP(0), 1000);
    align_tick();
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(15000);
    assert_int_equal(p->raises, 1);

    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    assert_true(vmstate_save(buf, vmsd, hpet_dev, &err));
    wr(GEN_CONF, 0);
    wr(TN_CONF(0), 0);
    wr(MAIN_CNT, 7);
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, hpet_dev, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    g_byte_array_free(buf, true);

    assert_int_equal(rd(MAIN_CNT), 1500);
    assert_int_equal(rd(TN_COMP(0)), 2000);
    assert_int_equal(rd(TN_CONF(0)) & 0xffff, TN_INT_ENB | TN_PERIODIC | 0x30 | TN_ROUTE(21));
    harness_clock_step(5000);
    assert_int_equal(p->raises, 2);
}

/* What the board calls: hpet_init with the PIT; a misaligned base fails cleanly. */
static void test_board_api(void **state)
{
    Error *err = NULL;
    DeviceState *bad = qdev_new(TYPE_HPET);
    assert_true(qdev_prop_set(bad, "base", "0xfed00100", &err));
    assert_false(qdev_realize_and_unref(bad, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "aligned"));
    error_free(err);
    err = NULL;

    qdev_unrealize(hpet_dev);
    hpet = hpet_init(PIT(pit_dev), &err);
    assert_non_null(hpet);
    hpet_dev = (DeviceState *)object_check((Object *)hpet, TYPE_HPET);
    for (unsigned i = 0; i < G_N_ELEMENTS(used_lines); i++) {
        hpet_connect_irq(hpet, used_lines[i], line[used_lines[i]]->line);
    }
    hpet_connect_irq(hpet, 99, NULL);                  /* out of range: ignored */
    assert_int_equal(rd(GCAP_ID), 0x009896808086a201ull);

    /* Legacy mode still reaches the PIT through the link. */
    IRQProbe *pit_irq = harness_isa_irq(0);
    harness_outb(0x43, 0x34);
    harness_outb(0x40, 100);
    harness_outb(0x40, 0);
    wr(GEN_CONF, CONF_LEG_RT);
    int before = pit_irq->raises;
    harness_clock_step(1000000);
    assert_int_equal(pit_irq->raises, before);
    wr(GEN_CONF, 0);
    harness_clock_step(1000000);
    assert_true(pit_irq->raises > before + 5);
}

/*
 * harness_fuzz's random sizes and offsets mostly hit refused accesses; this
 * adds valid aligned 32/64-bit accesses with values biased to the bits that
 * matter (small comparators and periods, enable and mode bits).
 */
static void fuzz_registers(unsigned count, uint32_t seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    for (unsigned i = 0; i < count; i++) {
        hwaddr off = (hwaddr)g_rand_int_range(rand, 0, 0x180 / 4) * 4;
        uint64_t val = (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
        if (g_rand_boolean(rand)) {
            val &= g_rand_boolean(rand) ? 0x3ff : 0xffff;
        }
        switch (g_rand_int_range(rand, 0, 6)) {
        case 0:
            harness_clock_step(g_rand_int_range(rand, 0, 100000));
            break;
        case 1:
            harness_readl(HPET_BASE + off);
            break;
        case 2:
            harness_readq(HPET_BASE + (off & ~7));
            break;
        case 3:
            harness_writeq(HPET_BASE + (off & ~7), val);
            break;
        default:
            harness_writel(HPET_BASE + off, val);
            break;
        }
    }
    g_rand_free(rand);
}

/* Load corrupted copies of the device's own state, then drive it: no crash, no UB. */
static void fuzz_vmstate(DeviceState *dev, unsigned rounds, uint32_t seed,
                         void (*exercise)(uint32_t seed))
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    GRand *rand = g_rand_new_with_seed(seed);
    for (unsigned i = 0; i < rounds; i++) {
        GByteArray *buf = g_byte_array_new();
        Error *err = NULL;
        assert_true(vmstate_save(buf, vmsd, dev, &err));
        for (int k = 0; k < 4; k++) {
            buf->data[g_rand_int_range(rand, 0, buf->len)] = g_rand_int(rand);
        }
        size_t pos = 0;
        if (!vmstate_load(buf->data, buf->len, &pos, vmsd, dev, vmsd->version_id, &err)) {
            error_free(err);
        }
        g_byte_array_free(buf, true);
        exercise(seed + i);
    }
    g_rand_free(rand);
}

static void exercise_registers(uint32_t seed)
{
    fuzz_registers(40, seed);
}

static void test_fuzz(void **state)
{
    harness_fuzz(false, HPET_BASE, HPET_LEN, 20000, 0x4e7);
    harness_fuzz(false, HPET_BASE, 0x180, 20000, 7);
    fuzz_registers(50000, 0x8086);
    irq_raise(hpet_rtc_irq_in(hpet));
    fuzz_registers(20000, 0xa201);
    irq_lower(hpet_rtc_irq_in(hpet));
    fuzz_vmstate(hpet_dev, 2000, 0xa5a5, exercise_registers);
    /* Still a working timer afterwards. */
    qdev_reset_all(hpet_dev);
    probes_reset();
    wr(TN_CONF(2), TN_INT_ENB | TN_ROUTE(20));
    wr(TN_COMP(2), 10);
    wr(GEN_CONF, CONF_ENABLE);
    harness_clock_step(1000);
    assert_int_equal(line[20]->raises, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_capabilities, setup),
        cmocka_unit_test_setup(test_main_counter, setup),
        cmocka_unit_test_setup(test_oneshot, setup),
        cmocka_unit_test_setup(test_periodic, setup),
        cmocka_unit_test_setup(test_level, setup),
        cmocka_unit_test_setup(test_32bit_mode, setup),
        cmocka_unit_test_setup(test_routes, setup),
        cmocka_unit_test_setup(test_legacy, setup),
        cmocka_unit_test_setup(test_vmstate, setup),
        cmocka_unit_test_setup(test_board_api, setup),
        cmocka_unit_test_setup(test_fuzz, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
