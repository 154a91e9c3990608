/*
 * e820 table tests: bounds, the boot_params encoding, and "etc/e820" as the
 * firmware reads it through fw_cfg.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/i386/e820.h"
#include "hw/nvram/fw_cfg.h"
#include "tests/devices/harness.h"

static uint64_t get_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint64_t get_be(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* The pc layout a board would build: low RAM, the EBDA/BIOS holes, high RAM. */
static void pc_table(E820Table *t)
{
    Error *err = NULL;

    *t = (E820Table){ 0 };
    assert_true(e820_add_entry(t, 0, 0x9fc00, E820_RAM, &err));
    assert_true(e820_add_entry(t, 0x9fc00, 0x400, E820_RESERVED, &err));
    assert_true(e820_add_entry(t, 0xf0000, 0x10000, E820_RESERVED, &err));
    assert_true(e820_add_entry(t, 0x100000, 0x7ff00000, E820_RAM, &err));
    assert_true(e820_add_entry(t, 0xfeffc000, 0x4000, E820_RESERVED, &err));
    assert_true(e820_add_entry(t, 0x100000000ULL, 0x80000000ULL, E820_RAM, &err));
}

static void check_encoding(const uint8_t *p, const E820Table *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = p + i * E820_ENTRY_SIZE;
        assert_int_equal(get_le(e, 8), t->entries[i].addr);
        assert_int_equal(get_le(e + 8, 8), t->entries[i].len);
        assert_int_equal(get_le(e + 16, 4), t->entries[i].type);
    }
}

static void test_add_bounds(void **state)
{
    E820Table t = { 0 };
    Error *err = NULL;

    for (unsigned i = 0; i < E820_MAX_ENTRIES; i++) {
        assert_true(e820_add_entry(&t, (uint64_t)i << 20, 0x1000, E820_RAM, &err));
    }
    assert_false(e820_add_entry(&t, 0xffff0000, 0x1000, E820_RESERVED, &err));
    assert_non_null(strstr(error_get_pretty(err), "full"));
    error_free(err);
    err = NULL;
    assert_int_equal(t.count, E820_MAX_ENTRIES);

    t = (E820Table){ 0 };
    assert_false(e820_add_entry(&t, 0x1000, 0, E820_RAM, &err));
    error_free(err);
    err = NULL;
    assert_false(e820_add_entry(&t, UINT64_MAX - 0xfff, 0x2000, E820_RAM, &err));
    error_free(err);
    err = NULL;
    /* Ending exactly at 2^64 is fine. */
    assert_true(e820_add_entry(&t, UINT64_MAX - 0xfff, 0x1000, E820_RESERVED, &err));
    assert_int_equal(t.count, 1);
}

static void test_boot_params(void **state)
{
    E820Table t;
    uint8_t area[E820_MAX_ENTRIES * E820_ENTRY_SIZE + 8];

    pc_table(&t);
    memset(area, 0xaa, sizeof(area));
    assert_int_equal(e820_to_boot_params(&t, area, E820_MAX_ENTRIES), 6);
    check_encoding(area, &t, 6);
    assert_int_equal(area[6 * E820_ENTRY_SIZE], 0xaa);
    /* The exact bytes of one entry: 0x9fc00 + 0x400, reserved. */
    assert_memory_equal(area + E820_ENTRY_SIZE,
                        "\x00\xfc\x09\0\0\0\0\0" "\x00\x04\0\0\0\0\0\0" "\x02\0\0\0", 20);

    /* A smaller area takes the first entries only. */
    memset(area, 0xaa, sizeof(area));
    assert_int_equal(e820_to_boot_params(&t, area, 2), 2);
    check_encoding(area, &t, 2);
    assert_int_equal(area[2 * E820_ENTRY_SIZE], 0xaa);
    assert_int_equal(e820_to_boot_params(&t, area, 0), 0);
}

static void test_fw_cfg_file(void **state)
{
    E820Table t;
    Error *err = NULL;
    size_t len;

    harness_init();
    FWCfgState *fw = fw_cfg_init_io(FW_CFG_IO_BASE, FW_CFG_IO_DMA_BASE, &err);
    assert_non_null(fw);

    pc_table(&t);
    e820_to_fw_cfg(&t, fw);
    const uint8_t *p = fw_cfg_get_file(fw, "etc/e820", &len);
    assert_non_null(p);
    assert_int_equal(len, 6 * E820_ENTRY_SIZE);
    check_encoding(p, &t, 6);

    /* As firmware reads it: find it in the directory, then read its bytes. */
    uint8_t hdr[4], ent[FW_CFG_DIR_ENTRY_SIZE], data[6 * E820_ENTRY_SIZE];
    harness_outw(FW_CFG_IO_BASE, FW_CFG_FILE_DIR);
    for (unsigned i = 0; i < 4; i++) {
        hdr[i] = harness_inb(FW_CFG_IO_BASE + 1);
    }
    assert_int_equal(get_be(hdr, 4), 1);
    for (unsigned i = 0; i < sizeof(ent); i++) {
        ent[i] = harness_inb(FW_CFG_IO_BASE + 1);
    }
    assert_string_equal((char *)ent + 8, "etc/e820");
    assert_int_equal(get_be(ent, 4), sizeof(data));
    harness_outw(FW_CFG_IO_BASE, get_be(ent + 4, 2));
    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = harness_inb(FW_CFG_IO_BASE + 1);
    }
    check_encoding(data, &t, 6);

    /* A second call replaces the file (the board may rebuild the map). */
    Error *e2 = NULL;
    assert_true(e820_add_entry(&t, 0x180000000ULL, 0x1000, E820_NVS, &e2));
    e820_to_fw_cfg(&t, fw);
    p = fw_cfg_get_file(fw, "etc/e820", &len);
    assert_int_equal(len, 7 * E820_ENTRY_SIZE);
    check_encoding(p, &t, 7);

    /* An empty table gives an empty file. */
    t = (E820Table){ 0 };
    e820_to_fw_cfg(&t, fw);
    p = fw_cfg_get_file(fw, "etc/e820", &len);
    assert_non_null(p);
    assert_int_equal(len, 0);

    DeviceState *dev = NULL;
    BusState *sysbus = sysbus_get_default();
    for (guint i = 0; i < sysbus->children->len; i++) {
        DeviceState *d = g_ptr_array_index(sysbus->children, i);
        if (object_dynamic_cast(&d->parent_obj, TYPE_FW_CFG_IO)) {
            dev = d;
        }
    }
    assert_non_null(dev);
    qdev_unrealize(dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_bounds),
        cmocka_unit_test(test_boot_params),
        cmocka_unit_test(test_fw_cfg_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
