/*
 * auth_approle_secret.c - approle's secret IDs (auth_approle.h): generate
 * (the one answer that shows one), list by accessor, lookup and destroy by
 * value or accessor, and the spending of one use at login.
 *
 * THREADS: every operation holds the mount's mu.
 */
#include "auth_approle.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "kv_int.h"

/* body_metadata reads "metadata": an object of strings, or its JSON text (hvac sends text). */
static ward_err body_metadata(const struct op_ctx *c, json_t **out)
{
    json_t *v = json_object_get(c->body, "metadata");
    const char *key;
    json_t *item;

    *out = NULL;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        *out = json_object();
        return *out != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if (json_is_string(v)) {
        char why[64];

        if (json_decode_body(out, (const uint8_t *)json_string_value(v), json_string_length(v), why,
                             sizeof(why)) != WARD_OK) {
            return WARD_E_INVALID;
        }
    } else {
        *out = json_deep_copy(v);
    }
    if (!json_is_object(*out) || json_object_size(*out) > 64) {
        json_decref(*out);
        *out = NULL;
        return WARD_E_INVALID;
    }
    json_object_foreach(*out, key, item)
    {
        if (!json_is_string(item) || strlen(key) > 128 || json_string_length(item) > 512) {
            json_decref(*out);
            *out = NULL;
            return WARD_E_INVALID;
        }
    }
    return WARD_OK;
}

/* secret_entry makes a new secret ID's sid entry from c's body and role. */
static const char *secret_entry(struct op_ctx *c, const json_t *role, json_t **out)
{
    json_t *meta = NULL;
    json_t *cidrs = NULL;
    json_t *tcidrs = NULL;
    json_int_t ttl = json_integer_value(json_object_get(role, "secret_id_ttl"));
    int64_t now = ward_time_now_ms();

    *out = NULL;
    if (body_metadata(c, &meta) != WARD_OK) {
        return "metadata must be an object of strings (or its JSON text)";
    }
    if (cred_cidrs_json(&cidrs, c->body, "cidr_list") != WARD_OK ||
        cred_cidrs_json(&tcidrs, c->body, "token_bound_cidrs") != WARD_OK) {
        json_decref(meta);
        json_decref(cidrs);
        return "cidr_list and token_bound_cidrs must be CIDR blocks";
    }
    *out = json_pack("{s:I, s:I, s:I, s:o, s:o, s:o}", "created_ms", (json_int_t)now, "expire_ms",
                     (json_int_t)(ttl > 0 ? now + ttl * 1000 : 0), "uses_left",
                     json_integer_value(json_object_get(role, "secret_id_num_uses")), "metadata",
                     meta, "cidr_list", cidrs != NULL ? cidrs : json_array(), "token_bound_cidrs",
                     tcidrs != NULL ? tcidrs : json_array());
    return *out != NULL ? NULL : "out of memory";
}

/* store_secret writes a new secret ID's entries; sid and acc are their names. */
static ward_err store_secret(struct cred_mount *cm, json_t *entry, const char *role,
                             const char *secret, const char accessor[37])
{
    char hash[65];
    char sid[APPROLE_SID_NAME];
    char acc[CRED_NAME_MAX + 40];
    json_t *ae;
    ward_err err;

    if ((err = cred_id(cm, hash, APPROLE_SID, secret)) != WARD_OK) {
        return err;
    }
    (void)snprintf(sid, sizeof(sid), "%s/%s", role, hash);
    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor);
    (void)json_object_set_new(entry, "name", json_string(sid));
    (void)json_object_set_new(entry, "accessor", json_string(accessor));
    if ((ae = json_pack("{s:s, s:s, s:s}", "name", acc, "role", role, "sid", sid)) == NULL) {
        return WARD_E_NOMEM;
    }
    if ((err = cred_put(cm, APPROLE_SID, sid, entry)) == WARD_OK) {
        err = cred_put(cm, APPROLE_ACC, acc, ae);
    }
    json_decref(ae);
    return err;
}

