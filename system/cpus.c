/*
 * The vCPUs: their list, events, state sync, and pausing them around run
 * state changes and resets.  Accelerator-neutral: it calls AccelOps only.
 *
 * Locking: run control (stop, parked, queued work) is under cpus_lock and
 * waited on with cpus_cond.  Callers from the main loop hold the BQL and
 * release it while they wait, since a vCPU may need the BQL to finish the
 * device access it is in before it can park.
 */
#include "system/cpus.h"

#include <inttypes.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "accel/accel.h"
#include "monitor/hmp.h"
#include "system/main-loop.h"

typedef struct CPUWork {
    void (*fn)(X86CPU *cpu, void *data);
    void *data;
    bool done;
} CPUWork;

/* Run control of one vCPU (cpus.c's own, beside the X86CPU). */
typedef struct VCPUControl {
    X86CPU *cpu;
    bool stop;                  /* asked to park */
    bool parked;                /* its thread waits in cpus_vcpu_checkpoint */
    bool has_thread;            /* cpus_thread_start was called */
    GQueue work;                /* CPUWork *, run in its thread */
} VCPUControl;

static GPtrArray *vcpus;        /* VCPUControl * */
static GMutex cpus_lock;
static GCond cpus_cond;
static bool exiting;            /* cpus_shutdown: threads leave, devices are off-limits */
static const X86BootEntry *boot_entry;
static __thread X86CPU *this_cpu;

static BH *resume_bh;           /* resumes after a reset, once every reset handler ran */
static BH *vm_stop_bh;
static int vm_stop_state;       /* RunState for vm_stop_bh, atomic */

static VCPUControl *vcpu_control(X86CPU *cpu)
{
    g_assert(vcpus && cpu->cpu_index < vcpus->len);
    return g_ptr_array_index(vcpus, cpu->cpu_index);
}

unsigned cpus_count(void)
{
    return vcpus ? vcpus->len : 0;
}

X86CPU *cpus_get(unsigned index)
{
    if (!vcpus || index >= vcpus->len) {
        return NULL;
    }
    return ((VCPUControl *)g_ptr_array_index(vcpus, index))->cpu;
}

X86CPU *current_cpu(void)
{
    return this_cpu;
}

void cpus_set_current(X86CPU *cpu)
{
    this_cpu = cpu;
}

void cpus_set_boot_entry(const X86BootEntry *entry)
{
    boot_entry = entry;
}

const X86BootEntry *cpus_boot_entry(void)
{
    return boot_entry;
}

static void vcpu_kick(X86CPU *cpu)
{
    const AccelOps *ops = accel_current();
    if (ops && ops->vcpu_kick) {
        ops->vcpu_kick(cpu);
    }
}

/* ---- Events -------------------------------------------------------------------- */

void cpu_interrupt(X86CPU *cpu, uint32_t mask)
{
    g_atomic_int_or(&cpu->env.interrupt_request, mask);
    vcpu_kick(cpu);
}

void cpu_reset_interrupt(X86CPU *cpu, uint32_t mask)
{
    g_atomic_int_and(&cpu->env.interrupt_request, ~mask);
}

/* ---- Work on a vCPU's thread ------------------------------------------------------ */

/* With cpus_lock held: run what is queued for c, dropping the lock around each item. */
static void vcpu_run_work(VCPUControl *c)
{
    CPUWork *w;
    while ((w = g_queue_pop_head(&c->work))) {
        g_mutex_unlock(&cpus_lock);
        w->fn(c->cpu, w->data);
        g_mutex_lock(&cpus_lock);
        w->done = true;
        g_cond_broadcast(&cpus_cond);
    }
}

/* Wait on cpus_cond (cpus_lock held) without keeping the BQL from the vCPUs. */
static void wait_unlocked(void)
{
    bool bql = bql_locked();
    if (bql) {
        /* Take the BQL back only after dropping cpus_lock: vCPUs take them in that order. */
        bql_unlock();
    }
    g_cond_wait(&cpus_cond, &cpus_lock);
    if (bql) {
        g_mutex_unlock(&cpus_lock);
        bql_lock();
        g_mutex_lock(&cpus_lock);
    }
}

