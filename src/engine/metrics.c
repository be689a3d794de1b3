/*
 * metrics.c - per-op request counts and latency histograms, rendered in the
 * Prometheus text format at /v1/sys/metrics?format=prometheus.
 *
 * THREADS: counters are relaxed atomics bumped by every worker; a render
 * reads them without a lock (a scrape may see one request half-counted).
 */
#include <stdarg.h>
#include <stdio.h>

#include "engine_int.h"

/* Upper bounds of the latency buckets, in microseconds (the last is +Inf). */
static const int64_t g_bounds_us[METRIC_BUCKETS - 1] = { 50,   100,   250,   500,    1000,   2500,
                                                         5000, 10000, 25000, 100000, 1000000 };

void metrics_record(struct ward_engine *e, enum op_id op, int64_t dur_us, bool error)
{
    struct op_metrics *m = &e->metrics[op];
    int b = 0;

    while (b < METRIC_BUCKETS - 1 && dur_us > g_bounds_us[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (uint64_t)(dur_us < 0 ? 0 : dur_us),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    if (error) {
        atomic_fetch_add_explicit(&m->errors, 1, memory_order_relaxed);
    }
}

static ward_err appendf(struct ward_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ward_err appendf(struct ward_buf *out, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return WARD_E_INTERNAL;
    }
    return ward_buf_append(out, line, (size_t)n);
}

static ward_err render_op(struct ward_buf *out, const char *name, struct op_metrics *m)
{
    uint64_t cum = 0;
    ward_err err = WARD_OK;

    for (int b = 0; b < METRIC_BUCKETS && err == WARD_OK; b++) {
        cum += atomic_load_explicit(&m->bucket[b], memory_order_relaxed);
        if (b < METRIC_BUCKETS - 1) {
            err = appendf(out, "ward_request_duration_seconds_bucket{op=\"%s\",le=\"%g\"} %llu\n",
                          name, (double)g_bounds_us[b] / 1e6, (unsigned long long)cum);
        } else {
            err = appendf(out, "ward_request_duration_seconds_bucket{op=\"%s\",le=\"+Inf\"} %llu\n",
                          name, (unsigned long long)cum);
        }
    }
    if (err == WARD_OK) {
        err = appendf(out,
                      "ward_request_duration_seconds_sum{op=\"%s\"} %g\n"
                      "ward_request_duration_seconds_count{op=\"%s\"} %llu\n"
                      "ward_requests_total{op=\"%s\"} %llu\n"
                      "ward_request_errors_total{op=\"%s\"} %llu\n",
                      name, (double)atomic_load(&m->sum_us) / 1e6, name, (unsigned long long)cum,
                      name, (unsigned long long)atomic_load(&m->count), name,
                      (unsigned long long)atomic_load(&m->errors));
    }
    return err;
}

ward_err metrics_render(struct ward_engine *e, struct ward_buf *out)
{
    struct ward_seal_status st;
    ward_err err;

    if ((err = ward_barrier_status(e->barrier, &st)) != WARD_OK) {
        return err;
    }
    err = appendf(out,
                  "# TYPE ward_build_info gauge\nward_build_info{version=\"%s\"} 1\n"
                  "# TYPE ward_sealed gauge\nward_sealed %d\n"
                  "# TYPE ward_initialized gauge\nward_initialized %d\n"
                  "# TYPE ward_unrouted_requests_total counter\nward_unrouted_requests_total %llu\n"
                  "# TYPE ward_request_duration_seconds histogram\n"
                  "# TYPE ward_requests_total counter\n# TYPE ward_request_errors_total counter\n",
                  e->cfg.version, st.sealed ? 1 : 0, st.initialized ? 1 : 0,
                  (unsigned long long)atomic_load(&e->unrouted));
    for (int i = 0; i < OP_COUNT && err == WARD_OK; i++) {
        err = render_op(out, g_ops[i].name, &e->metrics[i]);
    }
    return err;
}
