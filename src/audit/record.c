/*
 * record.c - audit record lines: the members of a request or response, the
 * chain (seq, prev) and the MAC. The exact bytes are in
 * docs/storage-format.md "Audit records"; the verifier (verify.c) reads
 * what this writes.
 *
 * Keeper-side; no state, thread-safe.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "audit_int.h"
#include "crypto/crypto.h"

const char *const g_audit_types[] = { "header", "request", "response", "close", "notice" };

void ward_audit_hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_val(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    return -1;
}

ward_err ward_audit_unhex(uint8_t *out, size_t n, const char *hex, size_t hex_len)
{
    if (hex_len != 2 * n) {
        return WARD_E_BAD_ENCODING;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(hex[2 * i]);
        int lo = hex_val(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return WARD_E_BAD_ENCODING;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return WARD_OK;
}

ward_err audit_json_str(struct ward_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    ward_err err = ward_buf_append_u8(b, '"');

    for (const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
         *p != '\0' && err == WARD_OK; p++) {
        size_t run = 0;

        while (p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\') {
            run++;
        }
        if (run > 0) { /* plain bytes in one append */
            err = ward_buf_append(b, p, run);
            p += run - 1;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            uint8_t esc[2] = { '\\', *p };

            err = ward_buf_append(b, esc, sizeof(esc));
        } else if (*p < 0x20 || *p >= 0x7f) {
            /* SECURITY: one escape per byte keeps any input valid JSON and ASCII */
            uint8_t esc[6] = { '\\', 'u', '0', '0', (uint8_t)hex[*p >> 4], (uint8_t)hex[*p & 15] };

            err = ward_buf_append(b, esc, sizeof(esc));
        } else {
            err = ward_buf_append_u8(b, *p);
        }
    }
    return err == WARD_OK ? ward_buf_append_u8(b, '"') : err;
}

void audit_time_now(char out[AUDIT_TIME_LEN + 1])
{
    struct timespec ts;
    struct tm tm;
    char text[96];

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    if (gmtime_r(&ts.tv_sec, &tm) == NULL) {
        memset(&tm, 0, sizeof(tm));
    }
    /* the widths are exact for years 0..9999; a wider text is cut to the fixed length */
    (void)snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
                   (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, (long)(ts.tv_nsec / 1000) % 1000000);
    memcpy(out, text, AUDIT_TIME_LEN);
    out[AUDIT_TIME_LEN] = '\0';
}

