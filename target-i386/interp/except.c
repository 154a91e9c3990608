/*
 * Exceptions and interrupts: raising them from instructions, delivering
 * them through the real-mode IVT or the protected/long-mode IDT with the
 * privilege change and stack switch through the TSS, double faults and
 * the triple fault (SDM vol. 3, chapter 6).
 */
#include "target-i386/interp/internal.h"
#include "system/runstate.h"
#include "util/log.h"

bool x86_vector_has_error(int v)
{
    return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC || v == 21;
}

void x86_raise(X86Interp *s, int vector, uint32_t error_code)
{
    s->exc_vector = vector;
    s->exc_error = error_code;
    s->exc_has_error = x86_vector_has_error(vector);
    s->exc_kind = EVENT_FAULT;
    longjmp(s->jb, 1);
}

void x86_raise_soft(X86Interp *s, int vector, X86EventKind kind)
{
    s->exc_vector = vector;
    s->exc_error = 0;
    s->exc_has_error = false;
    s->exc_kind = kind;
    longjmp(s->jb, 1);
}

/* ---- TSS ---------------------------------------------------------------------- */

void x86_tss_stack(X86Interp *s, unsigned dpl, uint16_t *ss, uint64_t *sp, bool ext)
{
    CPUX86State *env = s->env;
    unsigned type = (env->tr.flags >> 8) & 15;
    uint32_t err = (env->tr.selector & 0xfffc) | ext;

    if (!(env->tr.flags & DESC_P_MASK)) {
        x86_raise(s, EXC_TS, err);
    }
    if (env->efer & EFER_LMA) {
        unsigned off = 4 + 8 * dpl;
        if (off + 7 > env->tr.limit) {
            x86_raise(s, EXC_TS, err);
        }
        *sp = x86_ld_sys(s, env->tr.base + off, OT_Q);
        *ss = 0;
    } else if (type & 8) {
        /* 32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n. */
        unsigned off = 4 + 8 * dpl;
        if (off + 5 > env->tr.limit) {
            x86_raise(s, EXC_TS, err);
        }
        *sp = x86_ld_sys(s, env->tr.base + off, OT_L);
        *ss = x86_ld_sys(s, env->tr.base + off + 4, OT_W);
    } else {
        /* 16-bit TSS: SPn at 2 + 4n, SSn at 4 + 4n. */
        unsigned off = 2 + 4 * dpl;
        if (off + 3 > env->tr.limit) {
            x86_raise(s, EXC_TS, err);
        }
        *sp = x86_ld_sys(s, env->tr.base + off, OT_W);
        *ss = x86_ld_sys(s, env->tr.base + off + 2, OT_W);
    }
}

/* The checks on a new inner SS (SDM vol. 3, 6.12.1, #TS conditions). */
void x86_check_inner_ss(X86Interp *s, uint16_t ss, unsigned dpl, bool ext,
                           uint32_t *lo, uint32_t *hi)
{
    if ((ss & ~3) == 0) {
        x86_raise(s, EXC_TS, ext);
    }
    if ((ss & 3) != dpl || !x86_desc_read(s, ss, lo, hi)) {
        x86_raise(s, EXC_TS, (ss & 0xfffc) | ext);
    }
    if (((*hi >> DESC_DPL_SHIFT) & 3) != dpl || !(*hi & DESC_S_MASK) ||
        (*hi & DESC_CS_MASK) || !(*hi & DESC_W_MASK)) {
        x86_raise(s, EXC_TS, (ss & 0xfffc) | ext);
    }
    if (!(*hi & DESC_P_MASK)) {
        x86_raise(s, EXC_SS, (ss & 0xfffc) | ext);
    }
}

void x86_null_outer_segs(X86Interp *s)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    for (unsigned i = 0; i < G_N_ELEMENTS(segs); i++) {
        SegmentCache *c = &s->env->segs[segs[i]];
        unsigned dpl = (c->flags >> DESC_DPL_SHIFT) & 3;
        bool conforming = (c->flags & DESC_CS_MASK) && (c->flags & DESC_C_MASK);
        if (dpl < s->cpl && !conforming && (c->selector & ~3)) {
            c->selector = 0;
            c->flags = 0;
            c->base = 0;
            c->limit = 0;
        }
    }
}

/* ---- Delivery ------------------------------------------------------------------ */

