/*
 * The human monitor: a readline editor on a chardev, the command dispatcher
 * and the monitor's output.  Several monitors may run at once, each with its
 * own line and history; a command's output and its error_report()s go to
 * the monitor that runs it.
 */
#include "monitor/monitor.h"

#include <stdarg.h>
#include <string.h>

#include "monitor/hmp.h"
#include "monitor/readline.h"

#define MONITOR_PROMPT "(kemu) "
#define MONITOR_BANNER "kemu " KEMU_VERSION " monitor - type 'help' for more information\n"

struct Monitor {
    GString *buffer;            /* a buffer monitor's output; NULL on a chardev */
    CharBackend be;
    ReadlineState *rs;
    bool is_mux;                /* on a mux: greet when we get the focus */
    bool opened;                /* CHR_EVENT_OPENED seen (and no CLOSED since) */
    bool focused;               /* a mux's focus is ours */
    bool greeted;               /* banner printed since the peer connected */
    bool suspended;             /* after quit: no more prompts */
    int busy;                   /* inside our input handler */
    bool free_pending;          /* monitor_free() came while busy */
};

/* Monitors on chardevs; buffer monitors belong to whoever made them. */
static GPtrArray *monitors;
static Monitor *cur_mon;

/* ---- Output ---------------------------------------------------------------- */

static void monitor_write(Monitor *mon, const char *text, size_t len)
{
    if (mon->buffer) {
        g_string_append_len(mon->buffer, text, len);
        return;
    }
    if (!mon->be.chr) {
        return;
    }
    while (len) {
        int n = MIN(len, 65536);
        if (chr_fe_write_all(&mon->be, (const uint8_t *)text, n) < 0) {
            return;     /* the peer went away; the output is lost, as on a terminal */
        }
        text += n;
        len -= n;
    }
}

void monitor_puts(Monitor *mon, const char *str)
{
    if (mon) {
        monitor_write(mon, str, strlen(str));
    }
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    if (!mon) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_puts(mon, s);
    g_free(s);
}

const char *monitor_buffer(Monitor *mon)
{
    return mon->buffer ? mon->buffer->str : "";
}

void monitor_buffer_clear(Monitor *mon)
{
    if (mon->buffer) {
        g_string_truncate(mon->buffer, 0);
    }
}

Monitor *monitor_current(void)
{
    return cur_mon;
}

/* error_report() during a command: the message already ends in "\n". */
static void monitor_error_sink(void *opaque, const char *msg)
{
    monitor_puts(opaque, msg);
}

