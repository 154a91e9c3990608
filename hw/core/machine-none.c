/*
 * -M none: no CPU and no devices.  It runs the main loop and the monitor,
 * which is enough to exercise the foundation; with -m it maps RAM at 0.
 */
#include "hw/core/machine.h"

static bool machine_none_init(MachineState *ms, Error **errp)
{
    if (ms->ram_size) {
        if (!machine_create_ram(ms, "ram", errp)) {
            return false;
        }
        memory_region_add_subregion(get_system_memory(), 0, ms->ram);
    }
    return true;
}

static void machine_none_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = (MachineClass *)oc;
    mc->name = "none";
    mc->desc = "empty machine";
    mc->max_cpus = 1;
    mc->default_ram_size = 0;
    mc->no_parallel = mc->no_floppy = mc->no_cdrom = mc->no_vga = true;
    mc->init = machine_none_init;
}

static const TypeInfo machine_none_type = {
    .name = "none" MACHINE_TYPE_SUFFIX,
    .parent = TYPE_MACHINE,
    .class_init = machine_none_class_init,
};

void machine_none_register_types(void)
{
    type_register(&machine_none_type);
}
