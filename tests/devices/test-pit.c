/*
 * The 8254 PIT and port 0x61: every mode's OUT against CLK ticks (read-back
 * status and IRQ 0 edges), counter reads, latches, read-back, BCD, gates.
 *
 * Timing model under test: CLK tick k starts at ceil(k * 1e9 / 1193182) ns;
 * a count written during tick k is loaded into CE by the CLK of tick k+1
 * (S below) and decremented by each later CLK.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "hw/audio/pcspk.h"
#include "hw/timer/i8254.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define HZ 1193182
#define PORT_CMD 0x43
#define PORT_61 0x61

static DeviceState *pit_dev, *spk_dev;
static PITState *pit;
static IRQProbe *irq0;

/* ---- CLK ticks ---- */

static int64_t tick_ns(int64_t k)
{
    return (int64_t)(((__int128)k * 1000000000 + HZ - 1) / HZ);
}

static int64_t now_tick(void)
{
    return (int64_t)((__int128)harness_clock_ns() * HZ / 1000000000);
}

static void goto_ns(int64_t ns)
{
    int64_t d = ns - harness_clock_ns();
    assert_true(d >= 0);
    harness_clock_step(d);
}

static void goto_tick(int64_t k)
{
    goto_ns(tick_ns(k));
}

/* The clock at the first ns of a fresh tick; returns the tick. */
static int64_t fresh_tick(void)
{
    int64_t k = now_tick() + 1;
    goto_tick(k);
    return k;
}

/* ---- Port helpers ---- */

static void pit_program(int ch, int mode, uint16_t count)
{
    harness_outb(PORT_CMD, ch << 6 | 3 << 4 | mode << 1);
    harness_outb(0x40 + ch, count & 0xff);
    harness_outb(0x40 + ch, count >> 8);
}

static uint8_t pit_status(int ch)
{
    harness_outb(PORT_CMD, 0xc0 | 0x20 | 2 << ch);     /* read-back: status only */
    return harness_inb(0x40 + ch);
}

static int pit_out(int ch)
{
    return pit_status(ch) >> 7;
}

/* Counter latch command, then LSB and MSB (rw mode 3). */
static uint16_t pit_count(int ch)
{
    harness_outb(PORT_CMD, ch << 6);
    uint8_t lsb = harness_inb(0x40 + ch);
    return lsb | harness_inb(0x40 + ch) << 8;
}

static int setup(void **state)
{
    qdev_reset_all(pit_dev);
    qdev_reset_all(spk_dev);
    harness_irq_probe_reset(irq0);      /* the reset put IRQ 0 at OUT0's level */
    return 0;
}

static int group_setup(void **state)
{
    harness_init();
    ISABus *bus = harness_isa_bus();
    pit_dev = harness_create(TYPE_PIT, &bus->parent_obj, NULL);
    pit = PIT(pit_dev);
    char *path = object_get_path(&pit_dev->parent_obj);
    const char *props[] = { "pit", path, NULL };
    spk_dev = harness_create(TYPE_PCSPK, &bus->parent_obj, props);
    g_free(path);
    irq0 = harness_isa_irq(0);
    return 0;
}

/* ---- Modes ---- */

static void test_mode0(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 0, 50);
    int64_t s = k + 1;
    assert_int_equal(pit_status(0), 0x40 | 0x30);      /* OUT low, null count, rw 3, mode 0 */
    harness_irq_probe_reset(irq0);

    goto_tick(s);
    assert_int_equal(pit_status(0), 0x30);             /* count loaded */
    assert_int_equal(pit_count(0), 50);
    goto_tick(s + 10);
    assert_int_equal(pit_count(0), 40);
    goto_ns(tick_ns(s + 50) - 1);
    assert_int_equal(pit_out(0), 0);
    assert_int_equal(irq0->raises, 0);
    goto_tick(s + 50);                                 /* N+1 CLKs after the write */
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(irq0->raises, 1);
    assert_int_equal(pit_count(0), 0);
    goto_tick(s + 51);
    assert_int_equal(pit_count(0), 0xffff);            /* keeps counting; OUT stays high */
    goto_tick(s + 70000);
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(irq0->raises, 1);
    assert_int_equal(irq0->lowers, 0);
}

