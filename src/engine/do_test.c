/*
 * do_test.c - DO routing in-process (do.c, do_routes.c), through
 * ward_engine_handle: route rules checked and matched in name order, the
 * Alice->Bob example with tokens and ward_parties policies, the TO gate on
 * ward/decrypt batches, and logoff: a key prefetched for a token is in the
 * transit mount's cache until that token revokes itself, then gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/dispatch.h"
#include "engine_int.h"

struct fx {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_engine *e;
    char root[128];
    char alice[256];
    char bob[256];
};

static int call(struct fx *f, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    struct ward_engine_req req = { .method = method,
                                   .path = path,
                                   .token = token,
                                   .request_id = "test",
                                   .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    int status;

    req.body = (const uint8_t *)body;
    req.body_len = body != NULL ? strlen(body) : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(f->e, &resp, &req);
    status = resp.status;
    if (out != NULL) {
        *out = resp.body.len > 0 ? json_loadb((const char *)resp.body.data, resp.body.len, 0, NULL)
                                 : NULL;
    }
    ward_engine_resp_cleanup(&resp);
    return status;
}

static void refused(struct fx *f, const char *path, const char *body, const char *token,
                    const char *code)
{
    json_t *b = NULL;

    assert_true(call(f, "POST", path, body, token, &b) >= 400);
    assert_string_equal(json_string_value(json_array_get(json_object_get(b, "codes"), 0)), code);
    json_decref(b);
}

static void make_token(struct fx *f, char *out, size_t cap, const char *name)
{
    char body[128];
    json_t *b = NULL;

    (void)snprintf(body, sizeof(body), "{\"display_name\":\"%s\",\"policies\":[\"%s\"]}", name,
                   name);
    assert_int_equal(call(f, "POST", "/v1/auth/token/create", body, f->root, &b), 200);
    (void)snprintf(out, cap, "%s",
                   json_string_value(json_object_get(json_object_get(b, "auth"), "client_token")));
    json_decref(b);
}

#define POLICY(parties)                                                                 \
    "{\"policy\":\"{\\\"path\\\":{\\\"do*\\\":{\\\"capabilities\\\":[\\\"update\\\"]}," \
    "\\\"ward/decrypt\\\":{\\\"capabilities\\\":[\\\"update\\\"]},"                     \
    "\\\"transit/decrypt/*\\\":{\\\"capabilities\\\":[\\\"update\\\"]}},"               \
    "\\\"ward_parties\\\":" parties "}\"}"

static int setup(void **state)
{
    struct fx *f = ward_calloc(1, sizeof(*f));
    struct ward_engine_config cfg = { .version = "0.1.0",
                                      .storage_type = "memory",
                                      .cluster_name = "test" };
    char body[256];
    json_t *b = NULL;

    assert_int_equal(ward_store_open(&f->st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&f->b, f->st), WARD_OK);
    assert_int_equal(ward_engine_new(&f->e, f->b, &cfg), WARD_OK);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", NULL, &b),
        200);
    (void)snprintf(f->root, sizeof(f->root), "%s",
                   json_string_value(json_object_get(b, "root_token")));
    (void)snprintf(body, sizeof(body), "{\"key\":\"%s\"}",
                   json_string_value(json_array_get(json_object_get(b, "keys"), 0)));
    json_decref(b);
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", body, NULL, NULL), 200);
    assert_int_equal(call(f, "POST", "/v1/transit/keys/k", "{}", f->root, NULL), 200);
    assert_int_equal(call(f, "POST", "/v1/transit/keys/other", "{}", f->root, NULL), 200);
    assert_int_equal(call(f, "PUT", "/v1/sys/policy/alice",
                          POLICY("{\\\"encrypt_to\\\":[\\\"token-bob\\\"]}"), f->root, NULL),
                     204);
    assert_int_equal(call(f, "PUT", "/v1/sys/policy/bob",
                          POLICY("{\\\"decrypt_from\\\":[\\\"token-alice\\\"]}"), f->root, NULL),
                     204);
    make_token(f, f->alice, sizeof(f->alice), "alice");
    make_token(f, f->bob, sizeof(f->bob), "bob");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    ward_engine_free(f->e);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

static void test_routes(void **state)
{
    struct fx *f = *state;
    json_t *b = NULL;

    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[],\"key\":\"k\"}", f->root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"]}", f->root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"],\"key\":\"k\",\"type\":\"\"}",
            f->root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"],\"key\":\"k\",\"mount\":\"x\"}",
            f->root, "invalid_argument");
    /* name order decides: 10-a (to token-b*) before 20-b (anyone) */
    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/20-b",
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"other\"}", f->root, NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/10-a",
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"k\",\"to\":\"token-b*\"}",
                          f->root, NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/do",
                          "{\"op\":\"encrypt\",\"to\":\"token-bob\",\"data\":\"aGk=\"}", f->alice,
                          &b),
                     200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "route")),
                        "10-a");
    json_decref(b);
    assert_int_equal(call(f, "POST", "/v1/do",
                          "{\"op\":\"encrypt\",\"to\":\"carol\",\"data\":\"aGk=\"}", f->root, &b),
                     200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "route")),
                        "20-b");
    json_decref(b);
    assert_int_equal(call(f, "DELETE", "/v1/sys/do/routes/20-b", NULL, f->root, NULL), 204);
    refused(f, "/v1/do", "{\"op\":\"encrypt\",\"to\":\"carol\",\"data\":\"aGk=\"}", f->root,
            "no_route");
    refused(f, "/v1/do", "{\"op\":\"encrypt\",\"to\":\"token-bob\",\"data\":\"aGk=\"}", f->bob,
            "party_not_allowed"); /* Bob has no encrypt_to at all: deny by default */
}

