/*
 * crypto.c - initialisation, random bytes, AES-256-GCM, SHA-2, HMAC, HKDF and
 * Argon2id. AES-256-GCM and HMAC-SHA-256 are the AES256_GCM and SHA2_256 cases
 * of sym.c, so one implementation serves both headers.
 *
 * Keeper-side. Each call builds its own OpenSSL context and frees it before
 * returning (the free cleanses key schedules and HMAC pads), so no key
 * material outlives a call. Failures clear OpenSSL's thread-local error queue
 * so that a later, unrelated check does not see our leftovers.
 *
 * THREADS: every function may be called from any thread. g_algs is written
 * once, inside pthread_once (by ward_crypto_init or lazily by the first
 * call), and only read afterwards; the fetched OpenSSL objects are immutable
 * and safe to share. g_heap_err is written once, inside g_heap_once, by
 * ward_crypto_init.
 */
#include "crypto.h"

#include <argon2.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

/* OpenSSL 3.0's HKDF keeps info in a fixed 1024-byte buffer. */
#define HKDF_MAX_INFO_LEN 1024
#define HKDF_MAX_OUT_LEN  ((size_t)255 * WARD_SHA256_LEN)

/*
 * OpenSSL's secure heap, for the private BIGNUMs and X25519/Ed25519 scalars
 * of loaded keys: 1 MiB (some 150 RSA-4096 keys loaded at once), blocks of at
 * least 32 bytes (one X25519 or Ed25519 private key).
 */
#define SECURE_HEAP_LEN     ((size_t)8 << 20) /* holds the key cache's private keys */
#define SECURE_HEAP_MIN_LEN 32

/* Algorithms fetched once; all NULL if any fetch failed. Written only in fetch_algs. */
static struct {
    EVP_MD *sha256;
    EVP_MD *sha512;
    EVP_KDF *hkdf;
} g_algs;

static pthread_once_t g_algs_once = PTHREAD_ONCE_INIT;

/* Result of starting the secure heap; written only in start_secure_heap. */
static ward_err g_heap_err = WARD_E_INTERNAL;
static pthread_once_t g_heap_once = PTHREAD_ONCE_INIT;

/* Stands in for an empty key: OpenSSL reads a NULL key as "keep the old one". */
static const uint8_t g_empty[1];

static void fetch_algs(void)
{
    g_algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    g_algs.sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    g_algs.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (g_algs.sha256 == NULL || g_algs.sha512 == NULL || g_algs.hkdf == NULL) {
        EVP_MD_free(g_algs.sha256);
        EVP_MD_free(g_algs.sha512);
        EVP_KDF_free(g_algs.hkdf);
        memset(&g_algs, 0, sizeof(g_algs));
        ERR_clear_error();
    }
}

/* algs_ready fetches on first use; false if the provider lacks an algorithm. */
static bool algs_ready(void)
{
    if (pthread_once(&g_algs_once, fetch_algs) != 0) {
        return false;
    }
    return g_algs.sha256 != NULL;
}

/*
 * start_secure_heap turns on OpenSSL's secure heap unless someone in the
 * process already has. SECURITY: like struct ward_secret, Ward refuses
 * pageable key memory: if the arena cannot be mlocked (OpenSSL's result 2),
 * it is torn down again and init fails.
 */
static void start_secure_heap(void)
{
    int rc;

    if (CRYPTO_secure_malloc_initialized()) {
        g_heap_err = WARD_OK;
        return;
    }
    rc = CRYPTO_secure_malloc_init(SECURE_HEAP_LEN, SECURE_HEAP_MIN_LEN);
    if (rc == 2) {
        /* Nothing can have been allocated from it yet, so done cannot fail. */
        (void)CRYPTO_secure_malloc_done();
    }
    g_heap_err = rc == 1 ? WARD_OK : WARD_E_SYS;
    if (g_heap_err == WARD_OK) {
        /*
         * Instantiate this thread's DRBGs now, with the secure heap on, so
         * their state sits in it. (OpenSSL then keeps pointers to them only
         * in that arena, which LeakSanitizer does not scan: the sanitizer
         * runs suppress what ward_crypto_init allocates, tests/lsan.supp.)
         */
        uint8_t warm[1];

        if (RAND_bytes(warm, 1) != 1 || RAND_priv_bytes(warm, 1) != 1) {
            g_heap_err = WARD_E_CRYPTO;
        }
        OPENSSL_cleanse(warm, sizeof(warm));
    }
    ERR_clear_error();
}

