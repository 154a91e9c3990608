/*
 * virtio-blk (virtio 1.1, 5.2) on the PCI transport: -device
 * virtio-blk-pci,drive=id and -drive if=virtio.  Each request is a header
 * (type, sector), data buffers and a status byte; reads, writes, flushes
 * and discards go to the block layer asynchronously, so a vCPU kicking the
 * queue never waits for the disk.
 */
#include "hw/block/virtio-blk.h"

#include <string.h>

#include "block/blockdev.h"
#include "util/bswap.h"
#include "util/iov.h"
#include "util/log.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX    2
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9
#define VIRTIO_BLK_F_MQ         12
#define VIRTIO_BLK_F_DISCARD    13

/* Configuration layout (5.2.4). */
#define CFG_CAPACITY            0
#define CFG_SEG_MAX             12
#define CFG_BLK_SIZE            20
#define CFG_NUM_QUEUES          34
#define CFG_MAX_DISCARD_SECTORS 36
#define CFG_MAX_DISCARD_SEG     40
#define CFG_DISCARD_ALIGNMENT   44
#define CFG_SIZE                60

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN         0
#define VIRTIO_BLK_T_OUT        1
#define VIRTIO_BLK_T_FLUSH      4
#define VIRTIO_BLK_T_GET_ID     8
#define VIRTIO_BLK_T_DISCARD    11
#define VIRTIO_BLK_S_OK         0
#define VIRTIO_BLK_S_IOERR      1
#define VIRTIO_BLK_S_UNSUPP     2

#define SECTOR_SIZE             512
#define QUEUE_SIZE              256
#define SEG_MAX                 (QUEUE_SIZE - 2)    /* data buffers besides header and status */
#define ID_BYTES                20
#define MAX_DISCARD_SECTORS     (UINT32_MAX / SECTOR_SIZE)

typedef struct VirtIOBlock {
    VirtIOPCIProxy parent_obj;
    char *drive_id;             /* property "drive" */
    char *serial;               /* property "serial": GET_ID's answer */
    uint16_t num_queues;        /* property "num-queues" */
    DriveInfo *drive;
    uint64_t capacity;          /* bytes, read once: asking the image could wait on its lock */
    uint32_t generation;        /* bumped at reset: late completions are dropped */
} VirtIOBlock;

typedef struct VirtIOBlockReq {
    VirtIOBlock *s;
    unsigned queue;
    uint32_t generation;
    VirtQueueElement *elem;
    uint8_t *status;            /* the last in byte */
    uint32_t in_len;            /* bytes written for the used ring */
    struct iovec data[SEG_MAX];
    uint8_t discard[16];        /* one discard segment */
} VirtIOBlockReq;

static VirtIOBlock *virtio_blk_of(VirtIODevice *vdev)
{
    return vdev->opaque;
}

static BlockDriverState *virtio_blk_bs(VirtIOBlock *s)
{
    return s->drive ? s->drive->bs : NULL;
}

static void virtio_blk_get_config(VirtIODevice *vdev)
{
    VirtIOBlock *s = virtio_blk_of(vdev);

    memset(vdev->config, 0, vdev->config_len);
    st_le64(vdev->config + CFG_CAPACITY, s->capacity / SECTOR_SIZE);
    st_le32(vdev->config + CFG_SEG_MAX, SEG_MAX);
    st_le32(vdev->config + CFG_BLK_SIZE, SECTOR_SIZE);
    st_le16(vdev->config + CFG_NUM_QUEUES, s->num_queues);
    st_le32(vdev->config + CFG_MAX_DISCARD_SECTORS, MAX_DISCARD_SECTORS);
    st_le32(vdev->config + CFG_MAX_DISCARD_SEG, 1);
    st_le32(vdev->config + CFG_DISCARD_ALIGNMENT, 1);
}

static void virtio_blk_complete(VirtIOBlockReq *req, uint8_t status)
{
    VirtIOBlock *s = req->s;
    VirtIODevice *vdev = &s->parent_obj.vdev;
    if (req->generation == s->generation) {
        *req->status = status;
        virtqueue_push(&vdev->vq[req->queue], req->elem, req->in_len + 1);
        virtio_notify(vdev, req->queue);
    }
    virtqueue_element_free(req->elem);
    g_free(req);
}

