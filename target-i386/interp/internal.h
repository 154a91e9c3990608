/*
 * The interpreter's private state and its hot inline helpers: register
 * access, lazy flags, segment checks and the soft-TLB fast path.
 *
 * Speed beats brevity in this header: everything here runs per
 * instruction.  The slow paths it falls back to (mmu.c, flags.c) are the
 * readable reference.
 */
#ifndef TARGET_I386_INTERP_INTERNAL_H
#define TARGET_I386_INTERP_INTERNAL_H

#include <setjmp.h>
#include <string.h>
#include <glib.h>

#include "target-i386/interp/interp.h"

#define X86_PAGE_SIZE   4096u
#define X86_PAGE_MASK   (~(uint64_t)0xfff)

/* Operand sizes, as log2 of the byte count. */
enum { OT_B, OT_W, OT_L, OT_Q };

static const uint64_t x86_size_mask[4] = {
    0xff, 0xffff, 0xffffffff, UINT64_MAX,
};

/* Exception vectors (SDM vol. 3, 6.3.1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
    EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* Page-fault error code (SDM vol. 3, 4.7). */
#define PF_ERR_P    (1u << 0)
#define PF_ERR_W    (1u << 1)
#define PF_ERR_U    (1u << 2)
#define PF_ERR_RSVD (1u << 3)
#define PF_ERR_I    (1u << 4)

/* How an event entered the CPU: decides privilege checks and the saved RIP. */
typedef enum X86EventKind {
    EVENT_FAULT,                /* exception: RIP is the faulting instruction */
    EVENT_SOFT,                 /* INT n, INTO, INT3: gate DPL checked, RIP is the next one */
    EVENT_ICEBP,                /* INT1 (0xF1): like an exception, RIP is the next one */
    EVENT_EXT,                  /* INTR, NMI: EXT bit in error codes */
} X86EventKind;

/* Soft TLB: one table per access kind and privilege. */
enum { ACC_READ, ACC_WRITE, ACC_EXEC, ACC_NB };
enum { MMU_KERNEL, MMU_USER, MMU_NB };

#define TLB_BITS    9
#define TLB_SIZE    (1u << TLB_BITS)
/*
 * Low bits of a tag.  The fast path compares the tag with a page address,
 * so any flag sends the access to the slow path, which reads the flag.
 */
#define TLB_IO      1u          /* not plain RAM: address_space_ld/st */
#define TLB_CODE    2u          /* a write to a page holding decoded code */
#define TLB_AC      4u          /* alignment checking is on: user data accesses go slow */
#define TLB_WATCH   8u          /* a data breakpoint watches this page (debug.c) */
#define TLB_EMPTY   UINT64_MAX

typedef struct TLBEntry {
    uint64_t tag;               /* virtual page | TLB_* flags */
    uintptr_t addend;           /* host = virtual + addend (RAM only) */
} TLBEntry;

/* Lazy flags: the last flag-setting operation, computed when read. */
typedef enum CCOp {
    CC_OP_EFLAGS,               /* cc_dst holds the OSZAPC bits */
    CC_OP_ADD,
    CC_OP_ADC,                  /* cc_aux: carry in */
    CC_OP_SUB,
    CC_OP_SBB,                  /* cc_aux: borrow in */
    CC_OP_LOGIC,
    CC_OP_INC,                  /* cc_aux: CF before (INC keeps CF) */
    CC_OP_DEC,
    CC_OP_SHL,                  /* cc_aux: last bit shifted out */
    CC_OP_SHR,                  /* cc_src1: the value before the shift */
    CC_OP_SAR,
    CC_OP_MUL,                  /* cc_aux: CF = OF */
} CCOp;

#define CC_ARITH (CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C)

/* Register numbers in a decoded instruction. */
#define REG_NONE    0xff
#define RIP_BASE     0xfe        /* base of a RIP-relative operand */
/* Byte registers: 0-15 the low byte; 16-19 AH, CH, DH, BH. */
#define REG_AH      16

/* X86Insn.pfx */
#define PFX_REX     (1u << 0)
#define PFX_REXW    (1u << 1)
#define PFX_LOCK    (1u << 2)
#define PFX_REPZ    (1u << 3)   /* F3 */
#define PFX_REPNZ   (1u << 4)   /* F2 */
#define PFX_OPSIZE  (1u << 5)   /* 66 */
#define PFX_SEG     (1u << 6)   /* an explicit segment override */

typedef struct X86Insn X86Insn;
typedef void X86Handler(X86Interp *s, const X86Insn *d);