static void test_alice_bob(void **state)
{
    struct fx *f = *state;
    char body[1024];
    json_t *b = NULL;

    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/10-k",
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"k\"}", f->root, NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/do",
                          "{\"op\":\"encrypt\",\"to\":\"token-bob\",\"data\":\"aGk=\"}", f->alice,
                          &b),
                     200);
    (void)snprintf(body, sizeof(body), "{\"op\":\"decrypt\",\"data\":\"%s\"}",
                   json_string_value(json_object_get(json_object_get(b, "data"), "ciphertext")));
    json_decref(b);
    assert_int_equal(call(f, "POST", "/v1/do", body, f->bob, &b), 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "plaintext")),
                        "aGk=");
    json_decref(b);
    refused(f, "/v1/do", body, f->alice, "party_mismatch");
    refused(f, "/v1/do", body, f->root, "party_mismatch");
    refused(f, "/v1/do",
            "{\"op\":\"encrypt\",\"from\":\"x\",\"to\":\"token-bob\",\"data\":\"aGk=\"}", f->alice,
            "party_mismatch");
    /* the same ciphertext in a ward/decrypt batch: only Bob */
    {
        char batch[1200];
        const char *ct = strstr(body, "ward:v1:");

        (void)snprintf(batch, sizeof(batch), "{\"batch_input\":[{\"ciphertext\":\"%.*s\"}]}",
                       (int)(strlen(ct) - 2), ct);
        refused(f, "/v1/ward/decrypt", batch, f->alice, "party_mismatch");
        assert_int_equal(call(f, "POST", "/v1/ward/decrypt", batch, f->bob, NULL), 200);
    }
}

/* transit_keys is the default transit mount's key store (a reference the caller drops). */
static struct ward_keys *transit_keys(struct fx *f, struct mount **m)
{
    const char *rest = NULL;

    *m = mount_lookup(f->e->mounts, "transit/", &rest);
    assert_non_null(*m);
    return (*m)->state;
}

static void test_logoff_flushes(void **state)
{
    struct fx *f = *state;
    struct mount *m = NULL;
    struct ward_keys *ks = transit_keys(f, &m);

    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/10-k",
                          "{\"ops\":[\"encrypt\"],\"key\":\"k\"}", f->root, NULL),
                     204);
    ward_keys_flush(ks);
    assert_false(ward_keys_is_cached(ks, "k"));
    assert_int_equal(call(f, "POST", "/v1/do/prefetch", "{\"op\":\"encrypt\",\"to\":\"token-bob\"}",
                          f->alice, NULL),
                     200);
    assert_true(ward_keys_is_cached(ks, "k"));
    /* another token's logoff leaves it; Alice's drops it */
    assert_int_equal(call(f, "POST", "/v1/auth/token/revoke-self", "{}", f->bob, NULL), 204);
    assert_true(ward_keys_is_cached(ks, "k"));
    assert_int_equal(call(f, "POST", "/v1/auth/token/revoke-self", "{}", f->alice, NULL), 204);
    assert_false(ward_keys_is_cached(ks, "k"));
    mount_unref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alice_bob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logoff_flushes, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
