/*
 * Unit tests of the monitor's page walk (target-i386/page-walk.c): page
 * tables built by hand in a RAM region for 32-bit, PAE and 4-level paging;
 * translations, large pages, rights, not-present entries, and garbage
 * (self-referencing tables, tables outside RAM or on a device, random bytes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "system/memory.h"
#include "target-i386/page-walk.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define RAM_SIZE (16 * MiB)
#define MMIO_BASE (32 * MiB)

#define P 0x1ull
#define W 0x2ull
#define U 0x4ull
#define A 0x20ull
#define PS 0x80ull
#define G 0x100ull
#define XD (1ull << 63)

static MemoryRegion ram, mmio;
static uint8_t *ram_ptr;
static unsigned mmio_reads;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    mmio_reads++;
    return 0x0000000000001003ull;  /* looks like a present entry */
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read, .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static int setup_ram(void **state)
{
    Error *err = NULL;
    if (!ram_ptr) {
        assert_true(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, &err));
        memory_region_add_subregion(get_system_memory(), 0, &ram);
        memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "dev", 64 * KiB);
        memory_region_add_subregion(get_system_memory(), MMIO_BASE, &mmio);
        ram_ptr = memory_region_get_ram_ptr(&ram);
    }
    memset(ram_ptr, 0, RAM_SIZE);
    mmio_reads = 0;
    return 0;
}

static void put32(uint64_t pa, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(ram_ptr + pa, &v, 4);
}

static void put64(uint64_t pa, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(ram_ptr + pa, &v, 8);
}

static CPUX86State env_for(X86PagingMode mode, uint64_t cr3)
{
    CPUX86State env;
    memset(&env, 0, sizeof(env));
    env.cr[0] = CR0_PE | (mode == X86_PAGING_OFF ? 0 : CR0_PG);
    env.cr[3] = cr3;
    if (mode == X86_PAGING_32) {
        env.cr[4] = CR4_PSE;
    }
    if (mode == X86_PAGING_PAE || mode == X86_PAGING_4LEVEL) {
        env.cr[4] = CR4_PAE;
        env.efer = EFER_NXE;
    }
    if (mode == X86_PAGING_4LEVEL) {
        env.efer |= EFER_LME | EFER_LMA;
    }
    return env;
}

/* Translate va; -1 if not mapped. */
static uint64_t xlate(const CPUX86State *env, uint64_t va)
{
    X86PageMapping m;
    if (!x86_page_walk(env, va, &m)) {
        return UINT64_MAX;
    }
    assert_true(va - m.vaddr < m.size);
    return x86_page_mapping_phys(env, &m, va);
}

typedef struct Collect {
    X86PageMapping maps[64];
    unsigned n;
    uint64_t calls;
    uint64_t stop_after;        /* 0: never */
} Collect;

static bool collect(const X86PageMapping *m, void *opaque)
{
    Collect *c = opaque;
    if (c->n < G_N_ELEMENTS(c->maps)) {
        c->maps[c->n++] = *m;
    }
    c->calls++;
    return !c->stop_after || c->calls < c->stop_after;
}

/* ---- Paging off ------------------------------------------------------------------ */

static void test_paging_off(void **state)
{
    CPUX86State env = env_for(X86_PAGING_OFF, 0);
    Collect c = { 0 };

    assert_int_equal(x86_paging_mode(&env), X86_PAGING_OFF);
    assert_int_equal(xlate(&env, 0x12345), 0x12345);
    assert_int_equal(xlate(&env, 0xffffffff), 0xffffffff);
    assert_int_equal(xlate(&env, 0x100000000ull), UINT64_MAX);
    env.a20_mask_enabled = true;
    assert_int_equal(xlate(&env, 0x123456), 0x023456);
    assert_true(x86_page_walk_foreach(&env, collect, &c));
    assert_int_equal(c.calls, 0);
}

/* ---- 32-bit paging (SDM 4.3) ------------------------------------------------------ */

