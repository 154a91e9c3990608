/*
 * One IDE channel: the command block (task file, 0x1F0-0x1F7 on the
 * primary) and the control block (0x3F6: alternate status / device
 * control), shared by its two units.  Writes to the task file reach both
 * units; reads come from the selected one.  Data moves through a window of
 * the unit's buffer (PIO) or the bus master (ide-dma.c); disk I/O goes
 * through the block layer's asynchronous requests.  ATA8-ACS and
 * ATA/ATAPI-7 vol. 2 (the register transport and its protocols).
 */
#include "hw/ide/ide-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

/* Command block register offsets. */
#define REG_DATA        0
#define REG_ERROR       1       /* write: features */
#define REG_NSECTOR     2
#define REG_SECTOR      3       /* LBA 7:0 */
#define REG_LCYL        4       /* LBA 15:8 */
#define REG_HCYL        5       /* LBA 23:16 */
#define REG_SELECT      6
#define REG_STATUS      7       /* write: command */

#define CMD_DEVICE_RESET 0x08

BlockDriverState *ide_unit_bs(IDEUnit *u)
{
    return u->drive ? u->drive->bs : NULL;
}

static void ide_update_irq(IDEChannel *ch)
{
    IRQLine *line = ch->isa ? ch->isa->irqs[ch->isa_irq] : NULL;
    irq_set(line, ch->irq_pending && !(ch->devctl & ATA_NIEN));
}

void ide_set_irq(IDEUnit *u)
{
    IDEChannel *ch = u->ch;
    /* SFF-8038i: the Interrupt bit follows the device's INTRQ, masked or not. */
    ch->bm.status |= BM_ST_INT;
    ch->irq_pending = true;
    ide_update_irq(ch);
}

static void ide_clear_irq(IDEChannel *ch)
{
    ch->irq_pending = false;
    ide_update_irq(ch);
}

void ide_pio_start(IDEUnit *u, uint32_t start, uint32_t len, IDEPioEnd end)
{
    g_assert(start <= IDE_BUF_SIZE && len <= IDE_BUF_SIZE - start);
    u->data_pos = start;
    u->data_end = start + len;
    u->pio_end = end;
    u->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
}

void ide_cmd_done(IDEUnit *u, bool irq)
{
    u->status = ATA_DRDY | ATA_DSC;
    u->pio_end = PIO_END_NONE;
    u->data_pos = u->data_end = 0;
    if (irq) {
        ide_set_irq(u);
    }
}

void ide_abort(IDEUnit *u)
{
    u->status = ATA_DRDY | ATA_ERR;
    u->error = ATA_ABRT;
    u->pio_end = PIO_END_NONE;
    u->data_pos = u->data_end = 0;
    ide_set_irq(u);
}

/* ---- Block requests ------------------------------------------------------------ */

typedef struct IDERequest {
    IDEUnit *u;
    uint32_t generation;
    bool write;
    uint32_t bytes;
    IDEIOCallback *cb;
    uint8_t buf[];
} IDERequest;

static void ide_aio_done(void *opaque, int ret)
{
    IDERequest *req = opaque;
    IDEUnit *u = req->u;
    if (req->generation == u->generation) {
        u->aio_busy = false;
        if (!req->write && ret >= 0) {
            memcpy(u->io_buffer, req->buf, req->bytes);
        }
        req->cb(u, ret);
    }
    g_free(req);
}

/*
 * The request owns a copy of the data, so a reset that starts a new command
 * while this one is still in flight cannot race on io_buffer.
 */
void ide_aio(IDEUnit *u, bool write, int64_t offset, uint32_t bytes, IDEIOCallback *cb)
{
    BlockDriverState *bs = ide_unit_bs(u);
    g_assert(bytes <= IDE_BUF_SIZE);
    if (!bs) {
        cb(u, -ENOMEDIUM);
        return;
    }
    IDERequest *req = g_malloc(sizeof(*req) + bytes);
    req->u = u;
    req->generation = u->generation;
    req->write = write;
    req->bytes = bytes;
    req->cb = cb;
    u->aio_busy = true;
    u->status = ATA_DRDY | ATA_BSY;
    if (write) {
        memcpy(req->buf, u->io_buffer, bytes);
        blk_aio_pwrite(bs, offset, req->buf, bytes, ide_aio_done, req);
    } else {
        blk_aio_pread(bs, offset, req->buf, bytes, ide_aio_done, req);
    }
}

