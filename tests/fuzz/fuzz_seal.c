/*
 * fuzz_seal.c - seal_decode() on arbitrary seal records.
 *
 * Properties: no crash or sanitizer report; a record that decodes has a known
 * seal type and sane limits; and, every byte of the fixed 172-byte layout
 * being kept, seal_encode() of it gives back the input exactly.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "barrier/barrier_int.h"
#include "base/buf.h"

/* sane checks what any decoded record must satisfy, whatever its type. */
static bool sane(const struct seal_record *r)
{
    if (r->type == WARD_SEAL_SHAMIR) {
        return r->threshold >= 1 && r->threshold <= r->shares && r->shares <= WARD_MAX_SHARES;
    }
    return r->type == WARD_SEAL_PARTS && r->num_parts >= 1 && r->num_parts <= WARD_MAX_PARTS &&
           r->argon2_t >= 1 && r->argon2_p >= 1 && r->argon2_m_kib >= 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seal_record r;
    struct ward_buf enc;

    if (seal_decode(&r, data, size) != WARD_OK) {
        return 0;
    }
    if (!sane(&r)) {
        abort();
    }
    ward_buf_init(&enc, 4096);
    if (seal_encode(&enc, &r) == WARD_OK &&
        (enc.len != size || memcmp(enc.data, data, size) != 0)) {
        abort();
    }
    ward_buf_cleanup(&enc);
    return 0;
}
