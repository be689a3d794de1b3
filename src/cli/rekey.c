/*
 * rekey.c - `ward operator rekey`: -init, -status, -cancel, and without
 * them one update (a current key share for the rekey identified by -nonce,
 * or by the server's status when -nonce is not given).
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

static const char g_rekey_usage[] =
    "Usage: ward operator rekey [options]\n\n"
    "  Replaces the key shares (and threshold) without changing the root key.\n"
    "  Start with -init, then run it without -init once per current key share\n"
    "  until the threshold is reached; the new shares are printed then. Shares\n"
    "  are read from the terminal (hidden) or one line of stdin.\n\n"
    "  -init               Start a rekey\n"
    "  -status             Print the progress of the rekey in progress\n"
    "  -cancel             Cancel the rekey in progress\n"
    "  -key-shares=<n>     New number of key shares, with -init (default 5)\n"
    "  -key-threshold=<k>  New threshold, with -init (default 3)\n"
    "  -nonce=<nonce>      Nonce of the rekey (default: the one in progress)\n"
    "  -address=<url>      Server address (env WARD_ADDR, VAULT_ADDR)\n"
    "  -ca-cert=<file>     PEM CA file (env WARD_CACERT, VAULT_CACERT)\n"
    "  -format=<fmt>       table (default) or json\n"
    "\nExample:\n"
    "  $ ward operator rekey -init -key-shares=5 -key-threshold=3\n"
    "  $ ward operator rekey -nonce=<nonce from -init>\n";

struct rekey_flags {
    bool init;
    bool status;
    bool cancel;
    uint32_t shares;
    uint32_t threshold;
    const char *nonce;
};

static int print_progress(struct ward_cli_cmd *cmd, const struct ward_client_rekey_status *s)
{
    struct ward_cli_table t = { .num_rows = 0 };
    char progress[32];

    if (cmd->json) {
        return ward_cli_print_json(cmd);
    }
    (void)snprintf(progress, sizeof(progress), "%u/%u", (unsigned)s->progress,
                   (unsigned)s->required);
    ward_cli_table_str(&t, "Nonce", s->nonce);
    ward_cli_table_bool(&t, "Started", s->started);
    ward_cli_table_str(&t, "Rekey Progress", progress);
    ward_cli_table_u64(&t, "New Shares", s->n);
    ward_cli_table_u64(&t, "New Threshold", s->t);
    ward_cli_table_bool(&t, "Verification Required", false);
    return ward_cli_table_print(cmd->ctx->out, &t);
}

static int print_complete(struct ward_cli_cmd *cmd, const struct ward_client_rekey_update *u)
{
    FILE *f = cmd->ctx->out;

    if (cmd->json) {
        return ward_cli_print_json(cmd);
    }
    for (size_t i = 0; i < u->keys.num_keys; i++) {
        (void)fprintf(f, "Key %zu: %s\n", i + 1, u->keys.keys_base64[i]);
    }
    (void)fprintf(f, "\nOperation nonce: %s\n\n", u->status.nonce);
    (void)fprintf(f,
                  "Ward rekeyed with %zu key shares. Please securely distribute the key\n"
                  "shares printed above; the old shares no longer unseal Ward.\n",
                  u->keys.num_keys);
    return fflush(f) == 0 ? WARD_CLI_EXIT_OK : WARD_CLI_EXIT_ERROR;
}

/* update gives the server one current key share for the rekey in progress. */
static int update(struct ward_cli_cmd *cmd, const char *nonce)
{
    struct ward_client_rekey_status s;
    struct ward_client_rekey_update u;
    struct ward_secret *share = NULL;
    ward_err err;
    int rc;

    if (nonce == NULL) {
        if ((err = ward_client_sys_rekey_status(cmd->client, &s)) != WARD_OK) {
            return ward_cli_cmd_fail(cmd, err);
        }
        if (!s.started) {
            (void)fprintf(cmd->ctx->err, "Error: no rekey is in progress; start one with "
                                         "-init (code: no_operation)\n");
            return WARD_CLI_EXIT_ERROR;
        }
        nonce = s.nonce;
    }
    if (ward_cli_get_share(cmd, &share, "Unseal Key (will be hidden): ") != WARD_OK) {
        return WARD_CLI_EXIT_ERROR;
    }
    err = ward_client_sys_rekey_update(cmd->client, &u, (const char *)share->data, nonce);
    ward_secret_free(share);
    if (err != WARD_OK) {
        return ward_cli_cmd_fail(cmd, err);
    }
    rc = u.complete ? print_complete(cmd, &u) : print_progress(cmd, &u.status);
    ward_client_rekey_update_cleanup(&u);
    return rc;
}

static int run(struct ward_cli_cmd *cmd, const struct rekey_flags *f)
{
    struct ward_client_rekey_status s;
    ward_err err;

    if (f->init) {
        err = ward_client_sys_rekey_init(cmd->client, &s, f->shares, f->threshold);
    } else if (f->status) {
        err = ward_client_sys_rekey_status(cmd->client, &s);
    } else if (f->cancel) {
        if ((err = ward_client_sys_rekey_cancel(cmd->client)) == WARD_OK && !cmd->json) {
            (void)fputs("Success! Canceled rekeying (if it was started)\n", cmd->ctx->out);
        }
        return err == WARD_OK ? WARD_CLI_EXIT_OK : ward_cli_cmd_fail(cmd, err);
    } else {
        return update(cmd, f->nonce);
    }
    if (err != WARD_OK) {
        return ward_cli_cmd_fail(cmd, err);
    }
    return print_progress(cmd, &s);
}

int ward_cli_operator_rekey(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_rekey_usage };
    struct rekey_flags f = { .shares = 5, .threshold = 3 };
    struct ward_cli_flag flags[] = { WARD_CLI_COMMON_FLAGS(&cmd.common),
                                     { "init", WARD_CLI_FLAG_BOOL, &f.init },
                                     { "status", WARD_CLI_FLAG_BOOL, &f.status },
                                     { "cancel", WARD_CLI_FLAG_BOOL, &f.cancel },
                                     { "key-shares", WARD_CLI_FLAG_U32, &f.shares },
                                     { "key-threshold", WARD_CLI_FLAG_U32, &f.threshold },
                                     { "nonce", WARD_CLI_FLAG_STR, &f.nonce } };
    int rc;

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    cmd.args_error = "key shares are read from stdin, never from arguments";
    if ((rc = ward_cli_cmd_begin(&cmd, argc, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if ((int)f.init + (int)f.status + (int)f.cancel > 1) {
        return ward_cli_cmd_end(&cmd, ward_cli_usage_error(&cmd, "-init, -status and -cancel are "
                                                                 "mutually exclusive"));
    }
    if (f.nonce != NULL && (f.init || f.status || f.cancel)) {
        return ward_cli_cmd_end(&cmd, ward_cli_usage_error(&cmd, "-nonce is for updates only"));
    }
    return ward_cli_cmd_end(&cmd, run(&cmd, &f));
}
