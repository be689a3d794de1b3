/*
 * record.c - a key in memory and its stored record (docs/storage-format.md
 * "Named keys"). All integers big-endian.
 *
 *   format (1) = 1 | type (1) | id (16) | name length (2) | name |
 *   flags (4) | allowed ops (4) | state (1) | key size (4) |
 *   min decryption version (4) | min encryption version (4) |
 *   min available version (4) | latest version (4) |
 *   auto-rotate seconds (8) | created ms (8) | rotated ms (8) |
 *   version count (4) | versions
 *   version = number (4) | created ms (8) | state (1) |
 *             material length (4) | material (raw, or PKCS#8 DER)
 *
 * The decoder takes bytes that passed the barrier's authentication, so a
 * malformed record means a bug or a wrong restore input (ward_keys_restore
 * feeds it a caller's backup): it checks every length and invariant anyway.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "keys_int.h"

int64_t keys_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ward_key *key_alloc(void)
{
    struct ward_key *k = ward_calloc(1, sizeof(*k));

    if (k != NULL) {
        atomic_init(&k->refs, 1);
    }
    return k;
}

static void version_clear(struct ward_key_version *v)
{
    ward_pkey_free(v->pkey);
    ward_secret_free(v->material);
    v->pkey = NULL;
    v->material = NULL;
}

void key_free(struct ward_key *k)
{
    if (k == NULL) {
        return;
    }
    for (size_t i = 0; i < k->num_versions; i++) {
        version_clear(&k->versions[i]);
    }
    ward_free(k->versions);
    OPENSSL_cleanse(k, sizeof(*k));
    ward_free(k);
}

void ward_key_unref(struct ward_key *k)
{
    if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1) {
        key_free(k);
    }
}

ward_err key_material_check(const struct ward_key *k, const uint8_t *material, size_t material_len)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    EVP_PKEY *pkey = NULL;
    ward_err err;

    if (t == NULL) {
        return WARD_E_INVALID;
    }
    if (t->pkey_kind == 0) {
        size_t want = k->type == WARD_KEY_HMAC ? k->key_size : t->sym_len;

        return material_len == want ? WARD_OK : WARD_E_INVALID;
    }
    err = ward_pkey_load(&pkey, (enum ward_pkey_kind)t->pkey_kind, material, material_len);
    ward_pkey_free(pkey);
    return err;
}

/* version_load puts material into v: locked copy, and the EVP_PKEY if asymmetric. */
static ward_err version_load(const struct ward_key *k, struct ward_key_version *v,
                             const uint8_t *material, size_t material_len)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    ward_err err;

    if (t == NULL) {
        return WARD_E_INVALID;
    }
    if ((err = ward_secret_new_copy(&v->material, material, material_len)) != WARD_OK) {
        return err;
    }
    if (t->pkey_kind != 0) {
        err = ward_pkey_load(&v->pkey, (enum ward_pkey_kind)t->pkey_kind, v->material->data,
                             v->material->len);
    } else if (material_len != (k->type == WARD_KEY_HMAC ? k->key_size : t->sym_len)) {
        err = WARD_E_BAD_ENCODING;
    }
    return err;
}

static ward_err grow_versions(struct ward_key *k)
{
    struct ward_key_version *nv;

    nv = ward_realloc(k->versions, (k->num_versions + 1) * sizeof(*nv));
    if (nv == NULL) {
        return WARD_E_NOMEM;
    }
    k->versions = nv;
    memset(&k->versions[k->num_versions], 0, sizeof(*nv));
    return WARD_OK;
}

