/*
 * rekey.c - libward's rekey calls: PUT/GET/DELETE /v1/sys/rekey/init and
 * PUT /v1/sys/rekey/update, in Vault's shapes.
 *
 * Progress answer: {"nonce","started","t","n","progress","required"}.
 * Completion answer of update: {"complete":true,"keys":[...],
 * "keys_base64":[...],"nonce"}.
 */
#include <stdio.h>
#include <string.h>

#include "client_int.h"

#define SHARE_BODY_MAX (3u * CLIENT_SHARE_MAX)

static ward_err read_rekey_status(const json_t *o, struct ward_client_rekey_status *out)
{
    ward_err err = WARD_E_INTERNAL;

    if ((err = ward_client_json_bool(o, "started", &out->started)) != WARD_OK ||
        (err = ward_client_json_u32(o, "t", &out->t)) != WARD_OK ||
        (err = ward_client_json_u32(o, "n", &out->n)) != WARD_OK ||
        (err = ward_client_json_u32(o, "progress", &out->progress)) != WARD_OK ||
        (err = ward_client_json_str(o, "nonce", out->nonce, sizeof(out->nonce))) != WARD_OK) {
        return err;
    }
    /* Vault omits "required" in some versions; it equals the unseal threshold */
    if (ward_client_json_u32(o, "required", &out->required) != WARD_OK) {
        out->required = 0; /* optional: absent is zero */
    }
    return WARD_OK;
}

/* rekey_status_call sends one request answered with a rekey status. */
static ward_err rekey_status_call(struct ward_client *c, struct ward_client_rekey_status *out,
                                  const char *method, const char *body)
{
    struct client_req r = { method, "/v1/sys/rekey/init", body, body ? strlen(body) : 0, false };
    json_t *root = NULL;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = ward_client_send(c, &r)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    if ((err = read_rekey_status(root, out)) != WARD_OK) {
        (void)ward_client_fail(c, err, "unexpected response to %s", r.path);
        memset(out, 0, sizeof(*out));
    }
out:
    json_decref(root);
    return err;
}

ward_err ward_client_sys_rekey_init(struct ward_client *c, struct ward_client_rekey_status *out,
                                    uint32_t shares, uint32_t threshold)
{
    char body[128];
    int n = snprintf(body, sizeof(body), "{\"secret_shares\":%u,\"secret_threshold\":%u}",
                     (unsigned)shares, (unsigned)threshold);

    memset(out, 0, sizeof(*out));
    c->error[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof(body)) {
        return ward_client_fail(c, WARD_E_INTERNAL, "request too long");
    }
    return rekey_status_call(c, out, "PUT", body);
}

ward_err ward_client_sys_rekey_status(struct ward_client *c, struct ward_client_rekey_status *out)
{
    return rekey_status_call(c, out, "GET", NULL);
}

ward_err ward_client_sys_rekey_cancel(struct ward_client *c)
{
    struct client_req r = { "DELETE", "/v1/sys/rekey/init", NULL, 0, false };

    return ward_client_send(c, &r);
}

void ward_client_rekey_update_cleanup(struct ward_client_rekey_update *u)
{
    ward_client_keys_cleanup(&u->keys);
    memset(u, 0, sizeof(*u));
}

/* update_body builds {"key":"...","nonce":"..."} in b after checking both. */
static ward_err update_body(struct ward_client *c, struct ward_buf *b, const char *key,
                            const char *nonce)
{
    ward_err err = WARD_E_INTERNAL;

    if (key == NULL || !ward_client_check_token_chars(key, strlen(key))) {
        return ward_client_fail(c, WARD_E_BAD_SHARE, "key share has unexpected characters");
    }
    if (nonce == NULL || !ward_client_check_token_chars(nonce, strlen(nonce))) {
        return ward_client_fail(c, WARD_E_BAD_NONCE, "nonce has unexpected characters");
    }
    if ((err = ward_buf_append_str(b, "{\"key\":\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, key)) != WARD_OK ||
        (err = ward_buf_append_str(b, "\",\"nonce\":\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, nonce)) != WARD_OK ||
        (err = ward_buf_append_str(b, "\"}")) != WARD_OK) {
        return err;
    }
    return ward_buf_terminate(b);
}

static ward_err read_update(const json_t *o, struct ward_client_rekey_update *out)
{
    const json_t *complete = json_object_get(o, "complete");
    ward_err err = WARD_E_INTERNAL;

    out->complete = json_is_true(complete);
    if (!out->complete) {
        return read_rekey_status(o, &out->status);
    }
    if ((err = ward_client_json_str(o, "nonce", out->status.nonce, sizeof(out->status.nonce))) !=
        WARD_OK) {
        return err;
    }
    return ward_client_json_keys(o, &out->keys);
}

ward_err ward_client_sys_rekey_update(struct ward_client *c, struct ward_client_rekey_update *out,
                                      const char *key, const char *nonce)
{
    struct ward_buf b;
    struct client_req r = { "PUT", "/v1/sys/rekey/update", NULL, 0, false };
    json_t *root = NULL;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    c->error[0] = '\0';
    ward_buf_init(&b, SHARE_BODY_MAX);
    if ((err = update_body(c, &b, key, nonce)) != WARD_OK) {
        goto out;
    }
    r.body = (const char *)b.data;
    r.body_len = b.len;
    if ((err = ward_client_send(c, &r)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    if ((err = read_update(root, out)) != WARD_OK) {
        (void)ward_client_fail(c, err, "unexpected response to %s", r.path);
        ward_client_rekey_update_cleanup(out);
    }
out:
    json_decref(root);
    ward_buf_cleanup(&b);
    return err;
}
