/*
 * kemu: parse the command line, then build the machine in a fixed, readable
 * order, run the main loop, and clean up on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/accel.h"
#include "block/blockdev.h"
#include "chardev/char.h"
#include "hw/char/debugcon.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/register-types.h"
#include "monitor/monitor.h"
#include "system/cmdline.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/sysinfo.h"
#include "util/error.h"
#include "util/log.h"

static int daemon_pipe = -1;    /* write end: tells the waiting parent we are up */
static char *pidfile_path;
static int pidfile_fd = -1;

/*
 * -daemonize: the parent waits until the child reports that start-up
 * succeeded (exit 0) or failed (exit 1), so scripts see errors.
 */
static bool daemonize_start(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        error_report("cannot daemonize: %s", g_strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        error_report("cannot daemonize: %s", g_strerror(errno));
        return false;
    }
    if (pid > 0) {
        close(fds[1]);
        char status = 1;
        ssize_t n;
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 && status == 0 ? 0 : 1);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    setsid();
    return true;
}

static void daemonize_finish(void)
{
    if (daemon_pipe < 0) {
        return;
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    char ok = 0;
    if (write(daemon_pipe, &ok, 1) != 1) {
        /* The parent is gone; nobody is left to tell. */
    }
    close(daemon_pipe);
    daemon_pipe = -1;
}

static bool pidfile_create(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_report("cannot create PID file: %s", g_strerror(errno));
        return false;
    }
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_report("cannot create PID file: Cannot lock pid file: %s", g_strerror(errno));
        close(fd);
        return false;
    }
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, buf, len) != len) {
        error_report("cannot create PID file: %s", g_strerror(errno));
        close(fd);
        return false;
    }
    pidfile_fd = fd;        /* kept open: the lock lasts as long as we run */
    pidfile_path = g_strdup(path);
    return true;
}

static void pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
        close(pidfile_fd);
        g_free(pidfile_path);
        pidfile_path = NULL;
    }
}

static void cleanup(void)
{
    /* vCPUs stop first: they may still be writing to a chardev. */
    accel_cleanup();
    monitor_close_all();
    chardev_close_all();
    drive_close_all();      /* after the vCPUs: flushes what the guest wrote */
    pidfile_remove();
}

/* Report err with the option it came from, and fail. */
static bool report_at(const char *opt, const char *value, Error *err)
{
    error_loc_set(opt, value);
    error_report_err(err);
    error_loc_clear();
    return false;
}

static bool create_monitor_on(Chardev *chr, const char *opt, const char *spec)
{
    Error *err = NULL;
    if (!monitor_new_hmp(chr, &err)) {
        return report_at(opt, spec, err);
    }
    return true;
}

