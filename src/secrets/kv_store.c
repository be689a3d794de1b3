/*
 * kv_store.c - KV storage: hidden names, transactions and directory entries.
 *
 * Storage paths under the barrier, for mount M (docs/storage-format.md):
 *   kv/M/key             32-byte mount key (HMAC-SHA-256 key for names)
 *   kv/M/config          mount configuration
 *   kv/M/m/<id>          metadata of the secret whose id is hex(HMAC(key, path))
 *   kv/M/v/<id>/<n>      value of version n of that secret
 *   kv/M/d/<did>         names directly under folder F, did = hex(HMAC(key, F "/"))
 * A secret path never ends in '/', so ids and dir ids never collide.
 * SECURITY: the backend sees ids, version numbers and sizes, never a name.
 */
#include "kv_store.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/mem.h"
#include "crypto/crypto.h"

#define KV_KEY_LEN 32

void kv_txn_cleanup(struct kv_txn *t)
{
    for (size_t i = 0; i < t->num; i++) {
        ward_free(t->paths[i]);
        ward_buf_cleanup(&t->vals[i]);
    }
    ward_free(t->ops);
    ward_free(t->paths);
    ward_free(t->vals);
    memset(t, 0, sizeof(*t));
}

/* txn_grow makes room for one more op. */
static ward_err txn_grow(struct kv_txn *t)
{
    size_t cap = t->cap == 0 ? 8 : t->cap * 2;
    void *p;

    if (t->num < t->cap) {
        return WARD_OK;
    }
    if ((p = ward_realloc(t->ops, cap * sizeof(*t->ops))) == NULL) {
        return WARD_E_NOMEM;
    }
    t->ops = p;
    if ((p = ward_realloc(t->paths, cap * sizeof(*t->paths))) == NULL) {
        return WARD_E_NOMEM;
    }
    t->paths = p;
    if ((p = ward_realloc(t->vals, cap * sizeof(*t->vals))) == NULL) {
        return WARD_E_NOMEM;
    }
    t->vals = p;
    t->cap = cap;
    return WARD_OK;
}

ward_err kv_txn_add(struct kv_txn *t, struct ward_buf **out_val, enum ward_store_op_kind kind,
                    const char *path)
{
    ward_err err;
    size_t i = t->num;

    if ((err = txn_grow(t)) != WARD_OK) {
        return err;
    }
    if ((t->paths[i] = ward_strdup(path)) == NULL) {
        return WARD_E_NOMEM;
    }
    ward_buf_init(&t->vals[i], WARD_MAX_ENTRY_VALUE);
    t->ops[i] = (struct ward_store_op){ .kind = kind, .path = t->paths[i] };
    t->num++;
    if (out_val != NULL) {
        *out_val = &t->vals[i];
    }
    return WARD_OK;
}

ward_err kv_txn_commit(struct ward_barrier *b, struct kv_txn *t)
{
    for (size_t i = 0; i < t->num; i++) {
        t->ops[i].value = t->vals[i].data;
        t->ops[i].value_len = t->vals[i].len;
    }
    return t->num == 0 ? WARD_OK : ward_barrier_txn(b, t->ops, t->num);
}

ward_err kv_load_key(struct kv_names *n, struct ward_barrier *b, const char *mount)
{
    char path[96];

    (void)snprintf(path, sizeof(path), "kv/%s/key", mount);
    (void)snprintf(n->mount, sizeof(n->mount), "%s", mount);
    return ward_barrier_random_entry(b, n->key, sizeof(n->key), path);
}

void kv_names_cleanup(struct kv_names *n)
{
    OPENSSL_cleanse(n->key, sizeof(n->key));
}

/* make_id writes hex(HMAC(key, name [+ "/"])) into id. */
static ward_err make_id(const struct kv_names *n, char id[KV_ID_LEN + 1], const char *name,
                        bool folder)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t in[WARD_KV_MAX_PATH + 2];
    uint8_t mac[WARD_SHA256_LEN];
    size_t len = strlen(name);
    ward_err err;

    if (len > WARD_KV_MAX_PATH) {
        return WARD_E_BAD_PATH;
    }
    memcpy(in, name, len + 1);
    if (folder) {
        in[len++] = '/';
    }
    if ((err = ward_hmac_sha256(mac, n->key, sizeof(n->key), in, len)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < sizeof(mac); i++) {
        id[2 * i] = digits[mac[i] >> 4];
        id[2 * i + 1] = digits[mac[i] & 15];
    }
    id[KV_ID_LEN] = '\0';
    return WARD_OK;
}

ward_err kv_path_meta(const struct kv_names *n, char *out, size_t out_cap, const char *path)
{
    char id[KV_ID_LEN + 1];
    ward_err err;

    if ((err = make_id(n, id, path, false)) != WARD_OK) {
        return err;
    }
    (void)snprintf(out, out_cap, "kv/%s/m/%s", n->mount, id);
    return WARD_OK;
}

