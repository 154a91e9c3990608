/*
 * SSE/MMX data movement: the 128-, 64- and 32-bit moves between xmm, mm,
 * general registers and memory; masks (MOVMSKPS, PMOVMSKB), word
 * insert/extract, shuffles by immediate, non-temporal stores, EMMS, and
 * the slow paths of 16-byte memory accesses (SDM vol. 2, the MOV* pages).
 */
#include "target-i386/interp/exec-sse.h"

/*
 * 16-byte accesses are never alignment-checked (#AC is for 8 bytes or
 * less, SDM vol. 2, table 2-21): an unaligned one goes byte by byte, so
 * the slow path's check sees no misaligned piece.
 */
void x86_sse_ld128_slow(X86Interp *s, uint64_t lin, XMMReg *v, int seg)
{
    if (lin & 7) {
        for (unsigned i = 0; i < 16; i++) {
            v->b[i] = x86_ld_slow(s, (lin + i) & s->lin_mask, OT_B, s->mmu_idx, seg);
        }
        return;
    }
    v->q[0] = x86_ld_slow(s, lin, OT_Q, s->mmu_idx, seg);
    v->q[1] = x86_ld_slow(s, (lin + 8) & s->lin_mask, OT_Q, s->mmu_idx, seg);
}

void x86_sse_st128_slow(X86Interp *s, uint64_t lin, const XMMReg *v, int seg)
{
    uint64_t hi = (lin + 8) & s->lin_mask;
    /* Fault on either page before writing anything. */
    x86_translate(s, lin, ACC_WRITE, s->mmu_idx, seg);
    x86_translate(s, (lin + 15) & s->lin_mask, ACC_WRITE, s->mmu_idx, seg);
    if (lin & 7) {
        for (unsigned i = 0; i < 16; i++) {
            x86_st_slow(s, (lin + i) & s->lin_mask, OT_B, v->b[i], s->mmu_idx, seg);
        }
        return;
    }
    x86_st_slow(s, lin, OT_Q, v->q[0], s->mmu_idx, seg);
    x86_st_slow(s, hi, OT_Q, v->q[1], s->mmu_idx, seg);
}

/* 128-bit moves: loads at even opcodes (10, 28, 6F), stores otherwise. */
static inline void sse_mov128(X86Interp *s, const X86Insn *d, bool load, bool align)
{
    CPUX86State *env = s->env;
    x86_sse_check(s);
    if (load) {
        sse_src128(s, d, &env->xmm[d->reg], align);
    } else if (d->mod == 3) {
        env->xmm[d->rm] = env->xmm[d->reg];
    } else {
        sse_st128(s, d, &env->xmm[d->reg], align);
    }
}

/* 0F 10/11: MOVUPS, MOVUPD. */
void x86_op_movups(X86Interp *s, const X86Insn *d)
{
    sse_mov128(s, d, d->op == 0x10, false);
}

/* 0F 28/29: MOVAPS, MOVAPD. */
void x86_op_movaps(X86Interp *s, const X86Insn *d)
{
    sse_mov128(s, d, d->op == 0x28, true);
}

/* 66/F3 0F 6F/7F: MOVDQA, MOVDQU. */
void x86_op_movdq(X86Interp *s, const X86Insn *d)
{
    sse_mov128(s, d, d->op == 0x6f, sse_pc(d) == SSE_P_66);
}

/* F2 0F F0: LDDQU; 66 0F 38 2A: MOVNTDQA (aligned). */
void x86_op_lddqu(X86Interp *s, const X86Insn *d)
{
    sse_mov128(s, d, true, d->map == 2);
}

/* 0F 2B, 66 0F E7: MOVNTPS/PD, MOVNTDQ; 0F E7: MOVNTQ. */
void x86_op_movnt(X86Interp *s, const X86Insn *d)
{
    if (d->op == 0xe7 && sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        sse_stq(s, d, OT_Q, mmx_get(s, d->reg));
        return;
    }
    sse_mov128(s, d, false, true);
}

