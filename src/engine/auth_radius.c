/*
 * auth_radius.c - the radius auth method at auth/<mount>/ (Vault's paths
 * and shapes, so hvac's client.auth.radius calls work): config, users
 * (policies per RADIUS user), login. The RADIUS protocol is src/auth/radius.c.
 *
 * Entries (auth_cred.h: JSON under the barrier, names hidden by an HMAC):
 *   config/"config": {"name", "host", "port", "secret", "dial_timeout",
 *                     "read_timeout", "nas_port", "nas_identifier",
 *                     "unregistered_user_policies": [...], token fields}
 *   users/<name>:    {"name", token fields (its policies)}
 *
 * Login: the RADIUS server decides the password (Access-Accept, nothing
 * else); Ward decides the policies: the registered user's, else the
 * config's unregistered_user_policies, plus the config's token_policies.
 * An unregistered user with no unregistered_user_policies is refused
 * (deny by default), after the exchange so the answer's time does not
 * tell who is registered. The mount's login throttle (Vault's user
 * lockout) counts Rejects per user and source.
 *
 * SECURITY: the shared secret is the config row's secret field, never
 * returned by a read, logged or put in an error message; the password is
 * the login rows' secret field and leaves Ward only hidden (RFC 2865
 * 5.2). Request identifier and authenticator come from the CSPRNG.
 *
 * THREADS: as auth_userpass.c: writes hold the mount's mu; a login reads
 * without it and never holds a lock across the network exchange (it
 * blocks its worker thread for at most dial_timeout + read_timeout).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth/radius.h"
#include "auth_entry.h"
#include "base/log.h"
#include "crypto/crypto.h"
#include "kv_int.h"
#include "login.h"

#define CONFIG           "config"
#define USERS            "users"
#define HOST_MAX         253
#define DEFAULT_PORT     1812
#define DEFAULT_TIMEOUT  10 /* seconds, dial and read (Vault's) */
#define MAX_TIMEOUT      60
#define DEFAULT_NAS_PORT 10 /* Vault's */
#define DEFAULT_NAS_ID   "ward"

const struct mount_kind g_mount_radius = { "radius",   "auth/radius/", true,      cred_open,
                                           cred_close, cred_flush,     cred_erase };

/* ---- config ---- */

/* text_ok: 1..max bytes, no control bytes or spaces (a host name, an identifier). */
static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

/* set_string copies body's key into cfg if present; *why on a bad value. */
static bool set_string(json_t *cfg, const json_t *body, const char *key, size_t max, bool empty_ok)
{
    const json_t *v = json_object_get(body, key);

    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v) ||
        !(text_ok(json_string_value(v), max) || (empty_ok && json_string_length(v) == 0))) {
        return false;
    }
    (void)json_object_set_new(cfg, key, json_string(json_string_value(v)));
    return true;
}

/* set_int copies body's integer key (lo..hi; also as text, from `ward write`; a duration for
 * timeouts) into cfg if present. */
static bool set_int(json_t *cfg, const json_t *body, const char *key, int64_t lo, int64_t hi,
                    bool duration)
{
    int64_t v = 0;
    bool present = false;
    ward_err err = duration ? kv_get_duration(body, key, &v, &present)
                            : cred_get_int(body, key, lo, hi, &v, &present);

    if (err != WARD_OK || (present && (v < lo || v > hi))) {
        return false;
    }
    if (present) {
        (void)json_object_set_new(cfg, key, json_integer(v));
    }
    return true;
}

/* set_secret copies "secret" (1..256 bytes, any bytes but NUL) into cfg if present. */
static bool set_secret(json_t *cfg, const json_t *body)
{
    const json_t *v = json_object_get(body, "secret");

    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        json_string_length(v) > WARD_RADIUS_MAX_SECRET) {
        return false;
    }
    (void)json_object_set_new(cfg, "secret",
                              json_stringn(json_string_value(v), json_string_length(v)));
    return true;
}

