/*
 * The I/O APIC through its MMIO window: ID and version, redirection entries,
 * edge and level delivery with remote IRR and both EOI paths, masking,
 * polarity, read-only bits and the access rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/intc/ioapic.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "tests/devices/harness.h"

#define BASE        IOAPIC_DEFAULT_BASE
#define IOREGSEL    (BASE + 0x00)
#define IOWIN       (BASE + 0x10)
#define EOIREG      (BASE + 0x40)
#define REDTBL(pin) (0x10 + 2 * (pin))

#define MASKED      (1u << 16)
#define LEVEL       (1u << 15)
#define REMOTE_IRR  (1u << 14)
#define ACTIVE_LOW  (1u << 13)
#define DELIVS      (1u << 12)
#define LOGICAL     (1u << 11)
#define DM(m)       ((uint32_t)(m) << 8)

#define MAX_MSGS 64

static IOAPICState *ioapic;
static IRQLine *gsi;
static IOAPICMessage msgs[MAX_MSGS];
static int nmsgs;

static void capture(void *opaque, const IOAPICMessage *msg)
{
    assert_ptr_equal(opaque, &nmsgs);
    if (nmsgs < MAX_MSGS) {
        msgs[nmsgs] = *msg;
    }
    nmsgs++;
}

static int group_setup(void **state)
{
    Error *err = NULL;
    harness_init();
    ioapic = ioapic_init(&err);
    if (!ioapic) {
        return -1;
    }
    gsi = ioapic_get_inputs(ioapic);
    return 0;
}

static int test_setup(void **state)
{
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        irq_lower(&gsi[i]);
    }
    qdev_reset_all((DeviceState *)ioapic);
    ioapic_set_delivery(ioapic, capture, &nmsgs);
    nmsgs = 0;
    return 0;
}

static uint32_t reg_read(uint8_t sel)
{
    harness_writel(IOREGSEL, sel);
    return harness_readl(IOWIN);
}

static void reg_write(uint8_t sel, uint32_t val)
{
    harness_writel(IOREGSEL, sel);
    harness_writel(IOWIN, val);
}

static void rte_write(int pin, uint32_t low, uint8_t dest)
{
    reg_write(REDTBL(pin) + 1, (uint32_t)dest << 24);
    reg_write(REDTBL(pin), low);
}

static char *monitor_output(const char *line)
{
    Monitor *mon = monitor_new_buffer();
    monitor_run_line(mon, line);
    char *out = g_strdup(monitor_buffer(mon));
    monitor_free(mon);
    return out;
}

static void test_id_version(void **state)
{
    assert_int_equal(reg_read(0x00), 0);
    assert_int_equal(reg_read(0x01), 0x00170020);
    /* A 4-bit ID; the arbitration ID follows it; reserved bits drop. */
    reg_write(0x00, 0xffffffff);
    assert_int_equal(reg_read(0x00), 0x0f000000);
    assert_int_equal(reg_read(0x02), 0x0f000000);
    reg_write(0x00, 0x03000000);
    assert_int_equal(reg_read(0x00), 0x03000000);
    /* Version and arbitration are read-only. */
    reg_write(0x01, 0x12345678);
    reg_write(0x02, 0x0a000000);
    assert_int_equal(reg_read(0x01), 0x00170020);
    assert_int_equal(reg_read(0x02), 0x03000000);
    /* IOREGSEL keeps bits 7:0 only. */
    harness_writel(IOREGSEL, 0xabcdef01);
    assert_int_equal(harness_readl(IOREGSEL), 0x01);
}

static void test_redirection_entries(void **state)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        assert_int_equal(reg_read(REDTBL(pin)), MASKED);
        assert_int_equal(reg_read(REDTBL(pin) + 1), 0);
    }
    /* Every writable field round-trips; reserved bits 47:17 read 0. */
    reg_write(REDTBL(5), 0xfffeffff);
    assert_int_equal(reg_read(REDTBL(5)), 0xafff);
    reg_write(REDTBL(5) + 1, 0xffffffff);
    assert_int_equal(reg_read(REDTBL(5) + 1), 0xffff0000);
    /* Other pins untouched. */
    assert_int_equal(reg_read(REDTBL(4)), MASKED);
    assert_int_equal(reg_read(REDTBL(6)), MASKED);
    assert_int_equal(reg_read(REDTBL(23)), MASKED);
    /* Delivery status and remote IRR are read-only. */
    reg_write(REDTBL(7), MASKED | LEVEL | REMOTE_IRR | DELIVS | 0x41);
    assert_int_equal(reg_read(REDTBL(7)), MASKED | LEVEL | 0x41);

    char *out = monitor_output("info ioapic");
    assert_non_null(strstr(out, "ioapic0: ver=0x20 id=0x00 sel=0x1e (redir[7])\n"
                                "  pin 0  0x0000000000010000 dest=0 vec=0   active-hi edge  "
                                "masked fixed  physical\n"));
    assert_non_null(strstr(out, "  pin 7  0x0000000000018041 dest=0 vec=65  active-hi level "
                                "masked fixed  physical\n"));
    assert_non_null(strstr(out, "  IRR      (none)\n  Remote IRR (none)\n"));
    g_free(out);
}

