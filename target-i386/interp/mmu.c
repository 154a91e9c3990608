/*
 * Paging and the soft TLB.
 *
 * The TLB maps a virtual page to a host pointer (RAM) or flags it for the
 * slow path (MMIO, ROM writes, pages holding decoded code).  There is one
 * table per access kind (read, write, execute) and per privilege (user,
 * supervisor), so a hit needs no permission check.  Fills walk the guest
 * page tables: 32-bit, PAE and 4-level paging (SDM vol. 3, chapter 4),
 * setting the accessed and dirty bits.
 */
#include "target-i386/interp/internal.h"
#include "system/main-loop.h"
#include "util/log.h"

#define PHYS_ADDR_BITS  40      /* what CPUID 0x80000008 reports */
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR_MASK (((1ull << PHYS_ADDR_BITS) - 1) & ~0xfffull)
/* Bits 51:MAXPHYADDR of PAE and 4-level entries must be zero. */
#define PTE_RSVD_HIGH (((1ull << 52) - 1) & ~((1ull << PHYS_ADDR_BITS) - 1))

static X86Interp *all_contexts;

void x86_interp_register(X86Interp *s)
{
    s->next_ctx = all_contexts;
    all_contexts = s;
}

void x86_interp_unregister(X86Interp *s)
{
    for (X86Interp **p = &all_contexts; *p; p = &(*p)->next_ctx) {
        if (*p == s) {
            *p = s->next_ctx;
            return;
        }
    }
}

/* Clear s's jump cache; its block links (X86BlockLink) go with it. */
static void jc_clear(X86Interp *s)
{
    static uint64_t last_stamp;

    memset(s->jc, 0, sizeof(s->jc));
    s->jc_stamp = ++last_stamp;
}

void x86_jc_clear_all(void)
{
    for (X86Interp *s = all_contexts; s; s = s->next_ctx) {
        jc_clear(s);
    }
}

/* ---- Physical memory ------------------------------------------------------ */

void *x86_phys_host(X86Interp *s, uint64_t phys, unsigned len, bool is_write)
{
    int w = is_write;
    if (phys >= s->pcache_start[w] && phys + len <= s->pcache_end[w]) {
        return s->pcache_host[w] + (phys - s->pcache_start[w]);
    }
    hwaddr plen = 1ull << 48;
    uint8_t *p = address_space_ram_ptr(address_space_memory(), phys, &plen, is_write);
    if (!p || plen < len) {
        return NULL;
    }
    s->pcache_start[w] = phys;
    s->pcache_end[w] = phys + plen;
    s->pcache_host[w] = p;
    return p;
}

static bool bql_take(void)
{
    if (bql_locked()) {
        return false;
    }
    bql_lock();
    return true;
}

/* After a device access: a memory map change must not wait for the block's end. */
static void io_done(X86Interp *s, bool taken)
{
    if (taken) {
        bql_unlock();
    }
    if ((unsigned)g_atomic_int_get(&x86_flush_gen_global) != s->flush_gen) {
        s->stop = true;
    }
}

uint64_t x86_phys_ld(X86Interp *s, uint64_t phys, int ot)
{
    void *p = x86_phys_host(s, phys, 1u << ot, false);
    if (p) {
        return ldn(p, ot);
    }
    bool taken = bql_take();
    uint64_t v = address_space_ld(address_space_memory(), phys, 1u << ot, NULL);
    io_done(s, taken);
    return v;
}

void x86_phys_st(X86Interp *s, uint64_t phys, int ot, uint64_t val)
{
    void *p = x86_phys_host(s, phys, 1u << ot, true);
    if (p) {
        if (x86_code_page_has_code(phys & X86_PAGE_MASK)) {
            x86_code_write(s, phys, 1u << ot);
        }
        stn(p, ot, val);
        return;
    }
    bool taken = bql_take();
    address_space_st(address_space_memory(), phys, val, 1u << ot, NULL);
    io_done(s, taken);
}

uint64_t x86_io_in(X86Interp *s, uint16_t port, int ot)
{
    bool taken = bql_take();
    uint64_t v = address_space_ld(address_space_io(), port, 1u << ot, NULL);
    io_done(s, taken);
    return v;
}

void x86_io_out(X86Interp *s, uint16_t port, int ot, uint64_t val)
{
    bool taken = bql_take();
    address_space_st(address_space_io(), port, val, 1u << ot, NULL);
    io_done(s, taken);
}

/* ---- The page walk ------------------------------------------------------------ */

