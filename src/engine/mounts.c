/*
 * mounts.c - the mount table (mounts.h): lookup by longest path prefix,
 * enable, disable, persistence as one barrier entry.
 *
 * The table is an array of published mounts sorted by descending path
 * length, so the first prefix that matches is the longest. Readers take
 * the read lock only to find a mount and take a reference; enable and
 * disable build the new table, write it to storage first and only then
 * swap it in, under the write lock, so a table that failed to reach
 * storage never served a request.
 */
#include "mounts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "engine_int.h"

#define TABLE_PATH     "sys/mounts"
#define TABLE_MAX_TEXT (256u << 10)

struct mount_table {
    struct ward_engine *eng;
    pthread_rwlock_t lock;  /* guards n and m */
    pthread_mutex_t writer; /* serialises enable, disable and the first load */
    atomic_bool loaded;     /* the stored table (or its absence) has been read */
    size_t n;
    struct mount *m[MOUNT_MAX];
};

/* ---- kinds ---- */

static ward_err kv_open(void **state, struct ward_engine *e, const struct mount *m)
{
    return ward_kv_new((struct ward_kv **)state, e->barrier, m->storage_id);
}

static void kv_close(void *state)
{
    ward_kv_free(state);
}

static void kv_flush(void *state)
{
    ward_kv_flush(state);
}

static ward_err transit_open(void **state, struct ward_engine *e, const struct mount *m)
{
    return ward_keys_new((struct ward_keys **)state, e->barrier, m->storage_id, &e->cfg.keys);
}

static void transit_close(void *state)
{
    ward_keys_free(state);
}

static void transit_flush(void *state)
{
    ward_keys_flush(state);
}

