/*
 * isa-debugcon (output and readback) and isa-debug-exit (exit status and
 * shutdown request), their -device errors, and a fuzz run over both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "chardev/char.h"
#include "system/runstate.h"
#include "tests/devices/harness.h"

static HarnessCapture *dbg0, *dbg1;

static ISABus *bus;

static DeviceState *device_add(const char *spec, Error **errp)
{
    Opts *opts = opts_parse(spec, "driver", errp);
    assert_non_null(opts);
    DeviceState *d = qdev_device_add(opts, errp);
    opts_free(opts);
    return d;
}

/* The error text of a -device that must fail. */
static void device_add_fails(const char *spec, const char *want)
{
    Error *err = NULL;
    assert_null(device_add(spec, &err));
    assert_non_null(err);
    if (!strstr(error_get_pretty(err), want)) {
        fail_msg("%s: got '%s', wanted '%s'", spec, error_get_pretty(err), want);
    }
    error_free(err);
}

static int group_setup(void **state)
{
    harness_init();
    dbg0 = harness_capture_chardev("dbg0", NULL);
    dbg1 = harness_capture_chardev("dbg1", NULL);
    bus = harness_isa_bus();
    return 0;
}

static void test_debugcon(void **state)
{
    Error *err = NULL;
    DeviceState *d = device_add("isa-debugcon,chardev=dbg0", &err);
    assert_non_null(d);
    for (const char *p = "Hello\n"; *p; p++) {
        harness_outb(0xe9, *p);
    }
    assert_string_equal(dbg0->out->str, "Hello\n");
    assert_int_equal(harness_inb(0xe9), 0xe9);

    /* Another port and readback value. */
    DeviceState *d2 = device_add("isa-debugcon,chardev=dbg1,iobase=0x402,readback=0x42", &err);
    assert_non_null(d2);
    assert_int_equal(harness_inb(0x402), 0x42);
    harness_outb(0x402, '!');
    assert_string_equal(dbg0->out->str, "Hello\n");
    assert_string_equal(dbg1->out->str, "!");
    qdev_unrealize(d2);
    qdev_unrealize(d);
    g_string_truncate(dbg0->out, 0);
    g_string_truncate(dbg1->out, 0);
}

static void test_debugcon_errors(void **state)
{
    device_add_fails("isa-debugcon", "empty char device");
    device_add_fails("isa-debugcon,chardev=nosuch", "can't find value 'nosuch'");
    device_add_fails("isa-debugcon,chardev=dbg0,readback=256", "readback");
    device_add_fails("isa-debugcon,chardev=dbg0,iobase=0x10000", "iobase");
    /* One frontend per chardev. */
    Error *err = NULL;
    DeviceState *d = device_add("isa-debugcon,chardev=dbg0", &err);
    assert_non_null(d);
    device_add_fails("isa-debugcon,chardev=dbg0,iobase=0x403", "busy");
    qdev_unrealize(d);
}

static void test_debug_exit(void **state)
{
    Error *err = NULL;
    runstate_process_requests();                /* nothing left from before */
    DeviceState *d = device_add("isa-debug-exit,iobase=0xf4,iosize=0x04", &err);
    assert_non_null(d);
    assert_false(runstate_process_requests());
    harness_outb(0xf4, 0x10);
    assert_int_equal(runstate_exit_status(), 0x21);
    assert_true(runstate_process_requests());   /* a shutdown was requested */
    /* Any port of the range and any width; the status is the whole value. */
    harness_outl(0xf4, 0);
    assert_int_equal(runstate_exit_status(), 1);
    harness_outb(0xf7, 0x7f);
    assert_int_equal(runstate_exit_status(), 0xff);
    harness_outw(0xf6, 0x100);
    assert_int_equal(runstate_exit_status(), 0x201);
    assert_true(runstate_process_requests());
    /* Past the range: nothing. */
    runstate_set_exit_status(0);
    harness_outb(0xf8, 1);
    assert_int_equal(runstate_exit_status(), 0);
    assert_false(runstate_process_requests());
    qdev_unrealize(d);

    /* QEMU's defaults: 0x501, two ports. */
    d = device_add("isa-debug-exit", &err);
    assert_non_null(d);
    harness_outb(0x502, 3);
    assert_int_equal(runstate_exit_status(), 7);
    assert_true(runstate_process_requests());
    qdev_unrealize(d);
    runstate_set_exit_status(0);
}

static void test_debug_exit_errors(void **state)
{
    device_add_fails("isa-debug-exit,iosize=0", "do not fit");
    device_add_fails("isa-debug-exit,iobase=0xffff,iosize=2", "do not fit");
    device_add_fails("isa-debug-exit,iosize=0x20000", "do not fit");
    device_add_fails("isa-debug-exit,iobase=-1", "iobase");
}

static void test_fuzz(void **state)
{
    Error *err = NULL;
    DeviceState *con = device_add("isa-debugcon,chardev=dbg0", &err);
    DeviceState *ex = device_add("isa-debug-exit,iobase=0xf4,iosize=4", &err);
    assert_non_null(con);
    assert_non_null(ex);
    harness_fuzz(true, 0xe8, 3, 20000, 1);
    harness_fuzz(true, 0xf0, 16, 20000, 2);
    runstate_process_requests();
    runstate_set_exit_status(0);
    qdev_unrealize(ex);
    qdev_unrealize(con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debugcon),
        cmocka_unit_test(test_debugcon_errors),
        cmocka_unit_test(test_debug_exit),
        cmocka_unit_test(test_debug_exit_errors),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
