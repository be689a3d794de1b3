/*
 * operator.c - `ward status` and `ward operator init|unseal|seal|rotate|
 * key-status` (rekey is in rekey.c), each a thin layer over libward.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

static const char g_status_usage[] =
    "Usage: ward status [options]\n\n"
    "  Prints the seal status of the server. Exit code 0: unsealed,\n"
    "  1: error, 2: sealed.\n\n" WARD_CLI_COMMON_HELP "\nExample:\n  $ ward status -format=json\n";

static const char g_init_usage[] =
    "Usage: ward operator init [options]\n\n"
    "  Initializes the server: makes the root key, splits it into key shares\n"
    "  and prints them with the initial root token. With -status, only tells\n"
    "  whether it is initialized (exit 0: yes, 2: no).\n\n"
    "  -key-shares=<n>     Number of key shares (default 5)\n"
    "  -key-threshold=<k>  Shares needed to unseal (default 3)\n"
    "  -status             Print the init status only\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward operator init -key-shares=3 -key-threshold=2\n";

static const char g_unseal_usage[] =
    "Usage: ward operator unseal [options]\n\n"
    "  Gives the server one key share. The share is read from the terminal\n"
    "  (hidden) or as one line of stdin, never from the command line.\n\n"
    "  -reset              Discard the shares given so far\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward operator unseal\n  Unseal Key (will be hidden):\n";

static const char g_seal_usage[] =
    "Usage: ward operator seal [options]\n\n"
    "  Seals the server: it forgets its keys until unsealed again. Needs the\n"
    "  root token.\n\n" WARD_CLI_COMMON_HELP "\nExample:\n  $ WARD_TOKEN=... ward operator seal\n";

static const char g_rotate_usage[] =
    "Usage: ward operator rotate [options]\n\n"
    "  Adds a new encryption key term; new writes use it, old data stays\n"
    "  readable. Needs the root token.\n\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ WARD_TOKEN=... ward operator rotate\n";

static const char g_key_status_usage[] =
    "Usage: ward operator key-status [options]\n\n"
    "  Prints the current encryption key term. Needs the root token.\n\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ WARD_TOKEN=... ward operator key-status\n";

int ward_cli_status(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_status_usage };
    struct ward_cli_table t = { .num_rows = 0 };
    struct ward_client_seal_status s;
    ward_err err;
    int rc;

    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if ((err = ward_client_sys_seal_status(cmd.client, &s)) != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_cmd_fail(&cmd, err));
    }
    if (cmd.json) {
        rc = ward_cli_print_json(&cmd);
    } else {
        ward_cli_seal_table(&t, &s);
        rc = ward_cli_table_print(ctx->out, &t);
    }
    if (rc == WARD_CLI_EXIT_OK && s.sealed) {
        rc = WARD_CLI_EXIT_USAGE; /* Vault's convention: 2 means sealed */
    }
    return ward_cli_cmd_end(&cmd, rc);
}

static int print_init(struct ward_cli_cmd *cmd, const struct ward_client_init_result *r,
                      uint32_t shares, uint32_t threshold)
{
    FILE *f = cmd->ctx->out;

    if (cmd->json) {
        return ward_cli_print_json(cmd);
    }
    for (size_t i = 0; i < r->keys.num_keys; i++) {
        (void)fprintf(f, "Unseal Key %zu: %s\n", i + 1, r->keys.keys_base64[i]);
    }
    (void)fprintf(f, "\nInitial Root Token: %s\n\n", r->root_token);
    (void)fprintf(f,
                  "Ward initialized with %u key shares and a key threshold of %u. Please\n"
                  "securely distribute the key shares printed above. When Ward is re-sealed,\n"
                  "restarted, or stopped, you must supply at least %u of these keys to unseal\n"
                  "it before it can start servicing requests.\n",
                  (unsigned)shares, (unsigned)threshold, (unsigned)threshold);
    return fflush(f) == 0 ? WARD_CLI_EXIT_OK : WARD_CLI_EXIT_ERROR;
}

static int init_status(struct ward_cli_cmd *cmd)
{
    bool initialized = false;
    ward_err err;

    if ((err = ward_client_sys_init_status(cmd->client, &initialized)) != WARD_OK) {
        return ward_cli_cmd_fail(cmd, err);
    }
    if (cmd->json) {
        (void)ward_cli_print_json(cmd);
    } else {
        (void)fprintf(cmd->ctx->out, "Ward is %sinitialized\n", initialized ? "" : "not ");
    }
    return initialized ? WARD_CLI_EXIT_OK : WARD_CLI_EXIT_USAGE;
}

