/*
 * High Precision Event Timer, after the IA-PC HPET specification 1.0a.
 *
 * The main counter is not stored while it runs: it is the 10 ns ticks of
 * CLOCK_VIRTUAL plus an offset fixed when ENABLE_CNF was set.  Each
 * comparator arms a CLOCK_VIRTUAL timer at the tick its next event falls on
 * (a match, or in 32-bit one-shot mode also the wrap of the low 32 bits) and
 * re-arms from that tick, so a late host timer loses no event.  The routing
 * of interrupt lines is described in hpet.h.
 */
#include "hw/timer/hpet.h"

#include "migration/vmstate.h"
#include "system/memory.h"
#include "system/timer.h"
#include "util/log.h"

/* Register offsets (spec: "Register Definition") */
#define HPET_GCAP_ID 0x000
#define HPET_GEN_CONF 0x010
#define HPET_GINTR_STA 0x020
#define HPET_MAIN_CNT 0x0f0
#define HPET_TIMER_BASE 0x100
#define HPET_TIMER_STRIDE 0x20
#define HPET_TN_CONF 0x00               /* within a timer's block */
#define HPET_TN_COMP 0x08
#define HPET_TN_FSB_ROUTE 0x10

/* General Capabilities and ID Register */
#define HPET_CAP_REV_ID 0x01
#define HPET_CAP_NUM_TIM_SHIFT 8
#define HPET_CAP_COUNT_SIZE (1u << 13)   /* 64-bit main counter */
#define HPET_CAP_LEG_RT (1u << 15)
#define HPET_CAP_VENDOR_SHIFT 16
#define HPET_CAP_CLK_PERIOD_SHIFT 32
#define HPET_VENDOR_INTEL 0x8086u
#define HPET_PERIOD_FS 10000000u        /* 10 ns, in femtoseconds */
#define HPET_NS_PER_TICK 10

/* General Configuration Register */
#define HPET_CONF_ENABLE 0x1
#define HPET_CONF_LEG_RT 0x2
#define HPET_CONF_WRITABLE (HPET_CONF_ENABLE | HPET_CONF_LEG_RT)

/* Timer N Configuration and Capabilities Register */
#define HPET_TN_INT_TYPE (1u << 1)       /* 1: level triggered */
#define HPET_TN_INT_ENB (1u << 2)
#define HPET_TN_TYPE (1u << 3)           /* 1: periodic */
#define HPET_TN_PER_INT_CAP (1u << 4)
#define HPET_TN_SIZE_CAP (1u << 5)       /* 64-bit comparator */
#define HPET_TN_VAL_SET (1u << 6)
#define HPET_TN_32MODE (1u << 8)
#define HPET_TN_INT_ROUTE_SHIFT 9
#define HPET_TN_INT_ROUTE_MASK (0x1fu << HPET_TN_INT_ROUTE_SHIFT)
#define HPET_TN_FSB_EN (1u << 14)        /* read-only 0: no FSB delivery */
#define HPET_TN_FSB_INT_DEL_CAP (1u << 15)
#define HPET_TN_INT_ROUTE_CAP_SHIFT 32

#define HPET_RTC_LINE HPET_LEGACY_TIMER1_LINE

typedef struct HPETTimer {
    HPETState *s;
    unsigned index;
    uint64_t config;
    uint64_t cmp;           /* the comparator (the next match in periodic mode) */
    uint64_t period;        /* the last value written: the periodic increment */
    int64_t fire_ns;        /* when timer fires: a tick boundary */
    Timer *timer;
} HPETTimer;

struct HPETState {
    DeviceState parent_obj;
    MemoryRegion mmio;
    uint64_t base;
    uint32_t intcap;        /* Tn_INT_ROUTE_CAP of every timer */
    Object *pit;            /* link: the isa-pit whose IRQ 0 legacy mode takes */
    IRQLine *irqs[HPET_NUM_IRQ_LINES];
    IRQLine *rtc_in;
    uint64_t config;
    uint64_t isr;           /* General Interrupt Status */
    uint64_t counter;       /* the main counter while halted */
    uint64_t offset;        /* while running: counter = ns / 10 + offset */
    bool rtc_level;
    bool line_level[HPET_NUM_IRQ_LINES];
    HPETTimer timers[HPET_NUM_TIMERS];
};