static void test_mode0_reprogram(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 0, 100);
    harness_irq_probe_reset(irq0);

    /* A new count restarts: the terminal count moves to N+1 CLKs after it. */
    goto_tick(k + 40);
    harness_outb(0x40, 30);
    /* The first byte stops counting. */
    uint16_t held = pit_count(0);
    assert_int_equal(held, 100 - 39);
    goto_tick(k + 45);
    assert_int_equal(pit_count(0), held);
    harness_outb(0x40, 0);
    goto_tick(k + 45 + 30);
    assert_int_equal(pit_out(0), 0);
    goto_tick(k + 46 + 30);
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(irq0->raises, 1);

    /* After terminal count, writing a count sets OUT low at once. */
    goto_tick(k + 90);
    harness_outb(0x40, 10);
    assert_int_equal(irq0->lowers, 1);
    harness_outb(0x40, 0);
    assert_int_equal(pit_out(0), 0);
    goto_tick(k + 100);
    assert_int_equal(pit_out(0), 0);
    goto_tick(k + 101);
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(irq0->raises, 2);
}

static void test_mode1_gate(void **state)
{
    harness_outb(PORT_61, 0);
    int64_t k = fresh_tick();
    pit_program(2, 1, 30);
    assert_int_equal(pit_out(2), 1);
    assert_true(harness_inb(PORT_61) & 0x20);

    goto_tick(k + 10);
    assert_int_equal(pit_out(2), 1);                   /* no trigger yet */
    harness_outb(PORT_61, 1);                          /* GATE rises in tick k+10 */
    assert_int_equal(pit_get_gate(pit, 2), 1);
    assert_int_equal(pit_out(2), 1);
    goto_tick(k + 11);
    assert_int_equal(pit_out(2), 0);
    assert_false(harness_inb(PORT_61) & 0x20);
    assert_int_equal(pit_count(2), 30);
    goto_tick(k + 40);
    assert_int_equal(pit_out(2), 0);
    goto_tick(k + 41);
    assert_int_equal(pit_out(2), 1);

    /* Retriggering while OUT is low extends the pulse. */
    goto_tick(k + 50);
    harness_outb(PORT_61, 0);
    harness_outb(PORT_61, 1);
    goto_tick(k + 60);
    harness_outb(PORT_61, 0);
    harness_outb(PORT_61, 1);
    goto_tick(k + 61 + 29);
    assert_int_equal(pit_out(2), 0);
    goto_tick(k + 61 + 30);
    assert_int_equal(pit_out(2), 1);
}

static void test_mode2_rate(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 2, 100);
    int64_t s = k + 1;
    harness_irq_probe_reset(irq0);

    goto_tick(s + 98);
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(pit_count(0), 2);
    goto_tick(s + 99);
    assert_int_equal(pit_out(0), 0);                   /* low while CE is 1 */
    assert_int_equal(irq0->lowers, 1);
    goto_ns(tick_ns(s + 100) - 1);
    assert_int_equal(irq0->raises, 0);
    goto_tick(s + 100);
    assert_int_equal(irq0->raises, 1);
    assert_int_equal(pit_count(0), 100);
    goto_tick(s + 1100);
    assert_int_equal(irq0->raises, 11);
    goto_tick(s + 1137);
    assert_int_equal(pit_count(0), 63);

    /* A new count waits for the end of the current cycle. */
    harness_outb(0x40, 50);
    harness_outb(0x40, 0);
    assert_true(pit_status(0) & 0x40);                 /* null count until then */
    goto_tick(s + 1199);
    assert_int_equal(pit_out(0), 0);
    goto_tick(s + 1200);
    assert_int_equal(irq0->raises, 12);
    assert_false(pit_status(0) & 0x40);
    assert_int_equal(pit_count(0), 50);
    goto_tick(s + 1249);
    assert_int_equal(pit_out(0), 0);
    goto_tick(s + 1250);
    assert_int_equal(irq0->raises, 13);
    goto_tick(s + 1500);
    assert_int_equal(irq0->raises, 18);
    assert_int_equal(irq0->lowers, 18);
}

