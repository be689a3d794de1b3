/*
 * kv_ops.c - Vault's KV v2 data paths on the mount "secret": read (latest or
 * ?version=), write with check-and-set, patch, and soft delete, undelete and
 * destroy of versions. Shapes and status codes are Vault's, so hvac's
 * secrets.kv.v2 calls work unchanged. The KV logic lives in src/secrets.
 *
 * c->rest is the secret's path, already checked by the router (no "..", ".",
 * empty segments; UTF-8; <= 512 bytes); the KV module refuses "" and a
 * trailing '/' (folders) for data paths.
 *
 * SECURITY: values pass through Jansson, whose frees wipe (json.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv_int.h"

void kv_reply(struct op_ctx *c, json_t *data)
{
    token_reply(c, data, NULL); /* one envelope for every answer with data */
}

json_t *kv_time_json(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    char stamp[48];
    char full[64];

    if (ms <= 0 || gmtime_r(&secs, &tm) == NULL) {
        return json_string("");
    }
    (void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    (void)snprintf(full, sizeof(full), "%s.%03d000000Z", stamp, (int)(ms % 1000));
    return json_string(full);
}

json_t *kv_version_json(const struct ward_kv_version *v, const struct ward_buf *custom)
{
    json_t *cm =
        custom->len > 0 ? json_loadb((const char *)custom->data, custom->len, 0, NULL) : NULL;

    return json_pack("{s:o, s:o, s:o, s:b, s:I}", "created_time", kv_time_json(v->created_ms),
                     "custom_metadata", cm != NULL ? cm : json_null(), "deletion_time",
                     kv_time_json(v->deletion_ms), "destroyed", v->destroyed, "version",
                     (json_int_t)v->version);
}

json_t *kv_duration_json(int64_t s)
{
    char text[48];

    if (s >= 3600) {
        (void)snprintf(text, sizeof(text), "%lldh%lldm%llds", (long long)(s / 3600),
                       (long long)(s % 3600 / 60), (long long)(s % 60));
    } else if (s >= 60) {
        (void)snprintf(text, sizeof(text), "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
    } else {
        (void)snprintf(text, sizeof(text), "%llds", (long long)s);
    }
    return json_string(text);
}

/* parse_duration reads "1h30m", "90s", "90" (seconds) into *out. */
static ward_err parse_duration(const char *s, int64_t *out)
{
    int64_t total = 0;
    char *end;

    if (*s == '\0') {
        return WARD_E_INVALID;
    }
    while (*s != '\0') {
        long long n = strtoll(s, &end, 10);
        int64_t unit = 1;

        if (end == s || n < 0 || n > 100000000LL) {
            return WARD_E_INVALID;
        }
        if (*end == 'h' || *end == 'm' || *end == 's') {
            unit = *end == 'h' ? 3600 : *end == 'm' ? 60 : 1;
            end++;
        } else if (*end != '\0') {
            return WARD_E_INVALID;
        }
        total += n * unit;
        if (total > 100000000LL * 3600) {
            return WARD_E_INVALID;
        }
        s = end;
    }
    *out = total;
    return WARD_OK;
}

ward_err kv_get_duration(const json_t *obj, const char *key, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, key);

    *present = false;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = json_integer_value(v);
    } else if (!json_is_string(v) || parse_duration(json_string_value(v), out) != WARD_OK) {
        return WARD_E_INVALID;
    }
    *present = true;
    return WARD_OK;
}

/* get_cas reads options.cas. */
static ward_err get_cas(const json_t *body, bool *has, uint64_t *cas)
{
    const json_t *opts = json_object_get(body, "options");
    int64_t v = 0;
    ward_err err;

    *has = false;
    if (opts == NULL || json_is_null(opts)) {
        return WARD_OK;
    }
    if (!json_is_object(opts)) {
        return WARD_E_INVALID;
    }
    if ((err = json_get_int(opts, "cas", 0, INT64_MAX, &v, has)) != WARD_OK) {
        return err;
    }
    *cas = (uint64_t)v;
    return WARD_OK;
}

