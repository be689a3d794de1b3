/*
 * keys.c - named keys on the barrier: storage paths, the decoded-key cache,
 * reads and list. Every change to a key is in keys_write.c.
 *
 * Storage (all under the barrier, docs/storage-format.md "Named keys"):
 *   transit/<mount>/namekey       32 random bytes: the name-hiding HMAC key
 *   transit/<mount>/n/<hex mac>   name entry: format (1) | key id (16) | name
 *   transit/<mount>/k/<hex id>    the key's record (record.c)
 * Create and delete write both entries in one barrier transaction.
 *
 * Cache: slots of decoded, immutable keys with an expiry. A writer commits,
 * then replaces the slot and bumps g (the generation) under the cache lock;
 * a reader that loaded from storage inserts its key only if g did not move
 * meanwhile, so a slow reader never puts back a key that a delete or rotate
 * has already replaced.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "keys_int.h"

ward_err ward_keys_new(struct ward_keys **out, struct ward_barrier *b, const char *mount,
                       const struct ward_keys_config *cfg)
{
    struct ward_keys *ks;

    *out = NULL;
    if (ward_key_name_check(mount) != WARD_OK || strlen(mount) >= sizeof(ks->mount)) {
        return WARD_E_INVALID;
    }
    if ((ks = ward_calloc(1, sizeof(*ks))) == NULL) {
        return WARD_E_NOMEM;
    }
    ks->b = b;
    (void)snprintf(ks->mount, sizeof(ks->mount), "%s", mount);
    ks->cache_max = cfg != NULL && cfg->cache_max > 0 ? cfg->cache_max : 256;
    ks->ttl_ms = cfg != NULL && cfg->cache_ttl_ms > 0 ? cfg->cache_ttl_ms : 5 * 60 * 1000;
    if ((ks->slots = ward_calloc(ks->cache_max, sizeof(*ks->slots))) == NULL) {
        ward_free(ks);
        return WARD_E_NOMEM;
    }
    (void)pthread_mutex_init(&ks->write_lock, NULL);
    (void)pthread_mutex_init(&ks->cache_lock, NULL);
    *out = ks;
    return WARD_OK;
}

void ward_keys_free(struct ward_keys *ks)
{
    if (ks == NULL) {
        return;
    }
    ward_keys_flush(ks);
    (void)pthread_mutex_destroy(&ks->write_lock);
    (void)pthread_mutex_destroy(&ks->cache_lock);
    ward_free(ks->slots);
    ward_free(ks);
}

/* ---- cache ---- */

void ward_keys_flush(struct ward_keys *ks)
{
    (void)pthread_mutex_lock(&ks->cache_lock);
    for (size_t i = 0; i < ks->cache_max; i++) {
        ward_key_unref(ks->slots[i].key);
        ks->slots[i].key = NULL;
    }
    ks->gen++;
    (void)pthread_mutex_unlock(&ks->cache_lock);
    (void)pthread_mutex_lock(&ks->write_lock);
    ward_pkey_free(ks->wrapping);
    ks->wrapping = NULL;
    (void)pthread_mutex_unlock(&ks->write_lock);
}

size_t ward_keys_cached(struct ward_keys *ks)
{
    size_t n = 0;

    (void)pthread_mutex_lock(&ks->cache_lock);
    for (size_t i = 0; i < ks->cache_max; i++) {
        n += ks->slots[i].key != NULL;
    }
    (void)pthread_mutex_unlock(&ks->cache_lock);
    return n;
}

/* cache_find returns a referenced live key by name or id (cache_lock held). */
static struct ward_key *cache_find(struct ward_keys *ks, const char *name, const uint8_t *id,
                                   int64_t now)
{
    for (size_t i = 0; i < ks->cache_max; i++) {
        struct cache_slot *s = &ks->slots[i];

        if (s->key == NULL) {
            continue;
        }
        if (s->expires_ms <= now) {
            /* expired: erase now rather than on eviction */
            ward_key_unref(s->key);
            s->key = NULL;
            continue;
        }
        if ((name != NULL && strcmp(s->key->name, name) == 0) ||
            (id != NULL && memcmp(s->key->id, id, WARD_KEY_ID_LEN) == 0)) {
            s->used_ms = now;
            atomic_fetch_add(&s->key->refs, 1);
            return s->key;
        }
    }
    return NULL;
}

