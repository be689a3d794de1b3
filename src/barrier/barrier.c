/*
 * barrier.c - the data path: get, put, delete, list and txn through the
 * barrier. Every value is sealed under the active term key (entry.c) before
 * the backend sees it; every value read is checked against its path.
 *
 * THREADS: callers share b->lock for reading; encryption and decryption run
 * under it so that a concurrent seal cannot free the key in use.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"

/* SECURITY: callers above the barrier can neither read nor write core/. */
static bool reserved(const char *path)
{
    return strncmp(path, PATH_RESERVED, sizeof(PATH_RESERVED) - 1) == 0;
}

/* decrypt_locked opens raw (read from path) into out; caller holds b->lock. */
static ward_err decrypt_locked(struct ward_barrier *b, struct ward_buf *out, const char *path,
                               const struct ward_buf *raw)
{
    struct entry_header h;
    const uint8_t *key;
    size_t plain_len;
    ward_err err;

    if ((err = entry_parse(&h, raw->data, raw->len)) != WARD_OK) {
        return err;
    }
    if (h.term == ROOT_TERM) {
        return WARD_E_INTEGRITY; /* only the keyring lives under the root key */
    }
    if ((key = keyring_key(b->keyring, h.term)) == NULL) {
        return WARD_E_UNKNOWN_TERM;
    }
    plain_len = h.sealed_len - WARD_AEAD_TAG_LEN;
    if ((err = ward_buf_reserve(out, plain_len)) != WARD_OK) {
        return err;
    }
    if ((err = entry_open(out->data + out->len, plain_len, key, &h, path)) != WARD_OK) {
        return err;
    }
    out->len += plain_len;
    return WARD_OK;
}

ward_err ward_barrier_get(struct ward_barrier *b, struct ward_buf *out, const char *path)
{
    return reserved(path) ? WARD_E_INVALID : barrier_get(b, out, path);
}

ward_err barrier_get(struct ward_barrier *b, struct ward_buf *out, const char *path)
{
    struct ward_buf raw;
    ward_err err = WARD_E_INTERNAL;

    ward_buf_init(&raw, WARD_STORE_MAX_VALUE);
    (void)pthread_rwlock_rdlock(&b->lock);
    if (b->keyring == NULL) {
        err = WARD_E_SEALED;
        goto out;
    }
    if ((err = ward_store_get(b->store, &raw, NULL, path)) != WARD_OK) {
        goto out;
    }
    err = decrypt_locked(b, out, path, &raw);
out:
    (void)pthread_rwlock_unlock(&b->lock);
    ward_buf_cleanup(&raw);
    return err;
}

ward_err ward_barrier_put(struct ward_barrier *b, const char *path, const uint8_t *value,
                          size_t value_len)
{
    struct ward_store_op op = {
        .kind = WARD_STORE_PUT, .path = path, .value = value, .value_len = value_len
    };

    return ward_barrier_txn(b, &op, 1);
}

ward_err ward_barrier_random_entry(struct ward_barrier *b, uint8_t *out, size_t len,
                                   const char *path)
{
    struct ward_store_op op = { .kind = WARD_STORE_PUT,
                                .path = path,
                                .value = out,
                                .value_len = len,
                                .check_version = true,
                                .expected_version = 0 };
    struct ward_buf buf;
    ward_err err;

    ward_buf_init(&buf, len);
    for (int attempt = 0; attempt < 2; attempt++) {
        ward_buf_reset(&buf);
        err = ward_barrier_get(b, &buf, path);
        if (err == WARD_OK) {
            err = buf.len == len ? WARD_OK : WARD_E_BAD_ENCODING;
            if (err == WARD_OK) {
                memcpy(out, buf.data, len);
            }
            break;
        }
        if (err != WARD_E_NOT_FOUND || (err = ward_crypto_random(out, len)) != WARD_OK) {
            break;
        }
        /* first use: create it unless another thread got there first */
        if ((err = ward_barrier_txn(b, &op, 1)) != WARD_E_CONFLICT) {
            break;
        }
    }
    if (err != WARD_OK) {
        OPENSSL_cleanse(out, len);
    }
    ward_buf_cleanup(&buf);
    return err;
}

ward_err ward_barrier_delete(struct ward_barrier *b, const char *path)
{
    struct ward_store_op op = { .kind = WARD_STORE_DELETE, .path = path };

    return ward_barrier_txn(b, &op, 1);
}

ward_err ward_barrier_list(struct ward_barrier *b, struct ward_store_list *out, const char *prefix)
{
    ward_err err;

    memset(out, 0, sizeof(*out));
    (void)pthread_rwlock_rdlock(&b->lock);
    err = b->keyring == NULL ? WARD_E_SEALED : ward_store_list(b->store, out, prefix);
    (void)pthread_rwlock_unlock(&b->lock);
    return err;
}

/* seal_ops encrypts each PUT into bufs[i] and points sealed[i] at it. */
static ward_err seal_ops(struct ward_barrier *b, struct ward_store_op *sealed,
                         struct ward_buf *bufs, const struct ward_store_op *ops, size_t num_ops)
{
    const uint8_t *key = keyring_key(b->keyring, b->keyring->active);
    ward_err err;

