/*
 * auth_cert.c - the cert auth method at auth/<mount>/ (Vault's paths and
 * shapes, so hvac's client.auth.cert calls work): roles at certs/:name
 * (a CA bundle, name constraints, token fields) and login with the TLS
 * client certificate of the request's connection.
 *
 * A role's entry (auth_cred.h: JSON under the barrier, names hidden):
 *   {"name", "certificate": PEM, "allowed_common_names": [...],
 *    "allowed_dns_sans": [...], "allowed_email_sans": [...],
 *    "allowed_organizational_units": [...], "display_name", token fields}
 *
 * Login: the front passes the client's certificate (DER) on, unverified
 * when the listener has tls_request_client_cert (docs/config.md); it must
 * chain to the role's CA alone and satisfy the role's constraints
 * (src/auth/cert.c). With "name" only that role is tried, else every role
 * in name order and the first that accepts wins. No certificate, no role
 * that accepts: login_refuse (one answer for every reason).
 *
 * THREADS: as auth_userpass.c: writes hold the mount's mu, logins read
 * without it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "auth/cert.h"
#include "auth_entry.h"
#include "base/log.h"
#include "login.h"

#define CERTS     "certs"
#define MAX_ROLES 256 /* roles one nameless login tries */

const struct mount_kind g_mount_cert = { "cert",     "auth/cert/", true,      cred_open,
                                         cred_close, cred_flush,   cred_erase };

static const char *const g_constraints[] = { "allowed_common_names", "allowed_dns_sans",
                                             "allowed_email_sans", "allowed_organizational_units" };

/* add_pattern appends one trimmed pattern of n bytes at s to a; false if malformed. */
static bool add_pattern(json_t *a, const char *s, size_t n)
{
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    if (n == 0) {
        return true;
    }
    if (n > WARD_CERT_MAX_PATTERN || memchr(s, '\0', n) != NULL ||
        json_array_size(a) >= WARD_CERT_MAX_PATTERNS) {
        return false;
    }
    return json_array_append_new(a, json_stringn(s, n)) == 0;
}

/* patterns_json reads a constraint (list or comma-separated string) as an array; NULL if bad. */
static json_t *patterns_json(const json_t *v)
{
    json_t *a = json_array();
    bool ok = a != NULL;
    size_t i;
    const json_t *item;

    if (ok && json_is_string(v)) {
        for (const char *s = json_string_value(v); ok && *s != '\0';) {
            size_t n = strcspn(s, ",");

            ok = add_pattern(a, s, n);
            s += n + (s[n] == ',');
        }
    } else if (ok && json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            ok = ok && json_is_string(item) &&
                 add_pattern(a, json_string_value(item), json_string_length(item));
        }
    } else {
        ok = ok && json_is_null(v);
    }
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* unsupported: a Vault role field Ward does not enforce, set to something (refused, not ignored).
 */
static bool unsupported(const json_t *body, const char *key)
{
    const json_t *v = json_object_get(body, key);

    return v != NULL && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0) &&
           !(json_is_array(v) && json_array_size(v) == 0);
}

/* set_certificate checks and stores "certificate" if present. */
static const char *set_certificate(json_t *role, const json_t *body)
{
    const json_t *v = json_object_get(body, "certificate");
    const char *why = NULL;

    if (v == NULL) {
        return json_object_get(role, "certificate") != NULL ? NULL : "certificate is required";
    }
    if (!json_is_string(v) ||
        ward_cert_ca_check(json_string_value(v), json_string_length(v), &why) != WARD_OK) {
        return why != NULL ? why : "certificate must be PEM text";
    }
    (void)json_object_set_new(role, "certificate", json_string(json_string_value(v)));
    return NULL;
}

