/*
 * login.c - `ward login -method=...`: log in with an auth method and print
 * the token (generic.c's header says where each credential comes from).
 *
 * SECURITY: the password or secret_id is held in a struct ward_secret and
 * the request body that carries it is escaped by hand into another one;
 * both are wiped when the command ends. The token printed is the answer's
 * and goes to stdout only.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"

#define LOGIN_BODY_MAX (16u << 10)
#define NAME_OK        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@"

static const char g_login_usage[] =
    "Usage: ward login -method=<method> [options] [key=value ...]\n\n"
    "Logs in with an auth method and prints the token.\n\n"
    "  userpass, ldap, radius  username=NAME; the password comes from WARD_PASSWORD\n"
    "                          or the terminal (no echo) or one line of stdin\n"
    "  approle                 role_id=ID [secret_id=ID]; without secret_id=, it comes\n"
    "                          from WARD_SECRET_ID or the terminal or stdin\n"
    "  cert                    [name=ROLE] with -client-cert and -client-key\n\n"
    "Options:\n"
    "  -method=<method>   userpass, ldap, radius, approle or cert\n"
    "  -path=<mount>      where the method is mounted under auth/ (default: the method)\n"
    "  -client-cert=<f>   cert: PEM client certificate\n"
    "  -client-key=<f>    cert: PEM private key of the certificate\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ WARD_PASSWORD=... ward login -method=userpass username=homer\n";

struct login_flags {
    const char *method;
    const char *path;
    const char *client_cert;
    const char *client_key;
};

ward_err ward_cli_json_escape(struct ward_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    ward_err err = ward_buf_append_u8(out, '"');

    for (size_t i = 0; i < n && err == WARD_OK; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\') {
            char esc[2] = { '\\', (char)ch };

            err = ward_buf_append(out, esc, 2);
        } else if (ch < 0x20) {
            char esc[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };

            err = ward_buf_append(out, esc, 6);
        } else {
            err = ward_buf_append_u8(out, ch);
        }
    }
    return err == WARD_OK ? ward_buf_append_u8(out, '"') : err;
}

ward_err ward_cli_url_segment(char *out, size_t out_cap, const char *in)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(in);
    size_t w = 0;

    if (n == 0 || n > 64) {
        return WARD_E_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];

        if (ch < 0x20 || ch == 0x7f || w + 4 > out_cap) {
            return WARD_E_INVALID;
        }
        if (strchr(NAME_OK, ch) != NULL) {
            out[w++] = (char)ch;
        } else {
            out[w++] = '%';
            out[w++] = hex[ch >> 4];
            out[w++] = hex[ch & 15];
        }
    }
    out[w] = '\0';
    return WARD_OK;
}

/* arg_value finds key=... among args (NULL if absent). */
static const char *arg_value(char **args, int num, const char *key)
{
    size_t n = strlen(key);

    for (int i = 0; i < num; i++) {
        if (strncmp(args[i], key, n) == 0 && args[i][n] == '=') {
            return args[i] + n + 1;
        }
    }
    return NULL;
}

/* get_secret reads a credential from env, or the terminal or stdin. */
static ward_err get_secret(struct ward_cli_cmd *cmd, struct ward_secret **out, const char *env,
                           const char *prompt)
{
    const char *v = cmd->ctx->getenv_fn(env);
    int fd = cmd->ctx->in_fd;

    if (v != NULL && v[0] != '\0') {
        return ward_secret_new_copy(out, (const uint8_t *)v, strlen(v) + 1);
    }
    return ward_cli_read_share(out, fd, isatty(fd) == 1, cmd->ctx->err, prompt);
}

/* member appends "key":"value" (escaped) to body, with a comma unless first. */
static ward_err member(struct ward_buf *body, const char *key, const char *v, size_t n)
{
    ward_err err = WARD_OK;

    if (body->len > 1) {
        err = ward_buf_append_u8(body, ',');
    }
    if (err == WARD_OK) {
        err = ward_cli_json_escape(body, key, strlen(key));
    }
    if (err == WARD_OK) {
        err = ward_buf_append_u8(body, ':');
    }
    return err == WARD_OK ? ward_cli_json_escape(body, v, n) : err;
}

