/*
 * MXCSR access and the state save areas: LDMXCSR, STMXCSR, FXSAVE,
 * FXRSTOR (SDM vol. 1, 10.5.1 for the layout), XSAVE, XSAVEOPT, XRSTOR
 * (SDM vol. 1, chapter 13; the x87 and SSE components, standard format)
 * and XGETBV/XSETBV.
 */
#include "target-i386/interp/exec-sse.h"

#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_SUPPORTED  (XCR0_X87 | XCR0_SSE)
#define XSAVE_HDR       512             /* offset of the XSAVE header */

/* Memory access to the save area by offset (alignment was checked once). */
static inline uint64_t area_ld(X86Interp *s, const X86Insn *d, uint64_t ea, unsigned off, int ot)
{
    return x86_ld(s, d->seg, (ea + off) & x86_size_mask[d->aot], ot);
}

static inline void area_st(X86Interp *s, const X86Insn *d, uint64_t ea, unsigned off, int ot,
                           uint64_t v)
{
    x86_st(s, d->seg, (ea + off) & x86_size_mask[d->aot], ot, v);
}

/* 0F AE /2 LDMXCSR: reserved bits are #GP(0) (SDM vol. 2, LDMXCSR). */
void x86_op_ldmxcsr(X86Interp *s, const X86Insn *d)
{
    x86_sse_check(s);
    uint32_t v = sse_ldq(s, d, OT_L);
    if (v & ~MXCSR_WRITABLE) {
        x86_raise(s, EXC_GP, 0);
    }
    s->env->mxcsr = v;
}

void x86_op_stmxcsr(X86Interp *s, const X86Insn *d)
{
    x86_sse_check(s);
    sse_stq(s, d, OT_L, s->env->mxcsr);
}

/* FXSAVE's abridged tag: one bit per physical register, set if not empty. */
static uint8_t fpu_tag_abridged(uint16_t tag)
{
    uint8_t r = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (((tag >> (2 * i)) & 3) != 3) {
            r |= 1u << i;
        }
    }
    return r;
}

/* The full tag of a non-empty register from its contents (SDM vol. 1, 8.1.7). */
static unsigned fpu_tag_of(const FloatX80 *f)
{
    unsigned exp = f->sign_exp & 0x7fff;
    if (exp == 0x7fff) {
        return 2;
    }
    if (exp == 0) {
        return f->mant == 0 ? 1 : 2;
    }
    return (f->mant >> 63) ? 0 : 2;
}

static uint16_t fpu_tag_full(const CPUX86State *env, uint8_t abridged)
{
    uint16_t tag = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (abridged & (1u << i)) ? fpu_tag_of(&env->fpregs[i]) : 3;
        tag |= t << (2 * i);
    }
    return tag;
}

static inline unsigned fpu_top(const CPUX86State *env)
{
    return (env->fpus >> 11) & 7;
}

/* The x87 part of the legacy area (bytes 0-23 and 32-159); wide: the 64-bit form. */
static void save_x87(X86Interp *s, const X86Insn *d, uint64_t ea, bool wide)
{
    CPUX86State *env = s->env;

    area_st(s, d, ea, 0, OT_W, env->fpuc);
    area_st(s, d, ea, 2, OT_W, env->fpus);
    area_st(s, d, ea, 4, OT_W, fpu_tag_abridged(env->fptag));
    area_st(s, d, ea, 6, OT_W, env->fpop & 0x7ff);
    if (wide) {
        area_st(s, d, ea, 8, OT_Q, env->fpip);
        area_st(s, d, ea, 16, OT_Q, env->fpdp);
    } else {
        area_st(s, d, ea, 8, OT_L, env->fpip);
        area_st(s, d, ea, 12, OT_L, env->fpcs);
        area_st(s, d, ea, 16, OT_L, env->fpdp);
        area_st(s, d, ea, 20, OT_L, env->fpds);
    }
    for (unsigned i = 0; i < 8; i++) {
        const FloatX80 *f = &env->fpregs[(fpu_top(env) + i) & 7];
        area_st(s, d, ea, 32 + 16 * i, OT_Q, f->mant);
        area_st(s, d, ea, 40 + 16 * i, OT_W, f->sign_exp);
    }
}

