/*
 * PS/2 keyboard (an MF2 keyboard, ID AB 83) and the byte queue both PS/2
 * devices use; the mouse is in ps2-mouse.c.
 *
 * References: IBM PS/2 Hardware Interface Technical Reference (keyboard
 * commands); A. Brouwer, "Keyboard scancodes" (sets 1-3, the 8042
 * translation table); Microsoft, "Keyboard Scan Code Specification"
 * (multimedia and ACPI keys).
 */
#include "hw/input/ps2.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <glib.h>

/* Keyboard commands (IBM PS/2 tech ref, keyboard section). */
#define KBD_CMD_SET_LEDS        0xED
#define KBD_CMD_ECHO            0xEE
#define KBD_CMD_SCANCODE        0xF0
#define KBD_CMD_GET_ID          0xF2
#define KBD_CMD_SET_TYPEMATIC   0xF3
#define KBD_CMD_ENABLE          0xF4
#define KBD_CMD_DEFAULT_DISABLE 0xF5
#define KBD_CMD_SET_DEFAULT     0xF6
#define KBD_CMD_ALL_TYPEMATIC   0xF7
#define KBD_CMD_ALL_MAKE_BREAK  0xF8
#define KBD_CMD_ALL_MAKE        0xF9
#define KBD_CMD_ALL_TMB         0xFA
#define KBD_CMD_KEY_TYPEMATIC   0xFB
#define KBD_CMD_KEY_MAKE_BREAK  0xFC
#define KBD_CMD_KEY_MAKE        0xFD
#define KBD_CMD_RESEND          0xFE
#define KBD_CMD_RESET           0xFF
#define KBD_CMD_FIRST           0xED    /* lower bytes are parameters */

#define KBD_ID_1                0xAB    /* MF2 keyboard */
#define KBD_ID_2                0x83
#define KBD_TYPEMATIC_DEFAULT   0x2B    /* 10.9 characters/s after 500 ms */

/* Modifiers the keyboard tracks for PrintScreen and Pause. */
#define MOD_SHIFT_L     0x01
#define MOD_SHIFT_R     0x02
#define MOD_CTRL_L      0x04
#define MOD_CTRL_R      0x08
#define MOD_ALT_L       0x10
#define MOD_ALT_R       0x20

static PS2KbdState *kbd_current;

PS2KbdState *ps2_kbd_current(void)
{
    return kbd_current;
}

void ps2_kbd_set_current(PS2KbdState *s)
{
    kbd_current = s;
}

/* ---- The 8042 translation (Brouwer, "Keyboard scancodes", 9.3) ------------ */