/* cache_drop_locked removes the slot holding a key named name. */
static void cache_drop_locked(struct ward_keys *ks, const char *name)
{
    for (size_t i = 0; i < ks->cache_max; i++) {
        if (ks->slots[i].key != NULL && strcmp(ks->slots[i].key->name, name) == 0) {
            ward_key_unref(ks->slots[i].key);
            ks->slots[i].key = NULL;
        }
    }
}

/* cache_put_locked stores k (taking a new reference), evicting the least recently used. */
static void cache_put_locked(struct ward_keys *ks, struct ward_key *k, int64_t now)
{
    size_t victim = 0;

    cache_drop_locked(ks, k->name);
    for (size_t i = 0; i < ks->cache_max; i++) {
        if (ks->slots[i].key == NULL) {
            victim = i;
            break;
        }
        if (ks->slots[i].used_ms < ks->slots[victim].used_ms) {
            victim = i;
        }
    }
    ward_key_unref(ks->slots[victim].key);
    atomic_fetch_add(&k->refs, 1);
    ks->slots[victim] = (struct cache_slot){ .key = k,
                                             .expires_ms = now + ks->ttl_ms,
                                             .used_ms = now }; /* no tags */
}

/* cache_replace is what a writer does after committing: drop name, maybe put k. */
void keys_cache_replace(struct ward_keys *ks, const char *name, struct ward_key *k)
{
    (void)pthread_mutex_lock(&ks->cache_lock);
    cache_drop_locked(ks, name);
    if (k != NULL) {
        cache_put_locked(ks, k, keys_now_ms());
    }
    ks->gen++;
    (void)pthread_mutex_unlock(&ks->cache_lock);
}

/* ---- storage ---- */

static void hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

ward_err keys_name_path(struct ward_keys *ks, char out[KEYS_PATH_MAX], const char *name)
{
    uint8_t key[32];
    uint8_t mac[WARD_SHA256_LEN];
    char path[KEYS_PATH_MAX];
    char mac_hex[2 * WARD_SHA256_LEN + 1];
    ward_err err;

    (void)snprintf(path, sizeof(path), "transit/%s/namekey", ks->mount);
    if ((err = ward_barrier_random_entry(ks->b, key, sizeof(key), path)) != WARD_OK) {
        return err;
    }
    err = ward_hmac_sha256(mac, key, sizeof(key), (const uint8_t *)name, strlen(name));
    OPENSSL_cleanse(key, sizeof(key));
    if (err != WARD_OK) {
        return err;
    }
    hex(mac_hex, mac, sizeof(mac));
    (void)snprintf(out, KEYS_PATH_MAX, "transit/%s/n/%s", ks->mount, mac_hex);
    return WARD_OK;
}

void keys_record_path(struct ward_keys *ks, char out[KEYS_PATH_MAX],
                      const uint8_t id[WARD_KEY_ID_LEN])
{
    char id_hex[2 * WARD_KEY_ID_LEN + 1];

    hex(id_hex, id, WARD_KEY_ID_LEN);
    (void)snprintf(out, KEYS_PATH_MAX, "transit/%s/k/%s", ks->mount, id_hex);
}

/* read_name_entry reads a name entry: the key id, and the name if name_out. */
static ward_err read_name_entry(struct ward_keys *ks, uint8_t id[WARD_KEY_ID_LEN], char *name_out,
                                const char *path)
{
    struct ward_buf buf;
    ward_err err;

    ward_buf_init(&buf, 1 + WARD_KEY_ID_LEN + WARD_KEY_NAME_MAX);
    if ((err = ward_barrier_get(ks->b, &buf, path)) == WARD_OK) {
        if (buf.len <= 1 + WARD_KEY_ID_LEN || buf.data[0] != NAME_ENTRY_FORMAT) {
            err = WARD_E_BAD_ENCODING;
        } else {
            memcpy(id, buf.data + 1, WARD_KEY_ID_LEN);
            if (name_out != NULL) {
                size_t n = buf.len - 1 - WARD_KEY_ID_LEN;

                memcpy(name_out, buf.data + 1 + WARD_KEY_ID_LEN, n);
                name_out[n] = '\0';
            }
        }
    }
    ward_buf_cleanup(&buf);
    return err;
}

