/*
 * auth.c - `ward token create|lookup|renew|revoke` (Vault's auth/token paths)
 * and `ward policy list|read|write|delete` (sys/policy, sys/policies/acl).
 *
 * Table-driven like transit.c: g_subs gives each subcommand its flags,
 * NAME argument and output. lookup, renew and revoke act on the caller's
 * own token by default, on -accessor=ACC, or on a token read from stdin
 * with -token-stdin.
 *
 * SECURITY: a token never comes from argv (ps, shell history): the
 * caller's own from WARD_TOKEN, another one from one line of stdin into a
 * wiped buffer. create prints the new token once, as Vault does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

#define URL_MAX   256u
#define USAGE_MAX 2048u
#define INPUT_MAX (64u << 10)
#define TOKEN_MAX 4096u

enum tsub {
    T_CREATE,
    T_LOOKUP,
    T_RENEW,
    T_REVOKE,
    P_LIST,
    P_READ,
    P_WRITE,
    P_DELETE,
    NUM_TSUBS
};

/* Every flag of both commands; a subcommand takes those g_subs lets it. */
struct aflags {
    const char *policy;
    const char *ttl;
    const char *max_ttl;
    const char *renewable;
    const char *display_name;
    const char *meta;
    const char *increment;
    const char *accessor;
    const char *file;
    bool no_default;
    bool self;
    bool token_stdin;
};

struct tsub_info {
    const char *cmd; /* "token" or "policy" */
    const char *name;
    char arg; /* NAME: 'R' required, 'N' none */
    const char *synopsis;
    const char *about;
    const char *example;
};

static const struct tsub_info g_subs[NUM_TSUBS] = {
    [T_CREATE] = { "token", "create", 'N',
                   "[-policy=a,b] [-ttl=D] [-explicit-max-ttl=D] [-renewable=true|false]\n"
                   "       [-display-name=N] [-no-default-policy] [-metadata=k=v,...]",
                   "Creates a token (POST /v1/auth/token/create) and prints it once. Its\n"
                   "  policies must be among yours unless you have sudo on auth/token/create;\n"
                   "  \"default\" is added unless -no-default-policy.",
                   "ward token create -policy=orders-enc -ttl=1h" },
    [T_LOOKUP] = { "token", "lookup", 'N', "[-self | -accessor=ACC | -token-stdin]",
                   "Prints a token's properties: your own (default), by accessor, or of a\n"
                   "  token read from one line of stdin.",
                   "ward token lookup -accessor=0f1e..." },
    [T_RENEW] = { "token", "renew", 'N', "[-increment=D] [-self | -token-stdin]",
                  "Renews a token (yours by default) by D (default: its TTL), never past\n"
                  "  its maximum lifetime.",
                  "ward token renew -increment=1h" },
    [T_REVOKE] = { "token", "revoke", 'N', "[-self | -accessor=ACC | -token-stdin]",
                   "Revokes a token (yours by default): refused at once everywhere.",
                   "ward token revoke -accessor=0f1e..." },
    [P_LIST] = { "policy", "list", 'N', "", "Lists the ACL policies, built-ins first.",
                 "ward policy list" },
    [P_READ] = { "policy", "read", 'R', "NAME", "Prints policy NAME's JSON document.",
                 "ward policy read default" },
    [P_WRITE] = { "policy", "write", 'R', "[-file=PATH] NAME",
                  "Writes policy NAME from the JSON document on stdin (or -file). Needs\n"
                  "  update and sudo on sys/policies/acl/NAME.",
                  "ward policy write orders-enc < orders-enc.json" },
    [P_DELETE] = { "policy", "delete", 'R', "NAME",
                   "Deletes policy NAME (built-ins cannot be deleted).",
                   "ward policy delete orders-enc" },
};

#define TS(x) (1u << (x))

static void make_flags(struct ward_cli_flag *out, size_t *n, struct aflags *f,
                       struct ward_cli_common *c, enum tsub s)
{
    const struct {
        const char *name;
        enum ward_cli_flag_type type;
        void *dst;
        unsigned subs;
    } all[] = {
        { "policy", WARD_CLI_FLAG_STR, &f->policy, TS(T_CREATE) },
        { "ttl", WARD_CLI_FLAG_STR, &f->ttl, TS(T_CREATE) },
        { "explicit-max-ttl", WARD_CLI_FLAG_STR, &f->max_ttl, TS(T_CREATE) },
        { "renewable", WARD_CLI_FLAG_STR, &f->renewable, TS(T_CREATE) },
        { "display-name", WARD_CLI_FLAG_STR, &f->display_name, TS(T_CREATE) },
        { "metadata", WARD_CLI_FLAG_STR, &f->meta, TS(T_CREATE) },
        { "no-default-policy", WARD_CLI_FLAG_BOOL, &f->no_default, TS(T_CREATE) },
        { "increment", WARD_CLI_FLAG_STR, &f->increment, TS(T_RENEW) },
        { "self", WARD_CLI_FLAG_BOOL, &f->self, TS(T_LOOKUP) | TS(T_RENEW) | TS(T_REVOKE) },
        { "token-stdin", WARD_CLI_FLAG_BOOL, &f->token_stdin,
          TS(T_LOOKUP) | TS(T_RENEW) | TS(T_REVOKE) },
        { "accessor", WARD_CLI_FLAG_STR, &f->accessor, TS(T_LOOKUP) | TS(T_REVOKE) },
        { "file", WARD_CLI_FLAG_STR, &f->file, TS(P_WRITE) },
    };