static void test_mode3_square(void **state)
{
    /* Even count: high N/2, low N/2, CE steps by two from N. */
    int64_t k = fresh_tick();
    pit_program(0, 3, 10);
    int64_t s = k + 1;
    harness_irq_probe_reset(irq0);
    static const uint16_t even_ce[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2 };
    for (int i = 0; i < 10; i++) {
        goto_tick(s + i);
        assert_int_equal(pit_out(0), i < 5);
        assert_int_equal(pit_count(0), even_ce[i]);
    }
    goto_tick(s + 10);
    assert_int_equal(irq0->raises, 1);
    goto_tick(s + 1000);
    assert_int_equal(irq0->raises, 100);
    assert_int_equal(irq0->lowers, 100);

    /* Odd count: high (N+1)/2, low (N-1)/2, CE from N-1. */
    k = fresh_tick();
    pit_program(0, 3, 11);
    s = k + 1;
    harness_irq_probe_reset(irq0);
    static const uint16_t odd_ce[] = { 10, 8, 6, 4, 2, 0, 10, 8, 6, 4, 2 };
    for (int i = 0; i < 11; i++) {
        goto_tick(s + i);
        assert_int_equal(pit_out(0), i < 6);
        assert_int_equal(pit_count(0), odd_ce[i]);
    }
    goto_tick(s + 11);
    assert_int_equal(irq0->raises, 1);
    assert_int_equal(pit_out(0), 1);
    goto_tick(s + 11 + 6);
    assert_int_equal(pit_out(0), 0);
    goto_tick(s + 1100);
    assert_int_equal(irq0->raises, 100);
}

static void test_mode3_reload(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 3, 100);
    int64_t s = k + 1;
    harness_irq_probe_reset(irq0);

    /* Written in the high half: loaded when it ends, the low half uses the new count. */
    goto_tick(s + 20);
    harness_outb(0x40, 40);
    harness_outb(0x40, 0);
    goto_tick(s + 49);
    assert_int_equal(pit_out(0), 1);
    goto_tick(s + 50);
    assert_int_equal(pit_out(0), 0);
    assert_int_equal(pit_count(0), 40);
    goto_tick(s + 69);
    assert_int_equal(pit_out(0), 0);
    goto_tick(s + 70);
    assert_int_equal(irq0->raises, 1);
    goto_tick(s + 90);
    assert_int_equal(pit_out(0), 0);
    goto_tick(s + 110);
    assert_int_equal(irq0->raises, 2);
}

static void test_mode4_strobe(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 4, 20);
    int64_t s = k + 1;
    harness_irq_probe_reset(irq0);

    goto_tick(s + 19);
    assert_int_equal(pit_out(0), 1);
    goto_tick(s + 20);
    assert_int_equal(pit_out(0), 0);
    assert_int_equal(irq0->lowers, 1);
    assert_int_equal(irq0->raises, 0);
    goto_tick(s + 21);
    assert_int_equal(pit_out(0), 1);
    assert_int_equal(irq0->raises, 1);
    goto_tick(s + 200000);                             /* only once */
    assert_int_equal(irq0->raises, 1);
    assert_int_equal(irq0->lowers, 1);
}

static void test_mode5_gate(void **state)
{
    harness_outb(PORT_61, 0);
    int64_t k = fresh_tick();
    pit_program(2, 5, 15);
    goto_tick(k + 100);
    assert_int_equal(pit_out(2), 1);
    harness_outb(PORT_61, 1);
    goto_tick(k + 101 + 14);
    assert_int_equal(pit_out(2), 1);
    goto_tick(k + 101 + 15);
    assert_int_equal(pit_out(2), 0);
    goto_tick(k + 101 + 16);
    assert_int_equal(pit_out(2), 1);
}

