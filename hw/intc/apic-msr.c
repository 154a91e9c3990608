/*
 * The local APIC's MSRs: IA32_APIC_BASE (SDM vol. 3, 10.4.4, 10.12.5),
 * IA32_TSC_DEADLINE (10.5.4.1) and the x2APIC registers 0x800-0x8ff
 * (10.12.1.2, table 10-6); and info lapic.
 */
#include "hw/intc/apic-internal.h"

#include <inttypes.h>

#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "system/cpus.h"

/* 10.12.5: xAPIC <-> x2APIC <-> disabled, but never x2APIC -> xAPIC or disabled -> x2APIC. */
static bool apic_base_write(APICState *s, uint64_t val)
{
    CPUX86State *env = &s->cpu->env;
    uint64_t old = env->apic_base;
    uint64_t allowed = APIC_BASE_ADDR_MASK | MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE;

    if (s->cpu->features[FEAT_1_ECX] & CPUID_1_ECX_X2APIC) {
        allowed |= MSR_IA32_APICBASE_EXTD;
    }
    if (val & ~allowed) {
        return false;
    }
    bool en = val & MSR_IA32_APICBASE_ENABLE, extd = val & MSR_IA32_APICBASE_EXTD;
    bool old_en = old & MSR_IA32_APICBASE_ENABLE, old_extd = old & MSR_IA32_APICBASE_EXTD;
    if (extd && !en) {
        return false;
    }
    if (old_en && old_extd && en && !extd) {
        return false;
    }
    if (!old_en && en && extd) {
        return false;
    }
    /* The BSP flag is set by the hardware at reset; software cannot change it. */
    env->apic_base = (val & ~(uint64_t)MSR_IA32_APICBASE_BSP) | (old & MSR_IA32_APICBASE_BSP);
    apic_base_changed(s, old);
    return true;
}

static bool x2apic_read(APICState *s, unsigned offset, uint64_t *val)
{
    bool ok;

    switch (offset) {
    case APIC_EOI:
    case APIC_SELF_IPI:
    case APIC_APR:
    case APIC_RRD:
    case APIC_DFR:
    case APIC_ICR_HI:
    case APIC_LVT_CMCI:
        return false;                   /* write-only or not in x2APIC mode */
    case APIC_ICR_LO:
        *val = s->icr[0] | (uint64_t)s->icr[1] << 32;
        return true;
    default:
        *val = apic_read(s, offset, &ok);
        return ok;
    }
}

static bool x2apic_write(APICState *s, unsigned offset, uint64_t val)
{
    if (offset == APIC_ICR_LO) {
        /* 10.12.9: one 64-bit write, the destination in bits 63:32. */
        s->icr[0] = (uint32_t)val & ~(uint32_t)(1u << 12);
        s->icr[1] = val >> 32;
        apic_send_ipi(s, s->icr[0], s->icr[1]);
        return true;
    }
    if (val >> 32) {
        return false;
    }
    switch (offset) {
    case APIC_ID:
    case APIC_VERSION:
    case APIC_APR:
    case APIC_PPR:
    case APIC_RRD:
    case APIC_LDR:
    case APIC_DFR:
    case APIC_ICR_HI:
    case APIC_TCCR:
    case APIC_LVT_CMCI:
        return false;                   /* read-only or absent: #GP */
    case APIC_EOI:
    case APIC_ESR:
        if (val) {
            return false;
        }
        break;
    case APIC_TPR:
        if (val & ~0xffull) {
            return false;
        }
        break;
    case APIC_SELF_IPI:
        if (val & ~0xffull) {
            return false;
        }
        /* 10.12.11: a fixed, edge, self IPI. */
        apic_send_ipi(s, (uint32_t)val | APIC_SH_SELF << APIC_ICR_SH_SHIFT, 0);
        return true;
    default:
        if (offset >= APIC_ISR && offset < APIC_IRR + 0x80) {
            return false;
        }
        break;
    }
    return apic_write(s, offset, (uint32_t)val);
}

int apic_msr_access(X86CPU *cpu, uint32_t msr, uint64_t *val, bool write)
{
    APICState *s = apic_by_cpu(cpu);

    if (!s) {
        return -1;
    }
    if (msr == MSR_IA32_APICBASE) {
        if (write) {
            return apic_base_write(s, *val);
        }
        *val = cpu->env.apic_base;
        return 1;
    }
    if (msr == MSR_IA32_TSC_DEADLINE) {
        if (write) {
            apic_timer_set_deadline(s, *val);
        } else {
            *val = apic_timer_get_deadline(s);
        }
        return 1;
    }
    if (msr < APIC_X2APIC_MSR_FIRST || msr > APIC_X2APIC_MSR_LAST) {
        return -1;
    }
    if (!apic_x2apic_mode(s)) {
        return 0;
    }
    unsigned offset = (msr - APIC_X2APIC_MSR_FIRST) << 4;
    return write ? x2apic_write(s, offset, *val) : x2apic_read(s, offset, val);
}

/* ---- info lapic -------------------------------------------------------------------- */

static const char *const dm_names[8] = {
    "Fixed", "LowPri", "SMI", "Reserved", "NMI", "INIT", "SIPI", "ExtINT",
};

