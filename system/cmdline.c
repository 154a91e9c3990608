/*
 * QEMU's command-line grammar: single-dash options (a double dash is accepted
 * too), "-opt value" with sub-options in the util/opts.h grammar, and "help"
 * values that list what exists and exit 0.  Errors name the option and value:
 * "kemu: -m 12Q: invalid size", then exit 1.
 */
#include "system/cmdline.h"

#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/firmware.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/rtc/mc146818rtc.h"
#include "target-i386/cpu-models.h"
#include "util/cutils.h"
#include "util/error.h"
#include "util/log.h"

typedef enum OptIndex {
    OPT_HELP,
    OPT_VERSION,
    OPT_MACHINE,
    OPT_M,
    OPT_SMP,
    OPT_CPU,
    OPT_ACCEL,
    OPT_ENABLE_KVM,
    OPT_NAME,
    OPT_UUID,
    OPT_NOGRAPHIC,
    OPT_DISPLAY,
    OPT_SERIAL,
    OPT_DEBUGCON,
    OPT_MONITOR,
    OPT_MON,
    OPT_CHARDEV,
    OPT_S,
    OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN,
    OPT_NODEFAULTS,
    OPT_PIDFILE,
    OPT_DAEMONIZE,
    OPT_LOG_ITEMS,
    OPT_LOG_FILE,
    OPT_DATADIR,
    OPT_BIOS,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_DEVICE,
    OPT_GLOBAL,
    OPT_RTC,
    OPT_DRIVE,
    OPT_HDA,
    OPT_HDB,
    OPT_HDC,
    OPT_HDD,
    OPT_CDROM,
    OPT_SNAPSHOT,
} OptIndex;

typedef struct OptionDef {
    const char *name;
    OptIndex index;
    const char *arg;        /* NULL: takes no argument; else its name for -h */
    const char *help;
} OptionDef;

