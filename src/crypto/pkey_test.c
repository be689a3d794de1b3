/*
 * pkey_test.c - key generation and loading, signatures (Ed25519, ECDSA,
 * RSA-PSS and PKCS#1 v1.5), RSA-OAEP and X25519 sealing.
 *
 * One key of each kind is generated once for the whole run (RSA-4096 is
 * slow). Fixed vectors: RFC 8032 section 7.1 test 1 (Ed25519), and an X25519
 * seal made independently with Python's cryptography package from the
 * RFC 7748 section 6.1 keys (recipient Alice, ephemeral Bob), following the
 * recipe in pkey.h.
 */
#include "pkey.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/testutil.h"

#define NUM_KINDS 6
#define BUF_MAX   (64 * 1024)

/* Generated once by setup; indexed by enum ward_pkey_kind. */
static struct ward_buf g_der[NUM_KINDS + 1];
static EVP_PKEY *g_key[NUM_KINDS + 1];

static int setup(void **state)
{
    (void)state;
    if (ward_crypto_init() != WARD_OK) {
        return -1;
    }
    for (int k = WARD_PKEY_ED25519; k <= NUM_KINDS; k++) {
        ward_buf_init(&g_der[k], BUF_MAX);
        if (ward_pkey_generate(&g_der[k], (enum ward_pkey_kind)k) != WARD_OK ||
            ward_pkey_load(&g_key[k], (enum ward_pkey_kind)k, g_der[k].data, g_der[k].len) !=
                WARD_OK) {
            return -1;
        }
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int k = WARD_PKEY_ED25519; k <= NUM_KINDS; k++) {
        ward_pkey_free(g_key[k]);
        ward_buf_cleanup(&g_der[k]);
    }
    return 0;
}

/* load_der loads any PKCS#8 key (X25519 too, which ward_pkey_load does not take). */
static EVP_PKEY *load_der(const char *hex, size_t len)
{
    uint8_t der[64];
    const unsigned char *p = der;
    EVP_PKEY *k;

    assert_true(len <= sizeof(der));
    ward_crypto_test_unhex(der, len, hex);
    k = d2i_AutoPrivateKey(NULL, &p, (long)len);
    assert_non_null(k);
    return k;
}

static void test_generate_and_load(void **state)
{
    static const enum ward_pkey_kind wrong[NUM_KINDS + 1] = {
        0,
        WARD_PKEY_P256,
        WARD_PKEY_P384,
        WARD_PKEY_P256,
        WARD_PKEY_RSA3072,
        WARD_PKEY_RSA4096,
        WARD_PKEY_RSA2048,
    };

    EVP_PKEY *k = NULL;
    struct ward_buf b;

    (void)state;
    for (int i = WARD_PKEY_ED25519; i <= NUM_KINDS; i++) {
        /* PKCS#8 DER: a SEQUENCE. */
        assert_true(g_der[i].len > 40 && g_der[i].data[0] == 0x30);
        assert_int_equal(ward_pkey_load(&k, wrong[i], g_der[i].data, g_der[i].len), WARD_E_INVALID);
        assert_null(k);
        assert_int_equal(ward_pkey_is_rsa((enum ward_pkey_kind)i), i >= WARD_PKEY_RSA2048);
    }
    /* Two generations differ. */
    ward_buf_init(&b, BUF_MAX);
    assert_int_equal(ward_pkey_generate(&b, WARD_PKEY_P256), WARD_OK);
    assert_false(b.len == g_der[WARD_PKEY_P256].len &&
                 memcmp(b.data, g_der[WARD_PKEY_P256].data, b.len) == 0);
    ward_buf_cleanup(&b);
    assert_int_equal(ward_pkey_generate(&b, (enum ward_pkey_kind)7), WARD_E_INVALID);
    assert_int_equal(ward_pkey_load(&k, (enum ward_pkey_kind)0, g_der[1].data, g_der[1].len),
                     WARD_E_INVALID);
}

