/*
 * control.c - dual control of critical changes (seed 004, SPEC R-POL-3),
 * and control_run, the one call dispatch makes to run a handler.
 *
 * A critical change (critical() below: policies, DO routes, key export,
 * backup, wrap-for and deletion, the keyring, audit devices, mounts, and
 * this file's own time limit) asked by a caller without the root policy,
 * whose policies allow it, does not run. It becomes a pending request,
 * answered 202 with its id:
 *
 *   1. POST /v1/sys/policy/x            -> 202 {"data": {"id": ..., "state": "pending"}}
 *   2. POST /v1/sys/control/approve/<id> by another principal -> "approved"
 *   3. POST /v1/sys/policy/x?ward_approval=<id>, the same body -> runs, once
 *
 * The request is stored under the barrier ("control/req/<id>",
 * docs/storage-format.md "Dual control") as its method, path, op,
 * SHA-256 of the body and of the query (without ward_approval), the
 * requester's accessor and principal, and its expiry (sys/control/config
 * "ttl", default one hour); never the body. Step 3 must match all of them
 * and come from the same token, before the expiry; the entry is deleted
 * before the handler runs, so an approval serves once. Each step is an
 * ordinary request through dispatch, so each has its audit records (the
 * pending answer's status is 202).
 *
 * SECURITY: "different" means another principal, not another token: the
 * same person with a second token cannot approve their own request. The
 * root policy is exempt (it could mint a second principal anyway); so is
 * sys/seal, an emergency stop that must not wait (unsealing needs the key
 * shares, which are dual control of their own).
 *
 * THREADS: g_control_mu (a process-wide lock nobody writes; it only
 * orders) makes approve and consume read-check-write steps atomic, so two
 * replays of one approval cannot both run.
 */
#include "control.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "engine_int.h"
#include "kv_int.h"

#define REQ_PREFIX     "control/req/"
#define CONFIG_PATH    "control/config"
#define ID_BYTES       16
#define ID_HEX         (2 * ID_BYTES)
#define DEFAULT_TTL_S  3600
#define MAX_TTL_S      (7 * 24 * 3600)
#define MAX_PENDING    1024
#define MAX_ENTRY      8192
#define APPROVAL_PARAM "ward_approval"

static pthread_mutex_t g_control_mu = PTHREAD_MUTEX_INITIALIZER;

/* critical: the changes dual control holds back (see the file comment). */
static bool critical(enum op_id op)
{
    switch (op) {
    case OP_SYS_POLICY_WRITE:
    case OP_SYS_POLICY_DELETE:
    case OP_SYS_ACL_POLICY_WRITE:
    case OP_SYS_ACL_POLICY_DELETE:
    case OP_TRANSIT_EXPORT:
    case OP_TRANSIT_BACKUP:
    case OP_TRANSIT_WRAP_FOR:
    case OP_TRANSIT_KEY_DELETE:
    case OP_SYS_ROTATE:
    case OP_SYS_AUDIT_ENABLE:
    case OP_SYS_AUDIT_DISABLE:
    case OP_SYS_MOUNTS_ENABLE:
    case OP_SYS_MOUNTS_DISABLE:
    case OP_SYS_AUTH_ENABLE:
    case OP_SYS_AUTH_DISABLE:
    case OP_SYS_DO_ROUTE_WRITE:
    case OP_SYS_DO_ROUTE_DELETE:
    case OP_SYS_CONTROL_CONFIG:
        return true;
    default:
        return false;
    }
}

