/*
 * login.c - the end of every auth method's login (login.h): a token for
 * the caller the method vouched for, in Vault's login shape.
 */
#include "login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine_int.h"
#include "mounts.h"

#define LOGIN_DEFAULT_TTL_S WARD_TOKEN_MAX_TTL_S

/* add_name appends a lower-cased policy name unless present; false if invalid or full. */
static bool add_name(char names[][WARD_TOKEN_NAME_MAX + 1], size_t *num, size_t cap,
                     const char *name)
{
    char low[WARD_TOKEN_NAME_MAX + 1];

    if (!access_lower_name(low, sizeof(low), name) || !ward_token_name_ok(low)) {
        return false;
    }
    for (size_t i = 0; i < *num; i++) {
        if (strcmp(names[i], low) == 0) {
            return true;
        }
    }
    if (*num == cap) {
        return false;
    }
    (void)snprintf(names[(*num)++], WARD_TOKEN_NAME_MAX + 1, "%s", low);
    return true;
}

/* add_csv adds the names of Vault's comma-separated form ("a,b, c"); false if one is bad. */
static bool add_csv(char names[][WARD_TOKEN_NAME_MAX + 1], size_t *num, const char *s)
{
    while (*s != '\0') {
        char one[WARD_TOKEN_NAME_MAX + 1];
        size_t n = strcspn(s, ",");
        size_t lead = strspn(s, " ");

        lead = lead < n ? lead : n;
        while (n > lead && s[n - 1] == ' ') {
            n--;
        }
        if (n - lead > WARD_TOKEN_NAME_MAX) {
            return false;
        }
        memcpy(one, s + lead, n - lead);
        one[n - lead] = '\0';
        if (n > lead && !add_name(names, num, LOGIN_MAX_POLICIES, one)) {
            return false;
        }
        s += strcspn(s, ",");
        s += *s == ',';
    }
    return true;
}

ward_err login_policies_json(const json_t *v, char names[LOGIN_MAX_POLICIES][65], size_t *num,
                             const char **why)
{
    bool ok = true;
    size_t i;
    const json_t *item;

    *num = 0;
    *why = NULL;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (json_is_string(v)) {
        ok = add_csv(names, num, json_string_value(v));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            ok = ok && json_is_string(item) &&
                 add_name(names, num, LOGIN_MAX_POLICIES, json_string_value(item));
        }
    } else {
        ok = false;
    }
    if (!ok) {
        *why = "policies must be at most 15 names of a-z 0-9 _ . @ -";
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

void login_refuse(struct op_ctx *c)
{
    op_fail(c, WARD_E_PERMISSION, "permission denied: invalid credentials");
}

/* principal writes Vault's display name "<mount>-<name>", mount without "auth/" and '/'. */
static bool principal(char out[WARD_TOKEN_NAME_MAX + 1], const struct op_ctx *c,
                      const struct login *l)
{
    const char *mp = c->mount != NULL ? c->mount->path : l->method;
    size_t n;
    int w;

    mp += strncmp(mp, "auth/", 5) == 0 ? 5 : 0;
    n = strlen(mp);
    n -= n > 0 && mp[n - 1] == '/';
    w = snprintf(out, WARD_TOKEN_NAME_MAX + 1, "%.*s-%s", (int)n, mp, l->name);
    if (w < 0 || w > WARD_TOKEN_NAME_MAX) {
        return false;
    }
    for (char *p = out; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '-';
        }
    }
    return true;
}

/*
 * remember_token writes "auth/<mount storage>/tokens/<accessor>" so that
 * disabling the mount revokes what it issued (mounts.c), as Vault logs out
 * every user of a disabled auth method. The value is the token's maximum
 * expiry: past it the entry only waits for the mount's erase.
 */
static ward_err remember_token(struct op_ctx *c, const struct ward_token_info *t)
{
    char acc[WARD_ACCESSOR_HEX_LEN + 1];
    char rest[WARD_ACCESSOR_HEX_LEN + 16];
    char path[MOUNT_STORAGE_ID + 96];
    char val[24];
    int n;

    if (c->mount == NULL) {
        return WARD_OK;
    }
    ward_accessor_hex(acc, t->accessor);
    (void)snprintf(rest, sizeof(rest), "tokens/%s", acc);
    n = snprintf(val, sizeof(val), "%lld", (long long)t->max_expire_ms);
    if (!mount_storage_path(path, sizeof(path), "auth", c->mount, rest)) {
        return WARD_E_INVALID;
    }
    return ward_barrier_put(c->eng->barrier, path, (const uint8_t *)val, (size_t)n);
}

/* login_info fills t for l at now; false if its policies or name do not fit a token. */
static bool login_info(struct ward_token_info *t, const struct op_ctx *c, const struct login *l,
                       int64_t now)
{
    int64_t max = l->max_ttl_s > 0 && l->max_ttl_s < WARD_TOKEN_MAX_TTL_S ? l->max_ttl_s
                                                                          : WARD_TOKEN_MAX_TTL_S;
    int64_t ttl = l->ttl_s > 0 ? l->ttl_s : LOGIN_DEFAULT_TTL_S;
    bool ok = true;

    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < l->num_policies && ok; i++) {
        ok = strcmp(l->policies[i], "root") != 0 && /* no auth method mints root */
             add_name(t->policies, &t->num_policies, WARD_TOKEN_MAX_POLICIES, l->policies[i]);
    }
    if (ok && !l->no_default) {
        ok = add_name(t->policies, &t->num_policies, WARD_TOKEN_MAX_POLICIES, "default");
    }
    ttl = ttl < max ? ttl : max;
    t->renewable = true;
    t->ttl_s = (uint32_t)ttl;
    t->issue_ms = now;
    t->expire_ms = now + ttl * 1000;
    t->max_expire_ms = now + max * 1000;
    return ok && principal(t->principal, c, l);
}

void login_reply(struct op_ctx *c, const struct login *l)
{
    struct ward_token_info t;
    struct ward_secret *tok = NULL;
    int64_t now = ward_time_now_ms();
    json_free_t release = NULL;
    char *meta = NULL;
    ward_err err;

    if (!login_info(&t, c, l, now)) {
        op_fail(c, WARD_E_INVALID, "the login's policies or name do not fit a token");
        return;
    }
    if (l->metadata != NULL &&
        (meta = json_dumps(l->metadata, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    if ((err = ward_auth_issue(c->eng->auth, &tok, &t, meta, now)) != WARD_OK ||
        (err = remember_token(c, &t)) != WARD_OK) {
        if (tok != NULL && ward_auth_revoke(c->eng->auth, &t, now) != WARD_OK) {
            /* never a token the mount forgets: say so if it stays valid */
            ward_log(WARD_LOG_ERROR, "login: a token issued without its mount record could "
                                     "not be revoked");
        }
        op_fail(c, err, NULL);
    } else {
        token_reply(c, NULL,
                    token_auth_json(&t, (const char *)tok->data,
                                    l->metadata != NULL ? json_deep_copy(l->metadata) : NULL));
    }
    ward_secret_free(tok);
    json_get_alloc_funcs(NULL, &release);
    if (meta != NULL) {
        release(meta);
    }
}
