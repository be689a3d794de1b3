/*
 * ward/ward.h - libward, the C client of a Ward (or Vault-compatible) server.
 *
 * One struct ward_client is one connection to one server: it keeps a single
 * libcurl easy handle, so consecutive calls reuse the TLS connection.
 *
 * THREADS: a handle is never shared between threads; give each thread its
 * own. libward has no global state except libcurl's global init, which runs
 * once (pthread_once) on the first ward_client_new. Different handles may be
 * used from different threads at the same time.
 *
 * Errors: every call returns a ward_err (ward/err.h). A non-2xx answer with
 * the body {"errors":["message"],"codes":["stable_name"]} becomes the
 * ward_err whose stable name is codes[0] (an unknown name becomes
 * WARD_E_INTERNAL); the message is kept in the handle
 * (ward_client_get_error). Transport failures (cannot connect, TLS, timeout)
 * are WARD_E_SYS with curl's explanation as the message.
 *
 * SECURITY: TLS is always verified (peer and host name), against cacert when
 * given, else the system store; there is no switch to turn it off, and plain
 * http:// addresses are refused because tokens and key shares travel in
 * requests. Buffers libward builds from tokens and key shares are wiped
 * (OPENSSL_cleanse) when done. Copies made inside libcurl (header lists,
 * send buffers) and jansson (parsed response strings, e.g. new key shares)
 * are beyond libward's control and are freed without wiping.
 */
#ifndef WARD_WARD_H
#define WARD_WARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define WARD_API __attribute__((visibility("default")))

/* The address used when ward_client_opts.addr is NULL. */
#define WARD_CLIENT_DEFAULT_ADDR "https://127.0.0.1:8200"

/* The per-request timeout used when ward_client_opts.timeout_ms is 0. */
#define WARD_CLIENT_DEFAULT_TIMEOUT_MS 60000

struct ward_client;

/* Options of ward_client_new. Strings are copied; NULL or 0 means default. */
struct ward_client_opts {
    const char *addr;   /* https://host:port; default WARD_CLIENT_DEFAULT_ADDR */
    const char *token;  /* sent as X-Vault-Token; NULL: none */
    const char *cacert; /* PEM file of trusted CAs; NULL: the system store */
    int64_t timeout_ms; /* whole request, connect included; 0: the default */
    uint32_t retries;   /* extra tries of GET/LIST on connect errors or 503 */
};

/*
 * ward_client_new makes a handle from opts (NULL: all defaults). Fails with
 * WARD_E_INVALID for a malformed or non-https address, WARD_E_NOMEM, or
 * WARD_E_SYS when libcurl cannot start. The caller owns *out.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_new(struct ward_client **out,
                                                  const struct ward_client_opts *opts);

/* ward_client_free closes the connection and wipes the token; NULL is allowed. */
WARD_API void ward_client_free(struct ward_client *c);

/* ward_client_set_token replaces the token (NULL: none); the old one is wiped. */
WARD_API WARD_MUST_CHECK ward_err ward_client_set_token(struct ward_client *c, const char *token);

/*
 * ward_client_set_client_cert makes every later request present the PEM
 * client certificate cert_file with its key key_file (mutual TLS, for the
 * cert auth method); both NULL: none. WARD_E_INVALID if only one is given.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_set_client_cert(struct ward_client *c,
                                                              const char *cert_file,
                                                              const char *key_file);

/*
 * ward_client_get_error returns the message of the last failed call: the
 * server's errors[0], or a transport explanation, or "" after a success.
 * Borrowed; valid until the next call on c.
 */
WARD_API const char *ward_client_get_error(const struct ward_client *c);

/*
 * ward_client_get_body returns the body of the last response (JSON text, ""
 * when there was none) and sets *out_status to its HTTP status (0 when no
 * answer came). Borrowed; valid until the next call on c, which wipes it.
 */
WARD_API const char *ward_client_get_body(const struct ward_client *c, int *out_status);

/* One HTTP answer, owned by the caller: free with ward_client_resp_cleanup. */
struct ward_client_resp {
    int status; /* HTTP status */
    char *body; /* NUL-terminated, body_len bytes before the NUL */
    size_t body_len;
};

/* ward_client_resp_cleanup wipes and frees resp's body; resp is zeroed. */
WARD_API void ward_client_resp_cleanup(struct ward_client_resp *resp);

