/*
 * record_test.c - audit record lines and the verifier: the exact line
 * shape, the chain and the MAC, escaping of hostile strings, and every kind
 * of tampering (altered field, deleted, inserted, swapped lines, cut tail,
 * cut mid-line, wrong key, unMACed tail) seen, with the first bad seq.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit_int.h"
#include "crypto/crypto.h"

#define NREC 10

static const uint8_t g_key[WARD_AUDIT_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

struct file {
    uint8_t data[NREC * 1024];
    size_t len;
    size_t line_at[NREC + 2]; /* offset of each line, and the end */
    size_t lines;
    struct ward_audit_head head;
};

static void add(struct file *f, struct audit_chain *ch, enum audit_type t, const char *text,
                bool keyed)
{
    struct ward_buf line;

    ward_buf_init(&line, WARD_AUDIT_MAX_LINE);
    assert_int_equal(audit_line(&line, ch, t, text, strlen(text), keyed ? g_key : NULL), WARD_OK);
    assert_true(f->len + line.len <= sizeof(f->data));
    f->line_at[f->lines++] = f->len;
    memcpy(f->data + f->len, line.data, line.len);
    f->len += line.len;
    f->line_at[f->lines] = f->len;
    f->head.seq = ch->seq - 1;
    memcpy(f->head.hash, ch->prev, sizeof(f->head.hash));
    ward_buf_cleanup(&line);
}

/* make writes a header and NREC-1 records; records [u0, u1) without a MAC. */
static void make(struct file *f, size_t u0, size_t u1)
{
    struct audit_chain ch = { .started = true };
    char text[200];

    memset(f, 0, sizeof(*f));
    memset(ch.start, 0x5a, sizeof(ch.start));
    memcpy(ch.prev, ch.start, sizeof(ch.prev));
    memcpy(f->head.start, ch.start, sizeof(ch.start));
    add(f, &ch, AUDIT_T_HEADER, "\"time\":\"t\",\"node\":\"n\",\"device\":\"file\",\"format\":1",
        true);
    for (size_t i = 1; i < NREC; i++) {
        (void)snprintf(text, sizeof(text), "\"time\":\"t%zu\",\"node\":\"n\",\"path\":\"p%zu\"", i,
                       i);
        add(f, &ch, i % 2 ? AUDIT_T_REQUEST : AUDIT_T_RESPONSE, text, i < u0 || i >= u1);
    }
}

static struct ward_audit_verdict verify(const uint8_t *data, size_t len,
                                        const struct ward_audit_head *head)
{
    struct ward_audit_verdict v;

    assert_int_equal(ward_audit_verify(&v, data, len, g_key, head), WARD_OK);
    return v;
}

static void expect_bad(const uint8_t *data, size_t len, const struct ward_audit_head *head,
                       uint64_t seq)
{
    struct ward_audit_verdict v = verify(data, len, head);

    assert_false(v.intact);
    assert_int_equal(v.bad_seq, seq);
    assert_non_null(v.why);
}

static void test_line_shape(void **state)
{
    struct audit_chain ch = { .started = true };
    struct ward_buf line;
    uint8_t want_hash[WARD_AUDIT_HASH_LEN];
    uint8_t mac[WARD_AUDIT_HASH_LEN];
    char hex[WARD_AUDIT_HEX_LEN + 1];
    size_t at = 0;
    size_t mac_len = 0;
    uint8_t body[512];

    (void)state;
    ward_buf_init(&line, WARD_AUDIT_MAX_LINE);
    ch.seq = 7;
    assert_int_equal(audit_line(&line, &ch, AUDIT_T_REQUEST, "\"x\":1", 5, g_key), WARD_OK);
    assert_memory_equal(line.data, "{\"type\":\"request\",\"seq\":7,\"x\":1,\"prev\":\"0000", 44);
    assert_int_equal(line.data[line.len - 1], '\n');
    assert_int_equal(ch.seq, 8);
    /* prev of the next line = SHA-256 of this one without its newline */
    ward_sha256(want_hash, line.data, line.len - 1);
    assert_memory_equal(ch.prev, want_hash, sizeof(want_hash));
    /* mac = HMAC over the line without ,"mac":"..." */
    assert_int_equal(audit_line_mac(line.data, line.len - 1, &at, &mac_len), WARD_OK);
    assert_int_equal(mac_len, WARD_AUDIT_HEX_LEN);
    memcpy(body, line.data, at);
    body[at] = '}';
    assert_int_equal(ward_hmac_sha256(mac, g_key, sizeof(g_key), body, at + 1), WARD_OK);
    ward_audit_hex(hex, mac, sizeof(mac));
    assert_memory_equal(line.data + at, ",\"mac\":\"", 8);
    assert_memory_equal(line.data + at + 8, hex, WARD_AUDIT_HEX_LEN);
    /* sealed: an empty mac */
    assert_int_equal(audit_line(&line, &ch, AUDIT_T_RESPONSE, "\"x\":2", 5, NULL), WARD_OK);
    assert_memory_equal(line.data + line.len - 11, ",\"mac\":\"\"}\n", 11);
    ward_buf_cleanup(&line);
}

