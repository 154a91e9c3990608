/* The abstract machine type, the registry of machine types, and -smp. */
#include "hw/core/machine.h"

#include <string.h>

#define MAX_SERIAL_PORTS 4

static MachineState *the_machine;
static Chardev *serial_hds[MAX_SERIAL_PORTS];

static const Property machine_props[] = {
    { .name = "accel", .info = &prop_info_string, .offset = offsetof(MachineState, accel),
      .desc = "accelerator list (kvm:tcg), as -accel" },
    { .name = "kernel-irqchip", .info = &prop_info_string,
      .offset = offsetof(MachineState, kernel_irqchip),
      .desc = "use the KVM in-kernel irqchip: on, off or split" },
    { .name = "graphics", .info = &prop_info_bool, .offset = offsetof(MachineState, graphics),
      .defval.u = true, .desc = "set on/off to enable/disable graphics emulation" },
    { .name = "usb", .info = &prop_info_bool, .offset = offsetof(MachineState, usb),
      .desc = "set on/off to enable/disable usb" },
    PROP_END
};

static void machine_class_init(ObjectClass *oc, const void *data)
{
    object_class_set_props(oc, machine_props);
}

static void machine_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);
    g_free(ms->cpu_model);
    g_free(ms->firmware);
    g_free(ms->kernel_filename);
    g_free(ms->initrd_filename);
    g_free(ms->kernel_cmdline);
    g_free(ms->boot_order);
    if (ms->ram) {
        memory_region_finalize(ms->ram);
        g_free(ms->ram);
    }
}

static const TypeInfo machine_type = {
    .name = TYPE_MACHINE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(MachineState),
    .class_size = sizeof(MachineClass),
    .class_init = machine_class_init,
    .instance_finalize = machine_finalize,
};

void machine_register_types(void)
{
    type_register(&machine_type);
}

MachineClass *machine_find_class(const char *name)
{
    MachineClass *found = NULL;
    GSList *list = object_class_get_list(TYPE_MACHINE, false);
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        if (!strcmp(mc->name, name) || (mc->alias && !strcmp(mc->alias, name)) ||
            !strcmp(object_class_get_name(&mc->parent_class), name)) {
            found = mc;
            break;
        }
    }
    g_slist_free(list);
    return found;
}

MachineClass *machine_default_class(void)
{
    MachineClass *found = NULL;
    GSList *list = object_class_get_list(TYPE_MACHINE, false);
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        if (mc->is_default) {
            found = mc;
        }
    }
    g_slist_free(list);
    return found;
}

void machine_print_list(GString *out)
{
    g_string_append(out, "Supported machines are:\n");
    GSList *list = object_class_get_list(TYPE_MACHINE, false);
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        if (mc->alias) {
            g_string_append_printf(out, "%-20s %s (alias of %s)\n", mc->alias, mc->desc, mc->name);
        }
        g_string_append_printf(out, "%-20s %s%s\n", mc->name, mc->desc,
                               mc->is_default ? " (default)" : "");
    }
    g_slist_free(list);
}

MachineState *current_machine(void)
{
    return the_machine;
}

MachineState *machine_new(MachineClass *mc)
{
    Object *obj = object_new(object_class_get_name(&mc->parent_class));
    object_add_child(object_get_root(), "machine", obj);
    object_unref(obj);          /* the tree holds it now */
    the_machine = MACHINE(obj);
    return the_machine;
}

bool machine_build(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    if (ms->smp.cpus > mc->max_cpus) {
        error_setg(errp, "Invalid SMP CPUs %u. The max CPUs supported by machine '%s' is %u",
                   ms->smp.cpus, mc->name, mc->max_cpus);
        return false;
    }
    if (ms->smp.max_cpus > mc->max_cpus) {
        error_setg(errp, "Invalid SMP CPUs %u. The max CPUs supported by machine '%s' is %u",
                   ms->smp.max_cpus, mc->name, mc->max_cpus);
        return false;
    }
    return mc->init(ms, errp);
}