static void test_edge_delivery(void **state)
{
    rte_write(1, 0x31 | DM(IOAPIC_DM_LOWEST) | LOGICAL, 0x0f);
    irq_raise(&gsi[1]);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].vector, 0x31);
    assert_int_equal(msgs[0].dest, 0x0f);
    assert_int_equal(msgs[0].dest_mode, 1);
    assert_int_equal(msgs[0].delivery_mode, IOAPIC_DM_LOWEST);
    assert_int_equal(msgs[0].trigger_mode, 0);
    assert_int_equal(msgs[0].pin, 1);
    /* Held high: no more; a new rising edge: one more. */
    irq_raise(&gsi[1]);
    assert_int_equal(nmsgs, 1);
    irq_lower(&gsi[1]);
    assert_int_equal(nmsgs, 1);
    irq_pulse(&gsi[1]);
    assert_int_equal(nmsgs, 2);
    /* No remote IRR for edge, and an EOI changes nothing. */
    assert_int_equal(reg_read(REDTBL(1)) & REMOTE_IRR, 0);
    ioapic_eoi_broadcast(ioapic, 0x31);
    assert_int_equal(nmsgs, 2);
}

static void test_edge_masked(void **state)
{
    rte_write(3, 0x33 | MASKED, 0);
    irq_raise(&gsi[3]);
    assert_int_equal(nmsgs, 0);
    /* A masked edge is lost, not held until the unmask. */
    reg_write(REDTBL(3), 0x33);
    assert_int_equal(nmsgs, 0);
    irq_lower(&gsi[3]);
    irq_raise(&gsi[3]);
    assert_int_equal(nmsgs, 1);
}

static void test_level_delivery(void **state)
{
    rte_write(9, 0x39 | LEVEL, 0x01);
    irq_raise(&gsi[9]);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].trigger_mode, 1);
    assert_int_equal(msgs[0].vector, 0x39);
    assert_int_equal(msgs[0].dest, 0x01);
    assert_true(reg_read(REDTBL(9)) & REMOTE_IRR);
    /* Asserted with remote IRR set: nothing more. */
    irq_raise(&gsi[9]);
    assert_int_equal(nmsgs, 1);
    /* An EOI of another vector does not touch it. */
    ioapic_eoi_broadcast(ioapic, 0x38);
    assert_true(reg_read(REDTBL(9)) & REMOTE_IRR);
    /* EOI from the LAPIC, line still asserted: delivered again. */
    ioapic_eoi_broadcast(ioapic, 0x39);
    assert_int_equal(nmsgs, 2);
    assert_true(reg_read(REDTBL(9)) & REMOTE_IRR);
    char *out = monitor_output("info ioapic");
    assert_non_null(strstr(out, "  IRR      9  \n  Remote IRR 9  \n"));
    g_free(out);
    /* The version 0x20 EOI register does the same. */
    harness_writel(EOIREG, 0x39);
    assert_int_equal(nmsgs, 3);
    /* Line low, then EOI: remote IRR clears, nothing sent. */
    irq_lower(&gsi[9]);
    harness_writel(EOIREG, 0x39);
    assert_int_equal(nmsgs, 3);
    assert_int_equal(reg_read(REDTBL(9)) & REMOTE_IRR, 0);
    /* Out-of-range vectors are ignored. */
    ioapic_eoi_broadcast(ioapic, -1);
    ioapic_eoi_broadcast(ioapic, 0x139);
    /* Switching the pin to edge clears a stuck remote IRR. */
    irq_raise(&gsi[9]);
    assert_int_equal(nmsgs, 4);
    reg_write(REDTBL(9), 0x39 | MASKED);
    assert_int_equal(reg_read(REDTBL(9)) & REMOTE_IRR, 0);
}

static void test_level_masked(void **state)
{
    rte_write(10, 0x3a | LEVEL | MASKED, 0);
    irq_raise(&gsi[10]);
    assert_int_equal(nmsgs, 0);
    assert_int_equal(reg_read(REDTBL(10)) & REMOTE_IRR, 0);
    /* Unmasking an asserted level pin delivers it. */
    reg_write(REDTBL(10), 0x3a | LEVEL);
    assert_int_equal(nmsgs, 1);
    /* Masking after delivery does not undo remote IRR; EOI while masked: nothing. */
    reg_write(REDTBL(10), 0x3a | LEVEL | MASKED);
    assert_true(reg_read(REDTBL(10)) & REMOTE_IRR);
    ioapic_eoi_broadcast(ioapic, 0x3a);
    assert_int_equal(nmsgs, 1);
    reg_write(REDTBL(10), 0x3a | LEVEL);
    assert_int_equal(nmsgs, 2);
}

