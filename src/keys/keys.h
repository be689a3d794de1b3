/*
 * keys.h - named, versioned keys that never leave the server (Vault's
 * transit engine and Ward's extensions), on the barrier.
 *
 * Keeper-side. A struct ward_keys serves one mount ("transit"). A key is a
 * record (keys/record.c, docs/storage-format.md "Named keys") holding its
 * settings and every live version's material; it is stored under the
 * barrier at "transit/<mount>/k/<key id hex>", and its name is reachable
 * only through "transit/<mount>/n/<hex HMAC(name key, name)>", so the storage
 * backend never sees a key name in clear.
 *
 * Decoded keys are cached (bounded count, time-to-live); a cached key is
 * immutable and reference counted: a writer builds a new record, commits it,
 * then replaces the cache slot, so a reader never sees a half-updated key.
 * The cache is emptied by ward_keys_flush (seal) and a key's slot is dropped
 * by every write to it, so a deleted or rotated key is seen at once.
 *
 * SECURITY: material lives in struct ward_secret (locked, non-dumpable,
 * wiped on free); asymmetric keys are loaded into OpenSSL's secure heap.
 *
 * THREADS: every function is thread-safe. Writes to keys of one mount are
 * serialised by one mutex; reads take the cache mutex only to look up and
 * take a reference.
 */
#ifndef WARD_KEYS_KEYS_H
#define WARD_KEYS_KEYS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barrier/barrier.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

#define WARD_KEY_NAME_MAX    128
#define WARD_KEY_ID_LEN      16
#define WARD_KEY_MAX_VERSION 100000
#define WARD_KEYS_MAX_LIST   100000

enum ward_key_type {
    WARD_KEY_AES128_GCM96 = 1,
    WARD_KEY_AES256_GCM96 = 2,
    WARD_KEY_CHACHA20_POLY1305 = 3,
    WARD_KEY_AES256_SIV = 4,
    WARD_KEY_HMAC = 5,
    WARD_KEY_ED25519 = 6,
    WARD_KEY_ECDSA_P256 = 7,
    WARD_KEY_ECDSA_P384 = 8,
    WARD_KEY_RSA2048 = 9,
    WARD_KEY_RSA3072 = 10,
    WARD_KEY_RSA4096 = 11,
};

/* Operations, as a bitmask (a key's allowed_ops; what a type supports). */
enum ward_key_op {
    WARD_KOP_ENCRYPT = 1u << 0,
    WARD_KOP_DECRYPT = 1u << 1,
    WARD_KOP_REWRAP = 1u << 2,
    WARD_KOP_DATAKEY = 1u << 3,
    WARD_KOP_SIGN = 1u << 4,
    WARD_KOP_VERIFY = 1u << 5,
    WARD_KOP_HMAC = 1u << 6,
    WARD_KOP_EXPORT = 1u << 7,
    WARD_KOP_WRAP_FOR = 1u << 8,
};

#define WARD_KOP_ALL 0x1ffu

/*
 * KMIP lifecycle states, per key and per version. What each allows
 * (ward_key_check): ACTIVE everything; PRE_ACTIVE nothing cryptographic;
 * DEACTIVATED and COMPROMISED only "process" operations (decrypt, verify,
 * the source side of rewrap); DESTROYED nothing, and the material is gone.
 */
enum ward_key_state {
    WARD_KSTATE_PRE_ACTIVE = 1,
    WARD_KSTATE_ACTIVE = 2,
    WARD_KSTATE_DEACTIVATED = 3,
    WARD_KSTATE_COMPROMISED = 4,
    WARD_KSTATE_DESTROYED = 5,
};

enum ward_key_flag {
    WARD_KFLAG_DERIVED = 1u << 0,
    WARD_KFLAG_CONVERGENT = 1u << 1,
    WARD_KFLAG_EXPORTABLE = 1u << 2,
    WARD_KFLAG_PLAINTEXT_BACKUP = 1u << 3,
    WARD_KFLAG_DELETION_ALLOWED = 1u << 4,
    WARD_KFLAG_IMPORTED = 1u << 5,
    WARD_KFLAG_IMPORT_ROTATION = 1u << 6, /* imported key may rotate to generated material */
};

