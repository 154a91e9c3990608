/*
 * fp-check: floating point and string results that must not depend on
 * whether the program runs on the host or in a guest under kemu's
 * interpreter.  Built static; tests/functional/test_fp_linux.py runs it in
 * Linux under -accel tcg and on the host and compares the output line by
 * line.
 *
 * Lines starting with '#' describe the CPU (what glibc's ifuncs see) and
 * are not compared; test_fp_linux.py uses them to make the host's glibc
 * pick the same libm variants as the guest's (GLIBC_TUNABLES), since the
 * FMA and SSE2 variants of sin, exp... may differ in the last bit.
 *
 * Sections: libm double functions, long double (x87) functions, raw x87
 * instructions (result bits and C0-C3), printf/strtod of doubles and long
 * doubles, long double arithmetic, string functions at every alignment
 * (checked against plain loops and hashed), CRC32C.
 */
#include <cpuid.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Inputs ------------------------------------------------------------------ */

static const double dargs[] = {
    0.0, -0.0, 0x1p-1074, -0x1p-1074, 0x1.fffffffffffffp-1023, 0x1p-1022, 1e-310,
    1e-300, 1e-20, 1e-8, 0.1, 0.25, 0.5, 0.7, 1.0, -1.0, 1.5, 2.0, 3.0, 3.141592653589793,
    -3.141592653589793, 1.5707963267948966, 4.0, 7.5, 10.0, 22.5, 100.0, 255.5, 709.7,
    710.0, -708.5, -745.0, -746.0, 1e6, 1e10, 1e15, 1e22, 0x1p52, 1e100, 1e300,
    0x1.fffffffffffffp1023, -1e300, INFINITY, -INFINITY, NAN, -NAN, 0.999999999999,
    1.000000000001, -0.5, -2.5, 1234.5678, 0x1.921fb54442d18p+1,
};
#define NDARGS (sizeof(dargs) / sizeof(dargs[0]))

static const long double largs[] = {
    0.0L, -0.0L, 0x1p-16445L, 0x1p-16382L, 0x0.8p-16382L, 1e-4000L, 1e-20L, 0.1L, 0.5L,
    0.75L, 1.0L, -1.0L, 1.5L, 2.0L, 3.0L, 3.14159265358979323846L, -3.14159265358979323846L,
    1.57079632679489661923L, 10.0L, 100.0L, 1e6L, 1e18L, 0x1p62L, 0x1p63L, 0x1p64L, 1e300L,
    1e4000L, LDBL_MAX, -LDBL_MAX, 11356.5L, -11399.0L, -11500.0L, INFINITY, -INFINITY, NAN,
    0.3333333333333333333333L, 123456.789L, 0x1.fffffffffffffffep-1L,
};
#define NLARGS (sizeof(largs) / sizeof(largs[0]))

/* ---- libm, double ------------------------------------------------------------------ */

typedef double (*Fn1)(double);
typedef double (*Fn2)(double, double);

static void check_d1(const char *name, Fn1 f)
{
    for (size_t i = 0; i < NDARGS; i++) {
        double r = f(dargs[i]);
        printf("%s(%a) = %a\n", name, dargs[i], r);
    }
}

static void check_d2(const char *name, Fn2 f)
{
    static const double b[] = {
        0.0, -0.0, 0.5, 1.0, -1.0, 2.0, 3.0, -2.5, 0.1, 1e-300, 1e300, 1074.0, -1075.0,
        INFINITY, -INFINITY, NAN,
    };
    for (size_t i = 0; i < NDARGS; i += 2) {
        for (size_t j = 0; j < sizeof(b) / sizeof(b[0]); j++) {
            printf("%s(%a,%a) = %a\n", name, dargs[i], b[j], f(dargs[i], b[j]));
        }
    }
}

static double lgamma_sign(double x)
{
    int sign;
    double r = lgamma_r(x, &sign);
    return sign < 0 ? -r : r;
}

