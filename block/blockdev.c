/*
 * Drives of the command line (-drive, -hda..-hdd, -cdrom, -snapshot) and the
 * medium operations the monitor and disk controllers use.  Option names,
 * numbering and messages follow QEMU's so scripts keep working.
 */
#include "block/blockdev.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <glib.h>

static const char *const if_names[IF_COUNT] = {
    [IF_NONE] = "none",
    [IF_IDE] = "ide",
    [IF_VIRTIO] = "virtio",
    [IF_FLOPPY] = "floppy",
};

/* Units per bus; 0: one bus, unit = index.  IDE has master and slave. */
static const int if_max_devs[IF_COUNT] = {
    [IF_IDE] = 2,
};

/* Every -drive key we understand; anything else is refused. */
static const char *const drive_keys[] = {
    "file", "format", "if", "index", "bus", "unit", "media", "cache", "snapshot",
    "readonly", "id", "aio", NULL
};

static GPtrArray *drives;       /* DriveInfo *, creation order */
static unsigned node_counter;   /* for "#blockN" node names */

const char *drive_if_name(BlockInterfaceType type)
{
    return type < IF_COUNT ? if_names[type] : "?";
}

static int drive_index_to_bus(BlockInterfaceType type, int index)
{
    return if_max_devs[type] ? index / if_max_devs[type] : 0;
}

static int drive_index_to_unit(BlockInterfaceType type, int index)
{
    return if_max_devs[type] ? index % if_max_devs[type] : index;
}

DriveInfo *drive_next(DriveInfo *prev)
{
    if (!drives || !drives->len) {
        return NULL;
    }
    if (!prev) {
        return g_ptr_array_index(drives, 0);
    }
    for (guint i = 0; i + 1 < drives->len; i++) {
        if (g_ptr_array_index(drives, i) == prev) {
            return g_ptr_array_index(drives, i + 1);
        }
    }
    return NULL;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (d->type == type && d->bus == bus && d->unit == unit) {
            return d;
        }
    }
    return NULL;
}

DriveInfo *drive_get_by_index(BlockInterfaceType type, int index)
{
    return drive_get(type, drive_index_to_bus(type, index), drive_index_to_unit(type, index));
}

