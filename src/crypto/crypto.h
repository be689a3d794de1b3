/*
 * crypto.h - Ward's cryptographic primitives, on OpenSSL 3 EVP and libargon2.
 *
 * Keeper-side only. Every primitive here has a known-answer test in
 * ward_crypto_selftest(), which runs before any unseal.
 *
 * Nothing here keeps key material between calls: each call builds its
 * OpenSSL context, uses it and frees it (EVP_CIPHER_CTX_free cleanses the key
 * schedule), so keys live only where the caller keeps them, normally in a
 * struct ward_secret.
 *
 * THREADS: all functions are thread-safe after ward_crypto_init().
 */
#ifndef WARD_CRYPTO_CRYPTO_H
#define WARD_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WARD_AEAD_KEY_LEN   32 /* AES-256-GCM */
#define WARD_AEAD_NONCE_LEN 12
#define WARD_AEAD_TAG_LEN   16
#define WARD_SHA256_LEN     32
#define WARD_SHA512_LEN     64

/*
 * ward_crypto_init fetches the algorithms Ward uses once, so later calls do
 * not pay for OpenSSL's implicit fetch, and turns on OpenSSL's secure heap
 * (1 MiB, mlocked, not dumped) for the private parts of loaded keys; if
 * another part of the process started it first, that heap is used.
 * WARD_E_SYS if the heap cannot be mapped and locked (Ward refuses pageable
 * key memory, as ward_secret_new does), WARD_E_CRYPTO if the provider lacks
 * an algorithm. Call before threads start; calling again is harmless and
 * returns the first call's result.
 */
WARD_MUST_CHECK ward_err ward_crypto_init(void);

/* ward_crypto_random fills out with bytes from OpenSSL's CSPRNG. */
WARD_MUST_CHECK ward_err ward_crypto_random(uint8_t *out, size_t out_len);

/*
 * ward_crypto_nonce fills a 12-byte AEAD nonce by NIST SP 800-38D 8.2.1's
 * deterministic construction: a 64-bit prefix drawn from the CSPRNG once per
 * thread (and again after 2^32 nonces) followed by a 32-bit counter. Unique
 * per thread by construction and across threads and servers with the
 * probability of a 64-bit collision; far cheaper than a DRBG call per nonce.
 */
WARD_MUST_CHECK ward_err ward_crypto_nonce(uint8_t out[12]);

/* One AES-256-GCM operation; everything borrowed. */
struct ward_aead_op {
    const uint8_t *key;   /* WARD_AEAD_KEY_LEN bytes */
    const uint8_t *nonce; /* WARD_AEAD_NONCE_LEN bytes */
    const uint8_t *aad;
    size_t aad_len;
    const uint8_t *in;
    size_t in_len;
};

/*
 * ward_aead_seal encrypts op->in and writes ciphertext || tag
 * (op->in_len + WARD_AEAD_TAG_LEN bytes) to out. out may equal op->in.
 * WARD_E_TOO_LARGE if out_cap is too small, or in_len or aad_len is beyond
 * OpenSSL's int range. On failure out is wiped.
 */
WARD_MUST_CHECK ward_err ward_aead_seal(uint8_t *out, size_t out_cap,
                                        const struct ward_aead_op *op);

/*
 * ward_aead_open checks and decrypts op->in (ciphertext || tag) into out
 * (op->in_len - WARD_AEAD_TAG_LEN bytes). WARD_E_INTEGRITY if the tag does
 * not verify (or in_len < WARD_AEAD_TAG_LEN), in which case out is wiped.
 * out may equal op->in. WARD_E_TOO_LARGE if out_cap is too small.
 */
WARD_MUST_CHECK ward_err ward_aead_open(uint8_t *out, size_t out_cap,
                                        const struct ward_aead_op *op);

/* ward_sha256 / ward_sha512 hash in. */
void ward_sha256(uint8_t out[WARD_SHA256_LEN], const uint8_t *in, size_t in_len);
void ward_sha512(uint8_t out[WARD_SHA512_LEN], const uint8_t *in, size_t in_len);

