/*
 * selftest_test.c - the known-answer self-test passes, and each named test,
 * when broken, makes it refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/log.h"
#include "crypto.h"

static const char *const g_names[] = {
    "aes-gcm",     "sha256",     "sha512",
    "hmac",        "hkdf",       "argon2id",
    "shamir",      "aes128-gcm", "chacha20-poly1305",
    "aes-siv",     "sha3-256",   "hmac-sha384",
    "hmac-sha512", "kwp",        "ed25519",
};

static void test_selftest_passes(void **state)
{
    (void)state;
    assert_int_equal(ward_crypto_init(), WARD_OK);
    assert_int_equal(ward_crypto_selftest(), WARD_OK);
}

static void test_each_break_fails(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(g_names) / sizeof(g_names[0]); i++) {
        ward_crypto_selftest_break(g_names[i]);
        assert_int_equal(ward_crypto_selftest(), WARD_E_SELFTEST);
        ward_crypto_selftest_break(NULL);
        assert_int_equal(ward_crypto_selftest(), WARD_OK);
    }
}

static void test_unknown_name_breaks_nothing(void **state)
{
    (void)state;
    ward_crypto_selftest_break("no-such-test");
    assert_int_equal(ward_crypto_selftest(), WARD_OK);
    ward_crypto_selftest_break(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selftest_passes),
        cmocka_unit_test(test_each_break_fails),
        cmocka_unit_test(test_unknown_name_breaks_nothing),
    };

    /* Break tests log on purpose; keep the run quiet. */
    ward_log_set_level(WARD_LOG_ERROR + 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
