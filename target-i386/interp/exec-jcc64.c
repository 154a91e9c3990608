/*
 * Jcc in 64-bit mode, one handler per condition, picked by the decoder: the
 * condition folds to a compare on the lazy flags and the canonical check is
 * the only one a 64-bit near branch needs.  Anything else (flags that must
 * be computed, a non-canonical target) tail-calls the general x86_op_jcc,
 * so the common path saves no registers.  The last instruction of a block
 * may end a register run (X86Insn.run): s->next_rip, the run's end, is
 * then its own next RIP, and only env->rip needs setting before a fault.
 */
#include "target-i386/interp/exec.h"

static inline __attribute__((always_inline))
void jcc64(X86Interp *s, const X86Insn *d, int cond)
{
    int taken = x86_cond_lazy(s, cond);
    uint64_t target = s->next_rip + d->imm;

    if (G_UNLIKELY(taken < 0) ||
        (taken && G_UNLIKELY(!x86_canonical(target)))) {
        s->env->rip = s->next_rip - d->len;
        x86_op_jcc(s, d);
        return;
    }
    if (taken) {
        s->next_rip = target;
        s->stop = true;
    }
}

#define JCC64(cc, n) \
    static void jcc64_##cc(X86Interp *s, const X86Insn *d) \
    { \
        jcc64(s, d, n); \
    }

JCC64(o, 0)
JCC64(no, 1)
JCC64(b, 2)
JCC64(nb, 3)
JCC64(z, 4)
JCC64(nz, 5)
JCC64(be, 6)
JCC64(nbe, 7)
JCC64(s, 8)
JCC64(ns, 9)
JCC64(p, 10)
JCC64(np, 11)
JCC64(l, 12)
JCC64(nl, 13)
JCC64(le, 14)
JCC64(nle, 15)

X86Handler *const x86_jcc64[16] = {
    jcc64_o, jcc64_no, jcc64_b, jcc64_nb, jcc64_z, jcc64_nz, jcc64_be, jcc64_nbe,
    jcc64_s, jcc64_ns, jcc64_p, jcc64_np, jcc64_l, jcc64_nl, jcc64_le, jcc64_nle,
};
