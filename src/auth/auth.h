/*
 * auth.h - Ward's tokens: integrity-protected, validated without a storage
 * read, revocable and renewable (DESIGN.md section 4, SPEC R-AUTH-1).
 *
 * Keeper-side. A token is the text "w.s." + base64url(payload || tag), tag =
 * HMAC-SHA-256(token key, payload). The payload (token.c has its byte table)
 * carries the id, accessor, principal, policy names, issue time, expiry,
 * maximum expiry and the renewable flag, so checking a token needs the
 * token key and two in-memory tables, never storage:
 *   - the token key: 32 random bytes under the barrier (auth/token/key),
 *     cached in a struct ward_secret while unsealed, wiped by a seal;
 *   - the token state: one barrier entry (auth/token/state) listing revoked
 *     accessors (until the token's maximum expiry) and renewed expiries,
 *     loaded once after an unseal and rewritten on every revoke or renew.
 * A token made by another Ward instance (another token key) fails its tag.
 * The root token ("w.r." + random, made at init) is checked by the barrier
 * and maps to the built-in "root" policy.
 *
 * Lookups by accessor read a record written at issue (auth/token/a/<mac>):
 * the payload and the caller's metadata; never the token itself.
 *
 * SECURITY: tags compare in constant time; a failure says only "invalid"
 * (altered, foreign, expired and revoked tokens look alike to the caller);
 * token text never reaches a log (ward_auth_accessor_hmac gives a stable,
 * keyed handle for logs and audit).
 *
 * THREADS: every function is thread-safe. The key and the state table sit
 * behind one rwlock (readers validate); revoke and renew serialise on a
 * write mutex, write storage first and then swap the table.
 */
#ifndef WARD_AUTH_AUTH_H
#define WARD_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barrier/barrier.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"

#define WARD_TOKEN_ID_LEN       16
#define WARD_TOKEN_KEY_LEN      32
#define WARD_TOKEN_MAX_POLICIES 16
#define WARD_TOKEN_NAME_MAX     64           /* a policy name, the principal, the tenant */
#define WARD_TOKEN_MAX_TEXT     2048         /* the longest token text accepted */
#define WARD_TOKEN_MAX_TTL_S    (768 * 3600) /* 32 days: Vault's default max lease TTL */
#define WARD_ACCESSOR_HEX_LEN   (2 * WARD_TOKEN_ID_LEN)

/* What a token says (or, for the root token, what Ward says of it). */
struct ward_token_info {
    bool root; /* the root token from init: no id, never expires */
    bool renewable;
    uint8_t id[WARD_TOKEN_ID_LEN];
    uint8_t accessor[WARD_TOKEN_ID_LEN];
    int64_t issue_ms;
    int64_t expire_ms;     /* after renewals; > issue_ms */
    int64_t max_expire_ms; /* hard limit; >= expire_ms */
    uint32_t ttl_s;        /* the TTL asked at creation (renew's default increment) */
    uint32_t num_uses;     /* 0: unlimited (the only value issued today) */
    char tenant[WARD_TOKEN_NAME_MAX + 1];    /* "" until tenants arrive */
    char principal[WARD_TOKEN_NAME_MAX + 1]; /* display name */
    size_t num_policies;
    char policies[WARD_TOKEN_MAX_POLICIES][WARD_TOKEN_NAME_MAX + 1];
};

/* ---- the pure token format (token.c) ---- */

/*
 * ward_token_encode writes the token text of info under key into out
 * (appended, NUL-terminated). WARD_E_INVALID if a field is out of range
 * (empty or over-long names, a bad policy name, expiry before issue).
 */
WARD_MUST_CHECK ward_err ward_token_encode(struct ward_buf *out,
                                           const uint8_t key[WARD_TOKEN_KEY_LEN],
                                           const struct ward_token_info *info);

/*
 * ward_token_decode checks the text's tag under key and then parses the
 * payload into *out; no clock, no revocation. WARD_E_TOKEN_INVALID for
 * anything wrong (a wrong prefix, bad base64url, a bad tag, a malformed
 * payload), so a caller learns nothing about why.
 */
WARD_MUST_CHECK ward_err ward_token_decode(struct ward_token_info *out,
                                           const uint8_t key[WARD_TOKEN_KEY_LEN], const char *text,
                                           size_t text_len);

/*
 * ward_token_name_ok: 1..WARD_TOKEN_NAME_MAX bytes of [a-z0-9_.@-]
 * (policy names are lower case, as Vault's).
 */
