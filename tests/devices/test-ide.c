/*
 * PIIX3 IDE tests: the controller at 01.1 of an i440FX bus with RAM, its
 * channels on probe IRQs 14/15, raw images in /dev/shm behind -drive
 * if=none drives, and ide-hd/ide-cd devices on its buses.  The registers
 * are driven as a driver would (no CPU): IDENTIFY, PIO and DMA transfers,
 * LBA48 beyond 128 GiB, bad PRD tables, ATAPI commands and medium changes,
 * absent units, then a fuzz run over every port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>

#include "block/blockdev.h"
#include "hw/ide/ide.h"
#include "hw/pci-host/i440fx.h"
#include "migration/vmstate.h"
#include "tests/devices/harness.h"

#define RAM_SIZE        (4 * 1024 * 1024)
#define BMIBA           0xc000
#define PRD             0x1000      /* PRD tables */
#define DBUF            0x20000     /* DMA buffers */
#define P0              0x1f0
#define C0              0x3f6
#define P1              0x170
#define C1              0x376
#define HD_SIZE         (8 * 1024 * 1024)
#define CD_SIZE         (2 * 1024 * 1024)
#define BIG_SIZE        (200ull << 30)  /* sparse: LBA48 addresses past 2^28 */

/* Task file status bits and ATAPI opcodes the tests use. */
#define ST_ERR  0x01
#define ST_DRQ  0x08
#define ST_DRDY 0x40
#define ST_BSY  0x80

static MemoryRegion *ram, *pci_mem;
static uint8_t *ram_ptr;
static PCIBus *pci_bus;
static PCIDevice *ide;
static ISABus *isa;
static IRQProbe *irq14, *irq15;
static char images[4][64];
static int nimages;

/* ---- Set-up ------------------------------------------------------------------- */

static void cfg_write(uint8_t reg, uint32_t val, int size)
{
    harness_outl(0xcf8, 0x80000000u | PCI_DEVFN(1, 1) << 8 | (reg & 0xfc));
    if (size == 4) {
        harness_outl(0xcfc, val);
    } else {
        harness_outw(0xcfc + (reg & 2), val);
    }
}

static uint32_t cfg_readl(uint8_t reg)
{
    harness_outl(0xcf8, 0x80000000u | PCI_DEVFN(1, 1) << 8 | reg);
    return harness_inl(0xcfc);
}

static const char *make_image(uint64_t size, unsigned sector_size)
{
    char *path = images[nimages];
    snprintf(path, sizeof(images[0]), "/dev/shm/kemu-ide-%d-%d.raw", getpid(), nimages++);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    /* Each sector of the first 8 MiB starts with its number: easy to recognize. */
    uint8_t *buf = g_malloc(sector_size);
    for (uint64_t s = 0; s < MIN(size, HD_SIZE) / sector_size; s++) {
        for (unsigned i = 0; i < sector_size; i++) {
            buf[i] = (uint8_t)(s * 7 + i);
        }
        memcpy(buf, &s, 4);
        assert_int_equal(pwrite(fd, buf, sector_size, s * sector_size), (ssize_t)sector_size);
    }
    g_free(buf);
    close(fd);
    return path;
}

static DriveInfo *make_drive(const char *id, const char *file)
{
    Error *err = NULL;
    g_autofree char *spec = g_strdup_printf("if=none,id=%s,format=raw,file=%s", id, file);
    Opts *opts = opts_parse(spec, NULL, &err);
    assert_non_null(opts);
    DriveInfo *d = drive_new(opts, IF_NONE, false, &err);
    opts_free(opts);
    if (!d) {
        fail_msg("drive_new: %s", error_get_pretty(err));
    }
    return d;
}

static BusState *ide_bus(int n)
{
    return g_ptr_array_index(ide->parent_obj.child_buses, n);
}

static void add_device(const char *type, const char *drive, int bus, int unit)
{
    g_autofree char *u = g_strdup_printf("%d", unit);
    const char *props[] = { "drive", drive, "unit", u, NULL };
    harness_create(type, ide_bus(bus), props);
}

