/*
 * selftest.c - known-answer tests of every primitive in crypto.h.
 *
 * Keeper-side; run before any unseal. Each test feeds a published vector
 * through the same code the public functions run and compares the result
 * with CRYPTO_memcmp. Vectors:
 *   aes-gcm   GCM spec (McGrew & Viega) test case 16: AES-256, 96-bit IV, AAD
 *   sha256    FIPS 180-2 "abc"
 *   sha512    FIPS 180-2 "abc"
 *   hmac      RFC 4231 test case 2
 *   hkdf      RFC 5869 test case 3 (empty salt and info, as our API does)
 *   argon2id  RFC 9106 section 5.3
 *   shamir    fixed coefficients, shares checked against libgfshare's output
 *             for the same polynomial, then recombined
 *
 * SECURITY: failures are logged by test name only; no vector or output byte
 * ever reaches the log.
 *
 * THREADS: g_broken is written only by unit tests, from their one thread,
 * through ward_crypto_selftest_break; ward_crypto_selftest only reads it.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "crypto.h"
#include "crypto/crypto_int.h"

/* Index into g_tests of the test made to fail, or -1. Test hook only. */
static int g_broken = -1;

/* kat_done compares got with want; a broken test first flips a bit of got. */
static bool kat_done(uint8_t *got, const uint8_t *want, size_t len, bool broken)
{
    if (broken) {
        got[0] ^= 1;
    }
    return CRYPTO_memcmp(got, want, len) == 0;
}

static const uint8_t g_gcm_key[32] = {
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
    0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
};
static const uint8_t g_gcm_iv[12] = { 0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce,
                                      0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88 };
static const uint8_t g_gcm_aad[20] = { 0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
                                       0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2 };
static const uint8_t g_gcm_pt[60] = {
    0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26,
    0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31,
    0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49,
    0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
};
/* Ciphertext || tag. */
static const uint8_t g_gcm_ct[76] = {
    0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42, 0x7d,
    0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa,
    0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d, 0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38,
    0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62, 0x76, 0xfc, 0x6e, 0xce,
    0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53, 0xbb, 0x2d, 0x55, 0x1b,
};

/* kat_aes_gcm seals, opens, and checks that a flipped tag is refused. */
static bool kat_aes_gcm(bool broken)
{
    struct ward_aead_op op = { .key = g_gcm_key,
                               .nonce = g_gcm_iv,
                               .aad = g_gcm_aad,
                               .aad_len = sizeof(g_gcm_aad),
                               .in = g_gcm_pt,
                               .in_len = sizeof(g_gcm_pt) };
    uint8_t ct[sizeof(g_gcm_ct)];
    uint8_t pt[sizeof(g_gcm_pt)];
    bool ok = false;

    if (ward_aead_seal(ct, sizeof(ct), &op) != WARD_OK ||
        !kat_done(ct, g_gcm_ct, sizeof(ct), broken)) {
        goto out;
    }
    op.in = g_gcm_ct;
    op.in_len = sizeof(g_gcm_ct);
    if (ward_aead_open(pt, sizeof(pt), &op) != WARD_OK ||
        CRYPTO_memcmp(pt, g_gcm_pt, sizeof(pt)) != 0) {
        goto out;
    }
    memcpy(ct, g_gcm_ct, sizeof(ct));
    ct[sizeof(ct) - 1] ^= 0x80;
    op.in = ct;
    ok = ward_aead_open(pt, sizeof(pt), &op) == WARD_E_INTEGRITY;
out:
    OPENSSL_cleanse(pt, sizeof(pt));
    return ok;
}

static const uint8_t g_abc[3] = { 'a', 'b', 'c' };

static bool kat_sha256(bool broken)
{
    static const uint8_t want[WARD_SHA256_LEN] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    };
    uint8_t got[WARD_SHA256_LEN];

    ward_sha256(got, g_abc, sizeof(g_abc));
    return kat_done(got, want, sizeof(got), broken);
}

