/*
 * sys_mounts.c - Vault's sys/mounts and sys/auth: list, read, tune, enable
 * and disable secrets engines and auth methods (the table: mounts.c).
 *
 * Keeper-side. Shapes are Vault's, so hvac's sys.enable_secrets_engine,
 * sys.enable_auth_method, list_*, disable_* and read_mount_configuration
 * work, and clients that read "<mount>/tune" to learn a KV mount's version
 * (MariaDB's hashicorp_key_management plugin, the Vault CLI) are answered.
 *
 * One prefix row per method serves each tree: the rest is "" (the list),
 * "<path>" (one mount) or "<path>/tune". Ward keeps no lease TTLs per mount
 * (its tokens carry their own), so tune shows Vault's defaults and a tune
 * write accepts only what changes nothing; the rest is refused, never
 * silently ignored. KV mounts are version 2 only: enabling version 1 is
 * refused rather than served with v2 paths a v1 client would not expect.
 */
#include <stdio.h>
#include <string.h>

#include "kv_int.h"

#define TUNE_LEASE_TTL_S 2764800 /* Vault's default and max lease TTL: 32 days */

/* reply_flat answers obj both under "data" and at the top level, as Vault's sys answers. */
static void reply_flat(struct op_ctx *c, json_t *obj)
{
    json_t *top = obj != NULL ? json_deep_copy(obj) : NULL;

    kv_reply(c, obj);
    if (c->data == NULL || top == NULL || json_object_update_missing(c->data, top) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
    }
    json_decref(top);
}

/* tune_json is a mount's tuning in Vault's shape. */
static json_t *tune_json(const struct mount *m)
{
    json_t *o =
        json_pack("{s:s, s:i, s:i, s:b}", "description", m->description, "default_lease_ttl",
                  TUNE_LEASE_TTL_S, "max_lease_ttl", TUNE_LEASE_TTL_S, "force_no_cache", 0);

    if (o != NULL && m->kind == &g_mount_kv) {
        (void)json_object_set_new(o, "options", json_pack("{s:s}", "version", "2"));
    }
    return o;
}

/*
 * split_tune cuts a trailing "/tune" off rest into path (the mount's
 * path, '/' appended, with "auth/" in front for auth); true if it was there.
 */
static bool split_tune(char *path, size_t cap, const char *rest, bool auth)
{
    size_t n = strlen(rest);
    bool tune = n >= 5 && strcmp(rest + n - 5, "/tune") == 0;

    n -= tune ? 5 : 0;
    n -= n > 0 && rest[n - 1] == '/';
    if (snprintf(path, cap, "%s%.*s/", auth ? "auth/" : "", (int)n, rest) >= (int)cap) {
        path[0] = '\0';
    }
    return tune;
}

/* find_exact takes a reference on the mount whose path is exactly path. */
static struct mount *find_exact(struct op_ctx *c, const char *path)
{
    const char *rest = NULL;
    struct mount *m = mount_lookup(c->eng->mounts, path, &rest);

    if (m != NULL && strcmp(m->path, path) != 0) {
        mount_unref(m);
        m = NULL;
    }
    return m;
}

static void mounts_read(struct op_ctx *c, bool auth)
{
    char path[MOUNT_PATH_MAX + 16];
    struct mount *m;
    bool tune;

    if (c->rest[0] == '\0') {
        reply_flat(c, mount_list(c->eng->mounts, auth));
        return;
    }
    tune = split_tune(path, sizeof(path), c->rest, auth);
    if ((m = find_exact(c, path)) == NULL || m->kind->auth != auth) {
        op_fail(c, WARD_E_NOT_FOUND, "no mount at this path");
    } else {
        reply_flat(c, tune ? tune_json(m) : mount_json(m));
    }
    mount_unref(m);
}

void op_mounts_read(struct op_ctx *c)
{
    mounts_read(c, false);
}

void op_auth_read(struct op_ctx *c)
{
    mounts_read(c, true);
}

/*
 * kv_version_ok: a kv mount's options ask for version 2 (Ward's only one);
 * "kv-v2" needs none.
 */
