/*
 * The x87 instructions, opcodes D8-DF (SDM vol. 1, chapter 8; vol. 2,
 * the F* instructions; the opcode map in vol. 2, A.4).  The arithmetic is
 * fpu-x80.c's; this file keeps the register stack, the tags, the status
 * word and the exception rules:
 *  - a "waiting" instruction first reports a pending unmasked exception:
 *    #MF with CR0.NE=1; with CR0.NE=0 FERR# was already signalled through
 *    X86InterpCtx.ferr when the exception became pending, and execution
 *    goes on (the board's IRQ 13 handler does the rest);
 *  - unmasked IE, DE or ZE leave the destination and the stack alone;
 *  - a stack fault is IE|SF with C1 = 1 for overflow, 0 for underflow, and
 *    the masked response stores the QNaN indefinite.
 */
#include "target-i386/interp/exec-x87.h"
#include "util/log.h"

/* D8/DC/DE arithmetic by ModRM.reg (SDM vol. 2, A.4.2). */
enum { OP_ADD, OP_MUL, OP_COM, OP_COMP, OP_SUB, OP_SUBR, OP_DIV, OP_DIVR };

/* ---- Status ---------------------------------------------------------------------- */

void x86_fpu_update_es(X86Interp *s)
{
    CPUX86State *env = s->env;
    bool was = env->fpus & FPUS_ES;
    bool now = (env->fpus & ~env->fpuc & FPUS_EXC) != 0;

    if (now) {
        env->fpus |= FPUS_ES | FPUS_B;
    } else {
        env->fpus &= ~(FPUS_ES | FPUS_B);
    }
    if (was != now && !(env->cr[0] & CR0_NE) && s->ctx->ferr) {
        s->ctx->ferr(s->ctx->opaque, now);
    }
}

uint16_t x86_fpu_full_tag(const CPUX86State *env)
{
    uint16_t tw = 0;

    for (unsigned p = 0; p < 8; p++) {
        unsigned t = fpu_tag(env, p) == FPU_TAG_EMPTY ? FPU_TAG_EMPTY : x80_tag(env->fpregs[p]);
        tw |= t << (2 * p);
    }
    return tw;
}

void x86_fpu_init(X86Interp *s)
{
    CPUX86State *env = s->env;

    env->fpuc = 0x037f;
    env->fpus = 0;
    env->fptag = 0xffff;
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
    x86_fpu_update_es(s);
}

/*
 * Merge an operation's flags into the status word (C1 is replaced).
 * Returns false when an unmasked IE, DE or ZE forbids writing the result.
 */
bool x86_fpu_flags(X86Interp *s, uint16_t flags)
{
    CPUX86State *env = s->env;

    if (flags & ~env->fpuc & FPUS_DE) {
        /* An unmasked #D stops the operation before it computes: only the
         * operand checks report (the Xeon, FYL2X of a denormal). */
        flags &= FPUS_IE | FPUS_DE | FPUS_SF;
    }
    env->fpus = (env->fpus & ~FPUS_C1) | flags;
    if (flags & FPUS_EXC) {
        x86_fpu_update_es(s);
    }
    return !(flags & ~env->fpuc & (FPUS_IE | FPUS_DE | FPUS_ZE));
}

/* A stack fault; true if masked (the caller then stores the indefinite). */
bool x86_fpu_stack_fault(X86Interp *s, bool overflow)
{
    return x86_fpu_flags(s, FPUS_IE | FPUS_SF | (overflow ? FPUS_C1 : 0));
}

void x86_fpu_pop(X86Interp *s)
{
    CPUX86State *env = s->env;
    fpu_set_tag(env, fpu_top(env), FPU_TAG_EMPTY);
    fpu_set_top(env, fpu_top(env) + 1);
}

