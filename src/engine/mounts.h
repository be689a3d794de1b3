/*
 * mounts.h - the mount table: which secrets engine or auth method serves
 * which path prefix, as Vault's sys/mounts and sys/auth.
 *
 * Keeper-side, internal to src/engine. A mount is a path prefix ending in
 * '/' ("secret/", "kv-team/", "auth/ldap-dir1/") bound to a kind (kv,
 * transit, token, userpass, approle, cert, ldap, radius). The op table is
 * written for each kind's canonical prefix ("secret/", "transit/",
 * "auth/userpass/", ...): dispatch finds the request's mount (the longest
 * mount path that prefixes the request path at a segment boundary),
 * replaces the mount path by its kind's canonical prefix and routes that,
 * so one row serves every mount of its kind, and the handler gets the
 * mount in c->mount. Policies see the real path (mount path included).
 *
 * A mount's data lives under its storage id, never under its path, so a
 * path disabled and enabled again starts empty, and paths never reach
 * storage. The table itself is one barrier entry ("sys/mounts", JSON); its
 * layout is in docs/storage-format.md "Mount table". Until the first
 * enable or disable, the table is the built-in one (secret/ kv, transit/
 * transit, auth/token/ token) whose storage ids are the names Ward used
 * before mounts existed ("secret", "transit").
 *
 * Lifetime: a mount is immutable once published except for its kind's own
 * state (thread-safe by the kind's contract); lookups take a reference,
 * dispatch drops it when the request ends, and a disabled mount is erased
 * and freed by whoever drops its last reference.
 *
 * THREADS: every function is thread-safe.
 */
#ifndef WARD_ENGINE_MOUNTS_H
#define WARD_ENGINE_MOUNTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "barrier/barrier.h"
#include "base/err.h"

#define MOUNT_PATH_MAX   128 /* bytes of a mount path, trailing '/' included */
#define MOUNT_STORAGE_ID 32  /* bytes of a storage id ("secret", or "m" + hex) */
#define MOUNT_DESC_MAX   256
#define MOUNT_MAX        256 /* mounts in one table */

struct ward_engine;
struct mount;

/*
 * One kind of mount. open makes the kind's state for a mount whose data
 * lives under storage_id (it must read nothing yet: the barrier may be
 * sealed); close frees it; flush forgets anything decrypted (seal);
 * erase deletes every entry of the mount from storage (disable). Any of
 * flush and erase may be NULL (nothing to do).
 */
struct mount_kind {
    const char *type;  /* Vault's type name: "kv", "transit", "userpass", ... */
    const char *canon; /* the prefix its op rows are written under: "secret/", "auth/ldap/" */
    bool auth;         /* an auth method (sys/auth, under "auth/") */
    WARD_MUST_CHECK ward_err (*open)(void **state, struct ward_engine *e, const struct mount *m);
    void (*close)(void *state);
    void (*flush)(void *state);
    WARD_MUST_CHECK ward_err (*erase)(void *state, struct ward_engine *e, const struct mount *m);
};

struct mount {
    atomic_int refs;
    const struct mount_kind *kind;
    struct ward_engine *eng;               /* borrowed */
    char path[MOUNT_PATH_MAX + 1];         /* "kv-team/", "auth/ldap-dir1/" */
    char storage_id[MOUNT_STORAGE_ID + 1]; /* barrier prefix of its data */
    char accessor[MOUNT_STORAGE_ID + 16];  /* "kv_1f2e3d4c", as Vault prints */
    char description[MOUNT_DESC_MAX + 1];
    int64_t created_ms;
    void *state; /* the kind's state (struct ward_kv *, struct ward_keys *, ...) */
    bool gone;   /* disabled: erase when the last reference drops */
};

/*
 * mount_kinds lists every kind; mount_kind_find returns the kind of a
 * Vault type name ("kv" with options.version "2" and "kv-v2" are both
 * kv), NULL if Ward has none.
 */
const struct mount_kind *mount_kind_find(const char *type);

/* The kinds whose rows mounts.c knows; each kind's file defines its own. */
extern const struct mount_kind g_mount_kv;
extern const struct mount_kind g_mount_transit;
extern const struct mount_kind g_mount_token;
extern const struct mount_kind g_mount_userpass; /* auth_userpass.c */
extern const struct mount_kind g_mount_radius;   /* auth_radius.c */
extern const struct mount_kind g_mount_cert;     /* auth_cert.c */
extern const struct mount_kind g_mount_approle;  /* auth_approle.c */
extern const struct mount_kind g_mount_ldap;     /* auth_ldap.c */

/*
 * mount_canonical: path (after "/v1/") lies under some kind's canonical
 * prefix, so only a mount may serve it (dispatch refuses it unmounted).
 */
bool mount_canonical(const char *path);

/* The table (mounts.c), one per engine. */
struct mount_table;

WARD_MUST_CHECK ward_err mount_table_new(struct mount_table **out, struct ward_engine *e);
void mount_table_free(struct mount_table *t);

/* mount_table_flush forgets every mount's decrypted state (seal). */
void mount_table_flush(struct mount_table *t);

/*
 * mount_lookup finds the mount of path (after "/v1/", e.g.
 * "kv-team/data/app") and takes a reference; *out_rest points into path
 * after the mount path ("data/app"). NULL if no mount serves path. The
 * table is read from storage on first use while unsealed; while sealed
 * (or if it cannot be read) the built-in table answers, so a sealed
 * server still routes (and then refuses with 503).
 */
struct mount *mount_lookup(struct mount_table *t, const char *path, const char **out_rest);

/* mount_find_kind takes a reference on the n-th mount of kind (0, 1, ...), NULL past the end. */
struct mount *mount_find_kind(struct mount_table *t, const struct mount_kind *kind, size_t n);

/* mount_unref drops a reference (NULL allowed). */
void mount_unref(struct mount *m);

/*
 * mount_enable adds a mount of kind at path ("team/kv", with or without a
 * trailing '/'; auth kinds get "auth/" in front). Written to storage
 * before it serves. WARD_E_INVALID (bad path, reserved prefix, overlaps
 * an existing mount), WARD_E_EXISTS.
 */
WARD_MUST_CHECK ward_err mount_enable(struct mount_table *t, const struct mount_kind *kind,
                                      const char *path, const char *description);

/*
 * mount_disable removes the mount at path (the full mount path, e.g.
 * "auth/ldap-dir1/") and erases its data once no request uses it.
 * WARD_E_NOT_FOUND, WARD_E_INVALID (auth/token/ cannot go).
 */
WARD_MUST_CHECK ward_err mount_disable(struct mount_table *t, const char *path);

/*
 * mount_list returns a JSON object of every mount (auth kinds or not) in
 * Vault's shape: {"secret/": {"type": "kv", "accessor": ..., ...}}.
 */
json_t *mount_list(struct mount_table *t, bool auth);

/* mount_json is one mount in Vault's shape (its sys/mounts entry). */
json_t *mount_json(const struct mount *m);

/*
 * mount_storage_path writes "<prefix>/<storage id>/<rest>" into out: where
 * a kind keeps an entry of mount m. false if it does not fit.
 */
bool mount_storage_path(char *out, size_t cap, const char *prefix, const struct mount *m,
                        const char *rest);

#endif
