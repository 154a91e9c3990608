#include "tests/devices/harness.h"

#include <glib.h>

#include "chardev/char.h"
#include "hw/register-types.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define TYPE_HARNESS_BRIDGE "harness-isa-bridge"

static IRQProbe isa_probes[ISA_NUM_IRQS];

static void probe_handler(void *opaque, int n, int level)
{
    IRQProbe *p = opaque;
    if (level && !p->level) {
        p->raises++;
    } else if (!level && p->level) {
        p->lowers++;
    }
    p->level = level;
}

static void probe_init(IRQProbe *p)
{
    *p = (IRQProbe){ 0 };
    p->line = irq_new_array(probe_handler, p, 1);
}

IRQProbe *harness_irq_probe_new(void)
{
    IRQProbe *p = g_new0(IRQProbe, 1);
    probe_init(p);
    return p;
}

void harness_irq_probe_reset(IRQProbe *p)
{
    p->raises = p->lowers = 0;
}

static const TypeInfo harness_bridge_type = {
    .name = TYPE_HARNESS_BRIDGE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(DeviceState),
};

void harness_init(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    kemu_register_all_types();
    type_register(&harness_bridge_type);
    main_loop_init();
    clock_virtual_set_manual(true);
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        probe_init(&isa_probes[i]);
    }
}

ISABus *harness_isa_bus(void)
{
    harness_init();
    DeviceState *bridge = qdev_new(TYPE_HARNESS_BRIDGE);
    Error *err = NULL;
    if (!qdev_realize_and_unref(bridge, NULL, &err)) {
        g_error("harness bridge: %s", error_get_pretty(err));
    }
    ISABus *bus = isa_bus_new(bridge, get_system_memory(), get_system_io());
    IRQLine *lines[ISA_NUM_IRQS];
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        lines[i] = isa_probes[i].line;
    }
    isa_bus_set_irqs(bus, lines);
    return bus;
}

IRQProbe *harness_isa_irq(unsigned n)
{
    g_assert(n < ISA_NUM_IRQS);
    return &isa_probes[n];
}

static uint64_t io_read(hwaddr port, unsigned size)
{
    return address_space_ld(address_space_io(), port, size, NULL);
}

static void io_write(hwaddr port, uint64_t val, unsigned size)
{
    address_space_st(address_space_io(), port, val, size, NULL);
}

uint8_t harness_inb(uint16_t port) { return io_read(port, 1); }
uint16_t harness_inw(uint16_t port) { return io_read(port, 2); }
uint32_t harness_inl(uint16_t port) { return io_read(port, 4); }
void harness_outb(uint16_t port, uint8_t val) { io_write(port, val, 1); }
void harness_outw(uint16_t port, uint16_t val) { io_write(port, val, 2); }
void harness_outl(uint16_t port, uint32_t val) { io_write(port, val, 4); }

static uint64_t mem_read(hwaddr addr, unsigned size)
{
    return address_space_ld(address_space_memory(), addr, size, NULL);
}

static void mem_write(hwaddr addr, uint64_t val, unsigned size)
{
    address_space_st(address_space_memory(), addr, val, size, NULL);
}

uint8_t harness_readb(hwaddr addr) { return mem_read(addr, 1); }
uint16_t harness_readw(hwaddr addr) { return mem_read(addr, 2); }
uint32_t harness_readl(hwaddr addr) { return mem_read(addr, 4); }
uint64_t harness_readq(hwaddr addr) { return mem_read(addr, 8); }
void harness_writeb(hwaddr addr, uint8_t val) { mem_write(addr, val, 1); }
void harness_writew(hwaddr addr, uint16_t val) { mem_write(addr, val, 2); }
void harness_writel(hwaddr addr, uint32_t val) { mem_write(addr, val, 4); }
void harness_writeq(hwaddr addr, uint64_t val) { mem_write(addr, val, 8); }

void harness_clock_step(int64_t ns)
{
    clock_virtual_advance(ns);
}

int64_t harness_clock_ns(void)
{
    return clock_get_ns(CLOCK_VIRTUAL);
}

void harness_poll(void)
{
    main_loop_iterate(0);
}

DeviceState *harness_create(const char *typename, BusState *bus, const char *const *props)
{
    harness_init();
    DeviceState *dev = qdev_new(typename);
    Error *err = NULL;
    for (int i = 0; props && props[i]; i += 2) {
        if (!qdev_prop_set(dev, props[i], props[i + 1], &err)) {
            g_error("%s.%s: %s", typename, props[i], error_get_pretty(err));
        }
    }
    if (!qdev_realize_and_unref(dev, bus, &err)) {
        g_error("%s: %s", typename, error_get_pretty(err));
    }
    return dev;
}

void harness_fuzz(bool io, hwaddr base, uint64_t len, unsigned count, uint32_t seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    for (unsigned i = 0; i < count; i++) {
        unsigned size = sizes[g_rand_int_range(rand, 0, io ? 3 : 4)];
        hwaddr addr = base + (len ? (uint64_t)g_rand_int(rand) % len : 0);
        uint64_t val = (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
        switch (g_rand_int_range(rand, 0, 8)) {
        case 0:
            harness_clock_step(g_rand_int_range(rand, 0, 10000000));
            break;
        case 1:
        case 2:
            if (io) {
                io_read(addr, size);
            } else {
                mem_read(addr, size);
            }
            break;
        default:
            if (io) {
                io_write(addr, val, size);
            } else {
                mem_write(addr, val, size);
            }
            break;
        }
    }
    g_rand_free(rand);
}

/* ---- The capture chardev --------------------------------------------------- */

typedef struct CaptureChardev {
    Chardev parent;
    HarnessCapture cap;
} CaptureChardev;

static bool capture_open(Chardev *chr, Opts *opts, Error **errp)
{
    ((CaptureChardev *)chr)->cap.out = g_string_new(NULL);
    return true;
}

static int capture_write(Chardev *chr, const uint8_t *buf, int len)
{
    HarnessCapture *c = &((CaptureChardev *)chr)->cap;
    c->calls++;
    if (c->stalled || (c->drip && (c->calls & 1))) {
        return 0;
    }
    int n = c->drip ? 1 : (c->limit && len > c->limit ? c->limit : len);
    g_string_append_len(c->out, (const char *)buf, n);
    return n;
}

static const ChardevClass capture_class = {
    .name = "harness-capture",
    .help = "device tests: output collects in a string",
    .open = capture_open,
    .write = capture_write,
    .state_size = sizeof(CaptureChardev),
};

HarnessCapture *harness_capture_chardev(const char *id, Chardev **chr_out)
{
    static bool registered;
    harness_init();
    if (!registered) {
        chardev_register(&capture_class);
        registered = true;
    }
    Error *err = NULL;
    g_autofree char *spec = g_strdup_printf("harness-capture,id=%s", id);
    Opts *opts = opts_parse(spec, "backend", &err);
    Chardev *chr = opts ? chardev_new_from_opts(opts, &err) : NULL;
    opts_free(opts);
    if (!chr) {
        g_error("capture chardev %s: %s", id, error_get_pretty(err));
    }
    if (chr_out) {
        *chr_out = chr;
    }
    return &((CaptureChardev *)chr)->cap;
}
