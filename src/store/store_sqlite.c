/*
 * store_sqlite.c - the "sqlite:<file>" backend, Ward's default store.
 *
 * Schema (one table; paths compare bytewise, BINARY collation):
 *
 *   CREATE TABLE ward_entries (
 *       path    TEXT PRIMARY KEY,  -- 1..WARD_STORE_MAX_PATH bytes
 *       version INTEGER NOT NULL,  -- 1 on first write, +1 per put
 *       value   BLOB NOT NULL      -- opaque (ciphertext from the barrier)
 *   ) WITHOUT ROWID;
 *
 * A delete removes the row, so a path written again starts over at 1.
 *
 * Durability: journal_mode=WAL with synchronous=FULL, so COMMIT returns only
 * after the WAL is fsynced: a write that returned WARD_OK survives SIGKILL and
 * power loss. A txn is BEGIN IMMEDIATE, version checks and writes, COMMIT; on
 * any failure it is rolled back, so a failed write changed nothing. The file
 * is created 0600 (SQLite gives the -wal and -shm files the same mode) and
 * its directory fsynced. An existing file must pass PRAGMA quick_check.
 *
 * SECURITY: secure_delete=ON overwrites deleted and replaced values in the
 * file, so a deleted entry's ciphertext does not linger in free pages.
 *
 * THREADS: any thread may call in. The connection is opened with
 * SQLITE_OPEN_NOMUTEX and mu serialises every use of db and the prepared
 * statements. FULLMUTEX would lock each API call only, but a txn spans many
 * calls (BEGIN, checks, writes, COMMIT) and each reused statement holds state
 * from bind to reset, so we need our own lock around the whole sequence
 * anyway; SQLite's inner lock would add cost and no safety.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/mem.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_GET,
    ST_VERSION,
    ST_PUT,
    ST_DELETE,
    ST_LIST_RANGE,
    ST_LIST_FROM,
    ST_NUM,
};

static const char *const k_sql[ST_NUM] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_GET] = "SELECT version, value FROM ward_entries WHERE path = ?1",
    [ST_VERSION] = "SELECT version FROM ward_entries WHERE path = ?1",
    [ST_PUT] = ("INSERT INTO ward_entries (path, version, value) VALUES (?1, 1, ?2) "
                "ON CONFLICT (path) DO UPDATE SET version = version + 1, value = excluded.value"),
    [ST_DELETE] = "DELETE FROM ward_entries WHERE path = ?1",
    [ST_LIST_RANGE] = "SELECT path FROM ward_entries WHERE path >= ?1 AND path < ?2 ORDER BY path",
    [ST_LIST_FROM] = "SELECT path FROM ward_entries WHERE path >= ?1 ORDER BY path",
};

static const char k_schema[] = "CREATE TABLE IF NOT EXISTS ward_entries ("
                               "path TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                               "value BLOB NOT NULL) WITHOUT ROWID";

struct sqlite {
    pthread_mutex_t mu;
    sqlite3 *db;                 /* guarded by mu */
    sqlite3_stmt *stmts[ST_NUM]; /* guarded by mu; reset and unbound after each use */
};

static ward_err map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return WARD_OK;
    case SQLITE_FULL:
        return WARD_E_STORE_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return WARD_E_STORE_CORRUPT;
    case SQLITE_NOMEM:
        return WARD_E_NOMEM;
    default:
        return WARD_E_STORE_IO;
    }
}

static void stmt_done(sqlite3_stmt *stmt)
{
    (void)sqlite3_reset(stmt);
    (void)sqlite3_clear_bindings(stmt);
}

/* run steps a statement that returns no rows, with its bindings already set. */
static ward_err run(struct sqlite *s, enum stmt_id id)
{
    int rc = sqlite3_step(s->stmts[id]);

    stmt_done(s->stmts[id]);
    return rc == SQLITE_DONE ? WARD_OK : map_rc(rc);
}

static ward_err bind_path(sqlite3_stmt *stmt, int col, const char *path, size_t path_len)
{
    return map_rc(sqlite3_bind_text64(stmt, col, path, path_len, SQLITE_STATIC, SQLITE_UTF8));
}

