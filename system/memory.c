/*
 * The memory API: region trees, their flat views, listeners and dispatch.
 *
 * Conventions used throughout:
 *  - A size of UINT64_MAX stands for 2^64, so a region's extent is kept as an
 *    inclusive last offset (region_last()), which never overflows.
 *  - A FlatRange's size is a true size and therefore below 2^64: a range that
 *    would cover the whole space is stored as two halves.
 *  - Priority is local to a container.  Among equal priorities the region
 *    added last wins.  A container's holes let lower-priority siblings show.
 *  - Topology changes happen under the global lock.  Other threads only read
 *    AddressSpace.current, through address_space_get_flatview().
 */
#include <stdint.h>
#include <string.h>
#include <inttypes.h>
#include <errno.h>
#include <sys/mman.h>
#include "system/memory.h"
#include "system/memory-internal.h"
#include "util/log.h"

static unsigned transaction_depth;
static bool topology_pending;
static GPtrArray *address_spaces;       /* AddressSpace *, in creation order */

GPtrArray *memory_address_spaces(void)
{
    return address_spaces;
}

/*
 * Taking a reference on as->current must not race with the writer dropping
 * the last one; with no RCU, the load and the increment are done under this
 * lock.  Uncontended it costs one atomic pair, and nothing is allocated.
 */
static GMutex flatview_ref_lock;

static const MemoryRegionOps io_ops_none;

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

static inline uint64_t ldn_le(const void *p, unsigned size)
{
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    switch (size) {
    case 1:
        return *(const uint8_t *)p;
    case 2:
        memcpy(&v16, p, 2);
        return GUINT16_FROM_LE(v16);
    case 4:
        memcpy(&v32, p, 4);
        return GUINT32_FROM_LE(v32);
    case 8:
        memcpy(&v64, p, 8);
        return GUINT64_FROM_LE(v64);
    }
    g_assert_not_reached();
}

static inline void stn_le(void *p, unsigned size, uint64_t val)
{
    uint16_t v16 = GUINT16_TO_LE((uint16_t)val);
    uint32_t v32 = GUINT32_TO_LE((uint32_t)val);
    uint64_t v64 = GUINT64_TO_LE(val);

    switch (size) {
    case 1:
        *(uint8_t *)p = val;
        return;
    case 2:
        memcpy(p, &v16, 2);
        return;
    case 4:
        memcpy(p, &v32, 4);
        return;
    case 8:
        memcpy(p, &v64, 8);
        return;
    }
    g_assert_not_reached();
}

/* ---- Regions ---------------------------------------------------------------- */

static void region_init_common(MemoryRegion *mr, MemoryRegionType type, Object *owner,
                               const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->type = type;
    mr->name = g_strdup(name);
    mr->owner = owner;
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name, uint64_t size)
{
    region_init_common(mr, MR_CONTAINER, owner, name, size);
}

static bool access_size_ok(unsigned s)
{
    return s == 0 || s == 1 || s == 2 || s == 4 || s == 8;
}

