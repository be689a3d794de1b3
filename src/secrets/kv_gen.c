/*
 * kv_gen.c - generated secret values (Ward's GENERATED type).
 *
 * SECURITY: every character comes from OpenSSL's CSPRNG by rejection
 * sampling (no modulo bias), and a candidate that misses a class rule is
 * thrown away whole and drawn again, so the result is uniform among the
 * strings that satisfy the rules. Random bytes are wiped after use.
 */
#include "kv.h"

#include <ctype.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/base64.h"
#include "crypto/crypto.h"

#define GEN_TRIES 1000

static const char k_alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char k_printable[] = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/* draw fills out[0..n) with characters of set, each uniform. */
static ward_err draw(char *out, size_t n, const char *set)
{
    size_t set_len = strlen(set);
    unsigned int limit = 256u - (256u % (unsigned int)set_len);
    uint8_t pool[64];
    size_t used = sizeof(pool);
    ward_err err = WARD_OK;

    for (size_t i = 0; i < n && err == WARD_OK;) {
        if (used == sizeof(pool)) {
            err = ward_crypto_random(pool, sizeof(pool));
            used = 0;
            continue;
        }
        if (pool[used] < limit) {
            out[i++] = set[pool[used] % set_len];
        }
        used++;
    }
    OPENSSL_cleanse(pool, sizeof(pool));
    return err;
}

static bool classes_ok(const char *s, size_t n, const struct ward_kv_gen_params *p)
{
    size_t up = 0;
    size_t lo = 0;
    size_t dig = 0;
    size_t sym = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        up += isupper(ch) ? 1 : 0;
        lo += islower(ch) ? 1 : 0;
        dig += isdigit(ch) ? 1 : 0;
        sym += isalnum(ch) ? 0 : 1;
    }
    return up >= p->min_upper && lo >= p->min_lower && dig >= p->min_digit && sym >= p->min_symbol;
}

static ward_err gen_chars(struct ward_buf *out, const struct ward_kv_gen_params *p, const char *set)
{
    ward_err err;

    if (p->min_upper > p->length || p->min_lower > p->length || p->min_digit > p->length ||
        p->min_symbol > p->length ||
        p->min_upper + p->min_lower + p->min_digit + p->min_symbol > p->length ||
        (set == k_alnum && p->min_symbol > 0)) {
        return WARD_E_INVALID;
    }
    if ((err = ward_buf_reserve(out, p->length + 1)) != WARD_OK) {
        return err;
    }
    for (int tries = 0; tries < GEN_TRIES; tries++) {
        if ((err = draw((char *)out->data, p->length, set)) != WARD_OK) {
            return err;
        }
        if (classes_ok((const char *)out->data, p->length, p)) {
            out->len = p->length;
            return ward_buf_terminate(out);
        }
    }
    return WARD_E_INVALID; /* rules so tight that they are practically unsatisfiable */
}

static ward_err gen_bytes(struct ward_buf *out, const struct ward_kv_gen_params *p, bool hex)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t raw[WARD_KV_MAX_GEN];
    size_t text_len = hex ? 2 * p->length : ward_base64_encoded_len(p->length);
    ward_err err;

    if (p->min_upper + p->min_lower + p->min_digit + p->min_symbol != 0) {
        return WARD_E_INVALID;
    }
    if ((err = ward_buf_reserve(out, text_len + 1)) != WARD_OK ||
        (err = ward_crypto_random(raw, p->length)) != WARD_OK) {
        goto out;
    }
    if (hex) {
        for (size_t i = 0; i < p->length; i++) {
            out->data[2 * i] = (uint8_t)digits[raw[i] >> 4];
            out->data[2 * i + 1] = (uint8_t)digits[raw[i] & 15];
        }
        out->data[text_len] = '\0';
    } else if ((err = ward_base64_encode((char *)out->data, text_len + 1, raw, p->length)) !=
               WARD_OK) {
        goto out;
    }
    out->len = text_len;
    err = WARD_OK;
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    return err;
}

ward_err ward_kv_generate(struct ward_buf *out, const struct ward_kv_gen_params *p)
{
    const char *cs = p->charset != NULL ? p->charset : "alnum";

    if (p->length == 0 || p->length > WARD_KV_MAX_GEN) {
        return WARD_E_INVALID;
    }
    if (strcmp(cs, "alnum") == 0) {
        return gen_chars(out, p, k_alnum);
    }
    if (strcmp(cs, "printable") == 0) {
        return gen_chars(out, p, k_printable);
    }
    if (strcmp(cs, "hex") == 0 || strcmp(cs, "base64") == 0) {
        return gen_bytes(out, p, strcmp(cs, "hex") == 0);
    }
    return WARD_E_INVALID;
}