/* What a type is: its name (Vault's), its material and what it can do. */
struct ward_key_type_info {
    enum ward_key_type type;
    const char *name;
    size_t sym_len; /* symmetric material bytes (HMAC: default) */
    int pkey_kind;  /* enum ward_pkey_kind, 0 for symmetric */
    int cipher;     /* enum ward_cipher, 0 if not an AEAD */
    uint32_t ops;   /* operations the type supports */
};

/* ward_key_type_find is the type named name ("aes256-gcm96"), NULL if none. */
const struct ward_key_type_info *ward_key_type_find(const char *name);

/* ward_key_type_info is the info of type, NULL for an unknown value. */
const struct ward_key_type_info *ward_key_type_get(enum ward_key_type type);

/* ward_key_op_from_name / ward_key_op_name: "encrypt" <-> WARD_KOP_ENCRYPT. */
bool ward_key_op_from_name(uint32_t *out, const char *name);
const char *ward_key_op_name(uint32_t op);

/* ward_key_state_from_name / ward_key_state_name: "active" <-> WARD_KSTATE_ACTIVE. */
bool ward_key_state_from_name(enum ward_key_state *out, const char *name);
const char *ward_key_state_name(enum ward_key_state s);

struct ward_key_version {
    uint32_t version;
    int64_t created_ms;
    uint8_t state;                /* enum ward_key_state */
    struct ward_secret *material; /* raw bytes, or PKCS#8 DER; NULL once destroyed */
    EVP_PKEY *pkey;               /* asymmetric types: material loaded; NULL otherwise */
};

/* A decoded key. Immutable once built; shared by reference (ward_key_unref). */
struct ward_key {
    atomic_int refs;
    char name[WARD_KEY_NAME_MAX + 1];
    uint8_t id[WARD_KEY_ID_LEN];
    enum ward_key_type type;
    uint32_t flags;       /* enum ward_key_flag */
    uint32_t allowed_ops; /* subset of the type's ops */
    uint8_t state;        /* key-wide state; a version's effective state is the worse */
    uint32_t key_size;    /* HMAC keys: bytes of material */
    uint32_t min_decryption_version;
    uint32_t min_encryption_version; /* 0 = the latest */
    uint32_t min_available_version;  /* versions below were trimmed */
    uint32_t latest_version;
    int64_t auto_rotate_s; /* 0 = never */
    int64_t created_ms;
    int64_t rotated_ms;
    size_t num_versions;
    struct ward_key_version *versions; /* ascending, from min_available_version */
};

/* Settings for a new key (transit/keys/:name POST). */
struct ward_key_params {
    enum ward_key_type type;
    uint32_t flags;       /* DERIVED, CONVERGENT, EXPORTABLE, PLAINTEXT_BACKUP */
    uint32_t allowed_ops; /* 0 = all the type supports */
    uint32_t key_size;    /* HMAC: 16..512 bytes; 0 = 32 */
    int64_t auto_rotate_s;
    bool pre_active; /* the first version starts PRE_ACTIVE */
};

/* A settings change (transit/keys/:name/config); has_ flags say which. */
struct ward_key_update {
    bool has_min_decryption_version;
    uint32_t min_decryption_version;
    bool has_min_encryption_version;
    uint32_t min_encryption_version;
    bool has_deletion_allowed;
    bool deletion_allowed;
    bool has_exportable; /* may only turn on */
    bool exportable;
    bool has_plaintext_backup; /* may only turn on */
    bool plaintext_backup;
    bool has_auto_rotate;
    int64_t auto_rotate_s;
    bool has_allowed_ops;
    uint32_t allowed_ops;
};

struct ward_keys_config {
    size_t cache_max;     /* decoded keys kept; 0 = 256 (their private keys fit the secure heap) */
    int64_t cache_ttl_ms; /* 0 = 5 minutes */
};

struct ward_keys;

/* ward_keys_new makes the mount named mount on b (borrowed). Reads nothing yet. */
WARD_MUST_CHECK ward_err ward_keys_new(struct ward_keys **out, struct ward_barrier *b,
                                       const char *mount, const struct ward_keys_config *cfg);
void ward_keys_free(struct ward_keys *ks);

/* ward_keys_flush erases every cached key (called when Ward seals). */
void ward_keys_flush(struct ward_keys *ks);

/* ward_keys_cached is how many keys the cache holds (tests, metrics). */
size_t ward_keys_cached(struct ward_keys *ks);

