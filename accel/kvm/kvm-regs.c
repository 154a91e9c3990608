/*
 * Register conversion between CPUX86State and KVM's structures: kvm_regs,
 * kvm_sregs, the XSAVE area (its legacy FXSAVE part; SDM vol. 1, 10.5.1),
 * XCR0, debug registers, MSRs, MP state, and at reset also the local APIC
 * and the pending events.  Runs on the vCPU's own thread (api.rst, 1).
 */
#include "accel/kvm/kvm-int.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/log.h"

/* The MSRs kemu syncs; only those KVM lists are used (some hosts refuse others). */
static const uint32_t msr_candidates[] = {
    MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_PAT,
    MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNELGSBASE, MSR_TSC_AUX,
    MSR_IA32_TSC_DEADLINE, MSR_IA32_MISC_ENABLE,
    /* Written at reset only. */
    MSR_IA32_TSC, MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK_NEW,
    MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_ASYNC_PF_EN, MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN,
};

bool kvm_msrs_init(Error **errp)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
        error_setg(errp, "failed to initialize kvm: KVM_GET_MSR_INDEX_LIST: %s",
                   g_strerror(errno));
        return false;
    }
    struct kvm_msr_list *list = g_malloc0(sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
    list->nmsrs = probe.nmsrs;
    if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
        error_setg(errp, "failed to initialize kvm: KVM_GET_MSR_INDEX_LIST: %s",
                   g_strerror(errno));
        g_free(list);
        return false;
    }
    kvm_state.msrs = g_new(uint32_t, G_N_ELEMENTS(msr_candidates));
    kvm_state.nr_msrs = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(msr_candidates); i++) {
        for (unsigned j = 0; j < list->nmsrs; j++) {
            if (list->indices[j] == msr_candidates[i]) {
                kvm_state.msrs[kvm_state.nr_msrs++] = msr_candidates[i];
                break;
            }
        }
    }
    g_free(list);
    return true;
}

/* Where env keeps an MSR; NULL for those only reset touches. */
static uint64_t *msr_field(CPUX86State *env, uint32_t index)
{
    switch (index) {
    case MSR_IA32_SYSENTER_CS: return &env->sysenter_cs;
    case MSR_IA32_SYSENTER_ESP: return &env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return &env->sysenter_eip;
    case MSR_PAT: return &env->pat;
    case MSR_STAR: return &env->star;
    case MSR_LSTAR: return &env->lstar;
    case MSR_CSTAR: return &env->cstar;
    case MSR_FMASK: return &env->fmask;
    case MSR_KERNELGSBASE: return &env->kernel_gs_base;
    case MSR_TSC_AUX: return &env->tsc_aux;
    case MSR_IA32_TSC_DEADLINE: return &env->tsc_deadline;
    case MSR_IA32_MISC_ENABLE: return &env->misc_enable;
    default: return NULL;
    }
}

/* ---- Segments ---------------------------------------------------------------- */

static void seg_to_kvm(struct kvm_segment *k, const SegmentCache *s)
{
    uint32_t f = s->flags;
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector,
        .type = (f >> DESC_TYPE_SHIFT) & 0xf,
        .s = !!(f & DESC_S_MASK),
        .dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT,
        .present = !!(f & DESC_P_MASK),
        .avl = !!(f & DESC_AVL_MASK),
        .l = !!(f & DESC_L_MASK),
        .db = !!(f & DESC_B_MASK),
        .g = !!(f & DESC_G_MASK),
        /* VMX: a segment without a present descriptor is "unusable". */
        .unusable = !(f & DESC_P_MASK),
    };
}

static void seg_from_kvm(SegmentCache *s, const struct kvm_segment *k)
{
    s->selector = k->selector;
    s->base = k->base;
    s->limit = k->limit;
    s->flags = (uint32_t)k->type << DESC_TYPE_SHIFT | (k->s ? DESC_S_MASK : 0) |
               (uint32_t)k->dpl << DESC_DPL_SHIFT | (k->present ? DESC_P_MASK : 0) |
               (k->avl ? DESC_AVL_MASK : 0) | (k->l ? DESC_L_MASK : 0) |
               (k->db ? DESC_B_MASK : 0) | (k->g ? DESC_G_MASK : 0);
    if (k->unusable) {
        s->flags &= ~DESC_P_MASK;
    }
}

/* ---- x87 and SSE: the legacy region of the XSAVE area ---------------------------------- */

enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FDP = 16,
    FX_MXCSR = 24, FX_ST0 = 32, FX_XMM0 = 160, XSAVE_HEADER = 512,
};

/* The full tag of a register from its contents (SDM vol. 1, 8.1.7). */
static unsigned fp_tag_of(const FloatX80 *r)
{
    unsigned exp = r->sign_exp & 0x7fff;
    if (exp == 0x7fff) {
        return 2;                           /* special: infinity or NaN */
    }
    if (exp == 0) {
        return r->mant ? 2 : 1;             /* denormal : zero */
    }
    return (r->mant >> 63) ? 0 : 2;         /* valid : unnormal */
}

static void fxsave_to_env(CPUX86State *env, const uint8_t *fx)
{
    unsigned top, ftw = fx[FX_FTW];
    memcpy(&env->fpuc, fx + FX_FCW, 2);
    memcpy(&env->fpus, fx + FX_FSW, 2);
    memcpy(&env->fpop, fx + FX_FOP, 2);
    memcpy(&env->fpip, fx + FX_FIP, 8);
    memcpy(&env->fpdp, fx + FX_FDP, 8);
    memcpy(&env->mxcsr, fx + FX_MXCSR, 4);
    top = (env->fpus >> 11) & 7;
    /* FXSAVE stores ST(i); env keeps physical registers, ST(i) = R[(TOP + i) % 8]. */
    for (unsigned i = 0; i < 8; i++) {
        FloatX80 *r = &env->fpregs[(top + i) & 7];
        memcpy(&r->mant, fx + FX_ST0 + 16 * i, 8);
        memcpy(&r->sign_exp, fx + FX_ST0 + 16 * i + 8, 2);
    }
    env->fptag = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned tag = (ftw & (1u << i)) ? fp_tag_of(&env->fpregs[i]) : 3;
        env->fptag |= tag << (2 * i);
    }
    memcpy(env->xmm, fx + FX_XMM0, sizeof(env->xmm));
}

static void fxsave_from_env(uint8_t *fx, const CPUX86State *env)
{
    unsigned top = (env->fpus >> 11) & 7;
    uint8_t ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (((env->fptag >> (2 * i)) & 3) != 3) {
            ftw |= 1u << i;
        }
    }
    memcpy(fx + FX_FCW, &env->fpuc, 2);
    memcpy(fx + FX_FSW, &env->fpus, 2);
    fx[FX_FTW] = ftw;
    memcpy(fx + FX_FOP, &env->fpop, 2);
    memcpy(fx + FX_FIP, &env->fpip, 8);
    memcpy(fx + FX_FDP, &env->fpdp, 8);
    memcpy(fx + FX_MXCSR, &env->mxcsr, 4);
    for (unsigned i = 0; i < 8; i++) {
        const FloatX80 *r = &env->fpregs[(top + i) & 7];
        memset(fx + FX_ST0 + 16 * i, 0, 16);
        memcpy(fx + FX_ST0 + 16 * i, &r->mant, 8);
        memcpy(fx + FX_ST0 + 16 * i + 8, &r->sign_exp, 2);
    }
    memcpy(fx + FX_XMM0, env->xmm, sizeof(env->xmm));
}

static void fpu_from_kvm(KVMCPU *k, CPUX86State *env)
{
    if (kvm_state.xsave) {
        unsigned long req = kvm_state.xsave_size > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2
                                                                            : KVM_GET_XSAVE;
        if (kvm_vcpu_ioctl(k, req, k->xsave) == 0) {
            fxsave_to_env(env, (const uint8_t *)k->xsave->region);
            k->xsave_fresh = true;
        }
        return;
    }
    struct kvm_fpu fpu;
    if (kvm_vcpu_ioctl(k, KVM_GET_FPU, &fpu) == 0) {
        uint8_t fx[512] = { 0 };
        memcpy(fx + FX_FCW, &fpu.fcw, 2);
        memcpy(fx + FX_FSW, &fpu.fsw, 2);
        fx[FX_FTW] = fpu.ftwx;
        memcpy(fx + FX_FOP, &fpu.last_opcode, 2);
        memcpy(fx + FX_FIP, &fpu.last_ip, 8);
        memcpy(fx + FX_FDP, &fpu.last_dp, 8);
        memcpy(fx + FX_MXCSR, &fpu.mxcsr, 4);
        memcpy(fx + FX_ST0, fpu.fpr, sizeof(fpu.fpr));
        memcpy(fx + FX_XMM0, fpu.xmm, sizeof(fpu.xmm));
        fxsave_to_env(env, fx);
    }
}

