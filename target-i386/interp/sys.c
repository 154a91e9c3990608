/*
 * System instructions: control and debug registers, descriptor-table
 * registers (group 7), INVLPG, SWAPGS, port I/O with IOPL and the TSS
 * permission bitmap, HLT, CLI/STI, cache control, and the x87/SSE hooks
 * (SDM vol. 2 and vol. 3, chapters 2 and 5).
 */
#include "target-i386/interp/exec.h"
#include "target-i386/interp/exec-sse.h"
#include "util/log.h"

#define PHYS_ADDR_BITS 40

/* CR4 bits the interpreter implements (CPUID advertises the matching features). */
#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE | \
                       CR4_OSFXSR | CR4_OSXMMEXCPT)

/* Outside 64-bit mode MOV CR/DR moves 32 bits whatever the prefixes. */
static int crdr_ot(X86Interp *s)
{
    return s->long64 ? OT_Q : OT_L;
}

static void set_cr0(X86Interp *s, uint64_t v)
{
    CPUX86State *env = s->env;
    uint64_t old = env->cr[0];

    /* SDM vol. 3, 2.5 and 9.8.5: the combinations MOV CR0 refuses. */
    if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD))) {
        x86_raise(s, EXC_GP, 0);
    }
    v |= CR0_ET;
    if (!(old & CR0_PG) && (v & CR0_PG) && (env->efer & EFER_LME)) {
        if (!(env->cr[4] & CR4_PAE) || (env->segs[R_CS].flags & DESC_L_MASK)) {
            x86_raise(s, EXC_GP, 0);
        }
        env->efer |= EFER_LMA;
    }
    if ((old & CR0_PG) && !(v & CR0_PG) && (env->efer & EFER_LMA)) {
        if (s->long64 || (env->cr[4] & CR4_PCIDE)) {
            x86_raise(s, EXC_GP, 0);
        }
        env->efer &= ~(uint64_t)EFER_LMA;
    }
    env->cr[0] = v;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
        x86_tlb_flush(s);
    }
}

/* CR4.OSXSAVE is reserved (#GP) unless CPUID advertises XSAVE (SDM vol. 3, 2.5). */
static uint64_t cr4_writable(X86Interp *s)
{
    uint32_t out[4];
    if (s->ctx->cpuid) {
        s->ctx->cpuid(s->env, 1, 0, out);
    } else {
        x86_interp_cpuid_builtin(s->env, 1, 0, out);
    }
    return CR4_SUPPORTED | ((out[2] & CPUID_1_ECX_XSAVE) ? CR4_OSXSAVE : 0) |
           ((out[2] & CPUID_1_ECX_PCID) ? CR4_PCIDE : 0);
}

static void set_cr4(X86Interp *s, uint64_t v)
{
    CPUX86State *env = s->env;
    if ((v & ~cr4_writable(s)) || ((env->efer & EFER_LMA) && !(v & CR4_PAE))) {
        x86_raise(s, EXC_GP, 0);
    }
    /* SDM vol. 3, 4.10.1: PCIDE only in IA-32e mode, and only with PCID 0 current. */
    if ((v & CR4_PCIDE) && !(env->cr[4] & CR4_PCIDE) &&
        (!(env->efer & EFER_LMA) || (env->cr[3] & 0xfff))) {
        x86_raise(s, EXC_GP, 0);
    }
    uint64_t changed = env->cr[4] ^ v;
    if (changed & (CR4_PSE | CR4_PAE | CR4_PGE)) {
        x86_tlb_flush(s);
    }
    env->cr[4] = v;
    if (changed & CR4_DE) {
        x86_dr_update(s);       /* DE turns DR7's I/O breakpoints on or off */
    }
}

void x86_op_mov_from_cr(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    uint64_t v;

    x86_require_cpl0(s);
    switch (d->reg) {
    case 0:
    case 2:
    case 3:
    case 4:
        v = env->cr[d->reg];
        break;
    case 8:
        if (!s->long64) {
            x86_raise(s, EXC_UD, 0);
        }
        if (!s->ctx->cr8_access || !s->ctx->cr8_access(s->ctx->opaque, &v, false)) {
            v = s->cr8;
        }
        break;
    default:
        x86_raise(s, EXC_UD, 0);
    }
    reg_set(s, d->rm, crdr_ot(s), v);
}