    *n = 0;
    out[(*n)++] = (struct ward_cli_flag){ "address", WARD_CLI_FLAG_STR, &c->address };
    out[(*n)++] = (struct ward_cli_flag){ "ca-cert", WARD_CLI_FLAG_STR, &c->ca_cert };
    out[(*n)++] = (struct ward_cli_flag){ "format", WARD_CLI_FLAG_STR, &c->format };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (all[i].subs & TS(s)) {
            out[(*n)++] = (struct ward_cli_flag){ all[i].name, all[i].type, all[i].dst };
        }
    }
}

/* split_list makes a JSON list of "a,b,c"; with pairs, an object of "k=v,..." (NULL: bad). */
static json_t *split_list(const char *csv, bool pairs)
{
    json_t *out = pairs ? json_object() : json_array();

    for (const char *p = csv; out != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        char key[128];

        if (!pairs) {
            (void)json_array_append_new(out, json_stringn(p, n));
        } else if (eq == NULL || eq == p || (size_t)(eq - p) >= sizeof(key)) {
            json_decref(out);
            return NULL;
        } else {
            (void)snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
            (void)json_object_set_new(out, key, json_stringn(eq + 1, n - (size_t)(eq - p) - 1));
        }
        p += p[n] == ',' ? n + 1 : n;
    }
    return out;
}

/* create_body is token create's body from the flags; NULL with *why. */
static json_t *create_body(const struct aflags *f, const char **why)
{
    json_t *b = json_object();

    *why = NULL;
    if (f->policy != NULL) {
        (void)json_object_set_new(b, "policies", split_list(f->policy, false));
    }
    if (f->ttl != NULL) {
        (void)json_object_set_new(b, "ttl", json_string(f->ttl));
    }
    if (f->max_ttl != NULL) {
        (void)json_object_set_new(b, "explicit_max_ttl", json_string(f->max_ttl));
    }
    if (f->display_name != NULL) {
        (void)json_object_set_new(b, "display_name", json_string(f->display_name));
    }
    if (f->no_default) {
        (void)json_object_set_new(b, "no_default_policy", json_true());
    }
    if (f->renewable != NULL) {
        *why = strcmp(f->renewable, "true") == 0 || strcmp(f->renewable, "false") == 0
                   ? NULL
                   : "-renewable must be true or false";
        (void)json_object_set_new(b, "renewable", json_boolean(strcmp(f->renewable, "true") == 0));
    }
    if (f->meta != NULL && json_object_set_new(b, "meta", split_list(f->meta, true)) != 0) {
        *why = "-metadata must be k=v pairs, comma-separated";
    }
    if (*why != NULL) {
        json_decref(b);
        return NULL;
    }
    return b;
}

/* read_token reads one token line from stdin into body's "token" field. */
static int read_token(struct ward_cli_cmd *cmd, json_t *body)
{
    struct ward_buf in;
    ward_err err;
    int rc = WARD_CLI_CONTINUE;

    ward_buf_init(&in, TOKEN_MAX);
    err = ward_cli_read_all(&in, cmd->ctx->in_fd, NULL);
    while (err == WARD_OK && in.len > 0 && strchr(" \t\r\n", in.data[in.len - 1]) != NULL) {
        in.len--;
    }
    if (err != WARD_OK || in.len == 0 ||
        json_object_set_new(body, "token", json_stringn((const char *)in.data, in.len)) != 0) {
        (void)fputs("Error: -token-stdin needs one token line on stdin\n", cmd->ctx->err);
        rc = WARD_CLI_EXIT_USAGE;
    }
    ward_buf_cleanup(&in);
    return rc;
}

