/*
 * bench_json.c - request decoding and answer writing in process: Ward's
 * strict parser (json_decode_body, src/engine/json_parse.c) vs Jansson's
 * json_loadb(JSON_REJECT_DUPLICATES), and Ward's dumper (json_dump_to) vs
 * Jansson's json_dump_callback(JSON_COMPACT), in MB/s of JSON text. Both
 * sides run with the server's allocator (wipe on free), and each decode
 * frees its tree, as a request does.
 *
 *   batch:  the body of bench/transit.sh's batch encrypt, 100 items of a
 *           1 KiB plaintext in base64 (~140 KB);
 *   single: one such item (~1.4 KB);
 *   answer: 100 ciphertexts of the same size, as a batch answer.
 *
 * usage: bench_json [SECONDS per figure, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/mem.h"
#include "engine/engine_int.h"

#define PT_B64 1368 /* base64 of 1 KiB */

static double now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* body writes {"batch_input":[{"plaintext":"..."} x items]} or one item's body. */
static size_t body(char *out, size_t cap, int items)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char pt[PT_B64 + 1];
    size_t n = 0;

    for (size_t i = 0; i < PT_B64; i++) {
        pt[i] = b64[(i * 7 + i / 64) % 64];
    }
    pt[PT_B64] = '\0';
    if (items == 0) {
        return (size_t)snprintf(out, cap, "{\"plaintext\":\"%s\"}", pt);
    }
    n += (size_t)snprintf(out + n, cap - n, "{\"batch_input\":[");
    for (int i = 0; i < items; i++) {
        n += (size_t)snprintf(out + n, cap - n, "%s{\"plaintext\":\"%s\"}", i > 0 ? "," : "", pt);
    }
    n += (size_t)snprintf(out + n, cap - n, "]}");
    return n;
}

static double decode_ward(const char *text, size_t n, double secs)
{
    char why[160];
    double t0 = now_s();
    double t;
    long runs = 0;

    do {
        json_t *v = NULL;

        if (json_decode_body(&v, (const uint8_t *)text, n, why, sizeof(why)) != WARD_OK) {
            (void)fprintf(stderr, "bench_json: %s\n", why);
            abort();
        }
        json_decref(v);
        runs++;
    } while ((t = now_s() - t0) < secs);
    return (double)n * (double)runs / t / 1e6;
}

static double decode_jansson(const char *text, size_t n, double secs)
{
    json_error_t jerr;
    double t0 = now_s();
    double t;
    long runs = 0;

    do {
        json_t *v = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr);

        if (v == NULL) {
            abort();
        }
        json_decref(v);
        runs++;
    } while ((t = now_s() - t0) < secs);
    return (double)n * (double)runs / t / 1e6;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return ward_buf_append(data, buffer, size) == WARD_OK ? 0 : -1;
}

/* dump_rate: MB/s of writing v into a fresh buffer, ours or Jansson's. */
static double dump_rate(const json_t *v, bool ours, double secs)
{
    double t0 = now_s();
    double t;
    size_t bytes = 0;

    do {
        struct ward_buf b;
        int bad;

        ward_buf_init(&b, (size_t)1 << 26);
        bad = ours ? json_dump_to(&b, v) != WARD_OK
                   : json_dump_callback(v, dump_cb, &b, JSON_COMPACT) != 0;
        if (bad) {
            abort();
        }
        bytes += b.len;
        ward_buf_cleanup(&b);
    } while ((t = now_s() - t0) < secs);
    return (double)bytes / t / 1e6;
}

static json_t *answer(void)
{
    char ct[8 + PT_B64 + 40 + 1];
    json_t *items = json_array();
    json_t *top = json_object();

    memcpy(ct, "ward:v1:", 8);
    for (size_t i = 8; i < sizeof(ct) - 1; i++) {
        ct[i] = (char)('A' + i % 26);
    }
    ct[sizeof(ct) - 1] = '\0';
    for (int i = 0; i < 100; i++) {
        json_t *o = json_object();

        (void)json_object_set_new(o, "ciphertext", json_string(ct));
        (void)json_object_set_new(o, "key_version", json_integer(1));
        (void)json_array_append_new(items, o);
    }
    (void)json_object_set_new(top, "data", json_pack("{s:o}", "batch_results", items));
    return top;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? strtod(argv[1], NULL) : 2.0;
    size_t cap = 160 * 1024;
    char *text = ward_alloc(cap);
    json_t *ans;
    size_t n;
    double w;
    double j;

    if (text == NULL || secs <= 0) {
        return 1;
    }
    json_init_allocator();
    for (int items = 100; items >= 0; items -= 100) {
        n = body(text, cap, items);
        w = decode_ward(text, n, secs);
        j = decode_jansson(text, n, secs);
        printf("decode %-6s %7zu B: ward %8.1f MB/s  jansson %7.1f MB/s  = %5.2fx\n",
               items > 0 ? "batch" : "single", n, w, j, w / j);
    }
    ans = answer();
    w = dump_rate(ans, true, secs);
    j = dump_rate(ans, false, secs);
    printf("dump   answer 100 ciphertexts: ward %8.1f MB/s  jansson %7.1f MB/s  = %5.2fx\n", w, j,
           w / j);
    json_decref(ans);
    ward_free(text);
    return 0;
}