void memory_region_init_io(MemoryRegion *mr, Object *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    if (!ops) {
        ops = &io_ops_none;
    }
    g_assert(access_size_ok(ops->valid.min_access_size));
    g_assert(access_size_ok(ops->valid.max_access_size));
    g_assert(access_size_ok(ops->impl.min_access_size));
    g_assert(access_size_ok(ops->impl.max_access_size));
    region_init_common(mr, MR_IO, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

#define RAM_HUGE_ALIGN (2 * 1024 * 1024)

/*
 * Anonymous memory for RAM.  NORESERVE: guests touch a fraction of large RAM;
 * don't charge it all up front.  Large blocks are aligned to 2 MiB and
 * offered to transparent huge pages: guest accesses spread over the whole of
 * RAM, and with 4 KiB host pages the host's TLB misses on most of them.
 */
static void *ram_mmap(uint64_t size)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

    if (size < RAM_HUGE_ALIGN || size > SIZE_MAX - RAM_HUGE_ALIGN) {
        return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    }
    uint8_t *p = mmap(NULL, size + RAM_HUGE_ALIGN, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) {
        return p;
    }
    uintptr_t start = ((uintptr_t)p + RAM_HUGE_ALIGN - 1) & ~(uintptr_t)(RAM_HUGE_ALIGN - 1);
    uint8_t *aligned = (uint8_t *)start;
    if (aligned > p) {
        munmap(p, aligned - p);
    }
    munmap(aligned + size, (p + size + RAM_HUGE_ALIGN) - (aligned + size));
#ifdef MADV_HUGEPAGE
    madvise(aligned, size, MADV_HUGEPAGE);   /* advice only: failure is harmless */
#endif
    return aligned;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    void *p;

    if (size == 0 || size == UINT64_MAX) {
        error_setg(errp, "cannot allocate RAM '%s' of size 0x%" PRIx64,
                   name ? name : "", size);
        return false;
    }
    p = ram_mmap(size);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot allocate %" PRIu64 " bytes of RAM for '%s'",
                         size, name ? name : "");
        return false;
    }
    region_init_common(mr, MR_RAM, owner, name, size);
    mr->ram = p;
    mr->ram_owned = true;
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner, const char *name,
                                uint64_t size, void *ptr)
{
    region_init_common(mr, MR_RAM, owner, name, size);
    mr->ram = ptr;
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size)
{
    g_assert(orig);
    region_init_common(mr, MR_ALIAS, owner, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_finalize(MemoryRegion *mr)
{
    memory_region_transaction_begin();
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    if (mr->subregions) {
        for (guint i = 0; i < mr->subregions->len; i++) {
            MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);
            sub->container = NULL;
        }
        g_ptr_array_free(mr->subregions, true);
        mr->subregions = NULL;
        topology_pending = true;
    }
    memory_region_transaction_commit();

    if (mr->ram_owned) {
        munmap(mr->ram, mr->size);
    }
    mr->ram = NULL;
    mr->ram_owned = false;
    if (mr->ioeventfds) {
        g_array_free(mr->ioeventfds, true);
        mr->ioeventfds = NULL;
    }
    g_free(mr->name);
    mr->name = NULL;
}

/*
 * Any region may hold subregions, as in QEMU; for RAM and IO the region's own
 * contents show where no subregion does.  The contract only needs containers.
 */
static void subregion_insert(MemoryRegion *mr, hwaddr offset, MemoryRegion *sub,
                             int priority, bool may_overlap)
{
    guint i;

    g_assert(sub->container == NULL);
    g_assert(sub != mr);
    memory_region_transaction_begin();
    if (!mr->subregions) {
        mr->subregions = g_ptr_array_new();
    }
    sub->container = mr;
    sub->addr = offset;
    sub->priority = priority;
    sub->may_overlap = may_overlap;
    /* Highest priority first; before its equals, so the latest added wins. */
    for (i = 0; i < mr->subregions->len; i++) {
        MemoryRegion *other = g_ptr_array_index(mr->subregions, i);
        if (other->priority <= priority) {
            break;
        }
    }
    g_ptr_array_insert(mr->subregions, i, sub);
    topology_pending = true;
    memory_region_transaction_commit();
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset, MemoryRegion *sub)
{
    subregion_insert(mr, offset, sub, 0, false);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *sub, int priority)
{
    subregion_insert(mr, offset, sub, priority, true);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *sub)
{
    g_assert(sub->container == mr);
    memory_region_transaction_begin();
    g_ptr_array_remove(mr->subregions, sub);
    sub->container = NULL;
    topology_pending = true;
    memory_region_transaction_commit();
}

static void region_changed(void)
{
    memory_region_transaction_begin();
    topology_pending = true;
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        region_changed();
    }
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    if (mr->addr != addr) {
        mr->addr = addr;
        region_changed();
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    g_assert(mr->type == MR_ALIAS);
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        region_changed();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        region_changed();
    }
}

void memory_region_set_coalescing(MemoryRegion *mr, hwaddr offset, uint64_t size)
{
    g_assert(mr->type == MR_IO && !mr->container && offset + size <= mr->size);
    mr->coalesced_offset = offset;
    mr->coalesced_size = size;
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    /* The mapping's length is mr->size; resizing would lose it. */
    g_assert(!mr->ram_owned);
    if (mr->size != size) {
        mr->size = size;
        region_changed();
    }
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    return mr->type == MR_RAM ? mr->ram : NULL;
}

/* ---- Eventfds ------------------------------------------------------------------ */

