/*
 * The pc machine: builds the board in the order the hardware is wired,
 * from RAM and the PCI host outwards to the ISA devices, then the tables
 * firmware and kernels read (CMOS, fw_cfg, e820, ACPI), then the boot.
 */
#include "hw/i386/pc.h"

#include <string.h>

#include "hw/acpi/piix4-pm.h"
#include "hw/audio/pcspk.h"
#include "hw/block/virtio-blk.h"
#include "hw/char/serial.h"
#include "hw/core/firmware.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/ferr.h"
#include "hw/i386/port92.h"
#include "hw/ide/ide.h"
#include "hw/input/i8042.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/isa/piix3.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/msi.h"
#include "hw/pci-host/i440fx.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "accel/accel.h"
#include "block/blockdev.h"
#include "system/cpus.h"
#include "system/runstate.h"
#include "target-i386/cpu.h"

#define PC_MAX_SERIAL       4
#define PC_MAX_CPUS         255
#define PC_PM_BASE          0x600
#define PC_SCI_IRQ          9
#define PC_BIOS_MAX_SIZE    (16 * 1024 * 1024)

/* ---- Interrupt routing ------------------------------------------------------ */

/*
 * GSI n goes to 8259 input n (ISA IRQs) and to IOAPIC pin n, except that
 * ISA IRQ 0 (the timer) reaches the IOAPIC on pin 2, as the MADT's interrupt
 * source override tells the guest.
 */
static void pc_gsi_set(void *opaque, int n, int level)
{
    PCMachineState *pcms = opaque;
    if (pcms->accel_irqchip) {
        /* The accelerator's irqchip applies the same routing (see AccelOps.set_irq). */
        accel_current()->set_irq(n, level);
        return;
    }
    if (n < ISA_NUM_IRQS) {
        irq_set(&pcms->pic_irqs[n], level);
    }
    irq_set(&pcms->ioapic_irqs[n == 0 ? 2 : n], level);
}

static void pc_elcr_changed(void *opaque, int chip, uint8_t elcr)
{
    PICState *master = opaque;
    i8259_set_elcr(chip ? i8259_get_slave(master) : master, elcr);
}

/* The A20 gate (i8042 output port and port 0x92): the CPU masks address bit 20 when low. */
static void pc_a20_set(void *opaque, int n, int level)
{
    PCMachineState *pcms = opaque;
    pcms->a20_enabled = level;
    for (unsigned i = 0; i < cpus_count(); i++) {
        x86_cpu_set_a20(cpus_get(i), level);
    }
}

/* The master 8259's INT drives the boot CPU's INTR (virtual wire mode through LINT0). */
static void pc_cpu_intr_set(void *opaque, int n, int level)
{
    X86CPU *bsp = cpus_get(0);
    if (!bsp) {
        return;
    }
    if (bsp->apic) {
        apic_set_lint(bsp->apic, 0, level);
    } else if (level) {
        cpu_interrupt(bsp, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(bsp, CPU_INTERRUPT_HARD);
    }
}

/* ---- Memory ------------------------------------------------------------------ */

static void pc_memory_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = &pcms->parent_obj;
    Object *owner = &ms->parent_obj;

    /* Like QEMU's i440FX: all RAM below 3.5 GiB if it fits, else 3 GiB below 4 GiB. */
    uint64_t lowmem = ms->ram_size >= PC_LOWMEM_DEFAULT ? PC_LOWMEM_SPLIT : PC_LOWMEM_DEFAULT;
    pcms->below_4g_mem_size = MIN(ms->ram_size, lowmem);
    pcms->above_4g_mem_size = ms->ram_size - pcms->below_4g_mem_size;

    memory_region_init_alias(&pcms->ram_below_4g, owner, "ram-below-4g", ms->ram, 0,
                             pcms->below_4g_mem_size);
    memory_region_add_subregion(get_system_memory(), 0, &pcms->ram_below_4g);
    if (pcms->above_4g_mem_size) {
        memory_region_init_alias(&pcms->ram_above_4g, owner, "ram-above-4g", ms->ram,
                                 pcms->below_4g_mem_size, pcms->above_4g_mem_size);
        memory_region_add_subregion(get_system_memory(), PC_ABOVE_4G_BASE, &pcms->ram_above_4g);
    }
    /* What PCI decodes shows through wherever RAM does not. */
    memory_region_init(&pcms->pci_memory, owner, "pci", UINT64_MAX);
    memory_region_add_subregion_overlap(get_system_memory(), 0, &pcms->pci_memory, -1);
}

