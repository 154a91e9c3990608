/*
 * Dead flags inside a block.  Most instructions that set the arithmetic
 * flags have them overwritten by a later instruction before anything reads
 * them; computing them is then wasted work, a good part of an ALU
 * instruction's cost even with lazy flags (five stores).
 *
 * When a block is decoded, a backward pass over its instructions marks
 * where the flags are dead and swaps in handlers that skip them.  It is
 * exact, not a heuristic, because it only looks at register forms that
 * cannot fault and cannot end the block early: between a flag-free
 * handler and the instruction that overwrites its flags, nothing can
 * observe them (no fault frame, no interrupt: those come at block
 * boundaries).  Everything else in a block is taken to read every flag,
 * and so is the end of the block.  A block cut short (single-step, a CS
 * limit inside it) is run from a copy decoded without this pass
 * (run.c).
 */
#include "target-i386/interp/decode.h"
#include "target-i386/interp/exec-alu.h"

/* What a register-form handler does to the arithmetic flags. */
enum {
    CC_NONE,        /* neither reads nor writes them */
    CC_ALL,         /* writes all six, reads none */
    CC_PART,        /* writes some (INC/DEC keep CF), reads none */
    CC_SHIFT,       /* writes all six unless the masked count is 0 */
};

typedef struct FlagsUse {
    X86Handler *const *nf;      /* flag-free twins by operand size, or NULL */
    uint8_t kind;
    bool any_mod;               /* also with a memory operand (LEA never accesses it) */
} FlagsUse;

static inline __attribute__((always_inline))
void alu_nf(X86Interp *s, const X86Insn *d, int ot, int op, int form)
{
    unsigned dst = form == FORM_GE ? d->reg : d->rm;
    uint64_t a = reg_get(s, dst, ot);
    uint64_t b = form == FORM_EI ? d->imm : reg_get(s, form == FORM_GE ? d->rm : d->reg, ot);
    uint64_t r;

    switch (op) {
    case ALU_ADD:
        r = a + b;
        break;
    case ALU_SUB:
        r = a - b;
        break;
    case ALU_AND:
        r = a & b;
        break;
    case ALU_OR:
        r = a | b;
        break;
    default:
        r = a ^ b;
        break;
    }
    reg_set(s, dst, ot, r & x86_size_mask[ot]);
    x86_run_next(s, d);
}

static inline __attribute__((always_inline))
void incdec_nf(X86Interp *s, const X86Insn *d, int ot, int delta)
{
    reg_set(s, d->rm, ot, (reg_get(s, d->rm, ot) + delta) & x86_size_mask[ot]);
    x86_run_next(s, d);
}

static inline __attribute__((always_inline))
void shift_nf(X86Interp *s, const X86Insn *d, int ot, int kind)
{
    unsigned count = d->imm & (ot == OT_Q ? 63 : 31);
    uint64_t a = reg_get(s, d->rm, ot), r;

    if (kind == 4) {                            /* SHL */
        r = a << count;
    } else if (kind == 5) {                     /* SHR */
        r = a >> count;
    } else {                                    /* SAR: the sign fills counts past the width */
        r = (uint64_t)(sext(a, ot) >> MIN(count, (8u << ot) - 1));
    }
    reg_set(s, d->rm, ot, r & x86_size_mask[ot]);
    x86_run_next(s, d);
}

/* CMP and TEST with dead flags do nothing at all. */
static void nop_nf(X86Interp *s, const X86Insn *d)
{
    x86_run_next(s, d);
}

static X86Handler *const cmp_nf[4] = { nop_nf, nop_nf, nop_nf, nop_nf };

