/*
 * keys_write.c - every change to a named key: create and import, settings,
 * rotation (manual, automatic and BYOK), KMIP lifecycle states, trim,
 * delete, backup and restore, and the mount's BYOK wrapping key.
 *
 * Each change loads the key fresh under the mount's write lock, edits a
 * copy, commits it in one barrier transaction and only then replaces the
 * cache slot (keys.c), so readers never see half an update.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "keys_int.h"

static ward_err params_check(const struct ward_key_params *p, const struct ward_key_type_info **t)
{
    if ((*t = ward_key_type_get(p->type)) == NULL) {
        return WARD_E_INVALID;
    }
    if ((p->flags & WARD_KFLAG_CONVERGENT) && !(p->flags & WARD_KFLAG_DERIVED)) {
        return WARD_E_INVALID; /* Vault: convergent encryption requires derivation */
    }
    if ((p->flags & WARD_KFLAG_DERIVED) && (*t)->cipher == 0 && p->type != WARD_KEY_AES256_SIV) {
        return WARD_E_INVALID;
    }
    if ((p->allowed_ops & ~(*t)->ops) != 0 || p->auto_rotate_s < 0 ||
        (p->auto_rotate_s > 0 && p->auto_rotate_s < 3600)) {
        return WARD_E_INVALID; /* Vault's minimum rotation period is one hour */
    }
    if (p->key_size != 0 && (p->type != WARD_KEY_HMAC || p->key_size < 16 || p->key_size > 512)) {
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

/* new_key builds version 1 of a key from p (material NULL = generate). */
static ward_err new_key(struct ward_key **out, const char *name, const struct ward_key_params *p,
                        const uint8_t *material, size_t material_len)
{
    const struct ward_key_type_info *t;
    struct ward_key *k;
    int64_t now = keys_now_ms();
    ward_err err;

    *out = NULL;
    if ((err = ward_key_name_check(name)) != WARD_OK || (err = params_check(p, &t)) != WARD_OK) {
        return err;
    }
    if ((k = key_alloc()) == NULL) {
        return WARD_E_NOMEM;
    }
    (void)snprintf(k->name, sizeof(k->name), "%s", name);
    k->type = p->type;
    k->flags = p->flags & (WARD_KFLAG_DERIVED | WARD_KFLAG_CONVERGENT | WARD_KFLAG_EXPORTABLE |
                           WARD_KFLAG_PLAINTEXT_BACKUP | WARD_KFLAG_IMPORT_ROTATION);
    k->allowed_ops = p->allowed_ops != 0 ? p->allowed_ops : t->ops;
    k->state = WARD_KSTATE_ACTIVE;
    k->key_size = p->type == WARD_KEY_HMAC ? (p->key_size != 0 ? p->key_size : 32) : 0;
    k->min_decryption_version = 1;
    k->min_available_version = 1;
    k->latest_version = 1;
    k->auto_rotate_s = p->auto_rotate_s;
    k->created_ms = now;
    k->rotated_ms = now;
    if (material != NULL) {
        k->flags |= WARD_KFLAG_IMPORTED;
        if ((err = key_material_check(k, material, material_len)) != WARD_OK) {
            key_free(k);
            return err;
        }
    }
    if ((err = ward_crypto_random(k->id, sizeof(k->id))) != WARD_OK ||
        (err = key_add_version(k, 1, p->pre_active ? WARD_KSTATE_PRE_ACTIVE : WARD_KSTATE_ACTIVE,
                               now, material, material_len)) != WARD_OK) {
        key_free(k);
        return err;
    }
    *out = k;
    return WARD_OK;
}

static ward_err create_or_import(struct ward_keys *ks, bool *created, const char *name,
                                 const struct ward_key_params *p, const uint8_t *material,
                                 size_t material_len)
{
    struct ward_key *k = NULL;
    struct ward_key *old = NULL;
    ward_err err;

    *created = false;
    (void)pthread_mutex_lock(&ks->write_lock);
    err = keys_load_by_name(ks, &old, name);
    if (err == WARD_OK) {
        ward_key_unref(old);
        err = WARD_E_EXISTS;
    } else if (err == WARD_E_NOT_FOUND &&
               (err = new_key(&k, name, p, material, material_len)) == WARD_OK &&
               (err = keys_store_key(ks, k, true, false)) == WARD_OK) {
        *created = true;
        keys_cache_replace(ks, name, k);
    }
    (void)pthread_mutex_unlock(&ks->write_lock);
    ward_key_unref(k);
    return err;
}

ward_err ward_keys_create(struct ward_keys *ks, bool *created, const char *name,
                          const struct ward_key_params *p)
{
    ward_err err = create_or_import(ks, created, name, p, NULL, 0);

    return err == WARD_E_EXISTS ? WARD_OK : err;
}

ward_err ward_keys_import(struct ward_keys *ks, const char *name, const struct ward_key_params *p,
                          const uint8_t *material, size_t material_len)
{
    bool created;

    if (material == NULL || material_len == 0) {
        return WARD_E_INVALID;
    }
    return create_or_import(ks, &created, name, p, material, material_len);
}

/*
 * change is one edit of an existing key: load it fresh under the write
 * lock, copy, let fn edit the copy, store it and refresh the cache.
 */
typedef ward_err (*edit_fn)(struct ward_key *k, void *arg);

static ward_err change_locked(struct ward_keys *ks, const char *name, edit_fn fn, void *arg)
{
    struct ward_key *k = NULL;
    ward_err err;

    if ((err = keys_load_by_name(ks, &k, name)) != WARD_OK) {
        return err;
    }
    if ((err = fn(k, arg)) == WARD_OK && (err = keys_store_key(ks, k, false, false)) == WARD_OK) {
        keys_cache_replace(ks, name, k);
    }
    ward_key_unref(k);
    return err;
}

static ward_err change(struct ward_keys *ks, const char *name, edit_fn fn, void *arg)
{
    ward_err err;

    (void)pthread_mutex_lock(&ks->write_lock);
    err = change_locked(ks, name, fn, arg);
    (void)pthread_mutex_unlock(&ks->write_lock);
    return err;
}

/* update_ok checks a settings change against the key before any of it applies. */
static bool update_ok(const struct ward_key *k, const struct ward_key_update *u, uint32_t min_dec,
                      uint32_t min_enc)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);

    /* Vault: min_encryption_version (0 = latest) must not be below min_decryption_version */
    if (min_dec == 0 || min_dec > k->latest_version || min_dec < k->min_available_version ||
        min_enc > k->latest_version || (min_enc != 0 && min_enc < min_dec)) {
        return false;
    }
    /* once exportable, always: the material may be out */
    if ((u->has_exportable && !u->exportable && (k->flags & WARD_KFLAG_EXPORTABLE)) ||
        (u->has_plaintext_backup && !u->plaintext_backup &&
         (k->flags & WARD_KFLAG_PLAINTEXT_BACKUP))) {
        return false;
    }
    if (u->has_auto_rotate &&
        (u->auto_rotate_s < 0 || (u->auto_rotate_s > 0 && u->auto_rotate_s < 3600))) {
        return false;
    }
    return !u->has_allowed_ops || (u->allowed_ops != 0 && (u->allowed_ops & ~t->ops) == 0);
}

