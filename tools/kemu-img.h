/* kemu-img: what the command files share. */
#ifndef TOOLS_KEMU_IMG_H
#define TOOLS_KEMU_IMG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "block/block.h"

/* Exit status of a failed command, as qemu-img's. */
#define IMG_EXIT_ERROR 1

/* Commands: argv[0] is the command name; the return value is the exit status. */
int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_check(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_map(int argc, char **argv);
int img_measure(int argc, char **argv);
int img_snapshot(int argc, char **argv);
int img_resize(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_rebase(int argc, char **argv);

/* Open an image, reporting failures as "Could not open 'x': reason". */
BlockDriverState *img_open(const char *filename, const char *fmt, int flags);
/* A size argument with optional k/M/G/T/P/E suffix; reports bad ones. */
bool img_parse_size(const char *str, int64_t *size);
/* Append "a,b" -o options (a later -o adds to the earlier ones). */
void img_add_options(char **options, const char *more);
/* "human" or "json" for --output; reports anything else. */
bool img_parse_output(const char *arg, bool *json);
/* Report a usage error (and the --help hint). */
int img_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Set up -t/-T cache flags; reports an unknown mode. */
bool img_parse_cache(const char *mode, int *flags);

/* -p progress: "    (xx.xx/100%)" rewritten in place on stdout. */
void img_progress(bool enabled, double done, double total);
void img_progress_end(bool enabled);

/* JSON output in qemu-img's layout (4-space indentation, one value a line). */
void img_json_string(FILE *f, const char *s);
typedef struct JsonOut {
    FILE *f;
    int depth;
    int count[16];      /* values written so far at each depth */
} JsonOut;
/* Open an object ('{') or array ('['); key is NULL inside arrays and at the top. */
void json_open(JsonOut *j, const char *key, char bracket);
void json_close(JsonOut *j, char bracket);
void json_int(JsonOut *j, const char *key, int64_t v);
void json_bool(JsonOut *j, const char *key, bool v);
void json_str(JsonOut *j, const char *key, const char *v);

/* The "Snapshot list:" table of info and snapshot -l. */
void img_print_snapshots(const BlockSnapshotInfo *sn, int n);

#endif
