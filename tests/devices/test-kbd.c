/*
 * i8042 keyboard controller, PS/2 keyboard and mouse, and port 0x92, through
 * ports 0x60/0x64/0x92: controller self tests and command byte, keyboard
 * commands and scancodes in sets 1, 2 and 3 with and without translation,
 * IRQ 1/12 gating, the mouse's modes, packets and ID knocks, A20 and reset
 * through the output port and port 0x92, queue overflow, reply ordering,
 * sendkey, VMState, and a fuzz run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <linux/input-event-codes.h>

#include "hw/i386/port92.h"
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "system/runstate.h"
#include "tests/devices/harness.h"

#define DATA    0x60
#define CMD     0x64
#define PORT92  0x92

#define STAT_OBF        0x01
#define STAT_IBF        0x02
#define STAT_SYS        0x04
#define STAT_A2         0x08
#define STAT_INH        0x10
#define STAT_AUX_OBF    0x20

static ISADevice *kbc;
static IRQProbe *irq1, *irq12, *a20;
static int resets_seen;

static void count_reset(void *opaque)
{
    resets_seen++;
}

static int setup(void **state)
{
    Error *err = NULL;
    runstate_process_requests();        /* nothing left over from an earlier test */
    kbc = i8042_init(harness_isa_bus(), &err);
    assert_non_null(kbc);
    i8042_set_a20_line(kbc, a20->line);
    harness_irq_probe_reset(a20);
    irq1 = harness_isa_irq(1);
    irq12 = harness_isa_irq(12);
    harness_irq_probe_reset(irq1);
    harness_irq_probe_reset(irq12);
    resets_seen = 0;
    return 0;
}

static int teardown(void **state)
{
    if (kbc) {
        qdev_unrealize(&kbc->parent_obj);
        kbc = NULL;
    }
    return 0;
}

static void expect_bytes_at(const uint8_t *want, unsigned n, bool aux, int line)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t st = harness_inb(CMD);
        if (!(st & STAT_OBF)) {
            fail_msg("line %d: byte %u of %u (0x%02x) missing", line, i, n, want[i]);
        }
        if (!!(st & STAT_AUX_OBF) != aux) {
            fail_msg("line %d: byte %u from the wrong port (status 0x%02x)", line, i, st);
        }
        uint8_t got = harness_inb(DATA);
        if (got != want[i]) {
            fail_msg("line %d: byte %u: got 0x%02x, want 0x%02x", line, i, got, want[i]);
        }
    }
    if (harness_inb(CMD) & STAT_OBF) {
        fail_msg("line %d: extra byte 0x%02x after %u", line, harness_inb(DATA), n);
    }
}

#define EXPECT(aux, ...) do { \
        static const uint8_t want_[] = { __VA_ARGS__ }; \
        expect_bytes_at(want_, sizeof(want_), aux, __LINE__); \
    } while (0)
#define EXPECT_KBD(...) EXPECT(false, __VA_ARGS__)
#define EXPECT_AUX(...) EXPECT(true, __VA_ARGS__)

static void expect_empty(void)
{
    assert_int_equal(harness_inb(CMD) & STAT_OBF, 0);
}

static void write_cmd_byte(uint8_t val)
{
    harness_outb(CMD, 0x60);
    harness_outb(DATA, val);
}

static void key(int code, bool down)
{
    i8042_keyboard_event(kbc, code, down);
}

static void kbd_send(uint8_t val)
{
    harness_outb(DATA, val);
}

static void aux_send(uint8_t val)
{
    harness_outb(CMD, 0xd4);
    harness_outb(DATA, val);
}

/* ---- Controller ------------------------------------------------------------ */