static const OptionDef options[] = {
    { "h", OPT_HELP, NULL, "display this help and exit" },
    { "help", OPT_HELP, NULL, "display this help and exit" },
    { "version", OPT_VERSION, NULL, "display version information and exit" },
    { "machine", OPT_MACHINE, "[type=]name[,prop=value...]", "select the machine ('-machine help' lists them)" },
    { "M", OPT_MACHINE, "[type=]name[,prop=value...]", "same as -machine" },
    { "m", OPT_M, "[size=]megs[,slots=n,maxmem=size]", "guest RAM (suffix M or G; default unit MiB)" },
    { "smp", OPT_SMP, "[cpus=]n[,maxcpus=m][,sockets=s][,cores=c][,threads=t]", "number and topology of CPUs" },
    { "cpu", OPT_CPU, "model[,+feat][,-feat]", "select the CPU model ('-cpu help' lists them)" },
    { "accel", OPT_ACCEL, "[accel=]name[,prop=value...]", "select an accelerator: kvm or tcg ('-accel help')" },
    { "enable-kvm", OPT_ENABLE_KVM, NULL, "same as -accel kvm" },
    { "name", OPT_NAME, "string[,debug-threads=on|off]", "name of the guest (monitor 'info name', window title)" },
    { "uuid", OPT_UUID, "%08x-%04x-%04x-%04x-%012x", "system UUID" },
    { "nographic", OPT_NOGRAPHIC, NULL, "no display: serial and monitor multiplexed on stdio (Ctrl-a h for help)" },
    { "display", OPT_DISPLAY, "type[,opts]", "display backend ('-display help')" },
    { "serial", OPT_SERIAL, "dev", "redirect the next serial port to a character device" },
    { "debugcon", OPT_DEBUGCON, "dev", "redirect the debug console (port 0xe9) to a character device" },
    { "monitor", OPT_MONITOR, "dev", "redirect the monitor to a character device" },
    { "mon", OPT_MON, "[chardev=]name[,mode=readline]", "attach a monitor to a -chardev" },
    { "chardev", OPT_CHARDEV, "backend,id=id[,opts]", "create a character device ('-chardev help')" },
    { "S", OPT_S, NULL, "do not start the CPUs at startup ('cont' in the monitor starts them)" },
    { "no-reboot", OPT_NO_REBOOT, NULL, "exit instead of rebooting" },
    { "no-shutdown", OPT_NO_SHUTDOWN, NULL, "stop (do not exit) when the guest powers off" },
    { "nodefaults", OPT_NODEFAULTS, NULL, "create no default devices" },
    { "pidfile", OPT_PIDFILE, "file", "write the process ID to file" },
    { "daemonize", OPT_DAEMONIZE, NULL, "detach from the terminal after start-up" },
    { "d", OPT_LOG_ITEMS, "item1,...", "enable logging of items ('-d help')" },
    { "D", OPT_LOG_FILE, "logfile", "write the log to logfile instead of stderr" },
    { "L", OPT_DATADIR, "path", "directory of firmware images ('-L help' lists the search path)" },
    { "bios", OPT_BIOS, "file", "firmware image file" },
    { "kernel", OPT_KERNEL, "bzImage", "Linux kernel or multiboot image to boot directly" },
    { "initrd", OPT_INITRD, "file", "initial ram disk (with -kernel)" },
    { "append", OPT_APPEND, "cmdline", "kernel command line (with -kernel)" },
    { "device", OPT_DEVICE, "driver[,prop=value...]", "add a device ('-device help', '-device driver,help')" },
    { "global", OPT_GLOBAL, "driver.prop=value", "set a default property value for a device type" },
    { "rtc", OPT_RTC, "[base=utc|localtime|date][,clock=host|rt|vm][,driftfix=none|slew]",
      "start the RTC at UTC, local time or a date; the clock it follows; lost tick policy" },
    { "drive", OPT_DRIVE, "[file=file][,format=f][,if=ide|virtio|floppy|none][,index=i]"
      "[,bus=b,unit=u][,media=disk|cdrom][,cache=c][,snapshot=on][,readonly=on][,id=name]"
      "[,aio=threads|native]", "add a drive ('-drive format=help' lists the formats)" },
    { "hda", OPT_HDA, "file", "use file as IDE hard disk 0 image" },
    { "hdb", OPT_HDB, "file", "use file as IDE hard disk 1 image" },
    { "hdc", OPT_HDC, "file", "use file as IDE hard disk 2 image" },
    { "hdd", OPT_HDD, "file", "use file as IDE hard disk 3 image" },
    { "cdrom", OPT_CDROM, "file", "use file as IDE cdrom image (cdrom is ide1 master)" },
    { "snapshot", OPT_SNAPSHOT, NULL, "write to temporary files instead of disk image files" },
};

static const OptionDef *find_option(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (!strcmp(options[i].name, name)) {
            return &options[i];
        }
    }
    return NULL;
}

static void print_usage(void)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "kemu emulator version %s\n"
                           "usage: kemu [options]\n\n", KEMU_VERSION);
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        const OptionDef *o = &options[i];
        char *left = g_strdup_printf("-%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        g_string_append_printf(out, "%-44s %s\n", left, o->help);
        g_free(left);
    }
    g_string_append(out, "\nDuring emulation with -nographic, Ctrl-a h lists the console keys.\n");
    fputs(out->str, stdout);
    g_string_free(out, true);
}

/* Print a help text to stdout and tell the caller to exit 0. */
static CmdlineResult print_help(GString *out)
{
    fputs(out->str, stdout);
    g_string_free(out, true);
    return CMDLINE_EXIT_OK;
}

bool parse_uuid(const char *str, uint8_t out[16])
{
    static const int group_len[] = { 8, 4, 4, 4, 12 };
    const char *p = str;
    int n = 0;
    for (int g = 0; g < 5; g++) {
        if (g > 0 && *p++ != '-') {
            return false;
        }
        for (int i = 0; i < group_len[g]; i += 2) {
            if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1])) {
                return false;
            }
            out[n++] = g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]);
            p += 2;
        }
    }
    return *p == '\0';
}

