/* The x86 CPU models -cpu accepts.  Their CPUID definitions come with the accelerators. */
#ifndef TARGET_I386_CPU_MODELS_H
#define TARGET_I386_CPU_MODELS_H

#include <stdbool.h>
#include <glib.h>
#include "util/error.h"

/* "-cpu help". */
void x86_cpu_print_models(GString *out);
/*
 * Check "-cpu model[,+feat,-feat,feat=on]": the model must exist; the
 * feature syntax must be well formed (the names are checked by the accelerator).
 */
bool x86_cpu_check_model(const char *spec, Error **errp);

#endif
