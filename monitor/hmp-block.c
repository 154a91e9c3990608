/*
 * HMP commands about drives: info block, commit, and the block side of
 * change and eject.  Output and messages follow QEMU's HMP.
 */
#include "monitor/hmp.h"

#include <inttypes.h>
#include <string.h>

#include "block/blockdev.h"

static void hmp_print_drive(Monitor *mon, DriveInfo *d)
{
    BlockDriverState *bs = d->bs;
    monitor_printf(mon, "%s", d->id);
    if (!bs) {
        monitor_puts(mon, ": [not inserted]\n");
    } else {
        monitor_printf(mon, " (%s): %s (%s%s)\n", d->node_name ? d->node_name : "",
                       bdrv_get_filename(bs), bdrv_get_format_name(bs),
                       bdrv_is_read_only(bs) ? ", read-only" : "");
    }
    if (d->attached_to) {
        monitor_printf(mon, "    Attached to:      %s\n", d->attached_to);
    }
    if (drive_is_removable(d)) {
        monitor_printf(mon, "    Removable device: %slocked, tray %s\n",
                       drive_is_locked(d) ? "" : "not ",
                       drive_is_tray_open(d) ? "open" : "closed");
    }
    if (!bs) {
        return;
    }
    int flags = bdrv_get_flags(bs);
    monitor_printf(mon, "    Cache mode:       %s%s%s\n",
                   flags & BDRV_O_WRITETHROUGH ? "writethrough" : "writeback",
                   flags & BDRV_O_NOCACHE ? ", direct" : "",
                   flags & BDRV_O_NO_FLUSH ? ", ignore flushes" : "");
    BlockDriverState *backing = bdrv_get_backing(bs);
    if (backing) {
        int depth = 0;
        for (BlockDriverState *b = backing; b; b = bdrv_get_backing(b)) {
            depth++;
        }
        monitor_printf(mon, "    Backing file:     %s (chain depth: %d)\n",
                       bdrv_get_filename(backing), depth);
    }
}

void hmp_info_block(Monitor *mon, const HmpArgs *args)
{
    const char *device = hmp_arg_str(args, "device");
    bool first = true;
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (device && strcmp(device, d->id)) {
            continue;
        }
        if (!first) {
            monitor_puts(mon, "\n");
        }
        first = false;
        hmp_print_drive(mon, d);
    }
}

void hmp_commit(Monitor *mon, const HmpArgs *args)
{
    const char *device = hmp_arg_str(args, "device");
    Error *err = NULL;
    if (strcmp(device, "all")) {
        DriveInfo *d = drive_get_by_id(device);
        if (!d) {
            error_report("Device '%s' not found", device);
        } else if (!drive_commit(d, &err)) {
            error_report_err(err);
        }
        return;
    }
    /* all: every drive with a medium that has something to write back. */
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (!d->bs || !bdrv_get_backing(d->bs) || bdrv_is_read_only(d->bs)) {
            continue;
        }
        if (!drive_commit(d, &err)) {
            error_report_err(err);
            err = NULL;
        }
    }
}

static void hmp_block_error(Monitor *mon, Error *err)
{
    monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
    error_free(err);
}

/* The block half of "change": "vnc" and other targets belong to their owners. */
void hmp_change_medium(Monitor *mon, const char *device, const char *target,
                       const char *format)
{
    Error *err = NULL;
    DriveInfo *d = drive_get_by_id(device);
    if (!d) {
        error_setg(&err, "Device '%s' not found", device);
        hmp_block_error(mon, err);
        return;
    }
    if (!drive_change_medium(d, target, format, &err)) {
        hmp_block_error(mon, err);
    }
}

void hmp_change(Monitor *mon, const HmpArgs *args)
{
    hmp_change_medium(mon, hmp_arg_str(args, "device"), hmp_arg_str(args, "target"),
                      hmp_arg_str(args, "arg"));
}

void hmp_eject(Monitor *mon, const HmpArgs *args)
{
    const char *device = hmp_arg_str(args, "device");
    Error *err = NULL;
    DriveInfo *d = drive_get_by_id(device);
    if (!d) {
        error_setg(&err, "Device '%s' not found", device);
        hmp_block_error(mon, err);
        return;
    }
    if (!drive_eject(d, hmp_arg_bool(args, "force", false), &err)) {
        hmp_block_error(mon, err);
    }
}
