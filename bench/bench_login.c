/*
 * bench_login.c - the baseline of bench/login.sh: raw Argon2id hashes per
 * second at userpass's cost (USERPASS_ARGON2_*), in this process, on 1 and
 * on N threads (N = the cores), each thread hashing its own password and
 * salt. A userpass login does one such hash, so logins/s over HTTPS
 * divided by this figure is the share of the machine's hashing capacity
 * the server delivers as logins.
 *
 * usage: bench_login [SECONDS per run, default 5]
 * prints: "argon2id t=2 m_kib=19456 p=1" then "threads N hashes_per_s X" lines
 */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "engine/auth_cred.h"

struct worker {
    pthread_t th;
    double secs;
    long hashes;
};

static void *hash_loop(void *arg)
{
    struct worker *w = arg;
    static const uint8_t salt[16] = "bench-salt-0000"; /* the cost does not depend on it */
    uint8_t out[32];
    struct ward_argon2_params p = { USERPASS_ARGON2_T, USERPASS_ARGON2_M, USERPASS_ARGON2_P, salt,
                                    sizeof(salt) };
    static const char pwd[] = "correct horse battery staple";
    double t0 = now_s();
    ward_err err;

    while (now_s() - t0 < w->secs) {
        if ((err = ward_argon2id(out, sizeof(out), &p, (const uint8_t *)pwd, sizeof(pwd) - 1)) !=
            WARD_OK) {
            die("argon2id", err);
        }
        w->hashes++;
    }
    w->secs = now_s() - t0;
    return NULL;
}

/* run hashes on n threads for secs; returns hashes per second, all threads together. */
static double run(int n, double secs)
{
    struct worker w[64];
    double rate = 0;

    for (int i = 0; i < n; i++) {
        w[i].secs = secs;
        w[i].hashes = 0;
        if (pthread_create(&w[i].th, NULL, hash_loop, &w[i]) != 0) {
            die("pthread_create", WARD_E_SYS);
        }
    }
    for (int i = 0; i < n; i++) {
        (void)pthread_join(w[i].th, NULL);
        rate += (double)w[i].hashes / w[i].secs;
    }
    return rate;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? strtod(argv[1], NULL) : 5.0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 0 && cores < 64 ? (int)cores : 1;
    ward_err err;

    if ((err = ward_crypto_init()) != WARD_OK) {
        die("crypto init", err);
    }
    printf("argon2id t=%d m_kib=%d p=%d\n", USERPASS_ARGON2_T, USERPASS_ARGON2_M,
           USERPASS_ARGON2_P);
    printf("threads 1 hashes_per_s %.1f\n", run(1, secs));
    printf("threads %d hashes_per_s %.1f\n", n, run(n, secs));
    return 0;
}
