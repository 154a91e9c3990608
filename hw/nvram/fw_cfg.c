/*
 * The firmware configuration device on x86 port I/O (QEMU docs/specs/fw_cfg.rst).
 *
 * Registers:
 *   iobase       selector, 16-bit write (the key; resets the data offset)
 *   iobase+0/1   data, 8-bit read: the next byte of the selected item, 0 past its end
 *   dma_iobase   DMA address, 64-bit big endian: the high half at +0, the low half
 *                at +4; writing the low half runs the FWCfgDmaAccess at that address.
 *
 * DMA reaches guest RAM only: a descriptor or buffer that is not wholly RAM
 * (ROM for a device-to-guest copy, MMIO, a hole, past the end of RAM, or a
 * range that wraps) fails the transfer with FW_CFG_DMA_CTL_ERROR and copies
 * nothing.
 */
#include "hw/nvram/fw_cfg.h"

#include <string.h>
#include <glib.h>

#include "hw/core/qdev.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/log.h"

#define FW_CFG_CTL_SIZE     2
#define FW_CFG_DMA_SIZE     8
#define FW_CFG_FILE_SLOTS_MIN 0x10
/* Keys are 14 bits: the last file must have a key at most FW_CFG_ENTRY_MASK. */
#define FW_CFG_FILE_SLOTS_MAX (FW_CFG_ENTRY_MASK + 1 - FW_CFG_FILE_FIRST)

typedef struct FWCfgEntry {
    bool present;
    uint8_t *data;              /* our own copy; NULL when len is 0 */
    uint32_t len;
    bool writable;              /* by DMA, within len */
    FWCfgWriteCallback write_cb;
    void *opaque;
} FWCfgEntry;

struct FWCfgState {
    DeviceState parent_obj;
    /* Properties. */
    uint16_t iobase;
    uint16_t dma_iobase;
    bool dma_enabled;
    uint16_t file_slots;
    /* Items: entries[0] generic keys, entries[1] arch-local keys; max_entries each. */
    FWCfgEntry *entries[2];
    unsigned max_entries;
    /* File names, sorted; file i has key FW_CFG_FILE_FIRST + i. */
    char (*file_names)[FW_CFG_MAX_FILE_PATH];
    unsigned file_count;
    /* Guest-visible state (migrated). */
    uint16_t cur_key;
    uint32_t cur_offset;        /* never above the selected item's length */
    uint64_t dma_addr;          /* the high half, latched until the low half comes */
    MemoryRegion ctl_io;
    MemoryRegion dma_io;
};

static FWCfgState *fw_cfg_singleton;

static inline FWCfgState *FW_CFG(DeviceState *dev)
{
    return (FWCfgState *)object_check(&dev->parent_obj, TYPE_FW_CFG_IO);
}

/* ---- Byte order helpers ------------------------------------------------------- */

static inline void fw_cfg_st_be(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * (size - 1 - i));
    }
}

static inline uint64_t fw_cfg_ld_be(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static inline void fw_cfg_st_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

/* ---- Items -------------------------------------------------------------------- */

/* The item a key selects, or NULL (reads as zeros). */
static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint16_t key)
{
    unsigned index = key & FW_CFG_ENTRY_MASK;

    if (!s->entries[0] || index >= s->max_entries) {
        return NULL;
    }
    FWCfgEntry *e = &s->entries[(key & FW_CFG_ARCH_LOCAL) ? 1 : 0][index];
    return e->present ? e : NULL;
}

/* The slot for a key the board names; a key out of range is a programming error. */
static FWCfgEntry *fw_cfg_slot(FWCfgState *s, uint16_t key)
{
    unsigned index = key & FW_CFG_ENTRY_MASK;

    g_assert(s->entries[0] && index < s->max_entries);
    return &s->entries[(key & FW_CFG_ARCH_LOCAL) ? 1 : 0][index];
}

