/*
 * verify.c - `ward audit verify`'s checks of a whole audit file.
 *
 * A file is intact when: every line ends in '\n' and is one JSON object of
 * the record shape (docs/storage-format.md); line 1 is the header (seq 0,
 * prev = the chain's start value); every later line has seq one more than
 * the line before and prev = SHA-256 of the line before; every non-empty mac
 * is right under the file key; a record without a MAC (written while
 * sealed) is followed by a MACed record or covered by the head; and, with a
 * head, the file holds the head's record with the head's hash. So an
 * altered, deleted, inserted or reordered line breaks a MAC or the chain,
 * and a cut tail misses the head (a file read without a head cannot show a
 * cut tail; the verdict says it is not anchored).
 *
 * Input is outside input (fuzzed: tests/fuzz/fuzz_audit_verify.c).
 */
#include <string.h>

#include <jansson.h>

#include "audit_int.h"
#include "crypto/crypto.h"

struct vstate {
    struct ward_audit_verdict *v;
    const uint8_t *key;
    const struct ward_audit_head *head;
    uint8_t prev[WARD_AUDIT_HASH_LEN]; /* hash of the line before */
    uint64_t unkeyed_from;             /* first seq of the unMACed run at the end */
    size_t unkeyed_line;
    size_t line;  /* the line being read, from 1 */
    bool unkeyed; /* such a run is open */
};

static void bad(struct ward_audit_verdict *v, uint64_t seq, size_t line, const char *why)
{
    v->intact = false;
    v->bad_seq = seq;
    v->bad_line = line;
    v->why = why;
}

static const char *check_shape(json_t *o, enum audit_type *type, uint64_t *seq, const char **prev)
{
    json_t *t = json_object_get(o, "type");
    json_t *s = json_object_get(o, "seq");
    json_t *p = json_object_get(o, "prev");

    if (!json_is_string(t) || !json_is_integer(s) || !json_is_string(p) ||
        !json_is_string(json_object_get(o, "time"))) {
        return "not a record: type, seq, time or prev missing";
    }
    if (json_integer_value(s) < 0) {
        return "negative seq";
    }
    *seq = (uint64_t)json_integer_value(s);
    *prev = json_string_value(p);
    for (int i = 0; i < AUDIT_T_COUNT; i++) {
        if (strcmp(json_string_value(t), g_audit_types[i]) == 0) {
            *type = (enum audit_type)i;
            return NULL;
        }
    }
    return "unknown record type";
}

/* check_mac checks the mac member against the key; NULL when right or absent. */
static const char *check_mac(struct vstate *st, const uint8_t *line, size_t len, bool *keyed)
{
    uint8_t want[WARD_AUDIT_HASH_LEN];
    uint8_t got[WARD_AUDIT_HASH_LEN];
    uint8_t buf[WARD_AUDIT_MAX_LINE];
    size_t at = 0;
    size_t mac_len = 0;

    if (audit_line_mac(line, len, &at, &mac_len) != WARD_OK) {
        return "the line does not end in its mac member";
    }
    *keyed = mac_len != 0;
    if (mac_len == 0) {
        return NULL;
    }
    if (ward_audit_unhex(got, sizeof(got), (const char *)line + at + 8, mac_len) != WARD_OK) {
        return "mac is not lowercase hex";
    }
    memcpy(buf, line, at);
    buf[at] = '}';
    if (ward_hmac_sha256(want, st->key, WARD_AUDIT_KEY_LEN, buf, at + 1) != WARD_OK ||
        !ward_ct_equal(want, got, sizeof(got))) {
        return "MAC does not match: the record was altered or made without the key";
    }
    return NULL;
}

/* check_chain checks the record's place: seq and prev. */
static const char *check_chain(struct vstate *st, enum audit_type type, uint64_t seq,
                               const char *prev_hex)
{
    uint8_t prev[WARD_AUDIT_HASH_LEN];
    bool first = st->v->records == 0;

    if (ward_audit_unhex(prev, sizeof(prev), prev_hex, strlen(prev_hex)) != WARD_OK) {
        return "prev is not 64 lowercase hex digits";
    }
    if (first) {
        if (type != AUDIT_T_HEADER || seq != 0) {
            return "the first line is not a header with seq 0: the file's start is missing";
        }
        return NULL;
    }
    if (type == AUDIT_T_HEADER) {
        return "a header in the middle of the file";
    }
    if (seq != st->v->last_seq + 1) {
        return seq <= st->v->last_seq ? "seq goes back: a line was inserted, repeated or moved"
                                      : "seq skips ahead: a line was deleted or moved";
    }
    if (!ward_ct_equal(prev, st->prev, sizeof(prev))) {
        return "prev is not the hash of the line before: a line was altered, deleted, "
               "inserted or moved";
    }
    return NULL;
}

