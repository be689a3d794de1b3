/*
 * rekey.c - changing the KEK (rekey) and the term key (rotate).
 *
 * Rekey rewraps only the root key: the new seal record replaces the old in
 * one compare-and-set write, so an interrupted rekey leaves the old KEK and
 * old shares valid. Rotate adds a term to the keyring in one compare-and-set
 * write; until it commits, the old keyring stays in force.
 *
 * THREADS: see barrier.h and core.c (mu before lock).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"
#include "base/log.h"

static void fill_rekey_status(struct ward_barrier *b, struct ward_rekey_status *out,
                              uint8_t old_threshold)
{
    memset(out, 0, sizeof(*out));
    out->started = b->rekey_started;
    if (!b->rekey_started) {
        return;
    }
    memcpy(out->nonce, b->rekey_nonce, sizeof(out->nonce));
    out->threshold = old_threshold;
    out->progress = b->rekey.have;
    out->new_shares = b->rekey_params.type == WARD_SEAL_SHAMIR ? b->rekey_params.shares
                                                               : b->rekey_params.num_parts;
    out->new_threshold = b->rekey_params.type == WARD_SEAL_SHAMIR ? b->rekey_params.threshold
                                                                  : b->rekey_params.num_parts;
}

/* keep_params copies p, and its parts into secrets the barrier owns. */
static ward_err keep_params(struct ward_barrier *b, const struct ward_seal_params *p)
{
    ward_err err;

    b->rekey_params = *p;
    for (uint8_t i = 0; p->type == WARD_SEAL_PARTS && i < p->num_parts; i++) {
        if ((err = ward_secret_new_copy(&b->rekey_parts[i], p->parts[i]->data, p->parts[i]->len)) !=
            WARD_OK) {
            return err;
        }
        b->rekey_params.parts[i] = b->rekey_parts[i];
    }
    return WARD_OK;
}

