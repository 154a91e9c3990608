/*
 * The monitor's page-table walk (see page-walk.h).  One description of the
 * levels per paging mode (SDM vol. 3, 4.3 to 4.5) drives both the walk of a
 * single address and the walk over every mapping.
 */
#include "target-i386/page-walk.h"

#include <string.h>
#include <glib.h>

#include "system/memory.h"
#include "util/bswap.h"

#define CR4_LA57        (1u << 12)      /* SDM vol. 3, 2.5: 57-bit linear addresses */

#define PTE_P           (1ull << 0)
#define PTE_W           (1ull << 1)
#define PTE_U           (1ull << 2)
#define PTE_PS          (1ull << 7)
#define PTE_XD          (1ull << 63)
/* Bits 51:12: the widest MAXPHYADDR; a narrower CPU keeps the rest zero. */
#define PTE_ADDR_MASK   0x000ffffffffff000ull
#define PTE32_ADDR_MASK 0xfffff000u
#define PAGE_SIZE_4K    0x1000ull
#define A20_BIT         (1ull << 20)

/* What bit 7 (PS) means at a level. */
typedef enum PwPsRule {
    PW_PS_IGNORED,              /* a pointer to the next table whatever PS says */
    PW_PS_LEAF,                 /* PS set: a large page */
    PW_PS_INVALID,              /* PS is reserved: the entry maps nothing */
} PwPsRule;

typedef struct PwLevel {
    unsigned shift;             /* the lowest linear-address bit this level indexes */
    unsigned entries;           /* 1024, 512, or 4 for PAE's PDPT */
    PwPsRule ps;
    bool has_perms;             /* R/W and U/S mean something (not in PAE's PDPTEs) */
} PwLevel;

typedef struct PwFormat {
    X86PagingMode mode;
    unsigned nr_levels;
    unsigned entry_size;        /* 4 or 8 bytes */
    uint64_t root;              /* the first table, from CR3 */
    unsigned va_bits;           /* 32, 48 or 57 */
    bool nxe;
    bool a20_masked;
    PwLevel level[5];
} PwFormat;

X86PagingMode x86_paging_mode(const CPUX86State *env)
{
    if (!(env->cr[0] & CR0_PG)) {
        return X86_PAGING_OFF;
    }
    if (!(env->cr[4] & CR4_PAE)) {
        return X86_PAGING_32;
    }
    if (!(env->efer & EFER_LMA)) {
        return X86_PAGING_PAE;
    }
    return (env->cr[4] & CR4_LA57) ? X86_PAGING_5LEVEL : X86_PAGING_4LEVEL;
}

static void pw_format_init(const CPUX86State *env, PwFormat *f)
{
    memset(f, 0, sizeof(*f));
    f->mode = x86_paging_mode(env);
    f->a20_masked = env->a20_mask_enabled;
    f->entry_size = 8;
    f->va_bits = 32;
    switch (f->mode) {
    case X86_PAGING_OFF:
        break;
    case X86_PAGING_32:
        /* SDM 4.3: CR4.PSE=0 makes PS ignored, not reserved. */
        f->entry_size = 4;
        f->nr_levels = 2;
        f->root = env->cr[3] & PTE32_ADDR_MASK;
        f->level[0] = (PwLevel){ 22, 1024, (env->cr[4] & CR4_PSE) ? PW_PS_LEAF : PW_PS_IGNORED,
                                 true };
        f->level[1] = (PwLevel){ 12, 1024, PW_PS_IGNORED, true };
        break;
    case X86_PAGING_PAE:
        /* SDM 4.4: CR3 bits 31:5 locate the four PDPTEs. */
        f->nr_levels = 3;
        f->root = env->cr[3] & 0xffffffe0u;
        f->nxe = env->efer & EFER_NXE;
        f->level[0] = (PwLevel){ 30, 4, PW_PS_IGNORED, false };
        f->level[1] = (PwLevel){ 21, 512, PW_PS_LEAF, true };
        f->level[2] = (PwLevel){ 12, 512, PW_PS_IGNORED, true };
        break;
    case X86_PAGING_4LEVEL:
    case X86_PAGING_5LEVEL: {
        /* SDM 4.5: PS is reserved in PML5Es and PML4Es; 1 GiB pages in PDPTEs. */
        unsigned top = f->mode == X86_PAGING_5LEVEL ? 48 : 39;
        unsigned n = 0;
        f->root = env->cr[3] & PTE_ADDR_MASK;
        f->nxe = env->efer & EFER_NXE;
        f->va_bits = top + 9;
        for (unsigned shift = top; shift >= 12; shift -= 9) {
            PwPsRule ps = shift > 30 ? PW_PS_INVALID : shift == 12 ? PW_PS_IGNORED : PW_PS_LEAF;
            f->level[n++] = (PwLevel){ shift, 512, ps, true };
        }
        f->nr_levels = n;
        break;
    }
    }
}

