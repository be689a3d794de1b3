/*
 * base64_test.c - RFC 4648 vectors and strictness.
 */
#include "base64.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_rfc4648_vectors(void **state)
{
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const enc[] = { "",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    char out[16];
    uint8_t dec[16];
    size_t n;

    (void)state;
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(
            ward_base64_encode(out, sizeof(out), (const uint8_t *)plain[i], strlen(plain[i])),
            WARD_OK);
        assert_string_equal(out, enc[i]);
        assert_int_equal(ward_base64_decode(dec, sizeof(dec), &n, enc[i], strlen(enc[i])), WARD_OK);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(dec, plain[i], n);
    }
}

static void test_rejects_noncanonical(void **state)
{
    static const char *const bad[] = { "Zg=",    "Zh==", "Zm9=", "Z===", "Zm 9v",
                                       "Zm9v\n", "Zg=a", "=Zg=", "Zm9$", "Zm-_" };
    uint8_t dec[16];
    size_t n = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ward_base64_decode(dec, sizeof(dec), &n, bad[i], strlen(bad[i])),
                         WARD_E_BAD_ENCODING);
        assert_int_equal(n, 0);
    }
}

static void test_capacity(void **state)
{
    char out[4];
    uint8_t dec[2];
    size_t n;

    (void)state;
    assert_int_equal(ward_base64_encode(out, sizeof(out), (const uint8_t *)"foo", 3),
                     WARD_E_TOO_LARGE);
    assert_int_equal(ward_base64_decode(dec, sizeof(dec), &n, "Zm9v", 4), WARD_E_TOO_LARGE);
}

static void test_all_bytes_roundtrip(void **state)
{
    uint8_t in[256];
    char enc[400];
    uint8_t dec[256];
    size_t n;

    (void)state;
    for (int i = 0; i < 256; i++) {
        in[i] = (uint8_t)i;
    }
    assert_int_equal(ward_base64_encode(enc, sizeof(enc), in, sizeof(in)), WARD_OK);
    assert_int_equal(ward_base64_decode(dec, sizeof(dec), &n, enc, strlen(enc)), WARD_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(dec, in, 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_rejects_noncanonical),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_all_bytes_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
