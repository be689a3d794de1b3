/*
 * audit.c - the audit trail: the device table, the audit key, and every
 * record on its way to each device.
 *
 * Storage (under the barrier, docs/storage-format.md):
 *   audit/key       32 random bytes: the audit key (ward_barrier_random_entry)
 *   audit/devices   the device table, JSON: {"devices":[{path,type,description,options}]}
 *
 * Life: until the first unseal the table is unknown, so records wait in a
 * bounded boot queue and are written when the table is loaded. While
 * unsealed the audit key lives in struct ward_secret and each device's
 * file key is derived from it; a seal wipes them and records go on without
 * a MAC (the next MACed record vouches for them through the chain).
 *
 * Fail closed: a record a device cannot take goes to that device's queue
 * (bounded; past it the count is kept and reported in a "notice" record), and
 * the device is retried before each later record (at most every
 * AUDIT_RETRY_MS); its queue is written first, in order, when it works again.
 * ward_audit_record fails only when every device failed.
 *
 * THREADS: request threads call ward_audit_record concurrently; mu guards
 * everything here and orders all records. idle is read without it (a stale
 * true is impossible: it turns false under mu before a device exists). The
 * syncer thread takes mu only to dup the descriptors it syncs.
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit_int.h"
#include "base/log.h"
#include "crypto/crypto.h"

#define TABLE_PATH "audit/devices"
#define KEY_PATH   "audit/key"

struct ward_audit {
    pthread_mutex_t mu;
    char node[128];
    char spool_dir[512];
    bool loaded;                  /* the table is read from the barrier */
    atomic_bool idle;             /* loaded and no device */
    struct ward_secret *key;      /* the audit key; NULL while sealed */
    struct ward_secret *hash_key; /* HMAC key of identifiers (tokens, accessors) */
    pthread_rwlock_t key_lock;    /* guards key and hash_key too; taken after mu */
    struct audit_dev *devs[WARD_AUDIT_MAX_DEVICES];
    size_t num_devs;
    struct audit_rec *boot; /* records before the table is known */
    struct audit_rec **boot_tail;
    size_t boot_count;
    uint64_t boot_lost;
    struct ward_buf line; /* scratch */
    struct ward_buf text;
    atomic_bool stop; /* written by ward_audit_free, read by the syncer */
    pthread_t syncer;
    bool syncer_started;
};

ward_err audit_thread_start(pthread_t *out, void *(*fn)(void *), void *arg)
{
    sigset_t all;
    sigset_t old;
    int rc;

    (void)sigfillset(&all);
    if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0) {
        return WARD_E_SYS;
    }
    rc = pthread_create(out, NULL, fn, arg);
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? WARD_OK : WARD_E_SYS;
}

/*
 * syncer runs fdatasync on every file written since its last round, once
 * every AUDIT_SYNC_MS, on dup'd descriptors so that mu is not held during
 * the disk's wait (a request never waits for a sync).
 */
static void *syncer_main(void *arg)
{
    struct ward_audit *a = arg;
    struct timespec tick = { 0, 100 * 1000000L };
    int fds[WARD_AUDIT_MAX_DEVICES];

    while (!atomic_load(&a->stop)) {
        size_t n = 0;

        for (int i = 0; i < AUDIT_SYNC_MS / 100 && !atomic_load(&a->stop); i++) {
            (void)nanosleep(&tick, NULL);
        }
        (void)pthread_mutex_lock(&a->mu);
        for (size_t i = 0; i < a->num_devs; i++) {
            struct audit_dev *d = a->devs[i];

            if (d->dirty && d->fd >= 0 && (fds[n] = dup(d->fd)) >= 0) {
                d->dirty = false;
                n++;
            }
        }
        (void)pthread_mutex_unlock(&a->mu);
        for (size_t i = 0; i < n; i++) {
            (void)fdatasync(fds[i]);
            (void)close(fds[i]);
        }
    }
    return NULL;
}

