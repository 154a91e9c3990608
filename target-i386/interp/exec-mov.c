/*
 * Data movement and conversions: MOV, LEA, XCHG, CMPXCHG, CMPXCHG8B/16B,
 * XADD, BSWAP, MOVZX/MOVSX/MOVSXD, CBW/CWD families, CMOVcc, SETcc, XLAT,
 * and the flag instructions (LAHF, SAHF, CMC, CLC, STC, CLD, STD, SALC).
 * SDM vol. 2.
 */
#include "target-i386/interp/exec.h"

void x86_op_mov_eg(X86Interp *s, const X86Insn *d)
{
    op_rm_set(s, d, d->ot, reg_get(s, d->reg, d->ot));
}

void x86_op_mov_ge(X86Interp *s, const X86Insn *d)
{
    reg_set(s, d->reg, d->ot, op_rm_get(s, d, d->ot));
}

void x86_op_mov_ei(X86Interp *s, const X86Insn *d)
{
    op_rm_set(s, d, d->ot, d->imm);
}

void x86_op_lea(X86Interp *s, const X86Insn *d)
{
    reg_set(s, d->reg, d->ot, insn_ea(s, d));
}

void x86_op_nop(X86Interp *s, const X86Insn *d)
{
}

/* XCHG with memory is atomic by itself; one thread runs every vCPU. */
void x86_op_xchg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t b = reg_get(s, d->reg, ot);

    if (d->mod == 3) {
        uint64_t a = reg_get(s, d->rm, ot);
        reg_set(s, d->rm, ot, b);
        reg_set(s, d->reg, ot, a);
    } else {
        X86MemRef m;
        uint64_t a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        x86_rmw_st(s, &m, ot, b);
        reg_set(s, d->reg, ot, a);
    }
}

void x86_op_cmpxchg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t acc = reg_get(s, R_EAX, ot), src = reg_get(s, d->reg, ot), a;
    bool equal;

    /*
     * A memory destination is always written: the source if equal, else
     * itself.  A register one only if equal: a 32-bit register keeps its
     * upper half otherwise (as the CPU does; checked against KVM).
     */
    if (d->mod == 3) {
        a = reg_get(s, d->rm, ot);
        equal = a == acc;
        if (equal) {
            reg_set(s, d->rm, ot, src);
        }
    } else {
        X86MemRef m;
        a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        equal = a == acc;
        x86_rmw_st(s, &m, ot, equal ? src : a);
    }
    if (!equal) {
        reg_set(s, R_EAX, ot, a);
    }
    cc_set(s, CC_OP_SUB, ot, acc, a, (acc - a) & x86_size_mask[ot]);
}

/* 0F C7: /1 CMPXCHG8B, CMPXCHG16B (REX.W); RDRAND and RDSEED are not advertised. */
void x86_op_grp9(X86Interp *s, const X86Insn *d)
{
    uint64_t *regs = s->env->regs;
    uint32_t f = x86_cc_compute(s) & ~CC_Z;

    if (d->op != 1 || d->mod == 3) {
        x86_raise(s, EXC_UD, 0);
    }
    uint64_t ea = insn_ea(s, d);
    if (d->pfx & PFX_REXW) {
        X86MemRef lo, hi;
        if (ea & 15) {
            x86_raise(s, EXC_GP, 0);    /* CMPXCHG16B needs 16-byte alignment */
        }
        uint64_t vlo = x86_rmw_ld(s, d->seg, ea, OT_Q, &lo);
        uint64_t vhi = x86_rmw_ld(s, d->seg, ea + 8, OT_Q, &hi);
        bool equal = vlo == regs[R_EAX] && vhi == regs[R_EDX];
        x86_rmw_st(s, &lo, OT_Q, equal ? regs[R_EBX] : vlo);
        x86_rmw_st(s, &hi, OT_Q, equal ? regs[R_ECX] : vhi);
        if (!equal) {
            regs[R_EAX] = vlo;
            regs[R_EDX] = vhi;
        }
        cc_set_flags(s, f | (equal ? CC_Z : 0));
    } else {
        X86MemRef m;
        uint64_t v = x86_rmw_ld(s, d->seg, ea, OT_Q, &m);
        uint64_t cmp = (uint32_t)regs[R_EAX] | (regs[R_EDX] << 32);
        bool equal = v == cmp;
        x86_rmw_st(s, &m, OT_Q, equal ? ((uint32_t)regs[R_EBX] | (regs[R_ECX] << 32)) : v);
        if (!equal) {
            reg_set(s, R_EAX, OT_L, v);
            reg_set(s, R_EDX, OT_L, v >> 32);
        }
        cc_set_flags(s, f | (equal ? CC_Z : 0));
    }
}

void x86_op_xadd(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t b = reg_get(s, d->reg, ot), a, r;

    if (d->mod == 3) {
        a = reg_get(s, d->rm, ot);
        r = (a + b) & x86_size_mask[ot];
        reg_set(s, d->reg, ot, a);
        reg_set(s, d->rm, ot, r);
    } else {
        X86MemRef m;
        a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        r = (a + b) & x86_size_mask[ot];
        x86_rmw_st(s, &m, ot, r);
        reg_set(s, d->reg, ot, a);
    }
    cc_set(s, CC_OP_ADD, ot, a, b, r);
}

void x86_op_bswap(X86Interp *s, const X86Insn *d)
{
    if (d->ot == OT_Q) {
        reg_set(s, d->rm, OT_Q, __builtin_bswap64(reg_get(s, d->rm, OT_Q)));
    } else if (d->ot == OT_L) {
        reg_set(s, d->rm, OT_L, __builtin_bswap32(reg_get(s, d->rm, OT_L)));
    } else {
        /* 16-bit BSWAP is undefined; processors clear the register's low word. */
        reg_set(s, d->rm, OT_W, 0);
    }
    x86_run_next(s, d);
}

