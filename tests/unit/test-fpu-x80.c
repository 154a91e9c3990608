/*
 * The 80-bit soft-float core (target-i386/interp/fpu-x80.c) against the
 * host's x87: the same operation, operands and control word run with
 * inline assembly and in software; results and status flags must match
 * bit for bit.  Operands: random values plus zeros, denormals,
 * pseudo-denormals, unnormals, infinities, NaNs and boundaries, under
 * every rounding mode and precision (exceptions masked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "target-i386/interp/fpu-x80.h"

#if defined(__x86_64__) || defined(__i386__)

enum {
    T_ADD, T_SUB, T_MUL, T_DIV, T_SQRT, T_RNDINT, T_SCALE, T_PREM, T_PREM1, T_XTRACT,
    T_COM, T_UCOM, T_ST32, T_ST64, T_IST16, T_IST32, T_IST64, T_ISTT64, T_LD32, T_LD64,
    T_F2XM1, T_YL2X, T_YL2XP1, T_PATAN, T_SIN, T_COS, T_TAN, T_NB,
};

static const char *const names[T_NB] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "frndint", "fscale", "fprem", "fprem1", "fxtract",
    "fcom", "fucom", "fst m32", "fst m64", "fist m16", "fist m32", "fistp m64", "fisttp m64",
    "fld m32", "fld m64", "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fsin", "fcos", "fptan",
};

/* What an operation gives: up to two values or an integer, and the status word. */
typedef struct Result {
    FloatX80 r, r2;
    uint64_t i;
    uint16_t sw;
} Result;

/* ---- The host ---------------------------------------------------------------------- */

#define HOST_BIN(insn)                                                                    \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"        \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfninit"                                 \
                     : [r] "=m"(res->r), [sw] "=m"(res->sw)                                 \
                     : [a] "m"(*a), [b] "m"(*b), [cw] "m"(cw))

#define HOST_POP2(insn)                                                                   \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"        \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfstpt %[r2]\n\tfninit"                  \
                     : [r] "=m"(res->r), [r2] "=m"(res->r2), [sw] "=m"(res->sw)             \
                     : [a] "m"(*a), [b] "m"(*b), [cw] "m"(cw))

#define HOST_MEM(insn, out)                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[o]\n\t"                \
                     "fnstsw %[sw]\n\tfninit"                                               \
                     : [o] "=m"(out), [sw] "=m"(res->sw)                                    \
                     : [a] "m"(*a), [cw] "m"(cw))

#define HOST_LD(insn, src)                                                                \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[in]\n\t"                            \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfninit"                                 \
                     : [r] "=m"(res->r), [sw] "=m"(res->sw)                                 \
                     : [in] "m"(src), [cw] "m"(cw))

static void host_run(int op, uint16_t cw, const FloatX80 *a, const FloatX80 *b, Result *res)
{
    uint16_t i16;
    uint32_t i32;
    uint64_t i64;

    memset(res, 0, sizeof(*res));
    switch (op) {
    case T_ADD:
        HOST_BIN("fadd %%st(1), %%st");
        break;
    case T_SUB:
        HOST_BIN("fsub %%st(1), %%st");
        break;
    case T_MUL:
        HOST_BIN("fmul %%st(1), %%st");
        break;
    case T_DIV:
        HOST_BIN("fdiv %%st(1), %%st");
        break;
    case T_SQRT:
        HOST_BIN("fsqrt");
        break;
    case T_RNDINT:
        HOST_BIN("frndint");
        break;
    case T_SCALE:
        HOST_BIN("fscale");
        break;
    case T_PREM:
        HOST_BIN("fprem");
        break;
    case T_PREM1:
        HOST_BIN("fprem1");
        break;
    case T_XTRACT:
        HOST_POP2("fxtract");
        break;
    case T_COM:
        HOST_BIN("fcom %%st(1)");
        break;
    case T_UCOM:
        HOST_BIN("fucom %%st(1)");
        break;
    case T_ST32:
        HOST_MEM("fsts", i32);
        res->i = i32;
        break;
    case T_ST64:
        HOST_MEM("fstl", i64);
        res->i = i64;
        break;
    case T_IST16:
        HOST_MEM("fists", i16);
        res->i = i16;
        break;
    case T_IST32:
        HOST_MEM("fistl", i32);
        res->i = i32;
        break;
    case T_IST64:
        HOST_MEM("fistpll", i64);
        res->i = i64;
        break;
    case T_ISTT64:
        HOST_MEM("fisttpll", i64);
        res->i = i64;
        break;
    case T_LD32:
        i32 = (uint32_t)a->mant;
        HOST_LD("flds", i32);
        break;
    case T_LD64:
        i64 = a->mant;
        HOST_LD("fldl", i64);
        break;
    case T_F2XM1:
        HOST_BIN("f2xm1");
        break;
    case T_YL2X:
        HOST_BIN("fyl2x\n\tfld %%st(0)");
        break;
    case T_YL2XP1:
        HOST_BIN("fyl2xp1\n\tfld %%st(0)");
        break;
    case T_PATAN:
        HOST_BIN("fpatan\n\tfld %%st(0)");
        break;
    case T_SIN:
        HOST_BIN("fsin");
        break;
    case T_COS:
        HOST_BIN("fcos");
        break;
    case T_TAN:
        HOST_POP2("fptan");
        break;
    }
}