/* Push v (flags already merged by the caller's X80Ctx); handles overflow. */
void x86_fpu_push(X86Interp *s, FloatX80 v)
{
    CPUX86State *env = s->env;
    unsigned top = (fpu_top(env) - 1) & 7;

    if (fpu_tag(env, top) != FPU_TAG_EMPTY) {
        if (!x86_fpu_stack_fault(s, true)) {
            return;
        }
        v = x80_default_nan();
    }
    fpu_set_top(env, top);
    fpu_st_set(env, 0, v);
}

/* Source register i, or false after a stack underflow. */
bool x86_fpu_src(X86Interp *s, unsigned i, FloatX80 *v)
{
    if (fpu_empty(s->env, i)) {
        return false;
    }
    *v = fpu_st(s->env, i);
    return true;
}

/* An underflowed operation: store the indefinite in ST(dst) if masked, pop if asked. */
void x86_fpu_underflow(X86Interp *s, unsigned dst, bool pop)
{
    if (x86_fpu_stack_fault(s, false)) {
        fpu_st_set(s->env, dst, x80_default_nan());
        if (pop) {
            x86_fpu_pop(s);
        }
    }
}

X80Ctx x86_fpu_ctx(X86Interp *s)
{
    X80Ctx c = { s->env->fpuc, 0 };
    return c;
}

/* ---- Entry: #NM, pending exceptions, FIP/FDP/FOP ----------------------------------- */

static void fpu_check_nm(X86Interp *s)
{
    /* SDM vol. 3, 2.5: CR0.EM or CR0.TS make x87 instructions #NM. */
    if (s->env->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise(s, EXC_NM, 0);
    }
}

static void fpu_check_pending(X86Interp *s)
{
    if ((s->env->fpus & FPUS_ES) && (s->env->cr[0] & CR0_NE)) {
        x86_raise(s, EXC_MF, 0);
    }
}

