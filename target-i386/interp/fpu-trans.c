/*
 * The x87 transcendental instructions in software: F2XM1, FYL2X, FYL2XP1,
 * FPATAN, FSIN, FCOS, FSINCOS, FPTAN (SDM vol. 2 and vol. 1, 8.3.10).
 *
 * Each is evaluated in a 128-bit significand format ("Big") by series
 * after argument reduction, then rounded once by RC (precision control
 * does not apply).  Exact to about 2^-120, that value is then moved to
 * where the hardware's internal one lies (the rules and biases below,
 * measured against a Xeon), since the x87 does not round the exact value.
 * FSIN/FCOS/FPTAN reduce their argument modulo the
 * 66-bit approximation of pi/2 that Intel's x87 uses (SDM vol. 1, 8.3.10),
 * so like the hardware they lose accuracy near large multiples of pi.
 */
#include "target-i386/interp/fpu-x80.h"

typedef unsigned __int128 u128;

/* sign * m * 2^(e - 127), m's bit 127 set; m == 0 is zero. */
typedef struct Big {
    bool s;
    int32_t e;
    u128 m;
} Big;

#define TOP ((u128)1 << 127)

static const Big big_zero = { false, 0, 0 };

static Big big_norm(Big a)
{
    if (a.m == 0) {
        return big_zero;
    }
    uint64_t hi = a.m >> 64;
    int z = hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)a.m);
    a.m <<= z;
    a.e -= z;
    return a;
}

static Big big_from_u128(bool s, int32_t e, u128 m)
{
    Big r = { s, e, m };
    return big_norm(r);
}

static Big big_int(int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return big_from_u128(v < 0, 127, mag);
}

/* A finite x87 value (zero, denormal, pseudo-denormal, normal). */
static Big big_x80(FloatX80 a)
{
    unsigned e = a.sign_exp & 0x7fff;
    return big_from_u128(x80_sign(a), (e ? (int32_t)e : 1) - X80_EXP_BIAS + 64,
                         (u128)a.mant);
}

/*
 * The x87 does not round the exact value: its internal result is off by
 * a few hundredths of an ulp, in a way that depends on the instruction.
 * Fitted against a Xeon (millions of cases, every RC): the internal value
 * is modelled as the exact one made smaller in magnitude by 'bias' units
 * of 2^-80 relative (Q16 fractions of 2^-64), and, for the logarithms,
 * truncated to LOG_BITS significant bits.  The final rounding by RC (and
 * C1, "rounded up") is then relative to that internal value.
 */
#define LOG_BITS        67      /* FYL2X far from 1: y * trunc67(log2 x), exact otherwise */
#define BIAS_F2XM1_TINY 9830    /* -0.15 * 2^-64 for |x| < 1/4 */
#define BIAS_LOG_NEAR1  5898    /* -0.09 * 2^-64 for log2 of x in [0.5, 2) */
#define BIAS_ATAN       1966    /* -0.03 * 2^-64 */
#define BIAS_TAN_TINY   5046    /* -0.077 * 2^-64 for |x| < 1/4 */
#define TAN_NUDGE_SHIFT 90      /* else a hair below: 2^-90 relative */
/* Tiny arguments take a shortcut (probed on the Xeon with RC down). */
#define TINY_TRIG_EXP   (-68)   /* |x| < 2^-68: sin x = tan x = x, cos x = 1 */
#define TINY_ATAN_EXP   (-40)   /* |y/x| < 2^-40 (x > 0): atan(y/x) = y/x */

static Big big_bias(Big a, uint32_t bias_q16)
{
    if (a.m == 0 || bias_q16 == 0) {
        return a;
    }
    a.m -= ((a.m >> 64) * bias_q16) >> 16;
    return big_norm(a);
}

static Big big_trunc(Big a, int bits)
{
    a.m &= ~(((u128)1 << (128 - bits)) - 1);
    return a;
}

