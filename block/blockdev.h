/*
 * Drives: the -drive/-hda/-cdrom/-snapshot side of the block layer.
 *
 * A DriveInfo is one drive of the command line: where it plugs in (interface
 * type, bus, unit), its medium (a BlockDriverState, or none for an empty CD)
 * and how to open media put into it later.  Board code and disk controllers
 * find drives with drive_get() and claim them with drive_attach_dev(); the
 * monitor changes, ejects and commits media through the helpers here.
 * Drives live until drive_close_all() at exit.
 *
 * Numbering follows QEMU: IDE has 2 units per bus, so index = bus * 2 + unit
 * (-hda..-hdd are index 0..3, -cdrom index 2); other interfaces use bus 0,
 * unit = index.  IDs default to "ide0-hd0", "ide1-cd0", "virtio0", "floppy0".
 */
#ifndef BLOCK_BLOCKDEV_H
#define BLOCK_BLOCKDEV_H

#include <stdbool.h>
#include "block/block.h"
#include "util/error.h"
#include "util/opts.h"

typedef enum BlockInterfaceType {
    IF_NONE,        /* for -device ...,drive=id */
    IF_IDE,
    IF_VIRTIO,
    IF_FLOPPY,
    IF_COUNT
} BlockInterfaceType;

/* What a device that owns a removable medium tells the block side. */
typedef struct DriveMediaOps {
    /* The medium was replaced (load true) or removed (load false). */
    void (*change_media_cb)(void *opaque, bool load);
    /* The monitor asks the guest to let go of a locked medium ("eject"). */
    void (*eject_request_cb)(void *opaque, bool force);
    bool (*is_tray_open)(void *opaque);
    bool (*is_medium_locked)(void *opaque);
} DriveMediaOps;

typedef struct DriveInfo {
    char *id;
    BlockInterfaceType type;
    int bus, unit;
    bool media_cdrom;
    BlockDriverState *bs;       /* NULL: no medium (empty CD drive) */
    bool claimed;               /* a device took it (drive_attach_dev) */
    char *attached_to;          /* that device's path, for "info block" */
    const DriveMediaOps *media_ops;
    void *media_opaque;
    int open_flags;             /* BDRV_O_* for this drive's media */
    bool read_only;
    char *node_name;            /* "#block123" of the inserted medium */
    char *file;                 /* file= as given on the command line */
    char *loc_opt;              /* the option that made it, for messages */
    char *loc_arg;
} DriveInfo;

/* Name of an interface as in if= ("ide", "virtio", ...). */
const char *drive_if_name(BlockInterfaceType type);

/*
 * Create a drive from -drive options (file, format, if, index, bus, unit,
 * media, cache, snapshot, readonly, id, aio).  default_type applies without
 * if=; snapshot_all is -snapshot.  NULL with errp set (QEMU's messages).
 */
DriveInfo *drive_new(Opts *opts, BlockInterfaceType default_type, bool snapshot_all,
                     Error **errp);
/* Remember the command-line option that made dinfo, for later warnings. */
void drive_set_location(DriveInfo *dinfo, const char *opt, const char *arg);

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);
/* By index= numbering (IDE: bus = index / 2, unit = index % 2). */
DriveInfo *drive_get_by_index(BlockInterfaceType type, int index);
DriveInfo *drive_get_by_id(const char *id);
/* Highest bus number used by type, -1 if none. */
int drive_get_max_bus(BlockInterfaceType type);
/* Iterate in creation order: drive_next(NULL) is the first; NULL at the end. */
DriveInfo *drive_next(DriveInfo *prev);

/*
 * A device takes the drive.  ops may be NULL for a fixed disk; with ops the
 * medium is removable and the device hears about changes.  Fails if another
 * device took it already.
 */
bool drive_attach_dev(DriveInfo *dinfo, const char *dev_path, const DriveMediaOps *ops,
                      void *opaque, Error **errp);
void drive_detach_dev(DriveInfo *dinfo);

/* Whether the monitor may change the medium (CD, floppy, or no device yet). */
bool drive_is_removable(const DriveInfo *dinfo);
bool drive_is_tray_open(const DriveInfo *dinfo);
bool drive_is_locked(const DriveInfo *dinfo);

/* Open filename (format NULL: probe) and insert it, replacing any medium. */
bool drive_change_medium(DriveInfo *dinfo, const char *filename, const char *format,
                         Error **errp);
/* Remove the medium; a locked one only with force (the guest is asked first). */
bool drive_eject(DriveInfo *dinfo, bool force, Error **errp);
/* Write the top layer of the medium into its backing file, then empty it. */
bool drive_commit(DriveInfo *dinfo, Error **errp);

/* Warn about if=ide/virtio/floppy drives no device claimed (at machine start). */
void drive_check_orphaned(void);
/* Flush and close every drive (exit). */
void drive_close_all(void);

#endif
