/*
 * The IDE bus and the devices on it: ide-hd (an ATA disk) and ide-cd (an
 * ATAPI CD-ROM), as -device ide-hd,drive=id[,bus=ide.0,unit=0] makes them.
 * A device claims its drive and configures one unit of the channel; the
 * controller owns the registers and their state.
 */
#include "hw/ide/ide-internal.h"

#include <string.h>

#include "qom/object.h"

typedef struct IDEDevice {
    DeviceState parent_obj;
    char *drive_id;         /* property "drive" */
    int32_t unit;           /* property "unit": 0, 1, or -1 for the first free */
    char *serial;
    char *model;
    char *version;
    IDEUnit *u;
    DriveInfo *drive;
} IDEDevice;

static IDEBus *ide_bus_of(BusState *bus)
{
    return (IDEBus *)object_check(&bus->parent_obj, TYPE_IDE_BUS);
}

static IDEDevice *ide_device_of(DeviceState *dev)
{
    return (IDEDevice *)object_check(&dev->parent_obj, TYPE_IDE_DEVICE);
}

static bool ide_bus_check_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    IDEChannel *ch = ide_bus_of(bus)->ch;
    IDEDevice *d = ide_device_of(dev);
    if (d->unit == -1) {
        d->unit = ch->units[0].kind == IDE_NONE ? 0 : 1;
    }
    if (d->unit < 0 || d->unit > 1) {
        error_setg(errp, "Can't create IDE unit %d, bus supports only 2 units", d->unit);
        return false;
    }
    if (ch->units[d->unit].kind != IDE_NONE) {
        error_setg(errp, "IDE unit %d is in use", d->unit);
        return false;
    }
    return true;
}

static bool ide_device_realize(DeviceState *dev, Error **errp)
{
    IDEDevice *d = ide_device_of(dev);
    IDEChannel *ch = ide_bus_of(dev->parent_bus)->ch;
    bool cd = object_dynamic_cast(&dev->parent_obj, TYPE_IDE_CD) != NULL;
    const char *type = object_get_typename(&dev->parent_obj);
    DriveInfo *dinfo = NULL;

    if (d->drive_id) {
        dinfo = drive_get_by_id(d->drive_id);
        if (!dinfo) {
            error_setg(errp, "Property '%s.drive' can't find value '%s'", type, d->drive_id);
            return false;
        }
    } else if (!cd) {
        error_setg(errp, "drive property not set");
        return false;
    }
    if (!cd && !dinfo->bs) {
        error_setg(errp, "Device needs media, but drive is empty");
        return false;
    }
    if (d->serial && strlen(d->serial) > 20) {
        error_setg(errp, "serial is longer than 20 characters");
        return false;
    }
    if (d->model && strlen(d->model) > 40) {
        error_setg(errp, "model is longer than 40 characters");
        return false;
    }
    if (d->version && strlen(d->version) > 8) {
        error_setg(errp, "ver is longer than 8 characters");
        return false;
    }
    d->u = &ch->units[d->unit];
    if (dinfo) {
        g_autofree char *path = dev->id ? g_strdup(dev->id) : object_get_path(&dev->parent_obj);
        if (!drive_attach_dev(dinfo, path, cd ? &atapi_media_ops : NULL, d->u, errp)) {
            return false;
        }
    }
    d->drive = dinfo;
    ide_unit_setup(d->u, cd ? IDE_CD : IDE_HD, dinfo, d->serial, d->model, d->version);
    return true;
}

static void ide_device_unrealize(DeviceState *dev)
{
    IDEDevice *d = ide_device_of(dev);
    if (!d->u) {
        return;
    }
    ide_unit_drain(d->u);
    if (d->drive) {
        drive_detach_dev(d->drive);
        d->drive = NULL;
    }
    ide_unit_clear(d->u);
    d->u = NULL;
}

static const Property ide_device_props[] = {
    PROP_STRING("drive", IDEDevice, drive_id),
    PROP_INT32("unit", IDEDevice, unit, -1),
    PROP_STRING("serial", IDEDevice, serial),
    PROP_STRING("model", IDEDevice, model),
    PROP_STRING("ver", IDEDevice, version),
    PROP_END,
};

static void ide_device_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->bus_type = TYPE_IDE_BUS;
    dc->realize = ide_device_realize;
    dc->unrealize = ide_device_unrealize;
    dc->category = "Storage";
    object_class_set_props(oc, ide_device_props);
}

static void ide_drive_class_init(ObjectClass *oc, const void *data)
{
    DEVICE_CLASS(oc)->user_creatable = true;
}

static void ide_bus_class_init(ObjectClass *oc, const void *data)
{
    BusClass *bc = (BusClass *)object_class_check(oc, TYPE_BUS);
    bc->check_plug = ide_bus_check_plug;
}

static const TypeInfo ide_bus_type = {
    .name = TYPE_IDE_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(IDEBus),
    .class_init = ide_bus_class_init,
};

static const TypeInfo ide_device_type = {
    .name = TYPE_IDE_DEVICE,
    .parent = TYPE_DEVICE,
    .abstract = true,
    .instance_size = sizeof(IDEDevice),
    .class_init = ide_device_class_init,
};

static const TypeInfo ide_hd_type = {
    .name = TYPE_IDE_HD,
    .parent = TYPE_IDE_DEVICE,
    .desc = "virtual IDE disk",
    .class_init = ide_drive_class_init,
};

static const TypeInfo ide_cd_type = {
    .name = TYPE_IDE_CD,
    .parent = TYPE_IDE_DEVICE,
    .desc = "virtual IDE CD-ROM",
    .class_init = ide_drive_class_init,
};

void ide_dev_register_types(void)
{
    type_register(&ide_bus_type);
    type_register(&ide_device_type);
    type_register(&ide_hd_type);
    type_register(&ide_cd_type);
}
