/*
 * core.c - barrier lifecycle: open, init, unseal, seal, status.
 *
 * THREADS: see barrier.h. b->lock (rwlock) guards root and keyring; b->mu
 * guards unseal and rekey progress. Order: mu before lock, never the reverse.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"
#include "base/log.h"

ward_err ward_barrier_open(struct ward_barrier **out, struct ward_store *st)
{
    struct ward_barrier *b;
    ward_err err;

    *out = NULL;
    if ((err = ward_crypto_init()) != WARD_OK) {
        return err;
    }
    if ((b = ward_calloc(1, sizeof(*b))) == NULL) {
        return WARD_E_NOMEM;
    }
    b->store = st;
    b->progress_ttl_ms = 10 * 60 * 1000;
    if (pthread_rwlock_init(&b->lock, NULL) != 0) {
        ward_free(b);
        return WARD_E_SYS;
    }
    if (pthread_mutex_init(&b->mu, NULL) != 0) {
        (void)pthread_rwlock_destroy(&b->lock);
        ward_free(b);
        return WARD_E_SYS;
    }
    if (pthread_mutex_init(&b->token_mu, NULL) != 0) {
        (void)pthread_mutex_destroy(&b->mu);
        (void)pthread_rwlock_destroy(&b->lock);
        ward_free(b);
        return WARD_E_SYS;
    }
    b->selftest = ward_crypto_selftest();
    if (b->selftest != WARD_OK) {
        ward_log(WARD_LOG_ERROR, "msg=\"self-test failed; unseal will be refused\"");
    }
    *out = b;
    return WARD_OK;
}

void rekey_clear(struct ward_barrier *b)
{
    quorum_reset(&b->rekey);
    for (int i = 0; i < WARD_MAX_PARTS; i++) {
        ward_secret_free(b->rekey_parts[i]);
        b->rekey_parts[i] = NULL;
    }
    memset(&b->rekey_params, 0, sizeof(b->rekey_params));
    memset(b->rekey_nonce, 0, sizeof(b->rekey_nonce));
    b->rekey_started = false;
}

void ward_barrier_close(struct ward_barrier *b)
{
    if (b == NULL) {
        return;
    }
    ward_barrier_seal(b);
    (void)pthread_mutex_lock(&b->mu);
    quorum_reset(&b->unseal);
    rekey_clear(b);
    (void)pthread_mutex_unlock(&b->mu);
    (void)pthread_mutex_destroy(&b->token_mu);
    (void)pthread_mutex_destroy(&b->mu);
    (void)pthread_rwlock_destroy(&b->lock);
    ward_free(b);
}

void ward_barrier_set_progress_ttl(struct ward_barrier *b, int64_t ttl_ms)
{
    (void)pthread_mutex_lock(&b->mu);
    b->progress_ttl_ms = ttl_ms;
    (void)pthread_mutex_unlock(&b->mu);
}

bool progress_expired(const struct ward_barrier *b, const struct quorum *q)
{
    return q->have > 0 && ward_time_mono_ms() - q->started_ms > b->progress_ttl_ms;
}

ward_err load_seal(struct ward_barrier *b, struct seal_record *out, uint64_t *out_version)
{
    struct ward_buf raw;
    ward_err err;

    memset(out, 0, sizeof(*out));
    ward_buf_init(&raw, 4096);
    err = ward_store_get(b->store, &raw, out_version, PATH_SEAL);
    if (err == WARD_E_NOT_FOUND) {
        err = WARD_E_NOT_INITIALIZED;
    } else if (err == WARD_OK) {
        err = seal_decode(out, raw.data, raw.len);
    }
    ward_buf_cleanup(&raw);
    (void)pthread_rwlock_wrlock(&b->lock);
    b->seal_known = true;
    b->seal_err = err;
    b->seal = *out;
    (void)pthread_rwlock_unlock(&b->lock);
    return err;
}

/* write_keyring seals the keyring under the root key into out and fills op. */
ward_err write_keyring(struct ward_store_op *op, struct ward_buf *out, const struct keyring *kr,
                       const uint8_t *root)
{
    struct ward_secret *plain = NULL;
    ward_err err;

    if ((err = keyring_encode(&plain, kr)) != WARD_OK) {
        return err;
    }
    err = entry_seal(out, root, ROOT_TERM, PATH_KEYRING, plain->data, plain->len);
    ward_secret_free(plain);
    *op = (struct ward_store_op){
        .kind = WARD_STORE_PUT, .path = PATH_KEYRING, .value = out->data, .value_len = out->len
    };
    return err;
}

