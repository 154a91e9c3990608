/*
 * PCI: a bus of up to 32 devices x 8 functions, each with a 256-byte
 * configuration space, up to six BARs and an expansion ROM, and an INTx pin
 * routed by the board.  PCI Local Bus Specification 3.0, chapter 6.
 *
 * A device's config space is three arrays: the bytes, a mask of the bits the
 * guest may write (wmask), and a mask of write-1-to-clear bits (w1cmask).
 * The core handles the header (command, status, BARs, ROM, interrupt line)
 * and maps BARs into the bus's memory and I/O spaces when the command
 * register enables decoding.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "migration/vmstate.h"
#include "system/memory.h"

#define TYPE_PCI_BUS "PCI"
#define TYPE_PCI_DEVICE "pci-device"

#define PCI_CONFIG_SPACE_SIZE 256
#define PCI_NUM_REGIONS 7           /* BAR0-5 and the ROM */
#define PCI_ROM_SLOT 6
#define PCI_NUM_PINS 4              /* INTA-INTD */
#define PCI_BAR_UNMAPPED ((uint64_t)-1)

#define PCI_DEVFN(slot, fn) ((((slot) & 0x1f) << 3) | ((fn) & 0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)

/* Configuration header registers (type 0). */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_PARITY     0x0040
#define  PCI_COMMAND_SERR       0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_INTERRUPT   0x0008
#define  PCI_STATUS_CAP_LIST    0x0010
#define  PCI_STATUS_66MHZ       0x0020
#define  PCI_STATUS_FAST_BACK   0x0080
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define  PCI_STATUS_PARITY      0x0100  /* the W1C error bits: */
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY  0x8000
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO     0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_BASE_ADDRESS_5      0x24
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define  PCI_ROM_ADDRESS_ENABLE 0x01
#define PCI_CAPABILITY_LIST     0x34
#define  PCI_CAP_ID_VNDR        0x09    /* vendor-specific capability */
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CONFIG_HEADER_SIZE  0x40    /* device-specific registers follow */

/* Subsystem ids a device gets when its class leaves them 0 (QEMU's). */
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU   0x1100

/* Class codes used by the pc machine. */
#define PCI_CLASS_BRIDGE_HOST   0x0600
#define PCI_CLASS_BRIDGE_ISA    0x0601
#define PCI_CLASS_BRIDGE_OTHER  0x0680
#define PCI_CLASS_STORAGE_IDE   0x0101
#define PCI_VENDOR_ID_INTEL     0x8086

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct PCIMSIX PCIMSIX;

typedef struct PCIIORegion {
    uint64_t addr;              /* where it is mapped, or PCI_BAR_UNMAPPED */
    uint64_t size;              /* a power of two; 0: the BAR is not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_* flags of the BAR's low bits */
    MemoryRegion *memory;
    MemoryRegion *address_space; /* the bus space it is mapped into */
} PCIIORegion;

struct PCIDevice {
    DeviceState parent_obj;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
    int32_t devfn;              /* property "addr": "slot[.fn]", -1 = first free */
    bool multifunction;         /* property "multifunction" */
    char *romfile;              /* property "romfile" (option ROM), may be NULL */
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    int irq_level[PCI_NUM_PINS];    /* the level this device drives on each pin */
    PCIBus *bus;
    uint64_t cap_used[PCI_CONFIG_SPACE_SIZE / 64]; /* config bytes capabilities occupy */
    uint8_t msi_cap;            /* config offset of the MSI capability, 0: none (msi.h) */
    uint8_t msix_cap;           /* same for MSI-X (msix.h) */
    PCIMSIX *msix;              /* MSI-X table and pending bits, NULL: none */
};

typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    bool (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    /* Optional hooks; the defaults (pci_default_*) handle the standard header. */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, int len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    bool is_bridge;
} PCIDeviceClass;

/*
 * Board-provided INTx routing: map_irq turns (device, pin 0..3) into one of
 * the bus's nirq lines; set_irq receives the OR of every device driving it.
 */
typedef int PCIMapIRQFunc(PCIDevice *dev, int pin);
typedef void PCISetIRQFunc(void *opaque, int irq, int level);

