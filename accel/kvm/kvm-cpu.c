/*
 * KVM vCPUs: one host thread each, running KVM_RUN and handing its exits to
 * the devices (port I/O to address_space_io(), MMIO to address_space_memory(),
 * both under the global lock).  A kick is SIGUSR1 to the thread; its handler
 * sets kvm_run.immediate_exit so that KVM_RUN returns EINTR however the
 * signal and the ioctl race (api.rst, 5: immediate_exit).
 */
#include "accel/kvm/kvm-int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/intc/apic.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "util/log.h"

#define SIG_KICK SIGUSR1
/* A halted vCPU (kernel-irqchip=off) checks back this often should a kick be missed (us). */
#define KVM_HALT_WAIT_US    (100 * 1000)

static GPtrArray *kvm_vcpus;            /* KVMCPU * */
static __thread struct kvm_run *this_run;

static void kvm_kick_handler(int sig)
{
    if (this_run) {
        this_run->immediate_exit = 1;
    }
}

void kvm_kick_signal_init(void)
{
    struct sigaction sa = { .sa_handler = kvm_kick_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_KICK, &sa, NULL);
}

void kvm_vcpu_kick(X86CPU *cpu)
{
    KVMCPU *k = kvm_cpu(cpu);
    if (!k) {
        return;
    }
    g_atomic_int_set(&k->exit_request, 1);
    g_mutex_lock(&k->wait_lock);
    k->woken = true;
    g_cond_signal(&k->wait_cond);
    g_mutex_unlock(&k->wait_lock);
    if (!pthread_equal(pthread_self(), k->thread)) {
        pthread_kill(k->thread, SIG_KICK);
    }
}

/* A vCPU that may not enter the guest (halted, waiting for SIPI) sleeps until a kick. */
static void kvm_vcpu_wait(KVMCPU *k)
{
    gint64 deadline = g_get_monotonic_time() + KVM_HALT_WAIT_US;
    g_mutex_lock(&k->wait_lock);
    while (!k->woken && g_cond_wait_until(&k->wait_cond, &k->wait_lock, deadline)) {
    }
    k->woken = false;
    g_mutex_unlock(&k->wait_lock);
}

/* ---- Exits ---------------------------------------------------------------------- */

/* Port I/O: count accesses of size bytes (string instructions repeat). */
static void kvm_handle_io(struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;
    if (size != 1 && size != 2 && size != 4) {
        return;
    }
    bql_lock();
    if (!cpus_exiting()) {
        for (uint32_t i = 0; i < run->io.count; i++, data += size) {
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                uint64_t val = 0;
                memcpy(&val, data, size);
                address_space_st(address_space_io(), run->io.port, val, size, NULL);
            } else {
                uint64_t val = address_space_ld(address_space_io(), run->io.port, size, NULL);
                memcpy(data, &val, size);
            }
        }
    }
    bql_unlock();
}

static void kvm_handle_mmio(KVMCPU *k, struct kvm_run *run)
{
    unsigned len = run->mmio.len;
    if (len == 0 || len > sizeof(run->mmio.data)) {
        return;
    }
    bql_lock();
    if (!cpus_exiting()) {
        bool pow2 = (len & (len - 1)) == 0;
        if (run->mmio.is_write) {
            uint64_t val = 0;
            memcpy(&val, run->mmio.data, len);
            if (pow2) {
                address_space_st(address_space_memory(), run->mmio.phys_addr, val, len, NULL);
            } else {
                address_space_write(address_space_memory(), run->mmio.phys_addr,
                                    run->mmio.data, len);
            }
        } else if (pow2) {
            uint64_t val = address_space_ld(address_space_memory(), run->mmio.phys_addr, len,
                                            NULL);
            memcpy(run->mmio.data, &val, len);
        } else {
            address_space_read(address_space_memory(), run->mmio.phys_addr, run->mmio.data, len);
        }
        /* Without the in-kernel APIC, CR8 is the userspace APIC's TPR, which a write may set. */
        if (k->cpu->apic && run->mmio.is_write) {
            run->cr8 = apic_get_cr8(k->cpu->apic);
        }
    }
    bql_unlock();
}

