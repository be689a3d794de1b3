/*
 * quorum.c - collecting shares (or parts) until they rebuild the KEK.
 *
 * Used by unseal and by rekey (which must be authorised by the current
 * seal's quorum). Everything collected lives in locked memory and is wiped
 * by quorum_reset. Progress is never stored.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"
#include "base/log.h"

void quorum_reset(struct quorum *q)
{
    ward_secret_free(q->ys);
    ward_secret_free(q->parts);
    memset(q, 0, sizeof(*q));
}

static ward_err add_share(struct quorum *q, const struct seal_record *r, const uint8_t *key,
                          size_t key_len)
{
    struct share sh;
    ward_err err = WARD_E_INTERNAL;

    if ((err = share_decode(&sh, key, key_len)) != WARD_OK) {
        goto out;
    }
    if (!ward_ct_equal(sh.kek_id, r->kek_id, KEK_ID_LEN) || sh.threshold != r->threshold ||
        sh.x > r->shares) {
        err = WARD_E_SHARE_MISMATCH;
        goto out;
    }
    for (uint8_t i = 0; i < q->have; i++) {
        if (q->xs[i] == sh.x) {
            err = WARD_E_DUPLICATE_SHARE;
            goto out;
        }
    }
    if (q->ys == NULL && (err = ward_secret_new(&q->ys, WARD_MAX_SHARES * KEY_LEN)) != WARD_OK) {
        goto out;
    }
    q->xs[q->have] = sh.x;
    memcpy(q->ys->data + (size_t)q->have * KEY_LEN, sh.y, KEY_LEN);
    q->have++;
    err = WARD_OK;
out:
    OPENSSL_cleanse(&sh, sizeof(sh));
    return err;
}

static ward_err add_part(struct quorum *q, const uint8_t *key, size_t key_len)
{
    ward_err err;

    if (key_len == 0 || key_len > WARD_MAX_PART_LEN) {
        return WARD_E_INVALID;
    }
    if (q->parts == NULL &&
        (err = ward_secret_new(&q->parts, WARD_MAX_PARTS * (2 + WARD_MAX_PART_LEN))) != WARD_OK) {
        return err;
    }
    q->parts->data[q->parts_len] = (uint8_t)(key_len >> 8);
    q->parts->data[q->parts_len + 1] = (uint8_t)key_len;
    memcpy(q->parts->data + q->parts_len + 2, key, key_len);
    q->parts_len += 2 + key_len;
    q->have++;
    return WARD_OK;
}

ward_err quorum_add(struct quorum *q, const struct seal_record *r, const uint8_t *key,
                    size_t key_len)
{
    ward_err err;

    if (quorum_complete(q, r)) {
        return WARD_E_IN_PROGRESS;
    }
    if (r->type == WARD_SEAL_SHAMIR) {
        err = add_share(q, r, key, key_len);
    } else {
        err = add_part(q, key, key_len);
    }
    if (err == WARD_OK && q->have == 1) {
        q->started_ms = ward_time_mono_ms();
    }
    return err;
}

bool quorum_complete(const struct quorum *q, const struct seal_record *r)
{
    return q->have >= r->threshold;
}

ward_err quorum_kek(struct ward_secret **out_kek, const struct quorum *q,
                    const struct seal_record *r)
{
    const uint8_t *ys[WARD_MAX_SHARES];
    struct ward_secret *kek = NULL;
    ward_err err;

    *out_kek = NULL;
    if (r->type == WARD_SEAL_PARTS) {
        return parts_kek(out_kek, r, q->parts->data, q->parts_len);
    }
    for (uint8_t i = 0; i < q->have; i++) {
        ys[i] = q->ys->data + (size_t)i * KEY_LEN;
    }
    if ((err = ward_secret_new(&kek, KEY_LEN)) != WARD_OK) {
        return err;
    }
    if ((err = ward_shamir_combine(kek->data, KEY_LEN, q->xs, ys, q->have)) != WARD_OK) {
        ward_secret_free(kek);
        return err;
    }
    *out_kek = kek;
    return WARD_OK;
}
