/*
 * login.h - what every auth method does once it has decided who the caller
 * is: issue a Ward token and answer in Vault's login shape.
 *
 * Keeper-side, internal to src/engine. An auth method's login handler
 * checks the credentials itself (userpass, approle, cert, ldap, radius),
 * then fills a struct login and calls login_reply, which issues the token
 * (src/auth) and sets c->data to Vault's envelope:
 *   {"auth": {"client_token", "accessor", "policies", "token_policies",
 *             "metadata", "lease_duration", "renewable", "token_type", ...}}
 * so hvac's login calls set the client's token from it.
 *
 * SECURITY: the token text appears only in that response; the audit record
 * of the response never carries it (the row's secret fields and the
 * audit's own rules). Failed logins answer 400/403 with one message for
 * "no such user" and "wrong password" alike (login_refuse).
 */
#ifndef WARD_ENGINE_LOGIN_H
#define WARD_ENGINE_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/ops.h"

#define LOGIN_MAX_POLICIES 15 /* a token holds 16; "default" is added */

struct login {
    const char *method;          /* the mount's kind ("userpass"); display name prefix */
    const char *name;            /* the user, role or certificate name ("homer") */
    const char *const *policies; /* the method's policies for this caller */
    size_t num_policies;
    int64_t ttl_s;     /* 0: the token default (32 days) */
    int64_t max_ttl_s; /* 0: ttl_s's default maximum */
    bool no_default;   /* leave out the "default" policy */
    json_t *metadata;  /* borrowed object of string values, or NULL */
};

/*
 * login_reply issues the token for l and sets c->data (or fails c). The
 * principal is "<mount path without auth/ and '/'>-<name>", as Vault's
 * display_name, e.g. "ldap-dir1-homer".
 */
void login_reply(struct op_ctx *c, const struct login *l);

/*
 * login_refuse fails c with WARD_E_PERMISSION and one fixed message, the
 * same whatever went wrong (unknown user, bad password, locked out).
 */
void login_refuse(struct op_ctx *c);

/*
 * login_policies_json parses Vault's "policies"/"token_policies" field (an
 * array of strings or one comma-separated string) into names (lower case,
 * each ward_token_name_ok), at most LOGIN_MAX_POLICIES. NULL or absent: 0
 * names. WARD_E_INVALID with why set.
 */
WARD_MUST_CHECK ward_err login_policies_json(const json_t *v, char names[LOGIN_MAX_POLICIES][65],
                                             size_t *num, const char **why);

#endif
