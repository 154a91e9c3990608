/*
 * I/O APIC (82093AA datasheet, order 290566; version 0x20 adds the EOI
 * register of the ICH I/O APIC).  Two memory-mapped registers select and
 * access the internal ones: IOREGSEL at 0x00, IOWIN at 0x10, both 32-bit.
 */
#include "hw/intc/ioapic.h"

#include "migration/vmstate.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "util/log.h"

/* Memory-mapped registers (offsets in the 4 KiB window). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10
#define IOAPIC_EOI      0x40    /* version 0x20 only */

/* Registers behind IOWIN. */
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10    /* two per pin: low dword, high dword */

#define IOAPIC_ID_SHIFT     24
#define IOAPIC_ID_MASK      0x0f
#define IOAPIC_VER_MAX_REDIR_SHIFT 16

/* Redirection table entry. */
#define RTE_VECTOR          0xffULL
#define RTE_DELMOD_SHIFT    8
#define RTE_DELMOD          (7ULL << RTE_DELMOD_SHIFT)
#define RTE_DESTMOD         (1ULL << 11)    /* 1 = logical */
#define RTE_DELIVS          (1ULL << 12)    /* RO: delivery status */
#define RTE_POLARITY        (1ULL << 13)    /* 1 = active low */
#define RTE_REMOTE_IRR      (1ULL << 14)    /* RO */
#define RTE_TRIGGER         (1ULL << 15)    /* 1 = level */
#define RTE_MASKED          (1ULL << 16)
#define RTE_EDID            (0xffULL << 48) /* version 0x20: extended destination */
#define RTE_DEST_SHIFT      56
#define RTE_DEST            (0xffULL << RTE_DEST_SHIFT)
#define RTE_WRITABLE        (RTE_VECTOR | RTE_DELMOD | RTE_DESTMOD | RTE_POLARITY | \
                             RTE_TRIGGER | RTE_MASKED | RTE_DEST)

/* A callback that EOIs from inside a delivery could loop forever: stop there. */
#define IOAPIC_MAX_SERVICE_PASSES 64

struct IOAPICState {
    DeviceState parent_obj;
    MemoryRegion mmio;

    /* Properties */
    uint64_t base;
    uint8_t version;

    IRQLine *in;
    IOAPICDeliverFunc *deliver;
    void *deliver_opaque;
    bool servicing;
    bool service_again;

    uint8_t id;
    uint8_t arb_id;
    uint8_t ioregsel;
    uint32_t lines;             /* input levels as driven, before polarity */
    uint64_t redtbl[IOAPIC_NUM_PINS];

    uint64_t irq_count[IOAPIC_NUM_PINS];    /* assertions, for info irq */
    uint64_t delivered[IOAPIC_NUM_PINS];
};

IOAPICState *ioapic_from_device(DeviceState *dev)
{
    return (IOAPICState *)object_check(&dev->parent_obj, TYPE_IOAPIC);
}

IRQLine *ioapic_get_inputs(IOAPICState *s)
{
    return s->in;
}

uint64_t ioapic_get_delivery_count(IOAPICState *s, unsigned pin)
{
    return pin < IOAPIC_NUM_PINS ? s->delivered[pin] : 0;
}

void ioapic_set_delivery(IOAPICState *s, IOAPICDeliverFunc *fn, void *opaque)
{
    s->deliver = fn;
    s->deliver_opaque = opaque;
}

static uint64_t ioapic_writable(const IOAPICState *s)
{
    return s->version >= 0x20 ? RTE_WRITABLE | RTE_EDID : RTE_WRITABLE;
}

static unsigned rte_delivery_mode(uint64_t entry)
{
    return (entry & RTE_DELMOD) >> RTE_DELMOD_SHIFT;
}

/*
 * Level semantics (remote IRR, re-delivery) apply to fixed and lowest
 * priority only: SMI, NMI, INIT and ExtINT are always edge (datasheet 3.2.4).
 */
static bool rte_is_level(uint64_t entry)
{
    unsigned dm = rte_delivery_mode(entry);
    return (entry & RTE_TRIGGER) && (dm == IOAPIC_DM_FIXED || dm == IOAPIC_DM_LOWEST);
}

static bool ioapic_pin_asserted(const IOAPICState *s, int pin)
{
    bool high = s->lines & (1u << pin);
    return (s->redtbl[pin] & RTE_POLARITY) ? !high : high;
}