/* One decoded instruction: a handler and the operands the decoder extracted. */
struct X86Insn {
    X86Handler *fn;
    int64_t disp;               /* displacement; for moffs forms the offset */
    uint64_t imm;               /* immediate, extended as the instruction says */
    union {
        uint16_t imm2;          /* ENTER's level; far pointer selector */
        uint16_t run_bytes;     /* in a run: bytes from here to the run's end */
    };
    uint8_t len;
    uint8_t run;                /* instructions in the run starting here (x86_run_next) */
    uint8_t ot;                 /* operand size */
    uint8_t aot;                /* address size: OT_W, OT_L or OT_Q */
    uint8_t seg;                /* segment of the memory operand */
    uint8_t reg;                /* ModRM.reg register (byte-encoded when ot is OT_B) */
    uint8_t rm;                 /* ModRM.rm register when mod == 3 */
    uint8_t mod;                /* 3: register operand; else memory */
    uint8_t base, index, scale; /* memory operand */
    uint8_t op;                 /* opcode (low byte), or ModRM.reg for groups */
    uint8_t pfx;                /* PFX_* */
    uint8_t map;                /* 0: one-byte map, 1: 0F, 2: 0F 38, 3: 0F 3A */
};

/*
 * The end of every handler that can sit in a run (X86Insn.run): it enters
 * the next instruction of the run itself, by a tail call, so a run costs
 * one indirect jump per instruction instead of a trip through the run
 * loop.  A run member's fast path cannot fault and reads no RIP: register
 * operands, or a RAM hit (MOV, MOVZX, MOVSX, LEA), or a 64-bit Jcc.
 * Anything else goes through x86_run_general().
 */
static inline void x86_run_next(X86Interp *s, const X86Insn *d)
{
    if (d->run > 1) {
        d[1].fn(s, d + 1);
    }
}

/*
 * A run member whose fast path does not apply (a TLB miss, a segment check,
 * a fault, a Jcc on flags not computed yet) runs through its general
 * handler as a lone instruction, with env->rip and s->next_rip its own.
 * The run goes on after it unless it stopped the block (a taken branch, a
 * data breakpoint, a write to code, a device access that changed the
 * memory map), which gives back the budget of the run's rest.
 */
void x86_run_general(X86Interp *s, const X86Insn *d, X86Handler *general);

/*
 * Where a block went next: a jump-cache entry kept in the block, so the run
 * loop finds the next block without a lookup in the big jump cache (whose
 * entries miss the L1 cache).  Valid while stamp is the context's jc_stamp,
 * which changes whenever its jump cache is cleared, and so before any
 * block is freed.
 */
typedef struct X86BlockLink {
    uint64_t pc;                /* linear address of the next block */
    uint64_t stamp;             /* the context's jc_stamp when linked */
    struct X86Block *b;
    uint32_t key;               /* jc_key when linked */
} X86BlockLink;

/* A run of decoded instructions at one guest physical address. */
typedef struct X86Block {
    uint64_t phys;              /* physical address of the first byte */
    uint64_t page2;             /* physical page of a straddling last instruction, or UINT64_MAX */
    uint32_t mode;              /* decode mode (code size), part of the key */
    uint16_t n;                 /* instructions */
    uint16_t bytes;             /* total length */
    bool valid;                 /* false once invalidated (a zombie until freed) */
    uint8_t link_victim;        /* the link the next miss replaces */
    struct X86Block *hnext;     /* hash chain */
    X86BlockLink link[2];       /* a Jcc's two ways, or a return's last two destinations */
    X86Insn insns[];
} X86Block;

/* Jump cache: linear PC and mode key to block, flushed with the exec TLB. */
typedef struct JumpCacheEntry {
    uint64_t pc;
    uint32_t key;
    X86Block *b;
} JumpCacheEntry;

#define JC_BITS 12
#define JC_SIZE (1u << JC_BITS)

/*
 * A segment in the form the hot path wants: base, and the range of valid
 * offsets.  check_r/check_w say that an access of that kind needs the slow
 * check (limits that are not flat, expand-down, unusable or read-only).
 */
typedef struct SegFast {
    uint64_t base;
    uint64_t lo, hi;            /* valid offsets, inclusive */
    bool check_r, check_w;
    bool readable, writable;
} SegFast;

struct X86Interp {
    CPUX86State *env;
    X86InterpCtx *ctx;
    uint64_t next_rip;          /* RIP after the executing instruction; branches set it */

    /* Lazy flags. */
    uint64_t cc_dst, cc_src1, cc_src2;
    uint32_t cc_aux;
    uint8_t cc_op, cc_ot;

    bool stop;                  /* leave the current block after this instruction */
    bool halted_now;            /* HLT executed */
    bool inhibit_irq;           /* STI / MOV SS shadow for the next instruction */
    bool nmi_blocked;           /* between NMI delivery and IRET */

