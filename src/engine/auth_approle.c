/*
 * auth_approle.c - the approle auth method at auth/<mount>/ (Vault's paths
 * and shapes, so hvac's client.auth.approle calls work): roles, their
 * role_id, and login with role_id and secret_id. Secret IDs are in
 * auth_approle_secret.c; what both share, entries and security notes are
 * in auth_approle.h.
 *
 * THREADS: writes hold the mount's mu; a login holds it only to spend a
 * secret ID.
 */
#include "auth_approle.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "kv_int.h"
#include "login.h"

const struct mount_kind g_mount_approle = { "approle",  "auth/approle/", true,      cred_open,
                                            cred_close, cred_flush,      cred_erase };

/* approle_uuid writes a random version-4 UUID. */
ward_err approle_uuid(char out[37])
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

/* approle_str_is: v is the string s (false for a missing or non-string value). */
bool approle_str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

bool approle_role_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1])
{
    if (c->num_vars < 1 || !cred_name(out, c->var[0])) {
        op_fail(c, WARD_E_INVALID, "role_name must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -");
        return false;
    }
    return true;
}

/* approle_body_text reads a string field of 1..max bytes without control bytes; NULL if absent. */
bool approle_body_text(const struct op_ctx *c, const char *key, size_t max, const char **out)
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
    if ((err = approle_uuid(rid)) != WARD_OK) {
        return err;
    }
    index = json_pack("{s:s, s:s}", "name", rid, "role", name);
    *out = json_pack("{s:s, s:s, s:b}", "name", name, "role_id", rid, "bind_secret_id", 1);
    if (index == NULL || *out == NULL) {
        err = WARD_E_NOMEM;
    } else {
        err = cred_put(cm, APPROLE_RID, rid, index);
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

    if (!approle_role_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &role, APPROLE_ROLE, name);
    if (err == WARD_E_NOT_FOUND) {
        err = new_role(cm, &role, name);
    }
    why = err == WARD_OK ? role_fields(c, role) : NULL;
    if (err == WARD_OK && why == NULL) {
        err = cred_put(cm, APPROLE_ROLE, name, role);
    }
    if (why != NULL) {
        op_fail(c, WARD_E_INVALID, why);
    } else if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(role);
}

/* approle_get_role reads the role of c's path; fails c if there is none. */
json_t *approle_get_role(struct op_ctx *c, char name[CRED_NAME_MAX + 1])
{
    json_t *role = NULL;
    ward_err err;

    if (!approle_role_name(c, name)) {
        return NULL;
    }
    if ((err = cred_get(cred_of(c), &role, APPROLE_ROLE, name)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such role" : NULL);
        return NULL;
    }
    return role;
}

json_t *approle_copy_or_empty(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

void op_approle_role_read(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];
    json_t *role = approle_get_role(c, name);
    json_t *data;

    if (role == NULL) {
        return;
    }
    data = json_pack("{s:b, s:o, s:I, s:I, s:b, s:i}", "bind_secret_id",
                     json_is_true(json_object_get(role, "bind_secret_id")), "secret_id_bound_cidrs",
                     approle_copy_or_empty(role, "secret_id_bound_cidrs"), "secret_id_num_uses",
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

    if ((err = cred_list(cred_of(c), &names, APPROLE_ROLE)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    cred_list_reply(c, names);
}

/* approle_role_secrets lists the acc entries of role (owned array of entries). */
ward_err approle_role_secrets(struct cred_mount *cm, json_t **out, const char *role)
{
    json_t *names = NULL;
    json_t *all = json_array();
    size_t i;
    const json_t *n;
    ward_err err;

    *out = NULL;
    if (all == NULL || (err = cred_list(cm, &names, APPROLE_ACC)) != WARD_OK) {
        json_decref(all);
        return all == NULL ? WARD_E_NOMEM : err;
    }
    json_array_foreach(names, i, n)
    {
        json_t *acc = NULL;

        if (cred_get(cm, &acc, APPROLE_ACC, json_string_value(n)) == WARD_OK &&
            approle_str_is(json_object_get(acc, "role"), role)) {
            (void)json_array_append(all, acc);
        }
        json_decref(acc);
    }
    json_decref(names);
    *out = all;
    return WARD_OK;
}

/* approle_drop_secret deletes a secret ID's two entries (mu held); acc: its acc entry. */
ward_err approle_drop_secret(struct cred_mount *cm, const json_t *acc)
{
    const char *sid = json_string_value(json_object_get(acc, "sid"));
    const char *accname = json_string_value(json_object_get(acc, "name"));
    ward_err err = WARD_OK;

    if (sid != NULL) {
        err = cred_delete(cm, APPROLE_SID, sid);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    if (err == WARD_OK && accname != NULL) {
        err = cred_delete(cm, APPROLE_ACC, accname);
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

    if (!approle_role_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &role, APPROLE_ROLE, name);
    if (err == WARD_OK && (err = approle_role_secrets(cm, &secrets, name)) == WARD_OK) {
        json_array_foreach(secrets, i, acc)
        {
            err = err == WARD_OK ? approle_drop_secret(cm, acc) : err;
        }
        if (err == WARD_OK) {
            err = cred_delete(cm, APPROLE_RID, json_string_value(json_object_get(role, "role_id")));
            err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
        }
        err = err == WARD_OK ? cred_delete(cm, APPROLE_ROLE, name) : err;
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
    json_t *role = approle_get_role(c, name);

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
    ward_err err = cred_get(cm, &index, APPROLE_RID, rid);

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
    err = cred_put(cm, APPROLE_RID, rid, index);
    json_decref(index);
    if (err == WARD_OK && old != NULL) {
        err = cred_delete(cm, APPROLE_RID, old);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    (void)json_object_set_new(role, "role_id", json_string(rid));
    return err == WARD_OK ? cred_put(cm, APPROLE_ROLE, name, role) : err;
}

void op_approle_role_id_write(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    const char *rid = NULL;
    json_t *role;
    ward_err err;

    if (!approle_body_text(c, "role_id", APPROLE_ROLE_ID_MAX, &rid) || rid == NULL) {
        op_fail(c, WARD_E_INVALID, "role_id must be 1 to 64 printable characters");
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    if ((role = approle_get_role(c, name)) != NULL &&
        (err = set_role_id(cm, role, name, rid)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_EXISTS ? "role_id is in use by another role" : NULL);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(role);
}

/* role_of_login finds the role of a role_id (NULL if none) and its name. */
static json_t *role_of_login(struct cred_mount *cm, const char *rid, char name[CRED_NAME_MAX + 1])
{
    json_t *index = NULL;
    json_t *role = NULL;
    const char *n;

    if (cred_get(cm, &index, APPROLE_RID, rid) != WARD_OK) {
        return NULL;
    }
    n = json_string_value(json_object_get(index, "role"));
    if (n != NULL && cred_name(name, n) && cred_get(cm, &role, APPROLE_ROLE, name) == WARD_OK &&
        !approle_str_is(json_object_get(role, "role_id"), rid)) {
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
    ok = approle_spend_secret(cm, name, secret, source, meta);
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
    if (!approle_body_text(c, "role_id", APPROLE_ROLE_ID_MAX, &rid) || rid == NULL ||
        !approle_body_text(c, "secret_id", APPROLE_SECRET_MAX, &secret)) {
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
