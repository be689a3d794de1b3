/*
 * auth.c - the token service: the token key, the token state (revoked and
 * renewed tokens), issue, validate, renew, revoke and lookups by accessor.
 *
 * Storage (all under the barrier, docs/storage-format.md "Tokens"):
 *   auth/token/key         32 random bytes: the token key (HMAC-SHA-256)
 *   auth/token/state       the token state (below), one entry
 *   auth/token/a/<hex>     accessor record; <hex> = HMAC(key, "accessor" || accessor)
 *
 * Token state, version 1: format (1) | count (u32) | count records of
 * accessor (16) | kind (1: revoked, 2: renewed) | time (u64 ms), sorted by
 * accessor, unique. A revoked record lives until the token's maximum expiry
 * (then the token is dead anyway); a renewed one until its new expiry.
 * Records past their time are dropped at the next write.
 *
 * Why one entry: validation must not read storage, so the whole state is
 * in memory anyway; one entry loads in one read after an unseal and
 * replaces atomically. Its size is bounded by the tokens alive at once.
 *
 * THREADS: lock (rwlock) guards key, recs, num_recs and loaded; write_mu
 * serialises writers of auth/token/state (taken before lock).
 */
#include "auth/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"

#define STATE_PATH    "auth/token/state"
#define KEY_PATH      "auth/token/key"
#define STATE_FORMAT  1
#define RECORD_FORMAT 1
#define STATE_REC_LEN (WARD_TOKEN_ID_LEN + 1 + 8)
#define KIND_REVOKED  1
#define KIND_RENEWED  2
#define PATH_MAX_LEN  96
#define META_MAX      (64u << 10)

struct state_rec {
    uint8_t acc[WARD_TOKEN_ID_LEN];
    uint8_t kind;
    int64_t time_ms;
};

struct ward_auth {
    struct ward_barrier *b;
    pthread_rwlock_t lock;
    struct ward_secret *key; /* guarded by lock; NULL until loaded */
    struct state_rec *recs;  /* guarded by lock */
    size_t num_recs;         /* guarded by lock */
    bool loaded;             /* guarded by lock: recs reflect storage */
    pthread_mutex_t write_mu;
};

ward_err ward_auth_new(struct ward_auth **out, struct ward_barrier *b)
{
    struct ward_auth *a;

    *out = NULL;
    if ((a = ward_calloc(1, sizeof(*a))) == NULL) {
        return WARD_E_NOMEM;
    }
    a->b = b;
    (void)pthread_rwlock_init(&a->lock, NULL);
    (void)pthread_mutex_init(&a->write_mu, NULL);
    *out = a;
    return WARD_OK;
}

void ward_auth_flush(struct ward_auth *a)
{
    (void)pthread_rwlock_wrlock(&a->lock);
    ward_secret_free(a->key);
    a->key = NULL;
    ward_free(a->recs);
    a->recs = NULL;
    a->num_recs = 0;
    a->loaded = false;
    (void)pthread_rwlock_unlock(&a->lock);
}

void ward_auth_free(struct ward_auth *a)
{
    if (a == NULL) {
        return;
    }
    ward_auth_flush(a);
    (void)pthread_rwlock_destroy(&a->lock);
    (void)pthread_mutex_destroy(&a->write_mu);
    ward_free(a);
}

/* ---- the state table ---- */

static ward_err state_decode(struct state_rec **out, size_t *out_num, const uint8_t *in, size_t n)
{
    struct ward_cursor c;
    uint8_t format = 0;
    uint32_t count = 0;
    struct state_rec *r = NULL;

    *out = NULL;
    *out_num = 0;
    ward_cursor_init(&c, in, n);
    if (ward_cursor_get_u8(&c, &format) != WARD_OK || format != STATE_FORMAT ||
        ward_cursor_get_u32(&c, &count) != WARD_OK || count > (n - 5) / STATE_REC_LEN ||
        (size_t)count * STATE_REC_LEN != n - 5) {
        return WARD_E_BAD_ENCODING;
    }
    if (count > 0 && (r = ward_calloc(count, sizeof(*r))) == NULL) {
        return WARD_E_NOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint64_t t = 0;

        if (ward_cursor_copy(&c, r[i].acc, WARD_TOKEN_ID_LEN) != WARD_OK ||
            ward_cursor_get_u8(&c, &r[i].kind) != WARD_OK ||
            ward_cursor_get_u64(&c, &t) != WARD_OK ||
            (r[i].kind != KIND_REVOKED && r[i].kind != KIND_RENEWED) ||
            (i > 0 && memcmp(r[i - 1].acc, r[i].acc, WARD_TOKEN_ID_LEN) >= 0)) {
            ward_free(r);
            return WARD_E_BAD_ENCODING;
        }
        r[i].time_ms = (int64_t)t;
    }
    *out = r;
    *out_num = count;
    return WARD_OK;
}

