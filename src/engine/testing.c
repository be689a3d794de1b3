/*
 * testing.c - the engine's unit-test fixture (testing.h).
 */
#include "testing.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"

void engine_fx_open(struct engine_fx *f)
{
    struct ward_engine_config cfg = { .version = "0.1.0",
                                      .storage_type = "memory",
                                      .cluster_name = "test" };

    memset(f, 0, sizeof(*f));
    assert_int_equal(ward_store_open(&f->st, "memory:"), WARD_OK);
    assert_int_equal(ward_barrier_open(&f->b, f->st), WARD_OK);
    assert_int_equal(ward_engine_new(&f->e, f->b, &cfg), WARD_OK);
}

void engine_fx_init(struct engine_fx *f)
{
    char body[256];
    json_t *b = NULL;

    assert_int_equal(engine_call(f->e, "PUT", "/v1/sys/init",
                                 "{\"secret_shares\":1,\"secret_threshold\":1}", NULL, &b),
                     200);
    (void)snprintf(f->root, sizeof(f->root), "%s",
                   json_string_value(json_object_get(b, "root_token")));
    (void)snprintf(body, sizeof(body), "{\"key\":\"%s\"}",
                   json_string_value(json_array_get(json_object_get(b, "keys"), 0)));
    json_decref(b);
    assert_int_equal(engine_call(f->e, "PUT", "/v1/sys/unseal", body, NULL, NULL), 200);
}

void engine_fx_close(struct engine_fx *f)
{
    ward_engine_free(f->e);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    memset(f, 0, sizeof(*f));
}

int engine_call(struct ward_engine *e, const char *method, const char *path, const char *body,
                const char *token, json_t **out)
{
    struct ward_engine_req req = { .method = method,
                                   .path = path,
                                   .token = token,
                                   .request_id = "test",
                                   .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    const char *q = strchr(path, '?');
    char p[1024];
    int status;

    if (q != NULL) {
        assert_true((size_t)(q - path) < sizeof(p));
        memcpy(p, path, (size_t)(q - path));
        p[q - path] = '\0';
        req.path = p;
        req.query = q + 1;
    }
    req.body = (const uint8_t *)body;
    req.body_len = body != NULL ? strlen(body) : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(e, &resp, &req);
    status = resp.status;
    if (out != NULL) {
        *out = resp.body.len > 0 ? json_loadb((const char *)resp.body.data, resp.body.len, 0, NULL)
                                 : NULL;
    }
    ward_engine_resp_cleanup(&resp);
    return status;
}

const char *engine_code_of(const json_t *body)
{
    return json_string_value(json_array_get(json_object_get(body, "codes"), 0));
}

void engine_refused(struct ward_engine *e, const char *method, const char *path, const char *body,
                    const char *token, const char *code)
{
    json_t *b = NULL;

    assert_true(engine_call(e, method, path, body, token, &b) >= 400);
    assert_non_null(engine_code_of(b));
    assert_string_equal(engine_code_of(b), code);
    json_decref(b);
}

void engine_token(struct engine_fx *f, char *out, size_t cap, const char *name, const char *policy)
{
    char body[256];
    json_t *b = NULL;

    (void)snprintf(body, sizeof(body), "{\"display_name\":\"%s\",\"policies\":[\"%s\"]}", name,
                   policy);
    assert_int_equal(engine_call(f->e, "POST", "/v1/auth/token/create", body, f->root, &b), 200);
    (void)snprintf(out, cap, "%s",
                   json_string_value(json_object_get(json_object_get(b, "auth"), "client_token")));
    json_decref(b);
}