/* Collect -machine properties (every -machine adds to the same set). */
static bool merge_machine_prop(void *opaque, const char *key, const char *value, Error **errp)
{
    if (strcmp(key, "type") && strcmp(key, "accel")) {
        opts_set(opaque, key, value);
    }
    return true;
}

static Opts *accel_opts_named(const char *name)
{
    Opts *o = opts_new();
    opts_set(o, "accel", name);
    return o;
}

static CmdlineResult parse_machine(KemuConfig *cfg, const char *arg, Error **errp)
{
    Opts *opts = opts_parse(arg, "type", errp);
    if (!opts) {
        return CMDLINE_ERROR;
    }
    if (opts_help_requested(opts) || !g_strcmp0(opts_get(opts, "type"), "help") ||
        !g_strcmp0(opts_get(opts, "type"), "?")) {
        opts_free(opts);
        GString *out = g_string_new(NULL);
        machine_print_list(out);
        return print_help(out);
    }
    const char *type = opts_get(opts, "type");
    if (type) {
        cfg->machine_type = g_intern_string(type);
    }
    const char *accel = opts_get(opts, "accel");
    if (accel) {
        if (cfg->accel_opts->len && !cfg->accel_from_machine) {
            error_setg(errp, "The -accel and \"-machine accel=\" options are incompatible");
            opts_free(opts);
            return CMDLINE_ERROR;
        }
        g_ptr_array_set_size(cfg->accel_opts, 0);
        g_auto(GStrv) names = g_strsplit(accel, ":", -1);
        for (int i = 0; names[i]; i++) {
            if (!accel_find(names[i])) {
                error_setg(errp, "invalid accelerator %s", names[i]);
                opts_free(opts);
                return CMDLINE_ERROR;
            }
            g_ptr_array_add(cfg->accel_opts, accel_opts_named(names[i]));
        }
        cfg->accel_from_machine = true;
    }
    /* The rest are machine properties, checked when the machine is created. */
    opts_foreach(opts, merge_machine_prop, cfg->machine_opts, NULL);
    opts_free(opts);
    return CMDLINE_OK;
}

static bool parse_mem(KemuConfig *cfg, const char *arg, Error **errp)
{
    Opts *opts = opts_parse(arg, "size", errp);
    if (!opts) {
        return false;
    }
    bool ok = false;
    const char *size = opts_get(opts, "size");
    uint64_t bytes;
    if (size) {
        /* A number without a suffix is in MiB, as in QEMU. */
        if (!parse_size(size, 1 << 20, &bytes) || bytes == 0 || bytes > (1ull << 52)) {
            error_setg(errp, "invalid size");
            goto out;
        }
        cfg->ram_size = (bytes + 8191) & ~(uint64_t)8191;   /* QEMU rounds to 8 KiB too */
    }
    if (!opts_get_size(opts, "maxmem", 0, &cfg->maxram_size, errp) ||
        !opts_get_uint(opts, "slots", 0, &cfg->ram_slots, errp) ||
        !opts_check_unused(opts, errp)) {
        goto out;
    }
    if (cfg->maxram_size && cfg->ram_size && cfg->maxram_size < cfg->ram_size) {
        error_setg(errp, "invalid value of maxmem: maximum memory size (0x%" PRIx64
                   ") must be at least the initial memory size (0x%" PRIx64 ")",
                   cfg->maxram_size, cfg->ram_size);
        goto out;
    }
    ok = true;
out:
    opts_free(opts);
    return ok;
}

static CmdlineResult parse_accel(KemuConfig *cfg, const char *arg, Error **errp)
{
    if (cfg->accel_from_machine) {
        error_setg(errp, "The -accel and \"-machine accel=\" options are incompatible");
        return CMDLINE_ERROR;
    }
    Opts *opts = opts_parse(arg, "accel", errp);
    if (!opts) {
        return CMDLINE_ERROR;
    }
    const char *name = opts_get(opts, "accel");
    if (opts_help_requested(opts) || !g_strcmp0(name, "help")) {
        opts_free(opts);
        GString *out = g_string_new(NULL);
        accel_print_list(out);
        return print_help(out);
    }
    if (!name) {
        error_setg(errp, "Parameter 'accel' is missing");
        opts_free(opts);
        return CMDLINE_ERROR;
    }
    if (!accel_find(name)) {
        error_setg(errp, "invalid accelerator %s", name);
        opts_free(opts);
        return CMDLINE_ERROR;
    }
    g_ptr_array_add(cfg->accel_opts, opts);
    return CMDLINE_OK;
}

