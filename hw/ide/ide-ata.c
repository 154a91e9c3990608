/*
 * The ATA command set of an IDE disk (and the few ATA commands a packet
 * device answers): IDENTIFY, PIO and DMA reads and writes with CHS, LBA28
 * and LBA48 addressing, READ/WRITE MULTIPLE, FLUSH CACHE, SET FEATURES,
 * the power commands.  ATA8-ACS (T13/1699-D): the commands and the
 * IDENTIFY DEVICE data.
 */
#include "hw/ide/ide-internal.h"

#include <string.h>

#include "util/log.h"

/* Commands (ATA8-ACS). */
#define CMD_NOP                 0x00
#define CMD_RECALIBRATE         0x10    /* 0x10-0x1f */
#define CMD_READ_SECTORS        0x20
#define CMD_READ_SECTORS_NR     0x21
#define CMD_READ_SECTORS_EXT    0x24
#define CMD_READ_DMA_EXT        0x25
#define CMD_READ_NATIVE_MAX_EXT 0x27
#define CMD_READ_MULTIPLE_EXT   0x29
#define CMD_WRITE_SECTORS       0x30
#define CMD_WRITE_SECTORS_NR    0x31
#define CMD_WRITE_SECTORS_EXT   0x34
#define CMD_WRITE_DMA_EXT       0x35
#define CMD_WRITE_MULTIPLE_EXT  0x39
#define CMD_WRITE_DMA_FUA_EXT   0x3d
#define CMD_READ_VERIFY         0x40
#define CMD_READ_VERIFY_NR      0x41
#define CMD_READ_VERIFY_EXT     0x42
#define CMD_SEEK                0x70
#define CMD_EXECUTE_DIAGNOSTIC  0x90
#define CMD_INITIALIZE_PARAMS   0x91
#define CMD_PACKET              0xa0
#define CMD_IDENTIFY_PACKET     0xa1
#define CMD_READ_MULTIPLE       0xc4
#define CMD_WRITE_MULTIPLE      0xc5
#define CMD_SET_MULTIPLE        0xc6
#define CMD_READ_DMA            0xc8
#define CMD_READ_DMA_NR         0xc9
#define CMD_WRITE_DMA           0xca
#define CMD_WRITE_DMA_NR        0xcb
#define CMD_WRITE_MULTIPLE_FUA_EXT 0xce
#define CMD_STANDBY_IMMEDIATE   0xe0
#define CMD_IDLE_IMMEDIATE      0xe1
#define CMD_STANDBY             0xe2
#define CMD_IDLE                0xe3
#define CMD_CHECK_POWER_MODE    0xe5
#define CMD_SLEEP               0xe6
#define CMD_FLUSH_CACHE         0xe7
#define CMD_FLUSH_CACHE_EXT     0xea
#define CMD_IDENTIFY            0xec
#define CMD_SET_FEATURES        0xef
#define CMD_READ_NATIVE_MAX     0xf8

/* SET FEATURES subcommands. */
#define SF_ENABLE_WCACHE        0x02
#define SF_XFER_MODE            0x03
#define SF_DISABLE_WCACHE       0x82
#define SF_DISABLE_LOOKAHEAD    0x55
#define SF_ENABLE_LOOKAHEAD     0xaa
#define SF_DISABLE_DEFAULTS     0x66
#define SF_ENABLE_DEFAULTS      0xcc

#define XFER_UDMA5              0x45    /* selected at power-on */
#define LBA28_MAX               0x0fffffffull

/* What each command needs. */
enum {
    F_HD    = 1 << 0,   /* disks take it */
    F_CD    = 1 << 1,   /* packet devices take it */
    F_LBA48 = 1 << 2,   /* 48-bit addressing and count */
    F_WRITE = 1 << 3,
    F_MULT  = 1 << 4,   /* READ/WRITE MULTIPLE: blocks of mult_sectors */
    F_DMA   = 1 << 5,
};

void ata_put_word(uint8_t *p, unsigned word, uint16_t v)
{
    p[2 * word] = v;
    p[2 * word + 1] = v >> 8;
}