static bool has_root_policy(const struct ward_token_info *t)
{
    for (size_t i = 0; i < t->num_policies; i++) {
        if (strcmp(t->policies[i], "root") == 0) {
            return true;
        }
    }
    return t->root;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool id_ok(const char *id)
{
    return strlen(id) == ID_HEX && strspn(id, "0123456789abcdef") == ID_HEX;
}

/* ---- the time limit ---- */

static int64_t ttl_s(struct ward_engine *e)
{
    struct ward_buf buf;
    json_t *cfg = NULL;
    int64_t ttl = DEFAULT_TTL_S;

    ward_buf_init(&buf, MAX_ENTRY);
    if (ward_barrier_get(e->barrier, &buf, CONFIG_PATH) == WARD_OK &&
        (cfg = json_loadb((const char *)buf.data, buf.len, 0, NULL)) != NULL &&
        json_is_integer(json_object_get(cfg, "ttl"))) {
        ttl = json_integer_value(json_object_get(cfg, "ttl"));
    }
    json_decref(cfg);
    ward_buf_cleanup(&buf);
    return ttl >= 1 && ttl <= MAX_TTL_S ? ttl : DEFAULT_TTL_S;
}

void op_control_config_read(struct op_ctx *c)
{
    kv_reply(c, json_pack("{s:I}", "ttl", (json_int_t)ttl_s(c->eng)));
}

void op_control_config(struct op_ctx *c)
{
    int64_t ttl = 0;
    bool present = false;
    char text[64];
    ward_err err;

    if (kv_get_duration(c->body, "ttl", &ttl, &present) != WARD_OK || !present || ttl < 1 ||
        ttl > MAX_TTL_S) {
        op_fail(c, WARD_E_INVALID, "ttl must be a duration of 1s to 168h");
        return;
    }
    (void)snprintf(text, sizeof(text), "{\"ttl\":%lld}", (long long)ttl);
    if ((err = ward_barrier_put(c->eng->barrier, CONFIG_PATH, (const uint8_t *)text,
                                strlen(text))) != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

/* ---- stored requests ---- */

static void req_path(char *out, size_t cap, const char *id)
{
    (void)snprintf(out, cap, REQ_PREFIX "%s", id);
}

static ward_err req_load(struct ward_engine *e, json_t **out, const char *id)
{
    char path[sizeof(REQ_PREFIX) + ID_HEX];
    struct ward_buf buf;
    ward_err err;

    *out = NULL;
    req_path(path, sizeof(path), id);
    ward_buf_init(&buf, MAX_ENTRY);
    if ((err = ward_barrier_get(e->barrier, &buf, path)) == WARD_OK) {
        *out = json_loadb((const char *)buf.data, buf.len, 0, NULL);
        err = json_is_object(*out) ? WARD_OK : WARD_E_BAD_ENCODING;
    }
    ward_buf_cleanup(&buf);
    return err;
}

static ward_err req_store(struct ward_engine *e, const json_t *r, const char *id)
{
    char path[sizeof(REQ_PREFIX) + ID_HEX];
    char *text = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
    json_free_t jfree = NULL;
    ward_err err;

    if (text == NULL) {
        return WARD_E_NOMEM;
    }
    req_path(path, sizeof(path), id);
    err = ward_barrier_put(e->barrier, path, (const uint8_t *)text, strlen(text));
    json_get_alloc_funcs(NULL, &jfree);
    jfree(text);
    return err;
}

static ward_err req_delete(struct ward_engine *e, const char *id)
{
    char path[sizeof(REQ_PREFIX) + ID_HEX];

    req_path(path, sizeof(path), id);
    return ward_barrier_delete(e->barrier, path);
}

/* prune deletes an expired request (a failure only leaves garbage, which is pruned later). */
static void prune(struct ward_engine *e, const char *id)
{
    if (req_delete(e, id) != WARD_OK) {
        ward_log(WARD_LOG_WARN, "msg=\"dual control: an expired request was not deleted\" id=%s",
                 id);
    }
}

static const char *str(const json_t *r, const char *key)
{
    const char *s = json_string_value(json_object_get(r, key));

    return s != NULL ? s : "";
}

static bool expired(const json_t *r)
{
    return json_integer_value(json_object_get(r, "expires_ms")) <= ward_time_now_ms();
}

/* view is what sys/control shows of a stored request (every field but the times is text). */
static json_t *view(const json_t *r)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", str(r, "id"), "operation",
        str(r, "op"), "method", str(r, "method"), "path", str(r, "path"), "body_sha256",
        str(r, "body_sha256"), "requester", str(r, "requester"), "requester_accessor",
        str(r, "requester_accessor"), "state", str(r, "state"), "created_time",
        kv_time_json(json_integer_value(json_object_get(r, "created_ms"))), "expire_time",
        kv_time_json(json_integer_value(json_object_get(r, "expires_ms"))), "approver",
        str(r, "approver"));
}

/* digests writes SHA-256 (hex) of c's body and of its query without ward_approval. */
static ward_err digests(struct op_ctx *c, char body_hex[65], char query_hex[65])
{
    uint8_t sum[WARD_SHA256_LEN];
    const char *q = c->query != NULL ? c->query : "";
    struct ward_buf kept;
    ward_err err = WARD_OK;

    ward_sha256(sum, c->req->body != NULL ? c->req->body : (const uint8_t *)"", c->req->body_len);
    hex(body_hex, sum, sizeof(sum));
    ward_buf_init(&kept, strlen(q) + 1);
    while (*q != '\0' && err == WARD_OK) {
        size_t n = strcspn(q, "&");

        if (strncmp(q, APPROVAL_PARAM "=", sizeof(APPROVAL_PARAM)) != 0 && n > 0) {
            if (kept.len > 0) {
                err = ward_buf_append_u8(&kept, '&');
            }
            err = err == WARD_OK ? ward_buf_append(&kept, q, n) : err;
        }
        q += n + (q[n] == '&');
    }
    ward_sha256(sum, kept.data != NULL ? kept.data : (const uint8_t *)"", kept.len);
    hex(query_hex, sum, sizeof(sum));
    ward_buf_cleanup(&kept);
    return err;
}

/* room makes sure a new request fits: expired ones are pruned when the table is full. */
static ward_err room(struct ward_engine *e)
{
    struct ward_store_list l;
    size_t live = 0;
    bool full;
    ward_err err;

    if ((err = ward_barrier_list(e->barrier, &l, REQ_PREFIX)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; l.num >= MAX_PENDING && i < l.num; i++) {
        const char *id = l.paths[i] + strlen(REQ_PREFIX);
        json_t *r = NULL;

        if (id_ok(id) && req_load(e, &r, id) == WARD_OK && !expired(r)) {
            live++;
        } else if (id_ok(id)) {
            prune(e, id);
        }
        json_decref(r);
    }
    full = l.num >= MAX_PENDING && live >= MAX_PENDING;
    ward_store_list_cleanup(&l);
    return full ? WARD_E_BUSY : WARD_OK;
}

/* pend stores c's request as pending and answers 202. */
static void pend(struct op_ctx *c, enum op_id op)
{
    uint8_t raw[ID_BYTES];
    char id[ID_HEX + 1];
    char acc[WARD_ACCESSOR_HEX_LEN + 1];
    char body_hex[65];
    char query_hex[65];
    int64_t now = ward_time_now_ms();
    json_t *r = NULL;
    ward_err err;

    if ((err = ward_crypto_random(raw, sizeof(raw))) != WARD_OK ||
        (err = digests(c, body_hex, query_hex)) != WARD_OK || (err = room(c->eng)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_BUSY ? "too many pending requests" : NULL);
        return;
    }
    hex(id, raw, sizeof(raw));
    ward_accessor_hex(acc, c->tok.accessor);
    r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "id", id, "op",
                  g_ops[op].name, "method", c->req->method, "path", c->req->path + 4, "body_sha256",
                  body_hex, "query_sha256", query_hex, "requester", c->tok.principal,
                  "requester_accessor", acc, "created_ms", (json_int_t)now, "expires_ms",
                  (json_int_t)now + (json_int_t)ttl_s(c->eng) * 1000, "state", "pending");
    if (r == NULL || (err = req_store(c->eng, r, id)) != WARD_OK) {
        json_decref(r);
        op_fail(c, r == NULL ? WARD_E_NOMEM : err, NULL);
        return;
    }
    kv_reply(c, view(r));
    if (c->data != NULL) {
        c->resp->status = 202;
        (void)json_object_set_new(
            c->data, "warnings",
            json_pack("[s]", "dual control: this change waits for another operator's approval "
                             "(POST /v1/sys/control/approve/<id>); then send it again, "
                             "unchanged, with ?ward_approval=<id>"));
    }
    json_decref(r);
}

/* same_text compares two stored texts in constant time (accessors, digests). */
static bool same_text(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

/* matches: r is an approved, live request for exactly c's request from c's token. */
static bool matches(struct op_ctx *c, enum op_id op, const json_t *r, const char **why)
{
    char acc[WARD_ACCESSOR_HEX_LEN + 1];
    char body_hex[65];
    char query_hex[65];

    ward_accessor_hex(acc, c->tok.accessor);
    *why = "the approval has expired";
    if (expired(r)) {
        return false;
    }
    *why = "the request is not approved yet";
    if (strcmp(str(r, "state"), "approved") != 0) {
        return false;
    }
    *why = "the approval is for another request (operation, method, path, body or token differ)";
    return digests(c, body_hex, query_hex) == WARD_OK &&
           strcmp(str(r, "op"), g_ops[op].name) == 0 &&
           strcmp(str(r, "method"), c->req->method) == 0 &&
           strcmp(str(r, "path"), c->req->path + 4) == 0 &&
           same_text(str(r, "body_sha256"), body_hex) &&
           same_text(str(r, "query_sha256"), query_hex) &&
           same_text(str(r, "requester_accessor"), acc) &&
           strcmp(str(r, "requester"), c->tok.principal) == 0;
}

/* consume spends approval id on c's request: true if the handler may run. */
static bool consume(struct op_ctx *c, enum op_id op, const char *id)
{
    const char *why = "no such approved request";
    json_t *r = NULL;
    bool ok = false;

    (void)pthread_mutex_lock(&g_control_mu);
    if (id_ok(id) && req_load(c->eng, &r, id) == WARD_OK) {
        ok = matches(c, op, r, &why);
        if (ok && req_delete(c->eng, id) != WARD_OK) {
            ok = false; /* SECURITY: spent before it runs, or it does not run: one use */
            why = "the approval could not be spent; try again";
        } else if (!ok && expired(r)) {
            prune(c->eng, id);
        }
    }
    (void)pthread_mutex_unlock(&g_control_mu);
    json_decref(r);
    if (!ok) {
        op_fail(c, WARD_E_APPROVAL_INVALID, why);
        return false;
    }
    ward_log(WARD_LOG_INFO, "msg=\"dual control: approved request runs\" id=%s op=%s", id,
             g_ops[op].name);
    return true;
}

/* gate: true if the handler may run now; false if c has its answer (202 or a refusal). */
static bool gate(struct op_ctx *c, enum op_id op)
{
    char id[128];

    if (!critical(op) || has_root_policy(&c->tok)) {
        return true;
    }
    if (op_query_get(c->query, APPROVAL_PARAM, id, sizeof(id))) {
        return consume(c, op, id);
    }
    pend(c, op);
    return false;
}

/* ---- sys/control ---- */

void op_control_approve(struct op_ctx *c)
{
    char acc[WARD_ACCESSOR_HEX_LEN + 1] = "";
    ward_err err = WARD_E_APPROVAL_INVALID;
    const char *why = "no such pending request";
    json_t *r = NULL;

    if (!c->tok.root) {
        ward_accessor_hex(acc, c->tok.accessor);
    }
    (void)pthread_mutex_lock(&g_control_mu);
    if (id_ok(c->var[0]) && req_load(c->eng, &r, c->var[0]) == WARD_OK) {
        if (expired(r)) {
            why = "the request has expired";
            prune(c->eng, c->var[0]);
        } else if (strcmp(str(r, "state"), "pending") != 0) {
            why = "the request is already approved";
        } else if (strcmp(str(r, "requester"), c->tok.principal) == 0 ||
                   same_text(str(r, "requester_accessor"), acc)) {
            err = WARD_E_SELF_APPROVAL;
            why = NULL;
        } else {
            (void)json_object_set_new(r, "state", json_string("approved"));
            (void)json_object_set_new(r, "approver", json_string(c->tok.principal));
            (void)json_object_set_new(r, "approved_ms", json_integer(ward_time_now_ms()));
            err = req_store(c->eng, r, c->var[0]);
        }
    }
    (void)pthread_mutex_unlock(&g_control_mu);
    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_APPROVAL_INVALID ? why : NULL);
    } else {
        kv_reply(c, view(r));
    }
    json_decref(r);
}