void x86_op_fwait(X86Interp *s, const X86Insn *d)
{
    if ((s->env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise(s, EXC_NM, 0);
    }
    fpu_check_pending(s);
}

/*
 * The ModRM byte for FOP.  The decoder keeps mod and the register operand;
 * for a memory operand the r/m field is reconstructed from the base and
 * index (exact for 32/64-bit addressing).
 */
static uint8_t fpu_modrm(const X86Insn *d)
{
    unsigned rm;

    if (d->mod == 3) {
        rm = d->rm & 7;
    } else if (d->index != REG_NONE || (d->base < 16 && (d->base & 7) == 4)) {
        rm = 4;
    } else if (d->base == REG_NONE || d->base == RIP_BASE) {
        rm = d->aot == OT_W ? 6 : 5;
    } else {
        rm = d->base & 7;
    }
    return (uint8_t)((d->mod << 6) | ((d->reg & 7) << 3) | rm);
}

static void fpu_record(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;

    env->fpop = (uint16_t)(((d->op & 7) << 8) | fpu_modrm(d));
    env->fpip = env->rip;
    env->fpcs = env->segs[R_CS].selector;
    if (d->mod != 3) {
        env->fpdp = ea;
        env->fpds = env->segs[d->seg].selector;
    }
}

/* ---- Memory operands -------------------------------------------------------------------- */

static uint64_t ea_plus(const X86Insn *d, uint64_t ea, unsigned n)
{
    return (ea + n) & x86_size_mask[d->aot];
}

static FloatX80 ld_m80(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    FloatX80 v;
    v.mant = x86_ld(s, d->seg, ea, OT_Q);
    v.sign_exp = (uint16_t)x86_ld(s, d->seg, ea_plus(d, ea, 8), OT_W);
    return v;
}

static void st_m80(X86Interp *s, const X86Insn *d, uint64_t ea, FloatX80 v)
{
    /* The high part first: a fault on either half then leaves memory unchanged
     * in the common case of a page boundary at ea + 8. */
    x86_st(s, d->seg, ea_plus(d, ea, 8), OT_W, v.sign_exp);
    x86_st(s, d->seg, ea, OT_Q, v.mant);
}

/* The memory operand of D8/DA/DC/DE as a value (m32fp, m32int, m64fp, m16int). */
static FloatX80 ld_arith_operand(X86Interp *s, const X86Insn *d, uint64_t ea, X80Ctx *c)
{
    FloatX80 v;
    X80Ctx lc = *c;

    switch (d->op) {
    case 0xd8:
        v = x80_from_f32(&lc, (uint32_t)x86_ld(s, d->seg, ea, OT_L));
        break;
    case 0xda:
        return x80_from_i64((int32_t)x86_ld(s, d->seg, ea, OT_L));
    case 0xdc:
        v = x80_from_f64(&lc, x86_ld(s, d->seg, ea, OT_Q));
        break;
    default:
        return x80_from_i64((int16_t)x86_ld(s, d->seg, ea, OT_W));
    }
    if (lc.flags & FPUS_IE) {
        /* An SNaN stays one, so that the operation picks the NaN as the CPU
         * does (a QNaN in ST0 wins over it) and raises IE itself. */
        v.mant &= ~(1ull << 62);
        lc.flags &= ~FPUS_IE;
    }
    c->flags = lc.flags;
    return v;
}

/* ---- Arithmetic and compares ------------------------------------------------------------- */

static FloatX80 fpu_calc(X80Ctx *c, unsigned op, FloatX80 a, FloatX80 b)
{
    switch (op) {
    case OP_ADD:
        return x80_add(c, a, b);
    case OP_MUL:
        return x80_mul(c, a, b);
    case OP_SUB:
        return x80_sub(c, a, b);
    case OP_SUBR:
        return x80_sub(c, b, a);
    case OP_DIV:
        return x80_div(c, a, b);
    default:
        return x80_div(c, b, a);
    }
}

/*
 * Condition codes of a compare into the status word (C3 C2 C0; C1 cleared).
 * A compare has no destination to protect: the CPU sets them even when an
 * unmasked #IA (or #D) is reported (tests/diff, curated).
 */
static void fpu_set_cc(X86Interp *s, int rel, uint16_t flags)
{
    static const uint16_t cc[4] = {
        [0] = FPUS_C3, [1] = 0, [2] = FPUS_C3 | FPUS_C2 | FPUS_C0, [3] = FPUS_C0,
    };
    s->env->fpus &= ~(FPUS_C0 | FPUS_C2 | FPUS_C3);
    x86_fpu_flags(s, flags);
    s->env->fpus |= cc[rel & 3];       /* -1 -> index 3 */
}

/* A compare with an empty operand: unordered whether #IS is masked or not. */
static bool fpu_compare_underflow(X86Interp *s)
{
    bool masked = x86_fpu_stack_fault(s, false);

    s->env->fpus |= FPUS_C0 | FPUS_C2 | FPUS_C3;
    return masked;
}

static bool fpu_is_nan(FloatX80 v)
{
    X80Class k = x80_classify(v);
    return k == X80_QNAN || k == X80_SNAN || k == X80_UNSUPPORTED;
}

void x86_fpu_compare(X86Interp *s, FloatX80 a, FloatX80 b, bool quiet, unsigned pops)
{
    X80Ctx c = x86_fpu_ctx(s);
    int rel = x80_compare(&c, a, b, quiet);

    fpu_set_cc(s, rel, c.flags);
    if ((c.flags & ~s->env->fpuc & (FPUS_IE | FPUS_DE)) == 0) {
        while (pops--) {
            x86_fpu_pop(s);
        }
    }
}

/* FCOMI/FUCOMI(P): ZF, PF, CF like an unsigned compare, OF/SF/AF cleared. */
static void fpu_comi(X86Interp *s, unsigned i, bool quiet, bool pop)
{
    FloatX80 a, b;

    if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, i, &b)) {
        /* Unordered in EFLAGS even with #IS unmasked (tests/diff, curated). */
        cc_set_flags(s, CC_Z | CC_P | CC_C);
        if (x86_fpu_stack_fault(s, false) && pop) {
            x86_fpu_pop(s);
        }
        return;
    }
    X80Ctx c = x86_fpu_ctx(s);
    int rel = x80_compare(&c, a, b, quiet);
    uint16_t c1 = s->env->fpus & FPUS_C1;   /* left alone, whatever the SDM says (tests/diff) */
    bool ok = x86_fpu_flags(s, c.flags);
    static const uint32_t fl[4] = { CC_Z, 0, CC_Z | CC_P | CC_C, CC_C };

    s->env->fpus |= c1;
    cc_set_flags(s, fl[rel & 3]);
    if (ok && pop) {
        x86_fpu_pop(s);
    }
}