static void test_self_test(void **state)
{
    uint8_t st = harness_inb(CMD);
    assert_int_equal(st & (STAT_OBF | STAT_IBF | STAT_SYS), 0);
    assert_true(st & STAT_INH);

    harness_outb(CMD, 0xaa);
    st = harness_inb(CMD);
    assert_true(st & STAT_A2);
    assert_true(st & STAT_SYS);
    assert_int_equal(st & STAT_IBF, 0);
    EXPECT_KBD(0x55);
    harness_outb(CMD, 0xab);
    EXPECT_KBD(0x00);
    harness_outb(CMD, 0xa9);
    EXPECT_KBD(0x00);
    harness_outb(CMD, 0xa4);
    EXPECT_KBD(0xf1);
    harness_outb(CMD, 0xc8);            /* unknown: ignored */
    expect_empty();
    /* An empty output buffer reads as its last value. */
    assert_int_equal(harness_inb(DATA), 0xf1);
    kbd_send(0xee);
    assert_int_equal(harness_inb(CMD) & STAT_A2, 0);
    EXPECT_KBD(0xee);
}

static void test_command_byte(void **state)
{
    harness_outb(CMD, 0x20);
    EXPECT_KBD(0x41);                   /* power on: INT and XLATE */
    write_cmd_byte(0xc7);
    harness_outb(CMD, 0x20);
    EXPECT_KBD(0x47);                   /* bit 7 reads 0 */
    assert_true(harness_inb(CMD) & STAT_SYS);
    write_cmd_byte(0x43);
    assert_int_equal(harness_inb(CMD) & STAT_SYS, 0);

    /* The rest of the internal RAM. */
    harness_outb(CMD, 0x65);
    harness_outb(DATA, 0x5a);
    harness_outb(CMD, 0x25);
    EXPECT_KBD(0x5a);

    /* AD/AE and A7/A8 show in the command byte. */
    harness_outb(CMD, 0xad);
    harness_outb(CMD, 0xa7);
    harness_outb(CMD, 0x20);
    EXPECT_KBD(0x73);
    harness_outb(CMD, 0xae);
    harness_outb(CMD, 0xa8);
    harness_outb(CMD, 0x20);
    EXPECT_KBD(0x43);
}

/* ---- Keyboard ------------------------------------------------------------- */

static void test_kbd_reset_identify(void **state)
{
    kbd_send(0xff);
    EXPECT_KBD(0xfa, 0xaa);
    kbd_send(0xf2);
    EXPECT_KBD(0xfa, 0xab, 0x41);       /* 0x83 translated */
    write_cmd_byte(0x01);
    kbd_send(0xf2);
    EXPECT_KBD(0xfa, 0xab, 0x83);
    kbd_send(0xfe);                     /* resend: the last byte again */
    EXPECT_KBD(0x83);
    kbd_send(0xee);
    EXPECT_KBD(0xee);
    kbd_send(0x42);                     /* not a command */
    EXPECT_KBD(0xfe);
    kbd_send(0xed);
    kbd_send(0x07);
    EXPECT_KBD(0xfa, 0xfa);
    kbd_send(0xf3);
    kbd_send(0x20);
    EXPECT_KBD(0xfa, 0xfa);
    /* A command in place of a parameter aborts the first one. */
    kbd_send(0xed);
    kbd_send(0xf2);
    EXPECT_KBD(0xfa, 0xfa, 0xab, 0x83);

    /* Scanning off and on. */
    kbd_send(0xf5);
    EXPECT_KBD(0xfa);
    key(KEY_A, true);
    expect_empty();
    kbd_send(0xf4);
    EXPECT_KBD(0xfa);
    key(KEY_A, false);
    EXPECT_KBD(0xf0, 0x1c);
}

