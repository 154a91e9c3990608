/*
 * SSE floating point on the host (see exec-sse-host.h).  Each asm
 * statement saves the host MXCSR, loads the guest's (all exceptions
 * masked, flags clear), runs the instruction, reads the flags back and
 * restores the host's, so nothing leaks into the emulator's own code.
 * Needs an x86-64 host with SSE4.1 (ROUNDPS).
 */
#if !defined(__x86_64__)
#error "exec-sse-host.c runs SSE instructions natively: x86-64 hosts only"
#endif
#include <string.h>
#include "target-i386/interp/exec-sse.h"
#include "target-i386/interp/exec-sse-host.h"

typedef double HostV __attribute__((vector_size(16)));

/* The asm wrapper around one instruction with operands %[s] (source) and %[d]. */
#define HOST_PRE  "stmxcsr %[sv]\n\tldmxcsr %[m]\n\t"
#define HOST_POST "\n\tstmxcsr %[m]\n\tldmxcsr %[sv]"
#define HOST_OP2(insn) \
    __asm__ volatile(HOST_PRE insn " %[s], %[d]" HOST_POST \
                     : [d] "+x"(vd), [m] "+m"(csr), [sv] "=m"(save) : [s] "x"(vs))

static inline uint32_t host_csr(uint32_t mxcsr)
{
    return (mxcsr & ~MXCSR_FLAGS) | (MXCSR_FLAGS << MXCSR_MASK_SHIFT);
}

uint32_t x86_host_fp(unsigned key, XMMReg *d, const XMMReg *s, uint32_t mxcsr, bool *ok)
{
    HostV vd, vs;
    uint32_t csr = host_csr(mxcsr), save;

    memcpy(&vd, d, 16);
    memcpy(&vs, s, 16);
    *ok = true;
    switch (key) {
    case 0x51 << 2 | SSE_P_NONE: HOST_OP2("sqrtps"); break;
    case 0x51 << 2 | SSE_P_66:   HOST_OP2("sqrtpd"); break;
    case 0x51 << 2 | SSE_P_F3:   HOST_OP2("sqrtss"); break;
    case 0x51 << 2 | SSE_P_F2:   HOST_OP2("sqrtsd"); break;
    case 0x52 << 2 | SSE_P_NONE: HOST_OP2("rsqrtps"); break;
    case 0x52 << 2 | SSE_P_F3:   HOST_OP2("rsqrtss"); break;
    case 0x53 << 2 | SSE_P_NONE: HOST_OP2("rcpps"); break;
    case 0x53 << 2 | SSE_P_F3:   HOST_OP2("rcpss"); break;
    case 0x58 << 2 | SSE_P_NONE: HOST_OP2("addps"); break;
    case 0x58 << 2 | SSE_P_66:   HOST_OP2("addpd"); break;
    case 0x58 << 2 | SSE_P_F3:   HOST_OP2("addss"); break;
    case 0x58 << 2 | SSE_P_F2:   HOST_OP2("addsd"); break;
    case 0x59 << 2 | SSE_P_NONE: HOST_OP2("mulps"); break;
    case 0x59 << 2 | SSE_P_66:   HOST_OP2("mulpd"); break;
    case 0x59 << 2 | SSE_P_F3:   HOST_OP2("mulss"); break;
    case 0x59 << 2 | SSE_P_F2:   HOST_OP2("mulsd"); break;
    case 0x5a << 2 | SSE_P_NONE: HOST_OP2("cvtps2pd"); break;
    case 0x5a << 2 | SSE_P_66:   HOST_OP2("cvtpd2ps"); break;
    case 0x5a << 2 | SSE_P_F3:   HOST_OP2("cvtss2sd"); break;
    case 0x5a << 2 | SSE_P_F2:   HOST_OP2("cvtsd2ss"); break;
    case 0x5b << 2 | SSE_P_NONE: HOST_OP2("cvtdq2ps"); break;
    case 0x5b << 2 | SSE_P_66:   HOST_OP2("cvtps2dq"); break;
    case 0x5b << 2 | SSE_P_F3:   HOST_OP2("cvttps2dq"); break;
    case 0x5c << 2 | SSE_P_NONE: HOST_OP2("subps"); break;
    case 0x5c << 2 | SSE_P_66:   HOST_OP2("subpd"); break;
    case 0x5c << 2 | SSE_P_F3:   HOST_OP2("subss"); break;
    case 0x5c << 2 | SSE_P_F2:   HOST_OP2("subsd"); break;
    case 0x5d << 2 | SSE_P_NONE: HOST_OP2("minps"); break;
    case 0x5d << 2 | SSE_P_66:   HOST_OP2("minpd"); break;
    case 0x5d << 2 | SSE_P_F3:   HOST_OP2("minss"); break;
    case 0x5d << 2 | SSE_P_F2:   HOST_OP2("minsd"); break;
    case 0x5e << 2 | SSE_P_NONE: HOST_OP2("divps"); break;
    case 0x5e << 2 | SSE_P_66:   HOST_OP2("divpd"); break;
    case 0x5e << 2 | SSE_P_F3:   HOST_OP2("divss"); break;
    case 0x5e << 2 | SSE_P_F2:   HOST_OP2("divsd"); break;
    case 0x5f << 2 | SSE_P_NONE: HOST_OP2("maxps"); break;
    case 0x5f << 2 | SSE_P_66:   HOST_OP2("maxpd"); break;
    case 0x5f << 2 | SSE_P_F3:   HOST_OP2("maxss"); break;
    case 0x5f << 2 | SSE_P_F2:   HOST_OP2("maxsd"); break;
    case 0x7c << 2 | SSE_P_66:   HOST_OP2("haddpd"); break;
    case 0x7c << 2 | SSE_P_F2:   HOST_OP2("haddps"); break;
    case 0x7d << 2 | SSE_P_66:   HOST_OP2("hsubpd"); break;
    case 0x7d << 2 | SSE_P_F2:   HOST_OP2("hsubps"); break;
    case 0xd0 << 2 | SSE_P_66:   HOST_OP2("addsubpd"); break;
    case 0xd0 << 2 | SSE_P_F2:   HOST_OP2("addsubps"); break;
    case 0xe6 << 2 | SSE_P_66:   HOST_OP2("cvttpd2dq"); break;
    case 0xe6 << 2 | SSE_P_F3:   HOST_OP2("cvtdq2pd"); break;
    case 0xe6 << 2 | SSE_P_F2:   HOST_OP2("cvtpd2dq"); break;
    /* ROUND with imm8 = 4: the rounding mode comes from MXCSR (the caller sets it). */
    case HFP_ROUNDPS: HOST_OP2("roundps $4,"); break;
    case HFP_ROUNDPD: HOST_OP2("roundpd $4,"); break;
    case HFP_ROUNDSS: HOST_OP2("roundss $4,"); break;
    case HFP_ROUNDSD: HOST_OP2("roundsd $4,"); break;
    default:
        *ok = false;
        return 0;
    }
    memcpy(d, &vd, 16);
    return csr & MXCSR_FLAGS;
}

