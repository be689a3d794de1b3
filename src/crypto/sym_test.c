/*
 * sym_test.c - AEAD ciphers, AES-256-SIV, SHA-2/SHA-3 hashes and HMACs, and
 * RFC 5649 key wrap.
 *
 * Vectors are published ones (FIPS 180-4 and FIPS 202 "abc", RFC 4231,
 * RFC 5649) or were computed with Python: AES-256-SIV from an S2V built on
 * AES-CMAC and AES-CTR (RFC 5297 section 2), so independent of OpenSSL's SIV
 * code, and the SHA-3 HMACs with hashlib's hmac.
 */
#include "sym.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/testutil.h"

static const enum ward_cipher g_ciphers[] = { WARD_CIPHER_AES128_GCM, WARD_CIPHER_AES256_GCM,
                                              WARD_CIPHER_CHACHA20_POLY1305 };

#define NUM_CIPHERS (sizeof(g_ciphers) / sizeof(g_ciphers[0]))

static int setup(void **state)
{
    (void)state;
    return ward_crypto_init() == WARD_OK ? 0 : -1;
}

static void test_cipher_key_len(void **state)
{
    (void)state;
    assert_int_equal(ward_cipher_key_len(WARD_CIPHER_AES128_GCM), 16);
    assert_int_equal(ward_cipher_key_len(WARD_CIPHER_AES256_GCM), 32);
    assert_int_equal(ward_cipher_key_len(WARD_CIPHER_CHACHA20_POLY1305), 32);
    assert_int_equal(ward_cipher_key_len((enum ward_cipher)0), 0);
    assert_int_equal(ward_cipher_key_len((enum ward_cipher)4), 0);
}

static void test_cipher_round_trip(void **state)
{
    uint8_t key[32];
    uint8_t nonce[WARD_CIPHER_NONCE_LEN] = { 7 };
    const uint8_t msg[] = "a message of some length, longer than one block";
    uint8_t ct[sizeof(msg) + WARD_CIPHER_TAG_LEN];
    uint8_t pt[sizeof(msg)];
    uint8_t other[sizeof(ct)];
    struct ward_cipher_op op = {
        .key = key, .nonce = nonce, .aad = (const uint8_t *)"aad", .aad_len = 3, .in = msg
    };

    (void)state;
    memset(key, 0x42, sizeof(key));
    for (size_t i = 0; i < NUM_CIPHERS; i++) {
        op.cipher = g_ciphers[i];
        op.in = msg;
        op.in_len = sizeof(msg);
        assert_int_equal(ward_cipher_seal(ct, sizeof(ct), &op), WARD_OK);
        assert_memory_not_equal(ct, msg, sizeof(msg));
        op.in = ct;
        op.in_len = sizeof(ct);
        assert_int_equal(ward_cipher_open(pt, sizeof(pt), &op), WARD_OK);
        assert_memory_equal(pt, msg, sizeof(msg));
        /* In place: out == in, both ways. */
        memcpy(other, msg, sizeof(msg));
        op.in = other;
        op.in_len = sizeof(msg);
        assert_int_equal(ward_cipher_seal(other, sizeof(other), &op), WARD_OK);
        assert_memory_equal(other, ct, sizeof(ct));
        op.in_len = sizeof(ct);
        assert_int_equal(ward_cipher_open(other, sizeof(other), &op), WARD_OK);
        assert_memory_equal(other, msg, sizeof(msg));
        /* Empty plaintext: just a tag, still authenticated. */
        op.in = NULL;
        op.in_len = 0;
        assert_int_equal(ward_cipher_seal(ct, WARD_CIPHER_TAG_LEN, &op), WARD_OK);
        op.in = ct;
        op.in_len = WARD_CIPHER_TAG_LEN;
        assert_int_equal(ward_cipher_open(pt, 0, &op), WARD_OK);
        ct[0] ^= 1;
        assert_int_equal(ward_cipher_open(pt, 0, &op), WARD_E_INTEGRITY);
    }
}

