/*
 * The SSE opcode tables: the 0F-map entries that x86_optab_0f marks with
 * x86_op_sse_stub, and the 0F 38 and 0F 3A maps, each by prefix class
 * (none, 66, F3, F2; SDM vol. 2, 2.1.2 and appendix A.3).  An empty entry
 * is #UD.
 */
#include "target-i386/interp/decode.h"
#include "target-i386/interp/exec-sse.h"

#define M(fn)   { fn, NULL, OPF_MODRM }
#define MI(fn)  { fn, NULL, OPF_MODRM | IMM(IMM_B) }
#define MM(fn)  { fn, NULL, OPF_MODRM | OPF_MEM }
#define NO      { NULL, NULL, 0 }
/* Integer ops on mm (no prefix) and xmm (66). */
#define PINT    { M(x86_op_pint), M(x86_op_pint), NO, NO }
#define FP4     { M(x86_op_fp_arith), M(x86_op_fp_arith), M(x86_op_fp_arith), \
                  M(x86_op_fp_arith) }
#define X66(e)  { NO, e, NO, NO }

const OpInfo x86_optab_sse[256][4] = {
    [0x10] = { M(x86_op_movups), M(x86_op_movups), M(x86_op_movss), M(x86_op_movss) },
    [0x11] = { M(x86_op_movups), M(x86_op_movups), M(x86_op_movss), M(x86_op_movss) },
    [0x12] = { M(x86_op_movlps), MM(x86_op_movlps), M(x86_op_movsldup), M(x86_op_movddup) },
    [0x13] = { MM(x86_op_movlps), MM(x86_op_movlps), NO, NO },
    [0x14] = { M(x86_op_pint), M(x86_op_pint), NO, NO },
    [0x15] = { M(x86_op_pint), M(x86_op_pint), NO, NO },
    [0x16] = { M(x86_op_movhps), MM(x86_op_movhps), M(x86_op_movsldup), NO },
    [0x17] = { MM(x86_op_movhps), MM(x86_op_movhps), NO, NO },
    [0x28] = { M(x86_op_movaps), M(x86_op_movaps), NO, NO },
    [0x29] = { M(x86_op_movaps), M(x86_op_movaps), NO, NO },
    [0x2a] = { M(x86_op_cvt_si2fp), M(x86_op_cvt_si2fp), M(x86_op_cvt_si2fp),
               M(x86_op_cvt_si2fp) },
    [0x2b] = { MM(x86_op_movnt), MM(x86_op_movnt), NO, NO },
    [0x2c] = { M(x86_op_cvt_fp2si), M(x86_op_cvt_fp2si), M(x86_op_cvt_fp2si),
               M(x86_op_cvt_fp2si) },
    [0x2d] = { M(x86_op_cvt_fp2si), M(x86_op_cvt_fp2si), M(x86_op_cvt_fp2si),
               M(x86_op_cvt_fp2si) },
    [0x2e] = { M(x86_op_fp_comi), M(x86_op_fp_comi), NO, NO },
    [0x2f] = { M(x86_op_fp_comi), M(x86_op_fp_comi), NO, NO },
    [0x50] = { M(x86_op_movmskps), M(x86_op_movmskps), NO, NO },
    [0x51] = FP4,
    [0x52] = { M(x86_op_fp_arith), NO, M(x86_op_fp_arith), NO },
    [0x53] = { M(x86_op_fp_arith), NO, M(x86_op_fp_arith), NO },
    [0x54] = PINT, [0x55] = PINT, [0x56] = PINT, [0x57] = PINT,
    [0x58] = FP4, [0x59] = FP4, [0x5a] = FP4,
    [0x5b] = { M(x86_op_fp_arith), M(x86_op_fp_arith), M(x86_op_fp_arith), NO },
    [0x5c] = FP4, [0x5d] = FP4, [0x5e] = FP4, [0x5f] = FP4,
    [0x60] = PINT, [0x61] = PINT, [0x62] = PINT, [0x63] = PINT,
    [0x64] = PINT, [0x65] = PINT, [0x66] = PINT, [0x67] = PINT,
    [0x68] = PINT, [0x69] = PINT, [0x6a] = PINT, [0x6b] = PINT,
    [0x6c] = X66(M(x86_op_pint)), [0x6d] = X66(M(x86_op_pint)),
    [0x6e] = { M(x86_op_movd_to), M(x86_op_movd_to), NO, NO },
    [0x6f] = { M(x86_op_movq_mmx), M(x86_op_movdq), M(x86_op_movdq), NO },
    [0x70] = { MI(x86_op_pshuf), MI(x86_op_pshuf), MI(x86_op_pshuf), MI(x86_op_pshuf) },
    [0x71] = { MI(x86_op_pshift_imm), MI(x86_op_pshift_imm), NO, NO },
    [0x72] = { MI(x86_op_pshift_imm), MI(x86_op_pshift_imm), NO, NO },
    [0x73] = { MI(x86_op_pshift_imm), MI(x86_op_pshift_imm), NO, NO },
    [0x74] = PINT, [0x75] = PINT, [0x76] = PINT,
    [0x77] = { { x86_op_emms }, NO, NO, NO },
    [0x7c] = { NO, M(x86_op_fp_arith), NO, M(x86_op_fp_arith) },
    [0x7d] = { NO, M(x86_op_fp_arith), NO, M(x86_op_fp_arith) },
    [0x7e] = { M(x86_op_movd_from), M(x86_op_movd_from), M(x86_op_movq_xmm), NO },
    [0x7f] = { M(x86_op_movq_mmx), M(x86_op_movdq), M(x86_op_movdq), NO },
    [0xc2] = { MI(x86_op_fp_cmp), MI(x86_op_fp_cmp), MI(x86_op_fp_cmp), MI(x86_op_fp_cmp) },
    [0xc3] = { MM(x86_op_movnti), NO, NO, NO },
    [0xc4] = { MI(x86_op_pinsrw), MI(x86_op_pinsrw), NO, NO },
    [0xc5] = { MI(x86_op_pextrw), MI(x86_op_pextrw), NO, NO },
    [0xc6] = { MI(x86_op_pint), MI(x86_op_pint), NO, NO },
    [0xd0] = { NO, M(x86_op_fp_arith), NO, M(x86_op_fp_arith) },
    [0xd1] = PINT, [0xd2] = PINT, [0xd3] = PINT, [0xd4] = PINT, [0xd5] = PINT,
    [0xd6] = { NO, M(x86_op_movq_xmm), M(x86_op_movq2dq), M(x86_op_movq2dq) },
    [0xd7] = { M(x86_op_pmovmskb), M(x86_op_pmovmskb), NO, NO },
    [0xd8] = PINT, [0xd9] = PINT, [0xda] = PINT, [0xdb] = PINT,
    [0xdc] = PINT, [0xdd] = PINT, [0xde] = PINT, [0xdf] = PINT,
    [0xe0] = PINT, [0xe1] = PINT, [0xe2] = PINT, [0xe3] = PINT,
    [0xe4] = PINT, [0xe5] = PINT,
    [0xe6] = { NO, M(x86_op_fp_arith), M(x86_op_fp_arith), M(x86_op_fp_arith) },
    [0xe7] = { MM(x86_op_movnt), MM(x86_op_movnt), NO, NO },
    [0xe8] = PINT, [0xe9] = PINT, [0xea] = PINT, [0xeb] = PINT,
    [0xec] = PINT, [0xed] = PINT, [0xee] = PINT, [0xef] = PINT,
    [0xf0] = { NO, NO, NO, MM(x86_op_lddqu) },
    [0xf1] = PINT, [0xf2] = PINT, [0xf3] = PINT, [0xf4] = PINT,
    [0xf5] = PINT, [0xf6] = PINT,
    [0xf7] = { M(x86_op_maskmov), M(x86_op_maskmov), NO, NO },
    [0xf8] = PINT, [0xf9] = PINT, [0xfa] = PINT, [0xfb] = PINT,
    [0xfc] = PINT, [0xfd] = PINT, [0xfe] = PINT,
};

