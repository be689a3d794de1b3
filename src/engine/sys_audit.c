/*
 * sys_audit.c - the audit trail in the engine: the two records of every
 * request (engine_audit_request before the handler runs, engine_audit_response
 * after it answered) and Vault's sys/audit paths (enable, list, disable,
 * audit-hash) with Ward's sys/audit-head (the verifier's anchor for the tail)
 * and sys/audit-key (a chain's MAC key, for `ward audit verify`).
 *
 * Keeper-side. Fail closed: when the request record cannot be written the
 * handler never runs and the answer is 503 audit_failed; when the response
 * record cannot be written the answer is replaced by the same error, so a
 * result (a plaintext, a key) never leaves without its record.
 *
 * SECURITY: the records hold the op, the path, the transit key name and the
 * HMAC of the token (or of its accessor); never a body, query or answer.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "base/log.h"
#include "engine_int.h"

/* key_of is the transit key named by c's path (the ":name" segment), or NULL. */
static const char *key_of(const struct op_ctx *c, enum op_id op)
{
    const char *p = g_ops[op].path;
    size_t i = 0;

    if (strncmp(p, "transit/", 8) != 0) {
        return NULL;
    }
    for (const char *s = strchr(p, ':'); s != NULL; s = strchr(s + 1, ':'), i++) {
        if (strncmp(s, ":name", 5) == 0 && (s[5] == '\0' || s[5] == '/' || s[5] == '?')) {
            return i < c->num_vars ? c->var[i] : NULL;
        }
    }
    return NULL;
}

/* fill sets ev from c; authed: access_check passed, so c->tok is the caller's. */
static void fill(struct ward_audit_event *ev, const struct op_ctx *c, enum op_id op, bool authed,
                 char accessor[WARD_ACCESSOR_HEX_LEN + 1])
{
    const char *path = c->req->path;

    ev->request_id = c->req->request_id;
    ev->remote_addr = c->req->remote_addr;
    ev->method = c->req->method;
    ev->operation = op < OP_COUNT ? g_ops[op].name : NULL;
    ev->path = strncmp(path, "/v1/", 4) == 0 ? path + 4 : path;
    ev->key = c->audit_key[0] != '\0' ? c->audit_key : op < OP_COUNT ? key_of(c, op) : NULL;
    ev->token = c->req->token;
    if (!authed || op >= OP_COUNT || g_ops[op].auth == OP_AUTH_NONE) {
        return;
    }
    ev->auth.principal = c->tok.principal;
    if (!c->tok.root) {
        ward_accessor_hex(accessor, c->tok.accessor);
        ev->auth.accessor = accessor;
    }
    for (size_t i = 0; i < c->tok.num_policies && i < WARD_AUDIT_MAX_POLICIES; i++) {
        ev->auth.policies[ev->auth.num_policies++] = c->tok.policies[i];
    }
}

bool engine_audit_request(struct op_ctx *c, enum op_id op)
{
    struct ward_audit_event ev = { .kind = WARD_AUDIT_REQUEST };
    char accessor[WARD_ACCESSOR_HEX_LEN + 1];

    c->audited = true; /* written, or waiting in the devices' queues */
    if (ward_audit_idle(c->eng->audit)) {
        return true;
    }
    fill(&ev, c, op, true, accessor);
    ward_audit_id_hmac(c->eng->audit, c->audit_id, &ev);
    ev.id_hmac = c->audit_id;
    if (ward_audit_record(c->eng->audit, &ev) != WARD_OK) {
        op_fail(c, WARD_E_AUDIT_FAILED, NULL);
        return false;
    }
    return true;
}

void engine_audit_response(struct op_ctx *c, enum op_id op, int64_t duration_us)
{
    struct ward_audit_event ev = { .kind = WARD_AUDIT_RESPONSE };
    char accessor[WARD_ACCESSOR_HEX_LEN + 1];
    bool failed = false;

    if (ward_audit_idle(c->eng->audit)) {
        return;
    }
    if (!c->audited) {
        /* refused before the handler (route, seal, token, policy): both records now */
        ev.kind = WARD_AUDIT_REQUEST;
        fill(&ev, c, op, false, accessor);
        ward_audit_id_hmac(c->eng->audit, c->audit_id, &ev);
        ev.id_hmac = c->audit_id;
        failed = ward_audit_record(c->eng->audit, &ev) != WARD_OK;
        memset(&ev, 0, sizeof(ev));
        ev.kind = WARD_AUDIT_RESPONSE;
    }
    fill(&ev, c, op, c->audited, accessor);
    ev.id_hmac =
        c->audit_id[0] != '\0' ? c->audit_id : NULL; /* "": made now (sealed, or no device then) */
    ev.status = c->resp->status;
    ev.error = c->resp->err != WARD_OK ? ward_err_name(c->resp->err) : NULL;
    ev.duration_us = duration_us;
    if (ward_audit_record(c->eng->audit, &ev) != WARD_OK || failed) {
        ward_engine_resp_error(c->resp, WARD_E_AUDIT_FAILED, NULL);
    }
}

