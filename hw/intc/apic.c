/*
 * Local APIC (SDM vol. 3, chapter 10): priorities, interrupt acceptance,
 * IPIs and the APIC bus, the xAPIC MMIO page, and the device.  The timer is
 * in apic-timer.c, the MSRs (base, x2APIC, TSC deadline) and the monitor
 * in apic-msr.c.
 *
 * One MemoryRegion serves every CPU's xAPIC page: the handler picks the APIC
 * of current_cpu().  Writes to 0xFEExxxxx by no CPU (a device) are MSIs.
 */
#include "hw/intc/apic-internal.h"

#include "migration/vmstate.h"
#include "system/cpus.h"
#include "system/memory.h"
#include "util/log.h"

/* ---- The APIC bus --------------------------------------------------------------- */

static GPtrArray *apic_list;        /* APICState *, every realized APIC */
static IOAPICState *bus_ioapic;
static PICState *bus_pic;
static MemoryRegion apic_page;      /* the xAPIC registers at IA32_APIC_BASE */
static MemoryRegion apic_msi;       /* the rest of the MSI window */
static bool apic_mmio_mapped;

void apic_bus_set_ioapic(IOAPICState *ioapic)
{
    bus_ioapic = ioapic;
}

void apic_bus_set_pic(PICState *pic)
{
    bus_pic = pic;
}

APICState *apic_by_cpu(X86CPU *cpu)
{
    return cpu && cpu->apic ? APIC(cpu->apic) : NULL;
}

/* ---- 256-bit registers ---------------------------------------------------------- */

static inline void vec_set(uint32_t *r, int v)
{
    r[v >> 5] |= 1u << (v & 31);
}

static inline void vec_clear(uint32_t *r, int v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}

static inline bool vec_test(const uint32_t *r, int v)
{
    return r[v >> 5] & (1u << (v & 31));
}

/* The highest vector set, or -1. */
static int vec_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i]) {
            return i * 32 + 31 - __builtin_clz(r[i]);
        }
    }
    return -1;
}

/* ---- Priorities (SDM vol. 3, 10.8.3) --------------------------------------------- */

