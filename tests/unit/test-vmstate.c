/* Unit tests for migration/vmstate.c: encoding, round trips, rejection of bad streams. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migration/vmstate.h"

/* A stand-in for system/timer.c: this test links only the vmstate library. */
struct Timer {
    int64_t deadline;       /* -1: not pending */
};

static int64_t fake_timer_expire_time(const Timer *t)
{
    return t->deadline;
}

static void fake_timer_mod(Timer *t, int64_t expire_ns)
{
    t->deadline = expire_ns;
}

static void fake_timer_del(Timer *t)
{
    t->deadline = -1;
}

/* ---- Descriptions ---- */

typedef struct Inner {
    uint16_t a;
    bool b;
} Inner;

static int inner_post_loads;

static int inner_post_load(void *opaque, int version_id)
{
    inner_post_loads++;
    return 0;
}

static const VMStateField inner_fields[] = {
    VMS_FIELD(Inner, a, VMS_U16),
    VMS_FIELD(Inner, b, VMS_BOOL),
    VMS_END,
};

static const VMStateDescription inner_vmsd = {
    .name = "inner", .version_id = 1, .minimum_version_id = 1,
    .fields = inner_fields, .post_load = inner_post_load,
};

typedef struct Outer {
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    uint8_t buf[5];
    uint32_t regs[3];
    Inner inner[2];
    Timer *timer;
    uint32_t added_in_v3;
} Outer;

static int outer_pre_saves, outer_post_loads, outer_post_load_version;
static int outer_pre_save_ret, outer_post_load_ret;

static int outer_pre_save(void *opaque)
{
    outer_pre_saves++;
    return outer_pre_save_ret;
}

static int outer_post_load(void *opaque, int version_id)
{
    outer_post_loads++;
    outer_post_load_version = version_id;
    return outer_post_load_ret;
}

static const VMStateField outer_fields[] = {
    VMS_FIELD(Outer, flag, VMS_BOOL),
    VMS_FIELD(Outer, u8, VMS_U8),
    VMS_FIELD(Outer, u16, VMS_U16),
    VMS_FIELD(Outer, u32, VMS_U32),
    VMS_FIELD(Outer, u64, VMS_U64),
    VMS_FIELD(Outer, i32, VMS_I32),
    VMS_FIELD(Outer, i64, VMS_I64),
    VMS_BUF(Outer, buf),
    VMS_ARRAY(Outer, regs, VMS_U32, 3),
    VMS_STRUCT_ARRAY(Outer, inner, 2, Inner, &inner_vmsd),
    VMS_FIELD(Outer, timer, VMS_TIMER),
    { .name = "added_in_v3", .offset = offsetof(Outer, added_in_v3), .kind = VMS_U32,
      .version_id = 3 },
    VMS_END,
};

static const VMStateDescription outer_vmsd = {
    .name = "outer", .version_id = 3, .minimum_version_id = 2,
    .fields = outer_fields, .pre_save = outer_pre_save, .post_load = outer_post_load,
};

/* Encoded size of Outer at version 3. */
#define OUTER_V3_LEN (1 + 1 + 2 + 4 + 8 + 4 + 8 + 5 + 12 + 2 * 3 + 8 + 4)

static Timer timer_a, timer_b;

static void outer_fill(Outer *o)
{
    memset(o, 0, sizeof(*o));
    o->flag = true;
    o->u8 = 0xab;
    o->u16 = 0x1234;
    o->u32 = 0xdeadbeef;
    o->u64 = 0x0102030405060708ull;
    o->i32 = -2;
    o->i64 = INT64_MIN + 5;
    memcpy(o->buf, "kemu!", 5);
    o->regs[0] = 1;
    o->regs[1] = 0x80000000u;
    o->regs[2] = 3;
    o->inner[0] = (Inner){ .a = 0xbeef, .b = true };
    o->inner[1] = (Inner){ .a = 7, .b = false };
    timer_a.deadline = 123456789;
    o->timer = &timer_a;
    o->added_in_v3 = 42;
}

static GByteArray *outer_save(Outer *o)
{
    GByteArray *buf = g_byte_array_new();
    assert_true(vmstate_save(buf, &outer_vmsd, o, NULL));
    return buf;
}

