/*
 * Lazy arithmetic flags.  Instructions record their operands, result and
 * kind (cc_set); the flags are computed here only when something reads
 * them.  This file is the reference: the fast paths in internal.h
 * (x86_cond, cc_carry) must agree with it.
 *
 * SDM vol. 1, 3.4.3.1 (status flags) and appendix A (EFLAGS cross-reference).
 */
#include "target-i386/interp/internal.h"

static uint32_t flag_parity(uint64_t r)
{
    /* PF: set when the low byte has an even number of ones. */
    return __builtin_parity((unsigned)(r & 0xff)) ? 0 : CC_P;
}

/* ZF, SF and PF of a result of size ot. */
static uint32_t flags_szp(uint64_t r, int ot)
{
    uint32_t f = flag_parity(r);
    r &= x86_size_mask[ot];
    if (r == 0) {
        f |= CC_Z;
    }
    if (r & sign_bit(ot)) {
        f |= CC_S;
    }
    return f;
}

uint32_t x86_cc_compute(const X86Interp *s)
{
    int ot = s->cc_ot;
    uint64_t m = x86_size_mask[ot];
    uint64_t sb = sign_bit(ot);
    uint64_t a = s->cc_src1, b = s->cc_src2, r = s->cc_dst;
    uint32_t f;

    if (s->cc_op == CC_OP_EFLAGS) {
        return s->cc_dst & CC_ARITH;
    }
    f = flags_szp(r, ot);
    switch (s->cc_op) {
    case CC_OP_ADD:
    case CC_OP_ADC: {
        bool carry_in = s->cc_op == CC_OP_ADC && s->cc_aux;
        bool cf = carry_in ? (r & m) <= (a & m) : (r & m) < (a & m);
        f |= cf ? CC_C : 0;
        f |= ((a ^ r) & (b ^ r) & sb) ? CC_O : 0;
        f |= (a ^ b ^ r) & CC_A;
        break;
    }
    case CC_OP_SUB:
    case CC_OP_SBB: {
        bool borrow_in = s->cc_op == CC_OP_SBB && s->cc_aux;
        bool cf = borrow_in ? (a & m) <= (b & m) : (a & m) < (b & m);
        f |= cf ? CC_C : 0;
        f |= ((a ^ b) & (a ^ r) & sb) ? CC_O : 0;
        f |= (a ^ b ^ r) & CC_A;
        break;
    }
    case CC_OP_LOGIC:
        break;
    case CC_OP_INC:
        /* b is 1: overflow exactly when the result is the smallest negative. */
        f |= s->cc_aux ? CC_C : 0;
        f |= (r & m) == sb ? CC_O : 0;
        f |= (a ^ 1 ^ r) & CC_A;
        break;
    case CC_OP_DEC:
        f |= s->cc_aux ? CC_C : 0;
        f |= (r & m) == sb - 1 ? CC_O : 0;
        f |= (a ^ 1 ^ r) & CC_A;
        break;
    case CC_OP_SHL:
        /* OF is defined for 1-bit shifts: the top bit of the result XOR CF. */
        f |= s->cc_aux ? CC_C : 0;
        f |= (!!(r & sb) ^ !!s->cc_aux) ? CC_O : 0;
        break;
    case CC_OP_SHR:
        /* OF for 1-bit shifts: the top bit of the original operand. */
        f |= s->cc_aux ? CC_C : 0;
        f |= (a & sb) ? CC_O : 0;
        break;
    case CC_OP_SAR:
        f |= s->cc_aux ? CC_C : 0;
        break;
    case CC_OP_MUL:
        f |= s->cc_aux ? (CC_C | CC_O) : 0;
        break;
    default:
        g_assert_not_reached();
    }
    return f;
}

/* The condition codes of Jcc/SETcc/CMOVcc in encoding order (SDM vol. 1, B.1). */
bool x86_cc_cond_slow(const X86Interp *s, int cond)
{
    uint32_t f = x86_cc_compute(s);
    bool r;

    switch (cond >> 1) {
    case 0:
        r = f & CC_O;
        break;
    case 1:
        r = f & CC_C;
        break;
    case 2:
        r = f & CC_Z;
        break;
    case 3:
        r = f & (CC_C | CC_Z);
        break;
    case 4:
        r = f & CC_S;
        break;
    case 5:
        r = f & CC_P;
        break;
    case 6:
        r = !(f & CC_S) != !(f & CC_O);
        break;
    default:
        r = (f & CC_Z) || (!(f & CC_S) != !(f & CC_O));
        break;
    }
    return r ^ (cond & 1);
}

uint64_t x86_get_eflags(X86Interp *s)
{
    return (s->env->eflags & ~(uint64_t)CC_ARITH) | x86_cc_compute(s) | 2;
}

void x86_set_eflags(X86Interp *s, uint64_t val, uint64_t mask)
{
    if (mask & CC_ARITH) {
        uint32_t f = x86_cc_compute(s);
        f = (f & ~mask) | (val & mask & CC_ARITH);
        cc_set_flags(s, f);
    }
    mask &= ~(uint64_t)CC_ARITH;
    uint64_t old = s->env->eflags;
    s->env->eflags = (old & ~mask) | (val & mask) | 2;
    if ((old ^ s->env->eflags) & AC_MASK) {
        x86_ac_sync(s);         /* POPF at CPL 3 may turn alignment checking on */
    }
}