void op_control_read(struct op_ctx *c)
{
    json_t *r = NULL;

    if (id_ok(c->var[0]) && req_load(c->eng, &r, c->var[0]) == WARD_OK && !expired(r)) {
        kv_reply(c, view(r));
    } else {
        op_fail(c, WARD_E_NOT_FOUND, "no such request (or it expired, or it ran)");
    }
    json_decref(r);
}

void op_control_list(struct op_ctx *c)
{
    struct ward_store_list l;
    json_t *keys = json_array();
    json_t *info = json_object();
    ward_err err = ward_barrier_list(c->eng->barrier, &l, REQ_PREFIX);

    for (size_t i = 0; err == WARD_OK && i < l.num; i++) {
        const char *id = l.paths[i] + strlen(REQ_PREFIX);
        json_t *r = NULL;

        if (id_ok(id) && req_load(c->eng, &r, id) == WARD_OK && !expired(r)) {
            (void)json_array_append_new(keys, json_string(id));
            (void)json_object_set_new(info, id, view(r));
        }
        json_decref(r);
    }
    if (err == WARD_OK) {
        ward_store_list_cleanup(&l);
    }
    if (err != WARD_OK || json_array_size(keys) == 0) {
        json_decref(keys);
        json_decref(info);
        op_fail(c, err != WARD_OK ? err : WARD_E_NOT_FOUND,
                err != WARD_OK ? NULL : "no pending requests");
        return;
    }
    kv_reply(c, json_pack("{s:o, s:o}", "keys", keys, "key_info", info));
}

