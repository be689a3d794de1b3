/*
 * conn.c - one client connection: sniff, TLS handshake, requests, responses.
 *
 * States: SNIFF (peek the first byte: a TLS handshake record is 0x16; anything
 * else gets a plain-text 400 and is closed) -> HANDSHAKE -> OPEN -> closed.
 * In OPEN, bytes are read into a fixed WARD_FRONT_IN_CAP buffer, handed to the
 * HTTP adapter, and each complete request is answered on this thread: the
 * handler runs, the response (head + body) is appended to the output buffer
 * and the whole buffer goes out with one SSL_write.
 *
 * Back-pressure: above WARD_FRONT_OUT_HIGH unsent bytes the connection stops
 * reading and parsing (EPOLLIN off) until the peer has taken its responses.
 * Deadlines: handshake and head -> header_timeout_ms, body -> body_timeout_ms,
 * waiting for a request (or stuck output) -> idle_timeout_ms; the worker's
 * sweep closes connections past theirs.
 *
 * THREADS: a connection belongs to the worker that accepted it; only that
 * worker's thread touches it. front->num_conns is atomic.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "base/log.h"
#include "base/mem.h"
#include "front/front_int.h"

#define OUT_MAX      (WARD_FRONT_OUT_HIGH + WARD_MAX_RESP_BODY + 4096)
#define OUT_KEEP_CAP (64u << 10) /* a larger output buffer is freed once flushed */
#define MAX_ROUNDS   32          /* read/parse rounds per event before yielding */
#define LINGER_MS    2000        /* lingering close: at most this long ... */
#define LINGER_BYTES (8u << 20)  /* ... and this much discarded input */
#define PLAIN_HTTP_RESP                                                              \
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 48\r\n" \
    "Connection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

enum conn_state {
    CONN_SNIFF,
    CONN_HANDSHAKE,
    CONN_OPEN,
    CONN_LINGER, /* answered and shut down for writing; discarding input until EOF */
};

struct ward_front_conn {
    struct ward_front_conn *prev;
    struct ward_front_conn *next;
    struct ward_front_conn *ready_next;
    struct ward_front_worker *w;
    int fd;
    SSL *ssl;
    enum conn_state state;
    enum ward_front_http_phase phase; /* the phase the deadline was set for */
    uint32_t events;                  /* epoll interest now registered */
    bool want_write;                  /* TLS needs the socket writable */
    bool fatal;                       /* no close_notify: the TLS session is broken */
    bool close_after_flush;
    bool in_ready;
    int64_t deadline_ms;
    struct ward_front_http http;
    uint8_t in[WARD_FRONT_IN_CAP];
    size_t in_off;
    size_t in_len;
    struct ward_buf out;
    size_t out_off;
    size_t lingered;
    uint8_t *peer_der;
    size_t peer_der_len;
    char remote[64];
};

static const struct ward_front_limits *limits_of(const struct ward_front_conn *c)
{
    return &c->w->front->cfg.limits;
}

static size_t out_pending(const struct ward_front_conn *c)
{
    return c->out.len - c->out_off;
}

/* unready takes c off its worker's ready list (short: scanned). */
static void unready(struct ward_front_conn *c)
{
    struct ward_front_conn **pp = &c->w->ready;

    while (*pp != NULL && *pp != c) {
        pp = &(*pp)->ready_next;
    }
    if (*pp == c) {
        *pp = c->ready_next;
    }
    c->ready_next = NULL;
    c->in_ready = false;
}

void ward_front_conn_close(struct ward_front_conn *c)
{
    struct ward_front_worker *w = c->w;

    if (c->ssl != NULL) {
        ERR_clear_error();
        if (c->state == CONN_OPEN && !c->fatal) {
            (void)SSL_shutdown(c->ssl); /* best effort, never waits */
        }
        SSL_free(c->ssl);
        ERR_clear_error();
    }
    (void)close(c->fd);
    if (c->in_ready) {
        unready(c);
    }
    *(c->prev != NULL ? &c->prev->next : &w->conns) = c->next;
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    w->num_conns--;
    atomic_fetch_sub(&w->front->num_conns, 1);
    ward_front_http_cleanup(&c->http);
    ward_buf_cleanup(&c->out);
    OPENSSL_free(c->peer_der);
    ward_free(c);
}

