/*
 * Hardware breakpoints: DR0-DR3 under DR7 (SDM vol. 3, 18.2 and 18.3).
 *
 * Nothing here runs while DR7 enables no breakpoint.  Instruction
 * breakpoints are looked for once per block, before it runs: run.c runs
 * the instructions before the breakpoint and raises the fault-class #DB
 * when the breakpoint's instruction is next.  Data breakpoints mark the
 * TLB entries of the pages they watch TLB_WATCH, so accesses to those
 * pages take the slow paths (mmu.c), which record a hit and end the
 * block; run.c raises the trap-class #DB after the instruction.  I/O
 * breakpoints (CR4.DE, R/W = 10) are checked by IN, OUT, INS and OUTS
 * while one is on, and trap the same way.
 */
#include "target-i386/interp/internal.h"
#include "util/log.h"

#define DR7_GD  (1u << 13)

static bool bp_enabled(uint64_t dr7, int i)
{
    return (dr7 >> (2 * i)) & 3;
}

static unsigned bp_rw(uint64_t dr7, int i)
{
    return (dr7 >> (16 + 4 * i)) & 3;
}

/* LEN: 00 one byte, 01 two, 10 eight (long mode), 11 four. */
static unsigned bp_len(uint64_t dr7, int i)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };
    return len[(dr7 >> (18 + 4 * i)) & 3];
}

/* The bytes breakpoint i watches: the address is aligned down to its length. */
static bool bp_overlaps(X86Interp *s, int i, uint64_t lin, uint64_t size)
{
    uint64_t len = bp_len(s->env->dr[7], i);
    uint64_t start = s->env->dr[i] & ~(len - 1);
    return lin < start + len && start < lin + size;
}

void x86_dr_update(X86Interp *s)
{
    uint64_t dr7 = s->env->dr[7];
    uint8_t exec = 0, data = 0, io = 0;

    for (int i = 0; i < 4; i++) {
        if (!bp_enabled(dr7, i)) {
            continue;
        }
        switch (bp_rw(dr7, i)) {
        case 0:
            exec |= 1u << i;
            break;
        case 2:
            /* SDM vol. 3, 18.2.4: R/W = 10 is undefined without CR4.DE; nothing breaks. */
            if (s->env->cr[4] & CR4_DE) {
                io |= 1u << i;
            } else {
                log_mask(LOG_UNIMP, "x86: DR%d has R/W = 10 with CR4.DE clear\n", i);
            }
            break;
        default:
            data |= 1u << i;
            break;
        }
    }
    if (data || s->bp_data) {
        x86_tlb_flush(s);       /* refill entries with or without TLB_WATCH */
    }
    s->bp_exec = exec;
    s->bp_data = data;
    s->bp_io = io;
    x86_update_slow_blocks(s);
}

void x86_dr_general_detect(X86Interp *s)
{
    CPUX86State *env = s->env;

    if (env->dr[7] & DR7_GD) {
        /* SDM 18.2.4: the fault clears GD so the handler can use the registers. */
        env->dr[7] &= ~(uint64_t)DR7_GD;
        env->dr[6] |= DR6_BD;
        x86_raise(s, EXC_DB, 0);
    }
}

/* The data breakpoints (a bit each) a read or write of [lin, lin + size) hits. */
static unsigned data_hits(X86Interp *s, uint64_t lin, uint64_t size, bool write)
{
    unsigned hits = 0;

    for (int i = 0; i < 4; i++) {
        if ((s->bp_data & (1u << i)) && (write || bp_rw(s->env->dr[7], i) == 3) &&
            bp_overlaps(s, i, lin, size)) {
            hits |= 1u << i;
        }
    }
    return hits;
}

bool x86_dr_watches_page(X86Interp *s, uint64_t page, bool write)
{
    return data_hits(s, page, X86_PAGE_SIZE, write) != 0;
}

static void note_hits(X86Interp *s, unsigned hits)
{
    if (hits) {
        s->db_hits |= hits;
        s->stop = true;         /* the trap comes right after this instruction */
    }
}

void x86_dr_access(X86Interp *s, uint64_t lin, unsigned size, bool write)
{
    note_hits(s, data_hits(s, lin, size, write));
}

void x86_dr_io(X86Interp *s, uint16_t port, unsigned size)
{
    unsigned hits = 0;

    /* SDM vol. 3, 18.2.5: the port is compared like a data address, aligned to LEN. */
    for (int i = 0; i < 4; i++) {
        if ((s->bp_io & (1u << i)) && bp_overlaps(s, i, port, size)) {
            hits |= 1u << i;
        }
    }
    note_hits(s, hits);
}

unsigned x86_dr_exec_cut(X86Interp *s, const X86Insn *insns, unsigned n)
{
    CPUX86State *env = s->env;
    uint64_t rip = env->rip;
    /* RF suppresses instruction breakpoints for the first instruction (18.3.1.1). */
    unsigned k = 0;

    if ((env->eflags & RF_MASK) && n > 0) {
        rip += insns[0].len;
        k = 1;
    }
    env->eflags &= ~(uint64_t)RF_MASK;
    for (; k < n; rip += insns[k].len, k++) {
        uint64_t lin = (s->seg[R_CS].base + rip) & s->lin_mask;
        unsigned hits = 0;
        for (int i = 0; i < 4; i++) {
            if ((s->bp_exec & (1u << i)) && env->dr[i] == lin) {
                hits |= 1u << i;
            }
        }
        if (!hits) {
            continue;
        }
        if (k == 0) {
            env->dr[6] = (env->dr[6] & ~0xfull) | hits;
            x86_raise(s, EXC_DB, 0);
        }
        return k;
    }
    return n;
}

uint32_t x86_dr_take_hits(X86Interp *s)
{
    uint32_t hits = s->db_hits;
    s->db_hits = 0;
    return hits;
}
