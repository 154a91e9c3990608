/* The option-value grammar of util/opts.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/opts.h"

static Opts *parse_ok(const char *str, const char *implied)
{
    Error *err = NULL;
    Opts *o = opts_parse(str, implied, &err);
    assert_null(err);
    assert_non_null(o);
    return o;
}

static void test_implied_key(void **state)
{
    Opts *o = parse_ok("virtio-blk-pci,drive=d0,id=disk", "driver");
    assert_string_equal(opts_get(o, "driver"), "virtio-blk-pci");
    assert_string_equal(opts_get(o, "drive"), "d0");
    assert_string_equal(opts_get(o, "id"), "disk");
    assert_true(opts_check_unused(o, NULL));
    opts_free(o);
}

static void test_explicit_first_key(void **state)
{
    Opts *o = parse_ok("driver=e1000,mac=52:54:00:12:34:56", "driver");
    assert_string_equal(opts_get(o, "driver"), "e1000");
    assert_string_equal(opts_get(o, "mac"), "52:54:00:12:34:56");
    opts_free(o);
}

static void test_comma_escape(void **state)
{
    Opts *o = parse_ok("file=my,,disk.img,,x,format=raw", NULL);
    assert_string_equal(opts_get(o, "file"), "my,disk.img,x");
    assert_string_equal(opts_get(o, "format"), "raw");
    opts_free(o);
    o = parse_ok("a,,b", "path");
    assert_string_equal(opts_get(o, "path"), "a,b");
    opts_free(o);
}

static void test_escape_roundtrip(void **state)
{
    Opts *o = parse_ok("file=a,,b,x=1", NULL);
    char *s = opts_to_string(o);
    assert_string_equal(s, "file=a,,b,x=1");
    g_free(s);
    opts_free(o);
}

static void test_help(void **state)
{
    Opts *o = parse_ok("virtio-blk-pci,help", "driver");
    assert_true(opts_help_requested(o));
    assert_string_equal(opts_get(o, "driver"), "virtio-blk-pci");
    opts_free(o);
    o = parse_ok("?", "type");
    assert_true(opts_help_requested(o));
    assert_false(opts_has(o, "type"));
    opts_free(o);
}

static void test_flags(void **state)
{
    Opts *o = parse_ok("socket,id=s,server,nowait", "backend");
    assert_string_equal(opts_get(o, "server"), "on");
    assert_true(opts_has(o, "nowait"));
    bool b;
    assert_true(opts_get_bool(o, "server", false, &b, NULL));
    assert_true(b);
    opts_free(o);
}

static void test_last_wins(void **state)
{
    Opts *o = parse_ok("x=1,x=2", NULL);
    assert_string_equal(opts_get(o, "x"), "2");
    opts_free(o);
}

static void test_empty_value(void **state)
{
    Opts *o = parse_ok("path=", NULL);
    assert_string_equal(opts_get(o, "path"), "");
    opts_free(o);
}

static void test_trailing_comma(void **state)
{
    Opts *o = parse_ok("pc,", "type");
    assert_string_equal(opts_get(o, "type"), "pc");
    opts_free(o);
}

static void test_errors(void **state)
{
    static const char *const bad[] = { "=x", "a=1,=2", "a=1,,,=3", "a=1,,b", ",a" };
    static const char *const why[] = {
        "Expected parameter before '='", "Expected parameter before '='",
        "Expected parameter before '='", NULL, "Empty parameter name in ',a'",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        Error *err = NULL;
        Opts *o = opts_parse(bad[i], NULL, &err);
        if (!why[i]) {
            /* "a=1,,b" is one value "1,b": valid. */
            assert_non_null(o);
            assert_string_equal(opts_get(o, "a"), "1,b");
            opts_free(o);
            continue;
        }
        assert_null(o);
        assert_non_null(err);
        assert_string_equal(error_get_pretty(err), why[i]);
        error_free(err);
    }
}

static void test_unused(void **state)
{
    Opts *o = parse_ok("size=1G,slots=2,typo=3", "size");
    uint64_t v;
    assert_true(opts_get_size(o, "size", 0, &v, NULL));
    assert_int_equal(v, 1ull << 30);
    assert_true(opts_get_uint(o, "slots", 0, &v, NULL));
    assert_int_equal(v, 2);
    Error *err = NULL;
    assert_false(opts_check_unused(o, &err));
    assert_string_equal(error_get_pretty(err), "Invalid parameter 'typo'");
    error_free(err);
    opts_free(o);
}

static void test_typed_getters(void **state)
{
    Opts *o = parse_ok("b=maybe,n=12x,s=4Q,ok=0x10", NULL);
    bool b;
    uint64_t v;
    Error *err = NULL;
    assert_false(opts_get_bool(o, "b", false, &b, &err));
    assert_string_equal(error_get_pretty(err), "Parameter 'b' expects 'on' or 'off'");
    error_free(err);
    err = NULL;
    assert_false(opts_get_uint(o, "n", 0, &v, &err));
    assert_non_null(err);
    error_free(err);
    err = NULL;
    assert_false(opts_get_size(o, "s", 0, &v, &err));
    assert_non_null(err);
    error_free(err);
    assert_true(opts_get_uint(o, "ok", 0, &v, NULL));
    assert_int_equal(v, 16);
    assert_true(opts_get_uint(o, "absent", 7, &v, NULL));
    assert_int_equal(v, 7);
    opts_free(o);
}

static void test_long_input(void **state)
{
    GString *s = g_string_new("x");
    for (int i = 0; i < 5000; i++) {
        g_string_append_printf(s, ",k%d=v,,%d", i, i);
    }
    Opts *o = parse_ok(s->str, "type");
    assert_string_equal(opts_get(o, "k4999"), "v,4999");
    opts_free(o);
    g_string_free(s, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implied_key),
        cmocka_unit_test(test_explicit_first_key),
        cmocka_unit_test(test_comma_escape),
        cmocka_unit_test(test_escape_roundtrip),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_last_wins),
        cmocka_unit_test(test_empty_value),
        cmocka_unit_test(test_trailing_comma),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_unused),
        cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_long_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
