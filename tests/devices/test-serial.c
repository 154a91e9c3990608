/*
 * The 16550A (isa-serial) driven through its ports: divisor and register
 * read-back, transmit into an in-test chardev with the line timing,
 * interrupts and their priority, the RX FIFO with trigger levels and the
 * character timeout, overrun, loopback, break, FIFO clears, a backend that
 * takes bytes slowly, -device creation, VMState, and a fuzz run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "chardev/char.h"
#include "hw/char/serial.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define COM1 0x3f8
#define COM1_IRQ 4

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

/* Character times of 8N1 at 9600 (divisor 12) and 115200 (divisor 1) baud. */
#define CHAR_NS_9600 1041666
#define CHAR_NS_115200 86805

static HarnessCapture *cap;
static Chardev *chr;
static ISABus *bus;
static DeviceState *dev;
static IRQProbe *irq;

static uint8_t com_in(int reg)
{
    return harness_inb(COM1 + reg);
}

static void com_out(int reg, uint8_t val)
{
    harness_outb(COM1 + reg, val);
}

static void set_divisor(uint16_t divisor, uint8_t lcr)
{
    com_out(LCR, 0x80);
    com_out(DLL, divisor & 0xff);
    com_out(DLM, divisor >> 8);
    com_out(LCR, lcr);
}

/* What the chardev would deliver: at most what the UART says it takes. */
static int feed(const char *text)
{
    int len = strlen(text);
    int room = chr_be_can_write(chr);
    int n = len < room ? len : room;
    chr_be_write(chr, (const uint8_t *)text, n);
    return n;
}

static int group_setup(void **state)
{
    harness_init();
    cap = harness_capture_chardev("ser0", &chr);
    bus = harness_isa_bus();
    irq = harness_isa_irq(COM1_IRQ);
    return 0;
}

static int setup(void **state)
{
    static const char *const props[] = { "index", "0", "chardev", "ser0", NULL };
    g_string_truncate(cap->out, 0);
    cap->limit = 0;
    cap->stalled = false;
    cap->drip = false;
    cap->calls = 0;
    dev = harness_create(TYPE_ISA_SERIAL, &bus->parent_obj, props);
    harness_irq_probe_reset(irq);
    return 0;
}

static int teardown(void **state)
{
    qdev_unrealize(dev);
    dev = NULL;
    return 0;
}

/* ---- Registers ------------------------------------------------------------------ */

static void test_reset_values(void **state)
{
    assert_int_equal(com_in(IER), 0);
    assert_int_equal(com_in(IIR), 0x01);
    assert_int_equal(com_in(LCR), 0);
    assert_int_equal(com_in(MCR), 0);
    assert_int_equal(com_in(LSR), 0x60);
    assert_int_equal(com_in(MSR), 0xb0);        /* DCD, DSR, CTS: a chardev is ready */
    assert_int_equal(irq->level, 0);
}

static void test_divisor_and_readback(void **state)
{
    set_divisor(0x1234, 0x83);
    assert_int_equal(com_in(LCR), 0x83);
    assert_int_equal(com_in(DLL), 0x34);
    assert_int_equal(com_in(DLM), 0x12);
    com_out(LCR, 0x1b);                         /* 8 bits, even parity, DLAB off */
    assert_int_equal(com_in(LCR), 0x1b);
    com_out(IER, 0xff);
    assert_int_equal(com_in(IER), 0x0f);        /* bits 7:4 are always 0 */
    com_out(IER, 0);
    com_out(LCR, 0x80);
    assert_int_equal(com_in(DLL), 0x34);        /* IER writes left the divisor alone */
    assert_int_equal(com_in(DLM), 0x12);
    com_out(LCR, 0x03);
    com_out(MCR, 0xff);
    assert_int_equal(com_in(MCR), 0x1f);
    com_out(MCR, 0);
    com_out(SCR, 0x5a);
    assert_int_equal(com_in(SCR), 0x5a);
    com_out(SCR, 0xa5);
    assert_int_equal(com_in(SCR), 0xa5);
    /* LSR and MSR ignore writes. */
    com_out(LSR, 0);
    assert_int_equal(com_in(LSR), 0x60);
}

