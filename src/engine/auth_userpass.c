/*
 * auth_userpass.c - the userpass auth method at auth/<mount>/ (Vault's
 * paths and shapes, so hvac's client.auth.userpass calls work): users
 * (create or update, read, delete, list), password and policies updates,
 * and login.
 *
 * A password is kept only as Argon2id(password, salt) with a random
 * 16-byte salt per user and the cost parameters beside the hash, so the
 * cost can be raised later without invalidating old hashes: a user's
 * entry (auth_cred.h) is JSON under the barrier:
 *   {"name", "hash": b64(32 bytes), "salt": b64(16 bytes),
 *    "argon2": {"t": passes, "m": KiB, "p": lanes}, token fields...}
 *
 * SECURITY: login answers an unknown user exactly as a wrong password
 * (login_refuse), after an Argon2id of the same cost on a dummy salt, so
 * neither the answer nor its time tells which. The throttle (lockout.h)
 * is asked first: a locked user or address is refused without Argon2id,
 * so a flood of guesses costs little CPU. Hashes compare in constant
 * time. The password is a secret field of its rows: never logged.
 *
 * THREADS: handlers run concurrently; writes hold the mount's mu, logins
 * read without it (an entry is replaced whole by one barrier put).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth_cred.h"
#include "base/base64.h"
#include "base/log.h"
#include "crypto/crypto.h"
#include "login.h"

#define USERS        "users"
#define SALT_LEN     16
#define HASH_LEN     32
#define PASSWORD_MAX 1024
#define ARGON2_T     USERPASS_ARGON2_T
#define ARGON2_M     USERPASS_ARGON2_M
#define ARGON2_P     USERPASS_ARGON2_P

const struct mount_kind g_mount_userpass = { "userpass", "auth/userpass/", true,      cred_open,
                                             cred_close, cred_flush,       cred_erase };

/* user_name reads the :username segment; fails c if it is not a valid name. */
static bool user_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1])
{
    if (c->num_vars < 1 || !cred_name(out, c->var[0])) {
        op_fail(c, WARD_E_INVALID, "username must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -");
        return false;
    }
    return true;
}

/* body_password reads "password" (1..1024 bytes); NULL if absent. */
static ward_err body_password(const struct op_ctx *c, const char **out, size_t *out_len)
{
    json_t *v = json_object_get(c->body, "password");

    *out = NULL;
    *out_len = 0;
    if (v == NULL) {
        return WARD_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > PASSWORD_MAX) {
        return WARD_E_INVALID;
    }
    *out = json_string_value(v);
    *out_len = json_string_length(v);
    return WARD_OK;
}

/* set_password stores Argon2id(pwd) with a fresh salt in entry. */
static ward_err set_password(json_t *entry, const char *pwd, size_t pwd_len)
{
    uint8_t salt[SALT_LEN];
    uint8_t hash[HASH_LEN];
    char salt_b64[32];
    char hash_b64[48];
    struct ward_argon2_params p = { ARGON2_T, ARGON2_M, ARGON2_P, salt, sizeof(salt) };
    ward_err err;

    if ((err = ward_crypto_random(salt, sizeof(salt))) != WARD_OK ||
        (err = ward_argon2id(hash, sizeof(hash), &p, (const uint8_t *)pwd, pwd_len)) != WARD_OK ||
        (err = ward_base64_encode(salt_b64, sizeof(salt_b64), salt, sizeof(salt))) != WARD_OK ||
        (err = ward_base64_encode(hash_b64, sizeof(hash_b64), hash, sizeof(hash))) != WARD_OK) {
        OPENSSL_cleanse(hash, sizeof(hash));
        return err;
    }
    (void)json_object_set_new(entry, "salt", json_string(salt_b64));
    (void)json_object_set_new(entry, "hash", json_string(hash_b64));
    (void)json_object_set_new(
        entry, "argon2", json_pack("{s:i, s:i, s:i}", "t", ARGON2_T, "m", ARGON2_M, "p", ARGON2_P));
    OPENSSL_cleanse(hash, sizeof(hash));
    OPENSSL_cleanse(hash_b64, sizeof(hash_b64));
    return WARD_OK;
}

