/*
 * ward/err.h - Ward's error codes (public: shared by the server and libward).
 *
 * The enum is generated from err.def, the one error table; its numbers are
 * stable and append-only, and its stable names are the "codes" of the HTTP
 * API's error bodies. src/base/err.h includes this header, so the server and
 * libward agree on every code by construction.
 */
#ifndef WARD_ERR_H
#define WARD_ERR_H

#define WARD_MUST_CHECK __attribute__((warn_unused_result))

typedef enum ward_err {
#define WARD_ERR(sym, num, name, http, kmip, msg) WARD_E_##sym = (num),
#include "err.def"
#undef WARD_ERR
} ward_err;

#define WARD_OK WARD_E_OK

/* ward_err_str returns the fixed human message for err (never NULL). */
const char *ward_err_str(ward_err err);

/* ward_err_name returns the stable snake_case name of err ("not_found"). */
const char *ward_err_name(ward_err err);

#endif