/* ---- Transmit ------------------------------------------------------------------- */

static void wait_thre(void)
{
    for (int i = 0; i < 1000 && !(com_in(LSR) & 0x20); i++) {
        harness_clock_step(CHAR_NS_115200 / 4);
    }
    assert_true(com_in(LSR) & 0x20);
}

static void test_tx_reaches_chardev(void **state)
{
    set_divisor(1, 0x03);
    com_out(THR, 'h');
    assert_string_equal(cap->out->str, "h");      /* at once, before the line time */
    wait_thre();
    com_out(THR, 'i');
    assert_string_equal(cap->out->str, "hi");
    /* DLAB on: offset 0 is DLL, not THR. */
    com_out(LCR, 0x83);
    com_out(THR, 1);
    com_out(LCR, 0x03);
    assert_string_equal(cap->out->str, "hi");
}

/* Output is not paced at the baud rate: THRE and TEMT come back at once. */
static void check_immediate(uint16_t divisor)
{
    set_divisor(divisor, 0x03);
    com_out(THR, 'a');
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    com_out(THR, 'b');
    com_out(THR, 'c');
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    com_out(FCR, 0x07);
    com_out(THR, 'd');
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    /* More than a FIFO's worth without waiting: nothing is lost. */
    for (int i = 0; i < 40; i++) {
        com_out(THR, 'A' + i % 26);
    }
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    assert_string_equal(cap->out->str, "abcdABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN");
}

static void test_tx_immediate_9600(void **state)
{
    check_immediate(12);
}

static void test_tx_immediate_115200(void **state)
{
    check_immediate(1);
}

static void test_tx_frame_length(void **state)
{
    /* Any frame format and divisor 0: still immediate. */
    set_divisor(12, 0x0e);
    com_out(THR, 'x');
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    set_divisor(0, 0x03);
    com_out(THR, 'y');
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    assert_string_equal(cap->out->str, "xy");
}

static void test_thr_interrupt(void **state)
{
    set_divisor(1, 0x03);
    /* Enabling ETBEI with THR empty interrupts at once. */
    com_out(IER, 0x02);
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(IIR), 0x02);
    /* Reading IIR cleared it. */
    assert_int_equal(irq->level, 0);
    assert_int_equal(com_in(IIR), 0x01);
    /* Re-enabling re-asserts it (Linux's UART_BUG_THRE probe). */
    com_out(IER, 0);
    com_out(IER, 0x02);
    assert_int_equal(irq->level, 1);
    /* A THR write clears it; THRE rising again (at once) raises it. */
    harness_irq_probe_reset(irq);
    com_out(THR, '1');
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(IIR), 0x02);
    assert_int_equal(irq->level, 0);
    com_out(THR, '2');
    assert_int_equal(irq->level, 1);
    assert_int_equal(irq->raises, 1);
    assert_int_equal(com_in(IIR), 0x02);
    /* FIFO mode: the same, and FCR0 changing interrupts at once. */
    com_out(FCR, 0x01);
    assert_int_equal(com_in(IIR), 0xc2);
    for (int i = 0; i < 4; i++) {
        com_out(THR, 'a' + i);
    }
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    assert_int_equal(com_in(IIR), 0xc2);
    /* A stalled backend: THR stays full, the interrupt comes when it drains. */
    cap->stalled = true;
    com_out(THR, 'x');
    assert_int_equal(irq->level, 0);
    assert_int_equal(com_in(LSR) & 0x60, 0x00);
    cap->stalled = false;
    harness_clock_step(1000 * 1000);            /* the retry */
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    assert_string_equal(cap->out->str, "12abcdx");
    com_out(IER, 0);
}

