/*
 * tags.c - prefetched keys flagged by the token they were fetched for, and
 * flushed when that token logs off (keys.h "Prefetched keys"; seed 004).
 *
 * The tags live in the cache slots themselves (keys_int.h struct
 * cache_slot), so a slot's tags go when its key goes: a put of a new key
 * into a slot starts it with none, and an expired, replaced or evicted key
 * takes its tags along. Nothing else needs cleaning up.
 *
 * THREADS: everything under the cache lock, as the cache itself.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "keys_int.h"

/* slot_has_tag: s carries tag (or has overflowed, so may carry it). */
static bool slot_has_tag(const struct cache_slot *s, const uint8_t tag[WARD_KEYS_TAG_LEN])
{
    if (s->tags_overflow) {
        return true;
    }
    for (uint8_t i = 0; i < s->num_tags; i++) {
        /* a tag is a token accessor: compared in constant time like any token handle */
        if (CRYPTO_memcmp(s->tags[i], tag, WARD_KEYS_TAG_LEN) == 0) {
            return true;
        }
    }
    return false;
}

void ward_keys_tag(struct ward_keys *ks, const struct ward_key *k,
                   const uint8_t tag[WARD_KEYS_TAG_LEN])
{
    (void)pthread_mutex_lock(&ks->cache_lock);
    for (size_t i = 0; i < ks->cache_max; i++) {
        struct cache_slot *s = &ks->slots[i];

        /* the slot holding this very key object: a newer version of it is another load */
        if (s->key != k || slot_has_tag(s, tag)) {
            continue;
        }
        if (s->num_tags == KEYS_SLOT_TAGS) {
            s->tags_overflow = true;
        } else {
            memcpy(s->tags[s->num_tags++], tag, WARD_KEYS_TAG_LEN);
        }
    }
    (void)pthread_mutex_unlock(&ks->cache_lock);
}

size_t ward_keys_flush_tag(struct ward_keys *ks, const uint8_t tag[WARD_KEYS_TAG_LEN])
{
    size_t dropped = 0;

    (void)pthread_mutex_lock(&ks->cache_lock);
    for (size_t i = 0; i < ks->cache_max; i++) {
        struct cache_slot *s = &ks->slots[i];

        if (s->key == NULL || !slot_has_tag(s, tag)) {
            continue;
        }
        ward_key_unref(s->key); /* the last reference wipes the material (key_free) */
        memset(s, 0, sizeof(*s));
        dropped++;
    }
    /* a reader that loaded before the flush must not put the key back */
    ks->gen += dropped > 0;
    (void)pthread_mutex_unlock(&ks->cache_lock);
    return dropped;
}

bool ward_keys_is_cached(struct ward_keys *ks, const char *name)
{
    bool found = false;

    (void)pthread_mutex_lock(&ks->cache_lock);
    for (size_t i = 0; i < ks->cache_max && !found; i++) {
        found = ks->slots[i].key != NULL && strcmp(ks->slots[i].key->name, name) == 0;
    }
    (void)pthread_mutex_unlock(&ks->cache_lock);
    return found;
}
