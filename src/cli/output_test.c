/*
 * output_test.c - Vault-style tables and the seal status rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_int.h"

static void assert_formats_to(const struct ward_cli_table *t, const char *want)
{
    struct ward_buf b;

    ward_buf_init(&b, 4096);
    assert_int_equal(ward_cli_table_format(&b, t), WARD_OK);
    assert_int_equal(ward_buf_terminate(&b), WARD_OK);
    assert_string_equal((const char *)b.data, want);
    ward_buf_cleanup(&b);
}

static void test_alignment(void **state)
{
    struct ward_cli_table t = { .num_rows = 0 };

    (void)state;
    ward_cli_table_str(&t, "Seal Type", "shamir");
    ward_cli_table_bool(&t, "Sealed", true);
    ward_cli_table_u64(&t, "Threshold", 18446744073709551615u);
    ward_cli_table_str(&t, "Nonce", "");
    assert_formats_to(&t, "Key          Value\n"
                          "---          -----\n"
                          "Seal Type    shamir\n"
                          "Sealed       true\n"
                          "Threshold    18446744073709551615\n"
                          "Nonce        n/a\n");
}

static void test_empty_and_short_keys(void **state)
{
    struct ward_cli_table t = { .num_rows = 0 };

    (void)state;
    assert_formats_to(&t, "Key    Value\n---    -----\n");
    ward_cli_table_str(&t, "a", "b");
    assert_formats_to(&t, "Key    Value\n---    -----\na      b\n");
}

static void test_row_limit_and_too_small(void **state)
{
    struct ward_cli_table t = { .num_rows = 0 };
    struct ward_buf b;

    (void)state;
    for (int i = 0; i < WARD_CLI_TABLE_MAX + 5; i++) {
        ward_cli_table_str(&t, "k", "v");
    }
    assert_int_equal(t.num_rows, WARD_CLI_TABLE_MAX);
    ward_buf_init(&b, 16);
    assert_int_equal(ward_cli_table_format(&b, &t), WARD_E_TOO_LARGE);
    ward_buf_cleanup(&b);
}

static void test_seal_table(void **state)
{
    struct ward_client_seal_status s = { .type = "shamir",
                                         .initialized = true,
                                         .sealed = true,
                                         .t = 2,
                                         .n = 3,
                                         .progress = 1,
                                         .version = "0.1.0",
                                         .storage_type = "sqlite" };
    struct ward_cli_table t = { .num_rows = 0 };

    (void)state;
    ward_cli_seal_table(&t, &s);
    assert_string_equal(t.rows[5].key, "Unseal Progress");
    assert_string_equal(t.rows[5].value, "1/2");
    t.num_rows = 0;
    s.sealed = false;
    ward_cli_seal_table(&t, &s);
    assert_string_equal(t.rows[2].value, "false");
    assert_string_equal(t.rows[5].key, "Version");
}

/* print_object_text prints json's object into out (a memory stream, no heap) and returns rc. */
static int print_object_text(char *out, size_t out_cap, const char *json)
{
    json_t *obj = json_loads(json, 0, NULL);
    FILE *f = fmemopen(out, out_cap, "w");
    int rc;

    assert_non_null(obj);
    assert_non_null(f);
    memset(out, 0, out_cap);
    rc = ward_cli_print_object(f, obj);
    assert_int_equal(fclose(f), 0);
    json_decref(obj);
    return rc;
}

static void test_print_object(void **state)
{
    char long_value[400];
    char json[512];
    char text[1024];

    (void)state;
    assert_int_equal(print_object_text(text, sizeof(text),
                                       "{\"name\":\"k\",\"latest_version\":2,\"keys\":{\"1\":5},"
                                       "\"ops\":[\"a\",\"b\"],\"empty\":\"\",\"b\":false,"
                                       "\"n\":null}"),
                     WARD_CLI_EXIT_OK);
    assert_string_equal(text, "Key               Value\n"
                              "---               -----\n"
                              "name              k\n"
                              "latest_version    2\n"
                              "keys              {\"1\":5}\n"
                              "ops               [\"a\",\"b\"]\n"
                              "empty             n/a\n"
                              "b                 false\n"
                              "n                 null\n");
    /* nothing is cut short, unlike ward_cli_table's 160-byte values */
    memset(long_value, 'x', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    (void)snprintf(json, sizeof(json), "{\"k\":\"%s\"}", long_value);
    assert_int_equal(print_object_text(text, sizeof(text), json), WARD_CLI_EXIT_OK);
    assert_non_null(strstr(text, long_value));
}

static void test_print_keys(void **state)
{
    json_t *data = json_loads("{\"keys\":[\"a\",7,\"b/\"]}", 0, NULL);
    json_t *none = json_loads("{\"name\":\"x\"}", 0, NULL);
    char text[64] = { 0 };
    FILE *f = fmemopen(text, sizeof(text), "w");

    (void)state;
    assert_non_null(f);
    assert_int_equal(ward_cli_print_keys(f, data), 0);
    assert_int_equal(ward_cli_print_keys(f, none), -1);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(text, "a\nb/\n");
    json_decref(data);
    json_decref(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_empty_and_short_keys),
        cmocka_unit_test(test_row_limit_and_too_small),
        cmocka_unit_test(test_print_object),
        cmocka_unit_test(test_print_keys),
        cmocka_unit_test(test_seal_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
