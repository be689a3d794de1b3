/*
 * kv_codec.c - byte formats of the KV entries (docs/storage-format.md "KV
 * v2"). Decoders read stored input through a cursor and check every length;
 * all integers are big-endian.
 */
#include <string.h>

#include "base/mem.h"
#include "kv_int.h"

ward_err kv_list_add(struct ward_kv_list *l, const char *name)
{
    size_t pos = 0;
    char **grown;
    char *copy;

    while (pos < l->num && strcmp(l->keys[pos], name) < 0) {
        pos++;
    }
    if (pos < l->num && strcmp(l->keys[pos], name) == 0) {
        return WARD_OK;
    }
    if (l->num >= WARD_KV_MAX_LIST) {
        return WARD_E_TOO_LARGE;
    }
    if ((grown = ward_realloc(l->keys, (l->num + 1) * sizeof(*grown))) == NULL) {
        return WARD_E_NOMEM;
    }
    l->keys = grown;
    if ((copy = ward_alloc(strlen(name) + 1)) == NULL) {
        return WARD_E_NOMEM;
    }
    memcpy(copy, name, strlen(name) + 1);
    memmove(&l->keys[pos + 1], &l->keys[pos], (l->num - pos) * sizeof(*grown));
    l->keys[pos] = copy;
    l->num++;
    return WARD_OK;
}

bool kv_list_remove(struct ward_kv_list *l, const char *name)
{
    for (size_t i = 0; i < l->num; i++) {
        if (strcmp(l->keys[i], name) == 0) {
            ward_free(l->keys[i]);
            memmove(&l->keys[i], &l->keys[i + 1], (l->num - i - 1) * sizeof(*l->keys));
            l->num--;
            return true;
        }
    }
    return false;
}

void ward_kv_list_cleanup(struct ward_kv_list *l)
{
    for (size_t i = 0; i < l->num; i++) {
        ward_free(l->keys[i]);
    }
    ward_free(l->keys);
    l->keys = NULL;
    l->num = 0;
}

/* get_text reads a u16-length string into out (cap bytes with the NUL). */
static ward_err get_text(struct ward_cursor *cur, char *out, size_t cap)
{
    const uint8_t *p;
    uint16_t n;
    ward_err err;

    if ((err = ward_cursor_get_u16(cur, &n)) != WARD_OK ||
        (err = ward_cursor_get_bytes(cur, &p, n)) != WARD_OK) {
        return err;
    }
    if (n >= cap || memchr(p, '\0', n) != NULL) {
        return WARD_E_BAD_ENCODING;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return WARD_OK;
}

static ward_err put_text(struct ward_buf *out, const char *s)
{
    size_t n = strlen(s);
    ward_err err;

    if (n > UINT16_MAX) {
        return WARD_E_TOO_LARGE;
    }
    if ((err = ward_buf_append_u16(out, (uint16_t)n)) != WARD_OK) {
        return err;
    }
    return ward_buf_append(out, s, n);
}

static ward_err put_version(struct ward_buf *out, const struct ward_kv_version *v)
{
    ward_err err;

    if ((err = ward_buf_append_u64(out, v->version)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)v->created_ms)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)v->deletion_ms)) != WARD_OK ||
        (err = ward_buf_append_u8(out, v->destroyed ? 1 : 0)) != WARD_OK) {
        return err;
    }
    return ward_buf_append_u8(out, v->type);
}

ward_err kv_meta_encode(struct ward_buf *out, const struct ward_kv_meta *m)
{
    ward_err err;

    if ((err = ward_buf_append_u8(out, KV_FORMAT)) != WARD_OK ||
        (err = put_text(out, m->path)) != WARD_OK ||
        (err = ward_buf_append_u32(out, m->max_versions)) != WARD_OK ||
        (err = ward_buf_append_u8(out, m->cas_required ? 1 : 0)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)m->delete_after_s)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)m->created_ms)) != WARD_OK ||
        (err = ward_buf_append_u64(out, (uint64_t)m->updated_ms)) != WARD_OK ||
        (err = ward_buf_append_u64(out, m->current_version)) != WARD_OK ||
        (err = ward_buf_append_u64(out, m->oldest_version)) != WARD_OK ||
        (err = ward_buf_append_u32(out, (uint32_t)m->custom.len)) != WARD_OK ||
        (err = ward_buf_append(out, m->custom.data, m->custom.len)) != WARD_OK ||
        (err = ward_buf_append_u32(out, (uint32_t)m->num_versions)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < m->num_versions; i++) {
        if ((err = put_version(out, &m->versions[i])) != WARD_OK) {
            return err;
        }
    }
    return WARD_OK;
}

static ward_err get_version(struct ward_cursor *cur, struct ward_kv_version *v)
{
    uint64_t created;
    uint64_t deletion;
    uint8_t destroyed;
    ward_err err;

    if ((err = ward_cursor_get_u64(cur, &v->version)) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &created)) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &deletion)) != WARD_OK ||
        (err = ward_cursor_get_u8(cur, &destroyed)) != WARD_OK ||
        (err = ward_cursor_get_u8(cur, &v->type)) != WARD_OK) {
        return err;
    }
    if (destroyed > 1 || (v->type != WARD_KV_USER && v->type != WARD_KV_GENERATED)) {
        return WARD_E_BAD_ENCODING;
    }
    v->created_ms = (int64_t)created;
    v->deletion_ms = (int64_t)deletion;
    v->destroyed = destroyed == 1;
    return WARD_OK;
}

