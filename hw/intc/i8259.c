/*
 * Intel 8259A programmable interrupt controller (8259A datasheet, order
 * 231468).  Two chips in the PC: the master at 0x20/0x21, the slave at
 * 0xA0/0xA1 cascaded into the master's IR2.
 *
 * Port A0=0 takes ICW1 (D4=1), OCW2 (D4=0, D3=0) and OCW3 (D4=0, D3=1) and
 * reads IRR or ISR; port A0=1 takes ICW2-ICW4 during initialization, OCW1
 * (the mask) after it, and reads the mask.
 */
#include "hw/intc/i8259.h"

#include <glib.h>

#include "hw/intc/ioapic.h"
#include "migration/vmstate.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "util/log.h"

/* Initialization command word 1 (written to A0=0 with D4 set). */
#define ICW1_IC4        0x01    /* ICW4 follows */
#define ICW1_SNGL       0x02    /* single chip: no ICW3 */
#define ICW1_LTIM       0x08    /* level triggered mode for all inputs */
#define ICW1_SELECT     0x10
/* ICW4 */
#define ICW4_UPM        0x01    /* 8086/8088 mode */
#define ICW4_AEOI       0x02
#define ICW4_MS         0x04    /* buffered mode: 1 = master */
#define ICW4_BUF        0x08
#define ICW4_SFNM       0x10
/* OCW3 (A0=0 with D4=0, D3=1) */
#define OCW3_RIS        0x01    /* read ISR (else IRR) when RR is set */
#define OCW3_RR         0x02
#define OCW3_P          0x04    /* poll */
#define OCW3_SELECT     0x08
#define OCW3_SMM        0x20
#define OCW3_ESMM       0x40
/* OCW2: R, SL, EOI in bits 7:5, the level in bits 2:0 */
#define OCW2_ROTATE_AEOI_CLEAR  0
#define OCW2_NONSPECIFIC_EOI    1
#define OCW2_NOP                2
#define OCW2_SPECIFIC_EOI       3
#define OCW2_ROTATE_AEOI_SET    4
#define OCW2_ROTATE_NONSPECIFIC 5
#define OCW2_SET_PRIORITY       6
#define OCW2_ROTATE_SPECIFIC    7

#define PIC_CASCADE_IRQ 2       /* the master input the PC's slave drives */
#define PIC_SPURIOUS_IRQ 7      /* the level a chip answers when the request left */
#define POLL_INTERRUPT  0x80

/* Which ICW the data port expects next. */
enum { INIT_DONE, INIT_ICW2, INIT_ICW3, INIT_ICW4 };

struct PICState {
    ISADevice parent_obj;
    MemoryRegion io;

    /* Properties */
    uint32_t iobase;
    bool master;
    uint8_t elcr_mask;

    IRQLine *in;                /* 8 inputs */
    IRQLine *int_out;           /* INT: the CPU (master) or master IR2 (slave) */
    PICState *slave;            /* master only: the chip on IR2 */
    IRQLine *isa_irqs;          /* master only: the 16 board lines of i8259_init */

    uint8_t lines;              /* current levels of IR0-7 */
    uint8_t irr;
    uint8_t imr;
    uint8_t isr;
    uint8_t priority_add;       /* the IR level with the highest priority */
    uint8_t irq_base;           /* ICW2 T7-T3 */
    uint8_t init_state;
    uint8_t icw3;               /* master: slave bitmap; slave: its ID */
    uint8_t elcr;
    bool init4;                 /* ICW1 IC4 */
    bool single_mode;
    bool ltim;
    bool upm;
    bool auto_eoi;
    bool rotate_on_auto_eoi;
    bool buffered;
    bool buffered_master;
    bool special_fully_nested;
    bool special_mask;
    bool read_isr;              /* OCW3 RR/RIS: what A0=0 reads */
    bool poll;                  /* the next read is a poll */
    bool int_level;             /* what INT is driven to */

    uint64_t irq_count[8];      /* rising edges per input, for info irq */
};

static PICState *pic_from_device(DeviceState *dev)
{
    return (PICState *)object_check(&dev->parent_obj, TYPE_I8259);
}

DeviceState *i8259_device(PICState *s)
{
    return &s->parent_obj.parent_obj;
}

static bool pic_is_level(const PICState *s, int irq)
{
    return s->ltim || (s->elcr & (1u << irq));
}

