/*
 * The x87 register stack and status handling shared by exec-x87.c (the
 * D8-DF instructions) and exec-x87-env.c (FSTENV/FLDENV/FSAVE/FRSTOR).
 * SDM vol. 1, chapter 8.
 */
#ifndef TARGET_I386_INTERP_EXEC_X87_H
#define TARGET_I386_INTERP_EXEC_X87_H

#include "target-i386/interp/exec.h"
#include "target-i386/interp/fpu-x80.h"

#define FPU_TAG_EMPTY 3

static inline unsigned fpu_top(const CPUX86State *env)
{
    return (env->fpus >> 11) & 7;
}

static inline void fpu_set_top(CPUX86State *env, unsigned top)
{
    env->fpus = (env->fpus & ~0x3800) | ((top & 7) << 11);
}

static inline unsigned fpu_phys(const CPUX86State *env, unsigned i)
{
    return (fpu_top(env) + i) & 7;
}

static inline unsigned fpu_tag(const CPUX86State *env, unsigned phys)
{
    return (env->fptag >> (2 * phys)) & 3;
}

static inline void fpu_set_tag(CPUX86State *env, unsigned phys, unsigned tag)
{
    env->fptag = (env->fptag & ~(3u << (2 * phys))) | (tag << (2 * phys));
}

static inline bool fpu_empty(const CPUX86State *env, unsigned i)
{
    return fpu_tag(env, fpu_phys(env, i)) == FPU_TAG_EMPTY;
}

static inline FloatX80 fpu_st(const CPUX86State *env, unsigned i)
{
    return env->fpregs[fpu_phys(env, i)];
}

static inline void fpu_st_set(CPUX86State *env, unsigned i, FloatX80 v)
{
    unsigned p = fpu_phys(env, i);
    env->fpregs[p] = v;
    fpu_set_tag(env, p, x80_tag(v));
}

/* Recompute ES and B from the exception flags and masks; tell the board about FERR#. */
void x86_fpu_update_es(X86Interp *s);
/* The 16-bit tag word recomputed from the registers (what FSTENV stores). */
uint16_t x86_fpu_full_tag(const CPUX86State *env);
/* FNINIT. */
void x86_fpu_init(X86Interp *s);

/* exec-x87.c: status and stack helpers shared with exec-x87-d9.c. */
/* Merge an operation's flags (C1 replaced); false if an unmasked IE/DE/ZE forbids the result. */
bool x86_fpu_flags(X86Interp *s, uint16_t flags);
/* A stack fault (IE|SF, C1 = overflow); true if masked. */
bool x86_fpu_stack_fault(X86Interp *s, bool overflow);
void x86_fpu_pop(X86Interp *s);
/* Push v, handling stack overflow. */
void x86_fpu_push(X86Interp *s, FloatX80 v);
/* Source register ST(i), or false if it is empty. */
bool x86_fpu_src(X86Interp *s, unsigned i, FloatX80 *v);
/* A stack underflow: the indefinite in ST(dst) if masked, then pop if asked. */
void x86_fpu_underflow(X86Interp *s, unsigned dst, bool pop);
X80Ctx x86_fpu_ctx(X86Interp *s);
/* Compare into C0/C2/C3 and pop 'pops' times unless an unmasked exception stops it. */
void x86_fpu_compare(X86Interp *s, FloatX80 a, FloatX80 b, bool quiet, unsigned pops);
/* Push v unless the flags in c (from converting it) forbid it. */
void x86_fpu_load(X86Interp *s, FloatX80 v, X80Ctx *c);
/* exec-x87-d9.c */
void x86_fpu_d9_reg(X86Interp *s, const X86Insn *d);

/* exec-x87-env.c */
void x86_fpu_stenv(X86Interp *s, const X86Insn *d, uint64_t ea);
void x86_fpu_ldenv(X86Interp *s, const X86Insn *d, uint64_t ea);
void x86_fpu_save(X86Interp *s, const X86Insn *d, uint64_t ea);
void x86_fpu_restore(X86Interp *s, const X86Insn *d, uint64_t ea);

#endif
