/*
 * bench.h - what the in-process benchmarks share: a clock, a fatal error,
 * and the raw OpenSSL AES-256-GCM loop that is their baseline.
 */
#ifndef WARD_BENCH_BENCH_H
#define WARD_BENCH_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include "base/err.h"

#define BENCH_MAX_LEN 4096

static inline double now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void die(const char *what, ward_err err)
{
    (void)fprintf(stderr, "bench: %s: %s\n", what, ward_err_name(err));
    abort();
}

/*
 * raw_gcm_loop returns ops/s of len-byte AES-256-GCM operations (encrypt if
 * enc, else decrypt) over about secs: one reused context, as `openssl speed`
 * does, or a fresh context per operation if fresh (what Ward does).
 */
static inline double raw_gcm_loop(size_t len, int enc, int fresh, double secs)
{
    static uint8_t key[32];
    static uint8_t iv[12];
    static uint8_t in[BENCH_MAX_LEN];
    static uint8_t out[BENCH_MAX_LEN + 16];
    static uint8_t tag[16];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    long n = 0;
    int outl;
    double t0 = now_s();

    (void)EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, NULL, enc);
    while (now_s() - t0 < secs) {
        for (int i = 0; i < 1000; i++, n++) {
            iv[0] = (uint8_t)n;
            if (fresh) {
                EVP_CIPHER_CTX_free(ctx);
                ctx = EVP_CIPHER_CTX_new();
                (void)EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv, enc);
            } else {
                (void)EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc);
            }
            (void)EVP_CipherUpdate(ctx, out, &outl, in, (int)len);
            if (!enc) {
                (void)EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
            }
            (void)EVP_CipherFinal_ex(ctx, out + outl, &outl);
            if (enc) {
                (void)EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
            }
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    return (double)n / (now_s() - t0);
}

#endif