/* Priority (0 = highest) of the most urgent bit of mask, 8 if none. */
static int pic_priority(const PICState *s, uint8_t mask)
{
    for (int p = 0; p < 8; p++) {
        if (mask & (1u << ((p + s->priority_add) & 7))) {
            return p;
        }
    }
    return 8;
}

static bool pic_is_cascade(const PICState *s, int irq)
{
    return s->master && !s->single_mode && (s->icw3 & (1u << irq));
}

/* The IR level INT asks the CPU to acknowledge, or -1. */
static int pic_pending_irq(const PICState *s)
{
    int req = pic_priority(s, s->irr & ~s->imr);
    if (req == 8) {
        return -1;
    }
    /* Special mask mode: a masked level in service does not hold others off. */
    uint8_t in_service = s->special_mask ? s->isr & ~s->imr : s->isr;
    int cur = pic_priority(s, in_service);
    int irq = (req + s->priority_add) & 7;
    if (req < cur) {
        return irq;
    }
    /* Special fully nested mode: a slave may interrupt its own level again. */
    if (req == cur && s->special_fully_nested && pic_is_cascade(s, irq)) {
        return irq;
    }
    return -1;
}

static void pic_update(PICState *s)
{
    bool level = pic_pending_irq(s) >= 0;
    if (level != s->int_level) {
        s->int_level = level;
        irq_set(s->int_out, level);
    }
}

static void pic_set_input(void *opaque, int irq, int level)
{
    PICState *s = opaque;
    uint8_t mask = 1u << irq;
    bool was = s->lines & mask;

    if (level) {
        s->lines |= mask;
        if (!was) {
            s->irq_count[irq]++;
        }
        /* Edge: latched on the rising edge until acknowledged.  Level: follows. */
        if (!was || pic_is_level(s, irq)) {
            s->irr |= mask;
        }
    } else {
        s->lines &= ~mask;
        if (pic_is_level(s, irq)) {
            s->irr &= ~mask;
        }
    }
    pic_update(s);
}

/* The INTA (or poll) acknowledge of irq: ISR set unless AEOI, an edge request cleared. */
static void pic_acknowledge(PICState *s, int irq)
{
    if (s->auto_eoi) {
        if (s->rotate_on_auto_eoi) {
            s->priority_add = (irq + 1) & 7;
        }
    } else {
        s->isr |= 1u << irq;
    }
    if (!pic_is_level(s, irq)) {
        s->irr &= ~(1u << irq);
    }
    /*
     * A slave drops INT during the acknowledge, so a request still pending
     * afterwards reaches the master's edge-triggered IR2 as a new edge.
     */
    if (!s->master && s->int_level) {
        s->int_level = false;
        irq_lower(s->int_out);
    }
    pic_update(s);
}

int pic_read_irq(PICState *master)
{
    g_assert(master);
    int irq = pic_pending_irq(master);
    int vector;

    if (irq < 0) {
        /* The request went away before INTA: the default IR7, no ISR bit. */
        return master->irq_base + PIC_SPURIOUS_IRQ;
    }
    if (irq == PIC_CASCADE_IRQ && master->slave && pic_is_cascade(master, irq)) {
        PICState *slave = master->slave;
        int irq2 = pic_pending_irq(slave);
        /* The master takes IR2 into service even when the slave answers IR7. */
        pic_acknowledge(master, irq);
        if (irq2 >= 0) {
            pic_acknowledge(slave, irq2);
        } else {
            irq2 = PIC_SPURIOUS_IRQ;
        }
        vector = slave->irq_base + irq2;
    } else {
        pic_acknowledge(master, irq);
        vector = master->irq_base + irq;
    }
    return vector;
}

PICState *i8259_get_slave(PICState *master)
{
    return master->slave;
}

bool pic_get_output(PICState *master)
{
    return master->int_level;
}

/* Poll command: the read acts as an INTA and returns I and W2-W0. */
static uint8_t pic_poll_read(PICState *s)
{
    int irq = pic_pending_irq(s);
    if (irq < 0) {
        return 0;
    }
    pic_acknowledge(s, irq);
    return POLL_INTERRUPT | irq;
}

