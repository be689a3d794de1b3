/*
 * policy_test.c - policy documents and their evaluation: a table of
 * (policies, request, verdict) cases covering exact, '*' and '+' patterns,
 * Vault's ranking (most specific wins), deny in the winning rule, merging
 * across policies, sudo, Ward's key operations and deny by default; the
 * strict parser's refusals; and the store on a real barrier (built-ins
 * fixed, writes in effect at once, cache, list).
 */
#include "policy/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "barrier/testing.h"
#include "crypto/crypto.h"
#include "keys/keys.h"
#include "store/store.h"

#define C   WARD_CAP_CREATE
#define R   WARD_CAP_READ
#define U   WARD_CAP_UPDATE
#define D   WARD_CAP_DELETE
#define L   WARD_CAP_LIST
#define ENC WARD_KOP_ENCRYPT
#define DEC WARD_KOP_DECRYPT

static const char *const g_docs[] = {
    /* 0: a team's reader with a denied corner */
    "{\"path\":{\"secret/data/team/*\":{\"capabilities\":[\"read\",\"list\"]},"
    "\"secret/data/team/admin/*\":{\"capabilities\":[\"deny\"]},"
    "\"secret/data/team/admin/open\":{\"capabilities\":[\"read\"]},"
    "\"secret/data/+/db\":{\"capabilities\":[\"update\"]}}}",
    /* 1: Alice encrypts only, on every transit path of key orders */
    "{\"path\":{\"transit/+/orders\":{\"capabilities\":[\"update\"],"
    "\"ward_key_operations\":[\"encrypt\"]}}}",
    /* 2: the same pattern as 0 with more capabilities, and a deny elsewhere */
    "{\"path\":{\"secret/data/team/*\":{\"capabilities\":[\"create\",\"update\"]},"
    "\"secret/data/+/db\":{\"capabilities\":[\"deny\"]}}}",
    /* 3: ranking: '+' later beats earlier, fewer '+', longer, sudo */
    "{\"path\":{\"a/+/c/*\":{\"capabilities\":[\"read\"]},"
    "\"a/b/+/*\":{\"capabilities\":[\"deny\"]},"
    "\"x/+/+\":{\"capabilities\":[\"read\"]},"
    "\"x/+/z\":{\"capabilities\":[\"deny\"]},"
    "\"p/*\":{\"capabilities\":[\"read\"]},"
    "\"p/q*\":{\"capabilities\":[\"deny\"]},"
    "\"sys/seal\":{\"capabilities\":[\"update\"]},"
    "\"sys/rotate\":{\"capabilities\":[\"update\",\"sudo\"]}}}",
    /* 4: Bob decrypts orders; a rule restricting nothing on the same pattern */
    "{\"path\":{\"transit/+/orders\":{\"capabilities\":[\"update\"],"
    "\"ward_key_operations\":[\"decrypt\"]}}}",
};

#define NUM_DOCS (sizeof(g_docs) / sizeof(g_docs[0]))

struct tcase {
    unsigned docs; /* bit i: g_docs[i] */
    const char *path;
    uint32_t caps;
    bool sudo;
    uint32_t key_op;
    bool want;
};

