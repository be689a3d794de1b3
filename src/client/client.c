/*
 * client.c - libward's handle and its HTTPS transport (libcurl).
 *
 * THREADS: a handle belongs to one thread at a time (ward/ward.h). The only
 * process-wide state is libcurl's global init, run once under g_curl_once.
 *
 * One easy handle per client: curl_easy_reset before each request clears
 * the options but keeps the connection cache, so the TLS session is reused.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "base/mem.h"
#include "client_int.h"

/* Written once by init_curl under g_curl_once, read-only afterwards. */
static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_rc = CURLE_FAILED_INIT;

#define URL_MAX          8192u
#define TOKEN_HEADER_MAX 4096u
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS   2000

static void init_curl(void)
{
    g_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

ward_err ward_client_fail(struct ward_client *c, ward_err err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
    return err;
}

static ward_err copy_opt(char **out, const char *in)
{
    *out = NULL;
    if (in == NULL) {
        return WARD_OK;
    }
    *out = ward_strdup(in);
    return *out == NULL ? WARD_E_NOMEM : WARD_OK;
}

/* set_addr checks addr is https://host[:port][/] and stores it without the '/'. */
static ward_err set_addr(struct ward_client *c, const char *addr)
{
    size_t len;

    if (addr == NULL) {
        addr = WARD_CLIENT_DEFAULT_ADDR;
    }
    len = strlen(addr);
    /* SECURITY: tokens and key shares must not travel in clear */
    if (len <= 8 || strncmp(addr, "https://", 8) != 0 || len >= URL_MAX / 2) {
        return WARD_E_INVALID;
    }
    while (len > 8 && addr[len - 1] == '/') {
        len--;
    }
    c->addr = ward_alloc(len + 1);
    if (c->addr == NULL) {
        return WARD_E_NOMEM;
    }
    memcpy(c->addr, addr, len);
    c->addr[len] = '\0';
    return WARD_OK;
}

ward_err ward_client_new(struct ward_client **out, const struct ward_client_opts *opts)
{
    static const struct ward_client_opts defaults = { 0 };
    struct ward_client *c = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->timeout_ms < 0 || pthread_once(&g_curl_once, init_curl) != 0) {
        return WARD_E_INVALID;
    }
    if (g_curl_rc != CURLE_OK) {
        return WARD_E_SYS;
    }
    if ((c = ward_calloc(1, sizeof(*c))) == NULL) {
        return WARD_E_NOMEM;
    }
    ward_buf_init(&c->body, CLIENT_BODY_MAX);
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : WARD_CLIENT_DEFAULT_TIMEOUT_MS;
    c->retries = opts->retries;
    if ((err = set_addr(c, opts->addr)) != WARD_OK ||
        (err = copy_opt(&c->token, opts->token)) != WARD_OK ||
        (err = copy_opt(&c->cacert, opts->cacert)) != WARD_OK) {
        goto out;
    }
    if ((c->curl = curl_easy_init()) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    *out = c;
    c = NULL;
    err = WARD_OK;
out:
    ward_client_free(c);
    return err;
}

static void free_token(char *token)
{
    if (token != NULL) {
        ward_free_wipe(token, strlen(token));
    }
}

void ward_client_free(struct ward_client *c)
{
    if (c == NULL) {
        return;
    }
    if (c->curl != NULL) {
        curl_easy_cleanup(c->curl);
    }
    free_token(c->token);
    ward_free(c->addr);
    ward_free(c->cacert);
    ward_free(c->client_cert);
    ward_free(c->client_key);
    ward_buf_cleanup(&c->body);
    ward_free(c);
}

ward_err ward_client_set_token(struct ward_client *c, const char *token)
{
    char *copy = NULL;

    if (token != NULL && (copy = ward_strdup(token)) == NULL) {
        return WARD_E_NOMEM;
    }
    free_token(c->token);
    c->token = copy;
    return WARD_OK;
}

ward_err ward_client_set_client_cert(struct ward_client *c, const char *cert_file,
                                     const char *key_file)
{
    char *cert = NULL;
    char *key = NULL;

    if ((cert_file == NULL) != (key_file == NULL)) {
        return WARD_E_INVALID;
    }
    if (copy_opt(&cert, cert_file) != WARD_OK || copy_opt(&key, key_file) != WARD_OK) {
        ward_free(cert);
        return WARD_E_NOMEM;
    }
    ward_free(c->client_cert);
    ward_free(c->client_key);
    c->client_cert = cert;
    c->client_key = key;
    return WARD_OK;
}

const char *ward_client_get_error(const struct ward_client *c)
{
    return c->error;
}

const char *ward_client_get_body(const struct ward_client *c, int *out_status)
{
    *out_status = c->status;
    return c->body.data != NULL ? (const char *)c->body.data : "";
}

void ward_client_resp_cleanup(struct ward_client_resp *resp)
{
    if (resp->body != NULL) {
        ward_free_wipe(resp->body, resp->body_len + 1);
    }
    memset(resp, 0, sizeof(*resp));
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct ward_client *c = userdata;

    /* curl guarantees size == 1, so size * nmemb cannot overflow */
    if (ward_buf_append(&c->body, ptr, size * nmemb) != WARD_OK) {
        c->body_overflow = true;
        return 0;
    }
    return size * nmemb;
}

/* add_headers builds the header list; the token line is wiped after curl copies it. */
static ward_err add_headers(struct ward_client *c, struct curl_slist **out)
{
    char line[TOKEN_HEADER_MAX];
    struct curl_slist *l = NULL;
    struct curl_slist *next = NULL;
    ward_err err = WARD_E_NOMEM;
    int n;

    *out = NULL;
    if ((l = curl_slist_append(NULL, "Content-Type: application/json")) == NULL) {
        goto out;
    }
    if (c->token != NULL) {
        n = snprintf(line, sizeof(line), "X-Vault-Token: %s", c->token);
        if (n < 0 || (size_t)n >= sizeof(line)) {
            err = ward_client_fail(c, WARD_E_TOO_LARGE, "token is too long");
            goto out;
        }
        if ((next = curl_slist_append(l, line)) == NULL) {
            goto out;
        }
        l = next;
    }
    *out = l;
    l = NULL;
    err = WARD_OK;
out:
    OPENSSL_cleanse(line, sizeof(line));
    curl_slist_free_all(l);
    return err;
}

static ward_err set_method(CURL *h, const struct client_req *r)
{
    CURLcode rc = CURLE_OK;

    if (strcmp(r->method, "GET") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (rc == CURLE_OK && strcmp(r->method, "GET") != 0) {
        /* POSTFIELDS borrows the body (no copy); an empty one still says Content-Length: 0 */
        rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)r->body_len);
        if (rc == CURLE_OK) {
            rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
        }
    }
    return rc == CURLE_OK ? WARD_OK : WARD_E_INVALID;
}