/* Primary: a disk (unit 0); secondary: a CD-ROM (unit 0).  Big: a 200 GiB disk too. */
static int setup_with(bool big)
{
    Error *err = NULL;
    harness_init();
    if (!isa) {
        isa = harness_isa_bus();
    }
    irq14 = harness_isa_irq(14);
    irq15 = harness_isa_irq(15);
    nimages = 0;
    ram = g_new0(MemoryRegion, 1);
    pci_mem = g_new0(MemoryRegion, 1);
    g_assert(memory_region_init_ram(ram, NULL, "pc.ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, ram);
    ram_ptr = memory_region_get_ram_ptr(ram);
    memory_region_init(pci_mem, NULL, "pci", UINT64_MAX);
    pci_bus = i440fx_init(get_system_memory(), get_system_io(), ram, pci_mem, &err);
    g_assert(pci_bus);
    ide = piix3_ide_create(pci_bus, isa, &err);
    g_assert(ide);
    make_drive("hd0", make_image(HD_SIZE, 512));
    make_drive("cd0", make_image(CD_SIZE, 2048));
    add_device(TYPE_IDE_HD, "hd0", 0, 0);
    add_device(TYPE_IDE_CD, "cd0", 1, 0);
    if (big) {
        make_drive("big", make_image(BIG_SIZE, 512));
        add_device(TYPE_IDE_HD, "big", 0, 1);
    }
    qdev_reset_machine();
    cfg_write(PCI_BASE_ADDRESS_0 + 16, BMIBA, 4);
    cfg_write(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    harness_irq_probe_reset(irq14);
    harness_irq_probe_reset(irq15);
    return 0;
}

static int setup(void **state)
{
    return setup_with(false);
}

static int setup_big(void **state)
{
    return setup_with(true);
}

static int teardown(void **state)
{
    qdev_unrealize(pci_bus->parent_obj.parent);
    memory_region_del_subregion(get_system_memory(), ram);
    memory_region_finalize(ram);
    memory_region_finalize(pci_mem);
    g_free(ram);
    g_free(pci_mem);
    drive_close_all();
    for (int i = 0; i < nimages; i++) {
        unlink(images[i]);
    }
    return 0;
}

/* ---- Driver helpers ---------------------------------------------------------- */

static uint8_t wait_ready(uint16_t ctl)
{
    uint8_t st = 0;
    for (int i = 0; i < 20000; i++) {
        harness_poll();
        st = harness_inb(ctl);
        if (!(st & ST_BSY)) {
            return st;
        }
        g_usleep(100);
    }
    fail_msg("device stayed busy (status %02x)", st);
    return st;
}

static void select_dev(uint16_t base, int dev)
{
    harness_outb(base + 6, 0xe0 | dev << 4);
}

static void ata_cmd28(uint16_t base, int dev, uint8_t cmd, uint32_t lba, uint8_t count)
{
    harness_outb(base + 6, 0xe0 | dev << 4 | ((lba >> 24) & 0xf));
    harness_outb(base + 2, count);
    harness_outb(base + 3, lba);
    harness_outb(base + 4, lba >> 8);
    harness_outb(base + 5, lba >> 16);
    harness_outb(base + 7, cmd);
}

static void ata_cmd48(uint16_t base, int dev, uint8_t cmd, uint64_t lba, uint16_t count)
{
    harness_outb(base + 6, 0x40 | dev << 4);
    harness_outb(base + 2, count >> 8);
    harness_outb(base + 3, lba >> 24);
    harness_outb(base + 4, lba >> 32);
    harness_outb(base + 5, lba >> 40);
    harness_outb(base + 2, count);
    harness_outb(base + 3, lba);
    harness_outb(base + 4, lba >> 8);
    harness_outb(base + 5, lba >> 16);
    harness_outb(base + 7, cmd);
}

static void pio_in(uint16_t base, void *buf, size_t bytes)
{
    uint16_t *w = buf;
    for (size_t i = 0; i < bytes / 2; i++) {
        w[i] = harness_inw(base);
    }
}

static void pio_out(uint16_t base, const void *buf, size_t bytes)
{
    const uint16_t *w = buf;
    for (size_t i = 0; i < bytes / 2; i++) {
        harness_outw(base, w[i]);
    }
}

static void expect_sector(const uint8_t *buf, uint32_t n, unsigned size)
{
    uint32_t got;
    memcpy(&got, buf, 4);
    assert_int_equal(got, n);
    for (unsigned i = 4; i < size; i++) {
        if (buf[i] != (uint8_t)(n * 7 + i)) {
            fail_msg("sector %u byte %u: %02x", n, i, buf[i]);
        }
    }
}

static void file_read(int img, uint64_t off, void *buf, size_t len)
{
    int fd = open(images[img], O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
    close(fd);
}

static void ata_string(const uint16_t *id, int word, int words, char *out)
{
    for (int i = 0; i < words * 2; i++) {
        out[i] = ((const uint8_t *)id)[2 * word + (i ^ 1)];
    }
    out[words * 2] = 0;
    g_strchomp(out);
}

static void identify(uint16_t base, uint16_t ctl, int dev, uint16_t *id)
{
    ata_cmd28(base, dev, 0xec, 0, 0);
    uint8_t st = wait_ready(ctl);
    assert_int_equal(st & (ST_DRQ | ST_ERR), ST_DRQ);
    pio_in(base, id, 512);
    assert_int_equal(harness_inb(base + 7) & ST_DRQ, 0);
}

/* ---- ATA ------------------------------------------------------------------------ */

static void test_identify(void **state)
{
    uint16_t id[256];
    char s[48];

    /* Disk signature after reset. */
    select_dev(P0, 0);
    assert_int_equal(harness_inb(P0 + 2), 1);
    assert_int_equal(harness_inb(P0 + 3), 1);
    assert_int_equal(harness_inb(P0 + 4), 0);
    assert_int_equal(harness_inb(P0 + 5), 0);
    assert_int_equal(harness_inb(P0 + 7), 0x50);

    identify(P0, C0, 0, id);
    assert_int_equal(irq14->raises, 1);
    assert_int_equal(id[0], 0x0040);
    ata_string(id, 27, 20, s);
    assert_string_equal(s, "QEMU HARDDISK");
    ata_string(id, 10, 10, s);
    assert_string_equal(s, "QM00001");
    assert_true(id[49] & (1 << 9));             /* LBA */
    assert_true(id[49] & (1 << 8));             /* DMA */
    assert_true(id[83] & (1 << 10));            /* LBA48 */
    assert_true(id[83] & (1 << 12));            /* FLUSH CACHE */
    uint32_t lba28 = id[60] | id[61] << 16;
    uint64_t lba48 = id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32;
    assert_int_equal(lba28, HD_SIZE / 512);
    assert_int_equal(lba48, HD_SIZE / 512);
    assert_int_equal(id[1] * id[3] * id[6], (HD_SIZE / 512 / (16 * 63)) * 16 * 63);
    assert_int_equal(id[47] & 0xff, 16);

    /* The 200 GiB disk: LBA28 capacity saturates, LBA48 has it all. */
    identify(P0, C0, 1, id);
    lba28 = id[60] | id[61] << 16;
    lba48 = id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32;
    assert_int_equal(lba28, 0x0fffffff);
    assert_int_equal(lba48, BIG_SIZE / 512);
    assert_int_equal(id[1], 16383);
    ata_string(id, 10, 10, s);
    assert_string_equal(s, "QM00002");

    /* SET FEATURES transfer mode shows in words 63/88; a bad one aborts. */
    select_dev(P0, 0);
    harness_outb(P0 + 1, 0x03);
    harness_outb(P0 + 2, 0x42);                 /* UDMA 2 */
    harness_outb(P0 + 7, 0xef);
    assert_int_equal(wait_ready(C0) & ST_ERR, 0);
    identify(P0, C0, 0, id);
    assert_int_equal(id[88] >> 8, 1 << 2);
    harness_outb(P0 + 1, 0x03);
    harness_outb(P0 + 2, 0x47);                 /* UDMA 7: not offered */
    harness_outb(P0 + 7, 0xef);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P0 + 1), 0x04);
}

static void test_pio(void **state)
{
    uint8_t buf[16 * 512];

    /* READ SECTORS: 3 sectors from LBA 5, one interrupt per sector. */
    ata_cmd28(P0, 0, 0x20, 5, 3);
    for (int s = 0; s < 3; s++) {
        uint8_t st = wait_ready(C0);
        assert_int_equal(st & (ST_DRQ | ST_ERR), ST_DRQ);
        harness_inb(P0 + 7);
        pio_in(P0, buf, 512);
        expect_sector(buf, 5 + s, 512);
    }
    assert_int_equal(irq14->raises, 3);
    assert_int_equal(harness_inb(P0 + 7), 0x50);

    /* 32-bit data port accesses work too. */
    ata_cmd28(P0, 0, 0x20, 9, 1);
    wait_ready(C0);
    for (int i = 0; i < 128; i++) {
        uint32_t v = harness_inl(P0);
        memcpy(buf + 4 * i, &v, 4);
    }
    expect_sector(buf, 9, 512);

    /* WRITE SECTORS: data first, interrupt after each sector is on disk. */
    for (int i = 0; i < 1024; i++) {
        buf[i] = 0xa0 ^ i;
    }
    ata_cmd28(P0, 0, 0x30, 100, 2);
    assert_int_equal(harness_inb(C0) & ST_DRQ, ST_DRQ);
    pio_out(P0, buf, 512);
    assert_int_equal(wait_ready(C0) & ST_DRQ, ST_DRQ);
    pio_out(P0, buf + 512, 512);
    assert_int_equal(wait_ready(C0), 0x50);
    uint8_t disk[1024];
    file_read(0, 100 * 512, disk, 1024);
    assert_memory_equal(disk, buf, 1024);

    /* READ/WRITE MULTIPLE in blocks of 4 (10 sectors: 4, 4, 2). */
    harness_irq_probe_reset(irq14);
    harness_outb(P0 + 2, 4);
    harness_outb(P0 + 7, 0xc6);
    assert_int_equal(wait_ready(C0) & ST_ERR, 0);
    ata_cmd28(P0, 0, 0xc4, 20, 10);
    for (int blk = 0, s = 20; blk < 3; blk++) {
        wait_ready(C0);
        harness_inb(P0 + 7);
        int n = blk < 2 ? 4 : 2;
        pio_in(P0, buf, n * 512);
        for (int i = 0; i < n; i++) {
            expect_sector(buf + i * 512, s++, 512);
        }
    }
    assert_int_equal(irq14->raises, 4);     /* SET MULTIPLE + 3 blocks */
    memset(buf, 0x5a, sizeof(buf));
    ata_cmd28(P0, 0, 0xc5, 200, 6);
    pio_out(P0, buf, 4 * 512);
    assert_int_equal(wait_ready(C0) & ST_DRQ, ST_DRQ);
    pio_out(P0, buf, 2 * 512);
    assert_int_equal(wait_ready(C0), 0x50);
    file_read(0, 200 * 512, disk, 1024);
    assert_memory_equal(disk, buf, 1024);

    /* Bad multiple count aborts; past the end is ID NOT FOUND. */
    harness_outb(P0 + 2, 3);
    harness_outb(P0 + 7, 0xc6);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
    ata_cmd28(P0, 0, 0x20, HD_SIZE / 512 - 1, 2);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P0 + 1), 0x10);

    /* READ VERIFY, FLUSH CACHE, power commands, DIAGNOSTIC. */
    ata_cmd28(P0, 0, 0x40, 10, 10);
    assert_int_equal(wait_ready(C0), 0x50);
    harness_outb(P0 + 7, 0xe7);
    assert_int_equal(wait_ready(C0), 0x50);
    harness_outb(P0 + 7, 0xea);
    assert_int_equal(wait_ready(C0), 0x50);
    harness_outb(P0 + 7, 0xe0);
    wait_ready(C0);
    harness_outb(P0 + 7, 0xe5);
    wait_ready(C0);
    assert_int_equal(harness_inb(P0 + 2), 0x00);   /* standby */
    harness_outb(P0 + 7, 0xe1);
    wait_ready(C0);
    harness_outb(P0 + 7, 0xe5);
    wait_ready(C0);
    assert_int_equal(harness_inb(P0 + 2), 0xff);
    harness_outb(P0 + 7, 0x90);
    wait_ready(C0);
    assert_int_equal(harness_inb(P0 + 1), 0x01);
    assert_int_equal(harness_inb(P0 + 2), 1);

    /* CHS: 16 heads, 63 sectors; C/H/S 1/2/3 is LBA (1*16+2)*63+2. */
    harness_outb(P0 + 6, 0xa0 | 15);
    harness_outb(P0 + 2, 63);
    harness_outb(P0 + 7, 0x91);
    assert_int_equal(wait_ready(C0) & ST_ERR, 0);
    harness_outb(P0 + 6, 0xa0 | 2);
    harness_outb(P0 + 2, 1);
    harness_outb(P0 + 3, 3);
    harness_outb(P0 + 4, 1);
    harness_outb(P0 + 5, 0);
    harness_outb(P0 + 7, 0x20);
    assert_int_equal(wait_ready(C0) & (ST_DRQ | ST_ERR), ST_DRQ);
    pio_in(P0, buf, 512);
    expect_sector(buf, (1 * 16 + 2) * 63 + 2, 512);
    harness_outb(P0 + 3, 0);                    /* sector 0 does not exist */
    harness_outb(P0 + 7, 0x20);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
}

