/*
 * sym.c - the symmetric algorithms of named keys (see sym.h): AEADs over
 * AES-GCM and ChaCha20-Poly1305, AES-256-SIV, SHA-2/SHA-3 hashes and HMACs,
 * AES key wrap with padding.
 *
 * Keeper-side. As in crypto.c, each call builds its own OpenSSL context and
 * frees it before returning (the free cleanses key schedules and HMAC pads),
 * so no key material outlives a call; failures clear OpenSSL's thread-local
 * error queue.
 *
 * THREADS: every function may be called from any thread. g_sym is written
 * once, inside pthread_once (by ward_crypto_init or lazily by the first
 * call), and only read afterwards; fetched OpenSSL objects are immutable and
 * safe to share.
 */
#include "sym.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto_int.h"

#define NUM_CIPHERS    3
#define NUM_HASHES     8
#define NUM_KWP        3 /* AES-128, -192, -256 */
#define KWP_MAX_IN_LEN ((size_t)65536)
#define KWP_ICV_LEN    8

struct hash_info {
    const char *vault;   /* Vault's name */
    const char *openssl; /* OpenSSL's fetch name */
    size_t len;
};

/* Indexed by enum ward_hash; row 0 is the unknown value. */
static const struct hash_info g_hashes[NUM_HASHES + 1] = {
    [0] = { "", NULL, 0 },
    [WARD_HASH_SHA2_224] = { "sha2-224", "SHA2-224", 28 },
    [WARD_HASH_SHA2_256] = { "sha2-256", "SHA2-256", 32 },
    [WARD_HASH_SHA2_384] = { "sha2-384", "SHA2-384", 48 },
    [WARD_HASH_SHA2_512] = { "sha2-512", "SHA2-512", 64 },
    [WARD_HASH_SHA3_224] = { "sha3-224", "SHA3-224", 28 },
    [WARD_HASH_SHA3_256] = { "sha3-256", "SHA3-256", 32 },
    [WARD_HASH_SHA3_384] = { "sha3-384", "SHA3-384", 48 },
    [WARD_HASH_SHA3_512] = { "sha3-512", "SHA3-512", 64 },
};