/*
 * The firmware image is mapped read-only just below 4 GiB, and its last
 * 128 KiB also at 0xE0000-0xFFFFF (the "isa-bios"), where the reset vector's
 * real-mode code lives.  Direct boot runs without it if it is missing.
 */
static bool pc_bios_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = &pcms->parent_obj;
    const char *name = ms->firmware ? ms->firmware : PC_BIOS_DEFAULT;
    g_autofree char *path = firmware_find(name);
    if (!path) {
        if (pcms->direct_boot && !ms->firmware) {
            return true;
        }
        error_setg(errp, "could not load PC BIOS '%s'", name);
        return false;
    }
    gchar *data;
    gsize size;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &data, &size, &gerr)) {
        error_setg(errp, "could not load PC BIOS '%s': %s", path, gerr->message);
        g_error_free(gerr);
        return false;
    }
    bool ok = false;
    if (size == 0 || size % 65536 || size > PC_BIOS_MAX_SIZE) {
        error_setg(errp, "could not load PC BIOS '%s': its size must be a multiple of "
                   "64 KiB, at most 16 MiB", path);
        goto out;
    }
    Object *owner = &ms->parent_obj;
    if (!memory_region_init_rom(&pcms->bios, owner, "pc.bios", size, errp)) {
        goto out;
    }
    memcpy(memory_region_get_ram_ptr(&pcms->bios), data, size);
    memory_region_add_subregion(&pcms->pci_memory, (uint32_t)-size, &pcms->bios);
    uint64_t isa_size = MIN(size, PC_ISA_BIOS_MAX);
    memory_region_init_alias(&pcms->isa_bios, owner, "isa-bios", &pcms->bios, size - isa_size,
                             isa_size);
    memory_region_add_subregion_overlap(&pcms->pci_memory, 0x100000 - isa_size, &pcms->isa_bios, 1);
    ok = true;
out:
    g_free(data);
    return ok;
}

/* ---- Devices ------------------------------------------------------------------ */

