/*
 * The virtio PCI transport (virtio 1.1, 4.1), transitional: legacy
 * registers in I/O BAR0 (4.1.4.8), the modern common, ISR, device and
 * notify structures in memory BAR4 found through vendor capabilities
 * (4.1.4), and the MSI-X table in BAR1.
 */
#include "hw/virtio/virtio-pci.h"

#include <glib-unix.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "accel/accel.h"
#include "hw/pci/msix.h"
#include "util/bswap.h"
#include "util/log.h"

/* Modern structures: one 4 KiB page each in BAR4. */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define MODERN_BAR                  4
#define MODERN_PAGE                 0x1000
#define MODERN_BAR_SIZE             (4 * MODERN_PAGE)
#define NOTIFY_OFF_MULTIPLIER       4
#define LEGACY_BAR                  0
#define MSIX_BAR_NR                 1
#define MSIX_BAR_SIZE               0x1000
#define MSIX_PBA_OFFSET             0x800
#define MSIX_VECTORS_MAX            (MSIX_PBA_OFFSET / PCI_MSIX_ENTRY_SIZE)

/* Common configuration (4.1.4.3). */
#define COMMON_DFSELECT     0x00
#define COMMON_DF           0x04
#define COMMON_GFSELECT     0x08
#define COMMON_GF           0x0c
#define COMMON_MSIX         0x10
#define COMMON_NUMQ         0x12
#define COMMON_STATUS       0x14
#define COMMON_CFGGEN       0x15
#define COMMON_Q_SELECT     0x16
#define COMMON_Q_SIZE       0x18
#define COMMON_Q_MSIX       0x1a
#define COMMON_Q_ENABLE     0x1c
#define COMMON_Q_NOFF       0x1e
#define COMMON_Q_DESCLO     0x20
#define COMMON_Q_DESCHI     0x24
#define COMMON_Q_AVAILLO    0x28
#define COMMON_Q_AVAILHI    0x2c
#define COMMON_Q_USEDLO     0x30
#define COMMON_Q_USEDHI     0x34
#define COMMON_SIZE         0x38

/* Legacy registers (4.1.4.8). */
#define LEGACY_HOST_FEATURES    0x00
#define LEGACY_GUEST_FEATURES   0x04
#define LEGACY_QUEUE_PFN        0x08
#define LEGACY_QUEUE_NUM        0x0c
#define LEGACY_QUEUE_SEL        0x0e
#define LEGACY_QUEUE_NOTIFY     0x10
#define LEGACY_STATUS           0x12
#define LEGACY_ISR              0x13
#define LEGACY_MSIX_CONFIG      0x14    /* only while MSI-X is enabled */
#define LEGACY_MSIX_QUEUE       0x16
#define LEGACY_QUEUE_ALIGN      4096

static VirtIOPCIClass *virtio_pci_get_class(VirtIOPCIProxy *proxy)
{
    return VIRTIO_PCI_CLASS(object_get_class(&proxy->parent_obj.parent_obj.parent_obj));
}

/* ---- Interrupts ---------------------------------------------------------------------- */

static void virtio_pci_notify(VirtIODevice *vdev, uint16_t vector)
{
    VirtIOPCIProxy *proxy = vdev->transport.opaque;
    PCIDevice *pci = &proxy->parent_obj;
    if (msix_enabled(pci)) {
        if (vector != VIRTIO_NO_VECTOR) {
            msix_notify(pci, vector);
        }
    } else {
        pci_set_irq(pci, vdev->isr != 0);
    }
}

/* Reading the ISR acknowledges it (4.1.4.5). */
static uint8_t virtio_pci_read_isr(VirtIOPCIProxy *proxy)
{
    uint8_t isr = proxy->vdev.isr;
    proxy->vdev.isr = 0;
    pci_set_irq(&proxy->parent_obj, 0);
    return isr;
}

