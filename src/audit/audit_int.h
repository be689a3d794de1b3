/*
 * audit_int.h - the audit module's internals: record lines, devices and
 * the chain state; for src/audit's own .c files only.
 */
#ifndef WARD_AUDIT_AUDIT_INT_H
#define WARD_AUDIT_AUDIT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/mem.h"

#define AUDIT_FORMAT      1
#define AUDIT_TIME_LEN    27         /* "2024-05-01T12:00:00.123456Z" */
#define AUDIT_BOOT_MAX    4096       /* records held before the first unseal */
#define AUDIT_QUEUE_BYTES (4u << 20) /* a failing device's queue */
#define AUDIT_RETRY_MS    200        /* a failing device is retried at most this often */
#define AUDIT_SYNC_MS     1000       /* the syncer's period: fdatasync of written files */
#define AUDIT_CHECK_MS    100        /* a file's path is checked for rotation this often */
#define AUDIT_TEXT_MAX    (WARD_AUDIT_MAX_LINE - 256)

/* record.c: record types, in the order of the "type" member's values. */
extern const char *const g_audit_types[];

enum audit_type {
    AUDIT_T_HEADER,
    AUDIT_T_REQUEST,
    AUDIT_T_RESPONSE,
    AUDIT_T_CLOSE,
    AUDIT_T_NOTICE,
    AUDIT_T_COUNT
};

/* A chain's state: the next line gets seq and prev. */
struct audit_chain {
    bool started; /* the header is written */
    uint64_t seq;
    uint8_t prev[WARD_AUDIT_HASH_LEN];
    uint8_t start[WARD_AUDIT_HASH_LEN];
};

/*
 * audit_line builds one complete line (with its newline) into out from a
 * record's text (the members between seq and prev), advancing ch. key NULL
 * = no MAC (sealed). out's max must hold WARD_AUDIT_MAX_LINE.
 */
WARD_MUST_CHECK ward_err audit_line(struct ward_buf *out, struct audit_chain *ch,
                                    enum audit_type type, const char *text, size_t text_len,
                                    const uint8_t *key);

/* audit_json_str appends s as a JSON string: every byte >= 0x80 or < 0x20 as \u00XX. */
WARD_MUST_CHECK ward_err audit_json_str(struct ward_buf *b, const char *s);

/* audit_time_now writes the current UTC time as RFC 3339 with microseconds. */
void audit_time_now(char out[AUDIT_TIME_LEN + 1]);

/* audit_event_text writes ev's members (see docs/storage-format.md). */
WARD_MUST_CHECK ward_err audit_event_text(struct ward_buf *out, const struct ward_audit_event *ev,
                                          const char *node, const char *accessor_hmac);

/* audit_simple_text writes "time","node" and one more member (name: string or number). */
WARD_MUST_CHECK ward_err audit_simple_text(struct ward_buf *out, const char *node, const char *name,
                                           const char *str, uint64_t num);

/* audit_derive_file_key: HMAC-SHA-256(audit key, "ward-audit-file-v1:" || start hex). */
WARD_MUST_CHECK ward_err audit_derive_file_key(uint8_t out[WARD_AUDIT_KEY_LEN],
                                               const uint8_t *audit_key,
                                               const uint8_t start[WARD_AUDIT_HASH_LEN]);

/* audit_line_mac finds the mac member of line: WARD_OK with *mac_at (its ',') and hex length. */
WARD_MUST_CHECK ward_err audit_line_mac(const uint8_t *line, size_t len, size_t *mac_at,
                                        size_t *mac_len);

/* A record waiting for a device (its text; seq, prev and mac come when written). */
struct audit_rec {
    struct audit_rec *next;
    enum audit_type type;
    size_t len;
    char text[];
};

enum audit_kind {
    AUDIT_FILE,
    AUDIT_SYSLOG,
    AUDIT_SOCKET,
};

struct audit_sender; /* socket.c */

/* One enabled device. THREADS: guarded by ward_audit.mu, except sender's own state. */
struct audit_dev {
    struct ward_audit_device_conf conf;
    enum audit_kind kind;
    int facility;
    int fd;    /* file and socket spool; -1 while closed */
    dev_t dev; /* of the open file, to notice a rotation */
    ino_t ino;
    off_t size;         /* bytes of complete lines */
    int64_t checked_ms; /* last check of the path against the open file */
    bool dirty;         /* written since the syncer's last fdatasync */
    int64_t retry_ms;   /* next attempt to reopen / flush */
    struct audit_chain chain;
    struct ward_secret *file_key; /* NULL while sealed or before the header */
    struct audit_rec *queue;      /* records the device failed to take, oldest first */
    struct audit_rec **queue_tail;
    size_t queue_bytes;
    size_t queued;
    uint64_t lost; /* records dropped because the queue was full; reported in a notice */
    struct audit_sender *sender;
};

/* device.c */
WARD_MUST_CHECK ward_err audit_dev_open(struct audit_dev *d, const char *spool_dir, char *why,
                                        size_t why_cap);
void audit_dev_close(struct audit_dev *d);
WARD_MUST_CHECK ward_err audit_dev_write(struct audit_dev *d, const uint8_t *line, size_t len);
/* audit_dev_ready reopens a rotated or failed file; WARD_OK when writable. */
WARD_MUST_CHECK ward_err audit_dev_ready(struct audit_dev *d);
WARD_MUST_CHECK ward_err audit_spool_path(char *out, size_t cap, const struct audit_dev *d,
                                          const char *spool_dir);

/* table.c: the device table under the barrier (absent = no device). *out is the caller's. */
WARD_MUST_CHECK ward_err audit_table_load(struct ward_audit_device_conf **out, size_t *out_len,
                                          struct ward_barrier *b, const char *path);
WARD_MUST_CHECK ward_err audit_table_store(struct ward_barrier *b, const char *path,
                                           const struct ward_audit_device_conf *confs, size_t n);

/*
 * audit_thread_start starts fn(arg) with every signal blocked, so that the
 * server's signal handling (a signalfd on the main thread) never sees a
 * signal delivered to an audit thread instead. WARD_E_SYS.
 */
WARD_MUST_CHECK ward_err audit_thread_start(pthread_t *out, void *(*fn)(void *), void *arg);

/* socket.c: the sender thread tailing a socket device's spool to the collector. */
WARD_MUST_CHECK ward_err audit_sender_start(struct audit_sender **out, const char *spool_path,
                                            const char *address);
/* audit_sender_stop tries to deliver what is left for up to drain_ms, then stops. */
void audit_sender_stop(struct audit_sender *s, int64_t drain_ms);

#endif