static CmdlineResult parse_display(KemuConfig *cfg, const char *arg, Error **errp)
{
    Opts *opts = opts_parse(arg, "type", errp);
    if (!opts) {
        return CMDLINE_ERROR;
    }
    const char *type = opts_get(opts, "type");
    if (opts_help_requested(opts) || !g_strcmp0(type, "help")) {
        opts_free(opts);
        GString *out = g_string_new("Available display backend types:\nnone\n");
        return print_help(out);
    }
    if (g_strcmp0(type, "none")) {
        error_setg(errp, "Parameter 'type' does not accept value '%s'", type ? type : "");
        opts_free(opts);
        return CMDLINE_ERROR;
    }
    if (!opts_check_unused(opts, errp)) {
        opts_free(opts);
        return CMDLINE_ERROR;
    }
    opts_free(cfg->display_opts);
    cfg->display_opts = opts;
    return CMDLINE_OK;
}

static bool parse_global(const char *arg, Error **errp)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strchr(arg, '.');
    if (eq && dot && dot < eq && dot > arg && eq > dot + 1) {
        g_autofree char *driver = g_strndup(arg, dot - arg);
        g_autofree char *prop = g_strndup(dot + 1, eq - dot - 1);
        object_register_global_prop(driver, prop, eq + 1);
        return true;
    }
    /* The long form: driver=d,property=p,value=v. */
    Opts *opts = opts_parse(arg, NULL, errp);
    if (!opts) {
        return false;
    }
    const char *driver = opts_get(opts, "driver");
    const char *prop = opts_get(opts, "property");
    const char *value = opts_get(opts, "value");
    bool ok = driver && prop && value && opts_check_unused(opts, NULL);
    if (ok) {
        object_register_global_prop(driver, prop, value);
    } else {
        error_setg(errp, "Invalid format, expected driver.property=value");
    }
    opts_free(opts);
    return ok;
}

/*
 * -rtc: checked now, merged into cfg->rtc_opts (later keys win, as in QEMU),
 * and applied as -global defaults of the mc146818rtc device.
 */
static bool parse_rtc(KemuConfig *cfg, const char *arg, Error **errp)
{
    Opts *opts = opts_parse(arg, NULL, errp);
    if (!opts) {
        return false;
    }
    const char *base = opts_get(opts, "base");
    const char *clock = opts_get(opts, "clock");
    const char *driftfix = opts_get(opts, "driftfix");
    bool ok = false;
    if (!opts_check_unused(opts, errp) || (base && !rtc_base_check(base, errp))) {
        goto out;
    }
    if (clock && strcmp(clock, "host") && strcmp(clock, "rt") && strcmp(clock, "vm")) {
        error_setg(errp, "invalid option value '%s'", clock);
        goto out;
    }
    if (driftfix && strcmp(driftfix, "none") && strcmp(driftfix, "slew")) {
        error_setg(errp, "invalid option value '%s'", driftfix);
        goto out;
    }
    if (!cfg->rtc_opts) {
        cfg->rtc_opts = opts_new();
    }
    if (base) {
        opts_set(cfg->rtc_opts, "base", base);
        object_register_global_prop(TYPE_MC146818_RTC, "base", base);
    }
    if (clock) {
        opts_set(cfg->rtc_opts, "clock", clock);
        object_register_global_prop(TYPE_MC146818_RTC, "clock", clock);
    }
    if (driftfix) {
        opts_set(cfg->rtc_opts, "driftfix", driftfix);
        object_register_global_prop(TYPE_MC146818_RTC, "lost_tick_policy",
                                    strcmp(driftfix, "slew") ? "discard" : "slew");
    }
    ok = true;
out:
    opts_free(opts);
    return ok;
}

