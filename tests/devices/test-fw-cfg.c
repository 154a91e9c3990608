/*
 * fw_cfg device tests: the selector and data ports, the file directory, the
 * DMA interface against RAM, ROM and holes, reset, VMState, and a fuzz run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/nvram/fw_cfg.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define RAM_SIZE    0x100000        /* RAM at 0 */
#define ROM_BASE    0x200000        /* a hole, 64 KiB of ROM, then nothing */
#define ROM_SIZE    0x10000
#define HOLE_ADDR   0x10000000

#define SEL_PORT    FW_CFG_IO_BASE
#define DATA_PORT   (FW_CFG_IO_BASE + 1)
#define DMA_PORT    FW_CFG_IO_DMA_BASE

#define DESC_ADDR   0x1000
#define BUF_ADDR    0x2000

static MemoryRegion ram, rom;
static uint8_t *ram_ptr;
static FWCfgState *fw;

/* ---- Helpers -------------------------------------------------------------------- */

static void memory_setup(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    harness_init();
    assert_true(memory_region_init_ram(&ram, NULL, "test.ram", RAM_SIZE, NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    assert_true(memory_region_init_rom(&rom, NULL, "test.rom", ROM_SIZE, NULL));
    memory_region_add_subregion(get_system_memory(), ROM_BASE, &rom);
    ram_ptr = memory_region_get_ram_ptr(&ram);
}

static void find_fw_cfg(DeviceState *dev, void *opaque)
{
    if (object_dynamic_cast(&dev->parent_obj, TYPE_FW_CFG_IO)) {
        *(DeviceState **)opaque = dev;
    }
}

static DeviceState *fw_cfg_dev(void)
{
    DeviceState *dev = NULL;
    qdev_foreach(find_fw_cfg, &dev);
    assert_non_null(dev);
    return dev;
}

static int setup_dma(void **state)
{
    Error *err = NULL;

    memory_setup();
    memset(ram_ptr, 0, RAM_SIZE);
    fw = fw_cfg_init_io(FW_CFG_IO_BASE, FW_CFG_IO_DMA_BASE, &err);
    assert_non_null(fw);
    return 0;
}

static int setup_nodma(void **state)
{
    Error *err = NULL;

    memory_setup();
    fw = fw_cfg_init_io(FW_CFG_IO_BASE, 0, &err);
    assert_non_null(fw);
    return 0;
}

static int teardown(void **state)
{
    qdev_unrealize(fw_cfg_dev());
    assert_null(fw_cfg_find());
    fw = NULL;
    return 0;
}

static void sel(uint16_t key)
{
    harness_outw(SEL_PORT, key);
}

static void read_data(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = harness_inb(DATA_PORT);
    }
}

static uint32_t read_le32(uint16_t key)
{
    uint8_t b[4];
    sel(key);
    read_data(b, 4);
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_be(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * (size - 1 - i));
    }
}

