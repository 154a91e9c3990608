/*
 * MUL, IMUL (one, two and three operands), DIV, IDIV (SDM vol. 2).
 * CF = OF = "the upper half is significant"; SF, ZF, AF, PF are undefined
 * (we give SF/ZF/PF of the low half).  DIV/IDIV leave the flags alone and
 * raise #DE on a zero divisor or a quotient that does not fit.
 */
#include "target-i386/interp/exec.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

static void set_mul_flags(X86Interp *s, int ot, uint64_t lo, bool overflow)
{
    cc_set(s, CC_OP_MUL, ot, 0, 0, lo & x86_size_mask[ot]);
    s->cc_aux = overflow;
}

void x86_op_mul(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t b = op_rm_get(s, d, ot);
    uint64_t a = reg_get(s, R_EAX, ot);

    switch (ot) {
    case OT_B: {
        uint64_t r = a * b;
        reg_set(s, R_EAX, OT_W, r);
        set_mul_flags(s, ot, r, r >> 8);
        break;
    }
    case OT_W:
    case OT_L: {
        uint64_t r = a * b;
        unsigned bits = 8u << ot;
        reg_set(s, R_EAX, ot, r);
        reg_set(s, R_EDX, ot, r >> bits);
        set_mul_flags(s, ot, r, r >> bits);
        break;
    }
    default: {
        u128 r = (u128)a * b;
        reg_set(s, R_EAX, ot, (uint64_t)r);
        reg_set(s, R_EDX, ot, (uint64_t)(r >> 64));
        set_mul_flags(s, ot, (uint64_t)r, (uint64_t)(r >> 64) != 0);
        break;
    }
    }
}

void x86_op_imul1(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    int64_t b = sext(op_rm_get(s, d, ot), ot);
    int64_t a = sext(reg_get(s, R_EAX, ot), ot);

    switch (ot) {
    case OT_B: {
        int64_t r = a * b;
        reg_set(s, R_EAX, OT_W, r);
        set_mul_flags(s, ot, r, r != (int8_t)r);
        break;
    }
    case OT_W:
    case OT_L: {
        int64_t r = a * b;
        unsigned bits = 8u << ot;
        reg_set(s, R_EAX, ot, r);
        reg_set(s, R_EDX, ot, (uint64_t)r >> bits);
        set_mul_flags(s, ot, r, r != sext(r, ot));
        break;
    }
    default: {
        s128 r = (s128)a * b;
        reg_set(s, R_EAX, ot, (uint64_t)r);
        reg_set(s, R_EDX, ot, (uint64_t)((u128)r >> 64));
        set_mul_flags(s, ot, (uint64_t)r, r != (int64_t)r);
        break;
    }
    }
}

/* dst = a * b truncated, for the two- and three-operand forms. */
static void imul_to_reg(X86Interp *s, const X86Insn *d, int64_t a, int64_t b)
{
    int ot = d->ot;
    if (ot == OT_Q) {
        s128 r = (s128)a * b;
        reg_set(s, d->reg, ot, (uint64_t)r);
        set_mul_flags(s, ot, (uint64_t)r, r != (int64_t)r);
    } else {
        int64_t r = a * b;
        reg_set(s, d->reg, ot, r);
        set_mul_flags(s, ot, r, r != sext(r, ot));
    }
}

void x86_op_imul_ge(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    int64_t b = sext(op_rm_get(s, d, ot), ot);
    imul_to_reg(s, d, sext(reg_get(s, d->reg, ot), ot), b);
    x86_run_next(s, d);
}

void x86_op_imul_gei(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    int64_t a = sext(op_rm_get(s, d, ot), ot);
    imul_to_reg(s, d, a, sext(d->imm, ot));
    x86_run_next(s, d);
}

void x86_op_div(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t b = op_rm_get(s, d, ot);

    if (b == 0) {
        x86_raise(s, EXC_DE, 0);
    }
    if (ot == OT_Q) {
        u128 n = ((u128)s->env->regs[R_EDX] << 64) | s->env->regs[R_EAX];
        u128 q = n / b;
        if (q >> 64) {
            x86_raise(s, EXC_DE, 0);
        }
        s->env->regs[R_EAX] = (uint64_t)q;
        s->env->regs[R_EDX] = (uint64_t)(n % b);
        return;
    }
    unsigned bits = 8u << ot;
    uint64_t n = ot == OT_B ? reg_get(s, R_EAX, OT_W)
                            : (reg_get(s, R_EDX, ot) << bits) | reg_get(s, R_EAX, ot);
    uint64_t q = n / b, r = n % b;
    if (q > x86_size_mask[ot]) {
        x86_raise(s, EXC_DE, 0);
    }
    if (ot == OT_B) {
        reg_set(s, R_EAX, OT_W, (r << 8) | q);
    } else {
        reg_set(s, R_EAX, ot, q);
        reg_set(s, R_EDX, ot, r);
    }
}

void x86_op_idiv(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    int64_t b = sext(op_rm_get(s, d, ot), ot);

    if (b == 0) {
        x86_raise(s, EXC_DE, 0);
    }
    if (ot == OT_Q) {
        s128 n = (s128)(((u128)s->env->regs[R_EDX] << 64) | s->env->regs[R_EAX]);
        /* INT128_MIN / -1 overflows the quotient anyway; avoid the host trap. */
        if (b == -1 && n == (s128)((u128)1 << 127)) {
            x86_raise(s, EXC_DE, 0);
        }
        s128 q = n / b;
        if (q != (int64_t)q) {
            x86_raise(s, EXC_DE, 0);
        }
        s->env->regs[R_EAX] = (uint64_t)q;
        s->env->regs[R_EDX] = (uint64_t)(n % b);
        return;
    }
    unsigned bits = 8u << ot;
    int64_t n = ot == OT_B ? (int16_t)reg_get(s, R_EAX, OT_W)
                           : sext((reg_get(s, R_EDX, ot) << bits) | reg_get(s, R_EAX, ot),
                                  ot + 1);
    if (b == -1 && n == INT64_MIN) {
        x86_raise(s, EXC_DE, 0);
    }
    int64_t q = n / b, r = n % b;
    if (q != sext(q, ot)) {
        x86_raise(s, EXC_DE, 0);
    }
    if (ot == OT_B) {
        reg_set(s, R_EAX, OT_W, ((uint64_t)(r & 0xff) << 8) | (q & 0xff));
    } else {
        reg_set(s, R_EAX, ot, q);
        reg_set(s, R_EDX, ot, r);
    }
}