static bool hpet_enabled(const HPETState *s)
{
    return s->config & HPET_CONF_ENABLE;
}

static uint64_t hpet_counter_at(const HPETState *s, int64_t ns)
{
    return hpet_enabled(s) ? (uint64_t)(ns / HPET_NS_PER_TICK) + s->offset : s->counter;
}

static bool hpet_timer_periodic(const HPETTimer *t)
{
    return t->config & HPET_TN_TYPE;
}

static bool hpet_timer_32bit(const HPETTimer *t)
{
    return t->config & HPET_TN_32MODE;
}

static uint64_t hpet_timer_caps(const HPETState *s, unsigned n)
{
    return (uint64_t)s->intcap << HPET_TN_INT_ROUTE_CAP_SHIFT | HPET_TN_SIZE_CAP |
           (n == 0 ? HPET_TN_PER_INT_CAP : 0);
}

static uint64_t hpet_capabilities(void)
{
    return (uint64_t)HPET_PERIOD_FS << HPET_CAP_CLK_PERIOD_SHIFT |
           HPET_VENDOR_INTEL << HPET_CAP_VENDOR_SHIFT | HPET_CAP_LEG_RT |
           HPET_CAP_COUNT_SIZE | (HPET_NUM_TIMERS - 1) << HPET_CAP_NUM_TIM_SHIFT |
           HPET_CAP_REV_ID;
}

/* ---- Interrupts --------------------------------------------------------------- */

/* The output line a timer drives, or -1 (Tn_INT_ROUTE_CNF and the legacy route table). */
static int hpet_timer_line(const HPETState *s, const HPETTimer *t)
{
    if (s->config & HPET_CONF_LEG_RT) {
        if (t->index == 0) {
            return HPET_LEGACY_TIMER0_LINE;
        }
        if (t->index == 1) {
            return HPET_LEGACY_TIMER1_LINE;
        }
    }
    unsigned route = (t->config & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;
    return s->intcap >> route & 1 ? (int)route : -1;
}

/*
 * Drive every line with the OR of what is asserted on it: level-triggered
 * timers with their status bit set (and interrupts enabled), and the RTC
 * on line 8 unless legacy mode took that line.
 */
static void hpet_update_lines(HPETState *s)
{
    bool want[HPET_NUM_IRQ_LINES] = { false };

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        const HPETTimer *t = &s->timers[n];
        if ((t->config & HPET_TN_INT_TYPE) && (t->config & HPET_TN_INT_ENB) &&
            (s->isr & 1u << n) && hpet_enabled(s)) {
            int line = hpet_timer_line(s, t);
            if (line >= 0) {
                want[line] = true;
            }
        }
    }
    if (!(s->config & HPET_CONF_LEG_RT) && s->rtc_level) {
        want[HPET_RTC_LINE] = true;
    }
    for (unsigned l = 0; l < HPET_NUM_IRQ_LINES; l++) {
        if (want[l] != s->line_level[l]) {
            s->line_level[l] = want[l];
            irq_set(s->irqs[l], want[l]);
        }
    }
}

/*
 * A timer event.  Level mode sets the status bit even with Tn_INT_ENB_CNF
 * clear (the spec: the timer still operates and sets its status bit, but
 * causes no interrupt); edge mode sends an edge and leaves the status bit alone.
 */
static void hpet_timer_fire(HPETTimer *t)
{
    HPETState *s = t->s;

    if (t->config & HPET_TN_INT_TYPE) {
        s->isr |= 1u << t->index;
        hpet_update_lines(s);
        return;
    }
    if (!(t->config & HPET_TN_INT_ENB)) {
        return;
    }
    int line = hpet_timer_line(s, t);
    if (line >= 0 && !s->line_level[line]) {
        irq_pulse(s->irqs[line]);
    }
}

