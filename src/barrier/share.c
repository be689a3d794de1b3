/*
 * share.c - a security officer's key share, as text.
 *
 * A share is base64 (standard, padded) of 43 bytes:
 *   offset  size  field
 *   0       1     format version (1)
 *   1       8     kek id: which KEK (init or rekey) this share belongs to
 *   9       1     threshold k
 *   10      1     x, the share's point (1..16)
 *   11      32    y, the share's value at x, one byte per KEK byte
 *
 * There is deliberately no checksum: a share that decodes but is wrong is
 * only found when the quorum fails to unseal, and then nobody learns which
 * share it was.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"
#include "base/base64.h"

ward_err share_decode(struct share *out, const uint8_t *text, size_t text_len)
{
    ward_err err = WARD_E_INTERNAL;
    uint8_t raw[SHARE_BIN_LEN + 3];
    size_t raw_len = 0;
    struct ward_cursor c;
    uint8_t version = 0;

    memset(out, 0, sizeof(*out));
    if (text_len > SHARE_TEXT_MAX) {
        err = WARD_E_BAD_SHARE;
        goto out;
    }
    if (ward_base64_decode(raw, sizeof(raw), &raw_len, (const char *)text, text_len) != WARD_OK) {
        err = WARD_E_BAD_SHARE;
        goto out;
    }
    ward_cursor_init(&c, raw, raw_len);
    if ((err = ward_cursor_get_u8(&c, &version)) != WARD_OK) {
        goto out;
    }
    if (version != SHARE_VERSION) {
        err = WARD_E_BAD_VERSION;
        goto out;
    }
    if ((err = ward_cursor_copy(&c, out->kek_id, KEK_ID_LEN)) != WARD_OK ||
        (err = ward_cursor_get_u8(&c, &out->threshold)) != WARD_OK ||
        (err = ward_cursor_get_u8(&c, &out->x)) != WARD_OK ||
        (err = ward_cursor_copy(&c, out->y, KEY_LEN)) != WARD_OK) {
        goto out;
    }
    if (!ward_cursor_empty(&c) || out->x == 0 || out->x > WARD_MAX_SHARES || out->threshold == 0 ||
        out->threshold > WARD_MAX_SHARES) {
        err = WARD_E_BAD_SHARE;
        goto out;
    }
    err = WARD_OK;
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, sizeof(*out));
    }
    return err;
}

ward_err share_encode(struct ward_secret **out, const struct share *s)
{
    ward_err err = WARD_E_INTERNAL;
    struct ward_secret *raw = NULL;
    struct ward_secret *text = NULL;
    uint8_t *p;

    *out = NULL;
    if ((err = ward_secret_new(&raw, SHARE_BIN_LEN)) != WARD_OK ||
        (err = ward_secret_new(&text, ward_base64_encoded_len(SHARE_BIN_LEN) + 1)) != WARD_OK) {
        goto out;
    }
    p = raw->data;
    p[0] = SHARE_VERSION;
    memcpy(p + 1, s->kek_id, KEK_ID_LEN);
    p[1 + KEK_ID_LEN] = s->threshold;
    p[2 + KEK_ID_LEN] = s->x;
    memcpy(p + 3 + KEK_ID_LEN, s->y, KEY_LEN);
    if ((err = ward_base64_encode((char *)text->data, text->len, raw->data, raw->len)) != WARD_OK) {
        goto out;
    }
    text->len--; /* the NUL stays in capacity, outside len */
    *out = text;
    text = NULL;
    err = WARD_OK;
out:
    ward_secret_free(raw);
    ward_secret_free(text);
    return err;
}
