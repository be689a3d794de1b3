/*
 * barrier_int.h - internals of the barrier module; for its own .c files only.
 *
 * The on-disk structures decoded here are documented byte by byte in
 * docs/storage-format.md; each decoder of stored or outside bytes has a fuzz
 * target in tests/fuzz/.
 */
#ifndef WARD_BARRIER_BARRIER_INT_H
#define WARD_BARRIER_BARRIER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "barrier.h"
#include "crypto/crypto.h"

#define ENTRY_VERSION     1
#define ENTRY_HEADER_LEN  (1 + 4 + WARD_AEAD_NONCE_LEN) /* version, term, nonce */
#define ENTRY_OVERHEAD    (ENTRY_HEADER_LEN + WARD_AEAD_TAG_LEN)
#define ROOT_TERM         0 /* the keyring entry is encrypted under the root key */
#define KEY_LEN           WARD_AEAD_KEY_LEN
#define KEK_ID_LEN        8
#define SHARE_VERSION     1
#define SHARE_BIN_LEN     (1 + KEK_ID_LEN + 1 + 1 + KEY_LEN)
#define SHARE_TEXT_MAX    64
#define SEAL_VERSION      1
#define SALT_LEN          16
#define KEYRING_VERSION   1
#define KEYRING_MAX_TERMS 4096
#define TOKEN_RAW_LEN     24

#define PATH_SEAL       "core/seal"
#define PATH_KEYRING    "core/keyring"
#define PATH_ROOT_TOKEN "core/root-token"
#define PATH_RESERVED   "core/"

/* entry.c: the barrier entry format. */
struct entry_header {
    uint8_t version;
    uint32_t term;
    const uint8_t *nonce;  /* borrowed from the entry */
    const uint8_t *sealed; /* ciphertext || tag, borrowed */
    size_t sealed_len;
};

WARD_MUST_CHECK ward_err entry_parse(struct entry_header *out, const uint8_t *in, size_t in_len);

/* entry_seal writes the whole entry for value under key/term into out. */
WARD_MUST_CHECK ward_err entry_seal(struct ward_buf *out, const uint8_t *key, uint32_t term,
                                    const char *path, const uint8_t *value, size_t value_len);

/* entry_open checks and decrypts a parsed entry into out (out_cap bytes). */
WARD_MUST_CHECK ward_err entry_open(uint8_t *out, size_t out_cap, const uint8_t *key,
                                    const struct entry_header *h, const char *path);

/* share.c: key shares as handed to security officers. */
struct share {
    uint8_t kek_id[KEK_ID_LEN];
    uint8_t threshold;
    uint8_t x;
    uint8_t y[KEY_LEN];
};

WARD_MUST_CHECK ward_err share_decode(struct share *out, const uint8_t *text, size_t text_len);
WARD_MUST_CHECK ward_err share_encode(struct ward_secret **out, const struct share *s);

/* keyring.c: the term keys, kept in one locked secret. */
struct keyring {
    uint32_t active;
    uint32_t num;
    uint32_t *terms;
    int64_t *created_ms;
    struct ward_secret *keys; /* num * KEY_LEN bytes, term i at i * KEY_LEN */
};

void keyring_free(struct keyring *kr);
WARD_MUST_CHECK ward_err keyring_new(struct keyring **out, int64_t now_ms);
WARD_MUST_CHECK ward_err keyring_add_term(struct keyring **out, const struct keyring *kr,
                                          int64_t now_ms);
const uint8_t *keyring_key(const struct keyring *kr, uint32_t term);
WARD_MUST_CHECK ward_err keyring_encode(struct ward_secret **out, const struct keyring *kr);
WARD_MUST_CHECK ward_err keyring_decode(struct keyring **out, const uint8_t *in, size_t in_len);

/* seal.c: the seal record (stored in clear: it holds only wrapped keys). */
struct seal_record {
    enum ward_seal_type type;
    uint8_t kek_id[KEK_ID_LEN];
    int64_t created_ms;
    uint8_t threshold;
    uint8_t shares;
    uint8_t num_parts;
    struct ward_part_rule rules[WARD_MAX_PARTS];
    uint32_t argon2_t;
    uint32_t argon2_m_kib;
    uint32_t argon2_p;
    uint8_t salt[SALT_LEN];
    uint8_t nonce[WARD_AEAD_NONCE_LEN];
    uint8_t wrapped[KEY_LEN + WARD_AEAD_TAG_LEN];
    uint8_t verifier[WARD_SHA256_LEN];
};