/* AES-256-GCM through ward_cipher_* is ward_aead_* exactly. */
static void test_cipher_matches_aead(void **state)
{
    uint8_t key[32] = { 1, 2, 3 };
    uint8_t nonce[12] = { 4, 5, 6 };
    uint8_t a[16 + WARD_AEAD_TAG_LEN];
    uint8_t b[sizeof(a)];
    const struct ward_aead_op aop = {
        .key = key, .nonce = nonce, .in = (const uint8_t *)"sixteen bytes!!!", .in_len = 16
    };
    const struct ward_cipher_op cop = {
        .cipher = WARD_CIPHER_AES256_GCM, .key = key, .nonce = nonce, .in = aop.in, .in_len = 16
    };

    (void)state;
    assert_int_equal(ward_aead_seal(a, sizeof(a), &aop), WARD_OK);
    assert_int_equal(ward_cipher_seal(b, sizeof(b), &cop), WARD_OK);
    assert_memory_equal(a, b, sizeof(a));
}

/* Every single-bit flip of ciphertext, tag or AAD is refused, and out is wiped. */
static void test_cipher_tamper(void **state)
{
    uint8_t key[32] = { 9 };
    uint8_t nonce[WARD_CIPHER_NONCE_LEN] = { 0 };
    static const uint8_t aad[4] = { 'p', 'a', 't', 'h' };
    static const uint8_t bad_aad[4] = { 'P', 'a', 't', 'h' };
    uint8_t ct[8 + WARD_CIPHER_TAG_LEN];
    uint8_t pt[8];
    struct ward_cipher_op op = { .key = key,
                                 .nonce = nonce,
                                 .aad = aad,
                                 .aad_len = sizeof(aad),
                                 .in = (const uint8_t *)"8 bytes!" };

    (void)state;
    for (size_t c = 0; c < NUM_CIPHERS; c++) {
        op.cipher = g_ciphers[c];
        op.in = (const uint8_t *)"8 bytes!";
        op.in_len = 8;
        assert_int_equal(ward_cipher_seal(ct, sizeof(ct), &op), WARD_OK);
        op.in = ct;
        op.in_len = sizeof(ct);
        for (size_t bit = 0; bit < 8 * sizeof(ct); bit += 7) {
            ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            memset(pt, 0xaa, sizeof(pt));
            assert_int_equal(ward_cipher_open(pt, sizeof(pt), &op), WARD_E_INTEGRITY);
            assert_true(ward_crypto_test_all_zero(pt, sizeof(pt)));
            ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        op.aad = bad_aad;
        assert_int_equal(ward_cipher_open(pt, sizeof(pt), &op), WARD_E_INTEGRITY);
        op.aad = aad;
        assert_int_equal(ward_cipher_open(pt, sizeof(pt), &op), WARD_OK);
    }
}

static void test_cipher_errors(void **state)
{
    uint8_t key[32] = { 0 };
    uint8_t nonce[12] = { 0 };
    uint8_t buf[64] = { 0 };
    struct ward_cipher_op op = {
        .cipher = (enum ward_cipher)9, .key = key, .nonce = nonce, .in = buf, .in_len = 16
    };

    (void)state;
    assert_int_equal(ward_cipher_seal(buf, sizeof(buf), &op), WARD_E_INVALID);
    assert_int_equal(ward_cipher_open(buf, sizeof(buf), &op), WARD_E_INVALID);
    op.cipher = WARD_CIPHER_CHACHA20_POLY1305;
    assert_int_equal(ward_cipher_seal(buf, 16 + WARD_CIPHER_TAG_LEN - 1, &op), WARD_E_TOO_LARGE);
    op.in_len = WARD_CIPHER_TAG_LEN - 1;
    assert_int_equal(ward_cipher_open(buf, sizeof(buf), &op), WARD_E_INTEGRITY);
    op.in_len = 40;
    assert_int_equal(ward_cipher_open(buf, 40 - WARD_CIPHER_TAG_LEN - 1, &op), WARD_E_TOO_LARGE);
    op.in_len = (size_t)1 << 40;
    assert_int_equal(ward_cipher_seal(buf, sizeof(buf), &op), WARD_E_TOO_LARGE);
}

/* Key bytes 0x00..0x3f, as the Python reference computed. */
static void siv_key(uint8_t key[WARD_SIV_KEY_LEN])
{
    for (size_t i = 0; i < WARD_SIV_KEY_LEN; i++) {
        key[i] = (uint8_t)i;
    }
}

static void test_siv_vectors(void **state)
{
    static const char pt[] = "Ward AES-SIV self-test";
    uint8_t key[WARD_SIV_KEY_LEN];
    uint8_t want[16 + sizeof(pt) - 1];
    uint8_t got[sizeof(want)];
    uint8_t back[sizeof(pt) - 1];

    (void)state;
    siv_key(key);
    ward_crypto_test_unhex(want, sizeof(want),
                           "7bc88958d9e6fb426d9f6f7c9aed953d5f49a12643cb008c9c6ffd384c74a676bef6d7"
                           "aadbbf");
    assert_int_equal(ward_siv_seal(got, sizeof(got), key, (const uint8_t *)"ward aad", 8,
                                   (const uint8_t *)pt, sizeof(pt) - 1),
                     WARD_OK);
    assert_memory_equal(got, want, sizeof(want));
    assert_int_equal(
        ward_siv_open(back, sizeof(back), key, (const uint8_t *)"ward aad", 8, got, sizeof(got)),
        WARD_OK);
    assert_memory_equal(back, pt, sizeof(back));
    /* No associated data at all. */
    ward_crypto_test_unhex(want, sizeof(want),
                           "36e0d32ef5510a2b2b388278df34c22f58787ce3c82e6bffabe83c5a9ff9bb51bdd230"
                           "275949");
    assert_int_equal(
        ward_siv_seal(got, sizeof(got), key, NULL, 0, (const uint8_t *)pt, sizeof(pt) - 1),
        WARD_OK);
    assert_memory_equal(got, want, sizeof(want));
    /* Empty plaintext: OpenSSL 3.0 cannot, so both ways refuse it. */
    assert_int_equal(ward_siv_seal(got, 16, key, NULL, 0, NULL, 0), WARD_E_INVALID);
    assert_int_equal(ward_siv_open(back, 0, key, NULL, 0, got, 16), WARD_E_INVALID);
}

static void test_siv_deterministic_and_in_place(void **state)
{
    uint8_t key[WARD_SIV_KEY_LEN];
    const uint8_t msg[40] = "forty bytes of deterministic plaintext.";
    uint8_t a[16 + sizeof(msg)];
    uint8_t b[sizeof(a)];
    uint8_t c[sizeof(a)];

    (void)state;
    siv_key(key);
    assert_int_equal(ward_siv_seal(a, sizeof(a), key, (const uint8_t *)"x", 1, msg, sizeof(msg)),
                     WARD_OK);
    assert_int_equal(ward_siv_seal(b, sizeof(b), key, (const uint8_t *)"x", 1, msg, sizeof(msg)),
                     WARD_OK);
    assert_memory_equal(a, b, sizeof(a));
    assert_int_equal(ward_siv_seal(c, sizeof(c), key, (const uint8_t *)"y", 1, msg, sizeof(msg)),
                     WARD_OK);
    assert_memory_not_equal(a, c, sizeof(a));
    /* out == in: the plaintext at the start of the buffer becomes tag || ciphertext. */
    memcpy(c, msg, sizeof(msg));
    assert_int_equal(ward_siv_seal(c, sizeof(c), key, (const uint8_t *)"x", 1, c, sizeof(msg)),
                     WARD_OK);
    assert_memory_equal(c, a, sizeof(a));
    assert_int_equal(ward_siv_open(c, sizeof(c), key, (const uint8_t *)"x", 1, c, sizeof(c)),
                     WARD_OK);
    assert_memory_equal(c, msg, sizeof(msg));
}

static void test_siv_tamper_and_errors(void **state)
{
    uint8_t key[WARD_SIV_KEY_LEN];
    const uint8_t msg[20] = "twenty bytes, really";
    uint8_t ct[16 + sizeof(msg)];
    uint8_t pt[sizeof(msg)];

    (void)state;
    siv_key(key);
    assert_int_equal(ward_siv_seal(ct, sizeof(ct), key, (const uint8_t *)"ad", 2, msg, sizeof(msg)),
                     WARD_OK);
    for (size_t i = 0; i < sizeof(ct); i += 5) {
        ct[i] ^= 0x10;
        memset(pt, 0xaa, sizeof(pt));
        assert_int_equal(
            ward_siv_open(pt, sizeof(pt), key, (const uint8_t *)"ad", 2, ct, sizeof(ct)),
            WARD_E_INTEGRITY);
        assert_true(ward_crypto_test_all_zero(pt, sizeof(pt)));
        ct[i] ^= 0x10;
    }
    assert_int_equal(ward_siv_open(pt, sizeof(pt), key, (const uint8_t *)"aD", 2, ct, sizeof(ct)),
                     WARD_E_INTEGRITY);
    assert_int_equal(ward_siv_open(pt, sizeof(pt), key, NULL, 0, ct, sizeof(ct)), WARD_E_INTEGRITY);
    assert_int_equal(ward_siv_open(pt, sizeof(pt), key, NULL, 0, ct, 15), WARD_E_INTEGRITY);
    assert_int_equal(
        ward_siv_open(pt, sizeof(pt) - 1, key, (const uint8_t *)"ad", 2, ct, sizeof(ct)),
        WARD_E_TOO_LARGE);
    assert_int_equal(ward_siv_seal(ct, sizeof(ct) - 1, key, NULL, 0, msg, sizeof(msg)),
                     WARD_E_TOO_LARGE);
}

struct hash_vec {
    const char *name;
    enum ward_hash h;
    size_t len;
    const char *abc;  /* digest of "abc" */
    const char *hmac; /* RFC 4231 test case 2 ("Jefe") */
};

static const struct hash_vec g_hash_vecs[] = {
    { "sha2-224", WARD_HASH_SHA2_224, 28,
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
      "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
    { "sha2-256", WARD_HASH_SHA2_256, 32,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { "sha2-384", WARD_HASH_SHA2_384, 48,
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c8"
      "25a7",
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab2"
      "1649" },
    { "sha2-512", WARD_HASH_SHA2_512, 64,
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
      "ebbd454d4423643ce80e2a9ac94fa54ca49f",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0"
      "e6fdcaeab1a34d4a6b4b636e070a38bce737" },
    { "sha3-224", WARD_HASH_SHA3_224, 28,
      "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
      "7fdb8dd88bd2f60d1b798634ad386811c2cfc85bfaf5d52bbace5e66" },
    { "sha3-256", WARD_HASH_SHA3_256, 32,
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
      "c7d4072e788877ae3596bbb0da73b887c9171f93095b294ae857fbe2645e1ba5" },
    { "sha3-384", WARD_HASH_SHA3_384, 48,
      "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf22837"
      "6d25",
      "f1101f8cbf9766fd6764d2ed61903f21ca9b18f57cf3e1a23ca13508a93243ce48c045dc007f26a21b3f5e0e9df4"
      "c20a" },
    { "sha3-512", WARD_HASH_SHA3_512, 64,
      "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3"
      "934057340b4cf408d5a56592f8274eec53f0",
      "5a4bfeab6166427c7a3647b747292b8384537cdb89afb3bf5665e4c5e709350b287baec921fd7ca0ee7a0c31d022"
      "a95e1fc92ba9d77df883960275beb4e62024" },
};

#define NUM_HASH_VECS (sizeof(g_hash_vecs) / sizeof(g_hash_vecs[0]))

static void test_hash_names(void **state)
{
    enum ward_hash h = WARD_HASH_SHA2_256;

    (void)state;
    for (size_t i = 0; i < NUM_HASH_VECS; i++) {
        assert_true(ward_hash_from_name(&h, g_hash_vecs[i].name));
        assert_int_equal(h, g_hash_vecs[i].h);
        assert_string_equal(ward_hash_name(h), g_hash_vecs[i].name);
        assert_int_equal(ward_hash_len(h), g_hash_vecs[i].len);
    }
    h = WARD_HASH_SHA2_256;
    assert_false(ward_hash_from_name(&h, "sha256"));
    assert_false(ward_hash_from_name(&h, "SHA2-256"));
    assert_false(ward_hash_from_name(&h, ""));
    assert_int_equal(h, WARD_HASH_SHA2_256);
    assert_string_equal(ward_hash_name((enum ward_hash)0), "");
    assert_string_equal(ward_hash_name((enum ward_hash)9), "");
    assert_int_equal(ward_hash_len((enum ward_hash)9), 0);
}

static void test_hash_and_hmac_vectors(void **state)
{
    static const char key[] = "Jefe";
    static const char data[] = "what do ya want for nothing?";
    uint8_t want[WARD_HASH_MAX_LEN];
    uint8_t got[WARD_HASH_MAX_LEN];

    (void)state;
    for (size_t i = 0; i < NUM_HASH_VECS; i++) {
        const struct hash_vec *v = &g_hash_vecs[i];

        ward_crypto_test_unhex(want, v->len, v->abc);
        assert_int_equal(ward_hash(got, v->h, (const uint8_t *)"abc", 3), WARD_OK);
        assert_memory_equal(got, want, v->len);
        ward_crypto_test_unhex(want, v->len, v->hmac);
        assert_int_equal(ward_hmac(got, v->h, (const uint8_t *)key, strlen(key),
                                   (const uint8_t *)data, strlen(data)),
                         WARD_OK);
        assert_memory_equal(got, want, v->len);
    }
    /* SHA-256 of the empty string: a NULL input of length 0 is fine. */
    ward_crypto_test_unhex(want, 32,
                           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(ward_hash(got, WARD_HASH_SHA2_256, NULL, 0), WARD_OK);
    assert_memory_equal(got, want, 32);
}

/* openssl_hmac is OpenSSL's own HMAC (EVP_MAC), the reference for ours. */
static void openssl_hmac(uint8_t *out, const char *digest, const uint8_t *key, size_t key_len,
                         const uint8_t *in, size_t in_len)
{
    size_t out_len = WARD_HASH_MAX_LEN;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2] = { OSSL_PARAM_construct_utf8_string("digest", (char *)digest, 0),
                             OSSL_PARAM_construct_end() };
    size_t n = 0;

    assert_int_equal(EVP_MAC_init(ctx, key, key_len, params), 1);
    assert_int_equal(EVP_MAC_update(ctx, in, in_len), 1);
    assert_int_equal(EVP_MAC_final(ctx, out, &n, out_len), 1);
    assert_int_equal(n, EVP_MAC_CTX_get_mac_size(ctx));
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

/*
 * Ward's HMAC (on the digests fetched once) equals OpenSSL's EVP_MAC for
 * every hash, for key lengths around every block size (64, 128, 136, 144,
 * 104, 72: keys shorter, equal and longer are padded or hashed) and
 * several message lengths.
 */
static void test_hmac_matches_openssl(void **state)
{
    static const struct {
        enum ward_hash h;
        const char *digest;
    } hs[] = {
        { WARD_HASH_SHA2_224, "SHA2-224" }, { WARD_HASH_SHA2_256, "SHA2-256" },
        { WARD_HASH_SHA2_384, "SHA2-384" }, { WARD_HASH_SHA2_512, "SHA2-512" },
        { WARD_HASH_SHA3_224, "SHA3-224" }, { WARD_HASH_SHA3_256, "SHA3-256" },
        { WARD_HASH_SHA3_384, "SHA3-384" }, { WARD_HASH_SHA3_512, "SHA3-512" },
    };

    static const size_t key_lens[] = { 1,   16,  32,  63,  64,  65,  71,  72,  73,  103, 104, 105,
                                       127, 128, 129, 135, 136, 137, 143, 144, 145, 200, 300 };
    static const size_t msg_lens[] = { 0, 1, 55, 56, 64, 200, 1000 };
    uint8_t key[300];
    uint8_t msg[1000];
    uint8_t got[WARD_HASH_MAX_LEN];
    uint8_t want[WARD_HASH_MAX_LEN];

    (void)state;
    assert_int_equal(ward_crypto_random(key, sizeof(key)), WARD_OK);
    assert_int_equal(ward_crypto_random(msg, sizeof(msg)), WARD_OK);
    for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
        size_t len = ward_hash_len(hs[i].h);

        for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
            for (size_t m = 0; m < sizeof(msg_lens) / sizeof(msg_lens[0]); m++) {
                assert_int_equal(ward_hmac(got, hs[i].h, key, key_lens[k], msg, msg_lens[m]),
                                 WARD_OK);
                openssl_hmac(want, hs[i].digest, key, key_lens[k], msg, msg_lens[m]);
                assert_memory_equal(got, want, len);
            }
        }
    }
}

static void test_hash_and_hmac_errors(void **state)
{
    uint8_t out[WARD_HASH_MAX_LEN];

    (void)state;
    assert_int_equal(ward_hash(out, (enum ward_hash)0, (const uint8_t *)"x", 1), WARD_E_INVALID);
    assert_int_equal(
        ward_hmac(out, (enum ward_hash)9, (const uint8_t *)"k", 1, (const uint8_t *)"x", 1),
        WARD_E_INVALID);
    assert_int_equal(ward_hmac(out, WARD_HASH_SHA2_256, NULL, 0, (const uint8_t *)"x", 1),
                     WARD_E_INVALID);
}

/* RFC 5649 section 6: both vectors use this 192-bit KEK. */
static const char g_kwp_kek[] = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

static void check_kwp_vector(const char *key_hex, size_t key_len, const char *wrapped_hex,
                             size_t wrapped_len)
{
    uint8_t kek[24];
    uint8_t key[32];
    uint8_t wrapped[40];
    struct ward_buf out;

    ward_crypto_test_unhex(kek, sizeof(kek), g_kwp_kek);
    ward_crypto_test_unhex(key, key_len, key_hex);
    ward_crypto_test_unhex(wrapped, wrapped_len, wrapped_hex);
    ward_buf_init(&out, 1024);
    assert_int_equal(ward_kwp_wrap(&out, kek, sizeof(kek), key, key_len), WARD_OK);
    assert_int_equal(out.len, wrapped_len);
    assert_memory_equal(out.data, wrapped, wrapped_len);
    ward_buf_reset(&out);
    assert_int_equal(ward_kwp_unwrap(&out, kek, sizeof(kek), wrapped, wrapped_len), WARD_OK);
    assert_int_equal(out.len, key_len);
    assert_memory_equal(out.data, key, key_len);
    /* Any flipped bit fails the integrity check and appends nothing. */
    for (size_t i = 0; i < wrapped_len; i++) {
        wrapped[i] ^= 0x01;
        assert_int_equal(ward_kwp_unwrap(&out, kek, sizeof(kek), wrapped, wrapped_len),
                         WARD_E_INTEGRITY);
        assert_int_equal(out.len, key_len);
        wrapped[i] ^= 0x01;
    }
    kek[0] ^= 1;
    assert_int_equal(ward_kwp_unwrap(&out, kek, sizeof(kek), wrapped, wrapped_len),
                     WARD_E_INTEGRITY);
    ward_buf_cleanup(&out);
}

static void test_kwp_rfc5649(void **state)
{
    (void)state;
    check_kwp_vector("c37b7e6492584340bed12207808941155068f738", 20,
                     "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a", 32);
    check_kwp_vector("466f7250617369", 7, "afbeb0f07dfbf5419200f2ccb50bb24f", 16);
}

static void test_kwp_round_trips(void **state)
{
    static const size_t key_lens[] = { 16, 24, 32 };
    static const size_t lens[] = { 1, 8, 9, 16, 31, 65536 };
    static uint8_t in[65536];
    uint8_t kek[32];
    struct ward_buf w;
    struct ward_buf u;

    (void)state;
    memset(kek, 0x5a, sizeof(kek));
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 7);
    }
    for (size_t k = 0; k < 3; k++) {
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            ward_buf_init(&w, 70000);
            ward_buf_init(&u, 70000);
            assert_int_equal(ward_kwp_wrap(&w, kek, key_lens[k], in, lens[l]), WARD_OK);
            assert_int_equal(w.len, (lens[l] + 7) / 8 * 8 + 8);
            assert_int_equal(ward_kwp_unwrap(&u, kek, key_lens[k], w.data, w.len), WARD_OK);
            assert_int_equal(u.len, lens[l]);
            assert_memory_equal(u.data, in, lens[l]);
            ward_buf_cleanup(&w);
            ward_buf_cleanup(&u);
        }
    }
}

