/*
 * tags_test.c - prefetched keys flushed at logoff (tags.c): a key fetched
 * for token A leaves the cache when A's tag is flushed, keys fetched only
 * for others stay; a key shared by two tokens goes with either; a slot
 * past KEYS_SLOT_TAGS tokens goes with any flush; a flushed key is still
 * served (from storage) and can be tagged again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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
    for (uint8_t t = 'a'; t < 'a' + 5; t++) {
        fetch(f, "k1", t);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_logoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_and_overflow, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
