/*
 * IDE internals shared by the channel (ide-bus.c), the ATA and ATAPI
 * command sets (ide-ata.c, ide-atapi.c), the bus-master DMA engine
 * (ide-dma.c), the qdev devices (ide-dev.c) and the PIIX3 function
 * (piix-ide.c).  References: ATA8-ACS (T13/1699-D), SFF-8020i and MMC for
 * ATAPI, SFF-8038i (Bus Master IDE), Intel 82371SB datasheet 290550.
 */
#ifndef HW_IDE_IDE_INTERNAL_H
#define HW_IDE_IDE_INTERNAL_H

#include "block/blockdev.h"
#include "hw/ide/ide.h"
#include "migration/vmstate.h"

#define IDE_SECTOR_SIZE     512
#define CD_SECTOR_SIZE      2048
#define IDE_BUF_SIZE        (128 * 1024)    /* one chunk of a transfer */
#define IDE_BUF_SECTORS     (IDE_BUF_SIZE / IDE_SECTOR_SIZE)
#define CD_BUF_SECTORS      (IDE_BUF_SIZE / CD_SECTOR_SIZE)
#define IDE_MAX_MULT        16              /* sectors per DRQ block of READ/WRITE MULTIPLE */
#define ATAPI_PACKET_SIZE   12

/* Status register (the task file). */
#define ATA_ERR     0x01
#define ATA_DRQ     0x08
#define ATA_DSC     0x10
#define ATA_DF      0x20
#define ATA_DRDY    0x40
#define ATA_BSY     0x80

/* Error register. */
#define ATA_AMNF    0x01
#define ATA_ABRT    0x04
#define ATA_IDNF    0x10
#define ATA_UNC     0x40

/* Device register. */
#define ATA_DEV     0x10    /* selects device 1 */
#define ATA_LBA     0x40

/* Device control register. */
#define ATA_NIEN    0x02
#define ATA_SRST    0x04
#define ATA_HOB     0x80

/* ATAPI interrupt reason (in the sector count register, SFF-8020i). */
#define ATAPI_COD   0x01
#define ATAPI_IO    0x02

/* SCSI sense keys and additional sense codes (SPC, MMC). */
#define SENSE_NONE              0
#define SENSE_NOT_READY         2
#define SENSE_MEDIUM_ERROR      3
#define SENSE_ILLEGAL_REQUEST   5
#define SENSE_UNIT_ATTENTION    6
#define ASC_INVALID_OPCODE      0x20
#define ASC_LBA_OUT_OF_RANGE    0x21
#define ASC_INVALID_FIELD       0x24
#define ASC_MEDIUM_MAY_HAVE_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED 0x39
#define ASC_MEDIUM_NOT_PRESENT  0x3a
#define ASC_INCOMPATIBLE_FORMAT 0x30
#define ASC_UNRECOVERED_READ    0x11
#define ASC_MEDIUM_REMOVAL_PREVENTED 0x53

/* Bus-master IDE registers, per channel at BAR4 + 8 * channel (SFF-8038i). */
#define BM_CMD          0
#define  BM_CMD_START   0x01
#define  BM_CMD_WRITE   0x08    /* the bus master writes memory (a device read) */
#define BM_STATUS       2
#define  BM_ST_ACTIVE   0x01
#define  BM_ST_ERROR    0x02
#define  BM_ST_INT      0x04
#define  BM_ST_DMA0     0x20
#define  BM_ST_DMA1     0x40
#define BM_PRD          4
#define BM_REGS_SIZE    8

typedef struct IDEChannel IDEChannel;

typedef enum IDEKind {
    IDE_NONE,
    IDE_HD,
    IDE_CD,
} IDEKind;

/* What to do when the guest has drained or filled the PIO window. */
typedef enum IDEPioEnd {
    PIO_END_NONE,
    PIO_END_ATA_READ,       /* next DRQ block or chunk of READ SECTORS/MULTIPLE */
    PIO_END_ATA_WRITE,      /* write the block just received */
    PIO_END_PACKET,         /* the 12-byte ATAPI command arrived */
    PIO_END_ATAPI_DATA,     /* next byte-count piece of an ATAPI reply */
    PIO_END_IDENTIFY,       /* single-block replies: the command is over */
} IDEPioEnd;