/* erase_prefix deletes every entry under "<area>/<storage id>/". */
static ward_err erase_prefix(struct ward_engine *e, const char *area, const struct mount *m)
{
    struct ward_store_list l = { 0 };
    char prefix[MOUNT_STORAGE_ID + 32];
    ward_err err;

    if (!mount_storage_path(prefix, sizeof(prefix), area, m, "")) {
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

static ward_err kv_erase(void *state, struct ward_engine *e, const struct mount *m)
{
    (void)state;
    return erase_prefix(e, "kv", m);
}

static ward_err transit_erase(void *state, struct ward_engine *e, const struct mount *m)
{
    (void)state;
    return erase_prefix(e, "transit", m);
}

static ward_err none_open(void **state, struct ward_engine *e, const struct mount *m)
{
    (void)e;
    (void)m;
    *state = NULL;
    return WARD_OK;
}

static void none_close(void *state)
{
    (void)state;
}

const struct mount_kind g_mount_kv = {
    "kv", "secret/", false, kv_open, kv_close, kv_flush, kv_erase
};
const struct mount_kind g_mount_transit = { "transit",    "transit/",    false,
                                            transit_open, transit_close, transit_flush,
                                            transit_erase };
const struct mount_kind g_mount_token = { "token",    "auth/token/", true, none_open,
                                          none_close, NULL,          NULL };

static const struct mount_kind *const g_kinds[] = {
    &g_mount_kv,     &g_mount_transit, &g_mount_token,   &g_mount_userpass,
    &g_mount_radius, &g_mount_cert,    &g_mount_approle, &g_mount_ldap,
};

const struct mount_kind *mount_kind_find(const char *type)
{
    if (strcmp(type, "kv-v2") == 0) {
        return &g_mount_kv;
    }
    for (size_t i = 0; i < sizeof(g_kinds) / sizeof(g_kinds[0]); i++) {
        if (strcmp(g_kinds[i]->type, type) == 0) {
            return g_kinds[i];
        }
    }
    return NULL;
}

bool mount_canonical(const char *path)
{
    for (size_t i = 0; i < sizeof(g_kinds) / sizeof(g_kinds[0]); i++) {
        if (strncmp(path, g_kinds[i]->canon, strlen(g_kinds[i]->canon)) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- mounts ---- */

bool mount_storage_path(char *out, size_t cap, const char *prefix, const struct mount *m,
                        const char *rest)
{
    int w = snprintf(out, cap, "%s/%s/%s", prefix, m->storage_id, rest);

    return w >= 0 && (size_t)w < cap;
}

static void mount_free(struct mount *m)
{
    if (m->gone && m->kind->erase != NULL) {
        ward_err err = m->kind->erase(m->state, m->eng, m);

        if (err != WARD_OK) {
            ward_log(WARD_LOG_ERROR, "mounts: erasing the data of disabled mount %s: %s",
                     m->storage_id, ward_err_name(err));
        }
    }
    m->kind->close(m->state);
    ward_free(m);
}

/* What a mount is made of: from an enable, the stored table or the built-ins. */
struct mount_spec {
    const struct mount_kind *kind;
    const char *path;
    const char *storage_id; /* NULL: a fresh random one */
    const char *accessor;   /* NULL: a fresh random one */
    const char *description;
    int64_t created_ms;
};

/* new_mount makes an unpublished mount of sp (one reference: the table's). */
static ward_err new_mount(struct mount **out, struct ward_engine *e, const struct mount_spec *sp)
{
    const struct mount_kind *kind = sp->kind;
    const char *path = sp->path;
    const char *storage_id = sp->storage_id;
    const char *accessor = sp->accessor;
    const char *description = sp->description;
    uint8_t rnd[12];
    char hex[25];
    struct mount *m;
    ward_err err;

    *out = NULL;
    if (strlen(path) > MOUNT_PATH_MAX || strlen(description) > MOUNT_DESC_MAX ||
        (storage_id != NULL && strlen(storage_id) > MOUNT_STORAGE_ID) ||
        (accessor != NULL && strlen(accessor) >= sizeof(m->accessor))) {
        return WARD_E_INVALID;
    }
    if ((m = ward_calloc(1, sizeof(*m))) == NULL) {
        return WARD_E_NOMEM;
    }
    if (storage_id == NULL || accessor == NULL) {
        if ((err = ward_crypto_random(rnd, sizeof(rnd))) != WARD_OK) {
            ward_free(m);
            return err;
        }
        for (size_t i = 0; i < sizeof(rnd); i++) {
            (void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        }
    }
    atomic_init(&m->refs, 1);
    m->kind = kind;
    m->eng = e;
    m->created_ms = sp->created_ms;
    (void)snprintf(m->path, sizeof(m->path), "%s", path);
    (void)snprintf(m->description, sizeof(m->description), "%s", description);
    if (storage_id != NULL) {
        (void)snprintf(m->storage_id, sizeof(m->storage_id), "%s", storage_id);
    } else {
        (void)snprintf(m->storage_id, sizeof(m->storage_id), "m%.16s", hex);
    }
    if (accessor != NULL) {
        (void)snprintf(m->accessor, sizeof(m->accessor), "%s", accessor);
    } else {
        (void)snprintf(m->accessor, sizeof(m->accessor), "%s_%.8s", kind->type, hex + 16);
    }
    if ((err = kind->open(&m->state, e, m)) != WARD_OK) {
        ward_free(m);
        return err;
    }
    *out = m;
    return WARD_OK;
}

static void mount_ref(struct mount *m)
{
    atomic_fetch_add(&m->refs, 1);
}

void mount_unref(struct mount *m)
{
    if (m != NULL && atomic_fetch_sub(&m->refs, 1) == 1) {
        mount_free(m);
    }
}

/* ---- the table ---- */

static int by_length(const void *a, const void *b)
{
    size_t la = strlen((*(struct mount *const *)a)->path);
    size_t lb = strlen((*(struct mount *const *)b)->path);

    return la < lb ? 1 : la > lb ? -1 : 0;
}

static const struct {
    const struct mount_kind *kind;
    const char *path;
    const char *storage_id;
    const char *description;
} g_builtin[] = {
    { &g_mount_kv, "secret/", "secret", "key/value secret storage" },
    { &g_mount_transit, "transit/", "transit", "transit keys and cryptography" },
    { &g_mount_token, "auth/token/", "token", "token based credentials" },
};

ward_err mount_table_new(struct mount_table **out, struct ward_engine *e)
{
    struct mount_table *t;
    ward_err err = WARD_OK;

    *out = NULL;
    if ((t = ward_calloc(1, sizeof(*t))) == NULL) {
        return WARD_E_NOMEM;
    }
    t->eng = e;
    (void)pthread_rwlock_init(&t->lock, NULL);
    (void)pthread_mutex_init(&t->writer, NULL);
    atomic_init(&t->loaded, false);
    for (size_t i = 0; i < sizeof(g_builtin) / sizeof(g_builtin[0]) && err == WARD_OK; i++) {
        char acc[32];

        (void)snprintf(acc, sizeof(acc), "%s_builtin", g_builtin[i].kind->type);
        struct mount_spec sp = { g_builtin[i].kind,        g_builtin[i].path,
                                 g_builtin[i].storage_id,  acc,
                                 g_builtin[i].description, 0 };

        err = new_mount(&t->m[t->n], e, &sp);
        t->n += err == WARD_OK;
    }
    qsort(t->m, t->n, sizeof(struct mount *), by_length);
    if (err != WARD_OK) {
        mount_table_free(t);
        return err;
    }
    *out = t;
    return WARD_OK;
}

void mount_table_free(struct mount_table *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        mount_unref(t->m[i]);
    }
    (void)pthread_rwlock_destroy(&t->lock);
    (void)pthread_mutex_destroy(&t->writer);
    ward_free(t);
}

void mount_table_flush(struct mount_table *t)
{
    (void)pthread_rwlock_rdlock(&t->lock);
    for (size_t i = 0; i < t->n; i++) {
        if (t->m[i]->kind->flush != NULL) {
            t->m[i]->kind->flush(t->m[i]->state);
        }
    }
    (void)pthread_rwlock_unlock(&t->lock);
}

/*
 * encode writes the table of ms as the stored JSON text:
 * {"v":1,"mounts":[{"path","type","storage","accessor","description","created_ms"}]}
 */
static ward_err encode(struct ward_buf *out, struct mount *const *ms, size_t n)
{
    json_t *arr = json_array();
    json_t *doc = json_pack("{s:i, s:o}", "v", 1, "mounts", arr);
    char *text;
    ward_err err = doc != NULL ? WARD_OK : WARD_E_NOMEM;

    for (size_t i = 0; i < n && err == WARD_OK; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "path", ms[i]->path, "type",
                              ms[i]->kind->type, "storage", ms[i]->storage_id, "accessor",
                              ms[i]->accessor, "description", ms[i]->description, "created_ms",
                              (json_int_t)ms[i]->created_ms);

        err = o != NULL && json_array_append_new(arr, o) == 0 ? WARD_OK : WARD_E_NOMEM;
    }
    if (err == WARD_OK) {
        json_free_t release = NULL;

        json_get_alloc_funcs(NULL, &release);
        text = json_dumps(doc, JSON_COMPACT);
        err = text == NULL ? WARD_E_NOMEM : ward_buf_append(out, text, strlen(text));
        if (text != NULL) {
            release(text);
        }
    }
    json_decref(doc);
    return err;
}

/* find_in returns the mount of ms whose path and storage match o's, or NULL. */
static struct mount *find_in(struct mount *const *ms, size_t n, const char *path,
                             const char *storage)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ms[i]->path, path) == 0 && strcmp(ms[i]->storage_id, storage) == 0) {
            return ms[i];
        }
    }
    return NULL;
}

