/*
 * CPUID, MSRs, the TSC, and the fast system calls (SYSCALL/SYSRET,
 * SYSENTER/SYSEXIT).  SDM vol. 2 (CPUID, RDMSR, WRMSR, RDTSC, SYSCALL,
 * SYSRET, SYSENTER, SYSEXIT) and vol. 4 (the MSRs).
 *
 * The built-in CPUID table advertises what the interpreter implements;
 * target-i386/cpu.c takes over through X86InterpCtx.cpuid.
 */
#include "target-i386/interp/exec.h"
#include "system/timer.h"
#include "util/log.h"

/* ---- CPUID ------------------------------------------------------------------ */

/* Leaf 1 EDX: FPU, DE, PSE, TSC, MSR, PAE, CX8, SEP, PGE, CMOV (with FCMOV), PAT, PSE36, CLFSH. */
#define CPUID_1_EDX ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | \
                     (1u << 11) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 19))
/* Leaf 1 ECX: CX16, POPCNT. */
#define CPUID_1_ECX ((1u << 13) | (1u << 23))
/* Leaf 1, SSE family (exec-sse*.c): EDX MMX FXSR SSE SSE2; ECX SSE3 SSSE3 SSE4.1 SSE4.2. */
#define CPUID_1_EDX_SSE ((1u << 23) | (1u << 24) | (1u << 25) | (1u << 26))
#define CPUID_1_ECX_SSE ((1u << 0) | (1u << 9) | (1u << 19) | (1u << 20))
/* Leaf 0xD: XCR0 may enable x87 and SSE; their standard-format area is 576 bytes. */
#define CPUID_D_XCR0    0x3u
#define CPUID_D_SIZE    576u
#define CPUID_D_1_XSAVEOPT (1u << 0)
/* 0x80000001 EDX: SYSCALL, NX, Page1GB, RDTSCP, LM; ECX: LAHF/SAHF in 64-bit mode. */
#define CPUID_81_EDX ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29))
#define CPUID_81_ECX (1u << 0)

static void cpuid_string(uint32_t out[4], const char *s)
{
    char buf[16] = { 0 };
    memcpy(buf, s, strnlen(s, sizeof(buf)));
    memcpy(out, buf, 16);
}

void x86_interp_cpuid_builtin(CPUX86State *env, uint32_t leaf, uint32_t subleaf,
                              uint32_t out[4])
{
    static const char brand[48] = "kemu interpreter x86-64 CPU";

    memset(out, 0, 4 * sizeof(uint32_t));
    switch (leaf) {
    case 0:
        /* Leaf 0xd answers too; the CPU models (max: level 0xd) advertise it. */
        out[0] = 7;
        memcpy(&out[1], "Genu", 4);     /* EBX, EDX, ECX: "GenuineIntel" */
        memcpy(&out[3], "ineI", 4);
        memcpy(&out[2], "ntel", 4);
        break;
    case 1:
        out[0] = 0x000006f1;            /* family 6, model 15, stepping 1 */
        out[1] = (8u << 8) | (1u << 16);    /* CLFLUSH 64 bytes, one logical CPU */
        out[2] = CPUID_1_ECX | CPUID_1_ECX_SSE | CPUID_1_ECX_PCID;
        /* exec-xsave.c: XSAVE, XRSTOR, XSAVEOPT, XGETBV, XSETBV for x87 and SSE. */
        out[2] |= CPUID_1_ECX_XSAVE;
        out[3] = CPUID_1_EDX | CPUID_1_EDX_SSE;
        /* OSXSAVE mirrors CR4.OSXSAVE (SDM vol. 2A, CPUID, table 3-10). */
        if (env && (env->cr[4] & CR4_OSXSAVE)) {
            out[2] |= CPUID_1_ECX_OSXSAVE;
        }
        /* Guests skip probing bare-metal hardware (PMU, AMD C1E MSRs) under a hypervisor. */
        out[2] |= CPUID_1_ECX_HYPERVISOR;
        /* The local APIC is the board's (hw/intc/apic.c), with x2APIC and TSC deadline. */
        out[2] |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
        out[3] |= CPUID_1_EDX_APIC;
        break;
    case 0xd:
        /*
         * SDM vol. 1, 13.2: sub-leaf 0 gives the XCR0 bits, the area size for
         * the enabled components (the legacy area and header are always
         * there, so 576 whatever XCR0 holds) and the largest size; sub-leaf 1
         * the XSAVE extensions (XSAVEOPT only: no XSAVEC, XGETBV1, XSAVES).
         */
        if (subleaf == 0) {
            out[0] = CPUID_D_XCR0;
            out[1] = CPUID_D_SIZE;
            out[2] = CPUID_D_SIZE;
        } else if (subleaf == 1) {
            out[0] = CPUID_D_1_XSAVEOPT;
        }
        break;
    case 0x80000000:
        out[0] = 0x80000008;
        break;
    case 0x80000001:
        out[2] = CPUID_81_ECX;
        out[3] = CPUID_81_EDX;
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        uint32_t part[4];
        cpuid_string(part, brand + 16 * (leaf - 0x80000002));
        memcpy(out, part, sizeof(part));
        break;
    }
    case 0x80000008:
        out[0] = (48u << 8) | 40u;      /* 48-bit linear, 40-bit physical addresses */
        break;
    default:
        break;                          /* leaf 7 and others: nothing advertised */
    }
}

