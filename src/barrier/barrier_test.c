/*
 * barrier_test.c - the sealed keystore's lifecycle and its refusals, on the
 * memory backend (the SQLite file is attacked in tests/integration/).
 */
#include "barrier.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "barrier_int.h"

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_init_result init;
};

static const struct ward_seal_params g_3of5 = { .type = WARD_SEAL_SHAMIR,
                                                .shares = 5,
                                                .threshold = 3 };

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ward_store_open(&f->st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&f->b, f->st), WARD_OK);
    assert_int_equal(ward_barrier_init(f->b, &f->init, &g_3of5), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ward_init_result_cleanup(&f->init);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

static ward_err give(struct ward_barrier *b, const struct ward_secret *share,
                     struct ward_seal_status *st)
{
    return ward_barrier_unseal(b, st, share->data, share->len);
}

static void unseal_with(struct fixture *f, int a, int b, int c)
{
    struct ward_seal_status st;

    assert_int_equal(give(f->b, f->init.shares[a], &st), WARD_OK);
    assert_int_equal(st.progress, 1);
    assert_true(st.sealed);
    assert_int_equal(give(f->b, f->init.shares[b], &st), WARD_OK);
    assert_int_equal(st.progress, 2);
    assert_int_equal(give(f->b, f->init.shares[c], &st), WARD_OK);
    assert_false(st.sealed);
    assert_int_equal(st.progress, 0);
}

static void expect_entry(struct ward_barrier *b, const char *path, const char *want)
{
    struct ward_buf out;

    ward_buf_init(&out, 4096);
    assert_int_equal(ward_barrier_get(b, &out, path), WARD_OK);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    ward_buf_cleanup(&out);
}

static ward_err get_err(struct ward_barrier *b, const char *path)
{
    struct ward_buf out;
    ward_err err;

    ward_buf_init(&out, 4096);
    err = ward_barrier_get(b, &out, path);
    ward_buf_cleanup(&out);
    return err;
}

static void test_init_status_and_once(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_status st;
    struct ward_init_result again;

    assert_int_equal(f->init.num_shares, 5);
    assert_non_null(f->init.root_token);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_true(st.initialized);
    assert_true(st.sealed);
    assert_int_equal(st.threshold, 3);
    assert_int_equal(st.shares, 5);
    assert_int_equal(ward_barrier_init(f->b, &again, &g_3of5), WARD_E_ALREADY_INIT);
    assert_int_equal(get_err(f->b, "a"), WARD_E_SEALED);
    assert_int_equal(ward_barrier_put(f->b, "a", (const uint8_t *)"x", 1), WARD_E_SEALED);
}

static void test_bad_thresholds(void **state)
{
    static const uint8_t kn[][2] = { { 0, 1 }, { 3, 2 }, { 17, 17 }, { 1, 17 }, { 0, 0 } };
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    struct ward_init_result r;
    struct ward_seal_status s;

    (void)state;
    assert_int_equal(ward_store_open(&st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&b, st), WARD_OK);
    for (size_t i = 0; i < sizeof(kn) / sizeof(kn[0]); i++) {
        struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR,
                                      .threshold = kn[i][0],
                                      .shares = kn[i][1] };

        assert_int_equal(ward_barrier_init(b, &r, &p), WARD_E_BAD_THRESHOLD);
    }
    assert_int_equal(ward_barrier_status(b, &s), WARD_OK);
    assert_false(s.initialized);
    assert_int_equal(ward_barrier_unseal(b, &s, (const uint8_t *)"x", 1), WARD_E_NOT_INITIALIZED);
    ward_barrier_close(b);
    ward_store_close(st);
}

