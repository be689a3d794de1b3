/*
 * store_test.c - the behavioural suite every backend must pass, run against
 * "memory:" and "sqlite:<tmpfile>" alike, plus the fault wrapper.
 */
#include "store.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/mem.h"

struct fixture {
    const char *backend; /* "memory", "sqlite" or "cached" (memory behind the read cache) */
    char dir[64];        /* sqlite only: the mkdtemp directory */
    char file[128];
    struct ward_store *st;
};

static int setup(void **state)
{
    struct fixture *fx = ward_calloc(1, sizeof(*fx));
    char spec[160];

    assert_non_null(fx);
    fx->backend = *state;
    if (strcmp(fx->backend, "memory") == 0) {
        assert_int_equal(ward_store_open(&fx->st, "memory:"), WARD_OK);
    } else if (strcmp(fx->backend, "cached") == 0) {
        assert_int_equal(ward_store_open(&fx->st, "memory:"), WARD_OK);
        assert_int_equal(ward_store_cache_new(&fx->st, fx->st), WARD_OK);
    } else {
        snprintf(fx->dir, sizeof(fx->dir), "/tmp/ward-store-XXXXXX");
        assert_non_null(mkdtemp(fx->dir));
        snprintf(fx->file, sizeof(fx->file), "%s/t.db", fx->dir);
        snprintf(spec, sizeof(spec), "sqlite:%s", fx->file);
        assert_int_equal(ward_store_open(&fx->st, spec), WARD_OK);
    }
    assert_non_null(fx->st);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char p[160];

    ward_store_close(fx->st);
    if (fx->dir[0] != '\0') {
        (void)unlink(fx->file);
        snprintf(p, sizeof(p), "%s-wal", fx->file);
        (void)unlink(p);
        snprintf(p, sizeof(p), "%s-shm", fx->file);
        (void)unlink(p);
        assert_int_equal(rmdir(fx->dir), 0);
    }
    ward_free(fx);
    return 0;
}

static void put_str(struct ward_store *st, const char *path, const char *value)
{
    assert_int_equal(ward_store_put(st, path, (const uint8_t *)value, strlen(value)), WARD_OK);
}

/* check_value asserts path holds value at version. */
static void check_value(struct ward_store *st, const char *path, const char *value,
                        uint64_t version)
{
    struct ward_buf b;
    uint64_t v = 99;

    ward_buf_init(&b, 4096);
    assert_int_equal(ward_store_get(st, &b, &v, path), WARD_OK);
    assert_int_equal(b.len, strlen(value));
    if (b.len > 0) {
        assert_memory_equal(b.data, value, b.len);
    }
    assert_int_equal(v, version);
    ward_buf_cleanup(&b);
}

static void check_absent(struct ward_store *st, const char *path)
{
    struct ward_buf b;
    uint64_t v = 99;

    ward_buf_init(&b, 4096);
    assert_int_equal(ward_store_get(st, &b, &v, path), WARD_E_NOT_FOUND);
    assert_int_equal(b.len, 0);
    assert_int_equal(v, 0);
    ward_buf_cleanup(&b);
}

/* check_list asserts list(prefix) is exactly want[0..num). */
static void check_list(struct ward_store *st, const char *prefix, const char *const *want,
                       size_t num)
{
    struct ward_store_list l = { (char **)1, 99 };
    size_t i;

    assert_int_equal(ward_store_list(st, &l, prefix), WARD_OK);
    assert_int_equal(l.num, num);
    for (i = 0; i < num; i++) {
        assert_string_equal(l.paths[i], want[i]);
    }
    ward_store_list_cleanup(&l);
    assert_null(l.paths);
    assert_int_equal(l.num, 0);
}

static void test_put_get_versions(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;

    check_absent(st, "k");
    put_str(st, "k", "one");
    check_value(st, "k", "one", 1);
    put_str(st, "k", "second");
    check_value(st, "k", "second", 2);
    put_str(st, "k", "3");
    check_value(st, "k", "3", 3);
    assert_int_equal(ward_store_delete(st, "k"), WARD_OK);
    check_absent(st, "k");
    assert_int_equal(ward_store_delete(st, "k"), WARD_OK);
    put_str(st, "k", "again");
    check_value(st, "k", "again", 1);
}

