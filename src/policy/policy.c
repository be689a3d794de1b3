/*
 * policy.c - the policy document parser, pattern matching, the ranking of
 * matching patterns, evaluation and the built-in policies.
 *
 * Ranking (Vault's, so a Vault policy means the same here): of two
 * patterns that both match a path, P1 ranks below P2 if, in this order,
 *   1. P1's first wildcard ('+' segment or trailing '*') comes earlier;
 *   2. P1 ends in '*' and P2 does not;
 *   3. P1 has more '+' segments;
 *   4. P1 is shorter;
 *   5. P1 is smaller byte by byte.
 * An exact pattern has no wildcard, so it outranks every wildcard one.
 */
#include "policy/policy.h"

#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "keys/keys.h"
#include "policy_int.h"

#define NO_WILD ((size_t)-1)

struct rule {
    char *pattern;
    size_t len;
    bool glob;         /* ends in '*' */
    size_t first_wild; /* offset of the first wildcard, NO_WILD if none */
    size_t num_plus;
    uint32_t caps;
    bool has_key_ops;
    uint32_t key_ops;
};

struct ward_policy {
    size_t num_rules;
    struct rule *rules;
    struct party_rules *parties; /* "ward_parties" (parties.c), NULL if absent */
};

const struct party_rules *policy_party_rules(const struct ward_policy *p)
{
    return p->parties;
}

static const struct {
    const char *name;
    uint32_t cap;
} g_caps[] = {
    { "create", WARD_CAP_CREATE }, { "read", WARD_CAP_READ },   { "update", WARD_CAP_UPDATE },
    { "delete", WARD_CAP_DELETE }, { "list", WARD_CAP_LIST },   { "sudo", WARD_CAP_SUDO },
    { "deny", WARD_CAP_DENY },     { "patch", WARD_CAP_PATCH },
};

#define ALL_CAPS "[\"create\",\"read\",\"update\",\"delete\",\"list\",\"sudo\",\"patch\"]"

static const struct {
    const char *name;
    const char *text;
} g_builtins[] = {
    { "root", "{\"path\":{\"*\":{\"capabilities\":" ALL_CAPS "}}}" },
    { "default", "{\"path\":{"
                 "\"auth/token/lookup-self\":{\"capabilities\":[\"read\"]},"
                 "\"auth/token/renew-self\":{\"capabilities\":[\"update\"]},"
                 "\"auth/token/revoke-self\":{\"capabilities\":[\"update\"]}}}" },
    { "admin", "{\"path\":{\"*\":{\"capabilities\":" ALL_CAPS "}}}" },
    { "operator", "{\"path\":{"
                  "\"sys/seal\":{\"capabilities\":[\"update\",\"sudo\"]},"
                  "\"sys/unseal\":{\"capabilities\":[\"update\"]},"
                  "\"sys/seal-status\":{\"capabilities\":[\"read\"]},"
                  "\"sys/health\":{\"capabilities\":[\"read\"]},"
                  "\"sys/leader\":{\"capabilities\":[\"read\"]},"
                  "\"sys/init\":{\"capabilities\":[\"read\"]},"
                  "\"sys/rekey/*\":{\"capabilities\":[\"create\",\"read\",\"update\",\"delete\"]},"
                  "\"sys/rotate\":{\"capabilities\":[\"update\",\"sudo\"]},"
                  "\"sys/key-status\":{\"capabilities\":[\"read\"]},"
                  "\"sys/metrics\":{\"capabilities\":[\"read\"]},"
                  /* dual control (control.c): operators approve each other's changes */
                  "\"sys/control/approve/*\":{\"capabilities\":[\"update\"]},"
                  "\"sys/control/request/*\":{\"capabilities\":[\"read\"]},"
                  "\"sys/control/requests\":{\"capabilities\":[\"list\"]},"
                  "\"sys/control/config\":{\"capabilities\":[\"read\"]}}}" },
    { "auditor", "{\"path\":{\"sys/audit*\":{\"capabilities\":[\"read\",\"list\"]}}}" },
};

const char *ward_policy_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof(g_builtins) / sizeof(g_builtins[0]); i++) {
        if (strcmp(g_builtins[i].name, name) == 0) {
            return g_builtins[i].text;
        }
    }
    return NULL;
}

bool ward_policy_name_ok(const char *name)
{
    return ward_token_name_ok(name);
}

/* plus_at is true if a '+' at offset i of p (n bytes before any '*') is a whole segment. */
static bool plus_at(const char *p, size_t n, size_t i)
{
    return p[i] == '+' && (i == 0 || p[i - 1] == '/') && (i + 1 == n || p[i + 1] == '/');
}

