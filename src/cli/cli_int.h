/*
 * cli_int.h - the client commands of `ward` (everything but `ward server`),
 * for the .c files of src/cli and their tests only.
 *
 * Each command is a function (argc, argv) with argv[0] its name, returning
 * the exit code: 0 ok, 1 error ("Error: <message> (code: <name>)" on
 * stderr), 2 usage. Flags are Vault's: -name=value, -name value, --name,
 * bare -name for booleans; flags come before positional arguments.
 *
 * SECURITY: key shares are read only from the terminal (no echo) or one
 * line of stdin, into struct ward_secret; never from argv or the
 * environment, where other users and shell history could see them.
 */
#ifndef WARD_CLI_CLI_INT_H
#define WARD_CLI_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/mem.h"
#include "ward/ward.h"

#define WARD_CLI_EXIT_OK    0
#define WARD_CLI_EXIT_ERROR 1
#define WARD_CLI_EXIT_USAGE 2

/* ward_cli_cmd_begin's "go on" answer: no exit code yet. */
#define WARD_CLI_CONTINUE (-1)

/* The longest key share accepted from a prompt or stdin. */
#define WARD_CLI_SHARE_MAX 1024u

typedef const char *ward_cli_getenv_fn(const char *name);

/* What a command talks to; tests put pipes and a fake environment here. */
struct ward_cli_ctx {
    ward_cli_getenv_fn *getenv_fn;
    int in_fd; /* where shares come from */
    FILE *out;
    FILE *err;
};

enum ward_cli_flag_type {
    WARD_CLI_FLAG_BOOL, /* dst: bool * */
    WARD_CLI_FLAG_STR,  /* dst: const char ** (borrowed from argv) */
    WARD_CLI_FLAG_U32,  /* dst: uint32_t * */
};

struct ward_cli_flag {
    const char *name; /* without the leading '-' */
    enum ward_cli_flag_type type;
    void *dst;
};

/* The flags every client command takes. */
struct ward_cli_common {
    const char *address;
    const char *ca_cert;
    const char *format; /* "table" (default) or "json" */
};

#define WARD_CLI_COMMON_FLAGS(c)                         \
    { "address", WARD_CLI_FLAG_STR, &(c)->address },     \
        { "ca-cert", WARD_CLI_FLAG_STR, &(c)->ca_cert }, \
    {                                                    \
        "format", WARD_CLI_FLAG_STR, &(c)->format        \
    }

/* The help lines of the common flags, for a command's usage text. */
#define WARD_CLI_COMMON_HELP                                                    \
    "  -address=<url>     Server address (env WARD_ADDR, VAULT_ADDR;\n"         \
    "                     default " WARD_CLIENT_DEFAULT_ADDR ")\n"              \
    "  -ca-cert=<file>    PEM CA file to verify the server (env WARD_CACERT,\n" \
    "                     VAULT_CACERT)\n"                                      \
    "  -format=<fmt>      table (default) or json (env WARD_FORMAT)\n"          \
    "  The token comes from WARD_TOKEN (or VAULT_TOKEN).\n"

/* Flags, the result of parsing them, and positional arguments. */
struct ward_cli_parse {
    const struct ward_cli_flag *flags;
    size_t num_flags;
    bool help;    /* -h, -help or --help was given */
    int num_args; /* positional arguments left after the flags */
    char **args;
    char error[160]; /* why parsing failed */
};

/*
 * ward_cli_parse_flags parses argv[1..argc) (argv[0] is the command's name)
 * into p->flags' destinations. WARD_E_INVALID with p->error set for an
 * unknown flag, a missing or malformed value. Stops at "--" or the first
 * argument not starting with '-'.
 */
WARD_MUST_CHECK ward_err ward_cli_parse_flags(struct ward_cli_parse *p, int argc, char **argv);

/* ward_cli_is_help is true for "-h", "-help" and "--help". */
bool ward_cli_is_help(const char *arg);

/*
 * ward_cli_resolve fills *out from the flags and the environment: a flag
 * wins, then WARD_ADDR / WARD_CACERT / WARD_TOKEN, then VAULT_ADDR /
 * VAULT_CACERT / VAULT_TOKEN; empty variables count as unset. Strings are
 * borrowed from common and getenv_fn's answers.
 */
void ward_cli_resolve(struct ward_client_opts *out, const struct ward_cli_common *common,
                      ward_cli_getenv_fn *getenv_fn);