static void check_libm(void)
{
    static const struct { const char *name; Fn1 f; } f1[] = {
        { "sin", sin }, { "cos", cos }, { "tan", tan }, { "exp", exp }, { "log", log },
        { "sqrt", sqrt }, { "cbrt", cbrt }, { "lgamma_r", lgamma_sign }, { "atan", atan },
        { "asin", asin }, { "acos", acos }, { "sinh", sinh }, { "tanh", tanh },
        { "exp2", exp2 }, { "log2", log2 }, { "log10", log10 }, { "expm1", expm1 },
        { "log1p", log1p }, { "tgamma", tgamma }, { "erf", erf }, { "floor", floor },
        { "ceil", ceil }, { "rint", rint }, { "trunc", trunc },
    };
    static const struct { const char *name; Fn2 f; } f2[] = {
        { "pow", pow }, { "atan2", atan2 }, { "fmod", fmod }, { "hypot", hypot },
        { "remainder", remainder },
    };
    for (size_t i = 0; i < sizeof(f1) / sizeof(f1[0]); i++) {
        check_d1(f1[i].name, f1[i].f);
    }
    for (size_t i = 0; i < sizeof(f2) / sizeof(f2[0]); i++) {
        check_d2(f2[i].name, f2[i].f);
    }
    for (size_t i = 0; i + 2 < NDARGS; i += 3) {
        double a = dargs[i], b = dargs[i + 1], c = dargs[i + 2];
        printf("fma(%a,%a,%a) = %a\n", a, b, c, fma(a, b, c));
        printf("fma(%a,%a,%a) = %a\n", b, c, -a, fma(b, c, -a));
    }
    printf("fma(0x1p-1022,0x1p-52,-0x1p-1074) = %a\n", fma(0x1p-1022, 0x1p-52, -0x1p-1074));
    printf("fma(1+2^-52,1-2^-53,-1) = %a\n", fma(1 + 0x1p-52, 1 - 0x1p-53, -1.0));
}

/* ---- long double (x87) ------------------------------------------------------------- */

typedef long double (*FnL1)(long double);
typedef long double (*FnL2)(long double, long double);

static void check_libm_long(void)
{
    static const struct { const char *name; FnL1 f; } f1[] = {
        { "sinl", sinl }, { "cosl", cosl }, { "tanl", tanl }, { "expl", expl },
        { "logl", logl }, { "sqrtl", sqrtl }, { "atanl", atanl }, { "log2l", log2l },
        { "exp2l", exp2l }, { "log1pl", log1pl }, { "expm1l", expm1l }, { "cbrtl", cbrtl },
    };
    static const struct { const char *name; FnL2 f; } f2[] = {
        { "fmodl", fmodl }, { "remainderl", remainderl }, { "atan2l", atan2l },
        { "powl", powl },
    };
    static const long double b[] = { 1.0L, -3.0L, 0.5L, 0x1p-16440L, 1e300L, 7.25L, INFINITY };
    for (size_t k = 0; k < sizeof(f1) / sizeof(f1[0]); k++) {
        for (size_t i = 0; i < NLARGS; i++) {
            printf("%s(%La) = %La\n", f1[k].name, largs[i], f1[k].f(largs[i]));
        }
    }
    for (size_t k = 0; k < sizeof(f2) / sizeof(f2[0]); k++) {
        for (size_t i = 0; i < NLARGS; i += 2) {
            for (size_t j = 0; j < sizeof(b) / sizeof(b[0]); j++) {
                printf("%s(%La,%La) = %La\n", f2[k].name, largs[i], b[j],
                       f2[k].f(largs[i], b[j]));
            }
        }
    }
}

/* ---- Raw x87 instructions: result and the condition codes --------------------------- */

static unsigned x87_cc(uint16_t sw)
{
    return (sw >> 8 & 1) | (sw >> 8 & 2) | (sw >> 8 & 4) | (sw >> 11 & 8);   /* C0 C1 C2 C3 */
}

#define X87_UNARY(name, insn)                                                              \
    static long double name(long double x, unsigned *cc)                                   \
    {                                                                                      \
        uint16_t sw;                                                                       \
        __asm__("fclex\n\t" insn "\n\tfnstsw %1" : "+t"(x), "=m"(sw));                     \
        *cc = x87_cc(sw);                                                                  \
        return x;                                                                          \
    }

