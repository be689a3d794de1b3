/*
 * socket.c - a socket device's sender: a thread that tails the device's
 * spool file to a TCP collector, one line per record, in order.
 *
 * Records are written to the spool (device.c) before a request goes on; this
 * thread delivers them. While the collector is down the spool keeps them;
 * when it is back they are sent from where delivery stopped. The delivered
 * offset is kept in <spool>.pos (8 bytes, big-endian), always at a line's
 * end, so a restart of Ward goes on from there. Before each send the
 * connection is checked for a closed peer (poll POLLRDHUP), and after a send
 * fails the offset goes back to the last whole line sent: a collector drops
 * a connection's bytes after its last newline (docs/config.md), so it never
 * sees half a line, and a line lost in flight by a crashing collector is the
 * only gap (the verifier, against the server's head, shows it).
 *
 * LIMITATION: the spool is never compacted: it is also the device's local
 * copy of the whole trail, and cutting its delivered head would need the
 * offset file, the verifier's start value and an archive of the cut part
 * to move together. It grows like a file device's file; unlike one, it
 * cannot be rotated by renaming it while Ward runs (the sender would lose
 * its place). Noted as left in issue #6's closing note.
 *
 * THREADS: one thread per socket device; stop is written by the owner,
 * everything else belongs to the thread. The spool is only appended to by
 * the record writers, so reading below its size needs no lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"
#include "base/log.h"

#define SEND_CHUNK 65536
#define CONNECT_MS 1000
#define IDLE_MS    20
#define BACKOFF_MS 250

struct audit_sender {
    char spool[520];
    char pos_path[530];
    char host[257];
    char port[8];
    int spool_fd;
    int pos_fd;
    int sock;
    uint64_t pos; /* delivered bytes of the spool, at a line's end */
    atomic_bool stop;
    atomic_int_fast64_t drain_until_ms;
    pthread_t thread;
    uint8_t buf[SEND_CHUNK];
};

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    (void)nanosleep(&ts, NULL);
}

static void close_sock(struct audit_sender *s)
{
    if (s->sock >= 0) {
        (void)close(s->sock);
        s->sock = -1;
    }
}

/* connect_to opens a blocking TCP connection with a CONNECT_MS timeout. */
static int connect_to(const struct audit_sender *s)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int fd = -1;

    if (getaddrinfo(s->host, s->port, &hints, &res) != 0) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        struct pollfd p;
        int soerr = 0;
        socklen_t len = sizeof(soerr);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            continue;
        }
        p.fd = fd;
        p.events = POLLOUT;
        if ((connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) ||
            poll(&p, 1, CONNECT_MS) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0 ||
            fcntl(fd, F_SETFL, 0) != 0) {
            (void)close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* peer_gone is true when the collector closed its end (or reset it). */
static bool peer_gone(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
    char b;

    if (poll(&p, 1, 0) != 1) {
        return false;
    }
    if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
        return true;
    }
    /* a collector that talks back is not expected; drain and treat EOF as gone */
    return (p.revents & POLLIN) != 0 && recv(fd, &b, 1, MSG_DONTWAIT) <= 0;
}

