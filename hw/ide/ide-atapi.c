/*
 * ATAPI CD-ROM: the PACKET protocol (SFF-8020i, ATA8-ACS PACKET) and the
 * MMC commands guests use to find, read and eject a disc, on 2048-byte
 * sectors.  Replies go out in pieces of at most the byte count limit the
 * host put in the cylinder registers (PIO), or through the bus master when
 * the PACKET command asked for DMA.  The tray and its lock belong to the
 * device; the block side asks about them through DriveMediaOps.
 */
#include "hw/ide/ide-internal.h"

#include <string.h>

#include "util/log.h"

/* Commands (SPC-3 and MMC-6 opcodes). */
#define GPCMD_TEST_UNIT_READY       0x00
#define GPCMD_REQUEST_SENSE         0x03
#define GPCMD_INQUIRY               0x12
#define GPCMD_START_STOP_UNIT       0x1b
#define GPCMD_PREVENT_ALLOW         0x1e
#define GPCMD_READ_CAPACITY         0x25
#define GPCMD_READ_10               0x28
#define GPCMD_SEEK_10               0x2b
#define GPCMD_READ_TOC              0x43
#define GPCMD_GET_CONFIGURATION     0x46
#define GPCMD_GET_EVENT_STATUS      0x4a
#define GPCMD_READ_DISC_INFO        0x51
#define GPCMD_MODE_SENSE_10         0x5a
#define GPCMD_READ_12               0xa8
#define GPCMD_SET_CD_SPEED          0xbb
#define GPCMD_MECHANISM_STATUS      0xbd

/* GET EVENT STATUS NOTIFICATION media event codes (MMC). */
#define MEC_NO_CHANGE       0
#define MEC_EJECT_REQUEST   1
#define MEC_NEW_MEDIA       2
#define MEC_MEDIA_REMOVAL   3
#define GESN_MEDIA_CLASS    0x10

/* Profiles (MMC). */
#define PROFILE_CD_ROM      0x0008
#define PROFILE_DVD_ROM     0x0010
#define CD_MAX_SECTORS      (80 * 60 * 75)      /* an 80-minute CD */

/* What a command needs before it runs. */
enum {
    A_MEDIUM = 1 << 0,      /* a readable disc in a closed tray */
    A_ALLOW_UA = 1 << 1,    /* runs despite a pending unit attention */
};

static uint16_t be16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
static void st_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void st_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static bool atapi_medium_ready(IDEUnit *u)
{
    return ide_unit_bs(u) && !u->tray_open;
}

static void atapi_cmd_ok(IDEUnit *u)
{
    u->status = ATA_DRDY | ATA_DSC;
    u->error = 0;
    u->nsector = ATAPI_IO | ATAPI_COD;
    u->sense_key = SENSE_NONE;
    u->asc = u->ascq = 0;
    u->pio_end = PIO_END_NONE;
    u->xfer_left = 0;
    ide_set_irq(u);
}

/* CHECK CONDITION: the sense key in the error register, the details for REQUEST SENSE. */
static void atapi_error(IDEUnit *u, uint8_t key, uint8_t asc)
{
    u->status = ATA_DRDY | ATA_ERR;
    u->error = key << 4;
    u->nsector = ATAPI_IO | ATAPI_COD;
    u->sense_key = key;
    u->asc = asc;
    u->ascq = 0;
    u->pio_end = PIO_END_NONE;
    u->dma_op = DMA_OP_NONE;
    u->xfer_left = 0;
    ide_set_irq(u);
}

/* Hand out the next piece of the reply in io_buffer[reply_pos, reply_len). */
static void atapi_pio_piece(IDEUnit *u)
{
    uint32_t limit = u->byte_limit;
    /* SFF-8020i: 0 is not a valid limit, odd ones round down; FFFFh means FFFEh. */
    limit &= ~1u;
    if (!limit) {
        limit = 0xfffe;
    }
    uint32_t n = MIN(u->reply_len - u->reply_pos, limit);
    u->lcyl = n;
    u->hcyl = n >> 8;
    ide_pio_start(u, u->reply_pos, n, PIO_END_ATAPI_DATA);
    u->nsector = ATAPI_IO;
    ide_set_irq(u);
}

