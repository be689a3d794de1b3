/*
 * base64.h - strict RFC 4648 base64 (standard alphabet, '=' padding).
 *
 * The decoder accepts only canonical input: no whitespace, padding exactly
 * where it belongs, and unused trailing bits zero. So one byte string has one
 * encoding, and a malformed share or ciphertext is refused, never repaired.
 * It runs in time that depends only on the input length, not its content,
 * since it decodes secrets (key shares).
 */
#ifndef WARD_BASE_BASE64_H
#define WARD_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ward_base64_encoded_len is the encoded size of n bytes, without NUL. */
size_t ward_base64_encoded_len(size_t n);

/*
 * ward_base64_encode writes the encoding of in and a NUL into out, which
 * must hold ward_base64_encoded_len(in_len) + 1 bytes (else WARD_E_TOO_LARGE).
 */
WARD_MUST_CHECK ward_err ward_base64_encode(char *out, size_t out_cap, const uint8_t *in,
                                            size_t in_len);

/*
 * ward_base64_decode decodes in_len characters into out (out_cap bytes) and
 * sets *out_len. WARD_E_BAD_ENCODING for non-canonical input,
 * WARD_E_TOO_LARGE when out is too small.
 */
WARD_MUST_CHECK ward_err ward_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                                            const char *in, size_t in_len);

#endif
