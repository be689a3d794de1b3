/*
 * mem.h - Ward's allocator and locked memory for secrets.
 *
 * All heap memory goes through ward_alloc/ward_free so that tests can make the
 * Nth allocation fail (ward_mem_fail_at). Secrets (root key, keyring terms,
 * KEK, shares) live in struct ward_secret instead: page-aligned, mlocked,
 * excluded from core dumps (MADV_DONTDUMP), fenced by PROT_NONE guard pages,
 * and wiped with OPENSSL_cleanse before they are unmapped.
 *
 * Invariants of struct ward_secret: data points inside a private mapping of
 * map_len bytes whose first and last pages are guards; len <= capacity.
 */
#ifndef WARD_BASE_MEM_H
#define WARD_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ward_alloc returns n bytes, or NULL when out of memory (or a test says so). */
void *ward_alloc(size_t n);

/* ward_calloc returns num * size zeroed bytes, or NULL on overflow or OOM. */
void *ward_calloc(size_t num, size_t size);

/* ward_realloc resizes p; on failure p is untouched and NULL is returned. */
void *ward_realloc(void *p, size_t n);

/* ward_free frees p; NULL is allowed. */
void ward_free(void *p);

/* ward_free_wipe cleanses n bytes of p and frees it; NULL is allowed. */
void ward_free_wipe(void *p, size_t n);

/* ward_strdup copies a NUL-terminated string, or returns NULL on OOM. */
char *ward_strdup(const char *s);

/*
 * ward_mem_fail_at makes the nth allocation from now fail (1 = the next one);
 * 0 turns failure injection off. For tests only.
 */
void ward_mem_fail_at(uint64_t nth);

struct ward_secret {
    uint8_t *data; /* len bytes in use, capacity bytes usable */
    size_t len;
    size_t capacity;
    void *map; /* whole mapping, guards included */
    size_t map_len;
};

/*
 * ward_secret_new allocates a locked, non-dumpable secret of len bytes,
 * zeroed. Fails with WARD_E_SYS if the memory cannot be locked: Ward refuses
 * to hold a secret in pageable memory. The caller owns *out.
 */
WARD_MUST_CHECK ward_err ward_secret_new(struct ward_secret **out, size_t len);

/* ward_secret_new_copy is ward_secret_new followed by a copy of in. */
WARD_MUST_CHECK ward_err ward_secret_new_copy(struct ward_secret **out, const uint8_t *in,
                                              size_t in_len);

/* ward_secret_free wipes and unmaps s; NULL is allowed. */
void ward_secret_free(struct ward_secret *s);

/*
 * ward_mem_harden_process makes the process non-dumpable and disables core
 * files. Called once at start by every Ward program that holds keys.
 */
WARD_MUST_CHECK ward_err ward_mem_harden_process(void);

#endif
