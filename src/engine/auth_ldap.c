/*
 * auth_ldap.c - the ldap auth method at auth/<mount>/ (Vault's paths and
 * shapes, so hvac's client.auth.ldap calls work): config, groups (policies
 * per LDAP group), users (policies and extra groups per user); the login
 * is auth_ldap_login.c, the LDAP conversation src/auth/ldap_client.c.
 *
 * Entries (auth_cred.h: JSON under the barrier, names hidden by an HMAC):
 *   config/"config":  {"name", "url", "starttls", "insecure_tls",
 *                      "certificate", "binddn", "userdn", "userattr",
 *                      "userfilter", "upndomain", "discoverdn", "groupdn",
 *                      "groupfilter", "groupattr", "case_sensitive_names",
 *                      "request_timeout", "tls_min_version",
 *                      "tls_max_version", token fields}
 *   secret/"bindpass": the bind password, raw bytes (empty: none); written
 *                      with the config in one transaction
 *   groups/<name>:    {"name", "policies": [...]}
 *   users/<name>:     {"name", "policies": [...], "groups": [...]}
 * Group and user names are matched in lower case unless the config says
 * case_sensitive_names (Vault's rule); the user name goes to the directory
 * as typed.
 *
 * Login: the directory decides the password (a bind as the user's DN);
 * Ward decides the policies: the config's token_policies, the user
 * entry's, and those of every group the directory lists for the user and
 * the user entry names. A user none of them gives a policy is refused
 * (deny by default), as Vault's "not a member of any authorized group".
 * The mount's login throttle (Vault's user lockout) counts refused
 * passwords per user and source, and a locked pair is refused before the
 * directory is asked.
 *
 * SECURITY: the bind password is the config row's secret field: never
 * returned by a read, logged or put in a message; it is stored as its own
 * entry (not inside the config's JSON) and held, once loaded for a login,
 * only in a struct ward_secret. The login password is the login row's
 * secret field. An empty password is refused before any traffic.
 *
 * THREADS: writes hold the mount's mu; a login reads without it and never
 * holds a lock across the directory conversation (it blocks its worker
 * thread for at most request_timeout).
 */
#include <stdio.h>
#include <string.h>

#include "auth_entry.h"
#include "auth_ldap_int.h"
#include "base/log.h"
#include "kv_int.h"
#include "login.h"

#define SECRET   "secret"
#define BINDPASS "bindpass"

#define MAX_GROUP_NAMES 32 /* groups one user entry may name */

const struct mount_kind g_mount_ldap = { "ldap",     "auth/ldap/", true,      cred_open,
                                         cred_close, cred_flush,   cred_erase };

/* ---- config ---- */

/* The string fields of the config and their limits ("" stores "": unset). */
static const struct {
    const char *key;
    size_t max;
} g_strings[] = {
    { "url", WARD_LDAP_MAX_URL_LIST },       { "certificate", WARD_LDAP_MAX_CERT },
    { "binddn", WARD_LDAP_MAX_DN },          { "userdn", WARD_LDAP_MAX_DN },
    { "groupdn", WARD_LDAP_MAX_DN },         { "userattr", WARD_LDAP_MAX_ATTR },
    { "groupattr", WARD_LDAP_MAX_ATTR },     { "userfilter", WARD_LDAP_MAX_FILTER },
    { "groupfilter", WARD_LDAP_MAX_FILTER }, { "upndomain", 253 },
};

static const char *const g_bools[] = { "starttls", "insecure_tls", "discoverdn",
                                       "case_sensitive_names" };

/* set_strings copies the string fields present in body into cfg ("" stores ""). */
static const char *set_strings(json_t *cfg, const json_t *body)
{
    for (size_t i = 0; i < sizeof(g_strings) / sizeof(g_strings[0]); i++) {
        const json_t *v = json_object_get(body, g_strings[i].key);

        if (v == NULL || json_is_null(v)) {
            continue;
        }
        if (!json_is_string(v) || json_string_length(v) > g_strings[i].max ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            return "url, certificate, binddn, userdn, groupdn, userattr, groupattr, userfilter, "
                   "groupfilter and upndomain must be strings (of bounded length, no NUL)";
        }
        (void)json_object_set_new(cfg, g_strings[i].key, json_string(json_string_value(v)));
    }
    return NULL;
}

