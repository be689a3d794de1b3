/*
 * loop.c - one worker: an epoll loop over its listeners and connections.
 *
 * Each worker has its own SO_REUSEPORT listening socket per listener, so the
 * kernel spreads new connections over the workers and a connection lives and
 * dies on the worker that accepted it: no lock is taken per request. Timers
 * are a sweep over the worker's connections every WARD_FRONT_SWEEP_MS (the
 * epoll_wait timeout), cheap at the few thousand connections a worker holds.
 *
 * Drain (wake_fd readable): close the listeners, close idle connections, let
 * the others finish the request they are in (answered with Connection: close)
 * until drain_timeout_ms, then close whatever is left and return.
 *
 * THREADS: runs on the worker's own thread; shares with other threads only
 * front->tls_gen / front->ssl_ctx (under tls_mu, read only when tls_gen moved)
 * and the atomic front->num_conns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "front/front_int.h"

#define TAG_WAKE      ((uint64_t)1)
#define TAG_LISTEN(i) ((uint64_t)2 + (uint64_t)(i)) /* 2..5; connections are pointers */
#define MAX_EVENTS    128
#define MAX_ACCEPTS   64 /* per listener event, to stay fair to open connections */

/* refresh_tls picks up a reloaded SSL_CTX; the lock is taken only when it changed. */
static void refresh_tls(struct ward_front_worker *w)
{
    struct ward_front *f = w->front;
    uint64_t gen = atomic_load(&f->tls_gen);

    if (gen == w->tls_gen && w->ssl_ctx != NULL) {
        return;
    }
    WARD_CHECK(pthread_mutex_lock(&f->tls_mu) == 0);
    SSL_CTX_free(w->ssl_ctx);
    w->ssl_ctx = f->ssl_ctx;
    SSL_CTX_up_ref(w->ssl_ctx);
    w->tls_gen = atomic_load(&f->tls_gen);
    WARD_CHECK(pthread_mutex_unlock(&f->tls_mu) == 0);
}

static void format_remote(char *out, size_t out_len, const struct sockaddr_storage *ss)
{
    char ip[INET6_ADDRSTRLEN] = "?";

    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        (void)inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        (void)snprintf(out, out_len, "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        (void)inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        (void)snprintf(out, out_len, "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
    }
}

static void set_accepting(struct ward_front_worker *w, bool on)
{
    struct epoll_event ev = { .events = EPOLLIN };

    for (size_t i = 0; i < w->front->cfg.num_listeners; i++) {
        if (w->listen_fds[i] < 0) {
            continue;
        }
        ev.data.u64 = TAG_LISTEN(i);
        (void)epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->listen_fds[i], &ev);
    }
    w->accept_paused = !on;
}

/* admit takes one accepted socket, or closes it at once past max_connections. */
static void admit(struct ward_front_worker *w, int fd, const struct sockaddr_storage *ss)
{
    struct ward_front *f = w->front;
    char remote[64];
    int one = 1;

    if (atomic_fetch_add(&f->num_conns, 1) >= f->cfg.limits.max_connections) {
        atomic_fetch_sub(&f->num_conns, 1);
        (void)close(fd);
        return;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    format_remote(remote, sizeof(remote), ss);
    refresh_tls(w);
    ward_front_conn_accept(w, fd, remote);
}

static void accept_some(struct ward_front_worker *w, size_t li)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    for (int i = 0; i < MAX_ACCEPTS; i++) {
        memset(&ss, 0, sizeof(ss));
        len = sizeof(ss);
        fd = accept4(w->listen_fds[li], (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            admit(w, fd, &ss);
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* Out of descriptors: stop accepting until the next sweep instead of spinning. */
            ward_log(WARD_LOG_WARN, "front: accept paused: out of file descriptors");
            set_accepting(w, false);
        }
        return;
    }
}

static void start_drain(struct ward_front_worker *w)
{
    uint64_t v;

    (void)!read(w->wake_fd, &v, sizeof(v));
    if (w->draining) {
        return;
    }
    w->draining = true;
    w->drain_deadline_ms = w->now_ms + w->front->cfg.limits.drain_timeout_ms;
    for (size_t i = 0; i < w->front->cfg.num_listeners; i++) {
        if (w->listen_fds[i] >= 0) {
            (void)close(w->listen_fds[i]);
            w->listen_fds[i] = -1;
        }
    }
    w->last_sweep_ms = 0; /* sweep now: idle connections go at once */
}

static void sweep(struct ward_front_worker *w)
{
    struct ward_front_conn *c = w->conns;
    struct ward_front_conn *next;

    if (w->now_ms - w->last_sweep_ms < WARD_FRONT_SWEEP_MS) {
        return;
    }
    w->last_sweep_ms = w->now_ms;
    if (w->accept_paused && !w->draining) {
        set_accepting(w, true);
    }
    while (c != NULL) {
        next = ward_front_conn_next(c);
        if (w->draining && w->now_ms >= w->drain_deadline_ms) {
            ward_front_conn_close(c);
        } else {
            ward_front_conn_sweep(c);
        }
        c = next;
    }
}

static void run_ready(struct ward_front_worker *w)
{
    struct ward_front_conn *c;

    /* Each resume may re-queue its connection: take only what is there now. */
    for (size_t n = w->num_conns; n > 0 && (c = w->ready) != NULL; n--) {
        w->ready = ward_front_conn_ready_next(c);
        ward_front_conn_resume(c);
    }
}

static void dispatch_event(struct ward_front_worker *w, const struct epoll_event *ev)
{
    uint64_t tag = ev->data.u64;

    if (tag == TAG_WAKE) {
        start_drain(w);
    } else if (tag >= TAG_LISTEN(0) && tag < TAG_LISTEN(WARD_FRONT_MAX_LISTENERS)) {
        if (w->listen_fds[tag - TAG_LISTEN(0)] >= 0) {
            accept_some(w, (size_t)(tag - TAG_LISTEN(0)));
        }
    } else {
        ward_front_conn_event(ev->data.ptr, ev->events);
    }
}

void *ward_front_worker_main(void *arg)
{
    struct ward_front_worker *w = arg;
    struct epoll_event evs[MAX_EVENTS];
    int n;

    struct epoll_event wake = { .events = EPOLLIN, .data.u64 = TAG_WAKE };

    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &wake) != 0) {
        ward_log(WARD_LOG_ERROR, "front: worker %zu cannot watch its wake fd", w->index);
        return NULL;
    }
    set_accepting(w, true);
    refresh_tls(w);
    ward_log_buffer_begin(); /* request lines: one write per loop round */
    w->now_ms = ward_time_mono_ms();
    w->last_sweep_ms = w->now_ms;
    while (!w->draining || (w->num_conns > 0 && w->now_ms < w->drain_deadline_ms)) {
        ward_log_flush();
        n = epoll_wait(w->epfd, evs, MAX_EVENTS, w->ready != NULL ? 0 : WARD_FRONT_SWEEP_MS);
        w->now_ms = ward_time_mono_ms();
        for (int i = 0; i < n; i++) {
            dispatch_event(w, &evs[i]);
        }
        run_ready(w);
        sweep(w);
    }
    while (w->conns != NULL) {
        ward_front_conn_close(w->conns);
    }
    SSL_CTX_free(w->ssl_ctx);
    w->ssl_ctx = NULL;
    ward_log_flush();
    return NULL;
}
