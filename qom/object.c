/*
 * The object model: type registry, lazily built classes, instances with
 * reference counts, the composition tree and -global properties.
 * The property kinds themselves live in props.c.
 */
#include "qom/object.h"

#include <string.h>

#define TYPE_CONTAINER "container"

struct TypeImpl {
    TypeInfo info;              /* copy of what was registered */
    const TypeInfo *source;     /* the caller's struct, to make re-registration harmless */
    TypeImpl *parent;
    size_t instance_size;
    size_t class_size;
    ObjectClass *klass;         /* built on first use */
};

typedef struct GlobalProp {
    char *driver;
    char *prop;
    char *value;
} GlobalProp;

static GHashTable *type_table;          /* name -> TypeImpl * */
static GPtrArray *global_props;         /* GlobalProp *, in registration order */
static Object *root_object;

/* ---- Types and classes ---------------------------------------------------- */

static TypeImpl *type_lookup(const char *name)
{
    if (!type_table || !name) {
        return NULL;
    }
    return g_hash_table_lookup(type_table, name);
}

void type_register(const TypeInfo *info)
{
    g_assert(info && info->name);
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    /* Types deriving from the root need it, whatever order callers use. */
    if (info->parent && !type_lookup(TYPE_OBJECT)) {
        object_register_types();
    }

    TypeImpl *old = type_lookup(info->name);
    if (old) {
        if (old->source == info) {
            return;             /* a second *_register_types() call */
        }
        g_error("type '%s' registered twice", info->name);
    }

    TypeImpl *parent = NULL;
    if (info->parent) {
        parent = type_lookup(info->parent);
        if (!parent) {
            g_error("type '%s': parent '%s' is not registered", info->name, info->parent);
        }
    }

    TypeImpl *ti = g_new0(TypeImpl, 1);
    ti->info = *info;
    ti->info.name = g_strdup(info->name);
    ti->source = info;
    ti->parent = parent;
    ti->instance_size = info->instance_size ? info->instance_size
                        : parent ? parent->instance_size : sizeof(Object);
    ti->class_size = info->class_size ? info->class_size
                     : parent ? parent->class_size : sizeof(ObjectClass);
    if (parent) {
        g_assert(ti->instance_size >= parent->instance_size);
        g_assert(ti->class_size >= parent->class_size);
    }
    g_hash_table_insert(type_table, (char *)ti->info.name, ti);
}

/* Build the class: a copy of the parent's, then this type's class_init. */
static ObjectClass *type_get_class(TypeImpl *ti)
{
    if (ti->klass) {
        return ti->klass;
    }
    ObjectClass *klass = g_malloc0(ti->class_size);
    if (ti->parent) {
        ObjectClass *pk = type_get_class(ti->parent);
        memcpy(klass, pk, ti->parent->class_size);
    }
    klass->type = ti;
    klass->props = NULL;        /* props is per class, never inherited by copy */
    ti->klass = klass;
    if (ti->info.class_init) {
        ti->info.class_init(klass, ti->info.class_data);
    }
    return klass;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);
    return ti ? type_get_class(ti) : NULL;
}

const char *object_class_get_name(const ObjectClass *klass)
{
    return klass->type->info.name;
}

ObjectClass *object_class_get_parent(const ObjectClass *klass)
{
    TypeImpl *parent = klass->type->parent;
    return parent ? type_get_class(parent) : NULL;
}

bool object_class_is_abstract(const ObjectClass *klass)
{
    return klass->type->info.abstract;
}

const char *object_class_get_desc(const ObjectClass *klass)
{
    return klass->type->info.desc;
}

static bool type_is_a(const TypeImpl *ti, const TypeImpl *target)
{
    for (; ti; ti = ti->parent) {
        if (ti == target) {
            return true;
        }
    }
    return false;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    if (!klass) {
        return NULL;
    }
    TypeImpl *target = type_lookup(typename);
    return target && type_is_a(klass->type, target) ? klass : NULL;
}

static gint class_compare_by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name(a), object_class_get_name(b));
}

GSList *object_class_get_list(const char *typename, bool include_abstract)
{
    TypeImpl *target = type_lookup(typename);
    GSList *list = NULL;
    if (!target) {
        return NULL;
    }
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, type_table);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        TypeImpl *ti = value;
        if (!type_is_a(ti, target) || (ti->info.abstract && !include_abstract)) {
            continue;
        }
        list = g_slist_prepend(list, type_get_class(ti));
    }
    return g_slist_sort(list, class_compare_by_name);
}

