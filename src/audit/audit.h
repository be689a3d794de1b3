/*
 * audit.h - the audit trail: one JSON line per request and per response,
 * hash-chained and MACed, written to the enabled devices (file, syslog,
 * socket); and the verifier behind `ward audit verify`.
 *
 * Keeper-side. The engine calls ward_audit_record twice per request (before
 * the handler runs and after it answered); when at least one device is
 * enabled and none can take a record, the call fails and the engine refuses
 * the request (fail closed). Records a device could not take wait in that
 * device's queue and are written, in order, when it works again.
 *
 * A record (docs/storage-format.md "Audit records", byte exact):
 *
 *   {"type":"request","seq":7,"time":"2024-05-01T12:00:00.123456Z",...,
 *    "prev":"<64 hex: SHA-256 of the previous line>","mac":"<64 hex or empty>"}\n
 *
 * Every device has its own chain: seq counts lines from 0 (the header, whose
 * prev is a random start value), prev is the SHA-256 of the previous line
 * without its newline, and mac is HMAC-SHA-256 under the device's file key
 * over the line without its ',"mac":"..."' member. The file key is
 * HMAC-SHA-256(audit key, "ward-audit-file-v1:" || start hex), the audit key
 * 32 random bytes under the barrier. While Ward is sealed the audit key is
 * not in memory: records are still written and chained, with an empty mac,
 * and the next MACed record authenticates them through the chain
 * (docs/decisions.md).
 *
 * SECURITY: request bodies, query strings and response bodies are never
 * recorded; the token appears only as an HMAC (accessor_hmac).
 *
 * THREADS: every ward_audit_* function is thread-safe; one mutex orders
 * all records, so seq is contiguous per device. The verifier functions
 * have no shared state.
 */
#ifndef WARD_AUDIT_AUDIT_H
#define WARD_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "barrier/barrier.h"
#include "base/err.h"

#define WARD_AUDIT_HASH_LEN      32
#define WARD_AUDIT_KEY_LEN       32
#define WARD_AUDIT_HEX_LEN       64
#define WARD_AUDIT_MAX_DEVICES   8
#define WARD_AUDIT_MAX_LINE      8192u /* a record's longest line */
#define WARD_AUDIT_MAX_POLICIES  16
#define WARD_AUDIT_HASH_TEXT_LEN (12 + WARD_AUDIT_HEX_LEN) /* "hmac-sha256:" + hex */

/* An enabled device as stored under the barrier and listed by sys/audit. */
struct ward_audit_device_conf {
    char path[65];         /* "file", "audit-1": the name in /v1/sys/audit/:path */
    char type[8];          /* "file", "syslog", "socket" */
    char description[257]; /* free text */
    char file_path[513];   /* file: absolute path of the log */
    char facility[16];     /* syslog: "AUTHPRIV" (default), "AUTH", "DAEMON", "LOCAL0".."7" */
    char tag[33];          /* syslog: the text before each line (default "ward") */
    char address[257];     /* socket: "host:port" of the collector */
    char socket_type[8];   /* socket: "tcp" (the only one) */
    char spool_path[513];  /* socket: local spool; default <spool_dir>/audit-<path>.spool */
};

/* Who made a request, as the auth code knows it (all borrowed; NULL = unknown). */
struct ward_audit_auth {
    const char *principal;
    const char *accessor; /* NULL: the token itself is HMACed (the root token has none) */
    const char *policies[WARD_AUDIT_MAX_POLICIES];
    size_t num_policies;
};

enum ward_audit_kind {
    WARD_AUDIT_REQUEST,
    WARD_AUDIT_RESPONSE,
};

