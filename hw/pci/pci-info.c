/*
 * What the monitor shows of PCI: info pci and the PCI lines of info qtree,
 * both in QEMU's format so scripts written against QEMU keep working.
 */
#include "hw/pci/pci-internal.h"

#include <inttypes.h>
#include "monitor/hmp.h"

/* Names of class codes (PCI Code and ID Assignment Specification), as QEMU spells them. */
static const struct {
    uint16_t class_id;
    const char *desc;
} pci_class_names[] = {
    { 0x0001, "VGA controller" },
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0102, "Floppy controller" },
    { 0x0103, "IPI controller" },
    { 0x0104, "RAID controller" },
    { 0x0106, "SATA controller" },
    { 0x0107, "SAS controller" },
    { 0x0180, "Storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0201, "Token Ring controller" },
    { 0x0202, "FDDI controller" },
    { 0x0203, "ATM controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" },
    { 0x0301, "XGA controller" },
    { 0x0302, "3D controller" },
    { 0x0380, "Display controller" },
    { 0x0400, "Video controller" },
    { 0x0401, "Audio controller" },
    { 0x0402, "Phone" },
    { 0x0403, "Audio controller" },
    { 0x0480, "Multimedia controller" },
    { 0x0500, "RAM controller" },
    { 0x0501, "Flash controller" },
    { 0x0580, "Memory controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0602, "EISA bridge" },
    { 0x0603, "MC bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0605, "PCMCIA bridge" },
    { 0x0606, "NUBUS bridge" },
    { 0x0607, "CARDBUS bridge" },
    { 0x0608, "RACEWAY bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial port" },
    { 0x0701, "Parallel port" },
    { 0x0800, "Interrupt controller" },
    { 0x0801, "DMA controller" },
    { 0x0802, "Timer" },
    { 0x0803, "RTC" },
    { 0x0900, "Keyboard" },
    { 0x0901, "Pen" },
    { 0x0902, "Mouse" },
    { 0x0a00, "Dock station" },
    { 0x0b00, "i386 cpu" },
    { 0x0c00, "Firewire controller" },
    { 0x0c01, "Access bus controller" },
    { 0x0c02, "SSA controller" },
    { 0x0c03, "USB controller" },
    { 0x0c04, "Fibre channel controller" },
    { 0x0c05, "SMBus" },
};

static const char *pci_class_name(uint16_t class_id)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(pci_class_names); i++) {
        if (pci_class_names[i].class_id == class_id) {
            return pci_class_names[i].desc;
        }
    }
    return NULL;
}

void pci_bus_print_dev(GString *out, DeviceState *qdev, int indent)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    uint16_t class_id = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    const char *desc = pci_class_name(class_id);

    g_string_append_printf(out, "%*sclass ", indent, "");
    if (desc) {
        g_string_append(out, desc);
    } else {
        g_string_append_printf(out, "Class %04x", class_id);
    }
    g_string_append_printf(out, ", addr %02x:%02x.%x, pci id %04x:%04x (sub %04x:%04x)\n",
                           0, PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn),
                           pci_get_word(dev->config + PCI_VENDOR_ID),
                           pci_get_word(dev->config + PCI_DEVICE_ID),
                           pci_get_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(dev->config + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];
        if (!r->size) {
            continue;
        }
        g_string_append_printf(out, "%*sbar %d: %s at 0x%" PRIx64 " [0x%" PRIx64 "]\n",
                               indent, "", i,
                               (r->type & PCI_BASE_ADDRESS_SPACE_IO) ? "i/o" : "mem",
                               r->addr, r->addr + r->size - 1);
    }
}

static void pci_print_device(GString *out, int bus_num, PCIDevice *dev)
{
    uint16_t class_id = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    const char *desc = pci_class_name(class_id);
    uint8_t pin = dev->config[PCI_INTERRUPT_PIN];

    g_string_append_printf(out, "  Bus %2d, device %3d, function %d:\n", bus_num,
                           PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
    if (desc) {
        g_string_append_printf(out, "    %s", desc);
    } else {
        /* QEMU prints the unnamed class in decimal, zero-padded. */
        g_string_append_printf(out, "    Class %04d", class_id);
    }
    g_string_append_printf(out, ": PCI device %04x:%04x\n",
                           pci_get_word(dev->config + PCI_VENDOR_ID),
                           pci_get_word(dev->config + PCI_DEVICE_ID));
    if ((dev->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION) == 0) {
        g_string_append_printf(out, "      PCI subsystem %04x:%04x\n",
                               pci_get_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID),
                               pci_get_word(dev->config + PCI_SUBSYSTEM_ID));
    }
    if (pin) {
        g_string_append_printf(out, "      IRQ %d, pin %c\n", dev->config[PCI_INTERRUPT_LINE],
                               'A' + pin - 1);
    }
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];
        if (!r->size) {
            continue;
        }
        g_string_append_printf(out, "      BAR%d: ", i);
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            g_string_append_printf(out, "I/O at 0x%04" PRIx64 " [0x%04" PRIx64 "].\n",
                                   r->addr, r->addr + r->size - 1);
        } else {
            g_string_append_printf(out, "%d bit%s memory at 0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
                                   (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) ? 64 : 32,
                                   (r->type & PCI_BASE_ADDRESS_MEM_PREFETCH) ? " prefetchable" : "",
                                   r->addr, r->addr + r->size - 1);
        }
    }
    g_string_append_printf(out, "      id \"%s\"\n", dev->parent_obj.id ? dev->parent_obj.id : "");
}

void pci_print_info(GString *out)
{
    const GPtrArray *roots = pci_root_buses();
    for (guint i = 0; roots && i < roots->len; i++) {
        PCIBus *bus = g_ptr_array_index(roots, i);
        for (int devfn = 0; devfn < 256; devfn++) {
            if (bus->devices[devfn]) {
                pci_print_device(out, 0, bus->devices[devfn]);
            }
        }
    }
}

void hmp_info_pci(Monitor *mon, const HmpArgs *args)
{
    GString *out = g_string_new(NULL);
    pci_print_info(out);
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}
