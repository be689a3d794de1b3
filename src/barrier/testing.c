/*
 * testing.c - see testing.h.
 */
#include "testing.h"

#include "crypto/crypto.h"

ward_err ward_test_barrier_open(struct ward_store **st, struct ward_barrier **b,
                                struct ward_secret **share, struct ward_secret **root_token)
{
    static const struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR,
                                               .shares = 1,
                                               .threshold = 1 };
    struct ward_init_result r;
    struct ward_seal_status s;
    ward_err err;

    if ((err = ward_crypto_init()) != WARD_OK ||
        (err = ward_store_open(st, "memory:")) != WARD_OK ||
        (err = ward_barrier_open(b, *st)) != WARD_OK ||
        (err = ward_barrier_init(*b, &r, &p)) != WARD_OK) {
        return err;
    }
    err = ward_barrier_unseal(*b, &s, r.shares[0]->data, r.shares[0]->len);
    if (err == WARD_OK && share != NULL) {
        err = ward_secret_new_copy(share, r.shares[0]->data, r.shares[0]->len);
    }
    if (err == WARD_OK && root_token != NULL) {
        err = ward_secret_new_copy(root_token, r.root_token->data, r.root_token->len);
    }
    ward_init_result_cleanup(&r);
    return err;
}
