/*
 * prompt_test.c - reading a key share from a pipe (the non-TTY path), and
 * reading a whole input (the transit commands' stdin).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_int.h"

/* read_from writes in to a pipe and reads one share from its other end. */
static ward_err read_from(const char *in, struct ward_secret **out)
{
    int fds[2];
    ward_err err;

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], in, strlen(in)), (ssize_t)strlen(in));
    assert_int_equal(close(fds[1]), 0);
    err = ward_cli_read_share(out, fds[0], false, stderr, "unused: ");
    assert_int_equal(close(fds[0]), 0);
    return err;
}

static void test_one_line(void **state)
{
    struct ward_secret *s = NULL;

    (void)state;
    assert_int_equal(read_from("abc=\nsecond\n", &s), WARD_OK);
    assert_int_equal(s->len, 4);
    assert_string_equal((const char *)s->data, "abc=");
    ward_secret_free(s);
    assert_int_equal(read_from("crlf\r\n", &s), WARD_OK);
    assert_string_equal((const char *)s->data, "crlf");
    ward_secret_free(s);
    assert_int_equal(read_from("no-newline", &s), WARD_OK);
    assert_string_equal((const char *)s->data, "no-newline");
    ward_secret_free(s);
}

static void test_empty_and_long(void **state)
{
    struct ward_secret *s = NULL;
    char big[WARD_CLI_SHARE_MAX + 3];

    (void)state;
    assert_int_equal(read_from("\n", &s), WARD_E_INVALID);
    assert_null(s);
    assert_int_equal(read_from("", &s), WARD_E_INVALID);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(read_from(big, &s), WARD_E_TOO_LARGE);
    assert_null(s);
    big[WARD_CLI_SHARE_MAX] = '\0';
    assert_int_equal(read_from(big, &s), WARD_OK);
    assert_int_equal(s->len, WARD_CLI_SHARE_MAX);
    ward_secret_free(s);
}

/* read_all_from writes in (len bytes) to a pipe and reads it all back into out. */
static ward_err read_all_from(struct ward_buf *out, const void *in, size_t len)
{
    int fds[2];
    ward_err err;

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], in, len), (ssize_t)len);
    assert_int_equal(close(fds[1]), 0);
    err = ward_cli_read_all(out, fds[0], NULL);
    assert_int_equal(close(fds[0]), 0);
    return err;
}

static void test_read_all(void **state)
{
    static const uint8_t bin[] = { 'a', 0, '\n', 0xff, 'z' };
    struct ward_buf b;

    (void)state;
    ward_buf_init(&b, 5);
    assert_int_equal(read_all_from(&b, bin, sizeof(bin)), WARD_OK);
    assert_int_equal(b.len, sizeof(bin));
    assert_memory_equal(b.data, bin, sizeof(bin));
    /* exactly the max fits; one byte more does not */
    ward_buf_cleanup(&b);
    ward_buf_init(&b, 4);
    assert_int_equal(read_all_from(&b, bin, sizeof(bin)), WARD_E_TOO_LARGE);
    ward_buf_cleanup(&b);
    ward_buf_init(&b, 5);
    assert_int_equal(read_all_from(&b, "", 0), WARD_OK);
    assert_int_equal(b.len, 0);
    assert_int_equal(ward_cli_read_all(&b, -1, "/nonexistent/ward-input"), WARD_E_SYS);
    ward_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_empty_and_long),
        cmocka_unit_test(test_read_all),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