/* Replace an entry's data with a copy of data (NULL data with len 0 is fine). */
static void fw_cfg_entry_set(FWCfgEntry *e, const void *data, size_t len)
{
    g_assert(len <= UINT32_MAX);
    g_free(e->data);
    e->data = NULL;
    if (len) {
        e->data = g_malloc(len);
        memcpy(e->data, data, len);
    }
    e->len = len;
    e->present = true;
}

static void fw_cfg_entry_clear(FWCfgEntry *e)
{
    g_free(e->data);
    *e = (FWCfgEntry){ 0 };
}

/* A numbered (non-file) key; the directory and the files have their own functions. */
static FWCfgEntry *fw_cfg_slot_numbered(FWCfgState *s, uint16_t key)
{
    g_assert((key & FW_CFG_ARCH_LOCAL) || (key & FW_CFG_ENTRY_MASK) < FW_CFG_FILE_DIR);
    return fw_cfg_slot(s, key);
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    FWCfgEntry *e = fw_cfg_slot_numbered(s, key);

    g_assert(!e->present);      /* two users of one key */
    fw_cfg_entry_set(e, data, len);
}

void fw_cfg_modify_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    fw_cfg_entry_set(fw_cfg_slot_numbered(s, key), data, len);
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_add_bytes(s, key, value, strlen(value) + 1);
}

void fw_cfg_modify_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_modify_bytes(s, key, value, strlen(value) + 1);
}

static void fw_cfg_set_int(FWCfgState *s, uint16_t key, uint64_t value, unsigned size,
                           bool modify)
{
    uint8_t buf[8];

    fw_cfg_st_le(buf, size, value);
    if (modify) {
        fw_cfg_modify_bytes(s, key, buf, size);
    } else {
        fw_cfg_add_bytes(s, key, buf, size);
    }
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    fw_cfg_set_int(s, key, value, 2, false);
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    fw_cfg_set_int(s, key, value, 4, false);
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    fw_cfg_set_int(s, key, value, 8, false);
}

void fw_cfg_modify_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    fw_cfg_set_int(s, key, value, 2, true);
}

void fw_cfg_modify_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    fw_cfg_set_int(s, key, value, 4, true);
}

void fw_cfg_modify_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    fw_cfg_set_int(s, key, value, 8, true);
}

/* ---- Files -------------------------------------------------------------------- */

