/*
 * x86 CPU models and CPUID.  The models and feature names are QEMU's, so
 * "-cpu qemu64,+avx2,-svm" means the same thing in both; the CPUID leaves
 * follow the SDM vol. 2A, CPUID, and AMD's CPUID specification.
 */
#include "target-i386/cpu-models.h"

#include <stdlib.h>
#include <string.h>

/* ---- Feature words ----------------------------------------------------------- */

const FeatureWordInfo x86_feature_words[FEATURE_WORDS] = {
    [FEAT_1_EDX] = { 1, 0, R_EDX, {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
        "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
        "pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    [FEAT_1_ECX] = { 1, 0, R_ECX, {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx", "est",
        "tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
        NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt",
        "tsc-deadline", "aes", "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
    [FEAT_7_0_EBX] = { 7, 0, R_EBX, {
        "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
        "bmi2", "erms", "invpcid", "rtm", NULL, NULL, "mpx", NULL,
        "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "pcommit", "clflushopt",
        "clwb", "intel-pt", "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw",
        "avx512vl" } },
    [FEAT_7_0_ECX] = { 7, 0, R_ECX, {
        NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg", "avx512vbmi2", NULL,
        "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", NULL,
        "avx512-vpopcntdq", NULL,
        "la57", NULL, NULL, NULL, NULL, NULL, "rdpid", NULL,
        "bus-lock-detect", "cldemote", NULL, "movdiri", "movdir64b", NULL, "sgxlc", "pks" } },
    [FEAT_7_0_EDX] = { 7, 0, R_EDX, {
        NULL, NULL, "avx512-4vnniw", "avx512-4fmaps", "fsrm", NULL, NULL, NULL,
        "avx512-vp2intersect", NULL, "md-clear", NULL, NULL, NULL, "serialize", NULL,
        "tsx-ldtrk", NULL, "pconfig", NULL, NULL, NULL, "amx-bf16", "avx512-fp16",
        "amx-tile", "amx-int8", "spec-ctrl", "stibp", "flush-l1d", "arch-capabilities",
        "core-capability", "ssbd" } },
    [FEAT_8000_0001_EDX] = { 0x80000001, 0, R_EDX, {
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, "syscall", NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, "nx", NULL, "mmxext", NULL,
        NULL, "fxsr-opt", "pdpe1gb", "rdtscp", NULL, "lm", "3dnowext", "3dnow" } },
    [FEAT_8000_0001_ECX] = { 0x80000001, 0, R_ECX, {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm", "sse4a", "misalignsse",
        "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp",
        "fma4", "tce", NULL, "nodeid-msr", NULL, "tbm", "topoext", "perfctr-core",
        "perfctr-nb" } },
    [FEAT_8000_0007_EDX] = { 0x80000007, 0, R_EDX, {
        [8] = "invtsc" } },
    [FEAT_D_1_EAX] = { 0xd, 1, R_EAX, {
        "xsaveopt", "xsavec", "xgetbv1", "xsaves", "xfd" } },
    [FEAT_KVM] = { 0x40000001, 0, R_EAX, {
        "kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvmclock", "kvm-asyncpf", "kvm-steal-time",
        "kvm-pv-eoi", "kvm-pv-unhalt", NULL, "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit",
        "kvm-pv-ipi", "kvm-poll-control", "kvm-pv-sched-yield", "kvm-asyncpf-int",
        "kvm-msi-ext-dest-id", [24] = "kvmclock-stable-bit" } },
};

/* QEMU's "PPRO_FEATURES": what every 32-bit model has. */
#define PPRO_EDX   (1u << 0 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 | \
                    1u << 8 | 1u << 9 | 1u << 11 | 1u << 13 | 1u << 15 | 1u << 16 | \
                    1u << 23 | 1u << 24 | 1u << 25 | 1u << 26)
#define EDX_VME     (1u << 1)
#define EDX_MTRR    (1u << 12)
#define EDX_MCA     (1u << 14)
#define EDX_PSE36   (1u << 17)
#define EDX_CLFLUSH (1u << 19)
#define ECX_PNI     (1u << 0)
#define ECX_CX16    (1u << 13)
#define EXT_SYSCALL (1u << 11)
#define EXT_NX      (1u << 20)
#define EXT_LM      (1u << 29)
#define EXT3_LAHF   (1u << 0)
#define EXT3_SVM    (1u << 2)
/* Leaf 1 EDX bits AMD repeats in 0x80000001 EDX. */
#define AMD_EDX_ALIASES 0x0183f3ffu

/* What named models get under KVM unless -cpu says otherwise (QEMU's defaults). */
static const uint32_t kvm_default_on[FEATURE_WORDS] = {
    [FEAT_1_ECX] = CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE,
    [FEAT_KVM] = 1u << 0 | 1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 24,
};
static const uint32_t kvm_default_off[FEATURE_WORDS] = {
    [FEAT_1_EDX] = 1u << 22,                    /* acpi */
    [FEAT_1_ECX] = 1u << 3,                     /* monitor */
    [FEAT_8000_0001_ECX] = EXT3_SVM,
};

static const X86CPUDefinition x86_models[] = {
    {
        .name = "base", .desc = "base CPU model type with no features enabled",
        .vendor = "GenuineIntel", .family = 6, .model = 0, .stepping = 0,
        .level = 1, .xlevel = 0x80000000, .model_id = "kemu base CPU",
    },
    {
        .name = "host", .desc = "processor with all supported host features (KVM only)",
        .max_features = true, .kvm_only = true,
    },
    {
        .name = "max", .desc = "Enables all features supported by the accelerator in the "
                               "current host",
        .vendor = "GenuineIntel", .family = 6, .model = 6, .stepping = 3,
        .level = 0xd, .xlevel = 0x80000008, .model_id = "kemu max CPU",
        .max_features = true,
    },
    {
        .name = "qemu32", .desc = "QEMU Virtual CPU version 2.5+",
        .vendor = "GenuineIntel", .family = 6, .model = 6, .stepping = 3,
        .level = 4, .xlevel = 0x80000004, .model_id = "QEMU Virtual CPU version 2.5+",
        .features = { [FEAT_1_EDX] = PPRO_EDX, [FEAT_1_ECX] = ECX_PNI },
    },
    {
        .name = "qemu64", .desc = "QEMU Virtual CPU version 2.5+",
        .vendor = "AuthenticAMD", .family = 15, .model = 107, .stepping = 1,
        .level = 0xd, .xlevel = 0x8000000a, .model_id = "QEMU Virtual CPU version 2.5+",
        .features = {
            [FEAT_1_EDX] = PPRO_EDX | EDX_MTRR | EDX_CLFLUSH | EDX_MCA | EDX_PSE36,
            [FEAT_1_ECX] = ECX_PNI | ECX_CX16,
            [FEAT_8000_0001_EDX] = EXT_LM | EXT_SYSCALL | EXT_NX,
            [FEAT_8000_0001_ECX] = EXT3_LAHF | EXT3_SVM,
        },
    },
    {
        .name = "kvm64", .desc = "Common KVM processor",
        .vendor = "GenuineIntel", .family = 15, .model = 6, .stepping = 1,
        .level = 0xd, .xlevel = 0x80000008, .model_id = "Common KVM processor",
        .features = {
            [FEAT_1_EDX] = PPRO_EDX | EDX_VME | EDX_MTRR | EDX_CLFLUSH | EDX_MCA | EDX_PSE36,
            [FEAT_1_ECX] = ECX_PNI | ECX_CX16,
            [FEAT_8000_0001_EDX] = EXT_LM | EXT_SYSCALL | EXT_NX,
        },
    },
};

void x86_cpu_print_models(GString *out)
{
    g_string_append(out, "Available CPUs:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(x86_models); i++) {
        g_string_append_printf(out, "x86 %-20s %s\n", x86_models[i].name, x86_models[i].desc);
    }
    g_string_append(out, "\nRecognized CPUID flags:\n ");
    for (int w = 0; w < FEATURE_WORDS; w++) {
        for (int b = 0; b < 32; b++) {
            const char *name = x86_feature_words[w].names[b];
            if (name && !(w == FEAT_KVM && b == 3)) {
                g_string_append_printf(out, " %s", name);
            }
        }
    }
    g_string_append(out, "\n");
}

const X86CPUDefinition *x86_cpu_find_model(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(x86_models); i++) {
        if (!strcmp(name, x86_models[i].name)) {
            return &x86_models[i];
        }
    }
    return NULL;
}

