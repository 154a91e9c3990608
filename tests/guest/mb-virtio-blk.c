/*
 * A multiboot guest that drives virtio-blk through the modern virtio-pci
 * interface (virtio 1.1, 4.1.4), or with "legacy=1" the legacy one
 * (4.1.4.8), with one split queue (2.6), polling the used ring with
 * interrupts off:
 *  - finds the device with configuration mechanism #1 (ports 0xcf8/0xcfc),
 *    maps the BAR its capabilities name (or the legacy I/O BAR0) and
 *    enables decoding and DMA;
 *  - reads sectors 0..N-1, one request each, and prints their checksum;
 *  - optionally reads sector 0 R more times; prints the TSC cycles that
 *    all reads took and those the vCPU spent in the doorbell writes (what
 *    an ioeventfd saves: the accelerator tests' cost per request);
 *  - writes sector N with a pattern and reads it back;
 *  - exits through isa-debug-exit: 0x10 (kemu exits 33), 0x01 on failure.
 * Command line: "sectors=N" (default 8), "repeat=R" (default 0), "legacy=1".
 *
 * checksum: s = rotl(s, 1) + w over the little-endian 32-bit words read;
 * the pattern: byte i of sector N is (i * 7 + N) & 0xff.
 */
#include <stdint.h>

#define COM1            0x3f8
#define DEBUG_EXIT      0xf4
#define PCI_ADDR        0xcf8
#define PCI_DATA        0xcfc
#define BAR_BASE        0xe0000000u     /* in the PCI hole, below the IOAPIC */
#define IO_BASE         0xc000          /* for the legacy BAR0 */

/* virtio-pci capabilities (4.1.4) and the common configuration (4.1.4.3). */
#define PCI_CAP_VNDR    0x09
#define CAP_COMMON      1
#define CAP_NOTIFY      2
#define CAP_DEVICE      4
#define C_DFSELECT      0x00
#define C_DF            0x04
#define C_GFSELECT      0x08
#define C_GF            0x0c
#define C_STATUS        0x14
#define C_Q_SELECT      0x16
#define C_Q_SIZE        0x18
#define C_Q_ENABLE      0x1c
#define C_Q_NOFF        0x1e
#define C_Q_DESC        0x20
#define C_Q_AVAIL       0x28
#define C_Q_USED        0x30

/* Legacy registers (4.1.4.8); the device configuration follows at 0x14. */
#define L_GUEST_FEATURES 0x04
#define L_QUEUE_PFN     0x08
#define L_QUEUE_NUM     0x0c
#define L_QUEUE_SEL     0x0e
#define L_QUEUE_NOTIFY  0x10
#define L_STATUS        0x12
#define L_CONFIG        0x14

#define S_ACK           1
#define S_DRIVER        2
#define S_DRIVER_OK     4
#define S_FEATURES_OK   8

#define QMAX            256
#define SECTOR          512
#define T_IN            0
#define T_OUT           1

/* Multiboot 0.6.96, 3.1.1: magic, flags (page-align, memory info), checksum. */
__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t multiboot_header[3] = { 0x1badb002u, 3u, 0u - (0x1badb002u + 3u) };

/* The entry: a stack, then guest_main(magic, mbi) (3.2: EAX magic, EBX info). */
__asm__(".pushsection .text\n"
        ".globl _start\n"
        "_start:\n"
        "    mov $stack_top, %esp\n"
        "    push %ebx\n"
        "    push %eax\n"
        "    call guest_main\n"
        "1:  hlt\n"
        "    jmp 1b\n"
        ".popsection\n"
        ".pushsection .bss\n"
        ".align 16\n"
        ".skip 8192\n"
        "stack_top:\n"
        ".popsection\n");

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

/*
 * The rings in the legacy layout (2.6.2), which suits both interfaces:
 * descriptors, the available ring right after them, the used ring on the
 * next page boundary.
 */
