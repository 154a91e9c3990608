#include "util/cutils.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

static int suffix_shift(char c)
{
    switch (c) {
    case 'B': case 'b': return 0;
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    case 'P': case 'p': return 50;
    case 'E': case 'e': return 60;
    default: return -1;
    }
}

bool parse_size(const char *str, uint64_t default_unit, uint64_t *out)
{
    if (!str || !*str || *str == '-' || g_ascii_isspace(*str)) {
        return false;
    }
    char *end;
    errno = 0;
    /* Integers are parsed exactly; a fraction goes through a double. */
    uint64_t whole = strtoull(str, &end, 0);
    double frac = 0;
    if (end == str || errno) {
        return false;
    }
    if (*end == '.') {
        char *fend;
        frac = strtod(end, &fend);
        if (fend == end + 1) {
            return false;
        }
        end = fend;
    }
    uint64_t unit = default_unit;
    if (*end) {
        int shift = suffix_shift(*end);
        if (shift < 0 || end[1]) {
            return false;
        }
        unit = 1ull << shift;
    }
    if (whole > UINT64_MAX / unit) {
        return false;
    }
    uint64_t val = whole * unit;
    if (frac) {
        double extra = frac * (double)unit;
        if ((double)val + extra >= 18446744073709551616.0) {
            return false;
        }
        val += (uint64_t)extra;
    }
    *out = val;
    return true;
}

bool parse_uint64(const char *str, uint64_t *out)
{
    if (!str || !*str || *str == '-' || g_ascii_isspace(*str)) {
        return false;
    }
    char *end;
    errno = 0;
    uint64_t v = strtoull(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_int64(const char *str, int64_t *out)
{
    if (!str || !*str || g_ascii_isspace(*str)) {
        return false;
    }
    char *end;
    errno = 0;
    int64_t v = strtoll(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_bool(const char *str, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "y", NULL };
    static const char *const no[] = { "off", "no", "false", "n", NULL };
    for (int i = 0; yes[i]; i++) {
        if (!strcmp(str, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

char *size_to_str(uint64_t size)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int i = 0;
    double v = size;
    while (v >= 1024 && i < 6) {
        v /= 1024;
        i++;
    }
    if (i == 0) {
        return g_strdup_printf("%" PRIu64 " B", size);
    }
    return g_strdup_printf("%0.3g %s", v, units[i]);
}
