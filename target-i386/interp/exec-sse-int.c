/*
 * Packed integer operations for the MMX (8-byte) and xmm (16-byte)
 * forms: MMX, SSE2, SSSE3 and the SSE4.1 integer ops, and the bitwise /
 * shuffle float ops (andps, unpcklps, shufps, blendps).  One compute
 * routine takes the operation's key (map << 8 | opcode) and the width.
 */
#include "target-i386/interp/exec-sse.h"

static inline int32_t sat_s8(int32_t v)
{
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

static inline int32_t sat_u8(int32_t v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static inline int32_t sat_s16(int32_t v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

static inline int32_t sat_u16(int32_t v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : v;
}

static inline uint32_t absdiff(uint32_t a, uint32_t b)
{
    return a > b ? a - b : b - a;
}

/* Interleave the low (hi = false) or high halves of a and b, es-byte elements. */
static void punpck(XMMReg *r, const XMMReg *a, const XMMReg *b, unsigned n, unsigned es,
                   bool hi)
{
    XMMReg t;
    unsigned half = n / 2, off = hi ? half : 0;
    for (unsigned i = 0; i < half; i += es) {
        memcpy(&t.b[2 * i], &a->b[off + i], es);
        memcpy(&t.b[2 * i + es], &b->b[off + i], es);
    }
    memcpy(r, &t, n);
}

/* Shift each es-byte element by count bits: kind 0 logical right, 1 arithmetic right, 2 left. */
static void pshift(XMMReg *r, unsigned n, unsigned es, int kind, uint64_t count)
{
    unsigned bits = es * 8;
    for (unsigned i = 0; i < n / es; i++) {
        uint64_t v;
        switch (es) {
        case 2: v = r->w[i]; break;
        case 4: v = r->l[i]; break;
        default: v = r->q[i]; break;
        }
        if (kind == 1) {
            int64_t sv = es == 2 ? (int16_t)v : es == 4 ? (int32_t)v : (int64_t)v;
            v = sv >> (count >= bits ? bits - 1 : count);
        } else if (count >= bits) {
            v = 0;
        } else {
            v = kind == 0 ? v >> count : v << count;
        }
        switch (es) {
        case 2: r->w[i] = v; break;
        case 4: r->l[i] = v; break;
        default: r->q[i] = v; break;
        }
    }
}

/* Byte shifts of a whole xmm register (PSRLDQ, PSLLDQ). */
static void pshift_bytes(XMMReg *r, unsigned count, bool left)
{
    XMMReg t = { 0 };
    if (count < 16) {
        if (left) {
            memcpy(&t.b[count], r->b, 16 - count);
        } else {
            memcpy(t.b, &r->b[count], 16 - count);
        }
    }
    *r = t;
}

/*
 * r = r op b for the operation key on n bytes (imm: the immediate byte).
 * Returns false for a key this routine does not know.
 */
static bool pint_compute(X86Interp *s, unsigned key, XMMReg *r, const XMMReg *b, unsigned n,
                         unsigned imm)
{
    XMMReg a = *r, t;
    unsigned i;

    switch (key) {
    /* ---- 0F map ---- */
    case 0x114: punpck(r, &a, b, 16, 4, false); break;      /* unpcklps */
    case 0x115: punpck(r, &a, b, 16, 4, true); break;       /* unpckhps */
    case 0x160: punpck(r, &a, b, n, 1, false); break;
    case 0x161: punpck(r, &a, b, n, 2, false); break;
    case 0x162: punpck(r, &a, b, n, 4, false); break;
    case 0x16c: punpck(r, &a, b, n, 8, false); break;
    case 0x168: punpck(r, &a, b, n, 1, true); break;
    case 0x169: punpck(r, &a, b, n, 2, true); break;
    case 0x16a: punpck(r, &a, b, n, 4, true); break;
    case 0x16d: punpck(r, &a, b, n, 8, true); break;
    case 0x163:                                             /* packsswb */
        for (i = 0; i < n / 2; i++) {
            t.b[i] = sat_s8((int16_t)a.w[i]);
            t.b[n / 2 + i] = sat_s8((int16_t)b->w[i]);
        }
        memcpy(r, &t, n);
        break;
    case 0x167:                                             /* packuswb */
        for (i = 0; i < n / 2; i++) {
            t.b[i] = sat_u8((int16_t)a.w[i]);
            t.b[n / 2 + i] = sat_u8((int16_t)b->w[i]);
        }
        memcpy(r, &t, n);
        break;
    case 0x16b:                                             /* packssdw */
        for (i = 0; i < n / 4; i++) {
            t.w[i] = sat_s16((int32_t)a.l[i]);
            t.w[n / 4 + i] = sat_s16((int32_t)b->l[i]);
        }
        memcpy(r, &t, n);
        break;
    case 0x22b:                                             /* packusdw */
        for (i = 0; i < 4; i++) {
            int32_t x = a.l[i], y = b->l[i];
            t.w[i] = x < 0 ? 0 : x > 65535 ? 65535 : x;
            t.w[4 + i] = y < 0 ? 0 : y > 65535 ? 65535 : y;
        }
        *r = t;
        break;
    case 0x164:
        for (i = 0; i < n; i++) {
            r->b[i] = (int8_t)a.b[i] > (int8_t)b->b[i] ? 0xff : 0;
        }
        break;
    case 0x165:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = (int16_t)a.w[i] > (int16_t)b->w[i] ? 0xffff : 0;
        }
        break;
    case 0x166:
        for (i = 0; i < n / 4; i++) {
            r->l[i] = (int32_t)a.l[i] > (int32_t)b->l[i] ? ~0u : 0;
        }
        break;
    case 0x237:
        for (i = 0; i < 2; i++) {
            r->q[i] = (int64_t)a.q[i] > (int64_t)b->q[i] ? ~0ull : 0;
        }
        break;
    case 0x174:
        for (i = 0; i < n; i++) {
            r->b[i] = a.b[i] == b->b[i] ? 0xff : 0;
        }
        break;
    case 0x175:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = a.w[i] == b->w[i] ? 0xffff : 0;
        }
        break;
    case 0x176:
        for (i = 0; i < n / 4; i++) {
            r->l[i] = a.l[i] == b->l[i] ? ~0u : 0;
        }
        break;
    case 0x229:
        for (i = 0; i < 2; i++) {
            r->q[i] = a.q[i] == b->q[i] ? ~0ull : 0;
        }
        break;
    case 0x1d1: pshift(r, n, 2, 0, b->q[0]); break;
    case 0x1d2: pshift(r, n, 4, 0, b->q[0]); break;
    case 0x1d3: pshift(r, n, 8, 0, b->q[0]); break;
    case 0x1e1: pshift(r, n, 2, 1, b->q[0]); break;
    case 0x1e2: pshift(r, n, 4, 1, b->q[0]); break;
    case 0x1f1: pshift(r, n, 2, 2, b->q[0]); break;
    case 0x1f2: pshift(r, n, 4, 2, b->q[0]); break;
    case 0x1f3: pshift(r, n, 8, 2, b->q[0]); break;
    case 0x1d4:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = a.q[i] + b->q[i];
        }
        break;
    case 0x1fb:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = a.q[i] - b->q[i];
        }
        break;
    case 0x1fc:
        for (i = 0; i < n; i++) {
            r->b[i] = a.b[i] + b->b[i];
        }
        break;
    case 0x1fd:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = a.w[i] + b->w[i];
        }
        break;
    case 0x1fe:
        for (i = 0; i < n / 4; i++) {
            r->l[i] = a.l[i] + b->l[i];
        }
        break;
    case 0x1f8:
        for (i = 0; i < n; i++) {
            r->b[i] = a.b[i] - b->b[i];
        }
        break;
    case 0x1f9:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = a.w[i] - b->w[i];
        }
        break;
    case 0x1fa:
        for (i = 0; i < n / 4; i++) {
            r->l[i] = a.l[i] - b->l[i];
        }
        break;
    case 0x1d8:
        for (i = 0; i < n; i++) {
            r->b[i] = sat_u8((int)a.b[i] - b->b[i]);
        }
        break;
    case 0x1d9:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = sat_u16((int)a.w[i] - b->w[i]);
        }
        break;
    case 0x1dc:
        for (i = 0; i < n; i++) {
            r->b[i] = sat_u8((int)a.b[i] + b->b[i]);
        }
        break;
    case 0x1dd:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = sat_u16((int)a.w[i] + b->w[i]);
        }
        break;
    case 0x1e8:
        for (i = 0; i < n; i++) {
            r->b[i] = sat_s8((int8_t)a.b[i] - (int8_t)b->b[i]);
        }
        break;
    case 0x1e9:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = sat_s16((int16_t)a.w[i] - (int16_t)b->w[i]);
        }
        break;
    case 0x1ec:
        for (i = 0; i < n; i++) {
            r->b[i] = sat_s8((int8_t)a.b[i] + (int8_t)b->b[i]);
        }
        break;
    case 0x1ed:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = sat_s16((int16_t)a.w[i] + (int16_t)b->w[i]);
        }
        break;
    case 0x1d5:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = a.w[i] * b->w[i];
        }
        break;
    case 0x1e5:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = (uint32_t)((int32_t)(int16_t)a.w[i] * (int16_t)b->w[i]) >> 16;
        }
        break;
    case 0x1e4:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = ((uint32_t)a.w[i] * b->w[i]) >> 16;
        }
        break;
    case 0x1f4:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = (uint64_t)a.l[2 * i] * b->l[2 * i];
        }
        break;
    case 0x228:                                             /* pmuldq */
        for (i = 0; i < 2; i++) {
            r->q[i] = (uint64_t)((int64_t)(int32_t)a.l[2 * i] * (int32_t)b->l[2 * i]);
        }
        break;
    case 0x240:
        for (i = 0; i < 4; i++) {
            r->l[i] = (uint32_t)((int64_t)(int32_t)a.l[i] * (int32_t)b->l[i]);
        }
        break;
    case 0x1f5:                                             /* pmaddwd */
        for (i = 0; i < n / 4; i++) {
            int64_t v = (int64_t)(int16_t)a.w[2 * i] * (int16_t)b->w[2 * i] +
                        (int64_t)(int16_t)a.w[2 * i + 1] * (int16_t)b->w[2 * i + 1];
            r->l[i] = (uint32_t)v;
        }
        break;
    case 0x1f6:                                             /* psadbw */
        for (i = 0; i < n / 8; i++) {
            uint32_t sum = 0;
            for (unsigned j = 0; j < 8; j++) {
                sum += absdiff(a.b[8 * i + j], b->b[8 * i + j]);
            }
            r->q[i] = sum;
        }
        break;
    case 0x1e0:
        for (i = 0; i < n; i++) {
            r->b[i] = (a.b[i] + b->b[i] + 1) >> 1;
        }
        break;
    case 0x1e3:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = (a.w[i] + b->w[i] + 1) >> 1;
        }
        break;
    case 0x1da:
        for (i = 0; i < n; i++) {
            r->b[i] = MIN(a.b[i], b->b[i]);
        }
        break;
    case 0x1de:
        for (i = 0; i < n; i++) {
            r->b[i] = MAX(a.b[i], b->b[i]);
        }
        break;
    case 0x1ea:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = MIN((int16_t)a.w[i], (int16_t)b->w[i]);
        }
        break;
    case 0x1ee:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = MAX((int16_t)a.w[i], (int16_t)b->w[i]);
        }
        break;
    case 0x238:
        for (i = 0; i < 16; i++) {
            r->b[i] = MIN((int8_t)a.b[i], (int8_t)b->b[i]);
        }
        break;
    case 0x23c:
        for (i = 0; i < 16; i++) {
            r->b[i] = MAX((int8_t)a.b[i], (int8_t)b->b[i]);
        }
        break;
    case 0x239:
        for (i = 0; i < 4; i++) {
            r->l[i] = MIN((int32_t)a.l[i], (int32_t)b->l[i]);
        }
        break;
    case 0x23d:
        for (i = 0; i < 4; i++) {
            r->l[i] = MAX((int32_t)a.l[i], (int32_t)b->l[i]);
        }
        break;
    case 0x23a:
        for (i = 0; i < 8; i++) {
            r->w[i] = MIN(a.w[i], b->w[i]);
        }
        break;
    case 0x23e:
        for (i = 0; i < 8; i++) {
            r->w[i] = MAX(a.w[i], b->w[i]);
        }
        break;
    case 0x23b:
        for (i = 0; i < 4; i++) {
            r->l[i] = MIN(a.l[i], b->l[i]);
        }
        break;
    case 0x23f:
        for (i = 0; i < 4; i++) {
            r->l[i] = MAX(a.l[i], b->l[i]);
        }
        break;
    case 0x154:
    case 0x1db:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = a.q[i] & b->q[i];
        }
        break;
    case 0x155:
    case 0x1df:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = ~a.q[i] & b->q[i];
        }
        break;
    case 0x156:
    case 0x1eb:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = a.q[i] | b->q[i];
        }
        break;
    case 0x157:
    case 0x1ef:
        for (i = 0; i < n / 8; i++) {
            r->q[i] = a.q[i] ^ b->q[i];
        }
        break;
    case 0x1c6:                                             /* shufps */
        t.l[0] = a.l[imm & 3];
        t.l[1] = a.l[(imm >> 2) & 3];
        t.l[2] = b->l[(imm >> 4) & 3];
        t.l[3] = b->l[(imm >> 6) & 3];
        *r = t;
        break;
    /* ---- 0F 38 map: SSSE3 ---- */
    case 0x200:                                             /* pshufb */
        for (i = 0; i < n; i++) {
            t.b[i] = (b->b[i] & 0x80) ? 0 : a.b[b->b[i] & (n - 1)];
        }
        memcpy(r, &t, n);
        break;
    case 0x201: case 0x203: case 0x205: case 0x207: {       /* phaddw, phaddsw, phsubw, phsubsw */
        bool sub = key >= 0x205, sat = key & 2;
        for (i = 0; i < n / 2; i++) {
            const XMMReg *src = i < n / 4 ? &a : b;
            unsigned j = 2 * (i % (n / 4));
            int32_t v = sub ? (int16_t)src->w[j] - (int16_t)src->w[j + 1]
                            : (int16_t)src->w[j] + (int16_t)src->w[j + 1];
            t.w[i] = sat ? sat_s16(v) : v;
        }
        memcpy(r, &t, n);
        break;
    }
    case 0x202: case 0x206:                                 /* phaddd, phsubd */
        for (i = 0; i < n / 4; i++) {
            const XMMReg *src = i < n / 8 ? &a : b;
            unsigned j = 2 * (i % (n / 8));
            t.l[i] = key == 0x202 ? src->l[j] + src->l[j + 1] : src->l[j] - src->l[j + 1];
        }
        memcpy(r, &t, n);
        break;
    case 0x204:                                             /* pmaddubsw */
        for (i = 0; i < n / 2; i++) {
            r->w[i] = sat_s16(a.b[2 * i] * (int8_t)b->b[2 * i] +
                              a.b[2 * i + 1] * (int8_t)b->b[2 * i + 1]);
        }
        break;
    case 0x208:
        for (i = 0; i < n; i++) {
            int8_t c = b->b[i];
            r->b[i] = c < 0 ? -a.b[i] : c == 0 ? 0 : a.b[i];
        }
        break;
    case 0x209:
        for (i = 0; i < n / 2; i++) {
            int16_t c = b->w[i];
            r->w[i] = c < 0 ? -a.w[i] : c == 0 ? 0 : a.w[i];
        }
        break;
    case 0x20a:
        for (i = 0; i < n / 4; i++) {
            int32_t c = b->l[i];
            r->l[i] = c < 0 ? -a.l[i] : c == 0 ? 0 : a.l[i];
        }
        break;
    case 0x20b:                                             /* pmulhrsw */
        for (i = 0; i < n / 2; i++) {
            int32_t v = (int32_t)(int16_t)a.w[i] * (int16_t)b->w[i];
            r->w[i] = (uint32_t)(((v >> 14) + 1) >> 1);
        }
        break;
    case 0x21c:
        for (i = 0; i < n; i++) {
            r->b[i] = (int8_t)b->b[i] < 0 ? -b->b[i] : b->b[i];
        }
        break;
    case 0x21d:
        for (i = 0; i < n / 2; i++) {
            r->w[i] = (int16_t)b->w[i] < 0 ? -b->w[i] : b->w[i];
        }
        break;
    case 0x21e:
        for (i = 0; i < n / 4; i++) {
            r->l[i] = (int32_t)b->l[i] < 0 ? -b->l[i] : b->l[i];
        }
        break;
    /* ---- 0F 38 map: SSE4.1 ---- */
    case 0x210:                                             /* pblendvb (xmm0 implicit) */
        for (i = 0; i < 16; i++) {
            r->b[i] = (s->env->xmm[0].b[i] & 0x80) ? b->b[i] : a.b[i];
        }
        break;
    case 0x214:
        for (i = 0; i < 4; i++) {
            r->l[i] = (s->env->xmm[0].l[i] >> 31) ? b->l[i] : a.l[i];
        }
        break;
    case 0x215:
        for (i = 0; i < 2; i++) {
            r->q[i] = (s->env->xmm[0].q[i] >> 63) ? b->q[i] : a.q[i];
        }
        break;
    case 0x241: {                                           /* phminposuw */
        unsigned best = 0;
        for (i = 1; i < 8; i++) {
            if (b->w[i] < b->w[best]) {
                best = i;
            }
        }
        memset(&t, 0, sizeof(t));
        t.w[0] = b->w[best];
        t.w[1] = best;
        *r = t;
        break;
    }
    /* ---- 0F 3A map ---- */
    case 0x30f: {                                           /* palignr */
        uint8_t cat[32];
        memcpy(cat, b->b, n);
        memcpy(cat + n, a.b, n);
        for (i = 0; i < n; i++) {
            t.b[i] = i + imm < 2 * n ? cat[i + imm] : 0;
        }
        memcpy(r, &t, n);
        break;
    }
    case 0x30c:
        for (i = 0; i < 4; i++) {
            if (imm & (1u << i)) {
                r->l[i] = b->l[i];
            }
        }
        break;
    case 0x30d:
        for (i = 0; i < 2; i++) {
            if (imm & (1u << i)) {
                r->q[i] = b->q[i];
            }
        }
        break;
    case 0x30e:
        for (i = 0; i < 8; i++) {
            if (imm & (1u << i)) {
                r->w[i] = b->w[i];
            }
        }
        break;
    case 0x342: {                                           /* mpsadbw */
        unsigned ao = (imm & 4) ? 4 : 0, bo = (imm & 3) * 4;
        for (i = 0; i < 8; i++) {
            uint32_t sum = 0;
            for (unsigned j = 0; j < 4; j++) {
                sum += absdiff(a.b[ao + i + j], b->b[bo + j]);
            }
            t.w[i] = sum;
        }
        *r = t;
        break;
    }
    default:
        return false;
    }
    return true;
}

