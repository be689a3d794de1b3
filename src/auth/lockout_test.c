/*
 * lockout_test.c - the throttle table: Vault's lockout after threshold
 * failures, its expiry, the counter reset window, success clearing the
 * entry, sources kept apart, the per-source limit across users, attempts
 * while locked not counted, disable, and a bounded table under a flood of
 * distinct names.
 */
#include "auth/lockout.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"

#define T0 1700000000000LL

static struct ward_lockout *table(uint32_t threshold, int64_t dur, int64_t reset, uint32_t src,
                                  size_t slots)
{
    struct ward_lockout_config cfg = { threshold, dur, reset, src, false };
    struct ward_lockout *l = NULL;

    assert_int_equal(ward_lockout_new(&l, &cfg, slots), WARD_OK);
    return l;
}

static void test_lock_and_expire(void **state)
{
    struct ward_lockout *l = table(3, 2000, 60000, 0, 0);

    (void)state;
    for (int i = 0; i < 2; i++) {
        ward_lockout_failed(l, "homer", "10.0.0.1", T0 + i);
        assert_false(ward_lockout_locked(l, "homer", "10.0.0.1", T0 + i));
    }
    ward_lockout_failed(l, "homer", "10.0.0.1", T0 + 2);
    assert_true(ward_lockout_locked(l, "homer", "10.0.0.1", T0 + 3));
    /* another source, another user: not locked */
    assert_false(ward_lockout_locked(l, "homer", "10.0.0.2", T0 + 3));
    assert_false(ward_lockout_locked(l, "marge", "10.0.0.1", T0 + 3));
    /* failures while locked do not extend it */
    for (int i = 0; i < 100; i++) {
        ward_lockout_failed(l, "homer", "10.0.0.1", T0 + 1000 + i);
    }
    assert_true(ward_lockout_locked(l, "homer", "10.0.0.1", T0 + 2001));
    assert_false(ward_lockout_locked(l, "homer", "10.0.0.1", T0 + 2002));
    /* after the lock: the count starts again */
    ward_lockout_failed(l, "homer", "10.0.0.1", T0 + 2100);
    assert_false(ward_lockout_locked(l, "homer", "10.0.0.1", T0 + 2101));
    ward_lockout_free(l);
}

static void test_reset_and_success(void **state)
{
    struct ward_lockout *l = table(3, 5000, 1000, 0, 0);

    (void)state;
    ward_lockout_failed(l, "u", "s", T0);
    ward_lockout_failed(l, "u", "s", T0 + 500);
    /* more than counter_reset since the last failure: counting restarts */
    ward_lockout_failed(l, "u", "s", T0 + 1600);
    assert_false(ward_lockout_locked(l, "u", "s", T0 + 1601));
    ward_lockout_failed(l, "u", "s", T0 + 1700);
    ward_lockout_succeeded(l, "u", "s");
    ward_lockout_failed(l, "u", "s", T0 + 1800);
    assert_false(ward_lockout_locked(l, "u", "s", T0 + 1801));
    ward_lockout_failed(l, "u", "s", T0 + 1900);
    ward_lockout_failed(l, "u", "s", T0 + 2000);
    assert_true(ward_lockout_locked(l, "u", "s", T0 + 2001));
    ward_lockout_free(l);
}

static void test_source_limit(void **state)
{
    struct ward_lockout *l = table(5, 3000, 60000, 10, 0);
    char name[32];

    (void)state;
    for (int i = 0; i < 9; i++) {
        (void)snprintf(name, sizeof(name), "user%d", i);
        ward_lockout_failed(l, name, "10.9.9.9", T0 + i);
    }
    assert_false(ward_lockout_locked(l, "fresh", "10.9.9.9", T0 + 10));
    ward_lockout_failed(l, "user9", "10.9.9.9", T0 + 11);
    /* the tenth failure from the address locks it for every name */
    assert_true(ward_lockout_locked(l, "fresh", "10.9.9.9", T0 + 12));
    assert_false(ward_lockout_locked(l, "fresh", "10.9.9.8", T0 + 12));
    assert_false(ward_lockout_locked(l, "fresh", "10.9.9.9", T0 + 3012));
    ward_lockout_free(l);
}

static void test_disable(void **state)
{
    struct ward_lockout_config cfg = { 1, 1000, 1000, 1, true };
    struct ward_lockout *l = NULL;

    (void)state;
    assert_int_equal(ward_lockout_new(&l, &cfg, 0), WARD_OK);
    for (int i = 0; i < 10; i++) {
        ward_lockout_failed(l, "u", "s", T0 + i);
    }
    assert_false(ward_lockout_locked(l, "u", "s", T0 + 11));
    assert_int_equal(ward_lockout_used(l), 0);
    ward_lockout_free(l);
    assert_int_equal(ward_lockout_new(&l, &cfg, 100), WARD_E_INVALID); /* not a power of two */
}

static void test_bounded(void **state)
{
    struct ward_lockout *l = table(3, 60000, 60000, 1000000, 64);
    char name[32];

    (void)state;
    /* lock one user, then flood the table with 10,000 other entries */
    for (int i = 0; i < 3; i++) {
        ward_lockout_failed(l, "victim", "10.1.1.1", T0);
    }
    assert_true(ward_lockout_locked(l, "victim", "10.1.1.1", T0 + 1));
    for (int i = 0; i < 10000; i++) {
        (void)snprintf(name, sizeof(name), "n%d", i);
        ward_lockout_failed(l, name, "10.2.2.2", T0 + 2 + i);
    }
    assert_true(ward_lockout_used(l) <= 64);
    ward_lockout_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_and_expire), cmocka_unit_test(test_reset_and_success),
        cmocka_unit_test(test_source_limit),    cmocka_unit_test(test_disable),
        cmocka_unit_test(test_bounded),
    };

    if (ward_crypto_init() != WARD_OK) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
