/*
 * The pc machine (-M pc): i440FX host bridge, PIIX3 with its ISA bus, the
 * legacy devices, fw_cfg, ACPI, and direct kernel boot.  What the guest sees
 * is laid out as on QEMU's pc machine, so firmware and guests behave alike.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/core/machine.h"
#include "hw/i386/e820.h"
#include "hw/i386/x86-boot.h"
#include "hw/isa/isa.h"
#include "hw/pci/pci.h"

#define TYPE_PC_MACHINE "pc" MACHINE_TYPE_SUFFIX

/* Guest-physical layout. */
#define PC_LOWMEM_DEFAULT   0xe0000000ull   /* RAM below 4 GiB when it all fits */
#define PC_LOWMEM_SPLIT     0xc0000000ull   /* ... when it does not: 3 GiB, gigabyte aligned */
#define PC_ABOVE_4G_BASE    0x100000000ull
#define PC_IOAPIC_BASE      0xfec00000ull
#define PC_HPET_BASE        0xfed00000ull
#define PC_LAPIC_BASE       0xfee00000ull
#define PC_KVM_RESERVED     0xfeffc000ull   /* identity map and TSS pages under KVM */
#define PC_BIOS_DEFAULT     "bios-256k.bin"
#define PC_ISA_BIOS_MAX     (128 * 1024)
#define PC_ACPI_RESERVE     (128 * 1024)    /* top of low RAM, for direct boot's ACPI tables */
#define PC_IOAPIC_PINS      24
#define PC_PCI_HOLE64_SIZE  (32ull << 30)

typedef struct FWCfgState FWCfgState;
typedef struct HPETState HPETState;
typedef struct IOAPICState IOAPICState;
typedef struct PICState PICState;

typedef struct PCMachineState {
    MachineState parent_obj;
    /* Properties. */
    bool hpet;
    bool acpi;
    /* Built by pc_init. */
    uint64_t below_4g_mem_size;
    uint64_t above_4g_mem_size;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion pci_memory;    /* what PCI decodes: holes, BARs, the BIOS ROM */
    MemoryRegion bios;
    MemoryRegion isa_bios;
    PCIBus *pci_bus;
    ISABus *isa_bus;
    IRQLine *gsi;               /* PC_IOAPIC_PINS lines: ISA IRQs and PCI INTx land here */
    IRQLine *pic_irqs;          /* the 8259 pair's 16 inputs */
    IRQLine *ioapic_irqs;       /* the IOAPIC's 24 inputs */
    PICState *pic;
    IOAPICState *ioapic;
    ISADevice *rtc;
    HPETState *hpet_dev;
    PCIDevice *acpi_pm;
    FWCfgState *fw_cfg;
    E820Table e820;
    bool a20_enabled;           /* the A20 gate (i8042, port 0x92) */
    bool accel_irqchip;         /* the accelerator has the PIC/IOAPIC/PIT: GSIs go there */
    IRQLine *cpu_intr;          /* the 8259's INT: the boot CPU's INTR pin */
    IRQLine *ferr;              /* the CPUs' FERR# (hw/i386/ferr.c: IRQ 13, port 0xf0) */
    bool direct_boot;
    uint64_t acpi_rsdp_addr;    /* direct boot: where the RSDP is, else 0 */
    X86BootEntry boot_entry;    /* where the boot CPU starts (firmware or kernel) */
} PCMachineState;

static inline PCMachineState *PC_MACHINE(Object *obj)
{
    return (PCMachineState *)object_check(obj, TYPE_PC_MACHINE);
}

void pc_machine_register_types(void);

#endif
