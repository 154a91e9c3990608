/*
 * -accel tcg: kemu's own interpreter (target-i386/interp).  Always available.
 *
 * One thread runs every vCPU in turn, a slice of instructions each (QEMU's
 * thread=single).  Guest code runs without the global lock; the
 * interpreter takes it for port I/O, MMIO and the interrupt acknowledge.
 * Between rounds the thread passes system/cpus.c's checkpoint as vCPU 0:
 * that is where it parks for pause, reset and queued work, for all vCPUs.
 */
#include "accel/accel.h"

#include <string.h>

#include "hw/core/machine.h"
#include "hw/i386/pc.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "target-i386/cpu-models.h"
#include "target-i386/interp/interp.h"
#include "util/log.h"

/* Instructions per vCPU turn: long enough to amortise the switch, short for fairness. */
#define TCG_SLICE_INSNS     (200 * 1000)
/* When every vCPU waits (HLT), sleep until a kick, but check back this often (us). */
#define TCG_IDLE_WAIT_US    (100 * 1000)

typedef struct TCGCPU {
    X86CPU *cpu;
    X86InterpCtx *ctx;
} TCGCPU;

static MachineState *tcg_machine;
static GPtrArray *tcg_cpus;         /* TCGCPU *, by cpu_index (appended under tcg_lock) */
static GMutex tcg_lock;
static GCond tcg_cond;
static bool tcg_kicked;             /* under tcg_lock: wake the idle thread */
static int tcg_round_exit;          /* atomic: end the current round early */
static TCGCPU *tcg_running;         /* atomic: the vCPU in guest code, or NULL */
static GThread *tcg_thread;

static bool tcg_parse_opts(Opts *opts, Error **errp)
{
    /* thread=single is the only mode: all vCPUs run round-robin in one thread. */
    const char *thread = opts_get(opts, "thread");
    if (thread && strcmp(thread, "single")) {
        error_setg(errp, "-accel tcg,thread=%s: only thread=single is supported", thread);
        return false;
    }
    uint64_t tb_size;
    return opts_get_size(opts, "tb-size", 0, &tb_size, errp);
}

static bool tcg_init(MachineState *ms, Error **errp)
{
    tcg_machine = ms;
    return true;
}

/*
 * INTA: the vector of the pending INTR (BQL held): from the CPU's local
 * APIC (which asks the 8259 for ExtINT), or without one straight from the
 * pc board's 8259, which then drives the boot CPU's INTR.
 */
static PCMachineState *tcg_pc_machine(void)
{
    Object *obj = tcg_machine ? object_dynamic_cast(&tcg_machine->parent_obj,
                                                    TYPE_PC_MACHINE) : NULL;
    return obj ? PC_MACHINE(obj) : NULL;
}

static int tcg_get_interrupt(void *opaque)
{
    TCGCPU *t = opaque;
    if (t->cpu->apic) {
        return apic_get_interrupt(t->cpu->apic);
    }
    PCMachineState *pcms = tcg_pc_machine();

    if (!pcms || !pcms->pic) {
        return -1;
    }
    return pic_read_irq(pcms->pic);
}

/*
 * The CPU model's CPUID, with the leaves the model leaves to the accelerator:
 * address sizes, and the XSAVE leaf when the model has XSAVE (its sub-leaf 1
 * filtered by the model's xsaveopt and friends).
 */
static void tcg_cpuid(CPUX86State *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (leaf == 0x80000008) {
        x86_interp_cpuid_builtin(env, leaf, subleaf, out);
        return;
    }
    x86_cpu_cpuid(env, leaf, subleaf, out);
    X86CPU *cpu = x86_env_get_cpu(env);
    if (leaf == 0xd && leaf <= cpu->cpuid_level &&
        (cpu->features[FEAT_1_ECX] & CPUID_1_ECX_XSAVE)) {
        x86_interp_cpuid_builtin(env, leaf, subleaf, out);
        if (subleaf == 1) {
            out[0] &= cpu->features[FEAT_D_1_EAX];
        }
    }
}

