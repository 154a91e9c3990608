/*
 * PS/2 mouse with the IntelliMouse (ID 3: wheel) and IntelliMouse Explorer
 * (ID 4: wheel, buttons 4 and 5) extensions, switched on by sample-rate
 * knocks.  Stream mode sends a packet per event while reporting is on;
 * remote mode counts motion until the guest asks with Read Data.
 *
 * References: IBM PS/2 Hardware Interface Technical Reference (auxiliary
 * device commands, packet format, 2:1 scaling); Microsoft's IntelliMouse
 * protocol notes (4-byte packets, the knock sequences).
 */
#include "hw/input/ps2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

/* Mouse commands (IBM PS/2 tech ref, auxiliary device section). */
#define AUX_CMD_SCALE_11        0xE6
#define AUX_CMD_SCALE_21        0xE7
#define AUX_CMD_SET_RES         0xE8
#define AUX_CMD_STATUS          0xE9
#define AUX_CMD_STREAM          0xEA
#define AUX_CMD_READ_DATA       0xEB
#define AUX_CMD_RESET_WRAP      0xEC
#define AUX_CMD_WRAP            0xEE
#define AUX_CMD_REMOTE          0xF0
#define AUX_CMD_GET_ID          0xF2
#define AUX_CMD_SET_RATE        0xF3
#define AUX_CMD_ENABLE          0xF4
#define AUX_CMD_DISABLE         0xF5
#define AUX_CMD_SET_DEFAULT     0xF6
#define AUX_CMD_RESEND          0xFE
#define AUX_CMD_RESET           0xFF

#define AUX_RATE_DEFAULT        100
#define AUX_RES_DEFAULT         2       /* 4 counts/mm */
#define AUX_COUNTER_LIMIT       65535   /* accumulated motion saturates here */

/* Packet byte 0. */
#define AUX_PKT_ALWAYS1         0x08
#define AUX_PKT_X_SIGN          0x10
#define AUX_PKT_Y_SIGN          0x20
#define AUX_PKT_X_OVERFLOW      0x40
#define AUX_PKT_Y_OVERFLOW      0x80

static void ps2_mouse_set_defaults(PS2MouseState *s)
{
    s->sample_rate = AUX_RATE_DEFAULT;
    s->resolution = AUX_RES_DEFAULT;
    s->scale21 = false;
    s->remote = false;
    s->enabled = false;
    s->dx = s->dy = s->dz = 0;
}

void ps2_mouse_reset(PS2MouseState *s)
{
    ps2_queue_clear(&s->common);
    s->common.cmd = 0;
    s->common.last_byte = 0;
    ps2_mouse_set_defaults(s);
    s->wrap = false;
    s->type = 0;
    memset(s->rates, 0, sizeof(s->rates));
}

void ps2_mouse_init(PS2MouseState *s, PS2UpdateFn *update, void *opaque)
{
    s->common.update = update;
    s->common.update_opaque = opaque;
    s->buttons = 0;
    ps2_mouse_reset(s);
}

/* 2:1 scaling of a stream-mode count (IBM PS/2 tech ref: 1->1, 2->1, 3->3, 4->6, 5->9, n->2n). */
static int ps2_mouse_scale21(int v)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = abs(v);
    int r = a < 6 ? small[a] : 2 * a;
    return v < 0 ? -r : r;
}

/* Build a packet from the counters and clear them; returns its length. */
static unsigned ps2_mouse_packet(PS2MouseState *s, bool stream, uint8_t *out)
{
    int dx = s->dx, dy = s->dy, dz = s->dz;
    uint8_t b0 = AUX_PKT_ALWAYS1 | (s->buttons & 7);

    if (stream && s->scale21) {
        dx = ps2_mouse_scale21(dx);
        dy = ps2_mouse_scale21(dy);
    }
    /* 9-bit two's complement; beyond that the overflow bit and the extreme value. */
    if (dx > 255 || dx < -256) {
        b0 |= AUX_PKT_X_OVERFLOW;
        dx = dx > 0 ? 255 : -256;
    }
    if (dy > 255 || dy < -256) {
        b0 |= AUX_PKT_Y_OVERFLOW;
        dy = dy > 0 ? 255 : -256;
    }
    if (dx < 0) {
        b0 |= AUX_PKT_X_SIGN;
    }
    if (dy < 0) {
        b0 |= AUX_PKT_Y_SIGN;
    }
    out[0] = b0;
    out[1] = dx & 0xff;
    out[2] = dy & 0xff;
    unsigned n = 3;
    if (s->type == 3) {
        out[n++] = CLAMP(dz, -128, 127) & 0xff;
    } else if (s->type == 4) {
        /* Explorer: 4-bit wheel, buttons 4 and 5 in bits 4 and 5. */
        out[n++] = (CLAMP(dz, -8, 7) & 0x0f) | ((s->buttons & 0x18) << 1);
    }
    s->dx = s->dy = s->dz = 0;
    return n;
}

