/*
 * keys_test.c - named keys on a real barrier over the memory store: every
 * type encrypts or signs and round-trips, rotation and minimum versions,
 * lifecycle states, allowed operations, tampered and foreign ciphertexts,
 * derived and convergent keys, SIV determinism, hidden names, the cache
 * (a deleted key is unusable at once although cached), trim, backup and
 * restore, and the stored record's decoder against bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "barrier/testing.h"
#include "crypto/crypto.h"
#include "keys/keys_int.h"
#include "store/store.h"

struct fixture {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_keys *ks;
};

static int setup(void **state)
{
    struct fixture *f = ward_calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ward_test_barrier_open(&f->st, &f->b, NULL, NULL), WARD_OK);
    assert_int_equal(ward_keys_new(&f->ks, f->b, "transit", NULL), WARD_OK);
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

static void create(struct fixture *f, const char *name, enum ward_key_type type, uint32_t flags)
{
    struct ward_key_params p = { .type = type, .flags = flags };
    bool created = false;

    assert_int_equal(ward_keys_create(f->ks, &created, name, &p), WARD_OK);
    assert_true(created);
}

/* encrypt_str encrypts s under name into text (NUL-terminated). */
/* How encrypt_str encrypts: context (NULL = none), form and version (0 = current). */
struct enc_opt {
    const char *context;
    enum ward_ct_format format;
    uint32_t version;
};

static ward_err encrypt_str(struct fixture *f, struct ward_buf *text, const char *name,
                            const char *s, struct enc_opt o)
{
    const char *context = o.context;
    enum ward_ct_format format = o.format;
    uint32_t version = o.version;
    struct ward_key_enc e = { .plaintext = (const uint8_t *)s,
                              .plaintext_len = strlen(s),
                              .context = (const uint8_t *)context,
                              .context_len = context != NULL ? strlen(context) : 0,
                              .version = version,
                              .format = format };
    struct ward_key *k = NULL;
    uint32_t v = 0;
    ward_err err;

    text->len = 0;
    if ((err = ward_keys_get(f->ks, &k, name)) != WARD_OK) {
        return err;
    }
    err = ward_key_encrypt(k, text, &v, &e);
    ward_key_unref(k);
    if (err == WARD_OK) {
        assert_int_equal(ward_buf_terminate(text), WARD_OK);
    }
    return err;
}

static ward_err decrypt_str(struct fixture *f, struct ward_buf *out, const char *name,
                            const char *text, const char *context, uint32_t raw_version)
{
    struct ward_key *k = NULL;
    struct ward_ct ct;
    ward_err err;

    out->len = 0;
    if ((err = ward_ct_parse(&ct, text, strlen(text))) != WARD_OK) {
        ward_ct_cleanup(&ct);
        return err;
    }
    err = name != NULL ? ward_keys_get(f->ks, &k, name) : ward_keys_get_by_id(f->ks, &k, ct.key_id);
    if (err == WARD_OK) {
        err = ward_key_decrypt(k, out,
                               &(const struct ward_key_dec){ &ct, (const uint8_t *)context,
                                                             context != NULL ? strlen(context) : 0,
                                                             NULL, 0, raw_version });
    }
    ward_key_unref(k);
    ward_ct_cleanup(&ct);
    if (err == WARD_OK) {
        assert_int_equal(ward_buf_terminate(out), WARD_OK);
    }
    return err;
}

