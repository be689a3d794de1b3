/*
 * store_sqlite_test.c - what only the sqlite backend must do: persist across
 * reopen, create its file 0600, report a full disk as WARD_E_STORE_FULL with
 * earlier data intact, and refuse garbage or truncated files without crashing.
 */
#include "store.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/mem.h"
#include "store_int.h"

struct fixture {
    char dir[64];
    char file[128];
    char spec[160];
};

static int setup(void **state)
{
    struct fixture *fx = ward_calloc(1, sizeof(*fx));

    assert_non_null(fx);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/ward-store-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->file, sizeof(fx->file), "%s/t.db", fx->dir);
    snprintf(fx->spec, sizeof(fx->spec), "sqlite:%s", fx->file);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char p[160];

    (void)unlink(fx->file);
    snprintf(p, sizeof(p), "%s-wal", fx->file);
    (void)unlink(p);
    snprintf(p, sizeof(p), "%s-shm", fx->file);
    (void)unlink(p);
    assert_int_equal(rmdir(fx->dir), 0);
    ward_free(fx);
    return 0;
}

static void check_value(struct ward_store *st, const char *path, const uint8_t *value,
                        size_t value_len, uint64_t version)
{
    struct ward_buf b;
    uint64_t v = 0;

    ward_buf_init(&b, 1u << 20);
    assert_int_equal(ward_store_get(st, &b, &v, path), WARD_OK);
    assert_int_equal(b.len, value_len);
    assert_memory_equal(b.data, value, value_len);
    assert_int_equal(v, version);
    ward_buf_cleanup(&b);
}

static void write_file(const char *file, const uint8_t *data, size_t len)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static void test_persists_across_reopen(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = NULL;
    struct ward_store_list l;
    struct stat sb;

    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    assert_int_equal(ward_store_put(st, "a", (const uint8_t *)"a1", 2), WARD_OK);
    assert_int_equal(ward_store_put(st, "a", (const uint8_t *)"a2", 2), WARD_OK);
    assert_int_equal(ward_store_put(st, "b", (const uint8_t *)"b1", 2), WARD_OK);
    assert_int_equal(ward_store_put(st, "gone", (const uint8_t *)"g", 1), WARD_OK);
    assert_int_equal(ward_store_delete(st, "gone"), WARD_OK);
    assert_int_equal(stat(fx->file, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    ward_store_close(st);

    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    check_value(st, "a", (const uint8_t *)"a2", 2, 2);
    check_value(st, "b", (const uint8_t *)"b1", 2, 1);
    assert_int_equal(ward_store_list(st, &l, ""), WARD_OK);
    assert_int_equal(l.num, 2);
    assert_string_equal(l.paths[0], "a");
    assert_string_equal(l.paths[1], "b");
    ward_store_list_cleanup(&l);
    /* Versions continue from the stored ones. */
    assert_int_equal(ward_store_cas(st, "a", 2, (const uint8_t *)"a3", 2), WARD_OK);
    ward_store_close(st);
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    check_value(st, "a", (const uint8_t *)"a3", 2, 3);
    ward_store_close(st);
}

/* fill writes 4 KiB values under "f/<i>" until a write fails; returns how many succeeded. */
static size_t fill(struct ward_store *st, const uint8_t *value, size_t value_len, ward_err *out)
{
    char path[32];
    size_t i;

    *out = WARD_OK;
    for (i = 0; i < 10000; i++) {
        snprintf(path, sizeof(path), "f/%05zu", i);
        if ((*out = ward_store_put(st, path, value, value_len)) != WARD_OK) {
            break;
        }
    }
    return i;
}

static void test_full_disk(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = NULL;
    struct ward_store_list l;
    uint8_t value[4096];
    size_t n;
    size_t i;
    ward_err err;
    char path[32];

    memset(value, 0x5a, sizeof(value));
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    assert_int_equal(ward_store_put(st, "keep", (const uint8_t *)"kept", 4), WARD_OK);
    assert_int_equal(ward_store_sqlite_set_max_pages(st, 64), WARD_OK);
    n = fill(st, value, sizeof(value), &err);
    assert_int_equal(err, WARD_E_STORE_FULL);
    assert_true(n > 0 && n < 64);
    /* Everything before the failed write is intact; the failed one is absent. */
    check_value(st, "keep", (const uint8_t *)"kept", 4, 1);
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "f/%05zu", i);
        check_value(st, path, value, sizeof(value), 1);
    }
    assert_int_equal(ward_store_list(st, &l, "f/"), WARD_OK);
    assert_int_equal(l.num, n);
    ward_store_list_cleanup(&l);
    assert_int_equal(ward_store_put(st, "keep", value, sizeof(value)), WARD_E_STORE_FULL);
    check_value(st, "keep", (const uint8_t *)"kept", 4, 1);

    /* The condition lifts: the same writes now succeed. */
    assert_int_equal(ward_store_sqlite_set_max_pages(st, 1u << 30), WARD_OK);
    snprintf(path, sizeof(path), "f/%05zu", n);
    assert_int_equal(ward_store_put(st, path, value, sizeof(value)), WARD_OK);
    assert_int_equal(ward_store_put(st, "keep", value, sizeof(value)), WARD_OK);
    ward_store_close(st);
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    check_value(st, path, value, sizeof(value), 1);
    check_value(st, "keep", value, sizeof(value), 2);
    ward_store_close(st);
}

