/*
 * A few cluster-sized tables (L2 tables, refcount blocks) kept in memory,
 * least recently used out.  Nothing is ever dirty here: metadata is written
 * through (see qcow2.h), the cache only saves the reads.
 */
#include "block/qcow2.h"

#include <errno.h>
#include <inttypes.h>

void qcow2_cache_init(Qcow2Cache *c, int n)
{
    c->entries = g_new0(Qcow2CacheEntry, n);
    c->n = n;
    c->lru_counter = 0;
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    for (int i = 0; i < c->n; i++) {
        g_free(c->entries[i].data);
    }
    g_free(c->entries);
    c->entries = NULL;
    c->n = 0;
}

void qcow2_cache_invalidate(Qcow2Cache *c, uint64_t offset)
{
    for (int i = 0; i < c->n; i++) {
        if (c->entries[i].offset == offset) {
            c->entries[i].offset = 0;
        }
    }
}

void qcow2_cache_clear(Qcow2Cache *c)
{
    for (int i = 0; i < c->n; i++) {
        c->entries[i].offset = 0;
    }
}

int qcow2_cache_get(BDRVQcow2State *s, Qcow2Cache *c, uint64_t offset, bool fresh,
                    uint8_t **data)
{
    int victim = 0;
    for (int i = 0; i < c->n; i++) {
        if (c->entries[i].offset == offset) {
            c->entries[i].lru = ++c->lru_counter;
            if (fresh) {
                memset(c->entries[i].data, 0, s->cluster_size);
            }
            *data = c->entries[i].data;
            return 0;
        }
        if (c->entries[i].lru < c->entries[victim].lru) {
            victim = i;
        }
    }
    Qcow2CacheEntry *e = &c->entries[victim];
    if (!e->data) {
        e->data = g_malloc(s->cluster_size);
    }
    e->offset = 0;
    if (fresh) {
        memset(e->data, 0, s->cluster_size);
    } else {
        /* Checked here, on the way in: a table past the end would read as zeros. */
        int64_t file_len = blk_getlength(s->file);
        if (file_len < 0 || offset + s->cluster_size > (uint64_t)file_len) {
            return qcow2_signal_corruption(s, "Metadata table at %#" PRIx64 " lies beyond "
                                           "the end of the file", offset);
        }
        int ret = blk_pread(s->file, offset, e->data, s->cluster_size);
        if (ret < 0) {
            return ret;
        }
    }
    e->offset = offset;
    e->lru = ++c->lru_counter;
    *data = e->data;
    return 0;
}