static uint64_t pw_a20(const PwFormat *f, uint64_t pa)
{
    return f->a20_masked ? pa & ~A20_BIT : pa;
}

/*
 * Read n entries of a table at pa into out.  Only RAM (or ROM) is read:
 * a table pointing at a device would otherwise make the monitor read its
 * registers, with their side effects.
 */
static bool pw_read_entries(const PwFormat *f, uint64_t pa, unsigned n, uint64_t *out)
{
    AddressSpace *as = address_space_memory();
    uint64_t len = (uint64_t)n * f->entry_size;
    hwaddr plen = len;
    uint8_t buf[1024 * 4];

    g_assert(len <= sizeof(buf));
    pa = pw_a20(f, pa);
    if (!address_space_ram_ptr(as, pa, &plen, false) || plen < len) {
        return false;
    }
    if (address_space_read(as, pa, buf, len) != MEMTX_OK) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        out[i] = ld_le_n(buf + f->entry_size * i, f->entry_size);
    }
    return true;
}

/* Where a non-leaf entry points. */
static uint64_t pw_next_table(const PwFormat *f, uint64_t e)
{
    return f->entry_size == 4 ? (e & PTE32_ADDR_MASK) : (e & PTE_ADDR_MASK);
}

/* The physical base of a leaf of that size. */
static uint64_t pw_leaf_base(const PwFormat *f, uint64_t e, uint64_t size)
{
    if (f->entry_size == 8) {
        return e & PTE_ADDR_MASK & ~(size - 1);     /* also drops PAT (bit 12) of large pages */
    }
    if (size == PAGE_SIZE_4K) {
        return e & PTE32_ADDR_MASK;
    }
    /* SDM 4.3, table 4-4: PSE-36, bits 20:13 of a 4 MiB PDE are address bits 39:32. */
    return (e & 0xffc00000u) | ((e >> 13) & 0xff) << 32;
}

/* Bits above va_bits copy the top bit (SDM 3.3.7.1). */
static uint64_t pw_canonical(const PwFormat *f, uint64_t va)
{
    if (f->va_bits == 32) {
        return va;
    }
    unsigned sh = 64 - f->va_bits;
    return (uint64_t)((int64_t)(va << sh) >> sh);
}

/* Access rights and the other results combined as a walk goes down. */
typedef struct PwRights {
    bool writable, user, nx;
} PwRights;

static PwRights pw_rights_add(const PwFormat *f, const PwLevel *l, PwRights r, uint64_t e)
{
    if (l->has_perms) {
        r.writable &= !!(e & PTE_W);
        r.user &= !!(e & PTE_U);
    }
    if (f->nxe && l->has_perms && (e & PTE_XD)) {
        r.nx = true;
    }
    return r;
}

static bool pw_is_leaf(const PwFormat *f, unsigned depth, uint64_t e)
{
    return depth == f->nr_levels - 1 || (f->level[depth].ps == PW_PS_LEAF && (e & PTE_PS));
}

static bool pw_is_invalid(const PwFormat *f, unsigned depth, uint64_t e)
{
    return !(e & PTE_P) || (f->level[depth].ps == PW_PS_INVALID && (e & PTE_PS));
}