/* Send size bytes of io_buffer, cut to the allocation length the command gave. */
static void atapi_reply(IDEUnit *u, uint32_t size, uint32_t alloc)
{
    size = MIN(size, alloc);
    if (!size) {
        atapi_cmd_ok(u);
        return;
    }
    u->reply_pos = 0;
    u->reply_len = size;
    u->xfer_left = 0;
    if (u->feature & 1) {
        u->dma_op = DMA_OP_ATAPI_REPLY;
        u->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
        ide_dma_kick(u->ch);
    } else {
        atapi_pio_piece(u);
    }
}

/* ---- READ(10)/READ(12) ------------------------------------------------------------ */

static void atapi_read_done(IDEUnit *u, int ret)
{
    if (ret < 0) {
        atapi_error(u, ide_unit_bs(u) ? SENSE_MEDIUM_ERROR : SENSE_NOT_READY,
                    ide_unit_bs(u) ? ASC_UNRECOVERED_READ : ASC_MEDIUM_NOT_PRESENT);
        return;
    }
    u->xfer_lba += u->buf_sectors;
    u->xfer_left -= u->buf_sectors;
    u->reply_pos = 0;
    u->reply_len = u->buf_sectors * CD_SECTOR_SIZE;
    atapi_pio_piece(u);
}

static void atapi_read_chunk(IDEUnit *u)
{
    u->buf_sectors = MIN(u->xfer_left, CD_BUF_SECTORS);
    ide_aio(u, false, (int64_t)u->xfer_lba * CD_SECTOR_SIZE, u->buf_sectors * CD_SECTOR_SIZE,
            atapi_read_done);
}

void atapi_pio_end(IDEUnit *u, IDEPioEnd end)
{
    if (end == PIO_END_PACKET) {
        atapi_exec_packet(u);
        return;
    }
    u->reply_pos = u->data_end;
    if (u->reply_pos < u->reply_len) {
        atapi_pio_piece(u);
    } else if (u->xfer_left) {
        atapi_read_chunk(u);
    } else {
        atapi_cmd_ok(u);
    }
}

static void atapi_dma_end(IDEUnit *u, IDEDmaResult r)
{
    ide_dma_finish(u, r, false);
    if (r == IDE_DMA_OK) {
        u->nsector = ATAPI_IO | ATAPI_COD;
        u->sense_key = SENSE_NONE;
        u->asc = 0;
    }
}

static void atapi_dma_read_done(IDEUnit *u, int ret)
{
    if (ide_dma_stopped(u)) {
        return;
    }
    if (ret < 0) {
        ide_dma_finish(u, IDE_DMA_OK, true);
        atapi_error(u, SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
        return;
    }
    IDEDmaResult r = ide_dma_rw(u->ch, u->io_buffer, u->buf_sectors * CD_SECTOR_SIZE, true);
    if (r != IDE_DMA_OK) {
        atapi_dma_end(u, r);
        return;
    }
    u->xfer_lba += u->buf_sectors;
    u->xfer_left -= u->buf_sectors;
    atapi_dma_run(u);
}

void atapi_dma_run(IDEUnit *u)
{
    if (ide_dma_stopped(u)) {
        return;
    }
    if (u->dma_op == DMA_OP_ATAPI_REPLY) {
        atapi_dma_end(u, ide_dma_rw(u->ch, u->io_buffer, u->reply_len, true));
        return;
    }
    if (!u->xfer_left) {
        atapi_dma_end(u, IDE_DMA_OK);
        return;
    }
    u->buf_sectors = MIN(u->xfer_left, CD_BUF_SECTORS);
    ide_aio(u, false, (int64_t)u->xfer_lba * CD_SECTOR_SIZE, u->buf_sectors * CD_SECTOR_SIZE,
            atapi_dma_read_done);
}

static void atapi_cmd_read(IDEUnit *u, const uint8_t *cmd)
{
    uint64_t lba = be32(cmd + 2);
    uint64_t count = cmd[0] == GPCMD_READ_10 ? be16(cmd + 7) : be32(cmd + 6);
    if (lba > u->nb_sectors || count > u->nb_sectors - lba) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    if (!count) {
        atapi_cmd_ok(u);
        return;
    }
    u->xfer_lba = lba;
    u->xfer_left = count;
    if (u->feature & 1) {
        u->dma_op = DMA_OP_ATAPI_READ;
        u->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
        ide_dma_kick(u->ch);
    } else {
        atapi_read_chunk(u);
    }
}

/* ---- Replies built in io_buffer ------------------------------------------------------- */

static void atapi_cmd_inquiry(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    if (cmd[1] & 1) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);     /* no VPD pages */
        return;
    }
    memset(b, 0, 36);
    b[0] = 0x05;            /* CD/DVD device */
    b[1] = 0x80;            /* removable */
    b[3] = 0x21;            /* ATAPI version 2, response format 1 */
    b[4] = 36 - 5;
    memcpy(b + 8, "QEMU    ", 8);
    memset(b + 16, ' ', 16);
    memcpy(b + 16, u->model, MIN(strlen(u->model), 16));
    memset(b + 32, ' ', 4);
    memcpy(b + 32, u->version, MIN(strlen(u->version), 4));
    atapi_reply(u, 36, cmd[4]);
}

