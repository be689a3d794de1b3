/*
 * control_test.c - dual control in-process (control.c), through
 * ward_engine_handle as the front calls it: a critical change by a non-root
 * caller pends (202); the approval must come from another principal (the
 * same token and another token of the same principal are refused); the
 * re-sent request matches on method, path, body, query (ward_approval
 * aside, in any position) and token, runs once, and an expired request can
 * be neither approved nor run. The root token is exempt; reads are not held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/dispatch.h"

struct fx {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_engine *e;
    char root[128];
    char op1[256];
    char op1b[256];
    char op2[256];
};

static int call(struct fx *f, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    struct ward_engine_req req = { .method = method,
                                   .path = path,
                                   .token = token,
                                   .request_id = "test",
                                   .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    const char *q = strchr(path, '?');
    char p[256];
    int status;

    if (q != NULL) {
        (void)snprintf(p, sizeof(p), "%.*s", (int)(q - path), path);
        req.path = p;
        req.query = q + 1;
    }
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

/* refused: the request answers code (its stable name). */
static void refused(struct fx *f, const char *method, const char *path, const char *body,
                    const char *token, const char *code)
{
    json_t *b = NULL;

    assert_true(call(f, method, path, body, token, &b) >= 400);
    assert_string_equal(json_string_value(json_array_get(json_object_get(b, "codes"), 0)), code);
    json_decref(b);
}

static void make_token(struct fx *f, char *out, size_t cap, const char *name)
{
    char body[128];
    json_t *b = NULL;

    (void)snprintf(body, sizeof(body), "{\"display_name\":\"%s\",\"policies\":[\"w\"]}", name);
    assert_int_equal(call(f, "POST", "/v1/auth/token/create", body, f->root, &b), 200);
    (void)snprintf(out, cap, "%s",
                   json_string_value(json_object_get(json_object_get(b, "auth"), "client_token")));
    json_decref(b);
}

static int setup(void **state)
{
    struct fx *f = ward_calloc(1, sizeof(*f));
    struct ward_engine_config cfg = { .version = "0.1.0",
                                      .storage_type = "memory",
                                      .cluster_name = "test" };
    char body[256];
    json_t *b = NULL;

    assert_int_equal(ward_store_open(&f->st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&f->b, f->st), WARD_OK);
    assert_int_equal(ward_engine_new(&f->e, f->b, &cfg), WARD_OK);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", NULL, &b),
        200);
    (void)snprintf(f->root, sizeof(f->root), "%s",
                   json_string_value(json_object_get(b, "root_token")));
    (void)snprintf(body, sizeof(body), "{\"key\":\"%s\"}",
                   json_string_value(json_array_get(json_object_get(b, "keys"), 0)));
    json_decref(b);
    assert_int_equal(call(f, "PUT", "/v1/sys/unseal", body, NULL, NULL), 200);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/policy/w",
             "{\"policy\":\"{\\\"path\\\":{\\\"sys/policy/*\\\":{\\\"capabilities\\\":"
             "[\\\"read\\\",\\\"update\\\",\\\"delete\\\",\\\"sudo\\\"]},"
             "\\\"sys/control/*\\\":{\\\"capabilities\\\":[\\\"update\\\",\\\"read\\\","
             "\\\"list\\\"]}}}\"}",
             f->root, NULL),
        204);
    make_token(f, f->op1, sizeof(f->op1), "op1");
    make_token(f, f->op1b, sizeof(f->op1b), "op1");
    make_token(f, f->op2, sizeof(f->op2), "op2");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    ward_engine_free(f->e);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

#define DOC "{\"policy\":\"{}\"}"

/* pend sends a critical change as op1 and returns its pending id in id. */
static void pend(struct fx *f, const char *method, const char *path, const char *body, char id[64])
{
    json_t *b = NULL;

    assert_int_equal(call(f, method, path, body, f->op1, &b), 202);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "data"), "state")),
                        "pending");
    (void)snprintf(id, 64, "%s",
                   json_string_value(json_object_get(json_object_get(b, "data"), "id")));
    assert_int_equal(strlen(id), 32);
    json_decref(b);
}

