/*
 * buf.h - bounded growable byte buffers (writing) and cursors (reading).
 *
 * struct ward_buf owns its bytes, never grows past the max given at init
 * (WARD_E_TOO_LARGE instead) and wipes what it held on cleanup, so a buffer
 * that carried a secret leaves nothing behind in freed memory.
 *
 * struct ward_cursor borrows bytes it does not own; every read checks the
 * remaining length first and fails with WARD_E_TRUNCATED, leaving the cursor
 * unchanged. All outside input is read through a cursor.
 *
 * Integers on the wire and on disk are big-endian.
 */
#ifndef WARD_BASE_BUF_H
#define WARD_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ward_buf {
    uint8_t *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;
};

/* ward_buf_init prepares an empty buffer that may grow to max bytes. */
void ward_buf_init(struct ward_buf *b, size_t max);

/* ward_buf_cleanup wipes and frees the bytes; the buffer is empty after. */
void ward_buf_cleanup(struct ward_buf *b);

/* ward_buf_reset wipes the content but keeps the allocation. */
void ward_buf_reset(struct ward_buf *b);

/* ward_buf_reserve makes room for n more bytes (WARD_E_TOO_LARGE past max). */
WARD_MUST_CHECK ward_err ward_buf_reserve(struct ward_buf *b, size_t n);

WARD_MUST_CHECK ward_err ward_buf_append(struct ward_buf *b, const void *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_buf_append_u8(struct ward_buf *b, uint8_t v);
WARD_MUST_CHECK ward_err ward_buf_append_u16(struct ward_buf *b, uint16_t v);
WARD_MUST_CHECK ward_err ward_buf_append_u32(struct ward_buf *b, uint32_t v);
WARD_MUST_CHECK ward_err ward_buf_append_u64(struct ward_buf *b, uint64_t v);

/* ward_buf_append_str appends a string without its NUL. */
WARD_MUST_CHECK ward_err ward_buf_append_str(struct ward_buf *b, const char *s);

/* ward_buf_terminate writes a NUL after the content, not counted in len. */
WARD_MUST_CHECK ward_err ward_buf_terminate(struct ward_buf *b);

struct ward_cursor {
    const uint8_t *p;
    size_t len;
};

/* ward_cursor_init points c at len bytes of p (borrowed). */
void ward_cursor_init(struct ward_cursor *c, const uint8_t *p, size_t len);

WARD_MUST_CHECK ward_err ward_cursor_get_u8(struct ward_cursor *c, uint8_t *out);
WARD_MUST_CHECK ward_err ward_cursor_get_u16(struct ward_cursor *c, uint16_t *out);
WARD_MUST_CHECK ward_err ward_cursor_get_u32(struct ward_cursor *c, uint32_t *out);
WARD_MUST_CHECK ward_err ward_cursor_get_u64(struct ward_cursor *c, uint64_t *out);

/* ward_cursor_get_bytes borrows the next n bytes into *out. */
WARD_MUST_CHECK ward_err ward_cursor_get_bytes(struct ward_cursor *c, const uint8_t **out,
                                               size_t n);

/* ward_cursor_copy copies the next n bytes into out. */
WARD_MUST_CHECK ward_err ward_cursor_copy(struct ward_cursor *c, uint8_t *out, size_t n);

/* ward_cursor_empty is true when nothing is left to read. */
bool ward_cursor_empty(const struct ward_cursor *c);

/* Big-endian helpers for fixed-size fields outside a buffer. */
void ward_put_u32(uint8_t out[4], uint32_t v);
void ward_put_u64(uint8_t out[8], uint64_t v);
uint32_t ward_get_u32(const uint8_t in[4]);
uint64_t ward_get_u64(const uint8_t in[8]);

#endif
