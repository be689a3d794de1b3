/*
 * ctext.c - parse and build the text forms of ciphertexts (ctext.h).
 *
 * The parser takes outside input: every length is checked against what is
 * left before it is used, the base64 decoder is strict (one encoding per
 * byte string), and a party name must be printable ASCII, so nothing that
 * reaches a log or a policy check can smuggle control bytes.
 */
#include "ctext.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/base64.h"

#define PREFIX_MANAGED "ward:v"
#define PREFIX_VAULT   "vault:v"

static bool party_ok(const char *p, size_t len)
{
    if (len == 0 || len > WARD_CT_PARTY_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x21 || p[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

/* parse_version reads the decimal after "v" up to ':' (1..WARD_KEY_MAX_VERSION-ish). */
static ward_err parse_version(const char *text, size_t len, size_t *pos, uint32_t *out)
{
    uint64_t v = 0;
    size_t i = *pos;

    if (i >= len || text[i] < '1' || text[i] > '9') {
        return WARD_E_BAD_CIPHERTEXT;
    }
    while (i < len && text[i] >= '0' && text[i] <= '9') {
        v = v * 10 + (uint64_t)(text[i] - '0');
        if (v > UINT32_MAX) {
            return WARD_E_BAD_CIPHERTEXT;
        }
        i++;
    }
    if (i >= len || text[i] != ':') {
        return WARD_E_BAD_CIPHERTEXT;
    }
    *pos = i + 1;
    *out = (uint32_t)v;
    return WARD_OK;
}

static ward_err decode_b64(struct ward_ct *ct, const char *in, size_t in_len)
{
    size_t n = 0;
    ward_err err;

    if (in_len == 0) {
        return WARD_E_BAD_CIPHERTEXT;
    }
    if ((err = ward_buf_reserve(&ct->bin, in_len / 4 * 3 + 3)) != WARD_OK) {
        return err;
    }
    err = ward_base64_decode(ct->bin.data, ct->bin.cap, &n, in, in_len);
    if (err != WARD_OK) {
        return err == WARD_E_BAD_ENCODING ? WARD_E_BAD_CIPHERTEXT : err;
    }
    ct->bin.len = n;
    return WARD_OK;
}

/* parse_header reads the managed header at the front of ct->bin. */
static ward_err parse_header(struct ward_ct *ct)
{
    struct ward_cursor c;
    const uint8_t *p;
    uint8_t format;
    uint8_t len;

    ward_cursor_init(&c, ct->bin.data, ct->bin.len);
    if (ward_cursor_get_u8(&c, &format) != WARD_OK) {
        return WARD_E_BAD_CIPHERTEXT;
    }
    if (format != WARD_CT_FORMAT_V1) {
        return WARD_E_BAD_VERSION;
    }
    if (ward_cursor_get_u8(&c, &ct->alg) != WARD_OK ||
        ward_cursor_copy(&c, ct->key_id, sizeof(ct->key_id)) != WARD_OK ||
        ward_cursor_get_u32(&c, &ct->version) != WARD_OK ||
        ward_cursor_get_u8(&c, &ct->flags) != WARD_OK || ct->version == 0 ||
        (ct->flags & ~(WARD_CT_FLAG_PARTIES | WARD_CT_FLAG_CONTEXT)) != 0) {
        return WARD_E_BAD_CIPHERTEXT;
    }
    if (ct->flags & WARD_CT_FLAG_PARTIES) {
        char *names[2] = { ct->from, ct->to };

        for (int i = 0; i < 2; i++) {
            if (ward_cursor_get_u8(&c, &len) != WARD_OK ||
                ward_cursor_get_bytes(&c, &p, len) != WARD_OK || !party_ok((const char *)p, len)) {
                return WARD_E_BAD_CIPHERTEXT;
            }
            memcpy(names[i], p, len);
            names[i][len] = '\0';
        }
    }
    ct->header_len = ct->bin.len - c.len;
    return WARD_OK;
}

ward_err ward_ct_parse(struct ward_ct *ct, const char *text, size_t len)
{
    size_t pos;
    ward_err err;

    memset(ct, 0, sizeof(*ct));
    ward_buf_init(&ct->bin, WARD_CT_MAX_TEXT / 4 * 3 + 3);
    if (len > WARD_CT_MAX_TEXT) {
        return WARD_E_TOO_LARGE;
    }
    if (len >= sizeof(PREFIX_MANAGED) - 1 &&
        memcmp(text, PREFIX_MANAGED, sizeof(PREFIX_MANAGED) - 1) == 0) {
        uint32_t format = 0;

        ct->format = WARD_CT_MANAGED;
        pos = sizeof(PREFIX_MANAGED) - 1;
        if ((err = parse_version(text, len, &pos, &format)) != WARD_OK) {
            return err;
        }
        if (format != WARD_CT_FORMAT_V1) {
            return WARD_E_BAD_VERSION;
        }
        if ((err = decode_b64(ct, text + pos, len - pos)) != WARD_OK) {
            return err;
        }
        return parse_header(ct);
    }
    if (len >= sizeof(PREFIX_VAULT) - 1 &&
        memcmp(text, PREFIX_VAULT, sizeof(PREFIX_VAULT) - 1) == 0) {
        ct->format = WARD_CT_VAULT;
        pos = sizeof(PREFIX_VAULT) - 1;
        if ((err = parse_version(text, len, &pos, &ct->version)) != WARD_OK) {
            return err;
        }
        return decode_b64(ct, text + pos, len - pos);
    }
    ct->format = WARD_CT_RAW;
    return decode_b64(ct, text, len);
}

void ward_ct_cleanup(struct ward_ct *ct)
{
    ward_buf_cleanup(&ct->bin);
}

const uint8_t *ward_ct_body(const struct ward_ct *ct, size_t *len)
{
    *len = ct->bin.len - ct->header_len;
    return ct->bin.data + ct->header_len;
}

ward_err ward_ct_header(struct ward_buf *out, const struct ward_ct_head *h)
{
    const char *from = h->from;
    const char *to = h->to;
    uint8_t flags = h->flags;
    ward_err err;

    if ((from == NULL) != (to == NULL)) {
        return WARD_E_INVALID;
    }
    if (from != NULL) {
        if (!party_ok(from, strlen(from)) || !party_ok(to, strlen(to))) {
            return WARD_E_INVALID;
        }
        flags |= WARD_CT_FLAG_PARTIES;
    } else {
        flags &= (uint8_t)~WARD_CT_FLAG_PARTIES;
    }
    if ((err = ward_buf_append_u8(out, WARD_CT_FORMAT_V1)) != WARD_OK ||
        (err = ward_buf_append_u8(out, h->alg)) != WARD_OK ||
        (err = ward_buf_append(out, h->key_id, 16)) != WARD_OK ||
        (err = ward_buf_append_u32(out, h->version)) != WARD_OK ||
        (err = ward_buf_append_u8(out, flags)) != WARD_OK) {
        return err;
    }
    if (from != NULL) {
        const char *names[2] = { from, to };

        for (int i = 0; i < 2; i++) {
            size_t n = strlen(names[i]);

            if ((err = ward_buf_append_u8(out, (uint8_t)n)) != WARD_OK ||
                (err = ward_buf_append(out, names[i], n)) != WARD_OK) {
                return err;
            }
        }
    }
    return WARD_OK;
}

ward_err ward_ct_text(struct ward_buf *out, enum ward_ct_format format, uint32_t version,
                      const uint8_t *bin, size_t bin_len)
{
    char prefix[32] = "";
    size_t n = ward_base64_encoded_len(bin_len);
    ward_err err;

    if (format == WARD_CT_MANAGED) {
        (void)snprintf(prefix, sizeof(prefix), "ward:v%d:", WARD_CT_FORMAT_V1);
    } else if (format == WARD_CT_VAULT) {
        (void)snprintf(prefix, sizeof(prefix), "vault:v%u:", version);
    }
    if ((err = ward_buf_append_str(out, prefix)) != WARD_OK ||
        (err = ward_buf_reserve(out, n + 1)) != WARD_OK) {
        return err;
    }
    /*
     * Ciphertext is not secret, so the fast table-driven encoder serves here
     * (ward_base64_encode is constant-time for secrets, and 3x slower).
     */
    if (bin_len > INT_MAX / 2 ||
        EVP_EncodeBlock(out->data + out->len, bin, (int)bin_len) != (int)n) {
        return WARD_E_TOO_LARGE;
    }
    out->len += n;
    return WARD_OK;
}