/* F3/F2 0F 10/11: MOVSS, MOVSD. */
void x86_op_movss(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    int ot = sse_pc(d) == SSE_P_F3 ? OT_L : OT_Q;
    XMMReg *x = &env->xmm[d->reg];

    x86_sse_check(s);
    if (d->op == 0x10) {
        if (d->mod == 3) {
            memcpy(x, &env->xmm[d->rm], 1u << ot);
        } else {
            uint64_t v = sse_ldq(s, d, ot);
            memset(x, 0, 16);
            memcpy(x, &v, 1u << ot);
        }
    } else if (d->mod == 3) {
        memcpy(&env->xmm[d->rm], x, 1u << ot);
    } else {
        uint64_t v = 0;
        memcpy(&v, x, 1u << ot);
        sse_stq(s, d, ot, v);
    }
}

/* 0F 12/13 (none, 66): MOVLPS, MOVHLPS, MOVLPD. */
void x86_op_movlps(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    XMMReg *x = &env->xmm[d->reg];

    x86_sse_check(s);
    if (d->op == 0x13) {
        if (d->mod == 3) {
            x86_raise(s, EXC_UD, 0);
        }
        sse_stq(s, d, OT_Q, x->q[0]);
    } else if (d->mod == 3) {
        if (sse_pc(d) == SSE_P_66) {
            x86_raise(s, EXC_UD, 0);
        }
        x->q[0] = env->xmm[d->rm].q[1];                     /* MOVHLPS */
    } else {
        x->q[0] = sse_ldq(s, d, OT_Q);
    }
}

/* 0F 16/17 (none, 66): MOVHPS, MOVLHPS, MOVHPD. */
void x86_op_movhps(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    XMMReg *x = &env->xmm[d->reg];

    x86_sse_check(s);
    if (d->op == 0x17) {
        if (d->mod == 3) {
            x86_raise(s, EXC_UD, 0);
        }
        sse_stq(s, d, OT_Q, x->q[1]);
    } else if (d->mod == 3) {
        if (sse_pc(d) == SSE_P_66) {
            x86_raise(s, EXC_UD, 0);
        }
        x->q[1] = env->xmm[d->rm].q[0];                     /* MOVLHPS */
    } else {
        x->q[1] = sse_ldq(s, d, OT_Q);
    }
}

/* F3 0F 12/16: MOVSLDUP, MOVSHDUP. */
void x86_op_movsldup(X86Interp *s, const X86Insn *d)
{
    XMMReg v;
    unsigned o = d->op == 0x16;

    x86_sse_check(s);
    sse_src128(s, d, &v, true);
    XMMReg *x = &s->env->xmm[d->reg];
    x->l[0] = x->l[1] = v.l[o];
    x->l[2] = x->l[3] = v.l[2 + o];
}

/* F2 0F 12: MOVDDUP (a 64-bit memory operand). */
void x86_op_movddup(X86Interp *s, const X86Insn *d)
{
    x86_sse_check(s);
    uint64_t v = d->mod == 3 ? s->env->xmm[d->rm].q[0] : sse_ldq(s, d, OT_Q);
    s->env->xmm[d->reg].q[0] = s->env->xmm[d->reg].q[1] = v;
}

/* 0F 50: MOVMSKPS, MOVMSKPD (register source only). */
void x86_op_movmskps(X86Interp *s, const X86Insn *d)
{
    const XMMReg *x = &s->env->xmm[d->rm];
    unsigned m = 0;

    if (d->mod != 3) {
        x86_raise(s, EXC_UD, 0);
    }
    x86_sse_check(s);
    if (sse_pc(d) == SSE_P_66) {
        m = (x->q[0] >> 63) | (x->q[1] >> 63) << 1;
    } else {
        for (unsigned i = 0; i < 4; i++) {
            m |= (x->l[i] >> 31) << i;
        }
    }
    reg_set(s, d->reg, s->long64 ? OT_Q : OT_L, m);
}