static void approve(struct fx *f, const char *id, const char *token, int want)
{
    char path[128];

    (void)snprintf(path, sizeof(path), "/v1/sys/control/approve/%s", id);
    assert_int_equal(call(f, "POST", path, "{}", token, NULL), want);
}

static void test_pending_approve_run_once(void **state)
{
    struct fx *f = *state;
    char id[64];
    char path[160];
    char approve_path[128];

    pend(f, "PUT", "/v1/sys/policy/x", DOC, id);
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->root, NULL), 404);
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/x?ward_approval=%s", id);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid"); /* not approved yet */
    (void)snprintf(approve_path, sizeof(approve_path), "/v1/sys/control/approve/%s", id);
    refused(f, "POST", approve_path, "{}", f->op1, "self_approval");
    refused(f, "POST", approve_path, "{}", f->op1b, "self_approval");
    approve(f, id, f->op2, 200);
    refused(f, "POST", approve_path, "{}", f->op2, "approval_invalid"); /* approved already */
    /* everything must match: body, path, method, query, token */
    refused(f, "PUT", path, "{\"policy\":\"{ }\"}", f->op1, "approval_invalid");
    refused(f, "POST", path, DOC, f->op1, "approval_invalid");
    refused(f, "PUT", path, DOC, f->op1b, "approval_invalid");
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/x?a=1&ward_approval=%s", id);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid");
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/z?ward_approval=%s", id);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid");
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/x?ward_approval=%s", id);
    assert_int_equal(call(f, "PUT", path, DOC, f->op1, NULL), 204);
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->root, NULL), 200);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid"); /* once */
    refused(f, "PUT", "/v1/sys/policy/x?ward_approval=zz", DOC, f->op1, "approval_invalid");
    /* reads are not held; the root token is exempt */
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->op1, NULL), 200);
    assert_int_equal(call(f, "DELETE", "/v1/sys/policy/x", NULL, f->root, NULL), 204);
}

static void test_query_kept(void **state)
{
    struct fx *f = *state;
    char id[64];
    char path[160];

    /* the query is part of the request; ward_approval is not, wherever it sits */
    pend(f, "PUT", "/v1/sys/policy/q?a=1", DOC, id);
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/q?ward_approval=%s", id);
    approve(f, id, f->op2, 200);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid");
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/q?ward_approval=%s&a=1", id);
    assert_int_equal(call(f, "PUT", path, DOC, f->op1, NULL), 204);
}

static void test_expiry(void **state)
{
    struct fx *f = *state;
    const struct timespec wait = { 1, 200 * 1000 * 1000 };
    char id[64];
    char path[160];
    json_t *b = NULL;

    assert_int_equal(call(f, "POST", "/v1/sys/control/config", "{\"ttl\":1}", f->root, NULL), 204);
    assert_int_equal(call(f, "GET", "/v1/sys/control/config", NULL, f->op2, &b), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "data"), "ttl")), 1);
    json_decref(b);
    /* approved in time, run too late */
    pend(f, "DELETE", "/v1/sys/policy/x", NULL, id);
    approve(f, id, f->op2, 200);
    (void)nanosleep(&wait, NULL);
    (void)snprintf(path, sizeof(path), "/v1/sys/policy/x?ward_approval=%s", id);
    refused(f, "DELETE", path, NULL, f->op1, "approval_invalid");
    (void)snprintf(path, sizeof(path), "/v1/sys/control/request/%s", id);
    assert_int_equal(call(f, "GET", path, NULL, f->op2, NULL), 404);
    /* approved too late */
    pend(f, "DELETE", "/v1/sys/policy/x", NULL, id);
    (void)snprintf(path, sizeof(path), "/v1/sys/control/request/%s", id);
    assert_int_equal(call(f, "GET", path, NULL, f->op2, NULL), 200);
    assert_int_equal(call(f, "LIST", "/v1/sys/control/requests", NULL, f->op2, NULL), 200);
    (void)nanosleep(&wait, NULL);
    approve(f, id, f->op2, 403);
    assert_int_equal(call(f, "LIST", "/v1/sys/control/requests", NULL, f->op2, NULL), 404);
    /* the time limit is a critical change itself */
    assert_int_equal(call(f, "POST", "/v1/sys/control/config", "{\"ttl\":60}", f->op1, NULL), 202);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pending_approve_run_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