/* -drive, or the short forms as QEMU expands them (-hdc f: file=f,index=2,media=disk). */
static CmdlineResult parse_drive(KemuConfig *cfg, const OptionDef *o, const char *arg,
                                 Error **errp)
{
    Opts *opts;
    if (o->index == OPT_DRIVE) {
        opts = opts_parse(arg, NULL, errp);
        if (!opts) {
            return CMDLINE_ERROR;
        }
        if (!g_strcmp0(opts_get(opts, "format"), "help")) {
            opts_free(opts);
            return print_help(g_string_new("Supported formats: qcow2 raw\n"));
        }
    } else {
        int index = o->index == OPT_CDROM ? 2 : (int)(o->index - OPT_HDA);
        char num[4];
        snprintf(num, sizeof(num), "%d", index);
        opts = opts_new();
        opts_set(opts, "file", arg);
        opts_set(opts, "index", num);
        opts_set(opts, "media", o->index == OPT_CDROM ? "cdrom" : "disk");
    }
    DriveSpec *spec = g_new0(DriveSpec, 1);
    spec->opt = g_strdup_printf("-%s", o->name);
    spec->arg = g_strdup(arg);
    spec->opts = opts;
    g_ptr_array_add(cfg->drive_specs, spec);
    return CMDLINE_OK;
}

static void drive_spec_free(gpointer p)
{
    DriveSpec *spec = p;
    opts_free(spec->opts);
    g_free(spec->opt);
    g_free(spec->arg);
    g_free(spec);
}

/* Returns CMDLINE_OK to go on, or what to do now (help printed, error). */
static CmdlineResult handle_help_opts(Opts *opts, const char *what)
{
    GString *out = g_string_new(NULL);
    Error *err = NULL;
    if (!strcmp(what, "device")) {
        const char *driver = opts_get(opts, "driver");
        if (driver && strcmp(driver, "help") && strcmp(driver, "?")) {
            if (!qdev_print_device_props(out, driver, &err)) {
                g_string_free(out, true);
                error_report_err(err);
                return CMDLINE_ERROR;
            }
        } else {
            qdev_print_device_list(out);
        }
    } else {
        chardev_print_backends(out);
    }
    return print_help(out);
}