void ide_aio_flush(IDEUnit *u, IDEIOCallback *cb)
{
    BlockDriverState *bs = ide_unit_bs(u);
    if (!bs) {
        cb(u, -ENOMEDIUM);
        return;
    }
    IDERequest *req = g_malloc(sizeof(*req));
    *req = (IDERequest){ .u = u, .generation = u->generation, .write = true, .cb = cb };
    u->aio_busy = true;
    u->status = ATA_DRDY | ATA_BSY;
    blk_aio_flush(bs, ide_aio_done, req);
}

void ide_unit_drain(IDEUnit *u)
{
    BlockDriverState *bs = ide_unit_bs(u);
    if (bs) {
        blk_drain(bs);
    }
}

/* ---- Reset ------------------------------------------------------------------------ */

/* Forget the command in progress: late completions see a new generation. */
static void ide_unit_cancel(IDEUnit *u)
{
    u->generation++;
    u->aio_busy = false;
    u->pio_end = PIO_END_NONE;
    u->data_pos = u->data_end = 0;
    u->dma_op = DMA_OP_NONE;
    u->dma_running = false;
    u->xfer_left = 0;
    u->reply_pos = u->reply_len = 0;
}

/* After SRST or a hardware reset : the signature. */
static void ide_unit_soft_reset(IDEUnit *u)
{
    ide_unit_cancel(u);
    u->select = 0xa0;
    ata_set_signature(u);
    u->error = 0x01;    /* diagnostic code: passed */
    u->status = u->kind == IDE_HD ? ATA_DRDY | ATA_DSC : 0;
}

static void ide_unit_hard_reset(IDEUnit *u)
{
    ide_unit_soft_reset(u);
    ata_reset_unit(u);
}

void ide_channel_reset(IDEChannel *ch)
{
    for (int i = 0; i < 2; i++) {
        ide_unit_hard_reset(&ch->units[i]);
    }
    ch->cur = 0;
    ch->devctl = 0;
    ide_bm_reset(ch);
    ide_clear_irq(ch);
}

void ide_channel_init(IDEChannel *ch, int index, ISABus *isa, int isa_irq, AddressSpace *as)
{
    ch->index = index;
    ch->isa = isa;
    ch->isa_irq = isa_irq;
    ch->as = as;
    for (int i = 0; i < 2; i++) {
        ch->units[i].ch = ch;
        ch->units[i].unit = i;
        ch->units[i].kind = IDE_NONE;
    }
}