static void test_unseal_put_get_seal(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_status st;
    struct ward_store_list l;

    unseal_with(f, 4, 0, 2);
    assert_int_equal(give(f->b, f->init.shares[1], &st), WARD_E_ALREADY_UNSEALED);
    assert_int_equal(ward_barrier_put(f->b, "secret/a", (const uint8_t *)"alpha", 5), WARD_OK);
    assert_int_equal(ward_barrier_put(f->b, "secret/b", (const uint8_t *)"beta", 4), WARD_OK);
    expect_entry(f->b, "secret/a", "alpha");
    assert_int_equal(ward_barrier_list(f->b, &l, "secret/"), WARD_OK);
    assert_int_equal(l.num, 2);
    assert_string_equal(l.paths[0], "secret/a");
    ward_store_list_cleanup(&l);
    assert_int_equal(ward_barrier_delete(f->b, "secret/b"), WARD_OK);
    assert_int_equal(get_err(f->b, "secret/b"), WARD_E_NOT_FOUND);
    assert_int_equal(ward_barrier_put(f->b, "core/seal", (const uint8_t *)"x", 1), WARD_E_INVALID);
    assert_int_equal(get_err(f->b, "core/root-token"), WARD_E_INVALID);
    ward_barrier_seal(f->b);
    assert_int_equal(get_err(f->b, "secret/a"), WARD_E_SEALED);
    unseal_with(f, 1, 2, 3);
    expect_entry(f->b, "secret/a", "alpha");
}

static void test_storage_sees_no_plaintext(void **state)
{
    struct fixture *f = *state;
    struct ward_store_list l;
    struct ward_buf raw;
    static const char needle[] = "TOPSECRETVALUE";

    unseal_with(f, 0, 1, 2);
    assert_int_equal(ward_barrier_put(f->b, "s", (const uint8_t *)needle, strlen(needle)), WARD_OK);
    assert_int_equal(ward_store_list(f->st, &l, ""), WARD_OK);
    assert_int_equal(l.num, 4); /* seal, keyring, root token, s */
    for (size_t i = 0; i < l.num; i++) {
        ward_buf_init(&raw, WARD_STORE_MAX_VALUE);
        assert_int_equal(ward_store_get(f->st, &raw, NULL, l.paths[i]), WARD_OK);
        for (size_t j = 0; j + strlen(needle) <= raw.len; j++) {
            assert_true(memcmp(raw.data + j, needle, strlen(needle)) != 0);
        }
        for (size_t j = 0; j + 32 <= raw.len; j++) {
            assert_true(memcmp(raw.data + j, f->b->root->data, 32) != 0);
        }
        ward_buf_cleanup(&raw);
    }
    ward_store_list_cleanup(&l);
}

/* corrupt_share flips one bit of the y part while keeping the encoding valid. */
static void wrong_share(struct ward_secret **out, const struct ward_secret *good)
{
    struct share sh;

    assert_int_equal(share_decode(&sh, good->data, good->len), WARD_OK);
    sh.y[7] ^= 0x10;
    assert_int_equal(share_encode(out, &sh), WARD_OK);
}

static void test_wrong_share_reveals_nothing(void **state)
{
    struct fixture *f = *state;
    struct ward_secret *bad = NULL;
    struct ward_seal_status st;

    wrong_share(&bad, f->init.shares[1]);
    assert_int_equal(give(f->b, f->init.shares[0], &st), WARD_OK);
    assert_int_equal(give(f->b, bad, &st), WARD_OK);
    assert_int_equal(give(f->b, f->init.shares[2], &st), WARD_E_UNSEAL_FAILED);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_int_equal(st.progress, 0);
    assert_true(st.sealed);
    ward_secret_free(bad);
    unseal_with(f, 0, 1, 2);
}

