/*
 * The HMP command tables.  Each entry: name (aliases separated by '|'),
 * args_type (the language is in hmp.h), params and help for "help", the
 * handler.  help lists the commands sorted by name, so order here is free;
 * keep related commands together.
 */
#include "monitor/hmp.h"

const HmpCommand hmp_info_commands[] = {
    {
        .name = "version", .args_type = "", .params = "",
        .help = "show the version of kemu",
        .cmd = hmp_info_version,
    },
    {
        .name = "status", .args_type = "", .params = "",
        .help = "show the current VM status (running|paused)",
        .cmd = hmp_info_status,
    },
    {
        .name = "name", .args_type = "", .params = "",
        .help = "show the current VM name",
        .cmd = hmp_info_name,
    },
    {
        .name = "uuid", .args_type = "", .params = "",
        .help = "show the current VM UUID",
        .cmd = hmp_info_uuid,
    },
    {
        .name = "chardev", .args_type = "", .params = "",
        .help = "show the character devices",
        .cmd = hmp_info_chardev,
    },
    {
        .name = "qtree", .args_type = "", .params = "",
        .help = "show the device tree",
        .cmd = hmp_info_qtree,
    },
    {
        .name = "mtree", .args_type = "flatview:-f", .params = "[-f]",
        .help = "show the memory tree (-f: the flat view of each address space)",
        .cmd = hmp_info_mtree,
    },
    {
        .name = "pic", .args_type = "", .params = "",
        .help = "show PIC state",
        .cmd = hmp_info_pic,
    },
    {
        .name = "irq", .args_type = "", .params = "",
        .help = "show the interrupts statistics (if available)",
        .cmd = hmp_info_irq,
    },
    {
        .name = "ioapic", .args_type = "", .params = "",
        .help = "show the I/O APIC redirection table",
        .cmd = hmp_info_ioapic,
    },
    {
        .name = "lapic", .args_type = "apic-id:i?", .params = "[apic-id]",
        .help = "show local apic state (apic-id: local apic to read, default is which of current CPU)",
        .cmd = hmp_info_lapic,
    },
    {
        .name = "pci", .args_type = "", .params = "",
        .help = "show PCI info",
        .cmd = hmp_info_pci,
    },
    {
        .name = "registers", .args_type = "cpustate_all:-a,vcpu:i?", .params = "[-a|vcpu]",
        .help = "show the cpu registers (-a: all vCPUs; vcpu: that vCPU; default: #0)",
        .cmd = hmp_info_registers,
    },
    {
        .name = "cpus", .args_type = "", .params = "",
        .help = "show infos for each CPU",
        .cmd = hmp_info_cpus,
    },
    {
        .name = "block", .args_type = "nodes:-n,verbose:-v,device:s?",
        .params = "[-n] [-v] [device]",
        .help = "show info of one block device or all block devices",
        .cmd = hmp_info_block,
    },
    {
        .name = "tlb", .args_type = "", .params = "",
        .help = "show the page mappings of CPU #0 (virtual: physical attributes)",
        .cmd = hmp_info_tlb,
    },
    {
        .name = "mem", .args_type = "", .params = "",
        .help = "show the mapped virtual address ranges of CPU #0 and their rights",
        .cmd = hmp_info_mem,
    },
    {
        .name = "history", .args_type = "", .params = "",
        .help = "show the command line history",
        .cmd = hmp_info_history,
    },
    { .name = NULL },
};

const HmpCommand hmp_commands[] = {
    {
        .name = "help|?", .args_type = "name:S?", .params = "[cmd]",
        .help = "show the help",
        .cmd = hmp_help,
    },
    {
        /* The dispatcher runs the subcommand; alone, info lists them. */
        .name = "info", .args_type = "item:s?", .params = "[subcommand]",
        .help = "show various information about the system state",
        .sub_table = hmp_info_commands,
    },
    {
        .name = "stop|s", .args_type = "", .params = "",
        .help = "stop emulation",
        .cmd = hmp_stop,
    },
    {
        .name = "cont|c", .args_type = "", .params = "",
        .help = "resume emulation",
        .cmd = hmp_cont,
    },
    {
        .name = "quit|q", .args_type = "", .params = "",
        .help = "quit the emulator",
        .cmd = hmp_quit,
    },
    {
        .name = "system_reset", .args_type = "", .params = "",
        .help = "reset the system",
        .cmd = hmp_system_reset,
    },
    {
        .name = "system_powerdown", .args_type = "", .params = "",
        .help = "send a power down event (press the power button)",
        .cmd = hmp_system_powerdown,
    },
    {
        .name = "log", .args_type = "items:s?", .params = "item1[,...]",
        .help = "enable logging of the given items ('log help' lists them, "
                "'log none' turns logging off)",
        .cmd = hmp_log,
    },
    {
        .name = "logfile", .args_type = "filename:F", .params = "filename",
        .help = "write the logs to 'filename'",
        .cmd = hmp_logfile,
    },
    {
        .name = "sendkey", .args_type = "keys:s,hold-time:i?", .params = "keys [hold_ms]",
        .help = "send keys to the VM (e.g. 'sendkey ctrl-alt-f1'), held for hold_ms "
                "(default 100)",
        .cmd = hmp_sendkey,
    },
    {
        .name = "commit", .args_type = "device:s", .params = "device|all",
        .help = "commit changes to the disk images (if -snapshot is used) or backing files",
        .cmd = hmp_commit,
    },
    {
        .name = "change", .args_type = "device:s,target:F,arg:s?",
        .params = "device filename [format]",
        .help = "change a removable medium, optional format",
        .cmd = hmp_change,
    },
    {
        .name = "eject", .args_type = "force:-f,device:s", .params = "[-f] device",
        .help = "eject a removable medium (use -f to force it)",
        .cmd = hmp_eject,
    },
    {
        /* The rest of the line: the format's defaults depend on the last use. */
        .name = "x", .args_type = "args:S?", .params = "/fmt addr",
        .help = "dump memory at virtual address addr (fmt: /[count][x|d|u|o|c|i][b|h|w|g]; "
                "addr: a number or $reg with + and -)",
        .cmd = hmp_memory_dump,
    },
    {
        .name = "xp", .args_type = "args:S?", .params = "/fmt addr",
        .help = "dump memory at physical address addr (fmt as for x)",
        .cmd = hmp_physical_memory_dump,
    },
    { .name = NULL },
};
