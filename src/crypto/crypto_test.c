/*
 * crypto_test.c - AES-256-GCM, hashes, HMAC, HKDF, Argon2id, random, ct_equal.
 *
 * Vectors are published ones (NIST GCM, RFC 4231, RFC 5869, RFC 9106) or were
 * computed independently with Python's cryptography package.
 */
#include "crypto.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/mem.h"
#include "crypto/crypto_int.h"
#include "crypto/testutil.h"

/* Seal and open on threads that race to the lazy fetch (no ward_crypto_init yet). */
static void *lazy_worker(void *arg)
{
    uint8_t key[WARD_AEAD_KEY_LEN] = { 1 };
    uint8_t nonce[WARD_AEAD_NONCE_LEN] = { 2 };
    uint8_t buf[8 + WARD_AEAD_TAG_LEN] = "8 bytes";
    struct ward_aead_op op = { .key = key, .nonce = nonce, .in = buf, .in_len = 8 };
    uintptr_t ok = 0;

    (void)arg;
    if (ward_aead_seal(buf, sizeof(buf), &op) == WARD_OK) {
        op.in_len = sizeof(buf);
        ok = ward_aead_open(buf, sizeof(buf), &op) == WARD_OK && ward_ct_equal(buf, "8 bytes", 8);
    }
    return (void *)ok;
}

static void test_works_without_init(void **state)
{
    pthread_t th[4];
    void *ok;

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, lazy_worker, NULL), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], &ok), 0);
        assert_true(ok == (void *)1);
    }
    assert_int_equal(ward_crypto_init(), WARD_OK);
    assert_int_equal(ward_crypto_init(), WARD_OK);
}

static void test_gcm_vector(void **state)
{
    uint8_t zero[32] = { 0 };
    uint8_t want[32];
    uint8_t out[32];
    struct ward_aead_op op = { .key = zero, .nonce = zero, .in = zero, .in_len = 16 };

    (void)state;
    /* GCM spec test case 14: AES-256, zero key, IV and 16-byte plaintext. */
    ward_crypto_test_unhex(want, 32,
                           "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
    assert_int_equal(ward_aead_seal(out, sizeof(out), &op), WARD_OK);
    assert_memory_equal(out, want, 32);
    op.in = out;
    op.in_len = 32;
    assert_int_equal(ward_aead_open(out, 16, &op), WARD_OK);
    assert_true(ward_crypto_test_all_zero(out, 16));
}

struct gcm_case {
    uint8_t key[WARD_AEAD_KEY_LEN];
    uint8_t nonce[WARD_AEAD_NONCE_LEN];
    uint8_t aad[40];
    uint8_t pt[1000];
    uint8_t ct[1000 + WARD_AEAD_TAG_LEN];
    uint8_t out[1000];
};

static void random_case(struct gcm_case *c)
{
    assert_int_equal(ward_crypto_random(c->key, sizeof(c->key)), WARD_OK);
    assert_int_equal(ward_crypto_random(c->nonce, sizeof(c->nonce)), WARD_OK);
    assert_int_equal(ward_crypto_random(c->aad, sizeof(c->aad)), WARD_OK);
    assert_int_equal(ward_crypto_random(c->pt, sizeof(c->pt)), WARD_OK);
}

static void test_gcm_round_trip(void **state)
{
    static const size_t lens[] = { 0, 1, 15, 16, 17, 64, 999, 1000 };
    static struct gcm_case c;
    struct ward_aead_op op = { .key = c.key, .nonce = c.nonce, .aad = c.aad, .in = c.pt };

    (void)state;
    random_case(&c);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        op.aad_len = i % 2 == 0 ? 0 : sizeof(c.aad);
        op.in = c.pt;
        op.in_len = lens[i];
        assert_int_equal(ward_aead_seal(c.ct, lens[i] + WARD_AEAD_TAG_LEN, &op), WARD_OK);
        if (lens[i] >=
            16) { /* shorter ones equal their plaintext by chance (1 in 256 for 1 byte) */
            assert_memory_not_equal(c.ct, c.pt, lens[i]);
        }
        op.in = c.ct;
        op.in_len = lens[i] + WARD_AEAD_TAG_LEN;
        memset(c.out, 0xaa, sizeof(c.out));
        assert_int_equal(ward_aead_open(c.out, lens[i], &op), WARD_OK);
        assert_memory_equal(c.out, c.pt, lens[i]);
    }
}

/* open_tampered expects op to fail with INTEGRITY and the whole output wiped. */
static void open_tampered(struct gcm_case *c, const struct ward_aead_op *op)
{
    memset(c->out, 0xaa, sizeof(c->out));
    assert_int_equal(ward_aead_open(c->out, sizeof(c->out), op), WARD_E_INTEGRITY);
    assert_true(ward_crypto_test_all_zero(c->out, op->in_len - WARD_AEAD_TAG_LEN));
}

