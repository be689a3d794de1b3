/*
 * json.c - strict decoding of request bodies into Jansson trees, and the
 * compact text of answers.
 *
 * Bodies are outside input: json_parse.c parses them strictly (depth bounded
 * by JSON_MAX_DEPTH, duplicate keys refused: a second "key" could otherwise
 * slip past a check made on the first), the top level must be an object, and
 * a wrong type is an error naming the field. null counts as absent, as
 * Vault's clients send null for unset options. Answers are written by
 * json_dump.c, byte for byte as Jansson would.
 *
 * SECURITY: Jansson's allocations are wiped on free (json_init_allocator),
 * since bodies carry shares and, later, plaintexts.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/mem.h"
#include "engine_int.h"
#include "json_int.h"

static void *json_alloc(size_t n)
{
    return ward_alloc(n);
}

/* Jansson does not say how big a block is; the allocator does. */
static void json_free_wipe(void *p)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, malloc_usable_size(p));
        ward_free(p);
    }
}

void json_init_allocator(void)
{
    json_set_alloc_funcs(json_alloc, json_free_wipe);
}

ward_err json_decode_body(json_t **out, const uint8_t *body, size_t body_len, char *why,
                          size_t why_cap)
{
    json_t *v = NULL;
    ward_err err;

    *out = NULL;
    why[0] = '\0';
    if (body_len == 0) {
        *out = json_object();
        return *out != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if ((err = json_parse(&v, body, body_len, why, why_cap)) != WARD_OK) {
        return err;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        (void)snprintf(why, why_cap, "the request body must be a JSON object");
        return WARD_E_INVALID;
    }
    *out = v;
    return WARD_OK;
}

ward_err json_get_int(const json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out,
                      bool *present)
{
    json_t *v = json_object_get(obj, key);

    *present = false;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return WARD_E_INVALID;
    }
    *out = json_integer_value(v);
    *present = true;
    return WARD_OK;
}

ward_err json_get_bool(const json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (!json_is_boolean(v)) {
        return WARD_E_INVALID;
    }
    *out = json_is_true(v);
    return WARD_OK;
}

ward_err json_get_string(const json_t *obj, const char *key, const char **out, size_t *out_len)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    *out_len = 0;
    if (v == NULL || json_is_null(v)) {
        return WARD_OK;
    }
    if (!json_is_string(v)) {
        return WARD_E_INVALID;
    }
    *out = json_string_value(v);
    *out_len = json_string_length(v);
    return WARD_OK;
}

ward_err json_dump_to(struct ward_buf *out, const json_t *v)
{
    /* one code for every failure, as when Jansson wrote the text */
    if (json_dump_compact(out, v) != WARD_OK) {
        return WARD_E_TOO_LARGE;
    }
    return ward_buf_append_u8(out, '\n');
}