typedef struct PageWalk {
    uint64_t phys;
    uint64_t entry_addr[4];     /* paging-structure entries used, for A/D */
    int levels;
} PageWalk;

static bool walk_entry(X86Interp *s, PageWalk *w, uint64_t addr, int ot, uint64_t *e)
{
    addr &= s->a20_mask;
    w->entry_addr[w->levels++] = addr | ((uint64_t)ot << 62);
    *e = x86_phys_ld(s, addr, ot);
    return *e & PTE_P;
}

/* Set the accessed bits, and the dirty bit of the last entry for a write. */
static void walk_set_ad(X86Interp *s, PageWalk *w, bool is_write)
{
    for (int i = 0; i < w->levels; i++) {
        uint64_t addr = w->entry_addr[i] & ~(3ull << 62);
        int ot = w->entry_addr[i] >> 62;
        uint64_t e = x86_phys_ld(s, addr, ot);
        uint64_t n = e | PTE_A;
        if (i == w->levels - 1 && is_write) {
            n |= PTE_D;
        }
        if (n != e) {
            x86_phys_st(s, addr, ot, n);
        }
    }
}

/*
 * Translate lin for an access of kind at privilege mmu.  On a fault returns
 * false with the page-fault error code (SDM vol. 3, 4.7) in *err.
 */
static bool page_walk(X86Interp *s, uint64_t lin, int kind, int mmu, uint64_t *phys,
                      uint32_t *err)
{
    CPUX86State *env = s->env;
    bool is_write = kind == ACC_WRITE, is_user = mmu == MMU_USER, is_exec = kind == ACC_EXEC;
    bool nxe = env->efer & EFER_NXE;
    uint64_t nx_rsvd = nxe ? 0 : PTE_NX;
    bool rw = true, us = true, nx = false;
    PageWalk w = { .levels = 0 };
    uint64_t e, base;
    uint32_t code;

    if (!(env->cr[0] & CR0_PG)) {
        *phys = lin & s->a20_mask;
        return true;
    }
    code = (is_write ? PF_ERR_W : 0) | (is_user ? PF_ERR_U : 0);
    if (is_exec && ((env->cr[4] & CR4_SMEP) || ((env->cr[4] & CR4_PAE) && nxe))) {
        code |= PF_ERR_I;
    }

    if (env->cr[4] & CR4_PAE) {
        if (env->efer & EFER_LMA) {
            /* 4-level paging: PML4E, then PDPTE. */
            base = env->cr[3] & PTE_ADDR_MASK;
            if (!walk_entry(s, &w, base + ((lin >> 39) & 511) * 8, OT_Q, &e)) {
                goto not_present;
            }
            if (e & (PTE_RSVD_HIGH | nx_rsvd | PTE_PS)) {
                goto reserved;
            }
            rw &= !!(e & PTE_W);
            us &= !!(e & PTE_U);
            nx |= nxe && (e & PTE_NX);
            if (!walk_entry(s, &w, (e & PTE_ADDR_MASK) + ((lin >> 30) & 511) * 8, OT_Q, &e)) {
                goto not_present;
            }
            if (e & (PTE_RSVD_HIGH | nx_rsvd)) {
                goto reserved;
            }
            rw &= !!(e & PTE_W);
            us &= !!(e & PTE_U);
            nx |= nxe && (e & PTE_NX);
            if (e & PTE_PS) {
                /* 1-GiB page: bits 29:13 are reserved. */
                if (e & 0x3fffe000ull) {
                    goto reserved;
                }
                *phys = (e & PTE_ADDR_MASK & ~0x3fffffffull) | (lin & 0x3fffffff);
                goto leaf;
            }
        } else {
            /* PAE paging: one of four PDPTEs (no access rights in them). */
            base = env->cr[3] & 0xffffffe0u;
            if (!walk_entry(s, &w, base + ((lin >> 30) & 3) * 8, OT_Q, &e)) {
                goto not_present;
            }
            if (e & (PTE_RSVD_HIGH | PTE_NX | 0x1e6)) {
                goto reserved;
            }
            w.levels--;         /* PDPTEs have no accessed bit to set here */
        }
        if (!walk_entry(s, &w, (e & PTE_ADDR_MASK) + ((lin >> 21) & 511) * 8, OT_Q, &e)) {
            goto not_present;
        }
        if (e & (PTE_RSVD_HIGH | nx_rsvd)) {
            goto reserved;
        }
        rw &= !!(e & PTE_W);
        us &= !!(e & PTE_U);
        nx |= nxe && (e & PTE_NX);
        if (e & PTE_PS) {
            /* 2-MiB page: bits 20:13 are reserved. */
            if (e & 0x1fe000ull) {
                goto reserved;
            }
            *phys = (e & PTE_ADDR_MASK & ~0x1fffffull) | (lin & 0x1fffff);
            goto leaf;
        }
        if (!walk_entry(s, &w, (e & PTE_ADDR_MASK) + ((lin >> 12) & 511) * 8, OT_Q, &e)) {
            goto not_present;
        }
        if (e & (PTE_RSVD_HIGH | nx_rsvd)) {
            goto reserved;
        }
        rw &= !!(e & PTE_W);
        us &= !!(e & PTE_U);
        nx |= nxe && (e & PTE_NX);
        *phys = (e & PTE_ADDR_MASK) | (lin & 0xfff);
    } else {
        /* 32-bit paging (SDM vol. 3, 4.3). */
        base = env->cr[3] & 0xfffff000u;
        if (!walk_entry(s, &w, base + ((lin >> 22) & 1023) * 4, OT_L, &e)) {
            goto not_present;
        }
        rw &= !!(e & PTE_W);
        us &= !!(e & PTE_U);
        if ((e & PTE_PS) && (env->cr[4] & CR4_PSE)) {
            /* 4-MiB page; PSE-36 puts physical bits 39:32 in bits 20:13. */
            if (e & (1u << 21)) {
                goto reserved;
            }
            *phys = (e & 0xffc00000u) | ((e & 0x1fe000ull) << 19) | (lin & 0x3fffff);
            goto leaf;
        }
        if (!walk_entry(s, &w, (e & 0xfffff000u) + ((lin >> 12) & 1023) * 4, OT_L, &e)) {
            goto not_present;
        }
        rw &= !!(e & PTE_W);
        us &= !!(e & PTE_U);
        *phys = (e & 0xfffff000u) | (lin & 0xfff);
    }
leaf:
    /* SDM vol. 3, 4.6: access rights (no SMEP/SMAP: not advertised). */
    if ((is_user && !us) || (is_write && !rw && (is_user || (env->cr[0] & CR0_WP))) ||
        (is_exec && nx)) {
        *err = code | PF_ERR_P;
        return false;
    }
    walk_set_ad(s, &w, is_write);
    *phys &= s->a20_mask;
    return true;

not_present:
    *err = code;
    return false;
reserved:
    *err = code | PF_ERR_P | PF_ERR_RSVD;
    return false;
}

