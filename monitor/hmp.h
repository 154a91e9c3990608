/*
 * HMP commands: a table of commands with typed arguments (monitor/hmp-commands.c).
 * Each subsystem writes its handlers; the table is data.
 *
 * args_type is a comma-separated list of "name:type" with type:
 *   s  one word (or a "quoted string" with \" and \\ escapes)
 *   S  the rest of the line (may be empty only if optional)
 *   F  a file name (a word, like s)
 *   i  a 32-bit integer; l  a 64-bit integer (decimal, 0x hex, 0 octal, negative allowed)
 *   o  a size with optional suffix (k, M, G...)
 *   b  on/off
 *   -x a flag "-x" (name:-x), set or not
 * A '?' after the type makes the argument optional.
 */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/monitor.h"

typedef struct HmpArgs HmpArgs;

typedef struct HmpCommand {
    const char *name;           /* "info", "stop", "c|cont" lists aliases with | */
    const char *args_type;
    const char *params;         /* for help: "[-f] name" */
    const char *help;
    void (*cmd)(Monitor *mon, const HmpArgs *args);
    const struct HmpCommand *sub_table;     /* info's subcommands */
} HmpCommand;

/* Parse the arguments of cmd from text; a clear one-line error on bad input. */
HmpArgs *hmp_parse_args(const HmpCommand *cmd, const char *text, Error **errp);
void hmp_args_free(HmpArgs *args);

bool hmp_arg_has(const HmpArgs *args, const char *name);
/* The string value, or NULL if absent. */
const char *hmp_arg_str(const HmpArgs *args, const char *name);
/* Integer/size value, or def if absent. */
int64_t hmp_arg_int(const HmpArgs *args, const char *name, int64_t def);
/* bool value or flag presence; def if absent. */
bool hmp_arg_bool(const HmpArgs *args, const char *name, bool def);

/* The command tables (monitor/hmp-commands.c). */
extern const HmpCommand hmp_commands[];
extern const HmpCommand hmp_info_commands[];
/* Find a command (or alias) in a NULL-name ended table. */
const HmpCommand *hmp_find_command(const HmpCommand *table, const char *name);

/* ---- Handlers, by the file that defines them -------------------------------- */

/* monitor/monitor.c */
void hmp_help(Monitor *mon, const HmpArgs *args);
void hmp_info_history(Monitor *mon, const HmpArgs *args);

/* monitor/hmp-cmds-system.c */
void hmp_stop(Monitor *mon, const HmpArgs *args);
void hmp_cont(Monitor *mon, const HmpArgs *args);
void hmp_quit(Monitor *mon, const HmpArgs *args);
void hmp_system_reset(Monitor *mon, const HmpArgs *args);
void hmp_system_powerdown(Monitor *mon, const HmpArgs *args);
void hmp_log(Monitor *mon, const HmpArgs *args);
void hmp_logfile(Monitor *mon, const HmpArgs *args);
void hmp_info_version(Monitor *mon, const HmpArgs *args);
void hmp_info_status(Monitor *mon, const HmpArgs *args);
void hmp_info_name(Monitor *mon, const HmpArgs *args);
void hmp_info_uuid(Monitor *mon, const HmpArgs *args);
void hmp_info_chardev(Monitor *mon, const HmpArgs *args);
void hmp_info_qtree(Monitor *mon, const HmpArgs *args);
void hmp_info_mtree(Monitor *mon, const HmpArgs *args);

/* hw/intc/i8259.c */
void hmp_info_pic(Monitor *mon, const HmpArgs *args);
void hmp_info_irq(Monitor *mon, const HmpArgs *args);

/* hw/intc/ioapic.c */
void hmp_info_ioapic(Monitor *mon, const HmpArgs *args);

/* hw/pci/pci-info.c */
void hmp_info_pci(Monitor *mon, const HmpArgs *args);

/* hw/input/sendkey.c */
void hmp_sendkey(Monitor *mon, const HmpArgs *args);

/* target-i386/cpu-dump.c */
void hmp_info_registers(Monitor *mon, const HmpArgs *args);

/* system/cpus.c */
void hmp_info_cpus(Monitor *mon, const HmpArgs *args);

/* hw/intc/apic-msr.c */
void hmp_info_lapic(Monitor *mon, const HmpArgs *args);

/* monitor/hmp-block.c */
void hmp_info_block(Monitor *mon, const HmpArgs *args);
void hmp_commit(Monitor *mon, const HmpArgs *args);
void hmp_change(Monitor *mon, const HmpArgs *args);
void hmp_eject(Monitor *mon, const HmpArgs *args);
/* The block side of "change" (a drive's medium), for a shared change handler. */
void hmp_change_medium(Monitor *mon, const char *device, const char *target,
                       const char *format);

/* monitor/hmp-memory.c */
void hmp_memory_dump(Monitor *mon, const HmpArgs *args);
void hmp_physical_memory_dump(Monitor *mon, const HmpArgs *args);
void hmp_info_tlb(Monitor *mon, const HmpArgs *args);
void hmp_info_mem(Monitor *mon, const HmpArgs *args);

#endif
