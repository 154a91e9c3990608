/*
 * The x86 CPU device ("x86-cpu"): its -cpu model, its power-on state, the
 * state a direct-boot loader asks for, and its VMState.  Which accelerator
 * runs it is system/cpus.c's business.
 */
#include "target-i386/cpu.h"

#include <string.h>

#include "accel/accel.h"
#include "hw/i386/x86-boot.h"
#include "migration/vmstate.h"
#include "system/cpus.h"
#include "target-i386/cpu-models.h"

#define CPU_DEFAULT_MODEL "qemu64"

/* Descriptor attributes of the caches (SegmentCache.flags). */
#define SEG_DATA_RW     (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)
#define SEG_CODE_RX     (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK)
#define SEG_FLAT_4G     (DESC_G_MASK | DESC_B_MASK)
#define SEG_TYPE_LDT    (2u << DESC_TYPE_SHIFT)
#define SEG_TYPE_TSS32_BUSY (11u << DESC_TYPE_SHIFT)

#define PAT_POWER_ON    0x0007040600070406ull   /* SDM vol. 3, 11.12.4 */
#define MISC_ENABLE_FAST_STRINGS 1u

static void seg_set(SegmentCache *sc, uint16_t sel, uint64_t base, uint32_t limit, uint32_t flags)
{
    *sc = (SegmentCache){ .selector = sel, .base = base, .limit = limit, .flags = flags };
}

void x86_cpu_reset(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    bool bsp = cpu->cpu_index == 0;

    /* SDM vol. 3, 9.1.1, table 9-1: the state after RESET. */
    memset(env, 0, sizeof(*env));
    env->eflags = 0x2;
    env->rip = 0xfff0;
    env->regs[R_EDX] = cpu->cpuid_version;
    env->cr[0] = CR0_CD | CR0_NW | CR0_ET;
    seg_set(&env->segs[R_CS], 0xf000, 0xffff0000, 0xffff, SEG_CODE_RX);
    for (int i = 0; i < CPU_NB_SEGS; i++) {
        if (i != R_CS) {
            seg_set(&env->segs[i], 0, 0, 0xffff, SEG_DATA_RW);
        }
    }
    seg_set(&env->ldt, 0, 0, 0xffff, DESC_P_MASK | SEG_TYPE_LDT);
    /* The table says "present, R/W"; VMX wants a busy TSS type in TR, as KVM keeps it. */
    seg_set(&env->tr, 0, 0, 0xffff, DESC_P_MASK | SEG_TYPE_TSS32_BUSY);
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->xcr0 = 1;                      /* x87 state only */

    env->fpuc = 0x0040;                 /* power-up values, not FINIT's */
    env->fptag = 0x5555;
    env->mxcsr = 0x1f80;

    env->pat = PAT_POWER_ON;
    env->misc_enable = MISC_ENABLE_FAST_STRINGS;
    env->apic_base = APIC_DEFAULT_ADDRESS | MSR_IA32_APICBASE_ENABLE |
                     (bsp ? MSR_IA32_APICBASE_BSP : 0);
    /* SDM vol. 3, 8.4: the BSP runs the firmware; APs wait for INIT-SIPI-SIPI. */
    env->mp_state = bsp ? X86_MP_RUNNABLE : X86_MP_WAIT_FOR_SIPI;
}

/*
 * INIT (SDM vol. 3, 9.1, table 9-1): the power-on register state except
 * the MSRs and the x87/SSE state, which INIT leaves alone.  A pending INIT
 * is consumed; other pending events stay, except INTR (the APIC resets).
 */
void x86_cpu_init_reset(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    g_autofree CPUX86State *old = g_memdup2(env, sizeof(*env));
    uint32_t req = g_atomic_int_and(&env->interrupt_request, ~CPU_INTERRUPT_INIT);

    x86_cpu_reset(cpu);
    env->star = old->star, env->lstar = old->lstar, env->cstar = old->cstar;
    env->fmask = old->fmask, env->kernel_gs_base = old->kernel_gs_base;
    env->sysenter_cs = old->sysenter_cs, env->sysenter_esp = old->sysenter_esp;
    env->sysenter_eip = old->sysenter_eip;
    env->pat = old->pat, env->tsc_offset = old->tsc_offset, env->tsc_aux = old->tsc_aux;
    env->apic_base = old->apic_base, env->misc_enable = old->misc_enable;
    memcpy(env->fpregs, old->fpregs, sizeof(env->fpregs));
    env->fpuc = old->fpuc, env->fpus = old->fpus, env->fptag = old->fptag;
    env->fpop = old->fpop, env->fpip = old->fpip, env->fpdp = old->fpdp;
    env->fpcs = old->fpcs, env->fpds = old->fpds, env->mxcsr = old->mxcsr;
    memcpy(env->xmm, old->xmm, sizeof(env->xmm));
    env->a20_mask_enabled = old->a20_mask_enabled;
    env->sipi_vector = old->sipi_vector;
    g_atomic_int_or(&env->interrupt_request, req & ~(CPU_INTERRUPT_INIT | CPU_INTERRUPT_HARD));
}

