/*
 * Size-specialised handlers for the most frequent instructions: the ALU,
 * TEST, INC/DEC and MOV in register form, MOV to and from memory, LEA.
 * The decoder picks them (OpInfo.reg_sized / mem_sized) so operation, form
 * and size are constants here and each handler compiles to a few
 * instructions.  Speed beats brevity: the generic handlers in exec-alu.c
 * and exec-mov.c are the reference these must agree with.
 */
#include "target-i386/interp/exec-alu.h"

static inline __attribute__((always_inline))
void alu_rr(X86Interp *s, const X86Insn *d, int op, int ot, int form)
{
    unsigned dst = form == FORM_GE ? d->reg : d->rm;
    uint64_t b = form == FORM_EI ? d->imm : reg_get(s, form == FORM_GE ? d->rm : d->reg, ot);
    uint64_t r = alu_compute(s, op, ot, reg_get(s, dst, ot), b);
    if (op != ALU_CMP) {
        reg_set(s, dst, ot, r);
    }
    x86_run_next(s, d);
}

static void add_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_B, FORM_EG);
}

static void add_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_W, FORM_EG);
}

static void add_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_L, FORM_EG);
}

static void add_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_Q, FORM_EG);
}

X86Handler *const x86_add_eg_r[4] = { add_eg_rb, add_eg_rw, add_eg_rl, add_eg_rq };

static void or_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_B, FORM_EG);
}

static void or_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_W, FORM_EG);
}

static void or_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_L, FORM_EG);
}

static void or_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_Q, FORM_EG);
}

X86Handler *const x86_or_eg_r[4] = { or_eg_rb, or_eg_rw, or_eg_rl, or_eg_rq };

static void adc_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_B, FORM_EG);
}

static void adc_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_W, FORM_EG);
}

static void adc_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_L, FORM_EG);
}

static void adc_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_Q, FORM_EG);
}

X86Handler *const x86_adc_eg_r[4] = { adc_eg_rb, adc_eg_rw, adc_eg_rl, adc_eg_rq };

static void sbb_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_B, FORM_EG);
}

static void sbb_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_W, FORM_EG);
}

static void sbb_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_L, FORM_EG);
}

static void sbb_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_Q, FORM_EG);
}

X86Handler *const x86_sbb_eg_r[4] = { sbb_eg_rb, sbb_eg_rw, sbb_eg_rl, sbb_eg_rq };

static void and_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_B, FORM_EG);
}

static void and_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_W, FORM_EG);
}

static void and_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_L, FORM_EG);
}

static void and_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_Q, FORM_EG);
}

X86Handler *const x86_and_eg_r[4] = { and_eg_rb, and_eg_rw, and_eg_rl, and_eg_rq };

static void sub_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_B, FORM_EG);
}

static void sub_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_W, FORM_EG);
}

static void sub_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_L, FORM_EG);
}

static void sub_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_Q, FORM_EG);
}

X86Handler *const x86_sub_eg_r[4] = { sub_eg_rb, sub_eg_rw, sub_eg_rl, sub_eg_rq };

static void xor_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_B, FORM_EG);
}

static void xor_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_W, FORM_EG);
}

static void xor_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_L, FORM_EG);
}

static void xor_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_Q, FORM_EG);
}

X86Handler *const x86_xor_eg_r[4] = { xor_eg_rb, xor_eg_rw, xor_eg_rl, xor_eg_rq };

static void cmp_eg_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_B, FORM_EG);
}

static void cmp_eg_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_W, FORM_EG);
}

static void cmp_eg_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_L, FORM_EG);
}

static void cmp_eg_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_Q, FORM_EG);
}

X86Handler *const x86_cmp_eg_r[4] = { cmp_eg_rb, cmp_eg_rw, cmp_eg_rl, cmp_eg_rq };

static void add_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_B, FORM_GE);
}

static void add_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_W, FORM_GE);
}

static void add_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_L, FORM_GE);
}

static void add_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_Q, FORM_GE);
}

X86Handler *const x86_add_ge_r[4] = { add_ge_rb, add_ge_rw, add_ge_rl, add_ge_rq };

