/*
 * fuzz_share.c - share_decode() on arbitrary share text.
 *
 * Properties: no crash or sanitizer report; a share that decodes has x and k
 * in 1..WARD_MAX_SHARES; and, since both the base64 and the 43-byte layout
 * are canonical, share_encode() of the result gives back the input exactly.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "barrier/barrier_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct share s;
    struct ward_secret *text = NULL;

    if (share_decode(&s, data, size) != WARD_OK) {
        return 0;
    }
    if (s.x == 0 || s.x > WARD_MAX_SHARES || s.threshold == 0 || s.threshold > WARD_MAX_SHARES) {
        abort();
    }
    if (share_encode(&text, &s) != WARD_OK) {
        return 0; /* out of locked memory: not the decoder's fault */
    }
    if (text->len != size || memcmp(text->data, data, size) != 0) {
        abort();
    }
    ward_secret_free(text);
    return 0;
}