static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t entry = s->redtbl[pin];
    unsigned dm = rte_delivery_mode(entry);
    IOAPICMessage msg = {
        .dest = entry >> RTE_DEST_SHIFT,
        .dest_mode = (entry & RTE_DESTMOD) != 0,
        .delivery_mode = dm,
        .vector = entry & RTE_VECTOR,
        .trigger_mode = rte_is_level(entry),
        .pin = pin,
    };

    if (dm == 3 || dm == 6) {
        log_mask(LOG_GUEST_ERROR, "ioapic: pin %d has reserved delivery mode %u\n", pin, dm);
        return;
    }
    s->delivered[pin]++;
    if (s->deliver) {
        s->deliver(s->deliver_opaque, &msg);
    }
}

/* Deliver every asserted, unmasked level pin whose remote IRR is clear. */
static void ioapic_service(IOAPICState *s)
{
    if (s->servicing) {
        s->service_again = true;    /* an EOI from inside a delivery */
        return;
    }
    s->servicing = true;
    for (int pass = 0; pass < IOAPIC_MAX_SERVICE_PASSES; pass++) {
        s->service_again = false;
        for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
            uint64_t entry = s->redtbl[pin];
            if (rte_is_level(entry) && !(entry & (RTE_MASKED | RTE_REMOTE_IRR)) &&
                ioapic_pin_asserted(s, pin)) {
                s->redtbl[pin] |= RTE_REMOTE_IRR;
                ioapic_send(s, pin);
            }
        }
        if (!s->service_again) {
            break;
        }
    }
    s->servicing = false;
}

static void ioapic_set_input(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    bool was = ioapic_pin_asserted(s, pin);
    bool now;

    if (level) {
        s->lines |= 1u << pin;
    } else {
        s->lines &= ~(1u << pin);
    }
    now = ioapic_pin_asserted(s, pin);
    if (was == now) {
        return;
    }
    if (now) {
        s->irq_count[pin]++;
    }
    if (rte_is_level(s->redtbl[pin])) {
        ioapic_service(s);
    } else if (now && !(s->redtbl[pin] & RTE_MASKED)) {
        /* Edge: one message per assertion; a masked edge is lost, not held. */
        ioapic_send(s, pin);
    }
}

void ioapic_eoi_broadcast(IOAPICState *s, int vector)
{
    bool cleared = false;

    if (vector < 0 || vector > 0xff) {
        return;
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t entry = s->redtbl[pin];
        if ((entry & RTE_REMOTE_IRR) && (entry & RTE_VECTOR) == (uint64_t)vector) {
            s->redtbl[pin] &= ~RTE_REMOTE_IRR;
            cleared = true;
        }
    }
    if (cleared) {
        ioapic_service(s);
    }
}

static uint32_t ioapic_reg_read(IOAPICState *s)
{
    uint8_t sel = s->ioregsel;

    switch (sel) {
    case IOAPIC_REG_ID:
        return (uint32_t)s->id << IOAPIC_ID_SHIFT;
    case IOAPIC_REG_VER:
        return s->version | (IOAPIC_NUM_PINS - 1) << IOAPIC_VER_MAX_REDIR_SHIFT;
    case IOAPIC_REG_ARB:
        return (uint32_t)s->arb_id << IOAPIC_ID_SHIFT;
    default:
        if (sel >= IOAPIC_REG_REDTBL && sel < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            uint64_t entry = s->redtbl[(sel - IOAPIC_REG_REDTBL) >> 1];
            return (sel & 1) ? entry >> 32 : (uint32_t)entry;
        }
        return 0;   /* no register there */
    }
}

static void ioapic_redtbl_write(IOAPICState *s, int pin, bool high, uint32_t val)
{
    uint64_t half = high ? 0xffffffff00000000ULL : 0x00000000ffffffffULL;
    uint64_t writable = ioapic_writable(s) & half;
    uint64_t v = high ? (uint64_t)val << 32 : val;
    uint64_t entry = (s->redtbl[pin] & ~writable) | (v & writable);

    /* Switching to edge clears remote IRR (Linux relies on it to unstick a pin). */
    if (!(entry & RTE_TRIGGER)) {
        entry &= ~RTE_REMOTE_IRR;
    }
    s->redtbl[pin] = entry;
    ioapic_service(s);      /* an unmasked, asserted level pin fires now */
}

