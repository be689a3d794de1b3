/*
 * token_test.c - the token format and the token service on a real barrier
 * over the memory store: encode/decode round trip, every single-bit flip
 * refused, a foreign key refused, strict base64url, expiry, revocation
 * (at once, and after a seal and unseal, i.e. from storage), renewal inside
 * the maximum, lookups by accessor, and the root token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "barrier/testing.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define NOW 1700000000000LL

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_auth *a;
    struct ward_secret *share;
    struct ward_secret *root;
};

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, &f->share, &f->root), WARD_OK);
    assert_int_equal(ward_auth_new(&f->a, f->b), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ward_auth_free(f->a);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_secret_free(f->share);
    ward_secret_free(f->root);
    ward_free(f);
    return 0;
}

static void sample(struct ward_token_info *t)
{
    memset(t, 0, sizeof(*t));
    t->renewable = true;
    memset(t->id, 0x11, sizeof(t->id));
    memset(t->accessor, 0x22, sizeof(t->accessor));
    t->issue_ms = NOW;
    t->expire_ms = NOW + 3600 * 1000;
    t->max_expire_ms = NOW + 7200 * 1000;
    t->ttl_s = 3600;
    (void)snprintf(t->principal, sizeof(t->principal), "token-alice");
    t->num_policies = 2;
    (void)snprintf(t->policies[0], sizeof(t->policies[0]), "default");
    (void)snprintf(t->policies[1], sizeof(t->policies[1]), "orders-encrypt");
}

static void test_roundtrip_and_tamper(void **state)
{
    uint8_t key[WARD_TOKEN_KEY_LEN];
    uint8_t other[WARD_TOKEN_KEY_LEN];
    struct ward_token_info in;
    struct ward_token_info out;
    struct ward_buf text;
    char *copy;

    (void)state;
    memset(key, 7, sizeof(key));
    memset(other, 8, sizeof(other));
    sample(&in);
    ward_buf_init(&text, WARD_TOKEN_MAX_TEXT + 1);
    assert_int_equal(ward_token_encode(&text, key, &in), WARD_OK);
    assert_memory_equal(text.data, "w.s.", 4);
    assert_int_equal(ward_token_decode(&out, key, (const char *)text.data, text.len), WARD_OK);
    assert_memory_equal(&in, &out, sizeof(in));
    /* another instance's key */
    assert_int_equal(ward_token_decode(&out, other, (const char *)text.data, text.len),
                     WARD_E_TOKEN_INVALID);
    /* every bit of every character after the prefix, flipped */
    copy = ward_alloc(text.len);
    assert_non_null(copy);
    for (size_t i = 4; i < text.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, text.data, text.len);
            copy[i] = (char)(copy[i] ^ (1 << bit));
            assert_int_equal(ward_token_decode(&out, key, copy, text.len), WARD_E_TOKEN_INVALID);
        }
    }
    /* truncated, extended, padded, standard-alphabet */
    assert_int_equal(ward_token_decode(&out, key, (const char *)text.data, text.len - 1),
                     WARD_E_TOKEN_INVALID);
    memcpy(copy, text.data, text.len);
    copy[1] = 'r';
    assert_int_equal(ward_token_decode(&out, key, copy, text.len), WARD_E_TOKEN_INVALID);
    ward_free(copy);
    assert_int_equal(ward_token_decode(&out, key, "w.s.", 4), WARD_E_TOKEN_INVALID);
    assert_int_equal(ward_token_decode(&out, key, "w.s.AAAA==", 10), WARD_E_TOKEN_INVALID);
    assert_int_equal(ward_token_decode(&out, key, "w.s.+/+/", 8), WARD_E_TOKEN_INVALID);
    ward_buf_cleanup(&text);
}

static void test_encode_refuses(void **state)
{
    uint8_t key[WARD_TOKEN_KEY_LEN] = { 0 };
    struct ward_token_info t;
    struct ward_buf text;

    (void)state;
    ward_buf_init(&text, WARD_TOKEN_MAX_TEXT + 1);
    sample(&t);
    (void)snprintf(t.policies[1], sizeof(t.policies[1]), "Upper");
    assert_int_equal(ward_token_encode(&text, key, &t), WARD_E_INVALID);
    sample(&t);
    t.expire_ms = t.issue_ms;
    assert_int_equal(ward_token_encode(&text, key, &t), WARD_E_INVALID);
    sample(&t);
    t.max_expire_ms = t.expire_ms - 1;
    assert_int_equal(ward_token_encode(&text, key, &t), WARD_E_INVALID);
    sample(&t);
    t.principal[0] = '\0';
    assert_int_equal(ward_token_encode(&text, key, &t), WARD_E_INVALID);
    sample(&t);
    t.num_policies = WARD_TOKEN_MAX_POLICIES + 1;
    assert_int_equal(ward_token_encode(&text, key, &t), WARD_E_INVALID);
    assert_int_equal(text.len, 0);
    ward_buf_cleanup(&text);
}

