/* -accel tcg: kemu's own interpreter (target-i386).  Always available. */
#include "accel/accel.h"

#include <string.h>

static bool tcg_parse_opts(Opts *opts, Error **errp)
{
    /* thread=single is the only mode: all vCPUs run round-robin in one thread. */
    const char *thread = opts_get(opts, "thread");
    if (thread && strcmp(thread, "single")) {
        error_setg(errp, "-accel tcg,thread=%s: only thread=single is supported", thread);
        return false;
    }
    uint64_t tb_size;
    return opts_get_size(opts, "tb-size", 0, &tb_size, errp);
}

static bool tcg_init(MachineState *ms, Error **errp)
{
    return true;
}

const AccelOps accel_tcg_ops = {
    .name = "tcg",
    .desc = "the kemu interpreter",
    .parse_opts = tcg_parse_opts,
    .init = tcg_init,
};
