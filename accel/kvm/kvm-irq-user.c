/*
 * -accel kvm,kernel-irqchip=off: the PIC, IOAPIC, PIT and local APICs are
 * the board's own (hw/intc, hw/timer), as under the interpreter, and KVM
 * only runs the CPU.  Then userspace does what the in-kernel LAPIC would
 * (api.rst, 4.16 KVM_INTERRUPT, 4.33 KVM_NMI, 5 kvm_run):
 *  - injects the APIC's vector with KVM_INTERRUPT when the vCPU can take
 *    it (ready_for_interrupt_injection), otherwise asks for an exit when
 *    it can (request_interrupt_window);
 *  - keeps the vCPU out of KVM_RUN while it is halted (KVM_EXIT_HLT) or
 *    waits for SIPI, since KVM's MP state needs the in-kernel irqchip;
 *  - performs INIT and SIPI on the registers;
 *  - keeps CR8 and the APIC's TPR one register (kvm-cpu.c refreshes CR8
 *    after MMIO writes), and tells the APIC about IA32_APIC_BASE writes,
 *    which KVM takes itself.
 * All of it runs on the vCPU's own thread.
 */
#include "accel/kvm/kvm-int.h"

#include "hw/intc/apic.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "util/log.h"

/* An event that ends HLT (SDM vol. 3, 8.4 for INIT; an INTR only with IF set). */
static bool kvm_user_halt_ends(KVMCPU *k, uint32_t req)
{
    return (req & (CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT)) ||
           ((req & CPU_INTERRUPT_HARD) && k->run->if_flag);
}

static void kvm_user_init(KVMCPU *k)
{
    X86CPU *cpu = k->cpu;
    kvm_sync_from(cpu);
    bql_lock();
    x86_cpu_init_reset(cpu);
    if (cpu->apic) {
        apic_init_reset(cpu->apic);
    }
    bql_unlock();
    kvm_sync_to(cpu);
    k->run->cr8 = 0;
}

/* SDM vol. 3, 9.4.4: the SIPI vector gives the real-mode start page. */
static void kvm_user_sipi(KVMCPU *k)
{
    CPUX86State *env = &k->cpu->env;
    kvm_sync_from(k->cpu);
    env->segs[R_CS].selector = env->sipi_vector << 8;
    env->segs[R_CS].base = (uint32_t)env->sipi_vector << 12;
    env->rip = 0;
    env->mp_state = X86_MP_RUNNABLE;
    kvm_sync_to(k->cpu);
}

bool kvm_user_irq_before_run(KVMCPU *k)
{
    X86CPU *cpu = k->cpu;
    CPUX86State *env = &cpu->env;
    struct kvm_run *run = k->run;
    uint32_t req = g_atomic_int_get(&env->interrupt_request);

    if (req & CPU_INTERRUPT_INIT) {
        kvm_user_init(k);
        req = g_atomic_int_get(&env->interrupt_request);
    }
    if (req & CPU_INTERRUPT_SIPI) {
        g_atomic_int_and(&env->interrupt_request, ~CPU_INTERRUPT_SIPI);
        if (env->mp_state == X86_MP_WAIT_FOR_SIPI) {
            kvm_user_sipi(k);
        }
    }
    if (env->mp_state == X86_MP_WAIT_FOR_SIPI) {
        return false;
    }
    if (env->mp_state == X86_MP_HALTED) {
        if (!kvm_user_halt_ends(k, req)) {
            return false;
        }
        env->mp_state = X86_MP_RUNNABLE;
    }
    if (req & CPU_INTERRUPT_NMI) {
        g_atomic_int_and(&env->interrupt_request, ~CPU_INTERRUPT_NMI);
        kvm_vcpu_ioctl(k, KVM_NMI, NULL);
    }
    if ((req & CPU_INTERRUPT_HARD) && run->ready_for_interrupt_injection && cpu->apic) {
        bql_lock();
        int vector = apic_get_interrupt(cpu->apic);
        bql_unlock();
        if (vector >= 0 && vector < 256) {
            struct kvm_interrupt intr = { .irq = vector };
            int r = kvm_vcpu_ioctl(k, KVM_INTERRUPT, &intr);
            if (r < 0) {
                log_mask(LOG_GUEST_ERROR, "kvm: KVM_INTERRUPT %d: %s\n", vector, g_strerror(-r));
            }
        }
    }
    /* Still an INTR the vCPU cannot take now: exit as soon as it can. */
    req = g_atomic_int_get(&env->interrupt_request);
    run->request_interrupt_window = (req & CPU_INTERRUPT_HARD) != 0;
    return true;
}

void kvm_user_irq_after_run(KVMCPU *k)
{
    X86CPU *cpu = k->cpu;
    struct kvm_run *run = k->run;

    if (run->apic_base != k->apic_base && cpu->apic) {
        /* The APIC judges the change from the value it knew. */
        uint64_t val = run->apic_base;
        bql_lock();
        cpu->env.apic_base = k->apic_base;
        apic_msr_access(cpu, MSR_IA32_APICBASE, &val, true);
        k->apic_base = cpu->env.apic_base;
        bql_unlock();
    }
    switch (run->exit_reason) {
    case KVM_EXIT_HLT:
        cpu->env.mp_state = X86_MP_HALTED;
        break;
    case KVM_EXIT_SET_TPR:
        if (cpu->apic) {
            bql_lock();
            apic_set_cr8(cpu->apic, run->cr8);
            bql_unlock();
        }
        break;
    default:
        break;
    }
}

void kvm_user_irq_reset(KVMCPU *k)
{
    k->apic_base = k->cpu->env.apic_base;
    k->run->cr8 = 0;
    k->run->request_interrupt_window = 0;
}
