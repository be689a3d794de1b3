/*
 * fuzz_ctext.c - the ciphertext text parser (src/keys/ctext.c).
 *
 * Properties: a parse either fails with one of its documented codes or
 * gives a ciphertext whose re-encoding is the input: the text form of its
 * bytes equals the input (base64 is canonical), and for a managed one the
 * header rebuilt from the parsed fields equals the header bytes.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "keys/ctext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_ct ct;
    struct ward_buf text;
    struct ward_buf head;
    ward_err err = ward_ct_parse(&ct, (const char *)data, size);

    if (err != WARD_OK) {
        if (err != WARD_E_BAD_CIPHERTEXT && err != WARD_E_BAD_VERSION && err != WARD_E_TOO_LARGE &&
            err != WARD_E_NOMEM) {
            abort();
        }
        ward_ct_cleanup(&ct);
        return 0;
    }
    ward_buf_init(&text, 2 * size + 64);
    ward_buf_init(&head, 512);
    if (ward_ct_text(&text, ct.format, ct.version, ct.bin.data, ct.bin.len) != WARD_OK ||
        text.len != size || memcmp(text.data, data, size) != 0) {
        abort();
    }
    if (ct.format == WARD_CT_MANAGED) {
        bool parties = (ct.flags & WARD_CT_FLAG_PARTIES) != 0;

        if (ward_ct_header(&head, &(const struct ward_ct_head){ ct.alg, ct.key_id, ct.version,
                                                                ct.flags, parties ? ct.from : NULL,
                                                                parties ? ct.to : NULL }) !=
                WARD_OK ||
            head.len != ct.header_len || memcmp(head.data, ct.bin.data, head.len) != 0) {
            abort();
        }
    }
    ward_buf_cleanup(&head);
    ward_buf_cleanup(&text);
    ward_ct_cleanup(&ct);
    return 0;
}