/* load_locked reads the key and the state if not yet in memory (lock held for writing). */
static ward_err load_locked(struct ward_auth *a)
{
    struct ward_buf buf;
    ward_err err;

    if (a->key == NULL) {
        struct ward_secret *k = NULL;

        if ((err = ward_secret_new(&k, WARD_TOKEN_KEY_LEN)) != WARD_OK) {
            return err;
        }
        if ((err = ward_barrier_random_entry(a->b, k->data, WARD_TOKEN_KEY_LEN, KEY_PATH)) !=
            WARD_OK) {
            ward_secret_free(k);
            return err;
        }
        a->key = k;
    }
    if (a->loaded) {
        return WARD_OK;
    }
    ward_buf_init(&buf, WARD_MAX_ENTRY_VALUE);
    err = ward_barrier_get(a->b, &buf, STATE_PATH);
    if (err == WARD_OK) {
        err = state_decode(&a->recs, &a->num_recs, buf.data, buf.len);
    } else if (err == WARD_E_NOT_FOUND) {
        err = WARD_OK;
    }
    a->loaded = err == WARD_OK;
    ward_buf_cleanup(&buf);
    return err;
}

/* ensure_loaded makes sure the key and state are in memory. */
static ward_err ensure_loaded(struct ward_auth *a)
{
    bool ok;
    ward_err err;

    (void)pthread_rwlock_rdlock(&a->lock);
    ok = a->key != NULL && a->loaded;
    (void)pthread_rwlock_unlock(&a->lock);
    if (ok) {
        return WARD_OK;
    }
    (void)pthread_rwlock_wrlock(&a->lock);
    err = load_locked(a);
    (void)pthread_rwlock_unlock(&a->lock);
    return err;
}