ObjectClass *object_class_check(ObjectClass *klass, const char *typename)
{
    if (!klass) {
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, typename)) {
        g_error("class '%s' is not a '%s'", object_class_get_name(klass), typename);
    }
    return klass;
}

/* ---- Instances ------------------------------------------------------------ */

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->parent) {
        object_init_with_type(obj, ti->parent);
    }
    if (ti->info.instance_init) {
        ti->info.instance_init(obj);
    }
}

static void prop_set_default_cb(const Property *prop, void *opaque)
{
    if (prop->info->set_default) {
        prop->info->set_default(opaque, prop);
    }
}

static void prop_release_cb(const Property *prop, void *opaque)
{
    if (prop->info->release) {
        prop->info->release(opaque, prop);
    }
}

static void object_apply_global_props(Object *obj)
{
    if (!global_props) {
        return;
    }
    for (guint i = 0; i < global_props->len; i++) {
        GlobalProp *g = g_ptr_array_index(global_props, i);
        if (!object_class_dynamic_cast(obj->klass, g->driver)) {
            continue;
        }
        Error *err = NULL;
        if (!object_prop_set_str(obj, g->prop, g->value, &err)) {
            error_prepend(&err, "-global %s.%s=%s: ", g->driver, g->prop, g->value);
            error_report_err(err);
        }
    }
}

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);
    if (!ti) {
        g_error("object_new: unknown type '%s'", typename);
    }
    if (ti->info.abstract) {
        g_error("object_new: type '%s' is abstract", typename);
    }
    ObjectClass *klass = type_get_class(ti);
    Object *obj = g_malloc0(ti->instance_size);
    obj->klass = klass;
    obj->ref = 1;
    obj->children = g_ptr_array_new();
    /* Defaults first so instance_init may rely on (or override) them. */
    object_class_foreach_prop(klass, prop_set_default_cb, obj);
    object_init_with_type(obj, ti);
    object_apply_global_props(obj);
    return obj;
}

Object *object_ref(Object *obj)
{
    if (obj) {
        g_assert(obj->ref > 0);
        obj->ref++;
    }
    return obj;
}

static void object_finalize(Object *obj)
{
    /* Children go first, while this object's own state is still intact. */
    while (obj->children->len) {
        object_unparent(g_ptr_array_index(obj->children, obj->children->len - 1));
    }
    for (TypeImpl *ti = obj->klass->type; ti; ti = ti->parent) {
        if (ti->info.instance_finalize) {
            ti->info.instance_finalize(obj);
        }
    }
    object_class_foreach_prop(obj->klass, prop_release_cb, obj);
    g_ptr_array_free(obj->children, true);
    g_free(obj->name);
    g_free(obj);
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (--obj->ref == 0) {
        g_assert(obj->parent == NULL);
        object_finalize(obj);
    }
}

const char *object_get_typename(const Object *obj)
{
    return object_class_get_name(obj->klass);
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    return obj && object_class_dynamic_cast(obj->klass, typename) ? obj : NULL;
}

Object *object_check(Object *obj, const char *typename)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        g_error("object of type '%s' is not a '%s'", object_get_typename(obj), typename);
    }
    return obj;
}

/* ---- Composition tree ----------------------------------------------------- */

Object *object_get_child(Object *parent, const char *name)
{
    for (guint i = 0; i < parent->children->len; i++) {
        Object *child = g_ptr_array_index(parent->children, i);
        if (!strcmp(child->name, name)) {
            return child;
        }
    }
    return NULL;
}

void object_add_child(Object *parent, const char *name, Object *child)
{
    g_assert(parent && name && child);
    if (child->parent) {
        g_error("object_add_child: '%s' already has a parent", name);
    }
    if (object_get_child(parent, name)) {
        g_error("object_add_child: duplicate child name '%s'", name);
    }
    child->name = g_strdup(name);
    child->parent = parent;
    object_ref(child);
    g_ptr_array_add(parent->children, child);
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;
    if (!parent) {
        return;
    }
    g_ptr_array_remove(parent->children, obj);
    obj->parent = NULL;
    g_free(obj->name);
    obj->name = NULL;
    object_unref(obj);
}

Object *object_get_root(void)
{
    if (!root_object) {
        object_register_types();
        root_object = object_new(TYPE_CONTAINER);
    }
    return root_object;
}

Object *object_get_container(Object *parent, const char *name)
{
    Object *child = object_get_child(parent, name);
    if (!child) {
        child = object_new(TYPE_CONTAINER);
        object_add_child(parent, name, child);
        object_unref(child);
    }
    return child;
}