static const struct tcase g_cases[] = {
    { 1u << 0, "secret/data/team/x", R, false, 0, true },
    { 1u << 0, "secret/data/team/x", U, false, 0, false },
    { 1u << 0, "secret/data/team/", L, false, 0, true },
    { 1u << 0, "secret/data/team", R, false, 0, false },           /* the glob needs its '/' */
    { 1u << 0, "secret/data/teamx", R, false, 0, false },          /* nor does "team*" match */
    { 1u << 0, "secret/data/team/admin/k", R, false, 0, false },   /* deny wins (more specific) */
    { 1u << 0, "secret/data/team/admin/open", R, false, 0, true }, /* exact beats the deny glob */
    { 1u << 0, "secret/data/Team/x", R, false, 0, false },         /* case matters */
    { 1u << 0, "secret/data/app/db", U, false, 0, true },          /* '+' one segment */
    { 1u << 0, "secret/data/a/b/db", U, false, 0, false },         /* '+' never spans a '/' */
    /* the team glob outranks +/db */
    { 1u << 0, "secret/data/team/db", U, false, 0, false },
    { 1u << 0, "secret/metadata/team/x", R, false, 0, false },
    { 1u << 0, "transit/encrypt/orders", U, false, ENC, false }, /* default deny */
    { 0, "secret/data/team/x", R, false, 0, false },
    /* merging: 0 and 2 share secret/data/team/ + star: capabilities unite */
    { 1u << 0 | 1u << 2, "secret/data/team/x", U, false, 0, true },
    { 1u << 0 | 1u << 2, "secret/data/team/x", R, false, 0, true },
    { 1u << 0 | 1u << 2, "secret/data/app/db", U, false, 0, false }, /* deny merged in wins */
    /* key operations */
    { 1u << 1, "transit/encrypt/orders", U, false, ENC, true },
    { 1u << 1, "transit/decrypt/orders", U, false, DEC, false },
    { 1u << 1, "transit/keys/orders", U, false, 0, false }, /* not a key operation */
    { 1u << 1, "transit/encrypt/other", U, false, ENC, false },
    { 1u << 1, "transit/encrypt/orders", R, false, ENC, false },
    { 1u << 1 | 1u << 4, "transit/decrypt/orders", U, false, DEC, true },
    { 1u << 1 | 1u << 4, "transit/sign/orders", U, false, WARD_KOP_SIGN, false },
    /* ranking */
    { 1u << 3, "a/b/c/d", R, false, 0, false }, /* a/b/+/ star: later wildcard wins */
    { 1u << 3, "a/x/c/d", R, false, 0, true },
    { 1u << 3, "x/y/z", R, false, 0, false }, /* fewer '+' wins */
    { 1u << 3, "x/y/w", R, false, 0, true },
    { 1u << 3, "p/qr", R, false, 0, false }, /* longer glob wins */
    { 1u << 3, "p/r", R, false, 0, true },
    { 1u << 3, "sys/seal", U, true, 0, false }, /* sudo needed, not granted */
    { 1u << 3, "sys/rotate", U, true, 0, true },
};

static void load_docs(struct ward_policy *out[NUM_DOCS])
{
    char why[256];

    for (size_t i = 0; i < NUM_DOCS; i++) {
        ward_err err = ward_policy_parse(&out[i], g_docs[i], strlen(g_docs[i]), why, sizeof(why));

        if (err != WARD_OK) {
            fail_msg("doc %zu: %s", i, why);
        }
    }
}

static void test_table(void **state)
{
    struct ward_policy *docs[NUM_DOCS];

    (void)state;
    load_docs(docs);
    for (size_t i = 0; i < sizeof(g_cases) / sizeof(g_cases[0]); i++) {
        const struct tcase *t = &g_cases[i];
        const struct ward_policy *pols[NUM_DOCS];
        struct ward_policy_req req = { t->path, t->caps, t->sudo, t->key_op };
        size_t n = 0;

        for (size_t d = 0; d < NUM_DOCS; d++) {
            if (t->docs & (1u << d)) {
                pols[n++] = docs[d];
            }
        }
        if (ward_policy_allowed(pols, n, &req) != t->want) {
            fail_msg("case %zu: %s want %d", i, t->path, t->want);
        }
    }
    for (size_t d = 0; d < NUM_DOCS; d++) {
        ward_policy_free(docs[d]);
    }
}