/* 0F 38: SSSE3 (mm and xmm), SSE4.1, SSE4.2's CRC32. */
const OpInfo x86_optab_0f38[256][4] = {
    [0x00] = PINT, [0x01] = PINT, [0x02] = PINT, [0x03] = PINT,
    [0x04] = PINT, [0x05] = PINT, [0x06] = PINT, [0x07] = PINT,
    [0x08] = PINT, [0x09] = PINT, [0x0a] = PINT, [0x0b] = PINT,
    [0x10] = X66(M(x86_op_pint)), [0x14] = X66(M(x86_op_pint)), [0x15] = X66(M(x86_op_pint)),
    [0x17] = X66(M(x86_op_sse41)),
    [0x1c] = PINT, [0x1d] = PINT, [0x1e] = PINT,
    [0x20] = X66(M(x86_op_sse41)), [0x21] = X66(M(x86_op_sse41)),
    [0x22] = X66(M(x86_op_sse41)), [0x23] = X66(M(x86_op_sse41)),
    [0x24] = X66(M(x86_op_sse41)), [0x25] = X66(M(x86_op_sse41)),
    [0x28] = X66(M(x86_op_pint)), [0x29] = X66(M(x86_op_pint)),
    [0x2a] = X66(MM(x86_op_lddqu)), [0x2b] = X66(M(x86_op_pint)),
    [0x30] = X66(M(x86_op_sse41)), [0x31] = X66(M(x86_op_sse41)),
    [0x32] = X66(M(x86_op_sse41)), [0x33] = X66(M(x86_op_sse41)),
    [0x34] = X66(M(x86_op_sse41)), [0x35] = X66(M(x86_op_sse41)),
    [0x37] = X66(M(x86_op_pint)), [0x38] = X66(M(x86_op_pint)),
    [0x39] = X66(M(x86_op_pint)), [0x3a] = X66(M(x86_op_pint)),
    [0x3b] = X66(M(x86_op_pint)), [0x3c] = X66(M(x86_op_pint)),
    [0x3d] = X66(M(x86_op_pint)), [0x3e] = X66(M(x86_op_pint)),
    [0x3f] = X66(M(x86_op_pint)), [0x40] = X66(M(x86_op_pint)),
    [0x41] = X66(M(x86_op_pint)),
    [0xf0] = { NO, NO, NO, { x86_op_crc32, NULL, OPF_MODRM | OPF_RMB } },
    [0xf1] = { NO, NO, NO, M(x86_op_crc32) },
};