/* UNPCKLPD / UNPCKHPD are the qword forms of PUNPCKL/HQDQ. */
static unsigned pint_key(const X86Insn *d, unsigned pc)
{
    unsigned key = (unsigned)d->map << 8 | d->op;
    if (pc == SSE_P_66) {
        switch (key) {
        case 0x114: return 0x16c;                           /* unpcklpd */
        case 0x115: return 0x16d;                           /* unpckhpd */
        default: break;
        }
    }
    return key;
}

/* MMX punpckl* read only 32 bits of memory (SDM vol. 2, PUNPCKLBW). */
static inline bool mmx_half_load(const X86Insn *d)
{
    return d->map == 1 && d->op >= 0x60 && d->op <= 0x62;
}

/* Packed integer and bitwise operations: MMX without a prefix (except
 * the float-bitwise opcodes), xmm with 66 or on the ps forms. */
void x86_op_pint(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d);
    unsigned key = pint_key(d, pc);
    bool mmx = pc == SSE_P_NONE && !(d->map == 1 && (d->op < 0x60 || d->op == 0xc6));
    XMMReg r, b;

    if (mmx) {
        x86_mmx_enter(s);
        r.q[0] = mmx_get(s, d->reg);
        if (d->mod == 3) {
            b.q[0] = mmx_get(s, d->rm);
        } else {
            b.q[0] = sse_ldq(s, d, mmx_half_load(d) ? OT_L : OT_Q);
        }
        if (!pint_compute(s, key, &r, &b, 8, d->imm & 0xff)) {
            x86_raise(s, EXC_UD, 0);
        }
        mmx_set(s, d->reg, r.q[0]);
        return;
    }
    x86_sse_check(s);
    sse_src128(s, d, &b, true);
    if (d->op == 0xc6 && d->map == 1 && pc == SSE_P_66) {   /* shufpd */
        uint64_t lo = s->env->xmm[d->reg].q[d->imm & 1];
        uint64_t hi = b.q[(d->imm >> 1) & 1];
        s->env->xmm[d->reg].q[0] = lo;
        s->env->xmm[d->reg].q[1] = hi;
        return;
    }
    r = s->env->xmm[d->reg];
    if (!pint_compute(s, key, &r, &b, 16, d->imm & 0xff)) {
        x86_raise(s, EXC_UD, 0);
    }
    s->env->xmm[d->reg] = r;
}