static void ps2_mouse_reply_packet(PS2MouseState *s)
{
    uint8_t pkt[4];
    unsigned n = ps2_mouse_packet(s, false, pkt);
    for (unsigned i = 0; i < n; i++) {
        ps2_queue_reply(&s->common, pkt[i]);
    }
}

static bool ps2_mouse_rate_valid(uint8_t rate)
{
    static const uint8_t rates[] = { 10, 20, 40, 60, 80, 100, 200 };
    for (unsigned i = 0; i < G_N_ELEMENTS(rates); i++) {
        if (rates[i] == rate) {
            return true;
        }
    }
    return false;
}

/* The sample-rate knocks that switch on the wheel (and buttons 4 and 5). */
static void ps2_mouse_knock(PS2MouseState *s, uint8_t rate)
{
    s->rates[0] = s->rates[1];
    s->rates[1] = s->rates[2];
    s->rates[2] = rate;
    if (s->type == 0 && s->rates[0] == 200 && s->rates[1] == 100 && s->rates[2] == 80) {
        s->type = 3;
    } else if (s->type == 3 && s->rates[0] == 200 && s->rates[1] == 200 && s->rates[2] == 80) {
        s->type = 4;
    }
}

static void ps2_mouse_param(PS2MouseState *s, uint8_t cmd, uint8_t val)
{
    PS2State *c = &s->common;
    c->cmd = 0;
    if (cmd == AUX_CMD_SET_RATE && ps2_mouse_rate_valid(val)) {
        s->sample_rate = val;
        ps2_mouse_knock(s, val);
        ps2_queue_reply(c, PS2_ACK);
    } else if (cmd == AUX_CMD_SET_RES && val <= 3) {
        s->resolution = val;
        ps2_queue_reply(c, PS2_ACK);
    } else {
        ps2_queue_reply(c, PS2_RESEND);
    }
}

void ps2_mouse_write(PS2MouseState *s, uint8_t val)
{
    PS2State *c = &s->common;
    if (c->cmd) {
        ps2_mouse_param(s, c->cmd, val);
        return;
    }
    /* Wrap mode echoes everything but its two ways out. */
    if (s->wrap && val != AUX_CMD_RESET_WRAP && val != AUX_CMD_RESET) {
        ps2_queue_reply(c, val);
        return;
    }
    switch (val) {
    case AUX_CMD_SCALE_11:
    case AUX_CMD_SCALE_21:
        s->scale21 = val == AUX_CMD_SCALE_21;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_SET_RES:
    case AUX_CMD_SET_RATE:
        c->cmd = val;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_STATUS: {
        uint8_t status = (s->remote ? 0x40 : 0) | (s->enabled ? 0x20 : 0) |
                         (s->scale21 ? 0x10 : 0) |
                         (s->buttons & PS2_MOUSE_LEFT ? 0x04 : 0) |
                         (s->buttons & PS2_MOUSE_MIDDLE ? 0x02 : 0) |
                         (s->buttons & PS2_MOUSE_RIGHT ? 0x01 : 0);
        ps2_queue_reply(c, PS2_ACK);
        ps2_queue_reply(c, status);
        ps2_queue_reply(c, s->resolution);
        ps2_queue_reply(c, s->sample_rate);
        break;
    }
    case AUX_CMD_STREAM:
    case AUX_CMD_REMOTE:
        s->remote = val == AUX_CMD_REMOTE;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_READ_DATA:
        ps2_queue_reply(c, PS2_ACK);
        ps2_mouse_reply_packet(s);
        break;
    case AUX_CMD_RESET_WRAP:
    case AUX_CMD_WRAP:
        s->wrap = val == AUX_CMD_WRAP;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_GET_ID:
        ps2_queue_reply(c, PS2_ACK);
        ps2_queue_reply(c, s->type);
        break;
    case AUX_CMD_ENABLE:
    case AUX_CMD_DISABLE:
        if (val == AUX_CMD_DISABLE) {
            ps2_queue_clear(c);
        }
        s->enabled = val == AUX_CMD_ENABLE;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_SET_DEFAULT:
        ps2_queue_clear(c);
        ps2_mouse_set_defaults(s);
        ps2_queue_reply(c, PS2_ACK);
        break;
    case AUX_CMD_RESEND:
        ps2_queue_reply(c, c->last_byte);
        break;
    case AUX_CMD_RESET:
        ps2_mouse_reset(s);
        ps2_queue_reply(c, PS2_ACK);
        ps2_queue_reply(c, PS2_BAT_OK);
        ps2_queue_reply(c, s->type);
        break;
    default:
        ps2_queue_reply(c, PS2_RESEND);
        break;
    }
}

