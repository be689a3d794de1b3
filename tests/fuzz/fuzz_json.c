/*
 * fuzz_json.c - the strict body parser (src/engine/json_parse.c) and the
 * compact dumper (json_dump.c) against Jansson on arbitrary bytes.
 *
 * Properties: no crash or sanitizer report; json_parse accepts exactly what
 * Jansson's json_loadb(JSON_REJECT_DUPLICATES) accepts and builds a tree
 * json_equal to Jansson's; json_dump_compact writes Jansson's
 * json_dumpb(JSON_COMPACT) text byte for byte. Two exemptions, both where
 * we are stricter on purpose, each checked to refuse:
 *   - nesting deeper than JSON_MAX_DEPTH (32), which Jansson allows (2048);
 *   - a raw NUL byte anywhere: Jansson 2.14 skips one that directly follows
 *     a number or a literal ({"a":1<NUL>} is accepted there).
 * json_decode_body on the same bytes agrees with json_parse (an empty body
 * is {}; a top level that is not an object is WARD_E_INVALID).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/mem.h"
#include "engine/engine_int.h"
#include "engine/json_int.h"

/* text_depth is the deepest nesting in valid JSON text (strings skipped). */
static int text_depth(const uint8_t *p, size_t n)
{
    int depth = 0;
    int max = 0;
    bool in_str = false;

    for (size_t i = 0; i < n; i++) {
        if (in_str) {
            if (p[i] == '\\') {
                i++;
            } else if (p[i] == '"') {
                in_str = false;
            }
        } else if (p[i] == '"') {
            in_str = true;
        } else if (p[i] == '{' || p[i] == '[') {
            max = ++depth > max ? depth : max;
        } else if (p[i] == '}' || p[i] == ']') {
            depth--;
        }
    }
    return max;
}

/* check_dump aborts unless our text of v is Jansson's. */
static void check_dump(const json_t *v)
{
    struct ward_buf b;
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
    char *want = ward_alloc(n + 1);

    if (want == NULL) {
        return;
    }
    ward_buf_init(&b, (size_t)1 << 24);
    if (n == 0 || json_dumpb(v, want, n, JSON_COMPACT) != n ||
        json_dump_compact(&b, v) != WARD_OK || b.len != n || memcmp(b.data, want, n) != 0) {
        abort();
    }
    ward_buf_cleanup(&b);
    ward_free(want);
}

/* check_body aborts unless json_decode_body agrees with json_parse's verdict. */
static void check_body(const uint8_t *data, size_t size, ward_err parse_err, const json_t *tree)
{
    char why[160];
    json_t *v = NULL;
    ward_err err = json_decode_body(&v, data, size, why, sizeof(why));
    ward_err want = size == 0              ? WARD_OK
                    : parse_err != WARD_OK ? parse_err
                    : json_is_object(tree) ? WARD_OK
                                           : WARD_E_INVALID;

    if (err != want || (err == WARD_OK) != (v != NULL) || (err != WARD_OK && why[0] == '\0')) {
        abort();
    }
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    json_error_t jerr;
    char why[160];
    json_t *ours = NULL;
    json_t *theirs;
    ward_err err;

    if (!ready) {
        json_init_allocator();
        ready = true;
    }
    theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    err = json_parse(&ours, data, size, why, sizeof(why));
    if (err == WARD_E_NOMEM || (err == WARD_OK) != (ours != NULL)) {
        abort();
    }
    if (memchr(data, 0, size) != NULL ||
        (theirs != NULL && text_depth(data, size) > JSON_MAX_DEPTH)) {
        if (err == WARD_OK) {
            abort();
        }
    } else if ((theirs != NULL) != (err == WARD_OK) ||
               (theirs != NULL && !json_equal(ours, theirs))) {
        abort();
    }
    if (ours != NULL) {
        check_dump(ours);
    }
    check_body(data, size, err, ours);
    json_decref(ours);
    json_decref(theirs);
    return 0;
}
