/*
 * transit_ops.c - Vault's transit cryptographic paths: encrypt, decrypt,
 * rewrap, datakey, random, hash, hmac, sign and verify, each with
 * batch_input where Vault has it; and Ward's POST /v1/ward/decrypt, which
 * decrypts managed ciphertexts without a key name.
 *
 * Batches: every item runs on its own; a bad item gets its own "error" (and
 * Ward's stable "code") and the good ones succeed. As Vault, the status is
 * 400 when any item failed unless partial_failure_response_code says
 * otherwise.
 *
 * SECURITY: plaintexts are decoded into wiped buffers; Jansson's frees wipe
 * too (json.c); no error message carries input bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "kv_int.h"
#include "policy/policy.h"
#include "transit_int.h"

#define DEFAULT_RANDOM_BYTES 32
#define MAX_RANDOM_BYTES     (128u << 10)

/* One item of a request: the body itself, or one of batch_input. */
typedef ward_err (*item_fn)(struct op_ctx *c, struct ward_key *k, const json_t *item,
                            json_t *result);

/* run_batch runs fn over batch_input (checked by run_items); the reply lists each result. */
static void run_batch(struct op_ctx *c, struct ward_key *k, item_fn fn, const json_t *batch)
{
    json_t *results = json_array();
    size_t failures = 0;
    int64_t partial = 400;
    bool present = false;
    size_t i;
    json_t *item;

    if (json_get_int(c->body, "partial_failure_response_code", 200, 599, &partial, &present) !=
        WARD_OK) {
        json_decref(results);
        op_fail(c, WARD_E_INVALID, "partial_failure_response_code must be an HTTP status");
        return;
    }
    json_array_foreach(batch, i, item)
    {
        json_t *result = json_object();
        ward_err err = json_is_object(item) ? fn(c, k, item, result)
                                            : transit_fail_item(result, WARD_E_INVALID,
                                                                "a batch item must be an object");

        failures += err != WARD_OK;
        (void)json_array_append_new(results, result);
    }
    kv_reply(c, json_pack("{s:o}", "batch_results", results));
    if (failures > 0 && c->data != NULL) {
        c->resp->status = failures == json_array_size(batch) ? 400 : (int)partial;
    }
}

static void run_items(struct op_ctx *c, struct ward_key *k, item_fn fn)
{
    const json_t *batch = json_object_get(c->body, "batch_input");

    if (batch == NULL || json_is_null(batch)) {
        json_t *result = json_object();
        ward_err err = fn(c, k, c->body, result);

        if (err != WARD_OK) {
            const json_t *why = json_object_get(result, "error");

            op_fail(c, err, why != NULL ? json_string_value(why) : NULL);
            json_decref(result);
            return;
        }
        kv_reply(c, result);
        return;
    }
    if (!json_is_array(batch) || json_array_size(batch) == 0 ||
        json_array_size(batch) > TRANSIT_MAX_BATCH) {
        op_fail(c, WARD_E_INVALID, "batch_input must be a list of 1 to 100000 objects");
        return;
    }
    run_batch(c, k, fn, batch);
}

/* field_b64 decodes an item's base64 field; a problem fails the item. */
static ward_err field_b64(json_t *result, struct ward_buf *out, bool *present, const json_t *item,
                          const char *key, bool required)
{
    char why[96];
    ward_err err = transit_b64_field(out, present, item, key);

    if (err == WARD_OK && required && !*present) {
        (void)snprintf(why, sizeof(why), "missing %s", key);
        return transit_fail_item(result, WARD_E_INVALID, why);
    }
    if (err != WARD_OK) {
        (void)snprintf(why, sizeof(why), "%s must be base64 text", key);
        return transit_fail_item(result, err == WARD_E_TOO_LARGE ? err : WARD_E_BAD_ENCODING, why);
    }
    return WARD_OK;
}

static bool format_from_name(const char *s, enum ward_ct_format *out)
{
    if (strcmp(s, "managed") == 0 || strcmp(s, "ward") == 0) {
        *out = WARD_CT_MANAGED;
    } else if (strcmp(s, "vault") == 0) {
        *out = WARD_CT_VAULT;
    } else if (strcmp(s, "raw") == 0) {
        *out = WARD_CT_RAW;
    } else {
        return false;
    }
    return true;
}

