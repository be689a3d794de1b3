/*
 * server.c - the public API of front.h: listeners, workers, signals, reload.
 *
 * Listeners: for each configured address one SO_REUSEPORT socket per worker
 * (docs/internals/front.md says why not one shared socket). Before binding
 * the group, a probe socket without SO_REUSEPORT is bound once: it fails when
 * anything else holds the port (even another Ward with SO_REUSEPORT, which
 * would otherwise silently share it) and, for port 0, picks the port.
 *
 * THREADS: ward_front_new, ward_front_run and ward_front_free run on the
 * caller's thread. ward_front_run starts the workers (loop.c) and then only
 * waits on a signalfd and stop_fd. ward_front_reload_tls may run on any
 * thread: it builds the new SSL_CTX unlocked, swaps it under tls_mu and bumps
 * tls_gen; workers take a reference when they see tls_gen move, so open
 * connections keep the SSL_CTX they started with. ward_front_stop only
 * writes stop_fd (async-signal-safe).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "front/front_int.h"

#define LISTEN_BACKLOG 1024

void ward_front_config_defaults(struct ward_front_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->limits.max_header_bytes = 64u << 10;
    cfg->limits.max_headers = 100;
    cfg->limits.max_body_bytes = 1u << 20;
    cfg->limits.max_connections = 4096;
    cfg->limits.header_timeout_ms = 10000;
    cfg->limits.body_timeout_ms = 30000;
    cfg->limits.idle_timeout_ms = 60000;
    cfg->limits.drain_timeout_ms = 10000;
}

static ward_err check_config(const struct ward_front_config *cfg)
{
    const struct ward_front_limits *l = &cfg->limits;

    if (cfg->num_listeners == 0 || cfg->num_listeners > WARD_FRONT_MAX_LISTENERS ||
        cfg->cert_file[0] == '\0' || cfg->key_file[0] == '\0' ||
        (cfg->require_client_cert && cfg->client_ca_file[0] == '\0') ||
        cfg->workers > WARD_FRONT_MAX_WORKERS) {
        return WARD_E_INVALID;
    }
    if (l->max_header_bytes < 256 || l->max_header_bytes > (64u << 20) || l->max_headers == 0 ||
        l->max_body_bytes > (1u << 30) || l->max_connections == 0 || l->header_timeout_ms <= 0 ||
        l->body_timeout_ms <= 0 || l->idle_timeout_ms <= 0 || l->drain_timeout_ms < 0) {
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

struct addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

static ward_err parse_addr(struct addr *out, const struct ward_front_listener *l, uint16_t port)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, l->addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        out->len = sizeof(*s4);
        return WARD_OK;
    }
    if (inet_pton(AF_INET6, l->addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        out->len = sizeof(*s6);
        return WARD_OK;
    }
    ward_log(WARD_LOG_ERROR, "front: listener address \"%.64s\" is not a numeric IP", l->addr);
    return WARD_E_INVALID;
}

/* bind_one makes a bound socket (listening when listen is true); -1 on error, errno set. */
static int bind_one(const struct addr *a, bool reuseport, bool do_listen)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    int saved;

    if (fd < 0) {
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
        (a->ss.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
        bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0 ||
        (do_listen && listen(fd, LISTEN_BACKLOG) != 0)) {
        saved = errno;
        (void)close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* probe_port fails when the port is taken; returns the port (chosen for 0) in *out. */
static ward_err probe_port(uint16_t *out, const struct ward_front_listener *l)
{
    char ebuf[128];
    struct addr a;
    ward_err err;
    int fd;

    if ((err = parse_addr(&a, l, l->port)) != WARD_OK) {
        return err;
    }
    if ((fd = bind_one(&a, false, false)) < 0) {
        ward_log(WARD_LOG_ERROR, "front: cannot bind %s:%u: %s", l->addr, (unsigned)l->port,
                 ward_front_strerror(errno, ebuf, sizeof(ebuf)));
        return WARD_E_SYS;
    }
    a.len = sizeof(a.ss);
    err = getsockname(fd, (struct sockaddr *)&a.ss, &a.len) == 0 ? WARD_OK : WARD_E_SYS;
    *out = a.ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port)
                                      : ntohs(((struct sockaddr_in *)&a.ss)->sin_port);
    (void)close(fd);
    return err;
}

static ward_err bind_listener(struct ward_front *f, size_t li)
{
    const struct ward_front_listener *l = &f->cfg.listeners[li];
    char ebuf[128];
    struct addr a;
    ward_err err;
    int fd;

    if ((err = probe_port(&f->bound_ports[li], l)) != WARD_OK ||
        (err = parse_addr(&a, l, f->bound_ports[li])) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < f->num_workers; i++) {
        if ((fd = bind_one(&a, true, true)) < 0) {
            ward_log(WARD_LOG_ERROR, "front: cannot listen on %s:%u: %s", l->addr,
                     (unsigned)f->bound_ports[li], ward_front_strerror(errno, ebuf, sizeof(ebuf)));
            return WARD_E_SYS;
        }
        f->workers[i].listen_fds[li] = fd;
    }
    return WARD_OK;
}

static ward_err init_workers(struct ward_front *f)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    f->num_workers = f->cfg.workers != 0 ? f->cfg.workers : (cores > 0 ? (size_t)cores : 1);
    if (f->num_workers > WARD_FRONT_MAX_WORKERS) {
        f->num_workers = WARD_FRONT_MAX_WORKERS;
    }
    if ((f->workers = ward_calloc(f->num_workers, sizeof(*f->workers))) == NULL) {
        return WARD_E_NOMEM;
    }
    for (size_t i = 0; i < f->num_workers; i++) {
        struct ward_front_worker *w = &f->workers[i];

        w->front = f;
        w->index = i;
        w->rand_off = sizeof(w->rand_pool);
        w->epfd = -1;
        w->wake_fd = -1;
        for (size_t j = 0; j < WARD_FRONT_MAX_LISTENERS; j++) {
            w->listen_fds[j] = -1;
        }
    }
    for (size_t i = 0; i < f->num_workers; i++) {
        struct ward_front_worker *w = &f->workers[i];

        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->epfd < 0 || w->wake_fd < 0) {
            return WARD_E_SYS;
        }
    }
    return WARD_OK;
}

