/*
 * pkey.c - key generation, loading, signatures, RSA-OAEP and X25519 sealing
 * for named keys (see pkey.h).
 *
 * Keeper-side. Private keys arrive and leave as PKCS#8 DER; in between they
 * are EVP_PKEYs whose private parts OpenSSL keeps on its secure heap (started
 * by ward_crypto_init). Every buffer of ours that held private key bytes or a
 * shared secret is cleansed before it is freed or goes out of scope.
 * Signatures, ciphertexts and public keys are not secret.
 *
 * Failures clear OpenSSL's thread-local error queue, as in crypto.c.
 *
 * THREADS: every function may be called from any thread; an EVP_PKEY is only
 * read, and each call makes its own contexts. No mutable state here.
 */
#include "pkey.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "crypto/crypto_int.h"

#define RAW_KEY_LEN  32  /* Ed25519 and X25519 public keys */
#define SIG_MAX_LEN  512 /* RSA-4096; ECDSA DER stays far below */
#define SEAL_TAG_LEN WARD_AEAD_TAG_LEN

/* HKDF info prefix of ward_x25519_seal; the recipe in docs/api.md depends on it. */
static const char g_x25519_label[] = "ward wrap-for x25519 v1";

#define X25519_LABEL_LEN (sizeof(g_x25519_label) - 1)

struct kind_info {
    const char *type;  /* OpenSSL key type */
    const char *group; /* EC curve, for generation */
    int nid;           /* EC curve */
    int bits;          /* RSA modulus */
    size_t half_len;   /* ECDSA: bytes of r and of s in the raw form */
};

/* Indexed by enum ward_pkey_kind. */
static const struct kind_info g_kinds[] = {
    [WARD_PKEY_ED25519] = { .type = "ED25519" },
    [WARD_PKEY_P256] = { .type = "EC",
                         .group = "P-256",
                         .nid = NID_X9_62_prime256v1,
                         .half_len = 32 },
    [WARD_PKEY_P384] = { .type = "EC", .group = "P-384", .nid = NID_secp384r1, .half_len = 48 },
    [WARD_PKEY_RSA2048] = { .type = "RSA", .bits = 2048 },
    [WARD_PKEY_RSA3072] = { .type = "RSA", .bits = 3072 },
    [WARD_PKEY_RSA4096] = { .type = "RSA", .bits = 4096 },
};

/* Stands in for empty input: OpenSSL reads some NULL pointers as "none given". */
static const uint8_t g_empty[1];

static bool kind_known(enum ward_pkey_kind kind)
{
    return kind >= WARD_PKEY_ED25519 && kind <= WARD_PKEY_RSA4096;
}

static bool is_ec(enum ward_pkey_kind kind)
{
    return kind == WARD_PKEY_P256 || kind == WARD_PKEY_P384;
}

bool ward_pkey_is_rsa(enum ward_pkey_kind kind)
{
    return kind == WARD_PKEY_RSA2048 || kind == WARD_PKEY_RSA3072 || kind == WARD_PKEY_RSA4096;
}

/* ec_kind maps key's named curve to a kind; 0 for an unnamed or other curve. */
static int ec_kind(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    int nid;

    if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
        return 0;
    }
    if ((nid = OBJ_sn2nid(name)) == NID_undef) {
        nid = EC_curve_nist2nid(name);
    }
    for (int k = WARD_PKEY_P256; k <= WARD_PKEY_P384; k++) {
        if (nid != NID_undef && nid == g_kinds[k].nid) {
            return k;
        }
    }
    return 0;
}

/*
 * kind_of sets *out to key's kind, 0 for X25519: WARD_E_UNSUPPORTED for any
 * other algorithm, curve or modulus size.
 */