void engine_audit_unsealed(struct ward_engine *e)
{
    ward_err err = ward_audit_unsealed(e->audit, e->barrier);

    if (err != WARD_OK) {
        ward_log(WARD_LOG_ERROR, "msg=\"audit key or device table not loaded\" code=%s",
                 ward_err_name(err));
    }
}

/* sys_reply sets c->data to Vault's sys answer: data's members at the top and under "data". */
static void sys_reply(struct op_ctx *c, json_t *data)
{
    if (data == NULL || (c->data = json_deep_copy(data)) == NULL ||
        json_object_set_new(c->data, "data", data) != 0) {
        json_decref(data);
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
}

void op_audit_list(struct op_ctx *c)
{
    struct ward_audit_device_conf confs[WARD_AUDIT_MAX_DEVICES];
    size_t n = ward_audit_list(c->eng->audit, confs, WARD_AUDIT_MAX_DEVICES);
    json_t *data = json_object();

    for (size_t i = 0; i < n && data != NULL; i++) {
        char key[sizeof(confs[i].path) + 1];

        (void)snprintf(key, sizeof(key), "%.64s/", confs[i].path);
        if (json_object_set_new(data, key, ward_audit_conf_json(&confs[i])) != 0) {
            json_decref(data);
            data = NULL;
        }
    }
    sys_reply(c, data);
}

void op_audit_enable(struct op_ctx *c)
{
    struct ward_audit_device_conf conf;
    char why[300] = "";
    ward_err err;

    if ((err = ward_audit_conf_parse(&conf, c->body, c->var[0], why, sizeof(why))) != WARD_OK ||
        (err = ward_audit_enable(c->eng->audit, c->eng->barrier, &conf, why, sizeof(why))) !=
            WARD_OK) {
        op_fail(c, err, why[0] != '\0' ? why : NULL);
    }
}

void op_audit_disable(struct op_ctx *c)
{
    ward_err err = ward_audit_disable(c->eng->audit, c->eng->barrier, c->var[0]);

    /* as Vault: disabling a path with no device succeeds */
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void op_audit_hash(struct op_ctx *c)
{
    char out[WARD_AUDIT_HASH_TEXT_LEN + 1];
    struct ward_audit_head head;
    const char *in = NULL;
    size_t len = 0;
    ward_err err;

    if (json_get_string(c->body, "input", &in, &len) != WARD_OK || in == NULL) {
        op_fail(c, WARD_E_INVALID, "input must be a string");
        return;
    }
    if ((err = ward_audit_get_head(c->eng->audit, &head, c->var[0])) == WARD_E_NOT_FOUND ||
        (err = ward_audit_hash(c->eng->audit, out, (const uint8_t *)in, len)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no audit device at this path" : NULL);
        return;
    }
    sys_reply(c, json_pack("{s:s}", "hash", out));
}

void op_audit_head(struct op_ctx *c)
{
    struct ward_audit_head h;
    char hash[WARD_AUDIT_HEX_LEN + 1];
    char start[WARD_AUDIT_HEX_LEN + 1];
    ward_err err;

    if ((err = ward_audit_get_head(c->eng->audit, &h, c->var[0])) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_NOT_FOUND ? "no audit device at this path"
                                        : "the device has not written its header yet");
        return;
    }
    ward_audit_hex(hash, h.hash, sizeof(h.hash));
    ward_audit_hex(start, h.start, sizeof(h.start));
    sys_reply(c, json_pack("{s:I, s:s, s:s, s:I}", "seq", (json_int_t)h.seq, "hash", hash, "start",
                           start, "queued", (json_int_t)h.queued));
}

void op_audit_key(struct op_ctx *c)
{
    struct ward_audit_head h;
    uint8_t start[WARD_AUDIT_HASH_LEN];
    uint8_t key[WARD_AUDIT_KEY_LEN];
    char hex[WARD_AUDIT_HEX_LEN + 1];
    char start_hex[WARD_AUDIT_HEX_LEN + 1];
    const char *in = NULL;
    size_t len = 0;
    ward_err err;

    if ((err = ward_audit_get_head(c->eng->audit, &h, c->var[0])) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no audit device at this path" : NULL);
        return;
    }
    /* an older file of the device (rotated away) names its own start */
    if (json_get_string(c->body, "start", &in, &len) != WARD_OK ||
        (in != NULL && ward_audit_unhex(start, sizeof(start), in, len) != WARD_OK)) {
        op_fail(c, WARD_E_INVALID, "start must be 64 lowercase hex digits");
        return;
    }
    if (in == NULL) {
        memcpy(start, h.start, sizeof(start));
    }
    if ((err = ward_audit_file_key(c->eng->audit, key, start)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    ward_audit_hex(hex, key, sizeof(key));
    ward_audit_hex(start_hex, start, sizeof(start));
    sys_reply(c, json_pack("{s:s, s:s}", "key", hex, "start", start_hex));
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(hex, sizeof(hex));
}
