/*
 * The D9 register forms (exec-x87-d9.c): FLD/FXCH ST(i), FCHS/FABS/FTST/FXAM,
 * the constants, the transcendentals, FPREM, FSCALE, FXTRACT, FSQRT, FRNDINT.
 */
#include "target-i386/interp/exec-x87.h"

/* ---- D9 register forms ------------------------------------------------------------------- */

static void fpu_fxam(X86Interp *s)
{
    static const uint16_t cls[] = {
        [X80_ZERO] = FPUS_C3, [X80_DENORMAL] = FPUS_C3 | FPUS_C2,
        [X80_NORMAL] = FPUS_C2, [X80_INF] = FPUS_C2 | FPUS_C0,
        [X80_QNAN] = FPUS_C0, [X80_SNAN] = FPUS_C0, [X80_UNSUPPORTED] = 0,
    };
    CPUX86State *env = s->env;
    FloatX80 v = fpu_st(env, 0);
    uint16_t cc = x80_sign(v) ? FPUS_C1 : 0;

    cc |= fpu_empty(env, 0) ? FPUS_C3 | FPUS_C0 : cls[x80_classify(v)];
    env->fpus = (env->fpus & ~(FPUS_C0 | FPUS_C1 | FPUS_C2 | FPUS_C3)) | cc;
}

/* One-operand ST0 operations: FCHS, FABS, FSQRT, FRNDINT, F2XM1. */
static void fpu_unary(X86Interp *s, unsigned which)
{
    FloatX80 a, r;
    X80Ctx c = x86_fpu_ctx(s);

    if (!x86_fpu_src(s, 0, &a)) {
        x86_fpu_underflow(s, 0, false);
        return;
    }
    switch (which) {
    case 0xe0:
        r = a;
        r.sign_exp ^= 0x8000;
        break;
    case 0xe1:
        r = a;
        r.sign_exp &= 0x7fff;
        break;
    case 0xfa:
        r = x80_sqrt(&c, a);
        break;
    case 0xfc:
        r = x80_round_int(&c, a);
        break;
    default:
        r = x80_f2xm1(&c, a);
        break;
    }
    if (x86_fpu_flags(s, c.flags)) {
        fpu_st_set(s->env, 0, r);
    }
}

/* Operations on ST0 and ST1: FYL2X, FPATAN, FYL2XP1 (result in ST1, pop), FSCALE, FPREMs. */
static void fpu_binary01(X86Interp *s, unsigned which)
{
    FloatX80 a, b, r;
    X80Ctx c = x86_fpu_ctx(s);
    uint16_t cc = 0;
    bool pop = which == 0xf1 || which == 0xf3 || which == 0xf9;

    if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, 1, &b)) {
        if (which == 0xf8 || which == 0xf5) {
            s->env->fpus &= ~FPUS_C2;   /* a partial remainder is not pending (the CPU) */
        }
        x86_fpu_underflow(s, pop ? 1 : 0, pop);
        return;
    }
    switch (which) {
    case 0xf1:
        r = x80_yl2x(&c, a, b, false);
        break;
    case 0xf9:
        r = x80_yl2x(&c, a, b, true);
        break;
    case 0xf3:
        r = x80_atan2(&c, b, a);
        break;
    case 0xfd:
        r = x80_scale(&c, a, b);
        break;
    default:
        r = x80_rem(&c, a, b, which == 0xf5, &cc);
        /* A NaN result (NaN operand, invalid operation): the CPU clears C2
         * and leaves C0 and C3 as they were (tests/diff curated). */
        s->env->fpus &= x80_classify(r) == X80_QNAN ? ~FPUS_C2
                                                    : ~(FPUS_C0 | FPUS_C2 | FPUS_C3);
        break;
    }
    if (x86_fpu_flags(s, c.flags | cc)) {
        fpu_st_set(s->env, pop ? 1 : 0, r);
        if (pop) {
            x86_fpu_pop(s);
        }
    }
}

/* FPTAN, FSIN, FCOS, FSINCOS (C2 = 1 and ST0 unchanged when out of range). */
static void fpu_trig(X86Interp *s, unsigned which)
{
    CPUX86State *env = s->env;
    FloatX80 a, r, r2 = { 0, 0 };
    X80Ctx c = x86_fpu_ctx(s);
    bool oor = false, push = which == 0xf2 || which == 0xfb;

    env->fpus &= ~FPUS_C2;
    if (!x86_fpu_src(s, 0, &a)) {
        if (x86_fpu_stack_fault(s, false)) {
            fpu_st_set(env, 0, x80_default_nan());
            if (push) {
                x86_fpu_push(s, x80_default_nan());
            }
        }
        return;
    }
    if (push && !fpu_empty(env, 7)) {
        if (x86_fpu_stack_fault(s, true)) {
            fpu_st_set(env, 0, x80_default_nan());
            x86_fpu_push(s, x80_default_nan());
        }
        return;
    }
    if (which == 0xf2) {
        r = x80_trig(&c, a, 2, &oor);
        r2 = x80_from_i64(1);
    } else if (which == 0xfb) {
        X80Ctx c2 = c;
        r2 = x80_trig(&c, a, 1, &oor);      /* ST0 <- sin, then cos is pushed */
        r = x80_trig(&c2, a, 0, &oor);
        c.flags |= c2.flags & ~FPUS_C1;     /* C1 tells of the cosine, pushed last */
    } else {
        r = x80_trig(&c, a, which == 0xfe ? 0 : 1, &oor);
    }
    if (oor) {
        env->fpus |= FPUS_C2;
        return;
    }
    if (x86_fpu_flags(s, c.flags)) {
        fpu_st_set(env, 0, r);
        if (push) {
            if (which == 0xf2 && x80_classify(r) >= X80_QNAN) {
                r2 = r;                     /* FPTAN of a NaN pushes the NaN */
            }
            x86_fpu_push(s, r2);
        }
    }
}

