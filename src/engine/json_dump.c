/*
 * json_dump.c - compact JSON text of a Jansson tree, for json_dump_to.
 *
 * Why: Jansson's dumper decodes every string a code point at a time
 * (~135 MB/s); a batch answer of 100 ciphertexts is 140 KB of base64. Here a
 * string is copied in runs between the bytes that need an escape, found 16
 * bytes at a time (json_scan_plain), and UTF-8 is checked only where a byte
 * is not ASCII.
 *
 * The text is Jansson's json_dump_callback(JSON_COMPACT) byte for byte (the
 * fuzz target fuzz_json compares them): keys in the object's iteration
 * order, no spaces, '/' and non-ASCII as is, the short escapes \" \\ \b \f
 * \n \r \t and \u00XX (upper-case hex) for the other control bytes, integers
 * in decimal, reals as Jansson writes them (it does the formatting), and the
 * same refusals: invalid UTF-8 in a string or key, a scalar top level.
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "json_int.h"

/*
 * Deeper trees are refused (Jansson has no limit): parsed bodies are at most
 * JSON_MAX_DEPTH deep and answers wrap them in two or three levels. Also
 * stops a cycle, which Jansson refuses too.
 */
#define DUMP_MAX_DEPTH 128

/*
 * The tree is walked without recursion, twice: once to estimate the text's
 * size, once to write it. A walk reports each step to one of these.
 */
struct walk_ops {
    ward_err (*punct)(void *ctx, uint8_t c);                /* { } [ ] , : */
    ward_err (*string)(void *ctx, const char *s, size_t n); /* keys and strings */
    ward_err (*scalar)(void *ctx, const json_t *v);         /* numbers, literals */
};

/* An open object or array: its iterator (object) or next index (array). */
struct walk_frame {
    json_t *c; /* Jansson's iteration API is not const; nothing is changed */
    void *it;
    size_t i;
};

/* put_escape appends the escape of c, an ASCII byte that needs one. */
static ward_err put_escape(struct ward_buf *b, uint8_t c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = { '\\', (char)c, 0, 0, 0, 0 };
    size_t n = 2;

    switch (c) {
    case '"':
    case '\\':
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    default:
        e[1] = 'u';
        e[2] = '0';
        e[3] = '0';
        e[4] = hex[c >> 4];
        e[5] = hex[c & 0xF];
        n = 6;
        break;
    }
    return ward_buf_append(b, e, n);
}

/* dump_string appends s (n bytes) quoted; WARD_E_INVALID if not UTF-8. */
static ward_err dump_string(struct ward_buf *b, const uint8_t *s, size_t n)
{
    size_t i = 0;
    size_t run = 0; /* the first byte not yet appended */
    size_t k;
    ward_err err;

    if ((err = ward_buf_append_u8(b, '"')) != WARD_OK) {
        return err;
    }
    while ((i = json_scan_plain(s, i, n)) < n) {
        if (s[i] >= 0x80) {
            if ((k = json_utf8_len(s + i, n - i)) == 0) {
                return WARD_E_INVALID;
            }
            i += k;
            continue;
        }
        if ((err = ward_buf_append(b, s + run, i - run)) != WARD_OK ||
            (err = put_escape(b, s[i])) != WARD_OK) {
            return err;
        }
        run = ++i;
    }
    if ((err = ward_buf_append(b, s + run, n - run)) != WARD_OK) {
        return err;
    }
    return ward_buf_append_u8(b, '"');
}

/* dump_scalar: numbers and literals. Reals are Jansson's own text. */
static ward_err dump_scalar(struct ward_buf *b, const json_t *v)
{
    char text[64];
    size_t n;
    int r;

    switch (json_typeof(v)) {
    case JSON_INTEGER:
        r = snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        n = r > 0 ? (size_t)r : 0;
        break;
    case JSON_REAL:
        n = json_dumpb(v, text, sizeof(text), JSON_ENCODE_ANY | JSON_COMPACT);
        break;
    case JSON_TRUE:
        return ward_buf_append(b, "true", 4);
    case JSON_FALSE:
        return ward_buf_append(b, "false", 5);
    case JSON_NULL:
        return ward_buf_append(b, "null", 4);
    default:
        return WARD_E_INVALID;
    }
    if (n == 0 || n >= sizeof(text)) {
        return WARD_E_INVALID;
    }
    return ward_buf_append(b, text, n);
}

/* emit reports v: a scalar or string whole, a container by its opening. */
static ward_err emit(const struct walk_ops *ops, void *ctx, const json_t *v)
{
    if (json_is_string(v)) {
        return ops->string(ctx, json_string_value(v), json_string_length(v));
    }
    if (json_is_object(v)) {
        return ops->punct(ctx, '{');
    }
    if (json_is_array(v)) {
        return ops->punct(ctx, '[');
    }
    return ops->scalar(ctx, v);
}

