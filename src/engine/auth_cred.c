/*
 * auth_cred.c - per-mount state and hidden-name entries of the userpass
 * and approle auth methods (auth_cred.h).
 */
#include "auth_cred.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/cidr.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "kv_int.h"
#include "store/store.h"

#define NAME_KEY_LEN 32

ward_err cred_open(void **state, struct ward_engine *e, const struct mount *m)
{
    struct cred_mount *cm;
    ward_err err;

    *state = NULL;
    if ((cm = ward_calloc(1, sizeof(*cm))) == NULL) {
        return WARD_E_NOMEM;
    }
    cm->m = m;
    cm->b = e->barrier;
    if ((err = ward_lockout_new(&cm->lockout, &e->cfg.user_lockout, 0)) != WARD_OK) {
        ward_free(cm);
        return err;
    }
    if (pthread_mutex_init(&cm->mu, NULL) != 0) {
        ward_lockout_free(cm->lockout);
        ward_free(cm);
        return WARD_E_SYS;
    }
    if (pthread_mutex_init(&cm->key_mu, NULL) != 0) {
        (void)pthread_mutex_destroy(&cm->mu);
        ward_lockout_free(cm->lockout);
        ward_free(cm);
        return WARD_E_SYS;
    }
    *state = cm;
    return WARD_OK;
}

void cred_close(void *state)
{
    struct cred_mount *cm = state;

    if (cm != NULL) {
        ward_secret_free(cm->name_key);
        ward_lockout_free(cm->lockout);
        (void)pthread_mutex_destroy(&cm->mu);
        (void)pthread_mutex_destroy(&cm->key_mu);
        ward_free(cm);
    }
}

void cred_flush(void *state)
{
    struct cred_mount *cm = state;

    (void)pthread_mutex_lock(&cm->key_mu);
    ward_secret_free(cm->name_key);
    cm->name_key = NULL;
    (void)pthread_mutex_unlock(&cm->key_mu);
}

