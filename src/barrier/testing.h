/*
 * testing.h - for unit tests of modules above the barrier: a keystore
 * initialised (Shamir, one share) and unsealed over the memory store, the
 * setup every such test needs. Not linked into Ward itself.
 */
#ifndef WARD_BARRIER_TESTING_H
#define WARD_BARRIER_TESTING_H

#include "barrier/barrier.h"
#include "base/mem.h"
#include "store/store.h"

/*
 * ward_test_barrier_open sets *st and *b to an unsealed barrier over a new
 * memory store (after ward_crypto_init); if share or root_token is not
 * NULL, it also receives a copy of the unseal share or the root token (the
 * caller frees them). The error of the step that failed otherwise. Close
 * with ward_barrier_close and ward_store_close.
 */
WARD_MUST_CHECK ward_err ward_test_barrier_open(struct ward_store **st, struct ward_barrier **b,
                                                struct ward_secret **share,
                                                struct ward_secret **root_token);

#endif