static int ioeventfd_cmp(const MemoryRegionIoeventfd *a, const MemoryRegionIoeventfd *b)
{
    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    if (a->size != b->size) {
        return a->size < b->size ? -1 : 1;
    }
    if (a->match_data != b->match_data) {
        return a->match_data ? 1 : -1;
    }
    if (a->match_data && a->data != b->data) {
        return a->data < b->data ? -1 : 1;
    }
    return a->fd == b->fd ? 0 : a->fd < b->fd ? -1 : 1;
}

static gint ioeventfd_cmp_cb(gconstpointer a, gconstpointer b)
{
    return ioeventfd_cmp(a, b);
}

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    MemoryRegionIoeventfd e = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .fd = fd,
    };

    g_assert(mr->type == MR_IO && fd >= 0);
    g_assert(size == 0 ? !match_data : access_size_ok(size));
    if (!mr->ioeventfds) {
        mr->ioeventfds = g_array_new(false, false, sizeof(MemoryRegionIoeventfd));
    }
    g_array_append_val(mr->ioeventfds, e);
    region_changed();
}

void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    MemoryRegionIoeventfd e = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .fd = fd,
    };

    for (guint i = 0; mr->ioeventfds && i < mr->ioeventfds->len; i++) {
        if (!ioeventfd_cmp(&g_array_index(mr->ioeventfds, MemoryRegionIoeventfd, i), &e)) {
            g_array_remove_index(mr->ioeventfds, i);
            region_changed();
            return;
        }
    }
    g_assert_not_reached();     /* deleting what was never added */
}

/*
 * The eventfds of a flat view at absolute addresses, sorted.  An eventfd
 * counts where its whole access lies in one range of its region; a region
 * mapped twice (through aliases) has it at both places.
 */
static GArray *ioeventfds_render(const FlatView *fv)
{
    GArray *out = g_array_new(false, false, sizeof(MemoryRegionIoeventfd));

    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        GArray *fds = fr->mr->ioeventfds;

        for (guint k = 0; fds && k < fds->len; k++) {
            MemoryRegionIoeventfd e = g_array_index(fds, MemoryRegionIoeventfd, k);
            uint64_t len = e.size ? e.size : 1;
            if (e.addr < fr->offset || e.addr - fr->offset >= fr->size ||
                len > fr->size - (e.addr - fr->offset)) {
                continue;
            }
            e.addr = fr->addr + (e.addr - fr->offset);
            g_array_append_val(out, e);
        }
    }
    g_array_sort(out, ioeventfd_cmp_cb);
    return out;
}

static bool ioeventfds_equal(const GArray *a, const GArray *b)
{
    if (a->len != b->len) {
        return false;
    }
    for (guint i = 0; i < a->len; i++) {
        if (ioeventfd_cmp(&g_array_index(a, MemoryRegionIoeventfd, i),
                          &g_array_index(b, MemoryRegionIoeventfd, i))) {
            return false;
        }
    }
    return true;
}

/* Like listener_diff: with adding false, the eventfds that went; with true, the new ones. */
static void ioeventfd_diff(MemoryListener *l, const GArray *old, const GArray *new,
                           bool adding)
{
    guint i = 0, j = 0;

    while (i < old->len || j < new->len) {
        const MemoryRegionIoeventfd *o =
            i < old->len ? &g_array_index(old, MemoryRegionIoeventfd, i) : NULL;
        const MemoryRegionIoeventfd *n =
            j < new->len ? &g_array_index(new, MemoryRegionIoeventfd, j) : NULL;
        int c = !o ? 1 : !n ? -1 : ioeventfd_cmp(o, n);

        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            if (!adding && l->eventfd_del) {
                l->eventfd_del(l, o);
            }
            i++;
        } else {
            if (adding && l->eventfd_add) {
                l->eventfd_add(l, n);
            }
            j++;
        }
    }
}

/* ---- Rendering -------------------------------------------------------------- */

/* A range being rendered, with an inclusive end so 2^64 fits. */
typedef struct RenderRange {
    hwaddr lo, hi;
    MemoryRegion *mr;
    hwaddr offset;
    bool readonly;
} RenderRange;