static void test_binary_and_empty_values(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    static const uint8_t bin[] = { 0x00, 0xff, 0x00, 0x80, 0x7f, 0x00 };
    struct ward_buf b;
    uint64_t v;

    assert_int_equal(ward_store_put(st, "bin", bin, sizeof(bin)), WARD_OK);
    assert_int_equal(ward_store_put(st, "empty", NULL, 0), WARD_OK);
    ward_buf_init(&b, 64);
    assert_int_equal(ward_store_get(st, &b, &v, "bin"), WARD_OK);
    assert_int_equal(b.len, sizeof(bin));
    assert_memory_equal(b.data, bin, sizeof(bin));
    ward_buf_cleanup(&b);
    check_value(st, "empty", "", 1);
    assert_int_equal(ward_store_put(st, "x", NULL, 1), WARD_E_INVALID);
    check_absent(st, "x");
}

static void test_get_appends_within_max(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    struct ward_buf b;

    put_str(st, "k", "value");
    ward_buf_init(&b, 7);
    assert_int_equal(ward_buf_append(&b, "ab", 2), WARD_OK);
    assert_int_equal(ward_store_get(st, &b, NULL, "k"), WARD_OK);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "abvalue", 7);
    ward_buf_reset(&b);
    assert_int_equal(ward_buf_append(&b, "abc", 3), WARD_OK);
    assert_int_equal(ward_store_get(st, &b, NULL, "k"), WARD_E_TOO_LARGE);
    assert_int_equal(b.len, 3);
    ward_buf_cleanup(&b);
}

static void put_all(struct ward_store *st, const char *const *paths, size_t num)
{
    size_t i;

    for (i = 0; i < num; i++) {
        put_str(st, paths[i], "v");
    }
}

static void test_list_order_and_prefix(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    static const char *const paths[] = { "a/b", "a/a", "a", "a/", "b", "a/b/c", "ab", "a0" };
    static const char *const all[] = { "a", "a/", "a/a", "a/b", "a/b/c", "a0", "ab", "b" };
    static const char *const a_slash[] = { "a/", "a/a", "a/b", "a/b/c" };
    static const char *const a_b[] = { "a/b", "a/b/c" };

    check_list(st, "", NULL, 0);
    put_all(st, paths, 8);
    check_list(st, "", all, 8);
    check_list(st, "a", all, 7);
    check_list(st, "a/", a_slash, 4);
    check_list(st, "a/b", a_b, 2);
    check_list(st, "a/b/c/", NULL, 0);
    check_list(st, "zz", NULL, 0);
    check_list(st, "0", NULL, 0);
    assert_int_equal(ward_store_delete(st, "a/a"), WARD_OK);
    check_list(st, "a/", (const char *const[]){ "a/", "a/b", "a/b/c" }, 3);
}

static void test_list_wildcards_are_literal(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    static const char *const paths[] = { "k%1", "kx1", "k_1", "ka", "k%", "kk_", "k\\1" };

    put_all(st, paths, 7);
    check_list(st, "k%", (const char *const[]){ "k%", "k%1" }, 2);
    check_list(st, "k_", (const char *const[]){ "k_1" }, 1);
    check_list(st, "k\\", (const char *const[]){ "k\\1" }, 1);
    check_list(st, "%", NULL, 0);
    check_list(st, "_", NULL, 0);
}

static void test_list_high_bytes(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    static const char *const paths[] = { "a\xff", "a\xff\x01", "a\xff\xff", "a\xffz", "a\xfe\xff",
                                         "b",     "\xff",      "\xff\xff",  "\x01" };

    put_all(st, paths, 9);
    check_list(st, "a\xff", (const char *const[]){ "a\xff", "a\xff\x01", "a\xffz", "a\xff\xff" },
               4);
    check_list(st, "a\xfe", (const char *const[]){ "a\xfe\xff" }, 1);
    check_list(st, "\xff", (const char *const[]){ "\xff", "\xff\xff" }, 2);
    check_list(st, "\xff\xff", (const char *const[]){ "\xff\xff" }, 1);
    check_list(st, "\xff\xff\xff", NULL, 0);
    check_list(st, "",
               (const char *const[]){ "\x01", "a\xfe\xff", "a\xff", "a\xff\x01", "a\xffz",
                                      "a\xff\xff", "b", "\xff", "\xff\xff" },
               9);
}

