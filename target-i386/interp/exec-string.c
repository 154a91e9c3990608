/*
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with REP,
 * REPE and REPNE (SDM vol. 2, REP/REPE/REPZ/REPNE/REPNZ).
 *
 * A REP instruction commits each iteration (rCX, rSI, rDI) so a fault
 * leaves it restartable.  Long repeats stop after REP_CHUNK iterations and
 * re-execute, so interrupts are taken in between, as on hardware; so do
 * they after an iteration that hits a data or I/O breakpoint, whose #DB
 * trap comes between iterations (SDM vol. 3, 18.3.1.2).
 * Forward MOVS and STOS copy whole page runs through the TLB's host
 * pointers (a fast path that must match the per-iteration loop).
 */
#include "target-i386/interp/exec.h"

#define REP_CHUNK 65536

static inline uint64_t sreg(X86Interp *s, int r, int aot)
{
    return s->env->regs[r] & x86_size_mask[aot];
}

/* Address-size update of rSI/rDI/rCX: 32-bit writes zero the upper half. */
static inline void sreg_set(X86Interp *s, int r, int aot, uint64_t v)
{
    uint64_t *regs = s->env->regs;
    if (aot == OT_L) {
        regs[r] = (uint32_t)v;
    } else if (aot == OT_W) {
        regs[r] = (regs[r] & ~0xffffull) | (v & 0xffff);
    } else {
        regs[r] = v;
    }
}

static inline int64_t str_step(X86Interp *s, int ot)
{
    return (s->env->eflags & DF_MASK) ? -(1 << ot) : (1 << ot);
}

static inline bool has_rep(const X86Insn *d)
{
    return d->pfx & (PFX_REPZ | PFX_REPNZ);
}

/* The end of a repeated instruction's chunk: come back for the rest. */
static void rep_continue_later(X86Interp *s)
{
    s->next_rip = s->env->rip;
    s->stop = true;
}

/*
 * After an iteration that hit a data or I/O breakpoint, with n left: the
 * #DB trap comes between iterations (SDM vol. 3, 18.3.1.2), at the REP.
 */
static bool rep_trap_between(X86Interp *s, uint64_t n)
{
    if (G_UNLIKELY(s->db_hits) && n > 0) {
        rep_continue_later(s);
        return true;
    }
    return false;
}

/*
 * REP with a 32-bit address size writes RCX as a 32-bit register even when it
 * runs no iteration: in 64-bit mode its upper half is cleared, and so are
 * those of the index registers of MOVS and STOS, not of CMPS (the hardware's
 * fast-string paths; tests/diff).
 */
static void rep_clear_upper(X86Interp *s, const X86Insn *d, bool si, bool di)
{
    uint64_t *regs = s->env->regs;
    if (!has_rep(d) || d->aot != OT_L || !s->long64) {
        return;
    }
    regs[R_ECX] = (uint32_t)regs[R_ECX];
    if (si) {
        regs[R_ESI] = (uint32_t)regs[R_ESI];
    }
    if (di) {
        regs[R_EDI] = (uint32_t)regs[R_EDI];
    }
}

/* Iterations count against the slice, so a long REP over MMIO cannot hog the thread. */
static void rep_account(X86Interp *s, uint64_t iterations)
{
    s->budget_left -= iterations / 4;
}

/* How many whole elements from off stay inside the address size and the page. */
static uint64_t run_length(X86Interp *s, uint64_t off, uint64_t lin, int aot, int ot, uint64_t n)
{
    uint64_t to_wrap = (x86_size_mask[aot] - off) >> ot;        /* elements after the first */
    uint64_t to_page = (X86_PAGE_SIZE - (lin & 0xfff)) >> ot;
    return MIN(n, MIN(to_wrap + 1, to_page));
}

static uint64_t movs_fast(X86Interp *s, const X86Insn *d, uint64_t n)
{
    int ot = d->ot, aot = d->aot;
    if (s->seg[d->seg].check_r || s->seg[R_ES].check_w) {
        return 0;
    }
    uint64_t si = sreg(s, R_ESI, aot), di = sreg(s, R_EDI, aot);
    uint64_t ls = (s->seg[d->seg].base + si) & s->lin_mask;
    uint64_t ld = (s->seg[R_ES].base + di) & s->lin_mask;
    uint64_t k = MIN(run_length(s, si, ls, aot, ot, n), run_length(s, di, ld, aot, ot, n));
    if (k < 2) {
        return 0;
    }
    uint8_t *src = tlb_fast(s, ls, OT_B, ACC_READ, s->mmu_idx);
    uint8_t *dst = tlb_fast(s, ld, OT_B, ACC_WRITE, s->mmu_idx);
    size_t bytes = k << ot;
    /* An overlap ahead of the source repeats a pattern element by element. */
    if (!src || !dst || (dst > src && dst < src + bytes)) {
        return 0;
    }
    memmove(dst, src, bytes);
    sreg_set(s, R_ESI, aot, si + bytes);
    sreg_set(s, R_EDI, aot, di + bytes);
    return k;
}

