/*
 * conf_test.c - the config file parser.
 */
#include "conf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct seen {
    char text[512];
};

static ward_err collect(void *ctx, const char *section, const char *key, const char *value)
{
    struct seen *s = ctx;
    size_t n = strlen(s->text);

    if (strcmp(key, "refuse") == 0) {
        return WARD_E_INVALID;
    }
    (void)snprintf(s->text + n, sizeof(s->text) - n, "%s.%s=%s;", section, key, value);
    return WARD_OK;
}

static ward_err parse(const char *text, struct seen *s, size_t *line)
{
    memset(s, 0, sizeof(*s));
    return ward_conf_parse(text, strlen(text), collect, s, line);
}

static void test_good(void **state)
{
    struct seen s;
    size_t line;

    (void)state;
    assert_int_equal(parse("# c\n[listener]\naddress = 127.0.0.1:8200 \n\n; x\n"
                           "[storage]\r\npath=/var/lib/ward/ward.db\ntype =  sqlite\nempty =\n",
                           &s, &line),
                     WARD_OK);
    assert_string_equal(s.text, "listener.address=127.0.0.1:8200;storage.path=/var/lib/ward/"
                                "ward.db;storage.type=sqlite;storage.empty=;");
}

static void test_bad_lines_named(void **state)
{
    static const struct {
        const char *text;
        size_t line;
    } bad[] = { { "key = v\n", 1 },
                { "[s]\nnoequals\n", 2 },
                { "[s]\n[Bad]\n", 2 },
                { "[s]\nKey = v\n", 2 },
                { "[s\n", 1 },
                { "[s]\n = v\n", 2 },
                { "[s]\na = 1\nrefuse = 1\n", 3 } };
    struct seen s;
    size_t line;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i].text, &s, &line), WARD_E_INVALID);
        assert_int_equal(line, bad[i].line);
    }
}

static void test_limits(void **state)
{
    static char long_line[WARD_CONF_MAX_LINE + 20];
    struct seen s;
    size_t line;

    (void)state;
    memset(long_line, 'a', sizeof(long_line) - 1);
    long_line[0] = '[';
    long_line[1] = 's';
    long_line[2] = ']';
    long_line[3] = '\n';
    long_line[sizeof(long_line) - 1] = '\0';
    assert_int_equal(parse(long_line, &s, &line), WARD_E_TOO_LARGE);
    assert_int_equal(line, 2);
    assert_int_equal(ward_conf_parse("[s]\0a=1", 7, collect, &s, &line), WARD_E_BAD_ENCODING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad_lines_named),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
