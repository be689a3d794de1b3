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
#define OBJECT_MAX (16u << 20) /* a table of a whole answer: as large as libward takes */

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

int ward_cli_run_sub(struct ward_cli_cmd *cmd, int argc, char **argv, const char *const *subs,
                     int (*run)(struct ward_cli_cmd *cmd, const char *sub, void *arg), void *arg)
{
    const char *sub = NULL;
    int rc;

    if (argc < 2 || ward_cli_is_help(argv[1])) {
        (void)fputs(cmd->usage, argc < 2 ? cmd->ctx->err : cmd->ctx->out);
        return argc < 2 ? WARD_CLI_EXIT_USAGE : WARD_CLI_EXIT_OK;
    }
    for (size_t i = 0; subs[i] != NULL; i++) {
        sub = strcmp(argv[1], subs[i]) == 0 ? subs[i] : sub;
    }
    if (sub == NULL) {
        (void)fprintf(cmd->ctx->err, "Error: unknown subcommand \"%s\"\n\n%s", argv[1], cmd->usage);
        return WARD_CLI_EXIT_USAGE;
    }
    argc--;
    argv++;
    /* first pass: count the positional arguments, which begin must not refuse */
    if (ward_cli_parse_flags(&cmd->parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(cmd, cmd->parse.error);
    }
    if ((rc = ward_cli_cmd_begin(cmd, argc - cmd->parse.num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    if (ward_cli_parse_flags(&cmd->parse, argc, argv) != WARD_OK) {
        return ward_cli_cmd_end(cmd, ward_cli_usage_error(cmd, cmd->parse.error));
    }
    return ward_cli_cmd_end(cmd, run(cmd, sub, arg));
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

ward_err ward_cli_request_json(struct ward_cli_cmd *cmd, struct ward_client_resp *resp,
                               const char *method, const char *url, const json_t *body)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_free_t release = NULL;
    ward_err err;

    if (body != NULL && text == NULL) {
        memset(resp, 0, sizeof(*resp));
        return WARD_E_NOMEM;
    }
    err = ward_client_request(cmd->client, resp, method, url, text);
    json_get_alloc_funcs(NULL, &release);
    release(text);
    return err;
}

/* value_text is v as a table shows it: a string as is, else compact JSON (*dump to release). */
static const char *value_text(const json_t *v, char **dump)
{
    *dump = NULL;
    if (json_is_string(v)) {
        return json_string_value(v)[0] != '\0' ? json_string_value(v) : "n/a";
    }
    *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return *dump != NULL ? *dump : "";
}

int ward_cli_print_object(FILE *f, const json_t *obj)
{
    struct ward_buf b;
    size_t width = strlen("Key");
    json_free_t release = NULL;
    const char *key;
    json_t *v;
    ward_err err;
    int rc = WARD_CLI_EXIT_ERROR;

    json_object_foreach((json_t *)obj, key, v)
    {
        width = strlen(key) > width ? strlen(key) : width;
    }
    json_get_alloc_funcs(NULL, &release);
    ward_buf_init(&b, OBJECT_MAX);
    if ((err = append_row(&b, width, "Key", "Value")) == WARD_OK) {
        err = append_row(&b, width, "---", "-----");
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        char *dump = NULL;
        const char *text = value_text(v, &dump);

        if (err == WARD_OK) {
            err = append_row(&b, width, key, text);
        }
        release(dump);
    }
    if (err == WARD_OK && fwrite(b.data, 1, b.len, f) == b.len) {
        rc = WARD_CLI_EXIT_OK;
    }
    ward_buf_cleanup(&b);
    return rc;
}

int ward_cli_print_keys(FILE *f, const json_t *data)
{
    const json_t *keys = json_object_get(data, "keys");
    size_t i;
    json_t *k;

    if (!json_is_array(keys)) {
        return -1;
    }
    json_array_foreach(keys, i, k)
    {
        if (json_is_string(k) && fprintf(f, "%s\n", json_string_value(k)) < 0) {
            return -1;
        }
    }
    return 0;
}
