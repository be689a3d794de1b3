/*
 * fuzz_kv.c - the KV v2 request decoder: the path under /v1/secret/ (prefix
 * routing, percent-decoding, path checks) and the JSON bodies of every KV op,
 * through ward_engine_handle with the root token, on one long-lived store so
 * that later inputs read entries earlier inputs wrote.
 *
 * Input: a first line "METHOD REST[?QUERY]" (REST is appended to
 * "/v1/secret/") and the rest as the body. Properties: every answer has a
 * status in 200..599; an error carries "codes"; no input makes the KV engine
 * fail with a 500 (which would mean it wrote something it cannot read back).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_engine *engine;
    const char *token;
    char head[2048];
    char method[16];
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head_len = nl != NULL ? (size_t)(nl - data) : size;
    struct ward_engine_req req = { .request_id = "fuzz", .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    char *sp;
    char *q;
    int n;

    engine = fuzz_engine_fixture(&token);
    if (head_len >= 1024 || memchr(data, '\0', head_len) != NULL) {
        return 0;
    }
    n = snprintf(head, sizeof(head), "%.*s", (int)head_len, (const char *)data);
    if (n < 0 || (sp = strchr(head, ' ')) == NULL || (size_t)(sp - head) >= sizeof(method)) {
        return 0;
    }
    memcpy(method, head, (size_t)(sp - head));
    method[sp - head] = '\0';
    if ((q = strchr(sp + 1, '?')) != NULL) {
        *q = '\0';
        req.query = q + 1;
    }
    /* "/v1/secret/" + REST, built in place after the head */
    memmove(sp + 1 + 11, sp + 1, strlen(sp + 1) + 1);
    memcpy(sp + 1, "/v1/secret/", 11);
    req.method = method;
    req.path = sp + 1;
    req.token = token;
    req.body = nl != NULL ? nl + 1 : NULL;
    req.body_len = nl != NULL ? size - head_len - 1 : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(engine, &resp, &req);
    if (resp.status < 200 || resp.status > 599 || resp.status == 500 ||
        (resp.err != WARD_OK &&
         (resp.body.len == 0 || memmem(resp.body.data, resp.body.len, "\"codes\"", 7) == NULL))) {
        abort();
    }
    ward_engine_resp_cleanup(&resp);
    return 0;
}
