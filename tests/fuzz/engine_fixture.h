/*
 * engine_fixture.h - the engine the request fuzzers drive: an initialised,
 * unsealed keystore on the memory backend, made once per process.
 */
#ifndef WARD_TESTS_FUZZ_ENGINE_FIXTURE_H
#define WARD_TESTS_FUZZ_ENGINE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dispatch.h"

/*
 * fuzz_engine_fixture returns the engine (made on the first call; aborts if
 * it cannot be) and its root token, a NUL-terminated string it keeps.
 */
struct ward_engine *fuzz_engine_fixture(const char **out_token);

/* Options of one fuzzed request. */
struct fuzz_request_opts {
    const char *path_prefix;  /* prepended to the input's path ("" for none) */
    bool with_token;          /* send the root token */
    bool allow_500;           /* false: a 500 answer is a finding */
    const char *const *setup; /* NULL-ended requests (same format) sent once, before the
                                 first input: the keys and routes a target starts with */
};

/*
 * fuzz_engine_request parses data as a first line "METHOD PATH[?QUERY]" and
 * a body after it, sends it through ward_engine_handle and aborts unless the
 * answer has a status in 200..599 (no 500 unless allowed) and every error
 * carries "codes". Inputs that do not parse are skipped. The first call
 * sends o->setup first (each checked the same way).
 */
void fuzz_engine_request(const uint8_t *data, size_t size, const struct fuzz_request_opts *o);

#endif
