/*
 * Intel 8254 programmable interval timer: the device.  Ports 0x40-0x42 are
 * the counters, 0x43 takes control words, latch and read-back commands.
 * Counter 0 arms a CLOCK_VIRTUAL timer at its next OUT transition and drives
 * IRQ 0 with OUT, so the PIC sees a rising edge when OUT rises.  The
 * counters themselves are in i8254-counter.c.
 *
 * References are to the Intel 82C54 datasheet (order number 231244).
 */
#include "hw/timer/i8254.h"

#include "hw/timer/i8254-counter.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "util/log.h"

#define PIT_IOBASE 0x40
#define PIT_IO_SIZE 4
#define PIT_PORT_CONTROL 3

/* Read-back command */
#define PIT_RB_NOT_COUNT 0x20       /* 0: latch the count */
#define PIT_RB_NOT_STATUS 0x10      /* 0: latch the status */
#define PIT_RB_CNT0 0x02            /* CNT0; CNT1 and CNT2 follow */
#define PIT_RB_RESERVED 0x01

struct PITState {
    ISADevice parent_obj;
    MemoryRegion io;
    uint16_t iobase;
    IRQLine *irq;
    PITChannel ch[PIT_NUM_CHANNELS];
    bool enabled;           /* counter 0's OUT drives IRQ 0 */
    bool irq_level;
    int64_t irq_next_ns;    /* when irq_timer fires: an OUT0 transition */
    Timer *irq_timer;
};

static int64_t pit_now_tick(void)
{
    return pit_ns_to_tick(clock_get_ns(CLOCK_VIRTUAL));
}

/* ---- IRQ 0 ---------------------------------------------------------------- */

static void pit_irq_drive(PITState *s, bool level)
{
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Put IRQ 0 at OUT0's level in tick t and arm the timer for the next change. */
static void pit_irq_sync(PITState *s, int64_t t)
{
    if (!s->enabled) {
        timer_del(s->irq_timer);
        return;
    }
    pit_irq_drive(s, pit_channel_out(&s->ch[0], t));
    int64_t next = pit_channel_next_transition(&s->ch[0], t);
    if (next < 0) {
        timer_del(s->irq_timer);
        return;
    }
    s->irq_next_ns = pit_tick_to_ns(next);
    timer_mod(s->irq_timer, s->irq_next_ns);
}

/* Evaluated at the transition's own tick, so a late timer loses no edge. */
static void pit_irq_timer_cb(void *opaque)
{
    PITState *s = opaque;
    pit_irq_sync(s, pit_ns_to_tick(s->irq_next_ns));
}

/* Deliver transitions that are due but whose timer has not run yet. */
static void pit_irq_catch_up(PITState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    while (timer_pending(s->irq_timer) && timer_expire_time(s->irq_timer) <= now) {
        timer_del(s->irq_timer);
        pit_irq_timer_cb(s);
    }
}

/* ---- Ports ----------------------------------------------------------------- */

static void pit_read_back(PITState *s, int64_t t, uint8_t val)
{
    if (val & PIT_RB_RESERVED) {
        log_mask(LOG_GUEST_ERROR, "i8254: read-back command 0x%02x has bit 0 set\n", val);
    }
    for (int i = 0; i < PIT_NUM_CHANNELS; i++) {
        if (!(val & (PIT_RB_CNT0 << i))) {
            continue;
        }
        if (!(val & PIT_RB_NOT_COUNT)) {
            pit_channel_latch_count(&s->ch[i], t);
        }
        if (!(val & PIT_RB_NOT_STATUS)) {
            pit_channel_latch_status(&s->ch[i], t);
        }
    }
}

static uint64_t pit_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;

    if (addr >= PIT_PORT_CONTROL) {
        return 0xff;    /* the control word register is write-only */
    }
    return pit_channel_read(&s->ch[addr], pit_now_tick());
}

static void pit_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PITState *s = opaque;
    int64_t t = pit_now_tick();

    if (addr > PIT_PORT_CONTROL) {
        return;
    }
    pit_irq_catch_up(s);
    if (addr < PIT_PORT_CONTROL) {
        pit_channel_write(&s->ch[addr], t, val);
    } else {
        unsigned sc = (val >> PIT_CW_SC_SHIFT) & 3;
        if (sc == PIT_CW_SC_READ_BACK) {
            pit_read_back(s, t, val);
            return;
        }
        if (((val >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK) == PIT_RW_LATCH) {
            pit_channel_latch_count(&s->ch[sc], t);
            return;
        }
        pit_channel_control(&s->ch[sc], t, val);
        addr = sc;
    }
    if (addr == 0) {
        pit_irq_sync(s, t);
    }
}

static const MemoryRegionOps pit_io_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    /* Wider accesses reach the neighbouring ports one byte at a time, as on ISA. */
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- API for the board and other devices ------------------------------------ */

