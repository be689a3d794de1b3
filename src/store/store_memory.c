/*
 * store_memory.c - the "memory:" backend: a sorted array of entries, for tests
 * and development. Nothing survives close.
 *
 * Entries are kept sorted by path in byte order (strcmp compares as unsigned
 * char), the same order SQLite's BINARY collation gives, so both backends list
 * alike. A txn applies its ops one by one, recording an undo record for each;
 * on any failure the records are replayed backwards, so a failed txn leaves
 * the array exactly as it was. Rollback needs no allocation: the array never
 * shrinks its capacity, and each undo step returns to a size it held before.
 * Values are wiped when deleted, overwritten or closed.
 *
 * THREADS: any thread may call in. mu guards every field of struct memory and
 * is held for the whole of each call, so a txn is atomic to readers.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "base/mem.h"
#include "store_int.h"

struct entry {
    char *path;     /* owned */
    uint8_t *value; /* owned; NULL when value_len == 0 */
    size_t value_len;
    uint64_t version; /* >= 1 */
};

struct memory {
    pthread_mutex_t mu;
    struct entry *entries; /* guarded by mu; sorted by path */
    size_t num;            /* guarded by mu */
    size_t cap;            /* guarded by mu; never shrinks */
};

/* What one applied op replaced, so it can be put back. */
struct undo {
    const char *path; /* borrowed from the op; NULL if the op changed nothing */
    bool had_old;
    struct entry old; /* moved out of entries; freed when the txn commits */
};

static void entry_free(struct entry *e)
{
    ward_free_wipe(e->value, e->value_len);
    ward_free(e->path);
    e->path = NULL;
    e->value = NULL;
    e->value_len = 0;
}

