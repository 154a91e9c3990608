/*
 * kemu-img output shared by several commands: JSON in qemu-img's layout and
 * the snapshot table.
 */
#include "tools/kemu-img.h"
#include "util/cutils.h"

#include <inttypes.h>
#include <time.h>

void img_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void json_item(JsonOut *j, const char *key)
{
    if (j->count[j->depth]++) {
        fputc(',', j->f);
    }
    if (j->depth) {
        fprintf(j->f, "\n%*s", j->depth * 4, "");
    }
    if (key) {
        img_json_string(j->f, key);
        fputs(": ", j->f);
    }
}

void json_open(JsonOut *j, const char *key, char bracket)
{
    json_item(j, key);
    fputc(bracket, j->f);
    j->depth++;
    j->count[j->depth] = 0;
}

void json_close(JsonOut *j, char bracket)
{
    bool had = j->count[j->depth] > 0;
    j->depth--;
    if (had) {
        fprintf(j->f, "\n%*s", j->depth * 4, "");
    }
    fputc(bracket, j->f);
    if (!j->depth) {
        fputc('\n', j->f);
    }
}

void json_int(JsonOut *j, const char *key, int64_t v)
{
    json_item(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void json_bool(JsonOut *j, const char *key, bool v)
{
    json_item(j, key);
    fputs(v ? "true" : "false", j->f);
}

void json_str(JsonOut *j, const char *key, const char *v)
{
    json_item(j, key);
    img_json_string(j->f, v);
}

static void snapshot_row(char *out, size_t len, const BlockSnapshotInfo *sn)
{
    char date[64], clock[64], icount[32] = "";
    time_t t = sn->date_sec;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    uint64_t ms = sn->vm_clock_nsec / 1000000;
    snprintf(clock, sizeof(clock), "%02" PRIu64 ":%02d:%02d.%03d", ms / 3600000,
             (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), (int)(ms % 1000));
    if (sn->icount >= 0) {
        snprintf(icount, sizeof(icount), "%" PRId64, sn->icount);
    }
    char *vm = size_to_str(sn->vm_state_size);
    snprintf(out, len, "%-9s %-17s %7s%20s%13s%11s", sn->id, sn->name, vm, date, clock,
             icount);
    g_free(vm);
}

void img_print_snapshots(const BlockSnapshotInfo *sn, int n)
{
    char line[512];
    printf("Snapshot list:\n");
    printf("%-9s %-17s %7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
           "ICOUNT");
    for (int i = 0; i < n; i++) {
        snapshot_row(line, sizeof(line), &sn[i]);
        printf("%s\n", line);
    }
}