/* ---- Comparators ---------------------------------------------------------------- */

/*
 * Arm t for its first event after the main counter held value c at base_ns.
 * An event is the counter becoming equal to the comparator; a comparator
 * equal to c now has already had its match.
 */
static void hpet_timer_arm(HPETTimer *t, int64_t base_ns, uint64_t c)
{
    uint64_t delta;

    if (!hpet_enabled(t->s)) {
        timer_del(t->timer);
        return;
    }
    if (hpet_timer_32bit(t)) {
        delta = (uint32_t)(t->cmp - c);
        if (delta == 0) {
            delta = 1ull << 32;
        }
        /* Non-periodic mode: a 32-bit timer also interrupts when the counter wraps. */
        uint64_t wrap = (uint32_t)-(uint32_t)c;
        if (wrap == 0) {
            wrap = 1ull << 32;
        }
        if (!hpet_timer_periodic(t) && wrap < delta) {
            delta = wrap;
        }
    } else {
        delta = t->cmp - c;     /* 0: the next match is 2^64 ticks away */
    }
    int64_t base_tick = base_ns / HPET_NS_PER_TICK;
    if (delta == 0 || delta > (uint64_t)(INT64_MAX / HPET_NS_PER_TICK - base_tick)) {
        timer_del(t->timer);
        return;
    }
    t->fire_ns = (base_tick + (int64_t)delta) * HPET_NS_PER_TICK;
    timer_mod(t->timer, t->fire_ns);
}

static void hpet_timer_arm_now(HPETTimer *t)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    hpet_timer_arm(t, now, hpet_counter_at(t->s, now));
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    int64_t at = t->fire_ns;
    uint64_t c = hpet_counter_at(t->s, at);
    bool match = hpet_timer_32bit(t) ? (uint32_t)c == (uint32_t)t->cmp : c == t->cmp;

    hpet_timer_fire(t);
    if (match && hpet_timer_periodic(t)) {
        /* Periodic mode: the comparator advances by the last value written. */
        t->cmp += t->period;
        if (hpet_timer_32bit(t)) {
            t->cmp = (uint32_t)t->cmp;
        }
    }
    hpet_timer_arm(t, at, c);
}

/* Run events that are due but whose host timer has not run yet. */
static void hpet_run_overdue(HPETState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    bool ran;

    do {
        ran = false;
        for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
            HPETTimer *t = &s->timers[n];
            if (timer_pending(t->timer) && timer_expire_time(t->timer) <= now) {
                timer_del(t->timer);
                hpet_timer_cb(t);
                ran = true;
            }
        }
    } while (ran);
}

/* ---- Registers ---------------------------------------------------------------- */

static void hpet_write_config(HPETState *s, uint64_t val)
{
    uint64_t old = s->config;
    uint64_t new = val & HPET_CONF_WRITABLE;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    if (!(old & HPET_CONF_ENABLE) && (new & HPET_CONF_ENABLE)) {
        s->offset = s->counter - (uint64_t)(now / HPET_NS_PER_TICK);
        s->config = new;
        for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
            hpet_timer_arm(&s->timers[n], now, s->counter);
        }
    } else if ((old & HPET_CONF_ENABLE) && !(new & HPET_CONF_ENABLE)) {
        /* Halting freezes the counter and stops all timer interrupts. */
        s->counter = hpet_counter_at(s, now);
        s->config = new;
        for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
            timer_del(s->timers[n].timer);
        }
    } else {
        s->config = new;
    }
    /* On a shared IRQ 0 line one driver lets go before the other takes it. */
    bool leg_changed = (old ^ new) & HPET_CONF_LEG_RT;
    if (leg_changed && (new & HPET_CONF_LEG_RT) && s->pit) {
        pit_set_enabled(PIT(DEVICE(s->pit)), false);
    }
    hpet_update_lines(s);
    if (leg_changed && !(new & HPET_CONF_LEG_RT) && s->pit) {
        pit_set_enabled(PIT(DEVICE(s->pit)), true);
    }
}