ward_err key_add_version(struct ward_key *k, uint32_t v, uint8_t state, int64_t now_ms,
                         const uint8_t *material, size_t material_len)
{
    const struct ward_key_type_info *t = ward_key_type_get(k->type);
    struct ward_key_version *kv;
    struct ward_buf fresh;
    ward_err err;

    if (t == NULL) {
        return WARD_E_INVALID;
    }
    if ((err = grow_versions(k)) != WARD_OK) {
        return err;
    }
    kv = &k->versions[k->num_versions];
    kv->version = v;
    kv->created_ms = now_ms;
    kv->state = state;
    ward_buf_init(&fresh, 16384);
    if (material == NULL) {
        if (t->pkey_kind != 0) {
            err = ward_pkey_generate(&fresh, (enum ward_pkey_kind)t->pkey_kind);
        } else {
            size_t n = k->type == WARD_KEY_HMAC ? k->key_size : t->sym_len;

            if ((err = ward_buf_reserve(&fresh, n)) == WARD_OK &&
                (err = ward_crypto_random(fresh.data, n)) == WARD_OK) {
                fresh.len = n;
            }
        }
        material = fresh.data;
        material_len = fresh.len;
    }
    if (err == WARD_OK) {
        err = version_load(k, kv, material, material_len);
    }
    ward_buf_cleanup(&fresh);
    if (err != WARD_OK) {
        version_clear(kv);
        return err;
    }
    k->num_versions++;
    return WARD_OK;
}

ward_err key_encode(struct ward_buf *out, const struct ward_key *k)
{
    size_t name_len = strlen(k->name);
    ward_err err;

    if ((err = ward_buf_append_u8(out, KEY_RECORD_FORMAT)) != WARD_OK ||
        (err = ward_buf_append_u8(out, (uint8_t)k->type)) != WARD_OK ||
        (err = ward_buf_append(out, k->id, sizeof(k->id))) != WARD_OK ||
        (err = ward_buf_append_u16(out, (uint16_t)name_len)) != WARD_OK ||
        (err = ward_buf_append(out, k->name, name_len)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->flags)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->allowed_ops)) != WARD_OK ||
        (err = ward_buf_append_u8(out, k->state)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->key_size)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->min_decryption_version)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->min_encryption_version)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->min_available_version)) != WARD_OK ||
        (err = ward_buf_append_u32(out, k->latest_version)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)k->auto_rotate_s)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)k->created_ms)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)k->rotated_ms)) != WARD_OK ||
        (err = ward_buf_append_u32(out, (uint32_t)k->num_versions)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < k->num_versions; i++) {
        const struct ward_key_version *v = &k->versions[i];
        size_t mlen = v->material != NULL ? v->material->len : 0;

        if ((err = ward_buf_append_u32(out, v->version)) != WARD_OK ||
            (err = ward_buf_append_u64(out, (uint64_t)v->created_ms)) != WARD_OK ||
            (err = ward_buf_append_u8(out, v->state)) != WARD_OK ||
            (err = ward_buf_append_u32(out, (uint32_t)mlen)) != WARD_OK ||
            (mlen > 0 && (err = ward_buf_append(out, v->material->data, mlen)) != WARD_OK)) {
            return err;
        }
    }
    return WARD_OK;
}

static bool state_ok(uint8_t s)
{
    return s >= WARD_KSTATE_PRE_ACTIVE && s <= WARD_KSTATE_DESTROYED;
}

/* decode_settings reads everything before the versions. */
static ward_err decode_settings(struct ward_key *k, struct ward_cursor *c)
{
    const struct ward_key_type_info *t;
    const uint8_t *name;
    uint64_t rot;
    uint64_t created;
    uint64_t rotated;
    uint16_t name_len;
    uint8_t format;
    uint8_t type;

    if (ward_cursor_get_u8(c, &format) != WARD_OK) {
        return WARD_E_BAD_ENCODING;
    }
    if (format != KEY_RECORD_FORMAT) {
        return WARD_E_BAD_VERSION;
    }
    if (ward_cursor_get_u8(c, &type) != WARD_OK ||
        ward_cursor_copy(c, k->id, sizeof(k->id)) != WARD_OK ||
        ward_cursor_get_u16(c, &name_len) != WARD_OK || name_len > WARD_KEY_NAME_MAX ||
        ward_cursor_get_bytes(c, &name, name_len) != WARD_OK) {
        return WARD_E_BAD_ENCODING;
    }
    memcpy(k->name, name, name_len);
    k->name[name_len] = '\0';
    k->type = (enum ward_key_type)type;
    if ((t = ward_key_type_get(k->type)) == NULL || ward_key_name_check(k->name) != WARD_OK ||
        ward_cursor_get_u32(c, &k->flags) != WARD_OK ||
        ward_cursor_get_u32(c, &k->allowed_ops) != WARD_OK ||
        ward_cursor_get_u8(c, &k->state) != WARD_OK || !state_ok(k->state) ||
        ward_cursor_get_u32(c, &k->key_size) != WARD_OK ||
        ward_cursor_get_u32(c, &k->min_decryption_version) != WARD_OK ||
        ward_cursor_get_u32(c, &k->min_encryption_version) != WARD_OK ||
        ward_cursor_get_u32(c, &k->min_available_version) != WARD_OK ||
        ward_cursor_get_u32(c, &k->latest_version) != WARD_OK ||
        ward_cursor_get_u64(c, &rot) != WARD_OK || ward_cursor_get_u64(c, &created) != WARD_OK ||
        ward_cursor_get_u64(c, &rotated) != WARD_OK) {
        return WARD_E_BAD_ENCODING;
    }
    k->auto_rotate_s = (int64_t)rot;
    k->created_ms = (int64_t)created;
    k->rotated_ms = (int64_t)rotated;
    if ((k->allowed_ops & ~t->ops) != 0 || k->latest_version > WARD_KEY_MAX_VERSION ||
        k->min_available_version == 0 || k->min_available_version > k->latest_version ||
        k->auto_rotate_s < 0 ||
        (k->type == WARD_KEY_HMAC && (k->key_size < 16 || k->key_size > 512))) {
        return WARD_E_BAD_ENCODING;
    }
    return WARD_OK;
}

