/*
 * cert.h - client certificate checks of the cert auth method: does a TLS
 * client's certificate chain to a role's CA, and do its names satisfy the
 * role's constraints (Vault's allowed_common_names, allowed_dns_sans,
 * allowed_email_sans, allowed_organizational_units).
 *
 * Keeper-side, pure (no storage, no network). A role's constraint is a
 * list of glob patterns in which '*' matches any run of characters (dots
 * included, as Vault's globs); an empty list does not constrain. A
 * non-empty list is satisfied when one of the certificate's values of
 * that kind matches one of its patterns. Common names, DNS names and
 * e-mail addresses compare ASCII case-insensitively (DNS is); OUs exactly.
 *
 * SECURITY: the chain is built from the role's CA certificates only (never
 * the system store), for the TLS client purpose, with validity periods
 * checked; a CA given as a role's certificate is a trust anchor even if
 * not self-signed (Vault's behaviour: a pinned intermediate or leaf).
 * Names holding a NUL byte never match.
 *
 * THREADS: every function is reentrant.
 */
#ifndef WARD_AUTH_CERT_H
#define WARD_AUTH_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "base/err.h"

#define WARD_CERT_MAX_PEM      (64 * 1024) /* a role's CA bundle */
#define WARD_CERT_MAX_PATTERNS 32          /* patterns in one constraint */
#define WARD_CERT_MAX_PATTERN  256         /* bytes of one pattern */

/* One constraint: glob patterns, borrowed; num 0 = unconstrained. */
struct ward_cert_patterns {
    const char *const *items;
    size_t num;
};

struct ward_cert_rules {
    struct ward_cert_patterns common_names;
    struct ward_cert_patterns dns_sans;
    struct ward_cert_patterns email_sans;
    struct ward_cert_patterns org_units;
};

/*
 * ward_cert_glob is true when text matches pattern ('*' = any run, every
 * other character literal; fold_case: ASCII case-insensitive). Linear in
 * practice; at worst O(len(pattern) * len(text)).
 */
bool ward_cert_glob(const char *pattern, const char *text, bool fold_case);

/*
 * ward_cert_ca_check accepts a CA bundle: PEM text of 1..16 certificates
 * and nothing else that parses. WARD_E_INVALID otherwise (why set to a
 * fixed message).
 */
WARD_MUST_CHECK ward_err ward_cert_ca_check(const char *pem, size_t pem_len, const char **why);

/*
 * ward_cert_parse decodes a DER certificate (the whole input, nothing
 * after it). The caller owns *out (X509_free). WARD_E_BAD_ENCODING.
 */
WARD_MUST_CHECK ward_err ward_cert_parse(X509 **out, const uint8_t *der, size_t der_len);

/*
 * ward_cert_chain_ok verifies leaf against the CA bundle ca_pem alone, for
 * the TLS client purpose, at time at_s (seconds since the epoch; 0: now).
 * WARD_OK, WARD_E_PERMISSION (does not chain, expired, not yet valid,
 * wrong purpose), WARD_E_INVALID (the bundle does not parse), WARD_E_NOMEM.
 */
WARD_MUST_CHECK ward_err ward_cert_chain_ok(X509 *leaf, const char *ca_pem, size_t ca_pem_len,
                                            int64_t at_s);

/* ward_cert_rules_match is true when leaf satisfies every constraint of r. */
bool ward_cert_rules_match(X509 *leaf, const struct ward_cert_rules *r);

#endif