/* One running command: what ward_cli_cmd_begin sets up and _end tears down. */
struct ward_cli_cmd {
    struct ward_cli_ctx *ctx;
    const char *usage;      /* full help text: usage line, flags, an example */
    const char *args_error; /* why positional arguments are refused (NULL: generic) */
    struct ward_cli_parse parse;
    struct ward_cli_common common;
    bool json; /* -format=json */
    struct ward_client *client;
    struct ward_cli_flag common_flags[3]; /* used when parse.flags is NULL */
};

/*
 * ward_cli_cmd_begin parses flags (only the common ones when
 * cmd->parse.flags is NULL), answers -h, refuses positional
 * arguments, checks -format and opens the client. Returns
 * WARD_CLI_CONTINUE, or the exit code to return at once.
 */
int ward_cli_cmd_begin(struct ward_cli_cmd *cmd, int argc, char **argv);

/*
 * ward_cli_run_sub runs `ward <command> <sub> [flags] [args]` for a command
 * whose subcommands share one flag set (cmd->ctx, cmd->usage and
 * cmd->parse.flags set): no sub or -h prints the usage, a sub not in subs
 * is a usage error (subs ends with NULL); then the flags are parsed, the
 * client opened, run called with the sub (one of subs) and arg, and the
 * client closed. Returns the exit code.
 */
int ward_cli_run_sub(struct ward_cli_cmd *cmd, int argc, char **argv, const char *const *subs,
                     int (*run)(struct ward_cli_cmd *cmd, const char *sub, void *arg), void *arg);

/* ward_cli_cmd_end frees the client; returns code. */
int ward_cli_cmd_end(struct ward_cli_cmd *cmd, int code);

/* ward_cli_cmd_fail prints the error of the last call; returns WARD_CLI_EXIT_ERROR. */
int ward_cli_cmd_fail(struct ward_cli_cmd *cmd, ward_err err);

/* ward_cli_usage_error prints "Error: msg" and the usage; returns WARD_CLI_EXIT_USAGE. */
int ward_cli_usage_error(struct ward_cli_cmd *cmd, const char *msg);

/* ward_cli_print_json pretty-prints the last response's JSON body on ctx->out. */
int ward_cli_print_json(struct ward_cli_cmd *cmd);

/*
 * ward_cli_request_json sends method to url with body (NULL: none) as
 * compact JSON; as ward_client_request (the caller cleans *resp up).
 */
WARD_MUST_CHECK ward_err ward_cli_request_json(struct ward_cli_cmd *cmd,
                                               struct ward_client_resp *resp, const char *method,
                                               const char *url, const json_t *body);

/*
 * ward_cli_print_object prints obj's members as a "Key  Value" table:
 * strings as they are ("" as "n/a"), other values as compact JSON, nothing
 * cut short. Returns an exit code.
 */
int ward_cli_print_object(FILE *f, const json_t *obj);

/* ward_cli_print_keys prints a list answer's data.keys, one a line; 0, or -1 if there is none. */
int ward_cli_print_keys(FILE *f, const json_t *data);

/* One row of a table: a fixed key and a formatted value. */
struct ward_cli_row {
    const char *key;
    char value[160];
};

/* A table of at most WARD_CLI_TABLE_MAX rows. */
#define WARD_CLI_TABLE_MAX 24

struct ward_cli_table {
    struct ward_cli_row rows[WARD_CLI_TABLE_MAX];
    size_t num_rows;
};

/* ward_cli_table_str/_bool/_u64 append a row (silently dropped past the max). */
void ward_cli_table_str(struct ward_cli_table *t, const char *key, const char *value);
void ward_cli_table_bool(struct ward_cli_table *t, const char *key, bool value);
void ward_cli_table_u64(struct ward_cli_table *t, const char *key, uint64_t value);

/*
 * ward_cli_table_format writes t as Vault does: a "Key  Value" header, a
 * "---  -----" rule, and the rows, the keys padded to one column.
 */
WARD_MUST_CHECK ward_err ward_cli_table_format(struct ward_buf *out,
                                               const struct ward_cli_table *t);

/* ward_cli_table_print formats t onto f; returns an exit code. */
int ward_cli_table_print(FILE *f, const struct ward_cli_table *t);

/* ward_cli_seal_table fills t with a seal status in `vault status`'s rows. */
void ward_cli_seal_table(struct ward_cli_table *t, const struct ward_client_seal_status *s);

