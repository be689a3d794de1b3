/*
 * engine_fixture.c - see engine_fixture.h. Shared by fuzz_engine and fuzz_kv.
 */
#include "engine_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static struct ward_engine *g_engine;
static char g_token[128];

static void setup(void)
{
    static struct ward_store *st;
    static struct ward_barrier *b;
    struct ward_engine_config cfg = { .version = "fuzz",
                                      .storage_type = "memory",
                                      .cluster_name = "fuzz" };
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_init_result r;
    struct ward_seal_status s;

    ward_log_set_level(WARD_LOG_ERROR);
    if (ward_store_open(&st, "memory:") != WARD_OK || ward_barrier_open(&b, st) != WARD_OK ||
        ward_barrier_init(b, &r, &p) != WARD_OK ||
        ward_barrier_unseal(b, &s, r.shares[0]->data, r.shares[0]->len) != WARD_OK ||
        ward_engine_new(&g_engine, b, &cfg) != WARD_OK) {
        abort();
    }
    (void)snprintf(g_token, sizeof(g_token), "%s", (const char *)r.root_token->data);
    ward_init_result_cleanup(&r);
}

struct ward_engine *fuzz_engine_fixture(const char **out_token)
{
    if (g_engine == NULL) {
        setup();
    }
    *out_token = g_token;
    return g_engine;
}

/* answer_ok checks the properties every answer must have. */
static bool answer_ok(const struct ward_engine_resp *resp, bool allow_500)
{
    if (resp->status < 200 || resp->status > 599 || (!allow_500 && resp->status == 500)) {
        return false;
    }
    return resp->err == WARD_OK ||
           (resp->body.len > 0 && memmem(resp->body.data, resp->body.len, "\"codes\"", 7) != NULL);
}

/* one_request is fuzz_engine_request for one input, without the setup. */
static void one_request(const uint8_t *data, size_t size, const struct fuzz_request_opts *o)
{
    const char *token;
    struct ward_engine *engine = fuzz_engine_fixture(&token);
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head_len = nl != NULL ? (size_t)(nl - data) : size;
    struct ward_engine_req req = { .request_id = "fuzz", .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    char method[16];
    char path[2048];
    char *sp;
    char *q;
    int n;

    if (head_len >= 1024 || memchr(data, '\0', head_len) != NULL ||
        (sp = memchr(data, ' ', head_len)) == NULL ||
        (size_t)(sp - (const char *)data) >= sizeof(method)) {
        return;
    }
    memcpy(method, data, (size_t)(sp - (const char *)data));
    method[sp - (const char *)data] = '\0';
    n = snprintf(path, sizeof(path), "%s%.*s", o->path_prefix,
                 (int)(head_len - (size_t)(sp - (const char *)data) - 1), sp + 1);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return;
    }
    if ((q = strchr(path, '?')) != NULL) {
        *q = '\0';
        req.query = q + 1;
    }
    req.method = method;
    req.path = path;
    req.token = o->with_token ? token : NULL;
    req.body = nl != NULL ? nl + 1 : NULL;
    req.body_len = nl != NULL ? size - head_len - 1 : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(engine, &resp, &req);
    if (!answer_ok(&resp, o->allow_500)) {
        abort();
    }
    ward_engine_resp_cleanup(&resp);
}

void fuzz_engine_request(const uint8_t *data, size_t size, const struct fuzz_request_opts *o)
{
    static bool set_up;

    if (!set_up) {
        set_up = true;
        for (size_t i = 0; o->setup != NULL && o->setup[i] != NULL; i++) {
            one_request((const uint8_t *)o->setup[i], strlen(o->setup[i]), o);
        }
    }
    one_request(data, size, o);
}