/*
 * get_flag reads a boolean as Vault does: JSON true/false, or the text Go's
 * strconv.ParseBool takes ("true", "1", "t", ...: what `ward write k=v`
 * sends). *present false if absent or null. false on anything else.
 */
static bool get_flag(const json_t *body, const char *key, bool *out, bool *present)
{
    static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
    static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };
    const json_t *v = json_object_get(body, key);
    const char *t = json_string_value(v);

    *present = v != NULL && !json_is_null(v);
    if (!*present || json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    for (size_t i = 0; t != NULL && i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(t, yes[i]) == 0 || strcmp(t, no[i]) == 0) {
            *out = strcmp(t, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

/* set_bools copies the boolean fields present in body into cfg. */
static const char *set_bools(json_t *cfg, const json_t *body)
{
    for (size_t i = 0; i < sizeof(g_bools) / sizeof(g_bools[0]); i++) {
        bool b = false;
        bool present = false;

        if (!get_flag(body, g_bools[i], &b, &present)) {
            return "starttls, insecure_tls, discoverdn and case_sensitive_names must be booleans";
        }
        if (present) {
            (void)json_object_set_new(cfg, g_bools[i], json_boolean(b));
        }
    }
    return NULL;
}

/* tls_version reads "tls12"/"tls13" (0x0303/0x0304); 0 for anything else. */
static uint16_t tls_version(const char *s)
{
    if (s == NULL) {
        return 0;
    }
    return strcmp(s, "tls12") == 0 ? 0x0303 : strcmp(s, "tls13") == 0 ? 0x0304 : 0;
}

/* set_others: deny_null_bind, request_timeout, TLS versions and the fields Ward refuses. */
static const char *set_others(json_t *cfg, const json_t *body)
{
    const char *keys[2] = { "tls_min_version", "tls_max_version" };
    bool b = false;
    int64_t t = 0;
    bool present = false;

    /* SECURITY: an empty password would be an unauthenticated bind, accepted by most servers */
    if (!get_flag(body, "deny_null_bind", &b, &present) || (present && !b)) {
        return "deny_null_bind cannot be false: Ward always refuses empty passwords";
    }
    if (!get_flag(body, "use_token_groups", &b, &present) || (present && b)) {
        return "use_token_groups is not supported (false only)";
    }
    if (kv_get_duration(body, "request_timeout", &t, &present) != WARD_OK ||
        (present && (t < WARD_LDAP_TIMEOUT_MIN_S || t > WARD_LDAP_TIMEOUT_MAX_S))) {
        return "request_timeout must be 1 to 60 seconds";
    }
    if (present) {
        (void)json_object_set_new(cfg, "request_timeout", json_integer(t));
    }
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(body, keys[i]);

        if (v == NULL || json_is_null(v)) {
            continue;
        }
        if (tls_version(json_string_value(v)) == 0) {
            return "tls_min_version and tls_max_version must be tls12 or tls13 (Ward needs TLS 1.2 "
                   "or later)";
        }
        (void)json_object_set_new(cfg, keys[i], json_string(json_string_value(v)));
    }
    return NULL;
}

static const char *str_of(const json_t *cfg, const char *key)
{
    return json_string_value(json_object_get(cfg, key));
}

static int64_t timeout_s(const json_t *cfg)
{
    const json_t *v = json_object_get(cfg, "request_timeout");

    return json_is_integer(v) ? json_integer_value(v) : WARD_LDAP_TIMEOUT_DEF_S;
}

/* params_of points p at cfg's fields (borrowed) and the bind password. */
void ldap_params_of(struct ward_ldap_params *p, const json_t *cfg, const uint8_t *pass,
                    size_t pass_len)
{
    memset(p, 0, sizeof(*p));
    p->url = str_of(cfg, "url");
    p->starttls = json_is_true(json_object_get(cfg, "starttls"));
    p->insecure_tls = json_is_true(json_object_get(cfg, "insecure_tls"));
    p->tls_min = tls_version(str_of(cfg, "tls_min_version"));
    p->tls_max = tls_version(str_of(cfg, "tls_max_version"));
    p->certificate = str_of(cfg, "certificate");
    p->binddn = str_of(cfg, "binddn");
    p->bindpass = pass;
    p->bindpass_len = pass_len;
    p->userdn = str_of(cfg, "userdn");
    p->userattr = str_of(cfg, "userattr");
    p->userfilter = str_of(cfg, "userfilter");
    p->upndomain = str_of(cfg, "upndomain");
    p->discoverdn = json_is_true(json_object_get(cfg, "discoverdn"));
    p->groupdn = str_of(cfg, "groupdn");
    p->groupfilter = str_of(cfg, "groupfilter");
    p->groupattr = str_of(cfg, "groupattr");
    p->timeout_ms = timeout_s(cfg) * 1000;
}

/* bindpass_path writes where the mount's bind password lives. */
static ward_err bindpass_path(struct cred_mount *cm, char out[CRED_SPATH_MAX])
{
    return cred_path(cm, out, SECRET, BINDPASS);
}

/*
 * load_bindpass reads the bind password into a locked secret (*out; NULL
 * when there is none). The buffer it passed through is wiped.
 */
ward_err ldap_load_bindpass(struct cred_mount *cm, struct ward_secret **out)
{
    char path[CRED_SPATH_MAX];
    struct ward_buf buf;
    ward_err err;

    *out = NULL;
    if ((err = bindpass_path(cm, path)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&buf, WARD_LDAP_MAX_PASSWORD);
    err = ward_barrier_get(cm->b, &buf, path);
    if (err == WARD_OK && buf.len > 0) {
        err = ward_secret_new_copy(out, buf.data, buf.len);
    }
    ward_buf_cleanup(&buf);
    return err == WARD_E_NOT_FOUND ? WARD_OK : err;
}

/* One config write: the merged config and the bind password it will store. */
struct config_write {
    json_t *cfg;
    struct ward_secret *pass; /* the stored one, or the body's */
    bool pass_changed;
};

/* take_bindpass reads "bindpass" from body into w ("" clears it). */
static const char *take_bindpass(struct config_write *w, const json_t *body)
{
    const json_t *v = json_object_get(body, "bindpass");

    if (v == NULL || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) > WARD_LDAP_MAX_PASSWORD) {
        return "bindpass must be a string of at most 1024 bytes";
    }
    ward_secret_free(w->pass);
    w->pass = NULL;
    w->pass_changed = true;
    if (json_string_length(v) > 0 &&
        ward_secret_new_copy(&w->pass, (const uint8_t *)json_string_value(v),
                             json_string_length(v)) != WARD_OK) {
        return "out of locked memory for bindpass";
    }
    return NULL;
}

/* config_apply merges body into w and checks the result; NULL or why it refused. */
static const char *config_apply(struct config_write *w, const json_t *body)
{
    struct ward_ldap_params p;
    const char *why = NULL;

    if ((why = set_strings(w->cfg, body)) != NULL || (why = set_bools(w->cfg, body)) != NULL ||
        (why = set_others(w->cfg, body)) != NULL || (why = take_bindpass(w, body)) != NULL) {
        return why;
    }
    if (cred_token_update(w->cfg, body, &why) != WARD_OK) {
        return why;
    }
    ldap_params_of(&p, w->cfg, w->pass != NULL ? w->pass->data : NULL,
                   w->pass != NULL ? w->pass->len : 0);
    if (ward_ldap_params_check(&p, &why) != WARD_OK) {
        return why;
    }
    return NULL;
}

/* config_store writes the config and the bind password in one transaction. */
static ward_err config_store(struct cred_mount *cm, const struct config_write *w)
{
    char cfg_path[CRED_SPATH_MAX];
    char pass_path[CRED_SPATH_MAX];
    struct ward_buf text;
    struct ward_store_op ops[2];
    ward_err err;

    if ((err = cred_path(cm, cfg_path, CONFIG, CONFIG)) != WARD_OK ||
        (err = bindpass_path(cm, pass_path)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&text, WARD_MAX_ENTRY_VALUE);
    if ((err = json_dump_to(&text, w->cfg)) == WARD_OK) {
        ops[0] = (struct ward_store_op){
            .kind = WARD_STORE_PUT, .path = cfg_path, .value = text.data, .value_len = text.len
        };
        ops[1] =
            (struct ward_store_op){ .kind = WARD_STORE_PUT,
                                    .path = pass_path,
                                    .value = w->pass != NULL ? w->pass->data : (const uint8_t *)"",
                                    .value_len = w->pass != NULL ? w->pass->len : 0 };
        err = ward_barrier_txn(cm->b, ops, w->pass_changed ? 2 : 1);
    }
    ward_buf_cleanup(&text);
    return err;
}

/* warn_reply answers a config write: 204, or Vault's warnings when TLS is weakened. */
static void warn_reply(struct op_ctx *c, const json_t *cfg)
{
    if (!json_is_true(json_object_get(cfg, "insecure_tls"))) {
        return;
    }
    ward_log(WARD_LOG_WARN,
             "ldap: mount %s configured with insecure_tls: the directory's "
             "certificate is not checked",
             c->mount->path);
    c->data = json_pack("{s:s, s:s, s:b, s:i, s:n, s:n, s:[s], s:n}", "request_id",
                        c->req->request_id != NULL ? c->req->request_id : "", "lease_id", "",
                        "renewable", 0, "lease_duration", 0, "data", "wrap_info", "warnings",
                        "insecure_tls is set: the LDAP server's certificate is not verified, and "
                        "ldap:// urls without starttls send passwords in clear",
                        "auth");
}

void op_ldap_config_write(struct op_ctx *c)
{
    struct cred_mount *cm = cred_of(c);
    struct config_write w = { 0 };
    const char *why = NULL;
    ward_err err;

    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &w.cfg, CONFIG, CONFIG);
    if (err == WARD_E_NOT_FOUND) {
        err = (w.cfg = json_pack("{s:s}", "name", CONFIG)) != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if (err == WARD_OK) {
        err = ldap_load_bindpass(cm, &w.pass);
    }
    if (err == WARD_OK && (why = config_apply(&w, c->body)) != NULL) {
        err = WARD_E_INVALID;
    } else if (err == WARD_OK) {
        err = config_store(cm, &w);
    }
    if (err != WARD_OK) {
        op_fail(c, err, why);
    } else {
        warn_reply(c, w.cfg);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    ward_secret_free(w.pass);
    json_decref(w.cfg);
}

static json_t *str_or(const json_t *cfg, const char *key, const char *dflt)
{
    const char *s = str_of(cfg, key);

    return json_string(s != NULL && s[0] != '\0' ? s : dflt);
}

void op_ldap_config_read(struct op_ctx *c)
{
    json_t *cfg = NULL;
    json_t *data;
    ward_err err = cred_get(cred_of(c), &cfg, CONFIG, CONFIG);

    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "ldap is not configured" : NULL);
        return;
    }
    /* SECURITY: every field but bindpass, which is not even in this entry */
    data = json_pack(
        "{s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:b,"
        " s:b, s:I, s:o, s:o, s:b}",
        "url", str_or(cfg, "url", ""), "starttls", json_is_true(json_object_get(cfg, "starttls")),
        "insecure_tls", json_is_true(json_object_get(cfg, "insecure_tls")), "certificate",
        str_or(cfg, "certificate", ""), "binddn", str_or(cfg, "binddn", ""), "userdn",
        str_or(cfg, "userdn", ""), "userattr", str_or(cfg, "userattr", WARD_LDAP_DEFAULT_USERATTR),
        "userfilter", str_or(cfg, "userfilter", WARD_LDAP_DEFAULT_USERFILTER), "upndomain",
        str_or(cfg, "upndomain", ""), "groupdn", str_or(cfg, "groupdn", ""), "discoverdn",
        json_is_true(json_object_get(cfg, "discoverdn")), "groupfilter",
        str_or(cfg, "groupfilter", WARD_LDAP_DEFAULT_GROUPFILTER), "groupattr",
        str_or(cfg, "groupattr", WARD_LDAP_DEFAULT_GROUPATTR), "tls_min_version",
        str_or(cfg, "tls_min_version", "tls12"), "deny_null_bind", 1, "case_sensitive_names",
        json_is_true(json_object_get(cfg, "case_sensitive_names")), "request_timeout",
        (json_int_t)timeout_s(cfg), "tls_max_version", str_or(cfg, "tls_max_version", "tls13"),
        "use_token_groups", json_false(), "username_as_alias", 0);
    if (data == NULL) {
        json_decref(cfg);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_token_read(data, cfg);
    json_decref(cfg);
    cred_reply(c, data);
}

/* ---- groups and users ---- */

/* case_sensitive: the config's case_sensitive_names (false when unconfigured). */
static bool case_sensitive(struct cred_mount *cm)
{
    json_t *cfg = NULL;
    bool cs = cred_get(cm, &cfg, CONFIG, CONFIG) == WARD_OK &&
              json_is_true(json_object_get(cfg, "case_sensitive_names"));

    json_decref(cfg);
    return cs;
}

/* ldap_name folds a name for the groups/ or users/ entries; false if it cannot be one. */
bool ldap_name(char out[CRED_KEY_MAX + 1], const char *in, bool cs)
{
    size_t n = strlen(in);

    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f || in[i] == ',') {
            return false; /* ',' separates names in Vault's comma lists */
        }
    }
    return n > 0 && ward_ldap_name_fold(out, CRED_KEY_MAX + 1, in, cs);
}

/* path_name reads the name after groups/ or users/ into out; fails c if it cannot be one. */
static bool path_name(struct op_ctx *c, struct cred_mount *cm, char out[CRED_KEY_MAX + 1])
{
    if (c->rest == NULL || strchr(c->rest, '/') != NULL ||
        !ldap_name(out, c->rest, case_sensitive(cm))) {
        op_fail(c, WARD_E_INVALID,
                "name must be 1 to 200 bytes without control characters or commas");
        return false;
    }
    return true;
}

/* names_of_array appends the names of a JSON array of strings; false on a bad item. */
static bool names_of_array(json_t *a, const json_t *v, bool cs, size_t max)
{
    char name[CRED_KEY_MAX + 1];
    size_t i;
    const json_t *item;

    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || json_array_size(a) == max ||
            !ldap_name(name, json_string_value(item), cs)) {
            return false;
        }
        (void)json_array_append_new(a, json_string(name));
    }
    return true;
}