void x86_op_movs(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, aot = d->aot;
    int64_t step = str_step(s, ot);
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, true, true);

    while (n > 0) {
        if (done >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t k = (step > 0 && has_rep(d)) ? movs_fast(s, d, n) : 0;
        if (k == 0) {
            uint64_t si = sreg(s, R_ESI, aot), di = sreg(s, R_EDI, aot);
            x86_st(s, R_ES, di, ot, x86_ld(s, d->seg, si, ot));
            sreg_set(s, R_ESI, aot, si + step);
            sreg_set(s, R_EDI, aot, di + step);
            k = 1;
        }
        n -= k;
        done += k;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

static uint64_t stos_fast(X86Interp *s, const X86Insn *d, uint64_t n, uint64_t v)
{
    int ot = d->ot, aot = d->aot;
    if (s->seg[R_ES].check_w) {
        return 0;
    }
    uint64_t di = sreg(s, R_EDI, aot);
    uint64_t ld = (s->seg[R_ES].base + di) & s->lin_mask;
    uint64_t k = run_length(s, di, ld, aot, ot, n);
    uint8_t *dst;
    if (k < 2 || !(dst = tlb_fast(s, ld, OT_B, ACC_WRITE, s->mmu_idx))) {
        return 0;
    }
    if (ot == OT_B) {
        memset(dst, (int)v, k);
    } else {
        for (uint64_t i = 0; i < k; i++) {
            stn(dst + (i << ot), ot, v);
        }
    }
    sreg_set(s, R_EDI, aot, di + (k << ot));
    return k;
}

void x86_op_stos(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, aot = d->aot;
    int64_t step = str_step(s, ot);
    uint64_t v = reg_get(s, R_EAX, ot);
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, true);

    while (n > 0) {
        if (done >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t k = (step > 0 && has_rep(d)) ? stos_fast(s, d, n, v) : 0;
        if (k == 0) {
            uint64_t di = sreg(s, R_EDI, aot);
            x86_st(s, R_ES, di, ot, v);
            sreg_set(s, R_EDI, aot, di + step);
            k = 1;
        }
        n -= k;
        done += k;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

void x86_op_lods(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, aot = d->aot;
    int64_t step = str_step(s, ot);
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, false);

    while (n > 0) {
        if (done++ >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t si = sreg(s, R_ESI, aot);
        reg_set(s, R_EAX, ot, x86_ld(s, d->seg, si, ot));
        sreg_set(s, R_ESI, aot, si + step);
        n--;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

/* REPE stops when ZF is clear, REPNE when it is set. */
static bool rep_cond_stops(X86Interp *s, const X86Insn *d)
{
    bool zf = x86_cond(s, 4);
    return (d->pfx & PFX_REPZ) ? !zf : zf;
}

void x86_op_cmps(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, aot = d->aot;
    int64_t step = str_step(s, ot);
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, false);

    while (n > 0) {
        if (done++ >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t si = sreg(s, R_ESI, aot), di = sreg(s, R_EDI, aot);
        uint64_t a = x86_ld(s, d->seg, si, ot);
        uint64_t b = x86_ld(s, R_ES, di, ot);
        cc_set(s, CC_OP_SUB, ot, a, b, (a - b) & x86_size_mask[ot]);
        sreg_set(s, R_ESI, aot, si + step);
        sreg_set(s, R_EDI, aot, di + step);
        n--;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
            if (rep_cond_stops(s, d)) {
                return;
            }
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

void x86_op_scas(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, aot = d->aot;
    int64_t step = str_step(s, ot);
    uint64_t a = reg_get(s, R_EAX, ot);
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, false);

    while (n > 0) {
        if (done++ >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t di = sreg(s, R_EDI, aot);
        uint64_t b = x86_ld(s, R_ES, di, ot);
        cc_set(s, CC_OP_SUB, ot, a, b, (a - b) & x86_size_mask[ot]);
        sreg_set(s, R_EDI, aot, di + step);
        n--;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
            if (rep_cond_stops(s, d)) {
                return;
            }
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

static int io_ot(const X86Insn *d)
{
    return d->ot == OT_Q ? OT_L : d->ot;
}

void x86_op_ins(X86Interp *s, const X86Insn *d)
{
    int ot = io_ot(d), aot = d->aot;
    int64_t step = str_step(s, ot);
    uint16_t port = s->env->regs[R_EDX];
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, false);

    x86_check_io(s, port, 1u << ot);
    while (n > 0) {
        if (done++ >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t di = sreg(s, R_EDI, aot);
        /* The destination must be writable before the port is read (reads have effects). */
        uint64_t lin = x86_seg_lin(s, R_ES, di, ot, true);
        if (!tlb_fast(s, lin, ot, ACC_WRITE, s->mmu_idx)) {
            x86_wptr_slow(s, lin, ot, s->mmu_idx, R_ES);
        }
        x86_st(s, R_ES, di, ot, x86_io_in(s, port, ot));
        x86_dr_check_io(s, port, 1u << ot);
        sreg_set(s, R_EDI, aot, di + step);
        n--;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}

void x86_op_outs(X86Interp *s, const X86Insn *d)
{
    int ot = io_ot(d), aot = d->aot;
    int64_t step = str_step(s, ot);
    uint16_t port = s->env->regs[R_EDX];
    uint64_t n = has_rep(d) ? sreg(s, R_ECX, aot) : 1, done = 0;
    rep_clear_upper(s, d, false, false);

    x86_check_io(s, port, 1u << ot);
    while (n > 0) {
        if (done++ >= REP_CHUNK) {
            rep_account(s, done);
            rep_continue_later(s);
            return;
        }
        uint64_t si = sreg(s, R_ESI, aot);
        x86_io_out(s, port, ot, x86_ld(s, d->seg, si, ot));
        x86_dr_check_io(s, port, 1u << ot);
        sreg_set(s, R_ESI, aot, si + step);
        n--;
        if (has_rep(d)) {
            sreg_set(s, R_ECX, aot, n);
        }
        if (rep_trap_between(s, n)) {
            return;
        }
    }
}