static void test_count0_and_bcd(void **state)
{
    /* Count 0 is 65536. */
    int64_t k = fresh_tick();
    pit_program(0, 2, 0);
    int64_t s = k + 1;
    harness_irq_probe_reset(irq0);
    goto_tick(s);
    assert_int_equal(pit_count(0), 0);
    goto_tick(s + 1);
    assert_int_equal(pit_count(0), 0xffff);
    goto_tick(s + 65535);
    assert_int_equal(irq0->raises, 0);
    goto_tick(s + 65536);
    assert_int_equal(irq0->raises, 1);

    /* BCD count 0 is 10000. */
    k = fresh_tick();
    harness_outb(PORT_CMD, 0x35);                      /* counter 0, rw 3, mode 2, BCD */
    harness_outb(0x40, 0);
    harness_outb(0x40, 0);
    s = k + 1;
    harness_irq_probe_reset(irq0);
    assert_int_equal(pit_status(0) & 0x3f, 0x35);
    goto_tick(s + 1);
    assert_int_equal(pit_count(0), 0x9999);
    goto_tick(s + 1234);
    assert_int_equal(pit_count(0), 0x8766);
    goto_tick(s + 9999);
    assert_int_equal(irq0->raises, 0);
    goto_tick(s + 10000);
    assert_int_equal(irq0->raises, 1);

    /* BCD mode 0 wraps from 0000 to 9999. */
    k = fresh_tick();
    harness_outb(PORT_CMD, 0x31);
    harness_outb(0x40, 0x00);
    harness_outb(0x40, 0x01);
    s = k + 1;
    goto_tick(s + 1);
    assert_int_equal(pit_count(0), 0x0099);
    goto_tick(s + 100);
    assert_int_equal(pit_count(0), 0);
    assert_int_equal(pit_out(0), 1);
    goto_tick(s + 101);
    assert_int_equal(pit_count(0), 0x9999);
}

/* ---- Reading ---- */

static void test_latch_and_flipflops(void **state)
{
    /* LSB only, then MSB only. */
    int64_t k = fresh_tick();
    harness_outb(PORT_CMD, 0x54);                      /* counter 1, LSB, mode 2 */
    harness_outb(0x41, 0x80);
    goto_tick(k + 1 + 0x10);
    assert_int_equal(harness_inb(0x41), 0x70);
    assert_int_equal(harness_inb(0x41), 0x70);
    k = fresh_tick();
    harness_outb(PORT_CMD, 0x64);                      /* counter 1, MSB, mode 2 */
    harness_outb(0x41, 0x02);
    goto_tick(k + 1);
    assert_int_equal(harness_inb(0x41), 0x02);
    goto_tick(k + 2);
    assert_int_equal(harness_inb(0x41), 0x01);         /* 0x01ff */

    /* Unlatched two-byte reads alternate LSB, MSB, and see the live count. */
    k = fresh_tick();
    pit_program(1, 2, 0x1234);
    goto_tick(k + 1 + 0x34);
    assert_int_equal(harness_inb(0x41), 0x00);
    goto_tick(k + 1 + 0x134);
    assert_int_equal(harness_inb(0x41), 0x11);

    /* A latch holds its value; a second latch before it is read is ignored. */
    goto_tick(k + 1 + 0x200);
    harness_outb(PORT_CMD, 0x40);
    goto_tick(k + 1 + 0x300);
    harness_outb(PORT_CMD, 0x40);
    assert_int_equal(harness_inb(0x41), 0x34);
    goto_tick(k + 1 + 0x400);
    assert_int_equal(harness_inb(0x41), 0x10);
    harness_outb(PORT_CMD, 0x40);
    assert_int_equal(harness_inb(0x41), 0x34);
    assert_int_equal(harness_inb(0x41), 0x0e);

    /* The control register reads as nothing. */
    assert_int_equal(harness_inb(PORT_CMD), 0xff);
}

static void test_read_back(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 2, 1000);
    pit_program(1, 3, 2000);
    goto_tick(k + 1 + 300);
    harness_outb(PORT_CMD, 0xc6);                      /* count and status of 0 and 1 */
    goto_tick(k + 1 + 500);
    /* Status first, then the count. */
    assert_int_equal(harness_inb(0x40), 0x80 | 0x34);
    assert_int_equal(harness_inb(0x40), (1000 - 300) & 0xff);
    assert_int_equal(harness_inb(0x40), (1000 - 300) >> 8);
    assert_int_equal(harness_inb(0x41), 0x80 | 0x36);
    assert_int_equal(harness_inb(0x41), (2000 - 600) & 0xff);
    assert_int_equal(harness_inb(0x41), (2000 - 600) >> 8);

    /* Count only, for counter 1; counter 0 was not selected. */
    harness_outb(PORT_CMD, 0xd4);
    goto_tick(k + 1 + 600);
    assert_int_equal(pit_count(1), 2000 - 1000);
    assert_int_equal(pit_count(0), 1000 - 600);

    /* A status latched twice keeps the first. */
    harness_outb(PORT_CMD, 0xe2);
    goto_tick(k + 1 + 999);
    harness_outb(PORT_CMD, 0xe2);
    assert_int_equal(harness_inb(0x40), 0x80 | 0x34);
}