DriveInfo *drive_get_by_id(const char *id)
{
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (!strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

int drive_get_max_bus(BlockInterfaceType type)
{
    int max = -1;
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (d->type == type && d->bus > max) {
            max = d->bus;
        }
    }
    return max;
}

/*
 * A new "#blockN" name for an inserted medium.  QEMU counts a format node
 * and its file node, so its numbers step by two as well.
 */
static char *drive_new_node_name(void)
{
    node_counter++;
    return g_strdup_printf("#block%u", 100 + node_counter * 2);
}

/* Open a medium for dinfo with its flags; sets the node name. */
static BlockDriverState *drive_open_medium(DriveInfo *dinfo, const char *filename,
                                           const char *format, Error **errp)
{
    BlockDriverState *bs = bdrv_open(filename, format, dinfo->open_flags, errp);
    if (bs) {
        g_free(dinfo->node_name);
        dinfo->node_name = drive_new_node_name();
    }
    return bs;
}

static bool drive_check_keys(void *opaque, const char *key, const char *value, Error **errp)
{
    for (int i = 0; drive_keys[i]; i++) {
        if (!strcmp(key, drive_keys[i])) {
            return true;
        }
    }
    *(const char **)opaque = key;
    return false;
}

/* Parse an int option that must fit in [0, INT_MAX); -1 when absent. */
static bool drive_get_int(Opts *opts, const char *key, int *out, Error **errp)
{
    uint64_t v;
    if (!opts_has(opts, key)) {
        *out = -1;
        return true;
    }
    if (!opts_get_uint(opts, key, 0, &v, errp)) {
        return false;
    }
    if (v > 0xffff) {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return false;
    }
    *out = (int)v;
    return true;
}

/* Where the drive goes: bus/unit from index= or bus=/unit=, or the next free slot. */
static bool drive_place(DriveInfo *dinfo, Opts *opts, Error **errp)
{
    BlockInterfaceType type = dinfo->type;
    int max_devs = if_max_devs[type];
    int index, bus, unit;
    if (!drive_get_int(opts, "index", &index, errp) ||
        !drive_get_int(opts, "bus", &bus, errp) ||
        !drive_get_int(opts, "unit", &unit, errp)) {
        return false;
    }
    if (bus < 0) {
        bus = 0;
    }
    if (index >= 0) {
        if (opts_has(opts, "bus") || unit >= 0) {
            error_setg(errp, "index cannot be used with bus and unit");
            return false;
        }
        bus = drive_index_to_bus(type, index);
        unit = drive_index_to_unit(type, index);
    }
    if (unit < 0) {
        /* The first free unit, moving on to the next bus when one is full. */
        unit = 0;
        while (drive_get(type, bus, unit)) {
            unit++;
            if (max_devs && unit >= max_devs) {
                unit -= max_devs;
                bus++;
            }
        }
    }
    if (max_devs && unit >= max_devs) {
        error_setg(errp, "unit %d too big (max is %d)", unit, max_devs - 1);
        return false;
    }
    if (drive_get(type, bus, unit)) {
        error_setg(errp, "drive with bus=%d, unit=%d (index=%d) exists", bus, unit, index);
        return false;
    }
    dinfo->bus = bus;
    dinfo->unit = unit;
    return true;
}

static void drive_free(DriveInfo *dinfo)
{
    if (dinfo->bs) {
        bdrv_unref(dinfo->bs);
    }
    g_free(dinfo->id);
    g_free(dinfo->attached_to);
    g_free(dinfo->node_name);
    g_free(dinfo->file);
    g_free(dinfo->loc_opt);
    g_free(dinfo->loc_arg);
    g_free(dinfo);
}

/* Cache, aio, readonly and snapshot into dinfo->open_flags. */
static bool drive_parse_flags(DriveInfo *dinfo, Opts *opts, bool snapshot_all, Error **errp)
{
    int flags = 0;
    const char *cache = opts_get(opts, "cache");
    if (cache && !bdrv_parse_cache_mode(cache, &flags, NULL)) {
        error_setg(errp, "invalid cache option");
        return false;
    }
    const char *aio = opts_get(opts, "aio");
    if (aio && strcmp(aio, "threads") && strcmp(aio, "native") && strcmp(aio, "io_uring")) {
        error_setg(errp, "invalid aio option");
        return false;
    }
    /* Linux AIO needs O_DIRECT; requests run in the thread pool either way. */
    if (aio && !strcmp(aio, "native") && !(flags & BDRV_O_NOCACHE)) {
        error_setg(errp, "aio=native was specified, but it requires cache.direct=on, "
                   "which was not specified.");
        return false;
    }
    bool snapshot, read_only;
    if (!opts_get_bool(opts, "snapshot", snapshot_all, &snapshot, errp) ||
        !opts_get_bool(opts, "readonly", false, &read_only, errp)) {
        return false;
    }
    dinfo->read_only = read_only || dinfo->media_cdrom;
    if (!dinfo->read_only) {
        flags |= BDRV_O_RDWR;
        if (snapshot) {
            /* The temporary overlay is thrown away: syncing it buys nothing. */
            flags |= BDRV_O_SNAPSHOT | BDRV_O_NO_FLUSH;
        }
    }
    dinfo->open_flags = flags;
    return true;
}

DriveInfo *drive_new(Opts *opts, BlockInterfaceType default_type, bool snapshot_all,
                     Error **errp)
{
    DriveInfo *dinfo = g_new0(DriveInfo, 1);
    dinfo->type = default_type;

    const char *ifname = opts_get(opts, "if");
    if (ifname) {
        int i;
        for (i = 0; i < IF_COUNT && strcmp(ifname, if_names[i]); i++) {
        }
        if (i == IF_COUNT) {
            error_setg(errp, "unsupported bus type '%s'", ifname);
            goto fail;
        }
        dinfo->type = (BlockInterfaceType)i;
    }
    const char *media = opts_get(opts, "media");
    if (media) {
        if (!strcmp(media, "cdrom")) {
            dinfo->media_cdrom = true;
        } else if (strcmp(media, "disk")) {
            error_setg(errp, "'%s' invalid media", media);
            goto fail;
        }
    }
    if (!drive_place(dinfo, opts, errp)) {
        goto fail;
    }
    const char *id = opts_get(opts, "id");
    if (id) {
        if (drive_get_by_id(id)) {
            error_setg(errp, "Duplicate ID '%s' for drive", id);
            goto fail;
        }
        dinfo->id = g_strdup(id);
    } else {
        const char *mediastr = "";
        if (dinfo->type == IF_IDE) {
            mediastr = dinfo->media_cdrom ? "-cd" : "-hd";
        }
        if (if_max_devs[dinfo->type]) {
            dinfo->id = g_strdup_printf("%s%d%s%d", if_names[dinfo->type], dinfo->bus,
                                        mediastr, dinfo->unit);
        } else {
            dinfo->id = g_strdup_printf("%s%s%d", if_names[dinfo->type], mediastr,
                                        dinfo->unit);
        }
    }
    if (!drive_parse_flags(dinfo, opts, snapshot_all, errp)) {
        goto fail;
    }
    const char *format = opts_get(opts, "format");
    if (format && !bdrv_format_known(format)) {
        error_setg(errp, "Unknown driver '%s'", format);
        goto fail;
    }
    const char *unknown = NULL;
    if (!opts_foreach(opts, drive_check_keys, &unknown, NULL)) {
        error_setg(errp, "Block format '%s' does not support the option '%s'",
                   format ? format : "raw", unknown);
        goto fail;
    }
    const char *file = opts_get(opts, "file");
    dinfo->file = g_strdup(file ? file : "");
    if (file && file[0]) {
        dinfo->bs = drive_open_medium(dinfo, file, format, errp);
        if (!dinfo->bs) {
            goto fail;
        }
    }
    if (!drives) {
        drives = g_ptr_array_new();
    }
    g_ptr_array_add(drives, dinfo);
    return dinfo;

fail:
    drive_free(dinfo);
    return NULL;
}

void drive_set_location(DriveInfo *dinfo, const char *opt, const char *arg)
{
    g_free(dinfo->loc_opt);
    g_free(dinfo->loc_arg);
    dinfo->loc_opt = g_strdup(opt);
    dinfo->loc_arg = g_strdup(arg);
}

bool drive_attach_dev(DriveInfo *dinfo, const char *dev_path, const DriveMediaOps *ops,
                      void *opaque, Error **errp)
{
    if (dinfo->claimed) {
        error_setg(errp, "Drive '%s' is already in use by %s", dinfo->id,
                   dinfo->attached_to ? dinfo->attached_to : "another device");
        return false;
    }
    dinfo->claimed = true;
    dinfo->attached_to = g_strdup(dev_path);
    dinfo->media_ops = ops;
    dinfo->media_opaque = opaque;
    return true;
}

void drive_detach_dev(DriveInfo *dinfo)
{
    dinfo->claimed = false;
    g_free(dinfo->attached_to);
    dinfo->attached_to = NULL;
    dinfo->media_ops = NULL;
    dinfo->media_opaque = NULL;
}

bool drive_is_removable(const DriveInfo *dinfo)
{
    /* As in QEMU: a drive no device took can have its medium changed. */
    return !dinfo->claimed || dinfo->media_ops;
}

bool drive_is_tray_open(const DriveInfo *dinfo)
{
    return dinfo->media_ops && dinfo->media_ops->is_tray_open &&
           dinfo->media_ops->is_tray_open(dinfo->media_opaque);
}

bool drive_is_locked(const DriveInfo *dinfo)
{
    return dinfo->media_ops && dinfo->media_ops->is_medium_locked &&
           dinfo->media_ops->is_medium_locked(dinfo->media_opaque);
}

static void drive_notify(DriveInfo *dinfo, bool load)
{
    if (dinfo->media_ops && dinfo->media_ops->change_media_cb) {
        dinfo->media_ops->change_media_cb(dinfo->media_opaque, load);
    }
}

static void drive_remove_medium(DriveInfo *dinfo)
{
    if (dinfo->bs) {
        BlockDriverState *bs = dinfo->bs;
        dinfo->bs = NULL;
        bdrv_unref(bs);    /* drains the requests still in flight */
        g_free(dinfo->node_name);
        dinfo->node_name = NULL;
    }
}

/*
 * Before the medium goes: ask the guest to open the tray (an eject request
 * it may act on), and refuse while it keeps the medium locked, unless forced.
 */
static bool drive_open_tray(DriveInfo *dinfo, bool force, Error **errp)
{
    if (!drive_is_removable(dinfo)) {
        error_setg(errp, "Device '%s' is not removable", dinfo->id);
        return false;
    }
    if (dinfo->media_ops && dinfo->media_ops->eject_request_cb) {
        dinfo->media_ops->eject_request_cb(dinfo->media_opaque, force);
    }
    if (drive_is_locked(dinfo) && !force) {
        error_setg(errp, "Device '%s' is locked and force was not specified, "
                   "wait for tray to open and try again", dinfo->id);
        return false;
    }
    return true;
}

bool drive_change_medium(DriveInfo *dinfo, const char *filename, const char *format,
                         Error **errp)
{
    if (!drive_open_tray(dinfo, false, errp)) {
        return false;
    }
    if (format && !bdrv_format_known(format)) {
        error_setg(errp, "Unknown driver '%s'", format);
        return false;
    }
    BlockDriverState *bs = bdrv_open(filename, format, dinfo->open_flags, errp);
    if (!bs) {
        return false;
    }
    if (dinfo->bs) {
        drive_remove_medium(dinfo);
        drive_notify(dinfo, false);
    }
    dinfo->bs = bs;
    dinfo->node_name = drive_new_node_name();
    drive_notify(dinfo, true);
    return true;
}

bool drive_eject(DriveInfo *dinfo, bool force, Error **errp)
{
    if (!drive_open_tray(dinfo, force, errp)) {
        return false;
    }
    if (dinfo->bs) {
        drive_remove_medium(dinfo);
        drive_notify(dinfo, false);
    }
    return true;
}

bool drive_commit(DriveInfo *dinfo, Error **errp)
{
    if (!dinfo->bs) {
        error_setg(errp, "Device '%s' has no medium", dinfo->id);
        return false;
    }
    if (!bdrv_get_backing(dinfo->bs)) {
        error_setg_errno(errp, ENOTSUP, "'commit' error for '%s'", dinfo->id);
        return false;
    }
    if (bdrv_is_read_only(dinfo->bs)) {
        error_setg_errno(errp, EACCES, "'commit' error for '%s'", dinfo->id);
        return false;
    }
    Error *err = NULL;
    if (!bdrv_commit(dinfo->bs, false, &err)) {
        error_setg(errp, "'commit' error for '%s': %s", dinfo->id, error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

void drive_check_orphaned(void)
{
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (d->claimed || d->type == IF_NONE) {
            continue;
        }
        if (d->loc_opt) {
            error_loc_set(d->loc_opt, d->loc_arg);
        }
        warn_report("Orphaned drive without device: id=%s,file=%s,if=%s,bus=%d,unit=%d",
                    d->id, d->file ? d->file : "", if_names[d->type],
                    d->bus, d->unit);
        error_loc_clear();
    }
}

void drive_close_all(void)
{
    if (!drives) {
        return;
    }
    for (guint i = 0; i < drives->len; i++) {
        drive_free(g_ptr_array_index(drives, i));
    }
    g_ptr_array_free(drives, true);
    drives = NULL;
}