static void fpu_to_kvm(KVMCPU *k, const CPUX86State *env)
{
    if (kvm_state.xsave) {
        uint8_t *x = (uint8_t *)k->xsave->region;
        if (!k->xsave_fresh) {
            /* No state newer than env's: the other components start in their init state. */
            memset(k->xsave, 0, kvm_state.xsave_size);
            uint32_t mxcsr_mask = 0xffff;
            memcpy(x + FX_MXCSR + 4, &mxcsr_mask, 4);
        }
        fxsave_from_env(x, env);
        uint64_t xstate_bv;
        memcpy(&xstate_bv, x + XSAVE_HEADER, 8);
        xstate_bv |= 3;                     /* x87 and SSE are in the legacy region */
        memcpy(x + XSAVE_HEADER, &xstate_bv, 8);
        kvm_vcpu_ioctl(k, KVM_SET_XSAVE, k->xsave);
        k->xsave_fresh = false;
        return;
    }
    uint8_t fx[512] = { 0 };
    struct kvm_fpu fpu = { 0 };
    fxsave_from_env(fx, env);
    memcpy(&fpu.fcw, fx + FX_FCW, 2);
    memcpy(&fpu.fsw, fx + FX_FSW, 2);
    fpu.ftwx = fx[FX_FTW];
    memcpy(&fpu.last_opcode, fx + FX_FOP, 2);
    memcpy(&fpu.last_ip, fx + FX_FIP, 8);
    memcpy(&fpu.last_dp, fx + FX_FDP, 8);
    memcpy(&fpu.mxcsr, fx + FX_MXCSR, 4);
    memcpy(fpu.fpr, fx + FX_ST0, sizeof(fpu.fpr));
    memcpy(fpu.xmm, fx + FX_XMM0, sizeof(fpu.xmm));
    kvm_vcpu_ioctl(k, KVM_SET_FPU, &fpu);
}

/* ---- MSRs ------------------------------------------------------------------------- */

typedef struct MSRBuf {
    struct kvm_msrs hdr;
    struct kvm_msr_entry entries[G_N_ELEMENTS(msr_candidates)];
} MSRBuf;

static void msrs_from_kvm(KVMCPU *k, CPUX86State *env)
{
    MSRBuf buf = { 0 };
    for (unsigned i = 0; i < kvm_state.nr_msrs; i++) {
        if (msr_field(env, kvm_state.msrs[i])) {
            buf.entries[buf.hdr.nmsrs++].index = kvm_state.msrs[i];
        }
    }
    int n = kvm_vcpu_ioctl(k, KVM_GET_MSRS, &buf);
    for (int i = 0; i < n; i++) {
        *msr_field(env, buf.entries[i].index) = buf.entries[i].data;
    }
}

static void msrs_to_kvm(KVMCPU *k, CPUX86State *env, bool reset)
{
    MSRBuf buf = { 0 };
    for (unsigned i = 0; i < kvm_state.nr_msrs; i++) {
        uint64_t *field = msr_field(env, kvm_state.msrs[i]);
        if (field || reset) {
            /* At reset the TSC and the paravirt MSRs start from zero. */
            buf.entries[buf.hdr.nmsrs++] = (struct kvm_msr_entry){
                .index = kvm_state.msrs[i], .data = field ? *field : 0,
            };
        }
    }
    int n = kvm_vcpu_ioctl(k, KVM_SET_MSRS, &buf);
    if (n >= 0 && (unsigned)n < buf.hdr.nmsrs) {
        log_mask(LOG_UNIMP, "kvm: MSR 0x%x refused\n", buf.entries[n].index);
    }
}

/* ---- Local APIC and events at reset -------------------------------------------------- */

static void apic_reg_set(struct kvm_lapic_state *s, unsigned reg, uint32_t val)
{
    memcpy(s->regs + reg, &val, 4);
}