/* ward_hmac_sha256 computes HMAC-SHA-256 of in under key. */
WARD_MUST_CHECK ward_err ward_hmac_sha256(uint8_t out[WARD_SHA256_LEN], const uint8_t *key,
                                          size_t key_len, const uint8_t *in, size_t in_len);

/*
 * ward_hkdf_sha256 derives out_len bytes from key with HKDF-SHA-256 (RFC 5869),
 * empty salt, and info as the context label. WARD_E_INVALID if out_len or
 * key_len is 0; WARD_E_TOO_LARGE if out_len > 255 * 32 or info_len > 1024.
 */
WARD_MUST_CHECK ward_err ward_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *key,
                                          size_t key_len, const uint8_t *info, size_t info_len);

struct ward_argon2_params {
    uint32_t t_cost;      /* passes */
    uint32_t m_cost_kib;  /* memory in KiB */
    uint32_t parallelism; /* lanes */
    const uint8_t *salt;
    size_t salt_len; /* >= 8 */
};

/*
 * ward_argon2id derives out_len bytes from pwd with Argon2id (v1.3).
 * WARD_E_INVALID for parameters below libargon2's minimums (salt_len < 8,
 * out_len < 4, t_cost 0, m_cost_kib < 8 * parallelism), WARD_E_TOO_LARGE
 * above its maximums, WARD_E_NOMEM if the blocks cannot be allocated.
 */
WARD_MUST_CHECK ward_err ward_argon2id(uint8_t *out, size_t out_len,
                                       const struct ward_argon2_params *p, const uint8_t *pwd,
                                       size_t pwd_len);

/* ward_ct_equal compares n bytes in constant time. */
bool ward_ct_equal(const void *a, const void *b, size_t n);

/*
 * ward_shamir_split splits secret (secret_len bytes) into n shares with
 * threshold k over GF(2^8) (the field of libgfshare: x^8+x^4+x^3+x^2+1).
 * Share i (0-based) has x = i + 1 and its secret_len y-bytes at
 * out + i * secret_len; out must hold n * secret_len bytes and should be a
 * struct ward_secret. Random coefficients come from the CSPRNG.
 * WARD_E_BAD_THRESHOLD unless 1 <= k <= n <= 16; WARD_E_INVALID if
 * secret_len is 0. Constant time in the secret.
 */
WARD_MUST_CHECK ward_err ward_shamir_split(uint8_t *out, const uint8_t *secret, size_t secret_len,
                                           uint8_t k, uint8_t n);

/*
 * ward_shamir_combine recovers the secret from k shares: xs[i] is the x of
 * share i and ys[i] its secret_len y-bytes. WARD_E_DUPLICATE_SHARE if two xs
 * are equal, WARD_E_BAD_SHARE if an x is 0, WARD_E_BAD_THRESHOLD if k is 0 or
 * above 255. out may equal any ys[i]. Constant time in the y values.
 * With fewer than the real threshold, the result is a wrong secret: callers
 * detect that by their verifier, never here.
 */
WARD_MUST_CHECK ward_err ward_shamir_combine(uint8_t *out, size_t secret_len, const uint8_t *xs,
                                             const uint8_t *const *ys, size_t k);

/*
 * ward_crypto_selftest runs the known-answer tests of every primitive above
 * and of those in sym.h and pkey.h that are cheap (see selftest.c).
 * Returns WARD_E_SELFTEST (and logs which test, never key bytes) on failure.
 */
WARD_MUST_CHECK ward_err ward_crypto_selftest(void);

/*
 * ward_crypto_selftest_break makes the named known-answer test ("aes-gcm",
 * "sha256", "sha512", "hmac", "hkdf", "argon2id", "shamir", "aes128-gcm",
 * "chacha20-poly1305", "aes-siv", "sha3-256", "hmac-sha384", "hmac-sha512",
 * "kwp", "ed25519") fail, or none when name is NULL. For tests of the
 * refusal path only.
 */
void ward_crypto_selftest_break(const char *name);

#endif
