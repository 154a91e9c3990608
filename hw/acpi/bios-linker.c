/*
 * Table-loader commands: writing them for the firmware and carrying them out
 * for direct boot.  Layout of a command (all little endian):
 *   0   u32 command
 *   4   ALLOCATE:     file[56], u32 align, u8 zone
 *       ADD_POINTER:  dest_file[56], src_file[56], u32 offset, u8 size
 *       ADD_CHECKSUM: file[56], u32 offset, u32 start, u32 length
 *   the rest of the 128 bytes is zero.
 */
#include "hw/acpi/bios-linker.h"

#include <string.h>

#include "util/bswap.h"

static uint8_t *linker_new_entry(GByteArray *linker, uint32_t cmd)
{
    size_t at = linker->len;
    g_byte_array_set_size(linker, at + BIOS_LINKER_ENTRY_SIZE);
    uint8_t *e = linker->data + at;
    memset(e, 0, BIOS_LINKER_ENTRY_SIZE);
    for (int i = 0; i < 4; i++) {
        e[i] = cmd >> (8 * i);
    }
    return e;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void put_name(uint8_t *p, const char *name)
{
    /* Names are the board's constants: one that does not fit is a bug. */
    g_assert(strlen(name) < BIOS_LINKER_FILESZ);
    memcpy(p, name, strlen(name));
}

void bios_linker_allocate(GByteArray *linker, const char *file, uint32_t align, uint8_t zone)
{
    g_assert(align && !(align & (align - 1)));
    g_assert(zone == BIOS_LINKER_ZONE_HIGH || zone == BIOS_LINKER_ZONE_FSEG);
    uint8_t *e = linker_new_entry(linker, BIOS_LINKER_CMD_ALLOCATE);
    put_name(e + 4, file);
    put_u32(e + 4 + BIOS_LINKER_FILESZ, align);
    e[4 + BIOS_LINKER_FILESZ + 4] = zone;
}

void bios_linker_add_pointer(GByteArray *linker, const char *dest_file, uint32_t offset,
                             uint8_t size, const char *src_file)
{
    g_assert(size == 1 || size == 2 || size == 4 || size == 8);
    uint8_t *e = linker_new_entry(linker, BIOS_LINKER_CMD_ADD_POINTER);
    put_name(e + 4, dest_file);
    put_name(e + 4 + BIOS_LINKER_FILESZ, src_file);
    put_u32(e + 4 + 2 * BIOS_LINKER_FILESZ, offset);
    e[4 + 2 * BIOS_LINKER_FILESZ + 4] = size;
}

void bios_linker_add_checksum(GByteArray *linker, const char *file, uint32_t start,
                              uint32_t len, uint32_t csum_offset)
{
    g_assert(csum_offset >= start && csum_offset < start + len);
    uint8_t *e = linker_new_entry(linker, BIOS_LINKER_CMD_ADD_CHECKSUM);
    put_name(e + 4, file);
    put_u32(e + 4 + BIOS_LINKER_FILESZ, csum_offset);
    put_u32(e + 4 + BIOS_LINKER_FILESZ + 4, start);
    put_u32(e + 4 + BIOS_LINKER_FILESZ + 8, len);
}

/* ---- Carrying the commands out ----------------------------------------------- */

typedef struct LoaderFile {
    BiosLinkerFile *file;
    bool allocated;
} LoaderFile;

/* The file named by the 56-byte field at p, or NULL with errp set. */
static LoaderFile *loader_find(LoaderFile *files, unsigned nfiles, const uint8_t *p,
                               bool must_be_allocated, Error **errp)
{
    if (!memchr(p, 0, BIOS_LINKER_FILESZ)) {
        error_setg(errp, "table loader: file name not terminated");
        return NULL;
    }
    for (unsigned i = 0; i < nfiles; i++) {
        if (!strcmp(files[i].file->name, (const char *)p)) {
            if (must_be_allocated && !files[i].allocated) {
                error_setg(errp, "table loader: '%s' used before it is allocated", p);
                return NULL;
            }
            return &files[i];
        }
    }
    error_setg(errp, "table loader: no file '%s'", p);
    return NULL;
}

static bool range_ok(const BiosLinkerFile *f, uint64_t start, uint64_t len)
{
    return start <= f->len && len <= f->len - start;
}

static bool loader_allocate(LoaderFile *files, unsigned nfiles, const uint8_t *e,
                            Error **errp)
{
    LoaderFile *lf = loader_find(files, nfiles, e + 4, false, errp);
    if (!lf) {
        return false;
    }
    uint32_t align = ld_le32(e + 4 + BIOS_LINKER_FILESZ);
    if (lf->allocated) {
        error_setg(errp, "table loader: '%s' allocated twice", lf->file->name);
        return false;
    }
    if (!align || (align & (align - 1)) || (lf->file->addr & (align - 1))) {
        error_setg(errp, "table loader: '%s' at 0x%" G_GINT64_MODIFIER "x is not aligned to %u",
                   lf->file->name, lf->file->addr, align);
        return false;
    }
    lf->allocated = true;
    return true;
}

static bool loader_add_pointer(LoaderFile *files, unsigned nfiles, const uint8_t *e,
                               Error **errp)
{
    LoaderFile *dest = loader_find(files, nfiles, e + 4, true, errp);
    LoaderFile *src = dest ? loader_find(files, nfiles, e + 4 + BIOS_LINKER_FILESZ, true, errp)
                           : NULL;
    if (!src) {
        return false;
    }
    uint32_t offset = ld_le32(e + 4 + 2 * BIOS_LINKER_FILESZ);
    uint8_t size = e[4 + 2 * BIOS_LINKER_FILESZ + 4];
    if ((size != 1 && size != 2 && size != 4 && size != 8) ||
        !range_ok(dest->file, offset, size)) {
        error_setg(errp, "table loader: bad pointer at %u (size %u) in '%s'", offset, size,
                   dest->file->name);
        return false;
    }
    uint8_t *p = dest->file->data + offset;
    uint64_t val = ld_le_n(p, size) + src->file->addr;
    if (size < 8 && (val >> (8 * size))) {
        error_setg(errp, "table loader: address of '%s' does not fit %u bytes in '%s'",
                   src->file->name, size, dest->file->name);
        return false;
    }
    st_le_n(p, val, size);
    return true;
}

static bool loader_add_checksum(LoaderFile *files, unsigned nfiles, const uint8_t *e,
                                Error **errp)
{
    LoaderFile *lf = loader_find(files, nfiles, e + 4, true, errp);
    if (!lf) {
        return false;
    }
    uint32_t offset = ld_le32(e + 4 + BIOS_LINKER_FILESZ);
    uint32_t start = ld_le32(e + 4 + BIOS_LINKER_FILESZ + 4);
    uint32_t len = ld_le32(e + 4 + BIOS_LINKER_FILESZ + 8);
    if (!range_ok(lf->file, start, len) || !range_ok(lf->file, offset, 1)) {
        error_setg(errp, "table loader: bad checksum range in '%s'", lf->file->name);
        return false;
    }
    /* As SeaBIOS does: correct by the current sum, whatever the byte held. */
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++) {
        sum += lf->file->data[start + i];
    }
    lf->file->data[offset] -= sum;
    return true;
}

bool bios_linker_apply(const GByteArray *linker, BiosLinkerFile *files, unsigned nfiles,
                       Error **errp)
{
    if (linker->len % BIOS_LINKER_ENTRY_SIZE) {
        error_setg(errp, "table loader: %u bytes is not a whole number of commands",
                   linker->len);
        return false;
    }
    g_autofree LoaderFile *lf = g_new0(LoaderFile, nfiles);
    for (unsigned i = 0; i < nfiles; i++) {
        lf[i].file = &files[i];
    }
    for (size_t at = 0; at < linker->len; at += BIOS_LINKER_ENTRY_SIZE) {
        const uint8_t *e = linker->data + at;
        bool ok;
        switch (ld_le32(e)) {
        case BIOS_LINKER_CMD_ALLOCATE:
            ok = loader_allocate(lf, nfiles, e, errp);
            break;
        case BIOS_LINKER_CMD_ADD_POINTER:
            ok = loader_add_pointer(lf, nfiles, e, errp);
            break;
        case BIOS_LINKER_CMD_ADD_CHECKSUM:
            ok = loader_add_checksum(lf, nfiles, e, errp);
            break;
        default:
            /* SeaBIOS skips commands it does not know; so do we. */
            ok = true;
            break;
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}
