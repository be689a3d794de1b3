/*
 * ops.c - cryptographic operations on a decoded key: the checks every
 * operation passes (type, allowed operations, versions, lifecycle state),
 * encrypt and decrypt in the three ciphertext forms, HMAC, sign and verify,
 * and export.
 *
 * Per-version keys: a derived key's encryption key is HKDF-SHA-256 of the
 * version's material with the caller's context as info; a convergent key
 * takes its nonce from HMAC-SHA-256(that key, plaintext), so the same
 * plaintext and context give the same ciphertext. HMAC on a key that is not
 * of type hmac uses HKDF(material, "ward hmac") so the encryption material
 * itself never keys a MAC.
 *
 * SECURITY: derived keys live on the stack only for the call and are
 * cleansed; no error carries plaintext, key or ciphertext bytes.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/base64.h"
#include "crypto/crypto.h"
#include "keys_int.h"

#define MAX_SYM_KEY  WARD_SIV_KEY_LEN
#define HMAC_LABEL   "ward hmac"
#define PARTY_LABEL  "ward ciphertext parties"
#define MAX_SIG_TEXT 2048

static bool is_protect_state_ok(enum ward_key_state s)
{
    return s == WARD_KSTATE_ACTIVE;
}

static bool is_process_state_ok(enum ward_key_state s)
{
    return s == WARD_KSTATE_ACTIVE || s == WARD_KSTATE_DEACTIVATED || s == WARD_KSTATE_COMPROMISED;
}

/* severity orders states from usable to gone, so "the worse" is a max. */
static int severity(uint8_t s)
{
    switch (s) {
    case WARD_KSTATE_ACTIVE:
        return 0;
    case WARD_KSTATE_PRE_ACTIVE:
        return 1;
    case WARD_KSTATE_DEACTIVATED:
        return 2;
    case WARD_KSTATE_COMPROMISED:
        return 3;
    default:
        return 4;
    }
}

enum ward_key_state ward_key_version_state(const struct ward_key *k,
                                           const struct ward_key_version *v)
{
    return (enum ward_key_state)(severity(k->state) >= severity(v->state) ? k->state : v->state);
}

const struct ward_key_version *ward_key_find_version(const struct ward_key *k, uint32_t v)
{
    if (v < k->min_available_version || v > k->latest_version) {
        return NULL;
    }
    return &k->versions[v - k->min_available_version];
}

uint32_t ward_key_current_version(const struct ward_key *k)
{
    uint32_t floor = k->min_encryption_version > 0 ? k->min_encryption_version : 1;

    for (uint32_t v = k->latest_version; v >= floor && v >= k->min_available_version; v--) {
        if (ward_key_version_state(k, ward_key_find_version(k, v)) == WARD_KSTATE_ACTIVE) {
            return v;
        }
    }
    return k->latest_version;
}

ward_err ward_key_check(const struct ward_key *k, uint32_t op, bool process, uint32_t version,
                        const struct ward_key_version **out_ver)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    const struct ward_key_version *v;
    enum ward_key_state s;

    *out_ver = NULL;
    if (t == NULL || (t->ops & op) != op) {
        return WARD_E_KEY_TYPE;
    }
    if ((k->allowed_ops & op) != op) {
        return WARD_E_OP_NOT_ALLOWED;
    }
    if (!process && version == 0) {
        version = ward_key_current_version(k);
    }
    if (process ? version < k->min_decryption_version
                : (k->min_encryption_version != 0 && version < k->min_encryption_version)) {
        return WARD_E_KEY_VERSION;
    }
    if ((v = ward_key_find_version(k, version)) == NULL) {
        return WARD_E_KEY_VERSION;
    }
    s = ward_key_version_state(k, v);
    if (!(process ? is_process_state_ok(s) : is_protect_state_ok(s)) || v->material == NULL) {
        return WARD_E_KEY_STATE;
    }
    *out_ver = v;
    return WARD_OK;
}