/* member appends ,"name":"value" (lead = false: without the comma). */
static ward_err member(struct ward_buf *b, const char *name, const char *value, bool lead)
{
    ward_err err;

    if ((err = ward_buf_append_str(b, lead ? ",\"" : "\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, name)) != WARD_OK ||
        (err = ward_buf_append_str(b, "\":")) != WARD_OK) {
        return err;
    }
    return audit_json_str(b, value);
}

static ward_err member_num(struct ward_buf *b, const char *name, int64_t v)
{
    char text[48];

    (void)snprintf(text, sizeof(text), ",\"%s\":%" PRId64, name, v);
    return ward_buf_append_str(b, text);
}

static ward_err head_members(struct ward_buf *b, const char *node)
{
    char now[AUDIT_TIME_LEN + 1];
    ward_err err;

    audit_time_now(now);
    if ((err = member(b, "time", now, false)) != WARD_OK) {
        return err;
    }
    return member(b, "node", node, true);
}

static ward_err auth_members(struct ward_buf *b, const struct ward_audit_auth *auth,
                             const char *accessor_hmac)
{
    ward_err err;

    if ((err = ward_buf_append_str(b, ",\"auth\":{")) != WARD_OK ||
        (err = member(b, "accessor_hmac", accessor_hmac, false)) != WARD_OK ||
        (err = member(b, "principal", auth->principal, true)) != WARD_OK ||
        (err = ward_buf_append_str(b, ",\"policies\":[")) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < auth->num_policies && i < WARD_AUDIT_MAX_POLICIES; i++) {
        if ((i > 0 && (err = ward_buf_append_u8(b, ',')) != WARD_OK) ||
            (err = audit_json_str(b, auth->policies[i])) != WARD_OK) {
            return err;
        }
    }
    return ward_buf_append_str(b, "]}");
}

ward_err audit_event_text(struct ward_buf *out, const struct ward_audit_event *ev, const char *node,
                          const char *accessor_hmac)
{
    ward_err err;

    if ((err = head_members(out, node)) != WARD_OK ||
        (err = member(out, "request_id", ev->request_id, true)) != WARD_OK ||
        (err = auth_members(out, &ev->auth, accessor_hmac)) != WARD_OK ||
        (err = member(out, "remote_address", ev->remote_addr, true)) != WARD_OK ||
        (err = member(out, "method", ev->method, true)) != WARD_OK ||
        (err = member(out, "operation", ev->operation, true)) != WARD_OK ||
        (err = member(out, "path", ev->path, true)) != WARD_OK ||
        (err = member(out, "key", ev->key, true)) != WARD_OK) {
        return err;
    }
    if (ev->kind != WARD_AUDIT_RESPONSE) {
        return WARD_OK;
    }
    if ((err = member_num(out, "status", ev->status)) != WARD_OK ||
        (err = member(out, "error_code", ev->error, true)) != WARD_OK) {
        return err;
    }
    return member_num(out, "duration_us", ev->duration_us);
}

ward_err audit_simple_text(struct ward_buf *out, const char *node, const char *name,
                           const char *str, uint64_t num)
{
    ward_err err;

    if ((err = head_members(out, node)) != WARD_OK) {
        return err;
    }
    return str != NULL ? member(out, name, str, true) : member_num(out, name, (int64_t)num);
}

ward_err audit_derive_file_key(uint8_t out[WARD_AUDIT_KEY_LEN], const uint8_t *audit_key,
                               const uint8_t start[WARD_AUDIT_HASH_LEN])
{
    char info[19 + WARD_AUDIT_HEX_LEN + 1] = "ward-audit-file-v1:";

    ward_audit_hex(info + 19, start, WARD_AUDIT_HASH_LEN);
    return ward_hmac_sha256(out, audit_key, WARD_AUDIT_KEY_LEN, (const uint8_t *)info,
                            strlen(info));
}

ward_err audit_line(struct ward_buf *out, struct audit_chain *ch, enum audit_type type,
                    const char *text, size_t text_len, const uint8_t *key)
{
    char head[64];
    char hex[WARD_AUDIT_HEX_LEN + 1];
    uint8_t mac[WARD_AUDIT_HASH_LEN];
    ward_err err;

    ward_buf_reset(out);
    (void)snprintf(head, sizeof(head), "{\"type\":\"%s\",\"seq\":%" PRIu64 ",", g_audit_types[type],
                   ch->seq);
    ward_audit_hex(hex, ch->prev, WARD_AUDIT_HASH_LEN);
    if ((err = ward_buf_append_str(out, head)) != WARD_OK ||
        (err = ward_buf_append(out, text, text_len)) != WARD_OK ||
        (err = ward_buf_append_str(out, ",\"prev\":\"")) != WARD_OK ||
        (err = ward_buf_append_str(out, hex)) != WARD_OK ||
        (err = ward_buf_append_str(out, "\"}")) != WARD_OK) {
        return err;
    }
    hex[0] = '\0';
    if (key != NULL) {
        /* the MAC covers the line without its mac member: it ends in "...\"}" here */
        if ((err = ward_hmac_sha256(mac, key, WARD_AUDIT_KEY_LEN, out->data, out->len)) !=
            WARD_OK) {
            return err;
        }
        ward_audit_hex(hex, mac, sizeof(mac));
    }
    out->len--; /* drop the '}' again */
    if ((err = ward_buf_append_str(out, ",\"mac\":\"")) != WARD_OK ||
        (err = ward_buf_append_str(out, hex)) != WARD_OK ||
        (err = ward_buf_append_str(out, "\"}")) != WARD_OK) {
        return err;
    }
    ward_sha256(ch->prev, out->data, out->len);
    ch->seq++;
    return ward_buf_append_u8(out, '\n');
}

ward_err audit_line_mac(const uint8_t *line, size_t len, size_t *mac_at, size_t *mac_len)
{
    static const char tag[] = ",\"mac\":\"";
    const size_t tag_len = sizeof(tag) - 1;

    /* the line ends in ,"mac":"" or ,"mac":"<64 hex>" then "}" */
    for (size_t n = 0; n <= WARD_AUDIT_HEX_LEN; n += WARD_AUDIT_HEX_LEN) {
        size_t at;

        if (len < tag_len + n + 2) {
            continue;
        }
        at = len - 2 - n - tag_len;
        if (memcmp(line + at, tag, tag_len) == 0 && line[len - 2] == '"' && line[len - 1] == '}') {
            *mac_at = at;
            *mac_len = n;
            return WARD_OK;
        }
    }
    return WARD_E_BAD_ENCODING;
}