static bool kat_sha512(bool broken)
{
    static const uint8_t want[WARD_SHA512_LEN] = {
        0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba, 0xcc, 0x41, 0x73, 0x49, 0xae,
        0x20, 0x41, 0x31, 0x12, 0xe6, 0xfa, 0x4e, 0x89, 0xa9, 0x7e, 0xa2, 0x0a, 0x9e,
        0xee, 0xe6, 0x4b, 0x55, 0xd3, 0x9a, 0x21, 0x92, 0x99, 0x2a, 0x27, 0x4f, 0xc1,
        0xa8, 0x36, 0xba, 0x3c, 0x23, 0xa3, 0xfe, 0xeb, 0xbd, 0x45, 0x4d, 0x44, 0x23,
        0x64, 0x3c, 0xe8, 0x0e, 0x2a, 0x9a, 0xc9, 0x4f, 0xa5, 0x4c, 0xa4, 0x9f,
    };
    uint8_t got[WARD_SHA512_LEN];

    ward_sha512(got, g_abc, sizeof(g_abc));
    return kat_done(got, want, sizeof(got), broken);
}

static bool kat_hmac(bool broken)
{
    static const char key[] = "Jefe";
    static const char data[] = "what do ya want for nothing?";
    static const uint8_t want[WARD_SHA256_LEN] = {
        0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
        0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
        0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
    };
    uint8_t got[WARD_SHA256_LEN];

    if (ward_hmac_sha256(got, (const uint8_t *)key, strlen(key), (const uint8_t *)data,
                         strlen(data)) != WARD_OK) {
        return false;
    }
    return kat_done(got, want, sizeof(got), broken);
}

static bool kat_hkdf(bool broken)
{
    static const uint8_t want[42] = {
        0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80, 0x2a, 0x06, 0x3c,
        0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1, 0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f,
        0x3c, 0x73, 0x8d, 0x2d, 0x9d, 0x20, 0x13, 0x95, 0xfa, 0xa4, 0xb6, 0x1a, 0x96, 0xc8,
    };
    uint8_t ikm[22];
    uint8_t got[sizeof(want)];

    memset(ikm, 0x0b, sizeof(ikm));
    if (ward_hkdf_sha256(got, sizeof(got), ikm, sizeof(ikm), NULL, 0) != WARD_OK) {
        return false;
    }
    return kat_done(got, want, sizeof(got), broken);
}

static bool kat_argon2id(bool broken)
{
    static const uint8_t want[32] = {
        0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37,
        0xa3, 0x4a, 0x8b, 0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75,
        0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59,
    };
    uint8_t pwd[32];
    uint8_t salt[16];
    uint8_t secret[8];
    uint8_t ad[12];
    uint8_t got[sizeof(want)];
    const struct ward_argon2_params p = {
        .t_cost = 3, .m_cost_kib = 32, .parallelism = 4, .salt = salt, .salt_len = sizeof(salt)
    };
    const struct ward_crypto_argon2_in in = { .pwd = pwd,
                                              .pwd_len = sizeof(pwd),
                                              .secret = secret,
                                              .secret_len = sizeof(secret),
                                              .ad = ad,
                                              .ad_len = sizeof(ad) };

    memset(pwd, 0x01, sizeof(pwd));
    memset(salt, 0x02, sizeof(salt));
    memset(secret, 0x03, sizeof(secret));
    memset(ad, 0x04, sizeof(ad));
    if (ward_crypto_argon2id_full(got, sizeof(got), &p, &in) != WARD_OK) {
        return false;
    }
    return kat_done(got, want, sizeof(got), broken);
}

