/*
 * fuzz_cert.c - the cert auth method's client certificate checks
 * (src/auth/cert.c) on any DER input, as a TLS client may present it.
 *
 * Properties: no crash or sanitizer report in ward_cert_parse, the name
 * constraints (CN, DNS and e-mail SANs, OU, with globs that match
 * anything and nothing) and ward_cert_chain_ok; "*" patterns match every
 * certificate that has such a name; and the chain check against a CA made
 * here (whose key nobody else has) passes only for that CA's own
 * certificate, byte for byte.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "auth/cert.h"

static X509 *g_ca;
static char g_ca_pem[4096];
static size_t g_ca_pem_len;

/* make_ca makes the target's CA once (a fresh key: no input can be signed by it). */
static void make_ca(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509_NAME *name;
    BIO *b = BIO_new(BIO_s_mem());
    int n;

    g_ca = X509_new();
    if (key == NULL || g_ca == NULL || b == NULL) {
        abort();
    }
    name = X509_get_subject_name(g_ca);
    if (X509_set_version(g_ca, X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(g_ca), 1) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(g_ca), -86400) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(g_ca), 86400L * 3650) == NULL ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Fuzz CA", -1,
                                   -1, 0) != 1 ||
        X509_set_issuer_name(g_ca, name) != 1 || X509_set_pubkey(g_ca, key) != 1 ||
        X509_sign(g_ca, key, EVP_sha256()) <= 0 || PEM_write_bio_X509(b, g_ca) != 1 ||
        (n = BIO_read(b, g_ca_pem, (int)sizeof(g_ca_pem) - 1)) <= 0) {
        abort();
    }
    g_ca_pem_len = (size_t)n;
    BIO_free(b);
    EVP_PKEY_free(key);
}

static bool has_entry(X509 *x, int nid)
{
    return X509_NAME_get_index_by_NID(X509_get_subject_name(x), nid, -1) >= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const any[] = { "*" };
    static const char *const some[] = { "app1.example.com", "*.example.com", "Pay*", "*@x.org",
                                        "a*b*c*d" };
    struct ward_cert_rules r;
    X509 *leaf = NULL;

    if (g_ca == NULL) {
        make_ca();
    }
    if (ward_cert_parse(&leaf, data, size) != WARD_OK) {
        return 0;
    }
    memset(&r, 0, sizeof(r));
    r.common_names = (struct ward_cert_patterns){ some, 5 };
    r.dns_sans = (struct ward_cert_patterns){ some, 5 };
    r.email_sans = (struct ward_cert_patterns){ some, 5 };
    r.org_units = (struct ward_cert_patterns){ some, 5 };
    (void)ward_cert_rules_match(leaf, &r);
    /* '*' accepts any CN (without a NUL), so a certificate without a CN fails it */
    memset(&r, 0, sizeof(r));
    r.common_names = (struct ward_cert_patterns){ any, 1 };
    if (ward_cert_rules_match(leaf, &r) && !has_entry(leaf, NID_commonName)) {
        abort();
    }
    if (ward_cert_chain_ok(leaf, g_ca_pem, g_ca_pem_len, 0) == WARD_OK &&
        X509_cmp(leaf, g_ca) != 0) {
        abort();
    }
    X509_free(leaf);
    return 0;
}
