/*
 * ldap_test.c - the LDAP client's text work: RFC 4515 filter escaping (the
 * RFC's examples, injection strings, NUL, non-ASCII), RFC 4514 DN
 * escaping, Vault's filter templates, the structure check of filters,
 * attribute names, group names from DNs, configuration checks, and the
 * refusals that must happen before any network traffic (empty password)
 * or quickly (a closed port). Conversations with a real slapd are in
 * tests/integration/test_ldap.py.
 */
#include "auth/ldap.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static const char *filter_esc(char *out, size_t cap, const char *in, size_t len)
{
    assert_int_equal(ward_ldap_escape_filter(out, cap, (const uint8_t *)in, len), WARD_OK);
    return out;
}

static void test_escape_filter_rfc4515(void **state)
{
    char out[256];

    (void)state;
    /* RFC 4515 section 4's examples */
    assert_string_equal(
        filter_esc(out, sizeof(out), "Parens R Us (for all your parenthetical needs)", 46),
        "Parens R Us \\28for all your parenthetical needs\\29");
    assert_string_equal(filter_esc(out, sizeof(out), "*", 1), "\\2a");
    assert_string_equal(filter_esc(out, sizeof(out), "C:\\MyFile", 9), "C:\\5cMyFile");
    assert_string_equal(filter_esc(out, sizeof(out), "\x04\x02\x48\x65\x6c\x6c\x6f", 7),
                        "\\04\\02Hello");
    assert_string_equal(filter_esc(out, sizeof(out), "Lu\xc4\x8di\xc4\x87", 7),
                        "Lu\\c4\\8di\\c4\\87");
    assert_string_equal(filter_esc(out, sizeof(out), "", 0), "");
    assert_string_equal(filter_esc(out, sizeof(out), "homer", 5), "homer");
}

static void test_escape_filter_injection(void **state)
{
    char out[256];

    (void)state;
    assert_string_equal(filter_esc(out, sizeof(out), "*)(uid=*))(|(uid=*", 18),
                        "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a");
    assert_string_equal(filter_esc(out, sizeof(out), "homer)(uid=*", 12), "homer\\29\\28uid=\\2a");
    /* a NUL must not cut the value short (C strings would) */
    assert_string_equal(filter_esc(out, sizeof(out), "homer\0*", 7), "homer\\00\\2a");
    assert_string_equal(filter_esc(out, sizeof(out), "a\\2a", 4), "a\\5c2a");
    assert_string_equal(filter_esc(out, sizeof(out), "\x7f\n", 2), "\\7f\\0a");
    /* no escaped output ever holds a raw metacharacter */
    for (int b = 0; b < 256; b++) {
        char in = (char)b;

        filter_esc(out, sizeof(out), &in, 1);
        assert_null(strpbrk(out + (out[0] == '\\' ? 3 : 0), "*()\\"));
    }
}

static void test_escape_filter_bounds(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(ward_ldap_escape_filter(out, sizeof(out), (const uint8_t *)"abcdefg", 7),
                     WARD_OK);
    assert_int_equal(ward_ldap_escape_filter(out, sizeof(out), (const uint8_t *)"abcdefgh", 8),
                     WARD_E_TOO_LARGE);
    assert_string_equal(out, "");
    assert_int_equal(ward_ldap_escape_filter(out, 3, (const uint8_t *)"*", 1), WARD_E_TOO_LARGE);
    assert_int_equal(ward_ldap_escape_filter(out, 4, (const uint8_t *)"*", 1), WARD_OK);
    assert_int_equal(ward_ldap_escape_filter(out, 0, (const uint8_t *)"", 0), WARD_E_TOO_LARGE);
}

static const char *dn_esc(char *out, size_t cap, const char *in, size_t len)
{
    assert_int_equal(ward_ldap_escape_dn(out, cap, (const uint8_t *)in, len), WARD_OK);
    return out;
}

