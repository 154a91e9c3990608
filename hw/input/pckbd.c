/*
 * The i8042 keyboard controller of the PC/AT and PS/2 (the "8042"): a
 * one-byte output buffer at port 0x60 fed from the keyboard and the mouse,
 * a status register and a command port at 0x64, the command byte that
 * gates interrupts, ports and set 2 -> set 1 translation, and an output
 * port whose bits reset the CPU and gate A20.
 *
 * Writes are processed at once, so the input buffer is never seen full.
 * When the output buffer is empty the controller pulls the next byte from
 * the keyboard (first) or the mouse, unless that port is disabled.  Replies
 * to controller commands overwrite the output buffer, as on hardware.
 *
 * References: IBM PS/2 Hardware Interface Technical Reference (keyboard and
 * auxiliary device controller); A. Brouwer, "Keyboard scancodes", 9.3 and
 * 10 (translation, the AT controller commands).
 */
#include "hw/input/i8042.h"

#include <errno.h>
#include <string.h>

#include "hw/input/ps2.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/log.h"

#define I8042_DATA_PORT     0x60
#define I8042_CMD_PORT      0x64
#define I8042_IRQ_KBD       1
#define I8042_IRQ_AUX       12

/* Status register (port 0x64 read). */
#define STAT_OBF            0x01    /* output buffer full */
#define STAT_IBF            0x02    /* input buffer full: never, writes complete at once */
#define STAT_SYS            0x04    /* system flag: self test passed / command byte SYS */
#define STAT_A2             0x08    /* last write went to 0x64 (a command) */
#define STAT_INH            0x10    /* 1: keyboard not inhibited by the keylock */
#define STAT_AUX_OBF        0x20    /* the output buffer holds mouse data */
#define STAT_TIMEOUT        0x40    /* devices always answer: never set */
#define STAT_PARITY         0x80

/* Command byte (internal RAM byte 0). */
#define CB_INT              0x01    /* IRQ 1 when keyboard data is in the buffer */
#define CB_INT2             0x02    /* IRQ 12 when mouse data is in the buffer */
#define CB_SYS              0x04
#define CB_DISABLE_KBD      0x10
#define CB_DISABLE_AUX      0x20
#define CB_XLATE            0x40    /* translate keyboard bytes from set 2 to set 1 */
#define CB_POWER_ON         (CB_INT | CB_XLATE)

/* Controller commands (port 0x64 write). */
#define CMD_READ_RAM        0x20    /* 0x20-0x3F: read RAM byte n (0: the command byte) */
#define CMD_WRITE_RAM       0x60    /* 0x60-0x7F: write RAM byte n */
#define CMD_PASSWORD_TEST   0xA4
#define CMD_DISABLE_AUX     0xA7
#define CMD_ENABLE_AUX      0xA8
#define CMD_TEST_AUX        0xA9
#define CMD_SELF_TEST       0xAA
#define CMD_TEST_KBD        0xAB
#define CMD_DISABLE_KBD     0xAD
#define CMD_ENABLE_KBD      0xAE
#define CMD_READ_INPUT      0xC0
#define CMD_READ_OUTPUT     0xD0
#define CMD_WRITE_OUTPUT    0xD1
#define CMD_WRITE_KBD_OBUF  0xD2
#define CMD_WRITE_AUX_OBUF  0xD3
#define CMD_WRITE_AUX       0xD4
#define CMD_A20_OFF         0xDD
#define CMD_A20_ON          0xDF
#define CMD_READ_TEST       0xE0
#define CMD_PULSE           0xF0    /* 0xF0-0xFF: pulse output bits 0-3 that are 0 */

#define REPLY_SELF_TEST_OK  0x55
#define REPLY_TEST_OK       0x00
#define REPLY_NO_PASSWORD   0xF1

/* Output port. */
#define OUT_RESET           0x01    /* 0 holds the CPU in reset */
#define OUT_A20             0x02
#define OUT_KBD_OBF         0x10
#define OUT_AUX_OBF         0x20
#define OUT_POWER_ON        0xCF    /* CPU running, A20 on, clock and data lines idle high */

/* Input port: keyboard not inhibited, no manufacturing jumper, colour display. */
#define INPUT_PORT_VALUE    0xA0

