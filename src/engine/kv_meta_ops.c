/*
 * kv_meta_ops.c - Vault's KV v2 metadata, list and config paths, and Ward's
 * generate extension (POST secret/generate/:path), on the mount "secret".
 *
 * Generated versions are recorded as GENERATED (metadata "ward_type"); their
 * value is in the response once and readable later through data/:path.
 */
#include <string.h>

#include "kv_int.h"

#define KV_MAX_CUSTOM_KEYS 64
#define KV_MAX_CUSTOM_KEY  128
#define KV_MAX_CUSTOM_VAL  512

static const char *type_name(uint8_t type)
{
    return type == WARD_KV_GENERATED ? "GENERATED" : "USER";
}

static json_t *versions_json(const struct ward_kv_meta *m)
{
    json_t *all = json_object();
    char key[24];

    for (size_t i = 0; i < m->num_versions && all != NULL; i++) {
        const struct ward_kv_version *v = &m->versions[i];

        (void)snprintf(key, sizeof(key), "%llu", (unsigned long long)v->version);
        (void)json_object_set_new(all, key,
                                  json_pack("{s:o, s:o, s:b, s:s}", "created_time",
                                            kv_time_json(v->created_ms), "deletion_time",
                                            kv_time_json(v->deletion_ms), "destroyed", v->destroyed,
                                            "ward_type", type_name(v->type)));
    }
    return all;
}

static json_t *meta_json(const struct ward_kv_meta *m)
{
    json_t *custom = m->custom.len > 0
                         ? json_loadb((const char *)m->custom.data, m->custom.len, 0, NULL)
                         : json_null();

    return json_pack("{s:b, s:o, s:I, s:o, s:o, s:I, s:I, s:o, s:o}", "cas_required",
                     m->cas_required, "created_time", kv_time_json(m->created_ms),
                     "current_version", (json_int_t)m->current_version, "custom_metadata",
                     custom != NULL ? custom : json_null(), "delete_version_after",
                     kv_duration_json(m->delete_after_s), "max_versions",
                     (json_int_t)m->max_versions, "oldest_version", (json_int_t)m->oldest_version,
                     "updated_time", kv_time_json(m->updated_ms), "versions", versions_json(m));
}

