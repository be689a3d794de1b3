/*
 * pkey.h - the asymmetric algorithms of Ward's named keys (transit): key
 * generation, signing and verification (Ed25519, ECDSA P-256/P-384,
 * RSA-PSS/PKCS#1 v1.5), RSA-OAEP encryption, and sealing a key to a
 * requester's X25519 or RSA public key (wrap-for).
 *
 * Keeper-side. Private keys are kept as PKCS#8 DER by the caller (inside a
 * struct ward_secret or barrier entry) and loaded into an EVP_PKEY for use;
 * ward_crypto_init() turns on OpenSSL's secure heap, so the private
 * BIGNUMs of a loaded key sit in locked, non-dumpable memory.
 *
 * THREADS: all functions are thread-safe after ward_crypto_init(); one
 * loaded EVP_PKEY may be used by several threads at once (OpenSSL 3 keys are
 * immutable once built).
 */
#ifndef WARD_CRYPTO_PKEY_H
#define WARD_CRYPTO_PKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "crypto/sym.h"

typedef struct evp_pkey_st EVP_PKEY;

enum ward_pkey_kind {
    WARD_PKEY_ED25519 = 1,
    WARD_PKEY_P256 = 2,
    WARD_PKEY_P384 = 3,
    WARD_PKEY_RSA2048 = 4,
    WARD_PKEY_RSA3072 = 5,
    WARD_PKEY_RSA4096 = 6,
};

/* ward_pkey_is_rsa is true for the RSA kinds. */
bool ward_pkey_is_rsa(enum ward_pkey_kind kind);

/*
 * ward_pkey_generate makes a fresh private key of kind from OpenSSL's CSPRNG
 * and appends it as unencrypted PKCS#8 DER to der (the caller puts der in
 * locked memory or under the barrier; intermediate copies are cleansed).
 */
WARD_MUST_CHECK ward_err ward_pkey_generate(struct ward_buf *der, enum ward_pkey_kind kind);

/*
 * ward_pkey_load parses a PKCS#8 DER private key and checks it is of kind
 * (curve or modulus size included): WARD_E_BAD_ENCODING if it does not parse,
 * WARD_E_INVALID if it is another kind. The caller frees *out with
 * ward_pkey_free.
 */
WARD_MUST_CHECK ward_err ward_pkey_load(EVP_PKEY **out, enum ward_pkey_kind kind,
                                        const uint8_t *der, size_t der_len);

/*
 * ward_pkey_load_public parses a public key, either SubjectPublicKeyInfo DER
 * or PEM ("-----BEGIN PUBLIC KEY-----"), of any kind above or X25519, and sets
 * *out_kind (0 for X25519). WARD_E_BAD_ENCODING if it does not parse,
 * WARD_E_UNSUPPORTED for another algorithm.
 */
WARD_MUST_CHECK ward_err ward_pkey_load_public(EVP_PKEY **out, int *out_kind, const uint8_t *in,
                                               size_t in_len);

void ward_pkey_free(EVP_PKEY *key);

/* ward_pkey_public_pem appends the SubjectPublicKeyInfo PEM text of key. */
WARD_MUST_CHECK ward_err ward_pkey_public_pem(struct ward_buf *out, EVP_PKEY *key);

/* ward_pkey_public_raw appends the 32 raw bytes of an Ed25519 or X25519 public key. */
WARD_MUST_CHECK ward_err ward_pkey_public_raw(struct ward_buf *out, EVP_PKEY *key);

enum ward_sig_padding {
    WARD_SIG_PSS = 1, /* RSA: PSS, MGF1 with the same hash; salt = digest length */
    WARD_SIG_PKCS1V15 = 2,
};

/* One signature operation; everything borrowed. */
struct ward_sign_op {
    EVP_PKEY *key;
    enum ward_pkey_kind kind;
    enum ward_hash hash;           /* ignored for Ed25519 (pure EdDSA over in) */
    bool prehashed;                /* in is already the digest (ECDSA, RSA only) */
    enum ward_sig_padding padding; /* RSA only */
    bool raw_ecdsa;                /* ECDSA: r || s, each the curve size (JWS), not ASN.1 DER */
    const uint8_t *in;
    size_t in_len;
};

/*
 * ward_pkey_sign appends the signature to sig. WARD_E_INVALID if prehashed
 * and in_len is not the hash length, or prehashed with Ed25519.
 */
WARD_MUST_CHECK ward_err ward_pkey_sign(struct ward_buf *sig, const struct ward_sign_op *op);

/*
 * ward_pkey_verify sets *valid. A signature that is malformed or does not
 * verify is not an error: *valid = false, WARD_E_OK. Errors only for a bad op.
 * PSS verification accepts any salt length.
 */
WARD_MUST_CHECK ward_err ward_pkey_verify(bool *valid, const struct ward_sign_op *op,
                                          const uint8_t *sig, size_t sig_len);

/*
 * RSA-OAEP with SHA-256 for both the label hash and MGF1, empty label.
 * ward_rsa_oaep_encrypt appends the ciphertext (modulus size) to out;
 * ward_rsa_oaep_decrypt appends the plaintext, WARD_E_INTEGRITY if it does
 * not decrypt. WARD_E_INVALID for a non-RSA key, WARD_E_TOO_LARGE if in is
 * too long for the modulus.
 */
WARD_MUST_CHECK ward_err ward_rsa_oaep_encrypt(struct ward_buf *out, EVP_PKEY *key,
                                               const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_rsa_oaep_decrypt(struct ward_buf *out, EVP_PKEY *key,
                                               const uint8_t *in, size_t in_len);

/*
 * The same with an OAEP label: the ciphertext opens only with the same
 * label, so it authenticates label (transit's managed header and context).
 */
WARD_MUST_CHECK ward_err ward_rsa_oaep_encrypt_label(struct ward_buf *out, EVP_PKEY *key,
                                                     const uint8_t *label, size_t label_len,
                                                     const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_rsa_oaep_decrypt_label(struct ward_buf *out, EVP_PKEY *key,
                                                     const uint8_t *label, size_t label_len,
                                                     const uint8_t *in, size_t in_len);

/*
 * ward_x25519_seal seals in to the X25519 public key peer: a fresh ephemeral
 * X25519 key, the shared secret run through HKDF-SHA-256 (empty salt, info =
 * "ward wrap-for x25519 v1" || ephemeral public || peer public) into a
 * 32-byte AES-256-GCM key, nonce all zero (the key is single-use). Appends
 * ephemeral public (32) || ciphertext || tag (16) to out. docs/api.md gives
 * the recipe so any client can open it. ward_x25519_open reverses it with the
 * private key priv (for tests and clients in C); WARD_E_INTEGRITY on failure.
 */
WARD_MUST_CHECK ward_err ward_x25519_seal(struct ward_buf *out, EVP_PKEY *peer, const uint8_t *in,
                                          size_t in_len);
WARD_MUST_CHECK ward_err ward_x25519_open(struct ward_buf *out, EVP_PKEY *priv, const uint8_t *in,
                                          size_t in_len);

#endif
