/*
 * The HMP argument parser: turns the text after a command name into typed
 * values, following the command's args_type (the language is in hmp.h).
 * The text is untrusted: every read stops at the terminating NUL, and every
 * bad input ends in a one-line error, never an abort.
 */
#include "monitor/hmp.h"

#include <limits.h>
#include <string.h>
#include "util/cutils.h"

/* One element of args_type: "name:type[?]" or "name:-x[?]". */
typedef struct HmpArgSpec {
    char *name;
    char type;          /* 's', 'S', 'F', 'i', 'l', 'o', 'b', '-' */
    char flag;          /* the letter of a '-' flag */
    bool optional;
} HmpArgSpec;

typedef struct HmpArg {
    char *name;
    char type;
    bool present;
    char *str;          /* s, S, F */
    int64_t num;        /* i, l, o */
    bool on;            /* b, flags */
} HmpArg;

struct HmpArgs {
    GArray *args;       /* HmpArg */
};

static bool hmp_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static const char *hmp_skip_space(const char *p)
{
    while (hmp_is_space(*p)) {
        p++;
    }
    return p;
}

static bool hmp_type_valid(char t)
{
    return strchr("sSFilob", t) != NULL;
}

static void hmp_specs_free(GArray *specs)
{
    for (guint i = 0; i < specs->len; i++) {
        g_free(g_array_index(specs, HmpArgSpec, i).name);
    }
    g_array_free(specs, true);
}

/* Split args_type; a malformed table entry is reported, not asserted. */
static GArray *hmp_specs_parse(const char *args_type, Error **errp)
{
    GArray *specs = g_array_new(false, true, sizeof(HmpArgSpec));
    if (!args_type || !*args_type) {
        return specs;
    }
    g_auto(GStrv) parts = g_strsplit(args_type, ",", -1);
    for (int i = 0; parts[i]; i++) {
        const char *colon = strchr(parts[i], ':');
        HmpArgSpec spec = { 0 };
        if (!colon || colon == parts[i] || !colon[1]) {
            goto bad;
        }
        const char *t = colon + 1;
        spec.type = *t++;
        if (spec.type == '-') {
            if (!g_ascii_isalnum(*t)) {
                goto bad;
            }
            spec.flag = *t++;
            spec.optional = true;
        } else if (!hmp_type_valid(spec.type)) {
            goto bad;
        }
        if (*t == '?') {
            spec.optional = true;
            t++;
        }
        if (*t) {
            goto bad;
        }
        spec.name = g_strndup(parts[i], colon - parts[i]);
        g_array_append_val(specs, spec);
        continue;
bad:
        error_setg(errp, "internal error: bad argument type '%s'", parts[i]);
        hmp_specs_free(specs);
        return NULL;
    }
    return specs;
}

static HmpArg *hmp_args_add(HmpArgs *args, const HmpArgSpec *spec)
{
    HmpArg arg = { .name = g_strdup(spec->name), .type = spec->type };
    g_array_append_val(args->args, arg);
    return &g_array_index(args->args, HmpArg, args->args->len - 1);
}

/* A bare word: everything up to the next white space. */
static char *hmp_read_word(const char **pp)
{
    const char *start = *pp, *p = start;
    while (*p && !hmp_is_space(*p)) {
        p++;
    }
    *pp = p;
    return g_strndup(start, p - start);
}

/* A word, or a "quoted string" with backslash escapes. */
static char *hmp_read_string(const char **pp, const char *name, Error **errp)
{
    const char *p = *pp;
    if (*p != '"') {
        return hmp_read_word(pp);
    }
    GString *s = g_string_new(NULL);
    p++;
    for (;;) {
        char c = *p;
        if (!c) {
            error_setg(errp, "Parameter '%s': unterminated string", name);
            g_string_free(s, true);
            return NULL;
        }
        p++;
        if (c == '"') {
            break;
        }
        if (c == '\\') {
            c = *p;
            switch (c) {
            case '\\': case '"': case '\'':
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case '\0':
                error_setg(errp, "Parameter '%s': unterminated string", name);
                g_string_free(s, true);
                return NULL;
            default:
                error_setg(errp, "unsupported escape code: '\\%c'", c);
                g_string_free(s, true);
                return NULL;
            }
            p++;
        }
        g_string_append_c(s, c);
    }
    *pp = p;
    return g_string_free(s, false);
}

