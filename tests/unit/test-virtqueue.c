/*
 * Split virtqueue tests: a driver written here lays out descriptor tables
 * and rings in guest RAM the way Linux's virtio_ring does, and the device
 * side (hw/virtio/virtqueue.c) pops, pushes and decides on interrupts.
 * Every malformed chain a guest can post ends in a broken queue, never in a
 * crash; a fuzz case throws random rings at it.  Also util/iov.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/virtio/virtqueue.h"
#include "util/iov.h"

/* Guest physical layout: RAM at 0 (two regions back to back), ROM, MMIO. */
#define RAM0_SIZE   0x10000
#define RAM1_SIZE   0x10000
#define ROM_BASE    0x40000
#define ROM_SIZE    0x1000
#define MMIO_BASE   0x50000
#define QSIZE       8
#define DESC        0x1000
#define AVAIL       0x2000
#define USED        0x3000
#define ITABLE      0x4000
#define BUF         0x8000

static MemoryRegion ram0, ram1, rom, mmio;
static uint8_t *ram0_ptr, *ram1_ptr;
static VirtQueue vq;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps mmio_ops = { .read = mmio_read, .write = mmio_write };

/* Guest RAM by physical address (both RAM regions are contiguous in the test's layout). */
static uint8_t *gpa(hwaddr addr)
{
    return addr < RAM0_SIZE ? ram0_ptr + addr : ram1_ptr + (addr - RAM0_SIZE);
}

static void put16(hwaddr addr, uint16_t v)
{
    memcpy(gpa(addr), &v, 2);
}

static uint16_t get16(hwaddr addr)
{
    uint16_t v;
    memcpy(&v, gpa(addr), 2);
    return v;
}

static uint32_t get32(hwaddr addr)
{
    uint32_t v;
    memcpy(&v, gpa(addr), 4);
    return v;
}

static void set_desc(hwaddr table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = gpa(table + 16 * i);
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

/* The driver makes head available. */
static void offer(uint16_t head)
{
    uint16_t idx = get16(AVAIL + 2);
    put16(AVAIL + 4 + 2 * (idx % QSIZE), head);
    put16(AVAIL + 2, idx + 1);
}

static int setup(void **state)
{
    Error *err = NULL;
    assert_true(memory_region_init_ram(&ram0, NULL, "ram0", RAM0_SIZE, &err));
    assert_true(memory_region_init_ram(&ram1, NULL, "ram1", RAM1_SIZE, &err));
    assert_true(memory_region_init_rom(&rom, NULL, "rom", ROM_SIZE, &err));
    memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "mmio", 0x1000);
    memory_region_add_subregion(get_system_memory(), 0, &ram0);
    memory_region_add_subregion(get_system_memory(), RAM0_SIZE, &ram1);
    memory_region_add_subregion(get_system_memory(), ROM_BASE, &rom);
    memory_region_add_subregion(get_system_memory(), MMIO_BASE, &mmio);
    ram0_ptr = memory_region_get_ram_ptr(&ram0);
    ram1_ptr = memory_region_get_ram_ptr(&ram1);

    virtqueue_init(&vq, address_space_memory(), QSIZE);
    vq.desc_addr = DESC;
    vq.avail_addr = AVAIL;
    vq.used_addr = USED;
    assert_true(virtqueue_enable(&vq, &err));
    return 0;
}

static int teardown(void **state)
{
    MemoryRegion *all[] = { &ram0, &ram1, &rom, &mmio };
    for (unsigned i = 0; i < G_N_ELEMENTS(all); i++) {
        memory_region_del_subregion(get_system_memory(), all[i]);
        memory_region_finalize(all[i]);
    }
    return 0;
}

/* Pop expecting a broken queue. */
static void assert_breaks(void)
{
    VirtQueueElement *e;
    assert_int_equal(virtqueue_pop(&vq, &e), -1);
    assert_null(e);
    assert_true(vq.broken);
    assert_int_equal(virtqueue_pop(&vq, &e), -1);    /* and it stays broken */
}