X87_UNARY(x87_fsin, "fsin")
X87_UNARY(x87_fcos, "fcos")
X87_UNARY(x87_f2xm1, "f2xm1")
X87_UNARY(x87_fsqrt, "fsqrt")
X87_UNARY(x87_frndint, "frndint")

static long double x87_fptan(long double x, unsigned *cc)
{
    long double one;
    uint16_t sw;
    __asm__("fclex\n\tfptan\n\tfnstsw %2" : "=t"(one), "=u"(x), "=m"(sw) : "0"(x));
    *cc = x87_cc(sw);
    return x;
}

/* Two operands: st(1) = y, st(0) = x, result popped to st(0). */
#define X87_BINARY_POP(name, insn)                                                         \
    static long double name(long double y, long double x, unsigned *cc)                    \
    {                                                                                      \
        long double r;                                                                     \
        uint16_t sw;                                                                       \
        __asm__("fclex\n\t" insn "\n\tfnstsw %1" : "=t"(r), "=m"(sw) : "0"(x), "u"(y)     \
                : "st(1)");                                                                \
        *cc = x87_cc(sw);                                                                  \
        return r;                                                                          \
    }

X87_BINARY_POP(x87_fpatan, "fpatan")
X87_BINARY_POP(x87_fyl2x, "fyl2x")
X87_BINARY_POP(x87_fyl2xp1, "fyl2xp1")

/* st(0) = x op st(1) = y, nothing popped. */
#define X87_BINARY(name, insn)                                                             \
    static long double name(long double x, long double y, unsigned *cc)                    \
    {                                                                                      \
        uint16_t sw;                                                                       \
        __asm__("fclex\n\t" insn "\n\tfnstsw %1" : "+t"(x), "=m"(sw) : "u"(y));            \
        *cc = x87_cc(sw);                                                                  \
        return x;                                                                          \
    }

X87_BINARY(x87_fprem, "fprem")
X87_BINARY(x87_fprem1, "fprem1")
X87_BINARY(x87_fscale, "fscale")

/*
 * Only inputs where the SDM defines the result: F2XM1 |x| <= 1, FYL2XP1
 * |x| < 1 - sqrt(2)/2, FSIN/FCOS/FPTAN |x| < 2^63; condition codes only
 * where defined: C1 (round-up) everywhere, C2 for the trigonometric ones
 * (out of range), C0/C2/C3 for FPREM/FPREM1 (quotient bits, incomplete).
 */
static void check_x87(void)
{
    static const struct {
        const char *name;
        long double (*f)(long double, unsigned *);
        long double limit;
        unsigned cc;
    } u[] = {
        { "fsin", x87_fsin, 0x1p63L, 6 }, { "fcos", x87_fcos, 0x1p63L, 6 },
        { "fptan", x87_fptan, 0x1p63L, 6 }, { "f2xm1", x87_f2xm1, 1.0L, 2 },
        { "fsqrt", x87_fsqrt, INFINITY, 2 }, { "frndint", x87_frndint, INFINITY, 2 },
    };
    static const struct {
        const char *name;
        long double (*f)(long double, long double, unsigned *);
        long double limit;          /* on the second operand */
        unsigned cc;
    } b[] = {
        { "fpatan", x87_fpatan, INFINITY, 2 }, { "fyl2x", x87_fyl2x, INFINITY, 2 },
        { "fyl2xp1", x87_fyl2xp1, 0.29L, 2 }, { "fprem", x87_fprem, INFINITY, 0xf },
        { "fprem1", x87_fprem1, INFINITY, 0xf }, { "fscale", x87_fscale, INFINITY, 2 },
    };
    static const long double small[] = {
        0.0L, -0.0L, 1e-10L, 0.25L, -0.5L, 0.75L, 0.999L, 1.0L, 2.0L, 3.0L, 0x1p-16445L,
        0x1p62L, 0x1p63L, 1e30L, 3.14159265358979323846L, -1.23456789L, 0.2928932188L,
        -0.2L, 0.1L, 1e-3L, -0.01L, 0.5L, 1.5707963267948966192L, 1e5L,
    };
    static const long double y[] = {
        1.0L, -2.5L, 3.14159265358979323846L, 1e-5L, 0x1p70L, 0.125L, -0.28L, 0.015625L,
    };
    unsigned cc;
    for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
        for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
            if (!(fabsl(small[i]) < u[k].limit) && u[k].limit != INFINITY) {
                continue;
            }
            long double r = u[k].f(small[i], &cc);
            printf("x87 %s(%La) = %La cc=%x\n", u[k].name, small[i], r, cc & u[k].cc);
        }
    }
    for (size_t k = 0; k < sizeof(b) / sizeof(b[0]); k++) {
        for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
            for (size_t j = 0; j < sizeof(y) / sizeof(y[0]); j++) {
                if (!(fabsl(y[j]) < b[k].limit) && b[k].limit != INFINITY) {
                    continue;
                }
                long double r = b[k].f(small[i], y[j], &cc);
                printf("x87 %s(%La,%La) = %La cc=%x\n", b[k].name, small[i], y[j], r,
                       cc & b[k].cc);
            }
        }
    }
}