/* Indexed by enum ward_cipher. */
static const char *const g_cipher_names[NUM_CIPHERS + 1] = {
    NULL,
    [WARD_CIPHER_AES128_GCM] = "AES-128-GCM",
    [WARD_CIPHER_AES256_GCM] = "AES-256-GCM",
    [WARD_CIPHER_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
};

static const char *const g_kwp_names[NUM_KWP] = { "AES-128-WRAP-PAD", "AES-192-WRAP-PAD",
                                                  "AES-256-WRAP-PAD" };

#define WARD_HMAC_MAX_BLOCK 168 /* the largest block (rate) of the hashes above: SHA3-224 144 */

/* Algorithms fetched once; ready is false (and all NULL) if any fetch failed. */
static struct {
    EVP_CIPHER *aead[NUM_CIPHERS + 1];
    EVP_CIPHER *siv;
    EVP_CIPHER *kwp[NUM_KWP];
    EVP_MD *md[NUM_HASHES + 1];
    bool ready;
} g_sym;

static pthread_once_t g_sym_once = PTHREAD_ONCE_INIT;

/* Stands in for empty input: OpenSSL reads some NULL pointers as "no change". */
static const uint8_t g_empty[1];

static void free_sym(void)
{
    for (size_t i = 0; i <= NUM_CIPHERS; i++) {
        EVP_CIPHER_free(g_sym.aead[i]);
    }
    for (size_t i = 0; i < NUM_KWP; i++) {
        EVP_CIPHER_free(g_sym.kwp[i]);
    }
    for (size_t i = 0; i <= NUM_HASHES; i++) {
        EVP_MD_free(g_sym.md[i]);
    }
    EVP_CIPHER_free(g_sym.siv);
    memset(&g_sym, 0, sizeof(g_sym));
}

static void fetch_sym(void)
{
    bool ok = true;

    for (size_t i = 1; i <= NUM_CIPHERS; i++) {
        ok &= (g_sym.aead[i] = EVP_CIPHER_fetch(NULL, g_cipher_names[i], NULL)) != NULL;
    }
    for (size_t i = 0; i < NUM_KWP; i++) {
        ok &= (g_sym.kwp[i] = EVP_CIPHER_fetch(NULL, g_kwp_names[i], NULL)) != NULL;
    }
    for (size_t i = 1; i <= NUM_HASHES; i++) {
        ok &= (g_sym.md[i] = EVP_MD_fetch(NULL, g_hashes[i].openssl, NULL)) != NULL;
    }
    ok &= (g_sym.siv = EVP_CIPHER_fetch(NULL, "AES-256-SIV", NULL)) != NULL;
    if (!ok) {
        free_sym();
        ERR_clear_error();
        return;
    }
    g_sym.ready = true;
}

bool ward_crypto_sym_ready(void)
{
    if (pthread_once(&g_sym_once, fetch_sym) != 0) {
        return false;
    }
    return g_sym.ready;
}

static bool hash_known(enum ward_hash h)
{
    return h >= WARD_HASH_SHA2_224 && h <= WARD_HASH_SHA3_512;
}

const EVP_MD *ward_crypto_md(enum ward_hash h)
{
    if (!hash_known(h) || !ward_crypto_sym_ready()) {
        return NULL;
    }
    return g_sym.md[h];
}

size_t ward_cipher_key_len(enum ward_cipher c)
{
    switch (c) {
    case WARD_CIPHER_AES128_GCM:
        return 16;
    case WARD_CIPHER_AES256_GCM:
    case WARD_CIPHER_CHACHA20_POLY1305:
        return 32;
    default:
        return 0;
    }
}

/* cipher_check refuses an unknown cipher and lengths beyond OpenSSL's int. */
static ward_err cipher_check(const struct ward_cipher_op *op)
{
    if (ward_cipher_key_len(op->cipher) == 0) {
        return WARD_E_INVALID;
    }
    if (op->in_len > (size_t)INT_MAX - WARD_CIPHER_TAG_LEN || op->aad_len > (size_t)INT_MAX) {
        return WARD_E_TOO_LARGE;
    }
    return WARD_OK;
}

/*
 * ctx_start makes a context of *cipher (a g_sym slot, read only once the
 * fetch is done) keyed with op's key and nonce (NULL for none) and feeds it
 * op's AAD: for SIV one associated-data string, and none when aad_len is 0.
 */
static ward_err ctx_start(EVP_CIPHER_CTX **out, EVP_CIPHER *const *cipher,
                          const struct ward_cipher_op *op, int enc)
{
    ward_err err = WARD_E_CRYPTO;
    EVP_CIPHER_CTX *ctx = NULL;
    int n = 0;

    *out = NULL;
    if (!ward_crypto_sym_ready()) {
        goto out;
    }
    if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    /* The AEADs default to a 12-byte IV, WARD_CIPHER_NONCE_LEN. */
    if (EVP_CipherInit_ex2(ctx, *cipher, op->key, op->nonce, enc, NULL) != 1) {
        goto out;
    }
    if (op->aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, op->aad, (int)op->aad_len) != 1) {
        goto out;
    }
    *out = ctx;
    ctx = NULL;
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    return err;
}

ward_err ward_cipher_seal(uint8_t *out, size_t out_cap, const struct ward_cipher_op *op)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_CIPHER_CTX *ctx = NULL;
    int n = 0;
    int fin = 0;

    if ((err = cipher_check(op)) != WARD_OK) {
        return err;
    }
    if (out_cap < op->in_len + WARD_CIPHER_TAG_LEN) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = ctx_start(&ctx, &g_sym.aead[op->cipher], op, 1)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_CRYPTO;
    if (op->in_len > 0 && EVP_EncryptUpdate(ctx, out, &n, op->in, (int)op->in_len) != 1) {
        goto out;
    }
    if (EVP_EncryptFinal_ex(ctx, out + n, &fin) != 1 || (size_t)n + (size_t)fin != op->in_len) {
        goto out;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WARD_CIPHER_TAG_LEN, out + op->in_len) !=
        1) {
        goto out;
    }
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, op->in_len + WARD_CIPHER_TAG_LEN);
        ERR_clear_error();
    }
    return err;
}