static void pw_fill(const PwFormat *f, unsigned depth, uint64_t va, uint64_t e, PwRights r,
                    X86PageMapping *m)
{
    uint64_t size = 1ull << f->level[depth].shift;
    m->vaddr = pw_canonical(f, va & ~(size - 1));
    m->size = size;
    m->paddr = pw_leaf_base(f, e, size);
    m->entry = e;
    m->writable = r.writable;
    m->user = r.user;
    m->nx = r.nx;
}

bool x86_page_walk(const CPUX86State *env, uint64_t vaddr, X86PageMapping *m)
{
    PwFormat f;
    pw_format_init(env, &f);

    if (f.mode == X86_PAGING_OFF) {
        if (vaddr > UINT32_MAX) {
            return false;
        }
        *m = (X86PageMapping){
            .vaddr = vaddr & ~(PAGE_SIZE_4K - 1), .paddr = vaddr & ~(PAGE_SIZE_4K - 1),
            .size = PAGE_SIZE_4K, .writable = true, .user = true,
        };
        return true;
    }
    if (f.va_bits == 32 ? vaddr > UINT32_MAX : pw_canonical(&f, vaddr) != vaddr) {
        return false;
    }
    uint64_t table = f.root;
    PwRights r = { true, true, false };
    for (unsigned depth = 0; depth < f.nr_levels; depth++) {
        const PwLevel *l = &f.level[depth];
        unsigned index = (vaddr >> l->shift) & (l->entries - 1);
        uint64_t e;
        if (!pw_read_entries(&f, table + (uint64_t)index * f.entry_size, 1, &e) ||
            pw_is_invalid(&f, depth, e)) {
            return false;
        }
        r = pw_rights_add(&f, l, r, e);
        if (pw_is_leaf(&f, depth, e)) {
            pw_fill(&f, depth, vaddr, e, r, m);
            return true;
        }
        table = pw_next_table(&f, e);
    }
    g_assert_not_reached();
}

uint64_t x86_page_mapping_phys(const CPUX86State *env, const X86PageMapping *m,
                               uint64_t vaddr)
{
    uint64_t pa = m->paddr + ((vaddr - m->vaddr) & (m->size - 1));
    return env->a20_mask_enabled ? pa & ~A20_BIT : pa;
}

/* ---- Every mapping ---------------------------------------------------------------- */

typedef struct PwIter {
    const PwFormat *f;
    X86PageWalkFn fn;
    void *opaque;
    unsigned tables_left;
    bool stopped;
    uint64_t tables[5][1024];   /* one table per level being walked */
} PwIter;

/* Walk the table at pa for depth, which maps linear addresses from va. */
static void pw_visit(PwIter *it, unsigned depth, uint64_t pa, uint64_t va, PwRights r)
{
    const PwFormat *f = it->f;
    const PwLevel *l = &f->level[depth];
    uint64_t *t = it->tables[depth];

    if (it->tables_left == 0) {
        it->stopped = true;
        return;
    }
    it->tables_left--;
    if (!pw_read_entries(f, pa, l->entries, t)) {
        return;                 /* outside RAM: nothing mapped below */
    }
    for (unsigned i = 0; i < l->entries && !it->stopped; i++) {
        uint64_t e = t[i];
        if (pw_is_invalid(f, depth, e)) {
            continue;
        }
        uint64_t eva = va | (uint64_t)i << l->shift;
        PwRights er = pw_rights_add(f, l, r, e);
        if (pw_is_leaf(f, depth, e)) {
            X86PageMapping m;
            pw_fill(f, depth, eva, e, er, &m);
            if (!it->fn(&m, it->opaque)) {
                it->stopped = true;
            }
        } else {
            pw_visit(it, depth + 1, pw_next_table(f, e), eva, er);
        }
    }
}

bool x86_page_walk_foreach(const CPUX86State *env, X86PageWalkFn fn, void *opaque)
{
    PwFormat f;
    pw_format_init(env, &f);
    if (f.mode == X86_PAGING_OFF) {
        return true;
    }
    PwIter *it = g_new0(PwIter, 1);
    it->f = &f;
    it->fn = fn;
    it->opaque = opaque;
    it->tables_left = X86_PAGE_WALK_MAX_TABLES;
    pw_visit(it, 0, f.root, 0, (PwRights){ true, true, false });
    bool complete = !it->stopped;
    g_free(it);
    return complete;
}
