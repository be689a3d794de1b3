/*
 * auth_entry.c - create-or-update, read, delete and list of an auth
 * method's entries (auth_entry.h).
 */
#include "auth_entry.h"

#include <pthread.h>
#include <stdio.h>

bool entry_name(struct op_ctx *c, char out[CRED_NAME_MAX + 1])
{
    if (c->num_vars < 1 || !cred_name(out, c->var[0])) {
        op_fail(c, WARD_E_INVALID, "name must be 1 to 64 characters of A-Z a-z 0-9 _ . @ -");
        return false;
    }
    return true;
}

void entry_write(struct op_ctx *c, const char *area, const char *name, entry_apply_fn apply)
{
    struct cred_mount *cm = cred_of(c);
    json_t *entry = NULL;
    const char *why = NULL;
    ward_err err;

    (void)pthread_mutex_lock(&cm->mu);
    err = cred_get(cm, &entry, area, name);
    if (err == WARD_E_NOT_FOUND) {
        err = (entry = json_pack("{s:s}", "name", name)) != NULL ? WARD_OK : WARD_E_NOMEM;
    }
    if (err == WARD_OK && (why = apply(entry, c->body)) != NULL) {
        op_fail(c, WARD_E_INVALID, why);
    } else {
        err = err == WARD_OK ? cred_put(cm, area, name, entry) : err;
        if (err != WARD_OK) {
            op_fail(c, err, NULL);
        }
    }
    (void)pthread_mutex_unlock(&cm->mu);
    json_decref(entry);
}

bool entry_read(struct op_ctx *c, json_t **out, const char *area, const char *what)
{
    char name[CRED_NAME_MAX + 1];
    char msg[64];
    ward_err err;

    *out = NULL;
    if (!entry_name(c, name)) {
        return false;
    }
    if ((err = cred_get(cred_of(c), out, area, name)) != WARD_OK) {
        (void)snprintf(msg, sizeof(msg), "no such %s", what);
        op_fail(c, err, err == WARD_E_NOT_FOUND ? msg : NULL);
        return false;
    }
    return true;
}

void entry_delete(struct op_ctx *c, const char *area)
{
    struct cred_mount *cm = cred_of(c);
    char name[CRED_NAME_MAX + 1];
    ward_err err;

    if (!entry_name(c, name)) {
        return;
    }
    (void)pthread_mutex_lock(&cm->mu);
    err = cred_delete(cm, area, name);
    (void)pthread_mutex_unlock(&cm->mu);
    /* as Vault: deleting what does not exist is no error */
    if (err != WARD_OK && err != WARD_E_NOT_FOUND) {
        op_fail(c, err, NULL);
    }
}

void entry_list(struct op_ctx *c, const char *area)
{
    json_t *names = NULL;
    ward_err err;

    if ((err = cred_list(cred_of(c), &names, area)) != WARD_OK) {
        op_fail(c, err, NULL);
        return;
    }
    cred_list_reply(c, names);
}

const char *entry_token_apply(json_t *entry, json_t *body)
{
    const char *why = NULL;

    return cred_token_update(entry, body, &why) == WARD_OK ? NULL : why;
}