/*
 * decode builds the mounts of a stored table into ms (references owned by
 * the caller), reusing the mounts of the current table that match.
 */
static ward_err decode(struct mount_table *t, const struct ward_buf *text, struct mount **ms,
                       size_t *n)
{
    json_t *doc = json_loadb((const char *)text->data, text->len, 0, NULL);
    json_t *arr = json_object_get(doc, "mounts");
    ward_err err =
        json_is_array(arr) && json_array_size(arr) <= MOUNT_MAX ? WARD_OK : WARD_E_BAD_ENCODING;
    size_t i;
    json_t *o;

    *n = 0;
    json_array_foreach(arr, i, o)
    {
        const char *path = json_string_value(json_object_get(o, "path"));
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *storage = json_string_value(json_object_get(o, "storage"));
        const char *acc = json_string_value(json_object_get(o, "accessor"));
        const char *desc = json_string_value(json_object_get(o, "description"));
        const struct mount_kind *kind = type != NULL ? mount_kind_find(type) : NULL;
        struct mount *old;

        if (err != WARD_OK) {
            break;
        }
        if (path == NULL || storage == NULL || acc == NULL || desc == NULL || kind == NULL) {
            /* a kind this build lacks: refuse to run with part of the table */
            err = WARD_E_BAD_ENCODING;
            break;
        }
        if ((old = find_in(t->m, t->n, path, storage)) != NULL) {
            mount_ref(old);
            ms[(*n)++] = old;
        } else {
            struct mount_spec sp = {
                kind, path, storage, acc, desc, json_integer_value(json_object_get(o, "created_ms"))
            };

            if ((err = new_mount(&ms[*n], t->eng, &sp)) == WARD_OK) {
                (*n)++;
            }
        }
    }
    json_decref(doc);
    if (err != WARD_OK) {
        for (size_t k = 0; k < *n; k++) {
            mount_unref(ms[k]);
        }
        *n = 0;
    }
    return err;
}

