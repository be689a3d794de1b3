/*
 * do.c - seed 004's DO call, POST /v1/do:
 *
 *   {"op": "encrypt", "to": "token-bob", "type": "invoice", "data": base64}
 *
 * "DO op FROM origin TO target WITH data": a route (do_routes.c) resolves
 * key and mechanism; the origin is always the authenticated caller (a
 * claimed "from" that differs is refused, party_mismatch). Producing
 * operations (encrypt, sign, mac) have FROM = the caller and TO = "to";
 * consuming ones (decrypt, verify, verify_mac) have TO = the caller and
 * FROM = the ciphertext's (decrypt) or the claimed one (verify). The
 * caller's policies must allow the party on the other side (ward_parties,
 * policy.h) before any route is looked at, so a refused caller learns
 * nothing about routes.
 *
 * Encrypt writes a managed ciphertext whose header carries FROM and TO,
 * authenticated as AAD (keys/ctext.h) and sealed under a key derived for
 * FROM/TO ciphertexts (keys/ops.c), so changing a party, or stripping the
 * header, fails authentication. Decrypt, here or on any transit path
 * (do_party_gate), serves only the ciphertext's TO. Sign and MAC cover
 * "ward do v1" 0x00 | len(from) | from | len(to) | to | data, so a
 * signature from Alice to Bob does not verify as from anyone else.
 *
 * POST /v1/do/prefetch resolves the same way without the operation and
 * loads the key into the cache for the caller; every DO request flags the
 * key it used with the caller's token, and logoff (token revocation)
 * flushes them (do_logoff_flush; keys/tags.c).
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "control.h"
#include "engine_int.h"
#include "kv_int.h"
#include "transit_int.h"

#define FRAME_LABEL "ward do v1"

/* The parsed request. */
struct do_req {
    enum do_op op;
    const char *type;
    const char *claimed_from; /* NULL if absent */
    const char *to;           /* NULL if absent */
    const char *data;         /* the "data" text (base64, or the ciphertext) */
    size_t data_len;
    const char *me; /* the caller's principal */
};

static bool producing(enum do_op op)
{
    return op == DO_ENCRYPT || op == DO_SIGN || op == DO_MAC;
}

static enum ward_party_kind party_kind(enum do_op op)
{
    static const enum ward_party_kind kinds[] = {
        0,
        WARD_PARTY_ENCRYPT_TO,
        WARD_PARTY_DECRYPT_FROM,
        WARD_PARTY_SIGN_TO,
        WARD_PARTY_VERIFY_FROM,
        WARD_PARTY_MAC_TO,
        WARD_PARTY_VERIFY_MAC_FROM,
    };

    return kinds[op];
}

/* check_party asks the caller's policies about party for kind. */
static ward_err check_party(struct op_ctx *c, enum ward_party_kind kind, const char *party)
{
    const char *names[WARD_TOKEN_MAX_POLICIES];

    for (size_t i = 0; i < c->tok.num_policies; i++) {
        names[i] = c->tok.policies[i];
    }
    return ward_policies_check_party(c->eng->policies, names, c->tok.num_policies, kind, party);
}

static bool party_name_ok(const char *s)
{
    return s != NULL && do_glob_ok(s) && strchr(s, '*') == NULL;
}

