/*
 * Clocks and timers.
 *  CLOCK_VIRTUAL: guest time in ns; advances with the host clock while the
 *      VM runs and stands still while it is paused.  Devices use it.
 *  CLOCK_HOST:    the host's monotonic clock in ns; never stops (UI, network
 *      timeouts, the monitor).
 *  CLOCK_WALL:     wall-clock ns since the epoch (the RTC's base).
 * Timers run from the main loop with the global lock held.
 */
#ifndef SYSTEM_TIMER_H
#define SYSTEM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ClockType {
    CLOCK_VIRTUAL,
    CLOCK_HOST,
    CLOCK_WALL,
    CLOCK_MAX,
} ClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL

typedef struct Timer Timer;
typedef void TimerCallback(void *opaque);

int64_t clock_get_ns(ClockType type);

Timer *timer_new(ClockType type, TimerCallback *cb, void *opaque);
void timer_free(Timer *t);
/* Fire at expire_ns on the timer's clock (in the past: at the next check). */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
/* Deadline of a pending timer, -1 if it is not pending. */
int64_t timer_expire_time(const Timer *t);
ClockType timer_clock(const Timer *t);

/* ns until the next timer expires on a running clock; -1 if none, 0 if due. */
int64_t timers_deadline_ns(void);
/* Run every expired timer; true if any ran. */
bool timers_run_expired(void);

/* The virtual clock stops and starts with the VM (called by the run state). */
void clock_virtual_stop(void);
void clock_virtual_start(void);
bool clock_virtual_running(void);

/*
 * For device tests: the virtual clock no longer follows the host; it moves
 * only by clock_virtual_advance(), which runs the timers that fall due, in
 * order, with the clock set to each one's deadline.
 */
void clock_virtual_set_manual(bool manual);
void clock_virtual_advance(int64_t ns);

#endif