static void test_iir_priority(void **state)
{
    set_divisor(1, 0x03);
    com_out(IER, 0x0f);
    assert_int_equal(com_in(IIR), 0x02);        /* THR empty, nothing else yet */
    /* Loopback with all outputs low: CTS, DSR and DCD drop (modem status). */
    com_out(MCR, 0x10);
    assert_int_equal(com_in(IIR), 0x00);
    /* Two bytes into the 16450's one-byte RBR: data, then an overrun. */
    com_out(THR, 'x');
    com_out(THR, 'y');
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(IIR), 0x06);        /* line status first */
    assert_int_equal(com_in(LSR) & 0x03, 0x03);
    assert_int_equal(com_in(IIR), 0x04);        /* then received data */
    assert_int_equal(com_in(RBR), 'y');         /* 16450: the new byte overwrote RBR */
    harness_clock_step(2 * CHAR_NS_115200);
    assert_int_equal(com_in(IIR), 0x02);        /* then THR empty; this read clears it */
    assert_int_equal(com_in(IIR), 0x00);        /* then modem status */
    assert_int_equal(com_in(MSR), 0x0b);
    assert_int_equal(com_in(IIR), 0x01);
    assert_int_equal(irq->level, 0);
    assert_string_equal(cap->out->str, "");       /* loopback output never left */
    com_out(IER, 0);
    com_out(MCR, 0);
}

/* ---- Receive --------------------------------------------------------------------- */