static void test_lba48(void **state)
{
    uint8_t buf[1024], disk[1024];
    uint64_t lba = 0x18000123ull;               /* past 2^28: 128 GiB */

    for (int i = 0; i < 1024; i++) {
        buf[i] = i * 3 + 1;
    }
    ata_cmd48(P0, 1, 0x34, lba, 2);
    assert_int_equal(harness_inb(C0) & ST_DRQ, ST_DRQ);
    pio_out(P0, buf, 512);
    wait_ready(C0);
    pio_out(P0, buf + 512, 512);
    assert_int_equal(wait_ready(C0), 0x50);
    file_read(2, lba * 512, disk, 1024);
    assert_memory_equal(disk, buf, 1024);

    /* Read it back with READ SECTORS EXT; the HOB bit shows the high bytes. */
    ata_cmd48(P0, 1, 0x24, lba + 1, 1);
    assert_int_equal(wait_ready(C0) & ST_DRQ, ST_DRQ);
    pio_in(P0, disk, 512);
    assert_memory_equal(disk, buf + 512, 512);
    harness_outb(C0, 0x80);
    assert_int_equal(harness_inb(P0 + 3), ((lba + 1) >> 24) & 0xff);
    harness_outb(C0, 0x00);
    assert_int_equal(harness_inb(P0 + 3), (lba + 1) & 0xff);

    /* READ NATIVE MAX ADDRESS EXT; beyond the end is IDNF. */
    select_dev(P0, 1);
    harness_outb(P0 + 6, 0x50);
    harness_outb(P0 + 7, 0x27);
    wait_ready(C0);
    uint64_t max = harness_inb(P0 + 3) | harness_inb(P0 + 4) << 8 | harness_inb(P0 + 5) << 16;
    harness_outb(C0, 0x80);
    max |= (uint64_t)harness_inb(P0 + 3) << 24 | (uint64_t)harness_inb(P0 + 4) << 32;
    harness_outb(C0, 0);
    assert_int_equal(max, BIG_SIZE / 512 - 1);
    ata_cmd48(P0, 1, 0x24, BIG_SIZE / 512, 1);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
    /* A count of 0 means 65536 sectors in LBA48. */
    ata_cmd48(P0, 1, 0x24, BIG_SIZE / 512 - 65535, 0);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
}