static bool pc_devices_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = &pcms->parent_obj;

    pcms->pci_bus = i440fx_init(get_system_memory(), get_system_io(), ms->ram,
                                &pcms->pci_memory, errp);
    if (!pcms->pci_bus) {
        return false;
    }
    PIIX3State *piix3 = piix3_create(pcms->pci_bus, errp);
    if (!piix3) {
        return false;
    }
    pcms->isa_bus = piix3_isa_bus(piix3);

    pcms->gsi = irq_new_array(pc_gsi_set, pcms, PC_IOAPIC_PINS);
    IRQLine *isa_lines[ISA_NUM_IRQS];
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa_lines[i] = &pcms->gsi[i];
    }
    isa_bus_set_irqs(pcms->isa_bus, isa_lines);

    pcms->cpu_intr = irq_new_array(pc_cpu_intr_set, pcms, 1);
    pcms->pic_irqs = i8259_init(pcms->isa_bus, pcms->cpu_intr, &pcms->pic);
    piix3_set_elcr_handler(piix3, pc_elcr_changed, pcms->pic);
    IOAPICState *ioapic = ioapic_init(errp);
    if (!ioapic) {
        return false;
    }
    pcms->ioapic = ioapic;
    pcms->ioapic_irqs = ioapic_get_inputs(ioapic);
    IRQLine *pirq_lines[4];
    for (int i = 0; i < 4; i++) {
        pirq_lines[i] = &pcms->gsi[16 + i];
    }
    piix3_set_ioapic_irqs(piix3, pirq_lines);

    /*
     * With the accelerator's PIT (KVM_CREATE_PIT2, which also answers port
     * 0x61's timer bits) ours still exists for the speaker and the HPET to
     * talk to, but its IRQ 0 is left unwired so the guest gets one timer.
     */
    if (pcms->accel_irqchip) {
        isa_lines[0] = NULL;
        isa_bus_set_irqs(pcms->isa_bus, isa_lines);
    }
    PITState *pit = pit_init(pcms->isa_bus, errp);
    if (pcms->accel_irqchip) {
        isa_lines[0] = &pcms->gsi[0];
        isa_bus_set_irqs(pcms->isa_bus, isa_lines);
    }
    if (!pit || !pcspk_init(pcms->isa_bus, pit, errp)) {
        return false;
    }
    if (pcms->hpet) {
        pcms->hpet_dev = hpet_init(pit, errp);
        if (!pcms->hpet_dev) {
            return false;
        }
        for (unsigned n = 0; n < PC_IOAPIC_PINS; n++) {
            hpet_connect_irq(pcms->hpet_dev, n, &pcms->gsi[n]);
        }
        /* The RTC's IRQ 8 passes through the HPET, which blocks it in legacy mode. */
        isa_lines[RTC_ISA_IRQ] = hpet_rtc_irq_in(pcms->hpet_dev);
        isa_bus_set_irqs(pcms->isa_bus, isa_lines);
    }
    pcms->rtc = mc146818_rtc_init(pcms->isa_bus, 2000, errp);
    if (!pcms->rtc) {
        return false;
    }
    if (pcms->hpet) {
        isa_lines[RTC_ISA_IRQ] = &pcms->gsi[RTC_ISA_IRQ];
        isa_bus_set_irqs(pcms->isa_bus, isa_lines);
    }

    for (int i = 0; i < PC_MAX_SERIAL; i++) {
        if (serial_hd(i) && !serial_isa_init(pcms->isa_bus, i, serial_hd(i), errp)) {
            return false;
        }
    }
    IRQLine *a20 = irq_new_array(pc_a20_set, pcms, 1);
    pcms->a20_enabled = true;
    ISADevice *kbd = i8042_init(pcms->isa_bus, errp);
    if (!kbd || !port92_init(pcms->isa_bus, a20, errp)) {
        return false;
    }
    i8042_set_a20_line(kbd, a20);
    ISADevice *ferr = ferr_init(pcms->isa_bus, errp);
    if (!ferr) {
        return false;
    }
    pcms->ferr = ferr_get_input(ferr);

    /* IDE at 01.1 with -hda..-hdd, -cdrom and -drive if=ide on its two channels. */
    PCIDevice *ide = piix3_ide_create(pcms->pci_bus, pcms->isa_bus, errp);
    if (!ide || !piix3_ide_attach_drives(ide, errp)) {
        return false;
    }
    if (pcms->acpi) {
        PCIDevice *pm = pci_create_simple(pcms->pci_bus, PCI_DEVFN(1, 3), TYPE_PIIX4_PM, errp);
        if (!pm) {
            return false;
        }
        piix4_pm_set_sci_irq(pm, &pcms->gsi[PC_SCI_IRQ]);
        pcms->acpi_pm = pm;
    }
    /* -drive if=virtio: a virtio-blk-pci each, in the next free slots. */
    for (DriveInfo *d = drive_next(NULL); d; d = drive_next(d)) {
        if (d->type == IF_VIRTIO) {
            DeviceState *dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
            if (!qdev_prop_set(dev, "drive", d->id, errp) ||
                !qdev_realize_and_unref(dev, &pcms->pci_bus->parent_obj, errp)) {
                return false;
            }
        }
    }
    pcms->fw_cfg = fw_cfg_init_io(FW_CFG_IO_BASE, FW_CFG_IO_DMA_BASE, errp);
    return pcms->fw_cfg != NULL;
}

/* ---- Tables: e820, CMOS, fw_cfg, ACPI -------------------------------------------- */