/* ---- printf, strtod, long double arithmetic ---------------------------------------- */

static void check_printf(void)
{
    for (size_t i = 0; i < NDARGS; i++) {
        printf("printf %%.17g %.17g %%e %e %%g %g %%.3f %.3f\n", dargs[i], dargs[i], dargs[i],
               dargs[i]);
    }
    for (size_t i = 0; i < NLARGS; i++) {
        printf("printf %%La %La %%Lg %Lg %%.21Lg %.21Lg %%.25Le %.25Le\n", largs[i], largs[i],
               largs[i], largs[i]);
    }
    static const char *const strs[] = {
        "0.1", "1e23", "2.2250738585072011e-308", "4.9e-324", "2.4703282292062328e-324",
        "1.7976931348623157e308", "1.7976931348623159e308", "0x1.fffffffffffffp-1022",
        "123456789012345678901234567890", "3.14159265358979323846264338327950288", "-0",
        "nan(123)", "inf", "1e-400", "0.30000000000000001665",
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        printf("strtod(%s) = %a strtold = %La strtof = %a\n", strs[i], strtod(strs[i], NULL),
               strtold(strs[i], NULL), (double)strtof(strs[i], NULL));
    }
}

static void check_long_arith(void)
{
    volatile long double acc = 1.0L;
    for (int i = 1; i <= 30; i++) {
        acc = acc * (long double)i / 3.0L + 1.0L / (long double)i;
    }
    printf("ldarith series %La\n", (long double)acc);
    for (size_t i = 0; i + 1 < NLARGS; i++) {
        long double a = largs[i], b = largs[i + 1];
        printf("ldarith %La %La: + %La - %La * %La / %La\n", a, b, a + b, a - b, a * b, a / b);
        printf("ldarith %La: ->ll %lld ->d %a ->f %a\n", a,
               (a == a && fabsl(a) < 0x1p63L) ? (long long)a : 0LL, (double)a, (double)(float)a);
    }
    static const long long ints[] = { 0, 1, -1, 0x7fffffffffffffffLL, -0x7fffffffffffffffLL - 1,
                                      0x123456789abcdefLL };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        printf("ldarith ll->ld %lld %La\n", ints[i], (long double)ints[i]);
    }
}

/* ---- String functions ---------------------------------------------------------------- */

/* Through volatile pointers: the compiler must call glibc's (ifunc-selected) code. */
static size_t (*volatile p_strlen)(const char *) = strlen;
static char *(*volatile p_strchr)(const char *, int) = strchr;
static int (*volatile p_strcmp)(const char *, const char *) = strcmp;
static int (*volatile p_memcmp)(const void *, const void *, size_t) = memcmp;
static char *(*volatile p_strstr)(const char *, const char *) = strstr;
static void *(*volatile p_memchr)(const void *, int, size_t) = memchr;
static size_t (*volatile p_strcspn)(const char *, const char *) = strcspn;
static char *(*volatile p_strrchr)(const char *, int) = strrchr;
static size_t (*volatile p_strspn)(const char *, const char *) = strspn;