/* Round an inexact result to 64 bits by RC; exact_below: a has no lost bits. */
static FloatX80 big_round_ex(X80Ctx *c, Big a, bool exact_below)
{
    if (a.m == 0) {
        return x80_make(a.s, 0, 0);
    }
    FloatX80 r = x80_round_wide(c, a.s, a.e, a.m, !exact_below);
    c->flags |= FPUS_PE;        /* the function value itself is never exact here */
    if (exact_below && (c->cw & FPUS_UE) && x80_classify(r) == X80_DENORMAL) {
        c->flags |= FPUS_UE;    /* so a tiny one underflows (masked) like any inexact one */
    }
    return r;
}

static FloatX80 big_round(X80Ctx *c, Big a)
{
    return big_round_ex(c, a, false);
}

static Big big_neg(Big a)
{
    a.s = !a.s;
    return a;
}

static Big big_mul(Big a, Big b)
{
    if (a.m == 0 || b.m == 0) {
        return big_zero;
    }
    uint64_t ah = a.m >> 64, al = (uint64_t)a.m, bh = b.m >> 64, bl = (uint64_t)b.m;
    u128 hh = (u128)ah * bh, hl = (u128)ah * bl, lh = (u128)al * bh, ll = (u128)al * bl;
    u128 mid = (ll >> 64) + (uint64_t)hl + (uint64_t)lh;
    u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    Big r = { a.s != b.s, a.e + b.e + 1, hi };
    if (!(hi & TOP)) {
        r.m = (hi << 1) | ((mid >> 63) & 1);
        r.e--;
    }
    return r;
}

static Big big_add(Big a, Big b)
{
    if (a.m == 0) {
        return b;
    }
    if (b.m == 0) {
        return a;
    }
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        Big t = a;
        a = b;
        b = t;
    }
    int32_t d = a.e - b.e;
    u128 bm = d >= 128 ? 0 : b.m >> d;
    bool lost = d >= 128 || (d > 0 && (b.m << (128 - d)) != 0);
    if (a.s == b.s) {
        u128 sum = a.m + bm;
        if (sum < a.m) {
            a.m = (sum >> 1) | TOP;
            a.e++;
        } else {
            a.m = sum;
        }
        return a;
    }
    /* Every operation truncates toward zero; a lost part of b must do so too. */
    a.m -= bm + lost;
    return big_norm(a);
}

static Big big_sub(Big a, Big b)
{
    return big_add(a, big_neg(b));
}

static Big big_div(Big a, Big b)
{
    if (a.m == 0) {
        return big_zero;
    }
    u128 r = a.m, q = 0;
    int i;
    /* q = floor(a.m * 2^127 / b.m), bit by bit, then one more bit if needed. */
    for (i = 0; i < 129; i++) {
        bool carry = false;
        if (i > 0) {
            carry = r >> 127;
            r <<= 1;
        }
        q <<= 1;
        if (carry || r >= b.m) {
            r -= b.m;
            q |= 1;
        }
        if (i == 127 && (q & TOP)) {
            break;
        }
    }
    Big res = { a.s != b.s, a.e - b.e, q };
    if (i == 129) {
        res.e--;    /* a.m < b.m: the 129th bit was taken, one more fractional bit */
    }
    return big_norm(res);
}

static Big big_ldexp(Big a, int n)
{
    if (a.m) {
        a.e += n;
    }
    return a;
}

/* Constants: 128 bits of ln 2, log2 e and pi. */
static Big big_const(uint64_t hi, uint64_t lo, int32_t e)
{
    Big r = { false, e, ((u128)hi << 64) | lo };
    return r;
}

static Big big_ln2(void)
{
    return big_const(0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1);
}

static Big big_log2e(void)
{
    return big_const(0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0);
}

static Big big_pi(void)
{
    return big_const(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1);
}

/* sqrt by one Newton step from the 64-bit soft-float root. */
static Big big_sqrt(Big a)
{
    X80Ctx c = { 0x037f, 0 };
    FloatX80 x = x80_make(false, (uint16_t)(a.e + X80_EXP_BIAS), (uint64_t)(a.m >> 64));
    Big s = big_x80(x80_sqrt(&c, x));
    return big_ldexp(big_add(s, big_div(a, s)), -1);
}

