/*
 * The command line: QEMU's grammar parsed into a KemuConfig.  Parsing only
 * records and validates what was asked; main() builds the machine from it.
 */
#ifndef SYSTEM_CMDLINE_H
#define SYSTEM_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "util/opts.h"

/* One -drive, -hda..-hdd or -cdrom, kept with its text for error messages. */
typedef struct DriveSpec {
    char *opt;                  /* "-drive", "-hda", ... */
    char *arg;
    Opts *opts;                 /* -drive options (built for the short forms) */
} DriveSpec;

typedef struct KemuConfig {
    const char *machine_type;   /* NULL: the default machine */
    Opts *machine_opts;         /* properties from every -M, merged in order */
    uint64_t ram_size;          /* 0: the machine's default */
    uint64_t maxram_size;
    uint64_t ram_slots;
    bool smp_set;
    SMPConfig smp;              /* -smp, checked for consistency */
    char *cpu_model;
    GPtrArray *accel_opts;      /* Opts * with "accel" set, in fallback order */
    bool accel_from_machine;    /* -machine accel= was used */
    char *name;
    bool uuid_set;
    uint8_t uuid[16];
    bool nographic;
    Opts *display_opts;         /* -display; NULL: default */
    Opts *rtc_opts;             /* -rtc base=,clock=,driftfix= merged; NULL: none */
    GPtrArray *serial_specs;    /* char *, -serial */
    char *debugcon;             /* -debugcon spec, or NULL */
    GPtrArray *monitor_specs;   /* char *, -monitor */
    GPtrArray *mon_opts;        /* Opts *, -mon */
    GPtrArray *chardev_opts;    /* Opts *, -chardev */
    GPtrArray *device_opts;     /* Opts *, -device */
    GPtrArray *drive_specs;     /* DriveSpec *, in command-line order */
    bool snapshot;              /* -snapshot: every drive gets snapshot=on */
    bool start_paused;          /* -S */
    bool no_reboot;
    bool no_shutdown;
    bool nodefaults;
    bool daemonize;
    char *pidfile;
    char *log_items;
    char *log_file;
    char *bios;
    char *kernel;
    char *initrd;
    char *append;
} KemuConfig;

typedef enum CmdlineResult {
    CMDLINE_OK,         /* go on and build the machine */
    CMDLINE_EXIT_OK,    /* help or version was printed: exit 0 */
    CMDLINE_ERROR,      /* an error was reported: exit 1 */
} CmdlineResult;

/* Parse argv (types must be registered first, for the help texts). */
CmdlineResult cmdline_parse(int argc, char **argv, KemuConfig *cfg);
void cmdline_config_free(KemuConfig *cfg);
/* Parse "12345678-1234-1234-1234-123456789abc". */
bool parse_uuid(const char *str, uint8_t out[16]);

#endif