static void test_cas(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;

    assert_int_equal(ward_store_cas(st, "c", 1, (const uint8_t *)"x", 1), WARD_E_CONFLICT);
    check_absent(st, "c");
    assert_int_equal(ward_store_cas(st, "c", 0, (const uint8_t *)"first", 5), WARD_OK);
    check_value(st, "c", "first", 1);
    assert_int_equal(ward_store_cas(st, "c", 0, (const uint8_t *)"x", 1), WARD_E_CONFLICT);
    assert_int_equal(ward_store_cas(st, "c", 2, (const uint8_t *)"x", 1), WARD_E_CONFLICT);
    check_value(st, "c", "first", 1);
    assert_int_equal(ward_store_cas(st, "c", 1, (const uint8_t *)"second", 6), WARD_OK);
    check_value(st, "c", "second", 2);
    assert_int_equal(ward_store_cas(st, "c", 1, (const uint8_t *)"x", 1), WARD_E_CONFLICT);
    check_value(st, "c", "second", 2);
}

static void test_txn_failed_check_writes_nothing(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    struct ward_store_op ops[] = {
        { .kind = WARD_STORE_PUT, .path = "c", .value = (const uint8_t *)"new", .value_len = 3 },
        { .kind = WARD_STORE_PUT, .path = "a", .value = (const uint8_t *)"a2", .value_len = 2 },
        { .kind = WARD_STORE_DELETE, .path = "b" },
        { .kind = WARD_STORE_CHECK, .path = "a", .check_version = true, .expected_version = 7 },
    };

    put_str(st, "a", "a1");
    put_str(st, "b", "b1");
    assert_int_equal(ward_store_txn(st, ops, 4), WARD_E_CONFLICT);
    check_value(st, "a", "a1", 1);
    check_value(st, "b", "b1", 1);
    check_absent(st, "c");
    check_list(st, "", (const char *const[]){ "a", "b" }, 2);
    /* The check sees the txn's own earlier put of a: version 2. */
    ops[3].expected_version = 2;
    assert_int_equal(ward_store_txn(st, ops, 4), WARD_OK);
    check_value(st, "a", "a2", 2);
    check_absent(st, "b");
    check_value(st, "c", "new", 1);
}

static void test_txn_ops_see_earlier_ops(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    const struct ward_store_op ops[] = {
        { .kind = WARD_STORE_PUT, .path = "x", .value = (const uint8_t *)"1", .value_len = 1 },
        { .kind = WARD_STORE_CHECK, .path = "x", .check_version = true, .expected_version = 1 },
        { .kind = WARD_STORE_PUT,
          .path = "x",
          .value = (const uint8_t *)"2",
          .value_len = 1,
          .check_version = true,
          .expected_version = 1 },
        { .kind = WARD_STORE_PUT, .path = "y", .value = (const uint8_t *)"y", .value_len = 1 },
        { .kind = WARD_STORE_DELETE, .path = "y", .check_version = true, .expected_version = 1 },
        { .kind = WARD_STORE_CHECK, .path = "y", .check_version = true, .expected_version = 0 },
    };
    const struct ward_store_op unchecked = { .kind = WARD_STORE_CHECK, .path = "x" };

    assert_int_equal(ward_store_txn(st, ops, 6), WARD_OK);
    check_value(st, "x", "2", 2);
    check_absent(st, "y");
    assert_int_equal(ward_store_txn(st, &unchecked, 1), WARD_E_INVALID);
    assert_int_equal(ward_store_txn(st, NULL, 0), WARD_OK);
    assert_int_equal(ward_store_txn(st, NULL, 1), WARD_E_INVALID);
}