static int fw_cfg_file_index(FWCfgState *s, const char *name)
{
    for (unsigned i = 0; i < s->file_count; i++) {
        if (strcmp(s->file_names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* fw_cfg.rst "File Directory": be32 count, then {be32 size, be16 select, be16 0, name[56]}. */
static void fw_cfg_update_dir(FWCfgState *s)
{
    size_t size = 4 + (size_t)FW_CFG_DIR_ENTRY_SIZE * s->file_count;
    uint8_t *dir = g_malloc0(size);

    fw_cfg_st_be(dir, 4, s->file_count);
    for (unsigned i = 0; i < s->file_count; i++) {
        uint8_t *p = dir + 4 + FW_CFG_DIR_ENTRY_SIZE * i;
        fw_cfg_st_be(p, 4, s->entries[0][FW_CFG_FILE_FIRST + i].len);
        fw_cfg_st_be(p + 4, 2, FW_CFG_FILE_FIRST + i);
        memcpy(p + 8, s->file_names[i], strlen(s->file_names[i]));
    }
    fw_cfg_entry_set(&s->entries[0][FW_CFG_FILE_DIR], dir, size);
    g_free(dir);
}

/*
 * Insert a file where its name sorts (as QEMU does for current machine
 * types): the files after it move up one key.
 */
static bool fw_cfg_file_insert(FWCfgState *s, const char *name, const void *data, size_t len,
                               FWCfgWriteCallback write_cb, void *opaque, bool read_only,
                               Error **errp)
{
    size_t name_len = strlen(name);
    unsigned index;

    g_assert(s->entries[0]);
    if (name_len == 0 || name_len >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "fw_cfg file name '%s' must have 1 to %d characters", name,
                   FW_CFG_MAX_FILE_PATH - 1);
        return false;
    }
    if (len > UINT32_MAX) {
        error_setg(errp, "fw_cfg file '%s' is too large (%zu bytes)", name, len);
        return false;
    }
    if (fw_cfg_file_index(s, name) >= 0) {
        error_setg(errp, "duplicate fw_cfg file name: %s", name);
        return false;
    }
    if (s->file_count >= s->file_slots) {
        error_setg(errp, "no free fw_cfg file slot for '%s' (%u in use)", name, s->file_slots);
        return false;
    }

    for (index = s->file_count; index > 0 && strcmp(name, s->file_names[index - 1]) < 0;
         index--) {
    }
    unsigned tail = s->file_count - index;
    memmove(&s->file_names[index + 1], &s->file_names[index], tail * sizeof(s->file_names[0]));
    memmove(&s->entries[0][FW_CFG_FILE_FIRST + index + 1],
            &s->entries[0][FW_CFG_FILE_FIRST + index], tail * sizeof(FWCfgEntry));
    s->file_count++;

    memset(s->file_names[index], 0, FW_CFG_MAX_FILE_PATH);
    memcpy(s->file_names[index], name, name_len);
    FWCfgEntry *e = &s->entries[0][FW_CFG_FILE_FIRST + index];
    *e = (FWCfgEntry){ 0 };
    fw_cfg_entry_set(e, data, len);
    e->writable = !read_only;
    e->write_cb = write_cb;
    e->opaque = opaque;
    fw_cfg_update_dir(s);
    return true;
}

/* A board-side file: a bad name is the board's bug. */
static void fw_cfg_file_insert_or_die(FWCfgState *s, const char *name, const void *data,
                                      size_t len, FWCfgWriteCallback write_cb, void *opaque,
                                      bool read_only)
{
    Error *err = NULL;

    if (!fw_cfg_file_insert(s, name, data, len, write_cb, opaque, read_only, &err)) {
        g_error("%s", error_get_pretty(err));
    }
}

void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    fw_cfg_file_insert_or_die(s, name, data, len, NULL, NULL, true);
}

void fw_cfg_add_file_callback(FWCfgState *s, const char *name, const void *data, size_t len,
                              FWCfgWriteCallback write_cb, void *opaque, bool read_only)
{
    fw_cfg_file_insert_or_die(s, name, data, len, write_cb, opaque, read_only);
}

void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    int i = fw_cfg_file_index(s, name);

    if (i < 0) {
        fw_cfg_add_file(s, name, data, len);
        return;
    }
    fw_cfg_entry_set(&s->entries[0][FW_CFG_FILE_FIRST + i], data, len);
    fw_cfg_update_dir(s);
}

bool fw_cfg_add_user_file(FWCfgState *s, const char *name, const void *data, size_t len,
                          Error **errp)
{
    return fw_cfg_file_insert(s, name, data, len, NULL, NULL, true, errp);
}

const uint8_t *fw_cfg_get_file(FWCfgState *s, const char *name, size_t *len)
{
    int i = fw_cfg_file_index(s, name);

    if (i < 0) {
        return NULL;
    }
    FWCfgEntry *e = &s->entries[0][FW_CFG_FILE_FIRST + i];
    *len = e->len;
    /* A non-NULL pointer also for an empty file, so "found" is unambiguous. */
    return e->data ? e->data : (const uint8_t *)"";
}

/* ---- Selector and data ports ---------------------------------------------------- */

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_offset = 0;
}

/* Bytes of the selected item left to read. */
static uint32_t fw_cfg_avail(FWCfgState *s, FWCfgEntry *e)
{
    return e && s->cur_offset < e->len ? e->len - s->cur_offset : 0;
}