/* max_value is the configured limit of a version's data, within the KV cap. */
static size_t max_value(const struct op_ctx *c)
{
    size_t n = c->eng->cfg.kv_max_value_bytes;

    return n == 0 ? WARD_KV_DEFAULT_MAX_VALUE : n < WARD_KV_MAX_VALUE ? n : WARD_KV_MAX_VALUE;
}

void kv_put_data(struct op_ctx *c, const json_t *data, enum ward_kv_type type, json_t *reply_data)
{
    struct ward_kv_write w = { .type = type };
    struct ward_kv_version v;
    struct ward_buf text;
    struct ward_buf custom;
    char why[96];
    json_t *meta;
    ward_err err;

    /* + 1: json_dump_to's newline */
    ward_buf_init(&text, max_value(c) + 1);
    ward_buf_init(&custom, WARD_KV_MAX_CUSTOM);
    if ((err = get_cas(c->body, &w.has_cas, &w.cas)) != WARD_OK) {
        op_fail(c, err, "options.cas must be a non-negative integer");
        goto out;
    }
    if (json_dump_to(&text, data) != WARD_OK) {
        (void)snprintf(why, sizeof(why), "the secret's data is larger than %zu bytes",
                       max_value(c));
        op_fail(c, WARD_E_TOO_LARGE, why);
        goto out;
    }
    w.data = text.data;
    w.data_len = text.len - 1; /* without json_dump_to's newline */
    if ((err = ward_kv_put(kv_of(c), &v, &custom, c->rest, &w)) != WARD_OK) {
        op_fail(c, err, NULL);
        goto out;
    }
    meta = kv_version_json(&v, &custom);
    if (reply_data != NULL) {
        kv_reply(c, json_pack("{s:O, s:o}", "data", reply_data, "metadata", meta));
    } else {
        kv_reply(c, meta);
    }
out:
    ward_buf_cleanup(&custom);
    ward_buf_cleanup(&text);
}

void op_kv_write(struct op_ctx *c)
{
    const json_t *data = json_object_get(c->body, "data");

    if (data == NULL || !json_is_object(data)) {
        op_fail(c, WARD_E_INVALID, "data must be a JSON object");
        return;
    }
    kv_put_data(c, data, WARD_KV_USER, NULL);
}

/* version_query reads ?version= (absent or 0 = latest). */
static ward_err version_query(struct op_ctx *c, uint64_t *out)
{
    char text[24];
    char *end = NULL;

    *out = 0;
    if (!op_query_get(c->query, "version", text, sizeof(text)) || text[0] == '\0') {
        return WARD_OK;
    }
    if (text[0] < '0' || text[0] > '9') {
        return WARD_E_INVALID;
    }
    *out = strtoull(text, &end, 10);
    return *end == '\0' ? WARD_OK : WARD_E_INVALID;
}

/* read_latest loads a version's data as a JSON object into *out. */
static ward_err read_version(struct op_ctx *c, json_t **out, struct ward_kv_version *v,
                             struct ward_buf *custom, uint64_t version)
{
    struct ward_buf text;
    ward_err err;

    *out = NULL;
    ward_buf_init(&text, WARD_KV_MAX_VALUE);
    if ((err = ward_kv_get(kv_of(c), &text, v, custom, c->rest, version)) == WARD_OK) {
        *out = json_loadb((const char *)text.data, text.len, 0, NULL);
        err = *out != NULL && json_is_object(*out) ? WARD_OK : WARD_E_BAD_ENCODING;
    }
    ward_buf_cleanup(&text);
    return err;
}

