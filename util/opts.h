/*
 * QEMU's option-value grammar: "first,key=val,key2=val2".
 *  - elements are separated by ','; ",," stands for a literal comma;
 *  - the first element may omit "key=": it then sets the implied key
 *    (the "driver" of -device, the "type" of -machine, the "cpus" of -smp);
 *  - an element "help" or "?" asks for help instead of setting anything;
 *  - any other element without '=' is a flag: "server" means server=on
 *    (QEMU's older short form).
 * Getters mark keys as used, so opts_check_unused() can reject typos.
 */
#ifndef UTIL_OPTS_H
#define UTIL_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

typedef struct Opts Opts;

/* Parse "str"; implied_key may be NULL (then a bare first element is a flag). */
Opts *opts_parse(const char *str, const char *implied_key, Error **errp);
void opts_free(Opts *opts);
/* An empty set of options, to build by hand (as -nographic or -hda do). */
Opts *opts_new(void);
void opts_set(Opts *opts, const char *key, const char *value);

/* True if one element was "help" or "?". */
bool opts_help_requested(const Opts *opts);

bool opts_has(const Opts *opts, const char *key);
/* The last value given for key (NULL if absent); a flag reads as "on". Marks it used. */
const char *opts_get(Opts *opts, const char *key);
/* Like opts_get, returning def if absent. */
const char *opts_get_default(Opts *opts, const char *key, const char *def);
/* on/off/yes/no/true/false; def if absent. */
bool opts_get_bool(Opts *opts, const char *key, bool def, bool *out, Error **errp);
/* Unsigned number (decimal, 0x hex, 0 octal); def if absent. */
bool opts_get_uint(Opts *opts, const char *key, uint64_t def, uint64_t *out, Error **errp);
/* A size with optional suffix k/K, M, G, T, P, E (and B); def if absent. */
bool opts_get_size(Opts *opts, const char *key, uint64_t def, uint64_t *out, Error **errp);

/* Error "Invalid parameter 'key'" for the first key no getter asked for. */
bool opts_check_unused(const Opts *opts, Error **errp);

/* Walk the elements in order, each as key/value (value "on" for flags). */
typedef bool OptsIter(void *opaque, const char *key, const char *value, Error **errp);
bool opts_foreach(Opts *opts, OptsIter *fn, void *opaque, Error **errp);
/* Mark a key as used without reading it (it was consumed elsewhere). */
void opts_mark_used(Opts *opts, const char *key);

/* Text form with ',' escaped, for messages and "info" output. */
char *opts_to_string(const Opts *opts);

#endif
