/*
 * kv_test.c - KV v2 on a real barrier over the memory store: versions,
 * check-and-set, eviction and destroy (checked in the raw store), hidden
 * names, directory listing, refused writes changing nothing, generation.
 */
#include "kv.h"

#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "barrier/testing.h"

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_kv *kv;
};

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_kv_new(&f->kv, f->b, "secret"), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ward_kv_free(f->kv);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

static ward_err put(struct fixture *f, const char *path, const char *json, bool has_cas,
                    uint64_t cas)
{
    struct ward_kv_write w = { .data = (const uint8_t *)json,
                               .data_len = strlen(json),
                               .type = WARD_KV_USER,
                               .has_cas = has_cas,
                               .cas = cas };
    struct ward_kv_version v;

    return ward_kv_put(f->kv, &v, NULL, path, &w);
}

/* count_store counts raw store entries whose path starts with prefix. */
static size_t count_store(struct fixture *f, const char *prefix)
{
    struct ward_store_list l;
    size_t n;

    assert_int_equal(ward_store_list(f->st, &l, prefix), WARD_OK);
    n = l.num;
    ward_store_list_cleanup(&l);
    return n;
}

static void expect_data(struct fixture *f, const char *path, uint64_t version, const char *json)
{
    struct ward_buf out;
    struct ward_kv_version v;

    ward_buf_init(&out, WARD_KV_MAX_VALUE);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, path, version), WARD_OK);
    assert_int_equal(out.len, strlen(json));
    assert_memory_equal(out.data, json, out.len);
    ward_buf_cleanup(&out);
}

static void test_versions_and_cas(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(put(f, "app/db", "{\"pw\":\"1\"}", true, 0), WARD_OK);
    assert_int_equal(put(f, "app/db", "{\"pw\":\"2\"}", false, 0), WARD_OK);
    assert_int_equal(put(f, "app/db", "{\"pw\":\"x\"}", true, 1), WARD_E_CAS_MISMATCH);
    assert_int_equal(put(f, "app/db", "{\"pw\":\"3\"}", true, 2), WARD_OK);
    expect_data(f, "app/db", 0, "{\"pw\":\"3\"}");
    expect_data(f, "app/db", 1, "{\"pw\":\"1\"}");
    expect_data(f, "app/db", 2, "{\"pw\":\"2\"}");
    assert_int_equal(count_store(f, "kv/secret/v/"), 3);
    /* the name key held since first use is dropped (as at seal) and read back the same */
    ward_kv_flush(f->kv);
    expect_data(f, "app/db", 0, "{\"pw\":\"3\"}");
    assert_int_equal(put(f, "app/db", "{\"pw\":\"4\"}", true, 3), WARD_OK);
    assert_int_equal(count_store(f, "kv/secret/m/"), 1);
}

static void test_cas_required_refusal_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct ward_kv_config cfg = { .cas_required = true };
    struct ward_kv_meta m;

    assert_int_equal(put(f, "a", "{}", false, 0), WARD_OK);
    assert_int_equal(ward_kv_config_set(f->kv, &cfg), WARD_OK);
    assert_int_equal(put(f, "a", "{\"x\":1}", false, 0), WARD_E_CAS_REQUIRED);
    assert_int_equal(ward_kv_meta_get(f->kv, &m, "a"), WARD_OK);
    assert_int_equal(m.current_version, 1);
    ward_kv_meta_cleanup(&m);
    assert_int_equal(count_store(f, "kv/secret/v/"), 1);
}