/*
 * An unmasked #D stops the instruction before it computes anything (no
 * #O, #U, #P: SDM vol. 1, 4.9.2, priorities); a NaN operand and a division
 * by zero come before it.  c->flags may hold a memory operand's #D already.
 */
static bool fpu_denormal_stops(X86Interp *s, unsigned op, FloatX80 a, FloatX80 b, X80Ctx *c)
{
    if (!(c->flags & FPUS_DE) && x80_classify(a) != X80_DENORMAL
        && x80_classify(b) != X80_DENORMAL) {
        return false;
    }
    if ((s->env->fpuc & FPUS_DE) || fpu_is_nan(a) || fpu_is_nan(b)
        || (op == OP_DIV && x80_classify(b) == X80_ZERO)
        || (op == OP_DIVR && x80_classify(a) == X80_ZERO)) {
        return false;
    }
    x86_fpu_flags(s, FPUS_DE);
    return true;
}

/* ST(dst) = ST(dst) op b, then pop if asked. */
static void fpu_arith(X86Interp *s, unsigned op, unsigned dst, FloatX80 b, X80Ctx *c, bool pop)
{
    FloatX80 a = fpu_st(s->env, dst);

    if (fpu_denormal_stops(s, op, a, b, c)) {
        return;
    }
    FloatX80 r = fpu_calc(c, op, a, b);

    if (x86_fpu_flags(s, c->flags)) {
        fpu_st_set(s->env, dst, r);
        if (pop) {
            x86_fpu_pop(s);
        }
    }
}

/* D8, DA, DC, DE with a memory operand: ST0 op= m. */
static void x87_arith_mem(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    unsigned op = d->reg & 7;
    X80Ctx c = x86_fpu_ctx(s);
    FloatX80 b = ld_arith_operand(s, d, ea, &c), a;

    if (!x86_fpu_src(s, 0, &a)) {
        /* #IS first: the operand's own #D is not reported. */
        if (op == OP_COM || op == OP_COMP) {
            if (fpu_compare_underflow(s) && op == OP_COMP) {
                x86_fpu_pop(s);
            }
        } else {
            x86_fpu_underflow(s, 0, false);
        }
        return;
    }
    if (fpu_is_nan(a) || fpu_is_nan(b)) {
        c.flags &= ~FPUS_DE;            /* a NaN operand comes before #D (SDM 4.9.2) */
    }
    if (op == OP_COM || op == OP_COMP) {
        int rel = x80_compare(&c, a, b, false);
        fpu_set_cc(s, rel, c.flags);
        if (op == OP_COMP && !(c.flags & ~s->env->fpuc & (FPUS_IE | FPUS_DE))) {
            x86_fpu_pop(s);
        }
        return;
    }
    fpu_arith(s, op, 0, b, &c, false);
}

