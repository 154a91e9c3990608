/*
 * Unit tests of the memory API: rendering, listeners, dispatch and info mtree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "system/memory.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)

/* ---- Helpers ------------------------------------------------------------------ */

/* A device that records every callback and reads back from a byte array. */
typedef struct IoCall {
    bool is_write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} IoCall;

typedef struct RecDev {
    uint8_t regs[64];
    IoCall calls[32];
    unsigned nr;
} RecDev;

static uint64_t rec_read(void *opaque, hwaddr addr, unsigned size)
{
    RecDev *d = opaque;
    uint64_t v = 0;

    for (unsigned i = size; i-- > 0;) {
        v = (v << 8) | d->regs[(addr + i) % sizeof(d->regs)];
    }
    if (d->nr < G_N_ELEMENTS(d->calls)) {
        d->calls[d->nr++] = (IoCall){ false, addr, size, v };
    }
    return v;
}

static void rec_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    RecDev *d = opaque;

    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) % sizeof(d->regs)] = val >> (8 * i);
    }
    if (d->nr < G_N_ELEMENTS(d->calls)) {
        d->calls[d->nr++] = (IoCall){ true, addr, size, val };
    }
}

static void rec_dev_init(RecDev *d)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < sizeof(d->regs); i++) {
        d->regs[i] = 0x10 + i;
    }
}

static void check_call(const RecDev *d, unsigned i, bool is_write, hwaddr addr,
                       unsigned size, uint64_t val)
{
    assert_true(i < d->nr);
    assert_int_equal(d->calls[i].is_write, is_write);
    assert_int_equal(d->calls[i].addr, addr);
    assert_int_equal(d->calls[i].size, size);
    assert_int_equal(d->calls[i].val, val);
}

/* A root container with its own address space; torn down per test. */
typedef struct Fixture {
    MemoryRegion root;
    AddressSpace as;
} Fixture;

static Fixture *fixture_new(uint64_t size)
{
    Fixture *f = g_new0(Fixture, 1);

    memory_region_init(&f->root, NULL, "root", size);
    address_space_init(&f->as, &f->root, "test");
    return f;
}

static void fixture_free(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_finalize(&f->root);
    g_free(f);
}

static void init_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    Error *err = NULL;

    assert_true(memory_region_init_ram(mr, NULL, name, size, &err));
    assert_null(err);
}

/* Check range i of the current view. */
static void check_range(AddressSpace *as, unsigned i, hwaddr addr, uint64_t size,
                        const MemoryRegion *mr, hwaddr offset)
{
    FlatView *fv = address_space_get_flatview(as);

    assert_true(i < fv->nr);
    assert_int_equal(fv->ranges[i].addr, addr);
    assert_int_equal(fv->ranges[i].size, size);
    assert_ptr_equal(fv->ranges[i].mr, mr);
    assert_int_equal(fv->ranges[i].offset, offset);
    flatview_unref(fv);
}

static unsigned view_nr(AddressSpace *as)
{
    FlatView *fv = address_space_get_flatview(as);
    unsigned nr = fv->nr;

    flatview_unref(fv);
    return nr;
}

static const MemoryRegionOps rec_ops_default = {
    .read = rec_read, .write = rec_write,
};

/* ---- Rendering ------------------------------------------------------------------ */