/* role_apply sets body's fields in role; NULL or why it refused. */
static const char *role_apply(json_t *role, json_t *body)
{
    const json_t *dn = json_object_get(body, "display_name");
    const char *why;
    char tmp[CRED_NAME_MAX + 1];

    if (unsupported(body, "allowed_uri_sans") || unsupported(body, "required_extensions") ||
        unsupported(body, "allowed_names") || unsupported(body, "allowed_metadata_extensions")) {
        return "allowed_uri_sans, allowed_names, required_extensions and "
               "allowed_metadata_extensions are not supported (leave them empty)";
    }
    if ((why = set_certificate(role, body)) != NULL) {
        return why;
    }
    for (size_t i = 0; i < sizeof(g_constraints) / sizeof(g_constraints[0]); i++) {
        const json_t *v = json_object_get(body, g_constraints[i]);
        json_t *a;

        if (v == NULL) {
            continue;
        }
        if ((a = patterns_json(v)) == NULL) {
            return "allowed_* constraints must be at most 32 patterns of at most 256 bytes";
        }
        (void)json_object_set_new(role, g_constraints[i], a);
    }
    if (dn != NULL && !(json_is_string(dn) &&
                        (json_string_length(dn) == 0 || cred_name(tmp, json_string_value(dn))))) {
        return "display_name must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -";
    }
    if (dn != NULL) {
        /* lower-cased as cred_name made it: it becomes part of the token's principal */
        (void)json_object_set_new(role, "display_name",
                                  json_string(json_string_length(dn) > 0 ? tmp : ""));
    }
    /*
     * hvac sends token_type "" ("the mount's default", Ward's only type) and
     * token_explicit_max_ttl 0 ("none"; taken as token_max_ttl it would undo
     * the token_max_ttl of the same call) with every role write
     */
    if (json_is_string(json_object_get(body, "token_type")) &&
        json_string_length(json_object_get(body, "token_type")) == 0) {
        (void)json_object_del(body, "token_type");
    }
    if (json_is_integer(json_object_get(body, "token_explicit_max_ttl")) &&
        json_integer_value(json_object_get(body, "token_explicit_max_ttl")) == 0) {
        (void)json_object_del(body, "token_explicit_max_ttl");
    }
    return cred_token_update(role, body, &why) == WARD_OK ? NULL : why;
}

void op_cert_role_write(struct op_ctx *c)
{
    char name[CRED_NAME_MAX + 1];

    if (entry_name(c, name)) {
        entry_write(c, CERTS, name, role_apply);
    }
}

void op_cert_role_read(struct op_ctx *c)
{
    json_t *role = NULL;
    json_t *data;

    if (!entry_read(c, &role, CERTS, "role")) {
        return;
    }
    data =
        json_pack("{s:O, s:s}", "certificate", json_object_get(role, "certificate"), "display_name",
                  json_string_value(json_object_get(role, "display_name")) != NULL
                      ? json_string_value(json_object_get(role, "display_name"))
                      : "");
    for (size_t i = 0; data != NULL && i < sizeof(g_constraints) / sizeof(g_constraints[0]); i++) {
        const json_t *v = json_object_get(role, g_constraints[i]);

        (void)json_object_set_new(data, g_constraints[i],
                                  v != NULL ? json_copy((json_t *)v) : json_array());
    }
    if (data == NULL) {
        json_decref(role);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    cred_token_read(data, role);
    json_decref(role);
    cred_reply(c, data);
}

void op_cert_role_delete(struct op_ctx *c)
{
    entry_delete(c, CERTS);
}

void op_cert_role_list(struct op_ctx *c)
{
    entry_list(c, CERTS);
}

/* ---- login ---- */

/* rules_of points r at role's constraint arrays (items borrowed from role). */
static void rules_of(struct ward_cert_rules *r, const char *items[4][WARD_CERT_MAX_PATTERNS],
                     const json_t *role)
{
    struct ward_cert_patterns *p[4] = { &r->common_names, &r->dns_sans, &r->email_sans,
                                        &r->org_units };

    for (size_t k = 0; k < 4; k++) {
        const json_t *a = json_object_get(role, g_constraints[k]);
        size_t i;
        const json_t *item;

        p[k]->num = 0;
        p[k]->items = items[k];
        json_array_foreach(a, i, item)
        {
            if (p[k]->num < WARD_CERT_MAX_PATTERNS && json_is_string(item)) {
                items[k][p[k]->num++] = json_string_value(item);
            }
        }
    }
}

/* role_accepts: leaf chains to role's CA, meets its constraints, and source its CIDRs. */
static bool role_accepts(const json_t *role, X509 *leaf, const char *source)
{
    const char *items[4][WARD_CERT_MAX_PATTERNS];
    const json_t *pem = json_object_get(role, "certificate");
    struct ward_cert_rules r;

    if (!json_is_string(pem) ||
        ward_cert_chain_ok(leaf, json_string_value(pem), json_string_length(pem), 0) != WARD_OK) {
        return false;
    }
    rules_of(&r, items, role);
    return ward_cert_rules_match(leaf, &r) && cred_cidrs_allow(role, "token_bound_cidrs", source);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/*
 * find_role sets *out to the first role (in name order, or the one named)
 * that accepts leaf; NULL if none. WARD_OK unless storage failed.
 */
static ward_err find_role(struct cred_mount *cm, json_t **out, X509 *leaf, const char *only,
                          const char *source)
{
    json_t *names = NULL;
    json_t *sorted[MAX_ROLES];
    json_t *item;
    size_t n;
    size_t k;
    ward_err err;

    *out = NULL;
    if (only != NULL) {
        err = cred_get(cm, out, CERTS, only);
        if (err == WARD_OK && !role_accepts(*out, leaf, source)) {
            json_decref(*out);
            *out = NULL;
        }
        return err == WARD_E_NOT_FOUND ? WARD_OK : err;
    }
    if ((err = cred_list(cm, &names, CERTS)) != WARD_OK) {
        return err;
    }
    n = 0;
    json_array_foreach(names, k, item)
    {
        if (n < MAX_ROLES) {
            sorted[n++] = item;
        }
    }
    qsort(sorted, n, sizeof(json_t *), by_name);
    for (size_t i = 0; i < n && *out == NULL && err == WARD_OK; i++) {
        err = cred_get(cm, out, CERTS, json_string_value(sorted[i]));
        if (err == WARD_OK && !role_accepts(*out, leaf, source)) {
            json_decref(*out);
            *out = NULL;
        }
        err = err == WARD_E_NOT_FOUND ? WARD_OK : err; /* deleted meanwhile */
    }
    json_decref(names);
    return err;
}

/* leaf_cn copies the certificate's first CN for the token's metadata ("" if none). */
static void leaf_cn(char *out, size_t cap, X509 *leaf)
{
    out[0] = '\0';
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, out, (int)cap) < 0) {
        out[0] = '\0';
    }
}

