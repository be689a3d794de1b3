/*
 * kv.c - KV v2 operations: versions, check-and-set, soft delete, destroy,
 * metadata, config and list, each one barrier transaction under the mount
 * lock (see kv.h for the invariants, kv_store.c for where entries live).
 *
 * THREADS: mu serialises every operation on the mount, so the read of the
 * metadata and the transaction that replaces it see no other writer.
 */
#include "kv.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "kv_store.h"

struct ward_kv {
    struct ward_barrier *b; /* borrowed */
    char mount[48];
    pthread_rwlock_t rw;          /* reads share it, writes (read-modify-write) hold it alone */
    pthread_mutex_t key_mu;       /* guards name_key */
    struct ward_secret *name_key; /* the mount's name key once read; NULL after a seal */
};

/*
 * load_names fills n with the mount's name key: read from the barrier
 * once, then kept in locked memory until ward_kv_flush (seal), so a read
 * costs no extra storage read for it.
 */
static ward_err load_names(struct ward_kv *kv, struct kv_names *n)
{
    ward_err err = WARD_OK;

    (void)pthread_mutex_lock(&kv->key_mu);
    if (kv->name_key != NULL) {
        memcpy(n->key, kv->name_key->data, sizeof(n->key));
        (void)snprintf(n->mount, sizeof(n->mount), "%s", kv->mount);
    } else if ((err = kv_load_key(n, kv->b, kv->mount)) == WARD_OK) {
        err = ward_secret_new_copy(&kv->name_key, n->key, sizeof(n->key));
    }
    (void)pthread_mutex_unlock(&kv->key_mu);
    return err;
}

void ward_kv_flush(struct ward_kv *kv)
{
    (void)pthread_mutex_lock(&kv->key_mu);
    ward_secret_free(kv->name_key);
    kv->name_key = NULL;
    (void)pthread_mutex_unlock(&kv->key_mu);
}

/* One operation's loaded state. */
struct kv_op {
    struct ward_kv *kv;
    struct kv_names names;
    struct ward_kv_meta meta;
    bool exists;
    char mpath[KV_SPATH];
    struct kv_txn txn;
};

ward_err ward_kv_new(struct ward_kv **out, struct ward_barrier *b, const char *mount)
{
    pthread_rwlockattr_t attr;
    struct ward_kv *kv;

    *out = NULL;
    if (mount[0] == '\0' || strlen(mount) >= sizeof(kv->mount) || strchr(mount, '/') != NULL) {
        return WARD_E_INVALID;
    }
    if ((kv = ward_calloc(1, sizeof(*kv))) == NULL) {
        return WARD_E_NOMEM;
    }
    kv->b = b;
    (void)snprintf(kv->mount, sizeof(kv->mount), "%s", mount);
    /* writers first: a stream of reads must not starve a write (glibc prefers readers) */
    if (pthread_rwlockattr_init(&attr) != 0 ||
        pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) != 0 ||
        pthread_rwlock_init(&kv->rw, &attr) != 0) {
        ward_free(kv);
        return WARD_E_SYS;
    }
    (void)pthread_rwlockattr_destroy(&attr);
    if (pthread_mutex_init(&kv->key_mu, NULL) != 0) {
        (void)pthread_rwlock_destroy(&kv->rw);
        ward_free(kv);
        return WARD_E_SYS;
    }
    *out = kv;
    return WARD_OK;
}

void ward_kv_free(struct ward_kv *kv)
{
    if (kv != NULL) {
        ward_secret_free(kv->name_key);
        (void)pthread_rwlock_destroy(&kv->rw);
        (void)pthread_mutex_destroy(&kv->key_mu);
        ward_free(kv);
    }
}

void ward_kv_meta_cleanup(struct ward_kv_meta *m)
{
    ward_buf_cleanup(&m->custom);
    ward_free(m->versions);
    m->versions = NULL;
    m->num_versions = 0;
}

static void meta_init(struct ward_kv_meta *m)
{
    memset(m, 0, sizeof(*m));
    ward_buf_init(&m->custom, WARD_KV_MAX_CUSTOM);
}

/* path_ok: a secret path is non-empty and has no trailing '/'. */
static bool path_ok(const char *path)
{
    size_t n = strlen(path);

    return n > 0 && n <= WARD_KV_MAX_PATH && path[n - 1] != '/' && path[0] != '/';
}

/*
 * op_begin locks the mount (shared for a read, alone for a write: a write
 * reads, changes and writes the metadata and directories) and loads path's
 * metadata (exists = found).
 */