/* ICW1 resets the chip's state (datasheet, "Initialization Command Words"). */
static void pic_init_reset(PICState *s)
{
    s->imr = 0;
    s->isr = 0;
    /* The edge sense circuit is reset: edges need a new rising edge. */
    s->irr = 0;
    for (int irq = 0; irq < 8; irq++) {
        if (pic_is_level(s, irq)) {
            s->irr |= s->lines & (1u << irq);
        }
    }
    s->priority_add = 0;
    s->special_mask = false;
    s->read_isr = false;
    s->poll = false;
    s->rotate_on_auto_eoi = false;
    /* Without ICW4 its functions read as zero. */
    s->upm = false;
    s->auto_eoi = false;
    s->buffered = false;
    s->buffered_master = false;
    s->special_fully_nested = false;
}

static void pic_write_icw1(PICState *s, uint8_t val)
{
    s->init4 = val & ICW1_IC4;
    s->single_mode = val & ICW1_SNGL;
    s->ltim = val & ICW1_LTIM;
    pic_init_reset(s);
    s->init_state = INIT_ICW2;
}

static void pic_eoi(PICState *s, int irq, bool rotate)
{
    s->isr &= ~(1u << irq);
    if (rotate) {
        s->priority_add = (irq + 1) & 7;
    }
}

static void pic_write_ocw2(PICState *s, uint8_t val)
{
    int level = val & 7;
    int prio;

    switch (val >> 5) {
    case OCW2_ROTATE_AEOI_CLEAR:
        s->rotate_on_auto_eoi = false;
        break;
    case OCW2_ROTATE_AEOI_SET:
        s->rotate_on_auto_eoi = true;
        break;
    case OCW2_NONSPECIFIC_EOI:
    case OCW2_ROTATE_NONSPECIFIC:
        prio = pic_priority(s, s->isr);
        if (prio < 8) {
            pic_eoi(s, (prio + s->priority_add) & 7, (val >> 5) == OCW2_ROTATE_NONSPECIFIC);
        }
        break;
    case OCW2_SPECIFIC_EOI:
        pic_eoi(s, level, false);
        break;
    case OCW2_ROTATE_SPECIFIC:
        pic_eoi(s, level, true);
        break;
    case OCW2_SET_PRIORITY:
        /* The level written becomes the lowest priority. */
        s->priority_add = (level + 1) & 7;
        break;
    case OCW2_NOP:
        break;
    }
}

static void pic_write_ocw3(PICState *s, uint8_t val)
{
    if (val & OCW3_P) {
        s->poll = true;
    }
    if (val & OCW3_RR) {
        s->read_isr = val & OCW3_RIS;
    }
    if (val & OCW3_ESMM) {
        s->special_mask = val & OCW3_SMM;
    }
}

static void pic_write_data(PICState *s, uint8_t val)
{
    switch (s->init_state) {
    case INIT_ICW2:
        s->irq_base = val & 0xf8;
        s->init_state = !s->single_mode ? INIT_ICW3 : s->init4 ? INIT_ICW4 : INIT_DONE;
        break;
    case INIT_ICW3:
        s->icw3 = val;
        s->init_state = s->init4 ? INIT_ICW4 : INIT_DONE;
        break;
    case INIT_ICW4:
        s->upm = val & ICW4_UPM;
        s->auto_eoi = val & ICW4_AEOI;
        s->buffered_master = val & ICW4_MS;
        s->buffered = val & ICW4_BUF;
        s->special_fully_nested = val & ICW4_SFNM;
        s->init_state = INIT_DONE;
        break;
    default:
        s->imr = val;       /* OCW1 */
        break;
    }
}

static void pic_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;
    uint8_t v = val;

    if (addr == 0) {
        if (v & ICW1_SELECT) {
            pic_write_icw1(s, v);
        } else if (v & OCW3_SELECT) {
            if (v & 0x80) {
                log_mask(LOG_GUEST_ERROR, "i8259: OCW3 with D7 set: 0x%02x\n", v);
            }
            pic_write_ocw3(s, v);
        } else {
            pic_write_ocw2(s, v);
        }
    } else {
        pic_write_data(s, v);
    }
    pic_update(s);
}

static uint64_t pic_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;

    /* The poll command takes the next RD pulse, whatever A0 is. */
    if (s->poll) {
        s->poll = false;
        return pic_poll_read(s);
    }
    if (addr == 0) {
        return s->read_isr ? s->isr : s->irr;
    }
    return s->imr;
}