static void test_scancode_sets(void **state)
{
    write_cmd_byte(0x01);               /* untranslated */
    kbd_send(0xf0);
    kbd_send(0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x02);

    key(KEY_A, true);
    key(KEY_A, false);
    EXPECT_KBD(0x1c, 0xf0, 0x1c);
    key(KEY_UP, true);
    key(KEY_UP, false);
    EXPECT_KBD(0xe0, 0x75, 0xe0, 0xf0, 0x75);
    key(KEY_PAUSE, true);
    key(KEY_PAUSE, false);
    EXPECT_KBD(0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
    key(KEY_F7, true);
    EXPECT_KBD(0x83);
    key(KEY_SYSRQ, true);
    key(KEY_SYSRQ, false);
    EXPECT_KBD(0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
    key(KEY_LEFTALT, true);
    key(KEY_SYSRQ, true);
    key(KEY_SYSRQ, false);
    key(KEY_LEFTALT, false);
    EXPECT_KBD(0x11, 0x84, 0xf0, 0x84, 0xf0, 0x11);
    key(KEY_RIGHTCTRL, true);
    key(KEY_PAUSE, true);
    key(KEY_RIGHTCTRL, false);
    EXPECT_KBD(0xe0, 0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e, 0xe0, 0xf0, 0x14);

    kbd_send(0xf0);
    kbd_send(0x01);
    EXPECT_KBD(0xfa, 0xfa);
    key(KEY_A, true);
    key(KEY_A, false);
    EXPECT_KBD(0x1e, 0x9e);
    key(KEY_UP, true);
    key(KEY_UP, false);
    EXPECT_KBD(0xe0, 0x48, 0xe0, 0xc8);
    key(KEY_PAUSE, true);
    EXPECT_KBD(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
    key(KEY_SYSRQ, true);
    key(KEY_SYSRQ, false);
    EXPECT_KBD(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);

    kbd_send(0xf0);
    kbd_send(0x03);
    EXPECT_KBD(0xfa, 0xfa);
    key(KEY_A, true);
    key(KEY_A, false);                  /* default: letters make only */
    key(KEY_LEFTSHIFT, true);
    key(KEY_LEFTSHIFT, false);
    EXPECT_KBD(0x1c, 0x12, 0xf0, 0x12);
    key(KEY_UP, true);
    key(KEY_PAUSE, true);
    key(KEY_ESC, true);
    EXPECT_KBD(0x63, 0x62, 0x08);
    kbd_send(0xfa);                     /* all keys typematic/make/break */
    EXPECT_KBD(0xfa);
    key(KEY_A, false);
    EXPECT_KBD(0xf0, 0x1c);
    kbd_send(0xf9);                     /* all make only */
    EXPECT_KBD(0xfa);
    key(KEY_LEFTSHIFT, false);
    expect_empty();
    kbd_send(0xf0);
    kbd_send(0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x03);
    kbd_send(0xf0);
    kbd_send(0x04);                     /* no such set */
    EXPECT_KBD(0xfa, 0xfe);

    /* Set default goes back to set 2. */
    kbd_send(0xf6);
    EXPECT_KBD(0xfa);
    key(KEY_DELETE, true);
    EXPECT_KBD(0xe0, 0x71);
}

static void test_translation(void **state)
{
    key(KEY_A, true);
    key(KEY_A, false);
    EXPECT_KBD(0x1e, 0x9e);
    key(KEY_RIGHT, true);
    key(KEY_RIGHT, false);
    EXPECT_KBD(0xe0, 0x4d, 0xe0, 0xcd);
    key(KEY_PAUSE, true);
    EXPECT_KBD(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
    kbd_send(0xf0);
    kbd_send(0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x41);
    /* Translation off shows the keyboard's own bytes. */
    write_cmd_byte(0x01);
    key(KEY_A, false);
    EXPECT_KBD(0xf0, 0x1c);
}

static void test_irq_gating(void **state)
{
    write_cmd_byte(0x00);               /* no interrupts */
    harness_irq_probe_reset(irq1);
    key(KEY_A, true);
    assert_true(harness_inb(CMD) & STAT_OBF);
    assert_int_equal(irq1->level, 0);
    write_cmd_byte(0x01);
    assert_int_equal(irq1->level, 1);
    assert_int_equal(irq1->raises, 1);
    EXPECT_KBD(0x1c);
    assert_int_equal(irq1->level, 0);

    /* Two bytes: the line drops on the read and rises for the next. */
    key(KEY_UP, true);
    assert_int_equal(irq1->raises, 2);
    harness_inb(DATA);
    assert_int_equal(irq1->raises, 3);
    harness_inb(DATA);
    assert_int_equal(irq1->level, 0);

    /* Mouse data raises IRQ 12 only with INT2. */
    aux_send(0xf4);
    EXPECT_AUX(0xfa);
    harness_irq_probe_reset(irq12);
    i8042_mouse_event(kbc, 1, 0, 0, 0);
    assert_int_equal(irq12->raises, 0);
    assert_int_equal(irq1->level, 0);
    EXPECT_AUX(0x08, 0x01, 0x00);
    write_cmd_byte(0x03);
    i8042_mouse_event(kbc, 1, 0, 0, 0);
    assert_int_equal(irq12->level, 1);
    assert_int_equal(irq1->level, 0);
    EXPECT_AUX(0x08, 0x01, 0x00);
    assert_int_equal(irq12->level, 0);

    /* 0xD2/0xD3 write the output buffer as if from the keyboard / the mouse. */
    harness_outb(CMD, 0xd2);
    harness_outb(DATA, 0x99);
    assert_int_equal(irq1->level, 1);
    EXPECT_KBD(0x99);
    harness_outb(CMD, 0xd3);
    harness_outb(DATA, 0x77);
    assert_int_equal(irq12->level, 1);
    EXPECT_AUX(0x77);
}

static void test_port_disable(void **state)
{
    harness_outb(CMD, 0xad);
    key(KEY_A, true);
    expect_empty();
    harness_outb(CMD, 0xae);
    EXPECT_KBD(0x1e);

    aux_send(0xf4);
    EXPECT_AUX(0xfa);
    harness_outb(CMD, 0xa7);
    i8042_mouse_event(kbc, 0, 0, 0, PS2_MOUSE_LEFT);
    expect_empty();
    harness_outb(CMD, 0xa8);
    EXPECT_AUX(0x09, 0x00, 0x00);

    /* Writing to the keyboard enables its port again. */
    harness_outb(CMD, 0xad);
    kbd_send(0xee);
    EXPECT_KBD(0xee);
}

static void test_queue_overflow(void **state)
{
    write_cmd_byte(0x01);
    for (int i = 0; i < 400; i++) {
        key(KEY_A, true);
    }
    unsigned n = 0;
    uint8_t last = 0;
    while (harness_inb(CMD) & STAT_OBF) {
        last = harness_inb(DATA);
        n++;
        if (harness_inb(CMD) & STAT_OBF) {
            assert_int_equal(last, 0x1c);
        }
    }
    /* The byte in the output buffer, the input part of the queue, one overrun code. */
    assert_int_equal(n, 1 + (PS2_QUEUE_SIZE - PS2_QUEUE_RESERVE) + 1);
    assert_int_equal(last, 0x00);
    key(KEY_A, false);
    EXPECT_KBD(0xf0, 0x1c);
}

static void test_reply_before_input(void **state)
{
    write_cmd_byte(0x01);
    key(KEY_A, true);
    key(KEY_B, true);
    kbd_send(0xee);                     /* answered before the queued B */
    EXPECT_KBD(0x1c, 0xee, 0x32);
}

/* ---- Mouse ---------------------------------------------------------------- */

static void test_mouse_reset(void **state)
{
    aux_send(0xff);
    EXPECT_AUX(0xfa, 0xaa, 0x00);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0x00);
    aux_send(0xe9);
    EXPECT_AUX(0xfa, 0x00, 0x02, 100);
    aux_send(0x55);
    EXPECT_AUX(0xfe);
    /* Reporting is off after reset. */
    i8042_mouse_event(kbc, 5, 5, 0, 0);
    expect_empty();
}

static void knock(uint8_t a, uint8_t b, uint8_t c)
{
    const uint8_t rates[3] = { a, b, c };
    for (int i = 0; i < 3; i++) {
        aux_send(0xf3);
        aux_send(rates[i]);
        EXPECT_AUX(0xfa, 0xfa);
    }
}

static void test_mouse_knocks(void **state)
{
    knock(200, 200, 80);                /* the Explorer knock needs ID 3 first */
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0x00);
    knock(200, 100, 80);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0x03);

    aux_send(0xf4);
    EXPECT_AUX(0xfa);
    i8042_mouse_event(kbc, 1, 0, 1, 0);
    EXPECT_AUX(0x08, 0x01, 0x00, 0x01);
    i8042_mouse_event(kbc, 0, 0, -500, 0);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x80);

    knock(200, 200, 80);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0x04);
    i8042_mouse_event(kbc, 0, 0, -2, PS2_MOUSE_SIDE | PS2_MOUSE_EXTRA);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x3e);
    i8042_mouse_event(kbc, 0, 0, 100, PS2_MOUSE_SIDE);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x17);

    /* Set default keeps the ID; reset forgets it. */
    aux_send(0xf6);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0xfa, 0x04);
    aux_send(0xff);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0xaa, 0x00, 0xfa, 0x00);

    /* An invalid rate is refused and changes nothing. */
    aux_send(0xf3);
    aux_send(7);
    EXPECT_AUX(0xfa, 0xfe);
}