ward_err kv_path_value(const struct kv_names *n, char *out, size_t out_cap, const char *path,
                       uint64_t version)
{
    char id[KV_ID_LEN + 1];
    ward_err err;

    if ((err = make_id(n, id, path, false)) != WARD_OK) {
        return err;
    }
    (void)snprintf(out, out_cap, "kv/%s/v/%s/%llu", n->mount, id, (unsigned long long)version);
    return WARD_OK;
}

ward_err kv_path_dir(const struct kv_names *n, char *out, size_t out_cap, const char *dir)
{
    char id[KV_ID_LEN + 1];
    ward_err err;

    if ((err = make_id(n, id, dir, true)) != WARD_OK) {
        return err;
    }
    (void)snprintf(out, out_cap, "kv/%s/d/%s", n->mount, id);
    return WARD_OK;
}

ward_err kv_dir_load(struct ward_barrier *b, const struct kv_names *n, struct kv_dir *out,
                     const char *dir)
{
    char spath[KV_SPATH];
    struct ward_buf buf;
    ward_err err;

    memset(out, 0, sizeof(*out));
    (void)snprintf(out->path, sizeof(out->path), "%s", dir);
    if ((err = kv_path_dir(n, spath, sizeof(spath), dir)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
    if ((err = ward_barrier_get(b, &buf, spath)) == WARD_OK) {
        err = kv_dir_decode(out, buf.data, buf.len);
    }
    ward_buf_cleanup(&buf);
    return err;
}

/* split cuts path at its last '/': dir gets the folder ("" = root), name the rest. */
static void split(char dir[WARD_KV_MAX_PATH + 1], const char **name, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash != NULL ? (size_t)(slash - path) : 0;

    memcpy(dir, path, n);
    dir[n] = '\0';
    *name = slash != NULL ? slash + 1 : path;
}

/* dir_write adds a PUT (names left) or DELETE (empty) of d to t. */
static ward_err dir_write(struct kv_txn *t, const struct kv_names *n, const struct kv_dir *d)
{
    char spath[KV_SPATH];
    struct ward_buf *val;
    ward_err err;

    if ((err = kv_path_dir(n, spath, sizeof(spath), d->path)) != WARD_OK) {
        return err;
    }
    if (d->names.num == 0) {
        return kv_txn_add(t, NULL, WARD_STORE_DELETE, spath);
    }
    if ((err = kv_txn_add(t, &val, WARD_STORE_PUT, spath)) != WARD_OK) {
        return err;
    }
    return kv_dir_encode(val, d);
}

/*
 * dir_step updates folder dir for name (added or removed) and says whether
 * the walk up stops here: adding stops below a folder that already existed,
 * removing stops at a folder that keeps other names.
 */
struct dir_walk {
    bool add;  /* adding a name (else removing one) */
    bool stop; /* set by dir_step: no folder above changes */
};

static ward_err dir_step(struct kv_txn *t, struct ward_barrier *b, const struct kv_names *n,
                         const char *dir, const char *name, struct dir_walk *w)
{
    struct kv_dir d;
    ward_err err = kv_dir_load(b, n, &d, dir);

    if (err == WARD_E_NOT_FOUND) {
        err = WARD_OK;
    }
    if (err == WARD_OK && w->add) {
        w->stop = d.names.num > 0;
        err = kv_list_add(&d.names, name);
    } else if (err == WARD_OK) {
        w->stop = !kv_list_remove(&d.names, name) || d.names.num > 0;
    }
    if (err == WARD_OK) {
        err = dir_write(t, n, &d);
    }
    ward_kv_list_cleanup(&d.names);
    return err;
}

ward_err kv_dir_update(struct kv_txn *t, struct ward_barrier *b, const struct kv_names *n,
                       const char *path, bool add)
{
    char cur[WARD_KV_MAX_PATH + 2];
    char name[WARD_KV_MAX_PATH + 4];
    char dir[WARD_KV_MAX_PATH + 1];
    const char *leaf;
    struct dir_walk w = { .add = add, .stop = false };
    ward_err err = WARD_OK;

    (void)snprintf(cur, sizeof(cur), "%s", path);
    while (!w.stop && err == WARD_OK) {
        split(dir, &leaf, cur);
        /* the secret's own name first, then each folder's name with its '/' */
        (void)snprintf(name, sizeof(name), "%s%s", leaf, strcmp(cur, path) == 0 ? "" : "/");
        err = dir_step(t, b, n, dir, name, &w);
        w.stop = w.stop || dir[0] == '\0';
        (void)snprintf(cur, sizeof(cur), "%s", dir);
    }
    return err;
}