/* CPUID as the guest sees it: the accelerator's CPU model, or the built-in one. */
static void cpuid_query(X86Interp *s, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    if (s->ctx->cpuid) {
        s->ctx->cpuid(s->env, leaf, sub, out);
    } else {
        x86_interp_cpuid_builtin(s->env, leaf, sub, out);
    }
}

void x86_op_cpuid(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    uint32_t out[4];

    cpuid_query(s, env->regs[R_EAX], env->regs[R_ECX], out);
    reg_set(s, R_EAX, OT_L, out[0]);
    reg_set(s, R_EBX, OT_L, out[1]);
    reg_set(s, R_ECX, OT_L, out[2]);
    reg_set(s, R_EDX, OT_L, out[3]);
}

/* ---- TSC ----------------------------------------------------------------------- */

/* The TSC counts at 1 GHz of virtual time: it stops while the VM is paused. */
uint64_t x86_tsc_read(X86Interp *s)
{
    return (uint64_t)clock_get_ns(CLOCK_VIRTUAL) + s->env->tsc_offset;
}

void x86_op_rdtsc(X86Interp *s, const X86Insn *d)
{
    if ((s->env->cr[4] & CR4_TSD) && s->cpl > 0) {
        x86_raise(s, EXC_GP, 0);
    }
    uint64_t tsc = x86_tsc_read(s);
    reg_set(s, R_EAX, OT_L, tsc);
    reg_set(s, R_EDX, OT_L, tsc >> 32);
}

void x86_op_rdpmc(X86Interp *s, const X86Insn *d)
{
    /* No performance counters are advertised: every index is invalid. */
    x86_raise(s, EXC_GP, 0);
}

/* ---- MSRs ------------------------------------------------------------------------ */

/* The microcode revision MSR (read after writing 0 and CPUID, SDM vol. 3, 10.11.7.1). */
#define MSR_IA32_UCODE_REV      0x0000008b
/*
 * AMD family 0Fh's interrupt pending / CMP-halt register (BKDG MSRC001_0055):
 * Linux reads it for erratum 400 on AMD models.  Zero: C1E is never active.
 */
#define MSR_K8_INT_PENDING_MSG  0xc0010055

static bool cpu_is_amd(X86Interp *s)
{
    uint32_t out[4];
    cpuid_query(s, 0, 0, out);
    return !memcmp(&out[1], "Auth", 4);     /* EBX of "AuthenticAMD" */
}

static bool msr_read(X86Interp *s, uint32_t msr, uint64_t *v)
{
    CPUX86State *env = s->env;
    switch (msr) {
    case MSR_IA32_UCODE_REV:    *v = 1ull << 32; break;
    case MSR_IA32_TSC:          *v = x86_tsc_read(s); break;
    case MSR_IA32_APICBASE:     *v = env->apic_base; break;
    case MSR_IA32_SYSENTER_CS:  *v = env->sysenter_cs; break;
    case MSR_IA32_SYSENTER_ESP: *v = env->sysenter_esp; break;
    case MSR_IA32_SYSENTER_EIP: *v = env->sysenter_eip; break;
    case MSR_IA32_MISC_ENABLE:  *v = env->misc_enable; break;
    case MSR_PAT:               *v = env->pat; break;
    case MSR_IA32_TSC_DEADLINE: *v = env->tsc_deadline; break;
    case MSR_EFER:              *v = env->efer; break;
    case MSR_STAR:              *v = env->star; break;
    case MSR_LSTAR:             *v = env->lstar; break;
    case MSR_CSTAR:             *v = env->cstar; break;
    case MSR_FMASK:             *v = env->fmask; break;
    case MSR_FSBASE:            *v = env->segs[R_FS].base; break;
    case MSR_GSBASE:            *v = env->segs[R_GS].base; break;
    case MSR_KERNELGSBASE:      *v = env->kernel_gs_base; break;
    case MSR_TSC_AUX:           *v = env->tsc_aux; break;
    case MSR_K8_INT_PENDING_MSG:
        if (!cpu_is_amd(s)) {
            return false;
        }
        *v = 0;
        break;
    default:
        return false;
    }
    return true;
}

