/*
 * buf.c - bounded buffers and checked cursors (see buf.h).
 */
#include "buf.h"

#include <string.h>

#include <openssl/crypto.h>

#include "mem.h"

void ward_buf_init(struct ward_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ward_buf_cleanup(struct ward_buf *b)
{
    ward_free_wipe(b->data, b->cap);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ward_buf_reset(struct ward_buf *b)
{
    if (b->data != NULL) {
        OPENSSL_cleanse(b->data, b->cap);
    }
    b->len = 0;
}

ward_err ward_buf_reserve(struct ward_buf *b, size_t n)
{
    size_t want;
    size_t cap;
    uint8_t *p;

    if (n > b->max || b->len > b->max - n) {
        return WARD_E_TOO_LARGE;
    }
    want = b->len + n;
    if (want <= b->cap) {
        return WARD_OK;
    }
    cap = b->cap < 64 ? 64 : b->cap;
    while (cap < want) {
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    }
    if (cap > b->max) {
        cap = b->max;
    }
    /* Not realloc: the old block may hold a secret and must be wiped. */
    if ((p = ward_alloc(cap)) == NULL) {
        return WARD_E_NOMEM;
    }
    if (b->len > 0) {
        memcpy(p, b->data, b->len);
    }
    ward_free_wipe(b->data, b->cap);
    b->data = p;
    b->cap = cap;
    return WARD_OK;
}

ward_err ward_buf_append(struct ward_buf *b, const void *in, size_t in_len)
{
    ward_err err;

    if (in_len == 0) {
        return WARD_OK;
    }
    if ((err = ward_buf_reserve(b, in_len)) != WARD_OK) {
        return err;
    }
    memcpy(b->data + b->len, in, in_len);
    b->len += in_len;
    return WARD_OK;
}

ward_err ward_buf_append_u8(struct ward_buf *b, uint8_t v)
{
    return ward_buf_append(b, &v, 1);
}

ward_err ward_buf_append_u16(struct ward_buf *b, uint16_t v)
{
    uint8_t w[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    return ward_buf_append(b, w, sizeof(w));
}

ward_err ward_buf_append_u32(struct ward_buf *b, uint32_t v)
{
    uint8_t w[4];

    ward_put_u32(w, v);
    return ward_buf_append(b, w, sizeof(w));
}

ward_err ward_buf_append_u64(struct ward_buf *b, uint64_t v)
{
    uint8_t w[8];

    ward_put_u64(w, v);
    return ward_buf_append(b, w, sizeof(w));
}

ward_err ward_buf_append_str(struct ward_buf *b, const char *s)
{
    return ward_buf_append(b, s, strlen(s));
}

ward_err ward_buf_terminate(struct ward_buf *b)
{
    ward_err err;

    if ((err = ward_buf_append_u8(b, 0)) != WARD_OK) {
        return err;
    }
    b->len--;
    return WARD_OK;
}

void ward_cursor_init(struct ward_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = len;
}

ward_err ward_cursor_get_bytes(struct ward_cursor *c, const uint8_t **out, size_t n)
{
    *out = NULL;
    if (c->len < n) {
        return WARD_E_TRUNCATED;
    }
    *out = c->p;
    c->p += n;
    c->len -= n;
    return WARD_OK;
}

ward_err ward_cursor_copy(struct ward_cursor *c, uint8_t *out, size_t n)
{
    const uint8_t *p;
    ward_err err;

    if ((err = ward_cursor_get_bytes(c, &p, n)) != WARD_OK) {
        return err;
    }
    if (n > 0) {
        memcpy(out, p, n);
    }
    return WARD_OK;
}

ward_err ward_cursor_get_u8(struct ward_cursor *c, uint8_t *out)
{
    return ward_cursor_copy(c, out, 1);
}

ward_err ward_cursor_get_u16(struct ward_cursor *c, uint16_t *out)
{
    uint8_t w[2];
    ward_err err;

    *out = 0;
    if ((err = ward_cursor_copy(c, w, sizeof(w))) != WARD_OK) {
        return err;
    }
    *out = (uint16_t)((w[0] << 8) | w[1]);
    return WARD_OK;
}

ward_err ward_cursor_get_u32(struct ward_cursor *c, uint32_t *out)
{
    uint8_t w[4];
    ward_err err;

    *out = 0;
    if ((err = ward_cursor_copy(c, w, sizeof(w))) != WARD_OK) {
        return err;
    }
    *out = ward_get_u32(w);
    return WARD_OK;
}

ward_err ward_cursor_get_u64(struct ward_cursor *c, uint64_t *out)
{
    uint8_t w[8];
    ward_err err;

    *out = 0;
    if ((err = ward_cursor_copy(c, w, sizeof(w))) != WARD_OK) {
        return err;
    }
    *out = ward_get_u64(w);
    return WARD_OK;
}

bool ward_cursor_empty(const struct ward_cursor *c)
{
    return c->len == 0;
}

void ward_put_u32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

void ward_put_u64(uint8_t out[8], uint64_t v)
{
    ward_put_u32(out, (uint32_t)(v >> 32));
    ward_put_u32(out + 4, (uint32_t)v);
}

uint32_t ward_get_u32(const uint8_t in[4])
{
    return ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) | ((uint32_t)in[2] << 8) | in[3];
}

uint64_t ward_get_u64(const uint8_t in[8])
{
    return ((uint64_t)ward_get_u32(in) << 32) | ward_get_u32(in + 4);
}