static void or_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_B, FORM_GE);
}

static void or_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_W, FORM_GE);
}

static void or_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_L, FORM_GE);
}

static void or_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_Q, FORM_GE);
}

X86Handler *const x86_or_ge_r[4] = { or_ge_rb, or_ge_rw, or_ge_rl, or_ge_rq };

static void adc_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_B, FORM_GE);
}

static void adc_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_W, FORM_GE);
}

static void adc_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_L, FORM_GE);
}

static void adc_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_Q, FORM_GE);
}

X86Handler *const x86_adc_ge_r[4] = { adc_ge_rb, adc_ge_rw, adc_ge_rl, adc_ge_rq };

static void sbb_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_B, FORM_GE);
}

static void sbb_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_W, FORM_GE);
}

static void sbb_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_L, FORM_GE);
}

static void sbb_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_Q, FORM_GE);
}

X86Handler *const x86_sbb_ge_r[4] = { sbb_ge_rb, sbb_ge_rw, sbb_ge_rl, sbb_ge_rq };

static void and_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_B, FORM_GE);
}

static void and_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_W, FORM_GE);
}

static void and_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_L, FORM_GE);
}

static void and_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_Q, FORM_GE);
}

X86Handler *const x86_and_ge_r[4] = { and_ge_rb, and_ge_rw, and_ge_rl, and_ge_rq };

static void sub_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_B, FORM_GE);
}

static void sub_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_W, FORM_GE);
}

static void sub_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_L, FORM_GE);
}

static void sub_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_Q, FORM_GE);
}

X86Handler *const x86_sub_ge_r[4] = { sub_ge_rb, sub_ge_rw, sub_ge_rl, sub_ge_rq };

static void xor_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_B, FORM_GE);
}

static void xor_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_W, FORM_GE);
}

static void xor_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_L, FORM_GE);
}

static void xor_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_Q, FORM_GE);
}

X86Handler *const x86_xor_ge_r[4] = { xor_ge_rb, xor_ge_rw, xor_ge_rl, xor_ge_rq };

static void cmp_ge_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_B, FORM_GE);
}

static void cmp_ge_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_W, FORM_GE);
}

static void cmp_ge_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_L, FORM_GE);
}

static void cmp_ge_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_Q, FORM_GE);
}

X86Handler *const x86_cmp_ge_r[4] = { cmp_ge_rb, cmp_ge_rw, cmp_ge_rl, cmp_ge_rq };

static void add_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_B, FORM_EI);
}

static void add_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_W, FORM_EI);
}

static void add_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_L, FORM_EI);
}

static void add_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADD, OT_Q, FORM_EI);
}

X86Handler *const x86_add_ei_r[4] = { add_ei_rb, add_ei_rw, add_ei_rl, add_ei_rq };

static void or_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_B, FORM_EI);
}

static void or_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_W, FORM_EI);
}

static void or_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_L, FORM_EI);
}

static void or_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_OR, OT_Q, FORM_EI);
}

X86Handler *const x86_or_ei_r[4] = { or_ei_rb, or_ei_rw, or_ei_rl, or_ei_rq };

static void adc_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_B, FORM_EI);
}

static void adc_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_W, FORM_EI);
}

static void adc_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_L, FORM_EI);
}

static void adc_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_ADC, OT_Q, FORM_EI);
}

X86Handler *const x86_adc_ei_r[4] = { adc_ei_rb, adc_ei_rw, adc_ei_rl, adc_ei_rq };

static void sbb_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_B, FORM_EI);
}

static void sbb_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_W, FORM_EI);
}

static void sbb_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_L, FORM_EI);
}

static void sbb_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SBB, OT_Q, FORM_EI);
}

X86Handler *const x86_sbb_ei_r[4] = { sbb_ei_rb, sbb_ei_rw, sbb_ei_rl, sbb_ei_rq };

static void and_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_B, FORM_EI);
}

static void and_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_W, FORM_EI);
}

static void and_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_L, FORM_EI);
}

static void and_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_AND, OT_Q, FORM_EI);
}

X86Handler *const x86_and_ei_r[4] = { and_ei_rb, and_ei_rw, and_ei_rl, and_ei_rq };