static void test_bad_shares(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_status st;
    struct ward_store *st2 = NULL;
    struct ward_barrier *b2 = NULL;
    struct ward_init_result other;
    const struct ward_secret *s0 = f->init.shares[0];

    assert_int_equal(give(f->b, s0, &st), WARD_OK);
    assert_int_equal(give(f->b, s0, &st), WARD_E_DUPLICATE_SHARE);
    assert_int_equal(ward_barrier_unseal(f->b, &st, s0->data, s0->len - 4), WARD_E_TRUNCATED);
    assert_int_equal(ward_barrier_unseal(f->b, &st, (const uint8_t *)"not base64!", 11),
                     WARD_E_BAD_SHARE);
    assert_int_equal(ward_barrier_unseal(f->b, &st, (const uint8_t *)"", 0), WARD_E_TRUNCATED);
    assert_int_equal(ward_store_open(&st2, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&b2, st2), WARD_OK);
    assert_int_equal(ward_barrier_init(b2, &other, &g_3of5), WARD_OK);
    assert_int_equal(give(f->b, other.shares[1], &st), WARD_E_SHARE_MISMATCH);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_int_equal(st.progress, 1);
    ward_barrier_unseal_reset(f->b);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_int_equal(st.progress, 0);
    ward_init_result_cleanup(&other);
    ward_barrier_close(b2);
    ward_store_close(st2);
}

static void test_progress_expires(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_status st;
    struct timespec ts = { 0, 20 * 1000 * 1000 };

    ward_barrier_set_progress_ttl(f->b, 5);
    assert_int_equal(give(f->b, f->init.shares[0], &st), WARD_OK);
    assert_int_equal(st.progress, 1);
    (void)nanosleep(&ts, NULL);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_int_equal(st.progress, 0);
}

static void test_rekey(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 3, .threshold = 2 };
    struct ward_rekey_status rs;
    struct ward_init_result res;
    struct ward_seal_status st;
    char nonce[WARD_NONCE_HEX_LEN + 1];

    assert_int_equal(ward_barrier_rekey_init(f->b, &rs, &p), WARD_E_SEALED);
    unseal_with(f, 0, 1, 2);
    assert_int_equal(ward_barrier_put(f->b, "k", (const uint8_t *)"kept", 4), WARD_OK);
    assert_int_equal(ward_barrier_rekey_init(f->b, &rs, &p), WARD_OK);
    memcpy(nonce, rs.nonce, sizeof(nonce));
    assert_int_equal(rs.threshold, 3);
    assert_int_equal(rs.new_threshold, 2);
    assert_int_equal(ward_barrier_rekey_init(f->b, &rs, &p), WARD_E_IN_PROGRESS);
    assert_int_equal(ward_barrier_rekey_update(f->b, &rs, &res, "0000", f->init.shares[0]->data,
                                               f->init.shares[0]->len),
                     WARD_E_BAD_NONCE);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ward_barrier_rekey_update(f->b, &rs, &res, nonce, f->init.shares[i]->data,
                                                   f->init.shares[i]->len),
                         WARD_OK);
    }
    assert_true(rs.complete);
    assert_int_equal(res.num_shares, 3);
    ward_barrier_seal(f->b);
    assert_int_equal(give(f->b, f->init.shares[0], &st), WARD_E_SHARE_MISMATCH);
    assert_int_equal(give(f->b, res.shares[2], &st), WARD_OK);
    assert_int_equal(give(f->b, res.shares[0], &st), WARD_OK);
    assert_false(st.sealed);
    expect_entry(f->b, "k", "kept");
    ward_init_result_cleanup(&res);
    assert_int_equal(ward_barrier_rekey_cancel(f->b), WARD_E_NO_OPERATION);
    assert_int_equal(ward_barrier_rekey_init(f->b, &rs, &g_3of5), WARD_OK);
    assert_int_equal(ward_barrier_rekey_cancel(f->b), WARD_OK);
    ward_barrier_rekey_status(f->b, &rs);
    assert_false(rs.started);
}