void run_on_cpu(X86CPU *cpu, void (*fn)(X86CPU *cpu, void *data), void *data)
{
    VCPUControl *c = vcpu_control(cpu);
    g_mutex_lock(&cpus_lock);
    if (!c->has_thread || this_cpu == cpu || exiting) {
        g_mutex_unlock(&cpus_lock);
        fn(cpu, data);
        return;
    }
    CPUWork w = { .fn = fn, .data = data };
    g_queue_push_tail(&c->work, &w);
    g_cond_broadcast(&cpus_cond);       /* a parked vCPU runs work too */
    g_mutex_unlock(&cpus_lock);
    vcpu_kick(cpu);
    g_mutex_lock(&cpus_lock);
    while (!w.done) {
        wait_unlocked();
    }
    g_mutex_unlock(&cpus_lock);
}

/* ---- State sync ------------------------------------------------------------------- */

static void do_sync_from(X86CPU *cpu, void *data)
{
    const AccelOps *ops = accel_current();
    if (!cpu->vcpu_dirty) {
        ops->sync_from(cpu);
        cpu->vcpu_dirty = true;
    }
}

void cpu_synchronize_state(X86CPU *cpu)
{
    const AccelOps *ops = accel_current();
    /* vcpu_dirty belongs to the vCPU's thread: do_sync_from tests it there. */
    if (ops && ops->sync_from) {
        run_on_cpu(cpu, do_sync_from, NULL);
    }
}

void cpu_synchronize_all_states(void)
{
    for (unsigned i = 0; i < cpus_count(); i++) {
        cpu_synchronize_state(cpus_get(i));
    }
}

static void do_sync_to(X86CPU *cpu, void *data)
{
    const AccelOps *ops = accel_current();
    ops->sync_to(cpu);
    cpu->reset_pending = false;
    cpu->vcpu_dirty = false;
}

void cpu_synchronize_post_reset(X86CPU *cpu)
{
    const AccelOps *ops = accel_current();
    if (!ops || !ops->sync_to || !vcpus || cpu->cpu_index >= vcpus->len) {
        return;
    }
    cpu->reset_pending = true;
    run_on_cpu(cpu, do_sync_to, NULL);
}

/* ---- Pause and resume --------------------------------------------------------------- */

void pause_all_vcpus(void)
{
    g_mutex_lock(&cpus_lock);
    for (unsigned i = 0; i < cpus_count(); i++) {
        VCPUControl *c = g_ptr_array_index(vcpus, i);
        c->stop = true;
    }
    g_mutex_unlock(&cpus_lock);
    for (unsigned i = 0; i < cpus_count(); i++) {
        vcpu_kick(cpus_get(i));
    }
    g_mutex_lock(&cpus_lock);
    for (;;) {
        bool all = true;
        for (unsigned i = 0; i < cpus_count(); i++) {
            VCPUControl *c = g_ptr_array_index(vcpus, i);
            /* The calling vCPU parks when it returns to its loop. */
            if (c->has_thread && !c->parked && c->cpu != this_cpu) {
                all = false;
            }
        }
        if (all || exiting) {
            break;
        }
        wait_unlocked();
    }
    g_mutex_unlock(&cpus_lock);
}

void resume_all_vcpus(void)
{
    g_mutex_lock(&cpus_lock);
    for (unsigned i = 0; i < cpus_count(); i++) {
        VCPUControl *c = g_ptr_array_index(vcpus, i);
        c->stop = false;
    }
    g_cond_broadcast(&cpus_cond);
    g_mutex_unlock(&cpus_lock);
}

static void cpus_runstate_changed(void *opaque, bool running)
{
    if (running) {
        resume_all_vcpus();
    } else {
        pause_all_vcpus();
    }
}

static void cpus_vm_stop_bh(void *opaque)
{
    RunState state = g_atomic_int_get(&vm_stop_state);
    if (runstate_is_running()) {
        vm_stop(state);
    }
}

void cpus_request_vm_stop(RunState state)
{
    g_atomic_int_set(&vm_stop_state, state);
    bh_schedule(vm_stop_bh);
}

static void cpus_resume_bh(void *opaque)
{
    if (runstate_is_running()) {
        resume_all_vcpus();
    }
}

/*
 * First of the machine's reset handlers: no vCPU may run while the devices
 * and the CPUs are put back to their power-on state.  The CPUs themselves
 * are reset with the devices (x86-cpu's DeviceClass.reset); the resume waits
 * for a bottom half, after the last reset handler.
 */
