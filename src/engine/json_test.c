/*
 * json_test.c - the strict body parser (json_parse.c) and the compact dumper
 * (json_dump.c): every rule with a case it accepts and one it refuses, and
 * a randomized differential run against Jansson's own json_loadb and
 * json_dumpb on generated documents, valid and damaged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/engine_int.h"
#include "engine/json_int.h"

/* decode runs json_decode_body on a C string; the tree, if any, is freed. */
static ward_err decode(const char *text)
{
    char why[160];
    json_t *v = NULL;
    ward_err err = json_decode_body(&v, (const uint8_t *)text, strlen(text), why, sizeof(why));

    assert_true((err == WARD_OK) == (v != NULL));
    json_decref(v);
    return err;
}

/* decode_n is decode for text with NUL bytes. */
static ward_err decode_n(const char *text, size_t n)
{
    char why[160];
    json_t *v = NULL;
    ward_err err = json_decode_body(&v, (const uint8_t *)text, n, why, sizeof(why));

    json_decref(v);
    return err;
}

/* value_of decodes {"v":<text>} and returns a new reference to v. */
static json_t *value_of(const char *text)
{
    char body[512];
    char why[160];
    json_t *obj = NULL;
    json_t *v;

    (void)snprintf(body, sizeof(body), "{\"v\":%s}", text);
    assert_int_equal(json_decode_body(&obj, (const uint8_t *)body, strlen(body), why, sizeof(why)),
                     WARD_OK);
    v = json_incref(json_object_get(obj, "v"));
    json_decref(obj);
    return v;
}

/* string_is checks that the JSON string text decodes to the bytes want. */
static void string_is(const char *text, const char *want, size_t want_len)
{
    json_t *v = value_of(text);

    assert_true(json_is_string(v));
    assert_int_equal(json_string_length(v), want_len);
    assert_memory_equal(json_string_value(v), want, want_len);
    json_decref(v);
}

static void test_grammar_good(void **state)
{
    static const char *const good[] = {
        "{}",
        " \t\r\n{ \t\r\n} \t\r\n",
        "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false,\"e\":\"\"}",
        "{\"a\":[]}",
        "{\"a\" : [ 1 , -2 , 3.5e-1 ] }",
        "{\"\":0}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(decode(good[i]), WARD_OK);
    }
    /* the empty body is an empty object; other valid tops are not objects */
    assert_int_equal(decode(""), WARD_OK);
    assert_int_equal(decode("[1,2]"), WARD_E_INVALID);
    assert_int_equal(decode(" [] "), WARD_E_INVALID);
}

static void test_grammar(void **state)
{
    static const char *const bad[] = {
        "{,}",
        "{\"a\":1,}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1}}",
        "{\"a\":1} x",
        "{\"a\":1}{}",
        "{/**/}",
        "{\"a\":1}//",
        "{\"a\":01}",
        "{\"a\":-01}",
        "{\"a\":+1}",
        "{\"a\":.5}",
        "{\"a\":1.}",
        "{\"a\":1e}",
        "{\"a\":1e+}",
        "{\"a\":-}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":-Infinity}",
        "{\"a\":tru}",
        "{\"a\":True}",
        "{\"a\":nul}",
        "{\"a\":1 2}",
        "{\"a\":\"x}",
        "{\"a\":\"x\\\"}",
        "{\"a\":[}",
        "{\"a\":{]}",
        "{",
        "[",
        "   ",
        "5",
        "\"s\"",
        "null",
        "{\"a\":1}\v",
        "\xef\xbb\xbf{}",
        "{\"a\":0x10}",
        "{\"a\":1_000}",
        "{\"a\"\f:1}",
        "{\"a\":[1]]",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (decode(bad[i]) != WARD_E_BAD_ENCODING) {
            fail_msg("accepted or misjudged: %s", bad[i]);
        }
    }
    assert_int_equal(decode_n("{}\0", 3), WARD_E_BAD_ENCODING);
    assert_int_equal(decode_n("{\"a\":\"\0\"}", 8), WARD_E_BAD_ENCODING);
    assert_int_equal(decode_n("{\"a\":1\0}", 8), WARD_E_BAD_ENCODING);
}

/* nested builds {"a": [[...[]...]]} with depth containers in all. */
static void nested(char *out, size_t cap, int depth)
{
    size_t n = 0;

    n += (size_t)snprintf(out + n, cap - n, "{\"a\":");
    for (int i = 1; i < depth; i++) {
        out[n++] = '[';
    }
    for (int i = 1; i < depth; i++) {
        out[n++] = ']';
    }
    out[n++] = '}';
    out[n] = '\0';
}