/* Sum of term_k while it matters: the caller's series step. */
static bool negligible(Big term, Big sum)
{
    return term.m == 0 || (sum.m != 0 && term.e < sum.e - 132);
}

/* e^t - 1 for |t| < 1. */
static Big big_expm1(Big t)
{
    Big sum = t, term = t;

    for (int k = 2; k < 60; k++) {
        term = big_div(big_mul(term, t), big_int(k));
        sum = big_add(sum, term);
        if (negligible(term, sum)) {
            break;
        }
    }
    return sum;
}

/* 2 atanh(s) = ln((1+s)/(1-s)), for |s| <= 0.2. */
static Big big_2atanh(Big s)
{
    Big s2 = big_mul(s, s), pow = s, sum = s;

    for (int k = 3; k < 200; k += 2) {
        pow = big_mul(pow, s2);
        Big term = big_div(pow, big_int(k));
        sum = big_add(sum, term);
        if (negligible(term, sum)) {
            break;
        }
    }
    return big_ldexp(sum, 1);
}

/* atan(z) for 0 <= z <= 1: three argument halvings, then the series. */
static Big big_atan(Big z)
{
    Big one = big_int(1);

    for (int i = 0; i < 3; i++) {
        z = big_div(z, big_add(one, big_sqrt(big_add(one, big_mul(z, z)))));
    }
    Big z2 = big_mul(z, z), pow = z, sum = z;
    for (int k = 3; k < 200; k += 2) {
        pow = big_neg(big_mul(pow, z2));
        Big term = big_div(pow, big_int(k));
        sum = big_add(sum, term);
        if (negligible(term, sum)) {
            break;
        }
    }
    return big_ldexp(sum, 3);
}

/* sin (odd) or cos (even) series for |r| <= 0.8. */
static Big big_sincos(Big r, bool cosine)
{
    Big r2 = big_mul(r, r), term = cosine ? big_int(1) : r, sum = term;

    for (int k = cosine ? 1 : 2; k < 80; k += 2) {
        term = big_neg(big_div(big_mul(term, r2), big_int((int64_t)k * (k + 1))));
        sum = big_add(sum, term);
        if (negligible(term, sum)) {
            break;
        }
    }
    return sum;
}

/* ---- The instructions ------------------------------------------------------------------ */

static FloatX80 invalid(X80Ctx *c)
{
    c->flags = (c->flags & ~FPUS_DE) | FPUS_IE;     /* the host reports IE alone */
    return x80_default_nan();
}

static FloatX80 inf(bool sign)
{
    return x80_make(sign, 0x7fff, 1ull << 63);
}

FloatX80 x80_f2xm1(X80Ctx *c, FloatX80 a)
{
    FloatX80 r;

    if (x80_screen(c, a, a, false, &r)) {
        return r;
    }
    switch (x80_classify(a)) {
    case X80_ZERO:
        return a;
    case X80_INF:
        return x80_sign(a) ? x80_from_i64(-1) : a;
    default:
        break;
    }
    Big v = big_expm1(big_mul(big_x80(a), big_ln2()));
    if ((a.sign_exp & 0x7fff) < X80_EXP_BIAS - 2) {
        v = big_bias(v, BIAS_F2XM1_TINY);   /* |x| < 1/4 */
    }
    return big_round(c, v);
}

/* ln(x) for a finite x > 0, as e * ln2 + 2 atanh((m-1)/(m+1)) with m in [0.7, 1.42). */
static Big big_log2_of(Big x)
{
    Big one = big_int(1);
    int32_t e = x.e;
    Big m = x;
    m.e = 0;                                    /* m in [1, 2) */
    if (m.m > (((u128)0xb504f333f9de6484ull) << 64)) {
        m.e = -1;
        e++;
    }
    Big s = big_div(big_sub(m, one), big_add(m, one));
    Big ln_m = big_2atanh(s);
    return big_add(big_int(e), big_mul(ln_m, big_log2e()));
}

/*
 * y * L, L the x87's log2: truncated to LOG_BITS (and biased for an
 * argument near 1); the product is exact.
 */
