/*
 * IDE: the PIIX3 IDE function (two legacy channels with bus-master DMA) and
 * the devices on its buses, ATA disks (ide-hd) and ATAPI CD-ROMs (ide-cd).
 */
#ifndef HW_IDE_IDE_H
#define HW_IDE_IDE_H

#include "hw/isa/isa.h"
#include "hw/pci/pci.h"

#define TYPE_PIIX3_IDE "piix3-ide"
#define TYPE_IDE_BUS "IDE"
#define TYPE_IDE_DEVICE "ide-device"
#define TYPE_IDE_HD "ide-hd"
#define TYPE_IDE_CD "ide-cd"

/*
 * Create the PIIX3 IDE function at 01.1 of bus, its channels at the legacy
 * ports raising ISA IRQ 14 and 15 of isa.  NULL with errp set on failure.
 */
PCIDevice *piix3_ide_create(PCIBus *bus, ISABus *isa, Error **errp);
/*
 * Put an ide-hd or ide-cd on the controller for each -hda..-hdd, -cdrom and
 * -drive if=ide (drive_get(IF_IDE, bus, unit)).
 */
bool piix3_ide_attach_drives(PCIDevice *dev, Error **errp);

void ide_register_types(void);

#endif