static void test_bad_paths(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    char *long_path = ward_alloc(WARD_STORE_MAX_PATH + 2);
    struct ward_store_list l;
    struct ward_buf b;

    assert_non_null(long_path);
    memset(long_path, 'p', WARD_STORE_MAX_PATH + 1);
    long_path[WARD_STORE_MAX_PATH + 1] = '\0';
    ward_buf_init(&b, 16);
    assert_int_equal(ward_store_put(st, "", (const uint8_t *)"v", 1), WARD_E_INVALID);
    assert_int_equal(ward_store_put(st, NULL, (const uint8_t *)"v", 1), WARD_E_INVALID);
    assert_int_equal(ward_store_put(st, long_path, (const uint8_t *)"v", 1), WARD_E_INVALID);
    assert_int_equal(ward_store_cas(st, "", 0, (const uint8_t *)"v", 1), WARD_E_INVALID);
    assert_int_equal(ward_store_delete(st, ""), WARD_E_INVALID);
    assert_int_equal(ward_store_get(st, &b, NULL, ""), WARD_E_INVALID);
    assert_int_equal(ward_store_get(st, &b, NULL, long_path), WARD_E_INVALID);
    assert_int_equal(ward_store_get(st, NULL, NULL, "k"), WARD_E_INVALID);
    assert_int_equal(ward_store_list(st, &l, NULL), WARD_E_INVALID);
    assert_int_equal(ward_store_list(st, &l, long_path), WARD_E_INVALID);
    check_list(st, "", NULL, 0);
    /* Exactly the maximum is fine. */
    long_path[WARD_STORE_MAX_PATH] = '\0';
    put_str(st, long_path, "max");
    check_value(st, long_path, "max", 1);
    check_list(st, long_path, (const char *const[]){ long_path }, 1);
    ward_buf_cleanup(&b);
    ward_free(long_path);
}

static void test_value_size_limit(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    uint8_t *big = ward_alloc(WARD_STORE_MAX_VALUE + 1);
    struct ward_store_op ops[] = {
        { .kind = WARD_STORE_PUT, .path = "small", .value = (const uint8_t *)"s", .value_len = 1 },
        { .kind = WARD_STORE_PUT,
          .path = "big",
          .value = big,
          .value_len = WARD_STORE_MAX_VALUE + 1 },
    };
    struct ward_buf b;

    assert_non_null(big);
    memset(big, 0xa5, WARD_STORE_MAX_VALUE + 1);
    assert_int_equal(ward_store_txn(st, ops, 2), WARD_E_TOO_LARGE);
    assert_int_equal(ward_store_put(st, "big", big, WARD_STORE_MAX_VALUE + 1), WARD_E_TOO_LARGE);
    assert_int_equal(ward_store_cas(st, "big", 0, big, WARD_STORE_MAX_VALUE + 1), WARD_E_TOO_LARGE);
    check_list(st, "", NULL, 0);
    assert_int_equal(ward_store_put(st, "big", big, WARD_STORE_MAX_VALUE), WARD_OK);
    ward_buf_init(&b, WARD_STORE_MAX_VALUE);
    assert_int_equal(ward_store_get(st, &b, NULL, "big"), WARD_OK);
    assert_int_equal(b.len, WARD_STORE_MAX_VALUE);
    assert_memory_equal(b.data, big, WARD_STORE_MAX_VALUE);
    ward_buf_cleanup(&b);
    ward_free(big);
}

