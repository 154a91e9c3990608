/*
 * Monitor line editing.  The terminal is assumed to be a VT100: cursor
 * motion is ESC [ n D, and we only ever move within the current line, so
 * the editor tracks where the terminal's cursor is (disp) and redraws the
 * tail of the line after each edit.  Output of one input byte is collected
 * and written in one go.
 */
#include "monitor/readline.h"

#include <string.h>

typedef enum ReadlineEsc {
    RL_ESC_NONE,
    RL_ESC_START,       /* got ESC */
    RL_ESC_CSI,         /* got ESC [ */
    RL_ESC_SS3,         /* got ESC O (keypad in application mode) */
} ReadlineEsc;

#define RL_ESC_PARAM_MAX 9999

struct ReadlineState {
    ReadlineWriteFunc *write;
    ReadlineLineFunc *line_fn;
    ReadlineCompleteFunc *complete;
    void *opaque;

    char *prompt;
    char buf[READLINE_MAX_LINE + 1];
    int len;
    int cursor;         /* where the next character goes */
    int disp;           /* where the terminal's cursor is, within the line */

    ReadlineEsc esc;
    int esc_param;
    bool esc_param_done;        /* after ';' the first parameter is kept */
    bool last_cr;               /* "\r\n" ends one line, not two */

    GPtrArray *history;         /* char *, oldest first */
    int hist_pos;               /* the entry shown, or -1 when not browsing */
    char *saved_line;           /* the line being edited before browsing */

    GString *out;
};

/* ---- Output ---------------------------------------------------------------- */

static void rl_flush(ReadlineState *rs)
{
    if (rs->out->len) {
        rs->write(rs->opaque, rs->out->str, rs->out->len);
        g_string_truncate(rs->out, 0);
    }
}

/* Move the terminal's cursor to pos; forward moves re-print what is there. */
static void rl_move_to(ReadlineState *rs, int pos)
{
    if (pos < rs->disp) {
        int n = rs->disp - pos;
        if (n == 1) {
            g_string_append_c(rs->out, '\b');
        } else {
            g_string_append_printf(rs->out, "\033[%dD", n);
        }
    } else if (pos > rs->disp) {
        g_string_append_len(rs->out, rs->buf + rs->disp, pos - rs->disp);
    }
    rs->disp = pos;
}

/* The line changed from position from on; it used to be old_len long. */
static void rl_redraw_tail(ReadlineState *rs, int from, int old_len)
{
    rl_move_to(rs, from);
    g_string_append_len(rs->out, rs->buf + from, rs->len - from);
    rs->disp = rs->len;
    if (old_len > rs->len) {
        /* Blank what the shorter line no longer covers. */
        for (int i = rs->len; i < old_len; i++) {
            g_string_append_c(rs->out, ' ');
        }
        rs->disp = old_len;
    }
    rl_move_to(rs, rs->cursor);
}

/* ---- Editing --------------------------------------------------------------- */

static void rl_insert(ReadlineState *rs, const char *text, int n)
{
    if (n > READLINE_MAX_LINE - rs->len) {
        n = READLINE_MAX_LINE - rs->len;
    }
    if (n <= 0) {
        return;
    }
    int old_len = rs->len, from = rs->cursor;
    memmove(rs->buf + rs->cursor + n, rs->buf + rs->cursor, rs->len - rs->cursor);
    memcpy(rs->buf + rs->cursor, text, n);
    rs->len += n;
    rs->cursor += n;
    rl_redraw_tail(rs, from, old_len);
}

/* Remove the characters [start, end). */
static void rl_delete(ReadlineState *rs, int start, int end)
{
    if (start >= end) {
        return;
    }
    int old_len = rs->len;
    memmove(rs->buf + start, rs->buf + end, rs->len - end);
    rs->len -= end - start;
    if (rs->cursor >= end) {
        rs->cursor -= end - start;
    } else if (rs->cursor > start) {
        rs->cursor = start;
    }
    rl_redraw_tail(rs, start, old_len);
}