static void ide_copy_padded(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void ide_unit_setup(IDEUnit *u, IDEKind kind, DriveInfo *drive, const char *serial,
                    const char *model, const char *version)
{
    char dflt[21];
    u->kind = kind;
    u->drive = drive;
    snprintf(dflt, sizeof(dflt), "QM%05d", u->ch->index * 2 + u->unit + 1);
    ide_copy_padded(u->serial, sizeof(u->serial), serial ? serial : dflt);
    ide_copy_padded(u->model, sizeof(u->model),
                    model ? model : kind == IDE_CD ? "QEMU DVD-ROM" : "QEMU HARDDISK");
    ide_copy_padded(u->version, sizeof(u->version), version ? version : "2.5+");
    BlockDriverState *bs = ide_unit_bs(u);
    int64_t len = bs ? blk_getlength(bs) : 0;
    len = MAX(len, 0);
    u->nb_sectors = len / (kind == IDE_CD ? CD_SECTOR_SIZE : IDE_SECTOR_SIZE);
    /* The usual translation: 16 heads, 63 sectors, at most 16383 cylinders. */
    u->heads = 16;
    u->sectors = 63;
    u->cylinders = MIN(MAX(u->nb_sectors / (16 * 63), 1), 16383);
    ide_unit_hard_reset(u);
}

void ide_unit_clear(IDEUnit *u)
{
    ide_unit_cancel(u);
    u->kind = IDE_NONE;
    u->drive = NULL;
    u->nb_sectors = 0;
    u->status = 0;
}

/* ---- Registers ------------------------------------------------------------------- */

static bool ide_pio_to_device(uint8_t end)
{
    return end == PIO_END_ATA_WRITE || end == PIO_END_PACKET;
}

static void ide_pio_finish(IDEUnit *u)
{
    uint8_t end = u->pio_end;
    u->pio_end = PIO_END_NONE;
    u->status &= ~ATA_DRQ;
    switch (end) {
    case PIO_END_ATA_READ:
    case PIO_END_ATA_WRITE:
        ata_pio_end(u, end);
        break;
    case PIO_END_PACKET:
    case PIO_END_ATAPI_DATA:
        atapi_pio_end(u, end);
        break;
    case PIO_END_IDENTIFY:
        ide_cmd_done(u, false);
        break;
    default:
        break;
    }
}

static uint32_t ide_data_read(IDEChannel *ch, unsigned size)
{
    IDEUnit *u = &ch->units[ch->cur];
    if (u->kind == IDE_NONE || !(u->status & ATA_DRQ) || ide_pio_to_device(u->pio_end) ||
        u->data_pos >= u->data_end) {
        return 0;
    }
    uint32_t n = MIN(size, u->data_end - u->data_pos);
    uint32_t val = 0;
    for (uint32_t i = 0; i < n; i++) {
        val |= (uint32_t)u->io_buffer[u->data_pos + i] << (8 * i);
    }
    u->data_pos += n;
    if (u->data_pos >= u->data_end) {
        ide_pio_finish(u);
    }
    return val;
}

static void ide_data_write(IDEChannel *ch, uint32_t val, unsigned size)
{
    IDEUnit *u = &ch->units[ch->cur];
    if (u->kind == IDE_NONE || !(u->status & ATA_DRQ) || !ide_pio_to_device(u->pio_end) ||
        u->data_pos >= u->data_end) {
        return;
    }
    uint32_t n = MIN(size, u->data_end - u->data_pos);
    for (uint32_t i = 0; i < n; i++) {
        u->io_buffer[u->data_pos + i] = val >> (8 * i);
    }
    u->data_pos += n;
    if (u->data_pos >= u->data_end) {
        ide_pio_finish(u);
    }
}

static uint8_t ide_reg_read(IDEChannel *ch, unsigned reg)
{
    IDEUnit *u = &ch->units[ch->cur];
    bool hob = ch->devctl & ATA_HOB;
    bool any = ch->units[0].kind != IDE_NONE || ch->units[1].kind != IDE_NONE;

    if (!any) {
        return 0;
    }
    if (reg == REG_SELECT) {
        return u->select;
    }
    /* An absent device: device 0 answers for it with zeros. */
    if (u->kind == IDE_NONE) {
        return 0;
    }
    switch (reg) {
    case REG_ERROR:   return hob ? u->hob_feature : u->error;
    case REG_NSECTOR: return hob ? u->hob_nsector : u->nsector;
    case REG_SECTOR:  return hob ? u->hob_sector : u->sector;
    case REG_LCYL:    return hob ? u->hob_lcyl : u->lcyl;
    case REG_HCYL:    return hob ? u->hob_hcyl : u->hcyl;
    case REG_STATUS:
        /* Reading Status acknowledges the interrupt; Alternate Status does not. */
        ide_clear_irq(ch);
        return u->status;
    default:
        return 0xff;
    }
}

static void ide_exec_cmd(IDEChannel *ch, uint8_t cmd)
{
    IDEUnit *u = &ch->units[ch->cur];
    if (u->kind == IDE_NONE) {
        return;     /* nobody decodes it */
    }
    /* A busy device takes only DEVICE RESET (packet devices). */
    if ((u->status & ATA_BSY) && !(cmd == CMD_DEVICE_RESET && u->kind == IDE_CD)) {
        log_mask(LOG_GUEST_ERROR, "ide: command %02x while busy\n", cmd);
        return;
    }
    if (cmd == CMD_DEVICE_RESET && u->kind == IDE_CD) {
        ide_unit_soft_reset(u);
        return;
    }
    ide_clear_irq(ch);
    /* A new command ends a PIO transfer the guest did not finish. */
    u->pio_end = PIO_END_NONE;
    u->data_pos = u->data_end = 0;
    u->dma_op = DMA_OP_NONE;
    u->command = cmd;
    u->error = 0;
    ata_exec_cmd(u, cmd);
}

static void ide_reg_write(IDEChannel *ch, unsigned reg, uint8_t val)
{
    if (reg == REG_STATUS) {
        ide_exec_cmd(ch, val);
        return;
    }
    /* ATA8-ACS: a write to the command block clears HOB. */
    ch->devctl &= ~ATA_HOB;
    for (int i = 0; i < 2; i++) {
        IDEUnit *u = &ch->units[i];
        switch (reg) {
        case REG_ERROR:
            u->hob_feature = u->feature;
            u->feature = val;
            break;
        case REG_NSECTOR:
            u->hob_nsector = u->nsector;
            u->nsector = val;
            break;
        case REG_SECTOR:
            u->hob_sector = u->sector;
            u->sector = val;
            break;
        case REG_LCYL:
            u->hob_lcyl = u->lcyl;
            u->lcyl = val;
            break;
        case REG_HCYL:
            u->hob_hcyl = u->hcyl;
            u->hcyl = val;
            break;
        case REG_SELECT:
            u->select = val | 0xa0;     /* bits 7 and 5 are obsolete ones */
            break;
        default:
            break;
        }
    }
    if (reg == REG_SELECT) {
        ch->cur = (val & ATA_DEV) ? 1 : 0;
    }
}

uint32_t ide_cmd_read(IDEChannel *ch, unsigned reg, unsigned size)
{
    if (reg == REG_DATA && size >= 2) {
        return ide_data_read(ch, size);
    }
    uint32_t val = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        uint8_t b = (r == REG_DATA || r > REG_STATUS) ? 0xff : ide_reg_read(ch, r);
        val |= (uint32_t)b << (8 * i);
    }
    return val;
}