ward_err cred_erase(void *state, struct ward_engine *e, const struct mount *m)
{
    struct ward_store_list l = { 0 };
    char prefix[CRED_SPATH_MAX];
    ward_err err;

    (void)state;
    if (!mount_storage_path(prefix, sizeof(prefix), "auth", m, "")) {
        return WARD_E_INVALID;
    }
    if ((err = ward_barrier_list(e->barrier, &l, prefix)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < l.num && err == WARD_OK; i++) {
        err = ward_barrier_delete(e->barrier, l.paths[i]);
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    ward_store_list_cleanup(&l);
    return err;
}

struct cred_mount *cred_of(const struct op_ctx *c)
{
    return (struct cred_mount *)c->mount->state;
}

bool cred_name(char out[CRED_NAME_MAX + 1], const char *in)
{
    size_t n = strlen(in);

    if (n == 0 || n > CRED_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        char ch = in[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '@' || ch == '-';

        if (i < n && !ok) {
            return false;
        }
        out[i] = ch;
        if (ch >= 'A' && ch <= 'Z') {
            out[i] = (char)(ch | 0x20);
        }
    }
    return true;
}

/* load_key copies the mount's name key into key, reading it once. */
static ward_err load_key(struct cred_mount *cm, uint8_t key[NAME_KEY_LEN])
{
    char path[CRED_SPATH_MAX];
    ward_err err = WARD_OK;

    (void)pthread_mutex_lock(&cm->key_mu);
    if (cm->name_key == NULL) {
        if (!mount_storage_path(path, sizeof(path), "auth", cm->m, "key")) {
            err = WARD_E_INVALID;
        } else if ((err = ward_barrier_random_entry(cm->b, key, NAME_KEY_LEN, path)) == WARD_OK) {
            err = ward_secret_new_copy(&cm->name_key, key, NAME_KEY_LEN);
        }
    } else {
        memcpy(key, cm->name_key->data, NAME_KEY_LEN);
    }
    (void)pthread_mutex_unlock(&cm->key_mu);
    return err;
}

ward_err cred_id(struct cred_mount *cm, char out[65], const char *area, const char *name)
{
    uint8_t key[NAME_KEY_LEN];
    uint8_t in[64 + CRED_KEY_MAX + 2];
    uint8_t mac[WARD_SHA256_LEN];
    size_t alen = strlen(area);
    size_t nlen = strlen(name);
    ward_err err;

    if (alen > 64 || nlen > CRED_KEY_MAX) {
        return WARD_E_INVALID;
    }
    memcpy(in, area, alen); /* area, a NUL, then name */
    in[alen] = 0;
    memcpy(in + alen + 1, name, nlen);
    if ((err = load_key(cm, key)) == WARD_OK &&
        (err = ward_hmac_sha256(mac, key, sizeof(key), in, alen + 1 + nlen)) == WARD_OK) {
        for (size_t i = 0; i < sizeof(mac); i++) {
            (void)snprintf(out + 2 * i, 3, "%02x", mac[i]);
        }
    }
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(mac, sizeof(mac));
    return err;
}

ward_err cred_path(struct cred_mount *cm, char out[CRED_SPATH_MAX], const char *area,
                   const char *name)
{
    char id[65];
    char rest[64 + 66];
    ward_err err;

    if ((err = cred_id(cm, id, area, name)) != WARD_OK) {
        return err;
    }
    (void)snprintf(rest, sizeof(rest), "%s/%s", area, id);
    return mount_storage_path(out, CRED_SPATH_MAX, "auth", cm->m, rest) ? WARD_OK : WARD_E_INVALID;
}

/* decode_entry parses an entry's JSON and checks it names name (NULL: any). */
static ward_err decode_entry(json_t **out, const struct ward_buf *buf, const char *name)
{
    json_t *v = json_loadb((const char *)buf->data, buf->len, 0, NULL);
    const char *stored;

    stored = v != NULL ? json_string_value(json_object_get(v, "name")) : NULL;
    if (!json_is_object(v) || stored == NULL) {
        json_decref(v);
        return WARD_E_BAD_ENCODING;
    }
    /* SECURITY: an entry copied to another name's path is refused */
    if (name != NULL && strcmp(stored, name) != 0) {
        json_decref(v);
        return WARD_E_INTEGRITY;
    }
    *out = v;
    return WARD_OK;
}

ward_err cred_get(struct cred_mount *cm, json_t **out, const char *area, const char *name)
{
    char path[CRED_SPATH_MAX];
    struct ward_buf buf;
    ward_err err;

    *out = NULL;
    if ((err = cred_path(cm, path, area, name)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
    if ((err = ward_barrier_get(cm->b, &buf, path)) == WARD_OK) {
        err = decode_entry(out, &buf, name);
    }
    ward_buf_cleanup(&buf);
    return err;
}

ward_err cred_put(struct cred_mount *cm, const char *area, const char *name, const json_t *v)
{
    char path[CRED_SPATH_MAX];
    struct ward_buf text;
    ward_err err;

    if ((err = cred_path(cm, path, area, name)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&text, WARD_MAX_ENTRY_VALUE);
    if ((err = json_dump_to(&text, v)) == WARD_OK) {
        err = ward_barrier_put(cm->b, path, text.data, text.len);
    }
    ward_buf_cleanup(&text);
    return err;
}

ward_err cred_delete(struct cred_mount *cm, const char *area, const char *name)
{
    char path[CRED_SPATH_MAX];
    ward_err err;

    if ((err = cred_path(cm, path, area, name)) != WARD_OK) {
        return err;
    }
    return ward_barrier_delete(cm->b, path);
}

ward_err cred_list(struct cred_mount *cm, json_t **out, const char *area)
{
    struct ward_store_list l = { 0 };
    char prefix[CRED_SPATH_MAX];
    char rest[80];
    json_t *names = json_array();
    ward_err err;

    *out = NULL;
    (void)snprintf(rest, sizeof(rest), "%s/", area);
    if (names == NULL) {
        return WARD_E_NOMEM;
    }
    err = mount_storage_path(prefix, sizeof(prefix), "auth", cm->m, rest)
              ? ward_barrier_list(cm->b, &l, prefix)
              : WARD_E_INVALID;
    if (err != WARD_OK) {
        json_decref(names);
        return err;
    }
    for (size_t i = 0; i < l.num; i++) {
        struct ward_buf buf;
        json_t *v = NULL;

        ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
        if (ward_barrier_get(cm->b, &buf, l.paths[i]) == WARD_OK &&
            decode_entry(&v, &buf, NULL) == WARD_OK) {
            (void)json_array_append(names, json_object_get(v, "name"));
        }
        json_decref(v);
        ward_buf_cleanup(&buf);
    }
    ward_store_list_cleanup(&l);
    *out = names;
    return WARD_OK;
}

void cred_source(char out[64], const struct op_ctx *c)
{
    if (c->req->remote_addr == NULL || !ward_addr_host(out, 64, c->req->remote_addr)) {
        (void)snprintf(out, 64, "unknown");
    }
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void cred_reply_token(struct op_ctx *c, json_t *entry)
{
    json_t *data = json_object();

    if (data == NULL) {
        json_decref(entry);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_token_read(data, entry);
    json_decref(entry);
    cred_reply(c, data);
}

void cred_reply(struct op_ctx *c, json_t *data)
{
    token_reply(c, data, NULL); /* Vault's envelope, as every engine answer */
}

void cred_list_reply(struct op_ctx *c, json_t *keys)
{
    size_t n = json_array_size(keys);
    const char **names;
    json_t *sorted;

    if (n == 0) {
        json_decref(keys);
        op_fail(c, WARD_E_NOT_FOUND, NULL);
        return;
    }
    if ((names = ward_calloc(n, sizeof(const char *))) == NULL || (sorted = json_array()) == NULL) {
        ward_free((void *)names);
        json_decref(keys);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(keys, i));
        names[i] = names[i] != NULL ? names[i] : "";
    }
    qsort((void *)names, n, sizeof(const char *), by_text);
    for (size_t i = 0; i < n; i++) {
        (void)json_array_append_new(sorted, json_string(names[i]));
    }
    ward_free((void *)names);
    json_decref(keys);
    cred_reply(c, json_pack("{s:o}", "keys", sorted));
}

ward_err cred_get_int(const json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out,
                      bool *present)
{
    const json_t *v = json_object_get(obj, key);
    const char *t = json_string_value(v);
    int64_t n = 0;

    if (t == NULL) {
        return json_get_int(obj, key, lo, hi, out, present);
    }
    *present = false;
    if (t[0] == '\0' || strlen(t) > 18 || strspn(t, "0123456789") != strlen(t)) {
        return WARD_E_INVALID;
    }
    for (; *t != '\0'; t++) {
        n = n * 10 + (*t - '0');
    }
    if (n < lo || n > hi) {
        return WARD_E_INVALID;
    }
    *out = n;
    *present = true;
    return WARD_OK;
}

ward_err cred_get_bool(const json_t *obj, const char *key, bool *out)
{
    const char *t = json_string_value(json_object_get(obj, key));

    if (t == NULL) {
        return json_get_bool(obj, key, out);
    }
    if (strcmp(t, "true") != 0 && strcmp(t, "false") != 0) {
        return WARD_E_INVALID;
    }
    *out = t[0] == 't';
    return WARD_OK;
}

/* refuse_unsupported: token fields Ward cannot honour, set to anything but their defaults. */
static const char *refuse_unsupported(const json_t *body)
{
    const char *type = json_string_value(json_object_get(body, "token_type"));
    int64_t v = 0;
    bool present = false;

    if (json_object_get(body, "token_type") != NULL &&
        !json_is_null(json_object_get(body, "token_type")) &&
        (type == NULL || (strcmp(type, "default") != 0 && strcmp(type, "service") != 0))) {
        return "token_type must be default or service (Ward issues service tokens only)";
    }
    if (cred_get_int(body, "token_num_uses", 0, 0, &v, &present) != WARD_OK) {
        return "token_num_uses is not supported (0 only)";
    }
    if (kv_get_duration(body, "token_period", &v, &present) != WARD_OK || (present && v != 0)) {
        return "token_period is not supported (0 only)";
    }
    return NULL;
}

/* set_duration copies a duration field of body into entry as whole seconds. */
static ward_err set_duration(json_t *entry, const json_t *body, const char *in, const char *out)
{
    int64_t v = 0;
    bool present = false;

    if (kv_get_duration(body, in, &v, &present) != WARD_OK || v > WARD_TOKEN_MAX_TTL_S) {
        return WARD_E_INVALID;
    }
    if (present) {
        (void)json_object_set_new(entry, out, json_integer(v));
    }
    return WARD_OK;
}

static ward_err set_policies(json_t *entry, const json_t *body)
{
    char names[LOGIN_MAX_POLICIES][65];
    const json_t *v = json_object_get(body, "token_policies");
    const char *why = NULL;
    size_t num = 0;
    json_t *a;

    v = v != NULL ? v : json_object_get(body, "policies");
    if (v == NULL) {
        return WARD_OK;
    }
    if (login_policies_json(v, names, &num, &why) != WARD_OK || (a = json_array()) == NULL) {
        return WARD_E_INVALID;
    }
    for (size_t i = 0; i < num; i++) {
        (void)json_array_append_new(a, json_string(names[i]));
    }
    (void)json_object_set_new(entry, "token_policies", a);
    return WARD_OK;
}

ward_err cred_token_update(json_t *entry, const json_t *body, const char **why)
{
    json_t *cidrs = NULL;
    bool no_default = false;

    if ((*why = refuse_unsupported(body)) != NULL) {
        return WARD_E_INVALID;
    }
    *why = "token_policies must be at most 15 policy names (a list or a comma-separated string)";
    if (set_policies(entry, body) != WARD_OK) {
        return WARD_E_INVALID;
    }
    *why = "token_ttl, token_max_ttl and token_explicit_max_ttl must be durations of at most 768h";
    if (set_duration(entry, body, "token_ttl", "token_ttl") != WARD_OK ||
        set_duration(entry, body, "token_max_ttl", "token_max_ttl") != WARD_OK ||
        set_duration(entry, body, "token_explicit_max_ttl", "token_max_ttl") != WARD_OK) {
        return WARD_E_INVALID;
    }
    *why = "token_no_default_policy must be a boolean";
    if (json_object_get(body, "token_no_default_policy") != NULL) {
        if (cred_get_bool(body, "token_no_default_policy", &no_default) != WARD_OK) {
            return WARD_E_INVALID;
        }
        (void)json_object_set_new(entry, "token_no_default_policy", json_boolean(no_default));
    }
    *why = "token_bound_cidrs must be CIDR blocks (a list or a comma-separated string)";
    if (cred_cidrs_json(&cidrs, body, "token_bound_cidrs") != WARD_OK) {
        return WARD_E_INVALID;
    }
    if (cidrs != NULL) {
        (void)json_object_set_new(entry, "token_bound_cidrs", cidrs);
    }
    *why = NULL;
    return WARD_OK;
}

static json_t *array_or_empty(const json_t *entry, const char *key)
{
    json_t *v = json_object_get(entry, key);

    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

void cred_token_read(json_t *data, const json_t *entry)
{
    json_int_t ttl = json_integer_value(json_object_get(entry, "token_ttl"));
    json_int_t max = json_integer_value(json_object_get(entry, "token_max_ttl"));

    (void)json_object_set_new(data, "token_policies", array_or_empty(entry, "token_policies"));
    (void)json_object_set_new(data, "policies", array_or_empty(entry, "token_policies"));
    (void)json_object_set_new(data, "token_bound_cidrs",
                              array_or_empty(entry, "token_bound_cidrs"));
    (void)json_object_set_new(data, "token_ttl", json_integer(ttl));
    (void)json_object_set_new(data, "ttl", json_integer(ttl));
    (void)json_object_set_new(data, "token_max_ttl", json_integer(max));
    (void)json_object_set_new(data, "max_ttl", json_integer(max));
    (void)json_object_set_new(data, "token_explicit_max_ttl", json_integer(0));
    (void)json_object_set_new(
        data, "token_no_default_policy",
        json_boolean(json_is_true(json_object_get(entry, "token_no_default_policy"))));
    (void)json_object_set_new(data, "token_num_uses", json_integer(0));
    (void)json_object_set_new(data, "token_period", json_integer(0));
    (void)json_object_set_new(data, "token_type", json_string("default"));
}

void cred_login_fill(struct login *l, const char **names, const json_t *entry)
{
    const json_t *pol = json_object_get(entry, "token_policies");
    size_t i;
    const json_t *item;

    l->num_policies = 0;
    json_array_foreach(pol, i, item)
    {
        if (l->num_policies < LOGIN_MAX_POLICIES && json_is_string(item)) {
            names[l->num_policies++] = json_string_value(item);
        }
    }
    l->policies = names;
    l->ttl_s = json_integer_value(json_object_get(entry, "token_ttl"));
    l->max_ttl_s = json_integer_value(json_object_get(entry, "token_max_ttl"));
    l->no_default = json_is_true(json_object_get(entry, "token_no_default_policy"));
}

bool cred_cidrs_allow(const json_t *entry, const char *key, const char *source)
{
    const json_t *v = json_object_get(entry, key);
    struct ward_cidr_list l = { 0 };
    size_t i;
    const json_t *item;

    if (json_array_size(v) == 0) {
        return true;
    }
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);

        /* SECURITY: a stored list that no longer parses allows no one */
        if (s == NULL || ward_cidr_list_add(&l, s, strlen(s)) != WARD_OK) {
            return false;
        }
    }
    return ward_cidr_list_contains(&l, source);
}

/* cidrs_to_json turns l into an array of canonical block strings. */
static json_t *cidrs_to_json(const struct ward_cidr_list *l)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < l->num; i++) {
        char text[WARD_CIDR_TEXT_MAX + 1];

        ward_cidr_format(text, sizeof(text), &l->block[i]);
        (void)json_array_append_new(a, json_string(text));
    }
    return a;
}

ward_err cred_cidrs_json(json_t **out, const json_t *body, const char *key)
{
    const json_t *v = json_object_get(body, key);
    struct ward_cidr_list l = { 0 };
    size_t i;
    const json_t *item;

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (json_is_string(v)) {
        if (ward_cidr_list_add(&l, json_string_value(v), json_string_length(v)) != WARD_OK) {
            return WARD_E_INVALID;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item) || ward_cidr_list_add(&l, json_string_value(item),
                                                            json_string_length(item)) != WARD_OK) {
                return WARD_E_INVALID;
            }
        }
    } else {
        return WARD_E_INVALID;
    }
    return (*out = cidrs_to_json(&l)) != NULL ? WARD_OK : WARD_E_NOMEM;
}
