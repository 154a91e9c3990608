/*
 * The PIIX4 power management function (PCI 00:01.3, 8086:7113): the ACPI
 * fixed hardware (PM1 event and control registers, the PM timer) at the I/O
 * base the firmware programs into PMBA, a GPE0 block at 0xafe0 as on QEMU's
 * pc machine, the APM control port 0xB2 through which the OS turns ACPI on,
 * and an SMBus host controller with nothing on its bus.
 *
 * The SCI is an output the board wires to ISA IRQ 9 (level, active high, as
 * the MADT's interrupt source override says).  For direct boot the board
 * does what firmware would: piix4_pm_set_base(dev, 0x600).
 */
#ifndef HW_ACPI_PIIX4_PM_H
#define HW_ACPI_PIIX4_PM_H

#include <stdint.h>

#include "hw/core/irq.h"
#include "hw/pci/pci.h"

#define TYPE_PIIX4_PM "PIIX4_PM"
#define PIIX4_PM_DEVICE_ID      0x7113
#define PIIX4_PM_REVISION       0x03

/* Where SeaBIOS puts the blocks and kemu's FADT says they are. */
#define PIIX4_PM_BASE_DEFAULT   0x600
#define PIIX4_PM_IO_SIZE        64
#define PIIX4_GPE0_BASE         0xafe0
#define PIIX4_GPE0_LEN          4       /* 2 bytes status, 2 bytes enable */
#define PIIX4_SCI_IRQ           9

/* APM control: the FADT's SMI_CMD and the values that switch ACPI mode. */
#define APM_CNT_PORT            0xb2
#define APM_STS_PORT            0xb3
#define ACPI_ENABLE_CMD         0xf1
#define ACPI_DISABLE_CMD        0xf0

/* PM timer (ACPI 6.5, 4.8.3.3): 24 bits at 3.579545 MHz. */
#define ACPI_PM_TIMER_FREQUENCY 3579545

/* PM1 registers, offsets from the PM base (ACPI 6.5, 4.8.3.1 and 4.8.3.2). */
#define ACPI_PM1_STS            0x00
#define ACPI_PM1_EN             0x02
#define ACPI_PM1_CNT            0x04
#define ACPI_PM_TMR             0x08
#define  ACPI_BITMASK_TIMER         0x0001
#define  ACPI_BITMASK_GBL           0x0020
#define  ACPI_BITMASK_PWRBTN        0x0100
#define  ACPI_BITMASK_SLPBTN        0x0200
#define  ACPI_BITMASK_RTC           0x0400
#define  ACPI_BITMASK_WAKE          0x8000
#define  ACPI_BITMASK_SCI_EN        0x0001
#define  ACPI_SLP_TYP_SHIFT         10
#define  ACPI_SLP_TYP_MASK          0x1c00
#define  ACPI_BITMASK_SLP_EN        0x2000
/* The SLP_TYP of \_S5 in kemu's DSDT (Package {0, 0, 0, 0}, as QEMU's). */
#define PIIX4_SLP_TYP_S5        0

/* The SCI output (the board gives it ISA IRQ 9's line). */
void piix4_pm_set_sci_irq(PCIDevice *dev, IRQLine *irq);
/*
 * Program PMBA with base and set PMIOSE, as the firmware does: now and after
 * every reset (direct boot has no firmware to do it again).  Boards that run
 * firmware do not call it, and reset leaves the block off as on hardware.
 */
void piix4_pm_set_base(PCIDevice *dev, uint16_t base);
/* Set GPE0 status bit n (0-15), raising the SCI if it is enabled (hot plug, later). */
void piix4_pm_gpe_set(PCIDevice *dev, unsigned n);

void piix4_pm_register_types(void);

#endif
