/*
 * Bus-master IDE DMA (SFF-8038i rev. 1.0): per channel a command register
 * (start, direction), a status register (active, error, interrupt, the
 * BIOS's DMA-capable bits) and the address of a Physical Region Descriptor
 * table in guest memory.  Each PRD entry is a 32-bit buffer address and a
 * byte count (0 means 64 KiB); bit 31 of its second dword marks the last.
 * Buffers must be RAM: anything else, or a table that never ends, stops the
 * transfer with the Error bit.
 */
#include "hw/ide/ide-internal.h"

#include <string.h>

#include "util/bswap.h"
#include "util/log.h"

#define PRD_EOT         0x80000000u
#define PRD_ENTRY_SIZE  8
/* The table may not cross a 64 KiB boundary (SFF-8038i): at most 8192 entries. */
#define PRD_MAX_ENTRIES (65536 / PRD_ENTRY_SIZE)

/* Load the next PRD entry into cur_addr/cur_len. */
static IDEDmaResult ide_dma_next_prd(IDEChannel *ch)
{
    IDEBMDMA *bm = &ch->bm;
    uint8_t e[PRD_ENTRY_SIZE];

    if (bm->eot) {
        return IDE_DMA_SHORT;
    }
    if (bm->nentries >= PRD_MAX_ENTRIES) {
        log_mask(LOG_GUEST_ERROR, "ide: PRD table at %08x has no end\n", bm->prd_addr);
        return IDE_DMA_ERROR;
    }
    if (address_space_read(ch->as, bm->cur_prd, e, sizeof(e)) != MEMTX_OK) {
        log_mask(LOG_GUEST_ERROR, "ide: PRD entry at %08x is not readable\n", bm->cur_prd);
        return IDE_DMA_ERROR;
    }
    uint32_t addr = ld_le32(e), ctl = ld_le32(e + 4);
    uint32_t len = ctl & 0xfffe;
    bm->cur_addr = addr & ~1u;
    bm->cur_len = len ? len : 0x10000;
    bm->eot = ctl & PRD_EOT;
    bm->cur_prd += PRD_ENTRY_SIZE;
    bm->nentries++;
    return IDE_DMA_OK;
}

IDEDmaResult ide_dma_rw(IDEChannel *ch, uint8_t *buf, uint32_t len, bool to_memory)
{
    IDEBMDMA *bm = &ch->bm;
    while (len) {
        if (!bm->cur_len) {
            IDEDmaResult r = ide_dma_next_prd(ch);
            if (r != IDE_DMA_OK) {
                return r;
            }
        }
        hwaddr plen = MIN(len, bm->cur_len);
        /* RAM only: a device's registers or ROM are no place for DMA. */
        uint8_t *p = address_space_ram_ptr(ch->as, bm->cur_addr, &plen, to_memory);
        if (!p || !plen) {
            log_mask(LOG_GUEST_ERROR, "ide: PRD buffer %08x is not RAM\n", bm->cur_addr);
            return IDE_DMA_ERROR;
        }
        uint32_t n = MIN(plen, MIN(len, bm->cur_len));
        if (to_memory) {
            memcpy(p, buf, n);
        } else {
            memcpy(buf, p, n);
        }
        buf += n;
        len -= n;
        bm->cur_addr += n;
        bm->cur_len -= n;
    }
    return IDE_DMA_OK;
}

void ide_dma_finish(IDEUnit *u, IDEDmaResult result, bool device_error)
{
    IDEBMDMA *bm = &u->ch->bm;
    u->dma_op = DMA_OP_NONE;
    u->dma_running = false;
    u->xfer_left = 0;
    switch (result) {
    case IDE_DMA_OK:
        u->status = device_error ? ATA_DRDY | ATA_ERR : ATA_DRDY | ATA_DSC;
        /* SFF-8038i: Active stays set if the table was longer than the transfer. */
        if (device_error || (bm->eot && !bm->cur_len)) {
            bm->status &= ~BM_ST_ACTIVE;
        }
        ide_set_irq(u);
        break;
    case IDE_DMA_SHORT:
        /* The table ran out first: Active clear, Interrupt clear, the guest's call. */
        bm->status &= ~BM_ST_ACTIVE;
        u->status = ATA_DRDY | ATA_DSC;
        break;
    case IDE_DMA_ERROR:
        bm->status = (bm->status & ~BM_ST_ACTIVE) | BM_ST_ERROR;
        u->status = ATA_DRDY | ATA_ERR;
        u->error = ATA_ABRT;
        ide_set_irq(u);
        break;
    }
}

