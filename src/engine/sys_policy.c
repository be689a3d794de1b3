/*
 * sys_policy.c - Vault's ACL policy paths: sys/policy (hvac 1.0's
 * list_policies, read_policy, create_or_update_policy, delete_policy) and
 * sys/policies/acl (the newer API). Documents are JSON (src/policy);
 * names are lower-cased as Vault does. Writing or deleting a policy needs
 * sudo on its path as well (access.c): without it, a token allowed to
 * update its own policy could grant itself anything.
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

/* lower_name copies the ":name" segment in lower case; false if too long. */
static bool lower_name(struct op_ctx *c, char out[WARD_POLICY_NAME_MAX + 1])
{
    if (!access_lower_name(out, WARD_POLICY_NAME_MAX + 1, c->num_vars > 0 ? c->var[0] : "")) {
        op_fail(c, WARD_E_INVALID, "a policy name is 1 to 64 of a-z 0-9 _ . @ -");
        return false;
    }
    return true;
}

static void add_name(void *ctx, const char *name)
{
    (void)json_array_append_new(ctx, json_string(name));
}

static json_t *names(struct op_ctx *c)
{
    json_t *a = json_array();
    ward_err err;

    if (a == NULL) {
        op_fail(c, WARD_E_NOMEM, NULL);
        return NULL;
    }
    if ((err = ward_policies_list(c->eng->policies, add_name, a)) != WARD_OK) {
        json_decref(a);
        op_fail(c, err, NULL);
        return NULL;
    }
    return a;
}

void op_policy_list(struct op_ctx *c)
{
    json_t *a = names(c);

    if (a != NULL) {
        c->data = json_pack("{s:O, s:O, s:{s:O, s:O}}", "keys", a, "policies", a, "data", "keys", a,
                            "policies", a);
        json_decref(a);
    }
}

void op_acl_policy_list(struct op_ctx *c)
{
    json_t *a = names(c);

    if (a != NULL) {
        c->data = json_pack("{s:{s:o}}", "data", "keys", a);
    }
}

/* read_text reads policy name's text into text (NUL-terminated); false after op_fail. */
static bool read_text(struct op_ctx *c, struct ward_buf *text, char name[WARD_POLICY_NAME_MAX + 1])
{
    ward_err err;

    if (!lower_name(c, name)) {
        return false;
    }
    if ((err = ward_policies_read(c->eng->policies, text, name)) != WARD_OK ||
        (err = ward_buf_terminate(text)) != WARD_OK) {
        op_fail(c, err, err == WARD_E_NOT_FOUND ? "no such policy" : NULL);
        return false;
    }
    return true;
}

void op_policy_read(struct op_ctx *c)
{
    char name[WARD_POLICY_NAME_MAX + 1];
    struct ward_buf text;

    ward_buf_init(&text, WARD_POLICY_MAX_TEXT + 1);
    if (read_text(c, &text, name)) {
        const char *t = (const char *)text.data;

        c->data = json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", name, "rules", t, "data", "name",
                            name, "rules", t);
    }
    ward_buf_cleanup(&text);
}

void op_acl_policy_read(struct op_ctx *c)
{
    char name[WARD_POLICY_NAME_MAX + 1];
    struct ward_buf text;

    ward_buf_init(&text, WARD_POLICY_MAX_TEXT + 1);
    if (read_text(c, &text, name)) {
        c->data =
            json_pack("{s:{s:s, s:s}}", "data", "name", name, "policy", (const char *)text.data);
    }
    ward_buf_cleanup(&text);
}

void op_policy_write(struct op_ctx *c)
{
    char name[WARD_POLICY_NAME_MAX + 1];
    char why[256];
    const char *text = NULL;
    size_t len = 0;
    ward_err err;

    if (!lower_name(c, name)) {
        return;
    }
    /* "rules" is the older sys/policy field name */
    if (json_get_string(c->body, "policy", &text, &len) != WARD_OK ||
        (text == NULL && json_get_string(c->body, "rules", &text, &len) != WARD_OK) ||
        text == NULL) {
        op_fail(c, WARD_E_INVALID, "policy (the JSON document, as a string) is required");
        return;
    }
    if ((err = ward_policies_write(c->eng->policies, name, text, len, why, sizeof(why))) !=
        WARD_OK) {
        op_fail(c, err, why[0] != '\0' ? why : NULL);
    }
}

void op_policy_delete(struct op_ctx *c)
{
    char name[WARD_POLICY_NAME_MAX + 1];
    ward_err err;

    if (lower_name(c, name) && (err = ward_policies_delete(c->eng->policies, name)) != WARD_OK) {
        op_fail(c, err,
                err == WARD_E_INVALID ? "built-in policies cannot be deleted; names are a-z 0-9 "
                                        "_ . @ -"
                                      : NULL);
    }
}
