/*
 * The hot loop: look up a decoded block, run its instructions, and at
 * block boundaries only, take interrupts, exit requests and flushes.
 *
 * Exceptions longjmp back to x86_interp_run(), which delivers them and
 * re-enters the loop; nothing in the loop allocates or calls through a
 * generic layer per instruction.
 */
#include "target-i386/interp/decode.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "util/log.h"

X86InterpCtx *x86_interp_ctx_new(CPUX86State *env)
{
    X86InterpCtx *ctx = g_new0(X86InterpCtx, 1);
    X86Interp *s = g_new0(X86Interp, 1);

    s->env = env;
    s->ctx = ctx;
    s->delivering = -1;
    s->env_changed = true;
    /* One behind the global generation: the first run flushes. */
    s->flush_gen = (unsigned)g_atomic_int_get(&x86_flush_gen_global) - 1;
    memset(s->tlb, 0xff, sizeof(s->tlb));
    ctx->s = s;
    x86_cache_init();
    x86_interp_register(s);
    return ctx;
}

void x86_interp_ctx_free(X86InterpCtx *ctx)
{
    if (!ctx) {
        return;
    }
    x86_interp_unregister(ctx->s);
    g_free(ctx->s);
    g_free(ctx);
}

void x86_interp_env_changed(X86InterpCtx *ctx)
{
    ctx->s->env_changed = true;
}

void x86_interp_reset(X86InterpCtx *ctx)
{
    X86Interp *s = ctx->s;
    s->env_changed = true;
    s->inhibit_irq = false;
    s->nmi_blocked = false;
    s->delivering = -1;
}

/* Take env as the truth: cached mode, lazy flags, TLB if paging changed. */
static void run_enter(X86Interp *s)
{
    CPUX86State *env = s->env;

    x86_cache_sync(s);
    if (s->env_changed || env->cr[0] != s->tlb_cr0 || env->cr[3] != s->tlb_cr3 ||
        env->cr[4] != s->tlb_cr4 || env->efer != s->tlb_efer ||
        env->a20_mask_enabled != s->tlb_a20) {
        x86_tlb_flush(s);
        s->env_changed = false;
    }
    cc_set_flags(s, env->eflags);
    env->eflags = (env->eflags & ~(uint64_t)CC_ARITH) | 2;
    x86_update_mode(s);
    x86_dr_update(s);
    s->stop = false;
    s->halted_now = false;
}

static void deliver_external(X86Interp *s, int vector)
{
    s->delivering = vector;
    s->delivering_kind = EVENT_EXT;
    x86_deliver(s, vector, EVENT_EXT, false, 0);
    s->delivering = -1;
}

/*
 * Pending events at a block boundary.  Returns an exit code, or -1 to go
 * on running.
 */
static int handle_events(X86Interp *s, X86InterpCtx *ctx)
{
    CPUX86State *env = s->env;
    uint32_t req = g_atomic_int_get((gint *)&env->interrupt_request);
    bool inhibit = s->inhibit_irq;

    s->inhibit_irq = false;
    if (req & CPU_INTERRUPT_EXIT) {
        g_atomic_int_and((guint *)&env->interrupt_request, ~CPU_INTERRUPT_EXIT);
        return X86_EXIT_REQUEST;
    }
    if (env->mp_state == X86_MP_WAIT_FOR_SIPI) {
        /* SDM vol. 3, 9.4.4: the SIPI vector gives the real-mode start page. */
        if (!(req & CPU_INTERRUPT_SIPI)) {
            return X86_EXIT_HALT;
        }
        g_atomic_int_and((guint *)&env->interrupt_request, ~CPU_INTERRUPT_SIPI);
        env->segs[R_CS].selector = env->sipi_vector << 8;
        env->segs[R_CS].base = (uint32_t)env->sipi_vector << 12;
        env->rip = 0;
        env->mp_state = X86_MP_RUNNABLE;
        x86_update_mode(s);
        return -1;
    }
    if (req & (CPU_INTERRUPT_SMI | CPU_INTERRUPT_SIPI)) {
        /* No SMM yet; SIPI counts only in wait-for-SIPI.  Drop them, or each block stops here. */
        if (req & CPU_INTERRUPT_SMI) {
            log_mask(LOG_UNIMP, "x86: SMI ignored (no SMM)\n");
        }
        g_atomic_int_and((guint *)&env->interrupt_request,
                         ~(CPU_INTERRUPT_SMI | CPU_INTERRUPT_SIPI));
    }
    if (req & CPU_INTERRUPT_INIT) {
        /* The register reset belongs to the CPU model; the interpreter only waits for SIPI. */
        g_atomic_int_and((guint *)&env->interrupt_request, ~CPU_INTERRUPT_INIT);
        env->mp_state = X86_MP_WAIT_FOR_SIPI;
        return X86_EXIT_HALT;
    }
    if ((req & CPU_INTERRUPT_NMI) && !s->nmi_blocked && !inhibit) {
        g_atomic_int_and((guint *)&env->interrupt_request, ~CPU_INTERRUPT_NMI);
        env->mp_state = X86_MP_RUNNABLE;
        deliver_external(s, EXC_NMI);
        return -1;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) && !inhibit) {
        int vector = -1;
        if (!ctx->get_interrupt) {
            return X86_EXIT_INTERRUPT_WINDOW;
        }
        bool taken = !bql_locked();
        if (taken) {
            bql_lock();
        }
        vector = ctx->get_interrupt(ctx->opaque);
        if (taken) {
            bql_unlock();
        }
        if (vector >= 0 && vector < 256) {
            env->mp_state = X86_MP_RUNNABLE;
            deliver_external(s, vector);
            return -1;
        }
    }
    if (env->mp_state == X86_MP_HALTED) {
        return X86_EXIT_HALT;
    }
    return -1;
}