/* D8, DC, DE with a register: ST0 op= ST(i), or ST(i) op= ST0 (and pop). */
static void x87_arith_reg(X86Interp *s, const X86Insn *d)
{
    unsigned op = d->reg & 7, i = d->rm & 7;
    FloatX80 a, b;

    if (op == OP_COM || op == OP_COMP) {
        if (d->op == 0xde && !(op == OP_COMP && i == 1)) {
            x86_raise(s, EXC_UD, 0);
        }
        unsigned pops = d->op == 0xde ? 2 : op == OP_COMP;
        if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, i, &b)) {
            if (fpu_compare_underflow(s)) {
                while (pops--) {
                    x86_fpu_pop(s);
                }
            }
            return;
        }
        x86_fpu_compare(s, a, b, false, pops);
        return;
    }
    unsigned dst = d->op == 0xd8 ? 0 : i, src = d->op == 0xd8 ? i : 0;
    if (d->op != 0xd8 && op >= OP_SUB) {
        op ^= 1;        /* DC/DE E0-FF: FSUBR/FSUB and FDIVR/FDIV swap (SDM A.4.2) */
    }
    bool pop = d->op == 0xde;
    if (!x86_fpu_src(s, dst, &a) || !x86_fpu_src(s, src, &b)) {
        x86_fpu_underflow(s, dst, pop);
        return;
    }
    X80Ctx c = x86_fpu_ctx(s);
    fpu_arith(s, op, dst, b, &c, pop);
}

/* ---- Loads and stores -------------------------------------------------------------------- */

void x86_fpu_load(X86Interp *s, FloatX80 v, X80Ctx *c)
{
    /* A full stack first: #IS alone, without the operand's #D or #IA (SDM 4.9.2). */
    if (!fpu_empty(s->env, 7)) {
        if (x86_fpu_stack_fault(s, true)) {
            fpu_set_top(s->env, fpu_top(s->env) - 1);
            fpu_st_set(s->env, 0, x80_default_nan());
        }
        return;
    }
    if (!x86_fpu_flags(s, c->flags)) {
        return;
    }
    x86_fpu_push(s, v);
}

/*
 * A store to memory stopped by an unmasked #O or #U writes nothing: the CPU
 * reports that exception alone, without #P or C1 (tests/diff, curated).
 */
static uint16_t fpu_store_unmasked(uint16_t flags)
{
    return flags & (FPUS_IE | FPUS_DE | FPUS_OE | FPUS_UE);
}

/* FST/FSTP to memory: m32fp, m64fp, m80fp. */
static void fpu_store_fp(X86Interp *s, const X86Insn *d, uint64_t ea, int size, bool pop)
{
    FloatX80 v;
    X80Ctx c = x86_fpu_ctx(s);

    if (!x86_fpu_src(s, 0, &v)) {
        if (!x86_fpu_stack_fault(s, false)) {
            return;
        }
        v = x80_default_nan();
    }
    switch (size) {
    case 4: {
        uint32_t m = x80_to_f32(&c, v);
        if (c.flags & ~s->env->fpuc & (FPUS_IE | FPUS_OE | FPUS_UE)) {
            x86_fpu_flags(s, fpu_store_unmasked(c.flags));
            return;
        }
        x86_st(s, d->seg, ea, OT_L, m);
        break;
    }
    case 8: {
        uint64_t m = x80_to_f64(&c, v);
        if (c.flags & ~s->env->fpuc & (FPUS_IE | FPUS_OE | FPUS_UE)) {
            x86_fpu_flags(s, fpu_store_unmasked(c.flags));
            return;
        }
        x86_st(s, d->seg, ea, OT_Q, m);
        break;
    }
    default:
        st_m80(s, d, ea, v);
        break;
    }
    x86_fpu_flags(s, c.flags);
    if (pop) {
        x86_fpu_pop(s);
    }
}

/* FIST/FISTP/FISTTP: bits 16, 32 or 64. */
static void fpu_store_int(X86Interp *s, const X86Insn *d, uint64_t ea, int bits, bool pop,
                          bool truncate)
{
    FloatX80 v;
    X80Ctx c = x86_fpu_ctx(s);
    int64_t r;
    int ot = bits == 16 ? OT_W : bits == 32 ? OT_L : OT_Q;

    if (!x86_fpu_src(s, 0, &v)) {
        if (!x86_fpu_stack_fault(s, false)) {
            return;
        }
        r = INT64_MIN >> (64 - bits);
    } else {
        r = x80_to_int(&c, v, bits, truncate);
        if (c.flags & ~s->env->fpuc & FPUS_IE) {
            x86_fpu_flags(s, c.flags);
            return;
        }
    }
    x86_st(s, d->seg, ea, ot, (uint64_t)r);
    x86_fpu_flags(s, c.flags);
    if (pop) {
        x86_fpu_pop(s);
    }
}

