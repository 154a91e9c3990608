/*
 * Devices and buses: plugging, realize/unrealize, reset, -device and the
 * info qtree / -device help printers.
 *
 * Ownership: a bus holds a reference on each device plugged into it; the
 * composition tree holds one on each device filed there (/machine/peripheral,
 * /machine/peripheral-anon, /machine/unattached) and on each child bus (a
 * child of its parent device).  The root system bus is kept outside the tree.
 */
#include "hw/core/qdev.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "util/cutils.h"

static BusState *main_system_bus;
static unsigned unattached_count;       /* /machine/unattached/device[N] */
static unsigned peripheral_anon_count;  /* /machine/peripheral-anon/device[N] */
static GHashTable *bus_auto_ids;        /* bus type name -> next "<type>.N" */

static Object *qdev_get_machine(void)
{
    /* Once the machine is created it is /machine itself; before, a container. */
    return object_get_container(object_get_root(), "machine");
}

static Object *qdev_get_peripheral(void)
{
    return object_get_container(qdev_get_machine(), "peripheral");
}

static const char *device_bus_type(DeviceClass *dc)
{
    return dc->bus_type ? dc->bus_type : TYPE_SYSTEM_BUS;
}

/* ---- Buses ------------------------------------------------------------------ */

static char *qbus_auto_name(const char *typename, DeviceState *parent)
{
    if (parent && parent->id) {
        return g_strdup_printf("%s.%u", parent->id, parent->child_buses->len);
    }
    if (!bus_auto_ids) {
        bus_auto_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
    unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(bus_auto_ids, typename));
    g_hash_table_insert(bus_auto_ids, g_strdup(typename), GUINT_TO_POINTER(n + 1));
    char *lower = g_ascii_strdown(typename, -1);
    char *name = g_strdup_printf("%s.%u", lower, n);
    g_free(lower);
    return name;
}

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    BusState *bus = BUS(object_new(typename));
    bus->name = name ? g_strdup(name) : qbus_auto_name(typename, parent);
    bus->parent = parent;
    if (parent) {
        g_ptr_array_add(parent->child_buses, bus);
        object_add_child(&parent->parent_obj, bus->name, &bus->parent_obj);
        object_unref(&bus->parent_obj);         /* the tree keeps it */
    }
    return bus;
}

BusState *sysbus_get_default(void)
{
    if (!main_system_bus) {
        qdev_register_types();
        main_system_bus = qbus_new(TYPE_SYSTEM_BUS, NULL, "main-system-bus");
    }
    return main_system_bus;
}

static BusState *qbus_find_in(BusState *bus, const char *name, const char *typename)
{
    if (name ? !strcmp(bus->name, name) : object_dynamic_cast(&bus->parent_obj, typename) != NULL) {
        return bus;
    }
    for (guint i = 0; i < bus->children->len; i++) {
        DeviceState *dev = g_ptr_array_index(bus->children, i);
        for (guint j = 0; j < dev->child_buses->len; j++) {
            BusState *found = qbus_find_in(g_ptr_array_index(dev->child_buses, j), name, typename);
            if (found) {
                return found;
            }
        }
    }
    return NULL;
}

BusState *qbus_find(const char *typename_or_name)
{
    BusState *root = sysbus_get_default();
    BusState *bus = qbus_find_in(root, typename_or_name, NULL);
    return bus ? bus : qbus_find_in(root, NULL, typename_or_name);
}

static void bus_instance_init(Object *obj)
{
    BUS(obj)->children = g_ptr_array_new();
}

static void bus_instance_finalize(Object *obj)
{
    BusState *bus = BUS(obj);
    /* Devices still plugged in go with the bus. */
    while (bus->children->len) {
        qdev_unrealize(g_ptr_array_index(bus->children, bus->children->len - 1));
    }
    if (bus->parent) {
        g_ptr_array_remove(bus->parent->child_buses, bus);
    }
    g_ptr_array_free(bus->children, true);
    g_free(bus->name);
}

/* ---- Devices ---------------------------------------------------------------- */

DeviceState *qdev_new(const char *typename)
{
    return DEVICE(object_new(typename));
}

bool qdev_prop_set(DeviceState *dev, const char *name, const char *value, Error **errp)
{
    if (dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' (type '%s') after it was realized",
                   name, dev->id ? dev->id : "", object_get_typename(&dev->parent_obj));
        return false;
    }
    return object_prop_set_str(&dev->parent_obj, name, value, errp);
}

