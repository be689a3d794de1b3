/*
 * dispatch.h - the keeper's engine: routes engine requests through the op
 * table, checks token and seal state, runs the handler, records metrics.
 *
 * Keeper-side. The front sees only ward_engine_handle (as a
 * ward_engine_handler_fn) and the messages of engine.h.
 *
 * THREADS: ward_engine_handle is called concurrently by every front worker;
 * the barrier is thread-safe and metrics are atomics.
 */
#ifndef WARD_ENGINE_DISPATCH_H
#define WARD_ENGINE_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/lockout.h"
#include "barrier/barrier.h"
#include "engine/engine.h"
#include "keys/keys.h"

struct ward_engine_config {
    const char *version;      /* "0.1.0" */
    const char *storage_type; /* "sqlite", "memory" */
    const char *cluster_name;
    bool dev;
    size_t kv_max_value_bytes;    /* a KV version's data; 0 = WARD_KV_DEFAULT_MAX_VALUE */
    struct ward_keys_config keys; /* transit key cache bounds; zeros = defaults */
    const char *audit_node;       /* "node" in audit records; NULL = the host name */
    const char *audit_spool_dir;  /* socket audit spools' default directory; NULL = none */
    struct ward_lockout_config user_lockout; /* userpass/approle login throttle; zeros = Vault's */
};

struct ward_engine;

/* ward_engine_new makes an engine over b (borrowed; must outlive it). */
WARD_MUST_CHECK ward_err ward_engine_new(struct ward_engine **out, struct ward_barrier *b,
                                         const struct ward_engine_config *cfg);

/* ward_engine_free frees e; NULL is allowed. */
void ward_engine_free(struct ward_engine *e);

/* ward_engine_handle is the keeper's ward_engine_handler_fn (ctx = the engine). */
void ward_engine_handle(void *ctx, struct ward_engine_resp *out, const struct ward_engine_req *req);

/* ward_engine_barrier returns the barrier the engine serves (borrowed). */
struct ward_barrier *ward_engine_barrier(struct ward_engine *e);

#endif