static ward_err edit_update(struct ward_key *k, void *arg)
{
    const struct ward_key_update *u = arg;
    uint32_t min_dec =
        u->has_min_decryption_version ? u->min_decryption_version : k->min_decryption_version;
    uint32_t min_enc =
        u->has_min_encryption_version ? u->min_encryption_version : k->min_encryption_version;

    if (!update_ok(k, u, min_dec, min_enc)) {
        return WARD_E_INVALID;
    }
    k->min_decryption_version = min_dec;
    k->min_encryption_version = min_enc;
    if (u->has_deletion_allowed) {
        k->flags = u->deletion_allowed ? k->flags | WARD_KFLAG_DELETION_ALLOWED
                                       : k->flags & ~(uint32_t)WARD_KFLAG_DELETION_ALLOWED;
    }
    if (u->has_exportable && u->exportable) {
        k->flags |= WARD_KFLAG_EXPORTABLE;
    }
    if (u->has_plaintext_backup && u->plaintext_backup) {
        k->flags |= WARD_KFLAG_PLAINTEXT_BACKUP;
    }
    if (u->has_auto_rotate) {
        k->auto_rotate_s = u->auto_rotate_s;
    }
    if (u->has_allowed_ops) {
        k->allowed_ops = u->allowed_ops;
    }
    return WARD_OK;
}

