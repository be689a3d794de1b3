/*
 * output.c - what every `ward` client command shares: setting up (flags,
 * help, client), printing errors, JSON and Vault-style "Key  Value" tables.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli_int.h"

/* Space between the key column and the value column, as in Vault. */
#define TABLE_GLUE 4
#define TABLE_MAX  (64u * 1024u)

int ward_cli_usage_error(struct ward_cli_cmd *cmd, const char *msg)
{
    (void)fprintf(cmd->ctx->err, "Error: %s\n\n%s", msg, cmd->usage);
    return WARD_CLI_EXIT_USAGE;
}

int ward_cli_cmd_fail(struct ward_cli_cmd *cmd, ward_err err)
{
    const char *msg = cmd->client != NULL ? ward_client_get_error(cmd->client) : "";

    if (msg[0] == '\0') {
        msg = ward_err_str(err);
    }
    (void)fprintf(cmd->ctx->err, "Error: %s (code: %s)\n", msg, ward_err_name(err));
    return WARD_CLI_EXIT_ERROR;
}

static int open_client(struct ward_cli_cmd *cmd)
{
    struct ward_client_opts opts;
    ward_err err;

    ward_cli_resolve(&opts, &cmd->common, cmd->ctx->getenv_fn);
    if ((err = ward_client_new(&cmd->client, &opts)) == WARD_E_INVALID) {
        return ward_cli_usage_error(cmd, "the address must be https://host:port");
    }
    if (err != WARD_OK) {
        return ward_cli_cmd_fail(cmd, err);
    }
    return WARD_CLI_CONTINUE;
}

int ward_cli_cmd_begin(struct ward_cli_cmd *cmd, int argc, char **argv)
{
    const char *format;

    cmd->client = NULL;
    if (cmd->parse.flags == NULL) {
        const struct ward_cli_flag common[] = { WARD_CLI_COMMON_FLAGS(&cmd->common) };

        memcpy(cmd->common_flags, common, sizeof(cmd->common_flags));
        cmd->parse.flags = cmd->common_flags;
        cmd->parse.num_flags = sizeof(cmd->common_flags) / sizeof(cmd->common_flags[0]);
    }
    if (ward_cli_parse_flags(&cmd->parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(cmd, cmd->parse.error);
    }
    if (cmd->parse.help) {
        (void)fputs(cmd->usage, cmd->ctx->out);
        return WARD_CLI_EXIT_OK;
    }
    if (cmd->parse.num_args > 0) {
        return ward_cli_usage_error(cmd, cmd->args_error ? cmd->args_error : "too many arguments");
    }
    format = cmd->common.format;
    if (format == NULL) {
        format = cmd->ctx->getenv_fn("WARD_FORMAT");
    }
    if (format == NULL) {
        format = cmd->ctx->getenv_fn("VAULT_FORMAT");
    }
    if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        return ward_cli_usage_error(cmd, "-format must be table or json");
    }
    cmd->json = format != NULL && strcmp(format, "json") == 0;
    return open_client(cmd);
}

int ward_cli_cmd_end(struct ward_cli_cmd *cmd, int code)
{
    ward_client_free(cmd->client);
    cmd->client = NULL;
    return code;
}

int ward_cli_print_json(struct ward_cli_cmd *cmd)
{
    int status = 0;
    const char *body = ward_client_get_body(cmd->client, &status);
    json_t *root = json_loads(body, 0, NULL);
    int rc = 0;

    if (root == NULL) {
        rc = fprintf(cmd->ctx->out, "%s\n", body);
    } else {
        rc = json_dumpf(root, cmd->ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        rc = rc == 0 ? fputc('\n', cmd->ctx->out) : -1;
    }
    json_decref(root);
    return rc < 0 ? WARD_CLI_EXIT_ERROR : WARD_CLI_EXIT_OK;
}

void ward_cli_table_str(struct ward_cli_table *t, const char *key, const char *value)
{
    if (t->num_rows >= WARD_CLI_TABLE_MAX) {
        return;
    }
    t->rows[t->num_rows].key = key;
    (void)snprintf(t->rows[t->num_rows].value, sizeof(t->rows[0].value), "%s",
                   value != NULL && value[0] != '\0' ? value : "n/a");
    t->num_rows++;
}

void ward_cli_table_bool(struct ward_cli_table *t, const char *key, bool value)
{
    ward_cli_table_str(t, key, value ? "true" : "false");
}

void ward_cli_table_u64(struct ward_cli_table *t, const char *key, uint64_t value)
{
    char s[24];

    (void)snprintf(s, sizeof(s), "%" PRIu64, value);
    ward_cli_table_str(t, key, s);
}

static ward_err append_row(struct ward_buf *out, size_t width, const char *key, const char *value)
{
    ward_err err;

    if ((err = ward_buf_append_str(out, key)) != WARD_OK) {
        return err;
    }
    for (size_t i = strlen(key); i < width + TABLE_GLUE; i++) {
        if ((err = ward_buf_append_u8(out, ' ')) != WARD_OK) {
            return err;
        }
    }
    if ((err = ward_buf_append_str(out, value)) != WARD_OK) {
        return err;
    }
    return ward_buf_append_u8(out, '\n');
}

ward_err ward_cli_table_format(struct ward_buf *out, const struct ward_cli_table *t)
{
    size_t width = strlen("Key");
    ward_err err;

    for (size_t i = 0; i < t->num_rows; i++) {
        size_t n = strlen(t->rows[i].key);

        width = n > width ? n : width;
    }
    if ((err = append_row(out, width, "Key", "Value")) != WARD_OK ||
        (err = append_row(out, width, "---", "-----")) != WARD_OK) {
        return err;
    }
    for (size_t i = 0; i < t->num_rows; i++) {
        if ((err = append_row(out, width, t->rows[i].key, t->rows[i].value)) != WARD_OK) {
            return err;
        }
    }
    return WARD_OK;
}

int ward_cli_table_print(FILE *f, const struct ward_cli_table *t)
{
    struct ward_buf b;
    int rc = WARD_CLI_EXIT_ERROR;

    ward_buf_init(&b, TABLE_MAX);
    if (ward_cli_table_format(&b, t) == WARD_OK && b.len > 0 &&
        fwrite(b.data, 1, b.len, f) == b.len) {
        rc = WARD_CLI_EXIT_OK;
    }
    ward_buf_cleanup(&b);
    return rc;
}

void ward_cli_seal_table(struct ward_cli_table *t, const struct ward_client_seal_status *s)
{
    char progress[32];

    ward_cli_table_str(t, "Seal Type", s->type);
    ward_cli_table_bool(t, "Initialized", s->initialized);
    ward_cli_table_bool(t, "Sealed", s->sealed);
    ward_cli_table_u64(t, "Total Shares", s->n);
    ward_cli_table_u64(t, "Threshold", s->t);
    if (s->sealed) {
        (void)snprintf(progress, sizeof(progress), "%u/%u", (unsigned)s->progress, (unsigned)s->t);
        ward_cli_table_str(t, "Unseal Progress", progress);
        ward_cli_table_str(t, "Unseal Nonce", s->nonce);
    }
    ward_cli_table_str(t, "Version", s->version);
    ward_cli_table_str(t, "Build Date", s->build_date);
    ward_cli_table_str(t, "Storage Type", s->storage_type);
    ward_cli_table_bool(t, "HA Enabled", false);
}