bool machine_create_ram(MachineState *ms, const char *name, Error **errp)
{
    ms->ram = g_new0(MemoryRegion, 1);
    if (!memory_region_init_ram(ms->ram, &ms->parent_obj, name, ms->ram_size, errp)) {
        g_free(ms->ram);
        ms->ram = NULL;
        error_prepend(errp, "cannot set up guest memory '%s': ", name);
        return false;
    }
    return true;
}

void machine_set_serial_hd(int index, Chardev *chr)
{
    if (index >= 0 && index < MAX_SERIAL_PORTS) {
        serial_hds[index] = chr;
    }
}

Chardev *serial_hd(int index)
{
    return index >= 0 && index < MAX_SERIAL_PORTS ? serial_hds[index] : NULL;
}

/*
 * QEMU's rules: maxcpus defaults to cpus; missing sockets and threads are 1
 * and cores absorb the rest (newer machine types prefer cores over sockets);
 * the product must equal maxcpus, which must cover cpus.
 */
bool machine_parse_smp(SMPConfig *smp, Opts *opts, Error **errp)
{
    uint64_t cpus, sockets, cores, threads, maxcpus;
    if (!opts_get_uint(opts, "cpus", 0, &cpus, errp) ||
        !opts_get_uint(opts, "sockets", 0, &sockets, errp) ||
        !opts_get_uint(opts, "cores", 0, &cores, errp) ||
        !opts_get_uint(opts, "threads", 0, &threads, errp) ||
        !opts_get_uint(opts, "maxcpus", 0, &maxcpus, errp)) {
        return false;
    }
    opts_mark_used(opts, "dies");
    if (!opts_check_unused(opts, errp)) {
        return false;
    }
    const uint64_t limit = 4096;
    if (cpus > limit || sockets > limit || cores > limit || threads > limit || maxcpus > limit) {
        error_setg(errp, "Invalid CPU topology: values must not exceed %" PRIu64, limit);
        return false;
    }
    if ((opts_has(opts, "cpus") && cpus == 0) || (opts_has(opts, "sockets") && sockets == 0) ||
        (opts_has(opts, "cores") && cores == 0) || (opts_has(opts, "threads") && threads == 0) ||
        (opts_has(opts, "maxcpus") && maxcpus == 0)) {
        error_setg(errp, "Invalid CPU topology: CPU topology parameters must be greater than zero");
        return false;
    }
    if (!threads) {
        threads = 1;
    }
    if (cpus || maxcpus) {
        maxcpus = maxcpus ? maxcpus : cpus;
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : MAX(maxcpus / (sockets * threads), 1);
    } else {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
    }
    if (!maxcpus) {
        maxcpus = sockets * cores * threads;
    }
    if (!cpus) {
        cpus = maxcpus;
    }
    if (sockets * cores * threads != maxcpus) {
        error_setg(errp, "Invalid CPU topology: product of the hierarchy must match maxcpus: "
                   "sockets (%" PRIu64 ") * cores (%" PRIu64 ") * threads (%" PRIu64 ") "
                   "!= maxcpus (%" PRIu64 ")", sockets, cores, threads, maxcpus);
        return false;
    }
    if (maxcpus < cpus) {
        error_setg(errp, "Invalid CPU topology: maxcpus must be equal to or greater than smp: "
                   "sockets (%" PRIu64 ") * cores (%" PRIu64 ") * threads (%" PRIu64 ") "
                   "== maxcpus (%" PRIu64 ") < smp_cpus (%" PRIu64 ")",
                   sockets, cores, threads, maxcpus, cpus);
        return false;
    }
    *smp = (SMPConfig){ .cpus = cpus, .sockets = sockets, .cores = cores,
                        .threads = threads, .max_cpus = maxcpus };
    return true;
}