/* Set 2 byte -> set 1 byte for 0x00..0x7F; the upper half maps to itself but 0x83, 0x84. */
static const uint8_t xlate_low[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2_translate_set2(uint8_t code)
{
    if (code < 0x80) {
        return xlate_low[code];
    }
    if (code == 0x83) {
        return 0x41;            /* F7, the only set 2 key code above 0x7F */
    }
    if (code == 0x84) {
        return 0x54;            /* Alt+PrintScreen (SysRq) */
    }
    return code;
}

/* Translate a set 2 sequence to set 1 in place, folding F0 into bit 7. */
static unsigned ps2_set2_to_set1(uint8_t *buf, unsigned len)
{
    unsigned out = 0;
    bool brk = false;
    for (unsigned i = 0; i < len; i++) {
        if (buf[i] == 0xF0) {
            brk = true;
            continue;
        }
        buf[out++] = ps2_translate_set2(buf[i]) | (brk ? 0x80 : 0);
        brk = false;
    }
    return out;
}

/* ---- Key codes: Linux KEY_* -> scancodes ------------------------------------ */

#define K_E0            0x01    /* set 1/2 code has an E0 prefix */
#define K_NOBREAK       0x02    /* no break code in sets 1 and 2 (Hangeul, Hanja) */
#define K_S3BREAK       0x04    /* breaks in set 3's default mode */

typedef struct PS2KeyCode {
    uint8_t set2;               /* set 2 make code (set 1 is its translation); 0: none */
    uint8_t set3;               /* set 3 make code; 0: none */
    uint8_t flags;
} PS2KeyCode;

/* KEY_PAUSE and KEY_SYSRQ have special set 1/2 sequences (ps2_kbd_encode_set2). */
static const PS2KeyCode ps2_keys[] = {
    [KEY_ESC] = { 0x76, 0x08 },
    [KEY_1] = { 0x16, 0x16 }, [KEY_2] = { 0x1e, 0x1e }, [KEY_3] = { 0x26, 0x26 },
    [KEY_4] = { 0x25, 0x25 }, [KEY_5] = { 0x2e, 0x2e }, [KEY_6] = { 0x36, 0x36 },
    [KEY_7] = { 0x3d, 0x3d }, [KEY_8] = { 0x3e, 0x3e }, [KEY_9] = { 0x46, 0x46 },
    [KEY_0] = { 0x45, 0x45 },
    [KEY_MINUS] = { 0x4e, 0x4e }, [KEY_EQUAL] = { 0x55, 0x55 },
    [KEY_BACKSPACE] = { 0x66, 0x66 }, [KEY_TAB] = { 0x0d, 0x0d },
    [KEY_Q] = { 0x15, 0x15 }, [KEY_W] = { 0x1d, 0x1d }, [KEY_E] = { 0x24, 0x24 },
    [KEY_R] = { 0x2d, 0x2d }, [KEY_T] = { 0x2c, 0x2c }, [KEY_Y] = { 0x35, 0x35 },
    [KEY_U] = { 0x3c, 0x3c }, [KEY_I] = { 0x43, 0x43 }, [KEY_O] = { 0x44, 0x44 },
    [KEY_P] = { 0x4d, 0x4d },
    [KEY_LEFTBRACE] = { 0x54, 0x54 }, [KEY_RIGHTBRACE] = { 0x5b, 0x5b },
    [KEY_ENTER] = { 0x5a, 0x5a },
    [KEY_LEFTCTRL] = { 0x14, 0x11, K_S3BREAK },
    [KEY_A] = { 0x1c, 0x1c }, [KEY_S] = { 0x1b, 0x1b }, [KEY_D] = { 0x23, 0x23 },
    [KEY_F] = { 0x2b, 0x2b }, [KEY_G] = { 0x34, 0x34 }, [KEY_H] = { 0x33, 0x33 },
    [KEY_J] = { 0x3b, 0x3b }, [KEY_K] = { 0x42, 0x42 }, [KEY_L] = { 0x4b, 0x4b },
    [KEY_SEMICOLON] = { 0x4c, 0x4c }, [KEY_APOSTROPHE] = { 0x52, 0x52 },
    [KEY_GRAVE] = { 0x0e, 0x0e },
    [KEY_LEFTSHIFT] = { 0x12, 0x12, K_S3BREAK },
    [KEY_BACKSLASH] = { 0x5d, 0x5c },
    [KEY_Z] = { 0x1a, 0x1a }, [KEY_X] = { 0x22, 0x22 }, [KEY_C] = { 0x21, 0x21 },
    [KEY_V] = { 0x2a, 0x2a }, [KEY_B] = { 0x32, 0x32 }, [KEY_N] = { 0x31, 0x31 },
    [KEY_M] = { 0x3a, 0x3a },
    [KEY_COMMA] = { 0x41, 0x41 }, [KEY_DOT] = { 0x49, 0x49 }, [KEY_SLASH] = { 0x4a, 0x4a },
    [KEY_RIGHTSHIFT] = { 0x59, 0x59, K_S3BREAK },
    [KEY_KPASTERISK] = { 0x7c, 0x7e },
    [KEY_LEFTALT] = { 0x11, 0x19, K_S3BREAK },
    [KEY_SPACE] = { 0x29, 0x29 },
    [KEY_CAPSLOCK] = { 0x58, 0x14, K_S3BREAK },
    [KEY_F1] = { 0x05, 0x07 }, [KEY_F2] = { 0x06, 0x0f }, [KEY_F3] = { 0x04, 0x17 },
    [KEY_F4] = { 0x0c, 0x1f }, [KEY_F5] = { 0x03, 0x27 }, [KEY_F6] = { 0x0b, 0x2f },
    [KEY_F7] = { 0x83, 0x37 }, [KEY_F8] = { 0x0a, 0x3f }, [KEY_F9] = { 0x01, 0x47 },
    [KEY_F10] = { 0x09, 0x4f }, [KEY_F11] = { 0x78, 0x56 }, [KEY_F12] = { 0x07, 0x5e },
    [KEY_NUMLOCK] = { 0x77, 0x76 }, [KEY_SCROLLLOCK] = { 0x7e, 0x5f },
    [KEY_KP7] = { 0x6c, 0x6c }, [KEY_KP8] = { 0x75, 0x75 }, [KEY_KP9] = { 0x7d, 0x7d },
    [KEY_KPMINUS] = { 0x7b, 0x84 },
    [KEY_KP4] = { 0x6b, 0x6b }, [KEY_KP5] = { 0x73, 0x73 }, [KEY_KP6] = { 0x74, 0x74 },
    [KEY_KPPLUS] = { 0x79, 0x7c },
    [KEY_KP1] = { 0x69, 0x69 }, [KEY_KP2] = { 0x72, 0x72 }, [KEY_KP3] = { 0x7a, 0x7a },
    [KEY_KP0] = { 0x70, 0x70 }, [KEY_KPDOT] = { 0x71, 0x71 },
    [KEY_102ND] = { 0x61, 0x13 },
    [KEY_KPEQUAL] = { 0x0f, 0 },
    [KEY_F13] = { 0x2f, 0 }, [KEY_F14] = { 0x37, 0 }, [KEY_F15] = { 0x3f, 0 },
    /* Japanese and Korean keys. */
    [KEY_ZENKAKUHANKAKU] = { 0x5f, 0 }, [KEY_RO] = { 0x51, 0 },
    [KEY_KATAKANA] = { 0x63, 0 }, [KEY_HIRAGANA] = { 0x62, 0 },
    [KEY_HENKAN] = { 0x64, 0x86 }, [KEY_KATAKANAHIRAGANA] = { 0x13, 0x87 },
    [KEY_MUHENKAN] = { 0x67, 0x85 }, [KEY_KPJPCOMMA] = { 0x27, 0 },
    [KEY_YEN] = { 0x6a, 0 }, [KEY_KPCOMMA] = { 0x6d, 0 },
    [KEY_HANGEUL] = { 0xf2, 0, K_NOBREAK }, [KEY_HANJA] = { 0xf1, 0, K_NOBREAK },
    /* The E0 keys of the 101/104-key keyboard. */
    [KEY_KPENTER] = { 0x5a, 0x79, K_E0 },
    [KEY_RIGHTCTRL] = { 0x14, 0x58, K_E0 | K_S3BREAK },
    [KEY_KPSLASH] = { 0x4a, 0x77, K_E0 },
    [KEY_SYSRQ] = { 0, 0x57 }, [KEY_PRINT] = { 0, 0x57 },
    [KEY_RIGHTALT] = { 0x11, 0x39, K_E0 | K_S3BREAK },
    [KEY_HOME] = { 0x6c, 0x6e, K_E0 }, [KEY_UP] = { 0x75, 0x63, K_E0 },
    [KEY_PAGEUP] = { 0x7d, 0x6f, K_E0 }, [KEY_LEFT] = { 0x6b, 0x61, K_E0 },
    [KEY_RIGHT] = { 0x74, 0x6a, K_E0 }, [KEY_END] = { 0x69, 0x65, K_E0 },
    [KEY_DOWN] = { 0x72, 0x60, K_E0 }, [KEY_PAGEDOWN] = { 0x7a, 0x6d, K_E0 },
    [KEY_INSERT] = { 0x70, 0x67, K_E0 }, [KEY_DELETE] = { 0x71, 0x64, K_E0 },
    [KEY_PAUSE] = { 0, 0x62 },
    [KEY_LEFTMETA] = { 0x1f, 0x8b, K_E0 | K_S3BREAK },
    [KEY_RIGHTMETA] = { 0x27, 0x8c, K_E0 | K_S3BREAK },
    [KEY_COMPOSE] = { 0x2f, 0x8d, K_E0 | K_S3BREAK },  /* the Menu (application) key */
    [KEY_MENU] = { 0x2f, 0x8d, K_E0 | K_S3BREAK },
    /* ACPI and multimedia keys (Microsoft's assignments; none in set 3). */
    [KEY_POWER] = { 0x37, 0, K_E0 }, [KEY_SLEEP] = { 0x3f, 0, K_E0 },
    [KEY_WAKEUP] = { 0x5e, 0, K_E0 },
    [KEY_MUTE] = { 0x23, 0, K_E0 }, [KEY_VOLUMEDOWN] = { 0x21, 0, K_E0 },
    [KEY_VOLUMEUP] = { 0x32, 0, K_E0 },
    [KEY_NEXTSONG] = { 0x4d, 0, K_E0 }, [KEY_PREVIOUSSONG] = { 0x15, 0, K_E0 },
    [KEY_STOPCD] = { 0x3b, 0, K_E0 }, [KEY_PLAYPAUSE] = { 0x34, 0, K_E0 },
    [KEY_MEDIA] = { 0x50, 0, K_E0 }, [KEY_MAIL] = { 0x48, 0, K_E0 },
    [KEY_CALC] = { 0x2b, 0, K_E0 }, [KEY_COMPUTER] = { 0x40, 0, K_E0 },
    [KEY_SEARCH] = { 0x10, 0, K_E0 }, [KEY_HOMEPAGE] = { 0x3a, 0, K_E0 },
    [KEY_BACK] = { 0x38, 0, K_E0 }, [KEY_FORWARD] = { 0x30, 0, K_E0 },
    [KEY_STOP] = { 0x28, 0, K_E0 }, [KEY_REFRESH] = { 0x20, 0, K_E0 },
    [KEY_BOOKMARKS] = { 0x18, 0, K_E0 },
};

static const PS2KeyCode *ps2_key_lookup(int keycode)
{
    if (keycode <= 0 || keycode >= (int)G_N_ELEMENTS(ps2_keys)) {
        return NULL;
    }
    return &ps2_keys[keycode];
}

int ps2_keycode_from_qnum(unsigned qnum)
{
    bool e0 = qnum & 0x80;
    uint8_t code = qnum & 0x7f;
    if (qnum == 0 || qnum > 0xff) {
        return -1;
    }
    for (int k = 1; k < (int)G_N_ELEMENTS(ps2_keys); k++) {
        const PS2KeyCode *key = &ps2_keys[k];
        if (key->set2 && key->set2 < 0xf0 && !!(key->flags & K_E0) == e0 &&
            ps2_translate_set2(key->set2) == code) {
            return k;
        }
    }
    if (qnum == 0x54 || qnum == 0xb7) {
        return KEY_SYSRQ;           /* SysRq, PrintScreen */
    }
    if (qnum == 0xc6) {
        return KEY_PAUSE;           /* Ctrl+Break */
    }
    return -1;
}

/* ---- Queues ------------------------------------------------------------------- */

void ps2_queue_clear(PS2State *s)
{
    s->queue.rptr = 0;
    s->queue.count = 0;
    s->queue.replies = 0;
}

void ps2_notify(PS2State *s)
{
    if (s->update) {
        s->update(s->update_opaque);
    }
}

bool ps2_queue_input(PS2State *s, const uint8_t *buf, unsigned len)
{
    PS2Queue *q = &s->queue;
    if (len == 0) {
        return true;
    }
    if (q->count + len > PS2_QUEUE_SIZE - PS2_QUEUE_RESERVE) {
        return false;
    }
    for (unsigned i = 0; i < len; i++) {
        q->data[(q->rptr + q->count++) & PS2_QUEUE_MASK] = buf[i];
    }
    ps2_notify(s);
    return true;
}

void ps2_queue_reply(PS2State *s, uint8_t b)
{
    PS2Queue *q = &s->queue;
    if (q->count == PS2_QUEUE_SIZE) {
        return;                 /* a guest that never reads: drop */
    }
    q->rptr = (q->rptr - 1) & PS2_QUEUE_MASK;
    for (unsigned i = 0; i < q->replies; i++) {
        q->data[(q->rptr + i) & PS2_QUEUE_MASK] = q->data[(q->rptr + i + 1) & PS2_QUEUE_MASK];
    }
    q->data[(q->rptr + q->replies) & PS2_QUEUE_MASK] = b;
    q->replies++;
    q->count++;
    ps2_notify(s);
}

uint8_t ps2_queue_pop(PS2State *s)
{
    PS2Queue *q = &s->queue;
    g_assert(q->count > 0);
    uint8_t b = q->data[q->rptr];
    q->rptr = (q->rptr + 1) & PS2_QUEUE_MASK;
    q->count--;
    if (q->replies) {
        q->replies--;
    }
    s->last_byte = b;
    return b;
}

/* ---- Keyboard -------------------------------------------------------------------- */

static void ps2_kbd_set_defaults(PS2KbdState *s)
{
    s->scancode_set = 2;
    s->typematic = KBD_TYPEMATIC_DEFAULT;
    s->set3_mode = PS2_SET3_DEFAULT;
}

void ps2_kbd_reset(PS2KbdState *s)
{
    ps2_queue_clear(&s->common);
    s->common.cmd = 0;
    s->common.last_byte = 0;
    ps2_kbd_set_defaults(s);
    s->leds = 0;
    s->scan_enabled = true;
}

void ps2_kbd_init(PS2KbdState *s, PS2UpdateFn *update, void *opaque)
{
    s->common.update = update;
    s->common.update_opaque = opaque;
    s->modifiers = 0;
    ps2_kbd_reset(s);
}

/* The parameter byte of a pending command. */
static void ps2_kbd_param(PS2KbdState *s, uint8_t cmd, uint8_t val)
{
    PS2State *c = &s->common;
    c->cmd = 0;
    switch (cmd) {
    case KBD_CMD_SET_LEDS:
        s->leds = val & 7;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_SET_TYPEMATIC:
        s->typematic = val & 0x7f;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_SCANCODE:
        if (val == 0) {
            ps2_queue_reply(c, PS2_ACK);
            ps2_queue_reply(c, s->scancode_set);
        } else if (val <= 3) {
            s->scancode_set = val;
            ps2_queue_reply(c, PS2_ACK);
        } else {
            ps2_queue_reply(c, PS2_RESEND);
        }
        break;
    default:
        /* 0xFB-0xFD take a list of set 3 keys, ended by the next command. */
        c->cmd = cmd;
        ps2_queue_reply(c, PS2_ACK);
        break;
    }
}

void ps2_kbd_write(PS2KbdState *s, uint8_t val)
{
    PS2State *c = &s->common;
    /* A command byte in place of a parameter aborts the pending command. */
    if (c->cmd && val < KBD_CMD_FIRST) {
        ps2_kbd_param(s, c->cmd, val);
        return;
    }
    c->cmd = 0;
    switch (val) {
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SCANCODE:
    case KBD_CMD_SET_TYPEMATIC:
    case KBD_CMD_KEY_TYPEMATIC:
    case KBD_CMD_KEY_MAKE_BREAK:
    case KBD_CMD_KEY_MAKE:
        c->cmd = val;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_ECHO:
        ps2_queue_reply(c, KBD_CMD_ECHO);
        break;
    case KBD_CMD_GET_ID:
        ps2_queue_reply(c, PS2_ACK);
        ps2_queue_reply(c, KBD_ID_1);
        ps2_queue_reply(c, KBD_ID_2);
        break;
    case KBD_CMD_ENABLE:
        ps2_queue_clear(c);
        s->scan_enabled = true;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_DEFAULT_DISABLE:
    case KBD_CMD_SET_DEFAULT:
        ps2_queue_clear(c);
        ps2_kbd_set_defaults(s);
        s->scan_enabled = val == KBD_CMD_SET_DEFAULT;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_ALL_TYPEMATIC:
    case KBD_CMD_ALL_MAKE:
        s->set3_mode = PS2_SET3_MAKE_ONLY;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_ALL_MAKE_BREAK:
    case KBD_CMD_ALL_TMB:
        s->set3_mode = PS2_SET3_MAKE_BREAK;
        ps2_queue_reply(c, PS2_ACK);
        break;
    case KBD_CMD_RESEND:
        ps2_queue_reply(c, c->last_byte);
        break;
    case KBD_CMD_RESET:
        /* The self test takes ~500 ms on hardware; its result comes at once here. */
        ps2_kbd_reset(s);
        ps2_queue_reply(c, PS2_ACK);
        ps2_queue_reply(c, PS2_BAT_OK);
        break;
    default:
        ps2_queue_reply(c, PS2_RESEND);
        break;
    }
}

static unsigned ps2_put(uint8_t *out, unsigned n, const uint8_t *bytes, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        out[n++] = bytes[i];
    }
    return n;
}

