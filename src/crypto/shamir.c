/*
 * shamir.c - Shamir secret sharing over GF(2^8), interoperable with libgfshare.
 *
 * Keeper-side. The field is GF(2)[x] / (x^8 + x^4 + x^3 + x^2 + 1) (0x11d),
 * libgfshare's. Each byte of the secret is shared on its own: a random
 * polynomial of degree k - 1 whose constant term is the secret byte is
 * evaluated at x = 1..n. Shares therefore combine with libgfshare's
 * gfshare_ctx_dec_* given sharenrs = our xs, and libgfshare's shares combine
 * here.
 *
 * SECURITY: constant time in secret data (secret bytes, coefficients, y
 * values). Multiplication is bitwise with masks, never log/exp tables
 * indexed by secret bytes, and nothing branches on them. x-coordinates are
 * public, so the Lagrange weights computed from them may take any path.
 *
 * THREADS: no shared state; safe from any thread.
 */
#include <openssl/crypto.h>

#include "base/mem.h"
#include "crypto.h"
#include "crypto/crypto_int.h"

/* The low byte of the field polynomial 0x11d, folded back in on overflow. */
#define GF_POLY_LOW 0x1d

/* gf_mul multiplies in GF(2^8) with no data-dependent branch or index. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    unsigned int r = 0;
    unsigned int x = a;
    unsigned int y = b;

    for (int i = 0; i < 8; i++) {
        r ^= x & (0u - (y & 1u));
        x = ((x << 1) ^ (GF_POLY_LOW & (0u - (x >> 7)))) & 0xffu;
        y >>= 1;
    }
    return (uint8_t)r;
}

/* gf_inv returns a^254 = a^-1 (0 for 0) by a fixed square-and-multiply chain. */
static uint8_t gf_inv(uint8_t a)
{
    uint8_t r = a; /* a^1 */

    /* 254 = 0b11111110: six rounds of r = r^2 * a give a^127, one square a^254. */
    for (int i = 0; i < 6; i++) {
        r = gf_mul(gf_mul(r, r), a);
    }
    return gf_mul(r, r);
}

static ward_err check_split(size_t secret_len, uint8_t k, uint8_t n)
{
    if (k < 1 || k > n || n > WARD_SHAMIR_MAX_SHARES) {
        return WARD_E_BAD_THRESHOLD;
    }
    if (secret_len == 0) {
        return WARD_E_INVALID;
    }
    /* n * secret_len must not wrap. */
    if (secret_len > SIZE_MAX / WARD_SHAMIR_MAX_SHARES) {
        return WARD_E_TOO_LARGE;
    }
    return WARD_OK;
}

/* eval_share writes share x of the polynomials (Horner, highest degree first). */
static void eval_share(uint8_t *y, uint8_t x, const uint8_t *secret, size_t secret_len,
                       const uint8_t *coeffs, uint8_t k)
{
    for (size_t pos = 0; pos < secret_len; pos++) {
        uint8_t acc = 0;

        for (size_t row = k - 1; row > 0; row--) {
            acc = gf_mul(acc, x) ^ coeffs[(row - 1) * secret_len + pos];
        }
        y[pos] = gf_mul(acc, x) ^ secret[pos];
    }
}

ward_err ward_crypto_shamir_split_with(uint8_t *out, const uint8_t *secret, size_t secret_len,
                                       const uint8_t *coeffs, uint8_t k, uint8_t n)
{
    ward_err err;

    if ((err = check_split(secret_len, k, n)) != WARD_OK) {
        return err;
    }
    for (uint8_t i = 0; i < n; i++) {
        eval_share(out + (size_t)i * secret_len, (uint8_t)(i + 1), secret, secret_len, coeffs, k);
    }
    return WARD_OK;
}

ward_err ward_shamir_split(uint8_t *out, const uint8_t *secret, size_t secret_len, uint8_t k,
                           uint8_t n)
{
    ward_err err = WARD_E_INTERNAL;
    uint8_t *coeffs = NULL;
    size_t coeffs_len = 0;

    if ((err = check_split(secret_len, k, n)) != WARD_OK) {
        return err;
    }
    coeffs_len = (size_t)(k - 1) * secret_len;
    if ((coeffs = ward_alloc(coeffs_len)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = ward_crypto_random(coeffs, coeffs_len)) != WARD_OK) {
        goto out;
    }
    err = ward_crypto_shamir_split_with(out, secret, secret_len, coeffs, k, n);
out:
    /* SECURITY: the coefficients and the secret determine each other given k shares. */
    ward_free_wipe(coeffs, coeffs_len);
    return err;
}

/* check_xs rejects x = 0 (it would be the secret itself) and repeated xs. */
static ward_err check_xs(const uint8_t *xs, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (xs[i] == 0) {
            return WARD_E_BAD_SHARE;
        }
        for (size_t j = 0; j < i; j++) {
            if (xs[i] == xs[j]) {
                return WARD_E_DUPLICATE_SHARE;
            }
        }
    }
    return WARD_OK;
}

/* lagrange_at_zero returns the weight of share i: prod_{j != i} x_j / (x_j - x_i). */
static uint8_t lagrange_at_zero(const uint8_t *xs, size_t k, size_t i)
{
    uint8_t num = 1;
    uint8_t den = 1;

    for (size_t j = 0; j < k; j++) {
        if (j != i) {
            num = gf_mul(num, xs[j]);
            den = gf_mul(den, xs[j] ^ xs[i]); /* subtraction is XOR in GF(2^8) */
        }
    }
    return gf_mul(num, gf_inv(den));
}

ward_err ward_shamir_combine(uint8_t *out, size_t secret_len, const uint8_t *xs,
                             const uint8_t *const *ys, size_t k)
{
    ward_err err;
    uint8_t weights[UINT8_MAX];

    /* Distinct non-zero xs: at most 255 shares, whatever threshold split them. */
    if (k < 1 || k > UINT8_MAX) {
        return WARD_E_BAD_THRESHOLD;
    }
    if ((err = check_xs(xs, k)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < k; i++) {
        weights[i] = lagrange_at_zero(xs, k, i);
    }
    /* Each byte is summed before it is stored, so out may alias a y. */
    for (size_t pos = 0; pos < secret_len; pos++) {
        uint8_t acc = 0;

        for (size_t i = 0; i < k; i++) {
            acc ^= gf_mul(weights[i], ys[i][pos]);
        }
        out[pos] = acc;
    }
    return WARD_OK;
}
