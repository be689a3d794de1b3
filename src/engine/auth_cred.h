/*
 * auth_cred.h - what the auth methods that keep credentials in Ward
 * (userpass, approle) share: per-mount state, entries under the barrier
 * whose storage paths hide the names, and the login throttle.
 *
 * Keeper-side, internal to src/engine. Entries live at
 *   auth/<storage id>/<area>/<hex HMAC-SHA-256(name key, area || 0x00 || name)>
 * as JSON under the barrier, each holding its own name ("name"), so a
 * user or role name never reaches storage in clear and an entry moved to
 * another name's path is refused (WARD_E_INTEGRITY). The name key is 32
 * random bytes at auth/<storage id>/key, made on first use, kept in
 * locked memory until a seal (cred_flush).
 *
 * THREADS: key_mu guards name_key; mu serialises every read-modify-write
 * of the mount's entries (handlers take it; logins read without it and
 * never hold it across Argon2id). The lockout table has its own lock.
 */
#ifndef WARD_ENGINE_AUTH_CRED_H
#define WARD_ENGINE_AUTH_CRED_H

#include <pthread.h>

#include <jansson.h>

#include "auth/lockout.h"
#include "engine_int.h"
#include "login.h"

#define CRED_NAME_MAX  64  /* bytes of a user or role name */
#define CRED_SPATH_MAX 160 /* bytes of an entry's storage path */

/*
 * userpass's Argon2id cost for new hashes: OWASP's minimum (19 MiB, 2
 * passes, 1 lane). Stored beside each hash, so raising it later leaves old
 * hashes valid. bench/bench_login.c measures the same cost in process.
 */
#define USERPASS_ARGON2_T 2
#define USERPASS_ARGON2_M 19456
#define USERPASS_ARGON2_P 1

struct cred_mount {
    const struct mount *m; /* borrowed: the mount owns this state */
    struct ward_barrier *b;
    struct ward_lockout *lockout;
    pthread_mutex_t mu;
    pthread_mutex_t key_mu;
    struct ward_secret *name_key; /* guarded by key_mu; NULL until used, and after a seal */
};

/* The mount_kind callbacks of both kinds (mounts.h). */
WARD_MUST_CHECK ward_err cred_open(void **state, struct ward_engine *e, const struct mount *m);
void cred_close(void *state);
void cred_flush(void *state);
WARD_MUST_CHECK ward_err cred_erase(void *state, struct ward_engine *e, const struct mount *m);

/* cred_of is the state of the mount c was routed through. */
struct cred_mount *cred_of(const struct op_ctx *c);

/*
 * cred_name copies a name from a path segment, lower-cased (Vault's user
 * and role names are case-insensitive); false unless 1..CRED_NAME_MAX
 * bytes of A-Z a-z 0-9 _ . @ - (so it fits a token's principal).
 */
bool cred_name(char out[CRED_NAME_MAX + 1], const char *in);

/*
 * cred_id writes hex(HMAC-SHA-256(name key, area || 0x00 || name)): the
 * id of name in area, also how approle keeps secret IDs (never in clear).
 * name: at most CRED_KEY_MAX bytes.
 */
#define CRED_KEY_MAX 200
WARD_MUST_CHECK ward_err cred_id(struct cred_mount *cm, char out[65], const char *area,
                                 const char *name);

/* cred_path writes where area's entry for name lives. */
WARD_MUST_CHECK ward_err cred_path(struct cred_mount *cm, char out[CRED_SPATH_MAX],
                                   const char *area, const char *name);

/*
 * cred_get reads area's entry for name as a JSON object (owned by the
 * caller). WARD_E_NOT_FOUND, WARD_E_INTEGRITY (not the entry of name).
 */
WARD_MUST_CHECK ward_err cred_get(struct cred_mount *cm, json_t **out, const char *area,
                                  const char *name);

/* cred_put writes v (which must hold "name": name) as area's entry for name. */
WARD_MUST_CHECK ward_err cred_put(struct cred_mount *cm, const char *area, const char *name,
                                  const json_t *v);

/* cred_delete removes area's entry for name. WARD_E_NOT_FOUND. */
WARD_MUST_CHECK ward_err cred_delete(struct cred_mount *cm, const char *area, const char *name);

/* cred_list sets *out to a sorted JSON array of the names in area. */
WARD_MUST_CHECK ward_err cred_list(struct cred_mount *cm, json_t **out, const char *area);

/* cred_source writes the caller's address without the port ("127.0.0.1"). */
void cred_source(char out[64], const struct op_ctx *c);

/*
 * cred_list_reply answers a LIST in Vault's shape ({"keys": [...]});
 * an empty list is 404, as Vault.
 */
void cred_list_reply(struct op_ctx *c, json_t *keys);

/* cred_reply sets c->data to Vault's envelope around data (stolen). */
void cred_reply(struct op_ctx *c, json_t *data);

/*
 * The token fields every role or user carries, Vault's names:
 * token_policies (or the older "policies"), token_ttl, token_max_ttl,
 * token_explicit_max_ttl (taken as token_max_ttl), token_no_default_policy
 * and token_bound_cidrs (checked against the caller's address at login).
 * token_num_uses, token_period and a token_type other than
 * default/service are refused, not ignored.
 *
 * cred_token_update sets in entry those present in body. WARD_E_INVALID
 * with *why set.
 */
WARD_MUST_CHECK ward_err cred_token_update(json_t *entry, const json_t *body, const char **why);

/* cred_token_read adds entry's token fields to data in Vault's read shape. */
void cred_token_read(json_t *data, const json_t *entry);

/*
 * cred_reply_token answers a read of a user or role with entry's token
 * fields only (entry stolen): never a hash, salt or secret it holds.
 */
void cred_reply_token(struct op_ctx *c, json_t *entry);

/*
 * cred_login_fill points l's policies (through names, LOGIN_MAX_POLICIES
 * slots) and TTLs at entry's (borrowed: entry must outlive l).
 */
void cred_login_fill(struct login *l, const char **names, const json_t *entry);

/*
 * cred_get_int and cred_get_bool read a field as json_get_int and
 * json_get_bool do, also from its text ("5", "true"/"false"), as Vault
 * takes fields from `vault write key=value`. Absent or null: *present
 * false (bool: *out unchanged). WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err cred_get_int(const json_t *obj, const char *key, int64_t lo, int64_t hi,
                                      int64_t *out, bool *present);
WARD_MUST_CHECK ward_err cred_get_bool(const json_t *obj, const char *key, bool *out);

/* cred_cidrs_allow: source lies in the CIDR list stored at entry's key (absent or empty: yes). */
bool cred_cidrs_allow(const json_t *entry, const char *key, const char *source);

/*
 * cred_cidrs_json reads a CIDR list field of body (array of strings or one
 * comma-separated string) into *out as an array of canonical "addr/bits"
 * strings (owned). Absent: *out NULL. WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err cred_cidrs_json(json_t **out, const json_t *body, const char *key);

#endif