static void test_mouse_stream(void **state)
{
    aux_send(0xf4);
    EXPECT_AUX(0xfa);
    /* Right 10, down 5: PS/2 counts y upwards. */
    i8042_mouse_event(kbc, 10, 5, 0, 0);
    EXPECT_AUX(0x28, 0x0a, 0xfb);
    i8042_mouse_event(kbc, -3, -2, 0, PS2_MOUSE_LEFT | PS2_MOUSE_MIDDLE);
    EXPECT_AUX(0x1d, 0xfd, 0x02);
    i8042_mouse_event(kbc, 0, 0, 0, PS2_MOUSE_LEFT | PS2_MOUSE_MIDDLE);   /* no change */
    expect_empty();
    i8042_mouse_event(kbc, 0, 0, 0, PS2_MOUSE_RIGHT);
    EXPECT_AUX(0x0a, 0x00, 0x00);
    /* Overflow: the bit and the extreme value. */
    i8042_mouse_event(kbc, 300, 0, 0, 0);
    EXPECT_AUX(0x48, 0xff, 0x00);
    i8042_mouse_event(kbc, -1000, -1000, 0, 0);
    EXPECT_AUX(0xd8, 0x00, 0xff);
    i8042_mouse_event(kbc, 0, 256, 0, 0);
    EXPECT_AUX(0x28, 0x00, 0x00);
    i8042_mouse_event(kbc, 0, 257, 0, 0);
    EXPECT_AUX(0xa8, 0x00, 0x00);
    i8042_mouse_event(kbc, 255, 0, 0, 0);
    EXPECT_AUX(0x08, 0xff, 0x00);

    /* 2:1 scaling, and status. */
    aux_send(0xe7);
    EXPECT_AUX(0xfa);
    i8042_mouse_event(kbc, 4, 0, 0, 0);
    EXPECT_AUX(0x08, 0x06, 0x00);
    i8042_mouse_event(kbc, -10, 0, 0, 0);
    EXPECT_AUX(0x18, 0xec, 0x00);
    aux_send(0xe8);
    aux_send(0x03);
    aux_send(0xf3);
    aux_send(40);
    aux_send(0xe9);
    EXPECT_AUX(0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x30, 0x03, 40);
    aux_send(0xe6);
    aux_send(0xe8);
    aux_send(0x09);
    EXPECT_AUX(0xfa, 0xfa, 0xfe);

    /* Disabled: motion is dropped, not counted. */
    aux_send(0xf5);
    EXPECT_AUX(0xfa);
    i8042_mouse_event(kbc, 7, 0, 0, 0);
    expect_empty();
    aux_send(0xeb);
    EXPECT_AUX(0xfa, 0x08, 0x00, 0x00);
}

