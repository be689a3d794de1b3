/*
 * tls.c - the front's TLS configuration and dev-mode certificates.
 *
 * SECURITY: TLS 1.2 and 1.3 only; for 1.2 only ECDHE key exchange with
 * AES-GCM or ChaCha20-Poly1305 (forward secrecy, AEAD); 1.3 suites are all
 * AEAD. Renegotiation is off. With a client CA file the server asks for a
 * client certificate and verifies it against that file only; with
 * require_client_cert a handshake without one fails. With
 * request_client_cert instead (no CA file) it asks for any certificate and
 * accepts it unverified: the cert auth method checks it against a role's
 * CA at login, and nothing else trusts it.
 *
 * THREADS: ward_front_tls_ctx_new builds a fresh SSL_CTX and shares nothing;
 * the swap on reload is in server.c. ward_front_dev_certs writes files and
 * is meant for start-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/log.h"
#include "front/front_int.h"

#define TLS12_CIPHERS                                                                          \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES   "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define SESSION_ID_CTX "ward-front"
#define DEV_DAYS       825

/* log_ssl logs what failed, with OpenSSL's first reason, and clears the queue. */
static void log_ssl(const char *what, const char *file)
{
    char reason[256];
    unsigned long e = ERR_peek_error();

    ERR_error_string_n(e, reason, sizeof(reason));
    ward_log(WARD_LOG_ERROR, "tls: %s file=%s reason=\"%s\"", what, file, e != 0 ? reason : "-");
    ERR_clear_error();
}

/*
 * accept_any_client is the verify callback of request_client_cert.
 * SECURITY: it waives only the chain; the handshake still proves the
 * client holds the certificate's key (CertificateVerify).
 */
static int accept_any_client(int ok, X509_STORE_CTX *store)
{
    (void)ok;
    (void)store;
    return 1;
}

static ward_err setup_client_ca(SSL_CTX *ctx, const struct ward_front_config *cfg)
{
    STACK_OF(X509_NAME) *names = NULL;
    int mode = SSL_VERIFY_PEER;

    if (cfg->request_client_cert && (cfg->client_ca_file[0] != '\0' || cfg->require_client_cert)) {
        return WARD_E_INVALID; /* one model of client certificates per listener */
    }
    if (cfg->request_client_cert) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client);
        return WARD_OK;
    }
    if (cfg->client_ca_file[0] == '\0') {
        return cfg->require_client_cert ? WARD_E_INVALID : WARD_OK;
    }
    if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca_file, NULL) != 1 ||
        (names = SSL_load_client_CA_file(cfg->client_ca_file)) == NULL) {
        log_ssl("cannot load client CA", cfg->client_ca_file);
        return WARD_E_INVALID;
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    if (cfg->require_client_cert) {
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(ctx, mode, NULL);
    SSL_CTX_set_verify_depth(ctx, 4);
    return WARD_OK;
}

static ward_err setup_protocol(SSL_CTX *ctx)
{
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES) != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_set_session_id_context(ctx, (const unsigned char *)SESSION_ID_CTX,
                                       sizeof(SESSION_ID_CTX) - 1) != 1) {
        log_ssl("cannot set protocol parameters", "-");
        return WARD_E_CRYPTO;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return WARD_OK;
}

/* ward_front_strerror is strerror that is safe on any thread (GNU strerror_r). */
const char *ward_front_strerror(int e, char *buf, size_t buf_len)
{
    return strerror_r(e, buf, buf_len);
}

ward_err ward_front_tls_ctx_new(SSL_CTX **out, const struct ward_front_config *cfg)
{
    ward_err err = WARD_E_INTERNAL;
    SSL_CTX *ctx = NULL;

    *out = NULL;
    ERR_clear_error();
    if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = setup_protocol(ctx)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_INVALID;
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1) {
        log_ssl("cannot load certificate", cfg->cert_file);
        goto out;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        log_ssl("cannot load private key (or it does not match the certificate)", cfg->key_file);
        goto out;
    }
    if ((err = setup_client_ca(ctx, cfg)) != WARD_OK) {
        goto out;
    }
    *out = ctx;
    ctx = NULL;
    err = WARD_OK;
out:
    SSL_CTX_free(ctx);
    return err;
}

/* ---- dev certificates ---- */

static bool file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* write_pem writes a key (mode 0600, must not exist) or a certificate (0644). */
static ward_err write_pem(const char *path, EVP_PKEY *key, X509 *cert)
{
    char ebuf[128];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, key != NULL ? 0600 : 0644);
    FILE *fp = NULL;
    ward_err err = WARD_E_SYS;
    int ok;

    if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
        ward_log(WARD_LOG_ERROR, "dev certs: cannot create %s: %s", path,
                 ward_front_strerror(errno, ebuf, sizeof(ebuf)));
        goto out;
    }
    fd = -1;
    ok = key != NULL ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)
                     : PEM_write_X509(fp, cert);
    err = ok == 1 ? WARD_OK : WARD_E_CRYPTO;
out:
    if (fd >= 0) {
        (void)close(fd);
    }
    if (fp != NULL && fclose(fp) != 0) {
        err = WARD_E_SYS;
    }
    return err;
}

