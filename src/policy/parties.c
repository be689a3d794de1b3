/*
 * parties.c - Ward's FROM/TO policy extension (policy.h "ward_parties"):
 * the parser of the member and its evaluation.
 *
 * A parsed member is one list of entries per kind; an entry is a pattern
 * (exact, or a prefix before a final '*') and a deny flag. Evaluation runs
 * over every policy of the token: any matching deny refuses, else any
 * matching allow grants, else refused. Unlike paths there is no ranking:
 * party lists are short and "explicit deny wins" (R-POL-1) is the whole rule.
 *
 * SECURITY: an entry is printable ASCII of at most WARD_CT_PARTY_MAX bytes,
 * the alphabet of the parties a managed ciphertext carries (keys/ctext.h),
 * so a policy cannot name a party no ciphertext could hold, and '*' may
 * only end an entry, so what an entry matches is what it reads as.
 */
#include <stdio.h>
#include <string.h>

#include "keys/ctext.h"
#include "policy_int.h"

struct party_entry {
    char *pattern; /* without the '!' and the final '*' */
    size_t len;
    bool prefix; /* ended in '*' */
    bool deny;   /* began with '!' */
};

struct party_rules {
    size_t num[WARD_PARTY_KINDS + 1];
    struct party_entry *entries[WARD_PARTY_KINDS + 1]; /* indexed by enum ward_party_kind */
};

static const char *const g_kind_names[WARD_PARTY_KINDS + 1] = {
    NULL, "encrypt_to", "decrypt_from", "sign_to", "verify_from", "mac_to", "verify_mac_from",
};

const char *ward_party_kind_name(enum ward_party_kind kind)
{
    return kind >= 1 && kind <= WARD_PARTY_KINDS ? g_kind_names[kind] : NULL;
}

static int kind_from_name(const char *name)
{
    for (int k = 1; k <= WARD_PARTY_KINDS; k++) {
        if (strcmp(g_kind_names[k], name) == 0) {
            return k;
        }
    }
    return 0;
}

void party_rules_free(struct party_rules *r)
{
    if (r == NULL) {
        return;
    }
    for (int k = 1; k <= WARD_PARTY_KINDS; k++) {
        for (size_t i = 0; i < r->num[k]; i++) {
            ward_free(r->entries[k][i].pattern);
        }
        ward_free(r->entries[k]);
    }
    ward_free(r);
}

/* entry_parse fills e from text: "!"? printable ASCII, '*' only last. */
static bool entry_parse(struct party_entry *e, const char *text)
{
    size_t n = strlen(text);

    e->deny = n > 0 && text[0] == '!';
    text += e->deny;
    n -= e->deny;
    e->prefix = n > 0 && text[n - 1] == '*';
    n -= e->prefix;
    if ((n == 0 && !e->prefix) || n > WARD_CT_PARTY_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (text[i] < 0x21 || text[i] > 0x7e || text[i] == '*') {
            return false;
        }
    }
    if ((e->pattern = ward_alloc(n + 1)) == NULL) {
        return false;
    }
    memcpy(e->pattern, text, n);
    e->pattern[n] = '\0';
    e->len = n;
    return true;
}

/* list_parse reads one kind's array into r. */
static ward_err list_parse(struct party_rules *r, int kind, const json_t *arr, char *why,
                           size_t why_cap)
{
    size_t i;
    const json_t *v;

    if (!json_is_array(arr) || json_array_size(arr) > WARD_PARTY_MAX_LIST) {
        (void)snprintf(why, why_cap, "ward_parties.%s must be a list of at most %d names",
                       g_kind_names[kind], WARD_PARTY_MAX_LIST);
        return WARD_E_BAD_POLICY;
    }
    if (json_array_size(arr) == 0) {
        return WARD_OK;
    }
    if ((r->entries[kind] = ward_calloc(json_array_size(arr), sizeof(struct party_entry))) ==
        NULL) {
        return WARD_E_NOMEM;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !entry_parse(&r->entries[kind][i], json_string_value(v))) {
            (void)snprintf(why, why_cap,
                           "ward_parties.%s[%zu] must be a name of 1 to %d printable ASCII "
                           "characters, optionally with a leading '!' (deny) and a final '*' "
                           "(prefix)",
                           g_kind_names[kind], i, WARD_CT_PARTY_MAX);
            return WARD_E_BAD_POLICY;
        }
        r->num[kind]++;
    }
    return WARD_OK;
}

ward_err party_rules_parse(struct party_rules **out, const json_t *v, char *why, size_t why_cap)
{
    struct party_rules *r;
    const char *key;
    const json_t *arr;
    ward_err err = WARD_OK;

    *out = NULL;
    if (!json_is_object(v)) {
        (void)snprintf(why, why_cap, "ward_parties must be an object of lists");
        return WARD_E_BAD_POLICY;
    }
    if ((r = ward_calloc(1, sizeof(*r))) == NULL) {
        return WARD_E_NOMEM;
    }
    json_object_foreach((json_t *)v, key, arr)
    {
        int kind = kind_from_name(key);

        if (kind == 0) {
            (void)snprintf(why, why_cap,
                           "ward_parties: \"%.40s\" is unknown (encrypt_to, decrypt_from, "
                           "sign_to, verify_from, mac_to, verify_mac_from)",
                           key);
            err = WARD_E_BAD_POLICY;
            break;
        }
        if ((err = list_parse(r, kind, arr, why, why_cap)) != WARD_OK) {
            break;
        }
    }
    if (err != WARD_OK) {
        party_rules_free(r);
        return err;
    }
    *out = r;
    return WARD_OK;
}

static bool entry_match(const struct party_entry *e, const char *party, size_t len)
{
    if (e->prefix) {
        return len >= e->len && memcmp(party, e->pattern, e->len) == 0;
    }
    return len == e->len && memcmp(party, e->pattern, len) == 0;
}

bool ward_policy_party_allowed(const struct ward_policy *const *pols, size_t n,
                               enum ward_party_kind kind, const char *party)
{
    size_t len = strlen(party);
    bool allowed = false;

    if (ward_party_kind_name(kind) == NULL || len == 0) {
        return false;
    }
    for (size_t p = 0; p < n; p++) {
        const struct party_rules *r = pols[p] != NULL ? policy_party_rules(pols[p]) : NULL;

        for (size_t i = 0; r != NULL && i < r->num[kind]; i++) {
            const struct party_entry *e = &r->entries[kind][i];

            if (!entry_match(e, party, len)) {
                continue;
            }
            if (e->deny) {
                return false; /* SECURITY: an explicit deny anywhere wins */
            }
            allowed = true;
        }
    }
    return allowed;
}