static void test_fault_wrapper(void **state)
{
    struct ward_store *inner = ((struct fixture *)*state)->st;
    struct ward_store *f = NULL;
    const struct ward_store_op ops[] = {
        { .kind = WARD_STORE_PUT, .path = "t1", .value = (const uint8_t *)"t", .value_len = 1 },
        { .kind = WARD_STORE_DELETE, .path = "w1" },
    };

    assert_int_equal(ward_store_fault_new(&f, inner, 3), WARD_OK);
    put_str(f, "w1", "one");
    put_str(f, "w2", "two");
    assert_int_equal(ward_store_put(f, "w3", (const uint8_t *)"3", 1), WARD_E_STORE_FULL);
    assert_int_equal(ward_store_txn(f, ops, 2), WARD_E_STORE_FULL);
    assert_int_equal(ward_store_delete(f, "w1"), WARD_E_STORE_FULL);
    assert_int_equal(ward_store_cas(f, "w2", 1, (const uint8_t *)"x", 1), WARD_E_STORE_FULL);
    /* Reads pass through, and nothing changed, seen from either side. */
    check_value(f, "w1", "one", 1);
    check_value(f, "w2", "two", 1);
    check_absent(f, "w3");
    check_list(inner, "", (const char *const[]){ "w1", "w2" }, 2);
    ward_store_close(f);
    /* The inner store outlives its wrapper and still writes. */
    put_str(inner, "w3", "3");
    assert_int_equal(ward_store_fault_new(&f, inner, 0), WARD_OK);
    put_str(f, "w4", "4");
    check_list(f, "w", (const char *const[]){ "w1", "w2", "w3", "w4" }, 4);
    ward_store_close(f);
    assert_int_equal(ward_store_fault_new(&f, NULL, 1), WARD_E_INVALID);
    assert_null(f);
}

/* A txn that runs out of memory at any allocation leaves the store unchanged. */
static void test_txn_out_of_memory(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    const struct ward_store_op ops[] = {
        { .kind = WARD_STORE_PUT, .path = "a", .value = (const uint8_t *)"A", .value_len = 1 },
        { .kind = WARD_STORE_DELETE, .path = "b" },
        { .kind = WARD_STORE_PUT, .path = "c", .value = (const uint8_t *)"C", .value_len = 1 },
        { .kind = WARD_STORE_PUT, .path = "d", .value = (const uint8_t *)"D", .value_len = 1 },
    };
    uint64_t nth;
    ward_err err = WARD_E_INTERNAL;

    put_str(st, "a", "a");
    put_str(st, "b", "b");
    for (nth = 1; nth < 100; nth++) {
        ward_mem_fail_at(nth);
        err = ward_store_txn(st, ops, 4);
        ward_mem_fail_at(0);
        if (err == WARD_OK) {
            break;
        }
        assert_int_equal(err, WARD_E_NOMEM);
        check_value(st, "a", "a", 1);
        check_value(st, "b", "b", 1);
        check_list(st, "", (const char *const[]){ "a", "b" }, 2);
    }
    assert_int_equal(err, WARD_OK);
    check_list(st, "", (const char *const[]){ "a", "c", "d" }, 3);
    check_value(st, "a", "A", 2);
}

#define NUM_THREADS    4
#define NUM_INCREMENTS 25

/* increment bumps the counter at "n" by get + cas, retrying on conflict. */
static void *increment(void *arg)
{
    struct ward_store *st = arg;
    struct ward_buf b;
    uint64_t version;
    uint64_t n;
    uint8_t enc[8];
    int done = 0;

    ward_buf_init(&b, 8);
    while (done < NUM_INCREMENTS) {
        ward_buf_reset(&b);
        if (ward_store_get(st, &b, &version, "n") != WARD_OK || b.len != 8) {
            abort();
        }
        n = ward_get_u64(b.data);
        ward_put_u64(enc, n + 1);
        switch (ward_store_cas(st, "n", version, enc, sizeof(enc))) {
        case WARD_OK:
            done++;
            break;
        case WARD_E_CONFLICT:
            break;
        default:
            abort();
        }
    }
    ward_buf_cleanup(&b);
    return NULL;
}

static void test_concurrent_cas(void **state)
{
    struct ward_store *st = ((struct fixture *)*state)->st;
    pthread_t th[NUM_THREADS];
    uint8_t zero[8] = { 0 };
    struct ward_buf b;
    uint64_t version;
    int i;

    assert_int_equal(ward_store_put(st, "n", zero, sizeof(zero)), WARD_OK);
    for (i = 0; i < NUM_THREADS; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, increment, st), 0);
    }
    for (i = 0; i < NUM_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
    ward_buf_init(&b, 8);
    assert_int_equal(ward_store_get(st, &b, &version, "n"), WARD_OK);
    assert_int_equal(ward_get_u64(b.data), NUM_THREADS * NUM_INCREMENTS);
    assert_int_equal(version, 1 + NUM_THREADS * NUM_INCREMENTS);
    ward_buf_cleanup(&b);
}

