/*
 * store_int.h - internals of the store module: backend constructors, helpers
 * the backends share, and the test hook for the sqlite backend. Included only
 * by src/store/ files and their tests.
 */
#ifndef WARD_STORE_STORE_INT_H
#define WARD_STORE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store.h"

/*
 * ward_store_attach wraps impl in a new struct ward_store for *out. On
 * failure (NOMEM) it closes impl, so the caller never has to.
 */
WARD_MUST_CHECK ward_err ward_store_attach(struct ward_store **out,
                                           const struct ward_store_ops *ops, void *impl);

/* ward_store_memory_open opens an empty "memory:" store. Caller owns *out. */
WARD_MUST_CHECK ward_err ward_store_memory_open(struct ward_store **out);

/*
 * ward_store_sqlite_open opens or creates (mode 0600) the SQLite file at file.
 * WARD_E_STORE_CORRUPT if an existing file is not a sound SQLite database,
 * WARD_E_INVALID for an empty name or one SQLite would not read as a plain
 * file name (":memory:", "file:..."), WARD_E_STORE_IO otherwise.
 */
WARD_MUST_CHECK ward_err ward_store_sqlite_open(struct ward_store **out, const char *file);

/*
 * ward_store_sqlite_set_max_pages sets SQLite's max_page_count on the open
 * sqlite store st: writes that would grow the file past max_pages pages fail
 * with WARD_E_STORE_FULL. SQLite never sets it below the file's current size.
 * For tests only (a real full disk without a full disk); WARD_E_INVALID if st
 * is not a sqlite store.
 */
WARD_MUST_CHECK ward_err ward_store_sqlite_set_max_pages(struct ward_store *st, uint64_t max_pages);

/*
 * ward_store_list_add appends a copy of the path_len bytes at path to l,
 * whose array currently has room for *cap entries. On failure l is unchanged.
 */
WARD_MUST_CHECK ward_err ward_store_list_add(struct ward_store_list *l, size_t *cap,
                                             const char *path, size_t path_len);

#endif
