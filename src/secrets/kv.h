/*
 * kv.h - versioned key/value secrets (Vault's KV v2) on the barrier.
 *
 * Keeper-side. One struct ward_kv serves one mount ("secret"). Secret paths
 * never reach the storage backend in clear (SECURITY): every entry of a
 * secret is stored under HMAC-SHA-256(mount key, path) in hex, the mount key
 * being 32 random bytes kept under the barrier at "kv/<mount>/key", and the
 * path itself sits inside the encrypted metadata entry. Listing works from
 * encrypted directory entries, one per folder, updated in the same
 * ward_barrier_txn as the write that adds or removes a name. Entry formats:
 * docs/storage-format.md "KV v2".
 *
 * Invariants: a metadata entry lists at most WARD_KV_MAX_VERSIONS_CAP
 * versions; every listed version that is not destroyed has its value entry,
 * and no other value entry exists (eviction and destroy delete the value in
 * the txn that updates the metadata).
 *
 * THREADS: every function is thread-safe: one read-write lock per mount;
 * reads (get, metadata, list, config) share it, writes (read-modify-write
 * of metadata and directories) hold it alone.
 */
#ifndef WARD_SECRETS_KV_H
#define WARD_SECRETS_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barrier/barrier.h"
#include "base/buf.h"
#include "base/err.h"

/*
 * WARD_KV_MAX_VALUE caps a version's data (JSON text): every write above it
 * is refused. The server refuses above its configured limit ([kv]
 * max_value_bytes, default WARD_KV_DEFAULT_MAX_VALUE, at most the cap). Reads
 * take any stored size up to the cap, so lowering the limit never makes a
 * stored version unreadable.
 */
#define WARD_KV_MAX_PATH          512
#define WARD_KV_MAX_VALUE         (8u << 20)
#define WARD_KV_DEFAULT_MAX_VALUE (512u << 10)
#define WARD_KV_MAX_CUSTOM        (64u << 10) /* bytes of custom_metadata (JSON text) */
#define WARD_KV_DEFAULT_VERSIONS  10
#define WARD_KV_MAX_VERSIONS_CAP  1000
#define WARD_KV_MAX_LIST          100000

enum ward_kv_type {
    WARD_KV_USER = 1,
    WARD_KV_GENERATED = 2,
};

struct ward_kv_version {
    uint64_t version;
    int64_t created_ms;
    int64_t deletion_ms; /* 0 = not deleted; may lie in the future */
    bool destroyed;
    uint8_t type; /* enum ward_kv_type */
};

/* Mount configuration (Vault's secret/config). */
struct ward_kv_config {
    uint32_t max_versions; /* 0 = WARD_KV_DEFAULT_VERSIONS */
    bool cas_required;
    int64_t delete_after_s; /* 0 = never */
};

/* One secret's metadata. Clean up with ward_kv_meta_cleanup. */
struct ward_kv_meta {
    char path[WARD_KV_MAX_PATH + 1];
    uint32_t max_versions; /* 0 = the mount's */
    bool cas_required;
    int64_t delete_after_s;
    int64_t created_ms;
    int64_t updated_ms;
    uint64_t current_version;
    uint64_t oldest_version;
    struct ward_buf custom; /* JSON object text; empty = none */
    size_t num_versions;
    struct ward_kv_version *versions; /* ascending by version; owned */
};

/* Fields a metadata update sets; the has_ flags say which. */
struct ward_kv_meta_update {
    bool has_max_versions;
    uint32_t max_versions;
    bool has_cas_required;
    bool cas_required;
    bool has_delete_after;
    int64_t delete_after_s;
    const uint8_t *custom; /* JSON object text, or NULL to keep */
    size_t custom_len;
};

/* A write: data is JSON object text (borrowed). */
struct ward_kv_write {
    const uint8_t *data;
    size_t data_len;
    enum ward_kv_type type;
    bool has_cas;
    uint64_t cas;
};

struct ward_kv_list {
    char **keys; /* sorted; folders end in '/'; owned */
    size_t num;
};

struct ward_kv;

/*
 * ward_kv_new makes the mount named mount on b (borrowed; must outlive it).
 * Nothing is read until the first call (the barrier may be sealed). NULL *out
 * only on WARD_E_NOMEM or WARD_E_INVALID (mount name).
 */
WARD_MUST_CHECK ward_err ward_kv_new(struct ward_kv **out, struct ward_barrier *b,
                                     const char *mount);