/* What one login sends. */
struct login_req {
    char url[256];
    struct ward_buf body; /* wiped by cleanup */
    struct ward_secret *cred;
    const char *why;
    char user[3 * 64 + 1]; /* the username, percent-encoded */
};

static ward_err password_req(struct ward_cli_cmd *cmd, struct login_req *r, const char *mount)
{
    const char *user = arg_value(cmd->parse.args, cmd->parse.num_args, "username");
    ward_err err;

    if (arg_value(cmd->parse.args, cmd->parse.num_args, "password") != NULL) {
        r->why = "the password is never taken on the command line: set WARD_PASSWORD or type "
                 "it at the prompt";
        return WARD_E_INVALID;
    }
    if (user == NULL || ward_cli_url_segment(r->user, sizeof(r->user), user) != WARD_OK) {
        r->why = "give username=NAME (at most 64 bytes, no control characters)";
        return WARD_E_INVALID;
    }
    (void)snprintf(r->url, sizeof(r->url), "/v1/auth/%s/login/%s", mount, r->user);
    if ((err = get_secret(cmd, &r->cred, "WARD_PASSWORD", "Password (will be hidden): ")) !=
        WARD_OK) {
        r->why = "no password: set WARD_PASSWORD, type it at the prompt or pipe one line";
        return err;
    }
    return member(&r->body, "password", (const char *)r->cred->data, strlen((char *)r->cred->data));
}

static ward_err approle_req(struct ward_cli_cmd *cmd, struct login_req *r, const char *mount)
{
    const char *rid = arg_value(cmd->parse.args, cmd->parse.num_args, "role_id");
    const char *sid = arg_value(cmd->parse.args, cmd->parse.num_args, "secret_id");
    ward_err err;

    if (rid == NULL || rid[0] == '\0') {
        r->why = "give role_id=ID";
        return WARD_E_INVALID;
    }
    (void)snprintf(r->url, sizeof(r->url), "/v1/auth/%s/login", mount);
    if (sid == NULL && (err = get_secret(cmd, &r->cred, "WARD_SECRET_ID",
                                         "Secret ID (will be hidden): ")) != WARD_OK) {
        r->why = "no secret_id: give secret_id=, set WARD_SECRET_ID or pipe one line";
        return err;
    }
    sid = sid != NULL ? sid : (const char *)r->cred->data;
    if ((err = member(&r->body, "role_id", rid, strlen(rid))) != WARD_OK) {
        return err;
    }
    return member(&r->body, "secret_id", sid, strlen(sid));
}

static ward_err cert_req(struct ward_cli_cmd *cmd, struct login_req *r, const char *mount,
                         const struct login_flags *f)
{
    const char *name = arg_value(cmd->parse.args, cmd->parse.num_args, "name");
    ward_err err;

    if (f->client_cert == NULL || f->client_key == NULL) {
        r->why = "cert needs -client-cert and -client-key";
        return WARD_E_INVALID;
    }
    if ((err = ward_client_set_client_cert(cmd->client, f->client_cert, f->client_key)) !=
        WARD_OK) {
        return err;
    }
    (void)snprintf(r->url, sizeof(r->url), "/v1/auth/%s/login", mount);
    return name != NULL ? member(&r->body, "name", name, strlen(name)) : WARD_OK;
}

