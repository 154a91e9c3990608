/*
 * Property kinds: how each parses text into its field, prints it back and
 * sets its default.  Every value from the command line is range-checked
 * here, where it enters; a failed set leaves the field unchanged.
 */
#include "qom/object.h"
#include "util/cutils.h"

#include <inttypes.h>

static void *prop_field(Object *obj, const Property *prop)
{
    return (char *)obj + prop->offset;
}

/* ---- bool ------------------------------------------------------------------ */

static bool prop_bool_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    bool v;
    if (!parse_bool(value, &v)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", prop->name);
        return false;
    }
    *(bool *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_bool_get(Object *obj, const Property *prop)
{
    return g_strdup(*(bool *)prop_field(obj, prop) ? "true" : "false");
}

static void prop_bool_set_default(Object *obj, const Property *prop)
{
    *(bool *)prop_field(obj, prop) = prop->defval.u != 0;
}

const PropertyInfo prop_info_bool = {
    .type_name = "bool",
    .set = prop_bool_set,
    .get = prop_bool_get,
    .set_default = prop_bool_set_default,
};

/* ---- integers --------------------------------------------------------------- */

static bool prop_parse_unsigned(Object *obj, const Property *prop, const char *value,
                                uint64_t max, uint64_t *out, Error **errp)
{
    uint64_t v;
    int64_t neg;
    if (parse_uint64(value, &v)) {
        if (v <= max) {
            *out = v;
            return true;
        }
    } else if (!parse_int64(value, &neg)) {
        error_setg(errp, "Parameter '%s' expects %s", prop->name, prop->info->type_name);
        return false;
    }
    error_setg(errp, "Property '%s.%s' doesn't take value '%s' (range 0..%" PRIu64 ")",
               object_get_typename(obj), prop->name, value, max);
    return false;
}

static bool prop_parse_signed(Object *obj, const Property *prop, const char *value,
                              int64_t min, int64_t max, int64_t *out, Error **errp)
{
    int64_t v;
    uint64_t big;
    if (parse_int64(value, &v)) {
        if (v >= min && v <= max) {
            *out = v;
            return true;
        }
    } else if (!parse_uint64(value, &big)) {
        error_setg(errp, "Parameter '%s' expects %s", prop->name, prop->info->type_name);
        return false;
    }
    error_setg(errp, "Property '%s.%s' doesn't take value '%s' (range %" PRId64 "..%" PRId64 ")",
               object_get_typename(obj), prop->name, value, min, max);
    return false;
}

static bool prop_uint8_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    uint64_t v;
    if (!prop_parse_unsigned(obj, prop, value, UINT8_MAX, &v, errp)) {
        return false;
    }
    *(uint8_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_uint8_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%u", *(uint8_t *)prop_field(obj, prop));
}

static void prop_uint8_set_default(Object *obj, const Property *prop)
{
    *(uint8_t *)prop_field(obj, prop) = prop->defval.u;
}

const PropertyInfo prop_info_uint8 = {
    .type_name = "uint8",
    .set = prop_uint8_set,
    .get = prop_uint8_get,
    .set_default = prop_uint8_set_default,
};

static bool prop_uint16_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    uint64_t v;
    if (!prop_parse_unsigned(obj, prop, value, UINT16_MAX, &v, errp)) {
        return false;
    }
    *(uint16_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_uint16_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%u", *(uint16_t *)prop_field(obj, prop));
}

static void prop_uint16_set_default(Object *obj, const Property *prop)
{
    *(uint16_t *)prop_field(obj, prop) = prop->defval.u;
}

const PropertyInfo prop_info_uint16 = {
    .type_name = "uint16",
    .set = prop_uint16_set,
    .get = prop_uint16_get,
    .set_default = prop_uint16_set_default,
};

static bool prop_uint32_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    uint64_t v;
    if (!prop_parse_unsigned(obj, prop, value, UINT32_MAX, &v, errp)) {
        return false;
    }
    *(uint32_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_uint32_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%" PRIu32, *(uint32_t *)prop_field(obj, prop));
}

static void prop_uint32_set_default(Object *obj, const Property *prop)
{
    *(uint32_t *)prop_field(obj, prop) = prop->defval.u;
}

const PropertyInfo prop_info_uint32 = {
    .type_name = "uint32",
    .set = prop_uint32_set,
    .get = prop_uint32_get,
    .set_default = prop_uint32_set_default,
};

static bool prop_uint64_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    uint64_t v;
    if (!prop_parse_unsigned(obj, prop, value, UINT64_MAX, &v, errp)) {
        return false;
    }
    *(uint64_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_uint64_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%" PRIu64, *(uint64_t *)prop_field(obj, prop));
}

static void prop_uint64_set_default(Object *obj, const Property *prop)
{
    *(uint64_t *)prop_field(obj, prop) = prop->defval.u;
}

const PropertyInfo prop_info_uint64 = {
    .type_name = "uint64",
    .set = prop_uint64_set,
    .get = prop_uint64_get,
    .set_default = prop_uint64_set_default,
};

static bool prop_int32_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    int64_t v;
    if (!prop_parse_signed(obj, prop, value, INT32_MIN, INT32_MAX, &v, errp)) {
        return false;
    }
    *(int32_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_int32_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%" PRId32, *(int32_t *)prop_field(obj, prop));
}

static void prop_int32_set_default(Object *obj, const Property *prop)
{
    *(int32_t *)prop_field(obj, prop) = prop->defval.i;
}

const PropertyInfo prop_info_int32 = {
    .type_name = "int32",
    .set = prop_int32_set,
    .get = prop_int32_get,
    .set_default = prop_int32_set_default,
};

static bool prop_int64_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    int64_t v;
    if (!prop_parse_signed(obj, prop, value, INT64_MIN, INT64_MAX, &v, errp)) {
        return false;
    }
    *(int64_t *)prop_field(obj, prop) = v;
    return true;
}