static void test_escape_dn(void **state)
{
    char out[256];

    (void)state;
    /* RFC 4514 section 4's examples and its special characters */
    assert_string_equal(dn_esc(out, sizeof(out), "Sue, Grabbelz", 13), "Sue\\, Grabbelz");
    assert_string_equal(dn_esc(out, sizeof(out), "Before\rAfter", 12), "Before\\0dAfter");
    assert_string_equal(dn_esc(out, sizeof(out), "James \"Jim\" Smith, III", 22),
                        "James \\\"Jim\\\" Smith\\, III");
    assert_string_equal(dn_esc(out, sizeof(out), "a+b=c;d<e>f\\g", 13),
                        "a\\+b\\=c\\;d\\<e\\>f\\\\g");
    assert_string_equal(dn_esc(out, sizeof(out), " lead", 5), "\\ lead");
    assert_string_equal(dn_esc(out, sizeof(out), "trail ", 6), "trail\\ ");
    assert_string_equal(dn_esc(out, sizeof(out), "#hash#", 6), "\\#hash#");
    assert_string_equal(dn_esc(out, sizeof(out), " ", 1), "\\ ");
    assert_string_equal(dn_esc(out, sizeof(out), "in side", 7), "in side");
    assert_string_equal(dn_esc(out, sizeof(out), "x\0y", 3), "x\\00y");
    assert_string_equal(dn_esc(out, sizeof(out), "\xc3\xa9", 2), "\\c3\\a9");
    /* the injection: a name that would add an RDN or end the DN */
    assert_string_equal(dn_esc(out, sizeof(out), "homer,ou=admins", 15), "homer\\,ou\\=admins");
    assert_int_equal(ward_ldap_escape_dn(out, 2, (const uint8_t *)",", 1), WARD_E_TOO_LARGE);
    assert_int_equal(ward_ldap_escape_dn(out, 3, (const uint8_t *)",", 1), WARD_OK);
}

static void render(char *out, size_t cap, const char *tmpl, const struct ward_ldap_vars *v)
{
    const char *why = NULL;

    assert_int_equal(ward_ldap_template(out, cap, tmpl, v, &why), WARD_OK);
    assert_null(why);
}

static void test_template(void **state)
{
    const struct ward_ldap_vars v = { "homer", "uid", "uid=homer,ou=people,dc=simpsons,dc=test" };
    const struct ward_ldap_vars evil = { "*)(uid=*))(|(uid=*", "uid", "cn=a(b)*,dc=x" };
    char out[WARD_LDAP_MAX_FILTER + 1];

    (void)state;
    render(out, sizeof(out), WARD_LDAP_DEFAULT_USERFILTER, &v);
    assert_string_equal(out, "(uid=homer)");
    render(out, sizeof(out), WARD_LDAP_DEFAULT_GROUPFILTER, &v);
    assert_string_equal(out, "(|(memberUid=homer)(member=uid=homer,ou=people,dc=simpsons,dc=test)"
                             "(uniqueMember=uid=homer,ou=people,dc=simpsons,dc=test))");
    render(out, sizeof(out), WARD_LDAP_DEFAULT_USERFILTER, &evil);
    assert_string_equal(out, "(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)");
    assert_true(ward_ldap_filter_ok(out));
    render(out, sizeof(out), "(&(objectClass=person)(member={{.UserDN}}))", &evil);
    assert_string_equal(out, "(&(objectClass=person)(member=cn=a\\28b\\29\\2a,dc=x))");
    /* Go template spacing, NULL values, several variables, no variable */
    render(out, sizeof(out), "({{ .UserAttr }}={{  .Username}})", &v);
    assert_string_equal(out, "(uid=homer)");
    render(out, sizeof(out), "(x={{.UserDN}})", &(struct ward_ldap_vars){ NULL, NULL, NULL });
    assert_string_equal(out, "(x=)");
    render(out, sizeof(out), "(objectClass=*)", &v);
    assert_string_equal(out, "(objectClass=*)");
    render(out, sizeof(out), "(a=})}", &v);
    assert_string_equal(out, "(a=})}");
    render(out, sizeof(out), "(a=\\2a{{.Username}})", &v);
    assert_string_equal(out, "(a=\\2ahomer)");
}

static void test_template_refused(void **state)
{
    static const char *const bad[] = {
        "({{.Password}})",     "({{Username}})",       "({{.Username)",   "({{.Username}",
        "({{.Username }})x{{", "({{ . Username}})",    "({{.username}})", "{{.Username|x}}",
        "(a=\\{{.Username}})", "(a=\\2{{.Username}})", "(a=x\\)"
    };
    const struct ward_ldap_vars v = { "homer", "uid", "" };
    char out[64];
    const char *why = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ward_ldap_template(out, sizeof(out), bad[i], &v, &why), WARD_E_INVALID);
        assert_non_null(why);
        assert_string_equal(out, "");
    }
    /* the escaped user name does not fit: too large, never truncated */
    assert_int_equal(ward_ldap_template(out, 11, "(uid={{.Username}})", &v, &why),
                     WARD_E_TOO_LARGE);
    assert_int_equal(ward_ldap_template(out, 12, "(uid={{.Username}})", &v, &why), WARD_OK);
    assert_int_equal(ward_ldap_template(out, 13, "(uid={{.Username}})",
                                        &(struct ward_ldap_vars){ "*****", "", "" }, &why),
                     WARD_E_TOO_LARGE);
    assert_string_equal(out, "");
}

