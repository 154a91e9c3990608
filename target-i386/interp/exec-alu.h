/*
 * The ALU operations shared by the reference handlers (exec-alu.c) and the
 * size-specialised register forms (exec-fast.c).
 */
#ifndef TARGET_I386_INTERP_EXEC_ALU_H
#define TARGET_I386_INTERP_EXEC_ALU_H

#include "target-i386/interp/exec.h"

/* The operations in encoding order (ModRM.reg of group 1). */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
/* r/m op= reg, reg op= r/m, r/m op= imm. */
enum { FORM_EG, FORM_GE, FORM_EI };

/* Compute a op b at size ot and record the flags; a and b are already masked. */
static inline __attribute__((always_inline))
uint64_t alu_compute(X86Interp *s, int op, int ot, uint64_t a, uint64_t b)
{
    uint64_t m = x86_size_mask[ot], r;
    unsigned c;

    b &= m;
    switch (op) {
    case ALU_ADD:
        r = (a + b) & m;
        cc_set(s, CC_OP_ADD, ot, a, b, r);
        break;
    case ALU_ADC:
        c = cc_carry(s);
        r = (a + b + c) & m;
        cc_set(s, CC_OP_ADC, ot, a, b, r);
        s->cc_aux = c;
        break;
    case ALU_SBB:
        c = cc_carry(s);
        r = (a - b - c) & m;
        cc_set(s, CC_OP_SBB, ot, a, b, r);
        s->cc_aux = c;
        break;
    case ALU_SUB:
    case ALU_CMP:
        r = (a - b) & m;
        cc_set(s, CC_OP_SUB, ot, a, b, r);
        break;
    case ALU_OR:
        r = a | b;
        cc_set(s, CC_OP_LOGIC, ot, a, b, r);
        break;
    case ALU_AND:
        r = a & b;
        cc_set(s, CC_OP_LOGIC, ot, a, b, r);
        break;
    default:
        r = a ^ b;
        cc_set(s, CC_OP_LOGIC, ot, a, b, r);
        break;
    }
    return r;
}

#endif