static void test_kwp_errors(void **state)
{
    uint8_t kek[32] = { 0 };
    uint8_t in[24] = { 0 };
    struct ward_buf out;

    (void)state;
    ward_buf_init(&out, 1024);
    assert_int_equal(ward_kwp_wrap(&out, kek, 20, in, 8), WARD_E_INVALID);
    assert_int_equal(ward_kwp_unwrap(&out, kek, 0, in, 16), WARD_E_INVALID);
    assert_int_equal(ward_kwp_wrap(&out, kek, 32, in, 0), WARD_E_INVALID);
    assert_int_equal(ward_kwp_wrap(&out, kek, 32, in, 65537), WARD_E_TOO_LARGE);
    assert_int_equal(ward_kwp_unwrap(&out, kek, 32, in, 65536 + 16), WARD_E_TOO_LARGE);
    assert_int_equal(ward_kwp_unwrap(&out, kek, 32, in, 8), WARD_E_INTEGRITY);
    assert_int_equal(ward_kwp_unwrap(&out, kek, 32, in, 20), WARD_E_INTEGRITY);
    assert_int_equal(ward_kwp_unwrap(&out, kek, 32, in, 24), WARD_E_INTEGRITY);
    assert_int_equal(out.len, 0);
    ward_buf_cleanup(&out);
    /* The output buffer's max holds. */
    ward_buf_init(&out, 15);
    assert_int_equal(ward_kwp_wrap(&out, kek, 32, in, 8), WARD_E_TOO_LARGE);
    assert_int_equal(out.len, 0);
    ward_buf_cleanup(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cipher_key_len),
        cmocka_unit_test(test_cipher_round_trip),
        cmocka_unit_test(test_cipher_matches_aead),
        cmocka_unit_test(test_cipher_tamper),
        cmocka_unit_test(test_cipher_errors),
        cmocka_unit_test(test_siv_vectors),
        cmocka_unit_test(test_siv_deterministic_and_in_place),
        cmocka_unit_test(test_siv_tamper_and_errors),
        cmocka_unit_test(test_hash_names),
        cmocka_unit_test(test_hash_and_hmac_vectors),
        cmocka_unit_test(test_hash_and_hmac_errors),
        cmocka_unit_test(test_hmac_matches_openssl),
        cmocka_unit_test(test_kwp_rfc5649),
        cmocka_unit_test(test_kwp_round_trips),
        cmocka_unit_test(test_kwp_errors),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
