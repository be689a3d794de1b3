/*
 * auth_ldap_login.c - the ldap auth method's login (auth_ldap.c has the
 * paths, entries and rules): ask the directory (src/auth/ldap_client.c),
 * then gather the policies of the config, the user entry and every group,
 * and issue the token (login.h).
 *
 * SECURITY: the password is the login row's secret field; an empty one is
 * refused before the directory hears of it. The bind password is read into
 * a struct ward_secret for the conversation and freed (wiped) after it.
 * A locked (user, source) pair is refused before the directory is asked.
 *
 * THREADS: no lock is held across the conversation; the worker thread
 * blocks for at most the config's request_timeout.
 */
#include <string.h>

#include "auth_ldap_int.h"
#include "base/log.h"
#include "login.h"

#define MAX_POLICY_REFS 128  /* policy names gathered by one login before de-duplication */
#define META_GROUPS_MAX 1024 /* bytes of the groups shown in the token's metadata */

/* What one login gathers: entries kept alive while their policy names are used. */
struct gather {
    struct cred_mount *cm;
    bool cs;
    json_t *held; /* the entries read, so the names below stay valid */
    const char *names[MAX_POLICY_REFS];
    size_t num;
};

/* add_policies takes entry's policies (or token_policies) into g. */
static void add_policies(struct gather *g, const json_t *entry, const char *key)
{
    size_t i;
    const json_t *item;

    json_array_foreach(json_object_get(entry, key), i, item)
    {
        if (g->num < MAX_POLICY_REFS && json_is_string(item)) {
            g->names[g->num++] = json_string_value(item);
        }
    }
}

