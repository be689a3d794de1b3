/*
 * store_cache.c - a read cache in front of a backend, as Vault's physical
 * cache. It holds what the backend holds: barrier entries, ciphertext
 * bound to their paths, so nothing in clear; a hit saves the backend's
 * lock and a SQLite read (a KV read makes two).
 *
 * Direct-mapped: CACHE_SLOTS slots, a path's slot chosen by a hash of the
 * path; a new entry replaces whatever held its slot. Values longer than
 * CACHE_MAX_VALUE are not kept, and the bytes kept are bounded by
 * CACHE_MAX_BYTES (an insert past it is skipped).
 *
 * Coherence: a txn counts itself as writing, bumps the generation and
 * drops the slots of the paths it touches before it reaches the backend,
 * and bumps the generation again when it is done; a get that missed keeps
 * what it read only if no txn was writing when it checked and the
 * generation did not move since before it read. So while a write is in
 * flight nothing is cached at all: a reader that saw the new value from
 * the backend can never find the old one in a slot afterwards (reads stay
 * as linearizable as the backend's), and a value read before a write is
 * never served after it. Lists always go to the backend.
 *
 * THREADS: one mutex per CACHE_STRIPE slots; the generation is atomic.
 */
#include "store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/mem.h"
#include "store_int.h"

#define CACHE_SLOTS     16384
#define CACHE_STRIPE    64
#define CACHE_MAX_VALUE (64u << 10)
#define CACHE_MAX_BYTES (64u << 20)

struct slot {
    char *path; /* NULL: empty */
    uint8_t *value;
    size_t len;
    uint64_t version;
};

struct cache {
    struct ward_store *inner; /* owned */
    atomic_uint_fast64_t gen;
    atomic_uint writing; /* txns between their two forget calls */
    atomic_size_t bytes;
    pthread_mutex_t mu[CACHE_SLOTS / CACHE_STRIPE];
    struct slot slots[CACHE_SLOTS];
};

/* slot_of is path's slot index (FNV-1a). */
static size_t slot_of(const char *path)
{
    uint64_t h = 1469598103934665603ull;

    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211ull;
    }
    return (size_t)(h % CACHE_SLOTS);
}

static pthread_mutex_t *lock_of(struct cache *c, size_t i)
{
    return &c->mu[i / CACHE_STRIPE];
}

/* slot_clear empties s (its lock held). */
static void slot_clear(struct cache *c, struct slot *s)
{
    if (s->path != NULL) {
        atomic_fetch_sub(&c->bytes, s->len + strlen(s->path) + 1);
        ward_free(s->path);
        ward_free(s->value);
        memset(s, 0, sizeof(*s));
    }
}

static ward_err cache_get(void *impl, struct ward_buf *out, uint64_t *out_version, const char *path)
{
    struct cache *c = impl;
    size_t i = slot_of(path);
    struct slot *s = &c->slots[i];
    uint64_t gen = atomic_load(&c->gen);
    size_t start = out->len;
    size_t path_len;
    ward_err err;

    (void)pthread_mutex_lock(lock_of(c, i));
    if (s->path != NULL && strcmp(s->path, path) == 0) {
        err = ward_buf_append(out, s->value, s->len);
        if (out_version != NULL) {
            *out_version = s->version;
        }
        (void)pthread_mutex_unlock(lock_of(c, i));
        return err;
    }
    (void)pthread_mutex_unlock(lock_of(c, i));

    if ((err = c->inner->ops->get(c->inner->impl, out, out_version, path)) != WARD_OK) {
        return err;
    }
    path_len = strlen(path);
    if (out_version == NULL || out->len - start > CACHE_MAX_VALUE ||
        atomic_load(&c->bytes) + out->len - start + path_len + 1 > CACHE_MAX_BYTES) {
        return WARD_OK;
    }
    (void)pthread_mutex_lock(lock_of(c, i));
    if (atomic_load(&c->writing) == 0 && atomic_load(&c->gen) == gen) {
        uint8_t *v = ward_alloc(out->len - start + 1);
        char *p = ward_alloc(path_len + 1);

        if (v != NULL && p != NULL) {
            slot_clear(c, s);
            if (out->len > start) { /* an empty value leaves out->data NULL */
                memcpy(v, out->data + start, out->len - start);
            }
            memcpy(p, path, path_len + 1);
            s->path = p;
            s->value = v;
            s->len = out->len - start;
            s->version = *out_version;
            atomic_fetch_add(&c->bytes, s->len + path_len + 1);
        } else {
            ward_free(v);
            ward_free(p);
        }
    }
    (void)pthread_mutex_unlock(lock_of(c, i));
    return WARD_OK;
}

/*
 * forget drops the slots of every path of ops: before a txn (begin: it
 * counts as writing from now on) and after it (the count goes back down
 * after the generation moved, so a read that overlapped keeps nothing).
 */
static void forget(struct cache *c, const struct ward_store_op *ops, size_t num_ops, bool begin)
{
    if (begin) {
        atomic_fetch_add(&c->writing, 1);
        atomic_fetch_add(&c->gen, 1);
    } else {
        atomic_fetch_add(&c->gen, 1);
        atomic_fetch_sub(&c->writing, 1);
    }
    for (size_t k = 0; k < num_ops; k++) {
        size_t i = slot_of(ops[k].path);

        (void)pthread_mutex_lock(lock_of(c, i));
        if (c->slots[i].path != NULL && strcmp(c->slots[i].path, ops[k].path) == 0) {
            slot_clear(c, &c->slots[i]);
        }
        (void)pthread_mutex_unlock(lock_of(c, i));
    }
}

static ward_err cache_txn(void *impl, const struct ward_store_op *ops, size_t num_ops)
{
    struct cache *c = impl;
    ward_err err;

    forget(c, ops, num_ops, true);
    err = c->inner->ops->txn(c->inner->impl, ops, num_ops);
    forget(c, ops, num_ops, false);
    return err;
}

static ward_err cache_list(void *impl, struct ward_store_list *out, const char *prefix)
{
    struct cache *c = impl;

    return c->inner->ops->list(c->inner->impl, out, prefix);
}

static void cache_close(void *impl)
{
    struct cache *c = impl;

    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        slot_clear(c, &c->slots[i]);
    }
    for (size_t i = 0; i < CACHE_SLOTS / CACHE_STRIPE; i++) {
        (void)pthread_mutex_destroy(&c->mu[i]);
    }
    ward_store_close(c->inner);
    ward_free(c);
}

static const struct ward_store_ops cache_ops = {
    .name = "cache",
    .get = cache_get,
    .txn = cache_txn,
    .list = cache_list,
    .close = cache_close,
};

ward_err ward_store_cache_new(struct ward_store **out, struct ward_store *inner)
{
    struct cache *c;

    if (out == NULL) {
        return WARD_E_INVALID;
    }
    *out = NULL;
    if (inner == NULL) {
        return WARD_E_INVALID;
    }
    if ((c = ward_calloc(1, sizeof(*c))) == NULL) {
        ward_store_close(inner);
        return WARD_E_NOMEM;
    }
    c->inner = inner;
    atomic_init(&c->gen, 0);
    atomic_init(&c->writing, 0);
    atomic_init(&c->bytes, 0);
    for (size_t i = 0; i < CACHE_SLOTS / CACHE_STRIPE; i++) {
        (void)pthread_mutex_init(&c->mu[i], NULL);
    }
    return ward_store_attach(out, &cache_ops, c);
}