static ward_err op_begin(struct kv_op *o, struct ward_kv *kv, const char *path, bool write)
{
    struct ward_buf buf;
    ward_err err;

    memset(o, 0, sizeof(*o));
    o->kv = kv;
    meta_init(&o->meta);
    if (write) {
        (void)pthread_rwlock_wrlock(&kv->rw);
    } else {
        (void)pthread_rwlock_rdlock(&kv->rw);
    }
    if (!path_ok(path)) {
        return WARD_E_BAD_PATH;
    }
    if ((err = load_names(kv, &o->names)) != WARD_OK ||
        (err = kv_path_meta(&o->names, o->mpath, sizeof(o->mpath), path)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
    err = ward_barrier_get(kv->b, &buf, o->mpath);
    if (err == WARD_OK) {
        err = kv_meta_decode(&o->meta, buf.data, buf.len);
        /* SECURITY: the entry must name the path its id was derived from */
        if (err == WARD_OK && strcmp(o->meta.path, path) != 0) {
            err = WARD_E_INTEGRITY;
        }
        o->exists = err == WARD_OK;
    } else if (err == WARD_E_NOT_FOUND) {
        (void)snprintf(o->meta.path, sizeof(o->meta.path), "%s", path);
        err = WARD_OK;
    }
    ward_buf_cleanup(&buf);
    return err;
}

static void op_end(struct kv_op *o)
{
    kv_txn_cleanup(&o->txn);
    ward_kv_meta_cleanup(&o->meta);
    kv_names_cleanup(&o->names);
    (void)pthread_rwlock_unlock(&o->kv->rw);
}

/* put_meta adds the PUT of o->meta to the txn. */
static ward_err put_meta(struct kv_op *o)
{
    struct ward_buf *val;
    ward_err err;

    if ((err = kv_txn_add(&o->txn, &val, WARD_STORE_PUT, o->mpath)) != WARD_OK) {
        return err;
    }
    return kv_meta_encode(val, &o->meta);
}

static ward_err config_load(struct ward_kv *kv, struct ward_kv_config *out)
{
    struct ward_buf buf;
    char path[96];
    ward_err err;

    memset(out, 0, sizeof(*out));
    (void)snprintf(path, sizeof(path), "kv/%s/config", kv->mount);
    ward_buf_init(&buf, 256);
    err = ward_barrier_get(kv->b, &buf, path);
    if (err == WARD_OK) {
        err = kv_config_decode(out, buf.data, buf.len);
    }
    ward_buf_cleanup(&buf);
    return err == WARD_E_NOT_FOUND ? WARD_OK : err;
}

ward_err ward_kv_config_get(struct ward_kv *kv, struct ward_kv_config *out)
{
    ward_err err;

    (void)pthread_rwlock_rdlock(&kv->rw);
    err = config_load(kv, out);
    (void)pthread_rwlock_unlock(&kv->rw);
    return err;
}

ward_err ward_kv_config_set(struct ward_kv *kv, const struct ward_kv_config *in)
{
    struct ward_buf buf;
    char path[96];
    ward_err err;

    if (in->max_versions > WARD_KV_MAX_VERSIONS_CAP || in->delete_after_s < 0) {
        return WARD_E_INVALID;
    }
    (void)snprintf(path, sizeof(path), "kv/%s/config", kv->mount);
    ward_buf_init(&buf, 256);
    (void)pthread_rwlock_wrlock(&kv->rw);
    if ((err = kv_config_encode(&buf, in)) == WARD_OK) {
        err = ward_barrier_put(kv->b, path, buf.data, buf.len);
    }
    (void)pthread_rwlock_unlock(&kv->rw);
    ward_buf_cleanup(&buf);
    return err;
}

/* drop_value adds the removal of a version's value entry to the txn. */
static ward_err drop_value(struct kv_op *o, uint64_t version)
{
    char vpath[KV_SPATH];
    ward_err err;

    if ((err = kv_path_value(&o->names, vpath, sizeof(vpath), o->meta.path, version)) != WARD_OK) {
        return err;
    }
    return kv_txn_add(&o->txn, NULL, WARD_STORE_DELETE, vpath);
}

/* evict adds the removal of the oldest versions beyond max to the txn. */
static ward_err evict(struct kv_op *o, uint32_t max)
{
    size_t drop;
    ward_err err;

    if (o->meta.num_versions <= max) {
        return WARD_OK;
    }
    drop = o->meta.num_versions - max;
    for (size_t i = 0; i < drop; i++) {
        if ((err = drop_value(o, o->meta.versions[i].version)) != WARD_OK) {
            return err;
        }
    }
    memmove(o->meta.versions, o->meta.versions + drop, max * sizeof(*o->meta.versions));
    o->meta.num_versions = max;
    o->meta.oldest_version = o->meta.versions[0].version;
    return WARD_OK;
}

/* effective_max is the secret's max_versions, else the mount's, else 10. */
static uint32_t effective_max(const struct ward_kv_meta *m, const struct ward_kv_config *cfg)
{
    if (m->max_versions != 0) {
        return m->max_versions;
    }
    return cfg->max_versions != 0 ? cfg->max_versions : WARD_KV_DEFAULT_VERSIONS;
}

/* cas_check applies check-and-set (Vault: cas 0 = only if absent). */
static ward_err cas_check(const struct kv_op *o, const struct ward_kv_config *cfg,
                          const struct ward_kv_write *w)
{
    if ((o->meta.cas_required || cfg->cas_required) && !w->has_cas) {
        return WARD_E_CAS_REQUIRED;
    }
    if (w->has_cas && w->cas != o->meta.current_version) {
        return WARD_E_CAS_MISMATCH;
    }
    return WARD_OK;
}

/* append_version adds version current+1 to the metadata and its value to the txn. */
static ward_err append_version(struct kv_op *o, const struct ward_kv_config *cfg,
                               const struct ward_kv_write *w, struct ward_kv_version *out)
{
    struct ward_kv_version v = { .version = o->meta.current_version + 1,
                                 .created_ms = ward_time_now_ms(),
                                 .type = (uint8_t)w->type };
    int64_t after = o->meta.delete_after_s != 0 ? o->meta.delete_after_s : cfg->delete_after_s;
    char vpath[KV_SPATH];
    struct ward_buf *val;
    void *grown;
    ward_err err;

    if (after > 0) {
        v.deletion_ms = v.created_ms + after * 1000;
    }
    grown = ward_realloc(o->meta.versions, (o->meta.num_versions + 1) * sizeof(v));
    if (grown == NULL) {
        return WARD_E_NOMEM;
    }
    o->meta.versions = grown;
    o->meta.versions[o->meta.num_versions++] = v;
    o->meta.current_version = v.version;
    o->meta.oldest_version = o->meta.versions[0].version;
    o->meta.updated_ms = v.created_ms;
    if (o->meta.created_ms == 0) {
        o->meta.created_ms = v.created_ms;
    }
    *out = v;
    if ((err = kv_path_value(&o->names, vpath, sizeof(vpath), o->meta.path, v.version)) !=
            WARD_OK ||
        (err = kv_txn_add(&o->txn, &val, WARD_STORE_PUT, vpath)) != WARD_OK ||
        (err = ward_buf_append_u8(val, KV_FORMAT)) != WARD_OK ||
        (err = ward_buf_append_u8(val, v.type)) != WARD_OK ||
        (err = ward_buf_append_u64(val, v.version)) != WARD_OK) {
        return err;
    }
    return ward_buf_append(val, w->data, w->data_len);
}

/* copy_custom appends m's custom_metadata to out (NULL: not wanted). */
static ward_err copy_custom(struct ward_buf *out, const struct ward_kv_meta *m)
{
    return out != NULL ? ward_buf_append(out, m->custom.data, m->custom.len) : WARD_OK;
}

/*
 * finish_write evicts past max_versions, writes the metadata, names a new
 * secret in its folders and commits it all in one transaction.
 */
static ward_err finish_write(struct kv_op *o, const struct ward_kv_config *cfg)
{
    ward_err err;

    if ((err = evict(o, effective_max(&o->meta, cfg))) != WARD_OK ||
        (err = put_meta(o)) != WARD_OK) {
        return err;
    }
    if (!o->exists &&
        (err = kv_dir_update(&o->txn, o->kv->b, &o->names, o->meta.path, true)) != WARD_OK) {
        return err;
    }
    return kv_txn_commit(o->kv->b, &o->txn);
}

ward_err ward_kv_put(struct ward_kv *kv, struct ward_kv_version *out, struct ward_buf *out_custom,
                     const char *path, const struct ward_kv_write *w)
{
    struct ward_kv_config cfg;
    struct kv_op o;
    ward_err err;

    memset(out, 0, sizeof(*out));
    if (w->data_len > WARD_KV_MAX_VALUE) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = op_begin(&o, kv, path, true)) != WARD_OK ||
        (err = config_load(kv, &cfg)) != WARD_OK || (err = cas_check(&o, &cfg, w)) != WARD_OK ||
        (err = append_version(&o, &cfg, w, out)) != WARD_OK ||
        (err = copy_custom(out_custom, &o.meta)) != WARD_OK) {
        goto out;
    }
    err = finish_write(&o, &cfg);
out:
    op_end(&o);
    return err;
}

