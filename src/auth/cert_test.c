/*
 * cert_test.c - the cert auth method's checks: globs, CA bundles, chains
 * (right CA, other CA, expired, not yet valid, server-only purpose, a
 * pinned intermediate) and name constraints (CN, DNS and e-mail SANs, OU),
 * on certificates made here with OpenSSL.
 */
#include "auth/cert.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define DAY 86400L

static void glob_rules(void **state)
{
    (void)state;
    assert_true(ward_cert_glob("app1.example.com", "app1.example.com", true));
    assert_true(ward_cert_glob("*.example.com", "app1.example.com", true));
    assert_true(ward_cert_glob("*.example.com", "a.b.example.com", true)); /* '*' spans dots */
    assert_true(ward_cert_glob("APP*.Example.com", "app1.example.com", true));
    assert_false(ward_cert_glob("APP*.Example.com", "app1.example.com", false));
    assert_true(ward_cert_glob("*", "", true));
    assert_true(ward_cert_glob("*", "anything", true));
    assert_true(ward_cert_glob("a*b*c", "aXXbYYbZc", true));
    assert_true(ward_cert_glob("*ab", "aab", true));
    assert_true(ward_cert_glob("**a", "a", true));
    assert_false(ward_cert_glob("*.example.com", "example.com", true));
    assert_false(ward_cert_glob("*.example.com", "app1.example.com.evil", true));
    assert_false(ward_cert_glob("app1.example.com", "app1.example.co", true));
    assert_false(ward_cert_glob("app1", "app12", true));
    assert_false(ward_cert_glob("", "a", true));
    assert_true(ward_cert_glob("", "", true));
    assert_false(ward_cert_glob("a*b*c", "aXXbYYbZ", true));
    assert_false(ward_cert_glob("?", "a", true)); /* only '*' is special */
}

static EVP_PKEY *key_new(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    assert_non_null(k);
    return k;
}

static void add_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;

    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, c, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(c, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

struct spec {
    const char *cn;
    const char *ou;  /* NULL: none */
    const char *san; /* "DNS:a,email:b" or NULL */
    const char *eku; /* NULL: clientAuth */
    long from_s;     /* validity, relative to now */
    long to_s;
    bool ca;
};

/* make issues a certificate for key by issuer (NULL: self-signed). */
static X509 *make(const struct spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *c = X509_new();
    X509_NAME *name = X509_get_subject_name(c);
    static long serial = 1;

    assert_non_null(c);
    assert_int_equal(X509_set_version(c, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(c), serial++), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(c), s->from_s));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(c), s->to_s));
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)s->cn, -1, -1, 0),
                     1);
    if (s->ou != NULL) {
        assert_int_equal(X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
                                                    (const unsigned char *)s->ou, -1, -1, 0),
                         1);
    }
    assert_int_equal(X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : name),
                     1);
    assert_int_equal(X509_set_pubkey(c, key), 1);
    add_ext(c, issuer != NULL ? issuer : c, NID_subject_key_identifier, "hash");
    if (s->ca) {
        add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(c, issuer, NID_ext_key_usage, s->eku != NULL ? s->eku : "clientAuth");
        if (s->san != NULL) {
            add_ext(c, issuer, NID_subject_alt_name, s->san);
        }
    }
    assert_true(X509_sign(c, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0);
    return c;
}

static size_t pem_of(char *out, size_t cap, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    int n;

    assert_int_equal(PEM_write_bio_X509(b, x), 1);
    n = BIO_read(b, out, (int)cap - 1);
    assert_true(n > 0);
    out[n] = '\0';
    BIO_free(b);
    return (size_t)n;
}

struct world {
    EVP_PKEY *ca_key, *other_key, *leaf_key;
    X509 *ca, *other;
    char ca_pem[4096], other_pem[4096];
    size_t ca_pem_len, other_pem_len;
};

static struct world g;

