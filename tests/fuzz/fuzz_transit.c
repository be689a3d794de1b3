/*
 * fuzz_transit.c - the transit request decoder: paths under /v1/ (":name"
 * routing, optional segments), the JSON bodies and batch_input of every
 * transit op and POST /v1/ward/decrypt, through ward_engine_handle with the
 * root token, on one long-lived store that starts with keys "k"
 * (aes256-gcm96), "s" (ed25519) and "h" (hmac).
 *
 * Input: a first line "METHOD PATH[?QUERY]" (PATH is appended to "/v1/")
 * and the rest as the body. Properties: every answer has a status in
 * 200..599; an error carries "codes"; no input makes the engine answer 500.
 */
#include "fuzz.h"

#include <string.h>

#include "engine_fixture.h"

static const char *const g_setup[] = {
    "POST transit/keys/k\n{\"exportable\":true,\"allow_plaintext_backup\":true}",
    "POST transit/keys/s\n{\"type\":\"ed25519\"}",
    "POST transit/keys/h\n{\"type\":\"hmac\"}",
    NULL,
};

static const struct fuzz_request_opts g_opts = {
    .path_prefix = "/v1/", .with_token = true, .allow_500 = false, .setup = g_setup
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_engine_request(data, size, &g_opts);
    return 0;
}
