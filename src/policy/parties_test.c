/*
 * parties_test.c - the FROM/TO extension ("ward_parties"): parsing and its
 * refusals, exact and prefix entries, deny wins across policies, deny by
 * default, kinds kept apart, and the store's check (root allows all).
 * The seed's example: Alice may only encrypt to Bob, Bob may only decrypt
 * from Alice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "barrier/testing.h"
#include "policy/policy.h"
#include "store/store.h"

#define ALICE_DOC                                         \
    "{\"path\":{\"do\":{\"capabilities\":[\"update\"]}}," \
    "\"ward_parties\":{\"encrypt_to\":[\"token-bob\"]}}"
#define BOB_DOC \
    "{\"ward_parties\":{\"decrypt_from\":[\"token-alice\"],\"verify_from\":[\"app-*\"]}}"
#define DENY_DOC "{\"ward_parties\":{\"encrypt_to\":[\"!token-bob\",\"token-*\"]}}"

static struct ward_policy *parse_ok(const char *doc)
{
    struct ward_policy *p = NULL;
    char why[256];

    if (ward_policy_parse(&p, doc, strlen(doc), why, sizeof(why)) != WARD_OK) {
        fail_msg("%s: %s", doc, why);
    }
    return p;
}

static void test_alice_bob(void **state)
{
    struct ward_policy *alice = parse_ok(ALICE_DOC);
    struct ward_policy *bob = parse_ok(BOB_DOC);
    const struct ward_policy *a[1] = { alice };
    const struct ward_policy *b[1] = { bob };

    (void)state;
    assert_true(ward_policy_party_allowed(a, 1, WARD_PARTY_ENCRYPT_TO, "token-bob"));
    assert_false(ward_policy_party_allowed(a, 1, WARD_PARTY_ENCRYPT_TO, "token-carol"));
    assert_false(ward_policy_party_allowed(a, 1, WARD_PARTY_ENCRYPT_TO, "token-bobby"));
    assert_false(ward_policy_party_allowed(a, 1, WARD_PARTY_ENCRYPT_TO, "token-bo"));
    /* kinds are separate: encrypting to Bob is not decrypting from him */
    assert_false(ward_policy_party_allowed(a, 1, WARD_PARTY_DECRYPT_FROM, "token-bob"));
    assert_true(ward_policy_party_allowed(b, 1, WARD_PARTY_DECRYPT_FROM, "token-alice"));
    assert_false(ward_policy_party_allowed(b, 1, WARD_PARTY_DECRYPT_FROM, "token-carol"));
    assert_false(ward_policy_party_allowed(b, 1, WARD_PARTY_ENCRYPT_TO, "token-alice"));
    /* prefix entries */
    assert_true(ward_policy_party_allowed(b, 1, WARD_PARTY_VERIFY_FROM, "app-orders"));
    assert_true(ward_policy_party_allowed(b, 1, WARD_PARTY_VERIFY_FROM, "app-"));
    assert_false(ward_policy_party_allowed(b, 1, WARD_PARTY_VERIFY_FROM, "app"));
    /* nothing and nobody */
    assert_false(ward_policy_party_allowed(a, 0, WARD_PARTY_ENCRYPT_TO, "token-bob"));
    assert_false(ward_policy_party_allowed(a, 1, WARD_PARTY_ENCRYPT_TO, ""));
    assert_false(ward_policy_party_allowed(a, 1, (enum ward_party_kind)0, "token-bob"));
    assert_false(ward_policy_party_allowed(a, 1, (enum ward_party_kind)7, "token-bob"));
    assert_int_equal(ward_policy_num_rules(alice), 1);
    ward_policy_free(alice);
    ward_policy_free(bob);
}