static const MemoryRegionOps pic_io_ops = {
    .read = pic_io_read,
    .write = pic_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

void i8259_set_elcr(PICState *s, uint8_t elcr)
{
    uint8_t now_level = elcr & s->elcr_mask & ~s->elcr;
    s->elcr = elcr & s->elcr_mask;
    /* A pin switched to level mode reports its line at once. */
    s->irr = (s->irr & ~now_level) | (s->lines & now_level);
    pic_update(s);
}

uint8_t i8259_get_elcr(PICState *s)
{
    return s->elcr;
}

void i8259_set_output(PICState *s, IRQLine *int_out)
{
    s->int_out = int_out;
    irq_set(s->int_out, s->int_level);
}

/* ISA IRQ n of the board: 0-7 on the master, 8-15 on the slave. */
static void i8259_isa_irq(void *opaque, int n, int level)
{
    PICState *master = opaque;

    if (n == PIC_CASCADE_IRQ) {
        /* The PC/AT bus routes its IRQ2 pin to IRQ9: master IR2 is the slave's. */
        n = 9;
    }
    if (n < 8) {
        pic_set_input(master, n, level);
    } else if (master->slave) {
        pic_set_input(master->slave, n - 8, level);
    }
}

IRQLine *i8259_init(ISABus *bus, IRQLine *parent_irq, PICState **master_out)
{
    static const char *const master_props[] = {
        "iobase", "0x20", "master", "on", "elcr_mask", "0xf8", NULL,
    };
    static const char *const slave_props[] = {
        "iobase", "0xa0", "master", "off", "elcr_mask", "0xde", NULL,
    };
    PICState *chips[2];
    Error *err = NULL;

    for (int i = 0; i < 2; i++) {
        const char *const *props = i == 0 ? master_props : slave_props;
        DeviceState *dev = qdev_new(TYPE_I8259);
        for (int k = 0; props[k]; k += 2) {
            if (!qdev_prop_set(dev, props[k], props[k + 1], &err)) {
                g_error("i8259: %s", error_get_pretty(err));
            }
        }
        if (!qdev_realize_and_unref(dev, &bus->parent_obj, &err)) {
            g_error("i8259: %s", error_get_pretty(err));
        }
        chips[i] = pic_from_device(dev);
    }
    PICState *master = chips[0], *slave = chips[1];
    master->slave = slave;
    i8259_set_output(slave, &master->in[PIC_CASCADE_IRQ]);
    i8259_set_output(master, parent_irq);
    master->isa_irqs = irq_new_array(i8259_isa_irq, master, ISA_NUM_IRQS);
    if (master_out) {
        *master_out = master;
    }
    return master->isa_irqs;
}

/* ---- Device ----------------------------------------------------------------- */

static void pic_reset(DeviceState *dev)
{
    PICState *s = pic_from_device(dev);

    /* Power-on: as after an ICW1 without ICW4; the ELCR is the PIIX3's. */
    s->init4 = false;
    s->single_mode = false;
    s->ltim = false;
    pic_init_reset(s);
    s->irq_base = 0;
    s->icw3 = 0;
    s->init_state = INIT_DONE;
    pic_update(s);
}

static bool pic_realize(DeviceState *dev, Error **errp)
{
    PICState *s = pic_from_device(dev);

    if (s->iobase > 0xfffe) {
        error_setg(errp, "i8259: iobase 0x%x is out of the I/O space", s->iobase);
        return false;
    }
    s->in = irq_new_array(pic_set_input, s, 8);
    memory_region_init_io(&s->io, &dev->parent_obj, &pic_io_ops, s, "pic", 2);
    isa_register_ioport(&s->parent_obj, &s->io, s->iobase);
    return true;
}

static void pic_unrealize(DeviceState *dev)
{
    PICState *s = pic_from_device(dev);
    memory_region_finalize(&s->io);
}

static void pic_instance_finalize(Object *obj)
{
    PICState *s = pic_from_device(DEVICE(obj));
    irq_free_array(s->in);
    irq_free_array(s->isa_irqs);
}

static int pic_post_load(void *opaque, int version_id)
{
    PICState *s = opaque;

    /* Nothing from the stream is trusted: fold it back into range. */
    s->priority_add &= 7;
    s->irq_base &= 0xf8;
    s->elcr &= s->elcr_mask;
    if (s->init_state > INIT_ICW4) {
        s->init_state = INIT_DONE;
    }
    s->int_level = pic_pending_irq(s) >= 0;
    irq_set(s->int_out, s->int_level);
    return 0;
}

static const VMStateField pic_vmstate_fields[] = {
    VMS_FIELD(PICState, lines, VMS_U8),
    VMS_FIELD(PICState, irr, VMS_U8),
    VMS_FIELD(PICState, imr, VMS_U8),
    VMS_FIELD(PICState, isr, VMS_U8),
    VMS_FIELD(PICState, priority_add, VMS_U8),
    VMS_FIELD(PICState, irq_base, VMS_U8),
    VMS_FIELD(PICState, init_state, VMS_U8),
    VMS_FIELD(PICState, icw3, VMS_U8),
    VMS_FIELD(PICState, elcr, VMS_U8),
    VMS_FIELD(PICState, init4, VMS_BOOL),
    VMS_FIELD(PICState, single_mode, VMS_BOOL),
    VMS_FIELD(PICState, ltim, VMS_BOOL),
    VMS_FIELD(PICState, upm, VMS_BOOL),
    VMS_FIELD(PICState, auto_eoi, VMS_BOOL),
    VMS_FIELD(PICState, rotate_on_auto_eoi, VMS_BOOL),
    VMS_FIELD(PICState, buffered, VMS_BOOL),
    VMS_FIELD(PICState, buffered_master, VMS_BOOL),
    VMS_FIELD(PICState, special_fully_nested, VMS_BOOL),
    VMS_FIELD(PICState, special_mask, VMS_BOOL),
    VMS_FIELD(PICState, read_isr, VMS_BOOL),
    VMS_FIELD(PICState, poll, VMS_BOOL),
    VMS_END,
};

static const VMStateDescription pic_vmstate = {
    .name = "i8259",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = pic_vmstate_fields,
    .post_load = pic_post_load,
};

static const Property pic_props[] = {
    PROP_UINT32("iobase", PICState, iobase, 0x20),
    PROP_BOOL("master", PICState, master, false),
    PROP_UINT8("elcr_mask", PICState, elcr_mask, 0xff),
    PROP_END,
};

static void pic_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = pic_realize;
    dc->unrealize = pic_unrealize;
    dc->reset = pic_reset;
    dc->vmsd = &pic_vmstate;
    dc->category = "Misc";
    object_class_set_props(oc, pic_props);
}

