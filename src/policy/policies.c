/*
 * policies.c - the policy store: built-ins, stored policies under the
 * barrier, and a cache of parsed policies (hits and misses alike), so a
 * request's check parses nothing and reads no storage once warm.
 *
 * Storage (docs/storage-format.md "Policies"):
 *   policy/acl/<name>   format (1) | the document text as written
 * Names are not hidden: they are labels an operator chooses, like Vault's.
 *
 * THREADS: lock guards slots and num_slots. A check holds the read lock
 * while it evaluates (parsed policies are immutable and freed only under
 * the write lock). Writers store first, then drop the slot.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

#define ENTRY_FORMAT 1
#define PREFIX       "policy/acl/"
#define PATH_CAP     (sizeof(PREFIX) + WARD_POLICY_NAME_MAX)
#define CACHE_MAX    1024
#define MAX_NAMES    16
#define NUM_BUILTINS 5

static const char *const g_builtin_names[NUM_BUILTINS] = { "root", "default", "admin", "operator",
                                                           "auditor" };

struct slot {
    char name[WARD_POLICY_NAME_MAX + 1];
    struct ward_policy *p; /* NULL: no such policy (cached too) */
};

struct ward_policies {
    struct ward_barrier *b;
    pthread_rwlock_t lock;
    struct slot slots[CACHE_MAX]; /* guarded by lock */
    size_t num_slots;             /* guarded by lock */
    struct ward_policy *builtins[NUM_BUILTINS];
};

ward_err ward_policies_new(struct ward_policies **out, struct ward_barrier *b)
{
    struct ward_policies *ps;
    char why[160];
    ward_err err;

    *out = NULL;
    if ((ps = ward_calloc(1, sizeof(*ps))) == NULL) {
        return WARD_E_NOMEM;
    }
    ps->b = b;
    (void)pthread_rwlock_init(&ps->lock, NULL);
    for (size_t i = 0; i < NUM_BUILTINS; i++) {
        const char *text = ward_policy_builtin(g_builtin_names[i]);

        if ((err = ward_policy_parse(&ps->builtins[i], text, strlen(text), why, sizeof(why))) !=
            WARD_OK) {
            ward_policies_free(ps);
            return err == WARD_E_NOMEM ? err : WARD_E_INTERNAL;
        }
    }
    *out = ps;
    return WARD_OK;
}

void ward_policies_flush(struct ward_policies *ps)
{
    (void)pthread_rwlock_wrlock(&ps->lock);
    for (size_t i = 0; i < ps->num_slots; i++) {
        ward_policy_free(ps->slots[i].p);
    }
    ps->num_slots = 0;
    (void)pthread_rwlock_unlock(&ps->lock);
}

void ward_policies_free(struct ward_policies *ps)
{
    if (ps == NULL) {
        return;
    }
    ward_policies_flush(ps);
    for (size_t i = 0; i < NUM_BUILTINS; i++) {
        ward_policy_free(ps->builtins[i]);
    }
    (void)pthread_rwlock_destroy(&ps->lock);
    ward_free(ps);
}