/* print_token shows the answer's auth block and how to use the token. */
static int print_token(struct ward_cli_cmd *cmd, const struct ward_client_resp *resp)
{
    json_t *root = json_loads(resp->body, 0, NULL);
    json_t *auth = json_object_get(root, "auth");
    const char *token = json_string_value(json_object_get(auth, "client_token"));
    FILE *out = cmd->ctx->out;
    int rc = WARD_CLI_EXIT_ERROR;

    if (token == NULL) {
        (void)fprintf(cmd->ctx->err, "Error: the answer holds no token\n");
    } else if (cmd->json) {
        rc = fprintf(out, "%s\n", resp->body) < 0 ? WARD_CLI_EXIT_ERROR : WARD_CLI_EXIT_OK;
    } else {
        json_t *show = json_pack("{s:s, s:O, s:O, s:O, s:O}", "token", token, "token_accessor",
                                 json_object_get(auth, "accessor"), "token_duration",
                                 json_object_get(auth, "lease_duration"), "token_renewable",
                                 json_object_get(auth, "renewable"), "token_policies",
                                 json_object_get(auth, "token_policies"));

        (void)fputs("Success! You are now authenticated.\n\n", out);
        rc = ward_cli_print_object(out, show);
        json_decref(show);
        if (rc == WARD_CLI_EXIT_OK && fprintf(out, "\nexport WARD_TOKEN=%s\n", token) < 0) {
            rc = WARD_CLI_EXIT_ERROR;
        }
    }
    json_decref(root);
    return rc;
}

static int login_run(struct ward_cli_cmd *cmd, const struct login_flags *f)
{
    struct ward_client_resp resp = { 0 };
    struct login_req r = { .why = NULL };
    const char *m = f->method != NULL ? f->method : "";
    const char *mount = f->path != NULL ? f->path : m;
    ward_err err = WARD_E_INVALID;
    int rc;

    ward_buf_init(&r.body, LOGIN_BODY_MAX);
    if (mount[0] == '\0' || strlen(mount) > 128 || strspn(mount, NAME_OK "/") != strlen(mount)) {
        r.why = "give -method= (and -path= if it is not mounted at its name)";
    } else if ((err = ward_buf_append_u8(&r.body, '{')) != WARD_OK) {
        r.why = "out of memory";
    } else if (strcmp(m, "userpass") == 0 || strcmp(m, "ldap") == 0 || strcmp(m, "radius") == 0) {
        err = password_req(cmd, &r, mount);
    } else if (strcmp(m, "approle") == 0) {
        err = approle_req(cmd, &r, mount);
    } else if (strcmp(m, "cert") == 0) {
        err = cert_req(cmd, &r, mount, f);
    } else {
        err = WARD_E_INVALID;
        r.why = "-method must be userpass, ldap, radius, approle or cert";
    }
    if (err == WARD_OK && (err = ward_buf_append(&r.body, "}", 2)) == WARD_OK) {
        err = ward_client_request(cmd->client, &resp, "POST", r.url, (const char *)r.body.data);
        rc = err == WARD_OK ? print_token(cmd, &resp) : ward_cli_cmd_fail(cmd, err);
    } else {
        rc = r.why != NULL ? ward_cli_usage_error(cmd, r.why) : ward_cli_cmd_fail(cmd, err);
    }
    ward_client_resp_cleanup(&resp);
    ward_buf_cleanup(&r.body);
    ward_secret_free(r.cred);
    return rc;
}

int ward_cli_login(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct login_flags f = { 0 };
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_login_usage };
    const struct ward_cli_flag flags[] = {
        WARD_CLI_COMMON_FLAGS(&cmd.common),
        { "method", WARD_CLI_FLAG_STR, &f.method },
        { "path", WARD_CLI_FLAG_STR, &f.path },
        { "client-cert", WARD_CLI_FLAG_STR, &f.client_cert },
        { "client-key", WARD_CLI_FLAG_STR, &f.client_key },
    };
    int num_args;
    char **args;
    int rc;

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    if (ward_cli_parse_flags(&cmd.parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(&cmd, cmd.parse.error);
    }
    num_args = cmd.parse.num_args;
    args = cmd.parse.args;
    if ((rc = ward_cli_cmd_begin(&cmd, argc - num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    cmd.parse.num_args = num_args;
    cmd.parse.args = args;
    return ward_cli_cmd_end(&cmd, login_run(&cmd, &f));
}