static void test_filter_ok(void **state)
{
    static const char *const good[] = { "(uid=homer)", "(&(a=b)(|(c=d)(e=\\2a)))",
                                        "(cn=Lu\xc4\x8di\xc4\x87)", "(!(x=*))" };
    static const char *const bad[] = { "",           "uid=homer", "(uid=homer", "(a=b))",
                                       "(a=b)(c=d)", "(a=\\2)",   "(a=\\zz)",   "(a=b\n)",
                                       "((a=b)",     "(a=b) ",    ")(",         "(a=\\" };
    const char *why = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(ward_ldap_filter_ok(good[i]));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(ward_ldap_filter_ok(bad[i]));
    }
    assert_true(ward_ldap_template_ok(WARD_LDAP_DEFAULT_USERFILTER, &why));
    assert_true(ward_ldap_template_ok(WARD_LDAP_DEFAULT_GROUPFILTER, &why));
    assert_false(ward_ldap_template_ok("(uid={{.Username}}", &why));
    assert_non_null(why);
    assert_false(ward_ldap_template_ok("(uid={{.Nope}})", &why));
}

static void test_attr_and_fold(void **state)
{
    char out[16];

    (void)state;
    assert_true(ward_ldap_attr_ok("cn"));
    assert_true(ward_ldap_attr_ok("sAMAccountName"));
    assert_true(ward_ldap_attr_ok("x-custom-1"));
    assert_true(ward_ldap_attr_ok("2.5.4.3"));
    assert_false(ward_ldap_attr_ok(""));
    assert_false(ward_ldap_attr_ok("1cn"));
    assert_false(ward_ldap_attr_ok("2.5..3"));
    assert_false(ward_ldap_attr_ok("2.5.4."));
    assert_false(ward_ldap_attr_ok("cn)(x=*"));
    assert_false(ward_ldap_attr_ok("cn=x"));
    assert_false(ward_ldap_attr_ok("-cn"));
    assert_true(ward_ldap_name_fold(out, sizeof(out), "Domain ADMINS", false));
    assert_string_equal(out, "domain admins");
    assert_true(ward_ldap_name_fold(out, sizeof(out), "Domain ADMINS", true));
    assert_string_equal(out, "Domain ADMINS");
    assert_true(ward_ldap_name_fold(out, sizeof(out), "\xc3\x89t\xc3\xa9", false));
    assert_string_equal(out, "\xc3\x89t\xc3\xa9");
    assert_false(ward_ldap_name_fold(out, sizeof(out), "0123456789abcdef", false));
}

static void group(const char *value, const char *want)
{
    char out[64];

    assert_true(ward_ldap_group_name(out, sizeof(out), value, strlen(value)));
    assert_string_equal(out, want);
}

static void test_group_name(void **state)
{
    char out[8];

    (void)state;
    group("admins", "admins");
    group("cn=admins,ou=groups,dc=simpsons,dc=test", "admins");
    group("CN=Domain Admins,OU=Groups,DC=corp,DC=example", "Domain Admins");
    group("ou=x,cn=inner,dc=y", "inner");
    group("cn=a\\,b,dc=x", "a,b");
    group("uid=homer,dc=x", "uid=homer,dc=x");
    group("not a (dn)", "not a (dn)");
    assert_false(ward_ldap_group_name(out, sizeof(out), "", 0));
    assert_false(ward_ldap_group_name(out, sizeof(out), "a\0b", 3));
    assert_false(ward_ldap_group_name(out, sizeof(out), "cn=toolongname,dc=x", 19));
    assert_false(ward_ldap_group_name(out, sizeof(out), "toolongname", 11));
}

static struct ward_ldap_params good_params(void)
{
    return (struct ward_ldap_params){
        .url = "ldap://127.0.0.1:389",
        .starttls = true,
        .userdn = "ou=people,dc=simpsons,dc=test",
        .timeout_ms = 5000,
    };
}

static void refused(const struct ward_ldap_params *p)
{
    const char *why = NULL;

    assert_int_equal(ward_ldap_params_check(p, &why), WARD_E_INVALID);
    assert_non_null(why);
}