static void test_polarity(void **state)
{
    /* Active low level: a line at 0 is asserted as soon as it is unmasked. */
    rte_write(16, 0x50 | LEVEL | ACTIVE_LOW, 0);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].vector, 0x50);
    irq_raise(&gsi[16]);            /* deasserts */
    ioapic_eoi_broadcast(ioapic, 0x50);
    assert_int_equal(nmsgs, 1);
    irq_lower(&gsi[16]);            /* asserts */
    assert_int_equal(nmsgs, 2);

    /* Active low edge: the falling edge delivers. */
    irq_raise(&gsi[17]);
    rte_write(17, 0x51 | ACTIVE_LOW, 0);
    assert_int_equal(nmsgs, 2);
    irq_lower(&gsi[17]);
    assert_int_equal(nmsgs, 3);
    assert_int_equal(msgs[2].vector, 0x51);
    irq_raise(&gsi[17]);
    assert_int_equal(nmsgs, 3);
}

static void test_delivery_modes(void **state)
{
    /* NMI is always edge: no remote IRR even if programmed level. */
    rte_write(2, DM(IOAPIC_DM_NMI) | LEVEL, 0);
    irq_raise(&gsi[2]);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].delivery_mode, IOAPIC_DM_NMI);
    assert_int_equal(msgs[0].trigger_mode, 0);
    assert_int_equal(reg_read(REDTBL(2)) & REMOTE_IRR, 0);
    /* ExtINT passes through for the LAPIC to run an INTA on the PIC. */
    rte_write(0, DM(IOAPIC_DM_EXTINT), 0);
    irq_raise(&gsi[0]);
    assert_int_equal(nmsgs, 2);
    assert_int_equal(msgs[1].delivery_mode, IOAPIC_DM_EXTINT);
    /* A reserved delivery mode sends nothing. */
    rte_write(4, DM(3), 0);
    irq_raise(&gsi[4]);
    assert_int_equal(nmsgs, 2);
}

static void test_no_callback(void **state)
{
    ioapic_set_delivery(ioapic, NULL, NULL);
    uint64_t before = ioapic_get_delivery_count(ioapic, 12);
    rte_write(12, 0x3c, 0);
    irq_pulse(&gsi[12]);
    irq_pulse(&gsi[12]);
    assert_int_equal(ioapic_get_delivery_count(ioapic, 12) - before, 2);
    assert_int_equal(ioapic_get_delivery_count(ioapic, 99), 0);
    assert_int_equal(nmsgs, 0);

    char *out = monitor_output("info irq");
    assert_non_null(strstr(out, "IRQ statistics for ioapic:\n"));
    assert_non_null(strstr(out, "12: "));
    g_free(out);
}

static void test_bad_registers(void **state)
{
    /* No register at 0x03-0x0f or past the table: reads 0, writes ignored. */
    static const uint8_t holes[] = { 0x03, 0x0f, 0x40, 0x41, 0x80, 0xff };
    for (unsigned i = 0; i < G_N_ELEMENTS(holes); i++) {
        reg_write(holes[i], 0xffffffff);
        assert_int_equal(reg_read(holes[i]), 0);
    }
    assert_int_equal(reg_read(0x00), 0);
    assert_int_equal(reg_read(REDTBL(23) + 1), 0);
    /* Offsets between the registers read 0. */
    assert_int_equal(harness_readl(BASE + 0x20), 0);
    assert_int_equal(harness_readl(EOIREG), 0);
    assert_int_equal(harness_readl(BASE + 0xffc), 0);

    /* Only aligned dword accesses: others read all ones and are ignored. */
    harness_writel(IOREGSEL, 0x01);
    assert_int_equal(harness_readb(IOREGSEL), 0xff);
    assert_int_equal(harness_readw(IOREGSEL), 0xffff);
    assert_int_equal(harness_readq(IOREGSEL), UINT64_MAX);
    harness_writeb(IOREGSEL, 0x00);
    harness_writew(IOREGSEL, 0x00);
    harness_writeq(IOREGSEL, 0);
    assert_int_equal(harness_readl(IOREGSEL), 0x01);
    assert_int_equal(harness_readl(IOREGSEL + 2), 0xffffffff);
}