    /* Mode, from x86_update_mode(). */
    uint8_t code_ot;            /* OT_W, OT_L, OT_Q: default code size */
    bool long64;                /* 64-bit mode */
    bool pe, v86;
    uint8_t cpl;
    uint8_t mmu_idx;            /* MMU_USER at CPL 3 */
    uint32_t jc_key;            /* code size and mmu_idx: the jump cache's key */
    bool cs_limit_check;        /* blocks may run past CS's limit (not flat, not 64-bit) */
    uint8_t bp_exec, bp_data;   /* DR7's enabled instruction and data breakpoints, a bit each */
    uint8_t bp_io;              /* and its enabled I/O breakpoints (only with CR4.DE) */
    bool slow_blocks;           /* cs_limit_check or a breakpoint: run.c's per-block prologue */
    uint8_t db_hits;            /* data and I/O breakpoints the running instruction hit */
    uint64_t sp_mask;
    uint64_t lin_mask;          /* data linear addresses wrap at 4 GiB outside 64-bit mode */
    uint64_t sys_lin_mask;      /* descriptor tables, TSS: 64-bit whenever long mode is active */
    uint64_t a20_mask;
    SegFast seg[CPU_NB_SEGS];
    uint64_t cr8;               /* CR8 without a cr8_access hook (no local APIC) */

    /* Paging registers the TLB was filled under. */
    uint64_t tlb_cr0, tlb_cr3, tlb_cr4, tlb_efer;
    bool tlb_a20;
    bool tlb_ac;                /* user data entries carry TLB_AC */

    /* Exceptions: set before longjmp to jb. */
    jmp_buf jb;
    int exc_vector;
    uint32_t exc_error;
    bool exc_has_error;
    X86EventKind exc_kind;
    int delivering;             /* vector being delivered, -1 if none */
    X86EventKind delivering_kind;
    bool in_double_fault;

    bool env_changed;           /* reload from env at the next run */
    int64_t budget_left;        /* instructions left in this x86_interp_run() */
    unsigned flush_gen;         /* x86_interp_flush_all generation seen */

    /* Last RAM range found for a physical address, for reads and writes. */
    uint64_t pcache_start[2], pcache_end[2];
    uint8_t *pcache_host[2];

    TLBEntry tlb[MMU_NB][ACC_NB][TLB_SIZE];
    uint64_t tlb_phys[MMU_NB][ACC_NB][TLB_SIZE];
    JumpCacheEntry jc[JC_SIZE];
    uint64_t jc_stamp;          /* new whenever jc is cleared: X86BlockLink */

    X86Interp *next_ctx;        /* every context, for code-page write protection */
};

/* ---- Registers -------------------------------------------------------------- */

/* After cs_limit_check or a breakpoint set (bp_*) change (seg.c, debug.c). */
static inline void x86_update_slow_blocks(X86Interp *s)
{
    s->slow_blocks = s->cs_limit_check || s->bp_exec || s->bp_data || s->bp_io;
}

static inline uint64_t reg_get(X86Interp *s, unsigned r, int ot)
{
    uint64_t *regs = s->env->regs;
    switch (ot) {
    case OT_B:
        return r >= REG_AH ? (regs[r - REG_AH] >> 8) & 0xff : regs[r] & 0xff;
    case OT_W:
        return regs[r] & 0xffff;
    case OT_L:
        return (uint32_t)regs[r];
    default:
        return regs[r];
    }
}

/* Writes with the architectural rule: 32-bit writes zero the upper half. */
static inline void reg_set(X86Interp *s, unsigned r, int ot, uint64_t v)
{
    uint64_t *regs = s->env->regs;
    switch (ot) {
    case OT_B:
        if (r >= REG_AH) {
            regs[r - REG_AH] = (regs[r - REG_AH] & ~0xff00ull) | ((v & 0xff) << 8);
        } else {
            regs[r] = (regs[r] & ~0xffull) | (v & 0xff);
        }
        break;
    case OT_W:
        regs[r] = (regs[r] & ~0xffffull) | (v & 0xffff);
        break;
    case OT_L:
        regs[r] = (uint32_t)v;
        break;
    default:
        regs[r] = v;
        break;
    }
}

static inline int64_t sext(uint64_t v, int ot)
{
    switch (ot) {
    case OT_B:
        return (int8_t)v;
    case OT_W:
        return (int16_t)v;
    case OT_L:
        return (int32_t)v;
    default:
        return (int64_t)v;
    }
}

static inline uint64_t sign_bit(int ot)
{
    return 1ull << ((8 << ot) - 1);
}

/* ---- Lazy flags (flags.c holds the reference computation) -------------------- */

uint32_t x86_cc_compute(const X86Interp *s);
bool x86_cc_cond_slow(const X86Interp *s, int cond);
uint64_t x86_get_eflags(X86Interp *s);
/* Set RFLAGS bits in mask from val (arithmetic flags go to the lazy state). */
void x86_set_eflags(X86Interp *s, uint64_t val, uint64_t mask);

static inline void cc_set(X86Interp *s, CCOp op, int ot, uint64_t a, uint64_t b, uint64_t r)
{
    s->cc_op = op;
    s->cc_ot = ot;
    s->cc_src1 = a;
    s->cc_src2 = b;
    s->cc_dst = r;
}