int ward_cli_operator_init(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_init_usage };
    uint32_t shares = 5;
    uint32_t threshold = 3;
    bool status = false;
    struct ward_cli_flag flags[] = { WARD_CLI_COMMON_FLAGS(&cmd.common),
                                     { "key-shares", WARD_CLI_FLAG_U32, &shares },
                                     { "key-threshold", WARD_CLI_FLAG_U32, &threshold },
                                     { "status", WARD_CLI_FLAG_BOOL, &status } };
    struct ward_client_init_result r;
    ward_err err;
    int rc;

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if (status) {
        return ward_cli_cmd_end(&cmd, init_status(&cmd));
    }
    if ((err = ward_client_sys_init(cmd.client, &r, shares, threshold)) != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_cmd_fail(&cmd, err));
    }
    rc = print_init(&cmd, &r, shares, threshold);
    ward_client_init_result_cleanup(&r);
    return ward_cli_cmd_end(&cmd, rc);
}

static int print_seal_status(struct ward_cli_cmd *cmd, const struct ward_client_seal_status *s)
{
    struct ward_cli_table t = { .num_rows = 0 };

    if (cmd->json) {
        return ward_cli_print_json(cmd);
    }
    ward_cli_seal_table(&t, s);
    return ward_cli_table_print(cmd->ctx->out, &t);
}

int ward_cli_operator_unseal(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_unseal_usage };
    bool reset = false;
    struct ward_cli_flag flags[] = { WARD_CLI_COMMON_FLAGS(&cmd.common),
                                     { "reset", WARD_CLI_FLAG_BOOL, &reset } };
    struct ward_secret *share = NULL;
    struct ward_client_seal_status s;
    ward_err err;
    int rc;

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    /* SECURITY: a share on the command line would show in ps and history */
    cmd.args_error = "key shares are read from stdin, never from arguments";
    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if (!reset && ward_cli_get_share(&cmd, &share, "Unseal Key (will be hidden): ") != WARD_OK) {
        return ward_cli_cmd_end(&cmd, WARD_CLI_EXIT_ERROR);
    }
    err = ward_client_sys_unseal(cmd.client, &s, share != NULL ? (const char *)share->data : NULL,
                                 reset);
    ward_secret_free(share);
    if (err != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_cmd_fail(&cmd, err));
    }
    return ward_cli_cmd_end(&cmd, print_seal_status(&cmd, &s));
}

/* simple_call runs one call taking no input and printing a success line. */
static int simple_call(struct ward_cli_ctx *ctx, int argc, char **argv, const char *usage,
                       ward_err (*fn)(struct ward_client *), const char *done)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = usage };
    ward_err err;
    int rc;

    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if ((err = fn(cmd.client)) != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_cmd_fail(&cmd, err));
    }
    if (!cmd.json) {
        (void)fprintf(ctx->out, "%s\n", done);
    }
    return ward_cli_cmd_end(&cmd, WARD_CLI_EXIT_OK);
}

int ward_cli_operator_seal(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return simple_call(ctx, argc, argv, g_seal_usage, ward_client_sys_seal,
                       "Success! Ward is sealed.");
}

int ward_cli_operator_rotate(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return simple_call(ctx, argc, argv, g_rotate_usage, ward_client_sys_rotate,
                       "Success! Rotated key");
}

int ward_cli_operator_key_status(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_key_status_usage };
    struct ward_cli_table t = { .num_rows = 0 };
    struct ward_client_key_status ks;
    ward_err err;
    int rc;

    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if ((err = ward_client_sys_key_status(cmd.client, &ks)) != WARD_OK) {
        return ward_cli_cmd_end(&cmd, ward_cli_cmd_fail(&cmd, err));
    }
    if (cmd.json) {
        return ward_cli_cmd_end(&cmd, ward_cli_print_json(&cmd));
    }
    ward_cli_table_u64(&t, "Key Term", ks.term);
    ward_cli_table_str(&t, "Install Time", ks.install_time);
    ward_cli_table_u64(&t, "Encryption Count", ks.encryptions);
    return ward_cli_cmd_end(&cmd, ward_cli_table_print(ctx->out, &t));
}