ward_err keys_load_by_id(struct ward_keys *ks, struct ward_key **out,
                         const uint8_t id[WARD_KEY_ID_LEN])
{
    char path[KEYS_PATH_MAX];
    struct ward_buf rec;
    ward_err err;

    *out = NULL;
    keys_record_path(ks, path, id);
    ward_buf_init(&rec, KEY_MAX_RECORD);
    if ((err = ward_barrier_get(ks->b, &rec, path)) == WARD_OK) {
        err = key_decode(out, rec.data, rec.len);
        if (err == WARD_OK && memcmp((*out)->id, id, WARD_KEY_ID_LEN) != 0) {
            ward_key_unref(*out);
            *out = NULL;
            err = WARD_E_INTEGRITY;
        }
    }
    ward_buf_cleanup(&rec);
    return err;
}

/* load_by_name reads key name from storage (not the cache). */
ward_err keys_load_by_name(struct ward_keys *ks, struct ward_key **out, const char *name)
{
    char path[KEYS_PATH_MAX];
    uint8_t id[WARD_KEY_ID_LEN];
    ward_err err;

    *out = NULL;
    if ((err = ward_key_name_check(name)) != WARD_OK ||
        (err = keys_name_path(ks, path, name)) != WARD_OK ||
        (err = read_name_entry(ks, id, NULL, path)) != WARD_OK ||
        (err = keys_load_by_id(ks, out, id)) != WARD_OK) {
        return err;
    }
    if (strcmp((*out)->name, name) != 0) {
        ward_key_unref(*out);
        *out = NULL;
        return WARD_E_INTEGRITY;
    }
    return WARD_OK;
}

/*
 * store_key writes k's record; with create also its name entry, with
 * remove instead deletes both. One barrier transaction.
 */
