/*
 * fuzz_do.c - seed 004's request controls through ward_engine_handle with
 * the root token: POST /v1/do and do/prefetch bodies (op, from, to, type,
 * data, signature, mac), route rules (sys/do/routes/:name) and the dual
 * control paths (sys/control/...), on one long-lived store that starts with
 * keys "k" (aes256-gcm96) and "s" (ed25519) and routes to them.
 *
 * Input: a first line "METHOD PATH[?QUERY]" (PATH is appended to "/v1/")
 * and the rest as the body. Properties: every answer has a status in
 * 200..599; an error carries "codes"; no input makes the engine answer 500.
 */
#include "fuzz.h"

#include <string.h>

#include "engine_fixture.h"

static const char *const g_setup[] = {
    "POST transit/keys/k\n{}",
    "POST transit/keys/s\n{\"type\":\"ed25519\"}",
    ("POST sys/do/routes/10-k\n{\"ops\":[\"encrypt\",\"decrypt\",\"mac\",\"verify_mac\"],"
     "\"key\":\"k\"}"),
    "POST sys/do/routes/20-s\n{\"ops\":[\"sign\",\"verify\"],\"key\":\"s\",\"to\":\"b*\"}",
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
