/*
 * fuzz_cidr.c - ward_cidr_list_add() and ward_addr_host() on arbitrary
 * bytes (approle's CIDR lists and a peer's address come from outside).
 *
 * Properties: no crash or sanitizer report; a list is all-or-nothing (on
 * failure the list is unchanged); every parsed block has a prefix no wider
 * than its family, no host bits, formats to text that parses back to the
 * same block, and contains its own address; the peer host split never
 * writes past its buffer and yields text the input contains.
 */
#include "fuzz.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "auth/cidr.h"
#include "base/mem.h"

static void check_block(const struct ward_cidr *c)
{
    struct ward_cidr back;
    struct ward_cidr_list one = { 0 };
    char text[WARD_CIDR_TEXT_MAX + 1];
    char ip[INET6_ADDRSTRLEN];

    if ((c->family != 4 && c->family != 6) || c->bits > (c->family == 4 ? 32 : 128)) {
        abort();
    }
    ward_cidr_format(text, sizeof(text), c);
    if (ward_cidr_parse(&back, text, strlen(text)) != WARD_OK ||
        memcmp(&back, c, sizeof(back)) != 0) {
        abort();
    }
    one.num = 1;
    one.block[0] = *c;
    if (inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, ip, sizeof(ip)) == NULL ||
        !ward_cidr_list_contains(&one, ip)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ward_cidr_list l = { 0 };
    struct ward_cidr_list before;
    char host[64];
    char *text;

    if (ward_cidr_list_add(&l, (const char *)data, size) == WARD_OK) {
        for (size_t i = 0; i < l.num; i++) {
            check_block(&l.block[i]);
        }
    } else if (l.num != 0) {
        abort();
    }
    before = l;
    /* the same list again: all of it appended, or (past WARD_CIDR_MAX) nothing */
    if (ward_cidr_list_add(&l, (const char *)data, size) == WARD_OK ? l.num != 2 * before.num
                                                                    : l.num != before.num) {
        abort();
    }
    if ((text = ward_alloc(size + 1)) == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    (void)ward_cidr_list_contains(&before, text);
    if (ward_addr_host(host, sizeof(host), text) &&
        (strlen(host) >= sizeof(host) || strstr(text, host) == NULL)) {
        abort();
    }
    ward_free(text);
    return 0;
}
