/*
 * The transport-independent virtio device (virtio 1.1, 2 and 3): feature
 * negotiation, status, queues, interrupts and the error state.
 */
#include "hw/virtio/virtio.h"

#include <string.h>

#include "util/log.h"

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 uint32_t config_len, unsigned nvqs, uint16_t queue_size,
                 const VirtIODeviceOps *ops, void *opaque)
{
    vdev->name = name;
    vdev->device_id = device_id;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(config_len);
    vdev->nvqs = nvqs;
    vdev->vq = g_new0(VirtQueue, nvqs);
    vdev->queue_vector = g_new(uint16_t, nvqs);
    for (unsigned i = 0; i < nvqs; i++) {
        virtqueue_init(&vdev->vq[i], address_space_memory(), queue_size);
    }
    vdev->ops = ops;
    vdev->opaque = opaque;
    virtio_reset(vdev);
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_free(vdev->config);
    g_free(vdev->vq);
    g_free(vdev->queue_vector);
    vdev->config = NULL;
    vdev->vq = NULL;
    vdev->queue_vector = NULL;
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->guest_features = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        virtqueue_reset(&vdev->vq[i]);
        vdev->queue_vector[i] = VIRTIO_NO_VECTOR;
    }
}

bool virtio_has_feature(uint64_t features, unsigned bit)
{
    return features & (1ull << bit);
}

void virtio_set_features(VirtIODevice *vdev, uint64_t features)
{
    /* 3.1.1: features are fixed once FEATURES_OK is set. */
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return;
    }
    vdev->guest_features = features & vdev->host_features;
}

void virtio_set_status(VirtIODevice *vdev, uint8_t status)
{
    if (!status) {
        virtio_reset(vdev);
        return;
    }
    vdev->status = status;
}

void virtio_queue_enable(VirtIODevice *vdev, unsigned n)
{
    if (n >= vdev->nvqs) {
        return;
    }
    VirtQueue *vq = &vdev->vq[n];
    Error *err = NULL;
    vq->indirect = virtio_has_feature(vdev->guest_features, VIRTIO_F_RING_INDIRECT_DESC);
    vq->event_idx = virtio_has_feature(vdev->guest_features, VIRTIO_F_RING_EVENT_IDX);
    if (!virtqueue_enable(vq, &err)) {
        virtio_error(vdev, error_get_pretty(err));
        error_free(err);
    }
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    if (n >= vdev->nvqs || !vdev->vq[n].enabled || (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
        return;
    }
    vdev->ops->handle_queue(vdev, n);
    if (vdev->vq[n].broken) {
        virtio_error(vdev, "a descriptor chain is malformed");
    }
}

void virtio_notify(VirtIODevice *vdev, unsigned n)
{
    if (n < vdev->nvqs && virtqueue_need_notify(&vdev->vq[n])) {
        vdev->isr |= VIRTIO_ISR_QUEUE;
        vdev->transport.notify(vdev, vdev->queue_vector[n]);
    }
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vdev->config_generation++;
    vdev->isr |= VIRTIO_ISR_CONFIG;
    vdev->transport.notify(vdev, vdev->config_vector);
}

void virtio_error(VirtIODevice *vdev, const char *why)
{
    log_mask(LOG_GUEST_ERROR, "%s: %s: the device needs a reset\n", vdev->name, why);
    if (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET) {
        return;
    }
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    virtio_notify_config(vdev);
}