/* Index of the first range whose end is at or after addr. */
static guint render_search(GArray *rr, hwaddr addr)
{
    guint lo = 0, hi = rr->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(rr, RenderRange, mid).hi < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * Map [lo, hi] to mr at offset wherever nothing is mapped yet: regions are
 * rendered highest priority first, so what is already there wins.
 */
static void render_insert(GArray *rr, hwaddr lo, hwaddr hi, MemoryRegion *mr,
                          hwaddr offset, bool readonly)
{
    guint i = render_search(rr, lo);
    hwaddr cur = lo;

    for (;;) {
        RenderRange *r = i < rr->len ? &g_array_index(rr, RenderRange, i) : NULL;
        hwaddr gap_end;

        if (r && r->lo <= cur) {
            if (r->hi >= hi) {
                return;
            }
            cur = r->hi + 1;
            i++;
            continue;
        }
        gap_end = (r && r->lo <= hi) ? r->lo - 1 : hi;
        RenderRange nr = {
            .lo = cur, .hi = gap_end, .mr = mr,
            .offset = offset + (cur - lo), .readonly = readonly,
        };
        g_array_insert_val(rr, i, nr);
        if (gap_end == hi) {
            return;
        }
        cur = gap_end + 1;
        i++;
    }
}

/* Render offsets [off_lo, off_hi] of mr at address abs. */
static void render_region(GArray *rr, MemoryRegion *mr, hwaddr off_lo, hwaddr off_hi,
                          hwaddr abs, bool readonly, unsigned depth)
{
    g_assert(depth < MEMORY_MAX_DEPTH);
    if (!mr->enabled || mr->size == 0 || off_lo > region_last(mr)) {
        return;
    }
    off_hi = MIN(off_hi, region_last(mr));
    readonly |= mr->readonly;

    if (mr->type == MR_ALIAS) {
        hwaddr a_lo = off_lo + mr->alias_offset;
        hwaddr a_hi = off_hi + mr->alias_offset;
        if (a_lo < off_lo) {
            return;                     /* the window starts beyond 2^64 */
        }
        if (a_hi < off_hi) {
            a_hi = UINT64_MAX;
        }
        render_region(rr, mr->alias, a_lo, a_hi, abs, readonly, depth + 1);
        return;
    }

    for (guint i = 0; mr->subregions && i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);
        hwaddr sub_hi, lo, hi;

        if (!sub->enabled || sub->size == 0) {
            continue;
        }
        sub_hi = sub->addr + region_last(sub);
        if (sub_hi < sub->addr) {
            sub_hi = UINT64_MAX;        /* clipped at the top of the container */
        }
        lo = MAX(sub->addr, off_lo);
        hi = MIN(sub_hi, off_hi);
        if (lo > hi) {
            continue;
        }
        render_region(rr, sub, lo - sub->addr, hi - sub->addr, abs + (lo - off_lo),
                      readonly, depth + 1);
    }

    if (mr->type == MR_RAM || mr->type == MR_IO) {
        render_insert(rr, abs, abs + (off_hi - off_lo), mr, off_lo, readonly);
    }
}

static bool render_can_merge(const RenderRange *a, const RenderRange *b)
{
    return a->hi + 1 == b->lo && a->mr == b->mr && a->readonly == b->readonly &&
           a->offset + (a->hi - a->lo + 1) == b->offset &&
           !(a->lo == 0 && b->hi == UINT64_MAX);
}

static FlatView *flatview_render(MemoryRegion *root)
{
    GArray *rr = g_array_new(false, false, sizeof(RenderRange));
    FlatView *fv = g_new0(FlatView, 1);
    guint n = 0;

    if (root) {
        render_region(rr, root, 0, UINT64_MAX, 0, false, 0);
    }
    /* Merge neighbours that continue the same region. */
    for (guint i = 0; i < rr->len; i++) {
        RenderRange *r = &g_array_index(rr, RenderRange, i);
        if (n > 0 && render_can_merge(&g_array_index(rr, RenderRange, n - 1), r)) {
            g_array_index(rr, RenderRange, n - 1).hi = r->hi;
        } else {
            g_array_index(rr, RenderRange, n++) = *r;
        }
    }

    fv->ref = 1;
    fv->ranges = g_new(FlatRange, n + 1);
    for (guint i = 0; i < n; i++) {
        RenderRange *r = &g_array_index(rr, RenderRange, i);
        FlatRange fr = {
            .addr = r->lo, .mr = r->mr, .offset = r->offset, .readonly = r->readonly,
        };
        if (r->hi - r->lo == UINT64_MAX) {
            /* 2^64 bytes do not fit a size: store two halves. */
            fr.size = UINT64_C(1) << 63;
            fv->ranges[fv->nr++] = fr;
            fr.addr += fr.size;
            fr.offset += fr.size;
        } else {
            fr.size = r->hi - r->lo + 1;
        }
        fv->ranges[fv->nr++] = fr;
    }
    g_array_free(rr, true);
    return fv;
}