static void test_depth(void **state)
{
    char text[256];
    char why[160];
    json_t *v = NULL;

    (void)state;
    nested(text, sizeof(text), JSON_MAX_DEPTH);
    assert_int_equal(decode(text), WARD_OK);
    nested(text, sizeof(text), JSON_MAX_DEPTH + 1);
    assert_int_equal(json_decode_body(&v, (const uint8_t *)text, strlen(text), why, sizeof(why)),
                     WARD_E_BAD_ENCODING);
    assert_non_null(strstr(why, "nested deeper than 32 levels"));
    /* the depth counts objects too, and only open containers */
    assert_int_equal(decode("{\"a\":[[],[],[],{},{\"b\":[[[]]]}]}"), WARD_OK);
}

static void test_duplicates(void **state)
{
    (void)state;
    assert_int_equal(decode("{\"a\":1,\"a\":1}"), WARD_E_BAD_ENCODING);
    assert_int_equal(decode("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}"), WARD_E_BAD_ENCODING);
    assert_int_equal(decode("{\"a\":1,\"\\u0061\":2}"), WARD_E_BAD_ENCODING);
    assert_int_equal(decode("{\"a\\n\":1,\"a\\u000a\":2}"), WARD_E_BAD_ENCODING);
    assert_int_equal(decode("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":3},{\"a\":4}]}"), WARD_OK);
    assert_int_equal(decode("{\"a\":1,\"A\":2,\"a \":3}"), WARD_OK);
}

static void test_utf8(void **state)
{
    static const char *const good[] = {
        "\"\xc2\x80\"",
        "\"\xdf\xbf\"",
        "\"\xe0\xa0\x80\"",
        "\"\xed\x9f\xbf\"",
        "\"\xee\x80\x80\"",
        "\"\xef\xbf\xbf\"",
        "\"\xf0\x90\x80\x80\"",
        "\"\xf4\x8f\xbf\xbf\"",
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
    };
    static const char *const bad[] = {
        "\"\x80\"",
        "\"\xbf\"",
        "\"\xc0\xaf\"",
        "\"\xc1\xbf\"",
        "\"\xe0\x80\x80\"",
        "\"\xe0\x9f\xbf\"",
        "\"\xed\xa0\x80\"",
        "\"\xed\xbf\xbf\"",
        "\"\xf0\x80\x80\x80\"",
        "\"\xf0\x8f\xbf\xbf\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xf5\x80\x80\x80\"",
        "\"\xff\"",
        "\"\xfe\"",
        "\"\xc3\"",
        "\"\xe2\x82\"",
        "\"\xf0\x9f\x98\"",
        "\"\xc3\x28\"",
        "\"\xe2\x28\xa1\"",
    };
    char body[64];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        json_decref(value_of(good[i]));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        (void)snprintf(body, sizeof(body), "{\"v\":%s}", bad[i]);
        assert_int_equal(decode(body), WARD_E_BAD_ENCODING);
        (void)snprintf(body, sizeof(body), "{%s:1}", bad[i]);
        assert_int_equal(decode(body), WARD_E_BAD_ENCODING);
    }
    /* non-ASCII outside strings, and at the end of a 16-byte block */
    assert_int_equal(decode("{\"a\":1\xc2\xa0}"), WARD_E_BAD_ENCODING);
    string_is("\"0123456789abcd\xc3\xa9\"", "0123456789abcd\xc3\xa9", 16);
}

static void test_strings(void **state)
{
    static const char *const bad[] = {
        "\"\\x\"",
        "\"\\U0041\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\\'\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800x\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800\\ud800\"",
        "\"\\udbff\\ue000\"",
        "\"\\\"",
        "\"\\",
        "\"a\tb\"",
        "\"a\nb\"",
        "\"\x01\"",
        "\"\x1f\"",
        "\"\\ud800\\",
        "\"\\ud800\\u",
    };
    char body[64];

    (void)state;
    string_is("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    string_is("\"\\u0041\\u00e9\\u00E9\\u20ac\"", "A\xc3\xa9\xc3\xa9\xe2\x82\xac", 8);
    string_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
    string_is("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4);
    string_is("\"\\u0001\\u001f\x7f\"", "\x01\x1f\x7f", 3);
    string_is("\"plain text longer than sixteen bytes, with \\\"quotes\\\" inside\"",
              "plain text longer than sixteen bytes, with \"quotes\" inside", 58);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        (void)snprintf(body, sizeof(body), "{\"v\":%s}", bad[i]);
        if (decode(body) != WARD_E_BAD_ENCODING) {
            fail_msg("accepted: %s", body);
        }
    }
}

