/*
 * FSTENV/FLDENV and FSAVE/FRSTOR: the x87 environment in its four memory
 * layouts (16- or 32-bit operand size, real/virtual-8086 or protected
 * mode), SDM vol. 1, 8.1.10 and figures 8-9 to 8-12.  Reserved halves of
 * the 32-bit layouts are written as 0xffff, as Intel processors do.
 */
#include "target-i386/interp/exec-x87.h"

static uint64_t env_ea(const X86Insn *d, uint64_t ea, unsigned n)
{
    return (ea + n) & x86_size_mask[d->aot];
}

static bool env_is32(const X86Insn *d)
{
    return d->ot != OT_W;
}

static bool env_real(X86Interp *s)
{
    return !s->pe || s->v86;
}

/* Size of the environment image: 14 or 28 bytes. */
static unsigned env_size(const X86Insn *d)
{
    return env_is32(d) ? 28 : 14;
}

static void env_write(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;
    uint16_t w[7];
    uint32_t l[7];
    bool real = env_real(s);
    uint32_t fip = (uint32_t)env->fpip, fdp = (uint32_t)env->fpdp;

    if (real) {
        /* Real mode stores linear addresses (segment * 16 + offset). */
        fip = (uint32_t)(env->fpcs * 16u + (uint32_t)env->fpip);
        fdp = (uint32_t)(env->fpds * 16u + (uint32_t)env->fpdp);
    }
    w[0] = env->fpuc;
    w[1] = env->fpus;
    w[2] = x86_fpu_full_tag(env);
    if (env_is32(d)) {
        l[0] = 0xffff0000u | w[0];
        l[1] = 0xffff0000u | w[1];
        l[2] = 0xffff0000u | w[2];
        if (real) {
            l[3] = 0xffff0000u | (fip & 0xffff);
            l[4] = ((fip >> 16) << 12) | (env->fpop & 0x7ff);
            l[5] = 0xffff0000u | (fdp & 0xffff);
            l[6] = (fdp >> 16) << 12;
        } else {
            l[3] = fip;
            l[4] = env->fpcs | ((uint32_t)(env->fpop & 0x7ff) << 16);
            l[5] = fdp;
            l[6] = 0xffff0000u | env->fpds;
        }
        for (int i = 0; i < 7; i++) {
            x86_st(s, d->seg, env_ea(d, ea, 4 * i), OT_L, l[i]);
        }
        return;
    }
    if (real) {
        w[3] = (uint16_t)fip;
        w[4] = (uint16_t)((((fip >> 16) & 0xf) << 12) | (env->fpop & 0x7ff));
        w[5] = (uint16_t)fdp;
        w[6] = (uint16_t)(((fdp >> 16) & 0xf) << 12);
    } else {
        w[3] = (uint16_t)fip;
        w[4] = env->fpcs;
        w[5] = (uint16_t)fdp;
        w[6] = env->fpds;
    }
    for (int i = 0; i < 7; i++) {
        x86_st(s, d->seg, env_ea(d, ea, 2 * i), OT_W, w[i]);
    }
}

static void env_read(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;
    uint32_t v[7];
    bool is32 = env_is32(d);

    /* Read everything first: a fault leaves the FPU unchanged. */
    for (int i = 0; i < 7; i++) {
        v[i] = (uint32_t)(is32 ? x86_ld(s, d->seg, env_ea(d, ea, 4 * i), OT_L)
                               : x86_ld(s, d->seg, env_ea(d, ea, 2 * i), OT_W));
    }
    env->fpuc = (uint16_t)v[0] | 0x40;
    env->fpus = (uint16_t)v[1];
    uint16_t tw = (uint16_t)v[2];
    if (env_real(s)) {
        uint32_t hi_shift = is32 ? 16 : 16;
        env->fpip = (v[3] & 0xffff) | ((uint64_t)(v[4] >> 12) << hi_shift);
        env->fpop = v[4] & 0x7ff;
        env->fpdp = (v[5] & 0xffff) | ((uint64_t)(v[6] >> 12) << hi_shift);
        env->fpcs = env->fpds = 0;
        if (!is32) {
            env->fpip &= 0xfffff;
            env->fpdp &= 0xfffff;
        }
    } else if (is32) {
        env->fpip = v[3];
        env->fpcs = (uint16_t)v[4];
        env->fpop = (v[4] >> 16) & 0x7ff;
        env->fpdp = v[5];
        env->fpds = (uint16_t)v[6];
    } else {
        env->fpip = v[3];
        env->fpcs = (uint16_t)v[4];
        env->fpdp = v[5];
        env->fpds = (uint16_t)v[6];
    }
    /* Only "empty" is taken from memory; the other tags follow the contents. */
    env->fptag = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = (tw >> (2 * p)) & 3;
        fpu_set_tag(env, p, t == FPU_TAG_EMPTY ? t : x80_tag(env->fpregs[p]));
    }
}

static void retag(CPUX86State *env)
{
    for (unsigned p = 0; p < 8; p++) {
        if (fpu_tag(env, p) != FPU_TAG_EMPTY) {
            fpu_set_tag(env, p, x80_tag(env->fpregs[p]));
        }
    }
}

void x86_fpu_stenv(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    env_write(s, d, ea);
    s->env->fpuc |= FPUS_EXC;       /* FSTENV then masks every exception */
}

void x86_fpu_ldenv(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    env_read(s, d, ea);
    x86_fpu_update_es(s);
}

void x86_fpu_save(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;
    unsigned base = env_size(d);

    /* Probe the last byte first so a fault happens before anything is written. */
    x86_st(s, d->seg, env_ea(d, ea, base + 79), OT_B,
           x86_ld(s, d->seg, env_ea(d, ea, base + 79), OT_B));
    env_write(s, d, ea);
    for (unsigned i = 0; i < 8; i++) {
        FloatX80 v = fpu_st(env, i);
        x86_st(s, d->seg, env_ea(d, ea, base + 10 * i), OT_Q, v.mant);
        x86_st(s, d->seg, env_ea(d, ea, base + 10 * i + 8), OT_W, v.sign_exp);
    }
    x86_fpu_init(s);
}

void x86_fpu_restore(X86Interp *s, const X86Insn *d, uint64_t ea)
{
    CPUX86State *env = s->env;
    unsigned base = env_size(d);
    FloatX80 regs[8];

    for (unsigned i = 0; i < 8; i++) {
        regs[i].mant = x86_ld(s, d->seg, env_ea(d, ea, base + 10 * i), OT_Q);
        regs[i].sign_exp = (uint16_t)x86_ld(s, d->seg, env_ea(d, ea, base + 10 * i + 8), OT_W);
    }
    env_read(s, d, ea);
    for (unsigned i = 0; i < 8; i++) {
        env->fpregs[fpu_phys(env, i)] = regs[i];
    }
    retag(env);
    x86_fpu_update_es(s);
}
