/*
 * keyring.c - the keyring: every term key, old ones kept to read old entries.
 *
 * Plaintext layout (stored as a barrier entry under the root key, term 0):
 *   offset   size  field
 *   0        1     format version (1)
 *   1        4     active term (the one new writes use)
 *   5        4     number of terms N (1..4096)
 *   9        44*N  N records, ascending by term:
 *                    +0  4   term (>= 1)
 *                    +4  8   created, ms since the epoch
 *                    +12 32  AES-256 key
 *
 * The decoded keys live in one struct ward_secret; the plaintext blob is
 * itself a secret and is wiped by its owner.
 */
#include <string.h>

#include "barrier_int.h"

#define TERM_REC_LEN (4 + 8 + KEY_LEN)

void keyring_free(struct keyring *kr)
{
    if (kr == NULL) {
        return;
    }
    ward_free(kr->terms);
    ward_free(kr->created_ms);
    ward_secret_free(kr->keys);
    ward_free(kr);
}

static ward_err keyring_alloc(struct keyring **out, uint32_t num)
{
    struct keyring *kr;
    ward_err err;

    *out = NULL;
    if ((kr = ward_calloc(1, sizeof(*kr))) == NULL) {
        return WARD_E_NOMEM;
    }
    kr->num = num;
    kr->terms = ward_calloc(num, sizeof(*kr->terms));
    kr->created_ms = ward_calloc(num, sizeof(*kr->created_ms));
    if (kr->terms == NULL || kr->created_ms == NULL) {
        keyring_free(kr);
        return WARD_E_NOMEM;
    }
    if ((err = ward_secret_new(&kr->keys, (size_t)num * KEY_LEN)) != WARD_OK) {
        keyring_free(kr);
        return err;
    }
    *out = kr;
    return WARD_OK;
}

ward_err keyring_new(struct keyring **out, int64_t now_ms)
{
    struct keyring *kr = NULL;
    ward_err err;

    *out = NULL;
    if ((err = keyring_alloc(&kr, 1)) != WARD_OK) {
        return err;
    }
    kr->terms[0] = 1;
    kr->created_ms[0] = now_ms;
    kr->active = 1;
    if ((err = ward_crypto_random(kr->keys->data, KEY_LEN)) != WARD_OK) {
        keyring_free(kr);
        return err;
    }
    *out = kr;
    return WARD_OK;
}

ward_err keyring_add_term(struct keyring **out, const struct keyring *kr, int64_t now_ms)
{
    struct keyring *nk = NULL;
    uint32_t n = kr->num;
    ward_err err;

    *out = NULL;
    if (n >= KEYRING_MAX_TERMS) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = keyring_alloc(&nk, n + 1)) != WARD_OK) {
        return err;
    }
    memcpy(nk->terms, kr->terms, n * sizeof(*kr->terms));
    memcpy(nk->created_ms, kr->created_ms, n * sizeof(*kr->created_ms));
    memcpy(nk->keys->data, kr->keys->data, (size_t)n * KEY_LEN);
    nk->terms[n] = kr->terms[n - 1] + 1;
    nk->created_ms[n] = now_ms;
    nk->active = nk->terms[n];
    if ((err = ward_crypto_random(nk->keys->data + (size_t)n * KEY_LEN, KEY_LEN)) != WARD_OK) {
        keyring_free(nk);
        return err;
    }
    *out = nk;
    return WARD_OK;
}

const uint8_t *keyring_key(const struct keyring *kr, uint32_t term)
{
    /* terms ascend; a binary search keeps this cheap on the hot path */
    uint32_t lo = 0;
    uint32_t hi = kr->num;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (kr->terms[mid] == term) {
            return kr->keys->data + (size_t)mid * KEY_LEN;
        }
        if (kr->terms[mid] < term) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

ward_err keyring_encode(struct ward_secret **out, const struct keyring *kr)
{
    struct ward_secret *s = NULL;
    uint8_t *p;
    ward_err err;

    *out = NULL;
    if ((err = ward_secret_new(&s, 9 + (size_t)kr->num * TERM_REC_LEN)) != WARD_OK) {
        return err;
    }
    p = s->data;
    p[0] = KEYRING_VERSION;
    ward_put_u32(p + 1, kr->active);
    ward_put_u32(p + 5, kr->num);
    p += 9;
    for (uint32_t i = 0; i < kr->num; i++, p += TERM_REC_LEN) {
        ward_put_u32(p, kr->terms[i]);
        ward_put_u64(p + 4, (uint64_t)kr->created_ms[i]);
        memcpy(p + 12, kr->keys->data + (size_t)i * KEY_LEN, KEY_LEN);
    }
    *out = s;
    return WARD_OK;
}

/* check_terms: terms strictly ascending from >= 1, and active among them. */
static ward_err check_terms(const struct keyring *kr)
{
    for (uint32_t i = 0; i < kr->num; i++) {
        if (kr->terms[i] == 0 || (i > 0 && kr->terms[i] <= kr->terms[i - 1])) {
            return WARD_E_STORE_CORRUPT;
        }
    }
    return keyring_key(kr, kr->active) != NULL ? WARD_OK : WARD_E_STORE_CORRUPT;
}

ward_err keyring_decode(struct keyring **out, const uint8_t *in, size_t in_len)
{
    struct keyring *kr = NULL;
    struct ward_cursor c;
    uint8_t version;
    uint32_t active;
    uint32_t num;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    ward_cursor_init(&c, in, in_len);
    if (ward_cursor_get_u8(&c, &version) != WARD_OK ||
        ward_cursor_get_u32(&c, &active) != WARD_OK || ward_cursor_get_u32(&c, &num) != WARD_OK) {
        return WARD_E_STORE_CORRUPT;
    }
    if (version != KEYRING_VERSION) {
        return WARD_E_BAD_VERSION;
    }
    if (num == 0 || num > KEYRING_MAX_TERMS || c.len != (size_t)num * TERM_REC_LEN) {
        return WARD_E_STORE_CORRUPT;
    }
    if ((err = keyring_alloc(&kr, num)) != WARD_OK) {
        return err;
    }
    kr->active = active;
    for (uint32_t i = 0; i < num; i++) {
        uint64_t created = 0;

        if (ward_cursor_get_u32(&c, &kr->terms[i]) != WARD_OK ||
            ward_cursor_get_u64(&c, &created) != WARD_OK ||
            ward_cursor_copy(&c, kr->keys->data + (size_t)i * KEY_LEN, KEY_LEN) != WARD_OK) {
            err = WARD_E_STORE_CORRUPT;
            goto out;
        }
        kr->created_ms[i] = (int64_t)created;
    }
    if ((err = check_terms(kr)) != WARD_OK) {
        goto out;
    }
    *out = kr;
    kr = NULL;
    err = WARD_OK;
out:
    keyring_free(kr);
    return err;
}
