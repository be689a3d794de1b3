/*
 * shamir_test.c - Shamir split/combine, argument checks, and interoperability
 * with libgfshare in both directions.
 */
#include <libgfshare.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "crypto/crypto_int.h"

#define SECRET_LEN ((size_t)32)
#define MAX_N      WARD_SHAMIR_MAX_SHARES

/* Coefficient rows libgfshare should use next (fixed_fill), ours in our order. */
static const uint8_t *g_next_coeffs;

static void random_fill(unsigned char *buf, unsigned int n)
{
    assert_int_equal(ward_crypto_random(buf, n), WARD_OK);
}

/* libgfshare keeps the highest degree first; our rows go lowest first. */
static void fixed_fill(unsigned char *buf, unsigned int n)
{
    size_t rows = n / SECRET_LEN;

    assert_true(rows <= MAX_N - 1);
    for (size_t r = 0; r < rows; r++) {
        memcpy(buf + r * SECRET_LEN, g_next_coeffs + (rows - 1 - r) * SECRET_LEN, SECRET_LEN);
    }
}

static uint8_t random_below(uint8_t bound)
{
    uint8_t b;

    assert_int_equal(ward_crypto_random(&b, 1), WARD_OK);
    return (uint8_t)(b % bound);
}

/* pick_subset puts a random ordering of m distinct xs in 1..n into xs. */
static void pick_subset(uint8_t *xs, uint8_t m, uint8_t n)
{
    uint8_t all[MAX_N] = { 0 };

    for (uint8_t i = 0; i < n; i++) {
        all[i] = (uint8_t)(i + 1);
    }
    for (uint8_t i = n - 1; i > 0; i--) {
        uint8_t j = random_below((uint8_t)(i + 1));
        uint8_t t = all[i];

        all[i] = all[j];
        all[j] = t;
    }
    memcpy(xs, all, m);
}

/* combine_subset recombines the m shares named by xs from split output shares. */
static void combine_subset(uint8_t *out, const uint8_t *shares, const uint8_t *xs, uint8_t m)
{
    const uint8_t *ys[MAX_N];

    for (uint8_t i = 0; i < m; i++) {
        ys[i] = shares + (size_t)(xs[i] - 1) * SECRET_LEN;
    }
    assert_int_equal(ward_shamir_combine(out, SECRET_LEN, xs, ys, m), WARD_OK);
}

/* split_and_recombine checks one (k, n): any k shares, and all n, give the secret; k - 1 do not. */
static void split_and_recombine(uint8_t k, uint8_t n)
{
    uint8_t secret[SECRET_LEN];
    uint8_t shares[MAX_N * SECRET_LEN];
    uint8_t got[SECRET_LEN];
    uint8_t xs[MAX_N];

    assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, k, n), WARD_OK);
    for (int round = 0; round < 3; round++) {
        pick_subset(xs, k, n);
        combine_subset(got, shares, xs, k);
        assert_memory_equal(got, secret, SECRET_LEN);
        pick_subset(xs, n, n);
        combine_subset(got, shares, xs, n);
        assert_memory_equal(got, secret, SECRET_LEN);
        if (k > 1) {
            pick_subset(xs, (uint8_t)(k - 1), n);
            combine_subset(got, shares, xs, (uint8_t)(k - 1));
            assert_memory_not_equal(got, secret, SECRET_LEN);
        }
    }
}

static void test_all_thresholds(void **state)
{
    (void)state;
    for (uint8_t n = 1; n <= MAX_N; n++) {
        for (uint8_t k = 1; k <= n; k++) {
            split_and_recombine(k, n);
        }
    }
}

static void test_k1_shares_are_secret(void **state)
{
    uint8_t secret[SECRET_LEN];
    uint8_t shares[3 * SECRET_LEN];

    (void)state;
    assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 1, 3), WARD_OK);
    for (int i = 0; i < 3; i++) {
        assert_memory_equal(shares + i * SECRET_LEN, secret, SECRET_LEN);
    }
    /* With k >= 2 no share equals the secret (but with chance 2^-256). */
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 2, 3), WARD_OK);
    for (int i = 0; i < 3; i++) {
        assert_memory_not_equal(shares + i * SECRET_LEN, secret, SECRET_LEN);
    }
}

static void test_bad_arguments(void **state)
{
    uint8_t secret[SECRET_LEN] = { 1 };
    uint8_t shares[17 * SECRET_LEN];
    uint8_t got[SECRET_LEN];
    uint8_t xs[3] = { 1, 2, 3 };
    const uint8_t *ys[3] = { shares, shares + SECRET_LEN, shares + 2 * SECRET_LEN };

    (void)state;
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 0, 3), WARD_E_BAD_THRESHOLD);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 4, 3), WARD_E_BAD_THRESHOLD);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 2, 17), WARD_E_BAD_THRESHOLD);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 0, 0), WARD_E_BAD_THRESHOLD);
    assert_int_equal(ward_shamir_split(shares, secret, 0, 2, 3), WARD_E_INVALID);
    assert_int_equal(ward_shamir_split(shares, secret, SIZE_MAX / 2, 2, 3), WARD_E_TOO_LARGE);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 16, 16), WARD_OK);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 2, 3), WARD_OK);

    assert_int_equal(ward_shamir_combine(got, SECRET_LEN, xs, ys, 3), WARD_OK);
    assert_memory_equal(got, secret, SECRET_LEN);
    xs[2] = 1;
    assert_int_equal(ward_shamir_combine(got, SECRET_LEN, xs, ys, 3), WARD_E_DUPLICATE_SHARE);
    xs[2] = 0;
    assert_int_equal(ward_shamir_combine(got, SECRET_LEN, xs, ys, 3), WARD_E_BAD_SHARE);
    xs[2] = 3;
    assert_int_equal(ward_shamir_combine(got, SECRET_LEN, xs, ys, 0), WARD_E_BAD_THRESHOLD);
}

