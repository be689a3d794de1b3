/*
 * frontd.c - the front with a stub handler: a test server, not a product.
 *
 * The integration test (tests/integration/test_front.py) and benchmarks start
 * it on 127.0.0.1. Every request is answered with
 *   {"ok":true,"method":"GET","path":"/x","body_len":0,"token_present":false,"peer_cert":false}
 * and a request for /slow sleeps one second first (for the drain test).
 * With --port 0 the bound port is printed on stdout as "port=N".
 *
 * usage: frontd [--port N] [--dev-certs DIR] [--cert F --key F] [--client-ca F]
 *               [--require-client-cert] [--workers N] [--max-header-bytes N]
 *               [--max-headers N] [--max-body-bytes N] [--max-connections N]
 *               [--header-timeout-ms N] [--body-timeout-ms N]
 *               [--idle-timeout-ms N] [--drain-timeout-ms N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "front/front.h"

/* json_str appends s as a JSON string (quotes and control bytes escaped). */
static ward_err json_str(struct ward_buf *b, const char *s)
{
    char esc[8];
    ward_err err = ward_buf_append_u8(b, '"');

    for (; err == WARD_OK && *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch < 0x20 || ch == '"' || ch == '\\') {
            (void)snprintf(esc, sizeof(esc), "\\u%04x", ch);
            err = ward_buf_append_str(b, esc);
        } else {
            err = ward_buf_append_u8(b, ch);
        }
    }
    return err == WARD_OK ? ward_buf_append_u8(b, '"') : err;
}

static void stub_handler(void *ctx, struct ward_engine_resp *out, const struct ward_engine_req *req)
{
    char tail[160];
    struct timespec one_second = { .tv_sec = 1 };
    bool ok;

    (void)ctx;
    if (strcmp(req->path, "/slow") == 0) {
        (void)nanosleep(&one_second, NULL);
    }
    (void)snprintf(tail, sizeof(tail), ",\"body_len\":%zu,\"token_present\":%s,\"peer_cert\":%s}",
                   req->body_len, req->token != NULL ? "true" : "false",
                   req->peer_cert_der != NULL ? "true" : "false");
    ok = ward_buf_append_str(&out->body, "{\"ok\":true,\"method\":") == WARD_OK &&
         json_str(&out->body, req->method) == WARD_OK &&
         ward_buf_append_str(&out->body, ",\"path\":") == WARD_OK &&
         json_str(&out->body, req->path) == WARD_OK &&
         ward_buf_append_str(&out->body, tail) == WARD_OK;
    if (!ok) {
        out->status = 500;
    }
    out->op = "test.stub";
}

static bool copy_path(char *out, size_t out_len, const char *in)
{
    int n = snprintf(out, out_len, "%s", in);

    return n >= 0 && (size_t)n < out_len;
}

static bool num_flag(const char *name, const char *val, struct ward_front_config *c)
{
    char *end;
    unsigned long long v = strtoull(val, &end, 10);
    struct ward_front_limits *l = &c->limits;

    if (*val == '\0' || *end != '\0') {
        return false;
    }
    if (strcmp(name, "--port") == 0 && v <= 65535) {
        c->listeners[0].port = (uint16_t)v;
    } else if (strcmp(name, "--workers") == 0) {
        c->workers = (unsigned)v;
    } else if (strcmp(name, "--max-header-bytes") == 0) {
        l->max_header_bytes = v;
    } else if (strcmp(name, "--max-headers") == 0) {
        l->max_headers = v;
    } else if (strcmp(name, "--max-body-bytes") == 0) {
        l->max_body_bytes = v;
    } else if (strcmp(name, "--max-connections") == 0) {
        l->max_connections = v;
    } else if (strcmp(name, "--header-timeout-ms") == 0) {
        l->header_timeout_ms = (int64_t)v;
    } else if (strcmp(name, "--body-timeout-ms") == 0) {
        l->body_timeout_ms = (int64_t)v;
    } else if (strcmp(name, "--idle-timeout-ms") == 0) {
        l->idle_timeout_ms = (int64_t)v;
    } else if (strcmp(name, "--drain-timeout-ms") == 0) {
        l->drain_timeout_ms = (int64_t)v;
    } else {
        return false;
    }
    return true;
}

static bool path_flag(const char *name, const char *val, struct ward_front_config *c,
                      const char **dev_dir)
{
    if (strcmp(name, "--cert") == 0) {
        return copy_path(c->cert_file, sizeof(c->cert_file), val);
    }
    if (strcmp(name, "--key") == 0) {
        return copy_path(c->key_file, sizeof(c->key_file), val);
    }
    if (strcmp(name, "--client-ca") == 0) {
        return copy_path(c->client_ca_file, sizeof(c->client_ca_file), val);
    }
    if (strcmp(name, "--dev-certs") == 0) {
        *dev_dir = val;
        return true;
    }
    return false;
}

static bool parse_args(int argc, char **argv, struct ward_front_config *c, const char **dev_dir)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--require-client-cert") == 0) {
            c->require_client_cert = true;
            continue;
        }
        if (i + 1 >= argc ||
            !(path_flag(argv[i], argv[i + 1], c, dev_dir) || num_flag(argv[i], argv[i + 1], c))) {
            (void)fprintf(stderr, "frontd: bad flag %s\n", argv[i]);
            return false;
        }
        i++;
    }
    return true;
}

static ward_err use_dev_certs(struct ward_front_config *c, const char *dir)
{
    ward_err err = ward_front_dev_certs(dir);

    if (err != WARD_OK) {
        return err;
    }
    if (c->cert_file[0] == '\0' && (snprintf(c->cert_file, sizeof(c->cert_file), "%s/server.pem",
                                             dir) >= (int)sizeof(c->cert_file))) {
        return WARD_E_INVALID;
    }
    if (c->key_file[0] == '\0' && (snprintf(c->key_file, sizeof(c->key_file), "%s/server-key.pem",
                                            dir) >= (int)sizeof(c->key_file))) {
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

static void raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    struct ward_front_config cfg;
    struct ward_front *f = NULL;
    const char *dev_dir = NULL;
    ward_err err;

    ward_front_config_defaults(&cfg);
    cfg.num_listeners = 1;
    (void)snprintf(cfg.listeners[0].addr, sizeof(cfg.listeners[0].addr), "127.0.0.1");
    if (!parse_args(argc, argv, &cfg, &dev_dir)) {
        return 2;
    }
    raise_nofile();
    if ((dev_dir != NULL && (err = use_dev_certs(&cfg, dev_dir)) != WARD_OK) ||
        (err = ward_front_new(&f, &cfg, stub_handler, NULL)) != WARD_OK) {
        (void)fprintf(stderr, "frontd: %s\n", ward_err_str(err));
        return 1;
    }
    printf("port=%u\n", (unsigned)ward_front_bound_port(f, 0));
    (void)fflush(stdout);
    err = ward_front_run(f);
    ward_front_free(f);
    return err == WARD_OK ? 0 : 1;
}