static int setup(void **state)
{
    const struct spec ca = { "Test CA", NULL, NULL, NULL, -DAY, 10 * DAY, true };
    const struct spec other = { "Other CA", NULL, NULL, NULL, -DAY, 10 * DAY, true };

    (void)state;
    g.ca_key = key_new();
    g.other_key = key_new();
    g.leaf_key = key_new();
    g.ca = make(&ca, g.ca_key, NULL, NULL);
    g.other = make(&other, g.other_key, NULL, NULL);
    g.ca_pem_len = pem_of(g.ca_pem, sizeof(g.ca_pem), g.ca);
    g.other_pem_len = pem_of(g.other_pem, sizeof(g.other_pem), g.other);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    X509_free(g.ca);
    X509_free(g.other);
    EVP_PKEY_free(g.ca_key);
    EVP_PKEY_free(g.other_key);
    EVP_PKEY_free(g.leaf_key);
    return 0;
}

static X509 *leaf(const char *cn, long from_s, long to_s, const char *eku)
{
    const struct spec s = { cn,   "Payments", "DNS:app1.example.com,email:ops@example.com",
                            eku,  from_s,     to_s,
                            false };

    return make(&s, g.leaf_key, g.ca, g.ca_key);
}

static void bundles(void **state)
{
    char two[8192];
    const char *why = NULL;

    (void)state;
    assert_int_equal(ward_cert_ca_check(g.ca_pem, g.ca_pem_len, &why), WARD_OK);
    (void)snprintf(two, sizeof(two), "%s%s", g.ca_pem, g.other_pem);
    assert_int_equal(ward_cert_ca_check(two, strlen(two), &why), WARD_OK);
    assert_int_equal(ward_cert_ca_check("", 0, &why), WARD_E_INVALID);
    assert_non_null(why);
    assert_int_equal(ward_cert_ca_check("not a pem", 9, &why), WARD_E_INVALID);
    /* a damaged base64 body after a good certificate */
    (void)snprintf(two, sizeof(two),
                   "%s-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", g.ca_pem);
    assert_int_equal(ward_cert_ca_check(two, strlen(two), &why), WARD_E_INVALID);
}

static void chains(void **state)
{
    char two[8192];
    X509 *ok = leaf("app1.example.com", -60, DAY, NULL);
    X509 *expired = leaf("app1.example.com", -3 * DAY, -DAY, NULL);
    X509 *future = leaf("app1.example.com", DAY, 3 * DAY, NULL);
    X509 *server_only = leaf("app1.example.com", -60, DAY, "serverAuth");
    char leaf_pem[4096];
    size_t leaf_pem_len = pem_of(leaf_pem, sizeof(leaf_pem), ok);

    (void)state;
    assert_int_equal(ward_cert_chain_ok(ok, g.ca_pem, g.ca_pem_len, 0), WARD_OK);
    assert_int_equal(ward_cert_chain_ok(ok, g.other_pem, g.other_pem_len, 0), WARD_E_PERMISSION);
    (void)snprintf(two, sizeof(two), "%s%s", g.other_pem, g.ca_pem);
    assert_int_equal(ward_cert_chain_ok(ok, two, strlen(two), 0), WARD_OK);
    assert_int_equal(ward_cert_chain_ok(expired, g.ca_pem, g.ca_pem_len, 0), WARD_E_PERMISSION);
    assert_int_equal(ward_cert_chain_ok(future, g.ca_pem, g.ca_pem_len, 0), WARD_E_PERMISSION);
    assert_int_equal(ward_cert_chain_ok(future, g.ca_pem, g.ca_pem_len, time(NULL) + 2 * DAY),
                     WARD_OK);
    assert_int_equal(ward_cert_chain_ok(server_only, g.ca_pem, g.ca_pem_len, 0), WARD_E_PERMISSION);
    /* a pinned leaf is its own anchor (Vault's roots are anchors) */
    assert_int_equal(ward_cert_chain_ok(ok, leaf_pem, leaf_pem_len, 0), WARD_OK);
    assert_int_equal(ward_cert_chain_ok(ok, "junk", 4, 0), WARD_E_INVALID);
    X509_free(ok);
    X509_free(expired);
    X509_free(future);
    X509_free(server_only);
}