ward_err ward_keys_update(struct ward_keys *ks, const char *name, const struct ward_key_update *u)
{
    return change(ks, name, edit_update, (void *)u);
}

static ward_err edit_rotate(struct ward_key *k, void *arg)
{
    struct rotate_arg *r = arg;
    int64_t now = keys_now_ms();
    ward_err err;

    if (r->only_if_due && !keys_rotation_due(k, now)) {
        r->version = k->latest_version;
        return WARD_E_BUSY; /* someone rotated it meanwhile: nothing to store */
    }
    if ((k->flags & WARD_KFLAG_IMPORTED) && r->material == NULL &&
        !(k->flags & WARD_KFLAG_IMPORT_ROTATION)) {
        return WARD_E_UNSUPPORTED; /* Vault: imported keys rotate by import */
    }
    if (r->material != NULL &&
        (err = key_material_check(k, r->material, r->material_len)) != WARD_OK) {
        return err;
    }
    if (k->latest_version >= WARD_KEY_MAX_VERSION) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = key_add_version(k, k->latest_version + 1,
                               r->pre_active ? WARD_KSTATE_PRE_ACTIVE : WARD_KSTATE_ACTIVE, now,
                               r->material, r->material_len)) != WARD_OK) {
        return err;
    }
    k->latest_version++;
    k->rotated_ms = now;
    r->version = k->latest_version;
    return WARD_OK;
}

/* rotate_locked applies r to key name (write_lock held); r->version receives the new version. */
ward_err keys_rotate_locked(struct ward_keys *ks, const char *name, struct rotate_arg *r)
{
    ward_err err = change_locked(ks, name, edit_rotate, r);

    return err == WARD_E_BUSY && r->only_if_due ? WARD_OK : err;
}

ward_err ward_keys_rotate(struct ward_keys *ks, uint32_t *out_version, const char *name,
                          bool pre_active, const uint8_t *material, size_t material_len)
{
    struct rotate_arg r = { pre_active, false, material, material_len, 0 };
    ward_err err;

    (void)pthread_mutex_lock(&ks->write_lock);
    err = keys_rotate_locked(ks, name, &r);
    (void)pthread_mutex_unlock(&ks->write_lock);
    *out_version = r.version;
    return err;
}

struct state_arg {
    uint32_t version;
    enum ward_key_state state;
};

/* transition_ok is KMIP's lifecycle: which state may follow which. */
static bool transition_ok(uint8_t from, enum ward_key_state to)
{
    switch (from) {
    case WARD_KSTATE_PRE_ACTIVE:
        return to != WARD_KSTATE_PRE_ACTIVE;
    case WARD_KSTATE_ACTIVE:
        return to == WARD_KSTATE_DEACTIVATED || to == WARD_KSTATE_COMPROMISED;
    case WARD_KSTATE_DEACTIVATED:
        return to == WARD_KSTATE_COMPROMISED || to == WARD_KSTATE_DESTROYED;
    case WARD_KSTATE_COMPROMISED:
        return to == WARD_KSTATE_DESTROYED;
    default:
        return false;
    }
}

static void destroy_version(struct ward_key_version *v)
{
    ward_pkey_free(v->pkey);
    ward_secret_free(v->material);
    v->pkey = NULL;
    v->material = NULL;
    v->state = WARD_KSTATE_DESTROYED;
}

static ward_err edit_state(struct ward_key *k, void *arg)
{
    const struct state_arg *s = arg;

    if (s->version == 0) {
        if (!transition_ok(k->state, s->state)) {
            return WARD_E_KEY_STATE;
        }
        k->state = (uint8_t)s->state;
        if (s->state == WARD_KSTATE_DESTROYED) {
            for (size_t i = 0; i < k->num_versions; i++) {
                destroy_version(&k->versions[i]);
            }
        }
        return WARD_OK;
    }
    for (size_t i = 0; i < k->num_versions; i++) {
        struct ward_key_version *v = &k->versions[i];

        if (v->version != s->version) {
            continue;
        }
        if (!transition_ok(v->state, s->state)) {
            return WARD_E_KEY_STATE;
        }
        if (s->state == WARD_KSTATE_DESTROYED) {
            destroy_version(v);
        } else {
            v->state = (uint8_t)s->state;
        }
        return WARD_OK;
    }
    return WARD_E_KEY_VERSION;
}

