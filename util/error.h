/*
 * Errors as values: a function that can fail takes "Error **errp" as its last
 * argument and returns false/NULL/negative; the caller decides whether to
 * report, prepend context, or pass the error up.  Nothing deep inside kemu
 * exits the process on bad input.
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include <stdbool.h>
#include <glib.h>

typedef struct Error Error;

/* Set *errp to a new error with a printf-style message (ignored if errp is NULL). */
void error_setg(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Like error_setg, with ": strerror(errnum)" appended. */
void error_setg_errno(Error **errp, int errnum, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Put "prefix" in front of the message of *errp, if there is one. */
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Move src into *dst (or free it if dst is NULL or already set). */
void error_propagate(Error **dst, Error *src);
const char *error_get_pretty(const Error *err);
void error_free(Error *err);

/*
 * Reporting to the user: "kemu: [location: ]message" on stderr, or into the
 * current monitor when a monitor command is running.  The location is the
 * command-line option being processed ("-m 12Q"), set with error_loc_set().
 */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* error_report() the error's message, then free it. */
void error_report_err(Error *err);
void warn_report_err(Error *err);

/* The "-opt value" prefix of reports while options are processed; NULL clears. */
void error_loc_set(const char *opt, const char *value);
void error_loc_clear(void);

/* Name printed in front of every report ("kemu", "kemu-img"). */
void error_set_progname(const char *name);
const char *error_get_progname(void);

/*
 * Where reports go while a monitor command runs: the monitor sets a sink,
 * and error_report() writes the bare message there instead of stderr.
 */
typedef void ErrorSink(void *opaque, const char *msg);
void error_set_sink(ErrorSink *sink, void *opaque);

#endif