ward_err keys_store_key(struct ward_keys *ks, const struct ward_key *k, bool create, bool remove)
{
    char rpath[KEYS_PATH_MAX];
    char npath[KEYS_PATH_MAX];
    struct ward_store_op ops[2];
    struct ward_buf rec;
    uint8_t entry[1 + WARD_KEY_ID_LEN + WARD_KEY_NAME_MAX];
    size_t name_len = strlen(k->name);
    size_t num = 1;
    ward_err err;

    keys_record_path(ks, rpath, k->id);
    if ((err = keys_name_path(ks, npath, k->name)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&rec, KEY_MAX_RECORD);
    if (!remove && (err = key_encode(&rec, k)) != WARD_OK) {
        ward_buf_cleanup(&rec);
        return err;
    }
    ops[0] = (struct ward_store_op){ .kind = remove ? WARD_STORE_DELETE : WARD_STORE_PUT,
                                     .path = rpath,
                                     .value = rec.data,
                                     .value_len = rec.len };
    if (create || remove) {
        entry[0] = NAME_ENTRY_FORMAT;
        memcpy(entry + 1, k->id, WARD_KEY_ID_LEN);
        memcpy(entry + 1 + WARD_KEY_ID_LEN, k->name, name_len);
        ops[1] = (struct ward_store_op){ .kind = remove ? WARD_STORE_DELETE : WARD_STORE_PUT,
                                         .path = npath,
                                         .value = entry,
                                         .value_len = 1 + WARD_KEY_ID_LEN + name_len,
                                         .check_version = create,
                                         .expected_version = 0 };
        num = 2;
    }
    err = ward_barrier_txn(ks->b, ops, num);
    ward_buf_cleanup(&rec);
    return err == WARD_E_CONFLICT && create ? WARD_E_EXISTS : err;
}

/* ---- reads ---- */

bool keys_rotation_due(const struct ward_key *k, int64_t now)
{
    return k->auto_rotate_s > 0 && now - k->rotated_ms >= k->auto_rotate_s * 1000;
}

/* lookup takes a reference to the key from the cache, or loads and caches it. */
static ward_err lookup(struct ward_keys *ks, struct ward_key **out, const char *name,
                       const uint8_t *id, int64_t now)
{
    uint64_t gen;
    ward_err err;

    (void)pthread_mutex_lock(&ks->cache_lock);
    *out = cache_find(ks, name, id, now);
    gen = ks->gen;
    (void)pthread_mutex_unlock(&ks->cache_lock);
    if (*out != NULL) {
        return WARD_OK;
    }
    err = name != NULL ? keys_load_by_name(ks, out, name) : keys_load_by_id(ks, out, id);
    if (err != WARD_OK) {
        return err;
    }
    (void)pthread_mutex_lock(&ks->cache_lock);
    if (ks->gen == gen) {
        cache_put_locked(ks, *out, now);
    }
    (void)pthread_mutex_unlock(&ks->cache_lock);
    return WARD_OK;
}

static ward_err get_key(struct ward_keys *ks, struct ward_key **out, const char *name,
                        const uint8_t *id)
{
    int64_t now = keys_now_ms();
    struct rotate_arg r = { false, true, NULL, 0, 0 };
    char due[WARD_KEY_NAME_MAX + 1];
    ward_err err;

    if (name == NULL && id == NULL) {
        return WARD_E_INVALID;
    }
    if ((err = lookup(ks, out, name, id, now)) != WARD_OK || !keys_rotation_due(*out, now)) {
        return err;
    }
    /* due for automatic rotation: rotate once (unless someone just did), then look again */
    (void)snprintf(due, sizeof(due), "%s", (*out)->name);
    ward_key_unref(*out);
    *out = NULL;
    (void)pthread_mutex_lock(&ks->write_lock);
    err = keys_rotate_locked(ks, due, &r);
    (void)pthread_mutex_unlock(&ks->write_lock);
    return err != WARD_OK ? err : lookup(ks, out, name, id, keys_now_ms());
}

ward_err ward_keys_get(struct ward_keys *ks, struct ward_key **out, const char *name)
{
    ward_err err = ward_key_name_check(name);

    *out = NULL;
    return err != WARD_OK ? WARD_E_NOT_FOUND : get_key(ks, out, name, NULL);
}

ward_err ward_keys_get_by_id(struct ward_keys *ks, struct ward_key **out,
                             const uint8_t id[WARD_KEY_ID_LEN])
{
    *out = NULL;
    return get_key(ks, out, NULL, id);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ward_err ward_keys_list(struct ward_keys *ks, struct ward_key_list *out)
{
    struct ward_store_list paths;
    char prefix[KEYS_PATH_MAX];
    ward_err err;

    memset(out, 0, sizeof(*out));
    (void)snprintf(prefix, sizeof(prefix), "transit/%s/n/", ks->mount);
    if ((err = ward_barrier_list(ks->b, &paths, prefix)) != WARD_OK) {
        return err;
    }
    if (paths.num > WARD_KEYS_MAX_LIST) {
        err = WARD_E_TOO_LARGE;
    } else if (paths.num > 0 && (out->names = ward_calloc(paths.num, sizeof(char *))) == NULL) {
        err = WARD_E_NOMEM;
    }
    for (size_t i = 0; err == WARD_OK && i < paths.num; i++) {
        char name[WARD_KEY_NAME_MAX + 1];
        uint8_t id[WARD_KEY_ID_LEN];

        if ((err = read_name_entry(ks, id, name, paths.paths[i])) != WARD_OK) {
            break;
        }
        if ((out->names[out->num] = ward_alloc(strlen(name) + 1)) == NULL) {
            err = WARD_E_NOMEM;
            break;
        }
        memcpy(out->names[out->num++], name, strlen(name) + 1);
    }
    ward_store_list_cleanup(&paths);
    if (err != WARD_OK) {
        ward_key_list_cleanup(out);
        return err;
    }
    if (out->num > 1) {
        qsort(out->names, out->num, sizeof(char *), cmp_names);
    }
    return WARD_OK;
}

void ward_key_list_cleanup(struct ward_key_list *l)
{
    for (size_t i = 0; i < l->num; i++) {
        ward_free(l->names[i]);
    }
    ward_free(l->names);
    memset(l, 0, sizeof(*l));
}
