/*
 * fuzz_policy.c - the ACL policy document parser and evaluator
 * (src/policy/policy.c).
 *
 * Input: a path line, then the document. Properties: a parse either
 * fails with WARD_E_BAD_POLICY (or WARD_E_TOO_LARGE, WARD_E_NOMEM) and a
 * reason, or gives a policy every pattern of which ward_policy_pattern_ok
 * accepts; evaluating it for the path with every capability never crashes,
 * and a policy with no rules allows nothing (deny by default); the FROM/TO
 * extension (ward_parties, parties.c) is evaluated with the path line as
 * the party and allows nothing for an unknown kind or an empty name.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "policy/policy.h"

/*
 * check_decisions: no capability granted by an empty policy, for deny, or
 * beyond what the policy's caps for path say; no party allowed of an
 * unknown kind or with an empty name (the path line doubles as the name).
 */
static void check_decisions(const struct ward_policy *p, const char *path)
{
    const struct ward_policy *pols[1] = { p };

    for (uint32_t cap = 1; cap <= WARD_CAP_PATCH; cap <<= 1) {
        struct ward_policy_req req = { path, cap, (cap & 1) != 0, WARD_KOP_ENCRYPT };
        bool ok = ward_policy_allowed(pols, 1, &req);

        if (ok && (ward_policy_num_rules(p) == 0 || cap == WARD_CAP_DENY ||
                   (ward_policy_caps(pols, 1, path) & cap) == 0)) {
            abort();
        }
    }
    for (int kind = 0; kind <= WARD_PARTY_KINDS + 1; kind++) {
        if (ward_policy_party_allowed(pols, 1, (enum ward_party_kind)kind, path) &&
            (ward_party_kind_name((enum ward_party_kind)kind) == NULL || path[0] == '\0')) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl != NULL ? (size_t)(nl - data) : 0;
    const char *doc = nl != NULL ? (const char *)nl + 1 : (const char *)data;
    size_t doc_len = nl != NULL ? size - plen - 1 : size;
    struct ward_policy *p = NULL;
    char path[600];
    char why[256];
    ward_err err;

    if (plen >= sizeof(path) || memchr(data, '\0', plen) != NULL) {
        return 0;
    }
    memcpy(path, data, plen);
    path[plen] = '\0';
    err = ward_policy_parse(&p, doc, doc_len, why, sizeof(why));
    if (err != WARD_OK) {
        if ((err != WARD_E_BAD_POLICY && err != WARD_E_TOO_LARGE && err != WARD_E_NOMEM) ||
            p != NULL || (err != WARD_E_NOMEM && why[0] == '\0')) {
            abort();
        }
        return 0;
    }
    check_decisions(p, path);
    ward_policy_free(p);
    return 0;
}