static uint64_t get_be(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Start the DMA descriptor at desc (two 32-bit big-endian halves through the ports). */
static void dma_kick(uint64_t desc)
{
    harness_outl(DMA_PORT, GUINT32_SWAP_LE_BE((uint32_t)(desc >> 32)));
    harness_outl(DMA_PORT + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
}

/* Write a descriptor in RAM at DESC_ADDR, run it, return the control word written back. */
static uint32_t dma(uint32_t control, uint32_t length, uint64_t address)
{
    put_be(ram_ptr + DESC_ADDR, 4, control);
    put_be(ram_ptr + DESC_ADDR + 4, 4, length);
    put_be(ram_ptr + DESC_ADDR + 8, 8, address);
    dma_kick(DESC_ADDR);
    return get_be(ram_ptr + DESC_ADDR, 4);
}

static uint32_t dma_select(uint16_t key)
{
    return (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT;
}

/* The key of a file, from the directory the guest reads. */
static uint16_t file_key(const char *name)
{
    uint8_t hdr[4], ent[FW_CFG_DIR_ENTRY_SIZE];

    sel(FW_CFG_FILE_DIR);
    read_data(hdr, 4);
    for (uint32_t i = 0; i < get_be(hdr, 4); i++) {
        read_data(ent, sizeof(ent));
        if (strcmp((char *)ent + 8, name) == 0) {
            return get_be(ent + 4, 2);
        }
    }
    fail_msg("no file %s", name);
    return 0;
}

/* ---- Ports ---------------------------------------------------------------------- */

static void test_signature(void **state)
{
    uint8_t b[6];

    sel(FW_CFG_SIGNATURE);
    read_data(b, 6);
    assert_memory_equal(b, "QEMU\0\0", 6);
    assert_ptr_equal(fw_cfg_find(), fw);
    /* The write-channel bit selects the same item (writes through it are ignored). */
    sel(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);
    harness_outb(DATA_PORT, 'X');
    read_data(b, 4);
    assert_memory_equal(b, "QEMU", 4);
}

static void test_id_dma(void **state)
{
    assert_int_equal(read_le32(FW_CFG_ID), FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    /* The DMA register reads "QEMU CFG" in big-endian byte order. */
    assert_int_equal(harness_inb(DMA_PORT), 'Q');
    assert_int_equal(harness_inl(DMA_PORT), 'Q' | 'E' << 8 | 'M' << 16 | (uint32_t)'U' << 24);
    assert_int_equal(harness_inl(DMA_PORT + 4), ' ' | 'C' << 8 | 'F' << 16 | (uint32_t)'G' << 24);
    assert_int_equal(harness_inw(DMA_PORT + 6), 'F' | 'G' << 8);
}

static void test_id_nodma(void **state)
{
    assert_int_equal(read_le32(FW_CFG_ID), FW_CFG_VERSION);
    assert_int_equal(harness_inl(DMA_PORT), 0xffffffff);  /* nothing there */
}

static void test_second_device_refused(void **state)
{
    Error *err = NULL;

    assert_null(fw_cfg_init_io(0x600, 0x608, &err));
    assert_non_null(err);
    assert_non_null(strstr(error_get_pretty(err), "at most one"));
    error_free(err);
    assert_ptr_equal(fw_cfg_find(), fw);
}

static void test_legacy_keys(void **state)
{
    uint8_t b[16];

    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 0x123456789abcdef0ULL);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, 1);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, 4);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, 8);
    fw_cfg_add_i32(fw, FW_CFG_KERNEL_ADDR, 0x100000);
    fw_cfg_add_string(fw, FW_CFG_CMDLINE_DATA, "console=ttyS0");
    fw_cfg_add_i64(fw, FW_CFG_HPET, 0x1122);
    fw_cfg_add_bytes(fw, FW_CFG_E820_TABLE, "\x01\x02\x03", 3);

    sel(FW_CFG_RAM_SIZE);
    read_data(b, 9);
    assert_memory_equal(b, "\xf0\xde\xbc\x9a\x78\x56\x34\x12\0", 9);
    sel(FW_CFG_NOGRAPHIC);
    read_data(b, 3);
    assert_memory_equal(b, "\x01\0\0", 3);
    assert_int_equal(read_le32(FW_CFG_KERNEL_ADDR), 0x100000);
    sel(FW_CFG_CMDLINE_DATA);
    read_data(b, 14);
    assert_string_equal((char *)b, "console=ttyS0");
    sel(FW_CFG_HPET);
    read_data(b, 8);
    assert_memory_equal(b, "\x22\x11\0\0\0\0\0\0", 8);
    sel(FW_CFG_E820_TABLE);
    read_data(b, 4);
    assert_memory_equal(b, "\x01\x02\x03\0", 4);
    /* The generic key of the same index is another item (FW_CFG_RAM_SIZE). */
    assert_int_equal(read_le32(FW_CFG_E820_TABLE & FW_CFG_ENTRY_MASK), 0x9abcdef0);

    fw_cfg_modify_i32(fw, FW_CFG_KERNEL_ADDR, 0x200000);
    assert_int_equal(read_le32(FW_CFG_KERNEL_ADDR), 0x200000);
    fw_cfg_modify_string(fw, FW_CFG_CMDLINE_DATA, "x");
    sel(FW_CFG_CMDLINE_DATA);
    read_data(b, 3);
    assert_memory_equal(b, "x\0\0", 3);

    /* Absent items and keys beyond the last slot read zeros. */
    assert_int_equal(read_le32(FW_CFG_SETUP_DATA), 0);
    assert_int_equal(read_le32(0x3fff), 0);
    assert_int_equal(read_le32(0xffff), 0);
}