void x86_fpu_d9_reg(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    unsigned modrm = 0xc0 | ((d->reg & 7) << 3) | (d->rm & 7), i = d->rm & 7;
    FloatX80 a, b;

    switch (d->reg & 7) {
    case 0:                                     /* FLD ST(i) */
        if (!x86_fpu_src(s, i, &a)) {
            /* Underflow comes first (SDM vol. 1, 4.9.2): with ST(7) full too,
             * the CPU reports it alone (C1 = 0) and pushes the indefinite. */
            if (x86_fpu_stack_fault(s, false)) {
                fpu_set_top(env, fpu_top(env) - 1);
                fpu_st_set(env, 0, x80_default_nan());
            }
            return;
        }
        env->fpus &= ~FPUS_C1;
        x86_fpu_push(s, a);
        return;
    case 1:                                     /* FXCH */
    case 3:
        if (!x86_fpu_src(s, 0, &a) || !x86_fpu_src(s, i, &b)) {
            if (!x86_fpu_stack_fault(s, false)) {
                return;
            }
            a = fpu_empty(env, 0) ? x80_default_nan() : fpu_st(env, 0);
            b = fpu_empty(env, i) ? x80_default_nan() : fpu_st(env, i);
        } else {
            env->fpus &= ~FPUS_C1;
        }
        fpu_st_set(env, 0, b);
        fpu_st_set(env, i, a);
        return;
    case 2:
        if (modrm == 0xd0) {
            return;                             /* FNOP */
        }
        break;
    case 4:
        if (modrm == 0xe0 || modrm == 0xe1) {
            fpu_unary(s, modrm);
            return;
        }
        if (modrm == 0xe4) {                    /* FTST */
            if (!x86_fpu_src(s, 0, &a)) {
                x86_fpu_stack_fault(s, false);  /* unordered, masked or not */
                env->fpus |= FPUS_C0 | FPUS_C2 | FPUS_C3;
                return;
            }
            x86_fpu_compare(s, a, x80_make(false, 0, 0), false, 0);
            return;
        }
        if (modrm == 0xe5) {
            fpu_fxam(s);
            return;
        }
        break;
    case 5: {
        static const int8_t k[] = { -1, X80_CONST_L2T, X80_CONST_L2E, X80_CONST_PI,
                                    X80_CONST_LG2, X80_CONST_LN2, -2 };
        if (i == 7) {
            break;
        }
        X80Ctx c = x86_fpu_ctx(s);
        FloatX80 v = k[i] == -1 ? x80_from_i64(1) : k[i] == -2 ? x80_make(false, 0, 0)
                   : x80_const(k[i], (env->fpuc >> FPUC_RC_SHIFT) & 3);
        env->fpus &= ~FPUS_C1;
        x86_fpu_load(s, v, &c);
        return;
    }
    case 6:
        switch (modrm) {
        case 0xf0:
            fpu_unary(s, modrm);
            return;
        case 0xf2:
            fpu_trig(s, modrm);
            return;
        case 0xf4: {                            /* FXTRACT */
            X80Ctx c = x86_fpu_ctx(s);
            FloatX80 sig;
            if (!x86_fpu_src(s, 0, &a)) {
                /* Masked #IS: the CPU still pushes, the indefinite in ST0 and ST1. */
                if (x86_fpu_stack_fault(s, false)) {
                    fpu_st_set(env, 0, x80_default_nan());
                    fpu_set_top(env, fpu_top(env) - 1);
                    fpu_st_set(env, 0, x80_default_nan());
                }
                return;
            }
            if (!fpu_empty(env, 7)) {
                if (x86_fpu_stack_fault(s, true)) {
                    fpu_st_set(env, 0, x80_default_nan());
                    x86_fpu_push(s, x80_default_nan());
                }
                return;
            }
            FloatX80 e = x80_extract(&c, a, &sig);
            if (x86_fpu_flags(s, c.flags)) {
                fpu_st_set(env, 0, e);
                x86_fpu_push(s, sig);
            }
            return;
        }
        case 0xf6:                              /* FDECSTP */
            env->fpus &= ~FPUS_C1;
            fpu_set_top(env, fpu_top(env) - 1);
            return;
        case 0xf7:                              /* FINCSTP */
            env->fpus &= ~FPUS_C1;
            fpu_set_top(env, fpu_top(env) + 1);
            return;
        default:
            fpu_binary01(s, modrm);
            return;
        }
    default:
        switch (modrm) {
        case 0xfa:
        case 0xfc:
            fpu_unary(s, modrm);
            return;
        case 0xfb:
        case 0xfe:
        case 0xff:
            fpu_trig(s, modrm);
            return;
        default:
            fpu_binary01(s, modrm);
            return;
        }
    }
    x86_raise(s, EXC_UD, 0);
}