void op_kv_list(struct op_ctx *c)
{
    struct ward_kv_list l;
    json_t *keys;
    ward_err err;

    if ((err = ward_kv_list_dir(kv_of(c), &l, c->rest)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    keys = json_array();
    for (size_t i = 0; i < l.num && keys != NULL; i++) {
        (void)json_array_append_new(keys, json_string(l.keys[i]));
    }
    ward_kv_list_cleanup(&l);
    kv_reply(c, json_pack("{s:o}", "keys", keys));
}

void op_kv_meta_read(struct op_ctx *c)
{
    struct ward_kv_meta m;
    char list[8];
    ward_err err;

    if (op_query_get(c->query, "list", list, sizeof(list)) && strcmp(list, "true") == 0) {
        op_kv_list(c);
        return;
    }
    if ((err = ward_kv_meta_get(kv_of(c), &m, c->rest)) != WARD_OK) {
        ward_kv_meta_cleanup(&m);
        op_fail(c, err, NULL);
        return;
    }
    kv_reply(c, meta_json(&m));
    ward_kv_meta_cleanup(&m);
}

/* custom_ok: custom_metadata is an object of at most 64 string values (as Vault). */
static bool custom_ok(const json_t *custom)
{
    const char *key;
    json_t *v;

    if (!json_is_object(custom) || json_object_size(custom) > KV_MAX_CUSTOM_KEYS) {
        return false;
    }
    json_object_foreach((json_t *)custom, key, v)
    {
        if (!json_is_string(v) || strlen(key) > KV_MAX_CUSTOM_KEY ||
            json_string_length(v) > KV_MAX_CUSTOM_VAL) {
            return false;
        }
    }
    return true;
}

/* meta_update reads the metadata fields of c->body into *u. */
static ward_err meta_update(struct op_ctx *c, struct ward_kv_meta_update *u, char **custom_text)
{
    const json_t *custom = json_object_get(c->body, "custom_metadata");
    int64_t max = 0;
    ward_err err;

    *custom_text = NULL;
    if ((err = json_get_int(c->body, "max_versions", 0, WARD_KV_MAX_VERSIONS_CAP, &max,
                            &u->has_max_versions)) != WARD_OK ||
        (err = kv_get_duration(c->body, "delete_version_after", &u->delete_after_s,
                               &u->has_delete_after)) != WARD_OK) {
        return err;
    }
    u->max_versions = (uint32_t)max;
    if (json_object_get(c->body, "cas_required") != NULL) {
        u->has_cas_required = true;
        if ((err = json_get_bool(c->body, "cas_required", &u->cas_required)) != WARD_OK) {
            return err;
        }
    }
    if (custom != NULL && !json_is_null(custom)) {
        if (!custom_ok(custom)) {
            return WARD_E_INVALID;
        }
        if ((*custom_text = json_dumps(custom, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
            return WARD_E_NOMEM;
        }
        u->custom = (const uint8_t *)*custom_text;
        u->custom_len = strlen(*custom_text);
    }
    return WARD_OK;
}

void op_kv_meta_write(struct op_ctx *c)
{
    struct ward_kv_meta_update u = { 0 };
    char *custom_text = NULL;
    ward_err err;

    if ((err = meta_update(c, &u, &custom_text)) != WARD_OK) {
        op_fail(c, err,
                "max_versions (0..1000), cas_required (bool), delete_version_after (duration) "
                "or custom_metadata (object of strings) is malformed");
    } else if ((err = ward_kv_meta_set(kv_of(c), c->rest, &u)) != WARD_OK) {
        op_fail(c, err, NULL);
    }
    if (custom_text != NULL) {
        json_free_t f = NULL;

        json_get_alloc_funcs(NULL, &f);
        f(custom_text);
    }
}

void op_kv_meta_delete(struct op_ctx *c)
{
    ward_err err;

    if ((err = ward_kv_meta_delete(kv_of(c), c->rest)) != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

void op_kv_config_read(struct op_ctx *c)
{
    struct ward_kv_config cfg;
    ward_err err;

    if ((err = ward_kv_config_get(kv_of(c), &cfg)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    kv_reply(c, json_pack("{s:b, s:o, s:I}", "cas_required", cfg.cas_required,
                          "delete_version_after", kv_duration_json(cfg.delete_after_s),
                          "max_versions", (json_int_t)cfg.max_versions));
}

void op_kv_config_write(struct op_ctx *c)
{
    struct ward_kv_config cfg;
    int64_t max = 0;
    bool has_max = false;
    bool has_after = false;
    int64_t after = 0;
    ward_err err;

    if ((err = ward_kv_config_get(kv_of(c), &cfg)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (json_get_int(c->body, "max_versions", 0, WARD_KV_MAX_VERSIONS_CAP, &max, &has_max) !=
            WARD_OK ||
        json_get_bool(c->body, "cas_required", &cfg.cas_required) != WARD_OK ||
        kv_get_duration(c->body, "delete_version_after", &after, &has_after) != WARD_OK) {
        op_fail(c, WARD_E_INVALID,
                "max_versions (0..1000), cas_required (bool) or delete_version_after "
                "(duration) is malformed");
        return;
    }
    cfg.max_versions = has_max ? (uint32_t)max : cfg.max_versions;
    cfg.delete_after_s = has_after ? after : cfg.delete_after_s;
    if ((err = ward_kv_config_set(kv_of(c), &cfg)) != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

/* gen_params reads length, charset and the class minimums. */
static ward_err gen_params(const json_t *body, struct ward_kv_gen_params *p)
{
    int64_t v[5] = { 32, 0, 0, 0, 0 };
    static const char *const names[5] = { "length", "min_upper", "min_lower", "min_digit",
                                          "min_symbol" };
    size_t len;
    bool present;
    ward_err err;

    for (size_t i = 0; i < 5; i++) {
        if ((err = json_get_int(body, names[i], 0, WARD_KV_MAX_GEN, &v[i], &present)) != WARD_OK) {
            return err;
        }
    }
    if ((err = json_get_string(body, "charset", &p->charset, &len)) != WARD_OK) {
        return err;
    }
    p->length = (size_t)v[0];
    p->min_upper = (size_t)v[1];
    p->min_lower = (size_t)v[2];
    p->min_digit = (size_t)v[3];
    p->min_symbol = (size_t)v[4];
    return WARD_OK;
}

void op_kv_generate(struct op_ctx *c)
{
    struct ward_kv_gen_params p = { 0 };
    const char *field = "value";
    struct ward_buf value;
    json_t *data = NULL;
    size_t len;

    ward_buf_init(&value, 2 * WARD_KV_MAX_GEN + 8);
    if (gen_params(c->body, &p) != WARD_OK ||
        json_get_string(c->body, "field", &field, &len) != WARD_OK ||
        ward_kv_generate(&value, &p) != WARD_OK) {
        op_fail(c, WARD_E_INVALID,
                "length (1..4096), charset (alnum, hex, base64, printable), field or "
                "min_upper/min_lower/min_digit/min_symbol is malformed or cannot be met");
        goto out;
    }
    data = json_object();
    if (data == NULL ||
        json_object_set_new(data, field != NULL ? field : "value",
                            json_stringn((const char *)value.data, value.len)) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
        goto out;
    }
    kv_put_data(c, data, WARD_KV_GENERATED, data);
out:
    json_decref(data);
    ward_buf_cleanup(&value);
}