static FloatX80 log_result(X80Ctx *c, FloatX80 y, Big l, bool near1)
{
    if (near1) {
        l = big_bias(l, BIAS_LOG_NEAR1);
    }
    l = big_trunc(l, LOG_BITS);
    Big res = big_mul(big_x80(y), l);
    int ybits = 64 - __builtin_ctzll(y.mant);
    int lbits = 128 - (l.m >> 64 ? 64 + __builtin_ctzll((uint64_t)(l.m >> 64)) : 0);
    return big_round_ex(c, res, ybits + lbits <= 128);
}

FloatX80 x80_yl2x(X80Ctx *c, FloatX80 x, FloatX80 y, bool plus1)
{
    FloatX80 r;

    if (x80_screen(c, x, y, true, &r)) {
        return r;
    }
    X80Class cx = x80_classify(x), cy = x80_classify(y);
    bool sy = x80_sign(y);
    if (plus1) {
        if (cx == X80_ZERO) {
            if (cy == X80_INF) {
                return invalid(c);
            }
            return x80_make(sy != x80_sign(x), 0, 0);
        }
        if (cx == X80_INF) {
            if (x80_sign(x) || cy == X80_ZERO) {
                return invalid(c);
            }
            return inf(sy);
        }
        Big bx = big_x80(x);
        if (x80_sign(x) && (bx.e > 0 || (bx.e == 0 && bx.m > TOP))) {
            return invalid(c);                  /* x < -1 */
        }
        if (cy == X80_INF) {
            return inf(sy != x80_sign(x));
        }
        if (cy == X80_ZERO) {
            return x80_make(sy != x80_sign(x), 0, 0);
        }
        Big s = big_div(bx, big_add(big_int(2), bx));
        return log_result(c, y, big_mul(big_2atanh(s), big_log2e()), true);
    }
    if (x80_sign(x) && cx != X80_ZERO) {
        return invalid(c);
    }
    if (cx == X80_ZERO) {
        if (cy == X80_ZERO) {
            return invalid(c);
        }
        if (cy != X80_INF) {
            c->flags |= FPUS_ZE;
        }
        return inf(!sy);
    }
    if (cx == X80_INF) {
        if (cy == X80_ZERO) {
            return invalid(c);
        }
        return inf(sy);
    }
    Big bx = big_x80(x);
    bool is_one = bx.e == 0 && bx.m == TOP;
    bool below_one = bx.e < 0;
    if (cy == X80_INF) {
        if (is_one) {
            return invalid(c);
        }
        return inf(sy != below_one);
    }
    if (cy == X80_ZERO || is_one) {
        return x80_make(sy != below_one, 0, 0);
    }
    Big l = big_log2_of(bx);
    /* log2 of a power of two: still inexact (PE) on the x87, and below 1 a hair small. */
    if (bx.m == TOP) {
        Big res = big_mul(big_x80(y), l);
        if (below_one) {
            res.m--;
        }
        return big_round_ex(c, res, !below_one);
    }
    return log_result(c, y, l, bx.e == 0 || bx.e == -1);
}

FloatX80 x80_atan2(X80Ctx *c, FloatX80 y, FloatX80 x)
{
    FloatX80 r;

    if (x80_screen(c, x, y, true, &r)) {
        return r;
    }
    X80Class cx = x80_classify(x), cy = x80_classify(y);
    bool sx = x80_sign(x), sy = x80_sign(y);
    Big pi = big_pi(), angle;

    if (cy == X80_ZERO) {
        if (!sx) {
            return x80_make(sy, 0, 0);
        }
        angle = pi;
    } else if (cy == X80_INF) {
        if (cx == X80_INF) {
            angle = big_ldexp(pi, -2);
            if (sx) {
                angle = big_mul(angle, big_int(3));
            }
        } else {
            angle = big_ldexp(pi, -1);
        }
    } else if (cx == X80_ZERO) {
        angle = big_ldexp(pi, -1);
    } else if (cx == X80_INF) {
        if (!sx) {
            return x80_make(sy, 0, 0);
        }
        angle = pi;
    } else {
        Big bx = big_x80(x), by = big_x80(y);
        bx.s = by.s = false;
        bool swap = by.e > bx.e || (by.e == bx.e && by.m > bx.m);
        Big z = swap ? big_div(bx, by) : big_div(by, bx);
        if (!swap && !sx && z.e < TINY_ATAN_EXP) {
            z.s = sy;
            return big_round(c, z);         /* atan z = z: the quotient, rounded */
        }
        angle = big_atan(z);
        if (swap) {
            angle = big_sub(big_ldexp(pi, -1), angle);
        }
        if (sx) {
            angle = big_sub(pi, angle);
        }
        angle = big_bias(angle, BIAS_ATAN);
    }
    angle.s = sy;
    return big_round(c, angle);
}