/* item_format reads ciphertext_format from the item, else the body (default managed). */
static ward_err item_format(struct op_ctx *c, const json_t *item, enum ward_ct_format *out)
{
    const char *s = NULL;
    size_t len;

    *out = WARD_CT_MANAGED;
    if (json_get_string(item, "ciphertext_format", &s, &len) != WARD_OK ||
        (s == NULL && json_get_string(c->body, "ciphertext_format", &s, &len) != WARD_OK)) {
        return WARD_E_INVALID;
    }
    return s == NULL || format_from_name(s, out) ? WARD_OK : WARD_E_INVALID;
}

/* Decoded common fields of an encrypt/decrypt item. */
struct item_fields {
    struct ward_buf data; /* plaintext */
    struct ward_buf context;
    struct ward_buf aad;
    uint32_t version;
    enum ward_ct_format format;
};

static void fields_init(struct item_fields *f)
{
    ward_buf_init(&f->data, TRANSIT_MAX_FIELD);
    ward_buf_init(&f->context, 64u << 10);
    ward_buf_init(&f->aad, 1u << 20);
    f->version = 0;
    f->format = WARD_CT_MANAGED;
}

static void fields_cleanup(struct item_fields *f)
{
    ward_buf_cleanup(&f->aad);
    ward_buf_cleanup(&f->context);
    ward_buf_cleanup(&f->data);
}

/* fields_read reads context, associated_data, key_version and ciphertext_format. */
static ward_err fields_read(struct op_ctx *c, struct item_fields *f, const json_t *item,
                            json_t *result)
{
    bool present;
    ward_err err;

    if ((err = field_b64(result, &f->context, &present, item, "context", false)) != WARD_OK ||
        (err = field_b64(result, &f->aad, &present, item, "associated_data", false)) != WARD_OK) {
        return err;
    }
    if (json_object_get(item, "nonce") != NULL) {
        return transit_fail_item(result, WARD_E_UNSUPPORTED,
                                 "nonce is not accepted: convergent keys derive their nonce");
    }
    if (transit_version(item, "key_version", &f->version) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, "key_version must be a version number");
    }
    if (item_format(c, item, &f->format) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID,
                                 "ciphertext_format must be managed, vault or raw");
    }
    return WARD_OK;
}

/* encrypt_into encrypts f->data under k and sets ciphertext and key_version in result. */
static ward_err encrypt_into(struct ward_key *k, const struct item_fields *f, json_t *result)
{
    struct ward_key_enc e = { .plaintext = f->data.data,
                              .plaintext_len = f->data.len,
                              .context = f->context.data,
                              .context_len = f->context.len,
                              .aad = f->aad.data,
                              .aad_len = f->aad.len,
                              .version = f->version,
                              .format = f->format };
    struct ward_buf text;
    uint32_t v = 0;
    ward_err err;

    ward_buf_init(&text, TRANSIT_MAX_FIELD * 2);
    if ((err = ward_key_encrypt(k, &text, &v, &e)) != WARD_OK) {
        ward_buf_cleanup(&text);
        return transit_fail_item(result, err, NULL);
    }
    (void)json_object_set_new(result, "ciphertext",
                              json_stringn_nocheck((const char *)text.data, text.len));
    (void)json_object_set_new(result, "key_version", json_integer(v));
    ward_buf_cleanup(&text);
    return WARD_OK;
}

static ward_err encrypt_item(struct op_ctx *c, struct ward_key *k, const json_t *item,
                             json_t *result)
{
    struct item_fields f;
    bool present;
    ward_err err;

    fields_init(&f);
    if ((err = field_b64(result, &f.data, &present, item, "plaintext", true)) == WARD_OK &&
        (err = fields_read(c, &f, item, result)) == WARD_OK) {
        err = encrypt_into(k, &f, result);
    }
    fields_cleanup(&f);
    return err;
}

bool transit_policy_path(char *out, size_t cap, const struct mount *m, const char *what,
                         const char *name)
{
    int w = snprintf(out, cap, "%s%s/%s", m->path, what, name);

    return w >= 0 && (size_t)w < cap;
}