static bool kv_version_ok(const char *type, const json_t *options)
{
    const json_t *v = json_object_get(options, "version");

    if (strcmp(type, "kv-v2") == 0 && v == NULL) {
        return true;
    }
    return (json_is_string(v) && strcmp(json_string_value(v), "2") == 0) ||
           (json_is_integer(v) && json_integer_value(v) == 2);
}

/* tune_write accepts a tune that changes nothing Ward keeps per mount. */
static void tune_write(struct op_ctx *c, const char *path, bool auth)
{
    struct mount *m = find_exact(c, path);
    const char *key;
    json_t *v;

    if (m == NULL || m->kind->auth != auth) {
        op_fail(c, WARD_E_NOT_FOUND, "no mount at this path");
        mount_unref(m);
        return;
    }
    json_object_foreach(c->body, key, v)
    {
        bool same =
            (strcmp(key, "options") == 0 && m->kind == &g_mount_kv && kv_version_ok("kv", v)) ||
            (strcmp(key, "description") == 0 && json_is_string(v) &&
             strcmp(json_string_value(v), m->description) == 0);

        if (!same) {
            op_fail(c, WARD_E_UNSUPPORTED,
                    "Ward keeps no per-mount lease TTLs or options to tune; only unchanged "
                    "values are accepted");
            break;
        }
    }
    mount_unref(m);
}

static void mounts_write(struct op_ctx *c, bool auth)
{
    const char *type = json_string_value(json_object_get(c->body, "type"));
    const char *desc = json_string_value(json_object_get(c->body, "description"));
    const struct mount_kind *kind;
    char path[MOUNT_PATH_MAX + 16];
    ward_err err;

    if (split_tune(path, sizeof(path), c->rest, auth)) {
        tune_write(c, path, auth);
        return;
    }
    if (c->rest[0] == '\0') {
        op_fail(c, WARD_E_INVALID, "a mount path is required");
        return;
    }
    if (type == NULL || (kind = mount_kind_find(type)) == NULL || kind->auth != auth) {
        op_fail(c, WARD_E_UNSUPPORTED,
                auth ? "type must be one of Ward's auth methods: userpass, approle, cert, ldap, "
                       "radius"
                     : "type must be kv (options.version 2), kv-v2 or transit");
        return;
    }
    if (kind == &g_mount_kv && !kv_version_ok(type, json_object_get(c->body, "options"))) {
        op_fail(c, WARD_E_UNSUPPORTED,
                "KV version 1 is not supported: enable kv with options.version \"2\" (or type "
                "kv-v2)");
        return;
    }
    err = mount_enable(c->eng->mounts, kind, c->rest, desc != NULL ? desc : "");
    if (err == WARD_E_INVALID) {
        op_fail(c, err,
                "the path must be segments of A-Z a-z 0-9 _ . - (at most 128 bytes), outside "
                "sys/, ward/, identity/ and cubbyhole/, and must not contain or lie inside "
                "another mount");
    } else if (err == WARD_E_EXISTS) {
        op_fail(c, err, "path is already in use");
    } else if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

void op_mounts_write(struct op_ctx *c)
{
    mounts_write(c, false);
}

void op_auth_write(struct op_ctx *c)
{
    mounts_write(c, true);
}

static void mounts_disable(struct op_ctx *c, bool auth)
{
    char path[MOUNT_PATH_MAX + 16];
    struct mount *m;
    ward_err err;

    if (split_tune(path, sizeof(path), c->rest, auth) || c->rest[0] == '\0') {
        op_fail(c, WARD_E_UNSUPPORTED, "only a mount can be disabled");
        return;
    }
    if ((m = find_exact(c, path)) == NULL || m->kind->auth != auth) {
        mount_unref(m);
        return; /* Vault answers 204 for a path with no mount */
    }
    mount_unref(m);
    if ((err = mount_disable(c->eng->mounts, path)) == WARD_E_INVALID) {
        op_fail(c, err, "the token auth method cannot be disabled");
    } else if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void op_mounts_disable(struct op_ctx *c)
{
    mounts_disable(c, false);
}

void op_auth_disable(struct op_ctx *c)
{
    mounts_disable(c, true);
}
