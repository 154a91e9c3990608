/*
 * virtio over PCI (virtio 1.1, 4.1): a transitional device — the legacy
 * I/O BAR (BAR0) that older drivers use and the modern interface whose
 * structures vendor capabilities place in a memory BAR (BAR4) — with
 * MSI-X in BAR1 and INTx when MSI-X is off.  Concrete devices
 * (virtio-blk-pci, virtio-net-pci) subclass TYPE_VIRTIO_PCI, set the PCI
 * ids in class_init and call virtio_init() on proxy->vdev in their realize.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"
#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4

/* A queue's doorbell as an eventfd (virtio-pci.c). */
typedef struct VirtIOPCINotifier VirtIOPCINotifier;

typedef struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    VirtIODevice vdev;
    uint32_t nvectors;          /* property "vectors": MSI-X vectors; 0: queues + 1 */
    bool ioeventfd;             /* property "ioeventfd": doorbells as eventfds under KVM */
    VirtIOPCINotifier *notifiers;   /* one per queue */
    MemoryRegion legacy_io, msix_bar, modern_bar;
    MemoryRegion common, isr, device, notify;
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
} VirtIOPCIProxy;

typedef struct VirtIOPCIClass {
    PCIDeviceClass parent_class;
    /* Set up proxy->vdev (virtio_init) and the device model behind it. */
    bool (*realize)(VirtIOPCIProxy *proxy, Error **errp);
    void (*exit)(VirtIOPCIProxy *proxy);
} VirtIOPCIClass;

static inline VirtIOPCIProxy *VIRTIO_PCI(PCIDevice *dev)
{
    return (VirtIOPCIProxy *)object_check(&dev->parent_obj.parent_obj, TYPE_VIRTIO_PCI);
}

static inline VirtIOPCIClass *VIRTIO_PCI_CLASS(ObjectClass *klass)
{
    return (VirtIOPCIClass *)object_class_check(klass, TYPE_VIRTIO_PCI);
}

void virtio_pci_register_types(void);

#endif