/* token_target picks the path suffix and body of lookup, renew or revoke. */
static int token_target(struct ward_cli_cmd *cmd, const struct aflags *f, enum tsub s, char *url,
                        json_t *body)
{
    const char *verb = g_subs[s].name;

    if ((f->self ? 1 : 0) + (f->token_stdin ? 1 : 0) + (f->accessor != NULL ? 1 : 0) > 1) {
        return ward_cli_usage_error(cmd, "give one of -self, -accessor, -token-stdin");
    }
    if (f->accessor != NULL) {
        (void)snprintf(url, URL_MAX, "/v1/auth/token/%s-accessor", verb);
        return json_object_set_new(body, "accessor", json_string(f->accessor)) == 0
                   ? WARD_CLI_CONTINUE
                   : WARD_CLI_EXIT_ERROR;
    }
    if (f->token_stdin) {
        (void)snprintf(url, URL_MAX, "/v1/auth/token/%s", verb);
        return read_token(cmd, body);
    }
    (void)snprintf(url, URL_MAX, "/v1/auth/token/%s-self", verb);
    return WARD_CLI_CONTINUE;
}

/* name_ok: a policy name as the server's routes take it. */
static bool name_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-");

    return n > 0 && n <= 64 && s[n] == '\0' && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* policy_body reads the document (stdin or -file) as {"policy": text}. */
static int policy_body(struct ward_cli_cmd *cmd, const struct aflags *f, json_t *body)
{
    struct ward_buf in;
    int rc = WARD_CLI_CONTINUE;

    ward_buf_init(&in, INPUT_MAX);
    if (ward_cli_read_all(&in, cmd->ctx->in_fd, f->file) != WARD_OK ||
        json_object_set_new(body, "policy",
                            json_stringn(in.len > 0 ? (const char *)in.data : "", in.len)) != 0) {
        (void)fprintf(cmd->ctx->err,
                      "Error: cannot read the policy from %s (at most 64 KiB of "
                      "UTF-8 JSON)\n",
                      f->file != NULL ? "-file" : "stdin");
        rc = WARD_CLI_EXIT_ERROR;
    }
    ward_buf_cleanup(&in);
    return rc;
}

/* prepare sets method, url and body of s; returns WARD_CLI_CONTINUE or an exit code. */
static int prepare(struct ward_cli_cmd *cmd, const struct aflags *f, enum tsub s,
                   const char **method, char *url, json_t **body)
{
    const char *name = cmd->parse.num_args > 0 ? cmd->parse.args[0] : NULL;
    const char *why = NULL;

    *method = "POST";
    if (s == T_CREATE) {
        (void)snprintf(url, URL_MAX, "/v1/auth/token/create");
        *body = create_body(f, &why);
        return *body != NULL ? WARD_CLI_CONTINUE : ward_cli_usage_error(cmd, why);
    }
    *body = json_object();
    if (s == T_LOOKUP || s == T_RENEW || s == T_REVOKE) {
        if (s == T_LOOKUP && f->accessor == NULL && !f->token_stdin) {
            *method = "GET";
        }
        if (f->increment != NULL) {
            (void)json_object_set_new(*body, "increment", json_string(f->increment));
        }
        return token_target(cmd, f, s, url, *body);
    }
    if (s == P_LIST) {
        *method = "GET";
        (void)snprintf(url, URL_MAX, "/v1/sys/policy");
        return WARD_CLI_CONTINUE;
    }
    if (name == NULL || !name_ok(name)) {
        return ward_cli_usage_error(cmd, "NAME is 1 to 64 of A-Z a-z 0-9 _ . @ -");
    }
    (void)snprintf(url, URL_MAX, "/v1/sys/policies/acl/%s", name);
    *method = s == P_READ ? "GET" : s == P_DELETE ? "DELETE" : "PUT";
    return s == P_WRITE ? policy_body(cmd, f, *body) : WARD_CLI_CONTINUE;
}

/* print_table prints the table form of s's answer; 0, or -1 if unexpected. */
static int print_table(FILE *out, enum tsub s, const json_t *root)
{
    const json_t *data = json_object_get(root, "data");
    const json_t *auth = json_object_get(root, "auth");
    const char *text;
    json_t *keys;
    int rc;

    switch (s) {
    case T_CREATE:
    case T_RENEW:
        return ward_cli_print_object(out, auth);
    case T_LOOKUP:
        return ward_cli_print_object(out, data);
    case P_LIST:
        keys = json_pack("{s:O}", "keys", json_object_get(data, "policies"));
        rc = keys != NULL ? ward_cli_print_keys(out, keys) : -1;
        json_decref(keys);
        return rc;
    case P_READ:
        text = json_string_value(json_object_get(data, "policy"));
        return text != NULL && fprintf(out, "%s\n", text) >= 0 ? 0 : -1;
    case T_REVOKE:
        return fputs("Success! Token revoked.\n", out) < 0 ? -1 : 0;
    case P_DELETE:
        return fputs("Success! Policy deleted.\n", out) < 0 ? -1 : 0;
    default:
        return fputs("Success! Policy written.\n", out) < 0 ? -1 : 0;
    }
}