/* QEMU accepts sse4.1, sse4_1 and sse4-1 alike. */
static bool feature_name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a == '_' || *a == '.') ? '-' : *a;
        char cb = (*b == '_' || *b == '.') ? '-' : *b;
        if (ca != cb) {
            return false;
        }
    }
    return *a == *b;
}

/* Set the bits named name in mask[]; false if there is no such feature. */
static bool feature_lookup(const char *name, uint32_t mask[FEATURE_WORDS])
{
    bool found = false;
    for (int w = 0; w < FEATURE_WORDS; w++) {
        for (int b = 0; b < 32; b++) {
            const char *n = x86_feature_words[w].names[b];
            if (n && feature_name_eq(n, name)) {
                mask[w] |= 1u << b;
                found = true;
            }
        }
    }
    /* Old spellings still in use. */
    if (!found && (feature_name_eq(name, "sse3"))) {
        mask[FEAT_1_ECX] |= ECX_PNI;
        found = true;
    }
    return found;
}

static bool parse_uint(const char *key, const char *val, uint32_t max, uint32_t *out,
                       Error **errp)
{
    char *end;
    unsigned long v = strtoul(val, &end, 0);
    if (!*val || *end || v > max) {
        error_setg(errp, "Property '%s' doesn't take value '%s'", key, val);
        return false;
    }
    *out = v;
    return true;
}

