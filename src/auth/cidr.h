/*
 * cidr.h - CIDR blocks from outside input (approle's secret_id_bound_cidrs,
 * token_bound_cidrs, cidr_list) and the check of a peer address against
 * them.
 *
 * Keeper-side. Text is parsed strictly: an IPv4 or IPv6 address as
 * inet_pton reads it, optionally "/bits" (decimal, no sign, at most the
 * family's width); host bits are cleared, as Go's net.ParseCIDR does. A
 * list is comma-separated; blanks around items are skipped, empty items
 * refused. An IPv4-mapped IPv6 peer ("::ffff:10.1.2.3") matches IPv4
 * blocks.
 *
 * THREADS: pure functions on caller-owned structs.
 */
#ifndef WARD_AUTH_CIDR_H
#define WARD_AUTH_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WARD_CIDR_MAX      32 /* blocks in one list */
#define WARD_CIDR_TEXT_MAX 50 /* "xxxx:...:xxxx/128" fits; longer items are refused */

struct ward_cidr {
    uint8_t family; /* 4 or 6 */
    uint8_t bits;   /* prefix length */
    uint8_t addr[16];
};

struct ward_cidr_list {
    size_t num;
    struct ward_cidr block[WARD_CIDR_MAX];
};

/*
 * ward_cidr_parse reads one block from in (in_len bytes, no NUL needed).
 * WARD_E_INVALID if it is not an address with an optional prefix length.
 */
WARD_MUST_CHECK ward_err ward_cidr_parse(struct ward_cidr *out, const char *in, size_t in_len);

/*
 * ward_cidr_list_add parses a comma-separated list from in and appends its
 * blocks to l (empty in: none). WARD_E_INVALID for a bad item, WARD_E_TOO_LARGE past
 * WARD_CIDR_MAX blocks; l is unchanged on failure.
 */
WARD_MUST_CHECK ward_err ward_cidr_list_add(struct ward_cidr_list *l, const char *in,
                                            size_t in_len);

/* ward_cidr_format writes c as "addr/bits" (at least WARD_CIDR_TEXT_MAX + 1 bytes). */
void ward_cidr_format(char *out, size_t out_cap, const struct ward_cidr *c);

/*
 * ward_cidr_list_contains: the address ip (text, as inet_pton reads it)
 * lies in a block of l. False for an unparsable ip or an empty list:
 * callers decide what an empty list means.
 */
bool ward_cidr_list_contains(const struct ward_cidr_list *l, const char *ip);

/*
 * ward_addr_host copies the address part of a peer "ip:port" or
 * "[ipv6]:port" into out; false if it does not have that shape or fit.
 */
bool ward_addr_host(char *out, size_t out_cap, const char *remote);

#endif
