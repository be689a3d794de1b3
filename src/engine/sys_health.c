/*
 * sys_health.c - sys/health, sys/leader and sys/metrics.
 *
 * sys/health answers with Vault's codes: 200 active (Ward has no standbys
 * yet, so every unsealed node is active), 501 not initialised, 503 sealed;
 * the query parameters activecode, sealedcode, uninitcode (and standbycode,
 * drsecondarycode, performancestandbycode, accepted for compatibility)
 * override them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sys_int.h"

/* query_code reads an HTTP status override from the query string. */
static int query_code(struct op_ctx *c, const char *name, int dflt)
{
    char v[8];
    char *end = NULL;
    long n;

    if (!op_query_get(c->query, name, v, sizeof(v))) {
        return dflt;
    }
    n = strtol(v, &end, 10);
    return (end != v && *end == '\0' && n >= 200 && n <= 599) ? (int)n : dflt;
}

void op_health(struct op_ctx *c)
{
    struct ward_seal_status st;
    ward_err err;
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32];

    if ((err = ward_barrier_status(c->eng->barrier, &st)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    (void)gmtime_r(&now, &tm);
    (void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!st.initialized) {
        c->resp->status = query_code(c, "uninitcode", 501);
    } else if (st.sealed) {
        c->resp->status = query_code(c, "sealedcode", 503);
    } else {
        c->resp->status = query_code(c, "activecode", 200);
    }
    c->data =
        json_pack("{s:b, s:b, s:b, s:b, s:s, s:s, s:I, s:s, s:s, s:s}", "initialized",
                  st.initialized, "sealed", st.sealed, "standby", 0, "performance_standby", 0,
                  "replication_performance_mode", "disabled", "replication_dr_mode", "disabled",
                  "server_time_utc", (json_int_t)now, "version", c->eng->cfg.version,
                  "cluster_name", c->eng->cfg.cluster_name, "server_time", stamp);
    if (strcmp(c->req->method, "HEAD") == 0) {
        json_decref(c->data);
        c->data = json_object(); /* HEAD: the front sends no body */
    }
}

void op_leader(struct op_ctx *c)
{
    c->data =
        json_pack("{s:b, s:b, s:s, s:s, s:b}", "ha_enabled", 0, "is_self", 1, "leader_address", "",
                  "leader_cluster_address", "", "performance_standby", 0);
}

void op_metrics(struct op_ctx *c)
{
    char format[16];
    ward_err err;

    if (op_query_get(c->query, "format", format, sizeof(format)) &&
        strcmp(format, "prometheus") != 0) {
        op_fail(c, WARD_E_UNSUPPORTED, "format must be prometheus");
        return;
    }
    if ((err = metrics_render(c->eng, &c->resp->body)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    c->resp->content_type = "text/plain; version=0.0.4";
    c->resp->status = 200;
    c->data = NULL;
    c->resp->err = WARD_OK;
}