/* SDM vol. 3, 10.4.7.1: the local APIC after RESET. */
static void lapic_reset(KVMCPU *k, X86CPU *cpu)
{
    struct kvm_lapic_state s;
    if (kvm_vcpu_ioctl(k, KVM_GET_LAPIC, &s) < 0) {
        return;
    }
    uint32_t version;
    memcpy(&version, s.regs + 0x30, 4);
    memset(&s, 0, sizeof(s));
    apic_reg_set(&s, 0x20, cpu->apic_id << 24);     /* ID */
    apic_reg_set(&s, 0x30, version);
    apic_reg_set(&s, 0xe0, 0xffffffff);             /* DFR: flat model */
    apic_reg_set(&s, 0xf0, 0xff);                   /* SVR: software disabled */
    for (unsigned lvt = 0x320; lvt <= 0x370; lvt += 0x10) {
        apic_reg_set(&s, lvt, 1u << 16);            /* masked */
    }
    /*
     * The BSP's LINT0 in ExtINT mode, as a PC BIOS leaves it (MP spec 1.4,
     * 3.6.2.2, virtual wire mode): the 8259's interrupts reach the CPU even
     * when a directly booted guest never programs its local APIC.
     */
    if (cpu->cpu_index == 0) {
        apic_reg_set(&s, 0x350, 7u << 8);
    }
    kvm_vcpu_ioctl(k, KVM_SET_LAPIC, &s);
}

static void events_reset(KVMCPU *k)
{
    struct kvm_vcpu_events ev = { 0 };
    ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
               KVM_VCPUEVENT_VALID_SHADOW;
    kvm_vcpu_ioctl(k, KVM_SET_VCPU_EVENTS, &ev);
}

static uint32_t mp_state_to_kvm(X86MPState s)
{
    switch (s) {
    case X86_MP_HALTED: return KVM_MP_STATE_HALTED;
    case X86_MP_WAIT_FOR_SIPI: return KVM_MP_STATE_INIT_RECEIVED;
    default: return KVM_MP_STATE_RUNNABLE;
    }
}

static X86MPState mp_state_from_kvm(uint32_t s)
{
    switch (s) {
    case KVM_MP_STATE_HALTED: return X86_MP_HALTED;
    case KVM_MP_STATE_INIT_RECEIVED:
    case KVM_MP_STATE_UNINITIALIZED: return X86_MP_WAIT_FOR_SIPI;
    default: return X86_MP_RUNNABLE;
    }
}

/* ---- sync_from / sync_to ----------------------------------------------------------------- */

void kvm_sync_from(X86CPU *cpu)
{
    KVMCPU *k = kvm_cpu(cpu);
    CPUX86State *env = &cpu->env;
    struct kvm_regs regs;
    struct kvm_sregs sregs;

    if (kvm_vcpu_ioctl(k, KVM_GET_REGS, &regs) == 0) {
        const uint64_t r[CPU_NB_REGS] = {
            regs.rax, regs.rcx, regs.rdx, regs.rbx, regs.rsp, regs.rbp, regs.rsi, regs.rdi,
            regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15,
        };
        memcpy(env->regs, r, sizeof(r));
        env->rip = regs.rip;
        env->eflags = regs.rflags;
    }
    if (kvm_vcpu_ioctl(k, KVM_GET_SREGS, &sregs) == 0) {
        const struct kvm_segment *segs[CPU_NB_SEGS] = {
            &sregs.es, &sregs.cs, &sregs.ss, &sregs.ds, &sregs.fs, &sregs.gs,
        };
        for (int i = 0; i < CPU_NB_SEGS; i++) {
            seg_from_kvm(&env->segs[i], segs[i]);
        }
        seg_from_kvm(&env->ldt, &sregs.ldt);
        seg_from_kvm(&env->tr, &sregs.tr);
        env->gdt = (DescriptorTable){ sregs.gdt.base, sregs.gdt.limit };
        env->idt = (DescriptorTable){ sregs.idt.base, sregs.idt.limit };
        env->cr[0] = sregs.cr0;
        env->cr[2] = sregs.cr2;
        env->cr[3] = sregs.cr3;
        env->cr[4] = sregs.cr4;
        env->efer = sregs.efer;
        env->apic_base = sregs.apic_base;
    }
    fpu_from_kvm(k, env);
    if (kvm_state.xcrs) {
        struct kvm_xcrs xcrs;
        if (kvm_vcpu_ioctl(k, KVM_GET_XCRS, &xcrs) == 0) {
            for (unsigned i = 0; i < xcrs.nr_xcrs; i++) {
                if (xcrs.xcrs[i].xcr == 0) {
                    env->xcr0 = xcrs.xcrs[i].value;
                }
            }
        }
    }
    if (kvm_state.debugregs) {
        struct kvm_debugregs dbg;
        if (kvm_vcpu_ioctl(k, KVM_GET_DEBUGREGS, &dbg) == 0) {
            memcpy(env->dr, dbg.db, sizeof(dbg.db));
            env->dr[6] = dbg.dr6;
            env->dr[7] = dbg.dr7;
        }
    }
    msrs_from_kvm(k, env);
    /* Without the in-kernel irqchip, kvm-irq-user.c keeps the MP state and SIPI vector. */
    if (!kvm_state.irqchip) {
        return;
    }
    struct kvm_mp_state mp;
    if (kvm_vcpu_ioctl(k, KVM_GET_MP_STATE, &mp) == 0) {
        env->mp_state = mp_state_from_kvm(mp.mp_state);
    }
    struct kvm_vcpu_events ev;
    if (kvm_vcpu_ioctl(k, KVM_GET_VCPU_EVENTS, &ev) == 0) {
        env->sipi_vector = ev.sipi_vector;
    }
}

