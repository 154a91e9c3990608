/*
 * The e820 memory map: a bounded table and its two guest encodings.
 */
#include "hw/i386/e820.h"

#include <inttypes.h>
#include <glib.h>

#include "hw/nvram/fw_cfg.h"

bool e820_add_entry(E820Table *t, uint64_t addr, uint64_t len, uint32_t type, Error **errp)
{
    if (len == 0 || addr + (len - 1) < addr) {
        error_setg(errp, "e820 range 0x%" PRIx64 "+0x%" PRIx64 " is empty or wraps",
                   addr, len);
        return false;
    }
    if (t->count >= E820_MAX_ENTRIES) {
        error_setg(errp, "e820 table is full (%d entries)", E820_MAX_ENTRIES);
        return false;
    }
    t->entries[t->count++] = (E820Entry){ .addr = addr, .len = len, .type = type };
    return true;
}

static void e820_st_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

/* The first n entries as packed {le64 addr; le64 len; le32 type}. */
static void e820_encode(const E820Table *t, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + i * E820_ENTRY_SIZE;
        e820_st_le(p, 8, t->entries[i].addr);
        e820_st_le(p + 8, 8, t->entries[i].len);
        e820_st_le(p + 16, 4, t->entries[i].type);
    }
}

void e820_to_fw_cfg(const E820Table *t, FWCfgState *fw_cfg)
{
    size_t n = MIN(t->count, E820_MAX_ENTRIES);
    uint8_t *buf = g_malloc0(n * E820_ENTRY_SIZE);  /* NULL for an empty table: fine */

    e820_encode(t, buf, n);
    fw_cfg_modify_file(fw_cfg, "etc/e820", buf, n * E820_ENTRY_SIZE);
    g_free(buf);
}

size_t e820_to_boot_params(const E820Table *t, uint8_t *e820_entries_area, size_t max_entries)
{
    size_t n = MIN(MIN((size_t)t->count, (size_t)E820_MAX_ENTRIES), max_entries);

    e820_encode(t, e820_entries_area, n);
    return n;
}
