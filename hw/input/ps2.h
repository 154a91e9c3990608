/*
 * PS/2 keyboard (ps2.c) and mouse (ps2-mouse.c): the devices at the far end
 * of the 8042's two ports.  They are not bus devices of their own: the controller embeds one
 * of each, forwards what the guest writes to them (ps2_kbd_write,
 * ps2_mouse_write) and pulls their bytes one at a time (ps2_queue_pop) when
 * its output buffer is free.  A device calls its update hook whenever it
 * queued something, so the controller can pull.
 *
 * Each device has a byte queue of PS2_QUEUE_SIZE.  Input (scancodes, mouse
 * packets) may fill it up to PS2_QUEUE_SIZE - PS2_QUEUE_RESERVE; the rest
 * is kept for command replies, which go ahead of pending input the way a
 * real device answers a command before it resumes sending.  Input that does
 * not fit whole is dropped; the keyboard then queues its overrun code (0x00
 * in sets 2 and 3, 0xFF in set 1), as real keyboards do.
 *
 * Key codes are Linux input KEY_* numbers (<linux/input-event-codes.h>),
 * independent of the scancode set; the keyboard emits the bytes of the set
 * the guest selected (1, 2 or 3), E0-prefixed keys, and the Pause and
 * PrintScreen sequences (which depend on the modifiers held).
 */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "migration/vmstate.h"

#define PS2_QUEUE_SIZE 256          /* a power of two */
#define PS2_QUEUE_RESERVE 16        /* kept free for command replies */

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    uint32_t rptr;                  /* index of the oldest byte */
    uint32_t count;
    uint32_t replies;               /* command replies at the head, before input */
} PS2Queue;

typedef void PS2UpdateFn(void *opaque);

/* What both devices share: the queue and the command being parsed. */
typedef struct PS2State {
    PS2Queue queue;
    uint8_t last_byte;              /* the last byte pulled, for Resend (0xFE) */
    uint8_t cmd;                    /* command waiting for its parameter, 0 if none */
    PS2UpdateFn *update;            /* called when bytes were queued */
    void *update_opaque;
} PS2State;

typedef struct PS2KbdState {
    PS2State common;
    bool scan_enabled;
    uint8_t scancode_set;           /* 1, 2 or 3 */
    uint8_t leds;                   /* bit 0 Scroll, 1 Num, 2 Caps Lock */
    uint8_t typematic;              /* 0xF3's parameter */
    uint8_t set3_mode;              /* PS2_SET3_*: which keys send breaks in set 3 */
    uint32_t modifiers;             /* shift/ctrl/alt held (host state, survives resets) */
} PS2KbdState;

typedef struct PS2MouseState {
    PS2State common;
    bool remote;                    /* remote mode (0xF0) rather than stream (0xEA) */
    bool enabled;                   /* data reporting (0xF4) */
    bool scale21;                   /* 2:1 scaling (0xE7) */
    bool wrap;                      /* wrap (echo) mode (0xEE) */
    uint8_t resolution;             /* 0..3: 1, 2, 4, 8 counts/mm */
    uint8_t sample_rate;
    uint8_t type;                   /* device ID: 0, 3 IntelliMouse, 4 Explorer */
    uint8_t rates[3];               /* the last three sample rates, for the ID knocks */
    uint8_t buttons;                /* bit 0 left, 1 right, 2 middle, 3 side, 4 extra */
    int32_t dx, dy, dz;             /* movement counters not reported yet (y up) */
} PS2MouseState;

enum {
    PS2_SET3_DEFAULT,               /* only modifiers and the Windows keys break */
    PS2_SET3_MAKE_BREAK,            /* 0xF8, 0xFA: every key breaks */
    PS2_SET3_MAKE_ONLY,             /* 0xF7, 0xF9: no key breaks */
};

/* Mouse buttons for ps2_mouse_event. */
#define PS2_MOUSE_LEFT   0x01
#define PS2_MOUSE_RIGHT  0x02
#define PS2_MOUSE_MIDDLE 0x04
#define PS2_MOUSE_SIDE   0x08
#define PS2_MOUSE_EXTRA  0x10

/* Bytes waiting in a device's queue. */
static inline unsigned ps2_queue_count(const PS2State *s)
{
    return s->queue.count;
}

/* Take the oldest byte (the queue must not be empty). */
uint8_t ps2_queue_pop(PS2State *s);

/* The 8042's set 2 -> set 1 translation of one byte (0xF0 is handled by the caller). */
uint8_t ps2_translate_set2(uint8_t code);

void ps2_kbd_init(PS2KbdState *s, PS2UpdateFn *update, void *opaque);
/* Power-on state: set 2, scanning enabled, empty queue. */
void ps2_kbd_reset(PS2KbdState *s);
/* A byte the guest sent to the keyboard (command or parameter). */
void ps2_kbd_write(PS2KbdState *s, uint8_t val);
/* A key pressed or released; keycode is a Linux KEY_* number. */
void ps2_keyboard_event(PS2KbdState *s, int keycode, bool down);

void ps2_mouse_init(PS2MouseState *s, PS2UpdateFn *update, void *opaque);
/* Power-on state: stream mode, reporting off, ID 0, empty queue. */
void ps2_mouse_reset(PS2MouseState *s);
/* A byte the guest sent to the mouse. */
void ps2_mouse_write(PS2MouseState *s, uint8_t val);
/*
 * Relative motion and the buttons now held (PS2_MOUSE_*): dx > 0 right,
 * dy > 0 down (screen direction), dz > 0 wheel turned towards the user.
 */
void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons);

/*
 * The keyboard that UI input and the monitor's sendkey go to: the i8042
 * sets it when realized (the last one realized wins) and clears it when
 * unrealized.  NULL when the machine has no PS/2 keyboard.
 */
PS2KbdState *ps2_kbd_current(void);
void ps2_kbd_set_current(PS2KbdState *s);

/* A Linux KEY_* number from a QEMU-style "qcode" number: set 1, 0x80 | code for E0 keys. */
int ps2_keycode_from_qnum(unsigned qnum);

extern const VMStateDescription vmstate_ps2_kbd;
extern const VMStateDescription vmstate_ps2_mouse;

/* ---- Shared by the keyboard (ps2.c) and the mouse (ps2-mouse.c) ------------ */

#define PS2_QUEUE_MASK (PS2_QUEUE_SIZE - 1)
#define PS2_ACK     0xFA
#define PS2_RESEND  0xFE
#define PS2_BAT_OK  0xAA            /* basic assurance test passed */

void ps2_queue_clear(PS2State *s);
/* Tell the controller that bytes were queued. */
void ps2_notify(PS2State *s);
/* Input goes at the tail, whole or not at all; false if it did not fit. */
bool ps2_queue_input(PS2State *s, const uint8_t *buf, unsigned len);
/* A reply goes after earlier replies but before pending input. */
void ps2_queue_reply(PS2State *s, uint8_t b);

extern const VMStateDescription vmstate_ps2_common;

#endif
