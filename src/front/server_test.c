/*
 * server_test.c - the whole front in-process: bind, serve over TLS, reload, stop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "front/front.h"

static char g_dir[64];
static atomic_int g_calls;

static void path(char *out, size_t out_len, const char *name)
{
    assert_true(snprintf(out, out_len, "%s/%s", g_dir, name) < (int)out_len);
}

/* cppcheck-suppress constParameter ; the type is ward_engine_handler_fn */
static void handler(void *ctx, struct ward_engine_resp *out, const struct ward_engine_req *req)
{
    bool good = ctx == &g_calls && strcmp(req->method, "POST") == 0 &&
                strcmp(req->path, "/v1/x") == 0 && req->query != NULL &&
                strcmp(req->query, "q=1") == 0 && req->token != NULL &&
                strcmp(req->token, "t0k") == 0 && req->body_len == 2 &&
                strlen(req->request_id) == WARD_REQUEST_ID_LEN &&
                strncmp(req->remote_addr, "127.0.0.1:", 10) == 0 && req->peer_cert_der == NULL;

    atomic_fetch_add(&g_calls, 1);
    out->status = good ? 201 : 500;
    out->content_type = "text/plain";
    out->op = "test.op";
    if (ward_buf_append_str(&out->body, good ? "made" : "bad!") != WARD_OK) {
        out->status = 500;
    }
}

static void config(struct ward_front_config *cfg)
{
    ward_front_config_defaults(cfg);
    cfg->num_listeners = 1;
    memcpy(cfg->listeners[0].addr, "127.0.0.1", 10);
    cfg->workers = 2;
    path(cfg->cert_file, sizeof(cfg->cert_file), "server.pem");
    path(cfg->key_file, sizeof(cfg->key_file), "server-key.pem");
}

static int setup(void **state)
{
    (void)state;
    (void)snprintf(g_dir, sizeof(g_dir), "/tmp/ward-front-test-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    assert_int_equal(ward_front_dev_certs(g_dir), WARD_OK);
    return 0;
}

static int teardown(void **state)
{
    const char *names[] = { "ca.pem", "ca-key.pem", "server.pem", "server-key.pem" };
    char p[128];

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        path(p, sizeof(p), names[i]);
        (void)unlink(p);
    }
    (void)rmdir(g_dir);
    return 0;
}

static void *run_thread(void *arg)
{
    static ward_err err;

    err = ward_front_run(arg);
    return &err;
}

/* exchange sends one request over a verified TLS connection; returns the raw response. */
static size_t exchange(uint16_t port, const char *req, char *resp, size_t resp_len)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char ca[128];
    SSL *ssl;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t got = 0;
    int n;

    path(ca, sizeof(ca), "ca.pem");
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, ca, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ssl = SSL_new(ctx);
    assert_int_equal(SSL_set1_host(ssl, "localhost"), 1);
    assert_int_equal(SSL_set_fd(ssl, fd), 1);
    assert_int_equal(SSL_connect(ssl), 1);
    assert_int_equal(SSL_write(ssl, req, (int)strlen(req)), (int)strlen(req));
    while (got < resp_len - 1 && (n = SSL_read(ssl, resp + got, (int)(resp_len - 1 - got))) > 0) {
        got += (size_t)n;
    }
    resp[got] = '\0';
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    (void)close(fd);
    return got;
}

static void test_serve_reload_stop(void **state)
{
    struct ward_front_config cfg;
    struct ward_front *f = NULL;
    pthread_t t;
    void *ret;
    char resp[2048];
    const char *req = "POST /v1/x?q=1 HTTP/1.1\r\nHost: localhost\r\nX-Vault-Token: t0k\r\n"
                      "Content-Length: 2\r\nConnection: close\r\n\r\nhi";

    (void)state;
    config(&cfg);
    assert_int_equal(ward_front_new(&f, &cfg, handler, &g_calls), WARD_OK);
    assert_int_not_equal(ward_front_bound_port(f, 0), 0);
    assert_int_equal(ward_front_bound_port(f, 1), 0);
    assert_int_equal(pthread_create(&t, NULL, run_thread, f), 0);
    for (int i = 0; i < 4; i++) {
        assert_true(exchange(ward_front_bound_port(f, 0), req, resp, sizeof(resp)) > 0);
        assert_non_null(strstr(resp, "HTTP/1.1 201 Created\r\n"));
        assert_non_null(strstr(resp, "Content-Type: text/plain\r\n"));
        assert_non_null(strstr(resp, "Cache-Control: no-store\r\n"));
        assert_non_null(strstr(resp, "X-Ward-Request-Id: "));
        assert_non_null(strstr(resp, "Connection: close\r\n\r\nmade"));
        if (i == 1) {
            assert_int_equal(ward_front_reload_tls(f), WARD_OK);
        }
    }
    assert_int_equal(atomic_load(&g_calls), 4);
    ward_front_stop(f);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_int_equal(*(ward_err *)ret, WARD_OK);
    ward_front_free(f);
}

static void test_port_in_use(void **state)
{
    struct ward_front_config cfg;
    struct ward_front *f = NULL;
    struct ward_front *g = NULL;

    (void)state;
    config(&cfg);
    assert_int_equal(ward_front_new(&f, &cfg, handler, NULL), WARD_OK);
    /* Even a second front with SO_REUSEPORT must not share the port silently. */
    cfg.listeners[0].port = ward_front_bound_port(f, 0);
    assert_int_equal(ward_front_new(&g, &cfg, handler, NULL), WARD_E_SYS);
    assert_null(g);
    ward_front_free(f);
}

static void test_bad_config(void **state)
{
    struct ward_front_config cfg;
    struct ward_front *f = NULL;

    (void)state;
    config(&cfg);
    cfg.num_listeners = 0;
    assert_int_equal(ward_front_new(&f, &cfg, handler, NULL), WARD_E_INVALID);
    config(&cfg);
    memcpy(cfg.listeners[0].addr, "localhost", 10); /* numeric only */
    assert_int_equal(ward_front_new(&f, &cfg, handler, NULL), WARD_E_INVALID);
    config(&cfg);
    memcpy(cfg.key_file, "/nonexistent", 13);
    assert_int_equal(ward_front_new(&f, &cfg, handler, NULL), WARD_E_INVALID);
    config(&cfg);
    assert_int_equal(ward_front_new(&f, &cfg, NULL, NULL), WARD_E_INVALID);
    assert_null(f);
    ward_front_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_reload_stop),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_bad_config),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