static void test_gcm_tamper(void **state)
{
    static struct gcm_case c;
    struct ward_aead_op op = {
        .key = c.key, .nonce = c.nonce, .aad = c.aad, .aad_len = 40, .in = c.pt, .in_len = 100
    };
    const size_t ct_len = 100 + WARD_AEAD_TAG_LEN;

    (void)state;
    random_case(&c);
    assert_int_equal(ward_aead_seal(c.ct, sizeof(c.ct), &op), WARD_OK);
    op.in = c.ct;
    op.in_len = ct_len;
    assert_int_equal(ward_aead_open(c.out, sizeof(c.out), &op), WARD_OK);

    c.ct[50] ^= 0x01; /* ciphertext */
    open_tampered(&c, &op);
    c.ct[50] ^= 0x01;
    c.ct[ct_len - 1] ^= 0x80; /* tag */
    open_tampered(&c, &op);
    c.ct[ct_len - 1] ^= 0x80;
    c.aad[0] ^= 0x04; /* aad */
    open_tampered(&c, &op);
    op.aad_len = 39; /* shorter aad */
    c.aad[0] ^= 0x04;
    open_tampered(&c, &op);
    op.aad_len = 40;
    c.nonce[11] ^= 0x10; /* nonce */
    open_tampered(&c, &op);
    c.nonce[11] ^= 0x10;
    op.in_len = ct_len - 1; /* truncated */
    open_tampered(&c, &op);
    op.in_len = ct_len;
    c.key[0] ^= 1; /* key */
    open_tampered(&c, &op);
    c.key[0] ^= 1;
    assert_int_equal(ward_aead_open(c.out, sizeof(c.out), &op), WARD_OK);
    assert_memory_equal(c.out, c.pt, 100);
}

static void test_gcm_sizes(void **state)
{
    static struct gcm_case c;
    struct ward_aead_op op = { .key = c.key, .nonce = c.nonce, .in = c.pt, .in_len = 32 };

    (void)state;
    random_case(&c);
    assert_int_equal(ward_aead_seal(c.ct, 32 + WARD_AEAD_TAG_LEN - 1, &op), WARD_E_TOO_LARGE);
    assert_int_equal(ward_aead_seal(c.ct, 32 + WARD_AEAD_TAG_LEN, &op), WARD_OK);
    op.in = c.ct;
    op.in_len = 32 + WARD_AEAD_TAG_LEN;
    assert_int_equal(ward_aead_open(c.out, 31, &op), WARD_E_TOO_LARGE);
    assert_int_equal(ward_aead_open(c.out, 32, &op), WARD_OK);
    op.in_len = WARD_AEAD_TAG_LEN - 1;
    assert_int_equal(ward_aead_open(c.out, sizeof(c.out), &op), WARD_E_INTEGRITY);
    op.in_len = SIZE_MAX - 3; /* would wrap in_len + tag */
    assert_int_equal(ward_aead_seal(c.ct, SIZE_MAX, &op), WARD_E_TOO_LARGE);
    assert_int_equal(ward_aead_open(c.out, SIZE_MAX, &op), WARD_E_TOO_LARGE);
    op.in_len = 32;
    op.aad = c.aad;
    op.aad_len = (size_t)INT32_MAX + 1;
    assert_int_equal(ward_aead_seal(c.ct, sizeof(c.ct), &op), WARD_E_TOO_LARGE);
}

static void test_gcm_in_place(void **state)
{
    static struct gcm_case c;
    uint8_t buf[200 + WARD_AEAD_TAG_LEN];
    struct ward_aead_op op = {
        .key = c.key, .nonce = c.nonce, .aad = c.aad, .aad_len = 7, .in = c.pt, .in_len = 200
    };

    (void)state;
    random_case(&c);
    assert_int_equal(ward_aead_seal(c.ct, sizeof(c.ct), &op), WARD_OK);
    memcpy(buf, c.pt, 200);
    op.in = buf;
    assert_int_equal(ward_aead_seal(buf, sizeof(buf), &op), WARD_OK);
    assert_memory_equal(buf, c.ct, sizeof(buf));
    op.in_len = sizeof(buf);
    assert_int_equal(ward_aead_open(buf, sizeof(buf), &op), WARD_OK);
    assert_memory_equal(buf, c.pt, 200);
    /* In place with a bad tag: the ciphertext is wiped too. */
    memcpy(buf, c.ct, sizeof(buf));
    buf[sizeof(buf) - 1] ^= 1;
    assert_int_equal(ward_aead_open(buf, sizeof(buf), &op), WARD_E_INTEGRITY);
    assert_true(ward_crypto_test_all_zero(buf, 200));
}