/* make_root_token returns a fresh root token ("w.r." + base64 text). */
static ward_err make_root_token(struct ward_secret **out, uint8_t hash[WARD_SHA256_LEN])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[TOKEN_RAW_LEN];
    struct ward_secret *t = NULL;
    ward_err err;

    *out = NULL;
    if ((err = ward_crypto_random(raw, sizeof(raw))) != WARD_OK ||
        (err = ward_secret_new(&t, 4 + 2 * sizeof(raw) + 1)) != WARD_OK) {
        OPENSSL_cleanse(raw, sizeof(raw));
        return err;
    }
    memcpy(t->data, "w.r.", 4);
    for (size_t i = 0; i < sizeof(raw); i++) {
        t->data[4 + 2 * i] = (uint8_t)hex[raw[i] >> 4];
        t->data[5 + 2 * i] = (uint8_t)hex[raw[i] & 15];
    }
    t->len = 4 + 2 * sizeof(raw);
    ward_sha256(hash, t->data, t->len);
    OPENSSL_cleanse(raw, sizeof(raw));
    *out = t;
    return WARD_OK;
}

void ward_init_result_cleanup(struct ward_init_result *r)
{
    for (size_t i = 0; i < WARD_MAX_SHARES; i++) {
        ward_secret_free(r->shares[i]);
    }
    ward_secret_free(r->root_token);
    memset(r, 0, sizeof(*r));
}

/* init_write builds the three first entries and stores them in one txn. */
static ward_err init_write(struct ward_barrier *b, const struct seal_record *r,
                           const struct keyring *kr, const uint8_t *root,
                           const uint8_t token_hash[WARD_SHA256_LEN])
{
    struct ward_buf seal_buf;
    struct ward_buf kr_buf;
    struct ward_buf tok_buf;
    struct ward_store_op ops[3];
    ward_err err = WARD_E_INTERNAL;

    ward_buf_init(&seal_buf, 4096);
    ward_buf_init(&kr_buf, WARD_STORE_MAX_VALUE);
    ward_buf_init(&tok_buf, 4096);
    if ((err = seal_encode(&seal_buf, r)) != WARD_OK ||
        (err = write_keyring(&ops[1], &kr_buf, kr, root)) != WARD_OK ||
        (err = entry_seal(&tok_buf, keyring_key(kr, kr->active), kr->active, PATH_ROOT_TOKEN,
                          token_hash, WARD_SHA256_LEN)) != WARD_OK) {
        goto out;
    }
    /* SECURITY: the absence checks make a racing second init fail whole. */
    ops[0] = (struct ward_store_op){ .kind = WARD_STORE_PUT,
                                     .path = PATH_SEAL,
                                     .value = seal_buf.data,
                                     .value_len = seal_buf.len,
                                     .check_version = true,
                                     .expected_version = 0 };
    ops[1].check_version = true;
    ops[1].expected_version = 0;
    ops[2] = (struct ward_store_op){ .kind = WARD_STORE_PUT,
                                     .path = PATH_ROOT_TOKEN,
                                     .value = tok_buf.data,
                                     .value_len = tok_buf.len };
    err = ward_store_txn(b->store, ops, 3);
    if (err == WARD_E_CONFLICT) {
        err = WARD_E_ALREADY_INIT;
    }
out:
    ward_buf_cleanup(&seal_buf);
    ward_buf_cleanup(&kr_buf);
    ward_buf_cleanup(&tok_buf);
    return err;
}

