/* Every type kemu knows, registered in one readable order (main and tests call it). */
#ifndef HW_REGISTER_TYPES_H
#define HW_REGISTER_TYPES_H

void kemu_register_all_types(void);

#endif
