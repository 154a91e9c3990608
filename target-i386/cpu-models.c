#include "target-i386/cpu-models.h"

#include <string.h>

static const struct {
    const char *name;
    const char *desc;
} x86_models[] = {
    { "base", "base CPU model type with no features enabled" },
    { "host", "processor with all supported host features (KVM only)" },
    { "max", "Enables all features supported by the accelerator in the current host" },
    { "qemu32", "QEMU Virtual CPU version 2.5+" },
    { "qemu64", "QEMU Virtual CPU version 2.5+" },
    { "kvm64", "Common KVM processor" },
};

void x86_cpu_print_models(GString *out)
{
    g_string_append(out, "Available CPUs:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(x86_models); i++) {
        g_string_append_printf(out, "x86 %-20s %s\n", x86_models[i].name, x86_models[i].desc);
    }
}

bool x86_cpu_check_model(const char *spec, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    bool found = false;
    for (size_t i = 0; i < G_N_ELEMENTS(x86_models); i++) {
        if (!strcmp(parts[0], x86_models[i].name)) {
            found = true;
        }
    }
    if (!found) {
        error_setg(errp, "unable to find CPU model '%s'", parts[0]);
        return false;
    }
    for (int i = 1; parts[i]; i++) {
        const char *f = parts[i];
        bool plusminus = (f[0] == '+' || f[0] == '-') && f[1];
        if (!plusminus && !strchr(f, '=')) {
            error_setg(errp, "Expected key=value format, found %s", f);
            return false;
        }
    }
    return true;
}
