/*
 * SSE4.2: the packed string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/
 * PCMPISTRM (SDM vol. 2, 4.1 "Imm8 control byte operation for PCMPESTRI
 * ...") and CRC32 (the Castagnoli polynomial, bit-reflected).
 */
#include "target-i386/interp/exec-sse.h"

/* Element e of v as a signed or unsigned byte or word (imm8[1:0]). */
static inline int32_t str_elem(const XMMReg *v, unsigned fmt, unsigned e)
{
    switch (fmt) {
    case 0: return v->b[e];
    case 1: return v->w[e];
    case 2: return (int8_t)v->b[e];
    default: return (int16_t)v->w[e];
    }
}

static unsigned str_implicit_len(const XMMReg *v, unsigned fmt, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (str_elem(v, fmt, i) == 0) {
            return i;
        }
    }
    return n;
}

static unsigned str_explicit_len(X86Interp *s, const X86Insn *d, unsigned r, unsigned n)
{
    int64_t v = (d->pfx & PFX_REXW) ? (int64_t)s->env->regs[r] : (int32_t)s->env->regs[r];
    uint64_t a = v < 0 ? -(uint64_t)v : (uint64_t)v;
    return a > n ? n : (unsigned)a;
}

/* The aggregated, polarity-adjusted result bit vector (IntRes2). */
static unsigned str_compare(const XMMReg *a, const XMMReg *b, unsigned imm, unsigned la,
                            unsigned lb, unsigned n)
{
    unsigned fmt = imm & 3, agg = (imm >> 2) & 3;
    unsigned res = 0;

    for (unsigned j = 0; j < n; j++) {
        bool bit = false;
        int32_t bj = str_elem(b, fmt, j);
        switch (agg) {
        case 0:                                 /* equal any */
            if (j < lb) {
                for (unsigned i = 0; i < la && !bit; i++) {
                    bit = str_elem(a, fmt, i) == bj;
                }
            }
            break;
        case 1:                                 /* ranges */
            if (j < lb) {
                for (unsigned i = 0; i + 1 < la && !bit; i += 2) {
                    bit = str_elem(a, fmt, i) <= bj && bj <= str_elem(a, fmt, i + 1);
                }
            }
            break;
        case 2:                                 /* equal each */
            if (j < la && j < lb) {
                bit = str_elem(a, fmt, j) == bj;
            } else {
                bit = j >= la && j >= lb;
            }
            break;
        default:                                /* equal ordered */
            bit = true;
            for (unsigned i = 0; i + j < n && bit; i++) {
                if (i >= la) {
                    break;
                }
                if (i + j >= lb) {
                    bit = false;
                } else {
                    bit = str_elem(a, fmt, i) == str_elem(b, fmt, i + j);
                }
            }
            break;
        }
        res |= (unsigned)bit << j;
    }
    switch ((imm >> 4) & 3) {
    case 1:
        res ^= (1u << n) - 1;
        break;
    case 3:
        res ^= (1u << lb) - 1;
        break;
    default:
        break;
    }
    return res;
}

/* 66 0F 3A 60-63: PCMPESTRM, PCMPESTRI, PCMPISTRM, PCMPISTRI (memory may be unaligned). */
void x86_op_pcmpstr(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    unsigned imm = d->imm & 0xff, n = (imm & 1) ? 8 : 16;
    bool explicit_len = d->op < 0x62, index = d->op & 1;
    XMMReg a, b;
    unsigned la, lb, res;

    x86_sse_check(s);
    a = env->xmm[d->reg];
    sse_src128(s, d, &b, false);
    if (explicit_len) {
        la = str_explicit_len(s, d, R_EAX, n);
        lb = str_explicit_len(s, d, R_EDX, n);
    } else {
        la = str_implicit_len(&a, imm & 3, n);
        lb = str_implicit_len(&b, imm & 3, n);
    }
    res = str_compare(&a, &b, imm, la, lb, n);
    if (index) {
        unsigned i = n;
        if (res) {
            i = (imm & 0x40) ? 31 - __builtin_clz(res) : __builtin_ctz(res);
        }
        reg_set(s, R_ECX, OT_L, i);
    } else {
        XMMReg m = { 0 };
        if (imm & 0x40) {
            for (unsigned j = 0; j < n; j++) {
                if (res & (1u << j)) {
                    if (n == 16) {
                        m.b[j] = 0xff;
                    } else {
                        m.w[j] = 0xffff;
                    }
                }
            }
        } else {
            m.q[0] = res;
        }
        env->xmm[0] = m;
    }
    cc_set_flags(s, (res ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
                    ((res & 1) ? CC_O : 0));
}

/* CRC-32C over the low bytes of v (bit-reflected, polynomial 0x1EDC6F41). */
static uint32_t crc32c_update(uint32_t crc, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        crc ^= (v >> (8 * i)) & 0xff;
        for (unsigned k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
        }
    }
    return crc;
}

/* F2 0F 38 F0/F1: CRC32 r32/r64, r/m8/16/32/64 (flags unchanged). */
void x86_op_crc32(X86Interp *s, const X86Insn *d)
{
    int sot = d->op == 0xf0 ? OT_B : d->ot;
    uint64_t v = op_rm_get(s, d, sot);
    uint32_t crc = crc32c_update(reg_get(s, d->reg, OT_L), v, 1u << sot);
    reg_set(s, d->reg, (d->pfx & PFX_REXW) ? OT_Q : OT_L, crc);
}
