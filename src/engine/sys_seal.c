/*
 * sys_seal.c - Vault's sys paths for the seal lifecycle: init, seal-status,
 * unseal, seal, health, leader, metrics. Request and response shapes and
 * status codes are Vault's, so Vault clients (hvac) work unchanged.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "base/base64.h"
#include "base/log.h"
#include "engine_int.h"
#include "sys_int.h"

static const char *seal_type_name(enum ward_seal_type t)
{
    return t == WARD_SEAL_PARTS ? "parts" : "shamir";
}

json_t *sys_seal_status_json(struct op_ctx *c, const struct ward_seal_status *st)
{
    return json_pack("{s:s, s:b, s:b, s:i, s:i, s:i, s:s, s:s, s:s, s:b, s:b, s:s}", "type",
                     seal_type_name(st->type), "initialized", st->initialized, "sealed", st->sealed,
                     "t", st->threshold, "n", st->shares, "progress", st->progress, "nonce", "",
                     "version", c->eng->cfg.version, "build_date", WARD_BUILD_DATE, "migration", 0,
                     "recovery_seal", 0, "storage_type", c->eng->cfg.storage_type);
}

void op_init_read(struct op_ctx *c)
{
    struct ward_seal_status st;
    ward_err err;

    if ((err = ward_barrier_status(c->eng->barrier, &st)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    c->data = json_pack("{s:b}", "initialized", st.initialized);
}

/* hex_of writes n bytes as lowercase hex into a new JSON string. */
static json_t *hex_of(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char text[2 * 64 + 1];
    json_t *v;

    if (n > 64) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = digits[p[i] >> 4];
        text[2 * i + 1] = digits[p[i] & 15];
    }
    text[2 * n] = '\0';
    v = json_string(text);
    OPENSSL_cleanse(text, sizeof(text));
    return v;
}

json_t *sys_keys_json(const struct ward_init_result *r, const char *field_hex,
                      const char *field_b64)
{
    json_t *hex = json_array();
    json_t *b64 = json_array();
    json_t *obj = json_object();

    for (size_t i = 0; i < r->num_shares && hex != NULL && b64 != NULL; i++) {
        uint8_t raw[64];
        size_t raw_len = 0;

        if (ward_base64_decode(raw, sizeof(raw), &raw_len, (const char *)r->shares[i]->data,
                               r->shares[i]->len) == WARD_OK) {
            (void)json_array_append_new(hex, hex_of(raw, raw_len));
        }
        OPENSSL_cleanse(raw, sizeof(raw));
        (void)json_array_append_new(
            b64, json_stringn((const char *)r->shares[i]->data, r->shares[i]->len));
    }
    if (obj == NULL || hex == NULL || b64 == NULL) {
        json_decref(obj);
        json_decref(hex);
        json_decref(b64);
        return NULL;
    }
    (void)json_object_set_new(obj, field_hex, hex);
    (void)json_object_set_new(obj, field_b64, b64);
    return obj;
}

void op_init(struct op_ctx *c)
{
    struct sys_seal_input in;
    struct ward_init_result r;
    ward_err err;

    if (sys_parse_seal_params(c, &in) != WARD_OK) {
        return; /* sys_parse_seal_params set the response */
    }
    err = ward_barrier_init(c->eng->barrier, &r, &in.params);
    sys_seal_input_cleanup(&in);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    c->data = sys_keys_json(&r, "keys", "keys_base64");
    if (c->data == NULL || json_object_set_new(c->data, "root_token",
                                               json_stringn((const char *)r.root_token->data,
                                                            r.root_token->len)) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
    }
    ward_init_result_cleanup(&r);
}

void op_seal_status(struct op_ctx *c)
{
    struct ward_seal_status st;
    ward_err err;

    if ((err = ward_barrier_status(c->eng->barrier, &st)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    c->data = sys_seal_status_json(c, &st);
}

void op_unseal(struct op_ctx *c)
{
    struct ward_seal_status st;
    bool reset = false;
    ward_err err;
    struct ward_secret *key = NULL;

    if (json_get_bool(c->body, "reset", &reset) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "reset must be a boolean");
        return;
    }
    if (reset) {
        ward_barrier_unseal_reset(c->eng->barrier);
        op_seal_status(c);
        return;
    }
    if (sys_key_text(c, &key) != WARD_OK) {
        return;
    }
    err = ward_barrier_unseal(c->eng->barrier, &st, key->data, key->len);
    ward_secret_free(key);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (!st.sealed) {
        engine_audit_unsealed(c->eng);
    }
    c->data = sys_seal_status_json(c, &st);
}

void op_seal(struct op_ctx *c)
{
    ward_barrier_seal(c->eng->barrier);
    mount_table_flush(c->eng->mounts); /* decrypted keys and name keys of every mount */
    ward_audit_sealed(c->eng->audit);  /* and the audit key: records go on without a MAC */
    ward_auth_flush(c->eng->auth);     /* and the token key */
    ward_policies_flush(c->eng->policies);
    ward_log(WARD_LOG_INFO, "msg=\"sealed by request\" request_id=%s", c->req->request_id);
}
