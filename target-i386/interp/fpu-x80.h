/*
 * 80-bit extended precision arithmetic in software (the x87's number
 * format, SDM vol. 1, 4.2 and 8): rounding under the x87 control word's
 * precision and rounding control, the six exception flags, NaN rules and
 * conversions to and from the memory formats.  No host floating point.
 *
 * Every function takes an X80Ctx: the control word to obey and the
 * status bits it raised (FPUS_IE..FPUS_PE, and FPUS_C1 when an inexact
 * result was rounded up in magnitude).  With OE or UE unmasked, a result
 * for a register is delivered with its exponent adjusted by 24576 as the
 * SDM describes (4.9.1.4/5); the caller decides about memory stores.
 */
#ifndef TARGET_I386_INTERP_FPU_X80_H
#define TARGET_I386_INTERP_FPU_X80_H

#include <stdbool.h>
#include <stdint.h>

#include "target-i386/cpu.h"

/* Status word (SDM vol. 1, 8.1.3). */
#define FPUS_IE     0x0001
#define FPUS_DE     0x0002
#define FPUS_ZE     0x0004
#define FPUS_OE     0x0008
#define FPUS_UE     0x0010
#define FPUS_PE     0x0020
#define FPUS_SF     0x0040
#define FPUS_ES     0x0080
#define FPUS_C0     0x0100
#define FPUS_C1     0x0200
#define FPUS_C2     0x0400
#define FPUS_C3     0x4000
#define FPUS_B      0x8000
#define FPUS_EXC    0x003f

/* Control word (SDM vol. 1, 8.1.5). */
#define FPUC_PC_SHIFT 8
#define FPUC_RC_SHIFT 10
enum { X80_RC_NEAR, X80_RC_DOWN, X80_RC_UP, X80_RC_ZERO };
#define X80_PC_24   0
#define X80_PC_53   2
#define X80_PC_64   3

typedef struct X80Ctx {
    uint16_t cw;                /* control word in force */
    uint16_t flags;             /* FPUS_IE..FPUS_PE raised, FPUS_C1 for rounded up */
} X80Ctx;

/* What a value is (x87 FXAM's classes plus the two kinds of NaN). */
typedef enum X80Class {
    X80_ZERO, X80_DENORMAL, X80_NORMAL, X80_INF, X80_QNAN, X80_SNAN,
    X80_UNSUPPORTED,            /* unnormal, pseudo-NaN, pseudo-infinity */
} X80Class;

#define X80_EXP_BIAS 16383

static inline FloatX80 x80_make(bool sign, uint16_t exp, uint64_t mant)
{
    FloatX80 r = { .mant = mant, .sign_exp = (uint16_t)((sign ? 0x8000 : 0) | exp) };
    return r;
}

static inline bool x80_sign(FloatX80 a)
{
    return a.sign_exp >> 15;
}

static inline FloatX80 x80_default_nan(void)
{
    return x80_make(true, 0x7fff, 0xc000000000000000ull);
}

X80Class x80_classify(FloatX80 a);
/* Tag word value of a non-empty register: 0 valid, 1 zero, 2 special. */
unsigned x80_tag(FloatX80 a);

/* Arithmetic, rounded to the precision control. */
FloatX80 x80_add(X80Ctx *c, FloatX80 a, FloatX80 b);
FloatX80 x80_sub(X80Ctx *c, FloatX80 a, FloatX80 b);
FloatX80 x80_mul(X80Ctx *c, FloatX80 a, FloatX80 b);
FloatX80 x80_div(X80Ctx *c, FloatX80 a, FloatX80 b);
FloatX80 x80_sqrt(X80Ctx *c, FloatX80 a);
/* FRNDINT. */
FloatX80 x80_round_int(X80Ctx *c, FloatX80 a);
/* FSCALE: a * 2^trunc(b). */
FloatX80 x80_scale(X80Ctx *c, FloatX80 a, FloatX80 b);
/*
 * FPREM (ieee false) / FPREM1 (ieee true): the (partial) remainder of a / b.
 * *status gets C2 (incomplete) or the quotient's low bits in C0, C3, C1.
 */
FloatX80 x80_rem(X80Ctx *c, FloatX80 a, FloatX80 b, bool ieee, uint16_t *status);
/* FXTRACT: *sig gets the significand, the return value the exponent. */
FloatX80 x80_extract(X80Ctx *c, FloatX80 a, FloatX80 *sig);
/* A value rounded to the precision control (what FLD does not do, FADD x,0 does). */
FloatX80 x80_round_prec(X80Ctx *c, FloatX80 a);

/* Comparison: -1, 0, 1, or 2 for unordered.  quiet: QNaNs do not raise IE. */
int x80_compare(X80Ctx *c, FloatX80 a, FloatX80 b, bool quiet);

/* Conversions.  Loads are exact; a signalling NaN raises IE and is quieted. */
FloatX80 x80_from_f32(X80Ctx *c, uint32_t v);
FloatX80 x80_from_f64(X80Ctx *c, uint64_t v);
FloatX80 x80_from_i64(int64_t v);
uint32_t x80_to_f32(X80Ctx *c, FloatX80 a);
uint64_t x80_to_f64(X80Ctx *c, FloatX80 a);
/*
 * To a bits-wide signed integer (16, 32 or 64), rounded by RC or truncated;
 * out of range or NaN raises IE and gives the integer indefinite.
 */
int64_t x80_to_int(X80Ctx *c, FloatX80 a, int bits, bool truncate);

/* Constants (FLD1, FLDPI...), rounded by RC as the SDM's 8.3.8 says. */
enum { X80_CONST_L2T, X80_CONST_L2E, X80_CONST_PI, X80_CONST_LG2, X80_CONST_LN2 };
FloatX80 x80_const(unsigned which, unsigned rc);

/*
 * Round sign * sig * 2^(exp - 127) (bit 127 of sig set; sticky: nonzero
 * bits below sig) to the precision control: the last step of fpu-trans.c.
 */
FloatX80 x80_round_wide(X80Ctx *c, bool sign, int32_t exp, unsigned __int128 sig, bool sticky);
/* NaN and unsupported-operand handling of fpu-x80.c for the transcendentals. */
bool x80_screen(X80Ctx *c, FloatX80 a, FloatX80 b, bool has_b, FloatX80 *r);

/* fpu-trans.c: the transcendental instructions. */
FloatX80 x80_f2xm1(X80Ctx *c, FloatX80 a);
FloatX80 x80_yl2x(X80Ctx *c, FloatX80 x, FloatX80 y, bool plus1);
FloatX80 x80_atan2(X80Ctx *c, FloatX80 y, FloatX80 x);
/* sin, cos or tan (which 0, 1, 2); *out_of_range for |a| >= 2^63 (C2). */
FloatX80 x80_trig(X80Ctx *c, FloatX80 a, int which, bool *out_of_range);

#endif
