/*
 * server_config_test.c - the config file's keys and refusals.
 */
#include "server/server_config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "secrets/kv.h"

static ward_err parse(struct server_config *c, const char *text)
{
    char why[256];

    server_config_defaults(c);
    return server_config_parse_text(c, text, strlen(text), why, sizeof(why));
}

static void test_full_file(void **state)
{
    struct server_config c;

    (void)state;
    assert_int_equal(parse(&c, "[server]\nworkers = 3\nlog_level = warn\ncluster_name = prod\n"
                               "[listener]\naddress = [::1]:8443\ntls_cert_file = /c.pem\n"
                               "tls_key_file = /k.pem\ntls_client_ca_file = /ca.pem\n"
                               "tls_require_client_cert = true\n"
                               "[storage]\ntype = sqlite\npath = /var/lib/ward/ward.db\n"
                               "[limits]\nmax_request_bytes = 2048\nidle_timeout_ms = 5000\n"),
                     WARD_OK);
    assert_int_equal(c.front.workers, 3);
    assert_int_equal(c.log_level, WARD_LOG_WARN);
    assert_string_equal(c.front.listeners[0].addr, "::1");
    assert_int_equal(c.front.listeners[0].port, 8443);
    assert_string_equal(c.front.cert_file, "/c.pem");
    assert_true(c.front.require_client_cert);
    assert_string_equal(c.storage_spec, "sqlite:/var/lib/ward/ward.db");
    assert_int_equal(c.front.limits.max_body_bytes, 2048);
    assert_int_equal(c.front.limits.idle_timeout_ms, 5000);
    assert_int_equal(parse(&c, "[storage]\ntype = memory\n"), WARD_OK);
    assert_string_equal(c.storage_spec, "memory:");
    assert_false(c.front.request_client_cert);
    assert_int_equal(parse(&c, "[listener]\ntls_request_client_cert = true\n"), WARD_OK);
    assert_true(c.front.request_client_cert);
}

static void test_user_lockout(void **state)
{
    struct server_config c;

    (void)state;
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_threshold = 3\nlockout_duration = 2s\n"
                               "lockout_counter_reset = 15m\nsource_threshold = 50\n"),
                     WARD_OK);
    assert_int_equal(c.user_lockout.threshold, 3);
    assert_int_equal(c.user_lockout.duration_ms, 2000);
    assert_int_equal(c.user_lockout.counter_reset_ms, 900000);
    assert_int_equal(c.user_lockout.source_threshold, 50);
    assert_false(c.user_lockout.disable);
    assert_int_equal(
        parse(&c, "[user_lockout]\nlockout_duration = 500ms\ndisable_lockout = true\n"), WARD_OK);
    assert_int_equal(c.user_lockout.duration_ms, 500);
    assert_true(c.user_lockout.disable);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_duration = 90\n"), WARD_OK);
    assert_int_equal(c.user_lockout.duration_ms, 90000);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_threshold = 0\n"), WARD_E_INVALID);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_duration = 2d\n"), WARD_E_INVALID);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_duration = 25h\n"), WARD_E_INVALID);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_duration = s\n"), WARD_E_INVALID);
    assert_int_equal(parse(&c, "[user_lockout]\nlockout_duration = -1s\n"), WARD_E_INVALID);
    assert_int_equal(parse(&c, "[user_lockout]\nunknown = 1\n"), WARD_E_INVALID);
}

static void test_kv_max_value(void **state)
{
    struct server_config c;

    (void)state;
    /* unset: the engine's default, whatever max_request_bytes is */
    assert_int_equal(parse(&c, "[limits]\nmax_request_bytes = 2048\n"), WARD_OK);
    assert_int_equal(c.kv_max_value_bytes, 0);
    assert_int_equal(parse(&c, "[kv]\nmax_value_bytes = 1024\n"), WARD_OK);
    assert_int_equal(c.kv_max_value_bytes, 1024);
    /* the cap, with a body limit that can carry it (either section first) */
    assert_int_equal(parse(&c, "[kv]\nmax_value_bytes = 8388608\n"
                               "[limits]\nmax_request_bytes = 16777216\n"),
                     WARD_OK);
    assert_int_equal(c.kv_max_value_bytes, WARD_KV_MAX_VALUE);
    /* past the cap, below 1 KiB, malformed, unknown key, above the body limit */
    assert_int_not_equal(parse(&c, "[kv]\nmax_value_bytes = 8388609\n"
                                   "[limits]\nmax_request_bytes = 16777216\n"),
                         WARD_OK);
    assert_int_not_equal(parse(&c, "[kv]\nmax_value_bytes = 1023\n"), WARD_OK);
    assert_int_not_equal(parse(&c, "[kv]\nmax_value_bytes = 1k\n"), WARD_OK);
    assert_int_not_equal(parse(&c, "[kv]\nmax_value_byte = 2048\n"), WARD_OK);
    assert_int_not_equal(parse(&c, "[kv]\nmax_value_bytes = 2097152\n"), WARD_OK);
}

static void test_refusals(void **state)
{
    static const char *const bad[] = {
        "[listener]\naddress = 127.0.0.1\n",  "[listener]\naddress = 1.2.3.4:99999\n",
        "[listener]\nadress = 127.0.0.1:1\n", "[nope]\na = b\n",
        "[limits]\nmax_request_bytes = -5\n", "[limits]\nmax_request_bytes = 12x\n",
        "[limits]\nmax_request_bytes = 1\n",  "[server]\nlog_level = loud\n",
        "[storage]\ntype = etcd\n",           "[listener]\ntls_require_client_cert = yes\n",
    };
    struct server_config c;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_not_equal(parse(&c, bad[i]), WARD_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_kv_max_value),
        cmocka_unit_test(test_user_lockout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
