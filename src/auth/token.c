/*
 * token.c - the token format: payload codec, base64url text and the tag.
 *
 * Text: "w.s." + base64url without padding of (payload || tag), where
 * tag = HMAC-SHA-256(token key, payload). Payload, version 1, big-endian:
 *
 *   offset  size  field
 *   0       1     version (1)
 *   1       1     flags: bit 0 renewable; other bits zero
 *   2       16    id (random)
 *   18      16    accessor (random)
 *   34      8     issue time, ms since the epoch
 *   42      8     expiry, ms (> issue time)
 *   50      8     maximum expiry, ms (>= expiry)
 *   58      4     ttl_s (creation TTL, renew's default increment)
 *   62      4     num_uses (0 = unlimited)
 *   66      1+n   tenant: length (0..64), bytes
 *   ..      1+n   principal: length (1..64), bytes
 *   ..      1     number of policies (0..16), then each: length (1..64), bytes
 *
 * Nothing may follow. The tag is checked before any payload byte is parsed,
 * so the parser only ever sees bytes this Ward instance wrote; it is strict
 * anyway (a stored accessor record is parsed with it too, and fuzzed).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "crypto/crypto.h"

#define PAYLOAD_VERSION 1
#define FLAG_RENEWABLE  0x01u
#define FIXED_LEN       66
#define PREFIX          "w.s."
#define PREFIX_LEN      4
#define MAX_PAYLOAD                                  \
    (FIXED_LEN + 2 * (1 + WARD_TOKEN_NAME_MAX) + 1 + \
     WARD_TOKEN_MAX_POLICIES * (1 + WARD_TOKEN_NAME_MAX))
#define MAX_RAW (MAX_PAYLOAD + WARD_SHA256_LEN)

static const char g_b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool ward_token_name_ok(const char *name)
{
    size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.@-");

    return n > 0 && n <= WARD_TOKEN_NAME_MAX && name[n] == '\0';
}

/* principal_ok: printable ASCII without quotes or backslashes, 1..64 bytes. */
static bool principal_ok(const char *s, bool may_be_empty)
{
    size_t n = strlen(s);

    if (n > WARD_TOKEN_NAME_MAX || (n == 0 && !may_be_empty)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') {
            return false;
        }
    }
    return true;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool info_ok(const struct ward_token_info *info)
{
    if (info->issue_ms < 0 || info->expire_ms <= info->issue_ms ||
        info->max_expire_ms < info->expire_ms || info->num_policies > WARD_TOKEN_MAX_POLICIES ||
        !principal_ok(info->tenant, true) || !principal_ok(info->principal, false)) {
        return false;
    }
    for (size_t i = 0; i < info->num_policies; i++) {
        if (!ward_token_name_ok(info->policies[i])) {
            return false;
        }
    }
    return true;
}

static ward_err put_str(struct ward_buf *out, const char *s)
{
    uint8_t n = (uint8_t)strlen(s);
    ward_err err = ward_buf_append(out, &n, 1);

    return err == WARD_OK && n > 0 ? ward_buf_append(out, (const uint8_t *)s, n) : err;
}