ward_err ward_crypto_init(void)
{
    if (pthread_once(&g_heap_once, start_secure_heap) != 0) {
        return WARD_E_SYS;
    }
    if (g_heap_err != WARD_OK) {
        return g_heap_err;
    }
    return algs_ready() && ward_crypto_sym_ready() ? WARD_OK : WARD_E_CRYPTO;
}

ward_err ward_crypto_nonce(uint8_t out[12])
{
    /* this thread's nonce source */
    static _Thread_local uint8_t t_prefix[8];
    static _Thread_local uint32_t t_counter;
    static _Thread_local bool t_ready;
    ward_err err;

    if (!t_ready || t_counter == UINT32_MAX) {
        if ((err = ward_crypto_random(t_prefix, sizeof(t_prefix))) != WARD_OK) {
            return err;
        }
        t_counter = 0;
        t_ready = true;
    }
    t_counter++;
    memcpy(out, t_prefix, sizeof(t_prefix));
    out[8] = (uint8_t)(t_counter >> 24);
    out[9] = (uint8_t)(t_counter >> 16);
    out[10] = (uint8_t)(t_counter >> 8);
    out[11] = (uint8_t)t_counter;
    return WARD_OK;
}

ward_err ward_crypto_random(uint8_t *out, size_t out_len)
{
    while (out_len > 0) {
        size_t chunk = out_len < INT_MAX ? out_len : INT_MAX;

        if (RAND_bytes(out, (int)chunk) != 1) {
            ERR_clear_error();
            return WARD_E_CRYPTO;
        }
        out += chunk;
        out_len -= chunk;
    }
    return WARD_OK;
}

/* gcm_op is op as an AES-256-GCM operation of sym.c. */
static struct ward_cipher_op gcm_op(const struct ward_aead_op *op)
{
    return (struct ward_cipher_op){ .cipher = WARD_CIPHER_AES256_GCM,
                                    .key = op->key,
                                    .nonce = op->nonce,
                                    .aad = op->aad,
                                    .aad_len = op->aad_len,
                                    .in = op->in,
                                    .in_len = op->in_len };
}

ward_err ward_aead_seal(uint8_t *out, size_t out_cap, const struct ward_aead_op *op)
{
    const struct ward_cipher_op c = gcm_op(op);

    return ward_cipher_seal(out, out_cap, &c);
}

ward_err ward_aead_open(uint8_t *out, size_t out_cap, const struct ward_aead_op *op)
{
    const struct ward_cipher_op c = gcm_op(op);

    return ward_cipher_open(out, out_cap, &c);
}

/* digest hashes in with md; a void API, so a failing provider aborts. */
static void digest(uint8_t *out, const EVP_MD *md, const uint8_t *in, size_t in_len)
{
    WARD_CHECK(EVP_Digest(in_len > 0 ? in : g_empty, in_len, out, NULL, md, NULL) == 1);
}

void ward_sha256(uint8_t out[WARD_SHA256_LEN], const uint8_t *in, size_t in_len)
{
    WARD_CHECK(algs_ready());
    digest(out, g_algs.sha256, in, in_len);
}

void ward_sha512(uint8_t out[WARD_SHA512_LEN], const uint8_t *in, size_t in_len)
{
    WARD_CHECK(algs_ready());
    digest(out, g_algs.sha512, in, in_len);
}

ward_err ward_hmac_sha256(uint8_t out[WARD_SHA256_LEN], const uint8_t *key, size_t key_len,
                          const uint8_t *in, size_t in_len)
{
    return ward_crypto_hmac_any(out, WARD_HASH_SHA2_256, key, key_len, in, in_len);
}