static void test_rekey_wrong_quorum(void **state)
{
    struct fixture *f = *state;
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_rekey_status rs;
    struct ward_init_result res;
    struct ward_secret *bad = NULL;

    unseal_with(f, 0, 1, 2);
    wrong_share(&bad, f->init.shares[3]);
    assert_int_equal(ward_barrier_rekey_init(f->b, &rs, &p), WARD_OK);
    assert_int_equal(ward_barrier_rekey_update(f->b, &rs, &res, rs.nonce, bad->data, bad->len),
                     WARD_OK);
    assert_int_equal(ward_barrier_rekey_update(f->b, &rs, &res, rs.nonce, f->init.shares[0]->data,
                                               f->init.shares[0]->len),
                     WARD_OK);
    assert_int_equal(ward_barrier_rekey_update(f->b, &rs, &res, rs.nonce, f->init.shares[1]->data,
                                               f->init.shares[1]->len),
                     WARD_E_UNSEAL_FAILED);
    ward_secret_free(bad);
    /* the old shares still rule */
    ward_barrier_seal(f->b);
    unseal_with(f, 2, 3, 4);
}

static void test_rotate_and_reencrypt(void **state)
{
    struct fixture *f = *state;
    uint32_t term = 0;
    size_t moved = 0;
    size_t left = 0;
    struct ward_seal_status st;

    unseal_with(f, 0, 1, 2);
    assert_int_equal(ward_barrier_put(f->b, "old", (const uint8_t *)"one", 3), WARD_OK);
    assert_int_equal(ward_barrier_rotate(f->b, &term), WARD_OK);
    assert_int_equal(term, 2);
    assert_true(ward_barrier_reencrypt_pending(f->b));
    assert_int_equal(ward_barrier_reencrypt(f->b, 1, &moved, &left), WARD_OK);
    assert_int_equal(moved, 1);
    assert_true(left > 0);
    assert_true(ward_barrier_reencrypt_pending(f->b));
    assert_int_equal(ward_barrier_put(f->b, "new", (const uint8_t *)"two", 3), WARD_OK);
    expect_entry(f->b, "old", "one");
    assert_int_equal(ward_barrier_reencrypt(f->b, 1000, &moved, &left), WARD_OK);
    assert_int_equal(moved, 1); /* "old" or the root token, whichever the first pass left */
    assert_int_equal(left, 0);
    assert_false(ward_barrier_reencrypt_pending(f->b));
    assert_int_equal(ward_barrier_reencrypt(f->b, 1000, &moved, &left), WARD_OK);
    assert_int_equal(moved, 0);
    ward_barrier_seal(f->b);
    unseal_with(f, 2, 3, 4);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_OK);
    assert_int_equal(st.term, 2);
    assert_int_equal(st.num_terms, 2);
    expect_entry(f->b, "old", "one");
    expect_entry(f->b, "new", "two");
    assert_int_equal(ward_barrier_check_root_token(f->b, (const char *)f->init.root_token->data,
                                                   f->init.root_token->len),
                     WARD_OK);
    assert_int_equal(ward_barrier_check_root_token(f->b, "w.r.nope", 8), WARD_E_PERMISSION);
    /* the cached hash answers now; a seal forgets it and refuses even the right token */
    assert_int_equal(ward_barrier_check_root_token(f->b, (const char *)f->init.root_token->data,
                                                   f->init.root_token->len),
                     WARD_OK);
    ward_barrier_seal(f->b);
    assert_int_not_equal(ward_barrier_check_root_token(f->b, (const char *)f->init.root_token->data,
                                                       f->init.root_token->len),
                         WARD_OK);
    unseal_with(f, 2, 3, 4);
    assert_int_equal(ward_barrier_check_root_token(f->b, "w.r.nope", 8), WARD_E_PERMISSION);
    assert_int_equal(ward_barrier_check_root_token(f->b, (const char *)f->init.root_token->data,
                                                   f->init.root_token->len),
                     WARD_OK);
}

static void raw_get(struct ward_store *st, struct ward_buf *out, const char *path)
{
    ward_buf_init(out, WARD_STORE_MAX_VALUE);
    assert_int_equal(ward_store_get(st, out, NULL, path), WARD_OK);
}

