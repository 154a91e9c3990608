/*
 * info registers: the CPU state in QEMU's layout, so that people and scripts
 * used to QEMU's monitor read it the same way.  32-bit layout outside long
 * mode, 64-bit layout in it.
 */
#include "target-i386/cpu.h"

#include <inttypes.h>

#include "monitor/hmp.h"
#include "system/cpus.h"

static const char *const seg_names[CPU_NB_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };

/* System descriptor types (SDM vol. 3, table 3-2), legacy and IA-32e mode. */
static const char *const sys_types32[16] = {
    "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16",
    "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32",
    "Reserved", "IntGate32", "TrapGate32",
};
static const char *const sys_types64[16] = {
    "Reserved", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
    "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
    "Reserved", "IntGate64", "TrapGate64",
};

/* The descriptor's high dword as QEMU shows it: the attributes and limit bits 19:16. */
static uint32_t seg_high_dword(const SegmentCache *sc)
{
    uint32_t limit_hi = (sc->flags & DESC_G_MASK) ? sc->limit >> 28 : sc->limit >> 16;
    return (sc->flags & 0x00f0ff00) | (limit_hi & 0xf) << 16;
}

static void dump_seg(GString *out, const CPUX86State *env, const char *name,
                     const SegmentCache *sc)
{
    bool lma = x86_long_mode_active(env);
    if (lma) {
        g_string_append_printf(out, "%-3s=%04x %016" PRIx64 " %08x %08x", name, sc->selector,
                               sc->base, sc->limit, seg_high_dword(sc));
    } else {
        g_string_append_printf(out, "%-3s=%04x %08x %08x %08x", name, sc->selector,
                               (uint32_t)sc->base, sc->limit, seg_high_dword(sc));
    }
    /* In protected mode, decode the attributes of a present descriptor. */
    if ((env->cr[0] & CR0_PE) && (sc->flags & DESC_P_MASK)) {
        uint32_t f = sc->flags;
        g_string_append_printf(out, " DPL=%u ", (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
        if (f & DESC_S_MASK) {
            if (f & DESC_CS_MASK) {
                g_string_append(out, (f & DESC_L_MASK) ? "CS64" : (f & DESC_B_MASK) ? "CS32"
                                                                                 : "CS16");
                g_string_append_printf(out, " [%c%c", (f & DESC_C_MASK) ? 'C' : '-',
                                       (f & DESC_R_MASK) ? 'R' : '-');
            } else {
                g_string_append(out, ((f & DESC_B_MASK) || lma) ? "DS  " : "DS16");
                g_string_append_printf(out, " [%c%c", (f & DESC_E_MASK) ? 'E' : '-',
                                       (f & DESC_W_MASK) ? 'W' : '-');
            }
            g_string_append_printf(out, "%c]", (f & DESC_A_MASK) ? 'A' : '-');
        } else {
            unsigned type = (f >> DESC_TYPE_SHIFT) & 0xf;
            g_string_append(out, lma ? sys_types64[type] : sys_types32[type]);
        }
    }
    g_string_append_c(out, '\n');
}

static void dump_fpu(GString *out, const CPUX86State *env)
{
    unsigned top = (env->fpus >> 11) & 7;
    unsigned ftw = 0;
    for (int i = 0; i < 8; i++) {
        if (((env->fptag >> (2 * i)) & 3) != 3) {
            ftw |= 1u << i;         /* the abridged tag: 1 = not empty */
        }
    }
    g_string_append_printf(out, "FCW=%04x FSW=%04x [ST=%u] FTW=%02x MXCSR=%08x\n", env->fpuc,
                           env->fpus, top, ftw, env->mxcsr);
    for (int i = 0; i < 8; i++) {
        g_string_append_printf(out, "FPR%d=%016" PRIx64 " %04x%c", i, env->fpregs[i].mant,
                               env->fpregs[i].sign_exp, (i & 1) ? '\n' : ' ');
    }
    int nxmm = x86_long_mode_active(env) ? 16 : 8;
    for (int i = 0; i < nxmm; i++) {
        const XMMReg *x = &env->xmm[i];
        g_string_append_printf(out, "XMM%02d=%08x%08x%08x%08x%c", i, x->l[3], x->l[2], x->l[1],
                               x->l[0], (i & 1) ? '\n' : ' ');
    }
}

void x86_cpu_dump_state(X86CPU *cpu, GString *out, bool fpu)
{
    const CPUX86State *env = &cpu->env;
    uint64_t fl = env->eflags;
    char flags[8] = {
        (fl & DF_MASK) ? 'D' : '-', (fl & CC_O) ? 'O' : '-', (fl & CC_S) ? 'S' : '-',
        (fl & CC_Z) ? 'Z' : '-', (fl & CC_A) ? 'A' : '-', (fl & CC_P) ? 'P' : '-',
        (fl & CC_C) ? 'C' : '-', '\0',
    };
    int halted = env->mp_state == X86_MP_HALTED;
    int a20 = !env->a20_mask_enabled;

    if (x86_long_mode_active(env)) {
        static const char *const names[16] = {
            "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
            "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
        };
        /* QEMU's order: RAX RBX RCX RDX / RSI RDI RBP RSP / R8-R11 / R12-R15. */
        static const int order[16] = {
            R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
            8, 9, 10, 11, 12, 13, 14, 15,
        };
        for (int i = 0; i < 16; i++) {
            g_string_append_printf(out, "%s=%016" PRIx64 "%c", names[order[i]],
                                   env->regs[order[i]], (i & 3) == 3 ? '\n' : ' ');
        }
        g_string_append_printf(out, "RIP=%016" PRIx64 " RFL=%08x [%s] CPL=%d II=0 A20=%d "
                               "SMM=0 HLT=%d\n", env->rip, (uint32_t)fl, flags, x86_cpl(env),
                               a20, halted);
    } else {
        g_string_append_printf(out, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
                               "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
                               (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_EBX],
                               (uint32_t)env->regs[R_ECX], (uint32_t)env->regs[R_EDX],
                               (uint32_t)env->regs[R_ESI], (uint32_t)env->regs[R_EDI],
                               (uint32_t)env->regs[R_EBP], (uint32_t)env->regs[R_ESP]);
        g_string_append_printf(out, "EIP=%08x EFL=%08x [%s] CPL=%d II=0 A20=%d SMM=0 HLT=%d\n",
                               (uint32_t)env->rip, (uint32_t)fl, flags, x86_cpl(env), a20,
                               halted);
    }
    for (int i = 0; i < CPU_NB_SEGS; i++) {
        dump_seg(out, env, seg_names[i], &env->segs[i]);
    }
    dump_seg(out, env, "LDT", &env->ldt);
    dump_seg(out, env, "TR", &env->tr);
    if (x86_long_mode_active(env)) {
        g_string_append_printf(out, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base,
                               env->gdt.limit);
        g_string_append_printf(out, "IDT=     %016" PRIx64 " %08x\n", env->idt.base,
                               env->idt.limit);
        g_string_append_printf(out, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08x\n",
                               (uint32_t)env->cr[0], env->cr[2], env->cr[3],
                               (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++) {
            g_string_append_printf(out, "DR%d=%016" PRIx64 " ", i, env->dr[i]);
        }
        g_string_append_printf(out, "\nDR6=%016" PRIx64 " DR7=%016" PRIx64 "\n", env->dr[6],
                               env->dr[7]);
    } else {
        g_string_append_printf(out, "GDT=     %08x %08x\n", (uint32_t)env->gdt.base,
                               env->gdt.limit);
        g_string_append_printf(out, "IDT=     %08x %08x\n", (uint32_t)env->idt.base,
                               env->idt.limit);
        g_string_append_printf(out, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
                               (uint32_t)env->cr[0], (uint32_t)env->cr[2],
                               (uint32_t)env->cr[3], (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++) {
            g_string_append_printf(out, "DR%d=%08x ", i, (uint32_t)env->dr[i]);
        }
        g_string_append_printf(out, "\nDR6=%08x DR7=%08x\n", (uint32_t)env->dr[6],
                               (uint32_t)env->dr[7]);
    }
    g_string_append_printf(out, "EFER=%016" PRIx64 "\n", env->efer);
    if (fpu) {
        dump_fpu(out, env);
    }
}

/* info registers [-a|vcpu]: the monitor's CPU is #0. */
void hmp_info_registers(Monitor *mon, const HmpArgs *args)
{
    bool all = hmp_arg_bool(args, "cpustate_all", false);
    int64_t index = hmp_arg_int(args, "vcpu", 0);
    if (cpus_count() == 0) {
        monitor_printf(mon, "No CPU available\n");
        return;
    }
    if (index < 0 || index >= cpus_count()) {
        monitor_printf(mon, "CPU#%" PRId64 " not available\n", index);
        return;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    for (unsigned i = 0; i < cpus_count(); i++) {
        if (!all && i != index) {
            continue;
        }
        X86CPU *cpu = cpus_get(i);
        cpu_synchronize_state(cpu);
        if (all) {
            g_string_append_printf(out, "\nCPU#%u\n", i);
        }
        x86_cpu_dump_state(cpu, out, true);
    }
    monitor_puts(mon, out->str);
}