static void ioapic_reg_write(IOAPICState *s, uint32_t val)
{
    uint8_t sel = s->ioregsel;

    switch (sel) {
    case IOAPIC_REG_ID:
        /* The arbitration ID is loaded with the same value. */
        s->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
        s->arb_id = s->id;
        break;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        break;      /* read-only */
    default:
        if (sel >= IOAPIC_REG_REDTBL && sel < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            ioapic_redtbl_write(s, (sel - IOAPIC_REG_REDTBL) >> 1, sel & 1, val);
        } else {
            log_mask(LOG_GUEST_ERROR, "ioapic: write to missing register 0x%02x\n", sel);
        }
        break;
    }
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case IOAPIC_IOREGSEL:
        return s->ioregsel;
    case IOAPIC_IOWIN:
        return ioapic_reg_read(s);
    default:
        return 0;   /* the EOI register is write-only */
    }
}

static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val & 0xff;       /* bits 31:8 reserved */
        break;
    case IOAPIC_IOWIN:
        ioapic_reg_write(s, val);
        break;
    case IOAPIC_EOI:
        if (s->version >= 0x20) {
            ioapic_eoi_broadcast(s, val & 0xff);
        }
        break;
    default:
        break;
    }
}

/* Datasheet 3.1: IOREGSEL and IOWIN are accessed as dwords only. */
static const MemoryRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* ---- Device ----------------------------------------------------------------- */

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = ioapic_from_device(dev);

    s->id = 0;
    s->arb_id = 0;
    s->ioregsel = 0;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->redtbl[pin] = RTE_MASKED;
    }
}

static bool ioapic_realize(DeviceState *dev, Error **errp)
{
    IOAPICState *s = ioapic_from_device(dev);

    if (s->version != 0x11 && s->version != 0x20) {
        error_setg(errp, "ioapic: version 0x%x is not supported (0x11 or 0x20)", s->version);
        return false;
    }
    if (s->base & (IOAPIC_MMIO_SIZE - 1)) {
        error_setg(errp, "ioapic: base 0x%" PRIx64 " is not 4 KiB aligned", s->base);
        return false;
    }
    s->in = irq_new_array(ioapic_set_input, s, IOAPIC_NUM_PINS);
    memory_region_init_io(&s->mmio, &dev->parent_obj, &ioapic_mmio_ops, s, "ioapic",
                          IOAPIC_MMIO_SIZE);
    memory_region_add_subregion(get_system_memory(), s->base, &s->mmio);
    return true;
}

static void ioapic_unrealize(DeviceState *dev)
{
    IOAPICState *s = ioapic_from_device(dev);
    memory_region_finalize(&s->mmio);
}

static void ioapic_instance_finalize(Object *obj)
{
    IOAPICState *s = ioapic_from_device(DEVICE(obj));
    irq_free_array(s->in);
}

IOAPICState *ioapic_init(Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;
    }
    return ioapic_from_device(dev);
}

static int ioapic_post_load(void *opaque, int version_id)
{
    IOAPICState *s = opaque;

    s->id &= IOAPIC_ID_MASK;
    s->arb_id &= IOAPIC_ID_MASK;
    s->lines &= (1u << IOAPIC_NUM_PINS) - 1;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->redtbl[pin] &= ioapic_writable(s) | RTE_REMOTE_IRR;
    }
    return 0;
}

static const VMStateField ioapic_vmstate_fields[] = {
    VMS_FIELD(IOAPICState, id, VMS_U8),
    VMS_FIELD(IOAPICState, arb_id, VMS_U8),
    VMS_FIELD(IOAPICState, ioregsel, VMS_U8),
    VMS_FIELD(IOAPICState, lines, VMS_U32),
    VMS_ARRAY(IOAPICState, redtbl, VMS_U64, IOAPIC_NUM_PINS),
    VMS_END,
};

static const VMStateDescription ioapic_vmstate = {
    .name = "ioapic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ioapic_vmstate_fields,
    .post_load = ioapic_post_load,
};

static const Property ioapic_props[] = {
    PROP_UINT8("version", IOAPICState, version, 0x20),
    PROP_UINT64("base", IOAPICState, base, IOAPIC_DEFAULT_BASE),
    PROP_END,
};