void ata_put_string(uint8_t *p, unsigned word, unsigned words, const char *s)
{
    size_t len = strlen(s);
    for (unsigned i = 0; i < words * 2; i++) {
        p[2 * word + (i ^ 1)] = i < len ? s[i] : ' ';
    }
}

void ata_set_signature(IDEUnit *u)
{
    /* ATA8-ACS (signatures): 01h/01h, then 0000h for ATA, EB14h for packet devices. */
    u->nsector = 1;
    u->sector = 1;
    u->lcyl = u->kind == IDE_CD ? 0x14 : 0;
    u->hcyl = u->kind == IDE_CD ? 0xeb : 0;
    u->hob_nsector = u->hob_sector = u->hob_lcyl = u->hob_hcyl = u->hob_feature = 0;
}

void ata_reset_unit(IDEUnit *u)
{
    u->mult_sectors = IDE_MAX_MULT;
    u->xfer_mode = XFER_UDMA5;
    u->power_mode = 0xff;
    u->write_cache = true;
    u->cur_heads = u->heads;
    u->cur_sectors = u->sectors;
    u->sense_key = SENSE_NONE;
    u->asc = u->ascq = 0;
    u->unit_attention = false;
    u->tray_locked = false;
    u->media_event = 0;
}

static void ata_identify(IDEUnit *u)
{
    uint8_t *p = u->io_buffer;
    uint64_t lba28 = MIN(u->nb_sectors, LBA28_MAX);
    uint32_t cur_cyls = u->cur_heads && u->cur_sectors ?
                        MIN(u->nb_sectors / (u->cur_heads * u->cur_sectors), 16383) : 0;
    uint32_t cur_cap = cur_cyls * u->cur_heads * u->cur_sectors;
    uint8_t mode = u->xfer_mode & 7;

    memset(p, 0, IDE_SECTOR_SIZE);
    ata_put_word(p, 0, 0x0040);                 /* fixed device */
    ata_put_word(p, 1, u->cylinders);
    ata_put_word(p, 3, u->heads);
    ata_put_word(p, 6, u->sectors);
    ata_put_string(p, 10, 10, u->serial);
    ata_put_word(p, 20, 3);                     /* obsolete buffer type and size */
    ata_put_word(p, 21, 512);
    ata_put_word(p, 22, 4);
    ata_put_string(p, 23, 4, u->version);
    ata_put_string(p, 27, 20, u->model);
    ata_put_word(p, 47, 0x8000 | IDE_MAX_MULT);
    ata_put_word(p, 48, 1);                     /* 32-bit PIO (obsolete word) */
    ata_put_word(p, 49, 1 << 11 | 1 << 9 | 1 << 8);     /* IORDY, LBA, DMA */
    ata_put_word(p, 51, 0x200);
    ata_put_word(p, 52, 0x200);
    ata_put_word(p, 53, 1 | 2 | 4);             /* words 54-58, 64-70 and 88 valid */
    ata_put_word(p, 54, cur_cyls);
    ata_put_word(p, 55, u->cur_heads);
    ata_put_word(p, 56, u->cur_sectors);
    ata_put_word(p, 57, cur_cap);
    ata_put_word(p, 58, cur_cap >> 16);
    ata_put_word(p, 59, u->mult_sectors ? 0x100 | u->mult_sectors : 0);
    ata_put_word(p, 60, lba28);
    ata_put_word(p, 61, lba28 >> 16);
    ata_put_word(p, 62, 0x07);
    ata_put_word(p, 63, 0x07 | ((u->xfer_mode >> 3) == 4 ? 0x100 << mode : 0));
    ata_put_word(p, 64, 0x03);                  /* PIO modes 3 and 4 */
    ata_put_word(p, 65, 120);
    ata_put_word(p, 66, 120);
    ata_put_word(p, 67, 120);
    ata_put_word(p, 68, 120);
    ata_put_word(p, 80, 0xf0);                  /* ATA/ATAPI-4 to -7 */
    ata_put_word(p, 81, 0x16);
    /* Supported: write cache, power management; LBA48, FLUSH CACHE (EXT). */
    ata_put_word(p, 82, 1 << 14 | 1 << 5 | 1 << 3);
    ata_put_word(p, 83, 1 << 14 | 1 << 13 | 1 << 12 | 1 << 10);
    ata_put_word(p, 84, 1 << 14);
    ata_put_word(p, 85, 1 << 14 | (u->write_cache ? 1 << 5 : 0) | 1 << 3);
    ata_put_word(p, 86, 1 << 13 | 1 << 12 | 1 << 10);
    ata_put_word(p, 87, 1 << 14);
    ata_put_word(p, 88, 0x3f | ((u->xfer_mode >> 3) == 8 ? 0x100 << mode : 0));
    ata_put_word(p, 93, 1 << 14 | 1 << 13 | 1);  /* 80-wire cable detected */
    ata_put_word(p, 100, u->nb_sectors);
    ata_put_word(p, 101, u->nb_sectors >> 16);
    ata_put_word(p, 102, u->nb_sectors >> 32);
    ata_put_word(p, 103, u->nb_sectors >> 48);
    ide_pio_start(u, 0, IDE_SECTOR_SIZE, PIO_END_IDENTIFY);
    ide_set_irq(u);
}

