#include "accel/accel.h"

#include <string.h>

static const AccelOps *const accels[] = {
    &accel_tcg_ops,
    &accel_kvm_ops,
};

static const AccelOps *current;

const AccelOps *accel_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(accels); i++) {
        if (!strcmp(accels[i]->name, name)) {
            return accels[i];
        }
    }
    return NULL;
}

void accel_print_list(GString *out)
{
    g_string_append(out, "Accelerators supported in kemu binary:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(accels); i++) {
        g_string_append_printf(out, "%s\n", accels[i]->name);
    }
}

bool accel_init_machine(GPtrArray *accel_opts, MachineState *ms, Error **errp)
{
    for (guint i = 0; i < accel_opts->len; i++) {
        Opts *opts = g_ptr_array_index(accel_opts, i);
        const char *name = opts_get(opts, "accel");
        const AccelOps *ops = accel_find(name);
        if (!ops) {
            error_setg(errp, "invalid accelerator %s", name);
            return false;
        }
        if ((ops->parse_opts && !ops->parse_opts(opts, errp)) || !opts_check_unused(opts, errp)) {
            return false;
        }
        Error *err = NULL;
        if (ops->init(ms, &err)) {
            current = ops;
            return true;
        }
        if (i + 1 == accel_opts->len) {
            error_propagate(errp, err);
            return false;
        }
        /* As QEMU does: report, then try the next one in the list. */
        error_report_err(err);
        Opts *next = g_ptr_array_index(accel_opts, i + 1);
        error_report("falling back to %s", opts_get(next, "accel"));
    }
    error_setg(errp, "no accelerator found");
    return false;
}

const AccelOps *accel_current(void)
{
    return current;
}

void accel_cleanup(void)
{
    if (current && current->cleanup) {
        current->cleanup();
    }
    current = NULL;
}