static uint64_t fw_cfg_ctl_read(void *opaque, hwaddr addr, unsigned size)
{
    FWCfgState *s = opaque;

    if (size != 1) {
        log_mask(LOG_GUEST_ERROR, "fw_cfg: %u-byte read of the data port\n", size);
        return UINT64_MAX;
    }
    /* Both ports read data, as QEMU's combined region does; 0 past the end. */
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    if (!fw_cfg_avail(s, e)) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

static void fw_cfg_ctl_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;

    if (size == 2) {
        fw_cfg_select(s, val);
    } else {
        /* fw_cfg.rst: data port writes are ignored since QEMU 2.4 (DMA writes instead). */
        log_mask(LOG_UNIMP, "fw_cfg: data port write 0x%02x ignored\n", (unsigned)val & 0xff);
    }
}

static const MemoryRegionOps fw_cfg_ctl_ops = {
    .read = fw_cfg_ctl_read,
    .write = fw_cfg_ctl_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
};

/* ---- DMA -------------------------------------------------------------------------- */

/*
 * Whether [addr, addr + len) is all RAM (writable RAM if to_guest).  The
 * device reaches nothing else, so a stray address can never land on MMIO.
 */
static bool fw_cfg_dma_check(hwaddr addr, uint64_t len, bool to_guest)
{
    if (len && addr + (len - 1) < addr) {
        return false;           /* wraps past 2^64 */
    }
    while (len) {
        hwaddr plen = len;
        if (!address_space_ram_ptr(address_space_memory(), addr, &plen, to_guest)) {
            return false;
        }
        addr += plen;
        len -= plen;
    }
    return true;
}

/* Copy between guest RAM and buf (buf NULL with to_guest: zero fill); checked before. */
static void fw_cfg_dma_copy(hwaddr addr, uint8_t *buf, uint64_t len, bool to_guest)
{
    while (len) {
        hwaddr plen = len;
        uint8_t *p = address_space_ram_ptr(address_space_memory(), addr, &plen, to_guest);

        g_assert(p);
        if (!to_guest) {
            memcpy(buf, p, plen);
        } else if (buf) {
            memcpy(p, buf, plen);
        } else {
            memset(p, 0, plen);
        }
        addr += plen;
        len -= plen;
        if (buf) {
            buf += plen;
        }
    }
}

/* fw_cfg.rst: read `length` bytes into guest RAM; past the item's end they are zeros. */
static bool fw_cfg_dma_read(FWCfgState *s, uint64_t address, uint32_t length)
{
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    uint32_t n = MIN(length, fw_cfg_avail(s, e));

    if (!fw_cfg_dma_check(address, length, true)) {
        return false;
    }
    if (n) {
        fw_cfg_dma_copy(address, e->data + s->cur_offset, n, true);
    }
    fw_cfg_dma_copy(address + n, NULL, length - n, true);
    s->cur_offset += n;
    return true;
}

/*
 * fw_cfg.rst: a write may neither start nor end past the item (no resizing;
 * a truncated write is dropped whole) and only writable items take one.
 */
static bool fw_cfg_dma_write(FWCfgState *s, uint64_t address, uint32_t length)
{
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    uint32_t offset = s->cur_offset;

    if (length == 0) {
        return true;
    }
    if (!e || !e->writable || length > fw_cfg_avail(s, e) ||
        !fw_cfg_dma_check(address, length, false)) {
        return false;
    }
    fw_cfg_dma_copy(address, e->data + offset, length, false);
    s->cur_offset += length;
    /* Last: the callback may modify items, e included. */
    if (e->write_cb) {
        e->write_cb(e->opaque, offset, e->data + offset, length);
    }
    return true;
}