static void test_paging32(void **state)
{
    CPUX86State env = env_for(X86_PAGING_32, 0x1000 | 0x18);   /* PWT/PCD ignored */
    Collect c = { 0 };

    put32(0x1000 + 1 * 4, 0x2000 | P | W | U);                  /* 4 MiB: table at 0x2000 */
    put32(0x2000 + 0 * 4, 0x5000 | P | W | U | A);              /* 0x400000 -> 0x5000 */
    put32(0x2000 + 1 * 4, 0x6000 | P | U);                      /* read-only */
    put32(0x2000 + 2 * 4, 0x7000);                              /* not present */
    put32(0x1000 + 2 * 4, 0x00c00000 | P | W | PS);             /* 0x800000: 4 MiB page */
    /* PSE-36: PDE bits 20:13 are address bits 39:32. */
    put32(0x1000 + 3 * 4, 0x01000000 | (0x12u << 13) | P | PS);
    put32(0x1000 + 1023 * 4, 0x3000 | P | W);                   /* table of zeroes */

    assert_int_equal(x86_paging_mode(&env), X86_PAGING_32);
    assert_int_equal(xlate(&env, 0x400123), 0x5123);
    assert_int_equal(xlate(&env, 0x401fff), 0x6fff);
    assert_int_equal(xlate(&env, 0x402000), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x0), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x9abcde), 0xdabcde);
    assert_int_equal(xlate(&env, 0xc00001), 0x1201000001ull);
    assert_int_equal(xlate(&env, 0xfffff000), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x100400000ull), UINT64_MAX);  /* beyond 32 bits */

    X86PageMapping m;
    assert_true(x86_page_walk(&env, 0x401000, &m));
    assert_false(m.writable);
    assert_true(m.user);
    assert_int_equal(m.size, 4 * KiB);
    assert_true(x86_page_walk(&env, 0x800000, &m));
    assert_int_equal(m.size, 4 * MiB);
    assert_true(m.writable);
    assert_false(m.user);

    assert_true(x86_page_walk_foreach(&env, collect, &c));
    assert_int_equal(c.n, 4);
    assert_int_equal(c.maps[0].vaddr, 0x400000);
    assert_int_equal(c.maps[0].paddr, 0x5000);
    assert_int_equal(c.maps[0].entry, 0x5000 | P | W | U | A);
    assert_int_equal(c.maps[1].vaddr, 0x401000);
    assert_int_equal(c.maps[2].vaddr, 0x800000);
    assert_int_equal(c.maps[2].paddr, 0xc00000);
    assert_int_equal(c.maps[3].vaddr, 0xc00000);
    assert_int_equal(c.maps[3].paddr, 0x1201000000ull);

    /* Without CR4.PSE, PS is ignored: the 4 MiB entry points at a table (0xc00000: zeroes). */
    env.cr[4] = 0;
    assert_int_equal(xlate(&env, 0x800000), UINT64_MAX);
    put32(0x00c00000, 0x9000 | P);
    assert_int_equal(xlate(&env, 0x800010), 0x9010);
}

/* ---- PAE paging (SDM 4.4) ----------------------------------------------------------- */

static void test_paging_pae(void **state)
{
    CPUX86State env = env_for(X86_PAGING_PAE, 0x1020);         /* 32-byte aligned PDPT */
    Collect c = { 0 };

    put64(0x1020 + 0 * 8, 0x2000 | P);                           /* 0-1 GiB */
    put64(0x1020 + 3 * 8, 0x3000 | P);                           /* 3-4 GiB */
    put64(0x2000 + 1 * 8, 0x4000 | P | W | U);                   /* 2 MiB: table */
    put64(0x4000 + 5 * 8, 0x123456000ull | P | W | U | XD);      /* above 4 GiB, no-exec */
    put64(0x2000 + 2 * 8, 0x600000 | 0x1000 | P | PS | G);       /* 4 MiB: 2 MiB page, PAT */
    put64(0x3000 + 511 * 8, 0xe00000 | P | W | PS);              /* top 2 MiB */

    assert_int_equal(x86_paging_mode(&env), X86_PAGING_PAE);
    assert_int_equal(xlate(&env, 0x205abc), 0x123456abcull);
    assert_int_equal(xlate(&env, 0x204abc), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x412345), 0x612345);          /* the PAT bit is no address */
    assert_int_equal(xlate(&env, 0xfff00000), 0xf00000);
    assert_int_equal(xlate(&env, 0x40000000), UINT64_MAX);       /* PDPTE 1 not present */

    X86PageMapping m;
    assert_true(x86_page_walk(&env, 0x205000, &m));
    assert_true(m.nx);
    assert_true(m.user);
    assert_true(m.writable);
    assert_true(x86_page_walk(&env, 0x400000, &m));
    assert_false(m.nx);
    assert_false(m.writable);
    assert_int_equal(m.size, 2 * MiB);
    env.efer = 0;                                                /* XD means nothing without NXE */
    assert_true(x86_page_walk(&env, 0x205000, &m));
    assert_false(m.nx);

    assert_true(x86_page_walk_foreach(&env, collect, &c));
    assert_int_equal(c.n, 3);
    assert_int_equal(c.maps[0].vaddr, 0x205000);
    assert_int_equal(c.maps[1].vaddr, 0x400000);
    assert_int_equal(c.maps[1].paddr, 0x600000);
    assert_int_equal(c.maps[1].entry & G, G);
    assert_int_equal(c.maps[2].vaddr, 0xffe00000);
}