/* A vector the driver asks for: NO_VECTOR when it does not exist (4.1.5.1.2). */
static uint16_t virtio_pci_vector(VirtIOPCIProxy *proxy, uint16_t vector)
{
    return vector < proxy->nvectors ? vector : VIRTIO_NO_VECTOR;
}

/* ---- Doorbells as eventfds ------------------------------------------------------------ */

/*
 * Under KVM a queue kick is an exit: the vCPU thread leaves the guest, takes
 * the global lock and runs the queue before it may go on.  With an
 * ioeventfd KVM completes the doorbell write itself and signals an eventfd;
 * the main loop (which holds the global lock while it dispatches) runs the
 * queue while the vCPU goes on.
 *
 * Only where the accelerator takes eventfds (AccelOps.ioeventfd_supported):
 * the memory API never signals them, so under the interpreter, where a kick
 * is a plain function call anyway, the doorbell callbacks stay the only
 * path.  Under KVM they still serve any write KVM did not match (another
 * size, a refused eventfd) and do the same thing as the eventfd handler.
 *
 * Started for the enabled queues once the driver sets DRIVER_OK, on the
 * doorbell of the interface it negotiated: the queue's own address in the
 * notify structure, or the shared legacy QUEUE_NOTIFY port with the queue
 * number as data match.  Stopped when the device resets.
 */
struct VirtIOPCINotifier {
    VirtIOPCIProxy *proxy;
    unsigned queue;
    int fd;                     /* -1 while stopped */
    guint watch;                /* the main loop's watch on fd */
    bool modern;                /* on the notify structure, else the legacy port */
};

static gboolean virtio_pci_notifier_read(gint fd, GIOCondition cond, gpointer opaque)
{
    VirtIOPCINotifier *n = opaque;
    uint64_t kicks;

    if (read(fd, &kicks, sizeof(kicks)) == sizeof(kicks)) {
        virtio_queue_notify(&n->proxy->vdev, n->queue);
    }
    return G_SOURCE_CONTINUE;
}

/* The doorbells are 16-bit writes of the queue number (4.1.4.4, 4.1.4.8). */
static void virtio_pci_notifier_attach(VirtIOPCINotifier *n, bool attach)
{
    MemoryRegion *mr = n->modern ? &n->proxy->notify : &n->proxy->legacy_io;
    hwaddr addr = n->modern ? n->queue * NOTIFY_OFF_MULTIPLIER : LEGACY_QUEUE_NOTIFY;

    if (attach) {
        memory_region_add_eventfd(mr, addr, 2, !n->modern, n->queue, n->fd);
    } else {
        memory_region_del_eventfd(mr, addr, 2, !n->modern, n->queue, n->fd);
    }
}

static void virtio_pci_notifier_start(VirtIOPCINotifier *n, bool modern)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        return;                 /* the doorbell callback goes on working */
    }
    n->fd = fd;
    n->modern = modern;
    n->watch = g_unix_fd_add(fd, G_IO_IN, virtio_pci_notifier_read, n);
    virtio_pci_notifier_attach(n, true);
}

/* With drain set, a kick KVM took before the eventfd left it still runs the queue. */
static void virtio_pci_notifier_stop(VirtIOPCINotifier *n, bool drain)
{
    uint64_t kicks;

    if (n->fd < 0) {
        return;
    }
    virtio_pci_notifier_attach(n, false);
    g_source_remove(n->watch);
    if (read(n->fd, &kicks, sizeof(kicks)) == sizeof(kicks) && drain) {
        virtio_queue_notify(&n->proxy->vdev, n->queue);
    }
    close(n->fd);
    n->fd = -1;
}

static bool virtio_pci_ioeventfd_usable(VirtIOPCIProxy *proxy)
{
    const AccelOps *accel = accel_current();
    return proxy->ioeventfd && accel && accel->ioeventfd_supported &&
           accel->ioeventfd_supported();
}

