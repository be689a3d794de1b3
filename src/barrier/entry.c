/*
 * entry.c - the barrier entry: how every stored value is sealed.
 *
 *   offset  size  field
 *   0       1     format version (1)
 *   1       4     term: keyring term of the key used (0 = the root key)
 *   5       12    nonce, random per write
 *   17      n     AES-256-GCM ciphertext of the value
 *   17+n    16    GCM tag
 *
 * Associated data = bytes 0..4 (version, term) || the storage path. So an
 * entry copied to another path, or relabelled with another term, fails its
 * tag; a forged entry fails without the key.
 */
#include <string.h>

#include "barrier_int.h"

static ward_err build_aad(struct ward_buf *aad, const uint8_t header[5], const char *path)
{
    ward_err err;

    if ((err = ward_buf_append(aad, header, 5)) != WARD_OK) {
        return err;
    }
    return ward_buf_append_str(aad, path);
}

ward_err entry_parse(struct entry_header *out, const uint8_t *in, size_t in_len)
{
    struct ward_cursor c;

    memset(out, 0, sizeof(*out));
    ward_cursor_init(&c, in, in_len);
    if (ward_cursor_get_u8(&c, &out->version) != WARD_OK) {
        return WARD_E_INTEGRITY;
    }
    if (out->version != ENTRY_VERSION) {
        return WARD_E_BAD_VERSION;
    }
    if (ward_cursor_get_u32(&c, &out->term) != WARD_OK ||
        ward_cursor_get_bytes(&c, &out->nonce, WARD_AEAD_NONCE_LEN) != WARD_OK ||
        c.len < WARD_AEAD_TAG_LEN) {
        return WARD_E_INTEGRITY;
    }
    out->sealed = c.p;
    out->sealed_len = c.len;
    return WARD_OK;
}

ward_err entry_seal(struct ward_buf *out, const uint8_t *key, uint32_t term, const char *path,
                    const uint8_t *value, size_t value_len)
{
    ward_err err = WARD_E_INTERNAL;
    uint8_t header[ENTRY_HEADER_LEN];
    struct ward_buf aad;
    struct ward_aead_op op;

    ward_buf_init(&aad, WARD_STORE_MAX_PATH + 5);
    if (value_len > WARD_MAX_ENTRY_VALUE) {
        err = WARD_E_TOO_LARGE;
        goto out;
    }
    header[0] = ENTRY_VERSION;
    ward_put_u32(header + 1, term);
    if ((err = ward_crypto_random(header + 5, WARD_AEAD_NONCE_LEN)) != WARD_OK ||
        (err = build_aad(&aad, header, path)) != WARD_OK ||
        (err = ward_buf_append(out, header, sizeof(header))) != WARD_OK ||
        (err = ward_buf_reserve(out, value_len + WARD_AEAD_TAG_LEN)) != WARD_OK) {
        goto out;
    }
    op = (struct ward_aead_op){ .key = key,
                                .nonce = header + 5,
                                .aad = aad.data,
                                .aad_len = aad.len,
                                .in = value,
                                .in_len = value_len };
    if ((err = ward_aead_seal(out->data + out->len, out->cap - out->len, &op)) != WARD_OK) {
        goto out;
    }
    out->len += value_len + WARD_AEAD_TAG_LEN;
    err = WARD_OK;
out:
    ward_buf_cleanup(&aad);
    return err;
}

ward_err entry_open(uint8_t *out, size_t out_cap, const uint8_t *key, const struct entry_header *h,
                    const char *path)
{
    ward_err err = WARD_E_INTERNAL;
    uint8_t header[5];
    struct ward_buf aad;
    struct ward_aead_op op;

    ward_buf_init(&aad, WARD_STORE_MAX_PATH + 5);
    header[0] = h->version;
    ward_put_u32(header + 1, h->term);
    if ((err = build_aad(&aad, header, path)) != WARD_OK) {
        goto out;
    }
    op = (struct ward_aead_op){ .key = key,
                                .nonce = h->nonce,
                                .aad = aad.data,
                                .aad_len = aad.len,
                                .in = h->sealed,
                                .in_len = h->sealed_len };
    err = ward_aead_open(out, out_cap, &op);
out:
    ward_buf_cleanup(&aad);
    return err;
}
