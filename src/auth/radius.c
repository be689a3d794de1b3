/*
 * radius.c - the RADIUS client of the radius auth method: Access-Request
 * encoding, response verification and one UDP exchange (radius.h has the
 * packet layout and the security rules).
 *
 * Digests: MD5 for password hiding and the Response Authenticator (RFC
 * 2865), HMAC-MD5 for the Message-Authenticator (RFC 3579); both through
 * OpenSSL's EVP interfaces. MD5 is what the protocol fixes, not a choice:
 * the Message-Authenticator requirement is what keeps forged answers out.
 */
#include "radius.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/log.h"

#define MD5_LEN       16
#define MA_ATTR_LEN   (2 + MD5_LEN)
#define SENDS         3 /* the request goes out at most this many times */
#define MIN_RESEND_MS 100

/* md5_parts writes MD5 of the concatenation of n parts into out. */
static bool md5_parts(uint8_t out[MD5_LEN], const uint8_t *const *parts, const size_t *lens,
                      size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;

    for (size_t i = 0; ok && i < n; i++) {
        ok = EVP_DigestUpdate(ctx, parts[i], lens[i]) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == MD5_LEN;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static bool hmac_md5(uint8_t out[MD5_LEN], const struct ward_radius_secret *secret,
                     const uint8_t *in, size_t in_len)
{
    size_t len = 0;

    return EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, secret->data, secret->len, in, in_len, out,
                     MD5_LEN, &len) != NULL &&
           len == MD5_LEN;
}

static bool secret_ok(const struct ward_radius_secret *s)
{
    return s->data != NULL && s->len > 0 && s->len <= WARD_RADIUS_MAX_SECRET;
}

ward_err ward_radius_hide_password(uint8_t out[WARD_RADIUS_MAX_PASSWORD], size_t *out_len,
                                   const struct ward_radius_secret *secret,
                                   const uint8_t ra[WARD_RADIUS_AUTH_LEN], const uint8_t *password,
                                   size_t password_len)
{
    uint8_t b[MD5_LEN];
    size_t padded = (password_len + MD5_LEN - 1) / MD5_LEN * MD5_LEN;
    ward_err err = WARD_E_CRYPTO;

    *out_len = 0;
    if (password_len == 0 || password_len > WARD_RADIUS_MAX_PASSWORD || !secret_ok(secret)) {
        return WARD_E_INVALID;
    }
    memset(out, 0, padded);
    memcpy(out, password, password_len);
    for (size_t off = 0; off < padded; off += MD5_LEN) {
        /* b(i) = MD5(S + c(i-1)), c(0) = RA: each block chains on the last ciphertext */
        const uint8_t *parts[2] = { secret->data, off == 0 ? ra : out + off - MD5_LEN };
        const size_t lens[2] = { secret->len, MD5_LEN };

        if (!md5_parts(b, parts, lens, 2)) {
            OPENSSL_cleanse(out, padded);
            goto out;
        }
        for (size_t i = 0; i < MD5_LEN; i++) {
            out[off + i] ^= b[i];
        }
    }
    *out_len = padded;
    err = WARD_OK;
out:
    OPENSSL_cleanse(b, sizeof(b));
    return err;
}

/* put_attr appends one attribute at *pos. */
static ward_err put_attr(uint8_t *out, size_t cap, size_t *pos, uint8_t type, const uint8_t *v,
                         size_t v_len)
{
    if (v_len > WARD_RADIUS_MAX_ATTR) {
        return WARD_E_INVALID;
    }
    if (cap - *pos < 2 + v_len) {
        return WARD_E_TOO_LARGE;
    }
    out[*pos] = type;
    out[*pos + 1] = (uint8_t)(2 + v_len);
    memcpy(out + *pos + 2, v, v_len);
    *pos += 2 + v_len;
    return WARD_OK;
}

/* put_attrs appends User-Name, User-Password, NAS-Identifier and NAS-Port. */
static ward_err put_attrs(uint8_t *out, size_t cap, size_t *pos,
                          const struct ward_radius_request *r,
                          const struct ward_radius_secret *secret)
{
    uint8_t hidden[WARD_RADIUS_MAX_PASSWORD];
    uint8_t port[4];
    size_t hidden_len = 0;
    ward_err err;

    if (r->user_len == 0 || r->nas_identifier_len == 0) {
        return WARD_E_INVALID;
    }
    ward_put_u32(port, r->nas_port);
    if ((err = ward_radius_hide_password(hidden, &hidden_len, secret, r->authenticator, r->password,
                                         r->password_len)) != WARD_OK) {
        return err;
    }
    if ((err = put_attr(out, cap, pos, WARD_RADIUS_ATTR_USER_NAME, r->user, r->user_len)) ==
            WARD_OK &&
        (err = put_attr(out, cap, pos, WARD_RADIUS_ATTR_USER_PASSWORD, hidden, hidden_len)) ==
            WARD_OK &&
        (err = put_attr(out, cap, pos, WARD_RADIUS_ATTR_NAS_IDENTIFIER, r->nas_identifier,
                        r->nas_identifier_len)) == WARD_OK) {
        err = put_attr(out, cap, pos, WARD_RADIUS_ATTR_NAS_PORT, port, sizeof(port));
    }
    OPENSSL_cleanse(hidden, sizeof(hidden));
    return err;
}

ward_err ward_radius_encode(uint8_t *out, size_t cap, size_t *out_len,
                            const struct ward_radius_request *r,
                            const struct ward_radius_secret *secret)
{
    static const uint8_t zero[MD5_LEN];
    uint8_t mac[MD5_LEN];
    size_t pos = WARD_RADIUS_HDR_LEN;
    size_t ma;
    ward_err err;

    *out_len = 0;
    if (!secret_ok(secret)) {
        return WARD_E_INVALID;
    }
    if (cap < WARD_RADIUS_HDR_LEN) {
        return WARD_E_TOO_LARGE;
    }
    out[0] = WARD_RADIUS_ACCESS_REQUEST;
    out[1] = r->id;
    memcpy(out + 4, r->authenticator, WARD_RADIUS_AUTH_LEN);
    if ((err = put_attrs(out, cap, &pos, r, secret)) != WARD_OK) {
        return err;
    }
    /* RFC 3579 3.2: the MAC covers the whole packet with its own value zeroed */
    ma = pos;
    if ((err = put_attr(out, cap, &pos, WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR, zero,
                        sizeof(zero))) != WARD_OK) {
        return err;
    }
    if (pos > WARD_RADIUS_MAX_PACKET) {
        return WARD_E_TOO_LARGE;
    }
    out[2] = (uint8_t)(pos >> 8);
    out[3] = (uint8_t)pos;
    if (!hmac_md5(mac, secret, out, pos)) {
        return WARD_E_CRYPTO;
    }
    memcpy(out + ma + 2, mac, MD5_LEN);
    *out_len = pos;
    return WARD_OK;
}

/* find_ma gives the offset of the Message-Authenticator's value, 0 if none (framed pkt). */
static size_t find_ma(const uint8_t *pkt, size_t pkt_len)
{
    for (size_t pos = WARD_RADIUS_HDR_LEN; pos + 2 <= pkt_len; pos += pkt[pos + 1]) {
        if (pkt[pos] == WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR) {
            return pos + 2;
        }
    }
    return 0;
}

ward_err ward_radius_parse(size_t *out_len, const uint8_t *in, size_t in_len)
{
    size_t len;
    size_t num_ma = 0;

    *out_len = 0;
    if (in_len < WARD_RADIUS_HDR_LEN) {
        return WARD_E_BAD_ENCODING;
    }
    len = (size_t)in[2] << 8 | in[3];
    if (len < WARD_RADIUS_HDR_LEN || len > in_len || len > WARD_RADIUS_MAX_PACKET) {
        return WARD_E_BAD_ENCODING;
    }
    for (size_t pos = WARD_RADIUS_HDR_LEN; pos < len;) {
        size_t alen;

        if (len - pos < 2 || (alen = in[pos + 1]) < 2 || alen > len - pos) {
            return WARD_E_BAD_ENCODING;
        }
        if (in[pos] == WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR &&
            (alen != MA_ATTR_LEN || ++num_ma > 1)) {
            return WARD_E_BAD_ENCODING;
        }
        pos += alen;
    }
    *out_len = len;
    return WARD_OK;
}

bool ward_radius_response_auth_ok(const uint8_t *pkt, size_t pkt_len,
                                  const uint8_t req_auth[WARD_RADIUS_AUTH_LEN],
                                  const struct ward_radius_secret *secret)
{
    uint8_t want[MD5_LEN];
    const uint8_t *parts[4] = { pkt, req_auth, pkt + WARD_RADIUS_HDR_LEN, secret->data };
    const size_t lens[4] = { 4, WARD_RADIUS_AUTH_LEN, pkt_len - WARD_RADIUS_HDR_LEN, secret->len };

    if (pkt_len < WARD_RADIUS_HDR_LEN || !md5_parts(want, parts, lens, 4)) {
        return false;
    }
    return CRYPTO_memcmp(want, pkt + 4, MD5_LEN) == 0;
}

/*
 * message_auth_ok checks the response's Message-Authenticator (RFC 3579
 * 3.2): HMAC-MD5 over the packet with the Request Authenticator in place
 * of the Response Authenticator and the attribute's value zeroed.
 */
static bool message_auth_ok(const uint8_t *pkt, size_t pkt_len,
                            const uint8_t req_auth[WARD_RADIUS_AUTH_LEN],
                            const struct ward_radius_secret *secret)
{
    uint8_t copy[WARD_RADIUS_MAX_PACKET];
    uint8_t mac[MD5_LEN];
    size_t ma = find_ma(pkt, pkt_len);

    if (ma == 0) {
        return false; /* SECURITY: required, whatever the code (BlastRADIUS) */
    }
    memcpy(copy, pkt, pkt_len);
    memcpy(copy + 4, req_auth, WARD_RADIUS_AUTH_LEN);
    memset(copy + ma, 0, MD5_LEN);
    if (!hmac_md5(mac, secret, copy, pkt_len)) {
        return false;
    }
    return CRYPTO_memcmp(mac, pkt + ma, MD5_LEN) == 0;
}

ward_err ward_radius_verify(enum ward_radius_code *out, const uint8_t *in, size_t in_len,
                            const struct ward_radius_request *r,
                            const struct ward_radius_secret *secret)
{
    size_t len = 0;
    bool resp_ok;
    bool ma_ok;
    ward_err err;

    *out = 0;
    if ((err = ward_radius_parse(&len, in, in_len)) != WARD_OK) {
        return err;
    }
    if (in[0] != WARD_RADIUS_ACCESS_ACCEPT && in[0] != WARD_RADIUS_ACCESS_REJECT &&
        in[0] != WARD_RADIUS_ACCESS_CHALLENGE) {
        return WARD_E_BAD_ENCODING;
    }
    if (in[1] != r->id) {
        return WARD_E_NOT_FOUND;
    }
    if (!secret_ok(secret)) {
        return WARD_E_INVALID;
    }
    /* both checks run, so the time taken does not say which one failed */
    resp_ok = ward_radius_response_auth_ok(in, len, r->authenticator, secret);
    ma_ok = message_auth_ok(in, len, r->authenticator, secret);

    if (!resp_ok || !ma_ok) {
        return WARD_E_INTEGRITY;
    }
    *out = (enum ward_radius_code)in[0];
    return WARD_OK;
}

/* ---- the exchange ---- */

struct exchange {
    int fd;
    struct sockaddr_storage peer;
    socklen_t peer_len;
    const struct ward_radius_request *r;
    const struct ward_radius_secret *secret;
    const struct ward_radius_server *srv;
};

/* open_socket resolves srv and opens a UDP socket connected to it. */
static ward_err open_socket(struct exchange *x, int64_t deadline_ms)
{
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    char port[8];
    ward_err err = WARD_E_RADIUS_UNREACHABLE;

    (void)snprintf(port, sizeof(port), "%u", (unsigned)x->srv->port);
    if (getaddrinfo(x->srv->host, port, &hints, &res) != 0 || res == NULL ||
        res->ai_addrlen > sizeof(x->peer) || ward_time_mono_ms() > deadline_ms) {
        goto out;
    }
    memcpy(&x->peer, res->ai_addr, res->ai_addrlen);
    x->peer_len = res->ai_addrlen;
    x->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (x->fd < 0) {
        err = WARD_E_SYS;
        goto out;
    }
    /* connected: the kernel drops datagrams from any other address and port */
    if (connect(x->fd, res->ai_addr, res->ai_addrlen) != 0) {
        goto out;
    }
    err = WARD_OK;
out:
    if (res != NULL) {
        freeaddrinfo(res);
    }
    return err;
}

static bool same_peer(const struct exchange *x, const struct sockaddr_storage *from,
                      socklen_t from_len)
{
    return from_len == x->peer_len && memcmp(from, &x->peer, from_len) == 0;
}

/*
 * receive reads one datagram; WARD_E_NOT_FOUND if it is not the answer
 * (another sender, another id, malformed: RFC 2865 says discard silently).
 */
static ward_err receive(struct exchange *x, enum ward_radius_code *out)
{
    uint8_t buf[WARD_RADIUS_MAX_PACKET];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(x->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
    ward_err err;

    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return WARD_E_NOT_FOUND;
        }
        return errno == ECONNREFUSED ? WARD_E_RADIUS_UNREACHABLE : WARD_E_SYS;
    }
    if (!same_peer(x, &from, from_len)) {
        return WARD_E_NOT_FOUND;
    }
    err = ward_radius_verify(out, buf, (size_t)n, x->r, x->secret);
    if (err == WARD_E_BAD_ENCODING) {
        return WARD_E_NOT_FOUND;
    }
    return err == WARD_E_INTEGRITY ? WARD_E_RADIUS_BAD_RESPONSE : err;
}