ward_err ward_token_payload_encode(struct ward_buf *out, const struct ward_token_info *info)
{
    uint8_t fixed[FIXED_LEN];
    uint8_t count = (uint8_t)info->num_policies;
    ward_err err;

    if (info->root || !info_ok(info)) {
        return WARD_E_INVALID;
    }
    fixed[0] = PAYLOAD_VERSION;
    fixed[1] = info->renewable ? FLAG_RENEWABLE : 0;
    memcpy(fixed + 2, info->id, WARD_TOKEN_ID_LEN);
    memcpy(fixed + 18, info->accessor, WARD_TOKEN_ID_LEN);
    put_u64(fixed + 34, (uint64_t)info->issue_ms);
    put_u64(fixed + 42, (uint64_t)info->expire_ms);
    put_u64(fixed + 50, (uint64_t)info->max_expire_ms);
    put_u32(fixed + 58, info->ttl_s);
    put_u32(fixed + 62, info->num_uses);
    if ((err = ward_buf_append(out, fixed, sizeof(fixed))) != WARD_OK ||
        (err = put_str(out, info->tenant)) != WARD_OK ||
        (err = put_str(out, info->principal)) != WARD_OK ||
        (err = ward_buf_append(out, &count, 1)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < info->num_policies; i++) {
        if ((err = put_str(out, info->policies[i])) != WARD_OK) {
            return err;
        }
    }
    return WARD_OK;
}

/* get_str reads a length-prefixed name into out (NUL-terminated). */
static bool get_str(char out[WARD_TOKEN_NAME_MAX + 1], const uint8_t *in, size_t in_len,
                    size_t *pos)
{
    size_t n;

    if (*pos >= in_len) {
        return false;
    }
    n = in[(*pos)++];
    if (n > WARD_TOKEN_NAME_MAX || n > in_len - *pos || memchr(in + *pos, '\0', n) != NULL) {
        return false;
    }
    memcpy(out, in + *pos, n);
    out[n] = '\0';
    *pos += n;
    return true;
}

ward_err ward_token_payload_parse(struct ward_token_info *out, const uint8_t *in, size_t in_len)
{
    size_t pos = FIXED_LEN;
    size_t count;

    memset(out, 0, sizeof(*out));
    if (in_len < FIXED_LEN + 3 || in_len > MAX_PAYLOAD || in[0] != PAYLOAD_VERSION ||
        (in[1] & ~FLAG_RENEWABLE) != 0) {
        return WARD_E_BAD_ENCODING;
    }
    out->renewable = (in[1] & FLAG_RENEWABLE) != 0;
    memcpy(out->id, in + 2, WARD_TOKEN_ID_LEN);
    memcpy(out->accessor, in + 18, WARD_TOKEN_ID_LEN);
    /* times above INT64_MAX come out negative and fail info_ok */
    out->issue_ms = (int64_t)get_u64(in + 34);
    out->expire_ms = (int64_t)get_u64(in + 42);
    out->max_expire_ms = (int64_t)get_u64(in + 50);
    out->ttl_s = get_u32(in + 58);
    out->num_uses = get_u32(in + 62);
    if (!get_str(out->tenant, in, in_len, &pos) || !get_str(out->principal, in, in_len, &pos) ||
        pos >= in_len) {
        return WARD_E_BAD_ENCODING;
    }
    count = in[pos++];
    if (count > WARD_TOKEN_MAX_POLICIES) {
        return WARD_E_BAD_ENCODING;
    }
    for (size_t i = 0; i < count; i++) {
        if (!get_str(out->policies[i], in, in_len, &pos)) {
            return WARD_E_BAD_ENCODING;
        }
    }
    out->num_policies = count;
    if (pos != in_len || !info_ok(out)) {
        memset(out, 0, sizeof(*out));
        return WARD_E_BAD_ENCODING;
    }
    return WARD_OK;
}

/* b64url_encode appends the unpadded base64url text of in to out. */
static ward_err b64url_encode(struct ward_buf *out, const uint8_t *in, size_t n)
{
    char quad[4];
    ward_err err = WARD_OK;

    for (size_t i = 0; i < n && err == WARD_OK; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t left = n - i;

        v |= left > 1 ? (uint32_t)in[i + 1] << 8 : 0;
        v |= left > 2 ? in[i + 2] : 0;
        quad[0] = g_b64url[(v >> 18) & 63];
        quad[1] = g_b64url[(v >> 12) & 63];
        quad[2] = g_b64url[(v >> 6) & 63];
        quad[3] = g_b64url[v & 63];
        err = ward_buf_append(out, (const uint8_t *)quad, left >= 3 ? 4 : left + 1);
    }
    OPENSSL_cleanse(quad, sizeof(quad));
    return err;
}

static int b64url_val(char c)
{
    const char *p = c != '\0' ? strchr(g_b64url, c) : NULL;

    return p != NULL ? (int)(p - g_b64url) : -1;
}

/*
 * b64url_decode decodes unpadded base64url strictly: only the alphabet, no
 * length of 1 mod 4, zero bits past the last byte (one text per value).
 */
static bool b64url_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in, size_t n)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    if (n % 4 == 1 || n / 4 * 3 + 2 > out_cap) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int d = b64url_val(in[i]);

        if (d < 0) {
            return false;
        }
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    *out_len = o;
    return acc == 0; /* the unused low bits of the last character */
}