/* find_rec returns the index of acc in recs, or num (lock held). */
static size_t find_rec(const struct state_rec *recs, size_t num, const uint8_t *acc)
{
    size_t lo = 0;
    size_t hi = num;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(recs[mid].acc, acc, WARD_TOKEN_ID_LEN);

        if (c == 0) {
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return num;
}

/* apply_state applies the state table to info; false if revoked or expired. */
static bool apply_state(const struct ward_auth *a, struct ward_token_info *info, int64_t now_ms)
{
    size_t i = find_rec(a->recs, a->num_recs, info->accessor);

    if (i < a->num_recs) {
        if (a->recs[i].kind == KIND_REVOKED) {
            return false;
        }
        if (a->recs[i].time_ms > info->expire_ms && a->recs[i].time_ms <= info->max_expire_ms) {
            info->expire_ms = a->recs[i].time_ms;
        }
    }
    return now_ms < info->expire_ms;
}

/*
 * merge_locked copies the live records of a (lock held) into next with
 * acc's record set to (kind, time_ms); a revoked record is never turned
 * back into a renewed one. Returns how many records next holds.
 */
static size_t merge_locked(struct state_rec *next, const struct ward_auth *a, const uint8_t *acc,
                           uint8_t kind, int64_t time_ms, int64_t now_ms)
{
    struct state_rec mine = { .kind = kind, .time_ms = time_ms };
    size_t n = 0;
    bool placed = false;

    memcpy(mine.acc, acc, WARD_TOKEN_ID_LEN);
    for (size_t i = 0; i < a->num_recs; i++) {
        int c = memcmp(a->recs[i].acc, acc, WARD_TOKEN_ID_LEN);

        if (c == 0 && a->recs[i].kind == KIND_REVOKED) {
            mine = a->recs[i];
        }
        if (!placed && c >= 0) {
            next[n++] = mine;
            placed = true;
        }
        if (c != 0 && a->recs[i].time_ms > now_ms) {
            next[n++] = a->recs[i];
        }
    }
    if (!placed) {
        next[n++] = mine;
    }
    return n;
}

static ward_err state_encode(struct ward_buf *enc, const struct state_rec *recs, size_t n)
{
    ward_err err = ward_buf_append_u8(enc, STATE_FORMAT);

    if (err == WARD_OK) {
        err = ward_buf_append_u32(enc, (uint32_t)n);
    }
    for (size_t i = 0; i < n && err == WARD_OK; i++) {
        if ((err = ward_buf_append(enc, recs[i].acc, WARD_TOKEN_ID_LEN)) == WARD_OK &&
            (err = ward_buf_append_u8(enc, recs[i].kind)) == WARD_OK) {
            err = ward_buf_append_u64(enc, (uint64_t)recs[i].time_ms);
        }
    }
    return err;
}

/*
 * state_write sets acc's record to (kind, time_ms), drops records past
 * their time, writes the table and then swaps it in.
 */
static ward_err state_write(struct ward_auth *a, const uint8_t *acc, uint8_t kind, int64_t time_ms,
                            int64_t now_ms)
{
    struct state_rec *next = NULL;
    struct ward_buf enc;
    size_t n = 0;
    ward_err err;

    ward_buf_init(&enc, WARD_MAX_ENTRY_VALUE);
    (void)pthread_mutex_lock(&a->write_mu);
    if ((err = ensure_loaded(a)) != WARD_OK) {
        goto out;
    }
    (void)pthread_rwlock_rdlock(&a->lock);
    if ((next = ward_calloc(a->num_recs + 1, sizeof(*next))) != NULL) {
        n = merge_locked(next, a, acc, kind, time_ms, now_ms);
    }
    (void)pthread_rwlock_unlock(&a->lock);
    if (next == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = state_encode(&enc, next, n)) != WARD_OK ||
        (err = ward_barrier_put(a->b, STATE_PATH, enc.data, enc.len)) != WARD_OK) {
        goto out;
    }
    (void)pthread_rwlock_wrlock(&a->lock);
    if (a->loaded) { /* a seal meanwhile: the next load reads what was written */
        ward_free(a->recs);
        a->recs = next;
        a->num_recs = n;
        next = NULL;
    }
    (void)pthread_rwlock_unlock(&a->lock);
out:
    (void)pthread_mutex_unlock(&a->write_mu);
    ward_free(next);
    ward_buf_cleanup(&enc);
    return err;
}

/* ---- keyed handles ---- */

/* keyed_hex writes hex(HMAC(token key, label || acc)) (64 digits and a NUL). */
static ward_err keyed_hex(struct ward_auth *a, char out[65], const char *label,
                          const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t msg[16 + WARD_TOKEN_ID_LEN];
    uint8_t mac[WARD_SHA256_LEN];
    size_t label_len = strlen(label);
    ward_err err;

    if (label_len > 16 || (err = ensure_loaded(a)) != WARD_OK) {
        return label_len > 16 ? WARD_E_INTERNAL : err;
    }
    for (size_t i = 0; i < label_len; i++) {
        msg[i] = (uint8_t)label[i];
    }
    memcpy(msg + label_len, acc, WARD_TOKEN_ID_LEN);
    (void)pthread_rwlock_rdlock(&a->lock);
    err = a->key != NULL ? ward_hmac_sha256(mac, a->key->data, WARD_TOKEN_KEY_LEN, msg,
                                            label_len + WARD_TOKEN_ID_LEN)
                         : WARD_E_SEALED;
    (void)pthread_rwlock_unlock(&a->lock);
    if (err == WARD_OK) {
        for (size_t i = 0; i < sizeof(mac); i++) {
            out[2 * i] = digits[mac[i] >> 4];
            out[2 * i + 1] = digits[mac[i] & 15];
        }
        out[64] = '\0';
    }
    OPENSSL_cleanse(mac, sizeof(mac));
    return err;
}

ward_err ward_auth_accessor_hmac(struct ward_auth *a, char out[65],
                                 const struct ward_token_info *info)
{
    if (info->root) {
        (void)snprintf(out, 65, "root");
        return WARD_OK;
    }
    return keyed_hex(a, out, "audit", info->accessor);
}

