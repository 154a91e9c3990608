/*
 * The stack and near control flow: PUSH/POP (registers, memory, immediates,
 * segment registers, PUSHA/POPA, PUSHF/POPF), ENTER/LEAVE, CALL/RET/JMP
 * near, Jcc, LOOP/JCXZ, INT n/INT3/INTO/INT1, BOUND (SDM vol. 2).
 *
 * Branch targets are checked before the stack is touched, and values are
 * read before RSP moves, so a fault leaves the registers as they were.
 */
#include "target-i386/interp/exec.h"

void x86_op_push_e(X86Interp *s, const X86Insn *d)
{
    x86_push(s, d->ot, op_rm_get(s, d, d->ot));
}

void x86_op_pop_e(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t sp = *rsp & s->sp_mask;
    uint64_t v = x86_ld(s, R_SS, sp, ot);
    uint64_t new_rsp = (*rsp & ~s->sp_mask) | ((sp + (1u << ot)) & s->sp_mask);

    if (d->mod == 3) {
        *rsp = new_rsp;
        reg_set(s, d->rm, ot, v);       /* POP rSP: the popped value wins */
    } else {
        /* SDM vol. 2, POP: an rSP base is used after the increment. */
        uint64_t old = *rsp;
        *rsp = new_rsp;
        uint64_t ea = insn_ea(s, d);
        *rsp = old;
        x86_st(s, d->seg, ea, ot, v);
        *rsp = new_rsp;
    }
}

void x86_op_push_i(X86Interp *s, const X86Insn *d)
{
    x86_push(s, d->ot, d->imm);
}

static int seg_of_opcode(const X86Insn *d)
{
    if (d->map == 1) {
        return d->op < 0xa8 ? R_FS : R_GS;
    }
    return (d->op >> 3) & 3;            /* 06 ES, 0E CS, 16 SS, 1E DS */
}

void x86_op_push_seg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t sp = (*rsp - (1u << ot)) & s->sp_mask;
    /* A 32/64-bit push of a selector writes only 16 bits (recent processors). */
    x86_st(s, R_SS, sp, OT_W, s->env->segs[seg_of_opcode(d)].selector);
    *rsp = (*rsp & ~s->sp_mask) | sp;
}

void x86_op_pop_seg(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot, seg = seg_of_opcode(d);
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t sp = *rsp & s->sp_mask;
    uint16_t sel = x86_ld(s, R_SS, sp, ot);

    x86_load_seg(s, seg, sel);
    *rsp = (*rsp & ~s->sp_mask) | ((sp + (1u << ot)) & s->sp_mask);
    if (seg == R_SS) {
        s->inhibit_irq = true;
    }
}

void x86_op_pusha(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *regs = s->env->regs;
    X86Stack k = { s->seg[R_SS].base, regs[R_ESP], s->sp_mask, s->mmu_idx };

    if (s->seg[R_SS].check_w) {
        x86_seg_check(s, R_SS, (regs[R_ESP] - (8u << ot)) & s->sp_mask, 8u << ot, true);
    }
    for (int r = R_EAX; r <= R_EDI; r++) {
        x86_stack_push(s, &k, ot, regs[r]);     /* rSP pushes its value before PUSHA */
    }
    x86_set_sp(s, k.sp, k.mask);
}

void x86_op_popa(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *regs = s->env->regs;
    X86Stack k = { s->seg[R_SS].base, regs[R_ESP] & s->sp_mask, s->sp_mask, s->mmu_idx };
    uint64_t v[8];

    if (s->seg[R_SS].check_r) {
        x86_seg_check(s, R_SS, k.sp, 8u << ot, false);
    }
    for (int i = 0; i < 8; i++) {
        v[i] = x86_stack_read(s, &k, i << ot, ot);
    }
    for (int r = R_EDI, i = 0; r >= R_EAX; r--, i++) {
        if (r != R_ESP) {
            reg_set(s, r, ot, v[i]);
        }
    }
    x86_set_sp(s, k.sp + (8u << ot), s->sp_mask);
}

void x86_op_pushf(X86Interp *s, const X86Insn *d)
{
    if (s->v86 && x86_iopl(s) != 3) {
        x86_raise(s, EXC_GP, 0);
    }
    /* VM and RF read as clear in the pushed image. */
    x86_push(s, d->ot, x86_get_eflags(s) & ~(uint64_t)(VM_MASK | RF_MASK));
}

void x86_op_popf(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t mask = CC_ARITH | TF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK;

    if (s->v86 && x86_iopl(s) != 3) {
        x86_raise(s, EXC_GP, 0);
    }
    /* SDM vol. 2, POPF: IOPL only at CPL 0 (not in v86); IF only when CPL <= IOPL. */
    if (s->cpl == 0 && !s->v86) {
        mask |= IOPL_MASK;
    }
    if (s->cpl <= (unsigned)x86_iopl(s) || s->v86) {
        mask |= IF_MASK;
    }
    if (ot == OT_W) {
        mask &= 0xffff;
    }
    uint64_t v = x86_pop(s, ot);
    x86_set_eflags(s, v, mask);
    s->env->eflags &= ~(uint64_t)RF_MASK;
}

