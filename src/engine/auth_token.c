/*
 * auth_token.c - Vault's token paths at auth/token/: create, lookup (self,
 * token, accessor), renew (self, token), revoke (self, token, accessor).
 * Request and response shapes are Vault's, so hvac's auth.token calls work.
 *
 * Ward's tokens carry no parent: a child never outlives its creator's
 * maximum lifetime instead (a Vault child dies with its parent), and holds
 * only policies its creator holds ("default" aside) unless the creator has
 * sudo on auth/token/create; "root" only from a root caller. num_uses,
 * periodic tokens, custom ids and roles are refused rather than ignored.
 *
 * SECURITY: a token read from a body is a secret field of its row (never
 * logged); the response to create is the only place a new token appears.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "control.h"
#include "kv_int.h"

#define DEFAULT_TTL_S WARD_TOKEN_MAX_TTL_S

static int64_t now_ms(void)
{
    return ward_time_now_ms();
}

static json_t *policies_json(const struct ward_token_info *t)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < t->num_policies; i++) {
        (void)json_array_append_new(a, json_string(t->policies[i]));
    }
    return a;
}

static int64_t ttl_left_s(const struct ward_token_info *t)
{
    int64_t left = t->root ? 0 : (t->expire_ms - now_ms() + 999) / 1000;

    return left > 0 ? left : 0;
}

/* meta_json parses stored metadata text (NULL when there is none). */
static json_t *meta_json(const struct ward_buf *meta)
{
    return meta->len > 0 ? json_loadb((const char *)meta->data, meta->len, 0, NULL) : NULL;
}

void token_reply(struct op_ctx *c, json_t *data, json_t *auth)
{
    c->data =
        json_pack("{s:s, s:s, s:b, s:i, s:o?, s:n, s:n, s:o?}", "request_id",
                  c->req->request_id != NULL ? c->req->request_id : "", "lease_id", "", "renewable",
                  0, "lease_duration", 0, "data", data, "wrap_info", "warnings", "auth", auth);
    if (c->data == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
    }
}

json_t *token_auth_json(const struct ward_token_info *t, const char *token, json_t *meta)
{
    char acc[WARD_ACCESSOR_HEX_LEN + 1] = "";

    if (!t->root) {
        ward_accessor_hex(acc, t->accessor);
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o?, s:I, s:b, s:s, s:s, s:b, s:n, s:i}",
                     "client_token", token != NULL ? token : "", "accessor", acc, "policies",
                     policies_json(t), "token_policies", policies_json(t), "metadata", meta,
                     "lease_duration", (json_int_t)ttl_left_s(t), "renewable", t->renewable,
                     "entity_id", "", "token_type", "service", "orphan", 1, "mfa_requirement",
                     "num_uses", (int)t->num_uses);
}

/* lookup_json is Vault's lookup "data" for t; token text shown as "id" when given. */
static json_t *lookup_json(const struct ward_token_info *t, const char *token, json_t *meta)
{
    char acc[WARD_ACCESSOR_HEX_LEN + 1] = "";

    if (!t->root) {
        ward_accessor_hex(acc, t->accessor);
    }
    return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:I, s:o, s:o, s:o?, s:i, s:b, s:s,"
                     " s:o, s:o, s:b, s:I, s:s}",
                     "id", token != NULL ? token : "", "accessor", acc, "creation_time",
                     (json_int_t)(t->issue_ms / 1000), "creation_ttl", (json_int_t)t->ttl_s,
                     "display_name", t->principal, "entity_id", "", "expire_time",
                     t->root ? json_null() : kv_time_json(t->expire_ms), "explicit_max_ttl",
                     (json_int_t)(t->root ? 0 : (t->max_expire_ms - t->issue_ms) / 1000),
                     "issue_time", kv_time_json(t->issue_ms), "max_expire_time",
                     t->root ? json_null() : kv_time_json(t->max_expire_ms), "meta", meta,
                     "num_uses", (int)t->num_uses, "orphan", 1, "path",
                     t->root ? "auth/token/root" : "auth/token/create", "policies",
                     policies_json(t), "ward_tenant", json_string(t->tenant), "renewable",
                     t->renewable, "ttl", (json_int_t)ttl_left_s(t), "type", "service");
}

/* send_lookup replies with t's lookup data, its metadata read by accessor. */
static void send_lookup(struct op_ctx *c, const struct ward_token_info *t, const char *token)
{
    struct ward_buf meta;
    ward_err err = WARD_OK;

    ward_buf_init(&meta, 1u << 17);
    if (!t->root) {
        err = ward_auth_meta(c->eng->auth, &meta, t->accessor);
    }
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    } else {
        token_reply(c, lookup_json(t, token, meta_json(&meta)), NULL);
    }
    ward_buf_cleanup(&meta);
}