ward_err ward_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len,
                          const uint8_t *info, size_t info_len)
{
    ward_err err = WARD_E_CRYPTO;
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[4];
    size_t np = 0;

    if (out_len == 0 || key_len == 0) {
        return WARD_E_INVALID;
    }
    if (out_len > HKDF_MAX_OUT_LEN || info_len > HKDF_MAX_INFO_LEN) {
        return WARD_E_TOO_LARGE;
    }
    if (!algs_ready()) {
        goto out;
    }
    if ((ctx = EVP_KDF_CTX_new(g_algs.hkdf)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    /* OpenSSL only reads through these casts. No salt: RFC 5869 then uses HashLen zeros. */
    params[np++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    params[np++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (info_len > 0) {
        params[np++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    params[np] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, out_len, params) != 1) {
        goto out;
    }
    err = WARD_OK;
out:
    EVP_KDF_CTX_free(ctx);
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, out_len);
        ERR_clear_error();
    }
    return err;
}

/* argon2_alloc routes libargon2's block memory through ward_alloc (tests can fail it). */
static int argon2_alloc(uint8_t **memory, size_t bytes)
{
    *memory = ward_alloc(bytes);
    return *memory != NULL ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

/* libargon2 has already wiped the blocks when it calls this. */
static void argon2_free(uint8_t *memory, size_t bytes)
{
    (void)bytes;
    ward_free(memory);
}

static ward_err argon2_map_err(int rc)
{
    switch (rc) {
    case ARGON2_OK:
        return WARD_OK;
    case ARGON2_MEMORY_ALLOCATION_ERROR:
        return WARD_E_NOMEM;
    case ARGON2_THREAD_FAIL:
        return WARD_E_SYS;
    case ARGON2_OUTPUT_TOO_LONG:
    case ARGON2_PWD_TOO_LONG:
    case ARGON2_SALT_TOO_LONG:
    case ARGON2_SECRET_TOO_LONG:
    case ARGON2_AD_TOO_LONG:
    case ARGON2_MEMORY_TOO_MUCH:
    case ARGON2_TIME_TOO_LARGE:
    case ARGON2_LANES_TOO_MANY:
    case ARGON2_THREADS_TOO_MANY:
        return WARD_E_TOO_LARGE;
    case ARGON2_DECODING_FAIL:
    case ARGON2_VERIFY_MISMATCH:
        return WARD_E_CRYPTO;
    default:
        /* Too short or too small a cost, missing input: the caller's parameters. */
        return WARD_E_INVALID;
    }
}

static bool fits_u32(size_t n)
{
    return n <= UINT32_MAX;
}

ward_err ward_crypto_argon2id_full(uint8_t *out, size_t out_len, const struct ward_argon2_params *p,
                                   const struct ward_crypto_argon2_in *in)
{
    argon2_context ctx;
    ward_err err = WARD_E_INTERNAL;

    if (!fits_u32(out_len) || !fits_u32(in->pwd_len) || !fits_u32(p->salt_len) ||
        !fits_u32(in->secret_len) || !fits_u32(in->ad_len)) {
        return WARD_E_TOO_LARGE;
    }
    if (p->salt_len < ARGON2_MIN_SALT_LENGTH || out_len < ARGON2_MIN_OUTLEN) {
        return WARD_E_INVALID;
    }
    /* libargon2 takes non-const inputs but, without the CLEAR flags, only reads them. */
    ctx = (argon2_context){
        .out = out,
        .outlen = (uint32_t)out_len,
        .pwd = (uint8_t *)in->pwd,
        .pwdlen = (uint32_t)in->pwd_len,
        .salt = (uint8_t *)p->salt,
        .saltlen = (uint32_t)p->salt_len,
        .secret = (uint8_t *)in->secret,
        .secretlen = (uint32_t)in->secret_len,
        .ad = (uint8_t *)in->ad,
        .adlen = (uint32_t)in->ad_len,
        .t_cost = p->t_cost,
        .m_cost = p->m_cost_kib,
        .lanes = p->parallelism,
        .threads = p->parallelism,
        .version = ARGON2_VERSION_13,
        .allocate_cbk = argon2_alloc,
        .free_cbk = argon2_free,
        .flags = ARGON2_DEFAULT_FLAGS,
    };
    err = argon2_map_err(argon2_ctx(&ctx, Argon2_id));
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, out_len);
    }
    return err;
}

ward_err ward_argon2id(uint8_t *out, size_t out_len, const struct ward_argon2_params *p,
                       const uint8_t *pwd, size_t pwd_len)
{
    const struct ward_crypto_argon2_in in = { .pwd = pwd, .pwd_len = pwd_len };

    return ward_crypto_argon2id_full(out, out_len, p, &in);
}

bool ward_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