/* FBLD: 18 packed BCD digits and a sign byte (SDM vol. 1, 4.7). */
static void fpu_bld(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    uint64_t lo = x86_ld(s, d->seg, ea, OT_Q);
    uint16_t hi = (uint16_t)x86_ld(s, d->seg, ea_plus(d, ea, 8), OT_W);
    int64_t v = 0;
    X80Ctx c = x86_fpu_ctx(s);

    for (int i = 8; i >= 0; i--) {
        unsigned byte = i == 8 ? (hi & 0xff) : (unsigned)(lo >> (8 * i)) & 0xff;
        v = v * 100 + (byte >> 4) * 10 + (byte & 0xf);
    }
    FloatX80 r = x80_from_i64(v);
    if (hi & 0x8000) {
        r.sign_exp |= 0x8000;       /* -0 too */
    }
    x86_fpu_load(s, r, &c);
}

static void fpu_bstp(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    FloatX80 v;
    X80Ctx c = x86_fpu_ctx(s);
    uint64_t lo = 0;
    uint16_t hi = 0;

    if (!x86_fpu_src(s, 0, &v)) {
        if (!x86_fpu_stack_fault(s, false)) {
            return;
        }
        c.flags |= FPUS_IE;
    } else {
        FloatX80 r = x80_round_int(&c, v);
        int64_t n = x80_to_int(&c, r, 64, true);
        bool neg = x80_sign(v);
        uint64_t mag = neg ? 0 - (uint64_t)n : (uint64_t)n;
        if (!(c.flags & FPUS_IE) && mag <= 999999999999999999ull) {
            for (int i = 0; i < 9; i++) {
                unsigned byte = (unsigned)((mag % 10) | ((mag / 10 % 10) << 4));
                mag /= 100;
                if (i < 8) {
                    lo |= (uint64_t)byte << (8 * i);
                } else {
                    hi = (uint16_t)byte;
                }
            }
            hi |= neg ? 0x8000 : 0;
        } else {
            c.flags |= FPUS_IE;
            c.flags &= ~(FPUS_PE | FPUS_C1);
        }
    }
    if (c.flags & FPUS_IE) {
        if (!(s->env->fpuc & FPUS_IE)) {
            x86_fpu_flags(s, c.flags);
            return;
        }
        lo = 0xc000000000000000ull;     /* the packed BCD indefinite */
        hi = 0xffff;
    }
    x86_st(s, d->seg, ea_plus(d, ea, 8), OT_W, hi);
    x86_st(s, d->seg, ea, OT_Q, lo);
    x86_fpu_flags(s, c.flags);
    x86_fpu_pop(s);
}

/* ---- The entry point ----------------------------------------------------------------------- */

/* Control instructions that neither check pending exceptions nor update FIP/FOP. */
static bool x87_is_control(const X86Insn *d)
{
    unsigned r = d->reg & 7;

    if (d->mod != 3) {
        return (d->op == 0xd9 && r >= 4) || (d->op == 0xdd && (r == 4 || r == 6 || r == 7));
    }
    return (d->op == 0xdb && r == 4) || (d->op == 0xdf && r == 4 && (d->rm & 7) == 0);
}

/* Non-waiting forms: FNSTENV, FNSTCW, FNSAVE, FNSTSW, FNCLEX, FNINIT. */
static bool x87_is_nowait(const X86Insn *d)
{
    unsigned r = d->reg & 7;

    if (d->mod != 3) {
        return (d->op == 0xd9 && (r == 6 || r == 7)) || (d->op == 0xdd && (r == 6 || r == 7));
    }
    return (d->op == 0xdb && r == 4) || (d->op == 0xdf && r == 4 && (d->rm & 7) == 0);
}

