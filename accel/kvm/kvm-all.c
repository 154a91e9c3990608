/*
 * -accel kvm: the VM.  Opens /dev/kvm, creates the VM with its in-kernel
 * irqchip and PIT, keeps KVM's memory slots in step with the memory API's
 * flat view, and routes the board's GSI lines to the irqchip.
 * KVM API document: Documentation/virt/kvm/api.rst.
 */
#include "accel/kvm/kvm-int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/core/machine.h"
#include "system/cpus.h"
#include "system/memory.h"
#include "util/log.h"

KVMState kvm_state = { .fd = -1, .vm_fd = -1 };

static char *kernel_irqchip_opt;    /* -accel kvm,kernel-irqchip= */

bool kvm_has_cap(int cap)
{
    return ioctl(kvm_state.vm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

int kvm_cap_value(int cap)
{
    int r = ioctl(kvm_state.vm_fd, KVM_CHECK_EXTENSION, cap);
    return r > 0 ? r : 0;
}

int kvm_vcpu_ioctl(KVMCPU *k, unsigned long req, void *arg)
{
    int r;
    do {
        r = ioctl(k->fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

static int kvm_vm_ioctl(unsigned long req, void *arg)
{
    int r;
    do {
        r = ioctl(kvm_state.vm_fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

/* ---- Memory slots ------------------------------------------------------------ */

/*
 * RAM ranges of the flat view become slots (ROM as read-only slots, whose
 * writes come back as MMIO exits and are ignored by the memory API).  The
 * page-unaligned edges of a range, if any, stay out of the slot and are
 * served by MMIO exits like device memory.
 */
typedef struct KVMSlot {
    bool used;
    uint64_t gpa;
    uint64_t size;
} KVMSlot;

static KVMSlot *slots;
static unsigned nr_slots;
static MemoryListener kvm_memory_listener;

static bool slot_range(const FlatRange *fr, uint64_t *start, uint64_t *size, void **host)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    if (fr->mr->type != MR_RAM || !fr->mr->ram) {
        return false;
    }
    if (fr->readonly && !kvm_state.readonly_mem) {
        return false;
    }
    uint64_t lo = (fr->addr + page - 1) & ~(page - 1);
    uint64_t hi = (fr->addr + fr->size) & ~(page - 1);
    if (hi <= lo) {
        return false;
    }
    uint8_t *ptr = fr->mr->ram + fr->offset + (lo - fr->addr);
    if ((uintptr_t)ptr & (page - 1)) {
        return false;
    }
    *start = lo;
    *size = hi - lo;
    *host = ptr;
    return true;
}

static void kvm_set_slot(unsigned id, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
    struct kvm_userspace_memory_region r = {
        .slot = id,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    int ret = kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &r);
    if (ret < 0) {
        error_report("kvm: cannot %s memory slot at 0x%" PRIx64 " (size 0x%" PRIx64 "): %s",
                     size ? "map" : "unmap", gpa, size, g_strerror(-ret));
    }
}

static void kvm_region_add(MemoryListener *l, const FlatRange *fr)
{
    uint64_t gpa, size;
    void *host;
    if (!slot_range(fr, &gpa, &size, &host)) {
        return;
    }
    for (unsigned i = 0; i < nr_slots; i++) {
        if (!slots[i].used) {
            slots[i] = (KVMSlot){ .used = true, .gpa = gpa, .size = size };
            kvm_set_slot(i, gpa, size, host, fr->readonly);
            return;
        }
    }
    error_report("kvm: no free memory slot for 0x%" PRIx64, gpa);
}

static void kvm_region_del(MemoryListener *l, const FlatRange *fr)
{
    uint64_t gpa, size;
    void *host;
    if (!slot_range(fr, &gpa, &size, &host)) {
        return;
    }
    for (unsigned i = 0; i < nr_slots; i++) {
        if (slots[i].used && slots[i].gpa == gpa && slots[i].size == size) {
            slots[i].used = false;
            kvm_set_slot(i, gpa, 0, NULL, false);
            return;
        }
    }
}

/* ---- The in-kernel irqchip ------------------------------------------------------ */

static void add_route(struct kvm_irq_routing *t, uint32_t gsi, uint32_t chip, uint32_t pin)
{
    struct kvm_irq_routing_entry *e = &t->entries[t->nr++];
    *e = (struct kvm_irq_routing_entry){
        .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = { .irqchip = chip, .pin = pin },
    };
}

/*
 * The board's GSIs as the MADT describes them: GSI n is 8259 input n
 * (n < 16, the cascade input 2 excepted) and IOAPIC pin n, except that
 * GSI 0, the timer, reaches IOAPIC pin 2 (the interrupt source override).
 * KVM's own default would put GSI 0 on pin 0.  MSI routes go after these.
 */
static bool kvm_irqchip_routes_init(Error **errp)
{
    struct kvm_irq_routing *t = g_malloc0(sizeof(*t) + 48 * sizeof(t->entries[0]));
    for (uint32_t gsi = 0; gsi < 24; gsi++) {
        if (gsi < 16 && gsi != 2) {
            add_route(t, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi & 7);
        }
        if (gsi != 2) {
            add_route(t, gsi, KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi);
        }
    }
    int r = kvm_vm_ioctl(KVM_SET_GSI_ROUTING, t);
    g_free(t);
    if (r < 0) {
        error_setg(errp, "failed to initialize kvm: KVM_SET_GSI_ROUTING: %s", g_strerror(-r));
        return false;
    }
    return true;
}

static bool kvm_irqchip_create(Error **errp)
{
    int r = kvm_vm_ioctl(KVM_CREATE_IRQCHIP, NULL);
    if (r < 0) {
        error_setg(errp, "failed to initialize kvm: Could not create kernel irqchip: %s",
                   g_strerror(-r));
        return false;
    }
    if (!kvm_irqchip_routes_init(errp)) {
        return false;
    }
    /* The speaker port 0x61 too, so its channel 2 bits come from the same PIT. */
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    r = kvm_vm_ioctl(KVM_CREATE_PIT2, &pit);
    if (r < 0) {
        error_setg(errp, "failed to initialize kvm: Create kernel PIC irqchip failed: %s",
                   g_strerror(-r));
        return false;
    }
    kvm_state.irqchip = true;
    return true;
}

/*
 * Machine reset: the PICs as after power-on (8259A datasheet: unprogrammed,
 * level-triggered inputs still pending), every IOAPIC pin masked
 * (82093AA, 3.2.4), and the PIT as QEMU's: mode 3, count 0x10000, gate
 * high except channel 2's.  The LAPICs are reset with each vCPU.
 */
static void kvm_irqchip_reset(void)
{
    if (!kvm_state.irqchip) {
        return;
    }
    for (int chip = KVM_IRQCHIP_PIC_MASTER; chip <= KVM_IRQCHIP_IOAPIC; chip++) {
        struct kvm_irqchip c = { .chip_id = chip };
        if (kvm_vm_ioctl(KVM_GET_IRQCHIP, &c) < 0) {
            continue;
        }
        if (chip == KVM_IRQCHIP_IOAPIC) {
            struct kvm_ioapic_state *s = &c.chip.ioapic;
            memset(s, 0, sizeof(*s));
            s->base_address = 0xfec00000;
            for (int i = 0; i < KVM_IOAPIC_NUM_PINS; i++) {
                s->redirtbl[i].fields.mask = 1;
            }
        } else {
            struct kvm_pic_state *s = &c.chip.pic;
            uint8_t elcr = s->elcr, elcr_mask = s->elcr_mask, irr = s->irr & s->elcr;
            memset(s, 0, sizeof(*s));
            s->elcr = elcr;
            s->elcr_mask = elcr_mask;
            s->irr = irr;
        }
        kvm_vm_ioctl(KVM_SET_IRQCHIP, &c);
    }
    struct kvm_pit_state2 pit = { 0 };
    for (int i = 0; i < 3; i++) {
        struct kvm_pit_channel_state *ch = &pit.channels[i];
        ch->mode = 3;
        ch->gate = i != 2;
        ch->rw_mode = ch->read_state = ch->write_state = 3;    /* LSB then MSB */
    }
    kvm_vm_ioctl(KVM_SET_PIT2, &pit);
}

static bool kvm_accel_has_irqchip(void)
{
    return kvm_state.irqchip;
}

static void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    int r = kvm_vm_ioctl(KVM_IRQ_LINE, &l);
    if (r < 0) {
        log_mask(LOG_GUEST_ERROR, "kvm: KVM_IRQ_LINE gsi %d: %s\n", gsi, g_strerror(-r));
    }
}

/* An interrupt message from a device (MSI/MSI-X) to the in-kernel local APICs. */
static void kvm_send_msi(uint64_t addr, uint32_t data)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)addr,
        .address_hi = addr >> 32,
        .data = data,
    };
    int r = kvm_vm_ioctl(KVM_SIGNAL_MSI, &msi);
    if (r < 0) {
        log_mask(LOG_GUEST_ERROR, "kvm: KVM_SIGNAL_MSI 0x%" PRIx64 " <- 0x%x: %s\n",
                 addr, data, g_strerror(-r));
    }
}

/* ---- Init and cleanup --------------------------------------------------------------- */

static bool kvm_parse_opts(Opts *opts, Error **errp)
{
    const char *v = opts_get(opts, "kernel-irqchip");
    g_free(kernel_irqchip_opt);
    kernel_irqchip_opt = g_strdup(v);
    return true;
}

/*
 * kernel-irqchip=on (the default) or off (the board's PIC, IOAPIC, PIT and
 * APICs; kvm-irq-user.c).  split, an in-kernel LAPIC with the board's
 * IOAPIC, is not offered.
 */
static bool kvm_check_irqchip_opt(MachineState *ms, bool *irqchip, Error **errp)
{
    const char *v = kernel_irqchip_opt ? kernel_irqchip_opt : ms->kernel_irqchip;
    if (!v || !strcmp(v, "on") || !strcmp(v, "true")) {
        *irqchip = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false")) {
        *irqchip = false;
        return true;
    }
    if (!strcmp(v, "split")) {
        error_setg(errp, "kernel-irqchip=split is not supported (use on or off)");
        return false;
    }
    error_setg(errp, "Parameter 'kernel-irqchip' expects 'on', 'off' or 'split'");
    return false;
}

static void kvm_close_all(void)
{
    if (kvm_state.vm_fd >= 0) {
        close(kvm_state.vm_fd);
    }
    if (kvm_state.fd >= 0) {
        close(kvm_state.fd);
    }
    g_free(kvm_state.supported_cpuid);
    g_free(kvm_state.msrs);
    g_free(slots);
    slots = NULL;
    nr_slots = 0;
    kvm_state = (KVMState){ .fd = -1, .vm_fd = -1 };
}

static bool kvm_check_smp(MachineState *ms, Error **errp)
{
    int soft = kvm_cap_value(KVM_CAP_NR_VCPUS);
    int hard = kvm_cap_value(KVM_CAP_MAX_VCPUS);
    soft = soft ? soft : 4;
    hard = hard ? hard : soft;
    kvm_state.max_vcpus = hard;
    if (ms->smp.cpus > (unsigned)soft && ms->smp.cpus <= (unsigned)hard) {
        warn_report("Number of SMP cpus requested (%u) exceeds the recommended cpus supported "
                    "by KVM (%d)", ms->smp.cpus, soft);
    }
    if (ms->smp.max_cpus > (unsigned)hard) {
        error_setg(errp, "Number of SMP cpus requested (%u) exceeds the maximum cpus supported "
                   "by KVM (%d)", ms->smp.max_cpus, hard);
        return false;
    }
    return true;
}

static bool kvm_init(MachineState *ms, Error **errp)
{
    const char *dev = g_getenv("KEMU_KVM_DEVICE");     /* tests point it elsewhere */
    if (!dev) {
        dev = "/dev/kvm";
    }
    kvm_state.fd = open(dev, O_RDWR | O_CLOEXEC);
    if (kvm_state.fd < 0) {
        int err = errno;
        error_report("Could not access KVM kernel module: %s", g_strerror(err));
        error_setg(errp, "failed to initialize kvm: %s", g_strerror(err));
        return false;
    }
    int version = ioctl(kvm_state.fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        error_setg(errp, "failed to initialize kvm: kvm version %d not supported (need %d)",
                   version, KVM_API_VERSION);
        goto fail;
    }
    bool irqchip;
    if (!kvm_check_irqchip_opt(ms, &irqchip, errp)) {
        goto fail;
    }
    do {
        kvm_state.vm_fd = ioctl(kvm_state.fd, KVM_CREATE_VM, 0);
    } while (kvm_state.vm_fd < 0 && errno == EINTR);
    if (kvm_state.vm_fd < 0) {
        error_setg_errno(errp, errno, "failed to initialize kvm: ioctl(KVM_CREATE_VM) failed");
        goto fail;
    }
    /* What kemu cannot do without (api.rst, 4.2 and 6). */
    static const struct { int cap; const char *name; } required[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
        { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
        { KVM_CAP_PIT2, "KVM_CAP_PIT2" },
        { KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
        { KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
        { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
        { KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(required); i++) {
        if (!kvm_has_cap(required[i].cap)) {
            error_setg(errp, "failed to initialize kvm: kvm does not support %s",
                       required[i].name);
            goto fail;
        }
    }
    kvm_state.run_size = ioctl(kvm_state.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm_state.run_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "failed to initialize kvm: bad KVM_GET_VCPU_MMAP_SIZE");
        goto fail;
    }
    kvm_state.readonly_mem = kvm_has_cap(KVM_CAP_READONLY_MEM);
    kvm_state.xsave = kvm_has_cap(KVM_CAP_XSAVE);
    kvm_state.xsave_size = MAX(kvm_cap_value(KVM_CAP_XSAVE2), (int)sizeof(struct kvm_xsave));
    kvm_state.xcrs = kvm_has_cap(KVM_CAP_XCRS);
    kvm_state.debugregs = kvm_has_cap(KVM_CAP_DEBUGREGS);
    nr_slots = kvm_cap_value(KVM_CAP_NR_MEMSLOTS);
    nr_slots = nr_slots ? MIN(nr_slots, 512) : 32;
    slots = g_new0(KVMSlot, nr_slots);
    if (!kvm_check_smp(ms, errp)) {
        goto fail;
    }

    /* VMX needs these guest-physical pages for real mode (api.rst 4.48, 4.61). */
    uint64_t identity = KVM_IDENTITY_MAP_ADDR;
    if (kvm_has_cap(KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
        kvm_vm_ioctl(KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0) {
        error_setg_errno(errp, errno, "failed to initialize kvm: KVM_SET_IDENTITY_MAP_ADDR");
        goto fail;
    }
    if (kvm_has_cap(KVM_CAP_SET_TSS_ADDR) &&
        ioctl(kvm_state.vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
        error_setg_errno(errp, errno, "failed to initialize kvm: KVM_SET_TSS_ADDR");
        goto fail;
    }
    if ((irqchip && !kvm_irqchip_create(errp)) || !kvm_cpuid_init(errp) ||
        !kvm_msrs_init(errp)) {
        goto fail;
    }
    kvm_kick_signal_init();
    kvm_memory_listener = (MemoryListener){
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
    };
    memory_listener_register(&kvm_memory_listener, address_space_memory());
    kvm_coalesced_init();
    kvm_eventfd_listeners_register();
    return true;

fail:
    kvm_close_all();
    return false;
}

static void kvm_cleanup(void)
{
    kvm_vcpus_destroy();
    kvm_coalesced_cleanup();
    if (kvm_state.vm_fd >= 0) {
        kvm_eventfd_listeners_unregister();
        memory_listener_unregister(&kvm_memory_listener, address_space_memory());
    }
    kvm_close_all();
    g_free(kernel_irqchip_opt);
    kernel_irqchip_opt = NULL;
}

const AccelOps accel_kvm_ops = {
    .name = "kvm",
    .desc = "Linux KVM",
    .parse_opts = kvm_parse_opts,
    .init = kvm_init,
    .cleanup = kvm_cleanup,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_kick = kvm_vcpu_kick,
    .sync_from = kvm_sync_from,
    .sync_to = kvm_sync_to,
    .reset = kvm_irqchip_reset,
    .has_irqchip = kvm_accel_has_irqchip,
    .set_irq = kvm_set_irq,
    .send_msi = kvm_send_msi,
    .ioeventfd_supported = kvm_ioeventfd_supported,
};
