/*
 * The monitor's "sendkey keys [hold-time]": press keys named like QEMU's
 * qcodes ("ctrl-alt-delete", or 0x.. numbers in QEMU's set 1 based
 * numbering), in order, on the current PS/2 keyboard (ps2_kbd_current),
 * and release them in reverse order hold-time ms later (default 100) by a
 * CLOCK_HOST timer, so the keys come up even while the VM is paused.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/input-event-codes.h>
#include <glib.h>

#include "hw/input/ps2.h"
#include "monitor/hmp.h"
#include "system/timer.h"
#include "util/error.h"

#define SENDKEY_MAX_KEYS    16
#define SENDKEY_HOLD_MS     100

typedef struct KeyName {
    const char *name;
    int keycode;
} KeyName;

static const KeyName key_names[] = {
    { "shift", KEY_LEFTSHIFT }, { "shift_r", KEY_RIGHTSHIFT },
    { "alt", KEY_LEFTALT }, { "alt_r", KEY_RIGHTALT }, { "altgr", KEY_RIGHTALT },
    { "altgr_r", KEY_RIGHTALT },
    { "ctrl", KEY_LEFTCTRL }, { "ctrl_r", KEY_RIGHTCTRL },
    { "menu", KEY_MENU }, { "compose", KEY_COMPOSE },
    { "meta_l", KEY_LEFTMETA }, { "meta_r", KEY_RIGHTMETA },
    { "esc", KEY_ESC },
    { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 }, { "5", KEY_5 },
    { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 }, { "0", KEY_0 },
    { "minus", KEY_MINUS }, { "equal", KEY_EQUAL }, { "backspace", KEY_BACKSPACE },
    { "tab", KEY_TAB },
    { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R }, { "t", KEY_T },
    { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I }, { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE },
    { "ret", KEY_ENTER },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F }, { "g", KEY_G },
    { "h", KEY_H }, { "j", KEY_J }, { "k", KEY_K }, { "l", KEY_L },
    { "semicolon", KEY_SEMICOLON }, { "apostrophe", KEY_APOSTROPHE },
    { "grave_accent", KEY_GRAVE }, { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V }, { "b", KEY_B },
    { "n", KEY_N }, { "m", KEY_M },
    { "comma", KEY_COMMA }, { "dot", KEY_DOT }, { "slash", KEY_SLASH },
    { "asterisk", KEY_KPASTERISK }, { "spc", KEY_SPACE }, { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 },
    { "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 },
    { "f9", KEY_F9 }, { "f10", KEY_F10 }, { "f11", KEY_F11 }, { "f12", KEY_F12 },
    { "f13", KEY_F13 }, { "f14", KEY_F14 }, { "f15", KEY_F15 },
    { "num_lock", KEY_NUMLOCK }, { "scroll_lock", KEY_SCROLLLOCK },
    { "kp_divide", KEY_KPSLASH }, { "kp_multiply", KEY_KPASTERISK },
    { "kp_subtract", KEY_KPMINUS }, { "kp_add", KEY_KPPLUS }, { "kp_enter", KEY_KPENTER },
    { "kp_decimal", KEY_KPDOT }, { "kp_equals", KEY_KPEQUAL }, { "kp_comma", KEY_KPCOMMA },
    { "kp_0", KEY_KP0 }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 }, { "kp_3", KEY_KP3 },
    { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 }, { "kp_6", KEY_KP6 }, { "kp_7", KEY_KP7 },
    { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 },
    { "sysrq", KEY_SYSRQ }, { "print", KEY_SYSRQ }, { "pause", KEY_PAUSE },
    { "less", KEY_102ND },
    { "home", KEY_HOME }, { "pgup", KEY_PAGEUP }, { "pgdn", KEY_PAGEDOWN }, { "end", KEY_END },
    { "left", KEY_LEFT }, { "up", KEY_UP }, { "down", KEY_DOWN }, { "right", KEY_RIGHT },
    { "insert", KEY_INSERT }, { "delete", KEY_DELETE },
    { "ro", KEY_RO }, { "hiragana", KEY_HIRAGANA }, { "katakanahiragana", KEY_KATAKANAHIRAGANA },
    { "henkan", KEY_HENKAN }, { "muhenkan", KEY_MUHENKAN }, { "yen", KEY_YEN },
    { "lang1", KEY_HANGEUL }, { "lang2", KEY_HANJA },
    { "power", KEY_POWER }, { "sleep", KEY_SLEEP }, { "wake", KEY_WAKEUP },
    { "audionext", KEY_NEXTSONG }, { "audioprev", KEY_PREVIOUSSONG },
    { "audiostop", KEY_STOPCD }, { "audioplay", KEY_PLAYPAUSE }, { "audiomute", KEY_MUTE },
    { "volumeup", KEY_VOLUMEUP }, { "volumedown", KEY_VOLUMEDOWN },
    { "mediaselect", KEY_MEDIA }, { "mail", KEY_MAIL }, { "calculator", KEY_CALC },
    { "computer", KEY_COMPUTER },
    { "ac_home", KEY_HOMEPAGE }, { "ac_back", KEY_BACK }, { "ac_forward", KEY_FORWARD },
    { "ac_refresh", KEY_REFRESH }, { "ac_bookmarks", KEY_BOOKMARKS },
    /* Sun keys: known names, but a PC keyboard has no scancode for them. */
    { "stop", KEY_STOP }, { "again", KEY_AGAIN }, { "props", KEY_PROPS }, { "undo", KEY_UNDO },
    { "front", KEY_FRONT }, { "copy", KEY_COPY }, { "open", KEY_OPEN }, { "paste", KEY_PASTE },
    { "find", KEY_FIND }, { "cut", KEY_CUT }, { "lf", KEY_LINEFEED }, { "help", KEY_HELP },
};

