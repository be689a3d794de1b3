/*
 * auth_approle.c - the approle auth method at auth/<mount>/ (Vault's paths
 * and shapes, so hvac's client.auth.approle calls work): roles, their
 * role_id, secret IDs (generate, list by accessor, lookup, destroy) and
 * login with role_id and secret_id.
 *
 * Entries (auth_cred.h; every one JSON under the barrier, its path an
 * HMAC of its name under the mount's name key):
 *   role   name = role name: role_id, bind_secret_id, secret_id_num_uses,
 *          secret_id_ttl, secret_id_bound_cidrs, token fields
 *   rid    name = role_id: {"role": role name}
 *   sid    name = "<role>/<hex HMAC(name key, secret_id)>": accessor,
 *          created_ms, expire_ms (0: never), uses_left (0: unlimited),
 *          metadata, cidr_list, token_bound_cidrs
 *   acc    name = "<role>/<accessor>": {"role", "sid": the sid name}
 *
 * SECURITY: a secret ID is 16 bytes from the CSPRNG shown once, in the
 * answer to generate; Ward keeps only its HMAC. A login that uses a
 * secret ID checks and decrements its uses under the mount's mutex, so
 * two logins never both spend the last use; an exhausted or expired
 * secret ID is deleted. Every refusal is login_refuse's one answer, and
 * counts in the throttle (keyed on the role_id and the caller's address).
 *
 * THREADS: writes and secret-ID spending hold the mount's mu.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth_cred.h"
#include "base/log.h"
#include "crypto/crypto.h"
#include "kv_int.h"
#include "login.h"

#define ROLE        "role"
#define RID         "rid"
#define SID         "sid"
#define ACC         "acc"
#define ROLE_ID_MAX 64
#define SECRET_MAX  128

const struct mount_kind g_mount_approle = { "approle",  "auth/approle/", true,      cred_open,
                                            cred_close, cred_flush,      cred_erase };

/* uuid writes a random version-4 UUID. */
static ward_err uuid(char out[37])
{
    uint8_t r[16];
    ward_err err;

    if ((err = ward_crypto_random(r, sizeof(r))) != WARD_OK) {
        return err;
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    (void)snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                   r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                   r[13], r[14], r[15]);
    OPENSSL_cleanse(r, sizeof(r));
    return WARD_OK;
}

/* str_is: v is the string s (false for a missing or non-string value). */
static bool str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

static bool role_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1])
{
    if (c->num_vars < 1 || !cred_name(out, c->var[0])) {
        op_fail(c, WARD_E_INVALID, "role_name must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -");
        return false;
    }
    return true;
}

/* body_text reads a string field of 1..max bytes without control bytes; NULL if absent. */
static bool body_text(const struct op_ctx *c, const char *key, size_t max, const char **out)
{
    json_t *v = json_object_get(c->body, key);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return true;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max) {
        return false;
    }
    for (const char *p = json_string_value(v); *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return false;
        }
    }
    *out = json_string_value(v);
    return true;
}

/* role_fields sets the role's own fields present in c's body. */
static const char *role_fields(struct op_ctx *c, json_t *role)
{
    const char *why = NULL;
    json_t *cidrs = NULL;
    int64_t v = 0;
    bool present = false;
    bool bind = json_is_true(json_object_get(role, "bind_secret_id"));

    if (cred_get_bool(c->body, "bind_secret_id", &bind) != WARD_OK) {
        return "bind_secret_id must be a boolean";
    }
    (void)json_object_set_new(role, "bind_secret_id", json_boolean(bind));
    if (cred_get_int(c->body, "secret_id_num_uses", 0, 1000000000, &v, &present) != WARD_OK) {
        return "secret_id_num_uses must be a non-negative integer (0: unlimited)";
    }
    if (present) {
        (void)json_object_set_new(role, "secret_id_num_uses", json_integer(v));
    }
    if (kv_get_duration(c->body, "secret_id_ttl", &v, &present) != WARD_OK) {
        return "secret_id_ttl must be a duration (0: no expiry)";
    }
    if (present) {
        (void)json_object_set_new(role, "secret_id_ttl", json_integer(v));
    }
    if (cred_cidrs_json(&cidrs, c->body, "secret_id_bound_cidrs") != WARD_OK) {
        return "secret_id_bound_cidrs must be CIDR blocks (a list or a comma-separated string)";
    }
    if (cidrs != NULL) {
        (void)json_object_set_new(role, "secret_id_bound_cidrs", cidrs);
    }
    if (cred_token_update(role, c->body, &why) != WARD_OK) {
        return why;
    }
    /* as Vault: a role must constrain its logins somehow */
    if (!json_is_true(json_object_get(role, "bind_secret_id")) &&
        json_array_size(json_object_get(role, "secret_id_bound_cidrs")) == 0 &&
        json_array_size(json_object_get(role, "token_bound_cidrs")) == 0) {
        return "at least one constraint must be enabled on the role (bind_secret_id, "
               "secret_id_bound_cidrs or token_bound_cidrs)";
    }
    return NULL;
}