/* find returns whether path is present; *idx is its slot or insertion point. */
static bool find(const struct memory *m, size_t *idx, const char *path)
{
    size_t lo = 0;
    size_t hi = m->num;
    size_t mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strcmp(m->entries[mid].path, path);
        if (c == 0) {
            *idx = mid;
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *idx = lo;
    return false;
}

static ward_err reserve_one(struct memory *m)
{
    struct entry *p;
    size_t cap;

    if (m->num < m->cap) {
        return WARD_OK;
    }
    cap = m->cap == 0 ? 16 : m->cap * 2;
    if (cap > SIZE_MAX / sizeof(*p)) {
        return WARD_E_NOMEM;
    }
    /* realloc is fine: the array holds pointers, never the values. */
    if ((p = ward_realloc(m->entries, cap * sizeof(*p))) == NULL) {
        return WARD_E_NOMEM;
    }
    m->entries = p;
    m->cap = cap;
    return WARD_OK;
}

static void insert_at(struct memory *m, size_t idx, const struct entry *e)
{
    WARD_CHECK(m->num < m->cap && idx <= m->num);
    memmove(&m->entries[idx + 1], &m->entries[idx], (m->num - idx) * sizeof(*e));
    m->entries[idx] = *e;
    m->num++;
}

static void remove_at(struct memory *m, struct entry *out, size_t idx)
{
    WARD_CHECK(idx < m->num);
    *out = m->entries[idx];
    memmove(&m->entries[idx], &m->entries[idx + 1], (m->num - idx - 1) * sizeof(*out));
    m->num--;
}

static ward_err entry_new(struct entry *out, const struct ward_store_op *op, uint64_t version)
{
    ward_err err = WARD_E_INTERNAL;
    struct entry e = { .value_len = op->value_len, .version = version };

    if ((e.path = ward_strdup(op->path)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if (op->value_len > 0) {
        if ((e.value = ward_alloc(op->value_len)) == NULL) {
            err = WARD_E_NOMEM;
            goto out;
        }
        memcpy(e.value, op->value, op->value_len);
    }
    *out = e;
    e = (struct entry){ 0 };
    err = WARD_OK;
out:
    entry_free(&e);
    return err;
}

/* apply_op performs op or, failing, changes nothing; u records what it replaced. */
static ward_err apply_op(struct memory *m, struct undo *u, const struct ward_store_op *op)
{
    struct entry e = { 0 };
    size_t idx;
    bool found = find(m, &idx, op->path);
    uint64_t version = found ? m->entries[idx].version : 0;
    ward_err err = WARD_E_INTERNAL;

    if (op->check_version && version != op->expected_version) {
        return WARD_E_CONFLICT;
    }
    if (op->kind == WARD_STORE_CHECK || (op->kind == WARD_STORE_DELETE && !found)) {
        return WARD_OK;
    }
    u->path = op->path;
    u->had_old = found;
    if (op->kind == WARD_STORE_DELETE) {
        remove_at(m, &u->old, idx);
        return WARD_OK;
    }
    if ((err = entry_new(&e, op, version + 1)) != WARD_OK) {
        goto out;
    }
    if (found) {
        u->old = m->entries[idx];
        m->entries[idx] = e;
    } else if ((err = reserve_one(m)) == WARD_OK) {
        insert_at(m, idx, &e);
    } else {
        entry_free(&e);
        goto out;
    }
    err = WARD_OK;
out:
    if (err != WARD_OK) {
        u->path = NULL;
    }
    return err;
}

static void rollback(struct memory *m, struct undo *undo, size_t num)
{
    struct entry cur;
    size_t idx;

    while (num-- > 0) {
        if (undo[num].path == NULL) {
            continue;
        }
        if (find(m, &idx, undo[num].path)) {
            remove_at(m, &cur, idx);
            entry_free(&cur);
        }
        if (undo[num].had_old) {
            (void)find(m, &idx, undo[num].path);
            insert_at(m, idx, &undo[num].old);
        }
    }
}

static ward_err mem_txn(void *impl, const struct ward_store_op *ops, size_t num_ops)
{
    struct memory *m = impl;
    struct undo *undo = NULL;
    size_t i;
    ward_err err = WARD_E_INTERNAL;

    if ((undo = ward_calloc(num_ops, sizeof(*undo))) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    WARD_CHECK(pthread_mutex_lock(&m->mu) == 0);
    for (i = 0; i < num_ops; i++) {
        if ((err = apply_op(m, &undo[i], &ops[i])) != WARD_OK) {
            rollback(m, undo, i);
            goto out_unlock;
        }
    }
    for (i = 0; i < num_ops; i++) {
        if (undo[i].path != NULL && undo[i].had_old) {
            entry_free(&undo[i].old);
        }
    }
    err = WARD_OK;
out_unlock:
    WARD_CHECK(pthread_mutex_unlock(&m->mu) == 0);
out:
    ward_free(undo);
    return err;
}

static ward_err mem_get(void *impl, struct ward_buf *out, uint64_t *out_version, const char *path)
{
    struct memory *m = impl;
    size_t idx;
    ward_err err = WARD_E_INTERNAL;

    WARD_CHECK(pthread_mutex_lock(&m->mu) == 0);
    if (!find(m, &idx, path)) {
        err = WARD_E_NOT_FOUND;
        goto out_unlock;
    }
    if ((err = ward_buf_append(out, m->entries[idx].value, m->entries[idx].value_len)) != WARD_OK) {
        goto out_unlock;
    }
    *out_version = m->entries[idx].version;
    err = WARD_OK;
out_unlock:
    WARD_CHECK(pthread_mutex_unlock(&m->mu) == 0);
    return err;
}

static ward_err mem_list(void *impl, struct ward_store_list *out, const char *prefix)
{
    struct memory *m = impl;
    struct ward_store_list l = { 0 };
    size_t cap = 0;
    size_t plen = strlen(prefix);
    size_t i;
    ward_err err = WARD_E_INTERNAL;

    WARD_CHECK(pthread_mutex_lock(&m->mu) == 0);
    (void)find(m, &i, prefix);
    for (; i < m->num && strncmp(m->entries[i].path, prefix, plen) == 0; i++) {
        if ((err = ward_store_list_add(&l, &cap, m->entries[i].path, strlen(m->entries[i].path))) !=
            WARD_OK) {
            goto out_unlock;
        }
    }
    *out = l;
    l = (struct ward_store_list){ 0 };
    err = WARD_OK;
out_unlock:
    WARD_CHECK(pthread_mutex_unlock(&m->mu) == 0);
    ward_store_list_cleanup(&l);
    return err;
}

static void mem_close(void *impl)
{
    struct memory *m = impl;
    size_t i;

    for (i = 0; i < m->num; i++) {
        entry_free(&m->entries[i]);
    }
    ward_free(m->entries);
    (void)pthread_mutex_destroy(&m->mu);
    ward_free(m);
}

static const struct ward_store_ops memory_ops = {
    .name = "memory",
    .get = mem_get,
    .txn = mem_txn,
    .list = mem_list,
    .close = mem_close,
};

ward_err ward_store_memory_open(struct ward_store **out)
{
    struct memory *m;

    *out = NULL;
    if ((m = ward_calloc(1, sizeof(*m))) == NULL) {
        return WARD_E_NOMEM;
    }
    if (pthread_mutex_init(&m->mu, NULL) != 0) {
        ward_free(m);
        return WARD_E_SYS;
    }
    return ward_store_attach(out, &memory_ops, m);
}