/* sym_key writes the symmetric key version v uses for a context into key. */
static ward_err sym_key(uint8_t key[MAX_SYM_KEY], size_t *key_len, const struct ward_key *k,
                        const struct ward_key_version *v, const uint8_t *context,
                        size_t context_len)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);

    *key_len = t->sym_len;
    if (!(k->flags & WARD_KFLAG_DERIVED)) {
        memcpy(key, v->material->data, t->sym_len);
        return WARD_OK;
    }
    if (context_len == 0) {
        return WARD_E_CONTEXT_REQUIRED;
    }
    return ward_hkdf_sha256(key, t->sym_len, v->material->data, v->material->len, context,
                            context_len);
}

/*
 * party_subkey replaces key by the key a managed ciphertext with FROM/TO is
 * sealed under. SECURITY: never the version's key itself, or the body,
 * stripped of its header, would open as a raw or vault ciphertext with the
 * header handed in as associated_data, and the check that only the TO
 * decrypts would be skipped. RSA-OAEP keys carry no parties (WARD_E_KEY_TYPE).
 */
static ward_err party_subkey(uint8_t key[MAX_SYM_KEY], size_t key_len,
                             const struct ward_key_version *v)
{
    uint8_t sub[MAX_SYM_KEY];
    ward_err err;

    if (v->pkey != NULL || key_len == 0 || key_len > MAX_SYM_KEY) {
        return WARD_E_KEY_TYPE;
    }
    err = ward_hkdf_sha256(sub, key_len, key, key_len, (const uint8_t *)PARTY_LABEL,
                           sizeof(PARTY_LABEL) - 1);
    if (err == WARD_OK) {
        memcpy(key, sub, key_len);
    }
    OPENSSL_cleanse(sub, sizeof(sub));
    return err;
}

/* The parts of a ciphertext's AAD; everything borrowed. */
struct aad_parts {
    const uint8_t *header; /* managed only */
    size_t header_len;
    const uint8_t *context;
    size_t context_len;
    const uint8_t *extra; /* associated_data */
    size_t extra_len;
};

/* build_aad appends the AAD of a ciphertext: managed binds header and context. */
static ward_err build_aad(struct ward_buf *aad, enum ward_ct_format format,
                          const struct aad_parts *p)
{
    ward_err err;

    if (format != WARD_CT_MANAGED) {
        return p->extra_len > 0 ? ward_buf_append(aad, p->extra, p->extra_len) : WARD_OK;
    }
    if ((err = ward_buf_append(aad, p->header, p->header_len)) != WARD_OK ||
        (err = ward_buf_append_u32(aad, (uint32_t)p->context_len)) != WARD_OK ||
        (p->context_len > 0 &&
         (err = ward_buf_append(aad, p->context, p->context_len)) != WARD_OK) ||
        (err = ward_buf_append_u32(aad, (uint32_t)p->extra_len)) != WARD_OK ||
        (p->extra_len > 0 && (err = ward_buf_append(aad, p->extra, p->extra_len)) != WARD_OK)) {
        return err;
    }
    return WARD_OK;
}

/* One body operation: the key, its version, the symmetric key in use and the AAD. */
struct body_op {
    const struct ward_key *k;
    const struct ward_key_version *v;
    const uint8_t *key;
    const struct ward_buf *aad;
};