static char *prop_int64_get(Object *obj, const Property *prop)
{
    return g_strdup_printf("%" PRId64, *(int64_t *)prop_field(obj, prop));
}

static void prop_int64_set_default(Object *obj, const Property *prop)
{
    *(int64_t *)prop_field(obj, prop) = prop->defval.i;
}

const PropertyInfo prop_info_int64 = {
    .type_name = "int64",
    .set = prop_int64_set,
    .get = prop_int64_get,
    .set_default = prop_int64_set_default,
};

/* ---- size (uint64_t field, "64M" accepted) -------------------------------- */

static bool prop_size_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    uint64_t v;
    if (!parse_size(value, 1, &v)) {
        error_setg(errp, "Parameter '%s' expects a size (optional suffix k, M, G, T, P or E)",
                   prop->name);
        return false;
    }
    *(uint64_t *)prop_field(obj, prop) = v;
    return true;
}

const PropertyInfo prop_info_size = {
    .type_name = "size",
    .set = prop_size_set,
    .get = prop_uint64_get,
    .set_default = prop_uint64_set_default,
};

/* ---- string (char * field, owned) ------------------------------------------ */

static bool prop_string_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    char **field = prop_field(obj, prop);
    g_free(*field);
    *field = g_strdup(value);
    return true;
}

static char *prop_string_get(Object *obj, const Property *prop)
{
    char *s = *(char **)prop_field(obj, prop);
    return g_strdup(s ? s : "");
}

static void prop_string_set_default(Object *obj, const Property *prop)
{
    *(char **)prop_field(obj, prop) = g_strdup(prop->defval.s);
}

static void prop_string_release(Object *obj, const Property *prop)
{
    char **field = prop_field(obj, prop);
    g_free(*field);
    *field = NULL;
}

const PropertyInfo prop_info_string = {
    .type_name = "str",
    .set = prop_string_set,
    .get = prop_string_get,
    .set_default = prop_string_set_default,
    .release = prop_string_release,
};

/* ---- link (Object * field holding a reference) ----------------------------- */

static bool prop_link_set(Object *obj, const Property *prop, const char *value, Error **errp)
{
    Object **field = prop_field(obj, prop);
    Object *target = NULL;
    if (*value) {
        target = object_resolve_path(value);
        if (!target) {
            error_setg(errp, "Device '%s' not found", value);
            return false;
        }
        if (prop->link_type && !object_dynamic_cast(target, prop->link_type)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       prop->name, prop->link_type);
            return false;
        }
    }
    Object *old = *field;
    *field = object_ref(target);
    object_unref(old);
    return true;
}

static char *prop_link_get(Object *obj, const Property *prop)
{
    Object *target = *(Object **)prop_field(obj, prop);
    return target ? object_get_path(target) : g_strdup("");
}

static void prop_link_release(Object *obj, const Property *prop)
{
    Object **field = prop_field(obj, prop);
    Object *old = *field;
    *field = NULL;
    object_unref(old);
}

const PropertyInfo prop_info_link = {
    .type_name = "link",
    .set = prop_link_set,
    .get = prop_link_get,
    .release = prop_link_release,
};
