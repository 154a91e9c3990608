/*
 * SSE floating point on the host: the guest's instruction runs as the
 * same host instruction under the guest's MXCSR (rounding, DAZ, FTZ) with
 * every exception masked, so results, NaN propagation and the flags are
 * the hardware's bit for bit.  The caller decides on #XM from the flags.
 */
#ifndef TARGET_I386_INTERP_EXEC_SSE_HOST_H
#define TARGET_I386_INTERP_EXEC_SSE_HOST_H

#include <stdint.h>
#include "target-i386/cpu.h"

/* An operation key: the 0F-map opcode and the prefix class (SSE_P_*). */
static inline unsigned host_fp_key(unsigned opcode, unsigned pc)
{
    return opcode << 2 | pc;
}

/* Keys of operations that have no 0F-map opcode of their own. */
enum {
    HFP_ROUNDPS = 0x1000, HFP_ROUNDPD, HFP_ROUNDSS, HFP_ROUNDSD,
    HFP_CVTSI2SS_Q, HFP_CVTSI2SD_Q,     /* REX.W forms of 0F 2A */
    HFP_CVTTSS2SI_Q, HFP_CVTTSD2SI_Q, HFP_CVTSS2SI_Q, HFP_CVTSD2SI_Q,
};

/*
 * d = d op s for a two-operand arithmetic key (0F 51-5F, D0, 7C, 7D, E6,
 * 5A, 5B, the ROUND keys under MXCSR rounding).  Returns the exception
 * flags raised; false in *ok if the key is unknown.
 */
uint32_t x86_host_fp(unsigned key, XMMReg *d, const XMMReg *s, uint32_t mxcsr, bool *ok);
/* CMPPS/PD/SS/SD with predicate pred (0-7). */
uint32_t x86_host_fp_cmp(unsigned pc, unsigned pred, XMMReg *d, const XMMReg *s,
                         uint32_t mxcsr);
/* (U)COMISS/SD: pc none or 66, signaling for COMIS; *zpc gets ZF, PF, CF. */
uint32_t x86_host_fp_comi(unsigned pc, bool signaling, const XMMReg *a, const XMMReg *b,
                          uint32_t mxcsr, uint32_t *zpc);
/* CVTSI2SS/SD (0F 2A, 32- or 64-bit source) into d's low element. */
uint32_t x86_host_fp_from_int(unsigned key, XMMReg *d, uint64_t v, uint32_t mxcsr);
/* CVT(T)SS/SD2SI (0F 2C, 2D; 32- or 64-bit result). */
uint32_t x86_host_fp_to_int(unsigned key, const XMMReg *s, uint64_t *v, uint32_t mxcsr);

#endif