static uint8_t apic_ppr(const APICState *s)
{
    int isrv = vec_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : isrv & 0xf0;
    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

/* Arbitration priority (10.6.2.4): what lowest-priority delivery compares. */
static uint8_t apic_apr(const APICState *s)
{
    int isrv = vec_highest(s->isr), irrv = vec_highest(s->irr);
    uint8_t isr_class = isrv < 0 ? 0 : isrv & 0xf0;
    uint8_t irr_class = irrv < 0 ? 0 : irrv & 0xf0;
    if ((s->tpr & 0xf0) >= isr_class && (s->tpr & 0xf0) >= irr_class) {
        return s->tpr;
    }
    return MAX(s->tpr & 0xf0, MAX(isr_class, irr_class));
}

/* The vector to present to the CPU, or -1: the highest IRR above the PPR's class. */
static int apic_pending_vector(const APICState *s)
{
    if (!apic_hw_enabled(s) || !(s->svr & APIC_SVR_ENABLE)) {
        return -1;
    }
    int v = vec_highest(s->irr);
    if (v < 0 || (v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return v;
}

/*
 * The 8259's INTR reaches the CPU when LINT0 is an unmasked ExtINT entry,
 * or straight when the APIC is disabled in IA32_APIC_BASE (10.4.3).
 */
static bool apic_extint_ready(const APICState *s)
{
    if (s->extint_pending) {
        return true;
    }
    if (!s->lint_level[0]) {
        return false;
    }
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];
    return !apic_hw_enabled(s) ||
           (!(lvt0 & APIC_LVT_MASKED) && ((lvt0 >> 8) & 7) == APIC_DM_EXTINT);
}

void apic_update_irq(APICState *s)
{
    bool want = apic_extint_ready(s) || apic_pending_vector(s) >= 0;
    if (want) {
        s->hard_raised = true;
        cpu_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    } else if (s->hard_raised) {
        s->hard_raised = false;
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
}

int apic_get_interrupt(DeviceState *dev)
{
    APICState *s = APIC(dev);
    int v;

    if (apic_extint_ready(s)) {
        s->extint_pending = false;
        v = bus_pic ? pic_read_irq(bus_pic) : -1;
        apic_update_irq(s);
        return v;
    }
    v = apic_pending_vector(s);
    if (v < 0) {
        /* 10.9: raised, then masked by the TPR before the INTA: the spurious vector. */
        bool spurious = s->hard_raised && apic_hw_enabled(s) && (s->svr & APIC_SVR_ENABLE);
        apic_update_irq(s);
        return spurious ? (int)(s->svr & 0xff) : -1;
    }
    vec_clear(s->irr, v);
    vec_set(s->isr, v);
    apic_update_irq(s);
    return v;
}

void apic_set_error(APICState *s, uint32_t bit)
{
    bool new = !(s->esr_pending & bit);
    s->esr_pending |= bit;
    if (new) {
        apic_local_deliver(s, APIC_LVT_ERROR);
    }
}

/* A fixed or lowest-priority interrupt reaches this APIC (10.8.1). */
static void apic_accept_irq(APICState *s, int vector, bool level)
{
    if (!apic_hw_enabled(s)) {
        return;
    }
    if (vector < 16) {
        apic_set_error(s, APIC_ESR_RECV_ILLEGAL);
        return;
    }
    vec_set(s->irr, vector);
    if (level) {
        vec_set(s->tmr, vector);
    } else {
        vec_clear(s->tmr, vector);
    }
    apic_update_irq(s);
}

/* A message in delivery mode dm for this APIC (10.6.1, table 10-2). */
static void apic_deliver_one(APICState *s, unsigned dm, int vector, bool level, bool assert)
{
    CPUX86State *env = &s->cpu->env;

    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept_irq(s, vector, level);
        break;
    case APIC_DM_SMI:
        log_mask(LOG_UNIMP, "apic: SMI to APIC %u ignored (no SMM)\n", s->id);
        break;
    case APIC_DM_NMI:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
        break;
    case APIC_DM_INIT:
        /* INIT level de-assert only synchronises arbitration IDs: nothing to do. */
        if (!level || assert) {
            cpu_interrupt(s->cpu, CPU_INTERRUPT_INIT);
        }
        break;
    case APIC_DM_SIPI:
        /* 8.4.4.1: only a CPU waiting for SIPI (or about to, after INIT) takes it. */
        if (env->mp_state == X86_MP_WAIT_FOR_SIPI ||
            (g_atomic_int_get(&env->interrupt_request) & CPU_INTERRUPT_INIT)) {
            env->sipi_vector = vector;
            cpu_interrupt(s->cpu, CPU_INTERRUPT_SIPI);
        }
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        apic_update_irq(s);
        break;
    default:
        log_mask(LOG_GUEST_ERROR, "apic: reserved delivery mode %u\n", dm);
        break;
    }
}

/*
 * Does s take a message for dest?  x2apic_dest: a 32-bit x2APIC destination
 * (ICR in x2APIC mode), else the 8-bit xAPIC one (IOAPIC, MSI, xAPIC ICR).
 */
static bool apic_match_dest(const APICState *s, uint32_t dest, bool logical, bool x2apic_dest)
{
    uint32_t bcast = x2apic_dest ? 0xffffffffu : 0xff;

    if (dest == bcast) {
        return true;
    }
    if (!logical) {
        return x2apic_dest || apic_x2apic_mode(s) ? s->id == dest : (s->id & 0xff) == dest;
    }
    if (apic_x2apic_mode(s)) {
        /* 10.12.10.2: cluster in bits 31:16, one bit per APIC in 15:0. */
        return (dest >> 16) == (s->ldr >> 16) && (dest & s->ldr & 0xffff);
    }
    uint8_t ldr = s->ldr >> 24;
    if ((s->dfr >> 28) == 0xf) {
        return dest & ldr;                          /* flat model */
    }
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);    /* cluster model */
}

/* Lowest priority (10.6.2.4): the focus processor, else the lowest arbitration priority. */
static APICState *apic_lowest_priority(GPtrArray *targets, int vector)
{
    APICState *best = NULL;
    for (unsigned i = 0; i < targets->len; i++) {
        APICState *s = g_ptr_array_index(targets, i);
        if (!(s->svr & APIC_SVR_NO_FOCUS) && (vec_test(s->isr, vector) || vec_test(s->irr, vector))) {
            return s;
        }
        if (!best || apic_apr(s) < apic_apr(best)) {
            best = s;
        }
    }
    return best;
}

/* Route one message on the APIC bus; src is the sender for the shorthands. */
static void apic_bus_deliver(APICState *src, unsigned shorthand, uint32_t dest, bool logical,
                             bool x2apic_dest, unsigned dm, int vector, bool level, bool assert)
{
    g_autoptr(GPtrArray) targets = g_ptr_array_new();

    for (unsigned i = 0; apic_list && i < apic_list->len; i++) {
        APICState *s = g_ptr_array_index(apic_list, i);
        bool match;
        switch (shorthand) {
        case APIC_SH_SELF:   match = s == src; break;
        case APIC_SH_ALL:    match = true; break;
        case APIC_SH_OTHERS: match = s != src; break;
        default:             match = apic_match_dest(s, dest, logical, x2apic_dest); break;
        }
        /* A disabled APIC still takes INIT, SIPI and NMI (10.4.7.2); none if hw-disabled. */
        if (match && apic_hw_enabled(s)) {
            g_ptr_array_add(targets, s);
        }
    }
    if (dm == APIC_DM_LOWEST && targets->len > 1) {
        APICState *s = apic_lowest_priority(targets, vector);
        apic_deliver_one(s, dm, vector, level, assert);
        return;
    }
    for (unsigned i = 0; i < targets->len; i++) {
        apic_deliver_one(g_ptr_array_index(targets, i), dm, vector, level, assert);
    }
}

void apic_ioapic_deliver(void *opaque, const IOAPICMessage *msg)
{
    apic_bus_deliver(NULL, APIC_SH_NONE, msg->dest, msg->dest_mode, false, msg->delivery_mode,
                     msg->vector, msg->trigger_mode, true);
}

void apic_deliver_msi(uint64_t addr, uint32_t data)
{
    /* SDM vol. 3, 10.11.1-2: dest in address bits 19:12, DM bit 2; data: vector, mode, trigger. */
    if ((addr & ~(APIC_MSI_SIZE - 1)) != APIC_MSI_BASE) {
        log_mask(LOG_GUEST_ERROR, "apic: MSI to 0x%" PRIx64 " outside the window\n", addr);
        return;
    }
    unsigned dm = (data >> 8) & 7;
    if (dm == 3) {
        log_mask(LOG_GUEST_ERROR, "apic: MSI with reserved delivery mode\n");
        return;
    }
    apic_bus_deliver(NULL, APIC_SH_NONE, (addr >> 12) & 0xff, addr & (1u << 2), false, dm,
                     data & 0xff, data & (1u << 15), data & (1u << 14));
}

void apic_send_ipi(APICState *s, uint32_t icr_lo, uint32_t dest)
{
    unsigned dm = (icr_lo >> 8) & 7;
    unsigned sh = (icr_lo >> APIC_ICR_SH_SHIFT) & 3;
    int vector = icr_lo & 0xff;

    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) && vector < 16) {
        apic_set_error(s, APIC_ESR_SEND_ILLEGAL);
        return;
    }
    if (dm == APIC_DM_EXTINT || dm == 3) {
        log_mask(LOG_GUEST_ERROR, "apic: IPI with delivery mode %u dropped\n", dm);
        return;
    }
    apic_bus_deliver(s, sh, dest, icr_lo & APIC_ICR_DESTMODE, apic_x2apic_mode(s), dm, vector,
                     icr_lo & APIC_ICR_TRIGGER, icr_lo & APIC_ICR_LEVEL);
}

