/*
 * transit_keys.c - Vault's transit key management paths on the mount
 * "transit": create, read, list, config, rotate, trim, delete, export,
 * backup and restore, and Ward's lifecycle state path. Shapes and status
 * codes are Vault's, so hvac's secrets.transit calls work unchanged; Ward's
 * additions are extra fields (id, state, allowed_operations, ...).
 *
 * The key logic lives in src/keys; these handlers only translate JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "kv_int.h"
#include "transit_int.h"

ward_err transit_b64_field(struct ward_buf *out, bool *present, const json_t *obj, const char *key)
{
    const char *s;
    size_t len;
    size_t n = 0;
    ward_err err;

    *present = false;
    if ((err = json_get_string(obj, key, &s, &len)) != WARD_OK || s == NULL) {
        return err;
    }
    *present = true;
    if (len / 4 * 3 > TRANSIT_MAX_FIELD) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = ward_buf_reserve(out, len / 4 * 3 + 3)) != WARD_OK) {
        return err;
    }
    if ((err = ward_base64_decode(out->data + out->len, out->cap - out->len, &n, s, len)) !=
        WARD_OK) {
        return err;
    }
    out->len += n;
    return WARD_OK;
}

/*
 * Text Ward makes from bytes (base64, hex, PEM, ciphertext forms) is ASCII by
 * construction, so the transit handlers skip Jansson's UTF-8 check of it
 * (json_stringn_nocheck): it was most of Jansson's remaining cost.
 */
json_t *transit_b64(const uint8_t *in, size_t in_len)
{
    size_t n = ward_base64_encoded_len(in_len);
    char *text = ward_alloc(n + 1);
    json_t *j = NULL;

    if (text != NULL && ward_base64_encode(text, n + 1, in, in_len) == WARD_OK) {
        j = json_stringn_nocheck(text, n);
    }
    ward_free_wipe(text, n + 1);
    return j;
}

ward_err transit_version(const json_t *obj, const char *key, uint32_t *out)
{
    int64_t v = 0;
    bool present = false;
    ward_err err = json_get_int(obj, key, 0, WARD_KEY_MAX_VERSION, &v, &present);

    *out = present ? (uint32_t)v : 0;
    return err;
}

ward_err transit_fail_item(json_t *result, ward_err err, const char *message)
{
    (void)json_object_set_new(result, "error",
                              json_string(message != NULL ? message : ward_err_str(err)));
    (void)json_object_set_new(result, "code", json_string(ward_err_name(err)));
    return err;
}

static const char *curve_name(enum ward_key_type t)
{
    switch (t) {
    case WARD_KEY_ECDSA_P256:
        return "P-256";
    case WARD_KEY_ECDSA_P384:
        return "P-384";
    case WARD_KEY_ED25519:
        return "Ed25519";
    default:
        return "RSA";
    }
}

/* version_json is one entry of "keys": Vault gives a time for symmetric keys, an object else. */
static json_t *version_json(const struct ward_key *k, const struct ward_key_version *v)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    struct ward_buf pub;
    json_t *j;

    if (t->pkey_kind == 0) {
        return json_integer((json_int_t)(v->created_ms / 1000));
    }
    ward_buf_init(&pub, 16384);
    if (v->material != NULL &&
        ward_key_export(k, &pub, WARD_EXPORT_PUBLIC, v->version) != WARD_OK) {
        pub.len = 0; /* shown as "" rather than failing the whole read */
    }
    j = json_pack("{s:o, s:s, s:s#}", "creation_time", kv_time_json(v->created_ms), "name",
                  curve_name(k->type), "public_key", pub.len > 0 ? (const char *)pub.data : "",
                  (int)pub.len);
    ward_buf_cleanup(&pub);
    return j;
}