bool ide_dma_stopped(IDEUnit *u)
{
    return !u->dma_running;
}

void ide_dma_kick(IDEChannel *ch)
{
    if (!(ch->bm.status & BM_ST_ACTIVE)) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        IDEUnit *u = &ch->units[i];
        if (u->dma_op == DMA_OP_NONE || u->dma_running) {
            continue;
        }
        u->dma_running = true;
        u->status = ATA_DRDY | ATA_BSY;
        if (u->dma_op == DMA_OP_ATA_READ || u->dma_op == DMA_OP_ATA_WRITE) {
            ata_dma_run(u);
        } else {
            atapi_dma_run(u);
        }
        return;
    }
}

/* The guest cleared Start under a running command: the transfer is abandoned. */
static void ide_dma_cancel(IDEChannel *ch)
{
    for (int i = 0; i < 2; i++) {
        IDEUnit *u = &ch->units[i];
        if (!u->dma_running) {
            continue;
        }
        u->generation++;    /* drop the block request in flight */
        u->aio_busy = false;
        u->dma_op = DMA_OP_NONE;
        u->dma_running = false;
        u->xfer_left = 0;
        u->status = ATA_DRDY | ATA_ERR;
        u->error = ATA_ABRT;
    }
}

uint32_t ide_bm_read(IDEChannel *ch, unsigned reg)
{
    IDEBMDMA *bm = &ch->bm;
    switch (reg) {
    case BM_CMD:        return bm->cmd;
    case BM_CMD + 1:    return bm->dev1;
    case BM_STATUS:     return bm->status;
    case BM_STATUS + 1: return bm->dev3;
    case BM_PRD:
    case BM_PRD + 1:
    case BM_PRD + 2:
    case BM_PRD + 3:
        return (bm->prd_addr >> (8 * (reg - BM_PRD))) & 0xff;
    default:
        return 0xff;
    }
}

void ide_bm_write(IDEChannel *ch, unsigned reg, uint8_t val)
{
    IDEBMDMA *bm = &ch->bm;
    switch (reg) {
    case BM_CMD:
        if ((val & BM_CMD_START) && !(bm->cmd & BM_CMD_START)) {
            bm->cmd = val & (BM_CMD_START | BM_CMD_WRITE);
            bm->status |= BM_ST_ACTIVE;
            bm->cur_prd = bm->prd_addr;
            bm->cur_len = 0;
            bm->nentries = 0;
            bm->eot = false;
            ide_dma_kick(ch);
        } else if (!(val & BM_CMD_START) && (bm->cmd & BM_CMD_START)) {
            bm->cmd = val & BM_CMD_WRITE;
            bm->status &= ~BM_ST_ACTIVE;
            ide_dma_cancel(ch);
        } else if (!(bm->cmd & BM_CMD_START)) {
            /* The direction may change only while the engine is stopped. */
            bm->cmd = val & BM_CMD_WRITE;
        }
        break;
    case BM_CMD + 1:
        bm->dev1 = val;
        break;
    case BM_STATUS:
        bm->status &= ~(val & (BM_ST_ERROR | BM_ST_INT));
        bm->status = (bm->status & ~(BM_ST_DMA0 | BM_ST_DMA1)) |
                     (val & (BM_ST_DMA0 | BM_ST_DMA1));
        break;
    case BM_STATUS + 1:
        bm->dev3 = val;
        break;
    case BM_PRD:
    case BM_PRD + 1:
    case BM_PRD + 2:
    case BM_PRD + 3: {
        unsigned shift = 8 * (reg - BM_PRD);
        bm->prd_addr = (bm->prd_addr & ~(0xffu << shift)) | (uint32_t)val << shift;
        bm->prd_addr &= ~3u;    /* dword aligned */
        break;
    }
    default:
        break;
    }
}

void ide_bm_reset(IDEChannel *ch)
{
    memset(&ch->bm, 0, sizeof(ch->bm));
}