/* read_req reads the body into r; false: c has the refusal. */
static bool read_req(struct op_ctx *c, struct do_req *r, bool need_data)
{
    size_t len = 0;

    memset(r, 0, sizeof(*r));
    r->me = c->tok.principal;
    r->op = do_op_from_name(json_string_value(json_object_get(c->body, "op")));
    if (r->op == 0) {
        op_fail(c, WARD_E_INVALID, "op must be encrypt, decrypt, sign, verify, mac or verify_mac");
        return false;
    }
    if (json_get_string(c->body, "type", &r->type, &len) != WARD_OK ||
        json_get_string(c->body, "from", &r->claimed_from, &len) != WARD_OK ||
        json_get_string(c->body, "to", &r->to, &len) != WARD_OK ||
        json_get_string(c->body, "data", &r->data, &r->data_len) != WARD_OK) {
        op_fail(c, WARD_E_INVALID, "type, from, to and data must be strings");
        return false;
    }
    r->type = r->type != NULL ? r->type : "data";
    if (!party_name_ok(r->type) || (r->to != NULL && !party_name_ok(r->to)) ||
        (r->claimed_from != NULL && !party_name_ok(r->claimed_from))) {
        op_fail(c, WARD_E_INVALID, "type, from and to are 1 to 128 printable ASCII characters");
        return false;
    }
    if (need_data && r->data == NULL) {
        op_fail(c, WARD_E_INVALID, "missing data");
        return false;
    }
    return true;
}

/*
 * parties fills q with FROM and TO for r (the ciphertext's FROM for a
 * decrypt, ct_from) and checks the caller's side. false: c has the refusal.
 */
static bool parties(struct op_ctx *c, const struct do_req *r, struct do_query *q,
                    const char *ct_from)
{
    q->op = r->op;
    q->type = r->type;
    if (producing(r->op)) {
        if (r->claimed_from != NULL && strcmp(r->claimed_from, r->me) != 0) {
            op_fail(c, WARD_E_PARTY_MISMATCH,
                    "permission denied: the origin (from) of a DO request is always the caller");
            return false;
        }
        if (r->to == NULL) {
            op_fail(c, WARD_E_INVALID, "missing to (the target)");
            return false;
        }
        q->from = r->me;
        q->to = r->to;
        return true;
    }
    if (r->to != NULL && strcmp(r->to, r->me) != 0) {
        op_fail(c, WARD_E_PARTY_MISMATCH,
                "permission denied: the target (to) of a decrypt or verify is always the caller");
        return false;
    }
    if (ct_from != NULL && r->claimed_from != NULL && strcmp(ct_from, r->claimed_from) != 0) {
        op_fail(c, WARD_E_PARTY_MISMATCH, "permission denied: the ciphertext is not from them");
        return false;
    }
    q->from = ct_from != NULL ? ct_from : r->claimed_from;
    q->to = r->me;
    if (q->from == NULL) {
        op_fail(c, WARD_E_INVALID, "missing from (the origin)");
        return false;
    }
    return true;
}

/* resolve checks the party policy, finds the route and takes its key (flagged for the token). */
static bool resolve(struct op_ctx *c, const struct do_query *q, struct do_route *route,
                    struct ward_key **out)
{
    const char *other = producing(q->op) ? q->to : q->from;
    struct mount *m = NULL;
    const char *rest = NULL;
    ward_err err;

    *out = NULL;
    if ((err = check_party(c, party_kind(q->op), other)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_PARTY_DENIED ? "permission denied: the caller's policies do "
                                             "not allow this FROM/TO"
                                           : NULL);
        return false;
    }
    if ((err = do_route_find(c->eng, route, q)) != WARD_OK) {
        op_fail(c, err, NULL);
        return false;
    }
    m = mount_lookup(c->eng->mounts, route->mount, &rest);
    if (m == NULL || m->kind != &g_mount_transit || rest == NULL || rest[0] != '\0') {
        mount_unref(m);
        op_fail(c, WARD_E_NO_ROUTE, "the route's mount is not a transit mount");
        return false;
    }
    if ((err = ward_keys_get(m->state, out, route->key)) == WARD_OK && !c->tok.root) {
        ward_keys_tag(m->state, *out, c->tok.accessor);
    }
    _Static_assert(OP_AUDIT_KEY_MAX >= WARD_KEY_NAME_MAX, "a key name fits the record");
    (void)snprintf(c->audit_key, sizeof(c->audit_key), "%s", route->key); /* the record's key */
    mount_unref(m);
    if (err != WARD_OK) {
        op_fail(c, err == WARD_E_NOT_FOUND ? WARD_E_NO_ROUTE : err,
                err == WARD_E_NOT_FOUND ? "the route's key does not exist" : NULL);
        return false;
    }
    return true;
}

