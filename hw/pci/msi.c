/*
 * MSI capability (PCI 3.0, 6.8.1) and interrupt message delivery.
 *
 * Layout after the capability header: message control at +2, address at
 * +4, then (64-bit capable) the upper address at +8, the data word, and
 * with per-vector masking the mask and pending bits.
 */
#include "hw/pci/msi.h"

#include "util/log.h"

static MSIDeliverFunc *msi_deliver;

void msi_set_delivery(MSIDeliverFunc *fn)
{
    msi_deliver = fn;
}

void msi_send_message(uint64_t addr, uint32_t data)
{
    if (!msi_deliver) {
        log_mask(LOG_UNIMP, "msi: message 0x%" PRIx64 " <- 0x%x with no receiver\n",
                 addr, data);
        return;
    }
    msi_deliver(addr, data);
}

static uint16_t msi_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_64bit(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_64BIT;
}

static unsigned msi_data_offset(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_64bit(dev) ? 0x0c : 0x08);
}

static unsigned msi_mask_offset(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_64bit(dev) ? 0x10 : 0x0c);
}

static unsigned msi_pending_offset(const PCIDevice *dev)
{
    return msi_mask_offset(dev) + 4;
}

static bool msi_has_mask(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_MASKBIT;
}

/*
 * Vectors the function may use: what software enabled, but never more
 * than it advertised (software writing more is a driver bug; the hardware
 * behaviour is undefined and this is the safe reading).
 */
static unsigned msi_nr_vectors(const PCIDevice *dev)
{
    uint16_t flags = msi_flags(dev);
    unsigned mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
    unsigned mme = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
    return 1u << MIN(mmc, mme);
}

bool msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, bool msi64bit,
              bool per_vector_mask, Error **errp)
{
    if (nr_vectors < 1 || nr_vectors > PCI_MSI_VECTORS_MAX ||
        (nr_vectors & (nr_vectors - 1))) {
        error_setg(errp, "MSI: %u vectors is not a power of two from 1 to 32", nr_vectors);
        return false;
    }
    uint8_t size = (msi64bit ? 0x0e : 0x0a) + (per_vector_mask ? 0x0a : 0);
    int pos = pci_add_capability(dev, PCI_CAP_ID_MSI, offset, size, errp);
    if (pos < 0) {
        return false;
    }
    dev->msi_cap = pos;

    uint16_t flags = (__builtin_ctz(nr_vectors) << 1) |
                     (msi64bit ? PCI_MSI_FLAGS_64BIT : 0) |
                     (per_vector_mask ? PCI_MSI_FLAGS_MASKBIT : 0);
    pci_set_word(dev->config + pos + PCI_MSI_FLAGS, flags);
    pci_set_word(dev->wmask + pos + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(dev->wmask + pos + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64bit) {
        pci_set_long(dev->wmask + pos + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(dev->wmask + msi_data_offset(dev), 0xffff);
    if (per_vector_mask) {
        uint32_t bits = nr_vectors == 32 ? 0xffffffff : (1u << nr_vectors) - 1;
        pci_set_long(dev->wmask + msi_mask_offset(dev), bits);
    }
    return true;
}

bool msi_enabled(const PCIDevice *dev)
{
    return dev->msi_cap && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

static void msi_send(PCIDevice *dev, unsigned vector)
{
    uint64_t addr = pci_get_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_LO);
    if (msi_64bit(dev)) {
        addr |= (uint64_t)pci_get_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_HI) << 32;
    }
    /* Multiple messages: the vector number replaces the data's low bits. */
    uint32_t nr = msi_nr_vectors(dev);
    uint32_t data = pci_get_word(dev->config + msi_data_offset(dev));
    data = (data & ~(nr - 1)) | vector;
    msi_send_message(addr, data);
}

void msi_notify(PCIDevice *dev, unsigned vector)
{
    if (!msi_enabled(dev) || vector >= msi_nr_vectors(dev)) {
        return;
    }
    if (msi_has_mask(dev)) {
        uint32_t mask = pci_get_long(dev->config + msi_mask_offset(dev));
        if (mask & (1u << vector)) {
            uint32_t pending = pci_get_long(dev->config + msi_pending_offset(dev));
            pci_set_long(dev->config + msi_pending_offset(dev), pending | 1u << vector);
            return;
        }
    }
    msi_send(dev, vector);
}

/* PCI 3.0, 6.8.1.7: a pending message goes out when its vector is unmasked. */
void msi_write_config(PCIDevice *dev, uint32_t addr, int len)
{
    if (!dev->msi_cap || !msi_has_mask(dev) || !msi_enabled(dev) ||
        addr + len <= dev->msi_cap || addr >= msi_pending_offset(dev) + 4u) {
        return;
    }
    uint32_t mask = pci_get_long(dev->config + msi_mask_offset(dev));
    uint32_t pending = pci_get_long(dev->config + msi_pending_offset(dev));
    unsigned nr = msi_nr_vectors(dev);
    for (unsigned v = 0; v < nr; v++) {
        uint32_t bit = 1u << v;
        if ((pending & bit) && !(mask & bit)) {
            pending &= ~bit;
            pci_set_long(dev->config + msi_pending_offset(dev), pending);
            msi_send(dev, v);
        }
    }
}

void msi_reset(PCIDevice *dev)
{
    if (!dev->msi_cap) {
        return;
    }
    uint16_t flags = msi_flags(dev) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS, flags);
    pci_set_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_LO, 0);
    if (msi_64bit(dev)) {
        pci_set_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(dev->config + msi_data_offset(dev), 0);
    if (msi_has_mask(dev)) {
        pci_set_long(dev->config + msi_mask_offset(dev), 0);
        pci_set_long(dev->config + msi_pending_offset(dev), 0);
    }
}
