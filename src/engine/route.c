/*
 * route.c - the op table as data, path routing and query parameters.
 *
 * Paths match a row exactly, segment by segment; nothing is normalised: a
 * path with "..", "." or empty segments, or a percent-encoded byte, matches
 * no row (404), so no two spellings reach one op with different checks.
 */
#include <string.h>

#include "engine_int.h"

const struct op_row g_ops[OP_COUNT] = {
#define WARD_OP(id, name, methods, path, handler, auth, state, mut, secret, cli) \
    { name, methods, path, handler, OP_AUTH_##auth, OP_STATE_##state, mut, secret, cli },
#include "ops.def"
#undef WARD_OP
};

/* method_in reports whether method is one of the '|'-separated list. */
static bool method_in(const char *list, const char *method)
{
    size_t n = strlen(method);

    for (const char *p = list; *p != '\0';) {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

        if (len == n && strncmp(p, method, n) == 0) {
            return true;
        }
        p += len + (bar != NULL ? 1 : 0);
    }
    return false;
}

ward_err op_route(enum op_id *out, const char *method, const char *path)
{
    bool path_known = false;

    *out = OP_COUNT;
    for (int i = 0; i < OP_COUNT; i++) {
        if (strcmp(g_ops[i].path, path) != 0) {
            continue;
        }
        path_known = true;
        if (method_in(g_ops[i].methods, method)) {
            *out = (enum op_id)i;
            return WARD_OK;
        }
    }
    return path_known ? WARD_E_UNSUPPORTED : WARD_E_NOT_FOUND;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* decode_into percent-decodes n bytes of in into out (NUL-terminated). */
static bool decode_into(char *out, size_t out_cap, const char *in, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = in[i];

        if (ch == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            ch = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        } else if (ch == '+') {
            ch = ' ';
        }
        if (o + 1 >= out_cap) {
            return false;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    return true;
}

bool op_query_get(const char *query, const char *name, char *out, size_t out_cap)
{
    size_t name_len = strlen(name);

    for (const char *p = query; p != NULL && *p != '\0';) {
        const char *amp = strchr(p, '&');
        size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);

        if (len >= name_len && strncmp(p, name, name_len) == 0 &&
            (len == name_len || p[name_len] == '=')) {
            const char *v = len == name_len ? p + len : p + name_len + 1;

            return decode_into(out, out_cap, v, (size_t)(p + len - v));
        }
        p = amp != NULL ? amp + 1 : NULL;
    }
    return false;
}
