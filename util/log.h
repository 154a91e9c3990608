/*
 * -d items and -D file: opt-in diagnostic logs, off by default.
 * log_mask() is cheap when the item is off, so hot paths can call it.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <stdbool.h>
#include <glib.h>
#include "util/error.h"

enum {
    LOG_IN_ASM       = 1 << 0,  /* guest code as it is decoded */
    LOG_OUT_ASM      = 1 << 1,
    LOG_INT          = 1 << 2,  /* interrupts and exceptions */
    LOG_EXEC         = 1 << 3,  /* every block executed */
    LOG_CPU          = 1 << 4,  /* CPU state before each block */
    LOG_PCALL        = 1 << 5,  /* x86 call gates, task switches */
    LOG_RESET        = 1 << 6,  /* CPU state at reset */
    LOG_UNIMP        = 1 << 7,  /* unimplemented functionality, unassigned accesses */
    LOG_GUEST_ERROR  = 1 << 8,  /* the guest did something invalid */
    LOG_MMU          = 1 << 9,
    LOG_PAGE         = 1 << 10,
};

extern unsigned log_enabled_mask;

static inline bool log_enabled(unsigned mask)
{
    return (log_enabled_mask & mask) != 0;
}

/* Write to the log (stderr, or the -D file) if any bit of mask is enabled. */
void log_mask(unsigned mask, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Write unconditionally to the log. */
void log_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* "-d in_asm,int": set the items; "help" is handled by the caller. */
bool log_set_items(const char *items, Error **errp);
/* The enabled items as "in_asm,int" (g_free it). */
char *log_get_items(void);
/* "-D file": log into file instead of stderr; NULL goes back to stderr. */
bool log_set_file(const char *path, Error **errp);
/* Lines "name  description" for -d help and the monitor's log command. */
void log_list_items(GString *out);

#endif