static ward_err read_version(struct sqlite *s, uint64_t *out, const char *path)
{
    sqlite3_stmt *stmt = s->stmts[ST_VERSION];
    sqlite3_int64 v;
    int rc;
    ward_err err = WARD_E_INTERNAL;

    *out = 0;
    if ((err = bind_path(stmt, 1, path, strlen(path))) != WARD_OK) {
        goto out;
    }
    if ((rc = sqlite3_step(stmt)) == SQLITE_DONE) {
        err = WARD_OK;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        err = map_rc(rc);
        goto out;
    }
    if ((v = sqlite3_column_int64(stmt, 0)) < 1) {
        err = WARD_E_STORE_CORRUPT;
        goto out;
    }
    *out = (uint64_t)v;
    err = WARD_OK;
out:
    stmt_done(stmt);
    return err;
}

static ward_err write_put(struct sqlite *s, const struct ward_store_op *op)
{
    sqlite3_stmt *stmt = s->stmts[ST_PUT];
    int rc;

    if (bind_path(stmt, 1, op->path, strlen(op->path)) != WARD_OK) {
        stmt_done(stmt);
        return WARD_E_STORE_IO;
    }
    /* A NULL pointer would bind SQL NULL; an empty value is a zero-length blob. */
    if (op->value_len == 0) {
        rc = sqlite3_bind_zeroblob(stmt, 2, 0);
    } else {
        rc = sqlite3_bind_blob64(stmt, 2, op->value, op->value_len, SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) {
        stmt_done(stmt);
        return map_rc(rc);
    }
    return run(s, ST_PUT);
}

static ward_err apply_op(struct sqlite *s, const struct ward_store_op *op)
{
    uint64_t version;
    ward_err err;

    if (op->check_version) {
        if ((err = read_version(s, &version, op->path)) != WARD_OK) {
            return err;
        }
        if (version != op->expected_version) {
            return WARD_E_CONFLICT;
        }
    }
    switch (op->kind) {
    case WARD_STORE_PUT:
        return write_put(s, op);
    case WARD_STORE_DELETE:
        if ((err = bind_path(s->stmts[ST_DELETE], 1, op->path, strlen(op->path))) != WARD_OK) {
            stmt_done(s->stmts[ST_DELETE]);
            return err;
        }
        return run(s, ST_DELETE);
    case WARD_STORE_CHECK:
        return WARD_OK;
    }
    return WARD_E_INVALID;
}

static ward_err txn_locked(struct sqlite *s, const struct ward_store_op *ops, size_t num_ops)
{
    size_t i;
    ward_err err = WARD_E_INTERNAL;

    if ((err = run(s, ST_BEGIN)) != WARD_OK) {
        goto out;
    }
    for (i = 0; i < num_ops; i++) {
        if ((err = apply_op(s, &ops[i])) != WARD_OK) {
            goto out;
        }
    }
    err = run(s, ST_COMMIT);
out:
    /* Still inside the txn: a step or the COMMIT failed. Undo it all. */
    if (!sqlite3_get_autocommit(s->db)) {
        (void)run(s, ST_ROLLBACK);
    }
    return err;
}

static ward_err sql_txn(void *impl, const struct ward_store_op *ops, size_t num_ops)
{
    struct sqlite *s = impl;
    ward_err err;

    WARD_CHECK(pthread_mutex_lock(&s->mu) == 0);
    err = txn_locked(s, ops, num_ops);
    WARD_CHECK(pthread_mutex_unlock(&s->mu) == 0);
    return err;
}

static ward_err get_locked(struct sqlite *s, struct ward_buf *out, uint64_t *out_version,
                           const char *path)
{
    sqlite3_stmt *stmt = s->stmts[ST_GET];
    sqlite3_int64 v;
    const void *value;
    int rc;
    ward_err err = WARD_E_INTERNAL;

    if ((err = bind_path(stmt, 1, path, strlen(path))) != WARD_OK) {
        goto out;
    }
    if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? WARD_E_NOT_FOUND : map_rc(rc);
        goto out;
    }
    if ((v = sqlite3_column_int64(stmt, 0)) < 1) {
        err = WARD_E_STORE_CORRUPT;
        goto out;
    }
    value = sqlite3_column_blob(stmt, 1);
    rc = sqlite3_column_bytes(stmt, 1);
    if (value == NULL && rc > 0) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((err = ward_buf_append(out, value, (size_t)rc)) != WARD_OK) {
        goto out;
    }
    *out_version = (uint64_t)v;
    err = WARD_OK;
out:
    stmt_done(stmt);
    return err;
}