static struct ward_kv_version *find_version(struct ward_kv_meta *m, uint64_t version)
{
    for (size_t i = 0; i < m->num_versions; i++) {
        if (m->versions[i].version == version) {
            return &m->versions[i];
        }
    }
    return NULL;
}

/* read_value appends version v's data to out, checking the entry's header. */
static ward_err read_value(struct kv_op *o, struct ward_buf *out, uint64_t version)
{
    char vpath[KV_SPATH];
    struct ward_buf buf;
    struct ward_cursor cur;
    uint8_t format;
    uint8_t type;
    uint64_t stored;
    ward_err err;

    if ((err = kv_path_value(&o->names, vpath, sizeof(vpath), o->meta.path, version)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
    if ((err = ward_barrier_get(o->kv->b, &buf, vpath)) != WARD_OK) {
        goto out;
    }
    ward_cursor_init(&cur, buf.data, buf.len);
    if ((err = ward_cursor_get_u8(&cur, &format)) != WARD_OK ||
        (err = ward_cursor_get_u8(&cur, &type)) != WARD_OK ||
        (err = ward_cursor_get_u64(&cur, &stored)) != WARD_OK) {
        goto out;
    }
    if (format != KV_FORMAT || stored != version) {
        err = WARD_E_BAD_ENCODING;
        goto out;
    }
    err = ward_buf_append(out, cur.p, cur.len);
out:
    ward_buf_cleanup(&buf);
    return err;
}

ward_err ward_kv_get(struct ward_kv *kv, struct ward_buf *out, struct ward_kv_version *out_ver,
                     struct ward_buf *out_custom, const char *path, uint64_t version)
{
    const struct ward_kv_version *v;
    struct kv_op o;
    ward_err err;

    memset(out_ver, 0, sizeof(*out_ver));
    if ((err = op_begin(&o, kv, path, false)) != WARD_OK) {
        goto out;
    }
    v = o.exists ? find_version(&o.meta, version != 0 ? version : o.meta.current_version) : NULL;
    if (v == NULL) {
        err = WARD_E_NOT_FOUND;
        goto out;
    }
    *out_ver = *v;
    if ((err = copy_custom(out_custom, &o.meta)) != WARD_OK) {
        goto out;
    }
    if (v->destroyed) {
        err = WARD_E_VERSION_DESTROYED;
    } else if (v->deletion_ms != 0 && v->deletion_ms <= ward_time_now_ms()) {
        err = WARD_E_VERSION_DELETED;
    } else {
        err = read_value(&o, out, v->version);
    }
out:
    op_end(&o);
    return err;
}

/* act applies action to one version, adding a value removal for destroy. */
static ward_err act(struct kv_op *o, struct ward_kv_version *v, enum ward_kv_action action,
                    int64_t now_ms)
{
    if (v->destroyed) {
        return WARD_OK; /* as Vault: nothing brings a destroyed version back */
    }
    switch (action) {
    case WARD_KV_DELETE:
        if (v->deletion_ms == 0 || v->deletion_ms > now_ms) {
            v->deletion_ms = now_ms;
        }
        return WARD_OK;
    case WARD_KV_UNDELETE:
        v->deletion_ms = 0;
        return WARD_OK;
    case WARD_KV_DESTROY:
        v->destroyed = true;
        return drop_value(o, v->version);
    }
    return WARD_E_INVALID;
}

ward_err ward_kv_versions(struct ward_kv *kv, const char *path, enum ward_kv_action action,
                          const uint64_t *versions, size_t num)
{
    int64_t now_ms = ward_time_now_ms();
    struct ward_kv_version *v;
    struct kv_op o;
    ward_err err;

    if ((err = op_begin(&o, kv, path, true)) != WARD_OK) {
        goto out;
    }
    if (!o.exists) {
        err = WARD_E_NOT_FOUND;
        goto out;
    }
    for (size_t i = 0; i < (num == 0 ? 1 : num); i++) {
        v = find_version(&o.meta, num == 0 ? o.meta.current_version : versions[i]);
        if (v != NULL && (err = act(&o, v, action, now_ms)) != WARD_OK) {
            goto out;
        }
    }
    /* as Vault, updated_time moves with data writes only */
    if ((err = put_meta(&o)) != WARD_OK) {
        goto out;
    }
    err = kv_txn_commit(kv->b, &o.txn);
out:
    op_end(&o);
    return err;
}

ward_err ward_kv_meta_get(struct ward_kv *kv, struct ward_kv_meta *out, const char *path)
{
    struct kv_op o;
    ward_err err;

    meta_init(out);
    if ((err = op_begin(&o, kv, path, false)) != WARD_OK) {
        goto out;
    }
    if (!o.exists) {
        err = WARD_E_NOT_FOUND;
        goto out;
    }
    /* move the loaded metadata out; op_end then frees nothing of it */
    *out = o.meta;
    meta_init(&o.meta);
    err = WARD_OK;
out:
    op_end(&o);
    return err;
}

/* meta_apply sets the fields u carries. */
static ward_err meta_apply(struct ward_kv_meta *m, const struct ward_kv_meta_update *u)
{
    if (u->has_max_versions) {
        if (u->max_versions > WARD_KV_MAX_VERSIONS_CAP) {
            return WARD_E_INVALID;
        }
        m->max_versions = u->max_versions;
    }
    if (u->has_cas_required) {
        m->cas_required = u->cas_required;
    }
    if (u->has_delete_after) {
        if (u->delete_after_s < 0) {
            return WARD_E_INVALID;
        }
        m->delete_after_s = u->delete_after_s;
    }
    if (u->custom != NULL) {
        if (u->custom_len > WARD_KV_MAX_CUSTOM) {
            return WARD_E_TOO_LARGE;
        }
        ward_buf_reset(&m->custom);
        m->custom.len = 0;
        return ward_buf_append(&m->custom, u->custom, u->custom_len);
    }
    return WARD_OK;
}

ward_err ward_kv_meta_set(struct ward_kv *kv, const char *path, const struct ward_kv_meta_update *u)
{
    int64_t now_ms = ward_time_now_ms();
    struct ward_kv_config cfg;
    struct kv_op o;
    ward_err err;

    if ((err = op_begin(&o, kv, path, true)) != WARD_OK ||
        (err = config_load(kv, &cfg)) != WARD_OK || (err = meta_apply(&o.meta, u)) != WARD_OK) {
        goto out;
    }
    if (o.meta.created_ms == 0) {
        o.meta.created_ms = now_ms;
        o.meta.updated_ms = now_ms;
    }
    /* a lower max_versions takes effect now, as Vault's does on the next write */
    err = finish_write(&o, &cfg);
out:
    op_end(&o);
    return err;
}

ward_err ward_kv_meta_delete(struct ward_kv *kv, const char *path)
{
    struct kv_op o;
    ward_err err;

    if ((err = op_begin(&o, kv, path, true)) != WARD_OK || !o.exists) {
        goto out;
    }
    for (size_t i = 0; i < o.meta.num_versions; i++) {
        if ((err = drop_value(&o, o.meta.versions[i].version)) != WARD_OK) {
            goto out;
        }
    }
    if ((err = kv_txn_add(&o.txn, NULL, WARD_STORE_DELETE, o.mpath)) != WARD_OK ||
        (err = kv_dir_update(&o.txn, kv->b, &o.names, path, false)) != WARD_OK) {
        goto out;
    }
    err = kv_txn_commit(kv->b, &o.txn);
out:
    op_end(&o);
    return err;
}

ward_err ward_kv_list_dir(struct ward_kv *kv, struct ward_kv_list *out, const char *dir)
{
    char folder[WARD_KV_MAX_PATH + 1];
    struct kv_names names;
    struct kv_dir d;
    size_t n = strlen(dir);
    ward_err err;

    memset(out, 0, sizeof(*out));
    memset(&names, 0, sizeof(names));
    if (n > WARD_KV_MAX_PATH || (n > 0 && dir[0] == '/')) {
        return WARD_E_BAD_PATH;
    }
    (void)snprintf(folder, sizeof(folder), "%.*s", (int)(n > 0 && dir[n - 1] == '/' ? n - 1 : n),
                   dir);
    memset(&d, 0, sizeof(d));
    (void)pthread_rwlock_rdlock(&kv->rw);
    if ((err = load_names(kv, &names)) == WARD_OK &&
        (err = kv_dir_load(kv->b, &names, &d, folder)) == WARD_OK) {
        *out = d.names;
        memset(&d.names, 0, sizeof(d.names));
    }
    ward_kv_list_cleanup(&d.names);
    (void)pthread_rwlock_unlock(&kv->rw);
    kv_names_cleanup(&names);
    return err;
}