/* A name the user typed, with control characters made visible. */
static char *monitor_printable(const char *s)
{
    GString *out = g_string_new(NULL);
    for (; *s; s++) {
        unsigned char c = *s;
        if (c < 0x20 || c == 0x7f) {
            g_string_append_printf(out, "\\x%02x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    return g_string_free(out, false);
}

static bool monitor_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The next word of *pp (white space skipped before it), advancing *pp past it. */
/* A command name: up to a space or a '/' (x/4xw addr, as QEMU reads it). */
static char *monitor_next_word(const char **pp)
{
    const char *p = *pp;
    while (monitor_is_space(*p)) {
        p++;
    }
    const char *start = p;
    while (*p && !monitor_is_space(*p) && (*p != '/' || p == start)) {
        p++;
    }
    *pp = p;
    return p > start ? g_strndup(start, p - start) : NULL;
}

/* ---- Help ------------------------------------------------------------------ */

static int monitor_cmd_compare(gconstpointer a, gconstpointer b)
{
    const HmpCommand *ca = *(const HmpCommand *const *)a;
    const HmpCommand *cb = *(const HmpCommand *const *)b;
    return strcmp(ca->name, cb->name);
}

static void monitor_help_line(Monitor *mon, const char *prefix, const HmpCommand *cmd)
{
    monitor_printf(mon, "%s%s %s -- %s\n", prefix, cmd->name,
                   cmd->params ? cmd->params : "", cmd->help ? cmd->help : "");
}

/* Every command of table, sorted by name. */
static void monitor_help_table(Monitor *mon, const char *prefix, const HmpCommand *table)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new();
    for (const HmpCommand *cmd = table; cmd->name; cmd++) {
        g_ptr_array_add(cmds, (gpointer)cmd);
    }
    g_ptr_array_sort(cmds, monitor_cmd_compare);
    for (guint i = 0; i < cmds->len; i++) {
        monitor_help_line(mon, prefix, g_ptr_array_index(cmds, i));
    }
}

static void monitor_unknown(Monitor *mon, const char *prefix, const char *name)
{
    g_autofree char *shown = monitor_printable(name);
    monitor_printf(mon, "unknown command: '%s%s'\n", prefix, shown);
}

void hmp_help(Monitor *mon, const HmpArgs *args)
{
    const char *name = hmp_arg_str(args, "name");
    if (!name) {
        monitor_help_table(mon, "", hmp_commands);
        return;
    }
    const char *p = name;
    g_autofree char *first = monitor_next_word(&p);
    g_autofree char *sub_name = monitor_next_word(&p);
    if (!first) {
        monitor_help_table(mon, "", hmp_commands);
        return;
    }
    const HmpCommand *cmd = hmp_find_command(hmp_commands, first);
    if (!cmd) {
        monitor_unknown(mon, "", first);
        return;
    }
    if (!cmd->sub_table) {
        monitor_help_line(mon, "", cmd);
        return;
    }
    /* "help info" lists the subcommands, "help info version" shows one. */
    g_autofree char *prefix = g_strdup_printf("%s ", first);
    if (!sub_name) {
        monitor_help_table(mon, prefix, cmd->sub_table);
        return;
    }
    const HmpCommand *sub = hmp_find_command(cmd->sub_table, sub_name);
    if (!sub) {
        monitor_unknown(mon, prefix, sub_name);
        return;
    }
    monitor_help_line(mon, prefix, sub);
}

void hmp_info_history(Monitor *mon, const HmpArgs *args)
{
    if (!mon->rs) {
        return;
    }
    for (unsigned i = 0; i < readline_history_len(mon->rs); i++) {
        monitor_printf(mon, "%u: '%s'\n", i, readline_history_get(mon->rs, i));
    }
}

/* ---- Dispatch -------------------------------------------------------------- */

/* Parse the arguments and run cmd with its output and errors on mon. */
static void monitor_exec(Monitor *mon, const HmpCommand *cmd, const char *typed,
                         const char *text)
{
    Error *err = NULL;
    HmpArgs *args = hmp_parse_args(cmd, text, &err);
    if (!args) {
        g_autofree char *shown = monitor_printable(typed);
        monitor_printf(mon, "%s\nTry \"help %s\" for more information\n",
                       error_get_pretty(err), shown);
        error_free(err);
        return;
    }
    if (!cmd->cmd) {
        monitor_printf(mon, "command '%s' is not available\n", cmd->name);
        hmp_args_free(args);
        return;
    }
    Monitor *prev = cur_mon;
    cur_mon = mon;
    error_set_sink(monitor_error_sink, mon);
    cmd->cmd(mon, args);
    cur_mon = prev;
    if (prev) {
        error_set_sink(monitor_error_sink, prev);
    } else {
        error_set_sink(NULL, NULL);
    }
    hmp_args_free(args);
    if (cmd->cmd == hmp_quit) {
        mon->suspended = true;  /* the main loop ends next; no prompt to answer */
    }
}

void monitor_run_line(Monitor *mon, const char *line)
{
    const char *p = line;
    g_autofree char *name = monitor_next_word(&p);
    if (!name) {
        return;
    }
    const HmpCommand *cmd = hmp_find_command(hmp_commands, name);
    if (!cmd) {
        monitor_unknown(mon, "", name);
        return;
    }
    if (!cmd->sub_table) {
        monitor_exec(mon, cmd, name, p);
        return;
    }
    /* info and its kind: the next word picks the subcommand; alone, list them. */
    g_autofree char *sub_name = monitor_next_word(&p);
    g_autofree char *prefix = g_strdup_printf("%s ", name);
    if (!sub_name) {
        monitor_help_table(mon, prefix, cmd->sub_table);
        return;
    }
    const HmpCommand *sub = hmp_find_command(cmd->sub_table, sub_name);
    if (!sub) {
        monitor_unknown(mon, prefix, sub_name);
        return;
    }
    g_autofree char *typed = g_strconcat(prefix, sub_name, NULL);
    monitor_exec(mon, sub, typed, p);
}

/* ---- Completion ------------------------------------------------------------ */

static void monitor_add_names(GPtrArray *out, const HmpCommand *table)
{
    for (const HmpCommand *cmd = table; cmd->name; cmd++) {
        g_auto(GStrv) aliases = g_strsplit(cmd->name, "|", -1);
        for (int i = 0; aliases[i]; i++) {
            g_ptr_array_add(out, g_strdup(aliases[i]));
        }
    }
}

/* Command names; after "info" its subcommands; after "help" either. */
static void monitor_complete(void *opaque, const char *cmdline, GPtrArray *out)
{
    g_auto(GStrv) all = g_strsplit_set(cmdline, " \t", -1);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    for (int i = 0; all[i]; i++) {
        if (*all[i]) {
            g_ptr_array_add(words, all[i]);
        }
    }
    /* The words before the one being completed. */
    size_t len = strlen(cmdline);
    guint done = words->len;
    if (len && !monitor_is_space(cmdline[len - 1]) && done) {
        done--;
    }
    if (done == 0) {
        monitor_add_names(out, hmp_commands);
        return;
    }
    const HmpCommand *cmd = hmp_find_command(hmp_commands, g_ptr_array_index(words, 0));
    if (!cmd) {
        return;
    }
    if (cmd->cmd == hmp_help) {
        if (done == 1) {
            monitor_add_names(out, hmp_commands);
            return;
        }
        cmd = hmp_find_command(hmp_commands, g_ptr_array_index(words, 1));
        if (done == 2 && cmd && cmd->sub_table) {
            monitor_add_names(out, cmd->sub_table);
        }
        return;
    }
    if (done == 1 && cmd->sub_table) {
        monitor_add_names(out, cmd->sub_table);
    }
}

/* ---- Monitors on chardevs --------------------------------------------------- */

static void monitor_rl_write(void *opaque, const char *text, size_t len)
{
    monitor_write(opaque, text, len);
}

static void monitor_rl_line(void *opaque, const char *line)
{
    Monitor *mon = opaque;
    monitor_run_line(mon, line);
    if (!mon->free_pending && !mon->suspended) {
        readline_show_prompt(mon->rs);
    }
}

static void monitor_greet(Monitor *mon)
{
    monitor_puts(mon, MONITOR_BANNER);
    readline_show_prompt(mon->rs);
    mon->greeted = true;
}

static int monitor_can_read(void *opaque)
{
    Monitor *mon = opaque;
    return mon->suspended ? 0 : READLINE_MAX_LINE;
}

static void monitor_do_free(Monitor *mon);

static void monitor_read(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;
    mon->busy++;
    for (int i = 0; i < len && !mon->free_pending && !mon->suspended; i++) {
        readline_handle_byte(mon->rs, buf[i]);
    }
    mon->busy--;
    if (!mon->busy && mon->free_pending) {
        monitor_do_free(mon);
    }
}

/*
 * A socket greets each new client.  A mux greets when it is both open and
 * ours: the focus comes at attach time, before the deferred OPENED, and
 * -nographic gives it to the serial port, so the banner waits for Ctrl-a c.
 */
static void monitor_event(void *opaque, CharEvent event)
{
    Monitor *mon = opaque;
    switch (event) {
    case CHR_EVENT_OPENED:
        mon->opened = true;
        if (!mon->greeted && (!mon->is_mux || mon->focused)) {
            readline_start(mon->rs, MONITOR_PROMPT);
            monitor_greet(mon);
        }
        break;
    case CHR_EVENT_CLOSED:
        mon->opened = false;
        mon->greeted = false;
        readline_reset(mon->rs);
        break;
    case CHR_EVENT_MUX_IN:
        mon->focused = true;
        if (mon->greeted) {
            readline_show_prompt(mon->rs);
        } else if (mon->opened) {
            monitor_greet(mon);
        }
        break;
    case CHR_EVENT_MUX_OUT:
        mon->focused = false;
        /* Leave the prompt line so the guest's output starts on a fresh one. */
        if (mon->greeted) {
            monitor_puts(mon, "\n");
        }
        break;
    case CHR_EVENT_BREAK:
        break;
    }
}

Monitor *monitor_new_hmp(Chardev *chr, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);
    if (!chr_fe_init(&mon->be, chr, errp)) {
        g_free(mon);
        return NULL;
    }
    mon->is_mux = mon->be.tag >= 0 ||
                  (chr->klass && chr->klass->name && !strcmp(chr->klass->name, "mux"));
    mon->rs = readline_new(monitor_rl_write, monitor_rl_line, monitor_complete, mon);
    readline_start(mon->rs, MONITOR_PROMPT);
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    chr_fe_set_handlers(&mon->be, monitor_can_read, monitor_read, monitor_event, mon);
    /* In case the backend, open already (stdio), sent no OPENED event. */
    if (!mon->is_mux && chr->be_open && !mon->greeted) {
        mon->opened = true;
        monitor_greet(mon);
    }
    return mon;
}

Monitor *monitor_new_buffer(void)
{
    Monitor *mon = g_new0(Monitor, 1);
    mon->buffer = g_string_new(NULL);
    mon->be.tag = -1;
    return mon;
}

static void monitor_do_free(Monitor *mon)
{
    if (monitors) {
        g_ptr_array_remove(monitors, mon);
    }
    if (mon->be.chr) {
        chr_fe_set_handlers(&mon->be, NULL, NULL, NULL, NULL);
        chr_fe_deinit(&mon->be);
    }
    readline_free(mon->rs);
    if (mon->buffer) {
        g_string_free(mon->buffer, true);
    }
    g_free(mon);
}

void monitor_free(Monitor *mon)
{
    if (!mon) {
        return;
    }
    if (mon->busy) {
        mon->free_pending = true;   /* freed when its input handler returns */
        return;
    }
    monitor_do_free(mon);
}

void monitor_close_all(void)
{
    while (monitors && monitors->len) {
        Monitor *mon = g_ptr_array_index(monitors, monitors->len - 1);
        if (mon->busy) {
            g_ptr_array_remove_index(monitors, monitors->len - 1);
            mon->free_pending = true;
        } else {
            monitor_do_free(mon);
        }
    }
    g_clear_pointer(&monitors, g_ptr_array_unref);
}

/* ---- -mon ------------------------------------------------------------------ */

bool monitor_init_opts(Opts *opts, Error **errp)
{
    const char *id = opts_get(opts, "chardev");
    const char *mode = opts_get_default(opts, "mode", "readline");
    bool pretty;
    if (!opts_get_bool(opts, "pretty", false, &pretty, errp)) {
        return false;
    }
    opts_mark_used(opts, "id");
    if (!opts_check_unused(opts, errp)) {
        return false;
    }
    if (!strcmp(mode, "control")) {
        error_setg(errp, "-mon mode=control: QMP is not available yet");
        return false;
    }
    if (strcmp(mode, "readline")) {
        error_setg(errp, "Parameter 'mode' expects 'readline' or 'control'");
        return false;
    }
    if (pretty) {
        error_setg(errp, "'pretty' is not compatible with HMP monitors");
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    Chardev *chr = chardev_find(id);
    if (!chr) {
        error_setg(errp, "chardev '%s' not found", id);
        return false;
    }
    return monitor_new_hmp(chr, errp) != NULL;
}
