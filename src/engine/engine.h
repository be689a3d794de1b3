/*
 * engine.h - engine requests and responses: the only thing the front and the
 * keeper exchange (DESIGN.md section 1).
 *
 * The front (src/front/) turns an HTTP request into a struct ward_engine_req,
 * hands it to a handler (the keeper's ward_engine_handle, or a canned test handler) and
 * writes the struct ward_engine_resp back. The front includes only this
 * header and base/; it never reaches into keeper state.
 *
 * Today the transport is an in-process call on the front's worker thread, so
 * handlers must be thread-safe. Everything in a request is borrowed for the
 * duration of the call.
 */
#ifndef WARD_ENGINE_ENGINE_H
#define WARD_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define WARD_REQUEST_ID_LEN 36 /* UUID text */
#define WARD_MAX_RESP_BODY  (8u << 20)

struct ward_engine_req {
    const char *method; /* "GET", "POST", "PUT", "DELETE", "LIST", ... (upper case) */
    const char *path;   /* URL path as sent, without the query, e.g. "/v1/sys/health" */
    const char *query;  /* raw query string without '?', or NULL */
    const uint8_t *body;
    size_t body_len;
    const char *token;            /* X-Vault-Token, or the Bearer value; NULL if none */
    const char *request_id;       /* made by the front, echoed as X-Ward-Request-Id */
    const char *remote_addr;      /* "ip:port" of the peer */
    const uint8_t *peer_cert_der; /* client certificate (mutual TLS), DER; NULL if none */
    size_t peer_cert_der_len;
};

struct ward_engine_resp {
    int status;               /* HTTP status */
    const char *content_type; /* static string; NULL = "application/json" */
    struct ward_buf body;     /* owned; the front cleans it up after writing */
    ward_err err;             /* WARD_OK or the stable code behind an error status */
    const char *op;           /* static op name for logs and metrics ("sys.health"), or NULL */
};

/*
 * A handler fills *out for req. It must not fail: errors are responses.
 * out->body arrives initialised (ward_buf_init with WARD_MAX_RESP_BODY).
 */
typedef void (*ward_engine_handler_fn)(void *ctx, struct ward_engine_resp *out,
                                       const struct ward_engine_req *req);

/* ward_engine_resp_init prepares an empty 200 response. */
void ward_engine_resp_init(struct ward_engine_resp *r);

/* ward_engine_resp_cleanup frees the body. */
void ward_engine_resp_cleanup(struct ward_engine_resp *r);

/*
 * ward_engine_resp_error makes r a Vault-shaped error:
 * {"errors":["<message>"],"codes":["<stable name>"]} with err's HTTP status.
 * message NULL = ward_err_str(err). Never put a secret in message.
 */
void ward_engine_resp_error(struct ward_engine_resp *r, ward_err err, const char *message);

#endif
