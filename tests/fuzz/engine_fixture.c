/*
 * engine_fixture.c - see engine_fixture.h. Shared by fuzz_engine and fuzz_kv.
 */
#include "engine_fixture.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"

static struct ward_engine *g_engine;
static char g_token[128];

static void setup(void)
{
    static struct ward_store *st;
    static struct ward_barrier *b;
    struct ward_engine_config cfg = { .version = "fuzz",
                                      .storage_type = "memory",
                                      .cluster_name = "fuzz" };
    struct ward_seal_params p = { .type = WARD_SEAL_SHAMIR, .shares = 1, .threshold = 1 };
    struct ward_init_result r;
    struct ward_seal_status s;

    ward_log_set_level(WARD_LOG_ERROR);
    if (ward_store_open(&st, "memory:") != WARD_OK || ward_barrier_open(&b, st) != WARD_OK ||
        ward_barrier_init(b, &r, &p) != WARD_OK ||
        ward_barrier_unseal(b, &s, r.shares[0]->data, r.shares[0]->len) != WARD_OK ||
        ward_engine_new(&g_engine, b, &cfg) != WARD_OK) {
        abort();
    }
    (void)snprintf(g_token, sizeof(g_token), "%s", (const char *)r.root_token->data);
    ward_init_result_cleanup(&r);
}

struct ward_engine *fuzz_engine_fixture(const char **out_token)
{
    if (g_engine == NULL) {
        setup();
    }
    *out_token = g_token;
    return g_engine;
}