static void test_sha(void **state)
{
    uint8_t want[WARD_SHA512_LEN];
    uint8_t got[WARD_SHA512_LEN];

    (void)state;
    ward_crypto_test_unhex(want, 32,
                           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ward_sha256(got, NULL, 0);
    assert_memory_equal(got, want, 32);
    ward_crypto_test_unhex(want, 32,
                           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ward_sha256(got, (const uint8_t *)"abc", 3);
    assert_memory_equal(got, want, 32);
    ward_crypto_test_unhex(want, 64,
                           "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    ward_sha512(got, (const uint8_t *)"abc", 3);
    assert_memory_equal(got, want, 64);
}

static void test_hmac(void **state)
{
    uint8_t key[131];
    uint8_t want[WARD_SHA256_LEN];
    uint8_t got[WARD_SHA256_LEN];
    static const char long_msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";

    (void)state;
    /* RFC 4231 test case 1. */
    memset(key, 0x0b, 20);
    ward_crypto_test_unhex(want, 32,
                           "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert_int_equal(ward_hmac_sha256(got, key, 20, (const uint8_t *)"Hi There", 8), WARD_OK);
    assert_memory_equal(got, want, 32);
    /* RFC 4231 test case 2. */
    ward_crypto_test_unhex(want, 32,
                           "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_int_equal(ward_hmac_sha256(got, (const uint8_t *)"Jefe", 4,
                                      (const uint8_t *)"what do ya want for nothing?", 28),
                     WARD_OK);
    assert_memory_equal(got, want, 32);
    /* RFC 4231 test case 6: a key longer than the block. */
    memset(key, 0xaa, sizeof(key));
    ward_crypto_test_unhex(want, 32,
                           "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    assert_int_equal(
        ward_hmac_sha256(got, key, sizeof(key), (const uint8_t *)long_msg, strlen(long_msg)),
        WARD_OK);
    assert_memory_equal(got, want, 32);
    /* Empty key and message still work (and differ from a one-zero-byte message). */
    assert_int_equal(ward_hmac_sha256(got, NULL, 0, NULL, 0), WARD_OK);
    assert_int_equal(ward_hmac_sha256(want, NULL, 0, (const uint8_t *)"", 1), WARD_OK);
    assert_memory_not_equal(got, want, 32);
}

static void test_hkdf(void **state)
{
    uint8_t ikm[22];
    uint8_t want[42];
    uint8_t got[8200];
    static const char label[] = "ward/test";

    (void)state;
    /* RFC 5869 test case 3: empty salt, empty info. */
    memset(ikm, 0x0b, sizeof(ikm));
    ward_crypto_test_unhex(
        want, 42,
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    assert_int_equal(ward_hkdf_sha256(got, 42, ikm, sizeof(ikm), NULL, 0), WARD_OK);
    assert_memory_equal(got, want, 42);
    /* Empty salt with an info label (Python cryptography's HKDF). */
    ward_crypto_test_unhex(want, 32,
                           "826d42f94fe4d59d6f1da8c1924f719ec7354f7e06d1fb2ee20f59f7ab2a6cb2");
    assert_int_equal(ward_hkdf_sha256(got, 32, (const uint8_t *)"input key material", 18,
                                      (const uint8_t *)label, strlen(label)),
                     WARD_OK);
    assert_memory_equal(got, want, 32);
    assert_int_equal(ward_hkdf_sha256(got, (size_t)255 * 32, ikm, sizeof(ikm), NULL, 0), WARD_OK);
    assert_int_equal(ward_hkdf_sha256(got, (size_t)255 * 32 + 1, ikm, sizeof(ikm), NULL, 0),
                     WARD_E_TOO_LARGE);
    assert_int_equal(ward_hkdf_sha256(got, 0, ikm, sizeof(ikm), NULL, 0), WARD_E_INVALID);
    assert_int_equal(ward_hkdf_sha256(got, 32, ikm, 0, NULL, 0), WARD_E_INVALID);
    assert_int_equal(ward_hkdf_sha256(got, 32, ikm, sizeof(ikm), got, 1025), WARD_E_TOO_LARGE);
}

static void test_argon2id_vectors(void **state)
{
    uint8_t pwd[32];
    uint8_t salt[16];
    uint8_t secret[8];
    uint8_t ad[12];
    uint8_t want[32];
    uint8_t got[32];
    struct ward_argon2_params p = { .t_cost = 3, .m_cost_kib = 32, .parallelism = 4 };
    const struct ward_crypto_argon2_in in = {
        .pwd = pwd, .pwd_len = 32, .secret = secret, .secret_len = 8, .ad = ad, .ad_len = 12
    };

    (void)state;
    memset(pwd, 0x01, sizeof(pwd));
    memset(salt, 0x02, sizeof(salt));
    memset(secret, 0x03, sizeof(secret));
    memset(ad, 0x04, sizeof(ad));
    p.salt = salt;
    p.salt_len = sizeof(salt);
    /* RFC 9106 section 5.3. */
    ward_crypto_test_unhex(want, 32,
                           "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    assert_int_equal(ward_crypto_argon2id_full(got, 32, &p, &in), WARD_OK);
    assert_memory_equal(got, want, 32);
    /* Public form (no secret, no ad), vector from Python cryptography. */
    p = (struct ward_argon2_params){ .t_cost = 2,
                                     .m_cost_kib = 64,
                                     .parallelism = 1,
                                     .salt = (const uint8_t *)"saltsalt",
                                     .salt_len = 8 };
    ward_crypto_test_unhex(want, 32,
                           "e74503f7bcb438e4d537b71ad25022224c4015b2683bc218324a48dcea3a6a46");
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"password", 8), WARD_OK);
    assert_memory_equal(got, want, 32);
}

static void test_argon2id_errors(void **state)
{
    uint8_t got[32];
    struct ward_argon2_params p = { .t_cost = 1,
                                    .m_cost_kib = 64,
                                    .parallelism = 1,
                                    .salt = (const uint8_t *)"saltsalt",
                                    .salt_len = 7 };

    (void)state;
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"pw", 2), WARD_E_INVALID);
    p.salt_len = 8;
    assert_int_equal(ward_argon2id(got, 3, &p, (const uint8_t *)"pw", 2), WARD_E_INVALID);
    p.m_cost_kib = 4; /* below 8 KiB per lane */
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"pw", 2), WARD_E_INVALID);
    p.m_cost_kib = 64;
    p.t_cost = 0;
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"pw", 2), WARD_E_INVALID);
    p.t_cost = 1;
    ward_mem_fail_at(1);
    memset(got, 0xaa, sizeof(got));
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"pw", 2), WARD_E_NOMEM);
    ward_mem_fail_at(0);
    assert_true(ward_crypto_test_all_zero(got, sizeof(got)));
    assert_int_equal(ward_argon2id(got, 32, &p, (const uint8_t *)"pw", 2), WARD_OK);
    assert_int_equal(ward_argon2id(got, (size_t)UINT32_MAX + 1, &p, (const uint8_t *)"pw", 2),
                     WARD_E_TOO_LARGE);
}

