/*
 * -accel kvm: ioeventfds (api.rst 4.59, KVM_IOEVENTFD).  One MemoryListener
 * per address space hands KVM the eventfds devices attach to their regions
 * (memory_region_add_eventfd); a guest write that matches one is completed
 * in the kernel, which signals the eventfd instead of leaving KVM_RUN.  The
 * vCPU goes on at once, and the device's handler runs in the main loop.
 *
 * No irqfds: a device's interrupts are raised from the main loop thread,
 * where KVM_SIGNAL_MSI costs the same one system call as writing an irqfd
 * (docs/architecture.md, "virtio").
 */
#include "accel/kvm/kvm-int.h"

#include <errno.h>
#include <sys/ioctl.h>

#include "system/memory.h"
#include "util/log.h"

static MemoryListener kvm_mmio_listener;    /* address_space_memory() */
static MemoryListener kvm_pio_listener;     /* address_space_io() */
static bool kvm_ioeventfds;                 /* the listeners are registered */

static int kvm_ioeventfd_set(const MemoryRegionIoeventfd *e, bool pio, bool assign)
{
    struct kvm_ioeventfd k = {
        .datamatch = e->match_data ? e->data : 0,
        .addr = e->addr,
        .len = e->size,
        .fd = e->fd,
        .flags = (e->match_data ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
                 (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
                 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };
    int r;

    do {
        r = ioctl(kvm_state.vm_fd, KVM_IOEVENTFD, &k);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
}

static void kvm_eventfd_add(MemoryListener *l, const MemoryRegionIoeventfd *e)
{
    static bool warned;
    bool pio = l == &kvm_pio_listener;
    int r = kvm_ioeventfd_set(e, pio, true);

    /* Not fatal: matching writes then exit to the region's callback as before. */
    if (r < 0 && !warned) {
        warned = true;
        warn_report("kvm: KVM_IOEVENTFD at %s 0x%" PRIx64 ": %s; the device's doorbell "
                    "will exit to kemu", pio ? "port" : "address", e->addr, g_strerror(-r));
    }
}

static void kvm_eventfd_del(MemoryListener *l, const MemoryRegionIoeventfd *e)
{
    /* An eventfd whose add failed is not in KVM: ENOENT, nothing to undo. */
    kvm_ioeventfd_set(e, l == &kvm_pio_listener, false);
}

void kvm_eventfd_listeners_register(void)
{
    if (kvm_ioeventfds || !kvm_has_cap(KVM_CAP_IOEVENTFD)) {
        return;
    }
    kvm_mmio_listener = (MemoryListener){
        .eventfd_add = kvm_eventfd_add,
        .eventfd_del = kvm_eventfd_del,
    };
    kvm_pio_listener = kvm_mmio_listener;
    memory_listener_register(&kvm_mmio_listener, address_space_memory());
    memory_listener_register(&kvm_pio_listener, address_space_io());
    kvm_ioeventfds = true;
}

void kvm_eventfd_listeners_unregister(void)
{
    if (!kvm_ioeventfds) {
        return;
    }
    memory_listener_unregister(&kvm_mmio_listener, address_space_memory());
    memory_listener_unregister(&kvm_pio_listener, address_space_io());
    kvm_ioeventfds = false;
}

bool kvm_ioeventfd_supported(void)
{
    return kvm_ioeventfds;
}
