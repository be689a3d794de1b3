/*
 * bench_barrier.c - the sealed keystore's costs, as ratios to a baseline
 * measured in the same run (the machine is shared; only ratios hold).
 *
 *   1. barrier put and get of a 256-byte entry in process (memory backend),
 *      ops/s, vs raw OpenSSL AES-256-GCM encrypt/decrypt of 256 bytes with
 *      one reused context (what `openssl speed -evp aes-256-gcm` measures);
 *   2. SQLite put with durable commit (WAL, synchronous=FULL), ops/s, raw
 *      store and through the barrier;
 *   3. unseal time with 100,000 stored entries (store open incl. its
 *      integrity check, barrier open incl. self-tests, unseal).
 *
 * usage: bench_barrier [DIR]   (DIR for the SQLite files; default /tmp)
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "barrier/barrier.h"
#include "base/log.h"

#define VALUE_LEN 256

static struct ward_barrier *open_unsealed(struct ward_store *st, int init)
{
    static struct ward_init_result r;
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_barrier *b = NULL;
    struct ward_seal_status s;
    ward_err err;

    if ((err = ward_barrier_open(&b, st)) != WARD_OK) {
        die("open", err);
    }
    if (init && (err = ward_barrier_init(b, &r, &p)) != WARD_OK) {
        die("init", err);
    }
    if ((err = ward_barrier_unseal(b, &s, r.shares[0]->data, r.shares[0]->len)) != WARD_OK) {
        die("unseal", err);
    }
    return b;
}

/* barrier_ops returns ops/s of put (or get) of one 256-byte entry over ~secs. */
static double barrier_ops(struct ward_barrier *b, int put, double secs)
{
    static uint8_t value[VALUE_LEN];
    struct ward_buf out;
    long n = 0;
    ward_err err = WARD_OK;
    double t0 = now_s();

    ward_buf_init(&out, 4096);
    if ((err = ward_barrier_put(b, "bench/x", value, sizeof(value))) != WARD_OK) {
        die("put", err);
    }
    while (now_s() - t0 < secs && err == WARD_OK) {
        for (int i = 0; i < 200 && err == WARD_OK; i++, n++) {
            if (put) {
                err = ward_barrier_put(b, "bench/x", value, sizeof(value));
            } else {
                out.len = 0;
                err = ward_barrier_get(b, &out, "bench/x");
            }
        }
    }
    if (err != WARD_OK) {
        die("barrier op", err);
    }
    ward_buf_cleanup(&out);
    return (double)n / (now_s() - t0);
}

/* store_puts returns durable puts/s straight to the store over ~secs. */
static double store_puts(struct ward_store *st, double secs)
{
    static uint8_t value[VALUE_LEN + 33];
    char path[32];
    long n = 0;
    double t0 = now_s();
    ward_err err;

    while (now_s() - t0 < secs) {
        (void)snprintf(path, sizeof(path), "raw/%ld", n++ % 1000);
        if ((err = ward_store_put(st, path, value, sizeof(value))) != WARD_OK) {
            die("store put", err);
        }
    }
    return (double)n / (now_s() - t0);
}

static void fill(struct ward_barrier *b, long count)
{
    static char paths[500][32];
    static uint8_t value[VALUE_LEN];
    struct ward_store_op ops[500];
    ward_err err;

    for (long i = 0; i < count; i += 500) {
        for (int j = 0; j < 500; j++) {
            (void)snprintf(paths[j], sizeof(paths[j]), "fill/%08ld", i + j);
            ops[j] = (struct ward_store_op){
                .kind = WARD_STORE_PUT, .path = paths[j], .value = value, .value_len = VALUE_LEN
            };
        }
        if ((err = ward_barrier_txn(b, ops, 500)) != WARD_OK) {
            die("fill", err);
        }
    }
}

static void bench_in_process(void)
{
    struct ward_store *mem = NULL;
    struct ward_barrier *b;
    double enc;
    double dec;
    double put;
    double get;

    if (ward_store_open(&mem, "memory:") != WARD_OK) {
        abort();
    }
    b = open_unsealed(mem, 1);
    enc = raw_gcm_loop(VALUE_LEN, 1, 0, 1.0);
    put = barrier_ops(b, 1, 1.0);
    dec = raw_gcm_loop(VALUE_LEN, 0, 0, 1.0);
    get = barrier_ops(b, 0, 1.0);
    ward_barrier_close(b);
    ward_store_close(mem);
    printf("barrier put 256 B (memory store): %.0f ops/s = %.2fx raw AES-256-GCM encrypt "
           "(%.0f ops/s)\n",
           put, put / enc, enc);
    printf("barrier get 256 B (memory store): %.0f ops/s = %.2fx raw AES-256-GCM decrypt "
           "(%.0f ops/s)\n",
           get, get / dec, dec);
}

static void bench_sqlite(const char *spec, long entries)
{
    struct ward_store *sq = NULL;
    struct ward_barrier *b;
    double raw_put;
    double bar_put;

    if (ward_store_open(&sq, spec) != WARD_OK) {
        abort();
    }
    b = open_unsealed(sq, 1);
    raw_put = store_puts(sq, 2.0);
    bar_put = barrier_ops(b, 1, 2.0);
    printf("sqlite durable put 289 B, raw store: %.0f ops/s; through the barrier (256 B): "
           "%.0f ops/s = %.2fx\n",
           raw_put, bar_put, bar_put / raw_put);
    fill(b, entries);
    ward_barrier_close(b);
    ward_store_close(sq);
}

static void bench_unseal(const char *spec, long entries)
{
    struct ward_store *sq = NULL;
    struct ward_barrier *b;
    double t0 = now_s();
    double t_open;
    double t_unseal;

    if (ward_store_open(&sq, spec) != WARD_OK) {
        abort();
    }
    t_open = now_s() - t0;
    b = open_unsealed(sq, 0);
    t_unseal = now_s() - t0;
    printf("unseal with %ld entries: %.1f ms in all (store open + integrity check %.1f ms; "
           "self-tests + unseal %.1f ms)\n",
           entries, t_unseal * 1e3, t_open * 1e3, (t_unseal - t_open) * 1e3);
    ward_barrier_close(b);
    ward_store_close(sq);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char spec[512];
    long entries = 100000;

    ward_log_set_level(WARD_LOG_ERROR);
    bench_in_process();
    (void)snprintf(spec, sizeof(spec), "sqlite:%s/ward-bench-%d.db", dir, (int)getpid());
    bench_sqlite(spec, entries);
    bench_unseal(spec, entries);
    (void)unlink(spec + 7);
    return 0;
}
