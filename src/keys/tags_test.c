/*
 * tags_test.c - prefetched keys flushed at logoff (tags.c): a key fetched
 * for token A leaves the cache when A's tag is flushed, keys fetched only
 * for others stay; a key shared by two tokens goes with either; a slot
 * past KEYS_SLOT_TAGS tokens goes with any flush; a flushed key is still
 * served (from storage) and can be tagged again. And the FROM/TO
 * ciphertexts DO writes (ops.c party_subkey): they round-trip, a flipped
 * party byte fails, and the body stripped of its header does not open as a
 * raw ciphertext with the header passed as associated data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "barrier/testing.h"
#include "keys/keys.h"
#include "store/store.h"

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_keys *ks;
};

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));
    struct ward_key_params p = { .type = WARD_KEY_AES256_GCM96 };
    bool created = false;

    assert_non_null(f);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_keys_new(&f->ks, f->b, "transit", NULL), WARD_OK);
    assert_int_equal(ward_keys_create(f->ks, &created, "k1", &p), WARD_OK);
    assert_int_equal(ward_keys_create(f->ks, &created, "k2", &p), WARD_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ward_keys_free(f->ks);
    ward_barrier_close(f->b);
    ward_store_close(f->st);
    ward_free(f);
    return 0;
}

/* fetch gets key name for the token whose tag is t (as a DO request does). */
static void fetch(struct fixture *f, const char *name, uint8_t t)
{
    uint8_t tag[WARD_KEYS_TAG_LEN];
    struct ward_key *k = NULL;

    memset(tag, t, sizeof(tag));
    assert_int_equal(ward_keys_get(f->ks, &k, name), WARD_OK);
    ward_keys_tag(f->ks, k, tag);
    ward_key_unref(k);
}

static size_t flush(struct fixture *f, uint8_t t)
{
    uint8_t tag[WARD_KEYS_TAG_LEN];

    memset(tag, t, sizeof(tag));
    return ward_keys_flush_tag(f->ks, tag);
}

static void test_logoff(void **state)
{
    struct fixture *f = *state;
    struct ward_key *k = NULL;

    ward_keys_flush(f->ks);
    fetch(f, "k1", 'A');
    fetch(f, "k2", 'B');
    assert_true(ward_keys_is_cached(f->ks, "k1"));
    assert_true(ward_keys_is_cached(f->ks, "k2"));
    assert_int_equal(flush(f, 'C'), 0); /* nobody fetched anything for C */
    assert_int_equal(flush(f, 'A'), 1);
    assert_false(ward_keys_is_cached(f->ks, "k1"));
    assert_true(ward_keys_is_cached(f->ks, "k2"));
    /* a key held by a request while it is flushed stays usable for that request */
    assert_int_equal(ward_keys_get(f->ks, &k, "k2"), WARD_OK);
    assert_int_equal(flush(f, 'B'), 1);
    assert_false(ward_keys_is_cached(f->ks, "k2"));
    assert_non_null(k->versions[0].material);
    ward_key_unref(k);
    assert_int_equal(ward_keys_cached(f->ks), 0);
    /* served again from storage, and taggable again */
    fetch(f, "k1", 'A');
    assert_true(ward_keys_is_cached(f->ks, "k1"));
    assert_int_equal(flush(f, 'A'), 1);
    assert_false(ward_keys_is_cached(f->ks, "k1"));
}

static void test_shared_and_overflow(void **state)
{
    struct fixture *f = *state;

    ward_keys_flush(f->ks);
    fetch(f, "k1", 'A');
    fetch(f, "k1", 'B');
    fetch(f, "k1", 'B'); /* once per token */
    assert_int_equal(flush(f, 'B'), 1);
    assert_false(ward_keys_is_cached(f->ks, "k1"));
    /* five tokens on one slot of four tags: any flush (even a stranger's) drops it */
    for (int t = 'a'; t < 'a' + 5; t++) {
        fetch(f, "k1", (uint8_t)t);
    }
    fetch(f, "k2", 'z');
    assert_int_equal(flush(f, 'Q'), 1);
    assert_false(ward_keys_is_cached(f->ks, "k1"));
    assert_true(ward_keys_is_cached(f->ks, "k2"));
    /* an untagged fetch after a drop starts a slot with no tags */
    fetch(f, "k1", 'a');
    assert_int_equal(flush(f, 'b'), 0);
    assert_true(ward_keys_is_cached(f->ks, "k1"));
}

static void test_party_ciphertexts(void **state)
{
    struct fixture *f = *state;
    struct ward_key_enc e = { .plaintext = (const uint8_t *)"for bob",
                              .plaintext_len = 7,
                              .format = WARD_CT_MANAGED,
                              .from = "token-alice",
                              .to = "token-bob" };
    struct ward_key *k = NULL;
    struct ward_buf text;
    struct ward_buf pt;
    struct ward_buf raw;
    struct ward_ct ct;
    uint32_t v = 0;
    size_t body_len;
    const uint8_t *body;

    ward_buf_init(&text, 4096);
    ward_buf_init(&pt, 4096);
    ward_buf_init(&raw, 4096);
    assert_int_equal(ward_keys_get(f->ks, &k, "k1"), WARD_OK);
    assert_int_equal(ward_key_encrypt(k, &text, &v, &e), WARD_OK);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_OK);
    assert_string_equal(ct.to, "token-bob");
    assert_int_equal(ward_key_decrypt(k, &pt, &(const struct ward_key_dec){ .ct = &ct }), WARD_OK);
    assert_memory_equal(pt.data, "for bob", 7);
    /* a flipped byte in TO ("token-bob" -> "token-boc") no longer authenticates */
    ct.bin.data[ct.header_len - 1] ^= 1;
    ward_buf_reset(&pt);
    assert_int_equal(ward_key_decrypt(k, &pt, &(const struct ward_key_dec){ .ct = &ct }),
                     WARD_E_DECRYPT_FAILED);
    ct.bin.data[ct.header_len - 1] ^= 1;
    /* stripped to raw, the header as associated data (the managed AAD exactly): refused */
    {
        uint8_t aad[512];
        size_t n = ct.header_len;
        struct ward_ct rct;
        char b64[4096];

        memcpy(aad, ct.bin.data, n);
        memset(aad + n, 0, 8); /* u32 context length 0, u32 associated_data length 0 */
        body = ward_ct_body(&ct, &body_len);
        assert_true(EVP_EncodeBlock((unsigned char *)b64, body, (int)body_len) > 0);
        assert_int_equal(ward_ct_parse(&rct, b64, strlen(b64)), WARD_OK);
        ward_buf_reset(&pt);
        assert_int_equal(
            ward_key_decrypt(k, &pt,
                             &(const struct ward_key_dec){
                                 .ct = &rct, .aad = aad, .aad_len = n + 8, .raw_version = v }),
            WARD_E_DECRYPT_FAILED);
        ward_ct_cleanup(&rct);
    }
    ward_ct_cleanup(&ct);
    ward_key_unref(k);
    ward_buf_cleanup(&raw);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_logoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_and_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_party_ciphertexts, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