void ward_front_conn_accept(struct ward_front_worker *w, int fd, const char *remote)
{
    struct ward_front_conn *c = ward_calloc(1, sizeof(*c));
    struct epoll_event ev = { .events = EPOLLIN };

    if (c == NULL) {
        (void)close(fd);
        atomic_fetch_sub(&w->front->num_conns, 1);
        return;
    }
    c->w = w;
    c->fd = fd;
    c->state = CONN_SNIFF;
    c->events = EPOLLIN;
    c->deadline_ms = w->now_ms + w->front->cfg.limits.header_timeout_ms;
    (void)snprintf(c->remote, sizeof(c->remote), "%s", remote);
    ward_front_http_init(&c->http, &w->front->cfg.limits);
    ward_buf_init(&c->out, OUT_MAX);
    c->next = w->conns;
    if (w->conns != NULL) {
        w->conns->prev = c;
    }
    w->conns = c;
    w->num_conns++;
    ev.data.ptr = c;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ward_front_conn_close(c);
    }
}

/* set_interest registers what the connection waits for now. */
static void set_interest(struct ward_front_conn *c)
{
    uint32_t want = 0;
    struct epoll_event ev;

    if (c->state != CONN_OPEN) {
        want = c->want_write ? EPOLLOUT : EPOLLIN;
    } else {
        if (!c->close_after_flush && out_pending(c) <= WARD_FRONT_OUT_HIGH) {
            want |= EPOLLIN;
        }
        if (out_pending(c) > 0 || c->want_write) {
            want |= EPOLLOUT;
        }
    }
    if (want == c->events) {
        return;
    }
    ev.events = want;
    ev.data.ptr = c;
    if (epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
        c->events = want;
    }
}

/* set_deadline moves the deadline when the request phase changed. */
static void set_deadline(struct ward_front_conn *c)
{
    const struct ward_front_limits *l = limits_of(c);
    enum ward_front_http_phase p = c->http.phase;

    if (p == c->phase) {
        return;
    }
    c->phase = p;
    if (p == WARD_FRONT_PHASE_HEAD) {
        c->deadline_ms = c->w->now_ms + l->header_timeout_ms;
    } else if (p == WARD_FRONT_PHASE_BODY) {
        c->deadline_ms = c->w->now_ms + l->body_timeout_ms;
    } else {
        c->deadline_ms = c->w->now_ms + l->idle_timeout_ms;
    }
}

void ward_front_request_id(struct ward_front_worker *w, char out[WARD_REQUEST_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t *r;
    size_t j = 0;

    if (w->rand_off + 16 > sizeof(w->rand_pool)) {
        WARD_CHECK(RAND_bytes(w->rand_pool, sizeof(w->rand_pool)) == 1);
        w->rand_off = 0;
    }
    r = w->rand_pool + w->rand_off;
    w->rand_off += 16;
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[j++] = '-';
        }
        out[j++] = hex[r[i] >> 4];
        out[j++] = hex[r[i] & 0x0f];
    }
    out[j] = '\0';
}

static int64_t mono_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* queue_response appends head and body to the output buffer. */
static ward_err queue_response(struct ward_front_conn *c, const struct ward_front_http_resp *r,
                               const uint8_t *body)
{
    ward_err err;

    if ((err = ward_front_http_append_head(&c->out, r)) != WARD_OK) {
        return err;
    }
    return body != NULL ? ward_buf_append(&c->out, body, r->body_len) : WARD_OK;
}

struct req_log {
    const char *id;
    const char *method;
    const char *path;
    int status;
    const char *op;
    int64_t us;
};