static void parse_der(void **state)
{
    X509 *ok = leaf("app1.example.com", -60, DAY, NULL);
    uint8_t der[4096];
    uint8_t *p = der;
    int n = i2d_X509(ok, &p);
    X509 *back = NULL;

    (void)state;
    assert_true(n > 0 && (size_t)n < sizeof(der));
    assert_int_equal(ward_cert_parse(&back, der, (size_t)n), WARD_OK);
    assert_int_equal(X509_cmp(back, ok), 0);
    X509_free(back);
    assert_int_equal(ward_cert_parse(&back, der, (size_t)n - 1), WARD_E_BAD_ENCODING);
    der[n] = 0;
    assert_int_equal(ward_cert_parse(&back, der, (size_t)n + 1), WARD_E_BAD_ENCODING);
    assert_int_equal(ward_cert_parse(&back, der, 0), WARD_E_BAD_ENCODING);
    assert_null(back);
    X509_free(ok);
}

#define PATS(...)                                                               \
    (struct ward_cert_patterns)                                                 \
    {                                                                           \
        (const char *const[]){ __VA_ARGS__ },                                   \
            sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *) \
    }

static void constraints(void **state)
{
    X509 *c = leaf("app1.example.com", -60, DAY, NULL);
    struct ward_cert_rules r;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_true(ward_cert_rules_match(c, &r)); /* nothing constrained */
    r.common_names = PATS("app1.example.com");
    assert_true(ward_cert_rules_match(c, &r));
    r.common_names = PATS("app2.example.com", "*.example.com");
    assert_true(ward_cert_rules_match(c, &r));
    r.common_names = PATS("app2.example.com");
    assert_false(ward_cert_rules_match(c, &r));
    r.common_names = PATS("APP1.EXAMPLE.COM");
    assert_true(ward_cert_rules_match(c, &r));

    r.dns_sans = PATS("*.example.com");
    assert_true(ward_cert_rules_match(c, &r));
    r.dns_sans = PATS("*.example.org");
    assert_false(ward_cert_rules_match(c, &r));
    r.dns_sans.num = 0;

    r.email_sans = PATS("*@example.com");
    assert_true(ward_cert_rules_match(c, &r));
    r.email_sans = PATS("root@example.com");
    assert_false(ward_cert_rules_match(c, &r));
    r.email_sans.num = 0;

    r.org_units = PATS("Pay*");
    assert_true(ward_cert_rules_match(c, &r));
    r.org_units = PATS("payments"); /* OUs compare exactly */
    assert_false(ward_cert_rules_match(c, &r));
    X509_free(c);
}

/* A name with a NUL inside ("app1.example.com\0.evil") never matches. */
static void nul_in_name(void **state)
{
    const struct spec s = { "x", NULL, NULL, NULL, -60, DAY, false };
    X509 *c = make(&s, g.leaf_key, g.ca, g.ca_key);
    X509_NAME *name = X509_NAME_new();
    static const unsigned char cn[] = "app1.example.com\0.evil";
    struct ward_cert_rules r;

    (void)state;
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", V_ASN1_UTF8STRING, cn, (int)sizeof(cn) - 1, -1, 0),
        1);
    assert_int_equal(X509_set_subject_name(c, name), 1);
    memset(&r, 0, sizeof(r));
    r.common_names = PATS("app1.example.com*", "*");
    assert_false(ward_cert_rules_match(c, &r));
    X509_NAME_free(name);
    X509_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_rules), cmocka_unit_test(bundles),     cmocka_unit_test(chains),
        cmocka_unit_test(parse_der),  cmocka_unit_test(constraints), cmocka_unit_test(nul_in_name),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