/* RDMSR/WRMSR of the local APIC's MSRs (the interpreter calls without the BQL). */
static int tcg_msr_access(void *opaque, uint32_t msr, uint64_t *val, bool write)
{
    TCGCPU *t = opaque;
    if (!t->cpu->apic) {
        return -1;
    }
    bool taken = !bql_locked();
    if (taken) {
        bql_lock();
    }
    int r = apic_msr_access(t->cpu, msr, val, write);
    if (taken) {
        bql_unlock();
    }
    return r;
}

/* MOV to and from CR8: the local APIC's task priority. */
static bool tcg_cr8_access(void *opaque, uint64_t *val, bool write)
{
    TCGCPU *t = opaque;
    if (!t->cpu->apic) {
        return false;
    }
    bool taken = !bql_locked();
    if (taken) {
        bql_lock();
    }
    if (write) {
        apic_set_cr8(t->cpu->apic, *val);
    } else {
        *val = apic_get_cr8(t->cpu->apic);
    }
    if (taken) {
        bql_unlock();
    }
    return true;
}

/* FERR# (an unmasked x87 exception with CR0.NE=0): the pc board's IRQ 13 latch. */
static void tcg_ferr(void *opaque, bool level)
{
    PCMachineState *pcms = tcg_pc_machine();
    if (!pcms || !pcms->ferr) {
        return;
    }
    bool taken = !bql_locked();
    if (taken) {
        bql_lock();
    }
    irq_set(pcms->ferr, level);
    if (taken) {
        bql_unlock();
    }
}

/* INIT: the CPU model's register reset and the local APIC's, then the interpreter's caches. */
static void tcg_cpu_init_reset(TCGCPU *t)
{
    bql_lock();
    x86_cpu_init_reset(t->cpu);
    if (t->cpu->apic) {
        apic_init_reset(t->cpu->apic);
    }
    bql_unlock();
    x86_interp_reset(t->ctx);
}

static TCGCPU *tcg_cpu_at(unsigned i)
{
    g_mutex_lock(&tcg_lock);
    TCGCPU *t = i < tcg_cpus->len ? g_ptr_array_index(tcg_cpus, i) : NULL;
    g_mutex_unlock(&tcg_lock);
    return t;
}

/* Run every vCPU once.  Returns true if one of them did any work. */
static bool tcg_run_round(void)
{
    bool progress = false;

    for (unsigned i = 0; !g_atomic_int_get(&tcg_round_exit); i++) {
        TCGCPU *t = tcg_cpu_at(i);
        if (!t) {
            break;
        }
        X86CPU *cpu = t->cpu;
        /* vCPU 0's env comes back through the checkpoint; the others' here. */
        if (i > 0 && cpu->vcpu_dirty) {
            x86_interp_env_changed(t->ctx);
            cpu->vcpu_dirty = false;
        }
        if (g_atomic_int_get(&cpu->env.interrupt_request) & CPU_INTERRUPT_INIT) {
            tcg_cpu_init_reset(t);
        }
        /* The APIC page and MSRs are per CPU: they look at the vCPU running now. */
        cpus_set_current(cpu);
        g_atomic_pointer_set(&tcg_running, t);
        int r = x86_interp_run(&cpu->env, t->ctx);
        g_atomic_pointer_set(&tcg_running, NULL);
        cpus_set_current(tcg_cpu_at(0)->cpu);
        switch (r) {
        case X86_EXIT_HALT:
            break;
        case X86_EXIT_RESET:
            /* A triple fault: the reset request is made; stop until the machine resets. */
            cpus_vcpu_stop_self(tcg_cpu_at(0)->cpu);
            return true;
        default:
            progress = true;
            break;
        }
    }
    return progress;
}

static gpointer tcg_thread_fn(gpointer opaque)
{
    X86CPU *first = opaque;

    cpus_thread_start(first);
    while (cpus_vcpu_checkpoint(first)) {
        g_mutex_lock(&tcg_lock);
        tcg_kicked = false;
        g_mutex_unlock(&tcg_lock);
        g_atomic_int_set(&tcg_round_exit, 0);
        if (tcg_run_round()) {
            continue;
        }
        /* Every vCPU waits for an interrupt: sleep until a kick. */
        g_mutex_lock(&tcg_lock);
        gint64 deadline = g_get_monotonic_time() + TCG_IDLE_WAIT_US;
        while (!tcg_kicked && g_cond_wait_until(&tcg_cond, &tcg_lock, deadline)) {
        }
        g_mutex_unlock(&tcg_lock);
    }
    return NULL;
}

