/*
 * lockout.c - the login throttle table (lockout.h).
 *
 * An open-addressing table of fixed size: an entry's slot is its keyed
 * hash modulo the size, and it lives within PROBE slots of it. Entries
 * whose lock has run out and whose last failure is older than
 * counter_reset count as free. A full window evicts its least recently
 * touched entry: the table never grows, whatever the traffic.
 *
 * THREADS: mu guards every entry; the hash key is written once at new.
 */
#include "lockout.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/mem.h"
#include "crypto/crypto.h"

#define PROBE  16
#define ID_LEN 16

struct entry {
    uint8_t id[ID_LEN];
    bool used;
    uint32_t failures;
    int64_t last_fail_ms;
    int64_t locked_until_ms;
    int64_t touched_ms;
};

struct ward_lockout {
    struct ward_lockout_config cfg;
    uint8_t key[32];
    size_t mask;
    pthread_mutex_t mu;
    struct entry *e; /* guarded by mu */
};

ward_err ward_lockout_new(struct ward_lockout **out, const struct ward_lockout_config *cfg,
                          size_t slots)
{
    struct ward_lockout *l;
    ward_err err;

    *out = NULL;
    slots = slots == 0 ? WARD_LOCKOUT_SLOTS : slots;
    if ((slots & (slots - 1)) != 0 || slots < PROBE) {
        return WARD_E_INVALID;
    }
    if ((l = ward_calloc(1, sizeof(*l))) == NULL) {
        return WARD_E_NOMEM;
    }
    if ((l->e = ward_calloc(slots, sizeof(*l->e))) == NULL) {
        ward_free(l);
        return WARD_E_NOMEM;
    }
    l->cfg = *cfg;
    l->cfg.threshold = cfg->threshold != 0 ? cfg->threshold : WARD_LOCKOUT_THRESHOLD;
    l->cfg.duration_ms = cfg->duration_ms > 0 ? cfg->duration_ms : WARD_LOCKOUT_DURATION_MS;
    l->cfg.counter_reset_ms =
        cfg->counter_reset_ms > 0 ? cfg->counter_reset_ms : WARD_LOCKOUT_RESET_MS;
    l->cfg.source_threshold =
        cfg->source_threshold != 0 ? cfg->source_threshold : WARD_LOCKOUT_SOURCE_LIMIT;
    l->mask = slots - 1;
    if ((err = ward_crypto_random(l->key, sizeof(l->key))) != WARD_OK ||
        pthread_mutex_init(&l->mu, NULL) != 0) {
        ward_free(l->e);
        ward_free(l);
        return err != WARD_OK ? err : WARD_E_SYS;
    }
    *out = l;
    return WARD_OK;
}

void ward_lockout_free(struct ward_lockout *l)
{
    if (l != NULL) {
        (void)pthread_mutex_destroy(&l->mu);
        ward_free_wipe(l->e, (l->mask + 1) * sizeof(*l->e));
        OPENSSL_cleanse(l->key, sizeof(l->key));
        ward_free(l);
    }
}

/* make_id hashes ("u", user, source) or ("s", source) under the table's key. */
static void make_id(const struct ward_lockout *l, uint8_t id[ID_LEN], const char *user,
                    const char *source)
{
    uint8_t in[1024];
    uint8_t mac[WARD_SHA256_LEN];
    size_t ulen = user != NULL ? strlen(user) : 0;
    size_t slen = strlen(source);
    size_t n = 0;

    /* both are bounded by their callers; cut rather than overflow if not */
    ulen = ulen < 512 ? ulen : 512;
    slen = slen < 400 ? slen : 400;
    in[n++] = user != NULL ? 'u' : 's';
    memcpy(in + n, source, slen);
    n += slen;
    in[n++] = '\0';
    if (user != NULL) {
        memcpy(in + n, user, ulen);
        n += ulen;
    }
    if (ward_hmac_sha256(mac, l->key, sizeof(l->key), in, n) != WARD_OK) {
        /* fail safe: one shared entry for everything still throttles */
        memset(mac, 0, sizeof(mac));
    }
    memcpy(id, mac, ID_LEN);
}

static bool stale(const struct ward_lockout *l, const struct entry *e, int64_t now_ms)
{
    return e->locked_until_ms <= now_ms && now_ms - e->last_fail_ms > l->cfg.counter_reset_ms;
}