void op_kv_read(struct op_ctx *c)
{
    struct ward_kv_version v;
    struct ward_buf custom;
    uint64_t version;
    json_t *data = NULL;
    ward_err err;

    if (version_query(c, &version) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "version must be a non-negative integer");
        return;
    }
    ward_buf_init(&custom, WARD_KV_MAX_CUSTOM);
    err = read_version(c, &data, &v, &custom, version);
    if (err == WARD_E_VERSION_DELETED || err == WARD_E_VERSION_DESTROYED) {
        /* Vault answers 404 with the version's metadata and null data */
        kv_reply(c, json_pack("{s:n, s:o}", "data", "metadata", kv_version_json(&v, &custom)));
        if (c->data != NULL) {
            (void)json_object_set_new(c->data, "codes", json_pack("[s]", ward_err_name(err)));
            c->resp->status = 404;
        }
    } else if (err != WARD_OK) {
        json_decref(data);
        op_fail(c, err, NULL);
    } else {
        kv_reply(c,
                 json_pack("{s:o, s:o}", "data", data, "metadata", kv_version_json(&v, &custom)));
    }
    ward_buf_cleanup(&custom);
}

/* merge applies a JSON merge patch (RFC 7386) one level deep onto target. */
static ward_err merge(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *value;

    json_object_foreach((json_t *)patch, key, value)
    {
        if (json_is_null(value)) {
            (void)json_object_del(target, key);
        } else if (json_object_set(target, key, value) != 0) {
            return WARD_E_NOMEM;
        }
    }
    return WARD_OK;
}

void op_kv_patch(struct op_ctx *c)
{
    const json_t *patch = json_object_get(c->body, "data");
    struct ward_kv_version v;
    json_t *data = NULL;
    json_t *opts;
    ward_err err;

    if (patch == NULL || !json_is_object(patch)) {
        op_fail(c, WARD_E_INVALID, "data must be a JSON object");
        return;
    }
    if ((err = read_version(c, &data, &v, NULL, 0)) != WARD_OK ||
        (err = merge(data, patch)) != WARD_OK) {
        op_fail(c, err, NULL);
        goto out;
    }
    /* the patch applies to the version read: a concurrent write makes it fail */
    opts = json_pack("{s:I}", "cas", (json_int_t)v.version);
    if (opts == NULL || json_object_set_new(c->body, "options", opts) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
        goto out;
    }
    kv_put_data(c, data, WARD_KV_USER, NULL);
out:
    json_decref(data);
}

/* versions_arg reads "versions" (a non-empty array of versions). */
static ward_err versions_arg(const json_t *body, uint64_t *out, size_t cap, size_t *num)
{
    const json_t *arr = json_object_get(body, "versions");
    size_t i;
    json_t *v;

    *num = 0;
    if (arr == NULL || !json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > cap) {
        return WARD_E_INVALID;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            return WARD_E_INVALID;
        }
        out[i] = (uint64_t)json_integer_value(v);
    }
    *num = json_array_size(arr);
    return WARD_OK;
}

static void versions_op(struct op_ctx *c, enum ward_kv_action action)
{
    uint64_t versions[WARD_KV_MAX_VERSIONS_CAP];
    size_t num = 0;
    ward_err err;

    if (action != WARD_KV_DELETE || strcmp(c->req->method, "DELETE") != 0) {
        if (versions_arg(c->body, versions, WARD_KV_MAX_VERSIONS_CAP, &num) != WARD_OK) {
            op_fail(c, WARD_E_INVALID, "no version number provided");
            return;
        }
    }
    err = ward_kv_versions(kv_of(c), c->rest, action, versions, num);
    /* as Vault: acting on a secret that does not exist is no error */
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void op_kv_delete_latest(struct op_ctx *c)
{
    versions_op(c, WARD_KV_DELETE);
}

void op_kv_delete(struct op_ctx *c)
{
    versions_op(c, WARD_KV_DELETE);
}

void op_kv_undelete(struct op_ctx *c)
{
    versions_op(c, WARD_KV_UNDELETE);
}

void op_kv_destroy(struct op_ctx *c)
{
    versions_op(c, WARD_KV_DESTROY);
}