/* 0F D7: PMOVMSKB (register source only). */
void x86_op_pmovmskb(X86Interp *s, const X86Insn *d)
{
    XMMReg v;
    unsigned n = 16, m = 0;

    if (d->mod != 3) {
        x86_raise(s, EXC_UD, 0);
    }
    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        v.q[0] = mmx_get(s, d->rm);
        n = 8;
    } else {
        x86_sse_check(s);
        v = s->env->xmm[d->rm];
    }
    for (unsigned i = 0; i < n; i++) {
        m |= (v.b[i] >> 7) << i;
    }
    reg_set(s, d->reg, s->long64 ? OT_Q : OT_L, m);
}

/* 0F 6E: MOVD/MOVQ mm or xmm, r/m32 or r/m64. */
void x86_op_movd_to(X86Interp *s, const X86Insn *d)
{
    int ot = (d->pfx & PFX_REXW) ? OT_Q : OT_L;
    uint64_t v;

    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        mmx_set(s, d->reg, op_rm_get(s, d, ot));
        return;
    }
    x86_sse_check(s);
    v = op_rm_get(s, d, ot);
    s->env->xmm[d->reg].q[0] = v;
    s->env->xmm[d->reg].q[1] = 0;
}

/* 0F 7E: MOVD/MOVQ r/m32 or r/m64, mm or xmm. */
void x86_op_movd_from(X86Interp *s, const X86Insn *d)
{
    int ot = (d->pfx & PFX_REXW) ? OT_Q : OT_L;
    uint64_t v;

    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        v = mmx_get(s, d->reg);
    } else {
        x86_sse_check(s);
        v = s->env->xmm[d->reg].q[0];
    }
    op_rm_set(s, d, ot, v);
}

/* 0F 6F/7F: MOVQ mm, mm/m64 and mm/m64, mm. */
void x86_op_movq_mmx(X86Interp *s, const X86Insn *d)
{
    x86_mmx_enter(s);
    if (d->op == 0x6f) {
        mmx_set(s, d->reg, mmx_src(s, d));
    } else if (d->mod == 3) {
        mmx_set(s, d->rm, mmx_get(s, d->reg));
    } else {
        sse_stq(s, d, OT_Q, mmx_get(s, d->reg));
    }
}

/* F3 0F 7E: MOVQ xmm, xmm/m64; 66 0F D6: MOVQ xmm/m64, xmm (both zero the upper half). */
void x86_op_movq_xmm(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;

    x86_sse_check(s);
    if (d->op == 0x7e) {
        uint64_t v = d->mod == 3 ? env->xmm[d->rm].q[0] : sse_ldq(s, d, OT_Q);
        env->xmm[d->reg].q[0] = v;
        env->xmm[d->reg].q[1] = 0;
    } else if (d->mod == 3) {
        env->xmm[d->rm].q[0] = env->xmm[d->reg].q[0];
        env->xmm[d->rm].q[1] = 0;
    } else {
        sse_stq(s, d, OT_Q, env->xmm[d->reg].q[0]);
    }
}

/* F3 0F D6: MOVQ2DQ xmm, mm; F2 0F D6: MOVDQ2Q mm, xmm (register forms only). */
void x86_op_movq2dq(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;

    if (d->mod != 3) {
        x86_raise(s, EXC_UD, 0);
    }
    x86_sse_check(s);
    x86_mmx_enter(s);
    if (sse_pc(d) == SSE_P_F3) {
        env->xmm[d->reg].q[0] = mmx_get(s, d->rm);
        env->xmm[d->reg].q[1] = 0;
    } else {
        mmx_set(s, d->reg, env->xmm[d->rm].q[0]);
    }
}

/* 0F C3: MOVNTI m32/m64, r (a plain store: caches are not modelled). */
void x86_op_movnti(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot == OT_Q ? OT_Q : OT_L;
    sse_stq(s, d, ot, reg_get(s, d->reg, ot));
}