static bool msr_write(X86Interp *s, uint32_t msr, uint64_t v)
{
    CPUX86State *env = s->env;
    switch (msr) {
    case MSR_IA32_TSC:
        env->tsc_offset = v - (uint64_t)clock_get_ns(CLOCK_VIRTUAL);
        break;
    case MSR_IA32_APICBASE:
        env->apic_base = v;
        break;
    case MSR_IA32_UCODE_REV:
        break;
    case MSR_IA32_SYSENTER_CS:
        env->sysenter_cs = v & 0xffff;
        break;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        if (!x86_canonical(v)) {
            return false;
        }
        *(msr == MSR_IA32_SYSENTER_ESP ? &env->sysenter_esp : &env->sysenter_eip) = v;
        break;
    case MSR_IA32_MISC_ENABLE:
        env->misc_enable = v;
        break;
    case MSR_PAT:
        env->pat = v;
        break;
    case MSR_IA32_TSC_DEADLINE:
        env->tsc_deadline = v;
        break;
    case MSR_EFER: {
        uint64_t allowed = EFER_SCE | EFER_LME | EFER_NXE;
        if (v & ~(allowed | EFER_LMA)) {
            return false;
        }
        /* LME cannot change while paging is on; LMA is read-only. */
        if ((env->cr[0] & CR0_PG) && ((v ^ env->efer) & EFER_LME)) {
            return false;
        }
        env->efer = (env->efer & EFER_LMA) | (v & allowed);
        x86_tlb_flush(s);
        x86_update_mode(s);
        s->stop = true;
        break;
    }
    case MSR_STAR:
        env->star = v;
        break;
    case MSR_LSTAR:
    case MSR_CSTAR:
        if (!x86_canonical(v)) {
            return false;
        }
        *(msr == MSR_LSTAR ? &env->lstar : &env->cstar) = v;
        break;
    case MSR_FMASK:
        env->fmask = (uint32_t)v;
        break;
    case MSR_FSBASE:
    case MSR_GSBASE:
        if (!x86_canonical(v)) {
            return false;
        }
        env->segs[msr == MSR_FSBASE ? R_FS : R_GS].base = v;
        x86_update_seg(s, msr == MSR_FSBASE ? R_FS : R_GS);
        break;
    case MSR_KERNELGSBASE:
        if (!x86_canonical(v)) {
            return false;
        }
        env->kernel_gs_base = v;
        break;
    case MSR_TSC_AUX:
        env->tsc_aux = (uint32_t)v;
        break;
    case MSR_K8_INT_PENDING_MSG:
        return cpu_is_amd(s);     /* nothing to set: C1E is not modelled */
    default:
        return false;
    }
    return true;
}

void x86_op_rdmsr(X86Interp *s, const X86Insn *d)
{
    uint32_t msr = s->env->regs[R_ECX];
    uint64_t v;

    x86_require_cpl0(s);
    int r = s->ctx->msr_access ? s->ctx->msr_access(s->ctx->opaque, msr, &v, false) : -1;
    if (r == 0 || (r < 0 && !msr_read(s, msr, &v))) {
        log_mask(LOG_UNIMP | LOG_GUEST_ERROR, "x86: rdmsr 0x%x: unknown MSR, #GP\n", msr);
        x86_raise(s, EXC_GP, 0);
    }
    reg_set(s, R_EAX, OT_L, v);
    reg_set(s, R_EDX, OT_L, v >> 32);
}

void x86_op_wrmsr(X86Interp *s, const X86Insn *d)
{
    uint32_t msr = s->env->regs[R_ECX];
    uint64_t v = (uint32_t)s->env->regs[R_EAX] | (s->env->regs[R_EDX] << 32);

    x86_require_cpl0(s);
    int r = s->ctx->msr_access ? s->ctx->msr_access(s->ctx->opaque, msr, &v, true) : -1;
    if (r == 0 || (r < 0 && !msr_write(s, msr, v))) {
        log_mask(LOG_UNIMP | LOG_GUEST_ERROR, "x86: wrmsr 0x%x <- 0x%" PRIx64 ": #GP\n", msr, v);
        x86_raise(s, EXC_GP, 0);
    }
}

/* ---- SYSCALL/SYSRET, SYSENTER/SYSEXIT ----------------------------------------------- */

/* The flat segments the fast system calls load (they read no descriptor). */
static void set_flat(SegmentCache *c, uint16_t sel, bool code, unsigned dpl, bool l64)
{
    c->selector = sel;
    c->base = 0;
    c->limit = 0xffffffffu;
    c->flags = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_G_MASK |
               (dpl << DESC_DPL_SHIFT) | DESC_W_MASK |
               (code ? DESC_CS_MASK : 0) | (l64 ? DESC_L_MASK : DESC_B_MASK);
}