/* Keys and values with escapes share one scratch buffer; none may clobber another. */
static void test_escaped_keys(void **state)
{
    const char *text = "{\"k\\u0041\":{\"x\\n\":\"v\\tv\",\"y\":\"\\u00e9\",\"z\\\"\":[\"\\/\"]},"
                       "\"q\\\\\":\"w\"}";
    char why[160];
    json_t *v = NULL;
    json_t *inner;

    (void)state;
    assert_int_equal(json_decode_body(&v, (const uint8_t *)text, strlen(text), why, sizeof(why)),
                     WARD_OK);
    inner = json_object_get(v, "kA");
    assert_non_null(inner);
    assert_string_equal(json_string_value(json_object_get(inner, "x\n")), "v\tv");
    assert_string_equal(json_string_value(json_object_get(inner, "y")), "\xc3\xa9");
    assert_string_equal(json_string_value(json_array_get(json_object_get(inner, "z\""), 0)), "/");
    assert_string_equal(json_string_value(json_object_get(v, "q\\")), "w");
    assert_int_equal(json_object_size(v), 2);
    json_decref(v);
}

static void test_numbers(void **state)
{
    static const char *const bad[] = {
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999999",
        "1e309",
        "-1e309",
        "1.7976931348623159e308",
    };
    json_t *v;

    (void)state;
    v = value_of("9223372036854775807");
    assert_true(json_is_integer(v) && json_integer_value(v) == INT64_MAX);
    json_decref(v);
    v = value_of("-9223372036854775808");
    assert_true(json_is_integer(v) && json_integer_value(v) == INT64_MIN);
    json_decref(v);
    v = value_of("-0");
    assert_true(json_is_integer(v) && json_integer_value(v) == 0);
    json_decref(v);
    v = value_of("1.0");
    assert_true(json_is_real(v) && json_real_value(v) == 1.0);
    json_decref(v);
    v = value_of("-2.5E+2");
    assert_true(json_is_real(v) && json_real_value(v) == -250.0);
    json_decref(v);
    v = value_of("1e-400"); /* underflow is accepted, as by Jansson */
    assert_true(json_is_real(v) && json_real_value(v) == 0.0);
    json_decref(v);
    v = value_of("1.7976931348623157e308");
    assert_true(json_is_real(v));
    json_decref(v);
    v = value_of("0.10000000000000000000000000000000000000000000000000000000000000000000001");
    assert_true(json_is_real(v) && json_real_value(v) == 0.1);
    json_decref(v);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[64];

        (void)snprintf(body, sizeof(body), "{\"v\":%s}", bad[i]);
        assert_int_equal(decode(body), WARD_E_BAD_ENCODING);
    }
}

/* Errors say where and what, never what the input held. */
static void test_messages(void **state)
{
    const char *text = "{\"plaintext\":\"c2VjcmV0\",\"x\":\"c2VjcmV0\x01\"}";
    char why[160];
    json_t *v = NULL;

    (void)state;
    assert_int_equal(json_decode_body(&v, (const uint8_t *)text, strlen(text), why, sizeof(why)),
                     WARD_E_BAD_ENCODING);
    assert_string_equal(why, "malformed JSON at byte 37: control character in a string");
    assert_null(strstr(why, "c2Vj"));
    text = "{\"a\":1,\"a\":2}";
    assert_int_equal(json_decode_body(&v, (const uint8_t *)text, strlen(text), why, sizeof(why)),
                     WARD_E_BAD_ENCODING);
    assert_string_equal(why, "malformed JSON at byte 10: duplicate key");
}

/* dump_same checks that json_dump_compact writes what Jansson writes. */
static void dump_same(const json_t *v)
{
    struct ward_buf b;
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
    char *want = n > 0 ? ward_alloc(n) : NULL;

    ward_buf_init(&b, 1 << 24);
    if (n == 0) {
        assert_int_not_equal(json_dump_compact(&b, v), WARD_OK);
    } else {
        assert_non_null(want);
        assert_int_equal(json_dumpb(v, want, n, JSON_COMPACT), n);
        assert_int_equal(json_dump_compact(&b, v), WARD_OK);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, want, n);
    }
    ward_free(want);
    ward_buf_cleanup(&b);
}

