/*
 * radius_test.c - the RADIUS client: RFC 2865 7.1's example packets,
 * password hiding across blocks, the request's Message-Authenticator,
 * response verification (good, every bit flipped, wrong id, missing or
 * wrong Message-Authenticator, wrong secret), malformed framing, and the
 * UDP exchange against a responder thread on loopback (answer, silence,
 * nothing listening, a stranger's datagrams ignored).
 */
#include "auth/radius.h"

#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "base/log.h"

static const struct ward_radius_secret rfc_secret = { (const uint8_t *)"xyzzy5461", 9 };

/* RFC 2865 7.1: the Request Authenticator of the example Access-Request */
static const uint8_t rfc_ra[16] = { 0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57,
                                    0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a };

static size_t unhex(uint8_t *out, const char *hex)
{
    size_t n = 0;

    for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
        unsigned v = 0;

        for (int i = 0; i < 2; i++) {
            char ch = hex[i];

            v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
        }
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void hide_rfc_vector(void **state)
{
    uint8_t out[WARD_RADIUS_MAX_PASSWORD];
    uint8_t want[16];
    size_t len = 0;

    (void)state;
    (void)unhex(want, "0dbe708d93d413ce3196e43f782a0aee");
    assert_int_equal(ward_radius_hide_password(out, &len, &rfc_secret, rfc_ra,
                                               (const uint8_t *)"arctangent", 10),
                     WARD_OK);
    assert_int_equal(len, 16);
    assert_memory_equal(out, want, 16);
}

/* unhide reverses RFC 2865 5.2 independently (MD5 via EVP_Digest per block). */
static void unhide(uint8_t *out, const uint8_t *in, size_t len, const struct ward_radius_secret *s,
                   const uint8_t ra[16])
{
    for (size_t off = 0; off < len; off += 16) {
        uint8_t buf[WARD_RADIUS_MAX_SECRET + 16];
        uint8_t b[16];
        unsigned int blen = 0;

        memcpy(buf, s->data, s->len);
        memcpy(buf + s->len, off == 0 ? ra : in + off - 16, 16);
        assert_int_equal(EVP_Digest(buf, s->len + 16, b, &blen, EVP_md5(), NULL), 1);
        for (size_t i = 0; i < 16; i++) {
            out[off + i] = in[off + i] ^ b[i];
        }
    }
}

static void hide_lengths(void **state)
{
    uint8_t pw[WARD_RADIUS_MAX_PASSWORD + 1];
    uint8_t out[WARD_RADIUS_MAX_PASSWORD];
    uint8_t back[WARD_RADIUS_MAX_PASSWORD];
    size_t len = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(pw); i++) {
        pw[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t n = 1; n <= WARD_RADIUS_MAX_PASSWORD; n += 13) {
        assert_int_equal(ward_radius_hide_password(out, &len, &rfc_secret, rfc_ra, pw, n), WARD_OK);
        assert_int_equal(len, (n + 15) / 16 * 16);
        unhide(back, out, len, &rfc_secret, rfc_ra);
        assert_memory_equal(back, pw, n);
        for (size_t i = n; i < len; i++) {
            assert_int_equal(back[i], 0);
        }
    }
    assert_int_equal(ward_radius_hide_password(out, &len, &rfc_secret, rfc_ra, pw, 128), WARD_OK);
    assert_int_equal(len, 128);
    assert_int_equal(ward_radius_hide_password(out, &len, &rfc_secret, rfc_ra, pw, 129),
                     WARD_E_INVALID);
    assert_int_equal(ward_radius_hide_password(out, &len, &rfc_secret, rfc_ra, pw, 0),
                     WARD_E_INVALID);
}

static struct ward_radius_request rfc_request(void)
{
    struct ward_radius_request r = {
        .id = 0,
        .user = (const uint8_t *)"nemo",
        .user_len = 4,
        .password = (const uint8_t *)"arctangent",
        .password_len = 10,
        .nas_identifier = (const uint8_t *)"ward",
        .nas_identifier_len = 4,
        .nas_port = 3,
    };

    memcpy(r.authenticator, rfc_ra, 16);
    return r;
}

static void hmac(uint8_t out[16], const struct ward_radius_secret *s, const uint8_t *in, size_t len)
{
    size_t n = 0;

    assert_non_null(
        EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, s->data, s->len, in, len, out, 16, &n));
}