bool ward_policy_pattern_ok(const char *pattern)
{
    size_t len = strnlen(pattern, WARD_POLICY_MAX_PATTERN + 1);
    bool glob = len > 0 && pattern[len - 1] == '*';
    size_t n = glob ? len - 1 : len;
    size_t seg = 0;

    if (len == 0 || len > WARD_POLICY_MAX_PATTERN || pattern[0] == '/') {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        unsigned char ch = i < n ? (unsigned char)pattern[i] : '/';
        size_t sl = i - seg;

        if (ch < 0x20 || ch == 0x7f || ch == '*' || ch == '%' || ch == '\\') {
            return false;
        }
        if (ch != '/') {
            continue;
        }
        /*
         * Segments as the router lets them through: none empty (but the
         * last, for "a/" and "a/" + star), "." or "..", which no request path can
         * hold (a prefix before '*' may start with a dot: "a/.*").
         */
        if ((sl == 0 && i < n) ||
            (!(i == n && glob) && ((sl == 1 && pattern[seg] == '.') ||
                                   (sl == 2 && pattern[seg] == '.' && pattern[seg + 1] == '.')))) {
            return false;
        }
        seg = i + 1;
    }
    return true;
}

static void rule_shape(struct rule *r)
{
    size_t n;

    r->glob = r->len > 0 && r->pattern[r->len - 1] == '*';
    n = r->glob ? r->len - 1 : r->len;
    r->first_wild = r->glob ? n : NO_WILD;
    r->num_plus = 0;
    for (size_t i = 0; i < n; i++) {
        if (plus_at(r->pattern, n, i)) {
            r->num_plus++;
            r->first_wild = r->first_wild < i ? r->first_wild : i;
        }
    }
}

/* rule_match matches path against r. */
static bool rule_match(const struct rule *r, const char *path)
{
    size_t n = r->glob ? r->len - 1 : r->len;
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        if (plus_at(r->pattern, n, i)) {
            size_t k = j;

            while (path[k] != '\0' && path[k] != '/') {
                k++;
            }
            if (k == j) {
                return false;
            }
            j = k;
            continue;
        }
        if (path[j] != r->pattern[i]) {
            return false;
        }
        j++;
    }
    return r->glob || path[j] == '\0';
}

/* rank > 0 if a outranks b, 0 if they are the same pattern. */
static int rank(const struct rule *a, const struct rule *b)
{
    if (a->first_wild != b->first_wild) {
        return a->first_wild > b->first_wild ? 1 : -1;
    }
    if (a->glob != b->glob) {
        return a->glob ? -1 : 1;
    }
    if (a->num_plus != b->num_plus) {
        return a->num_plus < b->num_plus ? 1 : -1;
    }
    if (a->len != b->len) {
        return a->len > b->len ? 1 : -1;
    }
    return memcmp(a->pattern, b->pattern, a->len);
}

/* The winning rule for a path: merged over every rule of its pattern. */
struct verdict {
    const struct rule *r; /* NULL: no pattern matched */
    uint32_t caps;
    bool has_key_ops;
    uint32_t key_ops;
};

static void decide(struct verdict *v, const struct ward_policy *const *pols, size_t n,
                   const char *path)
{
    memset(v, 0, sizeof(*v));
    for (size_t p = 0; p < n; p++) {
        for (size_t i = 0; pols[p] != NULL && i < pols[p]->num_rules; i++) {
            const struct rule *r = &pols[p]->rules[i];
            int c;

            if (!rule_match(r, path)) {
                continue;
            }
            c = v->r == NULL ? 1 : rank(r, v->r);
            if (c > 0) {
                *v = (struct verdict){ r, r->caps, r->has_key_ops, r->key_ops };
            } else if (c == 0) {
                /* the same pattern in another policy: grants unite */
                v->caps |= r->caps;
                v->key_ops |= r->key_ops;
                v->has_key_ops = v->has_key_ops && r->has_key_ops;
            }
        }
    }
}

bool ward_policy_allowed(const struct ward_policy *const *pols, size_t n,
                         const struct ward_policy_req *req)
{
    struct verdict v;

    decide(&v, pols, n, req->path);
    if (v.r == NULL || (v.caps & WARD_CAP_DENY) != 0 || (v.caps & req->caps) == 0) {
        return false;
    }
    if (req->sudo && (v.caps & WARD_CAP_SUDO) == 0) {
        return false;
    }
    /* SECURITY: a rule limited to key operations allows nothing else under it */
    return !v.has_key_ops || (req->key_op != 0 && (v.key_ops & req->key_op) == req->key_op);
}

uint32_t ward_policy_caps(const struct ward_policy *const *pols, size_t n, const char *path)
{
    struct verdict v;

    decide(&v, pols, n, path);
    return v.r == NULL || (v.caps & WARD_CAP_DENY) != 0 ? 0 : v.caps;
}

/* ---- parsing ---- */

void ward_policy_free(struct ward_policy *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->num_rules; i++) {
        ward_free(p->rules[i].pattern);
    }
    ward_free(p->rules);
    party_rules_free(p->parties);
    ward_free(p);
}

size_t ward_policy_num_rules(const struct ward_policy *p)
{
    return p->num_rules;
}

static bool cap_from_name(uint32_t *out, const char *name)
{
    for (size_t i = 0; i < sizeof(g_caps) / sizeof(g_caps[0]); i++) {
        if (strcmp(g_caps[i].name, name) == 0) {
            *out = g_caps[i].cap;
            return true;
        }
    }
    return false;
}

