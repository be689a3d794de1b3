/*
 * policy.h - Vault-compatible ACL policies: documents, evaluation, the
 * policy store with its built-ins (DESIGN.md section 4, SPEC R-POL-1, -3).
 *
 * Keeper-side. A policy is a JSON document (Vault's JSON form of HCL):
 *
 *   {"path": {"transit/encrypt/orders": {"capabilities": ["update"]},
 *             "secret/data/+/db":       {"capabilities": ["read", "list"]},
 *             "transit/+/orders":       {"capabilities": ["update"],
 *                                        "ward_key_operations": ["encrypt"]}}}
 *
 * Patterns: exact; a trailing '*' matches any rest (a prefix glob); a '+'
 * segment matches exactly one non-empty segment. For a request path, of the
 * patterns that match in all of a token's policies the most specific wins,
 * ranked as Vault ranks them (policy.c); rules of one pattern in several
 * policies merge (capabilities and key operations unite). "deny" in the
 * winning rule refuses everything; no match refuses (deny by default).
 * ward_key_operations (Ward's extension) limits the winning rule to the
 * transit key operations named (encrypt, decrypt, rewrap, datakey, sign,
 * verify, hmac, export, wrap-for): any other request under it is refused.
 *
 * Anything else in a document (Vault's allowed_parameters, HCL text,
 * unknown capabilities) is refused rather than ignored, so a policy never
 * grants more than it reads as granting.
 *
 * Built-in policies, which cannot be written or deleted: root (everything;
 * only the root token and tokens made by a root caller carry it), default
 * (a token's own lookup, renew, revoke), admin, operator, auditor.
 *
 * THREADS: a parsed struct ward_policy is immutable. The store's functions
 * are thread-safe: the cache sits behind an rwlock; writes go to storage
 * first, then drop the cached entry.
 */
#ifndef WARD_POLICY_POLICY_H
#define WARD_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barrier/barrier.h"
#include "base/buf.h"
#include "base/err.h"

enum ward_cap {
    WARD_CAP_CREATE = 1u << 0,
    WARD_CAP_READ = 1u << 1,
    WARD_CAP_UPDATE = 1u << 2,
    WARD_CAP_DELETE = 1u << 3,
    WARD_CAP_LIST = 1u << 4,
    WARD_CAP_SUDO = 1u << 5,
    WARD_CAP_DENY = 1u << 6,
    WARD_CAP_PATCH = 1u << 7,
};

#define WARD_POLICY_MAX_TEXT    (64u << 10)
#define WARD_POLICY_MAX_RULES   256
#define WARD_POLICY_MAX_PATTERN 512
#define WARD_POLICY_NAME_MAX    64

struct ward_policy;

/*
 * ward_policy_parse parses a JSON policy document of len bytes. On
 * WARD_E_BAD_POLICY (or WARD_E_TOO_LARGE) why says what is wrong (bounded,
 * no secret). Caller frees *out.
 */
WARD_MUST_CHECK ward_err ward_policy_parse(struct ward_policy **out, const char *text, size_t len,
                                           char *why, size_t why_cap);

/* ward_policy_free frees p; NULL is allowed. */
void ward_policy_free(struct ward_policy *p);

/* ward_policy_num_rules is how many patterns p has. */
size_t ward_policy_num_rules(const struct ward_policy *p);

/* One request, as policies see it. */
struct ward_policy_req {
    const char *path; /* after "/v1/", decoded, as the router matched it */
    uint32_t caps;    /* any one of these capabilities suffices */
    bool sudo;        /* the path also needs sudo */
    uint32_t key_op;  /* the transit key operation (WARD_KOP_*), 0 if none */
};

/*
 * ward_policy_allowed evaluates req against the union of pols (n of them;
 * NULL entries are skipped, as Vault skips a policy that does not exist).
 */
bool ward_policy_allowed(const struct ward_policy *const *pols, size_t n,
                         const struct ward_policy_req *req);

/*
 * ward_policy_caps is the capabilities of the winning rule for path (0 if
 * none), DENY folded in as 0.
 */
uint32_t ward_policy_caps(const struct ward_policy *const *pols, size_t n, const char *path);

/* ward_policy_pattern_ok checks a pattern as the parser does. */
bool ward_policy_pattern_ok(const char *pattern);

/* ward_policy_name_ok: 1..64 of [a-z0-9_.@-]. */
bool ward_policy_name_ok(const char *name);