int pit_get_out(PITState *s, int channel)
{
    if (channel < 0 || channel >= PIT_NUM_CHANNELS) {
        return 0;
    }
    return pit_channel_out(&s->ch[channel], pit_now_tick());
}

void pit_set_gate(PITState *s, int channel, int level)
{
    if (channel < 0 || channel >= PIT_NUM_CHANNELS) {
        return;
    }
    if (channel == 0) {
        pit_irq_catch_up(s);
    }
    int64_t t = pit_now_tick();
    pit_channel_set_gate(&s->ch[channel], t, level != 0);
    if (channel == 0) {
        pit_irq_sync(s, t);
    }
}

int pit_get_gate(PITState *s, int channel)
{
    if (channel < 0 || channel >= PIT_NUM_CHANNELS) {
        return 0;
    }
    return s->ch[channel].gate;
}

void pit_set_enabled(PITState *s, bool enabled)
{
    if (enabled == s->enabled) {
        return;
    }
    if (!enabled) {
        pit_irq_catch_up(s);
        timer_del(s->irq_timer);
        pit_irq_drive(s, false);    /* hand IRQ 0 over quiet */
        s->enabled = false;
        return;
    }
    s->enabled = true;
    pit_irq_sync(s, pit_now_tick());
}

PITState *pit_init(ISABus *bus, Error **errp)
{
    ISADevice *dev = isa_create_simple(bus, TYPE_PIT, errp);
    return dev ? PIT(&dev->parent_obj) : NULL;
}

/* ---- Device ---------------------------------------------------------------- */

static void pit_reset(DeviceState *dev)
{
    PITState *s = PIT(dev);
    int64_t t = pit_now_tick();

    /*
     * Power-on contents are undefined; like the PC BIOS leaves it, every
     * counter is in mode 3 with count 0 (18.2 Hz on IRQ 0).  GATE 2 is low
     * (port 0x61 resets to 0), so counter 2 waits.
     */
    for (int i = 0; i < PIT_NUM_CHANNELS; i++) {
        pit_channel_reset(&s->ch[i], t, i != 2);
    }
    timer_del(s->irq_timer);
    if (s->enabled) {
        s->irq_level = false;
        irq_lower(s->irq);
        pit_irq_sync(s, t);
    }
}

static bool pit_realize(DeviceState *dev, Error **errp)
{
    PITState *s = PIT(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    if (s->iobase > 0x10000 - PIT_IO_SIZE) {
        error_setg(errp, "isa-pit: iobase 0x%x leaves no room for 4 ports", s->iobase);
        return false;
    }
    s->irq = isa_get_irq(isa, 0);
    s->enabled = true;
    s->irq_timer = timer_new(CLOCK_VIRTUAL, pit_irq_timer_cb, s);
    memory_region_init_io(&s->io, &dev->parent_obj, &pit_io_ops, s, "pit", PIT_IO_SIZE);
    isa_register_ioport(isa, &s->io, s->iobase);
    return true;
}

static void pit_unrealize(DeviceState *dev)
{
    PITState *s = PIT(dev);

    memory_region_del_subregion(isa_device_bus(ISA_DEVICE(dev))->io, &s->io);
    memory_region_finalize(&s->io);
    timer_free(s->irq_timer);
    s->irq_timer = NULL;
}

/* A stream is trusted no further than the table. */
static int pit_post_load(void *opaque, int version_id)
{
    PITState *s = opaque;
    for (int i = 0; i < PIT_NUM_CHANNELS; i++) {
        pit_channel_sanitize(&s->ch[i]);
    }
    return 0;
}

static const VMStateField pit_fields[] = {
    VMS_STRUCT_ARRAY(PITState, ch, PIT_NUM_CHANNELS, PITChannel, &pit_channel_vmsd),
    VMS_FIELD(PITState, enabled, VMS_BOOL),
    VMS_FIELD(PITState, irq_level, VMS_BOOL),
    VMS_FIELD(PITState, irq_next_ns, VMS_I64),
    VMS_FIELD(PITState, irq_timer, VMS_TIMER),
    VMS_END,
};

static const VMStateDescription pit_vmsd = {
    .name = "i8254", .version_id = 1, .minimum_version_id = 1,
    .fields = pit_fields, .post_load = pit_post_load,
};

static const Property pit_props[] = {
    PROP_UINT16("iobase", PITState, iobase, PIT_IOBASE),
    PROP_END,
};

static void pit_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->realize = pit_realize;
    dc->unrealize = pit_unrealize;
    dc->reset = pit_reset;
    dc->vmsd = &pit_vmsd;
    dc->user_creatable = false;     /* part of the PC board */
    object_class_set_props(klass, pit_props);
}

static const TypeInfo pit_type = {
    .name = TYPE_PIT,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PITState),
    .desc = "Intel 8254 programmable interval timer",
    .class_init = pit_class_init,
};

void pit_register_types(void)
{
    type_register(&pit_type);
}
