#include "system/sysinfo.h"

#include <string.h>
#include <glib.h>

static char *vm_name;
static uint8_t vm_uuid[16];

void vm_set_name(const char *name)
{
    g_free(vm_name);
    vm_name = g_strdup(name);
}

const char *vm_get_name(void)
{
    return vm_name;
}

void vm_set_uuid(const uint8_t uuid[16])
{
    memcpy(vm_uuid, uuid, sizeof(vm_uuid));
}

void vm_get_uuid(uint8_t out[16])
{
    memcpy(out, vm_uuid, sizeof(vm_uuid));
}
