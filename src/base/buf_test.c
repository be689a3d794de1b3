/*
 * buf_test.c - bounded buffers and cursors.
 */
#include "buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mem.h"

static void test_append_respects_max(void **state)
{
    struct ward_buf b;
    uint8_t big[100] = { 0 };

    (void)state;
    ward_buf_init(&b, 10);
    assert_int_equal(ward_buf_append(&b, "0123456789", 10), WARD_OK);
    assert_int_equal(ward_buf_append_u8(&b, 1), WARD_E_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "0123456789", 10);
    ward_buf_cleanup(&b);
    ward_buf_init(&b, 50);
    assert_int_equal(ward_buf_append(&b, big, sizeof(big)), WARD_E_TOO_LARGE);
    assert_int_equal(b.len, 0);
    ward_buf_cleanup(&b);
}

static void test_integers_big_endian(void **state)
{
    struct ward_buf b;
    struct ward_cursor c;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    static const uint8_t want[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

    (void)state;
    ward_buf_init(&b, 64);
    assert_int_equal(ward_buf_append_u8(&b, 0x01), WARD_OK);
    assert_int_equal(ward_buf_append_u16(&b, 0x0203), WARD_OK);
    assert_int_equal(ward_buf_append_u32(&b, 0x04050607), WARD_OK);
    assert_int_equal(ward_buf_append_u64(&b, 0x08090a0b0c0d0e0fULL), WARD_OK);
    assert_int_equal(b.len, sizeof(want));
    assert_memory_equal(b.data, want, sizeof(want));

    ward_cursor_init(&c, b.data, b.len);
    assert_int_equal(ward_cursor_get_u8(&c, &u8), WARD_OK);
    assert_int_equal(ward_cursor_get_u16(&c, &u16), WARD_OK);
    assert_int_equal(ward_cursor_get_u32(&c, &u32), WARD_OK);
    assert_int_equal(ward_cursor_get_u64(&c, &u64), WARD_OK);
    assert_int_equal(u8, 0x01);
    assert_int_equal(u16, 0x0203);
    assert_int_equal(u32, 0x04050607);
    assert_true(u64 == 0x08090a0b0c0d0e0fULL);
    assert_true(ward_cursor_empty(&c));
    ward_buf_cleanup(&b);
}

static void test_cursor_truncated_leaves_cursor(void **state)
{
    static const uint8_t in[3] = { 1, 2, 3 };
    struct ward_cursor c;
    uint32_t v = 99;
    const uint8_t *p;

    (void)state;
    ward_cursor_init(&c, in, sizeof(in));
    assert_int_equal(ward_cursor_get_u32(&c, &v), WARD_E_TRUNCATED);
    assert_int_equal(v, 0);
    assert_int_equal(c.len, 3);
    assert_int_equal(ward_cursor_get_bytes(&c, &p, 4), WARD_E_TRUNCATED);
    assert_null(p);
    assert_int_equal(ward_cursor_get_bytes(&c, &p, 3), WARD_OK);
    assert_ptr_equal(p, in);
    assert_true(ward_cursor_empty(&c));
}

static void test_growth_and_oom(void **state)
{
    struct ward_buf b;
    uint8_t chunk[100];

    (void)state;
    memset(chunk, 0xab, sizeof(chunk));
    ward_buf_init(&b, 1 << 20);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(ward_buf_append(&b, chunk, sizeof(chunk)), WARD_OK);
    }
    assert_int_equal(b.len, 10000);
    ward_mem_fail_at(1);
    assert_int_equal(ward_buf_reserve(&b, 1 << 19), WARD_E_NOMEM);
    ward_mem_fail_at(0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[9999], 0xab);
    assert_int_equal(ward_buf_terminate(&b), WARD_OK);
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[10000], 0);
    ward_buf_cleanup(&b);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_respects_max),
        cmocka_unit_test(test_integers_big_endian),
        cmocka_unit_test(test_cursor_truncated_leaves_cursor),
        cmocka_unit_test(test_growth_and_oom),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