static void ioapic_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = ioapic_realize;
    dc->unrealize = ioapic_unrealize;
    dc->reset = ioapic_reset;
    dc->vmsd = &ioapic_vmstate;
    dc->category = "Misc";
    object_class_set_props(oc, ioapic_props);
}

static const TypeInfo ioapic_type = {
    .name = TYPE_IOAPIC,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(IOAPICState),
    .desc = "I/O APIC",
    .class_init = ioapic_class_init,
    .instance_finalize = ioapic_instance_finalize,
};

void ioapic_register_types(void)
{
    type_register(&ioapic_type);
}

/* ---- Monitor ---------------------------------------------------------------- */

static void ioapic_print_bitmap(GString *out, const char *name, uint32_t bitmap)
{
    g_string_append_printf(out, "%-10s ", name);
    if (!bitmap) {
        g_string_append(out, "(none)\n");
        return;
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        if (bitmap & (1u << pin)) {
            g_string_append_printf(out, "%-2d ", pin);
        }
    }
    g_string_append_c(out, '\n');
}

static void ioapic_print_one(GString *out, IOAPICState *s, int index)
{
    static const char *const dm_names[8] = {
        "fixed", "lowest", "SMI", "...", "NMI", "INIT", "...", "extINT",
    };
    uint32_t irr = 0, remote_irr = 0;

    g_string_append_printf(out, "ioapic%d: ver=0x%x id=0x%02x sel=0x%02x", index,
                           s->version, s->id, s->ioregsel);
    if (s->ioregsel >= IOAPIC_REG_REDTBL &&
        s->ioregsel < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        g_string_append_printf(out, " (redir[%d])", (s->ioregsel - IOAPIC_REG_REDTBL) >> 1);
    }
    g_string_append_c(out, '\n');
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->redtbl[pin];
        bool logical = e & RTE_DESTMOD;
        g_string_append_printf(out, "  pin %-2d 0x%016" PRIx64 " dest=%" PRIx64
                               " vec=%-3u %s %-5s %-6s %-6s %s\n",
                               pin, e, (e >> RTE_DEST_SHIFT) & (logical ? 0xff : 0xf),
                               (unsigned)(e & RTE_VECTOR),
                               (e & RTE_POLARITY) ? "active-lo" : "active-hi",
                               (e & RTE_TRIGGER) ? "level" : "edge",
                               (e & RTE_MASKED) ? "masked" : "",
                               dm_names[rte_delivery_mode(e)],
                               logical ? "logical" : "physical");
        if (rte_is_level(e) && ioapic_pin_asserted(s, pin)) {
            irr |= 1u << pin;
        }
        if ((e & RTE_TRIGGER) && (e & RTE_REMOTE_IRR)) {
            remote_irr |= 1u << pin;
        }
    }
    ioapic_print_bitmap(out, "  IRR", irr);
    ioapic_print_bitmap(out, "  Remote IRR", remote_irr);
}

typedef struct IOAPICPrint {
    GString *out;
    int index;
    bool stats;
} IOAPICPrint;

static void ioapic_foreach_print(DeviceState *dev, void *opaque)
{
    IOAPICPrint *p = opaque;
    IOAPICState *s;

    if (!object_dynamic_cast(&dev->parent_obj, TYPE_IOAPIC)) {
        return;
    }
    s = ioapic_from_device(dev);
    if (!p->stats) {
        ioapic_print_one(p->out, s, p->index++);
        return;
    }
    g_string_append_printf(p->out, "IRQ statistics for %s:\n", TYPE_IOAPIC);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        if (s->irq_count[pin]) {
            g_string_append_printf(p->out, "%2d: %" G_GUINT64_FORMAT "\n", pin,
                                   s->irq_count[pin]);
        }
    }
}

void ioapic_print_info(GString *out)
{
    IOAPICPrint p = { .out = out };
    qdev_foreach(ioapic_foreach_print, &p);
}

void ioapic_print_irq_stats(GString *out)
{
    IOAPICPrint p = { .out = out, .stats = true };
    qdev_foreach(ioapic_foreach_print, &p);
}

void hmp_info_ioapic(Monitor *mon, const HmpArgs *args)
{
    GString *out = g_string_new(NULL);
    ioapic_print_info(out);
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}