static void encode_request(void **state)
{
    struct ward_radius_request r = rfc_request();
    uint8_t pkt[WARD_RADIUS_MAX_PACKET];
    uint8_t want[64];
    uint8_t mac[16];
    size_t len = 0;
    size_t n;

    (void)state;
    assert_int_equal(ward_radius_encode(pkt, sizeof(pkt), &len, &r, &rfc_secret), WARD_OK);
    /* header, User-Name and User-Password as in RFC 2865 7.1 (Length differs) */
    n = unhex(want, "0100004a0f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce"
                    "3196e43f782a0aee");
    assert_int_equal(len, 0x4a);
    assert_memory_equal(pkt, want, n);
    /* NAS-Identifier "ward", NAS-Port 3, then the Message-Authenticator */
    n = unhex(want, "2006776172640506000000035012");
    assert_memory_equal(pkt + 44, want, n);
    memcpy(want, pkt + len - 16, 16);
    memset(pkt + len - 16, 0, 16);
    hmac(mac, &rfc_secret, pkt, len);
    assert_memory_equal(mac, want, 16);
    assert_int_equal(ward_radius_parse(&n, pkt, len), WARD_OK);

    r.password_len = 129;
    assert_int_equal(ward_radius_encode(pkt, sizeof(pkt), &len, &r, &rfc_secret), WARD_E_INVALID);
    r.password_len = 10;
    r.user_len = 0;
    assert_int_equal(ward_radius_encode(pkt, sizeof(pkt), &len, &r, &rfc_secret), WARD_E_INVALID);
    r.user_len = 254;
    assert_int_equal(ward_radius_encode(pkt, sizeof(pkt), &len, &r, &rfc_secret), WARD_E_INVALID);
    r.user_len = 4;
    assert_int_equal(ward_radius_encode(pkt, 40, &len, &r, &rfc_secret), WARD_E_TOO_LARGE);
}

/* The RFC's Access-Accept: the Response Authenticator checks, but it has no Message-Authenticator.
 */
static void rfc_accept_without_ma(void **state)
{
    struct ward_radius_request r = rfc_request();
    enum ward_radius_code code;
    uint8_t pkt[64];
    size_t n = unhex(pkt, "0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06"
                          "c0a80103");

    (void)state;
    assert_true(ward_radius_response_auth_ok(pkt, n, rfc_ra, &rfc_secret));
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_E_INTEGRITY);
    pkt[30] ^= 1;
    assert_false(ward_radius_response_auth_ok(pkt, n, rfc_ra, &rfc_secret));
}

/*
 * make_response builds a response to r as a server would: the
 * Message-Authenticator (if with_ma) over the packet with the Request
 * Authenticator in place, then the Response Authenticator.
 */
static size_t make_response(uint8_t *pkt, uint8_t code, const struct ward_radius_request *r,
                            const struct ward_radius_secret *s, bool with_ma)
{
    uint8_t buf[WARD_RADIUS_MAX_PACKET + WARD_RADIUS_MAX_SECRET];
    unsigned int dlen = 0;
    size_t len = WARD_RADIUS_HDR_LEN;

    pkt[0] = code;
    pkt[1] = r->id;
    memcpy(pkt + 4, r->authenticator, 16);
    len += unhex(pkt + len, "120868656c6c6f21"); /* Reply-Message "hello!" */
    if (with_ma) {
        pkt[len] = 80;
        pkt[len + 1] = 18;
        memset(pkt + len + 2, 0, 16);
        len += 18;
    }
    pkt[2] = (uint8_t)(len >> 8);
    pkt[3] = (uint8_t)len;
    if (with_ma) {
        hmac(pkt + len - 16, s, pkt, len);
    }
    memcpy(buf, pkt, len);
    memcpy(buf + len, s->data, s->len);
    assert_int_equal(EVP_Digest(buf, len + s->len, pkt + 4, &dlen, EVP_md5(), NULL), 1);
    return len;
}

