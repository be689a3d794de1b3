/*
 * http.c - the one adapter over Node's http-parser 2.9.4 (HTTP_REQUEST mode).
 *
 * Bytes of one connection go in through ward_front_http_feed; out comes
 * either "need more", one complete, bounded request, or an error status:
 *   400  malformed (the parser's verdict, a bad URL, a duplicate token header)
 *   413  Content-Length (or a chunked body) past max_body_bytes; decided on the
 *        head, so the body is never read
 *   431  request line + headers past max_header_bytes, more than max_headers
 *        headers, or a token header past WARD_FRONT_TOKEN_MAX
 * The parser is paused in on_message_complete, so pipelined requests come out
 * one at a time, in order; the caller answers one, calls ward_front_http_next
 * and feeds the rest.
 *
 * THE ONE DEVIATION FROM THE PARSER: Vault clients (hvac, the vault CLI) send
 * the method LIST, which http-parser 2.9.4 does not know. When a request
 * starts with the five bytes "LIST " (after optional blank lines), they are
 * rewritten in the caller's buffer to "GET  " before the parser sees them
 * (the parser accepts several spaces before the URL) and the request is
 * presented with method "LIST". Nothing else is ever rewritten. Until five
 * bytes have arrived, a prefix of "LIST " is left unconsumed.
 *
 * Only X-Vault-Token and Authorization values are kept (bounded); other
 * header values are counted and dropped. Switching to llhttp (same callback
 * shape) touches only this file.
 *
 * THREADS: a struct ward_front_http belongs to one connection, so to one
 * worker thread. The settings table is constant.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "front/front_int.h"

#define LIST_PREFIX     "LIST "
#define LIST_PREFIX_LEN 5
#define KEEP_CAP        (16u << 10)

static struct ward_front_http *self(http_parser *p)
{
    return p->data;
}

static int on_message_begin(http_parser *p)
{
    self(p)->phase = WARD_FRONT_PHASE_HEAD;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct ward_front_http *h = self(p);

    if (ward_buf_append(&h->url, at, len) != WARD_OK) {
        h->error_status = 431;
        return -1;
    }
    return 0;
}

/* end_header finishes the header whose value just ended. */
static void end_header(struct ward_front_http *h)
{
    h->in_value = false;
    h->field_len = 0;
    h->field_long = false;
    h->cur_value = NULL;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    struct ward_front_http *h = self(p);

    if (h->in_value || h->num_headers == 0) {
        if (h->in_value) {
            end_header(h);
        }
        if (++h->num_headers > h->limits->max_headers) {
            h->error_status = 431;
            return -1;
        }
    }
    if (h->field_long || len > sizeof(h->field) - 1 - h->field_len) {
        h->field_long = true;
        return 0;
    }
    memcpy(h->field + h->field_len, at, len);
    h->field_len += len;
    return 0;
}

