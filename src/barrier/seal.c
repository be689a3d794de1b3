/*
 * seal.c - the seal record: how the root key is wrapped by the KEK.
 *
 * Stored in clear at "core/seal" (it must be readable while sealed); it holds
 * no secret, only the root key wrapped under the KEK and a verifier of it.
 *
 *   offset  size  field
 *   0       1     format version (1)
 *   1       1     seal type: 1 shamir, 2 parts
 *   2       8     kek id (random per init and per rekey; shares carry it)
 *   10      8     created, ms since the epoch
 *   18      1     threshold k (shamir) or number of parts (parts)
 *   19      1     shares n (shamir) or number of parts (parts)
 *   20      32    8 part rules of 4 bytes: min length, min digits,
 *                 min letters, min other (parts only; else zero)
 *   52      4     Argon2id passes t        (parts only; else zero)
 *   56      4     Argon2id memory, KiB     (parts only; else zero)
 *   60      4     Argon2id lanes           (parts only; else zero)
 *   64      16    Argon2id salt            (parts only; else zero)
 *   80      32    verifier = HMAC-SHA-256(KEK, "ward-kek-verifier-v1" || kek id)
 *   112     12    nonce of the wrap
 *   124     48    AES-256-GCM(KEK, root key) = 32 ciphertext || 16 tag,
 *                 associated data = bytes 0..111 || "core/seal"
 *   172           end
 *
 * SECURITY: only the verifier and the wrap's tag can tell a right KEK from a
 * wrong one; the KEK itself is never stored. A KEK that passes the verifier
 * but fails the tag means the record was altered: an integrity error, not a
 * wrong share.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "barrier_int.h"
#include "base/log.h"

#define SEAL_LEN         172
#define SEAL_AAD_LEN     112
#define VERIFIER_LABEL   "ward-kek-verifier-v1"
#define MIN_PART_LEN     8
#define ARGON2_T_DEFAULT 3
#define ARGON2_M_DEFAULT 65536
#define ARGON2_P_DEFAULT 1

ward_err seal_encode(struct ward_buf *out, const struct seal_record *r)
{
    uint8_t rec[SEAL_LEN];
    uint8_t *p = rec;

    memset(rec, 0, sizeof(rec));
    p[0] = SEAL_VERSION;
    p[1] = (uint8_t)r->type;
    memcpy(p + 2, r->kek_id, KEK_ID_LEN);
    ward_put_u64(p + 10, (uint64_t)r->created_ms);
    p[18] = r->threshold;
    p[19] = r->shares;
    for (int i = 0; i < WARD_MAX_PARTS; i++) {
        p[20 + 4 * i] = r->rules[i].min_len;
        p[21 + 4 * i] = r->rules[i].min_digits;
        p[22 + 4 * i] = r->rules[i].min_letters;
        p[23 + 4 * i] = r->rules[i].min_other;
    }
    ward_put_u32(p + 52, r->argon2_t);
    ward_put_u32(p + 56, r->argon2_m_kib);
    ward_put_u32(p + 60, r->argon2_p);
    memcpy(p + 64, r->salt, SALT_LEN);
    memcpy(p + 80, r->verifier, WARD_SHA256_LEN);
    memcpy(p + 112, r->nonce, WARD_AEAD_NONCE_LEN);
    memcpy(p + 124, r->wrapped, sizeof(r->wrapped));
    return ward_buf_append(out, rec, sizeof(rec));
}

static ward_err check_decoded(const struct seal_record *r)
{
    if (r->type == WARD_SEAL_SHAMIR) {
        if (r->threshold < 1 || r->threshold > r->shares || r->shares > WARD_MAX_SHARES) {
            return WARD_E_STORE_CORRUPT;
        }
        return WARD_OK;
    }
    if (r->type == WARD_SEAL_PARTS) {
        if (r->num_parts < 1 || r->num_parts > WARD_MAX_PARTS || r->argon2_t == 0 ||
            r->argon2_m_kib < 8 || r->argon2_p == 0 || r->argon2_m_kib > (1u << 22) ||
            r->argon2_t > 64 || r->argon2_p > 64) {
            return WARD_E_STORE_CORRUPT;
        }
        return WARD_OK;
    }
    return WARD_E_STORE_CORRUPT;
}

ward_err seal_decode(struct seal_record *out, const uint8_t *in, size_t in_len)
{
    const uint8_t *p = in;

    memset(out, 0, sizeof(*out));
    if (in_len >= 1 && in[0] != SEAL_VERSION) {
        return WARD_E_BAD_VERSION;
    }
    if (in_len != SEAL_LEN) {
        return WARD_E_STORE_CORRUPT;
    }
    out->type = (enum ward_seal_type)p[1];
    memcpy(out->kek_id, p + 2, KEK_ID_LEN);
    out->created_ms = (int64_t)ward_get_u64(p + 10);
    out->threshold = p[18];
    out->shares = p[19];
    out->num_parts = out->type == WARD_SEAL_PARTS ? p[19] : 0;
    for (int i = 0; i < WARD_MAX_PARTS; i++) {
        out->rules[i] =
            (struct ward_part_rule){ p[20 + 4 * i], p[21 + 4 * i], p[22 + 4 * i], p[23 + 4 * i] };
    }
    out->argon2_t = ward_get_u32(p + 52);
    out->argon2_m_kib = ward_get_u32(p + 56);
    out->argon2_p = ward_get_u32(p + 60);
    memcpy(out->salt, p + 64, SALT_LEN);
    memcpy(out->verifier, p + 80, WARD_SHA256_LEN);
    memcpy(out->nonce, p + 112, WARD_AEAD_NONCE_LEN);
    memcpy(out->wrapped, p + 124, sizeof(out->wrapped));
    return check_decoded(out);
}

/* part_ok checks one part against its rule (and the floor of MIN_PART_LEN). */
static bool part_ok(const struct ward_secret *part, const struct ward_part_rule *rule)
{
    size_t digits = 0;
    size_t letters = 0;
    size_t other = 0;
    size_t min_len = rule->min_len > MIN_PART_LEN ? rule->min_len : MIN_PART_LEN;

    if (part == NULL || part->len < min_len || part->len > WARD_MAX_PART_LEN) {
        return false;
    }
    for (size_t i = 0; i < part->len; i++) {
        uint8_t ch = part->data[i];

        if (ch >= '0' && ch <= '9') {
            digits++;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            letters++;
        } else {
            other++;
        }
    }
    return digits >= rule->min_digits && letters >= rule->min_letters && other >= rule->min_other;
}

