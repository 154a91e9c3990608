/*
 * The x86 CPU state shared by every accelerator.  The interpreter works on
 * it directly (keeping some values in faster forms of its own, synced on
 * demand); KVM copies it to and from the kernel with sync_from/sync_to.
 * The monitor, savevm and migration read it only after a sync.
 *
 * Layouts follow the SDM: segment descriptor caches keep the architectural
 * attribute bits, RFLAGS is the architectural value, x87 registers are the
 * 80-bit extended format.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/qdev.h"

#define TYPE_X86_CPU "x86-cpu"

/* General registers, in encoding order. */
enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
    CPU_NB_REGS = 16,
};

/* Segment registers, in encoding order. */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, CPU_NB_SEGS };

/* RFLAGS (SDM vol. 1, 3.4.3). */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define TF_MASK 0x00000100
#define IF_MASK 0x00000200
#define DF_MASK 0x00000400
#define CC_O    0x0800
#define IOPL_MASK 0x00003000
#define NT_MASK 0x00004000
#define RF_MASK 0x00010000
#define VM_MASK 0x00020000
#define AC_MASK 0x00040000
#define VIF_MASK 0x00080000
#define VIP_MASK 0x00100000
#define ID_MASK 0x00200000

/* Control registers (SDM vol. 3, 2.5). */
#define CR0_PE  (1u << 0)
#define CR0_MP  (1u << 1)
#define CR0_EM  (1u << 2)
#define CR0_TS  (1u << 3)
#define CR0_ET  (1u << 4)
#define CR0_NE  (1u << 5)
#define CR0_WP  (1u << 16)
#define CR0_AM  (1u << 18)
#define CR0_NW  (1u << 29)
#define CR0_CD  (1u << 30)
#define CR0_PG  (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)

/* EFER (SDM vol. 3, 2.2.1). */
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* MSRs kemu models (SDM vol. 4). */
#define MSR_IA32_TSC            0x00000010
#define MSR_IA32_APICBASE       0x0000001b
#define MSR_IA32_SYSENTER_CS    0x00000174
#define MSR_IA32_SYSENTER_ESP   0x00000175
#define MSR_IA32_SYSENTER_EIP   0x00000176
#define MSR_IA32_MISC_ENABLE    0x000001a0
#define MSR_PAT                 0x00000277
#define MSR_IA32_TSC_DEADLINE   0x000006e0
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103

#define MSR_IA32_APICBASE_BSP    (1u << 8)
#define MSR_IA32_APICBASE_ENABLE (1u << 11)
#define APIC_DEFAULT_ADDRESS     0xfee00000u

/*
 * A segment register's hidden part.  flags holds bits 8-23 of the
 * descriptor's high dword in place (type, S, DPL, P, AVL, L, D/B, G), so
 * DESC_*_MASK below test it directly.
 */
typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;             /* expanded to bytes (granularity applied) */
    uint32_t flags;
} SegmentCache;

#define DESC_TYPE_SHIFT 8
#define DESC_A_MASK     (1u << 8)
#define DESC_W_MASK     (1u << 9)       /* data: writable */
#define DESC_R_MASK     (1u << 9)       /* code: readable */
#define DESC_C_MASK     (1u << 10)      /* code: conforming */
#define DESC_E_MASK     (1u << 10)      /* data: expand down */
#define DESC_CS_MASK    (1u << 11)      /* code, not data */
#define DESC_S_MASK     (1u << 12)      /* code or data, not system */
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3u << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1u << 15)
#define DESC_AVL_MASK   (1u << 20)
#define DESC_L_MASK     (1u << 21)      /* 64-bit code */
#define DESC_B_MASK     (1u << 22)      /* 32-bit default size */
#define DESC_G_MASK     (1u << 23)

typedef struct DescriptorTable {
    uint64_t base;
    uint32_t limit;
} DescriptorTable;

/* An x87 register: 64-bit significand with explicit integer bit, sign and 15-bit exponent. */
typedef struct FloatX80 {
    uint64_t mant;
    uint16_t sign_exp;
} FloatX80;

typedef union XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
} XMMReg;

/* Multiprocessor state of a vCPU (SDM vol. 3, 10.4: INIT and SIPI). */
typedef enum X86MPState {
    X86_MP_RUNNABLE,
    X86_MP_HALTED,              /* HLT: waits for an interrupt */
    X86_MP_WAIT_FOR_SIPI,       /* an AP after INIT */
} X86MPState;

/* Events waiting to be taken at the next instruction boundary. */
#define CPU_INTERRUPT_HARD  (1u << 0)   /* INTR from the PIC or the local APIC */
#define CPU_INTERRUPT_NMI   (1u << 1)
#define CPU_INTERRUPT_INIT  (1u << 2)
#define CPU_INTERRUPT_SIPI  (1u << 3)
#define CPU_INTERRUPT_SMI   (1u << 4)
#define CPU_INTERRUPT_EXIT  (1u << 5)   /* leave the run loop (pause, monitor, reset) */

