/*
 * decode_test.c - libward's error-body decoding, JSON readers, share
 * character check, and the handle's address rules (no network needed
 * except a refused connection to a closed local port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client_int.h"

static void decode(ward_err *err, char *msg, size_t cap, int status, const char *body)
{
    ward_client_decode_error(err, msg, cap, status, body, body ? strlen(body) : 0);
}

static void test_error_body_known_code(void **state)
{
    ward_err err = WARD_OK;
    char msg[64];

    (void)state;
    decode(&err, msg, sizeof(msg), 400, "{\"errors\":[\"bad share\"],\"codes\":[\"bad_share\"]}");
    assert_int_equal(err, WARD_E_BAD_SHARE);
    assert_string_equal(msg, "bad share");
    decode(&err, msg, sizeof(msg), 503, "{\"errors\":[\"Ward is sealed\"],\"codes\":[\"sealed\"]}");
    assert_int_equal(err, WARD_E_SEALED);
    decode(&err, msg, sizeof(msg), 400,
           "{\"errors\":[\"x\"],\"codes\":[\"unseal_failed\",\"internal\"]}");
    assert_int_equal(err, WARD_E_UNSEAL_FAILED);
}

static void test_error_body_unknown_or_missing(void **state)
{
    ward_err err = WARD_OK;
    char msg[64];

    (void)state;
    decode(&err, msg, sizeof(msg), 400, "{\"errors\":[\"m\"],\"codes\":[\"no_such_code\"]}");
    assert_int_equal(err, WARD_E_INTERNAL);
    assert_string_equal(msg, "m");
    /* Vault's shape: no codes, the status decides */
    decode(&err, msg, sizeof(msg), 403, "{\"errors\":[\"permission denied\"]}");
    assert_int_equal(err, WARD_E_PERMISSION);
    assert_string_equal(msg, "permission denied");
    decode(&err, msg, sizeof(msg), 404, NULL);
    assert_int_equal(err, WARD_E_NOT_FOUND);
    assert_string_equal(msg, "server answered HTTP 404");
    decode(&err, msg, sizeof(msg), 500, "<html>oops</html>");
    assert_int_equal(err, WARD_E_INTERNAL);
    decode(&err, msg, sizeof(msg), 400, "{\"errors\":[42],\"codes\":[7]}");
    assert_int_equal(err, WARD_E_INVALID);
    assert_string_equal(msg, "server answered HTTP 400");
}

static void test_error_message_truncated(void **state)
{
    ward_err err = WARD_OK;
    char msg[4];

    (void)state;
    decode(&err, msg, sizeof(msg), 400,
           "{\"errors\":[\"abcdef\"],\"codes\":[\"invalid_argument\"]}");
    assert_int_equal(err, WARD_E_INVALID);
    assert_string_equal(msg, "abc");
}

static void test_err_from_name(void **state)
{
    (void)state;
    assert_int_equal(ward_client_err_from_name("not_found"), WARD_E_NOT_FOUND);
    assert_int_equal(ward_client_err_from_name("ok"), WARD_E_OK);
    assert_int_equal(ward_client_err_from_name("permission_denied"), WARD_E_PERMISSION);
    assert_int_equal(ward_client_err_from_name(""), WARD_E_INTERNAL);
    assert_int_equal(ward_client_err_from_name(NULL), WARD_E_INTERNAL);
}

static void test_share_chars(void **state)
{
    (void)state;
    assert_true(ward_client_check_token_chars("abcDEF012+/=", 12));
    assert_true(ward_client_check_token_chars("1b4e28ba-2fa1-11d2-883f-0016d3cca427", 36));
    assert_false(ward_client_check_token_chars("", 0));
    assert_false(ward_client_check_token_chars("ab\"c", 4));
    assert_false(ward_client_check_token_chars("ab\\c", 4));
    assert_false(ward_client_check_token_chars("ab c", 4));
    assert_false(ward_client_check_token_chars("ab\nc", 4));
}

