/*
 * device.c - where records go: a file (and a socket device's spool, which is
 * a file too) or syslog.
 *
 * A file is opened O_APPEND, mode 0600, and every record is one write() of
 * one whole line before the request goes on, so a record is in the kernel
 * when the handler runs and survives a crash of Ward; the syncer thread
 * (audit.c) runs fdatasync on written files once a second (AUDIT_SYNC_MS),
 * outside the lock, and close does too, so a crash of the machine can lose
 * at most the last second (docs/config.md says so). A short write is cut
 * back off, so the file never holds half a line. Every AUDIT_CHECK_MS the
 * path is checked against the open file: a file moved away (rotation) or
 * replaced makes Ward open the path anew (a new file starts with a header).
 * An existing file is continued: its header gives the chain's start, its last
 * line the seq and hash.
 *
 * THREADS: called with ward_audit.mu held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <jansson.h>

#include "audit_int.h"
#include "base/log.h"
#include "crypto/crypto.h"

struct facility {
    const char *name;
    int value;
};

static const struct facility g_facilities[] = {
    { "AUTHPRIV", LOG_AUTHPRIV }, { "AUTH", LOG_AUTH },     { "DAEMON", LOG_DAEMON },
    { "USER", LOG_USER },         { "LOCAL0", LOG_LOCAL0 }, { "LOCAL1", LOG_LOCAL1 },
    { "LOCAL2", LOG_LOCAL2 },     { "LOCAL3", LOG_LOCAL3 }, { "LOCAL4", LOG_LOCAL4 },
    { "LOCAL5", LOG_LOCAL5 },     { "LOCAL6", LOG_LOCAL6 }, { "LOCAL7", LOG_LOCAL7 },
};

static int facility_of(const char *name)
{
    if (name[0] == '\0') {
        return LOG_AUTHPRIV;
    }
    for (size_t i = 0; i < sizeof(g_facilities) / sizeof(g_facilities[0]); i++) {
        if (strcasecmp(name, g_facilities[i].name) == 0) {
            return g_facilities[i].value;
        }
    }
    return -1;
}

static ward_err fail_why(char *why, size_t cap, const char *text)
{
    (void)snprintf(why, cap, "%s", text);
    return WARD_E_INVALID;
}

static bool valid_address(const char *a)
{
    const char *colon = strrchr(a, ':');

    return colon != NULL && colon != a && colon[1] != '\0' &&
           strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) <= 5;
}

ward_err ward_audit_conf_check(const struct ward_audit_device_conf *c, char *why, size_t cap)
{
    if (c->path[0] == '\0' ||
        strspn(c->path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_.") != strlen(c->path) ||
        strcmp(c->path, ".") == 0 || strcmp(c->path, "..") == 0) {
        return fail_why(why, cap, "path must be letters, digits, '-', '_' or '.'");
    }
    if (strcmp(c->type, "file") == 0) {
        return c->file_path[0] == '/' ? WARD_OK
                                      : fail_why(why, cap, "file_path must be an absolute path");
    }
    if (strcmp(c->type, "syslog") == 0) {
        return facility_of(c->facility) >= 0
                   ? WARD_OK
                   : fail_why(why, cap,
                              "facility must be AUTHPRIV, AUTH, DAEMON, USER or LOCAL0-7");
    }
    if (strcmp(c->type, "socket") == 0) {
        if (c->socket_type[0] != '\0' && strcmp(c->socket_type, "tcp") != 0) {
            return fail_why(why, cap, "socket_type must be tcp");
        }
        if (c->spool_path[0] != '\0' && c->spool_path[0] != '/') {
            return fail_why(why, cap, "spool_path must be an absolute path");
        }
        return valid_address(c->address) ? WARD_OK
                                         : fail_why(why, cap, "address must be host:port");
    }
    return fail_why(why, cap, "type must be file, syslog or socket");
}

ward_err audit_spool_path(char *out, size_t cap, const struct audit_dev *d, const char *spool_dir)
{
    int n;

    if (d->conf.spool_path[0] != '\0') {
        n = snprintf(out, cap, "%s", d->conf.spool_path);
    } else if (spool_dir != NULL && spool_dir[0] != '\0') {
        n = snprintf(out, cap, "%s/audit-%s.spool", spool_dir, d->conf.path);
    } else {
        return WARD_E_INVALID;
    }
    return n > 0 && (size_t)n < cap ? WARD_OK : WARD_E_TOO_LARGE;
}

static const char *file_of(const struct audit_dev *d)
{
    return d->kind == AUDIT_FILE ? d->conf.file_path : d->conf.spool_path;
}

/* last_line finds the last complete line of fd's size bytes into buf. */
static ward_err last_line(int fd, off_t size, uint8_t *buf, size_t cap, size_t *out_len,
                          const uint8_t **out)
{
    off_t from = size > (off_t)cap ? size - (off_t)cap : 0;
    ssize_t n = pread(fd, buf, (size_t)(size - from), from);
    size_t end;

    if (n != size - from || n < 2 || buf[n - 1] != '\n') {
        return WARD_E_STORE_CORRUPT; /* unreadable, or cut in the middle of a line */
    }
    end = (size_t)n - 1;
    for (size_t i = end; i > 0; i--) {
        if (buf[i - 1] == '\n') {
            *out = buf + i;
            *out_len = end - i;
            return WARD_OK;
        }
    }
    if (from != 0) {
        return WARD_E_STORE_CORRUPT;
    }
    *out = buf;
    *out_len = end;
    return WARD_OK;
}

/* resume continues the chain of a non-empty file: start from its header, seq and hash from its end.
 */
