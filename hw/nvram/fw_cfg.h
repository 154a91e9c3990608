/*
 * The firmware configuration device (QEMU's fw_cfg, docs/specs/fw_cfg.rst):
 * numbered items (blobs) the board fills before the guest starts and the
 * firmware reads through a selector port, a data port and a DMA interface.
 * Items at FW_CFG_FILE_FIRST and up are "files" named in a directory item.
 *
 * x86 layout: selector at iobase (16-bit, little endian), data at iobase + 1
 * (8-bit), DMA address at dma_iobase (64-bit big endian, two 32-bit halves;
 * writing the low half at dma_iobase + 4 starts the transfer).
 *
 * Every add and modify function copies the data: the caller keeps its buffer.
 * The board passes constant names and keys, so a bad one (too long, duplicate,
 * out of range, no free file slot) is a programming error and asserts; names
 * from the user go through fw_cfg_add_user_file(), which returns an error.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

#define TYPE_FW_CFG_IO "fw_cfg_io"

/* x86 port numbers. */
#define FW_CFG_IO_BASE          0x510
#define FW_CFG_IO_DMA_BASE      0x514

/* Generic keys. */
#define FW_CFG_SIGNATURE        0x00    /* "QEMU" */
#define FW_CFG_ID               0x01    /* le32 feature bits, FW_CFG_VERSION* */
#define FW_CFG_UUID             0x02    /* 16 bytes */
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NOGRAPHIC        0x04
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MACHINE_ID       0x06
#define FW_CFG_KERNEL_ADDR      0x07
#define FW_CFG_KERNEL_SIZE      0x08
#define FW_CFG_KERNEL_CMDLINE   0x09
#define FW_CFG_INITRD_ADDR      0x0a
#define FW_CFG_INITRD_SIZE      0x0b
#define FW_CFG_BOOT_DEVICE      0x0c
#define FW_CFG_NUMA             0x0d
#define FW_CFG_BOOT_MENU        0x0e
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_KERNEL_ENTRY     0x10
#define FW_CFG_KERNEL_DATA      0x11
#define FW_CFG_INITRD_DATA      0x12
#define FW_CFG_CMDLINE_ADDR     0x13
#define FW_CFG_CMDLINE_SIZE     0x14
#define FW_CFG_CMDLINE_DATA     0x15
#define FW_CFG_SETUP_ADDR       0x16
#define FW_CFG_SETUP_SIZE       0x17
#define FW_CFG_SETUP_DATA       0x18
#define FW_CFG_FILE_DIR         0x19    /* be32 count, then FW_CFG_DIR_ENTRY_SIZE entries */
#define FW_CFG_FILE_FIRST       0x20    /* file items take keys from here */

/* Selector bits (fw_cfg.rst "Selector Register"). */
#define FW_CFG_WRITE_CHANNEL    0x4000  /* legacy write mode: ignored, as since QEMU 2.4 */
#define FW_CFG_ARCH_LOCAL       0x8000
#define FW_CFG_ENTRY_MASK       0x3fff

/* x86 keys. */
#define FW_CFG_ACPI_TABLES      (FW_CFG_ARCH_LOCAL + 0)
#define FW_CFG_SMBIOS_ENTRIES   (FW_CFG_ARCH_LOCAL + 1)
#define FW_CFG_IRQ0_OVERRIDE    (FW_CFG_ARCH_LOCAL + 2)
#define FW_CFG_E820_TABLE       (FW_CFG_ARCH_LOCAL + 3)
#define FW_CFG_HPET             (FW_CFG_ARCH_LOCAL + 4)

/* FW_CFG_ID bits. */
#define FW_CFG_VERSION          0x01    /* the traditional interface */
#define FW_CFG_VERSION_DMA      0x02

/* FWCfgDmaAccess.control bits; SELECT puts the key in the high 16 bits. */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08
#define FW_CFG_DMA_CTL_WRITE    0x10

/* What a read of the DMA address register returns: "QEMU CFG", big endian. */
#define FW_CFG_DMA_SIGNATURE    0x51454d5520434647ULL

/* A file directory entry: be32 size, be16 select, be16 reserved, name[56]. */
#define FW_CFG_MAX_FILE_PATH    56
#define FW_CFG_DIR_ENTRY_SIZE   64
/* The DMA descriptor: be32 control, be32 length, be64 address. */
#define FW_CFG_DMA_ACCESS_SIZE  16

/* File slots by default (the "x-file-slots" property). */
#define FW_CFG_FILE_SLOTS_DEFAULT 0x20

typedef struct FWCfgState FWCfgState;

/*
 * The guest wrote len bytes at offset of a writable file through DMA; data
 * points at them inside the item, valid during the call (fw_cfg_get_file
 * gives the whole item).
 */
typedef void (*FWCfgWriteCallback)(void *opaque, uint32_t offset, const uint8_t *data,
                                   uint32_t len);

/*
 * Create and realize the device on the system bus, its ports at iobase and,
 * unless dma_iobase is 0, the DMA register at dma_iobase (DMA targets
 * address_space_memory()).  Adds FW_CFG_SIGNATURE and FW_CFG_ID.
 * Fails if a fw_cfg device already exists.
 */
FWCfgState *fw_cfg_init_io(uint16_t iobase, uint16_t dma_iobase, Error **errp);
/* The fw_cfg device, or NULL if there is none. */
FWCfgState *fw_cfg_find(void);

/* Numbered items (key below FW_CFG_FILE_FIRST or an arch key); integers are little endian. */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value);    /* with its NUL */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);
/* Replace an item's contents (adding it if absent). */
void fw_cfg_modify_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
void fw_cfg_modify_string(FWCfgState *s, uint16_t key, const char *value);
void fw_cfg_modify_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_modify_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_modify_i64(FWCfgState *s, uint16_t key, uint64_t value);

/* A read-only file (name at most FW_CFG_MAX_FILE_PATH - 1 characters). */
void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len);
/*
 * A file; unless read_only the guest may overwrite it through DMA (never
 * resize it), and write_cb (may be NULL) hears of each write.
 */
void fw_cfg_add_file_callback(FWCfgState *s, const char *name, const void *data, size_t len,
                              FWCfgWriteCallback write_cb, void *opaque, bool read_only);
/* Replace a file's contents (keeping its callback), or add it read-only if absent. */
void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len);
/* A read-only file named by the user (-fw_cfg): bad names and full directories are errors. */
bool fw_cfg_add_user_file(FWCfgState *s, const char *name, const void *data, size_t len,
                          Error **errp);
/* A file's current contents and size, or NULL if there is no such file. */
const uint8_t *fw_cfg_get_file(FWCfgState *s, const char *name, size_t *len);

void fw_cfg_register_types(void);

#endif