static void hpet_write_timer_config(HPETState *s, HPETTimer *t, uint64_t val, uint64_t mask)
{
    uint64_t writable = HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_VAL_SET |
                        HPET_TN_32MODE | HPET_TN_INT_ROUTE_MASK;
    if (t->config & HPET_TN_PER_INT_CAP) {
        writable |= HPET_TN_TYPE;
    }
    mask &= writable;
    uint64_t old = t->config;
    uint64_t new = (old & ~mask) | (val & mask);
    unsigned route = (new & HPET_TN_INT_ROUTE_MASK) >> HPET_TN_INT_ROUTE_SHIFT;

    if ((new ^ old) & HPET_TN_INT_ROUTE_MASK && !(s->intcap >> route & 1)) {
        /* An unsupported route does not stick: it reads back as before. */
        log_mask(LOG_GUEST_ERROR, "hpet: timer %u: interrupt route %u not in capability 0x%x\n",
                 t->index, route, s->intcap);
        new = (new & ~(uint64_t)HPET_TN_INT_ROUTE_MASK) | (old & HPET_TN_INT_ROUTE_MASK);
    }
    if (new & HPET_TN_32MODE) {
        t->cmp = (uint32_t)t->cmp;
        t->period = (uint32_t)t->period;
    }
    if (!(new & HPET_TN_INT_TYPE)) {
        s->isr &= ~(1ull << t->index);      /* edge mode has no status */
    }
    t->config = new;
    hpet_timer_arm_now(t);
    hpet_update_lines(s);
}

/*
 * In periodic mode a write sets the increment, and the comparator itself
 * only with Tn_VAL_SET_CNF; every write clears Tn_VAL_SET_CNF, so a 64-bit
 * comparator set through two 32-bit halves needs it set before each half.
 */
static void hpet_write_timer_cmp(HPETTimer *t, uint64_t val, uint64_t mask)
{
    if (hpet_timer_32bit(t)) {
        mask &= 0xffffffffull;      /* the upper half does not exist */
        if (!mask) {
            return;
        }
    }
    if (!hpet_timer_periodic(t) || (t->config & HPET_TN_VAL_SET)) {
        t->cmp = (t->cmp & ~mask) | (val & mask);
    }
    t->period = (t->period & ~mask) | (val & mask);
    t->config &= ~(uint64_t)HPET_TN_VAL_SET;
    hpet_timer_arm_now(t);
}

static uint64_t hpet_reg_read(HPETState *s, hwaddr reg)
{
    switch (reg) {
    case HPET_GCAP_ID:
        return hpet_capabilities();
    case HPET_GEN_CONF:
        return s->config;
    case HPET_GINTR_STA:
        return s->isr;
    case HPET_MAIN_CNT:
        return hpet_counter_at(s, clock_get_ns(CLOCK_VIRTUAL));
    default:
        break;
    }
    if (reg < HPET_TIMER_BASE || reg >= HPET_TIMER_BASE + HPET_NUM_TIMERS * HPET_TIMER_STRIDE) {
        return 0;   /* reserved */
    }
    HPETTimer *t = &s->timers[(reg - HPET_TIMER_BASE) / HPET_TIMER_STRIDE];
    switch ((reg - HPET_TIMER_BASE) % HPET_TIMER_STRIDE) {
    case HPET_TN_CONF:
        return t->config;
    case HPET_TN_COMP:
        return t->cmp;
    default:
        return 0;   /* FSB route (no FSB delivery) and reserved */
    }
}

