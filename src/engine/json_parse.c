/*
 * json_parse.c - the strict JSON parser behind json_decode_body.
 *
 * Why our own: Jansson's parser reads a byte at a time through function
 * calls (50-90 MB/s); a transit batch body is mostly long base64 strings, and
 * decoding it was half the server's CPU. This parser finds the end of a
 * string 16 bytes at a time (json_scan_plain), checks UTF-8 only where a
 * byte is not ASCII, and hands each string to Jansson once, already checked
 * (json_stringn_nocheck). The tree is still Jansson's, so handlers are
 * unchanged; decisions.md #21.
 *
 * What it accepts is RFC 8259 and no more, and the same as Jansson's
 * json_loadb(JSON_REJECT_DUPLICATES) on the same text (the differential
 * tests in json_test.c and tests/fuzz/fuzz_json.c hold it to that), except
 * for two refusals of ours: nesting deeper than JSON_MAX_DEPTH (Jansson
 * allows 2048), and a raw NUL byte, which Jansson 2.14 skips when it follows
 * a number or a literal. Nesting uses an explicit stack of JSON_MAX_DEPTH
 * frames, never recursion. The rules:
 *   - the top level is an object or an array; after it only whitespace
 *     (space, tab, CR, LF);
 *   - no trailing commas, comments, NaN/Infinity, leading zeros or '+';
 *   - integers that fit int64 become json_integer, larger ones are refused
 *     (as Jansson); a fraction or an exponent makes json_real (strtod), and
 *     one that overflows a double is refused (as Jansson; underflow is not);
 *   - strings: no control bytes, only the escapes of RFC 8259 §7, \u
 *     surrogates only as a high/low pair, no \u0000 (Jansson without
 *     JSON_ALLOW_NUL), UTF-8 without overlongs, surrogates or > U+10FFFF;
 *   - a key twice in one object is refused: a second "key" could otherwise
 *     slip past a check made on the first.
 *
 * SECURITY: bodies carry plaintexts and shares. Errors name a byte offset
 * and a reason, never input bytes. Unescaped strings go through one scratch
 * buffer, wiped before it is freed; Jansson's copies are wiped on free by
 * json_init_allocator.
 *
 * Locale: strtod reads '.' as the decimal point because Ward never calls
 * setlocale (LC_NUMERIC stays "C").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/mem.h"
#include "engine_int.h"
#include "json_int.h"

/* An open object or array; for an object, the key whose value comes next. */
struct frame {
    json_t *c;
    const uint8_t *key;
    size_t key_len;
    size_t top; /* scratch top before the key */
};

struct parser {
    const uint8_t *in;
    size_t len;
    size_t pos;
    int depth;                          /* frames in use */
    struct frame stack[JSON_MAX_DEPTH]; /* iterative: no recursion on input */
    const char *err;                    /* the first failure's reason; NULL while all is well */
    size_t err_at;
    bool nomem;
    uint8_t *scratch;  /* in_len bytes, allocated at the first escape */
    size_t top;        /* scratch below top holds keys still in use */
    size_t high_water; /* scratch bytes ever written (to wipe) */
};

/* fail records the first failure; returns NULL (false in a bool function). */
static void *fail(struct parser *ps, size_t at, const char *why)
{
    if (ps->err == NULL) {
        ps->err = why;
        ps->err_at = at;
    }
    return NULL;
}

static void *nomem(struct parser *ps)
{
    ps->nomem = true;
    return fail(ps, ps->pos, "out of memory");
}

static int peek(const struct parser *ps)
{
    return ps->pos < ps->len ? ps->in[ps->pos] : -1;
}

static void skip_ws(struct parser *ps)
{
    while (ps->pos < ps->len) {
        uint8_t c = ps->in[ps->pos];

        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            return;
        }
        ps->pos++;
    }
}

static bool is_digit(const struct parser *ps, size_t i)
{
    return i < ps->len && ps->in[i] >= '0' && ps->in[i] <= '9';
}