/* ---- TLB ------------------------------------------------------------------------ */

void x86_tlb_flush(X86Interp *s)
{
    memset(s->tlb, 0xff, sizeof(s->tlb));
    jc_clear(s);
    s->tlb_cr0 = s->env->cr[0];
    s->tlb_cr3 = s->env->cr[3];
    s->tlb_cr4 = s->env->cr[4];
    s->tlb_efer = s->env->efer;
    s->tlb_a20 = s->env->a20_mask_enabled;
}

void x86_tlb_flush_page(X86Interp *s, uint64_t lin)
{
    uint64_t page = lin & X86_PAGE_MASK;
    unsigned idx = (lin >> 12) & (TLB_SIZE - 1);

    for (int m = 0; m < MMU_NB; m++) {
        for (int k = 0; k < ACC_NB; k++) {
            TLBEntry *e = &s->tlb[m][k][idx];
            if (e->tag != TLB_EMPTY && (e->tag & X86_PAGE_MASK) == page) {
                e->tag = TLB_EMPTY;
            }
        }
    }
    /* Blocks reached through that page are found again through the TLB. */
    jc_clear(s);
}

void x86_tlb_protect_code_page(uint64_t page)
{
    for (X86Interp *s = all_contexts; s; s = s->next_ctx) {
        for (int m = 0; m < MMU_NB; m++) {
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                TLBEntry *e = &s->tlb[m][ACC_WRITE][i];
                if (e->tag != TLB_EMPTY && s->tlb_phys[m][ACC_WRITE][i] == page) {
                    e->tag |= TLB_CODE;
                }
            }
        }
    }
}

/*
 * Alignment checking (SDM vol. 3, 6.15, interrupt 17): CR0.AM, EFLAGS.AC
 * and CPL 3.  While it is on, user read and write entries carry TLB_AC, so
 * the inline fast paths miss and every user data access comes through the
 * slow paths below, which check the alignment; while it is off the fast
 * paths do no extra work at all.
 */
