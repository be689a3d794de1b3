/*
 * kv_int.h - helpers shared by the KV v2 handlers (kv_ops.c, kv_meta_ops.c).
 */
#ifndef WARD_ENGINE_KV_INT_H
#define WARD_ENGINE_KV_INT_H

#include "engine_int.h"

/* kv_of is the KV v2 mount a kv row serves (dispatch routed it through its mount). */
static inline struct ward_kv *kv_of(const struct op_ctx *c)
{
    return (struct ward_kv *)c->mount->state;
}

/* kv_reply sets c->data to Vault's envelope around data (stolen). */
void kv_reply(struct op_ctx *c, json_t *data);

/* kv_time_json is a time as Vault prints it (RFC 3339, UTC, ns), "" for 0. */
json_t *kv_time_json(int64_t ms);

/* kv_version_json is a version's metadata as Vault returns it (custom: JSON text or empty). */
json_t *kv_version_json(const struct ward_kv_version *v, const struct ward_buf *custom);

/* kv_duration_json is a duration as Go prints it ("0s", "1h2m3s"). */
json_t *kv_duration_json(int64_t s);

/*
 * kv_get_duration reads obj's key as seconds (an integer) or a Go duration
 * ("90s", "1h30m"). *present false if absent or null. WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err kv_get_duration(const json_t *obj, const char *key, int64_t *out,
                                         bool *present);

/* kv_put_data writes data (an object) as a new version: c->data is the reply. */
void kv_put_data(struct op_ctx *c, const json_t *data, enum ward_kv_type type, json_t *reply_data);

#endif