static void test_garbage_file_refused(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = (struct ward_store *)1;
    uint8_t junk[8192];
    size_t i;

    for (i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 37 + 11);
    }
    write_file(fx->file, junk, sizeof(junk));
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_E_STORE_CORRUPT);
    assert_null(st);
    /* A short text file too. */
    write_file(fx->file, (const uint8_t *)"hello, not a database\n", 22);
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_E_STORE_CORRUPT);
    assert_null(st);
}

/* read_all returns the first error met reading every entry, or WARD_OK. */
static ward_err read_all(struct ward_store *st)
{
    struct ward_store_list l;
    struct ward_buf b;
    size_t i;
    ward_err err;

    if ((err = ward_store_list(st, &l, "")) != WARD_OK) {
        return err;
    }
    ward_buf_init(&b, 1u << 20);
    for (i = 0; i < l.num && err == WARD_OK; i++) {
        ward_buf_reset(&b);
        err = ward_store_get(st, &b, NULL, l.paths[i]);
    }
    ward_buf_cleanup(&b);
    ward_store_list_cleanup(&l);
    return err;
}

static void test_truncated_file_refused(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = NULL;
    uint8_t value[1000];
    char path[32];
    struct stat sb;
    size_t i;
    ward_err err;

    memset(value, 0x33, sizeof(value));
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    for (i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "t/%03zu", i);
        assert_int_equal(ward_store_put(st, path, value, sizeof(value)), WARD_OK);
    }
    ward_store_close(st);
    assert_int_equal(stat(fx->file, &sb), 0);
    assert_true(sb.st_size > 100 * 1000);
    assert_int_equal(truncate(fx->file, sb.st_size / 2), 0);

    err = ward_store_open(&st, fx->spec);
    if (err == WARD_OK) {
        err = read_all(st);
        ward_store_close(st);
    } else {
        assert_null(st);
    }
    assert_int_equal(err, WARD_E_STORE_CORRUPT);
}

/*
 * A zeroed page in the middle of the file: opening reads only the schema, so
 * only PRAGMA quick_check at open sees it.
 */
static void test_damaged_page_refused_at_open(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = NULL;
    uint8_t value[100];
    uint8_t zeros[4096];
    char path[32];
    size_t i;
    int fd;

    memset(value, 0x44, sizeof(value));
    memset(zeros, 0, sizeof(zeros));
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    for (i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "d/%04zu", i);
        assert_int_equal(ward_store_put(st, path, value, sizeof(value)), WARD_OK);
    }
    ward_store_close(st);
    /* Default 4096-byte pages; rows are small, so page 10 is a b-tree page. */
    fd = open(fx->file, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, zeros, sizeof(zeros), 9 * 4096), (ssize_t)sizeof(zeros));
    assert_int_equal(close(fd), 0);
    st = (struct ward_store *)1;
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_E_STORE_CORRUPT);
    assert_null(st);
}

static void test_empty_file_is_new_store(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = NULL;

    write_file(fx->file, NULL, 0);
    assert_int_equal(ward_store_open(&st, fx->spec), WARD_OK);
    assert_int_equal(ward_store_put(st, "k", (const uint8_t *)"v", 1), WARD_OK);
    check_value(st, "k", (const uint8_t *)"v", 1, 1);
    ward_store_close(st);
}

static void test_open_errors(void **state)
{
    struct fixture *fx = *state;
    struct ward_store *st = (struct ward_store *)1;
    struct ward_store *mem = NULL;
    char spec[200];

    snprintf(spec, sizeof(spec), "sqlite:%s/no-such-dir/x.db", fx->dir);
    assert_int_equal(ward_store_open(&st, spec), WARD_E_STORE_IO);
    assert_null(st);
    /* A directory is not a database file. */
    snprintf(spec, sizeof(spec), "sqlite:%s", fx->dir);
    assert_int_not_equal(ward_store_open(&st, spec), WARD_OK);
    assert_null(st);
    assert_int_equal(ward_store_open(&mem, "memory:"), WARD_OK);
    assert_int_equal(ward_store_sqlite_set_max_pages(mem, 10), WARD_E_INVALID);
    assert_int_equal(ward_store_sqlite_set_max_pages(NULL, 10), WARD_E_INVALID);
    ward_store_close(mem);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_persists_across_reopen),
        T(test_full_disk),
        T(test_garbage_file_refused),
        T(test_truncated_file_refused),
        T(test_damaged_page_refused_at_open),
        T(test_empty_file_is_new_store),
        T(test_open_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