static uint32_t cpuid_version_of(unsigned family, unsigned model, unsigned stepping)
{
    /* SDM vol. 2A, CPUID: family above 15 goes to the extended family field. */
    uint32_t eax = (stepping & 0xf) | (model & 0xf) << 4 | (model >> 4) << 16;
    if (family > 0xf) {
        eax |= 0xf << 8 | (family - 0xf) << 20;
    } else {
        eax |= family << 8;
    }
    return eax;
}

/* One "key=value" of -cpu other than a feature. */
static bool apply_key(X86CPU *cpu, const char *key, const char *val, unsigned *fms,
                      Error **errp)
{
    uint32_t v;
    if (!strcmp(key, "vendor")) {
        if (strlen(val) != 12) {
            error_setg(errp, "Property 'vendor' doesn't take value '%s'", val);
            return false;
        }
        g_strlcpy(cpu->cpuid_vendor, val, sizeof(cpu->cpuid_vendor));
    } else if (!strcmp(key, "model-id")) {
        g_strlcpy(cpu->cpuid_model_id, val, sizeof(cpu->cpuid_model_id));
    } else if (!strcmp(key, "family")) {
        if (!parse_uint(key, val, 0xff + 0xf, &v, errp)) {
            return false;
        }
        fms[0] = v;
    } else if (!strcmp(key, "model")) {
        if (!parse_uint(key, val, 0xff, &v, errp)) {
            return false;
        }
        fms[1] = v;
    } else if (!strcmp(key, "stepping")) {
        if (!parse_uint(key, val, 0xf, &v, errp)) {
            return false;
        }
        fms[2] = v;
    } else if (!strcmp(key, "level")) {
        return parse_uint(key, val, 0xff, &cpu->cpuid_level, errp);
    } else if (!strcmp(key, "xlevel")) {
        if (!parse_uint(key, val, 0x800000ff, &cpu->cpuid_xlevel, errp)) {
            return false;
        }
        cpu->cpuid_xlevel |= 0x80000000;
    } else if (!strcmp(key, "enforce") || !strcmp(key, "check")) {
        /* Accepted for compatibility; unsupported features are always reported. */
    } else {
        error_setg(errp, "Property '%s' not found", key);
        return false;
    }
    return true;
}