static void test_tampering_detected(void **state)
{
    struct fixture *f = *state;
    struct ward_buf raw;
    uint8_t forged[64];

    unseal_with(f, 0, 1, 2);
    assert_int_equal(ward_barrier_put(f->b, "a", (const uint8_t *)"value-a", 7), WARD_OK);
    raw_get(f->st, &raw, "a");
    /* moved to another path */
    assert_int_equal(ward_store_put(f->st, "b", raw.data, raw.len), WARD_OK);
    assert_int_equal(get_err(f->b, "b"), WARD_E_INTEGRITY);
    /* a flipped bit, in the ciphertext and in the header's term */
    raw.data[raw.len - 20] ^= 1;
    assert_int_equal(ward_store_put(f->st, "a", raw.data, raw.len), WARD_OK);
    assert_int_equal(get_err(f->b, "a"), WARD_E_INTEGRITY);
    raw.data[raw.len - 20] ^= 1;
    raw.data[4] ^= 1; /* term 1 -> 0: the root key's term is refused */
    assert_int_equal(ward_store_put(f->st, "a", raw.data, raw.len), WARD_OK);
    assert_int_equal(get_err(f->b, "a"), WARD_E_INTEGRITY);
    raw.data[4] ^= 3; /* term 2, which the keyring lacks */
    assert_int_equal(ward_store_put(f->st, "a", raw.data, raw.len), WARD_OK);
    assert_int_equal(get_err(f->b, "a"), WARD_E_UNKNOWN_TERM);
    /* truncated, and an unknown format version */
    assert_int_equal(ward_store_put(f->st, "a", raw.data, 10), WARD_OK);
    assert_int_equal(get_err(f->b, "a"), WARD_E_INTEGRITY);
    raw.data[0] = 9;
    assert_int_equal(ward_store_put(f->st, "a", raw.data, raw.len), WARD_OK);
    assert_int_equal(get_err(f->b, "a"), WARD_E_BAD_VERSION);
    ward_buf_cleanup(&raw);
    /* forged: a well-formed header over random bytes */
    assert_int_equal(ward_crypto_random(forged, sizeof(forged)), WARD_OK);
    forged[0] = 1;
    ward_put_u32(forged + 1, 1);
    assert_int_equal(ward_store_put(f->st, "c", forged, sizeof(forged)), WARD_OK);
    assert_int_equal(get_err(f->b, "c"), WARD_E_INTEGRITY);
}

static void test_tampered_seal_record(void **state)
{
    struct fixture *f = *state;
    struct ward_buf raw;
    struct ward_seal_status st;

    raw_get(f->st, &raw, PATH_SEAL);
    raw.data[130] ^= 0x40; /* inside the wrapped root key */
    assert_int_equal(ward_store_put(f->st, PATH_SEAL, raw.data, raw.len), WARD_OK);
    assert_int_equal(give(f->b, f->init.shares[0], &st), WARD_OK);
    assert_int_equal(give(f->b, f->init.shares[1], &st), WARD_OK);
    assert_int_equal(give(f->b, f->init.shares[2], &st), WARD_E_INTEGRITY);
    assert_true(f->b->root == NULL);
    assert_int_equal(ward_store_put(f->st, PATH_SEAL, raw.data, 100), WARD_OK);
    assert_int_equal(give(f->b, f->init.shares[0], &st), WARD_E_STORE_CORRUPT);
    assert_int_equal(ward_barrier_status(f->b, &st), WARD_E_STORE_CORRUPT);
    ward_buf_cleanup(&raw);
}

static void test_selftest_failure_refuses_unseal(void **state)
{
    struct fixture *f = *state;
    struct ward_barrier *b2 = NULL;
    struct ward_seal_status st;

    ward_crypto_selftest_break("aes-gcm");
    assert_int_equal(ward_barrier_open(&b2, f->st), WARD_OK);
    ward_crypto_selftest_break(NULL);
    assert_int_equal(give(b2, f->init.shares[0], &st), WARD_E_SELFTEST);
    assert_int_equal(ward_barrier_selftest(b2), WARD_OK);
    assert_int_equal(give(b2, f->init.shares[0], &st), WARD_OK);
    ward_barrier_close(b2);
}

