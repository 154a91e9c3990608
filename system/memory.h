/*
 * The memory API.  Devices describe what they decode as MemoryRegions:
 *  - RAM (host memory, mmap'd), optionally read-only (ROM: writes ignored);
 *  - I/O (MMIO or port I/O: read/write callbacks with access-size rules);
 *  - aliases (a window onto part of another region);
 *  - containers (hold subregions at offsets; higher priority wins overlaps).
 * An AddressSpace ("memory", "io") has a root region; its FlatView is the
 * resolved, sorted list of ranges, rebuilt whenever the topology changes and
 * used for all dispatch.  Accelerators follow changes through listeners.
 *
 * An access that hits no region reads as all ones and is ignored on write
 * (logged under -d guest_errors); it never stops the emulator.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <glib.h>
#include "util/error.h"

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

typedef struct Object Object;
typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_DECODE_ERROR = 1,     /* nothing there (all ones was returned) */
    MEMTX_ERROR = 2,            /* the device refused the access */
} MemTxResult;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t val, unsigned size);
    /*
     * What the guest may do.  An access outside these rules reads all ones
     * and is ignored on write.  0 means 1 for min and 4 for max.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;         /* accept accesses not aligned to their size */
    } valid;
    /*
     * What the callbacks implement.  The core splits larger accesses into
     * several calls and widens smaller ones (read-modify for reads; for
     * writes the other bytes are zero).  0 means the valid values.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
    } impl;
} MemoryRegionOps;

typedef enum MemoryRegionType {
    MR_CONTAINER,
    MR_RAM,
    MR_IO,
    MR_ALIAS,
} MemoryRegionType;

/*
 * Embedded in the device that owns it.  The fields are the memory API's:
 * read them through the accessors below.
 */
struct MemoryRegion {
    MemoryRegionType type;
    char *name;
    Object *owner;
    uint64_t size;              /* UINT64_MAX stands for 2^64 */
    bool enabled;
    bool readonly;              /* RAM only: ROM semantics */
    bool ram_owned;             /* RAM we mmap'd and must unmap */
    uint8_t *ram;               /* RAM only */
    const MemoryRegionOps *ops; /* IO only */
    void *opaque;
    MemoryRegion *alias;        /* ALIAS only */
    hwaddr alias_offset;
    MemoryRegion *container;    /* where this region is mapped, or NULL */
    hwaddr addr;                /* offset within the container */
    int priority;
    bool may_overlap;
    GPtrArray *subregions;      /* CONTAINER: MemoryRegion *, highest priority first */
    GArray *ioeventfds;         /* IO only: MemoryRegionIoeventfd, offsets in the region */
    hwaddr coalesced_offset;    /* IO only: writes the accelerator may buffer */
    uint64_t coalesced_size;
};

/* A container: holds subregions only; unclaimed parts are unassigned. */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name, uint64_t size);
/* Device registers. */
void memory_region_init_io(MemoryRegion *mr, Object *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
/* Anonymous host RAM (zero filled). */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/* RAM with guest writes ignored (firmware). */
bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/* RAM over memory the caller owns. */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner, const char *name,
                                uint64_t size, void *ptr);
/* A window of size bytes onto orig starting at offset. */
void memory_region_init_alias(MemoryRegion *mr, Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size);
/* Unmap from its container and release RAM; the struct may then be freed. */
void memory_region_finalize(MemoryRegion *mr);

/* Map sub at offset in the container mr (priority 0, no overlap expected). */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset, MemoryRegion *sub);
/* Map sub where it may overlap others; the higher priority is visible. */
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/* Move a mapped region within its container. */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
/*
 * Writes to [offset, offset + size) of an IO region may be buffered by the
 * accelerator and delivered later, in order, before its next exit (KVM's
 * coalesced MMIO and PIO): for registers whose writes the guest cannot
 * observe until it makes another access, such as an index register.  One
 * range per region, set before the region is mapped.
 */
void memory_region_set_coalescing(MemoryRegion *mr, hwaddr offset, uint64_t size);

static inline uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

static inline const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