static inline bool ac_active(X86Interp *s)
{
    return s->cpl == 3 && (s->env->cr[0] & CR0_AM) && (s->env->eflags & AC_MASK);
}

void x86_ac_sync(X86Interp *s)
{
    bool on = ac_active(s);

    if (G_LIKELY(on == s->tlb_ac)) {
        return;
    }
    memset(s->tlb[MMU_USER][ACC_READ], 0xff, sizeof(s->tlb[MMU_USER][ACC_READ]));
    memset(s->tlb[MMU_USER][ACC_WRITE], 0xff, sizeof(s->tlb[MMU_USER][ACC_WRITE]));
    s->tlb_ac = on;
}

/*
 * #AC(0) for a user data access of size bytes not aligned to its size.
 * Implicit supervisor accesses (descriptor tables, the TSS, the inner
 * stack of an event) are made with MMU_KERNEL and never checked.
 */
static inline void ac_check(X86Interp *s, uint64_t lin, unsigned size, int mmu)
{
    if (G_UNLIKELY(mmu == MMU_USER && (lin & (size - 1)) != 0) && ac_active(s)) {
        x86_raise(s, EXC_AC, 0);
    }
}

static TLBEntry *tlb_fill(X86Interp *s, uint64_t lin, int kind, int mmu, int seg,
                          bool may_fault)
{
    unsigned idx = (lin >> 12) & (TLB_SIZE - 1);
    uint64_t page = lin & X86_PAGE_MASK, phys;
    uint32_t err;
    TLBEntry *e;
    void *host;

    if ((s->env->efer & EFER_LMA) && !x86_canonical(lin)) {
        /* SDM vol. 3, 6.15: non-canonical is #SS(0) for stack references, else #GP(0). */
        if (!may_fault) {
            return NULL;
        }
        x86_raise(s, seg == R_SS ? EXC_SS : EXC_GP, 0);
    }
    if (!page_walk(s, lin, kind, mmu, &phys, &err)) {
        if (!may_fault) {
            return NULL;
        }
        log_mask(LOG_MMU, "x86: #PF at 0x%" PRIx64 " err 0x%x\n", lin, err);
        s->env->cr[2] = lin;
        x86_raise(s, EXC_PF, err);
    }
    phys &= X86_PAGE_MASK;
    host = x86_phys_host(s, phys, X86_PAGE_SIZE, kind == ACC_WRITE);
    e = &s->tlb[mmu][kind][idx];
    if (host) {
        e->tag = page;
        e->addend = (uintptr_t)host - (uintptr_t)page;
    } else {
        e->tag = page | TLB_IO;
        e->addend = 0;
    }
    if (kind == ACC_WRITE && x86_code_page_has_code(phys)) {
        e->tag |= TLB_CODE;
    }
    if (mmu == MMU_USER && kind != ACC_EXEC && s->tlb_ac) {
        e->tag |= TLB_AC;
    }
    if (s->bp_data && kind != ACC_EXEC && x86_dr_watches_page(s, page, kind == ACC_WRITE)) {
        e->tag |= TLB_WATCH;
    }
    s->tlb_phys[mmu][kind][idx] = phys;
    return e;
}

static TLBEntry *tlb_lookup(X86Interp *s, uint64_t lin, int kind, int mmu, int seg)
{
    TLBEntry *e = &s->tlb[mmu][kind][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag != TLB_EMPTY && (e->tag & X86_PAGE_MASK) == (lin & X86_PAGE_MASK)) {
        return e;
    }
    return tlb_fill(s, lin, kind, mmu, seg, true);
}

static uint64_t tlb_entry_phys(X86Interp *s, TLBEntry *e, int kind, int mmu, uint64_t lin)
{
    return s->tlb_phys[mmu][kind][(lin >> 12) & (TLB_SIZE - 1)] | (lin & 0xfff);
}

uint64_t x86_translate(X86Interp *s, uint64_t lin, int kind, int mmu, int seg)
{
    TLBEntry *e = tlb_lookup(s, lin, kind, mmu, seg);
    return tlb_entry_phys(s, e, kind, mmu, lin);
}

const uint8_t *x86_fetch_ptr(X86Interp *s, uint64_t lin, uint64_t *phys, bool may_fault,
                             bool *faulted)
{
    int mmu = s->mmu_idx;
    TLBEntry *e = &s->tlb[mmu][ACC_EXEC][(lin >> 12) & (TLB_SIZE - 1)];

    if (e->tag == TLB_EMPTY || (e->tag & X86_PAGE_MASK) != (lin & X86_PAGE_MASK)) {
        e = tlb_fill(s, lin, ACC_EXEC, mmu, R_CS, may_fault);
        if (!e) {
            *faulted = true;
            return NULL;
        }
    }
    *phys = tlb_entry_phys(s, e, ACC_EXEC, mmu, lin);
    if (e->tag & TLB_IO) {
        return NULL;
    }
    return (const uint8_t *)(uintptr_t)(lin + e->addend);
}