static ward_err resume(struct audit_dev *d)
{
    uint8_t buf[2 * WARD_AUDIT_MAX_LINE];
    const uint8_t *line = NULL;
    size_t len = 0;
    json_error_t jerr;
    json_t *o;
    ssize_t n = pread(d->fd, buf, sizeof(buf), 0);
    ward_err err;

    if (n <= 0 || ward_audit_file_start(d->chain.start, buf, (size_t)n) != WARD_OK ||
        last_line(d->fd, d->size, buf, sizeof(buf), &len, &line) != WARD_OK) {
        return WARD_E_STORE_CORRUPT;
    }
    o = json_loadb((const char *)line, len, JSON_REJECT_DUPLICATES, &jerr);
    err = WARD_E_STORE_CORRUPT;
    if (json_is_integer(json_object_get(o, "seq")) &&
        json_integer_value(json_object_get(o, "seq")) >= 0) {
        d->chain.seq = (uint64_t)json_integer_value(json_object_get(o, "seq")) + 1;
        ward_sha256(d->chain.prev, line, len);
        d->chain.started = true;
        err = WARD_OK;
    }
    json_decref(o);
    return err;
}

/* open_file opens (or creates) the device's file and picks up its chain. */
static ward_err open_file(struct audit_dev *d)
{
    struct stat st;
    int fd = open(file_of(d), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    ward_err err;

    if (fd < 0) {
        return WARD_E_SYS;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        (void)close(fd);
        return WARD_E_SYS;
    }
    d->fd = fd;
    d->dev = st.st_dev;
    d->ino = st.st_ino;
    d->size = st.st_size;
    memset(&d->chain, 0, sizeof(d->chain));
    if (d->size > 0 && (err = resume(d)) != WARD_OK) {
        ward_log(WARD_LOG_ERROR,
                 "msg=\"audit file does not end in a whole record; move it away\" device=%s",
                 d->conf.path);
        (void)close(fd);
        d->fd = -1;
        return err;
    }
    return WARD_OK;
}

ward_err audit_dev_open(struct audit_dev *d, const char *spool_dir, char *why, size_t why_cap)
{
    ward_err err;

    d->fd = -1;
    if (strcmp(d->conf.type, "syslog") == 0) {
        d->kind = AUDIT_SYSLOG;
        d->facility = facility_of(d->conf.facility);
        return WARD_OK;
    }
    d->kind = strcmp(d->conf.type, "socket") == 0 ? AUDIT_SOCKET : AUDIT_FILE;
    if (d->kind == AUDIT_SOCKET) {
        char spool[sizeof(d->conf.spool_path)];

        if (audit_spool_path(spool, sizeof(spool), d, spool_dir) != WARD_OK) {
            (void)snprintf(why, why_cap,
                           "a socket device needs options.spool_path "
                           "(no [audit] spool_dir is configured)");
            return WARD_E_INVALID;
        }
        memcpy(d->conf.spool_path, spool, sizeof(spool)); /* kept in the stored table */
    }
    if ((err = open_file(d)) != WARD_OK) {
        char text[128];

        (void)snprintf(why, why_cap, "cannot open %s: %s", file_of(d),
                       err == WARD_E_SYS ? strerror_r(errno, text, sizeof(text))
                                         : "it does not end in a whole record");
        return err;
    }
    if (d->kind == AUDIT_SOCKET &&
        (err = audit_sender_start(&d->sender, d->conf.spool_path, d->conf.address)) != WARD_OK) {
        (void)snprintf(why, why_cap, "cannot start the socket sender");
        audit_dev_close(d);
        return err;
    }
    return WARD_OK;
}

void audit_dev_close(struct audit_dev *d)
{
    if (d->sender != NULL) {
        audit_sender_stop(d->sender, 2000);
        d->sender = NULL;
    }
    if (d->fd >= 0) {
        (void)fdatasync(d->fd);
        (void)close(d->fd);
        d->fd = -1;
    }
}

ward_err audit_dev_ready(struct audit_dev *d)
{
    struct stat st;

    if (d->kind == AUDIT_SYSLOG) {
        return WARD_OK;
    }
    if (d->fd >= 0 && ward_time_mono_ms() < d->checked_ms + AUDIT_CHECK_MS) {
        return WARD_OK; /* checked a moment ago: a rotation is seen within AUDIT_CHECK_MS */
    }
    d->checked_ms = ward_time_mono_ms();
    if (d->fd >= 0 && stat(file_of(d), &st) == 0 && st.st_dev == d->dev && st.st_ino == d->ino) {
        return WARD_OK;
    }
    /* moved, removed or replaced: the old file is finished; open the path anew */
    if (d->fd >= 0) {
        (void)fdatasync(d->fd);
        (void)close(d->fd);
        d->fd = -1;
    }
    return open_file(d);
}

ward_err audit_dev_write(struct audit_dev *d, const uint8_t *line, size_t len)
{
    ssize_t n;

    if (d->kind == AUDIT_SYSLOG) {
        /* SECURITY: the line is ASCII JSON with every control byte escaped */
        syslog(d->facility | LOG_INFO, "%s: %.*s", d->conf.tag[0] != '\0' ? d->conf.tag : "ward",
               (int)(len - 1), (const char *)line);
        return WARD_OK;
    }
    if (d->fd < 0) {
        return WARD_E_SYS;
    }
    n = write(d->fd, line, len);
    if (n != (ssize_t)len) {
        if (n > 0 && ftruncate(d->fd, d->size) != 0) {
            /* cannot cut the half line: close, so the next attempt reopens and resumes */
            (void)close(d->fd);
            d->fd = -1;
        }
        return WARD_E_SYS;
    }
    d->size += (off_t)len;
    d->dirty = true; /* the syncer (audit.c) makes it durable within AUDIT_SYNC_MS */
    return WARD_OK;
}
