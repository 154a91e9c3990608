/*
 * VMState: a device's migratable state described as a table of fields.
 * Every device declares one from its first commit; savevm and migration
 * serialize devices through these tables alone.
 *
 * Stream encoding of a described object (all integers big-endian):
 *   each field in table order, for each of its `count` elements:
 *     U8/BOOL 1 byte, U16 2, U32/I32 4, U64/I64 8, BUFFER `size` bytes,
 *     STRUCT the nested description's encoding,
 *     TIMER the expiry time as I64 (-1 if the timer is not pending).
 * Fields with version_id > the stream's version are skipped on load.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "util/error.h"

typedef enum VMStateKind {
    VMS_BOOL,
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_I32,
    VMS_I64,
    VMS_BUFFER,     /* `size` raw bytes */
    VMS_STRUCT,     /* nested description; element stride is `size` */
    VMS_TIMER,      /* a Timer * field: its deadline */
} VMStateKind;

typedef struct VMStateDescription VMStateDescription;

typedef struct VMStateField {
    const char *name;
    size_t offset;
    VMStateKind kind;
    size_t size;        /* BUFFER: bytes; STRUCT: sizeof the element */
    unsigned count;     /* array length; 0 means 1 */
    const VMStateDescription *vmsd;     /* STRUCT only */
    int version_id;     /* first version that has this field; 0 = always */
} VMStateField;

struct VMStateDescription {
    const char *name;
    int version_id;
    int minimum_version_id;
    const VMStateField *fields;         /* ended by a field with name NULL */
    int (*pre_save)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
};

/* Field initializers (data, not code). */
#define VMS_FIELD(st, f, k) \
    { .name = #f, .offset = offsetof(st, f), .kind = (k) }
#define VMS_ARRAY(st, f, k, n) \
    { .name = #f, .offset = offsetof(st, f), .kind = (k), .count = (n) }
#define VMS_BUF(st, f) \
    { .name = #f, .offset = offsetof(st, f), .kind = VMS_BUFFER, .size = sizeof(((st *)0)->f) }
#define VMS_STRUCT_ARRAY(st, f, n, elem_type, desc) \
    { .name = #f, .offset = offsetof(st, f), .kind = VMS_STRUCT, .count = (n), \
      .size = sizeof(elem_type), .vmsd = (desc) }
#define VMS_END { .name = NULL }

/* Append the state of opaque to buf. */
bool vmstate_save(GByteArray *buf, const VMStateDescription *vmsd, void *opaque, Error **errp);
/*
 * Load the state of opaque from data[*pos...len), advancing *pos; fails with a
 * reason on truncation or an unsupported version (nothing past the check is
 * trusted blindly: lengths come from the table, never from the stream).
 */
bool vmstate_load(const uint8_t *data, size_t len, size_t *pos,
                  const VMStateDescription *vmsd, void *opaque, int version_id,
                  Error **errp);

/*
 * VMS_TIMER fields go through these (system/timer.h's timer_expire_time,
 * timer_mod and timer_del); main() registers them once, so this library
 * needs no link-time dependency on system/.  Without them a description
 * with a timer field fails to save or load with an error.
 */
typedef struct Timer Timer;
void vmstate_set_timer_ops(int64_t (*expire_time)(const Timer *t),
                           void (*mod)(Timer *t, int64_t expire_ns),
                           void (*del)(Timer *t));

#endif