/* The features the interpreter implements, for -cpu filtering. */
static void tcg_supported_features(uint32_t supported[FEATURE_WORDS])
{
    uint32_t out[4];
    memset(supported, 0, FEATURE_WORDS * sizeof(uint32_t));
    x86_interp_cpuid_builtin(NULL, 1, 0, out);
    supported[FEAT_1_EDX] = out[3];
    supported[FEAT_1_ECX] = out[2];
    x86_interp_cpuid_builtin(NULL, 0x80000001, 0, out);
    supported[FEAT_8000_0001_EDX] = out[3];
    supported[FEAT_8000_0001_ECX] = out[2];
    x86_interp_cpuid_builtin(NULL, 0xd, 1, out);
    supported[FEAT_D_1_EAX] = out[0];
}

static bool tcg_vcpu_create(X86CPU *cpu, Error **errp)
{
    uint32_t supported[FEATURE_WORDS];
    TCGCPU *t = g_new0(TCGCPU, 1);

    tcg_supported_features(supported);
    x86_cpu_filter_features(cpu, supported, "tcg", cpu->cpu_index == 0);
    t->cpu = cpu;
    t->ctx = x86_interp_ctx_new(&cpu->env);
    t->ctx->budget = TCG_SLICE_INSNS;
    t->ctx->get_interrupt = tcg_get_interrupt;
    t->ctx->opaque = t;
    t->ctx->cpuid = tcg_cpuid;
    t->ctx->msr_access = tcg_msr_access;
    t->ctx->cr8_access = tcg_cr8_access;
    t->ctx->ferr = tcg_ferr;
    cpu->accel = t;

    g_mutex_lock(&tcg_lock);
    if (!tcg_cpus) {
        tcg_cpus = g_ptr_array_new();
    }
    g_ptr_array_add(tcg_cpus, t);
    g_mutex_unlock(&tcg_lock);
    if (!tcg_thread) {
        tcg_thread = g_thread_try_new("tcg", tcg_thread_fn, cpu, NULL);
        if (!tcg_thread) {
            error_setg(errp, "tcg: cannot create the vCPU thread");
            return false;
        }
    }
    return true;
}

/* Leave guest code soon: the running vCPU stops at its next block boundary. */
static void tcg_vcpu_kick(X86CPU *cpu)
{
    TCGCPU *t = g_atomic_pointer_get(&tcg_running);
    if (t) {
        g_atomic_int_or((gint *)&t->cpu->env.interrupt_request, CPU_INTERRUPT_EXIT);
    }
    g_atomic_int_set(&tcg_round_exit, 1);
    g_mutex_lock(&tcg_lock);
    tcg_kicked = true;
    g_cond_signal(&tcg_cond);
    g_mutex_unlock(&tcg_lock);
}

/* env is the interpreter's state whenever it is out of guest code. */
static void tcg_sync_from(X86CPU *cpu)
{
}

static void tcg_sync_to(X86CPU *cpu)
{
    TCGCPU *t = cpu->accel;
    if (t && cpu->reset_pending) {
        x86_interp_reset(t->ctx);
    } else if (t) {
        x86_interp_env_changed(t->ctx);
    }
}

static void tcg_cleanup(void)
{
    if (!tcg_thread) {
        return;
    }
    cpus_shutdown();
    bool bql = bql_locked();
    if (bql) {
        bql_unlock();           /* the thread may wait for it to finish a device access */
    }
    g_thread_join(tcg_thread);
    tcg_thread = NULL;
    if (bql) {
        bql_lock();
    }
}

static bool tcg_has_irqchip(void)
{
    return false;
}

const AccelOps accel_tcg_ops = {
    .name = "tcg",
    .desc = "the kemu interpreter",
    .parse_opts = tcg_parse_opts,
    .init = tcg_init,
    .cleanup = tcg_cleanup,
    .vcpu_create = tcg_vcpu_create,
    .vcpu_kick = tcg_vcpu_kick,
    .sync_from = tcg_sync_from,
    .sync_to = tcg_sync_to,
    .has_irqchip = tcg_has_irqchip,
};
