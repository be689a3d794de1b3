/*
 * keeperd.c - drives the sealed keystore from a line protocol on stdin.
 *
 * A test tool, not a product: the crash-safety, tamper and core-dump tests
 * (tests/integration/) start it on a SQLite file, send commands, read one
 * answer per command on stdout, and kill it with SIGKILL wherever they like.
 * "ok" after a write means the write is durable (acknowledged).
 *
 *   init-shamir K N            -> "share <text>" x N, "token <t>", "ok"
 *   init-parts T M P PART...   -> "ok"   (Argon2id t, m KiB, p)
 *   unseal TEXT                -> "ok progress=P sealed=S" | "err <code>"
 *   put PATH VALUE | get PATH | del PATH
 *   rotate | reencrypt | seal | status | verify
 *   rekey-init K N             -> "ok nonce=<hex>"
 *   rekey-update NONCE TEXT    -> "ok progress=P" | "share ..." x N, "ok complete"
 *
 * usage: keeperd STORE-SPEC   (e.g. sqlite:/tmp/x/ward.db)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barrier/barrier.h"
#include "base/log.h"

#define LINE_MAX_LEN 8192
#define MAX_ARGS     12

static void reply_err(ward_err err)
{
    printf("err %s\n", ward_err_name(err));
}

static void print_result(const struct ward_init_result *r)
{
    for (size_t i = 0; i < r->num_shares; i++) {
        printf("share %.*s\n", (int)r->shares[i]->len, (const char *)r->shares[i]->data);
    }
    if (r->root_token != NULL) {
        printf("token %.*s\n", (int)r->root_token->len, (const char *)r->root_token->data);
    }
}

/* shamir_params reads "K N" from argv[1..2]; false (and a reply) if absent. */
static bool shamir_params(struct ward_seal_params *p, char **argv, int argc)
{
    memset(p, 0, sizeof(*p));
    if (argc != 3) {
        reply_err(WARD_E_INVALID);
        return false;
    }
    p->type = WARD_SEAL_SHAMIR;
    p->threshold = (uint8_t)strtoul(argv[1], NULL, 10);
    p->shares = (uint8_t)strtoul(argv[2], NULL, 10);
    return true;
}

static void cmd_init_shamir(struct ward_barrier *b, char **argv, int argc)
{
    struct ward_seal_params p;
    struct ward_init_result r;
    ward_err err;

    if (!shamir_params(&p, argv, argc)) {
        return;
    }
    if ((err = ward_barrier_init(b, &r, &p)) != WARD_OK) {
        reply_err(err);
        return;
    }
    print_result(&r);
    ward_init_result_cleanup(&r);
    printf("ok\n");
}

static void cmd_init_parts(struct ward_barrier *b, char **argv, int argc)
{
    struct ward_seal_params p = { .type = WARD_SEAL_PARTS };
    struct ward_secret *parts[WARD_MAX_PARTS] = { NULL };
    struct ward_init_result r;
    ward_err err = WARD_E_INVALID;

    if (argc < 5 || argc - 4 > WARD_MAX_PARTS) {
        reply_err(err);
        return;
    }
    p.argon2_t = (uint32_t)strtoul(argv[1], NULL, 10);
    p.argon2_m_kib = (uint32_t)strtoul(argv[2], NULL, 10);
    p.argon2_p = (uint32_t)strtoul(argv[3], NULL, 10);
    p.num_parts = (uint8_t)(argc - 4);
    for (int i = 0; i < p.num_parts; i++) {
        if ((err = ward_secret_new_copy(&parts[i], (const uint8_t *)argv[4 + i],
                                        strlen(argv[4 + i]))) != WARD_OK) {
            goto out;
        }
        p.parts[i] = parts[i];
    }
    if ((err = ward_barrier_init(b, &r, &p)) == WARD_OK) {
        ward_init_result_cleanup(&r);
    }
out:
    for (int i = 0; i < WARD_MAX_PARTS; i++) {
        ward_secret_free(parts[i]);
    }
    if (err != WARD_OK) {
        reply_err(err);
        return;
    }
    printf("ok\n");
}

static void cmd_status(struct ward_barrier *b)
{
    struct ward_seal_status s;
    ward_err err;

    if ((err = ward_barrier_status(b, &s)) != WARD_OK) {
        reply_err(err);
        return;
    }
    printf("ok initialized=%d sealed=%d progress=%u threshold=%u shares=%u term=%u terms=%u\n",
           s.initialized, s.sealed, s.progress, s.threshold, s.shares, s.term, s.num_terms);
}

static void cmd_unseal(struct ward_barrier *b, char **argv, int argc)
{
    struct ward_seal_status s;
    ward_err err;

    if (argc != 2) {
        reply_err(WARD_E_INVALID);
        return;
    }
    err = ward_barrier_unseal(b, &s, (const uint8_t *)argv[1], strlen(argv[1]));
    if (err != WARD_OK) {
        reply_err(err);
        return;
    }
    printf("ok progress=%u sealed=%d\n", s.progress, s.sealed);
}

static void cmd_get(struct ward_barrier *b, const char *path)
{
    struct ward_buf out;
    ward_err err;

    ward_buf_init(&out, WARD_STORE_MAX_VALUE);
    if ((err = ward_barrier_get(b, &out, path)) != WARD_OK) {
        reply_err(err);
    } else {
        printf("ok %.*s\n", (int)out.len, (const char *)out.data);
    }
    ward_buf_cleanup(&out);
}

