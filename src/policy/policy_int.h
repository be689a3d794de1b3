/*
 * policy_int.h - internals shared by src/policy's files: the FROM/TO
 * extension's lists (parties.c) as a parsed policy holds them.
 */
#ifndef WARD_POLICY_POLICY_INT_H
#define WARD_POLICY_POLICY_INT_H

#include <jansson.h>

#include "policy/policy.h"

struct party_rules;

/*
 * party_rules_parse reads the "ward_parties" member v into *out (owned).
 * WARD_E_BAD_POLICY with why filled, WARD_E_NOMEM.
 */
WARD_MUST_CHECK ward_err party_rules_parse(struct party_rules **out, const json_t *v, char *why,
                                           size_t why_cap);

/* party_rules_free frees r; NULL is allowed. */
void party_rules_free(struct party_rules *r);

/* policy_party_rules is p's parsed "ward_parties", NULL if it has none (policy.c). */
const struct party_rules *policy_party_rules(const struct ward_policy *p);

#endif