/* decrypt_allowed: may the caller decrypt with key name (as at <mount>/decrypt/<name>)? */
static bool decrypt_allowed(struct op_ctx *c, const struct mount *m, const char *name)
{
    char path[MOUNT_PATH_MAX + WARD_KEY_NAME_MAX + 16];

    return transit_policy_path(path, sizeof(path), m, "decrypt", name) &&
           access_allowed_key_op(c, path, WARD_CAP_UPDATE, WARD_KOP_DECRYPT);
}

/*
 * key_by_id finds the key of id on any transit mount (ids are random, so
 * at most one has it); *out_mount gets a reference on its mount.
 */
static ward_err key_by_id(struct op_ctx *c, struct ward_key **out, struct mount **out_mount,
                          const uint8_t *id)
{
    ward_err err = WARD_E_NOT_FOUND;
    struct mount *m;

    *out_mount = NULL;
    for (size_t i = 0; err == WARD_E_NOT_FOUND &&
                       (m = mount_find_kind(c->eng->mounts, &g_mount_transit, i)) != NULL;
         i++) {
        if ((err = ward_keys_get_by_id(m->state, out, id)) == WARD_OK) {
            *out_mount = m;
        } else {
            mount_unref(m);
        }
    }
    return err;
}

/*
 * named_key finds the key a managed ciphertext names (ward/decrypt) and
 * checks the caller may decrypt with it; a refusal fills result.
 */
static ward_err named_key(struct op_ctx *c, struct ward_key **out, const struct ward_ct *ct,
                          json_t *result)
{
    struct mount *m = NULL;
    ward_err err;

    if (ct->format != WARD_CT_MANAGED) {
        return transit_fail_item(result, WARD_E_BAD_CIPHERTEXT,
                                 "only managed (ward:v1:) ciphertexts decrypt without a key name");
    }
    if ((err = key_by_id(c, out, &m, ct->key_id)) != WARD_OK) {
        return transit_fail_item(result, err == WARD_E_NOT_FOUND ? WARD_E_DECRYPT_FAILED : err,
                                 err == WARD_E_NOT_FOUND ? "the key this ciphertext names does "
                                                           "not exist"
                                                         : NULL);
    }
    /* the key is known only now: the caller needs what transit/decrypt/<key> needs */
    (void)snprintf(c->audit_key, sizeof(c->audit_key), "%s", (*out)->name); /* the record's key */
    if (!decrypt_allowed(c, m, (*out)->name)) {
        mount_unref(m);
        ward_key_unref(*out);
        *out = NULL;
        return transit_fail_item(result, WARD_E_PERMISSION,
                                 "permission denied: policies do not allow decrypting with the "
                                 "key this ciphertext names");
    }
    mount_unref(m);
    return WARD_OK;
}

/* decrypt_with decrypts the item's ciphertext under k (or, if k is NULL, the key it names). */
static ward_err decrypt_with(struct op_ctx *c, struct ward_key *k, const json_t *item,
                             json_t *result, struct item_fields *f)
{
    struct ward_key *named = NULL;
    const char *text = NULL;
    size_t len = 0;
    struct ward_ct ct;
    ward_err err;

    if (json_get_string(item, "ciphertext", &text, &len) != WARD_OK || text == NULL) {
        return transit_fail_item(result, WARD_E_INVALID, "missing ciphertext");
    }
    if ((err = fields_read(c, f, item, result)) != WARD_OK) {
        return err;
    }
    if ((err = ward_ct_parse(&ct, text, len)) != WARD_OK) {
        ward_ct_cleanup(&ct);
        return transit_fail_item(result, err, NULL);
    }
    if (k == NULL) {
        if ((err = named_key(c, &named, &ct, result)) != WARD_OK) {
            ward_ct_cleanup(&ct);
            return err;
        }
        k = named;
    }
    f->format = ct.format;
    err = ward_key_decrypt(k, &f->data,
                           &(const struct ward_key_dec){ &ct, f->context.data, f->context.len,
                                                         f->aad.data, f->aad.len, f->version });
    if (err == WARD_OK) {
        f->version = ct.format == WARD_CT_RAW ? f->version : ct.version;
        (void)json_object_set_new(result, "key_name", json_string(k->name));
    }
    ward_key_unref(named);
    ward_ct_cleanup(&ct);
    return err != WARD_OK ? transit_fail_item(result, err, NULL) : WARD_OK;
}

