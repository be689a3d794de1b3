/*
 * fuzz_http.c - the front's HTTP adapter (src/front/http.c) over arbitrary bytes.
 *
 * The input is a request stream as a client would send it on one connection.
 * The first byte picks how it is cut into reads (1..32 bytes, or all at
 * once), so split tokens, the LIST rewrite across reads and pipelining are all
 * reached. Every complete request is taken out and answered as the front
 * would; the first error ends the stream. Properties checked: no crash, no
 * buffer past its limit, progress on every call, and an error status that is
 * 400, 413 or 431.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "front/front_int.h"

/* check aborts when a property does not hold, so both drivers report a crash. */
static void check(bool cond)
{
    if (!cond) {
        abort();
    }
}

static void answer(struct ward_front_http *h)
{
    struct ward_front_http_req r;
    struct ward_front_http_resp resp = { .status = 200, .request_id = "id" };
    struct ward_buf out;

    if (ward_front_http_get(h, &r) == WARD_OK) {
        check(r.method != NULL && r.path != NULL && r.path[0] == '/');
        check(r.body_len <= h->limits->max_body_bytes);
        resp.body_len = r.body_len;
        ward_buf_init(&out, 4096);
        check(ward_front_http_append_head(&out, &resp) == WARD_OK);
        ward_buf_cleanup(&out);
    }
    ward_front_http_next(h);
}

/* feed_window feeds in[*off..avail); false once the adapter refused the stream. */
static bool feed_window(struct ward_front_http *h, uint8_t *in, size_t *off, size_t avail)
{
    enum ward_front_http_status st;
    size_t used;

    do {
        st = ward_front_http_feed(h, &used, in + *off, avail - *off);
        check(used <= avail - *off);
        *off += used;
        check(h->url.len <= h->limits->max_header_bytes);
        if (st == WARD_FRONT_HTTP_ERROR) {
            check(h->error_status == 400 || h->error_status == 413 || h->error_status == 431);
            return false;
        }
        if (st == WARD_FRONT_HTTP_REQUEST) {
            answer(h);
        }
    } while (*off < avail && (used > 0 || st == WARD_FRONT_HTTP_REQUEST));
    return true;
}

/* run feeds the stream as reads of step bytes (0 = all at once). */
static void run(struct ward_front_http *h, uint8_t *in, size_t in_len, size_t step)
{
    size_t off = 0;
    size_t avail = 0;

    while (off < in_len) {
        avail = step == 0 || in_len - avail < step ? in_len : avail + step;
        if (!feed_window(h, in, &off, avail)) {
            return;
        }
        if (avail == in_len && off < in_len) {
            check(in_len - off < 5); /* only an undecided "LIST " prefix may wait */
            return;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_front_limits limits = {
        .max_header_bytes = 2048,
        .max_headers = 16,
        .max_body_bytes = 1024,
        .max_connections = 1,
        .header_timeout_ms = 1,
        .body_timeout_ms = 1,
        .idle_timeout_ms = 1,
    };
    struct ward_front_http h;
    uint8_t *copy;
    size_t step;

    if (size == 0) {
        return 0;
    }
    step = data[0] % 33; /* 0 = everything at once */
    if ((copy = ward_alloc(size - 1 + 1)) == NULL) {
        return 0;
    }
    memcpy(copy, data + 1, size - 1); /* the adapter rewrites "LIST " in place */
    ward_front_http_init(&h, &limits);
    run(&h, copy, size - 1, step);
    ward_front_http_cleanup(&h);
    ward_free(copy);
    return 0;
}