/* ---- 4-level paging (SDM 4.5) ------------------------------------------------------ */

static void test_paging_4level(void **state)
{
    CPUX86State env = env_for(X86_PAGING_4LEVEL, 0x1000 | 0x5);  /* PCID bits ignored */
    Collect c = { 0 };

    put64(0x1000 + 0 * 8, 0x2000 | P | W | U);                   /* PML4[0] */
    put64(0x2000 + 0 * 8, 0x3000 | P | W | U);                   /* PDPT[0] */
    put64(0x3000 + 0 * 8, 0x4000 | P | W | U);                   /* PD[0] */
    put64(0x4000 + 1 * 8, 0x7000 | P | W | U);                   /* 0x1000 -> 0x7000 */
    put64(0x3000 + 1 * 8, 0x200000 | P | PS);                    /* 2 MiB identity */
    put64(0x2000 + 1 * 8, 0x40000000 | P | W | PS);              /* 1 GiB at 1 GiB */
    put64(0x1000 + 256 * 8, 0x5000 | P | W);                     /* 0xffff800000000000 */
    put64(0x5000 + 0 * 8, 0x6000 | P | XD);                      /* read-only, no-exec above */
    put64(0x6000 + 0 * 8, 0x800000 | P | W | PS);
    put64(0x1000 + 511 * 8, 0x8000 | P | W);
    put64(0x8000 + 511 * 8, 0xc0000000ull | P | W | PS);         /* the top 1 GiB */

    assert_int_equal(x86_paging_mode(&env), X86_PAGING_4LEVEL);
    assert_int_equal(xlate(&env, 0x1008), 0x7008);
    assert_int_equal(xlate(&env, 0x2008), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x3fffff), 0x3fffff);
    assert_int_equal(xlate(&env, 0x7654321f), 0x7654321f);
    assert_int_equal(xlate(&env, 0xffff800000012345ull), 0x812345);
    assert_int_equal(xlate(&env, 0xffffffffc0001234ull), 0xc0001234ull);
    assert_int_equal(xlate(&env, 0x0000800000000000ull), UINT64_MAX);   /* non-canonical */
    assert_int_equal(xlate(&env, 0x8000000000000000ull), UINT64_MAX);
    assert_int_equal(xlate(&env, 0x0000008000000000ull), UINT64_MAX);   /* PML4[1] absent */

    X86PageMapping m;
    assert_true(x86_page_walk(&env, 0xffff800000000000ull, &m));
    assert_int_equal(m.size, 2 * MiB);
    assert_false(m.writable);       /* the PDPTE says read-only */
    assert_false(m.user);
    assert_true(m.nx);              /* XD in the PDPTE */
    assert_int_equal(m.entry, 0x800000 | P | W | PS);
    assert_true(x86_page_walk(&env, 0x40000000, &m));
    assert_int_equal(m.size, 1 * GiB);
    assert_true(m.writable);
    assert_false(m.user);

    assert_true(x86_page_walk_foreach(&env, collect, &c));
    assert_int_equal(c.n, 5);
    assert_int_equal(c.maps[0].vaddr, 0x1000);
    assert_int_equal(c.maps[1].vaddr, 0x200000);
    assert_int_equal(c.maps[2].vaddr, 0x40000000);
    assert_int_equal(c.maps[3].vaddr, 0xffff800000000000ull);
    assert_int_equal(c.maps[3].paddr, 0x800000);
    assert_int_equal(c.maps[4].vaddr, 0xffffffffc0000000ull);

    /* The callback stops the walk. */
    Collect stop = { .stop_after = 2 };
    assert_false(x86_page_walk_foreach(&env, collect, &stop));
    assert_int_equal(stop.calls, 2);
}

/* ---- Garbage ----------------------------------------------------------------------- */

/* Every PML4 entry points at the PML4: 512^4 pages; the walk must stop by itself. */
static void test_garbage_self_reference(void **state)
{
    CPUX86State env = env_for(X86_PAGING_4LEVEL, 0x1000);
    Collect c = { 0 };

    for (unsigned i = 0; i < 512; i++) {
        put64(0x1000 + i * 8, 0x1000 | P | W);
    }
    assert_int_equal(xlate(&env, 0x1234), 0x1234);      /* it maps itself at 0x1000 */
    assert_int_equal(xlate(&env, 0x1234), 0x1234);
    assert_false(x86_page_walk_foreach(&env, collect, &c));
    assert_true(c.calls > 0);
    assert_true(c.calls <= (uint64_t)X86_PAGE_WALK_MAX_TABLES * 512);
}