/* ward_crypto_init started the secure heap, and a loaded key's private parts live there. */
static void test_private_parts_on_secure_heap(void **state)
{
    size_t before = CRYPTO_secure_used();
    EVP_PKEY *k = NULL;

    (void)state;
    assert_int_equal(CRYPTO_secure_malloc_initialized(), 1);
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_RSA2048, g_der[WARD_PKEY_RSA2048].data,
                                    g_der[WARD_PKEY_RSA2048].len),
                     WARD_OK);
    assert_true(CRYPTO_secure_used() > before);
    ward_pkey_free(k);
    assert_int_equal(CRYPTO_secure_used(), before);
}

static void test_load_bad_encoding(void **state)
{
    struct ward_buf *d = &g_der[WARD_PKEY_P256];
    uint8_t longer[512];
    EVP_PKEY *k = NULL;

    (void)state;
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_P256, (const uint8_t *)"junk", 4),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_P256, d->data, 0), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_P256, d->data, d->len - 1), WARD_E_BAD_ENCODING);
    memcpy(longer, d->data, d->len);
    longer[d->len] = 0;
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_P256, longer, d->len + 1), WARD_E_BAD_ENCODING);
    assert_null(k);
}

static void test_load_public(void **state)
{
    struct ward_buf pem;
    uint8_t *der = NULL;
    EVP_PKEY *k = NULL;
    EVP_PKEY *other = NULL;
    int kind = 0;
    int len;

    (void)state;
    for (int i = WARD_PKEY_ED25519; i <= NUM_KINDS; i++) {
        ward_buf_init(&pem, BUF_MAX);
        assert_int_equal(ward_pkey_public_pem(&pem, g_key[i]), WARD_OK);
        assert_true(pem.len > 26 && memcmp(pem.data, "-----BEGIN PUBLIC KEY-----", 26) == 0);
        assert_int_equal(ward_pkey_load_public(&k, &kind, pem.data, pem.len), WARD_OK);
        assert_int_equal(kind, i);
        assert_int_equal(EVP_PKEY_eq(k, g_key[i]), 1);
        ward_pkey_free(k);
        ward_buf_cleanup(&pem);
        /* The same as SubjectPublicKeyInfo DER. */
        len = i2d_PUBKEY(g_key[i], &der);
        assert_true(len > 0);
        assert_int_equal(ward_pkey_load_public(&k, &kind, der, (size_t)len), WARD_OK);
        assert_int_equal(kind, i);
        ward_pkey_free(k);
        assert_int_equal(ward_pkey_load_public(&k, &kind, der, (size_t)len - 1),
                         WARD_E_BAD_ENCODING);
        OPENSSL_free(der);
        der = NULL;
    }
    /* X25519 is kind 0; X448 and P-521 are not Ward's. */
    other = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    len = i2d_PUBKEY(other, &der);
    assert_int_equal(ward_pkey_load_public(&k, &kind, der, (size_t)len), WARD_OK);
    assert_int_equal(kind, 0);
    ward_pkey_free(k);
    OPENSSL_free(der);
    der = NULL;
    EVP_PKEY_free(other);
    other = EVP_PKEY_Q_keygen(NULL, NULL, "X448");
    len = i2d_PUBKEY(other, &der);
    assert_int_equal(ward_pkey_load_public(&k, &kind, der, (size_t)len), WARD_E_UNSUPPORTED);
    OPENSSL_free(der);
    der = NULL;
    EVP_PKEY_free(other);
    other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    len = i2d_PUBKEY(other, &der);
    assert_int_equal(ward_pkey_load_public(&k, &kind, der, (size_t)len), WARD_E_UNSUPPORTED);
    OPENSSL_free(der);
    EVP_PKEY_free(other);
    /* A private key is not a public key; PEM junk does not parse. */
    assert_int_equal(ward_pkey_load_public(&k, &kind, g_der[1].data, g_der[1].len),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(ward_pkey_load_public(&k, &kind, (const uint8_t *)"-----BEGIN junk", 15),
                     WARD_E_BAD_ENCODING);
    assert_null(k);
}

static const char g_ed_der[] =
    "302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

static void test_ed25519_rfc8032(void **state)
{
    uint8_t pub[32];
    uint8_t want[64];
    uint8_t der[48];
    struct ward_buf out;
    EVP_PKEY *k = NULL;
    struct ward_sign_op op = { .kind = WARD_PKEY_ED25519, .hash = (enum ward_hash)0 };
    bool valid = false;

    (void)state;
    ward_crypto_test_unhex(der, sizeof(der), g_ed_der);
    ward_crypto_test_unhex(pub, sizeof(pub),
                           "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    ward_crypto_test_unhex(want, sizeof(want),
                           "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb882"
                           "1590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assert_int_equal(ward_pkey_load(&k, WARD_PKEY_ED25519, der, sizeof(der)), WARD_OK);
    ward_buf_init(&out, BUF_MAX);
    assert_int_equal(ward_pkey_public_raw(&out, k), WARD_OK);
    assert_int_equal(out.len, 32);
    assert_memory_equal(out.data, pub, 32);
    ward_buf_reset(&out);
    op.key = k;
    assert_int_equal(ward_pkey_sign(&out, &op), WARD_OK);
    assert_int_equal(out.len, 64);
    assert_memory_equal(out.data, want, 64);
    assert_int_equal(ward_pkey_verify(&valid, &op, want, 64), WARD_OK);
    assert_true(valid);
    want[10] ^= 1;
    assert_int_equal(ward_pkey_verify(&valid, &op, want, 64), WARD_OK);
    assert_false(valid);
    /* Ed25519 is pure: no prehashed form. */
    op.prehashed = true;
    assert_int_equal(ward_pkey_sign(&out, &op), WARD_E_INVALID);
    assert_int_equal(ward_pkey_verify(&valid, &op, want, 64), WARD_E_INVALID);
    ward_buf_reset(&out);
    assert_int_equal(ward_pkey_public_raw(&out, g_key[WARD_PKEY_RSA2048]), WARD_E_INVALID);
    ward_buf_cleanup(&out);
    ward_pkey_free(k);
}

/* sign_verify signs op, checks the signature verifies and that another message does not. */
static void sign_verify(struct ward_sign_op *op, size_t *sig_len)
{
    struct ward_buf sig;
    bool valid = false;
    uint8_t other[WARD_HASH_MAX_LEN];
    const uint8_t *in = op->in;

    ward_buf_init(&sig, BUF_MAX);
    assert_int_equal(ward_pkey_sign(&sig, op), WARD_OK);
    assert_int_equal(ward_pkey_verify(&valid, op, sig.data, sig.len), WARD_OK);
    assert_true(valid);
    memcpy(other, op->in, op->in_len);
    other[0] ^= 1;
    op->in = other;
    assert_int_equal(ward_pkey_verify(&valid, op, sig.data, sig.len), WARD_OK);
    assert_false(valid);
    op->in = in;
    *sig_len = sig.len;
    ward_buf_cleanup(&sig);
}

/* sign_both signs msg with kind k and hash h, whole and (but for Ed25519) prehashed. */
static void sign_both(int k, int h)
{
    static const uint8_t msg[] = "a message to sign";
    uint8_t digest[WARD_HASH_MAX_LEN];
    struct ward_sign_op op = { .key = g_key[k],
                               .kind = (enum ward_pkey_kind)k,
                               .hash = (enum ward_hash)h,
                               .padding = (h % 2) ? WARD_SIG_PSS : WARD_SIG_PKCS1V15,
                               .in = msg,
                               .in_len = sizeof(msg) };
    size_t len = 0;

    sign_verify(&op, &len);
    if (k == WARD_PKEY_ED25519) {
        return;
    }
    assert_int_equal(ward_hash(digest, (enum ward_hash)h, msg, sizeof(msg)), WARD_OK);
    op.prehashed = true;
    op.in = digest;
    op.in_len = ward_hash_len((enum ward_hash)h);
    sign_verify(&op, &len);
}

static void test_sign_round_trips(void **state)
{
    (void)state;
    for (int k = WARD_PKEY_ED25519; k <= NUM_KINDS; k++) {
        for (int h = WARD_HASH_SHA2_224; h <= WARD_HASH_SHA3_512; h++) {
            /* RSA-4096 is slow: one hash of each family. */
            if (k != WARD_PKEY_RSA4096 || h == WARD_HASH_SHA2_256 || h == WARD_HASH_SHA3_512) {
                sign_both(k, h);
            }
        }
    }
}

/* A prehashed signature is the signature of the message: sign one way, verify the other. */
static void test_prehashed_matches_message(void **state)
{
    static const uint8_t msg[] = "prehash me";
    uint8_t digest[WARD_HASH_MAX_LEN];
    struct ward_buf sig;
    bool valid = false;
    struct ward_sign_op op = { .key = g_key[WARD_PKEY_RSA2048],
                               .kind = WARD_PKEY_RSA2048,
                               .hash = WARD_HASH_SHA2_384,
                               .padding = WARD_SIG_PSS,
                               .prehashed = true,
                               .in = digest,
                               .in_len = 48 };

    (void)state;
    assert_int_equal(ward_hash(digest, WARD_HASH_SHA2_384, msg, sizeof(msg)), WARD_OK);
    ward_buf_init(&sig, BUF_MAX);
    for (int k = WARD_PKEY_P256; k <= WARD_PKEY_RSA2048; k++) {
        op.key = g_key[k];
        op.kind = (enum ward_pkey_kind)k;
        op.prehashed = true;
        op.in = digest;
        op.in_len = 48;
        ward_buf_reset(&sig);
        assert_int_equal(ward_pkey_sign(&sig, &op), WARD_OK);
        op.prehashed = false;
        op.in = msg;
        op.in_len = sizeof(msg);
        assert_int_equal(ward_pkey_verify(&valid, &op, sig.data, sig.len), WARD_OK);
        assert_true(valid);
        /* The wrong length for the hash is the caller's error. */
        op.prehashed = true;
        op.in = digest;
        op.in_len = 32;
        assert_int_equal(ward_pkey_sign(&sig, &op), WARD_E_INVALID);
        assert_int_equal(ward_pkey_verify(&valid, &op, sig.data, sig.len), WARD_E_INVALID);
        assert_false(valid);
    }
    ward_buf_cleanup(&sig);
}

static void test_ecdsa_jws_and_der(void **state)
{
    static const uint8_t msg[] = "jws";
    static const size_t half[] = { 32, 48 };
    struct ward_buf raw;
    struct ward_buf der;
    bool valid = true;
    struct ward_sign_op op = { .hash = WARD_HASH_SHA2_256, .in = msg, .in_len = sizeof(msg) };

    (void)state;
    for (int i = 0; i < 2; i++) {
        op.key = g_key[WARD_PKEY_P256 + i];
        op.kind = (enum ward_pkey_kind)(WARD_PKEY_P256 + i);
        ward_buf_init(&raw, BUF_MAX);
        ward_buf_init(&der, BUF_MAX);
        /* Several signatures, so a short r or s (leading zero) is likely met in the raw form. */
        for (int n = 0; n < 8; n++) {
            ward_buf_reset(&raw);
            ward_buf_reset(&der);
            op.raw_ecdsa = true;
            assert_int_equal(ward_pkey_sign(&raw, &op), WARD_OK);
            assert_int_equal(raw.len, 2 * half[i]);
            assert_int_equal(ward_pkey_verify(&valid, &op, raw.data, raw.len), WARD_OK);
            assert_true(valid);
            assert_int_equal(ward_pkey_verify(&valid, &op, raw.data, raw.len - 1), WARD_OK);
            assert_false(valid);
            op.raw_ecdsa = false;
            assert_int_equal(ward_pkey_verify(&valid, &op, raw.data, raw.len), WARD_OK);
            assert_false(valid);
            assert_int_equal(ward_pkey_sign(&der, &op), WARD_OK);
            assert_true(der.data[0] == 0x30 && der.len <= 2 * half[i] + 9 && der.len != raw.len);
            assert_int_equal(ward_pkey_verify(&valid, &op, der.data, der.len), WARD_OK);
            assert_true(valid);
        }
        ward_buf_cleanup(&raw);
        ward_buf_cleanup(&der);
    }
}

static void test_pss_pkcs1_cross(void **state)
{
    static const uint8_t msg[] = "padding";
    struct ward_buf sig;
    bool valid = true;
    struct ward_sign_op op = { .key = g_key[WARD_PKEY_RSA3072],
                               .kind = WARD_PKEY_RSA3072,
                               .hash = WARD_HASH_SHA2_512,
                               .in = msg,
                               .in_len = sizeof(msg) };

    (void)state;
    ward_buf_init(&sig, BUF_MAX);
    for (int p = WARD_SIG_PSS; p <= WARD_SIG_PKCS1V15; p++) {
        op.padding = (enum ward_sig_padding)p;
        ward_buf_reset(&sig);
        assert_int_equal(ward_pkey_sign(&sig, &op), WARD_OK);
        assert_int_equal(sig.len, 384);
        op.padding = p == WARD_SIG_PSS ? WARD_SIG_PKCS1V15 : WARD_SIG_PSS;
        assert_int_equal(ward_pkey_verify(&valid, &op, sig.data, sig.len), WARD_OK);
        assert_false(valid);
        /* A different hash does not verify either. */
        op.padding = (enum ward_sig_padding)p;
        op.hash = WARD_HASH_SHA3_512;
        assert_int_equal(ward_pkey_verify(&valid, &op, sig.data, sig.len), WARD_OK);
        assert_false(valid);
        op.hash = WARD_HASH_SHA2_512;
    }
    ward_buf_cleanup(&sig);
}

static void test_verify_garbage(void **state)
{
    static const uint8_t msg[] = "m";
    uint8_t junk[600];
    bool valid;
    struct ward_sign_op op = {
        .hash = WARD_HASH_SHA2_256, .padding = WARD_SIG_PSS, .in = msg, .in_len = sizeof(msg)
    };

    (void)state;
    memset(junk, 0x30, sizeof(junk));
    for (int k = WARD_PKEY_ED25519; k <= NUM_KINDS; k++) {
        op.key = g_key[k];
        op.kind = (enum ward_pkey_kind)k;
        for (size_t len = 0; len < sizeof(junk); len += 37) {
            valid = true;
            assert_int_equal(ward_pkey_verify(&valid, &op, junk, len), WARD_OK);
            assert_false(valid);
        }
        valid = true;
        assert_int_equal(ward_pkey_verify(&valid, &op, NULL, 0), WARD_OK);
        assert_false(valid);
    }
}

static void test_op_errors(void **state)
{
    static const uint8_t msg[] = "m";
    struct ward_buf sig;
    bool valid = true;
    struct ward_sign_op op = { .key = g_key[WARD_PKEY_P256],
                               .kind = WARD_PKEY_P384,
                               .hash = WARD_HASH_SHA2_256,
                               .in = msg,
                               .in_len = sizeof(msg) };

    (void)state;
    ward_buf_init(&sig, BUF_MAX);
    assert_int_equal(ward_pkey_sign(&sig, &op), WARD_E_INVALID);
    assert_int_equal(ward_pkey_verify(&valid, &op, msg, 1), WARD_E_INVALID);
    op.kind = WARD_PKEY_P256;
    op.hash = (enum ward_hash)0;
    assert_int_equal(ward_pkey_sign(&sig, &op), WARD_E_INVALID);
    op.key = g_key[WARD_PKEY_RSA2048];
    op.kind = WARD_PKEY_RSA2048;
    op.hash = WARD_HASH_SHA2_256;
    op.padding = (enum ward_sig_padding)0;
    assert_int_equal(ward_pkey_sign(&sig, &op), WARD_E_INVALID);
    op.key = NULL;
    assert_int_equal(ward_pkey_sign(&sig, &op), WARD_E_INVALID);
    assert_int_equal(sig.len, 0);
    ward_buf_cleanup(&sig);
}

static void test_rsa_oaep(void **state)
{
    uint8_t msg[191];
    struct ward_buf ct;
    struct ward_buf pt;
    struct ward_buf pem;
    EVP_PKEY *pub = NULL;
    int kind = 0;

    (void)state;
    memset(msg, 0x61, sizeof(msg));
    ward_buf_init(&ct, BUF_MAX);
    ward_buf_init(&pt, BUF_MAX);
    ward_buf_init(&pem, BUF_MAX);
    /* Encrypt to the public key alone, as a client would. */
    assert_int_equal(ward_pkey_public_pem(&pem, g_key[WARD_PKEY_RSA2048]), WARD_OK);
    assert_int_equal(ward_pkey_load_public(&pub, &kind, pem.data, pem.len), WARD_OK);
    /* RSA-2048 with SHA-256: 256 - 2 * 32 - 2 = 190 bytes at most. */
    assert_int_equal(ward_rsa_oaep_encrypt(&ct, pub, msg, 191), WARD_E_TOO_LARGE);
    assert_int_equal(ct.len, 0);
    assert_int_equal(ward_rsa_oaep_encrypt(&ct, pub, msg, 190), WARD_OK);
    assert_int_equal(ct.len, 256);
    assert_int_equal(ward_rsa_oaep_decrypt(&pt, g_key[WARD_PKEY_RSA2048], ct.data, ct.len),
                     WARD_OK);
    assert_int_equal(pt.len, 190);
    assert_memory_equal(pt.data, msg, 190);
    ward_buf_reset(&pt);
    ct.data[100] ^= 1;
    assert_int_equal(ward_rsa_oaep_decrypt(&pt, g_key[WARD_PKEY_RSA2048], ct.data, ct.len),
                     WARD_E_INTEGRITY);
    assert_int_equal(pt.len, 0);
    assert_int_equal(ward_rsa_oaep_decrypt(&pt, g_key[WARD_PKEY_RSA2048], ct.data, 10),
                     WARD_E_INTEGRITY);
    /* Empty plaintext round trip. */
    ward_buf_reset(&ct);
    assert_int_equal(ward_rsa_oaep_encrypt(&ct, pub, NULL, 0), WARD_OK);
    assert_int_equal(ward_rsa_oaep_decrypt(&pt, g_key[WARD_PKEY_RSA2048], ct.data, ct.len),
                     WARD_OK);
    assert_int_equal(pt.len, 0);
    /* Not RSA. */
    assert_int_equal(ward_rsa_oaep_encrypt(&ct, g_key[WARD_PKEY_P256], msg, 1), WARD_E_INVALID);
    assert_int_equal(ward_rsa_oaep_decrypt(&pt, g_key[WARD_PKEY_ED25519], msg, 1), WARD_E_INVALID);
    ward_pkey_free(pub);
    ward_buf_cleanup(&ct);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&pem);
}

static void test_x25519_round_trip_and_tamper(void **state)
{
    static const uint8_t msg[] = "a 32-byte data key, or near it";
    EVP_PKEY *rcpt = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    struct ward_buf a;
    struct ward_buf b;
    struct ward_buf pt;

    (void)state;
    assert_non_null(rcpt);
    assert_non_null(other);
    ward_buf_init(&a, BUF_MAX);
    ward_buf_init(&b, BUF_MAX);
    ward_buf_init(&pt, BUF_MAX);
    assert_int_equal(ward_x25519_seal(&a, rcpt, msg, sizeof(msg)), WARD_OK);
    assert_int_equal(a.len, 32 + sizeof(msg) + 16);
    assert_int_equal(ward_x25519_seal(&b, rcpt, msg, sizeof(msg)), WARD_OK);
    /* A fresh ephemeral key each time. */
    assert_memory_not_equal(a.data, b.data, 32);
    assert_int_equal(ward_x25519_open(&pt, rcpt, a.data, a.len), WARD_OK);
    assert_int_equal(pt.len, sizeof(msg));
    assert_memory_equal(pt.data, msg, sizeof(msg));
    ward_buf_reset(&pt);
    for (size_t i = 0; i < a.len; i += 3) {
        a.data[i] ^= 0x04;
        assert_int_equal(ward_x25519_open(&pt, rcpt, a.data, a.len), WARD_E_INTEGRITY);
        assert_int_equal(pt.len, 0);
        a.data[i] ^= 0x04;
    }
    assert_int_equal(ward_x25519_open(&pt, other, a.data, a.len), WARD_E_INTEGRITY);
    assert_int_equal(ward_x25519_open(&pt, rcpt, a.data, 47), WARD_E_INTEGRITY);
    /* Empty plaintext seals to 48 bytes and opens to nothing. */
    ward_buf_reset(&b);
    assert_int_equal(ward_x25519_seal(&b, rcpt, NULL, 0), WARD_OK);
    assert_int_equal(b.len, 48);
    assert_int_equal(ward_x25519_open(&pt, rcpt, b.data, b.len), WARD_OK);
    assert_int_equal(pt.len, 0);
    /* Only X25519 keys. */
    assert_int_equal(ward_x25519_seal(&b, g_key[WARD_PKEY_ED25519], msg, 1), WARD_E_INVALID);
    assert_int_equal(ward_x25519_open(&pt, g_key[WARD_PKEY_P256], a.data, a.len), WARD_E_INVALID);
    EVP_PKEY_free(rcpt);
    EVP_PKEY_free(other);
    ward_buf_cleanup(&a);
    ward_buf_cleanup(&b);
    ward_buf_cleanup(&pt);
}

/* A seal made by Python's cryptography following pkey.h's recipe opens here. */
static void test_x25519_open_python_vector(void **state)
{
    uint8_t blob[32 + 32 + 16];
    EVP_PKEY *rcpt = load_der("302e020100300506032b656e0422042077076d0a7318a57d3c16c17251b26645"
                              "df4c2f87ebc0992ab177fba51db92c2a",
                              48);
    struct ward_buf pt;

    (void)state;
    ward_crypto_test_unhex(blob, sizeof(blob),
                           "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f66f502"
                           "083d5913d3a233eae55c9b58ca51bd3ac20df3eb878a33b94d1ae045238d68f4f8e6d5"
                           "fdb329b6a5060b9f5d27");
    ward_buf_init(&pt, BUF_MAX);
    assert_int_equal(ward_x25519_open(&pt, rcpt, blob, sizeof(blob)), WARD_OK);
    assert_int_equal(pt.len, 32);
    assert_memory_equal(pt.data, "wrap-for test key 32 bytes long!", 32);
    ward_buf_cleanup(&pt);
    EVP_PKEY_free(rcpt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_and_load),
        cmocka_unit_test(test_private_parts_on_secure_heap),
        cmocka_unit_test(test_load_bad_encoding),
        cmocka_unit_test(test_load_public),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_sign_round_trips),
        cmocka_unit_test(test_prehashed_matches_message),
        cmocka_unit_test(test_ecdsa_jws_and_der),
        cmocka_unit_test(test_pss_pkcs1_cross),
        cmocka_unit_test(test_verify_garbage),
        cmocka_unit_test(test_op_errors),
        cmocka_unit_test(test_rsa_oaep),
        cmocka_unit_test(test_x25519_round_trip_and_tamper),
        cmocka_unit_test(test_x25519_open_python_vector),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