ward_err ward_token_encode(struct ward_buf *out, const uint8_t key[WARD_TOKEN_KEY_LEN],
                           const struct ward_token_info *info)
{
    uint8_t raw[MAX_RAW];
    struct ward_buf payload;
    ward_err err = WARD_E_INTERNAL;

    ward_buf_init(&payload, MAX_PAYLOAD);
    if ((err = ward_token_payload_encode(&payload, info)) != WARD_OK) {
        goto out;
    }
    memcpy(raw, payload.data, payload.len);
    if ((err = ward_hmac_sha256(raw + payload.len, key, WARD_TOKEN_KEY_LEN, payload.data,
                                payload.len)) != WARD_OK ||
        (err = ward_buf_append(out, (const uint8_t *)PREFIX, PREFIX_LEN)) != WARD_OK ||
        (err = b64url_encode(out, raw, payload.len + WARD_SHA256_LEN)) != WARD_OK) {
        goto out;
    }
    err = ward_buf_terminate(out);
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    ward_buf_cleanup(&payload);
    return err;
}

ward_err ward_token_decode(struct ward_token_info *out, const uint8_t key[WARD_TOKEN_KEY_LEN],
                           const char *text, size_t text_len)
{
    uint8_t raw[MAX_RAW + 3];
    uint8_t tag[WARD_SHA256_LEN];
    size_t n = 0;
    ward_err err = WARD_E_TOKEN_INVALID;

    memset(out, 0, sizeof(*out));
    if (text_len <= PREFIX_LEN || text_len > WARD_TOKEN_MAX_TEXT ||
        memcmp(text, PREFIX, PREFIX_LEN) != 0 ||
        !b64url_decode(raw, sizeof(raw), &n, text + PREFIX_LEN, text_len - PREFIX_LEN) ||
        n <= WARD_SHA256_LEN) {
        goto out;
    }
    n -= WARD_SHA256_LEN;
    if (ward_hmac_sha256(tag, key, WARD_TOKEN_KEY_LEN, raw, n) != WARD_OK) {
        err = WARD_E_CRYPTO;
        goto out;
    }
    /* SECURITY: constant time, and nothing is parsed before the tag matches */
    if (!ward_ct_equal(tag, raw + n, WARD_SHA256_LEN) ||
        ward_token_payload_parse(out, raw, n) != WARD_OK) {
        memset(out, 0, sizeof(*out));
        goto out;
    }
    err = WARD_OK;
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(tag, sizeof(tag));
    return err;
}

void ward_accessor_hex(char out[WARD_ACCESSOR_HEX_LEN + 1], const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < WARD_TOKEN_ID_LEN; i++) {
        out[2 * i] = digits[acc[i] >> 4];
        out[2 * i + 1] = digits[acc[i] & 15];
    }
    out[WARD_ACCESSOR_HEX_LEN] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool ward_accessor_parse(uint8_t out[WARD_TOKEN_ID_LEN], const char *hex)
{
    if (strlen(hex) != WARD_ACCESSOR_HEX_LEN) {
        return false;
    }
    for (size_t i = 0; i < WARD_TOKEN_ID_LEN; i++) {
        int hi = hexval(hex[2 * i]);
        int lo = hexval(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}
