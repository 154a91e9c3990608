/* Small parsing helpers shared by the command line, the monitor and the tools. */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a size: a decimal number (fractions allowed: "1.5G") with an optional
 * suffix B, k/K, M, G, T, P, E (powers of 1024).  Without a suffix the number
 * is multiplied by default_unit (1 for bytes, 1 << 20 for -m's megabytes).
 * Returns false on garbage, trailing characters or overflow.
 */
bool parse_size(const char *str, uint64_t default_unit, uint64_t *out);

/* Parse an unsigned integer (0x hex, 0 octal, decimal) with nothing after it. */
bool parse_uint64(const char *str, uint64_t *out);
/* Same, signed. */
bool parse_int64(const char *str, int64_t *out);

/* on/off, yes/no, true/false, y/n. */
bool parse_bool(const char *str, bool *out);

/* Format a size the way QEMU prints it: "128 MiB", "1.5 GiB", "512 B". */
char *size_to_str(uint64_t size);

#endif
