/*
 * CPUID under KVM: the -cpu model, filtered by KVM_GET_SUPPORTED_CPUID,
 * with KVM's own cache and XSAVE leaves, the topology of -smp, and KVM's
 * paravirt leaves (api.rst 4.46, KVM_GET_SUPPORTED_CPUID; cpuid.rst).
 */
#include "accel/kvm/kvm-int.h"

#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "target-i386/cpu-models.h"

/*
 * XSAVE components a guest may get: x87, SSE, AVX, the AVX-512 trio, PKRU.
 * AMX tiles need a permission request (arch_prctl) kemu does not make.
 */
#define XSTATE_ALLOWED  0x2e7ull

bool kvm_cpuid_init(Error **errp)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        c->nent = n;
        if (ioctl(kvm_state.fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            kvm_state.supported_cpuid = c;
            return true;
        }
        int err = errno;
        g_free(c);
        if (err != E2BIG) {
            error_setg(errp, "failed to initialize kvm: KVM_GET_SUPPORTED_CPUID: %s",
                       g_strerror(err));
            return false;
        }
    }
    error_setg(errp, "failed to initialize kvm: KVM_GET_SUPPORTED_CPUID: too many entries");
    return false;
}

static const struct kvm_cpuid_entry2 *supported_entry(uint32_t leaf, uint32_t subleaf)
{
    const struct kvm_cpuid2 *c = kvm_state.supported_cpuid;
    for (unsigned i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == leaf &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == subleaf)) {
            return e;
        }
    }
    return NULL;
}

static uint32_t entry_reg(const struct kvm_cpuid_entry2 *e, int reg)
{
    if (!e) {
        return 0;
    }
    switch (reg) {
    case R_EAX: return e->eax;
    case R_EBX: return e->ebx;
    case R_ECX: return e->ecx;
    default: return e->edx;
    }
}

/* -cpu host (and max, which is host under KVM): the host's identity. */
static void cpuid_take_host_identity(X86CPU *cpu)
{
    const struct kvm_cpuid_entry2 *e0 = supported_entry(0, 0);
    const struct kvm_cpuid_entry2 *e1 = supported_entry(1, 0);
    const struct kvm_cpuid_entry2 *x0 = supported_entry(0x80000000, 0);
    if (e0) {
        cpu->cpuid_level = e0->eax;
        memcpy(cpu->cpuid_vendor, &e0->ebx, 4);
        memcpy(cpu->cpuid_vendor + 4, &e0->edx, 4);
        memcpy(cpu->cpuid_vendor + 8, &e0->ecx, 4);
        cpu->cpuid_vendor[12] = '\0';
    }
    if (e1) {
        cpu->cpuid_version = e1->eax;
    }
    if (x0) {
        cpu->cpuid_xlevel = x0->eax;
    }
    uint32_t brand[12] = { 0 };
    unsigned max_ext = __get_cpuid_max(0x80000000, NULL);
    for (unsigned i = 0; i < 3 && max_ext >= 0x80000004; i++) {
        __cpuid(0x80000002 + i, brand[4 * i], brand[4 * i + 1], brand[4 * i + 2],
                brand[4 * i + 3]);
    }
    memcpy(cpu->cpuid_model_id, brand, 48);
    cpu->cpuid_model_id[48] = '\0';
    g_strstrip(cpu->cpuid_model_id);
}

static void table_add(GArray *t, uint32_t leaf, uint32_t subleaf, uint32_t flags,
                      const uint32_t r[4])
{
    struct kvm_cpuid_entry2 e = {
        .function = leaf, .index = subleaf, .flags = flags,
        .eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
    };
    g_array_append_val(t, e);
}

static unsigned pow2_ceil(unsigned n)
{
    unsigned p = 1;
    while (p < n) {
        p <<= 1;
    }
    return p;
}