/* ---- Port 0x61 ---- */

static void test_port61(void **state)
{
    harness_outb(PORT_61, 0);
    int64_t k = fresh_tick();
    pit_program(2, 3, 100);
    goto_tick(k + 200);
    assert_int_equal(pit_out(2), 1);                   /* GATE low: waits, OUT high */
    assert_int_equal(pit_count(2), 100);
    assert_true(harness_inb(PORT_61) & 0x20);

    harness_outb(PORT_61, 1);
    int64_t s = k + 201;
    goto_tick(s + 49);
    assert_true(harness_inb(PORT_61) & 0x20);
    goto_tick(s + 50);
    assert_false(harness_inb(PORT_61) & 0x20);
    goto_tick(s + 100);
    assert_true(harness_inb(PORT_61) & 0x20);
    goto_tick(s + 160);
    assert_false(harness_inb(PORT_61) & 0x20);
    harness_outb(PORT_61, 0);                          /* OUT high at once */
    assert_true(harness_inb(PORT_61) & 0x20);
    assert_int_equal(pit_get_gate(pit, 2), 0);

    /* Bits 0-3 read back; 6-7 read 0; 4 toggles every 15.085 us. */
    harness_outb(PORT_61, 0xff);
    int64_t t = (harness_clock_ns() / 30170 + 1) * 30170;
    goto_ns(t);
    uint8_t v = harness_inb(PORT_61);
    assert_int_equal(v & 0xcf, 0x0f);
    assert_int_equal(v & 0x10, 0);
    goto_ns(t + 15084);
    assert_int_equal(harness_inb(PORT_61) & 0x10, 0);
    goto_ns(t + 15085);
    assert_int_equal(harness_inb(PORT_61) & 0x10, 0x10);
    goto_ns(t + 30170);
    assert_int_equal(harness_inb(PORT_61) & 0x10, 0);
    harness_outb(PORT_61, 0);
}

static void test_irq_disable(void **state)
{
    int64_t k = fresh_tick();
    pit_program(0, 2, 100);
    harness_irq_probe_reset(irq0);
    goto_tick(k + 1 + 1000);
    assert_int_equal(irq0->raises, 10);

    pit_set_enabled(pit, false);
    goto_tick(k + 1 + 5000);
    assert_int_equal(irq0->raises, 10);
    assert_int_equal(irq0->level, 0);
    assert_int_equal(pit_get_out(pit, 0), 1);          /* still counting */
    assert_int_equal(pit_count(0), 100);

    /* Reconnecting while OUT is high is a rising edge, as on the board. */
    pit_set_enabled(pit, true);
    assert_int_equal(irq0->raises, 11);
    goto_tick(k + 1 + 6000);
    assert_int_equal(irq0->raises, 21);
}

static void test_vmstate(void **state)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(pit_dev)->vmsd;
    int64_t k = fresh_tick();
    pit_program(0, 3, 1000);
    goto_tick(k + 123);
    uint16_t before = pit_count(0);

    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    assert_true(vmstate_save(buf, vmsd, pit_dev, &err));
    pit_program(0, 0, 5);
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, pit_dev, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    g_byte_array_free(buf, true);

    assert_int_equal(pit_count(0), before);
    harness_irq_probe_reset(irq0);
    goto_tick(k + 1 + 1000 * 10);
    assert_int_equal(irq0->raises, 10);
}