/* set_options sets every option of one request on a freshly reset handle. */
static ward_err set_options(struct ward_client *c, const char *url, struct curl_slist *hdrs)
{
    CURL *h = c->curl;
    CURLcode rc = CURLE_OK;

    rc |= curl_easy_setopt(h, CURLOPT_URL, url);
    rc |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    /* SECURITY: verification is never turned off; the CA file narrows trust */
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->cacert != NULL) {
        rc |= curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    }
    if (c->client_cert != NULL) {
        rc |= curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
        rc |= curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
    }
    rc |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    rc |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    rc |= curl_easy_setopt(h, CURLOPT_USERAGENT,
                           "libward/"
                           "0.1");
    rc |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_error);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    rc |= curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    rc |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    return rc == CURLE_OK ? WARD_OK : WARD_E_INTERNAL;
}

static ward_err transport_error(struct ward_client *c, CURLcode rc)
{
    if (c->body_overflow) {
        return ward_client_fail(c, WARD_E_TOO_LARGE, "response from %s is too large", c->addr);
    }
    return ward_client_fail(c, WARD_E_SYS, "cannot reach %s: %s", c->addr,
                            c->curl_error[0] != '\0' ? c->curl_error : curl_easy_strerror(rc));
}

static bool is_result_status(int status)
{
    return status == 429 || status == 472 || status == 473 || status == 501 || status == 503;
}

