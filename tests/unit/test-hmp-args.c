/* Unit tests of the HMP argument parser (monitor/hmp-args.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "monitor/hmp.h"

/* Parse text against args_type; NULL on error, with the message in *msg. */
static HmpArgs *parse(const char *args_type, const char *text, char **msg)
{
    HmpCommand cmd = { .name = "test", .args_type = args_type };
    Error *err = NULL;
    HmpArgs *args = hmp_parse_args(&cmd, text, &err);
    if (msg) {
        *msg = err ? g_strdup(error_get_pretty(err)) : NULL;
    }
    if (err) {
        assert_null(args);
        error_free(err);
    }
    return args;
}

/* Expect a parse error whose message contains want. */
static void expect_error(const char *args_type, const char *text, const char *want)
{
    char *msg = NULL;
    HmpArgs *args = parse(args_type, text, &msg);
    assert_null(args);
    assert_non_null(msg);
    if (!strstr(msg, want)) {
        fail_msg("error '%s' does not contain '%s'", msg, want);
    }
    g_free(msg);
}

static void test_empty_no_args(void **state)
{
    HmpArgs *args = parse("", "", NULL);
    assert_non_null(args);
    hmp_args_free(args);
    args = parse(NULL, "   \t ", NULL);
    assert_non_null(args);
    hmp_args_free(args);
    HmpCommand cmd = { .name = "test", .args_type = "" };
    args = hmp_parse_args(&cmd, NULL, NULL);
    assert_non_null(args);
    hmp_args_free(args);
}

static void test_word(void **state)
{
    HmpArgs *args = parse("name:s", "  hello  ", NULL);
    assert_non_null(args);
    assert_true(hmp_arg_has(args, "name"));
    assert_string_equal(hmp_arg_str(args, "name"), "hello");
    assert_null(hmp_arg_str(args, "other"));
    hmp_args_free(args);
}

static void test_two_words(void **state)
{
    HmpArgs *args = parse("a:s,b:F", "one /tmp/two.log", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "a"), "one");
    assert_string_equal(hmp_arg_str(args, "b"), "/tmp/two.log");
    hmp_args_free(args);
}

static void test_quoted(void **state)
{
    HmpArgs *args = parse("a:s,b:s", "\"hello world\" \"\"", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "a"), "hello world");
    assert_true(hmp_arg_has(args, "b"));
    assert_string_equal(hmp_arg_str(args, "b"), "");
    hmp_args_free(args);
}

static void test_escapes(void **state)
{
    HmpArgs *args = parse("a:s", "\"say \\\"hi\\\" \\\\ \\n\\t\\'\"", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "a"), "say \"hi\" \\ \n\t'");
    hmp_args_free(args);
}

static void test_unterminated(void **state)
{
    expect_error("a:s", "\"abc", "unterminated string");
    expect_error("a:s", "\"abc\\", "unterminated string");
    expect_error("a:F", "\"", "unterminated string");
}

static void test_bad_escape(void **state)
{
    expect_error("a:s", "\"a\\qb\"", "unsupported escape code: '\\q'");
}

static void test_rest_of_line(void **state)
{
    HmpArgs *args = parse("cmd:S", "  info   status \"x\"  ", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "cmd"), "info   status \"x\"");
    hmp_args_free(args);

    args = parse("n:s,rest:S?", "first", NULL);
    assert_non_null(args);
    assert_false(hmp_arg_has(args, "rest"));
    hmp_args_free(args);

    expect_error("rest:S", "   ", "Parameter 'rest' is missing");
}

static void test_int(void **state)
{
    HmpArgs *args = parse("a:i,b:i,c:i,d:i", "42 0x1f 010 -7", NULL);
    assert_non_null(args);
    assert_int_equal(hmp_arg_int(args, "a", 0), 42);
    assert_int_equal(hmp_arg_int(args, "b", 0), 31);
    assert_int_equal(hmp_arg_int(args, "c", 0), 8);
    assert_int_equal(hmp_arg_int(args, "d", 0), -7);
    assert_int_equal(hmp_arg_int(args, "none", 99), 99);
    hmp_args_free(args);
}

static void test_int32_range(void **state)
{
    HmpArgs *args = parse("a:i,b:i", "0xffffffff -2147483648", NULL);
    assert_non_null(args);
    assert_int_equal(hmp_arg_int(args, "a", 0), 0xffffffffLL);
    assert_int_equal(hmp_arg_int(args, "b", 0), INT32_MIN);
    hmp_args_free(args);
    expect_error("a:i", "0x100000000", "Parameter 'a' expects a 32-bit integer");
    expect_error("a:i", "-2147483649", "32-bit");
}

