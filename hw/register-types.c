#include "hw/register-types.h"

#include "chardev/char.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/isa/isa.h"
#include "migration/vmstate.h"
#include "system/timer.h"

void kemu_register_all_types(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    /* VMState reaches timers through these, so it need not link the main loop. */
    vmstate_set_timer_ops(timer_expire_time, timer_mod, timer_del);
    object_register_types();
    qdev_register_types();
    machine_register_types();
    machine_none_register_types();
    isa_register_types();
    /* Devices: one line each, in the order of hw/ folders. */
    chardev_register_backends();
}
