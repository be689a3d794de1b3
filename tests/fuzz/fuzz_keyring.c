/*
 * fuzz_keyring.c - keyring_decode() on arbitrary keyring plaintext.
 *
 * Properties: no crash, leak or sanitizer report; a decoded keyring has
 * 1..KEYRING_MAX_TERMS terms and a key for its active term; and, the layout
 * having no slack, keyring_encode() of it gives back the input exactly.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "barrier/barrier_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keyring *kr = NULL;
    struct ward_secret *enc = NULL;

    if (keyring_decode(&kr, data, size) != WARD_OK) {
        if (kr != NULL) {
            abort(); /* a failed decode leaves *out NULL */
        }
        return 0;
    }
    if (kr->num == 0 || kr->num > KEYRING_MAX_TERMS || keyring_key(kr, kr->active) == NULL) {
        abort();
    }
    if (keyring_encode(&enc, kr) == WARD_OK &&
        (enc->len != size || memcmp(enc->data, data, size) != 0)) {
        abort();
    }
    ward_secret_free(enc);
    keyring_free(kr);
    return 0;
}