ward_err ward_barrier_init(struct ward_barrier *b, struct ward_init_result *out,
                           const struct ward_seal_params *p)
{
    struct seal_record r;
    struct ward_secret *root = NULL;
    struct keyring *kr = NULL;
    uint8_t token_hash[WARD_SHA256_LEN];
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if ((err = seal_check_params(p)) != WARD_OK) {
        return err;
    }
    err = load_seal(b, &r, NULL);
    if (err != WARD_E_NOT_INITIALIZED) {
        return err == WARD_OK ? WARD_E_ALREADY_INIT : err;
    }
    if ((err = ward_secret_new(&root, KEY_LEN)) != WARD_OK ||
        (err = ward_crypto_random(root->data, KEY_LEN)) != WARD_OK ||
        (err = keyring_new(&kr, ward_time_now_ms())) != WARD_OK ||
        (err = seal_create(&r, out, p, root->data)) != WARD_OK ||
        (err = make_root_token(&out->root_token, token_hash)) != WARD_OK ||
        (err = init_write(b, &r, kr, root->data, token_hash)) != WARD_OK) {
        goto out;
    }
    if ((err = load_seal(b, &r, NULL)) != WARD_OK) { /* status now sees the new seal */
        goto out;
    }
    ward_log(WARD_LOG_INFO, "msg=\"initialized\" seal=%s threshold=%u shares=%u",
             p->type == WARD_SEAL_SHAMIR ? "shamir" : "parts", (unsigned)r.threshold,
             (unsigned)r.shares);
    err = WARD_OK;
out:
    if (err != WARD_OK) {
        ward_init_result_cleanup(out);
    }
    ward_secret_free(root);
    keyring_free(kr);
    OPENSSL_cleanse(&r, sizeof(r));
    return err;
}

/* load_keyring decrypts the keyring entry with the root key. */
static ward_err load_keyring(struct ward_barrier *b, struct keyring **out, const uint8_t *root)
{
    struct ward_buf raw;
    struct entry_header h;
    struct ward_secret *plain = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    ward_buf_init(&raw, WARD_STORE_MAX_VALUE);
    if ((err = ward_store_get(b->store, &raw, NULL, PATH_KEYRING)) != WARD_OK) {
        err = err == WARD_E_NOT_FOUND ? WARD_E_STORE_CORRUPT : err;
        goto out;
    }
    if ((err = entry_parse(&h, raw.data, raw.len)) != WARD_OK) {
        goto out;
    }
    if (h.term != ROOT_TERM) {
        err = WARD_E_INTEGRITY;
        goto out;
    }
    if ((err = ward_secret_new(&plain, h.sealed_len - WARD_AEAD_TAG_LEN)) != WARD_OK ||
        (err = entry_open(plain->data, plain->len, root, &h, PATH_KEYRING)) != WARD_OK) {
        goto out;
    }
    err = keyring_decode(out, plain->data, plain->len);
out:
    ward_secret_free(plain);
    ward_buf_cleanup(&raw);
    return err;
}

/* finish_unseal rebuilds the KEK from a complete quorum and opens the barrier. */
static ward_err finish_unseal(struct ward_barrier *b, const struct seal_record *r)
{
    struct ward_secret *kek = NULL;
    struct ward_secret *root = NULL;
    struct keyring *kr = NULL;
    ward_err err = WARD_E_INTERNAL;

    if ((err = quorum_kek(&kek, &b->unseal, r)) != WARD_OK ||
        (err = ward_secret_new(&root, KEY_LEN)) != WARD_OK ||
        (err = seal_unwrap(root->data, r, kek->data)) != WARD_OK ||
        (err = load_keyring(b, &kr, root->data)) != WARD_OK) {
        goto out;
    }
    (void)pthread_rwlock_wrlock(&b->lock);
    ward_secret_free(b->root);
    keyring_free(b->keyring);
    b->root = root;
    b->keyring = kr;
    atomic_store(&b->stale_terms, kr->num > 1);
    root = NULL;
    kr = NULL;
    (void)pthread_rwlock_unlock(&b->lock);
    ward_log(WARD_LOG_INFO, "msg=\"unsealed\"");
    err = WARD_OK;
out:
    ward_secret_free(kek);
    ward_secret_free(root);
    keyring_free(kr);
    return err;
}