/* Run the FWCfgDmaAccess at desc and write its control word back (0 or ERROR). */
static void fw_cfg_dma_transfer(FWCfgState *s, hwaddr desc)
{
    uint8_t raw[FW_CFG_DMA_ACCESS_SIZE];
    bool ok = true;

    if (fw_cfg_dma_check(desc, sizeof(raw), false)) {
        fw_cfg_dma_copy(desc, raw, sizeof(raw), false);
        uint32_t control = fw_cfg_ld_be(raw, 4);
        uint32_t length = fw_cfg_ld_be(raw + 4, 4);
        uint64_t address = fw_cfg_ld_be(raw + 8, 8);

        if (control & FW_CFG_DMA_CTL_SELECT) {
            fw_cfg_select(s, control >> 16);
        }
        /* One operation; READ wins over WRITE over SKIP, as in QEMU. */
        if (control & FW_CFG_DMA_CTL_READ) {
            ok = fw_cfg_dma_read(s, address, length);
        } else if (control & FW_CFG_DMA_CTL_WRITE) {
            ok = fw_cfg_dma_write(s, address, length);
        } else if (control & FW_CFG_DMA_CTL_SKIP) {
            s->cur_offset += MIN(length, fw_cfg_avail(s, fw_cfg_entry(s, s->cur_key)));
        }
    } else {
        log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%" HWADDR_PRIx
                 " is not in RAM\n", desc);
        ok = false;
    }
    if (!ok) {
        log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA transfer at 0x%" HWADDR_PRIx " failed\n", desc);
    }

    uint8_t control[4];
    fw_cfg_st_be(control, 4, ok ? 0 : FW_CFG_DMA_CTL_ERROR);
    if (fw_cfg_dma_check(desc, sizeof(control), true)) {
        fw_cfg_dma_copy(desc, control, sizeof(control), true);
    }
}

/* fw_cfg.rst: reading the DMA address register returns "QEMU CFG". */
static uint64_t fw_cfg_dma_io_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < size && addr + i < FW_CFG_DMA_SIZE; i++) {
        uint8_t byte = FW_CFG_DMA_SIGNATURE >> (8 * (FW_CFG_DMA_SIZE - 1 - (addr + i)));
        val |= (uint64_t)byte << (8 * i);
    }
    return val;
}

static void fw_cfg_dma_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;
    /* A port write is little endian; the register is big endian. */
    uint64_t half = GUINT32_SWAP_LE_BE((uint32_t)val);

    if (size != 4 || (addr != 0 && addr != 4)) {
        log_mask(LOG_GUEST_ERROR, "fw_cfg: %u-byte DMA register write at +%u ignored\n",
                 size, (unsigned)addr);
        return;
    }
    if (addr == 0) {
        s->dma_addr = half << 32;
        return;
    }
    hwaddr desc = s->dma_addr | half;
    s->dma_addr = 0;            /* 0 after each operation */
    fw_cfg_dma_transfer(s, desc);
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_io_read,
    .write = fw_cfg_dma_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- Device ------------------------------------------------------------------------ */

static bool fw_cfg_realize(DeviceState *dev, Error **errp)
{
    FWCfgState *s = FW_CFG(dev);
    uint32_t version = FW_CFG_VERSION;

    if (fw_cfg_singleton) {
        error_setg(errp, "at most one %s device is permitted", TYPE_FW_CFG_IO);
        return false;
    }
    if (s->file_slots < FW_CFG_FILE_SLOTS_MIN || s->file_slots > FW_CFG_FILE_SLOTS_MAX) {
        error_setg(errp, "x-file-slots must be between 0x%x and 0x%x",
                   FW_CFG_FILE_SLOTS_MIN, FW_CFG_FILE_SLOTS_MAX);
        return false;
    }
    if (s->iobase > 0x10000 - FW_CFG_CTL_SIZE ||
        (s->dma_enabled && s->dma_iobase > 0x10000 - FW_CFG_DMA_SIZE)) {
        error_setg(errp, "fw_cfg ports out of the I/O space");
        return false;
    }
    if (s->dma_enabled && s->dma_iobase < s->iobase + FW_CFG_CTL_SIZE &&
        s->iobase < s->dma_iobase + FW_CFG_DMA_SIZE) {
        error_setg(errp, "fw_cfg DMA register overlaps the selector and data ports");
        return false;
    }

    s->max_entries = FW_CFG_FILE_FIRST + s->file_slots;
    s->entries[0] = g_new0(FWCfgEntry, s->max_entries);
    s->entries[1] = g_new0(FWCfgEntry, s->max_entries);
    s->file_names = g_malloc0((size_t)s->file_slots * sizeof(s->file_names[0]));
    s->file_count = 0;

    memory_region_init_io(&s->ctl_io, &dev->parent_obj, &fw_cfg_ctl_ops, s, "fwcfg",
                          FW_CFG_CTL_SIZE);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->ctl_io);
    if (s->dma_enabled) {
        memory_region_init_io(&s->dma_io, &dev->parent_obj, &fw_cfg_dma_ops, s, "fwcfg.dma",
                              FW_CFG_DMA_SIZE);
        memory_region_add_subregion(get_system_io(), s->dma_iobase, &s->dma_io);
        version |= FW_CFG_VERSION_DMA;
    }

    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, version);
    fw_cfg_update_dir(s);       /* an empty directory until files come */
    fw_cfg_singleton = s;
    return true;
}

