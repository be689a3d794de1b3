/*
 * mounts_test.c - the mount table: longest-prefix lookup, the refusals of
 * enable, persistence in the barrier, and a disabled mount erased only when
 * its last reference drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/testing.h"
#include "engine_int.h"

static int setup(void **state)
{
    struct engine_fx *f = ward_calloc(1, sizeof(*f));

    engine_fx_open(f);
    engine_fx_init(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    engine_fx_close(*state);
    ward_free(*state);
    return 0;
}

/* lookup_path returns the path of path's mount ("" if none) and its rest. */
static const char *lookup_path(struct mount_table *t, const char *path, const char **rest)
{
    static char out[MOUNT_PATH_MAX + 1];
    struct mount *m = mount_lookup(t, path, rest);

    out[0] = '\0';
    if (m != NULL) {
        (void)snprintf(out, sizeof(out), "%s", m->path);
    }
    mount_unref(m);
    return out;
}

static size_t rows_under(struct engine_fx *f, const char *prefix)
{
    struct ward_store_list l = { 0 };
    size_t n;

    assert_int_equal(ward_barrier_list(f->b, &l, prefix), WARD_OK);
    n = l.num;
    ward_store_list_cleanup(&l);
    return n;
}

static void test_builtin_and_longest_prefix(void **state)
{
    struct engine_fx *f = *state;
    struct mount_table *t = f->e->mounts;
    const char *rest = NULL;

    assert_string_equal(lookup_path(t, "secret/data/a", &rest), "secret/");
    assert_string_equal(rest, "data/a");
    assert_string_equal(lookup_path(t, "secret", &rest), "secret/");
    assert_string_equal(rest, "");
    assert_string_equal(lookup_path(t, "secretx/data/a", &rest), "");
    assert_string_equal(lookup_path(t, "auth/token/create", &rest), "auth/token/");
    assert_string_equal(lookup_path(t, "transit/keys/k", &rest), "transit/");

    assert_int_equal(mount_enable(t, &g_mount_kv, "apps/billing", ""), WARD_OK);
    assert_int_equal(mount_enable(t, &g_mount_kv, "apps-x/", "d"), WARD_OK);
    assert_string_equal(lookup_path(t, "apps/billing/data/x", &rest), "apps/billing/");
    assert_string_equal(rest, "data/x");
    assert_string_equal(lookup_path(t, "apps/other", &rest), "");
    assert_string_equal(lookup_path(t, "apps-x/data/y", &rest), "apps-x/");
    assert_true(mount_canonical("secret/data/x"));
    assert_true(mount_canonical("auth/token/create"));
    assert_false(mount_canonical("ward/decrypt"));
}

static void test_enable_refusals(void **state)
{
    struct engine_fx *f = *state;
    struct mount_table *t = f->e->mounts;
    static const char *const bad[] = { "",    "/",     "a//b",   "a/./b",     "a/../b",
                                       "..",  "sys/x", "ward",   "auth/x",    "cubbyhole",
                                       "a b", "a*b",   "sp%20x", "identity/y" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(mount_enable(t, &g_mount_transit, bad[i], ""), WARD_E_INVALID);
    }
    assert_int_equal(mount_enable(t, &g_mount_transit, "secret", ""), WARD_E_EXISTS);
    assert_int_equal(mount_enable(t, &g_mount_transit, "secret/inner", ""), WARD_E_INVALID);
    assert_int_equal(mount_enable(t, &g_mount_kv, "team", ""), WARD_OK);
    assert_int_equal(mount_enable(t, &g_mount_kv, "team/sub", ""), WARD_E_INVALID);
    /* an auth kind goes under auth/, where the token method is */
    assert_int_equal(mount_enable(t, &g_mount_token, "token2", ""), WARD_E_INVALID);
    assert_int_equal(mount_disable(t, "auth/token/"), WARD_E_INVALID);
    assert_int_equal(mount_disable(t, "nothing/"), WARD_E_NOT_FOUND);
}

static void test_persisted(void **state)
{
    struct engine_fx *f = *state;
    struct ward_engine_config cfg = { .version = "0.1.0", .storage_type = "memory" };
    struct ward_engine *e2;
    const char *rest;
    struct mount *m;
    char acc[sizeof(m->accessor)];

    assert_int_equal(mount_enable(f->e->mounts, &g_mount_kv, "kept", "a description"), WARD_OK);
    assert_int_equal(mount_disable(f->e->mounts, "secret"), WARD_OK);
    m = mount_lookup(f->e->mounts, "kept/x", &rest);
    assert_non_null(m);
    (void)snprintf(acc, sizeof(acc), "%s", m->accessor);
    mount_unref(m);

    /* a second engine over the same barrier reads the same table */
    assert_int_equal(ward_engine_new(&e2, f->b, &cfg), WARD_OK);
    m = mount_lookup(e2->mounts, "kept/x", &rest);
    assert_non_null(m);
    assert_string_equal(m->accessor, acc);
    assert_string_equal(m->description, "a description");
    assert_ptr_equal(m->kind, &g_mount_kv);
    mount_unref(m);
    assert_null(mount_lookup(e2->mounts, "secret/data/x", &rest));
    ward_engine_free(e2);
}

static void test_disable_erases_after_last_use(void **state)
{
    struct engine_fx *f = *state;
    struct mount_table *t = f->e->mounts;
    struct ward_kv_write w;
    struct ward_kv_version v = { 0 };
    struct ward_buf custom;
    char prefix[64];
    const char *rest;
    struct mount *m;

    assert_int_equal(mount_enable(t, &g_mount_kv, "doomed", ""), WARD_OK);
    m = mount_lookup(t, "doomed/data/a", &rest);
    assert_non_null(m);
    (void)snprintf(prefix, sizeof(prefix), "kv/%s/", m->storage_id);
    ward_buf_init(&custom, 16);
    memset(&w, 0, sizeof(w));
    w.data = (const uint8_t *)"{\"k\":\"v\"}";
    w.data_len = 9;
    assert_int_equal(ward_kv_put(m->state, &v, &custom, "a", &w), WARD_OK);
    ward_buf_cleanup(&custom);
    assert_true(rows_under(f, prefix) > 0);

    /* a request still holds m: the table forgets it, the data waits */
    assert_int_equal(mount_disable(t, "doomed/"), WARD_OK);
    assert_null(mount_lookup(t, "doomed/data/a", &rest));
    assert_true(rows_under(f, prefix) > 0);
    mount_unref(m); /* the request ends */
    assert_int_equal(rows_under(f, prefix), 0);

    /* the path again: a new storage id, nothing of the old data */
    assert_int_equal(mount_enable(t, &g_mount_kv, "doomed", ""), WARD_OK);
    m = mount_lookup(t, "doomed/data/a", &rest);
    assert_non_null(m);
    assert_memory_not_equal(prefix + 3, m->storage_id, strlen(m->storage_id));
    mount_unref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtin_and_longest_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enable_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persisted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_erases_after_last_use, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
