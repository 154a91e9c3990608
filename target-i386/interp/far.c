/*
 * Far control transfers: JMP/CALL far (to code segments and through call
 * gates), RETF and IRET in real, virtual-8086, protected and long mode.
 * SDM vol. 2 (CALL, JMP, RET, IRET) and vol. 3, 5.8.
 *
 * Every check is made before anything is committed, so a fault leaves the
 * registers as they were.
 */
#include "target-i386/interp/exec.h"

static void load_cs(X86Interp *s, uint16_t sel, uint32_t lo, uint32_t hi, unsigned cpl)
{
    x86_desc_set_accessed(s, sel, hi);
    x86_desc_to_cache(&s->env->segs[R_CS], (sel & 0xfffc) | cpl, lo, hi | DESC_A_MASK);
}

static void load_cs_real(X86Interp *s, uint16_t sel)
{
    SegmentCache *c = &s->env->segs[R_CS];
    c->selector = sel;
    c->base = (uint32_t)sel << 4;
    if (s->v86) {
        c->limit = 0xffff;
        c->flags = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK |
                   (3u << DESC_DPL_SHIFT);
    }
}

static bool target_is_64(X86Interp *s, uint32_t hi)
{
    return (s->env->efer & EFER_LMA) && (hi & DESC_L_MASK);
}

/* The target code segment of a far return (RETF, IRET). */
static void check_return_cs(X86Interp *s, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    unsigned rpl = sel & 3;
    if ((sel & ~3) == 0) {
        x86_raise(s, EXC_GP, 0);
    }
    if (!x86_desc_read(s, sel, lo, hi) || !(*hi & DESC_S_MASK) || !(*hi & DESC_CS_MASK) ||
        rpl < s->cpl) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    unsigned dpl = (*hi >> DESC_DPL_SHIFT) & 3;
    if ((*hi & DESC_C_MASK) ? dpl > rpl : dpl != rpl) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if ((s->env->efer & EFER_LMA) && (*hi & DESC_L_MASK) && (*hi & DESC_B_MASK)) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!(*hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, sel & 0xfffc);
    }
}

/* The stack segment a return to an outer level loads (SDM vol. 2, RET). */
static void check_return_ss(X86Interp *s, uint16_t ss, unsigned rpl, bool target64,
                            SegmentCache *c)
{
    uint32_t lo, hi;
    if ((ss & ~3) == 0) {
        if (!(target64 && rpl != 3)) {
            x86_raise(s, EXC_GP, 0);
        }
        *c = (SegmentCache){ .selector = ss, .flags = (rpl << DESC_DPL_SHIFT) | DESC_B_MASK };
        return;
    }
    if ((ss & 3) != rpl || !x86_desc_read(s, ss, &lo, &hi) ||
        ((hi >> DESC_DPL_SHIFT) & 3) != rpl || !(hi & DESC_S_MASK) ||
        (hi & DESC_CS_MASK) || !(hi & DESC_W_MASK)) {
        x86_raise(s, EXC_GP, ss & 0xfffc);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_SS, ss & 0xfffc);
    }
    x86_desc_set_accessed(s, ss, hi);
    x86_desc_to_cache(c, ss, lo, hi | DESC_A_MASK);
}