static void test_json_readers(void **state)
{
    json_t *o = json_loads("{\"b\":true,\"n\":7,\"neg\":-1,\"big\":4294967296,\"s\":\"hi\","
                           "\"keys\":[\"aa\",\"bb\"],\"keys_base64\":[\"qg==\",\"uw==\"]}",
                           0, NULL);
    struct ward_client_keys keys;
    bool b = false;
    uint32_t n = 0;
    char s[3];

    (void)state;
    assert_non_null(o);
    assert_int_equal(ward_client_json_bool(o, "b", &b), WARD_OK);
    assert_true(b);
    assert_int_equal(ward_client_json_bool(o, "n", &b), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_client_json_u32(o, "n", &n), WARD_OK);
    assert_int_equal(n, 7);
    assert_int_equal(ward_client_json_u32(o, "neg", &n), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_client_json_u32(o, "big", &n), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_client_json_u32(o, "missing", &n), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_client_json_str(o, "s", s, sizeof(s)), WARD_OK);
    assert_string_equal(s, "hi");
    assert_int_equal(ward_client_json_str(o, "missing", s, sizeof(s)), WARD_OK);
    assert_string_equal(s, "");
    assert_int_equal(ward_client_json_str(o, "s", s, 2), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_client_json_keys(o, &keys), WARD_OK);
    assert_int_equal(keys.num_keys, 2);
    assert_string_equal(keys.keys[1], "bb");
    assert_string_equal(keys.keys_base64[0], "qg==");
    ward_client_keys_cleanup(&keys);
    assert_null(keys.keys);
    json_decref(o);
}

static void test_keys_mismatch(void **state)
{
    json_t *o = json_loads("{\"keys\":[\"aa\",\"bb\"],\"keys_base64\":[\"qg==\"]}", 0, NULL);
    struct ward_client_keys keys;

    (void)state;
    assert_int_equal(ward_client_json_keys(o, &keys), WARD_E_BAD_ENCODING);
    assert_null(keys.keys);
    json_decref(o);
    o = json_loads("{\"keys\":[\"aa\",1],\"keys_base64\":[\"qg==\",\"uw==\"]}", 0, NULL);
    assert_int_equal(ward_client_json_keys(o, &keys), WARD_E_BAD_ENCODING);
    assert_null(keys.keys);
    json_decref(o);
}

static void test_client_addr_rules(void **state)
{
    struct ward_client_opts opts = { .addr = "http://127.0.0.1:8200" };
    struct ward_client *c = NULL;

    (void)state;
    assert_int_equal(ward_client_new(&c, &opts), WARD_E_INVALID);
    assert_null(c);
    opts.addr = "https://";
    assert_int_equal(ward_client_new(&c, &opts), WARD_E_INVALID);
    opts.addr = "https://127.0.0.1:8200//";
    assert_int_equal(ward_client_new(&c, &opts), WARD_OK);
    assert_string_equal(c->addr, "https://127.0.0.1:8200");
    ward_client_free(c);
    assert_int_equal(ward_client_new(&c, NULL), WARD_OK);
    assert_string_equal(c->addr, WARD_CLIENT_DEFAULT_ADDR);
    assert_int_equal(ward_client_set_token(c, "t1"), WARD_OK);
    assert_int_equal(ward_client_set_token(c, NULL), WARD_OK);
    ward_client_free(c);
    ward_client_free(NULL);
}

static void test_refused_connection(void **state)
{
    /* port 1 on loopback: nothing listens, so connect fails at once */
    struct ward_client_opts opts = { .addr = "https://127.0.0.1:1",
                                     .timeout_ms = 5000,
                                     .retries = 1 };
    struct ward_client *c = NULL;
    struct ward_client_seal_status s;
    struct ward_client_resp resp;
    int status = -1;

    (void)state;
    assert_int_equal(ward_client_new(&c, &opts), WARD_OK);
    assert_int_equal(ward_client_sys_seal_status(c, &s), WARD_E_SYS);
    assert_non_null(strstr(ward_client_get_error(c), "cannot reach https://127.0.0.1:1"));
    assert_string_equal(ward_client_get_body(c, &status), "");
    assert_int_equal(status, 0);
    assert_int_equal(ward_client_request(c, &resp, "GET", "v1/no-slash", NULL), WARD_E_INVALID);
    assert_null(resp.body);
    assert_int_equal(ward_client_sys_unseal(c, &s, "bad\"share", false), WARD_E_BAD_SHARE);
    ward_client_resp_cleanup(&resp);
    ward_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_body_known_code),
        cmocka_unit_test(test_error_body_unknown_or_missing),
        cmocka_unit_test(test_error_message_truncated),
        cmocka_unit_test(test_err_from_name),
        cmocka_unit_test(test_share_chars),
        cmocka_unit_test(test_json_readers),
        cmocka_unit_test(test_keys_mismatch),
        cmocka_unit_test(test_client_addr_rules),
        cmocka_unit_test(test_refused_connection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
