/*
 * Hardware task switching: JMP/CALL to a TSS or through a task gate, an
 * event through a task gate in the IDT, and IRET with EFLAGS.NT set.
 * SDM vol. 3, chapter 7 (7.3 "Task Switching", table 7-2) and the #TS
 * conditions of 6.15 "Interrupt 10".
 *
 * Every check before the commit point (TR loaded with the new task) leaves
 * the processor as it was; a fault after it (a bad segment of the new task,
 * its EIP outside CS, the error code push) is raised in the new task's
 * context once all of its state is loaded.
 */
#include "target-i386/interp/internal.h"

#define EFLAGS_DEFINED  0x3f7fd5u       /* every EFLAGS bit a TSS may load */

/* TSS types of a system descriptor (SDM vol. 3, table 3-2). */
enum {
    TSS16_AVAIL = 1, TSS16_BUSY = 3, TSS32_AVAIL = 9, TSS32_BUSY = 11,
};
#define TSS_BUSY_BIT    (2u << DESC_TYPE_SHIFT)

/* The smallest limit of each TSS format (SDM vol. 3, 7.2.2). */
#define TSS32_MIN_LIMIT 0x67
#define TSS16_MIN_LIMIT 0x2b

/* Field offsets of the 32-bit TSS (SDM vol. 3, figure 7-2). */
enum {
    TSS32_LINK = 0x00, TSS32_CR3 = 0x1c, TSS32_EIP = 0x20, TSS32_EFLAGS = 0x24,
    TSS32_EAX = 0x28, TSS32_ES = 0x48, TSS32_LDT = 0x60, TSS32_T = 0x64,
};
/* Field offsets of the 16-bit TSS (SDM vol. 3, figure 7-11). */
enum {
    TSS16_LINK = 0x00, TSS16_IP = 0x0e, TSS16_FLAGS = 0x10, TSS16_AX = 0x12,
    TSS16_ES = 0x22, TSS16_LDT = 0x2a,
};

/* The new task's state as read from its TSS, before anything is committed. */
typedef struct TaskImage {
    uint32_t cr3, eip, eflags;
    uint32_t regs[8];
    uint16_t segs[CPU_NB_SEGS];
    uint16_t ldt;
    bool trap;                  /* the T flag: #DB after the switch */
} TaskImage;

static bool tss_is_32(uint32_t hi)
{
    return (hi >> DESC_TYPE_SHIFT) & 8;
}

/* Set or clear the busy flag of the TSS descriptor sel (always in the GDT). */
static void tss_set_busy(X86Interp *s, uint16_t sel, bool busy)
{
    uint64_t addr = s->env->gdt.base + (sel & ~7u);
    uint32_t hi = x86_ld_sys(s, addr + 4, OT_L);
    x86_st_sys(s, addr + 4, OT_L, busy ? hi | TSS_BUSY_BIT : hi & ~TSS_BUSY_BIT);
}