static void sub_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_B, FORM_EI);
}

static void sub_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_W, FORM_EI);
}

static void sub_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_L, FORM_EI);
}

static void sub_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_SUB, OT_Q, FORM_EI);
}

X86Handler *const x86_sub_ei_r[4] = { sub_ei_rb, sub_ei_rw, sub_ei_rl, sub_ei_rq };

static void xor_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_B, FORM_EI);
}

static void xor_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_W, FORM_EI);
}

static void xor_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_L, FORM_EI);
}

static void xor_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_XOR, OT_Q, FORM_EI);
}

X86Handler *const x86_xor_ei_r[4] = { xor_ei_rb, xor_ei_rw, xor_ei_rl, xor_ei_rq };

static void cmp_ei_rb(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_B, FORM_EI);
}

static void cmp_ei_rw(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_W, FORM_EI);
}

static void cmp_ei_rl(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_L, FORM_EI);
}

static void cmp_ei_rq(X86Interp *s, const X86Insn *d)
{
    alu_rr(s, d, ALU_CMP, OT_Q, FORM_EI);
}

X86Handler *const x86_cmp_ei_r[4] = { cmp_ei_rb, cmp_ei_rw, cmp_ei_rl, cmp_ei_rq };


static inline __attribute__((always_inline))
void test_rr(X86Interp *s, const X86Insn *d, int ot, bool imm)
{
    uint64_t b = imm ? d->imm & x86_size_mask[ot] : reg_get(s, d->reg, ot);
    uint64_t r = reg_get(s, d->rm, ot) & b;
    cc_set(s, CC_OP_LOGIC, ot, r, 0, r);
    x86_run_next(s, d);
}

static inline __attribute__((always_inline))
void incdec_r(X86Interp *s, const X86Insn *d, int ot, bool dec)
{
    uint64_t a = reg_get(s, d->rm, ot);
    uint64_t r = (dec ? a - 1 : a + 1) & x86_size_mask[ot];
    unsigned c = cc_carry(s);
    reg_set(s, d->rm, ot, r);
    cc_set(s, dec ? CC_OP_DEC : CC_OP_INC, ot, a, 1, r);
    s->cc_aux = c;
    x86_run_next(s, d);
}

static void test_eg_rb(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_B, false);
}

static void test_eg_rw(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_W, false);
}

static void test_eg_rl(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_L, false);
}

static void test_eg_rq(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_Q, false);
}

X86Handler *const x86_test_eg_r[4] = { test_eg_rb, test_eg_rw, test_eg_rl, test_eg_rq };

static void test_ei_rb(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_B, true);
}

static void test_ei_rw(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_W, true);
}

static void test_ei_rl(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_L, true);
}

static void test_ei_rq(X86Interp *s, const X86Insn *d)
{
    test_rr(s, d, OT_Q, true);
}

X86Handler *const x86_test_ei_r[4] = { test_ei_rb, test_ei_rw, test_ei_rl, test_ei_rq };

static void inc_rb(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_B, false);
}

static void inc_rw(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_W, false);
}

static void inc_rl(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_L, false);
}

static void inc_rq(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_Q, false);
}

X86Handler *const x86_inc_r[4] = { inc_rb, inc_rw, inc_rl, inc_rq };

static void dec_rb(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_B, true);
}

static void dec_rw(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_W, true);
}

static void dec_rl(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_L, true);
}

static void dec_rq(X86Interp *s, const X86Insn *d)
{
    incdec_r(s, d, OT_Q, true);
}

X86Handler *const x86_dec_r[4] = { dec_rb, dec_rw, dec_rl, dec_rq };

/* ---- MOV and LEA ------------------------------------------------------------------ */

static inline __attribute__((always_inline))
void mov_rr(X86Interp *s, const X86Insn *d, int ot, int form)
{
    if (form == FORM_EG) {
        reg_set(s, d->rm, ot, reg_get(s, d->reg, ot));
    } else if (form == FORM_GE) {
        reg_set(s, d->reg, ot, reg_get(s, d->rm, ot));
    } else {
        reg_set(s, d->rm, ot, d->imm);
    }
    x86_run_next(s, d);
}