/* k = 3, n = 5; the coefficient rows of x^1 and x^2. */
static const uint8_t g_shamir_secret[16] = "Ward self-test!";
static const uint8_t g_shamir_coeffs[2 * 16] = {
    0x3c, 0x9a, 0x01, 0xff, 0x80, 0x7e, 0x55, 0xaa, 0x13, 0x37, 0xc0, 0xde, 0x00, 0x42, 0xe9, 0x1d,
    0xb7, 0x04, 0x6f, 0xd2, 0x11, 0x8c, 0xfe, 0x29, 0x63, 0xa0, 0x5b, 0x01, 0x9e, 0x74, 0xc3, 0x88,
};
/* Shares x = 1..5, as libgfshare 2.0.0 computes them for this polynomial. */
static const uint8_t g_shamir_shares[5 * 16] = {
    0xdc, 0xff, 0x1c, 0x49, 0xb1, 0x81, 0xce, 0xef, 0x16, 0xba, 0xef, 0xba, 0xed, 0x42, 0x0b, 0x95,
    0xc9, 0x58, 0xd1, 0xe8, 0x79, 0x85, 0x10, 0x81, 0xd1, 0xf9, 0x98, 0xc0, 0x31, 0x3d, 0xc5, 0x20,
    0x42, 0xc6, 0xbf, 0xc5, 0xe8, 0x77, 0xbb, 0x02, 0xa1, 0x6e, 0x03, 0x1f, 0xaf, 0x0b, 0xef, 0xb5,
    0x18, 0x73, 0xc8, 0x1e, 0x17, 0xbe, 0x77, 0x54, 0x54, 0x23, 0x8a, 0x2a, 0x66, 0x72, 0x0e, 0x1c,
    0x93, 0xed, 0xa6, 0x33, 0x86, 0x4c, 0xdc, 0xd7, 0x24, 0xb4, 0x11, 0xf5, 0xf8, 0x44, 0x24, 0x89,
};

/* kat_shamir splits with fixed coefficients, then combines shares 5, 2 and 4. */
static bool kat_shamir(bool broken)
{
    static const uint8_t xs[3] = { 5, 2, 4 };
    uint8_t shares[sizeof(g_shamir_shares)];
    uint8_t got[sizeof(g_shamir_secret)];
    const uint8_t *ys[3];

    if (ward_crypto_shamir_split_with(shares, g_shamir_secret, sizeof(g_shamir_secret),
                                      g_shamir_coeffs, 3, 5) != WARD_OK ||
        !kat_done(shares, g_shamir_shares, sizeof(shares), broken)) {
        return false;
    }
    for (size_t i = 0; i < 3; i++) {
        ys[i] = shares + (size_t)(xs[i] - 1) * sizeof(g_shamir_secret);
    }
    if (ward_shamir_combine(got, sizeof(got), xs, ys, 3) != WARD_OK) {
        return false;
    }
    return CRYPTO_memcmp(got, g_shamir_secret, sizeof(got)) == 0;
}

struct kat {
    const char *name;
    bool (*run)(bool broken);
};

static const struct kat g_tests[] = {
    { "aes-gcm", kat_aes_gcm }, { "sha256", kat_sha256 }, { "sha512", kat_sha512 },
    { "hmac", kat_hmac },       { "hkdf", kat_hkdf },     { "argon2id", kat_argon2id },
    { "shamir", kat_shamir },
};

#define NUM_TESTS (sizeof(g_tests) / sizeof(g_tests[0]))

ward_err ward_crypto_selftest(void)
{
    ward_err err = WARD_OK;

    for (size_t i = 0; i < NUM_TESTS; i++) {
        if (!g_tests[i].run(g_broken == (int)i)) {
            ward_log(WARD_LOG_ERROR, "crypto self-test failed test=%s", g_tests[i].name);
            err = WARD_E_SELFTEST;
        }
    }
    return err;
}

void ward_crypto_selftest_break(const char *name)
{
    g_broken = -1;
    if (name == NULL) {
        return;
    }
    for (size_t i = 0; i < NUM_TESTS; i++) {
        if (strcmp(g_tests[i].name, name) == 0) {
            g_broken = (int)i;
        }
    }
}