static inline void cc_set_flags(X86Interp *s, uint32_t flags)
{
    s->cc_op = CC_OP_EFLAGS;
    s->cc_dst = flags & CC_ARITH;
}

static inline bool cc_carry(const X86Interp *s)
{
    switch (s->cc_op) {
    case CC_OP_LOGIC:
        return false;
    case CC_OP_SUB:
        return s->cc_src1 < s->cc_src2;
    case CC_OP_ADD:
        return s->cc_dst < s->cc_src1;
    case CC_OP_EFLAGS:
        return s->cc_dst & CC_C;
    default:
        return x86_cc_compute(s) & CC_C;
    }
}

/*
 * A Jcc/SETcc/CMOVcc condition (SDM vol. 1, B.1) straight from the lazy
 * flags for what loops do (compare/subtract, logic, the zero and sign
 * flags); -1 when the flags must be computed.
 */
static inline int x86_cond_lazy(const X86Interp *s, int cond)
{
    bool r;
    int shift = 64 - (8 << s->cc_ot);

    if (s->cc_op == CC_OP_EFLAGS) {
        return -1;
    }
    switch (cond >> 1) {
    case 2:                                 /* Z */
        r = s->cc_dst == 0;
        break;
    case 4:                                 /* S */
        r = (s->cc_dst >> ((8 << s->cc_ot) - 1)) & 1;
        break;
    case 1:                                 /* B */
        if (s->cc_op != CC_OP_SUB && s->cc_op != CC_OP_LOGIC) {
            return -1;
        }
        r = s->cc_op == CC_OP_SUB && s->cc_src1 < s->cc_src2;
        break;
    case 3:                                 /* BE */
        if (s->cc_op != CC_OP_SUB) {
            return -1;
        }
        r = s->cc_src1 <= s->cc_src2;
        break;
    case 6:                                 /* L */
        if (s->cc_op != CC_OP_SUB) {
            return -1;
        }
        r = (int64_t)(s->cc_src1 << shift) < (int64_t)(s->cc_src2 << shift);
        break;
    case 7:                                 /* LE */
        if (s->cc_op != CC_OP_SUB) {
            return -1;
        }
        r = (int64_t)(s->cc_src1 << shift) <= (int64_t)(s->cc_src2 << shift);
        break;
    default:
        return -1;
    }
    return r ^ (cond & 1);
}

/* A Jcc/SETcc/CMOVcc condition. */
static inline bool x86_cond(const X86Interp *s, int cond)
{
    int r = x86_cond_lazy(s, cond);
    return r >= 0 ? r : x86_cc_cond_slow(s, cond);
}

/* ---- Exceptions (except.c) ------------------------------------------------------ */

/* Raise an exception; the vector decides whether error_code is pushed. */
G_NORETURN void x86_raise(X86Interp *s, int vector, uint32_t error_code);
/* INT n / INT3 / INTO / INT1: delivered with the next instruction's RIP. */
G_NORETURN void x86_raise_soft(X86Interp *s, int vector, X86EventKind kind);
/* Deliver an event now (the run loop calls it; faults inside longjmp again). */
void x86_deliver(X86Interp *s, int vector, X86EventKind kind, bool has_error,
                 uint32_t error_code);
bool x86_vector_has_error(int vector);
/*
 * The raised exception is in s->exc_*: deliver it, turning a fault during
 * delivery into #DF or a triple fault.  Returns false on a triple fault.
 */
bool x86_handle_exception(X86Interp *s);

/* Read the inner stack for privilege level dpl from the TSS (legacy and 64-bit). */
void x86_tss_stack(X86Interp *s, unsigned dpl, uint16_t *ss, uint64_t *sp, bool ext);
/* The checks on a new inner stack segment (#TS, #SS). */
void x86_check_inner_ss(X86Interp *s, uint16_t ss, unsigned dpl, bool ext,
                        uint32_t *lo, uint32_t *hi);
/* Null the data segment registers a return to an outer level must not keep (SDM RET, IRET). */
void x86_null_outer_segs(X86Interp *s);

/* ---- Task switches (task.c) ------------------------------------------------------ */

/* What started a task switch: decides the busy flags, NT and the back link (SDM vol. 3, table 7-2). */
typedef enum X86TaskSource { TASK_JMP, TASK_CALL, TASK_IRET, TASK_EVENT } X86TaskSource;
#define TASK_EXT    1u          /* an external event or exception: EXT in error codes */
#define TASK_RF     2u          /* a fault: RF set in the saved EFLAGS */
#define TASK_ERROR  4u          /* push error_code on the new task's stack */
/* Switch to the TSS sel (SDM vol. 3, 7.3); old_eip is saved in the old TSS. */
void x86_task_switch(X86Interp *s, uint16_t sel, X86TaskSource src, uint64_t old_eip,
                     unsigned flags, uint32_t error_code);

