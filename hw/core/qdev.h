/*
 * Devices and buses on top of the object model.  A device is created with
 * qdev_new(), configured through properties, then realized on a bus.
 * realize() does what can fail (open backends, claim resources); reset()
 * puts registers to their power-on values; vmsd describes the state.
 */
#ifndef HW_CORE_QDEV_H
#define HW_CORE_QDEV_H

#include "qom/object.h"
#include "util/opts.h"

typedef struct BusState BusState;
typedef struct DeviceState DeviceState;
typedef struct VMStateDescription VMStateDescription;

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"
#define TYPE_SYSTEM_BUS "System"

struct DeviceState {
    Object parent_obj;
    char *id;                   /* -device id=, or NULL */
    bool realized;
    BusState *parent_bus;
    GPtrArray *child_buses;     /* BusState * */
};

typedef struct DeviceClass {
    ObjectClass parent_class;
    bool user_creatable;        /* may be made with -device */
    const char *bus_type;       /* bus it plugs into; NULL: the system bus */
    const char *category;       /* "Storage", "Network", "Input"... for -device help */
    bool (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
    const VMStateDescription *vmsd;
} DeviceClass;

struct BusState {
    Object parent_obj;
    char *name;                 /* "pci.0", "isa.0" */
    DeviceState *parent;        /* NULL for the system bus */
    GPtrArray *children;        /* DeviceState *, in plug order */
};

typedef struct BusClass {
    ObjectClass parent_class;
    /* Extra lines for info qtree (a PCI device's address, an ISA iobase). */
    void (*print_dev)(GString *out, DeviceState *dev, int indent);
    /* Refuse a device (slot taken...) before it is realized. */
    bool (*check_plug)(BusState *bus, DeviceState *dev, Error **errp);
} BusClass;

static inline DeviceState *DEVICE(Object *obj)
{
    return (DeviceState *)object_check(obj, TYPE_DEVICE);
}

static inline DeviceClass *DEVICE_GET_CLASS(DeviceState *dev)
{
    return (DeviceClass *)object_class_check(object_get_class(&dev->parent_obj), TYPE_DEVICE);
}

static inline DeviceClass *DEVICE_CLASS(ObjectClass *klass)
{
    return (DeviceClass *)object_class_check(klass, TYPE_DEVICE);
}

static inline BusState *BUS(Object *obj)
{
    return (BusState *)object_check(obj, TYPE_BUS);
}

static inline BusClass *BUS_GET_CLASS(BusState *bus)
{
    return (BusClass *)object_class_check(object_get_class(&bus->parent_obj), TYPE_BUS);
}

/* A new, unrealized device of typename (abort if there is no such type). */
DeviceState *qdev_new(const char *typename);
/* Plug into bus (NULL: the system bus) and realize; on failure unplugs again. */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* qdev_realize, then drop the caller's reference: the bus keeps the device. */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
bool qdev_prop_set(DeviceState *dev, const char *name, const char *value, Error **errp);

/* A new bus of typename owned by parent (NULL parent: a root bus). */
BusState *qbus_new(const char *typename, DeviceState *parent, const char *name);
/* The root system bus, created on first use. */
BusState *sysbus_get_default(void);
/* The first bus of typename anywhere in the tree, or by name ("pci.0"). */
BusState *qbus_find(const char *typename_or_name);

/* Reset a device and everything below it, children first. */
void qdev_reset_all(DeviceState *dev);
void qbus_reset_all(BusState *bus);
/* Reset the whole tree under the system bus. */
void qdev_reset_machine(void);

/* Call fn for every realized device, depth first. */
void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque);
/* A device by its id, or NULL. */
DeviceState *qdev_find_by_id(const char *id);

/*
 * -device driver,prop=val,...: create, set properties, realize, and file it
 * under /machine/peripheral/<id> (or peripheral-anon).  Handles "help".
 * Returns NULL with errp set on failure; NULL with errp unset after help.
 */
DeviceState *qdev_device_add(Opts *opts, Error **errp);
/* "-device help": the list of user-creatable devices by category. */
void qdev_print_device_list(GString *out);
/* "-device driver,help": the properties of driver. */
bool qdev_print_device_props(GString *out, const char *driver, Error **errp);

/* info qtree. */
void qdev_print_tree(GString *out);

/* Register TYPE_DEVICE, TYPE_BUS and the system bus type. */
void qdev_register_types(void);

#endif
