/*
 * kemu's x86 interpreter (the engine behind -accel tcg).
 *
 * One X86InterpCtx per vCPU.  x86_interp_run() executes guest code from
 * the CPUX86State until something needs the caller: HLT, an exit request,
 * the end of the instruction budget, a reset.  Guest code runs without the
 * global lock; port I/O, MMIO and the interrupt callback take it.
 *
 * All contexts must be run from one thread (vCPUs run round-robin); the
 * decoded-code cache is shared between them.
 */
#ifndef TARGET_I386_INTERP_INTERP_H
#define TARGET_I386_INTERP_INTERP_H

#include <stdbool.h>
#include <stdint.h>

#include "target-i386/cpu.h"
#include "system/memory.h"

/* Why x86_interp_run() returned. */
typedef enum X86InterpExit {
    X86_EXIT_HALT,              /* HLT (or waiting for SIPI): nothing to run until an event */
    X86_EXIT_INTERRUPT_WINDOW,  /* IF=1 and CPU_INTERRUPT_HARD, but no get_interrupt callback */
    X86_EXIT_REQUEST,           /* CPU_INTERRUPT_EXIT was set (it is cleared on return) */
    X86_EXIT_SLICE,             /* the instruction budget is used up */
    X86_EXIT_RESET,             /* triple fault: a guest reset was requested */
} X86InterpExit;

typedef struct X86Interp X86Interp;

typedef struct X86InterpCtx {
    /*
     * The interrupt controller: the vector of the pending INTR (acknowledging
     * it), or -1 when there is none after all.  Called with the BQL held.
     */
    int (*get_interrupt)(void *opaque);
    void *opaque;
    /*
     * CPUID: NULL uses the interpreter's built-in table.  target-i386/cpu.c
     * will provide the -cpu models here.
     */
    void (*cpuid)(CPUX86State *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    /*
     * FERR#: an unmasked x87 exception became pending (level true) or was
     * cleared (false) while CR0.NE=0.  The pc board routes it to IRQ 13
     * (and clears it on a write to port 0xf0, IGNNE#); NULL: ignored.
     * Called with opaque, without the BQL.
     */
    void (*ferr)(void *opaque, bool level);
    /*
     * MSRs of the local APIC (IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC
     * 0x800-0x8ff) when the board has one: 1 done, 0 #GP, -1 not its MSR
     * (the interpreter's own table then).  Called with opaque, without the BQL.
     */
    int (*msr_access)(void *opaque, uint32_t msr, uint64_t *val, bool write);
    /*
     * CR8 when the board has a local APIC: it is the APIC's TPR[7:4] (SDM
     * vol. 3, 10.8.6.1).  Reads (write false) or writes *val and returns
     * true; false (or NULL), no APIC: the interpreter keeps CR8 itself.
     * Called with opaque, without the BQL.
     */
    bool (*cr8_access)(void *opaque, uint64_t *val, bool write);
    /* Instructions to run per x86_interp_run() call; 0 or less: no limit. */
    int64_t budget;
    /* Instructions executed so far (whole blocks are counted at their end). */
    uint64_t insns;
    X86Interp *s;               /* the engine's private state */
} X86InterpCtx;

X86InterpCtx *x86_interp_ctx_new(CPUX86State *env);
void x86_interp_ctx_free(X86InterpCtx *ctx);

/* Run guest code from env until an exit; returns an X86InterpExit. */
int x86_interp_run(CPUX86State *env, X86InterpCtx *ctx);

/*
 * env was changed from outside (reset, loadvm, the monitor): drop the TLB
 * and reload the cached segment and mode state at the next run.
 */
void x86_interp_env_changed(X86InterpCtx *ctx);
/* Power-on or INIT: also drop the interrupt shadow and NMI blocking (not in env). */
void x86_interp_reset(X86InterpCtx *ctx);

/*
 * Guest memory [addr, addr+len) was written other than by guest stores
 * (DMA, a loader): drop decoded code there.  Any thread.
 */
void x86_interp_invalidate_phys(hwaddr addr, hwaddr len);

/* Drop every decoded block and every TLB (any thread; takes effect at the next block). */
void x86_interp_flush_all(void);

/* The built-in CPUID table (what the interpreter implements). */
void x86_interp_cpuid_builtin(CPUX86State *env, uint32_t leaf, uint32_t subleaf,
                              uint32_t out[4]);

#endif