/* After a status write or a queue enable: an eventfd for each running queue. */
static void virtio_pci_ioeventfd_update(VirtIOPCIProxy *proxy)
{
    VirtIODevice *vdev = &proxy->vdev;
    bool on = (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && virtio_pci_ioeventfd_usable(proxy);
    bool modern = virtio_has_feature(vdev->guest_features, VIRTIO_F_VERSION_1);

    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtIOPCINotifier *n = &proxy->notifiers[i];
        bool want = on && vdev->vq[i].enabled;
        if (n->fd >= 0 && (!want || n->modern != modern)) {
            virtio_pci_notifier_stop(n, true);
        }
        if (want && n->fd < 0) {
            virtio_pci_notifier_start(n, modern);
        }
    }
}

static void virtio_pci_set_status(VirtIOPCIProxy *proxy, uint8_t status)
{
    virtio_set_status(&proxy->vdev, status);
    if (!status) {
        proxy->dfselect = proxy->gfselect = 0;
        proxy->queue_sel = 0;
        pci_set_irq(&proxy->parent_obj, 0);
    }
    virtio_pci_ioeventfd_update(proxy);
}

static VirtQueue *virtio_pci_selected(VirtIOPCIProxy *proxy)
{
    return proxy->queue_sel < proxy->vdev.nvqs ? &proxy->vdev.vq[proxy->queue_sel] : NULL;
}

/* ---- Device configuration, shared by both interfaces ----------------------------------- */

static uint64_t virtio_pci_config_read(VirtIOPCIProxy *proxy, hwaddr addr, unsigned size)
{
    VirtIODevice *vdev = &proxy->vdev;
    if (addr + size > vdev->config_len) {
        return 0;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev);
    }
    return ld_le_n(vdev->config + addr, size);
}

static void virtio_pci_config_write(VirtIOPCIProxy *proxy, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    VirtIODevice *vdev = &proxy->vdev;
    if (addr + size > vdev->config_len) {
        return;
    }
    st_le_n(vdev->config + addr, val, size);
    if (vdev->ops->set_config) {
        vdev->ops->set_config(vdev);
    }
}

/* ---- Modern: common configuration ------------------------------------------------------- */

static uint64_t virtio_pci_common_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = &proxy->vdev;
    VirtQueue *vq = virtio_pci_selected(proxy);

    switch (addr) {
    case COMMON_DFSELECT:
        return proxy->dfselect;
    case COMMON_DF:
        return proxy->dfselect < 2 ? (uint32_t)(vdev->host_features >> (32 * proxy->dfselect)) : 0;
    case COMMON_GFSELECT:
        return proxy->gfselect;
    case COMMON_GF:
        return proxy->gfselect < 2 ? (uint32_t)(vdev->guest_features >> (32 * proxy->gfselect)) : 0;
    case COMMON_MSIX:
        return vdev->config_vector;
    case COMMON_NUMQ:
        return vdev->nvqs;
    case COMMON_STATUS:
        return vdev->status;
    case COMMON_CFGGEN:
        return vdev->config_generation;
    case COMMON_Q_SELECT:
        return proxy->queue_sel;
    case COMMON_Q_SIZE:
        return vq ? vq->num : 0;   /* 0: no such queue (4.1.4.3.2) */
    case COMMON_Q_MSIX:
        return vq ? vdev->queue_vector[proxy->queue_sel] : VIRTIO_NO_VECTOR;
    case COMMON_Q_ENABLE:
        return vq && vq->enabled;
    case COMMON_Q_NOFF:
        return proxy->queue_sel;
    case COMMON_Q_DESCLO: return vq ? (uint32_t)vq->desc_addr : 0;
    case COMMON_Q_DESCHI: return vq ? vq->desc_addr >> 32 : 0;
    case COMMON_Q_AVAILLO: return vq ? (uint32_t)vq->avail_addr : 0;
    case COMMON_Q_AVAILHI: return vq ? vq->avail_addr >> 32 : 0;
    case COMMON_Q_USEDLO: return vq ? (uint32_t)vq->used_addr : 0;
    case COMMON_Q_USEDHI: return vq ? vq->used_addr >> 32 : 0;
    default:
        return 0;
    }
}

