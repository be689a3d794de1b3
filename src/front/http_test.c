/*
 * http_test.c - the http-parser adapter: requests, LIST, pipelining, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "front/front_int.h"

struct fixture {
    struct ward_front_limits limits;
    struct ward_front_http h;
    uint8_t buf[1 << 16];
    size_t len;
    size_t off;
};

static int setup(void **state)
{
    static struct fixture fx;
    struct ward_front_config cfg;

    ward_front_config_defaults(&cfg);
    memset(&fx, 0, sizeof(fx));
    fx.limits = cfg.limits;
    fx.limits.max_header_bytes = 1024;
    fx.limits.max_headers = 8;
    fx.limits.max_body_bytes = 64;
    ward_front_http_init(&fx.h, &fx.limits);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    ward_front_http_cleanup(&fx->h);
    return 0;
}

/* feed_all loads text and feeds until a verdict or until the input is used up. */
static enum ward_front_http_status feed_all(struct fixture *fx, const char *text)
{
    enum ward_front_http_status st = WARD_FRONT_HTTP_MORE;
    size_t used;
    size_t n = strlen(text);

    assert_true(fx->len + n <= sizeof(fx->buf));
    memcpy(fx->buf + fx->len, text, n);
    fx->len += n;
    while (fx->off < fx->len) {
        st = ward_front_http_feed(&fx->h, &used, fx->buf + fx->off, fx->len - fx->off);
        fx->off += used;
        if (st != WARD_FRONT_HTTP_MORE || used == 0) {
            break;
        }
    }
    return st;
}