/* -chardev, -serial, -monitor, -mon, and the defaults QEMU adds. */
static bool setup_chardevs(KemuConfig *cfg)
{
    Error *err = NULL;

    for (guint i = 0; i < cfg->chardev_opts->len; i++) {
        Opts *opts = g_ptr_array_index(cfg->chardev_opts, i);
        if (!chardev_new_from_opts(opts, &err)) {
            g_autofree char *text = opts_to_string(opts);
            return report_at("-chardev", text, err);
        }
    }

    bool default_serial = !cfg->nodefaults && cfg->serial_specs->len == 0;
    bool default_monitor = !cfg->nodefaults && cfg->monitor_specs->len == 0 &&
                           cfg->mon_opts->len == 0;
    for (guint i = 0; i < cfg->serial_specs->len; i++) {
        if (g_str_has_prefix(g_ptr_array_index(cfg->serial_specs, i), "mon:")) {
            default_monitor = false;
        }
    }
    if (cfg->nographic) {
        if (default_serial && default_monitor) {
            g_ptr_array_add(cfg->serial_specs, g_strdup("mon:stdio"));
        } else {
            if (default_serial) {
                g_ptr_array_add(cfg->serial_specs, g_strdup("stdio"));
            }
            if (default_monitor) {
                g_ptr_array_add(cfg->monitor_specs, g_strdup("stdio"));
            }
        }
    } else {
        /* QEMU's "vc" consoles; without a graphical console they go nowhere. */
        if (default_serial) {
            g_ptr_array_add(cfg->serial_specs, g_strdup("vc"));
        }
        if (default_monitor) {
            g_ptr_array_add(cfg->monitor_specs, g_strdup("vc"));
        }
    }

    for (guint i = 0; i < cfg->serial_specs->len; i++) {
        const char *spec = g_ptr_array_index(cfg->serial_specs, i);
        g_autofree char *label = g_strdup_printf("serial%u", i);
        bool want_monitor = false;
        Chardev *chr = chardev_new_legacy(label, spec, &want_monitor, &err);
        if (err) {
            return report_at("-serial", spec, err);
        }
        machine_set_serial_hd(i, chr);
        if (chr && want_monitor && !create_monitor_on(chr, "-serial", spec)) {
            return false;
        }
    }
    for (guint i = 0; i < cfg->monitor_specs->len; i++) {
        const char *spec = g_ptr_array_index(cfg->monitor_specs, i);
        g_autofree char *label = g_strdup_printf("compat_monitor%u", i);
        bool want_monitor = false;
        Chardev *chr = chardev_new_legacy(label, spec, &want_monitor, &err);
        if (err) {
            return report_at("-monitor", spec, err);
        }
        if (chr && !create_monitor_on(chr, "-monitor", spec)) {
            return false;
        }
    }
    for (guint i = 0; i < cfg->mon_opts->len; i++) {
        Opts *opts = g_ptr_array_index(cfg->mon_opts, i);
        if (!monitor_init_opts(opts, &err)) {
            g_autofree char *text = opts_to_string(opts);
            return report_at("-mon", text, err);
        }
    }
    return true;
}

static bool set_machine_prop(void *opaque, const char *key, const char *value, Error **errp)
{
    return object_prop_set_str(opaque, key, value, errp);
}

static MachineState *create_machine(KemuConfig *cfg)
{
    Error *err = NULL;
    MachineClass *mc = cfg->machine_type ? machine_find_class(cfg->machine_type)
                                         : machine_default_class();
    if (!mc) {
        if (cfg->machine_type) {
            error_report("unsupported machine type \"%s\"", cfg->machine_type);
            error_report("Use -machine help to list supported machines");
        } else {
            error_report("No machine specified, and there is no default");
        }
        return NULL;
    }
    MachineState *ms = machine_new(mc);
    if (!opts_foreach(cfg->machine_opts, set_machine_prop, ms, &err)) {
        report_at("-machine", mc->name, err);
        return NULL;
    }
    ms->ram_size = cfg->ram_size ? cfg->ram_size : mc->default_ram_size;
    ms->maxram_size = cfg->maxram_size ? cfg->maxram_size : ms->ram_size;
    ms->ram_slots = cfg->ram_slots;
    ms->smp = cfg->smp_set ? cfg->smp : (SMPConfig){ .cpus = 1, .sockets = 1, .cores = 1,
                                                     .threads = 1, .max_cpus = 1 };
    ms->cpu_model = g_strdup(cfg->cpu_model);
    ms->firmware = g_strdup(cfg->bios);
    ms->kernel_filename = g_strdup(cfg->kernel);
    ms->initrd_filename = g_strdup(cfg->initrd);
    ms->kernel_cmdline = g_strdup(cfg->append ? cfg->append : "");
    ms->graphics = ms->graphics && !cfg->nographic;
    return ms;
}

static bool create_devices(KemuConfig *cfg)
{
    for (guint i = 0; i < cfg->device_opts->len; i++) {
        Opts *opts = g_ptr_array_index(cfg->device_opts, i);
        Error *err = NULL;
        if (!qdev_device_add(opts, &err)) {
            g_autofree char *text = opts_to_string(opts);
            return report_at("-device", text, err);
        }
    }
    return true;
}