/*
 * env into KVM.  After a reset (cpu->reset_pending) everything, the local
 * APIC, pending events, TSC and paravirt MSRs included; otherwise only what
 * env holds, so state env lacks (a pending exception, the APIC) is kept.
 */
void kvm_sync_to(X86CPU *cpu)
{
    KVMCPU *k = kvm_cpu(cpu);
    CPUX86State *env = &cpu->env;
    bool reset = cpu->reset_pending;

    struct kvm_regs regs = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX], .rcx = env->regs[R_ECX],
        .rdx = env->regs[R_EDX], .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP],
        .r8 = env->regs[8], .r9 = env->regs[9], .r10 = env->regs[10], .r11 = env->regs[11],
        .r12 = env->regs[12], .r13 = env->regs[13], .r14 = env->regs[14], .r15 = env->regs[15],
        .rip = env->rip, .rflags = env->eflags,
    };
    kvm_vcpu_ioctl(k, KVM_SET_REGS, &regs);

    struct kvm_sregs sregs = { 0 };
    struct kvm_segment *segs[CPU_NB_SEGS] = {
        &sregs.es, &sregs.cs, &sregs.ss, &sregs.ds, &sregs.fs, &sregs.gs,
    };
    for (int i = 0; i < CPU_NB_SEGS; i++) {
        seg_to_kvm(segs[i], &env->segs[i]);
    }
    seg_to_kvm(&sregs.ldt, &env->ldt);
    seg_to_kvm(&sregs.tr, &env->tr);
    sregs.gdt = (struct kvm_dtable){ .base = env->gdt.base, .limit = env->gdt.limit };
    sregs.idt = (struct kvm_dtable){ .base = env->idt.base, .limit = env->idt.limit };
    sregs.cr0 = env->cr[0];
    sregs.cr2 = env->cr[2];
    sregs.cr3 = env->cr[3];
    sregs.cr4 = env->cr[4];
    sregs.efer = env->efer;
    sregs.apic_base = env->apic_base;
    if (!reset) {
        /* CR8 is the APIC's TPR: keep the kernel's. */
        struct kvm_sregs cur;
        if (kvm_vcpu_ioctl(k, KVM_GET_SREGS, &cur) == 0) {
            sregs.cr8 = cur.cr8;
            memcpy(sregs.interrupt_bitmap, cur.interrupt_bitmap, sizeof(cur.interrupt_bitmap));
        }
    }
    int r = kvm_vcpu_ioctl(k, KVM_SET_SREGS, &sregs);
    if (r < 0) {
        log_mask(LOG_GUEST_ERROR, "kvm: KVM_SET_SREGS: %s\n", g_strerror(-r));
    }

    fpu_to_kvm(k, env);
    if (kvm_state.xcrs) {
        struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = env->xcr0;
        kvm_vcpu_ioctl(k, KVM_SET_XCRS, &xcrs);
    }
    if (kvm_state.debugregs) {
        struct kvm_debugregs dbg = { .dr6 = env->dr[6], .dr7 = env->dr[7] };
        memcpy(dbg.db, env->dr, sizeof(dbg.db));
        kvm_vcpu_ioctl(k, KVM_SET_DEBUGREGS, &dbg);
    }
    msrs_to_kvm(k, env, reset);
    if (reset) {
        events_reset(k);
    }
    if (!kvm_state.irqchip) {
        if (reset) {
            kvm_user_irq_reset(k);
        }
        return;
    }
    if (reset) {
        lapic_reset(k, cpu);
    }
    struct kvm_mp_state mp = { .mp_state = mp_state_to_kvm(env->mp_state) };
    kvm_vcpu_ioctl(k, KVM_SET_MP_STATE, &mp);
}