/*
 * Decimal, 0x hex or 0 octal, with an optional '-'.  Without a sign the
 * whole unsigned 64-bit range is taken (addresses), kept as its bit pattern.
 */
static bool hmp_parse_number(const char *word, int64_t *out)
{
    bool neg = *word == '-';
    uint64_t mag;
    if (!parse_uint64(word + neg, &mag)) {
        return false;
    }
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1) {
            return false;
        }
        *out = (int64_t)(0 - mag);
    } else {
        *out = (int64_t)mag;
    }
    return true;
}

/* Reject control characters: no command takes them and they garble output. */
static bool hmp_check_chars(const char *text, Error **errp)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p < 0x20 && !hmp_is_space((char)*p)) || *p == 0x7f) {
            error_setg(errp, "invalid control character 0x%02x in command line", *p);
            return false;
        }
    }
    return true;
}

/*
 * A run of flag specs matches "-x" words in any order.  Returns the index
 * of the first spec after the run; *pp moves past the flags found.
 */
static bool hmp_parse_flags(HmpArgs *args, GArray *specs, guint first, guint *next,
                            const char **pp, Error **errp)
{
    guint end = first;
    while (end < specs->len && g_array_index(specs, HmpArgSpec, end).type == '-') {
        hmp_args_add(args, &g_array_index(specs, HmpArgSpec, end));
        end++;
    }
    const char *p = *pp;
    for (;;) {
        p = hmp_skip_space(p);
        if (p[0] != '-' || !p[1] || hmp_is_space(p[1]) || (p[2] && !hmp_is_space(p[2]))) {
            break;      /* not a "-x" word: a negative number or the next argument */
        }
        guint i;
        for (i = first; i < end; i++) {
            if (g_array_index(specs, HmpArgSpec, i).flag == p[1]) {
                break;
            }
        }
        if (i == end) {
            if (g_ascii_isdigit(p[1])) {
                break;  /* "-5" */
            }
            if (g_ascii_isprint(p[1])) {
                error_setg(errp, "unsupported option -%c", p[1]);
            } else {
                error_setg(errp, "unsupported option");
            }
            return false;
        }
        HmpArg *arg = &g_array_index(args->args, HmpArg, args->args->len - (end - i));
        arg->present = true;
        arg->on = true;
        p += 2;
    }
    *pp = p;
    *next = end;
    return true;
}

static bool hmp_parse_one(HmpArg *arg, const HmpArgSpec *spec, const char **pp,
                          Error **errp)
{
    const char *p = *pp;
    g_autofree char *word = NULL;
    uint64_t size;

    switch (spec->type) {
    case 's':
    case 'F':
        arg->str = hmp_read_string(&p, spec->name, errp);
        if (!arg->str) {
            return false;
        }
        break;
    case 'S': {
        const char *end = p + strlen(p);
        while (end > p && hmp_is_space(end[-1])) {
            end--;
        }
        arg->str = g_strndup(p, end - p);
        p += strlen(p);
        break;
    }
    case 'i':
    case 'l':
        word = hmp_read_word(&p);
        if (!hmp_parse_number(word, &arg->num)) {
            error_setg(errp, "Parameter '%s' expects a number", spec->name);
            return false;
        }
        /* 32-bit values may be written signed or unsigned (0xffffffff). */
        if (spec->type == 'i' && (arg->num < INT32_MIN || arg->num > (int64_t)UINT32_MAX ||
                                  (*word != '-' && arg->num < 0))) {
            error_setg(errp, "Parameter '%s' expects a 32-bit integer", spec->name);
            return false;
        }
        break;
    case 'o':
        word = hmp_read_word(&p);
        if (!parse_size(word, 1, &size) || size > INT64_MAX) {
            error_setg(errp, "Parameter '%s' expects a size (a number with an optional "
                       "suffix k, M, G, T)", spec->name);
            return false;
        }
        arg->num = (int64_t)size;
        break;
    case 'b':
        word = hmp_read_word(&p);
        if (!parse_bool(word, &arg->on)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", spec->name);
            return false;
        }
        break;
    default:
        g_assert_not_reached();
    }
    arg->present = true;
    *pp = p;
    return true;
}