    for (size_t i = 0; i < num_ops; i++) {
        sealed[i] = ops[i];
        if (reserved(ops[i].path)) {
            return WARD_E_INVALID;
        }
        if (ops[i].kind != WARD_STORE_PUT) {
            continue;
        }
        if ((err = entry_seal(&bufs[i], key, b->keyring->active, ops[i].path, ops[i].value,
                              ops[i].value_len)) != WARD_OK) {
            return err;
        }
        sealed[i].value = bufs[i].data;
        sealed[i].value_len = bufs[i].len;
    }
    return WARD_OK;
}

ward_err ward_barrier_txn(struct ward_barrier *b, const struct ward_store_op *ops, size_t num_ops)
{
    struct ward_store_op *sealed = NULL;
    struct ward_buf *bufs = NULL;
    ward_err err = WARD_E_INTERNAL;

    if (num_ops == 0 || num_ops > 1024) {
        return WARD_E_INVALID;
    }
    sealed = ward_calloc(num_ops, sizeof(*sealed));
    bufs = ward_calloc(num_ops, sizeof(*bufs));
    if (sealed == NULL || bufs == NULL) {
        err = WARD_E_NOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < num_ops; i++) {
        ward_buf_init(&bufs[i], WARD_STORE_MAX_VALUE);
    }
    (void)pthread_rwlock_rdlock(&b->lock);
    if (b->keyring == NULL) {
        err = WARD_E_SEALED;
    } else if ((err = seal_ops(b, sealed, bufs, ops, num_ops)) == WARD_OK) {
        err = ward_store_txn(b->store, sealed, num_ops);
    }
    (void)pthread_rwlock_unlock(&b->lock);
    for (size_t i = 0; i < num_ops; i++) {
        ward_buf_cleanup(&bufs[i]);
    }
out_free:
    ward_free(sealed);
    ward_free(bufs);
    return err;
}

/*
 * reencrypt_one moves path to the active term if it is older. Returns
 * WARD_OK with *moved set, or the store's error; a concurrent write (CONFLICT)
 * counts as done, since any new write already uses the active term.
 */
static ward_err reencrypt_one(struct ward_barrier *b, const char *path, bool *moved)
{
    struct ward_buf raw;
    struct ward_buf plain;
    struct ward_buf sealed;
    struct entry_header h;
    uint64_t version = 0;
    ward_err err = WARD_E_INTERNAL;

    *moved = false;
    ward_buf_init(&raw, WARD_STORE_MAX_VALUE);
    ward_buf_init(&plain, WARD_STORE_MAX_VALUE);
    ward_buf_init(&sealed, WARD_STORE_MAX_VALUE);
    if ((err = ward_store_get(b->store, &raw, &version, path)) != WARD_OK ||
        (err = entry_parse(&h, raw.data, raw.len)) != WARD_OK || h.term == b->keyring->active ||
        (err = decrypt_locked(b, &plain, path, &raw)) != WARD_OK ||
        (err = entry_seal(&sealed, keyring_key(b->keyring, b->keyring->active), b->keyring->active,
                          path, plain.data, plain.len)) != WARD_OK) {
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err;
        goto out;
    }
    err = ward_store_cas(b->store, path, version, sealed.data, sealed.len);
    if (err == WARD_OK) {
        *moved = true;
    }
    err = err == WARD_E_CONFLICT ? WARD_OK : err;
out:
    ward_buf_cleanup(&raw);
    ward_buf_cleanup(&plain);
    ward_buf_cleanup(&sealed);
    return err;
}

ward_err ward_barrier_reencrypt(struct ward_barrier *b, size_t max_entries, size_t *out_moved,
                                size_t *out_left)
{
    struct ward_store_list all = { 0 };
    ward_err err = WARD_E_INTERNAL;
    size_t moved = 0;
    size_t left = 0;

    *out_moved = 0;
    *out_left = 0;
    (void)pthread_rwlock_rdlock(&b->lock);
    if (b->keyring == NULL) {
        err = WARD_E_SEALED;
        goto out;
    }
    if ((err = ward_store_list(b->store, &all, "")) != WARD_OK) {
        goto out;
    }
    for (size_t i = 0; i < all.num; i++) {
        bool did = false;

        if (strcmp(all.paths[i], PATH_SEAL) == 0 || strcmp(all.paths[i], PATH_KEYRING) == 0) {
            continue;
        }
        if (moved >= max_entries) {
            left++; /* an upper bound: counts entries not looked at */
            continue;
        }
        if ((err = reencrypt_one(b, all.paths[i], &did)) != WARD_OK) {
            goto out;
        }
        moved += did ? 1 : 0;
    }
    *out_moved = moved;
    *out_left = left;
    if (left == 0) {
        atomic_store(&b->stale_terms, false); /* every entry is on the active term */
    }
    err = WARD_OK;
out:
    (void)pthread_rwlock_unlock(&b->lock);
    ward_store_list_cleanup(&all);
    return err;
}

bool ward_barrier_reencrypt_pending(struct ward_barrier *b)
{
    return atomic_load(&b->stale_terms);
}
