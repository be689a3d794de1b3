/*
 * front_int.h - the front's internals, shared by the .c files of src/front only.
 *
 * Pieces, bottom up:
 *   http.c    the one adapter over http-parser 2.9.4: bytes in, one bounded
 *             request (or a 400/413/431 verdict) out; response heads.
 *   tls.c     SSL_CTX construction and reload, dev certificates.
 *   conn.c    one connection: plain-HTTP sniff, TLS handshake, read, parse,
 *             call the handler, write, deadlines, back-pressure, close.
 *   loop.c    one worker: its epoll loop, accept, timer sweep, drain.
 *   server.c  listeners, workers, signals, the public API of front.h.
 *
 * Ownership: struct ward_front owns the workers; a worker owns its listening
 * sockets, its epoll fd and every connection it accepted. A connection never
 * moves between workers, so connection state needs no lock.
 */
#ifndef WARD_FRONT_FRONT_INT_H
#define WARD_FRONT_FRONT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>
#include <openssl/ssl.h>

#include "base/buf.h"
#include "front/front.h"

#define WARD_FRONT_MAX_WORKERS 64
#define WARD_FRONT_TOKEN_MAX   8192         /* longer X-Vault-Token / Authorization -> 431 */
#define WARD_FRONT_IN_CAP      16384        /* per-connection read buffer (one TLS record) */
#define WARD_FRONT_OUT_HIGH    (256u << 10) /* stop reading above this much unsent output */
#define WARD_FRONT_SWEEP_MS    250          /* timer sweep period */

/* ---- http.c ---- */

enum ward_front_http_status {
    WARD_FRONT_HTTP_MORE,    /* everything given was consumed, or more bytes are needed */
    WARD_FRONT_HTTP_REQUEST, /* a whole request is ready (ward_front_http_get) */
    WARD_FRONT_HTTP_ERROR,   /* bad input; answer error_status and close */
};

enum ward_front_http_phase {
    WARD_FRONT_PHASE_IDLE, /* no byte of the next request yet */
    WARD_FRONT_PHASE_HEAD, /* request line and headers */
    WARD_FRONT_PHASE_BODY, /* head complete, body arriving */
};

/*
 * struct ward_front_http parses one connection's request stream. Invariants:
 * url.len <= max_header_bytes, body.len <= max_body_bytes, each token buffer
 * <= WARD_FRONT_TOKEN_MAX; the parser is paused while a request is ready.
 */
struct ward_front_http {
    http_parser parser;
    const struct ward_front_limits *limits;
    struct ward_buf url;
    struct ward_buf body;
    struct ward_buf vault_token; /* X-Vault-Token value */
    struct ward_buf auth;        /* Authorization value */
    struct ward_buf *cur_value;  /* where the current header's value goes, or NULL */
    char field[16];              /* current header name, if short enough to matter */
    size_t field_len;
    size_t num_headers;
    size_t head_bytes;
    enum ward_front_http_phase phase;
    bool in_value;
    bool field_long;
    bool is_list;
    bool complete;
    int error_status; /* 400, 413 or 431 once an error is found */
};

/* struct ward_front_http_req borrows from the parser until ward_front_http_next. */
struct ward_front_http_req {
    const char *method;
    const char *path;
    const char *query; /* NULL if none */
    const uint8_t *body;
    size_t body_len;
    const char *token; /* NULL if none */
    bool keep_alive;
    bool head; /* HEAD request: send no body */
};

struct ward_front_http_resp {
    int status;
    const char *content_type; /* NULL = application/json */
    const char *request_id;
    size_t body_len;
    bool close;
};

void ward_front_http_init(struct ward_front_http *h, const struct ward_front_limits *limits);
void ward_front_http_cleanup(struct ward_front_http *h);
enum ward_front_http_status ward_front_http_feed(struct ward_front_http *h, size_t *out_used,
                                                 uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_front_http_get(struct ward_front_http *h,
                                             struct ward_front_http_req *out);
void ward_front_http_next(struct ward_front_http *h);
WARD_MUST_CHECK ward_err ward_front_http_append_head(struct ward_buf *out,
                                                     const struct ward_front_http_resp *r);
const char *ward_front_http_reason(int status);

/* ---- tls.c ---- */

WARD_MUST_CHECK ward_err ward_front_tls_ctx_new(SSL_CTX **out, const struct ward_front_config *cfg);
const char *ward_front_strerror(int e, char *buf, size_t buf_len);

/* ---- server.c / loop.c / conn.c ---- */

struct ward_front_conn;

struct ward_front_worker {
    struct ward_front *front;
    size_t index;
    int epfd;
    int wake_fd; /* eventfd: the run thread asks this worker to drain */
    int listen_fds[WARD_FRONT_MAX_LISTENERS];
    pthread_t thread;
    bool started;
    bool accept_paused; /* listeners left epoll after EMFILE; back at the next sweep */
    bool draining;
    int64_t drain_deadline_ms;
    int64_t now_ms;
    int64_t last_sweep_ms;
    SSL_CTX *ssl_ctx; /* this worker's reference; refreshed when tls_gen moves */
    uint64_t tls_gen;
    struct ward_front_conn *conns; /* doubly linked, all connections of this worker */
    struct ward_front_conn *ready; /* singly linked: have buffered input left to process */
    size_t num_conns;
    uint8_t rand_pool[512]; /* request id randomness, refilled in bulk */
    size_t rand_off;
};

struct ward_front {
    struct ward_front_config cfg;
    ward_engine_handler_fn handler;
    void *handler_ctx;
    size_t num_workers;
    struct ward_front_worker *workers;
    uint16_t bound_ports[WARD_FRONT_MAX_LISTENERS];
    int stop_fd; /* eventfd written by ward_front_stop */
    pthread_mutex_t tls_mu;
    SSL_CTX *ssl_ctx;             /* guarded by tls_mu */
    atomic_uint_fast64_t tls_gen; /* bumped after ssl_ctx changes */
    atomic_size_t num_conns;      /* all workers; checked against max_connections */
};

void *ward_front_worker_main(void *arg);
void ward_front_conn_accept(struct ward_front_worker *w, int fd, const char *remote);
void ward_front_conn_event(struct ward_front_conn *c, uint32_t events);
void ward_front_conn_close(struct ward_front_conn *c);
/* ward_front_conn_sweep closes c if its deadline passed or the worker drains and c is idle. */
void ward_front_conn_sweep(struct ward_front_conn *c);
/* ward_front_conn_resume serves a connection taken off the ready list. */
void ward_front_conn_resume(struct ward_front_conn *c);
struct ward_front_conn *ward_front_conn_next(const struct ward_front_conn *c);
struct ward_front_conn *ward_front_conn_ready_next(const struct ward_front_conn *c);
void ward_front_request_id(struct ward_front_worker *w, char out[WARD_REQUEST_ID_LEN + 1]);

#endif