static void verify_responses(void **state)
{
    struct ward_radius_request r = rfc_request();
    const struct ward_radius_secret other = { (const uint8_t *)"xyzzy5462", 9 };
    enum ward_radius_code code;
    uint8_t pkt[WARD_RADIUS_MAX_PACKET];
    size_t n;

    (void)state;
    r.id = 42;
    n = make_response(pkt, WARD_RADIUS_ACCESS_ACCEPT, &r, &rfc_secret, true);
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_OK);
    assert_int_equal(code, WARD_RADIUS_ACCESS_ACCEPT);
    /* trailing padding past Length is allowed (RFC 2865 3) */
    pkt[n] = 0xee;
    assert_int_equal(ward_radius_verify(&code, pkt, n + 1, &r, &rfc_secret), WARD_OK);
    /* every single flipped bit is refused, whatever it hits */
    for (size_t i = 0; i < n * 8; i++) {
        pkt[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_int_not_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_OK);
        pkt[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &other), WARD_E_INTEGRITY);
    r.id = 43;
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_E_NOT_FOUND);
    r.id = 42;
    r.authenticator[0] ^= 1;
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_E_INTEGRITY);
    r.authenticator[0] ^= 1;

    n = make_response(pkt, WARD_RADIUS_ACCESS_REJECT, &r, &rfc_secret, true);
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_OK);
    assert_int_equal(code, WARD_RADIUS_ACCESS_REJECT);
    n = make_response(pkt, WARD_RADIUS_ACCESS_CHALLENGE, &r, &rfc_secret, true);
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_OK);
    assert_int_equal(code, WARD_RADIUS_ACCESS_CHALLENGE);
    /* a correct Response Authenticator alone is not enough */
    n = make_response(pkt, WARD_RADIUS_ACCESS_ACCEPT, &r, &rfc_secret, false);
    assert_true(ward_radius_response_auth_ok(pkt, n, r.authenticator, &rfc_secret));
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_E_INTEGRITY);
    /* codes other than Accept, Reject and Challenge */
    n = make_response(pkt, WARD_RADIUS_ACCESS_REQUEST, &r, &rfc_secret, true);
    assert_int_equal(ward_radius_verify(&code, pkt, n, &r, &rfc_secret), WARD_E_BAD_ENCODING);
}

static ward_err parse_hex(const char *hex)
{
    uint8_t pkt[256];
    size_t n = unhex(pkt, hex);
    size_t len = 0;

    return ward_radius_parse(&len, pkt, n);
}

static void malformed(void **state)
{
    (void)state;
    /* well-formed: no attributes; one attribute; Length shorter than the datagram */
    assert_int_equal(parse_hex("0201001400000000000000000000000000000000"), WARD_OK);
    assert_int_equal(parse_hex("020100160000000000000000000000000000000012020000"), WARD_OK);
    /* attribute length 0 and 1, overrunning the packet, header cut */
    assert_int_equal(parse_hex("0201001600000000000000000000000000000000120000"),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("0201001600000000000000000000000000000000120100"),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("020100170000000000000000000000000000000012056161"),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("0201001500000000000000000000000000000000120000"),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("02010014000000000000000000000000000000"), WARD_E_BAD_ENCODING);
    /* Length below 20, above the datagram */
    assert_int_equal(parse_hex("0201001300000000000000000000000000000000"), WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("0201001500000000000000000000000000000000"), WARD_E_BAD_ENCODING);
    /* Message-Authenticator of the wrong size, or twice */
    assert_int_equal(parse_hex("02010018000000000000000000000000000000005004aaaa"),
                     WARD_E_BAD_ENCODING);
    assert_int_equal(parse_hex("0201003800000000000000000000000000000000"
                               "501200000000000000000000000000000000"
                               "501200000000000000000000000000000000"),
                     WARD_E_BAD_ENCODING);
}

/* ---- the exchange, against a responder thread on loopback ---- */

enum mode {
    ANSWER,         /* a correct Accept */
    SILENT,         /* read and never answer */
    STRANGER_FIRST, /* a wrong-id answer, garbage, then the right one */
    WRONG_SECRET,   /* answer signed with another secret */
};