/* A local interrupt source (10.5.1): deliver as its LVT entry says. */
void apic_local_deliver(APICState *s, int lvt)
{
    uint32_t e = s->lvt[lvt];
    unsigned dm = (e >> 8) & 7;

    if ((e & APIC_LVT_MASKED) || !apic_hw_enabled(s)) {
        return;
    }
    if (lvt == APIC_LVT_TIMER || lvt == APIC_LVT_ERROR) {
        dm = APIC_DM_FIXED;             /* these entries have no delivery mode field */
    }
    switch (dm) {
    case APIC_DM_FIXED:
        apic_accept_irq(s, e & 0xff, (lvt == APIC_LVT_LINT0 || lvt == APIC_LVT_LINT1) &&
                        (e & APIC_LVT_LEVEL));
        break;
    case APIC_DM_SMI:
    case APIC_DM_NMI:
    case APIC_DM_INIT:
        apic_deliver_one(s, dm, 0, false, true);
        break;
    case APIC_DM_EXTINT:
        apic_update_irq(s);             /* the 8259's vector, at INTA */
        break;
    default:
        log_mask(LOG_GUEST_ERROR, "apic: LVT %d has reserved delivery mode %u\n", lvt, dm);
        break;
    }
}

void apic_set_lint(DeviceState *dev, int n, int level)
{
    APICState *s = APIC(dev);
    if (n < 0 || n > 1) {
        return;
    }
    bool was = s->lint_level[n];
    s->lint_level[n] = level != 0;
    if (!apic_hw_enabled(s)) {
        /* 10.4.3: with the APIC off, LINT0 is INTR and LINT1 is NMI. */
        if (n == 1 && level && !was) {
            cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
        }
        apic_update_irq(s);
        return;
    }
    uint32_t e = s->lvt[APIC_LVT_LINT0 + n];
    if (((e >> 8) & 7) == APIC_DM_EXTINT) {
        apic_update_irq(s);
    } else if (level && (!was || (e & APIC_LVT_LEVEL))) {
        apic_local_deliver(s, APIC_LVT_LINT0 + n);
    }
}

