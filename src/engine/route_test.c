/*
 * route_test.c - op table routing: exact rows, prefix rows ("secret/data/"
 * followed by a star) with their decoded rest, and every path refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/ops.h"

static ward_err route(enum op_id *op, char *rest, const char *method, const char *path)
{
    return op_route(op, rest, OP_MAX_REST + 1, method, path);
}

static void test_exact_and_prefix_rows(void **state)
{
    char rest[OP_MAX_REST + 1];
    enum op_id op;

    (void)state;
    assert_int_equal(route(&op, rest, "GET", "sys/health"), WARD_OK);
    assert_int_equal(op, OP_SYS_HEALTH);
    assert_string_equal(rest, "");
    assert_int_equal(route(&op, rest, "GET", "secret/data/app/db"), WARD_OK);
    assert_int_equal(op, OP_KV_READ);
    assert_string_equal(rest, "app/db");
    assert_int_equal(route(&op, rest, "PATCH", "secret/data/a"), WARD_OK);
    assert_int_equal(op, OP_KV_PATCH);
    assert_int_equal(route(&op, rest, "LIST", "secret/metadata"), WARD_OK);
    assert_int_equal(op, OP_KV_LIST);
    assert_string_equal(rest, "");
    assert_int_equal(route(&op, rest, "LIST", "secret/metadata/team/"), WARD_OK);
    assert_string_equal(rest, "team/");
    assert_int_equal(route(&op, rest, "GET", "secret/data/caf%C3%A9%20x"), WARD_OK);
    assert_string_equal(rest, "caf\xc3\xa9 x");
    assert_int_equal(route(&op, rest, "HEAD", "secret/data/a"), WARD_E_UNSUPPORTED);
    assert_int_equal(route(&op, rest, "GET", "secret/dat"), WARD_E_NOT_FOUND);
    assert_int_equal(route(&op, rest, "GET", "secret/config/x"), WARD_E_NOT_FOUND);
}

static void test_bad_paths(void **state)
{
    static const char *const bad[] = {
        "secret/data/a/../b",   "secret/data/..",           "secret/data/a/./b",
        "secret/data/a//b",     "secret/data//a",           "secret/data/a%2F%2Fb",
        "secret/data/%2e%2e",   "secret/data/a%ff",         "secret/data/a%00b",
        "secret/data/a%zz",     "secret/data/a%4",          "secret/data/\x01",
        "secret/data/\xc0\xaf", "secret/data/\xed\xa0\x80", "secret/data/\xf4\x90\x80\x80",
    };
    char rest[OP_MAX_REST + 1];
    char longp[4096 + 16];
    enum op_id op;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(route(&op, rest, "POST", bad[i]), WARD_E_BAD_PATH);
        assert_string_equal(rest, "");
    }
    memcpy(longp, "secret/data/", 12);
    memset(longp + 12, 'x', 4096);
    longp[12 + 4096] = '\0';
    assert_int_equal(route(&op, rest, "POST", longp), WARD_E_BAD_PATH);
    longp[12 + OP_MAX_REST] = '\0'; /* exactly the limit */
    assert_int_equal(route(&op, rest, "POST", longp), WARD_OK);
    assert_int_equal(op_path_check("a/b/"), WARD_OK);
    assert_int_equal(op_path_check("a/b//"), WARD_E_BAD_PATH);
    assert_int_equal(op_path_check("/a"), WARD_E_BAD_PATH);
}

/* ":name" rows capture one name segment each; "/:x?" segments may be absent. */
static void test_var_rows(void **state)
{
    static const char *const bad[] = {
        "transit/encrypt/",          "transit/encrypt/a/b",           "transit/encrypt/a%20b",
        "transit/encrypt/a b",       "transit/encrypt/caf\xc3\xa9",   "transit/keys/a/rotate/x",
        "transit/hmac/k/sha2-256/x", "transit/export/encryption-key",
    };
    char rest[OP_MAX_REST + 1];
    struct op_ctx c = { 0 };
    enum op_id op;

    (void)state;
    assert_int_equal(route(&op, rest, "POST", "transit/encrypt/my-key_1.v2@x"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_ENCRYPT);
    assert_string_equal(rest, "my-key_1.v2@x");
    assert_int_equal(route(&op, rest, "POST", "transit/keys/k/rotate"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_KEY_ROTATE);
    assert_int_equal(route(&op, rest, "GET", "transit/keys/k"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_KEY_READ);
    assert_int_equal(route(&op, rest, "LIST", "transit/keys"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_KEY_LIST);

    /* optional trailing segments */
    assert_int_equal(route(&op, rest, "POST", "transit/hmac/k"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_HMAC);
    assert_string_equal(rest, "k");
    assert_int_equal(route(&op, rest, "POST", "transit/hmac/k/sha2-512"), WARD_OK);
    assert_string_equal(rest, "k/sha2-512");
    assert_int_equal(route(&op, rest, "POST", "transit/random"), WARD_OK);
    assert_string_equal(rest, "");
    assert_int_equal(route(&op, rest, "POST", "transit/random/platform/64"), WARD_OK);
    assert_string_equal(rest, "platform/64");
    assert_int_equal(route(&op, rest, "GET", "transit/export/signing-key/k/latest"), WARD_OK);
    assert_int_equal(op, OP_TRANSIT_EXPORT);

    /* the handler's view */
    (void)snprintf(c.rest_buf, sizeof(c.rest_buf), "%s", rest);
    op_split_vars(&c, &g_ops[OP_TRANSIT_EXPORT]);
    assert_int_equal(c.num_vars, 3);
    assert_string_equal(c.var[0], "signing-key");
    assert_string_equal(c.var[1], "k");
    assert_string_equal(c.var[2], "latest");
    c.rest_buf[0] = '\0';
    op_split_vars(&c, &g_ops[OP_TRANSIT_RANDOM]);
    assert_int_equal(c.num_vars, 0);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ward_err err = route(&op, rest, "POST", bad[i]);

        if (err != WARD_E_NOT_FOUND && err != WARD_E_UNSUPPORTED) {
            fail_msg("%s: got %d", bad[i], err);
        }
    }
    /* "." and ".." are names by their bytes, refused as path segments */
    assert_int_equal(route(&op, rest, "POST", "transit/encrypt/.."), WARD_E_BAD_PATH);
    assert_int_equal(route(&op, rest, "POST", "transit/encrypt/."), WARD_E_BAD_PATH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_and_prefix_rows),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_var_rows),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
