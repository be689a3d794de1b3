/*
 * base64.c - strict base64 (see base64.h).
 */
#include "base64.h"

static const char g_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ward_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

ward_err ward_base64_encode(char *out, size_t out_cap, const uint8_t *in, size_t in_len)
{
    size_t o = 0;

    if (in_len > (SIZE_MAX - 3) / 4 * 3 || out_cap < ward_base64_encoded_len(in_len) + 1) {
        return WARD_E_TOO_LARGE;
    }
    for (size_t i = 0; i < in_len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t rem = in_len - i;

        if (rem > 1) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (rem > 2) {
            v |= in[i + 2];
        }
        out[o++] = g_alphabet[(v >> 18) & 63];
        out[o++] = g_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
        if (rem > 1) {
            out[o - 2] = g_alphabet[(v >> 6) & 63];
        }
        if (rem > 2) {
            out[o - 1] = g_alphabet[v & 63];
        }
    }
    out[o] = '\0';
    return WARD_OK;
}

/* range_mask is all-ones when lo <= x <= hi, else zero, without a branch. */
static uint32_t range_mask(int x, int lo, int hi)
{
    uint32_t m = (uint32_t)((lo - 1 - x) & (x - hi - 1)) >> 31;

    return 0u - m;
}

/*
 * decode_char maps one character to its 6-bit value, or to 0x100 when it is
 * not in the alphabet, without branching on the character (secrets pass here).
 */
static uint32_t decode_char(unsigned char c)
{
    int x = c;
    uint32_t ret = 0x100;

    ret ^= range_mask(x, 'A', 'Z') & (ret ^ (uint32_t)(x - 'A'));
    ret ^= range_mask(x, 'a', 'z') & (ret ^ (uint32_t)(x - 'a' + 26));
    ret ^= range_mask(x, '0', '9') & (ret ^ (uint32_t)(x - '0' + 52));
    ret ^= range_mask(x, '+', '+') & (ret ^ 62u);
    ret ^= range_mask(x, '/', '/') & (ret ^ 63u);
    return ret;
}

/*
 * decode_quad decodes four characters, of which the last pad (0..2) are '=',
 * into 3 - pad bytes at out. Returns non-zero if any character is outside
 * the alphabet or the bits the padding hides are not zero (canonical form).
 */
static uint32_t decode_quad(uint8_t *out, const char *in, size_t pad)
{
    uint32_t c0 = decode_char((unsigned char)in[0]);
    uint32_t c1 = decode_char((unsigned char)in[1]);
    uint32_t c2 = pad == 2 ? 0 : decode_char((unsigned char)in[2]);
    uint32_t c3 = pad >= 1 ? 0 : decode_char((unsigned char)in[3]);
    uint32_t v = (c0 << 18) | (c1 << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
    uint32_t bad = (c0 | c1 | c2 | c3) & 0x100;

    out[0] = (uint8_t)(v >> 16);
    if (pad < 2) {
        out[1] = (uint8_t)(v >> 8);
    }
    if (pad < 1) {
        out[2] = (uint8_t)v;
    }
    bad |= (pad == 2 && (v & 0xffff) != 0) ? 1 : 0;
    bad |= (pad == 1 && (v & 0xff) != 0) ? 1 : 0;
    return bad;
}

ward_err ward_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *in,
                            size_t in_len)
{
    size_t pad = 0;
    size_t need;
    uint32_t bad = 0;

    *out_len = 0;
    if (in_len % 4 != 0) {
        return WARD_E_BAD_ENCODING;
    }
    if (in_len > 0 && in[in_len - 1] == '=') {
        pad = (in_len > 1 && in[in_len - 2] == '=') ? 2 : 1;
    }
    need = in_len / 4 * 3 - pad;
    if (need > out_cap) {
        return WARD_E_TOO_LARGE;
    }
    for (size_t i = 0, o = 0; i < in_len; i += 4, o += 3) {
        bad |= decode_quad(out + o, in + i, i + 4 == in_len ? pad : 0);
    }
    if (bad != 0) {
        return WARD_E_BAD_ENCODING;
    }
    *out_len = need;
    return WARD_OK;
}