/* names_of_string appends the names of Vault's comma-separated form ("a, b"). */
static bool names_of_string(json_t *a, const char *s, bool cs, size_t max)
{
    char one[CRED_KEY_MAX + 1];
    char name[CRED_KEY_MAX + 1];

    while (*s != '\0') {
        size_t n = strcspn(s, ",");
        size_t lead = strspn(s, " ");

        lead = lead < n ? lead : n;
        while (n > lead && s[n - 1] == ' ') {
            n--;
        }
        if (n - lead > CRED_KEY_MAX || json_array_size(a) == max) {
            return false;
        }
        memcpy(one, s + lead, n - lead);
        one[n - lead] = '\0';
        if (n > lead && ldap_name(name, one, cs)) {
            (void)json_array_append_new(a, json_string(name));
        }
        s += strcspn(s, ",");
        s += *s == ',';
    }
    return true;
}

/* names_json reads a list field (array of strings or one comma-separated string) as entry names. */
static json_t *names_json(const json_t *v, bool cs, size_t max)
{
    json_t *a = json_array();
    bool ok;

    if (a == NULL || v == NULL || json_is_null(v)) {
        return a;
    }
    ok = json_is_array(v)    ? names_of_array(a, v, cs, max)
         : json_is_string(v) ? names_of_string(a, json_string_value(v), cs, max)
                             : false;
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* policies_json reads body's "policies" (or "token_policies") as policy names. */
static json_t *policies_json(const json_t *body)
{
    char names[LOGIN_MAX_POLICIES][65];
    const json_t *v = json_object_get(body, "policies");
    const char *why = NULL;
    size_t num = 0;
    json_t *a;

    v = v != NULL ? v : json_object_get(body, "token_policies");
    if (login_policies_json(v, names, &num, &why) != WARD_OK || (a = json_array()) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < num; i++) {
        (void)json_array_append_new(a, json_string(names[i]));
    }
    return a;
}

/* write_entry creates or updates area's entry from the path's name and the body. */
static void write_entry(struct op_ctx *c, const char *area)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_KEY_MAX + 1];
    json_t *entry = NULL;
    json_t *pol;
    json_t *groups = NULL;
    ward_err err;

    if (!path_name(c, cm, name)) {
        return;
    }
    if ((pol = policies_json(c->body)) == NULL ||
        (strcmp(area, USERS) == 0 &&
         (groups = names_json(json_object_get(c->body, "groups"), case_sensitive(cm),
                              MAX_GROUP_NAMES)) == NULL)) {
        json_decref(pol);
        op_fail(c, WARD_E_INVALID,
                "policies must be at most 15 policy names, groups at most 32 "
                "group names (lists or comma-separated strings)");
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &entry, area, name);
    if (err == WARD_E_NOT_FOUND) {
        err = (entry = json_pack("{s:s}", "name", name)) != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if (err == WARD_OK) {
        /* Vault's semantics: a field left out keeps its value */
        if (json_object_get(c->body, "policies") != NULL ||
            json_object_get(c->body, "token_policies") != NULL) {
            (void)json_object_set(entry, "policies", pol);
        }
        if (groups != NULL && json_object_get(c->body, "groups") != NULL) {
            (void)json_object_set(entry, "groups", groups);
        }
        err = cred_put(cm, area, name, entry);
    }
    (void)pthread_mutex_unlock(&cm->mu);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
    json_decref(entry);
    json_decref(pol);
    json_decref(groups);
}

