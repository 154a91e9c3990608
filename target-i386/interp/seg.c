/*
 * Segmentation: the cached mode, segment checks, descriptor tables,
 * loading segment registers with their protection checks, and the
 * segment-related instructions (MOV Sreg, LxS, ARPL, LAR, LSL, VERR/VERW,
 * LLDT, LTR, SLDT, STR).  SDM vol. 3, chapters 3 and 5.
 */
#include "target-i386/interp/exec.h"

/* ---- Mode ---------------------------------------------------------------- */

void x86_update_seg(X86Interp *s, int seg)
{
    const SegmentCache *c = &s->env->segs[seg];
    SegFast *f = &s->seg[seg];
    uint32_t fl = c->flags;

    if (s->long64) {
        /* SDM vol. 3, 3.4.4: only FS and GS have a base in 64-bit mode; no limits. */
        f->base = seg >= R_FS ? c->base : 0;
        f->lo = 0;
        f->hi = UINT64_MAX;
        f->readable = f->writable = true;
        f->check_r = f->check_w = false;
        return;
    }
    f->base = (uint32_t)c->base;
    f->lo = 0;
    f->hi = c->limit;
    if (!s->pe || s->v86) {
        f->readable = f->writable = true;
    } else if (seg == R_CS) {
        f->readable = !(fl & DESC_CS_MASK) || (fl & DESC_R_MASK);
        f->writable = false;
    } else if (!(fl & DESC_P_MASK) || (c->selector & ~3) == 0) {
        f->readable = f->writable = false;      /* null or unusable */
    } else if (fl & DESC_CS_MASK) {
        f->readable = fl & DESC_R_MASK;
        f->writable = false;
    } else {
        f->readable = true;
        f->writable = fl & DESC_W_MASK;
        if (fl & DESC_E_MASK) {
            /* Expand-down: valid offsets are above the limit. */
            f->lo = (uint64_t)c->limit + 1;
            f->hi = (fl & DESC_B_MASK) ? 0xffffffffu : 0xffff;
        }
    }
    f->check_r = !f->readable || f->lo != 0 || f->hi < 0xffffffffu;
    f->check_w = !f->writable || f->lo != 0 || f->hi < 0xffffffffu;
}

void x86_update_mode(X86Interp *s)
{
    CPUX86State *env = s->env;
    bool lma = env->efer & EFER_LMA;

    s->pe = env->cr[0] & CR0_PE;
    s->v86 = s->pe && (env->eflags & VM_MASK);
    s->long64 = lma && (env->segs[R_CS].flags & DESC_L_MASK);
    if (s->long64) {
        s->code_ot = OT_Q;
    } else {
        s->code_ot = (!s->v86 && (env->segs[R_CS].flags & DESC_B_MASK)) ? OT_L : OT_W;
    }
    s->cpl = !s->pe ? 0 : s->v86 ? 3 : x86_cpl(env);
    s->mmu_idx = s->cpl == 3 ? MMU_USER : MMU_KERNEL;
    s->jc_key = s->code_ot | (s->mmu_idx << 2);
    s->cs_limit_check = !s->long64 && env->segs[R_CS].limit != 0xffffffffu;
    x86_update_slow_blocks(s);
    if (s->long64) {
        s->sp_mask = UINT64_MAX;
    } else {
        s->sp_mask = (!s->v86 && (env->segs[R_SS].flags & DESC_B_MASK)) ? 0xffffffffu : 0xffff;
    }
    s->lin_mask = s->long64 ? UINT64_MAX : 0xffffffffu;
    s->sys_lin_mask = lma ? UINT64_MAX : 0xffffffffu;
    s->a20_mask = env->a20_mask_enabled ? ~(uint64_t)(1u << 20) : UINT64_MAX;
    for (int i = 0; i < CPU_NB_SEGS; i++) {
        x86_update_seg(s, i);
    }
    x86_ac_sync(s);
}

void x86_seg_check(X86Interp *s, int seg, uint64_t off, unsigned size, bool write)
{
    const SegFast *f = &s->seg[seg];
    int vec = seg == R_SS ? EXC_SS : EXC_GP;

    if (write ? !f->writable : !f->readable) {
        x86_raise(s, vec, 0);
    }
    /* An access whose end wraps past 4 GiB is not a limit violation against
     * a 4 GiB upper bound: the Xeon lets an expand-down (B=1) segment's
     * word at offset 0xffffffff through (tests/diff, seglimit). */
    if (off < f->lo || (off + size - 1 > f->hi && f->hi != 0xffffffffu)) {
        x86_raise(s, vec, 0);
    }
}