static void set_lo(hwaddr *a, uint64_t v)
{
    *a = (*a & ~0xffffffffull) | (uint32_t)v;
}

static void set_hi(hwaddr *a, uint64_t v)
{
    *a = (*a & 0xffffffffull) | v << 32;
}

static void virtio_pci_common_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = &proxy->vdev;
    VirtQueue *vq = virtio_pci_selected(proxy);
    /* 4.1.4.3.2: queue registers do not change while the queue is enabled. */
    bool vq_writable = vq && !vq->enabled;

    switch (addr) {
    case COMMON_DFSELECT:
        proxy->dfselect = val;
        break;
    case COMMON_GFSELECT:
        proxy->gfselect = val;
        break;
    case COMMON_GF:
        if (proxy->gfselect < 2) {
            unsigned shift = 32 * proxy->gfselect;
            uint64_t f = (vdev->guest_features & ~(0xffffffffull << shift)) |
                         (uint64_t)(uint32_t)val << shift;
            virtio_set_features(vdev, f);
        }
        break;
    case COMMON_MSIX:
        vdev->config_vector = virtio_pci_vector(proxy, val);
        break;
    case COMMON_STATUS:
        virtio_pci_set_status(proxy, val);
        break;
    case COMMON_Q_SELECT:
        proxy->queue_sel = val;
        break;
    case COMMON_Q_SIZE:
        if (vq_writable) {
            vq->num = val;
        }
        break;
    case COMMON_Q_MSIX:
        if (vq) {
            vdev->queue_vector[proxy->queue_sel] = virtio_pci_vector(proxy, val);
        }
        break;
    case COMMON_Q_ENABLE:
        if (vq_writable && val == 1) {
            virtio_queue_enable(vdev, proxy->queue_sel);
            virtio_pci_ioeventfd_update(proxy);
        }
        break;
    case COMMON_Q_DESCLO: if (vq_writable) set_lo(&vq->desc_addr, val); break;
    case COMMON_Q_DESCHI: if (vq_writable) set_hi(&vq->desc_addr, val); break;
    case COMMON_Q_AVAILLO: if (vq_writable) set_lo(&vq->avail_addr, val); break;
    case COMMON_Q_AVAILHI: if (vq_writable) set_hi(&vq->avail_addr, val); break;
    case COMMON_Q_USEDLO: if (vq_writable) set_lo(&vq->used_addr, val); break;
    case COMMON_Q_USEDHI: if (vq_writable) set_hi(&vq->used_addr, val); break;
    default:
        log_mask(LOG_GUEST_ERROR, "%s: write to read-only common config 0x%" PRIx64 "\n",
                 vdev->name, (uint64_t)addr);
        break;
    }
}

static const MemoryRegionOps virtio_pci_common_ops = {
    .read = virtio_pci_common_read,
    .write = virtio_pci_common_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t virtio_pci_isr_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == 0 ? virtio_pci_read_isr(opaque) : 0;
}

static void virtio_pci_ignore_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps virtio_pci_isr_ops = {
    .read = virtio_pci_isr_read,
    .write = virtio_pci_ignore_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t virtio_pci_device_read(void *opaque, hwaddr addr, unsigned size)
{
    return virtio_pci_config_read(opaque, addr, size);
}

static void virtio_pci_device_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    virtio_pci_config_write(opaque, addr, val, size);
}

static const MemoryRegionOps virtio_pci_device_ops = {
    .read = virtio_pci_device_read,
    .write = virtio_pci_device_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t virtio_pci_notify_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

/* Queue n's doorbell is at n * NOTIFY_OFF_MULTIPLIER; the value written is the queue. */
static void virtio_pci_notify_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    virtio_queue_notify(&proxy->vdev, addr / NOTIFY_OFF_MULTIPLIER);
}