/* body_token validates the body's "token" field into *out. */
static ward_err body_token(struct op_ctx *c, struct ward_token_info *out, const char **text)
{
    size_t len = 0;

    *text = NULL;
    if (json_get_string(c->body, "token", text, &len) != WARD_OK || *text == NULL) {
        op_fail(c, WARD_E_INVALID, "token (a string) is required");
        return WARD_E_INVALID;
    }
    return ward_auth_validate(c->eng->auth, out, *text, len, now_ms());
}

/* body_accessor reads the body's "accessor" field. */
static bool body_accessor(struct op_ctx *c, uint8_t acc[WARD_TOKEN_ID_LEN])
{
    const char *s = NULL;
    size_t len = 0;

    if (json_get_string(c->body, "accessor", &s, &len) != WARD_OK || s == NULL ||
        !ward_accessor_parse(acc, s)) {
        op_fail(c, WARD_E_INVALID, "invalid accessor");
        return false;
    }
    return true;
}

void op_token_lookup_self(struct op_ctx *c)
{
    send_lookup(c, &c->tok, c->req->token);
}

void op_token_lookup(struct op_ctx *c)
{
    struct ward_token_info t;
    const char *text;
    ward_err err = body_token(c, &t, &text);

    if (err == WARD_OK) {
        send_lookup(c, &t, text);
    } else if (err != WARD_E_INVALID) {
        op_fail(c, err, NULL);
    }
}

void op_token_lookup_accessor(struct op_ctx *c)
{
    struct ward_token_info t;
    struct ward_buf meta;
    uint8_t acc[WARD_TOKEN_ID_LEN];
    ward_err err;

    if (!body_accessor(c, acc)) {
        return;
    }
    ward_buf_init(&meta, 1u << 17);
    err = ward_auth_lookup_accessor(c->eng->auth, &t, &meta, acc, now_ms());
    if (err == WARD_OK) {
        token_reply(c, lookup_json(&t, NULL, meta_json(&meta)), NULL);
    } else {
        op_fail(c, err == WARD_E_NOT_FOUND ? WARD_E_INVALID : err,
                err == WARD_E_NOT_FOUND ? "invalid accessor" : NULL);
    }
    ward_buf_cleanup(&meta);
}

/* renew renews t by the body's increment and replies with its auth block. */
static void renew(struct op_ctx *c, struct ward_token_info *t, const char *text)
{
    int64_t inc = 0;
    bool present = false;
    ward_err err;

    if (kv_get_duration(c->body, "increment", &inc, &present) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "increment must be a duration");
        return;
    }
    inc = inc > WARD_TOKEN_MAX_TTL_S ? WARD_TOKEN_MAX_TTL_S : inc;
    if ((err = ward_auth_renew(c->eng->auth, t, inc, now_ms())) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    token_reply(c, NULL, token_auth_json(t, text, NULL));
}

void op_token_renew_self(struct op_ctx *c)
{
    renew(c, &c->tok, c->req->token);
}

void op_token_renew(struct op_ctx *c)
{
    struct ward_token_info t;
    const char *text;
    ward_err err = body_token(c, &t, &text);

    if (err == WARD_OK) {
        renew(c, &t, text);
    } else if (err != WARD_E_INVALID) {
        op_fail(c, err, NULL);
    }
}