/* The vCPU cannot go on: say why, show its registers, stop the VM (QEMU's behaviour). */
static void kvm_vcpu_fatal(KVMCPU *k, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void kvm_vcpu_fatal(KVMCPU *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s", msg);
    kvm_sync_from(k->cpu);
    g_autoptr(GString) regs = g_string_new(NULL);
    x86_cpu_dump_state(k->cpu, regs, false);
    fputs(regs->str, stderr);
    cpus_vcpu_stop_self(k->cpu);
    cpus_request_vm_stop(RUN_STATE_INTERNAL_ERROR);
}

static void kvm_handle_system_event(KVMCPU *k, struct kvm_run *run)
{
    switch (run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        cpus_vcpu_stop_self(k->cpu);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        cpus_vcpu_stop_self(k->cpu);
        break;
    case KVM_SYSTEM_EVENT_CRASH:
        error_report("kvm: the guest crashed");
        cpus_vcpu_stop_self(k->cpu);
        cpus_request_vm_stop(RUN_STATE_GUEST_PANICKED);
        break;
    default:
        break;
    }
}

/*
 * One KVM_RUN and the exit it returned.  True when the vCPU left because
 * of a kick or a signal: only then is the guest state consistent (an I/O
 * exit completes at the next KVM_RUN), so only then may the caller run the
 * checkpoint.
 */
static bool kvm_vcpu_exec(KVMCPU *k)
{
    struct kvm_run *run = k->run;
    if (!kvm_state.irqchip && !kvm_user_irq_before_run(k)) {
        kvm_vcpu_wait(k);
        return true;
    }
    if (g_atomic_int_get(&k->exit_request)) {
        run->immediate_exit = 1;
    }
    int r = ioctl(k->fd, KVM_RUN, 0);
    int err = errno;
    run->immediate_exit = 0;
    if (kvm_coalesced_pending()) {
        bql_lock();
        kvm_coalesced_flush();
        bql_unlock();
    }
    if (r < 0) {
        if (err == EINTR || err == EAGAIN) {
            g_atomic_int_set(&k->exit_request, 0);
            return true;
        }
        kvm_vcpu_fatal(k, "error: kvm run failed %s", g_strerror(err));
        return false;
    }
    if (!kvm_state.irqchip) {
        kvm_user_irq_after_run(k);
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(run);
        return false;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(k, run);
        return false;
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault (SDM vol. 3, 6.15, double fault): the board resets. */
        if (log_enabled(LOG_GUEST_ERROR)) {
            g_autoptr(GString) regs = g_string_new(NULL);
            kvm_sync_from(k->cpu);
            x86_cpu_dump_state(k->cpu, regs, false);
            log_printf("vCPU %u: triple fault\n%s", k->cpu->cpu_index, regs->str);
        }
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        cpus_vcpu_stop_self(k->cpu);
        return false;
    case KVM_EXIT_HLT:          /* only without the in-kernel APIC: */
    case KVM_EXIT_SET_TPR:      /* kvm_user_irq_after_run took them */
    case KVM_EXIT_INTR:
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        return true;
    case KVM_EXIT_SYSTEM_EVENT:
        kvm_handle_system_event(k, run);
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        kvm_vcpu_fatal(k, "KVM: entry failed, hardware error 0x%" PRIx64,
                       (uint64_t)run->fail_entry.hardware_entry_failure_reason);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        kvm_vcpu_fatal(k, "KVM internal error. Suberror: %u%s", run->internal.suberror,
                       run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
                       " (emulation failure)" : "");
        return false;
    default:
        kvm_vcpu_fatal(k, "KVM: unhandled exit reason %u", run->exit_reason);
        return false;
    }
}

/* ---- Threads ---------------------------------------------------------------------- */

typedef struct VCPUStart {
    KVMCPU *k;
    GMutex lock;
    GCond cond;
    bool done;
    Error *err;
} VCPUStart;

static bool kvm_vcpu_init(KVMCPU *k, Error **errp)
{
    X86CPU *cpu = k->cpu;
    k->fd = ioctl(kvm_state.vm_fd, KVM_CREATE_VCPU, (unsigned long)cpu->apic_id);
    if (k->fd < 0) {
        error_setg_errno(errp, errno, "kvm_init_vcpu: KVM_CREATE_VCPU failed (vCPU %u)",
                         cpu->cpu_index);
        return false;
    }
    void *run = mmap(NULL, kvm_state.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, 0);
    if (run == MAP_FAILED) {
        error_setg_errno(errp, errno, "kvm_init_vcpu: mmap of struct kvm_run failed");
        return false;
    }
    k->run = run;
    this_run = k->run;
    kvm_coalesced_vcpu_mapped(run);
    k->xsave = g_malloc0(kvm_state.xsave_size);
    return kvm_cpuid_setup(k, errp);
}

static void *kvm_vcpu_thread(void *opaque)
{
    VCPUStart *start = opaque;
    KVMCPU *k = start->k;
    X86CPU *cpu = k->cpu;

    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, SIG_KICK);
    pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
    cpus_thread_start(cpu);
    Error *err = NULL;
    bool ok = kvm_vcpu_init(k, &err);
    if (ok) {
        /* The state of reset, until the machine's first reset puts its own. */
        cpu->reset_pending = true;
        kvm_sync_to(cpu);
        cpu->reset_pending = false;
    }
    g_mutex_lock(&start->lock);
    start->err = err;
    start->done = true;
    g_cond_signal(&start->cond);
    g_mutex_unlock(&start->lock);
    if (!ok) {
        return NULL;
    }
    /* start is gone from here on. */
    if (cpus_vcpu_checkpoint(cpu)) {
        for (;;) {
            if (kvm_vcpu_exec(k) && !cpus_vcpu_checkpoint(cpu)) {
                break;
            }
        }
    }
    this_run = NULL;
    return NULL;
}