typedef struct StrStat {
    const char *name;
    unsigned long calls, errors;
    uint64_t hash;
} StrStat;

static void stat_add(StrStat *st, long got, long want)
{
    st->calls++;
    if (got != want) {
        if (st->errors++ < 5) {
            printf("%s: mismatch #%lu: got %ld want %ld\n", st->name, st->calls, got, want);
        }
    }
    st->hash = (st->hash ^ (uint64_t)got) * 0x100000001b3ull;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void check_strings(void)
{
    enum { PAGE = 4096, MAXLEN = 100 };
    /* Two pages each, strings placed near the end of the first to cross into the second. */
    static char abuf[3 * PAGE] __attribute__((aligned(4096)));
    static char bbuf[3 * PAGE] __attribute__((aligned(4096)));
    StrStat st[] = {
        { .name = "strlen" }, { .name = "strchr" }, { .name = "strcmp" },
        { .name = "memcmp" }, { .name = "strstr" }, { .name = "memchr" },
        { .name = "strcspn" }, { .name = "strrchr" }, { .name = "strspn" },
    };
    for (unsigned s = 0; s < 9; s++) {
        st[s].hash = 0xcbf29ce484222325ull;
    }
    unsigned seed = 12345;
    for (unsigned base = 0; base < 2; base++) {
        for (unsigned align = 0; align < 64; align++) {
            for (unsigned len = 0; len < MAXLEN; len += (len < 20 ? 1 : 7)) {
                /* base 1: the string ends right before a page boundary. */
                size_t off = base ? PAGE - len - 1 - (align & 15) : align;
                char *a = abuf + off;
                char *b = bbuf + ((off + align / 3) % 64) + (base ? PAGE - 128 : 0);
                memset(abuf, 'x', sizeof(abuf));
                for (unsigned i = 0; i < len; i++) {
                    seed = seed * 1103515245u + 12345u;
                    a[i] = 'a' + (seed >> 16) % 6;
                }
                a[len] = '\0';
                memcpy(b, a, len + 1);
                unsigned pos = len ? (seed >> 8) % len : 0;

                stat_add(&st[0], p_strlen(a), len);
                int c = len ? a[pos] : 'z';
                const char *first = NULL, *last = NULL;
                for (unsigned i = 0; i < len; i++) {
                    if (a[i] == c) {
                        last = a + i;
                        first = first ? first : a + i;
                    }
                }
                char *r = p_strchr(a, c);
                stat_add(&st[1], r ? r - a : -1, first ? first - a : -1);
                r = p_strrchr(a, c);
                stat_add(&st[7], r ? r - a : -1, last ? last - a : -1);
                stat_add(&st[1], p_strchr(a, 0) - a, len);
                void *m = p_memchr(a, c, len);
                stat_add(&st[5], m ? (char *)m - a : -1, first ? first - a : -1);

                stat_add(&st[2], sign(p_strcmp(a, b)), 0);
                stat_add(&st[3], sign(p_memcmp(a, b, len)), 0);
                if (len) {
                    b[pos] = a[pos] + (pos & 1 ? 1 : -1);
                    int want = sign((unsigned char)a[pos] - (unsigned char)b[pos]);
                    stat_add(&st[2], sign(p_strcmp(a, b)), want);
                    stat_add(&st[3], sign(p_memcmp(a, b, len)), want);
                    b[pos] = a[pos];
                }

                /* A needle of up to 5 characters taken from the string, or absent. */
                char needle[8];
                unsigned nl = len ? 1 + (seed >> 4) % 5 : 0;
                if (pos + nl > len) {
                    nl = len - pos;
                }
                memcpy(needle, a + pos, nl);
                needle[nl] = '\0';
                const char *want_s = NULL;
                for (unsigned i = 0; i + nl <= len && !want_s; i++) {
                    if (!memcmp(a + i, needle, nl)) {
                        want_s = a + i;
                    }
                }
                r = p_strstr(a, needle);
                stat_add(&st[4], r ? r - a : -1, want_s ? want_s - a : -1);
                r = p_strstr(a, "zq");
                stat_add(&st[4], r ? r - a : -1, -1);

                static const char *const sets[] = { "f", "ef", "cde", "zyxwvutsrqp", "" };
                for (unsigned k = 0; k < 5; k++) {
                    size_t want = 0;
                    while (want < len && !strchr(sets[k], a[want])) {
                        want++;
                    }
                    stat_add(&st[6], p_strcspn(a, sets[k]), want);
                    size_t span = 0;
                    while (span < len && sets[k][0] && memchr(sets[k], a[span],
                                                              strlen(sets[k]))) {
                        span++;
                    }
                    stat_add(&st[8], p_strspn(a, sets[k]), span);
                }
            }
        }
    }
    for (unsigned s = 0; s < 9; s++) {
        printf("string %s calls=%lu errors=%lu hash=%016llx\n", st[s].name, st[s].calls,
               st[s].errors, (unsigned long long)st[s].hash);
    }
}

/* ---- CRC32C ----------------------------------------------------------------------------- */

static uint32_t crc32c_soft(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
        }
    }
    return ~crc;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_insn(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = (uint32_t)~crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8, n -= 8;
    }
    if (n >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        c = __builtin_ia32_crc32si((uint32_t)c, v);
        p += 4, n -= 4;
    }
    if (n >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        c = __builtin_ia32_crc32hi((uint32_t)c, v);
        p += 2, n -= 2;
    }
    if (n) {
        c = __builtin_ia32_crc32qi((uint32_t)c, *p);
    }
    return ~(uint32_t)c;
}