static void log_request(const struct ward_front_conn *c, const struct req_log *l)
{
    /* SECURITY: path only; the query string, tokens and bodies are never logged. */
    ward_log(WARD_LOG_INFO,
             "request id=%s remote=%s method=%s path=\"%.256s\" status=%d op=%s "
             "duration_us=%lld",
             l->id, c->remote, l->method, l->path, l->status, l->op != NULL ? l->op : "-",
             (long long)l->us);
}

/* respond_error answers a request the adapter refused, and closes after. */
static void respond_error(struct ward_front_conn *c, int status)
{
    char id[WARD_REQUEST_ID_LEN + 1];
    struct ward_front_http_resp r = { .status = status, .request_id = id, .close = true };
    struct ward_engine_resp resp;
    ward_err err = status == 413   ? WARD_E_TOO_LARGE
                   : status == 431 ? WARD_E_HEADERS_TOO_LARGE
                                   : WARD_E_BAD_REQUEST;

    ward_front_request_id(c->w, id);
    ward_engine_resp_init(&resp);
    ward_engine_resp_error(&resp, err, NULL);
    r.body_len = resp.body.len;
    if (queue_response(c, &r, resp.body.data) != WARD_OK) {
        c->fatal = true;
    }
    ward_engine_resp_cleanup(&resp);
    c->close_after_flush = true;
    log_request(c, &(struct req_log){ .id = id, .method = "-", .path = "-", .status = status });
}

static void call_handler(struct ward_front_conn *c, struct ward_engine_resp *resp,
                         const struct ward_front_http_req *hr, const char *id)
{
    struct ward_front *f = c->w->front;
    struct ward_engine_req req = {
        .method = hr->method,
        .path = hr->path,
        .query = hr->query,
        .body = hr->body,
        .body_len = hr->body_len,
        .token = hr->token,
        .request_id = id,
        .remote_addr = c->remote,
        .peer_cert_der = c->peer_der,
        .peer_cert_der_len = c->peer_der_len,
    };

    ward_engine_resp_init(resp);
    f->handler(f->handler_ctx, resp, &req);
    if (resp->status < 100 || resp->status > 599) {
        resp->status = 500;
    }
}

/* dispatch answers the request the adapter holds. */
static void dispatch(struct ward_front_conn *c)
{
    char id[WARD_REQUEST_ID_LEN + 1];
    struct ward_front_http_req hr;
    struct ward_engine_resp resp;
    struct ward_front_http_resp r = { .request_id = id };
    int64_t t0 = mono_us();

    if (ward_front_http_get(&c->http, &hr) != WARD_OK) {
        respond_error(c, 400);
        return;
    }
    ward_front_request_id(c->w, id);
    call_handler(c, &resp, &hr, id);
    r.status = resp.status;
    r.content_type = resp.content_type;
    r.body_len = resp.body.len;
    r.close = !hr.keep_alive || c->w->draining;
    if (queue_response(c, &r, hr.head ? NULL : resp.body.data) != WARD_OK) {
        c->fatal = true;
        r.close = true;
    }
    log_request(c, &(struct req_log){ .id = id,
                                      .method = hr.method,
                                      .path = hr.path,
                                      .status = resp.status,
                                      .op = resp.op,
                                      .us = mono_us() - t0 });
    ward_engine_resp_cleanup(&resp);
    ward_front_http_next(&c->http);
    c->close_after_flush = c->close_after_flush || r.close;
}

/* process_input parses buffered bytes and answers complete requests, in order. */
static void process_input(struct ward_front_conn *c)
{
    enum ward_front_http_status st;
    size_t used;

    while (c->in_off < c->in_len && !c->close_after_flush &&
           out_pending(c) <= WARD_FRONT_OUT_HIGH) {
        st = ward_front_http_feed(&c->http, &used, c->in + c->in_off, c->in_len - c->in_off);
        c->in_off += used;
        set_deadline(c);
        if (st == WARD_FRONT_HTTP_REQUEST) {
            dispatch(c);
            set_deadline(c);
        } else if (st == WARD_FRONT_HTTP_ERROR) {
            respond_error(c, c->http.error_status);
        } else if (used == 0) {
            break;
        }
    }
    if (c->in_off == c->in_len) {
        c->in_off = 0;
        c->in_len = 0;
    }
}