/* decode_version reads version number want of k from c and loads its material. */
static ward_err decode_version(struct ward_key *k, struct ward_cursor *c, uint32_t want)
{
    struct ward_key_version *v;
    const uint8_t *m;
    uint64_t created;
    uint32_t mlen;
    ward_err err;

    if ((err = grow_versions(k)) != WARD_OK) {
        return err;
    }
    v = &k->versions[k->num_versions];
    if (ward_cursor_get_u32(c, &v->version) != WARD_OK || v->version != want ||
        ward_cursor_get_u64(c, &created) != WARD_OK ||
        ward_cursor_get_u8(c, &v->state) != WARD_OK || !state_ok(v->state) ||
        ward_cursor_get_u32(c, &mlen) != WARD_OK || ward_cursor_get_bytes(c, &m, mlen) != WARD_OK ||
        (mlen == 0) != (v->state == WARD_KSTATE_DESTROYED)) {
        return WARD_E_BAD_ENCODING;
    }
    v->created_ms = (int64_t)created;
    k->num_versions++; /* counted now, so key_free releases what loading leaves */
    if (mlen > 0 && (err = version_load(k, v, m, mlen)) != WARD_OK) {
        return err == WARD_E_NOMEM || err == WARD_E_SYS ? err : WARD_E_BAD_ENCODING;
    }
    return WARD_OK;
}

ward_err key_decode(struct ward_key **out, const uint8_t *in, size_t len)
{
    struct ward_key *k = key_alloc();
    struct ward_cursor c;
    uint32_t count;
    ward_err err;

    *out = NULL;
    if (k == NULL) {
        return WARD_E_NOMEM;
    }
    ward_cursor_init(&c, in, len);
    if ((err = decode_settings(k, &c)) != WARD_OK) {
        goto fail;
    }
    err = WARD_E_BAD_ENCODING;
    if (ward_cursor_get_u32(&c, &count) != WARD_OK ||
        count != k->latest_version - k->min_available_version + 1) {
        goto fail;
    }
    for (uint32_t i = 0; i < count; i++) {
        if ((err = decode_version(k, &c, k->min_available_version + i)) != WARD_OK) {
            goto fail;
        }
    }
    if (!ward_cursor_empty(&c)) {
        err = WARD_E_BAD_ENCODING;
        goto fail;
    }
    *out = k;
    return WARD_OK;
fail:
    key_free(k);
    return err;
}

ward_err key_copy(struct ward_key **out, const struct ward_key *k)
{
    struct ward_buf rec;
    ward_err err;

    ward_buf_init(&rec, KEY_MAX_RECORD);
    if ((err = key_encode(&rec, k)) == WARD_OK) {
        err = key_decode(out, rec.data, rec.len);
    }
    ward_buf_cleanup(&rec);
    return err;
}