static ward_err sql_get(void *impl, struct ward_buf *out, uint64_t *out_version, const char *path)
{
    struct sqlite *s = impl;
    ward_err err;

    WARD_CHECK(pthread_mutex_lock(&s->mu) == 0);
    err = get_locked(s, out, out_version, path);
    WARD_CHECK(pthread_mutex_unlock(&s->mu) == 0);
    return err;
}

/*
 * prefix_successor writes to out the least string greater than every string
 * that starts with prefix: drop trailing 0xff bytes, then bump the last byte.
 * Returns its length; 0 if there is none (empty or all-0xff prefix).
 */
static size_t prefix_successor(char out[WARD_STORE_MAX_PATH + 1], const char *prefix)
{
    size_t n = strlen(prefix);

    while (n > 0 && (uint8_t)prefix[n - 1] == 0xff) {
        n--;
    }
    if (n > 0) {
        memcpy(out, prefix, n);
        out[n - 1] = (char)((uint8_t)prefix[n - 1] + 1);
    }
    out[n] = '\0';
    return n;
}

static ward_err list_bind(struct sqlite *s, sqlite3_stmt **out, const char *prefix)
{
    char succ[WARD_STORE_MAX_PATH + 1];
    size_t succ_len = prefix_successor(succ, prefix);
    sqlite3_stmt *stmt = s->stmts[succ_len > 0 ? ST_LIST_RANGE : ST_LIST_FROM];
    ward_err err;

    *out = stmt;
    if ((err = bind_path(stmt, 1, prefix, strlen(prefix))) != WARD_OK || succ_len == 0) {
        return err;
    }
    /* succ lives on this stack frame: SQLite must copy it. */
    return map_rc(sqlite3_bind_text64(stmt, 2, succ, succ_len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static ward_err list_locked(struct sqlite *s, struct ward_store_list *out, const char *prefix)
{
    sqlite3_stmt *stmt = NULL;
    struct ward_store_list l = { 0 };
    size_t cap = 0;
    const unsigned char *path;
    int rc;
    ward_err err = WARD_E_INTERNAL;

    if ((err = list_bind(s, &stmt, prefix)) != WARD_OK) {
        goto out;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((path = sqlite3_column_text(stmt, 0)) == NULL) {
            err = WARD_E_NOMEM;
            goto out;
        }
        if ((err = ward_store_list_add(&l, &cap, (const char *)path,
                                       (size_t)sqlite3_column_bytes(stmt, 0))) != WARD_OK) {
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        err = map_rc(rc);
        goto out;
    }
    *out = l;
    l = (struct ward_store_list){ 0 };
    err = WARD_OK;
out:
    stmt_done(stmt);
    ward_store_list_cleanup(&l);
    return err;
}

static ward_err sql_list(void *impl, struct ward_store_list *out, const char *prefix)
{
    struct sqlite *s = impl;
    ward_err err;

    WARD_CHECK(pthread_mutex_lock(&s->mu) == 0);
    err = list_locked(s, out, prefix);
    WARD_CHECK(pthread_mutex_unlock(&s->mu) == 0);
    return err;
}

static void sql_close(void *impl)
{
    struct sqlite *s = impl;
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; i < ST_NUM; i++) {
        (void)sqlite3_finalize(s->stmts[i]);
    }
    /* With every statement finalized, close checkpoints and removes the WAL. */
    (void)sqlite3_close(s->db);
    (void)pthread_mutex_destroy(&s->mu);
    ward_free(s);
}

static const struct ward_store_ops sqlite_ops = {
    .name = "sqlite",
    .get = sql_get,
    .txn = sql_txn,
    .list = sql_list,
    .close = sql_close,
};

/* sync_parent fsyncs the directory holding file, so a new file's name is durable. */
static ward_err sync_parent(const char *file)
{
    char *dir = NULL;
    char *slash;
    int fd = -1;
    ward_err err = WARD_E_INTERNAL;

    if ((dir = ward_strdup(file)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if ((slash = strrchr(dir, '/')) == NULL) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        slash[slash == dir ? 1 : 0] = '\0';
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) != 0) {
        err = WARD_E_STORE_IO;
        goto out;
    }
    err = WARD_OK;
out:
    if (fd >= 0) {
        (void)close(fd);
    }
    ward_free(dir);
    return err;
}

/*
 * create_file creates file empty with mode 0600 unless it exists. SQLite
 * would create it 0644; an empty file is a valid empty database to it.
 */
static ward_err create_file(const char *file)
{
    int fd;
    int rc;

    if ((fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        return errno == EEXIST ? WARD_OK : WARD_E_STORE_IO;
    }
    rc = fsync(fd);
    if (close(fd) != 0 || rc != 0) {
        return WARD_E_STORE_IO;
    }
    return sync_parent(file);
}

/* pragma_expect runs sql and fails with mismatch unless its first row is want. */
static ward_err pragma_expect(sqlite3 *db, const char *sql, const char *want, ward_err mismatch)
{
    sqlite3_stmt *stmt = NULL;
    const unsigned char *got;
    int rc;
    ward_err err = WARD_E_INTERNAL;

    if ((rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL)) != SQLITE_OK) {
        err = map_rc(rc);
        goto out;
    }
    if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? mismatch : map_rc(rc);
        goto out;
    }
    got = sqlite3_column_text(stmt, 0);
    err = got != NULL && strcmp((const char *)got, want) == 0 ? WARD_OK : mismatch;
out:
    (void)sqlite3_finalize(stmt);
    return err;
}

static ward_err configure(sqlite3 *db)
{
    ward_err err;
    int rc;

    /* SECURITY: refuse a damaged file before trusting anything in it. */
    if ((err = pragma_expect(db, "PRAGMA quick_check", "ok", WARD_E_STORE_CORRUPT)) != WARD_OK) {
        return err;
    }
    if ((err = pragma_expect(db, "PRAGMA journal_mode = WAL", "wal", WARD_E_STORE_IO)) != WARD_OK) {
        return err;
    }
    rc = sqlite3_exec(db, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return map_rc(rc);
    }
    if ((err = pragma_expect(db, "PRAGMA synchronous", "2", WARD_E_STORE_IO)) != WARD_OK) {
        return err;
    }
    return map_rc(sqlite3_exec(db, k_schema, NULL, NULL, NULL));
}

static ward_err open_db(struct sqlite *s, const char *file)
{
    size_t i;
    int rc;
    ward_err err;

    /* The file exists (create_file), so no SQLITE_OPEN_CREATE. */
    rc = sqlite3_open_v2(file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        return map_rc(rc);
    }
    if ((rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS)) != SQLITE_OK) {
        return map_rc(rc);
    }
    if ((err = configure(s->db)) != WARD_OK) {
        return err;
    }
    for (i = 0; i < ST_NUM; i++) {
        rc = sqlite3_prepare_v3(s->db, k_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[i], NULL);
        if (rc != SQLITE_OK) {
            return map_rc(rc);
        }
    }
    return WARD_OK;
}

ward_err ward_store_sqlite_open(struct ward_store **out, const char *file)
{
    struct sqlite *s = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    /* SQLite reads these as an in-memory database or a URI, not a file. */
    if (file[0] == '\0' || strcmp(file, ":memory:") == 0 || strncmp(file, "file:", 5) == 0) {
        err = WARD_E_INVALID;
        goto out;
    }
    if ((err = create_file(file)) != WARD_OK) {
        goto out;
    }
    if ((s = ward_calloc(1, sizeof(*s))) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        ward_free(s);
        s = NULL;
        err = WARD_E_SYS;
        goto out;
    }
    if ((err = open_db(s, file)) != WARD_OK) {
        goto out;
    }
    err = ward_store_attach(out, &sqlite_ops, s);
    s = NULL; /* attached, or closed by ward_store_attach */
out:
    sql_close(s);
    return err;
}

ward_err ward_store_sqlite_set_max_pages(struct ward_store *st, uint64_t max_pages)
{
    struct sqlite *s;
    char sql[64];
    int n;
    int rc;

    if (st == NULL || st->ops != &sqlite_ops || max_pages == 0 || max_pages > INT64_MAX) {
        return WARD_E_INVALID;
    }
    s = st->impl;
    n = snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu", (unsigned long long)max_pages);
    if (n < 0 || (size_t)n >= sizeof(sql)) {
        return WARD_E_INTERNAL;
    }
    WARD_CHECK(pthread_mutex_lock(&s->mu) == 0);
    rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    WARD_CHECK(pthread_mutex_unlock(&s->mu) == 0);
    return map_rc(rc);
}