static const MemoryRegionOps virtio_pci_notify_ops = {
    .read = virtio_pci_notify_read,
    .write = virtio_pci_notify_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- Legacy interface ------------------------------------------------------------------- */

static unsigned virtio_pci_legacy_config_offset(VirtIOPCIProxy *proxy)
{
    return msix_enabled(&proxy->parent_obj) ? 0x18 : 0x14;
}

static uint64_t virtio_pci_legacy_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = &proxy->vdev;
    VirtQueue *vq = virtio_pci_selected(proxy);
    unsigned cfg = virtio_pci_legacy_config_offset(proxy);

    if (addr >= cfg) {
        return virtio_pci_config_read(proxy, addr - cfg, size);
    }
    switch (addr) {
    case LEGACY_HOST_FEATURES:
        return (uint32_t)vdev->host_features;
    case LEGACY_GUEST_FEATURES:
        return (uint32_t)vdev->guest_features;
    case LEGACY_QUEUE_PFN:
        return vq && vq->enabled ? vq->desc_addr / LEGACY_QUEUE_ALIGN : 0;
    case LEGACY_QUEUE_NUM:
        return vq ? vq->num_max : 0;
    case LEGACY_QUEUE_SEL:
        return proxy->queue_sel;
    case LEGACY_STATUS:
        return vdev->status;
    case LEGACY_ISR:
        return virtio_pci_read_isr(proxy);
    case LEGACY_MSIX_CONFIG:
        return vdev->config_vector;
    case LEGACY_MSIX_QUEUE:
        return vq ? vdev->queue_vector[proxy->queue_sel] : VIRTIO_NO_VECTOR;
    default:
        return 0;
    }
}

static void virtio_pci_legacy_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = &proxy->vdev;
    VirtQueue *vq = virtio_pci_selected(proxy);
    unsigned cfg = virtio_pci_legacy_config_offset(proxy);

    if (addr >= cfg) {
        virtio_pci_config_write(proxy, addr - cfg, val, size);
        return;
    }
    switch (addr) {
    case LEGACY_GUEST_FEATURES:
        /* The legacy interface has 32 feature bits and no VERSION_1. */
        virtio_set_features(vdev, (uint32_t)val);
        break;
    case LEGACY_QUEUE_PFN:
        if (!vq) {
            break;
        }
        if (!val) {
            virtqueue_reset(vq);
            virtio_pci_ioeventfd_update(proxy);
            break;
        }
        /* 4.1.4.8: the legacy layout: descriptors, available ring, used ring page-aligned. */
        vq->num = vq->num_max;
        vq->desc_addr = (uint64_t)(uint32_t)val * LEGACY_QUEUE_ALIGN;
        vq->avail_addr = vq->desc_addr + 16ull * vq->num;
        vq->used_addr = (vq->avail_addr + 6 + 2ull * vq->num + LEGACY_QUEUE_ALIGN - 1) &
                        ~(uint64_t)(LEGACY_QUEUE_ALIGN - 1);
        virtio_queue_enable(vdev, proxy->queue_sel);
        virtio_pci_ioeventfd_update(proxy);
        break;
    case LEGACY_QUEUE_SEL:
        proxy->queue_sel = val;
        break;
    case LEGACY_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, (uint16_t)val);
        break;
    case LEGACY_STATUS:
        virtio_pci_set_status(proxy, val);
        break;
    case LEGACY_MSIX_CONFIG:
        vdev->config_vector = virtio_pci_vector(proxy, val);
        break;
    case LEGACY_MSIX_QUEUE:
        if (vq) {
            vdev->queue_vector[proxy->queue_sel] = virtio_pci_vector(proxy, val);
        }
        break;
    default:
        break;
    }
}

