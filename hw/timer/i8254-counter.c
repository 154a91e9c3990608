/*
 * The 8254's counters: CE and OUT per mode from segments (see
 * i8254-counter.h), and the byte protocol of a counter's port.
 * References are to the Intel 82C54 datasheet (order number 231244).
 */
#include "hw/timer/i8254-counter.h"

#include "hw/timer/i8254.h"
#include "system/timer.h"

#define PIT_NO_TICK INT64_MAX

/* ---- Time ------------------------------------------------------------------ */

int64_t pit_ns_to_tick(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (int64_t)((__int128)ns * PIT_FREQ_HZ / NANOSECONDS_PER_SECOND);
}

int64_t pit_tick_to_ns(int64_t tick)
{
    __int128 ns = ((__int128)tick * NANOSECONDS_PER_SECOND + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
    return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

/* ---- Counting ---------------------------------------------------------------- */

static int pit_mode(const PITChannel *c)
{
    return c->mode > 5 ? c->mode - 4 : c->mode;     /* X10 and X11 */
}

/* Counts CE goes through before it repeats: 2^16 binary, 10^4 BCD. */
static uint32_t pit_modulus(const PITChannel *c)
{
    return c->bcd ? 10000 : 65536;
}

static uint16_t pit_bcd_encode(uint32_t v)
{
    return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10);
}

/* Digits above 9 count with their binary value; the result is taken mod 10^4. */
static uint32_t pit_bcd_decode(uint16_t v)
{
    return ((v >> 12) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15)) % 10000;
}

/* The initial count the CR holds: 0 stands for 2^16 (10^4 in BCD). */
static uint32_t pit_cr_count(const PITChannel *c)
{
    uint32_t v = c->bcd ? pit_bcd_decode(c->cr) : c->cr;
    return v ? v : pit_modulus(c);
}

static const PITSegment *pit_seg_at(const PITChannel *c, int64_t t)
{
    return c->pending && t >= c->next.start ? &c->next : &c->seg;
}

/* Mode 3: the high half is ceil(N/2) ticks, the low half floor(N/2). */
static uint32_t pit_sq_high(uint32_t n)
{
    return (n + 1) / 2;
}

/* Mode 3: position within the cycle, 0 at the start of the high half. */
static uint64_t pit_sq_pos(const PITSegment *g, uint64_t e)
{
    return (e + (g->low_first ? pit_sq_high(g->count) : 0)) % g->count;
}

/* CE (binary) and OUT, e ticks into segment g (e >= 0). */
static void pit_seg_eval(const PITChannel *c, const PITSegment *g, uint64_t e,
                         uint32_t *ce, bool *out)
{
    uint32_t m = pit_modulus(c);
    uint32_t n = g->count;
    uint32_t down = (n + m - (uint32_t)(e % m)) % m;    /* n - e, mod m */

    switch (pit_mode(c)) {
    case 0:     /* out rises at terminal count and stays high */
        *ce = down;
        *out = g->done || e >= n;
        break;
    case 1:     /* one-shot: low from the load until terminal count */
        *ce = down;
        *out = e >= n;
        break;
    case 2: {   /* rate generator: low while CE is 1, reload at 0 */
        uint64_t p = e % n;
        *ce = (n - p) % m;
        *out = p != n - 1;
        break;
    }
    case 3: {   /* square wave: CE counts down by two in each half */
        uint64_t p = pit_sq_pos(g, e);
        uint32_t high = pit_sq_high(n);
        uint64_t k = p < high ? p : p - high;
        *ce = (uint32_t)(((n & ~1u) - 2 * k) % m);
        *out = p < high;
        break;
    }
    default:    /* 4, 5: strobe low for the one tick at terminal count */
        *ce = down;
        *out = g->done || e != n;
        break;
    }
}

/* CE (binary) and OUT during tick t. */
static void pit_eval(const PITChannel *c, int64_t t, uint32_t *ce, bool *out)
{
    if (!c->running) {
        *ce = c->frozen_ce;
        *out = c->frozen_out;
        return;
    }
    const PITSegment *g = pit_seg_at(c, t);
    if (t < g->start) {
        *ce = g->count % pit_modulus(c);
        *out = g->out_before;
        return;
    }
    pit_seg_eval(c, g, t - g->start, ce, out);
}

bool pit_channel_out(const PITChannel *c, int64_t t)
{
    uint32_t ce;
    bool out;
    pit_eval(c, t, &ce, &out);
    return out;
}

