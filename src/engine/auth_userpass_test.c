/*
 * auth_userpass_test.c - the userpass and approle auth methods in-process,
 * through ward_engine_handle as the front calls it: a locked user is
 * refused without Argon2id (hundreds of refusals cost less than a few
 * logins) while another address still logs in; no user or role name
 * reaches a storage path; and concurrent logins spend a secret ID's uses
 * exactly once each (8 threads x 100 logins racing for 200 uses: 200 logins).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "barrier/testing.h"
#include "engine_int.h"

struct fx {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_engine *e;
    struct ward_secret *root;
};

static int setup(void **state)
{
    struct fx *f = ward_calloc(1, sizeof(*f));
    struct ward_engine_config cfg = { .version = "0.1.0",
                                      .storage_type = "memory",
                                      .cluster_name = "test" };

    cfg.user_lockout.threshold = 3;
    cfg.user_lockout.duration_ms = 60000;
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, &f->root), WARD_OK);
    assert_int_equal(ward_engine_new(&f->e, f->b, &cfg), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    ward_engine_free(f->e);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_secret_free(f->root);
    ward_free(f);
    return 0;
}

/* call runs one request from addr ("ip:port"); returns the status, *out the body (or NULL). */
static int call(struct fx *f, const char *method, const char *path, const char *body,
                const char *addr, json_t **out)
{
    struct ward_engine_req req = { .method = method,
                                   .path = path,
                                   .token = (const char *)f->root->data,
                                   .request_id = "test",
                                   .remote_addr = addr };
    struct ward_engine_resp resp;
    int status;

    req.body = (const uint8_t *)body;
    req.body_len = body != NULL ? strlen(body) : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(f->e, &resp, &req);
    status = resp.status;
    if (out != NULL) {
        *out = resp.body.len > 0 ? json_loadb((const char *)resp.body.data, resp.body.len, 0, NULL)
                                 : NULL;
    }
    ward_engine_resp_cleanup(&resp);
    return status;
}

static double now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_lockout_without_hash(void **state)
{
    struct fx *f = *state;
    const char *login = "/v1/auth/userpass/login/homer";
    double t0;
    double one;
    double many;

    assert_int_equal(
        call(f, "POST", "/v1/sys/auth/userpass", "{\"type\":\"userpass\"}", "127.0.0.1:1", NULL),
        204);
    assert_int_equal(call(f, "POST", "/v1/auth/userpass/users/homer", "{\"password\":\"doh\"}",
                          "127.0.0.1:1", NULL),
                     204);
    t0 = now_s();
    assert_int_equal(call(f, "POST", login, "{\"password\":\"doh\"}", "127.0.0.1:1", NULL), 200);
    one = now_s() - t0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(call(f, "POST", login, "{\"password\":\"no\"}", "127.0.0.1:2", NULL), 403);
    }
    t0 = now_s();
    for (int i = 0; i < 300; i++) {
        assert_int_equal(call(f, "POST", login, "{\"password\":\"no\"}", "127.0.0.1:3", NULL), 403);
    }
    many = now_s() - t0;
    /* 300 refusals without Argon2id cost less than 3 logins with it */
    assert_true(many < 3 * one);
    assert_int_equal(call(f, "POST", login, "{\"password\":\"doh\"}", "127.0.0.1:4", NULL), 403);
    assert_int_equal(call(f, "POST", login, "{\"password\":\"doh\"}", "[::1]:4", NULL), 200);
    assert_int_equal(call(f, "POST", login, "{\"password\":\"doh\"}", "10.9.8.7:4", NULL), 200);
}

static void test_names_hidden(void **state)
{
    struct fx *f = *state;
    struct ward_store_list l = { 0 };
    json_t *b = NULL;

    assert_int_equal(
        call(f, "POST", "/v1/sys/auth/userpass", "{\"type\":\"userpass\"}", "127.0.0.1:1", NULL),
        204);
    assert_int_equal(
        call(f, "POST", "/v1/sys/auth/approle", "{\"type\":\"approle\"}", "127.0.0.1:1", NULL),
        204);
    assert_int_equal(call(f, "POST", "/v1/auth/userpass/users/secretusername",
                          "{\"password\":\"pw\"}", "127.0.0.1:1", NULL),
                     204);
    assert_int_equal(call(f, "POST", "/v1/auth/approle/role/secretrolename",
                          "{\"secret_id_num_uses\":1}", "127.0.0.1:1", NULL),
                     204);
    assert_int_equal(
        call(f, "POST", "/v1/auth/approle/role/secretrolename/secret-id", NULL, "127.0.0.1:1", &b),
        200);
    json_decref(b);
    assert_int_equal(ward_barrier_list(f->b, &l, "auth/"), WARD_OK);
    assert_true(l.num >= 6); /* 2 keys, a user, a role, its role_id, a secret ID and accessor */
    for (size_t i = 0; i < l.num; i++) {
        assert_null(strstr(l.paths[i], "secret"));
    }
    ward_store_list_cleanup(&l);
}

/* 8 threads x RACE_TRIES logins race for RACE_USES uses of one secret ID */
#define RACE_TRIES     100
#define RACE_USES      200
#define RACE_USES_TEXT "200"

struct racer {
    struct fx *f;
    const char *body;
    int wins;
};

static void *race(void *arg)
{
    struct racer *r = arg;

    for (int i = 0; i < RACE_TRIES; i++) {
        r->wins +=
            call(r->f, "POST", "/v1/auth/approle/login", r->body, "127.0.0.1:9", NULL) == 200;
    }
    return NULL;
}

static void test_secret_id_uses_race(void **state)
{
    struct fx *f = *state;
    struct racer r[8];
    pthread_t th[8];
    json_t *b = NULL;
    char body[256];
    char rid[64];
    int wins = 0;

    assert_int_equal(
        call(f, "POST", "/v1/sys/auth/approle", "{\"type\":\"approle\"}", "127.0.0.1:1", NULL),
        204);
    assert_int_equal(call(f, "POST", "/v1/auth/approle/role/app",
                          "{\"secret_id_num_uses\":" RACE_USES_TEXT ",\"token_policies\":\"a\"}",
                          "127.0.0.1:1", NULL),
                     204);
    assert_int_equal(call(f, "GET", "/v1/auth/approle/role/app/role-id", NULL, "127.0.0.1:1", &b),
                     200);
    (void)snprintf(rid, sizeof(rid), "%s",
                   json_string_value(json_object_get(json_object_get(b, "data"), "role_id")));
    json_decref(b);
    assert_int_equal(
        call(f, "POST", "/v1/auth/approle/role/app/secret-id", NULL, "127.0.0.1:1", &b), 200);
    (void)snprintf(body, sizeof(body), "{\"role_id\":\"%s\",\"secret_id\":\"%s\"}", rid,
                   json_string_value(json_object_get(json_object_get(b, "data"), "secret_id")));
    json_decref(b);
    for (int i = 0; i < 8; i++) {
        r[i] = (struct racer){ f, body, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        wins += r[i].wins;
    }
    assert_int_equal(wins, RACE_USES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lockout_without_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_id_uses_race, setup, teardown),
    };

    json_init_allocator();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
