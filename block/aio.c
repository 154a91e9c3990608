/*
 * Asynchronous requests: a GLib thread pool runs the synchronous blk_* calls
 * (which serialize per image on bs->lock), and a bottom half delivers the
 * completions in the main loop.  A vCPU thread that submits a request
 * returns at once; the device model finishes the request in its callback.
 */
#include "block/block-int.h"
#include "system/main-loop.h"

#include <errno.h>
#include <string.h>

/* Enough to keep several images busy; requests on one image serialize anyway. */
#define AIO_MAX_THREADS 8

typedef enum {
    AIO_READ,
    AIO_WRITE,
    AIO_FLUSH,
    AIO_DISCARD,
} AioType;

typedef struct BlockAIORequest {
    BlockDriverState *bs;
    AioType type;
    int64_t offset;
    int64_t bytes;
    struct iovec *iov;
    int niov;
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
} BlockAIORequest;

static GThreadPool *aio_pool;
static BH *aio_done_bh;
static GMutex aio_done_lock;
static GCond aio_done_cond;
static GQueue aio_done = G_QUEUE_INIT;   /* finished, callback not yet run */

static void aio_worker(gpointer data, gpointer user_data)
{
    BlockAIORequest *req = data;
    switch (req->type) {
    case AIO_READ:
        req->ret = blk_preadv(req->bs, req->offset, req->iov, req->niov);
        break;
    case AIO_WRITE:
        req->ret = blk_pwritev(req->bs, req->offset, req->iov, req->niov);
        break;
    case AIO_FLUSH:
        req->ret = blk_flush(req->bs);
        break;
    case AIO_DISCARD:
        req->ret = blk_pdiscard(req->bs, req->offset, req->bytes);
        break;
    }
    g_mutex_lock(&aio_done_lock);
    g_queue_push_tail(&aio_done, req);
    g_cond_broadcast(&aio_done_cond);
    g_mutex_unlock(&aio_done_lock);
    bh_schedule(aio_done_bh);
}

/* Run the callbacks of every finished request (main thread). */
static void aio_complete_all(void *opaque)
{
    for (;;) {
        g_mutex_lock(&aio_done_lock);
        BlockAIORequest *req = g_queue_pop_head(&aio_done);
        g_mutex_unlock(&aio_done_lock);
        if (!req) {
            return;
        }
        req->cb(req->opaque, req->ret);
        g_atomic_int_dec_and_test(&req->bs->in_flight);
        g_free(req->iov);
        g_free(req);
    }
}

static void aio_init(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        aio_pool = g_thread_pool_new(aio_worker, NULL, AIO_MAX_THREADS, FALSE, NULL);
        aio_done_bh = bh_new(aio_complete_all, NULL);
        g_once_init_leave(&done, 1);
    }
}

static void aio_submit(BlockDriverState *bs, AioType type, int64_t offset, int64_t bytes,
                       const struct iovec *iov, int niov, BlockCompletionFunc *cb,
                       void *opaque)
{
    aio_init();
    BlockAIORequest *req = g_new0(BlockAIORequest, 1);
    req->bs = bs;
    req->type = type;
    req->offset = offset;
    req->bytes = bytes;
    if (niov > 0) {
        req->iov = g_memdup2(iov, sizeof(*iov) * niov);
        req->niov = niov;
    }
    req->cb = cb;
    req->opaque = opaque;
    g_atomic_int_inc(&bs->in_flight);
    g_thread_pool_push(aio_pool, req, NULL);
}

void blk_aio_preadv(BlockDriverState *bs, int64_t offset, const struct iovec *iov,
                    int niov, BlockCompletionFunc *cb, void *opaque)
{
    aio_submit(bs, AIO_READ, offset, 0, iov, niov, cb, opaque);
}

void blk_aio_pwritev(BlockDriverState *bs, int64_t offset, const struct iovec *iov,
                     int niov, BlockCompletionFunc *cb, void *opaque)
{
    aio_submit(bs, AIO_WRITE, offset, 0, iov, niov, cb, opaque);
}

void blk_aio_pread(BlockDriverState *bs, int64_t offset, void *buf, int64_t bytes,
                   BlockCompletionFunc *cb, void *opaque)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };
    aio_submit(bs, AIO_READ, offset, 0, &iov, 1, cb, opaque);
}

void blk_aio_pwrite(BlockDriverState *bs, int64_t offset, const void *buf, int64_t bytes,
                    BlockCompletionFunc *cb, void *opaque)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };
    aio_submit(bs, AIO_WRITE, offset, 0, &iov, 1, cb, opaque);
}

void blk_aio_flush(BlockDriverState *bs, BlockCompletionFunc *cb, void *opaque)
{
    aio_submit(bs, AIO_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

void blk_aio_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque)
{
    aio_submit(bs, AIO_DISCARD, offset, bytes, NULL, 0, cb, opaque);
}

int blk_in_flight(BlockDriverState *bs)
{
    return g_atomic_int_get(&bs->in_flight);
}

void blk_drain(BlockDriverState *bs)
{
    while (g_atomic_int_get(&bs->in_flight) > 0) {
        g_mutex_lock(&aio_done_lock);
        while (g_queue_is_empty(&aio_done)) {
            g_cond_wait(&aio_done_cond, &aio_done_lock);
        }
        g_mutex_unlock(&aio_done_lock);
        aio_complete_all(NULL);
    }
}