static void rl_set_line(ReadlineState *rs, const char *line)
{
    int old_len = rs->len;
    int n = strlen(line);
    if (n > READLINE_MAX_LINE) {
        n = READLINE_MAX_LINE;
    }
    memcpy(rs->buf, line, n);
    rs->len = n;
    rs->cursor = n;
    rl_redraw_tail(rs, 0, old_len);
}

static void rl_delete_word_back(ReadlineState *rs)
{
    int start = rs->cursor;
    while (start > 0 && rs->buf[start - 1] == ' ') {
        start--;
    }
    while (start > 0 && rs->buf[start - 1] != ' ') {
        start--;
    }
    rl_delete(rs, start, rs->cursor);
}

static void rl_history_up(ReadlineState *rs)
{
    if (!rs->history->len) {
        return;
    }
    if (rs->hist_pos < 0) {
        g_free(rs->saved_line);
        rs->saved_line = g_strndup(rs->buf, rs->len);
        rs->hist_pos = rs->history->len - 1;
    } else if (rs->hist_pos > 0) {
        rs->hist_pos--;
    } else {
        return;
    }
    rl_set_line(rs, g_ptr_array_index(rs->history, rs->hist_pos));
}

static void rl_history_down(ReadlineState *rs)
{
    if (rs->hist_pos < 0) {
        return;
    }
    if (rs->hist_pos + 1 < (int)rs->history->len) {
        rs->hist_pos++;
        rl_set_line(rs, g_ptr_array_index(rs->history, rs->hist_pos));
    } else {
        rs->hist_pos = -1;
        rl_set_line(rs, rs->saved_line ? rs->saved_line : "");
        g_clear_pointer(&rs->saved_line, g_free);
    }
}

static int rl_compare_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Tab: extend the word before the cursor as far as every candidate agrees. */
static void rl_complete(ReadlineState *rs)
{
    if (!rs->complete) {
        return;
    }
    int start = rs->cursor;
    while (start > 0 && rs->buf[start - 1] != ' ') {
        start--;
    }
    int wlen = rs->cursor - start;
    g_autofree char *cmdline = g_strndup(rs->buf, rs->cursor);
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    rs->complete(rs->opaque, cmdline, all);

    g_autoptr(GPtrArray) cands = g_ptr_array_new();
    g_ptr_array_sort(all, rl_compare_str);
    for (guint i = 0; i < all->len; i++) {
        const char *c = g_ptr_array_index(all, i);
        bool dup = cands->len && !strcmp(g_ptr_array_index(cands, cands->len - 1), c);
        if (!dup && !strncmp(c, rs->buf + start, wlen)) {
            g_ptr_array_add(cands, (gpointer)c);
        }
    }
    if (!cands->len) {
        return;
    }
    const char *first = g_ptr_array_index(cands, 0);
    int common = strlen(first);
    for (guint i = 1; i < cands->len; i++) {
        const char *c = g_ptr_array_index(cands, i);
        int j = 0;
        while (j < common && c[j] == first[j]) {
            j++;
        }
        common = j;
    }
    if (cands->len == 1) {
        rl_insert(rs, first + wlen, common - wlen);
        if (rs->cursor == rs->len) {
            rl_insert(rs, " ", 1);
        }
        return;
    }
    if (common > wlen) {
        rl_insert(rs, first + wlen, common - wlen);
        return;
    }
    /* Ambiguous: list the candidates, then redraw the line below them. */
    int width = 0;
    for (guint i = 0; i < cands->len; i++) {
        width = MAX(width, (int)strlen(g_ptr_array_index(cands, i)));
    }
    width += 2;
    int per_line = MAX(1, 80 / width);
    g_string_append_c(rs->out, '\n');
    for (guint i = 0; i < cands->len; i++) {
        const char *c = g_ptr_array_index(cands, i);
        if ((i + 1) % per_line == 0 || i + 1 == cands->len) {
            g_string_append_printf(rs->out, "%s\n", c);
        } else {
            g_string_append_printf(rs->out, "%-*s", width, c);
        }
    }
    readline_show_prompt(rs);
}