/* ward_kv_free frees kv; NULL is allowed. */
void ward_kv_free(struct ward_kv *kv);

/* ward_kv_flush forgets the mount's name key held since its first use (called at seal). */
void ward_kv_flush(struct ward_kv *kv);

/*
 * ward_kv_put writes a new version of path and fills *out with it; if
 * out_custom is not NULL, the secret's custom_metadata (JSON text, empty if
 * none) is appended to it. The oldest versions beyond max_versions are
 * removed in the same txn. WARD_E_CAS_REQUIRED, WARD_E_CAS_MISMATCH,
 * WARD_E_TOO_LARGE, WARD_E_BAD_PATH, barrier codes. Nothing is written on
 * failure.
 */
WARD_MUST_CHECK ward_err ward_kv_put(struct ward_kv *kv, struct ward_kv_version *out,
                                     struct ward_buf *out_custom, const char *path,
                                     const struct ward_kv_write *w);

/*
 * ward_kv_get appends the data of version (0 = the latest) to out, fills
 * *out_ver and, if out_custom is not NULL, appends the secret's
 * custom_metadata to it (as ward_kv_put). A deleted or destroyed version
 * fills *out_ver and returns WARD_E_VERSION_DELETED /
 * WARD_E_VERSION_DESTROYED with out untouched. WARD_E_NOT_FOUND if the
 * secret or version does not exist.
 */
WARD_MUST_CHECK ward_err ward_kv_get(struct ward_kv *kv, struct ward_buf *out,
                                     struct ward_kv_version *out_ver, struct ward_buf *out_custom,
                                     const char *path, uint64_t version);

enum ward_kv_action {
    WARD_KV_DELETE,   /* soft: sets deletion time */
    WARD_KV_UNDELETE, /* clears it (destroyed versions stay destroyed) */
    WARD_KV_DESTROY,  /* removes the value from storage */
};

/*
 * ward_kv_versions applies action to the listed versions of path (num 0 =
 * the latest). Unknown versions are ignored, as Vault does. WARD_E_NOT_FOUND
 * if the secret does not exist.
 */
WARD_MUST_CHECK ward_err ward_kv_versions(struct ward_kv *kv, const char *path,
                                          enum ward_kv_action action, const uint64_t *versions,
                                          size_t num);

/* ward_kv_meta_get fills *out (cleared on entry). WARD_E_NOT_FOUND. */
WARD_MUST_CHECK ward_err ward_kv_meta_get(struct ward_kv *kv, struct ward_kv_meta *out,
                                          const char *path);

/* ward_kv_meta_set updates (or creates, with no versions) path's metadata. */
WARD_MUST_CHECK ward_err ward_kv_meta_set(struct ward_kv *kv, const char *path,
                                          const struct ward_kv_meta_update *u);

/* ward_kv_meta_delete removes path with every version (absent = WARD_OK). */
WARD_MUST_CHECK ward_err ward_kv_meta_delete(struct ward_kv *kv, const char *path);

/* ward_kv_meta_cleanup frees what ward_kv_meta_get filled. */
void ward_kv_meta_cleanup(struct ward_kv_meta *m);

/*
 * ward_kv_list_dir lists the names directly under folder dir ("" = the
 * mount's root; with or without a trailing '/'). WARD_E_NOT_FOUND if empty.
 */
WARD_MUST_CHECK ward_err ward_kv_list_dir(struct ward_kv *kv, struct ward_kv_list *out,
                                          const char *dir);

void ward_kv_list_cleanup(struct ward_kv_list *l);

WARD_MUST_CHECK ward_err ward_kv_config_get(struct ward_kv *kv, struct ward_kv_config *out);
WARD_MUST_CHECK ward_err ward_kv_config_set(struct ward_kv *kv, const struct ward_kv_config *in);

/* Rules for a generated value. */
struct ward_kv_gen_params {
    size_t length;       /* characters (alnum, printable) or random bytes (hex, base64) */
    const char *charset; /* "alnum", "hex", "base64", "printable" */
    size_t min_upper;
    size_t min_lower;
    size_t min_digit;
    size_t min_symbol;
};

#define WARD_KV_MAX_GEN 4096

/*
 * ward_kv_generate fills out (a secret-sized buffer, NUL-terminated) with a
 * value drawn from the CSPRNG under p's rules, uniformly among the strings
 * that satisfy them. WARD_E_INVALID for impossible rules.
 */
WARD_MUST_CHECK ward_err ward_kv_generate(struct ward_buf *out, const struct ward_kv_gen_params *p);

#endif
