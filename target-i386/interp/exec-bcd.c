/*
 * Decimal arithmetic: DAA, DAS, AAA, AAS, AAM, AAD (SDM vol. 2), invalid in
 * 64-bit mode (the decoder sends those to #UD).  OF is undefined after
 * them; we clear it.
 */
#include "target-i386/interp/exec.h"

static uint32_t szp_of(X86Interp *s, uint8_t al)
{
    cc_set(s, CC_OP_LOGIC, OT_B, al, 0, al);
    return x86_cc_compute(s);
}

void x86_op_daa(X86Interp *s, const X86Insn *d)
{
    uint32_t f = x86_cc_compute(s);
    uint8_t old_al = reg_get(s, R_EAX, OT_B), al = old_al;
    bool old_cf = f & CC_C, cf = false, af = false;

    if ((al & 0xf) > 9 || (f & CC_A)) {
        cf = old_cf || al > 0xf9;
        al += 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al += 0x60;
        cf = true;
    }
    reg_set(s, R_EAX, OT_B, al);
    cc_set_flags(s, szp_of(s, al) | (cf ? CC_C : 0) | (af ? CC_A : 0));
}

void x86_op_das(X86Interp *s, const X86Insn *d)
{
    uint32_t f = x86_cc_compute(s);
    uint8_t old_al = reg_get(s, R_EAX, OT_B), al = old_al;
    bool old_cf = f & CC_C, cf = false, af = false;

    if ((al & 0xf) > 9 || (f & CC_A)) {
        cf = old_cf || al < 6;
        al -= 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al -= 0x60;
        cf = true;
    }
    reg_set(s, R_EAX, OT_B, al);
    cc_set_flags(s, szp_of(s, al) | (cf ? CC_C : 0) | (af ? CC_A : 0));
}

void x86_op_aaa(X86Interp *s, const X86Insn *d)
{
    uint32_t f = x86_cc_compute(s) & ~(CC_A | CC_C);
    uint16_t ax = reg_get(s, R_EAX, OT_W);

    if ((ax & 0xf) > 9 || (x86_cc_compute(s) & CC_A)) {
        ax += 0x106;
        f |= CC_A | CC_C;
    }
    reg_set(s, R_EAX, OT_W, ax & 0xff0f);
    cc_set_flags(s, f);
}

void x86_op_aas(X86Interp *s, const X86Insn *d)
{
    uint32_t f = x86_cc_compute(s) & ~(CC_A | CC_C);
    uint16_t ax = reg_get(s, R_EAX, OT_W);

    if ((ax & 0xf) > 9 || (x86_cc_compute(s) & CC_A)) {
        ax = ax - 6 - 0x100;    /* SDM: AX <- AX - 6; AH <- AH - 1 */
        f |= CC_A | CC_C;
    }
    reg_set(s, R_EAX, OT_W, ax & 0xff0f);
    cc_set_flags(s, f);
}

void x86_op_aam(X86Interp *s, const X86Insn *d)
{
    uint8_t base = d->imm, al = reg_get(s, R_EAX, OT_B);
    if (base == 0) {
        x86_raise(s, EXC_DE, 0);
    }
    uint8_t q = al / base, r = al % base;
    reg_set(s, R_EAX, OT_W, ((uint16_t)q << 8) | r);
    cc_set_flags(s, szp_of(s, r));
}

void x86_op_aad(X86Interp *s, const X86Insn *d)
{
    uint8_t base = d->imm;
    uint8_t al = reg_get(s, R_EAX, OT_B) + reg_get(s, REG_AH, OT_B) * base;
    reg_set(s, R_EAX, OT_W, al);
    cc_set_flags(s, szp_of(s, al));
}
