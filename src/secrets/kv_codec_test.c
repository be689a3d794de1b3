/*
 * kv_codec_test.c - the KV entry formats of docs/storage-format.md: known
 * bytes for a config entry, round trips of metadata and directories, and
 * every truncation, trailing byte and bad flag refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kv_int.h"

static void test_config_bytes(void **state)
{
    static const uint8_t want[14] = { 1, 0, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 0x0e, 0x10 };
    struct ward_kv_config c = { .max_versions = 7, .cas_required = true, .delete_after_s = 3600 };
    struct ward_kv_config back;
    struct ward_buf b;
    uint8_t bad[14];

    (void)state;
    ward_buf_init(&b, 64);
    assert_int_equal(kv_config_encode(&b, &c), WARD_OK);
    assert_int_equal(b.len, sizeof(want));
    assert_memory_equal(b.data, want, sizeof(want));
    assert_int_equal(kv_config_decode(&back, b.data, b.len), WARD_OK);
    assert_int_equal(back.max_versions, 7);
    assert_true(back.cas_required);
    assert_int_equal(back.delete_after_s, 3600);
    memcpy(bad, want, sizeof(bad));
    bad[5] = 2;
    assert_int_not_equal(kv_config_decode(&back, bad, sizeof(bad)), WARD_OK);
    assert_int_not_equal(kv_config_decode(&back, want, sizeof(want) - 1), WARD_OK);
    ward_buf_cleanup(&b);
}

static void encode_meta(struct ward_buf *b)
{
    struct ward_kv_version v[2] = {
        { .version = 4, .created_ms = 1000, .type = WARD_KV_USER },
        { .version = 5,
          .created_ms = 2000,
          .deletion_ms = 3000,
          .destroyed = true,
          .type = WARD_KV_GENERATED },
    };
    struct ward_kv_meta m = { .path = "app/db",
                              .max_versions = 3,
                              .current_version = 5,
                              .oldest_version = 4,
                              .num_versions = 2,
                              .versions = v };

    ward_buf_init(&m.custom, 64);
    assert_int_equal(ward_buf_append_str(&m.custom, "{\"o\":\"x\"}"), WARD_OK);
    ward_buf_init(b, 4096);
    assert_int_equal(kv_meta_encode(b, &m), WARD_OK);
    ward_buf_cleanup(&m.custom);
}

static ward_err decode_meta(const uint8_t *p, size_t n, struct ward_kv_meta *m)
{
    ward_err err;

    memset(m, 0, sizeof(*m));
    ward_buf_init(&m->custom, WARD_KV_MAX_CUSTOM);
    err = kv_meta_decode(m, p, n);
    return err;
}

static void test_meta_round_trip_and_refusals(void **state)
{
    struct ward_kv_meta m;
    struct ward_buf b;
    uint8_t copy[512];

    (void)state;
    encode_meta(&b);
    /* 1 + 2+6 + 4 + 1 + 8*5 + 4 + 9 + 4 + 26*2 */
    assert_int_equal(b.len, 123);
    assert_int_equal(decode_meta(b.data, b.len, &m), WARD_OK);
    assert_string_equal(m.path, "app/db");
    assert_int_equal(m.num_versions, 2);
    assert_true(m.versions[1].destroyed);
    assert_int_equal(m.versions[1].type, WARD_KV_GENERATED);
    assert_int_equal(m.custom.len, 9);
    ward_kv_meta_cleanup(&m);
    for (size_t n = 0; n < b.len; n++) {
        assert_int_not_equal(decode_meta(b.data, n, &m), WARD_OK);
        ward_kv_meta_cleanup(&m);
    }
    memcpy(copy, b.data, b.len);
    copy[b.len] = 0;
    assert_int_equal(decode_meta(copy, b.len + 1, &m), WARD_E_BAD_ENCODING);
    ward_kv_meta_cleanup(&m);
    copy[b.len - 1] = 3; /* type of the last version */
    assert_int_equal(decode_meta(copy, b.len, &m), WARD_E_BAD_ENCODING);
    ward_kv_meta_cleanup(&m);
    copy[0] = 2;
    assert_int_equal(decode_meta(copy, b.len, &m), WARD_E_BAD_VERSION);
    ward_kv_meta_cleanup(&m);
    ward_buf_cleanup(&b);
}

static void test_dir_round_trip(void **state)
{
    struct kv_dir d = { .path = "team" };
    struct kv_dir back = { .path = "" };
    struct ward_buf b;

    (void)state;
    assert_int_equal(kv_list_add(&d.names, "db/"), WARD_OK);
    assert_int_equal(kv_list_add(&d.names, "api"), WARD_OK);
    assert_int_equal(kv_list_add(&d.names, "api"), WARD_OK);
    assert_int_equal(d.names.num, 2);
    ward_buf_init(&b, 4096);
    assert_int_equal(kv_dir_encode(&b, &d), WARD_OK);
    assert_int_equal(kv_dir_decode(&back, b.data, b.len), WARD_OK);
    assert_string_equal(back.path, "team");
    assert_int_equal(back.names.num, 2);
    assert_string_equal(back.names.keys[0], "api");
    assert_string_equal(back.names.keys[1], "db/");
    ward_kv_list_cleanup(&back.names);
    for (size_t n = 0; n < b.len; n++) {
        assert_int_not_equal(kv_dir_decode(&back, b.data, n), WARD_OK);
        ward_kv_list_cleanup(&back.names);
    }
    assert_true(kv_list_remove(&d.names, "api"));
    assert_false(kv_list_remove(&d.names, "api"));
    ward_kv_list_cleanup(&d.names);
    ward_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_bytes),
        cmocka_unit_test(test_meta_round_trip_and_refusals),
        cmocka_unit_test(test_dir_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