static void atapi_cmd_request_sense(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    memset(b, 0, 18);
    b[0] = 0x70;            /* current error, fixed format */
    b[2] = u->sense_key;
    b[7] = 10;
    b[12] = u->asc;
    b[13] = u->ascq;
    uint8_t alloc = cmd[4];
    /* Reported once: the reply must not clear the sense it carries, so clear it first. */
    u->sense_key = SENSE_NONE;
    u->asc = u->ascq = 0;
    atapi_reply(u, 18, alloc);
}

static void atapi_cmd_read_capacity(IDEUnit *u, const uint8_t *cmd)
{
    st_be32(u->io_buffer, u->nb_sectors ? u->nb_sectors - 1 : 0);
    st_be32(u->io_buffer + 4, CD_SECTOR_SIZE);
    atapi_reply(u, 8, 8);
}

/* A TOC address: LBA, or MSF with the 2-second lead-in. */
static void atapi_put_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf) {
        lba += 150;
        p[0] = 0;
        p[1] = lba / (60 * 75);
        p[2] = (lba / 75) % 60;
        p[3] = lba % 75;
    } else {
        st_be32(p, lba);
    }
}

static void atapi_cmd_read_toc(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    bool msf = cmd[1] & 2;
    unsigned format = cmd[2] & 0xf;
    unsigned start = cmd[6];
    uint32_t len;

    if (!format) {
        format = cmd[9] >> 6;   /* where SFF-8020i kept it */
    }
    memset(b, 0, 64);
    b[2] = 1;
    b[3] = 1;
    switch (format) {
    case 0: {
        uint8_t *p = b + 4;
        if (start > 1 && start != 0xaa) {
            atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        if (start <= 1) {
            p[1] = 0x14;        /* ADR 1, data track */
            p[2] = 1;
            atapi_put_addr(p + 4, 0, msf);
            p += 8;
        }
        p[1] = 0x14;
        p[2] = 0xaa;            /* lead-out */
        atapi_put_addr(p + 4, u->nb_sectors, msf);
        p += 8;
        len = p - b;
        break;
    }
    case 1:                     /* multisession: one session, starting at track 1 */
        b[5] = 0x14;
        b[6] = 1;
        atapi_put_addr(b + 8, 0, msf);
        len = 12;
        break;
    case 2: {                   /* raw TOC: points A0, A1, A2 and track 1, always MSF */
        static const uint8_t points[] = { 0xa0, 0xa1, 0xa2, 0x01 };
        uint8_t *p = b + 4;
        for (unsigned i = 0; i < G_N_ELEMENTS(points); i++, p += 11) {
            p[0] = 1;           /* session */
            p[1] = 0x14;
            p[3] = points[i];
            if (points[i] == 0xa0 || points[i] == 0xa1) {
                p[8] = 1;       /* first / last track; disc type 00h */
            } else {
                atapi_put_addr(p + 7, points[i] == 0xa2 ? u->nb_sectors : 0, true);
                p[7] = 0;
            }
        }
        len = p - b;
        break;
    }
    default:
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    st_be16(b, len - 2);
    atapi_reply(u, len, be16(cmd + 7));
}

static uint32_t atapi_mode_page(IDEUnit *u, uint8_t *p, unsigned page, bool changeable)
{
    switch (page) {
    case 0x01:                  /* read/write error recovery */
        memset(p, 0, 8);
        p[0] = 0x01;
        p[1] = 6;
        if (!changeable) {
            p[3] = 5;           /* read retry count */
        }
        return 8;
    case 0x2a:                  /* CD/DVD capabilities and mechanical status */
        memset(p, 0, 20);
        p[0] = 0x2a;
        p[1] = 18;
        if (changeable) {
            return 20;
        }
        p[2] = 0x3b;            /* reads CD-R, CD-RW, method 2, DVD-ROM */
        p[4] = 0x71;            /* audio play, composite, digital ports, multisession */
        p[5] = 0xff;
        /* Tray loading, eject, lock (and its state). */
        p[6] = 0x29 | (u->tray_locked ? 0x02 : 0);
        st_be16(p + 8, 706);    /* max read speed, KB/s */
        st_be16(p + 10, 2);     /* volume levels */
        st_be16(p + 12, 512);   /* buffer, KB */
        st_be16(p + 14, 706);   /* current read speed */
        return 20;
    default:
        return 0;
    }
}

static void atapi_cmd_mode_sense(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    unsigned pc = cmd[2] >> 6, page = cmd[2] & 0x3f;
    uint32_t len = 8;

    if (pc == 3) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
        return;
    }
    memset(b, 0, 8);
    if (page == 0x3f) {
        len += atapi_mode_page(u, b + len, 0x01, pc == 1);
        len += atapi_mode_page(u, b + len, 0x2a, pc == 1);
    } else {
        uint32_t n = atapi_mode_page(u, b + len, page, pc == 1);
        if (!n) {
            atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        len += n;
    }
    st_be16(b, len - 2);
    b[2] = 0x70;                /* medium type (obsolete in MMC; what drives report) */
    atapi_reply(u, len, be16(cmd + 7));
}

static uint16_t atapi_current_profile(IDEUnit *u)
{
    if (!atapi_medium_ready(u)) {
        return 0;
    }
    return u->nb_sectors > CD_MAX_SECTORS ? PROFILE_DVD_ROM : PROFILE_CD_ROM;
}

/* One feature descriptor: code, version/persistent/current, then len data bytes. */
static uint8_t *atapi_feature(uint8_t *p, uint16_t code, uint8_t flags, uint8_t len)
{
    st_be16(p, code);
    p[2] = flags;
    p[3] = len;
    memset(p + 4, 0, len);
    return p + 4;
}

static void atapi_cmd_get_configuration(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    unsigned rt = cmd[1] & 3;
    uint16_t sfn = be16(cmd + 2);
    uint16_t profile = atapi_current_profile(u);
    bool cur = profile != 0;
    uint8_t *p = b + 8;

    if (rt == 3) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    memset(b, 0, 8);
    st_be16(b + 6, profile);
    struct {
        uint16_t code;
        uint8_t flags;
        uint8_t len;
    } feats[] = {
        { 0x0000, 0x03, 8 },                /* profile list */
        { 0x0001, 0x0b, 8 },                /* core */
        { 0x0002, 0x07, 4 },                /* morphing */
        { 0x0003, 0x03, 4 },                /* removable medium */
        { 0x0010, cur ? 0x01 : 0x00, 8 },   /* random readable */
        { 0x001e, cur ? 0x09 : 0x08, 4 },   /* CD read */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(feats); i++) {
        /* RT 0: all from SFN; 1: the current ones from SFN; 2: SFN only. */
        if (feats[i].code < sfn || (rt == 2 && feats[i].code != sfn) ||
            (rt == 1 && !(feats[i].flags & 1))) {
            continue;
        }
        uint8_t *d = atapi_feature(p, feats[i].code, feats[i].flags, feats[i].len);
        switch (feats[i].code) {
        case 0x0000:
            st_be16(d, PROFILE_DVD_ROM);
            d[2] = profile == PROFILE_DVD_ROM;
            st_be16(d + 4, PROFILE_CD_ROM);
            d[6] = profile == PROFILE_CD_ROM;
            break;
        case 0x0001:
            st_be32(d, 2);          /* physical interface: ATAPI */
            break;
        case 0x0002:
            d[0] = 0x02;            /* OCEvent: GET EVENT STATUS NOTIFICATION polling */
            break;
        case 0x0003:
            d[0] = 0x29;            /* tray, eject, lock */
            break;
        case 0x0010:
            st_be32(d, CD_SECTOR_SIZE);
            st_be16(d + 4, profile == PROFILE_DVD_ROM ? 16 : 1);
            break;
        default:
            break;
        }
        p = d + feats[i].len;
    }
    uint32_t len = p - b;
    st_be32(b, len - 4);
    atapi_reply(u, len, be16(cmd + 7));
}

static void atapi_cmd_get_event_status(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    uint32_t len = 4;
    if (!(cmd[1] & 1)) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);   /* asynchronous mode */
        return;
    }
    memset(b, 0, 8);
    b[3] = GESN_MEDIA_CLASS;
    if (cmd[4] & GESN_MEDIA_CLASS) {
        b[2] = 4;               /* media class */
        b[4] = u->media_event;
        b[5] = (u->tray_open ? 1 : 0) | (atapi_medium_ready(u) ? 2 : 0);
        u->media_event = MEC_NO_CHANGE;
        len = 8;
    } else {
        b[2] = 0x80;            /* no event available */
    }
    st_be16(b, len - 2);
    atapi_reply(u, len, be16(cmd + 7));
}