static void test_int64(void **state)
{
    HmpArgs *args = parse("a:l,b:l,c:l", "0xffffffffffffffff -9223372036854775808 "
                          "123456789012", NULL);
    assert_non_null(args);
    assert_true((uint64_t)hmp_arg_int(args, "a", 0) == UINT64_MAX);
    assert_true(hmp_arg_int(args, "b", 0) == INT64_MIN);
    assert_int_equal(hmp_arg_int(args, "c", 0), 123456789012LL);
    hmp_args_free(args);
    expect_error("a:l", "0x10000000000000000", "expects a number");
    expect_error("a:l", "-9223372036854775809", "expects a number");
}

static void test_bad_number(void **state)
{
    expect_error("index:i", "abc", "Parameter 'index' expects a number");
    expect_error("index:i", "12abc", "Parameter 'index' expects a number");
    expect_error("index:l", "08", "Parameter 'index' expects a number");
    expect_error("index:i", "-", "Parameter 'index' expects a number");
    expect_error("index:l", "--5", "Parameter 'index' expects a number");
}

static void test_size(void **state)
{
    HmpArgs *args = parse("a:o,b:o,c:o,d:o", "4096 64k 2M 1G", NULL);
    assert_non_null(args);
    assert_int_equal(hmp_arg_int(args, "a", 0), 4096);
    assert_int_equal(hmp_arg_int(args, "b", 0), 64 << 10);
    assert_int_equal(hmp_arg_int(args, "c", 0), 2 << 20);
    assert_int_equal(hmp_arg_int(args, "d", 0), 1LL << 30);
    hmp_args_free(args);
}

static void test_bad_size(void **state)
{
    expect_error("sz:o", "12Q", "Parameter 'sz' expects a size");
    expect_error("sz:o", "-1", "Parameter 'sz' expects a size");
    expect_error("sz:o", "16E", "Parameter 'sz' expects a size");
    expect_error("sz:o", "k", "Parameter 'sz' expects a size");
}

static void test_bool(void **state)
{
    HmpArgs *args = parse("a:b,b:b", "on off", NULL);
    assert_non_null(args);
    assert_true(hmp_arg_bool(args, "a", false));
    assert_false(hmp_arg_bool(args, "b", true));
    assert_true(hmp_arg_bool(args, "missing", true));
    hmp_args_free(args);
    expect_error("a:b", "maybe", "Parameter 'a' expects 'on' or 'off'");
}

static void test_flags(void **state)
{
    HmpArgs *args = parse("flat:-f,dispatch:-d,name:s?", "-d -f", NULL);
    assert_non_null(args);
    assert_true(hmp_arg_bool(args, "flat", false));
    assert_true(hmp_arg_bool(args, "dispatch", false));
    assert_false(hmp_arg_has(args, "name"));
    hmp_args_free(args);

    args = parse("flat:-f,dispatch:-d,name:s?", "-f word", NULL);
    assert_non_null(args);
    assert_true(hmp_arg_has(args, "flat"));
    assert_false(hmp_arg_has(args, "dispatch"));
    assert_false(hmp_arg_bool(args, "dispatch", false));
    assert_string_equal(hmp_arg_str(args, "name"), "word");
    hmp_args_free(args);

    args = parse("flat:-f", "", NULL);
    assert_non_null(args);
    assert_false(hmp_arg_bool(args, "flat", false));
    hmp_args_free(args);
}

static void test_bad_flag(void **state)
{
    expect_error("flat:-f", "-x", "unsupported option -x");
    expect_error("flat:-f", "-f -f extra", "extraneous characters");
}

static void test_flag_then_negative(void **state)
{
    HmpArgs *args = parse("all:-a,n:i", "-5", NULL);
    assert_non_null(args);
    assert_false(hmp_arg_has(args, "all"));
    assert_int_equal(hmp_arg_int(args, "n", 0), -5);
    hmp_args_free(args);
}

static void test_optional(void **state)
{
    HmpArgs *args = parse("a:s,b:i?,c:o?", "x", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "a"), "x");
    assert_false(hmp_arg_has(args, "b"));
    assert_int_equal(hmp_arg_int(args, "b", -1), -1);
    assert_int_equal(hmp_arg_int(args, "c", 7), 7);
    hmp_args_free(args);

    args = parse("a:s,b:i?", "x 3", NULL);
    assert_non_null(args);
    assert_int_equal(hmp_arg_int(args, "b", -1), 3);
    hmp_args_free(args);
}