static int builtin_index(const char *name)
{
    for (int i = 0; i < NUM_BUILTINS; i++) {
        if (strcmp(g_builtin_names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* find_locked returns the slot of name, NULL if not cached (lock held). */
static struct slot *find_locked(struct ward_policies *ps, const char *name)
{
    for (size_t i = 0; i < ps->num_slots; i++) {
        if (strcmp(ps->slots[i].name, name) == 0) {
            return &ps->slots[i];
        }
    }
    return NULL;
}

static void drop_locked(struct ward_policies *ps, const char *name)
{
    struct slot *s = find_locked(ps, name);

    if (s != NULL) {
        ward_policy_free(s->p);
        *s = ps->slots[--ps->num_slots];
    }
}

/* load reads and parses stored policy name (*out NULL if there is none). */
static ward_err load(struct ward_policies *ps, struct ward_policy **out, const char *name)
{
    char path[PATH_CAP];
    char why[160];
    struct ward_buf buf;
    ward_err err;

    *out = NULL;
    (void)snprintf(path, sizeof(path), PREFIX "%s", name);
    ward_buf_init(&buf, WARD_POLICY_MAX_TEXT + 1);
    err = ward_barrier_get(ps->b, &buf, path);
    if (err == WARD_OK) {
        err =
            buf.len >= 1 && buf.data[0] == ENTRY_FORMAT
                ? ward_policy_parse(out, (const char *)buf.data + 1, buf.len - 1, why, sizeof(why))
                : WARD_E_BAD_ENCODING;
    } else if (err == WARD_E_NOT_FOUND) {
        err = WARD_OK;
    }
    ward_buf_cleanup(&buf);
    return err;
}

/* cache_fill loads name into the cache unless it is there (write lock taken inside). */
static ward_err cache_fill(struct ward_policies *ps, const char *name)
{
    struct ward_policy *p = NULL;
    ward_err err;

    if ((err = load(ps, &p, name)) != WARD_OK) {
        return err;
    }
    (void)pthread_rwlock_wrlock(&ps->lock);
    if (find_locked(ps, name) != NULL) {
        ward_policy_free(p); /* another thread was first */
    } else {
        if (ps->num_slots == CACHE_MAX) {
            drop_locked(ps, ps->slots[0].name); /* bounded: any victim is correct */
        }
        (void)snprintf(ps->slots[ps->num_slots].name, sizeof(ps->slots[0].name), "%s", name);
        ps->slots[ps->num_slots++].p = p;
    }
    (void)pthread_rwlock_unlock(&ps->lock);
    return WARD_OK;
}

/*
 * gather_locked collects the parsed policies of names into pols; returns
 * the index of the first name not cached, or n when all are there.
 */
static size_t gather_locked(struct ward_policies *ps, const struct ward_policy **pols,
                            const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int bi = builtin_index(names[i]);
        const struct slot *s;

        if (bi >= 0) {
            pols[i] = ps->builtins[bi];
            continue;
        }
        if ((s = find_locked(ps, names[i])) == NULL) {
            return i;
        }
        pols[i] = s->p;
    }
    return n;
}

/* One evaluation over a token's gathered policies: a path request or a FROM/TO constraint. */
struct check_arg {
    const struct ward_policy_req *req; /* NULL: the party check below */
    enum ward_party_kind kind;
    const char *party;
};

static bool evaluate(const struct ward_policy *const *pols, size_t n, const struct check_arg *a)
{
    return a->req != NULL ? ward_policy_allowed(pols, n, a->req)
                          : ward_policy_party_allowed(pols, n, a->kind, a->party);
}

/* check gathers the policies of names (loading what is not cached) and evaluates a. */
static ward_err check(struct ward_policies *ps, const char *const *names, size_t n,
                      const struct check_arg *a)
{
    const struct ward_policy *pols[MAX_NAMES];
    bool ok = false;
    ward_err err;

    if (n > MAX_NAMES) {
        return WARD_E_PERMISSION;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], "root") == 0) {
            return WARD_OK;
        }
    }
    for (int tries = 0; tries <= MAX_NAMES; tries++) {
        size_t missing;

        (void)pthread_rwlock_rdlock(&ps->lock);
        missing = gather_locked(ps, pols, names, n);
        if (missing == n) {
            ok = evaluate(pols, n, a);
        }
        (void)pthread_rwlock_unlock(&ps->lock);
        if (missing == n) {
            return ok ? WARD_OK : WARD_E_PERMISSION;
        }
        if ((err = cache_fill(ps, names[missing])) != WARD_OK) {
            return err;
        }
    }
    return WARD_E_BUSY; /* the cache churned under us every time */
}

ward_err ward_policies_check(struct ward_policies *ps, const char *const *names, size_t n,
                             const struct ward_policy_req *req)
{
    const struct check_arg a = { req, 0, NULL };

    return check(ps, names, n, &a);
}

ward_err ward_policies_check_party(struct ward_policies *ps, const char *const *names, size_t n,
                                   enum ward_party_kind kind, const char *party)
{
    const struct check_arg a = { NULL, kind, party };
    ward_err err = check(ps, names, n, &a);