ward_err ward_audit_new(struct ward_audit **out, const struct ward_audit_config *cfg)
{
    pthread_mutexattr_t attr;
    struct ward_audit *a;

    *out = NULL;
    if ((a = ward_calloc(1, sizeof(*a))) == NULL) {
        return WARD_E_NOMEM;
    }
    /* adaptive: a record holds mu for microseconds; spinning beats sleeping in futex */
    if (pthread_mutexattr_init(&attr) != 0 ||
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP) != 0 ||
        pthread_mutex_init(&a->mu, &attr) != 0) {
        ward_free(a);
        return WARD_E_SYS;
    }
    (void)pthread_mutexattr_destroy(&attr);
    if (cfg->node != NULL) {
        (void)snprintf(a->node, sizeof(a->node), "%s", cfg->node);
    } else if (gethostname(a->node, sizeof(a->node) - 1) != 0) {
        (void)snprintf(a->node, sizeof(a->node), "ward");
    }
    (void)snprintf(a->spool_dir, sizeof(a->spool_dir), "%s",
                   cfg->spool_dir != NULL ? cfg->spool_dir : "");
    a->boot_tail = &a->boot;
    atomic_init(&a->idle, false);
    atomic_init(&a->stop, false);
    ward_buf_init(&a->line, WARD_AUDIT_MAX_LINE);
    ward_buf_init(&a->text, AUDIT_TEXT_MAX);
    if (pthread_rwlock_init(&a->key_lock, NULL) != 0 ||
        audit_thread_start(&a->syncer, syncer_main, a) != WARD_OK) {
        ward_audit_free(a);
        return WARD_E_SYS;
    }
    a->syncer_started = true;
    *out = a;
    return WARD_OK;
}

static struct audit_rec *rec_new(enum audit_type type, const struct ward_buf *text)
{
    struct audit_rec *r = ward_alloc(sizeof(*r) + text->len + 1);

    if (r != NULL) {
        r->next = NULL;
        r->type = type;
        r->len = text->len;
        memcpy(r->text, text->data, text->len);
        r->text[text->len] = '\0';
    }
    return r;
}

static void recs_free(struct audit_rec *r)
{
    while (r != NULL) {
        struct audit_rec *next = r->next;

        ward_free(r);
        r = next;
    }
}

/* dev_key makes sure d's file key matches its chain and Ward's seal state. */
static ward_err dev_key(struct ward_audit *a, struct audit_dev *d)
{
    uint8_t k[WARD_AUDIT_KEY_LEN];
    ward_err err;

    if (a->key == NULL || d->file_key != NULL || !d->chain.started) {
        return WARD_OK;
    }
    if ((err = audit_derive_file_key(k, a->key->data, d->chain.start)) == WARD_OK) {
        err = ward_secret_new_copy(&d->file_key, k, sizeof(k));
    }
    OPENSSL_cleanse(k, sizeof(k));
    return err;
}

/* put writes one record to d now (the device is ready); the chain moves only on success. */
static ward_err put(struct ward_audit *a, struct audit_dev *d, enum audit_type type,
                    const char *text, size_t len)
{
    struct audit_chain ch = d->chain;
    ward_err err;

    if ((err = dev_key(a, d)) != WARD_OK ||
        (err = audit_line(&a->line, &ch, type, text, len,
                          d->file_key != NULL ? d->file_key->data : NULL)) != WARD_OK ||
        (err = audit_dev_write(d, a->line.data, a->line.len)) != WARD_OK) {
        return err;
    }
    d->chain = ch;
    return WARD_OK;
}