/* Write the bits of mask in the 64-bit register at reg. */
static void hpet_reg_write(HPETState *s, hwaddr reg, uint64_t val, uint64_t mask)
{
    switch (reg) {
    case HPET_GEN_CONF:
        hpet_write_config(s, (s->config & ~mask) | (val & mask));
        return;
    case HPET_GINTR_STA: {
        /* Write 1 to clear; only level-triggered timers ever set a bit. */
        s->isr &= ~(val & mask);
        hpet_update_lines(s);
        return;
    }
    case HPET_MAIN_CNT:
        if (hpet_enabled(s)) {
            log_mask(LOG_GUEST_ERROR, "hpet: main counter written while it runs: ignored\n");
            return;
        }
        s->counter = (s->counter & ~mask) | (val & mask);
        return;
    default:
        break;
    }
    if (reg < HPET_TIMER_BASE || reg >= HPET_TIMER_BASE + HPET_NUM_TIMERS * HPET_TIMER_STRIDE) {
        return;     /* capabilities and reserved: read-only */
    }
    HPETTimer *t = &s->timers[(reg - HPET_TIMER_BASE) / HPET_TIMER_STRIDE];
    switch ((reg - HPET_TIMER_BASE) % HPET_TIMER_STRIDE) {
    case HPET_TN_CONF:
        hpet_write_timer_config(s, t, val, mask);
        break;
    case HPET_TN_COMP:
        hpet_write_timer_cmp(t, val, mask);
        break;
    default:
        break;
    }
}

/* 64-bit registers also take 32-bit accesses to either half. */
static uint64_t hpet_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    HPETState *s = opaque;

    hpet_run_overdue(s);
    uint64_t v = hpet_reg_read(s, addr & ~(hwaddr)7);
    return size == 8 ? v : v >> (addr & 4) * 8 & 0xffffffffull;
}

static void hpet_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    HPETState *s = opaque;
    unsigned shift = size == 8 ? 0 : (addr & 4) * 8;
    uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << shift;

    hpet_run_overdue(s);
    hpet_reg_write(s, addr & ~(hwaddr)7, val << shift, mask);
}

static const MemoryRegionOps hpet_mmio_ops = {
    .read = hpet_mmio_read,
    .write = hpet_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ---- API for the board --------------------------------------------------------- */

HPETState *hpet_init(PITState *pit, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_HPET);

    if (pit) {
        /* PITState starts with its Object (through ISADevice and DeviceState). */
        char *path = object_get_path((Object *)pit);
        bool ok = qdev_prop_set(dev, "pit", path, errp);
        g_free(path);
        if (!ok) {
            object_unref(&dev->parent_obj);
            return NULL;
        }
    }
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    return HPET(dev);
}

void hpet_connect_irq(HPETState *s, unsigned n, IRQLine *line)
{
    if (n < HPET_NUM_IRQ_LINES) {
        s->irqs[n] = line;
    }
}

IRQLine *hpet_rtc_irq_in(HPETState *s)
{
    return s->rtc_in;
}

uint32_t hpet_block_id(HPETState *s)
{
    return (uint32_t)hpet_capabilities();
}

static void hpet_rtc_irq_handler(void *opaque, int n, int level)
{
    HPETState *s = opaque;
    s->rtc_level = level != 0;
    hpet_update_lines(s);
}

/* ---- Device --------------------------------------------------------------------- */

static void hpet_reset(DeviceState *dev)
{
    HPETState *s = HPET(dev);

    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        HPETTimer *t = &s->timers[n];
        timer_del(t->timer);
        t->config = hpet_timer_caps(s, n);
        t->cmp = ~0ull;
        t->period = 0;
        t->fire_ns = 0;
    }
    s->config = 0;
    s->isr = 0;
    s->counter = 0;
    s->offset = 0;
    hpet_update_lines(s);
    if (s->pit) {
        pit_set_enabled(PIT(DEVICE(s->pit)), true);
    }
}

static bool hpet_realize(DeviceState *dev, Error **errp)
{
    HPETState *s = HPET(dev);

    if (s->base & (HPET_LEN - 1)) {
        error_setg(errp, "hpet: base 0x%" PRIx64 " is not 1 KiB aligned", s->base);
        return false;
    }
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        HPETTimer *t = &s->timers[n];
        t->s = s;
        t->index = n;
        t->timer = timer_new(CLOCK_VIRTUAL, hpet_timer_cb, t);
    }
    memory_region_init_io(&s->mmio, &dev->parent_obj, &hpet_mmio_ops, s, "hpet", HPET_LEN);
    memory_region_add_subregion(get_system_memory(), s->base, &s->mmio);
    return true;
}

