/*
 * SSE/SSE2/SSE3/SSE4.1 floating point: arithmetic, compares, conversions,
 * rounding and dot products.  The computation runs on the host
 * (exec-sse-host.c); this file fetches operands, applies the #XM rule and
 * writes the destination only when no unmasked exception occurred.
 */
#include "target-i386/interp/exec-sse.h"
#include "target-i386/interp/exec-sse-host.h"

/*
 * SDM vol. 1, 11.5.2: with an unmasked pre-computation exception (invalid,
 * denormal, divide by zero) the post-computation ones are not reached.
 */
void x86_sse_fp_raise(X86Interp *s, uint32_t flags)
{
    uint32_t masks = (s->env->mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    uint32_t pre = flags & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);

    if (pre & ~masks) {
        flags = pre;
    }
    s->env->mxcsr |= flags;
    x86_raise(s, (s->env->cr[4] & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

/* The source of a scalar (4 or 8 bytes), a half (8) or a packed (16, aligned) operation. */
static void fp_src(X86Interp *s, const X86Insn *d, XMMReg *v, unsigned size)
{
    if (d->mod == 3) {
        *v = s->env->xmm[d->rm];
    } else if (size == 16) {
        sse_ld128(s, d, v, true);
    } else {
        v->q[1] = 0;
        v->q[0] = sse_ldq(s, d, size == 4 ? OT_L : OT_Q);
    }
}

/* Memory operand size of 0F-map arithmetic by opcode and prefix class. */
static unsigned fp_size(const X86Insn *d, unsigned pc)
{
    if (d->op == 0x5a && pc == SSE_P_NONE) {
        return 8;                                   /* cvtps2pd */
    }
    if (d->op == 0xe6 && pc == SSE_P_F3) {
        return 8;                                   /* cvtdq2pd */
    }
    if (d->op == 0x5b || d->op == 0xe6 || d->op == 0x7c || d->op == 0x7d || d->op == 0xd0) {
        return 16;
    }
    return pc == SSE_P_F3 ? 4 : pc == SSE_P_F2 ? 8 : 16;
}

/* 0F 51-5F (not the bitwise ones), 7C, 7D, D0, E6: d = d op s on the host. */
void x86_op_fp_arith(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    XMMReg src, r;
    bool ok;

    x86_sse_check(s);
    fp_src(s, d, &src, fp_size(d, pc));
    r = s->env->xmm[d->reg];
    uint32_t mxcsr = s->env->mxcsr;
    uint32_t flags = x86_host_fp(host_fp_key(d->op, pc), &r, &src, mxcsr, &ok);
    if (!ok) {
        x86_raise(s, EXC_UD, 0);
    }
    /*
     * Unmasked, underflow means "tiny" even when the result is exact; the
     * masked host run reports it only if also inexact.  FTZ makes the host
     * report every tiny result (SDM vol. 1, 11.5.2.5 and 10.2.3.3).
     */
    if (G_UNLIKELY(!(mxcsr & (MXCSR_UE << MXCSR_MASK_SHIFT))) && !(flags & MXCSR_UE)) {
        XMMReg t = s->env->xmm[d->reg];
        if (x86_host_fp(host_fp_key(d->op, pc), &t, &src, mxcsr | MXCSR_FTZ, &ok) & MXCSR_UE) {
            flags |= MXCSR_UE;
        }
    }
    sse_fp_flags(s, flags);
    s->env->xmm[d->reg] = r;
}

/* 0F C2: CMPPS/PD/SS/SD with the predicate in imm8[2:0]. */
void x86_op_fp_cmp(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    XMMReg src, r;

    x86_sse_check(s);
    fp_src(s, d, &src, pc == SSE_P_F3 ? 4 : pc == SSE_P_F2 ? 8 : 16);
    r = s->env->xmm[d->reg];
    sse_fp_flags(s, x86_host_fp_cmp(pc, d->imm & 7, &r, &src, s->env->mxcsr));
    s->env->xmm[d->reg] = r;
}

/* 0F 2E/2F: UCOMISS/SD, COMISS/SD: ZF, PF, CF; OF, SF, AF cleared. */
void x86_op_fp_comi(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    XMMReg src;
    uint32_t zpc;

    x86_sse_check(s);
    fp_src(s, d, &src, pc == SSE_P_66 ? 8 : 4);
    uint32_t flags = x86_host_fp_comi(pc, d->op == 0x2f, &s->env->xmm[d->reg], &src,
                                      s->env->mxcsr, &zpc);
    sse_fp_flags(s, flags);
    cc_set_flags(s, zpc);
}

/* 0F 2A: CVTSI2SS/SD (F3/F2), CVTPI2PS (none), CVTPI2PD (66). */
void x86_op_cvt_si2fp(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    XMMReg r, src;
    bool ok;

    x86_sse_check(s);
    if (pc == SSE_P_F3 || pc == SSE_P_F2) {
        bool q = d->pfx & PFX_REXW;
        uint64_t v = op_rm_get(s, d, q ? OT_Q : OT_L);
        unsigned key = q ? (pc == SSE_P_F3 ? HFP_CVTSI2SS_Q : HFP_CVTSI2SD_Q)
                         : host_fp_key(0x2a, pc);
        r = s->env->xmm[d->reg];
        sse_fp_flags(s, x86_host_fp_from_int(key, &r, v, s->env->mxcsr));
        s->env->xmm[d->reg] = r;
        return;
    }
    /* The MMX forms: a memory source of CVTPI2PD leaves the x87 state alone. */
    if (pc == SSE_P_NONE || d->mod == 3) {
        x86_mmx_enter(s);
    }
    src.q[0] = mmx_src(s, d);
    src.q[1] = 0;
    r = s->env->xmm[d->reg];
    if (pc == SSE_P_NONE) {
        XMMReg t = src;
        sse_fp_flags(s, x86_host_fp(host_fp_key(0x5b, SSE_P_NONE), &t, &src,
                                    s->env->mxcsr, &ok));
        r.q[0] = t.q[0];
    } else {
        x86_host_fp(host_fp_key(0xe6, SSE_P_F3), &r, &src, s->env->mxcsr, &ok);
    }
    s->env->xmm[d->reg] = r;
}

/* 0F 2C/2D: CVT(T)SS/SD2SI (F3/F2), CVT(T)PS2PI (none), CVT(T)PD2PI (66). */
void x86_op_cvt_fp2si(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    bool trunc = d->op == 0x2c, ok;
    XMMReg src, t;

    x86_sse_check(s);
    if (pc == SSE_P_F3 || pc == SSE_P_F2) {
        bool q = d->pfx & PFX_REXW;
        uint64_t v;
        unsigned key = host_fp_key(d->op, pc);
        if (q) {
            key = (pc == SSE_P_F3 ? HFP_CVTTSS2SI_Q : HFP_CVTTSD2SI_Q) + (trunc ? 0 : 2);
        }
        fp_src(s, d, &src, pc == SSE_P_F3 ? 4 : 8);
        sse_fp_flags(s, x86_host_fp_to_int(key, &src, &v, s->env->mxcsr));
        reg_set(s, d->reg, q ? OT_Q : OT_L, v);
        return;
    }
    x86_mmx_enter(s);
    if (pc == SSE_P_NONE) {
        fp_src(s, d, &src, 8);
        src.q[1] = 0;                   /* +0.0 in the unused lanes raises nothing */
        t = src;
        sse_fp_flags(s, x86_host_fp(host_fp_key(0x5b, trunc ? SSE_P_F3 : SSE_P_66), &t, &src,
                                    s->env->mxcsr, &ok));
    } else {
        fp_src(s, d, &src, 16);
        t = src;
        sse_fp_flags(s, x86_host_fp(host_fp_key(0xe6, trunc ? SSE_P_66 : SSE_P_F2), &t, &src,
                                    s->env->mxcsr, &ok));
    }
    mmx_set(s, d->reg, t.q[0]);
}

/* 66 0F 3A 08-0B: ROUNDPS/PD/SS/SD (SDM vol. 2, ROUNDPS: imm8 bits 0-3). */
void x86_op_fp_round(X86Interp *s, const X86Insn *d)
{
    unsigned imm = d->imm & 0xff, op = d->op - 8;
    uint32_t csr = s->env->mxcsr;
    XMMReg src, r;
    bool ok;

    x86_sse_check(s);
    fp_src(s, d, &src, op == 2 ? 4 : op == 3 ? 8 : 16);
    if (!(imm & 4)) {
        csr = (csr & ~(3u << MXCSR_RC_SHIFT)) | ((imm & 3) << MXCSR_RC_SHIFT);
    }
    r = s->env->xmm[d->reg];
    uint32_t flags = x86_host_fp(HFP_ROUNDPS + op, &r, &src, csr, &ok);
    if (imm & 8) {
        flags &= ~MXCSR_PE;
    }
    sse_fp_flags(s, flags);
    s->env->xmm[d->reg] = r;
}

/*
 * 66 0F 3A 40/41: DPPS, DPPD: products of the
 * selected lanes (others +0.0), then pairwise sums, each rounded.
 */
void x86_op_fp_dp(X86Interp *s, const X86Insn *d)
{
    unsigned imm = d->imm & 0xff;
    bool dbl = d->op == 0x41, ok;
    unsigned lanes = dbl ? 2 : 4;
    XMMReg a, b, sum, t;
    uint32_t flags;

    x86_sse_check(s);
    fp_src(s, d, &b, 16);
    a = s->env->xmm[d->reg];
    for (unsigned i = 0; i < lanes; i++) {
        if (!(imm & (0x10u << i))) {
            if (dbl) {
                a.q[i] = b.q[i] = 0;
            } else {
                a.l[i] = b.l[i] = 0;
            }
        }
    }
    flags = x86_host_fp(host_fp_key(0x59, dbl ? SSE_P_66 : SSE_P_NONE), &a, &b,
                        s->env->mxcsr, &ok);
    /*
     * The sums in the order the hardware uses for NaN propagation (measured
     * against real CPUs): DPPD lane i gets t[i] + t[i^1], DPPS lane i gets
     * (t[i^1] + t[i]) + (t[i^3] + t[i^2]).
     */
    if (dbl) {
        t.q[0] = a.q[1];
        t.q[1] = a.q[0];
        sum = a;
        flags |= x86_host_fp(host_fp_key(0x58, SSE_P_66), &sum, &t, s->env->mxcsr, &ok);
    } else {
        t.l[0] = a.l[1];
        t.l[1] = a.l[0];
        t.l[2] = a.l[3];
        t.l[3] = a.l[2];
        flags |= x86_host_fp(host_fp_key(0x58, SSE_P_NONE), &t, &a, s->env->mxcsr, &ok);
        sum = t;
        XMMReg sw = { .q = { t.q[1], t.q[0] } };
        flags |= x86_host_fp(host_fp_key(0x58, SSE_P_NONE), &sum, &sw, s->env->mxcsr, &ok);
    }
    sse_fp_flags(s, flags);
    for (unsigned i = 0; i < lanes; i++) {
        if (dbl) {
            a.q[i] = (imm & (1u << i)) ? sum.q[i] : 0;
        } else {
            a.l[i] = (imm & (1u << i)) ? sum.l[i] : 0;
        }
    }
    s->env->xmm[d->reg] = a;
}