static void qdev_bus_plug(DeviceState *dev, BusState *bus)
{
    dev->parent_bus = bus;
    g_ptr_array_add(bus->children, object_ref(&dev->parent_obj));
}

static void qdev_bus_unplug(DeviceState *dev)
{
    BusState *bus = dev->parent_bus;
    if (!bus) {
        return;
    }
    dev->parent_bus = NULL;
    if (g_ptr_array_remove(bus->children, dev)) {
        object_unref(&dev->parent_obj);
    }
}

/* File a device in the tree if nobody did: /machine/peripheral/<id> or unattached. */
static bool qdev_file_in_tree(DeviceState *dev, Error **errp)
{
    if (dev->id) {
        Object *periph = qdev_get_peripheral();
        if (object_get_child(periph, dev->id)) {
            error_setg(errp, "Duplicate ID '%s' for device", dev->id);
            return false;
        }
        object_add_child(periph, dev->id, &dev->parent_obj);
        return true;
    }
    Object *unattached = object_get_container(qdev_get_machine(), "unattached");
    char *name = g_strdup_printf("device[%u]", unattached_count++);
    object_add_child(unattached, name, &dev->parent_obj);
    g_free(name);
    return true;
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    const char *typename = object_get_typename(&dev->parent_obj);

    if (dev->realized) {
        error_setg(errp, "Device '%s' is already realized", typename);
        return false;
    }
    if (!bus) {
        bus = sysbus_get_default();
    }
    if (!object_dynamic_cast(&bus->parent_obj, device_bus_type(dc))) {
        error_setg(errp, "Device '%s' can't go on %s bus", typename,
                   object_get_typename(&bus->parent_obj));
        return false;
    }
    BusClass *bc = BUS_GET_CLASS(bus);
    if (bc->check_plug && !bc->check_plug(bus, dev, errp)) {
        return false;
    }

    bool filed = false;
    if (!dev->parent_obj.parent) {
        if (!qdev_file_in_tree(dev, errp)) {
            return false;
        }
        filed = true;
    }
    qdev_bus_plug(dev, bus);
    if (dc->realize && !dc->realize(dev, errp)) {
        object_ref(&dev->parent_obj);   /* survive the unplug for the caller */
        qdev_bus_unplug(dev);
        if (filed) {
            object_unparent(&dev->parent_obj);
        }
        object_unref(&dev->parent_obj);
        return false;
    }
    dev->realized = true;
    /* Registers start at their power-on values, also for hot-added devices. */
    qdev_reset_all(dev);
    return true;
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ok = qdev_realize(dev, bus, errp);
    object_unref(&dev->parent_obj);
    return ok;
}

/*
 * The reverse of realize, as device_del wants it: devices on the child buses
 * first, then the unrealize hook, then out of the bus and the tree.  The
 * device is freed unless the caller holds a reference.
 */
void qdev_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    object_ref(&dev->parent_obj);
    for (guint i = 0; i < dev->child_buses->len; i++) {
        BusState *child = g_ptr_array_index(dev->child_buses, i);
        while (child->children->len) {
            qdev_unrealize(g_ptr_array_index(child->children, child->children->len - 1));
        }
    }
    if (dev->realized && dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
    qdev_bus_unplug(dev);
    object_unparent(&dev->parent_obj);
    object_unref(&dev->parent_obj);
}

static void device_instance_init(Object *obj)
{
    DEVICE(obj)->child_buses = g_ptr_array_new();
}

static void device_instance_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    /* Buses someone else still holds outlive their parent. */
    for (guint i = 0; i < dev->child_buses->len; i++) {
        BUS(g_ptr_array_index(dev->child_buses, i))->parent = NULL;
    }
    g_free(dev->id);
    g_ptr_array_free(dev->child_buses, true);
}

/* ---- Reset and walks ---------------------------------------------------------- */

void qbus_reset_all(BusState *bus)
{
    for (guint i = 0; i < bus->children->len; i++) {
        qdev_reset_all(g_ptr_array_index(bus->children, i));
    }
}

void qdev_reset_all(DeviceState *dev)
{
    for (guint i = 0; i < dev->child_buses->len; i++) {
        qbus_reset_all(g_ptr_array_index(dev->child_buses, i));
    }
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->reset) {
        dc->reset(dev);
    }
}

