/*
 * cidr.c - parsing and matching of CIDR blocks (cidr.h). Every byte of
 * outside text is length-checked before it is copied; inet_pton does the
 * address syntax, so Ward accepts exactly what the C library accepts.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* parse_bits reads 1 to 3 decimal digits no larger than max. */
static bool parse_bits(uint8_t *out, const char *in, size_t len, unsigned max)
{
    unsigned v = 0;

    if (len == 0 || len > 3) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (in[i] < '0' || in[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(in[i] - '0');
    }
    if (v > max || (len > 1 && in[0] == '0')) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

/* clear_host zeroes the bits of addr past the prefix. */
static void clear_host(struct ward_cidr *c)
{
    size_t width = c->family == 4 ? 4 : 16;

    for (size_t i = 0; i < width; i++) {
        size_t first = i * 8;

        if (first >= c->bits) {
            c->addr[i] = 0;
        } else if (c->bits - first < 8) {
            c->addr[i] &= (uint8_t)(0xffu << (8 - (c->bits - first)));
        }
    }
}

ward_err ward_cidr_parse(struct ward_cidr *out, const char *in, size_t in_len)
{
    char text[WARD_CIDR_TEXT_MAX + 1];
    const char *slash;
    size_t addr_len;

    memset(out, 0, sizeof(*out));
    if (in_len == 0 || in_len > WARD_CIDR_TEXT_MAX || memchr(in, '\0', in_len) != NULL) {
        return WARD_E_INVALID;
    }
    memcpy(text, in, in_len);
    text[in_len] = '\0';
    slash = strchr(text, '/');
    addr_len = slash != NULL ? (size_t)(slash - text) : in_len;
    text[addr_len] = '\0';
    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = 4;
    } else if (inet_pton(AF_INET6, text, out->addr) == 1) {
        out->family = 6;
    } else {
        return WARD_E_INVALID;
    }
    out->bits = out->family == 4 ? 32 : 128;
    if (slash != NULL &&
        !parse_bits(&out->bits, slash + 1, in_len - addr_len - 1, out->family == 4 ? 32 : 128)) {
        memset(out, 0, sizeof(*out));
        return WARD_E_INVALID;
    }
    clear_host(out);
    return WARD_OK;
}

ward_err ward_cidr_list_add(struct ward_cidr_list *l, const char *in, size_t in_len)
{
    size_t num = l->num;
    size_t pos = 0;

    if (in_len == 0) {
        return WARD_OK;
    }
    while (pos <= in_len) {
        const char *end = memchr(in + pos, ',', in_len - pos);
        size_t item_end = end != NULL ? (size_t)(end - in) : in_len;
        size_t a = pos;
        size_t b = item_end;

        while (a < b && (in[a] == ' ' || in[a] == '\t')) {
            a++;
        }
        while (b > a && (in[b - 1] == ' ' || in[b - 1] == '\t')) {
            b--;
        }
        if (num == WARD_CIDR_MAX) {
            return WARD_E_TOO_LARGE;
        }
        if (ward_cidr_parse(&l->block[num], in + a, b - a) != WARD_OK) {
            return WARD_E_INVALID;
        }
        num++;
        pos = item_end + 1;
    }
    l->num = num;
    return WARD_OK;
}

void ward_cidr_format(char *out, size_t out_cap, const struct ward_cidr *c)
{
    char ip[INET6_ADDRSTRLEN] = "?";

    (void)inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, ip, sizeof(ip));
    (void)snprintf(out, out_cap, "%s/%u", ip, (unsigned)c->bits);
}

/* in_block: addr (of c's family) has c's prefix. */
static bool in_block(const struct ward_cidr *c, const uint8_t *addr)
{
    size_t full = c->bits / 8;
    unsigned rest = c->bits % 8;

    if (memcmp(addr, c->addr, full) != 0) {
        return false;
    }
    return rest == 0 || ((addr[full] ^ c->addr[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

bool ward_cidr_list_contains(const struct ward_cidr_list *l, const char *ip)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    uint8_t a4[4];
    uint8_t a6[16];
    bool v4 = inet_pton(AF_INET, ip, a4) == 1;
    bool v6 = !v4 && inet_pton(AF_INET6, ip, a6) == 1;

    if (v6 && memcmp(a6, mapped, sizeof(mapped)) == 0) {
        memcpy(a4, a6 + 12, 4);
        v4 = true;
    }
    for (size_t i = 0; i < l->num; i++) {
        const struct ward_cidr *c = &l->block[i];

        if ((c->family == 4 && v4 && in_block(c, a4)) ||
            (c->family == 6 && v6 && in_block(c, a6))) {
            return true;
        }
    }
    return false;
}

bool ward_addr_host(char *out, size_t out_cap, const char *remote)
{
    const char *start = remote;
    const char *end;

    if (remote[0] == '[') {
        start = remote + 1;
        end = strchr(start, ']');
        if (end == NULL || end[1] != ':') {
            return false;
        }
    } else if ((end = strrchr(remote, ':')) == NULL) {
        return false;
    }
    if (end == start || (size_t)(end - start) >= out_cap) {
        return false;
    }
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return true;
}