/* ---- Descriptors ------------------------------------------------------------ */

bool x86_desc_addr(X86Interp *s, uint16_t sel, uint64_t *addr)
{
    CPUX86State *env = s->env;
    uint64_t base;
    uint32_t limit;

    if (sel & 4) {
        if ((env->ldt.selector & ~3) == 0 || !(env->ldt.flags & DESC_P_MASK)) {
            return false;
        }
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if ((uint32_t)(sel & ~7) + 7 > limit) {
        return false;
    }
    *addr = base + (sel & ~7);
    return true;
}

bool x86_desc_read(X86Interp *s, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint64_t addr;
    if (!x86_desc_addr(s, sel, &addr)) {
        return false;
    }
    *lo = x86_ld_sys(s, addr, OT_L);
    *hi = x86_ld_sys(s, addr + 4, OT_L);
    return true;
}

void x86_desc_to_cache(SegmentCache *c, uint16_t sel, uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    c->selector = sel;
    c->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    c->limit = limit;
    c->flags = hi & 0x00f0ff00u;
}

void x86_desc_set_accessed(X86Interp *s, uint16_t sel, uint32_t hi)
{
    uint64_t addr;
    if (!(hi & DESC_A_MASK) && x86_desc_addr(s, sel, &addr)) {
        x86_st_sys(s, addr + 4, OT_L, hi | DESC_A_MASK);
    }
}

/* MOV/POP/LxS to a data or stack segment register (SDM vol. 2, MOV; vol. 3, 5.10). */
void x86_load_seg(X86Interp *s, int seg, uint16_t sel)
{
    CPUX86State *env = s->env;
    SegmentCache *c = &env->segs[seg];
    uint32_t lo, hi;
    unsigned rpl = sel & 3, dpl, cpl = s->cpl;

    if (!s->pe || s->v86) {
        c->selector = sel;
        c->base = (uint32_t)sel << 4;
        if (s->v86) {
            c->limit = 0xffff;
            c->flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                       (3u << DESC_DPL_SHIFT);
        }
        x86_update_seg(s, seg);
        return;
    }
    if ((sel & ~3) == 0) {
        /* SDM vol. 3, 5.4.1.1: 64-bit mode allows a null SS below CPL 3 with RPL = CPL. */
        if (seg == R_SS && !(s->long64 && cpl != 3 && rpl == cpl)) {
            x86_raise(s, EXC_GP, 0);
        }
        c->selector = sel;
        c->base = 0;
        c->limit = 0;
        c->flags = seg == R_SS ? (cpl << DESC_DPL_SHIFT) | DESC_B_MASK : 0;
        x86_update_seg(s, seg);
        return;
    }
    if (!x86_desc_read(s, sel, &lo, &hi)) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || !(hi & DESC_S_MASK) || (hi & DESC_CS_MASK) ||
            !(hi & DESC_W_MASK)) {
            x86_raise(s, EXC_GP, sel & 0xfffc);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(s, EXC_SS, sel & 0xfffc);
        }
    } else {
        if (!(hi & DESC_S_MASK) || ((hi & DESC_CS_MASK) && !(hi & DESC_R_MASK))) {
            x86_raise(s, EXC_GP, sel & 0xfffc);
        }
        if (!((hi & DESC_CS_MASK) && (hi & DESC_C_MASK)) && (rpl > dpl || cpl > dpl)) {
            x86_raise(s, EXC_GP, sel & 0xfffc);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(s, EXC_NP, sel & 0xfffc);
        }
    }
    x86_desc_set_accessed(s, sel, hi);
    x86_desc_to_cache(c, sel, lo, hi | DESC_A_MASK);
    if (seg == R_SS) {
        x86_update_mode(s);
    } else {
        x86_update_seg(s, seg);
    }
}

/* ---- Instructions ------------------------------------------------------------- */

void x86_op_mov_seg_load(X86Interp *s, const X86Insn *d)
{
    int seg = d->reg & 7;
    if (seg == R_CS || seg >= CPU_NB_SEGS) {
        x86_raise(s, EXC_UD, 0);
    }
    x86_load_seg(s, seg, op_rm_get(s, d, OT_W));
    if (seg == R_SS) {
        /* SDM vol. 2, MOV: interrupts are inhibited until after the next instruction. */
        s->inhibit_irq = true;
    }
}