/* get_meta_head reads the fixed fields up to custom_metadata. */
static ward_err get_meta_head(struct ward_cursor *cur, struct ward_kv_meta *m)
{
    uint8_t format;
    uint8_t cas;
    uint64_t v[4];
    ward_err err;

    if ((err = ward_cursor_get_u8(cur, &format)) != WARD_OK) {
        return err;
    }
    if (format != KV_FORMAT) {
        return WARD_E_BAD_VERSION;
    }
    if ((err = get_text(cur, m->path, sizeof(m->path))) != WARD_OK ||
        (err = ward_cursor_get_u32(cur, &m->max_versions)) != WARD_OK ||
        (err = ward_cursor_get_u8(cur, &cas)) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &v[0])) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &v[1])) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &v[2])) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &m->current_version)) != WARD_OK ||
        (err = ward_cursor_get_u64(cur, &m->oldest_version)) != WARD_OK) {
        return err;
    }
    if (cas > 1 || m->max_versions > WARD_KV_MAX_VERSIONS_CAP || v[0] > INT64_MAX) {
        return WARD_E_BAD_ENCODING;
    }
    m->cas_required = cas == 1;
    m->delete_after_s = (int64_t)v[0];
    m->created_ms = (int64_t)v[1];
    m->updated_ms = (int64_t)v[2];
    return WARD_OK;
}

ward_err kv_meta_decode(struct ward_kv_meta *out, const uint8_t *in, size_t in_len)
{
    struct ward_cursor cur;
    const uint8_t *custom;
    uint32_t n;
    ward_err err;

    ward_cursor_init(&cur, in, in_len);
    if ((err = get_meta_head(&cur, out)) != WARD_OK ||
        (err = ward_cursor_get_u32(&cur, &n)) != WARD_OK) {
        return err;
    }
    if (n > WARD_KV_MAX_CUSTOM) {
        return WARD_E_BAD_ENCODING;
    }
    if ((err = ward_cursor_get_bytes(&cur, &custom, n)) != WARD_OK ||
        (err = ward_buf_append(&out->custom, custom, n)) != WARD_OK ||
        (err = ward_cursor_get_u32(&cur, &n)) != WARD_OK) {
        return err;
    }
    if (n > WARD_KV_MAX_VERSIONS_CAP + 1) {
        return WARD_E_BAD_ENCODING;
    }
    if (n > 0 && (out->versions = ward_calloc(n, sizeof(*out->versions))) == NULL) {
        return WARD_E_NOMEM;
    }
    for (out->num_versions = 0; out->num_versions < n; out->num_versions++) {
        if ((err = get_version(&cur, &out->versions[out->num_versions])) != WARD_OK) {
            return err;
        }
    }
    return ward_cursor_empty(&cur) ? WARD_OK : WARD_E_BAD_ENCODING;
}

ward_err kv_dir_encode(struct ward_buf *out, const struct kv_dir *d)
{
    ward_err err;

    if ((err = ward_buf_append_u8(out, KV_FORMAT)) != WARD_OK ||
        (err = put_text(out, d->path)) != WARD_OK ||
        (err = ward_buf_append_u32(out, (uint32_t)d->names.num)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < d->names.num; i++) {
        if ((err = put_text(out, d->names.keys[i])) != WARD_OK) {
            return err;
        }
    }
    return WARD_OK;
}

ward_err kv_dir_decode(struct kv_dir *out, const uint8_t *in, size_t in_len)
{
    struct ward_cursor cur;
    char name[WARD_KV_MAX_PATH + 2];
    uint8_t format;
    uint32_t n;
    ward_err err;

    ward_cursor_init(&cur, in, in_len);
    if ((err = ward_cursor_get_u8(&cur, &format)) != WARD_OK) {
        return err;
    }
    if (format != KV_FORMAT) {
        return WARD_E_BAD_VERSION;
    }
    if ((err = get_text(&cur, out->path, sizeof(out->path))) != WARD_OK ||
        (err = ward_cursor_get_u32(&cur, &n)) != WARD_OK) {
        return err;
    }
    if (n > WARD_KV_MAX_LIST) {
        return WARD_E_BAD_ENCODING;
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((err = get_text(&cur, name, sizeof(name))) != WARD_OK ||
            (err = kv_list_add(&out->names, name)) != WARD_OK) {
            return err;
        }
    }
    return ward_cursor_empty(&cur) ? WARD_OK : WARD_E_BAD_ENCODING;
}

ward_err kv_config_encode(struct ward_buf *out, const struct ward_kv_config *c)
{
    ward_err err;

    if ((err = ward_buf_append_u8(out, KV_FORMAT)) != WARD_OK ||
        (err = ward_buf_append_u32(out, c->max_versions)) != WARD_OK ||
        (err = ward_buf_append_u8(out, c->cas_required ? 1 : 0)) != WARD_OK) {
        return err;
    }
    return ward_buf_append_u64(out, (uint64_t)c->delete_after_s);
}

ward_err kv_config_decode(struct ward_kv_config *out, const uint8_t *in, size_t in_len)
{
    struct ward_cursor cur;
    uint8_t format;
    uint8_t cas;
    uint64_t after;
    ward_err err;

    ward_cursor_init(&cur, in, in_len);
    if ((err = ward_cursor_get_u8(&cur, &format)) != WARD_OK ||
        (err = ward_cursor_get_u32(&cur, &out->max_versions)) != WARD_OK ||
        (err = ward_cursor_get_u8(&cur, &cas)) != WARD_OK ||
        (err = ward_cursor_get_u64(&cur, &after)) != WARD_OK) {
        return err;
    }
    if (format != KV_FORMAT || cas > 1 || after > INT64_MAX || !ward_cursor_empty(&cur)) {
        return WARD_E_BAD_ENCODING;
    }
    out->cas_required = cas == 1;
    out->delete_after_s = (int64_t)after;
    return WARD_OK;
}
