/*
 * ctext_test.c - the text forms of ciphertexts: build and parse round trips,
 * and every malformed input the parser must refuse with a stable code.
 */
#include "keys/ctext.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t g_id[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static ward_err parse_str(struct ward_ct *ct, const char *s)
{
    return ward_ct_parse(ct, s, strlen(s));
}

static void test_managed_round_trip(void **state)
{
    struct ward_buf bin;
    struct ward_buf text;
    struct ward_ct ct;
    const uint8_t *body;
    size_t body_len;

    (void)state;
    ward_buf_init(&bin, 4096);
    ward_buf_init(&text, 4096);
    assert_int_equal(
        ward_ct_header(
            &bin, &(const struct ward_ct_head){ 2, g_id, 7, WARD_CT_FLAG_CONTEXT, "alice", "bob" }),
        WARD_OK);
    assert_int_equal(bin.len, WARD_CT_HEADER_FIXED + 1 + 5 + 1 + 3);
    assert_int_equal(ward_buf_append(&bin, "NONCE+CT+TAG", 12), WARD_OK);
    assert_int_equal(ward_ct_text(&text, WARD_CT_MANAGED, 7, bin.data, bin.len), WARD_OK);
    assert_memory_equal(text.data, "ward:v1:", 8);

    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_OK);
    assert_int_equal(ct.format, WARD_CT_MANAGED);
    assert_int_equal(ct.alg, 2);
    assert_memory_equal(ct.key_id, g_id, 16);
    assert_int_equal(ct.version, 7);
    assert_int_equal(ct.flags, WARD_CT_FLAG_CONTEXT | WARD_CT_FLAG_PARTIES);
    assert_string_equal(ct.from, "alice");
    assert_string_equal(ct.to, "bob");
    body = ward_ct_body(&ct, &body_len);
    assert_int_equal(body_len, 12);
    assert_memory_equal(body, "NONCE+CT+TAG", 12);
    ward_ct_cleanup(&ct);
    ward_buf_cleanup(&text);
    ward_buf_cleanup(&bin);
}

static void test_vault_and_raw(void **state)
{
    struct ward_buf text;
    struct ward_ct ct;

    (void)state;
    ward_buf_init(&text, 256);
    assert_int_equal(ward_ct_text(&text, WARD_CT_VAULT, 12, (const uint8_t *)"abc", 3), WARD_OK);
    assert_int_equal(text.len, strlen("vault:v12:YWJj"));
    assert_memory_equal(text.data, "vault:v12:YWJj", text.len);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_OK);
    assert_int_equal(ct.format, WARD_CT_VAULT);
    assert_int_equal(ct.version, 12);
    assert_int_equal(ct.header_len, 0);
    assert_int_equal(ct.bin.len, 3);
    ward_ct_cleanup(&ct);

    assert_int_equal(parse_str(&ct, "YWJj"), WARD_OK);
    assert_int_equal(ct.format, WARD_CT_RAW);
    assert_int_equal(ct.version, 0);
    ward_ct_cleanup(&ct);
    ward_buf_cleanup(&text);
}

static void test_refusals(void **state)
{
    static const struct {
        const char *text;
        ward_err err;
    } cases[] = {
        { "", WARD_E_BAD_CIPHERTEXT },
        { "vault:v1:", WARD_E_BAD_CIPHERTEXT },
        { "vault:v0:YWJj", WARD_E_BAD_CIPHERTEXT },
        { "vault:v:YWJj", WARD_E_BAD_CIPHERTEXT },
        { "vault:v1YWJj", WARD_E_BAD_CIPHERTEXT },
        { "vault:v99999999999:YWJj", WARD_E_BAD_CIPHERTEXT },
        { "vault:v1:YWJ", WARD_E_BAD_CIPHERTEXT },
        { "vault:v1:YW Jj", WARD_E_BAD_CIPHERTEXT },
        { "vault:v1:YWJk=", WARD_E_BAD_CIPHERTEXT },
        { "ward:v2:AQ==", WARD_E_BAD_VERSION },
        { "ward:v1:Ag==", WARD_E_BAD_VERSION },    /* binary format 2 */
        { "ward:v1:AQ==", WARD_E_BAD_CIPHERTEXT }, /* header truncated */
        { "ward:v1:", WARD_E_BAD_CIPHERTEXT },
        { "ward:x1:AQ==", WARD_E_BAD_CIPHERTEXT },
        { "%%%%", WARD_E_BAD_CIPHERTEXT },
    };
    struct ward_ct ct;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ward_err err = parse_str(&ct, cases[i].text);

        if (err != cases[i].err) {
            fail_msg("case %zu (%s): got %d, want %d", i, cases[i].text, err, cases[i].err);
        }
        ward_ct_cleanup(&ct);
    }
}

/* A header with a bad party name, unknown flags or version 0 is refused. */
static void test_bad_headers(void **state)
{
    struct ward_buf bin;
    struct ward_buf text;
    struct ward_ct ct;

    (void)state;
    ward_buf_init(&bin, 256);
    ward_buf_init(&text, 512);
    assert_int_equal(
        ward_ct_header(&bin, &(const struct ward_ct_head){ 1, g_id, 1, 0, "alice", NULL }),
        WARD_E_INVALID);
    assert_int_equal(
        ward_ct_header(&bin, &(const struct ward_ct_head){ 1, g_id, 1, 0, "al ice", "bob" }),
        WARD_E_INVALID);
    ward_buf_reset(&bin);
    bin.len = 0;

    /* hand-made: parties flag with a control byte in the name */
    assert_int_equal(
        ward_ct_header(&bin, &(const struct ward_ct_head){ 1, g_id, 1, 0, "alice", "bob" }),
        WARD_OK);
    bin.data[WARD_CT_HEADER_FIXED + 1] = 0x01;
    assert_int_equal(ward_ct_text(&text, WARD_CT_MANAGED, 1, bin.data, bin.len), WARD_OK);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_E_BAD_CIPHERTEXT);
    ward_ct_cleanup(&ct);

    /* unknown flag bit */
    bin.data[WARD_CT_HEADER_FIXED + 1] = 'a';
    bin.data[WARD_CT_HEADER_FIXED - 1] |= 0x80;
    text.len = 0;
    assert_int_equal(ward_ct_text(&text, WARD_CT_MANAGED, 1, bin.data, bin.len), WARD_OK);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_E_BAD_CIPHERTEXT);
    ward_ct_cleanup(&ct);

    /* party length past the end */
    bin.data[WARD_CT_HEADER_FIXED - 1] &= 0x7f;
    bin.data[WARD_CT_HEADER_FIXED] = 200;
    text.len = 0;
    assert_int_equal(ward_ct_text(&text, WARD_CT_MANAGED, 1, bin.data, bin.len), WARD_OK);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_E_BAD_CIPHERTEXT);
    ward_ct_cleanup(&ct);
    ward_buf_cleanup(&text);
    ward_buf_cleanup(&bin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_managed_round_trip),
        cmocka_unit_test(test_vault_and_raw),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bad_headers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
