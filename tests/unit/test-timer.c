/* Timers, the virtual clock, bottom halves and run-state requests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"

static GString *trace;

static void record(void *opaque)
{
    g_string_append_printf(trace, "%s@%" PRId64 " ", (const char *)opaque,
                           clock_get_ns(CLOCK_VIRTUAL));
}

static int setup(void **state)
{
    trace = g_string_new(NULL);
    clock_virtual_set_manual(true);
    return 0;
}

static int teardown(void **state)
{
    g_string_free(trace, true);
    clock_virtual_set_manual(false);
    return 0;
}

static void test_order_and_clock(void **state)
{
    int64_t base = clock_get_ns(CLOCK_VIRTUAL);
    Timer *a = timer_new(CLOCK_VIRTUAL, record, "a");
    Timer *b = timer_new(CLOCK_VIRTUAL, record, "b");
    Timer *c = timer_new(CLOCK_VIRTUAL, record, "c");
    timer_mod(b, base + 200);
    timer_mod(a, base + 100);
    timer_mod(c, base + 300);
    clock_virtual_advance(250);
    g_autofree char *want = g_strdup_printf("a@%" PRId64 " b@%" PRId64 " ", base + 100, base + 200);
    assert_string_equal(trace->str, want);
    assert_true(timer_pending(c));
    assert_false(timer_pending(a));
    assert_int_equal(clock_get_ns(CLOCK_VIRTUAL), base + 250);
    timer_free(a);
    timer_free(b);
    timer_free(c);
}

static void test_mod_and_del(void **state)
{
    int64_t base = clock_get_ns(CLOCK_VIRTUAL);
    Timer *a = timer_new(CLOCK_VIRTUAL, record, "a");
    timer_mod(a, base + 100);
    timer_mod(a, base + 500);       /* moving replaces the earlier deadline */
    assert_int_equal(timer_expire_time(a), base + 500);
    clock_virtual_advance(200);
    assert_string_equal(trace->str, "");
    timer_del(a);
    assert_int_equal(timer_expire_time(a), -1);
    clock_virtual_advance(1000);
    assert_string_equal(trace->str, "");
    timer_free(a);
}

static Timer *periodic;
static int ticks;

static void tick(void *opaque)
{
    ticks++;
    timer_mod(periodic, clock_get_ns(CLOCK_VIRTUAL) + 10);
}

static void test_rearm_from_callback(void **state)
{
    ticks = 0;
    periodic = timer_new(CLOCK_VIRTUAL, tick, NULL);
    timer_mod(periodic, clock_get_ns(CLOCK_VIRTUAL) + 10);
    clock_virtual_advance(105);
    assert_int_equal(ticks, 10);
    timer_free(periodic);
}

static void test_virtual_stops_when_paused(void **state)
{
    clock_virtual_set_manual(false);
    clock_virtual_start();
    int64_t t0 = clock_get_ns(CLOCK_VIRTUAL);
    g_usleep(2000);
    int64_t t1 = clock_get_ns(CLOCK_VIRTUAL);
    assert_true(t1 - t0 >= 2000000);
    clock_virtual_stop();
    int64_t t2 = clock_get_ns(CLOCK_VIRTUAL);
    g_usleep(2000);
    assert_int_equal(clock_get_ns(CLOCK_VIRTUAL), t2);
    clock_virtual_start();
    g_usleep(1000);
    assert_true(clock_get_ns(CLOCK_VIRTUAL) > t2);
    clock_virtual_stop();
    clock_virtual_set_manual(true);
}

static void test_host_timer_in_main_loop(void **state)
{
    main_loop_init();
    Timer *h = timer_new(CLOCK_HOST, record, "h");
    timer_mod(h, clock_get_ns(CLOCK_HOST) + 3 * 1000000);
    int64_t start = clock_get_ns(CLOCK_HOST);
    while (timer_pending(h) && clock_get_ns(CLOCK_HOST) - start < NANOSECONDS_PER_SECOND) {
        main_loop_iterate(100);
    }
    assert_false(timer_pending(h));
    assert_true(clock_get_ns(CLOCK_HOST) - start >= 3 * 1000000);
    timer_free(h);
}

/* A vCPU thread arms a timer sooner than the loop's deadline (here: none). */
static gpointer arm_from_thread(gpointer opaque)
{
    g_usleep(20 * 1000);        /* let the main thread block in poll first */
    bql_lock();
    timer_mod(opaque, clock_get_ns(CLOCK_HOST) + 1000000);
    bql_unlock();
    return NULL;
}

static void test_timer_armed_from_thread_wakes_loop(void **state)
{
    main_loop_init();
    Timer *h = timer_new(CLOCK_HOST, record, "t");
    int64_t start = clock_get_ns(CLOCK_HOST);
    GThread *th = g_thread_new("arm", arm_from_thread, h);
    /* Without the wakeup the first iteration sleeps its whole 10 s timeout. */
    for (int i = 0; i < 3 && !strstr(trace->str, "t@"); i++) {
        main_loop_iterate(10000);
    }
    g_thread_join(th);
    assert_non_null(strstr(trace->str, "t@"));
    /* Generous: a loaded CI host may be slow to schedule either thread. */
    assert_true(clock_get_ns(CLOCK_HOST) - start < 5 * NANOSECONDS_PER_SECOND);
    timer_free(h);
}

static int bh_runs;

static void bh_cb(void *opaque)
{
    bh_runs++;
}

static void test_bottom_half(void **state)
{
    main_loop_init();
    BH *bh = bh_new(bh_cb, NULL);
    bh_runs = 0;
    bh_schedule(bh);
    bh_schedule(bh);    /* scheduling twice runs once */
    main_loop_iterate(100);
    assert_int_equal(bh_runs, 1);
    bh_schedule(bh);
    bh_cancel(bh);
    main_loop_iterate(0);
    assert_int_equal(bh_runs, 1);
    bh_delete(bh);
}

static int resets;

static void on_reset(void *opaque)
{
    resets++;
}

static void test_requests(void **state)
{
    main_loop_init();
    runstate_add_reset_handler(on_reset, NULL);
    runstate_init(true);
    assert_int_equal(runstate_get(), RUN_STATE_PRELAUNCH);
    vm_start();
    assert_true(runstate_is_running());
    vm_stop(RUN_STATE_PAUSED);
    assert_string_equal(runstate_name(runstate_get()), "paused");

    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    assert_false(runstate_process_requests());
    assert_int_equal(resets, 1);

    /* -no-shutdown: a guest power-off pauses instead of exiting. */
    runstate_set_no_shutdown(true);
    vm_start();
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    assert_false(runstate_process_requests());
    assert_int_equal(runstate_get(), RUN_STATE_SHUTDOWN);

    /* -no-reboot: a guest reset becomes a shutdown. */
    runstate_set_no_reboot(true);
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    assert_true(runstate_process_requests());
    assert_int_equal(resets, 1);

    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    assert_true(runstate_process_requests());
    assert_false(runstate_process_requests());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mod_and_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_stops_when_paused, setup, teardown),
        cmocka_unit_test(test_host_timer_in_main_loop),
        cmocka_unit_test_setup_teardown(test_timer_armed_from_thread_wakes_loop, setup, teardown),
        cmocka_unit_test(test_bottom_half),
        cmocka_unit_test(test_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