ward_err ward_keys_set_state(struct ward_keys *ks, const char *name, uint32_t version,
                             enum ward_key_state state)
{
    struct state_arg s = { version, state };

    return change(ks, name, edit_state, &s);
}

static ward_err edit_trim(struct ward_key *k, void *arg)
{
    uint32_t min = *(const uint32_t *)arg;
    size_t drop;

    if (min == 0 || min < k->min_available_version || min > k->min_decryption_version ||
        (k->min_encryption_version != 0 && min > k->min_encryption_version) ||
        min > k->latest_version) {
        return WARD_E_INVALID;
    }
    drop = min - k->min_available_version;
    for (size_t i = 0; i < drop; i++) {
        destroy_version(&k->versions[i]);
    }
    memmove(k->versions, k->versions + drop, (k->num_versions - drop) * sizeof(*k->versions));
    k->num_versions -= drop;
    k->min_available_version = min;
    return WARD_OK;
}

ward_err ward_keys_trim(struct ward_keys *ks, const char *name, uint32_t min_available)
{
    return change(ks, name, edit_trim, &min_available);
}

ward_err ward_keys_delete(struct ward_keys *ks, const char *name)
{
    struct ward_key *k = NULL;
    ward_err err;

    (void)pthread_mutex_lock(&ks->write_lock);
    if ((err = keys_load_by_name(ks, &k, name)) == WARD_OK) {
        if (!(k->flags & WARD_KFLAG_DELETION_ALLOWED)) {
            err = WARD_E_DELETION_NOT_ALLOWED;
        } else if ((err = keys_store_key(ks, k, false, true)) == WARD_OK) {
            keys_cache_replace(ks, name, NULL);
        }
    }
    (void)pthread_mutex_unlock(&ks->write_lock);
    ward_key_unref(k);
    return err;
}

ward_err ward_keys_backup(struct ward_keys *ks, struct ward_buf *out, const char *name)
{
    struct ward_key *k = NULL;
    ward_err err;

    if ((err = ward_keys_get(ks, &k, name)) != WARD_OK) {
        return err;
    }
    if (!(k->flags & WARD_KFLAG_PLAINTEXT_BACKUP) || !(k->flags & WARD_KFLAG_EXPORTABLE)) {
        err = WARD_E_NOT_EXPORTABLE;
    } else {
        err = key_encode(out, k);
    }
    ward_key_unref(k);
    return err;
}

/*
 * restore_store writes restored key k over old (NULL if none) in one
 * transaction: k's record, its name entry, and the removal of old's record
 * when it had another id.
 */