/* ---- Addressing -------------------------------------------------------------- */

static bool ata_get_lba(IDEUnit *u, bool lba48, uint64_t *lba)
{
    if (lba48) {
        *lba = (uint64_t)u->sector | (uint64_t)u->lcyl << 8 | (uint64_t)u->hcyl << 16 |
               (uint64_t)u->hob_sector << 24 | (uint64_t)u->hob_lcyl << 32 |
               (uint64_t)u->hob_hcyl << 40;
        return true;
    }
    if (u->select & ATA_LBA) {
        *lba = u->sector | u->lcyl << 8 | u->hcyl << 16 | (uint32_t)(u->select & 0xf) << 24;
        return true;
    }
    /* CHS through the geometry of INITIALIZE DEVICE PARAMETERS. */
    uint32_t cyl = u->lcyl | u->hcyl << 8;
    uint32_t head = u->select & 0xf;
    if (u->sector == 0 || u->sector > u->cur_sectors || head >= u->cur_heads) {
        return false;
    }
    *lba = ((uint64_t)cyl * u->cur_heads + head) * u->cur_sectors + u->sector - 1;
    return true;
}

static uint32_t ata_get_count(IDEUnit *u, bool lba48)
{
    if (lba48) {
        uint32_t n = u->nsector | u->hob_nsector << 8;
        return n ? n : 65536;
    }
    return u->nsector ? u->nsector : 256;
}

/* Leave the address of lba in the task file (where an error happened, or the last). */
static void ata_set_sector(IDEUnit *u, uint64_t lba)
{
    bool lba48 = u->command == CMD_READ_SECTORS_EXT || u->command == CMD_WRITE_SECTORS_EXT ||
                 u->command == CMD_READ_DMA_EXT || u->command == CMD_WRITE_DMA_EXT ||
                 u->command == CMD_READ_MULTIPLE_EXT || u->command == CMD_WRITE_MULTIPLE_EXT ||
                 u->command == CMD_WRITE_DMA_FUA_EXT || u->command == CMD_READ_VERIFY_EXT ||
                 u->command == CMD_WRITE_MULTIPLE_FUA_EXT || u->command == CMD_READ_NATIVE_MAX_EXT;
    if (lba48) {
        u->sector = lba;
        u->lcyl = lba >> 8;
        u->hcyl = lba >> 16;
        u->hob_sector = lba >> 24;
        u->hob_lcyl = lba >> 32;
        u->hob_hcyl = lba >> 40;
    } else if ((u->select & ATA_LBA) || !u->cur_heads || !u->cur_sectors) {
        u->sector = lba;
        u->lcyl = lba >> 8;
        u->hcyl = lba >> 16;
        u->select = (u->select & 0xf0) | ((lba >> 24) & 0xf);
    } else {
        uint64_t track = lba / u->cur_sectors;
        uint64_t cyl = track / u->cur_heads;
        u->sector = lba % u->cur_sectors + 1;
        u->lcyl = cyl;
        u->hcyl = cyl >> 8;
        u->select = (u->select & 0xf0) | (track % u->cur_heads);
    }
}