ward_err ward_front_new(struct ward_front **out, const struct ward_front_config *cfg,
                        ward_engine_handler_fn handler, void *ctx)
{
    struct ward_front *f = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    if (handler == NULL || check_config(cfg) != WARD_OK) {
        ward_log(WARD_LOG_ERROR, "front: invalid configuration");
        return WARD_E_INVALID;
    }
    if ((f = ward_calloc(1, sizeof(*f))) == NULL) {
        return WARD_E_NOMEM;
    }
    f->cfg = *cfg;
    f->handler = handler;
    f->handler_ctx = ctx;
    f->stop_fd = -1;
    WARD_CHECK(pthread_mutex_init(&f->tls_mu, NULL) == 0);
    if ((err = ward_front_tls_ctx_new(&f->ssl_ctx, &f->cfg)) != WARD_OK ||
        (err = init_workers(f)) != WARD_OK) {
        goto out;
    }
    if ((f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        err = WARD_E_SYS;
        goto out;
    }
    for (size_t i = 0; i < f->cfg.num_listeners; i++) {
        if ((err = bind_listener(f, i)) != WARD_OK) {
            goto out;
        }
    }
    *out = f;
    f = NULL;
    err = WARD_OK;
out:
    ward_front_free(f);
    return err;
}

/* wait_for_stop serves SIGHUP until SIGTERM, SIGINT or ward_front_stop. */
static void wait_for_stop(struct ward_front *f, int sfd)
{
    struct pollfd pfds[2] = { { .fd = sfd, .events = POLLIN },
                              { .fd = f->stop_fd, .events = POLLIN } };
    struct signalfd_siginfo si;

    for (;;) {
        if (poll(pfds, 2, -1) < 0) {
            continue; /* EINTR from a signal not in the set */
        }
        if ((pfds[1].revents & POLLIN) != 0) {
            ward_log(WARD_LOG_INFO, "front: stop requested; draining");
            return;
        }
        if ((pfds[0].revents & POLLIN) == 0 || read(sfd, &si, sizeof(si)) != sizeof(si)) {
            continue;
        }
        if (si.ssi_signo != SIGHUP) {
            ward_log(WARD_LOG_INFO, "front: signal %u; draining", (unsigned)si.ssi_signo);
            return;
        }
        if (ward_front_reload_tls(f) == WARD_OK) {
            ward_log(WARD_LOG_INFO, "front: SIGHUP: certificate reloaded");
        }
    }
}

static size_t start_workers(struct ward_front *f)
{
    size_t i;

    for (i = 0; i < f->num_workers; i++) {
        if (pthread_create(&f->workers[i].thread, NULL, ward_front_worker_main, &f->workers[i]) !=
            0) {
            ward_log(WARD_LOG_ERROR, "front: cannot start worker %zu", i);
            break;
        }
        f->workers[i].started = true;
    }
    return i;
}

static void stop_workers(struct ward_front *f)
{
    uint64_t one = 1;

    for (size_t i = 0; i < f->num_workers; i++) {
        if (f->workers[i].started) {
            (void)!write(f->workers[i].wake_fd, &one, sizeof(one));
        }
    }
    for (size_t i = 0; i < f->num_workers; i++) {
        if (f->workers[i].started) {
            (void)pthread_join(f->workers[i].thread, NULL);
            f->workers[i].started = false;
        }
    }
}

ward_err ward_front_run(struct ward_front *f)
{
    sigset_t set;
    sigset_t old;
    struct signalfd_siginfo si;
    ward_err err = WARD_E_SYS;
    int sfd = -1;

    (void)sigemptyset(&set);
    (void)sigaddset(&set, SIGTERM);
    (void)sigaddset(&set, SIGINT);
    (void)sigaddset(&set, SIGHUP);
    /* Workers inherit this mask, so only the signalfd ever sees these signals. */
    if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0) {
        return WARD_E_SYS;
    }
    /* SIGPIPE: a peer gone mid-SSL_write must be an EPIPE, not the end of the process. */
    (void)signal(SIGPIPE, SIG_IGN);
    if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
        goto out;
    }
    if (start_workers(f) == f->num_workers) {
        wait_for_stop(f, sfd);
        err = WARD_OK;
    }
    stop_workers(f);
    ward_log(WARD_LOG_INFO, "front: stopped");
    while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
        /* a second SIGTERM during the drain: already handled */
    }