static void test_file_dir_sorted(void **state)
{
    static const char *const added[] = { "etc/zeta", "bootorder", "etc/acpi/tables",
                                         "etc/alpha", "etc/e820" };
    static const char *const sorted[] = { "bootorder", "etc/acpi/tables", "etc/alpha",
                                          "etc/e820", "etc/zeta" };
    uint8_t hdr[4], ent[FW_CFG_DIR_ENTRY_SIZE];

    for (unsigned i = 0; i < G_N_ELEMENTS(added); i++) {
        char *content = g_strdup_printf("content of %s", added[i]);
        fw_cfg_add_file(fw, added[i], content, strlen(content));
        g_free(content);
    }
    sel(FW_CFG_FILE_DIR);
    read_data(hdr, 4);
    assert_int_equal(get_be(hdr, 4), G_N_ELEMENTS(sorted));
    for (unsigned i = 0; i < G_N_ELEMENTS(sorted); i++) {
        read_data(ent, sizeof(ent));
        char *content = g_strdup_printf("content of %s", sorted[i]);
        assert_string_equal((char *)ent + 8, sorted[i]);
        assert_int_equal(get_be(ent, 4), strlen(content));
        assert_int_equal(get_be(ent + 4, 2), FW_CFG_FILE_FIRST + i);
        assert_int_equal(get_be(ent + 6, 2), 0);
        /* The name is NUL padded to 56 bytes. */
        for (size_t k = 8 + strlen(sorted[i]); k < sizeof(ent); k++) {
            assert_int_equal(ent[k], 0);
        }
        g_free(content);
    }
    /* Past the directory: zeros. */
    read_data(hdr, 4);
    assert_memory_equal(hdr, "\0\0\0\0", 4);

    /* Each file through its key, as firmware reads it. */
    for (unsigned i = 0; i < G_N_ELEMENTS(sorted); i++) {
        char *content = g_strdup_printf("content of %s", sorted[i]);
        uint8_t buf[64];
        sel(file_key(sorted[i]));
        read_data(buf, strlen(content));
        assert_memory_equal(buf, content, strlen(content));
        g_free(content);
    }

    /* Modifying a file updates its size in the directory. */
    fw_cfg_modify_file(fw, "etc/alpha", "ab", 2);
    sel(FW_CFG_FILE_DIR);
    read_data(hdr, 4);
    read_data(ent, sizeof(ent));
    read_data(ent, sizeof(ent));
    read_data(ent, sizeof(ent));
    assert_string_equal((char *)ent + 8, "etc/alpha");
    assert_int_equal(get_be(ent, 4), 2);
    size_t len;
    const uint8_t *p = fw_cfg_get_file(fw, "etc/alpha", &len);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "ab", 2);
    assert_null(fw_cfg_get_file(fw, "etc/nothing", &len));
    /* modify of an absent file adds it. */
    fw_cfg_modify_file(fw, "etc/new", "n", 1);
    assert_non_null(fw_cfg_get_file(fw, "etc/new", &len));
}