/* 0F 3A: SSSE3's PALIGNR, SSE4.1, SSE4.2's string compares. */
const OpInfo x86_optab_0f3a[256][4] = {
    [0x08] = X66(MI(x86_op_fp_round)), [0x09] = X66(MI(x86_op_fp_round)),
    [0x0a] = X66(MI(x86_op_fp_round)), [0x0b] = X66(MI(x86_op_fp_round)),
    [0x0c] = X66(MI(x86_op_pint)), [0x0d] = X66(MI(x86_op_pint)),
    [0x0e] = X66(MI(x86_op_pint)),
    [0x0f] = { MI(x86_op_pint), MI(x86_op_pint), NO, NO },
    [0x14] = X66(MI(x86_op_pextr)), [0x15] = X66(MI(x86_op_pextr)),
    [0x16] = X66(MI(x86_op_pextr)), [0x17] = X66(MI(x86_op_pextr)),
    [0x20] = X66(MI(x86_op_pinsr)), [0x21] = X66(MI(x86_op_pinsr)),
    [0x22] = X66(MI(x86_op_pinsr)),
    [0x40] = X66(MI(x86_op_fp_dp)), [0x41] = X66(MI(x86_op_fp_dp)),
    [0x42] = X66(MI(x86_op_pint)),
    [0x60] = X66(MI(x86_op_pcmpstr)), [0x61] = X66(MI(x86_op_pcmpstr)),
    [0x62] = X66(MI(x86_op_pcmpstr)), [0x63] = X66(MI(x86_op_pcmpstr)),
};