static void test_eviction_and_destroy(void **state)
{
    struct fixture *f = *state;
    struct ward_kv_meta_update u = { .has_max_versions = true, .max_versions = 3 };
    struct ward_kv_version v;
    struct ward_buf out;
    uint64_t two = 2;

    for (int i = 0; i < 5; i++) {
        assert_int_equal(put(f, "k", "{\"n\":1}", false, 0), WARD_OK);
    }
    assert_int_equal(ward_kv_meta_set(f->kv, "k", &u), WARD_OK);
    assert_int_equal(count_store(f, "kv/secret/v/"), 3);
    ward_buf_init(&out, 1024);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, "k", 2), WARD_E_NOT_FOUND);
    assert_int_equal(ward_kv_versions(f->kv, "k", WARD_KV_DESTROY, (uint64_t[]){ 4 }, 1), WARD_OK);
    assert_int_equal(count_store(f, "kv/secret/v/"), 2);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, "k", 4), WARD_E_VERSION_DESTROYED);
    assert_true(v.destroyed);
    assert_int_equal(ward_kv_versions(f->kv, "k", WARD_KV_UNDELETE, (uint64_t[]){ 4 }, 1), WARD_OK);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, "k", 4), WARD_E_VERSION_DESTROYED);
    assert_int_equal(ward_kv_versions(f->kv, "k", WARD_KV_DELETE, NULL, 0), WARD_OK);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, "k", 0), WARD_E_VERSION_DELETED);
    assert_int_equal(ward_kv_versions(f->kv, "k", WARD_KV_UNDELETE, (uint64_t[]){ 5 }, 1), WARD_OK);
    assert_int_equal(ward_kv_get(f->kv, &out, &v, NULL, "k", 0), WARD_OK);
    assert_int_equal(ward_kv_versions(f->kv, "nope", WARD_KV_DELETE, &two, 1), WARD_E_NOT_FOUND);
    ward_buf_cleanup(&out);
}

static bool store_contains(struct fixture *f, const char *needle)
{
    struct ward_store_list l;
    struct ward_buf val;
    bool found = false;

    assert_int_equal(ward_store_list(f->st, &l, ""), WARD_OK);
    for (size_t i = 0; i < l.num && !found; i++) {
        found = strstr(l.paths[i], needle) != NULL;
        ward_buf_init(&val, WARD_STORE_MAX_VALUE);
        assert_int_equal(ward_store_get(f->st, &val, NULL, l.paths[i]), WARD_OK);
        found = found || memmem(val.data, val.len, needle, strlen(needle)) != NULL;
        ward_buf_cleanup(&val);
    }
    ward_store_list_cleanup(&l);
    return found;
}

static void test_names_hidden_and_list(void **state)
{
    struct fixture *f = *state;
    struct ward_kv_list l;

    assert_int_equal(put(f, "team-zebra/db/password", "{\"v\":\"hunter2\"}", false, 0), WARD_OK);
    assert_int_equal(put(f, "team-zebra/api", "{}", false, 0), WARD_OK);
    assert_int_equal(put(f, "top", "{}", false, 0), WARD_OK);
    assert_false(store_contains(f, "zebra"));
    assert_false(store_contains(f, "hunter2"));
    assert_int_equal(ward_kv_list_dir(f->kv, &l, ""), WARD_OK);
    assert_int_equal(l.num, 2);
    assert_string_equal(l.keys[0], "team-zebra/");
    assert_string_equal(l.keys[1], "top");
    ward_kv_list_cleanup(&l);
    assert_int_equal(ward_kv_list_dir(f->kv, &l, "team-zebra/"), WARD_OK);
    assert_int_equal(l.num, 2);
    assert_string_equal(l.keys[0], "api");
    assert_string_equal(l.keys[1], "db/");
    ward_kv_list_cleanup(&l);
    assert_int_equal(ward_kv_meta_delete(f->kv, "team-zebra/db/password"), WARD_OK);
    assert_int_equal(ward_kv_list_dir(f->kv, &l, "team-zebra/db"), WARD_E_NOT_FOUND);
    assert_int_equal(ward_kv_list_dir(f->kv, &l, "team-zebra"), WARD_OK);
    assert_int_equal(l.num, 1);
    ward_kv_list_cleanup(&l);
    assert_int_equal(ward_kv_meta_delete(f->kv, "team-zebra/api"), WARD_OK);
    assert_int_equal(ward_kv_meta_delete(f->kv, "top"), WARD_OK);
    assert_int_equal(ward_kv_list_dir(f->kv, &l, ""), WARD_E_NOT_FOUND);
    /* only the mount key is left */
    assert_int_equal(count_store(f, "kv/secret/"), 1);
}

static void test_too_large_and_bad_path(void **state)
{
    struct fixture *f = *state;
    struct ward_kv_write w = { .type = WARD_KV_USER, .data_len = WARD_KV_MAX_VALUE + 1 };
    struct ward_kv_version v;
    uint8_t *big = ward_calloc(1, w.data_len);

    w.data = big;
    assert_int_equal(ward_kv_put(f->kv, &v, NULL, "big", &w), WARD_E_TOO_LARGE);
    assert_int_equal(put(f, "", "{}", false, 0), WARD_E_BAD_PATH);
    assert_int_equal(put(f, "dir/", "{}", false, 0), WARD_E_BAD_PATH);
    assert_int_equal(count_store(f, "kv/secret/m/"), 0);
    ward_free(big);
}

