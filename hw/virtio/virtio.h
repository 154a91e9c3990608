/*
 * A virtio device independent of its transport (virtio 1.1, chapters 2-3):
 * status, feature negotiation, the device configuration space, queues and
 * the interrupt status.  A device model (virtio-blk, virtio-net) fills in
 * the ops and handles its queues; a transport (virtio-pci) owns the
 * registers the driver sees and turns notifications into interrupts.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/virtqueue.h"

/* Device status (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 0x01
#define VIRTIO_CONFIG_S_DRIVER      0x02
#define VIRTIO_CONFIG_S_DRIVER_OK   0x04
#define VIRTIO_CONFIG_S_FEATURES_OK 0x08
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED      0x80

/* Transport and ring feature bits (6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY    24
#define VIRTIO_F_ANY_LAYOUT         27
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE            0x1
#define VIRTIO_ISR_CONFIG           0x2

#define VIRTIO_NO_VECTOR            0xffff

typedef struct VirtIODevice VirtIODevice;

typedef struct VirtIODeviceOps {
    /* Fill vdev->config from the device state (before a driver read). */
    void (*get_config)(VirtIODevice *vdev);
    /* The driver wrote vdev->config. */
    void (*set_config)(VirtIODevice *vdev);
    /* The driver kicked queue n. */
    void (*handle_queue)(VirtIODevice *vdev, unsigned n);
    /* Device reset: drop requests in flight (the queues are reset afterwards). */
    void (*reset)(VirtIODevice *vdev);
} VirtIODeviceOps;

/* What the transport provides. */
typedef struct VirtIOTransport {
    /* Raise an interrupt for an MSI-X vector, or the shared line (INTx) via vdev->isr. */
    void (*notify)(VirtIODevice *vdev, uint16_t vector);
    void *opaque;
} VirtIOTransport;

struct VirtIODevice {
    const char *name;
    uint16_t device_id;         /* 2: block, 1: network (5) */
    uint8_t status;
    uint8_t isr;
    uint8_t config_generation;
    uint64_t host_features;     /* what the device offers */
    uint64_t guest_features;    /* what the driver accepted */
    uint8_t *config;            /* the device-specific configuration space */
    uint32_t config_len;
    unsigned nvqs;
    VirtQueue *vq;
    uint16_t *queue_vector;     /* MSI-X vector per queue */
    uint16_t config_vector;
    const VirtIODeviceOps *ops;
    void *opaque;               /* the device model's state */
    VirtIOTransport transport;
};

/* Set up nvqs queues of up to queue_size entries and config_len bytes of config space. */
void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 uint32_t config_len, unsigned nvqs, uint16_t queue_size,
                 const VirtIODeviceOps *ops, void *opaque);
void virtio_cleanup(VirtIODevice *vdev);
void virtio_reset(VirtIODevice *vdev);

bool virtio_has_feature(uint64_t features, unsigned bit);
/* The driver's feature choice: only offered bits stick. */
void virtio_set_features(VirtIODevice *vdev, uint64_t features);
/* A status write; FEATURES_OK is refused (stays clear) for an invalid feature set. */
void virtio_set_status(VirtIODevice *vdev, uint8_t status);
/* Enable queue n with the addresses the driver wrote; a bad queue breaks the device. */
void virtio_queue_enable(VirtIODevice *vdev, unsigned n);
/* The driver kicked queue n. */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);

/* After pushing to vq: interrupt the driver if it wants one. */
void virtio_notify(VirtIODevice *vdev, unsigned n);
void virtio_notify_config(VirtIODevice *vdev);
/* The driver broke the device's rules: DEVICE_NEEDS_RESET (2.1.1) and a config interrupt. */
void virtio_error(VirtIODevice *vdev, const char *why);

#endif