void x86_op_mov_to_cr(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    uint64_t v = reg_get(s, d->rm, crdr_ot(s));

    x86_require_cpl0(s);
    switch (d->reg) {
    case 0:
        set_cr0(s, v);
        break;
    case 2:
        env->cr[2] = v;
        break;
    case 3:
        if (env->cr[4] & CR4_PCIDE) {
            v &= ~(1ull << 63);     /* "keep this PCID's entries": a hint, not stored */
        }
        if ((env->efer & EFER_LMA) && (v >> PHYS_ADDR_BITS)) {
            x86_raise(s, EXC_GP, 0);
        }
        env->cr[3] = v;
        /*
         * The TLB is not tagged by PCID: flushing every time is what the
         * hardware may always do, global pages are refilled.
         */
        x86_tlb_flush(s);
        break;
    case 4:
        set_cr4(s, v);
        break;
    case 8:
        if (!s->long64 || (v >> 4)) {
            x86_raise(s, s->long64 ? EXC_GP : EXC_UD, 0);
        }
        if (!s->ctx->cr8_access || !s->ctx->cr8_access(s->ctx->opaque, &v, true)) {
            s->cr8 = v;
        }
        s->stop = true;         /* a lower priority may let an interrupt in now */
        break;
    default:
        x86_raise(s, EXC_UD, 0);
    }
    x86_update_mode(s);
    s->stop = true;
}

/* DR4/DR5 are DR6/DR7 unless CR4.DE (SDM vol. 3, 17.2.2). */
static int dr_index(X86Interp *s, unsigned r)
{
    if (r > 7) {
        x86_raise(s, EXC_UD, 0);
    }
    if (r == 4 || r == 5) {
        if (s->env->cr[4] & CR4_DE) {
            x86_raise(s, EXC_UD, 0);
        }
        r += 2;
    }
    return r;
}

void x86_op_mov_from_dr(X86Interp *s, const X86Insn *d)
{
    x86_require_cpl0(s);
    int r = dr_index(s, d->reg);
    x86_dr_general_detect(s);
    reg_set(s, d->rm, crdr_ot(s), s->env->dr[r]);
}

void x86_op_mov_to_dr(X86Interp *s, const X86Insn *d)
{
    x86_require_cpl0(s);
    int r = dr_index(s, d->reg);
    uint64_t v = reg_get(s, d->rm, crdr_ot(s));
    if (r >= 6 && (v >> 32)) {
        x86_raise(s, EXC_GP, 0);
    }
    x86_dr_general_detect(s);
    s->env->dr[r] = r == 6 ? (v | 0xffff0ff0u) : r == 7 ? (v | 0x400) : v;
    if (r != 6) {
        x86_dr_update(s);
        s->stop = true;         /* the next block looks for instruction breakpoints */
    }
}

void x86_op_clts(X86Interp *s, const X86Insn *d)
{
    x86_require_cpl0(s);
    s->env->cr[0] &= ~(uint64_t)CR0_TS;
}

/* ---- Group 7: descriptor tables, SMSW/LMSW, INVLPG, SWAPGS, RDTSCP ------------ */

static void store_dtr(X86Interp *s, const X86Insn *d, const DescriptorTable *t)
{
    if ((s->env->cr[4] & CR4_UMIP) && s->cpl > 0) {
        x86_raise(s, EXC_GP, 0);
    }
    uint64_t ea = insn_ea(s, d);
    uint64_t ea2 = (ea + 2) & x86_size_mask[d->aot];
    /* Write the high part first: a fault then leaves memory unchanged below. */
    if (s->long64) {
        x86_st(s, d->seg, ea2, OT_Q, t->base);
    } else {
        x86_st(s, d->seg, ea2, OT_L, (uint32_t)t->base);
    }
    x86_st(s, d->seg, ea, OT_W, t->limit);
}

static void load_dtr(X86Interp *s, const X86Insn *d, DescriptorTable *t)
{
    x86_require_cpl0(s);
    uint64_t ea = insn_ea(s, d);
    uint64_t ea2 = (ea + 2) & x86_size_mask[d->aot];
    uint16_t limit = x86_ld(s, d->seg, ea, OT_W);
    uint64_t base;
    if (s->long64) {
        base = x86_ld(s, d->seg, ea2, OT_Q);
        if (!x86_canonical(base)) {
            x86_raise(s, EXC_GP, 0);
        }
    } else {
        base = x86_ld(s, d->seg, ea2, OT_L);
        if (d->ot == OT_W) {
            base &= 0xffffff;       /* 16-bit operand size: 24-bit base */
        }
    }
    t->base = base;
    t->limit = limit;
}

