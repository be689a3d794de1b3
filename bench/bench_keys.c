/*
 * bench_keys.c - the in-process cost of transit encryption (no network), as
 * ratios to raw OpenSSL measured in the same run (the machine is shared;
 * only ratios hold).
 *
 *   encrypt of SIZE bytes with ward_key_encrypt (key from the cache, managed
 *   and vault forms, random nonce, text output in base64) vs raw EVP
 *   AES-256-GCM of SIZE bytes with one reused context (what `openssl speed
 *   -evp aes-256-gcm` measures) and vs raw EVP with a fresh context per
 *   operation (what Ward does, so no key schedule outlives a call).
 *
 * usage: bench_keys [SECONDS]
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "keys/keys.h"
#include "store/store.h"

#define SIZE 1024

static double ward_encrypt(struct ward_keys *ks, enum ward_ct_format format, double secs)
{
    static const uint8_t in[SIZE] = { 0 };
    struct ward_key_enc e = { .plaintext = in, .plaintext_len = SIZE, .format = format };
    struct ward_buf text;
    long n = 0;
    double t0 = now_s();
    ward_err err;

    ward_buf_init(&text, 4 * SIZE);
    while (now_s() - t0 < secs) {
        for (int i = 0; i < 1000; i++, n++) {
            struct ward_key *k = NULL;
            uint32_t v;

            text.len = 0;
            if ((err = ward_keys_get(ks, &k, "bench")) != WARD_OK ||
                (err = ward_key_encrypt(k, &text, &v, &e)) != WARD_OK) {
                die("encrypt", err);
            }
            ward_key_unref(k);
        }
    }
    ward_buf_cleanup(&text);
    return (double)n / (now_s() - t0);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_key_params kp = { .type = WARD_KEY_AES256_GCM96 };
    struct ward_init_result r;
    struct ward_seal_status s;
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    struct ward_keys *ks = NULL;
    bool created;
    ward_err err;
    double raw;
    double fresh;
    double managed;
    double vault;

    ward_log_set_level(WARD_LOG_ERROR);
    if ((err = ward_crypto_init()) != WARD_OK ||
        (err = ward_store_open(&st, "memory:")) != WARD_OK ||
        (err = ward_barrier_open(&b, st)) != WARD_OK ||
        (err = ward_barrier_init(b, &r, &p)) != WARD_OK ||
        (err = ward_barrier_unseal(b, &s, r.shares[0]->data, r.shares[0]->len)) != WARD_OK ||
        (err = ward_keys_new(&ks, b, "transit", NULL)) != WARD_OK ||
        (err = ward_keys_create(ks, &created, "bench", &kp)) != WARD_OK) {
        die("setup", err);
    }
    ward_init_result_cleanup(&r);
    raw = raw_gcm_loop(SIZE, 1, 0, secs);
    fresh = raw_gcm_loop(SIZE, 1, 1, secs);
    managed = ward_encrypt(ks, WARD_CT_MANAGED, secs);
    vault = ward_encrypt(ks, WARD_CT_VAULT, secs);
    (void)printf("in-process encrypt, %d-byte plaintext, ops/s (ratio to raw EVP reused ctx | "
                 "fresh ctx per op)\n",
                 SIZE);
    (void)printf("  raw EVP AES-256-GCM, reused ctx   %10.0f\n", raw);
    (void)printf("  raw EVP AES-256-GCM, fresh ctx    %10.0f  %.2fx\n", fresh, fresh / raw);
    (void)printf("  ward_key_encrypt managed (ward:)  %10.0f  %.2fx | %.2fx\n", managed,
                 managed / raw, managed / fresh);
    (void)printf("  ward_key_encrypt vault (vault:)   %10.0f  %.2fx | %.2fx\n", vault, vault / raw,
                 vault / fresh);
    ward_keys_free(ks);
    ward_barrier_close(b);
    ward_store_close(st);
    return 0;
}