/* ---- Bus-master DMA ---------------------------------------------------------------- */

static void prd_set(unsigned i, uint32_t addr, uint32_t len, bool eot)
{
    uint32_t e[2] = { addr, (len & 0xffff) | (eot ? 0x80000000u : 0) };
    memcpy(ram_ptr + PRD + 8 * i, e, 8);
}

static void bm_start(int ch, uint32_t table, bool to_memory)
{
    uint16_t bm = BMIBA + 8 * ch;
    harness_outl(bm + 4, table);
    harness_outb(bm + 2, 0x06);                 /* clear error and interrupt */
    harness_outb(bm, to_memory ? 0x08 : 0x00);
    harness_outb(bm, to_memory ? 0x09 : 0x01);
}

static uint8_t bm_status(int ch)
{
    return harness_inb(BMIBA + 8 * ch + 2);
}

static void bm_stop(int ch)
{
    harness_outb(BMIBA + 8 * ch, 0);
}

static void test_dma(void **state)
{
    uint8_t disk[8192];

    assert_int_equal(cfg_readl(0) , 0x70108086);
    assert_int_equal(cfg_readl(8) >> 8, 0x010180);

    /* READ DMA: 16 sectors into two regions of 3 and 5 KiB. */
    memset(ram_ptr + DBUF, 0, 0x4000);
    prd_set(0, DBUF, 3072, false);
    prd_set(1, DBUF + 0x2000, 5120, true);
    ata_cmd28(P0, 0, 0xc8, 40, 16);
    bm_start(0, PRD, true);
    assert_int_equal(wait_ready(C0), 0x50);
    assert_int_equal(bm_status(0) & 7, 0x04);   /* not active, interrupt */
    assert_true(irq14->level);
    harness_inb(P0 + 7);
    assert_false(irq14->level);
    bm_stop(0);
    for (int s = 0; s < 6; s++) {
        expect_sector(ram_ptr + DBUF + 512 * s, 40 + s, 512);
    }
    for (int s = 6; s < 16; s++) {
        expect_sector(ram_ptr + DBUF + 0x2000 + 512 * (s - 6), 40 + s, 512);
    }

    /* WRITE DMA EXT from RAM, checked in the file. */
    for (int i = 0; i < 4096; i++) {
        ram_ptr[DBUF + i] = i ^ 0x3c;
    }
    prd_set(0, DBUF, 4096, true);
    ata_cmd48(P0, 0, 0x35, 300, 8);
    bm_start(0, PRD, false);
    assert_int_equal(wait_ready(C0), 0x50);
    bm_stop(0);
    file_read(0, 300 * 512, disk, 4096);
    assert_memory_equal(disk, ram_ptr + DBUF, 4096);

    /* A 0 byte count means 64 KiB: one entry for 128 sectors. */
    prd_set(0, DBUF, 0, true);
    ata_cmd28(P0, 0, 0xc8, 1000, 128);
    bm_start(0, PRD, true);
    assert_int_equal(wait_ready(C0), 0x50);
    assert_int_equal(bm_status(0) & 7, 0x04);
    bm_stop(0);
    expect_sector(ram_ptr + DBUF + 127 * 512, 1127, 512);

    /* A table longer than the transfer: Active stays set with the interrupt. */
    prd_set(0, DBUF, 8192, true);
    ata_cmd28(P0, 0, 0xc8, 1, 1);
    bm_start(0, PRD, true);
    assert_int_equal(wait_ready(C0), 0x50);
    assert_int_equal(bm_status(0) & 7, 0x05);
    bm_stop(0);

    /* A table shorter than the transfer: Active clear, no interrupt, no error. */
    prd_set(0, DBUF, 512, true);
    ata_cmd28(P0, 0, 0xc8, 1, 2);
    bm_start(0, PRD, true);
    wait_ready(C0);
    assert_int_equal(bm_status(0) & 7, 0x00);
    bm_stop(0);

    /* Start before the command works the same. */
    prd_set(0, DBUF, 1024, true);
    bm_start(0, PRD, true);
    ata_cmd28(P0, 0, 0xc8, 77, 2);
    assert_int_equal(wait_ready(C0), 0x50);
    expect_sector(ram_ptr + DBUF + 512, 78, 512);
    bm_stop(0);
}

