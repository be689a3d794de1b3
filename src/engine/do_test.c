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
#include "engine/testing.h"
#include "engine_int.h"

struct fx {
    struct engine_fx x;
    char alice[256];
    char bob[256];
};

static int call(struct fx *f, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    return engine_call(f->x.e, method, path, body, token, out);
}

static void refused(struct fx *f, const char *path, const char *body, const char *token,
                    const char *code)
{
    engine_refused(f->x.e, "POST", path, body, token, code);
}

#define POLICY(parties)                                                                 \
    "{\"policy\":\"{\\\"path\\\":{\\\"do*\\\":{\\\"capabilities\\\":[\\\"update\\\"]}," \
    "\\\"ward/decrypt\\\":{\\\"capabilities\\\":[\\\"update\\\"]},"                     \
    "\\\"transit/decrypt/*\\\":{\\\"capabilities\\\":[\\\"update\\\"]}},"               \
    "\\\"ward_parties\\\":" parties "}\"}"

static int setup(void **state)
{
    struct fx *f = ward_calloc(1, sizeof(*f));

    engine_fx_open(&f->x);
    engine_fx_init(&f->x);
    assert_int_equal(call(f, "POST", "/v1/transit/keys/k", "{}", f->x.root, NULL), 200);
    assert_int_equal(call(f, "POST", "/v1/transit/keys/other", "{}", f->x.root, NULL), 200);
    assert_int_equal(call(f, "PUT", "/v1/sys/policy/alice",
                          POLICY("{\\\"encrypt_to\\\":[\\\"token-bob\\\"]}"), f->x.root, NULL),
                     204);
    assert_int_equal(call(f, "PUT", "/v1/sys/policy/bob",
                          POLICY("{\\\"decrypt_from\\\":[\\\"token-alice\\\"]}"), f->x.root, NULL),
                     204);
    engine_token(&f->x, f->alice, sizeof(f->alice), "alice", "alice");
    engine_token(&f->x, f->bob, sizeof(f->bob), "bob", "bob");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    engine_fx_close(&f->x);
    ward_free(f);
    return 0;
}

static void test_routes(void **state)
{
    struct fx *f = *state;
    json_t *b = NULL;

    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[],\"key\":\"k\"}", f->x.root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"]}", f->x.root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"],\"key\":\"k\",\"type\":\"\"}",
            f->x.root, "invalid_argument");
    refused(f, "/v1/sys/do/routes/r", "{\"ops\":[\"encrypt\"],\"key\":\"k\",\"mount\":\"x\"}",
            f->x.root, "invalid_argument");
    /* name order decides: 10-a (to token-b*) before 20-b (anyone) */
    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/20-b",
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"other\"}", f->x.root, NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/10-a",
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"k\",\"to\":\"token-b*\"}",
                          f->x.root, NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/do",
                          "{\"op\":\"encrypt\",\"to\":\"token-bob\",\"data\":\"aGk=\"}", f->alice,
                          &b),
                     200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "route")),
                        "10-a");
    json_decref(b);
    assert_int_equal(call(f, "POST", "/v1/do",
                          "{\"op\":\"encrypt\",\"to\":\"carol\",\"data\":\"aGk=\"}", f->x.root, &b),
                     200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "route")),
                        "20-b");
    json_decref(b);
    assert_int_equal(call(f, "DELETE", "/v1/sys/do/routes/20-b", NULL, f->x.root, NULL), 204);
    refused(f, "/v1/do", "{\"op\":\"encrypt\",\"to\":\"carol\",\"data\":\"aGk=\"}", f->x.root,
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
                          "{\"ops\":[\"encrypt\",\"decrypt\"],\"key\":\"k\"}", f->x.root, NULL),
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
    refused(f, "/v1/do", body, f->x.root, "party_mismatch");
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

    *m = mount_lookup(f->x.e->mounts, "transit/", &rest);
    assert_non_null(*m);
    return (*m)->state;
}

static void test_logoff_flushes(void **state)
{
    struct fx *f = *state;
    struct mount *m = NULL;
    struct ward_keys *ks = transit_keys(f, &m);

    assert_int_equal(call(f, "POST", "/v1/sys/do/routes/10-k",
                          "{\"ops\":[\"encrypt\"],\"key\":\"k\"}", f->x.root, NULL),
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
