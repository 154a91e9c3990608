#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct Error {
    char *msg;
};

static const char *progname = "kemu";
static char *loc_text;
static ErrorSink *sink;
static void *sink_opaque;

void error_set_progname(const char *name)
{
    progname = name;
}

const char *error_get_progname(void)
{
    return progname;
}

static void error_setv(Error **errp, const char *suffix, const char *fmt, va_list ap)
{
    if (!errp) {
        return;
    }
    g_assert(*errp == NULL);    /* an error must not be overwritten */
    Error *err = g_new0(Error, 1);
    char *msg = g_strdup_vprintf(fmt, ap);
    err->msg = suffix ? g_strconcat(msg, ": ", suffix, NULL) : g_strdup(msg);
    g_free(msg);
    *errp = err;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, NULL, fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, strerror(errnum), fmt, ap);
    va_end(ap);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    if (!errp || !*errp) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_propagate(Error **dst, Error *src)
{
    if (!src) {
        return;
    }
    if (dst && !*dst) {
        *dst = src;
    } else {
        error_free(src);
    }
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        g_free(err);
    }
}

void error_loc_set(const char *opt, const char *value)
{
    g_free(loc_text);
    loc_text = value ? g_strdup_printf("%s %s", opt, value) : g_strdup(opt);
}

void error_loc_clear(void)
{
    g_free(loc_text);
    loc_text = NULL;
}

void error_set_sink(ErrorSink *s, void *opaque)
{
    sink = s;
    sink_opaque = opaque;
}

static void report(const char *kind, const char *fmt, va_list ap)
{
    char *msg = g_strdup_vprintf(fmt, ap);
    if (sink) {
        char *line = g_strconcat(kind, msg, "\n", NULL);
        sink(sink_opaque, line);
        g_free(line);
    } else {
        /* One write, so reports from threads do not interleave mid-line. */
        char *line = g_strdup_printf("%s: %s%s%s%s\n", progname,
                                     loc_text ? loc_text : "", loc_text ? ": " : "",
                                     kind, msg);
        fputs(line, stderr);
        fflush(stderr);
        g_free(line);
    }
    g_free(msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("info: ", fmt, ap);
    va_end(ap);
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    error_free(err);
}

void warn_report_err(Error *err)
{
    warn_report("%s", err->msg);
    error_free(err);
}