static void expect_dma_error(uint8_t cmd, uint32_t table, uint8_t count)
{
    harness_irq_probe_reset(irq14);
    ata_cmd28(P0, 0, cmd, 0, count);
    bm_start(0, table, cmd == 0xc8);
    uint8_t st = wait_ready(C0);
    assert_int_equal(st & ST_ERR, ST_ERR);
    assert_int_equal(bm_status(0) & 7, 0x06);   /* error, interrupt, not active */
    assert_true(irq14->level);
    bm_stop(0);
    harness_inb(P0 + 7);
}

static void test_dma_bad_prd(void **state)
{
    /* A table that never ends: 8192 two-byte entries without EOT, and more data. */
    for (unsigned i = 0; i < 8192; i++) {
        uint32_t e[2] = { DBUF, 2 };
        memcpy(ram_ptr + 0x100000 + 8 * i, e, 8);
    }
    expect_dma_error(0xc8, 0x100000, 64);
    expect_dma_error(0xca, 0x100000, 64);

    /* Buffers outside RAM, straddling its end, the table itself outside RAM. */
    prd_set(0, 0xf0000000u, 512, true);
    expect_dma_error(0xc8, PRD, 1);
    expect_dma_error(0xca, PRD, 1);
    prd_set(0, RAM_SIZE - 256, 512, true);
    expect_dma_error(0xc8, PRD, 1);
    expect_dma_error(0xc8, 0xfff00000u, 1);
    /* The table wrapping at 4 GiB. */
    expect_dma_error(0xc8, 0xfffffff8u, 1);

    /* The device still works afterwards. */
    prd_set(0, DBUF, 512, true);
    ata_cmd28(P0, 0, 0xc8, 3, 1);
    bm_start(0, PRD, true);
    assert_int_equal(wait_ready(C0), 0x50);
    expect_sector(ram_ptr + DBUF, 3, 512);
    bm_stop(0);

    /* Stopping the engine under a command abandons it. */
    prd_set(0, DBUF, 0, true);
    ata_cmd28(P0, 0, 0xc8, 0, 0);
    bm_start(0, PRD, true);
    bm_stop(0);
    uint8_t st = wait_ready(C0);
    assert_int_equal(st & ST_DRQ, 0);
    harness_poll();
}

/* ---- ATAPI --------------------------------------------------------------------------- */

static int atapi_dev;   /* secondary channel unit the ATAPI helpers talk to */

/* Send a packet; returns the final status.  Reply bytes land in buf (PIO). */
static uint8_t atapi_cmd(const uint8_t *pkt, uint8_t *buf, size_t *len, uint16_t limit)
{
    size_t got = 0;
    select_dev(P1, atapi_dev);
    harness_outb(P1 + 1, 0);
    harness_outb(P1 + 4, limit);
    harness_outb(P1 + 5, limit >> 8);
    harness_outb(P1 + 7, 0xa0);
    uint8_t st = harness_inb(C1);
    assert_int_equal(st & ST_DRQ, ST_DRQ);
    assert_int_equal(harness_inb(P1 + 2) & 3, 1);   /* CoD: waiting for the command */
    pio_out(P1, pkt, 12);
    for (;;) {
        st = wait_ready(C1);
        harness_inb(P1 + 7);
        if (!(st & ST_DRQ)) {
            break;
        }
        assert_int_equal(harness_inb(P1 + 2) & 3, 2);   /* data to the host */
        unsigned n = harness_inb(P1 + 4) | harness_inb(P1 + 5) << 8;
        assert_true(n <= (limit & ~1u));
        assert_true(got + n <= 256 * 1024);
        pio_in(P1, buf + got, n);
        got += n;
    }
    assert_int_equal(harness_inb(P1 + 2) & 3, 3);       /* status phase */
    if (len) {
        *len = got;
    }
    return st;
}

static uint8_t atapi_sense(uint8_t *asc)
{
    uint8_t pkt[12] = { 0x03, 0, 0, 0, 18 }, buf[64];
    size_t len;
    assert_int_equal(atapi_cmd(pkt, buf, &len, 0xfffe) & ST_ERR, 0);
    assert_int_equal(len, 18);
    assert_int_equal(buf[0], 0x70);
    *asc = buf[12];
    return buf[2];
}

static uint8_t reply[256 * 1024];