/* header starts d's chain with a random start value, if it has none. */
static ward_err header(struct ward_audit *a, struct audit_dev *d)
{
    struct ward_buf t;
    ward_err err;

    if (d->chain.started) {
        return WARD_OK;
    }
    ward_buf_init(&t, 512);
    if ((err = ward_crypto_random(d->chain.start, sizeof(d->chain.start))) != WARD_OK ||
        (err = audit_simple_text(&t, a->node, "device", d->conf.path, 0)) != WARD_OK ||
        (err = ward_buf_append_str(&t, ",\"format\":1")) != WARD_OK) {
        ward_buf_cleanup(&t);
        return err;
    }
    memcpy(d->chain.prev, d->chain.start, sizeof(d->chain.prev));
    d->chain.seq = 0;
    d->chain.started = true;
    ward_secret_free(d->file_key);
    d->file_key = NULL;
    if ((err = put(a, d, AUDIT_T_HEADER, (const char *)t.data, t.len)) != WARD_OK) {
        d->chain.started = false;
    }
    ward_buf_cleanup(&t);
    return err;
}

/* ready reopens a rotated or failed file and writes a header where one is due. */
static ward_err ready(struct ward_audit *a, struct audit_dev *d)
{
    ino_t ino = d->ino;
    int fd = d->fd;
    ward_err err;

    if ((err = audit_dev_ready(d)) != WARD_OK) {
        return err;
    }
    if (d->fd != fd || d->ino != ino) {
        ward_secret_free(d->file_key); /* another file, another chain */
        d->file_key = NULL;
    }
    return header(a, d);
}

static void enqueue(struct audit_dev *d, enum audit_type type, const char *text, size_t len)
{
    struct audit_rec *r;
    struct ward_buf t = { .data = (uint8_t *)text, .len = len };

    if (d->queue_bytes + len > AUDIT_QUEUE_BYTES || (r = rec_new(type, &t)) == NULL) {
        d->lost++;
        return;
    }
    if (d->queue == NULL) {
        d->queue_tail = &d->queue;
    }
    *d->queue_tail = r;
    d->queue_tail = &r->next;
    d->queue_bytes += len;
    d->queued++;
}

/* recover writes d's queue (and a notice of lost records); WARD_OK when it is empty. */
static ward_err recover(struct ward_audit *a, struct audit_dev *d)
{
    struct ward_buf t;
    ward_err err;

    if ((err = ready(a, d)) != WARD_OK) {
        return err;
    }
    while (d->queue != NULL) {
        struct audit_rec *r = d->queue;

        if ((err = put(a, d, r->type, r->text, r->len)) != WARD_OK) {
            return err;
        }
        d->queue = r->next;
        d->queue_bytes -= r->len;
        d->queued--;
        ward_free(r);
    }
    if (d->lost == 0) {
        return WARD_OK;
    }
    ward_buf_init(&t, 512);
    err = audit_simple_text(&t, a->node, "lost", NULL, d->lost);
    if (err == WARD_OK &&
        (err = put(a, d, AUDIT_T_NOTICE, (const char *)t.data, t.len)) == WARD_OK) {
        d->lost = 0;
    }
    ward_buf_cleanup(&t);
    return err;
}

/* emit gives one record to d: WARD_OK when written, else it waits in d's queue. */
static ward_err emit(struct ward_audit *a, struct audit_dev *d, enum audit_type type,
                     const char *text, size_t len)
{
    int64_t now = ward_time_mono_ms();
    ward_err err = WARD_E_SYS;

    if (d->queue == NULL && d->lost == 0) {
        if ((err = ready(a, d)) == WARD_OK && (err = put(a, d, type, text, len)) == WARD_OK) {
            return WARD_OK;
        }
    } else if (now >= d->retry_ms && (err = recover(a, d)) == WARD_OK &&
               (err = put(a, d, type, text, len)) == WARD_OK) {
        ward_log(WARD_LOG_INFO, "msg=\"audit device works again\" device=%s", d->conf.path);
        return WARD_OK;
    }
    if (d->queue == NULL && d->lost == 0) {
        ward_log(WARD_LOG_ERROR,
                 "msg=\"audit device failed; records wait for it\" device=%s "
                 "code=%s",
                 d->conf.path, ward_err_name(err));
    }
    d->retry_ms = now + AUDIT_RETRY_MS;
    enqueue(d, type, text, len);
    return err;
}

