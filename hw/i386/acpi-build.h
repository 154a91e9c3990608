/*
 * ACPI tables of the pc machine, laid out as on QEMU's pc (i440FX + PIIX4 PM):
 * RSDP (revision 0) -> RSDT -> FADT (revision 3; -> FACS, DSDT), MADT, HPET.
 *
 * Two ways into the guest:
 *  - fw_cfg, for firmware (SeaBIOS, OVMF): the files "etc/acpi/tables",
 *    "etc/acpi/rsdp" and the table-loader commands "etc/table-loader" that
 *    tell the firmware where to put them and how to patch pointers and
 *    checksums (hw/acpi/bios-linker.h);
 *  - acpi_install_tables(), for direct kernel boot: the same commands run
 *    here with the board's addresses, and the tables are written to RAM.
 * Tables are always built for direct boot and fw_cfg alike; the checksums in
 * the raw blobs are 0 until the loader fixes them.
 */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "system/memory.h"
#include "util/error.h"

typedef struct FWCfgState FWCfgState;

#define ACPI_BUILD_TABLE_FILE   "etc/acpi/tables"
#define ACPI_BUILD_RSDP_FILE    "etc/acpi/rsdp"
#define ACPI_BUILD_LOADER_FILE  "etc/table-loader"
#define ACPI_BUILD_MAX_CPUS     255     /* xAPIC ids 0-254 in 8-bit MADT entries */
#define ACPI_RSDP_ALIGN         16
#define ACPI_TABLES_ALIGN       64      /* the FACS leads the tables blob */

typedef struct AcpiBuildConfig {
    unsigned cpus;              /* CPUs present at boot (MADT: enabled) */
    unsigned max_cpus;          /* possible CPUs; 0 = cpus (MADT: the rest disabled) */
    const uint8_t *apic_ids;    /* max_cpus APIC ids; NULL: CPU n has APIC id n */
    uint64_t below_4g_mem;      /* RAM below 4 GiB: the 32-bit PCI window starts here */
    uint64_t above_4g_mem;      /* RAM from 4 GiB (informational: see pci_hole64_*) */
    uint64_t pci_hole64_start;  /* 64-bit PCI window in PCI0._CRS; size 0: none */
    uint64_t pci_hole64_size;
    bool serial[2];             /* COM1 (0x3f8, IRQ 4), COM2 (0x2f8, IRQ 3) present */
    bool hpet;                  /* HPET at 0xfed00000: DSDT device and HPET table */
    uint32_t hpet_block_id;     /* the HPET's capabilities, bits 31:0; 0 = 0x8086a201 */
    uint16_t pm_base;           /* PIIX4 PM I/O base; 0 = 0x600 */
    uint16_t gpe0_base;         /* 0 = 0xafe0 */
    uint8_t sci_irq;            /* 0 = 9 */
    uint8_t ioapic_id;          /* the IOAPIC's ID register (0 on the pc) */
    uint8_t isa_devfn;          /* the PIIX3 ISA bridge; 0 = 00:01.0 (devfn 8) */
} AcpiBuildConfig;

typedef struct AcpiTables {
    GByteArray *tables;         /* "etc/acpi/tables": FACS, DSDT, FADT, MADT, [HPET], RSDT */
    GByteArray *rsdp;           /* "etc/acpi/rsdp" */
    GByteArray *linker;         /* "etc/table-loader" */
} AcpiTables;

/*
 * Build every table for cfg into out (fresh arrays; acpi_tables_free them).
 * Fails on an impossible configuration (no CPUs, more than 255, cpus above
 * max_cpus, low RAM reaching the IOAPIC, a bad 64-bit window).
 */
bool acpi_build_tables(const AcpiBuildConfig *cfg, AcpiTables *out, Error **errp);
void acpi_tables_free(AcpiTables *t);

/* Add the three files to fw_cfg (which copies them), or replace them on a rebuild. */
void acpi_tables_add_fw_cfg(const AcpiTables *t, FWCfgState *fw_cfg);

/*
 * Patch copies of the blobs as if placed at tables_addr and rsdp_addr
 * (pointers relocated, checksums set): tables_out receives t->tables->len
 * bytes, rsdp_out t->rsdp->len.  Both addresses must be aligned (64, 16)
 * and the tables must lie below 4 GiB (the RSDT holds 32-bit pointers).
 */
bool acpi_tables_patch(const AcpiTables *t, uint64_t tables_addr, uint64_t rsdp_addr,
                       uint8_t *tables_out, uint8_t *rsdp_out, Error **errp);
/*
 * Direct boot: patch and write the tables to RAM at tables_addr (the board
 * marks [tables_addr, + t->tables->len) ACPI in the e820 map) and the RSDP at
 * rsdp_addr.  Linux finds the RSDP by scanning 0xE0000-0xFFFFF on 16-byte
 * boundaries, or through boot_params.acpi_rsdp_addr anywhere.  Both ranges
 * must be RAM in as (not ROM): otherwise an error, and the board can use
 * acpi_tables_patch() to fill its ROM image instead.
 */
bool acpi_install_tables(const AcpiTables *t, AddressSpace *as, uint64_t tables_addr,
                         uint64_t rsdp_addr, Error **errp);

#endif