/* ward_policy_builtin is the built-in policy's document text, NULL if name is not one. */
const char *ward_policy_builtin(const char *name);

/*
 * Ward's FROM/TO extension (SPEC R-POL-2; parties.c), a top-level member
 * beside "path":
 *
 *   "ward_parties": {"encrypt_to": ["token-bob", "app-*"],
 *                    "decrypt_from": ["token-alice"]}
 *
 * Each list names the parties a DO operation may address (an operation
 * that produces: encrypt_to, sign_to, mac_to) or accept data from (one
 * that consumes: decrypt_from, verify_from, verify_mac_from); the other
 * side is always the caller. An entry is a principal name (printable
 * ASCII) matched exactly, or a prefix ending in '*'; a leading '!' denies,
 * and a deny in any of a token's policies wins. No match allows nothing
 * (deny by default), so a policy without the member allows no party.
 */
enum ward_party_kind {
    WARD_PARTY_ENCRYPT_TO = 1,
    WARD_PARTY_DECRYPT_FROM = 2,
    WARD_PARTY_SIGN_TO = 3,
    WARD_PARTY_VERIFY_FROM = 4,
    WARD_PARTY_MAC_TO = 5,
    WARD_PARTY_VERIFY_MAC_FROM = 6,
};

#define WARD_PARTY_KINDS    6
#define WARD_PARTY_MAX_LIST 64 /* entries of one list */

/* ward_party_kind_name is "encrypt_to" etc., NULL for an unknown kind. */
const char *ward_party_kind_name(enum ward_party_kind kind);

/*
 * ward_policy_party_allowed: some policy of pols (n; NULL entries skipped)
 * lists party for kind and none denies it.
 */
bool ward_policy_party_allowed(const struct ward_policy *const *pols, size_t n,
                               enum ward_party_kind kind, const char *party);

/* ---- the store (policies.c) ---- */

struct ward_policies;

/* ward_policies_new makes the store over b (borrowed). WARD_E_NOMEM, WARD_E_INTERNAL. */
WARD_MUST_CHECK ward_err ward_policies_new(struct ward_policies **out, struct ward_barrier *b);

/* ward_policies_free frees ps; NULL is allowed. */
void ward_policies_free(struct ward_policies *ps);

/* ward_policies_flush drops every cached policy (a seal calls it). */
void ward_policies_flush(struct ward_policies *ps);

/*
 * ward_policies_check evaluates req against the policies named (n names;
 * "root" allows everything; names that do not exist grant nothing).
 * WARD_OK, WARD_E_PERMISSION, or a storage error loading a policy.
 */
WARD_MUST_CHECK ward_err ward_policies_check(struct ward_policies *ps, const char *const *names,
                                             size_t n, const struct ward_policy_req *req);

/*
 * ward_policies_check_party is ward_policies_check for a FROM/TO constraint:
 * WARD_OK ("root" allows every party), WARD_E_PARTY_DENIED, or a storage
 * error loading a policy.
 */
WARD_MUST_CHECK ward_err ward_policies_check_party(struct ward_policies *ps,
                                                   const char *const *names, size_t n,
                                                   enum ward_party_kind kind, const char *party);

/*
 * ward_policies_read appends policy name's document text to out.
 * WARD_E_NOT_FOUND.
 */
WARD_MUST_CHECK ward_err ward_policies_read(struct ward_policies *ps, struct ward_buf *out,
                                            const char *name);

/*
 * ward_policies_write parses text and stores it as policy name (durable on
 * WARD_OK, in effect at once). WARD_E_INVALID for a bad or built-in name
 * (why says which), WARD_E_BAD_POLICY, WARD_E_TOO_LARGE.
 */
WARD_MUST_CHECK ward_err ward_policies_write(struct ward_policies *ps, const char *name,
                                             const char *text, size_t len, char *why,
                                             size_t why_cap);

/* ward_policies_delete removes policy name (absent: WARD_OK). Built-ins: WARD_E_INVALID. */
WARD_MUST_CHECK ward_err ward_policies_delete(struct ward_policies *ps, const char *name);

typedef void (*ward_policies_list_fn)(void *ctx, const char *name);

/* ward_policies_list calls fn for every policy name, built-ins first. */
WARD_MUST_CHECK ward_err ward_policies_list(struct ward_policies *ps, ward_policies_list_fn fn,
                                            void *ctx);

#endif