void ide_cmd_write(IDEChannel *ch, unsigned reg, uint32_t val, unsigned size)
{
    if (reg == REG_DATA && size >= 2) {
        ide_data_write(ch, val, size);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        if (r != REG_DATA && r <= REG_STATUS) {
            ide_reg_write(ch, r, val >> (8 * i));
        }
    }
}

uint8_t ide_ctl_read(IDEChannel *ch)
{
    IDEUnit *u = &ch->units[ch->cur];
    if (u->kind == IDE_NONE) {
        return 0;
    }
    return u->status;
}

void ide_ctl_write(IDEChannel *ch, uint8_t val)
{
    uint8_t old = ch->devctl;
    ch->devctl = val & (ATA_HOB | ATA_SRST | ATA_NIEN);
    if ((val & ATA_SRST) && !(old & ATA_SRST)) {
        /* Reset asserted: both devices go busy and drop what they were doing. */
        for (int i = 0; i < 2; i++) {
            IDEUnit *u = &ch->units[i];
            if (u->kind != IDE_NONE) {
                ide_unit_cancel(u);
                u->status = ATA_BSY | ATA_DSC;
            }
        }
        ch->irq_pending = false;
    } else if (!(val & ATA_SRST) && (old & ATA_SRST)) {
        for (int i = 0; i < 2; i++) {
            if (ch->units[i].kind != IDE_NONE) {
                ide_unit_soft_reset(&ch->units[i]);
            }
        }
        ch->cur = 0;
    }
    ide_update_irq(ch);
}

/* ---- Migration -------------------------------------------------------------------- */

static int ide_unit_pre_save(void *opaque)
{
    ide_unit_drain(opaque);
    return 0;
}

static int ide_unit_post_load(void *opaque, int version_id)
{
    IDEUnit *u = opaque;
    /* Nothing from the stream indexes the buffer unchecked. */
    if (u->data_end > IDE_BUF_SIZE || u->data_pos > u->data_end ||
        u->pio_end > PIO_END_IDENTIFY || u->dma_op > DMA_OP_ATAPI_REPLY ||
        u->buf_cur > u->buf_sectors || u->buf_sectors > IDE_BUF_SECTORS ||
        u->xfer_block > IDE_BUF_SECTORS || u->mult_sectors > IDE_MAX_MULT ||
        u->reply_len > IDE_BUF_SIZE || u->reply_pos > u->reply_len) {
        return -EINVAL;
    }
    u->aio_busy = false;
    return 0;
}

