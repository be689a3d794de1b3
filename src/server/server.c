/*
 * server.c - `ward server`: wires storage, barrier, engine and the HTTPS
 * front together and runs until SIGTERM.
 *
 *   ward server -config=FILE
 *   ward server -dev [-dev-listen-address=127.0.0.1:8200] [-dev-data-dir=.ward-dev]
 *
 * Dev mode (what `make run` starts): a self-signed CA and server certificate
 * under DIR/tls, SQLite at DIR/ward.db, initialised with one share and
 * unsealed at start. SECURITY: dev mode keeps that share and the root token in
 * DIR/dev-credentials (0600) so that a restart can unseal by itself; it is for
 * a developer's machine only, as Vault's dev server is. The server says so.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "barrier/barrier.h"
#include "base/log.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "engine/dispatch.h"
#include "server/server_config.h"

#define WARD_VERSION "0.1.0"

struct server_flags {
    const char *config;
    bool dev;
    const char *dev_addr;
    const char *dev_dir;
};

static int usage(FILE *to)
{
    (void)fprintf(to, "Usage: ward server -config=FILE\n"
                      "       ward server -dev [-dev-listen-address=ADDR] [-dev-data-dir=DIR]\n\n"
                      "Starts the Ward server. With -dev: a development server on\n"
                      "https://127.0.0.1:8200 with a self-signed certificate, SQLite data in\n"
                      "./.ward-dev, initialised and unsealed (never use it in production).\n\n"
                      "Example:\n  ward server -config=/etc/ward/ward.conf\n");
    return to == stderr ? 2 : 0;
}

/* parse_flags returns -1 to go on, else the exit code. */
static int parse_flags(struct server_flags *fl, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "--help") == 0) {
            return usage(stdout);
        }
        if (strncmp(a, "-config=", 8) == 0) {
            fl->config = a + 8;
        } else if (strcmp(a, "-dev") == 0) {
            fl->dev = true;
        } else if (strncmp(a, "-dev-listen-address=", 20) == 0) {
            fl->dev_addr = a + 20;
        } else if (strncmp(a, "-dev-data-dir=", 14) == 0) {
            fl->dev_dir = a + 14;
        } else {
            (void)fprintf(stderr, "ward server: unknown flag %s\n", a);
            return usage(stderr);
        }
    }
    if (fl->dev == (fl->config != NULL)) {
        (void)fprintf(stderr, "ward server: give exactly one of -config=FILE or -dev\n");
        return usage(stderr);
    }
    return -1;
}

/* join writes a || b || c into out, or fails with WARD_E_TOO_LARGE. */
static ward_err join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    size_t n = 0;

    for (int i = 0; i < 3; i++) {
        for (const char *p = parts[i]; *p != '\0'; p++) {
            if (n + 1 >= cap) {
                out[0] = '\0';
                return WARD_E_TOO_LARGE;
            }
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return WARD_OK;
}

/* dev_config points cfg at DIR's certificates and database. */
static ward_err dev_config(struct server_config *cfg, const struct server_flags *fl)
{
    char tls_dir[400];
    ward_err err;

    if (mkdir(fl->dev_dir, 0700) != 0 && errno != EEXIST) {
        return WARD_E_SYS;
    }
    if ((err = join(tls_dir, sizeof(tls_dir), "", fl->dev_dir, "/tls")) != WARD_OK ||
        (err = ward_front_dev_certs(tls_dir)) != WARD_OK ||
        (err = join(cfg->front.cert_file, sizeof(cfg->front.cert_file), "", tls_dir,
                    "/server.pem")) != WARD_OK ||
        (err = join(cfg->front.key_file, sizeof(cfg->front.key_file), "", tls_dir,
                    "/server-key.pem")) != WARD_OK ||
        (err = join(cfg->storage_spec, sizeof(cfg->storage_spec), "sqlite:", fl->dev_dir,
                    "/ward.db")) != WARD_OK) {
        return err;
    }
    return server_parse_address(&cfg->front.listeners[0], fl->dev_addr);
}

struct dev_creds {
    char key[128];
    char token[128];
};

static void creds_path(char *out, size_t cap, const char *dir)
{
    if (join(out, cap, "", dir, "/dev-credentials") != WARD_OK) {
        out[0] = '\0'; /* fopen("") fails: a clear error, never a truncated path */
    }
}

static ward_err creds_save(const char *dir, const struct dev_creds *c)
{
    char path[600];
    FILE *f;
    int ok;

    creds_path(path, sizeof(path), dir);
    umask(077);
    if ((f = fopen(path, "w")) == NULL) {
        return WARD_E_SYS;
    }
    ok = fprintf(f, "unseal_key=%s\nroot_token=%s\n", c->key, c->token) > 0;
    ok = fclose(f) == 0 && ok;
    return ok ? WARD_OK : WARD_E_SYS;
}

static ward_err creds_load(const char *dir, struct dev_creds *c)
{
    char path[600];
    char line[200];
    FILE *f;

    creds_path(path, sizeof(path), dir);
    if ((f = fopen(path, "r")) == NULL) {
        return WARD_E_NOT_FOUND;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "unseal_key=", 11) == 0) {
            (void)join(c->key, sizeof(c->key), "", line + 11, "");
        } else if (strncmp(line, "root_token=", 11) == 0) {
            (void)join(c->token, sizeof(c->token), "", line + 11, "");
        }
    }
    OPENSSL_cleanse(line, sizeof(line));
    (void)fclose(f);
    return c->key[0] != '\0' && c->token[0] != '\0' ? WARD_OK : WARD_E_STORE_CORRUPT;
}

