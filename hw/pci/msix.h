/*
 * MSI-X (PCI 3.0, 6.8.2): a table of (address, data, mask) entries and a
 * pending-bit array, both in a memory BAR the device provides, and a
 * capability whose control word enables the function and masks it whole.
 * Messages go out through msi_send_message() (hw/pci/msi.h).
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_CAP_ID_MSIX         0x11
#define PCI_MSIX_FLAGS          2       /* message control, from the capability */
#define  PCI_MSIX_FLAGS_QSIZE   0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL 0x4000
#define  PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE          4       /* table offset | BIR */
#define PCI_MSIX_PBA            8       /* PBA offset | BIR */
#define PCI_MSIX_ENTRY_SIZE     16
#define PCI_MSIX_ENTRY_CTRL     12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1
#define PCI_MSIX_VECTORS_MAX    2048

/*
 * Add an MSI-X capability at offset (0: the first free place) for
 * nr_vectors, the table at table_offset and the pending bits at pba_offset
 * inside bar (a memory region the device registers as BAR bar_nr; both
 * offsets 8-byte aligned, inside it and not overlapping).  Call from
 * realize; the PCI core removes it at unrealize.
 */
bool msix_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, MemoryRegion *bar,
               uint8_t bar_nr, uint32_t table_offset, uint32_t pba_offset, Error **errp);
bool msix_enabled(const PCIDevice *dev);
/* Signal vector: sent, or left pending while it or the function is masked. */
void msix_notify(PCIDevice *dev, unsigned vector);

/* For the PCI core: control bytes written (old_ctrl: the value before); reset; unrealize. */
void msix_write_config(PCIDevice *dev, uint32_t addr, int len, uint16_t old_ctrl);
void msix_reset(PCIDevice *dev);
void msix_uninit(PCIDevice *dev);

#endif