static void test_dump(void **state)
{
    static const char all[] = "a\0b\x01\x1f\x7f\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80 "
                              "a run longer than sixteen bytes to copy";
    json_t *o = json_object();
    json_t *a = json_array();
    json_t *bad = json_object();
    struct ward_buf b;

    (void)state;
    assert_int_equal(json_object_set_new(o, "z", json_stringn(all, sizeof(all) - 1)), 0);
    assert_int_equal(json_object_set_new(o, "k\"\n\xc3\xa9", json_integer(INT64_MIN)), 0);
    assert_int_equal(json_object_set_new(o, "a", a), 0);
    assert_int_equal(json_array_append_new(a, json_real(1e20)), 0);
    assert_int_equal(json_array_append_new(a, json_real(0.1)), 0);
    assert_int_equal(json_array_append_new(a, json_real(-3.0)), 0);
    assert_int_equal(json_array_append_new(a, json_real(1e-7)), 0);
    assert_int_equal(json_array_append_new(a, json_true()), 0);
    assert_int_equal(json_array_append_new(a, json_false()), 0);
    assert_int_equal(json_array_append_new(a, json_null()), 0);
    assert_int_equal(json_array_append_new(a, json_object()), 0);
    assert_int_equal(json_array_append_new(a, json_array()), 0);
    assert_int_equal(json_array_append_new(a, json_integer(0)), 0);
    dump_same(o);
    dump_same(a);
    dump_same(bad);
    /* what Jansson cannot write, we refuse too */
    assert_int_equal(json_object_set_new(bad, "s", json_stringn_nocheck("\xc3(", 2)), 0);
    dump_same(bad);
    ward_buf_init(&b, 1 << 20);
    assert_int_not_equal(json_dump_compact(&b, json_object_get(o, "z")), WARD_OK);
    ward_buf_cleanup(&b);
    /* json_dump_to appends a newline; past the buffer's max it is too large */
    ward_buf_init(&b, 1 << 20);
    assert_int_equal(json_dump_to(&b, a), WARD_OK);
    assert_int_equal(b.data[b.len - 1], '\n');
    ward_buf_cleanup(&b);
    ward_buf_init(&b, 8);
    assert_int_equal(json_dump_to(&b, o), WARD_E_TOO_LARGE);
    ward_buf_cleanup(&b);
    json_decref(o);
    json_decref(bad);
}

/* A small deterministic generator (xorshift64*), so a failure reproduces. */
struct gen {
    uint64_t s;
    char *out;
    size_t n;
    size_t cap;
};

