/*
 * client_int.h - libward's internals, for the .c files of src/client and their tests only.
 *
 * Invariants of struct ward_client: curl is a live easy handle; addr is an
 * https:// URL without a trailing '/'; body holds the last response (wiped
 * when the next request starts and at free); error is NUL-terminated.
 */
#ifndef WARD_CLIENT_CLIENT_INT_H
#define WARD_CLIENT_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/buf.h"
#include "ward/ward.h"

/* Largest response body accepted: a bigger one fails with WARD_E_TOO_LARGE. */
#define CLIENT_BODY_MAX (16u * 1024u * 1024u)

/* Largest key share or nonce accepted by the sys calls. */
#define CLIENT_SHARE_MAX 1024u

struct ward_client {
    CURL *curl;
    char *addr;
    char *token; /* SECURITY: wiped on replace and free */
    char *cacert;
    char *client_cert; /* PEM file of a client certificate (mutual TLS), or NULL */
    char *client_key;  /* PEM file of its private key, or NULL */
    int64_t timeout_ms;
    uint32_t retries;
    struct ward_buf body; /* last response, NUL-terminated after each call */
    int status;           /* HTTP status of the last response, 0 if none */
    bool body_overflow;   /* the write callback hit CLIENT_BODY_MAX */
    char error[512];
    char curl_error[CURL_ERROR_SIZE];
};

/* One request as the transport sees it. */
struct client_req {
    const char *method;
    const char *path;
    const char *body; /* NULL: none */
    size_t body_len;
    bool status_is_result; /* sys/health: its non-2xx statuses are answers */
};

/*
 * ward_client_send performs r, with retries when r is idempotent, leaving
 * the answer in c->body/c->status and any message in c->error.
 */
WARD_MUST_CHECK ward_err ward_client_send(struct ward_client *c, const struct client_req *r);

/*
 * ward_client_decode_error turns a non-2xx answer (status, body of len
 * bytes, may be NULL) into *out_err and a message in msg (msg_cap bytes,
 * always NUL-terminated): codes[0] names the error (unknown: WARD_E_INTERNAL;
 * absent: a guess from the status) and errors[0] is the message. Pure.
 */
void ward_client_decode_error(ward_err *out_err, char *msg, size_t msg_cap, int status,
                              const char *body, size_t len);

/* ward_client_err_from_name maps a stable name to its code (unknown: WARD_E_INTERNAL). */
ward_err ward_client_err_from_name(const char *name);

/*
 * ward_client_check_token_chars is true when s (len bytes) is non-empty and
 * only has characters of hex, base64, base64url or a UUID, so it can be put
 * in a JSON string as is.
 */
bool ward_client_check_token_chars(const char *s, size_t len);

/* ward_client_parse_body parses c->body into *out (the caller json_decref's it). */
WARD_MUST_CHECK ward_err ward_client_parse_body(struct ward_client *c, json_t **out);

/* JSON field readers: a missing or mistyped field is WARD_E_BAD_ENCODING. */
WARD_MUST_CHECK ward_err ward_client_json_bool(const json_t *o, const char *name, bool *out);
WARD_MUST_CHECK ward_err ward_client_json_u32(const json_t *o, const char *name, uint32_t *out);
WARD_MUST_CHECK ward_err ward_client_json_u64(const json_t *o, const char *name, uint64_t *out);

/* ward_client_json_str copies an optional string field into out ("" if absent). */
WARD_MUST_CHECK ward_err ward_client_json_str(const json_t *o, const char *name, char *out,
                                              size_t out_cap);

/* ward_client_json_keys reads "keys" and "keys_base64" into *out. */
WARD_MUST_CHECK ward_err ward_client_json_keys(const json_t *o, struct ward_client_keys *out);

/* ward_client_json_safe is true when s is printable ASCII without '"' or '\\' (no escaping). */
bool ward_client_json_safe(const char *s);

/* ward_client_key_name_ok is true for a transit key name: 1..128 of [A-Za-z0-9_.@-], not . or .. */
bool ward_client_key_name_ok(const char *s);

/*
 * ward_client_transit_body builds the JSON body of a transit encrypt (with
 * req's plaintext, base64-encoded) or decrypt (req's ciphertext) into b,
 * NUL-terminated. WARD_E_INVALID if a string needs JSON escaping or the
 * ciphertext is missing; WARD_E_TOO_LARGE past b's max. Pure.
 */
WARD_MUST_CHECK ward_err ward_client_transit_body(struct ward_buf *b,
                                                  const struct ward_client_transit_req *req,
                                                  bool encrypt);

/* ward_client_fail records a message for the call in progress; returns err. */
ward_err ward_client_fail(struct ward_client *c, ward_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