void x86_run_general(X86Interp *s, const X86Insn *d, X86Handler *general)
{
    uint64_t run_end = s->next_rip;
    uint64_t next = x86_run_next_rip(s, d);

    s->env->rip = next - d->len;
    s->next_rip = next;
    general(s, d);
    if (s->stop) {
        x86_run_ends_here(s, d);
        return;
    }
    s->next_rip = run_end;
    x86_run_next(s, d);
}

/* How many of b's instructions lie inside CS's limit (protected and real mode). */
static unsigned insns_within_limit(X86Interp *s, const X86Block *b)
{
    uint64_t rip = s->env->rip, limit = s->env->segs[R_CS].limit;
    unsigned n = 0;
    while (n < b->n && rip + b->insns[n].len - 1 <= limit) {
        rip += b->insns[n].len;
        n++;
    }
    return n;
}

/* -d cpu: the state before a block (a short form; the monitor has the full one). */
static void log_cpu_state(X86Interp *s)
{
    CPUX86State *env = s->env;
    static const char names[16][4] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    g_autoptr(GString) out = g_string_new(NULL);

    for (int i = 0; i < CPU_NB_REGS; i++) {
        g_string_append_printf(out, "%-3s=%016" PRIx64 "%s", names[i], env->regs[i],
                               (i & 3) == 3 ? "\n" : " ");
    }
    g_string_append_printf(out, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " CPL=%d CS=%04x SS=%04x "
                           "DS=%04x ES=%04x\nCR0=%08" PRIx64 " CR3=%016" PRIx64 " CR4=%08"
                           PRIx64 " EFER=%" PRIx64 "\n", env->rip, x86_get_eflags(s), s->cpl,
                           env->segs[R_CS].selector, env->segs[R_SS].selector,
                           env->segs[R_DS].selector, env->segs[R_ES].selector, env->cr[0],
                           env->cr[3], env->cr[4], env->efer);
    log_printf("%s", out->str);
}

/* The rare per-block work: CS limit, single-step, -d exec.  Returns how many to run. */
static unsigned block_slow_prologue(X86Interp *s, const X86Block *b)
{
    CPUX86State *env = s->env;
    unsigned n = b->n;

    if (s->cs_limit_check && env->rip + b->bytes - 1 > env->segs[R_CS].limit) {
        n = insns_within_limit(s, b);
        if (n == 0) {
            x86_raise(s, EXC_GP, 0);
        }
    }
    if (env->eflags & TF_MASK) {
        n = 1;
    }
    if (s->bp_exec) {
        n = x86_dr_exec_cut(s, b->insns, n);
    }
    if (log_enabled(LOG_EXEC)) {
        log_printf("x86: block %04x:%016" PRIx64 " phys 0x%" PRIx64 " (%u insns)\n",
                   env->segs[R_CS].selector, env->rip, b->phys, b->n);
    }
    if (log_enabled(LOG_CPU)) {
        log_cpu_state(s);
    }
    return n;
}