bool x86_cpu_apply_model(X86CPU *cpu, const char *spec, const char *accel_name, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    const X86CPUDefinition *def = parts[0] ? x86_cpu_find_model(parts[0]) : NULL;
    if (!def) {
        error_setg(errp, "unable to find CPU model '%s'", parts[0] ? parts[0] : "");
        return false;
    }
    cpu->def = def;
    memcpy(cpu->features, def->features, sizeof(cpu->features));
    if (accel_name && !strcmp(accel_name, "kvm") && !def->max_features) {
        for (int w = 0; w < FEATURE_WORDS; w++) {
            cpu->features[w] = (cpu->features[w] | kvm_default_on[w]) & ~kvm_default_off[w];
        }
    }
    /* Every accelerator is a hypervisor to the guest (QEMU sets the bit for TCG too). */
    if (accel_name && !strcmp(accel_name, "tcg")) {
        cpu->features[FEAT_1_ECX] |= CPUID_1_ECX_HYPERVISOR;
    }
    memset(cpu->minus_features, 0, sizeof(cpu->minus_features));
    cpu->max_features = def->max_features;
    cpu->cpuid_level = def->level;
    cpu->cpuid_xlevel = def->xlevel;
    g_strlcpy(cpu->cpuid_vendor, def->vendor ? def->vendor : "GenuineIntel",
              sizeof(cpu->cpuid_vendor));
    g_strlcpy(cpu->cpuid_model_id, def->model_id ? def->model_id : "",
              sizeof(cpu->cpuid_model_id));
    unsigned fms[3] = { def->family, def->model, def->stepping };
    uint32_t plus[FEATURE_WORDS] = { 0 };

    for (int i = 1; parts[i]; i++) {
        char *f = parts[i];
        uint32_t mask[FEATURE_WORDS] = { 0 };
        char *eq = strchr(f, '=');
        if ((f[0] == '+' || f[0] == '-') && f[1]) {
            if (!feature_lookup(f + 1, mask)) {
                error_setg(errp, "CPU feature %s not found", f + 1);
                return false;
            }
            for (int w = 0; w < FEATURE_WORDS; w++) {
                (f[0] == '+' ? plus : cpu->minus_features)[w] |= mask[w];
            }
            continue;
        }
        if (!eq) {
            error_setg(errp, "Expected key=value format, found %s", f);
            return false;
        }
        *eq = '\0';
        const char *val = eq + 1;
        if (feature_lookup(f, mask)) {
            bool on = !strcmp(val, "on") || !strcmp(val, "true");
            if (!on && strcmp(val, "off") && strcmp(val, "false")) {
                error_setg(errp, "Parameter '%s' expects 'on' or 'off'", f);
                return false;
            }
            for (int w = 0; w < FEATURE_WORDS; w++) {
                (on ? plus : cpu->minus_features)[w] |= mask[w];
            }
        } else if (!apply_key(cpu, f, val, fms, errp)) {
            return false;
        }
    }
    /* As in QEMU, -feat wins over +feat whatever their order. */
    for (int w = 0; w < FEATURE_WORDS; w++) {
        cpu->features[w] = (cpu->features[w] | plus[w]) & ~cpu->minus_features[w];
        cpu->plus_features[w] = plus[w] & ~cpu->minus_features[w];
    }
    cpu->cpuid_version = cpuid_version_of(fms[0], fms[1], fms[2]);
    return true;
}

bool x86_cpu_check_model(const char *spec, Error **errp)
{
    X86CPU *scratch = g_new0(X86CPU, 1);
    bool ok = x86_cpu_apply_model(scratch, spec, NULL, errp);
    g_free(scratch);
    return ok;
}

static const char *reg_name(int reg)
{
    switch (reg) {
    case R_EAX: return "EAX";
    case R_EBX: return "EBX";
    case R_ECX: return "ECX";
    default: return "EDX";
    }
}

void x86_cpu_filter_features(X86CPU *cpu, const uint32_t supported[FEATURE_WORDS],
                             const char *accel_name, bool warn)
{
    bool kvm = !strcmp(accel_name, "kvm");
    for (int w = 0; w < FEATURE_WORDS; w++) {
        const FeatureWordInfo *fw = &x86_feature_words[w];
        if (cpu->max_features) {
            cpu->features[w] = supported[w] & ~cpu->minus_features[w];
            continue;
        }
        /*
         * Only what the user named is worth a warning: a model's own
         * features the accelerator lacks are dropped quietly.
         */
        uint32_t missing = cpu->plus_features[w] & ~supported[w];
        for (int b = 0; b < 32; b++) {
            if (warn && (missing & (1u << b))) {
                warn_report("%s doesn't support requested feature: CPUID.%02XH:%s%s%s [bit %d]",
                            kvm ? "host" : accel_name, fw->leaf, reg_name(fw->reg),
                            fw->names[b] ? "." : "", fw->names[b] ? fw->names[b] : "", b);
            }
        }
        cpu->features[w] &= supported[w];
    }
}

/* ---- CPUID -------------------------------------------------------------------- */

static unsigned bits_for(unsigned count)
{
    unsigned bits = 0;
    while ((1u << bits) < count) {
        bits++;
    }
    return bits;
}

static void put_string(uint32_t out[4], const char *s, const int order[4])
{
    char buf[16] = { 0 };
    memcpy(buf, s, MIN(strlen(s), sizeof(buf)));
    for (int i = 0; i < 4 && order[i] >= 0; i++) {
        memcpy(&out[order[i]], buf + 4 * i, 4);
    }
}

