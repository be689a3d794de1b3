/*
 * fuzz_radius.c - the RADIUS client's response checks (src/auth/radius.c):
 * ward_radius_parse and ward_radius_verify on any datagram.
 *
 * Input: one mode byte, then the datagram. Mode bit 0 clear: the datagram
 * as received, against a fixed request and secret; verify must never pass
 * (nobody here knows the secret) unless the input carries valid
 * authenticators, which this target recomputes independently to tell.
 * Mode bit 0 set: the target first signs the datagram as a server would
 * (Message-Authenticator, then Response Authenticator, with OpenSSL's HMAC
 * and MD5 directly) when it is framed; then verify must pass exactly when
 * the code is Accept, Reject or Challenge and the id matches, and must
 * fail once the bit chosen by the next mode bits is flipped.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "auth/radius.h"

static const uint8_t g_secret_bytes[] = "fuzz shared secret";
static const struct ward_radius_secret g_secret = { g_secret_bytes, sizeof(g_secret_bytes) - 1 };
static const uint8_t g_ra[16] = { 0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57,
                                  0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a };

static struct ward_radius_request request(uint8_t id)
{
    struct ward_radius_request r = { 0 };

    r.id = id;
    memcpy(r.authenticator, g_ra, sizeof(g_ra));
    return r;
}

/* sign writes the Message-Authenticator (if any) and the Response Authenticator of pkt. */
static void sign(uint8_t *pkt, size_t len)
{
    uint8_t buf[WARD_RADIUS_MAX_PACKET + sizeof(g_secret_bytes)];
    unsigned int dlen = 0;
    size_t mlen = 0;

    memcpy(pkt + 4, g_ra, sizeof(g_ra));
    for (size_t pos = WARD_RADIUS_HDR_LEN; pos + 2 <= len; pos += pkt[pos + 1]) {
        if (pkt[pos] == WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR) {
            memset(pkt + pos + 2, 0, 16);
            if (EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, g_secret.data, g_secret.len, pkt, len,
                          pkt + pos + 2, 16, &mlen) == NULL) {
                abort();
            }
            break;
        }
    }
    memcpy(buf, pkt, len);
    memcpy(buf + len, g_secret.data, g_secret.len);
    if (EVP_Digest(buf, len + g_secret.len, pkt + 4, &dlen, EVP_md5(), NULL) != 1) {
        abort();
    }
}

static bool code_ok(uint8_t code)
{
    return code == WARD_RADIUS_ACCESS_ACCEPT || code == WARD_RADIUS_ACCESS_REJECT ||
           code == WARD_RADIUS_ACCESS_CHALLENGE;
}

/* signed_half signs the framed pkt (len bytes of size) and checks verify's verdict. */
static void signed_half(uint8_t *pkt, size_t size, size_t len, uint8_t mode)
{
    struct ward_radius_request r = request(pkt[1]);
    enum ward_radius_code code;
    bool has_ma = false;
    ward_err err;

    sign(pkt, len);
    err = ward_radius_verify(&code, pkt, size, &r, &g_secret);
    /* a signed packet without a Message-Authenticator must still fail */
    for (size_t pos = WARD_RADIUS_HDR_LEN; pos + 2 <= len; pos += pkt[pos + 1]) {
        has_ma = has_ma || pkt[pos] == WARD_RADIUS_ATTR_MESSAGE_AUTHENTICATOR;
    }
    if ((err == WARD_OK) != (code_ok(pkt[0]) && has_ma) || (err == WARD_OK && code != pkt[0])) {
        abort();
    }
    if (err == WARD_OK) {
        size_t bit = ((size_t)(mode >> 1) * 131) % (len * 8);

        pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        r = request(pkt[1]);
        if (ward_radius_verify(&code, pkt, size, &r, &g_secret) == WARD_OK) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pkt[WARD_RADIUS_MAX_PACKET + 1];
    struct ward_radius_request r;
    enum ward_radius_code code;
    size_t len = 0;
    uint8_t mode;
    ward_err parsed;
    ward_err err;

    if (size < 1 || size - 1 > sizeof(pkt)) {
        return 0;
    }
    mode = data[0];
    size--;
    memcpy(pkt, data + 1, size);
    parsed = ward_radius_parse(&len, pkt, size);
    if (parsed == WARD_OK && (len < WARD_RADIUS_HDR_LEN || len > size)) {
        abort();
    }
    if ((mode & 1) != 0 && parsed == WARD_OK) {
        signed_half(pkt, size, len, mode);
        return 0;
    }
    r = request(size > 1 ? pkt[1] : 0);
    err = ward_radius_verify(&code, pkt, size, &r, &g_secret);
    if (err == WARD_OK && (parsed != WARD_OK || !code_ok(pkt[0]) || code != pkt[0] ||
                           !ward_radius_response_auth_ok(pkt, len, g_ra, &g_secret))) {
        abort();
    }
    return 0;
}