static void ata_error(IDEUnit *u, uint8_t error)
{
    u->status = ATA_DRDY | ATA_ERR;
    u->error = error;
    u->pio_end = PIO_END_NONE;
    u->dma_op = DMA_OP_NONE;
    u->xfer_left = 0;
    ide_set_irq(u);
}

static void ata_io_error(IDEUnit *u, bool write)
{
    ata_set_sector(u, u->xfer_lba);
    ata_error(u, write ? ATA_ABRT : ATA_UNC);
}

/* ---- PIO ------------------------------------------------------------------------- */

static void ata_read_chunk(IDEUnit *u);

static void ata_read_block(IDEUnit *u)
{
    uint32_t k = MIN(u->xfer_block, u->buf_sectors - u->buf_cur);
    ata_set_sector(u, u->xfer_lba + k - 1);
    ide_pio_start(u, u->buf_cur * IDE_SECTOR_SIZE, k * IDE_SECTOR_SIZE, PIO_END_ATA_READ);
    ide_set_irq(u);
}

static void ata_read_done(IDEUnit *u, int ret)
{
    if (ret < 0) {
        ata_io_error(u, false);
        return;
    }
    ata_read_block(u);
}

static void ata_read_chunk(IDEUnit *u)
{
    u->buf_sectors = MIN(u->xfer_left, IDE_BUF_SECTORS);
    u->buf_cur = 0;
    ide_aio(u, false, u->xfer_lba * IDE_SECTOR_SIZE, u->buf_sectors * IDE_SECTOR_SIZE,
            ata_read_done);
}

static void ata_write_block(IDEUnit *u)
{
    uint32_t k = MIN(u->xfer_block, u->xfer_left);
    ide_pio_start(u, 0, k * IDE_SECTOR_SIZE, PIO_END_ATA_WRITE);
}

static void ata_write_done(IDEUnit *u, int ret)
{
    uint32_t k = MIN(u->xfer_block, u->xfer_left);
    if (ret < 0) {
        ata_io_error(u, true);
        return;
    }
    ata_set_sector(u, u->xfer_lba + k - 1);
    u->xfer_lba += k;
    u->xfer_left -= k;
    if (u->xfer_left) {
        ata_write_block(u);
        ide_set_irq(u);
    } else {
        ide_cmd_done(u, true);
    }
}

void ata_pio_end(IDEUnit *u, IDEPioEnd end)
{
    if (end == PIO_END_ATA_WRITE) {
        uint32_t k = MIN(u->xfer_block, u->xfer_left);
        ide_aio(u, true, u->xfer_lba * IDE_SECTOR_SIZE, k * IDE_SECTOR_SIZE, ata_write_done);
        return;
    }
    uint32_t k = MIN(u->xfer_block, u->buf_sectors - u->buf_cur);
    u->buf_cur += k;
    u->xfer_lba += k;
    u->xfer_left -= k;
    if (!u->xfer_left) {
        ide_cmd_done(u, false);     /* the last block's DRQ interrupt was the end */
    } else if (u->buf_cur < u->buf_sectors) {
        ata_read_block(u);
    } else {
        ata_read_chunk(u);
    }
}

/* ---- DMA ----------------------------------------------------------------------------- */

static void ata_dma_read_done(IDEUnit *u, int ret)
{
    uint32_t n = MIN(u->xfer_left, IDE_BUF_SECTORS);
    if (ide_dma_stopped(u)) {
        return;
    }
    if (ret < 0) {
        ata_set_sector(u, u->xfer_lba);
        u->error = ATA_UNC;
        ide_dma_finish(u, IDE_DMA_OK, true);
        return;
    }
    IDEDmaResult r = ide_dma_rw(u->ch, u->io_buffer, n * IDE_SECTOR_SIZE, true);
    if (r != IDE_DMA_OK) {
        ide_dma_finish(u, r, false);
        return;
    }
    u->xfer_lba += n;
    u->xfer_left -= n;
    ata_dma_run(u);
}