/* Host pointer to the start of a RAM region (NULL for other kinds). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/*
 * Attach an eventfd to [addr, addr + size) of an IO region (see
 * MemoryRegionIoeventfd).  The memory API only hands it to its listeners
 * (KVM_IOEVENTFD) wherever the region is mapped; it never signals fd
 * itself, so a write no accelerator took (the interpreter, another size, a
 * refused eventfd) still reaches the write callback.  A device therefore
 * adds eventfds only where AccelOps.ioeventfd_supported says they are
 * used, and its callback does what its eventfd handler does.
 */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);
/* Detach what memory_region_add_eventfd attached (the same arguments). */
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);

/*
 * Batch topology changes: the flat views are rebuilt and the listeners told
 * once, at the outermost commit.  Every mutator above begins and commits on
 * its own, so a batch is only an optimisation.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* ---- Address spaces and flat views ---------------------------------------- */

/* One resolved piece of an address space: [addr, addr+size) maps to mr at offset. */
typedef struct FlatRange {
    hwaddr addr;
    uint64_t size;              /* never 0; ranges are sorted and disjoint */
    MemoryRegion *mr;           /* a RAM or IO region (aliases are resolved) */
    hwaddr offset;              /* offset within mr of addr */
    bool readonly;
} FlatRange;

struct FlatView {
    unsigned ref;
    FlatRange *ranges;
    unsigned nr;
};

typedef struct MemoryListener MemoryListener;

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current;
    GPtrArray *listeners;       /* MemoryListener * */
    GArray *ioeventfds;         /* MemoryRegionIoeventfd at absolute addresses, sorted */
};

/*
 * An eventfd a guest write signals instead of calling the region's write
 * callback: a write of size bytes (0: of any size) at addr, with the value
 * data if match_data.  For memory_region_add_eventfd addr is an offset in
 * the region; listeners get the absolute address in their address space.
 */
typedef struct MemoryRegionIoeventfd {
    hwaddr addr;
    unsigned size;
    bool match_data;
    uint64_t data;
    int fd;
} MemoryRegionIoeventfd;

/*
 * Told of every change of an address space's flat view: begin, then
 * region_del for ranges that went away, region_add for new ones, then
 * eventfd_del and eventfd_add for the eventfds that left or reached an
 * address (a region moved, or a device added or removed one), then commit.
 * Any callback may be NULL.  On registration region_add and eventfd_add run
 * for everything current; on unregistration the _del callbacks.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *l);
    void (*region_add)(MemoryListener *l, const FlatRange *fr);
    void (*region_del)(MemoryListener *l, const FlatRange *fr);
    void (*commit)(MemoryListener *l);
    void *opaque;
    void (*eventfd_add)(MemoryListener *l, const MemoryRegionIoeventfd *e);
    void (*eventfd_del)(MemoryListener *l, const MemoryRegionIoeventfd *e);
};

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);
void memory_listener_register(MemoryListener *l, AddressSpace *as);
void memory_listener_unregister(MemoryListener *l, AddressSpace *as);

/* The current flat view with a reference (flatview_unref when done). */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_unref(FlatView *fv);
/* The range containing addr, or NULL (binary search). */
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);

/* Copy len bytes between guest and buf, splitting across regions as needed. */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf, hwaddr len);
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf, hwaddr len,
                             bool is_write);
/* One access of size 1, 2, 4 or 8 bytes (little endian), as a CPU does it. */
uint64_t address_space_ld(AddressSpace *as, hwaddr addr, unsigned size, MemTxResult *res);
void address_space_st(AddressSpace *as, hwaddr addr, uint64_t val, unsigned size,
                      MemTxResult *res);
/*
 * A host pointer for RAM at addr, valid for *plen bytes (clipped to the
 * RAM range), or NULL if addr is not RAM (or is ROM and is_write is set).
 * The fast path of the CPU's TLB and of DMA.
 */
void *address_space_ram_ptr(AddressSpace *as, hwaddr addr, hwaddr *plen, bool is_write);

/* ---- The machine's two address spaces -------------------------------------- */

/* The root containers ("system": 2^64 bytes; "io": 64 KiB), created on first use. */
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);
AddressSpace *address_space_memory(void);
AddressSpace *address_space_io(void);

/* info mtree: the region trees of both address spaces; flat: the flat views. */
void memory_print_tree(GString *out, bool flat);

#endif