static void x87_mem(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;
    unsigned r = d->reg & 7;
    X80Ctx c = x86_fpu_ctx(s);

    if (d->op == 0xd8 || d->op == 0xda || d->op == 0xdc || d->op == 0xde) {
        x87_arith_mem(s, d, ea);
        return;
    }
    switch ((d->op << 4) | r) {
    case 0xd90:
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, x80_from_f32(&c, (uint32_t)x86_ld(s, d->seg, ea, OT_L)), &c);
        return;
    case 0xd92:
    case 0xd93:
        fpu_store_fp(s, d, ea, 4, r == 3);
        return;
    case 0xd94:
        x86_fpu_ldenv(s, d, ea);
        return;
    case 0xd95:
        env->fpuc = (uint16_t)(x86_ld(s, d->seg, ea, OT_W) | 0x40);
        x86_fpu_update_es(s);
        return;
    case 0xd96:
        x86_fpu_stenv(s, d, ea);
        return;
    case 0xd97:
        x86_st(s, d->seg, ea, OT_W, env->fpuc);
        return;
    case 0xdb0:
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, x80_from_i64((int32_t)x86_ld(s, d->seg, ea, OT_L)), &c);
        return;
    case 0xdb1:
    case 0xdb2:
    case 0xdb3:
        fpu_store_int(s, d, ea, 32, r != 2, r == 1);
        return;
    case 0xdb5:
        env->fpus &= ~FPUS_C1;
        x86_fpu_push(s, ld_m80(s, d, ea));
        return;
    case 0xdb7:
        fpu_store_fp(s, d, ea, 10, true);
        return;
    case 0xdd0:
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, x80_from_f64(&c, x86_ld(s, d->seg, ea, OT_Q)), &c);
        return;
    case 0xdd1:
        fpu_store_int(s, d, ea, 64, true, true);
        return;
    case 0xdd2:
    case 0xdd3:
        fpu_store_fp(s, d, ea, 8, r == 3);
        return;
    case 0xdd4:
        x86_fpu_restore(s, d, ea);
        return;
    case 0xdd6:
        x86_fpu_save(s, d, ea);
        return;
    case 0xdd7:
        x86_st(s, d->seg, ea, OT_W, env->fpus);
        return;
    case 0xdf0:
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, x80_from_i64((int16_t)x86_ld(s, d->seg, ea, OT_W)), &c);
        return;
    case 0xdf1:
    case 0xdf2:
    case 0xdf3:
        fpu_store_int(s, d, ea, 16, r != 2, r == 1);
        return;
    case 0xdf4:
        env->fpus &= ~FPUS_C1;
        fpu_bld(s, d, ea);
        return;
    case 0xdf5:
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, x80_from_i64((int64_t)x86_ld(s, d->seg, ea, OT_Q)), &c);
        return;
    case 0xdf6:
        fpu_bstp(s, d, ea);
        return;
    case 0xdf7:
        fpu_store_int(s, d, ea, 64, true, false);
        return;
    default:
        x86_raise(s, EXC_UD, 0);
    }
}

/* FCMOVcc (DA/DB C0-DF): B, E, BE, U and their negations. */
static void x87_fcmov(X86Interp *s, const X86Insn *d)
{
    static const uint8_t cond[4] = { 0x2, 0x4, 0x6, 0xa };  /* Jcc condition numbers */
    unsigned i = d->rm & 7;
    FloatX80 v;

    if (fpu_empty(s->env, 0) || !x86_fpu_src(s, i, &v)) {
        if (x86_fpu_stack_fault(s, false)) {
            fpu_st_set(s->env, 0, x80_default_nan());
        }
        return;
    }
    /* C1 is left alone, whatever the SDM says (tests/diff). */
    if (x86_cond(s, cond[d->reg & 3] | (d->op == 0xdb))) {
        fpu_st_set(s->env, 0, v);
    }
}