static void ata_dma_write_done(IDEUnit *u, int ret)
{
    uint32_t n = MIN(u->xfer_left, IDE_BUF_SECTORS);
    if (ide_dma_stopped(u)) {
        return;
    }
    if (ret < 0) {
        ata_set_sector(u, u->xfer_lba);
        u->error = ATA_ABRT;
        ide_dma_finish(u, IDE_DMA_OK, true);
        return;
    }
    u->xfer_lba += n;
    u->xfer_left -= n;
    ata_dma_run(u);
}

void ata_dma_run(IDEUnit *u)
{
    if (ide_dma_stopped(u)) {
        return;
    }
    if (!u->xfer_left) {
        ata_set_sector(u, u->xfer_lba - 1);
        ide_dma_finish(u, IDE_DMA_OK, false);
        return;
    }
    uint32_t n = MIN(u->xfer_left, IDE_BUF_SECTORS);
    if (u->dma_op == DMA_OP_ATA_READ) {
        ide_aio(u, false, u->xfer_lba * IDE_SECTOR_SIZE, n * IDE_SECTOR_SIZE, ata_dma_read_done);
        return;
    }
    IDEDmaResult r = ide_dma_rw(u->ch, u->io_buffer, n * IDE_SECTOR_SIZE, false);
    if (r != IDE_DMA_OK) {
        ide_dma_finish(u, r, false);
        return;
    }
    ide_aio(u, true, u->xfer_lba * IDE_SECTOR_SIZE, n * IDE_SECTOR_SIZE, ata_dma_write_done);
}

/* ---- Commands ------------------------------------------------------------------------- */

static void ata_rw(IDEUnit *u, unsigned flags)
{
    bool lba48 = flags & F_LBA48;
    bool write = flags & F_WRITE;
    uint64_t lba;
    uint32_t count = ata_get_count(u, lba48);
    BlockDriverState *bs = ide_unit_bs(u);

    if ((flags & F_MULT) && !u->mult_sectors) {
        ide_abort(u);
        return;
    }
    if (!ata_get_lba(u, lba48, &lba) || lba > u->nb_sectors || count > u->nb_sectors - lba) {
        ata_error(u, ATA_IDNF);
        return;
    }
    if (write && (!bs || bdrv_is_read_only(bs))) {
        ide_abort(u);
        return;
    }
    u->power_mode = 0xff;
    u->xfer_lba = lba;
    u->xfer_left = count;
    u->xfer_block = (flags & F_MULT) ? u->mult_sectors : 1;
    if (flags & F_DMA) {
        u->dma_op = write ? DMA_OP_ATA_WRITE : DMA_OP_ATA_READ;
        u->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
        ide_dma_kick(u->ch);
    } else if (write) {
        ata_write_block(u);
    } else {
        ata_read_chunk(u);
    }
}

static void ata_flush_done(IDEUnit *u, int ret)
{
    if (ret < 0) {
        ata_error(u, ATA_ABRT);
        return;
    }
    ide_cmd_done(u, true);
}

static void ata_set_features(IDEUnit *u)
{
    switch (u->feature) {
    case SF_ENABLE_WCACHE:
        u->write_cache = true;
        break;
    case SF_DISABLE_WCACHE:
        u->write_cache = false;
        break;
    case SF_DISABLE_LOOKAHEAD:
    case SF_ENABLE_LOOKAHEAD:
    case SF_DISABLE_DEFAULTS:
    case SF_ENABLE_DEFAULTS:
        break;
    case SF_XFER_MODE: {
        uint8_t type = u->nsector >> 3, mode = u->nsector & 7;
        /* PIO default/0-4, multiword DMA 0-2, Ultra DMA 0-5. */
        if (!((type <= 1 && mode <= 4) || (type == 4 && mode <= 2) || (type == 8 && mode <= 5))) {
            ide_abort(u);
            return;
        }
        if (type == 4 || type == 8) {
            u->xfer_mode = u->nsector;
        }
        break;
    }
    default:
        log_mask(LOG_UNIMP, "ide: SET FEATURES %02x\n", u->feature);
        ide_abort(u);
        return;
    }
    ide_cmd_done(u, true);
}

