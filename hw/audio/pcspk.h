/*
 * PC speaker and port 0x61 ("isa-pcspk"): the NMI status and control
 * register of the PIIX south bridge.  Bit 0 gates PIT counter 2, bit 5 reads
 * its OUT.  No sound is produced.
 */
#ifndef HW_AUDIO_PCSPK_H
#define HW_AUDIO_PCSPK_H

#include "hw/isa/isa.h"
#include "hw/timer/i8254.h"

#define TYPE_PCSPK "isa-pcspk"

/* Port 0x61 on bus, wired to pit's counter 2; NULL with errp set on failure. */
ISADevice *pcspk_init(ISABus *bus, PITState *pit, Error **errp);

void pcspk_register_types(void);

#endif