/* flush writes pending output; false on a broken connection. */
static bool flush(struct ward_front_conn *c)
{
    int n;

    c->want_write = false;
    while (out_pending(c) > 0) {
        ERR_clear_error();
        n = SSL_write(c->ssl, c->out.data + c->out_off, (int)out_pending(c));
        if (n > 0) {
            c->out_off += (size_t)n;
            c->deadline_ms = c->w->now_ms + limits_of(c)->idle_timeout_ms;
            continue;
        }
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_WRITE:
            c->want_write = true;
            return true;
        case SSL_ERROR_WANT_READ:
            return true;
        default:
            c->fatal = true;
            return false;
        }
    }
    c->out_off = 0;
    if (c->out.cap > OUT_KEEP_CAP) {
        ward_buf_cleanup(&c->out);
    } else {
        ward_buf_reset(&c->out);
    }
    return true;
}

enum round_result {
    ROUND_PROGRESS,
    ROUND_WAIT,
    ROUND_CLOSE,
};

/* read_round reads once from TLS and answers what became complete. */
static enum round_result read_round(struct ward_front_conn *c)
{
    int n;

    if (c->in_off > 0) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (c->in_len == sizeof(c->in)) {
        return ROUND_CLOSE; /* cannot happen: the adapter consumes all but 4 bytes */
    }
    ERR_clear_error();
    n = SSL_read(c->ssl, c->in + c->in_len, (int)(sizeof(c->in) - c->in_len));
    if (n <= 0) {
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_READ:
            return ROUND_WAIT;
        case SSL_ERROR_WANT_WRITE:
            c->want_write = true;
            return ROUND_WAIT;
        case SSL_ERROR_ZERO_RETURN:
            return ROUND_CLOSE;
        default:
            c->fatal = true;
            return ROUND_CLOSE;
        }
    }
    c->in_len += (size_t)n;
    process_input(c);
    return ROUND_PROGRESS;
}

/*
 * start_linger closes the connection gracefully after its last answer: TLS
 * close_notify, FIN, then input is read and dropped until the peer closes
 * (bounded by LINGER_MS and LINGER_BYTES). Closing with unread input would
 * send a RST that can destroy the answer (a 413 or 431) before the peer
 * reads it, the reason nginx has lingering_close.
 */
static void start_linger(struct ward_front_conn *c)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

    if (c->fatal || c->ssl == NULL) {
        ward_front_conn_close(c);
        return;
    }
    ERR_clear_error();
    (void)SSL_shutdown(c->ssl);
    ERR_clear_error();
    (void)shutdown(c->fd, SHUT_WR);
    c->state = CONN_LINGER;
    c->deadline_ms = c->w->now_ms + LINGER_MS;
    if (epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        ward_front_conn_close(c);
        return;
    }
    c->events = EPOLLIN;
}

static void linger_read(struct ward_front_conn *c)
{
    ssize_t n;

    for (int i = 0; i < MAX_ROUNDS; i++) {
        n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return;
        }
        if (n <= 0 || (c->lingered += (size_t)n) > LINGER_BYTES) {
            ward_front_conn_close(c);
            return;
        }
    }
}

/* serve runs write and read rounds until the connection must wait. */
static void serve(struct ward_front_conn *c)
{
    enum round_result rr = ROUND_PROGRESS;

    for (int i = 0; i < MAX_ROUNDS; i++) {
        if (!flush(c)) {
            ward_front_conn_close(c);
            return;
        }
        if (out_pending(c) == 0 && c->close_after_flush) {
            start_linger(c);
            return;
        }
        if (out_pending(c) > WARD_FRONT_OUT_HIGH || c->close_after_flush) {
            break;
        }
        if (c->in_off < c->in_len) {
            process_input(c); /* left over after back-pressure */
        }
        if ((rr = read_round(c)) != ROUND_PROGRESS) {
            break;
        }
    }
    if (rr == ROUND_CLOSE && out_pending(c) == 0) {
        ward_front_conn_close(c);
        return;
    }
    if (rr == ROUND_CLOSE) {
        c->close_after_flush = true;
    } else if (rr == ROUND_PROGRESS && !c->in_ready) {
        /* Out of rounds with input maybe still inside SSL: come back without an event. */
        c->in_ready = true;
        c->ready_next = c->w->ready;
        c->w->ready = c;
    }
    set_interest(c);
}