/* cmd_verify reads every entry back: any integrity failure is reported. */
static void cmd_verify(struct ward_barrier *b)
{
    struct ward_store_list l;
    ward_err err;
    size_t n = 0;

    if ((err = ward_barrier_list(b, &l, "")) != WARD_OK) {
        reply_err(err);
        return;
    }
    for (size_t i = 0; i < l.num; i++) {
        struct ward_buf out;

        if (strncmp(l.paths[i], "core/", 5) == 0) {
            continue;
        }
        ward_buf_init(&out, WARD_STORE_MAX_VALUE);
        err = ward_barrier_get(b, &out, l.paths[i]);
        ward_buf_cleanup(&out);
        if (err != WARD_OK) {
            printf("err %s %s\n", ward_err_name(err), l.paths[i]);
            ward_store_list_cleanup(&l);
            return;
        }
        n++;
    }
    ward_store_list_cleanup(&l);
    printf("ok entries=%zu\n", n);
}

static void cmd_rekey_init(struct ward_barrier *b, char **argv, int argc)
{
    struct ward_seal_params p;
    struct ward_rekey_status rs;
    ward_err err;

    if (!shamir_params(&p, argv, argc)) {
        return;
    }
    if ((err = ward_barrier_rekey_init(b, &rs, &p)) != WARD_OK) {
        reply_err(err);
        return;
    }
    printf("ok nonce=%s\n", rs.nonce);
}

static void cmd_rekey_update(struct ward_barrier *b, char **argv, int argc)
{
    struct ward_rekey_status rs;
    struct ward_init_result r;
    ward_err err;

    if (argc != 3) {
        reply_err(WARD_E_INVALID);
        return;
    }
    err = ward_barrier_rekey_update(b, &rs, &r, argv[1], (const uint8_t *)argv[2], strlen(argv[2]));
    if (err != WARD_OK) {
        reply_err(err);
        return;
    }
    if (!rs.complete) {
        printf("ok progress=%u\n", rs.progress);
        return;
    }
    print_result(&r);
    ward_init_result_cleanup(&r);
    printf("ok complete\n");
}

static void cmd_simple(struct ward_barrier *b, char **argv, int argc)
{
    ward_err err = WARD_E_INVALID;
    uint32_t term = 0;
    size_t moved = 0;
    size_t left = 0;

    if (strcmp(argv[0], "put") == 0 && argc == 3) {
        err = ward_barrier_put(b, argv[1], (const uint8_t *)argv[2], strlen(argv[2]));
    } else if (strcmp(argv[0], "del") == 0 && argc == 2) {
        err = ward_barrier_delete(b, argv[1]);
    } else if (strcmp(argv[0], "seal") == 0) {
        ward_barrier_seal(b);
        err = WARD_OK;
    } else if (strcmp(argv[0], "rotate") == 0) {
        if ((err = ward_barrier_rotate(b, &term)) == WARD_OK) {
            printf("ok term=%u\n", term);
            return;
        }
    } else if (strcmp(argv[0], "reencrypt") == 0) {
        if ((err = ward_barrier_reencrypt(b, SIZE_MAX, &moved, &left)) == WARD_OK) {
            printf("ok moved=%zu left=%zu\n", moved, left);
            return;
        }
    }
    if (err != WARD_OK) {
        reply_err(err);
        return;
    }
    printf("ok\n");
}

static void dispatch(struct ward_barrier *b, char **argv, int argc)
{
    if (strcmp(argv[0], "init-shamir") == 0) {
        cmd_init_shamir(b, argv, argc);
    } else if (strcmp(argv[0], "init-parts") == 0) {
        cmd_init_parts(b, argv, argc);
    } else if (strcmp(argv[0], "unseal") == 0) {
        cmd_unseal(b, argv, argc);
    } else if (strcmp(argv[0], "status") == 0) {
        cmd_status(b);
    } else if (strcmp(argv[0], "get") == 0 && argc == 2) {
        cmd_get(b, argv[1]);
    } else if (strcmp(argv[0], "verify") == 0) {
        cmd_verify(b);
    } else if (strcmp(argv[0], "rekey-init") == 0) {
        cmd_rekey_init(b, argv, argc);
    } else if (strcmp(argv[0], "rekey-update") == 0) {
        cmd_rekey_update(b, argv, argc);
    } else {
        cmd_simple(b, argv, argc);
    }
}

static int split(char *line, char **argv)
{
    int argc = 0;
    char *save = NULL;

    for (char *tok = strtok_r(line, " \t\r\n", &save); tok != NULL && argc < MAX_ARGS;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        argv[argc++] = tok;
    }
    return argc;
}

int main(int argc, char **argv)
{
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    static char line[LINE_MAX_LEN];
    char *args[MAX_ARGS];
    ward_err err;

    if (argc != 2) {
        (void)fprintf(stderr, "usage: keeperd STORE-SPEC\n");
        return 2;
    }
    ward_log_set_level(WARD_LOG_WARN);
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0) {
        return 1;
    }
    if ((err = ward_mem_harden_process()) != WARD_OK ||
        (err = ward_store_open(&st, argv[1])) != WARD_OK ||
        (err = ward_barrier_open(&b, st)) != WARD_OK) {
        printf("err %s\n", ward_err_name(err));
        ward_store_close(st);
        return 1;
    }
    printf("ready\n");
    while (fgets(line, sizeof(line), stdin) != NULL) {
        int n = split(line, args);

        if (n > 0) {
            dispatch(b, args, n);
        }
    }
    ward_barrier_close(b);
    ward_store_close(st);
    return 0;
}