void qdev_reset_machine(void)
{
    qbus_reset_all(sysbus_get_default());
}

static void qbus_foreach(BusState *bus, void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    for (guint i = 0; i < bus->children->len; i++) {
        DeviceState *dev = g_ptr_array_index(bus->children, i);
        if (dev->realized) {
            fn(dev, opaque);
        }
        for (guint j = 0; j < dev->child_buses->len; j++) {
            qbus_foreach(g_ptr_array_index(dev->child_buses, j), fn, opaque);
        }
    }
}

void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    qbus_foreach(sysbus_get_default(), fn, opaque);
}

typedef struct FindById {
    const char *id;
    DeviceState *found;
} FindById;

static void qdev_find_by_id_cb(DeviceState *dev, void *opaque)
{
    FindById *f = opaque;
    if (!f->found && dev->id && !strcmp(dev->id, f->id)) {
        f->found = dev;
    }
}

DeviceState *qdev_find_by_id(const char *id)
{
    /* Look without creating /machine: this may run before the machine exists. */
    Object *machine = object_get_child(object_get_root(), "machine");
    Object *periph = machine ? object_get_child(machine, "peripheral") : NULL;
    Object *obj = periph ? object_get_child(periph, id) : NULL;
    if (obj && object_dynamic_cast(obj, TYPE_DEVICE)) {
        return DEVICE(obj);
    }
    FindById f = { .id = id };
    qdev_foreach(qdev_find_by_id_cb, &f);
    return f.found;
}

/* ---- -device ------------------------------------------------------------------ */

/* QEMU's rule: a letter, then letters, digits, '-', '.', '_'. */
static bool qdev_id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static DeviceClass *qdev_find_driver(const char *driver, Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) || object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    return DEVICE_CLASS(oc);
}

static bool qdev_set_opt(void *opaque, const char *key, const char *value, Error **errp)
{
    if (!strcmp(key, "driver") || !strcmp(key, "bus") || !strcmp(key, "id")) {
        return true;
    }
    return qdev_prop_set(opaque, key, value, errp);
}

DeviceState *qdev_device_add(Opts *opts, Error **errp)
{
    const char *driver = opts_get(opts, "driver");

    if (opts_help_requested(opts) || (driver && !strcmp(driver, "help"))) {
        GString *out = g_string_new(NULL);
        if (driver && strcmp(driver, "help")) {
            qdev_print_device_props(out, driver, errp);
        } else {
            qdev_print_device_list(out);
        }
        fputs(out->str, stdout);
        g_string_free(out, true);
        return NULL;
    }
    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    DeviceClass *dc = qdev_find_driver(driver, errp);
    if (!dc) {
        return NULL;
    }
    if (!dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type");
        return NULL;
    }

    BusState *bus;
    const char *busname = opts_get(opts, "bus");
    if (busname) {
        bus = qbus_find_in(sysbus_get_default(), busname, NULL);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", busname);
            return NULL;
        }
        if (!object_dynamic_cast(&bus->parent_obj, device_bus_type(dc))) {
            error_setg(errp, "Device '%s' can't go on %s bus", driver,
                       object_get_typename(&bus->parent_obj));
            return NULL;
        }
    } else {
        bus = qbus_find_in(sysbus_get_default(), NULL, device_bus_type(dc));
        if (!bus) {
            error_setg(errp, "No '%s' bus found for device '%s'", device_bus_type(dc), driver);
            return NULL;
        }
    }

    const char *id = opts_get(opts, "id");
    if (id) {
        if (!qdev_id_wellformed(id)) {
            error_setg(errp, "Parameter 'id' expects an identifier");
            return NULL;
        }
        if (object_get_child(qdev_get_peripheral(), id)) {
            error_setg(errp, "Duplicate ID '%s' for device", id);
            return NULL;
        }
    }

    DeviceState *dev = qdev_new(driver);
    dev->id = g_strdup(id);
    if (!opts_foreach(opts, qdev_set_opt, dev, errp)) {
        object_unref(&dev->parent_obj);
        return NULL;
    }
    /* Filed before realize so the device knows its path while realizing. */
    if (id) {
        object_add_child(qdev_get_peripheral(), id, &dev->parent_obj);
    } else {
        Object *anon = object_get_container(qdev_get_machine(), "peripheral-anon");
        char *name = g_strdup_printf("device[%u]", peripheral_anon_count++);
        object_add_child(anon, name, &dev->parent_obj);
        g_free(name);
    }
    if (!qdev_realize(dev, bus, errp)) {
        object_unparent(&dev->parent_obj);
        object_unref(&dev->parent_obj);
        return NULL;
    }
    object_unref(&dev->parent_obj);     /* the bus and the tree keep it */
    return dev;
}

