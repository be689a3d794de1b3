/*
 * generic.c - Vault's generic commands on any path, and login:
 *
 *   ward read PATH
 *   ward write PATH [key=value | key=@file | key=- ...] [-]
 *   ward list PATH
 *   ward delete PATH
 *   ward login -method=userpass|ldap|radius|approle|cert [-path=MOUNT] [key=value ...]
 *
 * As Vault's CLI: write's values are strings ("@file": the file's text,
 * "-" as a value: stdin's text; a lone "-": a JSON object from stdin
 * merged under the pairs); the table form shows the answer's data.
 *
 * SECURITY: login never takes a password on argv, where other users and
 * shell history see it: it comes from WARD_PASSWORD or, without it, the
 * terminal (no echo) or one line of stdin, into a struct ward_secret; the
 * request body holding it is built in locked memory by hand, not by
 * jansson. approle's secret_id may be given as secret_id=... (as Vault's
 * CLI), else it is read the same way from WARD_SECRET_ID or stdin.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"

#define URL_MAX   (WARD_CLI_PATH_MAX + 64)
#define VALUE_MAX (1u << 20) /* a key=@file or key=- value */

static const char g_read_usage[] =
    "Usage: ward read [options] PATH\n\n"
    "Reads PATH (GET /v1/PATH) and prints its data.\n\nOptions:\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward read auth/userpass/users/homer\n";

static const char g_write_usage[] =
    "Usage: ward write [options] PATH [key=value ...] [-]\n\n"
    "Writes the pairs to PATH (POST /v1/PATH). key=@file sends the file's text,\n"
    "key=- stdin's text; a lone - reads a JSON object from stdin.\n\nOptions:\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward write auth/approle/role/app token_policies=app secret_id_num_uses=5\n";

static const char g_list_usage[] =
    "Usage: ward list [options] PATH\n\n"
    "Lists the keys under PATH (LIST /v1/PATH).\n\nOptions:\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward list auth/userpass/users\n";

static const char g_delete_usage[] =
    "Usage: ward delete [options] PATH\n\n"
    "Deletes PATH (DELETE /v1/PATH).\n\nOptions:\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward delete auth/userpass/users/homer\n";

ward_err ward_cli_path_check(const char *path)
{
    size_t n = strlen(path);

    if (n == 0 || n > WARD_CLI_PATH_MAX || path[0] == '/') {
        return WARD_E_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)path[i];

        /* as the server's op_path_check, without escapes: they are not needed here */
        if (ch <= ' ' || ch == 0x7f || ch == '?' || ch == '#' || ch == '%' || ch == '\\') {
            return WARD_E_INVALID;
        }
        if (ch == '/' && (path[i + 1] == '/' || (i > 0 && path[i - 1] == '/'))) {
            return WARD_E_INVALID;
        }
    }
    for (const char *seg = path; seg != NULL;
         seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
        size_t len = strcspn(seg, "/");

        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
            return WARD_E_INVALID;
        }
    }
    return WARD_OK;
}

/* read_value reads a key=@file or key=- value as a JSON string (NULL: unreadable). */
static json_t *read_value(const char *spec, int in_fd)
{
    struct ward_buf b;
    json_t *v = NULL;

    ward_buf_init(&b, VALUE_MAX);
    if (ward_cli_read_all(&b, in_fd, spec[0] == '@' ? spec + 1 : NULL) == WARD_OK) {
        v = json_stringn(b.len > 0 ? (const char *)b.data : "", b.len);
    }
    ward_buf_cleanup(&b);
    return v;
}

/* stdin_object reads a JSON object from in_fd into data (pairs win). */
static ward_err stdin_object(json_t *data, int in_fd, char *why, size_t why_cap)
{
    struct ward_buf b;
    json_t *obj = NULL;
    ward_err err;

    ward_buf_init(&b, VALUE_MAX);
    if ((err = ward_cli_read_all(&b, in_fd, NULL)) == WARD_OK) {
        obj = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
        err = json_is_object(obj) ? WARD_OK : WARD_E_INVALID;
    }
    if (err == WARD_OK) {
        (void)json_object_update_missing(data, obj);
    } else {
        (void)snprintf(why, why_cap, "stdin must hold one JSON object");
    }
    json_decref(obj);
    ward_buf_cleanup(&b);
    return err;
}

/* What ward_cli_pairs tracks across arguments. */
struct pairs {
    int in_fd;
    bool stdin_used;  /* a key=- or a lone - */
    bool whole_stdin; /* a lone - */
    char *why;
    size_t why_cap;
};

/* one_pair adds one argument's key and value to data. */
static ward_err one_pair(struct pairs *p, json_t *data, const char *arg)
{
    const char *eq = strchr(arg, '=');
    bool from_stdin = eq != NULL && strcmp(eq + 1, "-") == 0;
    char key[256];
    json_t *v;

    if (strcmp(arg, "-") == 0 || from_stdin) {
        if (p->stdin_used) {
            (void)snprintf(p->why, p->why_cap, "stdin can be read once");
            return WARD_E_INVALID;
        }
        p->stdin_used = true;
        p->whole_stdin = !from_stdin;
        if (!from_stdin) {
            return WARD_OK; /* read once every pair is in */
        }
    }
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(key)) {
        (void)snprintf(p->why, p->why_cap, "\"%.64s\" is not key=value", arg);
        return WARD_E_INVALID;
    }
    (void)snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
    v = eq[1] == '@' || from_stdin ? read_value(eq + 1, p->in_fd) : json_string(eq + 1);
    if (v == NULL) {
        (void)snprintf(p->why, p->why_cap, "cannot read the value of %.64s", key);
        return WARD_E_INVALID;
    }
    return json_object_set_new(data, key, v) == 0 ? WARD_OK : WARD_E_NOMEM;
}