static uint8_t ring_mem[3 * 4096 + 16 * QMAX] __attribute__((aligned(4096)));
static struct vring_desc *desc;
static volatile uint16_t *avail;        /* flags, idx, ring[qsz], used_event */
static volatile uint32_t *used;         /* flags | idx << 16, then ring[qsz] of (id, len) */
static unsigned qsz;
static uint16_t last_used;
static uint64_t kick_tsc;               /* cycles spent writing the doorbell */

static struct {
    uint32_t type, reserved;
    uint64_t sector;
} req_hdr;
static volatile uint8_t req_status;
static uint8_t buf[SECTOR], buf2[SECTOR];
static volatile uint8_t *common, *notify, *devcfg;
static int legacy;

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20)) {
    }
    outb(COM1, c);
}

static void puts(const char *s)
{
    while (*s) {
        putc(*s++);
    }
}

static void put_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) {
        putc("0123456789abcdef"[(v >> i) & 15]);
    }
}

static void put_dec(uint32_t v)
{
    char s[11];
    int i = 10;

    s[i] = 0;
    do {
        s[--i] = '0' + v % 10;
        v /= 10;
    } while (v);
    puts(s + i);
}

static void __attribute__((noreturn)) finish(uint8_t code)
{
    outb(DEBUG_EXIT, code);
    for (;;) {
        __asm__ volatile("hlt");
    }
}

static void __attribute__((noreturn)) fail(const char *why)
{
    puts("FAIL: ");
    puts(why);
    putc('\n');
    finish(0x01);
}

/* The number after "key=" on the command line, or def. */
static uint32_t cmdline_uint(const char *cmd, const char *key, uint32_t def)
{
    for (const char *p = cmd; cmd && *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k) {
            k++;
            q++;
        }
        if (!*k && (p == cmd || p[-1] == ' ')) {
            uint32_t v = 0;
            while (*q >= '0' && *q <= '9') {
                v = v * 10 + (*q++ - '0');
            }
            return v;
        }
    }
    return def;
}

/* ---- PCI configuration (bus 0, function 0) and MMIO ---- */

static uint32_t pci_read32(unsigned dev, unsigned off)
{
    outl(PCI_ADDR, 0x80000000u | dev << 11 | (off & 0xfc));
    return inl(PCI_DATA);
}

static uint8_t pci_read8(unsigned dev, unsigned off)
{
    return pci_read32(dev, off) >> (8 * (off & 3));
}

static void pci_write32(unsigned dev, unsigned off, uint32_t v)
{
    outl(PCI_ADDR, 0x80000000u | dev << 11 | (off & 0xfc));
    outl(PCI_DATA, v);
}

static void pci_write16(unsigned dev, unsigned off, uint16_t v)
{
    outl(PCI_ADDR, 0x80000000u | dev << 11 | (off & 0xfc));
    outw(PCI_DATA + (off & 2), v);
}

static uint8_t rd8(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint8_t *)(b + off);
}

static uint16_t rd16(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint16_t *)(b + off);
}

static uint32_t rd32(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint32_t *)(b + off);
}

static void wr8(volatile uint8_t *b, unsigned off, uint8_t v)
{
    *(volatile uint8_t *)(b + off) = v;
}

static void wr16(volatile uint8_t *b, unsigned off, uint16_t v)
{
    *(volatile uint16_t *)(b + off) = v;
}

static void wr32(volatile uint8_t *b, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(b + off) = v;
}

static void wr64(volatile uint8_t *b, unsigned off, uint32_t v)
{
    wr32(b, off, v);
    wr32(b, off + 4, 0);
}

/* ---- The device ---- */

static void rings_init(unsigned num)
{
    qsz = num;
    desc = (struct vring_desc *)ring_mem;
    avail = (volatile uint16_t *)(ring_mem + 16 * num);
    used = (volatile uint32_t *)(((uint32_t)(avail + 3 + num) + 4095) & ~4095u);
    avail[0] = 1;                           /* VRING_AVAIL_F_NO_INTERRUPT: we poll */
}