ward_err seal_check_params(const struct ward_seal_params *p)
{
    if (p->type == WARD_SEAL_SHAMIR) {
        if (p->threshold < 1 || p->threshold > p->shares || p->shares > WARD_MAX_SHARES) {
            return WARD_E_BAD_THRESHOLD;
        }
        return WARD_OK;
    }
    if (p->type != WARD_SEAL_PARTS || p->num_parts < 1 || p->num_parts > WARD_MAX_PARTS) {
        return WARD_E_INVALID;
    }
    if (p->argon2_m_kib > (1u << 22) || p->argon2_t > 64 || p->argon2_p > 64 ||
        (p->argon2_m_kib != 0 && p->argon2_m_kib < 8)) {
        return WARD_E_INVALID;
    }
    for (uint8_t i = 0; i < p->num_parts; i++) {
        if (!part_ok(p->parts[i], &p->rules[i])) {
            ward_log(WARD_LOG_INFO, "msg=\"key part refused\" part=%u", (unsigned)i + 1);
            return WARD_E_WEAK_PART;
        }
    }
    return WARD_OK;
}

ward_err parts_kek(struct ward_secret **out_kek, const struct seal_record *r, const uint8_t *joined,
                   size_t joined_len)
{
    struct ward_argon2_params ap = { .t_cost = r->argon2_t,
                                     .m_cost_kib = r->argon2_m_kib,
                                     .parallelism = r->argon2_p,
                                     .salt = r->salt,
                                     .salt_len = SALT_LEN };
    struct ward_secret *kek = NULL;
    ward_err err;

    *out_kek = NULL;
    if ((err = ward_secret_new(&kek, KEY_LEN)) != WARD_OK) {
        return err;
    }
    if ((err = ward_argon2id(kek->data, KEY_LEN, &ap, joined, joined_len)) != WARD_OK) {
        ward_secret_free(kek);
        return err;
    }
    *out_kek = kek;
    return WARD_OK;
}