typedef struct I8042State {
    ISADevice parent_obj;
    MemoryRegion data_io;
    MemoryRegion cmd_io;
    IRQLine *irq_kbd;
    IRQLine *irq_aux;
    IRQLine *a20_out;
    uint8_t cmd_byte;
    uint8_t ram[32];            /* internal RAM bytes 1-31 (byte 0 is cmd_byte) */
    uint8_t status;
    uint8_t outport;
    uint8_t obuf;               /* the output buffer; reads return it even when empty */
    uint8_t write_cmd;          /* command waiting for its data byte at 0x60, or 0 */
    bool xlate_break;           /* translating: an F0 was swallowed, OR 0x80 into the next */
    PS2KbdState kbd;
    PS2MouseState mouse;
} I8042State;

static inline I8042State *I8042(DeviceState *dev)
{
    return (I8042State *)object_check(&dev->parent_obj, TYPE_I8042);
}

static void i8042_update_irq(I8042State *s)
{
    bool full = s->status & STAT_OBF;
    bool aux = s->status & STAT_AUX_OBF;
    irq_set(s->irq_kbd, full && !aux && (s->cmd_byte & CB_INT));
    irq_set(s->irq_aux, full && aux && (s->cmd_byte & CB_INT2));
}

/* Put a byte in the output buffer (overwriting what is there). */
static void i8042_fill(I8042State *s, uint8_t val, bool aux)
{
    s->obuf = val;
    s->status |= STAT_OBF;
    if (aux) {
        s->status |= STAT_AUX_OBF;
    } else {
        s->status &= ~STAT_AUX_OBF;
    }
    i8042_update_irq(s);
}

/* While the output buffer is empty, pull from the enabled devices. */
static void i8042_refill(I8042State *s)
{
    while (!(s->status & STAT_OBF)) {
        if (!(s->cmd_byte & CB_DISABLE_KBD) && ps2_queue_count(&s->kbd.common)) {
            uint8_t b = ps2_queue_pop(&s->kbd.common);
            if (s->cmd_byte & CB_XLATE) {
                if (b == 0xF0) {
                    s->xlate_break = true;      /* folds into the next byte */
                    continue;
                }
                b = ps2_translate_set2(b) | (s->xlate_break ? 0x80 : 0);
                s->xlate_break = false;
            }
            i8042_fill(s, b, false);
        } else if (!(s->cmd_byte & CB_DISABLE_AUX) && ps2_queue_count(&s->mouse.common)) {
            i8042_fill(s, ps2_queue_pop(&s->mouse.common), true);
        } else {
            break;
        }
    }
    i8042_update_irq(s);
}

static void i8042_ps2_update(void *opaque)
{
    i8042_refill(opaque);
}