/* What the board calls: pit_init, pcspk_init; bad properties fail cleanly. */
static void test_board_api(void **state)
{
    ISABus *bus = isa_device_bus(ISA_DEVICE(pit_dev));
    Error *err = NULL;

    DeviceState *bad = qdev_new(TYPE_PIT);
    assert_true(qdev_prop_set(bad, "iobase", "0xfffe", &err));
    assert_false(qdev_realize_and_unref(bad, &bus->parent_obj, &err));
    assert_non_null(strstr(error_get_pretty(err), "iobase"));
    error_free(err);
    err = NULL;
    bad = qdev_new(TYPE_PCSPK);
    assert_false(qdev_realize_and_unref(bad, &bus->parent_obj, &err));
    assert_non_null(strstr(error_get_pretty(err), "pit"));
    error_free(err);
    err = NULL;

    /* Replace the bench's devices by the board's way of making them. */
    qdev_unrealize(spk_dev);
    qdev_unrealize(pit_dev);
    pit = pit_init(bus, &err);
    assert_non_null(pit);
    pit_dev = (DeviceState *)object_check((Object *)pit, TYPE_PIT);
    ISADevice *spk = pcspk_init(bus, pit, &err);
    assert_non_null(spk);
    spk_dev = &spk->parent_obj;

    /* Counter 2 through port 0x61, counter 0 on IRQ 0, GATE 0 from the API. */
    harness_outb(PORT_61, 1);
    int64_t k = fresh_tick();
    pit_program(2, 3, 10);
    pit_program(0, 2, 10);
    harness_irq_probe_reset(irq0);
    goto_tick(k + 1 + 5);
    assert_false(harness_inb(PORT_61) & 0x20);
    goto_tick(k + 1 + 100);
    assert_int_equal(irq0->raises, 10);
    pit_set_gate(pit, 0, 0);                           /* mode 2: OUT high, counting stops */
    assert_int_equal(pit_get_gate(pit, 0), 0);
    goto_tick(k + 1 + 200);
    assert_int_equal(irq0->raises, 10);
    assert_int_equal(pit_get_out(pit, 0), 1);
    pit_set_gate(pit, 0, 1);                           /* rising GATE reloads */
    goto_tick(k + 1 + 200 + 1 + 10);
    assert_int_equal(irq0->raises, 11);
    assert_int_equal(pit_get_out(pit, 7), 0);          /* bad channels are ignored */
    pit_set_gate(pit, -1, 1);
    assert_int_equal(pit_get_gate(pit, 3), 0);
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

static void exercise_ports(uint32_t seed)
{
    harness_fuzz(true, 0x40, 4, 40, seed);
    pit_get_out(pit, 2);
}

static void test_fuzz(void **state)
{
    harness_fuzz(true, 0x40, 4, 20000, 0x8254);
    harness_fuzz(true, PORT_61, 1, 5000, 0x61);
    harness_fuzz(true, 0x40, 0x22, 20000, 42);
    fuzz_vmstate(pit_dev, 2000, 0x5a5a, exercise_ports);
    /* Still a working timer afterwards. */
    qdev_reset_all(pit_dev);
    int64_t k = fresh_tick();
    pit_program(0, 2, 100);
    harness_irq_probe_reset(irq0);
    goto_tick(k + 1 + 1000);
    assert_int_equal(irq0->raises, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_mode0, setup),
        cmocka_unit_test_setup(test_mode0_reprogram, setup),
        cmocka_unit_test_setup(test_mode1_gate, setup),
        cmocka_unit_test_setup(test_mode2_rate, setup),
        cmocka_unit_test_setup(test_mode3_square, setup),
        cmocka_unit_test_setup(test_mode3_reload, setup),
        cmocka_unit_test_setup(test_mode4_strobe, setup),
        cmocka_unit_test_setup(test_mode5_gate, setup),
        cmocka_unit_test_setup(test_count0_and_bcd, setup),
        cmocka_unit_test_setup(test_latch_and_flipflops, setup),
        cmocka_unit_test_setup(test_read_back, setup),
        cmocka_unit_test_setup(test_port61, setup),
        cmocka_unit_test_setup(test_irq_disable, setup),
        cmocka_unit_test_setup(test_vmstate, setup),
        cmocka_unit_test_setup(test_board_api, setup),
        cmocka_unit_test_setup(test_fuzz, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