/* ---- Segments and modes (seg.c) ------------------------------------------------ */

/* Recompute the cached mode (CPL, sizes, masks, SegFast) from env. */
void x86_update_mode(X86Interp *s);
void x86_update_seg(X86Interp *s, int seg);
/* The slow segment check: raises #GP(0) or #SS(0). */
void x86_seg_check(X86Interp *s, int seg, uint64_t off, unsigned size, bool write);
/* Linear address of a selector's descriptor; false if outside its table. */
bool x86_desc_addr(X86Interp *s, uint16_t sel, uint64_t *addr);
bool x86_desc_read(X86Interp *s, uint16_t sel, uint32_t *lo, uint32_t *hi);
void x86_desc_to_cache(SegmentCache *c, uint16_t sel, uint32_t lo, uint32_t hi);
void x86_desc_set_accessed(X86Interp *s, uint16_t sel, uint32_t hi);
/* MOV/POP to a segment register, with the protected-mode checks. */
void x86_load_seg(X86Interp *s, int seg, uint16_t sel);

static inline uint64_t x86_seg_lin(X86Interp *s, int seg, uint64_t off, int ot, bool write)
{
    const SegFast *sf = &s->seg[seg];
    if (G_UNLIKELY(write ? sf->check_w : sf->check_r)) {
        x86_seg_check(s, seg, off, 1u << ot, write);
    }
    return (sf->base + off) & s->lin_mask;
}

/* ---- Memory (mmu.c) -------------------------------------------------------------- */

uint64_t x86_ld_slow(X86Interp *s, uint64_t lin, int ot, int mmu, int seg);
void x86_st_slow(X86Interp *s, uint64_t lin, int ot, uint64_t val, int mmu, int seg);
/* Translate for a write (faulting if it must); host pointer for RAM, NULL otherwise. */
void *x86_wptr_slow(X86Interp *s, uint64_t lin, int ot, int mmu, int seg);
/* Physical address of lin for kind, filling the TLB (may fault). */
uint64_t x86_translate(X86Interp *s, uint64_t lin, int kind, int mmu, int seg);
/* Host pointer of a code byte, valid to the end of its page; NULL for non-RAM. */
const uint8_t *x86_fetch_ptr(X86Interp *s, uint64_t lin, uint64_t *phys, bool may_fault,
                             bool *faulted);
void x86_tlb_flush(X86Interp *s);
void x86_tlb_flush_page(X86Interp *s, uint64_t lin);
/* After CR0.AM, EFLAGS.AC or CPL may have changed: refill user data entries if #AC turned on or off. */
void x86_ac_sync(X86Interp *s);
/* Hardware breakpoints (debug.c). */
#define DR6_BD  (1u << 13)
#define DR6_BS  (1u << 14)
#define DR6_BT  (1u << 15)
/* After DR0-DR3, DR7 or CR4.DE changed: which breakpoints are on; refill the TLB for data ones. */
void x86_dr_update(X86Interp *s);
/* MOV to or from a debug register with DR7.GD set: #DB. */
void x86_dr_general_detect(X86Interp *s);
/* Does a data breakpoint watch a byte of this linear page for reads (or writes)? */
bool x86_dr_watches_page(X86Interp *s, uint64_t page, bool write);
/* A slow-path access to a watched page: note the breakpoints it hits. */
void x86_dr_access(X86Interp *s, uint64_t lin, unsigned size, bool write);
/* Port I/O of size bytes while bp_io is set: note the I/O breakpoints it hits. */
void x86_dr_io(X86Interp *s, uint16_t port, unsigned size);

/* After IN, OUT or an iteration of INS or OUTS. */
static inline void x86_dr_check_io(X86Interp *s, uint16_t port, unsigned size)
{
    if (G_UNLIKELY(s->bp_io)) {
        x86_dr_io(s, port, size);
    }
}
/* How many of the n instructions run before an instruction breakpoint (#DB if the first). */
unsigned x86_dr_exec_cut(X86Interp *s, const X86Insn *insns, unsigned n);
/* The DR6.B0-B3 bits of the data and I/O breakpoints hit since the last call. */
uint32_t x86_dr_take_hits(X86Interp *s);
/* Mark write entries of phys page in every context as TLB_CODE. */
void x86_tlb_protect_code_page(uint64_t page);
/* Clear the jump caches of every context (before freeing blocks). */
void x86_jc_clear_all(void);
void x86_interp_register(X86Interp *s);
void x86_interp_unregister(X86Interp *s);
/* Host pointer for len bytes of RAM at phys, or NULL (MMIO, ROM for writes, unassigned). */
void *x86_phys_host(X86Interp *s, uint64_t phys, unsigned len, bool is_write);
/* Physical memory accesses (page tables, A/D bits); MMIO under the BQL. */
uint64_t x86_phys_ld(X86Interp *s, uint64_t phys, int ot);
void x86_phys_st(X86Interp *s, uint64_t phys, int ot, uint64_t val);
/* I/O permission: IOPL, then the TSS bitmap (SDM vol. 1, 19.5); raises #GP(0). */
void x86_check_io(X86Interp *s, uint16_t port, unsigned size);
/* Port I/O under the BQL. */
uint64_t x86_io_in(X86Interp *s, uint16_t port, int ot);
void x86_io_out(X86Interp *s, uint16_t port, int ot, uint64_t val);

