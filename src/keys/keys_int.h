/*
 * keys_int.h - internals shared by src/keys's files.
 */
#ifndef WARD_KEYS_KEYS_INT_H
#define WARD_KEYS_KEYS_INT_H

#include "keys.h"

#define KEY_RECORD_FORMAT 1
#define KEY_MAX_RECORD    (WARD_MAX_ENTRY_VALUE)

/* key_alloc returns an empty key with one reference (NULL: out of memory). */
struct ward_key *key_alloc(void);

/* key_free frees k and wipes its material (refs are not looked at). */
void key_free(struct ward_key *k);

/*
 * key_encode appends k's record (docs/storage-format.md "Named keys") to
 * out. key_decode parses one into a new key with one reference, loading
 * asymmetric material; WARD_E_BAD_ENCODING for a malformed record,
 * WARD_E_BAD_VERSION for an unknown format.
 */
WARD_MUST_CHECK ward_err key_encode(struct ward_buf *out, const struct ward_key *k);
WARD_MUST_CHECK ward_err key_decode(struct ward_key **out, const uint8_t *in, size_t len);

/* key_copy makes a deep copy of k (one reference) for a writer to change. */
WARD_MUST_CHECK ward_err key_copy(struct ward_key **out, const struct ward_key *k);

/*
 * key_add_version appends version v with material (copied into locked
 * memory) or, if material is NULL, fresh material for k's type.
 */
WARD_MUST_CHECK ward_err key_add_version(struct ward_key *k, uint32_t v, uint8_t state,
                                         int64_t now_ms, const uint8_t *material,
                                         size_t material_len);

/* key_material_check is WARD_OK if material fits k's type (length or DER kind). */
WARD_MUST_CHECK ward_err key_material_check(const struct ward_key *k, const uint8_t *material,
                                            size_t material_len);

int64_t keys_now_ms(void);

#include <pthread.h>

#define NAME_ENTRY_FORMAT 1
#define KEYS_PATH_MAX     160

#define KEYS_SLOT_TAGS 4 /* tokens one cached key remembers (tags.c) */

struct cache_slot {
    struct ward_key *key; /* one reference held by the cache */
    int64_t expires_ms;
    int64_t used_ms;
    /* tags.c: who fetched the key (ward_keys_tag); a put clears them */
    uint8_t tags[KEYS_SLOT_TAGS][WARD_KEYS_TAG_LEN];
    uint8_t num_tags;
    bool tags_overflow; /* more tokens than fit: every tag's flush drops the slot */
};

struct ward_keys {
    struct ward_barrier *b;
    char mount[48];
    pthread_mutex_t write_lock; /* serialises changes to keys */
    pthread_mutex_t cache_lock;
    struct cache_slot *slots;
    size_t cache_max;
    int64_t ttl_ms;
    uint64_t gen;
    EVP_PKEY *wrapping; /* BYOK wrapping key, loaded on first use (write_lock) */
};

struct rotate_arg {
    bool pre_active;
    bool only_if_due;
    const uint8_t *material;
    size_t material_len;
    uint32_t version;
};

/* keys.c: cache and storage, for keys_write.c */
void keys_cache_replace(struct ward_keys *ks, const char *name, struct ward_key *k);
WARD_MUST_CHECK ward_err keys_name_path(struct ward_keys *ks, char out[KEYS_PATH_MAX],
                                        const char *name);
void keys_record_path(struct ward_keys *ks, char out[KEYS_PATH_MAX],
                      const uint8_t id[WARD_KEY_ID_LEN]);
WARD_MUST_CHECK ward_err keys_load_by_id(struct ward_keys *ks, struct ward_key **out,
                                         const uint8_t id[WARD_KEY_ID_LEN]);
WARD_MUST_CHECK ward_err keys_load_by_name(struct ward_keys *ks, struct ward_key **out,
                                           const char *name);
WARD_MUST_CHECK ward_err keys_store_key(struct ward_keys *ks, const struct ward_key *k, bool create,
                                        bool remove);
bool keys_rotation_due(const struct ward_key *k, int64_t now);

/* keys_write.c: rotation, which reads (get_key) trigger when it is due */
WARD_MUST_CHECK ward_err keys_rotate_locked(struct ward_keys *ks, const char *name,
                                            struct rotate_arg *r);

#endif