void x86_op_mov_seg_store(X86Interp *s, const X86Insn *d)
{
    int seg = d->reg & 7;
    if (seg >= CPU_NB_SEGS) {
        x86_raise(s, EXC_UD, 0);
    }
    uint16_t sel = s->env->segs[seg].selector;
    if (d->mod == 3) {
        reg_set(s, d->rm, d->ot, sel);
    } else {
        x86_st(s, d->seg, insn_ea(s, d), OT_W, sel);
    }
}

/* LES, LDS (one-byte map); LSS, LFS, LGS (0F map). */
void x86_op_lseg(X86Interp *s, const X86Insn *d)
{
    int seg;
    if (d->map == 0) {
        seg = d->op == 0xc4 ? R_ES : R_DS;
    } else {
        seg = d->op == 0xb2 ? R_SS : d->op == 0xb4 ? R_FS : R_GS;
    }
    uint64_t ea = insn_ea(s, d);
    uint64_t off = x86_ld(s, d->seg, ea, d->ot);
    uint16_t sel = x86_ld(s, d->seg, (ea + (1u << d->ot)) & x86_size_mask[d->aot], OT_W);
    x86_load_seg(s, seg, sel);
    reg_set(s, d->reg, d->ot, off);
    if (seg == R_SS) {
        s->inhibit_irq = true;
    }
}

void x86_op_arpl(X86Interp *s, const X86Insn *d)
{
    if (!s->pe || s->v86) {
        x86_raise(s, EXC_UD, 0);
    }
    X86MemRef m = { 0 };
    uint64_t dst = d->mod == 3 ? reg_get(s, d->rm, OT_W)
                               : x86_rmw_ld(s, d->seg, insn_ea(s, d), OT_W, &m);
    uint64_t src = reg_get(s, d->reg, OT_W);
    uint32_t f = x86_cc_compute(s) & ~CC_Z;
    if ((dst & 3) < (src & 3)) {
        dst = (dst & ~3ull) | (src & 3);
        f |= CC_Z;
    }
    if (d->mod == 3) {
        reg_set(s, d->rm, OT_W, dst);
    } else {
        x86_rmw_st(s, &m, OT_W, dst);
    }
    cc_set_flags(s, f);
}

/*
 * The checks LAR, LSL, VERR and VERW share: the descriptor is readable
 * and visible at this privilege (SDM vol. 2, LAR).  Never faults on the
 * selector itself.
 */
static bool seg_visible(X86Interp *s, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    if ((sel & ~3) == 0 || !x86_desc_read(s, sel, lo, hi)) {
        return false;
    }
    unsigned dpl = (*hi >> DESC_DPL_SHIFT) & 3;
    bool conforming_code = (*hi & DESC_S_MASK) && (*hi & DESC_CS_MASK) && (*hi & DESC_C_MASK);
    return conforming_code || (dpl >= s->cpl && dpl >= (sel & 3u));
}

static void set_zf(X86Interp *s, bool z)
{
    uint32_t f = x86_cc_compute(s) & ~CC_Z;
    cc_set_flags(s, f | (z ? CC_Z : 0));
}

static void lar_lsl(X86Interp *s, const X86Insn *d, bool lsl)
{
    uint32_t lo, hi;
    if (!s->pe || s->v86) {
        x86_raise(s, EXC_UD, 0);
    }
    uint16_t sel = op_rm_get(s, d, OT_W);
    bool ok = seg_visible(s, sel, &lo, &hi);
    if (ok && !(hi & DESC_S_MASK)) {
        unsigned type = (hi >> 8) & 15;
        bool lm = s->env->efer & EFER_LMA;
        /* System types LAR/LSL accept (SDM vol. 2, tables 3-55/3-56). */
        static const uint16_t lar_legacy = 0x1a3e, lar_long = 0x1a04;   /* incl. gates */
        static const uint16_t lsl_legacy = 0x0a0e, lsl_long = 0x0a04;
        uint16_t ok_types = lsl ? (lm ? lsl_long : lsl_legacy) : (lm ? lar_long : lar_legacy);
        ok = (ok_types >> type) & 1;
    }
    if (ok) {
        if (lsl) {
            SegmentCache c;
            x86_desc_to_cache(&c, sel, lo, hi);
            reg_set(s, d->reg, d->ot, c.limit);
        } else {
            reg_set(s, d->reg, d->ot, hi & 0x00f0ff00u);
        }
    }
    set_zf(s, ok);
}

