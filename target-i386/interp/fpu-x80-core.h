/*
 * The soft-float core's internals shared by fpu-x80.c and fpu-x80-ops.c:
 * the unpacked form, the destination formats and the rounding steps.
 * Not for use outside the soft-float files.
 */
#ifndef TARGET_I386_INTERP_FPU_X80_CORE_H
#define TARGET_I386_INTERP_FPU_X80_CORE_H

#include "target-i386/interp/fpu-x80.h"

typedef unsigned __int128 u128;

#define LEAD        126             /* the leading bit of a normalized U128 */
#define X80_EMIN    (-16382)
#define X80_EMAX    16383
#define X80_ADJUST  24576           /* SDM vol. 1, 4.9.1.4: the unmasked O/U bias */

typedef struct Unpacked {
    bool sign;
    int32_t exp;                    /* value = sig * 2^(exp - LEAD) */
    u128 sig;                       /* 0 for a zero */
} Unpacked;

/* A destination format for rounding. */
typedef struct Format {
    int prec;
    int32_t emin, emax;
    bool adjust;                    /* register: unmasked O/U deliver a biased result */
} Format;

static const Format fmt_f32 = { 24, -126, 127, false };
static const Format fmt_f64 = { 53, -1022, 1023, false };

static inline unsigned ctx_rc(const X80Ctx *c)
{
    return (c->cw >> FPUC_RC_SHIFT) & 3;
}

static inline Format fmt_reg(const X80Ctx *c)
{
    static const int prec[4] = { 24, 64, 53, 64 };   /* PC 01 is reserved */
    Format f = { prec[(c->cw >> FPUC_PC_SHIFT) & 3], X80_EMIN, X80_EMAX, true };
    return f;
}

static inline bool masked(const X80Ctx *c, uint16_t exc)
{
    return (c->cw & exc) != 0;
}

u128 x80_shr_sticky(u128 v, int n);
void x80_normalize(Unpacked *u);
Unpacked x80_unpack(FloatX80 a);
bool x80_round_at(u128 *v, int drop, unsigned rc, bool sign, bool *up);
Unpacked x80_round_to(X80Ctx *c, Unpacked u, const Format *f);
FloatX80 x80_pack(Unpacked u);
FloatX80 x80_round_pack(X80Ctx *c, Unpacked u);
FloatX80 x80_pack_exact(X80Ctx *c, Unpacked u);
FloatX80 x80_quiet(FloatX80 a);
FloatX80 x80_invalid(X80Ctx *c);
bool x80_screen(X80Ctx *c, FloatX80 a, FloatX80 b, bool has_b, FloatX80 *r);
FloatX80 x80_inf(bool sign);

#endif