/* seal_body appends nonce || ciphertext || tag (SIV: tag || ciphertext) to bin. */
static ward_err seal_body(struct ward_buf *bin, const struct body_op *o, const uint8_t *pt,
                          size_t pt_len)
{
    const struct ward_key *k = o->k;
    const struct ward_key_version *v = o->v;
    const uint8_t *key = o->key;
    const struct ward_buf *aad = o->aad;
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    uint8_t nonce[WARD_CIPHER_NONCE_LEN];
    size_t need = pt_len + WARD_CIPHER_NONCE_LEN + WARD_CIPHER_TAG_LEN;
    ward_err err;

    if (v->pkey != NULL) {
        /* RSA-OAEP: the AAD is the OAEP label, so header and context are bound */
        return ward_rsa_oaep_encrypt_label(bin, v->pkey, aad->data, aad->len, pt, pt_len);
    }
    if ((err = ward_buf_reserve(bin, need)) != WARD_OK) {
        return err;
    }
    if (k->type == WARD_KEY_AES256_SIV) {
        err = ward_siv_seal(bin->data + bin->len, need, key, aad->data, aad->len, pt, pt_len);
        if (err == WARD_OK) {
            bin->len += pt_len + WARD_SIV_TAG_LEN;
        }
        return err;
    }
    if (k->flags & WARD_KFLAG_CONVERGENT) {
        uint8_t mac[WARD_SHA256_LEN];

        if ((err = ward_hmac_sha256(mac, key, t->sym_len, pt, pt_len)) != WARD_OK) {
            return err;
        }
        memcpy(nonce, mac, sizeof(nonce));
    } else if ((err = ward_crypto_nonce(nonce)) != WARD_OK) {
        return err;
    }
    memcpy(bin->data + bin->len, nonce, sizeof(nonce));
    err = ward_cipher_seal(bin->data + bin->len + sizeof(nonce), need - sizeof(nonce),
                           &(struct ward_cipher_op){ .cipher = (enum ward_cipher)t->cipher,
                                                     .key = key,
                                                     .nonce = nonce,
                                                     .aad = aad->data,
                                                     .aad_len = aad->len,
                                                     .in = pt,
                                                     .in_len = pt_len });
    if (err == WARD_OK) {
        bin->len += need;
    }
    return err;
}

ward_err ward_key_encrypt(const struct ward_key *k, struct ward_buf *out, uint32_t *out_version,
                          const struct ward_key_enc *e)
{
    const struct ward_key_version *v;
    uint8_t key[MAX_SYM_KEY];
    size_t key_len = 0;
    struct ward_buf bin;
    struct ward_buf aad;
    size_t header_len = 0;
    struct aad_parts parts;
    ward_err err;

    if ((err = ward_key_check(k, WARD_KOP_ENCRYPT, false, e->version, &v)) != WARD_OK) {
        return err;
    }
    if (e->format != WARD_CT_MANAGED && e->from != NULL) {
        return WARD_E_INVALID;
    }
    ward_buf_init(&bin, e->plaintext_len + 512);
    ward_buf_init(&aad, e->context_len + e->aad_len + 512);
    if ((err = sym_key(key, &key_len, k, v, e->context, e->context_len)) != WARD_OK ||
        (e->from != NULL && (err = party_subkey(key, key_len, v)) != WARD_OK)) {
        goto out;
    }
    if (e->format == WARD_CT_MANAGED) {
        uint8_t flags = e->context_len > 0 ? WARD_CT_FLAG_CONTEXT : 0;

        if ((err = ward_ct_header(&bin, &(const struct ward_ct_head){ (uint8_t)k->type, k->id,
                                                                      v->version, flags, e->from,
                                                                      e->to })) != WARD_OK) {
            goto out;
        }
        header_len = bin.len;
    }
    parts =
        (struct aad_parts){ bin.data, header_len, e->context, e->context_len, e->aad, e->aad_len };
    if ((err = build_aad(&aad, e->format, &parts)) != WARD_OK ||
        (err = seal_body(&bin, &(const struct body_op){ k, v, key, &aad }, e->plaintext,
                         e->plaintext_len)) != WARD_OK ||
        (err = ward_ct_text(out, e->format, v->version, bin.data, bin.len)) != WARD_OK) {
        goto out;
    }
    *out_version = v->version;
out:
    OPENSSL_cleanse(key, sizeof(key));
    ward_buf_cleanup(&aad);
    ward_buf_cleanup(&bin);
    return err;
}