/* ---- The soft-float core ------------------------------------------------------------ */

static void soft_run(int op, uint16_t cw, const FloatX80 *a, const FloatX80 *b, Result *res)
{
    X80Ctx c = { cw, 0 };
    uint16_t cc = 0;
    bool oor = false;
    int rel;

    memset(res, 0, sizeof(*res));
    switch (op) {
    case T_ADD:
        res->r = x80_add(&c, *a, *b);
        break;
    case T_SUB:
        res->r = x80_sub(&c, *a, *b);
        break;
    case T_MUL:
        res->r = x80_mul(&c, *a, *b);
        break;
    case T_DIV:
        res->r = x80_div(&c, *a, *b);
        break;
    case T_SQRT:
        res->r = x80_sqrt(&c, *a);
        break;
    case T_RNDINT:
        res->r = x80_round_int(&c, *a);
        break;
    case T_SCALE:
        res->r = x80_scale(&c, *a, *b);
        break;
    case T_PREM:
    case T_PREM1:
        res->r = x80_rem(&c, *a, *b, op == T_PREM1, &cc);
        break;
    case T_XTRACT: {
        FloatX80 sig;
        res->r2 = x80_extract(&c, *a, &sig);
        res->r = sig;
        break;
    }
    case T_COM:
    case T_UCOM:
        rel = x80_compare(&c, *a, *b, op == T_UCOM);
        cc = rel == 0 ? FPUS_C3 : rel < 0 ? FPUS_C0 : rel == 2 ? FPUS_C0 | FPUS_C2 | FPUS_C3 : 0;
        res->r = *a;
        break;
    case T_ST32:
        res->i = x80_to_f32(&c, *a);
        break;
    case T_ST64:
        res->i = x80_to_f64(&c, *a);
        break;
    case T_IST16:
        res->i = (uint16_t)x80_to_int(&c, *a, 16, false);
        break;
    case T_IST32:
        res->i = (uint32_t)x80_to_int(&c, *a, 32, false);
        break;
    case T_IST64:
        res->i = (uint64_t)x80_to_int(&c, *a, 64, false);
        break;
    case T_ISTT64:
        res->i = (uint64_t)x80_to_int(&c, *a, 64, true);
        break;
    case T_LD32:
        res->r = x80_from_f32(&c, (uint32_t)a->mant);
        break;
    case T_LD64:
        res->r = x80_from_f64(&c, a->mant);
        break;
    case T_F2XM1:
        res->r = x80_f2xm1(&c, *a);
        break;
    case T_YL2X:
    case T_YL2XP1:
        res->r = x80_yl2x(&c, *a, *b, op == T_YL2XP1);
        break;
    case T_PATAN:
        res->r = x80_atan2(&c, *b, *a);
        break;
    case T_SIN:
    case T_COS:
    case T_TAN:
        res->r = x80_trig(&c, *a, op == T_SIN ? 0 : op == T_COS ? 1 : 2, &oor);
        if (oor) {
            res->r = *a;
            cc = FPUS_C2;
        } else if (op == T_TAN) {
            res->r2 = res->r;
            res->r = x80_from_i64(1);
            if (x80_classify(res->r2) >= X80_QNAN) {
                res->r = res->r2;
            }
        }
        break;
    }
    res->sw = c.flags | cc;
}

