/* virtio-blk on PCI: -device virtio-blk-pci,drive=<id>[,serial=][,num-queues=]. */
#ifndef HW_BLOCK_VIRTIO_BLK_H
#define HW_BLOCK_VIRTIO_BLK_H

#include "hw/virtio/virtio-pci.h"

#define TYPE_VIRTIO_BLK_PCI "virtio-blk-pci"
#define VIRTIO_ID_BLOCK     2

void virtio_blk_register_types(void);

#endif
