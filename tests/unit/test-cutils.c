/* Size, number and bool parsing (util/cutils.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "util/cutils.h"

static void test_sizes(void **state)
{
    static const struct {
        const char *in;
        uint64_t unit;
        uint64_t out;
    } ok[] = {
        { "0", 1, 0 }, { "512", 1, 512 }, { "1k", 1, 1024 }, { "1K", 1, 1024 },
        { "128M", 1, 128ull << 20 }, { "4G", 1, 4ull << 30 }, { "2T", 1, 2ull << 40 },
        { "1P", 1, 1ull << 50 }, { "1E", 1, 1ull << 60 }, { "1.5G", 1, 3ull << 29 },
        { "512", 1 << 20, 512ull << 20 }, { "512B", 1 << 20, 512 }, { "0x10", 1, 16 },
        { "8E", 1, 8ull << 60 } /* overflow checked below */,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok) - 1; i++) {
        uint64_t v = 0;
        assert_true(parse_size(ok[i].in, ok[i].unit, &v));
        assert_int_equal(v, ok[i].out);
    }
    static const char *const bad[] = {
        "", "-1", "12Q", "1GB", "G", " 1", "1 G", "16E", "99999999999999999999", "1.G", "abc",
        "18446744073709551615k",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t v;
        assert_false(parse_size(bad[i], 1, &v));
    }
}

static void test_numbers(void **state)
{
    uint64_t u;
    int64_t s;
    assert_true(parse_uint64("0x1f", &u));
    assert_int_equal(u, 31);
    assert_true(parse_uint64("017", &u));
    assert_int_equal(u, 15);
    assert_false(parse_uint64("-1", &u));
    assert_false(parse_uint64("1x", &u));
    assert_false(parse_uint64("", &u));
    assert_false(parse_uint64("18446744073709551616", &u));
    assert_true(parse_int64("-42", &s));
    assert_int_equal(s, -42);
    assert_false(parse_int64("9223372036854775808", &s));
}

static void test_bools(void **state)
{
    bool b;
    assert_true(parse_bool("on", &b) && b);
    assert_true(parse_bool("yes", &b) && b);
    assert_true(parse_bool("off", &b) && !b);
    assert_true(parse_bool("false", &b) && !b);
    assert_false(parse_bool("On", &b));
    assert_false(parse_bool("", &b));
}

static void test_size_to_str(void **state)
{
    char *s = size_to_str(128ull << 20);
    assert_string_equal(s, "128 MiB");
    g_free(s);
    s = size_to_str(512);
    assert_string_equal(s, "512 B");
    g_free(s);
    s = size_to_str(3ull << 29);
    assert_string_equal(s, "1.5 GiB");
    g_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bools),
        cmocka_unit_test(test_size_to_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
