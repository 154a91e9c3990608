/*
 * Shifts and rotates: ROL, ROR, RCL, RCR, SHL/SAL, SHR, SAR by 1, CL or an
 * immediate, and SHLD/SHRD (SDM vol. 2, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR,
 * SHLD, SHRD).  The count is masked to 5 bits (6 with 64-bit operands); a
 * masked count of 0 changes neither the operand nor the flags.
 */
#include "target-i386/interp/exec.h"

static uint64_t msb(uint64_t v, int ot)
{
    return (v >> ((8 << ot) - 1)) & 1;
}

/* Only CF and OF change (rotates): merge them into the current flags. */
static void set_cf_of(X86Interp *s, bool cf, bool of)
{
    uint32_t f = x86_cc_compute(s) & ~(CC_C | CC_O);
    cc_set_flags(s, f | (cf ? CC_C : 0) | (of ? CC_O : 0));
}

static inline __attribute__((always_inline))
uint64_t shift_compute(X86Interp *s, int kind, int ot, uint64_t a, unsigned count)
{
    unsigned bits = 8u << ot;
    uint64_t m = x86_size_mask[ot], r;
    bool cf;

    switch (kind) {
    case 0: {                                   /* ROL */
        unsigned n = count % bits;
        r = n ? ((a << n) | (a >> (bits - n))) & m : a;
        cf = r & 1;
        set_cf_of(s, cf, msb(r, ot) ^ cf);
        return r;
    }
    case 1: {                                   /* ROR */
        unsigned n = count % bits;
        r = n ? ((a >> n) | (a << (bits - n))) & m : a;
        set_cf_of(s, msb(r, ot), msb(r, ot) ^ ((r >> (bits - 2)) & 1));
        return r;
    }
    case 2: {                                   /* RCL: through CF, bits + 1 wide */
        unsigned n = count % (bits + 1);
        cf = cc_carry(s);
        r = a;
        for (unsigned i = 0; i < n; i++) {
            bool out = msb(r, ot);
            r = ((r << 1) | cf) & m;
            cf = out;
        }
        set_cf_of(s, cf, msb(r, ot) ^ cf);
        return r;
    }
    case 3: {                                   /* RCR */
        unsigned n = count % (bits + 1);
        cf = cc_carry(s);
        r = a;
        for (unsigned i = 0; i < n; i++) {
            bool out = r & 1;
            r = (r >> 1) | ((uint64_t)cf << (bits - 1));
            cf = out;
        }
        set_cf_of(s, cf, msb(r, ot) ^ ((r >> (bits - 2)) & 1));
        return r;
    }
    case 4:
    case 6:                                     /* SHL, SAL */
        r = count < 64 ? (a << count) & m : 0;
        cf = count <= bits ? (a >> (bits - count)) & 1 : 0;
        cc_set(s, CC_OP_SHL, ot, a, count, r);
        s->cc_aux = cf;
        return r;
    case 5:                                     /* SHR */
        r = count < 64 ? a >> count : 0;
        cf = count <= 64 ? (a >> (count - 1)) & 1 : 0;
        cc_set(s, CC_OP_SHR, ot, a, count, r);
        s->cc_aux = cf;
        return r;
    default: {                                  /* SAR */
        int64_t sa = sext(a, ot);
        r = (uint64_t)(sa >> MIN(count, bits - 1)) & m;
        cf = (sa >> MIN(count - 1, bits - 1)) & 1;
        cc_set(s, CC_OP_SAR, ot, a, count, r);
        s->cc_aux = cf;
        return r;
    }
    }
}

static void shift_op(X86Interp *s, const X86Insn *d, unsigned count)
{
    int ot = d->ot;
    X86MemRef m;
    uint64_t a;

    count &= ot == OT_Q ? 63 : 31;
    if (d->mod == 3) {
        a = reg_get(s, d->rm, ot);
        if (count) {
            a = shift_compute(s, d->op & 7, ot, a, count);
        }
        reg_set(s, d->rm, ot, a);
    } else {
        a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        if (count) {
            x86_rmw_st(s, &m, ot, shift_compute(s, d->op & 7, ot, a, count));
        }
    }
}

void x86_op_shift_imm(X86Interp *s, const X86Insn *d)
{
    shift_op(s, d, d->imm);
}

void x86_op_shift_cl(X86Interp *s, const X86Insn *d)
{
    shift_op(s, d, s->env->regs[R_ECX] & 0xff);
}

/*
 * SHLD/SHRD.  With 16-bit operands a count above 16 is undefined; this
 * shifts through dst:src:dst as processors do.
 */