static ward_err kind_of(const EVP_PKEY *key, int *out)
{
    *out = -1;
    if (EVP_PKEY_is_a(key, "X25519")) {
        *out = 0;
    } else if (EVP_PKEY_is_a(key, "ED25519")) {
        *out = WARD_PKEY_ED25519;
    } else if (EVP_PKEY_is_a(key, "EC")) {
        *out = ec_kind(key);
        *out = *out != 0 ? *out : -1;
    } else if (EVP_PKEY_is_a(key, "RSA")) {
        for (int k = WARD_PKEY_RSA2048; k <= WARD_PKEY_RSA4096; k++) {
            if (EVP_PKEY_get_bits(key) == g_kinds[k].bits) {
                *out = k;
            }
        }
    }
    ERR_clear_error();
    return *out >= 0 ? WARD_OK : WARD_E_UNSUPPORTED;
}

/*
 * encode appends key in format/structure (OpenSSL's encoder names) to out.
 * OpenSSL allocates the encoding; it is cleansed before it is freed, since
 * for a private key it is the key.
 */
static ward_err encode(struct ward_buf *out, const EVP_PKEY *key, int selection, const char *format,
                       const char *structure)
{
    ward_err err = WARD_E_CRYPTO;
    OSSL_ENCODER_CTX *ctx = NULL;
    unsigned char *data = NULL;
    size_t len = 0;

    ctx = OSSL_ENCODER_CTX_new_for_pkey(key, selection, format, structure, NULL);
    if (ctx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ctx) == 0) {
        goto out;
    }
    if (OSSL_ENCODER_to_data(ctx, &data, &len) != 1) {
        goto out;
    }
    err = ward_buf_append(out, data, len);
out:
    OPENSSL_clear_free(data, len);
    OSSL_ENCODER_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

/*
 * decode parses exactly in_len bytes of in as format/structure into *out:
 * WARD_E_BAD_ENCODING if that fails or bytes are left over.
 */
static ward_err decode(EVP_PKEY **out, int selection, const char *format, const char *structure,
                       const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_CRYPTO;
    OSSL_DECODER_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    const unsigned char *p = in;
    size_t left = in_len;

    *out = NULL;
    if (in_len > INT_MAX) {
        return WARD_E_TOO_LARGE;
    }
    ctx = OSSL_DECODER_CTX_new_for_pkey(&key, format, structure, NULL, selection, NULL, NULL);
    if (ctx == NULL) {
        goto out;
    }
    err = WARD_E_BAD_ENCODING;
    if (in_len == 0 || OSSL_DECODER_from_data(ctx, &p, &left) != 1 || key == NULL) {
        goto out;
    }
    /* PEM may end in whitespace after its END line; DER must end exactly. */
    while (left > 0 && strcmp(format, "PEM") == 0 && (*p == '\n' || *p == '\r' || *p == ' ')) {
        p++;
        left--;
    }
    if (left != 0) {
        goto out;
    }
    *out = key;
    key = NULL;
    err = WARD_OK;
out:
    EVP_PKEY_free(key);
    OSSL_DECODER_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

ward_err ward_pkey_generate(struct ward_buf *der, enum ward_pkey_kind kind)
{
    ward_err err = WARD_E_CRYPTO;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;

    if (!kind_known(kind)) {
        return WARD_E_INVALID;
    }
    if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, g_kinds[kind].type, NULL)) == NULL) {
        goto out;
    }
    if (EVP_PKEY_keygen_init(ctx) != 1) {
        goto out;
    }
    if (is_ec(kind) && EVP_PKEY_CTX_set_group_name(ctx, g_kinds[kind].group) != 1) {
        goto out;
    }
    if (ward_pkey_is_rsa(kind) &&
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)g_kinds[kind].bits) != 1) {
        goto out;
    }
    if (EVP_PKEY_generate(ctx, &key) != 1) {
        goto out;
    }
    err = encode(der, key, OSSL_KEYMGMT_SELECT_ALL, "DER", "PrivateKeyInfo");
out:
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