static ward_err new_nonce(char out[WARD_NONCE_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[WARD_NONCE_HEX_LEN / 2];
    ward_err err;

    if ((err = ward_crypto_random(raw, sizeof(raw))) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[WARD_NONCE_HEX_LEN] = '\0';
    return WARD_OK;
}

ward_err ward_barrier_rekey_init(struct ward_barrier *b, struct ward_rekey_status *out,
                                 const struct ward_seal_params *p)
{
    struct seal_record r;
    ward_err err = WARD_E_INTERNAL;

    memset(out, 0, sizeof(*out));
    (void)pthread_mutex_lock(&b->mu);
    if ((err = load_seal(b, &r, NULL)) != WARD_OK) {
        goto out;
    }
    (void)pthread_rwlock_rdlock(&b->lock);
    err = b->root == NULL ? WARD_E_SEALED : WARD_OK;
    (void)pthread_rwlock_unlock(&b->lock);
    if (err != WARD_OK) {
        goto out;
    }
    if (b->rekey_started) {
        err = WARD_E_IN_PROGRESS;
        goto out;
    }
    if ((err = seal_check_params(p)) != WARD_OK || (err = keep_params(b, p)) != WARD_OK ||
        (err = new_nonce(b->rekey_nonce)) != WARD_OK) {
        rekey_clear(b);
        goto out;
    }
    b->rekey_started = true;
    fill_rekey_status(b, out, r.threshold);
    err = WARD_OK;
out:
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}

/* rekey_finish checks the old quorum against the root key and writes the new seal. */
static ward_err rekey_finish(struct ward_barrier *b, struct ward_init_result *result,
                             const struct seal_record *old, uint64_t version)
{
    struct ward_secret *kek = NULL;
    struct ward_secret *root = NULL;
    struct seal_record nr;
    struct ward_buf rec;
    ward_err err = WARD_E_INTERNAL;

    ward_buf_init(&rec, 4096);
    if ((err = quorum_kek(&kek, &b->rekey, old)) != WARD_OK ||
        (err = ward_secret_new(&root, KEY_LEN)) != WARD_OK ||
        (err = seal_unwrap(root->data, old, kek->data)) != WARD_OK) {
        goto out;
    }
    (void)pthread_rwlock_rdlock(&b->lock);
    err = b->root != NULL && ward_ct_equal(b->root->data, root->data, KEY_LEN) ? WARD_OK
                                                                               : WARD_E_INTEGRITY;
    (void)pthread_rwlock_unlock(&b->lock);
    if (err != WARD_OK ||
        (err = seal_create(&nr, result, &b->rekey_params, root->data)) != WARD_OK ||
        (err = seal_encode(&rec, &nr)) != WARD_OK) {
        goto out;
    }
    if ((err = ward_store_cas(b->store, PATH_SEAL, version, rec.data, rec.len)) == WARD_OK) {
        err = load_seal(b, &nr, NULL); /* status now sees the new seal */
    }
out:
    if (err != WARD_OK) {
        ward_init_result_cleanup(result);
    }
    ward_secret_free(kek);
    ward_secret_free(root);
    ward_buf_cleanup(&rec);
    return err;
}

static bool nonce_ok(const struct ward_barrier *b, const char *nonce)
{
    return nonce != NULL && strlen(nonce) == WARD_NONCE_HEX_LEN &&
           ward_ct_equal(nonce, b->rekey_nonce, WARD_NONCE_HEX_LEN);
}

ward_err ward_barrier_rekey_update(struct ward_barrier *b, struct ward_rekey_status *status,
                                   struct ward_init_result *result, const char *nonce,
                                   const uint8_t *key, size_t key_len)
{
    struct seal_record r;
    uint64_t version = 0;
    bool nonce_good;
    ward_err err = WARD_E_INTERNAL;

    (void)pthread_mutex_lock(&b->mu);
    nonce_good = nonce_ok(b, nonce); /* before status is cleared: nonce may point into it */
    memset(status, 0, sizeof(*status));
    memset(result, 0, sizeof(*result));
    if (!b->rekey_started) {
        err = WARD_E_NO_OPERATION;
        goto out;
    }
    if (!nonce_good) {
        err = WARD_E_BAD_NONCE;
        goto out;
    }
    if ((err = load_seal(b, &r, &version)) != WARD_OK) {
        goto out;
    }
    if (progress_expired(b, &b->rekey)) {
        quorum_reset(&b->rekey);
    }
    if ((err = quorum_add(&b->rekey, &r, key, key_len)) != WARD_OK) {
        goto out;
    }
    fill_rekey_status(b, status, r.threshold);
    if (!quorum_complete(&b->rekey, &r)) {
        goto out;
    }
    err = rekey_finish(b, result, &r, version);
    quorum_reset(&b->rekey);
    if (err != WARD_OK) {
        status->progress = 0;
        goto out;
    }
    ward_log(WARD_LOG_INFO, "msg=\"rekey complete\"");
    rekey_clear(b);
    status->complete = true;
out:
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}

ward_err ward_barrier_rekey_cancel(struct ward_barrier *b)
{
    ward_err err = WARD_E_NO_OPERATION;

    (void)pthread_mutex_lock(&b->mu);
    if (b->rekey_started) {
        rekey_clear(b);
        err = WARD_OK;
    }
    (void)pthread_mutex_unlock(&b->mu);
    return err;
}

void ward_barrier_rekey_status(struct ward_barrier *b, struct ward_rekey_status *out)
{
    struct seal_record r;
    uint8_t threshold = 0;

    (void)pthread_mutex_lock(&b->mu);
    if (load_seal(b, &r, NULL) == WARD_OK) {
        threshold = r.threshold;
    }
    if (progress_expired(b, &b->rekey)) {
        quorum_reset(&b->rekey);
    }
    fill_rekey_status(b, out, threshold);
    (void)pthread_mutex_unlock(&b->mu);
}

ward_err ward_barrier_rotate(struct ward_barrier *b, uint32_t *out_term)
{
    struct keyring *nk = NULL;
    struct ward_buf raw;
    struct ward_buf sealed;
    struct ward_store_op op;
    uint64_t version = 0;
    ward_err err = WARD_E_INTERNAL;

    *out_term = 0;
    ward_buf_init(&raw, WARD_STORE_MAX_VALUE);
    ward_buf_init(&sealed, WARD_STORE_MAX_VALUE);
    (void)pthread_rwlock_wrlock(&b->lock);
    if (b->keyring == NULL) {
        err = WARD_E_SEALED;
        goto out;
    }
    if ((err = ward_store_get(b->store, &raw, &version, PATH_KEYRING)) != WARD_OK ||
        (err = keyring_add_term(&nk, b->keyring, ward_time_now_ms())) != WARD_OK ||
        (err = write_keyring(&op, &sealed, nk, b->root->data)) != WARD_OK) {
        goto out;
    }
    op.check_version = true;
    op.expected_version = version;
    if ((err = ward_store_txn(b->store, &op, 1)) != WARD_OK) {
        goto out;
    }
    keyring_free(b->keyring);
    b->keyring = nk;
    nk = NULL;
    atomic_store(&b->stale_terms, true);
    *out_term = b->keyring->active;
    ward_log(WARD_LOG_INFO, "msg=\"rotated\" term=%u", (unsigned)*out_term);
    err = WARD_OK;
out:
    (void)pthread_rwlock_unlock(&b->lock);
    keyring_free(nk);
    ward_buf_cleanup(&raw);
    ward_buf_cleanup(&sealed);
    return err;
}