static void test_atapi(void **state)
{
    uint16_t id[256];
    size_t len;
    uint8_t asc;
    char s[48];

    /* Signature, and IDENTIFY DEVICE aborted with it. */
    select_dev(P1, 0);
    assert_int_equal(harness_inb(P1 + 4), 0x14);
    assert_int_equal(harness_inb(P1 + 5), 0xeb);
    assert_int_equal(harness_inb(P1 + 7), 0x00);
    harness_outb(P1 + 7, 0xec);
    assert_int_equal(wait_ready(C1) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P1 + 4), 0x14);
    assert_int_equal(harness_inb(P1 + 5), 0xeb);
    harness_outb(P1 + 7, 0xa1);
    assert_int_equal(wait_ready(C1) & ST_DRQ, ST_DRQ);
    pio_in(P1, id, 512);
    assert_int_equal(id[0], 0x85c0);
    ata_string(id, 27, 20, s);
    assert_string_equal(s, "QEMU DVD-ROM");
    assert_true(irq15->raises >= 2);

    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    assert_int_equal(atapi_cmd(inq, reply, &len, 0xfffe) & ST_ERR, 0);
    assert_int_equal(len, 36);
    assert_int_equal(reply[0], 0x05);
    assert_int_equal(reply[1], 0x80);
    assert_memory_equal(reply + 8, "QEMU    QEMU DVD-ROM", 20);

    uint8_t tur[12] = { 0x00 };
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, 0);

    uint8_t cap[12] = { 0x25 };
    atapi_cmd(cap, reply, &len, 0xfffe);
    assert_int_equal(len, 8);
    assert_int_equal(reply[0] << 24 | reply[1] << 16 | reply[2] << 8 | reply[3],
                     CD_SIZE / 2048 - 1);
    assert_int_equal(reply[6] << 8 | reply[7], 2048);

    /* READ(10) of 3 sectors from LBA 4, in pieces of at most 0x800 bytes. */
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 4, 0, 0, 3 };
    assert_int_equal(atapi_cmd(rd, reply, &len, 0x800) & ST_ERR, 0);
    assert_int_equal(len, 3 * 2048);
    for (int i = 0; i < 3; i++) {
        expect_sector(reply + 2048 * i, 4 + i, 2048);
    }
    /* READ(12) of 100 sectors (two buffer chunks), with an odd byte count limit. */
    uint8_t rd12[12] = { 0xa8, 0, 0, 0, 0, 10, 0, 0, 0, 100 };
    assert_int_equal(atapi_cmd(rd12, reply, &len, 0x1001) & ST_ERR, 0);
    assert_int_equal(len, 100 * 2048);
    for (int i = 0; i < 100; i++) {
        expect_sector(reply + 2048 * i, 10 + i, 2048);
    }

    /* Beyond the end: CHECK CONDITION, ILLEGAL REQUEST / LBA out of range. */
    uint8_t bad[12] = { 0x28, 0, 0, 0, 0x04, 0, 0, 0, 1 };
    uint8_t st = atapi_cmd(bad, reply, &len, 0xfffe);
    assert_int_equal(st & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P1 + 1) >> 4, 5);
    assert_int_equal(atapi_sense(&asc), 5);
    assert_int_equal(asc, 0x21);
    assert_int_equal(atapi_sense(&asc), 0);     /* reported once */

    /* READ TOC: format 0 (LBA and MSF), 1, 2. */
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24 };
    atapi_cmd(toc, reply, &len, 0xfffe);
    assert_int_equal(len, 20);
    assert_int_equal(reply[0] << 8 | reply[1], 18);
    assert_int_equal(reply[6], 1);              /* track 1 */
    assert_int_equal(reply[14], 0xaa);          /* lead-out */
    assert_int_equal(reply[16] << 24 | reply[17] << 16 | reply[18] << 8 | reply[19],
                     CD_SIZE / 2048);
    toc[1] = 2;
    atapi_cmd(toc, reply, &len, 0xfffe);
    uint32_t lo = CD_SIZE / 2048 + 150;
    assert_int_equal(reply[17], lo / 4500);
    assert_int_equal(reply[18], lo / 75 % 60);
    assert_int_equal(reply[19], lo % 75);
    toc[1] = 0;
    toc[2] = 1;
    atapi_cmd(toc, reply, &len, 0xfffe);
    assert_int_equal(len, 12);
    assert_int_equal(reply[1], 10);
    toc[2] = 2;
    atapi_cmd(toc, reply, &len, 0xfffe);
    assert_int_equal(len, 4 + 4 * 11);
    assert_int_equal(reply[4 + 3], 0xa0);
    toc[2] = 7;
    assert_int_equal(atapi_cmd(toc, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    toc[2] = 0;
    toc[6] = 5;                                 /* no track 5 */
    assert_int_equal(atapi_cmd(toc, reply, &len, 0xfffe) & ST_ERR, ST_ERR);

    /* MODE SENSE(10) capabilities page, all pages; saved values are refused. */
    uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 0xff };
    atapi_cmd(ms, reply, &len, 0xfffe);
    assert_int_equal(len, 28);
    assert_int_equal(reply[8], 0x2a);
    ms[2] = 0x3f;
    atapi_cmd(ms, reply, &len, 0xfffe);
    assert_int_equal(len, 36);
    ms[2] = 0xea;
    assert_int_equal(atapi_cmd(ms, reply, &len, 0xfffe) & ST_ERR, ST_ERR);

    /* GET CONFIGURATION: CD-ROM profile current; one feature with RT=2. */
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0x04, 0 };
    atapi_cmd(gc, reply, &len, 0xfffe);
    assert_int_equal(reply[6] << 8 | reply[7], 0x0008);
    assert_int_equal(len, (size_t)(reply[2] << 8 | reply[3]) + 4);
    gc[1] = 2;
    gc[3] = 0x03;
    atapi_cmd(gc, reply, &len, 0xfffe);
    assert_int_equal(len, 8 + 8);
    assert_int_equal(reply[9], 0x03);

    /* GET EVENT STATUS NOTIFICATION (polled); asynchronous is refused. */
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    atapi_cmd(gesn, reply, &len, 0xfffe);
    assert_int_equal(len, 8);
    assert_int_equal(reply[2], 4);
    assert_int_equal(reply[5], 2);              /* medium present, tray closed */
    gesn[1] = 0;
    assert_int_equal(atapi_cmd(gesn, reply, &len, 0xfffe) & ST_ERR, ST_ERR);

    uint8_t di[12] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 };
    atapi_cmd(di, reply, &len, 0xfffe);
    assert_int_equal(len, 34);
    uint8_t mech[12] = { 0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
    atapi_cmd(mech, reply, &len, 0xfffe);
    assert_int_equal(len, 8);

    /* An unknown opcode: ILLEGAL REQUEST, invalid command. */
    uint8_t unk[12] = { 0xff };
    assert_int_equal(atapi_cmd(unk, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    assert_int_equal(atapi_sense(&asc), 5);
    assert_int_equal(asc, 0x20);

    /* READ(10) by DMA on the secondary channel. */
    prd_set(0, DBUF, 4096, true);
    bm_start(1, PRD, true);
    select_dev(P1, 0);
    harness_outb(P1 + 1, 1);
    harness_outb(P1 + 7, 0xa0);
    uint8_t rdd[12] = { 0x28, 0, 0, 0, 0, 7, 0, 0, 2 };
    pio_out(P1, rdd, 12);
    assert_int_equal(wait_ready(C1) & (ST_ERR | ST_DRQ), 0);
    assert_int_equal(harness_inb(P1 + 2) & 3, 3);
    assert_int_equal(bm_status(1) & 7, 0x04);
    expect_sector(ram_ptr + DBUF + 2048, 8, 2048);
    bm_stop(1);
    /* And a reply (INQUIRY) by DMA. */
    prd_set(0, DBUF, 36, true);
    bm_start(1, PRD, true);
    harness_outb(P1 + 1, 1);
    harness_outb(P1 + 7, 0xa0);
    pio_out(P1, inq, 12);
    assert_int_equal(wait_ready(C1) & ST_ERR, 0);
    assert_memory_equal(ram_ptr + DBUF + 8, "QEMU    ", 8);
    bm_stop(1);
}

static void test_atapi_media(void **state)
{
    Error *err = NULL;
    size_t len;
    uint8_t asc;
    uint8_t tur[12] = { 0x00 };
    DriveInfo *cd = drive_get_by_id("cd0");

    assert_true(drive_is_removable(cd));
    assert_false(drive_is_tray_open(cd));

    /* Eject: NOT READY, MEDIUM NOT PRESENT; tray open. */
    assert_true(drive_eject(cd, false, &err));
    assert_true(drive_is_tray_open(cd));
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P1 + 1) >> 4, 2);
    assert_int_equal(atapi_sense(&asc), 2);
    assert_int_equal(asc, 0x3a);
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    atapi_cmd(gesn, reply, &len, 0xfffe);
    assert_int_equal(reply[4], 3);              /* media removal */
    assert_int_equal(reply[5], 1);              /* tray open, no medium */
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0x04, 0 };
    atapi_cmd(gc, reply, &len, 0xfffe);
    assert_int_equal(reply[6] << 8 | reply[7], 0);

    /* Insert another image: UNIT ATTENTION once, then ready with the new size. */
    const char *other = make_image(CD_SIZE * 2, 2048);
    assert_true(drive_change_medium(cd, other, "raw", &err));
    assert_false(drive_is_tray_open(cd));
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P1 + 1) >> 4, 6);
    assert_int_equal(atapi_sense(&asc), 6);
    assert_int_equal(asc, 0x28);
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, 0);
    uint8_t cap[12] = { 0x25 };
    atapi_cmd(cap, reply, &len, 0xfffe);
    assert_int_equal(reply[2] << 8 | reply[3], CD_SIZE * 2 / 2048 - 1);
    atapi_cmd(gesn, reply, &len, 0xfffe);
    assert_int_equal(reply[4], 2);              /* new media */

    /* PREVENT MEDIUM REMOVAL: the monitor's eject fails, the guest hears of it. */
    uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 };
    atapi_cmd(lock, reply, &len, 0xfffe);
    assert_true(drive_is_locked(cd));
    assert_false(drive_eject(cd, false, &err));
    assert_string_equal(error_get_pretty(err), "Device 'cd0' is locked and force was not "
                        "specified, wait for tray to open and try again");
    error_free(err);
    err = NULL;
    atapi_cmd(gesn, reply, &len, 0xfffe);
    assert_int_equal(reply[4], 1);              /* eject request */
    /* The guest's own eject is refused while locked, allowed after unlocking. */
    uint8_t ej[12] = { 0x1b, 0, 0, 0, 0x02 };
    assert_int_equal(atapi_cmd(ej, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    lock[4] = 0;
    atapi_cmd(lock, reply, &len, 0xfffe);
    assert_int_equal(atapi_cmd(ej, reply, &len, 0xfffe) & ST_ERR, 0);
    assert_true(drive_is_tray_open(cd));
    ej[4] = 0x03;                               /* load */
    atapi_cmd(ej, reply, &len, 0xfffe);
    assert_false(drive_is_tray_open(cd));
    /* Forced eject of a locked tray works. */
    lock[4] = 1;
    atapi_cmd(lock, reply, &len, 0xfffe);
    assert_true(drive_eject(cd, true, &err));
    assert_false(drive_is_locked(cd));

    /* The disk is not removable. */
    DriveInfo *hd = drive_get_by_id("hd0");
    assert_false(drive_is_removable(hd));
    assert_false(drive_eject(hd, true, &err));
    error_free(err);
}

static void test_atapi_empty(void **state)
{
    Error *err = NULL;
    size_t len;
    uint8_t asc;
    uint8_t tur[12] = { 0x00 };

    /* -drive if=none,media=cdrom without a file: an empty drive at secondary unit 1. */
    Opts *opts = opts_parse("if=none,id=cde,media=cdrom", NULL, &err);
    assert_non_null(opts);
    DriveInfo *d = drive_new(opts, IF_NONE, false, &err);
    opts_free(opts);
    assert_non_null(d);
    const char *props[] = { "drive", "cde", "unit", "1", NULL };
    harness_create(TYPE_IDE_CD, ide_bus(1), props);
    atapi_dev = 1;
    select_dev(P1, 1);
    assert_int_equal(harness_inb(P1 + 5), 0xeb);
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    assert_int_equal(atapi_sense(&asc), 2);
    assert_int_equal(asc, 0x3a);
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    assert_int_equal(atapi_cmd(inq, reply, &len, 0xfffe) & ST_ERR, 0);

    /* Insert a disc: unit attention, then READ(10) works. */
    assert_true(drive_change_medium(d, images[1], "raw", &err));
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, ST_ERR);
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, 0);
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 2, 0, 0, 1 };
    assert_int_equal(atapi_cmd(rd, reply, &len, 0xfffe) & ST_ERR, 0);
    expect_sector(reply, 2, 2048);
    /* Device 0 on the same channel is untouched. */
    atapi_dev = 0;
    assert_int_equal(atapi_cmd(tur, reply, &len, 0xfffe) & ST_ERR, 0);
}