void x86_cpu_load_boot_entry(X86CPU *cpu, const X86BootEntry *entry)
{
    CPUX86State *env = &cpu->env;
    if (entry->mode != X86_BOOT_PROT32) {
        return;
    }
    /*
     * Linux boot protocol 2.06+ (32-bit entry) and Multiboot 0.6.96, 3.2:
     * protected mode, paging off, flat 4 GiB segments, interrupts off.
     * Caches on, as the firmware that normally runs first would leave them.
     */
    env->cr[0] = CR0_PE | CR0_ET;
    seg_set(&env->segs[R_CS], X86_BOOT_CS, 0, 0xffffffff, SEG_CODE_RX | SEG_FLAT_4G);
    for (int i = 0; i < CPU_NB_SEGS; i++) {
        if (i != R_CS) {
            seg_set(&env->segs[i], X86_BOOT_DS, 0, 0xffffffff, SEG_DATA_RW | SEG_FLAT_4G);
        }
    }
    env->gdt.base = entry->gdt_base;
    env->gdt.limit = entry->gdt_limit;
    env->eflags = 0x2;
    env->rip = entry->eip;
    env->regs[R_EAX] = entry->eax;
    env->regs[R_EBX] = entry->ebx;
    env->regs[R_ESI] = entry->esi;
    env->regs[R_ESP] = entry->esp;
    env->regs[R_EDX] = 0;
}

void x86_cpu_set_a20(X86CPU *cpu, bool enabled)
{
    /* Under KVM the gate is not applied (as in QEMU); the interpreter masks addresses. */
    cpu->env.a20_mask_enabled = !enabled;
}

/* ---- The device ------------------------------------------------------------- */

static bool x86_cpu_realize(DeviceState *dev, Error **errp)
{
    X86CPU *cpu = X86_CPU(&dev->parent_obj);
    const AccelOps *accel = accel_current();
    if (!x86_cpu_apply_model(cpu, cpu->model ? cpu->model : CPU_DEFAULT_MODEL,
                             accel ? accel->name : NULL, errp)) {
        return false;
    }
    if (cpu->def->kvm_only && (!accel || strcmp(accel->name, "kvm"))) {
        error_setg(errp, "CPU model '%s' requires KVM", cpu->def->name);
        return false;
    }
    x86_cpu_reset(cpu);
    return true;
}

/* A machine reset: power-on state, the BSP where the board boots, into the accelerator. */
static void x86_cpu_device_reset(DeviceState *dev)
{
    X86CPU *cpu = X86_CPU(&dev->parent_obj);
    x86_cpu_reset(cpu);
    const X86BootEntry *entry = cpus_boot_entry();
    if (cpu->cpu_index == 0 && entry) {
        x86_cpu_load_boot_entry(cpu, entry);
    }
    cpu_synchronize_post_reset(cpu);
}

static int x86_cpu_pre_save(void *opaque)
{
    cpu_synchronize_state(opaque);
    return 0;
}

static int x86_cpu_post_load(void *opaque, int version_id)
{
    X86CPU *cpu = opaque;
    cpu->vcpu_dirty = true;     /* put into the accelerator before it runs again */
    return 0;
}

static const VMStateField segment_fields[] = {
    VMS_FIELD(SegmentCache, selector, VMS_U16),
    VMS_FIELD(SegmentCache, base, VMS_U64),
    VMS_FIELD(SegmentCache, limit, VMS_U32),
    VMS_FIELD(SegmentCache, flags, VMS_U32),
    VMS_END
};

static const VMStateDescription vmstate_segment = {
    .name = "segment", .version_id = 1, .minimum_version_id = 1, .fields = segment_fields,
};

static const VMStateField dtable_fields[] = {
    VMS_FIELD(DescriptorTable, base, VMS_U64),
    VMS_FIELD(DescriptorTable, limit, VMS_U32),
    VMS_END
};

static const VMStateDescription vmstate_dtable = {
    .name = "dtable", .version_id = 1, .minimum_version_id = 1, .fields = dtable_fields,
};

static const VMStateField fpreg_fields[] = {
    VMS_FIELD(FloatX80, mant, VMS_U64),
    VMS_FIELD(FloatX80, sign_exp, VMS_U16),
    VMS_END
};

