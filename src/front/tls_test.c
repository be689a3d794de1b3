/*
 * tls_test.c - dev certificates and SSL_CTX construction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "front/front_int.h"

static char g_dir[64];

static void path(char *out, size_t out_len, const char *name)
{
    assert_true(snprintf(out, out_len, "%s/%s", g_dir, name) < (int)out_len);
}

static int setup(void **state)
{
    (void)state;
    (void)snprintf(g_dir, sizeof(g_dir), "/tmp/ward-tls-test-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    assert_int_equal(ward_front_dev_certs(g_dir), WARD_OK);
    return 0;
}

static int teardown(void **state)
{
    const char *names[] = { "ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "bad.pem" };
    char p[128];

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        path(p, sizeof(p), names[i]);
        (void)unlink(p);
    }
    (void)rmdir(g_dir);
    return 0;
}

static X509 *load_cert(const char *name)
{
    char p[128];
    FILE *fp;
    X509 *x;

    path(p, sizeof(p), name);
    assert_non_null(fp = fopen(p, "r"));
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    (void)fclose(fp);
    assert_non_null(x);
    return x;
}

static void test_dev_cert_files(void **state)
{
    char p[128];
    struct stat st;
    X509 *ca = load_cert("ca.pem");
    X509 *srv = load_cert("server.pem");
    EVP_PKEY *pub = X509_get0_pubkey(srv);

    (void)state;
    path(p, sizeof(p), "server-key.pem");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    path(p, sizeof(p), "ca-key.pem");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(EVP_PKEY_is_a(pub, "EC"));
    assert_int_equal(EVP_PKEY_get_bits(pub), 256);
    assert_int_equal(X509_verify(srv, X509_get0_pubkey(ca)), 1);
    assert_int_equal(X509_check_host(srv, "localhost", 0, 0, NULL), 1);
    assert_int_equal(X509_check_ip_asc(srv, "127.0.0.1", 0), 1);
    assert_int_equal(X509_check_ca(ca), 1);
    X509_free(ca);
    X509_free(srv);
}

static void test_dev_certs_kept(void **state)
{
    X509 *before = load_cert("server.pem");
    X509 *after;
    char p[128];

    (void)state;
    assert_int_equal(ward_front_dev_certs(g_dir), WARD_OK);
    after = load_cert("server.pem");
    assert_int_equal(X509_cmp(before, after), 0);
    X509_free(after);
    /* A missing server pair is re-issued by the existing CA. */
    path(p, sizeof(p), "server.pem");
    assert_int_equal(unlink(p), 0);
    path(p, sizeof(p), "server-key.pem");
    assert_int_equal(unlink(p), 0);
    assert_int_equal(ward_front_dev_certs(g_dir), WARD_OK);
    after = load_cert("server.pem");
    assert_int_not_equal(X509_cmp(before, after), 0);
    X509_free(after);
    X509_free(before);
}

static void config(struct ward_front_config *cfg)
{
    ward_front_config_defaults(cfg);
    path(cfg->cert_file, sizeof(cfg->cert_file), "server.pem");
    path(cfg->key_file, sizeof(cfg->key_file), "server-key.pem");
}

static void test_ctx(void **state)
{
    struct ward_front_config cfg;
    SSL_CTX *ctx = NULL;

    (void)state;
    config(&cfg);
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_OK);
    assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    assert_int_equal(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
    SSL_CTX_free(ctx);
    path(cfg.client_ca_file, sizeof(cfg.client_ca_file), "ca.pem");
    cfg.require_client_cert = true;
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_OK);
    assert_int_equal(SSL_CTX_get_verify_mode(ctx),
                     SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    SSL_CTX_free(ctx);
    /* request_client_cert: asked for, not required, any chain passes on to cert auth */
    config(&cfg);
    cfg.request_client_cert = true;
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_OK);
    assert_int_equal(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
    assert_non_null(SSL_CTX_get_verify_callback(ctx));
    SSL_CTX_free(ctx);
    /* with a CA file or require_client_cert it is ambiguous: refused */
    path(cfg.client_ca_file, sizeof(cfg.client_ca_file), "ca.pem");
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    config(&cfg);
    cfg.request_client_cert = true;
    cfg.require_client_cert = true;
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    assert_null(ctx);
}

static void test_ctx_errors(void **state)
{
    struct ward_front_config cfg;
    SSL_CTX *ctx = NULL;
    char p[128];
    FILE *fp;

    (void)state;
    config(&cfg);
    (void)snprintf(cfg.cert_file, sizeof(cfg.cert_file), "/nonexistent/server.pem");
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    assert_null(ctx);
    config(&cfg);
    path(cfg.key_file, sizeof(cfg.key_file), "ca-key.pem"); /* does not match the cert */
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    config(&cfg);
    path(p, sizeof(p), "bad.pem");
    assert_non_null(fp = fopen(p, "w"));
    (void)fputs("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", fp);
    (void)fclose(fp);
    memcpy(cfg.cert_file, p, strlen(p) + 1);
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    config(&cfg);
    cfg.require_client_cert = true; /* without a CA file */
    assert_int_equal(ward_front_tls_ctx_new(&ctx, &cfg), WARD_E_INVALID);
    assert_null(ctx);
}

static void test_dev_certs_bad_dir(void **state)
{
    (void)state;
    assert_int_not_equal(ward_front_dev_certs("/proc/ward-no-such/dir"), WARD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dev_cert_files),
        cmocka_unit_test(test_dev_certs_kept),
        cmocka_unit_test(test_ctx),
        cmocka_unit_test(test_ctx_errors),
        cmocka_unit_test(test_dev_certs_bad_dir),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