static int32_t ps2_counter_add(int32_t counter, int64_t delta)
{
    return CLAMP(counter + delta, -AUX_COUNTER_LIMIT, AUX_COUNTER_LIMIT);
}

void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons)
{
    bool changed = dx || dy || dz || (buttons & 0x1f) != s->buttons;
    s->buttons = buttons & 0x1f;
    /* Stream mode with reporting off, and wrap mode, do not count motion. */
    if (s->wrap || (!s->remote && !s->enabled)) {
        return;
    }
    s->dx = ps2_counter_add(s->dx, dx);
    s->dy = ps2_counter_add(s->dy, -(int64_t)dy);   /* PS/2 counts y upwards */
    s->dz = ps2_counter_add(s->dz, dz);
    if (s->remote || !changed) {
        return;                 /* remote mode: the guest polls with 0xEB */
    }
    uint8_t pkt[4];
    unsigned n = ps2_mouse_packet(s, true, pkt);
    ps2_queue_input(&s->common, pkt, n);    /* no room: the packet is lost */
}

static int ps2_mouse_post_load(void *opaque, int version_id)
{
    PS2MouseState *s = opaque;
    if (s->resolution > 3 || (s->type != 0 && s->type != 3 && s->type != 4)) {
        s->resolution = AUX_RES_DEFAULT;
        s->type = 0;
        return -EINVAL;
    }
    s->dx = CLAMP(s->dx, -AUX_COUNTER_LIMIT, AUX_COUNTER_LIMIT);
    s->dy = CLAMP(s->dy, -AUX_COUNTER_LIMIT, AUX_COUNTER_LIMIT);
    s->dz = CLAMP(s->dz, -AUX_COUNTER_LIMIT, AUX_COUNTER_LIMIT);
    s->buttons &= 0x1f;
    return 0;
}

static const VMStateField ps2_mouse_fields[] = {
    VMS_STRUCT_ARRAY(PS2MouseState, common, 1, PS2State, &vmstate_ps2_common),
    VMS_FIELD(PS2MouseState, remote, VMS_BOOL),
    VMS_FIELD(PS2MouseState, enabled, VMS_BOOL),
    VMS_FIELD(PS2MouseState, scale21, VMS_BOOL),
    VMS_FIELD(PS2MouseState, wrap, VMS_BOOL),
    VMS_FIELD(PS2MouseState, resolution, VMS_U8),
    VMS_FIELD(PS2MouseState, sample_rate, VMS_U8),
    VMS_FIELD(PS2MouseState, type, VMS_U8),
    VMS_BUF(PS2MouseState, rates),
    VMS_FIELD(PS2MouseState, buttons, VMS_U8),
    VMS_FIELD(PS2MouseState, dx, VMS_I32),
    VMS_FIELD(PS2MouseState, dy, VMS_I32),
    VMS_FIELD(PS2MouseState, dz, VMS_I32),
    VMS_END,
};

const VMStateDescription vmstate_ps2_mouse = {
    .name = "ps2-mouse",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ps2_mouse_fields,
    .post_load = ps2_mouse_post_load,
};