static uint32_t gen_next(struct gen *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return (uint32_t)((g->s * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t pick(struct gen *g, uint32_t n)
{
    return gen_next(g) % n;
}

static void put(struct gen *g, const char *s)
{
    size_t k = strlen(s);

    if (g->n + k < g->cap) {
        memcpy(g->out + g->n, s, k);
        g->n += k;
    }
}

/* Pieces of strings, numbers and whitespace: mostly valid, some not. */
static const char *const g_str_bits[] = {
    "a",
    "key",
    "plaintext",
    "QUJDRA==",
    " ",
    "\\n",
    "\\\"",
    "\\\\",
    "\\/",
    "\\u00e9",
    "\\u0041",
    "\\ud83d\\ude00",
    "\xc3\xa9",
    "\xe2\x82\xac",
    "\xf0\x9f\x98\x80",
    "\\u20AC",
    "0123456789abcdefghij",
    "\\ud800",
    "\\u0000",
    "\\x",
    "\xc0\xaf",
    "\xed\xa0\x80",
    "\x01",
    "\x7f",
};
static const char *const g_num_bits[] = {
    "0",
    "-0",
    "7",
    "-12",
    "1.5",
    "-0.0",
    "1e5",
    "2E-3",
    "6.02e+23",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "1e309",
    "1e-400",
    "01",
    "1.",
    ".5",
    "+1",
    "-",
    "1e",
    "0.1e1",
};
static const char *const g_ws_bits[] = {
    "", "", "", " ", "\n", "\t ", "\r\n",
};

/* NOLINTNEXTLINE(misc-no-recursion): no containers past depth 40 (gen_value) */
static void gen_value(struct gen *g, int depth);

static void gen_string(struct gen *g)
{
    uint32_t parts = pick(g, 4);

    put(g, "\"");
    for (uint32_t i = 0; i < parts; i++) {
        /* valid pieces most of the time */
        uint32_t k = pick(g, 8) == 0 ? pick(g, 24) : pick(g, 17);

        put(g, g_str_bits[k]);
    }
    put(g, "\"");
}

/* NOLINTNEXTLINE(misc-no-recursion): no containers past depth 40 (gen_value) */
static void gen_container(struct gen *g, int depth, bool object)
{
    uint32_t members = pick(g, 5);

    put(g, object ? "{" : "[");
    for (uint32_t i = 0; i < members; i++) {
        put(g, i > 0 ? "," : "");
        put(g, g_ws_bits[pick(g, 7)]);
        if (object) {
            gen_string(g);
            put(g, g_ws_bits[pick(g, 7)]);
            put(g, ":");
        }
        gen_value(g, depth + 1);
        put(g, g_ws_bits[pick(g, 7)]);
    }
    put(g, object ? "}" : "]");
}

/* NOLINTNEXTLINE(misc-no-recursion): no containers past depth 40 */
static void gen_value(struct gen *g, int depth)
{
    uint32_t k = pick(g, depth > 40 ? 4 : 8);

    if (k == 0 || k == 3) {
        gen_string(g);
    } else if (k == 1) {
        put(g, pick(g, 6) == 0 ? g_num_bits[pick(g, 21)] : g_num_bits[pick(g, 14)]);
    } else if (k == 2) {
        put(g, pick(g, 2) ? "true" : pick(g, 2) ? "false" : "null");
    } else {
        gen_container(g, depth, k % 2 == 0);
    }
}

/* damage changes a byte or two at random, for the refusal paths. */
static void damage(struct gen *g)
{
    static const char bytes[] = "{}[],:\"\\ 0-eE.u\x00\x80\xff";
    uint32_t times = pick(g, 3);

    for (uint32_t t = 0; t < times && g->n > 0; t++) {
        size_t at = pick(g, (uint32_t)g->n);
        uint32_t how = pick(g, 3);

        if (how == 0) {
            g->out[at] = bytes[pick(g, sizeof(bytes) - 1)];
        } else if (how == 1) {
            memmove(g->out + at, g->out + at + 1, g->n - at - 1);
            g->n--;
        } else if (g->n + 1 < g->cap) {
            memmove(g->out + at + 1, g->out + at, g->n - at);
            g->out[at] = bytes[pick(g, sizeof(bytes) - 1)];
            g->n++;
        }
    }
}

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

/*
 * same_as_jansson: our decision and tree equal Jansson's, with two
 * exceptions where we are stricter on purpose: nesting deeper than
 * JSON_MAX_DEPTH (Jansson allows 2048), and a raw NUL byte anywhere, which
 * Jansson skips when it directly follows a number or a literal
 * ({"a":1<NUL>} is accepted by Jansson 2.14). Returns whether the text was
 * accepted.
 */
static bool same_as_jansson(const uint8_t *in, size_t n)
{
    json_error_t jerr;
    char why[160];
    json_t *ours = NULL;
    json_t *theirs = json_loadb((const char *)in, n, JSON_REJECT_DUPLICATES, &jerr);
    ward_err err = json_parse(&ours, in, n, why, sizeof(why));
    bool ok = err == WARD_OK;

    if (memchr(in, 0, n) != NULL) {
        assert_int_equal(err, WARD_E_BAD_ENCODING);
    } else if (theirs != NULL && text_depth(in, n) > JSON_MAX_DEPTH) {
        assert_int_equal(err, WARD_E_BAD_ENCODING);
        assert_non_null(strstr(why, "nested deeper"));
    } else if ((theirs != NULL) != ok) {
        fail_msg("decision differs (ours %s: %s; Jansson: %s) on %.*s", ward_err_name(err), why,
                 theirs != NULL ? "ok" : jerr.text, (int)n, (const char *)in);
    } else if (ok) {
        assert_true(json_equal(ours, theirs));
        dump_same(ours);
    }
    json_decref(ours);
    json_decref(theirs);
    return ok;
}

static void test_differential(void **state)
{
    char text[8192];
    struct gen g = {
        .s = 0x9E3779B97F4A7C15ULL,
        .out = text,
        .cap = sizeof(text),
    };
    size_t accepted = 0;
    const int rounds = 20000;

    (void)state;
    for (int r = 0; r < rounds; r++) {
        g.n = 0;
        gen_container(&g, 1, pick(&g, 4) != 0);
        if (pick(&g, 3) == 0) {
            damage(&g);
        }
        accepted += same_as_jansson((const uint8_t *)text, g.n) ? 1 : 0;
    }
    print_message("accepted %zu of %d\n", accepted, rounds);
    /* both branches must be exercised well */
    assert_true(accepted > rounds / 10 && accepted < rounds - rounds / 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar_good), cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_depth),        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_utf8),         cmocka_unit_test(test_strings),
        cmocka_unit_test(test_escaped_keys), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_messages),     cmocka_unit_test(test_dump),
        cmocka_unit_test(test_differential),
    };

    json_init_allocator();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
