/*
 * Message Signalled Interrupts: the MSI capability (PCI 3.0, 6.8.1) and the
 * path every interrupt message takes to the CPUs.
 *
 * An interrupt message is a 32-bit write of `data` to `addr` in the
 * 0xFEExxxxx window (SDM vol. 3, 11.11): the board chooses who receives
 * it — KVM's in-kernel irqchip or kemu's local APICs — with
 * msi_set_delivery().  Devices never send a message directly: they call
 * msi_notify() or msix_notify(), which apply enable and mask state.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

#define PCI_CAP_ID_MSI          0x05
#define PCI_MSI_FLAGS           2       /* message control, from the capability */
#define  PCI_MSI_FLAGS_ENABLE   0x0001
#define  PCI_MSI_FLAGS_QMASK    0x000e  /* multiple message capable (log2) */
#define  PCI_MSI_FLAGS_QSIZE    0x0070  /* multiple message enable (log2) */
#define  PCI_MSI_FLAGS_64BIT    0x0080
#define  PCI_MSI_FLAGS_MASKBIT  0x0100  /* per-vector masking capable */
#define PCI_MSI_ADDRESS_LO      4
#define PCI_MSI_ADDRESS_HI      8       /* 64-bit capability only */
#define PCI_MSI_VECTORS_MAX     32

typedef void MSIDeliverFunc(uint64_t addr, uint32_t data);

/* Where interrupt messages go; the board sets it before devices run. */
void msi_set_delivery(MSIDeliverFunc *fn);
/* Deliver one message (no enable or mask checks: those are the caller's). */
void msi_send_message(uint64_t addr, uint32_t data);

/*
 * Add an MSI capability at offset (0: the first free place) for up to
 * nr_vectors (a power of two, 1-32), with 64-bit addresses and per-vector
 * masking as asked.  Call from realize.
 */
bool msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, bool msi64bit,
              bool per_vector_mask, Error **errp);
bool msi_enabled(const PCIDevice *dev);
/* Signal vector (below the enabled count; else nothing): sent, or pending while masked. */
void msi_notify(PCIDevice *dev, unsigned vector);

/* For the PCI core: config bytes [addr, addr+len) were written; reset. */
void msi_write_config(PCIDevice *dev, uint32_t addr, int len);
void msi_reset(PCIDevice *dev);

#endif