static void test_round_trip(void **state)
{
    VirtQueueElement *e;
    assert_int_equal(virtqueue_pop(&vq, &e), 0);
    assert_true(virtqueue_is_empty(&vq));

    memcpy(gpa(BUF), "request!", 8);
    set_desc(DESC, 3, BUF, 8, VRING_DESC_F_NEXT, 5);
    set_desc(DESC, 5, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
    offer(3);
    assert_false(virtqueue_is_empty(&vq));
    assert_int_equal(virtqueue_pop(&vq, &e), 1);
    assert_int_equal(e->index, 3);
    assert_int_equal(e->out_num, 1);
    assert_int_equal(e->in_num, 1);
    assert_ptr_equal(e->out_sg[0].iov_base, gpa(BUF));
    assert_int_equal(e->in_sg[0].iov_len, 16);

    char buf[8];
    assert_int_equal(iov_to_buf(e->out_sg, e->out_num, 0, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, "request!", 8);
    assert_int_equal(iov_from_buf(e->in_sg, e->in_num, 2, "done", 4), 4);
    assert_memory_equal(gpa(BUF + 0x102), "done", 4);

    virtqueue_push(&vq, e, 6);
    virtqueue_element_free(e);
    assert_int_equal(get16(USED + 2), 1);
    assert_int_equal(get32(USED + 4), 3);
    assert_int_equal(get32(USED + 8), 6);
    assert_true(virtqueue_need_notify(&vq));
    put16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    assert_false(virtqueue_need_notify(&vq));

    /* Kick suppression without event index: the used ring's flag. */
    virtqueue_set_notification(&vq, false);
    assert_int_equal(get16(USED), VRING_USED_F_NO_NOTIFY);
    virtqueue_set_notification(&vq, true);
    assert_int_equal(get16(USED), 0);
}

static void test_wraparound(void **state)
{
    /* Many more requests than the ring has entries: indices wrap mod 2^16. */
    put16(AVAIL + 2, 0xfffa);
    vq.last_avail_idx = 0xfffa;
    vq.used_idx = 0xfff0;
    for (unsigned n = 0; n < 40; n++) {
        VirtQueueElement *e;
        set_desc(DESC, n % QSIZE, BUF, 4, VRING_DESC_F_WRITE, 0);
        offer(n % QSIZE);
        assert_int_equal(virtqueue_pop(&vq, &e), 1);
        assert_int_equal(e->index, n % QSIZE);
        virtqueue_push(&vq, e, 4);
        virtqueue_element_free(e);
    }
    assert_int_equal(get16(USED + 2), (uint16_t)(0xfff0 + 40));
    assert_int_equal(vq.inuse, 0);
}

static void test_buffer_across_regions(void **state)
{
    VirtQueueElement *e;
    /* One descriptor over the border of two RAM regions: two host pieces. */
    set_desc(DESC, 0, RAM0_SIZE - 0x10, 0x30, VRING_DESC_F_WRITE, 0);
    offer(0);
    assert_int_equal(virtqueue_pop(&vq, &e), 1);
    assert_int_equal(e->in_num, 2);
    assert_int_equal(e->in_sg[0].iov_len, 0x10);
    assert_int_equal(e->in_sg[1].iov_len, 0x20);
    assert_ptr_equal(e->in_sg[1].iov_base, ram1_ptr);
    assert_int_equal(iov_size(e->in_sg, e->in_num), 0x30);
    virtqueue_element_free(e);
}

static void test_indirect(void **state)
{
    VirtQueueElement *e;
    set_desc(ITABLE, 0, BUF, 12, VRING_DESC_F_NEXT, 1);
    set_desc(ITABLE, 1, BUF + 0x40, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    set_desc(ITABLE, 2, BUF + 0x100, 1, VRING_DESC_F_WRITE, 0);
    set_desc(DESC, 1, ITABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    offer(1);
    /* Without the feature negotiated, an indirect descriptor is a driver error. */
    assert_breaks();

    virtqueue_reset(&vq);
    vq.desc_addr = DESC;
    vq.avail_addr = AVAIL;
    vq.used_addr = USED;
    vq.indirect = true;
    assert_true(virtqueue_enable(&vq, NULL));
    assert_int_equal(virtqueue_pop(&vq, &e), 1);
    assert_int_equal(e->index, 1);
    assert_int_equal(e->out_num, 1);
    assert_int_equal(e->in_num, 2);
    assert_int_equal(iov_size(e->in_sg, e->in_num), 101);
    virtqueue_element_free(e);
}

/* One malformed chain per case; each breaks the queue. */
static void bad_chain(void (*build)(void))
{
    virtqueue_reset(&vq);
    memset(gpa(DESC), 0, 0x3000);
    vq.desc_addr = DESC;
    vq.avail_addr = AVAIL;
    vq.used_addr = USED;
    vq.indirect = true;
    assert_true(virtqueue_enable(&vq, NULL));
    build();
    assert_breaks();
}

static void chain_loop(void)
{
    set_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    set_desc(DESC, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
    offer(0);
}

static void head_out_of_range(void)
{
    offer(QSIZE);
}

static void next_out_of_range(void)
{
    set_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 0x8000);
    offer(0);
}

static void outside_ram(void)
{
    set_desc(DESC, 0, 0x7ff00000, 4, 0, 0);
    offer(0);
}

static void into_mmio(void)
{
    set_desc(DESC, 0, MMIO_BASE, 4, VRING_DESC_F_WRITE, 0);
    offer(0);
}

static void write_into_rom(void)
{
    set_desc(DESC, 0, ROM_BASE, 4, VRING_DESC_F_WRITE, 0);
    offer(0);
}

static void huge_length(void)
{
    set_desc(DESC, 0, BUF, 0xffffffff, VRING_DESC_F_WRITE, 0);
    offer(0);
}

static void address_wraps(void)
{
    set_desc(DESC, 0, UINT64_MAX - 2, 16, 0, 0);
    offer(0);
}

static void readable_after_writable(void)
{
    set_desc(DESC, 0, BUF, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    set_desc(DESC, 1, BUF, 4, 0, 0);
    offer(0);
}

static void nested_indirect(void)
{
    set_desc(ITABLE, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
    set_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
    offer(0);
}

static void indirect_with_next(void)
{
    set_desc(ITABLE, 0, BUF, 4, 0, 0);
    set_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    offer(0);
}

static void indirect_odd_length(void)
{
    set_desc(DESC, 0, ITABLE, 24, VRING_DESC_F_INDIRECT, 0);
    offer(0);
}

static void indirect_loop(void)
{
    set_desc(ITABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
    set_desc(ITABLE, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
    set_desc(DESC, 0, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
    offer(0);
}

static void indirect_table_outside_ram(void)
{
    set_desc(DESC, 0, MMIO_BASE, 64, VRING_DESC_F_INDIRECT, 0);
    offer(0);
}

static void too_many_buffers(void)
{
    /* An indirect table of the largest size, each buffer split over two regions. */
    set_desc(DESC, 0, RAM0_SIZE - VIRTQUEUE_MAX_SIZE * 16, VIRTQUEUE_MAX_SIZE * 16,
             VRING_DESC_F_INDIRECT, 0);
    for (unsigned i = 0; i < VIRTQUEUE_MAX_SIZE; i++) {
        set_desc(RAM0_SIZE - VIRTQUEUE_MAX_SIZE * 16, i, RAM0_SIZE - 1, 2,
                 i + 1 < VIRTQUEUE_MAX_SIZE ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    offer(0);
}

static void avail_runs_ahead(void)
{
    put16(AVAIL + 2, QSIZE + 1);
}

static void test_bad_chains(void **state)
{
    void (*cases[])(void) = {
        chain_loop, head_out_of_range, next_out_of_range, outside_ram, into_mmio,
        write_into_rom, huge_length, address_wraps, readable_after_writable,
        nested_indirect, indirect_with_next, indirect_odd_length, indirect_loop,
        indirect_table_outside_ram, too_many_buffers, avail_runs_ahead,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        put16(AVAIL + 2, 0);
        bad_chain(cases[i]);
    }
    /* A broken queue takes no pushes and asks for no interrupts. */
    assert_false(virtqueue_need_notify(&vq));
}

static void test_bad_enable(void **state)
{
    struct { uint16_t num; hwaddr desc, avail, used; } bad[] = {
        { 6, DESC, AVAIL, USED },               /* not a power of two */
        { 16, DESC, AVAIL, USED },              /* more than offered */
        { 0, DESC, AVAIL, USED },
        { QSIZE, DESC + 8, AVAIL, USED },       /* misaligned */
        { QSIZE, DESC, AVAIL + 1, USED },
        { QSIZE, DESC, AVAIL, USED + 2 },
        { QSIZE, MMIO_BASE, AVAIL, USED },      /* not RAM */
        { QSIZE, DESC, AVAIL, ROM_BASE },       /* the used ring must be writable */
        { QSIZE, DESC, AVAIL, RAM0_SIZE + RAM1_SIZE - 8 },  /* runs off RAM */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        Error *err = NULL;
        virtqueue_reset(&vq);
        vq.num = bad[i].num;
        vq.desc_addr = bad[i].desc;
        vq.avail_addr = bad[i].avail;
        vq.used_addr = bad[i].used;
        assert_false(virtqueue_enable(&vq, &err));
        assert_non_null(err);
        error_free(err);
        assert_true(vq.broken);
        VirtQueueElement *e;
        assert_int_equal(virtqueue_pop(&vq, &e), -1);
    }
}

static void test_event_idx(void **state)
{
    VirtQueueElement *e;
    virtqueue_reset(&vq);
    vq.desc_addr = DESC;
    vq.avail_addr = AVAIL;
    vq.used_addr = USED;
    vq.event_idx = true;
    assert_true(virtqueue_enable(&vq, NULL));

    for (unsigned i = 0; i < 4; i++) {
        set_desc(DESC, i, BUF, 4, VRING_DESC_F_WRITE, 0);
        offer(i);
    }
    assert_int_equal(virtqueue_pop(&vq, &e), 1);
    /* avail_event: kick me for the entry after the one just taken. */
    assert_int_equal(get16(USED + 4 + 8 * QSIZE), 1);
    virtqueue_push(&vq, e, 4);
    virtqueue_element_free(e);
    assert_true(virtqueue_need_notify(&vq));     /* the first one always */

    /* The driver wants to hear when used->idx passes 2 (used_event = 2). */
    put16(AVAIL + 4 + 2 * QSIZE, 2);
    for (unsigned i = 1; i < 4; i++) {
        assert_int_equal(virtqueue_pop(&vq, &e), 1);
        virtqueue_push(&vq, e, 4);
        virtqueue_element_free(e);
        /* used idx 2: no (event 2 not yet passed); 3: yes; 4: no (already told). */
        assert_int_equal(virtqueue_need_notify(&vq), i == 2);
    }
    virtqueue_set_notification(&vq, true);
    assert_int_equal(get16(USED + 4 + 8 * QSIZE), 4);
}

static void test_fuzz(void **state)
{
    GRand *rng = g_rand_new_with_seed(42);
    unsigned ok = 0, broken = 0;
    for (unsigned round = 0; round < 3000; round++) {
        virtqueue_reset(&vq);
        vq.desc_addr = DESC;
        vq.avail_addr = AVAIL;
        vq.used_addr = USED;
        vq.indirect = g_rand_boolean(rng);
        vq.event_idx = g_rand_boolean(rng);
        /* Random descriptors whose addresses mostly fall in or near RAM. */
        for (unsigned i = 0; i < 0x3000; i += 4) {
            uint32_t v = g_rand_int(rng);
            memcpy(gpa(DESC + i), &v, 4);
        }
        for (unsigned i = 0; i < QSIZE; i++) {
            uint64_t addr = g_rand_int_range(rng, 0, g_rand_int_range(rng, 0, 8) ? 0x20000
                                                                               : 0x60000);
            uint32_t len = g_rand_int_range(rng, 0, 8) ? (uint32_t)g_rand_int_range(rng, 0, 0x200)
                                                       : g_rand_int(rng);
            uint16_t flags = g_rand_int_range(rng, 0, 4) |
                             (g_rand_int_range(rng, 0, 8) ? 0 : VRING_DESC_F_INDIRECT);
            set_desc(DESC, i, addr, len, flags, g_rand_int_range(rng, 0, QSIZE + 2));
            set_desc(ITABLE, i, addr, len, flags, g_rand_int_range(rng, 0, QSIZE + 2));
        }
        for (unsigned i = 0; i < QSIZE; i++) {
            put16(AVAIL + 4 + 2 * i, g_rand_int_range(rng, 0, QSIZE + 1));
        }
        put16(AVAIL + 2, g_rand_int_range(rng, 0, 12));
        if (!virtqueue_enable(&vq, NULL)) {
            continue;
        }
        VirtQueueElement *e;
        int r;
        while ((r = virtqueue_pop(&vq, &e)) == 1) {
            /* Every piece lies in RAM. */
            for (unsigned i = 0; i < e->out_num + e->in_num; i++) {
                uint8_t *p = e->out_sg[i].iov_base;
                size_t n = e->out_sg[i].iov_len;
                assert_true((p >= ram0_ptr && p + n <= ram0_ptr + RAM0_SIZE) ||
                            (p >= ram1_ptr && p + n <= ram1_ptr + RAM1_SIZE) ||
                            (!e->out_sg[i].iov_len));
            }
            virtqueue_push(&vq, e, g_rand_int(rng));
            virtqueue_element_free(e);
            virtqueue_need_notify(&vq);
            ok++;
        }
        broken += r < 0;
    }
    print_message("fuzz: %u elements popped, %u queues broken\n", ok, broken);
    assert_true(ok > 100 && broken > 100);
    g_rand_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_across_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_idx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
