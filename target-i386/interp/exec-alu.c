/*
 * ALU instructions: ADD, OR, ADC, SBB, AND, SUB, XOR, CMP in their r/m,reg
 * / reg,r/m / r/m,imm forms, TEST, INC, DEC, NOT, NEG (SDM vol. 2).
 *
 * Each opcode form gets its own small handler around one always-inline
 * body, so the compiler specialises the operation: no switch on the
 * operation per instruction.  The flags are lazy (flags.c).
 */
#include "target-i386/interp/exec-alu.h"

/* Destination r/m, source b (a register or an immediate). */
static inline __attribute__((always_inline))
void alu_e(X86Interp *s, const X86Insn *d, int op, uint64_t b)
{
    int ot = d->ot;

    if (d->mod == 3) {
        uint64_t r = alu_compute(s, op, ot, reg_get(s, d->rm, ot), b);
        if (op != ALU_CMP) {
            reg_set(s, d->rm, ot, r);
        }
    } else if (op == ALU_CMP) {
        alu_compute(s, op, ot, x86_ld(s, d->seg, insn_ea(s, d), ot), b);
    } else {
        /* Translated for writing first: nothing faults after the flags are set. */
        X86MemRef m;
        uint64_t a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        x86_rmw_st(s, &m, ot, alu_compute(s, op, ot, a, b));
    }
}

/* Destination the ModRM.reg register, source r/m. */
static inline __attribute__((always_inline))
void alu_g(X86Interp *s, const X86Insn *d, int op)
{
    int ot = d->ot;
    uint64_t b = op_rm_get(s, d, ot);
    uint64_t r = alu_compute(s, op, ot, reg_get(s, d->reg, ot), b);
    if (op != ALU_CMP) {
        reg_set(s, d->reg, ot, r);
    }
}

void x86_op_add_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_ADD, reg_get(s, d->reg, d->ot));
}

void x86_op_or_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_OR, reg_get(s, d->reg, d->ot));
}

void x86_op_adc_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_ADC, reg_get(s, d->reg, d->ot));
}

void x86_op_sbb_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_SBB, reg_get(s, d->reg, d->ot));
}

void x86_op_and_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_AND, reg_get(s, d->reg, d->ot));
}

void x86_op_sub_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_SUB, reg_get(s, d->reg, d->ot));
}

void x86_op_xor_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_XOR, reg_get(s, d->reg, d->ot));
}

void x86_op_cmp_eg(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_CMP, reg_get(s, d->reg, d->ot));
}

void x86_op_add_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_ADD);
}

void x86_op_or_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_OR);
}

void x86_op_adc_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_ADC);
}

void x86_op_sbb_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_SBB);
}

void x86_op_and_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_AND);
}

void x86_op_sub_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_SUB);
}

void x86_op_xor_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_XOR);
}

void x86_op_cmp_ge(X86Interp *s, const X86Insn *d)
{
    alu_g(s, d, ALU_CMP);
}

void x86_op_add_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_ADD, d->imm);
}

void x86_op_or_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_OR, d->imm);
}

void x86_op_adc_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_ADC, d->imm);
}

void x86_op_sbb_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_SBB, d->imm);
}

void x86_op_and_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_AND, d->imm);
}

void x86_op_sub_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_SUB, d->imm);
}

void x86_op_xor_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_XOR, d->imm);
}

void x86_op_cmp_ei(X86Interp *s, const X86Insn *d)
{
    alu_e(s, d, ALU_CMP, d->imm);
}

void x86_op_test_eg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t r = op_rm_get(s, d, ot) & reg_get(s, d->reg, ot);
    cc_set(s, CC_OP_LOGIC, ot, r, 0, r);
}

void x86_op_test_ei(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t r = op_rm_get(s, d, ot) & d->imm & x86_size_mask[ot];
    cc_set(s, CC_OP_LOGIC, ot, r, 0, r);
}

/* INC and DEC keep CF (SDM vol. 2, INC). */
static inline __attribute__((always_inline))
void incdec(X86Interp *s, const X86Insn *d, bool dec)
{
    int ot = d->ot;
    uint64_t m = x86_size_mask[ot], a, r;
    unsigned c = cc_carry(s);

    if (d->mod == 3) {
        a = reg_get(s, d->rm, ot);
        r = (dec ? a - 1 : a + 1) & m;
        reg_set(s, d->rm, ot, r);
    } else {
        X86MemRef mr;
        a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &mr);
        r = (dec ? a - 1 : a + 1) & m;
        x86_rmw_st(s, &mr, ot, r);
    }
    cc_set(s, dec ? CC_OP_DEC : CC_OP_INC, ot, a, 1, r);
    s->cc_aux = c;
}

void x86_op_inc(X86Interp *s, const X86Insn *d)
{
    incdec(s, d, false);
}

void x86_op_dec(X86Interp *s, const X86Insn *d)
{
    incdec(s, d, true);
}

void x86_op_not(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    if (d->mod == 3) {
        reg_set(s, d->rm, ot, ~reg_get(s, d->rm, ot));
    } else {
        X86MemRef m;
        uint64_t a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &m);
        x86_rmw_st(s, &m, ot, ~a);
    }
    x86_run_next(s, d);
}

void x86_op_neg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t m = x86_size_mask[ot], a, r;

    if (d->mod == 3) {
        a = reg_get(s, d->rm, ot);
        r = (0 - a) & m;
        reg_set(s, d->rm, ot, r);
    } else {
        X86MemRef mr;
        a = x86_rmw_ld(s, d->seg, insn_ea(s, d), ot, &mr);
        r = (0 - a) & m;
        x86_rmw_st(s, &mr, ot, r);
    }
    /* NEG is 0 - a: CF is set unless a is 0. */
    cc_set(s, CC_OP_SUB, ot, 0, a, r);
    x86_run_next(s, d);
}