HmpArgs *hmp_parse_args(const HmpCommand *cmd, const char *text, Error **errp)
{
    if (!text) {
        text = "";
    }
    if (!hmp_check_chars(text, errp)) {
        return NULL;
    }
    GArray *specs = hmp_specs_parse(cmd->args_type, errp);
    if (!specs) {
        return NULL;
    }
    HmpArgs *args = g_new0(HmpArgs, 1);
    args->args = g_array_new(false, true, sizeof(HmpArg));
    const char *p = text;

    for (guint i = 0; i < specs->len;) {
        const HmpArgSpec *spec = &g_array_index(specs, HmpArgSpec, i);
        if (spec->type == '-') {
            if (!hmp_parse_flags(args, specs, i, &i, &p, errp)) {
                goto fail;
            }
            continue;
        }
        HmpArg *arg = hmp_args_add(args, spec);
        p = hmp_skip_space(p);
        i++;
        if (!*p) {
            if (spec->optional) {
                continue;
            }
            error_setg(errp, "Parameter '%s' is missing", spec->name);
            goto fail;
        }
        if (!hmp_parse_one(arg, spec, &p, errp)) {
            goto fail;
        }
    }
    p = hmp_skip_space(p);
    if (*p) {
        error_setg(errp, "extraneous characters at the end of line");
        goto fail;
    }
    hmp_specs_free(specs);
    return args;

fail:
    hmp_specs_free(specs);
    hmp_args_free(args);
    return NULL;
}

void hmp_args_free(HmpArgs *args)
{
    if (!args) {
        return;
    }
    for (guint i = 0; i < args->args->len; i++) {
        HmpArg *arg = &g_array_index(args->args, HmpArg, i);
        g_free(arg->name);
        g_free(arg->str);
    }
    g_array_free(args->args, true);
    g_free(args);
}

static const HmpArg *hmp_arg_find(const HmpArgs *args, const char *name)
{
    if (!args) {
        return NULL;
    }
    for (guint i = 0; i < args->args->len; i++) {
        const HmpArg *arg = &g_array_index(args->args, HmpArg, i);
        if (arg->present && !strcmp(arg->name, name)) {
            return arg;
        }
    }
    return NULL;
}

bool hmp_arg_has(const HmpArgs *args, const char *name)
{
    return hmp_arg_find(args, name) != NULL;
}

const char *hmp_arg_str(const HmpArgs *args, const char *name)
{
    const HmpArg *arg = hmp_arg_find(args, name);
    return arg ? arg->str : NULL;
}

int64_t hmp_arg_int(const HmpArgs *args, const char *name, int64_t def)
{
    const HmpArg *arg = hmp_arg_find(args, name);
    if (!arg || !strchr("ilo", arg->type)) {
        return def;
    }
    return arg->num;
}

bool hmp_arg_bool(const HmpArgs *args, const char *name, bool def)
{
    const HmpArg *arg = hmp_arg_find(args, name);
    if (!arg || (arg->type != 'b' && arg->type != '-')) {
        return def;
    }
    return arg->on;
}

const HmpCommand *hmp_find_command(const HmpCommand *table, const char *name)
{
    size_t len = strlen(name);
    for (const HmpCommand *cmd = table; cmd->name; cmd++) {
        /* "c|cont": each alias between the bars. */
        const char *p = cmd->name;
        for (;;) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            if (n == len && !memcmp(p, name, n)) {
                return cmd;
            }
            if (!bar) {
                break;
            }
            p = bar + 1;
        }
    }
    return NULL;
}