static void test_event_text_escapes_and_hides(void **state)
{
    struct ward_buf t;
    struct ward_audit_event ev = {
        .kind = WARD_AUDIT_RESPONSE,
        .request_id = "r-1",
        .remote_addr = "127.0.0.1:5",
        .method = "POST",
        .operation = "transit.encrypt",
        .path = "transit/encrypt/k\"\\\n\x01\xc3\xa9",
        .key = "k",
        .token = "w.r.SECRET-TOKEN",
        .auth = { .principal = "root", .policies = { "root", "a\"b" }, .num_policies = 2 },
        .status = 503,
        .error = "audit_failed",
        .duration_us = 42,
    };
    json_error_t jerr;
    json_t *o;

    (void)state;
    ward_buf_init(&t, AUDIT_TEXT_MAX);
    assert_int_equal(audit_event_text(&t, &ev, "node-1", "hmac-sha256:ab"), WARD_OK);
    assert_int_equal(ward_buf_append_u8(&t, 0), WARD_OK);
    assert_null(strstr((const char *)t.data, "SECRET"));
    for (size_t i = 0; i + 1 < t.len; i++) {
        assert_true(t.data[i] >= 0x20 && t.data[i] < 0x7f); /* ASCII, no control byte */
    }
    /* wrapped in braces the members are one JSON object with the fields in clear */
    {
        char obj[AUDIT_TEXT_MAX + 3];

        (void)snprintf(obj, sizeof(obj), "{%s}", (const char *)t.data);
        o = json_loads(obj, JSON_REJECT_DUPLICATES, &jerr);
    }
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "path")),
                        "transit/encrypt/k\"\\\n\x01\xc3\x83\xc2\xa9");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(o, "auth"), "accessor_hmac")),
        "hmac-sha256:ab");
    assert_int_equal(json_integer_value(json_object_get(o, "status")), 503);
    assert_int_equal(json_integer_value(json_object_get(o, "duration_us")), 42);
    assert_string_equal(json_string_value(json_object_get(o, "error_code")), "audit_failed");
    json_decref(o);
    ward_buf_cleanup(&t);
}

static void test_intact(void **state)
{
    struct file f;
    struct ward_audit_verdict v;
    uint8_t start[WARD_AUDIT_HASH_LEN];

    (void)state;
    make(&f, NREC, NREC);
    v = verify(f.data, f.len, NULL);
    assert_true(v.intact);
    assert_false(v.anchored);
    assert_int_equal(v.records, NREC);
    assert_int_equal(v.keyed, NREC);
    v = verify(f.data, f.len, &f.head);
    assert_true(v.intact);
    assert_true(v.anchored);
    assert_int_equal(ward_audit_file_start(start, f.data, f.len), WARD_OK);
    assert_memory_equal(start, f.head.start, sizeof(start));
    /* a head older than the end (the file grew since) is fine */
    make(&f, NREC, NREC);
    {
        struct file g;

        make(&g, NREC, NREC);
        g.head.seq = 4;
        ward_sha256(g.head.hash, g.data + g.line_at[4], g.line_at[5] - g.line_at[4] - 1);
        assert_true(verify(g.data, g.len, &g.head).intact);
    }
}

static void test_altered_field(void **state)
{
    struct file f;

    (void)state;
    make(&f, NREC, NREC);
    f.data[f.line_at[3] + 30] ^= 1; /* inside record seq 3 */
    expect_bad(f.data, f.len, NULL, 3);
    make(&f, NREC, NREC);
    f.data[f.line_at[NREC - 1] + 30] ^= 1; /* the last record */
    expect_bad(f.data, f.len, NULL, NREC - 1);
    /* a record without a MAC, altered: the next record's prev gives it away */
    make(&f, 4, 6);
    f.data[(size_t)((uint8_t *)strstr((char *)f.data + f.line_at[4], "\"p4\"") - f.data) + 2] ^= 1;
    expect_bad(f.data, f.len, NULL, 5);
}

/* cut removes line i; insert_copy puts a copy of line j before line i. */
static size_t cut(uint8_t *out, const struct file *f, size_t i)
{
    size_t n = f->line_at[i];

    memcpy(out, f->data, n);
    memcpy(out + n, f->data + f->line_at[i + 1], f->len - f->line_at[i + 1]);
    return f->len - (f->line_at[i + 1] - f->line_at[i]);
}

static void test_deleted_line(void **state)
{
    struct file f;
    uint8_t out[sizeof(f.data)];

    (void)state;
    make(&f, NREC, NREC);
    expect_bad(out, cut(out, &f, 4), NULL, 5);
    expect_bad(out, cut(out, &f, 0), NULL, 1); /* the header: line 1 is record 1 */
}

