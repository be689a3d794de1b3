/*
 * transit_int.h - helpers shared by the transit handlers (transit_keys.c,
 * transit_ops.c, transit_byok.c).
 */
#ifndef WARD_ENGINE_TRANSIT_INT_H
#define WARD_ENGINE_TRANSIT_INT_H

#include "engine_int.h"
#include "keys/keys.h"

#define TRANSIT_MAX_FIELD (4u << 20) /* decoded bytes of one base64 field */
#define TRANSIT_MAX_BATCH 100000

/*
 * keys_of is the transit mount a transit row serves (dispatch routed it
 * through its mount).
 */
static inline struct ward_keys *keys_of(const struct op_ctx *c)
{
    return (struct ward_keys *)c->mount->state;
}

/*
 * transit_policy_path writes "<mount path><what>/<name>" (what: "decrypt",
 * "encrypt"): the path a policy judges when a handler checks more than the
 * request's own path. false if it does not fit.
 */
bool transit_policy_path(char *out, size_t cap, const struct mount *m, const char *what,
                         const char *name);

/*
 * transit_b64_field decodes the base64 string field key of obj into out
 * (appended). Absent or null: *present false and WARD_OK. WARD_E_INVALID if
 * it is not a string, WARD_E_BAD_ENCODING if not canonical base64.
 */
WARD_MUST_CHECK ward_err transit_b64_field(struct ward_buf *out, bool *present, const json_t *obj,
                                           const char *key);

/* transit_b64 returns a JSON string of base64(in), NULL on failure. */
json_t *transit_b64(const uint8_t *in, size_t in_len);

/* transit_key_json is a key as Vault's GET transit/keys/:name shows it (+ Ward's fields). */
json_t *transit_key_json(const struct ward_key *k);

/* transit_reply_key replies with key name's JSON (after a change), or fails c. */
void transit_reply_key(struct op_ctx *c, const char *name);

/* transit_version reads a non-negative key_version-like field (0 if absent). */
WARD_MUST_CHECK ward_err transit_version(const json_t *obj, const char *key, uint32_t *out);

/*
 * transit_key_params reads a create (or import, or encrypt-upsert) request's
 * key settings from c->body; *why explains a WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err transit_key_params(struct op_ctx *c, struct ward_key_params *p,
                                            const char **why);

/*
 * transit_fail_item fills an item result with Vault's per-item "error"
 * and Ward's "code"; returns err.
 */
ward_err transit_fail_item(json_t *result, ward_err err, const char *message);

#endif