static void test_open_specs(void **state)
{
    struct ward_store *st = (struct ward_store *)1;

    (void)state;
    assert_int_equal(ward_store_open(&st, "etcd:localhost"), WARD_E_INVALID);
    assert_null(st);
    assert_int_equal(ward_store_open(&st, "memory:x"), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, "memory"), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, ""), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, NULL), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, "sqlite:"), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, "sqlite::memory:"), WARD_E_INVALID);
    assert_int_equal(ward_store_open(&st, "sqlite:file:x.db"), WARD_E_INVALID);
    assert_null(st);
    ward_store_close(NULL);
    ward_store_list_cleanup(NULL);
}

struct stale_ctx {
    struct ward_store *st;
    atomic_bool done;
    atomic_int bad;
};

/* read_counter is the decimal value at "n" (0 if absent). */
static long read_counter(struct ward_store *st)
{
    struct ward_buf b;
    uint64_t v = 0;
    long n = 0;

    ward_buf_init(&b, 64);
    if (ward_store_get(st, &b, &v, "n") == WARD_OK && ward_buf_append(&b, "", 1) == WARD_OK) {
        n = strtol((const char *)b.data, NULL, 10);
    }
    ward_buf_cleanup(&b);
    return n;
}

static void *stale_reader(void *arg)
{
    struct stale_ctx *x = arg;
    long last = 0;

    while (!atomic_load(&x->done)) {
        long n = read_counter(x->st);

        if (n < last) {
            atomic_fetch_add(&x->bad, 1);
        }
        last = n;
    }
    return NULL;
}

/*
 * A value once replaced is never read again: readers see the counter only
 * grow, and the writer reads back what it just wrote (the read cache's
 * coherence; every backend must hold it).
 */
static void test_reads_never_stale(void **state)
{
    struct stale_ctx x = { .st = ((struct fixture *)*state)->st };
    pthread_t th[3];
    char text[24];

    atomic_init(&x.done, false);
    atomic_init(&x.bad, 0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, stale_reader, &x), 0);
    }
    for (long n = 1; n <= 300; n++) {
        int len = snprintf(text, sizeof(text), "%ld", n);

        assert_int_equal(ward_store_put(x.st, "n", (const uint8_t *)text, (size_t)len), WARD_OK);
        assert_int_equal(read_counter(x.st), n);
    }
    atomic_store(&x.done, true);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
    assert_int_equal(atomic_load(&x.bad), 0);
}

/* BOTH runs fn once per backend, named so a failure says which. */
#define ON(fn, label, be)                                                                   \
    {                                                                                       \
        .name = (label), .test_func = (fn), .setup_func = setup, .teardown_func = teardown, \
        .initial_state = (void *)(be)                                                       \
    }
#define BOTH(fn)                                                      \
    ON(fn, #fn "/memory", "memory"), ON(fn, #fn "/sqlite", "sqlite"), \
        ON(fn, #fn "/cached", "cached")

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_put_get_versions),
        BOTH(test_binary_and_empty_values),
        BOTH(test_get_appends_within_max),
        BOTH(test_list_order_and_prefix),
        BOTH(test_list_wildcards_are_literal),
        BOTH(test_list_high_bytes),
        BOTH(test_cas),
        BOTH(test_txn_failed_check_writes_nothing),
        BOTH(test_txn_ops_see_earlier_ops),
        BOTH(test_bad_paths),
        BOTH(test_value_size_limit),
        BOTH(test_fault_wrapper),
        BOTH(test_txn_out_of_memory),
        BOTH(test_concurrent_cas),
        BOTH(test_reads_never_stale),
        cmocka_unit_test(test_open_specs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