/* One option with its argument; returns CMDLINE_OK to continue. */
static CmdlineResult handle_option(KemuConfig *cfg, const OptionDef *o, const char *arg,
                                   Error **errp)
{
    Opts *opts;

    switch (o->index) {
    case OPT_HELP:
        print_usage();
        return CMDLINE_EXIT_OK;
    case OPT_VERSION:
        printf("kemu emulator version %s\n", KEMU_VERSION);
        return CMDLINE_EXIT_OK;
    case OPT_MACHINE:
        return parse_machine(cfg, arg, errp);
    case OPT_M:
        return parse_mem(cfg, arg, errp) ? CMDLINE_OK : CMDLINE_ERROR;
    case OPT_SMP:
        opts = opts_parse(arg, "cpus", errp);
        if (!opts) {
            return CMDLINE_ERROR;
        }
        cfg->smp_set = machine_parse_smp(&cfg->smp, opts, errp);
        opts_free(opts);
        return cfg->smp_set ? CMDLINE_OK : CMDLINE_ERROR;
    case OPT_CPU:
        if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
            GString *out = g_string_new(NULL);
            x86_cpu_print_models(out);
            return print_help(out);
        }
        if (!x86_cpu_check_model(arg, errp)) {
            return CMDLINE_ERROR;
        }
        g_free(cfg->cpu_model);
        cfg->cpu_model = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_ACCEL:
        return parse_accel(cfg, arg, errp);
    case OPT_ENABLE_KVM:
        return parse_accel(cfg, "kvm", errp);
    case OPT_NAME:
        opts = opts_parse(arg, "guest", errp);
        if (!opts) {
            return CMDLINE_ERROR;
        }
        g_free(cfg->name);
        cfg->name = g_strdup(opts_get(opts, "guest"));
        opts_mark_used(opts, "process");
        opts_mark_used(opts, "debug-threads");
        if (!opts_check_unused(opts, errp)) {
            opts_free(opts);
            return CMDLINE_ERROR;
        }
        opts_free(opts);
        return CMDLINE_OK;
    case OPT_UUID:
        if (!parse_uuid(arg, cfg->uuid)) {
            error_setg(errp, "Fail to parse UUID string. Wrong format.");
            return CMDLINE_ERROR;
        }
        cfg->uuid_set = true;
        return CMDLINE_OK;
    case OPT_NOGRAPHIC:
        cfg->nographic = true;
        return CMDLINE_OK;
    case OPT_DISPLAY:
        return parse_display(cfg, arg, errp);
    case OPT_SERIAL:
        g_ptr_array_add(cfg->serial_specs, g_strdup(arg));
        return CMDLINE_OK;
    case OPT_DEBUGCON:
        g_free(cfg->debugcon);
        cfg->debugcon = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_MONITOR:
        g_ptr_array_add(cfg->monitor_specs, g_strdup(arg));
        return CMDLINE_OK;
    case OPT_MON:
        opts = opts_parse(arg, "chardev", errp);
        if (!opts) {
            return CMDLINE_ERROR;
        }
        g_ptr_array_add(cfg->mon_opts, opts);
        return CMDLINE_OK;
    case OPT_CHARDEV:
    case OPT_DEVICE:
        opts = opts_parse(arg, o->index == OPT_DEVICE ? "driver" : "backend", errp);
        if (!opts) {
            return CMDLINE_ERROR;
        }
        if (opts_help_requested(opts) || !g_strcmp0(opts_get(opts, o->index == OPT_DEVICE ?
                                                             "driver" : "backend"), "help")) {
            CmdlineResult r = handle_help_opts(opts, o->index == OPT_DEVICE ? "device" : "chardev");
            opts_free(opts);
            return r;
        }
        g_ptr_array_add(o->index == OPT_DEVICE ? cfg->device_opts : cfg->chardev_opts, opts);
        return CMDLINE_OK;
    case OPT_S:
        cfg->start_paused = true;
        return CMDLINE_OK;
    case OPT_NO_REBOOT:
        cfg->no_reboot = true;
        return CMDLINE_OK;
    case OPT_NO_SHUTDOWN:
        cfg->no_shutdown = true;
        return CMDLINE_OK;
    case OPT_NODEFAULTS:
        cfg->nodefaults = true;
        return CMDLINE_OK;
    case OPT_PIDFILE:
        g_free(cfg->pidfile);
        cfg->pidfile = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_DAEMONIZE:
        cfg->daemonize = true;
        return CMDLINE_OK;
    case OPT_LOG_ITEMS:
        if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
            GString *out = g_string_new(NULL);
            log_list_items(out);
            return print_help(out);
        }
        if (!log_set_items(arg, errp)) {
            return CMDLINE_ERROR;
        }
        g_free(cfg->log_items);
        cfg->log_items = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_LOG_FILE:
        g_free(cfg->log_file);
        cfg->log_file = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_DATADIR:
        if (!strcmp(arg, "help")) {
            GString *out = g_string_new(NULL);
            firmware_print_search_path(out);
            return print_help(out);
        }
        firmware_add_search_dir(arg);
        return CMDLINE_OK;
    case OPT_BIOS:
        g_free(cfg->bios);
        cfg->bios = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_KERNEL:
        g_free(cfg->kernel);
        cfg->kernel = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_INITRD:
        g_free(cfg->initrd);
        cfg->initrd = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_APPEND:
        g_free(cfg->append);
        cfg->append = g_strdup(arg);
        return CMDLINE_OK;
    case OPT_GLOBAL:
        return parse_global(arg, errp) ? CMDLINE_OK : CMDLINE_ERROR;
    case OPT_RTC:
        return parse_rtc(cfg, arg, errp) ? CMDLINE_OK : CMDLINE_ERROR;
    case OPT_DRIVE:
    case OPT_HDA:
    case OPT_HDB:
    case OPT_HDC:
    case OPT_HDD:
    case OPT_CDROM:
        return parse_drive(cfg, o, arg, errp);
    case OPT_SNAPSHOT:
        cfg->snapshot = true;
        return CMDLINE_OK;
    }
    g_assert_not_reached();
}