static ward_err decrypt_item(struct op_ctx *c, struct ward_key *k, const json_t *item,
                             json_t *result)
{
    struct item_fields f;
    ward_err err;

    fields_init(&f);
    if ((err = decrypt_with(c, k, item, result, &f)) == WARD_OK) {
        (void)json_object_set_new(result, "plaintext", transit_b64(f.data.data, f.data.len));
        if (k != NULL) {
            (void)json_object_del(result, "key_name"); /* Vault's shape when the key is named */
        }
    }
    fields_cleanup(&f);
    return err;
}

static ward_err rewrap_item(struct op_ctx *c, struct ward_key *k, const json_t *item,
                            json_t *result)
{
    struct item_fields f;
    uint32_t want = 0;
    ward_err err;

    fields_init(&f);
    if ((err = decrypt_with(c, k, item, result, &f)) == WARD_OK) {
        (void)json_object_del(result, "key_name");
        /* rewrap: the source version was key_version for raw input; the target is current */
        if ((json_object_get(item, "ciphertext_format") != NULL ||
             json_object_get(c->body, "ciphertext_format") != NULL) &&
            item_format(c, item, &f.format) != WARD_OK) {
            err = transit_fail_item(result, WARD_E_INVALID,
                                    "ciphertext_format must be managed, vault or raw");
        } else if (transit_version(item, "target_version", &want) != WARD_OK) {
            err = transit_fail_item(result, WARD_E_INVALID, "target_version must be a number");
        } else {
            f.version = want;
            err = encrypt_into(k, &f, result);
        }
    }
    fields_cleanup(&f);
    return err;
}

/* with_key runs fn over the items with key var[0] (encrypt: created if absent, as Vault). */
static void with_key(struct op_ctx *c, item_fn fn, bool upsert)
{
    struct ward_key *k = NULL;
    ward_err err = ward_keys_get(keys_of(c), &k, c->var[0]);

    if (err == WARD_E_NOT_FOUND && upsert) {
        struct ward_key_params p;
        char path[MOUNT_PATH_MAX + WARD_KEY_NAME_MAX + 16];
        const char *why;
        bool created;

        /* creating the key on first use needs create, as in Vault */
        if (!transit_policy_path(path, sizeof(path), c->mount, "encrypt", c->var[0]) ||
            !access_allowed(c, path, WARD_CAP_CREATE, false)) {
            op_fail(c, WARD_E_PERMISSION,
                    "permission denied: creating a key on first encrypt needs create");
            return;
        }

        if ((err = transit_key_params(c, &p, &why)) != WARD_OK) {
            op_fail(c, err, why);
            return;
        }
        if ((err = ward_keys_create(keys_of(c), &created, c->var[0], &p)) == WARD_OK) {
            err = ward_keys_get(keys_of(c), &k, c->var[0]);
        }
    }
    if (err != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such key" : NULL);
        return;
    }
    run_items(c, k, fn);
    ward_key_unref(k);
}

void op_transit_encrypt(struct op_ctx *c)
{
    with_key(c, encrypt_item, true);
}

void op_transit_decrypt(struct op_ctx *c)
{
    with_key(c, decrypt_item, false);
}

void op_transit_rewrap(struct op_ctx *c)
{
    with_key(c, rewrap_item, false);
}

void op_ward_decrypt(struct op_ctx *c)
{
    run_items(c, NULL, decrypt_item);
}