static void ata_execute_diagnostic(IDEUnit *u)
{
    IDEChannel *ch = u->ch;
    for (int i = 0; i < 2; i++) {
        IDEUnit *d = &ch->units[i];
        if (d->kind == IDE_NONE) {
            continue;
        }
        ata_set_signature(d);
        d->error = 0x01;        /* device 0 passed, device 1 passed or absent */
        d->status = d->kind == IDE_HD ? ATA_DRDY | ATA_DSC : 0;
    }
    ide_set_irq(u);
}

static void ata_read_native_max(IDEUnit *u, bool lba48)
{
    uint64_t max = u->nb_sectors ? u->nb_sectors - 1 : 0;
    if (!lba48 && max > LBA28_MAX) {
        max = LBA28_MAX;
    }
    ata_set_sector(u, max);
    ide_cmd_done(u, true);
}

static void ata_initialize_params(IDEUnit *u)
{
    uint32_t heads = (u->select & 0xf) + 1, sectors = u->nsector;
    if (!sectors) {
        ide_abort(u);
        return;
    }
    u->cur_heads = heads;
    u->cur_sectors = sectors;
    ide_cmd_done(u, true);
}

typedef struct ATACommand {
    uint8_t cmd;
    uint8_t flags;
} ATACommand;

/* Which device kinds take which command, and the read/write variants (data). */
static const ATACommand ata_commands[] = {
    { CMD_READ_SECTORS,         F_HD },
    { CMD_READ_SECTORS_NR,      F_HD },
    { CMD_READ_SECTORS_EXT,     F_HD | F_LBA48 },
    { CMD_READ_MULTIPLE,        F_HD | F_MULT },
    { CMD_READ_MULTIPLE_EXT,    F_HD | F_MULT | F_LBA48 },
    { CMD_READ_DMA,             F_HD | F_DMA },
    { CMD_READ_DMA_NR,          F_HD | F_DMA },
    { CMD_READ_DMA_EXT,         F_HD | F_DMA | F_LBA48 },
    { CMD_WRITE_SECTORS,        F_HD | F_WRITE },
    { CMD_WRITE_SECTORS_NR,     F_HD | F_WRITE },
    { CMD_WRITE_SECTORS_EXT,    F_HD | F_WRITE | F_LBA48 },
    { CMD_WRITE_MULTIPLE,       F_HD | F_WRITE | F_MULT },
    { CMD_WRITE_MULTIPLE_EXT,   F_HD | F_WRITE | F_MULT | F_LBA48 },
    { CMD_WRITE_MULTIPLE_FUA_EXT, F_HD | F_WRITE | F_MULT | F_LBA48 },
    { CMD_WRITE_DMA,            F_HD | F_WRITE | F_DMA },
    { CMD_WRITE_DMA_NR,         F_HD | F_WRITE | F_DMA },
    { CMD_WRITE_DMA_EXT,        F_HD | F_WRITE | F_DMA | F_LBA48 },
    { CMD_WRITE_DMA_FUA_EXT,    F_HD | F_WRITE | F_DMA | F_LBA48 },
    { CMD_READ_VERIFY,          F_HD },
    { CMD_READ_VERIFY_NR,       F_HD },
    { CMD_READ_VERIFY_EXT,      F_HD | F_LBA48 },
    { CMD_READ_NATIVE_MAX,      F_HD },
    { CMD_READ_NATIVE_MAX_EXT,  F_HD | F_LBA48 },
    { CMD_SEEK,                 F_HD },
    { CMD_INITIALIZE_PARAMS,    F_HD },
    { CMD_SET_MULTIPLE,         F_HD },
    { CMD_FLUSH_CACHE,          F_HD | F_CD },
    { CMD_FLUSH_CACHE_EXT,      F_HD | F_LBA48 },
    { CMD_IDENTIFY,             F_HD },
    { CMD_IDENTIFY_PACKET,      F_CD },
    { CMD_PACKET,               F_CD },
    { CMD_EXECUTE_DIAGNOSTIC,   F_HD | F_CD },
    { CMD_SET_FEATURES,         F_HD | F_CD },
    { CMD_STANDBY_IMMEDIATE,    F_HD | F_CD },
    { CMD_IDLE_IMMEDIATE,       F_HD | F_CD },
    { CMD_STANDBY,              F_HD | F_CD },
    { CMD_IDLE,                 F_HD | F_CD },
    { CMD_CHECK_POWER_MODE,     F_HD | F_CD },
    { CMD_SLEEP,                F_HD | F_CD },
};