json_t *transit_key_json(const struct ward_key *k)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    json_t *keys = json_object();
    json_t *states = json_object();
    json_t *ops = json_array();
    char id_hex[2 * WARD_KEY_ID_LEN + 1];
    json_t *j;

    for (size_t i = 0; i < k->num_versions; i++) {
        char num[16];

        (void)snprintf(num, sizeof(num), "%u", k->versions[i].version);
        (void)json_object_set_new(keys, num, version_json(k, &k->versions[i]));
        (void)json_object_set_new(
            states, num,
            json_string(ward_key_state_name(ward_key_version_state(k, &k->versions[i]))));
    }
    for (uint32_t op = 1; op <= WARD_KOP_WRAP_FOR; op <<= 1) {
        if (k->allowed_ops & op) {
            (void)json_array_append_new(ops, json_string(ward_key_op_name(op)));
        }
    }
    for (size_t i = 0; i < WARD_KEY_ID_LEN; i++) {
        (void)snprintf(id_hex + 2 * i, 3, "%02x", k->id[i]);
    }
    j = json_pack(
        "{s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:i, s:b, s:b, s:b, s:b,"
        " s:b, s:I, s:b, s:s, s:o, s:o, s:s, s:i}",
        "name", k->name, "type", t->name, "keys", keys, "deletion_allowed",
        (k->flags & WARD_KFLAG_DELETION_ALLOWED) != 0, "derived",
        (k->flags & WARD_KFLAG_DERIVED) != 0, "exportable", (k->flags & WARD_KFLAG_EXPORTABLE) != 0,
        "allow_plaintext_backup", (k->flags & WARD_KFLAG_PLAINTEXT_BACKUP) != 0,
        "min_decryption_version", (int)k->min_decryption_version, "min_encryption_version",
        (int)k->min_encryption_version, "latest_version", (int)k->latest_version,
        "min_available_version", (int)k->min_available_version, "supports_encryption",
        (t->ops & WARD_KOP_ENCRYPT) != 0, "supports_decryption", (t->ops & WARD_KOP_DECRYPT) != 0,
        "supports_derivation", t->cipher != 0, "supports_signing", (t->ops & WARD_KOP_SIGN) != 0,
        "imported_key", (k->flags & WARD_KFLAG_IMPORTED) != 0, "auto_rotate_period",
        (json_int_t)k->auto_rotate_s, "convergent_encryption",
        (k->flags & WARD_KFLAG_CONVERGENT) != 0, "id", id_hex, "allowed_operations", ops,
        "version_states", states, "state", ward_key_state_name((enum ward_key_state)k->state),
        "current_version", (int)ward_key_current_version(k));
    if (j != NULL && (k->flags & WARD_KFLAG_DERIVED)) {
        (void)json_object_set_new(j, "kdf", json_string("hkdf_sha256"));
    }
    if (j != NULL && k->type == WARD_KEY_HMAC) {
        (void)json_object_set_new(j, "key_size", json_integer(k->key_size));
    }
    return j;
}

