/*
 * route.c - the op table as data, path routing and query parameters.
 *
 * Paths match a row exactly, segment by segment; nothing is normalised: a
 * path with "..", "." or empty segments, or a percent-encoded byte, matches
 * no row (404), so no two spellings reach one op with different checks.
 * A row ending in a star (secret/data/ + star) matches its prefix plus any rest;
 * the rest is checked here (op_path_check) before any handler sees it, so
 * the same refusals hold for every prefix row. A ":name" segment of a row
 * matches one segment of name bytes ([A-Za-z0-9_.@-]); the handler gets the
 * captured segments as its rest, joined by '/' (op_split_vars); trailing
 * ":name?" segments are optional (Vault's "hash(/:algorithm)").
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

/* utf8_len returns the length of the UTF-8 sequence at p, or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    unsigned int cp;

    if (p[0] < 0x80) {
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    /* overlong forms, surrogates and code points past U+10FFFF */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

/* segment_ok refuses "", "." and "..". */
static bool segment_ok(const char *seg, size_t len)
{
    return len != 0 && !(len == 1 && seg[0] == '.') &&
           !(len == 2 && seg[0] == '.' && seg[1] == '.');
}

ward_err op_path_check(const char *path)
{
    const unsigned char *p = (const unsigned char *)path;
    size_t len = strnlen(path, OP_MAX_REST + 1);
    size_t seg = 0;

    if (len > OP_MAX_REST) {
        return WARD_E_BAD_PATH;
    }
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(p + i);

        if (n == 0 || p[i] < 0x20 || p[i] == 0x7f) {
            return WARD_E_BAD_PATH;
        }
        if (p[i] == '/') {
            if (!segment_ok(path + seg, i - seg)) {
                return WARD_E_BAD_PATH;
            }
            seg = i + 1;
        }
        i += n;
    }
    if (seg < len && !segment_ok(path + seg, len - seg)) {
        return WARD_E_BAD_PATH;
    }
    return WARD_OK;
}

/* var_char is true for the bytes a ":var" segment may hold (Vault key names). */
static bool var_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.' || ch == '@';
}

/* only_optional is true if every segment of r (from a '/') is "/:name?". */
static bool only_optional(const char *r)
{
    while (*r == '/') {
        const char *end = strchr(r + 1, '/');
        size_t len = end != NULL ? (size_t)(end - r) : strlen(r);

        if (r[1] != ':' || r[len - 1] != '?') {
            return false;
        }
        r += len;
    }
    return *r == '\0';
}

/*
 * vars_match matches path against a row with ":var" segments, each matching
 * one segment of var_char bytes (so no escape, '/' or empty name reaches a
 * handler); the captured segments, joined by '/', go to vars.
 */
/*
 * take_var captures the name segment at *p for a ":var" row segment at *r,
 * appending it to vars (at *o, '/'-joined) and moving both past it.
 */
static bool take_var(const char **r, const char **p, char *vars, size_t *o, size_t vars_cap)
{
    size_t n = 0;

    while (var_char((*p)[n])) {
        n++;
    }
    if (n == 0 || ((*p)[n] != '\0' && (*p)[n] != '/') || *o + n + 2 > vars_cap) {
        return false;
    }
    if (*o > 0) {
        vars[(*o)++] = '/';
    }
    memcpy(vars + *o, *p, n);
    *o += n;
    *p += n;
    while (**r != '\0' && **r != '/') {
        (*r)++;
    }
    return true;
}

static bool vars_match(const char *row_path, const char *path, char *vars, size_t vars_cap)
{
    const char *r = row_path;
    const char *p = path;
    size_t o = 0;

    while (*r != '\0') {
        /* the path ended where optional segments ("/:name?") begin: they stay empty */
        if (*p == '\0' && r[0] == '/' && r[1] == ':' && only_optional(r)) {
            break;
        }
        if (*r == ':') {
            if (!take_var(&r, &p, vars, &o, vars_cap)) {
                return false;
            }
        } else if (*r++ != *p++) {
            return false;
        }
    }
    if (*p != '\0') {
        return false;
    }
    vars[o] = '\0';
    return true;
}

/*
 * row_match matches path against a row's path, setting *rest for prefix rows
 * (a pointer into path) and for ":var" rows (vars_buf, the captured segments).
 */
static bool row_match(const char *row_path, const char *path, const char **rest, char *vars_buf,
                      size_t vars_cap)
{
    size_t n = strlen(row_path);

    *rest = NULL;
    if (strchr(row_path, ':') != NULL) {
        if (!vars_match(row_path, path, vars_buf, vars_cap)) {
            return false;
        }
        *rest = vars_buf;
        return true;
    }
    if (n > 1 && row_path[n - 1] == '*') {
        /* "secret/metadata" (as clients send a list of the root) is the prefix with rest "" */
        if (strncmp(row_path, path, n - 2) == 0 && path[n - 2] == '\0') {
            *rest = path + n - 2;
            return true;
        }
        if (strncmp(row_path, path, n - 1) != 0) {
            return false;
        }
        *rest = path + n - 1;
        return true;
    }
    return strcmp(row_path, path) == 0;
}

static int hexval(char c);

/*
 * decode_rest percent-decodes a prefix row's rest into out (as Vault, which
 * sees decoded paths), refusing a malformed escape, %00 and anything longer
 * than OP_MAX_REST, then checks the decoded path.
 */
static ward_err decode_rest(char *out, size_t out_cap, const char *in)
{
    size_t o = 0;

    for (size_t i = 0; in[i] != '\0'; i++) {
        char ch = in[i];

        if (ch == '%') {
            if (hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0) {
                return WARD_E_BAD_PATH;
            }
            ch = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
            if (ch == '\0') {
                return WARD_E_BAD_PATH;
            }
        }
        if (o + 1 >= out_cap || o >= OP_MAX_REST) {
            return WARD_E_BAD_PATH;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    return op_path_check(out);
}

ward_err op_route(enum op_id *out, char *out_rest, size_t out_rest_cap, const char *method,
                  const char *path)
{
    bool path_known = false;
    const char *rest = NULL;
    char vars[OP_MAX_REST + 1];

    *out = OP_COUNT;
    out_rest[0] = '\0';
    for (int i = 0; i < OP_COUNT; i++) {
        if (!row_match(g_ops[i].path, path, &rest, vars, sizeof(vars))) {
            continue;
        }
        path_known = true;
        if (method_in(g_ops[i].methods, method)) {
            if (rest != NULL && decode_rest(out_rest, out_rest_cap, rest) != WARD_OK) {
                out_rest[0] = '\0';
                return WARD_E_BAD_PATH;
            }
            *out = (enum op_id)i;
            return WARD_OK;
        }
    }
    return path_known ? WARD_E_UNSUPPORTED : WARD_E_NOT_FOUND;
}

void op_split_vars(struct op_ctx *c, const struct op_row *row)
{
    char *p = c->rest_buf;

    c->num_vars = 0;
    if (strchr(row->path, ':') == NULL || *p == '\0') {
        return;
    }
    while (c->num_vars < OP_MAX_VARS) {
        char *slash = strchr(p, '/');

        c->var[c->num_vars++] = p;
        if (slash == NULL) {
            break;
        }
        *slash = '\0';
        p = slash + 1;
    }
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