/* A run member: anything but a plain RAM hit goes through the general MOV. */
static inline __attribute__((always_inline))
void mov_load(X86Interp *s, const X86Insn *d, int ot)
{
    uint64_t v;
    if (G_LIKELY(x86_ld_fast(s, d->seg, run_ea(s, d), ot, &v))) {
        reg_set(s, d->reg, ot, v);
        x86_run_next(s, d);
        return;
    }
    x86_run_general(s, d, x86_op_mov_ge);
}

static inline __attribute__((always_inline))
void mov_store(X86Interp *s, const X86Insn *d, int ot)
{
    if (G_LIKELY(x86_st_fast(s, d->seg, run_ea(s, d), ot, reg_get(s, d->reg, ot)))) {
        x86_run_next(s, d);
        return;
    }
    x86_run_general(s, d, x86_op_mov_eg);
}

static void mov_eg_rb(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_B, FORM_EG);
}

static void mov_eg_rw(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_W, FORM_EG);
}

static void mov_eg_rl(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_L, FORM_EG);
}

static void mov_eg_rq(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_Q, FORM_EG);
}

X86Handler *const x86_mov_eg_r[4] = { mov_eg_rb, mov_eg_rw, mov_eg_rl, mov_eg_rq };

static void mov_ge_rb(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_B, FORM_GE);
}

static void mov_ge_rw(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_W, FORM_GE);
}

static void mov_ge_rl(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_L, FORM_GE);
}

static void mov_ge_rq(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_Q, FORM_GE);
}

X86Handler *const x86_mov_ge_r[4] = { mov_ge_rb, mov_ge_rw, mov_ge_rl, mov_ge_rq };

static void mov_ei_rb(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_B, FORM_EI);
}

static void mov_ei_rw(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_W, FORM_EI);
}

static void mov_ei_rl(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_L, FORM_EI);
}

static void mov_ei_rq(X86Interp *s, const X86Insn *d)
{
    mov_rr(s, d, OT_Q, FORM_EI);
}

X86Handler *const x86_mov_ei_r[4] = { mov_ei_rb, mov_ei_rw, mov_ei_rl, mov_ei_rq };

static void mov_ld_b(X86Interp *s, const X86Insn *d)
{
    mov_load(s, d, OT_B);
}

static void mov_ld_w(X86Interp *s, const X86Insn *d)
{
    mov_load(s, d, OT_W);
}

static void mov_ld_l(X86Interp *s, const X86Insn *d)
{
    mov_load(s, d, OT_L);
}

static void mov_ld_q(X86Interp *s, const X86Insn *d)
{
    mov_load(s, d, OT_Q);
}

X86Handler *const x86_mov_ld[4] = { mov_ld_b, mov_ld_w, mov_ld_l, mov_ld_q };

static void mov_st_b(X86Interp *s, const X86Insn *d)
{
    mov_store(s, d, OT_B);
}

static void mov_st_w(X86Interp *s, const X86Insn *d)
{
    mov_store(s, d, OT_W);
}

static void mov_st_l(X86Interp *s, const X86Insn *d)
{
    mov_store(s, d, OT_L);
}

static void mov_st_q(X86Interp *s, const X86Insn *d)
{
    mov_store(s, d, OT_Q);
}

X86Handler *const x86_mov_st[4] = { mov_st_b, mov_st_w, mov_st_l, mov_st_q };

static void lea_w(X86Interp *s, const X86Insn *d)
{
    reg_set(s, d->reg, OT_W, run_ea(s, d));
    x86_run_next(s, d);
}

static void lea_l(X86Interp *s, const X86Insn *d)
{
    reg_set(s, d->reg, OT_L, run_ea(s, d));
    x86_run_next(s, d);
}

static void lea_q(X86Interp *s, const X86Insn *d)
{
    reg_set(s, d->reg, OT_Q, run_ea(s, d));
    x86_run_next(s, d);
}

/* LEA has no 8-bit form. */
X86Handler *const x86_lea_sized[4] = { x86_op_lea, lea_w, lea_l, lea_q };