/* The first tick after t at which OUT changes within segment g, or -1. */
static int64_t pit_seg_next(const PITChannel *c, const PITSegment *g, int64_t t)
{
    uint32_t ce;
    bool out;

    if (t < g->start) {
        pit_seg_eval(c, g, 0, &ce, &out);
        if (out != g->out_before) {
            return g->start;
        }
        t = g->start;
    }
    uint64_t e = t - g->start;
    uint32_t n = g->count;

    switch (pit_mode(c)) {
    case 0:
    case 1:
        return !g->done && e < n ? g->start + n : -1;
    case 2: {
        if (n < 2) {
            return -1;          /* count 1 is illegal: OUT just stays low */
        }
        uint64_t p = e % n;
        return p < n - 1 ? t + (int64_t)(n - 1 - p) : t + 1;
    }
    case 3: {
        uint32_t high = pit_sq_high(n);
        if (n - high == 0) {
            return -1;          /* count 1: no low half */
        }
        uint64_t p = pit_sq_pos(g, e);
        return p < high ? t + (int64_t)(high - p) : t + (int64_t)(n - p);
    }
    default:
        if (g->done || e > n) {
            return -1;
        }
        return e < n ? g->start + n : g->start + n + 1;
    }
}

/* The first tick after t at which the counter's OUT changes, or -1. */
int64_t pit_channel_next_transition(const PITChannel *c, int64_t t)
{
    if (!c->running) {
        return -1;
    }
    if (c->pending && t < c->next.start) {
        int64_t b = c->next.start;
        int64_t n = pit_seg_next(c, &c->seg, t);
        if (n >= 0 && n < b) {
            return n;
        }
        uint32_t ce;
        bool before, after;
        pit_seg_eval(c, &c->seg, b - 1 - c->seg.start, &ce, &before);
        pit_seg_eval(c, &c->next, 0, &ce, &after);
        return before != after ? b : pit_seg_next(c, &c->next, b);
    }
    return pit_seg_next(c, pit_seg_at(c, t), t);
}

/* Fold a pending reload that has happened by tick t into seg. */
static void pit_commit(PITChannel *c, int64_t t)
{
    if (c->pending && t >= c->next.start) {
        c->seg = c->next;
        c->pending = false;
    }
}

/* Stop counting at tick t; CE and OUT hold their values. */
static void pit_freeze(PITChannel *c, int64_t t)
{
    uint32_t ce;
    bool out;

    pit_commit(c, t);
    if (!c->running) {
        return;
    }
    pit_eval(c, t, &ce, &out);
    c->frozen_ce = ce;
    c->frozen_out = out;
    c->frozen_done = t >= c->seg.start &&
                     (c->seg.done || (uint64_t)(t - c->seg.start) >= c->seg.count);
    if (c->pending) {
        c->pending = false;
        c->load_tick = PIT_NO_TICK;     /* the new count waits for a trigger */
    }
    c->running = false;
}

/* Start a segment loaded from CR at the CLK after tick t. */
static void pit_start(PITChannel *c, int64_t t, uint32_t count, bool out_before)
{
    c->seg = (PITSegment){
        .start = t + 1, .count = count, .out_before = out_before,
    };
    c->pending = false;
    c->running = true;
    if (c->load_tick > t + 1) {
        c->load_tick = t + 1;
    }
}

/*
 * Modes 2 and 3: a new count written while counting is loaded at the end
 * of the current cycle (mode 2) or half-cycle (mode 3).
 */
static void pit_queue_reload(PITChannel *c, int64_t t, uint32_t count)
{
    const PITSegment *g = &c->seg;
    uint64_t e = t - g->start;
    PITSegment next = { .count = count };
    uint32_t ce;

    if (pit_mode(c) == 2) {
        next.start = g->start + (int64_t)((e / g->count + 1) * g->count);
    } else {
        uint32_t high = pit_sq_high(g->count);
        uint64_t p = pit_sq_pos(g, e);
        next.start = t + (int64_t)(p < high ? high - p : g->count - p);
        next.low_first = p < high;
    }
    pit_seg_eval(c, g, next.start - 1 - g->start, &ce, &next.out_before);
    c->next = next;
    c->pending = true;
    c->load_tick = next.start;
}