out:
    if (sfd >= 0) {
        (void)close(sfd);
    }
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

void ward_front_stop(struct ward_front *f)
{
    uint64_t one = 1;

    (void)!write(f->stop_fd, &one, sizeof(one));
}

ward_err ward_front_reload_tls(struct ward_front *f)
{
    SSL_CTX *ctx = NULL;
    SSL_CTX *old;
    ward_err err;

    if ((err = ward_front_tls_ctx_new(&ctx, &f->cfg)) != WARD_OK) {
        ward_log(WARD_LOG_ERROR, "front: TLS reload failed (%s); keeping the old certificate",
                 ward_err_str(err));
        return err;
    }
    WARD_CHECK(pthread_mutex_lock(&f->tls_mu) == 0);
    old = f->ssl_ctx;
    f->ssl_ctx = ctx;
    atomic_fetch_add(&f->tls_gen, 1);
    WARD_CHECK(pthread_mutex_unlock(&f->tls_mu) == 0);
    SSL_CTX_free(old);
    return WARD_OK;
}

static void close_fd(int fd)
{
    if (fd >= 0) {
        (void)close(fd);
    }
}

void ward_front_free(struct ward_front *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; f->workers != NULL && i < f->num_workers; i++) {
        struct ward_front_worker *w = &f->workers[i];

        for (size_t j = 0; j < WARD_FRONT_MAX_LISTENERS; j++) {
            close_fd(w->listen_fds[j]);
        }
        close_fd(w->epfd);
        close_fd(w->wake_fd);
    }
    ward_free(f->workers);
    close_fd(f->stop_fd);
    SSL_CTX_free(f->ssl_ctx);
    (void)pthread_mutex_destroy(&f->tls_mu);
    ward_free(f);
}

uint16_t ward_front_bound_port(const struct ward_front *f, size_t i)
{
    return i < f->cfg.num_listeners ? f->bound_ports[i] : 0;
}