/* ---- Slow paths of loads and stores ---------------------------------------------- */

static bool crosses_page(uint64_t lin, unsigned size)
{
    return (lin & 0xfff) + size > X86_PAGE_SIZE;
}

uint64_t x86_ld_slow(X86Interp *s, uint64_t lin, int ot, int mmu, int seg)
{
    unsigned size = 1u << ot;
    TLBEntry *e;

    ac_check(s, lin, size, mmu);
    if (crosses_page(lin, size)) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= x86_ld_slow(s, (lin + i) & s->sys_lin_mask, OT_B, mmu, seg) << (8 * i);
        }
        return v;
    }
    e = tlb_lookup(s, lin, ACC_READ, mmu, seg);
    if (e->tag & TLB_WATCH) {
        x86_dr_access(s, lin, size, false);
    }
    if (!(e->tag & TLB_IO)) {
        return ldn((void *)(uintptr_t)(lin + e->addend), ot);
    }
    bool taken = bql_take();
    uint64_t v = address_space_ld(address_space_memory(),
                                  tlb_entry_phys(s, e, ACC_READ, mmu, lin), size, NULL);
    io_done(s, taken);
    return v;
}

/* The write half: code invalidation, then RAM or the device. */
static void st_one_page(X86Interp *s, TLBEntry *e, uint64_t lin, int ot, uint64_t val,
                        int mmu)
{
    uint64_t phys = tlb_entry_phys(s, e, ACC_WRITE, mmu, lin);

    if (e->tag & TLB_WATCH) {
        x86_dr_access(s, lin, 1u << ot, true);
    }
    if (e->tag & TLB_CODE) {
        if (!x86_code_write(s, phys, 1u << ot)) {
            e->tag &= ~(uint64_t)TLB_CODE;
        }
    }
    if (!(e->tag & TLB_IO)) {
        stn((void *)(uintptr_t)(lin + e->addend), ot, val);
        return;
    }
    bool taken = bql_take();
    address_space_st(address_space_memory(), phys, val, 1u << ot, NULL);
    io_done(s, taken);
}

void x86_st_slow(X86Interp *s, uint64_t lin, int ot, uint64_t val, int mmu, int seg)
{
    unsigned size = 1u << ot;

    ac_check(s, lin, size, mmu);
    if (crosses_page(lin, size)) {
        /* Both pages must be writable before any byte is written. */
        uint64_t lin2 = ((lin | 0xfff) + 1) & s->sys_lin_mask;
        tlb_lookup(s, lin, ACC_WRITE, mmu, seg);
        tlb_lookup(s, lin2, ACC_WRITE, mmu, seg);
        for (unsigned i = 0; i < size; i++) {
            uint64_t l = (lin + i) & s->sys_lin_mask;
            st_one_page(s, tlb_lookup(s, l, ACC_WRITE, mmu, seg), l, OT_B, val >> (8 * i), mmu);
        }
        return;
    }
    st_one_page(s, tlb_lookup(s, lin, ACC_WRITE, mmu, seg), lin, ot, val, mmu);
}

void *x86_wptr_slow(X86Interp *s, uint64_t lin, int ot, int mmu, int seg)
{
    unsigned size = 1u << ot;
    TLBEntry *e;

    ac_check(s, lin, size, mmu);
    if (crosses_page(lin, size)) {
        tlb_lookup(s, lin, ACC_WRITE, mmu, seg);
        tlb_lookup(s, ((lin | 0xfff) + 1) & s->sys_lin_mask, ACC_WRITE, mmu, seg);
        return NULL;
    }
    e = tlb_lookup(s, lin, ACC_WRITE, mmu, seg);
    if (e->tag & TLB_WATCH) {
        x86_dr_access(s, lin, size, true);
    }
    if (e->tag & TLB_IO) {
        return NULL;
    }
    if (e->tag & TLB_CODE) {
        if (!x86_code_write(s, tlb_entry_phys(s, e, ACC_WRITE, mmu, lin), size)) {
            e->tag &= ~(uint64_t)TLB_CODE;
        }
    }
    return (void *)(uintptr_t)(lin + e->addend);
}