char *object_get_path(const Object *obj)
{
    if (obj == root_object) {
        return g_strdup("/");
    }
    GString *path = g_string_new(NULL);
    const Object *o = obj;
    for (; o->parent; o = o->parent) {
        g_string_prepend(path, o->name);
        g_string_prepend_c(path, '/');
    }
    if (o != root_object) {
        g_string_truncate(path, 0);     /* not in the tree: no path */
    }
    return g_string_free(path, false);
}

/* Does the tail of obj's path equal parts[0..n)? */
static bool object_path_ends_with(const Object *obj, char **parts, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (!obj || !obj->name || strcmp(obj->name, parts[i])) {
            return false;
        }
        obj = obj->parent;
    }
    return true;
}

static void object_find_partial(Object *obj, char **parts, int n, Object **found, int *count)
{
    if (object_path_ends_with(obj, parts, n)) {
        *found = obj;
        (*count)++;
    }
    for (guint i = 0; i < obj->children->len; i++) {
        object_find_partial(g_ptr_array_index(obj->children, i), parts, n, found, count);
    }
}

Object *object_resolve_path(const char *path)
{
    if (!path || !*path) {
        return NULL;
    }
    Object *root = object_get_root();
    if (path[0] == '/') {
        g_auto(GStrv) parts = g_strsplit(path, "/", -1);
        Object *obj = root;
        for (int i = 0; parts[i] && obj; i++) {
            if (*parts[i]) {
                obj = object_get_child(obj, parts[i]);
            }
        }
        return obj;
    }

    /* A bare name is a device id first (/machine/peripheral/<id>). */
    if (!strchr(path, '/')) {
        Object *machine = object_get_child(root, "machine");
        Object *periph = machine ? object_get_child(machine, "peripheral") : NULL;
        Object *dev = periph ? object_get_child(periph, path) : NULL;
        if (dev) {
            return dev;
        }
    }
    /* Otherwise a partial path that must match exactly one object. */
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    int n = g_strv_length(parts);
    for (int i = 0; i < n; i++) {
        if (!*parts[i]) {
            return NULL;
        }
    }
    Object *found = NULL;
    int count = 0;
    object_find_partial(root, parts, n, &found, &count);
    return count == 1 ? found : NULL;
}

/* ---- Properties ----------------------------------------------------------- */

void object_class_set_props(ObjectClass *klass, const Property *props)
{
    klass->props = props;
}

const Property *object_class_find_prop(ObjectClass *klass, const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        for (const Property *p = klass->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

void object_class_foreach_prop(ObjectClass *klass,
                               void (*fn)(const Property *prop, void *opaque), void *opaque)
{
    ObjectClass *parent = object_class_get_parent(klass);
    if (parent) {
        object_class_foreach_prop(parent, fn, opaque);
    }
    for (const Property *p = klass->props; p && p->name; p++) {
        fn(p, opaque);
    }
}

bool object_prop_set_str(Object *obj, const char *name, const char *value, Error **errp)
{
    const Property *prop = object_class_find_prop(obj->klass, name);
    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found", object_get_typename(obj), name);
        return false;
    }
    return prop->info->set(obj, prop, value, errp);
}

char *object_prop_get_str(Object *obj, const char *name)
{
    const Property *prop = object_class_find_prop(obj->klass, name);
    return prop ? prop->info->get(obj, prop) : NULL;
}

void object_register_global_prop(const char *driver, const char *prop, const char *value)
{
    if (!global_props) {
        global_props = g_ptr_array_new();
    }
    GlobalProp *g = g_new0(GlobalProp, 1);
    g->driver = g_strdup(driver);
    g->prop = g_strdup(prop);
    g->value = g_strdup(value);
    g_ptr_array_add(global_props, g);
}

bool object_check_global_props(Error **errp)
{
    if (!global_props) {
        return true;
    }
    for (guint i = 0; i < global_props->len; i++) {
        GlobalProp *g = g_ptr_array_index(global_props, i);
        ObjectClass *klass = object_class_by_name(g->driver);
        if (!klass) {
            error_setg(errp, "global %s.%s has invalid class name", g->driver, g->prop);
            return false;
        }
        if (!object_class_find_prop(klass, g->prop)) {
            error_setg(errp, "Property '%s.%s' not found", g->driver, g->prop);
            return false;
        }
    }
    return true;
}

/* ---- Base types ----------------------------------------------------------- */

static const TypeInfo object_info = {
    .name = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .class_size = sizeof(ObjectClass),
};

/* A plain node of the composition tree ("/machine/peripheral"). */
static const TypeInfo container_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
};

void object_register_types(void)
{
    if (type_lookup(TYPE_OBJECT)) {
        return;
    }
    type_register(&object_info);
    type_register(&container_info);
}