/* wait_answer waits until until_ms for the answer; WARD_E_NOT_FOUND: none came. */
static ward_err wait_answer(struct exchange *x, enum ward_radius_code *out, int64_t until_ms)
{
    for (int64_t now = ward_time_mono_ms(); now < until_ms; now = ward_time_mono_ms()) {
        struct pollfd p = { .fd = x->fd, .events = POLLIN };
        int n = poll(&p, 1, (int)(until_ms - now));
        ward_err err;

        if (n < 0 && errno != EINTR) {
            return WARD_E_SYS;
        }
        if (n <= 0) {
            continue;
        }
        if ((err = receive(x, out)) != WARD_E_NOT_FOUND) {
            return err;
        }
    }
    return WARD_E_NOT_FOUND;
}

/* send_all sends pkt up to SENDS times, waiting for the answer in between. */
static ward_err send_all(struct exchange *x, enum ward_radius_code *out, const uint8_t *pkt,
                         size_t pkt_len)
{
    int64_t start = ward_time_mono_ms();
    int64_t step = x->srv->read_timeout_ms / SENDS;
    ward_err err = WARD_E_NOT_FOUND;

    step = step < MIN_RESEND_MS ? MIN_RESEND_MS : step;
    for (int i = 0; i < SENDS && err == WARD_E_NOT_FOUND; i++) {
        int64_t until = i == SENDS - 1 ? start + x->srv->read_timeout_ms : start + step * (i + 1);

        if (send(x->fd, pkt, pkt_len, 0) != (ssize_t)pkt_len) {
            return errno == ECONNREFUSED ? WARD_E_RADIUS_UNREACHABLE : WARD_E_SYS;
        }
        err = wait_answer(x, out, until);
    }
    return err == WARD_E_NOT_FOUND ? WARD_E_RADIUS_UNREACHABLE : err;
}

ward_err ward_radius_exchange(enum ward_radius_code *out, const struct ward_radius_server *srv,
                              const struct ward_radius_request *r,
                              const struct ward_radius_secret *secret)
{
    uint8_t pkt[WARD_RADIUS_MAX_PACKET];
    size_t pkt_len = 0;
    struct exchange x = { .fd = -1, .r = r, .secret = secret, .srv = srv };
    ward_err err;

    *out = 0;
    if (srv->host == NULL || srv->host[0] == '\0' || srv->port == 0 || srv->dial_timeout_ms <= 0 ||
        srv->read_timeout_ms <= 0) {
        return WARD_E_INVALID;
    }
    if ((err = ward_radius_encode(pkt, sizeof(pkt), &pkt_len, r, secret)) != WARD_OK) {
        goto out;
    }
    if ((err = open_socket(&x, ward_time_mono_ms() + srv->dial_timeout_ms)) != WARD_OK) {
        goto out;
    }
    err = send_all(&x, out, pkt, pkt_len);
out:
    OPENSSL_cleanse(pkt, sizeof(pkt));
    if (x.fd >= 0) {
        (void)close(x.fd);
    }
    return err;
}
