#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

unsigned log_enabled_mask;
static FILE *log_file;

static const struct {
    unsigned mask;
    const char *name;
    const char *help;
} log_items[] = {
    { LOG_OUT_ASM, "out_asm", "show generated host assembly code for each compiled TB" },
    { LOG_IN_ASM, "in_asm", "show target assembly code for each compiled TB" },
    { LOG_INT, "int", "show interrupts/exceptions in short format" },
    { LOG_EXEC, "exec", "show trace before each executed TB (lots of logs)" },
    { LOG_CPU, "cpu", "show CPU registers before entering a TB (lots of logs)" },
    { LOG_PCALL, "pcall", "x86 only: show protected mode far calls/returns/exceptions" },
    { LOG_RESET, "cpu_reset", "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does something invalid (eg accessing a non-existent register)" },
    { LOG_MMU, "mmu", "log MMU-related activities" },
    { LOG_PAGE, "page", "dump pages at beginning of user mode emulation" },
};

static void log_vprintf(const char *fmt, va_list ap)
{
    FILE *f = log_file ? log_file : stderr;
    vfprintf(f, fmt, ap);
    fflush(f);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
}

void log_mask(unsigned mask, const char *fmt, ...)
{
    if (!log_enabled(mask)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
}

bool log_set_items(const char *items, Error **errp)
{
    unsigned mask = 0;
    g_auto(GStrv) names = g_strsplit(items, ",", -1);
    for (int i = 0; names[i]; i++) {
        if (!*names[i]) {
            continue;
        }
        bool found = false;
        for (size_t j = 0; j < G_N_ELEMENTS(log_items); j++) {
            if (!strcmp(names[i], log_items[j].name) || !strcmp(names[i], "all")) {
                mask |= log_items[j].mask;
                found = true;
            }
        }
        if (!found && strcmp(names[i], "none")) {
            error_setg(errp, "Invalid -d option \"%s\"", names[i]);
            return false;
        }
    }
    log_enabled_mask = mask;
    return true;
}

char *log_get_items(void)
{
    GString *out = g_string_new(NULL);
    for (size_t j = 0; j < G_N_ELEMENTS(log_items); j++) {
        if (log_enabled_mask & log_items[j].mask) {
            g_string_append_printf(out, "%s%s", out->len ? "," : "", log_items[j].name);
        }
    }
    return g_string_free(out, false);
}

bool log_set_file(const char *path, Error **errp)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "w");
        if (!f) {
            error_setg_errno(errp, errno, "could not open log file '%s'", path);
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    return true;
}

void log_list_items(GString *out)
{
    g_string_append(out, "Log items (comma separated):\n");
    for (size_t j = 0; j < G_N_ELEMENTS(log_items); j++) {
        g_string_append_printf(out, "%-15s %s\n", log_items[j].name, log_items[j].help);
    }
}
