/*
 * Split virtqueues (virtio 1.1, 2.6): the descriptor table, the driver's
 * available ring and the device's used ring in guest memory.
 *
 * A device model pops an element (one descriptor chain: the buffers the
 * driver gave, as host iovecs into guest RAM, readable ones first), does
 * the work, pushes it back with the number of bytes written, and asks
 * virtqueue_need_notify() whether to interrupt the driver.  Everything read
 * from the rings is the guest's and is checked: a chain that loops, leaves
 * RAM, nests indirect tables or mixes the buffer order marks the queue
 * broken — the transport then reports DEVICE_NEEDS_RESET — and kemu goes on.
 *
 * The rings are mapped to host pointers when the driver enables the
 * queue; RAM does not move under a running pc machine.
 */
#ifndef HW_VIRTIO_VIRTQUEUE_H
#define HW_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "system/memory.h"
#include "util/error.h"

/* The largest queue, and the most buffers one element may have. */
#define VIRTQUEUE_MAX_SIZE      1024

#define VRING_DESC_F_NEXT       1
#define VRING_DESC_F_WRITE      2
#define VRING_DESC_F_INDIRECT   4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY  1

typedef struct VirtQueue {
    AddressSpace *as;
    uint16_t num_max;           /* the size the device offers */
    uint16_t num;               /* the size the driver chose */
    hwaddr desc_addr, avail_addr, used_addr;
    bool indirect;              /* VIRTIO_F_INDIRECT_DESC negotiated */
    bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
    bool enabled;
    bool broken;                /* the driver broke the ring; nothing more until reset */
    uint8_t *desc, *avail, *used;   /* host pointers while enabled */
    uint16_t last_avail_idx;    /* the next available entry to take */
    uint16_t used_idx;          /* our copy of used->idx */
    uint16_t signalled_used;    /* used->idx at the last interrupt (event_idx) */
    bool signalled_used_valid;
    unsigned inuse;             /* popped and not yet pushed */
} VirtQueue;

typedef struct VirtQueueElement {
    uint16_t index;             /* the chain's head descriptor */
    unsigned out_num, in_num;   /* device-readable buffers, then device-writable */
    struct iovec *out_sg, *in_sg;
} VirtQueueElement;

void virtqueue_init(VirtQueue *vq, AddressSpace *as, uint16_t num_max);
/* Back to the state after device reset: disabled, sizes and indices cleared. */
void virtqueue_reset(VirtQueue *vq);
/*
 * The driver set vq->num and the three ring addresses and enabled the queue:
 * map the rings.  False (and broken) if the size or an address is invalid.
 */
bool virtqueue_enable(VirtQueue *vq, Error **errp);

/*
 * Take the next available chain: 1 with *elem set (free it with
 * virtqueue_element_free), 0 when the ring is empty, -1 when the queue is
 * (or just became) broken.
 */
int virtqueue_pop(VirtQueue *vq, VirtQueueElement **elem);
/* Return a popped element with len bytes written into its in buffers. */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len);
void virtqueue_element_free(VirtQueueElement *elem);
/* After pushing: whether the driver wants an interrupt now (9.1: event index). */
bool virtqueue_need_notify(VirtQueue *vq);
/* Ask the driver for kicks (enable) or not, while the device is busy anyway. */
void virtqueue_set_notification(VirtQueue *vq, bool enable);
bool virtqueue_is_empty(VirtQueue *vq);

#endif
