/* The VM's identity: -name and -uuid, shown by info name and info uuid. */
#ifndef SYSTEM_SYSINFO_H
#define SYSTEM_SYSINFO_H

#include <stdint.h>

/* Set the VM name (NULL clears it). */
void vm_set_name(const char *name);
/* The VM name, or NULL if none was given. */
const char *vm_get_name(void);
/* Set the VM UUID (16 bytes, in the order they are printed). */
void vm_set_uuid(const uint8_t uuid[16]);
/* The VM UUID; all zeros unless -uuid was given. */
void vm_get_uuid(uint8_t out[16]);

#endif