static void test_params_check(void **state)
{
    struct ward_ldap_params p = good_params();
    const char *why = NULL;

    (void)state;
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    p.url = "ldaps://a.example:636, ldap://b.example";
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    /* SECURITY: clear text needs insecure_tls said out loud */
    p.starttls = false;
    refused(&p);
    p.url = "ldaps://a.example";
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    p.url = "ldap://a.example";
    p.insecure_tls = true;
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    p = good_params();
    p.url = "http://a.example";
    refused(&p);
    p.url = "";
    refused(&p);
    p.url = "ldap://a,ldap://b,ldap://c,ldap://d,ldap://e,ldap://f,ldap://g,ldap://h,ldap://i";
    refused(&p);
}

static void test_params_fields(void **state)
{
    struct ward_ldap_params p = good_params();
    const char *why = NULL;

    (void)state;
    p.binddn = "cn=ward,dc=x";
    refused(&p); /* no bindpass: an unauthenticated bind */
    p.bindpass = (const uint8_t *)"s3cret";
    p.bindpass_len = 6;
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    p.binddn = "not a dn";
    refused(&p);
    p = good_params();
    p.userdn = NULL;
    refused(&p);
    p = good_params();
    p.userattr = "uid)(x=*";
    refused(&p);
    p = good_params();
    p.userfilter = "(objectClass=person)";
    refused(&p); /* would find the same entries whoever logs in */
    p.userfilter = "(&(objectClass=person)(uid={{.Username}}))";
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
    p.groupfilter = "(member={{.UserDN}}";
    refused(&p);
    p = good_params();
    p.certificate = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    refused(&p);
    p = good_params();
    p.timeout_ms = 0;
    refused(&p);
    p.timeout_ms = 61000;
    refused(&p);
    p = good_params();
    p.upndomain = "corp.example; x";
    refused(&p);
    p = good_params();
    p.tls_min = 0x0304;
    p.tls_max = 0x0303;
    refused(&p);
    p.tls_max = 0x0304;
    assert_int_equal(ward_ldap_params_check(&p, &why), WARD_OK);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_login_refusals_offline(void **state)
{
    struct ward_ldap_params p = good_params();
    struct ward_ldap_result r;
    char why[256];
    int64_t t0;

    (void)state;
    /* TEST-NET-1 never answers: a refusal that returns at once sent nothing */
    p.url = "ldap://192.0.2.1:389";
    t0 = now_ms();
    assert_int_equal(ward_ldap_login(&r, &p,
                                     &(struct ward_ldap_creds){ "homer", (const uint8_t *)"", 0 },
                                     why, sizeof(why)),
                     WARD_E_PERMISSION);
    assert_int_equal(ward_ldap_login(&r, &p,
                                     &(struct ward_ldap_creds){ "", (const uint8_t *)"pw", 2 }, why,
                                     sizeof(why)),
                     WARD_E_PERMISSION);
    assert_true(now_ms() - t0 < 500);
    assert_int_equal(r.num_groups, 0);
    /* a closed port on loopback: unreachable, quickly, with a reason */
    p.url = "ldap://127.0.0.1:1";
    t0 = now_ms();
    assert_int_equal(ward_ldap_login(&r, &p,
                                     &(struct ward_ldap_creds){ "homer", (const uint8_t *)"pw", 2 },
                                     why, sizeof(why)),
                     WARD_E_LDAP_UNREACHABLE);
    assert_true(now_ms() - t0 < 3000);
    assert_non_null(strstr(why, "127.0.0.1:1"));
    assert_null(strstr(why, "pw"));
    /* the clear-text refusal holds at login too, whatever was stored */
    p.starttls = false;
    assert_int_equal(ward_ldap_login(&r, &p,
                                     &(struct ward_ldap_creds){ "homer", (const uint8_t *)"pw", 2 },
                                     why, sizeof(why)),
                     WARD_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_filter_rfc4515),
        cmocka_unit_test(test_escape_filter_injection),
        cmocka_unit_test(test_escape_filter_bounds),
        cmocka_unit_test(test_escape_dn),
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_template_refused),
        cmocka_unit_test(test_filter_ok),
        cmocka_unit_test(test_attr_and_fold),
        cmocka_unit_test(test_group_name),
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_params_fields),
        cmocka_unit_test(test_login_refusals_offline),
    };

    (void)signal(SIGPIPE, SIG_IGN); /* as ward server: a peer gone is EPIPE, not death */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