static void fw_cfg_unrealize(DeviceState *dev)
{
    FWCfgState *s = FW_CFG(dev);

    memory_region_finalize(&s->ctl_io);
    if (s->dma_enabled) {
        memory_region_finalize(&s->dma_io);
    }
    for (unsigned arch = 0; arch < 2; arch++) {
        for (unsigned i = 0; i < s->max_entries; i++) {
            fw_cfg_entry_clear(&s->entries[arch][i]);
        }
        g_free(s->entries[arch]);
        s->entries[arch] = NULL;
    }
    g_free(s->file_names);
    s->file_names = NULL;
    s->file_count = 0;
    s->max_entries = 0;
    if (fw_cfg_singleton == s) {
        fw_cfg_singleton = NULL;
    }
}

static void fw_cfg_reset(DeviceState *dev)
{
    FWCfgState *s = FW_CFG(dev);

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

FWCfgState *fw_cfg_init_io(uint16_t iobase, uint16_t dma_iobase, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_FW_CFG_IO);
    FWCfgState *s = FW_CFG(dev);

    s->iobase = iobase;
    s->dma_iobase = dma_iobase;
    s->dma_enabled = dma_iobase != 0;
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    return s;
}

FWCfgState *fw_cfg_find(void)
{
    return fw_cfg_singleton;
}

/* The items are the board's and are rebuilt on the destination; only the registers move. */
static const VMStateField fw_cfg_vmstate_fields[] = {
    VMS_FIELD(FWCfgState, cur_key, VMS_U16),
    VMS_FIELD(FWCfgState, cur_offset, VMS_U32),
    VMS_FIELD(FWCfgState, dma_addr, VMS_U64),
    VMS_END,
};

static const VMStateDescription fw_cfg_vmstate = {
    .name = "fw_cfg",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = fw_cfg_vmstate_fields,
};

static const Property fw_cfg_props[] = {
    PROP_UINT16("iobase", FWCfgState, iobase, FW_CFG_IO_BASE),
    PROP_UINT16("dma_iobase", FWCfgState, dma_iobase, FW_CFG_IO_DMA_BASE),
    PROP_BOOL("dma_enabled", FWCfgState, dma_enabled, true),
    PROP_UINT16("x-file-slots", FWCfgState, file_slots, FW_CFG_FILE_SLOTS_DEFAULT),
    PROP_END,
};

static void fw_cfg_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = fw_cfg_realize;
    dc->unrealize = fw_cfg_unrealize;
    dc->reset = fw_cfg_reset;
    dc->vmsd = &fw_cfg_vmstate;
    dc->user_creatable = false;     /* the board makes it */
    object_class_set_props(oc, fw_cfg_props);
}

static const TypeInfo fw_cfg_type = {
    .name = TYPE_FW_CFG_IO,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(FWCfgState),
    .desc = "QEMU firmware configuration device (I/O ports)",
    .class_init = fw_cfg_class_init,
};

void fw_cfg_register_types(void)
{
    type_register(&fw_cfg_type);
}