void x86_cpu_cpuid(CPUX86State *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    X86CPU *cpu = x86_env_get_cpu(env);
    unsigned threads = MAX(cpu->nr_threads, 1), cores = MAX(cpu->nr_cores, 1);
    static const int vendor_order[4] = { R_EBX, R_EDX, R_ECX, -1 };
    /* out[] is indexed EAX, EBX, ECX, EDX: map the register numbers. */
    enum { A, B, C, D };
    uint32_t r[CPU_NB_REGS] = { 0 };

    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf >= 0x80000000 && leaf < 0xc0000000 && leaf > cpu->cpuid_xlevel) {
        return;
    }
    if (leaf < 0x40000000 && leaf > cpu->cpuid_level) {
        /* Intel returns the highest basic leaf's data; zeros are what guests cope with. */
        return;
    }
    switch (leaf) {
    case 0:
        out[A] = cpu->cpuid_level;
        put_string(r, cpu->cpuid_vendor, vendor_order);
        out[B] = r[R_EBX], out[C] = r[R_ECX], out[D] = r[R_EDX];
        break;
    case 1:
        out[A] = cpu->cpuid_version;
        out[B] = cpu->apic_id << 24 | 8 << 8;          /* CLFLUSH line: 8 quadwords */
        out[C] = cpu->features[FEAT_1_ECX];
        out[D] = cpu->features[FEAT_1_EDX];
        if (cores * threads > 1) {
            out[B] |= MIN(cores * threads, 255) << 16;
            out[D] |= CPUID_1_EDX_HT;
        }
        if ((out[C] & CPUID_1_ECX_XSAVE) && (env->cr[4] & CR4_OSXSAVE)) {
            out[C] |= CPUID_1_ECX_OSXSAVE;
        }
        break;
    case 7:
        if (subleaf == 0) {
            out[B] = cpu->features[FEAT_7_0_EBX];
            out[C] = cpu->features[FEAT_7_0_ECX];
            out[D] = cpu->features[FEAT_7_0_EDX];
        }
        break;
    case 0xb:
        /* SDM vol. 3, 8.9.2: x2APIC ID layout, thread bits below core bits. */
        out[D] = cpu->apic_id;
        out[C] = subleaf & 0xff;
        if (subleaf == 0) {
            out[A] = bits_for(threads);
            out[B] = threads;
            out[C] |= 1 << 8;
        } else if (subleaf == 1) {
            out[A] = bits_for(threads) + bits_for(cores);
            out[B] = threads * cores;
            out[C] |= 2 << 8;
        }
        break;
    case 0xd:
        if (subleaf == 1) {
            out[A] = cpu->features[FEAT_D_1_EAX];
        }
        break;
    case 0x40000000:
        if (cpu->features[FEAT_KVM]) {
            static const int order[4] = { R_EBX, R_ECX, R_EDX, -1 };
            out[A] = 0x40000001;
            put_string(r, "KVMKVMKVM\0\0\0", order);
            out[B] = r[R_EBX], out[C] = r[R_ECX], out[D] = r[R_EDX];
        }
        break;
    case 0x40000001:
        out[A] = cpu->features[FEAT_KVM];
        break;
    case 0x80000000:
        out[A] = cpu->cpuid_xlevel;
        put_string(r, cpu->cpuid_vendor, vendor_order);
        out[B] = r[R_EBX], out[C] = r[R_ECX], out[D] = r[R_EDX];
        break;
    case 0x80000001:
        out[A] = cpu->cpuid_version;
        out[C] = cpu->features[FEAT_8000_0001_ECX];
        out[D] = cpu->features[FEAT_8000_0001_EDX];
        if (!strcmp(cpu->cpuid_vendor, "AuthenticAMD")) {
            out[D] |= cpu->features[FEAT_1_EDX] & AMD_EDX_ALIASES;
        }
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        char id[48] = { 0 };
        memcpy(id, cpu->cpuid_model_id, strnlen(cpu->cpuid_model_id, sizeof(id)));
        memcpy(out, id + 16 * (leaf - 0x80000002), 16);
        break;
    }
    case 0x80000007:
        out[D] = cpu->features[FEAT_8000_0007_EDX];
        break;
    case 0x80000008:
        /* Physical and linear address widths. */
        out[A] = (cpu->features[FEAT_8000_0001_EDX] & EXT_LM) ? 0x3028 : 0x0024;
        break;
    default:
        break;
    }
}