static void apic_print_lvt(GString *out, const char *name, uint32_t e, bool timer)
{
    unsigned dm = (e >> 8) & 7;
    g_string_append_printf(out, "%s\t 0x%08x %s %-5s %-6s", name, e,
                           e & APIC_LVT_POLARITY ? "active-lo" : "active-hi",
                           e & APIC_LVT_LEVEL ? "level" : "edge",
                           e & APIC_LVT_MASKED ? "masked" : "");
    if (timer) {
        static const char *const modes[4] = { "one-shot", "periodic", "tsc-deadline", "reserved" };
        g_string_append_printf(out, " %-12s", modes[(e & APIC_LVT_TIMER_MODE) >> APIC_LVT_TIMER_SHIFT]);
        dm = APIC_DM_FIXED;
    }
    if (dm == APIC_DM_NMI) {
        g_string_append_printf(out, " %s\n", dm_names[dm]);
    } else {
        g_string_append_printf(out, " %-6s (vec %u)\n", dm_names[dm], e & 0xff);
    }
}

static void apic_print_vec(GString *out, const char *name, const uint32_t *r, const uint32_t *tmr)
{
    g_string_append_printf(out, "%s\t", name);
    bool any = false;
    for (int v = 0; v < 256; v++) {
        if (r[v >> 5] & (1u << (v & 31))) {
            g_string_append_printf(out, " %d%s", v, tmr && (tmr[v >> 5] & (1u << (v & 31))) ?
                                   "(level)" : "");
            any = true;
        }
    }
    g_string_append(out, any ? "\n" : " (none)\n");
}

void apic_print_info(DeviceState *dev, GString *out)
{
    APICState *s = APIC(dev);
    bool ok;
    uint32_t dcr = s->divide_conf;
    unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

    g_string_append_printf(out, "dumping local APIC state for CPU %u\n\n", s->cpu->cpu_index);
    apic_print_lvt(out, "LVT0", s->lvt[APIC_LVT_LINT0], false);
    apic_print_lvt(out, "LVT1", s->lvt[APIC_LVT_LINT1], false);
    apic_print_lvt(out, "LVTPC", s->lvt[APIC_LVT_PERF], false);
    apic_print_lvt(out, "LVTERR", s->lvt[APIC_LVT_ERROR], false);
    apic_print_lvt(out, "LVTTHMR", s->lvt[APIC_LVT_THERMAL], false);
    apic_print_lvt(out, "LVTT", s->lvt[APIC_LVT_TIMER], true);
    g_string_append_printf(out, "Timer\t DCR=0x%x (divide by %u) initial_count = %u"
                           " current_count = %u\n", dcr, 1u << ((v + 1) & 7), s->initial_count,
                           apic_timer_current_count(s));
    g_string_append_printf(out, "SPIV\t 0x%08x APIC %s, focus=%s, spurious vec %u\n", s->svr,
                           s->svr & APIC_SVR_ENABLE ? "enabled" : "disabled",
                           s->svr & APIC_SVR_NO_FOCUS ? "off" : "on", s->svr & 0xff);
    g_string_append_printf(out, "ICR\t 0x%08x %s %s %s %s\n", s->icr[0],
                           s->icr[0] & APIC_ICR_DESTMODE ? "logical" : "physical",
                           s->icr[0] & APIC_ICR_TRIGGER ? "level" : "edge",
                           s->icr[0] & APIC_ICR_LEVEL ? "assert" : "de-assert",
                           (const char *[]){ "no-shorthand", "self", "all-self",
                                             "all" }[(s->icr[0] >> APIC_ICR_SH_SHIFT) & 3]);
    g_string_append_printf(out, "ICR2\t 0x%08x\n", s->icr[1]);
    g_string_append_printf(out, "ESR\t 0x%08x\n", s->esr);
    apic_print_vec(out, "ISR", s->isr, NULL);
    apic_print_vec(out, "IRR", s->irr, s->tmr);
    g_string_append_printf(out, "\nAPR 0x%02x TPR 0x%02x DFR 0x%02x LDR 0x%02x PPR 0x%02x\n",
                           apic_read(s, APIC_APR, &ok), s->tpr, s->dfr >> 24, s->ldr >> 24,
                           apic_read(s, APIC_PPR, &ok));
}

/* info lapic [apic-id]: the APIC of the CPU with that APIC ID (default: CPU 0). */
void hmp_info_lapic(Monitor *mon, const HmpArgs *args)
{
    int64_t id = hmp_arg_int(args, "apic-id", -1);
    X86CPU *cpu = NULL;

    for (unsigned i = 0; i < cpus_count(); i++) {
        X86CPU *c = cpus_get(i);
        if ((id < 0 && i == 0) || (id >= 0 && c->apic_id == (uint64_t)id)) {
            cpu = c;
        }
    }
    if (!cpu) {
        monitor_printf(mon, "No CPU with APIC ID %" PRId64 "\n", id);
        return;
    }
    if (!cpu->apic) {
        monitor_printf(mon, "local APIC state not available (in-kernel irqchip or none)\n");
        return;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    apic_print_info(cpu->apic, out);
    monitor_printf(mon, "%s", out->str);
}