/* What one user write changes. */
struct user_write {
    bool create_ok;     /* users/:name: may create the user */
    bool need_password; /* users/:name/password */
    bool token_fields;  /* users/:name and users/:name/policies */
};

/* load_for_write reads name's entry (mu held), or starts one if w allows. */
static ward_err load_for_write(struct op_ctx *c, json_t **entry, const char *name,
                               const struct user_write *w)
{
    ward_err err = cred_get(cred_of(c), entry, USERS, name);

    if (err == WARD_E_NOT_FOUND && w->create_ok) {
        *entry = json_pack("{s:s}", "name", name);
        err = *entry != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if (err == WARD_E_NOT_FOUND) {
        op_fail(c, err, "no such user");
    } else if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
    return err;
}

/* apply sets the fields of c's body that w allows in entry; fails c if malformed. */
static bool apply(struct op_ctx *c, json_t *entry, const struct user_write *w)
{
    const char *pwd = NULL;
    const char *why = NULL;
    size_t pwd_len = 0;
    ward_err err;

    if (body_password(c, &pwd, &pwd_len) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "password must be a string of 1 to 1024 bytes");
        return false;
    }
    if (pwd == NULL && (w->need_password || json_object_get(entry, "hash") == NULL) &&
        (w->need_password || w->create_ok)) {
        op_fail(c, WARD_E_INVALID, "missing password");
        return false;
    }
    if (w->token_fields && cred_token_update(entry, c->body, &why) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, why);
        return false;
    }
    if ((w->need_password || w->create_ok) && pwd != NULL &&
        (err = set_password(entry, pwd, pwd_len)) != WARD_OK) {
        op_fail(c, err, NULL);
        return false;
    }
    return true;
}