/* The legacy interface in I/O BAR0: 32 feature bits, a queue of the device's size. */
static void virtio_legacy_init(unsigned dev)
{
    unsigned num;

    pci_write32(dev, 0x10, IO_BASE);
    pci_write16(dev, 0x04, 0x5);            /* I/O space, bus master */
    outb(IO_BASE + L_STATUS, 0);
    outb(IO_BASE + L_STATUS, S_ACK | S_DRIVER);
    outl(IO_BASE + L_GUEST_FEATURES, 0);
    outw(IO_BASE + L_QUEUE_SEL, 0);
    num = inw(IO_BASE + L_QUEUE_NUM);
    if (num < 4 || num > QMAX) {
        fail("bad legacy queue size");
    }
    rings_init(num);
    outl(IO_BASE + L_QUEUE_PFN, (uint32_t)ring_mem >> 12);
    outb(IO_BASE + L_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
}

/* The modern interface: the structures the vendor capabilities place in a memory BAR. */
static void virtio_modern_init(unsigned dev)
{
    unsigned bar = 6, num;
    uint32_t off_common = 0, off_notify = 0, off_dev = 0, mult = 0;

    for (unsigned p = pci_read8(dev, 0x34); p; p = pci_read8(dev, p + 1)) {
        if (pci_read8(dev, p) != PCI_CAP_VNDR) {
            continue;
        }
        uint8_t type = pci_read8(dev, p + 3);
        uint32_t off = pci_read32(dev, p + 8);
        bar = pci_read8(dev, p + 4);
        if (type == CAP_COMMON) {
            off_common = off;
        } else if (type == CAP_NOTIFY) {
            off_notify = off;
            mult = pci_read32(dev, p + 16);
        } else if (type == CAP_DEVICE) {
            off_dev = off;
        }
    }
    if (bar > 5 || !off_notify) {
        fail("no virtio capabilities");
    }
    pci_write32(dev, 0x10 + 4 * bar, BAR_BASE);
    if ((pci_read32(dev, 0x10 + 4 * bar) & 6) == 4) {
        pci_write32(dev, 0x14 + 4 * bar, 0);    /* 64-bit: the high half */
    }
    pci_write16(dev, 0x04, 0x6);            /* memory space, bus master */
    common = (volatile uint8_t *)(BAR_BASE + off_common);
    devcfg = (volatile uint8_t *)(BAR_BASE + off_dev);

    /* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
    wr8(common, C_STATUS, 0);
    wr8(common, C_STATUS, S_ACK | S_DRIVER);
    wr32(common, C_DFSELECT, 1);
    if (!(rd32(common, C_DF) & 1)) {
        fail("no VIRTIO_F_VERSION_1");
    }
    wr32(common, C_GFSELECT, 0);
    wr32(common, C_GF, 0);
    wr32(common, C_GFSELECT, 1);
    wr32(common, C_GF, 1);
    wr8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd8(common, C_STATUS) & S_FEATURES_OK)) {
        fail("FEATURES_OK refused");
    }
    wr16(common, C_Q_SELECT, 0);
    num = rd16(common, C_Q_SIZE);
    if (num < 4) {
        fail("queue too small");
    }
    rings_init(num > QMAX ? QMAX : num);
    wr16(common, C_Q_SIZE, qsz);
    wr64(common, C_Q_DESC, (uint32_t)desc);
    wr64(common, C_Q_AVAIL, (uint32_t)avail);
    wr64(common, C_Q_USED, (uint32_t)used);
    notify = (volatile uint8_t *)(BAR_BASE + off_notify + rd16(common, C_Q_NOFF) * mult);
    wr16(common, C_Q_ENABLE, 1);
    wr8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static unsigned virtio_find(void)
{
    for (unsigned dev = 0; dev < 32; dev++) {
        uint32_t id = pci_read32(dev, 0);
        if (id == 0x10011af4 || id == 0x10421af4) {
            return dev;
        }
    }
    fail("no virtio-blk");
}

/* One request of one sector: header, data, status (5.2.6); returns the status. */
static uint8_t blk_request(uint32_t type, uint32_t sector, uint8_t *data)
{
    uint16_t idx = avail[1];

    req_hdr.type = type;
    req_hdr.reserved = 0;
    req_hdr.sector = sector;
    req_status = 0xff;
    desc[0] = (struct vring_desc){ (uint32_t)&req_hdr, sizeof(req_hdr), 1, 1 };
    desc[1] = (struct vring_desc){ (uint32_t)data, SECTOR, type == T_IN ? 3 : 1, 2 };
    desc[2] = (struct vring_desc){ (uint32_t)&req_status, 1, 2, 0 };
    avail[2 + idx % qsz] = 0;
    barrier();
    avail[1] = idx + 1;
    barrier();
    uint64_t t = rdtsc();
    if (legacy) {                           /* the doorbell: queue 0 */
        outw(IO_BASE + L_QUEUE_NOTIFY, 0);
    } else {
        wr16(notify, 0, 0);
    }
    kick_tsc += rdtsc() - t;
    last_used++;
    while ((uint16_t)(used[0] >> 16) != last_used) {
        __asm__ volatile("pause");
    }
    barrier();
    return req_status;
}

void guest_main(uint32_t magic, const uint32_t *mbi)
{
    const char *cmd = (magic == 0x2badb002u && (mbi[0] & 4)) ? (const char *)mbi[4] : 0;
    uint32_t n = cmdline_uint(cmd, "sectors=", 8);
    uint32_t repeat = cmdline_uint(cmd, "repeat=", 0);
    uint32_t sum = 0, cap_lo, cap_hi;
    uint64_t t0, t1;
    unsigned dev;

    legacy = cmdline_uint(cmd, "legacy=", 0);
    dev = virtio_find();
    if (legacy) {
        virtio_legacy_init(dev);
        cap_lo = inl(IO_BASE + L_CONFIG);
        cap_hi = inl(IO_BASE + L_CONFIG + 4);
    } else {
        virtio_modern_init(dev);
        cap_lo = rd32(devcfg, 0);
        cap_hi = rd32(devcfg, 4);
    }
    if (!cap_hi && cap_lo < n + 1) {        /* the capacity in sectors */
        fail("disk too small");
    }

    t0 = rdtsc();
    kick_tsc = 0;
    for (uint32_t s = 0; s < n; s++) {
        if (blk_request(T_IN, s, buf) != 0) {
            fail("read error");
        }
        for (unsigned i = 0; i < SECTOR; i += 4) {
            uint32_t w = buf[i] | buf[i + 1] << 8 | buf[i + 2] << 16 |
                         (uint32_t)buf[i + 3] << 24;
            sum = (sum << 1 | sum >> 31) + w;
        }
    }
    for (uint32_t r = 0; r < repeat; r++) {
        if (blk_request(T_IN, 0, buf) != 0) {
            fail("read error");
        }
    }
    t1 = rdtsc() - t0;
    puts(legacy ? "virtio-blk legacy" : "virtio-blk modern");
    puts(" sectors=");
    put_dec(n);
    puts(" checksum=");
    put_hex(sum);
    puts("\nreads=");
    put_dec(n + repeat);
    puts(" tsc=");
    put_hex(t1 >> 32);
    put_hex((uint32_t)t1);
    puts(" kick_tsc=");
    put_hex(kick_tsc >> 32);
    put_hex((uint32_t)kick_tsc);
    putc('\n');

    for (unsigned i = 0; i < SECTOR; i++) {
        buf[i] = i * 7 + n;
        buf2[i] = 0;
    }
    if (blk_request(T_OUT, n, buf) != 0 || blk_request(T_IN, n, buf2) != 0) {
        fail("write error");
    }
    for (unsigned i = 0; i < SECTOR; i++) {
        if (buf2[i] != buf[i]) {
            fail("sector read back differs");
        }
    }
    puts("wrote sector ");
    put_dec(n);
    puts("\nPASS virtio-blk\n");
    finish(0x10);
}