uint32_t x86_host_fp_cmp(unsigned pc, unsigned pred, XMMReg *d, const XMMReg *s,
                         uint32_t mxcsr)
{
    HostV vd, vs;
    uint32_t csr = host_csr(mxcsr), save;

    memcpy(&vd, d, 16);
    memcpy(&vs, s, 16);
    switch (pc << 3 | (pred & 7)) {
    case SSE_P_NONE << 3 | 0: HOST_OP2("cmpps $0,"); break;
    case SSE_P_NONE << 3 | 1: HOST_OP2("cmpps $1,"); break;
    case SSE_P_NONE << 3 | 2: HOST_OP2("cmpps $2,"); break;
    case SSE_P_NONE << 3 | 3: HOST_OP2("cmpps $3,"); break;
    case SSE_P_NONE << 3 | 4: HOST_OP2("cmpps $4,"); break;
    case SSE_P_NONE << 3 | 5: HOST_OP2("cmpps $5,"); break;
    case SSE_P_NONE << 3 | 6: HOST_OP2("cmpps $6,"); break;
    case SSE_P_NONE << 3 | 7: HOST_OP2("cmpps $7,"); break;
    case SSE_P_66 << 3 | 0: HOST_OP2("cmppd $0,"); break;
    case SSE_P_66 << 3 | 1: HOST_OP2("cmppd $1,"); break;
    case SSE_P_66 << 3 | 2: HOST_OP2("cmppd $2,"); break;
    case SSE_P_66 << 3 | 3: HOST_OP2("cmppd $3,"); break;
    case SSE_P_66 << 3 | 4: HOST_OP2("cmppd $4,"); break;
    case SSE_P_66 << 3 | 5: HOST_OP2("cmppd $5,"); break;
    case SSE_P_66 << 3 | 6: HOST_OP2("cmppd $6,"); break;
    case SSE_P_66 << 3 | 7: HOST_OP2("cmppd $7,"); break;
    case SSE_P_F3 << 3 | 0: HOST_OP2("cmpss $0,"); break;
    case SSE_P_F3 << 3 | 1: HOST_OP2("cmpss $1,"); break;
    case SSE_P_F3 << 3 | 2: HOST_OP2("cmpss $2,"); break;
    case SSE_P_F3 << 3 | 3: HOST_OP2("cmpss $3,"); break;
    case SSE_P_F3 << 3 | 4: HOST_OP2("cmpss $4,"); break;
    case SSE_P_F3 << 3 | 5: HOST_OP2("cmpss $5,"); break;
    case SSE_P_F3 << 3 | 6: HOST_OP2("cmpss $6,"); break;
    case SSE_P_F3 << 3 | 7: HOST_OP2("cmpss $7,"); break;
    case SSE_P_F2 << 3 | 0: HOST_OP2("cmpsd $0,"); break;
    case SSE_P_F2 << 3 | 1: HOST_OP2("cmpsd $1,"); break;
    case SSE_P_F2 << 3 | 2: HOST_OP2("cmpsd $2,"); break;
    case SSE_P_F2 << 3 | 3: HOST_OP2("cmpsd $3,"); break;
    case SSE_P_F2 << 3 | 4: HOST_OP2("cmpsd $4,"); break;
    case SSE_P_F2 << 3 | 5: HOST_OP2("cmpsd $5,"); break;
    case SSE_P_F2 << 3 | 6: HOST_OP2("cmpsd $6,"); break;
    default:                HOST_OP2("cmpsd $7,"); break;
    }
    memcpy(d, &vd, 16);
    return csr & MXCSR_FLAGS;
}