void op_transit_datakey(struct op_ctx *c)
{
    bool with_plaintext = strcmp(c->var[0], "plaintext") == 0;
    struct ward_key *k = NULL;
    struct item_fields f;
    json_t *result;
    int64_t bits = 256;
    bool present;
    ward_err err;

    if (!with_plaintext && strcmp(c->var[0], "wrapped") != 0) {
        op_fail(c, WARD_E_INVALID, "datakey type must be plaintext or wrapped");
        return;
    }
    if (json_get_int(c->body, "bits", 128, 512, &bits, &present) != WARD_OK ||
        (bits != 128 && bits != 256 && bits != 512)) {
        op_fail(c, WARD_E_INVALID, "bits must be 128, 256 or 512");
        return;
    }
    if ((err = ward_keys_get(keys_of(c), &k, c->var[1])) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if ((err = ward_key_check(k, WARD_KOP_DATAKEY, false, 0,
                              &(const struct ward_key_version *){ NULL })) != WARD_OK) {
        ward_key_unref(k);
        op_fail(c, err, NULL);
        return;
    }
    fields_init(&f);
    result = json_object();
    if ((err = fields_read(c, &f, c->body, result)) == WARD_OK &&
        (err = ward_buf_reserve(&f.data, (size_t)bits / 8)) == WARD_OK &&
        (err = ward_crypto_random(f.data.data, (size_t)bits / 8)) == WARD_OK) {
        f.data.len = (size_t)bits / 8;
        err = encrypt_into(k, &f, result);
    }
    if (err == WARD_OK && with_plaintext) {
        (void)json_object_set_new(result, "plaintext", transit_b64(f.data.data, f.data.len));
    }
    if (err != WARD_OK) {
        const json_t *why = json_object_get(result, "error");

        op_fail(c, err, why != NULL ? json_string_value(why) : NULL);
        json_decref(result);
    } else {
        kv_reply(c, result);
    }
    fields_cleanup(&f);
    ward_key_unref(k);
}

/* encode_out returns in as a JSON string, hex or base64. */
static json_t *encode_out(const uint8_t *in, size_t n, bool hex)
{
    static const char digits[] = "0123456789abcdef";
    json_t *j;
    char *text;

    if (!hex) {
        return transit_b64(in, n);
    }
    if ((text = ward_alloc(2 * n + 1)) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = digits[in[i] >> 4];
        text[2 * i + 1] = digits[in[i] & 15];
    }
    j = json_stringn_nocheck(text, 2 * n);
    ward_free_wipe(text, 2 * n + 1);
    return j;
}

/* get_format reads "format": base64 (default) or hex. */
static ward_err get_format(const json_t *body, bool *hex)
{
    const char *s = NULL;
    size_t len;

    *hex = false;
    if (json_get_string(body, "format", &s, &len) != WARD_OK) {
        return WARD_E_INVALID;
    }
    if (s == NULL || strcmp(s, "base64") == 0) {
        return WARD_OK;
    }
    *hex = strcmp(s, "hex") == 0;
    return *hex ? WARD_OK : WARD_E_INVALID;
}

void op_transit_random(struct op_ctx *c)
{
    int64_t n = DEFAULT_RANDOM_BYTES;
    bool present = false;
    bool hex;
    uint8_t *buf;

    /* path: random(/:source)(/:bytes); a number in either place is the byte count */
    for (size_t i = 0; i < c->num_vars; i++) {
        char *end = NULL;
        long v = strtol(c->var[i], &end, 10);

        if (*end == '\0' && c->var[i][0] != '\0') {
            n = v;
            present = true;
        } else if (strcmp(c->var[i], "platform") != 0 && strcmp(c->var[i], "seal") != 0 &&
                   strcmp(c->var[i], "all") != 0) {
            op_fail(c, WARD_E_INVALID, "source must be platform, seal or all");
            return;
        }
    }
    if (!present && json_get_int(c->body, "bytes", 1, MAX_RANDOM_BYTES, &n, &present) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "bytes must be 1..131072");
        return;
    }
    if (n < 1 || n > (int64_t)MAX_RANDOM_BYTES) {
        op_fail(c, WARD_E_INVALID, "bytes must be 1..131072");
        return;
    }
    if (get_format(c->body, &hex) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "format must be base64 or hex");
        return;
    }
    if ((buf = ward_alloc((size_t)n)) == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
        return;
    }
    if (ward_crypto_random(buf, (size_t)n) != WARD_OK) {
        op_fail(c, WARD_E_CRYPTO, NULL);
    } else {
        kv_reply(c, json_pack("{s:o}", "random_bytes", encode_out(buf, (size_t)n, hex)));
    }
    ward_free_wipe(buf, (size_t)n);
}

