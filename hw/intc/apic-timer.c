/*
 * The local APIC timer (SDM vol. 3, 10.5.4): one-shot and periodic modes
 * counting down the initial count at the bus clock over the divide
 * configuration, and TSC-deadline mode (10.5.4.1) armed by IA32_TSC_DEADLINE.
 *
 * The bus clock is 1 GHz of CLOCK_VIRTUAL (as QEMU's and KVM's): one tick
 * per nanosecond before the divider.  The interpreter's TSC also counts
 * virtual nanoseconds, plus the CPU's tsc_offset.
 */
#include "hw/intc/apic-internal.h"

/*
 * A periodic timer faster than this fires at this rate instead: a guest
 * programming a count of 1 must not flood the main loop.  The count read
 * back is still exact.
 */
#define APIC_TIMER_MIN_PERIOD_NS 20000

static unsigned apic_timer_mode(const APICState *s)
{
    return (s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_MODE) >> APIC_LVT_TIMER_SHIFT;
}

/* Bus-clock nanoseconds per count: the divide configuration (figure 10-10). */
static int64_t apic_timer_tick_ns(const APICState *s)
{
    unsigned v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);
    return 1ll << ((v + 1) & 7);
}

static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;

    s->next_expiry = -1;
    switch (apic_timer_mode(s)) {
    case APIC_TIMER_TSC_DEADLINE:
        /* 10.5.4.1: the interrupt disarms the timer and clears the MSR. */
        s->tsc_deadline = 0;
        break;
    case APIC_TIMER_PERIODIC:
        apic_timer_update(s);
        break;
    default:
        break;
    }
    apic_local_deliver(s, APIC_LVT_TIMER);
}

void apic_timer_update(APICState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    int64_t expiry = -1;

    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
        if (s->tsc_deadline) {
            int64_t ns = (int64_t)(s->tsc_deadline - s->cpu->env.tsc_offset);
            expiry = MAX(ns, now);
        }
    } else if (s->initial_count) {
        int64_t period = (int64_t)s->initial_count * apic_timer_tick_ns(s);
        int64_t elapsed = now - s->count_start;
        if (apic_timer_mode(s) == APIC_TIMER_PERIODIC) {
            expiry = s->count_start + (elapsed / period + 1) * period;
            expiry = MAX(expiry, now + APIC_TIMER_MIN_PERIOD_NS);
        } else if (elapsed < period) {
            expiry = s->count_start + period;
        }
    }
    s->next_expiry = expiry;
    if (expiry < 0) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, expiry);
    }
}

uint32_t apic_timer_current_count(APICState *s)
{
    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE || !s->initial_count) {
        return 0;
    }
    int64_t elapsed = (clock_get_ns(CLOCK_VIRTUAL) - s->count_start) / apic_timer_tick_ns(s);
    if (elapsed < 0) {
        return s->initial_count;
    }
    if (apic_timer_mode(s) == APIC_TIMER_PERIODIC) {
        return s->initial_count - (uint32_t)(elapsed % s->initial_count);
    }
    return elapsed >= s->initial_count ? 0 : s->initial_count - (uint32_t)elapsed;
}

/* Writes outside TSC-deadline mode are ignored (10.5.4.1); 0 disarms. */
void apic_timer_set_deadline(APICState *s, uint64_t tsc)
{
    if (apic_timer_mode(s) != APIC_TIMER_TSC_DEADLINE) {
        return;
    }
    s->tsc_deadline = tsc;
    apic_timer_update(s);
}

uint64_t apic_timer_get_deadline(APICState *s)
{
    return apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
}

void apic_timer_init(APICState *s)
{
    s->timer = timer_new(CLOCK_VIRTUAL, apic_timer_cb, s);
    s->next_expiry = -1;
}

void apic_timer_free(APICState *s)
{
    timer_free(s->timer);
    s->timer = NULL;
}