uint32_t x86_host_fp_comi(unsigned pc, bool signaling, const XMMReg *a, const XMMReg *b,
                          uint32_t mxcsr, uint32_t *zpc)
{
    HostV vd, vs;
    uint32_t csr = host_csr(mxcsr), save;
    bool z, p, c;

    memcpy(&vd, a, 16);
    memcpy(&vs, b, 16);
#define HOST_COMI(insn) \
    __asm__ volatile(HOST_PRE insn " %[s], %[d]\n\tstmxcsr %[m]\n\tldmxcsr %[sv]" \
                     : "=@ccz"(z), "=@ccp"(p), "=@ccc"(c), [m] "+m"(csr), [sv] "=m"(save) \
                     : [d] "x"(vd), [s] "x"(vs))
    switch (pc << 1 | signaling) {
    case SSE_P_NONE << 1 | 0: HOST_COMI("ucomiss"); break;
    case SSE_P_NONE << 1 | 1: HOST_COMI("comiss"); break;
    case SSE_P_66 << 1 | 0:   HOST_COMI("ucomisd"); break;
    default:                  HOST_COMI("comisd"); break;
    }
#undef HOST_COMI
    *zpc = (z ? CC_Z : 0) | (p ? CC_P : 0) | (c ? CC_C : 0);
    return csr & MXCSR_FLAGS;
}

uint32_t x86_host_fp_from_int(unsigned key, XMMReg *d, uint64_t v, uint32_t mxcsr)
{
    HostV vd;
    uint32_t csr = host_csr(mxcsr), save;
    uint32_t v32 = v;

#define HOST_CVT(insn, src) \
    __asm__ volatile(HOST_PRE insn " %[s], %[d]" HOST_POST \
                     : [d] "+x"(vd), [m] "+m"(csr), [sv] "=m"(save) : [s] "r"(src))
    memcpy(&vd, d, 16);
    switch (key) {
    case 0x2a << 2 | SSE_P_F3: HOST_CVT("cvtsi2ssl", v32); break;
    case 0x2a << 2 | SSE_P_F2: HOST_CVT("cvtsi2sdl", v32); break;
    case HFP_CVTSI2SS_Q:       HOST_CVT("cvtsi2ssq", v); break;
    default:                   HOST_CVT("cvtsi2sdq", v); break;
    }
#undef HOST_CVT
    memcpy(d, &vd, 16);
    return csr & MXCSR_FLAGS;
}

uint32_t x86_host_fp_to_int(unsigned key, const XMMReg *s, uint64_t *v, uint32_t mxcsr)
{
    HostV vs;
    uint32_t csr = host_csr(mxcsr), save, r32 = 0;
    uint64_t r64 = 0;

#define HOST_CVT(insn, dst) \
    __asm__ volatile(HOST_PRE insn " %[s], %[d]" HOST_POST \
                     : [d] "=r"(dst), [m] "+m"(csr), [sv] "=m"(save) : [s] "x"(vs))
    memcpy(&vs, s, 16);
    switch (key) {
    case 0x2c << 2 | SSE_P_F3: HOST_CVT("cvttss2si", r32); break;
    case 0x2c << 2 | SSE_P_F2: HOST_CVT("cvttsd2si", r32); break;
    case 0x2d << 2 | SSE_P_F3: HOST_CVT("cvtss2si", r32); break;
    case 0x2d << 2 | SSE_P_F2: HOST_CVT("cvtsd2si", r32); break;
    case HFP_CVTTSS2SI_Q:      HOST_CVT("cvttss2si", r64); break;
    case HFP_CVTTSD2SI_Q:      HOST_CVT("cvttsd2si", r64); break;
    case HFP_CVTSS2SI_Q:       HOST_CVT("cvtss2si", r64); break;
    default:                   HOST_CVT("cvtsd2si", r64); break;
    }
#undef HOST_CVT
    *v = key >= HFP_CVTTSS2SI_Q ? r64 : r32;
    return csr & MXCSR_FLAGS;
}
