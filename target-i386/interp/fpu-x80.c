/*
 * 80-bit extended precision arithmetic (see fpu-x80.h).
 *
 * Values are unpacked to a sign, an unbiased exponent and a 128-bit
 * significand whose leading one sits at bit 126 (one bit of headroom for
 * a carry); bits below the 64 kept ones are the guard bits, and the lowest
 * bit collects everything shifted out (sticky).  One rounding routine
 * serves the register format and the memory formats.
 */

#include "target-i386/interp/fpu-x80-core.h"

/* ---- Classification and unpacking ----------------------------------------------- */

X80Class x80_classify(FloatX80 a)
{
    unsigned e = a.sign_exp & 0x7fff;
    bool j = a.mant >> 63;

    if (e == 0) {
        return a.mant == 0 ? X80_ZERO : X80_DENORMAL;   /* pseudo-denormals too */
    }
    if (!j) {
        return X80_UNSUPPORTED;
    }
    if (e == 0x7fff) {
        if ((a.mant << 1) == 0) {
            return X80_INF;
        }
        return (a.mant >> 62) & 1 ? X80_QNAN : X80_SNAN;
    }
    return X80_NORMAL;
}

unsigned x80_tag(FloatX80 a)
{
    switch (x80_classify(a)) {
    case X80_NORMAL:
        return 0;
    case X80_ZERO:
        return 1;
    default:
        return 2;
    }
}