/* Step 6 of 7.3: the current task's registers into its own TSS. */
static void task_save(X86Interp *s, uint64_t old_eip, uint32_t eflags)
{
    CPUX86State *env = s->env;
    uint64_t base = env->tr.base;
    static const int order[] = { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

    if (tss_is_32(env->tr.flags)) {
        x86_st_sys(s, base + TSS32_EIP, OT_L, old_eip);
        x86_st_sys(s, base + TSS32_EFLAGS, OT_L, eflags);
        for (int i = 0; i < 8; i++) {
            x86_st_sys(s, base + TSS32_EAX + 4 * i, OT_L, env->regs[i]);
        }
        for (int i = 0; i < 6; i++) {
            x86_st_sys(s, base + TSS32_ES + 4 * i, OT_W, env->segs[order[i]].selector);
        }
    } else {
        x86_st_sys(s, base + TSS16_IP, OT_W, old_eip);
        x86_st_sys(s, base + TSS16_FLAGS, OT_W, eflags);
        for (int i = 0; i < 8; i++) {
            x86_st_sys(s, base + TSS16_AX + 2 * i, OT_W, env->regs[i]);
        }
        for (int i = 0; i < 4; i++) {
            x86_st_sys(s, base + TSS16_ES + 2 * i, OT_W, env->segs[order[i]].selector);
        }
    }
}

/* The new task's state, read while the old address space is still in use. */
static void task_read(X86Interp *s, uint64_t base, bool is32, TaskImage *t)
{
    static const int order[] = { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

    memset(t, 0, sizeof(*t));
    if (is32) {
        t->cr3 = x86_ld_sys(s, base + TSS32_CR3, OT_L);
        t->eip = x86_ld_sys(s, base + TSS32_EIP, OT_L);
        t->eflags = x86_ld_sys(s, base + TSS32_EFLAGS, OT_L);
        for (int i = 0; i < 8; i++) {
            t->regs[i] = x86_ld_sys(s, base + TSS32_EAX + 4 * i, OT_L);
        }
        for (int i = 0; i < 6; i++) {
            t->segs[order[i]] = x86_ld_sys(s, base + TSS32_ES + 4 * i, OT_W);
        }
        t->ldt = x86_ld_sys(s, base + TSS32_LDT, OT_W);
        t->trap = x86_ld_sys(s, base + TSS32_T, OT_W) & 1;
    } else {
        /*
         * A 16-bit TSS holds the low halves only.  Processors set the upper
         * halves of the general registers to ones (the SDM is silent); EFLAGS
         * and EIP get zeros, FS and GS are null (there is no field for them).
         */
        t->eip = x86_ld_sys(s, base + TSS16_IP, OT_W);
        t->eflags = x86_ld_sys(s, base + TSS16_FLAGS, OT_W);
        for (int i = 0; i < 8; i++) {
            t->regs[i] = 0xffff0000u | x86_ld_sys(s, base + TSS16_AX + 2 * i, OT_W);
        }
        for (int i = 0; i < 4; i++) {
            t->segs[order[i]] = x86_ld_sys(s, base + TSS16_ES + 2 * i, OT_W);
        }
        t->ldt = x86_ld_sys(s, base + TSS16_LDT, OT_W);
    }
}

/* A fault found while loading the new task's segments, raised once all are loaded. */
typedef struct TaskFault {
    int vector;                 /* -1: none */
    uint32_t error;
} TaskFault;

static void task_fault(TaskFault *f, int vector, uint32_t error)
{
    if (f->vector < 0) {
        f->vector = vector;
        f->error = error;
    }
}

/* LDTR of the new task (#TS conditions of 6.15: LDT selector). */
static void task_load_ldt(X86Interp *s, uint16_t sel, uint32_t ext, TaskFault *f)
{
    CPUX86State *env = s->env;
    uint32_t lo, hi;

    if ((sel & ~3) == 0) {
        return;                                 /* already null */
    }
    if ((sel & 4) || !x86_desc_read(s, sel, &lo, &hi) || (hi & DESC_S_MASK) ||
        ((hi >> DESC_TYPE_SHIFT) & 15) != 2 || !(hi & DESC_P_MASK)) {
        task_fault(f, EXC_TS, (sel & 0xfffc) | ext);
        return;
    }
    x86_desc_to_cache(&env->ldt, sel, lo, hi);
}

/*
 * A segment register of the new task with the checks of 6.15 (#TS), #NP
 * for CS and data segments and #SS for SS.  cpl is the new CS's RPL.  After
 * a first fault the rest load without checks (SDM vol. 3, 6.15, "Program
 * State Change"): whatever descriptor the selector names.
 */
static void task_load_seg(X86Interp *s, int seg, uint16_t sel, unsigned cpl, uint32_t ext,
                          TaskFault *f)
{
    uint32_t lo, hi, err = (sel & 0xfffc) | ext;
    unsigned rpl = sel & 3;
    int vec = -1;

    if ((sel & ~3) == 0) {
        if (seg == R_CS || seg == R_SS) {
            task_fault(f, EXC_TS, err);
        }
        return;                                 /* a null data segment is fine */
    }
    if (!x86_desc_read(s, sel, &lo, &hi)) {
        task_fault(f, EXC_TS, err);
        return;
    }
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    bool code = hi & DESC_CS_MASK, conforming = code && (hi & DESC_C_MASK);
    if (!(hi & DESC_S_MASK)) {
        vec = EXC_TS;
    } else if (seg == R_CS) {
        if (!code || (conforming ? dpl > rpl : dpl != rpl)) {
            vec = EXC_TS;
        }
    } else if (seg == R_SS) {
        if (code || !(hi & DESC_W_MASK) || dpl != cpl || rpl != cpl) {
            vec = EXC_TS;
        }
    } else if ((code && !(hi & DESC_R_MASK)) || (!conforming && (rpl > dpl || cpl > dpl))) {
        vec = EXC_TS;
    }
    if (vec < 0 && !(hi & DESC_P_MASK)) {
        vec = seg == R_SS ? EXC_SS : EXC_NP;
    }
    if (vec >= 0 || f->vector >= 0) {
        task_fault(f, vec, err);
        x86_desc_to_cache(&s->env->segs[seg], sel, lo, hi);
        if (seg == R_SS) {
            /* CPL stays the new CS's RPL whatever SS's descriptor says. */
            s->env->segs[R_SS].flags &= ~DESC_DPL_MASK;
            s->env->segs[R_SS].flags |= cpl << DESC_DPL_SHIFT;
        }
        return;
    }
    x86_desc_set_accessed(s, sel, hi);
    x86_desc_to_cache(&s->env->segs[seg], sel, lo, hi | DESC_A_MASK);
}

/*
 * Step 12 of 7.3 from the commit point on: registers first, selectors with
 * empty caches, then the descriptors with their checks.  A fault is raised
 * once the whole new state is in place: it belongs to the new task.
 */
static void task_load(X86Interp *s, const TaskImage *t, bool is32, uint32_t ext)
{
    CPUX86State *env = s->env;
    static const int data_segs[] = { R_DS, R_ES, R_FS, R_GS };
    bool v86 = is32 && (t->eflags & VM_MASK);
    unsigned cpl = v86 ? 3 : t->segs[R_CS] & 3;
    TaskFault f = { .vector = -1 };

    if (is32 && (env->cr[0] & CR0_PG)) {
        env->cr[3] = t->cr3;
        x86_tlb_flush(s);               /* as MOV to CR3: no PCID, global pages refilled */
    }
    x86_set_eflags(s, t->eflags, EFLAGS_DEFINED);
    for (int i = 0; i < 8; i++) {
        env->regs[i] = t->regs[i];
    }
    env->rip = t->eip;
    s->next_rip = t->eip;
    env->ldt = (SegmentCache){ .selector = t->ldt };
    for (int seg = 0; seg < CPU_NB_SEGS; seg++) {
        SegmentCache *c = &env->segs[seg];
        if (v86) {
            /* SDM vol. 3, 20.2.1: real-mode style segments at privilege 3. */
            *c = (SegmentCache){
                .selector = t->segs[seg], .base = (uint32_t)t->segs[seg] << 4, .limit = 0xffff,
                .flags = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (3u << DESC_DPL_SHIFT) |
                         (seg == R_CS ? DESC_CS_MASK | DESC_R_MASK : DESC_W_MASK),
            };
        } else {
            *c = (SegmentCache){ .selector = t->segs[seg] };
        }
    }
    /* CPL is SS.DPL: right from here on, for a fault in the new task. */
    env->segs[R_SS].flags |= cpl << DESC_DPL_SHIFT;
    x86_update_mode(s);

    task_load_ldt(s, t->ldt, ext, &f);
    if (!v86) {
        task_load_seg(s, R_CS, t->segs[R_CS], cpl, ext, &f);
        task_load_seg(s, R_SS, t->segs[R_SS], cpl, ext, &f);
        for (unsigned i = 0; i < G_N_ELEMENTS(data_segs); i++) {
            task_load_seg(s, data_segs[i], t->segs[data_segs[i]], cpl, ext, &f);
        }
    }
    x86_update_mode(s);
    if (f.vector >= 0) {
        x86_raise(s, f.vector, f.error);
    }
}

void x86_task_switch(X86Interp *s, uint16_t sel, X86TaskSource src, uint64_t old_eip,
                     unsigned flags, uint32_t error_code)
{
    CPUX86State *env = s->env;
    uint32_t ext = (flags & TASK_EXT) ? 1 : 0;
    uint32_t err = (sel & 0xfffc) | ext;
    /* Selector and type faults: #TS for the back link of IRET, #GP otherwise. */
    int sel_vec = src == TASK_IRET ? EXC_TS : EXC_GP;
    uint32_t lo, hi;
    uint64_t addr;
    TaskImage t;

    /* Steps 1-4: the new TSS descriptor, in the GDT, present, big enough, free or busy. */
    if ((sel & 4) || (sel & ~3) == 0 || !x86_desc_addr(s, sel, &addr)) {
        x86_raise(s, sel_vec, err);
    }
    lo = x86_ld_sys(s, addr, OT_L);
    hi = x86_ld_sys(s, addr + 4, OT_L);
    unsigned type = (hi >> DESC_TYPE_SHIFT) & 15;
    bool want_busy = src == TASK_IRET;
    if ((hi & DESC_S_MASK) || (type & ~(8u | 2u)) != TSS16_AVAIL ||
        !!(type & 2) != want_busy) {
        x86_raise(s, sel_vec, err);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, err);
    }
    SegmentCache tr;
    x86_desc_to_cache(&tr, sel, lo, hi | TSS_BUSY_BIT);
    bool is32 = tss_is_32(hi);
    if (tr.limit < (is32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT)) {
        x86_raise(s, EXC_TS, err);
    }
    bool old32 = tss_is_32(env->tr.flags);
    if (env->tr.limit < (old32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT)) {
        x86_raise(s, EXC_TS, (env->tr.selector & 0xfffc) | ext);
    }

    /* Steps 6-8: save the old task; IRET clears NT in its image (table 7-2). */
    uint32_t eflags = x86_get_eflags(s);
    if (flags & TASK_RF) {
        eflags |= RF_MASK;          /* a fault's image (SDM vol. 3, 17.3.1.1) */
    }
    if (src == TASK_IRET) {
        eflags &= ~NT_MASK;
    }
    task_save(s, old_eip, eflags);
    task_read(s, tr.base, is32, &t);
    uint16_t old_sel = env->tr.selector;
    if (src == TASK_CALL || src == TASK_EVENT) {
        x86_st_sys(s, tr.base + (is32 ? TSS32_LINK : TSS16_LINK), OT_W, old_sel);
        t.eflags |= NT_MASK;        /* step 9: a nested task */
    }
    if (src == TASK_JMP || src == TASK_IRET) {
        tss_set_busy(s, old_sel, false);
    }
    if (src != TASK_IRET) {
        tss_set_busy(s, sel, true);
    }

    /* Steps 11-12: the commit point, then the new task's state. */
    env->tr = tr;
    env->cr[0] |= CR0_TS;
    task_load(s, &t, is32, ext);
    s->stop = true;

    if (flags & TASK_ERROR) {
        /* SDM vol. 2, INT n (TASK-GATE): the error code on the new task's stack. */
        x86_push(s, is32 ? OT_L : OT_W, error_code);
    }
    if (env->rip > env->segs[R_CS].limit) {
        x86_raise(s, EXC_GP, ext);
    }
    if (t.trap) {
        /* SDM vol. 3, 17.2.3: a debug trap before the new task's first instruction. */
        env->dr[6] |= DR6_BT;
        x86_raise(s, EXC_DB, 0);
    }
}
