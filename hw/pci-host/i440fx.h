/*
 * The Intel 82441FX (i440FX) PCI and memory controller: the host bridge of
 * the pc machine.  It owns configuration mechanism #1 (0xCF8/0xCFC), the root
 * bus "pci.0" and PCI function 00.0, whose PAM and SMRAM registers decide
 * whether 0xA0000-0xFFFFF reads and writes go to RAM or to the PCI side.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci.h"

#define TYPE_I440FX_PCI_HOST "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"

/*
 * Build the host bridge and its function 00.0; returns the root bus "pci.0"
 * or NULL with errp set.
 *  - system_io gets the ports 0xCF8-0xCFF;
 *  - pci_memory (a container the board fills with ROMs; BARs land there) is
 *    the bus's memory space.  Unless the board mapped it already,
 *    i440fx_init maps it under the whole of system_memory at priority -1, so
 *    what the board maps at priority 0 (RAM below 4G, above 4G) wins and
 *    the holes show PCI;
 *  - ram is the board's whole guest RAM region (at least 1 MiB): the PAM and
 *    SMRAM windows alias its 0xA0000-0xFFFFF at priority 1.
 * The board maps RAM itself.  Devices on the bus map their BARs into
 * pci_memory and system_io.
 */
PCIBus *i440fx_init(MemoryRegion *system_memory, MemoryRegion *system_io, MemoryRegion *ram,
                    MemoryRegion *pci_memory, Error **errp);

/*
 * 0xCF8-0xCFB is the host's only for dword accesses; byte and word accesses
 * go to the ISA side, where the PIIX3 decodes its Reset Control Register at
 * 0xCF9.  The PIIX3 installs its handlers here.  False if bus does not
 * belong to an i440FX host bridge.
 */
bool i440fx_set_cf9_handler(PCIBus *bus, uint8_t (*read)(void *opaque),
                            void (*write)(void *opaque, uint8_t val), void *opaque);

void i440fx_register_types(void);

#endif
