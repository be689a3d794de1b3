/*
 * fuzz.h - the libFuzzer entry point every tests/fuzz/fuzz_<parser>.c defines.
 *
 * With -Dfuzz=true (clang) each target links with -fsanitize=fuzzer and
 * libFuzzer supplies main(); otherwise replay.c does, and runs the target once
 * per file of its seed corpus. A target returns 0 and calls abort() when a
 * property it checks does not hold, so both drivers report it as a crash.
 */
#ifndef WARD_TESTS_FUZZ_FUZZ_H
#define WARD_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
