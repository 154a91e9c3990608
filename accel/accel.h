/*
 * The accelerator seam: what runs guest code.  The machine and devices do not
 * know which one is in use; they see only these operations.
 *
 * Chosen at start from -accel / -enable-kvm / -machine accel=, in the order
 * given, falling back to the next one when one fails to initialize.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include <stdbool.h>
#include <glib.h>
#include "util/error.h"
#include "util/opts.h"

typedef struct MachineState MachineState;
typedef struct X86CPU X86CPU;

typedef struct AccelOps {
    const char *name;           /* "tcg", "kvm" */
    const char *desc;
    /* Parse -accel NAME,prop=... (unknown props are the caller's error). */
    bool (*parse_opts)(Opts *opts, Error **errp);
    /* Open the accelerator for a machine (before the board is built). */
    bool (*init)(MachineState *ms, Error **errp);
    /* Release host resources at exit. */
    void (*cleanup)(void);

    /*
     * vCPUs (system/cpus.c calls these).  A vCPU is created parked; the run
     * state resumes and pauses all of them.  Guest code runs outside the
     * global lock; device accesses take it.
     */
    bool (*vcpu_create)(X86CPU *cpu, Error **errp);
    /* Make the vCPU leave guest code soon, from any thread. */
    void (*vcpu_kick)(X86CPU *cpu);
    /* Registers from the accelerator into cpu->env (before reading them). */
    void (*sync_from)(X86CPU *cpu);
    /* Registers from cpu->env into the accelerator (after reset or loadvm). */
    void (*sync_to)(X86CPU *cpu);

    /*
     * Machine reset, with every vCPU parked: put what the accelerator
     * emulates itself (an in-kernel irqchip and PIT) to its power-on state.
     */
    void (*reset)(void);
    /*
     * True when the accelerator emulates the PIC, IOAPIC, local APICs and
     * PIT itself (KVM's in-kernel irqchip): the board then sends its GSI
     * lines to set_irq instead of to its own PIC and IOAPIC, and leaves its
     * PIT's IRQ 0 unconnected.  Fixed once init has run.
     */
    bool (*has_irqchip)(void);
    /* Drive GSI gsi (0-23; ISA IRQ 0 reaches IOAPIC pin 2 by the MADT override). */
    void (*set_irq)(int gsi, int level);
    /* Deliver an MSI to the in-kernel local APICs (has_irqchip accelerators). */
    void (*send_msi)(uint64_t addr, uint32_t data);
    /*
     * True when the accelerator takes the eventfds devices attach with
     * memory_region_add_eventfd() (KVM_IOEVENTFD): a matching guest write
     * then signals the eventfd without leaving guest code.  NULL or false:
     * nothing would signal them, so devices keep to their write callbacks.
     */
    bool (*ioeventfd_supported)(void);
} AccelOps;

const AccelOps *accel_find(const char *name);
/* "-accel help". */
void accel_print_list(GString *out);

/*
 * Try each -accel in order (a list of Opts, each with "accel" set), warning
 * and falling back on failure; an error if none initializes.
 */
bool accel_init_machine(GPtrArray *accel_opts, MachineState *ms, Error **errp);
/* The accelerator in use (after accel_init_machine). */
const AccelOps *accel_current(void);
void accel_cleanup(void);

/* Accelerators (one file each). */
extern const AccelOps accel_tcg_ops;
extern const AccelOps accel_kvm_ops;

#endif
