/*
 * Monitors: the human monitor (HMP) on any chardev, several at once.
 * Output of a command goes to the monitor it runs in; error_report() from a
 * command lands there too (see util/error.h).
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <stdbool.h>
#include <glib.h>
#include "chardev/char.h"

typedef struct Monitor Monitor;

/* An HMP monitor with line editing on chr (e.g. the mux of -nographic). */
Monitor *monitor_new_hmp(Chardev *chr, Error **errp);
/* A monitor whose output collects in a string (tests, QMP human-monitor-command). */
Monitor *monitor_new_buffer(void);
/* What a buffer monitor has printed so far; the string is the monitor's. */
const char *monitor_buffer(Monitor *mon);
void monitor_buffer_clear(Monitor *mon);
void monitor_free(Monitor *mon);
/* Close every monitor (at exit). */
void monitor_close_all(void);

void monitor_printf(Monitor *mon, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void monitor_puts(Monitor *mon, const char *str);

/* Run one command line as if typed (the HMP dispatcher). */
void monitor_run_line(Monitor *mon, const char *line);

/* The monitor running the current command, or NULL. */
Monitor *monitor_current(void);

/* -mon chardev=ID[,mode=readline][,pretty=on]: attach a monitor to a chardev. */
bool monitor_init_opts(Opts *opts, Error **errp);

#endif
