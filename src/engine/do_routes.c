/*
 * do_routes.c - DO route rules (seed 004 "the policy resolves key and
 * mechanism"): sys/do/routes/:name (write, read, delete), LIST
 * sys/do/routes, and the lookup POST /v1/do makes.
 *
 * A route: {"ops": ["encrypt", "decrypt"], "type": "invoice", "from": "*",
 * "to": "token-bob", "key": "orders", "mount": "transit/",
 * "hash_algorithm": "sha2-256"}. type, from and to are globs (exact, or a
 * prefix before a final '*'; default "*"); key names a key on the transit
 * mount at mount. Routes are taken in name order and the first that
 * matches wins, like numbered firewall rules: name them "10-orders".
 *
 * Storage (docs/storage-format.md "DO routes"): one barrier entry,
 * "do/routes", format (1) | JSON object {name: route}, so a DO request
 * reads one entry. Route names are labels an operator chooses.
 *
 * THREADS: writers read-modify-write the one entry under g_routes_mu (a
 * process-wide lock, written by nobody: it only orders writers; readers
 * take a consistent snapshot from the barrier without it).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "engine_int.h"
#include "kv_int.h"

#define ROUTES_PATH   "do/routes"
#define ROUTES_FORMAT 1
#define ROUTES_MAX    (1u << 20)

static pthread_mutex_t g_routes_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const g_do_ops[] = { NULL,     "encrypt", "decrypt",   "sign",
                                        "verify", "mac",     "verify_mac" };

enum do_op do_op_from_name(const char *name)
{
    for (int i = DO_ENCRYPT; i <= DO_VERIFY_MAC; i++) {
        if (name != NULL && strcmp(g_do_ops[i], name) == 0) {
            return (enum do_op)i;
        }
    }
    return (enum do_op)0;
}

const char *do_op_name(enum do_op op)
{
    return op >= DO_ENCRYPT && op <= DO_VERIFY_MAC ? g_do_ops[op] : "";
}

bool do_glob_ok(const char *glob)
{
    size_t n = strnlen(glob, DO_GLOB_MAX + 1);

    if (n == 0 || n > DO_GLOB_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (glob[i] < 0x21 || glob[i] > 0x7e || (glob[i] == '*' && i + 1 != n)) {
            return false;
        }
    }
    return true;
}

static bool glob_match(const char *glob, const char *s)
{
    size_t n = strlen(glob);

    if (n > 0 && glob[n - 1] == '*') {
        return strncmp(glob, s, n - 1) == 0;
    }
    return strcmp(glob, s) == 0;
}

/* load reads the routes object (an empty one if none is stored). */
static ward_err load(struct ward_engine *e, json_t **out)
{
    struct ward_buf buf;
    ward_err err;

    *out = NULL;
    ward_buf_init(&buf, ROUTES_MAX + 1);
    err = ward_barrier_get(e->barrier, &buf, ROUTES_PATH);
    if (err == WARD_E_NOT_FOUND) {
        err = (*out = json_object()) != NULL ? WARD_OK : WARD_E_NOMEM;
    } else if (err == WARD_OK) {
        *out = buf.len > 1 && buf.data[0] == ROUTES_FORMAT
                   ? json_loadb((const char *)buf.data + 1, buf.len - 1, 0, NULL)
                   : NULL;
        err = json_is_object(*out) ? WARD_OK : WARD_E_BAD_ENCODING;
    }
    ward_buf_cleanup(&buf);
    if (err != WARD_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return err;
}

static ward_err store(struct ward_engine *e, const json_t *routes)
{
    char *text = json_dumps(routes, JSON_COMPACT | JSON_SORT_KEYS);
    json_free_t jfree = NULL;
    struct ward_buf buf;
    ward_err err;

    if (text == NULL) {
        return WARD_E_NOMEM;
    }
    ward_buf_init(&buf, ROUTES_MAX + 1);
    if ((err = ward_buf_append_u8(&buf, ROUTES_FORMAT)) == WARD_OK &&
        (err = ward_buf_append_str(&buf, text)) == WARD_OK) {
        err = ward_barrier_put(e->barrier, ROUTES_PATH, buf.data, buf.len);
    }
    ward_buf_cleanup(&buf);
    json_get_alloc_funcs(NULL, &jfree);
    jfree(text); /* json_dumps allocates with Jansson's allocator (json.c) */
    return err;
}

static bool route_has_op(const json_t *r, enum do_op op)
{
    size_t i;
    const json_t *v;

    json_array_foreach(json_object_get(r, "ops"), i, v)
    {
        if (do_op_from_name(json_string_value(v)) == op) {
            return true;
        }
    }
    return false;
}

static bool route_matches(const json_t *r, const struct do_query *q)
{
    const char *type = json_string_value(json_object_get(r, "type"));
    const char *from = json_string_value(json_object_get(r, "from"));
    const char *to = json_string_value(json_object_get(r, "to"));

    return route_has_op(r, q->op) && type != NULL && from != NULL && to != NULL &&
           glob_match(type, q->type) && glob_match(from, q->from) && glob_match(to, q->to);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* fill copies a matching stored route into out. */
static ward_err fill(struct do_route *out, const char *name, const json_t *r)
{
    const char *key = json_string_value(json_object_get(r, "key"));
    const char *mount = json_string_value(json_object_get(r, "mount"));
    const char *hash = json_string_value(json_object_get(r, "hash_algorithm"));

    memset(out, 0, sizeof(*out));
    if (key == NULL || mount == NULL || hash == NULL || strlen(key) > WARD_KEY_NAME_MAX ||
        strlen(mount) >= sizeof(out->mount) || strlen(name) > DO_NAME_MAX ||
        !ward_hash_from_name(&out->hash, hash)) {
        return WARD_E_BAD_ENCODING;
    }
    (void)snprintf(out->name, sizeof(out->name), "%s", name);
    (void)snprintf(out->key, sizeof(out->key), "%s", key);
    (void)snprintf(out->mount, sizeof(out->mount), "%s", mount);
    return WARD_OK;
}

ward_err do_route_find(struct ward_engine *e, struct do_route *out, const struct do_query *q)
{
    const char *names[DO_MAX_ROUTE];
    size_t n = 0;
    const char *name;
    json_t *routes = NULL;
    json_t *r;
    ward_err err;

    if ((err = load(e, &routes)) != WARD_OK) {
        return err;
    }
    json_object_foreach(routes, name, r)
    {
        if (n < DO_MAX_ROUTE) {
            names[n++] = name;
        }
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    err = WARD_E_NO_ROUTE;
    for (size_t i = 0; i < n && err == WARD_E_NO_ROUTE; i++) {
        r = json_object_get(routes, names[i]);
        if (route_matches(r, q)) {
            err = fill(out, names[i], r);
        }
    }
    json_decref(routes);
    return err;
}

/* parse_ops checks "ops": a non-empty list of DO operation names. */
static bool parse_ops(const json_t *ops)
{
    size_t i;
    const json_t *v;

    if (!json_is_array(ops) || json_array_size(ops) == 0 || json_array_size(ops) > 6) {
        return false;
    }
    json_array_foreach(ops, i, v)
    {
        if (do_op_from_name(json_string_value(v)) == 0) {
            return false;
        }
    }
    return true;
}

/* glob_field reads an optional glob field (default "*"); NULL if malformed. */
static const char *glob_field(const json_t *body, const char *key)
{
    const json_t *v = json_object_get(body, key);

    if (v == NULL || json_is_null(v)) {
        return "*";
    }
    return json_is_string(v) && do_glob_ok(json_string_value(v)) ? json_string_value(v) : NULL;
}

json_t *do_route_parse(const json_t *body, const char **why)
{
    const char *key = json_string_value(json_object_get(body, "key"));
    const char *mount = json_string_value(json_object_get(body, "mount"));
    const char *hash = json_string_value(json_object_get(body, "hash_algorithm"));
    const char *type = glob_field(body, "type");
    const char *from = glob_field(body, "from");
    const char *to = glob_field(body, "to");
    enum ward_hash h;

    *why = "ops must be a list of encrypt, decrypt, sign, verify, mac, verify_mac";
    if (!parse_ops(json_object_get(body, "ops"))) {
        return NULL;
    }
    *why = "key must name a transit key";
    if (key == NULL || ward_key_name_check(key) != WARD_OK) {
        return NULL;
    }
    *why = "mount must be a transit mount path ending in '/' (default transit/)";
    mount = mount != NULL ? mount : "transit/";
    if (strlen(mount) < 2 || strlen(mount) >= 64 || mount[strlen(mount) - 1] != '/') {
        return NULL;
    }
    *why = "hash_algorithm must be sha2-224/256/384/512 or sha3-224/256/384/512";
    if (hash != NULL && !ward_hash_from_name(&h, hash)) {
        return NULL;
    }
    *why = "type, from and to must be 1 to 128 printable ASCII characters, '*' only last";
    if (type == NULL || from == NULL || to == NULL) {
        return NULL;
    }
    *why = NULL;
    return json_pack("{s:O, s:s, s:s, s:s, s:s, s:s, s:s}", "ops", json_object_get(body, "ops"),
                     "key", key, "mount", mount, "type", type, "from", from, "to", to,
                     "hash_algorithm", hash != NULL ? hash : "sha2-256");
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);

    return n > 0 && n <= DO_NAME_MAX &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

void op_do_route_write(struct op_ctx *c)
{
    const char *why = NULL;
    json_t *route = NULL;
    json_t *routes = NULL;
    ward_err err;

    if (!name_ok(c->var[0])) {
        op_fail(c, WARD_E_INVALID, "a route name is 1 to 64 of A-Z a-z 0-9 _ . -");
        return;
    }
    if ((route = do_route_parse(c->body, &why)) == NULL) {
        op_fail(c, why != NULL ? WARD_E_INVALID : WARD_E_NOMEM, why);
        return;
    }
    (void)pthread_mutex_lock(&g_routes_mu);
    if ((err = load(c->eng, &routes)) == WARD_OK) {
        if (json_object_get(routes, c->var[0]) == NULL &&
            json_object_size(routes) >= DO_MAX_ROUTE) {
            err = WARD_E_TOO_LARGE;
        } else if (json_object_set(routes, c->var[0], route) != 0) {
            err = WARD_E_NOMEM;
        } else {
            err = store(c->eng, routes);
        }
    }
    (void)pthread_mutex_unlock(&g_routes_mu);
    json_decref(routes);
    json_decref(route);
    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_TOO_LARGE ? "at most 256 routes" : NULL);
    }
}

void op_do_route_read(struct op_ctx *c)
{
    json_t *routes = NULL;
    json_t *r;
    ward_err err = load(c->eng, &routes);

    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    } else if ((r = json_object_get(routes, c->var[0])) == NULL) {
        op_fail(c, WARD_E_NOT_FOUND, "no such route");
    } else {
        kv_reply(c, json_incref(r));
    }
    json_decref(routes);
}

void op_do_route_delete(struct op_ctx *c)
{
    json_t *routes = NULL;
    ward_err err;

    (void)pthread_mutex_lock(&g_routes_mu);
    if ((err = load(c->eng, &routes)) == WARD_OK && json_object_del(routes, c->var[0]) == 0) {
        err = store(c->eng, routes);
    }
    (void)pthread_mutex_unlock(&g_routes_mu);
    json_decref(routes);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

void op_do_route_list(struct op_ctx *c)
{
    json_t *routes = NULL;
    json_t *keys;
    const char *name;
    json_t *r;
    ward_err err = load(c->eng, &routes);

    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    keys = json_array();
    json_object_foreach(routes, name, r)
    {
        (void)json_array_append_new(keys, json_string(name));
    }
    (void)r;
    if (json_array_size(keys) == 0) {
        json_decref(keys);
        op_fail(c, WARD_E_NOT_FOUND, "no routes"); /* Vault's LIST of nothing is 404 */
    } else {
        kv_reply(c, json_pack("{s:o}", "keys", keys));
    }
    json_decref(routes);
}