/* Index of the first range ending at or after addr (fv->nr if none). */
static unsigned flatview_search(const FlatView *fv, hwaddr addr)
{
    unsigned lo = 0, hi = fv->nr;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const FlatRange *fr = &fv->ranges[mid];
        if (fr->addr + (fr->size - 1) < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr)
{
    unsigned i = flatview_search(fv, addr);

    if (i < fv->nr && fv->ranges[i].addr <= addr) {
        return &fv->ranges[i];
    }
    return NULL;
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    FlatView *fv;

    g_mutex_lock(&flatview_ref_lock);
    fv = g_atomic_pointer_get(&as->current);
    g_atomic_int_inc((gint *)&fv->ref);
    g_mutex_unlock(&flatview_ref_lock);
    return fv;
}

void flatview_unref(FlatView *fv)
{
    if (fv && g_atomic_int_dec_and_test((gint *)&fv->ref)) {
        g_free(fv->ranges);
        g_free(fv);
    }
}

/* ---- Transactions and listeners --------------------------------------------- */

static bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->addr == b->addr && a->size == b->size && a->mr == b->mr &&
           a->offset == b->offset && a->readonly == b->readonly;
}

static bool flatview_equal(const FlatView *a, const FlatView *b)
{
    if (a->nr != b->nr) {
        return false;
    }
    for (unsigned i = 0; i < a->nr; i++) {
        if (!flatrange_equal(&a->ranges[i], &b->ranges[i])) {
            return false;
        }
    }
    return true;
}

/*
 * Walk both sorted views together.  With adding false, report the old
 * ranges that are gone or changed; with adding true, the new ones.  Deletions
 * all come first so a listener (KVM slots) never sees two ranges overlap.
 */
static void listener_diff(MemoryListener *l, const FlatView *old, const FlatView *new,
                          bool adding)
{
    unsigned i = 0, j = 0;

    while (i < old->nr || j < new->nr) {
        const FlatRange *o = i < old->nr ? &old->ranges[i] : NULL;
        const FlatRange *n = j < new->nr ? &new->ranges[j] : NULL;

        if (o && n && flatrange_equal(o, n)) {
            i++;
            j++;
        } else if (o && (!n || o->addr <= n->addr)) {
            if (!adding && l->region_del) {
                l->region_del(l, o);
            }
            i++;
        } else {
            if (adding && l->region_add) {
                l->region_add(l, n);
            }
            j++;
        }
    }
}

static void address_space_update(AddressSpace *as)
{
    FlatView *old = as->current;
    FlatView *new = flatview_render(as->root);
    bool topology = !flatview_equal(old, new);
    GArray *old_fds = as->ioeventfds;
    GArray *new_fds;

    if (topology) {
        g_mutex_lock(&flatview_ref_lock);
        g_atomic_pointer_set(&as->current, new);
        g_mutex_unlock(&flatview_ref_lock);
    } else {
        flatview_unref(new);
        new = old;
    }
    /* Eventfds also change without the topology (a device added one). */
    new_fds = ioeventfds_render(new);
    if (!topology && ioeventfds_equal(old_fds, new_fds)) {
        g_array_free(new_fds, true);
        return;
    }
    as->ioeventfds = new_fds;

    for (guint k = 0; k < as->listeners->len; k++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, k);
        if (l->begin) {
            l->begin(l);
        }
        if (topology) {
            listener_diff(l, old, new, false);
            listener_diff(l, old, new, true);
        }
        ioeventfd_diff(l, old_fds, new_fds, false);
        ioeventfd_diff(l, old_fds, new_fds, true);
        if (l->commit) {
            l->commit(l);
        }
    }
    g_array_free(old_fds, true);
    if (topology) {
        flatview_unref(old);
    }
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (--transaction_depth > 0) {
        return;
    }
    /* Stay inside a transaction so listeners' own changes queue a new pass. */
    transaction_depth++;
    while (topology_pending) {
        topology_pending = false;
        for (guint i = 0; address_spaces && i < address_spaces->len; i++) {
            address_space_update(g_ptr_array_index(address_spaces, i));
        }
    }
    transaction_depth--;
}