/* Four handlers, one per operand size, and their table: body(s, d, ot, args). */
#define SIZED_NF(name, body, ...) \
    static void name##_b(X86Interp *s, const X86Insn *d) { body(s, d, OT_B, __VA_ARGS__); } \
    static void name##_w(X86Interp *s, const X86Insn *d) { body(s, d, OT_W, __VA_ARGS__); } \
    static void name##_l(X86Interp *s, const X86Insn *d) { body(s, d, OT_L, __VA_ARGS__); } \
    static void name##_q(X86Interp *s, const X86Insn *d) { body(s, d, OT_Q, __VA_ARGS__); } \
    static X86Handler *const name[4] = { name##_b, name##_w, name##_l, name##_q }

SIZED_NF(add_eg_nf, alu_nf, ALU_ADD, FORM_EG);
SIZED_NF(add_ge_nf, alu_nf, ALU_ADD, FORM_GE);
SIZED_NF(add_ei_nf, alu_nf, ALU_ADD, FORM_EI);
SIZED_NF(sub_eg_nf, alu_nf, ALU_SUB, FORM_EG);
SIZED_NF(sub_ge_nf, alu_nf, ALU_SUB, FORM_GE);
SIZED_NF(sub_ei_nf, alu_nf, ALU_SUB, FORM_EI);
SIZED_NF(and_eg_nf, alu_nf, ALU_AND, FORM_EG);
SIZED_NF(and_ge_nf, alu_nf, ALU_AND, FORM_GE);
SIZED_NF(and_ei_nf, alu_nf, ALU_AND, FORM_EI);
SIZED_NF(or_eg_nf, alu_nf, ALU_OR, FORM_EG);
SIZED_NF(or_ge_nf, alu_nf, ALU_OR, FORM_GE);
SIZED_NF(or_ei_nf, alu_nf, ALU_OR, FORM_EI);
SIZED_NF(xor_eg_nf, alu_nf, ALU_XOR, FORM_EG);
SIZED_NF(xor_ge_nf, alu_nf, ALU_XOR, FORM_GE);
SIZED_NF(xor_ei_nf, alu_nf, ALU_XOR, FORM_EI);
SIZED_NF(inc_nf, incdec_nf, 1);
SIZED_NF(dec_nf, incdec_nf, -1);
SIZED_NF(shl_i_nf, shift_nf, 4);
SIZED_NF(shr_i_nf, shift_nf, 5);
SIZED_NF(sar_i_nf, shift_nf, 7);

/* The sized register-form handlers of exec-fast.c and exec-shift.c. */
static const struct {
    X86Handler *const *fn;
    FlagsUse use;
} sized_uses[] = {
    { x86_add_eg_r, { add_eg_nf, CC_ALL } }, { x86_add_ge_r, { add_ge_nf, CC_ALL } },
    { x86_add_ei_r, { add_ei_nf, CC_ALL } }, { x86_sub_eg_r, { sub_eg_nf, CC_ALL } },
    { x86_sub_ge_r, { sub_ge_nf, CC_ALL } }, { x86_sub_ei_r, { sub_ei_nf, CC_ALL } },
    { x86_and_eg_r, { and_eg_nf, CC_ALL } }, { x86_and_ge_r, { and_ge_nf, CC_ALL } },
    { x86_and_ei_r, { and_ei_nf, CC_ALL } }, { x86_or_eg_r, { or_eg_nf, CC_ALL } },
    { x86_or_ge_r, { or_ge_nf, CC_ALL } }, { x86_or_ei_r, { or_ei_nf, CC_ALL } },
    { x86_xor_eg_r, { xor_eg_nf, CC_ALL } }, { x86_xor_ge_r, { xor_ge_nf, CC_ALL } },
    { x86_xor_ei_r, { xor_ei_nf, CC_ALL } },
    { x86_cmp_eg_r, { cmp_nf, CC_ALL } }, { x86_cmp_ge_r, { cmp_nf, CC_ALL } },
    { x86_cmp_ei_r, { cmp_nf, CC_ALL } }, { x86_test_eg_r, { cmp_nf, CC_ALL } },
    { x86_test_ei_r, { cmp_nf, CC_ALL } },
    { x86_inc_r, { inc_nf, CC_PART } }, { x86_dec_r, { dec_nf, CC_PART } },
    { x86_shl_i_r, { shl_i_nf, CC_SHIFT } }, { x86_shr_i_r, { shr_i_nf, CC_SHIFT } },
    { x86_sar_i_r, { sar_i_nf, CC_SHIFT } },
    { x86_mov_eg_r, { NULL, CC_NONE } }, { x86_mov_ge_r, { NULL, CC_NONE } },
    { x86_mov_ei_r, { NULL, CC_NONE } }, { x86_lea_sized, { NULL, CC_NONE, true } },
};

/* Generic handlers that touch no flags and cannot fault in register form. */
static X86Handler *const neutral[] = {
    x86_op_movzx_b, x86_op_movzx_w, x86_op_movsx_b, x86_op_movsx_w, x86_op_movsxd,
    x86_op_bswap, x86_op_cbw, x86_op_cwd, x86_op_xchg, x86_op_not,
};

static const FlagsUse neutral_use = { NULL, CC_NONE };
static GHashTable *uses;        /* handler -> FlagsUse */

static void uses_init(void)
{
    GHashTable *t = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (unsigned i = 0; i < G_N_ELEMENTS(sized_uses); i++) {
        for (int ot = OT_B; ot <= OT_Q; ot++) {
            g_hash_table_insert(t, sized_uses[i].fn[ot], (gpointer)&sized_uses[i].use);
        }
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(neutral); i++) {
        g_hash_table_insert(t, neutral[i], (gpointer)&neutral_use);
    }
    uses = t;
}

void x86_block_elide_flags(X86Insn *insns, unsigned n)
{
    static gsize inited;
    bool live = true;           /* the next block may read any flag */

    if (g_once_init_enter(&inited)) {
        uses_init();
        g_once_init_leave(&inited, 1);
    }
    for (unsigned i = n; i-- > 0;) {
        X86Insn *d = &insns[i];
        const FlagsUse *u = g_hash_table_lookup(uses, d->fn);

        if (!u || (d->mod != 3 && !u->any_mod)) {
            live = true;        /* may read flags, fault or stop the block */
            continue;
        }
        if (!live && u->nf) {
            d->fn = u->nf[d->ot];
        }
        if (u->kind == CC_ALL ||
            (u->kind == CC_SHIFT && (d->imm & (d->ot == OT_Q ? 63 : 31)) != 0)) {
            live = false;
        }
    }
}