/* get_hash reads the hash from the path's last var (if any) or the body's key. */
static ward_err get_hash(struct op_ctx *c, size_t var_index, const char *key, enum ward_hash *out)
{
    const char *s = NULL;
    size_t len;

    *out = WARD_HASH_SHA2_256;
    if (c->num_vars > var_index) {
        s = c->var[var_index];
    } else if (json_get_string(c->body, key, &s, &len) != WARD_OK) {
        return WARD_E_INVALID;
    }
    return s == NULL || ward_hash_from_name(out, s) ? WARD_OK : WARD_E_INVALID;
}

void op_transit_hash(struct op_ctx *c)
{
    uint8_t sum[WARD_HASH_MAX_LEN];
    struct ward_buf in;
    enum ward_hash h;
    bool present;
    bool hex;

    ward_buf_init(&in, TRANSIT_MAX_FIELD);
    if (get_hash(c, 0, "algorithm", &h) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "unknown hash algorithm");
    } else if (get_format(c->body, &hex) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "format must be base64 or hex");
    } else if (transit_b64_field(&in, &present, c->body, "input") != WARD_OK || !present) {
        op_fail(c, WARD_E_INVALID, "input must be base64 text");
    } else if (ward_hash(sum, h, in.data, in.len) != WARD_OK) {
        op_fail(c, WARD_E_CRYPTO, NULL);
    } else {
        kv_reply(c, json_pack("{s:o}", "sum", encode_out(sum, ward_hash_len(h), hex)));
    }
    ward_buf_cleanup(&in);
}

/* Per-request signing settings, read once from the body and path. */
struct sig_settings {
    enum ward_hash hash;
    bool prehashed;
    enum ward_sig_padding padding;
    bool jws;
};

static ward_err sig_settings(struct op_ctx *c, struct sig_settings *s, const char **why)
{
    const char *alg = NULL;
    const char *mar = NULL;
    size_t len;

    s->prehashed = false;
    s->padding = WARD_SIG_PSS;
    s->jws = false;
    *why = "hash_algorithm must be sha2-224/256/384/512 or sha3-224/256/384/512";
    if (get_hash(c, 1, "hash_algorithm", &s->hash) != WARD_OK ||
        (c->num_vars <= 1 && json_object_get(c->body, "hash_algorithm") == NULL &&
         get_hash(c, 1, "algorithm", &s->hash) != WARD_OK)) {
        return WARD_E_INVALID;
    }
    *why = "prehashed must be a boolean";
    if (json_get_bool(c->body, "prehashed", &s->prehashed) != WARD_OK) {
        return WARD_E_INVALID;
    }
    *why = "signature_algorithm must be pss or pkcs1v15";
    if (json_get_string(c->body, "signature_algorithm", &alg, &len) != WARD_OK ||
        (alg != NULL && strcmp(alg, "pss") != 0 && strcmp(alg, "pkcs1v15") != 0)) {
        return WARD_E_INVALID;
    }
    s->padding = alg != NULL && strcmp(alg, "pkcs1v15") == 0 ? WARD_SIG_PKCS1V15 : WARD_SIG_PSS;
    *why = "marshaling_algorithm must be asn1 or jws";
    if (json_get_string(c->body, "marshaling_algorithm", &mar, &len) != WARD_OK ||
        (mar != NULL && strcmp(mar, "asn1") != 0 && strcmp(mar, "jws") != 0)) {
        return WARD_E_INVALID;
    }
    s->jws = mar != NULL && strcmp(mar, "jws") == 0;
    return WARD_OK;
}

static ward_err hmac_item(struct op_ctx *c, struct ward_key *k, const json_t *item, json_t *result)
{
    struct ward_buf in;
    struct ward_buf mac;
    enum ward_hash h;
    uint32_t version = 0;
    uint32_t v = 0;
    bool present;
    ward_err err;

    if (get_hash(c, 1, "algorithm", &h) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, "unknown hash algorithm");
    }
    if (transit_version(c->body, "key_version", &version) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, "key_version must be a version number");
    }
    ward_buf_init(&in, TRANSIT_MAX_FIELD);
    ward_buf_init(&mac, 256);
    if ((err = field_b64(result, &in, &present, item, "input", true)) == WARD_OK) {
        if ((err = ward_key_hmac(k, &mac, &v,
                                 &(const struct ward_key_mac){ version, h, in.data, in.len })) !=
            WARD_OK) {
            err = transit_fail_item(result, err, NULL);
        } else {
            (void)json_object_set_new(result, "hmac",
                                      json_stringn_nocheck((const char *)mac.data, mac.len));
            (void)json_object_set_new(result, "key_version", json_integer(v));
        }
    }
    ward_buf_cleanup(&mac);
    ward_buf_cleanup(&in);
    return err;
}