void transit_reply_key(struct op_ctx *c, const char *name)
{
    struct ward_key *k = NULL;
    ward_err err;

    if ((err = ward_keys_get(keys_of(c), &k, name)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    kv_reply(c, transit_key_json(k));
    ward_key_unref(k);
}

/* get_ops reads allowed_operations (a list of names, or a comma-separated string). */
static ward_err get_ops(const json_t *body, uint32_t *out, bool *present)
{
    const json_t *v = json_object_get(body, "allowed_operations");
    size_t i;
    json_t *item;

    *present = false;
    *out = 0;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0) {
        return WARD_E_INVALID;
    }
    json_array_foreach(v, i, item)
    {
        uint32_t op;

        if (!json_is_string(item) || !ward_key_op_from_name(&op, json_string_value(item))) {
            return WARD_E_INVALID;
        }
        *out |= op;
    }
    *present = true;
    return WARD_OK;
}

static ward_err set_flag(const json_t *body, const char *key, uint32_t flag, uint32_t *flags)
{
    bool v = false;
    ward_err err = json_get_bool(body, key, &v);

    if (err == WARD_OK && v) {
        *flags |= flag;
    }
    return err;
}

/* key_params reads a create (or import) request's settings. */
ward_err transit_key_params(struct op_ctx *c, struct ward_key_params *p, const char **why)
{
    const struct ward_key_type_info *t;
    const char *type = NULL;
    size_t type_len;
    int64_t size = 0;
    bool present = false;

    memset(p, 0, sizeof(*p));
    *why = NULL;
    if (json_get_string(c->body, "type", &type, &type_len) != WARD_OK) {
        *why = "type must be a string";
        return WARD_E_INVALID;
    }
    if ((t = ward_key_type_find(type != NULL ? type : "aes256-gcm96")) == NULL) {
        *why = "unknown key type";
        return WARD_E_INVALID;
    }
    p->type = t->type;
    if (set_flag(c->body, "derived", WARD_KFLAG_DERIVED, &p->flags) != WARD_OK ||
        set_flag(c->body, "convergent_encryption", WARD_KFLAG_CONVERGENT, &p->flags) != WARD_OK ||
        set_flag(c->body, "exportable", WARD_KFLAG_EXPORTABLE, &p->flags) != WARD_OK ||
        set_flag(c->body, "allow_plaintext_backup", WARD_KFLAG_PLAINTEXT_BACKUP, &p->flags) !=
            WARD_OK ||
        set_flag(c->body, "allow_rotation", WARD_KFLAG_IMPORT_ROTATION, &p->flags) != WARD_OK ||
        json_get_bool(c->body, "pre_active", &p->pre_active) != WARD_OK) {
        *why = "derived, convergent_encryption, exportable, allow_plaintext_backup, "
               "allow_rotation and pre_active must be booleans";
        return WARD_E_INVALID;
    }
    if (json_get_int(c->body, "key_size", 0, 512, &size, &present) != WARD_OK) {
        *why = "key_size must be an integer up to 512";
        return WARD_E_INVALID;
    }
    p->key_size = (uint32_t)size;
    if (kv_get_duration(c->body, "auto_rotate_period", &p->auto_rotate_s, &present) != WARD_OK) {
        *why = "auto_rotate_period must be a duration";
        return WARD_E_INVALID;
    }
    if (get_ops(c->body, &p->allowed_ops, &present) != WARD_OK) {
        *why = "allowed_operations must be a list of operation names";
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

void op_transit_key_create(struct op_ctx *c)
{
    struct ward_key_params p;
    const char *why;
    bool created;
    ward_err err;

    if ((err = transit_key_params(c, &p, &why)) != WARD_OK) {
        op_fail(c, err, why);
        return;
    }
    if ((err = ward_keys_create(keys_of(c), &created, c->var[0], &p)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID ? "invalid key settings: convergent_encryption needs "
                                        "derived, derived needs an AEAD key type, key_size is "
                                        "for hmac keys (16..512), auto_rotate_period is 0 or at "
                                        "least 1h, allowed_operations must suit the type"
                                      : NULL);
        return;
    }
    transit_reply_key(c, c->var[0]);
}

void op_transit_key_read(struct op_ctx *c)
{
    transit_reply_key(c, c->var[0]);
}

void op_transit_key_list(struct op_ctx *c)
{
    struct ward_key_list l;
    json_t *keys;
    ward_err err;

    if ((err = ward_keys_list(keys_of(c), &l)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (l.num == 0) {
        ward_key_list_cleanup(&l);
        op_fail(c, WARD_E_NOT_FOUND, NULL); /* Vault: an empty list is 404 */
        return;
    }
    keys = json_array();
    for (size_t i = 0; i < l.num; i++) {
        (void)json_array_append_new(keys, json_string(l.names[i]));
    }
    ward_key_list_cleanup(&l);
    kv_reply(c, json_pack("{s:o}", "keys", keys));
}

void op_transit_key_delete(struct op_ctx *c)
{
    ward_err err = ward_keys_delete(keys_of(c), c->var[0]);

    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

void op_transit_key_config(struct op_ctx *c)
{
    struct ward_key_update u = { 0 };
    int64_t v = 0;
    bool present = false;
    ward_err err;

    if (json_get_int(c->body, "min_decryption_version", 0, WARD_KEY_MAX_VERSION, &v, &present) !=
        WARD_OK) {
        op_fail(c, WARD_E_INVALID, "min_decryption_version must be a version number");
        return;
    }
    /* Vault treats 0 as "leave unchanged" for min_decryption_version */
    u.has_min_decryption_version = present && v > 0;
    u.min_decryption_version = (uint32_t)v;
    if (json_get_int(c->body, "min_encryption_version", 0, WARD_KEY_MAX_VERSION, &v, &present) !=
        WARD_OK) {
        op_fail(c, WARD_E_INVALID, "min_encryption_version must be a version number");
        return;
    }
    u.has_min_encryption_version = present;
    u.min_encryption_version = (uint32_t)v;
    u.has_deletion_allowed = json_object_get(c->body, "deletion_allowed") != NULL;
    u.has_exportable = json_object_get(c->body, "exportable") != NULL;
    u.has_plaintext_backup = json_object_get(c->body, "allow_plaintext_backup") != NULL;
    if (json_get_bool(c->body, "deletion_allowed", &u.deletion_allowed) != WARD_OK ||
        json_get_bool(c->body, "exportable", &u.exportable) != WARD_OK ||
        json_get_bool(c->body, "allow_plaintext_backup", &u.plaintext_backup) != WARD_OK) {
        op_fail(c, WARD_E_INVALID,
                "deletion_allowed, exportable and allow_plaintext_backup must be booleans");
        return;
    }
    if (kv_get_duration(c->body, "auto_rotate_period", &u.auto_rotate_s, &u.has_auto_rotate) !=
        WARD_OK) {
        op_fail(c, WARD_E_INVALID, "auto_rotate_period must be a duration");
        return;
    }
    if (get_ops(c->body, &u.allowed_ops, &u.has_allowed_ops) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "allowed_operations must be a list of operation names");
        return;
    }
    if ((err = ward_keys_update(keys_of(c), c->var[0], &u)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID
                    ? "invalid setting: min_decryption_version must be an available version, "
                      "min_encryption_version 0 or at least min_decryption_version, exportable "
                      "and allow_plaintext_backup cannot be turned off, auto_rotate_period 0 "
                      "or at least 1h, allowed_operations must suit the key type"
                    : NULL);
        return;
    }
    transit_reply_key(c, c->var[0]);
}

void op_transit_key_rotate(struct op_ctx *c)
{
    bool pre_active = false;
    uint32_t v;
    ward_err err;

    if (json_get_bool(c->body, "pre_active", &pre_active) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "pre_active must be a boolean");
        return;
    }
    if ((err = ward_keys_rotate(keys_of(c), &v, c->var[0], pre_active, NULL, 0)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_UNSUPPORTED
                    ? "imported keys rotate by import_version unless allow_rotation was set"
                    : NULL);
        return;
    }
    transit_reply_key(c, c->var[0]);
}

void op_transit_key_trim(struct op_ctx *c)
{
    uint32_t min = 0;
    ward_err err;

    if (transit_version(c->body, "min_available_version", &min) != WARD_OK || min == 0) {
        op_fail(c, WARD_E_INVALID, "min_available_version must be a positive version number");
        return;
    }
    if ((err = ward_keys_trim(keys_of(c), c->var[0], min)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID ? "min_available_version must not exceed "
                                        "min_decryption_version or min_encryption_version"
                                      : NULL);
        return;
    }
    transit_reply_key(c, c->var[0]);
}

void op_transit_key_state(struct op_ctx *c)
{
    enum ward_key_state s;
    const char *name = NULL;
    size_t len;
    uint32_t version = 0;
    ward_err err;

    if (json_get_string(c->body, "state", &name, &len) != WARD_OK || name == NULL ||
        !ward_key_state_from_name(&s, name)) {
        op_fail(c, WARD_E_INVALID,
                "state must be pre-active, active, deactivated, compromised or destroyed");
        return;
    }
    if (transit_version(c->body, "version", &version) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "version must be a version number (0 or absent: the key)");
        return;
    }
    if ((err = ward_keys_set_state(keys_of(c), c->var[0], version, s)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    transit_reply_key(c, c->var[0]);
}

static bool export_kind(const char *s, enum ward_key_export *out)
{
    static const struct {
        const char *name;
        enum ward_key_export kind;
    } kinds[] = {
        { "encryption-key", WARD_EXPORT_ENCRYPTION },
        { "signing-key", WARD_EXPORT_SIGNING },
        { "hmac-key", WARD_EXPORT_HMAC },
        { "public-key", WARD_EXPORT_PUBLIC },
    };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].name, s) == 0) {
            *out = kinds[i].kind;
            return true;
        }
    }
    return false;
}

/* export_version reads the path's version: a number or "latest"; 0 if neither. */
static uint32_t export_version(const char *text, const struct ward_key *k)
{
    char *end = NULL;
    unsigned long v;

    if (strcmp(text, "latest") == 0) {
        return k->latest_version;
    }
    v = strtoul(text, &end, 10);
    return *end == '\0' && v <= WARD_KEY_MAX_VERSION ? (uint32_t)v : 0;
}

void op_transit_export(struct op_ctx *c)
{
    enum ward_key_export kind;
    struct ward_key *k = NULL;
    struct ward_buf text;
    json_t *keys = NULL;
    uint32_t only = 0;
    ward_err err = WARD_OK;

    if (!export_kind(c->var[0], &kind)) {
        op_fail(c, WARD_E_INVALID,
                "export type must be encryption-key, signing-key, hmac-key or public-key");
        return;
    }
    if ((err = ward_keys_get(keys_of(c), &k, c->var[1])) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (c->num_vars > 2 && (only = export_version(c->var[2], k)) == 0) {
        ward_key_unref(k);
        op_fail(c, WARD_E_INVALID, "version must be a number or \"latest\"");
        return;
    }
    ward_buf_init(&text, 1u << 20);
    keys = json_object();
    for (size_t i = 0; i < k->num_versions && err == WARD_OK; i++) {
        const struct ward_key_version *v = &k->versions[i];
        char num[16];

        if ((only != 0 && v->version != only) || v->material == NULL) {
            continue;
        }
        ward_buf_reset(&text);
        text.len = 0;
        if ((err = ward_key_export(k, &text, kind, v->version)) == WARD_OK) {
            (void)snprintf(num, sizeof(num), "%u", v->version);
            (void)json_object_set_new(keys, num,
                                      json_stringn_nocheck((const char *)text.data, text.len));
        }
    }
    if (err == WARD_OK && json_object_size(keys) == 0) {
        err = WARD_E_KEY_VERSION;
    }
    if (err != WARD_OK) {
        json_decref(keys);
        op_fail(c, err, NULL);
    } else {
        kv_reply(c, json_pack("{s:s, s:s, s:o}", "name", k->name, "type",
                              ward_key_type_get(k->type)->name, "keys", keys));
    }
    ward_buf_cleanup(&text);
    ward_key_unref(k);
}

void op_transit_backup(struct op_ctx *c)
{
    struct ward_buf rec;
    ward_err err;

    ward_buf_init(&rec, WARD_MAX_ENTRY_VALUE);
    if ((err = ward_keys_backup(keys_of(c), &rec, c->var[0])) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_NOT_EXPORTABLE
                    ? "backup needs a key with exportable and allow_plaintext_backup"
                    : NULL);
    } else {
        kv_reply(c, json_pack("{s:o}", "backup", transit_b64(rec.data, rec.len)));
    }
    ward_buf_cleanup(&rec);
}

void op_transit_restore(struct op_ctx *c)
{
    struct ward_buf rec;
    bool present = false;
    bool force = false;
    ward_err err;

    ward_buf_init(&rec, TRANSIT_MAX_FIELD);
    if ((err = transit_b64_field(&rec, &present, c->body, "backup")) != WARD_OK || !present) {
        op_fail(c, err != WARD_OK ? err : WARD_E_INVALID, "backup must be base64 text");
    } else if (json_get_bool(c->body, "force", &force) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "force must be a boolean");
    } else if ((err = ward_keys_restore(keys_of(c), c->num_vars > 0 ? c->var[0] : NULL, rec.data,
                                        rec.len, force)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID  ? "backup is not a Ward key backup"
                : err == WARD_E_EXISTS ? "a key of that name or id exists; set force to replace"
                                       : NULL);
    }
    ward_buf_cleanup(&rec);
}