/* frame builds the signed or MACed message: label, both parties, the data. */
static ward_err frame(struct ward_buf *out, const struct do_query *q, const struct ward_buf *data)
{
    const char *names[2] = { q->from, q->to };
    ward_err err;

    if ((err = ward_buf_append(out, FRAME_LABEL, sizeof(FRAME_LABEL))) != WARD_OK) {
        return err;
    }
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);

        if ((err = ward_buf_append_u8(out, (uint8_t)n)) != WARD_OK ||
            (err = ward_buf_append(out, names[i], n)) != WARD_OK) {
            return err;
        }
    }
    return ward_buf_append(out, data->data, data->len);
}

static json_t *answer(const struct do_query *q, const struct do_route *route)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "op", do_op_name(q->op), "from", q->from, "to", q->to,
                     "route", route->name);
}

/* produce runs encrypt, sign or mac: data is base64 input. */
static void produce(struct op_ctx *c, const struct do_query *q, const struct do_route *route,
                    const struct ward_key *k, const struct ward_buf *in)
{
    struct ward_buf msg;
    struct ward_buf out;
    json_t *result = answer(q, route);
    uint32_t v = 0;
    ward_err err;

    ward_buf_init(&msg, TRANSIT_MAX_FIELD + 512);
    ward_buf_init(&out, TRANSIT_MAX_FIELD * 2);
    if (q->op == DO_ENCRYPT) {
        err = ward_key_encrypt(k, &out, &v,
                               &(const struct ward_key_enc){ .plaintext = in->data,
                                                             .plaintext_len = in->len,
                                                             .format = WARD_CT_MANAGED,
                                                             .from = q->from,
                                                             .to = q->to });
    } else if ((err = frame(&msg, q, in)) == WARD_OK) {
        err =
            q->op == DO_SIGN
                ? ward_key_sign(k, &out, &v,
                                &(const struct ward_key_sig){ .hash = route->hash,
                                                              .padding = WARD_SIG_PSS,
                                                              .in = msg.data,
                                                              .in_len = msg.len })
                : ward_key_hmac(k, &out, &v,
                                &(const struct ward_key_mac){ 0, route->hash, msg.data, msg.len });
    }
    if (err != WARD_OK) {
        json_decref(result);
        op_fail(c, err, NULL);
    } else {
        (void)json_object_set_new(result,
                                  q->op == DO_ENCRYPT ? "ciphertext"
                                  : q->op == DO_SIGN  ? "signature"
                                                      : "mac",
                                  json_stringn_nocheck((const char *)out.data, out.len));
        (void)json_object_set_new(result, "key_version", json_integer(v));
        kv_reply(c, result);
    }
    ward_buf_cleanup(&out);
    ward_buf_cleanup(&msg);
}