/* publish swaps ms (n references, sorted here) in for the current table. */
static void publish(struct mount_table *t, struct mount **ms, size_t n)
{
    struct mount *old[MOUNT_MAX];
    size_t num_old;

    qsort(ms, n, sizeof(struct mount *), by_length);
    (void)pthread_rwlock_wrlock(&t->lock);
    num_old = t->n;
    memcpy(old, t->m, num_old * sizeof(struct mount *));
    memcpy(t->m, ms, n * sizeof(struct mount *));
    t->n = n;
    (void)pthread_rwlock_unlock(&t->lock);
    for (size_t i = 0; i < num_old; i++) {
        mount_unref(old[i]);
    }
}

/* load reads the stored table once the barrier is unsealed (writer held). */
static void load(struct mount_table *t)
{
    struct ward_seal_status st;
    struct mount *ms[MOUNT_MAX];
    struct ward_buf text;
    size_t n = 0;
    ward_err err;

    if (atomic_load(&t->loaded) || ward_barrier_status(t->eng->barrier, &st) != WARD_OK ||
        !st.initialized || st.sealed) {
        return;
    }
    ward_buf_init(&text, TABLE_MAX_TEXT);
    err = ward_barrier_get(t->eng->barrier, &text, TABLE_PATH);
    if (err == WARD_OK && (err = decode(t, &text, ms, &n)) == WARD_OK) {
        publish(t, ms, n);
    }
    ward_buf_cleanup(&text);
    if (err == WARD_OK || err == WARD_E_NOT_FOUND) {
        atomic_store(&t->loaded, true); /* absent: the built-in table stands */
    } else {
        ward_log(WARD_LOG_ERROR, "mounts: cannot read the mount table: %s", ward_err_name(err));
    }
}

static void ensure_loaded(struct mount_table *t)
{
    if (!atomic_load_explicit(&t->loaded, memory_order_acquire)) {
        (void)pthread_mutex_lock(&t->writer);
        load(t);
        (void)pthread_mutex_unlock(&t->writer);
    }
}

/* prefix_of: m's path prefixes path at a segment boundary (or is path plus '/'). */
static bool prefix_of(const struct mount *m, const char *path, const char **rest)
{
    size_t n = strlen(m->path);

    if (strncmp(path, m->path, n) == 0) {
        *rest = path + n;
        return true;
    }
    if (strncmp(path, m->path, n - 1) == 0 && path[n - 1] == '\0') {
        *rest = path + n - 1;
        return true;
    }
    return false;
}

struct mount *mount_lookup(struct mount_table *t, const char *path, const char **out_rest)
{
    struct mount *found = NULL;

    ensure_loaded(t);
    (void)pthread_rwlock_rdlock(&t->lock);
    for (size_t i = 0; i < t->n && found == NULL; i++) {
        if (prefix_of(t->m[i], path, out_rest)) {
            found = t->m[i];
            mount_ref(found);
        }
    }
    (void)pthread_rwlock_unlock(&t->lock);
    return found;
}

struct mount *mount_find_kind(struct mount_table *t, const struct mount_kind *kind, size_t n)
{
    struct mount *found = NULL;

    ensure_loaded(t);
    (void)pthread_rwlock_rdlock(&t->lock);
    for (size_t i = 0; i < t->n && found == NULL; i++) {
        if (t->m[i]->kind == kind && n-- == 0) {
            found = t->m[i];
            mount_ref(found);
        }
    }
    (void)pthread_rwlock_unlock(&t->lock);
    return found;
}