static json_t *array_of(const json_t *entry, const char *key)
{
    const json_t *v = json_object_get(entry, key);

    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/* read_entry answers Vault's read of a group or user. */
static void read_entry(struct op_ctx *c, const char *area)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_KEY_MAX + 1];
    json_t *entry = NULL;
    json_t *data;
    ward_err err;

    if (!path_name(c, cm, name)) {
        return;
    }
    if ((err = cred_get(cm, &entry, area, name)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such entry" : NULL);
        return;
    }
    data = json_pack("{s:o}", "policies", array_of(entry, "policies"));
    if (data != NULL && strcmp(area, USERS) == 0) {
        (void)json_object_set_new(data, "groups", array_of(entry, "groups"));
    }
    json_decref(entry);
    if (data == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_reply(c, data);
}

static void delete_entry(struct op_ctx *c, const char *area)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_KEY_MAX + 1];
    ward_err err;

    if (!path_name(c, cm, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_delete(cm, area, name);
    (void)pthread_mutex_unlock(&cm->mu);
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void op_ldap_group_write(struct op_ctx *c)
{
    write_entry(c, GROUPS);
}

void op_ldap_group_read(struct op_ctx *c)
{
    read_entry(c, GROUPS);
}

void op_ldap_group_delete(struct op_ctx *c)
{
    delete_entry(c, GROUPS);
}

void op_ldap_group_list(struct op_ctx *c)
{
    entry_list(c, GROUPS);
}

void op_ldap_user_write(struct op_ctx *c)
{
    write_entry(c, USERS);
}

void op_ldap_user_read(struct op_ctx *c)
{
    read_entry(c, USERS);
}

void op_ldap_user_delete(struct op_ctx *c)
{
    delete_entry(c, USERS);
}

void op_ldap_user_list(struct op_ctx *c)
{
    entry_list(c, USERS);
}