/* The guest TSC (msr.c). */
uint64_t x86_tsc_read(X86Interp *s);

/* ---- Decoded-code cache (cache.c) ---------------------------------------------- */

/* Set up the cache and its memory listener (first context; BQL held, main thread). */
void x86_cache_init(void);
bool x86_code_page_has_code(uint64_t page);
/* A guest write to [phys, phys+len): drop overlapping blocks; true if the page still holds code. */
bool x86_code_write(X86Interp *s, uint64_t phys, unsigned len);
/* The block to run at the current CS:RIP (decoding it if needed; may fault). */
X86Block *x86_block_lookup(X86Interp *s);

static inline unsigned jc_index(uint64_t pc)
{
    return (pc ^ (pc >> JC_BITS)) & (JC_SIZE - 1);
}

static inline bool x86_link_hit(X86Interp *s, const X86BlockLink *l, uint64_t pc)
{
    return l->pc == pc && l->stamp == s->jc_stamp && l->key == s->jc_key && l->b->valid;
}

/*
 * The block at CS:rip for the run loop: from the links of prev (the block
 * run before, or NULL; the caller knows it is not freed: its stamp is
 * current), else from the jump cache, else x86_block_lookup().  A miss in
 * prev's links replaces one of them.
 */
static inline X86Block *x86_block_lookup_fast(X86Interp *s, uint64_t rip, X86Block *prev)
{
    uint64_t pc = (s->seg[R_CS].base + rip) & s->lin_mask;
    if (prev) {
        if (G_LIKELY(x86_link_hit(s, &prev->link[0], pc))) {
            return prev->link[0].b;
        }
        if (x86_link_hit(s, &prev->link[1], pc)) {
            return prev->link[1].b;
        }
    }
    uint64_t stamp = s->jc_stamp;
    JumpCacheEntry *je = &s->jc[jc_index(pc)];
    X86Block *b;
    /* A cleared entry has key 0, which no mode has: je->b is then not read. */
    if (G_LIKELY(je->pc == pc && je->key == s->jc_key && je->b->valid)) {
        b = je->b;
    } else {
        b = x86_block_lookup(s);
    }
    if (prev && s->jc_stamp == stamp) {         /* else the lookup flushed: prev may be gone */
        X86BlockLink *l = &prev->link[prev->link_victim];
        prev->link_victim ^= 1;
        *l = (X86BlockLink){ .pc = pc, .stamp = stamp, .b = b, .key = s->jc_key };
    }
    return b;
}
/* Apply flushes and invalidations requested from other threads or by listeners. */
void x86_cache_sync(X86Interp *s);
extern unsigned x86_flush_gen_global;

