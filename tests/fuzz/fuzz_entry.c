/*
 * fuzz_entry.c - entry_parse() and entry_open() on arbitrary stored bytes.
 *
 * Properties: no crash or sanitizer report; a parsed header points inside the
 * input (nonce at offset 5, sealed part = the rest, at least a tag long); and
 * opening it with the all-zero key at path "x" fails. Nobody can forge a GCM
 * tag, so an entry_open that succeeds here has stopped checking tags.
 * (Seeds are therefore sealed under other keys or paths, never this pair.)
 */
#include "fuzz.h"

#include <stdlib.h>

#include "barrier/barrier_int.h"
#include "base/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t zero_key[KEY_LEN];
    struct entry_header h;
    uint8_t *plain;
    ward_err err;

    if (entry_parse(&h, data, size) != WARD_OK) {
        return 0;
    }
    if (h.version != ENTRY_VERSION || h.nonce != data + 5 || h.sealed != data + ENTRY_HEADER_LEN ||
        h.sealed_len != size - ENTRY_HEADER_LEN || h.sealed_len < WARD_AEAD_TAG_LEN) {
        abort();
    }
    if ((plain = ward_alloc(h.sealed_len)) == NULL) {
        return 0;
    }
    err = entry_open(plain, h.sealed_len, zero_key, &h, "x");
    ward_free(plain);
    if (err == WARD_OK) {
        abort();
    }
    return 0;
}
