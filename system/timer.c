/*
 * Clocks and timer lists.  Each clock keeps its pending timers in a list
 * sorted by deadline; the main loop polls with the nearest deadline as its
 * timeout and runs what has expired.
 *
 * The virtual clock is host time minus an offset while the VM runs, frozen
 * while it is paused.  vCPU threads read it without the global lock (the TSC,
 * the APIC timer), so its two words are published under a sequence counter.
 */
#include "system/timer.h"
#include "system/main-loop.h"

#include <glib.h>
#include <time.h>

struct Timer {
    ClockType type;
    TimerCallback *cb;
    void *opaque;
    int64_t expire;
    bool pending;
    Timer *next;
};

static Timer *active_timers[CLOCK_MAX];

/* Virtual clock state: written by the main thread under the BQL. */
static volatile unsigned vclock_seq;
static int64_t vclock_offset;   /* host - virtual, while running */
static int64_t vclock_frozen;   /* the value while stopped */
static bool vclock_running;
static bool vclock_manual;

static int64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

static int64_t vclock_read(void)
{
    unsigned seq;
    int64_t val;
    do {
        seq = __atomic_load_n(&vclock_seq, __ATOMIC_ACQUIRE);
        if (vclock_running) {
            val = host_ns() - __atomic_load_n(&vclock_offset, __ATOMIC_RELAXED);
        } else {
            val = __atomic_load_n(&vclock_frozen, __ATOMIC_RELAXED);
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((seq & 1) || seq != __atomic_load_n(&vclock_seq, __ATOMIC_RELAXED));
    return val;
}

static void vclock_write_begin(void)
{
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void vclock_write_end(void)
{
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELEASE);
}

int64_t clock_get_ns(ClockType type)
{
    switch (type) {
    case CLOCK_VIRTUAL:
        return vclock_read();
    case CLOCK_HOST:
        return host_ns();
    case CLOCK_WALL:
    default: {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
    }
    }
}

void clock_virtual_stop(void)
{
    if (!vclock_running || vclock_manual) {
        return;
    }
    int64_t now = vclock_read();
    vclock_write_begin();
    vclock_frozen = now;
    vclock_running = false;
    vclock_write_end();
}

void clock_virtual_start(void)
{
    if (vclock_running || vclock_manual) {
        return;
    }
    vclock_write_begin();
    vclock_offset = host_ns() - vclock_frozen;
    vclock_running = true;
    vclock_write_end();
}

bool clock_virtual_running(void)
{
    return vclock_running;
}

void clock_virtual_set_manual(bool manual)
{
    int64_t now = vclock_read();
    vclock_write_begin();
    vclock_manual = manual;
    vclock_running = false;
    vclock_frozen = now;
    vclock_write_end();
}

Timer *timer_new(ClockType type, TimerCallback *cb, void *opaque)
{
    g_assert(type < CLOCK_MAX);
    Timer *t = g_new0(Timer, 1);
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    t->expire = -1;
    return t;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

void timer_del(Timer *t)
{
    if (!t->pending) {
        return;
    }
    for (Timer **p = &active_timers[t->type]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->pending = false;
    t->next = NULL;
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire = expire_ns;
    t->pending = true;
    Timer **p = &active_timers[t->type];
    while (*p && (*p)->expire <= expire_ns) {
        p = &(*p)->next;
    }
    t->next = *p;
    *p = t;
    /*
     * A device programmed from a vCPU thread may want an event sooner than
     * the deadline the main loop sleeps on: without a wakeup it would fire
     * only when something else woke the loop.
     */
    if (active_timers[t->type] == t) {
        main_loop_deadline_changed();
    }
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

int64_t timer_expire_time(const Timer *t)
{
    return t->pending ? t->expire : -1;
}

ClockType timer_clock(const Timer *t)
{
    return t->type;
}

static bool clock_enabled(ClockType type)
{
    return type != CLOCK_VIRTUAL || vclock_running;
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;
    for (int c = 0; c < CLOCK_MAX; c++) {
        Timer *t = active_timers[c];
        if (!t || !clock_enabled(c)) {
            continue;
        }
        int64_t delta = t->expire - clock_get_ns(c);
        if (delta < 0) {
            delta = 0;
        }
        if (best < 0 || delta < best) {
            best = delta;
        }
    }
    return best;
}

/* Pop and run the head of clock c if it expired by now. */
static bool timer_run_one(ClockType c, int64_t now)
{
    Timer *t = active_timers[c];
    if (!t || t->expire > now) {
        return false;
    }
    active_timers[c] = t->next;
    t->next = NULL;
    t->pending = false;
    t->cb(t->opaque);   /* may re-arm t or change other timers */
    return true;
}

bool timers_run_expired(void)
{
    bool ran = false;
    for (int c = 0; c < CLOCK_MAX; c++) {
        if (!clock_enabled(c)) {
            continue;
        }
        int64_t now = clock_get_ns(c);
        while (timer_run_one(c, now)) {
            ran = true;
        }
    }
    return ran;
}

/* Tests only: single-threaded, so the sequence counter is not needed. */
void clock_virtual_advance(int64_t ns)
{
    g_assert(vclock_manual);
    int64_t target = vclock_frozen + ns;
    for (;;) {
        Timer *t = active_timers[CLOCK_VIRTUAL];
        if (!t || t->expire > target) {
            break;
        }
        if (t->expire > vclock_frozen) {
            vclock_frozen = t->expire;
        }
        timer_run_one(CLOCK_VIRTUAL, vclock_frozen);
    }
    vclock_frozen = target;
}