void x86_op_lar(X86Interp *s, const X86Insn *d)
{
    lar_lsl(s, d, false);
}

void x86_op_lsl(X86Interp *s, const X86Insn *d)
{
    lar_lsl(s, d, true);
}

/* A system descriptor (LDT, TSS) for LLDT/LTR: 16 bytes in long mode. */
static void load_system_seg(X86Interp *s, SegmentCache *c, uint16_t sel, unsigned want_type,
                            bool ltr)
{
    uint32_t lo, hi;
    uint64_t addr;

    if (sel & 4) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!x86_desc_addr(s, sel, &addr)) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    bool lm = s->env->efer & EFER_LMA;
    if (lm && (uint32_t)(sel & ~7) + 15 > s->env->gdt.limit) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    lo = x86_ld_sys(s, addr, OT_L);
    hi = x86_ld_sys(s, addr + 4, OT_L);
    unsigned type = (hi >> 8) & 15;
    bool type_ok = ltr ? (type == 9 || (!lm && type == 1)) : type == want_type;
    if ((hi & DESC_S_MASK) || !type_ok) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, sel & 0xfffc);
    }
    uint64_t base_hi = 0;
    if (lm) {
        uint32_t w2 = x86_ld_sys(s, addr + 8, OT_L);
        uint32_t w3 = x86_ld_sys(s, addr + 12, OT_L);
        if ((w3 >> 8) & 0x1f) {
            x86_raise(s, EXC_GP, sel & 0xfffc);
        }
        base_hi = (uint64_t)w2 << 32;
    }
    if (ltr) {
        /* Mark the TSS busy (type 9 -> 11, 1 -> 3). */
        x86_st_sys(s, addr + 4, OT_L, hi | (2u << 8));
        hi |= 2u << 8;
    }
    x86_desc_to_cache(c, sel, lo, hi);
    c->base |= base_hi;
}

/* 0F 00: SLDT, STR, LLDT, LTR, VERR, VERW. */
void x86_op_grp6(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    uint32_t lo, hi;

    if (!s->pe || s->v86) {
        x86_raise(s, EXC_UD, 0);
    }
    switch (d->op) {
    case 0:
    case 1: {
        if ((env->cr[4] & CR4_UMIP) && s->cpl > 0) {
            x86_raise(s, EXC_GP, 0);
        }
        uint16_t sel = d->op == 0 ? env->ldt.selector : env->tr.selector;
        if (d->mod == 3) {
            reg_set(s, d->rm, d->ot, sel);
        } else {
            x86_st(s, d->seg, insn_ea(s, d), OT_W, sel);
        }
        break;
    }
    case 2: {
        x86_require_cpl0(s);
        uint16_t sel = op_rm_get(s, d, OT_W);
        if ((sel & ~3) == 0) {
            env->ldt.selector = sel;
            env->ldt.base = 0;
            env->ldt.limit = 0;
            env->ldt.flags = 0;
        } else {
            load_system_seg(s, &env->ldt, sel, 2, false);
        }
        break;
    }
    case 3: {
        x86_require_cpl0(s);
        uint16_t sel = op_rm_get(s, d, OT_W);
        if ((sel & ~3) == 0) {
            x86_raise(s, EXC_GP, 0);
        }
        load_system_seg(s, &env->tr, sel, 9, true);
        break;
    }
    case 4:
    case 5: {
        /* VERR/VERW: readable/writable from this CPL and RPL (SDM vol. 2, VERR). */
        uint16_t sel = op_rm_get(s, d, OT_W);
        bool ok = seg_visible(s, sel, &lo, &hi) && (hi & DESC_S_MASK);
        if (ok && d->op == 4) {
            ok = !(hi & DESC_CS_MASK) || (hi & DESC_R_MASK);
        } else if (ok) {
            ok = !(hi & DESC_CS_MASK) && (hi & DESC_W_MASK);
        }
        set_zf(s, ok);
        break;
    }
    default:
        x86_raise(s, EXC_UD, 0);
    }
}