static uint64_t sp_mask_of(const SegmentCache *ss, bool target64)
{
    if (target64) {
        return UINT64_MAX;
    }
    return (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
}

/* CALL/JMP through a call gate (SDM vol. 3, 5.8.4-5.8.6). */
static void far_via_gate(X86Interp *s, uint16_t gsel, uint32_t lo, uint32_t hi, bool call)
{
    CPUX86State *env = s->env;
    bool lm = env->efer & EFER_LMA;
    unsigned type = (hi >> 8) & 15;
    unsigned gdpl = (hi >> DESC_DPL_SHIFT) & 3;
    uint32_t tlo, thi;

    if ((lm && type != 12) || gdpl < s->cpl || gdpl < (gsel & 3u)) {
        x86_raise(s, EXC_GP, gsel & 0xfffc);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, gsel & 0xfffc);
    }
    uint16_t tsel = lo >> 16;
    uint64_t toff = (lo & 0xffff) | (type == 12 ? (hi & 0xffff0000u) : 0);
    if (lm) {
        uint64_t addr;
        x86_desc_addr(s, gsel, &addr);
        if ((uint32_t)(gsel & ~7) + 15 > ((gsel & 4) ? env->ldt.limit : env->gdt.limit)) {
            x86_raise(s, EXC_GP, gsel & 0xfffc);
        }
        toff |= (uint64_t)x86_ld_sys(s, addr + 8, OT_L) << 32;
        if ((x86_ld_sys(s, addr + 12, OT_L) >> 8) & 0x1f) {
            x86_raise(s, EXC_GP, gsel & 0xfffc);
        }
    }
    if ((tsel & ~3) == 0) {
        x86_raise(s, EXC_GP, 0);
    }
    if (!x86_desc_read(s, tsel, &tlo, &thi) || !(thi & DESC_S_MASK) || !(thi & DESC_CS_MASK) ||
        ((thi >> DESC_DPL_SHIFT) & 3) > s->cpl ||
        (lm && (!(thi & DESC_L_MASK) || (thi & DESC_B_MASK)))) {
        x86_raise(s, EXC_GP, tsel & 0xfffc);
    }
    if (!(thi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, tsel & 0xfffc);
    }
    unsigned dpl = (thi >> DESC_DPL_SHIFT) & 3;
    bool conforming = thi & DESC_C_MASK;
    int ot = lm ? OT_Q : type == 12 ? OT_L : OT_W;
    if (ot == OT_W) {
        toff &= 0xffff;
    }

    if (!call) {
        if (!conforming && dpl != s->cpl) {
            x86_raise(s, EXC_GP, tsel & 0xfffc);
        }
        load_cs(s, tsel, tlo, thi, s->cpl);
    } else if (!conforming && dpl < s->cpl) {
        /* More privileged: switch to the inner stack from the TSS and copy parameters. */
        uint16_t ss, old_ss = env->segs[R_SS].selector, old_cs = env->segs[R_CS].selector;
        uint64_t sp, old_sp = env->regs[R_ESP];
        SegmentCache ss_cache;
        X86Stack k;
        X86Stack old = { s->seg[R_SS].base, old_sp & s->sp_mask, s->sp_mask, s->mmu_idx };

        x86_tss_stack(s, dpl, &ss, &sp, false);
        if (lm) {
            ss_cache = (SegmentCache){ .selector = dpl,
                                       .flags = (dpl << DESC_DPL_SHIFT) | DESC_B_MASK };
            k = (X86Stack){ 0, sp, UINT64_MAX, MMU_KERNEL };
        } else {
            uint32_t slo, shi;
            x86_check_inner_ss(s, ss, dpl, false, &slo, &shi);
            x86_desc_to_cache(&ss_cache, ss, slo, shi);
            k = (X86Stack){ ss_cache.base, sp, (shi & DESC_B_MASK) ? 0xffffffffu : 0xffff,
                            MMU_KERNEL };
        }
        x86_stack_push(s, &k, ot, old_ss);
        x86_stack_push(s, &k, ot, old_sp);
        if (!lm) {
            unsigned count = hi & 0x1f;
            for (unsigned i = count; i-- > 0;) {
                x86_stack_push(s, &k, ot, x86_stack_read(s, &old, i << ot, ot));
            }
        }
        x86_stack_push(s, &k, ot, old_cs);
        x86_stack_push(s, &k, ot, s->next_rip);
        env->segs[R_SS] = ss_cache;
        x86_set_sp(s, k.sp, k.mask);
        load_cs(s, tsel, tlo, thi, dpl);
    } else {
        X86Stack k = { s->seg[R_SS].base, env->regs[R_ESP], s->sp_mask, s->mmu_idx };
        x86_stack_push(s, &k, ot, env->segs[R_CS].selector);
        x86_stack_push(s, &k, ot, s->next_rip);
        x86_set_sp(s, k.sp, k.mask);
        load_cs(s, tsel, tlo, thi, s->cpl);
    }
    s->next_rip = toff;
    x86_update_mode(s);
}