/* ---- -device help ----------------------------------------------------------- */

/* QEMU's order; other categories follow by name, then the uncategorized. */
static const char *const category_order[] = {
    "Controller/Bridge/Hub", "USB", "Storage", "Network", "Input",
    "Display", "Sound", "Misc", "CPU", "Watchdog",
};

static int category_rank(const char *cat)
{
    if (!cat) {
        return G_N_ELEMENTS(category_order) + 1;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(category_order); i++) {
        if (!strcmp(cat, category_order[i])) {
            return i;
        }
    }
    return G_N_ELEMENTS(category_order);
}

static gint device_class_compare(gconstpointer a, gconstpointer b)
{
    const char *ca = DEVICE_CLASS((ObjectClass *)a)->category;
    const char *cb = DEVICE_CLASS((ObjectClass *)b)->category;
    int ra = category_rank(ca), rb = category_rank(cb);
    if (ra != rb) {
        return ra - rb;
    }
    int c = (ca && cb) ? strcmp(ca, cb) : 0;
    return c ? c : strcmp(object_class_get_name(a), object_class_get_name(b));
}

void qdev_print_device_list(GString *out)
{
    GSList *list = object_class_get_list(TYPE_DEVICE, false);
    list = g_slist_sort(list, device_class_compare);
    const char *cur = NULL;
    bool first = true;
    for (GSList *l = list; l; l = l->next) {
        DeviceClass *dc = DEVICE_CLASS(l->data);
        if (!dc->user_creatable) {
            continue;
        }
        const char *cat = dc->category ? dc->category : "Uncategorized";
        if (first || strcmp(cat, cur)) {
            g_string_append_printf(out, "%s%s devices:\n", first ? "" : "\n", cat);
            cur = cat;
            first = false;
        }
        g_string_append_printf(out, "name \"%s\", bus %s", object_class_get_name(l->data),
                               device_bus_type(dc));
        const char *desc = object_class_get_desc(l->data);
        if (desc) {
            g_string_append_printf(out, ", desc \"%s\"", desc);
        }
        g_string_append_c(out, '\n');
    }
    g_slist_free(list);
}

static void collect_prop_cb(const Property *prop, void *opaque)
{
    g_ptr_array_add(opaque, (gpointer)prop);
}

static gint prop_compare(gconstpointer a, gconstpointer b)
{
    const Property *pa = *(const Property *const *)a;
    const Property *pb = *(const Property *const *)b;
    return strcmp(pa->name, pb->name);
}

/* The default as -device foo,help shows it, or NULL if there is none. */
static char *prop_default_str(const Property *prop)
{
    const PropertyInfo *info = prop->info;
    if (info == &prop_info_bool) {
        return g_strdup(prop->defval.u ? "true" : "false");
    }
    if (info == &prop_info_uint8 || info == &prop_info_uint16 || info == &prop_info_uint32 ||
        info == &prop_info_uint64 || info == &prop_info_size) {
        return g_strdup_printf("%" PRIu64, prop->defval.u);
    }
    if (info == &prop_info_int32 || info == &prop_info_int64) {
        return g_strdup_printf("%" PRId64, prop->defval.i);
    }
    if (info == &prop_info_string && prop->defval.s) {
        return g_strdup_printf("\"%s\"", prop->defval.s);
    }
    return NULL;
}

bool qdev_print_device_props(GString *out, const char *driver, Error **errp)
{
    DeviceClass *dc = qdev_find_driver(driver, errp);
    if (!dc) {
        return false;
    }
    GPtrArray *props = g_ptr_array_new();
    object_class_foreach_prop(&dc->parent_class, collect_prop_cb, props);
    g_ptr_array_sort(props, prop_compare);
    if (props->len == 0) {
        g_string_append_printf(out, "There are no options for %s.\n", driver);
    } else {
        g_string_append_printf(out, "%s options:\n", driver);
    }
    for (guint i = 0; i < props->len; i++) {
        const Property *prop = g_ptr_array_index(props, i);
        GString *line = g_string_new(NULL);
        if (prop->info == &prop_info_link && prop->link_type) {
            g_string_append_printf(line, "  %s=<link<%s>>", prop->name, prop->link_type);
        } else {
            g_string_append_printf(line, "  %s=<%s>", prop->name, prop->info->type_name);
        }
        char *def = prop_default_str(prop);
        if (prop->desc || def) {
            if (line->len < 24) {
                g_string_append_printf(line, "%*s", (int)(24 - line->len), "");
            }
            g_string_append_printf(line, " - %s", prop->desc ? prop->desc : "");
        }
        if (def) {
            g_string_append_printf(line, " (default: %s)", def);
        }
        g_string_append_printf(out, "%s\n", line->str);
        g_free(def);
        g_string_free(line, true);
    }
    g_ptr_array_free(props, true);
    return true;
}

