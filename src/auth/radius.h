/*
 * radius.h - Ward's RADIUS client (RFC 2865 PAP with RFC 3579's
 * Message-Authenticator), for the radius auth method.
 *
 * Keeper-side. The protocol code is pure (encode a request, verify a
 * response: no I/O, unit-tested and fuzzed); ward_radius_exchange is the
 * one function that touches the network: one UDP exchange with a bounded
 * wait.
 *
 * An Access-Request, as ward_radius_encode writes it:
 *   offset  size  field
 *   0       1     Code (1, Access-Request)
 *   1       1     Identifier (random)
 *   2       2     Length, big-endian (20 + attributes)
 *   4       16    Request Authenticator (random, from the CSPRNG)
 *   20      ...   attributes, each Type(1) Length(1, >= 2, header included) Value:
 *                 User-Name (1), User-Password (2, hidden as RFC 2865 5.2),
 *                 NAS-Identifier (32), NAS-Port (5, 4 bytes big-endian),
 *                 Message-Authenticator (80, HMAC-MD5 over the whole packet
 *                 with this value zeroed, keyed by the shared secret)
 * A response has the same header with Code 2 (Accept), 3 (Reject) or 11
 * (Challenge), the request's Identifier, and the Response Authenticator
 * MD5(Code | Identifier | Length | Request Authenticator | attributes | secret).
 *
 * SECURITY: every response must carry a Message-Authenticator that checks
 * (RFC 3579 3.2, over the response with the Request Authenticator in place
 * of its own); without it an attacker who can forge MD5 chosen-prefix
 * collisions turns a Reject into an Accept (BlastRADIUS, CVE-2024-3596).
 * Authenticators are compared in constant time. The shared secret and the
 * password never leave these functions except as the hidden attribute.
 *
 * THREADS: every function is reentrant; nothing is shared.
 */
#ifndef WARD_AUTH_RADIUS_H
#define WARD_AUTH_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WARD_RADIUS_AUTH_LEN     16
#define WARD_RADIUS_HDR_LEN      20
#define WARD_RADIUS_MAX_PACKET   4096 /* RFC 2865 3: the largest packet */
#define WARD_RADIUS_MAX_PASSWORD 128  /* RFC 2865 5.2 */
#define WARD_RADIUS_MAX_ATTR     253  /* value bytes of one attribute */
#define WARD_RADIUS_MAX_SECRET   256

enum ward_radius_code {
    WARD_RADIUS_ACCESS_REQUEST = 1,
    WARD_RADIUS_ACCESS_ACCEPT = 2,
    WARD_RADIUS_ACCESS_REJECT = 3,
    WARD_RADIUS_ACCESS_CHALLENGE = 11,
};

enum ward_radius_attr {
    WARD_RADIUS_ATTR_USER_NAME = 1,
    WARD_RADIUS_ATTR_USER_PASSWORD = 2,
    WARD_RADIUS_ATTR_NAS_PORT = 5,
    WARD_RADIUS_ATTR_NAS_IDENTIFIER = 32,
    WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR = 80,
};

/* One Access-Request. Everything is borrowed. */
struct ward_radius_request {
    uint8_t id;
    uint8_t authenticator[WARD_RADIUS_AUTH_LEN];
    const uint8_t *user; /* 1..253 bytes */
    size_t user_len;
    const uint8_t *password; /* 1..128 bytes */
    size_t password_len;
    const uint8_t *nas_identifier; /* 1..253 bytes */
    size_t nas_identifier_len;
    uint32_t nas_port;
};

/* The shared secret, borrowed (1..WARD_RADIUS_MAX_SECRET bytes). */
struct ward_radius_secret {
    const uint8_t *data;
    size_t len;
};

/*
 * ward_radius_hide_password writes the User-Password value of RFC 2865
 * 5.2 into out (*out_len: password_len rounded up to 16): the password,
 * NUL-padded, XORed with the chain MD5(secret | RA), MD5(secret | c1), ...
 * out holds WARD_RADIUS_MAX_PASSWORD bytes. WARD_E_INVALID for an empty
 * or longer password, WARD_E_CRYPTO.
 */