static const TypeInfo pic_type = {
    .name = TYPE_I8259,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PICState),
    .desc = "Intel 8259A interrupt controller",
    .class_init = pic_class_init,
    .instance_finalize = pic_instance_finalize,
};

void i8259_register_types(void)
{
    type_register(&pic_type);
}

/* ---- Monitor ---------------------------------------------------------------- */

static void pic_foreach_print(DeviceState *dev, void *opaque)
{
    GString *out = opaque;
    PICState *s;

    if (!object_dynamic_cast(&dev->parent_obj, TYPE_I8259)) {
        return;
    }
    s = pic_from_device(dev);
    g_string_append_printf(out, "pic%d: irr=%02x imr=%02x isr=%02x hprio=%d irq_base=%02x "
                           "rr_sel=%d elcr=%02x fnm=%d\n",
                           s->master ? 0 : 1, s->irr, s->imr, s->isr, s->priority_add,
                           s->irq_base, s->read_isr, s->elcr, s->special_fully_nested);
}

static void pic_foreach_stats(DeviceState *dev, void *opaque)
{
    GString *out = opaque;
    PICState *s;

    if (!object_dynamic_cast(&dev->parent_obj, TYPE_I8259)) {
        return;
    }
    s = pic_from_device(dev);
    g_string_append_printf(out, "IRQ statistics for %s:\n", TYPE_I8259);
    for (int i = 0; i < 8; i++) {
        if (s->irq_count[i]) {
            g_string_append_printf(out, "%2d: %" G_GUINT64_FORMAT "\n", i, s->irq_count[i]);
        }
    }
}

/* info pic: both 8259s, then the IOAPIC, as QEMU prints every interrupt controller. */
void hmp_info_pic(Monitor *mon, const HmpArgs *args)
{
    GString *out = g_string_new(NULL);
    qdev_foreach(pic_foreach_print, out);
    ioapic_print_info(out);
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}

void hmp_info_irq(Monitor *mon, const HmpArgs *args)
{
    GString *out = g_string_new(NULL);
    qdev_foreach(pic_foreach_stats, out);
    ioapic_print_irq_stats(out);
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}