/* One request or response to record; every string borrowed, NULL = absent. */
struct ward_audit_event {
    enum ward_audit_kind kind;
    const char *request_id;
    const char *remote_addr;
    const char *method;
    const char *operation; /* op name from ops.def; NULL for an unrouted path */
    const char *path;      /* the URL path under /v1/ */
    const char *key;       /* transit key name, where the path names one */
    const char *token;     /* SECURITY: only its HMAC is written */
    const char *id_hmac;   /* ward_audit_id_hmac's answer, made once a request; NULL = make it */
    struct ward_audit_auth auth;
    int status;          /* response */
    const char *error;   /* response: stable error name, NULL on success */
    int64_t duration_us; /* response */
};

struct ward_audit_config {
    const char *node;      /* this server's name in every record; NULL = host name */
    const char *spool_dir; /* default directory of socket spools; NULL = spool_path required */
};

struct ward_audit;

/*
 * ward_audit_new makes an audit trail with no device known yet: until the
 * first ward_audit_unsealed loads the device table from the barrier, records
 * wait in memory (at most WARD_AUDIT_BOOT_MAX; past it they are counted and a
 * "notice" record states how many). Caller owns *out.
 */
WARD_MUST_CHECK ward_err ward_audit_new(struct ward_audit **out,
                                        const struct ward_audit_config *cfg);

/* ward_audit_free writes a close record to each device, syncs and frees a; NULL is allowed. */
void ward_audit_free(struct ward_audit *a);

/*
 * ward_audit_unsealed loads the audit key from b (creating it on first use)
 * into locked memory and, the first time, the device table, opens the
 * devices and writes the records waiting since start. Devices that fail to
 * open stay enabled and are retried.
 */
WARD_MUST_CHECK ward_err ward_audit_unsealed(struct ward_audit *a, struct ward_barrier *b);

/* ward_audit_sealed wipes the audit key; later records are chained without a MAC. */
void ward_audit_sealed(struct ward_audit *a);

/* ward_audit_idle is true when nothing needs recording: the table is loaded and empty. */
bool ward_audit_idle(struct ward_audit *a);

/*
 * ward_audit_id_hmac writes ev's accessor_hmac ("hmac-sha256:<hex>" of the
 * accessor, or of the token when there is none; "" while sealed or without
 * either), so the two records of a request pay for one HMAC.
 */
void ward_audit_id_hmac(struct ward_audit *a, char out[WARD_AUDIT_HASH_TEXT_LEN + 1],
                        const struct ward_audit_event *ev);

/*
 * ward_audit_record writes ev to every enabled device. WARD_OK when no
 * device is enabled or at least one took the record; WARD_E_AUDIT_FAILED
 * when every device failed (the record waits in their queues).
 */
WARD_MUST_CHECK ward_err ward_audit_record(struct ward_audit *a, const struct ward_audit_event *ev);

/*
 * ward_audit_enable opens a new device (it must work now: a file must be
 * writable), writes its header and stores the table under b. WARD_E_EXISTS
 * (path in use), WARD_E_INVALID (why says what), WARD_E_TOO_LARGE (table
 * full), WARD_E_SYS (cannot open), WARD_E_SEALED.
 */
WARD_MUST_CHECK ward_err ward_audit_enable(struct ward_audit *a, struct ward_barrier *b,
                                           const struct ward_audit_device_conf *conf, char *why,
                                           size_t why_cap);

/* ward_audit_disable closes path's device (close record) and stores the table. */
WARD_MUST_CHECK ward_err ward_audit_disable(struct ward_audit *a, struct ward_barrier *b,
                                            const char *path);

/* ward_audit_list copies up to cap device configurations into out; returns the count. */
size_t ward_audit_list(struct ward_audit *a, struct ward_audit_device_conf *out, size_t cap);

/* What the server last wrote to one device: the verifier's anchor for the tail. */
struct ward_audit_head {
    uint64_t seq;
    uint8_t hash[WARD_AUDIT_HASH_LEN];  /* SHA-256 of that line */
    uint8_t start[WARD_AUDIT_HASH_LEN]; /* the chain's start value (header prev) */
    uint64_t queued;                    /* records waiting for the device */
};

