/*
 * testutil.h - helpers shared by the crypto module's cmocka tests only.
 */
#ifndef WARD_CRYPTO_TESTUTIL_H
#define WARD_CRYPTO_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ward_crypto_test_unhex decodes exactly out_len bytes of lowercase hex (fails the test otherwise).
 */
void ward_crypto_test_unhex(uint8_t *out, size_t out_len, const char *hex);

/* ward_crypto_test_all_zero is true when all n bytes of p are zero. */
bool ward_crypto_test_all_zero(const uint8_t *p, size_t n);

#endif
