/*
 * The BIOS e820 memory map (ACPI 6.5, 15 "System Address Map Interfaces"):
 * ranges of guest-physical memory and their type, as the board lays them out.
 * The same 20-byte entry {le64 address; le64 length; le32 type} goes to the
 * firmware as the fw_cfg file "etc/e820" and to a Linux kernel loaded
 * directly in boot_params.e820_table.
 */
#ifndef HW_I386_E820_H
#define HW_I386_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef struct FWCfgState FWCfgState;

#define E820_RAM        1
#define E820_RESERVED   2
#define E820_ACPI       3
#define E820_NVS        4
#define E820_UNUSABLE   5

/* As many as boot_params holds (Linux's E820_MAX_ENTRIES_ZEROPAGE). */
#define E820_MAX_ENTRIES 128
/* Bytes of one entry in both guest formats. */
#define E820_ENTRY_SIZE 20

typedef struct E820Entry {
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} E820Entry;

/* Zero-initialize (E820Table t = { 0 }) before use. */
typedef struct E820Table {
    unsigned count;
    E820Entry entries[E820_MAX_ENTRIES];
} E820Table;

/* Append a range; fails if len is 0, the range wraps past 2^64 or the table is full. */
bool e820_add_entry(E820Table *t, uint64_t addr, uint64_t len, uint32_t type, Error **errp);
/* Add (or replace) the fw_cfg file "etc/e820". */
void e820_to_fw_cfg(const E820Table *t, FWCfgState *fw_cfg);
/*
 * Write up to max_entries entries into boot_params.e820_table (area) and
 * return how many were written (for boot_params.e820_entries).
 */
size_t e820_to_boot_params(const E820Table *t, uint8_t *e820_entries_area, size_t max_entries);

#endif