static void assert_load_fails(const uint8_t *data, size_t len, const VMStateDescription *vmsd,
                              void *opaque, int version, const char *msg_part)
{
    Error *err = NULL;
    size_t pos = 0;
    assert_false(vmstate_load(data, len, &pos, vmsd, opaque, version, &err));
    assert_non_null(err);
    if (msg_part && !strstr(error_get_pretty(err), msg_part)) {
        fail_msg("error '%s' lacks '%s'", error_get_pretty(err), msg_part);
    }
    assert_int_equal(pos, 0);
    error_free(err);
}

/* ---- Tests ---- */

static void test_timer_ops_required(void **state)
{
    /* Before vmstate_set_timer_ops(): a clean error, not a crash. */
    Outer o;
    outer_fill(&o);
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    assert_false(vmstate_save(buf, &outer_vmsd, &o, &err));
    assert_non_null(strstr(error_get_pretty(err), "timer support is not registered"));
    assert_int_equal(buf->len, 0);
    error_free(err);
    g_byte_array_free(buf, true);

    vmstate_set_timer_ops(fake_timer_expire_time, fake_timer_mod, fake_timer_del);
}

static void test_encoding(void **state)
{
    Outer o;
    outer_fill(&o);
    GByteArray *buf = outer_save(&o);
    static const uint8_t expect[OUTER_V3_LEN] = {
        0x01,                                           /* flag */
        0xab,                                           /* u8 */
        0x12, 0x34,                                     /* u16 */
        0xde, 0xad, 0xbe, 0xef,                         /* u32 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* u64 */
        0xff, 0xff, 0xff, 0xfe,                         /* i32 -2 */
        0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* i64 */
        'k', 'e', 'm', 'u', '!',                        /* buf */
        0, 0, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 3,          /* regs[3] */
        0xbe, 0xef, 0x01, 0x00, 0x07, 0x00,             /* inner[2] */
        0, 0, 0, 0, 0x07, 0x5b, 0xcd, 0x15,             /* timer 123456789 */
        0, 0, 0, 42,                                    /* added_in_v3 */
    };
    assert_int_equal(buf->len, OUTER_V3_LEN);
    assert_memory_equal(buf->data, expect, OUTER_V3_LEN);
    g_byte_array_free(buf, true);
}

static void test_round_trip(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    outer_pre_saves = 0;
    GByteArray *buf = outer_save(&src);
    assert_int_equal(outer_pre_saves, 1);

    memset(&dst, 0, sizeof(dst));
    timer_b.deadline = -1;
    dst.timer = &timer_b;
    outer_post_loads = inner_post_loads = 0;
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, &outer_vmsd, &dst, 3, NULL));
    assert_int_equal(pos, buf->len);
    assert_int_equal(outer_post_loads, 1);
    assert_int_equal(outer_post_load_version, 3);
    assert_int_equal(inner_post_loads, 2);

    assert_true(dst.flag);
    assert_int_equal(dst.u8, src.u8);
    assert_int_equal(dst.u16, src.u16);
    assert_int_equal(dst.u32, src.u32);
    assert_int_equal(dst.u64, src.u64);
    assert_int_equal(dst.i32, -2);
    assert_true(dst.i64 == INT64_MIN + 5);
    assert_memory_equal(dst.buf, "kemu!", 5);
    assert_memory_equal(dst.regs, src.regs, sizeof(src.regs));
    assert_int_equal(dst.inner[0].a, 0xbeef);
    assert_true(dst.inner[0].b);
    assert_int_equal(dst.inner[1].a, 7);
    assert_false(dst.inner[1].b);
    assert_int_equal(timer_b.deadline, 123456789);
    assert_int_equal(dst.added_in_v3, 42);
    g_byte_array_free(buf, true);
}

static void test_timer_not_pending(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    timer_a.deadline = -1;
    GByteArray *buf = outer_save(&src);
    outer_fill(&dst);
    timer_b.deadline = 5000;
    dst.timer = &timer_b;
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, &outer_vmsd, &dst, 3, NULL));
    assert_int_equal(timer_b.deadline, -1);     /* deleted */

    /* A deadline below -1 is corrupt. */
    size_t timer_off = OUTER_V3_LEN - 12;
    memset(buf->data + timer_off, 0xff, 8);
    buf->data[timer_off + 7] = 0xfe;            /* -2 */
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, 3, "invalid timer deadline");
    g_byte_array_free(buf, true);
}