WARD_MUST_CHECK ward_err seal_decode(struct seal_record *out, const uint8_t *in, size_t in_len);
WARD_MUST_CHECK ward_err seal_encode(struct ward_buf *out, const struct seal_record *r);
WARD_MUST_CHECK ward_err seal_check_params(const struct ward_seal_params *p);

/*
 * seal_create fills r for params p, makes a fresh KEK, wraps root under it and
 * hands out the shares (SHAMIR) in res.
 */
WARD_MUST_CHECK ward_err seal_create(struct seal_record *r, struct ward_init_result *res,
                                     const struct ward_seal_params *p, const uint8_t *root);

/* seal_unwrap recovers the root key from the KEK; UNSEAL_FAILED if wrong. */
WARD_MUST_CHECK ward_err seal_unwrap(uint8_t *root, const struct seal_record *r,
                                     const uint8_t *kek);

/* quorum.c: collecting shares or parts toward a KEK (unseal and rekey). */
struct quorum {
    uint8_t have;
    uint8_t xs[WARD_MAX_SHARES];
    struct ward_secret *ys;    /* SHAMIR: WARD_MAX_SHARES * KEY_LEN */
    struct ward_secret *parts; /* PARTS: length-prefixed parts ... */
    size_t parts_len;          /* ... of which this many bytes are used */
    int64_t started_ms;
};

void quorum_reset(struct quorum *q);
WARD_MUST_CHECK ward_err quorum_add(struct quorum *q, const struct seal_record *r,
                                    const uint8_t *key, size_t key_len);
bool quorum_complete(const struct quorum *q, const struct seal_record *r);
WARD_MUST_CHECK ward_err quorum_kek(struct ward_secret **out_kek, const struct quorum *q,
                                    const struct seal_record *r);
WARD_MUST_CHECK ward_err parts_kek(struct ward_secret **out_kek, const struct seal_record *r,
                                   const uint8_t *joined, size_t joined_len);

struct ward_barrier {
    struct ward_store *store; /* borrowed */
    ward_err selftest;        /* result of the last self-test run */
    int64_t progress_ttl_ms;

    pthread_rwlock_t lock;
    struct ward_secret *root; /* guarded by lock; NULL while sealed */
    struct keyring *keyring;  /* guarded by lock; NULL while sealed */
    atomic_bool stale_terms;  /* entries may sit under an old term: re-encrypt */
    bool seal_known;          /* guarded by lock: the last load_seal's result ... */
    ward_err seal_err;        /* ... OK or NOT_INITIALIZED (or a storage error) */
    struct seal_record seal;  /* ... and the record, for status without storage */
    atomic_uint progress;     /* mirror of unseal.have, for status without mu */

    pthread_mutex_t token_mu; /* guards the two below */
    bool token_known;         /* root token hash read while unsealed; cleared by seal */
    uint8_t token_hash[32];   /* SHA-256 of the root token (not the token) */

    pthread_mutex_t mu; /* guards everything below */
    struct quorum unseal;
    bool rekey_started;
    char rekey_nonce[WARD_NONCE_HEX_LEN + 1];
    struct ward_seal_params rekey_params;
    struct ward_secret *rekey_parts[WARD_MAX_PARTS];
    struct quorum rekey;
};

/* Helpers shared by core.c and rekey.c. load_seal reads the record from
 * storage (every unseal and rekey step does: tampering shows at once) and
 * refreshes the copy status answers from. */
WARD_MUST_CHECK ward_err load_seal(struct ward_barrier *b, struct seal_record *out,
                                   uint64_t *out_version);
WARD_MUST_CHECK ward_err write_keyring(struct ward_store_op *op, struct ward_buf *out,
                                       const struct keyring *kr, const uint8_t *root);
bool progress_expired(const struct ward_barrier *b, const struct quorum *q);
void rekey_clear(struct ward_barrier *b); /* caller holds mu */

/* barrier_get is ward_barrier_get without the reserved-path check. */
WARD_MUST_CHECK ward_err barrier_get(struct ward_barrier *b, struct ward_buf *out,
                                     const char *path);

#endif