static void test_mouse_remote(void **state)
{
    aux_send(0xf0);
    EXPECT_AUX(0xfa);
    i8042_mouse_event(kbc, 5, 0, 0, 0);
    i8042_mouse_event(kbc, 7, -3, 0, PS2_MOUSE_LEFT);
    expect_empty();
    aux_send(0xe9);
    EXPECT_AUX(0xfa, 0x44, 0x02, 100);
    aux_send(0xeb);
    EXPECT_AUX(0xfa, 0x09, 0x0c, 0x03);
    aux_send(0xeb);
    EXPECT_AUX(0xfa, 0x09, 0x00, 0x00);
    aux_send(0xea);                     /* back to stream mode, still disabled */
    EXPECT_AUX(0xfa);
    i8042_mouse_event(kbc, 5, 0, 0, 0);
    expect_empty();
}

static void test_mouse_wrap(void **state)
{
    aux_send(0xee);
    EXPECT_AUX(0xfa);
    aux_send(0x42);
    EXPECT_AUX(0x42);
    aux_send(0xf4);
    EXPECT_AUX(0xf4);
    aux_send(0xec);
    EXPECT_AUX(0xfa);
    aux_send(0xf2);
    EXPECT_AUX(0xfa, 0x00);
    aux_send(0xee);
    aux_send(0xff);                     /* reset also leaves wrap mode */
    EXPECT_AUX(0xfa, 0xfa, 0xaa, 0x00);
    aux_send(0x42);
    EXPECT_AUX(0xfe);
}