/* One leaf of KVM's table as the guest will see it; false to leave it out. */
static bool cpuid_entry_for_guest(X86CPU *cpu, const struct kvm_cpuid_entry2 *s, uint32_t r[4])
{
    uint32_t leaf = s->function, sub = s->index;
    uint32_t model[4];
    bool basic = leaf < 0x40000000, ext = leaf >= 0x80000000;
    unsigned threads = MAX(cpu->nr_threads, 1), cores = MAX(cpu->nr_cores, 1);

    if ((basic && leaf > cpu->cpuid_level) || (ext && leaf > cpu->cpuid_xlevel) ||
        (!basic && !ext && (leaf > 0x40000001 || !cpu->features[FEAT_KVM]))) {
        return false;
    }
    r[0] = s->eax, r[1] = s->ebx, r[2] = s->ecx, r[3] = s->edx;
    x86_cpu_cpuid(&cpu->env, leaf, sub, model);
    switch (leaf) {
    case 0: case 1: case 0x40000000: case 0x40000001:
    case 0x80000000: case 0x80000001: case 0x80000002: case 0x80000003: case 0x80000004:
        memcpy(r, model, sizeof(model));
        break;
    case 4:
        /* SDM vol. 2A, CPUID leaf 4: cores per package, threads sharing the cache. */
        if (r[0] & 0x1f) {
            unsigned level = (r[0] >> 5) & 7;
            unsigned sharing = level >= 3 ? threads * cores : threads;
            r[0] = (r[0] & 0x3fff) | (pow2_ceil(sharing) - 1) << 14 |
                   (pow2_ceil(cores) - 1) << 26;
        }
        break;
    case 7:
        if (sub == 0) {
            r[1] = model[1], r[2] = model[2], r[3] = model[3];
            if (!cpu->max_features) {
                r[0] = 0;           /* no subleaf 1 features for named models */
            }
        } else if (!cpu->max_features) {
            return false;
        }
        break;
    case 0xa:
        if (!cpu->max_features) {
            memset(r, 0, 4 * sizeof(uint32_t));     /* no PMU on named models */
        }
        break;
    case 0xb: case 0x1f:
        return false;               /* rebuilt from -smp below */
    case 0xd:
        if (!(cpu->features[FEAT_1_ECX] & CPUID_1_ECX_XSAVE)) {
            return false;
        }
        if (sub == 0) {
            r[0] &= XSTATE_ALLOWED;
            r[3] = 0;
            /* The largest area for the enabled components. */
            uint32_t size = 576;
            for (int i = 2; i < 32; i++) {
                const struct kvm_cpuid_entry2 *c = supported_entry(0xd, i);
                if ((r[0] & (1u << i)) && c) {
                    size = MAX(size, c->ebx + c->eax);
                }
            }
            r[2] = size;
        } else if (sub == 1) {
            r[0] = model[0];
        } else if (sub >= 32 || !(XSTATE_ALLOWED & (1ull << sub))) {
            return false;
        }
        break;
    case 0x80000007:
        r[3] = model[3];
        break;
    default:
        break;
    }
    return true;
}

/* Supported bits of each feature word. */
static void cpuid_supported_words(uint32_t supported[FEATURE_WORDS])
{
    for (int w = 0; w < FEATURE_WORDS; w++) {
        const FeatureWordInfo *fw = &x86_feature_words[w];
        supported[w] = entry_reg(supported_entry(fw->leaf, fw->subleaf), fw->reg);
    }
    /* x2APIC and the TSC-deadline timer are the in-kernel APIC's; the userspace one is xAPIC. */
    if (!kvm_state.irqchip) {
        supported[FEAT_1_ECX] &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
    }
}

bool kvm_cpuid_setup(KVMCPU *k, Error **errp)
{
    X86CPU *cpu = k->cpu;
    uint32_t supported[FEATURE_WORDS];

    cpuid_supported_words(supported);
    if (cpu->max_features) {
        cpuid_take_host_identity(cpu);
    }
    /* Every vCPU filters alike; warn once. */
    x86_cpu_filter_features(cpu, supported, "kvm", cpu->cpu_index == 0);

    GArray *t = g_array_new(false, true, sizeof(struct kvm_cpuid_entry2));
    const struct kvm_cpuid2 *s = kvm_state.supported_cpuid;
    for (unsigned i = 0; i < s->nent; i++) {
        uint32_t r[4];
        if (cpuid_entry_for_guest(cpu, &s->entries[i], r)) {
            table_add(t, s->entries[i].function, s->entries[i].index, s->entries[i].flags, r);
        }
    }
    if (cpu->cpuid_level >= 0xb) {
        for (uint32_t sub = 0; sub < 3; sub++) {
            uint32_t r[4];
            x86_cpu_cpuid(&cpu->env, 0xb, sub, r);
            table_add(t, 0xb, sub, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, r);
        }
    }
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + t->len * sizeof(c->entries[0]));
    c->nent = t->len;
    memcpy(c->entries, t->data, t->len * sizeof(c->entries[0]));
    g_array_free(t, true);
    int r = kvm_vcpu_ioctl(k, KVM_SET_CPUID2, c);
    g_free(c);
    if (r < 0) {
        error_setg(errp, "kvm: KVM_SET_CPUID2 failed: %s", g_strerror(-r));
        return false;
    }
    return true;
}
