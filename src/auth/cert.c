/*
 * cert.c - client certificate chains and name constraints for the cert
 * auth method (cert.h has the rules).
 */
#include "cert.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define MAX_CA_CERTS 16
#define MAX_NAME     1024 /* bytes of one name taken from a certificate */

static unsigned char fold(char ch, bool fold_case)
{
    unsigned char u = (unsigned char)ch;

    return fold_case && u >= 'A' && u <= 'Z' ? (unsigned char)(u + ('a' - 'A')) : u;
}

bool ward_cert_glob(const char *pattern, const char *text, bool fold_case)
{
    const char *star = NULL;   /* the last '*' seen in pattern */
    const char *resume = NULL; /* where text resumes when that star takes one more byte */

    while (*text != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        } else if (*pattern != '\0' && fold(*pattern, fold_case) == fold(*text, fold_case)) {
            pattern++;
            text++;
        } else if (star != NULL) {
            /* backtrack: the last star swallows one more byte (enough for '*'-only globs) */
            pattern = star + 1;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*') {
        pattern++;
    }
    return *pattern == '\0';
}

/* read_bundle loads every certificate of pem into store (NULL: only count). */
static ward_err read_bundle(X509_STORE *store, const char *pem, size_t pem_len, size_t *num)
{
    BIO *bio;
    X509 *x = NULL;
    ward_err err = WARD_OK;

    *num = 0;
    if (pem_len == 0 || pem_len > WARD_CERT_MAX_PEM || memchr(pem, '\0', pem_len) != NULL) {
        return WARD_E_INVALID;
    }
    if ((bio = BIO_new_mem_buf(pem, (int)pem_len)) == NULL) {
        return WARD_E_NOMEM;
    }
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (++*num > MAX_CA_CERTS || (store != NULL && X509_STORE_add_cert(store, x) != 1)) {
            err = WARD_E_INVALID;
        }
        X509_free(x);
        if (err != WARD_OK) {
            break;
        }
    }
    /* the loop ends on "no start line" after the last certificate; anything else is damage */
    if (err == WARD_OK &&
        (*num == 0 || ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)) {
        err = WARD_E_INVALID;
    }
    ERR_clear_error();
    BIO_free(bio);
    return err;
}

ward_err ward_cert_ca_check(const char *pem, size_t pem_len, const char **why)
{
    size_t num = 0;
    ward_err err = read_bundle(NULL, pem, pem_len, &num);

    *why = err == WARD_E_INVALID ? "certificate must be PEM text of 1 to 16 certificates" : NULL;
    return err;
}

ward_err ward_cert_parse(X509 **out, const uint8_t *der, size_t der_len)
{
    const unsigned char *p = der;
    X509 *x;

    *out = NULL;
    if (der == NULL || der_len == 0 || der_len > 64 * 1024) {
        return WARD_E_BAD_ENCODING;
    }
    x = d2i_X509(NULL, &p, (long)der_len);
    ERR_clear_error();
    if (x == NULL || p != der + der_len) {
        X509_free(x);
        return WARD_E_BAD_ENCODING;
    }
    *out = x;
    return WARD_OK;
}

ward_err ward_cert_chain_ok(X509 *leaf, const char *ca_pem, size_t ca_pem_len, int64_t at_s)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_VERIFY_PARAM *param;
    size_t num = 0;
    ward_err err = WARD_E_NOMEM;

    if (store == NULL || ctx == NULL) {
        goto out;
    }
    if ((err = read_bundle(store, ca_pem, ca_pem_len, &num)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_NOMEM;
    if (X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1) {
        goto out;
    }
    param = X509_STORE_CTX_get0_param(ctx);
    /* the role's certificates are anchors even when not self-signed (Vault's roots) */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (at_s != 0) {
        X509_VERIFY_PARAM_set_time(param, (time_t)at_s);
    }
    if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) != 1) {
        goto out;
    }
    err = X509_verify_cert(ctx) == 1 ? WARD_OK : WARD_E_PERMISSION;
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return err;
}

/* any_match: one of patterns matches name. */
static bool any_match(const struct ward_cert_patterns *p, const char *name, bool fold_case)
{
    for (size_t i = 0; i < p->num; i++) {
        if (ward_cert_glob(p->items[i], name, fold_case)) {
            return true;
        }
    }
    return false;
}

/* string_text copies an ASN.1 string as UTF-8 into out; false if it holds a NUL or is too long. */
static bool string_text(char out[MAX_NAME], const ASN1_STRING *s)
{
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    bool ok = n >= 0 && n < MAX_NAME && memchr(utf8, '\0', (size_t)n) == NULL;

    if (ok) {
        memcpy(out, utf8, (size_t)n);
        out[n] = '\0';
    }
    OPENSSL_free(utf8);
    return ok;
}

/* subject_match: some subject entry of nid matches p. */
static bool subject_match(X509 *leaf, int nid, const struct ward_cert_patterns *p, bool fold_case)
{
    const X509_NAME *name = X509_get_subject_name(leaf);
    char text[MAX_NAME];

    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));

        if (string_text(text, s) && any_match(p, text, fold_case)) {
            return true;
        }
    }
    return false;
}

/* san_match: some subjectAltName of type (GEN_DNS, GEN_EMAIL) matches p. */
static bool san_match(X509 *leaf, int type, const struct ward_cert_patterns *p)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    char text[MAX_NAME];
    bool found = false;

    for (int i = 0; names != NULL && !found && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);

        if (g->type == type) {
            found = string_text(text, g->d.ia5) && any_match(p, text, true);
        }
    }
    GENERAL_NAMES_free(names);
    return found;
}

bool ward_cert_rules_match(X509 *leaf, const struct ward_cert_rules *r)
{
    if (r->common_names.num > 0 && !subject_match(leaf, NID_commonName, &r->common_names, true)) {
        return false;
    }
    if (r->org_units.num > 0 &&
        !subject_match(leaf, NID_organizationalUnitName, &r->org_units, false)) {
        return false;
    }
    if (r->dns_sans.num > 0 && !san_match(leaf, GEN_DNS, &r->dns_sans)) {
        return false;
    }
    return r->email_sans.num == 0 || san_match(leaf, GEN_EMAIL, &r->email_sans);
}