/* set_unregistered reads unregistered_user_policies (list or comma string) into cfg. */
static bool set_unregistered(json_t *cfg, const json_t *body)
{
    char names[LOGIN_MAX_POLICIES][65];
    const json_t *v = json_object_get(body, "unregistered_user_policies");
    const char *why = NULL;
    size_t num = 0;
    json_t *a;

    if (v == NULL) {
        return true;
    }
    if (login_policies_json(v, names, &num, &why) != WARD_OK || (a = json_array()) == NULL) {
        return false;
    }
    for (size_t i = 0; i < num; i++) {
        (void)json_array_append_new(a, json_string(names[i]));
    }
    (void)json_object_set_new(cfg, "unregistered_user_policies", a);
    return true;
}

/* config_apply sets body's fields in cfg; NULL or why it refused. */
static const char *config_apply(json_t *cfg, json_t *body)
{
    const char *why = NULL;

    if (!set_string(cfg, body, "host", HOST_MAX, false)) {
        return "host must be a host name or address of 1 to 253 bytes";
    }
    if (!set_secret(cfg, body)) {
        return "secret must be a string of 1 to 256 bytes";
    }
    if (!set_int(cfg, body, "port", 1, 65535, false) ||
        !set_int(cfg, body, "nas_port", 0, UINT32_MAX, false)) {
        return "port must be 1 to 65535 and nas_port 0 to 4294967295";
    }
    if (!set_int(cfg, body, "dial_timeout", 1, MAX_TIMEOUT, true) ||
        !set_int(cfg, body, "read_timeout", 1, MAX_TIMEOUT, true)) {
        return "dial_timeout and read_timeout must be 1 to 60 seconds";
    }
    if (!set_string(cfg, body, "nas_identifier", WARD_RADIUS_MAX_ATTR, true)) {
        return "nas_identifier must be at most 253 bytes without spaces or control bytes";
    }
    if (!set_unregistered(cfg, body)) {
        return "unregistered_user_policies must be at most 15 policy names";
    }
    if (cred_token_update(cfg, body, &why) != WARD_OK) {
        return why;
    }
    /* Vault refuses a config without them; so does Ward, whatever was stored before */
    if (json_object_get(cfg, "host") == NULL || json_object_get(cfg, "secret") == NULL) {
        return "host and secret are required";
    }
    return NULL;
}

void op_radius_config_write(struct op_ctx *c)
{
    entry_write(c, CONFIG, CONFIG, config_apply);
}

static json_int_t int_or(const json_t *cfg, const char *key, json_int_t dflt)
{
    const json_t *v = json_object_get(cfg, key);

    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

void op_radius_config_read(struct op_ctx *c)
{
    json_t *cfg = NULL;
    json_t *data;
    const json_t *unreg;
    ward_err err = cred_get(cred_of(c), &cfg, CONFIG, CONFIG);

    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "radius is not configured" : NULL);
        return;
    }
    unreg = json_object_get(cfg, "unregistered_user_policies");
    /* SECURITY: every field but the secret */
    data = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:s, s:O}", "host",
                     json_string_value(json_object_get(cfg, "host")), "port",
                     int_or(cfg, "port", DEFAULT_PORT), "dial_timeout",
                     int_or(cfg, "dial_timeout", DEFAULT_TIMEOUT), "read_timeout",
                     int_or(cfg, "read_timeout", DEFAULT_TIMEOUT), "nas_port",
                     int_or(cfg, "nas_port", DEFAULT_NAS_PORT), "nas_identifier",
                     json_string_value(json_object_get(cfg, "nas_identifier")) != NULL
                         ? json_string_value(json_object_get(cfg, "nas_identifier"))
                         : "",
                     "unregistered_user_policies", unreg != NULL ? unreg : json_array());
    if (data == NULL) {
        json_decref(cfg);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_token_read(data, cfg);
    json_decref(cfg);
    cred_reply(c, data);
}

/* ---- users ---- */

void op_radius_user_write(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];

    if (entry_name(c, name)) {
        entry_write(c, USERS, name, entry_token_apply);
    }
}

void op_radius_user_read(struct op_ctx *c)
{
    json_t *entry = NULL;

    if (!entry_read(c, &entry, USERS, "user")) {
        return;
    }
    cred_reply_token(c, entry);
}

void op_radius_user_delete(struct op_ctx *c)
{
    entry_delete(c, USERS);
}

