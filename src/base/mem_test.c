/*
 * mem_test.c - failing allocator and locked secret memory.
 */
#include "mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_fail_at(void **state)
{
    void *a;
    void *b;

    (void)state;
    ward_mem_fail_at(2);
    a = ward_alloc(8);
    b = ward_alloc(8);
    assert_non_null(a);
    assert_null(b);
    b = ward_alloc(8);
    assert_non_null(b);
    ward_free(a);
    ward_free(b);
    assert_null(ward_calloc(SIZE_MAX / 2, 4));
}

/* The secret's pages are locked and marked "dd" (do not dump) in smaps. */
static void test_secret_locked_and_undumpable(void **state)
{
    struct ward_secret *s = NULL;
    char line[256];
    char want[64];
    FILE *f;
    int in_region = 0;
    int locked = 0;
    int dd = 0;

    (void)state;
    assert_int_equal(ward_secret_new(&s, 100), WARD_OK);
    assert_int_equal(s->len, 100);
    assert_true(s->capacity >= 100);
    for (size_t i = 0; i < s->capacity; i++) {
        assert_int_equal(s->data[i], 0);
    }
    memset(s->data, 0x5a, s->len);
    (void)snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)s->data);
    f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        /* region headers start with a lowercase hex address, fields with a name */
        if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
            in_region = strncmp(line, want, strlen(want)) == 0;
        } else if (in_region) {
            if (strncmp(line, "Locked:", 7) == 0 && strstr(line, " 0 kB") == NULL) {
                locked = 1;
            }
            if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " dd") != NULL) {
                dd = 1;
            }
        }
    }
    (void)fclose(f);
    assert_true(locked);
    assert_true(dd);
    ward_secret_free(s);
    ward_secret_free(NULL);
}

static void test_secret_copy(void **state)
{
    struct ward_secret *s = NULL;

    (void)state;
    assert_int_equal(ward_secret_new_copy(&s, (const uint8_t *)"abc", 3), WARD_OK);
    assert_memory_equal(s->data, "abc", 3);
    ward_secret_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_at),
        cmocka_unit_test(test_secret_locked_and_undumpable),
        cmocka_unit_test(test_secret_copy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
