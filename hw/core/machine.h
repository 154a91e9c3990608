/*
 * Machine types (-M): an object whose class says how to build a board and
 * whose instance holds what the command line asked for (RAM, CPUs, boot).
 */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_MACHINE "machine"
/* Concrete machine types are named "<name>-machine" ("none-machine", "pc-machine"). */
#define MACHINE_TYPE_SUFFIX "-machine"

typedef struct SMPConfig {
    unsigned cpus;          /* CPUs present at start */
    unsigned sockets;
    unsigned cores;         /* per socket */
    unsigned threads;       /* per core */
    unsigned max_cpus;
} SMPConfig;

typedef struct MachineState {
    Object parent_obj;
    /* Properties (-M type,prop=value). */
    char *accel;            /* accel=kvm:tcg, the older spelling of -accel */
    char *kernel_irqchip;   /* on, off, split */
    bool graphics;
    bool usb;
    /* From the rest of the command line. */
    uint64_t ram_size;
    uint64_t maxram_size;
    uint64_t ram_slots;
    SMPConfig smp;
    char *cpu_model;        /* -cpu, with its +feat,-feat suffixes */
    char *firmware;         /* -bios */
    char *kernel_filename;
    char *initrd_filename;
    char *kernel_cmdline;
    char *boot_order;
    MemoryRegion *ram;      /* the guest RAM block, made by machine_create_ram */
} MachineState;

typedef struct MachineClass {
    ObjectClass parent_class;
    const char *name;           /* "pc", "none" (type name less the suffix) */
    const char *alias;          /* another name -M accepts */
    const char *desc;
    bool is_default;
    unsigned max_cpus;
    uint64_t default_ram_size;
    unsigned min_cpus;          /* 0 for none: it has no CPU */
    bool no_serial, no_parallel, no_vga, no_floppy, no_cdrom;
    /* Build the board: RAM, CPUs, devices.  Errors are returned, never exit. */
    bool (*init)(MachineState *ms, Error **errp);
} MachineClass;

static inline MachineState *MACHINE(Object *obj)
{
    return (MachineState *)object_check(obj, TYPE_MACHINE);
}

static inline MachineClass *MACHINE_GET_CLASS(MachineState *ms)
{
    return (MachineClass *)object_class_check(object_get_class(&ms->parent_obj), TYPE_MACHINE);
}

/* The class for -M name (type name or alias), or NULL. */
MachineClass *machine_find_class(const char *name);
MachineClass *machine_default_class(void);
/* "-M help". */
void machine_print_list(GString *out);
/* The machine being run, once created. */
MachineState *current_machine(void);
/* Create the machine object (not yet built) and file it as /machine. */
MachineState *machine_new(MachineClass *mc);
/* Check the configuration against the class and run its init. */
bool machine_build(MachineState *ms, Error **errp);
/* Allocate ms->ram of ms->ram_size bytes ("pc.ram" etc.). */
bool machine_create_ram(MachineState *ms, const char *name, Error **errp);

/*
 * -smp [cpus=]n[,sockets=s][,cores=c][,threads=t][,maxcpus=m], with QEMU's
 * rules for the missing values; errors like "Invalid CPU topology".
 */
bool machine_parse_smp(SMPConfig *smp, Opts *opts, Error **errp);

/*
 * The chardevs of -serial, in order (serial_hd(0) is COM1's); NULL past the
 * end.  main() fills them before the machine is built; boards attach UARTs.
 */
typedef struct Chardev Chardev;
void machine_set_serial_hd(int index, Chardev *chr);
Chardev *serial_hd(int index);

void machine_register_types(void);
void machine_none_register_types(void);

#endif