static void test_full_disk_loses_nothing(void **state)
{
    struct fixture *f = *state;
    struct ward_store *faulty = NULL;
    struct ward_barrier *b2 = NULL;
    struct ward_seal_status st;
    uint32_t term;

    unseal_with(f, 0, 1, 2);
    assert_int_equal(ward_barrier_put(f->b, "a", (const uint8_t *)"before", 6), WARD_OK);
    assert_int_equal(ward_store_fault_new(&faulty, f->st, 1), WARD_OK);
    assert_int_equal(ward_barrier_open(&b2, faulty), WARD_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(give(b2, f->init.shares[i], &st), WARD_OK);
    }
    assert_int_equal(ward_barrier_put(b2, "a", (const uint8_t *)"after", 5), WARD_E_STORE_FULL);
    assert_int_equal(ward_barrier_put(b2, "z", (const uint8_t *)"new", 3), WARD_E_STORE_FULL);
    assert_int_equal(ward_barrier_rotate(b2, &term), WARD_E_STORE_FULL);
    expect_entry(b2, "a", "before");
    assert_int_equal(get_err(b2, "z"), WARD_E_NOT_FOUND);
    assert_int_equal(ward_barrier_status(b2, &st), WARD_OK);
    assert_int_equal(st.term, 1);
    ward_barrier_close(b2);
    ward_store_close(faulty);
}

static void test_parts_seal(void **state)
{
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    struct ward_init_result r;
    struct ward_seal_status s;
    struct ward_secret *parts[3] = { NULL, NULL, NULL };
    static const char *const text[3] = { "alpha-123-xyz", "Bravo4567!!", "short1" };
    struct ward_seal_params p = {
        .type = WARD_SEAL_PARTS, .num_parts = 2, .argon2_t = 1, .argon2_m_kib = 1024
    };

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ward_secret_new_copy(&parts[i], (const uint8_t *)text[i], strlen(text[i])),
                         WARD_OK);
    }
    p.rules[0] = (struct ward_part_rule){ 10, 3, 3, 0 };
    p.rules[1] = (struct ward_part_rule){ 10, 3, 3, 1 };
    p.parts[0] = parts[0];
    p.parts[1] = parts[2]; /* too short */
    assert_int_equal(ward_store_open(&st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&b, st), WARD_OK);
    assert_int_equal(ward_barrier_init(b, &r, &p), WARD_E_WEAK_PART);
    p.parts[1] = parts[1];
    assert_int_equal(ward_barrier_init(b, &r, &p), WARD_OK);
    assert_int_equal(r.num_shares, 0);
    assert_int_equal(ward_barrier_unseal(b, &s, parts[1]->data, parts[1]->len), WARD_OK);
    assert_int_equal(s.progress, 1);
    assert_int_equal(ward_barrier_unseal(b, &s, parts[0]->data, parts[0]->len),
                     WARD_E_UNSEAL_FAILED); /* right parts, wrong order */
    assert_int_equal(ward_barrier_unseal(b, &s, parts[0]->data, parts[0]->len), WARD_OK);
    assert_int_equal(ward_barrier_unseal(b, &s, parts[1]->data, parts[1]->len), WARD_OK);
    assert_false(s.sealed);
    ward_init_result_cleanup(&r);
    for (int i = 0; i < 3; i++) {
        ward_secret_free(parts[i]);
    }
    ward_barrier_close(b);
    ward_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_status_and_once, setup, teardown),
        cmocka_unit_test(test_bad_thresholds),
        cmocka_unit_test_setup_teardown(test_unseal_put_get_seal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_sees_no_plaintext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_share_reveals_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_shares, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekey_wrong_quorum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_and_reencrypt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampering_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_seal_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selftest_failure_refuses_unseal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_loses_nothing, setup, teardown),
        cmocka_unit_test(test_parts_seal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
