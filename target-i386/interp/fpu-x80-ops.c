/*
 * The other x87 operations on the soft-float core (fpu-x80-core.h):
 * FRNDINT, FIST, FSCALE, FPREM/FPREM1, FXTRACT, compares, conversions to
 * and from the memory formats, and the constants.
 */
#include "target-i386/interp/fpu-x80-core.h"

FloatX80 x80_round_prec(X80Ctx *c, FloatX80 a)
{
    FloatX80 r;

    if (x80_screen(c, a, a, false, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a);
    if (ca == X80_ZERO || ca == X80_INF) {
        return a;
    }
    return x80_round_pack(c, x80_unpack(a));
}

/* Round u to an integer value by rc; *inexact, *up as round_at. */
static Unpacked round_integral(Unpacked u, unsigned rc, bool *inexact, bool *up)
{
    *inexact = *up = false;
    if (u.sig == 0 || u.exp >= 63) {
        return u;
    }
    if (u.exp < -1) {
        /* Below 1/2: put it at exponent -1 so round_at sees a sticky fraction. */
        u.sig = x80_shr_sticky(u.sig, -1 - u.exp);
        u.exp = -1;
    }
    int drop = LEAD - u.exp;        /* bits below the units bit */
    *inexact = x80_round_at(&u.sig, drop, rc, u.sign, up);
    if (u.sig == 0) {
        return u;
    }
    x80_normalize(&u);
    return u;
}

FloatX80 x80_round_int(X80Ctx *c, FloatX80 a)
{
    FloatX80 r;
    bool inexact, up;

    if (x80_screen(c, a, a, false, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a);
    if (ca == X80_ZERO || ca == X80_INF) {
        return a;
    }
    Unpacked u = round_integral(x80_unpack(a), ctx_rc(c), &inexact, &up);
    if (inexact) {
        c->flags |= FPUS_PE | (up ? FPUS_C1 : 0);
    }
    if (u.sig == 0) {
        return x80_make(u.sign, 0, 0);
    }
    return x80_pack(u);
}

int64_t x80_to_int(X80Ctx *c, FloatX80 a, int bits, bool truncate)
{
    int64_t indefinite = INT64_MIN >> (64 - bits);
    X80Class ca = x80_classify(a);
    bool inexact, up;

    if (ca == X80_UNSUPPORTED || ca == X80_QNAN || ca == X80_SNAN || ca == X80_INF) {
        c->flags |= FPUS_IE;
        return indefinite;
    }
    if (ca == X80_ZERO) {
        return 0;
    }
    Unpacked u = round_integral(x80_unpack(a), truncate ? X80_RC_ZERO : ctx_rc(c), &inexact, &up);
    if (u.sig == 0) {
        if (inexact) {
            c->flags |= FPUS_PE | (up ? FPUS_C1 : 0);
        }
        return 0;
    }
    if (u.exp >= bits) {
        c->flags |= FPUS_IE;
        return indefinite;
    }
    uint64_t mag = (uint64_t)(u.sig >> (LEAD - u.exp));
    uint64_t lim = 1ull << (bits - 1);
    if (mag > lim || (mag == lim && !u.sign)) {
        c->flags |= FPUS_IE;
        return indefinite;
    }
    if (inexact) {
        c->flags |= FPUS_PE | (up ? FPUS_C1 : 0);
    }
    return u.sign ? (int64_t)(0 - mag) : (int64_t)mag;
}

FloatX80 x80_scale(X80Ctx *c, FloatX80 a, FloatX80 b)
{
    FloatX80 r;

    if (x80_screen(c, a, b, true, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a), cb = x80_classify(b);
    if (cb == X80_INF) {
        if (x80_sign(b)) {
            if (ca == X80_INF) {
                return x80_invalid(c);
            }
            return x80_make(x80_sign(a), 0, 0);
        }
        if (ca == X80_ZERO) {
            return x80_invalid(c);
        }
        return x80_inf(x80_sign(a));
    }
    if (ca == X80_ZERO || ca == X80_INF) {
        return a;
    }
    Unpacked ub = x80_unpack(b);
    int64_t n;
    if (ub.sig == 0 || ub.exp < 0) {
        n = 0;
    } else if (ub.exp > 20) {
        n = ub.sign ? -(1 << 20) : (1 << 20);     /* far beyond any result's range */
    } else {
        n = (int64_t)(ub.sig >> (LEAD - ub.exp));
        n = ub.sign ? -n : n;
    }
    Unpacked u = x80_unpack(a);
    u.exp += (int32_t)n;
    return x80_pack_exact(c, u);        /* the host ignores the precision control here */
}

FloatX80 x80_rem(X80Ctx *c, FloatX80 a, FloatX80 b, bool ieee, uint16_t *status)
{
    FloatX80 r;

    *status = 0;
    if (x80_screen(c, a, b, true, &r)) {
        return r;
    }
    X80Class ca = x80_classify(a), cb = x80_classify(b);
    if (ca == X80_INF || cb == X80_ZERO) {
        c->flags &= ~FPUS_DE;
        return x80_invalid(c);
    }
    if (ca == X80_ZERO) {
        return a;
    }
    if (cb == X80_INF) {
        return x80_pack_exact(c, x80_unpack(a));   /* pseudo-denormals come out normalized */
    }
    Unpacked x = x80_unpack(a), y = x80_unpack(b);
    int32_t d = x.exp - y.exp;
    if (d < -1 || (d == -1 && !ieee)) {
        return x80_pack_exact(c, x);    /* exact: |a| < |b|/2 */
    }
    uint64_t ma = (uint64_t)(x.sig >> (LEAD - 63)), mb = (uint64_t)(y.sig >> (LEAD - 63));
    int steps = d;
    int32_t rexp = y.exp;           /* remainder's unit exponent, for ma-scale digits */
    bool partial = false;
    if (d >= 64) {
        /* SDM FPREM: reduce by at most 2^N with N between 32 and 63. */
        int n = 32 + (d - 32) % 32;
        steps = n;
        rexp = y.exp + (d - n);
        partial = true;
    }
    u128 rem = ma;
    uint64_t q = 0;
    if (steps < 0) {
        /* d == -1, FPREM1: quotient 0 or 1 by comparing a with b/2. */
        rem = ma;
        q = 0;
        if (ma > mb) {
            q = 1;
        }
        Unpacked res;
        if (q) {
            /* a - b with b = 2a's scale: |b| - |a| in units of 2^(x.exp-63). */
            res.sig = (((u128)mb << 1) - ma) << (LEAD - 63);
            res.sign = !x.sign;
        } else {
            res.sig = (u128)ma << (LEAD - 63);
            res.sign = x.sign;
        }
        res.exp = x.exp;
        x80_normalize(&res);
        *status = q ? FPUS_C1 : 0;
        return x80_pack_exact(c, res);
    }
    if (rem >= mb) {
        rem -= mb;
        q = 1;
    }
    for (int i = 0; i < steps; i++) {
        rem <<= 1;
        q <<= 1;
        if (rem >= mb) {
            rem -= mb;
            q |= 1;
        }
    }
    bool sign = x.sign;
    if (ieee && !partial) {
        u128 twice = rem << 1;
        if (twice > mb || (twice == mb && (q & 1))) {
            q++;
            rem = mb - rem;
            sign = !sign;
        }
    }
    if (partial) {
        *status = FPUS_C2;
    } else {
        *status = ((q & 1) ? FPUS_C1 : 0) | ((q & 2) ? FPUS_C3 : 0) | ((q & 4) ? FPUS_C0 : 0);
    }
    Unpacked res = { sign, rexp, rem << (LEAD - 63) };
    if (rem == 0) {
        return x80_make(x.sign, 0, 0);
    }
    x80_normalize(&res);
    return x80_pack_exact(c, res);
}

FloatX80 x80_extract(X80Ctx *c, FloatX80 a, FloatX80 *sig)
{
    FloatX80 r;
    X80Class ca = x80_classify(a);

    if (x80_screen(c, a, a, false, &r)) {
        *sig = r;
        return r;
    }
    if (ca == X80_ZERO) {
        c->flags |= FPUS_ZE;
        *sig = a;
        return x80_inf(true);
    }
    if (ca == X80_INF) {
        *sig = a;
        return x80_inf(false);
    }
    Unpacked u = x80_unpack(a);
    *sig = x80_make(u.sign, X80_EXP_BIAS, (uint64_t)(u.sig >> (LEAD - 63)));
    return x80_from_i64(u.exp);
}

int x80_compare(X80Ctx *c, FloatX80 a, FloatX80 b, bool quiet_cmp)
{
    X80Class ca = x80_classify(a), cb = x80_classify(b);

    if (ca == X80_UNSUPPORTED || cb == X80_UNSUPPORTED || ca == X80_SNAN || cb == X80_SNAN) {
        c->flags |= FPUS_IE;
        return 2;
    }
    if (ca == X80_QNAN || cb == X80_QNAN) {
        if (!quiet_cmp) {
            c->flags |= FPUS_IE;
        }
        return 2;
    }
    if (ca == X80_DENORMAL || cb == X80_DENORMAL) {
        c->flags |= FPUS_DE;
    }
    if (ca == X80_ZERO && cb == X80_ZERO) {
        return 0;
    }
    bool sa = x80_sign(a), sb = x80_sign(b);
    if (ca == X80_INF || cb == X80_INF) {
        if (ca == X80_INF && cb == X80_INF && sa == sb) {
            return 0;
        }
        if (ca == X80_INF) {
            return sa ? -1 : 1;
        }
        return sb ? 1 : -1;
    }
    Unpacked x = x80_unpack(a), y = x80_unpack(b);
    if (x.sig == 0) {
        return sb ? 1 : -1;
    }
    if (y.sig == 0) {
        return sa ? -1 : 1;
    }
    if (sa != sb) {
        return sa ? -1 : 1;
    }
    int mag = x.exp != y.exp ? (x.exp < y.exp ? -1 : 1)
                             : x.sig == y.sig ? 0 : (x.sig < y.sig ? -1 : 1);
    return sa ? -mag : mag;
}

/* ---- Conversions ------------------------------------------------------------------------ */

/* A memory format value: e, frac of fbits fraction bits, bias. */
static FloatX80 from_ieee(X80Ctx *c, bool sign, uint32_t e, uint64_t frac, int fbits,
                          uint32_t emax_field, int bias)
{
    if (e == emax_field) {
        if (frac == 0) {
            return x80_inf(sign);
        }
        FloatX80 n = x80_make(sign, 0x7fff, (1ull << 63) | (frac << (63 - fbits)));
        if (!((frac >> (fbits - 1)) & 1)) {
            c->flags |= FPUS_IE;
            n = x80_quiet(n);
        }
        return n;
    }
    if (e == 0) {
        if (frac == 0) {
            return x80_make(sign, 0, 0);
        }
        c->flags |= FPUS_DE;
        Unpacked u = { sign, 1 - bias - fbits, (u128)frac << (LEAD - 63) };
        u.exp += 63;
        x80_normalize(&u);
        return x80_pack(u);
    }
    return x80_make(sign, (uint16_t)((int)e - bias + X80_EXP_BIAS),
                    (1ull << 63) | (frac << (63 - fbits)));
}

FloatX80 x80_from_f32(X80Ctx *c, uint32_t v)
{
    return from_ieee(c, v >> 31, (v >> 23) & 0xff, v & 0x7fffff, 23, 0xff, 127);
}

FloatX80 x80_from_f64(X80Ctx *c, uint64_t v)
{
    return from_ieee(c, v >> 63, (v >> 52) & 0x7ff, v & ((1ull << 52) - 1), 52, 0x7ff, 1023);
}

FloatX80 x80_from_i64(int64_t v)
{
    if (v == 0) {
        return x80_make(false, 0, 0);
    }
    bool sign = v < 0;
    uint64_t m = sign ? 0 - (uint64_t)v : (uint64_t)v;
    int sh = __builtin_clzll(m);
    return x80_make(sign, (uint16_t)(X80_EXP_BIAS + 63 - sh), m << sh);
}

/* To a memory format: fraction bits fbits, exponent field width via f. */
static uint64_t to_ieee(X80Ctx *c, FloatX80 a, const Format *f, int fbits, int bias)
{
    X80Class ca = x80_classify(a);
    uint64_t sign = (uint64_t)x80_sign(a) << (fbits + (fbits == 52 ? 11 : 8));
    uint64_t emax_field = fbits == 52 ? 0x7ff : 0xff;
    uint64_t fmask = (1ull << fbits) - 1;

    switch (ca) {
    case X80_UNSUPPORTED:
        c->flags |= FPUS_IE;
        return (1ull << (fbits + (fbits == 52 ? 11 : 8))) | (emax_field << fbits) |
               (1ull << (fbits - 1));
    case X80_SNAN:
        c->flags |= FPUS_IE;
        /* fall through */
    case X80_QNAN:
        return sign | (emax_field << fbits) | ((a.mant >> (63 - fbits)) & fmask) |
               (1ull << (fbits - 1));
    case X80_INF:
        return sign | (emax_field << fbits);
    case X80_ZERO:
        return sign;
    default:
        break;
    }
    Unpacked u = x80_round_to(c, x80_unpack(a), f);
    if (u.sig == 0) {
        return sign;
    }
    if (u.exp > f->emax) {
        return sign | (emax_field << fbits);
    }
    uint64_t m = (uint64_t)(u.sig >> (LEAD - 63));
    if (!(m >> 63)) {
        return sign | (m >> (63 - fbits));      /* denormal */
    }
    return sign | ((uint64_t)(u.exp + bias) << fbits) | ((m >> (63 - fbits)) & fmask);
}

uint32_t x80_to_f32(X80Ctx *c, FloatX80 a)
{
    return (uint32_t)to_ieee(c, a, &fmt_f32, 23, 127);
}

uint64_t x80_to_f64(X80Ctx *c, FloatX80 a)
{
    return to_ieee(c, a, &fmt_f64, 52, 1023);
}

/*
 * The constants with 128 bits of significand (enough to round them by RC).
 * log2(10), log2(e), pi, log10(2), ln(2).
 */
FloatX80 x80_const(unsigned which, unsigned rc)
{
    static const struct {
        uint64_t hi, lo;
        int32_t exp;
    } k[] = {
        [X80_CONST_L2T] = { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1 },
        [X80_CONST_L2E] = { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0 },
        [X80_CONST_PI]  = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1 },
        [X80_CONST_LG2] = { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2 },
        [X80_CONST_LN2] = { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1 },
    };
    X80Ctx c = { (uint16_t)(0x37f | (rc << FPUC_RC_SHIFT)), 0 };
    Unpacked u = { false, k[which].exp,
                   x80_shr_sticky(((u128)k[which].hi << 64) | k[which].lo, 127 - LEAD) };
    return x80_round_pack(&c, u);
}
