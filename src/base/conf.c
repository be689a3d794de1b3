/*
 * conf.c - the INI-style config parser (see conf.h). Fuzzed by
 * tests/fuzz/fuzz_conf.c.
 */
#include "conf.h"

#include <stdbool.h>
#include <string.h>

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r')) {
        (*n)--;
    }
}

static bool copy_name(char *out, const char *s, size_t n)
{
    if (n == 0 || n >= 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!name_char(s[i])) {
            return false;
        }
        out[i] = s[i];
    }
    out[n] = '\0';
    return true;
}

/* parse_line handles one trimmed, non-empty, non-comment line. */
static ward_err parse_line(const char *s, size_t n, char section[64], ward_conf_entry_fn fn,
                           void *ctx)
{
    const char *eq;
    const char *v;
    size_t key_len;
    size_t v_len;
    char key[64];
    char value[WARD_CONF_MAX_LINE];

    if (s[0] == '[') {
        if (s[n - 1] != ']' || !copy_name(section, s + 1, n - 2)) {
            return WARD_E_INVALID;
        }
        return WARD_OK;
    }
    if (section[0] == '\0' || (eq = memchr(s, '=', n)) == NULL) {
        return WARD_E_INVALID;
    }
    key_len = (size_t)(eq - s);
    trim(&s, &key_len);
    if (!copy_name(key, s, key_len)) {
        return WARD_E_INVALID;
    }
    v = eq + 1;
    v_len = n - (size_t)(v - s);
    trim(&v, &v_len);
    memcpy(value, v, v_len);
    value[v_len] = '\0';
    return fn(ctx, section, key, value);
}

ward_err ward_conf_parse(const char *in, size_t in_len, ward_conf_entry_fn fn, void *ctx,
                         size_t *out_line)
{
    char section[64] = "";
    size_t line = 0;
    ward_err err;

    *out_line = 0;
    if (in_len > WARD_CONF_MAX_SIZE) {
        return WARD_E_TOO_LARGE;
    }
    if (memchr(in, '\0', in_len) != NULL) {
        return WARD_E_BAD_ENCODING;
    }
    for (size_t pos = 0; pos < in_len;) {
        const char *s = in + pos;
        const char *nl = memchr(s, '\n', in_len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : in_len - pos;

        pos += n + 1;
        line++;
        if (n >= WARD_CONF_MAX_LINE) {
            *out_line = line;
            return WARD_E_TOO_LARGE;
        }
        trim(&s, &n);
        if (n == 0 || s[0] == '#' || s[0] == ';') {
            continue;
        }
        if ((err = parse_line(s, n, section, fn, ctx)) != WARD_OK) {
            *out_line = line;
            return err;
        }
    }
    return WARD_OK;
}
