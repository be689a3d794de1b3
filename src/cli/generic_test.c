/*
 * generic_test.c - the generic commands' argument handling: PATH checks,
 * key=value pairs (plain, @file, - from stdin, a lone - for a JSON
 * object, stdin read once, malformed pairs), the JSON escaping of login
 * bodies, and `ward login` refusing a password on the command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_int.h"

static void test_path_check(void **state)
{
    static const char *const good[] = { "secret/data/app", "auth/userpass/users/homer",
                                        "sys/mounts", "a", "auth/approle/role/" };
    static const char *const bad[] = { "",      "/v1/x", "a//b", "a/../b", "./a",    "a/b c",
                                       "a?x=1", "a#b",   "a%2f", "a\\b",   "a/\x01", "a/.." };
    char big[WARD_CLI_PATH_MAX + 2];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(ward_cli_path_check(good[i]), WARD_OK);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ward_cli_path_check(bad[i]), WARD_E_INVALID);
    }
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ward_cli_path_check(big), WARD_E_INVALID);
}

/* stdin_with makes a pipe whose read end yields text. */
static int stdin_with(const char *text)
{
    int p[2];

    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
    (void)close(p[1]);
    return p[0];
}

static void test_pairs(void **state)
{
    char why[160];
    json_t *out = NULL;
    char *args[] = { "a=1", "b=x=y", "c=", "-" };
    char file[] = "/tmp/ward-generic-test-XXXXXX";
    int fd = mkstemp(file);
    char at[64];
    int in;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "from file", 9), 9);
    close(fd);
    in = stdin_with("{\"a\": \"lost\", \"d\": 4}");
    assert_int_equal(ward_cli_pairs(&out, args, 4, in, why, sizeof(why)), WARD_OK);
    close(in);
    assert_string_equal(json_string_value(json_object_get(out, "a")), "1"); /* pairs win */
    assert_string_equal(json_string_value(json_object_get(out, "b")), "x=y");
    assert_string_equal(json_string_value(json_object_get(out, "c")), "");
    assert_int_equal(json_integer_value(json_object_get(out, "d")), 4);
    json_decref(out);

    (void)snprintf(at, sizeof(at), "k=@%s", file);
    {
        char *a2[] = { at, "s=-" };

        in = stdin_with("piped\n");
        assert_int_equal(ward_cli_pairs(&out, a2, 2, in, why, sizeof(why)), WARD_OK);
        close(in);
        assert_string_equal(json_string_value(json_object_get(out, "k")), "from file");
        assert_string_equal(json_string_value(json_object_get(out, "s")), "piped\n");
        json_decref(out);
    }
    unlink(file);
    {
        char *twice[] = { "s=-", "-" };
        char *nokey[] = { "=v" };
        char *noeq[] = { "novalue" };
        char *missing[] = { "k=@/nonexistent/ward-test" };

        in = stdin_with("{}");
        assert_int_equal(ward_cli_pairs(&out, twice, 2, in, why, sizeof(why)), WARD_E_INVALID);
        close(in);
        assert_null(out);
        assert_int_equal(ward_cli_pairs(&out, nokey, 1, -1, why, sizeof(why)), WARD_E_INVALID);
        assert_int_equal(ward_cli_pairs(&out, noeq, 1, -1, why, sizeof(why)), WARD_E_INVALID);
        assert_non_null(strstr(why, "novalue"));
        assert_int_equal(ward_cli_pairs(&out, missing, 1, -1, why, sizeof(why)), WARD_E_INVALID);
    }
    {
        char *lone[] = { "-" };

        in = stdin_with("[1, 2]");
        assert_int_equal(ward_cli_pairs(&out, lone, 1, in, why, sizeof(why)), WARD_E_INVALID);
        close(in);
    }
}

static void test_escape(void **state)
{
    struct ward_buf b;

    (void)state;
    ward_buf_init(&b, 256);
    assert_int_equal(ward_cli_json_escape(&b, "a\"b\\c\n\x01\xc3\xa9", 9), WARD_OK);
    assert_int_equal(ward_buf_append_u8(&b, 0), WARD_OK);
    assert_string_equal((const char *)b.data, "\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\"");
    ward_buf_cleanup(&b);
}

static void test_url_segment(void **state)
{
    char out[3 * 64 + 1];
    char big[66];

    (void)state;
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), "homer.s@x-y_z"), WARD_OK);
    assert_string_equal(out, "homer.s@x-y_z");
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), "John Smith/../x?%"), WARD_OK);
    assert_string_equal(out, "John%20Smith%2F..%2Fx%3F%25");
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), "\xc3\xa9"), WARD_OK);
    assert_string_equal(out, "%C3%A9");
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), ""), WARD_E_INVALID);
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), "a\nb"), WARD_E_INVALID);
    assert_int_equal(ward_cli_url_segment(out, 4, "abcd"), WARD_E_INVALID);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ward_cli_url_segment(out, sizeof(out), big), WARD_E_INVALID);
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static void test_login_refuses_password_arg(void **state)
{
    char *argv[] = { "login", "-method=userpass", "-address=https://127.0.0.1:1", "username=homer",
                     "password=secret" };
    FILE *out = tmpfile();
    FILE *err = tmpfile();
    struct ward_cli_ctx ctx = { no_env, -1, out, err };
    char text[512] = "";

    (void)state;
    assert_int_equal(ward_cli_login(&ctx, 5, argv), WARD_CLI_EXIT_USAGE);
    rewind(err);
    assert_true(fread(text, 1, sizeof(text) - 1, err) > 0);
    assert_non_null(strstr(text, "never taken on the command line"));
    assert_null(strstr(text, "secret\n"));
    (void)fclose(out);
    (void)fclose(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_check),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_url_segment),
        cmocka_unit_test(test_login_refuses_password_arg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