/* ---- Operands ------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t rnd_mant(void)
{
    switch (rnd() % 8) {
    case 0:
        return 1ull << 63;
    case 1:
        return UINT64_MAX;
    case 2:
        return (1ull << 63) | (rnd() & 0xffffff0000000000ull);    /* exact in f32 */
    case 3:
        return (1ull << 63) | (rnd() & 0xfffffffffffff800ull);    /* exact in f64 */
    case 4:
        return (1ull << 63) | (rnd() >> (rnd() % 64));
    default:
        return (1ull << 63) | rnd();
    }
}

/* A random operand; near: an exponent close to 'near_exp' (for cancellations). */
static FloatX80 rnd_value(int near_exp)
{
    bool sign = rnd() & 1;
    uint64_t m = rnd_mant();
    unsigned k = rnd() % 64;
    int e;

    if (k < 2) {
        return x80_make(sign, 0, 0);
    } else if (k < 4) {
        return x80_make(sign, 0x7fff, 1ull << 63);
    } else if (k < 5) {
        return x80_make(sign, 0x7fff, (1ull << 63) | (1ull << 62) | (rnd() >> 2));  /* QNaN */
    } else if (k < 6) {
        return x80_make(sign, 0x7fff, (1ull << 63) | ((rnd() >> 2) | 1));          /* SNaN */
    } else if (k < 8) {
        return x80_make(sign, 0, m >> (1 + rnd() % 63));                          /* denormal */
    } else if (k < 9) {
        return x80_make(sign, 0, m);                                  /* pseudo-denormal */
    } else if (k < 10) {
        return x80_make(sign, 1 + rnd() % 0x7ffe, m >> 1);                        /* unnormal */
    } else if (k < 14) {
        e = (int)(rnd() % 0x7fff);
    } else if (k < 18) {
        e = 1 + (int)(rnd() % 70);                                    /* near the bottom */
    } else if (k < 20) {
        e = 0x7ffe - (int)(rnd() % 70);                               /* near the top */
    } else if (k < 40 && near_exp > 0) {
        e = near_exp + (int)(rnd() % 140) - 70;
    } else {
        e = 16383 + (int)(rnd() % 140) - 70;
    }
    if (e < 1) {
        e = 1;
    } else if (e > 0x7ffe) {
        e = 0x7ffe;
    }
    return x80_make(sign, (uint16_t)e, m);
}

/* Values for the f32/f64 loads: raw bit patterns of every class. */
static FloatX80 rnd_ieee(int op)
{
    uint64_t v = rnd();

    switch (rnd() % 6) {
    case 0:
        v &= op == T_LD32 ? 0x807fffffull : 0x800fffffffffffffull;    /* denormals, zero */
        break;
    case 1:
        v |= op == T_LD32 ? 0x7f800000ull : 0x7ff0000000000000ull;    /* inf, NaN */
        break;
    default:
        break;
    }
    if (op == T_LD32) {
        v &= 0xffffffffull;
    }
    return x80_make(false, 0, v);
}

/* ---- The comparison -------------------------------------------------------------------- */

static bool same(const FloatX80 *x, const FloatX80 *y)
{
    return x->mant == y->mant && x->sign_exp == y->sign_exp;
}