static void test_inserted_line(void **state)
{
    struct file f;
    uint8_t out[sizeof(f.data) * 2];
    size_t at;
    size_t len;

    (void)state;
    make(&f, NREC, NREC);
    /* a copy of record 2 again after record 5 */
    at = f.line_at[6];
    len = f.line_at[3] - f.line_at[2];
    memcpy(out, f.data, at);
    memcpy(out + at, f.data + f.line_at[2], len);
    memcpy(out + at + len, f.data + at, f.len - at);
    expect_bad(out, f.len + len, NULL, 2);
    /* a forged record with the right seq and prev but made without the key */
    {
        struct audit_chain ch = { .started = true, .seq = 6 };
        struct ward_buf line;
        uint8_t k2[WARD_AUDIT_KEY_LEN] = { 9 };

        ward_sha256(ch.prev, f.data + f.line_at[5], f.line_at[6] - f.line_at[5] - 1);
        ward_buf_init(&line, WARD_AUDIT_MAX_LINE);
        assert_int_equal(audit_line(&line, &ch, AUDIT_T_REQUEST, "\"time\":\"x\"", 10, k2),
                         WARD_OK);
        memcpy(out, f.data, at);
        memcpy(out + at, line.data, line.len);
        memcpy(out + at + line.len, f.data + at, f.len - at);
        expect_bad(out, f.len + line.len, NULL, 6);
        ward_buf_cleanup(&line);
    }
}

static void test_swapped_lines(void **state)
{
    struct file f;
    uint8_t out[sizeof(f.data)];
    size_t a;
    size_t b;

    (void)state;
    make(&f, NREC, NREC);
    a = f.line_at[4] - f.line_at[3];
    b = f.line_at[5] - f.line_at[4];
    memcpy(out, f.data, f.len);
    memcpy(out + f.line_at[3], f.data + f.line_at[4], b);
    memcpy(out + f.line_at[3] + b, f.data + f.line_at[3], a);
    expect_bad(out, f.len, NULL, 4);
}

static void test_truncated(void **state)
{
    struct file f;
    struct ward_audit_verdict v;

    (void)state;
    make(&f, NREC, NREC);
    /* the last record gone: only the head shows it */
    v = verify(f.data, f.line_at[NREC - 1], NULL);
    assert_true(v.intact);
    assert_false(v.anchored);
    expect_bad(f.data, f.line_at[NREC - 1], &f.head, NREC - 1);
    expect_bad(f.data, f.line_at[3], &f.head, NREC - 1);
    /* cut in the middle of a line */
    expect_bad(f.data, f.line_at[6] + 20, NULL, 6);
    expect_bad(f.data, f.len - 1, NULL, NREC - 1); /* only the newline gone */
    expect_bad(f.data, 0, NULL, 0);
    /* a head from another file (same seq, other hash) */
    f.head.hash[0] ^= 1;
    expect_bad(f.data, f.len, &f.head, NREC - 1);
}

static void test_keys_and_unmaced_tail(void **state)
{
    struct file f;
    struct ward_audit_verdict v;
    uint8_t other[WARD_AUDIT_KEY_LEN] = { 1 };

    (void)state;
    make(&f, NREC, NREC);
    assert_int_equal(ward_audit_verify(&v, f.data, f.len, other, NULL), WARD_OK);
    assert_false(v.intact);
    assert_int_equal(v.bad_seq, 0);
    /* records written while sealed, vouched for by a later MACed record */
    make(&f, 3, 6);
    v = verify(f.data, f.len, NULL);
    assert_true(v.intact);
    assert_int_equal(v.keyed, NREC - 3);
    /* ...but at the end only the head can vouch for them */
    make(&f, 6, NREC);
    expect_bad(f.data, f.len, NULL, 6);
    assert_true(verify(f.data, f.len, &f.head).intact);
    /* an unMACed record appended after the head is not vouched for */
    {
        struct ward_audit_head h = f.head;

        h.seq = 5;
        ward_sha256(h.hash, f.data + f.line_at[5], f.line_at[6] - f.line_at[5] - 1);
        expect_bad(f.data, f.len, &h, 6);
    }
}

static void test_garbage(void **state)
{
    static const char *const bad_files[] = {
        "\n",
        "{}\n",
        "[1]\n",
        "{\"type\":\"header\",\"seq\":0,\"time\":\"t\",\"prev\":\"00\",\"mac\":\"\"}\n",
        "{\"type\":\"header\",\"seq\":-1,\"time\":\"t\",\"prev\":\"00\",\"mac\":\"\"}\n",
        "{\"type\":\"x\",\"type\":\"header\"}\n",
        "\xff\xfe\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        expect_bad((const uint8_t *)bad_files[i], strlen(bad_files[i]), NULL, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_shape),
        cmocka_unit_test(test_event_text_escapes_and_hides),
        cmocka_unit_test(test_intact),
        cmocka_unit_test(test_altered_field),
        cmocka_unit_test(test_deleted_line),
        cmocka_unit_test(test_inserted_line),
        cmocka_unit_test(test_swapped_lines),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_keys_and_unmaced_tail),
        cmocka_unit_test(test_garbage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
