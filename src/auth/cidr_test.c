/*
 * cidr_test.c - CIDR parsing (accepted and refused forms, host bits
 * cleared, list limits), matching (IPv4, IPv6, IPv4-mapped peers, /0,
 * prefix boundaries) and peer address splitting.
 */
#include "auth/cidr.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static ward_err parse(struct ward_cidr *c, const char *s)
{
    return ward_cidr_parse(c, s, strlen(s));
}

static void test_parse(void **state)
{
    static const char *const good[] = { "10.0.0.0/8", "127.0.0.1",       "0.0.0.0/0",     "::1",
                                        "fe80::/10",  "2001:db8::1/128", "192.168.1.7/24" };
    static const char *const bad[] = { "",
                                       "10.0.0.0/",
                                       "10.0.0.0/33",
                                       "::/129",
                                       "10.0.0/8",
                                       "10.0.0.0/08",
                                       "10.0.0.0/-1",
                                       "host",
                                       "10.0.0.0/8/",
                                       "1.2.3.4 ",
                                       " 1.2.3.4",
                                       "1.2.3.4/+8",
                                       "256.0.0.0",
                                       "1.2.3.4/1000",
                                       ":::" };
    struct ward_cidr c;
    char text[WARD_CIDR_TEXT_MAX + 1];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(parse(&c, good[i]), WARD_OK);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(&c, bad[i]), WARD_E_INVALID);
    }
    assert_int_equal(parse(&c, "192.168.1.7/24"), WARD_OK);
    ward_cidr_format(text, sizeof(text), &c);
    assert_string_equal(text, "192.168.1.0/24");
    assert_int_equal(parse(&c, "2001:db8::ffff/33"), WARD_OK);
    ward_cidr_format(text, sizeof(text), &c);
    assert_string_equal(text, "2001:db8::/33");
    /* a NUL inside the given length is refused, not cut */
    assert_int_equal(ward_cidr_parse(&c, "1.2.3.4\0/8", 10), WARD_E_INVALID);
}

static void test_list(void **state)
{
    struct ward_cidr_list l = { 0 };
    char many[WARD_CIDR_MAX * 12 + 16] = "";

    (void)state;
    assert_int_equal(ward_cidr_list_add(&l, "", 0), WARD_OK);
    assert_int_equal(l.num, 0);
    assert_int_equal(ward_cidr_list_add(&l, "10.0.0.0/8, 127.0.0.1 ,::1", 26), WARD_OK);
    assert_int_equal(l.num, 3);
    assert_int_equal(ward_cidr_list_add(&l, "1.1.1.1,,2.2.2.2", 16), WARD_E_INVALID);
    assert_int_equal(ward_cidr_list_add(&l, "1.1.1.1,", 8), WARD_E_INVALID);
    assert_int_equal(l.num, 3); /* unchanged on failure */
    for (size_t i = 0; i <= WARD_CIDR_MAX; i++) {
        size_t n = strlen(many);

        (void)snprintf(many + n, sizeof(many) - n, "%s10.0.0.%zu", i > 0 ? "," : "", i);
    }
    memset(&l, 0, sizeof(l));
    assert_int_equal(ward_cidr_list_add(&l, many, strlen(many)), WARD_E_TOO_LARGE);
    assert_int_equal(l.num, 0);
}

static void test_contains(void **state)
{
    struct ward_cidr_list l = { 0 };
    static const char spec[] = "10.0.0.0/8,192.168.4.0/22,2001:db8::/32,172.16.0.1";

    (void)state;
    assert_int_equal(ward_cidr_list_add(&l, spec, strlen(spec)), WARD_OK);
    assert_true(ward_cidr_list_contains(&l, "10.255.1.2"));
    assert_false(ward_cidr_list_contains(&l, "11.0.0.1"));
    assert_false(ward_cidr_list_contains(&l, "127.0.0.1"));
    assert_true(ward_cidr_list_contains(&l, "192.168.7.255"));
    assert_false(ward_cidr_list_contains(&l, "192.168.8.0"));
    assert_false(ward_cidr_list_contains(&l, "192.168.3.255"));
    assert_true(ward_cidr_list_contains(&l, "2001:db8:1::5"));
    assert_false(ward_cidr_list_contains(&l, "2001:db9::5"));
    assert_true(ward_cidr_list_contains(&l, "::ffff:10.1.2.3"));
    assert_true(ward_cidr_list_contains(&l, "172.16.0.1"));
    assert_false(ward_cidr_list_contains(&l, "172.16.0.2"));
    assert_false(ward_cidr_list_contains(&l, "not an address"));
    memset(&l, 0, sizeof(l));
    assert_false(ward_cidr_list_contains(&l, "10.0.0.1")); /* empty: the caller decides */
    assert_int_equal(ward_cidr_list_add(&l, "0.0.0.0/0", 9), WARD_OK);
    assert_true(ward_cidr_list_contains(&l, "203.0.113.9"));
    assert_false(ward_cidr_list_contains(&l, "::1"));
}

static void test_addr_host(void **state)
{
    char ip[64];

    (void)state;
    assert_true(ward_addr_host(ip, sizeof(ip), "127.0.0.2:5555"));
    assert_string_equal(ip, "127.0.0.2");
    assert_true(ward_addr_host(ip, sizeof(ip), "[::1]:80"));
    assert_string_equal(ip, "::1");
    assert_false(ward_addr_host(ip, sizeof(ip), "[::1]80"));
    assert_false(ward_addr_host(ip, sizeof(ip), "nocolon"));
    assert_false(ward_addr_host(ip, sizeof(ip), ":80"));
    assert_false(ward_addr_host(ip, 4, "127.0.0.1:1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_addr_host),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
