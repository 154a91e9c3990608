/*
 * A page-table walk for the monitor (x, info tlb, info mem): it never
 * faults, never sets accessed or dirty bits and never reads a device.  The
 * tables come from guest RAM through address_space_memory(); a table that
 * is not in RAM counts as not present.  Reserved bits are not checked (a
 * debugger wants to see what the guest wrote), and every walk is bounded,
 * so garbage page tables give odd mappings but always an answer.
 *
 * The caller syncs the registers first (cpu_synchronize_state).
 */
#ifndef TARGET_I386_PAGE_WALK_H
#define TARGET_I386_PAGE_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "target-i386/cpu.h"

/* The paging modes of SDM vol. 3, 4.1.1. */
typedef enum X86PagingMode {
    X86_PAGING_OFF,             /* CR0.PG clear: linear = physical */
    X86_PAGING_32,              /* 2 levels of 4-byte entries; 4 MiB pages with CR4.PSE */
    X86_PAGING_PAE,             /* PDPT (4 entries), directory, table */
    X86_PAGING_4LEVEL,          /* IA-32e: PML4, PDPT, directory, table */
    X86_PAGING_5LEVEL,          /* IA-32e with CR4.LA57 */
} X86PagingMode;

/* One page as the walk found it. */
typedef struct X86PageMapping {
    uint64_t vaddr;             /* its first byte, canonical in IA-32e mode */
    uint64_t paddr;             /* the physical address of that byte */
    uint64_t size;              /* 4 KiB, 2 MiB, 4 MiB or 1 GiB */
    uint64_t entry;             /* the leaf entry as read from memory */
    bool writable;              /* R/W set at every level */
    bool user;                  /* U/S set at every level */
    bool nx;                    /* XD set at some level (with EFER.NXE) */
} X86PageMapping;

/* Most tables one x86_page_walk_foreach reads (a 4-level walk has 1 + 512 + ...). */
#define X86_PAGE_WALK_MAX_TABLES 16384

X86PagingMode x86_paging_mode(const CPUX86State *env);

/*
 * The page holding vaddr: true with *m filled, false if it is not mapped
 * (not present, non-canonical, beyond 4 GiB outside IA-32e mode, or a
 * table outside RAM).  With paging off, the identity 4 KiB page.
 */
bool x86_page_walk(const CPUX86State *env, uint64_t vaddr, X86PageMapping *m);

/* The physical address of vaddr inside m (with the A20 gate applied). */
uint64_t x86_page_mapping_phys(const CPUX86State *env, const X86PageMapping *m,
                               uint64_t vaddr);

/* Called for each mapped page; return false to stop the walk. */
typedef bool (*X86PageWalkFn)(const X86PageMapping *m, void *opaque);

/*
 * Every mapped page in ascending virtual address order (nothing with paging
 * off).  Returns false when fn stopped it or X86_PAGE_WALK_MAX_TABLES was
 * reached, true when the whole address space was seen.
 */
bool x86_page_walk_foreach(const CPUX86State *env, X86PageWalkFn fn, void *opaque);

#endif