static bool is_sealed(struct ward_barrier *b)
{
    bool sealed;

    (void)pthread_rwlock_rdlock(&b->lock);
    sealed = b->root == NULL;
    (void)pthread_rwlock_unlock(&b->lock);
    return sealed;
}

/* fill_status_locked fills *out from r; the caller holds b->lock. */
static void fill_status_locked(struct ward_barrier *b, struct ward_seal_status *out,
                               const struct seal_record *r)
{
    memset(out, 0, sizeof(*out));
    out->initialized = true;
    out->type = r->type;
    out->threshold = r->threshold;
    out->shares = r->shares;
    out->progress = (uint8_t)atomic_load(&b->progress);
    out->sealed = b->root == NULL;
    if (b->keyring != NULL) {
        out->term = b->keyring->active;
        out->num_terms = b->keyring->num;
        out->term_installed_ms = b->keyring->created_ms[b->keyring->num - 1];
    }
}

static void fill_status(struct ward_barrier *b, struct ward_seal_status *out,
                        const struct seal_record *r)
{
    (void)pthread_rwlock_rdlock(&b->lock);
    fill_status_locked(b, out, r);
    (void)pthread_rwlock_unlock(&b->lock);
}

ward_err ward_barrier_unseal(struct ward_barrier *b, struct ward_seal_status *out,
                             const uint8_t *key, size_t key_len)
{
    struct seal_record r;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    if (b->selftest != WARD_OK) {
        return WARD_E_SELFTEST;
    }
    (void)pthread_mutex_lock(&b->mu);
    if ((err = load_seal(b, &r, NULL)) != WARD_OK) {
        goto out;
    }
    if (!is_sealed(b)) {
        err = WARD_E_ALREADY_UNSEALED;
        goto out;
    }
    if (progress_expired(b, &b->unseal)) {
        quorum_reset(&b->unseal);
    }
    if ((err = quorum_add(&b->unseal, &r, key, key_len)) != WARD_OK) {
        goto out;
    }
    if (quorum_complete(&b->unseal, &r)) {
        err = finish_unseal(b, &r);
        quorum_reset(&b->unseal);
        if (err != WARD_OK && err != WARD_E_UNSEAL_FAILED) {
            ward_log(WARD_LOG_ERROR, "msg=\"unseal failed\" code=%s", ward_err_name(err));
        }
        if (err != WARD_OK) {
            goto out;
        }
    }
    atomic_store(&b->progress, b->unseal.have);
    fill_status(b, out, &r);
    err = WARD_OK;
out:
    atomic_store(&b->progress, b->unseal.have);
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}

void ward_barrier_unseal_reset(struct ward_barrier *b)
{
    (void)pthread_mutex_lock(&b->mu);
    quorum_reset(&b->unseal);
    atomic_store(&b->progress, 0);
    (void)pthread_mutex_unlock(&b->mu);
}

void ward_barrier_seal(struct ward_barrier *b)
{
    (void)pthread_mutex_lock(&b->mu);
    rekey_clear(b);
    (void)pthread_rwlock_wrlock(&b->lock);
    ward_secret_free(b->root);
    keyring_free(b->keyring);
    b->root = NULL;
    b->keyring = NULL;
    (void)pthread_mutex_lock(&b->token_mu);
    b->token_known = false;
    (void)pthread_mutex_unlock(&b->token_mu);
    (void)pthread_rwlock_unlock(&b->lock);
    (void)pthread_mutex_unlock(&b->mu);
}