static void test_aead_types_round_trip(void **state)
{
    static const enum ward_key_type types[] = { WARD_KEY_AES128_GCM96, WARD_KEY_AES256_GCM96,
                                                WARD_KEY_CHACHA20_POLY1305, WARD_KEY_AES256_SIV };

    static const enum ward_ct_format formats[] = { WARD_CT_MANAGED, WARD_CT_VAULT, WARD_CT_RAW };
    struct fixture *f = *state;
    struct ward_buf text;
    struct ward_buf pt;

    ward_buf_init(&text, 4096);
    ward_buf_init(&pt, 4096);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char name[32];

        (void)snprintf(name, sizeof(name), "k%zu", i);
        create(f, name, types[i], 0);
        for (size_t j = 0; j < sizeof(formats) / sizeof(formats[0]); j++) {
            assert_int_equal(encrypt_str(f, &text, name, "attack at dawn",
                                         (struct enc_opt){ NULL, formats[j], 0 }),
                             WARD_OK);
            assert_null(strstr((const char *)text.data, "attack"));
            assert_int_equal(decrypt_str(f, &pt, name, (const char *)text.data, NULL, 1), WARD_OK);
            assert_string_equal((const char *)pt.data, "attack at dawn");
        }
        /* managed: decrypts without naming the key */
        assert_int_equal(
            encrypt_str(f, &text, name, "by id", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
            WARD_OK);
        assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, NULL, 0), WARD_OK);
        assert_string_equal((const char *)pt.data, "by id");
    }
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
}

