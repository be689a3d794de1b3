/*
 * mounts.c - `ward secrets enable|list|disable` and `ward auth
 * enable|list|disable`: Vault's sys/mounts and sys/auth commands.
 *
 *   ward secrets enable [-path=P] [-description=D] [-version=2] TYPE   (kv, kv-v2, transit)
 *   ward auth enable [-path=P] [-description=D] TYPE   (userpass, approle, cert, ldap, radius)
 *   ward secrets|auth list
 *   ward secrets|auth disable PATH
 *
 * As Vault's CLI: the path defaults to TYPE; `secrets enable kv` makes a
 * version 2 mount (Ward has no version 1).
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"

#define MOUNT_URL_MAX 256

static const char g_secrets_usage[] =
    "Usage: ward secrets <subcommand> [options] [args]\n\n"
    "Subcommands:\n"
    "  enable      Enable a secrets engine: TYPE kv (version 2) or transit\n"
    "  list        List the secrets engines and their paths\n"
    "  disable     Disable the engine at PATH (its data is erased)\n\n"
    "Options:\n"
    "  -path=<path>        enable: where to mount it (default: TYPE)\n"
    "  -description=<text> enable: a description\n"
    "  -version=2          enable: the KV version (only 2)\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward secrets enable -path=team-kv kv\n";

static const char g_auth_usage[] =
    "Usage: ward auth <subcommand> [options] [args]\n\n"
    "Subcommands:\n"
    "  enable      Enable an auth method: TYPE userpass, approle, cert, ldap or radius\n"
    "  list        List the auth methods and their paths\n"
    "  disable     Disable the method at PATH (its users and roles are erased)\n\n"
    "Options:\n"
    "  -path=<path>        enable: where to mount it under auth/ (default: TYPE)\n"
    "  -description=<text> enable: a description\n" WARD_CLI_COMMON_HELP
    "\nExample:\n  $ ward auth enable -path=ldap-dir1 ldap\n";

struct mount_flags {
    const char *path;
    const char *description;
    const char *version;
};

static int call(struct ward_cli_cmd *cmd, const char *method, const char *url, json_t *body,
                const char *done)
{
    struct ward_client_resp resp = { 0 };
    ward_err err = ward_cli_request_json(cmd, &resp, method, url, body);
    int rc;

    if (err != WARD_OK) {
        rc = ward_cli_cmd_fail(cmd, err);
    } else if (resp.body_len == 0) {
        rc = fprintf(cmd->ctx->out, "Success! %s\n", done) < 0 ? WARD_CLI_EXIT_ERROR
                                                               : WARD_CLI_EXIT_OK;
    } else if (cmd->json) {
        rc = fprintf(cmd->ctx->out, "%s", resp.body) < 0 ? WARD_CLI_EXIT_ERROR : WARD_CLI_EXIT_OK;
    } else {
        json_t *root = json_loads(resp.body, 0, NULL);

        rc = ward_cli_print_object(cmd->ctx->out, json_object_get(root, "data"));
        json_decref(root);
    }
    ward_client_resp_cleanup(&resp);
    json_decref(body);
    return rc;
}

/* path_ok: segments of A-Z a-z 0-9 - _ . separated by '/' (the server checks the rest). */
static bool path_ok(const char *p)
{
    return p[0] != '\0' && strlen(p) < 128 &&
           strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") ==
               strlen(p);
}

static int mounts_run(struct ward_cli_cmd *cmd, const char *sub, const struct mount_flags *f,
                      bool auth)
{
    const char *base = auth ? "/v1/sys/auth" : "/v1/sys/mounts";
    const char *path;
    char url[MOUNT_URL_MAX];
    json_t *body;

    if (strcmp(sub, "list") == 0) {
        return cmd->parse.num_args == 0 ? call(cmd, "GET", base, NULL, "")
                                        : ward_cli_usage_error(cmd, "list takes no argument");
    }
    if (cmd->parse.num_args != 1) {
        return ward_cli_usage_error(cmd,
                                    strcmp(sub, "enable") == 0 ? "give the TYPE" : "give the PATH");
    }
    path = strcmp(sub, "enable") == 0 && f->path != NULL ? f->path : cmd->parse.args[0];
    if (!path_ok(path)) {
        return ward_cli_usage_error(cmd, "PATH is segments of letters, digits, '-', '_', '.'");
    }
    (void)snprintf(url, sizeof(url), "%s/%s", base, path);
    if (strcmp(sub, "disable") == 0) {
        return call(cmd, "DELETE", url, NULL, "Disabled it.");
    }
    if (f->version != NULL && strcmp(f->version, "2") != 0) {
        return ward_cli_usage_error(cmd, "-version must be 2: Ward's KV is version 2");
    }
    body = json_pack("{s:s, s:s}", "type", cmd->parse.args[0], "description",
                     f->description != NULL ? f->description : "");
    if (body != NULL && !auth && strcmp(cmd->parse.args[0], "kv") == 0) {
        (void)json_object_set_new(body, "options", json_pack("{s:s}", "version", "2"));
    }
    return call(cmd, "POST", url, body, "Enabled it.");
}

static const char *const g_subs[] = { "enable", "list", "disable", NULL };

static int run_secrets(struct ward_cli_cmd *cmd, const char *sub, void *arg)
{
    return mounts_run(cmd, sub, arg, false);
}

static int run_auth(struct ward_cli_cmd *cmd, const char *sub, void *arg)
{
    return mounts_run(cmd, sub, arg, true);
}

static int mounts_main(struct ward_cli_ctx *ctx, int argc, char **argv, bool auth)
{
    struct mount_flags f = { 0 };
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = auth ? g_auth_usage : g_secrets_usage };
    const struct ward_cli_flag flags[] = {
        WARD_CLI_COMMON_FLAGS(&cmd.common),
        { "path", WARD_CLI_FLAG_STR, &f.path },
        { "description", WARD_CLI_FLAG_STR, &f.description },
        { "version", WARD_CLI_FLAG_STR, &f.version },
    };

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    return ward_cli_run_sub(&cmd, argc, argv, g_subs, auth ? run_auth : run_secrets, &f);
}

int ward_cli_secrets(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return mounts_main(ctx, argc, argv, false);
}

int ward_cli_auth(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    return mounts_main(ctx, argc, argv, true);
}