/* dev_bootstrap initialises (first run) and unseals the dev server. */
static ward_err dev_bootstrap(struct ward_barrier *b, const char *dir, struct dev_creds *c)
{
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_seal_status st;
    struct ward_init_result r;
    ward_err err;

    if ((err = ward_barrier_status(b, &st)) != WARD_OK) {
        return err;
    }
    if (!st.initialized) {
        if ((err = ward_barrier_init(b, &r, &p)) != WARD_OK) {
            return err;
        }
        (void)snprintf(c->key, sizeof(c->key), "%.*s", (int)r.shares[0]->len,
                       (const char *)r.shares[0]->data);
        (void)snprintf(c->token, sizeof(c->token), "%.*s", (int)r.root_token->len,
                       (const char *)r.root_token->data);
        ward_init_result_cleanup(&r);
        if ((err = creds_save(dir, c)) != WARD_OK) {
            return err;
        }
    } else if ((err = creds_load(dir, c)) != WARD_OK) {
        (void)fprintf(stderr,
                      "ward server: %s/ward.db exists but its dev credentials do not; "
                      "remove the directory to start over\n",
                      dir);
        return err;
    }
    return ward_barrier_unseal(b, &st, (const uint8_t *)c->key, strlen(c->key));
}

static void dev_banner(const struct server_config *cfg, const char *dir, const struct dev_creds *c)
{
    char abs[4096];
    const struct ward_front_listener *l = &cfg->front.listeners[0];

    if (realpath(dir, abs) == NULL) {
        (void)snprintf(abs, sizeof(abs), "%s", dir);
    }
    printf("WARNING! dev mode is enabled! Ward runs initialised and unsealed, with its\n"
           "unseal key kept in %s/dev-credentials. Never use dev mode in production.\n\n"
           "Unseal Key: %s\nRoot Token: %s\n\n"
           "To talk to this server:\n\n"
           "    export WARD_ADDR=https://%s:%u\n"
           "    export WARD_CACERT=%s/tls/ca.pem\n"
           "    export WARD_TOKEN=%s\n\n",
           abs, c->key, c->token, l->addr, (unsigned)l->port, abs, c->token);
    (void)fflush(stdout);
}

/*
 * The re-encryptor: after a rotate (or an unseal of a keyring with several
 * terms) it moves entries to the active term, REENCRYPT_BATCH at a time, so
 * that old term keys stop protecting anything. Compare-and-set per entry: a
 * concurrent write always wins.
 *
 * THREADS: one thread; stop is written by the main thread, read here.
 */
#define REENCRYPT_BATCH    1000
#define REENCRYPT_PAUSE_MS 500

struct reencryptor {
    struct ward_barrier *b;
    atomic_bool stop;
    pthread_t thread;
};

static void *reencrypt_main(void *arg)
{
    struct reencryptor *r = arg;
    struct timespec pause = { 0, REENCRYPT_PAUSE_MS * 1000000L };
    size_t moved = 0;
    size_t left = 0;
    ward_err err;

    while (!atomic_load(&r->stop)) {
        if (ward_barrier_reencrypt_pending(r->b)) {
            err = ward_barrier_reencrypt(r->b, REENCRYPT_BATCH, &moved, &left);
            if (err == WARD_OK && moved > 0) {
                ward_log(WARD_LOG_INFO, "msg=\"re-encrypted\" moved=%zu left=%zu", moved, left);
            } else if (err != WARD_OK && err != WARD_E_SEALED) {
                ward_log(WARD_LOG_WARN, "msg=\"re-encryption paused\" code=%s", ward_err_name(err));
            }
            if (err == WARD_OK && left > 0) {
                continue;
            }
        }
        (void)nanosleep(&pause, NULL);
    }
    return NULL;
}

/*
 * audit_spool_default points [audit] spool_dir, when unset, at the directory
 * of the SQLite file (made absolute, so a later chdir changes nothing).
 */
static void audit_spool_default(struct server_config *cfg)
{
    char dir[sizeof(cfg->storage_spec)];
    char abs[PATH_MAX];
    char *slash;

    if (cfg->audit_spool_dir[0] != '\0' || strncmp(cfg->storage_spec, "sqlite:", 7) != 0) {
        return;
    }
    (void)snprintf(dir, sizeof(dir), "%s", cfg->storage_spec + 7);
    if ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
    } else {
        (void)snprintf(dir, sizeof(dir), ".");
    }
    if (realpath(dir[0] != '\0' ? dir : "/", abs) == NULL ||
        strlen(abs) >= sizeof(cfg->audit_spool_dir)) {
        return; /* no default: a socket device then needs its own spool_path */
    }
    (void)snprintf(cfg->audit_spool_dir, sizeof(cfg->audit_spool_dir), "%s", abs);
}