static const ATACommand *ata_find_command(uint8_t cmd)
{
    if (cmd >= CMD_RECALIBRATE && cmd <= CMD_RECALIBRATE + 0xf) {
        static const ATACommand recal = { CMD_RECALIBRATE, F_HD };
        return &recal;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ata_commands); i++) {
        if (ata_commands[i].cmd == cmd) {
            return &ata_commands[i];
        }
    }
    return NULL;
}

void ata_exec_cmd(IDEUnit *u, uint8_t cmd)
{
    const ATACommand *c = ata_find_command(cmd);
    if (!c || !(c->flags & (u->kind == IDE_CD ? F_CD : F_HD))) {
        /* ATA8-ACS (signatures): a packet device aborts ATA commands with its signature. */
        if (u->kind == IDE_CD) {
            ata_set_signature(u);
        }
        if (!c) {
            log_mask(LOG_UNIMP, "ide: unknown command %02x\n", cmd);
        }
        ide_abort(u);
        return;
    }
    switch (c->cmd) {
    case CMD_READ_VERIFY:
    case CMD_READ_VERIFY_NR:
    case CMD_READ_VERIFY_EXT: {
        bool lba48 = c->flags & F_LBA48;
        uint64_t lba;
        uint32_t count = ata_get_count(u, lba48);
        if (!ata_get_lba(u, lba48, &lba) || lba > u->nb_sectors ||
            count > u->nb_sectors - lba) {
            ata_error(u, ATA_IDNF);
            return;
        }
        ata_set_sector(u, lba + count - 1);
        ide_cmd_done(u, true);
        return;
    }
    case CMD_READ_NATIVE_MAX:
    case CMD_READ_NATIVE_MAX_EXT:
        ata_read_native_max(u, c->flags & F_LBA48);
        return;
    case CMD_RECALIBRATE:
    case CMD_SEEK:
        ide_cmd_done(u, true);
        return;
    case CMD_INITIALIZE_PARAMS:
        ata_initialize_params(u);
        return;
    case CMD_SET_MULTIPLE:
        /* 0 disables; else a power of two up to what IDENTIFY word 47 offers. */
        if (u->nsector > IDE_MAX_MULT || (u->nsector & (u->nsector - 1))) {
            ide_abort(u);
            return;
        }
        u->mult_sectors = u->nsector;
        ide_cmd_done(u, true);
        return;
    case CMD_FLUSH_CACHE:
    case CMD_FLUSH_CACHE_EXT:
        if (u->kind == IDE_CD || !ide_unit_bs(u)) {
            ide_cmd_done(u, true);
            return;
        }
        ide_aio_flush(u, ata_flush_done);
        return;
    case CMD_IDENTIFY:
        ata_identify(u);
        return;
    case CMD_IDENTIFY_PACKET:
        atapi_identify(u);
        return;
    case CMD_PACKET:
        /* Feature bit 0: data by DMA; the 12 command bytes come by PIO, no interrupt. */
        u->byte_limit = u->lcyl | u->hcyl << 8;
        u->nsector = ATAPI_COD;
        ide_pio_start(u, 0, ATAPI_PACKET_SIZE, PIO_END_PACKET);
        return;
    case CMD_EXECUTE_DIAGNOSTIC:
        ata_execute_diagnostic(u);
        return;
    case CMD_SET_FEATURES:
        ata_set_features(u);
        return;
    case CMD_STANDBY_IMMEDIATE:
    case CMD_STANDBY:
    case CMD_SLEEP:
        u->power_mode = 0x00;
        ide_cmd_done(u, true);
        return;
    case CMD_IDLE_IMMEDIATE:
    case CMD_IDLE:
        u->power_mode = 0xff;
        ide_cmd_done(u, true);
        return;
    case CMD_CHECK_POWER_MODE:
        u->nsector = u->power_mode;
        ide_cmd_done(u, true);
        return;
    default:
        ata_rw(u, c->flags);
        return;
    }
}
