/*
 * The i8042 keyboard controller ("i8042"): ports 0x60 (data) and 0x64
 * (status/command), IRQ 1 for the keyboard and IRQ 12 for the mouse, with a
 * PS/2 keyboard and mouse behind it (hw/input/ps2.h).  Its output port
 * drives the A20 gate (an output line the board wires) and the system
 * reset (a reset request).
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include <stdbool.h>

#include "hw/core/irq.h"
#include "hw/isa/isa.h"

#define TYPE_I8042 "i8042"

/* Create and realize the controller on bus; NULL with errp set on failure. */
ISADevice *i8042_init(ISABus *bus, Error **errp);
/*
 * The line the output port's A20 bit drives (0xD1, 0xDD, 0xDF); NULL leaves
 * it unwired.  The A20 bit is 1 after reset and the line is not driven until
 * the guest changes it, so the board starts with A20 enabled.
 */
void i8042_set_a20_line(ISADevice *dev, IRQLine *a20_out);

/* Input from the UI: a Linux KEY_* code, and relative mouse motion (see ps2.h). */
void i8042_keyboard_event(ISADevice *dev, int linux_keycode, bool down);
void i8042_mouse_event(ISADevice *dev, int dx, int dy, int dz, unsigned buttons);

void i8042_register_types(void);

#endif