static void test_garbage_entries(void **state)
{
    CPUX86State env = env_for(X86_PAGING_4LEVEL, 0x1000);
    Collect c = { 0 };

    put64(0x1000 + 0 * 8, 0x1000 | P | PS);                     /* PS is reserved in a PML4E */
    put64(0x1000 + 1 * 8, 0xfff000000000ull | P);               /* a table outside RAM */
    put64(0x1000 + 2 * 8, MMIO_BASE | P);                       /* a table on a device */
    put64(0x1000 + 3 * 8, UINT64_MAX);                          /* all ones */
    put64(0x1000 + 4 * 8, 0x7ff0000000002000ull | P);           /* reserved bits set */
    put64(0x2000, UINT64_MAX);

    assert_int_equal(xlate(&env, 0), UINT64_MAX);
    assert_int_equal(xlate(&env, 1ull << 39), UINT64_MAX);
    assert_int_equal(xlate(&env, 2ull << 39), UINT64_MAX);
    assert_int_equal(mmio_reads, 0);
    /* All ones: PS set in a PML4E, which maps nothing. */
    assert_int_equal(xlate(&env, 3ull << 39), UINT64_MAX);
    /* Reserved bits are not checked: bits 51:12 still locate the next table. */
    assert_int_equal(xlate(&env, 4ull << 39), 0xfffffc0000000ull);
    assert_true(x86_page_walk_foreach(&env, collect, &c));
    assert_int_equal(c.n, 1);
    assert_int_equal(c.maps[0].vaddr, 4ull << 39);
    assert_int_equal(c.maps[0].size, 1 * GiB);
    assert_true(c.maps[0].nx);
    assert_int_equal(mmio_reads, 0);

    /* CR3 itself outside RAM. */
    env.cr[3] = 0x7ffff000000ull;
    assert_int_equal(xlate(&env, 0), UINT64_MAX);
    assert_true(x86_page_walk_foreach(&env, collect, &c));

    /* A PAE PDPT at the very end of RAM, 32-bit tables crossing into nothing. */
    CPUX86State pae = env_for(X86_PAGING_PAE, RAM_SIZE - 0x20);
    put64(RAM_SIZE - 0x20, (RAM_SIZE - 0x1000) | P);
    put64(RAM_SIZE - 0x1000, UINT64_MAX);
    assert_int_equal(xlate(&pae, 0), 0xfffffffe00000ull);
    CPUX86State p32 = env_for(X86_PAGING_32, (RAM_SIZE + 0x1000) & 0xffffffffu);
    assert_int_equal(xlate(&p32, 0x1000), UINT64_MAX);
}

/* Random bytes everywhere, every mode: any answer is fine, a crash or a hang is not. */
static void test_garbage_random(void **state)
{
    GRand *rand = g_rand_new_with_seed(1234);
    for (unsigned i = 0; i < RAM_SIZE / 4; i++) {
        uint32_t v = g_rand_int(rand);
        memcpy(ram_ptr + 4 * i, &v, 4);
    }
    static const X86PagingMode modes[] = { X86_PAGING_32, X86_PAGING_PAE, X86_PAGING_4LEVEL };
    for (unsigned k = 0; k < G_N_ELEMENTS(modes); k++) {
        for (unsigned t = 0; t < 8; t++) {
            CPUX86State env = env_for(modes[k], g_rand_int_range(rand, 0, RAM_SIZE));
            env.cr[4] |= g_rand_boolean(rand) ? CR4_PSE : 0;
            for (unsigned i = 0; i < 2000; i++) {
                uint64_t va = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
                xlate(&env, g_rand_boolean(rand) ? va : (uint32_t)va);
            }
            Collect c = { .stop_after = 100000 };
            x86_page_walk_foreach(&env, collect, &c);
        }
    }
    g_rand_free(rand);
    assert_int_equal(mmio_reads, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_paging_off, setup_ram),
        cmocka_unit_test_setup(test_paging32, setup_ram),
        cmocka_unit_test_setup(test_paging_pae, setup_ram),
        cmocka_unit_test_setup(test_paging_4level, setup_ram),
        cmocka_unit_test_setup(test_garbage_self_reference, setup_ram),
        cmocka_unit_test_setup(test_garbage_entries, setup_ram),
        cmocka_unit_test_setup(test_garbage_random, setup_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