/* Output port: bit 0 low resets the machine, bit 1 gates A20. */
static void i8042_write_outport(I8042State *s, uint8_t val)
{
    s->outport = val;
    /* Every write states the gate, so the last writer wins with port 0x92 too. */
    irq_set(s->a20_out, !!(val & OUT_A20));
    if (!(val & OUT_RESET)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static uint8_t i8042_read_outport(I8042State *s)
{
    uint8_t val = s->outport & ~(OUT_KBD_OBF | OUT_AUX_OBF);
    if (s->status & STAT_OBF) {
        val |= (s->status & STAT_AUX_OBF) ? OUT_AUX_OBF : OUT_KBD_OBF;
    }
    return val;
}

static void i8042_write_cmd_byte(I8042State *s, uint8_t val)
{
    s->cmd_byte = val & 0x7f;           /* bit 7 is reserved, reads 0 */
    s->status = (s->status & ~STAT_SYS) | (val & CB_SYS ? STAT_SYS : 0);
    if (!(val & CB_XLATE)) {
        s->xlate_break = false;
    }
    i8042_refill(s);                    /* ports or interrupts may just have been enabled */
}

static void i8042_write_command(I8042State *s, uint8_t val)
{
    s->status |= STAT_A2;
    s->write_cmd = 0;                   /* a new command abandons one waiting for data */

    if (val >= CMD_READ_RAM && val < CMD_READ_RAM + 0x20) {
        i8042_fill(s, val == CMD_READ_RAM ? s->cmd_byte : s->ram[val & 0x1f], false);
        return;
    }
    if (val >= CMD_WRITE_RAM && val < CMD_WRITE_RAM + 0x20) {
        s->write_cmd = val;
        return;
    }
    if (val >= CMD_PULSE) {
        /* Bits 0-3 that are 0 pulse low; only bit 0 (CPU reset) is wired to anything. */
        if (!(val & OUT_RESET)) {
            qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }
    switch (val) {
    case CMD_PASSWORD_TEST:
        i8042_fill(s, REPLY_NO_PASSWORD, false);
        break;
    case CMD_DISABLE_AUX:
        s->cmd_byte |= CB_DISABLE_AUX;
        break;
    case CMD_ENABLE_AUX:
        s->cmd_byte &= ~CB_DISABLE_AUX;
        i8042_refill(s);
        break;
    case CMD_TEST_AUX:
    case CMD_TEST_KBD:
        i8042_fill(s, REPLY_TEST_OK, false);
        break;
    case CMD_SELF_TEST:
        s->status |= STAT_SYS;
        i8042_fill(s, REPLY_SELF_TEST_OK, false);
        break;
    case CMD_DISABLE_KBD:
        s->cmd_byte |= CB_DISABLE_KBD;
        break;
    case CMD_ENABLE_KBD:
        s->cmd_byte &= ~CB_DISABLE_KBD;
        i8042_refill(s);
        break;
    case CMD_READ_INPUT:
        i8042_fill(s, INPUT_PORT_VALUE, false);
        break;
    case CMD_READ_OUTPUT:
        i8042_fill(s, i8042_read_outport(s), false);
        break;
    case CMD_WRITE_OUTPUT:
    case CMD_WRITE_KBD_OBUF:
    case CMD_WRITE_AUX_OBUF:
    case CMD_WRITE_AUX:
        s->write_cmd = val;
        break;
    case CMD_A20_OFF:
        i8042_write_outport(s, s->outport & ~OUT_A20);
        break;
    case CMD_A20_ON:
        i8042_write_outport(s, s->outport | OUT_A20);
        break;
    case CMD_READ_TEST:
        i8042_fill(s, 0x00, false);
        break;
    default:
        log_mask(LOG_GUEST_ERROR, "i8042: unknown controller command 0x%02x\n", val);
        break;
    }
}

static void i8042_write_data(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->write_cmd;
    s->status &= ~STAT_A2;
    s->write_cmd = 0;

    switch (cmd) {
    case 0:
        /* To the keyboard; sending to it enables its interface again. */
        s->cmd_byte &= ~CB_DISABLE_KBD;
        ps2_kbd_write(&s->kbd, val);
        break;
    case CMD_WRITE_RAM:
        i8042_write_cmd_byte(s, val);
        break;
    case CMD_WRITE_OUTPUT:
        i8042_write_outport(s, val);
        break;
    case CMD_WRITE_KBD_OBUF:
        i8042_fill(s, val, false);
        break;
    case CMD_WRITE_AUX_OBUF:
        i8042_fill(s, val, true);
        break;
    case CMD_WRITE_AUX:
        ps2_mouse_write(&s->mouse, val);
        break;
    default:
        s->ram[cmd & 0x1f] = val;       /* 0x61-0x7F */
        break;
    }
    i8042_refill(s);
}

static uint64_t i8042_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;
    uint8_t val = s->obuf;
    if (s->status & STAT_OBF) {
        s->status &= ~(STAT_OBF | STAT_AUX_OBF);
        /* Drop the line before the next byte raises it: an edge per byte. */
        i8042_update_irq(s);
        i8042_refill(s);
    }
    return val;
}

static void i8042_data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    i8042_write_data(opaque, val);
}

static uint64_t i8042_status_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;
    return s->status;
}

static void i8042_cmd_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    i8042_write_command(opaque, val);
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_status_read,
    .write = i8042_cmd_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- Board and UI helpers --------------------------------------------------- */

ISADevice *i8042_init(ISABus *bus, Error **errp)
{
    return isa_create_simple(bus, TYPE_I8042, errp);
}

void i8042_set_a20_line(ISADevice *dev, IRQLine *a20_out)
{
    I8042(&dev->parent_obj)->a20_out = a20_out;
}

void i8042_keyboard_event(ISADevice *dev, int linux_keycode, bool down)
{
    ps2_keyboard_event(&I8042(&dev->parent_obj)->kbd, linux_keycode, down);
}