/* ---- info qtree ------------------------------------------------------------- */

static void qdev_print_prop(GString *out, DeviceState *dev, const Property *prop, int indent)
{
    const PropertyInfo *info = prop->info;
    char *val = info->get(&dev->parent_obj, prop);
    g_string_append_printf(out, "%*s%s = ", indent, "", prop->name);
    if (info == &prop_info_uint8 || info == &prop_info_uint16 ||
        info == &prop_info_uint32 || info == &prop_info_uint64) {
        uint64_t v = g_ascii_strtoull(val, NULL, 10);
        g_string_append_printf(out, "%" PRIu64 " (0x%" PRIx64 ")", v, v);
    } else if (info == &prop_info_int32 || info == &prop_info_int64) {
        int64_t v = g_ascii_strtoll(val, NULL, 10);
        g_string_append_printf(out, "%" PRId64 " (0x%" PRIx64 ")", v, (uint64_t)v);
    } else if (info == &prop_info_size) {
        uint64_t v = g_ascii_strtoull(val, NULL, 10);
        char *human = size_to_str(v);
        g_string_append_printf(out, "%" PRIu64 " (%s)", v, human);
        g_free(human);
    } else if (info == &prop_info_string || info == &prop_info_link ||
               !strcmp(info->type_name, "str")) {
        g_string_append_printf(out, "\"%s\"", val);
    } else {
        g_string_append(out, val);     /* bool and other kinds print as they read */
    }
    g_string_append_c(out, '\n');
    g_free(val);
}

static void qbus_print(GString *out, BusState *bus, int indent);

static void qdev_print(GString *out, DeviceState *dev, int indent)
{
    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(&dev->parent_obj), dev->id ? dev->id : "");
    indent += 2;
    /* Like QEMU: the device's own class first, then its ancestors'. */
    for (ObjectClass *oc = object_get_class(&dev->parent_obj); oc;
         oc = object_class_get_parent(oc)) {
        for (const Property *p = oc->props; p && p->name; p++) {
            qdev_print_prop(out, dev, p, indent);
        }
    }
    if (dev->parent_bus) {
        BusClass *bc = BUS_GET_CLASS(dev->parent_bus);
        if (bc->print_dev) {
            bc->print_dev(out, dev, indent);
        }
    }
    for (guint i = 0; i < dev->child_buses->len; i++) {
        qbus_print(out, g_ptr_array_index(dev->child_buses, i), indent);
    }
}

static void qbus_print(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n", indent, "", bus->name);
    indent += 2;
    g_string_append_printf(out, "%*stype %s\n", indent, "", object_get_typename(&bus->parent_obj));
    for (guint i = 0; i < bus->children->len; i++) {
        qdev_print(out, g_ptr_array_index(bus->children, i), indent);
    }
}

void qdev_print_tree(GString *out)
{
    qbus_print(out, sysbus_get_default(), 0);
}

/* ---- Types ------------------------------------------------------------------- */

static const TypeInfo device_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(DeviceState),
    .class_size = sizeof(DeviceClass),
    .instance_init = device_instance_init,
    .instance_finalize = device_instance_finalize,
};

static const TypeInfo bus_info = {
    .name = TYPE_BUS,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .instance_size = sizeof(BusState),
    .class_size = sizeof(BusClass),
    .instance_init = bus_instance_init,
    .instance_finalize = bus_instance_finalize,
};

static const TypeInfo system_bus_info = {
    .name = TYPE_SYSTEM_BUS,
    .parent = TYPE_BUS,
};

void qdev_register_types(void)
{
    object_register_types();
    type_register(&device_info);
    type_register(&bus_info);
    type_register(&system_bus_info);
}