void op_radius_user_list(struct op_ctx *c)
{
    entry_list(c, USERS);
}

/* ---- login ---- */

/* One login's inputs, read from the path and body. */
struct attempt {
    const char *user;            /* as sent to the RADIUS server (case kept) */
    char key[CRED_NAME_MAX + 1]; /* the users/ entry's name (lower case) */
    const char *password;
    size_t password_len;
};

/* read_attempt takes the user from the path or the body and the password; fails c if malformed. */
static bool read_attempt(struct op_ctx *c, struct attempt *a)
{
    const json_t *pw = json_object_get(c->body, "password");

    a->user = c->num_vars > 0 ? c->var[0] : json_string_value(json_object_get(c->body, "username"));
    if (a->user == NULL || !cred_name(a->key, a->user)) {
        op_fail(c, WARD_E_INVALID,
                "username must be 1 to 64 characters of A-Z a-z 0-9 _ . @ - (in the path or the "
                "body)");
        return false;
    }
    if (!json_is_string(pw) || json_string_length(pw) == 0 ||
        json_string_length(pw) > WARD_RADIUS_MAX_PASSWORD) {
        op_fail(c, WARD_E_INVALID, "password must be a string of 1 to 128 bytes (RFC 2865)");
        return false;
    }
    a->password = json_string_value(pw);
    a->password_len = json_string_length(pw);
    return true;
}

/* ask runs the RADIUS exchange for a under cfg; fails c on anything but an answer. */
static bool ask(struct op_ctx *c, const json_t *cfg, const struct attempt *a,
                enum ward_radius_code *code)
{
    const char *host = json_string_value(json_object_get(cfg, "host"));
    const char *nas_id = json_string_value(json_object_get(cfg, "nas_identifier"));
    const json_t *secret = json_object_get(cfg, "secret");
    struct ward_radius_secret s = { (const uint8_t *)json_string_value(secret),
                                    json_string_length(secret) };
    struct ward_radius_server srv = { host, (uint16_t)int_or(cfg, "port", DEFAULT_PORT),
                                      int_or(cfg, "dial_timeout", DEFAULT_TIMEOUT) * 1000,
                                      int_or(cfg, "read_timeout", DEFAULT_TIMEOUT) * 1000 };
    struct ward_radius_request r = { 0 };
    char msg[400];
    ward_err err;

    nas_id = nas_id != NULL && nas_id[0] != '\0' ? nas_id : DEFAULT_NAS_ID;
    r.user = (const uint8_t *)a->user;
    r.user_len = strlen(a->user);
    r.password = (const uint8_t *)a->password;
    r.password_len = a->password_len;
    r.nas_identifier = (const uint8_t *)nas_id;
    r.nas_identifier_len = strlen(nas_id);
    r.nas_port = (uint32_t)int_or(cfg, "nas_port", DEFAULT_NAS_PORT);
    if ((err = ward_crypto_random(&r.id, 1)) != WARD_OK ||
        (err = ward_crypto_random(r.authenticator, sizeof(r.authenticator))) != WARD_OK ||
        (err = ward_radius_exchange(code, &srv, &r, &s)) == WARD_OK) {
        return err == WARD_OK;
    }
    /* SECURITY: where and how long, never the secret or the password */
    if (err == WARD_E_RADIUS_UNREACHABLE) {
        (void)snprintf(msg, sizeof(msg),
                       "no answer from the RADIUS server %s port %u within %lld s (a server drops "
                       "requests signed with another shared secret: check the secret too)",
                       host != NULL ? host : "-", (unsigned)srv.port,
                       (long long)(srv.read_timeout_ms / 1000));
    } else if (err == WARD_E_RADIUS_BAD_RESPONSE) {
        (void)snprintf(msg, sizeof(msg),
                       "the answer of the RADIUS server %s port %u failed its authenticator "
                       "checks: the shared secrets differ, or it lacks a Message-Authenticator",
                       host != NULL ? host : "-", (unsigned)srv.port);
    }
    ward_log(WARD_LOG_WARN, "radius: login exchange failed mount=%s code=%s", c->mount->path,
             ward_err_name(err));
    op_fail(c, err,
            err == WARD_E_RADIUS_UNREACHABLE || err == WARD_E_RADIUS_BAD_RESPONSE ? msg : NULL);
    return false;
}

