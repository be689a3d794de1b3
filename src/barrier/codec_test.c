/*
 * codec_test.c - the barrier's stored and outside formats, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "barrier_int.h"
#include "base/base64.h"

static void test_share_roundtrip_and_layout(void **state)
{
    struct share in = { .threshold = 3, .x = 5 };
    struct share out;
    struct ward_secret *text = NULL;
    uint8_t raw[64];
    size_t raw_len;

    (void)state;
    memset(in.kek_id, 0xa1, sizeof(in.kek_id));
    for (int i = 0; i < KEY_LEN; i++) {
        in.y[i] = (uint8_t)i;
    }
    assert_int_equal(share_encode(&text, &in), WARD_OK);
    assert_int_equal(text->len, 60);
    assert_int_equal(
        ward_base64_decode(raw, sizeof(raw), &raw_len, (const char *)text->data, text->len),
        WARD_OK);
    assert_int_equal(raw_len, 43);
    assert_int_equal(raw[0], 1);
    assert_int_equal(raw[1], 0xa1);
    assert_int_equal(raw[9], 3);
    assert_int_equal(raw[10], 5);
    assert_int_equal(raw[11 + 31], 31);
    assert_int_equal(share_decode(&out, text->data, text->len), WARD_OK);
    assert_memory_equal(&out, &in, sizeof(in));
    ward_secret_free(text);
}

static ward_err decode_raw(const uint8_t *raw, size_t raw_len)
{
    char text[128];
    struct share out;

    assert_int_equal(ward_base64_encode(text, sizeof(text), raw, raw_len), WARD_OK);
    return share_decode(&out, (const uint8_t *)text, strlen(text));
}

static void test_share_refusals(void **state)
{
    uint8_t raw[44];

    (void)state;
    memset(raw, 1, sizeof(raw));
    assert_int_equal(decode_raw(raw, 43), WARD_OK);
    assert_int_equal(decode_raw(raw, 42), WARD_E_TRUNCATED);
    assert_int_equal(decode_raw(raw, 44), WARD_E_BAD_SHARE);
    raw[0] = 2;
    assert_int_equal(decode_raw(raw, 43), WARD_E_BAD_VERSION);
    raw[0] = 1;
    raw[10] = 0;
    assert_int_equal(decode_raw(raw, 43), WARD_E_BAD_SHARE);
    raw[10] = 17;
    assert_int_equal(decode_raw(raw, 43), WARD_E_BAD_SHARE);
    raw[10] = 1;
    raw[9] = 0;
    assert_int_equal(decode_raw(raw, 43), WARD_E_BAD_SHARE);
}

static void test_keyring_roundtrip_and_refusals(void **state)
{
    struct keyring *kr = NULL;
    struct keyring *k2 = NULL;
    struct keyring *back = NULL;
    struct ward_secret *blob = NULL;

    (void)state;
    assert_int_equal(keyring_new(&kr, 1000), WARD_OK);
    assert_int_equal(keyring_add_term(&k2, kr, 2000), WARD_OK);
    assert_int_equal(k2->active, 2);
    assert_int_equal(keyring_encode(&blob, k2), WARD_OK);
    assert_int_equal(blob->len, 9 + 2 * 44);
    assert_int_equal(keyring_decode(&back, blob->data, blob->len), WARD_OK);
    assert_int_equal(back->num, 2);
    assert_memory_equal(keyring_key(back, 1), keyring_key(kr, 1), KEY_LEN);
    assert_memory_equal(keyring_key(back, 2), keyring_key(k2, 2), KEY_LEN);
    assert_null(keyring_key(back, 3));
    keyring_free(back);
    assert_int_equal(keyring_decode(&back, blob->data, blob->len - 1), WARD_E_STORE_CORRUPT);
    blob->data[4] = 9; /* active term 9 is absent */
    assert_int_equal(keyring_decode(&back, blob->data, blob->len), WARD_E_STORE_CORRUPT);
    blob->data[0] = 2;
    assert_int_equal(keyring_decode(&back, blob->data, blob->len), WARD_E_BAD_VERSION);
    assert_null(back);
    ward_secret_free(blob);
    keyring_free(kr);
    keyring_free(k2);
}

static void test_seal_record_roundtrip(void **state)
{
    struct seal_record r;
    struct seal_record back;
    struct ward_init_result res = { 0 };
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 4, .threshold = 2 };
    uint8_t root[KEY_LEN];
    struct ward_buf enc;

    (void)state;
    memset(root, 0x77, sizeof(root));
    assert_int_equal(seal_create(&r, &res, &p, root), WARD_OK);
    assert_int_equal(res.num_shares, 4);
    ward_buf_init(&enc, 4096);
    assert_int_equal(seal_encode(&enc, &r), WARD_OK);
    assert_int_equal(enc.len, 172);
    assert_int_equal(seal_decode(&back, enc.data, enc.len), WARD_OK);
    assert_memory_equal(back.wrapped, r.wrapped, sizeof(r.wrapped));
    assert_int_equal(back.threshold, 2);
    assert_int_equal(seal_decode(&back, enc.data, enc.len - 1), WARD_E_STORE_CORRUPT);
    enc.data[18] = 9; /* k > n */
    assert_int_equal(seal_decode(&back, enc.data, enc.len), WARD_E_STORE_CORRUPT);
    enc.data[0] = 7;
    assert_int_equal(seal_decode(&back, enc.data, enc.len), WARD_E_BAD_VERSION);
    ward_buf_cleanup(&enc);
    ward_init_result_cleanup(&res);
}

static void test_entry_binds_path_and_term(void **state)
{
    uint8_t key[KEY_LEN];
    uint8_t plain[16];
    struct ward_buf e;
    struct entry_header h;

    (void)state;
    memset(key, 0x42, sizeof(key));
    ward_buf_init(&e, 1024);
    assert_int_equal(entry_seal(&e, key, 7, "p/q", (const uint8_t *)"hello", 5), WARD_OK);
    assert_int_equal(e.len, ENTRY_OVERHEAD + 5);
    assert_int_equal(e.data[0], 1);
    assert_int_equal(ward_get_u32(e.data + 1), 7);
    assert_int_equal(entry_parse(&h, e.data, e.len), WARD_OK);
    assert_int_equal(entry_open(plain, sizeof(plain), key, &h, "p/q"), WARD_OK);
    assert_memory_equal(plain, "hello", 5);
    assert_int_equal(entry_open(plain, sizeof(plain), key, &h, "p/r"), WARD_E_INTEGRITY);
    h.term = 8;
    assert_int_equal(entry_open(plain, sizeof(plain), key, &h, "p/q"), WARD_E_INTEGRITY);
    assert_int_equal(entry_parse(&h, e.data, ENTRY_OVERHEAD - 1), WARD_E_INTEGRITY);
    assert_int_equal(entry_parse(&h, e.data, 0), WARD_E_INTEGRITY);
    ward_buf_cleanup(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_roundtrip_and_layout),
        cmocka_unit_test(test_share_refusals),
        cmocka_unit_test(test_keyring_roundtrip_and_refusals),
        cmocka_unit_test(test_seal_record_roundtrip),
        cmocka_unit_test(test_entry_binds_path_and_term),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