struct responder {
    int fd;
    uint16_t port;
    enum mode mode;
    pthread_t thread;
};

static void *respond(void *arg)
{
    struct responder *rs = arg;
    const struct ward_radius_secret other = { (const uint8_t *)"not the secret", 14 };
    uint8_t in[WARD_RADIUS_MAX_PACKET];
    uint8_t out[WARD_RADIUS_MAX_PACKET];
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(rs->fd, in, sizeof(in), 0, (struct sockaddr *)&from, &from_len);
    struct ward_radius_request r = { 0 };
    size_t len;

    if (n < WARD_RADIUS_HDR_LEN || rs->mode == SILENT) {
        return NULL;
    }
    r.id = in[1];
    memcpy(r.authenticator, in + 4, 16);
    if (rs->mode == STRANGER_FIRST) {
        r.id++;
        len = make_response(out, WARD_RADIUS_ACCESS_ACCEPT, &r, &rfc_secret, true);
        (void)sendto(rs->fd, out, len, 0, (struct sockaddr *)&from, from_len);
        (void)sendto(rs->fd, "junk", 4, 0, (struct sockaddr *)&from, from_len);
        r.id--;
    }
    len = make_response(out, WARD_RADIUS_ACCESS_ACCEPT, &r,
                        rs->mode == WRONG_SECRET ? &other : &rfc_secret, true);
    (void)sendto(rs->fd, out, len, 0, (struct sockaddr *)&from, from_len);
    return NULL;
}

static void responder_start(struct responder *rs, enum mode mode)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);

    rs->mode = mode;
    rs->fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rs->fd >= 0);
    assert_int_equal(bind(rs->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(rs->fd, (struct sockaddr *)&a, &len), 0);
    rs->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&rs->thread, NULL, respond, rs), 0);
}

static void responder_stop(struct responder *rs)
{
    (void)shutdown(rs->fd, SHUT_RDWR);
    assert_int_equal(pthread_join(rs->thread, NULL), 0);
    (void)close(rs->fd);
}

static ward_err exchange(enum ward_radius_code *code, uint16_t port, int64_t *took_ms)
{
    struct ward_radius_request r = rfc_request();
    struct ward_radius_server srv = { "127.0.0.1", port, 1000, 600 };
    int64_t start = ward_time_mono_ms();
    ward_err err;

    r.id = 7;
    err = ward_radius_exchange(code, &srv, &r, &rfc_secret);
    *took_ms = ward_time_mono_ms() - start;
    return err;
}

static void exchange_loopback(void **state)
{
    struct responder rs;
    enum ward_radius_code code;
    int64_t took = 0;

    (void)state;
    responder_start(&rs, ANSWER);
    assert_int_equal(exchange(&code, rs.port, &took), WARD_OK);
    assert_int_equal(code, WARD_RADIUS_ACCESS_ACCEPT);
    responder_stop(&rs);

    responder_start(&rs, STRANGER_FIRST);
    assert_int_equal(exchange(&code, rs.port, &took), WARD_OK);
    assert_int_equal(code, WARD_RADIUS_ACCESS_ACCEPT);
    responder_stop(&rs);

    responder_start(&rs, WRONG_SECRET);
    assert_int_equal(exchange(&code, rs.port, &took), WARD_E_RADIUS_BAD_RESPONSE);
    responder_stop(&rs);

    /* silence: three sends, then radius_unreachable at read_timeout (600 ms) */
    responder_start(&rs, SILENT);
    assert_int_equal(exchange(&code, rs.port, &took), WARD_E_RADIUS_UNREACHABLE);
    assert_true(took >= 550 && took < 1500);
    responder_stop(&rs);

    /* nothing listening on the port: loopback's ICMP refusal ends it early */
    assert_int_equal(exchange(&code, rs.port, &took), WARD_E_RADIUS_UNREACHABLE);
    assert_true(took < 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hide_rfc_vector),   cmocka_unit_test(hide_lengths),
        cmocka_unit_test(encode_request),    cmocka_unit_test(rfc_accept_without_ma),
        cmocka_unit_test(verify_responses),  cmocka_unit_test(malformed),
        cmocka_unit_test(exchange_loopback),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