static void cpus_machine_reset(void *opaque)
{
    const AccelOps *ops = accel_current();
    pause_all_vcpus();
    if (ops && ops->reset) {
        ops->reset();
    }
    bh_schedule(resume_bh);
}

void cpus_init(void)
{
    if (vcpus) {
        return;
    }
    vcpus = g_ptr_array_new();
    resume_bh = bh_new(cpus_resume_bh, NULL);
    vm_stop_bh = bh_new(cpus_vm_stop_bh, NULL);
    runstate_add_change_handler(cpus_runstate_changed, NULL);
    runstate_add_reset_handler(cpus_machine_reset, NULL);
}

bool cpus_add(X86CPU *cpu, Error **errp)
{
    g_assert(vcpus);
    VCPUControl *c = g_new0(VCPUControl, 1);
    c->cpu = cpu;
    c->stop = true;             /* created parked; vm_start resumes */
    g_queue_init(&c->work);
    cpu->cpu_index = vcpus->len;
    g_ptr_array_add(vcpus, c);
    const AccelOps *ops = accel_current();
    if (ops && ops->vcpu_create && !ops->vcpu_create(cpu, errp)) {
        g_ptr_array_remove_index(vcpus, vcpus->len - 1);
        g_free(c);
        return false;
    }
    return true;
}

/* ---- The vCPU threads' side ------------------------------------------------------------ */

void cpus_thread_start(X86CPU *cpu)
{
    this_cpu = cpu;
    cpu->thread_id = (int)syscall(SYS_gettid);
    g_mutex_lock(&cpus_lock);
    vcpu_control(cpu)->has_thread = true;
    g_mutex_unlock(&cpus_lock);
}

bool cpus_vcpu_checkpoint(X86CPU *cpu)
{
    VCPUControl *c = vcpu_control(cpu);
    g_mutex_lock(&cpus_lock);
    for (;;) {
        vcpu_run_work(c);
        if (exiting) {
            c->parked = false;
            g_cond_broadcast(&cpus_cond);
            g_mutex_unlock(&cpus_lock);
            return false;
        }
        if (!c->stop) {
            break;
        }
        if (!c->parked) {
            c->parked = true;
            cpu->stopped = true;
            g_cond_broadcast(&cpus_cond);
        }
        g_cond_wait(&cpus_cond, &cpus_lock);
    }
    c->parked = false;
    cpu->stopped = false;
    g_mutex_unlock(&cpus_lock);

    const AccelOps *ops = accel_current();
    if (cpu->vcpu_dirty && ops->sync_to) {
        ops->sync_to(cpu);
        cpu->vcpu_dirty = false;
    }
    return true;
}

void cpus_vcpu_stop_self(X86CPU *cpu)
{
    g_mutex_lock(&cpus_lock);
    vcpu_control(cpu)->stop = true;
    g_mutex_unlock(&cpus_lock);
    vcpu_kick(cpu);             /* leaves guest code before it runs again */
}

void cpus_shutdown(void)
{
    g_mutex_lock(&cpus_lock);
    exiting = true;
    g_cond_broadcast(&cpus_cond);
    g_mutex_unlock(&cpus_lock);
    for (unsigned i = 0; i < cpus_count(); i++) {
        vcpu_kick(cpus_get(i));
    }
}

bool cpus_exiting(void)
{
    g_mutex_lock(&cpus_lock);
    bool ret = exiting;
    g_mutex_unlock(&cpus_lock);
    return ret;
}

/* ---- Monitor ------------------------------------------------------------------------------ */

/* info cpus: "* CPU #0: pc=0x... thread_id=N", the monitor's CPU (#0) starred. */
void hmp_info_cpus(Monitor *mon, const HmpArgs *args)
{
    for (unsigned i = 0; i < cpus_count(); i++) {
        X86CPU *cpu = cpus_get(i);
        cpu_synchronize_state(cpu);
        const CPUX86State *env = &cpu->env;
        uint64_t pc = env->segs[R_CS].base + env->rip;
        if (!x86_long_mode_active(env)) {
            pc = (uint32_t)pc;
        }
        monitor_printf(mon, "%c CPU #%u: pc=0x%016" PRIx64 " thread_id=%d\n", i == 0 ? '*' : ' ',
                       i, pc, cpu->thread_id ? cpu->thread_id : (int)getpid());
    }
}
