/*
 * barrier.h - the sealed keystore: seal, keyring, and the encrypting barrier.
 *
 * Keeper-side. Everything Ward stores passes through here and reaches the
 * storage backend only as AES-256-GCM ciphertext bound to its path (see
 * docs/storage-format.md for every byte). The store starts sealed: no entry
 * can be read or written until a quorum supplies the key-encryption key (KEK)
 * that unwraps the root key, which in turn decrypts the keyring of term keys.
 *
 *   KEK (never stored) --wraps--> root key --encrypts--> keyring --terms--> entries
 *
 * Lifecycle: init (returns shares and a root token once), unseal (progress
 * k of n, kept in memory only and expiring), seal, rekey (new KEK and shares
 * from the old quorum; one atomic write), rotate (new term online) and
 * reencrypt (moves old entries to the active term).
 *
 * Root key, keyring terms, KEK, shares and parts live only in struct
 * ward_secret (locked, not dumpable, wiped on free).
 *
 * THREADS: every function is thread-safe. Reads and writes of entries share a
 * read lock on the keyring; unseal, seal, rotate and rekey completion take it
 * exclusively. Unseal and rekey progress have their own mutex.
 */
#ifndef WARD_BARRIER_BARRIER_H
#define WARD_BARRIER_BARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "store/store.h"

#define WARD_MAX_SHARES      16
#define WARD_MAX_PARTS       8
#define WARD_MAX_PART_LEN    256
#define WARD_NONCE_HEX_LEN   32 /* rekey nonce, hex text */
#define WARD_MAX_ENTRY_VALUE (WARD_STORE_MAX_VALUE - 64)

enum ward_seal_type {
    WARD_SEAL_SHAMIR = 1, /* random KEK split k-of-n among security officers */
    WARD_SEAL_PARTS = 2,  /* KEK = Argon2id over operator-entered parts */
};

/* Complexity rule for one operator-entered part. */
struct ward_part_rule {
    uint8_t min_len;
    uint8_t min_digits;
    uint8_t min_letters;
    uint8_t min_other; /* neither letter nor digit */
};

/* What init and rekey create. parts[] is borrowed and used for PARTS only. */
struct ward_seal_params {
    enum ward_seal_type type;
    uint8_t shares;    /* SHAMIR: n */
    uint8_t threshold; /* SHAMIR: k */
    uint8_t num_parts; /* PARTS: how many parts, all required */
    struct ward_part_rule rules[WARD_MAX_PARTS];
    const struct ward_secret *parts[WARD_MAX_PARTS];
    uint32_t argon2_t;     /* 0 = default (3) */
    uint32_t argon2_m_kib; /* 0 = default (65536) */
    uint32_t argon2_p;     /* 0 = default (1) */
};

/* What init and a completed rekey hand out, once. Owned; clean up after use. */
struct ward_init_result {
    size_t num_shares;
    struct ward_secret *shares[WARD_MAX_SHARES]; /* NUL-terminated base64 */
    struct ward_secret *root_token;              /* init only; NUL-terminated */
};

struct ward_seal_status {
    bool initialized;
    bool sealed;
    enum ward_seal_type type;
    uint8_t threshold; /* shares (or parts) needed */
    uint8_t shares;    /* shares (or parts) issued */
    uint8_t progress;  /* given so far in this unseal */
    uint32_t term;     /* active term; 0 while sealed */
    int64_t term_installed_ms;
    uint32_t num_terms;
};

struct ward_rekey_status {
    bool started;
    char nonce[WARD_NONCE_HEX_LEN + 1];
    uint8_t threshold; /* of the OLD seal: shares needed to authorise */
    uint8_t progress;
    uint8_t new_shares;
    uint8_t new_threshold;
    bool complete;
};

struct ward_barrier;

/*
 * ward_barrier_open attaches to st (borrowed; must outlive the barrier) and
 * runs the cryptographic self-tests; if they fail, the barrier exists but
 * every unseal returns WARD_E_SELFTEST. Starts sealed. Caller owns *out.
 */
WARD_MUST_CHECK ward_err ward_barrier_open(struct ward_barrier **out, struct ward_store *st);

/* ward_barrier_close seals (wiping all keys) and frees b; NULL is allowed. */
void ward_barrier_close(struct ward_barrier *b);

/* ward_barrier_set_progress_ttl sets how long unseal/rekey progress lives. */
void ward_barrier_set_progress_ttl(struct ward_barrier *b, int64_t ttl_ms);

/*
 * ward_barrier_init initialises an empty store: creates root key, keyring
 * (term 1), seal record and root token in one atomic write. Leaves the
 * barrier sealed. out receives the shares (SHAMIR) and the root token.
 * WARD_E_ALREADY_INIT, WARD_E_BAD_THRESHOLD, WARD_E_WEAK_PART,
 * WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err ward_barrier_init(struct ward_barrier *b, struct ward_init_result *out,
                                           const struct ward_seal_params *p);

/* ward_init_result_cleanup wipes and frees what init or rekey handed out. */
void ward_init_result_cleanup(struct ward_init_result *r);

/*
 * ward_barrier_unseal adds one share (SHAMIR, base64 text) or the next part
 * (PARTS) and reports progress in *out. When the quorum is complete it
 * reconstructs the KEK and unseals; a wrong quorum returns
 * WARD_E_UNSEAL_FAILED and resets progress without saying which input was
 * wrong. WARD_E_ALREADY_UNSEALED, WARD_E_NOT_INITIALIZED, WARD_E_BAD_SHARE
 * (and the share decoder's codes), WARD_E_DUPLICATE_SHARE,
 * WARD_E_SHARE_MISMATCH, WARD_E_SELFTEST, WARD_E_INTEGRITY.
 */
