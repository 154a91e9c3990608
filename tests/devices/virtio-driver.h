/*
 * A minimal virtio-pci driver for device tests: one PCI device on an
 * i440FX bus with its BARs mapped, MSI-X messages caught, and the steps of
 * virtio 1.1, 3.1.1 done through the modern capabilities as Linux does.
 */
#ifndef TESTS_DEVICES_VIRTIO_DRIVER_H
#define TESTS_DEVICES_VIRTIO_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/virtio-pci.h"

#define VDRV_DEVFN      PCI_DEVFN(4, 0)
#define VDRV_RAM_SIZE   (4 * 1024 * 1024)
#define VDRV_BAR4       0xe0000000ull
#define VDRV_BAR1       0xfebf0000u
#define VDRV_BAR0_PORT  0xc000
/* Queue 0's rings; queue n's are VDRV_QUEUE_STRIDE further. */
#define VDRV_DESC       0x10000
#define VDRV_AVAIL      0x11000
#define VDRV_USED       0x12000
#define VDRV_QUEUE_STRIDE 0x4000
/* MSI-X data words: config vector 0 and queue n's vector n + 1. */
#define VDRV_MSI_DATA   0x4030

typedef struct VirtioDriver {
    PCIDevice *dev;
    VirtIOPCIProxy *proxy;
    uint8_t *ram;               /* guest RAM from address 0 */
    uint64_t common, isr, devcfg, notify;
    uint32_t msgs[64];          /* MSI-X data words received */
    unsigned nmsgs;
} VirtioDriver;

extern VirtioDriver vdrv;

/* A fresh bus with `type` at 04.0 (props: "name=value" strings, NULL-terminated). */
void vdrv_setup(const char *type, const char *const *props);
void vdrv_teardown(void);

uint8_t vdrv_cfg_readb(int reg);
uint32_t vdrv_cfg_readl(int reg);
void vdrv_cfg_writew(int reg, uint16_t v);
void vdrv_cfg_writel(int reg, uint32_t v);

uint16_t vdrv_get16(uint64_t addr);
uint32_t vdrv_get32(uint64_t addr);
void vdrv_set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                   uint16_t next);
/* Make head available on the ring at avail (num entries). */
void vdrv_offer(uint64_t avail, unsigned num, uint16_t head);
/* Reset, negotiate features, set up nqueues queues of num entries, DRIVER_OK. */
void vdrv_modern_init(bool msix, uint64_t features, unsigned nqueues, unsigned num);
void vdrv_kick(unsigned queue);

#endif