static void shxd(X86Interp *s, const X86Insn *d, unsigned count, bool left)
{
    int ot = d->ot;
    unsigned bits = 8u << ot;
    uint64_t m = x86_size_mask[ot];
    uint64_t b = reg_get(s, d->reg, ot), a, r;
    X86MemRef mr;
    bool cf;

    count &= ot == OT_Q ? 63 : 31;
    a = d->mod == 3 ? reg_get(s, d->rm, ot) : x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &mr);
    if (count == 0) {
        if (d->mod == 3) {
            reg_set(s, d->rm, ot, a);
        }
        return;
    }
    if (ot == OT_W) {
        if (left) {
            uint64_t t = (a << 48) | (b << 32) | (a << 16);
            r = (t << count) >> 48;
            cf = (t >> (64 - count)) & 1;
        } else {
            uint64_t t = (a << 32) | (b << 16) | a;
            r = (t >> count) & 0xffff;
            cf = (t >> (count - 1)) & 1;
        }
    } else if (left) {
        r = ((a << count) | (b >> (bits - count))) & m;
        cf = (a >> (bits - count)) & 1;
    } else {
        r = ((a >> count) | (b << (bits - count))) & m;
        cf = (a >> (count - 1)) & 1;
    }
    if (d->mod == 3) {
        reg_set(s, d->rm, ot, r);
    } else {
        x86_rmw_st(s, &mr, ot, r);
    }
    /* SF, ZF, PF from the result; OF: did the sign change (defined for count 1). */
    cc_set(s, CC_OP_LOGIC, ot, r, 0, r);
    uint32_t f = x86_cc_compute(s) & ~(CC_C | CC_O);
    f |= (cf ? CC_C : 0) | ((msb(r, ot) ^ msb(a, ot)) ? CC_O : 0);
    cc_set_flags(s, f);
}

void x86_op_shld_imm(X86Interp *s, const X86Insn *d)
{
    shxd(s, d, d->imm, true);
}

void x86_op_shld_cl(X86Interp *s, const X86Insn *d)
{
    shxd(s, d, s->env->regs[R_ECX] & 0xff, true);
}

void x86_op_shrd_imm(X86Interp *s, const X86Insn *d)
{
    shxd(s, d, d->imm, false);
}

void x86_op_shrd_cl(X86Interp *s, const X86Insn *d)
{
    shxd(s, d, s->env->regs[R_ECX] & 0xff, false);
}

/*
 * Register forms of SHL, SHR and SAR by size and count source, picked by the
 * decoder (OpInfo.reg_sized); shift_op() above is the reference.
 */
static inline __attribute__((always_inline))
void shift_reg(X86Interp *s, const X86Insn *d, int kind, int ot, bool cl)
{
    unsigned count = (cl ? s->env->regs[R_ECX] : d->imm) & (ot == OT_Q ? 63 : 31);
    uint64_t a = reg_get(s, d->rm, ot);
    if (count) {
        a = shift_compute(s, kind, ot, a, count);
    }
    reg_set(s, d->rm, ot, a);
    x86_run_next(s, d);
}

static void shl_i_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_B, false);
}

static void shl_i_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_W, false);
}

static void shl_i_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_L, false);
}

static void shl_i_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_Q, false);
}

X86Handler *const x86_shl_i_r[4] = { shl_i_rb, shl_i_rw, shl_i_rl, shl_i_rq };

static void shl_cl_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_B, true);
}

static void shl_cl_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_W, true);
}

static void shl_cl_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_L, true);
}

static void shl_cl_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 4, OT_Q, true);
}

X86Handler *const x86_shl_cl_r[4] = { shl_cl_rb, shl_cl_rw, shl_cl_rl, shl_cl_rq };

static void shr_i_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_B, false);
}

static void shr_i_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_W, false);
}

static void shr_i_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_L, false);
}

static void shr_i_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_Q, false);
}

X86Handler *const x86_shr_i_r[4] = { shr_i_rb, shr_i_rw, shr_i_rl, shr_i_rq };

static void shr_cl_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_B, true);
}

static void shr_cl_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_W, true);
}

static void shr_cl_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_L, true);
}

static void shr_cl_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 5, OT_Q, true);
}

X86Handler *const x86_shr_cl_r[4] = { shr_cl_rb, shr_cl_rw, shr_cl_rl, shr_cl_rq };

static void sar_i_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_B, false);
}

static void sar_i_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_W, false);
}

static void sar_i_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_L, false);
}

static void sar_i_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_Q, false);
}

X86Handler *const x86_sar_i_r[4] = { sar_i_rb, sar_i_rw, sar_i_rl, sar_i_rq };

static void sar_cl_rb(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_B, true);
}

static void sar_cl_rw(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_W, true);
}

static void sar_cl_rl(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_L, true);
}

static void sar_cl_rq(X86Interp *s, const X86Insn *d)
{
    shift_reg(s, d, 7, OT_Q, true);
}

X86Handler *const x86_sar_cl_r[4] = { sar_cl_rb, sar_cl_rw, sar_cl_rl, sar_cl_rq };