/* -debugcon DEV: a chardev "debugcon" from the legacy spec and an isa-debugcon on it. */
static bool create_debugcon(KemuConfig *cfg)
{
    Error *err = NULL;
    if (!cfg->debugcon) {
        return true;
    }
    Chardev *chr = chardev_new_legacy("debugcon", cfg->debugcon, NULL, &err);
    if (!chr) {
        return err ? report_at("-debugcon", cfg->debugcon, err) : true;    /* "none" */
    }
    Opts *opts = opts_new();
    opts_set(opts, "driver", TYPE_ISA_DEBUGCON);
    opts_set(opts, "chardev", chr->label);
    DeviceState *dev = qdev_device_add(opts, &err);
    opts_free(opts);
    return dev ? true : report_at("-debugcon", cfg->debugcon, err);
}

/* -drive, -hda..-hdd, -cdrom: before the board, which looks the drives up. */
static bool create_drives(KemuConfig *cfg)
{
    for (guint i = 0; i < cfg->drive_specs->len; i++) {
        DriveSpec *spec = g_ptr_array_index(cfg->drive_specs, i);
        Error *err = NULL;
        DriveInfo *dinfo = drive_new(spec->opts, IF_IDE, cfg->snapshot, &err);
        if (!dinfo) {
            return report_at(spec->opt, spec->arg, err);
        }
        drive_set_location(dinfo, spec->opt, spec->arg);
    }
    return true;
}

static void reset_devices(void *opaque)
{
    qdev_reset_machine();
}

/* Build everything the configuration asks for; false after reporting an error. */
static bool build(KemuConfig *cfg)
{
    Error *err = NULL;

    if (cfg->log_file && !log_set_file(cfg->log_file, &err)) {
        return report_at("-D", cfg->log_file, err);
    }
    if (cfg->daemonize && !daemonize_start()) {
        return false;
    }
    main_loop_init();
    if (cfg->name) {
        vm_set_name(cfg->name);
    }
    if (cfg->uuid_set) {
        vm_set_uuid(cfg->uuid);
    }
    runstate_set_no_reboot(cfg->no_reboot);
    runstate_set_no_shutdown(cfg->no_shutdown);
    if (!object_check_global_props(&err)) {
        return report_at("-global", NULL, err);
    }
    if (!setup_chardevs(cfg)) {
        return false;
    }
    MachineState *ms = create_machine(cfg);
    if (!ms) {
        return false;
    }
    if (!create_drives(cfg)) {
        return false;
    }
    if (!accel_init_machine(cfg->accel_opts, ms, &err)) {
        error_report_err(err);
        return false;
    }
    if (!machine_build(ms, &err)) {
        error_report_err(err);
        return false;
    }
    if (!create_devices(cfg) || !create_debugcon(cfg)) {
        return false;
    }
    drive_check_orphaned();
    runstate_add_reset_handler(reset_devices, NULL);
    qdev_reset_machine();
    if (cfg->pidfile && !pidfile_create(cfg->pidfile)) {
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    KemuConfig cfg;

    error_set_progname("kemu");
    kemu_register_all_types();
    switch (cmdline_parse(argc, argv, &cfg)) {
    case CMDLINE_EXIT_OK:
        cmdline_config_free(&cfg);
        return 0;
    case CMDLINE_ERROR:
        cmdline_config_free(&cfg);
        return 1;
    case CMDLINE_OK:
        break;
    }
    if (!build(&cfg)) {
        cleanup();
        cmdline_config_free(&cfg);
        return 1;
    }
    runstate_init(cfg.start_paused);
    daemonize_finish();
    int status = main_loop_run();
    cleanup();
    cmdline_config_free(&cfg);
    return status;
}