static const MemoryRegionOps virtio_pci_legacy_ops = {
    .read = virtio_pci_legacy_read,
    .write = virtio_pci_legacy_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- Realize ---------------------------------------------------------------------------- */

/* A virtio_pci_cap (4.1.4): where one structure lives in which BAR. */
static bool virtio_pci_add_cap(PCIDevice *pci, uint8_t type, uint32_t offset, uint32_t length,
                               Error **errp)
{
    uint8_t len = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 20 : 16;
    int pos = pci_add_capability(pci, PCI_CAP_ID_VNDR, 0, len, errp);
    if (pos < 0) {
        return false;
    }
    pci->config[pos + 2] = len;
    pci->config[pos + 3] = type;
    pci->config[pos + 4] = MODERN_BAR;
    pci_set_long(pci->config + pos + 8, offset);
    pci_set_long(pci->config + pos + 12, length);
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
        pci_set_long(pci->config + pos + 16, NOTIFY_OFF_MULTIPLIER);
    }
    return true;
}

static uint64_t pow2_ceil(uint64_t v)
{
    uint64_t p = 1;
    while (p < v) {
        p <<= 1;
    }
    return p;
}

static bool virtio_pci_realize(PCIDevice *pci, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci);
    VirtIOPCIClass *vpc = virtio_pci_get_class(proxy);
    VirtIODevice *vdev = &proxy->vdev;
    Object *owner = &pci->parent_obj.parent_obj;

    if (!vpc->realize(proxy, errp)) {
        return false;
    }
    proxy->notifiers = g_new0(VirtIOPCINotifier, vdev->nvqs);
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        proxy->notifiers[i] = (VirtIOPCINotifier){ .proxy = proxy, .queue = i, .fd = -1 };
    }
    vdev->transport = (VirtIOTransport){ virtio_pci_notify, proxy };
    vdev->host_features |= 1ull << VIRTIO_F_VERSION_1 |
                           1ull << VIRTIO_F_RING_INDIRECT_DESC |
                           1ull << VIRTIO_F_RING_EVENT_IDX;
    if (!proxy->nvectors) {
        proxy->nvectors = vdev->nvqs + 1;
    }
    if (proxy->nvectors > MSIX_VECTORS_MAX) {
        error_setg(errp, "%s: vectors=%u is more than %u", vdev->name, proxy->nvectors,
                   MSIX_VECTORS_MAX);
        goto fail;
    }
    pci->config[PCI_INTERRUPT_PIN] = 1;

    /* BAR0: legacy registers, then the device configuration. */
    memory_region_init_io(&proxy->legacy_io, owner, &virtio_pci_legacy_ops, proxy,
                          "virtio-pci-legacy", pow2_ceil(0x18 + vdev->config_len));
    pci_register_bar(pci, LEGACY_BAR, PCI_BASE_ADDRESS_SPACE_IO, &proxy->legacy_io);

    /* BAR4: the modern structures, one page each. */
    memory_region_init(&proxy->modern_bar, owner, "virtio-pci", MODERN_BAR_SIZE);
    memory_region_init_io(&proxy->common, owner, &virtio_pci_common_ops, proxy,
                          "virtio-pci-common", MODERN_PAGE);
    memory_region_init_io(&proxy->isr, owner, &virtio_pci_isr_ops, proxy,
                          "virtio-pci-isr", MODERN_PAGE);
    memory_region_init_io(&proxy->device, owner, &virtio_pci_device_ops, proxy,
                          "virtio-pci-device", MODERN_PAGE);
    memory_region_init_io(&proxy->notify, owner, &virtio_pci_notify_ops, proxy,
                          "virtio-pci-notify", MODERN_PAGE);
    memory_region_add_subregion(&proxy->modern_bar, 0 * MODERN_PAGE, &proxy->common);
    memory_region_add_subregion(&proxy->modern_bar, 1 * MODERN_PAGE, &proxy->isr);
    memory_region_add_subregion(&proxy->modern_bar, 2 * MODERN_PAGE, &proxy->device);
    memory_region_add_subregion(&proxy->modern_bar, 3 * MODERN_PAGE, &proxy->notify);
    pci_register_bar(pci, MODERN_BAR, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &proxy->modern_bar);

    /* BAR1: MSI-X. */
    memory_region_init(&proxy->msix_bar, owner, "virtio-pci-msix", MSIX_BAR_SIZE);
    pci_register_bar(pci, MSIX_BAR_NR, 0, &proxy->msix_bar);
    if (!msix_init(pci, 0, proxy->nvectors, &proxy->msix_bar, MSIX_BAR_NR, 0,
                   MSIX_PBA_OFFSET, errp) ||
        !virtio_pci_add_cap(pci, VIRTIO_PCI_CAP_COMMON_CFG, 0, COMMON_SIZE, errp) ||
        !virtio_pci_add_cap(pci, VIRTIO_PCI_CAP_ISR_CFG, MODERN_PAGE, 1, errp) ||
        !virtio_pci_add_cap(pci, VIRTIO_PCI_CAP_DEVICE_CFG, 2 * MODERN_PAGE,
                            MAX(vdev->config_len, 1u), errp) ||
        !virtio_pci_add_cap(pci, VIRTIO_PCI_CAP_NOTIFY_CFG, 3 * MODERN_PAGE,
                            NOTIFY_OFF_MULTIPLIER * vdev->nvqs, errp)) {
        goto fail;
    }
    return true;