/*
 * The vendors differ (SDM vol. 2B; AMD APM vol. 3): Intel has SYSCALL and
 * SYSRET only in 64-bit mode, SYSENTER and SYSEXIT in every protected mode;
 * AMD has SYSCALL and SYSRET in legacy and compatibility mode too (EIP from
 * STAR[31:0], CSTAR), and no SYSENTER or SYSEXIT in long mode.
 */
void x86_op_syscall(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    bool amd = cpu_is_amd(s);

    if (!(env->efer & EFER_SCE) || (!s->long64 && !amd)) {
        x86_raise(s, EXC_UD, 0);
    }
    uint16_t sel = (env->star >> 32) & 0xfffc;
    if (env->efer & EFER_LMA) {
        env->regs[R_ECX] = s->next_rip;
        env->regs[R_R11] = x86_get_eflags(s) & ~(uint64_t)RF_MASK;
        set_flat(&env->segs[R_CS], sel, true, 0, true);
        x86_set_eflags(s, 0, env->fmask | RF_MASK);
        s->next_rip = s->long64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)s->next_rip;
        set_flat(&env->segs[R_CS], sel, true, 0, false);
        x86_set_eflags(s, 0, VM_MASK | IF_MASK | RF_MASK);
        s->next_rip = (uint32_t)env->star;
    }
    set_flat(&env->segs[R_SS], sel + 8, false, 0, false);
    x86_update_mode(s);
}

void x86_op_sysret(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;

    if (!(env->efer & EFER_SCE) || (!s->long64 && !cpu_is_amd(s))) {
        x86_raise(s, EXC_UD, 0);
    }
    if (!s->pe) {
        x86_raise(s, EXC_GP, 0);
    }
    x86_require_cpl0(s);
    uint16_t sel = (env->star >> 48) & 0xffff;
    uint64_t rip = env->regs[R_ECX];
    if (d->pfx & PFX_REXW) {
        if (!x86_canonical(rip)) {
            x86_raise(s, EXC_GP, 0);
        }
        set_flat(&env->segs[R_CS], (sel + 16) | 3, true, 3, true);
    } else {
        set_flat(&env->segs[R_CS], sel | 3, true, 3, false);
        rip = (uint32_t)rip;
    }
    set_flat(&env->segs[R_SS], (sel + 8) | 3, false, 3, false);
    if (env->efer & EFER_LMA) {
        x86_set_eflags(s, (env->regs[R_R11] & 0x3c7fd7) | 2, UINT64_MAX);
    } else {
        x86_set_eflags(s, IF_MASK, IF_MASK);        /* legacy mode (AMD): IF set, R11 unused */
    }
    s->next_rip = rip;
    x86_update_mode(s);
}

void x86_op_sysenter(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    bool lm = env->efer & EFER_LMA;
    uint16_t sel = env->sysenter_cs & 0xfffc;

    if (lm && cpu_is_amd(s)) {
        x86_raise(s, EXC_UD, 0);
    }
    if (!s->pe || sel == 0) {
        x86_raise(s, EXC_GP, 0);
    }
    env->eflags &= ~(uint64_t)(VM_MASK | IF_MASK | RF_MASK);
    set_flat(&env->segs[R_CS], sel, true, 0, lm);
    set_flat(&env->segs[R_SS], sel + 8, false, 0, false);
    env->regs[R_ESP] = lm ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    s->next_rip = lm ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    x86_update_mode(s);
}

void x86_op_sysexit(X86Interp *s, const X86Insn *d)
{
    CPUX86State *env = s->env;
    uint16_t sel = env->sysenter_cs & 0xfffc;

    if ((env->efer & EFER_LMA) && cpu_is_amd(s)) {
        x86_raise(s, EXC_UD, 0);
    }
    if (!s->pe || s->cpl != 0 || sel == 0) {
        x86_raise(s, EXC_GP, 0);
    }
    if (d->pfx & PFX_REXW) {
        uint64_t rip = env->regs[R_EDX], sp = env->regs[R_ECX];
        if (!x86_canonical(rip) || !x86_canonical(sp)) {
            x86_raise(s, EXC_GP, 0);
        }
        set_flat(&env->segs[R_CS], (sel + 32) | 3, true, 3, true);
        set_flat(&env->segs[R_SS], (sel + 40) | 3, false, 3, false);
        env->regs[R_ESP] = sp;
        s->next_rip = rip;
    } else {
        set_flat(&env->segs[R_CS], (sel + 16) | 3, true, 3, false);
        set_flat(&env->segs[R_SS], (sel + 24) | 3, false, 3, false);
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        s->next_rip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_mode(s);
}