static void test_file_bytewise_and_reselect(void **state)
{
    static const char text[] = "0123456789abcdef";
    uint8_t b[32];

    fw_cfg_add_file(fw, "etc/text", text, 16);
    uint16_t key = file_key("etc/text");
    sel(key);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(harness_inb(DATA_PORT), text[i]);
    }
    /* Reads past the end give 0 and stay there. */
    for (int i = 0; i < 8; i++) {
        assert_int_equal(harness_inb(DATA_PORT), 0);
    }
    /* Selecting again (even the same key) restarts at offset 0. */
    sel(key);
    read_data(b, 3);
    assert_memory_equal(b, "012", 3);
    sel(FW_CFG_SIGNATURE);
    sel(key);
    read_data(b, 3);
    assert_memory_equal(b, "012", 3);
    /* The selector port reads data too (QEMU's combined region); wider reads are refused. */
    assert_int_equal(harness_inb(SEL_PORT), '3');
    assert_int_equal(harness_inw(SEL_PORT), 0xffff);
    assert_int_equal(harness_inb(DATA_PORT), '4');
    /* An empty file reads zeros and is listed with size 0. */
    fw_cfg_add_file(fw, "etc/empty", NULL, 0);
    sel(file_key("etc/empty"));
    assert_int_equal(harness_inb(DATA_PORT), 0);
}

/* ---- DMA ------------------------------------------------------------------------- */