WARD_MUST_CHECK ward_err ward_radius_hide_password(uint8_t out[WARD_RADIUS_MAX_PASSWORD],
                                                   size_t *out_len,
                                                   const struct ward_radius_secret *secret,
                                                   const uint8_t ra[WARD_RADIUS_AUTH_LEN],
                                                   const uint8_t *password, size_t password_len);

/*
 * ward_radius_encode writes r as an Access-Request into out (cap bytes,
 * WARD_RADIUS_MAX_PACKET is always enough) with its Message-Authenticator.
 * WARD_E_INVALID (a field's length), WARD_E_TOO_LARGE, WARD_E_CRYPTO. The
 * caller wipes out after use (it holds the hidden password).
 */
WARD_MUST_CHECK ward_err ward_radius_encode(uint8_t *out, size_t cap, size_t *out_len,
                                            const struct ward_radius_request *r,
                                            const struct ward_radius_secret *secret);

/*
 * ward_radius_parse checks the framing of a response: at least a header,
 * a Length between 20 and in_len (bytes past Length are padding, RFC 2865
 * 3), attributes that each fit with a Length of at least 2, at most one
 * Message-Authenticator of 18 bytes. *out_len is the packet's Length.
 * WARD_E_BAD_ENCODING or WARD_OK; no secret needed.
 */
WARD_MUST_CHECK ward_err ward_radius_parse(size_t *out_len, const uint8_t *in, size_t in_len);

/*
 * ward_radius_response_auth_ok checks the Response Authenticator of the
 * framed packet pkt (pkt_len = its Length) against the request's
 * authenticator, in constant time.
 */
bool ward_radius_response_auth_ok(const uint8_t *pkt, size_t pkt_len,
                                  const uint8_t req_auth[WARD_RADIUS_AUTH_LEN],
                                  const struct ward_radius_secret *secret);

/*
 * ward_radius_verify checks a response to r (in: the datagram as
 * received) and gives its code: framing (ward_radius_parse), a known code
 * (Accept, Reject, Challenge), the Identifier (WARD_E_NOT_FOUND: the
 * answer to another request), then the Response Authenticator and the
 * required Message-Authenticator (WARD_E_INTEGRITY if either is missing
 * or wrong). WARD_E_BAD_ENCODING for malformed packets and unknown codes.
 */
WARD_MUST_CHECK ward_err ward_radius_verify(enum ward_radius_code *out, const uint8_t *in,
                                            size_t in_len, const struct ward_radius_request *r,
                                            const struct ward_radius_secret *secret);

/* Where and how long: a RADIUS server. */
struct ward_radius_server {
    const char *host; /* an IP address or a host name */
    uint16_t port;
    int64_t dial_timeout_ms; /* resolving the host (checked once the resolver returns) */
    int64_t read_timeout_ms; /* waiting for the answer, resends included */
};

/*
 * ward_radius_exchange sends r (its id and authenticator already drawn)
 * to srv over UDP and waits for the answer: the request is sent up to
 * three times at equal intervals within read_timeout_ms; datagrams from
 * another address or port, or with another Identifier, are ignored.
 * *out is the verified answer's code. WARD_E_RADIUS_UNREACHABLE (no
 * answer in time, host unknown, ICMP refused), WARD_E_RADIUS_BAD_RESPONSE
 * (an answer to r that fails verification: usually a wrong shared
 * secret), WARD_E_INVALID, WARD_E_SYS. With a numeric address it blocks
 * the calling thread for at most read_timeout_ms (and a little); a host
 * name is resolved by the system resolver, whose own timeouts apply, and
 * the exchange is refused if that took longer than dial_timeout_ms.
 */
WARD_MUST_CHECK ward_err ward_radius_exchange(enum ward_radius_code *out,
                                              const struct ward_radius_server *srv,
                                              const struct ward_radius_request *r,
                                              const struct ward_radius_secret *secret);

#endif
