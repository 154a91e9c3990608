/*
 * The main loop: GLib's default main context, with one extra GSource that
 * runs kemu's timers and bottom halves, and a poll function that releases
 * the global lock while it sleeps so vCPU threads can take it.
 */
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"

#include <glib-unix.h>
#include <signal.h>

static GMutex bql;
static __thread bool bql_held;
static GThread *main_thread;

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

/* ---- Bottom halves ------------------------------------------------------- */

struct BH {
    void (*cb)(void *opaque);
    void *opaque;
    int scheduled;      /* atomic: set by any thread, cleared by the main loop */
    bool deleted;
};

static GPtrArray *bhs;          /* BH *, touched only by the main thread */
static int bh_any_scheduled;    /* atomic hint: some BH may be scheduled */

BH *bh_new(void (*cb)(void *opaque), void *opaque)
{
    BH *bh = g_new0(BH, 1);
    bh->cb = cb;
    bh->opaque = opaque;
    g_ptr_array_add(bhs, bh);
    return bh;
}

void bh_schedule(BH *bh)
{
    if (!g_atomic_int_exchange(&bh->scheduled, 1)) {
        g_atomic_int_set(&bh_any_scheduled, 1);
        main_loop_wakeup();
    }
}

void bh_cancel(BH *bh)
{
    g_atomic_int_set(&bh->scheduled, 0);
}

void bh_delete(BH *bh)
{
    bh_cancel(bh);
    bh->deleted = true;     /* freed by bh_run_all, which may be iterating */
}

static void bh_run_all(void)
{
    if (!g_atomic_int_exchange(&bh_any_scheduled, 0)) {
        return;
    }
    for (guint i = 0; i < bhs->len; i++) {
        BH *bh = g_ptr_array_index(bhs, i);
        if (!bh->deleted && g_atomic_int_exchange(&bh->scheduled, 0)) {
            bh->cb(bh->opaque);
        }
    }
    for (guint i = bhs->len; i-- > 0;) {
        BH *bh = g_ptr_array_index(bhs, i);
        if (bh->deleted) {
            g_ptr_array_remove_index(bhs, i);
            g_free(bh);
        }
    }
}

/* ---- The GSource for timers and bottom halves ----------------------------- */

static gboolean kemu_source_prepare(GSource *source, gint *timeout)
{
    if (g_atomic_int_get(&bh_any_scheduled)) {
        *timeout = 0;
        return TRUE;
    }
    int64_t ns = timers_deadline_ns();
    if (ns == 0) {
        *timeout = 0;
        return TRUE;
    }
    /* Round up: waking early would only spin. */
    *timeout = ns < 0 ? -1 : (gint)MIN((ns + 999999) / 1000000, G_MAXINT);
    return FALSE;
}

static gboolean kemu_source_check(GSource *source)
{
    return g_atomic_int_get(&bh_any_scheduled) || timers_deadline_ns() == 0;
}

static gboolean kemu_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    bh_run_all();
    timers_run_expired();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs kemu_source_funcs = {
    .prepare = kemu_source_prepare,
    .check = kemu_source_check,
    .dispatch = kemu_source_dispatch,
};

/* Poll without the global lock, so vCPU threads can run device code meanwhile. */
static gint poll_unlocked(GPollFD *fds, guint nfds, gint timeout)
{
    bool held = bql_locked();
    if (held) {
        bql_unlock();
    }
    gint ret = g_poll(fds, nfds, timeout);
    if (held) {
        bql_lock();
    }
    return ret;
}

static gboolean on_signal(gpointer data)
{
    runstate_set_signal(GPOINTER_TO_INT(data));
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

void main_loop_init(void)
{
    if (bhs) {
        return;
    }
    bhs = g_ptr_array_new();
    main_thread = g_thread_self();
    GSource *src = g_source_new(&kemu_source_funcs, sizeof(GSource));
    g_source_set_name(src, "kemu timers and bottom halves");
    g_source_attach(src, NULL);
    g_source_unref(src);
    g_main_context_set_poll_func(NULL, poll_unlocked);

    signal(SIGPIPE, SIG_IGN);   /* a peer that goes away is an error return, not death */
    g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGHUP, on_signal, GINT_TO_POINTER(SIGHUP));
    bql_lock();
}

void main_loop_wakeup(void)
{
    g_main_context_wakeup(NULL);
}

void main_loop_deadline_changed(void)
{
    if (main_thread && g_thread_self() != main_thread) {
        g_main_context_wakeup(NULL);
    }
}

void main_loop_iterate(int timeout_ms)
{
    GMainContext *ctx = g_main_context_default();
    gint max_priority, timeout;

    /* g_main_context_iteration() cannot bound the wait; do its steps by hand. */
    g_main_context_acquire(ctx);
    g_main_context_prepare(ctx, &max_priority);
    GPollFD fds[64];
    gint nfds = g_main_context_query(ctx, max_priority, &timeout, fds, G_N_ELEMENTS(fds));
    GPollFD *pfds = fds;
    if (nfds > (gint)G_N_ELEMENTS(fds)) {
        pfds = g_new(GPollFD, nfds);
        nfds = g_main_context_query(ctx, max_priority, &timeout, pfds, nfds);
    }
    if (timeout_ms >= 0 && (timeout < 0 || timeout > timeout_ms)) {
        timeout = timeout_ms;
    }
    poll_unlocked(pfds, nfds, timeout);
    g_main_context_check(ctx, max_priority, pfds, nfds);
    g_main_context_dispatch(ctx);
    if (pfds != fds) {
        g_free(pfds);
    }
    g_main_context_release(ctx);
}

int main_loop_run(void)
{
    while (!runstate_process_requests()) {
        main_loop_iterate(-1);
    }
    return runstate_exit_status();
}