/* 0F F7: MASKMOVQ, 66 0F F7: MASKMOVDQU: byte stores to DS:rDI under a mask. */
void x86_op_maskmov(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    XMMReg v, m;
    unsigned n = 16;
    int seg = (d->pfx & PFX_SEG) ? d->seg : R_DS;
    uint64_t di = env->regs[R_EDI] & x86_size_mask[d->aot];

    if (d->mod != 3) {
        x86_raise(s, EXC_UD, 0);
    }
    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        v.q[0] = mmx_get(s, d->reg);
        m.q[0] = mmx_get(s, d->rm);
        n = 8;
    } else {
        x86_sse_check(s);
        v = env->xmm[d->reg];
        m = env->xmm[d->rm];
    }
    for (unsigned i = 0; i < n; i++) {
        if (m.b[i] & 0x80) {
            x86_st(s, seg, (di + i) & x86_size_mask[d->aot], OT_B, v.b[i]);
        }
    }
}

/* 0F C4: PINSRW mm/xmm, r32/m16, imm8. */
void x86_op_pinsrw(X86Interp *s, const X86Insn *d)
{
    uint16_t w;

    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        w = op_rm_get(s, d, OT_W);
        unsigned sh = (d->imm & 3) * 16;
        uint64_t v = mmx_get(s, d->reg);
        mmx_set(s, d->reg, (v & ~(0xffffull << sh)) | ((uint64_t)w << sh));
        return;
    }
    x86_sse_check(s);
    w = op_rm_get(s, d, OT_W);
    s->env->xmm[d->reg].w[d->imm & 7] = w;
}

/* 0F C5: PEXTRW r32, mm/xmm, imm8 (register source only). */
void x86_op_pextrw(X86Interp *s, const X86Insn *d)
{
    uint16_t w;

    if (d->mod != 3) {
        x86_raise(s, EXC_UD, 0);
    }
    if (sse_pc(d) == SSE_P_NONE) {
        x86_mmx_enter(s);
        w = mmx_get(s, d->rm) >> ((d->imm & 3) * 16);
    } else {
        x86_sse_check(s);
        w = s->env->xmm[d->rm].w[d->imm & 7];
    }
    reg_set(s, d->reg, s->long64 ? OT_Q : OT_L, w);
}

/* 0F 70: PSHUFW (none), PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
void x86_op_pshuf(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d), imm = d->imm & 0xff;
    XMMReg v, r;

    if (pc == SSE_P_NONE) {
        x86_mmx_enter(s);
        v.q[0] = mmx_src(s, d);
        for (unsigned i = 0; i < 4; i++) {
            r.w[i] = v.w[(imm >> (2 * i)) & 3];
        }
        mmx_set(s, d->reg, r.q[0]);
        return;
    }
    x86_sse_check(s);
    sse_src128(s, d, &v, true);
    r = v;
    for (unsigned i = 0; i < 4; i++) {
        unsigned sel = (imm >> (2 * i)) & 3;
        switch (pc) {
        case SSE_P_66: r.l[i] = v.l[sel]; break;
        case SSE_P_F3: r.w[4 + i] = v.w[4 + sel]; break;
        default:       r.w[i] = v.w[sel]; break;
        }
    }
    s->env->xmm[d->reg] = r;
}

/*
 * 0F 77: EMMS: every x87 register empty (SDM vol. 1, 9.5.3); like the other
 * MMX instructions it also sets TOP to 0, as the hardware does (tests/diff).
 */
void x86_op_emms(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    if (env->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise(s, (env->cr[0] & CR0_EM) ? EXC_UD : EXC_NM, 0);
    }
    if (env->fpus & 0x80) {
        x86_raise(s, EXC_MF, 0);
    }
    env->fptag = 0xffff;
    env->fpus &= ~0x3800u;          /* TOP */
}