/*
 * JMP/CALL to an available TSS or through a task gate: the data-access
 * rule on the descriptor's DPL, then the switch (SDM vol. 2, JMP
 * TASK-GATE and TASK-STATE-SEGMENT; vol. 3, 7.3 step 2).  The offset of
 * the far pointer is ignored.
 */
static void far_task(X86Interp *s, uint16_t sel, uint32_t lo, uint32_t hi, bool call)
{
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3;
    /* A task gate names the TSS in its selector field. */
    uint16_t tss = ((hi >> 8) & 15) == 5 ? lo >> 16 : sel;

    if (dpl < s->cpl || dpl < (sel & 3u)) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, sel & 0xfffc);
    }
    x86_task_switch(s, tss, call ? TASK_CALL : TASK_JMP, s->next_rip, 0, 0);
}

static void far_transfer(X86Interp *s, uint16_t sel, uint64_t off, int ot, bool call)
{
    CPUX86State *env = s->env;
    uint32_t lo, hi;

    if (!s->pe || s->v86) {
        if (call) {
            X86Stack k = { s->seg[R_SS].base, env->regs[R_ESP], s->sp_mask, s->mmu_idx };
            x86_stack_push(s, &k, ot, env->segs[R_CS].selector);
            x86_stack_push(s, &k, ot, s->next_rip);
            x86_set_sp(s, k.sp, k.mask);
        }
        load_cs_real(s, sel);
        s->next_rip = off & (ot == OT_W ? 0xffff : 0xffffffffu);
        x86_update_seg(s, R_CS);
        return;
    }
    if ((sel & ~3) == 0) {
        x86_raise(s, EXC_GP, 0);
    }
    if (!x86_desc_read(s, sel, &lo, &hi)) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_S_MASK)) {
        unsigned type = (hi >> 8) & 15;
        if (type == 4 || type == 12) {
            far_via_gate(s, sel, lo, hi, call);
            return;
        }
        if (!(env->efer & EFER_LMA) && (type == 5 || type == 1 || type == 9)) {
            far_task(s, sel, lo, hi, call);
            return;
        }
        /* IA-32e mode has no task switches; busy TSSes are #GP too (SDM vol. 2, JMP). */
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    unsigned dpl = (hi >> DESC_DPL_SHIFT) & 3, rpl = sel & 3;
    if (!(hi & DESC_CS_MASK) ||
        ((hi & DESC_C_MASK) ? dpl > s->cpl : (rpl > s->cpl || dpl != s->cpl)) ||
        ((env->efer & EFER_LMA) && (hi & DESC_L_MASK) && (hi & DESC_B_MASK))) {
        x86_raise(s, EXC_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(s, EXC_NP, sel & 0xfffc);
    }
    if (!target_is_64(s, hi)) {
        SegmentCache c;
        off &= ot == OT_W ? 0xffff : 0xffffffffu;
        x86_desc_to_cache(&c, sel, lo, hi);
        if (off > c.limit) {
            x86_raise(s, EXC_GP, 0);
        }
    }
    if (call) {
        X86Stack k = { s->seg[R_SS].base, env->regs[R_ESP], s->sp_mask, s->mmu_idx };
        x86_stack_push(s, &k, ot, env->segs[R_CS].selector);
        x86_stack_push(s, &k, ot, s->next_rip);
        x86_set_sp(s, k.sp, k.mask);
    }
    load_cs(s, sel, lo, hi, s->cpl);
    s->next_rip = off;
    x86_update_mode(s);
}

void x86_op_jmp_far(X86Interp *s, const X86Insn *d)
{
    far_transfer(s, d->imm2, d->imm, d->ot, false);
}

void x86_op_call_far(X86Interp *s, const X86Insn *d)
{
    far_transfer(s, d->imm2, d->imm, d->ot, true);
}

/* FF /3 and /5: the far pointer in memory, offset first. */
static void far_indirect(X86Interp *s, const X86Insn *d, bool call)
{
    uint64_t ea = insn_ea(s, d);
    uint64_t off = x86_ld(s, d->seg, ea, d->ot);
    uint16_t sel = x86_ld(s, d->seg, (ea + (1u << d->ot)) & x86_size_mask[d->aot], OT_W);
    far_transfer(s, sel, off, d->ot, call);
}

void x86_op_jmp_far_m(X86Interp *s, const X86Insn *d)
{
    far_indirect(s, d, false);
}

void x86_op_call_far_m(X86Interp *s, const X86Insn *d)
{
    far_indirect(s, d, true);
}

void x86_op_retf(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    int ot = d->ot;
    unsigned size = 1u << ot;
    uint64_t imm = d->imm;
    X86Stack k = { s->seg[R_SS].base, env->regs[R_ESP] & s->sp_mask, s->sp_mask, s->mmu_idx };
    uint64_t rip = x86_stack_read(s, &k, 0, ot);
    uint16_t sel = x86_stack_read(s, &k, size, ot);
    uint32_t lo, hi;

    if (!s->pe || s->v86) {
        load_cs_real(s, sel);
        x86_set_sp(s, k.sp + 2 * size + imm, s->sp_mask);
        s->next_rip = rip & (ot == OT_W ? 0xffff : 0xffffffffu);
        x86_update_seg(s, R_CS);
        return;
    }
    check_return_cs(s, sel, &lo, &hi);
    unsigned rpl = sel & 3;
    bool t64 = target_is_64(s, hi);
    if (!t64) {
        rip &= ot == OT_W ? 0xffff : 0xffffffffu;
    }
    if (rpl == s->cpl) {
        load_cs(s, sel, lo, hi, rpl);
        x86_set_sp(s, k.sp + 2 * size + imm, s->sp_mask);
        s->next_rip = rip;
        x86_update_mode(s);
        return;
    }
    /* Return to an outer privilege level: its SS:SP follows the return address. */
    uint64_t new_sp = x86_stack_read(s, &k, 2 * size + imm, ot);
    uint16_t new_ss = x86_stack_read(s, &k, 3 * size + imm, ot);
    SegmentCache ss_cache;
    check_return_ss(s, new_ss, rpl, t64, &ss_cache);
    load_cs(s, sel, lo, hi, rpl);
    env->segs[R_SS] = ss_cache;
    x86_set_sp(s, new_sp + imm, sp_mask_of(&ss_cache, t64));
    s->next_rip = rip;
    x86_update_mode(s);
    x86_null_outer_segs(s);
    x86_update_mode(s);
}

/* IRET to virtual-8086 mode (SDM vol. 2, IRET: RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_v86(X86Interp *s, X86Stack *k, uint64_t rip, uint16_t cs, uint64_t fl)
{
    CPUX86State *env = s->env;
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    uint64_t esp = x86_stack_read(s, k, 12, OT_L);
    uint16_t sels[4], ss = x86_stack_read(s, k, 16, OT_L);

    for (int i = 0; i < 4; i++) {
        sels[i] = x86_stack_read(s, k, 20 + 4 * i, OT_L);
    }
    x86_set_eflags(s, fl, 0x3f7fd5);
    env->eflags |= VM_MASK;
    s->v86 = true;
    for (int i = 0; i < 4; i++) {
        x86_load_seg(s, segs[i], sels[i]);
    }
    x86_load_seg(s, R_SS, ss);
    load_cs_real(s, cs);
    env->regs[R_ESP] = (uint32_t)esp;
    s->next_rip = rip & 0xffff;
    x86_update_mode(s);
}

void x86_op_iret(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    int ot = d->ot;
    unsigned size = 1u << ot;
    X86Stack k = { s->seg[R_SS].base, env->regs[R_ESP] & s->sp_mask, s->sp_mask, s->mmu_idx };
    uint32_t lo, hi;

    if (!s->pe || s->v86) {
        if (s->v86 && x86_iopl(s) != 3) {
            x86_raise(s, EXC_GP, 0);
        }
        uint64_t rip = x86_stack_read(s, &k, 0, ot);
        uint16_t sel = x86_stack_read(s, &k, size, ot);
        uint64_t fl = x86_stack_read(s, &k, 2 * size, ot);
        /* SDM vol. 2, IRET: real mode keeps VM, VIF, VIP; v86 also keeps IOPL. */
        uint64_t mask = ot == OT_W ? 0x7fd5 : 0x257fd5;
        if (s->v86) {
            mask &= ~(uint64_t)IOPL_MASK;
        }
        x86_set_sp(s, k.sp + 3 * size, s->sp_mask);
        load_cs_real(s, sel);
        x86_set_eflags(s, fl, mask);
        s->next_rip = rip & (ot == OT_W ? 0xffff : 0xffffffffu);
        s->nmi_blocked = false;
        x86_update_mode(s);
        return;
    }
    if (env->eflags & NT_MASK) {
        /* SDM vol. 2, IRET: TASK-RETURN to the back link; IA-32e mode has none. */
        if (env->efer & EFER_LMA) {
            x86_raise(s, EXC_GP, 0);
        }
        uint16_t link = x86_ld_sys(s, env->tr.base, OT_W);
        x86_task_switch(s, link, TASK_IRET, s->next_rip, 0, 0);
        s->nmi_blocked = false;
        return;
    }
    uint64_t rip = x86_stack_read(s, &k, 0, ot);
    uint16_t sel = x86_stack_read(s, &k, size, ot);
    uint64_t fl = x86_stack_read(s, &k, 2 * size, ot);

    if (!(env->efer & EFER_LMA) && (fl & VM_MASK) && s->cpl == 0 && ot == OT_L) {
        iret_to_v86(s, &k, rip, sel, fl);
        s->nmi_blocked = false;
        return;
    }
    check_return_cs(s, sel, &lo, &hi);
    unsigned rpl = sel & 3;
    bool t64 = target_is_64(s, hi);
    bool pop_ss = rpl > s->cpl || s->long64;
    SegmentCache ss_cache;
    uint64_t new_sp = 0;

    if (pop_ss) {
        new_sp = x86_stack_read(s, &k, 3 * size, ot);
        uint16_t new_ss = x86_stack_read(s, &k, 4 * size, ot);
        check_return_ss(s, new_ss, rpl, t64, &ss_cache);
    }
    if (!t64) {
        rip &= ot == OT_W ? 0xffff : 0xffffffffu;
    }
    /* Which flags IRET may change depends on the privilege before it. */
    uint64_t mask = CC_ARITH | TF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (s->cpl == 0) {
        mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
    }
    if (s->cpl <= (unsigned)x86_iopl(s)) {
        mask |= IF_MASK;
    }
    if (ot == OT_W) {
        mask &= 0xffff;
    }
    unsigned old_cpl = s->cpl;
    load_cs(s, sel, lo, hi, rpl);
    x86_set_eflags(s, fl, mask);
    if (pop_ss) {
        env->segs[R_SS] = ss_cache;
        x86_set_sp(s, new_sp, sp_mask_of(&ss_cache, t64));
    } else {
        x86_set_sp(s, k.sp + 3 * size, s->sp_mask);
    }
    s->next_rip = rip;
    s->nmi_blocked = false;
    x86_update_mode(s);
    if (rpl > old_cpl) {
        x86_null_outer_segs(s);
        x86_update_mode(s);
    }
}