static void x87_reg(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    unsigned r = d->reg & 7, i = d->rm & 7;
    FloatX80 a;

    switch (d->op) {
    case 0xd8:
    case 0xdc:
    case 0xde:
        x87_arith_reg(s, d);
        return;
    case 0xd9:
        x86_fpu_d9_reg(s, d);
        return;
    case 0xda:
        if (r < 4) {
            x87_fcmov(s, d);
            return;
        }
        if (r == 5 && i == 1) {                         /* FUCOMPP */
            FloatX80 b;
            if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, 1, &b)) {
                if (fpu_compare_underflow(s)) {
                    x86_fpu_pop(s);
                    x86_fpu_pop(s);
                }
                return;
            }
            x86_fpu_compare(s, a, b, true, 2);
            return;
        }
        break;
    case 0xdb:
        if (r < 4) {
            x87_fcmov(s, d);
            return;
        }
        if (r == 4) {
            if (i == 2) {                               /* FNCLEX */
                env->fpus &= ~(FPUS_EXC | FPUS_SF);
                x86_fpu_update_es(s);
                return;
            }
            if (i == 3) {
                x86_fpu_init(s);
                return;
            }
            if (i == 0 || i == 1 || i == 4) {
                return;                                 /* FENI, FDISI, FSETPM: no-ops */
            }
            break;
        }
        if (r == 5 || r == 6) {
            fpu_comi(s, i, r == 5, false);
            return;
        }
        break;
    case 0xdd:
        switch (r) {
        case 0:                                         /* FFREE */
            fpu_set_tag(env, fpu_phys(env, i), FPU_TAG_EMPTY);
            return;
        case 1:                                         /* FXCH alias */
            break;
        case 2:
        case 3:                                         /* FST(P) ST(i) */
            if (!x86_fpu_src(s, 0, &a)) {
                if (!x86_fpu_stack_fault(s, false)) {
                    return;
                }
                a = x80_default_nan();
            } else {
                env->fpus &= ~FPUS_C1;
            }
            fpu_st_set(env, i, a);
            if (r == 3) {
                x86_fpu_pop(s);
            }
            return;
        case 4:
        case 5: {
            FloatX80 b;
            if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, i, &b)) {
                if (fpu_compare_underflow(s) && r == 5) {
                    x86_fpu_pop(s);
                }
                return;
            }
            x86_fpu_compare(s, a, b, true, r == 5);
            return;
        }
        default:
            x86_raise(s, EXC_UD, 0);
        }
        {
            X86Insn alias = *d;
            alias.op = 0xd9;
            x86_fpu_d9_reg(s, &alias);
        }
        return;
    case 0xdf:
        if (r == 4 && i == 0) {                         /* FNSTSW AX */
            reg_set(s, R_EAX, OT_W, env->fpus);
            return;
        }
        if (r == 5 || r == 6) {
            fpu_comi(s, i, r == 5, true);
            return;
        }
        if (r == 0) {                                   /* FFREEP (undocumented) */
            fpu_set_tag(env, fpu_phys(env, i), FPU_TAG_EMPTY);
            x86_fpu_pop(s);
            return;
        }
        if (r == 1 || r == 2 || r == 3) {               /* FXCH / FSTP aliases */
            X86Insn alias = *d;
            alias.op = r == 1 ? 0xd9 : 0xdd;
            alias.reg = r == 1 ? 1 : 3;
            if (r == 1) {
                x86_fpu_d9_reg(s, &alias);
            } else {
                x87_reg(s, &alias);
            }
            return;
        }
        break;
    default:
        break;
    }
    x86_raise(s, EXC_UD, 0);
}

void x86_op_x87(X86Interp *s, const X86Insn *d)
{
    uint64_t ea = 0;

    fpu_check_nm(s);
    if (!x87_is_nowait(d)) {
        fpu_check_pending(s);
    }
    if (d->mod != 3) {
        ea = insn_ea(s, d);
    }
    if (!x87_is_control(d)) {
        fpu_record(s, d, ea);
    }
    if (d->mod != 3) {
        x87_mem(s, d, ea);
    } else {
        x87_reg(s, d);
    }
}