bool ward_token_name_ok(const char *name);

/* ward_token_payload_parse parses a bare payload (an accessor record's); WARD_E_BAD_ENCODING. */
WARD_MUST_CHECK ward_err ward_token_payload_parse(struct ward_token_info *out, const uint8_t *in,
                                                  size_t in_len);

/* ward_token_payload_encode appends the bare payload of info to out. WARD_E_INVALID. */
WARD_MUST_CHECK ward_err ward_token_payload_encode(struct ward_buf *out,
                                                   const struct ward_token_info *info);

/* ward_accessor_hex writes the accessor as 32 lowercase hex digits and a NUL. */
void ward_accessor_hex(char out[WARD_ACCESSOR_HEX_LEN + 1], const uint8_t acc[WARD_TOKEN_ID_LEN]);

/* ward_accessor_parse reads 32 hex digits; false if malformed. */
bool ward_accessor_parse(uint8_t out[WARD_TOKEN_ID_LEN], const char *hex);

/* ---- the token service (auth.c) ---- */

struct ward_auth;

/* ward_auth_new makes the token service over b (borrowed; must outlive it). */
WARD_MUST_CHECK ward_err ward_auth_new(struct ward_auth **out, struct ward_barrier *b);

/* ward_auth_free wipes and frees a; NULL is allowed. */
void ward_auth_free(struct ward_auth *a);

/*
 * ward_auth_flush forgets the token key and the state table (a seal calls
 * it); the next use after an unseal reloads both.
 */
void ward_auth_flush(struct ward_auth *a);

/*
 * ward_auth_validate checks token (root or signed): the tag, the expiry
 * (renewals included) and revocation, at now_ms. WARD_OK with *out filled,
 * WARD_E_TOKEN_INVALID, or a storage error from the first load after an
 * unseal (WARD_E_SEALED, ...).
 */
WARD_MUST_CHECK ward_err ward_auth_validate(struct ward_auth *a, struct ward_token_info *out,
                                            const char *token, size_t token_len, int64_t now_ms);

/*
 * ward_auth_issue fills info's id, accessor and issue time (now_ms), keeps
 * its other fields (expiry, policies, principal, ...), stores the accessor
 * record with meta (JSON text or NULL) and writes the token text into
 * *out_token (caller frees). WARD_E_INVALID for out-of-range fields.
 */
WARD_MUST_CHECK ward_err ward_auth_issue(struct ward_auth *a, struct ward_secret **out_token,
                                         struct ward_token_info *info, const char *meta,
                                         int64_t now_ms);

/*
 * ward_auth_lookup_accessor reads the record of accessor acc: the token's
 * info (renewals applied) into *out and its metadata (JSON text) appended
 * to meta. WARD_E_NOT_FOUND if unknown, revoked or expired.
 */
WARD_MUST_CHECK ward_err ward_auth_lookup_accessor(struct ward_auth *a, struct ward_token_info *out,
                                                   struct ward_buf *meta,
                                                   const uint8_t acc[WARD_TOKEN_ID_LEN],
                                                   int64_t now_ms);

/*
 * ward_auth_meta appends the metadata stored with a token's accessor (""
 * when there is none).
 */
WARD_MUST_CHECK ward_err ward_auth_meta(struct ward_auth *a, struct ward_buf *meta,
                                        const uint8_t acc[WARD_TOKEN_ID_LEN]);

/*
 * ward_auth_revoke revokes the token of info (durable on WARD_OK; in
 * effect at once on this node). The root token cannot be revoked
 * (WARD_E_INVALID).
 */
WARD_MUST_CHECK ward_err ward_auth_revoke(struct ward_auth *a, const struct ward_token_info *info,
                                          int64_t now_ms);

/*
 * ward_auth_renew moves info's expiry to now + increment_s (0: the token's
 * own TTL), never past its maximum expiry; *info gets the new expiry.
 * WARD_E_NOT_RENEWABLE if the token is not renewable (or is the root
 * token).
 */
WARD_MUST_CHECK ward_err ward_auth_renew(struct ward_auth *a, struct ward_token_info *info,
                                         int64_t increment_s, int64_t now_ms);

/*
 * ward_auth_accessor_hmac writes a keyed, stable handle of the token's
 * accessor for logs and audit (hex, 64 digits and a NUL); "root" for the
 * root token.
 */
WARD_MUST_CHECK ward_err ward_auth_accessor_hmac(struct ward_auth *a, char out[65],
                                                 const struct ward_token_info *info);

#endif