/* show prints s's answer as a table (or the JSON with -format=json). */
static int show(struct ward_cli_cmd *cmd, enum tsub s, const struct ward_client_resp *resp)
{
    json_t *root = resp->body_len > 0 ? json_loads(resp->body, 0, NULL) : NULL;
    int rc;

    if (cmd->json) {
        json_decref(root);
        return resp->body_len > 0 ? ward_cli_print_json(cmd) : WARD_CLI_EXIT_OK;
    }
    rc = print_table(cmd->ctx->out, s, root);
    json_decref(root);
    if (rc != 0) {
        (void)fprintf(cmd->ctx->err, "Error: unexpected response from the server (code: %s)\n",
                      ward_err_name(WARD_E_BAD_ENCODING));
        return WARD_CLI_EXIT_ERROR;
    }
    return WARD_CLI_EXIT_OK;
}

static void make_usage(char *out, size_t cap, enum tsub s)
{
    const struct tsub_info *i = &g_subs[s];

    (void)snprintf(out, cap,
                   "Usage: ward %s %s %s\n\n  %s\n\n" WARD_CLI_COMMON_HELP "\nExample:\n  $ %s\n",
                   i->cmd, i->name, i->synopsis, i->about, i->example);
}

static int top_usage(FILE *f, const char *cmd, int code)
{
    (void)fprintf(f, "Usage: ward %s <subcommand> [options]%s\n\nSubcommands:\n", cmd,
                  strcmp(cmd, "policy") == 0 ? " [NAME]" : "");
    for (size_t i = 0; i < NUM_TSUBS; i++) {
        if (strcmp(g_subs[i].cmd, cmd) == 0) {
            (void)fprintf(f, "  %s\n", g_subs[i].name);
        }
    }
    (void)fprintf(f, "\nRun `ward %s <subcommand> -h` for its flags.\n", cmd);
    return code;
}

/* run parses s's flags and NAME, sends its request and shows the answer. */
static int run(struct ward_cli_cmd *cmd, enum tsub s, int argc, char **argv)
{
    struct ward_cli_flag flags[16];
    struct aflags f = { 0 };
    struct ward_client_resp resp = { 0 };
    const char *method = NULL;
    char url[URL_MAX];
    json_t *body = NULL;
    ward_err err;
    int rc;

    cmd->parse.flags = flags;
    make_flags(flags, &cmd->parse.num_flags, &f, &cmd->common, s);
    /* flags first, then NAME: begin sees the flags only */
    if (ward_cli_parse_flags(&cmd->parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(cmd, cmd->parse.error);
    }
    if ((rc = ward_cli_cmd_begin(cmd, argc - cmd->parse.num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if (ward_cli_parse_flags(&cmd->parse, argc, argv) != WARD_OK ||
        cmd->parse.num_args > (g_subs[s].arg == 'R' ? 1 : 0) ||
        (g_subs[s].arg == 'R' && cmd->parse.num_args == 0)) {
        return ward_cli_cmd_end(cmd, ward_cli_usage_error(cmd, g_subs[s].arg == 'R'
                                                                   ? "give one NAME after the flags"
                                                                   : "this subcommand takes no "
                                                                     "arguments"));
    }
    if ((rc = prepare(cmd, &f, s, &method, url, &body)) == WARD_CLI_CONTINUE) {
        err = ward_cli_request_json(
            cmd, &resp, method, url,
            strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0 ? NULL : body);
        rc = err == WARD_OK ? show(cmd, s, &resp) : ward_cli_cmd_fail(cmd, err);
    }
    ward_client_resp_cleanup(&resp);
    json_decref(body);
    return ward_cli_cmd_end(cmd, rc);
}

static int dispatch(struct ward_cli_ctx *ctx, const char *cmd_name, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx };
    char usage[USAGE_MAX];

    if (argc < 2 || ward_cli_is_help(argv[1])) {
        return top_usage(argc < 2 ? ctx->err : ctx->out, cmd_name,
                         argc < 2 ? WARD_CLI_EXIT_USAGE : WARD_CLI_EXIT_OK);
    }
    for (size_t i = 0; i < NUM_TSUBS; i++) {
        if (strcmp(g_subs[i].cmd, cmd_name) == 0 && strcmp(g_subs[i].name, argv[1]) == 0) {
            make_usage(usage, sizeof(usage), (enum tsub)i);
            cmd.usage = usage;
            return run(&cmd, (enum tsub)i, argc - 1, argv + 1);
        }
    }
    (void)fprintf(ctx->err, "Error: unknown %s subcommand\n\n", cmd_name);
    return top_usage(ctx->err, cmd_name, WARD_CLI_EXIT_USAGE);
}

int ward_cli_token(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return dispatch(ctx, "token", argc, argv);
}

int ward_cli_policy(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return dispatch(ctx, "policy", argc, argv);
}