static void listener_replay(MemoryListener *l, AddressSpace *as, bool adding)
{
    FlatView *fv = as->current;
    GArray *fds = as->ioeventfds;

    if (l->begin) {
        l->begin(l);
    }
    /* Eventfds go before the ranges that hold them and come after them. */
    for (guint i = 0; !adding && l->eventfd_del && i < fds->len; i++) {
        l->eventfd_del(l, &g_array_index(fds, MemoryRegionIoeventfd, i));
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        if (adding && l->region_add) {
            l->region_add(l, &fv->ranges[i]);
        } else if (!adding && l->region_del) {
            l->region_del(l, &fv->ranges[i]);
        }
    }
    for (guint i = 0; adding && l->eventfd_add && i < fds->len; i++) {
        l->eventfd_add(l, &g_array_index(fds, MemoryRegionIoeventfd, i));
    }
    if (l->commit) {
        l->commit(l);
    }
}

void memory_listener_register(MemoryListener *l, AddressSpace *as)
{
    g_ptr_array_add(as->listeners, l);
    listener_replay(l, as, true);
}

/* Unregistering reports every current range as deleted, like QEMU does. */
void memory_listener_unregister(MemoryListener *l, AddressSpace *as)
{
    if (g_ptr_array_remove(as->listeners, l)) {
        listener_replay(l, as, false);
    }
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    as->name = g_strdup(name);
    as->root = root;
    as->listeners = g_ptr_array_new();
    as->current = flatview_render(root);
    as->ioeventfds = ioeventfds_render(as->current);
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(address_spaces, as);
}

void address_space_destroy(AddressSpace *as)
{
    while (as->listeners->len > 0) {
        memory_listener_unregister(g_ptr_array_index(as->listeners, 0), as);
    }
    g_ptr_array_remove(address_spaces, as);
    g_ptr_array_free(as->listeners, true);
    as->listeners = NULL;
    g_array_free(as->ioeventfds, true);
    as->ioeventfds = NULL;
    g_mutex_lock(&flatview_ref_lock);
    FlatView *fv = as->current;
    g_atomic_pointer_set(&as->current, NULL);
    g_mutex_unlock(&flatview_ref_lock);
    flatview_unref(fv);
    g_free(as->name);
    as->name = NULL;
}

/* ---- Dispatch ----------------------------------------------------------------- */

static inline MemTxResult memtx_merge(MemTxResult a, MemTxResult b)
{
    return a > b ? a : b;       /* the most severe wins */
}

static inline unsigned ops_valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static inline unsigned ops_valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static uint64_t io_call_read(MemoryRegion *mr, hwaddr off, unsigned size)
{
    return mr->ops->read(mr->opaque, off, size) & size_mask(size);
}

/*
 * Give the callbacks accesses of impl.min..impl.max bytes.  Larger accesses
 * become several calls, lowest address first (little endian).  Smaller ones
 * are widened to the aligned impl.min words that cover them: reads extract
 * the bytes, writes send the word with the value in place and other bytes 0.
 */
static void io_access_impl(MemoryRegion *mr, hwaddr off, uint64_t *val, unsigned size,
                           bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops->impl.min_access_size ? ops->impl.min_access_size
                                              : ops_valid_min(ops);
    unsigned imax = ops->impl.max_access_size ? ops->impl.max_access_size
                                              : ops_valid_max(ops);
    uint8_t scratch[16] = { 0 };
    hwaddr base;
    unsigned skip, piece, count;

    if (size >= imin && size <= imax) {
        if (is_write) {
            ops->write(mr->opaque, off, *val & size_mask(size), size);
        } else {
            *val = io_call_read(mr, off, size);
        }
        return;
    }
    if (size > imax) {
        base = off;
        skip = 0;
        piece = imax;
        count = size / imax;
    } else {
        base = off & ~(hwaddr)(imin - 1);
        skip = off - base;
        piece = imin;
        count = (skip + size + imin - 1) / imin;    /* 2 if it straddles */
    }
    if (is_write) {
        stn_le(scratch + skip, size, *val);
        for (unsigned k = 0; k < count; k++) {
            ops->write(mr->opaque, base + k * piece, ldn_le(scratch + k * piece, piece), piece);
        }
    } else {
        for (unsigned k = 0; k < count; k++) {
            stn_le(scratch + k * piece, piece, io_call_read(mr, base + k * piece, piece));
        }
        *val = ldn_le(scratch + skip, size);
    }
}