/*
 * ward_client_request sends method ("GET", "PUT", "POST", "DELETE", "LIST")
 * to path (starting "/v1/") with json_body (NULL: no body). On WARD_OK the
 * answer was 2xx and *resp holds it; on a non-2xx answer the mapped error is
 * returned and *resp still holds the answer. Only GET and LIST are retried.
 * The caller cleans *resp up in every case.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_request(struct ward_client *c,
                                                      struct ward_client_resp *resp,
                                                      const char *method, const char *path,
                                                      const char *json_body);

/* Key shares as the server returns them; wiped and freed by _cleanup. */
struct ward_client_keys {
    size_t num_keys;
    char **keys;        /* hex */
    char **keys_base64; /* base64 */
};

WARD_API void ward_client_keys_cleanup(struct ward_client_keys *keys);

struct ward_client_init_result {
    struct ward_client_keys keys;
    char *root_token;
};

/* ward_client_init_result_cleanup wipes and frees r; r is zeroed. */
WARD_API void ward_client_init_result_cleanup(struct ward_client_init_result *r);

/* GET /v1/sys/seal-status, and the answer of PUT /v1/sys/unseal. */
struct ward_client_seal_status {
    char type[16];
    bool initialized;
    bool sealed;
    uint32_t t; /* threshold */
    uint32_t n; /* shares */
    uint32_t progress;
    char nonce[64];
    char version[64];
    char build_date[64];
    bool migration;
    bool recovery_seal;
    char storage_type[32];
};

/* GET /v1/sys/health: status is the HTTP status, which carries meaning. */
struct ward_client_health {
    int status; /* 200 active, 429 standby, 472/473 secondary, 501 uninit, 503 sealed */
    bool initialized;
    bool sealed;
    bool standby;
    int64_t server_time_utc;
    char version[64];
};

/* GET /v1/sys/rekey/init, and the progress answers of rekey init/update. */
struct ward_client_rekey_status {
    bool started;
    char nonce[64];
    uint32_t t;
    uint32_t n;
    uint32_t progress;
    uint32_t required;
};

/* PUT /v1/sys/rekey/update: either progress, or complete with new keys. */
struct ward_client_rekey_update {
    bool complete;
    struct ward_client_rekey_status status; /* nonce always; the rest while !complete */
    struct ward_client_keys keys;           /* when complete */
};

/* ward_client_rekey_update_cleanup wipes and frees u's keys. */
WARD_API void ward_client_rekey_update_cleanup(struct ward_client_rekey_update *u);

/* GET /v1/sys/key-status. */
struct ward_client_key_status {
    uint64_t term;
    char install_time[64]; /* RFC 3339 */
    uint64_t encryptions;
};

/*
 * The sys calls below send Vault's request shapes and decode its answers.
 * Each returns WARD_OK and fills its out-param, or an error with the
 * out-param cleared. A response missing a field, or of the wrong type, is
 * WARD_E_BAD_ENCODING. The raw JSON stays readable via ward_client_get_body.
 */

/* ward_client_sys_init: PUT /v1/sys/init; the caller cleans *out up. */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_init(struct ward_client *c,
                                                       struct ward_client_init_result *out,
                                                       uint32_t shares, uint32_t threshold);

/* ward_client_sys_init_status: GET /v1/sys/init ({"initialized":b}). */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_init_status(struct ward_client *c,
                                                              bool *out_initialized);

WARD_API WARD_MUST_CHECK ward_err ward_client_sys_seal_status(struct ward_client *c,
                                                              struct ward_client_seal_status *out);

/*
 * ward_client_sys_unseal: PUT /v1/sys/unseal with one key share (hex or
 * base64; other characters are refused with WARD_E_BAD_SHARE before
 * anything is sent), or, when reset is true, with key NULL to discard the
 * progress so far.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_unseal(struct ward_client *c,
                                                         struct ward_client_seal_status *out,
                                                         const char *key, bool reset);

/* ward_client_sys_seal: PUT /v1/sys/seal (needs the token). */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_seal(struct ward_client *c);