/* names_mask turns an array of names into a mask with lookup; false if malformed. */
static bool names_mask(uint32_t *out, const json_t *arr, bool (*lookup)(uint32_t *, const char *))
{
    size_t i;
    const json_t *v;

    *out = 0;
    if (!json_is_array(arr)) {
        return false;
    }
    json_array_foreach(arr, i, v)
    {
        uint32_t bit = 0;

        if (!json_is_string(v) || !lookup(&bit, json_string_value(v))) {
            return false;
        }
        *out |= bit;
    }
    return true;
}

static bool key_op_from_name(uint32_t *out, const char *name)
{
    return ward_key_op_from_name(out, name);
}

/* parse_rule fills r from one "pattern": {...} member. */
static ward_err parse_rule(struct rule *r, const char *pattern, const json_t *body, char *why,
                           size_t why_cap)
{
    const char *key;
    const json_t *v;
    bool has_caps = false;

    if (!ward_policy_pattern_ok(pattern)) {
        (void)snprintf(why, why_cap, "path \"%.80s\" is not a valid pattern", pattern);
        return WARD_E_BAD_POLICY;
    }
    if (!json_is_object(body)) {
        (void)snprintf(why, why_cap, "path \"%.80s\" must map to an object", pattern);
        return WARD_E_BAD_POLICY;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "capabilities") == 0 && names_mask(&r->caps, v, cap_from_name)) {
            has_caps = true;
        } else if (strcmp(key, "ward_key_operations") == 0 &&
                   names_mask(&r->key_ops, v, key_op_from_name)) {
            r->has_key_ops = true;
        } else {
            (void)snprintf(why, why_cap,
                           "path \"%.80s\": \"%.40s\" is unknown or malformed (capabilities and "
                           "ward_key_operations are lists of known names)",
                           pattern, key);
            return WARD_E_BAD_POLICY;
        }
    }
    if (!has_caps) {
        (void)snprintf(why, why_cap, "path \"%.80s\" has no capabilities", pattern);
        return WARD_E_BAD_POLICY;
    }
    if ((r->pattern = ward_strdup(pattern)) == NULL) {
        return WARD_E_NOMEM;
    }
    r->len = strlen(pattern);
    rule_shape(r);
    return WARD_OK;
}

static ward_err parse_doc(struct ward_policy *p, const json_t *doc, char *why, size_t why_cap)
{
    const json_t *paths = json_object_get(doc, "path");
    const json_t *parties = json_object_get(doc, "ward_parties");
    const char *pattern;
    const json_t *body;
    ward_err err;

    if (!json_is_object(doc) ||
        json_object_size(doc) != (paths != NULL ? 1u : 0u) + (parties != NULL ? 1u : 0u)) {
        (void)snprintf(why, why_cap,
                       "a policy is a JSON object with the members \"path\" and (Ward's) "
                       "\"ward_parties\" only");
        return WARD_E_BAD_POLICY;
    }
    if (parties != NULL &&
        (err = party_rules_parse(&p->parties, parties, why, why_cap)) != WARD_OK) {
        return err;
    }
    if (paths == NULL) {
        return WARD_OK; /* an empty policy grants nothing */
    }
    if (!json_is_object(paths) || json_object_size(paths) > WARD_POLICY_MAX_RULES) {
        (void)snprintf(why, why_cap, "\"path\" must be an object of at most %d patterns",
                       WARD_POLICY_MAX_RULES);
        return WARD_E_BAD_POLICY;
    }
    if (json_object_size(paths) > 0 &&
        (p->rules = ward_calloc(json_object_size(paths), sizeof(*p->rules))) == NULL) {
        return WARD_E_NOMEM;
    }
    json_object_foreach((json_t *)paths, pattern, body)
    {
        if ((err = parse_rule(&p->rules[p->num_rules], pattern, body, why, why_cap)) != WARD_OK) {
            ward_free(p->rules[p->num_rules].pattern);
            return err;
        }
        p->num_rules++;
    }
    return WARD_OK;
}

ward_err ward_policy_parse(struct ward_policy **out, const char *text, size_t len, char *why,
                           size_t why_cap)
{
    struct ward_policy *p = NULL;
    json_error_t jerr;
    json_t *doc = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    why[0] = '\0';
    if (len > WARD_POLICY_MAX_TEXT) {
        (void)snprintf(why, why_cap, "a policy is at most %u bytes", WARD_POLICY_MAX_TEXT);
        return WARD_E_TOO_LARGE;
    }
    /* duplicate keys would let two readers see two different policies */
    if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
        (void)snprintf(why, why_cap, "not JSON (line %d: %.60s); Ward takes JSON policies only",
                       jerr.line, jerr.text);
        return WARD_E_BAD_POLICY;
    }
    if ((p = ward_calloc(1, sizeof(*p))) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = parse_doc(p, doc, why, why_cap)) != WARD_OK) {
        goto out;
    }
    *out = p;
    p = NULL;
    err = WARD_OK;
out:
    ward_policy_free(p);
    json_decref(doc);
    return err;
}