ward_err ward_cli_pairs(json_t **out, char **args, int num, int in_fd, char *why, size_t why_cap)
{
    struct pairs p = { in_fd, false, false, why, why_cap };
    json_t *data = json_object();
    ward_err err = WARD_OK;

    *out = NULL;
    if (data == NULL) {
        return WARD_E_NOMEM;
    }
    for (int i = 0; i < num && err == WARD_OK; i++) {
        err = one_pair(&p, data, args[i]);
    }
    if (err == WARD_OK && p.whole_stdin) {
        err = stdin_object(data, in_fd, why, why_cap);
    }
    if (err != WARD_OK) {
        json_decref(data);
        return err;
    }
    *out = data;
    return WARD_OK;
}

/* show prints an answer: JSON as is, or the data as a table (keys for a list). */
static int show(struct ward_cli_cmd *cmd, const struct ward_client_resp *resp, bool list,
                const char *done)
{
    json_t *root;
    int rc;

    if (resp->body_len == 0) {
        return fprintf(cmd->ctx->out, "Success! %s\n", done) < 0 ? WARD_CLI_EXIT_ERROR
                                                                 : WARD_CLI_EXIT_OK;
    }
    if (cmd->json) {
        return fprintf(cmd->ctx->out, "%s\n", resp->body) < 0 ? WARD_CLI_EXIT_ERROR
                                                              : WARD_CLI_EXIT_OK;
    }
    root = json_loads(resp->body, 0, NULL);
    if (list) {
        rc = ward_cli_print_keys(cmd->ctx->out, json_object_get(root, "data")) == 0
                 ? WARD_CLI_EXIT_OK
                 : WARD_CLI_EXIT_ERROR;
    } else if (json_is_object(json_object_get(root, "data"))) {
        rc = ward_cli_print_object(cmd->ctx->out, json_object_get(root, "data"));
    } else {
        rc = ward_cli_print_object(cmd->ctx->out, json_object_get(root, "auth"));
    }
    json_decref(root);
    return rc;
}

/* A generic command: its name, method, usage and success text. */
struct generic {
    const char *method;
    const char *usage;
    const char *done;
    bool pairs;
};

static int generic_run(struct ward_cli_cmd *cmd, const struct generic *g)
{
    struct ward_client_resp resp = { 0 };
    char url[URL_MAX];
    char why[160] = "";
    const char *path = cmd->parse.args[0];
    json_t *body = NULL;
    ward_err err;
    int rc;

    if (ward_cli_path_check(path) != WARD_OK) {
        return ward_cli_usage_error(cmd, "PATH must be a path under /v1/ without //, . or ..");
    }
    if (g->pairs && ward_cli_pairs(&body, cmd->parse.args + 1, cmd->parse.num_args - 1,
                                   cmd->ctx->in_fd, why, sizeof(why)) != WARD_OK) {
        return ward_cli_usage_error(cmd, why[0] != '\0' ? why : "out of memory");
    }
    (void)snprintf(url, sizeof(url), "/v1/%s", path);
    err = ward_cli_request_json(cmd, &resp, g->method, url, body);
    if (err == WARD_E_NOT_FOUND && strcmp(g->method, "DELETE") != 0) {
        rc = fprintf(cmd->ctx->err, "No value found at %s\n", path) < 0 ? WARD_CLI_EXIT_ERROR : 2;
    } else if (err != WARD_OK) {
        rc = ward_cli_cmd_fail(cmd, err);
    } else {
        rc = show(cmd, &resp, strcmp(g->method, "LIST") == 0, g->done);
    }
    ward_client_resp_cleanup(&resp);
    json_decref(body);
    return rc;
}

static int generic_main(struct ward_cli_ctx *ctx, int argc, char **argv, const struct generic *g)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g->usage };
    const struct ward_cli_flag common[] = { WARD_CLI_COMMON_FLAGS(&cmd.common) };
    struct ward_cli_parse first = { .flags = common,
                                    .num_flags = sizeof(common) / sizeof(common[0]) };
    int rc;

    /* a first pass finds where the positional arguments start */
    if (ward_cli_parse_flags(&first, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(&cmd, first.error);
    }
    if ((rc = ward_cli_cmd_begin(&cmd, argc - first.num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    cmd.parse.num_args = first.num_args;
    cmd.parse.args = first.args;
    if (cmd.parse.num_args < 1 || (!g->pairs && cmd.parse.num_args > 1)) {
        return ward_cli_cmd_end(
            &cmd, ward_cli_usage_error(&cmd, g->pairs ? "give the PATH" : "give one PATH"));
    }
    return ward_cli_cmd_end(&cmd, generic_run(&cmd, g));
}

int ward_cli_read(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    static const struct generic g = { "GET", g_read_usage, "", false };

    return generic_main(ctx, argc, argv, &g);
}

int ward_cli_write(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    static const struct generic g = { "POST", g_write_usage, "Data written.", true };

    return generic_main(ctx, argc, argv, &g);
}

int ward_cli_list(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    static const struct generic g = { "LIST", g_list_usage, "", false };

    return generic_main(ctx, argc, argv, &g);
}

int ward_cli_delete(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    static const struct generic g = { "DELETE", g_delete_usage, "Data deleted (if it existed).",
                                      false };

    return generic_main(ctx, argc, argv, &g);
}