static void atapi_cmd_read_disc_info(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    if (cmd[1] & 7) {
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    memset(b, 0, 34);
    st_be16(b, 32);
    b[2] = 0x0e;                /* last session complete, disc finalized */
    b[3] = 1;                   /* first track */
    b[4] = 1;                   /* sessions */
    b[5] = 1;                   /* first track of the last session */
    b[6] = 1;                   /* last track of the last session */
    atapi_reply(u, 34, be16(cmd + 7));
}

static void atapi_cmd_mechanism_status(IDEUnit *u, const uint8_t *cmd)
{
    uint8_t *b = u->io_buffer;
    memset(b, 0, 8);
    b[1] = u->tray_open ? 0x10 : 0;     /* door open */
    atapi_reply(u, 8, be16(cmd + 8));
}

static void atapi_cmd_start_stop(IDEUnit *u, const uint8_t *cmd)
{
    bool start = cmd[4] & 1, loej = cmd[4] & 2;
    if (loej) {
        if (!start && u->tray_locked) {
            atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
            u->ascq = 2;
            return;
        }
        /* The disc stays in the open tray, as the block side shows it. */
        u->tray_open = !start;
    }
    atapi_cmd_ok(u);
}

static void atapi_cmd_prevent_allow(IDEUnit *u, const uint8_t *cmd)
{
    u->tray_locked = cmd[4] & 1;
    atapi_cmd_ok(u);
}

static void atapi_cmd_nothing(IDEUnit *u, const uint8_t *cmd)
{
    atapi_cmd_ok(u);
}

typedef struct AtapiCommand {
    uint8_t opcode;
    uint8_t flags;
    void (*handler)(IDEUnit *u, const uint8_t *cmd);
} AtapiCommand;

static const AtapiCommand atapi_commands[] = {
    { GPCMD_TEST_UNIT_READY,    A_MEDIUM,   atapi_cmd_nothing },
    { GPCMD_REQUEST_SENSE,      A_ALLOW_UA, atapi_cmd_request_sense },
    { GPCMD_INQUIRY,            A_ALLOW_UA, atapi_cmd_inquiry },
    { GPCMD_START_STOP_UNIT,    0,          atapi_cmd_start_stop },
    { GPCMD_PREVENT_ALLOW,      0,          atapi_cmd_prevent_allow },
    { GPCMD_READ_CAPACITY,      A_MEDIUM,   atapi_cmd_read_capacity },
    { GPCMD_READ_10,            A_MEDIUM,   atapi_cmd_read },
    { GPCMD_READ_12,            A_MEDIUM,   atapi_cmd_read },
    { GPCMD_SEEK_10,            A_MEDIUM,   atapi_cmd_nothing },
    { GPCMD_READ_TOC,           A_MEDIUM,   atapi_cmd_read_toc },
    { GPCMD_GET_CONFIGURATION,  A_ALLOW_UA, atapi_cmd_get_configuration },
    { GPCMD_GET_EVENT_STATUS,   A_ALLOW_UA, atapi_cmd_get_event_status },
    { GPCMD_READ_DISC_INFO,     A_MEDIUM,   atapi_cmd_read_disc_info },
    { GPCMD_MODE_SENSE_10,      0,          atapi_cmd_mode_sense },
    { GPCMD_SET_CD_SPEED,       0,          atapi_cmd_nothing },
    { GPCMD_MECHANISM_STATUS,   0,          atapi_cmd_mechanism_status },
};

void atapi_exec_packet(IDEUnit *u)
{
    uint8_t cmd[ATAPI_PACKET_SIZE];
    const AtapiCommand *c = NULL;

    memcpy(cmd, u->io_buffer, sizeof(cmd));
    for (size_t i = 0; i < G_N_ELEMENTS(atapi_commands); i++) {
        if (atapi_commands[i].opcode == cmd[0]) {
            c = &atapi_commands[i];
            break;
        }
    }
    if (u->unit_attention && !(c && (c->flags & A_ALLOW_UA))) {
        u->unit_attention = false;
        atapi_error(u, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
        return;
    }
    if (!c) {
        log_mask(LOG_UNIMP, "ide: ATAPI command %02x\n", cmd[0]);
        atapi_error(u, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
        return;
    }
    if ((c->flags & A_MEDIUM) && !atapi_medium_ready(u)) {
        atapi_error(u, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
        return;
    }
    c->handler(u, cmd);
}

/* IDENTIFY PACKET DEVICE (ATA8-ACS). */
void atapi_identify(IDEUnit *u)
{
    uint8_t *p = u->io_buffer;
    uint8_t mode = u->xfer_mode & 7;
    memset(p, 0, IDE_SECTOR_SIZE);
    /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets. */
    ata_put_word(p, 0, 0x85c0);
    ata_put_string(p, 10, 10, u->serial);
    ata_put_string(p, 23, 4, u->version);
    ata_put_string(p, 27, 20, u->model);
    ata_put_word(p, 48, 1);
    ata_put_word(p, 49, 1 << 11 | 1 << 9 | 1 << 8);     /* IORDY, LBA, DMA */
    ata_put_word(p, 53, 1 | 2 | 4);
    ata_put_word(p, 62, 0x07);
    ata_put_word(p, 63, 0x07 | ((u->xfer_mode >> 3) == 4 ? 0x100 << mode : 0));
    ata_put_word(p, 64, 0x03);
    ata_put_word(p, 65, 0xb4);
    ata_put_word(p, 66, 0xb4);
    ata_put_word(p, 67, 0x12c);
    ata_put_word(p, 68, 0xb4);
    ata_put_word(p, 71, 30);
    ata_put_word(p, 72, 30);
    ata_put_word(p, 80, 0x1e);                /* ATA/ATAPI-4 to -7... as drives say */
    ata_put_word(p, 82, 1 << 14 | 1 << 4);    /* PACKET feature set */
    ata_put_word(p, 83, 1 << 14);
    ata_put_word(p, 84, 1 << 14);
    ata_put_word(p, 85, 1 << 4);
    ata_put_word(p, 87, 1 << 14);
    ata_put_word(p, 88, 0x3f | ((u->xfer_mode >> 3) == 8 ? 0x100 << mode : 0));
    ata_put_word(p, 93, 1 << 14 | 1 << 13 | 1);
    ide_pio_start(u, 0, IDE_SECTOR_SIZE, PIO_END_IDENTIFY);
    ide_set_irq(u);
}

/* ---- The tray, as the block side sees it ------------------------------------------- */

static void atapi_change_media(void *opaque, bool load)
{
    IDEUnit *u = opaque;
    BlockDriverState *bs = ide_unit_bs(u);
    if (load && bs) {
        int64_t len = blk_getlength(bs);
        u->nb_sectors = len > 0 ? len / CD_SECTOR_SIZE : 0;
        u->tray_open = false;
        /* the next command learns of the change, once. */
        u->unit_attention = true;
        u->sense_key = SENSE_UNIT_ATTENTION;
        u->asc = ASC_MEDIUM_MAY_HAVE_CHANGED;
        u->ascq = 0;
        u->media_event = MEC_NEW_MEDIA;
    } else {
        u->nb_sectors = 0;
        u->tray_open = true;
        u->media_event = MEC_MEDIA_REMOVAL;
    }
}

static void atapi_eject_request(void *opaque, bool force)
{
    IDEUnit *u = opaque;
    if (force) {
        u->tray_locked = false;
    }
    /* A guest that polls events sees the request and may unlock and eject. */
    u->media_event = MEC_EJECT_REQUEST;
}

static bool atapi_is_tray_open(void *opaque)
{
    return ((IDEUnit *)opaque)->tray_open;
}

static bool atapi_is_medium_locked(void *opaque)
{
    return ((IDEUnit *)opaque)->tray_locked;
}

const DriveMediaOps atapi_media_ops = {
    .change_media_cb = atapi_change_media,
    .eject_request_cb = atapi_eject_request,
    .is_tray_open = atapi_is_tray_open,
    .is_medium_locked = atapi_is_medium_locked,
};
