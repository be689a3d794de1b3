/*
 * fuzz_engine.c - request routing and JSON argument decoding for every op,
 * through ward_engine_handle as the front calls it.
 *
 * Input: a first line "METHOD PATH[?QUERY]" and the rest as the body. The
 * engine serves an initialised, unsealed keystore on the memory backend, so
 * handlers that need an unsealed barrier run too. Property: every request
 * gets a status in 200..599 and, when it is an error, a JSON body with
 * "errors" and "codes" (never a crash, never an empty error).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_engine *engine;
    const char *token;
    char head[512];
    char method[16];
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head_len = nl != NULL ? (size_t)(nl - data) : size;
    struct ward_engine_req req = { .request_id = "fuzz", .remote_addr = "127.0.0.1:1" };
    struct ward_engine_resp resp;
    char *sp;
    char *q;

    engine = fuzz_engine_fixture(&token);
    (void)token; /* unauthenticated requests: the token-less view of every op */
    if (head_len >= sizeof(head) || memchr(data, '\0', head_len) != NULL) {
        return 0;
    }
    memcpy(head, data, head_len);
    head[head_len] = '\0';
    if ((sp = strchr(head, ' ')) == NULL || (size_t)(sp - head) >= sizeof(method)) {
        return 0;
    }
    memcpy(method, head, (size_t)(sp - head));
    method[sp - head] = '\0';
    if ((q = strchr(sp + 1, '?')) != NULL) {
        *q = '\0';
        req.query = q + 1;
    }
    req.method = method;
    req.path = sp + 1;
    req.body = nl != NULL ? nl + 1 : NULL;
    req.body_len = nl != NULL ? size - head_len - 1 : 0;
    ward_engine_resp_init(&resp);
    ward_engine_handle(engine, &resp, &req);
    if (resp.status < 200 || resp.status > 599 ||
        (resp.err != WARD_OK &&
         (resp.body.len == 0 || memmem(resp.body.data, resp.body.len, "\"codes\"", 7) == NULL))) {
        abort();
    }
    ward_engine_resp_cleanup(&resp);
    return 0;
}