/*
 * next_child returns the next value of the open container f (after its
 * separator, and for an object its key, have been reported), or NULL once
 * all were.
 */
static const json_t *next_child(const struct walk_ops *ops, void *ctx, struct walk_frame *f,
                                ward_err *err)
{
    const json_t *v = NULL;
    bool first;

    if (json_is_object(f->c)) {
        first = f->i++ == 0;
        f->it = first ? json_object_iter(f->c) : json_object_iter_next(f->c, f->it);
        if (f->it == NULL) {
            return NULL;
        }
        if ((*err = first ? WARD_OK : ops->punct(ctx, ',')) == WARD_OK &&
            (*err = ops->string(ctx, json_object_iter_key(f->it),
                                json_object_iter_key_len(f->it))) == WARD_OK) {
            *err = ops->punct(ctx, ':');
        }
        v = json_object_iter_value(f->it);
    } else if (f->i < json_array_size(f->c)) {
        *err = f->i > 0 ? ops->punct(ctx, ',') : WARD_OK;
        v = json_array_get(f->c, f->i++);
    }
    return v;
}

/*
 * advance finds the next value to report: the next child of the innermost
 * open container, closing every container that has none left; NULL when the
 * walk is done (or *err is set).
 */
static const json_t *advance(const struct walk_ops *ops, void *ctx, struct walk_frame *st,
                             int *depth, ward_err *err)
{
    const json_t *v = NULL;

    *err = WARD_OK;
    while (*depth > 0 && (v = next_child(ops, ctx, &st[*depth - 1], err)) == NULL &&
           *err == WARD_OK) {
        *err = ops->punct(ctx, json_is_object(st[*depth - 1].c) ? '}' : ']');
        (*depth)--;
    }
    return *err == WARD_OK && *depth > 0 ? v : NULL;
}

/* walk reports root (an object or an array) step by step, depth first. */
static ward_err walk(const struct walk_ops *ops, void *ctx, const json_t *root)
{
    struct walk_frame st[DUMP_MAX_DEPTH];
    const json_t *v = root;
    int depth = 0;
    ward_err err = WARD_OK;

    while (v != NULL) {
        if ((err = emit(ops, ctx, v)) != WARD_OK) {
            return err;
        }
        if (json_is_object(v) || json_is_array(v)) {
            if (depth == DUMP_MAX_DEPTH) {
                return WARD_E_INVALID;
            }
            st[depth++] = (struct walk_frame){ .c = (json_t *)v };
        }
        v = advance(ops, ctx, st, &depth, &err);
    }
    return err;
}

static ward_err put_punct(void *ctx, uint8_t c)
{
    return ward_buf_append_u8(ctx, c);
}

static ward_err put_string(void *ctx, const char *s, size_t n)
{
    return dump_string(ctx, (const uint8_t *)s, n);
}

static ward_err put_scalar(void *ctx, const json_t *v)
{
    return dump_scalar(ctx, v);
}

/*
 * The estimate is the text's length if no string needs an escape
 * (saturating). Reserving it once up front spares the buffer's doublings,
 * each a copy and a wipe of everything so far: for a 140 KB answer they
 * cost more than writing the text.
 */
static void add_size(size_t *total, size_t n)
{
    *total = n > SIZE_MAX - *total ? SIZE_MAX : *total + n;
}

static ward_err size_punct(void *ctx, uint8_t c)
{
    (void)c;
    add_size(ctx, 1);
    return WARD_OK;
}

static ward_err size_string(void *ctx, const char *s, size_t n)
{
    (void)s;
    add_size(ctx, n > SIZE_MAX - 2 ? SIZE_MAX : n + 2);
    return WARD_OK;
}

static ward_err size_scalar(void *ctx, const json_t *v)
{
    (void)v;
    add_size(ctx, 24); /* the longest integer or real Jansson writes */
    return WARD_OK;
}

ward_err json_dump_compact(struct ward_buf *out, const json_t *v)
{
    static const struct walk_ops size_ops = { size_punct, size_string, size_scalar };
    static const struct walk_ops dump_ops = { put_punct, put_string, put_scalar };
    size_t want = 0;
    ward_err err;

    if (!json_is_object(v) && !json_is_array(v)) {
        return WARD_E_INVALID;
    }
    /* + 1: json_dump_to's newline; a text that may not fit grows as it goes */
    if ((err = walk(&size_ops, &want, v)) != WARD_OK) {
        return err;
    }
    if (want < out->max - out->len && (err = ward_buf_reserve(out, want + 1)) != WARD_OK) {
        return err;
    }
    return walk(&dump_ops, out, v);
}
