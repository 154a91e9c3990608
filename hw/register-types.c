#include "hw/register-types.h"

#include "chardev/char.h"
#include "hw/acpi/piix4-pm.h"
#include "hw/audio/pcspk.h"
#include "hw/block/virtio-blk.h"
#include "hw/char/debugcon.h"
#include "hw/char/serial.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/i386/ferr.h"
#include "hw/i386/pc.h"
#include "hw/i386/port92.h"
#include "hw/ide/ide.h"
#include "hw/input/i8042.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/isa/isa.h"
#include "hw/isa/piix3.h"
#include "hw/misc/debugexit.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "hw/virtio/virtio-pci.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "target-i386/cpu.h"

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
    pc_machine_register_types();
    x86_cpu_register_types();
    isa_register_types();
    pci_register_types();
    virtio_pci_register_types();
    virtio_blk_register_types();
    ide_register_types();
    /* Devices: one line each, in the order of hw/ folders. */
    piix3_register_types();
    i440fx_register_types();
    i8259_register_types();
    ioapic_register_types();
    apic_register_types();
    pit_register_types();
    hpet_register_types();
    mc146818rtc_register_types();
    serial_register_types();
    debugcon_register_types();
    i8042_register_types();
    pcspk_register_types();
    debugexit_register_types();
    fw_cfg_register_types();
    piix4_pm_register_types();
    port92_register_types();
    ferr_register_types();
    chardev_register_backends();
}
