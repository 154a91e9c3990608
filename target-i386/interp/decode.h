/*
 * The opcode tables the decoder reads (decode-table.c) and the decoder's
 * entry point (decode.c).  Tables are data: a handler and flags per opcode,
 * and per ModRM.reg for group opcodes.
 */
#ifndef TARGET_I386_INTERP_DECODE_H
#define TARGET_I386_INTERP_DECODE_H

#include "target-i386/interp/exec.h"

/* OpInfo.flags */
#define OPF_MODRM   (1u << 0)   /* a ModRM byte follows */
#define OPF_BYTE    (1u << 1)   /* 8-bit operands */
#define OPF_RMB     (1u << 2)   /* only the r/m operand is 8-bit (MOVZX, SETcc) */
#define OPF_D64     (1u << 3)   /* 64-bit operand size by default in 64-bit mode */
#define OPF_F64     (1u << 4)   /* 64-bit operand size always in 64-bit mode */
#define OPF_I64     (1u << 5)   /* invalid in 64-bit mode */
#define OPF_LOCK    (1u << 6)   /* LOCK allowed (with a memory destination) */
#define OPF_END     (1u << 7)   /* ends the block (control flow, mode changes) */
#define OPF_MEM     (1u << 8)   /* the r/m operand must be memory */
#define OPF_REGRM   (1u << 9)   /* mod is ignored: r/m is a register (MOV CRn) */
#define OPF_REGOP   (1u << 10)  /* register in the opcode's low three bits */
#define OPF_ACC     (1u << 11)  /* the r/m operand is the accumulator */
#define OPF_MOFFS   (1u << 12)  /* memory operand is an absolute offset (MOV AL, moffs) */
#define OPF_W16     (1u << 13)  /* operand size is 16 (MOV Sreg, LLDT...) */
/* Joins a run (X86Insn.run) in register form. */
#define OPF_RUN     (1u << 14)
/* Joins a run in memory form: the handler has a RAM fast path and takes its RIP from the run. */
#define OPF_MEMRUN  (1u << 15)
#define OPF_IMM_SHIFT 16
#define OPF_IMM_MASK  (0xfu << OPF_IMM_SHIFT)

enum {
    IMM_NONE,
    IMM_B,                      /* 8 bits, zero-extended */
    IMM_BS,                     /* 8 bits, sign-extended */
    IMM_W,                      /* 16 bits */
    IMM_Z,                      /* 16 or 32 bits (sign-extended for 64-bit operands) */
    IMM_V,                      /* 16, 32 or 64 bits */
    IMM_WB,                     /* ENTER: 16 then 8 bits */
    IMM_AP,                     /* far pointer: offset then selector */
    IMM_ONE,                    /* the constant 1 (shifts by one) */
};

#define IMM(k) ((uint32_t)(k) << OPF_IMM_SHIFT)

typedef struct OpInfo {
    X86Handler *fn;
    const struct OpInfo *group; /* 8 entries by ModRM.reg, or NULL */
    uint32_t flags;
    /* Faster handlers by operand size for a register / a memory r/m operand. */
    X86Handler *const *reg_sized;
    X86Handler *const *mem_sized;
} OpInfo;

extern const OpInfo x86_optab_1b[256];
extern const OpInfo x86_optab_0f[256];

#define X86_BLOCK_MAX_INSNS 32

/*
 * Decode up to max instructions at linear pc (the first instruction's
 * faults are raised; a later one that cannot be fetched ends the block).
 * Returns the count; *bytes is their total length and *page2 the physical
 * page a straddling last instruction reaches (UINT64_MAX if none).
 */
unsigned x86_decode_block(X86Interp *s, uint64_t pc, X86Insn *out, unsigned max,
                          unsigned *bytes, uint64_t *page2);

/*
 * Swap in flag-free handlers where a later instruction of the block
 * overwrites the flags first (flags-live.c).  Only for blocks run whole.
 */
void x86_block_elide_flags(X86Insn *insns, unsigned n);

#endif
