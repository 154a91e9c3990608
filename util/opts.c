#include "util/opts.h"
#include "util/cutils.h"

#include <string.h>

typedef struct OptsElem {
    char *key;
    char *value;        /* NULL for a flag */
    bool used;
} OptsElem;

struct Opts {
    GArray *elems;      /* OptsElem, in command-line order */
    bool help;
};

Opts *opts_new(void)
{
    Opts *opts = g_new0(Opts, 1);
    opts->elems = g_array_new(false, true, sizeof(OptsElem));
    return opts;
}

void opts_free(Opts *opts)
{
    if (!opts) {
        return;
    }
    for (guint i = 0; i < opts->elems->len; i++) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        g_free(e->key);
        g_free(e->value);
    }
    g_array_free(opts->elems, true);
    g_free(opts);
}

static void opts_append(Opts *opts, char *key, char *value)
{
    OptsElem e = { .key = key, .value = value };
    g_array_append_val(opts->elems, e);
}

void opts_set(Opts *opts, const char *key, const char *value)
{
    opts_append(opts, g_strdup(key), g_strdup(value));
}

/* Copy up to the next unescaped ',' or stop char; ",," becomes ','. */
static const char *scan_part(const char *p, char stop, GString *out)
{
    g_string_truncate(out, 0);
    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;
        } else if (*p == stop) {
            break;
        }
        g_string_append_c(out, *p++);
    }
    return p;
}

Opts *opts_parse(const char *str, const char *implied_key, Error **errp)
{
    Opts *opts = opts_new();
    g_autoptr(GString) key = g_string_new(NULL);
    g_autoptr(GString) val = g_string_new(NULL);
    const char *p = str;
    bool first = true;

    for (;;) {
        p = scan_part(p, '=', key);
        if (*p == '=') {
            p = scan_part(p + 1, 0, val);
            if (key->len == 0) {
                error_setg(errp, "Expected parameter before '='");
                goto fail;
            }
            opts_append(opts, g_strdup(key->str), g_strdup(val->str));
        } else if (!strcmp(key->str, "help") || !strcmp(key->str, "?")) {
            opts->help = true;
        } else if (first && implied_key) {
            opts_append(opts, g_strdup(implied_key), g_strdup(key->str));
        } else if (key->len == 0) {
            if (*p == ',' || !first) {
                error_setg(errp, "Empty parameter name in '%s'", str);
                goto fail;
            }
        } else {
            opts_append(opts, g_strdup(key->str), NULL);
        }
        first = false;
        if (*p != ',') {
            break;
        }
        p++;
        if (!*p) {
            break;      /* a trailing comma is harmless, as in QEMU */
        }
    }
    return opts;

fail:
    opts_free(opts);
    return NULL;
}

bool opts_help_requested(const Opts *opts)
{
    return opts->help;
}

static OptsElem *opts_find(const Opts *opts, const char *key)
{
    for (guint i = opts->elems->len; i-- > 0;) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        if (!strcmp(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

bool opts_has(const Opts *opts, const char *key)
{
    return opts_find(opts, key) != NULL;
}

void opts_mark_used(Opts *opts, const char *key)
{
    for (guint i = 0; i < opts->elems->len; i++) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        if (!strcmp(e->key, key)) {
            e->used = true;
        }
    }
}

const char *opts_get(Opts *opts, const char *key)
{
    OptsElem *e = opts_find(opts, key);
    if (!e) {
        return NULL;
    }
    opts_mark_used(opts, key);
    return e->value ? e->value : "on";
}

const char *opts_get_default(Opts *opts, const char *key, const char *def)
{
    const char *v = opts_get(opts, key);
    return v ? v : def;
}

bool opts_get_bool(Opts *opts, const char *key, bool def, bool *out, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

bool opts_get_uint(Opts *opts, const char *key, uint64_t def, uint64_t *out, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_uint64(v, out)) {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return false;
    }
    return true;
}

bool opts_get_size(Opts *opts, const char *key, uint64_t def, uint64_t *out, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_size(v, 1, out)) {
        error_setg(errp, "Parameter '%s' expects a size (optional suffix k, M, G, T, P or E)", key);
        return false;
    }
    return true;
}

bool opts_check_unused(const Opts *opts, Error **errp)
{
    for (guint i = 0; i < opts->elems->len; i++) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        if (!e->used) {
            error_setg(errp, "Invalid parameter '%s'", e->key);
            return false;
        }
    }
    return true;
}

bool opts_foreach(Opts *opts, OptsIter *fn, void *opaque, Error **errp)
{
    for (guint i = 0; i < opts->elems->len; i++) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        e->used = true;
        if (!fn(opaque, e->key, e->value ? e->value : "on", errp)) {
            return false;
        }
    }
    return true;
}

static void append_escaped(GString *out, const char *s)
{
    for (; *s; s++) {
        if (*s == ',') {
            g_string_append_c(out, ',');
        }
        g_string_append_c(out, *s);
    }
}

char *opts_to_string(const Opts *opts)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < opts->elems->len; i++) {
        OptsElem *e = &g_array_index(opts->elems, OptsElem, i);
        if (i) {
            g_string_append_c(out, ',');
        }
        append_escaped(out, e->key);
        if (e->value) {
            g_string_append_c(out, '=');
            append_escaped(out, e->value);
        }
    }
    return g_string_free(out, false);
}