/*
 * MOVZX, MOVSX and MOVSXD are run members in both forms (hot in
 * decompressors); the general forms take what the RAM fast path does not.
 */
static void movx_general(X86Interp *s, const X86Insn *d, int ot, bool sign)
{
    uint64_t v = op_rm_get(s, d, ot);
    reg_set(s, d->reg, d->ot, sign ? (uint64_t)sext(v, ot) : v);
}

static void movzx_b_general(X86Interp *s, const X86Insn *d)
{
    movx_general(s, d, OT_B, false);
}

static void movzx_w_general(X86Interp *s, const X86Insn *d)
{
    movx_general(s, d, OT_W, false);
}

static void movsx_b_general(X86Interp *s, const X86Insn *d)
{
    movx_general(s, d, OT_B, true);
}

static void movsx_w_general(X86Interp *s, const X86Insn *d)
{
    movx_general(s, d, OT_W, true);
}

/* MOVSXD with a 16-bit operand size moves a word. */
static int movsxd_ot(const X86Insn *d)
{
    return d->ot == OT_W ? OT_W : OT_L;
}

static void movsxd_general(X86Interp *s, const X86Insn *d)
{
    movx_general(s, d, movsxd_ot(d), true);
}

static inline __attribute__((always_inline))
void movx(X86Interp *s, const X86Insn *d, int ot, bool sign, X86Handler *general)
{
    uint64_t v;
    if (d->mod == 3) {
        v = reg_get(s, d->rm, ot);
    } else if (G_UNLIKELY(!x86_ld_fast(s, d->seg, run_ea(s, d), ot, &v))) {
        x86_run_general(s, d, general);
        return;
    }
    reg_set(s, d->reg, d->ot, sign ? (uint64_t)sext(v, ot) : v);
    x86_run_next(s, d);
}

void x86_op_movzx_b(X86Interp *s, const X86Insn *d)
{
    movx(s, d, OT_B, false, movzx_b_general);
}

void x86_op_movzx_w(X86Interp *s, const X86Insn *d)
{
    movx(s, d, OT_W, false, movzx_w_general);
}

void x86_op_movsx_b(X86Interp *s, const X86Insn *d)
{
    movx(s, d, OT_B, true, movsx_b_general);
}

void x86_op_movsx_w(X86Interp *s, const X86Insn *d)
{
    movx(s, d, OT_W, true, movsx_w_general);
}

void x86_op_movsxd(X86Interp *s, const X86Insn *d)
{
    movx(s, d, movsxd_ot(d), true, movsxd_general);
}

/* CBW, CWDE, CDQE. */
void x86_op_cbw(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    reg_set(s, R_EAX, ot, (uint64_t)sext(reg_get(s, R_EAX, ot - 1), ot - 1));
}

/* CWD, CDQ, CQO. */
void x86_op_cwd(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    bool neg = reg_get(s, R_EAX, ot) & sign_bit(ot);
    reg_set(s, R_EDX, ot, neg ? UINT64_MAX : 0);
}

void x86_op_cmov(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    /* The source is read (and may fault) whatever the condition. */
    uint64_t v = op_rm_get(s, d, ot);
    if (x86_cond(s, d->op & 15)) {
        reg_set(s, d->reg, ot, v);
    } else if (ot == OT_L) {
        reg_set(s, d->reg, OT_L, reg_get(s, d->reg, OT_L));     /* zero-extends */
    }
    x86_run_next(s, d);
}

void x86_op_setcc(X86Interp *s, const X86Insn *d)
{
    op_rm_set(s, d, OT_B, x86_cond(s, d->op & 15));
    x86_run_next(s, d);
}

void x86_op_lahf(X86Interp *s, const X86Insn *d)
{
    reg_set(s, REG_AH, OT_B, (x86_cc_compute(s) & (CC_S | CC_Z | CC_A | CC_P | CC_C)) | 2);
}

void x86_op_sahf(X86Interp *s, const X86Insn *d)
{
    x86_set_eflags(s, reg_get(s, REG_AH, OT_B), CC_S | CC_Z | CC_A | CC_P | CC_C);
}

void x86_op_cmc(X86Interp *s, const X86Insn *d)
{
    cc_set_flags(s, x86_cc_compute(s) ^ CC_C);
}

void x86_op_clc(X86Interp *s, const X86Insn *d)
{
    cc_set_flags(s, x86_cc_compute(s) & ~CC_C);
}

void x86_op_stc(X86Interp *s, const X86Insn *d)
{
    cc_set_flags(s, x86_cc_compute(s) | CC_C);
}

void x86_op_cld(X86Interp *s, const X86Insn *d)
{
    s->env->eflags &= ~(uint64_t)DF_MASK;
}

void x86_op_std(X86Interp *s, const X86Insn *d)
{
    s->env->eflags |= DF_MASK;
}

/* SALC (undocumented D6): AL = CF ? 0xff : 0. */
void x86_op_salc(X86Interp *s, const X86Insn *d)
{
    reg_set(s, R_EAX, OT_B, cc_carry(s) ? 0xff : 0);
}

void x86_op_xlat(X86Interp *s, const X86Insn *d)
{
    uint64_t ea = (s->env->regs[R_EBX] + reg_get(s, R_EAX, OT_B)) & x86_size_mask[d->aot];
    reg_set(s, R_EAX, OT_B, x86_ld(s, d->seg, ea, OT_B));
}