static ward_err record_path(struct ward_auth *a, char out[PATH_MAX_LEN],
                            const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    char h[65];
    ward_err err = keyed_hex(a, h, "accessor", acc);

    if (err == WARD_OK) {
        (void)snprintf(out, PATH_MAX_LEN, "auth/token/a/%s", h);
    }
    return err;
}

/* ---- the operations ---- */

ward_err ward_auth_validate(struct ward_auth *a, struct ward_token_info *out, const char *token,
                            size_t token_len, int64_t now_ms)
{
    ward_err err;

    memset(out, 0, sizeof(*out));
    if (token_len > 4 && memcmp(token, "w.r.", 4) == 0) {
        if ((err = ward_barrier_check_root_token(a->b, token, token_len)) != WARD_OK) {
            return err == WARD_E_PERMISSION ? WARD_E_TOKEN_INVALID : err;
        }
        out->root = true;
        out->num_policies = 1;
        (void)snprintf(out->policies[0], sizeof(out->policies[0]), "root");
        (void)snprintf(out->principal, sizeof(out->principal), "root");
        return WARD_OK;
    }
    if ((err = ensure_loaded(a)) != WARD_OK) {
        return err;
    }
    (void)pthread_rwlock_rdlock(&a->lock);
    err = a->key == NULL ? WARD_E_SEALED : ward_token_decode(out, a->key->data, token, token_len);
    if (err == WARD_OK && !apply_state(a, out, now_ms)) {
        err = WARD_E_TOKEN_INVALID;
    }
    (void)pthread_rwlock_unlock(&a->lock);
    if (err != WARD_OK) {
        memset(out, 0, sizeof(*out));
    }
    return err;
}

/* write_record stores acc's record: format | payload length (u16) | payload | meta. */
static ward_err write_record(struct ward_auth *a, const struct ward_token_info *info,
                             const char *meta)
{
    char path[PATH_MAX_LEN];
    struct ward_buf rec;
    struct ward_buf payload;
    ward_err err;

    ward_buf_init(&rec, WARD_TOKEN_MAX_TEXT + META_MAX);
    ward_buf_init(&payload, WARD_TOKEN_MAX_TEXT);
    if ((err = record_path(a, path, info->accessor)) == WARD_OK &&
        (err = ward_token_payload_encode(&payload, info)) == WARD_OK &&
        (err = ward_buf_append_u8(&rec, RECORD_FORMAT)) == WARD_OK &&
        (err = ward_buf_append_u16(&rec, (uint16_t)payload.len)) == WARD_OK &&
        (err = ward_buf_append(&rec, payload.data, payload.len)) == WARD_OK &&
        (meta == NULL || (err = ward_buf_append_str(&rec, meta)) == WARD_OK)) {
        err = ward_barrier_put(a->b, path, rec.data, rec.len);
    }
    ward_buf_cleanup(&payload);
    ward_buf_cleanup(&rec);
    return err;
}

ward_err ward_auth_issue(struct ward_auth *a, struct ward_secret **out_token,
                         struct ward_token_info *info, const char *meta, int64_t now_ms)
{
    struct ward_buf text;
    ward_err err = WARD_E_INTERNAL;

    *out_token = NULL;
    info->root = false;
    info->issue_ms = now_ms;
    if ((meta != NULL && strlen(meta) > META_MAX) || (err = ensure_loaded(a)) != WARD_OK) {
        return meta != NULL && strlen(meta) > META_MAX ? WARD_E_TOO_LARGE : err;
    }
    if ((err = ward_crypto_random(info->id, WARD_TOKEN_ID_LEN)) != WARD_OK ||
        (err = ward_crypto_random(info->accessor, WARD_TOKEN_ID_LEN)) != WARD_OK) {
        return err;
    }
    ward_buf_init(&text, WARD_TOKEN_MAX_TEXT + 1);
    (void)pthread_rwlock_rdlock(&a->lock);
    err = a->key == NULL ? WARD_E_SEALED : ward_token_encode(&text, a->key->data, info);
    (void)pthread_rwlock_unlock(&a->lock);
    /* the record first: a token handed out always has one */
    if (err == WARD_OK && (err = write_record(a, info, meta)) == WARD_OK) {
        err = ward_secret_new_copy(out_token, text.data, text.len);
    }
    ward_buf_cleanup(&text);
    return err;
}