static void take_peer_cert(struct ward_front_conn *c)
{
    X509 *peer = SSL_get0_peer_certificate(c->ssl);
    int n;

    if (peer != NULL && (n = i2d_X509(peer, &c->peer_der)) > 0) {
        c->peer_der_len = (size_t)n;
    }
}

/* handshake drives the TLS handshake; true once it is done. */
static bool handshake(struct ward_front_conn *c)
{
    int n;
    char reason[160];

    ERR_clear_error();
    if ((n = SSL_do_handshake(c->ssl)) == 1) {
        c->state = CONN_OPEN;
        c->want_write = false;
        c->phase = WARD_FRONT_PHASE_IDLE;
        c->deadline_ms = c->w->now_ms + limits_of(c)->idle_timeout_ms;
        take_peer_cert(c);
        return true;
    }
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_READ:
        c->want_write = false;
        set_interest(c);
        return false;
    case SSL_ERROR_WANT_WRITE:
        c->want_write = true;
        set_interest(c);
        return false;
    default:
        ERR_error_string_n(ERR_peek_error(), reason, sizeof(reason));
        ward_log(WARD_LOG_DEBUG, "tls handshake failed remote=%s reason=\"%s\"", c->remote, reason);
        c->fatal = true;
        ward_front_conn_close(c);
        return false;
    }
}

/* refuse_plain answers a plain-HTTP request on the TLS port and closes. */
static void refuse_plain(struct ward_front_conn *c)
{
    /* Read what arrived so closing does not reset the answer away. */
    (void)!recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
    (void)!send(c->fd, PLAIN_HTTP_RESP, sizeof(PLAIN_HTTP_RESP) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)shutdown(c->fd, SHUT_WR);
    ward_front_conn_close(c);
}

/* sniff looks at the first byte; true when a TLS handshake may begin. */
static bool sniff(struct ward_front_conn *c)
{
    uint8_t b;
    ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return false;
    }
    if (n <= 0) {
        ward_front_conn_close(c);
        return false;
    }
    if (b != 0x16) {
        refuse_plain(c);
        return false;
    }
    ERR_clear_error();
    if ((c->ssl = SSL_new(c->w->ssl_ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        ward_front_conn_close(c);
        return false;
    }
    SSL_set_accept_state(c->ssl);
    c->state = CONN_HANDSHAKE;
    return true;
}

void ward_front_conn_event(struct ward_front_conn *c, uint32_t events)
{
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 && (events & EPOLLIN) == 0) {
        c->fatal = true;
        ward_front_conn_close(c);
        return;
    }
    if (c->state == CONN_LINGER) {
        linger_read(c);
        return;
    }
    if (c->state == CONN_SNIFF && !sniff(c)) {
        return;
    }
    if (c->state == CONN_HANDSHAKE && !handshake(c)) {
        return;
    }
    serve(c);
}

void ward_front_conn_resume(struct ward_front_conn *c)
{
    c->in_ready = false;
    c->ready_next = NULL;
    if (c->state == CONN_OPEN) {
        serve(c);
    }
}

void ward_front_conn_sweep(struct ward_front_conn *c)
{
    struct ward_front_worker *w = c->w;
    bool idle = c->state != CONN_OPEN ||
                (c->http.phase == WARD_FRONT_PHASE_IDLE && out_pending(c) == 0 && c->in_len == 0);

    if (w->now_ms >= c->deadline_ms || (w->draining && idle)) {
        ward_front_conn_close(c);
    }
}

struct ward_front_conn *ward_front_conn_next(const struct ward_front_conn *c)
{
    return c->next;
}

struct ward_front_conn *ward_front_conn_ready_next(const struct ward_front_conn *c)
{
    return c->ready_next;
}