/* ---- A20 and reset ------------------------------------------------------------ */

static void test_a20_output_port(void **state)
{
    harness_outb(CMD, 0xd0);
    EXPECT_KBD(0xcf);
    harness_outb(CMD, 0xd1);
    harness_outb(DATA, 0xcd);           /* A20 off */
    assert_int_equal(a20->level, 0);
    harness_outb(CMD, 0xd0);
    EXPECT_KBD(0xcd);
    harness_outb(CMD, 0xdf);
    assert_int_equal(a20->level, 1);
    assert_int_equal(a20->raises, 1);
    harness_outb(CMD, 0xdd);
    assert_int_equal(a20->level, 0);
    harness_outb(CMD, 0xd1);
    harness_outb(DATA, 0x03);
    assert_int_equal(a20->level, 1);
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 0);
}

static void test_reset_requests(void **state)
{
    harness_outb(CMD, 0xfe);
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 1);
    harness_outb(CMD, 0xff);            /* pulses nothing */
    harness_outb(CMD, 0xfd);            /* pulses bit 1 only */
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 1);
    harness_outb(CMD, 0xd1);
    harness_outb(DATA, 0x02);           /* output port bit 0 low */
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 2);
}

static void test_port92(void **state)
{
    Error *err = NULL;
    IRQProbe *line = harness_irq_probe_new();
    ISADevice *p92 = port92_init(harness_isa_bus(), line->line, &err);
    assert_non_null(p92);

    assert_int_equal(harness_inb(PORT92), 0x00);
    harness_outb(PORT92, 0x02);
    assert_int_equal(line->level, 1);
    assert_int_equal(harness_inb(PORT92), 0x02);
    harness_outb(PORT92, 0x00);
    assert_int_equal(line->level, 0);
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 0);

    harness_outb(PORT92, 0x03);         /* fast reset, A20 on */
    assert_int_equal(line->level, 1);
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 1);
    harness_outb(PORT92, 0x03);         /* no 0 -> 1 edge */
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 1);
    harness_outb(PORT92, 0x02);
    harness_outb(PORT92, 0x03);
    assert_false(runstate_process_requests());
    assert_int_equal(resets_seen, 2);

    qdev_reset_all(&p92->parent_obj);
    assert_int_equal(harness_inb(PORT92), 0x00);
    qdev_unrealize(&p92->parent_obj);
    assert_int_equal(harness_inb(PORT92), 0xff);    /* unassigned again */
    irq_free_array(line->line);
    g_free(line);
}

