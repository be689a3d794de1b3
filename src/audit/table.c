/*
 * table.c - audit device configurations as JSON: Vault's shape on the API
 * (sys/audit) and the stored table under the barrier (audit/devices):
 *
 *   {"devices":[{"path":"file","type":"file","description":"",
 *                "options":{"file_path":"/var/log/ward/audit.log"}}]}
 *
 * Keeper-side; no state, thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "audit_int.h"

#define TABLE_MAX (64u << 10)

/* An option: its name, where it goes, and the device type that takes it. */
struct opt {
    const char *name;
    size_t off;
    size_t cap;
    const char *type;
};

#define OPT(n, field, t)                                           \
    {                                                              \
        n, offsetof(struct ward_audit_device_conf, field),         \
            sizeof(((struct ward_audit_device_conf *)0)->field), t \
    }

static const struct opt g_opts[] = {
    OPT("file_path", file_path, "file"),
    OPT("facility", facility, "syslog"),
    OPT("tag", tag, "syslog"),
    OPT("address", address, "socket"),
    OPT("socket_type", socket_type, "socket"),
    OPT("spool_path", spool_path, "socket"),
};

/* Vault options Ward takes only with the one value Ward implements. */
static const char *const g_fixed[][2] = {
    { "format", "json" },
    { "log_raw", "false" },
    { "hmac_accessor", "true" },
    { "mode", "0600" },
};

json_t *ward_audit_conf_json(const struct ward_audit_device_conf *c)
{
    char path[sizeof(c->path) + 1];
    json_t *opts = json_object();
    json_t *o;

    (void)snprintf(path, sizeof(path), "%s/", c->path);
    for (size_t i = 0; i < sizeof(g_opts) / sizeof(g_opts[0]) && opts != NULL; i++) {
        const char *v = (const char *)c + g_opts[i].off;

        if (strcmp(c->type, g_opts[i].type) == 0 && v[0] != '\0' &&
            json_object_set_new(opts, g_opts[i].name, json_string(v)) != 0) {
            json_decref(opts);
            opts = NULL;
        }
    }
    if (opts == NULL) {
        return NULL;
    }
    o = json_pack("{s:s, s:s, s:o, s:b, s:s}", "type", c->type, "description", c->description,
                  "options", opts, "local", 0, "path", path);
    return o;
}

