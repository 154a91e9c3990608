/*
 * MSI-X (PCI 3.0, 6.8.2).  The table holds one 16-byte entry per vector:
 * address low, address high, data, vector control (bit 0: masked).  The
 * pending-bit array (PBA) has one bit per vector, set while a message
 * waits for its vector or the whole function to be unmasked.
 */
#include "hw/pci/msix.h"

#include <string.h>

#include "hw/pci/msi.h"
#include "util/bswap.h"

struct PCIMSIX {
    unsigned nr;
    uint8_t *table;             /* nr entries of PCI_MSIX_ENTRY_SIZE */
    uint8_t *pba;               /* one bit per vector, in 64-bit words */
    uint32_t pba_size;
    MemoryRegion *bar;
    MemoryRegion table_mmio, pba_mmio;
};

static uint16_t msix_ctrl(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_enabled(const PCIDevice *dev)
{
    return dev->msix && (msix_ctrl(dev) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_function_masked(const PCIDevice *dev)
{
    return msix_ctrl(dev) & PCI_MSIX_FLAGS_MASKALL;
}

static uint8_t *msix_entry(PCIDevice *dev, unsigned vector)
{
    return dev->msix->table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(PCIDevice *dev, unsigned vector)
{
    return msix_function_masked(dev) ||
           (pci_get_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_CTRL) &
            PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static bool msix_pending(PCIDevice *dev, unsigned vector)
{
    return dev->msix->pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    uint8_t bit = 1u << (vector % 8);
    dev->msix->pba[vector / 8] = pending ? dev->msix->pba[vector / 8] | bit
                                         : dev->msix->pba[vector / 8] & ~bit;
}

static void msix_send(PCIDevice *dev, unsigned vector)
{
    const uint8_t *e = msix_entry(dev, vector);
    uint64_t addr = pci_get_long(e) | (uint64_t)pci_get_long(e + 4) << 32;
    msi_send_message(addr, pci_get_long(e + 8));
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev) || vector >= dev->msix->nr) {
        return;
    }
    if (msix_vector_masked(dev, vector)) {
        msix_set_pending(dev, vector, true);
        return;
    }
    msix_send(dev, vector);
}

/* 6.8.2.9: unmasking a vector with its pending bit set sends the message. */
static void msix_flush_pending(PCIDevice *dev, unsigned vector)
{
    if (msix_enabled(dev) && msix_pending(dev, vector) && !msix_vector_masked(dev, vector)) {
        msix_set_pending(dev, vector, false);
        msix_send(dev, vector);
    }
}

/* ---- The table and PBA in the device's BAR ------------------------------------------ */

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    return ld_le_n(dev->msix->table + addr, size);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;
    uint8_t *e = msix_entry(dev, vector);

    for (unsigned i = 0; i < size; i++, val >>= 8) {
        unsigned off = (addr + i) % PCI_MSIX_ENTRY_SIZE;
        if (off == PCI_MSIX_ENTRY_CTRL) {
            e[off] = val & PCI_MSIX_ENTRY_CTRL_MASKBIT;  /* the rest is reserved */
        } else if (off < PCI_MSIX_ENTRY_CTRL) {
            e[off] = val;
        }
    }
    msix_flush_pending(dev, vector);
}

/* 6.8.2: DWORD or QWORD accesses, naturally aligned. */
static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    return ld_le_n(dev->msix->pba + addr, size);
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    /* Read-only: software cannot set or clear pending bits. */
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
};

/* ---- Capability -------------------------------------------------------------------- */

bool msix_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, MemoryRegion *bar,
               uint8_t bar_nr, uint32_t table_offset, uint32_t pba_offset, Error **errp)
{
    uint64_t table_size = (uint64_t)nr_vectors * PCI_MSIX_ENTRY_SIZE;
    uint32_t pba_size = (nr_vectors + 63) / 64 * 8;
    uint64_t bar_size = memory_region_size(bar);

    if (nr_vectors < 1 || nr_vectors > PCI_MSIX_VECTORS_MAX) {
        error_setg(errp, "MSI-X: %u vectors is not between 1 and %u", nr_vectors,
                   PCI_MSIX_VECTORS_MAX);
        return false;
    }
    if (bar_nr >= PCI_ROM_SLOT || (table_offset | pba_offset) & 7 ||
        table_offset + table_size > bar_size || pba_offset + (uint64_t)pba_size > bar_size ||
        (table_offset < pba_offset + pba_size && pba_offset < table_offset + table_size)) {
        error_setg(errp, "MSI-X: table or PBA does not fit BAR %u", bar_nr);
        return false;
    }
    int pos = pci_add_capability(dev, PCI_CAP_ID_MSIX, offset, 12, errp);
    if (pos < 0) {
        return false;
    }
    dev->msix_cap = pos;

    PCIMSIX *m = g_new0(PCIMSIX, 1);
    m->nr = nr_vectors;
    m->table = g_malloc0(table_size);
    m->pba = g_malloc0(pba_size);
    m->pba_size = pba_size;
    m->bar = bar;
    dev->msix = m;

    pci_set_word(dev->config + pos + PCI_MSIX_FLAGS, nr_vectors - 1);
    pci_set_long(dev->config + pos + PCI_MSIX_TABLE, table_offset | bar_nr);
    pci_set_long(dev->config + pos + PCI_MSIX_PBA, pba_offset | bar_nr);
    pci_set_word(dev->wmask + pos + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

    Object *owner = &dev->parent_obj.parent_obj;
    memory_region_init_io(&m->table_mmio, owner, &msix_table_ops, dev, "msix-table",
                          table_size);
    memory_region_add_subregion(bar, table_offset, &m->table_mmio);
    memory_region_init_io(&m->pba_mmio, owner, &msix_pba_ops, dev, "msix-pba", pba_size);
    memory_region_add_subregion(bar, pba_offset, &m->pba_mmio);
    msix_reset(dev);
    return true;
}

void msix_uninit(PCIDevice *dev)
{
    PCIMSIX *m = dev->msix;
    if (!m) {
        return;
    }
    memory_region_del_subregion(m->bar, &m->table_mmio);
    memory_region_del_subregion(m->bar, &m->pba_mmio);
    memory_region_finalize(&m->table_mmio);
    memory_region_finalize(&m->pba_mmio);
    g_free(m->table);
    g_free(m->pba);
    g_free(m);
    dev->msix = NULL;
    dev->msix_cap = 0;
}

void msix_write_config(PCIDevice *dev, uint32_t addr, int len, uint16_t old_ctrl)
{
    unsigned ctrl = dev->msix_cap + PCI_MSIX_FLAGS;
    if (!dev->msix || addr + len <= ctrl || addr >= ctrl + 2 || msix_ctrl(dev) == old_ctrl) {
        return;
    }
    for (unsigned v = 0; v < dev->msix->nr; v++) {
        msix_flush_pending(dev, v);
    }
}

/* Power-on: every vector masked, nothing pending, the function disabled. */
void msix_reset(PCIDevice *dev)
{
    PCIMSIX *m = dev->msix;
    if (!m) {
        return;
    }
    uint16_t ctrl = msix_ctrl(dev) & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_set_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS, ctrl);
    memset(m->table, 0, (size_t)m->nr * PCI_MSIX_ENTRY_SIZE);
    for (unsigned v = 0; v < m->nr; v++) {
        m->table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
    memset(m->pba, 0, m->pba_size);
}