/* read_record reads acc's record: the payload into *out, the metadata into meta (if given). */
static ward_err read_record(struct ward_auth *a, struct ward_token_info *out, struct ward_buf *meta,
                            const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    char path[PATH_MAX_LEN];
    struct ward_buf rec;
    size_t plen;
    ward_err err;

    ward_buf_init(&rec, WARD_TOKEN_MAX_TEXT + META_MAX + 3);
    if ((err = record_path(a, path, acc)) != WARD_OK ||
        (err = ward_barrier_get(a->b, &rec, path)) != WARD_OK) {
        goto out;
    }
    err = WARD_E_BAD_ENCODING;
    if (rec.len < 3 || rec.data[0] != RECORD_FORMAT) {
        goto out;
    }
    plen = (size_t)rec.data[1] << 8 | rec.data[2];
    if (plen > rec.len - 3 || ward_token_payload_parse(out, rec.data + 3, plen) != WARD_OK ||
        memcmp(out->accessor, acc, WARD_TOKEN_ID_LEN) != 0) {
        goto out;
    }
    err = meta != NULL && rec.len > 3 + plen
              ? ward_buf_append(meta, rec.data + 3 + plen, rec.len - 3 - plen)
              : WARD_OK;
out:
    ward_buf_cleanup(&rec);
    return err;
}

ward_err ward_auth_meta(struct ward_auth *a, struct ward_buf *meta,
                        const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    struct ward_token_info info;
    ward_err err = read_record(a, &info, meta, acc);

    return err == WARD_E_NOT_FOUND ? WARD_OK : err;
}

ward_err ward_auth_lookup_accessor(struct ward_auth *a, struct ward_token_info *out,
                                   struct ward_buf *meta, const uint8_t acc[WARD_TOKEN_ID_LEN],
                                   int64_t now_ms)
{
    bool live;
    ward_err err;

    if ((err = ensure_loaded(a)) != WARD_OK || (err = read_record(a, out, meta, acc)) != WARD_OK) {
        return err;
    }
    (void)pthread_rwlock_rdlock(&a->lock);
    live = apply_state(a, out, now_ms);
    (void)pthread_rwlock_unlock(&a->lock);
    return live ? WARD_OK : WARD_E_NOT_FOUND;
}

ward_err ward_auth_revoke(struct ward_auth *a, const struct ward_token_info *info, int64_t now_ms)
{
    char path[PATH_MAX_LEN];
    ward_err err;

    if (info->root) {
        return WARD_E_INVALID;
    }
    if ((err = state_write(a, info->accessor, KIND_REVOKED, info->max_expire_ms, now_ms)) !=
        WARD_OK) {
        return err;
    }
    /* the revocation is durable; the record is only for lookups, which check the state too */
    if ((err = record_path(a, path, info->accessor)) == WARD_OK) {
        err = ward_barrier_delete(a->b, path);
    }
    return err == WARD_E_NOT_FOUND ? WARD_OK : err;
}

ward_err ward_auth_renew(struct ward_auth *a, struct ward_token_info *info, int64_t increment_s,
                         int64_t now_ms)
{
    int64_t inc = increment_s > 0 ? increment_s : (int64_t)info->ttl_s;
    int64_t next;
    ward_err err;

    if (info->root || !info->renewable || now_ms >= info->max_expire_ms ||
        now_ms >= info->expire_ms) {
        return WARD_E_NOT_RENEWABLE;
    }
    if (inc > WARD_TOKEN_MAX_TTL_S) {
        inc = WARD_TOKEN_MAX_TTL_S;
    }
    next = now_ms + inc * 1000;
    next = next > info->max_expire_ms ? info->max_expire_ms : next;
    /* never shortened: a record's time must not fall below the token's own expiry */
    if (next <= info->expire_ms) {
        return WARD_OK;
    }
    if ((err = state_write(a, info->accessor, KIND_RENEWED, next, now_ms)) == WARD_OK) {
        info->expire_ms = next;
    }
    return err;
}