/* revoke revokes t (204) and logs a keyed handle of it, never the token. */
static void revoke(struct op_ctx *c, const struct ward_token_info *t)
{
    char handle[65] = "";
    ward_err err;

    if (t->root) {
        op_fail(c, WARD_E_INVALID, "the root token cannot be revoked");
        return;
    }
    if ((err = ward_auth_revoke(c->eng->auth, t, now_ms())) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (ward_auth_accessor_hmac(c->eng->auth, handle, t) == WARD_OK) {
        ward_log(WARD_LOG_INFO, "msg=\"token revoked\" accessor_hmac=%s request_id=%s", handle,
                 c->req->request_id != NULL ? c->req->request_id : "");
    }
}

void op_token_revoke_self(struct op_ctx *c)
{
    revoke(c, &c->tok);
}

void op_token_revoke(struct op_ctx *c)
{
    struct ward_token_info t;
    const char *text;
    ward_err err = body_token(c, &t, &text);

    if (err == WARD_OK) {
        revoke(c, &t);
    } else if (err != WARD_E_INVALID && err != WARD_E_TOKEN_INVALID) {
        op_fail(c, err, NULL);
    } /* an invalid token is as revoked as it gets: 204, as Vault */
}

void op_token_revoke_accessor(struct op_ctx *c)
{
    struct ward_token_info t;
    struct ward_buf meta;
    uint8_t acc[WARD_TOKEN_ID_LEN];
    ward_err err;

    if (!body_accessor(c, acc)) {
        return;
    }
    ward_buf_init(&meta, 1u << 17);
    err = ward_auth_lookup_accessor(c->eng->auth, &t, &meta, acc, now_ms());
    ward_buf_cleanup(&meta);
    if (err == WARD_OK) {
        revoke(c, &t);
    } else {
        op_fail(c, err == WARD_E_NOT_FOUND ? WARD_E_INVALID : err,
                err == WARD_E_NOT_FOUND ? "invalid accessor" : NULL);
    }
}

/* ---- create ---- */

/* add_policy appends name (lower-cased) to t unless there; false if invalid or too many. */
static bool add_policy(struct ward_token_info *t, const char *name)
{
    char low[WARD_TOKEN_NAME_MAX + 1];

    if (!access_lower_name(low, sizeof(low), name) || !ward_token_name_ok(low)) {
        return false;
    }
    for (size_t i = 0; i < t->num_policies; i++) {
        if (strcmp(t->policies[i], low) == 0) {
            return true;
        }
    }
    if (t->num_policies == WARD_TOKEN_MAX_POLICIES) {
        return false;
    }
    (void)snprintf(t->policies[t->num_policies++], WARD_TOKEN_NAME_MAX + 1, "%s", low);
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* has_policy: t carries name. */
static bool has_policy(const struct ward_token_info *t, const char *name)
{
    for (size_t i = 0; i < t->num_policies; i++) {
        if (strcmp(t->policies[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* create_policies fills t's policies from the body (default: the caller's). */
static const char *create_policies(struct op_ctx *c, struct ward_token_info *t)
{
    const json_t *list = json_object_get(c->body, "policies");
    bool no_default = false;
    size_t i;
    const json_t *v;

    if (json_get_bool(c->body, "no_default_policy", &no_default) != WARD_OK) {
        return "no_default_policy must be a boolean";
    }
    if (list == NULL || json_is_null(list)) {
        for (i = 0; i < c->tok.num_policies; i++) {
            (void)add_policy(t, c->tok.policies[i]);
        }
    } else if (!json_is_array(list)) {
        return "policies must be a list of names";
    }
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v) || !add_policy(t, json_string_value(v))) {
            return "policies must be at most 16 names of a-z 0-9 _ . @ -";
        }
    }
    if (!no_default && !has_policy(t, "root") && !add_policy(t, "default")) {
        return "policies must be at most 16 names of a-z 0-9 _ . @ -";
    }
    qsort(t->policies, t->num_policies, sizeof(t->policies[0]), cmp_names);
    return NULL;
}

/*
 * escalation refuses policies the caller does not hold (SECURITY: no token
 * can mint a stronger one). "default" is always allowed; sudo on
 * auth/token/create allows any policy but "root", which only root gives.
 */
static bool escalation(struct op_ctx *c, const struct ward_token_info *t)
{
    bool sudo;

    if (has_policy(&c->tok, "root")) {
        return false;
    }
    if (has_policy(t, "root")) {
        return true;
    }
    sudo = access_allowed(c, "auth/token/create", WARD_CAP_UPDATE | WARD_CAP_CREATE, true);
    for (size_t i = 0; i < t->num_policies && !sudo; i++) {
        if (strcmp(t->policies[i], "default") != 0 && !has_policy(&c->tok, t->policies[i])) {
            return true;
        }
    }
    return false;
}

/* create_times sets t's TTL, expiry and maximum from ttl and explicit_max_ttl. */
static const char *create_times(struct op_ctx *c, struct ward_token_info *t, int64_t now)
{
    int64_t ttl = DEFAULT_TTL_S;
    int64_t max = WARD_TOKEN_MAX_TTL_S;
    int64_t v = 0;
    bool present = false;

    if (kv_get_duration(c->body, "ttl", &v, &present) != WARD_OK) {
        return "ttl must be a duration";
    }
    ttl = present && v > 0 ? v : ttl;
    if (kv_get_duration(c->body, "explicit_max_ttl", &v, &present) != WARD_OK) {
        return "explicit_max_ttl must be a duration";
    }
    max = present && v > 0 && v < max ? v : max;
    ttl = ttl < max ? ttl : max;
    t->ttl_s = (uint32_t)ttl;
    t->issue_ms = now;
    t->max_expire_ms = now + max * 1000;
    if (!c->tok.root && c->tok.max_expire_ms < t->max_expire_ms) {
        t->max_expire_ms = c->tok.max_expire_ms; /* never outlives its creator's limit */
    }
    t->expire_ms = now + ttl * 1000;
    t->expire_ms = t->expire_ms < t->max_expire_ms ? t->expire_ms : t->max_expire_ms;
    return t->expire_ms > now ? NULL : "the creating token is about to expire";
}

/* create_unsupported names a field Ward refuses rather than ignores, or NULL. */
static const char *create_unsupported(const json_t *body)
{
    const json_t *v;
    const char *type = json_string_value(json_object_get(body, "type"));

    if ((v = json_object_get(body, "id")) != NULL && !json_is_null(v)) {
        return "custom token ids are not supported";
    }
    if ((v = json_object_get(body, "num_uses")) != NULL && !json_is_null(v) &&
        !(json_is_integer(v) && json_integer_value(v) == 0)) {
        return "num_uses other than 0 is not supported";
    }
    if ((v = json_object_get(body, "period")) != NULL && !json_is_null(v) &&
        !(json_is_integer(v) && json_integer_value(v) == 0) &&
        !(json_is_string(v) &&
          (strcmp(json_string_value(v), "") == 0 || strcmp(json_string_value(v), "0") == 0))) {
        return "periodic tokens are not supported";
    }
    if (json_object_get(body, "type") != NULL &&
        (type == NULL || (strcmp(type, "service") != 0 && strcmp(type, "default") != 0))) {
        return "only service tokens are supported";
    }
    return NULL;
}

/* create_fields reads display_name, renewable and meta (JSON text into *meta). */
static const char *create_fields(struct op_ctx *c, struct ward_token_info *t, char **meta)
{
    const json_t *m = json_object_get(c->body, "meta");
    const char *name = json_string_value(json_object_get(c->body, "display_name"));
    const char *key;
    const json_t *v;

    *meta = NULL;
    t->renewable = true;
    if (json_get_bool(c->body, "renewable", &t->renewable) != WARD_OK) {
        return "renewable must be a boolean";
    }
    if (name == NULL || name[0] == '\0' || strcmp(name, "token") == 0) {
        (void)snprintf(t->principal, sizeof(t->principal), "token");
    } else if (strlen(name) > WARD_TOKEN_NAME_MAX - 6 ||
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-") !=
                   strlen(name)) {
        return "display_name is at most 58 of A-Z a-z 0-9 _ . @ -";
    } else {
        (void)snprintf(t->principal, sizeof(t->principal), "token-%s", name);
    }
    if (m == NULL || json_is_null(m)) {
        return NULL;
    }
    if (!json_is_object(m)) {
        return "meta must be an object of strings";
    }
    json_object_foreach((json_t *)m, key, v)
    {
        if (!json_is_string(v)) {
            return "meta must be an object of strings";
        }
    }
    *meta = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    return *meta != NULL ? NULL : "out of memory";
}

void op_token_create(struct op_ctx *c)
{
    struct ward_token_info t;
    struct ward_secret *tok = NULL;
    char *meta = NULL;
    const char *why;
    ward_err err;

    memset(&t, 0, sizeof(t));
    if ((why = create_unsupported(c->body)) != NULL || (why = create_policies(c, &t)) != NULL ||
        (why = create_fields(c, &t, &meta)) != NULL ||
        (why = create_times(c, &t, now_ms())) != NULL) {
        op_fail(c, WARD_E_INVALID, why);
        goto out;
    }
    if (!do_child_principal(c, &t, &why)) {
        op_fail(c, WARD_E_PERMISSION, why);
        goto out;
    }
    if (escalation(c, &t)) {
        op_fail(c, WARD_E_PERMISSION,
                "permission denied: a new token's policies must be among the caller's");
        goto out;
    }
    if ((err = ward_auth_issue(c->eng->auth, &tok, &t, meta, t.issue_ms)) != WARD_OK) {
        op_fail(c, err, NULL);
        goto out;
    }
    token_reply(c, NULL,
                token_auth_json(&t, (const char *)tok->data,
                                meta != NULL ? json_loads(meta, 0, NULL) : json_null()));
out:
    ward_secret_free(tok);
    if (meta != NULL) {
        json_free_t f = NULL;

        json_get_alloc_funcs(NULL, &f);
        f(meta);
    }
}