static void deliver_real(X86Interp *s, int vec, uint64_t ret_rip)
{
    CPUX86State *env = s->env;

    if ((uint32_t)vec * 4 + 3 > env->idt.limit) {
        x86_raise(s, EXC_GP, vec * 8 + 2);
    }
    uint16_t off = x86_ld_sys(s, env->idt.base + vec * 4, OT_W);
    uint16_t sel = x86_ld_sys(s, env->idt.base + vec * 4 + 2, OT_W);
    x86_push(s, OT_W, x86_get_eflags(s));
    x86_push(s, OT_W, env->segs[R_CS].selector);
    x86_push(s, OT_W, ret_rip);
    env->eflags &= ~(uint64_t)(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    env->segs[R_CS].selector = sel;
    env->segs[R_CS].base = (uint32_t)sel << 4;
    env->rip = off;
    x86_update_seg(s, R_CS);
}

/* The IDT gate's target code segment (SDM vol. 3, 6.12.1.1). */
static void read_gate_target(X86Interp *s, uint16_t sel, bool ext, uint32_t *lo, uint32_t *hi)
{
    if ((sel & ~3) == 0) {
        x86_raise(s, EXC_GP, ext);
    }
    if (!x86_desc_read(s, sel, lo, hi)) {
        x86_raise(s, EXC_GP, (sel & 0xfffc) | ext);
    }
    if (!(*hi & DESC_S_MASK) || !(*hi & DESC_CS_MASK) ||
        ((*hi >> DESC_DPL_SHIFT) & 3) > s->cpl) {
        x86_raise(s, EXC_GP, (sel & 0xfffc) | ext);
    }
    if ((s->env->efer & EFER_LMA) && (!(*hi & DESC_L_MASK) || (*hi & DESC_B_MASK))) {
        x86_raise(s, EXC_GP, (sel & 0xfffc) | ext);
    }
    if (!(*hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, (sel & 0xfffc) | ext);
    }
}

static void deliver_prot(X86Interp *s, int vec, X86EventKind kind, bool has_error,
                         uint32_t err, uint64_t ret_rip)
{
    CPUX86State *env = s->env;
    bool lm = env->efer & EFER_LMA;
    bool ext = kind != EVENT_SOFT;
    unsigned gsize = lm ? 16 : 8;
    uint32_t gerr = vec * 8 + 2 + ext;
    uint32_t lo, hi, clo, chi;
    uint64_t off;

    if ((uint32_t)vec * gsize + gsize - 1 > env->idt.limit) {
        x86_raise(s, EXC_GP, gerr);
    }
    uint64_t gaddr = env->idt.base + vec * gsize;
    lo = x86_ld_sys(s, gaddr, OT_L);
    hi = x86_ld_sys(s, gaddr + 4, OT_L);
    unsigned type = (hi >> 8) & 0x1f;
    bool task_gate = !lm && type == 5;
    if (!task_gate && (lm ? (type != 14 && type != 15)
                          : (type != 6 && type != 7 && type != 14 && type != 15))) {
        x86_raise(s, EXC_GP, gerr);
    }
    if (kind == EVENT_SOFT && ((hi >> DESC_DPL_SHIFT) & 3) < s->cpl) {
        x86_raise(s, EXC_GP, vec * 8 + 2);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, gerr);
    }
    if (task_gate) {
        /* SDM vol. 3, 6.12.2: the handler is a task; v86 mode needs no special case. */
        unsigned flags = (ext ? TASK_EXT : 0) | (has_error ? TASK_ERROR : 0) |
                         (kind == EVENT_FAULT && vec != EXC_DB ? TASK_RF : 0);
        x86_task_switch(s, lo >> 16, TASK_EVENT, ret_rip, flags, err);
        return;
    }
    uint16_t sel = lo >> 16;
    off = (lo & 0xffff) | (type & 8 ? (hi & 0xffff0000u) : 0);
    if (lm) {
        off |= (uint64_t)x86_ld_sys(s, gaddr + 8, OT_L) << 32;
    }
    read_gate_target(s, sel, ext, &clo, &chi);

    unsigned dpl = (chi >> DESC_DPL_SHIFT) & 3;
    bool conforming = chi & DESC_C_MASK;
    unsigned new_cpl = s->cpl;
    int ot = lm ? OT_Q : (type & 8) ? OT_L : OT_W;
    uint64_t eflags = x86_get_eflags(s);
    /*
     * SDM vol. 3, 17.3.1.1: the image of a fault has RF set, so IRET does not
     * hit an instruction breakpoint again (#DB here is trap-class: single step).
     */
    if (kind == EVENT_FAULT && vec != EXC_DB) {
        eflags |= RF_MASK;
    }
    uint16_t old_ss = env->segs[R_SS].selector, old_cs = env->segs[R_CS].selector;
    uint64_t old_sp = env->regs[R_ESP];
    SegmentCache ss_cache = env->segs[R_SS];
    X86Stack k;
    bool inner = !conforming && dpl < s->cpl;

    if (!inner && s->v86) {
        x86_raise(s, EXC_GP, (sel & 0xfffc) | ext);
    }
    if (inner) {
        uint16_t ss;
        uint64_t sp;
        if (s->v86 && dpl != 0) {
            x86_raise(s, EXC_GP, (sel & 0xfffc) | ext);
        }
        x86_tss_stack(s, dpl, &ss, &sp, ext);
        new_cpl = dpl;
        if (lm) {
            ss_cache.selector = new_cpl;
            ss_cache.base = 0;
            ss_cache.limit = 0;
            ss_cache.flags = (new_cpl << DESC_DPL_SHIFT) | DESC_B_MASK;
            k = (X86Stack){ 0, sp, UINT64_MAX, MMU_KERNEL };
        } else {
            uint32_t slo, shi;
            x86_check_inner_ss(s, ss, dpl, ext, &slo, &shi);
            x86_desc_to_cache(&ss_cache, ss, slo, shi);
            k = (X86Stack){ ss_cache.base, sp, (shi & DESC_B_MASK) ? 0xffffffffu : 0xffff,
                            MMU_KERNEL };
        }
    } else {
        k = (X86Stack){ s->seg[R_SS].base, old_sp, s->sp_mask, s->mmu_idx };
    }
    if (lm) {
        unsigned ist = hi & 7;
        if (ist) {
            k.sp = x86_ld_sys(s, env->tr.base + 36 + 8 * (ist - 1), OT_Q);
        }
        /* SDM vol. 3, 6.14.2: the 64-bit frame is 16-byte aligned. */
        k.sp &= ~15ull;
        k.mask = UINT64_MAX;
        k.base = 0;
        x86_stack_push(s, &k, OT_Q, old_ss);
        x86_stack_push(s, &k, OT_Q, old_sp);
    } else if (inner) {
        if (s->v86) {
            x86_stack_push(s, &k, ot, env->segs[R_GS].selector);
            x86_stack_push(s, &k, ot, env->segs[R_FS].selector);
            x86_stack_push(s, &k, ot, env->segs[R_DS].selector);
            x86_stack_push(s, &k, ot, env->segs[R_ES].selector);
        }
        x86_stack_push(s, &k, ot, old_ss);
        x86_stack_push(s, &k, ot, old_sp);
    }
    x86_stack_push(s, &k, ot, eflags);
    x86_stack_push(s, &k, ot, old_cs);
    x86_stack_push(s, &k, ot, ret_rip);
    if (has_error) {
        x86_stack_push(s, &k, ot, err);
    }

    /* Nothing faults after this point: commit. */
    if (inner) {
        if (s->v86) {
            static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
            for (unsigned i = 0; i < G_N_ELEMENTS(segs); i++) {
                env->segs[segs[i]] = (SegmentCache){ 0 };
            }
        }
        env->segs[R_SS] = ss_cache;
    }
    x86_set_sp(s, k.sp, k.mask);
    x86_desc_set_accessed(s, sel, chi);
    x86_desc_to_cache(&env->segs[R_CS], (sel & 0xfffc) | new_cpl, clo, chi | DESC_A_MASK);
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;      /* interrupt gate */
    }
    env->rip = ot == OT_W ? off & 0xffff : off;
    x86_update_mode(s);
}