/* serve runs the server over an open barrier until SIGTERM. */
static int serve(struct server_config *cfg, struct ward_barrier *b)
{
    struct ward_engine_config ecfg = {
        .version = WARD_VERSION,
        .storage_type = cfg->storage_type,
        .cluster_name = cfg->cluster_name,
        .dev = false,
        .kv_max_value_bytes = cfg->kv_max_value_bytes,
        .audit_node = cfg->audit_node[0] != '\0' ? cfg->audit_node : NULL,
        .audit_spool_dir = cfg->audit_spool_dir[0] != '\0' ? cfg->audit_spool_dir : NULL,
        .user_lockout = cfg->user_lockout
    };
    struct ward_engine *eng = NULL;
    struct ward_front *front = NULL;
    struct reencryptor re;
    sigset_t sigs;
    bool started;
    ward_err err;

    if ((err = ward_engine_new(&eng, b, &ecfg)) != WARD_OK ||
        (err = ward_front_new(&front, &cfg->front, ward_engine_handle, eng)) != WARD_OK) {
        (void)fprintf(stderr, "ward server: cannot start: %s (%s)\n", ward_err_str(err),
                      ward_err_name(err));
        ward_engine_free(eng);
        return 1;
    }
    ward_log(WARD_LOG_INFO, "msg=\"listening\" addr=%s port=%u", cfg->front.listeners[0].addr,
             (unsigned)ward_front_bound_port(front, 0));
    /* signals go to the front's signalfd: block them before any thread starts */
    (void)sigemptyset(&sigs);
    (void)sigaddset(&sigs, SIGTERM);
    (void)sigaddset(&sigs, SIGINT);
    (void)sigaddset(&sigs, SIGHUP);
    (void)pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    re.b = b;
    atomic_init(&re.stop, false);
    started = pthread_create(&re.thread, NULL, reencrypt_main, &re) == 0;
    err = ward_front_run(front);
    atomic_store(&re.stop, true);
    if (started) {
        (void)pthread_join(re.thread, NULL);
    }
    ward_front_free(front);
    ward_engine_free(eng);
    ward_log(WARD_LOG_INFO, "msg=\"stopped\"");
    return err == WARD_OK ? 0 : 1;
}

/* raise_fd_limit lets max_connections (4096 by default) be reached: soft = hard. */
static void raise_fd_limit(void)
{
    struct rlimit lim;

    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &lim);
    }
}

static int fail(const char *what, ward_err err, const char *why)
{
    (void)fprintf(stderr, "ward server: %s: %s%s%s (%s)\n", what, ward_err_str(err),
                  why != NULL && why[0] != '\0' ? ": " : "", why != NULL ? why : "",
                  ward_err_name(err));
    return 1;
}

int ward_cli_server(int argc, char **argv)
{
    struct server_flags fl = { .dev_addr = "127.0.0.1:8200", .dev_dir = ".ward-dev" };
    struct server_config cfg;
    struct ward_store *st = NULL;
    struct ward_barrier *b = NULL;
    struct dev_creds creds;
    char why[256] = "";
    ward_err err;
    int rc;

    if ((rc = parse_flags(&fl, argc, argv)) >= 0) {
        return rc;
    }
    memset(&creds, 0, sizeof(creds));
    server_config_defaults(&cfg);
    if ((err = ward_mem_harden_process()) != WARD_OK) {
        return fail("cannot harden the process", err, NULL);
    }
    raise_fd_limit();
    err = fl.dev ? dev_config(&cfg, &fl) : server_config_load(&cfg, fl.config, why, sizeof(why));
    if (err != WARD_OK) {
        return fail(fl.dev ? "dev setup" : "config", err, why);
    }
    ward_log_set_level(cfg.log_level);
    if ((err = ward_store_open(&st, cfg.storage_spec)) != WARD_OK) {
        return fail("storage", err, cfg.storage_spec);
    }
    if (!cfg.storage_disable_cache && (err = ward_store_cache_new(&st, st)) != WARD_OK) {
        return fail("storage cache", err, NULL);
    }
    if ((err = ward_barrier_open(&b, st)) != WARD_OK) {
        ward_store_close(st);
        return fail("barrier", err, NULL);
    }
    if (fl.dev && (err = dev_bootstrap(b, fl.dev_dir, &creds)) != WARD_OK) {
        rc = fail("dev bootstrap", err, NULL);
        goto out;
    }
    if (fl.dev) {
        dev_banner(&cfg, fl.dev_dir, &creds);
    }
    audit_spool_default(&cfg);
    OPENSSL_cleanse(&creds, sizeof(creds));
    rc = serve(&cfg, b);
out:
    OPENSSL_cleanse(&creds, sizeof(creds));
    ward_barrier_close(b);
    ward_store_close(st);
    return rc;
}
