/*
 * System Control Port A ("port92", I/O port 0x92): the "fast A20" gate and
 * a fast CPU reset, as on PS/2 machines and every PC chipset since.
 */
#ifndef HW_I386_PORT92_H
#define HW_I386_PORT92_H

#include "hw/core/irq.h"
#include "hw/isa/isa.h"

#define TYPE_PORT92 "port92"

/*
 * Create and realize the port on bus, driving a20_out (may be NULL) with
 * bit 1 on every write; NULL with errp set on failure.
 */
ISADevice *port92_init(ISABus *bus, IRQLine *a20_out, Error **errp);
void port92_set_a20_line(ISADevice *dev, IRQLine *a20_out);

void port92_register_types(void);

#endif
