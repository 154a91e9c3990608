/* isa-debugcon: bytes written to a port (0xe9) go to a chardev. */
#ifndef HW_CHAR_DEBUGCON_H
#define HW_CHAR_DEBUGCON_H

#define TYPE_ISA_DEBUGCON "isa-debugcon"

void debugcon_register_types(void);

#endif
