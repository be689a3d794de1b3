/*
 * dispatch_test.c - the engine end to end in-process: routing, refusals and
 * the sys lifecycle, through ward_engine_handle as the front calls it.
 */
#include "engine/dispatch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/testing.h"

static int setup(void **state)
{
    struct engine_fx *f = ward_calloc(1, sizeof(*f));

    engine_fx_open(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    engine_fx_close(*state);
    ward_free(*state);
    return 0;
}

/* call runs one request; returns the status and the parsed body (or NULL). */
static int call(struct engine_fx *f, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    return engine_call(f->e, method, path, body, token, out);
}

static void test_routing_refusals(void **state)
{
    struct engine_fx *f = *state;
    json_t *b = NULL;

    assert_int_equal(call(f, "GET", "/v1/sys/nope", NULL, NULL, &b), 404);
    assert_string_equal(engine_code_of(b), "not_found");
    json_decref(b);
    assert_int_equal(call(f, "DELETE", "/v1/sys/seal-status", NULL, NULL, &b), 405);
    json_decref(b);
    assert_int_equal(call(f, "GET", "/v1/sys/../sys/health", NULL, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/v1//sys/health", NULL, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/v1/SYS/health", NULL, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/v1/sys/%68ealth", NULL, NULL, NULL), 404);
    assert_int_equal(call(f, "GET", "/sys/health", NULL, NULL, NULL), 404);
}

static void test_bad_json(void **state)
{
    static const char *const bad[] = {
        "{",       "{\"secret_shares\":", "[1,2]",
        "\"str\"", "{\"a\":1,\"a\":2}",   "{\"secret_shares\":\"3\"}"
    };
    struct engine_fx *f = *state;
    char deep[200];
    json_t *b = NULL;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(call(f, "PUT", "/v1/sys/init", bad[i], NULL, &b), 400);
        assert_non_null(json_object_get(b, "errors"));
        json_decref(b);
    }
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[0] = '{';
    deep[199] = '\0';
    assert_int_equal(call(f, "PUT", "/v1/sys/init", deep, NULL, &b), 400);
    assert_string_equal(engine_code_of(b), "bad_encoding");
    json_decref(b);
}

static void test_lifecycle(void **state)
{
    struct engine_fx *f = *state;
    json_t *b = NULL;
    json_t *keys;
    char body[256];
    char token[128];

    assert_int_equal(call(f, "GET", "/v1/sys/health", NULL, NULL, NULL), 501);
    assert_int_equal(call(f, "GET", "/v1/sys/health?uninitcode=299", NULL, NULL, NULL), 299);
    assert_int_equal(call(f, "PUT", "/v1/sys/init",
                          "{\"secret_shares\":3,\"secret_threshold\":2,\"pgp_keys\":null}", NULL,
                          &b),
                     200);
    keys = json_object_get(b, "keys");
    assert_int_equal(json_array_size(keys), 3);
    assert_int_equal(strlen(json_string_value(json_array_get(keys, 0))), 86);
    (void)snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(b, "root_token")));
    assert_int_equal(call(f, "GET", "/v1/sys/health", NULL, NULL, NULL), 503);
    assert_int_equal(call(f, "POST", "/v1/sys/rotate", NULL, token, NULL), 503);
    (void)snprintf(body, sizeof(body), "{\"key\":\"%s\"}",
                   json_string_value(json_array_get(keys, 0)));
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", body, NULL, NULL), 200);
    (void)snprintf(body, sizeof(body), "{\"key\":\"%s\"}",
                   json_string_value(json_array_get(json_object_get(b, "keys_base64"), 2)));
    json_decref(b);
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", body, NULL, &b), 200);
    assert_true(json_is_false(json_object_get(b, "sealed")));
    json_decref(b);
    assert_int_equal(call(f, "GET", "/v1/sys/health", NULL, NULL, NULL), 200);
    assert_int_equal(call(f, "POST", "/v1/sys/rotate", NULL, NULL, &b), 403);
    assert_string_equal(engine_code_of(b), "permission_denied");
    json_decref(b);
    assert_int_equal(call(f, "POST", "/v1/sys/rotate", NULL, "w.r.forged", NULL), 403);
    assert_int_equal(call(f, "POST", "/v1/sys/rotate", NULL, token, NULL), 204);
    assert_int_equal(call(f, "GET", "/v1/sys/key-status", NULL, token, &b), 200);
    assert_int_equal(json_integer_value(json_object_get(b, "term")), 2);
    json_decref(b);
    assert_int_equal(call(f, "GET", "/v1/sys/metrics?format=prometheus", NULL, token, NULL), 200);
    assert_int_equal(call(f, "PUT", "/v1/sys/seal", NULL, token, NULL), 204);
    assert_int_equal(call(f, "GET", "/v1/sys/health", NULL, NULL, NULL), 503);
}

static void test_wrong_key(void **state)
{
    struct engine_fx *f = *state;
    json_t *b = NULL;

    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", "{\"key\":\"abc\"}", NULL, &b), 400);
    assert_string_equal(engine_code_of(b), "not_initialized");
    json_decref(b);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/init", "{\"secret_shares\":2,\"secret_threshold\":3}", NULL, &b),
        400);
    assert_string_equal(engine_code_of(b), "bad_threshold");
    json_decref(b);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", NULL, NULL),
        200);
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", "{\"key\":\"!!!\"}", NULL, &b), 400);
    assert_string_equal(engine_code_of(b), "bad_share");
    json_decref(b);
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", "{\"key\":5}", NULL, &b), 400);
    assert_string_equal(engine_code_of(b), "invalid_argument");
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routing_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