/* One guest access of size 1/2/4/8 to an IO region, checked against valid. */
static MemTxResult io_access(MemoryRegion *mr, hwaddr off, uint64_t *val, unsigned size,
                             bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    bool has_cb = is_write ? ops->write != NULL : ops->read != NULL;

    if (size < ops_valid_min(ops) || size > ops_valid_max(ops) ||
        (!ops->valid.unaligned && (off & (size - 1))) || !has_cb) {
        log_mask(LOG_GUEST_ERROR, "%s: invalid %s of %u bytes at offset 0x%" HWADDR_PRIx
                 "\n", region_name(mr), is_write ? "write" : "read", size, off);
        if (!is_write) {
            *val = size_mask(size);
        }
        return MEMTX_ERROR;
    }
    io_access_impl(mr, off, val, size, is_write);
    return MEMTX_OK;
}

/* The largest access of at most len bytes the region lets the guest make at off. */
static unsigned io_access_size(MemoryRegion *mr, hwaddr off, hwaddr len)
{
    unsigned max = ops_valid_max(mr->ops);
    unsigned size = 8;

    while (size > 1 && (size > max || size > len ||
                        (!mr->ops->valid.unaligned && (off & (size - 1))))) {
        size >>= 1;
    }
    return size;
}

static MemTxResult io_rw_buffer(MemoryRegion *mr, hwaddr off, uint8_t *buf, hwaddr len,
                                bool is_write)
{
    MemTxResult res = MEMTX_OK;

    while (len > 0) {
        unsigned size = io_access_size(mr, off, len);
        uint64_t val = 0;

        if (is_write) {
            val = ldn_le(buf, size);
        }
        res = memtx_merge(res, io_access(mr, off, &val, size, is_write));
        if (!is_write) {
            stn_le(buf, size, val);
        }
        off += size;
        buf += size;
        len -= size;
    }
    return res;
}

static void unassigned_log(AddressSpace *as, hwaddr addr, hwaddr len, bool is_write)
{
    log_mask(LOG_GUEST_ERROR, "%s: unassigned %s of %" PRIu64 " bytes at 0x%"
             HWADDR_PRIx "\n", as->name, is_write ? "write" : "read", len, addr);
}