/* The command a unit has waiting for (or running on) the bus master. */
typedef enum IDEDmaOp {
    DMA_OP_NONE,
    DMA_OP_ATA_READ,
    DMA_OP_ATA_WRITE,
    DMA_OP_ATAPI_READ,      /* READ(10/12) */
    DMA_OP_ATAPI_REPLY,     /* a reply already in the buffer */
} IDEDmaOp;

/* One unit (device 0 or 1) of a channel: its task file and transfer state. */
typedef struct IDEUnit {
    IDEChannel *ch;
    int unit;
    IDEKind kind;
    DriveInfo *drive;
    char serial[21];
    char model[41];
    char version[9];
    uint64_t nb_sectors;        /* 512-byte sectors (ATA), 2048-byte ones (ATAPI) */
    uint32_t cylinders, heads, sectors;     /* default geometry */
    uint32_t generation;        /* bumped at reset: late completions are dropped */
    bool aio_busy;              /* a block request is in flight */

    /* Task file (the HOB copies hold the previous write, for LBA48). */
    uint8_t feature, hob_feature;
    uint8_t nsector, hob_nsector;
    uint8_t sector, hob_sector;
    uint8_t lcyl, hob_lcyl;
    uint8_t hcyl, hob_hcyl;
    uint8_t select;
    uint8_t status;
    uint8_t error;
    uint8_t command;

    /* Settings. */
    uint8_t mult_sectors;       /* SET MULTIPLE MODE; 0: READ/WRITE MULTIPLE abort */
    uint8_t xfer_mode;          /* SET FEATURES 03h value */
    uint8_t power_mode;         /* CHECK POWER MODE's answer: 0xff active, 0 standby */
    bool write_cache;
    bool identify_set;
    uint32_t cur_heads, cur_sectors;        /* INITIALIZE DEVICE PARAMETERS */

    /* A data transfer. */
    uint64_t xfer_lba;          /* next sector to read or write */
    uint32_t xfer_left;         /* sectors still to transfer */
    uint32_t xfer_block;        /* sectors per DRQ block (PIO) */
    uint32_t buf_sectors;       /* sectors in io_buffer (PIO reads) */
    uint32_t buf_cur;           /* first sector of io_buffer not yet sent */
    uint32_t data_pos, data_end;    /* PIO window in io_buffer */
    uint8_t pio_end;            /* IDEPioEnd */
    uint8_t dma_op;             /* IDEDmaOp */
    bool dma_running;
    uint8_t io_buffer[IDE_BUF_SIZE + 4];

    /* ATAPI. */
    uint8_t sense_key, asc, ascq;
    bool unit_attention;        /* the next command reports the medium change */
    bool tray_open, tray_locked;
    uint8_t media_event;        /* GET EVENT STATUS NOTIFICATION media event code */
    uint32_t byte_limit;        /* byte count limit of a PIO reply piece */
    uint32_t reply_pos, reply_len;  /* reply bytes in io_buffer: sent, valid */
} IDEUnit;

/* The bus-master engine of one channel. */
typedef struct IDEBMDMA {
    uint8_t cmd, status;
    uint8_t dev1, dev3;         /* device-specific bytes, plain storage */
    uint32_t prd_addr;
    uint32_t cur_prd;           /* next entry to fetch */
    uint32_t cur_addr;          /* current memory region */
    uint32_t cur_len;           /* bytes left in it */
    uint32_t nentries;          /* entries fetched in this transfer */
    bool eot;                   /* the last entry has been fetched */
} IDEBMDMA;

struct IDEChannel {
    int index;                  /* 0 primary, 1 secondary */
    IDEUnit units[2];
    uint8_t cur;                /* selected unit */
    uint8_t devctl;
    bool irq_pending;
    ISABus *isa;
    int isa_irq;
    AddressSpace *as;           /* where DMA goes */
    IDEBMDMA bm;
};

/* The qdev bus of a channel ("ide.0"): ide-hd and ide-cd plug in here. */
typedef struct IDEBus {
    BusState parent_obj;
    IDEChannel *ch;
} IDEBus;

