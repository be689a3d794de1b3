/*
 * err.c - lookups into the error table (err.def).
 */
#include "err.h"

#include <stdio.h>
#include <stdlib.h>

struct err_row {
    ward_err code;
    const char *name;
    int http;
    const char *kmip;
    const char *msg;
};

static const struct err_row g_rows[] = {
#define WARD_ERR(sym, num, name, http, kmip, msg) { WARD_E_##sym, name, http, kmip, msg },
#include "ward/err.def"
#undef WARD_ERR
};

static const struct err_row *find(ward_err err)
{
    for (size_t i = 0; i < sizeof(g_rows) / sizeof(g_rows[0]); i++) {
        if (g_rows[i].code == err) {
            return &g_rows[i];
        }
    }
    return &g_rows[1]; /* WARD_E_INTERNAL: an unknown code fails closed */
}

const char *ward_err_str(ward_err err)
{
    return find(err)->msg;
}

const char *ward_err_name(ward_err err)
{
    return find(err)->name;
}

int ward_err_http(ward_err err)
{
    return find(err)->http;
}

const char *ward_err_kmip(ward_err err)
{
    return find(err)->kmip;
}

void ward_check_failed(const char *what, const char *file, int line)
{
    (void)fprintf(stderr, "ward: invariant failed: %s (%s:%d)\n", what, file, line);
    abort();
}