static bool pc_e820_init(PCMachineState *pcms, Error **errp)
{
    E820Table *t = &pcms->e820;
    uint64_t low_ram_end = pcms->below_4g_mem_size;
    memset(t, 0, sizeof(*t));
    bool ok = e820_add_entry(t, 0, 0x9fc00, E820_RAM, errp) &&
              e820_add_entry(t, 0x9fc00, 0x400, E820_RESERVED, errp) &&
              e820_add_entry(t, 0xf0000, 0x10000, E820_RESERVED, errp);
    if (pcms->direct_boot) {
        /* Direct boot puts the ACPI tables at the top of low RAM. */
        low_ram_end -= PC_ACPI_RESERVE;
    }
    ok = ok && e820_add_entry(t, 0x100000, low_ram_end - 0x100000, E820_RAM, errp);
    if (pcms->direct_boot) {
        ok = ok && e820_add_entry(t, low_ram_end, PC_ACPI_RESERVE, E820_ACPI, errp);
    }
    ok = ok && e820_add_entry(t, PC_KVM_RESERVED, 0x4000, E820_RESERVED, errp);
    if (pcms->above_4g_mem_size) {
        ok = ok && e820_add_entry(t, PC_ABOVE_4G_BASE, pcms->above_4g_mem_size, E820_RAM, errp);
    }
    return ok;
}

/* SeaBIOS's view of the RAM, for fw_cfg "etc/e820": it adds the low areas itself. */
static bool pc_e820_fw_cfg(PCMachineState *pcms, Error **errp)
{
    E820Table t = { 0 };
    bool ok = e820_add_entry(&t, 0, pcms->below_4g_mem_size, E820_RAM, errp) &&
              e820_add_entry(&t, PC_KVM_RESERVED, 0x4000, E820_RESERVED, errp);
    if (pcms->above_4g_mem_size) {
        ok = ok && e820_add_entry(&t, PC_ABOVE_4G_BASE, pcms->above_4g_mem_size, E820_RAM, errp);
    }
    if (ok) {
        e820_to_fw_cfg(&t, pcms->fw_cfg);
    }
    return ok;
}

/* Boot device codes of CMOS 0x3d/0x38: a floppy, c disk, d CD-ROM, n network. */
static int pc_boot_device_code(char c)
{
    switch (c) {
    case 'a': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    default: return 0;
    }
}

/* The CMOS bytes PC BIOSes read (the layout is the IBM AT's, extended by Bochs/QEMU). */
static void pc_cmos_init(PCMachineState *pcms)
{
    MachineState *ms = &pcms->parent_obj;
    ISADevice *rtc = pcms->rtc;

    rtc_set_memory(rtc, 0x14, 0x06);            /* equipment: FPU, PS/2 mouse, no floppy */
    rtc_set_memory(rtc, 0x15, 640 & 0xff);      /* base memory in KiB */
    rtc_set_memory(rtc, 0x16, 640 >> 8);
    uint64_t ext_kb = MIN((pcms->below_4g_mem_size - 0x100000) >> 10, 0xffff);
    rtc_set_memory(rtc, 0x17, ext_kb);          /* KiB above 1 MiB */
    rtc_set_memory(rtc, 0x18, ext_kb >> 8);
    rtc_set_memory(rtc, 0x30, ext_kb);
    rtc_set_memory(rtc, 0x31, ext_kb >> 8);
    uint64_t above_16m = pcms->below_4g_mem_size > 0x1000000 ?
                         MIN((pcms->below_4g_mem_size - 0x1000000) >> 16, 0xffff) : 0;
    rtc_set_memory(rtc, 0x34, above_16m);       /* 64 KiB units above 16 MiB */
    rtc_set_memory(rtc, 0x35, above_16m >> 8);
    uint64_t above_4g = pcms->above_4g_mem_size >> 16;
    rtc_set_memory(rtc, 0x5b, above_4g);        /* 64 KiB units above 4 GiB */
    rtc_set_memory(rtc, 0x5c, above_4g >> 8);
    rtc_set_memory(rtc, 0x5d, above_4g >> 16);
    rtc_set_memory(rtc, 0x5f, ms->smp.cpus - 1);

    const char *order = ms->boot_order ? ms->boot_order : "cad";
    int dev[3] = { 0 };
    for (int i = 0; i < 3 && order[i]; i++) {
        dev[i] = pc_boot_device_code(order[i]);
    }
    rtc_set_memory(rtc, 0x3d, dev[1] << 4 | dev[0]);
    rtc_set_memory(rtc, 0x38, dev[2] << 4);     /* bit 0 clear: check the floppy signature */
}

