/*
 * args_test.c - `ward` flag parsing and the WARD_* / VAULT_* fallback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli_int.h"

struct flags {
    struct ward_cli_common common;
    bool reset;
    uint32_t shares;
};

static ward_err parse(struct ward_cli_parse *p, struct flags *f, int argc, char **argv)
{
    static struct ward_cli_flag table[5];
    struct ward_cli_flag defs[] = { WARD_CLI_COMMON_FLAGS(&f->common),
                                    { "reset", WARD_CLI_FLAG_BOOL, &f->reset },
                                    { "key-shares", WARD_CLI_FLAG_U32, &f->shares } };

    memcpy(table, defs, sizeof(defs));
    memset(p, 0, sizeof(*p));
    p->flags = table;
    p->num_flags = 5;
    return ward_cli_parse_flags(p, argc, argv);
}

static void test_flag_forms(void **state)
{
    char *argv[] = { "init",   "-key-shares=3",        "--format", "json",
                     "-reset", "-address=https://h:1", "rest",     "-ignored" };
    struct ward_cli_parse p;
    struct flags f = { { NULL, NULL, NULL }, false, 5 };

    (void)state;
    assert_int_equal(parse(&p, &f, 8, argv), WARD_OK);
    assert_int_equal(f.shares, 3);
    assert_string_equal(f.common.format, "json");
    assert_true(f.reset);
    assert_string_equal(f.common.address, "https://h:1");
    assert_int_equal(p.num_args, 2);
    assert_string_equal(p.args[0], "rest");
    assert_false(p.help);
}

static void test_bool_values_and_dashdash(void **state)
{
    char *argv[] = { "unseal", "-reset=false", "--", "-x" };
    char *argv2[] = { "unseal", "-reset=maybe" };
    struct ward_cli_parse p;
    struct flags f = { { NULL, NULL, NULL }, true, 0 };

    (void)state;
    assert_int_equal(parse(&p, &f, 4, argv), WARD_OK);
    assert_false(f.reset);
    assert_int_equal(p.num_args, 1);
    assert_string_equal(p.args[0], "-x");
    assert_int_equal(parse(&p, &f, 2, argv2), WARD_E_INVALID);
    assert_non_null(strstr(p.error, "invalid value \"maybe\" for flag -reset"));
}

static void test_errors(void **state)
{
    char *unknown[] = { "x", "-nope=1" };
    char *missing[] = { "x", "-key-shares" };
    char *bad_num[] = { "x", "-key-shares=3x" };
    char *neg[] = { "x", "-key-shares=-1" };
    char *huge[] = { "x", "-key-shares=4294967296" };
    struct ward_cli_parse p;
    struct flags f = { { NULL, NULL, NULL }, false, 0 };

    (void)state;
    assert_int_equal(parse(&p, &f, 2, unknown), WARD_E_INVALID);
    assert_string_equal(p.error, "flag provided but not defined: -nope");
    assert_int_equal(parse(&p, &f, 2, missing), WARD_E_INVALID);
    assert_string_equal(p.error, "flag needs an argument: -key-shares");
    assert_int_equal(parse(&p, &f, 2, bad_num), WARD_E_INVALID);
    assert_int_equal(parse(&p, &f, 2, neg), WARD_E_INVALID);
    assert_int_equal(parse(&p, &f, 2, huge), WARD_E_INVALID);
}

static void test_help(void **state)
{
    char *a[] = { "x", "-h" };
    char *b[] = { "x", "--help" };
    char *c[] = { "x", "-help" };
    struct ward_cli_parse p;
    struct flags f = { { NULL, NULL, NULL }, false, 0 };

    (void)state;
    assert_int_equal(parse(&p, &f, 2, a), WARD_OK);
    assert_true(p.help);
    assert_int_equal(parse(&p, &f, 2, b), WARD_OK);
    assert_true(p.help);
    assert_int_equal(parse(&p, &f, 2, c), WARD_OK);
    assert_true(p.help);
}

/* A fake environment: NAME=value pairs in g_env (test-only static). */
static const char *const *g_env;

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; g_env[i] != NULL; i += 2) {
        if (strcmp(g_env[i], name) == 0) {
            return g_env[i + 1];
        }
    }
    return NULL;
}

static void test_env_fallback(void **state)
{
    static const char *const vault_only[] = { "VAULT_ADDR",   "https://v:1", "VAULT_TOKEN", "vt",
                                              "VAULT_CACERT", "/v.pem",      NULL };
    static const char *const both[] = { "WARD_ADDR",   "https://w:1", "VAULT_ADDR",
                                        "https://v:1", "WARD_TOKEN",  "",
                                        "VAULT_TOKEN", "vt",          NULL };
    static const char *const none[] = { NULL };
    struct ward_cli_common common = { NULL, NULL, NULL };
    struct ward_client_opts o;

    (void)state;
    g_env = vault_only;
    ward_cli_resolve(&o, &common, fake_getenv);
    assert_string_equal(o.addr, "https://v:1");
    assert_string_equal(o.token, "vt");
    assert_string_equal(o.cacert, "/v.pem");
    g_env = both;
    ward_cli_resolve(&o, &common, fake_getenv);
    assert_string_equal(o.addr, "https://w:1");
    assert_string_equal(o.token, "vt"); /* empty WARD_TOKEN counts as unset */
    assert_null(o.cacert);
    common.address = "https://flag:1";
    common.ca_cert = "/flag.pem";
    ward_cli_resolve(&o, &common, fake_getenv);
    assert_string_equal(o.addr, "https://flag:1");
    assert_string_equal(o.cacert, "/flag.pem");
    g_env = none;
    common.address = NULL;
    ward_cli_resolve(&o, &common, fake_getenv);
    assert_null(o.addr);
    assert_null(o.token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_forms),   cmocka_unit_test(test_bool_values_and_dashdash),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_help),
        cmocka_unit_test(test_env_fallback),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