/*
 * Reduce a (|a| < 2^63) modulo pi/2 as the x87 does, with its 66-bit pi:
 * *quadrant gets the quotient's low bits, the result is a - k * pi66/2.
 */
static Big reduce(FloatX80 a, unsigned *quadrant)
{
    /* pi/2 as the 68-bit integer N times 2^-67 (pi66 = 0xc90fdaa22168c234c * 2^-66). */
    const u128 n = ((u128)0xcull << 64) | 0x90fdaa22168c234cull;
    Big x = big_x80(a);
    bool s = x.s;
    x.s = false;

    *quadrant = 0;
    if (x.e < -1 || (x.e == -1 && x.m <= ((u128)0xc90fdaa22168c234ull << 64))) {
        x.s = s;
        return x;                               /* |a| <= pi/4: no reduction */
    }
    /* a = mant * 2^(e - 63) = mant * 2^(e + 4) units of 2^-67. */
    unsigned e = a.sign_exp & 0x7fff;
    int32_t ex = (int32_t)e - X80_EXP_BIAS;
    u128 r = a.mant, q = 0;
    while (r >= n) {
        r -= n;
        q++;
    }
    for (int i = 0; i < ex + 4; i++) {
        r <<= 1;
        q <<= 1;
        if (r >= n) {
            r -= n;
            q |= 1;
        }
    }
    /* Round the quotient to nearest: the remainder lies in [-pi/4, pi/4]. */
    bool neg = false;
    if (r > n / 2) {
        r = n - r;
        q++;
        neg = true;
    }
    *quadrant = (unsigned)(s ? (0 - q) & 3 : q & 3);
    Big res = big_from_u128(s != neg, 127 - 67, r);
    return res;
}

FloatX80 x80_trig(X80Ctx *c, FloatX80 a, int which, bool *out_of_range)
{
    FloatX80 r;

    *out_of_range = false;
    if (x80_screen(c, a, a, false, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a);
    if (ca == X80_INF) {
        return invalid(c);
    }
    if (ca == X80_ZERO) {
        return which == 1 ? x80_from_i64(1) : a;
    }
    unsigned e = a.sign_exp & 0x7fff;
    if (e < X80_EXP_BIAS + TINY_TRIG_EXP) {
        /* sin x = tan x = x, cos x = 1: exactly those values, inexact, C1 clear. */
        c->flags |= FPUS_PE | (ca == X80_DENORMAL && which != 1 ? FPUS_UE : 0);
        return which == 1 ? x80_from_i64(1) : a;
    }
    if (e >= X80_EXP_BIAS + 63) {
        *out_of_range = true;
        return a;
    }
    unsigned q;
    Big x = reduce(a, &q);
    Big sn = big_sincos(x, false), cs = big_sincos(x, true), res;
    switch (which) {
    case 0:
        res = (q & 1) ? cs : sn;
        if (q & 2) {
            res = big_neg(res);
        }
        break;
    case 1:
        res = (q & 1) ? sn : cs;
        if ((q + 1) & 2) {
            res = big_neg(res);
        }
        break;
    default:
        res = (q & 1) ? big_neg(big_div(cs, sn)) : big_div(sn, cs);
        if (e < X80_EXP_BIAS - 2) {
            res = big_bias(res, BIAS_TAN_TINY);     /* |x| < 1/4 */
        } else {
            res.m -= res.m >> TAN_NUDGE_SHIFT;
        }
        break;
    }
    return big_round(c, res);
}
