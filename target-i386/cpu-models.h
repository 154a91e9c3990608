/*
 * The x86 CPU models -cpu accepts and their CPUID definitions: vendor,
 * family/model/stepping, highest leaves and feature bits, named as QEMU
 * names them so the same -cpu strings work.
 */
#ifndef TARGET_I386_CPU_MODELS_H
#define TARGET_I386_CPU_MODELS_H

#include <stdbool.h>
#include <glib.h>
#include "target-i386/cpu.h"
#include "util/error.h"

struct X86CPUDefinition {
    const char *name;
    const char *desc;
    const char *vendor;         /* 12 characters: "GenuineIntel", "AuthenticAMD" */
    unsigned family, model, stepping;
    uint32_t level, xlevel;
    uint32_t features[FEATURE_WORDS];
    const char *model_id;       /* the brand string of leaves 0x80000002-4 */
    bool max_features;          /* host, max: what the accelerator supports */
    bool kvm_only;              /* host */
};

/* Where a feature word lives in CPUID. */
typedef struct FeatureWordInfo {
    uint32_t leaf, subleaf;
    int reg;                    /* R_EAX, R_EBX, R_ECX or R_EDX */
    const char *names[32];      /* NULL: a bit -cpu cannot name */
} FeatureWordInfo;

extern const FeatureWordInfo x86_feature_words[FEATURE_WORDS];

/* "-cpu help". */
void x86_cpu_print_models(GString *out);
/*
 * Check "-cpu model[,+feat,-feat,feat=on|off,key=value]": the model and
 * every feature and key must exist and be well formed.
 */
bool x86_cpu_check_model(const char *spec, Error **errp);

const X86CPUDefinition *x86_cpu_find_model(const char *name);
/*
 * Set cpu's CPUID fields from a -cpu string (as x86_cpu_check_model accepts).
 * accel_name ("kvm", "tcg" or NULL) picks QEMU's per-accelerator defaults.
 */
bool x86_cpu_apply_model(X86CPU *cpu, const char *spec, const char *accel_name, Error **errp);

/*
 * Keep only what the accelerator supports (supported[] per feature word);
 * host/max get all of it less the -feat ones.  With warn, reports as QEMU
 * does each bit the model asked for that is missing.
 */
void x86_cpu_filter_features(X86CPU *cpu, const uint32_t supported[FEATURE_WORDS],
                             const char *accel_name, bool warn);

/*
 * CPUID of the model: leaves 0, 1, 7, 0x0b (topology from nr_cores and
 * nr_threads), 0x80000000-0x80000004, 0x40000000-0x40000001.  Other leaves
 * (caches, XSAVE sizes, address sizes) read zero; accelerators fill those
 * from what they run on.
 */
void x86_cpu_cpuid(CPUX86State *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