/* pick_value decides, when a value starts, whether this header's value is kept. */
static int pick_value(struct ward_front_http *h)
{
    struct ward_buf *b = NULL;

    h->field[h->field_len] = '\0';
    if (!h->field_long && strcasecmp(h->field, "x-vault-token") == 0) {
        b = &h->vault_token;
    } else if (!h->field_long && strcasecmp(h->field, "authorization") == 0) {
        b = &h->auth;
    }
    if (b != NULL && b->len > 0) {
        /* SECURITY: two token headers are ambiguous; refuse rather than pick one. */
        h->error_status = 400;
        return -1;
    }
    h->cur_value = b;
    h->in_value = true;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    struct ward_front_http *h = self(p);

    if (!h->in_value && pick_value(h) != 0) {
        return -1;
    }
    if (h->cur_value != NULL && ward_buf_append(h->cur_value, at, len) != WARD_OK) {
        h->error_status = 431;
        return -1;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct ward_front_http *h = self(p);

    h->phase = WARD_FRONT_PHASE_BODY;
    /* ULLONG_MAX means "no Content-Length" in http-parser. */
    if (p->content_length != UINT64_MAX && p->content_length > h->limits->max_body_bytes) {
        h->error_status = 413;
        return -1;
    }
    if (p->method == HTTP_CONNECT) {
        h->error_status = 400;
        return -1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct ward_front_http *h = self(p);

    if (ward_buf_append(&h->body, at, len) != WARD_OK) {
        h->error_status = 413;
        return -1;
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    self(p)->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings g_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void ward_front_http_init(struct ward_front_http *h, const struct ward_front_limits *limits)
{
    memset(h, 0, sizeof(*h));
    http_parser_init(&h->parser, HTTP_REQUEST);
    h->parser.data = h;
    h->limits = limits;
    ward_buf_init(&h->url, limits->max_header_bytes);
    ward_buf_init(&h->body, limits->max_body_bytes);
    ward_buf_init(&h->vault_token, WARD_FRONT_TOKEN_MAX);
    ward_buf_init(&h->auth, WARD_FRONT_TOKEN_MAX);
}

void ward_front_http_cleanup(struct ward_front_http *h)
{
    ward_buf_cleanup(&h->url);
    ward_buf_cleanup(&h->body);
    ward_buf_cleanup(&h->vault_token);
    ward_buf_cleanup(&h->auth);
}

/*
 * start_message skips blank lines before a request and applies the LIST
 * rewrite. Returns false while more bytes are needed to decide.
 */
static bool start_message(struct ward_front_http *h, size_t *used, uint8_t *in, size_t in_len)
{
    size_t i = 0;
    size_t n;

    while (i < in_len && (in[i] == '\r' || in[i] == '\n')) {
        i++;
    }
    *used = i;
    if (i == in_len) {
        return false;
    }
    n = in_len - i;
    if (n < LIST_PREFIX_LEN && memcmp(in + i, LIST_PREFIX, n) == 0) {
        return false;
    }
    if (n >= LIST_PREFIX_LEN && memcmp(in + i, LIST_PREFIX, LIST_PREFIX_LEN) == 0) {
        memcpy(in + i, "GET  ", LIST_PREFIX_LEN);
        h->is_list = true;
    }
    h->phase = WARD_FRONT_PHASE_HEAD;
    return true;
}

static enum ward_front_http_status fail(struct ward_front_http *h, int status)
{
    if (h->error_status == 0) {
        h->error_status = status;
    }
    return WARD_FRONT_HTTP_ERROR;
}

enum ward_front_http_status ward_front_http_feed(struct ward_front_http *h, size_t *out_used,
                                                 uint8_t *in, size_t in_len)
{
    size_t skip = 0;
    size_t n;
    size_t parsed;
    enum http_errno e;

    *out_used = 0;
    if (h->error_status != 0) {
        return WARD_FRONT_HTTP_ERROR;
    }
    if (h->phase == WARD_FRONT_PHASE_IDLE && !start_message(h, &skip, in, in_len)) {
        *out_used = skip;
        return WARD_FRONT_HTTP_MORE;
    }
    n = in_len - skip;
    if (h->phase == WARD_FRONT_PHASE_HEAD && n > h->limits->max_header_bytes - h->head_bytes + 1) {
        /* Never hand the parser more head than the limit plus one byte. */
        n = h->limits->max_header_bytes - h->head_bytes + 1;
    }
    parsed = http_parser_execute(&h->parser, &g_settings, (const char *)in + skip, n);
    if (h->phase == WARD_FRONT_PHASE_HEAD) {
        h->head_bytes += parsed;
    }
    *out_used = skip + parsed;
    e = HTTP_PARSER_ERRNO(&h->parser);
    if (h->complete) {
        return WARD_FRONT_HTTP_REQUEST;
    }
    if (e == HPE_HEADER_OVERFLOW) {
        return fail(h, 431);
    }
    if (e != HPE_OK) {
        return fail(h, 400);
    }
    if (h->phase == WARD_FRONT_PHASE_HEAD && h->head_bytes > h->limits->max_header_bytes) {
        return fail(h, 431);
    }
    return WARD_FRONT_HTTP_MORE;
}

/* bearer returns the token of an "Authorization: Bearer <t>" value, or NULL. */
static const char *bearer(struct ward_buf *auth)
{
    char *v = (char *)auth->data;
    size_t len = auth->len;

    if (len <= 7 || strncasecmp(v, "Bearer ", 7) != 0) {
        return NULL;
    }
    while (len > 7 && (v[len - 1] == ' ' || v[len - 1] == '\t')) {
        v[--len] = '\0';
    }
    v += 7;
    while (*v == ' ') {
        v++;
    }
    return *v != '\0' ? v : NULL;
}

/* token_of picks X-Vault-Token, else the Bearer value; buffers are NUL-terminated. */
static const char *token_of(struct ward_front_http *h)
{
    if (h->vault_token.len > 0) {
        return (const char *)h->vault_token.data;
    }
    if (h->auth.len > 0) {
        return bearer(&h->auth);
    }
    return NULL;
}

ward_err ward_front_http_get(struct ward_front_http *h, struct ward_front_http_req *out)
{
    char *url;
    char *q;

    memset(out, 0, sizeof(*out));
    if (!h->complete || h->url.len == 0 || h->url.data[0] != '/') {
        return WARD_E_INVALID;
    }
    if (ward_buf_terminate(&h->url) != WARD_OK || ward_buf_terminate(&h->vault_token) != WARD_OK ||
        ward_buf_terminate(&h->auth) != WARD_OK) {
        return WARD_E_TOO_LARGE;
    }
    url = (char *)h->url.data;
    if ((q = strchr(url, '#')) != NULL) {
        *q = '\0';
    }
    if ((q = strchr(url, '?')) != NULL) {
        *q++ = '\0';
        out->query = q;
    }
    out->path = url;
    out->method = h->is_list ? "LIST" : http_method_str((enum http_method)h->parser.method);
    out->head = !h->is_list && h->parser.method == HTTP_HEAD;
    out->body = h->body.len > 0 ? h->body.data : NULL;
    out->body_len = h->body.len;
    out->token = token_of(h);
    out->keep_alive = http_should_keep_alive(&h->parser) != 0 && !h->parser.upgrade;
    return WARD_OK;
}

/* recycle empties b for the next request: reset wipes the whole capacity, so a
 * buffer a large request grew is freed instead of wiped again every request. */
static void recycle(struct ward_buf *b)
{
    if (b->cap > KEEP_CAP) {
        ward_buf_cleanup(b);
    } else {
        ward_buf_reset(b);
    }
}

void ward_front_http_next(struct ward_front_http *h)
{
    recycle(&h->url);
    recycle(&h->body);
    ward_buf_reset(&h->vault_token);
    ward_buf_reset(&h->auth);
    end_header(h);
    h->num_headers = 0;
    h->head_bytes = 0;
    h->phase = WARD_FRONT_PHASE_IDLE;
    h->is_list = false;
    h->complete = false;
    http_parser_pause(&h->parser, 0);
}

const char *ward_front_http_reason(int status)
{
    static const struct {
        int status;
        const char *reason;
    } reasons[] = {
        { 200, "OK" },
        { 201, "Created" },
        { 204, "No Content" },
        { 301, "Moved Permanently" },
        { 307, "Temporary Redirect" },
        { 400, "Bad Request" },
        { 401, "Unauthorized" },
        { 403, "Forbidden" },
        { 404, "Not Found" },
        { 405, "Method Not Allowed" },
        { 408, "Request Timeout" },
        { 409, "Conflict" },
        { 412, "Precondition Failed" },
        { 413, "Payload Too Large" },
        { 429, "Too Many Requests" },
        { 431, "Request Header Fields Too Large" },
        { 473, "Performance Standby" },
        { 500, "Internal Server Error" },
        { 501, "Not Implemented" },
        { 502, "Bad Gateway" },
        { 503, "Service Unavailable" },
        { 507, "Insufficient Storage" },
    };

    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (reasons[i].status == status) {
            return reasons[i].reason;
        }
    }
    return status < 400 ? "OK" : status < 500 ? "Error" : "Server Error";
}

ward_err ward_front_http_append_head(struct ward_buf *out, const struct ward_front_http_resp *r)
{
    char head[512];
    int n;

    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Cache-Control: no-store\r\nX-Ward-Request-Id: %s\r\n%s\r\n",
                 r->status, ward_front_http_reason(r->status),
                 r->content_type != NULL ? r->content_type : "application/json", r->body_len,
                 r->request_id, r->close ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(head)) {
        return WARD_E_INVALID;
    }
    return ward_buf_append(out, head, (size_t)n);
}