/* 0F 71-73: shifts by an immediate; ModRM.reg selects the operation. */
void x86_op_pshift_imm(X86Interp *s, const X86Insn *d)
{
    unsigned pc = sse_pc(d), op = d->reg & 7, count = d->imm & 0xff;
    unsigned es = d->op == 0x71 ? 2 : d->op == 0x72 ? 4 : 8;
    bool mmx = pc == SSE_P_NONE;
    int kind;
    XMMReg r;

    if (d->mod != 3 || (pc != SSE_P_NONE && pc != SSE_P_66)) {
        x86_raise(s, EXC_UD, 0);
    }
    switch (op) {
    case 2: kind = 0; break;
    case 4: kind = 1; break;
    case 6: kind = 2; break;
    case 3: case 7: kind = 3; break;
    default: kind = -1; break;
    }
    if (kind < 0 || (kind == 1 && es == 8) || (kind == 3 && (es != 8 || mmx))) {
        x86_raise(s, EXC_UD, 0);
    }
    if (mmx) {
        x86_mmx_enter(s);
        r.q[0] = mmx_get(s, d->rm);
        pshift(&r, 8, es, kind, count);
        mmx_set(s, d->rm, r.q[0]);
        return;
    }
    x86_sse_check(s);
    r = s->env->xmm[d->rm];
    if (kind == 3) {
        pshift_bytes(&r, count, op == 7);
    } else {
        pshift(&r, 16, es, kind, count);
    }
    s->env->xmm[d->rm] = r;
}
