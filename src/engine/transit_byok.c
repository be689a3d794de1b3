/*
 * transit_byok.c - key material crossing the boundary wrapped, never in
 * clear: Vault's BYOK import (GET transit/wrapping_key, POST
 * transit/keys/:name/import and import_version) and Ward's wrap-for (POST
 * transit/wrap-for/:name), which serves an exportable key wrapped to the
 * requester's RSA or X25519 public key (seed 002).
 */
#include <string.h>

#include "kv_int.h"
#include "transit_int.h"

void op_transit_wrapping_key(struct op_ctx *c)
{
    struct ward_buf pem;
    EVP_PKEY *wk = NULL;
    ward_err err;

    ward_buf_init(&pem, 16384);
    if ((err = ward_keys_wrapping_key(keys_of(c), &wk)) != WARD_OK ||
        (err = ward_pkey_public_pem(&pem, wk)) != WARD_OK) {
        op_fail(c, err, NULL);
    } else {
        kv_reply(c, json_pack("{s:s#}", "public_key", (const char *)pem.data, (int)pem.len));
    }
    ward_pkey_free(wk);
    ward_buf_cleanup(&pem);
}

/* unwrap_body decodes and opens the request's BYOK ciphertext into material. */
static ward_err unwrap_body(struct op_ctx *c, struct ward_buf *material, const char **why)
{
    struct ward_buf wrapped;
    const char *hash = NULL;
    size_t len;
    bool present = false;
    EVP_PKEY *wk = NULL;
    ward_err err;

    *why = NULL;
    if (json_get_string(c->body, "hash_function", &hash, &len) != WARD_OK ||
        (hash != NULL && strcmp(hash, "SHA256") != 0)) {
        *why = "hash_function must be SHA256 (the OAEP hash Ward accepts)";
        return WARD_E_UNSUPPORTED;
    }
    ward_buf_init(&wrapped, TRANSIT_MAX_FIELD);
    if ((err = transit_b64_field(&wrapped, &present, c->body, "ciphertext")) != WARD_OK ||
        !present) {
        *why = "ciphertext must be base64 of RSA-OAEP(wrapping key, AES key) || AES-KWP(material)";
        err = err != WARD_OK ? err : WARD_E_INVALID;
    } else if ((err = ward_keys_wrapping_key(keys_of(c), &wk)) == WARD_OK &&
               (err = ward_byok_unwrap(material, wk, wrapped.data, wrapped.len)) != WARD_OK) {
        *why = "the wrapped key does not open with this Ward's wrapping key";
    }
    ward_pkey_free(wk);
    ward_buf_cleanup(&wrapped);
    return err;
}

void op_transit_key_import(struct op_ctx *c)
{
    struct ward_key_params p;
    struct ward_buf material;
    const char *why;
    ward_err err;

    if ((err = transit_key_params(c, &p, &why)) != WARD_OK) {
        op_fail(c, err, why);
        return;
    }
    ward_buf_init(&material, 65536);
    if ((err = unwrap_body(c, &material, &why)) != WARD_OK) {
        op_fail(c, err, why);
    } else if ((err = ward_keys_import(keys_of(c), c->var[0], &p, material.data, material.len)) !=
               WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID  ? "the material does not fit the key type (raw bytes of "
                                         "the key size, or PKCS#8 DER for asymmetric types)"
                : err == WARD_E_EXISTS ? "a key of this name exists; use import_version"
                                       : NULL);
    } else {
        transit_reply_key(c, c->var[0]);
    }
    ward_buf_cleanup(&material);
}

void op_transit_key_import_version(struct op_ctx *c)
{
    struct ward_buf material;
    const char *why;
    uint32_t v = 0;
    ward_err err;

    ward_buf_init(&material, 65536);
    if ((err = unwrap_body(c, &material, &why)) != WARD_OK) {
        op_fail(c, err, why);
    } else if ((err = ward_keys_rotate(keys_of(c), &v, c->var[0], false, material.data,
                                       material.len)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_INVALID ? "the material does not fit the key type" : NULL);
    } else {
        transit_reply_key(c, c->var[0]);
    }
    ward_buf_cleanup(&material);
}

void op_transit_wrap_for(struct op_ctx *c)
{
    struct ward_key *k = NULL;
    struct ward_buf out;
    const char *pub = NULL;
    size_t pub_len = 0;
    EVP_PKEY *peer = NULL;
    int kind = -1;
    uint32_t version = 0;
    uint32_t v = 0;
    ward_err err;

    if (json_get_string(c->body, "public_key", &pub, &pub_len) != WARD_OK || pub == NULL) {
        op_fail(c, WARD_E_INVALID, "public_key must be a PEM RSA or X25519 public key");
        return;
    }
    if (transit_version(c->body, "key_version", &version) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "key_version must be a version number");
        return;
    }
    if ((err = ward_pkey_load_public(&peer, &kind, (const uint8_t *)pub, pub_len)) != WARD_OK) {
        op_fail(c, err, "public_key must be a PEM RSA or X25519 public key");
        return;
    }
    ward_buf_init(&out, 65536);
    if ((err = ward_keys_get(keys_of(c), &k, c->var[0])) != WARD_OK ||
        (err = ward_key_wrap_for(k, &out, &v, version, peer, kind)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_UNSUPPORTED ? "public_key must be an RSA or X25519 key" : NULL);
    } else {
        kv_reply(
            c, json_pack("{s:o, s:s, s:i}", "wrapped", transit_b64(out.data, out.len), "algorithm",
                         kind == 0 ? "x25519-hkdf-sha256-aes256gcm" : "rsa-oaep-sha256-aes256-kwp",
                         "key_version", (int)v));
    }
    ward_key_unref(k);
    ward_buf_cleanup(&out);
    ward_pkey_free(peer);
}
