/*
 * isa-ferr: the CPU's FERR# raises IRQ 13 and keeps it up until a write to
 * port 0xf0; a FERR# that stays asserted does not raise it again; reset
 * drops it; a fuzz run over the port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hw/i386/ferr.h"
#include "tests/devices/harness.h"

static ISADevice *dev;
static IRQProbe *irq13;

static int group_setup(void **state)
{
    harness_init();
    ISABus *bus = harness_isa_bus();
    dev = ferr_init(bus, NULL);
    assert_non_null(dev);
    irq13 = harness_isa_irq(13);
    return 0;
}

static void test_ferr_latch(void **state)
{
    IRQLine *pin = ferr_get_input(dev);
    assert_non_null(pin);
    harness_irq_probe_reset(irq13);

    irq_raise(pin);
    assert_int_equal(irq13->level, 1);
    assert_int_equal(irq13->raises, 1);
    /* FNCLEX drops FERR#: the latch holds IRQ 13 until the handler's port write. */
    irq_lower(pin);
    assert_int_equal(irq13->level, 1);
    harness_outb(0xf0, 0);
    assert_int_equal(irq13->level, 0);
    assert_int_equal(irq13->lowers, 1);
    assert_int_equal(harness_inb(0xf0), 0xff);

    /* FERR# still asserted after the write: no new interrupt until it rises again. */
    irq_raise(pin);
    harness_outb(0xf0, 0x5a);
    irq_raise(pin);
    assert_int_equal(irq13->level, 0);
    assert_int_equal(irq13->raises, 2);
    irq_lower(pin);
    irq_raise(pin);
    assert_int_equal(irq13->level, 1);
    assert_int_equal(irq13->raises, 3);

    /* Reset: IRQ 13 low, FERR# forgotten. */
    qdev_reset_all(&dev->parent_obj);
    assert_int_equal(irq13->level, 0);
    irq_raise(pin);
    assert_int_equal(irq13->level, 1);
    harness_outb(0xf0, 0);
    irq_lower(pin);
}

static void test_ferr_fuzz(void **state)
{
    harness_fuzz(true, 0xf0, 1, 5000, 13);
    harness_outb(0xf0, 0);
    assert_int_equal(irq13->level, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ferr_latch),
        cmocka_unit_test(test_ferr_fuzz),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
