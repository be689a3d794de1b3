/*
 * fuzz_token.c - the token decoder (src/auth/token.c): base64url, the tag
 * check and the payload parser.
 *
 * Two halves. The raw input as token text under a fixed key must decode
 * only if it is exactly what ward_token_encode makes of the decoded info
 * (one text per token: no malleable encodings). And the input as a bare
 * payload (an accessor record's) either fails with WARD_E_BAD_ENCODING or
 * re-encodes to the same bytes, and the token made of it decodes back.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

static const uint8_t g_key[WARD_TOKEN_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void text_half(const uint8_t *data, size_t size)
{
    struct ward_token_info info;
    struct ward_buf again;

    if (ward_token_decode(&info, g_key, (const char *)data, size) != WARD_OK) {
        return;
    }
    ward_buf_init(&again, WARD_TOKEN_MAX_TEXT + 1);
    if (ward_token_encode(&again, g_key, &info) != WARD_OK || again.len != size ||
        memcmp(again.data, data, size) != 0) {
        abort();
    }
    ward_buf_cleanup(&again);
}

static void payload_half(const uint8_t *data, size_t size)
{
    struct ward_token_info info;
    struct ward_token_info back;
    struct ward_buf again;
    struct ward_buf text;
    ward_err err = ward_token_payload_parse(&info, data, size);

    if (err != WARD_OK) {
        if (err != WARD_E_BAD_ENCODING) {
            abort();
        }
        return;
    }
    ward_buf_init(&again, WARD_TOKEN_MAX_TEXT);
    ward_buf_init(&text, WARD_TOKEN_MAX_TEXT + 1);
    if (ward_token_payload_encode(&again, &info) != WARD_OK || again.len != size ||
        memcmp(again.data, data, size) != 0 || ward_token_encode(&text, g_key, &info) != WARD_OK ||
        ward_token_decode(&back, g_key, (const char *)text.data, text.len) != WARD_OK) {
        abort();
    }
    /* the token's payload is the input again */
    ward_buf_reset(&again);
    if (ward_token_payload_encode(&again, &back) != WARD_OK || again.len != size ||
        memcmp(again.data, data, size) != 0) {
        abort();
    }
    ward_buf_cleanup(&text);
    ward_buf_cleanup(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    text_half(data, size);
    payload_half(data, size);
    return 0;
}
