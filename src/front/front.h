/*
 * front.h - the network-facing half of Ward: HTTPS listeners, TLS, HTTP/1.1.
 *
 * The front accepts TLS connections on N worker threads (one epoll loop each,
 * SO_REUSEPORT listeners), parses HTTP/1.1 requests and turns each one into a
 * struct ward_engine_req for the handler it was given (the keeper's engine, or
 * a canned test handler). It holds no key material and reaches the keeper only through
 * src/engine/engine.h (DESIGN.md section 1).
 *
 * Invariants: limits are enforced before anything is buffered past them; every
 * response carries X-Ward-Request-Id, Content-Type, Cache-Control: no-store and
 * Content-Length; the log line per request never holds a token, a body or the
 * query string.
 */
#ifndef WARD_FRONT_FRONT_H
#define WARD_FRONT_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "engine/engine.h"

#define WARD_FRONT_MAX_LISTENERS 4

struct ward_front_limits {
    size_t max_header_bytes;   /* request line + headers; 64 KiB -> 431 past it */
    size_t max_headers;        /* 100 -> 431 past it */
    size_t max_body_bytes;     /* 1 MiB -> 413 (refused before the body is read) */
    size_t max_connections;    /* 4096, all workers together; more are closed at once */
    int64_t header_timeout_ms; /* 10000: the full request head must arrive (slowloris) */
    int64_t body_timeout_ms;   /* 30000: the body must arrive after the head */
    int64_t idle_timeout_ms;   /* 60000: keep-alive connection with no request */
    int64_t drain_timeout_ms;  /* 10000: in-flight requests may finish on stop */
};

struct ward_front_listener {
    char addr[64]; /* numeric IPv4 or IPv6 address ("127.0.0.1", "::") */
    uint16_t port; /* 0 = any free port (see ward_front_bound_port) */
};

struct ward_front_config {
    struct ward_front_listener listeners[WARD_FRONT_MAX_LISTENERS];
    size_t num_listeners;
    char cert_file[512];      /* PEM chain, server certificate first */
    char key_file[512];       /* PEM private key */
    char client_ca_file[512]; /* "" = no client certificates requested */
    bool require_client_cert; /* with client_ca_file: refuse a handshake without one */
    bool request_client_cert; /* without client_ca_file: ask for any client certificate and pass
                                 it on unverified (the cert auth method judges it) */
    unsigned workers;         /* 0 = number of online cores */
    struct ward_front_limits limits;
};

struct ward_front;

/* ward_front_config_defaults fills cfg with the documented defaults and no listener. */
void ward_front_config_defaults(struct ward_front_config *cfg);

/*
 * ward_front_new validates cfg, loads the certificate and key, and binds the
 * listeners (one SO_REUSEPORT socket per worker and listener). It fails with
 * WARD_E_INVALID (bad config, unreadable or mismatched cert/key, logged with
 * the file name) or WARD_E_SYS (port in use, logged with the address). The
 * handler is called on worker threads and must be thread-safe; ctx is
 * borrowed. The caller owns *out.
 */
WARD_MUST_CHECK ward_err ward_front_new(struct ward_front **out,
                                        const struct ward_front_config *cfg,
                                        ward_engine_handler_fn handler, void *ctx);

/*
 * ward_front_run starts the workers and blocks. SIGTERM, SIGINT or
 * ward_front_stop: stop accepting, let in-flight requests finish (at most
 * drain_timeout_ms), close everything, return WARD_OK. SIGHUP: reload the
 * certificate and key from the same files without dropping connections (a bad
 * new pair keeps the old one and logs an error). Those three signals are read
 * through a signalfd and blocked in the calling thread while it runs and in
 * every thread it starts; SIGPIPE is ignored process-wide. Call it once.
 */
WARD_MUST_CHECK ward_err ward_front_run(struct ward_front *f);

/* ward_front_stop asks ward_front_run to drain and return. Thread- and async-signal-safe. */
void ward_front_stop(struct ward_front *f);

/*
 * ward_front_reload_tls loads the certificate and key again from the
 * configured files. New connections use them; open ones keep theirs. On
 * failure the old pair stays in use. Thread-safe.
 */
WARD_MUST_CHECK ward_err ward_front_reload_tls(struct ward_front *f);

/* ward_front_free closes the listeners and frees f (after ward_front_run returned); NULL is
 * allowed. */
void ward_front_free(struct ward_front *f);

/* ward_front_bound_port returns the port listener i is bound to (0 if i is out of range). */
uint16_t ward_front_bound_port(const struct ward_front *f, size_t i);

/*
 * ward_front_dev_certs makes dev-mode certificates in dir unless they exist:
 * ca.pem, ca-key.pem (an ECDSA P-256 CA), server.pem, server-key.pem (P-256,
 * signed by that CA, SAN IP:127.0.0.1 and DNS:localhost). Keys are written
 * mode 0600; existing files are kept (a missing server pair is signed by the
 * existing CA). Fails with WARD_E_SYS (I/O) or WARD_E_CRYPTO.
 */
WARD_MUST_CHECK ward_err ward_front_dev_certs(const char *dir);

#endif