/* ---- Absent units, resets, interrupts ------------------------------------------------ */

static void test_absent(void **state)
{
    /* Primary device 1 is absent: device 0 answers for it with zeros. */
    select_dev(P0, 1);
    assert_int_equal(harness_inb(P0 + 7), 0);
    assert_int_equal(harness_inb(C0), 0);
    harness_outb(P0 + 2, 0x55);
    assert_int_equal(harness_inb(P0 + 2), 0);
    harness_outb(P0 + 7, 0xec);
    harness_poll();
    assert_int_equal(harness_inb(P0 + 7), 0);
    assert_int_equal(harness_inw(P0), 0);
    assert_int_equal(irq14->raises, 0);
    /* Device 0 kept the latched count. */
    select_dev(P0, 0);
    assert_int_equal(harness_inb(P0 + 2), 0x55);

    /* Unknown commands and NOP abort. */
    harness_outb(P0 + 7, 0x00);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);
    assert_int_equal(harness_inb(P0 + 1), 0x04);
    harness_outb(P0 + 7, 0xfe);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);

    /* nIEN masks the line; the pending interrupt shows when unmasked. */
    harness_irq_probe_reset(irq14);
    harness_outb(C0, 0x02);
    harness_outb(P0 + 7, 0xe1);
    wait_ready(C0);
    assert_false(irq14->level);
    harness_outb(C0, 0x00);
    assert_true(irq14->level);
    harness_inb(P0 + 7);
    assert_false(irq14->level);

    /* SRST in the middle of a PIO read: busy, then the signature. */
    ata_cmd28(P0, 0, 0x20, 0, 4);
    wait_ready(C0);
    harness_outb(C0, 0x04);
    assert_int_equal(harness_inb(C0) & ST_BSY, ST_BSY);
    harness_outb(C0, 0x00);
    assert_int_equal(harness_inb(P0 + 7), 0x50);
    assert_int_equal(harness_inb(P0 + 1), 0x01);
    assert_int_equal(harness_inb(P0 + 2), 1);
    assert_int_equal(harness_inb(C0) & ST_DRQ, 0);

    /* DEVICE RESET on the CD; a disk aborts it. */
    select_dev(P1, 0);
    harness_outb(P1 + 7, 0x08);
    assert_int_equal(harness_inb(P1 + 5), 0xeb);
    harness_outb(P0 + 7, 0x08);
    assert_int_equal(wait_ready(C0) & ST_ERR, ST_ERR);

}