/*
 * Prefetched keys (seed 004: "keys loaded as part of pre-fetch are flagged
 * by the ID token; when the token is deleted the keys are removed from the
 * local key store"; tags.c). A tag is an opaque 16-byte handle (a token's
 * accessor). ward_keys_tag marks key k's cache slot as fetched for tag
 * (nothing if k is no longer cached); ward_keys_flush_tag drops every slot
 * so marked, wiping its material once no request holds it, and returns how
 * many it dropped. A slot remembers KEYS_SLOT_TAGS tags; past that, any
 * tag's flush drops it (a flush too many costs one storage read, never a
 * key left behind). ward_keys_is_cached: is key name in the cache (tests).
 */
#define WARD_KEYS_TAG_LEN 16

void ward_keys_tag(struct ward_keys *ks, const struct ward_key *k,
                   const uint8_t tag[WARD_KEYS_TAG_LEN]);
size_t ward_keys_flush_tag(struct ward_keys *ks, const uint8_t tag[WARD_KEYS_TAG_LEN]);
bool ward_keys_is_cached(struct ward_keys *ks, const char *name);

/*
 * ward_key_name_check accepts 1..WARD_KEY_NAME_MAX bytes of [A-Za-z0-9_.@-],
 * not "." or "..". WARD_OK or WARD_E_BAD_PATH.
 */
WARD_MUST_CHECK ward_err ward_key_name_check(const char *name);

/*
 * ward_keys_create makes key name with fresh material from the CSPRNG.
 * *created is false (and nothing changes) if the key exists already, as
 * Vault's create is idempotent. WARD_E_INVALID for a bad combination
 * (convergent without derived, derived on a non-AEAD type, bad key_size).
 */
WARD_MUST_CHECK ward_err ward_keys_create(struct ward_keys *ks, bool *created, const char *name,
                                          const struct ward_key_params *p);

/*
 * ward_keys_import makes key name from caller material (BYOK): raw bytes for
 * symmetric types, PKCS#8 DER for asymmetric ones (checked against the type).
 * WARD_E_EXISTS if the key exists.
 */
WARD_MUST_CHECK ward_err ward_keys_import(struct ward_keys *ks, const char *name,
                                          const struct ward_key_params *p, const uint8_t *material,
                                          size_t material_len);

/*
 * ward_keys_get takes a reference to key name (from the cache, or loaded);
 * release it with ward_key_unref. A key due for automatic rotation is
 * rotated first. WARD_E_NOT_FOUND.
 */
WARD_MUST_CHECK ward_err ward_keys_get(struct ward_keys *ks, struct ward_key **out,
                                       const char *name);

/* ward_keys_get_by_id is ward_keys_get for the key with immutable id id. */
WARD_MUST_CHECK ward_err ward_keys_get_by_id(struct ward_keys *ks, struct ward_key **out,
                                             const uint8_t id[WARD_KEY_ID_LEN]);

void ward_key_unref(struct ward_key *k);

struct ward_key_list {
    char **names; /* sorted; owned */
    size_t num;
};

WARD_MUST_CHECK ward_err ward_keys_list(struct ward_keys *ks, struct ward_key_list *out);
void ward_key_list_cleanup(struct ward_key_list *l);

/* ward_keys_update applies u. WARD_E_INVALID for an impossible setting. */
WARD_MUST_CHECK ward_err ward_keys_update(struct ward_keys *ks, const char *name,
                                          const struct ward_key_update *u);

/*
 * ward_keys_rotate adds version latest+1 with fresh material (or material,
 * if not NULL: BYOK rotation of an imported key), ACTIVE, or PRE_ACTIVE if
 * pre_active ("new" in old/current/new: distributed before use).
 * *out_version receives the new version.
 */
WARD_MUST_CHECK ward_err ward_keys_rotate(struct ward_keys *ks, uint32_t *out_version,
                                          const char *name, bool pre_active,
                                          const uint8_t *material, size_t material_len);

/*
 * ward_keys_set_state moves key name (version 0) or one version to state,
 * following KMIP's transitions (pre-active -> active | deactivated |
 * compromised | destroyed; active -> deactivated | compromised;
 * deactivated -> compromised | destroyed; compromised -> destroyed).
 * Destroying a version erases its material in the same write.
 * WARD_E_KEY_STATE for a transition KMIP does not allow.
 */