/* 10.8.5: EOI retires the highest ISR; a level vector is EOIed to the IOAPIC too. */
void apic_eoi(APICState *s)
{
    int v = vec_highest(s->isr);
    if (v < 0) {
        return;
    }
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v)) {
        vec_clear(s->tmr, v);
        if (bus_ioapic) {
            ioapic_eoi_broadcast(bus_ioapic, v);
        }
    }
    apic_update_irq(s);
}

/* ---- Registers --------------------------------------------------------------------- */

/* Writable bits of each LVT entry (10.5.1, figure 10-8). */
static const uint32_t lvt_writable[APIC_LVT_NB] = {
    [APIC_LVT_TIMER]   = 0xff | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE,
    [APIC_LVT_THERMAL] = 0x7ff | APIC_LVT_MASKED,
    [APIC_LVT_PERF]    = 0x7ff | APIC_LVT_MASKED,
    [APIC_LVT_LINT0]   = 0x7ff | APIC_LVT_POLARITY | APIC_LVT_LEVEL | APIC_LVT_MASKED,
    [APIC_LVT_LINT1]   = 0x7ff | APIC_LVT_POLARITY | APIC_LVT_LEVEL | APIC_LVT_MASKED,
    [APIC_LVT_ERROR]   = 0xff | APIC_LVT_MASKED,
};

uint32_t apic_read(APICState *s, unsigned offset, bool *ok)
{
    *ok = true;
    if (offset >= APIC_ISR && offset < APIC_ISR + 0x80) {
        return s->isr[(offset - APIC_ISR) >> 4];
    }
    if (offset >= APIC_TMR && offset < APIC_TMR + 0x80) {
        return s->tmr[(offset - APIC_TMR) >> 4];
    }
    if (offset >= APIC_IRR && offset < APIC_IRR + 0x80) {
        return s->irr[(offset - APIC_IRR) >> 4];
    }
    if (offset >= APIC_LVT_BASE && offset < APIC_LVT_BASE + 0x10 * APIC_LVT_NB) {
        return s->lvt[(offset - APIC_LVT_BASE) >> 4];
    }
    switch (offset) {
    case APIC_ID:       return apic_x2apic_mode(s) ? s->id : s->id << 24;
    case APIC_VERSION:  return APIC_VERSION_VALUE;
    case APIC_TPR:      return s->tpr;
    case APIC_APR:      return apic_apr(s);
    case APIC_PPR:      return apic_ppr(s);
    case APIC_EOI:      return 0;
    case APIC_LDR:      return s->ldr;
    case APIC_DFR:      return s->dfr;
    case APIC_SVR:      return s->svr;
    case APIC_ESR:      return s->esr;
    case APIC_ICR_LO:   return s->icr[0];   /* delivery status: always idle */
    case APIC_ICR_HI:   return s->icr[1];
    case APIC_TICR:     return s->initial_count;
    case APIC_TCCR:     return apic_timer_current_count(s);
    case APIC_TDCR:     return s->divide_conf;
    default:
        *ok = false;
        return 0;
    }
}

