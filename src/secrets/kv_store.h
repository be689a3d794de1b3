/*
 * kv_store.h - KV storage helpers (kv_store.c); for src/secrets only.
 */
#ifndef WARD_SECRETS_KV_STORE_H
#define WARD_SECRETS_KV_STORE_H

#include "kv_int.h"

#define KV_ID_LEN 64  /* hex of HMAC-SHA-256 */
#define KV_SPATH  192 /* storage path buffer: "kv/" mount "/v/" id "/" version */

/* The mount's name key, loaded per call and wiped after (never cached past a seal). */
struct kv_names {
    char mount[48];
    uint8_t key[32];
};

/* One barrier transaction being built: ops own their paths and values. */
struct kv_txn {
    size_t num;
    size_t cap;
    struct ward_store_op *ops;
    char **paths;
    struct ward_buf *vals;
};

WARD_MUST_CHECK ward_err kv_load_key(struct kv_names *n, struct ward_barrier *b, const char *mount);
void kv_names_cleanup(struct kv_names *n);

WARD_MUST_CHECK ward_err kv_path_meta(const struct kv_names *n, char *out, size_t out_cap,
                                      const char *path);
WARD_MUST_CHECK ward_err kv_path_value(const struct kv_names *n, char *out, size_t out_cap,
                                       const char *path, uint64_t version);
WARD_MUST_CHECK ward_err kv_path_dir(const struct kv_names *n, char *out, size_t out_cap,
                                     const char *dir);

/* kv_txn_add appends an op on path; *out_val (PUT) is the buffer to fill. */
WARD_MUST_CHECK ward_err kv_txn_add(struct kv_txn *t, struct ward_buf **out_val,
                                    enum ward_store_op_kind kind, const char *path);
WARD_MUST_CHECK ward_err kv_txn_commit(struct ward_barrier *b, struct kv_txn *t);
void kv_txn_cleanup(struct kv_txn *t);

/* kv_dir_load reads folder dir's entry into *out (names empty if WARD_E_NOT_FOUND). */
WARD_MUST_CHECK ward_err kv_dir_load(struct ward_barrier *b, const struct kv_names *n,
                                     struct kv_dir *out, const char *dir);

/*
 * kv_dir_update adds to t the directory writes that add (or remove) secret
 * path's name, creating (or dropping) parent folders as they fill (or empty).
 */
WARD_MUST_CHECK ward_err kv_dir_update(struct kv_txn *t, struct ward_barrier *b,
                                       const struct kv_names *n, const char *path, bool add);

#endif