WARD_MUST_CHECK ward_err ward_keys_set_state(struct ward_keys *ks, const char *name,
                                             uint32_t version, enum ward_key_state state);

/* ward_keys_delete removes key name: WARD_E_DELETION_NOT_ALLOWED unless allowed. */
WARD_MUST_CHECK ward_err ward_keys_delete(struct ward_keys *ks, const char *name);

/*
 * ward_keys_trim removes versions below min_available (which must not exceed
 * min_decryption_version or min_encryption_version).
 */
WARD_MUST_CHECK ward_err ward_keys_trim(struct ward_keys *ks, const char *name,
                                        uint32_t min_available);

/*
 * ward_keys_backup appends key name's whole record (material included) to
 * out: only for keys with allow_plaintext_backup and exportable, as Vault.
 * ward_keys_restore writes such a record back as key name (NULL = the name
 * inside it); WARD_E_EXISTS unless force.
 */
WARD_MUST_CHECK ward_err ward_keys_backup(struct ward_keys *ks, struct ward_buf *out,
                                          const char *name);
WARD_MUST_CHECK ward_err ward_keys_restore(struct ward_keys *ks, const char *name,
                                           const uint8_t *backup, size_t backup_len, bool force);

/* --- operations on a key (keys/ops.c) --- */

/*
 * ward_key_check refuses op on version of k unless the type supports it
 * (WARD_E_KEY_TYPE), the key allows it (WARD_E_OP_NOT_ALLOWED), the version
 * exists and is within the minimum versions (WARD_E_KEY_VERSION) and its
 * lifecycle state allows it (WARD_E_KEY_STATE). process is true for the
 * side that consumes earlier output (decrypt, verify, the source of a
 * rewrap): it needs version >= min_decryption_version and accepts the
 * DEACTIVATED and COMPROMISED states; otherwise (protect) version 0 means
 * the current version, which must be ACTIVE. *out_ver: the version to use.
 */
WARD_MUST_CHECK ward_err ward_key_check(const struct ward_key *k, uint32_t op, bool process,
                                        uint32_t version, const struct ward_key_version **out_ver);

/*
 * ward_key_current_version is the version encryption and signing use: the
 * newest ACTIVE version at or above min_encryption_version (a PRE_ACTIVE
 * "new" version is skipped until activated); the latest if none is active.
 */
uint32_t ward_key_current_version(const struct ward_key *k);

/* ward_key_find_version is version v of k, NULL if absent or trimmed. */
const struct ward_key_version *ward_key_find_version(const struct ward_key *k, uint32_t v);

/* ward_key_version_state is v's effective state: the worse of the key's and v's. */
enum ward_key_state ward_key_version_state(const struct ward_key *k,
                                           const struct ward_key_version *v);

#include "keys/ctext.h"

/* An encryption request; everything borrowed. */
struct ward_key_enc {
    const uint8_t *plaintext;
    size_t plaintext_len;
    const uint8_t *context; /* derived keys: the derivation context; managed: also AAD */
    size_t context_len;
    const uint8_t *aad; /* associated_data (authenticated, not stored) */
    size_t aad_len;
    uint32_t version; /* 0 = current */
    enum ward_ct_format format;
    const char *from; /* managed only: both or neither */
    const char *to;
};

/*
 * ward_key_encrypt appends the ciphertext text to out and sets
 * *out_version. WARD_E_CONTEXT_REQUIRED for a derived key without context;
 * ward_key_check's errors.
 */
WARD_MUST_CHECK ward_err ward_key_encrypt(const struct ward_key *k, struct ward_buf *out,
                                          uint32_t *out_version, const struct ward_key_enc *e);

/* A decryption request; everything borrowed. */
struct ward_key_dec {
    const struct ward_ct *ct;
    const uint8_t *context;
    size_t context_len;
    const uint8_t *aad;
    size_t aad_len;
    uint32_t raw_version; /* names the version of a raw ciphertext */
};

/*
 * ward_key_decrypt appends the plaintext of d->ct to out. A managed
 * ciphertext must name k (id and type). WARD_E_DECRYPT_FAILED if it does not
 * authenticate (altered, truncated, other key, version or context), with out
 * untouched.
 */
WARD_MUST_CHECK ward_err ward_key_decrypt(const struct ward_key *k, struct ward_buf *out,
                                          const struct ward_key_dec *d);

