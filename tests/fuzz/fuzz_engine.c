/*
 * fuzz_engine.c - request routing and JSON argument decoding for every op,
 * through ward_engine_handle as the front calls it.
 *
 * Input: a first line "METHOD PATH[?QUERY]" and the rest as the body. The
 * engine serves an initialised, unsealed keystore on the memory backend, so
 * handlers that need an unsealed barrier run too. Property: every request
 * gets a status in 200..599 and, when it is an error, a JSON body with
 * "errors" and "codes" (never a crash, never an empty error).
 */
#include "fuzz.h"

#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct fuzz_request_opts opts = { .path_prefix = "",
                                                   .with_token = false,
                                                   .allow_500 = true };

    fuzz_engine_request(data, size, &opts);
    return 0;
}