void x86_op_grp7(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;

    if (d->mod == 3) {
        switch (d->op) {
        case 4:                                     /* SMSW r */
            if ((env->cr[4] & CR4_UMIP) && s->cpl > 0) {
                x86_raise(s, EXC_GP, 0);
            }
            reg_set(s, d->rm, d->ot, env->cr[0]);
            return;
        case 6:                                     /* LMSW r */
            break;
        case 7:
            if ((d->rm & 7) == 0 && s->long64) {    /* SWAPGS */
                x86_require_cpl0(s);
                uint64_t t = env->segs[R_GS].base;
                env->segs[R_GS].base = env->kernel_gs_base;
                env->kernel_gs_base = t;
                x86_update_seg(s, R_GS);
                return;
            }
            if ((d->rm & 7) == 1) {                 /* RDTSCP */
                if ((env->cr[4] & CR4_TSD) && s->cpl > 0) {
                    x86_raise(s, EXC_GP, 0);
                }
                uint64_t tsc = x86_tsc_read(s);
                reg_set(s, R_EAX, OT_L, tsc);
                reg_set(s, R_EDX, OT_L, tsc >> 32);
                reg_set(s, R_ECX, OT_L, env->tsc_aux);
                return;
            }
            x86_raise(s, EXC_UD, 0);
        case 2:
            if ((d->rm & 7) == 0) {                 /* XGETBV (exec-xsave.c) */
                x86_op_xgetbv(s, d);
                return;
            }
            if ((d->rm & 7) == 1) {                 /* XSETBV */
                x86_op_xsetbv(s, d);
                return;
            }
            x86_raise(s, EXC_UD, 0);
        default:
            /* VMX, MONITOR/MWAIT, CLAC/STAC: not advertised. */
            x86_raise(s, EXC_UD, 0);
        }
    }
    switch (d->op) {
    case 0:
        store_dtr(s, d, &env->gdt);
        break;
    case 1:
        store_dtr(s, d, &env->idt);
        break;
    case 2:
        load_dtr(s, d, &env->gdt);
        break;
    case 3:
        load_dtr(s, d, &env->idt);
        break;
    case 4:                                         /* SMSW m16 */
        if ((env->cr[4] & CR4_UMIP) && s->cpl > 0) {
            x86_raise(s, EXC_GP, 0);
        }
        x86_st(s, d->seg, insn_ea(s, d), OT_W, env->cr[0]);
        return;
    case 6:
        break;
    case 7:                                         /* INVLPG */
        x86_require_cpl0(s);
        x86_tlb_flush_page(s, (s->seg[d->seg].base + insn_ea(s, d)) & s->lin_mask);
        s->stop = true;
        return;
    default:
        x86_raise(s, EXC_UD, 0);
    }
    if (d->op == 6) {
        /* LMSW: PE, MP, EM, TS only, and it cannot clear PE. */
        x86_require_cpl0(s);
        uint16_t v = op_rm_get(s, d, OT_W);
        uint64_t cr0 = (env->cr[0] & ~0xeull) | (v & 0xf) | (env->cr[0] & CR0_PE);
        set_cr0(s, cr0);
        x86_update_mode(s);
        s->stop = true;
    }
}

/* ---- Port I/O ------------------------------------------------------------------ */

void x86_check_io(X86Interp *s, uint16_t port, unsigned size)
{
    CPUX86State *env = s->env;

    if (!s->pe || (!s->v86 && s->cpl <= (unsigned)x86_iopl(s))) {
        return;
    }
    /* The bitmap is only in a 32-bit (or 64-bit) TSS. */
    unsigned type = (env->tr.flags >> 8) & 15;
    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) || env->tr.limit < 103) {
        x86_raise(s, EXC_GP, 0);
    }
    uint32_t io_base = x86_ld_sys(s, env->tr.base + 0x66, OT_W);
    uint32_t off = io_base + port / 8;
    if (off + 1 > env->tr.limit) {
        x86_raise(s, EXC_GP, 0);
    }
    uint16_t bits = x86_ld_sys(s, env->tr.base + off, OT_W);
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        x86_raise(s, EXC_GP, 0);
    }
}

static int io_size(const X86Insn *d)
{
    return d->ot == OT_Q ? OT_L : d->ot;
}