void op_transit_hmac(struct op_ctx *c)
{
    with_key(c, hmac_item, false);
}

static ward_err sign_item(struct op_ctx *c, struct ward_key *k, const json_t *item, json_t *result)
{
    struct sig_settings s;
    struct ward_buf in;
    struct ward_buf sig;
    const char *why;
    uint32_t version = 0;
    uint32_t v = 0;
    bool present;
    ward_err err;

    if (sig_settings(c, &s, &why) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, why);
    }
    if (transit_version(c->body, "key_version", &version) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, "key_version must be a version number");
    }
    ward_buf_init(&in, TRANSIT_MAX_FIELD);
    ward_buf_init(&sig, 4096);
    if ((err = field_b64(result, &in, &present, item, "input", true)) == WARD_OK) {
        struct ward_key_sig ks = { .version = version,
                                   .hash = s.hash,
                                   .prehashed = s.prehashed,
                                   .padding = s.padding,
                                   .jws = s.jws,
                                   .in = in.data,
                                   .in_len = in.len };

        if ((err = ward_key_sign(k, &sig, &v, &ks)) != WARD_OK) {
            err = transit_fail_item(result, err,
                                    err == WARD_E_INVALID ? "prehashed input must be the hash's "
                                                            "length (and Ed25519 signs messages)"
                                                          : NULL);
        } else {
            (void)json_object_set_new(result, "signature",
                                      json_stringn_nocheck((const char *)sig.data, sig.len));
            (void)json_object_set_new(result, "key_version", json_integer(v));
        }
    }
    ward_buf_cleanup(&sig);
    ward_buf_cleanup(&in);
    return err;
}

void op_transit_sign(struct op_ctx *c)
{
    with_key(c, sign_item, false);
}

static ward_err verify_item(struct op_ctx *c, struct ward_key *k, const json_t *item,
                            json_t *result)
{
    struct sig_settings s;
    struct ward_buf in;
    const char *sig = NULL;
    const char *mac = NULL;
    const char *why;
    size_t sig_len = 0;
    size_t mac_len = 0;
    bool present;
    bool valid = false;
    ward_err err;

    if (sig_settings(c, &s, &why) != WARD_OK) {
        return transit_fail_item(result, WARD_E_INVALID, why);
    }
    if (json_get_string(item, "signature", &sig, &sig_len) != WARD_OK ||
        json_get_string(item, "hmac", &mac, &mac_len) != WARD_OK ||
        (sig == NULL) == (mac == NULL)) {
        return transit_fail_item(result, WARD_E_INVALID, "give one of signature or hmac");
    }
    ward_buf_init(&in, TRANSIT_MAX_FIELD);
    if ((err = field_b64(result, &in, &present, item, "input", true)) == WARD_OK) {
        struct ward_key_sig ks = { .hash = s.hash,
                                   .prehashed = s.prehashed,
                                   .padding = s.padding,
                                   .jws = s.jws,
                                   .in = in.data,
                                   .in_len = in.len };

        err = mac != NULL
                  ? ward_key_hmac_verify(k, &valid, mac, mac_len,
                                         &(const struct ward_key_mac){ 0, s.hash, in.data, in.len })
                  : ward_key_verify(k, &valid, sig, sig_len, &ks);
        if (err != WARD_OK) {
            err = transit_fail_item(result, err, NULL);
        } else {
            (void)json_object_set_new(result, "valid", json_boolean(valid));
        }
    }
    ward_buf_cleanup(&in);
    return err;
}

void op_transit_verify(struct op_ctx *c)
{
    with_key(c, verify_item, false);
}