/* new_role starts a role entry with a fresh role_id and its index entry. */
static ward_err new_role(struct cred_mount *cm, json_t **out, const char *name)
{
    char rid[37];
    json_t *index;
    ward_err err;

    *out = NULL;
    if ((err = uuid(rid)) != WARD_OK) {
        return err;
    }
    index = json_pack("{s:s, s:s}", "name", rid, "role", name);
    *out = json_pack("{s:s, s:s, s:b}", "name", name, "role_id", rid, "bind_secret_id", 1);
    if (index == NULL || *out == NULL) {
        err = WARD_E_NOMEM;
    } else {
        err = cred_put(cm, RID, rid, index);
    }
    json_decref(index);
    return err;
}

void op_approle_role_write(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    const char *why;
    json_t *role = NULL;
    ward_err err;

    if (!role_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &role, ROLE, name);
    if (err == WARD_E_NOT_FOUND) {
        err = new_role(cm, &role, name);
    }
    why = err == WARD_OK ? role_fields(c, role) : NULL;
    if (err == WARD_OK && why == NULL) {
        err = cred_put(cm, ROLE, name, role);
    }
    if (why != NULL) {
        op_fail(c, WARD_E_INVALID, why);
    } else if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(role);
}

/* get_role reads the role of c's path; fails c if there is none. */
static json_t *get_role(struct op_ctx *c, char name[CRED_NAME_MAX + 1])
{
    json_t *role = NULL;
    ward_err err;

    if (!role_name(c, name)) {
        return NULL;
    }
    if ((err = cred_get(cred_of(c), &role, ROLE, name)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such role" : NULL);
        return NULL;
    }
    return role;
}

static json_t *copy_or_empty(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

void op_approle_role_read(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];
    json_t *role = get_role(c, name);
    json_t *data;

    if (role == NULL) {
        return;
    }
    data = json_pack("{s:b, s:o, s:I, s:I, s:b, s:i}", "bind_secret_id",
                     json_is_true(json_object_get(role, "bind_secret_id")), "secret_id_bound_cidrs",
                     copy_or_empty(role, "secret_id_bound_cidrs"), "secret_id_num_uses",
                     (json_int_t)json_integer_value(json_object_get(role, "secret_id_num_uses")),
                     "secret_id_ttl",
                     (json_int_t)json_integer_value(json_object_get(role, "secret_id_ttl")),
                     "local_secret_ids", 0, "period", 0);
    if (data == NULL) {
        json_decref(role);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_token_read(data, role);
    json_decref(role);
    cred_reply(c, data);
}

void op_approle_role_list(struct op_ctx *c)
{
    json_t *names = NULL;
    ward_err err;

    if ((err = cred_list(cred_of(c), &names, ROLE)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    cred_list_reply(c, names);
}

/* role_secrets lists the acc entries of role (owned array of entries). */
static ward_err role_secrets(struct cred_mount *cm, json_t **out, const char *role)
{
    json_t *names = NULL;
    json_t *all = json_array();
    size_t i;
    const json_t *n;
    ward_err err;

    *out = NULL;
    if (all == NULL || (err = cred_list(cm, &names, ACC)) != WARD_OK) {
        json_decref(all);
        return all == NULL ? WARD_E_NOMEM : err;
    }
    json_array_foreach(names, i, n)
    {
        json_t *acc = NULL;

        if (cred_get(cm, &acc, ACC, json_string_value(n)) == WARD_OK &&
            str_is(json_object_get(acc, "role"), role)) {
            (void)json_array_append(all, acc);
        }
        json_decref(acc);
    }
    json_decref(names);
    *out = all;
    return WARD_OK;
}

/* drop_secret deletes a secret ID's two entries (mu held); acc: its acc entry. */
static ward_err drop_secret(struct cred_mount *cm, const json_t *acc)
{
    const char *sid = json_string_value(json_object_get(acc, "sid"));
    const char *accname = json_string_value(json_object_get(acc, "name"));
    ward_err err = WARD_OK;

    if (sid != NULL) {
        err = cred_delete(cm, SID, sid);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    if (err == WARD_OK && accname != NULL) {
        err = cred_delete(cm, ACC, accname);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    return err;
}

void op_approle_role_delete(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    json_t *role = NULL;
    json_t *secrets = NULL;
    size_t i;
    const json_t *acc;
    ward_err err;

    if (!role_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &role, ROLE, name);
    if (err == WARD_OK && (err = role_secrets(cm, &secrets, name)) == WARD_OK) {
        json_array_foreach(secrets, i, acc)
        {
            err = err == WARD_OK ? drop_secret(cm, acc) : err;
        }
        if (err == WARD_OK) {
            err = cred_delete(cm, RID, json_string_value(json_object_get(role, "role_id")));
            err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
        }
        err = err == WARD_OK ? cred_delete(cm, ROLE, name) : err;
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(role);
    json_decref(secrets);
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) { /* as Vault: no role, no error */
        op_fail(c, err, NULL);
    }
}

void op_approle_role_id_read(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];
    json_t *role = get_role(c, name);

    if (role != NULL) {
        cred_reply(c, json_pack("{s:O}", "role_id", json_object_get(role, "role_id")));
        json_decref(role);
    }
}

/* set_role_id moves role's index from its old role_id to rid (mu held). */
static ward_err set_role_id(struct cred_mount *cm, json_t *role, const char *name, const char *rid)
{
    const char *old = json_string_value(json_object_get(role, "role_id"));
    json_t *index = NULL;
    ward_err err = cred_get(cm, &index, RID, rid);

    json_decref(index);
    if (err == WARD_OK) {
        return old != NULL && strcmp(old, rid) == 0 ? WARD_OK : WARD_E_EXISTS;
    }
    if (err != WARD_E_NOT_FOUND) {
        return err;
    }
    if ((index = json_pack("{s:s, s:s}", "name", rid, "role", name)) == NULL) {
        return WARD_E_NOMEM;
    }
    err = cred_put(cm, RID, rid, index);
    json_decref(index);
    if (err == WARD_OK && old != NULL) {
        err = cred_delete(cm, RID, old);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    (void)json_object_set_new(role, "role_id", json_string(rid));
    return err == WARD_OK ? cred_put(cm, ROLE, name, role) : err;
}

void op_approle_role_id_write(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    const char *rid = NULL;
    json_t *role;
    ward_err err;

    if (!body_text(c, "role_id", ROLE_ID_MAX, &rid) || rid == NULL) {
        op_fail(c, WARD_E_INVALID, "role_id must be 1 to 64 printable characters");
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    if ((role = get_role(c, name)) != NULL && (err = set_role_id(cm, role, name, rid)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_EXISTS ? "role_id is in use by another role" : NULL);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(role);
}

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
    char sid[CRED_NAME_MAX + 80];
    char acc[CRED_NAME_MAX + 40];
    json_t *ae;
    ward_err err;

    if ((err = cred_id(cm, hash, SID, secret)) != WARD_OK) {
        return err;
    }
    (void)snprintf(sid, sizeof(sid), "%s/%s", role, hash);
    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor);
    (void)json_object_set_new(entry, "name", json_string(sid));
    (void)json_object_set_new(entry, "accessor", json_string(accessor));
    if ((ae = json_pack("{s:s, s:s, s:s}", "name", acc, "role", role, "sid", sid)) == NULL) {
        return WARD_E_NOMEM;
    }
    if ((err = cred_put(cm, SID, sid, entry)) == WARD_OK) {
        err = cred_put(cm, ACC, acc, ae);
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
    if ((role = get_role(c, name)) == NULL) {
        goto out;
    }
    if ((why = secret_entry(c, role, &entry)) != NULL) {
        op_fail(c, WARD_E_INVALID, why);
        goto out;
    }
    if ((err = uuid(secret)) != WARD_OK || (err = uuid(accessor)) != WARD_OK ||
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

    if (!role_name(c, name)) {
        return;
    }
    if ((err = role_secrets(cred_of(c), &secrets, name)) != WARD_OK ||
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
static ward_err sid_of(struct cred_mount *cm, char out[CRED_NAME_MAX + 80], const char *role,
                       const char *secret)
{
    char hash[65];
    ward_err err;

    if ((err = cred_id(cm, hash, SID, secret)) == WARD_OK) {
        (void)snprintf(out, CRED_NAME_MAX + 80, "%s/%s", role, hash);
    }
    return err;
}

/* sid_of_accessor finds the sid entry name of an accessor of role. */
static ward_err sid_of_accessor(struct cred_mount *cm, char out[CRED_NAME_MAX + 80],
                                const char *role, const char *accessor)
{
    char acc[CRED_NAME_MAX + 80];
    json_t *ae = NULL;
    ward_err err;

    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor);
    if ((err = cred_get(cm, &ae, ACC, acc)) == WARD_OK) {
        const char *sid = json_string_value(json_object_get(ae, "sid"));

        err = sid != NULL ? WARD_OK : WARD_E_BAD_ENCODING;
        (void)snprintf(out, CRED_NAME_MAX + 80, "%s", sid != NULL ? sid : "");
    }
    json_decref(ae);
    return err;
}

static json_t *secret_json(const json_t *e)
{
    json_int_t created = json_integer_value(json_object_get(e, "created_ms"));
    json_int_t expire = json_integer_value(json_object_get(e, "expire_ms"));

    return json_pack("{s:o, s:o, s:o, s:o, s:O, s:O, s:I, s:I, s:o}", "cidr_list",
                     copy_or_empty(e, "cidr_list"), "creation_time", kv_time_json(created),
                     "expiration_time", kv_time_json(expire), "last_updated_time",
                     kv_time_json(created), "metadata", json_object_get(e, "metadata"),
                     "secret_id_accessor", json_object_get(e, "accessor"), "secret_id_num_uses",
                     json_integer_value(json_object_get(e, "uses_left")), "secret_id_ttl",
                     (json_int_t)(expire > 0 ? (expire - created) / 1000 : 0), "token_bound_cidrs",
                     copy_or_empty(e, "token_bound_cidrs"));
}

/* drop_sid deletes the secret ID whose sid entry is e, and its accessor (mu held). */
static ward_err drop_sid(struct cred_mount *cm, const char *role, const json_t *e)
{
    char acc[CRED_NAME_MAX + 80];
    const char *accessor = json_string_value(json_object_get(e, "accessor"));
    json_t *ae;
    ward_err err;

    (void)snprintf(acc, sizeof(acc), "%s/%s", role, accessor != NULL ? accessor : "");
    if ((ae = json_pack("{s:O, s:s}", "sid", json_object_get(e, "name"), "name", acc)) == NULL) {
        return WARD_E_NOMEM;
    }
    err = drop_secret(cm, ae);
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
    char sid[CRED_NAME_MAX + 80];
    const char *v = NULL;
    json_t *e = NULL;
    ward_err err;

    if (!role_name(c, name)) {
        return;
    }
    if (!body_text(c, key, SECRET_MAX, &v) || v == NULL) {
        op_fail(c, WARD_E_INVALID,
                by_accessor ? "missing secret_id_accessor" : "missing secret_id");
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = by_accessor ? sid_of_accessor(cm, sid, name, v) : sid_of(cm, sid, name, v);
    err = err == WARD_OK ? cred_get(cm, &e, SID, sid) : err;
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
 * spend_secret checks and spends one use of secret for role (mu held):
 * false if unknown, expired, exhausted or bound elsewhere. An expired or
 * last-used secret ID is deleted. *meta receives its metadata.
 */
static bool spend_secret(struct cred_mount *cm, const char *role, const char *secret,
                         const char *source, json_t **meta)
{
    char sid[CRED_NAME_MAX + 80];
    json_t *e = NULL;
    json_int_t uses;
    bool ok = false;
    bool drop = false;

    if (sid_of(cm, sid, role, secret) != WARD_OK || cred_get(cm, &e, SID, sid) != WARD_OK) {
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
            ok = cred_put(cm, SID, sid, e) == WARD_OK;
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

/* role_of_login finds the role of a role_id (NULL if none) and its name. */
static json_t *role_of_login(struct cred_mount *cm, const char *rid, char name[CRED_NAME_MAX + 1])
{
    json_t *index = NULL;
    json_t *role = NULL;
    const char *n;

    if (cred_get(cm, &index, RID, rid) != WARD_OK) {
        return NULL;
    }
    n = json_string_value(json_object_get(index, "role"));
    if (n != NULL && cred_name(name, n) && cred_get(cm, &role, ROLE, name) == WARD_OK &&
        !str_is(json_object_get(role, "role_id"), rid)) {
        json_decref(role); /* a stale index entry */
        role = NULL;
    }
    json_decref(index);
    return role;
}

/* check_login: role may log in from source with secret (spent if bound). */
static bool check_login(struct cred_mount *cm, const json_t *role, const char *name,
                        const char *secret, const char *source, json_t **meta)
{
    bool ok;

    if (!cred_cidrs_allow(role, "secret_id_bound_cidrs", source) ||
        !cred_cidrs_allow(role, "token_bound_cidrs", source)) {
        return false;
    }
    if (!json_is_true(json_object_get(role, "bind_secret_id"))) {
        *meta = json_object();
        return true;
    }
    if (secret == NULL) {
        return false;
    }
    (void)pthread_mutex_lock(&cm->mu);
    ok = spend_secret(cm, name, secret, source, meta);
    (void)pthread_mutex_unlock(&cm->mu);
    return ok;
}

static void finish_login(struct op_ctx *c, const json_t *role, const char *name, json_t *meta)
{
    const char *names[LOGIN_MAX_POLICIES];
    struct login l = { 0 };

    (void)json_object_set_new(meta, "role_name", json_string(name));
    l.method = "approle";
    l.name = name;
    l.metadata = meta;
    cred_login_fill(&l, names, role);
    login_reply(c, &l);
}

void op_approle_login(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    char source[64];
    const char *rid = NULL;
    const char *secret = NULL;
    json_t *role = NULL;
    json_t *meta = NULL;
    const json_t *sv = json_object_get(c->body, "secret_id");

    /* "" is no secret_id (a role without bind_secret_id; hvac sends one) */
    if (json_is_string(sv) && json_string_length(sv) == 0) {
        (void)json_object_del(c->body, "secret_id");
    }
    if (!body_text(c, "role_id", ROLE_ID_MAX, &rid) || rid == NULL ||
        !body_text(c, "secret_id", SECRET_MAX, &secret)) {
        op_fail(c, WARD_E_INVALID, "missing role_id");
        return;
    }
    cred_source(source, c);
    if (ward_lockout_locked(cm->lockout, rid, source, ward_time_now_ms())) {
        login_refuse(c);
        return;
    }
    if ((role = role_of_login(cm, rid, name)) == NULL ||
        !check_login(cm, role, name, secret, source, &meta) || meta == NULL) {
        ward_lockout_failed(cm->lockout, rid, source, ward_time_now_ms());
        login_refuse(c);
    } else {
        ward_lockout_succeeded(cm->lockout, rid, source);
        finish_login(c, role, name, meta);
    }
    json_decref(meta);
    json_decref(role);
}
