/*
 * dispatch.c - one engine request through the op table:
 *   route -> seal state -> token -> decode body -> handler -> response.
 *
 * Deny by default: a path not in the table is 404, a known path with another
 * method is 405, a row needing a token is refused without one.
 *
 * THREADS: see dispatch.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "control.h"
#include "engine_int.h"

ward_err ward_engine_new(struct ward_engine **out, struct ward_barrier *b,
                         const struct ward_engine_config *cfg)
{
    struct ward_audit_config acfg = { cfg->audit_node, cfg->audit_spool_dir };
    struct ward_seal_status st;
    struct ward_engine *e;

    *out = NULL;
    if ((e = ward_calloc(1, sizeof(*e))) == NULL) {
        return WARD_E_NOMEM;
    }
    e->barrier = b;
    e->cfg = *cfg;
    if (mount_table_new(&e->mounts, e) != WARD_OK || ward_auth_new(&e->auth, b) != WARD_OK ||
        ward_policies_new(&e->policies, b) != WARD_OK ||
        ward_audit_new(&e->audit, &acfg) != WARD_OK) {
        ward_engine_free(e);
        return WARD_E_NOMEM;
    }
    json_init_allocator();
    e->started_ms = ward_time_now_ms();
    if (ward_barrier_status(b, &st) == WARD_OK && st.initialized && !st.sealed) {
        engine_audit_unsealed(e); /* dev mode unseals before the engine exists */
    }
    *out = e;
    return WARD_OK;
}

void ward_engine_free(struct ward_engine *e)
{
    if (e != NULL) {
        ward_audit_free(e->audit); /* close records while the rest still stands */
        mount_table_free(e->mounts);
        ward_auth_free(e->auth);
        ward_policies_free(e->policies);
    }
    ward_free(e);
}

struct ward_barrier *ward_engine_barrier(struct ward_engine *e)
{
    return e->barrier;
}

void op_fail(struct op_ctx *c, ward_err err, const char *message)
{
    json_decref(c->data);
    c->data = NULL;
    ward_engine_resp_error(c->resp, err, message);
}

/* check_access applies the row's seal-state rule, then its token and policy rules. */
static ward_err check_access(struct op_ctx *c, const struct op_row *row)
{
    struct ward_seal_status st;
    ward_err err;

    if (row->state == OP_STATE_UNSEALED || row->auth != OP_AUTH_NONE) {
        if ((err = ward_barrier_status(c->eng->barrier, &st)) != WARD_OK) {
            return err;
        }
        if (!st.initialized) {
            return WARD_E_NOT_INITIALIZED;
        }
        if (st.sealed) {
            return WARD_E_SEALED;
        }
    }
    if (row->auth == OP_AUTH_NONE) {
        return WARD_OK;
    }
    return access_check(c, (enum op_id)(row - g_ops));
}

/*
 * mounted_path finds path's mount (c->mount, a reference dispatch drops)
 * and writes the path its rows are written for: the kind's canonical
 * prefix and the rest. No mount: path itself, unless only a mount may
 * serve it (a kind's canonical prefix whose mount was disabled):
 * WARD_E_NOT_FOUND; a path too long to be any row's: WARD_E_BAD_PATH.
 */
static ward_err mounted_path(struct op_ctx *c, const char **path, char *buf, size_t cap)
{
    const char *rest;
    int w;

    if (strncmp(*path, "sys/", 4) == 0) {
        return WARD_OK; /* never mounted: Vault's sys/ is fixed */
    }
    if ((c->mount = mount_lookup(c->eng->mounts, *path, &rest)) == NULL) {
        return mount_canonical(*path) ? WARD_E_NOT_FOUND : WARD_OK;
    }
    w = snprintf(buf, cap, "%s%s", c->mount->kind->canon, rest);
    *path = buf;
    return w >= 0 && (size_t)w < cap ? WARD_OK : WARD_E_BAD_PATH;
}

/*
 * route finds c's row into *op (its mount in c->mount); false: c has
 * failed with 404, 405 or a bad path.
 */
static bool route(struct op_ctx *c, enum op_id *op)
{
    const char *path = c->req->path;
    char routed[OP_MAX_REST + MOUNT_PATH_MAX + 64];
    ward_err err = WARD_E_NOT_FOUND;

    if (strncmp(path, "/v1/", 4) == 0) {
        path += 4;
        if ((err = mounted_path(c, &path, routed, sizeof(routed))) == WARD_OK) {
            err = op_route(op, c->rest_buf, sizeof(c->rest_buf), c->req->method, path);
        }
    }
    if (err == WARD_OK) {
        return true;
    }
    op_fail(c, err,
            err == WARD_E_UNSUPPORTED ? "method not allowed on this path"
            : err == WARD_E_BAD_PATH  ? NULL
                                      : "no handler for this path");
    if (err == WARD_E_UNSUPPORTED) {
        c->resp->status = 405;
    }
    return false;
}

/* run routes and runs req; the response is complete when it returns. */
static enum op_id run(struct ward_engine *e, struct op_ctx *c)
{
    char why[160];
    enum op_id op = OP_COUNT;
    ward_err err;

    if (!route(c, &op)) {
        return OP_COUNT;
    }
    c->rest = c->rest_buf;
    op_split_vars(c, &g_ops[op]);
    c->resp->op = g_ops[op].name;
    if ((err = check_access(c, &g_ops[op])) != WARD_OK) {
        op_fail(c, err,
                err != WARD_E_PERMISSION ? NULL
                : c->tok.num_policies == 0
                    ? "permission denied: a valid token is required"
                    : "permission denied: the token's policies do not allow this request");
        return op;
    }
    if (!engine_audit_request(c, op)) {
        return op; /* fail closed: no record, no handler */
    }
    if ((err = json_decode_body(&c->body, c->req->body, c->req->body_len, why, sizeof(why))) !=
        WARD_OK) {
        op_fail(c, err, why[0] != '\0' ? why : NULL);
        return op;
    }
    control_run(c, op); /* the handler, under dual control and FROM/TO (control.c) */
    (void)e;
    return op;
}

void ward_engine_handle(void *ctx, struct ward_engine_resp *out, const struct ward_engine_req *req)
{
    struct ward_engine *e = ctx;
    struct op_ctx c = { .eng = e, .req = req, .resp = out, .query = req->query };
    struct timespec t0;
    struct timespec t1;
    int64_t dur_us;
    enum op_id op;

    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    op = run(e, &c);
    if (out->err == WARD_OK) {
        if (c.data == NULL) {
            out->status = out->status == 200 && out->body.len == 0 ? 204 : out->status;
        } else if (json_dump_to(&out->body, c.data) != WARD_OK) {
            ward_engine_resp_error(out, WARD_E_TOO_LARGE, NULL);
        }
    }
    json_decref(c.data);
    json_decref(c.body);
    mount_unref(c.mount);
    (void)clock_gettime(CLOCK_MONOTONIC, &t1);
    dur_us = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    engine_audit_response(&c, op, dur_us);
    if (op == OP_COUNT) {
        atomic_fetch_add(&e->unrouted, 1);
        return;
    }
    metrics_record(e, op, dur_us, out->err != WARD_OK);
}