/* ---- running a request ---- */

/* logoff_target: op revokes a token; *acc is its accessor (whose prefetched keys go). */
static bool logoff_target(struct op_ctx *c, enum op_id op, uint8_t acc[WARD_TOKEN_ID_LEN])
{
    struct ward_token_info t;
    const char *text = NULL;
    size_t len = 0;

    if (op == OP_AUTH_TOKEN_REVOKE_SELF && !c->tok.root) {
        memcpy(acc, c->tok.accessor, WARD_TOKEN_ID_LEN);
        return true;
    }
    if (op == OP_AUTH_TOKEN_REVOKE_ACCESSOR) {
        text = json_string_value(json_object_get(c->body, "accessor"));
        return text != NULL && ward_accessor_parse(acc, text);
    }
    if (op == OP_AUTH_TOKEN_REVOKE && json_get_string(c->body, "token", &text, &len) == WARD_OK &&
        text != NULL &&
        ward_auth_validate(c->eng->auth, &t, text, len, ward_time_now_ms()) == WARD_OK && !t.root) {
        memcpy(acc, t.accessor, WARD_TOKEN_ID_LEN);
        return true;
    }
    return false;
}

void control_run(struct op_ctx *c, enum op_id op)
{
    uint8_t acc[WARD_TOKEN_ID_LEN];
    bool logoff = logoff_target(c, op, acc);

    if (!gate(c, op) || !do_party_gate(c, op)) {
        return;
    }
    g_ops[op].handler(c);
    if (logoff && c->resp->err == WARD_OK) {
        do_logoff_flush(c->eng, acc); /* seed 004: logoff flushes the keys prefetched for it */
    }
}