static ward_err compute_verifier(uint8_t out[WARD_SHA256_LEN], const uint8_t *kek,
                                 const uint8_t kek_id[KEK_ID_LEN])
{
    uint8_t msg[sizeof(VERIFIER_LABEL) - 1 + KEK_ID_LEN];

    memcpy(msg, VERIFIER_LABEL, sizeof(VERIFIER_LABEL) - 1);
    memcpy(msg + sizeof(VERIFIER_LABEL) - 1, kek_id, KEK_ID_LEN);
    return ward_hmac_sha256(out, kek, KEY_LEN, msg, sizeof(msg));
}

/* wrap_aad is the record's first SEAL_AAD_LEN bytes followed by its path. */
static ward_err wrap_aad(uint8_t aad[SEAL_AAD_LEN + sizeof(PATH_SEAL) - 1],
                         const struct seal_record *r)
{
    struct ward_buf rec;
    ward_err err;

    ward_buf_init(&rec, SEAL_LEN);
    if ((err = seal_encode(&rec, r)) == WARD_OK) {
        memcpy(aad, rec.data, SEAL_AAD_LEN);
        memcpy(aad + SEAL_AAD_LEN, PATH_SEAL, sizeof(PATH_SEAL) - 1);
    }
    ward_buf_cleanup(&rec);
    return err;
}

ward_err seal_unwrap(uint8_t *root, const struct seal_record *r, const uint8_t *kek)
{
    uint8_t verifier[WARD_SHA256_LEN];
    uint8_t aad[SEAL_AAD_LEN + sizeof(PATH_SEAL) - 1];
    struct ward_aead_op op;
    ward_err err;

    if ((err = compute_verifier(verifier, kek, r->kek_id)) != WARD_OK) {
        return err;
    }
    if (!ward_ct_equal(verifier, r->verifier, sizeof(verifier))) {
        return WARD_E_UNSEAL_FAILED;
    }
    if ((err = wrap_aad(aad, r)) != WARD_OK) {
        return err;
    }
    op = (struct ward_aead_op){ .key = kek,
                                .nonce = r->nonce,
                                .aad = aad,
                                .aad_len = sizeof(aad),
                                .in = r->wrapped,
                                .in_len = sizeof(r->wrapped) };
    return ward_aead_open(root, KEY_LEN, &op);
}

static void fill_record(struct seal_record *r, const struct ward_seal_params *p)
{
    r->type = p->type;
    r->created_ms = ward_time_now_ms();
    if (p->type == WARD_SEAL_SHAMIR) {
        r->threshold = p->threshold;
        r->shares = p->shares;
        return;
    }
    r->threshold = p->num_parts;
    r->shares = p->num_parts;
    r->num_parts = p->num_parts;
    memcpy(r->rules, p->rules, sizeof(r->rules));
    r->argon2_t = p->argon2_t != 0 ? p->argon2_t : ARGON2_T_DEFAULT;
    r->argon2_m_kib = p->argon2_m_kib != 0 ? p->argon2_m_kib : ARGON2_M_DEFAULT;
    r->argon2_p = p->argon2_p != 0 ? p->argon2_p : ARGON2_P_DEFAULT;
}

