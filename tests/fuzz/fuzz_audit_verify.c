/*
 * fuzz_audit_verify.c - the audit file verifier (src/audit/verify.c).
 *
 * Two halves. The raw input, read as an audit file under a fixed key, with
 * and without a head: the verifier must not crash (sanitizers watch it).
 * And the input as a list of edits to a good file made at start (a header,
 * MACed records and a run of records without a MAC in the middle, as
 * written while sealed): with the file's head, the verifier must call the
 * edited file intact exactly when the edits changed nothing.
 *
 * Edits, 4 bytes each: kind, a, b, c. Kinds: flip a bit of byte a*256+b,
 * delete bytes, insert the byte c, swap two lines, delete a line, repeat a
 * line, cut the file.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"

#define NREC     12
#define FILE_MAX (NREC * 600 * 2)

static const uint8_t g_key[WARD_AUDIT_KEY_LEN] = { 7, 7, 7, 1, 2, 3 };
static uint8_t g_base[FILE_MAX];
static size_t g_base_len;
static struct ward_audit_head g_head;

static void make_base(void)
{
    struct audit_chain ch = { .started = true };
    struct ward_buf line;
    char text[160];

    memset(ch.start, 0xa5, sizeof(ch.start));
    memcpy(ch.prev, ch.start, sizeof(ch.prev));
    ward_buf_init(&line, WARD_AUDIT_MAX_LINE);
    for (int i = 0; i < NREC; i++) {
        int n = snprintf(text, sizeof(text),
                         "\"time\":\"2024-01-01T00:00:%02d.000000Z\","
                         "\"node\":\"n\",\"path\":\"transit/encrypt/k%d\"",
                         i, i);

        if (audit_line(&line, &ch, i == 0 ? AUDIT_T_HEADER : AUDIT_T_REQUEST, text, (size_t)n,
                       i >= 4 && i < 7 ? NULL : g_key) != WARD_OK) {
            abort();
        }
        memcpy(g_base + g_base_len, line.data, line.len);
        g_base_len += line.len;
    }
    g_head.seq = ch.seq - 1;
    memcpy(g_head.hash, ch.prev, sizeof(g_head.hash));
    ward_buf_cleanup(&line);
}

/* line_span finds line k of f (its start and its length with the newline). */
static bool line_span(const uint8_t *f, size_t len, size_t k, size_t *at, size_t *n)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (f[i] == '\n') {
            if (k-- == 0) {
                *at = start;
                *n = i + 1 - start;
                return true;
            }
            start = i + 1;
        }
    }
    return false;
}

/* byte_edit: flip a bit, delete up to 16 bytes, or insert one byte at pos. */
static void byte_edit(uint8_t *f, size_t *len, const uint8_t op[4], size_t pos)
{
    size_t n = (size_t)(op[3] % 16) + 1;

    if (op[0] % 7 == 0 && *len > 0) {
        f[pos] ^= (uint8_t)(1u << (op[3] & 7));
    } else if (op[0] % 7 == 1) {
        n = n > *len - pos ? *len - pos : n;
        memmove(f + pos, f + pos + n, *len - pos - n);
        *len -= n;
    } else if (op[0] % 7 == 2 && *len < FILE_MAX) {
        memmove(f + pos + 1, f + pos, *len - pos);
        f[pos] = op[3];
        (*len)++;
    }
}

/* swap_lines swaps line op[1] with one of the three after it. */
static void swap_lines(uint8_t *f, size_t len, const uint8_t op[4])
{
    static uint8_t la[WARD_AUDIT_MAX_LINE];
    static uint8_t lb[WARD_AUDIT_MAX_LINE];
    size_t a = 0;
    size_t an = 0;
    size_t b = 0;
    size_t bn = 0;

    if (line_span(f, len, op[1] % NREC, &a, &an) &&
        line_span(f, len, op[1] % NREC + 1 + op[3] % 3, &b, &bn) && an <= sizeof(la) &&
        bn <= sizeof(lb)) {
        memcpy(la, f + a, an);
        memcpy(lb, f + b, bn);
        memmove(f + a + bn, f + a + an, b - (a + an));
        memcpy(f + a, lb, bn);
        memcpy(f + b + bn - an, la, an);
    }
}

/* line_edit deletes line op[1], or puts a copy of it before line op[3]. */
static void line_edit(uint8_t *f, size_t *len, const uint8_t op[4])
{
    static uint8_t tmp[WARD_AUDIT_MAX_LINE];
    size_t a = 0;
    size_t an = 0;
    size_t b = 0;
    size_t bn = 0;

    if (!line_span(f, *len, op[1] % NREC, &a, &an) || an > sizeof(tmp)) {
        return;
    }
    if (op[0] % 7 == 4) {
        memmove(f + a, f + a + an, *len - a - an);
        *len -= an;
    } else if (line_span(f, *len, op[3] % NREC, &b, &bn) && *len + an <= FILE_MAX) {
        memcpy(tmp, f + a, an);
        memmove(f + b + an, f + b, *len - b);
        memcpy(f + b, tmp, an);
        *len += an;
    }
}

static void edit(uint8_t *f, size_t *len, const uint8_t op[4])
{
    size_t pos = (*len > 0) ? ((size_t)op[1] << 8 | op[2]) % *len : 0;

    switch (op[0] % 7) {
    case 0:
    case 1:
    case 2:
        byte_edit(f, len, op, pos);
        break;
    case 3:
        swap_lines(f, *len, op);
        break;
    case 4:
    case 5:
        line_edit(f, len, op);
        break;
    default:
        *len = pos;
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t f[FILE_MAX];
    struct ward_audit_verdict v;
    size_t len = g_base_len;

    if (g_base_len == 0) {
        make_base();
    }
    if (ward_audit_verify(&v, data, size, g_key, NULL) != WARD_OK ||
        ward_audit_verify(&v, data, size, g_key, &g_head) != WARD_OK) {
        abort();
    }
    memcpy(f, g_base, g_base_len);
    for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
        edit(f, &len, data + i);
    }
    if (ward_audit_verify(&v, f, len, g_key, &g_head) != WARD_OK) {
        abort();
    }
    if (v.intact != (len == g_base_len && memcmp(f, g_base, len) == 0)) {
        abort(); /* an edited file called intact, or the good one called tampered */
    }
    return 0;
}