static void user_write(struct op_ctx *c, const struct user_write *w)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    json_t *entry = NULL;
    ward_err err;

    if (!user_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    if (load_for_write(c, &entry, name, w) == WARD_OK && apply(c, entry, w) &&
        (err = cred_put(cm, USERS, name, entry)) != WARD_OK) {
        op_fail(c, err, NULL);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(entry);
}

void op_userpass_user_write(struct op_ctx *c)
{
    static const struct user_write w = { true, false, true };

    user_write(c, &w);
}

void op_userpass_password(struct op_ctx *c)
{
    static const struct user_write w = { false, true, false };

    user_write(c, &w);
}

void op_userpass_policies(struct op_ctx *c)
{
    static const struct user_write w = { false, false, true };

    if (json_object_get(c->body, "token_policies") == NULL &&
        json_object_get(c->body, "policies") == NULL) {
        op_fail(c, WARD_E_INVALID, "missing token_policies");
        return;
    }
    user_write(c, &w);
}

void op_userpass_user_read(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];
    json_t *entry = NULL;
    ward_err err;

    if (!user_name(c, name)) {
        return;
    }
    if ((err = cred_get(cred_of(c), &entry, USERS, name)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such user" : NULL);
        return;
    }
    /* SECURITY: Vault's shape: the token fields only, never hash or salt */
    cred_reply_token(c, entry);
}

void op_userpass_user_delete(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    ward_err err;

    if (!user_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_delete(cm, USERS, name);
    (void)pthread_mutex_unlock(&cm->mu);
    /* as Vault: deleting a user that does not exist is no error */
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void op_userpass_user_list(struct op_ctx *c)
{
    json_t *names = NULL;
    ward_err err;

    if ((err = cred_list(cred_of(c), &names, USERS)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    cred_list_reply(c, names);
}

/* stored_param reads one Argon2id cost from a stored entry, bounded. */
static uint32_t stored_param(const json_t *argon2, const char *key, uint32_t lo, uint32_t hi)
{
    json_int_t v = json_integer_value(json_object_get(argon2, key));

    return v >= lo && v <= hi ? (uint32_t)v : 0;
}

/*
 * check_password: pwd's Argon2id under entry's salt and cost equals its
 * hash. entry NULL (unknown user): the same work on a fixed salt, false.
 */
static bool check_password(const json_t *entry, const char *pwd, size_t pwd_len)
{
    static const uint8_t dummy_salt[SALT_LEN] = "ward-no-user-sal";
    const json_t *a = json_object_get(entry, "argon2");
    const char *salt_b64 = json_string_value(json_object_get(entry, "salt"));
    const char *hash_b64 = json_string_value(json_object_get(entry, "hash"));
    uint8_t salt[SALT_LEN];
    uint8_t want[HASH_LEN];
    uint8_t got[HASH_LEN];
    size_t salt_len = 0;
    size_t want_len = 0;
    struct ward_argon2_params p = { ARGON2_T, ARGON2_M, ARGON2_P, dummy_salt, SALT_LEN };
    bool ok = entry != NULL && salt_b64 != NULL && hash_b64 != NULL;

    if (ok) {
        p.t_cost = stored_param(a, "t", 1, 64);
        p.m_cost_kib = stored_param(a, "m", 8, 1u << 22);
        p.parallelism = stored_param(a, "p", 1, 64);
        ok = ward_base64_decode(salt, sizeof(salt), &salt_len, salt_b64, strlen(salt_b64)) ==
                 WARD_OK &&
             ward_base64_decode(want, sizeof(want), &want_len, hash_b64, strlen(hash_b64)) ==
                 WARD_OK &&
             salt_len >= 8 && want_len == HASH_LEN;
        p.salt = salt;
        p.salt_len = salt_len;
    }
    if (!ok) {
        p = (struct ward_argon2_params){ ARGON2_T, ARGON2_M, ARGON2_P, dummy_salt, SALT_LEN };
    }
    ok = ward_argon2id(got, sizeof(got), &p, (const uint8_t *)pwd, pwd_len) == WARD_OK && ok &&
         ward_ct_equal(got, want, HASH_LEN);
    OPENSSL_cleanse(got, sizeof(got));
    OPENSSL_cleanse(want, sizeof(want));
    return ok;
}

/* finish_login issues the token of a user whose password checked. */
static void finish_login(struct op_ctx *c, const json_t *entry, const char *name)
{
    const char *names[LOGIN_MAX_POLICIES];
    struct login l = { 0 };
    json_t *meta = json_pack("{s:s}", "username", name);

    l.method = "userpass";
    l.name = name;
    l.metadata = meta;
    cred_login_fill(&l, names, entry);
    login_reply(c, &l);
    json_decref(meta);
}

void op_userpass_login(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    char source[64];
    const char *pwd = NULL;
    size_t pwd_len = 0;
    json_t *entry = NULL;
    int64_t now = ward_time_now_ms();
    ward_err err;

    if (!user_name(c, name)) {
        return;
    }
    if (body_password(c, &pwd, &pwd_len) != WARD_OK || pwd == NULL) {
        op_fail(c, WARD_E_INVALID, "missing password");
        return;
    }
    cred_source(source, c);
    /* SECURITY: locked: refused before any hash is computed */
    if (ward_lockout_locked(cm->lockout, name, source, now)) {
        login_refuse(c);
        return;
    }
    err = cred_get(cm, &entry, USERS, name);
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
        return;
    }
    if (!check_password(entry, pwd, pwd_len) ||
        !cred_cidrs_allow(entry, "token_bound_cidrs", source)) {
        ward_lockout_failed(cm->lockout, name, source, ward_time_now_ms());
        login_refuse(c);
    } else {
        ward_lockout_succeeded(cm->lockout, name, source);
        finish_login(c, entry, name);
    }
    json_decref(entry);
}
