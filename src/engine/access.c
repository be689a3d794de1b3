/*
 * access.c - who may run an op: the token (root or signed, src/auth) and
 * its ACL policies (src/policy) against the request path.
 *
 * The path a policy sees is the path after "/v1/" exactly as the router
 * matched it: for a prefix row (secret/data/ + star) the row's prefix and
 * the percent-decoded, checked rest, so "%61dmin" and "admin" are one path
 * to the policy as they are one secret to the handler; for other rows the
 * request path itself, which the router matched byte for byte (no escapes,
 * no "." or ".." or empty segments reach here).
 *
 * Capability from the method, as Vault: GET/HEAD read, LIST list, DELETE
 * delete, PATCH patch, PUT/POST update. Vault asks for create instead of
 * update when the target does not exist yet; Ward does not look before the
 * handler runs, so PUT/POST needs update, except on rows that only ever
 * create (auth/token/create, transit/keys/:name, which leaves an existing
 * key alone), where create also does. A policy granting only create on a
 * KV path therefore writes nothing: never more than Vault would allow.
 * Rows that change the seal, the keyring or policies need sudo as well.
 *
 * THREADS: called concurrently by every worker; src/auth and src/policy
 * are thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "engine_int.h"

/* cap_of is the capability method asks for, 0 for an unknown method. */
static uint32_t cap_of(const char *method)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        return WARD_CAP_READ;
    }
    if (strcmp(method, "LIST") == 0) {
        return WARD_CAP_LIST;
    }
    if (strcmp(method, "DELETE") == 0) {
        return WARD_CAP_DELETE;
    }
    if (strcmp(method, "PATCH") == 0) {
        return WARD_CAP_PATCH;
    }
    return strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0 ? WARD_CAP_UPDATE : 0;
}

/*
 * needs_sudo: the seal, the keyring, the policies themselves, the audit
 * trail's configuration and keys (Vault asks sudo on sys/audit too), and
 * the mount table (which engines and auth methods exist; Vault asks sudo
 * on sys/auth).
 */
static bool needs_sudo(enum op_id op)
{
    switch (op) {
    case OP_SYS_SEAL:
    case OP_SYS_ROTATE:
    case OP_SYS_AUDIT_ENABLE:
    case OP_SYS_AUDIT_DISABLE:
    case OP_SYS_AUDIT_KEY:
    case OP_SYS_POLICY_WRITE:
    case OP_SYS_POLICY_DELETE:
    case OP_SYS_ACL_POLICY_WRITE:
    case OP_SYS_ACL_POLICY_DELETE:
    case OP_SYS_MOUNTS_ENABLE:
    case OP_SYS_MOUNTS_DISABLE:
    case OP_SYS_AUTH_ENABLE:
    case OP_SYS_AUTH_DISABLE:
        return true;
    default:
        return false;
    }
}

/* creates_only: rows where create is as good as update. */
static bool creates_only(enum op_id op)
{
    return op == OP_AUTH_TOKEN_CREATE || op == OP_TRANSIT_KEY_CREATE;
}

/* key_op_of is the transit key operation of op (for ward_key_operations), 0 if none. */
static uint32_t key_op_of(enum op_id op)
{
    switch (op) {
    case OP_TRANSIT_ENCRYPT:
        return WARD_KOP_ENCRYPT;
    case OP_TRANSIT_DECRYPT:
    case OP_WARD_DECRYPT:
        return WARD_KOP_DECRYPT;
    case OP_TRANSIT_REWRAP:
        return WARD_KOP_REWRAP;
    case OP_TRANSIT_DATAKEY:
        return WARD_KOP_DATAKEY;
    case OP_TRANSIT_SIGN:
        return WARD_KOP_SIGN;
    case OP_TRANSIT_VERIFY:
        return WARD_KOP_VERIFY;
    case OP_TRANSIT_HMAC:
        return WARD_KOP_HMAC;
    case OP_TRANSIT_EXPORT:
    case OP_TRANSIT_BACKUP:
        return WARD_KOP_EXPORT;
    case OP_TRANSIT_WRAP_FOR:
        return WARD_KOP_WRAP_FOR;
    default:
        return 0;
    }
}

/*
 * policy_path writes the path policies judge (see the file comment). A
 * mounted row's canonical prefix ("secret/") is the mount's path again
 * ("kv-team/"): policies name the paths clients use.
 */
static bool policy_path(char *out, size_t cap, const struct op_ctx *c, const struct op_row *row)
{
    size_t n = strlen(row->path);
    size_t skip = c->mount != NULL ? strlen(c->mount->kind->canon) : 0;
    int w;

    if (n > 1 && row->path[n - 1] == '*' && strchr(row->path, ':') == NULL && skip < n) {
        w = snprintf(out, cap, "%s%.*s%s", c->mount != NULL ? c->mount->path : "",
                     (int)(n - 1 - skip), row->path + skip, c->rest);
    } else {
        w = snprintf(out, cap, "%s", c->req->path + 4);
    }
    return w >= 0 && (size_t)w < cap;
}

static ward_err check_policies(struct op_ctx *c, const struct ward_policy_req *req)
{
    const char *names[WARD_TOKEN_MAX_POLICIES];

    for (size_t i = 0; i < c->tok.num_policies; i++) {
        names[i] = c->tok.policies[i];
    }
    return ward_policies_check(c->eng->policies, names, c->tok.num_policies, req);
}

bool access_lower_name(char *out, size_t cap, const char *in)
{
    size_t n = strlen(in);

    if (n >= cap) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = in[i];
        if (in[i] >= 'A' && in[i] <= 'Z') {
            out[i] = (char)(in[i] | 0x20);
        }
    }
    return true;
}

bool access_allowed(struct op_ctx *c, const char *path, uint32_t caps, bool sudo)
{
    struct ward_policy_req req = { path, caps, sudo, 0 };

    return check_policies(c, &req) == WARD_OK;
}

bool access_allowed_key_op(struct op_ctx *c, const char *path, uint32_t caps, uint32_t key_op)
{
    struct ward_policy_req req = { path, caps, false, key_op };

    return check_policies(c, &req) == WARD_OK;
}

ward_err access_check(struct op_ctx *c, enum op_id op)
{
    const struct op_row *row = &g_ops[op];
    char path[OP_MAX_REST + MOUNT_PATH_MAX + 128];
    struct ward_policy_req req = { path, cap_of(c->req->method), needs_sudo(op), key_op_of(op) };
    const char *tok = c->req->token;
    ward_err err;

    if (tok == NULL || tok[0] == '\0') {
        return WARD_E_PERMISSION;
    }
    if ((err = ward_auth_validate(c->eng->auth, &c->tok, tok, strlen(tok), ward_time_now_ms())) !=
        WARD_OK) {
        /* not a Ward token at all: as before tokens were signed */
        return err == WARD_E_TOKEN_INVALID && strncmp(tok, "w.s.", 4) != 0 &&
                       strncmp(tok, "w.r.", 4) != 0
                   ? WARD_E_PERMISSION
                   : err;
    }
    if (c->tok.root) {
        return WARD_OK;
    }
    if (creates_only(op)) {
        req.caps |= WARD_CAP_CREATE;
    }
    if (req.caps == 0 || !policy_path(path, sizeof(path), c, row)) {
        return WARD_E_PERMISSION;
    }
    return check_policies(c, &req);
}
