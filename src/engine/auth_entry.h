/*
 * auth_entry.h - the handler steps that auth methods keeping entries in
 * Ward (radius users and config, cert roles) repeat for each kind of
 * entry: the name from the path, create-or-update under the mount lock,
 * read, delete and list, all over auth_cred.h's hidden-name entries.
 *
 * Keeper-side, internal to src/engine. Each function answers c itself on
 * failure (op_fail) with Vault's codes: 400 for a bad name or body, 404
 * for a read of an absent entry; deleting an absent entry is no error.
 *
 * THREADS: writes and deletes hold the mount's mu (auth_cred.h); reads and
 * lists take no lock (an entry is replaced whole by one barrier put).
 */
#ifndef WARD_ENGINE_AUTH_ENTRY_H
#define WARD_ENGINE_AUTH_ENTRY_H

#include <stdbool.h>

#include <jansson.h>

#include "auth_cred.h"

/*
 * entry_apply_fn sets the fields of body in entry (which holds at least
 * its "name"); NULL when accepted, else why it refused (fixed text).
 */
typedef const char *(*entry_apply_fn)(json_t *entry, json_t *body);

/* entry_name copies the request's ":name" segment, lower-cased; fails c (400) if invalid. */
bool entry_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1]);

/*
 * entry_write reads area's entry for name (or starts {"name": name}),
 * applies c's body with apply and stores it, under the mount's mu.
 */
void entry_write(struct op_ctx *c, const char *area, const char *name, entry_apply_fn apply);

/*
 * entry_read sets *out to area's entry for the request's name (owned by
 * the caller); false (c failed: 404 "no such <what>") if there is none.
 */
bool entry_read(struct op_ctx *c, json_t **out, const char *area, const char *what);

/* entry_delete removes area's entry for the request's name (absent: no error). */
void entry_delete(struct op_ctx *c, const char *area);

/* entry_list answers Vault's LIST of area's names ({"keys": [...]}; none: 404). */
void entry_list(struct op_ctx *c, const char *area);

/* entry_token_apply is an entry_apply_fn of the token fields only (cred_token_update). */
const char *entry_token_apply(json_t *entry, json_t *body);

#endif