static const VMStateDescription vmstate_fpreg = {
    .name = "fpreg", .version_id = 1, .minimum_version_id = 1, .fields = fpreg_fields,
};

#define ENV_FIELD(f, k) \
    { .name = #f, .offset = offsetof(X86CPU, env.f), .kind = (k) }
#define ENV_ARRAY(f, k, n) \
    { .name = #f, .offset = offsetof(X86CPU, env.f), .kind = (k), .count = (n) }
#define ENV_STRUCT(f, n, type, desc) \
    { .name = #f, .offset = offsetof(X86CPU, env.f), .kind = VMS_STRUCT, .count = (n), \
      .size = sizeof(type), .vmsd = (desc) }

static const VMStateField x86_cpu_fields[] = {
    ENV_ARRAY(regs, VMS_U64, CPU_NB_REGS),
    ENV_FIELD(rip, VMS_U64),
    ENV_FIELD(eflags, VMS_U64),
    ENV_STRUCT(segs, CPU_NB_SEGS, SegmentCache, &vmstate_segment),
    ENV_STRUCT(ldt, 1, SegmentCache, &vmstate_segment),
    ENV_STRUCT(tr, 1, SegmentCache, &vmstate_segment),
    ENV_STRUCT(gdt, 1, DescriptorTable, &vmstate_dtable),
    ENV_STRUCT(idt, 1, DescriptorTable, &vmstate_dtable),
    ENV_ARRAY(cr, VMS_U64, 5),
    ENV_ARRAY(dr, VMS_U64, 8),
    ENV_FIELD(xcr0, VMS_U64),
    ENV_FIELD(efer, VMS_U64),
    ENV_FIELD(star, VMS_U64),
    ENV_FIELD(lstar, VMS_U64),
    ENV_FIELD(cstar, VMS_U64),
    ENV_FIELD(fmask, VMS_U64),
    ENV_FIELD(kernel_gs_base, VMS_U64),
    ENV_FIELD(sysenter_cs, VMS_U64),
    ENV_FIELD(sysenter_esp, VMS_U64),
    ENV_FIELD(sysenter_eip, VMS_U64),
    ENV_FIELD(pat, VMS_U64),
    ENV_FIELD(tsc_offset, VMS_U64),
    ENV_FIELD(tsc_aux, VMS_U64),
    ENV_FIELD(tsc_deadline, VMS_U64),
    ENV_FIELD(apic_base, VMS_U64),
    ENV_FIELD(misc_enable, VMS_U64),
    ENV_STRUCT(fpregs, 8, FloatX80, &vmstate_fpreg),
    ENV_FIELD(fpuc, VMS_U16),
    ENV_FIELD(fpus, VMS_U16),
    ENV_FIELD(fptag, VMS_U16),
    ENV_FIELD(fpop, VMS_U16),
    ENV_FIELD(fpip, VMS_U64),
    ENV_FIELD(fpdp, VMS_U64),
    ENV_FIELD(fpcs, VMS_U16),
    ENV_FIELD(fpds, VMS_U16),
    ENV_FIELD(mxcsr, VMS_U32),
    { .name = "xmm", .offset = offsetof(X86CPU, env.xmm), .kind = VMS_BUFFER,
      .size = sizeof(((CPUX86State *)0)->xmm) },
    ENV_FIELD(mp_state, VMS_U32),
    ENV_FIELD(sipi_vector, VMS_U8),
    ENV_FIELD(interrupt_request, VMS_U32),
    ENV_FIELD(a20_mask_enabled, VMS_BOOL),
    VMS_END
};

static const VMStateDescription vmstate_x86_cpu = {
    .name = "cpu",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = x86_cpu_fields,
    .pre_save = x86_cpu_pre_save,
    .post_load = x86_cpu_post_load,
};

static const Property x86_cpu_props[] = {
    PROP_UINT32("apic-id", X86CPU, apic_id, 0),
    PROP_STRING("model", X86CPU, model),
    PROP_END
};

static void x86_cpu_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = x86_cpu_realize;
    dc->reset = x86_cpu_device_reset;
    dc->vmsd = &vmstate_x86_cpu;
    dc->user_creatable = false;     /* -smp makes them */
    object_class_set_props(oc, x86_cpu_props);
}

static const TypeInfo x86_cpu_type = {
    .name = TYPE_X86_CPU,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(X86CPU),
    .desc = "x86 CPU",
    .class_init = x86_cpu_class_init,
};

void x86_cpu_register_types(void)
{
    type_register(&x86_cpu_type);
}