/*
 * ward_cli_read_share reads one key share from fd: with tty, after prompt on
 * err_f and with echo off; else one line. A trailing "\n" or "\r\n" is
 * dropped. WARD_E_INVALID when the line is empty, WARD_E_TOO_LARGE past
 * WARD_CLI_SHARE_MAX. *out is NUL-terminated; the caller frees it.
 */
WARD_MUST_CHECK ward_err ward_cli_read_share(struct ward_secret **out, int fd, bool tty,
                                             FILE *err_f, const char *prompt);

/*
 * ward_cli_read_all reads fd, or the file path when path is not NULL, to its
 * end, appending to out (whose max bounds it: WARD_E_TOO_LARGE past it).
 * WARD_E_SYS when the file cannot be opened or read.
 */
WARD_MUST_CHECK ward_err ward_cli_read_all(struct ward_buf *out, int fd, const char *path);

/* ward_cli_get_share reads a share for cmd: a prompt when stdin is a TTY. */
WARD_MUST_CHECK ward_err ward_cli_get_share(struct ward_cli_cmd *cmd, struct ward_secret **out,
                                            const char *prompt);

/* The commands. */
int ward_cli_status(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator(struct ward_cli_ctx *ctx, int argc, char **argv);

/* kv.c: `ward kv <subcommand>` (KV v2 secrets). */
int ward_cli_kv(struct ward_cli_ctx *ctx, int argc, char **argv);
/* audit.c: `ward audit <subcommand>` (audit devices; verify an audit file). */
int ward_cli_audit(struct ward_cli_ctx *ctx, int argc, char **argv);
/* mounts.c: `ward secrets <subcommand>` (sys/mounts) and `ward auth <subcommand>` (sys/auth). */
int ward_cli_secrets(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_auth(struct ward_cli_ctx *ctx, int argc, char **argv);
/* transit.c: `ward transit <subcommand>` (Vault's transit engine, Ward's decrypt). */
int ward_cli_transit(struct ward_cli_ctx *ctx, int argc, char **argv);
/* auth.c: `ward token <subcommand>` (Vault's auth/token paths) and `ward policy <subcommand>`. */
int ward_cli_token(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_policy(struct ward_cli_ctx *ctx, int argc, char **argv);

/*
 * generic.c: `ward read|write|list|delete PATH` on any path; login.c:
 * `ward login -method=...`.
 */
int ward_cli_read(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_write(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_list(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_delete(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_login(struct ward_cli_ctx *ctx, int argc, char **argv);

#define WARD_CLI_PATH_MAX 512 /* bytes of a generic command's PATH */

/*
 * ward_cli_path_check accepts a PATH for the generic commands: 1 to
 * WARD_CLI_PATH_MAX bytes, no leading '/', no empty, "." or ".." segment,
 * no blank, control byte, '?', '#', '%' or '\\'. WARD_OK or WARD_E_INVALID.
 */
WARD_MUST_CHECK ward_err ward_cli_path_check(const char *path);

/*
 * ward_cli_pairs turns write's arguments into a JSON object (*out, owned):
 * key=value (a string), key=@file (the file's text), key=- (stdin's text),
 * and a lone "-" (a JSON object read from stdin; the pairs win). in_fd is
 * stdin. WARD_E_INVALID with why set for a malformed argument, an
 * unreadable file, stdin used twice or stdin not holding an object.
 */
WARD_MUST_CHECK ward_err ward_cli_pairs(json_t **out, char **args, int num, int in_fd, char *why,
                                        size_t why_cap);

/*
 * ward_cli_url_segment percent-encodes in (1..64 bytes, no control
 * characters) as one path segment: A-Z a-z 0-9 - _ . @ kept, every other
 * byte %XX (so '/' cannot start a new segment). WARD_E_INVALID, also when
 * out_cap is too small.
 */
WARD_MUST_CHECK ward_err ward_cli_url_segment(char *out, size_t out_cap, const char *in);

/* ward_cli_json_escape appends s (n bytes) to out as a JSON string, quotes included. */
WARD_MUST_CHECK ward_err ward_cli_json_escape(struct ward_buf *out, const char *s, size_t n);

int ward_cli_operator_init(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator_unseal(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator_seal(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator_rekey(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator_rotate(struct ward_cli_ctx *ctx, int argc, char **argv);
int ward_cli_operator_key_status(struct ward_cli_ctx *ctx, int argc, char **argv);

#endif