/* emit_all gives a record to every device; WARD_OK if one took it (or there is none). */
static ward_err emit_all(struct ward_audit *a, enum audit_type type, const char *text, size_t len)
{
    bool any = a->num_devs == 0;

    for (size_t i = 0; i < a->num_devs; i++) {
        any = emit(a, a->devs[i], type, text, len) == WARD_OK || any;
    }
    return any ? WARD_OK : WARD_E_AUDIT_FAILED;
}

bool ward_audit_idle(struct ward_audit *a)
{
    return atomic_load_explicit(&a->idle, memory_order_acquire);
}

/* hash_text writes "hmac-sha256:<hex>" of in under the identifier key ("" while sealed). */
static void hash_text(struct ward_audit *a, char out[WARD_AUDIT_HASH_TEXT_LEN + 1],
                      const uint8_t *in, size_t len)
{
    uint8_t mac[WARD_AUDIT_HASH_LEN];

    out[0] = '\0';
    (void)pthread_rwlock_rdlock(&a->key_lock);
    if (a->hash_key == NULL ||
        ward_hmac_sha256(mac, a->hash_key->data, a->hash_key->len, in, len) != WARD_OK) {
        (void)pthread_rwlock_unlock(&a->key_lock);
        return;
    }
    (void)pthread_rwlock_unlock(&a->key_lock);
    memcpy(out, "hmac-sha256:", 12);
    ward_audit_hex(out + 12, mac, sizeof(mac));
}

void ward_audit_id_hmac(struct ward_audit *a, char out[WARD_AUDIT_HASH_TEXT_LEN + 1],
                        const struct ward_audit_event *ev)
{
    const char *id = ev->auth.accessor != NULL ? ev->auth.accessor : ev->token;

    out[0] = '\0';
    if (id != NULL && id[0] != '\0') {
        hash_text(a, out, (const uint8_t *)id, strlen(id));
    }
}

ward_err ward_audit_record(struct ward_audit *a, const struct ward_audit_event *ev)
{
    char id_hmac[WARD_AUDIT_HASH_TEXT_LEN + 1] = "";
    enum audit_type type = ev->kind == WARD_AUDIT_RESPONSE ? AUDIT_T_RESPONSE : AUDIT_T_REQUEST;
    struct ward_buf text;
    ward_err err = WARD_OK;

    if (ward_audit_idle(a)) {
        return WARD_OK;
    }
    /* the record's text is made outside mu: only the chain, MAC and write are ordered */
    if (ev->id_hmac == NULL) {
        ward_audit_id_hmac(a, id_hmac, ev);
    }
    ward_buf_init(&text, AUDIT_TEXT_MAX);
    if (audit_event_text(&text, ev, a->node, ev->id_hmac != NULL ? ev->id_hmac : id_hmac) !=
        WARD_OK) {
        ward_buf_cleanup(&text);
        return WARD_E_AUDIT_FAILED; /* a record too large for a line: refused, not cut */
    }
    (void)pthread_mutex_lock(&a->mu);
    if (a->loaded && a->num_devs == 0) {
        goto out;
    }
    if (!a->loaded) {
        struct audit_rec *r = a->boot_count < AUDIT_BOOT_MAX ? rec_new(type, &text) : NULL;

        if (r == NULL) {
            a->boot_lost++;
        } else {
            *a->boot_tail = r;
            a->boot_tail = &r->next;
            a->boot_count++;
        }
        goto out;
    }
    err = emit_all(a, type, (const char *)text.data, text.len);
out:
    (void)pthread_mutex_unlock(&a->mu);
    ward_buf_cleanup(&text);
    return err;
}