/* check_line checks one line (without its '\n'); NULL when good. */
static const char *check_line(struct vstate *st, const uint8_t *line, size_t len, uint64_t *seq)
{
    json_error_t jerr;
    enum audit_type type = AUDIT_T_COUNT;
    const char *prev = NULL;
    const char *why;
    bool keyed = false;
    json_t *o;

    *seq = st->v->records == 0 ? 0 : st->v->last_seq + 1;
    if (len == 0 || len > WARD_AUDIT_MAX_LINE || line[0] != '{') {
        return "not a record line";
    }
    o = json_loadb((const char *)line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return "not a JSON object";
    }
    why = check_shape(o, &type, seq, &prev);
    if (why == NULL) {
        why = check_chain(st, type, *seq, prev);
    }
    json_decref(o);
    if (why == NULL) {
        why = check_mac(st, line, len, &keyed);
    }
    if (why != NULL) {
        return why;
    }
    if (!keyed && !st->unkeyed) {
        st->unkeyed = true;
        st->unkeyed_from = *seq;
        st->unkeyed_line = st->line;
    } else if (keyed) {
        st->unkeyed = false;
        st->v->keyed++;
    }
    if (st->head != NULL && *seq == st->head->seq) {
        uint8_t h[WARD_AUDIT_HASH_LEN];

        ward_sha256(h, line, len);
        if (!ward_ct_equal(h, st->head->hash, sizeof(h))) {
            return "the record differs from the server's head";
        }
        st->v->anchored = true;
        st->unkeyed = false; /* the head vouches for everything up to here */
    }
    ward_sha256(st->prev, line, len);
    st->v->closed = type == AUDIT_T_CLOSE;
    st->v->last_seq = *seq;
    st->v->records++;
    return NULL;
}

/* finish applies the checks of the whole file once every line is good. */
static void finish(struct vstate *st, size_t lines)
{
    struct ward_audit_verdict *v = st->v;

    if (v->records == 0) {
        bad(v, 0, 1, "the file is empty: not even a header");
    } else if (st->head != NULL && !v->anchored) {
        bad(v, st->head->seq, lines + 1,
            st->head->seq > v->last_seq ? "the file ends before the server's head: its tail "
                                          "was cut"
                                        : "the server's head is not in this file");
    } else if (st->unkeyed) {
        bad(v, st->unkeyed_from, st->unkeyed_line,
            "records without a MAC (written while sealed) at the end, with no later MACed "
            "record or head to vouch for them");
    }
}

ward_err ward_audit_verify(struct ward_audit_verdict *out, const uint8_t *file, size_t len,
                           const uint8_t key[WARD_AUDIT_KEY_LEN],
                           const struct ward_audit_head *head)
{
    struct vstate st = { .v = out, .key = key, .head = head };
    size_t line = 0;
    size_t pos = 0;

    memset(out, 0, sizeof(*out));
    out->intact = true;
    while (pos < len) {
        const uint8_t *nl = memchr(file + pos, '\n', len - pos);
        const char *why;
        uint64_t seq = 0;

        st.line = ++line;
        if (nl == NULL) {
            bad(out, out->records == 0 ? 0 : out->last_seq + 1, line,
                "the last line has no newline: the file was cut in the middle of a line");
            return WARD_OK;
        }
        if ((why = check_line(&st, file + pos, (size_t)(nl - (file + pos)), &seq)) != NULL) {
            bad(out, seq, line, why);
            return WARD_OK;
        }
        pos = (size_t)(nl - file) + 1;
    }
    finish(&st, line);
    if (out->intact) {
        out->why = out->anchored ? "intact up to the server's head"
                   : out->closed ? "intact; ends with a close record"
                                 : "intact; the tail is not anchored (no head given, no close "
                                   "record): a cut tail cannot be seen";
    }
    return WARD_OK;
}

ward_err ward_audit_file_start(uint8_t out[WARD_AUDIT_HASH_LEN], const uint8_t *file, size_t len)
{
    const uint8_t *nl = memchr(file, '\n', len);
    json_error_t jerr;
    json_t *o;
    json_t *p;
    ward_err err = WARD_E_BAD_ENCODING;

    if (nl == NULL || (size_t)(nl - file) > WARD_AUDIT_MAX_LINE) {
        return WARD_E_BAD_ENCODING;
    }
    o = json_loadb((const char *)file, (size_t)(nl - file), JSON_REJECT_DUPLICATES, &jerr);
    p = json_object_get(o, "prev");
    if (json_is_string(json_object_get(o, "type")) &&
        strcmp(json_string_value(json_object_get(o, "type")), "header") == 0 && json_is_string(p)) {
        err = ward_audit_unhex(out, WARD_AUDIT_HASH_LEN, json_string_value(p),
                               strlen(json_string_value(p)));
    }
    json_decref(o);
    return err;
}