/* hex4 reads four hex digits at in[at]; -1 if they are not there. */
static long hex4(const struct parser *ps, size_t at)
{
    long v = 0;

    if (at > ps->len || ps->len - at < 4) {
        return -1;
    }
    for (size_t k = 0; k < 4; k++) {
        uint8_t c = ps->in[at + k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;

        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* put_utf8 appends code point cp (valid, not a surrogate) to dst[*n]. */
static void put_utf8(uint8_t *dst, size_t *n, unsigned long cp)
{
    if (cp < 0x80) {
        dst[(*n)++] = (uint8_t)cp;
    } else if (cp < 0x800) {
        dst[(*n)++] = (uint8_t)(0xC0 | (cp >> 6));
        dst[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        dst[(*n)++] = (uint8_t)(0xE0 | (cp >> 12));
        dst[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        dst[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else {
        dst[(*n)++] = (uint8_t)(0xF0 | (cp >> 18));
        dst[(*n)++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        dst[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        dst[(*n)++] = (uint8_t)(0x80 | (cp & 0x3F));
    }
}

/* unescape_u decodes the \u escape (or surrogate pair) at in[*i]. */
static bool unescape_u(struct parser *ps, size_t *i, uint8_t *dst, size_t *n)
{
    long cp = hex4(ps, *i + 2);
    long lo;

    if (cp < 0) {
        return fail(ps, *i, "\\u needs four hex digits");
    }
    if (cp == 0) {
        return fail(ps, *i, "\\u0000 is not allowed");
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(ps, *i, "unpaired low surrogate");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (ps->len - *i < 12 || ps->in[*i + 6] != '\\' || ps->in[*i + 7] != 'u' ||
            (lo = hex4(ps, *i + 8)) < 0xDC00 || lo > 0xDFFF) {
            return fail(ps, *i, "unpaired high surrogate");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *i += 6;
    }
    *i += 6;
    put_utf8(dst, n, (unsigned long)cp);
    return true;
}

/* unescape_one decodes the escape at in[*i] (a backslash) onto dst[*n]. */
static bool unescape_one(struct parser *ps, size_t *i, uint8_t *dst, size_t *n)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *hit;

    if (*i + 1 >= ps->len) {
        return fail(ps, *i, "unterminated string");
    }
    if (ps->in[*i + 1] == 'u') {
        return unescape_u(ps, i, dst, n);
    }
    if (ps->in[*i + 1] == '\0' || (hit = strchr(from, ps->in[*i + 1])) == NULL) {
        return fail(ps, *i, "invalid escape");
    }
    dst[(*n)++] = (uint8_t)to[hit - from];
    *i += 2;
    return true;
}

/*
 * scratch_at returns where the next unescaped string goes. One block of
 * in_len bytes is enough for all: unescaping never lengthens a string, and
 * the keys held while their values are parsed are disjoint parts of the input.
 */
static uint8_t *scratch_at(struct parser *ps)
{
    if (ps->scratch == NULL && (ps->scratch = ward_alloc(ps->len)) == NULL) {
        return nomem(ps);
    }
    return ps->scratch + ps->top;
}

/* note_scratch records that scratch was written up to top + n (to wipe). */
static void note_scratch(struct parser *ps, size_t n)
{
    if (ps->top + n > ps->high_water) {
        ps->high_water = ps->top + n;
    }
}

/*
 * parse_str reads the string whose quote is at pos; *out points into the
 * input when the string has no escape, else into scratch (at top).
 */
static bool parse_str(struct parser *ps, const uint8_t **out, size_t *out_len)
{
    const uint8_t *in = ps->in;
    size_t i = ps->pos + 1;
    size_t run = i;      /* the first byte not yet copied to dst */
    uint8_t *dst = NULL; /* set at the first escape */
    size_t n = 0;

    for (;;) {
        size_t k;

        i = json_scan_plain(in, i, ps->len);
        if (i >= ps->len) {
            return fail(ps, ps->pos, "unterminated string");
        }
        if (in[i] == '"') {
            break;
        }
        if (in[i] < 0x20) {
            return fail(ps, i, "control character in a string");
        }
        if (in[i] >= 0x80) {
            if ((k = json_utf8_len(in + i, ps->len - i)) == 0) {
                return fail(ps, i, "invalid UTF-8");
            }
            i += k;
            continue;
        }
        if (dst == NULL && (dst = scratch_at(ps)) == NULL) {
            return false;
        }
        memcpy(dst + n, in + run, i - run);
        n += i - run;
        if (!unescape_one(ps, &i, dst, &n)) {
            return false;
        }
        run = i;
    }
    if (dst == NULL) {
        *out = in + ps->pos + 1;
        *out_len = i - ps->pos - 1;
    } else {
        memcpy(dst + n, in + run, i - run);
        *out = dst;
        *out_len = n + (i - run);
        note_scratch(ps, *out_len);
    }
    ps->pos = i + 1;
    return true;
}

static json_t *parse_string(struct parser *ps)
{
    const uint8_t *s = NULL;
    size_t n = 0;
    json_t *v;

    if (!parse_str(ps, &s, &n)) {
        return NULL;
    }
    /* checked above: valid UTF-8, no NUL */
    if ((v = json_stringn_nocheck((const char *)s, n)) == NULL) {
        return nomem(ps);
    }
    return v;
}

/* make_int converts the digits of in[start..end) (sign included). */
static json_t *make_int(struct parser *ps, size_t start, size_t end)
{
    bool neg = ps->in[start] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t u = 0;
    json_t *v;

    for (size_t i = start + (neg ? 1 : 0); i < end; i++) {
        uint64_t d = (uint64_t)(ps->in[i] - '0');

        if (u > (limit - d) / 10) {
            return fail(ps, start, "integer out of range");
        }
        u = u * 10 + d;
    }
    if ((v = json_integer(neg ? (json_int_t)(0 - u) : (json_int_t)u)) == NULL) {
        return nomem(ps);
    }
    return v;
}

/* make_real converts in[start..end) with strtod, as Jansson does. */
static json_t *make_real(struct parser *ps, size_t start, size_t end)
{
    char small[64];
    size_t n = end - start;
    char *text = n < sizeof(small) ? small : ward_alloc(n + 1);
    double d;
    json_t *v = NULL;

    if (text == NULL) {
        return nomem(ps);
    }
    memcpy(text, ps->in + start, n);
    text[n] = '\0';
    errno = 0;
    d = strtod(text, NULL);
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) {
        (void)fail(ps, start, "number out of range");
    } else if ((v = json_real(d)) == NULL) {
        (void)nomem(ps);
    }
    if (text != small) {
        ward_free(text);
    }
    return v;
}

static size_t skip_digits(const struct parser *ps, size_t i)
{
    while (is_digit(ps, i)) {
        i++;
    }
    return i;
}

/* scan_tail reads [. digits] [e [+-] digits] at *i; *real if either is there. */
static bool scan_tail(struct parser *ps, size_t *i, bool *real)
{
    if (*i < ps->len && ps->in[*i] == '.') {
        *real = true;
        if (!is_digit(ps, ++*i)) {
            return fail(ps, *i, "digit expected after '.'");
        }
        *i = skip_digits(ps, *i);
    }
    if (*i < ps->len && (ps->in[*i] == 'e' || ps->in[*i] == 'E')) {
        *real = true;
        *i += *i + 1 < ps->len && (ps->in[*i + 1] == '+' || ps->in[*i + 1] == '-') ? 2 : 1;
        if (!is_digit(ps, *i)) {
            return fail(ps, *i, "digit expected in an exponent");
        }
        *i = skip_digits(ps, *i);
    }
    return true;
}

/* parse_number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static json_t *parse_number(struct parser *ps)
{
    size_t start = ps->pos;
    size_t i = start + (ps->in[start] == '-' ? 1 : 0);
    bool real = false;

    if (!is_digit(ps, i)) {
        return fail(ps, i, "invalid number");
    }
    if (ps->in[i] == '0' && is_digit(ps, i + 1)) {
        return fail(ps, i, "leading zero in a number");
    }
    i = skip_digits(ps, i);
    if (!scan_tail(ps, &i, &real)) {
        return NULL;
    }
    ps->pos = i;
    return real ? make_real(ps, start, i) : make_int(ps, start, i);
}

static json_t *parse_literal(struct parser *ps)
{
    static const struct {
        const char *text;
        size_t len;
    } lits[] = { { "true", 4 }, { "false", 5 }, { "null", 4 } };

    for (size_t k = 0; k < sizeof(lits) / sizeof(lits[0]); k++) {
        json_t *v;

        if (ps->len - ps->pos < lits[k].len ||
            memcmp(ps->in + ps->pos, lits[k].text, lits[k].len) != 0) {
            continue;
        }
        ps->pos += lits[k].len;
        v = k == 0 ? json_true() : k == 1 ? json_false() : json_null();
        return v != NULL ? v : nomem(ps);
    }
    return fail(ps, ps->pos, "invalid literal");
}

/* read_key reads "key": at pos into the object frame f. */
static bool read_key(struct parser *ps, struct frame *f)
{
    if (peek(ps) != '"') {
        return fail(ps, ps->pos, "string key expected");
    }
    f->top = ps->top;
    if (!parse_str(ps, &f->key, &f->key_len)) {
        return false;
    }
    if (json_object_getn(f->c, (const char *)f->key, f->key_len) != NULL) {
        return fail(ps, ps->pos, "duplicate key");
    }
    skip_ws(ps);
    if (peek(ps) != ':') {
        return fail(ps, ps->pos, "':' expected");
    }
    ps->pos++;
    skip_ws(ps);
    if (ps->scratch != NULL && f->key == ps->scratch + ps->top) {
        ps->top += f->key_len; /* keep the key while its value is parsed */
    }
    return true;
}

/*
 * open_container pushes a new object or array (its '{' or '[' at pos).
 * *out is the container itself when it is empty (closed at once), else
 * NULL: its first value starts at pos.
 */
static bool open_container(struct parser *ps, bool object, json_t **out)
{
    struct frame *f;

    *out = NULL;
    if (ps->depth == JSON_MAX_DEPTH) {
        return fail(ps, ps->pos, "nested deeper than 32 levels");
    }
    f = &ps->stack[ps->depth];
    if ((f->c = object ? json_object() : json_array()) == NULL) {
        return nomem(ps);
    }
    ps->depth++;
    ps->pos++;
    skip_ws(ps);
    if (peek(ps) == (object ? '}' : ']')) {
        ps->pos++;
        *out = f->c;
        ps->depth--;
        return true;
    }
    return object ? read_key(ps, f) : true;
}

/*
 * start_value reads the value at pos: *out is a scalar or an empty
 * container, or NULL when a container was opened.
 */
static bool start_value(struct parser *ps, json_t **out)
{
    int c = peek(ps);

    *out = NULL;
    if (c == '{' || c == '[') {
        return open_container(ps, c == '{', out);
    }
    if (c == '"') {
        *out = parse_string(ps);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        *out = parse_number(ps);
    } else if (c == 't' || c == 'f' || c == 'n') {
        *out = parse_literal(ps);
    } else {
        return fail(ps, ps->pos, c < 0 ? "unexpected end of input" : "value expected");
    }
    return *out != NULL;
}

/* attach moves v into the innermost open container. */
static bool attach(struct parser *ps, json_t *v)
{
    struct frame *f = &ps->stack[ps->depth - 1];

    if (json_is_object(f->c)) {
        ps->top = f->top;
        /* the key is valid UTF-8 without NUL, checked by parse_str */
        if (json_object_setn_new_nocheck(f->c, (const char *)f->key, f->key_len, v) != 0) {
            return nomem(ps);
        }
    } else if (json_array_append_new(f->c, v) != 0) {
        return nomem(ps);
    }
    return true;
}

/*
 * after reads what follows a value in the innermost container: ',' (and
 * the next key) leaves *out NULL for the next value; the closing bracket
 * pops the container into *out.
 */
static bool after(struct parser *ps, json_t **out)
{
    struct frame *f = &ps->stack[ps->depth - 1];
    bool object = json_is_object(f->c);
    int c;

    *out = NULL;
    skip_ws(ps);
    c = peek(ps);
    if (c == ',') {
        ps->pos++;
        skip_ws(ps);
        return object ? read_key(ps, f) : true;
    }
    if (c != (object ? '}' : ']')) {
        return fail(ps, ps->pos, object ? "',' or '}' expected" : "',' or ']' expected");
    }
    ps->pos++;
    ps->depth--;
    *out = f->c;
    return true;
}

/*
 * parse_tree reads the value at pos, nesting through ps->stack rather than
 * the C stack. On failure every open container is freed.
 */
static json_t *parse_tree(struct parser *ps)
{
    json_t *v = NULL;
    bool ok = start_value(ps, &v);

    while (ok) {
        if (v == NULL) { /* a container was opened: its next value */
            ok = start_value(ps, &v);
            continue;
        }
        if (ps->depth == 0) {
            return v;
        }
        if (!attach(ps, v)) {
            v = NULL; /* the container freed it */
            break;
        }
        ok = after(ps, &v);
    }
    json_decref(v);
    /* an open container is not yet in its parent: each is freed on its own */
    for (int d = 0; d < ps->depth; d++) {
        json_decref(ps->stack[d].c);
    }
    return NULL;
}

ward_err json_parse(json_t **out, const uint8_t *in, size_t in_len, char *why, size_t why_cap)
{
    struct parser ps = { .in = in, .len = in_len };
    json_t *v = NULL;
    int c;

    *out = NULL;
    skip_ws(&ps);
    c = peek(&ps);
    if (c != '{' && c != '[') {
        (void)fail(&ps, ps.pos, "'{' or '[' expected");
    } else if ((v = parse_tree(&ps)) != NULL) {
        skip_ws(&ps);
        if (ps.pos != ps.len) {
            json_decref(v);
            v = fail(&ps, ps.pos, "data after the JSON value");
        }
    }
    if (ps.scratch != NULL) {
        OPENSSL_cleanse(ps.scratch, ps.high_water);
        ward_free(ps.scratch);
    }
    if (v == NULL && ps.nomem) {
        (void)snprintf(why, why_cap, "out of memory decoding JSON");
        return WARD_E_NOMEM;
    }
    if (v == NULL) {
        (void)snprintf(why, why_cap, "malformed JSON at byte %zu: %s", ps.err_at, ps.err);
        return WARD_E_BAD_ENCODING;
    }
    *out = v;
    return WARD_OK;
}