static void test_generate(void **state)
{
    struct ward_kv_gen_params p = { .length = 24,
                                    .charset = "printable",
                                    .min_upper = 3,
                                    .min_lower = 3,
                                    .min_digit = 3,
                                    .min_symbol = 3 };
    struct ward_buf out;
    size_t sym = 0;

    (void)state;
    ward_buf_init(&out, 2 * WARD_KV_MAX_GEN + 8);
    assert_int_equal(ward_kv_generate(&out, &p), WARD_OK);
    assert_int_equal(out.len, 24);
    for (size_t i = 0; i < out.len; i++) {
        sym += isalnum(out.data[i]) ? 0 : 1;
    }
    assert_true(sym >= 3);
    ward_buf_cleanup(&out);
    p = (struct ward_kv_gen_params){ .length = 16, .charset = "hex" };
    ward_buf_init(&out, 2 * WARD_KV_MAX_GEN + 8);
    assert_int_equal(ward_kv_generate(&out, &p), WARD_OK);
    assert_int_equal(out.len, 32);
    ward_buf_cleanup(&out);
    p = (struct ward_kv_gen_params){ .length = 4, .charset = "alnum", .min_digit = 5 };
    assert_int_equal(ward_kv_generate(&out, &p), WARD_E_INVALID);
    p = (struct ward_kv_gen_params){ .length = 8, .charset = "ebcdic" };
    assert_int_equal(ward_kv_generate(&out, &p), WARD_E_INVALID);
}

struct race {
    struct fixture *f;
    atomic_int bad;
    atomic_bool done;
    atomic_bool written;
};

/* race_reader: every read shows a value that names its own version ({"n":"<version>"}). */
static void *race_reader(void *arg)
{
    struct race *r = arg;
    struct ward_buf out;
    struct ward_kv_version v;
    char want[48];

    ward_buf_init(&out, 256);
    while (!atomic_load(&r->done)) {
        bool was_written = atomic_load(&r->written); /* before the read begins */
        ward_err err;

        out.len = 0;
        if ((err = ward_kv_get(r->f->kv, &out, &v, NULL, "race/x", 0)) != WARD_OK) {
            if (err != WARD_E_NOT_FOUND || was_written) {
                atomic_fetch_add(&r->bad, 1); /* the version read went while it was read */
            }
            continue;
        }
        (void)snprintf(want, sizeof(want), "{\"n\":\"%llu\"}", (unsigned long long)v.version);
        if (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0) {
            atomic_fetch_add(&r->bad, 1);
        }
    }
    ward_buf_cleanup(&out);
    return NULL;
}

/*
 * Reads share the mount's lock while a writer adds versions with
 * max_versions 1, so every write deletes the value the previous metadata
 * named: a reader never sees metadata whose value is gone nor another
 * version's value, and every write lands.
 */
static void test_concurrent_reads_and_writes(void **state)
{
    struct race r = { .f = *state };
    pthread_t th[3];
    char json[48];

    struct ward_kv_config one = { .max_versions = 1 };

    atomic_init(&r.bad, 0);
    atomic_init(&r.done, false);
    atomic_init(&r.written, false);
    assert_int_equal(ward_kv_config_set(r.f->kv, &one), WARD_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, race_reader, &r), 0);
    }
    for (unsigned n = 1; n <= 1000; n++) {
        (void)snprintf(json, sizeof(json), "{\"n\":\"%u\"}", n);
        assert_int_equal(put(r.f, "race/x", json, true, n - 1), WARD_OK);
        atomic_store(&r.written, true);
    }
    atomic_store(&r.done, true);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
    assert_int_equal(atomic_load(&r.bad), 0);
    expect_data(r.f, "race/x", 0, "{\"n\":\"1000\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_concurrent_reads_and_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_and_cas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cas_required_refusal_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction_and_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_hidden_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_and_bad_path, setup, teardown),
        cmocka_unit_test(test_generate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