/* check_mac verifies a signature or MAC field over the framed message. */
static void check_mac(struct op_ctx *c, const struct do_query *q, const struct do_route *route,
                      const struct ward_key *k, const struct ward_buf *in)
{
    const char *field = q->op == DO_VERIFY ? "signature" : "mac";
    const char *text = json_string_value(json_object_get(c->body, field));
    struct ward_buf msg;
    bool valid = false;
    ward_err err;

    if (text == NULL) {
        op_fail(c, WARD_E_INVALID, q->op == DO_VERIFY ? "missing signature" : "missing mac");
        return;
    }
    ward_buf_init(&msg, TRANSIT_MAX_FIELD + 512);
    if ((err = frame(&msg, q, in)) == WARD_OK) {
        err = q->op == DO_VERIFY
                  ? ward_key_verify(k, &valid, text, strlen(text),
                                    &(const struct ward_key_sig){ .hash = route->hash,
                                                                  .padding = WARD_SIG_PSS,
                                                                  .in = msg.data,
                                                                  .in_len = msg.len })
                  : ward_key_hmac_verify(
                        k, &valid, text, strlen(text),
                        &(const struct ward_key_mac){ 0, route->hash, msg.data, msg.len });
    }
    ward_buf_cleanup(&msg);
    if (err != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    json_t *result = answer(q, route);

    (void)json_object_set_new(result, "valid", json_boolean(valid));
    kv_reply(c, result);
}

/* do_decrypt: data is a managed ciphertext with FROM/TO, and the caller is its TO. */
static void do_decrypt(struct op_ctx *c, const struct do_req *r)
{
    struct do_route route;
    struct do_query q;
    struct ward_key *k = NULL;
    struct ward_buf pt;
    struct ward_ct ct;
    ward_err err;

    ward_buf_init(&pt, TRANSIT_MAX_FIELD);
    if ((err = ward_ct_parse(&ct, r->data, r->data_len)) != WARD_OK ||
        ct.format != WARD_CT_MANAGED || !(ct.flags & WARD_CT_FLAG_PARTIES)) {
        op_fail(c, err != WARD_OK ? err : WARD_E_BAD_CIPHERTEXT,
                "DO decrypts managed (ward:v1:) ciphertexts that carry FROM and TO");
        goto out;
    }
    if (strcmp(ct.to, r->me) != 0) {
        op_fail(c, WARD_E_PARTY_MISMATCH,
                "permission denied: only the ciphertext's TO may decrypt it");
        goto out;
    }
    if (!parties(c, r, &q, ct.from) || !resolve(c, &q, &route, &k)) {
        goto out;
    }
    if (memcmp(ct.key_id, k->id, WARD_KEY_ID_LEN) != 0) {
        op_fail(c, WARD_E_NO_ROUTE, "the ciphertext's key is not the key its route names");
        goto out;
    }
    if ((err = ward_key_decrypt(k, &pt, &(const struct ward_key_dec){ .ct = &ct })) != WARD_OK) {
        op_fail(c, err, NULL);
        goto out;
    }
    json_t *result = answer(&q, &route);

    (void)json_object_set_new(result, "plaintext", transit_b64(pt.data, pt.len));
    kv_reply(c, result);
out:
    ward_key_unref(k);
    ward_ct_cleanup(&ct);
    ward_buf_cleanup(&pt);
}

void op_do(struct op_ctx *c)
{
    struct do_route route;
    struct do_query q;
    struct ward_key *k = NULL;
    struct do_req r;
    struct ward_buf in;
    bool present = false;

    if (!read_req(c, &r, true)) {
        return;
    }
    if (r.op == DO_DECRYPT) {
        do_decrypt(c, &r);
        return;
    }
    ward_buf_init(&in, TRANSIT_MAX_FIELD);
    if (transit_b64_field(&in, &present, c->body, "data") != WARD_OK) {
        op_fail(c, WARD_E_BAD_ENCODING, "data must be base64 text");
    } else if (parties(c, &r, &q, NULL) && resolve(c, &q, &route, &k)) {
        if (producing(r.op)) {
            produce(c, &q, &route, k, &in);
        } else {
            check_mac(c, &q, &route, k, &in);
        }
    }
    ward_key_unref(k);
    ward_buf_cleanup(&in);
}

void op_do_prefetch(struct op_ctx *c)
{
    struct do_route route;
    struct do_query q;
    struct ward_key *k = NULL;
    struct do_req r;

    if (!read_req(c, &r, false) || !parties(c, &r, &q, r.claimed_from)) {
        return;
    }
    if (resolve(c, &q, &route, &k)) {
        json_t *result = answer(&q, &route);

        (void)json_object_set_new(result, "cached", json_true());
        kv_reply(c, result);
    }
    ward_key_unref(k);
}

void do_logoff_flush(struct ward_engine *e, const uint8_t acc[WARD_TOKEN_ID_LEN])
{
    struct mount *m;
    size_t dropped = 0;

    for (size_t i = 0; (m = mount_find_kind(e->mounts, &g_mount_transit, i)) != NULL; i++) {
        if (m->state != NULL) {
            dropped += ward_keys_flush_tag(m->state, acc);
        }
        mount_unref(m);
    }
    if (dropped > 0) {
        ward_log(WARD_LOG_INFO, "msg=\"logoff flushed prefetched keys\" count=%zu", dropped);
    }
}

bool do_child_principal(struct op_ctx *c, struct ward_token_info *t, const char **why)
{
    bool named = strcmp(t->principal, "token") != 0;

    *why = NULL;
    if (c->tok.root ||
        access_allowed(c, "auth/token/create", WARD_CAP_UPDATE | WARD_CAP_CREATE, true)) {
        return true;
    }
    if (named && strcmp(t->principal, c->tok.principal) != 0) {
        *why = "permission denied: display_name names another principal (that needs sudo on "
               "auth/token/create); a child token acts for its creator";
        return false;
    }
    (void)snprintf(t->principal, sizeof(t->principal), "%s", c->tok.principal);
    return true;
}

/*
 * peek_header parses only the header of a managed ciphertext: the first
 * 376 base64 characters hold 282 bytes, more than the largest header
 * (23 + 2 * 129). A text whose whole parse succeeds has a prefix that
 * parses too, so a ciphertext the handler would accept is never missed.
 */
static ward_err peek_header(struct ward_ct *ct, const char *text, size_t len)
{
    enum {
        PREFIX = 8,
        HEAD_B64 = 376
    };

    return ward_ct_parse(ct, text, len < PREFIX + HEAD_B64 ? len : PREFIX + HEAD_B64);
}

/* gate_item checks one item's ciphertext (see do_party_gate). */
static bool gate_item(struct op_ctx *c, enum op_id op, const json_t *item)
{
    const json_t *v = json_object_get(item, "ciphertext");
    const char *text = json_string_value(v);
    struct ward_ct ct;
    ward_err err;
    bool ok = true;

    if (text == NULL || strncmp(text, "ward:v1:", 8) != 0) {
        return true; /* no header, so no parties (and the handler refuses what is malformed) */
    }
    if (peek_header(&ct, text, json_string_length(v)) == WARD_OK &&
        (ct.flags & WARD_CT_FLAG_PARTIES) != 0) {
        if (op == OP_TRANSIT_REWRAP) {
            op_fail(c, WARD_E_UNSUPPORTED,
                    "rewrap would drop this ciphertext's FROM and TO; its TO decrypts it instead");
            ok = false;
        } else if (strcmp(ct.to, c->tok.principal) != 0) {
            op_fail(c, WARD_E_PARTY_MISMATCH,
                    "permission denied: only the ciphertext's TO may decrypt it");
            ok = false;
        } else if ((err = check_party(c, WARD_PARTY_DECRYPT_FROM, ct.from)) != WARD_OK) {
            op_fail(c, err,
                    err == WARD_E_PARTY_DENIED
                        ? "permission denied: the caller's policies do not allow decrypting from "
                          "this ciphertext's FROM"
                        : NULL);
            ok = false;
        }
    }
    ward_ct_cleanup(&ct);
    return ok;
}

bool do_party_gate(struct op_ctx *c, enum op_id op)
{
    const json_t *batch;
    const json_t *item;
    size_t i;

    if (op != OP_TRANSIT_DECRYPT && op != OP_WARD_DECRYPT && op != OP_TRANSIT_REWRAP) {
        return true;
    }
    if (!gate_item(c, op, c->body)) {
        return false;
    }
    batch = json_object_get(c->body, "batch_input");
    json_array_foreach(batch, i, item)
    {
        if (json_is_object(item) && !gate_item(c, op, item)) {
            return false;
        }
    }
    return true;
}
