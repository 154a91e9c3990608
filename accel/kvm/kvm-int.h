/*
 * What the files of accel/kvm/ share: the VM (kvm-all.c), the vCPU threads
 * and their run loop (kvm-cpu.c), register conversion (kvm-regs.c) and
 * CPUID (kvm-cpuid.c).  Nothing outside accel/kvm/ includes this.
 */
#ifndef ACCEL_KVM_KVM_INT_H
#define ACCEL_KVM_KVM_INT_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "accel/accel.h"
#include "target-i386/cpu.h"

/* Guest-physical pages KVM needs on Intel hosts (hw/i386/pc.h reserves them in e820). */
#define KVM_IDENTITY_MAP_ADDR   0xfeffc000u
#define KVM_TSS_ADDR            0xfeffd000u     /* three pages */

/* The MSRs kemu keeps in CPUX86State, plus those reset must clear. */
#define MSR_KVM_WALL_CLOCK      0x00000011
#define MSR_KVM_SYSTEM_TIME     0x00000012
#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_ASYNC_PF_EN     0x4b564d02
#define MSR_KVM_STEAL_TIME      0x4b564d03
#define MSR_KVM_PV_EOI_EN       0x4b564d04

typedef struct KVMState {
    int fd;                     /* /dev/kvm */
    int vm_fd;
    int run_size;               /* mmap size of struct kvm_run */
    bool irqchip;               /* in-kernel PIC, IOAPIC, LAPICs and PIT */
    bool readonly_mem;
    bool xsave;
    bool xcrs;
    bool debugregs;
    size_t xsave_size;          /* bytes of struct kvm_xsave (KVM_CAP_XSAVE2) */
    unsigned max_vcpus;
    struct kvm_cpuid2 *supported_cpuid;
    uint32_t *msrs;             /* the MSRs below that KVM_GET_MSR_INDEX_LIST reports */
    unsigned nr_msrs;
} KVMState;

extern KVMState kvm_state;

/* One vCPU. */
typedef struct KVMCPU {
    X86CPU *cpu;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    int exit_request;           /* atomic: leave KVM_RUN at the next chance */
    struct kvm_xsave *xsave;    /* the last KVM_GET_XSAVE: AVX and later state env lacks */
    bool xsave_fresh;           /* xsave read since the last sync_to */
    /* kernel-irqchip=off: a halted vCPU sleeps on wait_cond until a kick sets woken. */
    GMutex wait_lock;
    GCond wait_cond;
    bool woken;
    uint64_t apic_base;         /* IA32_APIC_BASE as the userspace APIC last saw it */
} KVMCPU;

static inline KVMCPU *kvm_cpu(X86CPU *cpu)
{
    return cpu->accel;
}

/* kvm-all.c */
bool kvm_has_cap(int cap);
/* KVM_CHECK_EXTENSION's value for cap, 0 if absent. */
int kvm_cap_value(int cap);
/* KVM_SET_LAPIC etc. on a vCPU fd, retried on EINTR; -errno on failure. */
int kvm_vcpu_ioctl(KVMCPU *k, unsigned long req, void *arg);

/* kvm-cpu.c */
bool kvm_vcpu_create(X86CPU *cpu, Error **errp);
void kvm_vcpu_kick(X86CPU *cpu);
void kvm_kick_signal_init(void);
void kvm_vcpus_destroy(void);

/* kvm-regs.c */
void kvm_sync_from(X86CPU *cpu);
void kvm_sync_to(X86CPU *cpu);
/* The MSR list to sync (a subset of KVM's index list), built at init. */
bool kvm_msrs_init(Error **errp);

/* kvm-irq-user.c: kernel-irqchip=off */
/* Before KVM_RUN: INIT, SIPI, NMI and INTR injection.  False: the vCPU waits (halted, no SIPI yet). */
bool kvm_user_irq_before_run(KVMCPU *k);
/* After KVM_RUN returned an exit: HLT, CR8 and IA32_APIC_BASE changes. */
void kvm_user_irq_after_run(KVMCPU *k);
/* After a machine reset put the power-on state into the vCPU. */
void kvm_user_irq_reset(KVMCPU *k);

/* kvm-eventfd.c: the memory API's eventfds as KVM ioeventfds (after the VM exists). */
void kvm_eventfd_listeners_register(void);
void kvm_eventfd_listeners_unregister(void);
bool kvm_ioeventfd_supported(void);

/* kvm-coalesced.c: writes KVM buffers for memory_region_set_coalescing() ranges */
void kvm_coalesced_init(void);
void kvm_coalesced_cleanup(void);
/* A vCPU's kvm_run mapping holds the ring; the first one mapped is used. */
void kvm_coalesced_vcpu_mapped(struct kvm_run *run);
/* Writes are waiting (no lock); flush them to the devices with the BQL held. */
bool kvm_coalesced_pending(void);
void kvm_coalesced_flush(void);

/* kvm-cpuid.c */
bool kvm_cpuid_init(Error **errp);
/* Filter cpu's model by what KVM supports and give the vCPU its CPUID table. */
bool kvm_cpuid_setup(KVMCPU *k, Error **errp);

#endif