static void test_no_drives_channel(void **state)
{
    /* Secondary device 1 absent; a controller's second channel with nothing reads 0. */
    select_dev(P1, 1);
    assert_int_equal(harness_inb(P1 + 7), 0);
    assert_int_equal(harness_inb(P1 + 4), 0);
    /* info pci-like checks: BAR4 decodes where it was put. */
    assert_int_equal(cfg_readl(0x20), BMIBA | 1);
    harness_outb(BMIBA + 2, 0x60);
    assert_int_equal(harness_inb(BMIBA + 2), 0x60);
    harness_outl(BMIBA + 4, 0x12345677);
    assert_int_equal(harness_inl(BMIBA + 4), 0x12345674);
}

/* ---- Migration ---------------------------------------------------------------------- */

static void test_vmstate(void **state)
{
    Error *err = NULL;
    DeviceState *dev = &ide->parent_obj;
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    uint8_t buf[4 * 512];

    /* Save in the middle of a PIO read, reset, load: the transfer goes on. */
    ata_cmd28(P0, 0, 0x20, 50, 4);
    wait_ready(C0);
    harness_inb(P0 + 7);
    pio_in(P0, buf, 512 + 256);
    GByteArray *saved = g_byte_array_new();
    assert_true(vmstate_save(saved, vmsd, ide, &err));
    qdev_reset_all(dev);
    assert_int_equal(harness_inb(C0) & ST_DRQ, 0);
    size_t pos = 0;
    assert_true(vmstate_load(saved->data, saved->len, &pos, vmsd, ide, vmsd->version_id, &err));
    assert_int_equal(pos, saved->len);
    assert_int_equal(harness_inb(C0) & ST_DRQ, ST_DRQ);
    pio_in(P0, buf + 768, 256);
    for (int s = 2; s < 4; s++) {
        wait_ready(C0);
        harness_inb(P0 + 7);
        pio_in(P0, buf + 512 * s, 512);
    }
    for (int s = 0; s < 4; s++) {
        expect_sector(buf + 512 * s, 50 + s, 512);
    }
    assert_int_equal(harness_inb(P0 + 7), 0x50);

    /* A stream whose PIO window lies outside the buffer is refused. */
    GByteArray *bad = g_byte_array_new();
    assert_true(vmstate_save(bad, vmsd, ide, &err));
    size_t good_len = bad->len;
    /* The secondary channel's units, task file and window included, all ones. */
    memset(bad->data + good_len / 2, 0xff, good_len / 2);
    pos = 0;
    assert_false(vmstate_load(bad->data, bad->len, &pos, vmsd, ide, vmsd->version_id, &err));
    error_free(err);
    err = NULL;
    /* After a reset the device works again. */
    qdev_reset_all(dev);
    ata_cmd28(P0, 0, 0x20, 7, 1);
    assert_int_equal(wait_ready(C0) & ST_DRQ, ST_DRQ);
    pio_in(P0, buf, 512);
    expect_sector(buf, 7, 512);
    g_byte_array_free(saved, true);
    g_byte_array_free(bad, true);
}

static void test_fuzz(void **state)
{
    /* Random PRD tables and buffers: RAM full of noise. */
    GRand *r = g_rand_new_with_seed(7);
    for (unsigned i = 0; i < RAM_SIZE / 4; i++) {
        uint32_t v = g_rand_int(r);
        memcpy(ram_ptr + 4 * i, &v, 4);
    }
    g_rand_free(r);
    for (uint32_t seed = 1; seed <= 4; seed++) {
        harness_fuzz(true, P0, 8, 3000, seed);
        harness_fuzz(true, C0, 1, 500, seed);
        harness_fuzz(true, P1, 8, 3000, seed + 100);
        harness_fuzz(true, C1, 1, 500, seed);
        harness_fuzz(true, BMIBA, 16, 2000, seed);
        harness_poll();
    }
    /* Everything at once, through the whole window 0x170-0x1ff and BAR4. */
    harness_fuzz(true, P1, 0x90, 8000, 99);
    harness_fuzz(true, BMIBA, 16, 4000, 99);
    for (int i = 0; i < 50; i++) {
        harness_poll();
        g_usleep(1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identify, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_pio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lba48, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_dma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_bad_prd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atapi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atapi_media, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atapi_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_drives_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vmstate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup_big, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
