/*
 * sys_int.h - helpers shared by the sys handlers (sys_*.c).
 */
#ifndef WARD_ENGINE_SYS_INT_H
#define WARD_ENGINE_SYS_INT_H

#include "engine_int.h"

#ifndef WARD_BUILD_DATE
#define WARD_BUILD_DATE "unknown"
#endif

/* Seal parameters from a request body, with the parts held in secrets. */
struct sys_seal_input {
    struct ward_seal_params params;
    struct ward_secret *parts[WARD_MAX_PARTS];
};

/*
 * sys_parse_seal_params reads secret_shares / secret_threshold (shamir) or
 * parts / part_rules / argon2 (Ward's parts seal) from c->body. On failure it
 * has already set the error response.
 */
WARD_MUST_CHECK ward_err sys_parse_seal_params(struct op_ctx *c, struct sys_seal_input *out);
void sys_seal_input_cleanup(struct sys_seal_input *in);

/*
 * sys_key_text takes c->body's "key": a share as hex (Vault's "keys") or
 * base64 (Vault's "keys_base64"), or a part as entered, and returns the text
 * the barrier takes. On failure it has already set the error response.
 */
WARD_MUST_CHECK ward_err sys_key_text(struct op_ctx *c, struct ward_secret **out);

json_t *sys_seal_status_json(struct op_ctx *c, const struct ward_seal_status *st);
json_t *sys_keys_json(const struct ward_init_result *r, const char *field_hex,
                      const char *field_b64);

#endif
