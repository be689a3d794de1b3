/*
 * crypto_int.h - internals shared by crypto.c, shamir.c, sym.c, pkey.c,
 * selftest.c and their tests. Not part of the contract: other modules include
 * only crypto.h, sym.h and pkey.h.
 *
 * These are the general forms behind the public calls, kept so that the
 * known-answer tests can feed published vectors (Argon2id with a secret and
 * associated data; Shamir with fixed coefficients) through the same code the
 * public functions run.
 */
#ifndef WARD_CRYPTO_CRYPTO_INT_H
#define WARD_CRYPTO_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "crypto/crypto.h"
#include "crypto/sym.h"

#define WARD_SHAMIR_MAX_SHARES 16

/* Inputs of one Argon2id derivation; everything borrowed, any may be empty but pwd. */
struct ward_crypto_argon2_in {
    const uint8_t *pwd;
    size_t pwd_len;
    const uint8_t *secret; /* RFC 9106 K, NULL when secret_len is 0 */
    size_t secret_len;
    const uint8_t *ad; /* RFC 9106 X, NULL when ad_len is 0 */
    size_t ad_len;
};

/*
 * ward_crypto_argon2id_full is ward_argon2id with the optional secret and
 * associated data of RFC 9106. On failure out is wiped.
 */
WARD_MUST_CHECK ward_err ward_crypto_argon2id_full(uint8_t *out, size_t out_len,
                                                   const struct ward_argon2_params *p,
                                                   const struct ward_crypto_argon2_in *in);

/*
 * ward_crypto_shamir_split_with is ward_shamir_split with caller-chosen
 * coefficients: coeffs holds k - 1 rows of secret_len bytes, row r being the
 * coefficient of x^(r + 1). Same checks and output layout as
 * ward_shamir_split. Only the self-test and unit tests pass fixed rows.
 */
WARD_MUST_CHECK ward_err ward_crypto_shamir_split_with(uint8_t *out, const uint8_t *secret,
                                                       size_t secret_len, const uint8_t *coeffs,
                                                       uint8_t k, uint8_t n);

/*
 * ward_crypto_sym_ready fetches sym.c's ciphers, digests and HMAC once (the
 * first caller wins; later calls only read). False if the provider lacks one.
 */
bool ward_crypto_sym_ready(void);

/*
 * ward_crypto_md is the fetched digest of h (borrowed, shared, immutable), or
 * NULL for an unknown h or when the fetch failed.
 */
const EVP_MD *ward_crypto_md(enum ward_hash h);

/*
 * ward_crypto_hmac_any is ward_hmac without its key_len >= 1 rule, so that
 * ward_hmac_sha256 keeps accepting an empty key. Writes ward_hash_len(h)
 * bytes; on failure out is wiped.
 */
WARD_MUST_CHECK ward_err ward_crypto_hmac_any(uint8_t *out, enum ward_hash h, const uint8_t *key,
                                              size_t key_len, const uint8_t *in, size_t in_len);

#endif