/* copy_str copies a JSON string into a fixed field; false if too long or not a string. */
static bool copy_str(char *dst, size_t cap, const json_t *v)
{
    if (!json_is_string(v) || json_string_length(v) >= cap ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        return false;
    }
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

/* fail sets why to text, with name after "options." when given. */
static ward_err fail(char *why, size_t cap, const char *name, const char *text)
{
    if (name != NULL) {
        (void)snprintf(why, cap, "options.%s: %s", name, text);
    } else {
        (void)snprintf(why, cap, "%s", text);
    }
    return WARD_E_INVALID;
}

static ward_err parse_option(struct ward_audit_device_conf *out, const char *name, const json_t *v,
                             char *why, size_t cap)
{
    for (size_t i = 0; i < sizeof(g_opts) / sizeof(g_opts[0]); i++) {
        if (strcmp(name, g_opts[i].name) == 0 && strcmp(out->type, g_opts[i].type) == 0) {
            return copy_str((char *)out + g_opts[i].off, g_opts[i].cap, v)
                       ? WARD_OK
                       : fail(why, cap, name, "must be a short string");
        }
    }
    for (size_t i = 0; i < sizeof(g_fixed) / sizeof(g_fixed[0]); i++) {
        if (strcmp(name, g_fixed[i][0]) == 0) {
            return json_is_string(v) && strcmp(json_string_value(v), g_fixed[i][1]) == 0
                       ? WARD_OK
                       : fail(why, cap, name, "Ward supports only its default value");
        }
    }
    return fail(why, cap, name, "unknown option for this device type");
}

ward_err ward_audit_conf_parse(struct ward_audit_device_conf *out, const json_t *obj,
                               const char *path, char *why, size_t why_cap)
{
    const json_t *opts = json_object_get(obj, "options");
    const json_t *desc = json_object_get(obj, "description");
    const char *name;
    json_t *v;
    ward_err err;

    memset(out, 0, sizeof(*out));
    if (strlen(path) >= sizeof(out->path)) {
        return fail(why, why_cap, NULL, "path is too long");
    }
    (void)snprintf(out->path, sizeof(out->path), "%s", path);
    if (!copy_str(out->type, sizeof(out->type), json_object_get(obj, "type"))) {
        return fail(why, why_cap, NULL, "type must be file, syslog or socket");
    }
    if (desc != NULL && !json_is_null(desc) &&
        !copy_str(out->description, sizeof(out->description), desc)) {
        return fail(why, why_cap, NULL, "description must be a string of at most 256 bytes");
    }
    if (opts != NULL && !json_is_null(opts) && !json_is_object(opts)) {
        return fail(why, why_cap, NULL, "options must be an object");
    }
    json_object_foreach((json_t *)opts, name, v)
    {
        if ((err = parse_option(out, name, v, why, why_cap)) != WARD_OK) {
            return err;
        }
    }
    return ward_audit_conf_check(out, why, why_cap);
}

ward_err audit_table_load(struct ward_audit_device_conf **out, size_t *out_len,
                          struct ward_barrier *b, const char *path)
{
    struct ward_buf buf;
    json_error_t jerr;
    json_t *doc = NULL;
    json_t *list;
    json_t *v;
    size_t i;
    ward_err err;

    *out = NULL;
    *out_len = 0;
    ward_buf_init(&buf, TABLE_MAX);
    if ((err = ward_barrier_get(b, &buf, path)) != WARD_OK) {
        ward_buf_cleanup(&buf);
        return err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    doc = json_loadb((const char *)buf.data, buf.len, JSON_REJECT_DUPLICATES, &jerr);
    ward_buf_cleanup(&buf);
    list = json_object_get(doc, "devices");
    err = WARD_E_STORE_CORRUPT;
    if (!json_is_array(list) || json_array_size(list) > WARD_AUDIT_MAX_DEVICES) {
        goto out;
    }
    if ((*out = ward_calloc(json_array_size(list) + 1, sizeof(**out))) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    json_array_foreach(list, i, v)
    {
        char why[160];
        const json_t *p = json_object_get(v, "path");

        if (!json_is_string(p) || ward_audit_conf_parse(&(*out)[i], v, json_string_value(p), why,
                                                        sizeof(why)) != WARD_OK) {
            goto out;
        }
        /* the spool path a socket device was given at enable time stays its own */
    }
    *out_len = json_array_size(list);
    err = WARD_OK;
out:
    json_decref(doc);
    if (err != WARD_OK) {
        ward_free(*out);
        *out = NULL;
    }
    return err;
}

ward_err audit_table_store(struct ward_barrier *b, const char *path,
                           const struct ward_audit_device_conf *confs, size_t n)
{
    json_t *list = json_array();
    json_t *doc = json_pack("{s:o}", "devices", list);
    uint8_t *text = NULL;
    size_t len = 0;
    ward_err err = WARD_E_NOMEM;

    for (size_t i = 0; i < n && doc != NULL; i++) {
        json_t *c = ward_audit_conf_json(&confs[i]);

        if (c == NULL || json_object_set_new(c, "path", json_string(confs[i].path)) != 0 ||
            json_array_append_new(list, c) != 0) {
            goto out;
        }
    }
    if (doc != NULL && (len = json_dumpb(doc, NULL, 0, JSON_COMPACT)) > 0 && len <= TABLE_MAX &&
        (text = ward_alloc(len)) != NULL &&
        json_dumpb(doc, (char *)text, len, JSON_COMPACT) == len) {
        err = ward_barrier_put(b, path, text, len);
    }
out:
    ward_free(text);
    json_decref(doc);
    return err;
}
