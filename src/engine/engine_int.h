/*
 * engine_int.h - the engine's state; for src/engine's own .c files.
 */
#ifndef WARD_ENGINE_ENGINE_INT_H
#define WARD_ENGINE_ENGINE_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "engine/dispatch.h"
#include "engine/mounts.h"
#include "engine/ops.h"
#include "keys/keys.h"
#include "policy/policy.h"
#include "secrets/kv.h"

#define METRIC_BUCKETS 12 /* latency buckets, upper bounds in metrics.c */

struct op_metrics {
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t errors;
    atomic_uint_fast64_t sum_us;
    atomic_uint_fast64_t bucket[METRIC_BUCKETS];
};

struct ward_engine {
    struct ward_barrier *barrier;   /* borrowed */
    struct mount_table *mounts;     /* secrets engines and auth methods by path; owned */
    struct ward_auth *auth;         /* tokens; owned */
    struct ward_policies *policies; /* ACL policies; owned */
    struct ward_audit *audit;       /* the audit trail and its devices; owned */
    struct ward_engine_config cfg;
    int64_t started_ms;
    struct op_metrics metrics[OP_COUNT];
    atomic_uint_fast64_t unrouted;
};

/*
 * sys_audit.c: a request's records. engine_audit_request writes the request
 * record once access is granted (false: refused with audit_failed, the
 * handler must not run); engine_audit_response writes the response record
 * (and the request record of a request refused earlier), replacing the
 * answer with audit_failed if it cannot. engine_audit_unsealed loads the
 * audit key (and, the first time, the device table) after an unseal.
 */
bool engine_audit_request(struct op_ctx *c, enum op_id op);
void engine_audit_response(struct op_ctx *c, enum op_id op, int64_t duration_us);
void engine_audit_unsealed(struct ward_engine *e);

/*
 * auth_token.c: token_reply sets c->data to Vault's envelope with data and
 * auth (both stolen, either NULL): every answer with data goes through it
 * (kv_reply and cred_reply too); token_auth_json is Vault's "auth" block
 * for t (token text NULL: not shown; meta stolen, NULL allowed).
 */
void token_reply(struct op_ctx *c, json_t *data, json_t *auth);
json_t *token_auth_json(const struct ward_token_info *t, const char *token, json_t *meta);

/* metrics.c */
void metrics_record(struct ward_engine *e, enum op_id op, int64_t dur_us, bool error);
WARD_MUST_CHECK ward_err metrics_render(struct ward_engine *e, struct ward_buf *out);

/* json.c: strict decoding of request bodies. */
WARD_MUST_CHECK ward_err json_decode_body(json_t **out, const uint8_t *body, size_t body_len,
                                          char *why, size_t why_cap);
WARD_MUST_CHECK ward_err json_get_int(const json_t *obj, const char *key, int64_t lo, int64_t hi,
                                      int64_t *out, bool *present);
WARD_MUST_CHECK ward_err json_get_bool(const json_t *obj, const char *key, bool *out);
WARD_MUST_CHECK ward_err json_get_string(const json_t *obj, const char *key, const char **out,
                                         size_t *out_len);
WARD_MUST_CHECK ward_err json_dump_to(struct ward_buf *out, const json_t *v);

#define JSON_MAX_DEPTH 32

/* json_init_allocator makes Jansson wipe what it frees (once, before threads). */
void json_init_allocator(void);

#endif