bool kvm_vcpu_create(X86CPU *cpu, Error **errp)
{
    KVMCPU *k = g_new0(KVMCPU, 1);
    k->cpu = cpu;
    k->fd = -1;
    g_mutex_init(&k->wait_lock);
    g_cond_init(&k->wait_cond);
    cpu->accel = k;

    VCPUStart start = { .k = k };
    g_mutex_init(&start.lock);
    g_cond_init(&start.cond);
    int r = pthread_create(&k->thread, NULL, kvm_vcpu_thread, &start);
    if (r != 0) {
        error_setg(errp, "kvm: cannot create the thread of vCPU %u: %s", cpu->cpu_index,
                   g_strerror(r));
        g_free(k);
        cpu->accel = NULL;
        return false;
    }
    g_mutex_lock(&start.lock);
    while (!start.done) {
        g_cond_wait(&start.cond, &start.lock);
    }
    g_mutex_unlock(&start.lock);
    g_mutex_clear(&start.lock);
    g_cond_clear(&start.cond);

    if (!kvm_vcpus) {
        kvm_vcpus = g_ptr_array_new();
    }
    g_ptr_array_add(kvm_vcpus, k);
    if (start.err) {
        error_propagate(errp, start.err);
        return false;
    }
    return true;
}

/* Accelerator cleanup: every vCPU thread leaves its loop, then its resources go. */
void kvm_vcpus_destroy(void)
{
    if (!kvm_vcpus) {
        return;
    }
    cpus_shutdown();
    bool bql = bql_locked();
    if (bql) {
        bql_unlock();           /* a vCPU may wait for it to finish an exit */
    }
    for (guint i = 0; i < kvm_vcpus->len; i++) {
        KVMCPU *k = g_ptr_array_index(kvm_vcpus, i);
        pthread_join(k->thread, NULL);
    }
    if (bql) {
        bql_lock();
    }
    for (guint i = 0; i < kvm_vcpus->len; i++) {
        KVMCPU *k = g_ptr_array_index(kvm_vcpus, i);
        if (k->run) {
            munmap(k->run, kvm_state.run_size);
        }
        if (k->fd >= 0) {
            close(k->fd);
        }
        g_free(k->xsave);
        g_mutex_clear(&k->wait_lock);
        g_cond_clear(&k->wait_cond);
        g_free(k);
    }
    g_ptr_array_free(kvm_vcpus, true);
    kvm_vcpus = NULL;
}