void i8042_mouse_event(ISADevice *dev, int dx, int dy, int dz, unsigned buttons)
{
    ps2_mouse_event(&I8042(&dev->parent_obj)->mouse, dx, dy, dz, buttons);
}

/* ---- Device ------------------------------------------------------------------ */

static void i8042_reset(DeviceState *dev)
{
    I8042State *s = I8042(dev);
    s->cmd_byte = CB_POWER_ON;
    memset(s->ram, 0, sizeof(s->ram));
    s->status = STAT_INH;
    /* The A20 line is not driven: the board starts with the gate open. */
    s->outport = OUT_POWER_ON;
    s->obuf = 0;
    s->write_cmd = 0;
    s->xlate_break = false;
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    i8042_update_irq(s);
}

static void i8042_instance_init(Object *obj)
{
    I8042State *s = I8042(DEVICE(obj));
    ps2_kbd_init(&s->kbd, i8042_ps2_update, s);
    ps2_mouse_init(&s->mouse, i8042_ps2_update, s);
}

static bool i8042_realize(DeviceState *dev, Error **errp)
{
    I8042State *s = I8042(dev);
    s->irq_kbd = isa_get_irq(&s->parent_obj, I8042_IRQ_KBD);
    s->irq_aux = isa_get_irq(&s->parent_obj, I8042_IRQ_AUX);
    memory_region_init_io(&s->data_io, &dev->parent_obj, &i8042_data_ops, s, "i8042-data", 1);
    memory_region_init_io(&s->cmd_io, &dev->parent_obj, &i8042_cmd_ops, s, "i8042-cmd", 1);
    isa_register_ioport(&s->parent_obj, &s->data_io, I8042_DATA_PORT);
    isa_register_ioport(&s->parent_obj, &s->cmd_io, I8042_CMD_PORT);
    ps2_kbd_set_current(&s->kbd);
    return true;
}

static void i8042_unrealize(DeviceState *dev)
{
    I8042State *s = I8042(dev);
    if (ps2_kbd_current() == &s->kbd) {
        ps2_kbd_set_current(NULL);
    }
    memory_region_finalize(&s->data_io);
    memory_region_finalize(&s->cmd_io);
}

static int i8042_post_load(void *opaque, int version_id)
{
    I8042State *s = opaque;
    uint8_t cmd = s->write_cmd;
    s->status &= ~STAT_IBF;
    s->cmd_byte &= 0x7f;
    if (cmd != 0 && !(cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) &&
        !(cmd >= CMD_WRITE_OUTPUT && cmd <= CMD_WRITE_AUX)) {
        s->write_cmd = 0;
        return -EINVAL;
    }
    return 0;
}

static const VMStateField i8042_vmstate_fields[] = {
    VMS_FIELD(I8042State, cmd_byte, VMS_U8),
    VMS_BUF(I8042State, ram),
    VMS_FIELD(I8042State, status, VMS_U8),
    VMS_FIELD(I8042State, outport, VMS_U8),
    VMS_FIELD(I8042State, obuf, VMS_U8),
    VMS_FIELD(I8042State, write_cmd, VMS_U8),
    VMS_FIELD(I8042State, xlate_break, VMS_BOOL),
    VMS_STRUCT_ARRAY(I8042State, kbd, 1, PS2KbdState, &vmstate_ps2_kbd),
    VMS_STRUCT_ARRAY(I8042State, mouse, 1, PS2MouseState, &vmstate_ps2_mouse),
    VMS_END,
};

static const VMStateDescription i8042_vmstate = {
    .name = "i8042",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i8042_vmstate_fields,
    .post_load = i8042_post_load,
};

static void i8042_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = i8042_realize;
    dc->unrealize = i8042_unrealize;
    dc->reset = i8042_reset;
    dc->vmsd = &i8042_vmstate;
    dc->category = "Input";
    /* Fixed ports and the A20 wiring: the board creates it. */
    dc->user_creatable = false;
}

static const TypeInfo i8042_type = {
    .name = TYPE_I8042,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(I8042State),
    .desc = "i8042 PS/2 keyboard and mouse controller",
    .class_init = i8042_class_init,
    .instance_init = i8042_instance_init,
};

void i8042_register_types(void)
{
    type_register(&i8042_type);
}
