/*
 * transit_test.c - libward's transit request bodies (built by hand, so
 * checked here byte for byte), its string and key-name checks, and the
 * refusals made before anything is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client_int.h"

static void expect_body(const struct ward_client_transit_req *req, bool encrypt, const char *want)
{
    struct ward_buf b;

    ward_buf_init(&b, 1024);
    assert_int_equal(ward_client_transit_body(&b, req, encrypt), WARD_OK);
    assert_string_equal((const char *)b.data, want);
    ward_buf_cleanup(&b);
}

static void test_encrypt_body(void **state)
{
    struct ward_client_transit_req req = { .plaintext = (const uint8_t *)"hello",
                                           .plaintext_len = 5 };

    (void)state;
    expect_body(&req, true, "{\"plaintext\":\"aGVsbG8=\"}");
    req.context = "Y3R4";
    req.format = "vault";
    req.key_version = 3;
    req.ciphertext = "ignored by encrypt";
    expect_body(&req, true,
                "{\"plaintext\":\"aGVsbG8=\",\"context\":\"Y3R4\",\"ciphertext_format\":\"vault\","
                "\"key_version\":3}");
    /* an empty plaintext is a valid request */
    req = (struct ward_client_transit_req){ .plaintext = NULL, .plaintext_len = 0 };
    expect_body(&req, true, "{\"plaintext\":\"\"}");
}

static void test_decrypt_body(void **state)
{
    struct ward_client_transit_req req = { .ciphertext = "ward:v1:AQID+/==", .format = "raw" };

    (void)state;
    /* the format is the ciphertext's own: decrypt does not send it */
    expect_body(&req, false, "{\"ciphertext\":\"ward:v1:AQID+/==\"}");
    req.key_version = 2;
    expect_body(&req, false, "{\"ciphertext\":\"ward:v1:AQID+/==\",\"key_version\":2}");
}

static void test_body_refusals(void **state)
{
    static const char *const bad[] = { "a\"b", "a\\b", "a\nb", "\x7f", "caf\xc3\xa9" };
    struct ward_client_transit_req req = { .ciphertext = NULL };
    struct ward_buf b;

    (void)state;
    ward_buf_init(&b, 1024);
    assert_int_equal(ward_client_transit_body(&b, &req, false), WARD_E_INVALID);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ward_buf_reset(&b);
        b.len = 0;
        req.ciphertext = "ward:v1:AA==";
        req.context = bad[i];
        assert_int_equal(ward_client_transit_body(&b, &req, false), WARD_E_INVALID);
        assert_false(ward_client_json_safe(bad[i]));
    }
    ward_buf_cleanup(&b);
    /* past the buffer's max */
    ward_buf_init(&b, 16);
    req = (struct ward_client_transit_req){ .plaintext = (const uint8_t *)"0123456789abcdef",
                                            .plaintext_len = 16 };
    assert_int_equal(ward_client_transit_body(&b, &req, true), WARD_E_TOO_LARGE);
    ward_buf_cleanup(&b);
}

static void test_key_names(void **state)
{
    char long_name[130];

    (void)state;
    assert_true(ward_client_key_name_ok("orders"));
    assert_true(ward_client_key_name_ok("a.b_c-d@e9"));
    assert_false(ward_client_key_name_ok(NULL));
    assert_false(ward_client_key_name_ok(""));
    assert_false(ward_client_key_name_ok("."));
    assert_false(ward_client_key_name_ok(".."));
    assert_false(ward_client_key_name_ok("a/b"));
    assert_false(ward_client_key_name_ok("a b"));
    assert_false(ward_client_key_name_ok("a%2e"));
    memset(long_name, 'k', sizeof(long_name) - 1);
    long_name[128] = '\0';
    assert_true(ward_client_key_name_ok(long_name));
    long_name[128] = 'k';
    long_name[129] = '\0';
    assert_false(ward_client_key_name_ok(long_name));
}

static void test_refused_before_sending(void **state)
{
    /* nothing listens on port 1: any request that were sent would fail with WARD_E_SYS */
    struct ward_client_opts opts = { .addr = "https://127.0.0.1:1", .timeout_ms = 5000 };
    struct ward_client_transit_req req = { .key_name = "no/slash",
                                           .plaintext = (const uint8_t *)"x",
                                           .plaintext_len = 1 };
    struct ward_client_transit_result r;
    struct ward_client *c = NULL;

    (void)state;
    assert_int_equal(ward_client_new(&c, &opts), WARD_OK);
    assert_int_equal(ward_client_transit_encrypt(c, &r, &req), WARD_E_INVALID);
    assert_non_null(strstr(ward_client_get_error(c), "key name"));
    assert_null(r.ciphertext);
    req.key_name = "k";
    req.format = "vault\"";
    assert_int_equal(ward_client_transit_encrypt(c, &r, &req), WARD_E_INVALID);
    req.key_name = NULL; /* Ward's nameless decrypt: the ciphertext is still checked */
    req.ciphertext = "ward:v1:\"";
    assert_int_equal(ward_client_transit_decrypt(c, &r, &req), WARD_E_INVALID);
    assert_null(r.plaintext);
    req.ciphertext = "ward:v1:AA==";
    assert_int_equal(ward_client_transit_decrypt(c, &r, &req), WARD_E_SYS);
    ward_client_transit_result_cleanup(&r);
    ward_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encrypt_body),           cmocka_unit_test(test_decrypt_body),
        cmocka_unit_test(test_body_refusals),          cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_refused_before_sending),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
