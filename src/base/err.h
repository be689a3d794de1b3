/*
 * err.h - Ward's error codes, generated from include/ward/err.def (shared with libward).
 *
 * Every fallible function returns a ward_err; results travel in out-params.
 * Codes are stable (see include/ward/err.def for the numbering rules); the HTTP and KMIP
 * mappings are applied only at the front's boundary.
 */
#ifndef WARD_BASE_ERR_H
#define WARD_BASE_ERR_H

#include "ward/err.h"

/* ward_err_http returns the HTTP status the front maps err to. */
int ward_err_http(ward_err err);

/* ward_err_kmip returns the KMIP result reason name err maps to. */
const char *ward_err_kmip(ward_err err);

/*
 * WARD_CHECK aborts, in every build, when an invariant whose breach would
 * corrupt state does not hold. Bad input is never checked this way.
 */
#define WARD_CHECK(cond)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            ward_check_failed(#cond, __FILE__, __LINE__); \
        }                                                 \
    } while (0)

_Noreturn void ward_check_failed(const char *what, const char *file, int line);

#endif
