/*
 * transit.c - libward's typed transit calls: encrypt and decrypt, the two
 * whose bodies or answers carry plaintext. The other transit paths go
 * through ward_client_request.
 *
 * SECURITY: the request body is built by hand in a struct ward_buf (wiped on
 * cleanup), never by jansson, whose copies could not be wiped; every string
 * put into it is checked to need no JSON escaping. The decoded plaintext of
 * an answer lives in a buffer that _cleanup wipes; jansson's parsed copy of
 * the answer is beyond libward's control (ward/ward.h).
 */
#include <stdio.h>
#include <string.h>

#include "base/base64.h"
#include "base/mem.h"
#include "client_int.h"

/* A ciphertext of 12 MiB (the server's cap) plus the other fields. */
#define TRANSIT_BODY_MAX (13u << 20)
#define TRANSIT_PATH_MAX 192u

bool ward_client_json_safe(const char *s)
{
    if (s == NULL) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\') {
            return false;
        }
    }
    return true;
}

bool ward_client_key_name_ok(const char *s)
{
    size_t len = s != NULL ? strlen(s) : 0;

    if (len == 0 || len > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
        return false;
    }
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-") == len;
}

/* add_field appends "name":value to the object being built in b (quoted when quote). */
static ward_err add_field(struct ward_buf *b, const char *name, const char *value, bool quote)
{
    ward_err err;

    if (!ward_client_json_safe(value)) {
        return WARD_E_INVALID;
    }
    if ((err = ward_buf_append_str(b, b->len > 1 ? ",\"" : "\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, name)) != WARD_OK ||
        (err = ward_buf_append_str(b, quote ? "\":\"" : "\":")) != WARD_OK ||
        (err = ward_buf_append_str(b, value)) != WARD_OK) {
        return err;
    }
    return quote ? ward_buf_append_u8(b, '"') : WARD_OK;
}

/* add_plaintext appends "plaintext":"<base64 of in>", encoding straight into b. */
static ward_err add_plaintext(struct ward_buf *b, const uint8_t *in, size_t in_len)
{
    size_t n = ward_base64_encoded_len(in_len);
    ward_err err;

    if ((err = ward_buf_append_str(b, "\"plaintext\":\"")) != WARD_OK ||
        (err = ward_buf_reserve(b, n + 1)) != WARD_OK ||
        (err = ward_base64_encode((char *)b->data + b->len, n + 1, in_len > 0 ? in : NULL,
                                  in_len)) != WARD_OK) {
        return err;
    }
    b->len += n;
    return ward_buf_append_u8(b, '"');
}

ward_err ward_client_transit_body(struct ward_buf *b, const struct ward_client_transit_req *req,
                                  bool encrypt)
{
    char num[16];
    ward_err err;

    if ((err = ward_buf_append_u8(b, '{')) != WARD_OK) {
        return err;
    }
    err = encrypt ? add_plaintext(b, req->plaintext, req->plaintext_len)
                  : add_field(b, "ciphertext", req->ciphertext, true);
    if (err == WARD_OK && req->context != NULL) {
        err = add_field(b, "context", req->context, true);
    }
    if (err == WARD_OK && encrypt && req->format != NULL) {
        err = add_field(b, "ciphertext_format", req->format, true);
    }
    if (err == WARD_OK && req->key_version != 0) {
        (void)snprintf(num, sizeof(num), "%u", (unsigned)req->key_version);
        err = add_field(b, "key_version", num, false);
    }
    if (err == WARD_OK) {
        err = ward_buf_append_u8(b, '}');
    }
    return err == WARD_OK ? ward_buf_terminate(b) : err;
}

/* post sends req to path and parses the answer; *out_data borrows from *out_root. */
static ward_err post(struct ward_client *c, json_t **out_root, const json_t **out_data,
                     const char *path, const struct ward_client_transit_req *req, bool encrypt)
{
    struct client_req r = { "POST", path, NULL, 0, false };
    struct ward_buf b;
    ward_err err = WARD_E_INTERNAL;

    *out_root = NULL;
    *out_data = NULL;
    ward_buf_init(&b, TRANSIT_BODY_MAX);
    if ((err = ward_client_transit_body(&b, req, encrypt)) != WARD_OK) {
        err = ward_client_fail(c, err,
                               err == WARD_E_INVALID
                                   ? "ciphertext, context and format must be plain ASCII text"
                                   : "request is too large");
        goto out;
    }
    r.body = (const char *)b.data;
    r.body_len = b.len;
    if ((err = ward_client_send(c, &r)) != WARD_OK ||
        (err = ward_client_parse_body(c, out_root)) != WARD_OK) {
        goto out;
    }
    *out_data = json_object_get(*out_root, "data");
    err = json_is_object(*out_data)
              ? WARD_OK
              : ward_client_fail(c, WARD_E_BAD_ENCODING, "unexpected response to %s", path);
out:
    ward_buf_cleanup(&b);
    return err;
}

static ward_err key_path(struct ward_client *c, char *out, const char *kind, const char *name)
{
    if (!ward_client_key_name_ok(name)) {
        return ward_client_fail(c, WARD_E_INVALID, "a key name is 1 to 128 of A-Z a-z 0-9 _ . @ -");
    }
    (void)snprintf(out, TRANSIT_PATH_MAX, "/v1/transit/%s/%s", kind, name);
    return WARD_OK;
}

void ward_client_transit_result_cleanup(struct ward_client_transit_result *r)
{
    ward_free(r->ciphertext);
    ward_free_wipe(r->plaintext, r->plaintext_len);
    memset(r, 0, sizeof(*r));
}

ward_err ward_client_transit_encrypt(struct ward_client *c, struct ward_client_transit_result *out,
                                     const struct ward_client_transit_req *req)
{
    char path[TRANSIT_PATH_MAX];
    json_t *root = NULL;
    const json_t *data = NULL;
    const char *ct;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = key_path(c, path, "encrypt", req->key_name)) != WARD_OK ||
        (err = post(c, &root, &data, path, req, true)) != WARD_OK) {
        goto out;
    }
    if ((ct = json_string_value(json_object_get(data, "ciphertext"))) == NULL ||
        ward_client_json_u32(data, "key_version", &out->key_version) != WARD_OK) {
        err = ward_client_fail(c, WARD_E_BAD_ENCODING, "unexpected response to %s", path);
        goto out;
    }
    if ((out->ciphertext = ward_strdup(ct)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    err = WARD_OK;
out:
    json_decref(root);
    return err;
}

/* decode_plaintext decodes the answer's base64 "plaintext" into out. */
static ward_err decode_plaintext(struct ward_client_transit_result *out, const json_t *data)
{
    const json_t *v = json_object_get(data, "plaintext");
    size_t len = json_string_length(v);
    size_t cap = len / 4 * 3 + 1;

    if (!json_is_string(v)) {
        return WARD_E_BAD_ENCODING;
    }
    if ((out->plaintext = ward_alloc(cap)) == NULL) {
        return WARD_E_NOMEM;
    }
    out->plaintext_len = cap; /* so that a failure below still wipes all of it */
    return ward_base64_decode(out->plaintext, cap, &out->plaintext_len, json_string_value(v), len);
}

ward_err ward_client_transit_decrypt(struct ward_client *c, struct ward_client_transit_result *out,
                                     const struct ward_client_transit_req *req)
{
    char path[TRANSIT_PATH_MAX] = "/v1/ward/decrypt";
    json_t *root = NULL;
    const json_t *data = NULL;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((req->key_name != NULL && (err = key_path(c, path, "decrypt", req->key_name)) != WARD_OK) ||
        (err = post(c, &root, &data, path, req, false)) != WARD_OK) {
        goto out;
    }
    if ((err = decode_plaintext(out, data)) != WARD_OK ||
        (err = ward_client_json_str(data, "key_name", out->key_name, sizeof(out->key_name))) !=
            WARD_OK) {
        err = err == WARD_E_NOMEM
                  ? err
                  : ward_client_fail(c, WARD_E_BAD_ENCODING, "unexpected response to %s", path);
        goto out;
    }
    err = WARD_OK;
out:
    json_decref(root);
    if (err != WARD_OK) {
        ward_client_transit_result_cleanup(out);
    }
    return err;
}