static void save_pos(struct audit_sender *s)
{
    uint8_t b[8];

    ward_put_u64(b, s->pos);
    if (pwrite(s->pos_fd, b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        ward_log(WARD_LOG_WARN, "msg=\"audit spool position not saved\" spool=%s", s->spool);
    }
}

/* send_some sends spool bytes from pos up to size; false when the connection failed. */
static bool send_some(struct audit_sender *s, uint64_t size)
{
    uint8_t *buf = s->buf;
    size_t want = size - s->pos > SEND_CHUNK ? SEND_CHUNK : (size_t)(size - s->pos);
    ssize_t n = pread(s->spool_fd, buf, want, (off_t)s->pos);
    size_t whole = 0;
    size_t off = 0;

    if (n <= 0) {
        return true;
    }
    for (size_t i = (size_t)n; i > 0; i--) {
        if (buf[i - 1] == '\n') {
            whole = i;
            break;
        }
    }
    if (whole == 0) {
        return true; /* a line longer than the chunk cannot happen: lines are bounded */
    }
    while (off < whole) {
        ssize_t w = send(s->sock, buf + off, whole - off, MSG_NOSIGNAL);

        if (w <= 0) {
            return false; /* pos stays at the last whole line delivered */
        }
        off += (size_t)w;
    }
    s->pos += whole;
    save_pos(s);
    return true;
}

static uint64_t spool_size(const struct audit_sender *s)
{
    struct stat st;

    return fstat(s->spool_fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* deliver sends everything the spool holds; false when the collector is not reachable. */
static bool deliver(struct audit_sender *s)
{
    uint64_t size = spool_size(s);

    if (s->pos > size) {
        s->pos = 0; /* the spool was replaced: send the new one from its start */
    }
    while (s->pos < size) {
        if (s->sock >= 0 && peer_gone(s->sock)) {
            close_sock(s);
        }
        if (s->sock < 0 && (s->sock = connect_to(s)) < 0) {
            return false;
        }
        if (!send_some(s, size)) {
            close_sock(s);
            return false;
        }
    }
    return true;
}

static void *sender_main(void *arg)
{
    struct audit_sender *s = arg;

    for (;;) {
        bool ok = deliver(s);

        if (atomic_load(&s->stop) &&
            (ok || ward_time_mono_ms() >= atomic_load(&s->drain_until_ms))) {
            break;
        }
        sleep_ms(ok ? IDLE_MS : BACKOFF_MS);
    }
    close_sock(s);
    return NULL;
}

static ward_err split_address(struct audit_sender *s, const char *address)
{
    const char *colon = strrchr(address, ':');
    size_t hl;

    if (colon == NULL || strlen(colon + 1) >= sizeof(s->port)) {
        return WARD_E_INVALID;
    }
    hl = (size_t)(colon - address);
    if (hl >= 2 && address[0] == '[' && address[hl - 1] == ']') {
        address++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof(s->host)) {
        return WARD_E_INVALID;
    }
    memcpy(s->host, address, hl);
    s->host[hl] = '\0';
    (void)snprintf(s->port, sizeof(s->port), "%s", colon + 1);
    return WARD_OK;
}

static ward_err open_files(struct audit_sender *s)
{
    uint8_t b[8];

    s->spool_fd = open(s->spool, O_RDONLY | O_CLOEXEC);
    s->pos_fd = open(s->pos_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (s->spool_fd < 0 || s->pos_fd < 0) {
        return WARD_E_SYS;
    }
    s->pos = pread(s->pos_fd, b, sizeof(b), 0) == (ssize_t)sizeof(b) ? ward_get_u64(b) : 0;
    return WARD_OK;
}

ward_err audit_sender_start(struct audit_sender **out, const char *spool_path, const char *address)
{
    struct audit_sender *s;
    ward_err err = WARD_E_NOMEM;

    *out = NULL;
    if ((s = ward_calloc(1, sizeof(*s))) == NULL) {
        return WARD_E_NOMEM;
    }
    s->spool_fd = s->pos_fd = s->sock = -1;
    atomic_init(&s->stop, false);
    atomic_init(&s->drain_until_ms, 0);
    if (snprintf(s->spool, sizeof(s->spool), "%s", spool_path) >= (int)sizeof(s->spool) ||
        snprintf(s->pos_path, sizeof(s->pos_path), "%s.pos", spool_path) >=
            (int)sizeof(s->pos_path)) {
        err = WARD_E_TOO_LARGE;
    } else if ((err = split_address(s, address)) == WARD_OK && (err = open_files(s)) == WARD_OK &&
               audit_thread_start(&s->thread, sender_main, s) != WARD_OK) {
        err = WARD_E_SYS;
    }
    if (err != WARD_OK) {
        if (s->spool_fd >= 0) {
            (void)close(s->spool_fd);
        }
        if (s->pos_fd >= 0) {
            (void)close(s->pos_fd);
        }
        ward_free(s);
        return err;
    }
    *out = s;
    return WARD_OK;
}

void audit_sender_stop(struct audit_sender *s, int64_t drain_ms)
{
    if (s == NULL) {
        return;
    }
    atomic_store(&s->drain_until_ms, ward_time_mono_ms() + drain_ms);
    atomic_store(&s->stop, true);
    (void)pthread_join(s->thread, NULL);
    (void)close(s->spool_fd);
    (void)close(s->pos_fd);
    ward_free(s);
}