static void test_random_and_ct_equal(void **state)
{
    uint8_t a[64] = { 0 };
    uint8_t b[64] = { 0 };

    (void)state;
    assert_int_equal(ward_crypto_random(a, 0), WARD_OK);
    assert_true(ward_crypto_test_all_zero(a, sizeof(a)));
    assert_int_equal(ward_crypto_random(a, sizeof(a)), WARD_OK);
    assert_int_equal(ward_crypto_random(b, sizeof(b)), WARD_OK);
    assert_false(ward_crypto_test_all_zero(a, sizeof(a)));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_false(ward_ct_equal(a, b, sizeof(a)));
    memcpy(b, a, sizeof(a));
    assert_true(ward_ct_equal(a, b, sizeof(a)));
    b[63] ^= 0x80;
    assert_false(ward_ct_equal(a, b, sizeof(a)));
    assert_true(ward_ct_equal(a, b, 63));
    assert_true(ward_ct_equal(a, b, 0));
}

static void *nonce_thread(void *arg)
{
    uint8_t *out = arg;

    assert_int_equal(ward_crypto_nonce(out), WARD_OK);
    return NULL;
}

/* Nonces never repeat within a thread; another thread draws another prefix. */
static void test_nonce(void **state)
{
    uint8_t first[12];
    uint8_t prev[12];
    uint8_t cur[12];
    uint8_t other[12];
    pthread_t th;

    (void)state;
    assert_int_equal(ward_crypto_nonce(first), WARD_OK);
    memcpy(prev, first, sizeof(prev));
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(ward_crypto_nonce(cur), WARD_OK);
        assert_memory_equal(cur, first, 8);
        assert_true(ward_get_u32(cur + 8) == ward_get_u32(prev + 8) + 1);
        memcpy(prev, cur, sizeof(prev));
    }
    assert_int_equal(pthread_create(&th, NULL, nonce_thread, other), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_memory_not_equal(other, first, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_works_without_init), /* must stay first */
        cmocka_unit_test(test_gcm_vector),
        cmocka_unit_test(test_gcm_round_trip),
        cmocka_unit_test(test_gcm_tamper),
        cmocka_unit_test(test_gcm_sizes),
        cmocka_unit_test(test_gcm_in_place),
        cmocka_unit_test(test_sha),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_hkdf),
        cmocka_unit_test(test_argon2id_vectors),
        cmocka_unit_test(test_argon2id_errors),
        cmocka_unit_test(test_random_and_ct_equal),
        cmocka_unit_test(test_nonce),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