static ward_err open_body(struct ward_buf *out, const struct body_op *o, const uint8_t *body,
                          size_t body_len)
{
    const struct ward_key *k = o->k;
    const struct ward_key_version *v = o->v;
    const uint8_t *key = o->key;
    const struct ward_buf *aad = o->aad;
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    size_t overhead = k->type == WARD_KEY_AES256_SIV ? WARD_SIV_TAG_LEN
                                                     : WARD_CIPHER_NONCE_LEN + WARD_CIPHER_TAG_LEN;
    size_t n;
    ward_err err;

    if (v->pkey != NULL) {
        err = ward_rsa_oaep_decrypt_label(out, v->pkey, aad->data, aad->len, body, body_len);
        return err == WARD_E_INTEGRITY || err == WARD_E_INVALID ? WARD_E_DECRYPT_FAILED : err;
    }
    if (body_len < overhead) {
        return WARD_E_DECRYPT_FAILED;
    }
    n = body_len - overhead;
    if ((err = ward_buf_reserve(out, n + 1)) != WARD_OK) {
        return err;
    }
    if (k->type == WARD_KEY_AES256_SIV) {
        err = ward_siv_open(out->data + out->len, n + 1, key, aad->data, aad->len, body, body_len);
    } else {
        err = ward_cipher_open(
            out->data + out->len, n + 1,
            &(struct ward_cipher_op){ .cipher = (enum ward_cipher)t->cipher,
                                      .key = key,
                                      .nonce = body,
                                      .aad = aad->data,
                                      .aad_len = aad->len,
                                      .in = body + WARD_CIPHER_NONCE_LEN,
                                      .in_len = body_len - WARD_CIPHER_NONCE_LEN });
    }
    if (err == WARD_E_INTEGRITY) {
        return WARD_E_DECRYPT_FAILED;
    }
    if (err == WARD_OK) {
        out->len += n;
    }
    return err;
}

ward_err ward_key_decrypt(const struct ward_key *k, struct ward_buf *out,
                          const struct ward_key_dec *d)
{
    const struct ward_ct *ct = d->ct;
    const struct ward_key_version *v;
    uint32_t version = ct->format == WARD_CT_RAW ? d->raw_version : ct->version;
    uint8_t key[MAX_SYM_KEY];
    size_t key_len = 0;
    const uint8_t *body;
    size_t body_len;
    struct ward_buf aad;
    ward_err err;

    if (ct->format == WARD_CT_MANAGED &&
        (ct->alg != (uint8_t)k->type || memcmp(ct->key_id, k->id, WARD_KEY_ID_LEN) != 0)) {
        return WARD_E_DECRYPT_FAILED; /* made under another key */
    }
    if (ct->format == WARD_CT_RAW && version == 0) {
        return WARD_E_KEY_VERSION; /* raw ciphertexts need the version named */
    }
    if ((err = ward_key_check(k, WARD_KOP_DECRYPT, true, version, &v)) != WARD_OK) {
        return err;
    }
    body = ward_ct_body(ct, &body_len);
    ward_buf_init(&aad, d->context_len + d->aad_len + 512);
    if ((err = sym_key(key, &key_len, k, v, d->context, d->context_len)) == WARD_OK &&
        (ct->format != WARD_CT_MANAGED || !(ct->flags & WARD_CT_FLAG_PARTIES) ||
         (err = party_subkey(key, key_len, v)) == WARD_OK) &&
        (err = build_aad(&aad, ct->format,
                         &(const struct aad_parts){ ct->bin.data, ct->header_len, d->context,
                                                    d->context_len, d->aad, d->aad_len })) ==
            WARD_OK) {
        err = open_body(out, &(const struct body_op){ k, v, key, &aad }, body, body_len);
    }
    OPENSSL_cleanse(key, sizeof(key));
    ward_buf_cleanup(&aad);
    return err;
}

/* ---- HMAC ---- */

static ward_err hmac_raw(uint8_t mac[WARD_HASH_MAX_LEN], const struct ward_key *k,
                         const struct ward_key_version *v, enum ward_hash h, const uint8_t *in,
                         size_t in_len)
{
    uint8_t derived[WARD_SHA256_LEN];
    ward_err err;

    if (k->type == WARD_KEY_HMAC) {
        return ward_hmac(mac, h, v->material->data, v->material->len, in, in_len);
    }
    err = ward_hkdf_sha256(derived, sizeof(derived), v->material->data, v->material->len,
                           (const uint8_t *)HMAC_LABEL, sizeof(HMAC_LABEL) - 1);
    if (err == WARD_OK) {
        err = ward_hmac(mac, h, derived, sizeof(derived), in, in_len);
    }
    OPENSSL_cleanse(derived, sizeof(derived));
    return err;
}