static void test_truncated_every_length(void **state)
{
    Outer src, dst, before;
    outer_fill(&src);
    GByteArray *buf = outer_save(&src);
    memset(&dst, 0x5a, sizeof(dst));
    timer_b.deadline = 77;
    dst.timer = &timer_b;
    memcpy(&before, &dst, sizeof(dst));
    outer_post_loads = 0;
    for (size_t len = 0; len < buf->len; len++) {
        assert_load_fails(buf->data, len, &outer_vmsd, &dst, 3, "stream truncated");
        /* Nothing was written into the object on the way. */
        assert_memory_equal(&dst, &before, sizeof(dst));
        assert_int_equal(timer_b.deadline, 77);
    }
    assert_int_equal(outer_post_loads, 0);
    g_byte_array_free(buf, true);
}

static void test_version_checks(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    GByteArray *buf = outer_save(&src);
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, 4, "newer");
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, 1, "older");
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, -1, "older");
    g_byte_array_free(buf, true);
}

static void test_newer_fields_skipped(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    GByteArray *buf = outer_save(&src);
    /* A version 2 stream is the v3 one without its last field. */
    outer_fill(&dst);
    dst.u8 = 0;
    dst.added_in_v3 = 999;
    dst.timer = &timer_b;
    size_t pos = 0;
    outer_post_load_version = 0;
    assert_true(vmstate_load(buf->data, OUTER_V3_LEN - 4, &pos, &outer_vmsd, &dst, 2, NULL));
    assert_int_equal(pos, OUTER_V3_LEN - 4);
    assert_int_equal(dst.u8, 0xab);
    assert_int_equal(dst.added_in_v3, 999);      /* untouched */
    assert_int_equal(outer_post_load_version, 2);
    g_byte_array_free(buf, true);
}

static void test_invalid_bool(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    GByteArray *buf = outer_save(&src);
    buf->data[0] = 2;
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, 3, "invalid bool");
    g_byte_array_free(buf, true);
}

static void test_sequential_and_position(void **state)
{
    Inner a = { .a = 1, .b = true }, b = { .a = 2, .b = false }, x, y;
    GByteArray *buf = g_byte_array_new();
    assert_true(vmstate_save(buf, &inner_vmsd, &a, NULL));
    assert_true(vmstate_save(buf, &inner_vmsd, &b, NULL));
    assert_int_equal(buf->len, 6);
    size_t pos = 0;
    assert_true(vmstate_load(buf->data, buf->len, &pos, &inner_vmsd, &x, 1, NULL));
    assert_int_equal(pos, 3);
    assert_true(vmstate_load(buf->data, buf->len, &pos, &inner_vmsd, &y, 1, NULL));
    assert_int_equal(pos, 6);
    assert_int_equal(x.a, 1);
    assert_true(x.b);
    assert_int_equal(y.a, 2);
    assert_false(y.b);

    /* Nothing left, or a position past the end: rejected, pos unchanged. */
    Error *err = NULL;
    assert_false(vmstate_load(buf->data, buf->len, &pos, &inner_vmsd, &x, 1, &err));
    assert_int_equal(pos, 6);
    error_free(err);
    err = NULL;
    pos = 10;
    assert_false(vmstate_load(buf->data, buf->len, &pos, &inner_vmsd, &x, 1, &err));
    assert_int_equal(pos, 10);
    error_free(err);
    g_byte_array_free(buf, true);
}

static void test_hook_failures(void **state)
{
    Outer src, dst;
    outer_fill(&src);
    GByteArray *buf = g_byte_array_new();
    g_byte_array_append(buf, (const uint8_t *)"xy", 2);
    Error *err = NULL;
    outer_pre_save_ret = -22;
    assert_false(vmstate_save(buf, &outer_vmsd, &src, &err));
    assert_non_null(strstr(error_get_pretty(err), "pre_save failed"));
    assert_int_equal(buf->len, 2);              /* nothing appended */
    error_free(err);
    outer_pre_save_ret = 0;

    g_byte_array_set_size(buf, 0);
    assert_true(vmstate_save(buf, &outer_vmsd, &src, NULL));
    outer_post_load_ret = -1;
    dst.timer = &timer_b;
    assert_load_fails(buf->data, buf->len, &outer_vmsd, &dst, 3, "post_load failed");
    outer_post_load_ret = 0;
    g_byte_array_free(buf, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_ops_required),      /* first: registers the ops */
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_timer_not_pending),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_version_checks),
        cmocka_unit_test(test_newer_fields_skipped),
        cmocka_unit_test(test_invalid_bool),
        cmocka_unit_test(test_sequential_and_position),
        cmocka_unit_test(test_hook_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
