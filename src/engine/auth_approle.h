/*
 * auth_approle.h - what the approle auth method's two files share:
 * auth_approle.c (roles, role_id, login) and auth_approle_secret.c (secret
 * IDs: generate, list, lookup, destroy, and spending one at login).
 *
 * Keeper-side, internal to src/engine. Entries (auth_cred.h; each JSON
 * under the barrier, its path an HMAC of its name under the mount's name
 * key; docs/storage-format.md):
 *   role   name = role name: role_id, bind_secret_id, secret_id_num_uses,
 *          secret_id_ttl, secret_id_bound_cidrs, token fields
 *   rid    name = role_id: {"role": role name}
 *   sid    name = "<role>/<hex HMAC(name key, "sid" 0x00 secret_id)>":
 *          accessor, created_ms, expire_ms (0: never), uses_left (0:
 *          unlimited), metadata, cidr_list, token_bound_cidrs
 *   acc    name = "<role>/<accessor>": {"role", "sid": the sid name}
 *
 * SECURITY: a secret ID is 16 bytes from the CSPRNG shown once, in the
 * answer to generate; Ward keeps only its HMAC. A login that uses a
 * secret ID checks and decrements its uses under the mount's mutex, so
 * two logins never both spend the last use; an exhausted or expired
 * secret ID is deleted. Every refusal is login_refuse's one answer, and
 * counts in the throttle (keyed on the role_id and the caller's address).
 *
 * THREADS: writes and secret-ID spending hold the mount's mu ("mu held"
 * below: the caller holds it).
 */
#ifndef WARD_ENGINE_AUTH_APPROLE_H
#define WARD_ENGINE_AUTH_APPROLE_H

#include "auth_cred.h"

#define APPROLE_ROLE        "role"
#define APPROLE_RID         "rid"
#define APPROLE_SID         "sid"
#define APPROLE_ACC         "acc"
#define APPROLE_ROLE_ID_MAX 64
#define APPROLE_SECRET_MAX  128
#define APPROLE_SID_NAME    (CRED_NAME_MAX + 80) /* "<role>/<64 hex>" or "<role>/<uuid>" */

/* approle_uuid writes a random version-4 UUID (36 characters and a NUL). */
WARD_MUST_CHECK ward_err approle_uuid(char out[37]);

/* approle_str_is: v is the string s (false for a missing or non-string value). */
bool approle_str_is(const json_t *v, const char *s);

/* approle_role_name reads the :role_name segment; fails c if it is not a valid name. */
bool approle_role_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1]);

/*
 * approle_body_text reads a string field of c's body: 1..max bytes without
 * control bytes (*out NULL if absent or null); false if malformed.
 */
bool approle_body_text(const struct op_ctx *c, const char *key, size_t max, const char **out);

/* approle_get_role reads the role of c's path (owned); fails c and returns NULL if none. */
json_t *approle_get_role(struct op_ctx *c, char name[CRED_NAME_MAX + 1]);

/* approle_copy_or_empty is a copy of obj's array at key, or a new empty array. */
json_t *approle_copy_or_empty(const json_t *obj, const char *key);

/* approle_role_secrets sets *out to the acc entries of role (an owned array). */
WARD_MUST_CHECK ward_err approle_role_secrets(struct cred_mount *cm, json_t **out,
                                              const char *role);

/* approle_drop_secret deletes a secret ID's sid and acc entries, given its acc entry (mu held). */
WARD_MUST_CHECK ward_err approle_drop_secret(struct cred_mount *cm, const json_t *acc);

/*
 * approle_spend_secret checks and spends one use of secret for role from
 * source (mu held): false if unknown, expired, exhausted or bound
 * elsewhere. An expired or last-used secret ID is deleted; a use counts
 * only once its write reached storage. On true, *meta receives the secret
 * ID's metadata (owned).
 */
bool approle_spend_secret(struct cred_mount *cm, const char *role, const char *secret,
                          const char *source, json_t **meta);

#endif
