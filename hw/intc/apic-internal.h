/*
 * The local APIC's state and register map, shared by apic.c (registers,
 * delivery), apic-timer.c (the timer) and apic-msr.c (MSRs, x2APIC, monitor).
 */
#ifndef HW_INTC_APIC_INTERNAL_H
#define HW_INTC_APIC_INTERNAL_H

#include "hw/intc/apic.h"
#include "system/timer.h"

/* xAPIC register offsets (SDM vol. 3, table 10-1); x2APIC MSR = 0x800 + (offset >> 4). */
#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_APR        0x090
#define APIC_PPR        0x0a0
#define APIC_EOI        0x0b0
#define APIC_RRD        0x0c0
#define APIC_LDR        0x0d0
#define APIC_DFR        0x0e0
#define APIC_SVR        0x0f0
#define APIC_ISR        0x100
#define APIC_TMR        0x180
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_LVT_CMCI   0x2f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_BASE   0x320   /* timer, thermal, perf, LINT0, LINT1, error: 0x10 apart */
#define APIC_TICR       0x380
#define APIC_TCCR       0x390
#define APIC_TDCR       0x3e0
#define APIC_SELF_IPI   0x3f0   /* x2APIC only */
#define APIC_PAGE_SIZE  0x1000

/*
 * Version 0x14 (an integrated APIC), six LVT entries: max LVT entry 5.
 * No CMCI LVT and no EOI-broadcast suppression (bit 24 clear).
 */
#define APIC_VERSION_VALUE  0x00050014u

/* The LVT entries, in register order. */
enum {
    APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1,
    APIC_LVT_ERROR, APIC_LVT_NB,
};

#define APIC_LVT_MASKED         (1u << 16)
#define APIC_LVT_LEVEL          (1u << 15)
#define APIC_LVT_REMOTE_IRR     (1u << 14)
#define APIC_LVT_POLARITY       (1u << 13)
#define APIC_LVT_DELIVS         (1u << 12)
#define APIC_LVT_TIMER_SHIFT    17
#define APIC_LVT_TIMER_MODE     (3u << APIC_LVT_TIMER_SHIFT)
#define APIC_TIMER_ONESHOT      0
#define APIC_TIMER_PERIODIC     1
#define APIC_TIMER_TSC_DEADLINE 2

/* Delivery modes (ICR, LVT, IOAPIC and MSI alike). */
#define APIC_DM_FIXED   0
#define APIC_DM_LOWEST  1
#define APIC_DM_SMI     2
#define APIC_DM_NMI     4
#define APIC_DM_INIT    5
#define APIC_DM_SIPI    6
#define APIC_DM_EXTINT  7

/* ICR (SDM vol. 3, 10.6.1). */
#define APIC_ICR_DESTMODE   (1u << 11)
#define APIC_ICR_LEVEL      (1u << 14)
#define APIC_ICR_TRIGGER    (1u << 15)
#define APIC_ICR_SH_SHIFT   18
#define APIC_SH_NONE        0
#define APIC_SH_SELF        1
#define APIC_SH_ALL         2
#define APIC_SH_OTHERS      3

/* SVR (10.9). */
#define APIC_SVR_ENABLE     (1u << 8)
#define APIC_SVR_NO_FOCUS   (1u << 9)

/* ESR (10.5.3). */
#define APIC_ESR_SEND_ILLEGAL   (1u << 5)
#define APIC_ESR_RECV_ILLEGAL   (1u << 6)
#define APIC_ESR_ILLEGAL_REG    (1u << 7)

#define MSR_IA32_APICBASE_EXTD  (1u << 10)
#define APIC_BASE_ADDR_MASK     0x000000fffffff000ull   /* 40-bit physical addresses */

#define APIC_X2APIC_MSR_FIRST   0x800
#define APIC_X2APIC_MSR_LAST    0x8ff

typedef struct APICState {
    DeviceState parent_obj;
    X86CPU *cpu;

    uint32_t id;                /* APIC ID (8 bits in xAPIC mode, 32 in x2APIC) */
    uint8_t tpr;
    uint32_t ldr;               /* logical destination register, as read */
    uint32_t dfr;
    uint32_t svr;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t esr;               /* as read: latched by the last ESR write */
    uint32_t esr_pending;       /* errors since then */
    uint32_t icr[2];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t initial_count;
    uint32_t divide_conf;

    /* The timer: count_start is when the count was (re)loaded, in virtual ns. */
    int64_t count_start;
    int64_t next_expiry;        /* when the timer fires next, or -1 */
    uint64_t tsc_deadline;
    Timer *timer;

    bool lint_level[2];
    bool extint_pending;        /* an ExtINT message from the IOAPIC, vector from the 8259 */
    bool hard_raised;           /* we asserted CPU_INTERRUPT_HARD */
} APICState;

static inline APICState *APIC(DeviceState *dev)
{
    return (APICState *)object_check(&dev->parent_obj, TYPE_APIC);
}

static inline bool apic_hw_enabled(const APICState *s)
{
    return s->cpu->env.apic_base & MSR_IA32_APICBASE_ENABLE;
}

static inline bool apic_x2apic_mode(const APICState *s)
{
    return (s->cpu->env.apic_base & (MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD)) ==
           (MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD);
}

/* apic.c */
void apic_local_deliver(APICState *s, int lvt);
void apic_set_error(APICState *s, uint32_t bit);
void apic_update_irq(APICState *s);
void apic_send_ipi(APICState *s, uint32_t icr_lo, uint32_t dest);
void apic_eoi(APICState *s);
uint32_t apic_read(APICState *s, unsigned offset, bool *ok);
bool apic_write(APICState *s, unsigned offset, uint32_t val);
void apic_reset_state(APICState *s);
void apic_base_changed(APICState *s, uint64_t old_base);
APICState *apic_by_cpu(X86CPU *cpu);

/* apic-timer.c */
void apic_timer_init(APICState *s);
void apic_timer_free(APICState *s);
/* LVT timer, initial count or divide configuration changed: re-arm. */
void apic_timer_update(APICState *s);
uint32_t apic_timer_current_count(APICState *s);
void apic_timer_set_deadline(APICState *s, uint64_t tsc);
uint64_t apic_timer_get_deadline(APICState *s);

#endif