static int exec_loop(X86Interp *s, X86InterpCtx *ctx)
{
    CPUX86State *env = s->env;
    X86Block *prev = NULL;      /* the block run last, whose links find the next */
    uint64_t prev_stamp = 0;

    for (;;) {
        /* ---- Block boundary: events, flushes, the budget. */
        if (G_UNLIKELY((g_atomic_int_get((gint *)&env->interrupt_request) |
                        (env->mp_state != X86_MP_RUNNABLE) | s->inhibit_irq) != 0)) {
            int r = handle_events(s, ctx);
            if (r >= 0) {
                return r;
            }
        }
        if (G_UNLIKELY((unsigned)g_atomic_int_get(&x86_flush_gen_global) != s->flush_gen ||
                       env->a20_mask_enabled != s->tlb_a20)) {
            x86_cache_sync(s);
            if (env->a20_mask_enabled != s->tlb_a20) {
                x86_tlb_flush(s);
                x86_update_mode(s);
            }
        }
        if (G_UNLIKELY(s->budget_left <= 0)) {
            return X86_EXIT_SLICE;
        }

        /* A jump-cache clear since prev was found may have freed it. */
        X86Block *b = x86_block_lookup_fast(s, env->rip,
                                            prev_stamp == s->jc_stamp ? prev : NULL);
        prev = b;
        prev_stamp = s->jc_stamp;
        const X86Insn *d = b->insns;
        unsigned n = b->n;
        bool slow = s->slow_blocks | ((env->eflags & TF_MASK) != 0) |
                    log_enabled(LOG_EXEC | LOG_CPU);
        X86Insn part[X86_BLOCK_MAX_INSNS];
        if (G_UNLIKELY(slow)) {
            n = block_slow_prologue(s, b);
            if (n < b->n) {
                /* The cached copy skips flags the rest of the block overwrites. */
                unsigned bytes;
                uint64_t page2;
                n = x86_decode_block(s, env->rip, part, n,
                                     &bytes, &page2);
                d = part;
            }
        }

        /* ---- The instructions: the only per-instruction work is here. */
        const X86Insn *first = d, *end = d + n;
        uint64_t rip = env->rip;
        s->stop = false;
        /*
         * env->rip is the instruction's own address while it runs (faults
         * report it); rip stays in a register, because a handler that
         * changes s->next_rip also ends the block (s->stop or OPF_END).
         * A run is entered once, with s->next_rip at its end, and its
         * instructions call each other (x86_run_next); one that needs its
         * RIP sets it (x86_run_general).
         */
        do {
            if (d->run) {
                rip += d->run_bytes;
                s->next_rip = rip;
                const X86Insn *run = d;
                d += d->run;
                run->fn(s, run);
                continue;
            }
            env->rip = rip;
            rip += d->len;
            s->next_rip = rip;
            d->fn(s, d);
            d++;
        } while (d < end && !s->stop);
        env->rip = s->next_rip;

        s->budget_left -= d - first;
        if (G_UNLIKELY(s->halted_now)) {
            s->halted_now = false;
            env->mp_state = X86_MP_HALTED;
        }
        if (G_UNLIKELY(slow)) {
            /* Traps after the instruction: data breakpoints, single-step (SDM vol. 3, 18.3.1). */
            uint32_t hits = x86_dr_take_hits(s);
            bool step = (env->eflags & TF_MASK) && n == 1;
            if (hits || step) {
                env->dr[6] = (env->dr[6] & ~0xfull) | hits | (step ? DR6_BS : 0);
                x86_raise(s, EXC_DB, 0);
            }
        }
    }
}

int x86_interp_run(CPUX86State *env, X86InterpCtx *ctx)
{
    X86Interp *s = ctx->s;
    volatile int ret = -1;

    if (s->env != env) {
        s->env = env;
        s->env_changed = true;
    }
    run_enter(s);
    /*
     * No budget is an endless one: one compare per block either way.  Half
     * the range, as a run that stops early gives budget back before the
     * block's instructions are taken off.
     */
    int64_t budget = ctx->budget > 0 ? ctx->budget : INT64_MAX / 2;
    s->budget_left = budget;
    while (ret < 0) {
        if (setjmp(s->jb) == 0) {
            ret = exec_loop(s, ctx);
        } else {
            /* A fault loop that runs no instruction must still use up the slice. */
            s->budget_left--;
            s->db_hits = 0;     /* the faulting instruction did not complete */
            if (!x86_handle_exception(s)) {
                qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
                ret = X86_EXIT_RESET;
            }
        }
    }
    ctx->insns += budget - s->budget_left;
    env->eflags = x86_get_eflags(s);
    return ret;
}
