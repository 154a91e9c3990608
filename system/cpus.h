/*
 * The machine's vCPUs and how they run, whatever the accelerator.  This file
 * calls only AccelOps; the accelerator owns the threads that run guest code
 * and calls back here between runs (cpus_vcpu_checkpoint).
 *
 * Life of a vCPU: created parked; vm_start resumes every vCPU, vm_stop
 * parks every vCPU and returns only once all are out of guest code.  A
 * machine reset parks them, resets the accelerator's own devices, then the
 * device reset puts each CPU in its power-on state (the BSP at the board's
 * boot entry), and they resume if the VM runs.
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/i386/x86-boot.h"
#include "system/runstate.h"
#include "target-i386/cpu.h"

/* Hook the vCPUs to the run state (pause/resume, reset); once, before cpus_add. */
void cpus_init(void);
/* Add a realized CPU as vCPU number cpus_count() and create it in the accelerator. */
bool cpus_add(X86CPU *cpu, Error **errp);
unsigned cpus_count(void);
/* The vCPU of that index, or NULL. */
X86CPU *cpus_get(unsigned index);
/* The vCPU the calling thread runs, or NULL (main loop, other threads). */
X86CPU *current_cpu(void);
/* An accelerator running several vCPUs on one thread: cpu is the one it runs now. */
void cpus_set_current(X86CPU *cpu);

/* Where the boot CPU starts after each reset (read at reset; NULL: the reset vector). */
void cpus_set_boot_entry(const X86BootEntry *entry);
const X86BootEntry *cpus_boot_entry(void);

/* Raise or clear CPU_INTERRUPT_* events, from any thread (atomic, then a kick). */
void cpu_interrupt(X86CPU *cpu, uint32_t mask);
void cpu_reset_interrupt(X86CPU *cpu, uint32_t mask);

/* Registers from the accelerator into cpu->env before reading them (BQL held). */
void cpu_synchronize_state(X86CPU *cpu);
void cpu_synchronize_all_states(void);
/* env holds the power-on state: put all of it into the accelerator (BQL held). */
void cpu_synchronize_post_reset(X86CPU *cpu);

/*
 * Run fn on cpu's own thread and wait for it (BQL held by the caller; it is
 * released while waiting).  fn runs without the BQL.  Without a vCPU thread,
 * or from that thread, fn runs at once.
 */
void run_on_cpu(X86CPU *cpu, void (*fn)(X86CPU *cpu, void *data), void *data);

/* Park every vCPU and wait until none is in guest code (BQL held; released while waiting). */
void pause_all_vcpus(void);
void resume_all_vcpus(void);

/* Ask the main loop to vm_stop(state): what a vCPU thread does, as it cannot wait for itself. */
void cpus_request_vm_stop(RunState state);

/* ---- For the accelerator's vCPU threads --------------------------------------- */

/* First call on a new vCPU thread: makes cpu current, records the thread id. */
void cpus_thread_start(X86CPU *cpu);
/*
 * Between two runs of guest code (the guest state is consistent): runs
 * queued work, parks while the vCPU is paused, and puts env back into the
 * accelerator if it was changed.  Returns false when the thread must end.
 */
bool cpus_vcpu_checkpoint(X86CPU *cpu);
/* Park the calling vCPU until the next resume (triple fault, fatal exit). */
void cpus_vcpu_stop_self(X86CPU *cpu);
/*
 * Accelerator cleanup: make every vCPU thread leave its loop (checkpoint
 * returns false) and stop device access (cpus_exiting() is true from now).
 */
void cpus_shutdown(void);
bool cpus_exiting(void);

#endif