/* ---- ide-bus.c: the channel ------------------------------------------------- */
void ide_channel_init(IDEChannel *ch, int index, ISABus *isa, int isa_irq, AddressSpace *as);
uint32_t ide_cmd_read(IDEChannel *ch, unsigned reg, unsigned size);
void ide_cmd_write(IDEChannel *ch, unsigned reg, uint32_t val, unsigned size);
uint8_t ide_ctl_read(IDEChannel *ch);
void ide_ctl_write(IDEChannel *ch, uint8_t val);
void ide_channel_reset(IDEChannel *ch);
/* Attach a medium-bearing unit (drive may be NULL for an empty CD). */
void ide_unit_setup(IDEUnit *u, IDEKind kind, DriveInfo *drive, const char *serial,
                    const char *model, const char *version);
void ide_unit_clear(IDEUnit *u);
BlockDriverState *ide_unit_bs(IDEUnit *u);
void ide_set_irq(IDEUnit *u);
/* Hand the guest len bytes of io_buffer from start (or take them), then end. */
void ide_pio_start(IDEUnit *u, uint32_t start, uint32_t len, IDEPioEnd end);
/* Command over: status DRDY (and DSC), optional interrupt. */
void ide_cmd_done(IDEUnit *u, bool irq);
void ide_abort(IDEUnit *u);
/* Block I/O on io_buffer: cb runs in the main loop unless the unit was reset since. */
typedef void IDEIOCallback(IDEUnit *u, int ret);
void ide_aio(IDEUnit *u, bool write, int64_t offset, uint32_t bytes, IDEIOCallback *cb);
void ide_aio_flush(IDEUnit *u, IDEIOCallback *cb);
void ide_unit_drain(IDEUnit *u);
extern const VMStateDescription vmstate_ide_channel;

/* ---- ide-dev.c ---------------------------------------------------------------- */
void ide_dev_register_types(void);

/* ---- ide-ata.c ---------------------------------------------------------------- */
void ata_exec_cmd(IDEUnit *u, uint8_t cmd);
void ata_pio_end(IDEUnit *u, IDEPioEnd end);
void ata_dma_run(IDEUnit *u);
void ata_set_signature(IDEUnit *u);
void ata_reset_unit(IDEUnit *u);
/*
 * IDENTIFY data: a little-endian word, and a string two characters a word
 * (the first in the high byte), space padded.
 */
void ata_put_word(uint8_t *p, unsigned word, uint16_t v);
void ata_put_string(uint8_t *p, unsigned word, unsigned words, const char *s);

/* ---- ide-atapi.c -------------------------------------------------------------- */
void atapi_exec_packet(IDEUnit *u);
void atapi_pio_end(IDEUnit *u, IDEPioEnd end);
void atapi_dma_run(IDEUnit *u);
void atapi_identify(IDEUnit *u);
extern const DriveMediaOps atapi_media_ops;

/* ---- ide-dma.c ---------------------------------------------------------------- */
typedef enum IDEDmaResult {
    IDE_DMA_OK,         /* every byte moved */
    IDE_DMA_SHORT,      /* the PRD table ended first */
    IDE_DMA_ERROR,      /* an entry outside RAM or a table without end */
} IDEDmaResult;

/* A unit has a DMA command ready: run it once the bus master is started. */
void ide_dma_kick(IDEChannel *ch);
/* Move len bytes of buf to (to_memory) or from guest memory along the PRD table. */
IDEDmaResult ide_dma_rw(IDEChannel *ch, uint8_t *buf, uint32_t len, bool to_memory);
/*
 * End a DMA command after result: the unit's status (good or an error),
 * the bus master's Active/Error/Interrupt bits and the interrupt.
 */
void ide_dma_finish(IDEUnit *u, IDEDmaResult result, bool device_error);
/* The guest stopped the bus master under a running command: drop it, true. */
bool ide_dma_stopped(IDEUnit *u);
uint32_t ide_bm_read(IDEChannel *ch, unsigned reg);
void ide_bm_write(IDEChannel *ch, unsigned reg, uint8_t val);
void ide_bm_reset(IDEChannel *ch);

#endif
