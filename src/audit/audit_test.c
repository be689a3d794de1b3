/*
 * audit_test.c - the audit trail on a real barrier over the memory store and
 * real files: records before the first unseal, a file device and its
 * verification, fail closed with nothing lost (the file replaced by a
 * directory, then fixed), records while sealed, a restart continuing the
 * chain, disable, the table kept under the barrier.
 */
#include "audit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "barrier/testing.h"
#include "base/mem.h"

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_audit *a;
    char dir[64];
    char file[128];
};

static const struct ward_audit_config g_cfg = { .node = "node-1", .spool_dir = NULL };

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    (void)snprintf(f->dir, sizeof(f->dir), "/tmp/ward-audit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    (void)snprintf(f->file, sizeof(f->file), "%s/audit.log", f->dir);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_audit_new(&f->a, &g_cfg), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    static const char *const names[] = { "audit.log", "audit.log.1" };
    struct fixture *f = *state;
    char path[200];

    ward_audit_free(f->a);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        (void)snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
        (void)unlink(path);
    }
    assert_int_equal(rmdir(f->dir), 0);
    ward_free(f);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000000L };

    (void)nanosleep(&ts, NULL);
}

static ward_err rec(struct fixture *f, enum ward_audit_kind kind, const char *id)
{
    struct ward_audit_event ev = { .kind = kind,
                                   .request_id = id,
                                   .remote_addr = "127.0.0.1:1",
                                   .method = "GET",
                                   .operation = "sys.health",
                                   .path = "sys/health",
                                   .token = "w.r.ROOT-TOKEN-VALUE",
                                   .status = 200 };

    return ward_audit_record(f->a, &ev);
}

static size_t slurp(const char *path, uint8_t *out, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    size_t n;

    assert_non_null(fp);
    n = fread(out, 1, cap, fp);
    (void)fclose(fp);
    return n;
}

/* verify checks path with its file key (and the device's head when head). */
static struct ward_audit_verdict verify(struct fixture *f, const char *path, bool head)
{
    static uint8_t buf[1 << 20];
    struct ward_audit_verdict v;
    struct ward_audit_head h;
    uint8_t start[32];
    uint8_t key[32];
    size_t n = slurp(path, buf, sizeof(buf));

    assert_int_equal(ward_audit_file_start(start, buf, n), WARD_OK);
    assert_int_equal(ward_audit_file_key(f->a, key, start), WARD_OK);
    if (head) {
        assert_int_equal(ward_audit_get_head(f->a, &h, "file"), WARD_OK);
    }
    assert_int_equal(ward_audit_verify(&v, buf, n, key, head ? &h : NULL), WARD_OK);
    return v;
}

static size_t count(const char *path, const char *needle)
{
    static uint8_t buf[1 << 20];
    size_t n = slurp(path, buf, sizeof(buf) - 1);
    size_t c = 0;

    buf[n] = '\0';
    for (const char *p = (const char *)buf; (p = strstr(p, needle)) != NULL; p++) {
        c++;
    }
    return c;
}

static void enable_file(struct fixture *f)
{
    struct ward_audit_device_conf c = { .path = "file", .type = "file" };
    char why[160];

    (void)snprintf(c.file_path, sizeof(c.file_path), "%s", f->file);
    assert_int_equal(ward_audit_enable(f->a, f->b, &c, why, sizeof(why)), WARD_OK);
}

static void test_boot_queue_then_file(void **state)
{
    struct fixture *f = *state;
    struct ward_audit_device_conf list[4];
    struct stat st;

    /* before the first unseal nothing is known: records wait */
    assert_false(ward_audit_idle(f->a));
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "boot-1"), WARD_OK);
    assert_int_equal(ward_audit_unsealed(f->a, f->b), WARD_OK);
    assert_true(ward_audit_idle(f->a)); /* no device: the boot records had nowhere to go */
    enable_file(f);
    assert_false(ward_audit_idle(f->a));
    assert_int_equal(ward_audit_list(f->a, list, 4), 1);
    assert_string_equal(list[0].file_path, f->file);
    assert_int_equal(stat(f->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "req-1"), WARD_OK);
    assert_int_equal(rec(f, WARD_AUDIT_RESPONSE, "req-1"), WARD_OK);
    assert_true(verify(f, f->file, true).intact);
    assert_true(verify(f, f->file, true).anchored);
    assert_int_equal(count(f->file, "\"request_id\":\"req-1\""), 2);
    assert_int_equal(count(f->file, "ROOT-TOKEN"), 0);
    assert_int_equal(count(f->file, "\"accessor_hmac\":\"hmac-sha256:"), 2);
    {
        struct ward_audit_device_conf dup = list[0];
        char why[160];

        assert_int_equal(ward_audit_enable(f->a, f->b, &dup, why, sizeof(why)), WARD_E_EXISTS);
        (void)snprintf(dup.path, sizeof(dup.path), "x");
        (void)snprintf(dup.file_path, sizeof(dup.file_path), "relative.log");
        assert_int_equal(ward_audit_enable(f->a, f->b, &dup, why, sizeof(why)), WARD_E_INVALID);
    }
}

