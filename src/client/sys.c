/*
 * sys.c - libward's typed calls of the sys API, in Vault's shapes:
 * init, seal-status, unseal, seal, health, rekey, rotate, key-status.
 *
 * SECURITY: request bodies carrying a key share are built by hand in a
 * struct ward_buf (wiped on cleanup), never by jansson, whose copies could
 * not be wiped; the share's characters are checked first so that it needs
 * no JSON escaping.
 */
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "client_int.h"

#define SHARE_BODY_MAX (3u * CLIENT_SHARE_MAX)

static ward_err call(struct ward_client *c, const char *method, const char *path, const char *body)
{
    struct client_req r = { method, path, body, body != NULL ? strlen(body) : 0, false };

    return ward_client_send(c, &r);
}

/* bad_answer labels a well-formed HTTP answer whose JSON lacks what we need. */
static ward_err bad_answer(struct ward_client *c, ward_err err, const char *path)
{
    if (c->error[0] == '\0') {
        (void)ward_client_fail(c, err, "unexpected response to %s", path);
    }
    return err;
}

/* params_body writes {"secret_shares":n,"secret_threshold":k} into out. */
static ward_err params_body(struct ward_client *c, char *out, size_t out_cap, uint32_t shares,
                            uint32_t threshold)
{
    int n = snprintf(out, out_cap, "{\"secret_shares\":%u,\"secret_threshold\":%u}",
                     (unsigned)shares, (unsigned)threshold);

    if (n < 0 || (size_t)n >= out_cap) {
        return ward_client_fail(c, WARD_E_INTERNAL, "request too long");
    }
    return WARD_OK;
}

/*
 * share_body builds {"key":"<key>","<name>":<value>} in b, where value is
 * already JSON (true/false) or, when quote, a string checked like the key.
 */
