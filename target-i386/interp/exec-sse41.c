/*
 * SSE4.1 operations that are not plain packed arithmetic: PTEST, the
 * PMOVSX/PMOVZX widening loads, and the element insert/extract forms
 * (PEXTRB/W/D/Q, EXTRACTPS, PINSRB/D/Q, INSERTPS).
 */
#include "target-i386/interp/exec-sse.h"

/* 66 0F 38 17: PTEST: ZF if a AND b is zero, CF if NOT a AND b is zero. */
static void op_ptest(X86Interp *s, const X86Insn *d)
{
    XMMReg b;
    const XMMReg *a = &s->env->xmm[d->reg];

    sse_src128(s, d, &b, true);
    bool z = !((a->q[0] & b.q[0]) | (a->q[1] & b.q[1]));
    bool c = !((~a->q[0] & b.q[0]) | (~a->q[1] & b.q[1]));
    cc_set_flags(s, (z ? CC_Z : 0) | (c ? CC_C : 0));
}

/* 66 0F 38 20-25 / 30-35: PMOVSX / PMOVZX from bytes, words, dwords. */
static void op_pmovx(X86Interp *s, const X86Insn *d)
{
    static const uint8_t src_es[6] = { 1, 1, 1, 2, 2, 4 };
    static const uint8_t dst_es[6] = { 2, 4, 8, 4, 8, 8 };
    unsigned k = d->op & 0xf, ses = src_es[k], des = dst_es[k], n = 16 / des;
    bool sx = d->op < 0x30;
    XMMReg v, r;

    if (d->mod == 3) {
        v = s->env->xmm[d->rm];
    } else {
        unsigned bytes = n * ses;
        v.q[0] = sse_ldq(s, d, bytes == 8 ? OT_Q : bytes == 4 ? OT_L : OT_W);
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t e;
        switch (ses) {
        case 1: e = sx ? (uint64_t)(int64_t)(int8_t)v.b[i] : v.b[i]; break;
        case 2: e = sx ? (uint64_t)(int64_t)(int16_t)v.w[i] : v.w[i]; break;
        default: e = sx ? (uint64_t)(int64_t)(int32_t)v.l[i] : v.l[i]; break;
        }
        memcpy(&r.b[i * des], &e, des);
    }
    s->env->xmm[d->reg] = r;
}

/* The 0F 38 SSE4.1 forms that do not fit the packed-arithmetic routine. */
void x86_op_sse41(X86Interp *s, const X86Insn *d)
{
    x86_sse_check(s);
    if (d->op == 0x17) {
        op_ptest(s, d);
    } else {
        op_pmovx(s, d);
    }
}

/* 66 0F 3A 14-17: PEXTRB, PEXTRW, PEXTRD/Q, EXTRACTPS to r/m. */
void x86_op_pextr(X86Interp *s, const X86Insn *d)
{
    const XMMReg *x = &s->env->xmm[d->reg];
    unsigned imm = d->imm & 0xff;
    uint64_t v;
    int ot;

    x86_sse_check(s);
    switch (d->op) {
    case 0x14: v = x->b[imm & 15]; ot = OT_B; break;
    case 0x15: v = x->w[imm & 7]; ot = OT_W; break;
    case 0x16:
        if (d->pfx & PFX_REXW) {
            v = x->q[imm & 1];
            ot = OT_Q;
        } else {
            v = x->l[imm & 3];
            ot = OT_L;
        }
        break;
    default: v = x->l[imm & 3]; ot = OT_L; break;
    }
    if (d->mod == 3) {
        /* A register destination is zero-extended (to 64 bits in 64-bit mode). */
        reg_set(s, d->rm, (d->pfx & PFX_REXW) || s->long64 ? OT_Q : OT_L, v);
    } else {
        sse_stq(s, d, ot, v);
    }
}

/* 66 0F 3A 20-22: PINSRB, INSERTPS, PINSRD/Q. */
void x86_op_pinsr(X86Interp *s, const X86Insn *d)
{
    XMMReg *x = &s->env->xmm[d->reg];
    unsigned imm = d->imm & 0xff;

    x86_sse_check(s);
    switch (d->op) {
    case 0x20:
        x->b[imm & 15] = d->mod == 3 ? reg_get(s, d->rm, OT_L) : sse_ldq(s, d, OT_B);
        break;
    case 0x21: {
        uint32_t v = d->mod == 3 ? s->env->xmm[d->rm].l[imm >> 6] : sse_ldq(s, d, OT_L);
        x->l[(imm >> 4) & 3] = v;
        for (unsigned i = 0; i < 4; i++) {
            if (imm & (1u << i)) {
                x->l[i] = 0;
            }
        }
        break;
    }
    default:
        if (d->pfx & PFX_REXW) {
            x->q[imm & 1] = op_rm_get(s, d, OT_Q);
        } else {
            x->l[imm & 3] = op_rm_get(s, d, OT_L);
        }
        break;
    }
}
