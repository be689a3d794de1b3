/*
 * json_int.h - what json.c, json_parse.c and json_dump.c share: the strict
 * parser and the compact dumper behind json_decode_body and json_dump_to
 * (engine_int.h), and the two byte scanners both of them run on strings.
 *
 * The scanners are inline because they are the inner loops: a 1 KiB base64
 * plaintext is one call of json_scan_plain, 16 bytes per step.
 */
#ifndef WARD_ENGINE_JSON_INT_H
#define WARD_ENGINE_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

/* json_plain_byte: true for a byte a JSON string holds as is (no escape, ASCII). */
static inline bool json_plain_byte(uint8_t c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * json_scan_plain returns the index of the first byte of p[i..n) that is not
 * json_plain_byte ('"', '\\', a control byte or a non-ASCII byte), or n.
 * Reads nothing outside p[0..n).
 */
static inline size_t json_scan_plain(const uint8_t *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);

    /* a signed compare: below 0x20 is a control byte or, negative, >= 0x80 */
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                         _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);

        if (mask != 0) {
            return i + (size_t)__builtin_ctz(mask);
        }
        i += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;

    /* word at a time: stop at the first word holding any byte of interest */
    while (n - i >= 8) {
        uint64_t w;
        uint64_t q;
        uint64_t b;

        memcpy(&w, p + i, sizeof(w));
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & high) {
            break;
        }
        i += 8;
    }
#endif
    while (i < n && json_plain_byte(p[i])) {
        i++;
    }
    return i;
}

/*
 * json_utf8_len returns the length (2 to 4) of the well-formed UTF-8
 * sequence at p (avail bytes readable, p[0] >= 0x80), or 0: overlong forms,
 * surrogates (U+D800..DFFF), code points past U+10FFFF and truncated
 * sequences are all 0 (Unicode 15, table 3-7).
 */
static inline size_t json_utf8_len(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    size_t len;

    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (avail < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t k = 2; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

/*
 * json_parse builds the Jansson tree of the JSON text in[0..in_len), whose
 * top level must be an object or an array (RFC 8259, strictly; see
 * json_parse.c). WARD_OK with a new reference in *out; WARD_E_BAD_ENCODING
 * with a secret-free reason in why ("malformed JSON at byte N: ..."); or
 * WARD_E_NOMEM. Thread-safe.
 */
WARD_MUST_CHECK ward_err json_parse(json_t **out, const uint8_t *in, size_t in_len, char *why,
                                    size_t why_cap);

/*
 * json_dump_compact appends v (an object or an array) to out as Jansson's
 * json_dump_callback(JSON_COMPACT) would write it, byte for byte. Fails
 * (WARD_E_TOO_LARGE past out's max, WARD_E_NOMEM, WARD_E_INVALID for what
 * Jansson cannot write: invalid UTF-8, a scalar top level) with out holding
 * a partial text.
 */
WARD_MUST_CHECK ward_err json_dump_compact(struct ward_buf *out, const json_t *v);

#endif