static void virtio_blk_io_done(void *opaque, int ret)
{
    VirtIOBlockReq *req = opaque;
    if (ret < 0) {
        req->in_len = 0;
    }
    virtio_blk_complete(req, ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
}

/* Sectors [sector, sector + bytes/512) lie on the disk and bytes is whole sectors. */
static bool virtio_blk_range_ok(VirtIOBlock *s, uint64_t sector, uint64_t bytes)
{
    return bytes % SECTOR_SIZE == 0 && sector <= s->capacity / SECTOR_SIZE &&
           bytes <= s->capacity - sector * SECTOR_SIZE;
}

static void virtio_blk_handle_request(VirtIOBlock *s, unsigned queue, VirtQueueElement *elem)
{
    BlockDriverState *bs = virtio_blk_bs(s);
    VirtIOBlockReq *req = g_new0(VirtIOBlockReq, 1);
    uint8_t hdr[16];

    req->s = s;
    req->queue = queue;
    req->generation = s->generation;
    req->elem = elem;

    /* 5.2.6: header readable, status writable and last; else the request is unusable. */
    size_t out_len = iov_size(elem->out_sg, elem->out_num);
    size_t in_len = iov_size(elem->in_sg, elem->in_num);
    if (out_len < sizeof(hdr) || in_len < 1) {
        log_mask(LOG_GUEST_ERROR, "virtio-blk: request without header or status\n");
        virtqueue_push(&s->parent_obj.vdev.vq[queue], elem, 0);
        virtio_notify(&s->parent_obj.vdev, queue);
        virtqueue_element_free(elem);
        g_free(req);
        return;
    }
    const struct iovec *last = &elem->in_sg[elem->in_num - 1];
    req->status = (uint8_t *)last->iov_base + last->iov_len - 1;
    iov_to_buf(elem->out_sg, elem->out_num, 0, hdr, sizeof(hdr));
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);

    if (!bs) {
        virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
        return;
    }
    switch (type) {
    case VIRTIO_BLK_T_IN: {
        size_t bytes = in_len - 1;
        int n = iov_slice(req->data, SEG_MAX, elem->in_sg, elem->in_num, 0, bytes);
        if (n < 0 || !virtio_blk_range_ok(s, sector, bytes)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        req->in_len = bytes;
        blk_aio_preadv(bs, sector * SECTOR_SIZE, req->data, n, virtio_blk_io_done, req);
        return;
    }
    case VIRTIO_BLK_T_OUT: {
        size_t bytes = out_len - sizeof(hdr);
        int n = iov_slice(req->data, SEG_MAX, elem->out_sg, elem->out_num, sizeof(hdr), bytes);
        if (n < 0 || bdrv_is_read_only(bs) || !virtio_blk_range_ok(s, sector, bytes)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        blk_aio_pwritev(bs, sector * SECTOR_SIZE, req->data, n, virtio_blk_io_done, req);
        return;
    }
    case VIRTIO_BLK_T_FLUSH:
        blk_aio_flush(bs, virtio_blk_io_done, req);
        return;
    case VIRTIO_BLK_T_GET_ID: {
        char id[ID_BYTES] = { 0 };
        /* 5.2.6.1: up to 20 bytes, NUL-padded only when shorter. */
        strncpy(id, s->serial ? s->serial : "", ID_BYTES);
        req->in_len = iov_from_buf(elem->in_sg, elem->in_num, 0, id,
                                   MIN((size_t)ID_BYTES, in_len - 1));
        virtio_blk_complete(req, VIRTIO_BLK_S_OK);
        return;
    }
    case VIRTIO_BLK_T_DISCARD: {
        /* One segment: sector u64, num_sectors u32, flags u32 (max_discard_seg is 1). */
        uint64_t start;
        uint32_t count, flags;
        if (out_len - sizeof(hdr) != sizeof(req->discard) || bdrv_is_read_only(bs)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), req->discard,
                   sizeof(req->discard));
        memcpy(&start, req->discard, 8);
        memcpy(&count, req->discard + 8, 4);
        memcpy(&flags, req->discard + 12, 4);
        if (flags & ~1u) {
            virtio_blk_complete(req, VIRTIO_BLK_S_UNSUPP);
            return;
        }
        if (count > MAX_DISCARD_SECTORS ||
            !virtio_blk_range_ok(s, start, (uint64_t)count * SECTOR_SIZE)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        blk_aio_pdiscard(bs, start * SECTOR_SIZE, (int64_t)count * SECTOR_SIZE,
                         virtio_blk_io_done, req);
        return;
    }
    default:
        virtio_blk_complete(req, VIRTIO_BLK_S_UNSUPP);
        return;
    }
}

static void virtio_blk_handle_queue(VirtIODevice *vdev, unsigned n)
{
    VirtIOBlock *s = virtio_blk_of(vdev);
    VirtQueueElement *elem;
    while (virtqueue_pop(&vdev->vq[n], &elem) == 1) {
        virtio_blk_handle_request(s, n, elem);
    }
}

static void virtio_blk_reset(VirtIODevice *vdev)
{
    virtio_blk_of(vdev)->generation++;
}

static const VirtIODeviceOps virtio_blk_ops = {
    .get_config = virtio_blk_get_config,
    .handle_queue = virtio_blk_handle_queue,
    .reset = virtio_blk_reset,
};

static bool virtio_blk_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIOBlock *s = (VirtIOBlock *)proxy;
    DeviceState *dev = &proxy->parent_obj.parent_obj;

    if (!s->drive_id) {
        error_setg(errp, "drive property not set");
        return false;
    }
    s->drive = drive_get_by_id(s->drive_id);
    if (!s->drive) {
        error_setg(errp, "Property 'virtio-blk-pci.drive' can't find value '%s'", s->drive_id);
        return false;
    }
    if (!s->drive->bs) {
        error_setg(errp, "Device needs media, but drive is empty");
        return false;
    }
    if (s->num_queues < 1 || s->num_queues > 64) {
        error_setg(errp, "num-queues property must be between 1 and 64");
        return false;
    }
    int64_t len = blk_getlength(s->drive->bs);
    if (len < 0) {
        error_setg(errp, "virtio-blk: cannot get the size of drive '%s'", s->drive_id);
        return false;
    }
    s->capacity = len;
    if (!drive_attach_dev(s->drive, dev->id ? dev->id : object_get_typename(&dev->parent_obj),
                          NULL, NULL, errp)) {
        return false;
    }
    virtio_init(&proxy->vdev, "virtio-blk", VIRTIO_ID_BLOCK, CFG_SIZE, s->num_queues,
                QUEUE_SIZE, &virtio_blk_ops, s);
    proxy->vdev.host_features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
                                1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_DISCARD |
                                (s->num_queues > 1 ? 1ull << VIRTIO_BLK_F_MQ : 0) |
                                (bdrv_is_read_only(s->drive->bs) ? 1ull << VIRTIO_BLK_F_RO : 0);
    return true;
}

static void virtio_blk_exit(VirtIOPCIProxy *proxy)
{
    VirtIOBlock *s = (VirtIOBlock *)proxy;
    if (s->drive) {
        if (s->drive->bs) {
            blk_drain(s->drive->bs);
        }
        drive_detach_dev(s->drive);
        s->drive = NULL;
    }
}

static const Property virtio_blk_props[] = {
    PROP_STRING("drive", VirtIOBlock, drive_id),
    PROP_STRING("serial", VirtIOBlock, serial),
    PROP_UINT16("num-queues", VirtIOBlock, num_queues, 1),
    PROP_END,
};

static void virtio_blk_class_init(ObjectClass *klass, const void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    VirtIOPCIClass *vpc = VIRTIO_PCI_CLASS(klass);
    vpc->realize = virtio_blk_realize;
    vpc->exit = virtio_blk_exit;
    pc->device_id = 0x1001;                 /* transitional block device */
    pc->class_id = 0x0100;                  /* mass storage, SCSI (what drivers expect) */
    pc->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pc->subsystem_id = VIRTIO_ID_BLOCK;
    DEVICE_CLASS(klass)->user_creatable = true;
    object_class_set_props(klass, virtio_blk_props);
}

static const TypeInfo virtio_blk_pci_type = {
    .name = TYPE_VIRTIO_BLK_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOBlock),
    .desc = "Virtio block device",
    .class_init = virtio_blk_class_init,
};

void virtio_blk_register_types(void)
{
    type_register(&virtio_blk_pci_type);
}