/* An HMAC request; everything borrowed. */
struct ward_key_mac {
    uint32_t version; /* hmac: 0 = current; verify: taken from the text */
    enum ward_hash hash;
    const uint8_t *in;
    size_t in_len;
};

/*
 * ward_key_hmac appends "vault:v<N>:" base64(HMAC) of m->in under version
 * m->version of k. Non-HMAC keys use a key derived from the version's
 * material (HKDF, label "ward hmac"), never the material itself.
 * ward_key_hmac_verify checks such a text in constant time (*valid).
 */
WARD_MUST_CHECK ward_err ward_key_hmac(const struct ward_key *k, struct ward_buf *out,
                                       uint32_t *out_version, const struct ward_key_mac *m);
WARD_MUST_CHECK ward_err ward_key_hmac_verify(const struct ward_key *k, bool *valid,
                                              const char *text, size_t text_len,
                                              const struct ward_key_mac *m);

/* A signing request; everything borrowed. */
struct ward_key_sig {
    uint32_t version; /* sign: 0 = current */
    enum ward_hash hash;
    bool prehashed;
    enum ward_sig_padding padding;
    bool jws; /* marshaling_algorithm "jws": raw ECDSA r||s, base64url text */
    const uint8_t *in;
    size_t in_len;
};

/*
 * ward_key_sign appends "vault:v<N>:" and the signature (base64, or
 * base64url for jws) to out. ward_key_verify sets *valid for such a text
 * (a malformed one is invalid, WARD_E_BAD_CIPHERTEXT only if the prefix is).
 */
WARD_MUST_CHECK ward_err ward_key_sign(const struct ward_key *k, struct ward_buf *out,
                                       uint32_t *out_version, const struct ward_key_sig *s);
WARD_MUST_CHECK ward_err ward_key_verify(const struct ward_key *k, bool *valid, const char *text,
                                         size_t text_len, const struct ward_key_sig *s);

enum ward_key_export {
    WARD_EXPORT_ENCRYPTION = 1,
    WARD_EXPORT_SIGNING = 2,
    WARD_EXPORT_HMAC = 3,
    WARD_EXPORT_PUBLIC = 4,
};

/*
 * ward_key_export appends version v's key text as Vault's export does:
 * symmetric keys base64, private keys PEM (PKCS#8), Ed25519 base64 of
 * seed || public, public keys PEM (Ed25519: base64 raw). Needs exportable
 * (WARD_E_NOT_EXPORTABLE) except public keys.
 */
WARD_MUST_CHECK ward_err ward_key_export(const struct ward_key *k, struct ward_buf *out,
                                         enum ward_key_export kind, uint32_t v);

/* --- moving key material in and out wrapped (keys/byok.c, keys.c, ops.c) --- */

/*
 * ward_keys_wrapping_key gives the mount's RSA-4096 BYOK wrapping key (made
 * on first use, kept under the barrier), with a reference the caller drops
 * with ward_pkey_free.
 */
WARD_MUST_CHECK ward_err ward_keys_wrapping_key(struct ward_keys *ks, EVP_PKEY **out);

/*
 * ward_byok_unwrap opens Vault's BYOK form, RSA-OAEP-SHA-256(wrapping,
 * ephemeral AES-256 key) || AES-KWP(ephemeral, material), appending the
 * material to out. Every failure is WARD_E_DECRYPT_FAILED.
 * ward_byok_wrap builds that form to peer (an RSA public key).
 */
WARD_MUST_CHECK ward_err ward_byok_unwrap(struct ward_buf *out, EVP_PKEY *wrapping,
                                          const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err ward_byok_wrap(struct ward_buf *out, EVP_PKEY *peer,
                                        const uint8_t *material, size_t material_len);

/*
 * ward_key_wrap_for appends version v (0 = current) of k's material wrapped
 * to peer: ward_byok_wrap for an RSA peer, ward_x25519_seal for an X25519
 * peer (peer_kind 0); *out_version receives the version. Needs exportable
 * (WARD_E_NOT_EXPORTABLE) and the wrap-for operation allowed. Other peer
 * kinds: WARD_E_UNSUPPORTED.
 */
WARD_MUST_CHECK ward_err ward_key_wrap_for(const struct ward_key *k, struct ward_buf *out,
                                           uint32_t *out_version, uint32_t v, EVP_PKEY *peer,
                                           int peer_kind);

#endif