/* Returns false for a register that is not there or not writable (ESR/#GP). */
bool apic_write(APICState *s, unsigned offset, uint32_t val)
{
    if (offset >= APIC_LVT_BASE && offset < APIC_LVT_BASE + 0x10 * APIC_LVT_NB) {
        int n = (offset - APIC_LVT_BASE) >> 4;
        uint32_t old = s->lvt[n];
        s->lvt[n] = (old & ~lvt_writable[n]) | (val & lvt_writable[n]);
        if (!(s->svr & APIC_SVR_ENABLE)) {
            s->lvt[n] |= APIC_LVT_MASKED;   /* 10.4.7.2: masks stay set while disabled */
        }
        if (n == APIC_LVT_TIMER) {
            if ((s->lvt[n] >> APIC_LVT_TIMER_SHIFT & 3) == 3) {
                s->lvt[n] &= ~(2u << APIC_LVT_TIMER_SHIFT);     /* mode 3 is reserved */
            }
            bool was_deadline = (old >> APIC_LVT_TIMER_SHIFT & 3) == APIC_TIMER_TSC_DEADLINE;
            bool deadline = (s->lvt[n] >> APIC_LVT_TIMER_SHIFT & 3) == APIC_TIMER_TSC_DEADLINE;
            if (was_deadline != deadline) {
                /* 10.5.4.1: switching into or out of TSC-deadline mode disarms the timer. */
                s->initial_count = 0;
                s->tsc_deadline = 0;
            }
            apic_timer_update(s);
        } else if (n == APIC_LVT_LINT0 || n == APIC_LVT_LINT1) {
            apic_update_irq(s);
        }
        return true;
    }
    switch (offset) {
    case APIC_ID:
        /* Writable in xAPIC mode on the P6 family and later (10.4.6). */
        s->id = val >> 24;
        break;
    case APIC_TPR:
        s->tpr = val & 0xff;
        apic_update_irq(s);
        break;
    case APIC_EOI:
        apic_eoi(s);
        break;
    case APIC_LDR:
        s->ldr = val & 0xff000000u;
        break;
    case APIC_DFR:
        s->dfr = val | 0x0fffffffu;
        break;
    case APIC_SVR:
        s->svr = val & (0xff | APIC_SVR_ENABLE | APIC_SVR_NO_FOCUS);
        if (!(s->svr & APIC_SVR_ENABLE)) {
            for (int n = 0; n < APIC_LVT_NB; n++) {
                s->lvt[n] |= APIC_LVT_MASKED;
            }
        }
        apic_update_irq(s);
        break;
    case APIC_ESR:
        /* 10.5.3: a write latches the errors since the last one and clears them. */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case APIC_ICR_LO:
        s->icr[0] = val & ~(uint32_t)(1u << 12);
        apic_send_ipi(s, s->icr[0], s->icr[1] >> 24);
        break;
    case APIC_ICR_HI:
        s->icr[1] = val & 0xff000000u;
        break;
    case APIC_TICR:
        if ((s->lvt[APIC_LVT_TIMER] >> APIC_LVT_TIMER_SHIFT & 3) != APIC_TIMER_TSC_DEADLINE) {
            s->initial_count = val;
            s->count_start = clock_get_ns(CLOCK_VIRTUAL);
            apic_timer_update(s);
        }
        break;
    case APIC_TDCR:
        s->divide_conf = val & 0xb;
        apic_timer_update(s);
        break;
    case APIC_VERSION:
    case APIC_APR:
    case APIC_PPR:
    case APIC_RRD:
    case APIC_TCCR:
        break;                              /* read-only: ignored */
    default:
        if ((offset >= APIC_ISR && offset < APIC_IRR + 0x80)) {
            break;                          /* ISR, TMR, IRR are read-only */
        }
        return false;
    }
    return true;
}

uint32_t apic_reg_read(DeviceState *dev, unsigned offset)
{
    bool ok;
    return apic_read(APIC(dev), offset & 0xff0, &ok);
}

void apic_reg_write(DeviceState *dev, unsigned offset, uint32_t val)
{
    apic_write(APIC(dev), offset & 0xff0, val);
}