/* policies_of adds the user's (or the unregistered) policies and the config's; false: none apply.
 */
static bool policies_of(const json_t *user, const json_t *cfg, const char **names, size_t *num)
{
    const json_t *lists[2] = { user != NULL ? json_object_get(user, "token_policies")
                                            : json_object_get(cfg, "unregistered_user_policies"),
                               json_object_get(cfg, "token_policies") };
    size_t i;
    const json_t *item;

    /* SECURITY: deny by default: an unregistered user needs unregistered_user_policies */
    if (user == NULL && json_array_size(lists[0]) == 0) {
        return false;
    }
    *num = 0;
    for (size_t k = 0; k < 2; k++) {
        json_array_foreach(lists[k], i, item)
        {
            if (*num < LOGIN_MAX_POLICIES && json_is_string(item)) {
                names[(*num)++] = json_string_value(item);
            }
        }
    }
    return true;
}

/* join_names writes names as Vault's comma-separated metadata value. */
static void join_names(char *out, size_t cap, const char *const *names, size_t num)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < num; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i > 0 ? "," : "", names[i]);

        if (n < 0 || (size_t)n >= cap - used) {
            return; /* cannot happen: 15 names of at most 64 bytes */
        }
        used += (size_t)n;
    }
}

/* finish issues the token of an accepted user (cfg's TTLs). */
static void finish(struct op_ctx *c, const json_t *cfg, const json_t *user, const char *name)
{
    const char *names[LOGIN_MAX_POLICIES];
    struct login l = { 0 };
    char source[64];
    char joined[LOGIN_MAX_POLICIES * 66];
    json_t *meta;

    cred_source(source, c);
    if (!policies_of(user, cfg, names, &l.num_policies) ||
        !cred_cidrs_allow(cfg, "token_bound_cidrs", source) ||
        !cred_cidrs_allow(user, "token_bound_cidrs", source)) {
        login_refuse(c);
        return;
    }
    /* Vault's metadata: the user and the policies the method gave */
    join_names(joined, sizeof(joined), names, l.num_policies);
    meta = json_pack("{s:s, s:s}", "username", name, "policies", joined);
    l.method = "radius";
    l.name = name;
    l.policies = names;
    l.metadata = meta;
    l.ttl_s = json_integer_value(json_object_get(cfg, "token_ttl"));
    l.max_ttl_s = json_integer_value(json_object_get(cfg, "token_max_ttl"));
    l.no_default = json_is_true(json_object_get(cfg, "token_no_default_policy"));
    login_reply(c, &l);
    json_decref(meta);
}

void op_radius_login(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    struct attempt a = { 0 };
    enum ward_radius_code code = 0;
    char source[64];
    json_t *cfg = NULL;
    json_t *user = NULL;
    ward_err err;

    if (!read_attempt(c, &a)) {
        return;
    }
    if ((err = cred_get(cm, &cfg, CONFIG, CONFIG)) != WARD_OK) {
        op_fail(c, err == WARD_E_NOT_FOUND ? WARD_E_INVALID : err,
                err == WARD_E_NOT_FOUND ? "radius is not configured (write its config first)"
                                        : NULL);
        return;
    }
    cred_source(source, c);
    /* SECURITY: a locked user or source is refused before the server is asked */
    if (ward_lockout_locked(cm->lockout, a.key, source, ward_time_now_ms())) {
        login_refuse(c);
    } else if (ask(c, cfg, &a, &code)) {
        if (code != WARD_RADIUS_ACCESS_ACCEPT) {
            /* Reject, or a Challenge Ward cannot answer (no second factor prompt) */
            ward_lockout_failed(cm->lockout, a.key, source, ward_time_now_ms());
            login_refuse(c);
        } else if ((err = cred_get(cm, &user, USERS, a.key)) != WARD_OK &&
                   err != WARD_E_NOT_FOUND) {
            op_fail(c, err, NULL);
        } else {
            ward_lockout_succeeded(cm->lockout, a.key, source);
            finish(c, cfg, user, a.key);
        }
    }
    json_decref(user);
    json_decref(cfg);
}
