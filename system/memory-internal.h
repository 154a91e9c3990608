/* What memory.c shares with memory-print.c; not for devices. */
#ifndef SYSTEM_MEMORY_INTERNAL_H
#define SYSTEM_MEMORY_INTERNAL_H

#include "system/memory.h"

/* Alias chains and nesting deeper than this are a loop in the tree. */
#define MEMORY_MAX_DEPTH 64

/* A region's last offset: sizes of UINT64_MAX stand for 2^64, so this never overflows. */
static inline uint64_t region_last(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;
}

static inline const char *region_name(const MemoryRegion *mr)
{
    return mr->name ? mr->name : "anonymous";
}

/* Every address space, in creation order (AddressSpace *). */
GPtrArray *memory_address_spaces(void);

#endif