static void check_crc32(bool sse42)
{
    uint8_t buf[300];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 37 + 11);
    }
    printf("# crc32c via %s\n", sse42 ? "the SSE4.2 crc32 instruction" : "a table-less loop");
    for (unsigned n = 0; n < sizeof(buf); n += 23) {
        for (unsigned off = 0; off < 3; off++) {
            uint32_t soft = crc32c_soft(0, buf + off, n);
            uint32_t got = sse42 ? crc32c_insn(0, buf + off, n) : soft;
            printf("crc32c off=%u len=%u = %08x%s\n", off, n, got,
                   got == soft ? "" : " (differs from the bitwise loop)");
        }
    }
}

/* ---- main ------------------------------------------------------------------------------ */

int main(void)
{
    unsigned a, b, c, d, c7 = 0, b7 = 0, max;
    __cpuid(0, max, b, c, d);
    __cpuid(1, a, b, c, d);
    if (max >= 7) {
        __cpuid_count(7, 0, a, b7, c7, d);
    }
    /* The bits glibc's ifuncs look at, named as GLIBC_TUNABLES glibc.cpu.hwcaps names them. */
    printf("# cpu SSE3=%u SSSE3=%u SSE4_1=%u SSE4_2=%u POPCNT=%u FMA=%u AVX=%u XSAVE=%u "
           "OSXSAVE=%u MOVBE=%u AVX2=%u BMI1=%u BMI2=%u ERMS=%u AVX512F=%u\n",
           c & 1, c >> 9 & 1, c >> 19 & 1, c >> 20 & 1, c >> 23 & 1, c >> 12 & 1, c >> 28 & 1,
           c >> 26 & 1, c >> 27 & 1, c >> 22 & 1, b7 >> 5 & 1, b7 >> 3 & 1, b7 >> 8 & 1,
           b7 >> 9 & 1, b7 >> 16 & 1);
    bool sse42 = c >> 20 & 1;

    check_libm();
    check_libm_long();
    check_x87();
    check_printf();
    check_long_arith();
    check_strings();
    check_crc32(sse42);
    printf("fp-check done\n");
    return 0;
}