static const VMStateField ide_unit_fields[] = {
    VMS_FIELD(IDEUnit, feature, VMS_U8),
    VMS_FIELD(IDEUnit, hob_feature, VMS_U8),
    VMS_FIELD(IDEUnit, nsector, VMS_U8),
    VMS_FIELD(IDEUnit, hob_nsector, VMS_U8),
    VMS_FIELD(IDEUnit, sector, VMS_U8),
    VMS_FIELD(IDEUnit, hob_sector, VMS_U8),
    VMS_FIELD(IDEUnit, lcyl, VMS_U8),
    VMS_FIELD(IDEUnit, hob_lcyl, VMS_U8),
    VMS_FIELD(IDEUnit, hcyl, VMS_U8),
    VMS_FIELD(IDEUnit, hob_hcyl, VMS_U8),
    VMS_FIELD(IDEUnit, select, VMS_U8),
    VMS_FIELD(IDEUnit, status, VMS_U8),
    VMS_FIELD(IDEUnit, error, VMS_U8),
    VMS_FIELD(IDEUnit, command, VMS_U8),
    VMS_FIELD(IDEUnit, mult_sectors, VMS_U8),
    VMS_FIELD(IDEUnit, xfer_mode, VMS_U8),
    VMS_FIELD(IDEUnit, power_mode, VMS_U8),
    VMS_FIELD(IDEUnit, write_cache, VMS_BOOL),
    VMS_FIELD(IDEUnit, identify_set, VMS_BOOL),
    VMS_FIELD(IDEUnit, cur_heads, VMS_U32),
    VMS_FIELD(IDEUnit, cur_sectors, VMS_U32),
    VMS_FIELD(IDEUnit, xfer_lba, VMS_U64),
    VMS_FIELD(IDEUnit, xfer_left, VMS_U32),
    VMS_FIELD(IDEUnit, xfer_block, VMS_U32),
    VMS_FIELD(IDEUnit, buf_sectors, VMS_U32),
    VMS_FIELD(IDEUnit, buf_cur, VMS_U32),
    VMS_FIELD(IDEUnit, data_pos, VMS_U32),
    VMS_FIELD(IDEUnit, data_end, VMS_U32),
    VMS_FIELD(IDEUnit, pio_end, VMS_U8),
    VMS_FIELD(IDEUnit, dma_op, VMS_U8),
    VMS_FIELD(IDEUnit, dma_running, VMS_BOOL),
    VMS_BUF(IDEUnit, io_buffer),
    VMS_FIELD(IDEUnit, sense_key, VMS_U8),
    VMS_FIELD(IDEUnit, asc, VMS_U8),
    VMS_FIELD(IDEUnit, ascq, VMS_U8),
    VMS_FIELD(IDEUnit, unit_attention, VMS_BOOL),
    VMS_FIELD(IDEUnit, tray_open, VMS_BOOL),
    VMS_FIELD(IDEUnit, tray_locked, VMS_BOOL),
    VMS_FIELD(IDEUnit, media_event, VMS_U8),
    VMS_FIELD(IDEUnit, byte_limit, VMS_U32),
    VMS_FIELD(IDEUnit, reply_pos, VMS_U32),
    VMS_FIELD(IDEUnit, reply_len, VMS_U32),
    VMS_END,
};

static const VMStateDescription vmstate_ide_unit = {
    .name = "ide-unit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ide_unit_fields,
    .pre_save = ide_unit_pre_save,
    .post_load = ide_unit_post_load,
};

static int ide_channel_post_load(void *opaque, int version_id)
{
    IDEChannel *ch = opaque;
    ch->cur &= 1;
    ch->bm.status &= ~BM_ST_ACTIVE;
    ch->bm.status |= (ch->bm.cmd & BM_CMD_START) ? BM_ST_ACTIVE : 0;
    ch->bm.prd_addr &= ~3u;
    ide_update_irq(ch);
    return 0;
}

static const VMStateField ide_channel_fields[] = {
    VMS_STRUCT_ARRAY(IDEChannel, units, 2, IDEUnit, &vmstate_ide_unit),
    VMS_FIELD(IDEChannel, cur, VMS_U8),
    VMS_FIELD(IDEChannel, devctl, VMS_U8),
    VMS_FIELD(IDEChannel, irq_pending, VMS_BOOL),
    VMS_FIELD(IDEChannel, bm.cmd, VMS_U8),
    VMS_FIELD(IDEChannel, bm.status, VMS_U8),
    VMS_FIELD(IDEChannel, bm.dev1, VMS_U8),
    VMS_FIELD(IDEChannel, bm.dev3, VMS_U8),
    VMS_FIELD(IDEChannel, bm.prd_addr, VMS_U32),
    VMS_FIELD(IDEChannel, bm.cur_prd, VMS_U32),
    VMS_FIELD(IDEChannel, bm.cur_addr, VMS_U32),
    VMS_FIELD(IDEChannel, bm.cur_len, VMS_U32),
    VMS_FIELD(IDEChannel, bm.nentries, VMS_U32),
    VMS_FIELD(IDEChannel, bm.eot, VMS_BOOL),
    VMS_END,
};

const VMStateDescription vmstate_ide_channel = {
    .name = "ide-channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ide_channel_fields,
    .post_load = ide_channel_post_load,
};
