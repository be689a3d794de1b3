/*
 * sys_rekey.c - sys/rekey (change the KEK and its shares), sys/rotate (new
 * barrier term) and sys/key-status. Rekey is authorised by the current
 * seal's shares, not by a token, as in Vault.
 */
#include <string.h>
#include <time.h>

#include "sys_int.h"

static json_t *rekey_json(const struct ward_rekey_status *rs)
{
    return json_pack("{s:s, s:b, s:i, s:i, s:i, s:i, s:[], s:b, s:b}", "nonce", rs->nonce,
                     "started", rs->started, "t", rs->new_threshold, "n", rs->new_shares,
                     "progress", rs->progress, "required", rs->threshold, "pgp_fingerprints",
                     "backup", 0, "verification_required", 0);
}

void op_rekey_read(struct op_ctx *c)
{
    struct ward_rekey_status rs;

    ward_barrier_rekey_status(c->eng->barrier, &rs);
    c->data = rekey_json(&rs);
}

void op_rekey_init(struct op_ctx *c)
{
    struct sys_seal_input in;
    struct ward_rekey_status rs;
    bool verify = false;
    ward_err err;

    if (json_get_bool(c->body, "require_verification", &verify) != WARD_OK || verify) {
        op_fail(c, WARD_E_UNSUPPORTED, "require_verification is not supported");
        return;
    }
    if (sys_parse_seal_params(c, &in) != WARD_OK) {
        return;
    }
    err = ward_barrier_rekey_init(c->eng->barrier, &rs, &in.params);
    sys_seal_input_cleanup(&in);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    c->data = rekey_json(&rs);
}

void op_rekey_cancel(struct op_ctx *c)
{
    ward_err err = ward_barrier_rekey_cancel(c->eng->barrier);

    if (err != WARD_OK && err != WARD_E_NO_OPERATION) {
        op_fail(c, err, NULL); /* cancelling nothing is fine, as in Vault */
    }
}

void op_rekey_update(struct op_ctx *c)
{
    struct ward_rekey_status rs;
    struct ward_init_result r;
    struct ward_secret *key = NULL;
    const char *nonce = NULL;
    size_t nonce_len = 0;
    ward_err err;

    if (json_get_string(c->body, "nonce", &nonce, &nonce_len) != WARD_OK || nonce == NULL) {
        op_fail(c, WARD_E_INVALID, "nonce must be a string");
        return;
    }
    if (sys_key_text(c, &key) != WARD_OK) {
        return;
    }
    err = ward_barrier_rekey_update(c->eng->barrier, &rs, &r, nonce, key->data, key->len);
    ward_secret_free(key);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    if (!rs.complete) {
        c->data = rekey_json(&rs);
        return;
    }
    c->data = sys_keys_json(&r, "keys", "keys_base64");
    ward_init_result_cleanup(&r);
    if (c->data == NULL || json_object_set_new(c->data, "complete", json_true()) != 0 ||
        json_object_set_new(c->data, "nonce", json_string(nonce)) != 0 ||
        json_object_set_new(c->data, "backup", json_false()) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
    }
}

void op_rotate(struct op_ctx *c)
{
    uint32_t term = 0;
    ward_err err = ward_barrier_rotate(c->eng->barrier, &term);

    if (err != WARD_OK) {
        op_fail(c, err, NULL);
    }
}

void op_key_status(struct op_ctx *c)
{
    struct ward_seal_status st;
    time_t secs;
    struct tm tm;
    char stamp[40];
    ward_err err;

    if ((err = ward_barrier_status(c->eng->barrier, &st)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    secs = (time_t)(st.term_installed_ms / 1000);
    (void)gmtime_r(&secs, &tm);
    (void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    c->data =
        json_pack("{s:i, s:s, s:i}", "term", (int)st.term, "install_time", stamp, "encryptions", 0);
}