static void config_init(KemuConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine_opts = opts_new();
    cfg->accel_opts = g_ptr_array_new_with_free_func((GDestroyNotify)opts_free);
    cfg->serial_specs = g_ptr_array_new_with_free_func(g_free);
    cfg->monitor_specs = g_ptr_array_new_with_free_func(g_free);
    cfg->mon_opts = g_ptr_array_new_with_free_func((GDestroyNotify)opts_free);
    cfg->chardev_opts = g_ptr_array_new_with_free_func((GDestroyNotify)opts_free);
    cfg->device_opts = g_ptr_array_new_with_free_func((GDestroyNotify)opts_free);
    cfg->drive_specs = g_ptr_array_new_with_free_func(drive_spec_free);
}

void cmdline_config_free(KemuConfig *cfg)
{
    opts_free(cfg->machine_opts);
    opts_free(cfg->display_opts);
    opts_free(cfg->rtc_opts);
    g_ptr_array_free(cfg->accel_opts, true);
    g_ptr_array_free(cfg->serial_specs, true);
    g_free(cfg->debugcon);
    g_ptr_array_free(cfg->monitor_specs, true);
    g_ptr_array_free(cfg->mon_opts, true);
    g_ptr_array_free(cfg->chardev_opts, true);
    g_ptr_array_free(cfg->device_opts, true);
    if (cfg->drive_specs) {
        g_ptr_array_free(cfg->drive_specs, true);
    }
    g_free(cfg->cpu_model);
    g_free(cfg->name);
    g_free(cfg->pidfile);
    g_free(cfg->log_items);
    g_free(cfg->log_file);
    g_free(cfg->bios);
    g_free(cfg->kernel);
    g_free(cfg->initrd);
    g_free(cfg->append);
    memset(cfg, 0, sizeof(*cfg));
}

CmdlineResult cmdline_parse(int argc, char **argv, KemuConfig *cfg)
{
    config_init(cfg);
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        if (word[0] != '-' || word[1] == '\0') {
            /* A bare word is a disk image, as with -hda. */
            CmdlineResult r = parse_drive(cfg, find_option("hda"), word, NULL);
            if (r != CMDLINE_OK) {
                return r;
            }
            continue;
        }
        const char *name = word + 1 + (word[1] == '-');
        const OptionDef *o = find_option(name);
        if (!o) {
            error_report("%s: invalid option", word);
            return CMDLINE_ERROR;
        }
        const char *arg = NULL;
        if (o->arg) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", word);
                return CMDLINE_ERROR;
            }
            arg = argv[++i];
        }
        Error *err = NULL;
        error_loc_set(word, arg);
        CmdlineResult r = handle_option(cfg, o, arg, &err);
        if (err) {
            error_report_err(err);
        }
        error_loc_clear();
        if (r != CMDLINE_OK) {
            return r;
        }
    }
    if (cfg->initrd && !cfg->kernel) {
        error_report("-initrd only allowed with -kernel option");
        return CMDLINE_ERROR;
    }
    if (cfg->append && !cfg->kernel) {
        error_report("-append only allowed with -kernel option");
        return CMDLINE_ERROR;
    }
    if (cfg->daemonize && cfg->nographic) {
        error_report("-nographic cannot be used with -daemonize");
        return CMDLINE_ERROR;
    }
    if (!cfg->accel_opts->len) {
        g_ptr_array_add(cfg->accel_opts, accel_opts_named("tcg"));
    }
    return CMDLINE_OK;
}
