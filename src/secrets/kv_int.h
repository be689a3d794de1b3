/*
 * kv_int.h - KV internals: entry codecs (kv_codec.c); for src/secrets only.
 */
#ifndef WARD_SECRETS_KV_INT_H
#define WARD_SECRETS_KV_INT_H

#include "kv.h"

#define KV_FORMAT 1

/* A directory entry: the names directly under one folder. */
struct kv_dir {
    char path[WARD_KV_MAX_PATH + 1]; /* folder, "" = root, no trailing '/' */
    struct ward_kv_list names;
};

WARD_MUST_CHECK ward_err kv_meta_encode(struct ward_buf *out, const struct ward_kv_meta *m);
WARD_MUST_CHECK ward_err kv_meta_decode(struct ward_kv_meta *out, const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err kv_dir_encode(struct ward_buf *out, const struct kv_dir *d);
WARD_MUST_CHECK ward_err kv_dir_decode(struct kv_dir *out, const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err kv_config_encode(struct ward_buf *out, const struct ward_kv_config *c);
WARD_MUST_CHECK ward_err kv_config_decode(struct ward_kv_config *out, const uint8_t *in,
                                          size_t in_len);

/* kv_list_add inserts name in sorted order (no duplicates); kv_list_remove drops it. */
WARD_MUST_CHECK ward_err kv_list_add(struct ward_kv_list *l, const char *name);
bool kv_list_remove(struct ward_kv_list *l, const char *name);

#endif