ward_err ward_cipher_open(uint8_t *out, size_t out_cap, const struct ward_cipher_op *op)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t tag[WARD_CIPHER_TAG_LEN];
    size_t pt_len;
    int n = 0;
    int fin = 0;

    if ((err = cipher_check(op)) != WARD_OK) {
        return err;
    }
    /* SECURITY: too short to hold a tag is as unauthentic as a wrong tag. */
    if (op->in_len < WARD_CIPHER_TAG_LEN) {
        return WARD_E_INTEGRITY;
    }
    pt_len = op->in_len - WARD_CIPHER_TAG_LEN;
    if (out_cap < pt_len) {
        return WARD_E_TOO_LARGE;
    }
    /* Copied first: when out == op->in, decryption must not meet the tag. */
    memcpy(tag, op->in + pt_len, sizeof(tag));
    if ((err = ctx_start(&ctx, &g_sym.aead[op->cipher], op, 0)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_CRYPTO;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WARD_CIPHER_TAG_LEN, tag) != 1) {
        goto out;
    }
    if (pt_len > 0 && EVP_DecryptUpdate(ctx, out, &n, op->in, (int)pt_len) != 1) {
        goto out;
    }
    if (EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1 || (size_t)n + (size_t)fin != pt_len) {
        err = WARD_E_INTEGRITY;
        goto out;
    }
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (err != WARD_OK) {
        /* SECURITY: unauthenticated plaintext never reaches the caller. */
        OPENSSL_cleanse(out, pt_len);
        ERR_clear_error();
    }
    return err;
}

/*
 * siv_check refuses lengths beyond OpenSSL's int and an empty plaintext
 * (pt_len 0): OpenSSL 3.0 computes the SIV inside its update, which it skips
 * for empty input, and then fails the final.
 */
static ward_err siv_check(size_t pt_len, size_t in_len, size_t aad_len)
{
    if (in_len > (size_t)INT_MAX - WARD_SIV_TAG_LEN || aad_len > (size_t)INT_MAX) {
        return WARD_E_TOO_LARGE;
    }
    return pt_len > 0 ? WARD_OK : WARD_E_INVALID;
}

/* NOLINTNEXTLINE(readability-function-size): seven parameters, as sym.h fixes them. */
ward_err ward_siv_seal(uint8_t *out, size_t out_cap, const uint8_t *key, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t *ct = out + WARD_SIV_TAG_LEN;
    const struct ward_cipher_op op = { .key = key, .aad = aad, .aad_len = aad_len };
    int n = 0;
    int fin = 0;

    if ((err = siv_check(in_len, in_len, aad_len)) != WARD_OK) {
        return err;
    }
    if (out_cap < in_len + WARD_SIV_TAG_LEN) {
        return WARD_E_TOO_LARGE;
    }
    /* Encrypting in place where the ciphertext goes lets out overlap in. */
    memmove(ct, in, in_len);
    if ((err = ctx_start(&ctx, &g_sym.siv, &op, 1)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_CRYPTO;
    if (EVP_EncryptUpdate(ctx, ct, &n, ct, (int)in_len) != 1) {
        goto out;
    }
    if (EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 || (size_t)n + (size_t)fin != in_len) {
        goto out;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WARD_SIV_TAG_LEN, out) != 1) {
        goto out;
    }
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, in_len + WARD_SIV_TAG_LEN);
        ERR_clear_error();
    }
    return err;
}

/* NOLINTNEXTLINE(readability-function-size): seven parameters, as sym.h fixes them. */
ward_err ward_siv_open(uint8_t *out, size_t out_cap, const uint8_t *key, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t in_len)
{
    ward_err err = WARD_E_INTERNAL;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t tag[WARD_SIV_TAG_LEN];
    const struct ward_cipher_op op = { .key = key, .aad = aad, .aad_len = aad_len };
    size_t pt_len;
    int n = 0;
    int fin = 0;

    if (in_len < WARD_SIV_TAG_LEN) {
        return WARD_E_INTEGRITY;
    }
    pt_len = in_len - WARD_SIV_TAG_LEN;
    if ((err = siv_check(pt_len, in_len, aad_len)) != WARD_OK) {
        return err;
    }
    if (out_cap < pt_len) {
        return WARD_E_TOO_LARGE;
    }
    /* Tag saved and ciphertext moved to out, then decrypted in place: out may overlap in. */
    memcpy(tag, in, sizeof(tag));
    memmove(out, in + WARD_SIV_TAG_LEN, pt_len);
    if ((err = ctx_start(&ctx, &g_sym.siv, &op, 0)) != WARD_OK) {
        goto out;
    }
    /* OpenSSL compares the tag at the end of the update below, so it may come after the AAD. */
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WARD_SIV_TAG_LEN, tag) != 1) {
        err = WARD_E_CRYPTO;
        goto out;
    }
    /* Past setup, any failure is the tag's: OpenSSL checks it inside the update. */
    err = WARD_E_INTEGRITY;
    if (EVP_DecryptUpdate(ctx, out, &n, out, (int)pt_len) != 1) {
        goto out;
    }
    if (EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1 || (size_t)n + (size_t)fin != pt_len) {
        goto out;
    }
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (err != WARD_OK) {
        /* SECURITY: unauthenticated plaintext never reaches the caller. */
        OPENSSL_cleanse(out, pt_len);
        ERR_clear_error();
    }
    return err;
}