/* E4/E5 IN imm8, EC/ED IN DX. */
void x86_op_in(X86Interp *s, const X86Insn *d)
{
    int ot = io_size(d);
    uint16_t port = (d->op & 8) ? s->env->regs[R_EDX] : d->imm;
    x86_check_io(s, port, 1u << ot);
    reg_set(s, R_EAX, ot, x86_io_in(s, port, ot));
    x86_dr_check_io(s, port, 1u << ot);
}

void x86_op_out(X86Interp *s, const X86Insn *d)
{
    int ot = io_size(d);
    uint16_t port = (d->op & 8) ? s->env->regs[R_EDX] : d->imm;
    x86_check_io(s, port, 1u << ot);
    x86_io_out(s, port, ot, reg_get(s, R_EAX, ot));
    x86_dr_check_io(s, port, 1u << ot);
}

/* ---- HLT, CLI, STI, caches ----------------------------------------------------------- */

void x86_op_hlt(X86Interp *s, const X86Insn *d)
{
    x86_require_cpl0(s);
    s->halted_now = true;
    s->stop = true;
}

/* SDM vol. 2, CLI/STI: allowed at CPL <= IOPL (IOPL 3 in v86; no VME/PVI). */
static bool if_allowed(X86Interp *s)
{
    if (!s->pe) {
        return true;
    }
    if (s->v86) {
        return x86_iopl(s) == 3;
    }
    return s->cpl <= (unsigned)x86_iopl(s);
}

void x86_op_cli(X86Interp *s, const X86Insn *d)
{
    if (!if_allowed(s)) {
        x86_raise(s, EXC_GP, 0);
    }
    s->env->eflags &= ~(uint64_t)IF_MASK;
}

void x86_op_sti(X86Interp *s, const X86Insn *d)
{
    if (!if_allowed(s)) {
        x86_raise(s, EXC_GP, 0);
    }
    if (!(s->env->eflags & IF_MASK)) {
        s->inhibit_irq = true;      /* interrupts wait one more instruction */
    }
    s->env->eflags |= IF_MASK;
}

void x86_op_wbinvd(X86Interp *s, const X86Insn *d)
{
    x86_require_cpl0(s);
}

void x86_op_ud(X86Interp *s, const X86Insn *d)
{
    if (log_enabled(LOG_UNIMP)) {
        log_printf("x86: #UD at %04x:%016" PRIx64 " (opcode %s%02x)\n",
                   s->env->segs[R_CS].selector, s->env->rip, d->map ? "0f " : "", d->op);
    }
    x86_raise(s, EXC_UD, 0);
}

void x86_op_gp0(X86Interp *s, const X86Insn *d)
{
    x86_raise(s, EXC_GP, 0);
}

/* ---- SSE hooks: the faults the SDM gives before any SSE work (x87: exec-x87.c) -------- */

/* SDM vol. 3, 13.1 and table 22-6: EM or no OSFXSR is #UD, then TS is #NM. */
static void sse_check(X86Interp *s)
{
    if ((s->env->cr[0] & CR0_EM) || !(s->env->cr[4] & CR4_OSFXSR)) {
        x86_raise(s, EXC_UD, 0);
    }
    if (s->env->cr[0] & CR0_TS) {
        x86_raise(s, EXC_NM, 0);
    }
}

void x86_op_sse_stub(X86Interp *s, const X86Insn *d)
{
    sse_check(s);
    log_mask(LOG_UNIMP, "x86: SSE/MMX instruction 0f %02x at 0x%" PRIx64 "\n", d->op,
             s->env->rip);
    x86_raise(s, EXC_UD, 0);
}

/* 0F AE: fences and CLFLUSH run here; the state saves in exec-xsave.c. */
void x86_op_grp15(X86Interp *s, const X86Insn *d)
{
    if (d->mod == 3) {
        if (d->op >= 5 && !(d->pfx & (PFX_REPZ | PFX_REPNZ | PFX_OPSIZE))) {
            return;                 /* LFENCE, MFENCE, SFENCE */
        }
        x86_raise(s, EXC_UD, 0);
    }
    if (d->pfx & (PFX_REPZ | PFX_REPNZ | PFX_OPSIZE)) {
        x86_raise(s, EXC_UD, 0);
    }
    if (d->op == 7) {
        /* CLFLUSH: faults like a byte read; caches are not modelled. */
        x86_ld(s, d->seg, insn_ea(s, d), OT_B);
        return;
    }
    x86_sse_grp15_mem(s, d);
}