/* Keys pressed by the last sendkey and not released yet. */
static struct {
    Timer *timer;
    int keys[SENDKEY_MAX_KEYS];
    int count;
} sendkey_held;

/* A key by name or 0x number, or -1. */
static int sendkey_parse_key(const char *name)
{
    if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
        char *end;
        unsigned long v = strtoul(name + 2, &end, 16);
        if (name[2] == '\0' || *end != '\0' || v > 0xff) {
            return -1;
        }
        return ps2_keycode_from_qnum(v);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(key_names); i++) {
        if (!strcmp(key_names[i].name, name)) {
            return key_names[i].keycode;
        }
    }
    return -1;
}

static void sendkey_release(void *opaque)
{
    PS2KbdState *kbd = ps2_kbd_current();
    for (int i = sendkey_held.count - 1; i >= 0; i--) {
        if (kbd) {
            ps2_keyboard_event(kbd, sendkey_held.keys[i], false);
        }
    }
    sendkey_held.count = 0;
}

void hmp_sendkey(Monitor *mon, const HmpArgs *args)
{
    const char *text = hmp_arg_str(args, "keys");
    int64_t hold_ms = hmp_arg_int(args, "hold-time", SENDKEY_HOLD_MS);
    int keys[SENDKEY_MAX_KEYS];
    int count = 0;

    if (hold_ms < 0 || hold_ms > 60 * 60 * 1000) {
        error_report("invalid hold time: %" PRId64, hold_ms);
        return;
    }
    gchar **names = g_strsplit(text ? text : "", "-", -1);
    for (int i = 0; names[i]; i++) {
        int key = sendkey_parse_key(names[i]);
        if (key < 0) {
            error_report("invalid parameter: %s", names[i]);
            g_strfreev(names);
            return;
        }
        if (count == SENDKEY_MAX_KEYS) {
            error_report("too many keys");
            g_strfreev(names);
            return;
        }
        keys[count++] = key;
    }
    g_strfreev(names);

    PS2KbdState *kbd = ps2_kbd_current();
    if (!kbd) {
        error_report("no keyboard");
        return;
    }
    /* Keys still held by an earlier sendkey come up first. */
    if (sendkey_held.count) {
        timer_del(sendkey_held.timer);
        sendkey_release(NULL);
    }
    for (int i = 0; i < count; i++) {
        ps2_keyboard_event(kbd, keys[i], true);
        sendkey_held.keys[i] = keys[i];
    }
    sendkey_held.count = count;
    if (!sendkey_held.timer) {
        sendkey_held.timer = timer_new(CLOCK_HOST, sendkey_release, NULL);
    }
    timer_mod(sendkey_held.timer, clock_get_ns(CLOCK_HOST) + hold_ms * 1000000);
}