/* A complete count arrived in CR at tick t. */
static void pit_write_count(PITChannel *c, int64_t t, uint16_t value)
{
    pit_commit(c, t);
    c->cr = value;
    c->armed = true;
    c->load_tick = PIT_NO_TICK;
    uint32_t count = pit_cr_count(c);

    switch (pit_mode(c)) {
    case 0:     /* restarts: OUT low, CE loaded on the next CLK */
    case 4: {
        bool out = pit_mode(c) == 0 ? false : pit_channel_out(c, t);
        pit_start(c, t, count, out);
        if (!c->gate) {     /* loaded, but GATE low holds it */
            pit_freeze(c, t + 1);
        }
        break;
    }
    case 1:
    case 5:
        break;      /* waits for a trigger on GATE */
    default:
        if (c->running && t >= c->seg.start) {
            pit_queue_reload(c, t, count);
        } else if (c->running) {
            c->seg.count = count;       /* CR not transferred yet */
            c->load_tick = c->seg.start;
        } else if (c->gate) {
            pit_start(c, t, count, true);
        } else {
            c->frozen_ce = count % pit_modulus(c);
            c->load_tick = t + 1;
        }
        break;
    }
}

void pit_channel_control(PITChannel *c, int64_t t, uint8_t val)
{
    /* Datasheet: a control word resets the counter's logic; OUT goes to its initial state. */
    pit_freeze(c, t);
    c->rw = (val >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK;
    c->mode = (val >> PIT_CW_M_SHIFT) & PIT_CW_M_MASK;
    c->bcd = val & PIT_CW_BCD;
    c->armed = false;
    c->running = false;
    c->pending = false;
    c->write_msb = false;
    c->read_msb = false;
    c->latch_state = 0;
    c->status_latched = false;
    c->frozen_out = pit_mode(c) != 0;
    c->frozen_done = false;
    c->frozen_ce %= pit_modulus(c);
    c->load_tick = PIT_NO_TICK;
}

void pit_channel_set_gate(PITChannel *c, int64_t t, bool level)
{
    bool rising = level && !c->gate;

    pit_commit(c, t);
    if (level == c->gate) {
        return;
    }
    c->gate = level;
    switch (pit_mode(c)) {
    case 0:     /* GATE low suspends counting */
    case 4:
        if (!level) {
            pit_freeze(c, t);
        } else if (c->armed && !c->running && !(pit_mode(c) == 0 && c->write_msb)) {
            bool done = c->frozen_done;
            pit_start(c, t, c->frozen_ce ? c->frozen_ce : pit_modulus(c), c->frozen_out);
            c->seg.done = done;
        }
        break;
    case 1:     /* a rising edge (re)triggers */
    case 5:
        if (rising && c->armed) {
            pit_start(c, t, pit_cr_count(c), pit_channel_out(c, t));
        }
        break;
    default:    /* 2, 3: low stops counting with OUT high; rising reloads */
        if (!level) {
            pit_freeze(c, t);
            c->frozen_out = true;
        } else if (c->armed) {
            pit_start(c, t, pit_cr_count(c), true);
        }
        break;
    }
}

/* ---- The counter's port --------------------------------------------------- */

static uint16_t pit_read_ce(const PITChannel *c, int64_t t)
{
    uint32_t ce;
    bool out;
    pit_eval(c, t, &ce, &out);
    return c->bcd ? pit_bcd_encode(ce) : ce;
}

void pit_channel_latch_count(PITChannel *c, int64_t t)
{
    if (c->latch_state) {
        return;     /* a second latch before the first is read is ignored */
    }
    c->latch = pit_read_ce(c, t);
    c->latch_state = c->rw;
}

void pit_channel_latch_status(PITChannel *c, int64_t t)
{
    if (c->status_latched) {
        return;
    }
    c->status = (pit_channel_out(c, t) ? PIT_STATUS_OUT : 0) |
                (t < c->load_tick ? PIT_STATUS_NULL_COUNT : 0) |
                c->rw << PIT_CW_RW_SHIFT | c->mode << PIT_CW_M_SHIFT |
                (c->bcd ? PIT_CW_BCD : 0);
    c->status_latched = true;
}

uint8_t pit_channel_read(PITChannel *c, int64_t t)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    switch (c->latch_state) {
    case PIT_RW_LSB:
        c->latch_state = 0;
        return c->latch & 0xff;
    case PIT_RW_MSB:
        c->latch_state = 0;
        return c->latch >> 8;
    case PIT_RW_WORD:
        c->latch_state = PIT_RW_MSB;
        return c->latch & 0xff;
    default:
        break;
    }
    uint16_t ce = pit_read_ce(c, t);
    switch (c->rw) {
    case PIT_RW_LSB:
        return ce & 0xff;
    case PIT_RW_MSB:
        return ce >> 8;
    default:
        c->read_msb = !c->read_msb;
        return c->read_msb ? ce & 0xff : ce >> 8;
    }
}

