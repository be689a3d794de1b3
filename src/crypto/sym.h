/*
 * sym.h - the symmetric algorithms of Ward's named keys (transit): AEADs with
 * a choice of cipher, deterministic AES-SIV, HMAC and hashes over the SHA-2
 * and SHA-3 families, and AES key wrap with padding (RFC 5649) for BYOK.
 *
 * Keeper-side. Like crypto.h, nothing here keeps key material between calls:
 * each call builds its OpenSSL context and frees it before returning.
 *
 * THREADS: all functions are thread-safe after ward_crypto_init().
 */
#ifndef WARD_CRYPTO_SYM_H
#define WARD_CRYPTO_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* AEAD ciphers. Nonces are 12 bytes and tags 16 bytes for all three. */
enum ward_cipher {
    WARD_CIPHER_AES128_GCM = 1,        /* 16-byte key */
    WARD_CIPHER_AES256_GCM = 2,        /* 32-byte key */
    WARD_CIPHER_CHACHA20_POLY1305 = 3, /* 32-byte key */
};

#define WARD_CIPHER_NONCE_LEN 12
#define WARD_CIPHER_TAG_LEN   16
#define WARD_SIV_KEY_LEN      64 /* AES-256-SIV: two AES-256 keys */
#define WARD_SIV_TAG_LEN      16
#define WARD_HASH_MAX_LEN     64

/* ward_cipher_key_len is the key length of c, 0 for an unknown c. */
size_t ward_cipher_key_len(enum ward_cipher c);

/* One AEAD operation; everything borrowed. */
struct ward_cipher_op {
    enum ward_cipher cipher;
    const uint8_t *key;   /* ward_cipher_key_len(cipher) bytes */
    const uint8_t *nonce; /* WARD_CIPHER_NONCE_LEN bytes */
    const uint8_t *aad;
    size_t aad_len;
    const uint8_t *in;
    size_t in_len;
};

/*
 * ward_cipher_seal writes ciphertext || tag (in_len + WARD_CIPHER_TAG_LEN
 * bytes) to out. ward_cipher_open checks and decrypts ciphertext || tag into
 * out (in_len - WARD_CIPHER_TAG_LEN bytes), WARD_E_INTEGRITY if the tag does
 * not verify or in_len is shorter than a tag. Both: WARD_E_TOO_LARGE if
 * out_cap is too small or a length exceeds OpenSSL's int range,
 * WARD_E_INVALID for an unknown cipher; out is wiped on failure; out may
 * equal in.
 */
WARD_MUST_CHECK ward_err ward_cipher_seal(uint8_t *out, size_t out_cap,
                                          const struct ward_cipher_op *op);
WARD_MUST_CHECK ward_err ward_cipher_open(uint8_t *out, size_t out_cap,
                                          const struct ward_cipher_op *op);

/*
 * AES-256-SIV (RFC 5297), deterministic: the same key, aad and plaintext give
 * the same output. ward_siv_seal writes tag (16) || ciphertext (in_len) to
 * out; ward_siv_open reverses it (WARD_E_INTEGRITY on a bad tag). key is
 * WARD_SIV_KEY_LEN bytes; aad is one associated-data string, and an empty aad
 * means no associated data at all (RFC 5297 with zero strings). Errors and
 * wiping as ward_cipher_seal/open, plus WARD_E_INVALID for an empty
 * plaintext (in_len 0 to seal, 16 to open), which OpenSSL 3.0's SIV cannot
 * compute. out may overlap in.
 */
WARD_MUST_CHECK ward_err ward_siv_seal(uint8_t *out, size_t out_cap, const uint8_t *key,
                                       const uint8_t *aad, size_t aad_len, const uint8_t *in,
                                       size_t in_len);
WARD_MUST_CHECK ward_err ward_siv_open(uint8_t *out, size_t out_cap, const uint8_t *key,
                                       const uint8_t *aad, size_t aad_len, const uint8_t *in,
                                       size_t in_len);

/* Hash functions, by Vault's names. */
enum ward_hash {
    WARD_HASH_SHA2_224 = 1,
    WARD_HASH_SHA2_256 = 2,
    WARD_HASH_SHA2_384 = 3,
    WARD_HASH_SHA2_512 = 4,
    WARD_HASH_SHA3_224 = 5,
    WARD_HASH_SHA3_256 = 6,
    WARD_HASH_SHA3_384 = 7,
    WARD_HASH_SHA3_512 = 8,
};

/*
 * ward_hash_from_name maps Vault's names ("sha2-256", "sha3-512", ...) to a
 * hash; false for an unknown name. ward_hash_name is the reverse ("" for an
 * unknown value). ward_hash_len is the digest length (0 if unknown).
 */
bool ward_hash_from_name(enum ward_hash *out, const char *name);
const char *ward_hash_name(enum ward_hash h);
size_t ward_hash_len(enum ward_hash h);

/* ward_hash writes the ward_hash_len(h)-byte digest of in to out. */
WARD_MUST_CHECK ward_err ward_hash(uint8_t out[WARD_HASH_MAX_LEN], enum ward_hash h,
                                   const uint8_t *in, size_t in_len);

/*
 * ward_hmac writes the ward_hash_len(h)-byte HMAC of in under key (any
 * length >= 1) to out.
 */
WARD_MUST_CHECK ward_err ward_hmac(uint8_t out[WARD_HASH_MAX_LEN], enum ward_hash h,
                                   const uint8_t *key, size_t key_len, const uint8_t *in,
                                   size_t in_len);

/*
 * AES key wrap with padding (RFC 5649), key 16, 24 or 32 bytes.
 * ward_kwp_wrap appends the wrapped form (8-byte multiple, in_len rounded up
 * to 8 plus 8) to out; ward_kwp_unwrap appends the unwrapped key to out,
 * WARD_E_INTEGRITY if the integrity check fails. in_len 1..65536.
 */
WARD_MUST_CHECK ward_err ward_kwp_wrap(struct ward_buf *out, const uint8_t *key, size_t key_len,
                                       const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_kwp_unwrap(struct ward_buf *out, const uint8_t *key, size_t key_len,
                                         const uint8_t *in, size_t in_len);

#endif
