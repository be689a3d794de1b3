/*
 * fuzz_kv.c - the KV v2 request decoder: the path under /v1/secret/ (prefix
 * routing, percent-decoding, path checks) and the JSON bodies of every KV op,
 * through ward_engine_handle with the root token, on one long-lived store so
 * that later inputs read entries earlier inputs wrote.
 *
 * Input: a first line "METHOD REST[?QUERY]" (REST is appended to
 * "/v1/secret/") and the rest as the body. Properties: every answer has a
 * status in 200..599; an error carries "codes"; no input makes the KV engine
 * fail with a 500 (which would mean it wrote something it cannot read back).
 */
#include "fuzz.h"

#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct fuzz_request_opts opts = { .path_prefix = "/v1/secret/",
                                                   .with_token = true,
                                                   .allow_500 = false };

    fuzz_engine_request(data, size, &opts);
    return 0;
}