/* key_id_hex writes id as Vault prints key ids ("aa:bb:..."; "" if absent). */
static void key_id_hex(char *out, size_t cap, const ASN1_OCTET_STRING *id)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = id != NULL ? ASN1_STRING_get0_data(id) : NULL;
    size_t n = id != NULL ? (size_t)ASN1_STRING_length(id) : 0;
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; p != NULL && i < n && used + 4 <= cap; i++) {
        if (i > 0) {
            out[used++] = ':';
        }
        out[used++] = digits[p[i] >> 4];
        out[used++] = digits[p[i] & 15];
        out[used] = '\0';
    }
}

/* cert_meta is Vault's login metadata for leaf accepted by role_nm (NULL: out of memory). */
static json_t *cert_meta(const char *role_nm, X509 *leaf)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
    char *serial = bn != NULL ? BN_bn2dec(bn) : NULL;
    char cn[256];
    char skid[200];
    char akid[200];
    json_t *meta;

    leaf_cn(cn, sizeof(cn), leaf);
    key_id_hex(skid, sizeof(skid), X509_get0_subject_key_id(leaf));
    key_id_hex(akid, sizeof(akid), X509_get0_authority_key_id(leaf));
    meta = json_pack("{s:s, s:s, s:s, s:s, s:s}", "cert_name", role_nm != NULL ? role_nm : "",
                     "common_name", cn, "serial_number", serial != NULL ? serial : "",
                     "subject_key_id", skid, "authority_key_id", akid);
    OPENSSL_free(serial);
    BN_free(bn);
    return meta;
}

/* finish issues the token of role for leaf. */
static void finish(struct op_ctx *c, const json_t *role, X509 *leaf)
{
    const char *names[LOGIN_MAX_POLICIES];
    const char *role_nm = json_string_value(json_object_get(role, "name"));
    const char *dn = json_string_value(json_object_get(role, "display_name"));
    struct login l = { 0 };
    json_t *meta = cert_meta(role_nm, leaf);

    l.method = "cert";
    l.name = dn != NULL && dn[0] != '\0' ? dn : role_nm;
    l.metadata = meta;
    cred_login_fill(&l, names, role);
    login_reply(c, &l);
    json_decref(meta);
}

void op_cert_login(struct op_ctx *c)
{
    const json_t *nm = json_object_get(c->body, "name");
    char only[CRED_NAME_MAX + 1];
    char source[64];
    X509 *leaf = NULL;
    json_t *role = NULL;
    ward_err err;

    if (nm != NULL && !json_is_null(nm) && !(json_is_string(nm) && json_string_length(nm) == 0) &&
        !(json_is_string(nm) && cred_name(only, json_string_value(nm)))) {
        op_fail(c, WARD_E_INVALID, "name must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -");
        return;
    }
    /* SECURITY: no certificate, or one that does not even parse: the same refusal */
    if (c->req->peer_cert_der == NULL ||
        ward_cert_parse(&leaf, c->req->peer_cert_der, c->req->peer_cert_der_len) != WARD_OK) {
        login_refuse(c);
        return;
    }
    cred_source(source, c);
    err = find_role(cred_of(c), &role, leaf,
                    json_is_string(nm) && json_string_length(nm) > 0 ? only : NULL, source);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    } else if (role == NULL) {
        login_refuse(c);
    } else {
        finish(c, role, leaf);
    }
    json_decref(role);
    X509_free(leaf);
}