static size_t home_of(const struct ward_lockout *l, const uint8_t id[ID_LEN])
{
    return ((size_t)id[0] | (size_t)id[1] << 8 | (size_t)id[2] << 16 | (size_t)id[3] << 24) &
           l->mask;
}

/* find returns id's entry, or (create) a new one in a free or evicted slot. */
static struct entry *find(struct ward_lockout *l, const uint8_t id[ID_LEN], bool create,
                          int64_t now_ms)
{
    size_t home = home_of(l, id);
    struct entry *free_e = NULL;
    struct entry *oldest = NULL;

    for (size_t i = 0; i < PROBE; i++) {
        struct entry *e = &l->e[(home + i) & l->mask];
        bool free_slot = !e->used || stale(l, e, now_ms);

        if (e->used && memcmp(e->id, id, ID_LEN) == 0) {
            return free_slot && !create ? NULL : e;
        }
        if (free_slot && free_e == NULL) {
            free_e = e;
        }
        if (oldest == NULL || e->touched_ms < oldest->touched_ms) {
            oldest = e;
        }
    }
    if (!create) {
        return NULL;
    }
    free_e = free_e != NULL ? free_e : oldest; /* full window: evict the least recent */
    memset(free_e, 0, sizeof(*free_e));
    memcpy(free_e->id, id, ID_LEN);
    free_e->used = true;
    free_e->touched_ms = now_ms;
    return free_e;
}

static bool entry_locked(struct ward_lockout *l, const uint8_t id[ID_LEN], int64_t now_ms)
{
    struct entry *e = find(l, id, false, now_ms);

    return e != NULL && e->locked_until_ms > now_ms;
}

bool ward_lockout_locked(struct ward_lockout *l, const char *user, const char *source,
                         int64_t now_ms)
{
    uint8_t uid[ID_LEN];
    uint8_t sid[ID_LEN];
    bool locked;

    if (l->cfg.disable) {
        return false;
    }
    make_id(l, uid, user, source);
    make_id(l, sid, NULL, source);
    (void)pthread_mutex_lock(&l->mu);
    locked = entry_locked(l, uid, now_ms) || entry_locked(l, sid, now_ms);
    (void)pthread_mutex_unlock(&l->mu);
    return locked;
}

/* count adds one failure to e; threshold reached: locked for duration. */
static void count(struct ward_lockout *l, struct entry *e, uint32_t threshold, int64_t now_ms)
{
    if (e->locked_until_ms > now_ms) {
        return; /* as Vault: attempts while locked do not extend the lock */
    }
    if (e->locked_until_ms != 0 || now_ms - e->last_fail_ms > l->cfg.counter_reset_ms) {
        e->failures = 0;
        e->locked_until_ms = 0;
    }
    e->touched_ms = now_ms;
    e->last_fail_ms = now_ms;
    if (++e->failures >= threshold) {
        e->locked_until_ms = now_ms + l->cfg.duration_ms;
        e->failures = 0;
    }
}

void ward_lockout_failed(struct ward_lockout *l, const char *user, const char *source,
                         int64_t now_ms)
{
    uint8_t uid[ID_LEN];
    uint8_t sid[ID_LEN];

    if (l->cfg.disable) {
        return;
    }
    make_id(l, uid, user, source);
    make_id(l, sid, NULL, source);
    (void)pthread_mutex_lock(&l->mu);
    /* an attempt refused as locked (a race with the check) counts nowhere */
    if (!entry_locked(l, uid, now_ms) && !entry_locked(l, sid, now_ms)) {
        count(l, find(l, uid, true, now_ms), l->cfg.threshold, now_ms);
        count(l, find(l, sid, true, now_ms), l->cfg.source_threshold, now_ms);
    }
    (void)pthread_mutex_unlock(&l->mu);
}

void ward_lockout_succeeded(struct ward_lockout *l, const char *user, const char *source)
{
    uint8_t uid[ID_LEN];
    struct entry *e;

    if (l->cfg.disable) {
        return;
    }
    make_id(l, uid, user, source);
    (void)pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < PROBE; i++) {
        e = &l->e[(home_of(l, uid) + i) & l->mask];
        if (e->used && memcmp(e->id, uid, ID_LEN) == 0) {
            memset(e, 0, sizeof(*e));
        }
    }
    (void)pthread_mutex_unlock(&l->mu);
}

size_t ward_lockout_used(struct ward_lockout *l)
{
    size_t n = 0;

    (void)pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i <= l->mask; i++) {
        n += l->e[i].used;
    }
    (void)pthread_mutex_unlock(&l->mu);
    return n;
}