/* status_slow reads the seal record and expires unseal progress (under mu). */
static ward_err status_slow(struct ward_barrier *b, struct ward_seal_status *out)
{
    struct seal_record r;
    ward_err err;

    (void)pthread_mutex_lock(&b->mu);
    err = load_seal(b, &r, NULL);
    if (err == WARD_OK) {
        if (progress_expired(b, &b->unseal)) {
            quorum_reset(&b->unseal);
            atomic_store(&b->progress, 0);
        }
        fill_status(b, out, &r);
    } else if (err == WARD_E_NOT_INITIALIZED) {
        out->sealed = true;
        err = WARD_OK;
    }
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}

ward_err ward_barrier_status(struct ward_barrier *b, struct ward_seal_status *out)
{
    ward_err err = WARD_E_INTERNAL;
    bool known;

    memset(out, 0, sizeof(*out));
    if (atomic_load(&b->progress) > 0) {
        return status_slow(b, out); /* progress may have expired */
    }
    /* The hot path (every request's seal check): no storage, no mutex. */
    (void)pthread_rwlock_rdlock(&b->lock);
    known = b->seal_known && (b->seal_err == WARD_OK || b->seal_err == WARD_E_NOT_INITIALIZED);
    if (known) {
        err = b->seal_err;
        if (err == WARD_OK) {
            fill_status_locked(b, out, &b->seal);
        }
    }
    (void)pthread_rwlock_unlock(&b->lock);
    if (!known) {
        return status_slow(b, out);
    }
    if (err == WARD_E_NOT_INITIALIZED) {
        out->sealed = true;
        err = WARD_OK;
    }
    return err;
}

/*
 * The root token's hash is read from storage once per unseal and then kept
 * (a hash, not the token: it authenticates nothing by itself), so a token
 * check costs a SHA-256 and a compare instead of a storage read and a
 * decryption on every request.
 */
ward_err ward_barrier_check_root_token(struct ward_barrier *b, const char *token, size_t token_len)
{
    struct ward_buf stored;
    uint8_t hash[WARD_SHA256_LEN];
    bool known;
    ward_err err;

    ward_sha256(hash, (const uint8_t *)token, token_len);
    (void)pthread_rwlock_rdlock(&b->lock);
    (void)pthread_mutex_lock(&b->token_mu);
    known = b->keyring != NULL && b->token_known;
    err = known && ward_ct_equal(b->token_hash, hash, sizeof(hash)) ? WARD_OK : WARD_E_PERMISSION;
    (void)pthread_mutex_unlock(&b->token_mu);
    (void)pthread_rwlock_unlock(&b->lock);
    if (known) {
        return err;
    }
    ward_buf_init(&stored, 64);
    err = barrier_get(b, &stored, PATH_ROOT_TOKEN);
    if (err == WARD_OK) {
        err = stored.len == WARD_SHA256_LEN && ward_ct_equal(stored.data, hash, sizeof(hash))
                  ? WARD_OK
                  : WARD_E_PERMISSION;
    }
    if (err == WARD_OK) {
        (void)pthread_rwlock_rdlock(&b->lock);
        (void)pthread_mutex_lock(&b->token_mu);
        if (b->keyring != NULL) { /* not sealed meanwhile */
            memcpy(b->token_hash, hash, sizeof(hash));
            b->token_known = true;
        }
        (void)pthread_mutex_unlock(&b->token_mu);
        (void)pthread_rwlock_unlock(&b->lock);
    }
    ward_buf_cleanup(&stored);
    return err;
}

ward_err ward_barrier_selftest(struct ward_barrier *b)
{
    ward_err err = ward_crypto_selftest();

    (void)pthread_mutex_lock(&b->mu);
    b->selftest = err;
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}