/* add_group reads the group entry of a name the directory (or the user entry) gave. */
static ward_err add_group(struct gather *g, const char *group)
{
    char name[CRED_KEY_MAX + 1];
    json_t *entry = NULL;
    ward_err err;

    if (!ldap_name(name, group, g->cs)) {
        return WARD_OK; /* a name no group entry can have */
    }
    if ((err = cred_get(g->cm, &entry, GROUPS, name)) != WARD_OK) {
        return err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    add_policies(g, entry, "policies");
    return json_array_append_new(g->held, entry) == 0 ? WARD_OK : WARD_E_NOMEM;
}

/* gather_policies collects the policies of ldap.h's result, the user entry and the config. */
static ward_err gather_policies(struct gather *g, const json_t *cfg, const char *username,
                                const struct ward_ldap_result *r)
{
    char name[CRED_KEY_MAX + 1];
    json_t *user = NULL;
    size_t i;
    const json_t *item;
    ward_err err = WARD_OK;

    add_policies(g, cfg, "token_policies");
    if (ldap_name(name, username, g->cs)) {
        err = cred_get(g->cm, &user, USERS, name);
    }
    if (err == WARD_OK && user != NULL) {
        add_policies(g, user, "policies");
        (void)json_array_append_new(g->held, user);
        json_array_foreach(json_object_get(user, "groups"), i, item)
        {
            if (err == WARD_OK && json_is_string(item)) {
                err = add_group(g, json_string_value(item));
            }
        }
    } else if (err == WARD_E_NOT_FOUND) {
        err = WARD_OK;
    }
    for (size_t k = 0; k < r->num_groups && err == WARD_OK; k++) {
        err = add_group(g, r->groups[k]);
    }
    return err;
}

/*
 * login_meta is the token's metadata: the user name and, as seed 004's
 * directory module returns them, the groups the directory listed
 * (comma-separated, as spelled there; at most META_GROUPS_MAX bytes).
 */
static json_t *login_meta(const char *username, const struct ward_ldap_result *r)
{
    char groups[META_GROUPS_MAX + 1];
    size_t n = 0;

    groups[0] = '\0';
    for (size_t i = 0; i < r->num_groups; i++) {
        size_t len = strlen(r->groups[i]);

        if (n + len + (n > 0) > META_GROUPS_MAX) {
            break; /* metadata is informative: policies came from every group */
        }
        if (n > 0) {
            groups[n++] = ',';
        }
        memcpy(groups + n, r->groups[i], len + 1);
        n += len;
    }
    return json_pack("{s:s, s:s}", "username", username, "groups", groups);
}

/* finish issues the token once the directory accepted the password. */
static void finish(struct op_ctx *c, const json_t *cfg, const char *username,
                   const struct ward_ldap_result *r)
{
    struct gather g = { .cm = cred_of(c), .cs = false, .held = json_array() };
    struct login l = { 0 };
    char source[64];
    json_t *meta = NULL;
    ward_err err;

    g.cs = json_is_true(json_object_get(cfg, "case_sensitive_names"));
    cred_source(source, c);
    if (g.held == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
    } else if ((err = gather_policies(&g, cfg, username, r)) != WARD_OK) {
        op_fail(c, err, NULL);
    } else if (g.num == 0) {
        /* SECURITY: deny by default, as Vault's "not a member of any authorized group" */
        op_fail(c, WARD_E_PERMISSION,
                "permission denied: the user is not a member of any group mapped to policies");
    } else if (!cred_cidrs_allow(cfg, "token_bound_cidrs", source)) {
        login_refuse(c);
    } else {
        meta = login_meta(username, r);
        l.method = "ldap";
        l.name = username;
        l.policies = g.names;
        l.num_policies = g.num;
        l.metadata = meta;
        l.ttl_s = json_integer_value(json_object_get(cfg, "token_ttl"));
        l.max_ttl_s = json_integer_value(json_object_get(cfg, "token_max_ttl"));
        l.no_default = json_is_true(json_object_get(cfg, "token_no_default_policy"));
        login_reply(c, &l);
    }
    json_decref(meta);
    json_decref(g.held);
}

/* ask runs the directory conversation; false (c failed) unless the password bound. */
static bool ask(struct op_ctx *c, const json_t *cfg, const char *username, const json_t *pw,
                struct ward_ldap_result *r)
{
    struct cred_mount *cm = cred_of(c);
    const struct ward_ldap_creds cred = { username, (const uint8_t *)json_string_value(pw),
                                          json_string_length(pw) };
    struct ward_secret *pass = NULL;
    struct ward_ldap_params p;
    char why[400];
    ward_err err;

    if ((err = ldap_load_bindpass(cm, &pass)) != WARD_OK) {
        op_fail(c, err, NULL);
        return false;
    }
    ldap_params_of(&p, cfg, pass != NULL ? pass->data : NULL, pass != NULL ? pass->len : 0);
    err = ward_ldap_login(r, &p, &cred, why, sizeof(why));
    ward_secret_free(pass);
    if (err == WARD_E_PERMISSION) {
        login_refuse(c);
    } else if (err != WARD_OK) {
        /* SECURITY: url and step only: no password, no bind password */
        ward_log(WARD_LOG_WARN, "ldap: login failed mount=%s code=%s: %s", c->mount->path,
                 ward_err_name(err), why);
        op_fail(c, err, why[0] != '\0' ? why : NULL);
    }
    return err == WARD_OK;
}

void op_ldap_login(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    const json_t *pw = json_object_get(c->body, "password");
    const char *username = c->rest != NULL ? c->rest : "";
    struct ward_ldap_result r = { 0 };
    char key[WARD_LDAP_MAX_NAME + 1];
    char source[64];
    json_t *cfg = NULL;
    ward_err err;

    /* SECURITY: the unauthenticated-bind trap, refused before the directory hears of it */
    if (!json_is_string(pw) || json_string_length(pw) == 0 ||
        json_string_length(pw) > WARD_LDAP_MAX_PASSWORD ||
        strlen(json_string_value(pw)) != json_string_length(pw)) {
        op_fail(c, WARD_E_INVALID, "password must be a non-empty string of at most 1024 bytes");
        return;
    }
    if (strchr(username, '/') != NULL || !ward_ldap_name_fold(key, sizeof(key), username, false) ||
        key[0] == '\0') {
        login_refuse(c);
        return;
    }
    if ((err = cred_get(cm, &cfg, CONFIG, CONFIG)) != WARD_OK) {
        op_fail(c, err == WARD_E_NOT_FOUND ? WARD_E_INVALID : err,
                err == WARD_E_NOT_FOUND ? "ldap is not configured (write its config first)" : NULL);
        return;
    }
    cred_source(source, c);
    /* SECURITY: a locked user or source is refused before the directory is asked */
    if (ward_lockout_locked(cm->lockout, key, source, ward_time_now_ms())) {
        login_refuse(c);
    } else if (ask(c, cfg, username, pw, &r)) {
        ward_lockout_succeeded(cm->lockout, key, source);
        finish(c, cfg, username, &r);
    } else if (c->resp->err == WARD_E_PERMISSION) {
        ward_lockout_failed(cm->lockout, key, source, ward_time_now_ms());
    }
    ward_ldap_result_cleanup(&r);
    json_decref(cfg);
}
