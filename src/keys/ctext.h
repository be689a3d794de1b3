/*
 * ctext.h - the text forms of Ward's ciphertexts (docs/storage-format.md
 * "Ciphertexts"):
 *
 *   managed  "ward:v1:" base64(header || nonce || ciphertext || tag)
 *            header = format (1) | algorithm (1) | key id (16) |
 *                     key version (4, big-endian) | flags (1) |
 *                     [from length (1) | from | to length (1) | to]
 *            self-describing: decrypts without naming the key; the header
 *            (and the caller's context) is authenticated as AAD.
 *   vault    "vault:v<N>:" base64(nonce || ciphertext || tag), Vault's form,
 *            for data encrypted by Vault and clients that parse it.
 *   raw      base64(nonce || ciphertext || tag): unmanaged; the caller names
 *            key and version.
 *
 * Keeper-side; pure functions, no I/O. ward_ct_parse is a parser of outside
 * input (fuzz target fuzz_ctext).
 */
#ifndef WARD_KEYS_CTEXT_H
#define WARD_KEYS_CTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define WARD_CT_FORMAT_V1    1
#define WARD_CT_PARTY_MAX    128         /* bytes of a FROM or TO name */
#define WARD_CT_MAX_TEXT     (12u << 20) /* characters of one ciphertext */
#define WARD_CT_FLAG_PARTIES 0x01        /* header carries FROM and TO */
#define WARD_CT_FLAG_CONTEXT 0x02        /* encrypted under a context-derived key */
#define WARD_CT_HEADER_FIXED 23          /* header bytes before the parties */

enum ward_ct_format {
    WARD_CT_MANAGED = 1,
    WARD_CT_VAULT = 2,
    WARD_CT_RAW = 3,
};

/* A parsed ciphertext. bin owns the decoded bytes; clean up with ward_ct_cleanup. */
struct ward_ct {
    enum ward_ct_format format;
    uint8_t alg;        /* managed: enum ward_key_type */
    uint8_t key_id[16]; /* managed */
    uint32_t version;   /* managed, vault; raw: 0 (the caller names it) */
    uint8_t flags;      /* managed */
    char from[WARD_CT_PARTY_MAX + 1];
    char to[WARD_CT_PARTY_MAX + 1];
    size_t header_len; /* managed: bytes of bin that are the header */
    struct ward_buf bin;
};

/*
 * ward_ct_parse decodes text (len characters, not NUL-terminated) by its
 * prefix: "ward:" managed, "vault:" vault, anything else raw. Errors:
 * WARD_E_BAD_CIPHERTEXT (malformed: prefix, base64, header, lengths),
 * WARD_E_BAD_VERSION (managed format version other than 1), WARD_E_TOO_LARGE.
 * ct is initialised by the call (always clean it up).
 */
WARD_MUST_CHECK ward_err ward_ct_parse(struct ward_ct *ct, const char *text, size_t len);
void ward_ct_cleanup(struct ward_ct *ct);

/* ward_ct_body is the part of ct->bin after the header (nonce || ciphertext || tag). */
const uint8_t *ward_ct_body(const struct ward_ct *ct, size_t *len);

/* The fields of a managed header; everything borrowed. */
struct ward_ct_head {
    uint8_t alg;
    const uint8_t *key_id; /* 16 bytes */
    uint32_t version;
    uint8_t flags;
    const char *from; /* both NULL, or both names */
    const char *to;
};

/*
 * ward_ct_header appends a managed header to out. from and to are both NULL
 * or both names of 1..WARD_CT_PARTY_MAX bytes (else WARD_E_INVALID).
 */
WARD_MUST_CHECK ward_err ward_ct_header(struct ward_buf *out, const struct ward_ct_head *h);

/*
 * ward_ct_text appends the text form of bin to out, with its prefix for
 * format ("ward:v1:", "vault:v<version>:", none). No NUL.
 */
WARD_MUST_CHECK ward_err ward_ct_text(struct ward_buf *out, enum ward_ct_format format,
                                      uint32_t version, const uint8_t *bin, size_t bin_len);

#endif