typedef struct CPUX86State {
    uint64_t regs[CPU_NB_REGS];
    uint64_t rip;
    uint64_t eflags;            /* architectural RFLAGS */
    SegmentCache segs[CPU_NB_SEGS];
    SegmentCache ldt;
    SegmentCache tr;
    DescriptorTable gdt;
    DescriptorTable idt;
    uint64_t cr[5];             /* cr0, (cr1 unused), cr2, cr3, cr4 */
    uint64_t dr[8];
    uint64_t xcr0;
    uint64_t efer;

    /* System MSRs. */
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat;
    uint64_t tsc_offset;        /* guest TSC = host-derived count + offset */
    uint64_t tsc_aux;
    uint64_t tsc_deadline;
    uint64_t apic_base;
    uint64_t misc_enable;

    /* x87, MMX (aliases the x87 significands), SSE. */
    FloatX80 fpregs[8];         /* physical R0-R7: ST(i) is fpregs[(TOP + i) & 7] */
    uint16_t fpuc;              /* control word */
    uint16_t fpus;              /* status word, TOP in bits 11-13 */
    uint16_t fptag;             /* full tag word, 2 bits per register */
    uint16_t fpop;              /* last opcode */
    uint64_t fpip, fpdp;        /* last instruction and data pointers */
    uint16_t fpcs, fpds;
    uint32_t mxcsr;
    XMMReg xmm[16];

    /* Events and run state. */
    X86MPState mp_state;
    uint8_t sipi_vector;
    uint32_t interrupt_request; /* CPU_INTERRUPT_*, set from any thread (atomic) */
    bool a20_mask_enabled;      /* A20 gate low: address bit 20 forced to 0 */
} CPUX86State;

typedef struct X86CPUDefinition X86CPUDefinition;

/*
 * CPUID feature words: the registers -cpu +feat/-feat names bits of
 * (target-i386/cpu-models.c has the names and the leaf of each word).
 */
typedef enum FeatureWord {
    FEAT_1_EDX,                 /* CPUID.01H:EDX */
    FEAT_1_ECX,                 /* CPUID.01H:ECX */
    FEAT_7_0_EBX,               /* CPUID.(EAX=07H,ECX=0):EBX */
    FEAT_7_0_ECX,
    FEAT_7_0_EDX,
    FEAT_8000_0001_EDX,         /* CPUID.80000001H:EDX */
    FEAT_8000_0001_ECX,
    FEAT_8000_0007_EDX,         /* invariant TSC */
    FEAT_D_1_EAX,               /* CPUID.(EAX=0DH,ECX=1):EAX: XSAVEOPT, XSAVEC... */
    FEAT_KVM,                   /* CPUID.40000001H:EAX: KVM paravirt features */
    FEATURE_WORDS,
} FeatureWord;

/* Bits kemu's own code tests. */
#define CPUID_1_EDX_APIC    (1u << 9)
#define CPUID_1_EDX_HT      (1u << 28)
#define CPUID_1_ECX_PCID    (1u << 17)
#define CPUID_1_ECX_XSAVE   (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_ECX_X2APIC  (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

typedef struct X86CPU {
    DeviceState parent_obj;
    CPUX86State env;
    uint32_t apic_id;           /* property "apic-id" */
    uint32_t cpu_index;         /* 0 is the bootstrap processor */
    char *model;                /* property "model": "qemu64", "max", ... */
    const X86CPUDefinition *def;
    DeviceState *apic;          /* the local APIC, when it is emulated in user space */
    void *accel;                /* the accelerator's per-vCPU state */
    int thread_id;              /* host thread running it, for info cpus */
    bool stopped;               /* parked by the run state (pause) */

    /* CPUID as the guest sees it (target-i386/cpu-models.c), set at realize. */
    uint32_t features[FEATURE_WORDS];
    uint32_t minus_features[FEATURE_WORDS];    /* -feat: never turned on by filtering */
    uint32_t plus_features[FEATURE_WORDS];     /* +feat: asked for by name, so warn if missing */
    bool max_features;          /* host, max: all that the accelerator supports */
    uint32_t cpuid_level;       /* highest basic leaf */
    uint32_t cpuid_xlevel;      /* highest extended leaf (0x8000xxxx) */
    uint32_t cpuid_version;     /* CPUID.01H:EAX, family/model/stepping (EDX at reset) */
    char cpuid_vendor[13];
    char cpuid_model_id[49];
    unsigned nr_cores;          /* per socket, from -smp (topology leaves) */
    unsigned nr_threads;        /* per core */

    /* Run control (system/cpus.c). */
    bool vcpu_dirty;            /* env is newer than the accelerator's copy */
    bool reset_pending;         /* the next sync_to writes the whole power-on state */
} X86CPU;

static inline X86CPU *X86_CPU(Object *obj)
{
    return (X86CPU *)object_check(obj, TYPE_X86_CPU);
}

/* The X86CPU that holds env. */
static inline X86CPU *x86_env_get_cpu(CPUX86State *env)
{
    return (X86CPU *)((char *)env - offsetof(X86CPU, env));
}

/* Mode helpers used by every accelerator's register code. */
static inline bool x86_long_mode_active(const CPUX86State *env)
{
    return env->efer & EFER_LMA;
}

/* The CPL is the DPL of SS (SDM vol. 3, 5.5). */
static inline int x86_cpl(const CPUX86State *env)
{
    return (env->segs[R_SS].flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
}

/* ---- target-i386/cpu.c, cpu-dump.c ------------------------------------------ */

struct X86BootEntry;

/* Power-on state (SDM vol. 3, 9.1.1); APs wait for a SIPI. */
void x86_cpu_reset(X86CPU *cpu);
/* INIT: the registers as after RESET, MSRs and x87/SSE state kept (the APIC is the caller's). */
void x86_cpu_init_reset(X86CPU *cpu);
/* Start where a direct-boot loader says: flat 32-bit protected mode (hw/i386/x86-boot.h). */
void x86_cpu_load_boot_entry(X86CPU *cpu, const struct X86BootEntry *entry);
/* The A20 gate (i8042, port 0x92): when disabled, address bit 20 is forced to 0. */
void x86_cpu_set_a20(X86CPU *cpu, bool enabled);
/* info registers, in QEMU's layout (fpu: the x87 and SSE registers too). */
void x86_cpu_dump_state(X86CPU *cpu, GString *out, bool fpu);
void x86_cpu_register_types(void);

#endif
