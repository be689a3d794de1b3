/*
 * control.h - seed 004's request controls inside the engine: DO routing
 * with FROM/TO (do.c, do_routes.c), dual control of critical changes and
 * logoff's flush of prefetched keys (control.c). Keeper-side, internal to
 * src/engine; dispatch and the token handlers call in through here.
 *
 * THREADS: every function is thread-safe (called by every front worker).
 */
#ifndef WARD_ENGINE_CONTROL_H
#define WARD_ENGINE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "engine/ops.h"
#include "keys/keys.h"
#include "policy/policy.h"

/*
 * control_run runs op's handler for c the way seed 004 wants it run (what
 * dispatch calls once access is granted, the request audited and its body
 * decoded): a critical change by a non-root caller becomes a pending
 * request (202) unless it carries a matching approval; a transit decrypt
 * of a FROM/TO ciphertext needs the caller to be its TO; a successful
 * logoff (token revocation) flushes the keys fetched for that token.
 * Errors are answers in c.
 */
void control_run(struct op_ctx *c, enum op_id op);

/*
 * do_party_gate (do.c) checks the FROM/TO ciphertexts in the body of a
 * transit decrypt, ward/decrypt or rewrap: the caller must be each one's
 * TO and its policies must accept its FROM; rewrap of such a ciphertext is
 * refused (it would drop the parties). false: c has the refusal.
 */
bool do_party_gate(struct op_ctx *c, enum op_id op);

/* do_logoff_flush drops the keys fetched for the token with accessor acc on every transit mount. */
void do_logoff_flush(struct ward_engine *e, const uint8_t acc[WARD_TOKEN_ID_LEN]);

/*
 * do_child_principal decides the principal of a token c's caller creates
 * (auth/token/create), t->principal already set from display_name.
 * SECURITY: principals are FROM/TO identities, so a caller that is neither
 * root nor holds sudo on auth/token/create gives its children its own
 * principal; a display_name naming another is refused (*why, false).
 */
bool do_child_principal(struct op_ctx *c, struct ward_token_info *t, const char **why);

/* ---- routes (do_routes.c) ---- */

/* DO operations, as a route's "ops" and a request's "op" name them. */
enum do_op {
    DO_ENCRYPT = 1,
    DO_DECRYPT = 2,
    DO_SIGN = 3,
    DO_VERIFY = 4,
    DO_MAC = 5,
    DO_VERIFY_MAC = 6,
};

#define DO_NAME_MAX  64
#define DO_GLOB_MAX  128
#define DO_MAX_ROUTE 256

/* A resolved route: which key on which transit mount, and how. */
struct do_route {
    char name[DO_NAME_MAX + 1];
    char key[WARD_KEY_NAME_MAX + 1];
    char mount[64]; /* a transit mount path, "transit/" */
    enum ward_hash hash;
};

/* What a DO request asks, as routes match it (the caller's side filled in). */
struct do_query {
    enum do_op op;
    const char *type;
    const char *from;
    const char *to;
};

/* do_op_from_name: "encrypt" -> DO_ENCRYPT; 0 if unknown. do_op_name is the reverse. */
enum do_op do_op_from_name(const char *name);
const char *do_op_name(enum do_op op);

/* do_glob_ok: 1..DO_GLOB_MAX printable ASCII, '*' only as the last character. */
bool do_glob_ok(const char *glob);

/*
 * do_route_find resolves q against the stored routes, taken in name order:
 * the first whose ops include q->op and whose type, from and to globs
 * match. WARD_E_NO_ROUTE, or a storage error.
 */
WARD_MUST_CHECK ward_err do_route_find(struct ward_engine *e, struct do_route *out,
                                       const struct do_query *q);

/*
 * do_route_parse checks a route body (sys/do/routes/:name) and returns its
 * stored form (new reference), NULL with *why on a bad one.
 */
json_t *do_route_parse(const json_t *body, const char **why);

#endif