/* ---- Monitor, migration, fuzz -------------------------------------------------- */

static void test_sendkey(void **state)
{
    Monitor *mon = monitor_new_buffer();
    monitor_run_line(mon, "sendkey ctrl-alt-delete 0");
    EXPECT_KBD(0x1d, 0x38, 0xe0, 0x53);
    harness_poll();                     /* the CLOCK_HOST timer releases them */
    EXPECT_KBD(0xe0, 0xd3, 0xb8, 0x9d);

    monitor_run_line(mon, "sendkey 0x1e 0");
    EXPECT_KBD(0x1e);
    harness_poll();
    EXPECT_KBD(0x9e);

    monitor_buffer_clear(mon);
    monitor_run_line(mon, "sendkey ctrl-foo");
    assert_non_null(strstr(monitor_buffer(mon), "invalid parameter: foo"));
    expect_empty();

    /* A second sendkey releases the keys of the first. */
    monitor_run_line(mon, "sendkey a 100000");
    monitor_run_line(mon, "sendkey b 0");
    EXPECT_KBD(0x1e, 0x9e, 0x30);
    harness_poll();
    EXPECT_KBD(0xb0);
    monitor_free(mon);
}

static void test_vmstate(void **state)
{
    DeviceState *dev = &kbc->parent_obj;
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    Error *err = NULL;

    write_cmd_byte(0x01);
    kbd_send(0xf0);
    kbd_send(0x03);
    EXPECT_KBD(0xfa, 0xfa);
    key(KEY_A, true);
    key(KEY_B, true);                   /* 0x1c in the buffer, 0x32 queued */

    GByteArray *buf = g_byte_array_new();
    assert_true(vmstate_save(buf, vmsd, dev, &err));
    qdev_reset_all(dev);
    expect_empty();
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, dev, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    EXPECT_KBD(0x1c, 0x32);
    kbd_send(0xf0);
    kbd_send(0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x03);

    /* A queue pointer out of range is refused. */
    GByteArray *bad = g_byte_array_new();
    g_byte_array_append(bad, buf->data, buf->len);
    size_t rptr_off = 1 + 32 + 4 + 1 + PS2_QUEUE_SIZE;  /* cmd_byte, ram, 4 bytes, bool, data */
    bad->data[rptr_off] = 0x7f;
    pos = 0;
    assert_false(vmstate_load(bad->data, bad->len, &pos, vmsd, dev, vmsd->version_id, &err));
    error_free(err);
    g_byte_array_free(bad, true);
    g_byte_array_free(buf, true);
}

static void test_fuzz(void **state)
{
    Error *err = NULL;
    ISADevice *p92 = port92_init(harness_isa_bus(), a20->line, &err);
    assert_non_null(p92);
    GRand *rand = g_rand_new_with_seed(42);
    for (int round = 0; round < 40; round++) {
        harness_fuzz(true, 0x60, 5, 500, round);
        harness_fuzz(true, PORT92, 1, 20, round);
        for (int i = 0; i < 20; i++) {
            key(g_rand_int_range(rand, -5, 260), g_rand_boolean(rand));
            i8042_mouse_event(kbc, g_rand_int(rand), g_rand_int(rand), g_rand_int(rand),
                              g_rand_int(rand));
        }
    }
    g_rand_free(rand);
    runstate_process_requests();
    qdev_unrealize(&p92->parent_obj);
}

int main(void)
{
    harness_init();
    runstate_add_reset_handler(count_reset, NULL);
    a20 = harness_irq_probe_new();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_self_test, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbd_reset_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scancode_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_gating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_disable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_before_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_knocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_remote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a20_output_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port92, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sendkey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    irq_free_array(a20->line);
    g_free(a20);
    return failed;
}