ward_err ward_key_hmac(const struct ward_key *k, struct ward_buf *out, uint32_t *out_version,
                       const struct ward_key_mac *m)
{
    uint32_t version = m->version;
    enum ward_hash h = m->hash;
    const uint8_t *in = m->in;
    size_t in_len = m->in_len;
    const struct ward_key_version *v;
    uint8_t mac[WARD_HASH_MAX_LEN];
    ward_err err;

    if (ward_hash_len(h) == 0) {
        return WARD_E_INVALID;
    }
    if ((err = ward_key_check(k, WARD_KOP_HMAC, false, version, &v)) != WARD_OK ||
        (err = hmac_raw(mac, k, v, h, in, in_len)) != WARD_OK) {
        return err;
    }
    err = ward_ct_text(out, WARD_CT_VAULT, v->version, mac, ward_hash_len(h));
    *out_version = v->version;
    return err;
}

ward_err ward_key_hmac_verify(const struct ward_key *k, bool *valid, const char *text,
                              size_t text_len, const struct ward_key_mac *m)
{
    enum ward_hash h = m->hash;
    const uint8_t *in = m->in;
    size_t in_len = m->in_len;
    const struct ward_key_version *v;
    uint8_t mac[WARD_HASH_MAX_LEN];
    struct ward_ct ct;
    ward_err err;

    *valid = false;
    if (ward_hash_len(h) == 0) {
        return WARD_E_INVALID;
    }
    if ((err = ward_ct_parse(&ct, text, text_len)) != WARD_OK || ct.format != WARD_CT_VAULT) {
        ward_ct_cleanup(&ct);
        return err != WARD_OK ? err : WARD_E_BAD_CIPHERTEXT;
    }
    if ((err = ward_key_check(k, WARD_KOP_HMAC, true, ct.version, &v)) == WARD_OK &&
        (err = hmac_raw(mac, k, v, h, in, in_len)) == WARD_OK) {
        *valid = ct.bin.len == ward_hash_len(h) && ward_ct_equal(mac, ct.bin.data, ct.bin.len);
    }
    OPENSSL_cleanse(mac, sizeof(mac));
    ward_ct_cleanup(&ct);
    return err;
}

/* ---- signatures ---- */

/* to_url turns standard base64 (len chars at p) into unpadded base64url in place. */
static size_t to_url(char *p, size_t len)
{
    while (len > 0 && p[len - 1] == '=') {
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        p[i] = (char)(p[i] == '+' ? '-' : p[i] == '/' ? '_' : p[i]);
    }
    return len;
}

/*
 * from_url turns the base64url body of a "vault:vN:" text (len chars at t,
 * room for 3 more) into padded standard base64 in place. False without the
 * prefix's colons.
 */
static bool from_url(char *t, size_t *len)
{
    const char *p = *len > 7 ? memchr(t + 7, ':', *len - 7) : NULL;
    size_t colon;

    if (p == NULL) {
        return false;
    }
    colon = (size_t)(p - t) + 1;
    for (size_t i = colon; i < *len; i++) {
        t[i] = (char)(t[i] == '-' ? '+' : t[i] == '_' ? '/' : t[i]);
    }
    while ((*len - colon) % 4 != 0) {
        t[(*len)++] = '=';
    }
    return true;
}

static ward_err sign_op(struct ward_sign_op *op, const struct ward_key *k,
                        const struct ward_key_version *v, const struct ward_key_sig *s)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);

    if (s->jws && t->pkey_kind != WARD_PKEY_P256 && t->pkey_kind != WARD_PKEY_P384 &&
        !ward_pkey_is_rsa((enum ward_pkey_kind)t->pkey_kind) && t->pkey_kind != WARD_PKEY_ED25519) {
        return WARD_E_INVALID;
    }
    *op = (struct ward_sign_op){ .key = v->pkey,
                                 .kind = (enum ward_pkey_kind)t->pkey_kind,
                                 .hash = s->hash,
                                 .prehashed = s->prehashed,
                                 .padding = s->padding,
                                 .raw_ecdsa = s->jws,
                                 .in = s->in,
                                 .in_len = s->in_len };
    return WARD_OK;
}

