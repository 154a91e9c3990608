/*
 * Bit instructions: BT, BTS, BTR, BTC (register and immediate offsets),
 * BSF, BSR, POPCNT (SDM vol. 2).  TZCNT/LZCNT are not advertised, so F3 BSF
 * and F3 BSR run as BSF and BSR, as on processors without them.
 */
#include "target-i386/interp/exec.h"

enum { BIT_TEST, BIT_SET, BIT_RESET, BIT_COMPLEMENT };

static void set_cf(X86Interp *s, bool cf)
{
    uint32_t f = x86_cc_compute(s) & ~CC_C;
    cc_set_flags(s, f | (cf ? CC_C : 0));
}

static uint64_t bit_apply(int kind, uint64_t v, unsigned bit)
{
    switch (kind) {
    case BIT_SET:
        return v | (1ull << bit);
    case BIT_RESET:
        return v & ~(1ull << bit);
    case BIT_COMPLEMENT:
        return v ^ (1ull << bit);
    default:
        return v;
    }
}

/*
 * off is the bit offset: with a register operand it is taken modulo the
 * size; with memory a register offset is signed and may address beyond
 * the operand (SDM vol. 2, BT), an immediate one is modulo the size.
 */
static void bit_op(X86Interp *s, const X86Insn *d, int kind, int64_t off, bool reg_offset)
{
    int ot = d->ot;
    unsigned bits = 8u << ot;

    if (d->mod == 3) {
        unsigned bit = off & (bits - 1);
        uint64_t v = reg_get(s, d->rm, ot);
        if (kind != BIT_TEST) {
            reg_set(s, d->rm, ot, bit_apply(kind, v, bit));
        }
        set_cf(s, (v >> bit) & 1);
        return;
    }
    uint64_t ea = insn_ea(s, d);
    unsigned bit = off & (bits - 1);
    if (reg_offset) {
        /* A byte displacement of off / 8, rounded down to the operand size (off may be negative). */
        ea = (ea + (uint64_t)((off >> (3 + ot)) * (1 << ot))) & x86_size_mask[d->aot];
    }
    if (kind == BIT_TEST) {
        set_cf(s, (x86_ld(s, d->seg, ea, ot) >> bit) & 1);
    } else {
        X86MemRef m;
        uint64_t v = x86_rmw_ld(s, d->seg, ea, ot, &m);
        x86_rmw_st(s, &m, ot, bit_apply(kind, v, bit));
        set_cf(s, (v >> bit) & 1);
    }
}

/* 0F A3 BT, AB BTS, B3 BTR, BB BTC. */
void x86_op_bt(X86Interp *s, const X86Insn *d)
{
    int kind = (d->op >> 3) & 3;
    bit_op(s, d, kind, sext(reg_get(s, d->reg, d->ot), d->ot), true);
}

/* 0F BA /4-/7. */
void x86_op_bt_imm(X86Interp *s, const X86Insn *d)
{
    bit_op(s, d, d->op & 3, d->imm & 0xff, false);
}

static void set_zf_only(X86Interp *s, bool zf)
{
    uint32_t f = x86_cc_compute(s) & ~CC_Z;
    cc_set_flags(s, f | (zf ? CC_Z : 0));
}

void x86_op_bsf(X86Interp *s, const X86Insn *d)
{
    uint64_t v = op_rm_get(s, d, d->ot);
    if (v == 0) {
        set_zf_only(s, true);   /* the destination is left unchanged */
        return;
    }
    reg_set(s, d->reg, d->ot, __builtin_ctzll(v));
    set_zf_only(s, false);
}

void x86_op_bsr(X86Interp *s, const X86Insn *d)
{
    uint64_t v = op_rm_get(s, d, d->ot);
    if (v == 0) {
        set_zf_only(s, true);
        return;
    }
    reg_set(s, d->reg, d->ot, 63 - __builtin_clzll(v));
    set_zf_only(s, false);
}

/* F3 0F B8 POPCNT; without F3 the opcode is JMPE (Itanium), #UD here. */
void x86_op_popcnt(X86Interp *s, const X86Insn *d)
{
    if (!(d->pfx & PFX_REPZ)) {
        x86_raise(s, EXC_UD, 0);
    }
    uint64_t v = op_rm_get(s, d, d->ot);
    reg_set(s, d->reg, d->ot, __builtin_popcountll(v));
    cc_set_flags(s, v == 0 ? CC_Z : 0);
}