void x86_op_enter(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *regs = s->env->regs;
    unsigned size = 1u << ot, level = d->imm2 & 31;
    X86Stack k = { s->seg[R_SS].base, regs[R_ESP], s->sp_mask, s->mmu_idx };
    uint64_t bp = regs[R_EBP];

    x86_stack_push(s, &k, ot, bp);
    uint64_t frame = k.sp;
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            bp = (bp - size) & s->sp_mask;
            x86_stack_push(s, &k, ot, x86_ld(s, R_SS, bp, ot));
        }
        x86_stack_push(s, &k, ot, frame);
    }
    k.sp = (k.sp - d->imm) & k.mask;
    /* Touch the bottom of the new frame so a bad stack faults here, not later. */
    if (s->seg[R_SS].check_w) {
        x86_seg_check(s, R_SS, k.sp, 1, true);
    }
    /* SDM vol. 2, ENTER: the frame pointer has the stack's size. */
    reg_set(s, R_EBP, s->long64 ? OT_Q : (s->sp_mask == 0xffff ? OT_W : OT_L), frame);
    x86_set_sp(s, k.sp, k.mask);
}

void x86_op_leave(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t sp = s->env->regs[R_EBP] & s->sp_mask;
    uint64_t v = x86_ld(s, R_SS, sp, ot);
    x86_set_sp(s, sp + (1u << ot), s->sp_mask);
    reg_set(s, R_EBP, ot, v);
}

/* A near branch target, checked (and wrapped) before anything is committed. */
static uint64_t near_target(X86Interp *s, uint64_t target, int ot)
{
    uint64_t save = s->next_rip;
    x86_jump(s, target, ot);
    uint64_t t = s->next_rip;
    s->next_rip = save;
    return t;
}

void x86_op_call_rel(X86Interp *s, const X86Insn *d)
{
    uint64_t t = near_target(s, s->next_rip + d->imm, d->ot);
    x86_push(s, d->ot, s->next_rip);
    s->next_rip = t;
}

void x86_op_call_e(X86Interp *s, const X86Insn *d)
{
    uint64_t t = near_target(s, op_rm_get(s, d, d->ot), d->ot);
    x86_push(s, d->ot, s->next_rip);
    s->next_rip = t;
}

void x86_op_ret(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t *rsp = &s->env->regs[R_ESP];
    uint64_t sp = *rsp & s->sp_mask;
    uint64_t t = near_target(s, x86_ld(s, R_SS, sp, ot), ot);

    *rsp = (*rsp & ~s->sp_mask) | ((sp + (1u << ot) + d->imm) & s->sp_mask);
    s->next_rip = t;
}

void x86_op_jmp_rel(X86Interp *s, const X86Insn *d)
{
    x86_jump(s, s->next_rip + d->imm, d->ot);
}

void x86_op_jmp_e(X86Interp *s, const X86Insn *d)
{
    x86_jump(s, op_rm_get(s, d, d->ot), d->ot);
}

void x86_op_jcc(X86Interp *s, const X86Insn *d)
{
    if (x86_cond(s, d->op & 15)) {
        x86_jump(s, s->next_rip + d->imm, d->ot);
    }
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP: the count register has the address size. */
void x86_op_loop(X86Interp *s, const X86Insn *d)
{
    int aot = d->aot;
    uint64_t *rcx = &s->env->regs[R_ECX];
    uint64_t c = (*rcx - 1) & x86_size_mask[aot];
    bool take = c != 0;

    if (d->op == 0xe0) {
        take = take && !x86_cond(s, 4);
    } else if (d->op == 0xe1) {
        take = take && x86_cond(s, 4);
    }
    if (take) {
        x86_jump(s, s->next_rip + d->imm, d->ot);
    }
    if (aot == OT_L) {
        *rcx = (uint32_t)c;
    } else {
        *rcx = (*rcx & ~x86_size_mask[aot]) | c;
    }
}

void x86_op_jcxz(X86Interp *s, const X86Insn *d)
{
    if ((s->env->regs[R_ECX] & x86_size_mask[d->aot]) == 0) {
        x86_jump(s, s->next_rip + d->imm, d->ot);
    }
}

void x86_op_int3(X86Interp *s, const X86Insn *d)
{
    x86_raise_soft(s, EXC_BP, EVENT_SOFT);
}

void x86_op_int(X86Interp *s, const X86Insn *d)
{
    /* SDM vol. 3, 20.3.3: INT n in v86 mode with IOPL < 3 is #GP(0) (no VME). */
    if (s->v86 && x86_iopl(s) != 3) {
        x86_raise(s, EXC_GP, 0);
    }
    x86_raise_soft(s, d->imm & 0xff, EVENT_SOFT);
}

void x86_op_into(X86Interp *s, const X86Insn *d)
{
    if (x86_cond(s, 0)) {
        x86_raise_soft(s, EXC_OF, EVENT_SOFT);
    }
}

void x86_op_int1(X86Interp *s, const X86Insn *d)
{
    x86_raise_soft(s, EXC_DB, EVENT_ICEBP);
}

void x86_op_bound(X86Interp *s, const X86Insn *d)
{
    int ot = d->ot;
    uint64_t ea = insn_ea(s, d);
    int64_t idx = sext(reg_get(s, d->reg, ot), ot);
    int64_t lo = sext(x86_ld(s, d->seg, ea, ot), ot);
    int64_t hi = sext(x86_ld(s, d->seg, (ea + (1u << ot)) & x86_size_mask[d->aot], ot), ot);
    if (idx < lo || idx > hi) {
        x86_raise(s, EXC_BR, 0);
    }
}