/* path_ok: '/'-separated segments of [A-Za-z0-9_.-], none "." or "..", ending in '/'. */
static bool path_ok(const char *p)
{
    size_t seg = 0;

    if (*p == '\0') {
        return false;
    }
    for (; *p != '\0'; p++) {
        char ch = *p;

        if (ch == '/') {
            if (seg == 0 || (seg == 1 && p[-1] == '.') ||
                (seg == 2 && p[-1] == '.' && p[-2] == '.')) {
                return false;
            }
            seg = 0;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.')) {
            return false;
        }
        seg++;
    }
    return seg == 0;
}

/* reserved: paths no secrets engine may take (Ward's own and Vault's). */
static bool reserved(const char *path, bool auth)
{
    static const char *const names[] = {
        "sys/", "ward/", "do/", "identity/", "cubbyhole/", "auth/"
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strncmp(path, names[i], strlen(names[i])) == 0) {
            return !(auth && strcmp(names[i], "auth/") == 0);
        }
    }
    return false;
}

/* write_table stores ms as the table (before it is published). */
static ward_err write_table(struct mount_table *t, struct mount *const *ms, size_t n)
{
    struct ward_buf text;
    ward_err err;

    ward_buf_init(&text, TABLE_MAX_TEXT);
    if ((err = encode(&text, ms, n)) == WARD_OK) {
        err = ward_barrier_put(t->eng->barrier, TABLE_PATH, text.data, text.len);
    }
    ward_buf_cleanup(&text);
    return err;
}

/* snapshot copies the current table with a reference on each mount (writer held). */
static size_t snapshot(struct mount_table *t, struct mount **ms)
{
    size_t n;

    (void)pthread_rwlock_rdlock(&t->lock);
    n = t->n;
    for (size_t i = 0; i < n; i++) {
        ms[i] = t->m[i];
        mount_ref(ms[i]);
    }
    (void)pthread_rwlock_unlock(&t->lock);
    return n;
}

static void drop_all(struct mount **ms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mount_unref(ms[i]);
    }
}

ward_err mount_enable(struct mount_table *t, const struct mount_kind *kind, const char *path,
                      const char *description)
{
    char full[MOUNT_PATH_MAX + 8];
    struct mount_spec sp = { kind, full, NULL, NULL, description, 0 };
    struct mount *ms[MOUNT_MAX];
    size_t n;
    int w;
    ward_err err = WARD_OK;

    w = snprintf(full, sizeof(full), "%s%s%s", kind->auth ? "auth/" : "", path,
                 path[0] != '\0' && path[strlen(path) - 1] == '/' ? "" : "/");
    if (w < 0 || (size_t)w > MOUNT_PATH_MAX || !path_ok(full) || reserved(full, kind->auth) ||
        kind == &g_mount_token) {
        return WARD_E_INVALID;
    }
    (void)pthread_mutex_lock(&t->writer);
    load(t);
    n = snapshot(t, ms);
    for (size_t i = 0; i < n && err == WARD_OK; i++) {
        size_t a = strlen(ms[i]->path);
        size_t b = strlen(full);

        if (strcmp(ms[i]->path, full) == 0) {
            err = WARD_E_EXISTS;
        } else if (strncmp(ms[i]->path, full, a < b ? a : b) == 0) {
            err = WARD_E_INVALID; /* one would hide part of the other */
        }
    }
    if (err == WARD_OK && n == MOUNT_MAX) {
        err = WARD_E_INVALID;
    }
    sp.created_ms = ward_time_now_ms();
    if (err == WARD_OK && (err = new_mount(&ms[n], t->eng, &sp)) == WARD_OK) {
        n++;
        if ((err = write_table(t, ms, n)) == WARD_OK) {
            publish(t, ms, n);
            atomic_store(&t->loaded, true);
            n = 0;
        }
    }
    drop_all(ms, n);
    (void)pthread_mutex_unlock(&t->writer);
    return err;
}

/*
 * revoke_issued revokes every token an auth mount issued (login.c lists
 * them under "auth/<storage id>/tokens/"), as Vault logs out the users of
 * a disabled auth method. Best effort per token: one that cannot be
 * revoked is logged and the rest still go.
 */