static void test_combine_in_place(void **state)
{
    uint8_t secret[SECRET_LEN];
    uint8_t shares[4 * SECRET_LEN];
    const uint8_t xs[2] = { 4, 2 };
    const uint8_t *ys[2] = { shares + 3 * SECRET_LEN, shares + SECRET_LEN };

    (void)state;
    assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
    assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, 2, 4), WARD_OK);
    assert_int_equal(ward_shamir_combine(shares + 3 * SECRET_LEN, SECRET_LEN, xs, ys, 2), WARD_OK);
    assert_memory_equal(shares + 3 * SECRET_LEN, secret, SECRET_LEN);
}

/* Same coefficients on both sides: every share must match byte for byte. */
static void test_same_shares_as_libgfshare(void **state)
{
    uint8_t secret[SECRET_LEN];
    static uint8_t coeffs[(MAX_N - 1) * SECRET_LEN];
    uint8_t ours[MAX_N * SECRET_LEN];
    uint8_t theirs[SECRET_LEN];
    uint8_t nrs[MAX_N];

    (void)state;
    for (uint8_t i = 0; i < MAX_N; i++) {
        nrs[i] = (uint8_t)(i + 1);
    }
    gfshare_fill_rand = fixed_fill;
    g_next_coeffs = coeffs;
    for (uint8_t k = 1; k <= MAX_N; k++) {
        assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
        assert_int_equal(ward_crypto_random(coeffs, sizeof(coeffs)), WARD_OK);
        assert_int_equal(ward_crypto_shamir_split_with(ours, secret, SECRET_LEN, coeffs, k, MAX_N),
                         WARD_OK);
        gfshare_ctx *ctx = gfshare_ctx_init_enc(nrs, MAX_N, k, SECRET_LEN);
        assert_non_null(ctx);
        gfshare_ctx_enc_setsecret(ctx, secret);
        for (uint8_t i = 0; i < MAX_N; i++) {
            gfshare_ctx_enc_getshare(ctx, i, theirs);
            assert_memory_equal(ours + (size_t)i * SECRET_LEN, theirs, SECRET_LEN);
        }
        /* gfshare_ctx_free scrambles its buffer through gfshare_fill_rand too. */
        gfshare_fill_rand = random_fill;
        gfshare_ctx_free(ctx);
        gfshare_fill_rand = fixed_fill;
    }
    gfshare_fill_rand = random_fill;
    g_next_coeffs = NULL;
}

static void test_ours_to_libgfshare(void **state)
{
    uint8_t secret[SECRET_LEN];
    uint8_t shares[MAX_N * SECRET_LEN];
    uint8_t got[SECRET_LEN];
    uint8_t xs[MAX_N];

    (void)state;
    for (uint8_t k = 1; k <= MAX_N; k++) {
        uint8_t n = (uint8_t)(k + random_below((uint8_t)(MAX_N - k + 1)));

        assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
        assert_int_equal(ward_shamir_split(shares, secret, SECRET_LEN, k, n), WARD_OK);
        pick_subset(xs, k, n);
        gfshare_ctx *ctx = gfshare_ctx_init_dec(xs, k, SECRET_LEN);
        assert_non_null(ctx);
        for (uint8_t i = 0; i < k; i++) {
            gfshare_ctx_dec_giveshare(ctx, i, shares + (size_t)(xs[i] - 1) * SECRET_LEN);
        }
        memset(got, 0, sizeof(got));
        gfshare_ctx_dec_extract(ctx, got);
        gfshare_ctx_free(ctx);
        assert_memory_equal(got, secret, SECRET_LEN);
    }
}

/* libgfshare shares at arbitrary sharenrs (not just 1..n) combine here. */
static void test_libgfshare_to_ours(void **state)
{
    static uint8_t nrs[] = { 200, 7, 255, 33, 1, 128, 16, 99 };
    uint8_t secret[SECRET_LEN];
    uint8_t shares[sizeof(nrs)][SECRET_LEN];
    const uint8_t *ys[sizeof(nrs)];
    uint8_t got[SECRET_LEN];

    (void)state;
    for (size_t k = 1; k <= sizeof(nrs); k++) {
        assert_int_equal(ward_crypto_random(secret, sizeof(secret)), WARD_OK);
        gfshare_ctx *ctx = gfshare_ctx_init_enc(nrs, sizeof(nrs), (unsigned char)k, SECRET_LEN);
        assert_non_null(ctx);
        gfshare_ctx_enc_setsecret(ctx, secret);
        for (size_t i = 0; i < sizeof(nrs); i++) {
            gfshare_ctx_enc_getshare(ctx, (unsigned char)i, shares[i]);
            ys[i] = shares[i];
        }
        gfshare_ctx_free(ctx);
        /* The last k shares: xs need not start at 1 nor be sorted. */
        assert_int_equal(
            ward_shamir_combine(got, SECRET_LEN, nrs + sizeof(nrs) - k, ys + sizeof(nrs) - k, k),
            WARD_OK);
        assert_memory_equal(got, secret, SECRET_LEN);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_thresholds),
        cmocka_unit_test(test_k1_shares_are_secret),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_combine_in_place),
        cmocka_unit_test(test_same_shares_as_libgfshare),
        cmocka_unit_test(test_ours_to_libgfshare),
        cmocka_unit_test(test_libgfshare_to_ours),
    };

    /* libgfshare calls gfshare_fill_rand from gfshare_ctx_free too: never leave it NULL. */
    gfshare_fill_rand = random_fill;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
