/*
 * ops.h - the op table (ops.def) as data, and what a handler receives.
 * Keeper-side, internal to src/engine.
 */
#ifndef WARD_ENGINE_OPS_H
#define WARD_ENGINE_OPS_H

#include <stdbool.h>

#include <jansson.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "engine/dispatch.h"
#include "engine/engine.h"

struct mount;

/*
 * NONE: no token. TOKEN: a valid token whose policies allow the request
 * (access.c). ROOT is the older name of TOKEN, from before policies: the
 * root token passes every policy, so such rows still serve it alone unless
 * a policy grants them.
 */
enum op_auth {
    OP_AUTH_NONE,
    OP_AUTH_ROOT,
    OP_AUTH_TOKEN,
};

enum op_state {
    OP_STATE_ANY,
    OP_STATE_UNSEALED,
};

enum op_id {
#define WARD_OP(id, name, methods, path, handler, auth, state, mut, secret, cli) OP_##id,
#include "ops.def"
#undef WARD_OP
    OP_COUNT
};

#define OP_MAX_REST      512 /* bytes of a prefix row's remainder */
#define OP_MAX_VARS      4   /* ":name" segments of one row */
#define OP_AUDIT_KEY_MAX 128

/* What a handler works with: the request, its decoded body, the response. */
struct op_ctx {
    struct ward_engine *eng;
    const struct ward_engine_req *req;
    struct ward_engine_resp *resp;
    json_t *body; /* decoded JSON object (empty object if no body) */
    json_t *data; /* handler's result object; NULL = 204 No Content */
    const char *query;
    const char *rest; /* prefix rows (path ending in "*"): the decoded, checked rest */
    char rest_buf[OP_MAX_REST + 1];
    const char *var[OP_MAX_VARS]; /* ":name" rows: the captured segments, in order */
    size_t num_vars;
    struct mount *mount;        /* the mount serving the path (mounts.h), NULL for sys/ and ward/ */
    struct ward_token_info tok; /* the caller's token, once access_check passed */
    bool audited;               /* dispatch: the request record is written (or queued) */
    char audit_key[OP_AUDIT_KEY_MAX + 1];        /* a key the handler resolved itself (DO routes,
                                                    ward/decrypt): named in the response record */
    char audit_id[WARD_AUDIT_HASH_TEXT_LEN + 1]; /* the records' accessor_hmac, made once */
};

typedef void (*op_handler_fn)(struct op_ctx *c);

struct op_row {
    const char *name;
    const char *methods;
    const char *path;
    op_handler_fn handler;
    enum op_auth auth;
    enum op_state state;
    bool mutating;
    const char *secret;
    const char *cli;
};

extern const struct op_row g_ops[OP_COUNT];

#define WARD_OP(id, name, methods, path, handler, auth, state, mut, secret, cli) \
    void handler(struct op_ctx *c);
#include "ops.def"
#undef WARD_OP

/*
 * op_route finds the row for method and path (path without "/v1/"). A row
 * whose path ends in '*' matches its prefix followed by the rest of the path
 * (or the prefix without its last '/': rest ""); out_rest receives that rest
 * percent-decoded, which must pass op_path_check ("" for exact rows).
 * WARD_E_NOT_FOUND: no such path; WARD_E_UNSUPPORTED: path known, method not;
 * WARD_E_BAD_PATH: a prefix row matched a malformed rest. A row with
 * ":name" segments gives the captured names as the rest, joined by '/'.
 */
WARD_MUST_CHECK ward_err op_route(enum op_id *out, char *out_rest, size_t out_rest_cap,
                                  const char *method, const char *path);

/*
 * op_path_check accepts a '/'-separated path of at most OP_MAX_REST bytes of
 * valid UTF-8 without control bytes, whose segments are non-empty and neither
 * "." nor ".."; one trailing '/' (a folder, for list) and "" are allowed.
 * WARD_OK or WARD_E_BAD_PATH.
 */
WARD_MUST_CHECK ward_err op_path_check(const char *path);

/*
 * op_split_vars splits the rest of a ":name" row into c->var (in place in
 * c->rest_buf; c->rest is then the first name). Other rows: nothing.
 */
void op_split_vars(struct op_ctx *c, const struct op_row *row);

/*
 * access_check validates the caller's token into c->tok and checks the
 * token's policies for op on the request path (access.c). WARD_OK,
 * WARD_E_PERMISSION (no token, or policies refuse), WARD_E_TOKEN_INVALID.
 */
WARD_MUST_CHECK ward_err access_check(struct op_ctx *c, enum op_id op);

/*
 * access_allowed checks c's token's policies for path with caps (any one
 * of them) and sudo; for handlers that check more than the request path.
 */
bool access_allowed(struct op_ctx *c, const char *path, uint32_t caps, bool sudo);

/*
 * access_allowed_key_op is access_allowed for a transit key operation
 * (enum ward_key_op) on path, so ward_key_operations limits apply: what a
 * handler checks when the key is known only inside it (ward/decrypt).
 */
bool access_allowed_key_op(struct op_ctx *c, const char *path, uint32_t caps, uint32_t key_op);

/*
 * access_lower_name copies a policy name in lower case (Vault's names are
 * case-insensitive); false if it does not fit in cap bytes.
 */
bool access_lower_name(char *out, size_t cap, const char *in);

/* op_fail ends c with an error response (message NULL = the code's text). */
void op_fail(struct op_ctx *c, ward_err err, const char *message);

/* op_query_get copies the value of query parameter name into out (decoded). */
bool op_query_get(const char *query, const char *name, char *out, size_t out_cap);

#endif