static void hpet_unrealize(DeviceState *dev)
{
    HPETState *s = HPET(dev);

    memory_region_del_subregion(get_system_memory(), &s->mmio);
    memory_region_finalize(&s->mmio);
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        timer_free(s->timers[n].timer);
        s->timers[n].timer = NULL;
    }
}

static void hpet_instance_init(Object *obj)
{
    HPETState *s = HPET(DEVICE(obj));
    s->rtc_in = irq_new_array(hpet_rtc_irq_handler, s, 1);
}

static void hpet_instance_finalize(Object *obj)
{
    HPETState *s = HPET(DEVICE(obj));
    irq_free_array(s->rtc_in);
}

static const VMStateField hpet_timer_fields[] = {
    VMS_FIELD(HPETTimer, config, VMS_U64),
    VMS_FIELD(HPETTimer, cmp, VMS_U64),
    VMS_FIELD(HPETTimer, period, VMS_U64),
    VMS_FIELD(HPETTimer, fire_ns, VMS_I64),
    VMS_FIELD(HPETTimer, timer, VMS_TIMER),
    VMS_END,
};

static const VMStateDescription hpet_timer_vmsd = {
    .name = "hpet-timer", .version_id = 1, .minimum_version_id = 1,
    .fields = hpet_timer_fields,
};

/* Read-only bits come from the capabilities, not from the stream. */
static int hpet_post_load(void *opaque, int version_id)
{
    HPETState *s = opaque;

    s->config &= HPET_CONF_WRITABLE;
    s->isr &= (1u << HPET_NUM_TIMERS) - 1;
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        HPETTimer *t = &s->timers[n];
        uint64_t caps = hpet_timer_caps(s, n);
        uint64_t writable = HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_VAL_SET |
                            HPET_TN_32MODE | HPET_TN_INT_ROUTE_MASK |
                            (caps & HPET_TN_PER_INT_CAP ? HPET_TN_TYPE : 0);
        t->config = caps | (t->config & writable);
        t->fire_ns = MAX(t->fire_ns, 0);
    }
    return 0;
}

static const VMStateField hpet_fields[] = {
    VMS_FIELD(HPETState, config, VMS_U64),
    VMS_FIELD(HPETState, isr, VMS_U64),
    VMS_FIELD(HPETState, counter, VMS_U64),
    VMS_FIELD(HPETState, offset, VMS_U64),
    VMS_FIELD(HPETState, rtc_level, VMS_BOOL),
    VMS_ARRAY(HPETState, line_level, VMS_BOOL, HPET_NUM_IRQ_LINES),
    VMS_STRUCT_ARRAY(HPETState, timers, HPET_NUM_TIMERS, HPETTimer, &hpet_timer_vmsd),
    VMS_END,
};

static const VMStateDescription hpet_vmsd = {
    .name = "hpet", .version_id = 1, .minimum_version_id = 1,
    .fields = hpet_fields, .post_load = hpet_post_load,
};

static const Property hpet_props[] = {
    PROP_UINT64("base", HPETState, base, HPET_BASE),
    PROP_UINT32("intcap", HPETState, intcap, HPET_DEFAULT_INTCAP),
    PROP_LINK("pit", HPETState, pit, TYPE_PIT),
    PROP_END,
};

static void hpet_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->realize = hpet_realize;
    dc->unrealize = hpet_unrealize;
    dc->reset = hpet_reset;
    dc->vmsd = &hpet_vmsd;
    dc->user_creatable = false;     /* part of the PC board */
    object_class_set_props(klass, hpet_props);
}

static const TypeInfo hpet_type = {
    .name = TYPE_HPET,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(HPETState),
    .desc = "High Precision Event Timer",
    .class_init = hpet_class_init,
    .instance_init = hpet_instance_init,
    .instance_finalize = hpet_instance_finalize,
};

void hpet_register_types(void)
{
    type_register(&hpet_type);
}
