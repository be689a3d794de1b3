/*
 * lockout.h - login throttling: Vault's user lockout, kept per user and
 * source address, plus a limit per source address across all users.
 *
 * Keeper-side. An auth method asks ward_lockout_locked before it checks a
 * credential (and refuses without checking it when locked, so a flood of
 * guesses costs no Argon2id), then reports the outcome. Semantics of the
 * (user, source) entry are Vault's user_lockout: threshold failures, each
 * within counter_reset of the previous one, lock for duration; a success
 * clears the entry; attempts while locked are not counted. Keying on the
 * source as well means a guesser elsewhere cannot lock a user out of his
 * own machine. The source entry counts failures of every user from one
 * address (source_threshold), so one address cannot spray names.
 *
 * State is in memory only, per mount, in a fixed table: a full probe
 * window evicts its least recently touched entry. Keys are a keyed hash
 * (a random key per table), so no one can aim collisions at an entry,
 * and a source that sprays names is itself locked after source_threshold
 * new entries, which bounds what one address can evict.
 *
 * THREADS: every function is thread-safe (one mutex per table).
 */
#ifndef WARD_AUTH_LOCKOUT_H
#define WARD_AUTH_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WARD_LOCKOUT_THRESHOLD    5                /* Vault's lockout_threshold */
#define WARD_LOCKOUT_DURATION_MS  (15 * 60 * 1000) /* Vault's lockout_duration */
#define WARD_LOCKOUT_RESET_MS     (15 * 60 * 1000) /* Vault's lockout_counter_reset */
#define WARD_LOCKOUT_SOURCE_LIMIT 100              /* failures of one address, all users */
#define WARD_LOCKOUT_SLOTS        8192             /* entries of one table */

/* Zero fields take the defaults above; disable turns the whole check off. */
struct ward_lockout_config {
    uint32_t threshold;
    int64_t duration_ms;
    int64_t counter_reset_ms;
    uint32_t source_threshold;
    bool disable;
};

struct ward_lockout;

/*
 * ward_lockout_new makes an empty table of slots entries (a power of two;
 * 0 = WARD_LOCKOUT_SLOTS). WARD_E_NOMEM, WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err ward_lockout_new(struct ward_lockout **out,
                                          const struct ward_lockout_config *cfg, size_t slots);

/* ward_lockout_free frees l; NULL is allowed. */
void ward_lockout_free(struct ward_lockout *l);

/* ward_lockout_locked: user from source, or source itself, is locked at now_ms. */
bool ward_lockout_locked(struct ward_lockout *l, const char *user, const char *source,
                         int64_t now_ms);

/* ward_lockout_failed counts a failed login of user from source. */
void ward_lockout_failed(struct ward_lockout *l, const char *user, const char *source,
                         int64_t now_ms);

/* ward_lockout_succeeded clears the (user, source) entry after a good login. */
void ward_lockout_succeeded(struct ward_lockout *l, const char *user, const char *source);

/* ward_lockout_used counts entries in use (tests). */
size_t ward_lockout_used(struct ward_lockout *l);

#endif