static ward_err restore_store(struct ward_keys *ks, const struct ward_key *k,
                              const struct ward_key *old)
{
    char rpath[KEYS_PATH_MAX];
    char npath[KEYS_PATH_MAX];
    char opath[KEYS_PATH_MAX];
    uint8_t entry[1 + WARD_KEY_ID_LEN + WARD_KEY_NAME_MAX];
    size_t name_len = strlen(k->name);
    struct ward_store_op ops[3];
    struct ward_buf rec;
    size_t num = 2;
    ward_err err;

    keys_record_path(ks, rpath, k->id);
    if ((err = keys_name_path(ks, npath, k->name)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&rec, KEY_MAX_RECORD);
    if ((err = key_encode(&rec, k)) != WARD_OK) {
        ward_buf_cleanup(&rec);
        return err;
    }
    entry[0] = NAME_ENTRY_FORMAT;
    memcpy(entry + 1, k->id, WARD_KEY_ID_LEN);
    memcpy(entry + 1 + WARD_KEY_ID_LEN, k->name, name_len);
    ops[0] = (struct ward_store_op){
        .kind = WARD_STORE_PUT, .path = rpath, .value = rec.data, .value_len = rec.len
    };
    ops[1] = (struct ward_store_op){ .kind = WARD_STORE_PUT,
                                     .path = npath,
                                     .value = entry,
                                     .value_len = 1 + WARD_KEY_ID_LEN + name_len,
                                     .check_version = old == NULL,
                                     .expected_version = 0 };
    if (old != NULL && memcmp(old->id, k->id, WARD_KEY_ID_LEN) != 0) {
        keys_record_path(ks, opath, old->id);
        ops[num++] = (struct ward_store_op){ .kind = WARD_STORE_DELETE, .path = opath };
    }
    err = ward_barrier_txn(ks->b, ops, num);
    ward_buf_cleanup(&rec);
    return err == WARD_E_CONFLICT ? WARD_E_EXISTS : err;
}

/*
 * restore_locked writes restored key k over old (NULL if none), write_lock
 * held. The id is kept, so managed ciphertexts of the backed-up key still
 * decrypt; a copy restored under a second name while the original lives
 * gets a fresh id (ids are unique), as Vault allows the copy.
 */
static ward_err restore_locked(struct ward_keys *ks, struct ward_key *k, const struct ward_key *old)
{
    struct ward_key *same_id = NULL;
    ward_err err = keys_load_by_id(ks, &same_id, k->id);

    if (err == WARD_OK && strcmp(same_id->name, k->name) != 0) {
        err = ward_crypto_random(k->id, sizeof(k->id));
    } else if (err == WARD_E_NOT_FOUND) {
        err = WARD_OK;
    }
    ward_key_unref(same_id);
    if (err == WARD_OK && (err = restore_store(ks, k, old)) == WARD_OK) {
        keys_cache_replace(ks, k->name, k);
    }
    return err;
}

ward_err ward_keys_restore(struct ward_keys *ks, const char *name, const uint8_t *backup,
                           size_t backup_len, bool force)
{
    struct ward_key *k = NULL;
    struct ward_key *old = NULL;
    ward_err err;

    if ((err = key_decode(&k, backup, backup_len)) != WARD_OK) {
        return err == WARD_E_NOMEM || err == WARD_E_SYS ? err : WARD_E_INVALID;
    }
    if (name != NULL && name[0] != '\0') {
        if ((err = ward_key_name_check(name)) != WARD_OK) {
            ward_key_unref(k);
            return err;
        }
        (void)snprintf(k->name, sizeof(k->name), "%s", name);
    }
    (void)pthread_mutex_lock(&ks->write_lock);
    err = keys_load_by_name(ks, &old, k->name);
    if (err == WARD_OK && !force) {
        err = WARD_E_EXISTS;
    } else if (err == WARD_OK || err == WARD_E_NOT_FOUND) {
        err = restore_locked(ks, k, old);
    }
    (void)pthread_mutex_unlock(&ks->write_lock);
    ward_key_unref(old);
    ward_key_unref(k);
    return err;
}

/* load_wrapping reads the wrapping key, making and storing it on first use. */
static ward_err load_wrapping(struct ward_keys *ks)
{
    char path[KEYS_PATH_MAX];
    struct ward_buf der;
    ward_err err;

    (void)snprintf(path, sizeof(path), "transit/%s/wrapping", ks->mount);
    ward_buf_init(&der, 16384);
    err = ward_barrier_get(ks->b, &der, path);
    if (err == WARD_E_NOT_FOUND) {
        struct ward_store_op op = {
            .kind = WARD_STORE_PUT, .path = path, .check_version = true, .expected_version = 0
        };

        ward_buf_reset(&der);
        der.len = 0;
        if ((err = ward_pkey_generate(&der, WARD_PKEY_RSA4096)) == WARD_OK) {
            op.value = der.data;
            op.value_len = der.len;
            err = ward_barrier_txn(ks->b, &op, 1);
        }
    }
    if (err == WARD_OK) {
        err = ward_pkey_load(&ks->wrapping, WARD_PKEY_RSA4096, der.data, der.len);
    }
    ward_buf_cleanup(&der);
    return err;
}

ward_err ward_keys_wrapping_key(struct ward_keys *ks, EVP_PKEY **out)
{
    ward_err err = WARD_OK;

    *out = NULL;
    (void)pthread_mutex_lock(&ks->write_lock);
    if (ks->wrapping == NULL) {
        err = load_wrapping(ks);
    }
    if (err == WARD_OK && EVP_PKEY_up_ref(ks->wrapping) == 1) {
        *out = ks->wrapping;
    } else if (err == WARD_OK) {
        err = WARD_E_CRYPTO;
    }
    (void)pthread_mutex_unlock(&ks->write_lock);
    return err;
}