static void test_refusals(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "path \"x\" { capabilities = [\"read\"] }", /* HCL */
        "{\"path\":{\"a\":{\"capabilities\":[\"read\"]}},\"x\":1}",
        "{\"path\":{\"a\":{\"capabilities\":[\"read\"]},\"a\":{\"capabilities\":[\"deny\"]}}}",
        "{\"path\":{\"a\":{\"capabilities\":[\"reed\"]}}}",
        "{\"path\":{\"a\":{\"capabilities\":\"read\"}}}",
        "{\"path\":{\"a\":{}}}",
        "{\"path\":{\"a\":{\"capabilities\":[\"read\"],\"allowed_parameters\":{}}}}",
        "{\"path\":{\"a\":{\"capabilities\":[\"read\"],\"ward_key_operations\":[\"nope\"]}}}",
        "{\"path\":{\"a/*/b\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"/a\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"a//b\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"a/../b\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"a/./b\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"a/%2e/b\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":{\"\":{\"capabilities\":[\"read\"]}}}",
        "{\"path\":[]}",
    };
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
    assert_int_equal(ward_policy_parse(&p, "{}", 2, why, sizeof(why)), WARD_OK);
    assert_int_equal(ward_policy_num_rules(p), 0);
    ward_policy_free(p);
    assert_true(ward_policy_pattern_ok("*"));
    assert_true(ward_policy_pattern_ok("secret/metadata/"));
    assert_true(ward_policy_pattern_ok("a/+"));
    assert_true(ward_policy_pattern_ok("a/.*"));
}

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_policies *ps;
};

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_policies_new(&f->ps, f->b), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ward_policies_free(f->ps);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

static void count_name(void *ctx, const char *name)
{
    (void)name;
    (*(int *)ctx)++;
}

static void test_store(void **state)
{
    struct fixture *f = *state;
    const char *alice[] = { "default", "alice" };
    const char *root[] = { "root" };
    const char *op[] = { "operator" };
    struct ward_policy_req enc = { "transit/encrypt/orders", U, false, ENC };
    struct ward_policy_req self = { "auth/token/lookup-self", R, false, 0 };
    struct ward_policy_req seal = { "sys/seal", U, true, 0 };
    struct ward_buf text;
    char why[256];
    int count = 0;

    assert_int_equal(ward_policies_check(f->ps, alice, 2, &enc), WARD_E_PERMISSION);
    assert_int_equal(ward_policies_check(f->ps, alice, 2, &self), WARD_OK);
    assert_int_equal(
        ward_policies_write(f->ps, "alice", g_docs[1], strlen(g_docs[1]), why, sizeof(why)),
        WARD_OK);
    /* in effect at once although "no such policy" was cached */
    assert_int_equal(ward_policies_check(f->ps, alice, 2, &enc), WARD_OK);
    assert_int_equal(ward_policies_check(f->ps, root, 1, &seal), WARD_OK);
    assert_int_equal(ward_policies_check(f->ps, op, 1, &seal), WARD_OK);
    assert_int_equal(ward_policies_check(f->ps, alice, 2, &seal), WARD_E_PERMISSION);
    /* built-ins are fixed; bad names and documents refused, nothing stored */
    assert_int_equal(ward_policies_write(f->ps, "default", "{}", 2, why, sizeof(why)),
                     WARD_E_INVALID);
    assert_int_equal(ward_policies_delete(f->ps, "root"), WARD_E_INVALID);
    assert_int_equal(ward_policies_write(f->ps, "Bad/Name", "{}", 2, why, sizeof(why)),
                     WARD_E_INVALID);
    assert_int_equal(ward_policies_write(f->ps, "alice", "{\"path\":1}", 10, why, sizeof(why)),
                     WARD_E_BAD_POLICY);
    assert_int_equal(ward_policies_check(f->ps, alice, 2, &enc), WARD_OK);
    ward_buf_init(&text, 1 << 20);
    assert_int_equal(ward_policies_read(f->ps, &text, "alice"), WARD_OK);
    assert_int_equal(text.len, strlen(g_docs[1]));
    ward_buf_reset(&text);
    assert_int_equal(ward_policies_read(f->ps, &text, "nobody"), WARD_E_NOT_FOUND);
    ward_buf_cleanup(&text);
    assert_int_equal(ward_policies_list(f->ps, count_name, &count), WARD_OK);
    assert_int_equal(count, 6);
    assert_int_equal(ward_policies_delete(f->ps, "alice"), WARD_OK);
    assert_int_equal(ward_policies_check(f->ps, alice, 2, &enc), WARD_E_PERMISSION);
    assert_int_equal(ward_policies_delete(f->ps, "alice"), WARD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test_setup_teardown(test_store, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