ward_err ward_key_sign(const struct ward_key *k, struct ward_buf *out, uint32_t *out_version,
                       const struct ward_key_sig *s)
{
    const struct ward_key_version *v;
    struct ward_sign_op op;
    struct ward_buf sig;
    size_t start = out->len;
    ward_err err;

    if ((err = ward_key_check(k, WARD_KOP_SIGN, false, s->version, &v)) != WARD_OK ||
        (err = sign_op(&op, k, v, s)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&sig, 1024);
    if ((err = ward_pkey_sign(&sig, &op)) == WARD_OK &&
        (err = ward_ct_text(out, WARD_CT_VAULT, v->version, sig.data, sig.len)) == WARD_OK) {
        *out_version = v->version;
        if (s->jws) {
            char *p = memchr(out->data + start + 7, ':', out->len - start - 7);
            size_t b64 = out->len - (size_t)(p + 1 - (char *)out->data);

            out->len -= b64 - to_url(p + 1, b64);
        }
    }
    ward_buf_cleanup(&sig);
    return err;
}

ward_err ward_key_verify(const struct ward_key *k, bool *valid, const char *text, size_t text_len,
                         const struct ward_key_sig *s)
{
    const struct ward_key_version *v;
    struct ward_sign_op op;
    char std[MAX_SIG_TEXT + 8];
    struct ward_ct ct;
    ward_err err;

    *valid = false;
    /* parse "vault:vN:" ourselves for jws, whose body is base64url */
    if (text_len > MAX_SIG_TEXT) {
        return WARD_OK;
    }
    memcpy(std, text, text_len);
    if (s->jws && !from_url(std, &text_len)) {
        return WARD_E_BAD_CIPHERTEXT;
    }
    if ((err = ward_ct_parse(&ct, std, text_len)) != WARD_OK || ct.format != WARD_CT_VAULT) {
        ward_ct_cleanup(&ct);
        return err == WARD_E_BAD_CIPHERTEXT || err == WARD_OK ? WARD_E_BAD_CIPHERTEXT : err;
    }
    if ((err = ward_key_check(k, WARD_KOP_VERIFY, true, ct.version, &v)) == WARD_OK &&
        (err = sign_op(&op, k, v, s)) == WARD_OK) {
        err = ward_pkey_verify(valid, &op, ct.bin.data, ct.bin.len);
    }
    ward_ct_cleanup(&ct);
    return err;
}

/* ---- export ---- */

static ward_err append_b64(struct ward_buf *out, const uint8_t *in, size_t in_len)
{
    size_t n = ward_base64_encoded_len(in_len);
    ward_err err;

    if ((err = ward_buf_reserve(out, n + 1)) != WARD_OK ||
        (err = ward_base64_encode((char *)out->data + out->len, n + 1, in, in_len)) != WARD_OK) {
        return err;
    }
    out->len += n;
    return WARD_OK;
}

/* public_raw_b64 appends base64 of an Ed25519 public key (Vault's form). */
static ward_err public_raw_b64(struct ward_buf *out, EVP_PKEY *pkey)
{
    struct ward_buf raw;
    ward_err err;

    ward_buf_init(&raw, 64);
    if ((err = ward_pkey_public_raw(&raw, pkey)) == WARD_OK) {
        err = append_b64(out, raw.data, raw.len);
    }
    ward_buf_cleanup(&raw);
    return err;
}

/* export_private appends a private key as Vault exports it. */
static ward_err export_private(struct ward_buf *out, const struct ward_key *k,
                               const struct ward_key_version *v)
{
    uint8_t raw[64];
    size_t n = 32;
    ward_err err = WARD_E_CRYPTO;

    if (k->type == WARD_KEY_ED25519) {
        /* Vault: base64 of the 32-byte seed followed by the 32-byte public key */
        if (EVP_PKEY_get_raw_private_key(v->pkey, raw, &n) == 1 && n == 32) {
            n = 32;
            if (EVP_PKEY_get_raw_public_key(v->pkey, raw + 32, &n) == 1 && n == 32) {
                err = append_b64(out, raw, sizeof(raw));
            }
        }
        OPENSSL_cleanse(raw, sizeof(raw));
        return err;
    }
    if ((err = ward_buf_append_str(out, "-----BEGIN PRIVATE KEY-----\n")) != WARD_OK) {
        return err;
    }
    for (size_t off = 0; off < v->material->len; off += 48) {
        size_t chunk = v->material->len - off < 48 ? v->material->len - off : 48;

        if ((err = append_b64(out, v->material->data + off, chunk)) != WARD_OK ||
            (err = ward_buf_append_u8(out, '\n')) != WARD_OK) {
            return err;
        }
    }
    return ward_buf_append_str(out, "-----END PRIVATE KEY-----\n");
}

ward_err ward_key_export(const struct ward_key *k, struct ward_buf *out, enum ward_key_export kind,
                         uint32_t version)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    const struct ward_key_version *v = ward_key_find_version(k, version);
    uint8_t mac_key[WARD_SHA256_LEN];
    ward_err err;

    if (v == NULL || v->material == NULL) {
        return WARD_E_KEY_VERSION;
    }
    if (kind == WARD_EXPORT_PUBLIC) {
        if (t->pkey_kind == 0) {
            return WARD_E_KEY_TYPE;
        }
        if (k->type != WARD_KEY_ED25519) {
            return ward_pkey_public_pem(out, v->pkey);
        }
        return public_raw_b64(out, v->pkey);
    }
    if (!(k->flags & WARD_KFLAG_EXPORTABLE)) {
        return WARD_E_NOT_EXPORTABLE;
    }
    if ((k->allowed_ops & WARD_KOP_EXPORT) == 0) {
        return WARD_E_OP_NOT_ALLOWED;
    }
    switch (kind) {
    case WARD_EXPORT_ENCRYPTION:
        if ((t->ops & WARD_KOP_ENCRYPT) == 0) {
            return WARD_E_KEY_TYPE;
        }
        return append_b64(out, v->material->data, v->material->len);
    case WARD_EXPORT_SIGNING:
        if (t->pkey_kind == 0) {
            return WARD_E_KEY_TYPE;
        }
        return export_private(out, k, v);
    case WARD_EXPORT_HMAC:
        if (k->type == WARD_KEY_HMAC) {
            return append_b64(out, v->material->data, v->material->len);
        }
        err = ward_hkdf_sha256(mac_key, sizeof(mac_key), v->material->data, v->material->len,
                               (const uint8_t *)HMAC_LABEL, sizeof(HMAC_LABEL) - 1);
        if (err == WARD_OK) {
            err = append_b64(out, mac_key, sizeof(mac_key));
        }
        OPENSSL_cleanse(mac_key, sizeof(mac_key));
        return err;
    default:
        return WARD_E_INVALID;
    }
}

ward_err ward_key_wrap_for(const struct ward_key *k, struct ward_buf *out, uint32_t *out_version,
                           uint32_t version, EVP_PKEY *peer, int peer_kind)
{
    const struct ward_key_version *v;
    ward_err err;

    if (!(k->flags & WARD_KFLAG_EXPORTABLE)) {
        return WARD_E_NOT_EXPORTABLE;
    }
    if ((err = ward_key_check(k, WARD_KOP_WRAP_FOR, false, version, &v)) != WARD_OK) {
        return err;
    }
    if (peer_kind == 0) {
        err = ward_x25519_seal(out, peer, v->material->data, v->material->len);
    } else if (ward_pkey_is_rsa((enum ward_pkey_kind)peer_kind)) {
        err = ward_byok_wrap(out, peer, v->material->data, v->material->len);
    } else {
        return WARD_E_UNSUPPORTED;
    }
    *out_version = v->version;
    return err;
}
