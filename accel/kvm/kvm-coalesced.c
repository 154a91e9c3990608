/*
 * Coalesced MMIO and PIO (api.rst, 4.116 KVM_REGISTER_COALESCED_MMIO and
 * the "coalesced_mmio" ring of section 5): guest writes to ranges a device
 * marked with memory_region_set_coalescing() are queued by KVM in a ring
 * page shared with every vCPU instead of exiting.  The ring is drained in
 * order, under the BQL, before the devices see anything else from a vCPU
 * (after each return from KVM_RUN), so a buffered index write still
 * precedes the data access that follows it.
 */
#include "accel/kvm/kvm-int.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "system/main-loop.h"
#include "system/memory.h"
#include "util/log.h"

static struct kvm_coalesced_mmio_ring *ring;   /* in the first vCPU's kvm_run mapping */
static unsigned ring_entries;
static int ring_page;                          /* page offset of the ring, 0: none */
static bool pio_ok;
static MemoryListener mmio_listener, pio_listener;

/* The part of fr the device wants coalesced, as an absolute range; false if none. */
static bool coalesced_part(const FlatRange *fr, uint64_t *addr, uint64_t *size)
{
    const MemoryRegion *mr = fr->mr;
    if (mr->type != MR_IO || !mr->coalesced_size) {
        return false;
    }
    uint64_t lo = MAX(fr->offset, mr->coalesced_offset);
    uint64_t hi = MIN(fr->offset + fr->size, mr->coalesced_offset + mr->coalesced_size);
    if (hi <= lo || hi - lo > UINT32_MAX) {
        return false;
    }
    *addr = fr->addr + (lo - fr->offset);
    *size = hi - lo;
    return true;
}

static void zone_update(const FlatRange *fr, bool pio, bool add)
{
    uint64_t addr, size;
    if (!coalesced_part(fr, &addr, &size) || (pio && !pio_ok)) {
        return;
    }
    struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = size, .pio = pio };
    if (ioctl(kvm_state.vm_fd, add ? KVM_REGISTER_COALESCED_MMIO :
              KVM_UNREGISTER_COALESCED_MMIO, &z) < 0) {
        log_mask(LOG_UNIMP, "kvm: coalesced %s zone 0x%" PRIx64 "+%" PRIu64 ": %s\n",
                 pio ? "PIO" : "MMIO", addr, size, g_strerror(errno));
    }
}

static void mmio_add(MemoryListener *l, const FlatRange *fr) { zone_update(fr, false, true); }
static void mmio_del(MemoryListener *l, const FlatRange *fr) { zone_update(fr, false, false); }
static void pio_add(MemoryListener *l, const FlatRange *fr) { zone_update(fr, true, true); }
static void pio_del(MemoryListener *l, const FlatRange *fr) { zone_update(fr, true, false); }

void kvm_coalesced_init(void)
{
    ring_page = kvm_cap_value(KVM_CAP_COALESCED_MMIO);
    if (!ring_page) {
        return;
    }
    pio_ok = kvm_has_cap(KVM_CAP_COALESCED_PIO);
    mmio_listener = (MemoryListener){ .region_add = mmio_add, .region_del = mmio_del };
    pio_listener = (MemoryListener){ .region_add = pio_add, .region_del = pio_del };
    memory_listener_register(&mmio_listener, address_space_memory());
    memory_listener_register(&pio_listener, address_space_io());
}

void kvm_coalesced_cleanup(void)
{
    if (ring_page) {
        memory_listener_unregister(&mmio_listener, address_space_memory());
        memory_listener_unregister(&pio_listener, address_space_io());
    }
    ring = NULL;
    ring_page = 0;
}

void kvm_coalesced_vcpu_mapped(struct kvm_run *run)
{
    long page = sysconf(_SC_PAGESIZE);
    if (!ring_page || ring || (long)ring_page * page + page > kvm_state.run_size) {
        return;
    }
    ring_entries = (page - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]);
    ring = (struct kvm_coalesced_mmio_ring *)((uint8_t *)run + ring_page * page);
}

bool kvm_coalesced_pending(void)
{
    return ring && __atomic_load_n(&ring->first, __ATOMIC_RELAXED) !=
                   __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
}

void kvm_coalesced_flush(void)
{
    if (!ring) {
        return;
    }
    uint32_t first = ring->first;
    while (first != __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE)) {
        if (first >= ring_entries) {
            /* Not a ring the kernel wrote: drop what it holds rather than read out of it. */
            __atomic_store_n(&ring->first, __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE),
                             __ATOMIC_RELEASE);
            return;
        }
        const struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
        unsigned len = e->len;
        if (len == 1 || len == 2 || len == 4 || len == 8) {
            uint64_t val = 0;
            memcpy(&val, e->data, len);
            address_space_st(e->pio ? address_space_io() : address_space_memory(),
                             e->phys_addr, val, len, NULL);
        }
        first = (first + 1) % ring_entries;
        __atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
    }
}