/* open_dev opens d; a device that cannot open now is kept and retried. */
static void open_dev(struct ward_audit *a, struct audit_dev *d)
{
    char why[256];

    if (audit_dev_open(d, a->spool_dir, why, sizeof(why)) != WARD_OK) {
        ward_log(WARD_LOG_ERROR,
                 "msg=\"audit device cannot open; retried before each record\" "
                 "device=%s why=\"%s\"",
                 d->conf.path, why);
    }
}

/* load reads the table from b and opens its devices, then writes the boot queue. */
static ward_err load(struct ward_audit *a, struct ward_barrier *b)
{
    struct ward_audit_device_conf *confs = NULL;
    size_t n = 0;
    ward_err err;

    if ((err = audit_table_load(&confs, &n, b, TABLE_PATH)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < n && a->num_devs < WARD_AUDIT_MAX_DEVICES; i++) {
        struct audit_dev *d = ward_calloc(1, sizeof(*d));

        if (d == NULL) {
            err = WARD_E_NOMEM;
            break;
        }
        d->conf = confs[i];
        d->fd = -1;
        open_dev(a, d);
        a->devs[a->num_devs++] = d;
    }
    ward_free(confs);
    a->loaded = true;
    for (struct audit_rec *r = a->boot; r != NULL; r = r->next) {
        (void)emit_all(a, r->type, r->text, r->len);
    }
    recs_free(a->boot);
    a->boot = NULL;
    a->boot_tail = &a->boot;
    a->boot_count = 0;
    if (a->boot_lost > 0) {
        struct ward_buf t;

        ward_buf_init(&t, 512);
        if (audit_simple_text(&t, a->node, "lost", NULL, a->boot_lost) == WARD_OK) {
            (void)emit_all(a, AUDIT_T_NOTICE, (const char *)t.data, t.len);
        }
        ward_buf_cleanup(&t);
        a->boot_lost = 0;
    }
    atomic_store_explicit(&a->idle, a->num_devs == 0, memory_order_release);
    return err;
}

static void drop_keys(struct ward_audit *a)
{
    (void)pthread_rwlock_wrlock(&a->key_lock);
    ward_secret_free(a->key);
    ward_secret_free(a->hash_key);
    a->key = NULL;
    a->hash_key = NULL;
    (void)pthread_rwlock_unlock(&a->key_lock);
    for (size_t i = 0; i < a->num_devs; i++) {
        ward_secret_free(a->devs[i]->file_key);
        a->devs[i]->file_key = NULL;
    }
}

/* keys reads the audit key from b and derives the identifier key. */
static ward_err keys(struct ward_audit *a, struct ward_barrier *b)
{
    static const char info[] = "ward-audit-hash-v1";
    uint8_t k[WARD_AUDIT_KEY_LEN];
    uint8_t h[WARD_AUDIT_KEY_LEN];
    ward_err err;

    drop_keys(a);
    (void)pthread_rwlock_wrlock(&a->key_lock);
    if ((err = ward_barrier_random_entry(b, k, sizeof(k), KEY_PATH)) == WARD_OK &&
        (err = ward_hmac_sha256(h, k, sizeof(k), (const uint8_t *)info, sizeof(info) - 1)) ==
            WARD_OK &&
        (err = ward_secret_new_copy(&a->key, k, sizeof(k))) == WARD_OK) {
        err = ward_secret_new_copy(&a->hash_key, h, sizeof(h));
    }
    (void)pthread_rwlock_unlock(&a->key_lock);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(h, sizeof(h));
    if (err != WARD_OK) {
        drop_keys(a);
    }
    return err;
}

ward_err ward_audit_unsealed(struct ward_audit *a, struct ward_barrier *b)
{
    ward_err err;

    (void)pthread_mutex_lock(&a->mu);
    if ((err = keys(a, b)) == WARD_OK && !a->loaded) {
        err = load(a, b);
    }
    (void)pthread_mutex_unlock(&a->mu);
    return err;
}

void ward_audit_sealed(struct ward_audit *a)
{
    (void)pthread_mutex_lock(&a->mu);
    drop_keys(a);
    (void)pthread_mutex_unlock(&a->mu);
}

/* close_dev writes d's close record (if it can), closes and frees d. */
static void close_dev(struct ward_audit *a, struct audit_dev *d, const char *reason)
{
    struct ward_buf t;

    ward_buf_init(&t, 512);
    if (d->fd >= 0 || d->kind == AUDIT_SYSLOG) {
        if (audit_simple_text(&t, a->node, "reason", reason, 0) == WARD_OK) {
            (void)emit(a, d, AUDIT_T_CLOSE, (const char *)t.data, t.len);
        }
    }
    ward_buf_cleanup(&t);
    if (d->queued > 0 || d->lost > 0) {
        ward_log(WARD_LOG_ERROR,
                 "msg=\"audit device closed with records it never took\" "
                 "device=%s queued=%zu lost=%llu",
                 d->conf.path, d->queued, (unsigned long long)d->lost);
    }
    audit_dev_close(d);
    recs_free(d->queue);
    ward_secret_free(d->file_key);
    ward_free(d);
}

void ward_audit_free(struct ward_audit *a)
{
    if (a == NULL) {
        return;
    }
    atomic_store(&a->stop, true);
    if (a->syncer_started) {
        (void)pthread_join(a->syncer, NULL);
    }
    for (size_t i = 0; i < a->num_devs; i++) {
        close_dev(a, a->devs[i], "shutdown");
    }
    a->num_devs = 0;
    drop_keys(a);
    recs_free(a->boot);
    ward_buf_cleanup(&a->line);
    ward_buf_cleanup(&a->text);
    (void)pthread_rwlock_destroy(&a->key_lock);
    (void)pthread_mutex_destroy(&a->mu);
    ward_free(a);
}

/* find returns path's index in a->devs, or a->num_devs when there is none. */
static size_t find(struct ward_audit *a, const char *path)
{
    size_t i = 0;

    while (i < a->num_devs && strcmp(a->devs[i]->conf.path, path) != 0) {
        i++;
    }
    return i;
}

/* store writes the table of a's devices, with extra added or skip left out. */
static ward_err store(struct ward_audit *a, struct ward_barrier *b,
                      const struct ward_audit_device_conf *extra, size_t skip)
{
    struct ward_audit_device_conf confs[WARD_AUDIT_MAX_DEVICES];
    size_t n = 0;

    for (size_t i = 0; i < a->num_devs; i++) {
        if (i != skip) {
            confs[n++] = a->devs[i]->conf;
        }
    }
    if (extra != NULL) {
        confs[n++] = *extra;
    }
    return audit_table_store(b, TABLE_PATH, confs, n);
}

static ward_err enable_locked(struct ward_audit *a, struct ward_barrier *b,
                              const struct ward_audit_device_conf *conf, char *why, size_t why_cap)
{
    struct audit_dev *d;
    ward_err err;

    if (!a->loaded || a->key == NULL) {
        return WARD_E_SEALED;
    }
    if (find(a, conf->path) < a->num_devs) {
        (void)snprintf(why, why_cap, "path already in use");
        return WARD_E_EXISTS;
    }
    if (a->num_devs == WARD_AUDIT_MAX_DEVICES) {
        (void)snprintf(why, why_cap, "at most %d audit devices", WARD_AUDIT_MAX_DEVICES);
        return WARD_E_TOO_LARGE;
    }
    if ((d = ward_calloc(1, sizeof(*d))) == NULL) {
        return WARD_E_NOMEM;
    }
    d->conf = *conf;
    if ((err = audit_dev_open(d, a->spool_dir, why, why_cap)) != WARD_OK ||
        (err = header(a, d)) != WARD_OK || (err = store(a, b, &d->conf, a->num_devs)) != WARD_OK) {
        if (why[0] == '\0') {
            (void)snprintf(why, why_cap, "cannot write to the device: %s", ward_err_str(err));
        }
        audit_dev_close(d);
        ward_secret_free(d->file_key);
        ward_free(d);
        return err;
    }
    a->devs[a->num_devs++] = d;
    atomic_store_explicit(&a->idle, false, memory_order_release);
    return WARD_OK;
}

ward_err ward_audit_enable(struct ward_audit *a, struct ward_barrier *b,
                           const struct ward_audit_device_conf *conf, char *why, size_t why_cap)
{
    ward_err err;

    why[0] = '\0';
    if ((err = ward_audit_conf_check(conf, why, why_cap)) != WARD_OK) {
        return err;
    }
    (void)pthread_mutex_lock(&a->mu);
    err = enable_locked(a, b, conf, why, why_cap);
    (void)pthread_mutex_unlock(&a->mu);
    return err;
}

ward_err ward_audit_disable(struct ward_audit *a, struct ward_barrier *b, const char *path)
{
    struct audit_dev *d;
    size_t i;
    ward_err err = WARD_E_NOT_FOUND;

    (void)pthread_mutex_lock(&a->mu);
    if (!a->loaded) {
        err = WARD_E_SEALED;
    } else if ((i = find(a, path)) < a->num_devs && (err = store(a, b, NULL, i)) == WARD_OK) {
        d = a->devs[i];
        for (size_t j = i; j + 1 < a->num_devs; j++) {
            a->devs[j] = a->devs[j + 1];
        }
        a->num_devs--;
        close_dev(a, d, "disabled");
        atomic_store_explicit(&a->idle, a->num_devs == 0, memory_order_release);
    }
    (void)pthread_mutex_unlock(&a->mu);
    return err;
}

size_t ward_audit_list(struct ward_audit *a, struct ward_audit_device_conf *out, size_t cap)
{
    size_t n = 0;

    (void)pthread_mutex_lock(&a->mu);
    for (; n < a->num_devs && n < cap; n++) {
        out[n] = a->devs[n]->conf;
    }
    (void)pthread_mutex_unlock(&a->mu);
    return n;
}

ward_err ward_audit_get_head(struct ward_audit *a, struct ward_audit_head *out, const char *path)
{
    size_t i;
    ward_err err = WARD_E_NOT_FOUND;

    memset(out, 0, sizeof(*out));
    (void)pthread_mutex_lock(&a->mu);
    if ((i = find(a, path)) < a->num_devs) {
        const struct audit_dev *d = a->devs[i];

        err = d->chain.started ? WARD_OK : WARD_E_UNSUPPORTED;
        out->seq = d->chain.seq - 1;
        memcpy(out->hash, d->chain.prev, sizeof(out->hash));
        memcpy(out->start, d->chain.start, sizeof(out->start));
        out->queued = d->queued;
    }
    (void)pthread_mutex_unlock(&a->mu);
    return err;
}

ward_err ward_audit_file_key(struct ward_audit *a, uint8_t out[WARD_AUDIT_KEY_LEN],
                             const uint8_t start[WARD_AUDIT_HASH_LEN])
{
    ward_err err = WARD_E_SEALED;

    (void)pthread_mutex_lock(&a->mu);
    if (a->key != NULL) {
        err = audit_derive_file_key(out, a->key->data, start);
    }
    (void)pthread_mutex_unlock(&a->mu);
    return err;
}

ward_err ward_audit_hash(struct ward_audit *a, char out[WARD_AUDIT_HASH_TEXT_LEN + 1],
                         const uint8_t *in, size_t in_len)
{
    (void)pthread_mutex_lock(&a->mu);
    hash_text(a, out, in, in_len);
    (void)pthread_mutex_unlock(&a->mu);
    return out[0] != '\0' ? WARD_OK : WARD_E_SEALED;
}