WARD_MUST_CHECK ward_err ward_barrier_unseal(struct ward_barrier *b, struct ward_seal_status *out,
                                             const uint8_t *key, size_t key_len);

/* ward_barrier_unseal_reset forgets the unseal progress. */
void ward_barrier_unseal_reset(struct ward_barrier *b);

/* ward_barrier_seal wipes the root key and keyring from memory. */
void ward_barrier_seal(struct ward_barrier *b);

/* ward_barrier_status fills *out (reads the seal record from storage). */
WARD_MUST_CHECK ward_err ward_barrier_status(struct ward_barrier *b, struct ward_seal_status *out);

/*
 * ward_barrier_rekey_init starts a rekey to the seal described by p and
 * returns its nonce. Requires unsealed. WARD_E_IN_PROGRESS if one runs.
 */
WARD_MUST_CHECK ward_err ward_barrier_rekey_init(struct ward_barrier *b,
                                                 struct ward_rekey_status *out,
                                                 const struct ward_seal_params *p);

/*
 * ward_barrier_rekey_update adds one share (or part) of the CURRENT seal.
 * When the quorum is complete and correct, the new KEK replaces the old in
 * one atomic write and *result receives the new shares (status.complete).
 * A wrong quorum returns WARD_E_UNSEAL_FAILED and resets rekey progress.
 */
WARD_MUST_CHECK ward_err ward_barrier_rekey_update(struct ward_barrier *b,
                                                   struct ward_rekey_status *status,
                                                   struct ward_init_result *result,
                                                   const char *nonce, const uint8_t *key,
                                                   size_t key_len);

/* ward_barrier_rekey_cancel drops a rekey in progress (WARD_E_NO_OPERATION if none). */
WARD_MUST_CHECK ward_err ward_barrier_rekey_cancel(struct ward_barrier *b);

/* ward_barrier_rekey_status reports the rekey in progress, if any. */
void ward_barrier_rekey_status(struct ward_barrier *b, struct ward_rekey_status *out);

/*
 * ward_barrier_rotate adds a new term key to the keyring and makes it the
 * one new writes use; old terms stay for reading. *out_term is the new term.
 */
WARD_MUST_CHECK ward_err ward_barrier_rotate(struct ward_barrier *b, uint32_t *out_term);

/*
 * ward_barrier_reencrypt moves up to max_entries entries written under an
 * older term to the active term (compare-and-set, so a concurrent write
 * wins). *out_moved counts moved entries; *out_left counts entries not
 * examined because max_entries was reached (0 = the pass is complete).
 */
WARD_MUST_CHECK ward_err ward_barrier_reencrypt(struct ward_barrier *b, size_t max_entries,
                                                size_t *out_moved, size_t *out_left);

/*
 * ward_barrier_reencrypt_pending is true while entries may still sit under an
 * older term (after a rotate, or an unseal of a keyring with several terms)
 * and no complete ward_barrier_reencrypt pass has run since.
 */
bool ward_barrier_reencrypt_pending(struct ward_barrier *b);

/*
 * ward_barrier_get decrypts the entry at path into out (appended; the caller
 * initialised it with a max). Paths under "core/" are the barrier's own:
 * WARD_E_INVALID for them here and in put, delete and txn. WARD_E_SEALED,
 * WARD_E_NOT_FOUND,
 * WARD_E_INTEGRITY (tampered, moved or forged entry), WARD_E_UNKNOWN_TERM.
 */
WARD_MUST_CHECK ward_err ward_barrier_get(struct ward_barrier *b, struct ward_buf *out,
                                          const char *path);

/* ward_barrier_put encrypts and writes value at path (durable on WARD_OK). */
WARD_MUST_CHECK ward_err ward_barrier_put(struct ward_barrier *b, const char *path,
                                          const uint8_t *value, size_t value_len);

/*
 * ward_barrier_random_entry reads the len-byte value at path into out,
 * creating it from the CSPRNG on first use (atomically: concurrent first
 * callers all get the one value stored). For per-mount keys such as the
 * name-hiding HMAC keys. WARD_E_BAD_ENCODING if the stored value is not len
 * bytes; out is wiped on failure.
 */
WARD_MUST_CHECK ward_err ward_barrier_random_entry(struct ward_barrier *b, uint8_t *out, size_t len,
                                                   const char *path);

/* ward_barrier_delete removes path. */
WARD_MUST_CHECK ward_err ward_barrier_delete(struct ward_barrier *b, const char *path);

/* ward_barrier_list lists paths under prefix (paths are not secret here). */
WARD_MUST_CHECK ward_err ward_barrier_list(struct ward_barrier *b, struct ward_store_list *out,
                                           const char *prefix);

/*
 * ward_barrier_txn encrypts every PUT of ops and applies them all atomically
 * (version checks included), or none.
 */
WARD_MUST_CHECK ward_err ward_barrier_txn(struct ward_barrier *b, const struct ward_store_op *ops,
                                          size_t num_ops);

/*
 * ward_barrier_check_root_token compares token with the root token made at
 * init, in constant time. WARD_OK or WARD_E_PERMISSION.
 */
WARD_MUST_CHECK ward_err ward_barrier_check_root_token(struct ward_barrier *b, const char *token,
                                                       size_t token_len);

/* ward_barrier_selftest re-runs the self-tests on demand and records the result. */
WARD_MUST_CHECK ward_err ward_barrier_selftest(struct ward_barrier *b);

#endif