uint8_t apic_get_cr8(DeviceState *dev)
{
    return APIC(dev)->tpr >> 4;
}

void apic_set_cr8(DeviceState *dev, uint8_t cr8)
{
    apic_write(APIC(dev), APIC_TPR, (cr8 & 0xf) << 4);
}

/* ---- The MMIO page and the MSI window -------------------------------------------- */

static APICState *apic_mmio_target(void)
{
    APICState *s = apic_by_cpu(current_cpu());
    /* In x2APIC mode or disabled the page is not decoded (10.12.1.2). */
    if (s && (!apic_hw_enabled(s) || apic_x2apic_mode(s))) {
        return NULL;
    }
    return s;
}

static uint64_t apic_page_read(void *opaque, hwaddr addr, unsigned size)
{
    APICState *s = apic_mmio_target();
    bool ok;

    if (!s) {
        return 0;
    }
    /* Registers are 32 bits on 16-byte boundaries; narrower reads see part of one. */
    uint32_t v = apic_read(s, addr & 0xff0, &ok);
    if (!ok || (addr & 0xf) >= 4) {
        if (!ok) {
            apic_set_error(s, APIC_ESR_ILLEGAL_REG);
        }
        return 0;
    }
    return (v >> ((addr & 3) * 8)) & (size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
}

static void apic_page_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    X86CPU *cpu = current_cpu();
    if (!cpu || !cpu->apic) {
        /* A device's write: an MSI. */
        apic_deliver_msi(apic_page.addr + addr, val);
        return;
    }
    APICState *s = apic_mmio_target();
    if (!s || (addr & 0xf)) {
        return;
    }
    if (!apic_write(s, addr & 0xff0, val)) {
        apic_set_error(s, APIC_ESR_ILLEGAL_REG);
    }
}

static const MemoryRegionOps apic_page_ops = {
    .read = apic_page_read,
    .write = apic_page_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t apic_msi_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void apic_msi_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    apic_deliver_msi(APIC_MSI_BASE + addr, val);
}

static const MemoryRegionOps apic_msi_ops = {
    .read = apic_msi_read,
    .write = apic_msi_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* IA32_APIC_BASE moved the page: move the one region (all CPUs share it, as in QEMU). */
void apic_base_changed(APICState *s, uint64_t old_base)
{
    uint64_t base = s->cpu->env.apic_base & APIC_BASE_ADDR_MASK;
    if (base != (old_base & APIC_BASE_ADDR_MASK) && apic_mmio_mapped) {
        memory_region_set_address(&apic_page, base);
    }
    if ((old_base & MSR_IA32_APICBASE_ENABLE) && !apic_hw_enabled(s)) {
        /* 10.4.3: disabling resets the APIC to its power-up state (the ID stays). */
        apic_init_reset(&s->parent_obj);
    }
    if (apic_x2apic_mode(s) && !(old_base & MSR_IA32_APICBASE_EXTD)) {
        /* 10.12.10.2: the x2APIC logical ID derives from the x2APIC ID. */
        s->id = s->cpu->apic_id;
        s->ldr = ((s->id >> 4) << 16) | (1u << (s->id & 0xf));
    }
    apic_update_irq(s);
}

static void apic_mmio_map(void)
{
    if (apic_mmio_mapped) {
        return;
    }
    apic_mmio_mapped = true;
    memory_region_init_io(&apic_page, NULL, &apic_page_ops, NULL, "apic", APIC_PAGE_SIZE);
    memory_region_init_io(&apic_msi, NULL, &apic_msi_ops, NULL, "apic-msi", APIC_MSI_SIZE);
    memory_region_add_subregion_overlap(get_system_memory(), APIC_DEFAULT_ADDRESS, &apic_page, 2);
    memory_region_add_subregion_overlap(get_system_memory(), APIC_MSI_BASE, &apic_msi, 1);
}

/* ---- Device ---------------------------------------------------------------------- */

/* Power-up and INIT state (10.4.7.1), the ID and IA32_APIC_BASE aside. */
void apic_reset_state(APICState *s)
{
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr[0] = s->icr[1] = 0;
    for (int n = 0; n < APIC_LVT_NB; n++) {
        s->lvt[n] = APIC_LVT_MASKED;
    }
    /*
     * The firmware leaves the BSP's LINT0 in ExtINT mode (virtual wire) so
     * that the 8259 works with the APIC enabled; kemu boots kernels without
     * firmware, so it starts that way, as KVM's in-kernel APIC does.
     */
    if (s->cpu->cpu_index == 0) {
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
    }
    s->initial_count = 0;
    s->divide_conf = 0;
    s->tsc_deadline = 0;
    s->extint_pending = false;
    apic_timer_update(s);
    apic_update_irq(s);
}

void apic_init_reset(DeviceState *dev)
{
    APICState *s = APIC(dev);
    apic_reset_state(s);
    if (apic_x2apic_mode(s)) {
        s->ldr = ((s->id >> 4) << 16) | (1u << (s->id & 0xf));
    }
}

static void apic_reset(DeviceState *dev)
{
    APICState *s = APIC(dev);
    s->id = s->cpu->apic_id;
    s->lint_level[1] = false;
    s->hard_raised = true;          /* so the update below clears a stale request */
    apic_reset_state(s);
}

static bool apic_realize(DeviceState *dev, Error **errp)
{
    APICState *s = APIC(dev);
    if (!s->cpu) {
        error_setg(errp, "apic: no CPU (create it with apic_init)");
        return false;
    }
    apic_timer_init(s);
    apic_mmio_map();
    if (!apic_list) {
        apic_list = g_ptr_array_new();
    }
    g_ptr_array_add(apic_list, s);
    s->id = s->cpu->apic_id;
    return true;
}

static void apic_unrealize(DeviceState *dev)
{
    APICState *s = APIC(dev);
    g_ptr_array_remove(apic_list, s);
    apic_timer_free(s);
}

DeviceState *apic_init(X86CPU *cpu, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_APIC);
    APIC(dev)->cpu = cpu;
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    cpu->apic = dev;
    apic_reset(dev);
    return dev;
}