/* ward_audit_get_head fills out for path. WARD_E_NOT_FOUND, WARD_E_UNSUPPORTED (no chain yet). */
WARD_MUST_CHECK ward_err ward_audit_get_head(struct ward_audit *a, struct ward_audit_head *out,
                                             const char *path);

/*
 * ward_audit_file_key derives the MAC key of the chain that starts at start
 * (what `ward audit verify` needs). WARD_E_SEALED while sealed.
 * SECURITY: the key lets its holder forge records of that one chain.
 */
WARD_MUST_CHECK ward_err ward_audit_file_key(struct ward_audit *a, uint8_t out[WARD_AUDIT_KEY_LEN],
                                             const uint8_t start[WARD_AUDIT_HASH_LEN]);

/*
 * ward_audit_hash writes "hmac-sha256:<hex>" of in (NUL-terminated) as
 * accessor_hmac would show it, for Vault's sys/audit-hash. WARD_E_SEALED.
 */
WARD_MUST_CHECK ward_err ward_audit_hash(struct ward_audit *a,
                                         char out[WARD_AUDIT_HASH_TEXT_LEN + 1], const uint8_t *in,
                                         size_t in_len);

/* ward_audit_conf_check validates conf (type and its options); why says what is wrong. */
WARD_MUST_CHECK ward_err ward_audit_conf_check(const struct ward_audit_device_conf *conf, char *why,
                                               size_t why_cap);

/*
 * ward_audit_conf_json returns conf in Vault's shape: {"type","description",
 * "options":{...},"local":false,"path":"<path>/"} (NULL: out of memory).
 */
json_t *ward_audit_conf_json(const struct ward_audit_device_conf *conf);

/*
 * ward_audit_conf_parse fills out from a device object in Vault's shape
 * ({type, description, options: {file_path | facility, tag | address,
 * socket_type, spool_path}}; option values are strings) for path. Unknown
 * options are refused. WARD_E_INVALID with why set.
 */
WARD_MUST_CHECK ward_err ward_audit_conf_parse(struct ward_audit_device_conf *out,
                                               const json_t *obj, const char *path, char *why,
                                               size_t why_cap);

/* The verifier's answer. */
struct ward_audit_verdict {
    bool intact;
    uint64_t bad_seq; /* the first bad record's seq (or the expected one) */
    size_t bad_line;  /* its line number, from 1 */
    const char *why;  /* static text */
    uint64_t records; /* lines read */
    uint64_t keyed;   /* lines with a MAC */
    uint64_t last_seq;
    bool closed;   /* the last record is a close record */
    bool anchored; /* a head was given and found */
};

/*
 * ward_audit_verify checks a whole audit file: line format, seq, the chain,
 * every MAC under key (the file key), and with head (NULL = none) that the
 * file holds the head's record unchanged. Records without a MAC must be
 * followed by a MACed record or covered by head. The verdict is in *out;
 * the return is WARD_OK or WARD_E_NOMEM.
 */
WARD_MUST_CHECK ward_err ward_audit_verify(struct ward_audit_verdict *out, const uint8_t *file,
                                           size_t len, const uint8_t key[WARD_AUDIT_KEY_LEN],
                                           const struct ward_audit_head *head);

/*
 * ward_audit_file_start reads the start value from the file's header line.
 * WARD_E_BAD_ENCODING if the first line is not a header.
 */
WARD_MUST_CHECK ward_err ward_audit_file_start(uint8_t out[WARD_AUDIT_HASH_LEN],
                                               const uint8_t *file, size_t len);

/* ward_audit_hex writes n bytes as lowercase hex and a NUL (2n + 1 bytes). */
void ward_audit_hex(char *out, const uint8_t *in, size_t n);

/* ward_audit_unhex reads exactly 2n lowercase hex digits. WARD_E_BAD_ENCODING. */
WARD_MUST_CHECK ward_err ward_audit_unhex(uint8_t *out, size_t n, const char *hex, size_t hex_len);

#endif
