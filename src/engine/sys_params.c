/*
 * sys_params.c - decoding the seal parameters and key shares of sys requests.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "base/base64.h"
#include "sys_int.h"

void sys_seal_input_cleanup(struct sys_seal_input *in)
{
    for (int i = 0; i < WARD_MAX_PARTS; i++) {
        ward_secret_free(in->parts[i]);
    }
    memset(in, 0, sizeof(*in));
}

static ward_err parse_rule(struct ward_part_rule *r, const json_t *obj)
{
    static const char *const names[4] = { "min_length", "min_digits", "min_letters", "min_other" };
    uint8_t *fields[4] = { &r->min_len, &r->min_digits, &r->min_letters, &r->min_other };

    if (!json_is_object(obj)) {
        return WARD_E_INVALID;
    }
    for (int i = 0; i < 4; i++) {
        int64_t v = 0;
        bool present = false;

        if (json_get_int(obj, names[i], 0, WARD_MAX_PART_LEN, &v, &present) != WARD_OK) {
            return WARD_E_INVALID;
        }
        *fields[i] = present ? (uint8_t)v : 0;
    }
    return WARD_OK;
}

static ward_err parse_argon2(struct ward_seal_params *p, const json_t *obj)
{
    int64_t v = 0;
    bool present = false;

    if (obj == NULL || json_is_null(obj)) {
        return WARD_OK;
    }
    if (!json_is_object(obj) || json_get_int(obj, "time", 1, 64, &v, &present) != WARD_OK) {
        return WARD_E_INVALID;
    }
    p->argon2_t = present ? (uint32_t)v : 0;
    if (json_get_int(obj, "memory_kib", 8, 1 << 22, &v, &present) != WARD_OK) {
        return WARD_E_INVALID;
    }
    p->argon2_m_kib = present ? (uint32_t)v : 0;
    if (json_get_int(obj, "lanes", 1, 64, &v, &present) != WARD_OK) {
        return WARD_E_INVALID;
    }
    p->argon2_p = present ? (uint32_t)v : 0;
    return WARD_OK;
}

/* parse_parts fills the parts seal from "parts" (array of strings) and its rules. */
static ward_err parse_parts(struct sys_seal_input *in, const json_t *parts, const json_t *body)
{
    const json_t *rules = json_object_get(body, "part_rules");
    size_t n = json_array_size(parts);
    ward_err err;

    if (n == 0 || n > WARD_MAX_PARTS || (rules != NULL && !json_is_array(rules))) {
        return WARD_E_INVALID;
    }
    in->params.type = WARD_SEAL_PARTS;
    in->params.num_parts = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(parts, i);

        if (!json_is_string(v) || json_string_length(v) > WARD_MAX_PART_LEN) {
            return WARD_E_INVALID;
        }
        if ((err = ward_secret_new_copy(&in->parts[i], (const uint8_t *)json_string_value(v),
                                        json_string_length(v))) != WARD_OK) {
            return err;
        }
        in->params.parts[i] = in->parts[i];
        if (rules != NULL && i < json_array_size(rules) &&
            parse_rule(&in->params.rules[i], json_array_get(rules, i)) != WARD_OK) {
            return WARD_E_INVALID;
        }
    }
    return parse_argon2(&in->params, json_object_get(body, "argon2"));
}

ward_err sys_parse_seal_params(struct op_ctx *c, struct sys_seal_input *out)
{
    const json_t *parts = json_object_get(c->body, "parts");
    const json_t *pgp = json_object_get(c->body, "pgp_keys");
    int64_t n = 0;
    int64_t k = 0;
    bool has_n = false;
    bool has_k = false;
    ward_err err;

    memset(out, 0, sizeof(*out));
    if (pgp != NULL && !json_is_null(pgp)) {
        op_fail(c, WARD_E_UNSUPPORTED, "pgp_keys are not supported");
        return WARD_E_UNSUPPORTED;
    }
    if (parts != NULL && !json_is_null(parts)) {
        if ((err = parse_parts(out, parts, c->body)) != WARD_OK) {
            sys_seal_input_cleanup(out);
            op_fail(c, err, "parts must be 1 to 8 strings; part_rules and argon2 objects");
        }
        return err;
    }
    if (json_get_int(c->body, "secret_shares", 0, 255, &n, &has_n) != WARD_OK ||
        json_get_int(c->body, "secret_threshold", 0, 255, &k, &has_k) != WARD_OK || !has_n ||
        !has_k) {
        op_fail(c, WARD_E_INVALID, "secret_shares and secret_threshold must be integers");
        return WARD_E_INVALID;
    }
    out->params.type = WARD_SEAL_SHAMIR;
    out->params.shares = (uint8_t)n;
    out->params.threshold = (uint8_t)k;
    return WARD_OK;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F'))) {
            return false;
        }
    }
    return n > 0 && n % 2 == 0;
}

static int nibble(char ch)
{
    return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

/* hex_to_base64 turns a hex share (Vault's "keys" form) into the base64 text. */
static ward_err hex_to_base64(struct ward_secret **out, const char *hex, size_t n)
{
    uint8_t raw[64];
    ward_err err;

    if (n / 2 > sizeof(raw)) {
        return WARD_E_BAD_SHARE;
    }
    for (size_t i = 0; i < n / 2; i++) {
        raw[i] = (uint8_t)(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
    }
    if ((err = ward_secret_new(out, ward_base64_encoded_len(n / 2) + 1)) == WARD_OK) {
        err = ward_base64_encode((char *)(*out)->data, (*out)->len, raw, n / 2);
        (*out)->len--;
    }
    OPENSSL_cleanse(raw, sizeof(raw));
    return err;
}

ward_err sys_key_text(struct op_ctx *c, struct ward_secret **out)
{
    const char *key = NULL;
    size_t key_len = 0;
    ward_err err;

    *out = NULL;
    if (json_get_string(c->body, "key", &key, &key_len) != WARD_OK || key == NULL) {
        op_fail(c, WARD_E_INVALID, "key must be a string");
        return WARD_E_INVALID;
    }
    if (key_len == 86 && is_hex(key, key_len)) {
        err = hex_to_base64(out, key, key_len);
    } else {
        err = ward_secret_new_copy(out, (const uint8_t *)key, key_len);
    }
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
    return err;
}