    return err == WARD_E_PERMISSION ? WARD_E_PARTY_DENIED : err;
}

ward_err ward_policies_read(struct ward_policies *ps, struct ward_buf *out, const char *name)
{
    const char *builtin = ward_policy_builtin(name);
    char path[PATH_CAP];
    struct ward_buf buf;
    ward_err err;

    if (builtin != NULL) {
        return ward_buf_append_str(out, builtin);
    }
    if (!ward_policy_name_ok(name)) {
        return WARD_E_NOT_FOUND;
    }
    (void)snprintf(path, sizeof(path), PREFIX "%s", name);
    ward_buf_init(&buf, WARD_POLICY_MAX_TEXT + 1);
    if ((err = ward_barrier_get(ps->b, &buf, path)) == WARD_OK) {
        err = buf.len >= 1 && buf.data[0] == ENTRY_FORMAT
                  ? ward_buf_append(out, buf.data + 1, buf.len - 1)
                  : WARD_E_BAD_ENCODING;
    }
    ward_buf_cleanup(&buf);
    return err;
}

/* name_check: a storable name; why says why not. */
static ward_err name_check(const char *name, char *why, size_t why_cap)
{
    if (ward_policy_builtin(name) != NULL) {
        (void)snprintf(why, why_cap, "built-in policy \"%s\" cannot be changed or deleted", name);
        return WARD_E_INVALID;
    }
    if (!ward_policy_name_ok(name)) {
        (void)snprintf(why, why_cap, "a policy name is 1 to 64 of a-z 0-9 _ . @ -");
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

ward_err ward_policies_write(struct ward_policies *ps, const char *name, const char *text,
                             size_t len, char *why, size_t why_cap)
{
    struct ward_policy *p = NULL;
    char path[PATH_CAP];
    struct ward_buf buf;
    ward_err err;

    why[0] = '\0';
    if ((err = name_check(name, why, why_cap)) != WARD_OK ||
        (err = ward_policy_parse(&p, text, len, why, why_cap)) != WARD_OK) {
        return err;
    }
    (void)snprintf(path, sizeof(path), PREFIX "%s", name);
    ward_buf_init(&buf, WARD_POLICY_MAX_TEXT + 1);
    if ((err = ward_buf_append_u8(&buf, ENTRY_FORMAT)) == WARD_OK &&
        (err = ward_buf_append(&buf, text, len)) == WARD_OK &&
        (err = ward_barrier_put(ps->b, path, buf.data, buf.len)) == WARD_OK) {
        (void)pthread_rwlock_wrlock(&ps->lock);
        drop_locked(ps, name);
        (void)pthread_rwlock_unlock(&ps->lock);
    }
    ward_buf_cleanup(&buf);
    ward_policy_free(p);
    return err;
}

ward_err ward_policies_delete(struct ward_policies *ps, const char *name)
{
    char path[PATH_CAP];
    char why[96];
    ward_err err;

    if ((err = name_check(name, why, sizeof(why))) != WARD_OK) {
        return err;
    }
    (void)snprintf(path, sizeof(path), PREFIX "%s", name);
    err = ward_barrier_delete(ps->b, path);
    if (err == WARD_OK || err == WARD_E_NOT_FOUND) {
        (void)pthread_rwlock_wrlock(&ps->lock);
        drop_locked(ps, name);
        (void)pthread_rwlock_unlock(&ps->lock);
        err = WARD_OK;
    }
    return err;
}

ward_err ward_policies_list(struct ward_policies *ps, ward_policies_list_fn fn, void *ctx)
{
    struct ward_store_list l;
    ward_err err;

    for (size_t i = 0; i < NUM_BUILTINS; i++) {
        fn(ctx, g_builtin_names[i]);
    }
    if ((err = ward_barrier_list(ps->b, &l, PREFIX)) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < l.num; i++) {
        const char *name =
            l.paths[i] + (strncmp(l.paths[i], PREFIX, strlen(PREFIX)) == 0 ? strlen(PREFIX) : 0);

        if (ward_policy_name_ok(name)) {
            fn(ctx, name);
        }
    }
    ward_store_list_cleanup(&l);
    return WARD_OK;
}