static void load_x87(X86Interp *s, const X86Insn *d, uint64_t ea, bool wide)
{
    CPUX86State *env = s->env;
    FloatX80 regs[8];
    uint16_t fsw = area_ld(s, d, ea, 2, OT_W);
    unsigned top = (fsw >> 11) & 7;

    /* Read everything before changing state: a fault leaves it intact. */
    for (unsigned i = 0; i < 8; i++) {
        regs[(top + i) & 7].mant = area_ld(s, d, ea, 32 + 16 * i, OT_Q);
        regs[(top + i) & 7].sign_exp = area_ld(s, d, ea, 40 + 16 * i, OT_W);
    }
    uint16_t fcw = area_ld(s, d, ea, 0, OT_W);
    uint8_t ftw = area_ld(s, d, ea, 4, OT_B);
    uint16_t fop = area_ld(s, d, ea, 6, OT_W);
    uint64_t fip, fdp;
    uint16_t fcs = 0, fds = 0;
    if (wide) {
        fip = area_ld(s, d, ea, 8, OT_Q);
        fdp = area_ld(s, d, ea, 16, OT_Q);
    } else {
        fip = area_ld(s, d, ea, 8, OT_L);
        fcs = area_ld(s, d, ea, 12, OT_W);
        fdp = area_ld(s, d, ea, 16, OT_L);
        fds = area_ld(s, d, ea, 20, OT_W);
    }
    memcpy(env->fpregs, regs, sizeof(regs));
    env->fpuc = fcw;
    env->fpus = fsw;
    env->fptag = fpu_tag_full(env, ftw);
    env->fpop = fop & 0x7ff;
    env->fpip = fip;
    env->fpdp = fdp;
    env->fpcs = fcs;
    env->fpds = fds;
}

static void init_x87(CPUX86State *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xffff;
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
    memset(env->fpregs, 0, sizeof(env->fpregs));
}

static unsigned xmm_count(X86Interp *s)
{
    return s->long64 ? 16 : 8;
}

static void save_xmm(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    for (unsigned i = 0; i < xmm_count(s); i++) {
        area_st(s, d, ea, 160 + 16 * i, OT_Q, s->env->xmm[i].q[0]);
        area_st(s, d, ea, 168 + 16 * i, OT_Q, s->env->xmm[i].q[1]);
    }
}

static void load_xmm(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    XMMReg regs[16];
    unsigned n = xmm_count(s);
    for (unsigned i = 0; i < n; i++) {
        regs[i].q[0] = area_ld(s, d, ea, 160 + 16 * i, OT_Q);
        regs[i].q[1] = area_ld(s, d, ea, 168 + 16 * i, OT_Q);
    }
    memcpy(s->env->xmm, regs, n * sizeof(XMMReg));
}

/* The area's offset, after the alignment check (#GP(0), SDM vol. 2, FXSAVE / XSAVE). */
static uint64_t area_ea(X86Interp *s, const X86Insn *d, unsigned align)
{
    uint64_t ea = insn_ea(s, d);
    uint64_t lin = (s->seg[d->seg].base + ea) & s->lin_mask;
    if (lin & (align - 1)) {
        x86_raise(s, EXC_GP, 0);
    }
    return ea;
}

/* FXSAVE/FXRSTOR: EM or TS is #NM (not #UD). */
static void fxsr_check(X86Interp *s)
{
    if (s->env->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise(s, EXC_NM, 0);
    }
}

void x86_op_fxsave(X86Interp *s, const X86Insn *d)
{
    fxsr_check(s);
    uint64_t ea = area_ea(s, d, 16);
    /* Probe the whole area first: a fault must not leave half a save. */
    area_st(s, d, ea, 511, OT_B, area_ld(s, d, ea, 511, OT_B));
    save_x87(s, d, ea, d->pfx & PFX_REXW);
    area_st(s, d, ea, 24, OT_L, s->env->mxcsr);
    area_st(s, d, ea, 28, OT_L, MXCSR_WRITABLE);
    save_xmm(s, d, ea);
}

void x86_op_fxrstor(X86Interp *s, const X86Insn *d)
{
    fxsr_check(s);
    uint64_t ea = area_ea(s, d, 16);
    uint32_t mxcsr = area_ld(s, d, ea, 24, OT_L);
    if (mxcsr & ~MXCSR_WRITABLE) {
        x86_raise(s, EXC_GP, 0);
    }
    area_ld(s, d, ea, 511, OT_B);
    load_xmm(s, d, ea);
    load_x87(s, d, ea, d->pfx & PFX_REXW);
    s->env->mxcsr = mxcsr;
}

/* ---- XSAVE family (standard format only) ---------------------------------------- */

static void xsave_check(X86Interp *s)
{
    if (!(s->env->cr[4] & CR4_OSXSAVE)) {
        x86_raise(s, EXC_UD, 0);
    }
    if (s->env->cr[0] & CR0_TS) {
        x86_raise(s, EXC_NM, 0);
    }
}

