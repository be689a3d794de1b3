/*
 * auth_ldap_int.h - what the ldap auth method's files share (auth_ldap.c:
 * config, groups, users; auth_ldap_login.c: login). Keeper-side, internal
 * to src/engine.
 */
#ifndef WARD_ENGINE_AUTH_LDAP_INT_H
#define WARD_ENGINE_AUTH_LDAP_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "auth/ldap.h"
#include "auth_cred.h"

#define CONFIG "config" /* the config's area and name */
#define GROUPS "groups"
#define USERS  "users"

/*
 * ldap_params_of points p at cfg's fields (borrowed: cfg must outlive p)
 * and at the bind password (pass, pass_len; borrowed too).
 */
void ldap_params_of(struct ward_ldap_params *p, const json_t *cfg, const uint8_t *pass,
                    size_t pass_len);

/*
 * ldap_load_bindpass reads the mount's bind password into a locked secret
 * (*out, owned; NULL when there is none). The buffer it passes through is
 * wiped.
 */
WARD_MUST_CHECK ward_err ldap_load_bindpass(struct cred_mount *cm, struct ward_secret **out);

/*
 * ldap_name folds a group or user name for its entry (lower case unless
 * cs); false if it cannot be one (empty, too long, a control character or
 * a comma).
 */
bool ldap_name(char out[CRED_KEY_MAX + 1], const char *in, bool cs);

#endif