static void pc_fw_cfg_init(PCMachineState *pcms)
{
    MachineState *ms = &pcms->parent_obj;
    FWCfgState *fw = pcms->fw_cfg;

    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, ms->smp.cpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, ms->smp.max_cpus);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, !ms->graphics);
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, 0);
}

static AcpiBuildConfig pc_acpi_config(PCMachineState *pcms)
{
    MachineState *ms = &pcms->parent_obj;
    return (AcpiBuildConfig){
        .cpus = ms->smp.cpus,
        .max_cpus = ms->smp.max_cpus,
        .below_4g_mem = pcms->below_4g_mem_size,
        .above_4g_mem = pcms->above_4g_mem_size,
        /* A 64-bit PCI window above the RAM, as QEMU's pc offers (32 GiB). */
        .pci_hole64_start = PC_ABOVE_4G_BASE + pcms->above_4g_mem_size,
        .pci_hole64_size = PC_PCI_HOLE64_SIZE,
        .serial = { serial_hd(0) != NULL, serial_hd(1) != NULL },
        .hpet = pcms->hpet,
        .hpet_block_id = pcms->hpet ? hpet_block_id(pcms->hpet_dev) : 0,
        .pm_base = PC_PM_BASE,
        .sci_irq = PC_SCI_IRQ,
    };
}

/*
 * ACPI tables go to SeaBIOS through fw_cfg (it allocates and patches them);
 * a directly booted kernel finds them in the reserved top of low RAM.
 */
static bool pc_acpi_init(PCMachineState *pcms, uint64_t *rsdp_addr, Error **errp)
{
    *rsdp_addr = 0;
    if (!pcms->acpi) {
        return true;
    }
    AcpiBuildConfig cfg = pc_acpi_config(pcms);
    AcpiTables tables = { 0 };
    if (!acpi_build_tables(&cfg, &tables, errp)) {
        return false;
    }
    acpi_tables_add_fw_cfg(&tables, pcms->fw_cfg);
    bool ok = true;
    if (pcms->direct_boot) {
        uint64_t base = pcms->below_4g_mem_size - PC_ACPI_RESERVE;
        uint64_t rsdp = (base + tables.tables->len + 15) & ~15ull;
        if (rsdp + tables.rsdp->len > pcms->below_4g_mem_size) {
            error_setg(errp, "ACPI tables do not fit in the %u KiB reserved for them",
                       PC_ACPI_RESERVE / 1024);
            ok = false;
        } else {
            ok = acpi_install_tables(&tables, address_space_memory(), base, rsdp, errp);
            *rsdp_addr = rsdp;
            /* Direct boot has no firmware to program the PM base. */
            piix4_pm_set_base(pcms->acpi_pm, PC_PM_BASE);
        }
    }
    acpi_tables_free(&tables);
    return ok;
}

/* ---- Boot ------------------------------------------------------------------------- */

static bool pc_load_kernel(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = &pcms->parent_obj;
    X86BootConfig cfg = {
        .kernel = ms->kernel_filename,
        .initrd = ms->initrd_filename,
        .cmdline = ms->kernel_cmdline ? ms->kernel_cmdline : "",
        .below_4g_mem_size = pcms->below_4g_mem_size,
        .e820 = &pcms->e820,
        .acpi_rsdp_addr = pcms->acpi_rsdp_addr,
    };
    return x86_load_kernel(&cfg, &pcms->boot_entry, errp);
}

/*
 * A reset re-runs what firmware would: the kernel and ACPI tables are put
 * back, since the guest may have overwritten that RAM.
 */
static void pc_machine_reset(void *opaque)
{
    PCMachineState *pcms = opaque;
    Error *err = NULL;
    if (pcms->direct_boot && !(pc_acpi_init(pcms, &pcms->acpi_rsdp_addr, &err) &&
                               pc_load_kernel(pcms, &err))) {
        error_report_err(err);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR);
    }
}

/*
 * The CPUs: smp.cpus of them, APIC IDs 0..n-1 (the MADT lists the same),
 * #0 the BSP.  They start at the next reset; the BSP where boot_entry says.
 */
