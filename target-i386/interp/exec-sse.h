/*
 * MMX, SSE to SSE4.2, FXSAVE/XSAVE: the handlers the SSE opcode maps
 * (decode-sse.c) point at, and the helpers they share: the #UD/#NM/#MF
 * checks, MMX register access, 128-bit memory operands, MXCSR.
 */
#ifndef TARGET_I386_INTERP_EXEC_SSE_H
#define TARGET_I386_INTERP_EXEC_SSE_H

#include "target-i386/interp/decode.h"

/* MXCSR (SDM vol. 1, 10.2.3). */
#define MXCSR_IE        (1u << 0)
#define MXCSR_DE        (1u << 1)
#define MXCSR_ZE        (1u << 2)
#define MXCSR_OE        (1u << 3)
#define MXCSR_UE        (1u << 4)
#define MXCSR_PE        (1u << 5)
#define MXCSR_FLAGS     0x3fu
#define MXCSR_DAZ       (1u << 6)
#define MXCSR_MASK_SHIFT 7
#define MXCSR_RC_SHIFT  13
#define MXCSR_FTZ       (1u << 15)
/* The writable bits (FXSAVE's MXCSR_MASK): DAZ is supported. */
#define MXCSR_WRITABLE  0xffffu
#define MXCSR_RESET     0x1f80u

/* Prefix classes of the SSE tables: none, 66, F3, F2. */
enum { SSE_P_NONE, SSE_P_66, SSE_P_F3, SSE_P_F2 };

/* The prefix class of an SSE instruction: F3 and F2 win over 66. */
static inline unsigned sse_pc(const X86Insn *d)
{
    if (d->pfx & PFX_REPZ) {
        return SSE_P_F3;
    }
    if (d->pfx & PFX_REPNZ) {
        return SSE_P_F2;
    }
    return (d->pfx & PFX_OPSIZE) ? SSE_P_66 : SSE_P_NONE;
}

/* decode-sse.c: the 0F map's SSE opcodes and the 0F38 / 0F3A maps, by prefix class. */
extern const OpInfo x86_optab_sse[256][4];
extern const OpInfo x86_optab_0f38[256][4];
extern const OpInfo x86_optab_0f3a[256][4];

/* SDM vol. 3, 13.1 and table 22-6: EM or no OSFXSR is #UD, then TS is #NM. */
static inline void x86_sse_check(X86Interp *s)
{
    uint64_t cr0 = s->env->cr[0];
    if (G_UNLIKELY((cr0 & (CR0_EM | CR0_TS)) || !(s->env->cr[4] & CR4_OSFXSR))) {
        if ((cr0 & CR0_EM) || !(s->env->cr[4] & CR4_OSFXSR)) {
            x86_raise(s, EXC_UD, 0);
        }
        x86_raise(s, EXC_NM, 0);
    }
}

/*
 * SDM vol. 3, table 22-7 (MMX): EM is #UD, TS is #NM, a pending x87
 * exception is #MF.  Then the x87 state becomes MMX state: all tags
 * valid, TOP = 0 (SDM vol. 1, 9.5.1).
 */
static inline void x86_mmx_enter(X86Interp *s)
{
    CPUX86State *env = s->env;
    if (G_UNLIKELY(env->cr[0] & (CR0_EM | CR0_TS))) {
        x86_raise(s, (env->cr[0] & CR0_EM) ? EXC_UD : EXC_NM, 0);
    }
    if (G_UNLIKELY(env->fpus & 0x80)) {
        x86_raise(s, EXC_MF, 0);
    }
    env->fptag = 0;
    env->fpus &= ~0x3800;
}

static inline uint64_t mmx_get(X86Interp *s, unsigned r)
{
    return s->env->fpregs[r & 7].mant;
}

/* An MMX write also sets the register's exponent to all ones (SDM vol. 1, 9.5.2). */
static inline void mmx_set(X86Interp *s, unsigned r, uint64_t v)
{
    s->env->fpregs[r & 7].mant = v;
    s->env->fpregs[r & 7].sign_exp = 0xffff;
}

/* Linear address of the memory operand for size bytes; align: #GP(0) unless aligned. */
static inline uint64_t sse_lin(X86Interp *s, const X86Insn *d, unsigned size, bool write,
                               bool align)
{
    uint64_t off = insn_ea(s, d);
    const SegFast *sf = &s->seg[d->seg];
    if (G_UNLIKELY(write ? sf->check_w : sf->check_r)) {
        x86_seg_check(s, d->seg, off, size, write);
    }
    uint64_t lin = (sf->base + off) & s->lin_mask;
    if (align && G_UNLIKELY(lin & (size - 1))) {
        x86_raise(s, EXC_GP, 0);
    }
    return lin;
}

