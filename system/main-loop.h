/*
 * The main loop: GLib's default context plus kemu's timers and bottom halves.
 * File descriptors are watched with GLib directly (g_unix_fd_add, g_io_add_watch).
 *
 * One global lock (the BQL) protects device and machine state.  The main loop
 * holds it except while polling; vCPU threads take it to touch devices.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include <stdbool.h>
#include <stdint.h>

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

/* Set up the loop (timers, bottom halves, signal handling); takes the BQL. */
void main_loop_init(void);
/* Run until a shutdown request is taken (runstate.h); returns the exit status. */
int main_loop_run(void);
/* One poll of the loop, waiting at most timeout_ms (-1: until something happens). */
void main_loop_iterate(int timeout_ms);
/* Wake a loop blocked in poll, from any thread. */
void main_loop_wakeup(void);
/*
 * A timer got an earlier deadline than any before it: wake the loop if it
 * may be asleep on the old one (called from any thread; a no-op in the main
 * thread, which recomputes its deadline before each poll).
 */
void main_loop_deadline_changed(void);

/* Bottom halves: run once in the main loop, soon after bh_schedule (any thread). */
typedef struct BH BH;
BH *bh_new(void (*cb)(void *opaque), void *opaque);
void bh_schedule(BH *bh);
void bh_cancel(BH *bh);
void bh_delete(BH *bh);

#endif