static void test_overlap_priority(void **state)
{
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion ram, io;
    RecDev dev;

    rec_dev_init(&dev);
    init_ram(&ram, "ram", 16 * KiB);
    memory_region_init_io(&io, NULL, &rec_ops_default, &dev, "io", 4 * KiB);
    memory_region_add_subregion(&f->root, 0, &ram);
    memory_region_add_subregion_overlap(&f->root, 4 * KiB, &io, 1);

    assert_int_equal(view_nr(&f->as), 3);
    check_range(&f->as, 0, 0, 4 * KiB, &ram, 0);
    check_range(&f->as, 1, 4 * KiB, 4 * KiB, &io, 0);
    check_range(&f->as, 2, 8 * KiB, 8 * KiB, &ram, 8 * KiB);

    /* Lower priority added later stays hidden. */
    memory_region_del_subregion(&f->root, &io);
    memory_region_add_subregion_overlap(&f->root, 4 * KiB, &io, -1);
    assert_int_equal(view_nr(&f->as), 1);
    check_range(&f->as, 0, 0, 16 * KiB, &ram, 0);

    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_equal_priority_later_wins(void **state)
{
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion a, b;

    init_ram(&a, "a", 8 * KiB);
    init_ram(&b, "b", 8 * KiB);
    memory_region_add_subregion_overlap(&f->root, 0, &a, 2);
    memory_region_add_subregion_overlap(&f->root, 4 * KiB, &b, 2);
    check_range(&f->as, 0, 0, 4 * KiB, &a, 0);
    check_range(&f->as, 1, 4 * KiB, 8 * KiB, &b, 0);

    memory_region_finalize(&a);
    memory_region_finalize(&b);
    fixture_free(f);
}

static void test_alias_render(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion ram, alias;
    uint8_t *p;
    uint8_t buf[4];

    init_ram(&ram, "ram", 64 * KiB);
    p = memory_region_get_ram_ptr(&ram);
    p[0x1000] = 0x5a;
    memory_region_init_alias(&alias, NULL, "alias", &ram, 0x1000, 0x2000);
    memory_region_add_subregion(&f->root, 0x80000, &alias);

    assert_int_equal(view_nr(&f->as), 1);
    check_range(&f->as, 0, 0x80000, 0x2000, &ram, 0x1000);
    assert_int_equal(address_space_ld(&f->as, 0x80000, 1, NULL), 0x5a);

    /* Writes through the alias land in the original. */
    memcpy(buf, "\x01\x02\x03\x04", 4);
    assert_int_equal(address_space_write(&f->as, 0x80010, buf, 4), MEMTX_OK);
    assert_memory_equal(p + 0x1010, buf, 4);

    memory_region_set_alias_offset(&alias, 0x3000);
    check_range(&f->as, 0, 0x80000, 0x2000, &ram, 0x3000);

    /* A window running past the original's end is clipped. */
    memory_region_set_alias_offset(&alias, 63 * KiB);
    check_range(&f->as, 0, 0x80000, 1 * KiB, &ram, 63 * KiB);

    memory_region_finalize(&alias);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_alias_of_container(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion box, a, b, alias;

    memory_region_init(&box, NULL, "box", 0x10000);
    init_ram(&a, "a", 0x1000);
    init_ram(&b, "b", 0x1000);
    memory_region_add_subregion(&box, 0x2000, &a);
    memory_region_add_subregion(&box, 0x8000, &b);
    memory_region_init_alias(&alias, NULL, "win", &box, 0x2800, 0x6000);
    memory_region_add_subregion(&f->root, 0x40000, &alias);

    assert_int_equal(view_nr(&f->as), 2);
    check_range(&f->as, 0, 0x40000, 0x800, &a, 0x800);
    check_range(&f->as, 1, 0x45800, 0x800, &b, 0);

    memory_region_finalize(&alias);
    memory_region_finalize(&box);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    fixture_free(f);
}

static void test_disable_and_move(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion low, high;

    init_ram(&low, "low", 0x10000);
    init_ram(&high, "high", 0x1000);
    memory_region_add_subregion(&f->root, 0, &low);
    memory_region_add_subregion_overlap(&f->root, 0x2000, &high, 1);
    assert_int_equal(view_nr(&f->as), 3);

    memory_region_set_enabled(&high, false);
    assert_int_equal(view_nr(&f->as), 1);
    check_range(&f->as, 0, 0, 0x10000, &low, 0);

    memory_region_set_enabled(&high, true);
    memory_region_set_address(&high, 0x20000);
    assert_int_equal(view_nr(&f->as), 2);
    check_range(&f->as, 0, 0, 0x10000, &low, 0);
    check_range(&f->as, 1, 0x20000, 0x1000, &high, 0);

    /* A disabled container hides everything in it. */
    memory_region_set_enabled(&f->root, false);
    assert_int_equal(view_nr(&f->as), 0);
    memory_region_set_enabled(&f->root, true);

    /* Finalize unmaps. */
    memory_region_finalize(&high);
    assert_int_equal(view_nr(&f->as), 1);
    memory_region_finalize(&low);
    assert_int_equal(view_nr(&f->as), 0);
    fixture_free(f);
}

static void test_nested_and_clipped(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion outer, inner, ram, big;

    memory_region_init(&outer, NULL, "outer", 0x10000);
    memory_region_init(&inner, NULL, "inner", 0x1000);
    init_ram(&ram, "ram", 0x400);
    init_ram(&big, "big", 0x4000);
    memory_region_add_subregion(&f->root, 0x30000, &outer);
    memory_region_add_subregion(&outer, 0x2000, &inner);
    memory_region_add_subregion(&inner, 0x100, &ram);
    /* big starts inside inner but runs 0x3100 past its end: clipped. */
    memory_region_add_subregion_overlap(&inner, 0x800, &big, -1);

    assert_int_equal(view_nr(&f->as), 2);
    check_range(&f->as, 0, 0x32100, 0x400, &ram, 0);
    check_range(&f->as, 1, 0x32800, 0x800, &big, 0);

    /* Holes in a container let a lower sibling show through. */
    MemoryRegion under;
    init_ram(&under, "under", 0x10000);
    memory_region_add_subregion_overlap(&f->root, 0x30000, &under, -1);
    assert_int_equal(view_nr(&f->as), 5);
    check_range(&f->as, 0, 0x30000, 0x2100, &under, 0);
    check_range(&f->as, 2, 0x32500, 0x300, &under, 0x2500);

    memory_region_finalize(&under);
    memory_region_finalize(&big);
    memory_region_finalize(&ram);
    memory_region_finalize(&inner);
    memory_region_finalize(&outer);
    fixture_free(f);
}

static void test_merge_adjacent(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion ram, lo, hi, other;

    init_ram(&ram, "ram", 0x10000);
    memory_region_init_alias(&lo, NULL, "lo", &ram, 0, 0x4000);
    memory_region_init_alias(&hi, NULL, "hi", &ram, 0x4000, 0x4000);
    memory_region_add_subregion(&f->root, 0x10000, &lo);
    memory_region_add_subregion(&f->root, 0x14000, &hi);
    assert_int_equal(view_nr(&f->as), 1);
    check_range(&f->as, 0, 0x10000, 0x8000, &ram, 0);

    /* Not contiguous in the region: two ranges. */
    memory_region_set_alias_offset(&hi, 0x8000);
    assert_int_equal(view_nr(&f->as), 2);

    /* A different region next door: never merged. */
    memory_region_set_alias_offset(&hi, 0x4000);
    init_ram(&other, "other", 0x1000);
    memory_region_add_subregion(&f->root, 0x18000, &other);
    assert_int_equal(view_nr(&f->as), 2);

    memory_region_finalize(&other);
    memory_region_finalize(&lo);
    memory_region_finalize(&hi);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_set_size_and_readonly(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion box, ram;
    hwaddr len = 16;

    memory_region_init(&box, NULL, "box", 0x1000);
    init_ram(&ram, "ram", 0x4000);
    memory_region_add_subregion(&f->root, 0, &box);
    memory_region_add_subregion(&box, 0, &ram);
    check_range(&f->as, 0, 0, 0x1000, &ram, 0);
    memory_region_set_size(&box, 0x3000);
    check_range(&f->as, 0, 0, 0x3000, &ram, 0);

    assert_non_null(address_space_ram_ptr(&f->as, 0, &len, true));
    memory_region_set_readonly(&ram, true);
    assert_null(address_space_ram_ptr(&f->as, 0, &len, true));
    assert_non_null(address_space_ram_ptr(&f->as, 0, &len, false));

    memory_region_finalize(&ram);
    memory_region_finalize(&box);
    fixture_free(f);
}

/* ---- Listeners -------------------------------------------------------------------- */

typedef struct Rec {
    MemoryListener l;
    GString *log;
} Rec;

static void rec_begin(MemoryListener *l)
{
    g_string_append(((Rec *)l)->log, "B;");
}

static void rec_commit(MemoryListener *l)
{
    g_string_append(((Rec *)l)->log, "C;");
}

static void rec_add(MemoryListener *l, const FlatRange *fr)
{
    g_string_append_printf(((Rec *)l)->log, "+%s@%" PRIx64 ":%" PRIx64 ";",
                           memory_region_name(fr->mr), fr->addr, fr->size);
}

static void rec_del(MemoryListener *l, const FlatRange *fr)
{
    g_string_append_printf(((Rec *)l)->log, "-%s@%" PRIx64 ":%" PRIx64 ";",
                           memory_region_name(fr->mr), fr->addr, fr->size);
}

static void rec_listener_init(Rec *r)
{
    r->l = (MemoryListener){
        .begin = rec_begin, .commit = rec_commit,
        .region_add = rec_add, .region_del = rec_del,
    };
    r->log = g_string_new("");
}

static void test_listener_register_replays(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion a, b;
    Rec r;

    init_ram(&a, "a", 0x1000);
    init_ram(&b, "b", 0x1000);
    memory_region_add_subregion(&f->root, 0x1000, &a);
    memory_region_add_subregion(&f->root, 0x3000, &b);
    rec_listener_init(&r);
    memory_listener_register(&r.l, &f->as);
    assert_string_equal(r.log->str, "B;+a@1000:1000;+b@3000:1000;C;");

    g_string_truncate(r.log, 0);
    memory_listener_unregister(&r.l, &f->as);
    assert_string_equal(r.log->str, "B;-a@1000:1000;-b@3000:1000;C;");

    /* Not told any more. */
    g_string_truncate(r.log, 0);
    memory_region_set_enabled(&a, false);
    assert_string_equal(r.log->str, "");

    g_string_free(r.log, true);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    fixture_free(f);
}

static void test_listener_diff(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion ram, hole, other;
    Rec r;

    init_ram(&ram, "ram", 0x10000);
    init_ram(&hole, "hole", 0x1000);
    init_ram(&other, "other", 0x1000);
    memory_region_add_subregion(&f->root, 0, &ram);
    memory_region_add_subregion(&f->root, 0x20000, &other);
    rec_listener_init(&r);
    memory_listener_register(&r.l, &f->as);

    /* Splitting ram: it goes away whole, three pieces come; "other" is untouched. */
    g_string_truncate(r.log, 0);
    memory_region_add_subregion_overlap(&f->root, 0x4000, &hole, 1);
    assert_string_equal(r.log->str,
                        "B;-ram@0:10000;+ram@0:4000;+hole@4000:1000;+ram@5000:b000;C;");

    /* Deletions come before additions. */
    g_string_truncate(r.log, 0);
    memory_region_set_address(&hole, 0x8000);
    assert_string_equal(r.log->str,
                        "B;-ram@0:4000;-hole@4000:1000;-ram@5000:b000;"
                        "+ram@0:8000;+hole@8000:1000;+ram@9000:7000;C;");

    /* No change, no calls. */
    g_string_truncate(r.log, 0);
    memory_region_set_enabled(&hole, true);
    memory_region_set_address(&hole, 0x8000);
    assert_string_equal(r.log->str, "");

    /* A transaction batches several changes into one pass. */
    g_string_truncate(r.log, 0);
    memory_region_transaction_begin();
    memory_region_set_enabled(&hole, false);
    memory_region_set_address(&other, 0x30000);
    assert_string_equal(r.log->str, "");
    memory_region_transaction_commit();
    assert_string_equal(r.log->str,
                        "B;-ram@0:8000;-hole@8000:1000;-ram@9000:7000;-other@20000:1000;"
                        "+ram@0:10000;+other@30000:1000;C;");

    memory_listener_unregister(&r.l, &f->as);
    g_string_free(r.log, true);
    memory_region_finalize(&hole);
    memory_region_finalize(&other);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void rec_eventfd(MemoryListener *l, const MemoryRegionIoeventfd *e, char sign)
{
    g_string_append_printf(((Rec *)l)->log, "%cfd%d@%" PRIx64 ":%u", sign, e->fd, e->addr,
                           e->size);
    if (e->match_data) {
        g_string_append_printf(((Rec *)l)->log, "=%" PRIx64, e->data);
    }
    g_string_append(((Rec *)l)->log, ";");
}

static void rec_eventfd_add(MemoryListener *l, const MemoryRegionIoeventfd *e)
{
    rec_eventfd(l, e, '+');
}

static void rec_eventfd_del(MemoryListener *l, const MemoryRegionIoeventfd *e)
{
    rec_eventfd(l, e, '-');
}

/* Eventfds follow their region: absolute addresses, moves, aliases, (un)registration. */
static void test_listener_eventfds(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion io, alias;
    RecDev d;
    Rec r;

    rec_dev_init(&d);
    memory_region_init_io(&io, NULL, &rec_ops_default, &d, "io", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &io);
    rec_listener_init(&r);
    r.l.eventfd_add = rec_eventfd_add;
    r.l.eventfd_del = rec_eventfd_del;
    memory_listener_register(&r.l, &f->as);

    /* Adding one is not a topology change: only the eventfd is reported. */
    g_string_truncate(r.log, 0);
    memory_region_add_eventfd(&io, 0x10, 2, false, 0, 7);
    memory_region_add_eventfd(&io, 0x20, 2, true, 3, 8);
    assert_string_equal(r.log->str, "B;+fd7@1010:2;C;B;+fd8@1020:2=3;C;");

    /* The memory API never signals: the write still reaches the callback. */
    d.nr = 0;
    address_space_st(&f->as, 0x1010, 5, 2, NULL);
    check_call(&d, 0, true, 0x10, 2, 5);

    /* Moving the region moves the eventfds. */
    g_string_truncate(r.log, 0);
    memory_region_set_address(&io, 0x2000);
    assert_string_equal(r.log->str, "B;-io@1000:100;+io@2000:100;"
                        "-fd7@1010:2;-fd8@1020:2=3;+fd7@2010:2;+fd8@2020:2=3;C;");

    /* An alias of part of the region shows only the eventfds inside it. */
    g_string_truncate(r.log, 0);
    memory_region_init_alias(&alias, NULL, "alias", &io, 0x18, 0x10);
    memory_region_add_subregion(&f->root, 0x5000, &alias);
    assert_string_equal(r.log->str, "B;+io@5000:10;+fd8@5008:2=3;C;");

    /* Unregistering tells the listener everything goes away, eventfds first. */
    g_string_truncate(r.log, 0);
    memory_listener_unregister(&r.l, &f->as);
    assert_string_equal(r.log->str, "B;-fd7@2010:2;-fd8@2020:2=3;-fd8@5008:2=3;"
                        "-io@2000:100;-io@5000:10;C;");
    memory_listener_register(&r.l, &f->as);

    /* Disabling the region or deleting an eventfd removes it. */
    g_string_truncate(r.log, 0);
    memory_region_del_eventfd(&io, 0x10, 2, false, 0, 7);
    assert_string_equal(r.log->str, "B;-fd7@2010:2;C;");
    g_string_truncate(r.log, 0);
    memory_region_finalize(&alias);
    memory_region_set_enabled(&io, false);
    assert_string_equal(r.log->str, "B;-io@5000:10;-fd8@5008:2=3;C;"
                        "B;-io@2000:100;-fd8@2020:2=3;C;");

    memory_listener_unregister(&r.l, &f->as);
    g_string_free(r.log, true);
    memory_region_del_eventfd(&io, 0x20, 2, true, 3, 8);
    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_flatview_ref_survives(void **state)
{
    Fixture *f = fixture_new(1 * MiB);
    MemoryRegion a, b;
    FlatView *old;
    const FlatRange *fr;

    init_ram(&a, "a", 0x1000);
    init_ram(&b, "b", 0x1000);
    memory_region_add_subregion(&f->root, 0x1000, &a);
    old = address_space_get_flatview(&f->as);

    memory_region_add_subregion(&f->root, 0x5000, &b);
    memory_region_set_address(&a, 0x9000);
    /* The reader's view still shows the old layout (ASan checks it is alive). */
    assert_int_equal(old->nr, 1);
    fr = flatview_lookup(old, 0x1800);
    assert_non_null(fr);
    assert_ptr_equal(fr->mr, &a);
    assert_null(flatview_lookup(old, 0x5000));

    FlatView *cur = address_space_get_flatview(&f->as);
    assert_ptr_not_equal(cur, old);
    assert_int_equal(cur->nr, 2);
    assert_null(flatview_lookup(cur, 0x1800));
    assert_ptr_equal(flatview_lookup(cur, 0x9fff)->mr, &a);
    flatview_unref(cur);
    flatview_unref(old);

    memory_region_finalize(&a);
    memory_region_finalize(&b);
    fixture_free(f);
}

/* ---- Dispatch ---------------------------------------------------------------------- */

static void test_unassigned_all_ones(void **state)
{
    Fixture *f = fixture_new(UINT64_MAX);
    MemTxResult res = MEMTX_OK;
    static const uint64_t ones[] = { 0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, UINT64_MAX };
    uint8_t buf[16];

    for (unsigned size = 1; size <= 8; size *= 2) {
        assert_int_equal(address_space_ld(&f->as, 0x1234, size, &res), ones[size]);
        assert_int_equal(res, MEMTX_DECODE_ERROR);
        address_space_st(&f->as, 0x1234, 0, size, &res);
        assert_int_equal(res, MEMTX_DECODE_ERROR);
    }
    memset(buf, 0, sizeof(buf));
    assert_int_equal(address_space_read(&f->as, 0xfee00000, buf, sizeof(buf)),
                     MEMTX_DECODE_ERROR);
    for (unsigned i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0xff);
    }
    assert_int_equal(address_space_write(&f->as, UINT64_MAX - 3, buf, sizeof(buf)),
                     MEMTX_DECODE_ERROR);
    fixture_free(f);
}

static void test_io_split(void **state)
{
    static const MemoryRegionOps ops = {
        .read = rec_read, .write = rec_write,
        .valid = { .max_access_size = 8 },
        .impl = { .max_access_size = 1 },
    };
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion io;
    RecDev dev;

    rec_dev_init(&dev);
    memory_region_init_io(&io, NULL, &ops, &dev, "rec", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &io);

    assert_int_equal(address_space_ld(&f->as, 0x1004, 4, NULL), 0x17161514);
    assert_int_equal(dev.nr, 4);
    for (unsigned i = 0; i < 4; i++) {
        check_call(&dev, i, false, 4 + i, 1, 0x14 + i);
    }

    dev.nr = 0;
    address_space_st(&f->as, 0x1008, 0x8877665544332211ULL, 8, NULL);
    assert_int_equal(dev.nr, 8);
    for (unsigned i = 0; i < 8; i++) {
        check_call(&dev, i, true, 8 + i, 1, 0x11 * (i + 1));
    }

    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_io_widen(void **state)
{
    static const MemoryRegionOps ops = {
        .read = rec_read, .write = rec_write,
        .valid = { .min_access_size = 1, .max_access_size = 4 },
        .impl = { .min_access_size = 4 },
    };
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion io;
    RecDev dev;

    rec_dev_init(&dev);
    memory_region_init_io(&io, NULL, &ops, &dev, "rec", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &io);

    /* A byte read becomes the aligned word, and the byte is extracted. */
    assert_int_equal(address_space_ld(&f->as, 0x1009, 1, NULL), 0x19);
    assert_int_equal(dev.nr, 1);
    check_call(&dev, 0, false, 8, 4, 0x1b1a1918);

    dev.nr = 0;
    assert_int_equal(address_space_ld(&f->as, 0x100a, 2, NULL), 0x1b1a);
    check_call(&dev, 0, false, 8, 4, 0x1b1a1918);

    /* A byte write: the word with the value in place and the other bytes zero. */
    dev.nr = 0;
    address_space_st(&f->as, 0x1006, 0xab, 1, NULL);
    assert_int_equal(dev.nr, 1);
    check_call(&dev, 0, true, 4, 4, 0x00ab0000);

    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_io_invalid_sizes(void **state)
{
    static const MemoryRegionOps ops = {
        .read = rec_read, .write = rec_write,
        .valid = { .min_access_size = 2, .max_access_size = 2 },
    };
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion io;
    RecDev dev;
    MemTxResult res;

    rec_dev_init(&dev);
    memory_region_init_io(&io, NULL, &ops, &dev, "rec", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &io);

    assert_int_equal(address_space_ld(&f->as, 0x1000, 4, &res), 0xffffffff);
    assert_int_equal(res, MEMTX_ERROR);
    assert_int_equal(address_space_ld(&f->as, 0x1000, 1, &res), 0xff);
    assert_int_equal(res, MEMTX_ERROR);
    address_space_st(&f->as, 0x1000, 0, 4, &res);
    assert_int_equal(res, MEMTX_ERROR);
    assert_int_equal(dev.nr, 0);

    /* Unaligned is refused unless the device says otherwise. */
    assert_int_equal(address_space_ld(&f->as, 0x1001, 2, &res), 0xffff);
    assert_int_equal(res, MEMTX_ERROR);
    assert_int_equal(dev.nr, 0);
    assert_int_equal(address_space_ld(&f->as, 0x1002, 2, &res), 0x1312);
    assert_int_equal(res, MEMTX_OK);
    assert_int_equal(dev.nr, 1);

    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_io_unaligned_allowed(void **state)
{
    static const MemoryRegionOps ops = {
        .read = rec_read, .write = rec_write,
        .valid = { .max_access_size = 4, .unaligned = true },
    };
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion io;
    RecDev dev;
    MemTxResult res;

    rec_dev_init(&dev);
    memory_region_init_io(&io, NULL, &ops, &dev, "rec", 0x100);
    memory_region_add_subregion(&f->root, 0, &io);
    assert_int_equal(address_space_ld(&f->as, 3, 4, &res), 0x16151413);
    assert_int_equal(res, MEMTX_OK);
    check_call(&dev, 0, false, 3, 4, 0x16151413);

    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_io_defaults(void **state)
{
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion io, none;
    RecDev dev;
    MemTxResult res;

    rec_dev_init(&dev);
    memory_region_init_io(&io, NULL, &rec_ops_default, &dev, "rec", 0x100);
    memory_region_add_subregion(&f->root, 0, &io);
    /* valid.max defaults to 4: an 8-byte access is refused. */
    assert_int_equal(address_space_ld(&f->as, 0, 8, &res), UINT64_MAX);
    assert_int_equal(res, MEMTX_ERROR);
    assert_int_equal(address_space_ld(&f->as, 0, 4, &res), 0x13121110);
    assert_int_equal(res, MEMTX_OK);

    /* No callbacks at all: refused, not a crash. */
    memory_region_init_io(&none, NULL, NULL, NULL, "none", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &none);
    assert_int_equal(address_space_ld(&f->as, 0x1000, 2, &res), 0xffff);
    assert_int_equal(res, MEMTX_ERROR);

    memory_region_finalize(&none);
    memory_region_finalize(&io);
    fixture_free(f);
}

static void test_rom_write_ignored(void **state)
{
    Fixture *f = fixture_new(UINT64_MAX);
    MemoryRegion rom;
    Error *err = NULL;
    MemTxResult res;
    hwaddr len = 0x100000;
    uint8_t *p;

    assert_true(memory_region_init_rom(&rom, NULL, "bios", 0x10000, &err));
    p = memory_region_get_ram_ptr(&rom);
    p[0xfff0] = 0xea;
    memory_region_add_subregion(&f->root, 0xffff0000, &rom);

    address_space_st(&f->as, 0xfffffff0, 0x90, 1, &res);
    assert_int_equal(res, MEMTX_OK);
    assert_int_equal(address_space_ld(&f->as, 0xfffffff0, 1, NULL), 0xea);
    assert_int_equal(address_space_write(&f->as, 0xfffffff0, "\x90\x90", 2), MEMTX_OK);
    assert_int_equal(p[0xfff0], 0xea);

    assert_null(address_space_ram_ptr(&f->as, 0xfffffff0, &len, true));
    len = 0x100000;
    assert_ptr_equal(address_space_ram_ptr(&f->as, 0xfffffff0, &len, false), p + 0xfff0);
    assert_int_equal(len, 0x10);

    memory_region_finalize(&rom);
    fixture_free(f);
}

static void test_rw_across_boundaries(void **state)
{
    static const MemoryRegionOps ops = {
        .read = rec_read, .write = rec_write,
        .valid = { .max_access_size = 8 },
    };
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion ram, io;
    RecDev dev;
    uint8_t buf[32], *p;

    rec_dev_init(&dev);
    init_ram(&ram, "ram", 0x1000);
    memory_region_init_io(&io, NULL, &ops, &dev, "rec", 0x20);
    memory_region_add_subregion(&f->root, 0, &ram);
    memory_region_add_subregion(&f->root, 0x1000, &io);
    /* 0x1020..0x1fff unassigned */
    p = memory_region_get_ram_ptr(&ram);

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = 0xa0 + i;
    }
    /* 4 bytes of RAM, then the IO region from offset 0: 8, 8, 4 bytes. */
    assert_int_equal(address_space_write(&f->as, 0xffc, buf, 24), MEMTX_OK);
    assert_memory_equal(p + 0xffc, buf, 4);
    assert_int_equal(dev.nr, 3);
    check_call(&dev, 0, true, 0, 8, 0xabaaa9a8a7a6a5a4ULL);
    check_call(&dev, 1, true, 8, 8, 0xb3b2b1b0afaeadacULL);
    check_call(&dev, 2, true, 16, 4, 0xb7b6b5b4);

    /* Unaligned start inside IO: 2 (offset 2), 4, 8, then a trailing 1. */
    dev.nr = 0;
    assert_int_equal(address_space_read(&f->as, 0x1002, buf, 15), MEMTX_OK);
    assert_int_equal(dev.nr, 4);
    check_call(&dev, 0, false, 2, 2, 0xa7a6);
    check_call(&dev, 1, false, 4, 4, 0xabaaa9a8);
    check_call(&dev, 2, false, 8, 8, 0xb3b2b1b0afaeadacULL);
    check_call(&dev, 3, false, 16, 1, 0xb4);
    assert_int_equal(buf[0], 0xa6);
    assert_int_equal(buf[14], 0xb4);

    /* Across the end of IO into unassigned: data, then all ones. */
    memset(buf, 0, sizeof(buf));
    assert_int_equal(address_space_read(&f->as, 0x101c, buf, 8), MEMTX_DECODE_ERROR);
    assert_int_equal(buf[0], 0x10 + 0x1c);
    assert_int_equal(buf[4], 0xff);
    assert_int_equal(buf[7], 0xff);

    /* A load straddling RAM and IO goes through the buffer path. */
    dev.nr = 0;
    p[0xfff] = 0x42;
    assert_int_equal(address_space_ld(&f->as, 0xfff, 2, NULL), 0xa442);

    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_top_of_address_space(void **state)
{
    Fixture *f = fixture_new(UINT64_MAX);
    MemoryRegion top, past;
    MemTxResult res;
    uint8_t buf[8], *p;
    hwaddr len = 64;

    init_ram(&top, "top", 0x1000);
    memory_region_add_subregion(&f->root, UINT64_MAX - 0xfff, &top);
    check_range(&f->as, 0, UINT64_MAX - 0xfff, 0x1000, &top, 0);
    assert_ptr_equal(flatview_lookup(f->as.current, UINT64_MAX)->mr, &top);
    assert_null(flatview_lookup(f->as.current, 0));

    p = memory_region_get_ram_ptr(&top);
    address_space_st(&f->as, UINT64_MAX - 7, 0x0102030405060708ULL, 8, &res);
    assert_int_equal(res, MEMTX_OK);
    assert_int_equal(p[0xff8], 0x08);
    assert_int_equal(address_space_ld(&f->as, UINT64_MAX - 7, 8, NULL),
                     0x0102030405060708ULL);
    assert_non_null(address_space_ram_ptr(&f->as, UINT64_MAX - 7, &len, true));
    assert_int_equal(len, 8);

    /* Wrapping past 2^64: the top bytes, then unassigned at 0. */
    assert_int_equal(address_space_read(&f->as, UINT64_MAX - 3, buf, 8), MEMTX_DECODE_ERROR);
    assert_int_equal(buf[0], 0x04);
    assert_int_equal(buf[4], 0xff);

    /* A region running past 2^64 is clipped at the top. */
    init_ram(&past, "past", 0x2000);
    memory_region_add_subregion_overlap(&f->root, UINT64_MAX - 0x7ff, &past, 1);
    check_range(&f->as, 1, UINT64_MAX - 0x7ff, 0x800, &past, 0);

    memory_region_finalize(&past);
    memory_region_finalize(&top);
    fixture_free(f);
}

static void test_full_space_region(void **state)
{
    Fixture *f = fixture_new(UINT64_MAX);
    MemoryRegion bg, ram;
    RecDev dev;

    rec_dev_init(&dev);
    memory_region_init_io(&bg, NULL, &rec_ops_default, &dev, "background", UINT64_MAX);
    memory_region_add_subregion_overlap(&f->root, 0, &bg, -1);
    /* 2^64 bytes do not fit a FlatRange size: two halves. */
    assert_int_equal(view_nr(&f->as), 2);
    check_range(&f->as, 0, 0, 1ULL << 63, &bg, 0);
    check_range(&f->as, 1, 1ULL << 63, 1ULL << 63, &bg, 1ULL << 63);
    assert_int_equal(address_space_ld(&f->as, UINT64_MAX - 3, 4, NULL), 0x4f4e4d4c);
    check_call(&dev, 0, false, UINT64_MAX - 3, 4, 0x4f4e4d4c);

    init_ram(&ram, "ram", 0x1000);
    memory_region_add_subregion(&f->root, 0x1000, &ram);
    assert_int_equal(view_nr(&f->as), 3);
    check_range(&f->as, 2, 0x2000, UINT64_MAX - 0x1fff, &bg, 0x2000);

    memory_region_finalize(&ram);
    memory_region_finalize(&bg);
    fixture_free(f);
}

static void test_ram_errors(void **state)
{
    MemoryRegion mr;
    Error *err = NULL;

    assert_false(memory_region_init_ram(&mr, NULL, "zero", 0, &err));
    assert_non_null(err);
    error_free(err);
}

static void test_ram_ptr_region(void **state)
{
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion mr;
    uint8_t backing[256] = { 0 };
    hwaddr len = 0x1000;

    memory_region_init_ram_ptr(&mr, NULL, "vram", sizeof(backing), backing);
    memory_region_add_subregion(&f->root, 0x100, &mr);
    address_space_st(&f->as, 0x110, 0xbeef, 2, NULL);
    assert_int_equal(backing[0x10], 0xef);
    assert_int_equal(backing[0x11], 0xbe);
    assert_ptr_equal(address_space_ram_ptr(&f->as, 0x180, &len, true), backing + 0x80);
    assert_int_equal(len, 0x80);
    /* Unassigned: NULL, and the length clipped to the gap. */
    len = 0x1000;
    assert_null(address_space_ram_ptr(&f->as, 0x10, &len, false));
    assert_int_equal(len, 0xf0);

    memory_region_finalize(&mr);
    fixture_free(f);
}

/* ---- Cross-checks ------------------------------------------------------------------ */

/*
 * The reference the renderer is checked against: resolve one address by
 * walking the tree the slow, obvious way.
 */
static MemoryRegion *ref_resolve(MemoryRegion *mr, hwaddr off, hwaddr *leaf_off, bool *ro)
{
    uint64_t last = mr->size == UINT64_MAX ? UINT64_MAX : mr->size - 1;

    if (!mr->enabled || mr->size == 0 || off > last) {
        return NULL;
    }
    if (mr->type == MR_ALIAS) {
        MemoryRegion *r = ref_resolve(mr->alias, off + mr->alias_offset, leaf_off, ro);
        *ro |= r && mr->readonly;
        return r;
    }
    for (guint i = 0; mr->subregions && i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);
        if (off >= sub->addr) {
            MemoryRegion *r = ref_resolve(sub, off - sub->addr, leaf_off, ro);
            if (r) {
                *ro |= mr->readonly;
                return r;
            }
        }
    }
    if (mr->type == MR_RAM || mr->type == MR_IO) {
        *leaf_off = off;
        *ro = mr->readonly;
        return mr;
    }
    return NULL;
}

#define RANDOM_REGIONS 14

/* Whether rendering from reaches to (so mapping an alias of from inside to loops). */
static bool ref_reaches(MemoryRegion *from, MemoryRegion *to)
{
    if (from == to) {
        return true;
    }
    if (from->type == MR_ALIAS) {
        return ref_reaches(from->alias, to);
    }
    for (guint i = 0; from->subregions && i < from->subregions->len; i++) {
        if (ref_reaches(g_ptr_array_index(from->subregions, i), to)) {
            return true;
        }
    }
    return false;
}

static void test_render_matches_reference(void **state)
{
    static uint8_t backing[RANDOM_REGIONS][128];
    GRand *rand = g_rand_new_with_seed(42);

    for (unsigned round = 0; round < 300; round++) {
        Fixture *f = fixture_new(256);
        MemoryRegion regs[RANDOM_REGIONS];
        MemoryRegion *containers[RANDOM_REGIONS] = { &f->root };
        unsigned nc = 1;

        memory_region_transaction_begin();
        for (unsigned i = 0; i < RANDOM_REGIONS; i++) {
            MemoryRegion *mr = &regs[i];
            uint64_t size = g_rand_int_range(rand, 1, 129);
            int kind = g_rand_int_range(rand, 0, 4);

            if (kind == 0 || i == 0) {
                memory_region_init_ram_ptr(mr, NULL, "ram", size, backing[i]);
                mr->readonly = g_rand_int_range(rand, 0, 4) == 0;
            } else if (kind == 1) {
                memory_region_init_io(mr, NULL, NULL, NULL, "io", size);
            } else if (kind == 2) {
                memory_region_init(mr, NULL, "box", size);
            } else {
                /* Alias anything made before: no loops. */
                MemoryRegion *target = &regs[g_rand_int_range(rand, 0, i)];
                memory_region_init_alias(mr, NULL, "alias", target,
                                         g_rand_int_range(rand, 0, 64), size);
                mr->readonly = g_rand_int_range(rand, 0, 4) == 0;
            }
            mr->enabled = g_rand_int_range(rand, 0, 6) != 0;
            MemoryRegion *parent = containers[g_rand_int_range(rand, 0, nc)];
            if (mr->type == MR_ALIAS && ref_reaches(mr->alias, parent)) {
                parent = &f->root;
                if (ref_reaches(mr->alias, parent)) {
                    continue;   /* would be a loop; leave it unmapped */
                }
            }
            memory_region_add_subregion_overlap(parent, g_rand_int_range(rand, 0, 256), mr,
                                                g_rand_int_range(rand, -2, 3));
            if (mr->type == MR_CONTAINER) {
                containers[nc++] = mr;
            }
        }
        memory_region_transaction_commit();

        FlatView *fv = address_space_get_flatview(&f->as);
        for (unsigned i = 0; i < fv->nr; i++) {
            const FlatRange *a = &fv->ranges[i];
            assert_true(a->size > 0);
            if (i > 0) {
                const FlatRange *p = &fv->ranges[i - 1];
                assert_true(p->addr + p->size <= a->addr);
                /* Merged where it could be. */
                assert_false(p->addr + p->size == a->addr && p->mr == a->mr &&
                             p->offset + p->size == a->offset && p->readonly == a->readonly);
            }
        }
        for (hwaddr addr = 0; addr < 300; addr++) {
            hwaddr off = 0;
            bool ro = false;
            MemoryRegion *want = ref_resolve(&f->root, addr, &off, &ro);
            const FlatRange *fr = flatview_lookup(fv, addr);

            if (!want) {
                assert_null(fr);
                continue;
            }
            assert_non_null(fr);
            assert_ptr_equal(fr->mr, want);
            assert_int_equal(fr->offset + (addr - fr->addr), off);
            assert_int_equal(fr->readonly, ro);
        }
        flatview_unref(fv);

        memory_region_transaction_begin();
        for (unsigned i = RANDOM_REGIONS; i-- > 0;) {
            memory_region_finalize(&regs[i]);
        }
        memory_region_transaction_commit();
        fixture_free(f);
    }
    g_rand_free(rand);
}

typedef struct ReaderCtx {
    AddressSpace *as;
    volatile bool stop;
    unsigned bad;
} ReaderCtx;

static gpointer reader_thread(gpointer opaque)
{
    ReaderCtx *c = opaque;

    while (!c->stop) {
        uint64_t v = address_space_ld(c->as, 0x1004, 4, NULL);
        if (v != 0x11223344 && v != 0x17161514) {
            c->bad++;
        }
    }
    return NULL;
}

/* A vCPU-like thread reads while the main thread keeps changing the topology. */
static void test_concurrent_readers(void **state)
{
    Fixture *f = fixture_new(64 * KiB);
    MemoryRegion ram, io;
    RecDev dev;
    ReaderCtx ctx = { .as = &f->as };
    GThread *t;

    rec_dev_init(&dev);
    init_ram(&ram, "ram", 0x10000);
    ((uint32_t *)memory_region_get_ram_ptr(&ram))[0x1004 / 4] = GUINT32_TO_LE(0x11223344);
    memory_region_init_io(&io, NULL, &rec_ops_default, &dev, "io", 0x100);
    memory_region_add_subregion(&f->root, 0, &ram);
    memory_region_add_subregion_overlap(&f->root, 0x1000, &io, 1);

    t = g_thread_new("reader", reader_thread, &ctx);
    for (unsigned i = 0; i < 5000; i++) {
        memory_region_set_enabled(&io, i & 1);
    }
    ctx.stop = true;
    g_thread_join(t);
    assert_int_equal(ctx.bad, 0);

    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    fixture_free(f);
}

/* ---- The machine's spaces and info mtree ------------------------------------------ */

static void test_system_spaces(void **state)
{
    assert_string_equal(memory_region_name(get_system_memory()), "system");
    assert_int_equal(memory_region_size(get_system_memory()), UINT64_MAX);
    assert_string_equal(memory_region_name(get_system_io()), "io");
    assert_int_equal(memory_region_size(get_system_io()), 65536);
    assert_string_equal(address_space_memory()->name, "memory");
    assert_string_equal(address_space_io()->name, "I/O");
    assert_ptr_equal(address_space_memory()->root, get_system_memory());
    assert_ptr_equal(address_space_memory(), address_space_memory());
}

static void test_mtree(void **state)
{
    MemoryRegion ram, vga, bios, isa_bios, below;
    RecDev dev;
    GString *out = g_string_new("");
    Error *err = NULL;

    rec_dev_init(&dev);
    init_ram(&ram, "pc.ram", 128 * MiB);
    memory_region_init_alias(&below, NULL, "ram-below-4g", &ram, 0, 128 * MiB);
    memory_region_init_io(&vga, NULL, &rec_ops_default, &dev, "vga-lowmem", 0x20000);
    assert_true(memory_region_init_rom(&bios, NULL, "pc.bios", 0x40000, &err));
    memory_region_init_alias(&isa_bios, NULL, "isa-bios", &bios, 0x20000, 0x20000);
    memory_region_add_subregion(get_system_memory(), 0, &below);
    memory_region_add_subregion_overlap(get_system_memory(), 0xa0000, &vga, 1);
    memory_region_add_subregion(get_system_memory(), 0xfffc0000, &bios);
    memory_region_add_subregion_overlap(get_system_memory(), 0xe0000, &isa_bios, 1);

    memory_print_tree(out, false);
    assert_non_null(strstr(out->str,
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000000000-0000000007ffffff (prio 0, ram): alias ram-below-4g "
        "@pc.ram 0000000000000000-0000000007ffffff\n"
        "    00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
        "    00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios "
        "@pc.bios 0000000000020000-000000000003ffff\n"
        "    00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n\n"));
    assert_non_null(strstr(out->str,
        "address-space: I/O\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): io\n\n"));
    /* pc.ram is only reachable through the alias: printed on its own. */
    assert_non_null(strstr(out->str,
        "memory-region: pc.ram\n"
        "  0000000000000000-0000000007ffffff (prio 0, ram): pc.ram\n"));
    assert_null(strstr(out->str, "memory-region: pc.bios"));

    memory_region_set_enabled(&vga, false);
    g_string_truncate(out, 0);
    memory_print_tree(out, false);
    assert_non_null(strstr(out->str, "(prio 1, i/o): vga-lowmem [disabled]\n"));
    memory_region_set_enabled(&vga, true);

    g_string_truncate(out, 0);
    memory_print_tree(out, true);
    assert_non_null(strstr(out->str,
        " AS \"memory\", root: system\n"
        " Root memory region: system\n"
        "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
        "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
        "  00000000000c0000-00000000000dffff (prio 0, ram): pc.ram @00000000000c0000\n"
        "  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000\n"
        "  0000000000100000-0000000007ffffff (prio 0, ram): pc.ram @0000000000100000\n"
        "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n\n"));
    assert_non_null(strstr(out->str, " AS \"I/O\", root: io\n"
                                     " Root memory region: io\n"
                                     "  No rendered FlatView\n"));
    assert_non_null(strstr(out->str, "FlatView #0\n"));

    memory_region_finalize(&isa_bios);
    memory_region_finalize(&bios);
    memory_region_finalize(&vga);
    memory_region_finalize(&below);
    memory_region_finalize(&ram);
    assert_int_equal(address_space_memory()->current->nr, 0);
    g_string_free(out, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_priority),
        cmocka_unit_test(test_equal_priority_later_wins),
        cmocka_unit_test(test_alias_render),
        cmocka_unit_test(test_alias_of_container),
        cmocka_unit_test(test_disable_and_move),
        cmocka_unit_test(test_nested_and_clipped),
        cmocka_unit_test(test_merge_adjacent),
        cmocka_unit_test(test_set_size_and_readonly),
        cmocka_unit_test(test_listener_register_replays),
        cmocka_unit_test(test_listener_diff),
        cmocka_unit_test(test_listener_eventfds),
        cmocka_unit_test(test_flatview_ref_survives),
        cmocka_unit_test(test_unassigned_all_ones),
        cmocka_unit_test(test_io_split),
        cmocka_unit_test(test_io_widen),
        cmocka_unit_test(test_io_invalid_sizes),
        cmocka_unit_test(test_io_unaligned_allowed),
        cmocka_unit_test(test_io_defaults),
        cmocka_unit_test(test_rom_write_ignored),
        cmocka_unit_test(test_rw_across_boundaries),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_full_space_region),
        cmocka_unit_test(test_ram_errors),
        cmocka_unit_test(test_ram_ptr_region),
        cmocka_unit_test(test_render_matches_reference),
        cmocka_unit_test(test_concurrent_readers),
        cmocka_unit_test(test_system_spaces),
        cmocka_unit_test(test_mtree),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
