/*
 * decode.c - libward's readers of server answers: error bodies and the
 * JSON fields of the sys API. Pure functions of their inputs.
 *
 * Error body (Vault's shape plus Ward's stable codes):
 *   {"errors":["message", ...], "codes":["stable_name", ...]}
 */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "client_int.h"

struct code_row {
    ward_err code;
    const char *name;
};

static const struct code_row g_codes[] = {
#define WARD_ERR(sym, num, name, http, kmip, msg) { WARD_E_##sym, name },
#include "ward/err.def"
#undef WARD_ERR
};

ward_err ward_client_err_from_name(const char *name)
{
    if (name == NULL) {
        return WARD_E_INTERNAL;
    }
    for (size_t i = 0; i < sizeof(g_codes) / sizeof(g_codes[0]); i++) {
        if (strcmp(g_codes[i].name, name) == 0) {
            return g_codes[i].code;
        }
    }
    return WARD_E_INTERNAL;
}

/* guess_from_status names the error of an answer without "codes" (e.g. Vault's). */
static ward_err guess_from_status(int status)
{
    switch (status) {
    case 400:
        return WARD_E_INVALID;
    case 403:
        return WARD_E_PERMISSION;
    case 404:
        return WARD_E_NOT_FOUND;
    case 409:
        return WARD_E_CONFLICT;
    case 413:
        return WARD_E_TOO_LARGE;
    case 503:
        return WARD_E_SEALED;
    default:
        return WARD_E_INTERNAL;
    }
}

static const char *first_string(const json_t *o, const char *name)
{
    const json_t *a = json_object_get(o, name);

    if (!json_is_array(a) || json_array_size(a) == 0) {
        return NULL;
    }
    return json_string_value(json_array_get(a, 0));
}

void ward_client_decode_error(ward_err *out_err, char *msg, size_t msg_cap, int status,
                              const char *body, size_t len)
{
    json_t *root = NULL;
    const char *text = NULL;
    const char *code = NULL;

    *out_err = guess_from_status(status);
    if (body != NULL && len > 0) {
        root = json_loadb(body, len, 0, NULL);
    }
    if (json_is_object(root)) {
        text = first_string(root, "errors");
        code = first_string(root, "codes");
    }
    if (code != NULL) {
        *out_err = ward_client_err_from_name(code);
    }
    if (msg_cap > 0) {
        if (text != NULL) {
            (void)snprintf(msg, msg_cap, "%s", text);
        } else {
            (void)snprintf(msg, msg_cap, "server answered HTTP %d", status);
        }
    }
    json_decref(root);
}

bool ward_client_check_token_chars(const char *s, size_t len)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789+/=-_";

    if (len == 0 || len > CLIENT_SHARE_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0' || strchr(ok, s[i]) == NULL) {
            return false;
        }
    }
    return true;
}

ward_err ward_client_parse_body(struct ward_client *c, json_t **out)
{
    json_error_t jerr;

    *out = NULL;
    if (c->body.len == 0) {
        return ward_client_fail(c, WARD_E_BAD_ENCODING, "empty response from the server");
    }
    *out = json_loadb((const char *)c->body.data, c->body.len, 0, &jerr);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return ward_client_fail(c, WARD_E_BAD_ENCODING, "response is not a JSON object");
    }
    return WARD_OK;
}

ward_err ward_client_json_bool(const json_t *o, const char *name, bool *out)
{
    const json_t *v = json_object_get(o, name);

    *out = false;
    if (!json_is_boolean(v)) {
        return WARD_E_BAD_ENCODING;
    }
    *out = json_is_true(v);
    return WARD_OK;
}

ward_err ward_client_json_u64(const json_t *o, const char *name, uint64_t *out)
{
    const json_t *v = json_object_get(o, name);

    *out = 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        return WARD_E_BAD_ENCODING;
    }
    *out = (uint64_t)json_integer_value(v);
    return WARD_OK;
}

ward_err ward_client_json_u32(const json_t *o, const char *name, uint32_t *out)
{
    uint64_t v = 0;
    ward_err err;

    *out = 0;
    if ((err = ward_client_json_u64(o, name, &v)) != WARD_OK) {
        return err;
    }
    if (v > UINT32_MAX) {
        return WARD_E_BAD_ENCODING;
    }
    *out = (uint32_t)v;
    return WARD_OK;
}

ward_err ward_client_json_str(const json_t *o, const char *name, char *out, size_t out_cap)
{
    const json_t *v = json_object_get(o, name);
    size_t len;

    out[0] = '\0';
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (!json_is_string(v) || (len = json_string_length(v)) >= out_cap) {
        return WARD_E_BAD_ENCODING;
    }
    memcpy(out, json_string_value(v), len);
    out[len] = '\0';
    return WARD_OK;
}

static ward_err copy_strings(char **out, const json_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));

        if (s == NULL) {
            return WARD_E_BAD_ENCODING;
        }
        if ((out[i] = ward_strdup(s)) == NULL) {
            return WARD_E_NOMEM;
        }
    }
    return WARD_OK;
}

ward_err ward_client_json_keys(const json_t *o, struct ward_client_keys *out)
{
    const json_t *hex = json_object_get(o, "keys");
    const json_t *b64 = json_object_get(o, "keys_base64");
    size_t n = json_array_size(hex);
    ward_err err = WARD_E_BAD_ENCODING;

    memset(out, 0, sizeof(*out));
    if (!json_is_array(hex) || !json_is_array(b64) || json_array_size(b64) != n || n == 0) {
        goto out;
    }
    out->keys = ward_calloc(n, sizeof(char *));
    out->keys_base64 = ward_calloc(n, sizeof(char *));
    out->num_keys = n;
    if (out->keys == NULL || out->keys_base64 == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = copy_strings(out->keys, hex, n)) != WARD_OK ||
        (err = copy_strings(out->keys_base64, b64, n)) != WARD_OK) {
        goto out;
    }
    err = WARD_OK;
out:
    if (err != WARD_OK) {
        ward_client_keys_cleanup(out);
    }
    return err;
}

static void free_strings(char **v, size_t n)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] != NULL) {
            ward_free_wipe(v[i], strlen(v[i]));
        }
    }
    ward_free(v);
}

void ward_client_keys_cleanup(struct ward_client_keys *keys)
{
    free_strings(keys->keys, keys->num_keys);
    free_strings(keys->keys_base64, keys->num_keys);
    memset(keys, 0, sizeof(*keys));
}