static void test_simple_get(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;

    assert_int_equal(feed_all(fx, "GET /v1/sys/health?a=1&b=2 HTTP/1.1\r\nHost: x\r\n"
                                  "X-Vault-Token: s.abc\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.path, "/v1/sys/health");
    assert_string_equal(r.query, "a=1&b=2");
    assert_string_equal(r.token, "s.abc");
    assert_null(r.body);
    assert_true(r.keep_alive);
    assert_false(r.head);
}

static void test_list_rewrite(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;

    /* Arrives in pieces: "LI" alone must not be consumed. */
    assert_int_equal(feed_all(fx, "\r\nLI"), WARD_FRONT_HTTP_MORE);
    assert_int_equal(fx->off, 2);
    assert_int_equal(feed_all(fx, "ST /v1/secret/metadata HTTP/1.1\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_string_equal(r.method, "LIST");
    assert_string_equal(r.path, "/v1/secret/metadata");
    ward_front_http_next(&fx->h);
    /* LINK is a real method and must stay one; "LISTEN" is not LIST. */
    assert_int_equal(feed_all(fx, "LINK /a HTTP/1.1\r\n\r\n"), WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_string_equal(r.method, "LINK");
    ward_front_http_next(&fx->h);
    assert_int_equal(feed_all(fx, "LISTEN /a HTTP/1.1\r\n\r\n"), WARD_FRONT_HTTP_ERROR);
    assert_int_equal(fx->h.error_status, 400);
}

static void test_pipelined_in_order(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;
    const char *paths[] = { "/a", "/b", "/c" };

    assert_int_equal(feed_all(fx, "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3"
                                  "\r\n\r\nxyzDELETE /c HTTP/1.1\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    for (size_t i = 0; i < 3; i++) {
        if (i > 0) {
            assert_int_equal(feed_all(fx, ""), WARD_FRONT_HTTP_REQUEST);
        }
        assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
        assert_string_equal(r.path, paths[i]);
        if (i == 1) {
            assert_int_equal(r.body_len, 3);
            assert_memory_equal(r.body, "xyz", 3);
        }
        ward_front_http_next(&fx->h);
    }
    assert_int_equal(fx->off, fx->len);
}

static void test_byte_by_byte(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;
    const char *req = "PUT /k HTTP/1.1\r\nAuthorization:  Bearer tok-1  \r\nTransfer-Encoding: "
                      "chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
    char one[2] = { 0 };
    enum ward_front_http_status st = WARD_FRONT_HTTP_MORE;

    for (size_t i = 0; req[i] != '\0'; i++) {
        one[0] = req[i];
        st = feed_all(fx, one);
        if (req[i + 1] != '\0') {
            assert_int_equal(st, WARD_FRONT_HTTP_MORE);
        }
    }
    assert_int_equal(st, WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_string_equal(r.method, "PUT");
    assert_string_equal(r.token, "tok-1");
    assert_int_equal(r.body_len, 2);
}

static void test_tokens(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;

    /* X-Vault-Token wins over Bearer; an empty header before it changes nothing. */
    assert_int_equal(feed_all(fx, "GET / HTTP/1.1\r\nX-Empty:\r\nAuthorization: Bearer b\r\n"
                                  "x-vault-token: v\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_string_equal(r.token, "v");
    ward_front_http_next(&fx->h);
    assert_int_equal(feed_all(fx, "GET / HTTP/1.1\r\nAuthorization: Basic Zm9v\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_null(r.token);
    ward_front_http_next(&fx->h);
    assert_int_equal(feed_all(fx, "GET / HTTP/1.1\r\nX-Vault-Token: a\r\nX-Vault-Token: b\r\n\r\n"),
                     WARD_FRONT_HTTP_ERROR);
    assert_int_equal(fx->h.error_status, 400);
}

static void test_http10(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;

    assert_int_equal(feed_all(fx, "HEAD /x HTTP/1.0\r\n\r\n"), WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_false(r.keep_alive);
    assert_true(r.head);
}

static void test_connection_close(void **state)
{
    struct fixture *fx = *state;
    struct ward_front_http_req r;

    assert_int_equal(feed_all(fx, "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n"),
                     WARD_FRONT_HTTP_REQUEST);
    assert_int_equal(ward_front_http_get(&fx->h, &r), WARD_OK);
    assert_false(r.keep_alive);
}

static void expect_error(void **state, const char *text, int status)
{
    struct fixture *fx = *state;

    assert_int_equal(feed_all(fx, text), WARD_FRONT_HTTP_ERROR);
    assert_int_equal(fx->h.error_status, status);
}

static void test_malformed(void **state)
{
    expect_error(state, "GARBAGE\r\n\r\n", 400);
}

static void test_connect_refused(void **state)
{
    expect_error(state, "CONNECT host:443 HTTP/1.1\r\n\r\n", 400);
}

static void test_body_too_large(void **state)
{
    /* Decided on the head alone: no byte of the body was given. */
    expect_error(state, "POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413);
}

static void test_chunked_too_large(void **state)
{
    expect_error(state,
                 "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "41\r\n01234567890123456789012345678901234567890123456789012345678901234"
                 "\r\n0\r\n\r\n",
                 413);
}

static void test_too_many_headers(void **state)
{
    expect_error(state,
                 "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n"
                 "G: 7\r\nH: 8\r\nI: 9\r\n\r\n",
                 431);
}

static void test_head_too_large(void **state)
{
    struct fixture *fx = *state;
    char big[2048];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(feed_all(fx, "GET / HTTP/1.1\r\nX-Big: "), WARD_FRONT_HTTP_MORE);
    expect_error(state, big, 431);
    /* Never more than the limit plus one byte was handed to the parser. */
    assert_true(fx->h.head_bytes <= fx->limits.max_header_bytes + 1);
}

static void test_long_url(void **state)
{
    struct fixture *fx = *state;
    char big[1100];

    memset(big, 'u', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(feed_all(fx, "GET /"), WARD_FRONT_HTTP_MORE);
    expect_error(state, big, 431);
}

static void test_nomem(void **state)
{
    struct fixture *fx = *state;

    ward_mem_fail_at(1);
    assert_int_equal(feed_all(fx, "GET /abc HTTP/1.1\r\n\r\n"), WARD_FRONT_HTTP_ERROR);
    ward_mem_fail_at(0);
}

static void test_response_head(void **state)
{
    struct ward_buf b;
    struct ward_front_http_resp r = {
        .status = 404, .request_id = "id-1", .body_len = 7, .close = true
    };
    const char *want = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                       "Content-Length: 7\r\nCache-Control: no-store\r\nX-Ward-Request-Id: id-1\r\n"
                       "Connection: close\r\n\r\n";

    (void)state;
    ward_buf_init(&b, 1024);
    assert_int_equal(ward_front_http_append_head(&b, &r), WARD_OK);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    ward_buf_reset(&b);
    r.status = 200;
    r.content_type = "text/plain";
    r.close = false;
    assert_int_equal(ward_front_http_append_head(&b, &r), WARD_OK);
    assert_non_null(memmem(b.data, b.len, "Content-Type: text/plain\r\n", 26));
    assert_null(memmem(b.data, b.len, "Connection", 10));
    ward_buf_cleanup(&b);
    assert_string_equal(ward_front_http_reason(431), "Request Header Fields Too Large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simple_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http10, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nomem, setup, teardown),
        cmocka_unit_test(test_response_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