ward_err ward_pkey_load(EVP_PKEY **out, enum ward_pkey_kind kind, const uint8_t *der,
                        size_t der_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY *key = NULL;
    int got = -1;

    *out = NULL;
    if (!kind_known(kind)) {
        return WARD_E_INVALID;
    }
    if ((err = decode(&key, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", der, der_len)) != WARD_OK) {
        goto out;
    }
    if (kind_of(key, &got) != WARD_OK || got != (int)kind) {
        err = WARD_E_INVALID;
        goto out;
    }
    *out = key;
    key = NULL;
    err = WARD_OK;
out:
    EVP_PKEY_free(key);
    return err;
}

ward_err ward_pkey_load_public(EVP_PKEY **out, int *out_kind, const uint8_t *in, size_t in_len)
{
    static const char pem[] = "-----BEGIN";
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY *key = NULL;
    const char *format;

    *out = NULL;
    *out_kind = -1;
    format = in_len >= sizeof(pem) - 1 && memcmp(in, pem, sizeof(pem) - 1) == 0 ? "PEM" : "DER";
    err = decode(&key, EVP_PKEY_PUBLIC_KEY, format, "SubjectPublicKeyInfo", in, in_len);
    if (err != WARD_OK) {
        goto out;
    }
    if ((err = kind_of(key, out_kind)) != WARD_OK) {
        goto out;
    }
    *out = key;
    key = NULL;
    err = WARD_OK;
out:
    EVP_PKEY_free(key);
    return err;
}

void ward_pkey_free(EVP_PKEY *key)
{
    EVP_PKEY_free(key);
}

ward_err ward_pkey_public_pem(struct ward_buf *out, EVP_PKEY *key)
{
    return encode(out, key, EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo");
}

/* raw_public writes the 32-byte public key of an Ed25519 or X25519 key. */
static ward_err raw_public(uint8_t out[RAW_KEY_LEN], const EVP_PKEY *key)
{
    size_t len = RAW_KEY_LEN;

    if (!EVP_PKEY_is_a(key, "ED25519") && !EVP_PKEY_is_a(key, "X25519")) {
        return WARD_E_INVALID;
    }
    if (EVP_PKEY_get_raw_public_key(key, out, &len) != 1 || len != RAW_KEY_LEN) {
        ERR_clear_error();
        return WARD_E_CRYPTO;
    }
    return WARD_OK;
}

ward_err ward_pkey_public_raw(struct ward_buf *out, EVP_PKEY *key)
{
    uint8_t pub[RAW_KEY_LEN];
    ward_err err;

    if ((err = raw_public(pub, key)) != WARD_OK) {
        return err;
    }
    return ward_buf_append(out, pub, sizeof(pub));
}

/* sign_check refuses an op that does not fit its key or kind. */
static ward_err sign_check(const struct ward_sign_op *op)
{
    int got = -1;

    if (op->key == NULL || !kind_known(op->kind)) {
        return WARD_E_INVALID;
    }
    if (kind_of(op->key, &got) != WARD_OK || got != (int)op->kind) {
        return WARD_E_INVALID;
    }
    if (op->kind == WARD_PKEY_ED25519) {
        return op->prehashed ? WARD_E_INVALID : WARD_OK;
    }
    if (ward_hash_len(op->hash) == 0 || (op->prehashed && op->in_len != ward_hash_len(op->hash))) {
        return WARD_E_INVALID;
    }
    if (ward_pkey_is_rsa(op->kind) && op->padding != WARD_SIG_PSS &&
        op->padding != WARD_SIG_PKCS1V15) {
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

/* A signature context: md for a message, pk alone (then owned) for a digest. */
struct sig_ctx {
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *pk;
};

static void sig_ctx_free(struct sig_ctx *c)
{
    if (c->md != NULL) {
        EVP_MD_CTX_free(c->md); /* frees c->pk with it */
    } else {
        EVP_PKEY_CTX_free(c->pk);
    }
    c->md = NULL;
    c->pk = NULL;
}

/* rsa_padding sets op's padding; PSS salt is the digest length to sign, any to verify. */
static bool rsa_padding(EVP_PKEY_CTX *pk, const struct ward_sign_op *op, bool signing)
{
    if (op->padding == WARD_SIG_PKCS1V15) {
        return EVP_PKEY_CTX_set_rsa_padding(pk, RSA_PKCS1_PADDING) == 1;
    }
    return EVP_PKEY_CTX_set_rsa_padding(pk, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pk, signing ? RSA_PSS_SALTLEN_DIGEST
                                                        : RSA_PSS_SALTLEN_AUTO) == 1;
}

/* sig_start prepares c to sign (signing) or verify a checked op. */
static ward_err sig_start(struct sig_ctx *c, const struct ward_sign_op *op, bool signing)
{
    const EVP_MD *md = op->kind == WARD_PKEY_ED25519 ? NULL : ward_crypto_md(op->hash);
    const char *md_name = md != NULL ? EVP_MD_get0_name(md) : NULL;
    int ok = 0;

    c->md = NULL;
    c->pk = NULL;
    if (md == NULL && op->kind != WARD_PKEY_ED25519) {
        return WARD_E_CRYPTO;
    }
    if (!op->prehashed) {
        if ((c->md = EVP_MD_CTX_new()) == NULL) {
            return WARD_E_NOMEM;
        }
        ok = signing ? EVP_DigestSignInit_ex(c->md, &c->pk, md_name, NULL, NULL, op->key, NULL)
                     : EVP_DigestVerifyInit_ex(c->md, &c->pk, md_name, NULL, NULL, op->key, NULL);
    } else if ((c->pk = EVP_PKEY_CTX_new_from_pkey(NULL, op->key, NULL)) != NULL) {
        ok = (signing ? EVP_PKEY_sign_init(c->pk) : EVP_PKEY_verify_init(c->pk)) == 1 &&
             EVP_PKEY_CTX_set_signature_md(c->pk, md) == 1;
    }
    if (ok == 1 && ward_pkey_is_rsa(op->kind)) {
        ok = rsa_padding(c->pk, op, signing);
    }
    if (ok != 1) {
        sig_ctx_free(c);
        return WARD_E_CRYPTO;
    }
    return WARD_OK;
}

/* ecdsa_to_raw rewrites a DER ECDSA signature as r || s of half bytes each. */
static ward_err ecdsa_to_raw(uint8_t *raw, size_t half, const uint8_t *der, size_t der_len)
{
    const unsigned char *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    const BIGNUM *r = NULL;
    const BIGNUM *sv = NULL;
    ward_err err = WARD_E_CRYPTO;

    if (s == NULL) {
        goto out;
    }
    ECDSA_SIG_get0(s, &r, &sv);
    if (BN_bn2binpad(r, raw, (int)half) != (int)half ||
        BN_bn2binpad(sv, raw + half, (int)half) != (int)half) {
        goto out;
    }
    err = WARD_OK;
out:
    ECDSA_SIG_free(s);
    return err;
}

/*
 * ecdsa_to_der rewrites raw r || s (2 * half bytes) as DER into der (cap
 * bytes); false if it cannot be encoded, which verification treats as invalid.
 */
static bool ecdsa_to_der(uint8_t *der, size_t *der_len, size_t cap, const uint8_t *raw, size_t half)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)half, NULL);
    BIGNUM *sv = BN_bin2bn(raw + half, (int)half, NULL);
    unsigned char *p = der;
    bool ok = false;
    int n;

    if (s == NULL || r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
        goto out;
    }
    r = NULL; /* owned by s now */
    sv = NULL;
    n = i2d_ECDSA_SIG(s, NULL);
    if (n <= 0 || (size_t)n > cap || i2d_ECDSA_SIG(s, &p) != n) {
        goto out;
    }
    *der_len = (size_t)n;
    ok = true;
out:
    BN_free(r);
    BN_free(sv);
    ECDSA_SIG_free(s);
    return ok;
}

ward_err ward_pkey_sign(struct ward_buf *sig, const struct ward_sign_op *op)
{
    ward_err err = WARD_E_INTERNAL;
    struct sig_ctx c = { NULL, NULL };
    uint8_t tmp[SIG_MAX_LEN];
    uint8_t raw[SIG_MAX_LEN];
    size_t len = sizeof(tmp);
    const uint8_t *in = op->in_len > 0 ? op->in : g_empty;
    int ok;

    if ((err = sign_check(op)) != WARD_OK) {
        return err;
    }
    if ((err = sig_start(&c, op, true)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_CRYPTO;
    ok = c.md != NULL ? EVP_DigestSign(c.md, tmp, &len, in, op->in_len)
                      : EVP_PKEY_sign(c.pk, tmp, &len, in, op->in_len);
    if (ok != 1) {
        goto out;
    }
    if (op->raw_ecdsa && is_ec(op->kind)) {
        if ((err = ecdsa_to_raw(raw, g_kinds[op->kind].half_len, tmp, len)) != WARD_OK) {
            goto out;
        }
        err = ward_buf_append(sig, raw, 2 * g_kinds[op->kind].half_len);
    } else {
        err = ward_buf_append(sig, tmp, len);
    }
out:
    sig_ctx_free(&c);
    if (err != WARD_OK) {
        ERR_clear_error();
    }
    return err;
}

ward_err ward_pkey_verify(bool *valid, const struct ward_sign_op *op, const uint8_t *sig,
                          size_t sig_len)
{
    ward_err err = WARD_E_INTERNAL;
    struct sig_ctx c = { NULL, NULL };
    uint8_t der[SIG_MAX_LEN];
    const uint8_t *in = op->in_len > 0 ? op->in : g_empty;

    *valid = false;
    if ((err = sign_check(op)) != WARD_OK) {
        return err;
    }
    if (sig_len == 0) {
        sig = g_empty;
    }
    if (op->raw_ecdsa && is_ec(op->kind)) {
        /* A raw signature of the wrong length is just not valid. */
        if (sig_len != 2 * g_kinds[op->kind].half_len ||
            !ecdsa_to_der(der, &sig_len, sizeof(der), sig, g_kinds[op->kind].half_len)) {
            err = WARD_OK;
            goto out;
        }
        sig = der;
    }
    if ((err = sig_start(&c, op, false)) != WARD_OK) {
        goto out;
    }
    *valid = (c.md != NULL ? EVP_DigestVerify(c.md, sig, sig_len, in, op->in_len)
                           : EVP_PKEY_verify(c.pk, sig, sig_len, in, op->in_len)) == 1;
    err = WARD_OK;
out:
    sig_ctx_free(&c);
    ERR_clear_error();
    return err;
}

/*
 * oaep_start makes an RSA-OAEP (SHA-256, MGF1-SHA-256) context to encrypt or
 * decrypt, with label (label_len bytes; none if 0) bound in.
 */
static ward_err oaep_start(EVP_PKEY_CTX **out, EVP_PKEY *key, bool enc, const uint8_t *label,
                           size_t label_len)
{
    const EVP_MD *sha256 = ward_crypto_md(WARD_HASH_SHA2_256);
    EVP_PKEY_CTX *ctx = NULL;
    ward_err err = WARD_E_CRYPTO;

    *out = NULL;
    if (!EVP_PKEY_is_a(key, "RSA")) {
        return WARD_E_INVALID;
    }
    if (sha256 == NULL || (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL) {
        goto out;
    }
    if ((enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, sha256) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, sha256) != 1) {
        goto out;
    }
    if (label_len > 0) {
        /* the context takes ownership of the copy */
        void *copy = OPENSSL_memdup(label, label_len);

        if (copy == NULL || label_len > INT_MAX ||
            EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_len) != 1) {
            OPENSSL_free(copy);
            goto out;
        }
    }
    *out = ctx;
    ctx = NULL;
    err = WARD_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

ward_err ward_rsa_oaep_encrypt(struct ward_buf *out, EVP_PKEY *key, const uint8_t *in,
                               size_t in_len)
{
    return ward_rsa_oaep_encrypt_label(out, key, NULL, 0, in, in_len);
}

ward_err ward_rsa_oaep_encrypt_label(struct ward_buf *out, EVP_PKEY *key, const uint8_t *label,
                                     size_t label_len, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY_CTX *ctx = NULL;
    size_t mod_len;
    size_t len;

    if ((err = oaep_start(&ctx, key, true, label, label_len)) != WARD_OK) {
        return err;
    }
    /* RFC 8017 7.1.1: at most k - 2 hLen - 2 bytes. */
    mod_len = (size_t)EVP_PKEY_get_size(key);
    if (mod_len < 2 * WARD_SHA256_LEN + 2 || in_len > mod_len - 2 * WARD_SHA256_LEN - 2) {
        err = WARD_E_TOO_LARGE;
        goto out;
    }
    if ((err = ward_buf_reserve(out, mod_len)) != WARD_OK) {
        goto out;
    }
    len = mod_len;
    err = WARD_E_CRYPTO;
    if (EVP_PKEY_encrypt(ctx, out->data + out->len, &len, in_len > 0 ? in : g_empty, in_len) != 1 ||
        len != mod_len) {
        goto out;
    }
    out->len += len;
    err = WARD_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

ward_err ward_rsa_oaep_decrypt(struct ward_buf *out, EVP_PKEY *key, const uint8_t *in,
                               size_t in_len)
{
    return ward_rsa_oaep_decrypt_label(out, key, NULL, 0, in, in_len);
}

ward_err ward_rsa_oaep_decrypt_label(struct ward_buf *out, EVP_PKEY *key, const uint8_t *label,
                                     size_t label_len, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t *dst = NULL;
    size_t mod_len;
    size_t len;

    if ((err = oaep_start(&ctx, key, false, label, label_len)) != WARD_OK) {
        return err;
    }
    mod_len = (size_t)EVP_PKEY_get_size(key);
    if ((err = ward_buf_reserve(out, mod_len)) != WARD_OK) {
        goto out;
    }
    dst = out->data + out->len;
    len = mod_len;
    /* SECURITY: one answer for every failure, so the error says nothing about the padding. */
    err = WARD_E_INTEGRITY;
    if (EVP_PKEY_decrypt(ctx, dst, &len, in_len > 0 ? in : g_empty, in_len) != 1 || len > mod_len) {
        goto out;
    }
    out->len += len;
    dst = NULL;
    err = WARD_OK;
out:
    if (dst != NULL) {
        OPENSSL_cleanse(dst, mod_len);
    }
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

/*
 * x25519_key derives the AES-256-GCM key of a seal from priv and peer:
 * HKDF-SHA-256 of their shared secret, info = label || eph_pub || rcpt_pub.
 */
static ward_err x25519_key(uint8_t key[WARD_AEAD_KEY_LEN], EVP_PKEY *priv, EVP_PKEY *peer,
                           const uint8_t eph_pub[RAW_KEY_LEN], const uint8_t rcpt_pub[RAW_KEY_LEN])
{
    ward_err err = WARD_E_CRYPTO;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t shared[RAW_KEY_LEN];
    uint8_t info[X25519_LABEL_LEN + 2 * RAW_KEY_LEN];
    size_t len = sizeof(shared);

    if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL)) == NULL) {
        goto out;
    }
    /* OpenSSL refuses an all-zero shared secret (a small-order peer point) here. */
    if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
        EVP_PKEY_derive(ctx, shared, &len) != 1 || len != sizeof(shared)) {
        goto out;
    }
    memcpy(info, g_x25519_label, X25519_LABEL_LEN);
    memcpy(info + X25519_LABEL_LEN, eph_pub, RAW_KEY_LEN);
    memcpy(info + X25519_LABEL_LEN + RAW_KEY_LEN, rcpt_pub, RAW_KEY_LEN);
    err = ward_hkdf_sha256(key, WARD_AEAD_KEY_LEN, shared, sizeof(shared), info, sizeof(info));
out:
    OPENSSL_cleanse(shared, sizeof(shared));
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return err;
}

/* The nonce of every seal: safe because each seal's key is fresh and used once. */
static const uint8_t g_zero_nonce[WARD_AEAD_NONCE_LEN];

ward_err ward_x25519_seal(struct ward_buf *out, EVP_PKEY *peer, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY *eph = NULL;
    uint8_t peer_pub[RAW_KEY_LEN];
    uint8_t eph_pub[RAW_KEY_LEN];
    uint8_t key[WARD_AEAD_KEY_LEN];
    struct ward_aead_op op = { .key = key, .nonce = g_zero_nonce, .in = in, .in_len = in_len };
    size_t n;

    if (!EVP_PKEY_is_a(peer, "X25519")) {
        return WARD_E_INVALID;
    }
    if (in_len > (size_t)INT_MAX - RAW_KEY_LEN - SEAL_TAG_LEN) {
        return WARD_E_TOO_LARGE;
    }
    n = RAW_KEY_LEN + in_len + SEAL_TAG_LEN;
    if ((err = raw_public(peer_pub, peer)) != WARD_OK) {
        goto out;
    }
    if ((eph = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL) {
        err = WARD_E_CRYPTO;
        goto out;
    }
    if ((err = raw_public(eph_pub, eph)) != WARD_OK ||
        (err = x25519_key(key, eph, peer, eph_pub, peer_pub)) != WARD_OK ||
        (err = ward_buf_reserve(out, n)) != WARD_OK) {
        goto out;
    }
    memcpy(out->data + out->len, eph_pub, RAW_KEY_LEN);
    if ((err = ward_aead_seal(out->data + out->len + RAW_KEY_LEN, n - RAW_KEY_LEN, &op)) !=
        WARD_OK) {
        goto out;
    }
    out->len += n;
out:
    OPENSSL_cleanse(key, sizeof(key));
    EVP_PKEY_free(eph);
    ERR_clear_error();
    return err;
}

ward_err ward_x25519_open(struct ward_buf *out, EVP_PKEY *priv, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_PKEY *eph = NULL;
    uint8_t own_pub[RAW_KEY_LEN];
    uint8_t key[WARD_AEAD_KEY_LEN];
    struct ward_aead_op op = { .key = key, .nonce = g_zero_nonce };

    if (!EVP_PKEY_is_a(priv, "X25519")) {
        return WARD_E_INVALID;
    }
    if (in_len < RAW_KEY_LEN + SEAL_TAG_LEN) {
        return WARD_E_INTEGRITY;
    }
    op.in = in + RAW_KEY_LEN;
    op.in_len = in_len - RAW_KEY_LEN;
    if ((err = raw_public(own_pub, priv)) != WARD_OK) {
        goto out;
    }
    if ((eph = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, in, RAW_KEY_LEN)) == NULL) {
        err = WARD_E_CRYPTO;
        goto out;
    }
    /* A small-order ephemeral key is a forgery like any other. */
    if (x25519_key(key, priv, eph, in, own_pub) != WARD_OK) {
        err = WARD_E_INTEGRITY;
        goto out;
    }
    /* At least one byte, so that an empty plaintext still has a non-NULL place to go. */
    if ((err = ward_buf_reserve(out, in_len > RAW_KEY_LEN + SEAL_TAG_LEN ? op.in_len - SEAL_TAG_LEN
                                                                         : 1)) != WARD_OK) {
        goto out;
    }
    err = ward_aead_open(out->data + out->len, op.in_len - SEAL_TAG_LEN, &op);
    if (err == WARD_OK) {
        out->len += op.in_len - SEAL_TAG_LEN;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    EVP_PKEY_free(eph);
    ERR_clear_error();
    return err;
}