bool ward_hash_from_name(enum ward_hash *out, const char *name)
{
    for (int h = WARD_HASH_SHA2_224; h <= WARD_HASH_SHA3_512; h++) {
        if (strcmp(name, g_hashes[h].vault) == 0) {
            *out = (enum ward_hash)h;
            return true;
        }
    }
    return false;
}

const char *ward_hash_name(enum ward_hash h)
{
    return g_hashes[hash_known(h) ? h : 0].vault;
}

size_t ward_hash_len(enum ward_hash h)
{
    return g_hashes[hash_known(h) ? h : 0].len;
}

ward_err ward_hash(uint8_t out[WARD_HASH_MAX_LEN], enum ward_hash h, const uint8_t *in,
                   size_t in_len)
{
    const EVP_MD *md;

    if (!hash_known(h)) {
        return WARD_E_INVALID;
    }
    if ((md = ward_crypto_md(h)) == NULL) {
        return WARD_E_CRYPTO;
    }
    if (EVP_Digest(in_len > 0 ? in : g_empty, in_len, out, NULL, md, NULL) != 1) {
        ERR_clear_error();
        return WARD_E_CRYPTO;
    }
    return WARD_OK;
}

/* One HMAC computation: the digest context and the hash it runs. */
struct hmac_run {
    EVP_MD_CTX *ctx;
    const EVP_MD *md;
    size_t block;
};

/*
 * hmac_digest hashes a then b (b_len 0: none) into out with a fresh digest
 * of r->md: the EVP_MD fetched at init, no fetch by name per call.
 */
static bool hmac_digest(const struct hmac_run *r, uint8_t *out, const uint8_t *a, size_t a_len,
                        const uint8_t *b, size_t b_len)
{
    return EVP_DigestInit_ex(r->ctx, r->md, NULL) == 1 && EVP_DigestUpdate(r->ctx, a, a_len) == 1 &&
           (b_len == 0 || EVP_DigestUpdate(r->ctx, b, b_len) == 1) &&
           EVP_DigestFinal_ex(r->ctx, out, NULL) == 1;
}

/* hmac_pad writes K' ^ x for the r->block bytes of K' (the key padded, or its hash). */
static bool hmac_pad(const struct hmac_run *r, uint8_t *pad, uint8_t x, const uint8_t *key,
                     size_t key_len)
{
    uint8_t k[WARD_HMAC_MAX_BLOCK];
    bool ok = true;

    memset(k, 0, r->block);
    if (key_len > r->block) {
        ok = hmac_digest(r, k, key, key_len, NULL, 0);
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < r->block; i++) {
        pad[i] = k[i] ^ x;
    }
    OPENSSL_cleanse(k, sizeof(k));
    return ok;
}

/*
 * HMAC (RFC 2104) over the hash fetched at init:
 * H((K' ^ opad) || H((K' ^ ipad) || in)), K' the key padded to the hash's
 * block size (hashed first if longer). OpenSSL's EVP_MAC looks the digest
 * up by name on every init (a lock and a table walk, most of an HMAC of a
 * short message): this does the same arithmetic with the EVP_MD fetched
 * once. Cross-checked against EVP_MAC in sym_test.c for every hash and key
 * length around the block size.
 */
