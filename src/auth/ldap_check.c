/*
 * ldap_check.c - the checks of an ldap configuration before it is stored
 * (ward_ldap_params_check in ldap.h): urls, DNs, attribute names, filter
 * templates, the CA certificate, the timeout. libldap parses urls and DNs,
 * OpenSSL the PEM; nothing here touches the network.
 *
 * SECURITY: a configuration that would send a password in clear (ldap://
 * without starttls) or bind without one (binddn without bindpass) is
 * refused here, and the client refuses it again at login.
 */
#include "ldap.h"

#include <ldap.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static bool set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* dn_ok: a configured DN parses as an LDAPv3 DN (empty is the root DSE: refused). */
static bool dn_ok(const char *dn)
{
    LDAPDN parsed = NULL;
    bool ok;

    if (!set(dn) || strlen(dn) > WARD_LDAP_MAX_DN) {
        return false;
    }
    ok = ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS && parsed != NULL;
    ldap_dnfree(parsed);
    return ok;
}

/* pem_ok: pem holds at least one X.509 certificate and nothing that fails to parse. */
static bool pem_ok(const char *pem)
{
    size_t len = strlen(pem);
    BIO *bio;
    X509 *x;
    size_t n = 0;

    if (len > WARD_LDAP_MAX_CERT || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
        return false;
    }
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        X509_free(x);
        n++;
    }
    BIO_free(bio);
    ERR_clear_error(); /* the loop ends on "no start line" */
    return n > 0;
}

/* url_ok: one url parses, is ldap:// or ldaps:// with a host, and is not sent in clear. */
static bool url_ok(const char *url, const struct ward_ldap_params *p, const char **why)
{
    LDAPURLDesc *lud = NULL;
    bool ok;

    *why = "url must be ldap:// or ldaps:// urls with a host, separated by commas";
    if (ldap_url_parse(url, &lud) != LDAP_URL_SUCCESS) {
        return false;
    }
    ok = (strcasecmp(lud->lud_scheme, "ldap") == 0 || strcasecmp(lud->lud_scheme, "ldaps") == 0) &&
         set(lud->lud_host);
    if (ok && strcasecmp(lud->lud_scheme, "ldap") == 0 && !p->starttls && !p->insecure_tls) {
        *why = "an ldap:// url without starttls would send passwords in clear: set starttls "
               "(or use ldaps://)";
        ok = false;
    }
    ldap_free_urldesc(lud);
    return ok;
}

static bool urls_ok(const struct ward_ldap_params *p, const char **why)
{
    const char *list = p->url;
    char url[WARD_LDAP_MAX_URL + 1];
    size_t n = 0;

    if (!set(p->url) || strlen(p->url) > WARD_LDAP_MAX_URL_LIST) {
        *why = "url is required (ldap:// or ldaps://, several separated by commas)";
        return false;
    }
    while (ward_ldap_next_url(url, sizeof(url), &list)) {
        if (++n > WARD_LDAP_MAX_URLS || strlen(url) >= WARD_LDAP_MAX_URL) {
            *why = "url: at most 8 urls of at most 511 bytes each";
            return false;
        }
        if (!url_ok(url, p, why)) {
            return false;
        }
    }
    return n > 0;
}

/* names_ok checks the attribute names and DNs. */
static bool names_ok(const struct ward_ldap_params *p, const char **why)
{
    if (!dn_ok(p->userdn) || (set(p->groupdn) && !dn_ok(p->groupdn)) ||
        (set(p->binddn) && !dn_ok(p->binddn))) {
        *why = "userdn (required), groupdn and binddn must be LDAP DNs (RFC 4514)";
        return false;
    }
    if ((set(p->userattr) && !ward_ldap_attr_ok(p->userattr)) ||
        (set(p->groupattr) && !ward_ldap_attr_ok(p->groupattr))) {
        *why = "userattr and groupattr must be attribute names (letters, digits, '-') or OIDs";
        return false;
    }
    if (set(p->upndomain) &&
        (strlen(p->upndomain) > 253 ||
         strspn(p->upndomain, "abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(p->upndomain))) {
        *why = "upndomain must be a DNS domain name";
        return false;
    }
    if (set(p->binddn) != (p->bindpass_len > 0)) {
        /* SECURITY: a binddn without bindpass is an unauthenticated bind */
        *why = "binddn and bindpass go together";
        return false;
    }
    return true;
}

/* filters_ok checks the templates; userfilter must name the user. */
static bool filters_ok(const struct ward_ldap_params *p, const char **why)
{
    static const struct ward_ldap_vars a = { "a", "cn", NULL };
    static const struct ward_ldap_vars b = { "b", "cn", NULL };
    char fa[WARD_LDAP_MAX_FILTER + 1];
    char fb[WARD_LDAP_MAX_FILTER + 1];

    if (set(p->userfilter)) {
        if (!ward_ldap_template_ok(p->userfilter, why)) {
            return false;
        }
        /* a filter that does not name the user would find the same entry for anyone */
        if (ward_ldap_template(fa, sizeof(fa), p->userfilter, &a, why) != WARD_OK ||
            ward_ldap_template(fb, sizeof(fb), p->userfilter, &b, why) != WARD_OK ||
            strcmp(fa, fb) == 0) {
            *why = "userfilter must contain {{.Username}}";
            return false;
        }
    }
    if (set(p->groupfilter) && !ward_ldap_template_ok(p->groupfilter, why)) {
        return false;
    }
    return true;
}

ward_err ward_ldap_params_check(const struct ward_ldap_params *p, const char **why)
{
    *why = NULL;
    if (!urls_ok(p, why) || !names_ok(p, why) || !filters_ok(p, why)) {
        return WARD_E_INVALID;
    }
    if (set(p->certificate) && !pem_ok(p->certificate)) {
        *why = "certificate must be one or more PEM X.509 CA certificates";
        return WARD_E_INVALID;
    }
    if (p->tls_max != 0 && p->tls_min > p->tls_max) {
        *why = "tls_min_version must not be above tls_max_version";
        return WARD_E_INVALID;
    }
    if (p->timeout_ms < WARD_LDAP_TIMEOUT_MIN_S * 1000 ||
        p->timeout_ms > WARD_LDAP_TIMEOUT_MAX_S * 1000) {
        *why = "request_timeout must be 1 to 60 seconds";
        return WARD_E_INVALID;
    }
    return WARD_OK;
}
