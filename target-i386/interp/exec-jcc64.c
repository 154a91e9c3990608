/*
 * Jcc in 64-bit mode, one handler per condition, picked by the decoder: the
 * condition folds to a compare on the lazy flags and the canonical check is
 * the only one a 64-bit near branch needs.  Anything else (flags that must
 * be computed, a non-canonical target) goes through the general x86_op_jcc.
 *
 * These Jccs sit in register runs (X86Insn.run): s->next_rip holds the
 * run's end, so the Jcc's own next RIP is found from run_bytes; a taken
 * branch ends the run (and gives back the budget of the instructions after
 * it), a branch not taken goes on with the run.
 */
#include "target-i386/interp/exec.h"

static inline __attribute__((always_inline))
void jcc64(X86Interp *s, const X86Insn *d, int cond)
{
    int taken = x86_cond_lazy(s, cond);
    uint64_t target = x86_run_next_rip(s, d) + d->imm;

    if (G_UNLIKELY(taken < 0) ||
        (taken && G_UNLIKELY(!x86_canonical(target)))) {
        x86_run_general(s, d, x86_op_jcc);
        return;
    }
    if (taken) {
        s->next_rip = target;
        s->stop = true;
        x86_run_ends_here(s, d);
        return;
    }
    x86_run_next(s, d);
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
