/*
 * Line editing for the human monitor: a byte-at-a-time editor that echoes
 * through a write callback and hands finished lines to a line callback.
 * It knows nothing of chardevs or commands.
 */
#ifndef MONITOR_READLINE_H
#define MONITOR_READLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define READLINE_MAX_LINE       4096
#define READLINE_MAX_HISTORY    64

typedef struct ReadlineState ReadlineState;

/* Terminal output (echo, cursor movement, prompt). */
typedef void ReadlineWriteFunc(void *opaque, const char *text, size_t len);
/* A finished line (without its end of line); the prompt is not reprinted. */
typedef void ReadlineLineFunc(void *opaque, const char *line);
/* Add to out (g_strdup'ed) the words that may complete the last word of cmdline. */
typedef void ReadlineCompleteFunc(void *opaque, const char *cmdline, GPtrArray *out);

ReadlineState *readline_new(ReadlineWriteFunc *write, ReadlineLineFunc *line,
                            ReadlineCompleteFunc *complete, void *opaque);
void readline_free(ReadlineState *rs);

/* Set the prompt and start an empty line (prints nothing). */
void readline_start(ReadlineState *rs, const char *prompt);
/* Print the prompt and the line being edited. */
void readline_show_prompt(ReadlineState *rs);
/* Forget the line being edited and any half-received escape sequence. */
void readline_reset(ReadlineState *rs);
/* Feed one byte of terminal input. */
void readline_handle_byte(ReadlineState *rs, uint8_t ch);

/* History, oldest first. */
unsigned readline_history_len(const ReadlineState *rs);
const char *readline_history_get(const ReadlineState *rs, unsigned index);
/* Add a line (the editor does this on Enter); duplicates move to the end. */
void readline_history_add(ReadlineState *rs, const char *line);

#endif
