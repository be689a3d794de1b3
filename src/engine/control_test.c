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
#include "engine/testing.h"

struct fx {
    struct engine_fx x;
    char op1[256];
    char op1b[256];
    char op2[256];
};

static int call(struct fx *f, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    return engine_call(f->x.e, method, path, body, token, out);
}

static void refused(struct fx *f, const char *method, const char *path, const char *body,
                    const char *token, const char *code)
{
    engine_refused(f->x.e, method, path, body, token, code);
}

static int setup(void **state)
{
    struct fx *f = ward_calloc(1, sizeof(*f));

    engine_fx_open(&f->x);
    engine_fx_init(&f->x);
    assert_int_equal(
        call(f, "PUT", "/v1/sys/policy/w",
             "{\"policy\":\"{\\\"path\\\":{\\\"sys/policy/*\\\":{\\\"capabilities\\\":"
             "[\\\"read\\\",\\\"update\\\",\\\"delete\\\",\\\"sudo\\\"]},"
             "\\\"sys/control/*\\\":{\\\"capabilities\\\":[\\\"update\\\",\\\"read\\\","
             "\\\"list\\\"]}}}\"}",
             f->x.root, NULL),
        204);
    engine_token(&f->x, f->op1, sizeof(f->op1), "op1", "w");
    engine_token(&f->x, f->op1b, sizeof(f->op1b), "op1", "w");
    engine_token(&f->x, f->op2, sizeof(f->op2), "op2", "w");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    engine_fx_close(&f->x);
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
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->x.root, NULL), 404);
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
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->x.root, NULL), 200);
    refused(f, "PUT", path, DOC, f->op1, "approval_invalid"); /* once */
    refused(f, "PUT", "/v1/sys/policy/x?ward_approval=zz", DOC, f->op1, "approval_invalid");
    /* reads are not held; the root token is exempt */
    assert_int_equal(call(f, "GET", "/v1/sys/policy/x", NULL, f->op1, NULL), 200);
    assert_int_equal(call(f, "DELETE", "/v1/sys/policy/x", NULL, f->x.root, NULL), 204);
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

    assert_int_equal(call(f, "POST", "/v1/sys/control/config", "{\"ttl\":1}", f->x.root, NULL),
                     204);
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