static void rl_enter(ReadlineState *rs)
{
    g_autofree char *line = g_strndup(rs->buf, rs->len);
    g_string_append_c(rs->out, '\n');
    rl_flush(rs);
    readline_history_add(rs, line);
    rs->len = rs->cursor = rs->disp = 0;
    rs->hist_pos = -1;
    g_clear_pointer(&rs->saved_line, g_free);
    rs->line_fn(rs->opaque, line);
}

/* The final byte of ESC [ ... or ESC O ... */
static void rl_handle_escape(ReadlineState *rs, uint8_t ch, int param)
{
    switch (ch) {
    case 'A':
        rl_history_up(rs);
        break;
    case 'B':
        rl_history_down(rs);
        break;
    case 'C':
        if (rs->cursor < rs->len) {
            rl_move_to(rs, ++rs->cursor);
        }
        break;
    case 'D':
        if (rs->cursor > 0) {
            rl_move_to(rs, --rs->cursor);
        }
        break;
    case 'H':
        rl_move_to(rs, rs->cursor = 0);
        break;
    case 'F':
        rl_move_to(rs, rs->cursor = rs->len);
        break;
    case '~':
        /* VT220 keys: 1 and 7 Home, 4 and 8 End, 3 Delete. */
        if (param == 1 || param == 7) {
            rl_move_to(rs, rs->cursor = 0);
        } else if (param == 4 || param == 8) {
            rl_move_to(rs, rs->cursor = rs->len);
        } else if (param == 3) {
            rl_delete(rs, rs->cursor, MIN(rs->cursor + 1, rs->len));
        }
        break;
    default:
        break;
    }
}

static void rl_handle_control(ReadlineState *rs, uint8_t ch)
{
    switch (ch) {
    case 1:     /* Ctrl-A (a mux takes it as its escape first) */
        rl_move_to(rs, rs->cursor = 0);
        break;
    case 2:     /* Ctrl-B */
        rl_handle_escape(rs, 'D', 0);
        break;
    case 4:     /* Ctrl-D: nothing on an empty line, else delete forward */
        rl_delete(rs, rs->cursor, MIN(rs->cursor + 1, rs->len));
        break;
    case 5:     /* Ctrl-E */
        rl_move_to(rs, rs->cursor = rs->len);
        break;
    case 6:     /* Ctrl-F */
        rl_handle_escape(rs, 'C', 0);
        break;
    case 8:     /* Backspace */
    case 127:   /* DEL, what most terminals send for Backspace */
        if (rs->cursor > 0) {
            rl_delete(rs, rs->cursor - 1, rs->cursor);
        }
        break;
    case 9:     /* Tab */
        rl_complete(rs);
        break;
    case 11:    /* Ctrl-K */
        rl_delete(rs, rs->cursor, rs->len);
        break;
    case 14:    /* Ctrl-N */
        rl_history_down(rs);
        break;
    case 16:    /* Ctrl-P */
        rl_history_up(rs);
        break;
    case 21:    /* Ctrl-U */
        rl_delete(rs, 0, rs->cursor);
        break;
    case 23:    /* Ctrl-W */
        rl_delete_word_back(rs);
        break;
    case 27:
        rs->esc = RL_ESC_START;
        break;
    default:
        break;
    }
}

