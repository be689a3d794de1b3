/*
 * mem.c - allocator wrappers and locked secret memory.
 *
 * THREADS: ward_alloc and friends are thread-safe. g_fail_at is written only by
 * tests, before threads start or from the test's own thread.
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* Failure injection for tests: 0 = off, else allocations left before one fails. */
static uint64_t g_fail_at;

static int should_fail(void)
{
    if (g_fail_at == 0) {
        return 0;
    }
    if (--g_fail_at == 0) {
        return 1;
    }
    return 0;
}

void ward_mem_fail_at(uint64_t nth)
{
    g_fail_at = nth;
}

void *ward_alloc(size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *ward_calloc(size_t num, size_t size)
{
    if (size != 0 && num > SIZE_MAX / size) {
        return NULL;
    }
    if (should_fail()) {
        return NULL;
    }
    return calloc(num == 0 ? 1 : num, size == 0 ? 1 : size);
}

void *ward_realloc(void *p, size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, n == 0 ? 1 : n);
}

void ward_free(void *p)
{
    free(p);
}

void ward_free_wipe(void *p, size_t n)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

char *ward_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ward_alloc(n);

    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/*
 * lock_pages and unlock_pages call the kernel directly: the sanitizers'
 * mlock interceptors return success without locking, and the ASan+UBSan
 * build must run with the memory as locked as in production.
 */
static int lock_pages(void *p, size_t n)
{
    return (int)syscall(SYS_mlock, p, n);
}

static void unlock_pages(void *p, size_t n)
{
    (void)syscall(SYS_munlock, p, n);
}

static size_t page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);

    return ps > 0 ? (size_t)ps : 4096;
}

ward_err ward_secret_new(struct ward_secret **out, size_t len)
{
    ward_err err = WARD_E_INTERNAL;
    struct ward_secret *s = NULL;
    size_t ps = page_size();
    size_t inner;

    *out = NULL;
    if (len > SIZE_MAX / 2 - 2 * ps) {
        return WARD_E_TOO_LARGE;
    }
    inner = (len + ps - 1) / ps * ps;
    if (inner == 0) {
        inner = ps;
    }
    if ((s = ward_calloc(1, sizeof(*s))) == NULL) {
        return WARD_E_NOMEM;
    }
    s->map_len = inner + 2 * ps;
    s->map = mmap(NULL, s->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->map == MAP_FAILED) {
        s->map = NULL;
        err = WARD_E_NOMEM;
        goto out;
    }
    s->data = (uint8_t *)s->map + ps;
    s->capacity = inner;
    s->len = len;
    /* SECURITY: the whole mapping stays out of core dumps, guards included. */
    if (madvise(s->map, s->map_len, MADV_DONTDUMP) != 0 ||
        mprotect(s->data, inner, PROT_READ | PROT_WRITE) != 0 || lock_pages(s->data, inner) != 0) {
        err = WARD_E_SYS;
        goto out;
    }
    *out = s;
    s = NULL;
    err = WARD_OK;
out:
    ward_secret_free(s);
    return err;
}

ward_err ward_secret_new_copy(struct ward_secret **out, const uint8_t *in, size_t in_len)
{
    ward_err err;

    if ((err = ward_secret_new(out, in_len)) != WARD_OK) {
        return err;
    }
    if (in_len > 0) {
        memcpy((*out)->data, in, in_len);
    }
    return WARD_OK;
}

void ward_secret_free(struct ward_secret *s)
{
    if (s == NULL) {
        return;
    }
    if (s->map != NULL) {
        if (s->data != NULL) {
            OPENSSL_cleanse(s->data, s->capacity);
            unlock_pages(s->data, s->capacity);
        }
        (void)munmap(s->map, s->map_len);
    }
    ward_free(s);
}

ward_err ward_mem_harden_process(void)
{
    struct rlimit no_core = { 0, 0 };

    /* SECURITY: no core files and no ptrace by unprivileged peers. */
    if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
        return WARD_E_SYS;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return WARD_E_SYS;
    }
    return WARD_OK;
}