static ward_err share_body(struct ward_client *c, struct ward_buf *b, const char *key,
                           const char *name, const char *value, bool quote)
{
    ward_err err = WARD_E_INTERNAL;

    if (key == NULL || !ward_client_check_token_chars(key, strlen(key))) {
        return ward_client_fail(c, WARD_E_BAD_SHARE, "key share has unexpected characters");
    }
    if (quote && !ward_client_check_token_chars(value, strlen(value))) {
        return ward_client_fail(c, WARD_E_BAD_NONCE, "nonce has unexpected characters");
    }
    if ((err = ward_buf_append_str(b, "{\"key\":\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, key)) != WARD_OK ||
        (err = ward_buf_append_str(b, "\",\"")) != WARD_OK ||
        (err = ward_buf_append_str(b, name)) != WARD_OK ||
        (err = ward_buf_append_str(b, quote ? "\":\"" : "\":")) != WARD_OK ||
        (err = ward_buf_append_str(b, value)) != WARD_OK ||
        (err = ward_buf_append_str(b, quote ? "\"}" : "}")) != WARD_OK) {
        return err;
    }
    return ward_buf_terminate(b);
}

static ward_err read_seal_status(const json_t *o, struct ward_client_seal_status *out)
{
    ward_err err = WARD_E_INTERNAL;

    if ((err = ward_client_json_bool(o, "initialized", &out->initialized)) != WARD_OK ||
        (err = ward_client_json_bool(o, "sealed", &out->sealed)) != WARD_OK ||
        (err = ward_client_json_u32(o, "t", &out->t)) != WARD_OK ||
        (err = ward_client_json_u32(o, "n", &out->n)) != WARD_OK ||
        (err = ward_client_json_u32(o, "progress", &out->progress)) != WARD_OK ||
        (err = ward_client_json_str(o, "type", out->type, sizeof(out->type))) != WARD_OK ||
        (err = ward_client_json_str(o, "nonce", out->nonce, sizeof(out->nonce))) != WARD_OK ||
        (err = ward_client_json_str(o, "version", out->version, sizeof(out->version))) != WARD_OK ||
        (err = ward_client_json_str(o, "build_date", out->build_date, sizeof(out->build_date))) !=
            WARD_OK ||
        (err = ward_client_json_str(o, "storage_type", out->storage_type,
                                    sizeof(out->storage_type))) != WARD_OK) {
        return err;
    }
    /* optional in older Vaults */
    if (ward_client_json_bool(o, "migration", &out->migration) != WARD_OK) {
        out->migration = false; /* optional: absent is zero */
    }
    if (ward_client_json_bool(o, "recovery_seal", &out->recovery_seal) != WARD_OK) {
        out->recovery_seal = false; /* optional: absent is zero */
    }
    return WARD_OK;
}

/* seal_status_call sends one request answered with a seal status. */
static ward_err seal_status_call(struct ward_client *c, struct ward_client_seal_status *out,
                                 const char *method, const char *path, const char *body)
{
    json_t *root = NULL;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = call(c, method, path, body)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    if ((err = read_seal_status(root, out)) != WARD_OK) {
        err = bad_answer(c, err, path);
        memset(out, 0, sizeof(*out));
        goto out;
    }
    err = WARD_OK;
out:
    json_decref(root);
    return err;
}

ward_err ward_client_sys_seal_status(struct ward_client *c, struct ward_client_seal_status *out)
{
    return seal_status_call(c, out, "GET", "/v1/sys/seal-status", NULL);
}

ward_err ward_client_sys_unseal(struct ward_client *c, struct ward_client_seal_status *out,
                                const char *key, bool reset)
{
    struct ward_buf b;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    c->error[0] = '\0';
    ward_buf_init(&b, SHARE_BODY_MAX);
    if (reset && key == NULL) {
        err = seal_status_call(c, out, "PUT", "/v1/sys/unseal", "{\"reset\":true}");
        goto out;
    }
    if ((err = share_body(c, &b, key, "reset", reset ? "true" : "false", false)) != WARD_OK) {
        goto out;
    }
    err = seal_status_call(c, out, "PUT", "/v1/sys/unseal", (const char *)b.data);
out:
    ward_buf_cleanup(&b);
    return err;
}

void ward_client_init_result_cleanup(struct ward_client_init_result *r)
{
    ward_client_keys_cleanup(&r->keys);
    if (r->root_token != NULL) {
        ward_free_wipe(r->root_token, strlen(r->root_token));
    }
    r->root_token = NULL;
}

ward_err ward_client_sys_init(struct ward_client *c, struct ward_client_init_result *out,
                              uint32_t shares, uint32_t threshold)
{
    char body[128];
    json_t *root = NULL;
    const char *token;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    c->error[0] = '\0';
    if ((err = params_body(c, body, sizeof(body), shares, threshold)) != WARD_OK ||
        (err = call(c, "PUT", "/v1/sys/init", body)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    token = json_string_value(json_object_get(root, "root_token"));
    if ((err = ward_client_json_keys(root, &out->keys)) != WARD_OK || token == NULL) {
        err = bad_answer(c, err == WARD_OK ? WARD_E_BAD_ENCODING : err, "/v1/sys/init");
        goto out;
    }
    if ((out->root_token = ward_strdup(token)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    err = WARD_OK;
out:
    if (err != WARD_OK) {
        ward_client_init_result_cleanup(out);
    }
    json_decref(root);
    return err;
}

ward_err ward_client_sys_init_status(struct ward_client *c, bool *out_initialized)
{
    json_t *root = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out_initialized = false;
    if ((err = call(c, "GET", "/v1/sys/init", NULL)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    if ((err = ward_client_json_bool(root, "initialized", out_initialized)) != WARD_OK) {
        err = bad_answer(c, err, "/v1/sys/init");
    }
out:
    json_decref(root);
    return err;
}

ward_err ward_client_sys_seal(struct ward_client *c)
{
    return call(c, "PUT", "/v1/sys/seal", NULL);
}

ward_err ward_client_sys_rotate(struct ward_client *c)
{
    return call(c, "POST", "/v1/sys/rotate", NULL);
}

ward_err ward_client_sys_health(struct ward_client *c, struct ward_client_health *out)
{
    struct client_req r = { "GET", "/v1/sys/health", NULL, 0, true };
    json_t *root = NULL;
    uint64_t now = 0;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = ward_client_send(c, &r)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    out->status = c->status;
    if ((err = ward_client_json_bool(root, "initialized", &out->initialized)) != WARD_OK ||
        (err = ward_client_json_bool(root, "sealed", &out->sealed)) != WARD_OK ||
        (err = ward_client_json_bool(root, "standby", &out->standby)) != WARD_OK ||
        (err = ward_client_json_str(root, "version", out->version, sizeof(out->version))) !=
            WARD_OK) {
        err = bad_answer(c, err, "/v1/sys/health");
        goto out;
    }
    if (ward_client_json_u64(root, "server_time_utc", &now) != WARD_OK) {
        now = 0; /* optional: absent is zero */
    }
    out->server_time_utc = (int64_t)(now & INT64_MAX);
    err = WARD_OK;
out:
    json_decref(root);
    return err;
}

ward_err ward_client_sys_key_status(struct ward_client *c, struct ward_client_key_status *out)
{
    json_t *root = NULL;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = call(c, "GET", "/v1/sys/key-status", NULL)) != WARD_OK ||
        (err = ward_client_parse_body(c, &root)) != WARD_OK) {
        goto out;
    }
    if ((err = ward_client_json_u64(root, "term", &out->term)) != WARD_OK ||
        (err = ward_client_json_str(root, "install_time", out->install_time,
                                    sizeof(out->install_time))) != WARD_OK) {
        err = bad_answer(c, err, "/v1/sys/key-status");
        goto out;
    }
    /* Vault before 1.9 has no "encryptions" */
    if (ward_client_json_u64(root, "encryptions", &out->encryptions) != WARD_OK) {
        out->encryptions = 0; /* optional: absent is zero */
    }
    err = WARD_OK;
out:
    json_decref(root);
    return err;
}
