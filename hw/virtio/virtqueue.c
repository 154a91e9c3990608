/*
 * Split virtqueues (virtio 1.1, 2.6).  Layouts in guest memory:
 *   descriptor: addr u64, len u32, flags u16, next u16 (16 bytes)
 *   available:  flags u16, idx u16, ring[num] u16, used_event u16
 *   used:       flags u16, idx u16, ring[num] {id u32, len u32}, avail_event u16
 * all little-endian (legacy devices use the guest's order, also little on x86).
 *
 * The driver runs on a vCPU while the device model runs in the main loop,
 * so index reads and writes are atomic with acquire/release ordering, and
 * the event-index handshake uses full fences (2.6.7.1, 2.6.10.1).
 */
#include "hw/virtio/virtqueue.h"

#include <string.h>

#include "util/bswap.h"
#include "util/log.h"

#define VRING_DESC_SIZE 16

static uint16_t ld16(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static void st16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static uint16_t avail_idx(VirtQueue *vq)
{
    /* Acquire: the ring entries and descriptors before idx are visible. */
    return __atomic_load_n((const uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE);
}

static uint8_t *used_event_ptr(VirtQueue *vq)
{
    return vq->avail + 4 + 2 * vq->num;
}

static uint8_t *avail_event_ptr(VirtQueue *vq)
{
    return vq->used + 4 + 8 * vq->num;
}

void virtqueue_init(VirtQueue *vq, AddressSpace *as, uint16_t num_max)
{
    g_assert(num_max && num_max <= VIRTQUEUE_MAX_SIZE && !(num_max & (num_max - 1)));
    *vq = (VirtQueue){ .as = as, .num_max = num_max, .num = num_max };
}

void virtqueue_reset(VirtQueue *vq)
{
    virtqueue_init(vq, vq->as, vq->num_max);
}

/* A host pointer to len contiguous bytes of guest RAM, or NULL. */
static uint8_t *map_ram(VirtQueue *vq, hwaddr addr, hwaddr len, bool is_write)
{
    hwaddr plen = len;
    if (addr + len < addr) {
        return NULL;
    }
    uint8_t *p = address_space_ram_ptr(vq->as, addr, &plen, is_write);
    return p && plen >= len ? p : NULL;
}

static void virtqueue_break(VirtQueue *vq, const char *why)
{
    log_mask(LOG_GUEST_ERROR, "virtio: queue broken: %s\n", why);
    vq->broken = true;
}

bool virtqueue_enable(VirtQueue *vq, Error **errp)
{
    /* 2.6: sizes are powers of two up to what the device offers; 2.6.2 alignments. */
    if (!vq->num || vq->num > vq->num_max || (vq->num & (vq->num - 1))) {
        error_setg(errp, "virtqueue size %u is not a power of two up to %u",
                   vq->num, vq->num_max);
    } else if ((vq->desc_addr & 15) || (vq->avail_addr & 1) || (vq->used_addr & 3)) {
        error_setg(errp, "virtqueue rings are misaligned");
    } else {
        vq->desc = map_ram(vq, vq->desc_addr, (hwaddr)VRING_DESC_SIZE * vq->num, false);
        vq->avail = map_ram(vq, vq->avail_addr, 6 + 2 * (hwaddr)vq->num, false);
        vq->used = map_ram(vq, vq->used_addr, 6 + 8 * (hwaddr)vq->num, true);
        if (vq->desc && vq->avail && vq->used) {
            vq->enabled = true;
            return true;
        }
        error_setg(errp, "virtqueue rings are not in RAM");
    }
    vq->broken = true;
    return false;
}

bool virtqueue_is_empty(VirtQueue *vq)
{
    return !vq->enabled || vq->broken || avail_idx(vq) == vq->last_avail_idx;
}

void virtqueue_element_free(VirtQueueElement *elem)
{
    if (elem) {
        g_free(elem->out_sg);
        g_free(elem);
    }
}

/* Gathering one chain's buffers (on the stack: 16 KiB). */
typedef struct ChainWalk {
    VirtQueue *vq;
    struct iovec sg[VIRTQUEUE_MAX_SIZE];
    unsigned out, in;
} ChainWalk;

/* Add descriptor (addr, len) as host pieces; false if it leaves RAM or has too many. */
static bool walk_add(ChainWalk *w, uint64_t addr, uint32_t len, bool is_write)
{
    if (!is_write && w->in) {
        virtqueue_break(w->vq, "device-readable buffer after a writable one");
        return false;
    }
    while (len) {
        hwaddr plen = len;
        void *p = addr + len < addr ? NULL :
                  address_space_ram_ptr(w->vq->as, addr, &plen, is_write);
        if (!p) {
            virtqueue_break(w->vq, is_write ? "buffer outside writable RAM"
                                            : "buffer outside RAM");
            return false;
        }
        if (w->out + w->in == VIRTQUEUE_MAX_SIZE) {
            virtqueue_break(w->vq, "too many buffers in one chain");
            return false;
        }
        if (plen > len) {
            plen = len;
        }
        w->sg[w->out + w->in] = (struct iovec){ p, plen };
        if (is_write) {
            w->in++;
        } else {
            w->out++;
        }
        addr += plen;
        len -= plen;
    }
    return true;
}

/* Follow a chain through table (n descriptors) from index i. */
static bool walk_chain(ChainWalk *w, const uint8_t *table, unsigned n, unsigned i,
                       bool indirect_ok)
{
    for (unsigned count = 0;; count++) {
        if (i >= n) {
            virtqueue_break(w->vq, "descriptor index out of range");
            return false;
        }
        if (count == n) {
            virtqueue_break(w->vq, "descriptor chain loops");
            return false;
        }
        const uint8_t *d = table + VRING_DESC_SIZE * i;
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        memcpy(&addr, d, 8);
        memcpy(&len, d + 8, 4);
        memcpy(&flags, d + 12, 2);
        memcpy(&next, d + 14, 2);

        if (flags & VRING_DESC_F_INDIRECT) {
            /* 2.6.5.3.1: only in the main table, alone, and a whole number of descriptors. */
            if (!indirect_ok || !w->vq->indirect || (flags & VRING_DESC_F_NEXT) ||
                !len || len % VRING_DESC_SIZE || len / VRING_DESC_SIZE > VIRTQUEUE_MAX_SIZE) {
                virtqueue_break(w->vq, "invalid indirect descriptor");
                return false;
            }
            const uint8_t *itable = map_ram(w->vq, addr, len, false);
            if (!itable) {
                virtqueue_break(w->vq, "indirect table outside RAM");
                return false;
            }
            return walk_chain(w, itable, len / VRING_DESC_SIZE, 0, false);
        }
        if (!walk_add(w, addr, len, flags & VRING_DESC_F_WRITE)) {
            return false;
        }
        if (!(flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        i = next;
    }
}

int virtqueue_pop(VirtQueue *vq, VirtQueueElement **elem)
{
    *elem = NULL;
    if (vq->broken) {
        return -1;
    }
    if (!vq->enabled) {
        return 0;
    }
    uint16_t avail = avail_idx(vq);
    if (avail == vq->last_avail_idx) {
        return 0;
    }
    /* 2.6.6: the driver never has more than num buffers outstanding. */
    if ((uint16_t)(avail - vq->last_avail_idx) > vq->num) {
        virtqueue_break(vq, "available index ran ahead of the ring");
        return -1;
    }
    uint16_t head = ld16(vq->avail + 4 + 2 * (vq->last_avail_idx % vq->num));

    ChainWalk w = { .vq = vq };
    if (!walk_chain(&w, vq->desc, vq->num, head, true)) {
        return -1;
    }
    vq->last_avail_idx++;
    if (vq->event_idx) {
        /* Kick us again only for buffers after this one (2.6.10). */
        st16(avail_event_ptr(vq), vq->last_avail_idx);
    }

    VirtQueueElement *e = g_new(VirtQueueElement, 1);
    e->index = head;
    e->out_num = w.out;
    e->in_num = w.in;
    e->out_sg = g_memdup2(w.sg, sizeof(struct iovec) * MAX(w.out + w.in, 1u));
    e->in_sg = e->out_sg + w.out;
    vq->inuse++;
    *elem = e;
    return 1;
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len)
{
    if (!vq->enabled || vq->broken) {
        return;
    }
    uint8_t *u = vq->used + 4 + 8 * (vq->used_idx % vq->num);
    st_le32(u, elem->index);
    st_le32(u + 4, len);
    vq->used_idx++;
    /* Release: the entry is visible before the index that publishes it. */
    __atomic_store_n((uint16_t *)(vq->used + 2), vq->used_idx, __ATOMIC_RELEASE);
    if (vq->inuse) {
        vq->inuse--;
    }
}

bool virtqueue_need_notify(VirtQueue *vq)
{
    if (!vq->enabled || vq->broken) {
        return false;
    }
    /* Our used index before the driver's event index or flags (2.6.7.1). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx) {
        return !(ld16(vq->avail) & VRING_AVAIL_F_NO_INTERRUPT);
    }
    uint16_t old = vq->signalled_used, new = vq->used_idx;
    bool valid = vq->signalled_used_valid;
    vq->signalled_used = new;
    vq->signalled_used_valid = true;
    if (!valid) {
        return true;
    }
    /* Interrupt if used_event lies in (old, new]: the driver asked to hear of it. */
    uint16_t event = ld16(used_event_ptr(vq));
    return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

void virtqueue_set_notification(VirtQueue *vq, bool enable)
{
    if (!vq->enabled || vq->broken) {
        return;
    }
    if (vq->event_idx) {
        if (enable) {
            st16(avail_event_ptr(vq), avail_idx(vq));
        }
    } else {
        uint16_t flags = ld16(vq->used);
        st16(vq->used, enable ? flags & ~VRING_USED_F_NO_NOTIFY
                              : flags | VRING_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* The flag before our next look at the ring, so no kick is lost. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
}