static unsigned run_op(int op, unsigned n, unsigned max_print)
{
    unsigned bad = 0;
    static const uint16_t pcs[] = { X80_PC_64, X80_PC_53, X80_PC_24 };

    for (unsigned i = 0; i < n; i++) {
        FloatX80 a, b;
        if (op == T_LD32 || op == T_LD64) {
            a = rnd_ieee(op);
            b = a;
        } else {
            a = rnd_value(0);
            b = rnd_value(a.sign_exp & 0x7fff);
        }
        if (op == T_YL2XP1 || op == T_F2XM1) {
            /* The SDM's valid ranges: |x| < 1 - sqrt(2)/2 and -1 < x < 1. */
            if ((a.sign_exp & 0x7fff) >= 16382 && (a.sign_exp & 0x7fff) != 0x7fff) {
                a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (16381 - rnd() % 40));
            }
        }
        uint16_t cw = (uint16_t)(0x037f & ~0x0300) | (pcs[rnd() % 3] << FPUC_PC_SHIFT) |
                      ((rnd() % 4) << FPUC_RC_SHIFT);
        Result h, s;
        host_run(op, cw, &a, &b, &h);
        soft_run(op, cw, &a, &b, &s);

        uint16_t mask = FPUS_EXC | FPUS_C1;
        if (op == T_COM || op == T_UCOM || op == T_PREM || op == T_PREM1) {
            mask |= FPUS_C0 | FPUS_C2 | FPUS_C3;
        }
        if (op == T_SIN || op == T_COS || op == T_TAN) {
            mask |= FPUS_C2;
        }
        if (op >= T_F2XM1) {
            mask &= ~FPUS_C1;   /* see test_transcendental */
        }
        bool ok = (h.sw & mask) == (s.sw & mask);
        if (op >= T_ST32 && op <= T_ISTT64) {
            ok = ok && h.i == s.i;
        } else if (op != T_COM && op != T_UCOM) {
            ok = ok && same(&h.r, &s.r) && same(&h.r2, &s.r2);
        }
        if (!ok && bad++ < max_print) {
            printf("%s cw %04x a %04x.%016llx b %04x.%016llx\n"
                   "   host %04x.%016llx %04x.%016llx i %016llx sw %04x\n"
                   "   soft %04x.%016llx %04x.%016llx i %016llx sw %04x\n", names[op], cw,
                   a.sign_exp, (unsigned long long)a.mant, b.sign_exp,
                   (unsigned long long)b.mant, h.r.sign_exp, (unsigned long long)h.r.mant,
                   h.r2.sign_exp, (unsigned long long)h.r2.mant, (unsigned long long)h.i,
                   h.sw & mask, s.r.sign_exp, (unsigned long long)s.r.mant, s.r2.sign_exp,
                   (unsigned long long)s.r2.mant, (unsigned long long)s.i, s.sw & mask);
        }
    }
    return bad;
}

static void run_group(int first, int last, unsigned n)
{
    unsigned total = 0;

    for (int op = first; op <= last; op++) {
        unsigned bad = run_op(op, n, 3);
        printf("%-10s %u cases, %u mismatches\n", names[op], n, bad);
        total += bad;
    }
    assert_int_equal(total, 0);
}

static void test_arith(void **state)
{
    run_group(T_ADD, T_DIV, 200000);
}

static void test_sqrt_round(void **state)
{
    run_group(T_SQRT, T_XTRACT, 100000);
}

static void test_compare(void **state)
{
    run_group(T_COM, T_UCOM, 100000);
}

static void test_convert(void **state)
{
    run_group(T_ST32, T_LD64, 100000);
}

static void test_constants(void **state)
{
    for (unsigned rc = 0; rc < 4; rc++) {
        uint16_t cw = (uint16_t)(0x037f | (rc << FPUC_RC_SHIFT));
        FloatX80 h[5], s[5];
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\t"
                         "fldl2t\n\tfstpt %[t]\n\tfldl2e\n\tfstpt %[e]\n\tfldpi\n\tfstpt %[p]\n\t"
                         "fldlg2\n\tfstpt %[g]\n\tfldln2\n\tfstpt %[n]\n\tfninit"
                         : [t] "=m"(h[0]), [e] "=m"(h[1]), [p] "=m"(h[2]), [g] "=m"(h[3]),
                           [n] "=m"(h[4])
                         : [cw] "m"(cw));
        s[0] = x80_const(X80_CONST_L2T, rc);
        s[1] = x80_const(X80_CONST_L2E, rc);
        s[2] = x80_const(X80_CONST_PI, rc);
        s[3] = x80_const(X80_CONST_LG2, rc);
        s[4] = x80_const(X80_CONST_LN2, rc);
        for (int i = 0; i < 5; i++) {
            if (!same(&h[i], &s[i])) {
                printf("constant %d rc %u: host %04x.%016llx soft %04x.%016llx\n", i, rc,
                       h[i].sign_exp, (unsigned long long)h[i].mant, s[i].sign_exp,
                       (unsigned long long)s[i].mant);
            }
            assert_true(same(&h[i], &s[i]));
        }
    }
}