static void test_missing(void **state)
{
    expect_error("name:s", "", "Parameter 'name' is missing");
    expect_error("a:s,b:i", "x", "Parameter 'b' is missing");
    expect_error("f:F", "  ", "Parameter 'f' is missing");
}

static void test_too_many(void **state)
{
    expect_error("", "x", "extraneous characters at the end of line");
    expect_error("a:s", "x y", "extraneous characters at the end of line");
    expect_error("a:i?", "1 2", "extraneous characters at the end of line");
}

static void test_control_chars(void **state)
{
    expect_error("a:s", "ab\x01" "cd", "invalid control character 0x01");
    expect_error("a:S", "x\x1b[A", "invalid control character 0x1b");
    expect_error("a:s", "\"a\x7f\"", "invalid control character 0x7f");
    /* Tabs, CR and LF are white space. */
    HmpArgs *args = parse("a:s,b:s", "\tone\r\ntwo\n", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "a"), "one");
    assert_string_equal(hmp_arg_str(args, "b"), "two");
    hmp_args_free(args);
}

static void test_utf8(void **state)
{
    HmpArgs *args = parse("f:F", "/tmp/\xc3\xa9t\xc3\xa9.log", NULL);
    assert_non_null(args);
    assert_string_equal(hmp_arg_str(args, "f"), "/tmp/\xc3\xa9t\xc3\xa9.log");
    hmp_args_free(args);
}

static void test_long_input(void **state)
{
    size_t n = 1 << 20;
    char *word = g_malloc(n + 1);
    memset(word, 'a', n);
    word[n] = '\0';
    HmpArgs *args = parse("a:s", word, NULL);
    assert_non_null(args);
    assert_int_equal(strlen(hmp_arg_str(args, "a")), n);
    hmp_args_free(args);

    char *quoted = g_strdup_printf("\"%s", word);
    expect_error("a:s", quoted, "unterminated string");
    g_free(quoted);

    /* Many words against one argument. */
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 10000; i++) {
        g_string_append(s, "w ");
    }
    expect_error("a:s", s->str, "extraneous characters");
    g_string_free(s, true);

    char *digits = g_strnfill(4096, '9');
    expect_error("n:l", digits, "expects a number");
    g_free(digits);
    g_free(word);
}

static void test_bad_args_type(void **state)
{
    expect_error("a:z", "x", "internal error");
    expect_error("a", "x", "internal error");
    expect_error(":s", "x", "internal error");
    expect_error("a:-", "", "internal error");
    expect_error("a:s??", "", "internal error");
}

static void test_wrong_getter(void **state)
{
    HmpArgs *args = parse("n:i,s:s", "5 five", NULL);
    assert_non_null(args);
    assert_null(hmp_arg_str(args, "n"));
    assert_int_equal(hmp_arg_int(args, "s", -1), -1);
    assert_true(hmp_arg_bool(args, "n", true));
    hmp_args_free(args);
    hmp_args_free(NULL);
    assert_false(hmp_arg_has(NULL, "x"));
}

static const HmpCommand table[] = {
    { .name = "help|?", .args_type = "name:S?" },
    { .name = "c|cont", .args_type = "" },
    { .name = "cpu", .args_type = "index:i" },
    { .name = NULL },
};

static void test_find_command(void **state)
{
    assert_ptr_equal(hmp_find_command(table, "c"), &table[1]);
    assert_ptr_equal(hmp_find_command(table, "cont"), &table[1]);
    assert_ptr_equal(hmp_find_command(table, "?"), &table[0]);
    assert_ptr_equal(hmp_find_command(table, "cpu"), &table[2]);
    assert_null(hmp_find_command(table, "co"));
    assert_null(hmp_find_command(table, "cont|c"));
    assert_null(hmp_find_command(table, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_no_args),
        cmocka_unit_test(test_word),
        cmocka_unit_test(test_two_words),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_bad_escape),
        cmocka_unit_test(test_rest_of_line),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_int32_range),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_bad_number),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_bad_size),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_bad_flag),
        cmocka_unit_test(test_flag_then_negative),
        cmocka_unit_test(test_optional),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_bad_args_type),
        cmocka_unit_test(test_wrong_getter),
        cmocka_unit_test(test_find_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