/*
 * A token made outside Ward (tests/fuzz/make_corpus.py, python3's hmac)
 * from docs/storage-format.md's layout decodes: the format is as written.
 */
static void test_known_answer(void **state)
{
    static const char text[] =
        "w.s.AQGLnbHH3_kVM1N1mb_nET1rqrzQ5v4YNFJylLjeBjBcigAAAYvP5WgAAAABi9AcVoAAAAGL0FNFAAAADhAAAA"
        "AABGFjbWULdG9rZW4tYWxpY2UAlD-Y0YuO3nQEhAx_ygObKovc0YVvTW-XCJtBMd9o-_k";
    uint8_t key[WARD_TOKEN_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    struct ward_token_info t;

    (void)state;
    assert_int_equal(ward_token_decode(&t, key, text, strlen(text)), WARD_OK);
    assert_true(t.renewable);
    assert_int_equal(t.issue_ms, 1700000000000LL);
    assert_int_equal(t.expire_ms, 1700003600000LL);
    assert_int_equal(t.max_expire_ms, 1700007200000LL);
    assert_int_equal(t.ttl_s, 3600);
    assert_string_equal(t.tenant, "acme");
    assert_string_equal(t.principal, "token-alice");
    assert_int_equal(t.num_policies, 0);
}

static void issue(struct fixture *f, struct ward_secret **tok, struct ward_token_info *info,
                  int64_t ttl_s, int64_t max_s, const char *meta)
{
    sample(info);
    info->expire_ms = NOW + ttl_s * 1000;
    info->max_expire_ms = NOW + max_s * 1000;
    info->ttl_s = (uint32_t)ttl_s;
    assert_int_equal(ward_auth_issue(f->a, tok, info, meta, NOW), WARD_OK);
}

static ward_err check(struct fixture *f, const struct ward_secret *tok, int64_t now)
{
    struct ward_token_info got;

    return ward_auth_validate(f->a, &got, (const char *)tok->data, tok->len, now);
}

static void reopen(struct fixture *f)
{
    struct ward_seal_status s;

    ward_barrier_seal(f->b);
    ward_auth_flush(f->a);
    assert_int_not_equal(check(f, f->root, NOW), WARD_OK);
    assert_int_equal(ward_barrier_unseal(f->b, &s, f->share->data, f->share->len), WARD_OK);
}

static void test_validate_expire_revoke(void **state)
{
    struct fixture *f = *state;
    struct ward_secret *t1 = NULL;
    struct ward_secret *t2 = NULL;
    struct ward_token_info i1;
    struct ward_token_info i2;
    struct ward_token_info got;

    issue(f, &t1, &i1, 60, 600, NULL);
    issue(f, &t2, &i2, 60, 600, NULL);
    assert_int_equal(ward_auth_validate(f->a, &got, (const char *)t1->data, t1->len, NOW + 1),
                     WARD_OK);
    assert_false(got.root);
    assert_string_equal(got.policies[1], "orders-encrypt");
    assert_memory_equal(got.accessor, i1.accessor, WARD_TOKEN_ID_LEN);
    /* expiry: valid up to the millisecond before */
    assert_int_equal(check(f, t1, NOW + 60 * 1000 - 1), WARD_OK);
    assert_int_equal(check(f, t1, NOW + 60 * 1000), WARD_E_TOKEN_INVALID);
    /* revocation: at once, only that token, and from storage after a seal */
    assert_int_equal(ward_auth_revoke(f->a, &i1, NOW + 2), WARD_OK);
    assert_int_equal(check(f, t1, NOW + 3), WARD_E_TOKEN_INVALID);
    assert_int_equal(check(f, t2, NOW + 3), WARD_OK);
    reopen(f);
    assert_int_equal(check(f, t1, NOW + 4), WARD_E_TOKEN_INVALID);
    assert_int_equal(check(f, t2, NOW + 4), WARD_OK);
    /* a renewal cannot bring a revoked token back */
    assert_int_equal(ward_auth_renew(f->a, &i1, 60, NOW + 5), WARD_OK);
    assert_int_equal(check(f, t1, NOW + 6), WARD_E_TOKEN_INVALID);
    /* the root token */
    assert_int_equal(ward_auth_validate(f->a, &got, (const char *)f->root->data, f->root->len, 0),
                     WARD_OK);
    assert_true(got.root);
    assert_string_equal(got.policies[0], "root");
    assert_int_equal(ward_auth_revoke(f->a, &got, NOW), WARD_E_INVALID);
    assert_int_equal(ward_auth_validate(f->a, &got, "w.r.nope", 8, NOW), WARD_E_TOKEN_INVALID);
    assert_int_equal(ward_auth_validate(f->a, &got, "hello", 5, NOW), WARD_E_TOKEN_INVALID);
    ward_secret_free(t1);
    ward_secret_free(t2);
}

static void test_renew(void **state)
{
    struct fixture *f = *state;
    struct ward_secret *t = NULL;
    struct ward_token_info i;
    struct ward_token_info got;

    issue(f, &t, &i, 10, 25, "{\"team\":\"orders\"}");
    assert_int_equal(ward_auth_renew(f->a, &i, 10, NOW + 8 * 1000), WARD_OK);
    assert_int_equal(i.expire_ms, NOW + 18 * 1000);
    assert_int_equal(check(f, t, NOW + 15 * 1000), WARD_OK);
    /* capped at the maximum */
    assert_int_equal(ward_auth_renew(f->a, &i, 3600, NOW + 16 * 1000), WARD_OK);
    assert_int_equal(i.expire_ms, NOW + 25 * 1000);
    reopen(f);
    assert_int_equal(ward_auth_validate(f->a, &got, (const char *)t->data, t->len, NOW + 24000),
                     WARD_OK);
    assert_int_equal(got.expire_ms, NOW + 25 * 1000);
    assert_int_equal(check(f, t, NOW + 25 * 1000), WARD_E_TOKEN_INVALID);
    assert_int_equal(ward_auth_renew(f->a, &got, 10, NOW + 25 * 1000), WARD_E_NOT_RENEWABLE);
    /* not renewable */
    ward_secret_free(t);
    issue(f, &t, &i, 10, 25, NULL);
    i.renewable = false;
    assert_int_equal(ward_auth_renew(f->a, &i, 10, NOW), WARD_E_NOT_RENEWABLE);
    ward_secret_free(t);
}

static void test_accessor(void **state)
{
    struct fixture *f = *state;
    struct ward_secret *t = NULL;
    struct ward_token_info i;
    struct ward_token_info got;
    struct ward_buf meta;
    char hex[WARD_ACCESSOR_HEX_LEN + 1];
    char h1[65];
    char h2[65];
    uint8_t acc[WARD_TOKEN_ID_LEN];

    issue(f, &t, &i, 60, 600, "{\"team\":\"orders\"}");
    ward_accessor_hex(hex, i.accessor);
    assert_true(ward_accessor_parse(acc, hex));
    assert_memory_equal(acc, i.accessor, sizeof(acc));
    assert_false(ward_accessor_parse(acc, "00"));
    ward_buf_init(&meta, 1 << 20);
    assert_int_equal(ward_auth_lookup_accessor(f->a, &got, &meta, acc, NOW + 1), WARD_OK);
    assert_string_equal(got.principal, "token-alice");
    assert_int_equal(meta.len, strlen("{\"team\":\"orders\"}"));
    /* the log handle is stable, keyed and not the accessor */
    assert_int_equal(ward_auth_accessor_hmac(f->a, h1, &i), WARD_OK);
    assert_int_equal(ward_auth_accessor_hmac(f->a, h2, &got), WARD_OK);
    assert_string_equal(h1, h2);
    assert_null(strstr(h1, hex));
    assert_int_equal(ward_auth_revoke(f->a, &got, NOW + 2), WARD_OK);
    ward_buf_reset(&meta);
    assert_int_equal(ward_auth_lookup_accessor(f->a, &got, &meta, acc, NOW + 3), WARD_E_NOT_FOUND);
    memset(acc, 0x5a, sizeof(acc));
    assert_int_equal(ward_auth_lookup_accessor(f->a, &got, &meta, acc, NOW), WARD_E_NOT_FOUND);
    ward_buf_cleanup(&meta);
    ward_secret_free(t);
}

/* revoked records are dropped after the token's maximum expiry */
static void test_state_pruned(void **state)
{
    struct fixture *f = *state;
    struct ward_secret *t[3] = { NULL, NULL, NULL };
    struct ward_token_info i[3];
    struct ward_buf raw;

    for (int k = 0; k < 3; k++) {
        issue(f, &t[k], &i[k], 10, 20 + k, NULL);
    }
    assert_int_equal(ward_auth_revoke(f->a, &i[0], NOW), WARD_OK);
    assert_int_equal(ward_auth_revoke(f->a, &i[1], NOW), WARD_OK);
    assert_int_equal(ward_auth_revoke(f->a, &i[2], NOW + 21 * 1000 + 1), WARD_OK);
    ward_buf_init(&raw, 1 << 20);
    assert_int_equal(ward_barrier_get(f->b, &raw, "auth/token/state"), WARD_OK);
    assert_int_equal(raw.len, 5 + 25); /* only t[2]'s record is left */
    ward_buf_cleanup(&raw);
    for (int k = 0; k < 3; k++) {
        ward_secret_free(t[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_tamper),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test_setup_teardown(test_validate_expire_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accessor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_pruned, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