static int clz128(u128 v)
{
    uint64_t hi = v >> 64;
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* Shift right, or-ing what falls out into bit 0. */
u128 x80_shr_sticky(u128 v, int n)
{
    if (n <= 0) {
        return v;
    }
    if (n >= 128) {
        return v != 0;
    }
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

/* Bring the leading one to bit LEAD, adjusting the exponent. */
void x80_normalize(Unpacked *u)
{
    if (u->sig == 0) {
        return;
    }
    int lead = 127 - clz128(u->sig);
    if (lead > LEAD) {
        u->sig = x80_shr_sticky(u->sig, lead - LEAD);
    } else {
        u->sig <<= LEAD - lead;
    }
    u->exp += lead - LEAD;
}

/* A finite value (zero, denormal, normal) unpacked; pseudo-denormals have exponent 1. */
Unpacked x80_unpack(FloatX80 a)
{
    Unpacked u;
    unsigned e = a.sign_exp & 0x7fff;

    u.sign = x80_sign(a);
    u.exp = (e ? (int32_t)e : 1) - X80_EXP_BIAS;
    u.sig = (u128)a.mant << (LEAD - 63);
    x80_normalize(&u);
    return u;
}

/* ---- Rounding ---------------------------------------------------------------------- */

/* Round v (leading one at bit LEAD or below) at 'drop' low bits; true if inexact. */
bool x80_round_at(u128 *v, int drop, unsigned rc, bool sign, bool *up)
{
    u128 mask = ((u128)1 << drop) - 1, rem = *v & mask, half = (u128)1 << (drop - 1);
    bool inc;

    *up = false;
    if (rem == 0) {
        return false;
    }
    *v &= ~mask;
    switch (rc) {
    case X80_RC_NEAR:
        inc = rem > half || (rem == half && ((*v >> drop) & 1));
        break;
    case X80_RC_DOWN:
        inc = sign;
        break;
    case X80_RC_UP:
        inc = !sign;
        break;
    default:
        inc = false;
        break;
    }
    if (inc) {
        *v += (u128)1 << drop;
        *up = true;
    }
    return true;
}

/* The largest finite value of f, as an Unpacked. */
static Unpacked max_finite(bool sign, const Format *f)
{
    Unpacked u = { sign, f->emax, (((u128)1 << f->prec) - 1) << (LEAD + 1 - f->prec) };
    return u;
}

/*
 * Round u (normalized or zero) to format f.  The result is an Unpacked
 * whose sig holds at most f->prec bits from bit LEAD down; a denormal has
 * exp == f->emin and a sig below bit LEAD; an infinity has exp > f->emax.
 */
Unpacked x80_round_to(X80Ctx *c, Unpacked u, const Format *f)
{
    unsigned rc = ctx_rc(c);
    int drop = LEAD + 1 - f->prec;
    bool up, inexact;

    if (u.sig == 0) {
        return u;
    }
    if (u.exp < f->emin) {
        /* SDM vol. 1, 4.9.1.5: tiny after rounding with an unbounded exponent. */
        u128 t = u.sig;
        int32_t te = u.exp;
        x80_round_at(&t, drop, rc, u.sign, &up);
        if (t >> (LEAD + 1)) {
            te++;
        }
        bool tiny = te < f->emin;
        if (tiny && f->adjust && !masked(c, FPUS_UE)) {
            c->flags |= FPUS_UE;
            u.exp += X80_ADJUST;
            if (u.exp < f->emin) {
                /* Still tiny (FSCALE): the Xeon delivers a zero, inexact. */
                c->flags = (c->flags | FPUS_PE) & ~FPUS_C1;
                u.sig = 0;
                return u;
            }
            /* fall through to normal rounding below */
        } else if (tiny) {
            u.sig = x80_shr_sticky(u.sig, f->emin - u.exp);
            u.exp = f->emin;
            inexact = x80_round_at(&u.sig, drop, rc, u.sign, &up);
            if (inexact) {
                c->flags |= FPUS_UE | FPUS_PE | (up ? FPUS_C1 : 0);
            } else if (!masked(c, FPUS_UE)) {
                c->flags |= FPUS_UE;
            }
            return u;
        }
    }
    inexact = x80_round_at(&u.sig, drop, rc, u.sign, &up);
    if (u.sig >> (LEAD + 1)) {
        u.sig >>= 1;
        u.exp++;
    }
    if (u.exp < f->emin) {
        /* Rounded up from below into the normal range: exp emin, still exact position. */
        u.sig >>= f->emin - u.exp;
        u.exp = f->emin;
    }
    if (inexact) {
        c->flags |= FPUS_PE | (up ? FPUS_C1 : 0);
    }
    if (u.exp > f->emax) {
        if (f->adjust && !masked(c, FPUS_OE)) {
            c->flags |= FPUS_OE;
            u.exp -= X80_ADJUST;
            if (u.exp > f->emax) {
                /* Still too large (FSCALE): infinity, rounded up, whatever the rounding control. */
                c->flags |= FPUS_PE | FPUS_C1;
                u.sig = (u128)1 << LEAD;
            }
            return u;
        }
        c->flags |= FPUS_OE;
        if (masked(c, FPUS_OE)) {
            c->flags |= FPUS_PE;
            c->flags &= ~FPUS_C1;
            bool to_inf = rc == X80_RC_NEAR || (rc == X80_RC_UP && !u.sign) ||
                          (rc == X80_RC_DOWN && u.sign);
            if (to_inf) {
                c->flags |= FPUS_C1;
                u.exp = f->emax + 1;
                u.sig = (u128)1 << LEAD;
                return u;
            }
            return max_finite(u.sign, f);
        }
    }
    return u;
}

FloatX80 x80_pack(Unpacked u)
{
    uint64_t m = (uint64_t)(u.sig >> (LEAD - 63));

    if (u.sig == 0) {
        return x80_make(u.sign, 0, 0);
    }
    if (u.exp > X80_EMAX) {
        return x80_make(u.sign, 0x7fff, 1ull << 63);
    }
    if (!(m >> 63)) {
        return x80_make(u.sign, 0, m);  /* denormal */
    }
    return x80_make(u.sign, (uint16_t)(u.exp + X80_EXP_BIAS), m);
}

FloatX80 x80_round_pack(X80Ctx *c, Unpacked u)
{
    Format f = fmt_reg(c);
    return x80_pack(x80_round_to(c, u, &f));
}

/* An exact result (FPREM): full precision whatever the precision control says. */
FloatX80 x80_pack_exact(X80Ctx *c, Unpacked u)
{
    Format f = { 64, X80_EMIN, X80_EMAX, true };
    return x80_pack(x80_round_to(c, u, &f));
}

FloatX80 x80_round_wide(X80Ctx *c, bool sign, int32_t exp, u128 sig, bool sticky)
{
    Unpacked u = { sign, exp, (sig >> 1) | (sig & 1) | sticky };
    Format f = { 64, X80_EMIN, X80_EMAX, true };

    /* SDM vol. 1, 8.1.5.2: the precision control does not apply here. */
    if (sig == 0) {
        return x80_make(sign, 0, 0);
    }
    return x80_pack(x80_round_to(c, u, &f));
}

/* ---- NaNs and operands --------------------------------------------------------------- */

FloatX80 x80_quiet(FloatX80 a)
{
    a.mant |= 1ull << 62;
    return a;
}

FloatX80 x80_invalid(X80Ctx *c)
{
    c->flags = (c->flags & ~FPUS_DE) | FPUS_IE;     /* the host reports IE alone */
    return x80_default_nan();
}

/* SDM vol. 1, table 4-7: the NaN result of an operation with NaN operands. */
static FloatX80 nan_pick(X80Ctx *c, FloatX80 a, FloatX80 b, bool has_b)
{
    X80Class ca = x80_classify(a), cb = has_b ? x80_classify(b) : X80_NORMAL;
    bool na = ca == X80_QNAN || ca == X80_SNAN, nb = cb == X80_QNAN || cb == X80_SNAN;

    if (ca == X80_SNAN || cb == X80_SNAN) {
        c->flags |= FPUS_IE;
    }
    if (na && nb && (ca == X80_SNAN) != (cb == X80_SNAN)) {
        return x80_quiet(ca == X80_QNAN ? a : b);       /* the QNaN wins over an SNaN */
    }
    if (na && nb) {
        uint64_t ma = a.mant | (1ull << 62), mb = b.mant | (1ull << 62);
        if (ma != mb) {
            return x80_quiet(ma > mb ? a : b);
        }
        return x80_quiet(x80_sign(a) ? b : a);
    }
    return x80_quiet(na ? a : b);
}

/*
 * Common operand screening for one or two operands: returns true with *r
 * set when the result is decided (NaN, unsupported).  Raises DE for
 * denormal operands.
 */
bool x80_screen(X80Ctx *c, FloatX80 a, FloatX80 b, bool has_b, FloatX80 *r)
{
    X80Class ca = x80_classify(a), cb = has_b ? x80_classify(b) : X80_NORMAL;

    if (ca == X80_UNSUPPORTED || cb == X80_UNSUPPORTED) {
        *r = x80_invalid(c);
        return true;
    }
    if (ca == X80_QNAN || ca == X80_SNAN || cb == X80_QNAN || cb == X80_SNAN) {
        *r = nan_pick(c, a, b, has_b);
        return true;
    }
    if (ca == X80_DENORMAL || cb == X80_DENORMAL) {
        c->flags |= FPUS_DE;
    }
    return false;
}

FloatX80 x80_inf(bool sign)
{
    return x80_make(sign, 0x7fff, 1ull << 63);
}

/* ---- Arithmetic ------------------------------------------------------------------------ */

static FloatX80 add_sub(X80Ctx *c, FloatX80 a, FloatX80 b, bool negate_b)
{
    FloatX80 r;

    if (x80_screen(c, a, b, true, &r)) {
        return r;
    }
    bool sb = x80_sign(b) ^ negate_b;
    X80Class ca = x80_classify(a), cb = x80_classify(b);
    if (ca == X80_INF || cb == X80_INF) {
        if (ca == X80_INF && cb == X80_INF && x80_sign(a) != sb) {
            return x80_invalid(c);
        }
        return ca == X80_INF ? a : x80_inf(sb);
    }
    Unpacked x = x80_unpack(a), y = x80_unpack(b);
    y.sign = sb;
    if (x.sig == 0 && y.sig == 0) {
        bool s = x.sign == y.sign ? x.sign : ctx_rc(c) == X80_RC_DOWN;
        return x80_make(s, 0, 0);
    }
    if (y.sig == 0) {
        return x80_round_pack(c, x);
    }
    if (x.sig == 0) {
        return x80_round_pack(c, y);
    }
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        Unpacked t = x;
        x = y;
        y = t;
    }
    y.sig = x80_shr_sticky(y.sig, x.exp - y.exp);
    if (x.sign == y.sign) {
        x.sig += y.sig;
    } else {
        x.sig -= y.sig;
        if (x.sig == 0) {
            return x80_make(ctx_rc(c) == X80_RC_DOWN, 0, 0);
        }
    }
    x80_normalize(&x);
    return x80_round_pack(c, x);
}

FloatX80 x80_add(X80Ctx *c, FloatX80 a, FloatX80 b)
{
    return add_sub(c, a, b, false);
}

FloatX80 x80_sub(X80Ctx *c, FloatX80 a, FloatX80 b)
{
    return add_sub(c, a, b, true);
}

FloatX80 x80_mul(X80Ctx *c, FloatX80 a, FloatX80 b)
{
    FloatX80 r;

    if (x80_screen(c, a, b, true, &r)) {
        return r;
    }
    bool s = x80_sign(a) ^ x80_sign(b);
    X80Class ca = x80_classify(a), cb = x80_classify(b);
    if (ca == X80_INF || cb == X80_INF) {
        if (ca == X80_ZERO || cb == X80_ZERO) {
            return x80_invalid(c);
        }
        return x80_inf(s);
    }
    if (ca == X80_ZERO || cb == X80_ZERO) {
        return x80_make(s, 0, 0);
    }
    Unpacked x = x80_unpack(a), y = x80_unpack(b), p;
    uint64_t ma = (uint64_t)(x.sig >> (LEAD - 63)), mb = (uint64_t)(y.sig >> (LEAD - 63));
    p.sign = s;
    p.sig = (u128)ma * mb;           /* leading one at bit 126 or 127 */
    p.exp = x.exp + y.exp;
    x80_normalize(&p);
    return x80_round_pack(c, p);
}

FloatX80 x80_div(X80Ctx *c, FloatX80 a, FloatX80 b)
{
    FloatX80 r;

    if (x80_screen(c, a, b, true, &r)) {
        return r;
    }
    bool s = x80_sign(a) ^ x80_sign(b);
    X80Class ca = x80_classify(a), cb = x80_classify(b);
    if (ca == X80_INF) {
        return cb == X80_INF ? x80_invalid(c) : x80_inf(s);
    }
    if (cb == X80_INF) {
        return x80_make(s, 0, 0);
    }
    if (cb == X80_ZERO) {
        if (ca == X80_ZERO) {
            return x80_invalid(c);
        }
        c->flags = (c->flags & ~FPUS_DE) | FPUS_ZE;     /* the host reports ZE alone */
        return x80_inf(s);
    }
    if (ca == X80_ZERO) {
        return x80_make(s, 0, 0);
    }
    Unpacked x = x80_unpack(a), y = x80_unpack(b), q;
    uint64_t ma = (uint64_t)(x.sig >> (LEAD - 63)), mb = (uint64_t)(y.sig >> (LEAD - 63));
    u128 n = (u128)ma << 63;
    uint64_t q1 = (uint64_t)(n / mb), r1 = (uint64_t)(n % mb);
    u128 n2 = (u128)r1 << 64;
    uint64_t q2 = (uint64_t)(n2 / mb), r2 = (uint64_t)(n2 % mb);
    q.sign = s;
    q.sig = ((u128)q1 << 64) | q2 | (r2 != 0);
    /* ma/mb * 2^127 with ma/mb in (1/2, 2): value = q.sig * 2^(ex - ey - 127). */
    q.exp = x.exp - y.exp - 127 + LEAD;
    x80_normalize(&q);
    return x80_round_pack(c, q);
}

/* floor(sqrt(v)) for v < 2^128, bit by bit. */
static uint64_t isqrt128(u128 v, u128 *rem)
{
    u128 res = 0, bit = (u128)1 << 126;

    while (bit > v) {
        bit >>= 2;
    }
    while (bit) {
        if (v >= res + bit) {
            v -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    *rem = v;
    return (uint64_t)res;
}

FloatX80 x80_sqrt(X80Ctx *c, FloatX80 a)
{
    FloatX80 r;

    if (x80_screen(c, a, a, false, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a);
    if (ca == X80_ZERO) {
        return a;
    }
    if (x80_sign(a)) {
        c->flags &= ~FPUS_DE;       /* the host reports IE alone */
        return x80_invalid(c);
    }
    if (ca == X80_INF) {
        return a;
    }
    Unpacked x = x80_unpack(a), q;
    uint64_t m = (uint64_t)(x.sig >> (LEAD - 63));  /* value = m * 2^(exp - 63) */
    u128 rem;
    int32_t e = x.exp;
    u128 n = (e & 1) ? (u128)m << 64 : (u128)m << 63;
    int32_t k = (e & 1) ? (e - 127) / 2 : (e - 126) / 2;     /* exact: even numerators */
    uint64_t root = isqrt128(n, &rem);
    /* sqrt(n) = root + f: f >= 1/2 exactly when rem > root (never exactly 1/2). */
    q.sign = false;
    q.sig = ((u128)root << 2) | (rem > root ? 2 : 0) | (rem != 0);
    /* value = root * 2^k = q.sig * 2^(k-2); with exp convention value = sig * 2^(exp - LEAD). */
    q.exp = k - 2 + LEAD;
    x80_normalize(&q);
    return x80_round_pack(c, q);
}