void pit_channel_write(PITChannel *c, int64_t t, uint8_t val)
{
    switch (c->rw) {
    case PIT_RW_LSB:
        pit_write_count(c, t, val);
        break;
    case PIT_RW_MSB:
        pit_write_count(c, t, val << 8);
        break;
    default:
        if (!c->write_msb) {
            c->write_lsb = val;
            c->write_msb = true;
            if (pit_mode(c) == 0) {
                /* Mode 0: the first byte stops counting and sets OUT low at once. */
                pit_freeze(c, t);
                c->frozen_out = false;
                c->frozen_done = false;
            }
        } else {
            c->write_msb = false;
            pit_write_count(c, t, c->write_lsb | val << 8);
        }
        break;
    }
}

void pit_channel_reset(PITChannel *c, int64_t t, bool gate)
{
    *c = (PITChannel){ .gate = gate };
    pit_channel_control(c, t, PIT_RW_WORD << PIT_CW_RW_SHIFT | 3 << PIT_CW_M_SHIFT);
    pit_write_count(c, t, 0);
}

void pit_channel_sanitize(PITChannel *c)
{
    c->mode &= PIT_CW_M_MASK;
    c->rw = c->rw & PIT_CW_RW_MASK ? c->rw & PIT_CW_RW_MASK : PIT_RW_WORD;
    c->latch_state &= PIT_CW_RW_MASK;
    c->frozen_ce %= pit_modulus(c);
    PITSegment *segs[] = { &c->seg, &c->next };
    for (int j = 0; j < 2; j++) {
        if (segs[j]->count == 0 || segs[j]->count > pit_modulus(c)) {
            segs[j]->count = pit_modulus(c);
        }
        /* Ticks are differenced with the current one: keep them far from overflow. */
        segs[j]->start = CLAMP(segs[j]->start, 0, INT64_MAX / 2);
    }
}

/* ---- VMState ------------------------------------------------------------- */

static const VMStateField pit_segment_fields[] = {
    VMS_FIELD(PITSegment, start, VMS_I64),
    VMS_FIELD(PITSegment, count, VMS_U32),
    VMS_FIELD(PITSegment, done, VMS_BOOL),
    VMS_FIELD(PITSegment, low_first, VMS_BOOL),
    VMS_FIELD(PITSegment, out_before, VMS_BOOL),
    VMS_END,
};

static const VMStateDescription pit_segment_vmsd = {
    .name = "pit-segment", .version_id = 1, .minimum_version_id = 1,
    .fields = pit_segment_fields,
};

static const VMStateField pit_channel_fields[] = {
    VMS_FIELD(PITChannel, mode, VMS_U8),
    VMS_FIELD(PITChannel, rw, VMS_U8),
    VMS_FIELD(PITChannel, bcd, VMS_BOOL),
    VMS_FIELD(PITChannel, gate, VMS_BOOL),
    VMS_FIELD(PITChannel, armed, VMS_BOOL),
    VMS_FIELD(PITChannel, running, VMS_BOOL),
    VMS_FIELD(PITChannel, write_msb, VMS_BOOL),
    VMS_FIELD(PITChannel, read_msb, VMS_BOOL),
    VMS_FIELD(PITChannel, write_lsb, VMS_U8),
    VMS_FIELD(PITChannel, cr, VMS_U16),
    VMS_FIELD(PITChannel, latch_state, VMS_U8),
    VMS_FIELD(PITChannel, latch, VMS_U16),
    VMS_FIELD(PITChannel, status_latched, VMS_BOOL),
    VMS_FIELD(PITChannel, status, VMS_U8),
    VMS_FIELD(PITChannel, frozen_ce, VMS_U16),
    VMS_FIELD(PITChannel, frozen_out, VMS_BOOL),
    VMS_FIELD(PITChannel, frozen_done, VMS_BOOL),
    VMS_FIELD(PITChannel, load_tick, VMS_I64),
    VMS_STRUCT_ARRAY(PITChannel, seg, 1, PITSegment, &pit_segment_vmsd),
    VMS_FIELD(PITChannel, pending, VMS_BOOL),
    VMS_STRUCT_ARRAY(PITChannel, next, 1, PITSegment, &pit_segment_vmsd),
    VMS_END,
};

const VMStateDescription pit_channel_vmsd = {
    .name = "pit-channel", .version_id = 1, .minimum_version_id = 1,
    .fields = pit_channel_fields,
};

