/*
 * The local APIC in user space (SDM vol. 3, chapter 10 "Advanced
 * Programmable Interrupt Controller (APIC)"), one per CPU, used when the
 * accelerator has no in-kernel irqchip (-accel tcg).  xAPIC registers in
 * the MMIO page at IA32_APIC_BASE (the page is per CPU: an access reaches
 * the APIC of the CPU doing it), x2APIC registers as MSRs 0x800-0x8ff.
 *
 * The APICs, the IOAPIC and the 8259 form one "APIC bus" per machine: the
 * IOAPIC's messages, MSIs and IPIs are routed here to their destinations.
 * Everything here runs with the BQL held.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/qdev.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "target-i386/cpu.h"

#define TYPE_APIC "apic"

/* MSI address window (SDM vol. 3, 10.11.1): writes here are interrupt messages. */
#define APIC_MSI_BASE   0xfee00000ull
#define APIC_MSI_SIZE   0x100000ull

/* Create and realize cpu's local APIC and set cpu->apic.  NULL with errp set on failure. */
DeviceState *apic_init(X86CPU *cpu, Error **errp);

/* The controllers beside the APICs: EOIs of level vectors go to ioapic; ExtINT vectors come from pic. */
void apic_bus_set_ioapic(IOAPICState *ioapic);
void apic_bus_set_pic(PICState *pic);

/* The IOAPIC's delivery callback: ioapic_set_delivery(ioapic, apic_ioapic_deliver, NULL). */
void apic_ioapic_deliver(void *opaque, const IOAPICMessage *msg);
/* An MSI (PCI 3.0, 6.8; SDM vol. 3, 10.11): data written to addr 0xFEExxxxx. */
void apic_deliver_msi(uint64_t addr, uint32_t data);

/* Drive LINT0 (n = 0) or LINT1 (n = 1); the 8259's INTR is the BSP's LINT0. */
void apic_set_lint(DeviceState *dev, int n, int level);
/* INTA: the vector the CPU takes now (IRR to ISR, or the 8259's for ExtINT), or -1. */
int apic_get_interrupt(DeviceState *dev);
/* INIT (SDM vol. 3, 10.4.7.3): back to the power-up state, keeping the APIC ID. */
void apic_init_reset(DeviceState *dev);

/*
 * RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs
 * 0x800-0x8ff for cpu: 1 done, 0 the access faults (#GP), -1 not an APIC MSR.
 */
int apic_msr_access(X86CPU *cpu, uint32_t msr, uint64_t *val, bool write);

/* The xAPIC register at offset (0x00-0xff0) of dev, as its CPU reads/writes it (tests, monitor). */
uint32_t apic_reg_read(DeviceState *dev, unsigned offset);
void apic_reg_write(DeviceState *dev, unsigned offset, uint32_t val);

/*
 * CR8 is the TPR's priority class (SDM vol. 3, 10.8.6.1; writing it clears
 * TPR[3:0]): for an accelerator that keeps CR8 in the CPU (KVM without its
 * in-kernel APIC).
 */
uint8_t apic_get_cr8(DeviceState *dev);
void apic_set_cr8(DeviceState *dev, uint8_t cr8);

/* info lapic: the registers of cpu's APIC, in QEMU's layout. */
void apic_print_info(DeviceState *dev, GString *out);

void apic_register_types(void);

#endif