/* join_parts concatenates the parts as (u16 length || bytes) into a secret. */
static ward_err join_parts(struct ward_secret **out, size_t *out_len,
                           const struct ward_seal_params *p)
{
    size_t n = 0;
    ward_err err;

    *out_len = 0;
    if ((err = ward_secret_new(out, WARD_MAX_PARTS * (2 + WARD_MAX_PART_LEN))) != WARD_OK) {
        return err;
    }
    for (uint8_t i = 0; i < p->num_parts; i++) {
        (*out)->data[n] = (uint8_t)(p->parts[i]->len >> 8);
        (*out)->data[n + 1] = (uint8_t)p->parts[i]->len;
        memcpy((*out)->data + n + 2, p->parts[i]->data, p->parts[i]->len);
        n += 2 + p->parts[i]->len;
    }
    *out_len = n;
    return WARD_OK;
}

/* make_kek creates the KEK: random and split (SHAMIR) or derived (PARTS). */
static ward_err make_kek(struct ward_secret **out, struct ward_init_result *res,
                         const struct seal_record *r, const struct ward_seal_params *p)
{
    struct ward_secret *tmp = NULL;
    size_t len = 0;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    if (r->type == WARD_SEAL_PARTS) {
        if ((err = join_parts(&tmp, &len, p)) == WARD_OK) {
            err = parts_kek(out, r, tmp->data, len);
        }
        goto out;
    }
    if ((err = ward_secret_new(out, KEY_LEN)) != WARD_OK ||
        (err = ward_crypto_random((*out)->data, KEY_LEN)) != WARD_OK ||
        (err = ward_secret_new(&tmp, (size_t)r->shares * KEY_LEN)) != WARD_OK ||
        (err = ward_shamir_split(tmp->data, (*out)->data, KEY_LEN, r->threshold, r->shares)) !=
            WARD_OK) {
        goto out;
    }
    for (uint8_t i = 0; i < r->shares; i++) {
        struct share sh = { .threshold = r->threshold, .x = (uint8_t)(i + 1) };

        memcpy(sh.kek_id, r->kek_id, KEK_ID_LEN);
        memcpy(sh.y, tmp->data + (size_t)i * KEY_LEN, KEY_LEN);
        err = share_encode(&res->shares[i], &sh);
        OPENSSL_cleanse(&sh, sizeof(sh));
        if (err != WARD_OK) {
            goto out;
        }
        res->num_shares = (size_t)i + 1;
    }
    err = WARD_OK;
out:
    ward_secret_free(tmp);
    if (err != WARD_OK) {
        ward_secret_free(*out);
        *out = NULL;
    }
    return err;
}

ward_err seal_create(struct seal_record *r, struct ward_init_result *res,
                     const struct ward_seal_params *p, const uint8_t *root)
{
    struct ward_secret *kek = NULL;
    uint8_t aad[SEAL_AAD_LEN + sizeof(PATH_SEAL) - 1];
    struct ward_aead_op op;
    ward_err err = WARD_E_INTERNAL;

    memset(r, 0, sizeof(*r));
    fill_record(r, p);
    if ((err = ward_crypto_random(r->kek_id, KEK_ID_LEN)) != WARD_OK ||
        (err = ward_crypto_random(r->salt, r->type == WARD_SEAL_PARTS ? SALT_LEN : 0)) != WARD_OK ||
        (err = ward_crypto_random(r->nonce, WARD_AEAD_NONCE_LEN)) != WARD_OK ||
        (err = make_kek(&kek, res, r, p)) != WARD_OK ||
        (err = compute_verifier(r->verifier, kek->data, r->kek_id)) != WARD_OK ||
        (err = wrap_aad(aad, r)) != WARD_OK) {
        goto out;
    }
    op = (struct ward_aead_op){ .key = kek->data,
                                .nonce = r->nonce,
                                .aad = aad,
                                .aad_len = sizeof(aad),
                                .in = root,
                                .in_len = KEY_LEN };
    err = ward_aead_seal(r->wrapped, sizeof(r->wrapped), &op);
out:
    ward_secret_free(kek);
    return err;
}