struct PCIBus {
    BusState parent_obj;
    PCIDevice *devices[256];    /* by devfn */
    MemoryRegion *address_space_mem;
    MemoryRegion *address_space_io;
    uint8_t devfn_min;
    PCIMapIRQFunc *map_irq;
    PCISetIRQFunc *set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;             /* devices asserting each routed line */
};

static inline PCIDevice *PCI_DEVICE(DeviceState *dev)
{
    return (PCIDevice *)object_check(&dev->parent_obj, TYPE_PCI_DEVICE);
}

static inline PCIDeviceClass *PCI_DEVICE_GET_CLASS(PCIDevice *dev)
{
    return (PCIDeviceClass *)object_class_check(object_get_class(&dev->parent_obj.parent_obj),
                                                TYPE_PCI_DEVICE);
}

static inline PCIDeviceClass *PCI_DEVICE_CLASS(ObjectClass *klass)
{
    return (PCIDeviceClass *)object_class_check(klass, TYPE_PCI_DEVICE);
}

/* Little-endian accessors of config space (and any byte buffer). */
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void pci_set_word(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline uint8_t pci_get_byte(const uint8_t *p) { return p[0]; }
static inline uint16_t pci_get_word(const uint8_t *p) { return p[0] | p[1] << 8; }
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A root bus under the host bridge parent. */
PCIBus *pci_root_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                         MemoryRegion *io, uint8_t devfn_min);
void pci_bus_irqs(PCIBus *bus, PCISetIRQFunc *set_irq, PCIMapIRQFunc *map_irq,
                  void *opaque, int nirq);
/* Create and realize a device at devfn (-1: the first free slot). */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *typename, Error **errp);

/* Declare BAR region (0-5, or PCI_ROM_SLOT) of type PCI_BASE_ADDRESS_* backed by mr. */
void pci_register_bar(PCIDevice *dev, int region, uint8_t type, MemoryRegion *mr);
/*
 * Link a capability of size bytes with id into the capability list at
 * offset (0: the first free dword-aligned place after the header); its
 * bytes start read-only.  Returns the offset, or -1 with errp set.
 */
int pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset, uint8_t size,
                       Error **errp);
/* The offset of the first capability with id, or 0. */
uint8_t pci_find_capability(const PCIDevice *dev, uint8_t cap_id);
/* Drive the device's INTx pin (from PCI_INTERRUPT_PIN). */
void pci_set_irq(PCIDevice *dev, int level);
/* The mapped address of a BAR, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *dev, int region);

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);

/*
 * Configuration mechanism #1 as a host bridge sees it: the 0xCF8 address
 * (bit 31 enable, bus 23:16, devfn 15:8, register 7:2) plus the byte offset
 * within 0xCFC.  Absent devices read all ones; writes to them are dropped.
 */
uint32_t pci_host_config_read(PCIBus *bus, uint32_t cf8, unsigned offset, int len);
void pci_host_config_write(PCIBus *bus, uint32_t cf8, unsigned offset, uint32_t val, int len);

/* info pci, in QEMU's format. */
void pci_print_info(GString *out);
/* The root PCI bus of the machine, or NULL. */
PCIBus *pci_get_root_bus(void);

/* The device at devfn of bus, or NULL. */
PCIDevice *pci_find_device(PCIBus *bus, int devfn);
/*
 * Put the standard header back to power-on values: INTx deasserted, decoding
 * off, BARs at 0, W1C status clear.  TYPE_PCI_DEVICE's default reset does
 * this; a device with its own reset need not call it, because the host
 * bridge calls pci_bus_reset() after the devices on its bus have reset.
 */
void pci_device_reset(PCIDevice *dev);
void pci_bus_reset(PCIBus *bus);

/*
 * The config space and INTx levels of a PCIDevice.  A PCI device's own
 * VMState embeds it as its first field: VMS_PCI_DEVICE(MyState, parent_obj).
 * Loading it remaps the BARs and recounts the bus's interrupt lines.
 */
extern const VMStateDescription vmstate_pci_device;
#define VMS_PCI_DEVICE(st, f) VMS_STRUCT_ARRAY(st, f, 1, PCIDevice, &vmstate_pci_device)

void pci_register_types(void);

#endif