static inline uint64_t ldn(const void *p, int ot)
{
    switch (ot) {
    case OT_B:
        return *(const uint8_t *)p;
    case OT_W: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case OT_L: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static inline void stn(void *p, int ot, uint64_t v)
{
    switch (ot) {
    case OT_B:
        *(uint8_t *)p = v;
        break;
    case OT_W: {
        uint16_t x = v;
        memcpy(p, &x, 2);
        break;
    }
    case OT_L: {
        uint32_t x = v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static inline TLBEntry *tlb_entry(X86Interp *s, uint64_t lin, int kind, int mmu)
{
    return &s->tlb[mmu][kind][(lin >> 12) & (TLB_SIZE - 1)];
}

/*
 * A hit is plain RAM mapped for the whole access: e is indexed by the first
 * byte's page and its tag must be the last byte's page, so an access that
 * crosses into the next page (or any flagged entry) misses.
 */
static inline bool tlb_hit(const TLBEntry *e, uint64_t lin, int ot)
{
    return e->tag == ((lin + (1u << ot) - 1) & X86_PAGE_MASK);
}

static inline void *tlb_host(const TLBEntry *e, uint64_t lin)
{
    return (void *)(uintptr_t)(lin + e->addend);
}

/* The host address of a RAM access that hits the TLB, or NULL. */
static inline void *tlb_fast(X86Interp *s, uint64_t lin, int ot, int kind, int mmu)
{
    TLBEntry *e = tlb_entry(s, lin, kind, mmu);
    return G_LIKELY(tlb_hit(e, lin, ot)) ? tlb_host(e, lin) : NULL;
}

/* A load through a segment (checks, TLB, MMIO slow path). */
static inline uint64_t x86_ld(X86Interp *s, int seg, uint64_t off, int ot)
{
    uint64_t lin = x86_seg_lin(s, seg, off, ot, false);
    TLBEntry *e = tlb_entry(s, lin, ACC_READ, s->mmu_idx);
    if (G_LIKELY(tlb_hit(e, lin, ot))) {
        return ldn(tlb_host(e, lin), ot);
    }
    return x86_ld_slow(s, lin, ot, s->mmu_idx, seg);
}

static inline void x86_st(X86Interp *s, int seg, uint64_t off, int ot, uint64_t val)
{
    uint64_t lin = x86_seg_lin(s, seg, off, ot, true);
    TLBEntry *e = tlb_entry(s, lin, ACC_WRITE, s->mmu_idx);
    if (G_LIKELY(tlb_hit(e, lin, ot))) {
        stn(tlb_host(e, lin), ot, val);
        return;
    }
    x86_st_slow(s, lin, ot, val, s->mmu_idx, seg);
}

/*
 * The fast path alone, free of side effects: false when the access needs a
 * segment check or misses the TLB.  A handler then redoes the whole
 * instruction through its general form as a tail call, so the common path
 * saves no registers for a call it does not make.
 */
static inline bool x86_ld_fast(X86Interp *s, int seg, uint64_t off, int ot, uint64_t *v)
{
    const SegFast *sf = &s->seg[seg];
    uint64_t lin = (sf->base + off) & s->lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_READ, s->mmu_idx);
    if (G_UNLIKELY(sf->check_r) || G_UNLIKELY(!tlb_hit(e, lin, ot))) {
        return false;
    }
    *v = ldn(tlb_host(e, lin), ot);
    return true;
}

static inline bool x86_st_fast(X86Interp *s, int seg, uint64_t off, int ot, uint64_t val)
{
    const SegFast *sf = &s->seg[seg];
    uint64_t lin = (sf->base + off) & s->lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_WRITE, s->mmu_idx);
    if (G_UNLIKELY(sf->check_w) || G_UNLIKELY(!tlb_hit(e, lin, ot))) {
        return false;
    }
    stn(tlb_host(e, lin), ot, val);
    return true;
}

/* Supervisor accesses by linear address (descriptor tables, TSS, IDT). */
static inline uint64_t x86_ld_sys(X86Interp *s, uint64_t lin, int ot)
{
    lin &= s->sys_lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_READ, MMU_KERNEL);
    return tlb_hit(e, lin, ot) ? ldn(tlb_host(e, lin), ot)
                               : x86_ld_slow(s, lin, ot, MMU_KERNEL, -1);
}

static inline void x86_st_sys(X86Interp *s, uint64_t lin, int ot, uint64_t val)
{
    lin &= s->sys_lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_WRITE, MMU_KERNEL);
    if (tlb_hit(e, lin, ot)) {
        stn(tlb_host(e, lin), ot, val);
    } else {
        x86_st_slow(s, lin, ot, val, MMU_KERNEL, -1);
    }
}

/* Read-modify-write: translate for writing once, then load and store. */
typedef struct X86MemRef {
    void *host;
    uint64_t lin;
    int seg;
} X86MemRef;

static inline uint64_t x86_rmw_ld(X86Interp *s, int seg, uint64_t off, int ot, X86MemRef *m)
{
    m->lin = x86_seg_lin(s, seg, off, ot, true);
    m->seg = seg;
    TLBEntry *e = tlb_entry(s, m->lin, ACC_WRITE, s->mmu_idx);
    if (G_LIKELY(tlb_hit(e, m->lin, ot))) {
        m->host = tlb_host(e, m->lin);
        return ldn(m->host, ot);
    }
    m->host = x86_wptr_slow(s, m->lin, ot, s->mmu_idx, seg);
    if (!m->host) {
        return x86_ld_slow(s, m->lin, ot, s->mmu_idx, seg);
    }
    return ldn(m->host, ot);
}

static inline void x86_rmw_st(X86Interp *s, const X86MemRef *m, int ot, uint64_t val)
{
    if (G_LIKELY(m->host != NULL)) {
        stn(m->host, ot, val);
    } else {
        x86_st_slow(s, m->lin, ot, val, s->mmu_idx, m->seg);
    }
}

/* ---- Operands ------------------------------------------------------------------ */

/* A run member's next RIP: s->next_rip holds the run's end. */
static inline uint64_t x86_run_next_rip(X86Interp *s, const X86Insn *d)
{
    return s->next_rip - d->run_bytes + d->len;
}

/*
 * A run member that stopped the block: the run loop counts the whole run,
 * so give back the budget of the instructions after it, which do not run.
 */
static inline void x86_run_ends_here(X86Interp *s, const X86Insn *d)
{
    s->budget_left += d->run - 1;
}

/* The effective address (offset in the segment) of the memory operand. */
static inline uint64_t insn_ea_at(X86Interp *s, const X86Insn *d, uint64_t next_rip)
{
    uint64_t a = d->disp;
    if (d->base < 16) {
        a += s->env->regs[d->base];
    } else if (d->base == RIP_BASE) {
        a += next_rip;
    }
    if (d->index < 16) {
        a += s->env->regs[d->index] << d->scale;
    }
    return a & x86_size_mask[d->aot];
}

static inline uint64_t insn_ea(X86Interp *s, const X86Insn *d)
{
    return insn_ea_at(s, d, s->next_rip);
}

/* The same for a run member (RIP-relative operands count from its own end). */
static inline uint64_t run_ea(X86Interp *s, const X86Insn *d)
{
    return insn_ea_at(s, d, x86_run_next_rip(s, d));
}

/* The r/m operand as a source. */
static inline uint64_t op_rm_get(X86Interp *s, const X86Insn *d, int ot)
{
    if (d->mod == 3) {
        return reg_get(s, d->rm, ot);
    }
    return x86_ld(s, d->seg, insn_ea(s, d), ot);
}

/* The r/m operand as a destination. */
static inline void op_rm_set(X86Interp *s, const X86Insn *d, int ot, uint64_t v)
{
    if (d->mod == 3) {
        reg_set(s, d->rm, ot, v);
    } else {
        x86_st(s, d->seg, insn_ea(s, d), ot, v);
    }
}

/* ---- Stack ------------------------------------------------------------------------ */

static inline void x86_push(X86Interp *s, int ot, uint64_t val)
{
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t sp = (*rsp - (1u << ot)) & s->sp_mask;
    x86_st(s, R_SS, sp, ot, val);
    *rsp = (*rsp & ~s->sp_mask) | sp;
}

static inline uint64_t x86_pop(X86Interp *s, int ot)
{
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t v = x86_ld(s, R_SS, *rsp & s->sp_mask, ot);
    *rsp = (*rsp & ~s->sp_mask) | ((*rsp + (1u << ot)) & s->sp_mask);
    return v;
}

/*
 * A stack being built by event delivery or a far call: writes go to
 * base + (sp & mask) with the given privilege.
 */
typedef struct X86Stack {
    uint64_t base;
    uint64_t sp;
    uint64_t mask;
    int mmu;
} X86Stack;

static inline void x86_stack_push(X86Interp *s, X86Stack *k, int ot, uint64_t val)
{
    k->sp = (k->sp - (1u << ot)) & k->mask;
    uint64_t lin = (k->base + k->sp) & s->sys_lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_WRITE, k->mmu);
    if (tlb_hit(e, lin, ot)) {
        stn(tlb_host(e, lin), ot, val);
    } else {
        x86_st_slow(s, lin, ot, val, k->mmu, R_SS);
    }
}