static void test_deny_wins(void **state)
{
    struct ward_policy *alice = parse_ok(ALICE_DOC);
    struct ward_policy *deny = parse_ok(DENY_DOC);
    const struct ward_policy *both[3] = { alice, NULL, deny };
    const struct ward_policy *d[1] = { deny };

    (void)state;
    assert_false(ward_policy_party_allowed(both, 3, WARD_PARTY_ENCRYPT_TO, "token-bob"));
    assert_true(ward_policy_party_allowed(both, 3, WARD_PARTY_ENCRYPT_TO, "token-carol"));
    assert_true(ward_policy_party_allowed(d, 1, WARD_PARTY_ENCRYPT_TO, "token-x"));
    assert_false(ward_policy_party_allowed(d, 1, WARD_PARTY_ENCRYPT_TO, "user-x"));
    assert_string_equal(ward_party_kind_name(WARD_PARTY_VERIFY_MAC_FROM), "verify_mac_from");
    assert_null(ward_party_kind_name((enum ward_party_kind)9));
    ward_policy_free(alice);
    ward_policy_free(deny);
}

static void test_refusals(void **state)
{
    static const char *const bad[] = {
        "{\"ward_parties\":[]}",
        "{\"ward_parties\":{\"encrypt_from\":[\"a\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":\"a\"}}",
        "{\"ward_parties\":{\"encrypt_to\":[1]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"!\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"a b\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"a*b\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"a**\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"\\u00e9\"]}}",
        "{\"ward_parties\":{\"encrypt_to\":[\"a\\n\"]}}",
        "{\"ward_parties\":{},\"x\":1}",
        "{\"ward_parties\":{\"encrypt_to\":[\"a\"]},\"path\":{\"a\":{}}}",
    };
    char long_name[200];
    char doc[300];
    struct ward_policy *p = NULL;
    char why[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ward_policy_parse(&p, bad[i], strlen(bad[i]), why, sizeof(why)) != WARD_E_BAD_POLICY) {
            fail_msg("accepted bad policy %zu", i);
        }
        assert_null(p);
        assert_true(why[0] != '\0');
    }
    memset(long_name, 'a', 129);
    long_name[129] = '\0';
    (void)snprintf(doc, sizeof(doc), "{\"ward_parties\":{\"encrypt_to\":[\"%s\"]}}", long_name);
    assert_int_equal(ward_policy_parse(&p, doc, strlen(doc), why, sizeof(why)), WARD_E_BAD_POLICY);
    long_name[128] = '\0';
    (void)snprintf(doc, sizeof(doc), "{\"ward_parties\":{\"encrypt_to\":[\"%s\"]}}", long_name);
    assert_int_equal(ward_policy_parse(&p, doc, strlen(doc), why, sizeof(why)), WARD_OK);
    ward_policy_free(p);
    /* "*" alone: anyone; empty lists and an empty member are fine and grant nothing */
    p = parse_ok("{\"ward_parties\":{\"encrypt_to\":[\"*\"],\"sign_to\":[]}}");
    {
        const struct ward_policy *one[1] = { p };

        assert_true(ward_policy_party_allowed(one, 1, WARD_PARTY_ENCRYPT_TO, "anyone"));
        assert_false(ward_policy_party_allowed(one, 1, WARD_PARTY_SIGN_TO, "anyone"));
    }
    ward_policy_free(p);
}

static void test_store(void **state)
{
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    struct ward_policies *ps = NULL;
    const char *alice[] = { "default", "alice" };
    const char *root[] = { "root" };
    char why[256];

    (void)state;
    assert_int_equal(ward_test_barrier_open(&st, &b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_policies_new(&ps, b), WARD_OK);
    assert_int_equal(ward_policies_check_party(ps, alice, 2, WARD_PARTY_ENCRYPT_TO, "token-bob"),
                     WARD_E_PARTY_DENIED);
    assert_int_equal(
        ward_policies_write(ps, "alice", ALICE_DOC, strlen(ALICE_DOC), why, sizeof(why)), WARD_OK);
    assert_int_equal(ward_policies_check_party(ps, alice, 2, WARD_PARTY_ENCRYPT_TO, "token-bob"),
                     WARD_OK);
    assert_int_equal(ward_policies_check_party(ps, alice, 2, WARD_PARTY_ENCRYPT_TO, "token-carol"),
                     WARD_E_PARTY_DENIED);
    assert_int_equal(ward_policies_check_party(ps, root, 1, WARD_PARTY_DECRYPT_FROM, "anyone"),
                     WARD_OK);
    ward_policies_free(ps);
    ward_barrier_close(b);
    ward_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alice_bob),
        cmocka_unit_test(test_deny_wins),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_store),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