static void revoke_issued(struct ward_engine *e, const struct mount *m)
{
    struct ward_store_list l = { 0 };
    char prefix[MOUNT_STORAGE_ID + 32];
    int64_t now = ward_time_now_ms();
    size_t revoked = 0;

    if (!mount_storage_path(prefix, sizeof(prefix), "auth", m, "tokens/") ||
        ward_barrier_list(e->barrier, &l, prefix) != WARD_OK) {
        ward_log(WARD_LOG_ERROR, "mounts: cannot list the tokens of %s", m->storage_id);
        return;
    }
    for (size_t i = 0; i < l.num; i++) {
        struct ward_token_info info;
        uint8_t acc[WARD_TOKEN_ID_LEN];
        struct ward_buf meta;
        ward_err err = WARD_E_INVALID;

        ward_buf_init(&meta, 1u << 17);
        if (ward_accessor_parse(acc, l.paths[i] + strlen(prefix)) &&
            (err = ward_auth_lookup_accessor(e->auth, &info, &meta, acc, now)) == WARD_OK) {
            err = ward_auth_revoke(e->auth, &info, now);
            revoked += err == WARD_OK;
        }
        ward_buf_cleanup(&meta);
        if (err != WARD_OK && err != WARD_E_NOT_FOUND) { /* not found: expired or revoked */
            ward_log(WARD_LOG_ERROR, "mounts: cannot revoke a token of %s: %s", m->storage_id,
                     ward_err_name(err));
        }
    }
    ward_store_list_cleanup(&l);
    ward_log(WARD_LOG_INFO, "mounts: disabled %s, revoked %zu tokens it issued", m->path, revoked);
}

ward_err mount_disable(struct mount_table *t, const char *path)
{
    char full[MOUNT_PATH_MAX + 2];
    struct mount *ms[MOUNT_MAX];
    struct mount *victim = NULL;
    size_t n;
    size_t k = 0;
    ward_err err = WARD_OK;
    int w = snprintf(full, sizeof(full), "%s%s", path,
                     path[0] != '\0' && path[strlen(path) - 1] == '/' ? "" : "/");

    if (w < 0 || (size_t)w >= sizeof(full)) {
        return WARD_E_NOT_FOUND;
    }
    (void)pthread_mutex_lock(&t->writer);
    load(t);
    n = snapshot(t, ms);
    for (size_t i = 0; i < n; i++) {
        if (victim == NULL && strcmp(ms[i]->path, full) == 0) {
            victim = ms[i];
        } else {
            ms[k++] = ms[i];
        }
    }
    if (victim == NULL) {
        err = WARD_E_NOT_FOUND;
    } else if (victim->kind == &g_mount_token) {
        err = WARD_E_INVALID;
    } else if ((err = write_table(t, ms, k)) == WARD_OK) {
        victim->gone = true; /* erased when its last request ends */
        publish(t, ms, k);
        atomic_store(&t->loaded, true);
        k = 0;
        if (victim->kind->auth) {
            revoke_issued(t->eng, victim);
        }
    }
    drop_all(ms, k);
    mount_unref(victim);
    (void)pthread_mutex_unlock(&t->writer);
    return err;
}

json_t *mount_json(const struct mount *m)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:{s:i, s:i, s:b}}", "type",
                          m->kind->type, "description", m->description, "accessor", m->accessor,
                          "local", 0, "seal_wrap", 0, "external_entropy_access", 0, "config",
                          "default_lease_ttl", 0, "max_lease_ttl", 0, "force_no_cache", 0);

    if (o != NULL && m->kind == &g_mount_kv) {
        (void)json_object_set_new(o, "options", json_pack("{s:s}", "version", "2"));
    } else if (o != NULL) {
        (void)json_object_set_new(o, "options", json_null());
    }
    if (o != NULL) {
        (void)json_object_set_new(o, "uuid", json_string(m->storage_id));
    }
    return o;
}

json_t *mount_list(struct mount_table *t, bool auth)
{
    json_t *out = json_object();

    ensure_loaded(t);
    (void)pthread_rwlock_rdlock(&t->lock);
    for (size_t i = 0; out != NULL && i < t->n; i++) {
        const struct mount *m = t->m[i];

        if (m->kind->auth == auth) {
            const char *key = auth ? m->path + 5 : m->path; /* sys/auth lists "ldap-dir1/" */

            if (json_object_set_new(out, key, mount_json(m)) != 0) {
                json_decref(out);
                out = NULL;
            }
        }
    }
    (void)pthread_rwlock_unlock(&t->lock);
    return out;
}