static bool add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    bool ok;

    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL) {
        return false;
    }
    ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* make_cert issues a certificate for key: self-signed when issuer is NULL (a CA). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *c = X509_new();
    X509_NAME *name = X509_NAME_new();
    uint8_t serial[16];
    BIGNUM *bn = NULL;
    bool ok = c != NULL && name != NULL && RAND_bytes(serial, sizeof(serial)) == 1;

    if (ok) {
        serial[0] &= 0x7f; /* a positive serial */
    }
    ok = ok && (bn = BN_bin2bn(serial, sizeof(serial), NULL)) != NULL &&
         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) != NULL &&
         X509_set_version(c, X509_VERSION_3) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(c), -3600) != NULL &&
         X509_gmtime_adj(X509_getm_notAfter(c), 86400L * DEV_DAYS) != NULL &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0) == 1 &&
         X509_set_subject_name(c, name) == 1 &&
         X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : name) == 1 &&
         X509_set_pubkey(c, key) == 1;
    if (issuer == NULL) {
        ok = ok && add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
             add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(c, c, NID_subject_key_identifier, "hash");
    } else {
        ok = ok && add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(c, issuer, NID_key_usage, "critical,digitalSignature") &&
             add_ext(c, issuer, NID_ext_key_usage, "serverAuth") &&
             add_ext(c, issuer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
             add_ext(c, issuer, NID_authority_key_identifier, "keyid:always");
    }
    ok = ok && X509_sign(c, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0;
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(c);
        c = NULL;
    }
    return c;
}

struct dev_paths {
    char ca[600];
    char ca_key[600];
    char cert[600];
    char key[600];
};

static ward_err load_ca(const struct dev_paths *p, X509 **out_ca, EVP_PKEY **out_key)
{
    FILE *fp;

    if ((fp = fopen(p->ca, "r")) == NULL) {
        return WARD_E_SYS;
    }
    *out_ca = PEM_read_X509(fp, NULL, NULL, NULL);
    (void)fclose(fp);
    if ((fp = fopen(p->ca_key, "r")) == NULL) {
        return WARD_E_SYS;
    }
    *out_key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    (void)fclose(fp);
    return *out_ca != NULL && *out_key != NULL ? WARD_OK : WARD_E_CRYPTO;
}

static ward_err make_ca(const struct dev_paths *p, X509 **out_ca, EVP_PKEY **out_key)
{
    ward_err err;

    if (file_exists(p->ca) || file_exists(p->ca_key)) {
        ward_log(WARD_LOG_ERROR, "dev certs: %s or %s exists without the other", p->ca, p->ca_key);
        return WARD_E_INVALID;
    }
    if ((*out_key = EVP_EC_gen("P-256")) == NULL ||
        (*out_ca = make_cert(*out_key, "Ward dev CA", NULL, NULL)) == NULL) {
        return WARD_E_CRYPTO;
    }
    if ((err = write_pem(p->ca_key, *out_key, NULL)) != WARD_OK) {
        return err;
    }
    return write_pem(p->ca, NULL, *out_ca);
}

static ward_err make_server(const struct dev_paths *p, X509 *ca, EVP_PKEY *ca_key)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    ward_err err = WARD_E_CRYPTO;

    if (file_exists(p->cert) || file_exists(p->key)) {
        ward_log(WARD_LOG_ERROR, "dev certs: %s or %s exists without the other", p->cert, p->key);
        return WARD_E_INVALID;
    }
    if ((key = EVP_EC_gen("P-256")) == NULL ||
        (cert = make_cert(key, "localhost", ca, ca_key)) == NULL) {
        goto out;
    }
    if ((err = write_pem(p->key, key, NULL)) != WARD_OK) {
        goto out;
    }
    err = write_pem(p->cert, NULL, cert);
out:
    X509_free(cert);
    EVP_PKEY_free(key);
    return err;
}

ward_err ward_front_dev_certs(const char *dir)
{
    char ebuf[128];
    struct dev_paths p;
    X509 *ca = NULL;
    EVP_PKEY *ca_key = NULL;
    ward_err err = WARD_E_INVALID;

    if (snprintf(p.ca, sizeof(p.ca), "%s/ca.pem", dir) >= (int)sizeof(p.ca) ||
        snprintf(p.ca_key, sizeof(p.ca_key), "%s/ca-key.pem", dir) >= (int)sizeof(p.ca_key) ||
        snprintf(p.cert, sizeof(p.cert), "%s/server.pem", dir) >= (int)sizeof(p.cert) ||
        snprintf(p.key, sizeof(p.key), "%s/server-key.pem", dir) >= (int)sizeof(p.key)) {
        goto out;
    }
    if (file_exists(p.cert) && file_exists(p.key)) {
        err = WARD_OK;
        goto out;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        ward_log(WARD_LOG_ERROR, "dev certs: cannot create %s: %s", dir,
                 ward_front_strerror(errno, ebuf, sizeof(ebuf)));
        err = WARD_E_SYS;
        goto out;
    }
    err = file_exists(p.ca) && file_exists(p.ca_key) ? load_ca(&p, &ca, &ca_key)
                                                     : make_ca(&p, &ca, &ca_key);
    if (err != WARD_OK) {
        goto out;
    }
    err = make_server(&p, ca, ca_key);
out:
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    ERR_clear_error();
    return err;
}