/*
 * ward_client_sys_health: GET /v1/sys/health. 429, 472, 473, 501 and 503
 * answers are results, not errors: they fill *out and return WARD_OK.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_health(struct ward_client *c,
                                                         struct ward_client_health *out);

/* ward_client_sys_rekey_init: PUT /v1/sys/rekey/init starts a rekey. */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_rekey_init(struct ward_client *c,
                                                             struct ward_client_rekey_status *out,
                                                             uint32_t shares, uint32_t threshold);

/* ward_client_sys_rekey_status: GET /v1/sys/rekey/init. */
WARD_API WARD_MUST_CHECK ward_err
ward_client_sys_rekey_status(struct ward_client *c, struct ward_client_rekey_status *out);

/* ward_client_sys_rekey_cancel: DELETE /v1/sys/rekey/init. */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_rekey_cancel(struct ward_client *c);

/*
 * ward_client_sys_rekey_update: PUT /v1/sys/rekey/update with one current
 * key share (same character rule as unseal) and the rekey's nonce. The
 * caller cleans *out up.
 */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_rekey_update(struct ward_client *c,
                                                               struct ward_client_rekey_update *out,
                                                               const char *key, const char *nonce);

/* ward_client_sys_rotate: POST /v1/sys/rotate (needs the token). */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_rotate(struct ward_client *c);

/* ward_client_sys_key_status: GET /v1/sys/key-status (needs the token). */
WARD_API WARD_MUST_CHECK ward_err ward_client_sys_key_status(struct ward_client *c,
                                                             struct ward_client_key_status *out);

/*
 * Transit: the data calls whose bodies carry plaintext. Other transit paths
 * (keys, sign, hmac, ...) take no secret in the request and go through
 * ward_client_request with Vault's JSON shapes (docs/api.md).
 *
 * SECURITY: the request body, holding the base64 plaintext, is built by hand
 * in a buffer libward wipes (as the unseal body), never by jansson; the
 * strings put into it (ciphertext, context, format) must need no JSON
 * escaping and are refused with WARD_E_INVALID otherwise.
 */

/* The input of ward_client_transit_encrypt and _decrypt; NULL or 0 fields are left out. */
struct ward_client_transit_req {
    const char *key_name;     /* decrypt: NULL sends POST /v1/ward/decrypt (managed only) */
    const uint8_t *plaintext; /* encrypt: raw bytes; libward base64-encodes them */
    size_t plaintext_len;
    const char *ciphertext; /* decrypt */
    const char *context;    /* base64, for derived keys */
    const char *format;     /* encrypt: ciphertext_format managed (default), vault or raw */
    uint32_t key_version;   /* encrypt: 0 the current one; decrypt: needed for raw only */
};

/* The answer of a transit call, owned by the caller: free with _cleanup. */
struct ward_client_transit_result {
    char *ciphertext;     /* encrypt */
    uint32_t key_version; /* encrypt: the version used */
    uint8_t *plaintext;   /* decrypt: plaintext_len raw bytes; wiped by _cleanup */
    size_t plaintext_len;
    char key_name[129]; /* decrypt without a key name: the key that opened it */
};

/* ward_client_transit_result_cleanup wipes and frees r; r is zeroed. */
WARD_API void ward_client_transit_result_cleanup(struct ward_client_transit_result *r);

/*
 * ward_client_transit_encrypt: POST /v1/transit/encrypt/:key_name with
 * req->plaintext; sets out->ciphertext and out->key_version. As in Vault, a
 * missing key is created (aes256-gcm96). WARD_E_INVALID for a key name
 * outside [A-Za-z0-9_.@-] or a string needing JSON escaping, before anything
 * is sent. The caller cleans *out up in every case.
 */
WARD_API WARD_MUST_CHECK ward_err
ward_client_transit_encrypt(struct ward_client *c, struct ward_client_transit_result *out,
                            const struct ward_client_transit_req *req);

/*
 * ward_client_transit_decrypt: POST /v1/transit/decrypt/:key_name, or, when
 * req->key_name is NULL, Ward's POST /v1/ward/decrypt, which finds the key
 * a managed ("ward:v1:") ciphertext names and sets out->key_name. Sets
 * out->plaintext (decoded from the answer's base64). Errors as _encrypt.
 */
WARD_API WARD_MUST_CHECK ward_err
ward_client_transit_decrypt(struct ward_client *c, struct ward_client_transit_result *out,
                            const struct ward_client_transit_req *req);

#endif