static bool pc_cpus_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = &pcms->parent_obj;
    cpus_init();
    cpus_set_boot_entry(&pcms->boot_entry);
    for (unsigned i = 0; i < ms->smp.cpus; i++) {
        DeviceState *dev = qdev_new(TYPE_X86_CPU);
        X86CPU *cpu = X86_CPU(&dev->parent_obj);
        g_autofree char *id = g_strdup_printf("%u", i);
        if (!qdev_prop_set(dev, "apic-id", id, errp) ||
            (ms->cpu_model && !qdev_prop_set(dev, "model", ms->cpu_model, errp))) {
            object_unref(&dev->parent_obj);
            return false;
        }
        cpu->cpu_index = i;
        cpu->nr_cores = ms->smp.cores;
        cpu->nr_threads = ms->smp.threads;
        if (!qdev_realize_and_unref(dev, NULL, errp) || !cpus_add(cpu, errp)) {
            return false;
        }
        x86_cpu_set_a20(cpu, pcms->a20_enabled);
        /* Without the accelerator's irqchip, each CPU gets kemu's local APIC. */
        if (!pcms->accel_irqchip && !apic_init(cpu, errp)) {
            return false;
        }
    }
    if (!pcms->accel_irqchip) {
        /* The APIC bus: IOAPIC messages to the APICs, EOIs back, ExtINT vectors from the 8259. */
        apic_bus_set_ioapic(pcms->ioapic);
        apic_bus_set_pic(pcms->pic);
        ioapic_set_delivery(pcms->ioapic, apic_ioapic_deliver, NULL);
        msi_set_delivery(apic_deliver_msi);
    } else {
        msi_set_delivery(accel_current()->send_msi);
    }
    return true;
}

static bool pc_init(MachineState *ms, Error **errp)
{
    PCMachineState *pcms = PC_MACHINE(&ms->parent_obj);
    const AccelOps *accel = accel_current();

    if (ms->ram_size < 1024 * 1024 * 2) {
        error_setg(errp, "the pc machine needs at least 2 MiB of RAM");
        return false;
    }
    pcms->direct_boot = ms->kernel_filename != NULL;
    pcms->accel_irqchip = accel && accel->has_irqchip && accel->has_irqchip();
    if (!machine_create_ram(ms, "pc.ram", errp)) {
        return false;
    }
    pc_memory_init(pcms, errp);
    if (!pc_bios_init(pcms, errp) || !pc_devices_init(pcms, errp) || !pc_e820_init(pcms, errp) ||
        !pc_e820_fw_cfg(pcms, errp)) {
        return false;
    }
    pc_cmos_init(pcms);
    pc_fw_cfg_init(pcms);
    /* ACPI tables go in the fw_cfg file directory in either case. */
    if (!pc_acpi_init(pcms, &pcms->acpi_rsdp_addr, errp)) {
        return false;
    }
    /* Before pc_machine_reset: the CPUs' reset handler parks them first. */
    if (!pc_cpus_init(pcms, errp)) {
        return false;
    }
    if (pcms->direct_boot) {
        if (!pc_load_kernel(pcms, errp)) {
            return false;
        }
        runstate_add_reset_handler(pc_machine_reset, pcms);
    } else {
        pcms->boot_entry = (X86BootEntry){ .mode = X86_BOOT_FIRMWARE };
    }
    return true;
}

static const Property pc_machine_props[] = {
    PROP_BOOL("hpet", PCMachineState, hpet, true),
    PROP_BOOL("acpi", PCMachineState, acpi, true),
    PROP_END
};

static void pc_machine_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = (MachineClass *)oc;
    mc->name = "pc";
    mc->alias = "pc-i440fx";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->is_default = true;
    mc->max_cpus = PC_MAX_CPUS;
    mc->min_cpus = 1;
    mc->default_ram_size = 128 * 1024 * 1024;
    mc->init = pc_init;
    object_class_set_props(oc, pc_machine_props);
}

static const TypeInfo pc_machine_type = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_MACHINE,
    .instance_size = sizeof(PCMachineState),
    .class_init = pc_machine_class_init,
};

void pc_machine_register_types(void)
{
    type_register(&pc_machine_type);
}
