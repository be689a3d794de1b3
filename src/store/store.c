/*
 * store.c - backend selection, the argument checks every backend relies on,
 * and the fault-injection wrapper tests use to simulate a full disk.
 *
 * The public functions validate paths, values and ops here, once, so the
 * backends may assume: paths are 1..WARD_STORE_MAX_PATH bytes, prefixes are
 * 0..WARD_STORE_MAX_PATH bytes, PUT values are <= WARD_STORE_MAX_VALUE bytes,
 * a CHECK op has check_version set, and a txn has at least one op.
 *
 * THREADS: the wrappers keep no state of their own; backends serialise
 * internally. The fault wrapper's write counter is atomic.
 */
#include "store.h"

#include <stdatomic.h>
#include <string.h>

#include "base/mem.h"
#include "store_int.h"

ward_err ward_store_attach(struct ward_store **out, const struct ward_store_ops *ops, void *impl)
{
    struct ward_store *st;

    *out = NULL;
    if ((st = ward_alloc(sizeof(*st))) == NULL) {
        ops->close(impl);
        return WARD_E_NOMEM;
    }
    st->ops = ops;
    st->impl = impl;
    *out = st;
    return WARD_OK;
}

ward_err ward_store_open(struct ward_store **out, const char *spec)
{
    static const char sqlite_scheme[] = "sqlite:";

    if (out == NULL) {
        return WARD_E_INVALID;
    }
    *out = NULL;
    if (spec == NULL) {
        return WARD_E_INVALID;
    }
    if (strcmp(spec, "memory:") == 0) {
        return ward_store_memory_open(out);
    }
    if (strncmp(spec, sqlite_scheme, sizeof(sqlite_scheme) - 1) == 0) {
        return ward_store_sqlite_open(out, spec + sizeof(sqlite_scheme) - 1);
    }
    return WARD_E_INVALID;
}

void ward_store_close(struct ward_store *st)
{
    if (st == NULL) {
        return;
    }
    st->ops->close(st->impl);
    ward_free(st);
}

static bool path_ok(const char *path)
{
    size_t n;

    if (path == NULL) {
        return false;
    }
    n = strnlen(path, WARD_STORE_MAX_PATH + 1);
    return n > 0 && n <= WARD_STORE_MAX_PATH;
}

static ward_err check_op(const struct ward_store_op *op)
{
    if (!path_ok(op->path)) {
        return WARD_E_INVALID;
    }
    switch (op->kind) {
    case WARD_STORE_PUT:
        if (op->value_len > WARD_STORE_MAX_VALUE) {
            return WARD_E_TOO_LARGE;
        }
        return op->value == NULL && op->value_len > 0 ? WARD_E_INVALID : WARD_OK;
    case WARD_STORE_DELETE:
        return WARD_OK;
    case WARD_STORE_CHECK:
        /* A CHECK that checks nothing is a caller bug; fail closed. */
        return op->check_version ? WARD_OK : WARD_E_INVALID;
    }
    return WARD_E_INVALID;
}

ward_err ward_store_get(struct ward_store *st, struct ward_buf *out, uint64_t *out_version,
                        const char *path)
{
    uint64_t version = 0;
    ward_err err = WARD_E_INTERNAL;

    if (out_version != NULL) {
        *out_version = 0;
    }
    if (st == NULL || out == NULL || !path_ok(path)) {
        err = WARD_E_INVALID;
        goto out;
    }
    if ((err = st->ops->get(st->impl, out, &version, path)) != WARD_OK) {
        goto out;
    }
    if (out_version != NULL) {
        *out_version = version;
    }
    err = WARD_OK;
out:
    return err;
}

ward_err ward_store_txn(struct ward_store *st, const struct ward_store_op *ops, size_t num_ops)
{
    size_t i;
    ward_err err;

    if (st == NULL || (ops == NULL && num_ops > 0)) {
        return WARD_E_INVALID;
    }
    for (i = 0; i < num_ops; i++) {
        if ((err = check_op(&ops[i])) != WARD_OK) {
            return err;
        }
    }
    if (num_ops == 0) {
        return WARD_OK;
    }
    return st->ops->txn(st->impl, ops, num_ops);
}

ward_err ward_store_put(struct ward_store *st, const char *path, const uint8_t *value,
                        size_t value_len)
{
    struct ward_store_op op = {
        .kind = WARD_STORE_PUT, .path = path, .value = value, .value_len = value_len
    };

    return ward_store_txn(st, &op, 1);
}

