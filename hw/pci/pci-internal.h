/* Shared between the PCI core files only; devices use hw/pci/pci.h. */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

#include "hw/pci/pci.h"

/* The root buses (PCIBus *), in creation order; NULL before the first. */
const GPtrArray *pci_root_buses(void);
/* info qtree's lines for a device on a PCI bus (BusClass.print_dev). */
void pci_bus_print_dev(GString *out, DeviceState *dev, int indent);

#endif