void x86_deliver(X86Interp *s, int vector, X86EventKind kind, bool has_error,
                 uint32_t error_code)
{
    CPUX86State *env = s->env;
    uint64_t ret_rip = (kind == EVENT_SOFT || kind == EVENT_ICEBP) ? s->next_rip : env->rip;

    if (log_enabled(LOG_INT)) {
        log_printf("x86: %s %d (0x%x) err 0x%x at %04x:%016" PRIx64 " cpl %d cr2 0x%" PRIx64
                   "\n", kind == EVENT_EXT ? "interrupt" : kind == EVENT_SOFT ? "int" : "exception",
                   vector, vector, error_code, env->segs[R_CS].selector, env->rip, s->cpl,
                   env->cr[2]);
    }
    s->inhibit_irq = false;
    if (!s->pe) {
        deliver_real(s, vector, ret_rip);
    } else {
        deliver_prot(s, vector, kind, has_error, error_code, ret_rip);
    }
    if (vector == EXC_NMI && kind == EVENT_EXT) {
        s->nmi_blocked = true;
    }
}

/* SDM vol. 3, table 6-4. */
static bool exc_contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

bool x86_handle_exception(X86Interp *s)
{
    int vec = s->exc_vector;
    X86EventKind kind = s->exc_kind;
    bool has_error = s->exc_has_error;
    uint32_t err = s->exc_error;

    if (s->delivering >= 0) {
        int prev = s->delivering;
        bool prev_exc = s->delivering_kind == EVENT_FAULT;
        if (prev == EXC_DF && prev_exc) {
            log_mask(LOG_INT | LOG_GUEST_ERROR, "x86: triple fault at %04x:%016" PRIx64 "\n",
                     s->env->segs[R_CS].selector, s->env->rip);
            s->delivering = -1;
            return false;
        }
        if (prev_exc && ((exc_contributory(prev) && exc_contributory(vec)) ||
                         (prev == EXC_PF && (vec == EXC_PF || exc_contributory(vec))))) {
            vec = EXC_DF;
            kind = EVENT_FAULT;
            has_error = true;
            err = 0;
        }
    }
    s->delivering = vec;
    s->delivering_kind = kind;
    x86_deliver(s, vec, kind, has_error, err);
    s->delivering = -1;
    return true;
}