void readline_handle_byte(ReadlineState *rs, uint8_t ch)
{
    bool was_cr = rs->last_cr;
    rs->last_cr = false;

    switch (rs->esc) {
    case RL_ESC_START:
        if (ch == '[') {
            rs->esc = RL_ESC_CSI;
            rs->esc_param = 0;
            rs->esc_param_done = false;
        } else if (ch == 'O') {
            rs->esc = RL_ESC_SS3;
        } else {
            rs->esc = RL_ESC_NONE;
        }
        return;
    case RL_ESC_CSI:
        if (ch >= '0' && ch <= '9') {
            if (!rs->esc_param_done && rs->esc_param < RL_ESC_PARAM_MAX) {
                rs->esc_param = rs->esc_param * 10 + (ch - '0');
            }
        } else if (ch == ';') {
            rs->esc_param_done = true;
        } else if (ch >= 0x40 && ch <= 0x7e) {
            rs->esc = RL_ESC_NONE;
            rl_handle_escape(rs, ch, rs->esc_param);
            rl_flush(rs);
        } else if (ch < 0x20 || ch > 0x7e) {
            rs->esc = RL_ESC_NONE;      /* not a sequence we understand: drop it */
        }
        return;
    case RL_ESC_SS3:
        rs->esc = RL_ESC_NONE;
        rl_handle_escape(rs, ch, 0);
        rl_flush(rs);
        return;
    case RL_ESC_NONE:
        break;
    }

    if (ch == '\r' || ch == '\n') {
        if (ch == '\n' && was_cr) {
            return;
        }
        rs->last_cr = ch == '\r';
        rl_enter(rs);
        return;
    }
    if (ch >= 0x20 && ch < 0x7f) {
        char c = ch;
        rl_insert(rs, &c, 1);
    } else {
        rl_handle_control(rs, ch);
    }
    rl_flush(rs);
}

/* ---- State ----------------------------------------------------------------- */

ReadlineState *readline_new(ReadlineWriteFunc *write, ReadlineLineFunc *line,
                            ReadlineCompleteFunc *complete, void *opaque)
{
    ReadlineState *rs = g_new0(ReadlineState, 1);
    rs->write = write;
    rs->line_fn = line;
    rs->complete = complete;
    rs->opaque = opaque;
    rs->prompt = g_strdup("");
    rs->history = g_ptr_array_new_with_free_func(g_free);
    rs->hist_pos = -1;
    rs->out = g_string_new(NULL);
    return rs;
}

void readline_free(ReadlineState *rs)
{
    if (!rs) {
        return;
    }
    g_free(rs->prompt);
    g_free(rs->saved_line);
    g_ptr_array_free(rs->history, true);
    g_string_free(rs->out, true);
    g_free(rs);
}

void readline_reset(ReadlineState *rs)
{
    rs->len = rs->cursor = rs->disp = 0;
    rs->esc = RL_ESC_NONE;
    rs->last_cr = false;
    rs->hist_pos = -1;
    g_clear_pointer(&rs->saved_line, g_free);
}

void readline_start(ReadlineState *rs, const char *prompt)
{
    g_free(rs->prompt);
    rs->prompt = g_strdup(prompt);
    rs->len = rs->cursor = rs->disp = 0;
    rs->hist_pos = -1;
    g_clear_pointer(&rs->saved_line, g_free);
}

void readline_show_prompt(ReadlineState *rs)
{
    g_string_append(rs->out, rs->prompt);
    g_string_append_len(rs->out, rs->buf, rs->len);
    rs->disp = rs->len;
    rl_move_to(rs, rs->cursor);
    rl_flush(rs);
}

unsigned readline_history_len(const ReadlineState *rs)
{
    return rs->history->len;
}

const char *readline_history_get(const ReadlineState *rs, unsigned index)
{
    return index < rs->history->len ? g_ptr_array_index(rs->history, index) : NULL;
}

void readline_history_add(ReadlineState *rs, const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (!*p) {
        return;
    }
    for (guint i = 0; i < rs->history->len; i++) {
        if (!strcmp(g_ptr_array_index(rs->history, i), line)) {
            g_ptr_array_remove_index(rs->history, i);
            break;
        }
    }
    if (rs->history->len >= READLINE_MAX_HISTORY) {
        g_ptr_array_remove_index(rs->history, 0);
    }
    g_ptr_array_add(rs->history, g_strdup(line));
}