/* Every single flipped bit of a managed ciphertext is refused. */
static void test_tampered_and_foreign(void **state)
{
    struct fixture *f = *state;
    struct ward_buf text;
    struct ward_buf other;
    struct ward_buf pt;
    struct ward_ct ct;

    ward_buf_init(&text, 4096);
    ward_buf_init(&other, 4096);
    ward_buf_init(&pt, 4096);
    create(f, "a", WARD_KEY_AES256_GCM96, 0);
    create(f, "b", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(
        encrypt_str(f, &text, "a", "secret", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(ward_ct_parse(&ct, (const char *)text.data, text.len), WARD_OK);
    for (size_t i = 0; i < ct.bin.len * 8; i++) {
        struct ward_key *k = NULL;

        ct.bin.data[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(ward_keys_get(f->ks, &k, "a"), WARD_OK);
        pt.len = 0;
        assert_int_not_equal(ward_key_decrypt(k, &pt, &(const struct ward_key_dec){ .ct = &ct }),
                             WARD_OK);
        assert_int_equal(pt.len, 0);
        ward_key_unref(k);
        ct.bin.data[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    ward_ct_cleanup(&ct);

    /* another key's ciphertext, named with this key */
    assert_int_equal(
        encrypt_str(f, &other, "b", "secret", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "a", (const char *)other.data, NULL, 0),
                     WARD_E_DECRYPT_FAILED);
    assert_int_equal(
        encrypt_str(f, &other, "b", "secret", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "a", (const char *)other.data, NULL, 0),
                     WARD_E_DECRYPT_FAILED);
    /* truncated */
    other.data[other.len - 4] = '\0';
    assert_int_not_equal(decrypt_str(f, &pt, "b", (const char *)other.data, NULL, 0), WARD_OK);
    /* raw needs its version */
    assert_int_equal(
        encrypt_str(f, &other, "b", "secret", (struct enc_opt){ NULL, WARD_CT_RAW, 0 }), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "b", (const char *)other.data, NULL, 0),
                     WARD_E_KEY_VERSION);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&other);
    ward_buf_cleanup(&text);
}

static void test_rotation_and_min_versions(void **state)
{
    struct fixture *f = *state;
    struct ward_key_update u = { .has_min_decryption_version = true, .min_decryption_version = 2 };
    struct ward_buf v1;
    struct ward_buf v2;
    struct ward_buf pt;
    uint32_t version = 0;

    ward_buf_init(&v1, 4096);
    ward_buf_init(&v2, 4096);
    ward_buf_init(&pt, 4096);
    create(f, "r", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(encrypt_str(f, &v1, "r", "one", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_memory_equal(v1.data, "vault:v1:", 9);
    assert_int_equal(ward_keys_rotate(f->ks, &version, "r", false, NULL, 0), WARD_OK);
    assert_int_equal(version, 2);
    assert_int_equal(encrypt_str(f, &v2, "r", "two", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_memory_equal(v2.data, "vault:v2:", 9);
    assert_int_equal(decrypt_str(f, &pt, "r", (const char *)v1.data, NULL, 0), WARD_OK);
    assert_string_equal((const char *)pt.data, "one");

    assert_int_equal(ward_keys_update(f->ks, "r", &u), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "r", (const char *)v1.data, NULL, 0), WARD_E_KEY_VERSION);
    assert_int_equal(decrypt_str(f, &pt, "r", (const char *)v2.data, NULL, 0), WARD_OK);
    /* encrypting under a version below the minimum is refused */
    assert_int_equal(encrypt_str(f, &v1, "r", "x", (struct enc_opt){ NULL, WARD_CT_VAULT, 3 }),
                     WARD_E_KEY_VERSION);

    /* trim removes version 1; it cannot go past min_decryption_version */
    assert_int_equal(ward_keys_trim(f->ks, "r", 3), WARD_E_INVALID);
    assert_int_equal(ward_keys_trim(f->ks, "r", 2), WARD_OK);
    {
        struct ward_key *k = NULL;

        assert_int_equal(ward_keys_get(f->ks, &k, "r"), WARD_OK);
        assert_int_equal(k->num_versions, 1);
        assert_null(ward_key_find_version(k, 1));
        ward_key_unref(k);
    }
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&v2);
    ward_buf_cleanup(&v1);
}

/* old/current/new: a pre-active new version is not used until activated. */
static void test_lifecycle(void **state)
{
    struct fixture *f = *state;
    struct ward_buf text;
    struct ward_buf pt;
    uint32_t version = 0;

    ward_buf_init(&text, 4096);
    ward_buf_init(&pt, 4096);
    create(f, "l", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(ward_keys_rotate(f->ks, &version, "l", true, NULL, 0), WARD_OK);
    assert_int_equal(version, 2);
    assert_int_equal(encrypt_str(f, &text, "l", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_memory_equal(text.data, "vault:v1:", 9);
    assert_int_equal(encrypt_str(f, &text, "l", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 2 }),
                     WARD_E_KEY_STATE);
    assert_int_equal(ward_keys_set_state(f->ks, "l", 2, WARD_KSTATE_ACTIVE), WARD_OK);
    assert_int_equal(encrypt_str(f, &text, "l", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_memory_equal(text.data, "vault:v2:", 9);

    /* deactivated: decrypt yes, encrypt no */
    assert_int_equal(ward_keys_set_state(f->ks, "l", 2, WARD_KSTATE_DEACTIVATED), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "l", (const char *)text.data, NULL, 0), WARD_OK);
    assert_int_equal(encrypt_str(f, &pt, "l", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 2 }),
                     WARD_E_KEY_STATE);
    /* KMIP does not go back */
    assert_int_equal(ward_keys_set_state(f->ks, "l", 2, WARD_KSTATE_ACTIVE), WARD_E_KEY_STATE);
    /* destroyed: the material is gone, nothing works */
    assert_int_equal(ward_keys_set_state(f->ks, "l", 2, WARD_KSTATE_DESTROYED), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "l", (const char *)text.data, NULL, 0), WARD_E_KEY_STATE);
    assert_int_equal(ward_keys_set_state(f->ks, "l", 9, WARD_KSTATE_DESTROYED), WARD_E_KEY_VERSION);
    /* key-wide compromised: decrypt only */
    assert_int_equal(ward_keys_set_state(f->ks, "l", 0, WARD_KSTATE_COMPROMISED), WARD_OK);
    assert_int_equal(encrypt_str(f, &text, "l", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 1 }),
                     WARD_E_KEY_STATE);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
}

static void test_allowed_ops(void **state)
{
    struct fixture *f = *state;
    struct ward_key_params p = { .type = WARD_KEY_AES256_GCM96, .allowed_ops = WARD_KOP_ENCRYPT };
    struct ward_key_update u = { .has_allowed_ops = true, .allowed_ops = WARD_KOP_DECRYPT };
    struct ward_buf text;
    struct ward_buf pt;
    bool created;

    ward_buf_init(&text, 4096);
    ward_buf_init(&pt, 4096);
    assert_int_equal(ward_keys_create(f->ks, &created, "archive", &p), WARD_OK);
    assert_int_equal(
        encrypt_str(f, &text, "archive", "p", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "archive", (const char *)text.data, NULL, 0),
                     WARD_E_OP_NOT_ALLOWED);
    assert_int_equal(ward_keys_update(f->ks, "archive", &u), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "archive", (const char *)text.data, NULL, 0), WARD_OK);
    assert_int_equal(
        encrypt_str(f, &text, "archive", "p", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_E_OP_NOT_ALLOWED);
    /* an op the type cannot do is refused at create */
    p.allowed_ops = WARD_KOP_SIGN;
    assert_int_equal(ward_keys_create(f->ks, &created, "bad", &p), WARD_E_INVALID);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
}

static void test_derived_convergent_siv(void **state)
{
    struct fixture *f = *state;
    struct ward_buf a;
    struct ward_buf b;
    struct ward_buf pt;

    ward_buf_init(&a, 4096);
    ward_buf_init(&b, 4096);
    ward_buf_init(&pt, 4096);
    create(f, "d", WARD_KEY_AES256_GCM96, WARD_KFLAG_DERIVED);
    assert_int_equal(encrypt_str(f, &a, "d", "p", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
                     WARD_E_CONTEXT_REQUIRED);
    assert_int_equal(encrypt_str(f, &a, "d", "p", (struct enc_opt){ "ctx-1", WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "d", (const char *)a.data, "ctx-2", 0),
                     WARD_E_DECRYPT_FAILED);
    assert_int_equal(decrypt_str(f, &pt, "d", (const char *)a.data, "ctx-1", 0), WARD_OK);

    create(f, "c", WARD_KEY_AES256_GCM96, WARD_KFLAG_DERIVED | WARD_KFLAG_CONVERGENT);
    assert_int_equal(encrypt_str(f, &a, "c", "same", (struct enc_opt){ "ctx", WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_int_equal(encrypt_str(f, &b, "c", "same", (struct enc_opt){ "ctx", WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_string_equal((const char *)a.data, (const char *)b.data);
    assert_int_equal(encrypt_str(f, &b, "c", "same", (struct enc_opt){ "ctx2", WARD_CT_VAULT, 0 }),
                     WARD_OK);
    assert_string_not_equal((const char *)a.data, (const char *)b.data);

    create(f, "s", WARD_KEY_AES256_SIV, 0);
    assert_int_equal(
        encrypt_str(f, &a, "s", "card 4111", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(
        encrypt_str(f, &b, "s", "card 4111", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_string_equal((const char *)a.data, (const char *)b.data);
    /* managed: the context is authenticated even for a key that is not derived */
    assert_int_equal(
        encrypt_str(f, &a, "s", "x", (struct enc_opt){ "tenant-a", WARD_CT_MANAGED, 0 }), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "s", (const char *)a.data, "tenant-b", 0),
                     WARD_E_DECRYPT_FAILED);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&b);
    ward_buf_cleanup(&a);
}

static void test_sign_verify_hmac(void **state)
{
    static const enum ward_key_type types[] = { WARD_KEY_ED25519, WARD_KEY_ECDSA_P256,
                                                WARD_KEY_ECDSA_P384, WARD_KEY_RSA2048 };
    struct fixture *f = *state;
    struct ward_buf sig;

    ward_buf_init(&sig, 8192);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct ward_key_sig s = { .hash = WARD_HASH_SHA2_256,
                                  .padding = WARD_SIG_PSS,
                                  .in = (const uint8_t *)"message",
                                  .in_len = 7 };
        struct ward_key *k = NULL;
        char name[16];
        uint32_t v = 0;
        bool valid = false;

        (void)snprintf(name, sizeof(name), "sig%zu", i);
        create(f, name, types[i], 0);
        assert_int_equal(ward_keys_get(f->ks, &k, name), WARD_OK);
        for (int jws = 0; jws < 2; jws++) {
            s.jws = jws;
            sig.len = 0;
            assert_int_equal(ward_key_sign(k, &sig, &v, &s), WARD_OK);
            assert_int_equal(v, 1);
            assert_int_equal(ward_key_verify(k, &valid, (const char *)sig.data, sig.len, &s),
                             WARD_OK);
            assert_true(valid);
            s.in = (const uint8_t *)"massage";
            assert_int_equal(ward_key_verify(k, &valid, (const char *)sig.data, sig.len, &s),
                             WARD_OK);
            assert_false(valid);
            s.in = (const uint8_t *)"message";
        }
        /* a signing key does not encrypt, except RSA (OAEP) */
        {
            struct ward_key_enc e = { .plaintext = (const uint8_t *)"x",
                                      .plaintext_len = 1,
                                      .format = WARD_CT_MANAGED };

            assert_int_equal(ward_key_encrypt(k, &sig, &v, &e),
                             types[i] == WARD_KEY_RSA2048 ? WARD_OK : WARD_E_KEY_TYPE);
        }
        ward_key_unref(k);
    }

    ward_buf_cleanup(&sig);
}

/* HMAC keys of a chosen size; verify is constant time and hash-bound. */
static void test_hmac(void **state)
{
    static const struct ward_key_mac mac512 = { 0, WARD_HASH_SHA2_512, (const uint8_t *)"data", 4 };
    static const struct ward_key_mac mac256 = { 0, WARD_HASH_SHA2_256, (const uint8_t *)"data", 4 };
    struct fixture *f = *state;
    struct ward_key_params p = { .type = WARD_KEY_HMAC, .key_size = 64 };
    struct ward_key *k = NULL;
    struct ward_buf sig;
    bool created;
    bool valid = false;
    uint32_t v = 0;

    ward_buf_init(&sig, 8192);
    assert_int_equal(ward_keys_create(f->ks, &created, "mac", &p), WARD_OK);
    assert_int_equal(ward_keys_get(f->ks, &k, "mac"), WARD_OK);
    assert_int_equal(k->versions[0].material->len, 64);
    assert_int_equal(ward_key_hmac(k, &sig, &v, &mac512), WARD_OK);
    assert_int_equal(ward_key_hmac_verify(k, &valid, (const char *)sig.data, sig.len, &mac512),
                     WARD_OK);
    assert_true(valid);
    assert_int_equal(ward_key_hmac_verify(k, &valid, (const char *)sig.data, sig.len, &mac256),
                     WARD_OK);
    assert_false(valid);
    ward_key_unref(k);
    ward_buf_cleanup(&sig);
}

/* The cache: a deleted key is unusable at once, though it was cached. */
static void test_cache_delete_and_flush(void **state)
{
    struct fixture *f = *state;
    struct ward_key_update u = { .has_deletion_allowed = true, .deletion_allowed = true };
    struct ward_buf text;
    struct ward_key *k = NULL;

    ward_buf_init(&text, 4096);
    create(f, "gone", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(
        encrypt_str(f, &text, "gone", "p", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }), WARD_OK);
    assert_true(ward_keys_cached(f->ks) >= 1);
    assert_int_equal(ward_keys_delete(f->ks, "gone"), WARD_E_DELETION_NOT_ALLOWED);
    assert_int_equal(ward_keys_update(f->ks, "gone", &u), WARD_OK);
    assert_int_equal(ward_keys_delete(f->ks, "gone"), WARD_OK);
    assert_int_equal(ward_keys_get(f->ks, &k, "gone"), WARD_E_NOT_FOUND);
    assert_int_equal(decrypt_str(f, &text, NULL, (const char *)text.data, NULL, 0),
                     WARD_E_NOT_FOUND);

    create(f, "kept", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(ward_keys_get(f->ks, &k, "kept"), WARD_OK);
    ward_key_unref(k);
    assert_true(ward_keys_cached(f->ks) >= 1);
    ward_keys_flush(f->ks);
    assert_int_equal(ward_keys_cached(f->ks), 0);
    ward_buf_cleanup(&text);
}

/* Names never reach the store in clear; list still returns them. */
static void test_hidden_names_and_list(void **state)
{
    struct fixture *f = *state;
    struct ward_store_list l;
    struct ward_key_list names;

    create(f, "payroll-db", WARD_KEY_AES256_GCM96, 0);
    create(f, "api-signer", WARD_KEY_ED25519, 0);
    assert_int_equal(ward_store_list(f->st, &l, ""), WARD_OK);
    for (size_t i = 0; i < l.num; i++) {
        assert_null(strstr(l.paths[i], "payroll"));
        assert_null(strstr(l.paths[i], "signer"));
    }
    ward_store_list_cleanup(&l);
    assert_int_equal(ward_keys_list(f->ks, &names), WARD_OK);
    assert_int_equal(names.num, 2);
    assert_string_equal(names.names[0], "api-signer");
    assert_string_equal(names.names[1], "payroll-db");
    ward_key_list_cleanup(&names);
}

static void test_backup_restore_and_decoder(void **state)
{
    struct fixture *f = *state;
    struct ward_key_params p = { .type = WARD_KEY_AES256_GCM96,
                                 .flags = WARD_KFLAG_EXPORTABLE | WARD_KFLAG_PLAINTEXT_BACKUP };
    struct ward_buf backup;
    struct ward_buf text;
    struct ward_buf pt;
    struct ward_key *k = NULL;
    bool created;

    ward_buf_init(&backup, KEY_MAX_RECORD);
    ward_buf_init(&text, 4096);
    ward_buf_init(&pt, 4096);
    create(f, "plain", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(ward_keys_backup(f->ks, &backup, "plain"), WARD_E_NOT_EXPORTABLE);
    assert_int_equal(ward_keys_create(f->ks, &created, "bk", &p), WARD_OK);
    assert_int_equal(
        encrypt_str(f, &text, "bk", "kept", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }), WARD_OK);
    assert_int_equal(ward_keys_backup(f->ks, &backup, "bk"), WARD_OK);
    assert_int_equal(ward_keys_restore(f->ks, NULL, backup.data, backup.len, false), WARD_E_EXISTS);
    assert_int_equal(ward_keys_restore(f->ks, NULL, backup.data, backup.len, true), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, NULL, 0), WARD_OK);
    assert_string_equal((const char *)pt.data, "kept");
    /* a copy under a second name gets its own id: both work, the managed text names the original */
    assert_int_equal(ward_keys_restore(f->ks, "bk2", backup.data, backup.len, false), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, NULL, 0), WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "bk2", (const char *)text.data, NULL, 0),
                     WARD_E_DECRYPT_FAILED);
    assert_int_equal(
        encrypt_str(f, &text, "bk2", "copy", (struct enc_opt){ NULL, WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, NULL, 0), WARD_OK);
    assert_string_equal((const char *)pt.data, "copy");

    /* every truncation and a flipped format byte are refused by the decoder */
    for (size_t n = 0; n < backup.len; n++) {
        assert_int_not_equal(key_decode(&k, backup.data, n), WARD_OK);
        assert_null(k);
    }
    backup.data[0] = 9;
    assert_int_equal(key_decode(&k, backup.data, backup.len), WARD_E_BAD_VERSION);
    assert_int_equal(ward_keys_restore(f->ks, "x", backup.data, backup.len, false), WARD_E_INVALID);
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
    ward_buf_cleanup(&backup);
}

static void test_export(void **state)
{
    struct fixture *f = *state;
    struct ward_key_params p = { .type = WARD_KEY_ECDSA_P256, .flags = WARD_KFLAG_EXPORTABLE };
    struct ward_buf out;
    struct ward_key *k = NULL;
    bool created;

    ward_buf_init(&out, 16384);
    create(f, "noexp", WARD_KEY_AES256_GCM96, 0);
    assert_int_equal(ward_keys_get(f->ks, &k, "noexp"), WARD_OK);
    assert_int_equal(ward_key_export(k, &out, WARD_EXPORT_ENCRYPTION, 1), WARD_E_NOT_EXPORTABLE);
    ward_key_unref(k);
    assert_int_equal(ward_keys_create(f->ks, &created, "exp", &p), WARD_OK);
    assert_int_equal(ward_keys_get(f->ks, &k, "exp"), WARD_OK);
    assert_int_equal(ward_key_export(k, &out, WARD_EXPORT_SIGNING, 1), WARD_OK);
    assert_memory_equal(out.data, "-----BEGIN PRIVATE KEY-----\n", 28);
    out.len = 0;
    assert_int_equal(ward_key_export(k, &out, WARD_EXPORT_PUBLIC, 1), WARD_OK);
    assert_memory_equal(out.data, "-----BEGIN PUBLIC KEY-----", 26);
    assert_int_equal(ward_key_export(k, &out, WARD_EXPORT_ENCRYPTION, 1), WARD_E_KEY_TYPE);
    assert_int_equal(ward_key_export(k, &out, WARD_EXPORT_SIGNING, 2), WARD_E_KEY_VERSION);
    ward_key_unref(k);
    ward_buf_cleanup(&out);
}

/* RSA keys encrypt with OAEP; the managed header and context ride in the label. */
static void test_rsa_oaep(void **state)
{
    struct fixture *f = *state;
    struct ward_buf text;
    struct ward_buf pt;

    ward_buf_init(&text, 8192);
    ward_buf_init(&pt, 8192);
    create(f, "rsa", WARD_KEY_RSA2048, 0);
    assert_int_equal(
        encrypt_str(f, &text, "rsa", "data key", (struct enc_opt){ "ctx", WARD_CT_MANAGED, 0 }),
        WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, "ctx", 0), WARD_OK);
    assert_string_equal((const char *)pt.data, "data key");
    assert_int_equal(decrypt_str(f, &pt, NULL, (const char *)text.data, "other", 0),
                     WARD_E_DECRYPT_FAILED);
    assert_int_equal(
        encrypt_str(f, &text, "rsa", "vault form", (struct enc_opt){ NULL, WARD_CT_VAULT, 0 }),
        WARD_OK);
    assert_int_equal(decrypt_str(f, &pt, "rsa", (const char *)text.data, NULL, 0), WARD_OK);
    assert_string_equal((const char *)pt.data, "vault form");
    ward_buf_cleanup(&pt);
    ward_buf_cleanup(&text);
}

/* A key past its auto_rotate_period rotates on its next use, once. */
static void test_auto_rotation(void **state)
{
    struct fixture *f = *state;
    struct ward_key_params p = { .type = WARD_KEY_AES256_GCM96,
                                 .flags = WARD_KFLAG_EXPORTABLE | WARD_KFLAG_PLAINTEXT_BACKUP,
                                 .auto_rotate_s = 3600 };
    struct ward_buf rec;
    struct ward_key *k = NULL;
    size_t off;
    bool created;

    ward_buf_init(&rec, KEY_MAX_RECORD);
    p.auto_rotate_s = 60;
    assert_int_equal(ward_keys_create(f->ks, &created, "auto", &p), WARD_E_INVALID);
    p.auto_rotate_s = 3600;
    assert_int_equal(ward_keys_create(f->ks, &created, "auto", &p), WARD_OK);
    assert_int_equal(ward_keys_get(f->ks, &k, "auto"), WARD_OK);
    assert_int_equal(k->latest_version, 1);
    ward_key_unref(k);

    /* age the record: rotated two hours ago (the u64 after "created ms") */
    assert_int_equal(ward_keys_backup(f->ks, &rec, "auto"), WARD_OK);
    off = 1 + 1 + 16 + 2 + strlen("auto") + 4 + 4 + 1 + 4 + 4 * 4 + 8 + 8;
    ward_put_u64(rec.data + off, ward_get_u64(rec.data + off) - 2 * 3600 * 1000);
    assert_int_equal(ward_keys_restore(f->ks, NULL, rec.data, rec.len, true), WARD_OK);

    assert_int_equal(ward_keys_get(f->ks, &k, "auto"), WARD_OK);
    assert_int_equal(k->latest_version, 2);
    ward_key_unref(k);
    assert_int_equal(ward_keys_get(f->ks, &k, "auto"), WARD_OK);
    assert_int_equal(k->latest_version, 2);
    ward_key_unref(k);
    ward_buf_cleanup(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_aead_types_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_and_min_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derived_convergent_siv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_verify_hmac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hmac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_delete_and_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hidden_names_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_restore_and_decoder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rsa_oaep, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