ward_err ward_crypto_hmac_any(uint8_t *out, enum ward_hash h, const uint8_t *key, size_t key_len,
                              const uint8_t *in, size_t in_len)
{
    uint8_t pad[WARD_HMAC_MAX_BLOCK];
    uint8_t inner[WARD_HASH_MAX_LEN];
    struct hmac_run r = { NULL, NULL, 0 };
    bool ok;

    if (!hash_known(h)) {
        return WARD_E_INVALID;
    }
    if (ward_crypto_sym_ready()) {
        r.md = g_sym.md[h];
        r.block = (size_t)EVP_MD_get_block_size(r.md);
        r.ctx = r.block > 0 && r.block <= sizeof(pad) ? EVP_MD_CTX_new() : NULL;
    }
    ok = r.ctx != NULL && hmac_pad(&r, pad, 0x36, key, key_len) &&
         hmac_digest(&r, inner, pad, r.block, in_len > 0 ? in : g_empty, in_len) &&
         hmac_pad(&r, pad, 0x5c, key, key_len) &&
         hmac_digest(&r, out, pad, r.block, inner, g_hashes[h].len);
    EVP_MD_CTX_free(r.ctx); /* cleanses the digest state */
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(inner, sizeof(inner));
    if (!ok) {
        OPENSSL_cleanse(out, g_hashes[h].len);
        ERR_clear_error();
        return WARD_E_CRYPTO;
    }
    return WARD_OK;
}

ward_err ward_hmac(uint8_t out[WARD_HASH_MAX_LEN], enum ward_hash h, const uint8_t *key,
                   size_t key_len, const uint8_t *in, size_t in_len)
{
    if (key_len == 0) {
        return WARD_E_INVALID;
    }
    return ward_crypto_hmac_any(out, h, key, key_len, in, in_len);
}

/*
 * kwp_run wraps (enc 1) or unwraps (enc 0) in under key and appends the
 * result to out; the caller has checked every length. One update does the
 * whole job: OpenSSL's wrap ciphers take all input at once.
 */
static ward_err kwp_run(struct ward_buf *out, const uint8_t *key, size_t key_len, const uint8_t *in,
                        size_t in_len, int enc)
{
    /* Wrapping pads to 8 bytes and adds the 8-byte ICV block; unwrapping at most removes it. */
    const size_t out_len = enc ? (in_len + 7) / 8 * 8 + KWP_ICV_LEN : in_len - KWP_ICV_LEN;
    const struct ward_cipher_op op = { .key = key };
    ward_err err = WARD_E_INTERNAL;
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t *dst = NULL;
    int n = 0;

    if ((err = ward_buf_reserve(out, out_len)) != WARD_OK) {
        goto out;
    }
    dst = out->data + out->len;
    /*
     * No EVP_CIPHER_CTX_FLAG_WRAP_ALLOW: OpenSSL 3.0 asks for it only on its
     * legacy path (EVP_aes_*_wrap_pad()), never for a fetched cipher.
     */
    if ((err = ctx_start(&ctx, &g_sym.kwp[key_len / 8 - 2], &op, enc)) != WARD_OK) {
        goto out;
    }
    /* SECURITY: past setup an unwrap fails only on its integrity check. */
    err = enc ? WARD_E_CRYPTO : WARD_E_INTEGRITY;
    if (EVP_CipherUpdate(ctx, dst, &n, in, (int)in_len) != 1 || n < 0 ||
        (enc && (size_t)n != out_len) || (size_t)n > out_len) {
        goto out;
    }
    out->len += (size_t)n;
    dst = NULL;
    err = WARD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (err != WARD_OK) {
        if (dst != NULL) {
            OPENSSL_cleanse(dst, out_len);
        }
        ERR_clear_error();
    }
    return err;
}

static bool kwp_key_ok(size_t key_len)
{
    return key_len == 16 || key_len == 24 || key_len == 32;
}

ward_err ward_kwp_wrap(struct ward_buf *out, const uint8_t *key, size_t key_len, const uint8_t *in,
                       size_t in_len)
{
    if (!kwp_key_ok(key_len) || in_len == 0) {
        return WARD_E_INVALID;
    }
    if (in_len > KWP_MAX_IN_LEN) {
        return WARD_E_TOO_LARGE;
    }
    return kwp_run(out, key, key_len, in, in_len, 1);
}

ward_err ward_kwp_unwrap(struct ward_buf *out, const uint8_t *key, size_t key_len,
                         const uint8_t *in, size_t in_len)
{
    if (!kwp_key_ok(key_len)) {
        return WARD_E_INVALID;
    }
    if (in_len > KWP_MAX_IN_LEN + KWP_ICV_LEN) {
        return WARD_E_TOO_LARGE;
    }
    /* SECURITY: a length no wrap can produce fails like a wrong key. */
    if (in_len < 2 * KWP_ICV_LEN || in_len % 8 != 0) {
        return WARD_E_INTEGRITY;
    }
    return kwp_run(out, key, key_len, in, in_len, 0);
}