void op_approle_secret_id_create(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    char secret[37] = "";
    char accessor[37];
    json_t *role = NULL;
    json_t *entry = NULL;
    const char *why = NULL;
    ward_err err = WARD_E_INTERNAL;

    (void)pthread_mutex_lock(&cm->mu);
    if ((role = approle_get_role(c, name)) == NULL) {
        goto out;
    }
    if ((why = secret_entry(c, role, &entry)) != NULL) {
        op_fail(c, WARD_E_INVALID, why);
        goto out;
    }
    if ((err = approle_uuid(secret)) != WARD_OK || (err = approle_uuid(accessor)) != WARD_OK ||
        (err = store_secret(cm, entry, name, secret, accessor)) != WARD_OK) {
        op_fail(c, err, NULL);
        goto out;
    }
    cred_reply(c, json_pack("{s:s, s:s, s:I, s:I}", "secret_id", secret, "secret_id_accessor",
                            accessor, "secret_id_ttl",
                            json_integer_value(json_object_get(role, "secret_id_ttl")),
                            "secret_id_num_uses",
                            json_integer_value(json_object_get(role, "secret_id_num_uses"))));
out:
    (void)pthread_mutex_unlock(&cm->mu);
    OPENSSL_cleanse(secret, sizeof(secret));
    json_decref(role);
    json_decref(entry);
}

void op_approle_secret_id_list(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];
    json_t *secrets = NULL;
    json_t *keys;
    size_t i;
    const json_t *acc;
    ward_err err;

    if (!approle_role_name(c, name)) {
        return;
    }
    if ((err = approle_role_secrets(cred_of(c), &secrets, name)) != WARD_OK ||
        (keys = json_array()) == NULL) {
        json_decref(secrets);
        op_fail(c, err != WARD_OK ? err : WARD_E_NOMEM, NULL);
        return;
    }
    json_array_foreach(secrets, i, acc)
    {
        const char *n = json_string_value(json_object_get(acc, "name"));

        (void)json_array_append_new(keys, json_string(n + strlen(name) + 1));
    }
    json_decref(secrets);
    cred_list_reply(c, keys);
}

/* sid_of finds the sid entry name of a secret ID of role. */
static ward_err sid_of(struct cred_mount *cm, char out[APPROLE_SID_NAME], const char *role,
                       const char *secret)
{
    char hash[65];
    ward_err err;

    if ((err = cred_id(cm, hash, APPROLE_SID, secret)) == WARD_OK) {
        (void)snprintf(out, APPROLE_SID_NAME, "%s/%s", role, hash);
    }
    return err;
}

/* sid_of_accessor finds the sid entry name of an accessor of role. */
static ward_err sid_of_accessor(struct cred_mount *cm, char out[APPROLE_SID_NAME], const char *role,
                                const char *accessor)
{
    char acc[APPROLE_SID_NAME];
    json_t *ae = NULL;
    ward_err err;

    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor);
    if ((err = cred_get(cm, &ae, APPROLE_ACC, acc)) == WARD_OK) {
        const char *sid = json_string_value(json_object_get(ae, "sid"));

        err = sid != NULL ? WARD_OK : WARD_E_BAD_ENCODING;
        (void)snprintf(out, APPROLE_SID_NAME, "%s", sid != NULL ? sid : "");
    }
    json_decref(ae);
    return err;
}

static json_t *secret_json(const json_t *e)
{
    json_int_t created = json_integer_value(json_object_get(e, "created_ms"));
    json_int_t expire = json_integer_value(json_object_get(e, "expire_ms"));

    return json_pack("{s:o, s:o, s:o, s:o, s:O, s:O, s:I, s:I, s:o}", "cidr_list",
                     approle_copy_or_empty(e, "cidr_list"), "creation_time", kv_time_json(created),
                     "expiration_time", kv_time_json(expire), "last_updated_time",
                     kv_time_json(created), "metadata", json_object_get(e, "metadata"),
                     "secret_id_accessor", json_object_get(e, "accessor"), "secret_id_num_uses",
                     json_integer_value(json_object_get(e, "uses_left")), "secret_id_ttl",
                     (json_int_t)(expire > 0 ? (expire - created) / 1000 : 0), "token_bound_cidrs",
                     approle_copy_or_empty(e, "token_bound_cidrs"));
}