void x86_sse_ld128_slow(X86Interp *s, uint64_t lin, XMMReg *v, int seg);
void x86_sse_st128_slow(X86Interp *s, uint64_t lin, const XMMReg *v, int seg);

/* Load the 16-byte memory operand (aligned: movaps and the packed arithmetic). */
static inline void sse_ld128(X86Interp *s, const X86Insn *d, XMMReg *v, bool align)
{
    uint64_t lin = sse_lin(s, d, 16, false, align);
    void *p = tlb_fast(s, lin, 4, ACC_READ, s->mmu_idx);
    if (G_LIKELY(p != NULL)) {
        memcpy(v, p, 16);
    } else {
        x86_sse_ld128_slow(s, lin, v, d->seg);
    }
}

static inline void sse_st128(X86Interp *s, const X86Insn *d, const XMMReg *v, bool align)
{
    uint64_t lin = sse_lin(s, d, 16, true, align);
    void *p = tlb_fast(s, lin, 4, ACC_WRITE, s->mmu_idx);
    if (G_LIKELY(p != NULL)) {
        memcpy(p, v, 16);
    } else {
        x86_sse_st128_slow(s, lin, v, d->seg);
    }
}

/* The xmm source operand (register or aligned/unaligned m128). */
static inline void sse_src128(X86Interp *s, const X86Insn *d, XMMReg *v, bool align)
{
    if (d->mod == 3) {
        *v = s->env->xmm[d->rm];
    } else {
        sse_ld128(s, d, v, align);
    }
}

/* Memory operands up to 8 bytes, without alignment checks. */
static inline uint64_t sse_ldq(X86Interp *s, const X86Insn *d, int ot)
{
    return x86_ld(s, d->seg, insn_ea(s, d), ot);
}

static inline void sse_stq(X86Interp *s, const X86Insn *d, int ot, uint64_t v)
{
    x86_st(s, d->seg, insn_ea(s, d), ot, v);
}

/* The MMX source operand (register or m64). */
static inline uint64_t mmx_src(X86Interp *s, const X86Insn *d)
{
    return d->mod == 3 ? mmx_get(s, d->rm) : sse_ldq(s, d, OT_Q);
}

/*
 * Record the exceptions flags an operation raised: unmasked ones are #XM
 * (or #UD without CR4.OSXMMEXCPT) and the destination stays unchanged
 * (SDM vol. 1, 11.5.1).  Returns normally only if all were masked.
 */
void x86_sse_fp_raise(X86Interp *s, uint32_t flags);

static inline void sse_fp_flags(X86Interp *s, uint32_t flags)
{
    uint32_t *m = &s->env->mxcsr;
    if (G_UNLIKELY(flags & ~(*m >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS)) {
        x86_sse_fp_raise(s, flags);
    }
    *m |= flags;
}

/* exec-sse-mov.c */
X86Handler x86_op_movups, x86_op_movss, x86_op_movlps, x86_op_movhps, x86_op_movsldup;
X86Handler x86_op_movddup, x86_op_movaps, x86_op_movnt, x86_op_movmskps;
X86Handler x86_op_movd_to, x86_op_movd_from, x86_op_movq_mmx, x86_op_movdq;
X86Handler x86_op_movq_xmm, x86_op_movq2dq, x86_op_movnti, x86_op_maskmov;
X86Handler x86_op_pmovmskb, x86_op_pinsrw, x86_op_pextrw, x86_op_pshuf, x86_op_lddqu;
X86Handler x86_op_emms;
/* exec-sse-int.c: packed integer operations (MMX and xmm forms). */
X86Handler x86_op_pint, x86_op_pshift_imm;
/* exec-sse41.c */
X86Handler x86_op_sse41, x86_op_pextr, x86_op_pinsr;
/* exec-sse-fp.c */
X86Handler x86_op_fp_arith, x86_op_fp_cmp, x86_op_fp_comi, x86_op_cvt_si2fp;
X86Handler x86_op_cvt_fp2si, x86_op_fp_round;
X86Handler x86_op_fp_dp;
/* exec-sse-str.c */
X86Handler x86_op_pcmpstr, x86_op_crc32;
/* exec-xsave.c */
X86Handler x86_op_ldmxcsr, x86_op_stmxcsr, x86_op_fxsave, x86_op_fxrstor;
X86Handler x86_op_xsave, x86_op_xrstor;
/* 0F AE with a memory operand and 0F 01 D0/D1 (sys.c calls these). */
void x86_sse_grp15_mem(X86Interp *s, const X86Insn *d);
void x86_op_xgetbv(X86Interp *s, const X86Insn *d);
void x86_op_xsetbv(X86Interp *s, const X86Insn *d);

#endif