static inline uint64_t x86_stack_read(X86Interp *s, X86Stack *k, unsigned off, int ot)
{
    uint64_t lin = (k->base + ((k->sp + off) & k->mask)) & s->sys_lin_mask;
    TLBEntry *e = tlb_entry(s, lin, ACC_READ, k->mmu);
    return tlb_hit(e, lin, ot) ? ldn(tlb_host(e, lin), ot) : x86_ld_slow(s, lin, ot, k->mmu, R_SS);
}

/* Set RSP to sp within the stack's mask (the upper bits stay for 16-bit stacks). */
static inline void x86_set_sp(X86Interp *s, uint64_t sp, uint64_t mask)
{
    uint64_t *rsp = &s->env->regs[R_ESP];
    *rsp = (*rsp & ~mask) | (sp & mask);
}

/* ---- Control flow ------------------------------------------------------------------ */

/* A canonical 48-bit address: bits 63:47 all equal (SDM vol. 1, 3.3.7.1). */
static inline bool x86_canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/*
 * A near branch: IP wraps to the operand size outside 64-bit mode.  The
 * block ends here: conditional branches do not end blocks when not taken.
 */
static inline void x86_jump(X86Interp *s, uint64_t target, int ot)
{
    s->stop = true;
    if (!s->long64) {
        target &= x86_size_mask[ot == OT_Q ? OT_L : ot];
        /* SDM vol. 2, JMP: a target outside CS's limit is #GP(0). */
        if (G_UNLIKELY(target > s->env->segs[R_CS].limit)) {
            x86_raise(s, EXC_GP, 0);
        }
    } else if (G_UNLIKELY(!x86_canonical(target))) {
        x86_raise(s, EXC_GP, 0);
    }
    s->next_rip = target;
}

/* ---- Privilege ------------------------------------------------------------------------ */

static inline void x86_require_cpl0(X86Interp *s)
{
    if (s->cpl != 0) {
        x86_raise(s, EXC_GP, 0);
    }
}

static inline int x86_iopl(X86Interp *s)
{
    return (s->env->eflags & IOPL_MASK) >> 12;
}

#endif
