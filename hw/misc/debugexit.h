/* isa-debug-exit: a write of v to its port exits kemu with status (v << 1) | 1. */
#ifndef HW_MISC_DEBUGEXIT_H
#define HW_MISC_DEBUGEXIT_H

#define TYPE_ISA_DEBUG_EXIT "isa-debug-exit"

void debugexit_register_types(void);

#endif
