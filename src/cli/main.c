/*
 * main.c - the `ward` command: dispatches to `ward server` (server.c) and
 * the client commands (operator.c, rekey.c, kv.c, transit.c, auth.c, audit.c) built on libward.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_int.h"

typedef int ward_cli_cmd_fn(struct ward_cli_ctx *ctx, int argc, char **argv);

struct command {
    const char *name;
    ward_cli_cmd_fn *fn;
    const char *summary;
};

static const struct command g_operator_cmds[] = {
    { "init", ward_cli_operator_init, "Initialize the server and print the key shares" },
    { "unseal", ward_cli_operator_unseal, "Give one key share to unseal the server" },
    { "seal", ward_cli_operator_seal, "Seal the server" },
    { "rekey", ward_cli_operator_rekey, "Replace the key shares" },
    { "rotate", ward_cli_operator_rotate, "Rotate the encryption key" },
    { "key-status", ward_cli_operator_key_status, "Print the encryption key term" },
};

/* Vault's generic commands on any path, and login (generic.c, login.c). */
static const struct command g_generic_cmds[] = {
    { "read", ward_cli_read, "Read a path" },
    { "write", ward_cli_write, "Write key=value pairs to a path" },
    { "list", ward_cli_list, "List the keys under a path" },
    { "delete", ward_cli_delete, "Delete a path" },
    { "login", ward_cli_login, "Log in with an auth method" },
};

static const char g_usage[] =
    "Usage: ward <command> [args]\n\n"
    "Commands:\n"
    "  server      Run the Ward server\n"
    "  status      Print the seal status (exit 2 when sealed)\n"
    "  operator    Operator commands: init, unseal, seal, rekey, rotate, key-status\n"
    "  kv          KV v2 secrets: get, put, patch, delete, undelete, destroy,\n"
    "              metadata, list, config, generate\n"
    "  transit     Transit keys and cryptography: create, encrypt, decrypt, sign,\n"
    "              verify, ... (`ward transit -h` lists them)\n"
    "  token       Tokens: create, lookup, renew, revoke\n"
    "  policy      ACL policies: list, read, write, delete\n"
    "  audit       Audit devices: enable, list, disable, hash, head; verify a file\n"
    "  secrets     Secrets engines (KV v2, transit) by path: enable, list, disable\n"
    "  auth        Auth methods by path: enable, list, disable\n"
    "  read, write, list, delete   Any path, as Vault's generic commands\n"
    "  login       Log in with an auth method and print the token\n\n"
    "Run `ward <command> -h` for a command's flags.\n\n"
    "Example:\n  $ WARD_ADDR=https://127.0.0.1:8200 ward status\n";

static const char *env_get(const char *name)
{
    return secure_getenv(name);
}

static int operator_usage(FILE *f)
{
    (void)fputs("Usage: ward operator <subcommand> [options]\n\nSubcommands:\n", f);
    for (size_t i = 0; i < sizeof(g_operator_cmds) / sizeof(g_operator_cmds[0]); i++) {
        (void)fprintf(f, "  %-12s%s\n", g_operator_cmds[i].name, g_operator_cmds[i].summary);
    }
    (void)fputs("\nExample:\n  $ ward operator init -key-shares=3 -key-threshold=2\n", f);
    return 0;
}

int ward_cli_operator(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        (void)operator_usage(ctx->err);
        return WARD_CLI_EXIT_USAGE;
    }
    if (ward_cli_is_help(argv[1])) {
        return operator_usage(ctx->out);
    }
    for (size_t i = 0; i < sizeof(g_operator_cmds) / sizeof(g_operator_cmds[0]); i++) {
        if (strcmp(argv[1], g_operator_cmds[i].name) == 0) {
            return g_operator_cmds[i].fn(ctx, argc - 1, argv + 1);
        }
    }
    (void)fprintf(ctx->err, "Error: unknown operator subcommand \"%s\"\n\n", argv[1]);
    (void)operator_usage(ctx->err);
    return WARD_CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct ward_cli_ctx ctx = { env_get, STDIN_FILENO, stdout, stderr };

    if (argc < 2) {
        (void)fputs(g_usage, stderr);
        return WARD_CLI_EXIT_USAGE;
    }
    if (ward_cli_is_help(argv[1])) {
        (void)fputs(g_usage, stdout);
        return WARD_CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "server") == 0) {
        return ward_cli_server(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "status") == 0) {
        return ward_cli_status(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "operator") == 0) {
        return ward_cli_operator(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "kv") == 0) {
        return ward_cli_kv(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "transit") == 0) {
        return ward_cli_transit(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "token") == 0) {
        return ward_cli_token(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "policy") == 0) {
        return ward_cli_policy(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "audit") == 0) {
        return ward_cli_audit(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "secrets") == 0) {
        return ward_cli_secrets(&ctx, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "auth") == 0) {
        return ward_cli_auth(&ctx, argc - 1, argv + 1);
    }
    for (size_t i = 0; i < sizeof(g_generic_cmds) / sizeof(g_generic_cmds[0]); i++) {
        if (strcmp(argv[1], g_generic_cmds[i].name) == 0) {
            return g_generic_cmds[i].fn(&ctx, argc - 1, argv + 1);
        }
    }
    (void)fprintf(stderr, "Error: unknown command \"%s\"\n\n%s", argv[1], g_usage);
    return WARD_CLI_EXIT_USAGE;
}
