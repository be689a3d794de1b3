/*
 * engine_fixture.h - the engine the request fuzzers drive: an initialised,
 * unsealed keystore on the memory backend, made once per process.
 */
#ifndef WARD_TESTS_FUZZ_ENGINE_FIXTURE_H
#define WARD_TESTS_FUZZ_ENGINE_FIXTURE_H

#include "engine/dispatch.h"

/*
 * fuzz_engine_fixture returns the engine (made on the first call; aborts if
 * it cannot be) and its root token, a NUL-terminated string it keeps.
 */
struct ward_engine *fuzz_engine_fixture(const char **out_token);

#endif