fail:
    g_free(proxy->notifiers);
    proxy->notifiers = NULL;
    if (vpc->exit) {
        vpc->exit(proxy);
    }
    virtio_cleanup(vdev);
    return false;
}

static void virtio_pci_exit(PCIDevice *pci)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci);
    VirtIOPCIClass *vpc = virtio_pci_get_class(proxy);
    for (unsigned i = 0; i < proxy->vdev.nvqs; i++) {
        virtio_pci_notifier_stop(&proxy->notifiers[i], false);
    }
    g_free(proxy->notifiers);
    proxy->notifiers = NULL;
    if (vpc->exit) {
        vpc->exit(proxy);
    }
    virtio_cleanup(&proxy->vdev);
    MemoryRegion *subs[] = { &proxy->common, &proxy->isr, &proxy->device, &proxy->notify };
    for (unsigned i = 0; i < G_N_ELEMENTS(subs); i++) {
        memory_region_del_subregion(&proxy->modern_bar, subs[i]);
        memory_region_finalize(subs[i]);
    }
    memory_region_finalize(&proxy->modern_bar);
    memory_region_finalize(&proxy->legacy_io);
    memory_region_finalize(&proxy->msix_bar);
}

static void virtio_pci_reset(DeviceState *dev)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(PCI_DEVICE(dev));
    virtio_pci_set_status(proxy, 0);
    pci_device_reset(&proxy->parent_obj);
}

static const Property virtio_pci_props[] = {
    PROP_UINT32("vectors", VirtIOPCIProxy, nvectors, 0),
    PROP_BOOL("ioeventfd", VirtIOPCIProxy, ioeventfd, true),
    PROP_END,
};

static void virtio_pci_class_init(ObjectClass *klass, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    DEVICE_CLASS(klass)->reset = virtio_pci_reset;
    pc->realize = virtio_pci_realize;
    pc->exit = virtio_pci_exit;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    object_class_set_props(klass, virtio_pci_props);
}

static const TypeInfo virtio_pci_type = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VirtIOPCIProxy),
    .class_size = sizeof(VirtIOPCIClass),
    .abstract = true,
    .class_init = virtio_pci_class_init,
};

void virtio_pci_register_types(void)
{
    type_register(&virtio_pci_type);
}
