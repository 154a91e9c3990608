/*
 * Run state of the VM and the request path for reset, shutdown and power
 * button.  Devices and CPUs *request*; the main loop carries requests out
 * between iterations, so a reset never runs inside a device callback.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include <stdbool.h>

typedef enum RunState {
    RUN_STATE_PRELAUNCH,        /* -S: built, not started yet */
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,           /* stop */
    RUN_STATE_SHUTDOWN,         /* guest powered off with -no-shutdown */
    RUN_STATE_INTERNAL_ERROR,   /* the accelerator could not go on */
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_MAX,
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,          /* an error kemu could not recover from */
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,       /* quit from the monitor */
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,         /* SIGINT, SIGTERM, SIGHUP */
    SHUTDOWN_CAUSE_HOST_UI,             /* window closed, Ctrl-a x */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,      /* ACPI S5, isa-debug-exit */
    SHUTDOWN_CAUSE_GUEST_RESET,         /* 0xCF9, keyboard controller, triple fault */
    SHUTDOWN_CAUSE_GUEST_PANIC,
} ShutdownCause;

RunState runstate_get(void);
const char *runstate_name(RunState state);
bool runstate_is_running(void);

/* Start or resume the vCPUs and the virtual clock. */
void vm_start(void);
/* Pause the vCPUs and the virtual clock, entering state. */
void vm_stop(RunState state);
/* Called once, after the machine is built: prelaunch (with -S) or running. */
void runstate_init(bool start_paused);

void qemu_system_reset_request(ShutdownCause cause);
void qemu_system_shutdown_request(ShutdownCause cause);
void qemu_system_powerdown_request(void);

/* Carry out pending requests; true if the main loop should now exit. */
bool runstate_process_requests(void);

/* What the accelerator and the machine do on reset (registered in order). */
void runstate_add_reset_handler(void (*fn)(void *opaque), void *opaque);
/* What the power button does (the ACPI PM device registers one). */
void runstate_set_powerdown_handler(void (*fn)(void *opaque), void *opaque);
/* Called when a vm_start/vm_stop changes state (the accelerator pauses vCPUs). */
void runstate_add_change_handler(void (*fn)(void *opaque, bool running), void *opaque);

/* -no-reboot: a guest reset shuts down.  -no-shutdown: guest power-off pauses. */
void runstate_set_no_reboot(bool on);
void runstate_set_no_shutdown(bool on);

/* The process's exit status (isa-debug-exit sets it); 0 by default. */
void runstate_set_exit_status(int status);
int runstate_exit_status(void);

/* Human-readable text of a cause, for messages ("terminating on signal 15"). */
void runstate_set_signal(int signo);

#endif
