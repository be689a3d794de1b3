/*
 * byok.c - key material wrapped for transport, in Vault's BYOK form:
 *
 *   RSA-OAEP-SHA-256(peer RSA key, ephemeral AES-256 key) || AES-KWP(ephemeral key, material)
 *
 * Import (ward_byok_unwrap) opens what a client wrapped to Ward's wrapping
 * key; wrap-for (ward_byok_wrap) builds the same form to a requester's RSA
 * key, so one client tool serves both directions. X25519 requesters get
 * ward_x25519_seal instead (crypto/pkey.h).
 *
 * The unwrap side parses outside input (fuzz target fuzz_byok): the OAEP
 * part is exactly the modulus size, and every failure is one answer
 * (WARD_E_DECRYPT_FAILED) so the error tells nothing about where it failed.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "keys_int.h"

#define EPHEMERAL_LEN 32

ward_err ward_byok_unwrap(struct ward_buf *out, EVP_PKEY *wrapping, const uint8_t *in,
                          size_t in_len)
{
    size_t mod = (size_t)EVP_PKEY_get_size(wrapping);
    struct ward_buf eph;
    ward_err err;

    if (in_len <= mod || in_len - mod < 16 || (in_len - mod) % 8 != 0) {
        return WARD_E_DECRYPT_FAILED;
    }
    ward_buf_init(&eph, mod);
    err = ward_rsa_oaep_decrypt(&eph, wrapping, in, mod);
    if (err == WARD_OK && eph.len != EPHEMERAL_LEN) {
        err = WARD_E_INTEGRITY;
    }
    if (err == WARD_OK) {
        err = ward_kwp_unwrap(out, eph.data, eph.len, in + mod, in_len - mod);
    }
    ward_buf_cleanup(&eph);
    return err == WARD_E_INTEGRITY || err == WARD_E_INVALID ? WARD_E_DECRYPT_FAILED : err;
}

ward_err ward_byok_wrap(struct ward_buf *out, EVP_PKEY *peer, const uint8_t *material,
                        size_t material_len)
{
    uint8_t eph[EPHEMERAL_LEN];
    ward_err err;

    if ((err = ward_crypto_random(eph, sizeof(eph))) == WARD_OK &&
        (err = ward_rsa_oaep_encrypt(out, peer, eph, sizeof(eph))) == WARD_OK) {
        err = ward_kwp_wrap(out, eph, sizeof(eph), material, material_len);
    }
    OPENSSL_cleanse(eph, sizeof(eph));
    return err;
}
