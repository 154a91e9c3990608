/*
 * Direct boot without firmware: load a Linux bzImage (x86 boot protocol) or
 * a multiboot v1 kernel into guest RAM and describe the CPU state it must
 * start in.  The accelerator applies that state to the boot CPU at reset.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/i386/e820.h"
#include "util/error.h"

/* Where the boot CPU starts. */
typedef enum X86BootMode {
    X86_BOOT_FIRMWARE,  /* real mode at F000:FFF0: the BIOS runs */
    X86_BOOT_PROT32,    /* 32-bit flat protected mode, paging off */
} X86BootMode;

/* Selectors of the flat GDT the loader writes (Linux's __BOOT_CS/__BOOT_DS). */
#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18

typedef struct X86BootEntry {
    X86BootMode mode;
    uint32_t eip;
    uint32_t eax, ebx, esi, esp;
    uint32_t gdt_base;  /* a GDT with flat code at X86_BOOT_CS and data at X86_BOOT_DS */
    uint16_t gdt_limit;
} X86BootEntry;

/* What the loaders need to know about the machine. */
typedef struct X86BootConfig {
    const char *kernel;         /* -kernel */
    const char *initrd;         /* -initrd (multiboot: "mod1 args,mod2" list) */
    const char *cmdline;        /* -append, never NULL */
    uint64_t below_4g_mem_size; /* RAM from 0 up to the PCI hole */
    const E820Table *e820;      /* the map the guest should see */
    uint64_t acpi_rsdp_addr;    /* 0 if none */
} X86BootConfig;

/* Guest-physical layout of what the loaders write below 1 MiB. */
#define X86_BOOT_GDT_ADDR       0x6000
#define X86_BOOT_PARAMS_ADDR    0x7000      /* Linux zero page / multiboot info */
#define X86_BOOT_CMDLINE_ADDR   0x20000
#define X86_BOOT_CMDLINE_MAX    0x10000
#define X86_BOOT_KERNEL_ADDR    0x100000    /* protected-mode kernel at 1 MiB */

/*
 * Load cfg->kernel: a bzImage by the Linux boot protocol (2.06 or later) or
 * a multiboot v1 image (ELF or a.out kludge).  Writes into guest RAM through
 * address_space_memory(); fills *entry.  Errors say what is wrong with the
 * file ("not a bzImage, multiboot or ELF kernel", "initrd is too large"...).
 */
bool x86_load_kernel(const X86BootConfig *cfg, X86BootEntry *entry, Error **errp);

/* The two loaders, for tests and for x86_load_kernel. */
bool linux_boot_load(const X86BootConfig *cfg, const uint8_t *image, size_t size,
                     X86BootEntry *entry, Error **errp);
/* Returns 0 if image has no multiboot header, 1 if loaded, -1 on error. */
int multiboot_load(const X86BootConfig *cfg, const uint8_t *image, size_t size,
                   X86BootEntry *entry, Error **errp);

/* Write the flat GDT the entry state refers to. */
void x86_boot_write_gdt(X86BootEntry *entry);

/* Copy into guest RAM (never ROM or holes: those mean the layout is wrong). */
bool x86_boot_write(uint64_t addr, const void *buf, uint64_t len, const char *what,
                    Error **errp);
/* Zero len bytes of guest RAM (a BSS). */
bool x86_boot_zero(uint64_t addr, uint64_t len, const char *what, Error **errp);

/* Read a whole file (bounded by max bytes); the error names the file. */
uint8_t *x86_boot_read_file(const char *path, uint64_t max, size_t *size, Error **errp);

#endif
