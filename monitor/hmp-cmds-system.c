/*
 * HMP commands about the VM as a whole: run state, logs, identity, and the
 * trees of devices, memory and chardevs.  Errors go through error_report(),
 * which the dispatcher routes to the monitor running the command.
 */
#include "monitor/hmp.h"

#include <string.h>

#include "chardev/char.h"
#include "hw/core/qdev.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "system/sysinfo.h"
#include "util/log.h"

static void hmp_puts_gstring(Monitor *mon, GString *s)
{
    monitor_puts(mon, s->str);
    g_string_free(s, true);
}

/* ---- Run state ------------------------------------------------------------- */

void hmp_stop(Monitor *mon, const HmpArgs *args)
{
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
}

void hmp_cont(Monitor *mon, const HmpArgs *args)
{
    switch (runstate_get()) {
    case RUN_STATE_RUNNING:
        break;
    case RUN_STATE_PRELAUNCH:
    case RUN_STATE_PAUSED:
        vm_start();
        break;
    default:
        /* Shut down, crashed or panicked: only a reset makes it runnable again. */
        error_report("Resetting the Virtual Machine is required");
        break;
    }
}

void hmp_quit(Monitor *mon, const HmpArgs *args)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

void hmp_system_reset(Monitor *mon, const HmpArgs *args)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void hmp_system_powerdown(Monitor *mon, const HmpArgs *args)
{
    qemu_system_powerdown_request();
}

void hmp_info_status(Monitor *mon, const HmpArgs *args)
{
    RunState state = runstate_get();
    if (state == RUN_STATE_RUNNING) {
        monitor_puts(mon, "VM status: running\n");
    } else if (state == RUN_STATE_PAUSED) {
        monitor_puts(mon, "VM status: paused\n");
    } else {
        monitor_printf(mon, "VM status: paused (%s)\n", runstate_name(state));
    }
}

/* ---- Logs ------------------------------------------------------------------ */

void hmp_log(Monitor *mon, const HmpArgs *args)
{
    const char *items = hmp_arg_str(args, "items");
    if (!items || !strcmp(items, "help") || !strcmp(items, "?")) {
        GString *s = g_string_new(NULL);
        log_list_items(s);
        hmp_puts_gstring(mon, s);
        return;
    }
    Error *err = NULL;
    if (!log_set_items(items, &err)) {
        error_report_err(err);
    }
}

void hmp_logfile(Monitor *mon, const HmpArgs *args)
{
    Error *err = NULL;
    if (!log_set_file(hmp_arg_str(args, "filename"), &err)) {
        error_report_err(err);
    }
}

/* ---- Identity -------------------------------------------------------------- */

void hmp_info_version(Monitor *mon, const HmpArgs *args)
{
    monitor_puts(mon, KEMU_VERSION "\n");
}

void hmp_info_name(Monitor *mon, const HmpArgs *args)
{
    const char *name = vm_get_name();
    if (name) {
        monitor_printf(mon, "%s\n", name);
    }
}

void hmp_info_uuid(Monitor *mon, const HmpArgs *args)
{
    uint8_t u[16];
    vm_get_uuid(u);
    monitor_printf(mon, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                   "%02x%02x%02x%02x%02x%02x\n",
                   u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
                   u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* ---- Trees ----------------------------------------------------------------- */

static void hmp_info_chardev_one(Chardev *chr, void *opaque)
{
    Monitor *mon = opaque;
    monitor_printf(mon, "%s: filename=%s\n", chr->label ? chr->label : "",
                   chr->filename ? chr->filename : "");
}

void hmp_info_chardev(Monitor *mon, const HmpArgs *args)
{
    chardev_foreach(hmp_info_chardev_one, mon);
}

void hmp_info_qtree(Monitor *mon, const HmpArgs *args)
{
    GString *s = g_string_new(NULL);
    qdev_print_tree(s);
    hmp_puts_gstring(mon, s);
}

void hmp_info_mtree(Monitor *mon, const HmpArgs *args)
{
    GString *s = g_string_new(NULL);
    memory_print_tree(s, hmp_arg_bool(args, "flatview", false));
    hmp_puts_gstring(mon, s);
}