static MemTxResult flatview_rw(AddressSpace *as, FlatView *fv, hwaddr addr, uint8_t *buf,
                               hwaddr len, bool is_write)
{
    MemTxResult res = MEMTX_OK;
    unsigned i = flatview_search(fv, addr);

    while (len > 0) {
        const FlatRange *fr = i < fv->nr ? &fv->ranges[i] : NULL;
        hwaddr n;

        if (fr && fr->addr <= addr) {
            hwaddr off = fr->offset + (addr - fr->addr);
            n = MIN(len, fr->size - (addr - fr->addr));
            if (fr->mr->type == MR_IO) {
                res = memtx_merge(res, io_rw_buffer(fr->mr, off, buf, n, is_write));
            } else if (!is_write) {
                memcpy(buf, fr->mr->ram + off, n);
            } else if (!fr->readonly) {
                memcpy(fr->mr->ram + off, buf, n);
            }   /* else: ROM, the write is dropped */
            i++;
        } else {
            /* Unassigned up to the next range, or to the top of the space. */
            n = fr ? MIN(len, fr->addr - addr) : (addr ? MIN(len, 0 - addr) : len);
            if (!is_write) {
                memset(buf, 0xff, n);
            }
            unassigned_log(as, addr, n, is_write);
            res = memtx_merge(res, MEMTX_DECODE_ERROR);
        }
        addr += n;
        buf += n;
        len -= n;
        if (addr == 0 && len > 0) {
            i = 0;                      /* wrapped past 2^64 */
        }
    }
    return res;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf, hwaddr len,
                             bool is_write)
{
    FlatView *fv = address_space_get_flatview(as);
    MemTxResult res = flatview_rw(as, fv, addr, buf, len, is_write);

    flatview_unref(fv);
    return res;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf, hwaddr len)
{
    return address_space_rw(as, addr, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf, hwaddr len)
{
    /* flatview_rw does not write to buf when is_write is set. */
    return address_space_rw(as, addr, (void *)buf, len, true);
}

/*
 * One CPU access.  The common case, inside one range, is a binary search and
 * a memcpy or a callback; an access that straddles ranges takes the buffer path.
 */
static MemTxResult address_space_access(AddressSpace *as, hwaddr addr, uint64_t *val,
                                        unsigned size, bool is_write)
{
    FlatView *fv = address_space_get_flatview(as);
    unsigned i = flatview_search(fv, addr);
    const FlatRange *fr = i < fv->nr ? &fv->ranges[i] : NULL;
    MemTxResult res = MEMTX_OK;
    uint8_t buf[8];

    g_assert(size == 1 || size == 2 || size == 4 || size == 8);
    if (fr && fr->addr <= addr && fr->size - (addr - fr->addr) >= size) {
        hwaddr off = fr->offset + (addr - fr->addr);
        if (fr->mr->type == MR_IO) {
            res = io_access(fr->mr, off, val, size, is_write);
        } else if (!is_write) {
            *val = ldn_le(fr->mr->ram + off, size);
        } else if (!fr->readonly) {
            stn_le(fr->mr->ram + off, size, *val);
        }
    } else if (fr ? fr->addr > addr && fr->addr - addr >= size : addr + (size - 1) >= addr) {
        /* Wholly unassigned (the common unassigned case): skip the buffer. */
        if (!is_write) {
            *val = size_mask(size);
        }
        unassigned_log(as, addr, size, is_write);
        res = MEMTX_DECODE_ERROR;
    } else {
        if (is_write) {
            stn_le(buf, size, *val);
        }
        res = flatview_rw(as, fv, addr, buf, size, is_write);
        if (!is_write) {
            *val = ldn_le(buf, size);
        }
    }
    flatview_unref(fv);
    return res;
}

uint64_t address_space_ld(AddressSpace *as, hwaddr addr, unsigned size, MemTxResult *res)
{
    uint64_t val = 0;
    MemTxResult r = address_space_access(as, addr, &val, size, false);

    if (res) {
        *res = r;
    }
    return val;
}

void address_space_st(AddressSpace *as, hwaddr addr, uint64_t val, unsigned size,
                      MemTxResult *res)
{
    MemTxResult r = address_space_access(as, addr, &val, size, true);

    if (res) {
        *res = r;
    }
}

/*
 * On success *plen is clipped to the RAM range.  On NULL it is clipped to the
 * non-RAM range (or gap) at addr, which a DMA loop can take the slow path for.
 */
void *address_space_ram_ptr(AddressSpace *as, hwaddr addr, hwaddr *plen, bool is_write)
{
    FlatView *fv = address_space_get_flatview(as);
    unsigned i = flatview_search(fv, addr);
    const FlatRange *fr = i < fv->nr ? &fv->ranges[i] : NULL;
    void *p = NULL;

    if (fr && fr->addr <= addr) {
        *plen = MIN(*plen, fr->size - (addr - fr->addr));
        if (fr->mr->type == MR_RAM && !(is_write && fr->readonly)) {
            p = fr->mr->ram + fr->offset + (addr - fr->addr);
        }
    } else if (fr) {
        *plen = MIN(*plen, fr->addr - addr);
    }
    flatview_unref(fv);
    return p;
}

/* ---- The machine's address spaces ---------------------------------------------- */

MemoryRegion *get_system_memory(void)
{
    static MemoryRegion system_memory;
    static gsize done;

    if (g_once_init_enter(&done)) {
        memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
        g_once_init_leave(&done, 1);
    }
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    static MemoryRegion system_io;
    static gsize done;

    if (g_once_init_enter(&done)) {
        memory_region_init(&system_io, NULL, "io", 65536);
        g_once_init_leave(&done, 1);
    }
    return &system_io;
}

AddressSpace *address_space_memory(void)
{
    static AddressSpace as;
    static gsize done;

    if (g_once_init_enter(&done)) {
        address_space_init(&as, get_system_memory(), "memory");
        g_once_init_leave(&done, 1);
    }
    return &as;
}

AddressSpace *address_space_io(void)
{
    static AddressSpace as;
    static gsize done;

    if (g_once_init_enter(&done)) {
        address_space_init(&as, get_system_io(), "I/O");
        g_once_init_leave(&done, 1);
    }
    return &as;
}
