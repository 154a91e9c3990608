/*
 * Run state and the request path.  Requests may come from any thread (a
 * vCPU writing 0xCF9, a signal, the monitor); they are recorded atomically and
 * the main loop carries them out in runstate_process_requests().
 */
#include "system/runstate.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "util/error.h"

#include <glib.h>
#include <string.h>

static RunState current_state = RUN_STATE_PRELAUNCH;
static int reset_requested;         /* ShutdownCause, atomic */
static int shutdown_requested;      /* ShutdownCause, atomic */
static int powerdown_requested;     /* atomic */
static bool no_reboot, no_shutdown;
static int exit_status;
static int shutdown_signal;

typedef struct Handler {
    void (*fn)(void *opaque);
    void *opaque;
} Handler;

typedef struct ChangeHandler {
    void (*fn)(void *opaque, bool running);
    void *opaque;
} ChangeHandler;

static GArray *reset_handlers;      /* Handler */
static GArray *change_handlers;     /* ChangeHandler */
static Handler powerdown_handler;

static const char *const runstate_names[RUN_STATE_MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
};

RunState runstate_get(void)
{
    return current_state;
}

const char *runstate_name(RunState state)
{
    return state < RUN_STATE_MAX ? runstate_names[state] : "unknown";
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

static void notify_change(bool running)
{
    if (!change_handlers) {
        return;
    }
    for (guint i = 0; i < change_handlers->len; i++) {
        ChangeHandler *h = &g_array_index(change_handlers, ChangeHandler, i);
        h->fn(h->opaque, running);
    }
}

void vm_start(void)
{
    if (current_state == RUN_STATE_RUNNING) {
        return;
    }
    current_state = RUN_STATE_RUNNING;
    clock_virtual_start();
    notify_change(true);
}

void vm_stop(RunState state)
{
    bool was_running = current_state == RUN_STATE_RUNNING;
    current_state = state;
    if (was_running) {
        notify_change(false);   /* the accelerator parks its vCPUs */
        clock_virtual_stop();
    }
}

void runstate_init(bool start_paused)
{
    current_state = RUN_STATE_PRELAUNCH;
    if (!start_paused) {
        vm_start();
    }
}

void qemu_system_reset_request(ShutdownCause cause)
{
    if (no_reboot && cause == SHUTDOWN_CAUSE_GUEST_RESET) {
        qemu_system_shutdown_request(cause);
        return;
    }
    g_atomic_int_set(&reset_requested, cause);
    main_loop_wakeup();
}

void qemu_system_shutdown_request(ShutdownCause cause)
{
    g_atomic_int_set(&shutdown_requested, cause);
    main_loop_wakeup();
}

void qemu_system_powerdown_request(void)
{
    g_atomic_int_set(&powerdown_requested, 1);
    main_loop_wakeup();
}

static void system_reset(void)
{
    if (reset_handlers) {
        for (guint i = 0; i < reset_handlers->len; i++) {
            Handler *h = &g_array_index(reset_handlers, Handler, i);
            h->fn(h->opaque);
        }
    }
}

bool runstate_process_requests(void)
{
    int cause = g_atomic_int_exchange(&shutdown_requested, SHUTDOWN_CAUSE_NONE);
    if (cause != SHUTDOWN_CAUSE_NONE) {
        if (no_shutdown && cause == SHUTDOWN_CAUSE_GUEST_SHUTDOWN) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            if (cause == SHUTDOWN_CAUSE_HOST_SIGNAL && shutdown_signal) {
                error_report("terminating on signal %d", shutdown_signal);
            }
            return true;
        }
    }
    if (g_atomic_int_exchange(&reset_requested, SHUTDOWN_CAUSE_NONE) != SHUTDOWN_CAUSE_NONE) {
        system_reset();
        /* A machine that was powered off comes back paused, waiting for cont. */
        if (current_state == RUN_STATE_SHUTDOWN || current_state == RUN_STATE_INTERNAL_ERROR ||
            current_state == RUN_STATE_GUEST_PANICKED) {
            current_state = RUN_STATE_PAUSED;
        }
    }
    if (g_atomic_int_exchange(&powerdown_requested, 0) && powerdown_handler.fn) {
        powerdown_handler.fn(powerdown_handler.opaque);
    }
    return false;
}

void runstate_add_reset_handler(void (*fn)(void *opaque), void *opaque)
{
    if (!reset_handlers) {
        reset_handlers = g_array_new(false, false, sizeof(Handler));
    }
    Handler h = { fn, opaque };
    g_array_append_val(reset_handlers, h);
}

void runstate_set_powerdown_handler(void (*fn)(void *opaque), void *opaque)
{
    powerdown_handler = (Handler){ fn, opaque };
}

void runstate_add_change_handler(void (*fn)(void *opaque, bool running), void *opaque)
{
    if (!change_handlers) {
        change_handlers = g_array_new(false, false, sizeof(ChangeHandler));
    }
    ChangeHandler h = { fn, opaque };
    g_array_append_val(change_handlers, h);
}

void runstate_set_no_reboot(bool on)
{
    no_reboot = on;
}

void runstate_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

void runstate_set_exit_status(int status)
{
    exit_status = status;
}

int runstate_exit_status(void)
{
    return exit_status;
}

void runstate_set_signal(int signo)
{
    shutdown_signal = signo;
}