static uint64_t xsave_rfbm(X86Interp *s)
{
    CPUX86State *env = s->env;
    uint64_t mask = (uint32_t)env->regs[R_EAX] | (env->regs[R_EDX] << 32);
    return env->xcr0 & mask;
}

/* 0F AE /4 XSAVE, /6 XSAVEOPT (saving everything is a valid XSAVEOPT). */
void x86_op_xsave(X86Interp *s, const X86Insn *d)
{
    xsave_check(s);
    uint64_t ea = area_ea(s, d, 64);
    uint64_t rfbm = xsave_rfbm(s);
    bool wide = d->pfx & PFX_REXW;

    uint64_t bv = area_ld(s, d, ea, XSAVE_HDR, OT_Q);
    area_st(s, d, ea, XSAVE_HDR + 63, OT_B, area_ld(s, d, ea, XSAVE_HDR + 63, OT_B));
    if (rfbm & XCR0_X87) {
        save_x87(s, d, ea, wide);
    }
    if (rfbm & XCR0_SSE) {
        area_st(s, d, ea, 24, OT_L, s->env->mxcsr);
        area_st(s, d, ea, 28, OT_L, MXCSR_WRITABLE);
        save_xmm(s, d, ea);
    }
    /* XINUSE is reported as 1 for every saved component. */
    area_st(s, d, ea, XSAVE_HDR, OT_Q, (bv & ~rfbm) | rfbm);
}

/* 0F AE /5 XRSTOR (SDM vol. 1, 13.8: header checks, then load or init per component). */
void x86_op_xrstor(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;

    xsave_check(s);
    uint64_t ea = area_ea(s, d, 64);
    uint64_t rfbm = xsave_rfbm(s);
    uint64_t bv = area_ld(s, d, ea, XSAVE_HDR, OT_Q);
    uint64_t comp = area_ld(s, d, ea, XSAVE_HDR + 8, OT_Q);
    uint64_t rsvd = area_ld(s, d, ea, XSAVE_HDR + 16, OT_Q);
    bool wide = d->pfx & PFX_REXW;

    if ((bv & ~env->xcr0) || comp || rsvd) {
        x86_raise(s, EXC_GP, 0);
    }
    uint32_t mxcsr = env->mxcsr;
    if (rfbm & XCR0_SSE) {
        mxcsr = area_ld(s, d, ea, 24, OT_L);
        if (mxcsr & ~MXCSR_WRITABLE) {
            x86_raise(s, EXC_GP, 0);
        }
    }
    if (rfbm & XCR0_SSE) {
        if (bv & XCR0_SSE) {
            load_xmm(s, d, ea);
        } else {
            memset(env->xmm, 0, xmm_count(s) * sizeof(XMMReg));
        }
        env->mxcsr = mxcsr;
    }
    if (rfbm & XCR0_X87) {
        if (bv & XCR0_X87) {
            load_x87(s, d, ea, wide);
        } else {
            init_x87(env);
        }
    }
}

/* 0F 01 D0: XGETBV. */
void x86_op_xgetbv(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise(s, EXC_UD, 0);
    }
    if ((uint32_t)env->regs[R_ECX] != 0) {
        x86_raise(s, EXC_GP, 0);
    }
    reg_set(s, R_EAX, OT_L, env->xcr0);
    reg_set(s, R_EDX, OT_L, env->xcr0 >> 32);
}

/* 0F 01 D1: XSETBV (SDM vol. 2: x87 must stay enabled, only supported bits). */
void x86_op_xsetbv(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise(s, EXC_UD, 0);
    }
    x86_require_cpl0(s);
    uint64_t v = (uint32_t)env->regs[R_EAX] | (env->regs[R_EDX] << 32);
    if ((uint32_t)env->regs[R_ECX] != 0 || !(v & XCR0_X87) || (v & ~XCR0_SUPPORTED)) {
        x86_raise(s, EXC_GP, 0);
    }
    env->xcr0 = v;
}

/* 0F AE with a memory operand and no prefix (sys.c handles CLFLUSH and the fences). */
void x86_sse_grp15_mem(X86Interp *s, const X86Insn *d)
{
    switch (d->op) {
    case 0: x86_op_fxsave(s, d); break;
    case 1: x86_op_fxrstor(s, d); break;
    case 2: x86_op_ldmxcsr(s, d); break;
    case 3: x86_op_stmxcsr(s, d); break;
    case 4:
    case 6: x86_op_xsave(s, d); break;
    case 5: x86_op_xrstor(s, d); break;
    default: x86_raise(s, EXC_UD, 0);
    }
}
