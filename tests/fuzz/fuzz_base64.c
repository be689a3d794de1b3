/*
 * fuzz_base64.c - ward_base64_decode() on arbitrary text.
 *
 * Properties: no crash or sanitizer report; the decoder is canonical, so a
 * successful decode re-encodes to exactly the input; the decoded length is
 * exactly what the input length implies; and a buffer one byte too small is
 * refused rather than overrun.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/mem.h"

/* check_round_trip aborts unless bin (bin_len bytes) encodes to text. */
static void check_round_trip(const uint8_t *bin, size_t bin_len, const uint8_t *text,
                             size_t text_len)
{
    size_t cap = ward_base64_encoded_len(bin_len) + 1;
    char *enc = ward_alloc(cap);

    if (enc == NULL) {
        return;
    }
    if (ward_base64_encode(enc, cap, bin, bin_len) != WARD_OK || strlen(enc) != text_len ||
        memcmp(enc, text, text_len) != 0) {
        abort();
    }
    ward_free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = size / 4 * 3 + 3;
    size_t out_len = 0;
    size_t small_len = 0;
    uint8_t *out = ward_alloc(cap);

    if (out == NULL) {
        return 0;
    }
    if (ward_base64_decode(out, cap, &out_len, (const char *)data, size) == WARD_OK) {
        if (size % 4 != 0 || out_len > size / 4 * 3 || out_len + 2 < size / 4 * 3) {
            abort();
        }
        check_round_trip(out, out_len, data, size);
        if (out_len > 0 &&
            ward_base64_decode(out, out_len - 1, &small_len, (const char *)data, size) == WARD_OK) {
            abort();
        }
    }
    ward_free(out);
    return 0;
}