static void test_dma_read(void **state)
{
    static const char text[] = "The quick brown fox";
    size_t n = strlen(text);

    fw_cfg_add_file(fw, "etc/fox", text, n);
    uint16_t key = file_key("etc/fox");

    memset(ram_ptr + BUF_ADDR, 0xaa, 64);
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, n, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, text, n);
    assert_int_equal(ram_ptr[BUF_ADDR + n], 0xaa);

    /* A read continues at the data port's offset; past the end it writes zeros. */
    memset(ram_ptr + BUF_ADDR, 0xaa, 64);
    sel(key);
    read_data((uint8_t[4]){ 0 }, 4);
    assert_int_equal(dma(FW_CFG_DMA_CTL_READ, n - 4 + 8, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, text + 4, n - 4);
    for (size_t i = n - 4; i < n + 4; i++) {
        assert_int_equal(ram_ptr[BUF_ADDR + i], 0);
    }
    assert_int_equal(ram_ptr[BUF_ADDR + n + 4], 0xaa);
    assert_int_equal(harness_inb(DATA_PORT), 0);

    /* The signature by DMA; a 64-bit descriptor address with a zero high half. */
    assert_int_equal(dma(dma_select(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 4, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, "QEMU", 4);

    /* No operation bit: nothing but the select happens, and it succeeds. */
    memset(ram_ptr + BUF_ADDR, 0xaa, 8);
    assert_int_equal(dma(dma_select(FW_CFG_ID), 4, BUF_ADDR), 0);
    assert_int_equal(ram_ptr[BUF_ADDR], 0xaa);
    assert_int_equal(harness_inb(DATA_PORT), FW_CFG_VERSION | FW_CFG_VERSION_DMA);
}

static void test_dma_skip_select(void **state)
{
    static const char text[] = "abcdefghij";

    fw_cfg_add_file(fw, "etc/letters", text, 10);
    uint16_t key = file_key("etc/letters");

    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_SKIP, 3, 0), 0);
    assert_int_equal(harness_inb(DATA_PORT), 'd');
    assert_int_equal(dma(FW_CFG_DMA_CTL_SKIP, 2, 0), 0);
    assert_int_equal(dma(FW_CFG_DMA_CTL_READ, 2, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, "gh", 2);
    /* A huge skip stops at the end. */
    assert_int_equal(dma(FW_CFG_DMA_CTL_SKIP, 0xffffffff, 0), 0);
    assert_int_equal(harness_inb(DATA_PORT), 0);
    /* SELECT alone resets the offset, like the selector port. */
    assert_int_equal(dma(dma_select(key), 0, 0), 0);
    assert_int_equal(harness_inb(DATA_PORT), 'a');
    /* SELECT of a key with no item, then READ: zeros, success. */
    memset(ram_ptr + BUF_ADDR, 0xaa, 4);
    assert_int_equal(dma(dma_select(0x3ff0) | FW_CFG_DMA_CTL_READ, 4, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, "\0\0\0\0", 4);
}

typedef struct WriteLog {
    int calls;
    uint32_t offset, len;
    uint8_t data[16];
} WriteLog;

static void write_cb(void *opaque, uint32_t offset, const uint8_t *data, uint32_t len)
{
    WriteLog *log = opaque;
    log->calls++;
    log->offset = offset;
    log->len = len;
    memcpy(log->data, data, MIN(len, sizeof(log->data)));
}

static void test_dma_write(void **state)
{
    WriteLog log = { 0 };
    size_t len;

    fw_cfg_add_file_callback(fw, "etc/writable", "........", 8, write_cb, &log, false);
    fw_cfg_add_file(fw, "etc/readonly", "rrrr", 4);
    uint16_t key = file_key("etc/writable");

    memcpy(ram_ptr + BUF_ADDR, "WXYZ", 4);
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_SKIP, 2, 0), 0);
    assert_int_equal(dma(FW_CFG_DMA_CTL_WRITE, 4, BUF_ADDR), 0);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.offset, 2);
    assert_int_equal(log.len, 4);
    assert_memory_equal(log.data, "WXYZ", 4);
    assert_memory_equal(fw_cfg_get_file(fw, "etc/writable", &len), "..WXYZ..", 8);
    /* The guest sees its write. */
    sel(key);
    uint8_t b[8];
    read_data(b, 8);
    assert_memory_equal(b, "..WXYZ..", 8);

    /* A write that would end past the item is dropped whole. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_SKIP, 6, 0), 0);
    assert_int_equal(dma(FW_CFG_DMA_CTL_WRITE, 4, BUF_ADDR), FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(log.calls, 1);
    assert_memory_equal(fw_cfg_get_file(fw, "etc/writable", &len), "..WXYZ..", 8);
    /* ... and one that starts past it. */
    assert_int_equal(dma(FW_CFG_DMA_CTL_SKIP, 100, 0), 0);
    assert_int_equal(dma(FW_CFG_DMA_CTL_WRITE, 1, BUF_ADDR), FW_CFG_DMA_CTL_ERROR);
    /* A huge write. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_WRITE, 0xffffffff, BUF_ADDR),
                     FW_CFG_DMA_CTL_ERROR);
    /* From a source that is not RAM. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_WRITE, 4, HOLE_ADDR),
                     FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(log.calls, 1);
    /* From ROM is fine: the device only reads it. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_WRITE, 4, ROM_BASE), 0);
    assert_int_equal(log.calls, 2);
    assert_memory_equal(fw_cfg_get_file(fw, "etc/writable", &len), "\0\0\0\0YZ..", 8);

    /* Read-only files and numbered items refuse writes. */
    assert_int_equal(dma(dma_select(file_key("etc/readonly")) | FW_CFG_DMA_CTL_WRITE, 4,
                         BUF_ADDR), FW_CFG_DMA_CTL_ERROR);
    assert_memory_equal(fw_cfg_get_file(fw, "etc/readonly", &len), "rrrr", 4);
    assert_int_equal(dma(dma_select(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_WRITE, 4, BUF_ADDR),
                     FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(dma(dma_select(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 4, BUF_ADDR), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, "QEMU", 4);

    /* A writable file without a callback takes the write too. */
    fw_cfg_add_file_callback(fw, "etc/plain", "0000", 4, NULL, NULL, false);
    memcpy(ram_ptr + BUF_ADDR, "1234", 4);
    assert_int_equal(dma(dma_select(file_key("etc/plain")) | FW_CFG_DMA_CTL_WRITE, 4,
                         BUF_ADDR), 0);
    assert_memory_equal(fw_cfg_get_file(fw, "etc/plain", &len), "1234", 4);
}

static void test_dma_errors(void **state)
{
    static const char text[] = "payload!";

    fw_cfg_add_file(fw, "etc/payload", text, 8);
    uint16_t key = file_key("etc/payload");

    /* Into a hole, into ROM, across the end of RAM: error, nothing written. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 8, HOLE_ADDR),
                     FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 8, ROM_BASE),
                     FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(harness_readb(ROM_BASE), 0);
    memset(ram_ptr + RAM_SIZE - 4, 0xaa, 4);
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 8, RAM_SIZE - 4),
                     FW_CFG_DMA_CTL_ERROR);
    assert_memory_equal(ram_ptr + RAM_SIZE - 4, "\xaa\xaa\xaa\xaa", 4);
    /* A failed read does not move the offset. */
    assert_int_equal(harness_inb(DATA_PORT), 'p');

    /* Huge lengths: zero fill would run past RAM. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 0xffffffff, BUF_ADDR),
                     FW_CFG_DMA_CTL_ERROR);
    /* Addresses that wrap past 2^64. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 8, UINT64_MAX - 3),
                     FW_CFG_DMA_CTL_ERROR);
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 0x10, UINT64_MAX),
                     FW_CFG_DMA_CTL_ERROR);
    /* Zero length at a bad address transfers nothing: success. */
    assert_int_equal(dma(dma_select(key) | FW_CFG_DMA_CTL_READ, 0, HOLE_ADDR), 0);

    /* A descriptor in a hole, in ROM, straddling the end of RAM, at the top of memory. */
    dma_kick(HOLE_ADDR);
    dma_kick(ROM_BASE);
    assert_int_equal(harness_readl(ROM_BASE), 0);
    put_be(ram_ptr + RAM_SIZE - 8, 4, dma_select(key) | FW_CFG_DMA_CTL_READ);
    put_be(ram_ptr + RAM_SIZE - 4, 4, 8);
    dma_kick(RAM_SIZE - 8);
    /* Not read as a whole, so not run; the control word still tells of the error. */
    assert_int_equal(get_be(ram_ptr + RAM_SIZE - 8, 4), FW_CFG_DMA_CTL_ERROR);
    dma_kick(UINT64_MAX - 7);
    dma_kick(0xfffffffffffffff0ULL);

    /* The address register clears after each transfer: a stale high half is not reused. */
    harness_outl(DMA_PORT, GUINT32_SWAP_LE_BE(1));  /* high half: 0x1_0000_0000 */
    harness_outl(DMA_PORT + 4, GUINT32_SWAP_LE_BE(DESC_ADDR));  /* -> hole, fails */
    put_be(ram_ptr + DESC_ADDR, 4, dma_select(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ);
    put_be(ram_ptr + DESC_ADDR + 4, 4, 4);
    put_be(ram_ptr + DESC_ADDR + 8, 8, BUF_ADDR);
    harness_outl(DMA_PORT + 4, GUINT32_SWAP_LE_BE(DESC_ADDR));
    assert_int_equal(get_be(ram_ptr + DESC_ADDR, 4), 0);
    assert_memory_equal(ram_ptr + BUF_ADDR, "QEMU", 4);

    /* Writes of other sizes or at other offsets are ignored. */
    harness_outw(DMA_PORT + 4, 0x1234);
    harness_outb(DMA_PORT + 7, 0x10);
    harness_outl(DMA_PORT + 2, 0x1000);     /* unaligned: refused by the bus */
    assert_int_equal(harness_inb(DMA_PORT), 'Q');
}

/* ---- Reset, VMState, names ------------------------------------------------------ */

static void test_reset(void **state)
{
    fw_cfg_add_file(fw, "etc/a", "abc", 3);
    sel(file_key("etc/a"));
    assert_int_equal(harness_inb(DATA_PORT), 'a');
    harness_outl(DMA_PORT, GUINT32_SWAP_LE_BE(1));      /* latch a high half */
    qdev_reset_all(fw_cfg_dev());
    assert_int_equal(harness_inb(DATA_PORT), 'Q');
    /* The latched high half is gone: a low write alone reaches RAM. */
    put_be(ram_ptr + DESC_ADDR, 4, dma_select(FW_CFG_ID) | FW_CFG_DMA_CTL_READ);
    put_be(ram_ptr + DESC_ADDR + 4, 4, 4);
    put_be(ram_ptr + DESC_ADDR + 8, 8, BUF_ADDR);
    harness_outl(DMA_PORT + 4, GUINT32_SWAP_LE_BE(DESC_ADDR));
    assert_int_equal(get_be(ram_ptr + DESC_ADDR, 4), 0);
    assert_int_equal(ram_ptr[BUF_ADDR], FW_CFG_VERSION | FW_CFG_VERSION_DMA);
}

static void test_vmstate(void **state)
{
    DeviceState *dev = fw_cfg_dev();
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    fw_cfg_add_file(fw, "etc/m", "migrate", 7);
    uint16_t key = file_key("etc/m");
    sel(key);
    read_data((uint8_t[3]){ 0 }, 3);
    harness_outl(DMA_PORT, GUINT32_SWAP_LE_BE(0x12));
    assert_true(vmstate_save(buf, vmsd, dev, &err));
    assert_int_equal(buf->len, 2 + 4 + 8);

    sel(FW_CFG_SIGNATURE);
    qdev_reset_all(dev);
    assert_true(vmstate_load(buf->data, buf->len, &pos, vmsd, dev, 1, &err));
    assert_int_equal(harness_inb(DATA_PORT), 'r');
    g_byte_array_free(buf, true);

    /* A stream with any key and offset is safe: they are checked at each access. */
    uint8_t bad[14];
    put_be(bad, 2, 0x3fff);
    put_be(bad + 2, 4, 0xfffffff0);
    put_be(bad + 6, 8, UINT64_MAX);
    pos = 0;
    assert_true(vmstate_load(bad, sizeof(bad), &pos, vmsd, dev, 1, &err));
    assert_int_equal(harness_inb(DATA_PORT), 0);
    put_be(bad, 2, key);
    pos = 0;
    assert_true(vmstate_load(bad, sizeof(bad), &pos, vmsd, dev, 1, &err));
    assert_int_equal(harness_inb(DATA_PORT), 0);
    assert_int_equal(dma(FW_CFG_DMA_CTL_READ, 2, BUF_ADDR), 0);
}

static void test_user_files(void **state)
{
    Error *err = NULL;
    char name[80];

    memset(name, 'n', sizeof(name));
    name[FW_CFG_MAX_FILE_PATH - 1] = 0;     /* 55 characters: fine */
    assert_true(fw_cfg_add_user_file(fw, name, "x", 1, &err));
    name[FW_CFG_MAX_FILE_PATH - 1] = 'n';
    name[FW_CFG_MAX_FILE_PATH] = 0;         /* 56: too long */
    assert_false(fw_cfg_add_user_file(fw, name, "x", 1, &err));
    assert_non_null(err);
    error_free(err);
    err = NULL;
    assert_false(fw_cfg_add_user_file(fw, "", "x", 1, &err));
    error_free(err);
    err = NULL;
    assert_true(fw_cfg_add_user_file(fw, "opt/org.example/a", "1", 1, &err));
    assert_false(fw_cfg_add_user_file(fw, "opt/org.example/a", "2", 1, &err));
    assert_non_null(strstr(error_get_pretty(err), "duplicate"));
    error_free(err);
    err = NULL;

    /* Fill the default 32 slots; the next is refused. */
    for (unsigned i = 2; i < FW_CFG_FILE_SLOTS_DEFAULT; i++) {
        snprintf(name, sizeof(name), "opt/f%02u", FW_CFG_FILE_SLOTS_DEFAULT - i);
        assert_true(fw_cfg_add_user_file(fw, name, name, strlen(name), &err));
    }
    assert_false(fw_cfg_add_user_file(fw, "opt/one-too-many", "x", 1, &err));
    assert_non_null(strstr(error_get_pretty(err), "slot"));
    error_free(err);

    /* The last key is in range and still sorted. */
    uint8_t hdr[4], ent[FW_CFG_DIR_ENTRY_SIZE], prev[FW_CFG_MAX_FILE_PATH] = "";
    sel(FW_CFG_FILE_DIR);
    read_data(hdr, 4);
    assert_int_equal(get_be(hdr, 4), FW_CFG_FILE_SLOTS_DEFAULT);
    for (unsigned i = 0; i < FW_CFG_FILE_SLOTS_DEFAULT; i++) {
        read_data(ent, sizeof(ent));
        assert_true(strcmp((char *)prev, (char *)ent + 8) < 0);
        memcpy(prev, ent + 8, sizeof(prev));
    }
    sel(file_key("opt/f01"));
    read_data(hdr, 4);
    assert_memory_equal(hdr, "opt/", 4);
}

/* ---- Fuzz ------------------------------------------------------------------------ */

static void fuzz_write_cb(void *opaque, uint32_t offset, const uint8_t *data, uint32_t len)
{
    (*(unsigned *)opaque)++;
}

/* A random number in [0, n). */
static uint32_t rnd(GRand *rand, uint32_t n)
{
    return g_rand_int(rand) % n;
}

static void test_fuzz(void **state)
{
    static unsigned writes;
    uint8_t blob[300];

    for (unsigned i = 0; i < sizeof(blob); i++) {
        blob[i] = i;
    }
    fw_cfg_add_file(fw, "etc/blob", blob, sizeof(blob));
    fw_cfg_add_file_callback(fw, "etc/w", blob, 40, fuzz_write_cb, &writes, false);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, RAM_SIZE);

    /* Raw port traffic: random selectors, data reads, random DMA addresses. */
    harness_fuzz(true, FW_CFG_IO_BASE, 12, 20000, 0xf00d);

    /* Well-formed descriptors with random fields, aimed around RAM, ROM and the edges. */
    static const uint64_t bases[] = { 0, RAM_SIZE - 0x100, ROM_BASE, ROM_BASE + ROM_SIZE - 8,
                                      HOLE_ADDR, UINT64_MAX - 0x40 };
    GRand *rand = g_rand_new_with_seed(0xbeef);
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t desc = rnd(rand, 2) ? rnd(rand, RAM_SIZE - 16)
                        : bases[rnd(rand, G_N_ELEMENTS(bases))] + rnd(rand, 0x40);
        uint32_t control = g_rand_int(rand) & 0x1f;
        uint16_t key = rnd(rand, 2) ? FW_CFG_FILE_FIRST + rnd(rand, 4) : g_rand_int(rand);
        uint32_t length = rnd(rand, 4) ? rnd(rand, 512) : g_rand_int(rand);
        uint64_t addr = bases[rnd(rand, G_N_ELEMENTS(bases))] + rnd(rand, 0x200);
        if (desc + 16 <= RAM_SIZE && desc >= BUF_ADDR + 0x1000) {
            put_be(ram_ptr + desc, 4, (uint32_t)key << 16 | control);
            put_be(ram_ptr + desc + 4, 4, length);
            put_be(ram_ptr + desc + 8, 8, addr);
        }
        dma_kick(desc);
        if (rnd(rand, 8) == 0) {
            harness_inb(DATA_PORT);
        }
    }
    g_rand_free(rand);
    assert_true(writes > 0);    /* the fuzz reached the DMA write path */
    /* Still sane afterwards. */
    sel(FW_CFG_SIGNATURE);
    uint8_t b[4];
    read_data(b, 4);
    assert_memory_equal(b, "QEMU", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signature, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_id_dma, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_id_nodma, setup_nodma, teardown),
        cmocka_unit_test_setup_teardown(test_second_device_refused, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_keys, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_file_dir_sorted, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_file_bytewise_and_reselect, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_dma_read, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_dma_skip_select, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_dma_write, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_dma_errors, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_user_files, setup_dma, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup_dma, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