static void test_version_0x11(void **state)
{
    static const char *const props[] = { "version", "0x11", "base", "0xfec01000", NULL };
    DeviceState *dev = harness_create(TYPE_IOAPIC, NULL, props);
    IOAPICState *old = ioapic_from_device(dev);
    IRQLine *in = ioapic_get_inputs(old);

    ioapic_set_delivery(old, capture, &nmsgs);
    harness_writel(0xfec01000, 0x01);
    assert_int_equal(harness_readl(0xfec01010), 0x00170011);
    harness_writel(0xfec01000, REDTBL(5));
    harness_writel(0xfec01010, 0x45 | LEVEL);
    harness_writel(0xfec01000, REDTBL(5) + 1);
    harness_writel(0xfec01010, 0xffffffff);
    assert_int_equal(harness_readl(0xfec01010), 0xff000000);   /* no EDID */
    irq_raise(&in[5]);
    assert_int_equal(nmsgs, 1);
    /* No EOI register on the 82093AA. */
    harness_writel(0xfec01040, 0x45);
    assert_int_equal(nmsgs, 1);
    ioapic_eoi_broadcast(old, 0x45);
    assert_int_equal(nmsgs, 2);
    irq_lower(&in[5]);
    qdev_unrealize(dev);
    assert_int_equal(harness_readl(0xfec01000), 0xffffffff);

    /* Unsupported versions and misaligned bases are refused. */
    Error *err = NULL;
    DeviceState *bad = qdev_new(TYPE_IOAPIC);
    assert_true(qdev_prop_set(bad, "version", "0x17", &err));
    assert_false(qdev_realize_and_unref(bad, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "version"));
    error_free(err);
}

static void test_vmstate(void **state)
{
    DeviceState *dev = (DeviceState *)ioapic;
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    reg_write(0x00, 0x05000000);
    rte_write(9, 0x39 | LEVEL, 0x02);
    irq_raise(&gsi[9]);
    assert_int_equal(nmsgs, 1);
    assert_true(vmstate_save(buf, vmsd, ioapic, &err));
    qdev_reset_all(dev);
    assert_int_equal(reg_read(REDTBL(9)), MASKED);
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, ioapic, vmsd->version_id, &err));
    assert_int_equal(pos, buf->len);
    assert_int_equal(reg_read(0x00), 0x05000000);
    assert_int_equal(reg_read(REDTBL(9)), 0x39 | LEVEL | REMOTE_IRR);
    assert_int_equal(reg_read(REDTBL(9) + 1), 0x02000000);
    assert_int_equal(nmsgs, 1);
    harness_writel(EOIREG, 0x39);
    assert_int_equal(nmsgs, 2);
    g_byte_array_free(buf, true);
}

/* Random register traffic, line changes and EOIs, then random MMIO. */
static void test_fuzz(void **state)
{
    GRand *rand = g_rand_new_with_seed(0x1a41c);
    for (int i = 0; i < 20000; i++) {
        switch (g_rand_int_range(rand, 0, 5)) {
        case 0:
            reg_write(g_rand_int_range(rand, 0, 0x100), g_rand_int(rand));
            break;
        case 1:
            reg_read(g_rand_int_range(rand, 0, 0x100));
            break;
        case 2:
            irq_set(&gsi[g_rand_int_range(rand, 0, IOAPIC_NUM_PINS)], g_rand_int_range(rand, 0, 2));
            break;
        case 3:
            ioapic_eoi_broadcast(ioapic, g_rand_int_range(rand, -4, 0x104));
            break;
        default:
            harness_writel(EOIREG, g_rand_int(rand));
            break;
        }
    }
    g_rand_free(rand);
    harness_fuzz(false, BASE, 0x50, 20000, 7);
    harness_fuzz(false, BASE, IOAPIC_MMIO_SIZE, 5000, 8);
    char *out = monitor_output("info pic");
    assert_non_null(strstr(out, "ioapic0: ver=0x20"));
    g_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_id_version, test_setup),
        cmocka_unit_test_setup(test_redirection_entries, test_setup),
        cmocka_unit_test_setup(test_edge_delivery, test_setup),
        cmocka_unit_test_setup(test_edge_masked, test_setup),
        cmocka_unit_test_setup(test_level_delivery, test_setup),
        cmocka_unit_test_setup(test_level_masked, test_setup),
        cmocka_unit_test_setup(test_polarity, test_setup),
        cmocka_unit_test_setup(test_delivery_modes, test_setup),
        cmocka_unit_test_setup(test_no_callback, test_setup),
        cmocka_unit_test_setup(test_bad_registers, test_setup),
        cmocka_unit_test_setup(test_version_0x11, test_setup),
        cmocka_unit_test_setup(test_vmstate, test_setup),
        cmocka_unit_test_setup(test_fuzz, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