ward_err ward_store_delete(struct ward_store *st, const char *path)
{
    struct ward_store_op op = { .kind = WARD_STORE_DELETE, .path = path };

    return ward_store_txn(st, &op, 1);
}

ward_err ward_store_cas(struct ward_store *st, const char *path, uint64_t expected_version,
                        const uint8_t *value, size_t value_len)
{
    struct ward_store_op op = { .kind = WARD_STORE_PUT,
                                .path = path,
                                .value = value,
                                .value_len = value_len,
                                .check_version = true,
                                .expected_version = expected_version };

    return ward_store_txn(st, &op, 1);
}

ward_err ward_store_list(struct ward_store *st, struct ward_store_list *out, const char *prefix)
{
    if (out == NULL) {
        return WARD_E_INVALID;
    }
    out->paths = NULL;
    out->num = 0;
    if (st == NULL || prefix == NULL ||
        strnlen(prefix, WARD_STORE_MAX_PATH + 1) > WARD_STORE_MAX_PATH) {
        return WARD_E_INVALID;
    }
    return st->ops->list(st->impl, out, prefix);
}

void ward_store_list_cleanup(struct ward_store_list *l)
{
    size_t i;

    if (l == NULL) {
        return;
    }
    for (i = 0; i < l->num; i++) {
        ward_free(l->paths[i]);
    }
    ward_free(l->paths);
    l->paths = NULL;
    l->num = 0;
}

ward_err ward_store_list_add(struct ward_store_list *l, size_t *cap, const char *path,
                             size_t path_len)
{
    char **paths;
    char *copy;
    size_t new_cap;

    if (l->num == *cap) {
        new_cap = *cap == 0 ? 16 : *cap * 2;
        if (new_cap > SIZE_MAX / sizeof(*paths)) {
            return WARD_E_NOMEM;
        }
        if ((paths = ward_realloc(l->paths, new_cap * sizeof(*paths))) == NULL) {
            return WARD_E_NOMEM;
        }
        l->paths = paths;
        *cap = new_cap;
    }
    if ((copy = ward_alloc(path_len + 1)) == NULL) {
        return WARD_E_NOMEM;
    }
    memcpy(copy, path, path_len);
    copy[path_len] = '\0';
    l->paths[l->num++] = copy;
    return WARD_OK;
}

/*
 * The fault wrapper: a backend over another store whose writes start failing
 * at a chosen count, the way a disk fills up. A failing write never reaches
 * inner, so it changes nothing.
 */
struct fault {
    struct ward_store *inner;    /* borrowed */
    uint64_t fail_after;         /* 0 = never */
    atomic_uint_fast64_t writes; /* txns attempted so far */
};

static ward_err fault_get(void *impl, struct ward_buf *out, uint64_t *out_version, const char *path)
{
    struct fault *f = impl;

    return f->inner->ops->get(f->inner->impl, out, out_version, path);
}

static ward_err fault_txn(void *impl, const struct ward_store_op *ops, size_t num_ops)
{
    struct fault *f = impl;
    uint64_t n = atomic_fetch_add(&f->writes, 1) + 1;

    if (f->fail_after != 0 && n >= f->fail_after) {
        return WARD_E_STORE_FULL;
    }
    return f->inner->ops->txn(f->inner->impl, ops, num_ops);
}

static ward_err fault_list(void *impl, struct ward_store_list *out, const char *prefix)
{
    struct fault *f = impl;

    return f->inner->ops->list(f->inner->impl, out, prefix);
}

static void fault_close(void *impl)
{
    ward_free(impl);
}

static const struct ward_store_ops fault_ops = {
    .name = "fault",
    .get = fault_get,
    .txn = fault_txn,
    .list = fault_list,
    .close = fault_close,
};

ward_err ward_store_fault_new(struct ward_store **out, struct ward_store *inner,
                              uint64_t fail_after)
{
    struct fault *f;

    if (out == NULL) {
        return WARD_E_INVALID;
    }
    *out = NULL;
    if (inner == NULL) {
        return WARD_E_INVALID;
    }
    if ((f = ward_alloc(sizeof(*f))) == NULL) {
        return WARD_E_NOMEM;
    }
    f->inner = inner;
    f->fail_after = fail_after;
    atomic_init(&f->writes, 0);
    return ward_store_attach(out, &fault_ops, f);
}