static void test_rx_trigger_levels(void **state)
{
    static const struct { uint8_t fcr; int level; } levels[] = {
        { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    set_divisor(1, 0x03);
    com_out(IER, 0x01);
    for (unsigned i = 0; i < G_N_ELEMENTS(levels); i++) {
        com_out(FCR, levels[i].fcr | 0x02);     /* clear the RX FIFO */
        assert_int_equal(chr_be_can_write(chr), 16);
        for (int n = 0; n < levels[i].level - 1; n++) {
            assert_int_equal(feed("z"), 1);
        }
        assert_int_equal(com_in(IIR), 0xc1);
        assert_int_equal(irq->level, 0);
        assert_int_equal(com_in(LSR) & 0x01, levels[i].level > 1);
        feed("z");
        assert_int_equal(com_in(IIR), 0xc4);
        assert_int_equal(irq->level, 1);
        assert_int_equal(chr_be_can_write(chr), 16 - levels[i].level);
        /* One read takes the FIFO below the trigger: the interrupt goes. */
        assert_int_equal(com_in(RBR), 'z');
        assert_int_equal(irq->level, 0);
    }
    /* FIFOs off: one byte, then the UART takes nothing until RBR is read. */
    com_out(FCR, 0);
    assert_int_equal(chr_be_can_write(chr), 1);
    assert_int_equal(feed("ab"), 1);
    assert_int_equal(chr_be_can_write(chr), 0);
    assert_int_equal(com_in(IIR), 0x04);
    assert_int_equal(com_in(RBR), 'a');
    assert_int_equal(com_in(LSR) & 0x01, 0);
    assert_int_equal(chr_be_can_write(chr), 1);
    com_out(IER, 0);
}

static void test_rx_char_timeout(void **state)
{
    set_divisor(12, 0x03);
    com_out(FCR, 0x81);                         /* trigger at 8 */
    com_out(IER, 0x01);
    feed("ab");
    assert_int_equal(irq->level, 0);
    harness_clock_step(4 * CHAR_NS_9600 - 4);
    assert_int_equal(irq->level, 0);
    harness_clock_step(4);
    assert_int_equal(irq->level, 1);
    assert_int_equal(com_in(IIR), 0xcc);
    /* A read clears it and restarts the timer for what is left. */
    assert_int_equal(com_in(RBR), 'a');
    assert_int_equal(irq->level, 0);
    harness_clock_step(2 * CHAR_NS_9600);
    feed("c");                                  /* new data restarts it too */
    harness_clock_step(4 * CHAR_NS_9600 - 4);
    assert_int_equal(irq->level, 0);
    harness_clock_step(4);
    assert_int_equal(com_in(IIR), 0xcc);
    assert_int_equal(com_in(RBR), 'b');
    assert_int_equal(com_in(RBR), 'c');
    harness_clock_step(10 * CHAR_NS_9600);
    assert_int_equal(com_in(IIR), 0xc1);        /* an empty FIFO never times out */
    assert_int_equal(irq->level, 0);
    com_out(IER, 0);
}

static void test_rx_overrun(void **state)
{
    com_out(FCR, 0x01);
    com_out(IER, 0x05);
    char text[18] = "0123456789abcdefX";
    /* Past what can_read allows, as only loopback or a break can do. */
    chr_be_write(chr, (const uint8_t *)text, 17);
    assert_int_equal(com_in(IIR), 0xc6);
    assert_int_equal(com_in(LSR) & 0x03, 0x03);
    assert_int_equal(com_in(LSR) & 0x02, 0);    /* reading LSR cleared OE */
    for (int i = 0; i < 16; i++) {
        assert_int_equal(com_in(RBR), text[i]); /* the FIFO kept its bytes */
    }
    assert_int_equal(com_in(LSR) & 0x01, 0);
    assert_int_equal(com_in(IIR), 0xc1);
    com_out(IER, 0);
}

/* ---- Loopback, break, FIFO clear --------------------------------------------------- */

static void test_loopback(void **state)
{
    set_divisor(1, 0x03);
    /* All outputs high: DSR, CTS, RI, DCD high; only RI changed, and rising RI is no delta. */
    com_out(MCR, 0x1f);
    assert_int_equal(com_in(MSR), 0xf0);
    /* Outputs low: every line falls; RI's trailing edge sets TERI. */
    com_out(MCR, 0x10);
    assert_int_equal(com_in(MSR), 0x0f);
    assert_int_equal(com_in(MSR), 0x00);        /* deltas clear on read */
    /* Linux's probe: OUT2 and RTS must come back as DCD and CTS. */
    com_out(MCR, 0x1a);
    assert_int_equal(com_in(MSR) & 0xf0, 0x90);
    com_out(MCR, 0x11);
    assert_int_equal(com_in(MSR) & 0xf0, 0x20); /* DTR -> DSR */
    com_out(MCR, 0x14);
    assert_int_equal(com_in(MSR) & 0xf0, 0x40); /* OUT1 -> RI */
    /* Transmit loops to receive and nothing reaches the chardev. */
    com_out(FCR, 0x01);
    com_out(THR, 'L');
    assert_int_equal(com_in(LSR) & 0x01, 0x01);
    assert_int_equal(com_in(RBR), 'L');
    assert_string_equal(cap->out->str, "");
    /* The serial input is cut off meanwhile. */
    assert_int_equal(chr_be_can_write(chr), 0);
    com_out(MCR, 0x00);
    assert_int_equal(chr_be_can_write(chr), 16);
    assert_int_equal(com_in(MSR) & 0xf0, 0xb0);
}

static void test_break(void **state)
{
    com_out(FCR, 0x01);
    com_out(IER, 0x05);
    feed("a");
    chr_be_event(chr, CHR_EVENT_BREAK);
    /* The break is second in the FIFO: LSR bit 7 says an error is queued. */
    uint8_t lsr = com_in(LSR);
    assert_int_equal(lsr & 0x91, 0x81);
    assert_int_equal(com_in(RBR), 'a');
    assert_int_equal(com_in(IIR), 0xc6);        /* now at the top: BI is revealed */
    lsr = com_in(LSR);
    assert_int_equal(lsr & 0x91, 0x91);
    assert_int_equal(com_in(RBR), 0);
    assert_int_equal(com_in(LSR) & 0x91, 0);
    com_out(IER, 0);
}

static void test_fifo_clear(void **state)
{
    set_divisor(12, 0x03);
    com_out(FCR, 0x01);
    feed("hello");
    assert_int_equal(chr_be_can_write(chr), 11);
    com_out(FCR, 0x03);
    assert_int_equal(com_in(LSR) & 0x01, 0);
    assert_int_equal(chr_be_can_write(chr), 16);
    /* TX clear: bytes the stalled chardev has not taken go. */
    cap->stalled = true;
    for (int i = 0; i < 5; i++) {
        com_out(THR, '0' + i);
    }
    assert_int_equal(com_in(LSR) & 0x60, 0x00);
    com_out(FCR, 0x05);
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    cap->stalled = false;
    harness_clock_step(2 * CHAR_NS_9600);
    assert_string_equal(cap->out->str, "");
    /* Bytes already taken stay taken. */
    com_out(THR, '5');
    cap->stalled = true;
    com_out(THR, '6');
    com_out(THR, '7');
    com_out(FCR, 0x05);
    cap->stalled = false;
    harness_clock_step(3 * CHAR_NS_9600);
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    assert_string_equal(cap->out->str, "5");
    /* Turning the FIFOs off empties them too. */
    feed("abc");
    com_out(FCR, 0x00);
    assert_int_equal(com_in(LSR) & 0x01, 0);
}

/* ---- A slow chardev loses nothing ----------------------------------------------------- */

/* Send text the way a polling guest does: wait for THRE, then fill the FIFO. */
static void guest_send(const char *text)
{
    size_t len = strlen(text), done = 0;
    for (int spins = 0; done < len; spins++) {
        assert_true(spins < 100000);
        if (com_in(LSR) & 0x20) {
            for (int i = 0; i < 16 && done < len; i++) {
                com_out(THR, text[done++]);
            }
        } else {
            harness_clock_step(CHAR_NS_115200 / 2);
        }
    }
    for (int spins = 0; !(com_in(LSR) & 0x40); spins++) {
        assert_true(spins < 100000);
        harness_clock_step(CHAR_NS_115200 / 2);
    }
}

static void test_slow_backend(void **state)
{
    GString *want = g_string_new(NULL);
    for (int i = 0; i < 300; i++) {
        g_string_append_c(want, 32 + (i * 7) % 95);
    }
    set_divisor(1, 0x03);
    com_out(FCR, 0x07);

    cap->limit = 1;                               /* one byte per write call */
    guest_send(want->str);
    assert_string_equal(cap->out->str, want->str);

    g_string_truncate(cap->out, 0);
    cap->limit = 0;
    cap->drip = true;                             /* every other call takes nothing */
    guest_send(want->str);
    assert_string_equal(cap->out->str, want->str);

    /* A stalled backend stalls the guest (THRE stays low), then catches up. */
    g_string_truncate(cap->out, 0);
    cap->drip = false;
    cap->stalled = true;
    for (int i = 0; i < 17; i++) {
        com_out(THR, 'a' + i);                  /* the 17th overruns the FIFO */
    }
    harness_clock_step(100 * CHAR_NS_115200);
    assert_int_equal(com_in(LSR) & 0x60, 0);
    assert_string_equal(cap->out->str, "");
    cap->stalled = false;
    harness_clock_step(1000 * 1000);            /* the retry */
    assert_string_equal(cap->out->str, "abcdefghijklmnop");
    harness_clock_step(20 * CHAR_NS_115200);
    assert_int_equal(com_in(LSR) & 0x60, 0x60);
    g_string_free(want, true);
}

/* ---- Creation, VMState, fuzz ------------------------------------------------------------ */

static DeviceState *device_add(const char *spec, Error **errp)
{
    Opts *opts = opts_parse(spec, "driver", errp);
    assert_non_null(opts);
    DeviceState *d = qdev_device_add(opts, errp);
    opts_free(opts);
    return d;
}

static void test_device_add(void **state)
{
    Error *err = NULL;
    /* ser0 belongs to COM1 already. */
    DeviceState *d = device_add("isa-serial,chardev=ser0", &err);
    assert_null(d);
    assert_non_null(strstr(error_get_pretty(err), "device 'ser0' is busy"));
    error_free(err);
    err = NULL;
    d = device_add("isa-serial,chardev=nosuch", &err);
    assert_null(d);
    assert_non_null(strstr(error_get_pretty(err), "can't find value 'nosuch'"));
    error_free(err);
    err = NULL;
    d = device_add("isa-serial,index=4", &err);
    assert_null(d);
    assert_non_null(strstr(error_get_pretty(err), "Max. supported number of ISA serial ports is 4"));
    error_free(err);
    err = NULL;
    d = device_add("isa-serial,irq=16", &err);
    assert_null(d);
    error_free(err);
    err = NULL;

    /* No index: the first free COM port, COM2. */
    d = device_add("isa-serial,id=com2", &err);
    assert_non_null(d);
    char *v = object_prop_get_str(&d->parent_obj, "iobase");
    assert_string_equal(v, "760");              /* 0x2f8 */
    g_free(v);
    v = object_prop_get_str(&d->parent_obj, "irq");
    assert_string_equal(v, "3");
    g_free(v);
    harness_outb(0x2f8 + SCR, 0x77);
    assert_int_equal(harness_inb(0x2f8 + SCR), 0x77);
    assert_int_equal(com_in(SCR), 0);
    qdev_unrealize(d);

    /* The board's helper. */
    ISADevice *isa = serial_isa_init(bus, 3, NULL, &err);
    assert_non_null(isa);
    v = object_prop_get_str(&isa->parent_obj.parent_obj, "iobase");
    assert_string_equal(v, "744");              /* 0x2e8 */
    g_free(v);
    harness_outb(0x2e8 + THR, 'q');             /* no chardev: output goes nowhere */
    assert_int_equal(harness_inb(0x2e8 + LSR) & 0x20, 0x20);
    qdev_unrealize(&isa->parent_obj);
}

static void test_vmstate(void **state)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    Error *err = NULL;
    set_divisor(12, 0x03);
    com_out(FCR, 0x01);
    com_out(IER, 0x01);
    com_out(SCR, 0x42);
    feed("xyz");
    GByteArray *buf = g_byte_array_new();
    assert_true(vmstate_save(buf, vmsd, dev, &err));

    /* Scramble the live device, then load the saved state back. */
    com_out(FCR, 0x03);
    com_out(SCR, 0);
    com_out(IER, 0);
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, dev, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    assert_int_equal(com_in(SCR), 0x42);
    assert_int_equal(com_in(IER), 0x01);
    assert_int_equal(com_in(RBR), 'x');
    assert_int_equal(com_in(RBR), 'y');
    assert_int_equal(com_in(RBR), 'z');

    /* A stream with out-of-range FIFO indices is refused, not trusted. */
    GByteArray *bad = g_byte_array_new();
    g_byte_array_set_size(bad, buf->len);
    memset(bad->data, 0x7f, bad->len);
    pos = 0;
    assert_false(vmstate_load(bad->data, bad->len, &pos, vmsd, dev, vmsd->version_id, &err));
    error_free(err);
    g_byte_array_free(bad, true);
    g_byte_array_free(buf, true);
    /* Still usable. */
    com_out(SCR, 0x11);
    assert_int_equal(com_in(SCR), 0x11);
    harness_fuzz(true, COM1, 8, 2000, 7);
}

static void test_fuzz(void **state)
{
    for (uint32_t seed = 1; seed <= 4; seed++) {
        harness_fuzz(true, COM1, 8, 20000, seed);
        feed("fuzz input");
        chr_be_event(chr, CHR_EVENT_BREAK);
        cap->drip = seed & 1;
        cap->stalled = seed == 2;
    }
    cap->stalled = false;
    harness_clock_step(100 * 1000 * 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_divisor_and_readback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_reaches_chardev, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_immediate_9600, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_immediate_115200, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_frame_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thr_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iir_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_trigger_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_char_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_overrun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_break, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_backend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
