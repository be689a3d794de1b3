/*
 * fuzz_byok.c - the BYOK import decoder (ward_byok_unwrap, src/keys/byok.c)
 * under a fixed 2048-bit wrapping key made once per process.
 *
 * Properties: every failure is WARD_E_DECRYPT_FAILED (one answer, so errors
 * leak nothing about where unwrapping failed); nothing the fuzzer makes
 * unwraps (that would need OAEP and KWP forgeries); and a blob wrapped
 * with ward_byok_wrap from the input's bytes does unwrap to them.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "keys/keys.h"

static EVP_PKEY *g_key;

static void setup(void)
{
    struct ward_buf der;

    ward_buf_init(&der, 16384);
    if (ward_crypto_init() != WARD_OK || ward_pkey_generate(&der, WARD_PKEY_RSA2048) != WARD_OK ||
        ward_pkey_load(&g_key, WARD_PKEY_RSA2048, der.data, der.len) != WARD_OK) {
        abort();
    }
    ward_buf_cleanup(&der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_buf out;
    struct ward_buf wrapped;
    ward_err err;

    if (g_key == NULL) {
        setup();
    }
    ward_buf_init(&out, 1u << 20);
    ward_buf_init(&wrapped, 1u << 20);
    err = ward_byok_unwrap(&out, g_key, data, size);
    if (err != WARD_E_DECRYPT_FAILED && err != WARD_E_NOMEM) {
        abort();
    }
    if (size > 0 && size <= 4096) {
        out.len = 0;
        if (ward_byok_wrap(&wrapped, g_key, data, size) != WARD_OK ||
            ward_byok_unwrap(&out, g_key, wrapped.data, wrapped.len) != WARD_OK ||
            out.len != size || memcmp(out.data, data, size) != 0) {
            abort();
        }
    }
    ward_buf_cleanup(&wrapped);
    ward_buf_cleanup(&out);
    return 0;
}