static void test_fail_closed_nothing_lost(void **state)
{
    struct fixture *f = *state;
    char moved[160];

    assert_int_equal(ward_audit_unsealed(f->a, f->b), WARD_OK);
    enable_file(f);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "before"), WARD_OK);
    /* the file moved away and a directory in its place: nothing can be written */
    (void)snprintf(moved, sizeof(moved), "%s.1", f->file);
    assert_int_equal(rename(f->file, moved), 0);
    assert_int_equal(mkdir(f->file, 0700), 0);
    sleep_ms(150); /* the path is checked against the open file every AUDIT_CHECK_MS */
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "refused-1"), WARD_E_AUDIT_FAILED);
    assert_int_equal(rec(f, WARD_AUDIT_RESPONSE, "refused-1"), WARD_E_AUDIT_FAILED);
    {
        struct ward_audit_head h;

        assert_int_equal(ward_audit_get_head(f->a, &h, "file"), WARD_OK);
        assert_int_equal(h.queued, 2);
    }
    /* fixed: the queue goes first, in order, into a new file with its own header */
    assert_int_equal(rmdir(f->file), 0);
    sleep_ms(250); /* past the retry interval */
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "after"), WARD_OK);
    assert_true(verify(f, moved, false).intact);
    assert_true(verify(f, f->file, true).intact);
    assert_int_equal(count(moved, "\"before\""), 1);
    assert_int_equal(count(f->file, "\"refused-1\""), 2);
    assert_int_equal(count(f->file, "\"after\""), 1);
}

static void test_sealed_records_and_restart(void **state)
{
    struct fixture *f = *state;
    struct ward_audit_verdict v;
    struct ward_seal_status s;

    assert_int_equal(ward_audit_unsealed(f->a, f->b), WARD_OK);
    enable_file(f);
    ward_audit_sealed(f->a);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "sealed-1"), WARD_OK);
    assert_int_equal(count(f->file, "\"mac\":\"\""), 1);
    assert_int_equal(count(f->file, "\"accessor_hmac\":\"\""), 1); /* no key: no HMAC, no token */
    assert_int_equal(ward_audit_file_key(f->a, (uint8_t[32]){ 0 }, (uint8_t[32]){ 0 }),
                     WARD_E_SEALED);
    assert_int_equal(ward_audit_unsealed(f->a, f->b), WARD_OK);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "unsealed-1"), WARD_OK);
    v = verify(f, f->file, false);
    assert_true(v.intact);
    /* a restart: close record, then the same file goes on from the table under the barrier */
    ward_audit_free(f->a);
    assert_int_equal(count(f->file, "\"type\":\"close\""), 1);
    assert_int_equal(ward_audit_new(&f->a, &g_cfg), WARD_OK);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "boot-2"), WARD_OK); /* waits for the table */
    assert_int_equal(ward_barrier_status(f->b, &s), WARD_OK);
    assert_int_equal(ward_audit_unsealed(f->a, f->b), WARD_OK);
    assert_int_equal(rec(f, WARD_AUDIT_REQUEST, "after-restart"), WARD_OK);
    v = verify(f, f->file, true);
    assert_true(v.intact);
    assert_int_equal(count(f->file, "\"type\":\"header\""), 1);
    assert_int_equal(count(f->file, "\"boot-2\""), 1);
    /* disable: a close record, then nothing more to record */
    assert_int_equal(ward_audit_disable(f->a, f->b, "file"), WARD_OK);
    assert_int_equal(count(f->file, "\"reason\":\"disabled\""), 1);
    assert_true(ward_audit_idle(f->a));
    assert_int_equal(ward_audit_disable(f->a, f->b, "file"), WARD_E_NOT_FOUND);
}

static void test_conf_json(void **state)
{
    struct ward_audit_device_conf c;
    char why[160];
    json_t *in = json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "syslog", "description", "d",
                           "options", "facility", "local3", "tag", "w");
    json_t *out;

    (void)state;
    assert_int_equal(ward_audit_conf_parse(&c, in, "sys", why, sizeof(why)), WARD_OK);
    assert_string_equal(c.tag, "w");
    out = ward_audit_conf_json(&c);
    assert_string_equal(json_string_value(json_object_get(out, "path")), "sys/");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "options"), "facility")), "local3");
    json_decref(out);
    json_object_set_new(json_object_get(in, "options"), "log_raw", json_string("true"));
    assert_int_equal(ward_audit_conf_parse(&c, in, "sys", why, sizeof(why)), WARD_E_INVALID);
    json_decref(in);
    in = json_pack("{s:s, s:{s:s}}", "type", "socket", "options", "address", "127.0.0.1");
    assert_int_equal(ward_audit_conf_parse(&c, in, "s", why, sizeof(why)), WARD_E_INVALID);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_queue_then_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_closed_nothing_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_records_and_restart, setup, teardown),
        cmocka_unit_test(test_conf_json),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