/*
 * Unmasked overflow and underflow: the result keeps its significand and
 * gets the exponent adjusted by 24576; FSCALE can go past even that range.
 * FNSAVE (a non-waiting instruction) reads the host's state without taking
 * the #MF.
 */
static void test_unmasked(void **state)
{
    unsigned bad = 0, n = 50000;

    for (unsigned i = 0; i < n; i++) {
        FloatX80 a = rnd_value(0), b = rnd_value(0), hr, sr;
        uint8_t img[108];
        unsigned op = rnd() % 4;
        uint16_t cw = (uint16_t)((0x037f & ~(FPUS_OE | FPUS_UE | (rnd() & 1 ? FPUS_PE : 0))) |
                                 ((rnd() % 4) << FPUC_RC_SHIFT));
        /* Exponents at the ends of the range, so most results overflow or underflow. */
        if (rnd() & 1) {
            a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (0x7ffe - rnd() % 40));
            b.sign_exp = (uint16_t)((b.sign_exp & 0x8000) | (op == 2 ? rnd() % 40 + 1
                                                                  : 0x7ffe - rnd() % 40));
        } else {
            a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (rnd() % 40 + 1));
            b.sign_exp = (uint16_t)((b.sign_exp & 0x8000) | (op == 2 ? 0x7ffe - rnd() % 40
                                                                  : rnd() % 40 + 1));
        }
        a.mant |= 1ull << 63;
        b.mant |= 1ull << 63;
        if (op == 3) {
            /* A scale of up to +-70000: past the adjusted range from 40960 on. */
            b = x80_from_i64((int64_t)(rnd() % 140001) - 70000);
        }
        if (op == 3) {
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fscale\n\tfnsave %[img]"
                             : [img] "=m"(img) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));
        } else if (op == 0) {
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fadd %%st(1), %%st\n\tfnsave %[img]"
                             : [img] "=m"(img) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));
        } else if (op == 1) {
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fmul %%st(1), %%st\n\tfnsave %[img]"
                             : [img] "=m"(img) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));
        } else {
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fdiv %%st(1), %%st\n\tfnsave %[img]"
                             : [img] "=m"(img) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));
        }
        memcpy(&hr.mant, img + 28, 8);
        memcpy(&hr.sign_exp, img + 36, 2);
        uint16_t hsw;
        memcpy(&hsw, img + 4, 2);
        X80Ctx c = { cw, 0 };
        sr = op == 0 ? x80_add(&c, a, b) : op == 1 ? x80_mul(&c, a, b) :
             op == 2 ? x80_div(&c, a, b) : x80_scale(&c, a, b);
        uint16_t mask = FPUS_EXC | FPUS_C1;
        if (!same(&hr, &sr) || (hsw & mask) != (c.flags & mask)) {
            if (bad++ < 5) {
                printf("unmasked op %u cw %04x a %04x.%016llx b %04x.%016llx\n"
                       "   host %04x.%016llx sw %04x\n   soft %04x.%016llx sw %04x\n", op, cw,
                       a.sign_exp, (unsigned long long)a.mant, b.sign_exp,
                       (unsigned long long)b.mant, hr.sign_exp, (unsigned long long)hr.mant,
                       hsw & mask, sr.sign_exp, (unsigned long long)sr.mant, c.flags & mask);
            }
        }
    }
    printf("unmasked O/U: %u cases, %u mismatches\n", n, bad);
    assert_int_equal(bad, 0);
}

static void test_transcendental(void **state)
{
    /* Reported, not asserted, until fpu-trans.c is correctly rounded everywhere. */
    for (int op = T_F2XM1; op <= T_TAN; op++) {
        unsigned bad = run_op(op, 20000, 2);
        printf("%-10s %u cases, %u mismatches (not asserted)\n", names[op], 20000u, bad);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arith),
        cmocka_unit_test(test_sqrt_round),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_unmasked),
        cmocka_unit_test(test_transcendental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    return 77;      /* skipped: the reference is the host's x87 */
}

#endif
