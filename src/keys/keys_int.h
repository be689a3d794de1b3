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

#endif