/* The set 2 bytes of a key event; set 1 is their translation. */
static unsigned ps2_kbd_encode_set2(const PS2KbdState *s, int keycode, bool down, uint8_t *out)
{
    static const uint8_t pause[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
    static const uint8_t ctrl_break[] = { 0xe0, 0x7e, 0xe0, 0xf0, 0x7e };
    static const uint8_t prtsc_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
    static const uint8_t prtsc_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
    bool shift = s->modifiers & (MOD_SHIFT_L | MOD_SHIFT_R);
    bool ctrl = s->modifiers & (MOD_CTRL_L | MOD_CTRL_R);
    bool alt = s->modifiers & (MOD_ALT_L | MOD_ALT_R);

    switch (keycode) {
    case KEY_PAUSE:
        /* Make only: the whole sequence is sent on press, nothing on release. */
        if (!down) {
            return 0;
        }
        return ctrl ? ps2_put(out, 0, ctrl_break, sizeof(ctrl_break))
                    : ps2_put(out, 0, pause, sizeof(pause));
    case KEY_SYSRQ:
    case KEY_PRINT:
        if (alt) {
            /* SysRq */
            return down ? ps2_put(out, 0, (const uint8_t[]){ 0x84 }, 1)
                        : ps2_put(out, 0, (const uint8_t[]){ 0xf0, 0x84 }, 2);
        }
        if (shift || ctrl) {
            /* No fake shift around the code when a modifier is already held. */
            return down ? ps2_put(out, 0, prtsc_make + 2, 2)
                        : ps2_put(out, 0, prtsc_break, 3);
        }
        return down ? ps2_put(out, 0, prtsc_make, sizeof(prtsc_make))
                    : ps2_put(out, 0, prtsc_break, sizeof(prtsc_break));
    }

    const PS2KeyCode *k = ps2_key_lookup(keycode);
    unsigned n = 0;
    if (!k || !k->set2 || (!down && (k->flags & K_NOBREAK))) {
        return 0;
    }
    if (k->flags & K_E0) {
        out[n++] = 0xe0;
    }
    if (!down) {
        out[n++] = 0xf0;
    }
    out[n++] = k->set2;
    return n;
}

static unsigned ps2_kbd_encode_set3(const PS2KbdState *s, int keycode, bool down, uint8_t *out)
{
    const PS2KeyCode *k = ps2_key_lookup(keycode);
    if (!k || !k->set3) {
        return 0;
    }
    if (down) {
        out[0] = k->set3;
        return 1;
    }
    bool brk = s->set3_mode == PS2_SET3_MAKE_BREAK ||
               (s->set3_mode == PS2_SET3_DEFAULT && (k->flags & K_S3BREAK));
    if (!brk) {
        return 0;
    }
    out[0] = 0xf0;
    out[1] = k->set3;
    return 2;
}

static uint32_t ps2_modifier_bit(int keycode)
{
    switch (keycode) {
    case KEY_LEFTSHIFT:  return MOD_SHIFT_L;
    case KEY_RIGHTSHIFT: return MOD_SHIFT_R;
    case KEY_LEFTCTRL:   return MOD_CTRL_L;
    case KEY_RIGHTCTRL:  return MOD_CTRL_R;
    case KEY_LEFTALT:    return MOD_ALT_L;
    case KEY_RIGHTALT:   return MOD_ALT_R;
    default:             return 0;
    }
}

void ps2_keyboard_event(PS2KbdState *s, int keycode, bool down)
{
    uint8_t buf[8];
    unsigned n;

    uint32_t mod = ps2_modifier_bit(keycode);
    if (down) {
        s->modifiers |= mod;
    } else {
        s->modifiers &= ~mod;
    }
    if (!s->scan_enabled) {
        return;
    }
    if (s->scancode_set == 3) {
        n = ps2_kbd_encode_set3(s, keycode, down, buf);
    } else {
        n = ps2_kbd_encode_set2(s, keycode, down, buf);
        if (s->scancode_set == 1) {
            n = ps2_set2_to_set1(buf, n);
        }
    }
    if (ps2_queue_input(&s->common, buf, n)) {
        return;
    }
    /* Buffer overrun: one overrun code in the reserve, then drop until it drains. */
    PS2Queue *q = &s->common.queue;
    uint8_t overrun = s->scancode_set == 1 ? 0xff : 0x00;
    bool tail_is_overrun = q->count > q->replies &&
        q->data[(q->rptr + q->count - 1) & PS2_QUEUE_MASK] == overrun;
    if (!tail_is_overrun && q->count < PS2_QUEUE_SIZE) {
        q->data[(q->rptr + q->count++) & PS2_QUEUE_MASK] = overrun;
        ps2_notify(&s->common);
    }
}

/* ---- Migration ------------------------------------------------------------------- */

static int ps2_common_post_load(void *opaque, int version_id)
{
    PS2State *s = opaque;
    PS2Queue *q = &s->queue;
    if (q->rptr >= PS2_QUEUE_SIZE || q->count > PS2_QUEUE_SIZE || q->replies > q->count) {
        ps2_queue_clear(s);
        return -EINVAL;
    }
    return 0;
}

static const VMStateField ps2_common_fields[] = {
    VMS_BUF(PS2State, queue.data),
    VMS_FIELD(PS2State, queue.rptr, VMS_U32),
    VMS_FIELD(PS2State, queue.count, VMS_U32),
    VMS_FIELD(PS2State, queue.replies, VMS_U32),
    VMS_FIELD(PS2State, last_byte, VMS_U8),
    VMS_FIELD(PS2State, cmd, VMS_U8),
    VMS_END,
};

const VMStateDescription vmstate_ps2_common = {
    .name = "ps2-common",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ps2_common_fields,
    .post_load = ps2_common_post_load,
};

static int ps2_kbd_post_load(void *opaque, int version_id)
{
    PS2KbdState *s = opaque;
    if (s->scancode_set < 1 || s->scancode_set > 3 || s->set3_mode > PS2_SET3_MAKE_ONLY) {
        ps2_kbd_set_defaults(s);
        return -EINVAL;
    }
    return 0;
}

static const VMStateField ps2_kbd_fields[] = {
    VMS_STRUCT_ARRAY(PS2KbdState, common, 1, PS2State, &vmstate_ps2_common),
    VMS_FIELD(PS2KbdState, scan_enabled, VMS_BOOL),
    VMS_FIELD(PS2KbdState, scancode_set, VMS_U8),
    VMS_FIELD(PS2KbdState, leds, VMS_U8),
    VMS_FIELD(PS2KbdState, typematic, VMS_U8),
    VMS_FIELD(PS2KbdState, set3_mode, VMS_U8),
    VMS_FIELD(PS2KbdState, modifiers, VMS_U32),
    VMS_END,
};

const VMStateDescription vmstate_ps2_kbd = {
    .name = "ps2-keyboard",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ps2_kbd_fields,
    .post_load = ps2_kbd_post_load,
};