static int apic_post_load(void *opaque, int version_id)
{
    APICState *s = opaque;
    s->divide_conf &= 0xb;
    for (int n = 0; n < APIC_LVT_NB; n++) {
        s->lvt[n] &= lvt_writable[n] | APIC_LVT_DELIVS | APIC_LVT_REMOTE_IRR;
    }
    s->hard_raised = true;
    apic_update_irq(s);
    return 0;
}

static const VMStateField apic_vmstate_fields[] = {
    VMS_FIELD(APICState, id, VMS_U32),
    VMS_FIELD(APICState, tpr, VMS_U8),
    VMS_FIELD(APICState, ldr, VMS_U32),
    VMS_FIELD(APICState, dfr, VMS_U32),
    VMS_FIELD(APICState, svr, VMS_U32),
    VMS_ARRAY(APICState, isr, VMS_U32, 8),
    VMS_ARRAY(APICState, tmr, VMS_U32, 8),
    VMS_ARRAY(APICState, irr, VMS_U32, 8),
    VMS_FIELD(APICState, esr, VMS_U32),
    VMS_FIELD(APICState, esr_pending, VMS_U32),
    VMS_ARRAY(APICState, icr, VMS_U32, 2),
    VMS_ARRAY(APICState, lvt, VMS_U32, APIC_LVT_NB),
    VMS_FIELD(APICState, initial_count, VMS_U32),
    VMS_FIELD(APICState, divide_conf, VMS_U32),
    VMS_FIELD(APICState, count_start, VMS_I64),
    VMS_FIELD(APICState, next_expiry, VMS_I64),
    VMS_FIELD(APICState, tsc_deadline, VMS_U64),
    VMS_FIELD(APICState, timer, VMS_TIMER),
    VMS_ARRAY(APICState, lint_level, VMS_BOOL, 2),
    VMS_FIELD(APICState, extint_pending, VMS_BOOL),
    VMS_END,
};

static const VMStateDescription apic_vmstate = {
    .name = "apic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = apic_vmstate_fields,
    .post_load = apic_post_load,
};

static void apic_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = apic_realize;
    dc->unrealize = apic_unrealize;
    dc->reset = apic_reset;
    dc->vmsd = &apic_vmstate;
    dc->category = "Misc";
}

static const TypeInfo apic_type = {
    .name = TYPE_APIC,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(APICState),
    .desc = "local APIC",
    .class_init = apic_class_init,
};

void apic_register_types(void)
{
    type_register(&apic_type);
}
