/*
 * The firmware's table loader ("etc/table-loader" in fw_cfg), in the format
 * SeaBIOS (romfile_loader) and OVMF (QemuLoader) read: 128-byte commands,
 * little endian, file names NUL-padded to 56 bytes.
 *   ALLOCATE      file, align (power of two), zone (HIGH or FSEG)
 *   ADD_POINTER   dest file, src file, offset, size: the size-byte value at
 *                 offset in dest holds an offset into src; add src's address
 *   ADD_CHECKSUM  file, offset, start, length: set the byte at offset so that
 *                 [start, start + length) sums to 0 (it must be 0 beforehand:
 *                 OVMF sums the range with it included)
 * bios_linker_apply() runs the same commands for a directly booted kernel,
 * with the board choosing each file's address.
 */
#ifndef HW_ACPI_BIOS_LINKER_H
#define HW_ACPI_BIOS_LINKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "util/error.h"

#define BIOS_LINKER_ENTRY_SIZE  128
#define BIOS_LINKER_FILESZ      56

#define BIOS_LINKER_CMD_ALLOCATE     1
#define BIOS_LINKER_CMD_ADD_POINTER  2
#define BIOS_LINKER_CMD_ADD_CHECKSUM 3

#define BIOS_LINKER_ZONE_HIGH   1
#define BIOS_LINKER_ZONE_FSEG   2   /* 0xE0000-0xFFFFF, where OSes scan for the RSDP */

void bios_linker_allocate(GByteArray *linker, const char *file, uint32_t align, uint8_t zone);
void bios_linker_add_pointer(GByteArray *linker, const char *dest_file, uint32_t offset,
                             uint8_t size, const char *src_file);
void bios_linker_add_checksum(GByteArray *linker, const char *file, uint32_t start,
                              uint32_t len, uint32_t csum_offset);

/* A file as the loader places it: its bytes (patched in place) at guest address addr. */
typedef struct BiosLinkerFile {
    const char *name;
    uint8_t *data;
    size_t len;
    uint64_t addr;
} BiosLinkerFile;

/*
 * Run the commands over files whose addresses the caller chose: check each
 * file is allocated once and aligned as asked, patch pointers, set checksums.
 * Fails on a malformed command, an unknown or unallocated file, a range
 * outside its file, or a pointer that does not fit its size.
 */
bool bios_linker_apply(const GByteArray *linker, BiosLinkerFile *files, unsigned nfiles,
                       Error **errp);

#endif
