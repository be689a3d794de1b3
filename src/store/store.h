/*
 * store.h - the storage backend interface: opaque bytes under string paths.
 *
 * Backends know nothing of crypto: the barrier hands them ciphertext only.
 * Every entry carries a version, a counter the backend bumps on each write
 * (first write = 1), used for compare-and-set. Writes are durable when they
 * return WARD_OK; a write that fails has changed nothing.
 *
 * Backends: "sqlite:<file>" (default; WAL, synchronous=FULL), "memory:"
 * (tests and dev). Each is one file behind struct ward_store_ops.
 *
 * THREADS: every function may be called from any thread; backends serialise
 * internally.
 */
#ifndef WARD_STORE_STORE_H
#define WARD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define WARD_STORE_MAX_PATH  1024
#define WARD_STORE_MAX_VALUE (16u << 20)

enum ward_store_op_kind {
    WARD_STORE_PUT,
    WARD_STORE_DELETE,
    WARD_STORE_CHECK, /* asserts expected_version only; writes nothing */
};

/* One operation of a transaction; everything borrowed. */
struct ward_store_op {
    enum ward_store_op_kind kind;
    const char *path;
    const uint8_t *value; /* PUT only */
    size_t value_len;
    bool check_version;        /* if set, the txn fails unless ... */
    uint64_t expected_version; /* ... the entry's version is this (0 = absent) */
};

struct ward_store_list {
    char **paths; /* sorted, owned */
    size_t num;
};

struct ward_store_ops {
    const char *name;
    ward_err (*get)(void *impl, struct ward_buf *out, uint64_t *out_version, const char *path);
    ward_err (*txn)(void *impl, const struct ward_store_op *ops, size_t num_ops);
    ward_err (*list)(void *impl, struct ward_store_list *out, const char *prefix);
    void (*close)(void *impl);
};

struct ward_store {
    const struct ward_store_ops *ops;
    void *impl;
};

/*
 * ward_store_open opens the backend named by spec ("sqlite:/var/lib/ward.db",
 * "memory:"). A sqlite file is created if absent; an existing file that is not
 * a sound SQLite database fails with WARD_E_STORE_CORRUPT. Caller owns *out.
 */
WARD_MUST_CHECK ward_err ward_store_open(struct ward_store **out, const char *spec);

/* ward_store_close closes and frees st; NULL is allowed. */
void ward_store_close(struct ward_store *st);

/*
 * ward_store_get appends the value at path to out (which the caller has
 * initialised with its own max) and sets *out_version (may be NULL).
 * WARD_E_NOT_FOUND if absent.
 */
WARD_MUST_CHECK ward_err ward_store_get(struct ward_store *st, struct ward_buf *out,
                                        uint64_t *out_version, const char *path);

/* ward_store_put writes one entry (a one-op txn). */
WARD_MUST_CHECK ward_err ward_store_put(struct ward_store *st, const char *path,
                                        const uint8_t *value, size_t value_len);

/* ward_store_delete removes one entry; deleting an absent entry is WARD_OK. */
WARD_MUST_CHECK ward_err ward_store_delete(struct ward_store *st, const char *path);

/*
 * ward_store_cas writes path only if its version is expected_version
 * (0 = must be absent); else WARD_E_CONFLICT and nothing is written.
 */
WARD_MUST_CHECK ward_err ward_store_cas(struct ward_store *st, const char *path,
                                        uint64_t expected_version, const uint8_t *value,
                                        size_t value_len);

/*
 * ward_store_txn applies all ops atomically and durably, or none of them:
 * WARD_E_CONFLICT if a version check fails, WARD_E_STORE_FULL if the disk is
 * full, WARD_E_STORE_IO otherwise.
 */
WARD_MUST_CHECK ward_err ward_store_txn(struct ward_store *st, const struct ward_store_op *ops,
                                        size_t num_ops);

/* ward_store_list returns every path starting with prefix, sorted. */
WARD_MUST_CHECK ward_err ward_store_list(struct ward_store *st, struct ward_store_list *out,
                                         const char *prefix);

/* ward_store_list_cleanup frees a list filled by ward_store_list. */
void ward_store_list_cleanup(struct ward_store_list *l);

/*
 * ward_store_cache_new puts a read cache in front of inner (owned from now
 * on, even on failure): gets of recently read or written-then-read paths
 * are answered from memory, writes and lists go through (store_cache.c).
 * The cache holds the backend's bytes (barrier ciphertext): it may only
 * front a store no other process writes.
 */
WARD_MUST_CHECK ward_err ward_store_cache_new(struct ward_store **out, struct ward_store *inner);

/*
 * ward_store_fault_new wraps inner (borrowed; must outlive the wrapper) in a
 * backend whose writes fail with WARD_E_STORE_FULL from the fail_after-th
 * write on (1 = the next write), changing nothing. Tests simulate a full disk
 * with it. 0 = never fail.
 */
WARD_MUST_CHECK ward_err ward_store_fault_new(struct ward_store **out, struct ward_store *inner,
                                              uint64_t fail_after);

#endif