/* perform_once sends r once; *out_rc tells the retry loop what happened. */
static ward_err perform_once(struct ward_client *c, const struct client_req *r, const char *url,
                             CURLcode *out_rc)
{
    struct curl_slist *hdrs = NULL;
    long status = 0;
    ward_err err = WARD_E_INTERNAL;

    *out_rc = CURLE_OK;
    ward_buf_reset(&c->body);
    c->status = 0;
    c->body_overflow = false;
    c->curl_error[0] = '\0';
    curl_easy_reset(c->curl);
    if ((err = add_headers(c, &hdrs)) != WARD_OK || (err = set_options(c, url, hdrs)) != WARD_OK ||
        (err = set_method(c->curl, r)) != WARD_OK) {
        goto out;
    }
    if ((*out_rc = curl_easy_perform(c->curl)) != CURLE_OK) {
        err = transport_error(c, *out_rc);
        goto out;
    }
    (void)curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    c->status = (int)status;
    if ((err = ward_buf_terminate(&c->body)) != WARD_OK) {
        goto out;
    }
    if ((status >= 200 && status < 300) || (r->status_is_result && is_result_status(c->status))) {
        err = WARD_OK;
        goto out;
    }
    ward_client_decode_error(&err, c->error, sizeof(c->error), c->status,
                             (const char *)c->body.data, c->body.len);
out:
    curl_slist_free_all(hdrs);
    return err;
}

static bool should_retry(const struct ward_client *c, ward_err err, CURLcode rc)
{
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
        return true;
    }
    /* a sealed server stays sealed: retrying would only delay the answer */
    return rc == CURLE_OK && c->status == 503 && err != WARD_OK && err != WARD_E_SEALED;
}

static void backoff(uint32_t attempt)
{
    int64_t ms = BACKOFF_FIRST_MS;
    struct timespec ts;

    for (uint32_t i = 0; i < attempt && ms < BACKOFF_MAX_MS; i++) {
        ms *= 2;
    }
    ms = ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    (void)nanosleep(&ts, NULL);
}

static ward_err build_url(struct ward_client *c, char *out, size_t out_cap, const char *path)
{
    int n;

    if (path == NULL || path[0] != '/') {
        return ward_client_fail(c, WARD_E_INVALID, "path must start with '/'");
    }
    n = snprintf(out, out_cap, "%s%s", c->addr, path);
    if (n < 0 || (size_t)n >= out_cap) {
        return ward_client_fail(c, WARD_E_TOO_LARGE, "path is too long");
    }
    return WARD_OK;
}

ward_err ward_client_send(struct ward_client *c, const struct client_req *r)
{
    char url[URL_MAX];
    bool idempotent = strcmp(r->method, "GET") == 0 || strcmp(r->method, "LIST") == 0;
    uint32_t tries = idempotent ? c->retries + 1 : 1;
    CURLcode rc = CURLE_OK;
    ward_err err = WARD_E_INTERNAL;

    c->error[0] = '\0';
    if ((err = build_url(c, url, sizeof(url), r->path)) != WARD_OK) {
        return err;
    }
    for (uint32_t i = 0; i < tries; i++) {
        if (i > 0) {
            backoff(i - 1);
        }
        c->error[0] = '\0';
        err = perform_once(c, r, url, &rc);
        if (!should_retry(c, err, rc) || r->status_is_result) {
            break;
        }
    }
    return err;
}

ward_err ward_client_request(struct ward_client *c, struct ward_client_resp *resp,
                             const char *method, const char *path, const char *json_body)
{
    struct client_req r = { method, path, json_body, json_body ? strlen(json_body) : 0, false };
    ward_err err = WARD_E_INTERNAL;
    ward_err send_err;

    memset(resp, 0, sizeof(*resp));
    if (method == NULL) {
        return ward_client_fail(c, WARD_E_INVALID, "no method");
    }
    send_err = ward_client_send(c, &r);
    if (c->status == 0) {
        return send_err;
    }
    resp->body_len = c->body.len;
    if ((resp->body = ward_alloc(c->body.len + 1)) == NULL) {
        return WARD_E_NOMEM;
    }
    if (c->body.len > 0) {
        memcpy(resp->body, c->body.data, c->body.len);
    }
    resp->body[c->body.len] = '\0';
    resp->status = c->status;
    err = send_err;
    return err;
}
