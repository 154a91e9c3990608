/*
 * The object model: named types with single inheritance, a class struct per
 * type (filled by class_init, inherited by copying the parent's), instances
 * with reference counts, a tree of children (/machine/...), and typed
 * properties declared as data tables on the class.
 *
 * Types are registered explicitly: each subsystem has a *_register_types()
 * function that main() (and the tests) call in a readable order.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "util/error.h"

typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct TypeImpl TypeImpl;
typedef struct Property Property;

#define TYPE_OBJECT "object"

typedef struct TypeInfo {
    const char *name;
    const char *parent;         /* NULL only for TYPE_OBJECT */
    size_t instance_size;       /* 0: same as the parent's */
    size_t class_size;          /* 0: same as the parent's */
    bool abstract;
    const char *desc;           /* one line, shown by -device help */
    void (*class_init)(ObjectClass *klass, const void *data);
    const void *class_data;
    void (*instance_init)(Object *obj);         /* runs parent first */
    void (*instance_finalize)(Object *obj);     /* runs child first */
} TypeInfo;

struct ObjectClass {
    TypeImpl *type;
    const Property *props;      /* this class's own properties (NULL-name ended) */
};

struct Object {
    ObjectClass *klass;
    unsigned ref;
    Object *parent;             /* in the composition tree, or NULL */
    char *name;                 /* name under the parent */
    GPtrArray *children;        /* Object *, owned (one reference each) */
};

/* Register a type; the name must be new and the parent registered before. */
void type_register(const TypeInfo *info);

ObjectClass *object_class_by_name(const char *typename);
const char *object_class_get_name(const ObjectClass *klass);
ObjectClass *object_class_get_parent(const ObjectClass *klass);
bool object_class_is_abstract(const ObjectClass *klass);
const char *object_class_get_desc(const ObjectClass *klass);
/* klass if it is typename or derives from it, else NULL. */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename);
/* Every class deriving from typename, sorted by name (g_slist_free the list). */
GSList *object_class_get_list(const char *typename, bool include_abstract);

/* Class checked against typename: abort on a programming error. */
ObjectClass *object_class_check(ObjectClass *klass, const char *typename);

/* A new instance with one reference; properties at their defaults and -global values. */
Object *object_new(const char *typename);
Object *object_ref(Object *obj);
void object_unref(Object *obj);
const char *object_get_typename(const Object *obj);
/* obj if it is (derived from) typename, else NULL. */
Object *object_dynamic_cast(Object *obj, const char *typename);
/* Checked cast: abort on a programming error. */
Object *object_check(Object *obj, const char *typename);
static inline ObjectClass *object_get_class(const Object *obj)
{
    return obj->klass;
}

/* Composition tree.  The parent takes a reference on the child. */
void object_add_child(Object *parent, const char *name, Object *child);
/* Remove from the parent (dropping the parent's reference). */
void object_unparent(Object *obj);
Object *object_get_child(Object *parent, const char *name);
/* "/machine/peripheral/disk0"; a path without '/' is looked up as a device id. */
Object *object_resolve_path(const char *path);
/* The full path of obj ("/machine/unattached/device[3]"); g_free it. */
char *object_get_path(const Object *obj);
/* The root object ("/"), created on first use. */
Object *object_get_root(void);
/* A child container of parent, created on first use ("machine", "peripheral"...). */
Object *object_get_container(Object *parent, const char *name);

/* ---- Properties ----------------------------------------------------------- */

/* How a kind of property parses, prints and defaults its field. */
typedef struct PropertyInfo {
    const char *type_name;      /* "bool", "uint32", "size", "str", "link"... */
    bool (*set)(Object *obj, const Property *prop, const char *value, Error **errp);
    char *(*get)(Object *obj, const Property *prop);    /* g_free the result */
    void (*set_default)(Object *obj, const Property *prop);
    void (*release)(Object *obj, const Property *prop); /* free owned data */
} PropertyInfo;

struct Property {
    const char *name;
    const PropertyInfo *info;
    size_t offset;              /* of the field in the instance struct */
    union {
        int64_t i;
        uint64_t u;
        const char *s;
    } defval;
    const char *link_type;      /* PROP_LINK: the type the target must have */
    const char *desc;
};

extern const PropertyInfo prop_info_bool;
extern const PropertyInfo prop_info_uint8;
extern const PropertyInfo prop_info_uint16;
extern const PropertyInfo prop_info_uint32;
extern const PropertyInfo prop_info_uint64;
extern const PropertyInfo prop_info_int32;
extern const PropertyInfo prop_info_int64;
extern const PropertyInfo prop_info_size;
extern const PropertyInfo prop_info_string;
extern const PropertyInfo prop_info_link;

/* Initializers for Property tables (data, not code). */
#define PROP_BOOL(n, st, f, d) \
    { .name = (n), .info = &prop_info_bool, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_UINT8(n, st, f, d) \
    { .name = (n), .info = &prop_info_uint8, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_UINT16(n, st, f, d) \
    { .name = (n), .info = &prop_info_uint16, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_UINT32(n, st, f, d) \
    { .name = (n), .info = &prop_info_uint32, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_UINT64(n, st, f, d) \
    { .name = (n), .info = &prop_info_uint64, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_INT32(n, st, f, d) \
    { .name = (n), .info = &prop_info_int32, .offset = offsetof(st, f), .defval.i = (d) }
#define PROP_INT64(n, st, f, d) \
    { .name = (n), .info = &prop_info_int64, .offset = offsetof(st, f), .defval.i = (d) }
#define PROP_SIZE(n, st, f, d) \
    { .name = (n), .info = &prop_info_size, .offset = offsetof(st, f), .defval.u = (d) }
#define PROP_STRING(n, st, f) \
    { .name = (n), .info = &prop_info_string, .offset = offsetof(st, f) }
#define PROP_LINK(n, st, f, type) \
    { .name = (n), .info = &prop_info_link, .offset = offsetof(st, f), .link_type = (type) }
#define PROP_END { .name = NULL }

/* Set the class's own property table (call from class_init). */
void object_class_set_props(ObjectClass *klass, const Property *props);
/* Find a property on the class or its ancestors. */
const Property *object_class_find_prop(ObjectClass *klass, const char *name);
/* Call fn for every property of the class and its ancestors, parent's first. */
void object_class_foreach_prop(ObjectClass *klass,
                               void (*fn)(const Property *prop, void *opaque), void *opaque);

/* Set from text; error "Property 'type.name' not found" or the parse error. */
bool object_prop_set_str(Object *obj, const char *name, const char *value, Error **errp);
/* Text form of the value, or NULL if there is no such property; g_free it. */
char *object_prop_get_str(Object *obj, const char *name);

/*
 * -global driver.prop=value: applied by object_new() to instances of driver
 * and of types deriving from it, after the defaults.  An error applying one
 * makes object_new() report it and keep the default.
 */
void object_register_global_prop(const char *driver, const char *prop, const char *value);
/* Error for the first -global whose driver or property does not exist. */
bool object_check_global_props(Error **errp);

/* Register TYPE_OBJECT and the container type. */
void object_register_types(void);

#endif
