/*
 * testutil.c - helpers shared by the crypto module's cmocka tests (see testutil.h).
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

static uint8_t nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return (uint8_t)(c - '0');
    }
    assert_true(c >= 'a' && c <= 'f');
    return (uint8_t)(c - 'a' + 10);
}

void ward_crypto_test_unhex(uint8_t *out, size_t out_len, const char *hex)
{
    assert_int_equal(strlen(hex), 2 * out_len);
    for (size_t i = 0; i < out_len; i++) {
        out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }
}

bool ward_crypto_test_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}