/* drop_sid deletes the secret ID whose sid entry is e, and its accessor (mu held). */
static ward_err drop_sid(struct cred_mount *cm, const char *role, const json_t *e)
{
    char acc[APPROLE_SID_NAME];
    const char *accessor = json_string_value(json_object_get(e, "accessor"));
    json_t *ae;
    ward_err err;

    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor != NULL ? accessor : "");
    if ((ae = json_pack("{s:O, s:s}", "sid", json_object_get(e, "name"), "name", acc)) == NULL) {
        return WARD_E_NOMEM;
    }
    err = approle_drop_secret(cm, ae);
    json_decref(ae);
    return err;
}

static bool expired(const json_t *e)
{
    json_int_t expire = json_integer_value(json_object_get(e, "expire_ms"));

    return expire > 0 && expire <= ward_time_now_ms();
}

/* secret_op looks up or destroys the secret ID named by c's body (by value or by accessor). */
static void secret_op(struct op_ctx *c, bool by_accessor, bool destroy)
{
    struct cred_mount *cm = cred_of(c);
    const char *key = by_accessor ? "secret_id_accessor" : "secret_id";
    char name[CRED_NAME_MAX + 1];
    char sid[APPROLE_SID_NAME];
    const char *v = NULL;
    json_t *e = NULL;
    ward_err err;

    if (!approle_role_name(c, name)) {
        return;
    }
    if (!approle_body_text(c, key, APPROLE_SECRET_MAX, &v) || v == NULL) {
        op_fail(c, WARD_E_INVALID,
                by_accessor ? "missing secret_id_accessor" : "missing secret_id");
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = by_accessor ? sid_of_accessor(cm, sid, name, v) : sid_of(cm, sid, name, v);
    err = err == WARD_OK ? cred_get(cm, &e, APPROLE_SID, sid) : err;
    if (err == WARD_OK && (destroy || expired(e))) {
        /* an expired secret ID is gone: deleted on sight, then not found */
        err = drop_sid(cm, name, e);
        err = err == WARD_OK && !destroy ? WARD_E_NOT_FOUND : err;
    }
    (void)pthread_mutex_unlock(&cm->mu);
    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such secret ID" : NULL);
    } else if (!destroy) {
        cred_reply(c, secret_json(e));
    }
    json_decref(e);
}

void op_approle_secret_id_lookup(struct op_ctx *c)
{
    secret_op(c, false, false);
}

void op_approle_secret_id_destroy(struct op_ctx *c)
{
    secret_op(c, false, true);
}

void op_approle_accessor_lookup(struct op_ctx *c)
{
    secret_op(c, true, false);
}

void op_approle_accessor_destroy(struct op_ctx *c)
{
    secret_op(c, true, true);
}

/*
 * approle_spend_secret checks and spends one use of secret for role (mu held):
 * false if unknown, expired, exhausted or bound elsewhere. An expired or
 * last-used secret ID is deleted. *meta receives its metadata.
 */
bool approle_spend_secret(struct cred_mount *cm, const char *role, const char *secret,
                          const char *source, json_t **meta)
{
    char sid[APPROLE_SID_NAME];
    json_t *e = NULL;
    json_int_t uses;
    bool ok = false;
    bool drop = false;

    if (sid_of(cm, sid, role, secret) != WARD_OK || cred_get(cm, &e, APPROLE_SID, sid) != WARD_OK) {
        return false;
    }
    uses = json_integer_value(json_object_get(e, "uses_left"));
    if (expired(e)) {
        drop = true; /* SECURITY: expired: gone, whoever asks */
    } else if (cred_cidrs_allow(e, "cidr_list", source) &&
               cred_cidrs_allow(e, "token_bound_cidrs", source)) {
        ok = true;
        drop = uses == 1;
        if (uses > 1) {
            (void)json_object_set_new(e, "uses_left", json_integer(uses - 1));
            ok = cred_put(cm, APPROLE_SID, sid, e) == WARD_OK;
        }
    }
    /* the last use counts only once its delete reached storage */
    if (drop) {
        ok = drop_sid(cm, role, e) == WARD_OK && ok;
    }
    if (ok) {
        *meta = json_incref(json_object_get(e, "metadata"));
    }
    json_decref(e);
    return ok;
}
