/*
 * kv.c - `ward kv get|put|patch|delete|undelete|destroy|metadata|list|config|
 * tune|generate`: Vault's KV v2 commands over libward's ward_client_request.
 *
 * PATH is MOUNT/SECRET as with Vault's `vault kv` ("secret/app/db"); it is
 * percent-encoded into the URL. put and patch take key=value pairs. The JSON
 * output (-format=json) is the server's answer as is; the table output shows
 * a secret's data, a version's metadata or a list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_int.h"

#define KV_URL_MAX 2048

static const char g_kv_usage[] =
    "Usage: ward kv <subcommand> [options] PATH [key=value ...]\n\n"
    "Subcommands:\n"
    "  get         Read a secret (-version=N)\n"
    "  put         Write a new version (-cas=N) from key=value pairs\n"
    "  patch       Merge key=value pairs into the latest version\n"
    "  delete      Soft-delete the latest version (or -versions=1,2)\n"
    "  undelete    Undelete -versions=1,2\n"
    "  destroy     Permanently remove -versions=1,2\n"
    "  metadata    get|put|delete a secret's metadata (-max-versions, -cas-required)\n"
    "  list        List the names under a folder\n"
    "  config      Read the mount's config, or set -max-versions / -cas-required\n"
    "  tune        Read the mount's tuning (KV version, lease TTLs) as Vault clients do\n"
    "  generate    Write a generated value (-length, -charset, -min-upper, ...)\n\n"
    "Options:\n"
    "  -address=<url>  -ca-cert=<file>  -format=table|json (as every command)\n"
    "  The token comes from WARD_TOKEN (or VAULT_TOKEN).\n\n"
    "Example:\n  $ ward kv put secret/app/db password=hunter2\n"
    "  $ ward kv get -format=json secret/app/db\n";

/* Every kv flag; a subcommand ignores those it does not use. */
struct kv_flags {
    uint32_t version;
    uint32_t cas;
    bool has_cas;
    const char *versions;
    uint32_t max_versions;
    const char *cas_required;
    uint32_t length;
    const char *charset;
    uint32_t min[4];
    const char *field;
};

/* encode_path appends s percent-encoded (keeping '/') to out. */
static bool encode_path(char *out, size_t cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = strlen(out);

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("/-_.~", *p) != NULL;

        if (o + 4 >= cap) {
            return false;
        }
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return true;
}

/* make_url builds /v1/MOUNT/kind/SECRET from "MOUNT/SECRET". */
static bool make_url(char *out, size_t cap, const char *path, const char *kind)
{
    const char *slash = strchr(path, '/');
    size_t mount_len = slash != NULL ? (size_t)(slash - path) : strlen(path);
    int n;

    if (mount_len == 0) {
        return false;
    }
    n = snprintf(out, cap, "/v1/%.*s/%s/", (int)mount_len, path, kind);
    if (n < 0 || (size_t)n >= cap) {
        return false;
    }
    return encode_path(out, cap, slash != NULL ? slash + 1 : "");
}

/* pairs_json turns key=value arguments into an object; NULL if one lacks '='. */
static json_t *pairs_json(char **args, int num)
{
    json_t *data = json_object();
    char key[256];

    for (int i = 0; i < num && data != NULL; i++) {
        const char *eq = strchr(args[i], '=');

        if (eq == NULL || eq == args[i] || (size_t)(eq - args[i]) >= sizeof(key)) {
            json_decref(data);
            return NULL;
        }
        (void)snprintf(key, sizeof(key), "%.*s", (int)(eq - args[i]), args[i]);
        (void)json_object_set_new(data, key, json_string(eq + 1));
    }
    return data;
}

/* versions_json turns "1,2,3" into {"versions":[1,2,3]}; NULL if malformed. */
static json_t *versions_json(const char *list)
{
    json_t *arr = json_array();
    const char *p = list;
    char *end = NULL;

    while (arr != NULL && p != NULL && *p != '\0') {
        unsigned long long v = strtoull(p, &end, 10);

        if (end == p || (*end != ',' && *end != '\0')) {
            json_decref(arr);
            return NULL;
        }
        (void)json_array_append_new(arr, json_integer((json_int_t)v));
        p = *end == ',' ? end + 1 : end;
    }
    return arr != NULL ? json_pack("{s:o}", "versions", arr) : NULL;
}

/* show prints the answer: its JSON, or a table of what matters for kind. */
static int show(struct ward_cli_cmd *cmd, const struct ward_client_resp *resp, const char *kind)
{
    json_t *root;
    const json_t *data;
    int rc = WARD_CLI_EXIT_OK;

    if (resp->body_len == 0) {
        (void)fprintf(cmd->ctx->out, "Success! Data %s.\n", kind);
        return WARD_CLI_EXIT_OK;
    }
    if (cmd->json) {
        return fprintf(cmd->ctx->out, "%s", resp->body) < 0 ? WARD_CLI_EXIT_ERROR : rc;
    }
    root = json_loads(resp->body, 0, NULL);
    data = json_object_get(root, "data");
    if (json_object_get(data, "keys") != NULL) {
        rc = ward_cli_print_keys(cmd->ctx->out, data) == 0 ? rc : WARD_CLI_EXIT_ERROR;
    } else if (json_is_object(json_object_get(data, "data"))) {
        rc = ward_cli_print_object(cmd->ctx->out, json_object_get(data, "data"));
    } else if (json_is_object(data)) {
        rc = ward_cli_print_object(cmd->ctx->out, data);
    }
    json_decref(root);
    return rc;
}

/* A request to send: method, URL and JSON body (owned). */
struct kv_req {
    const char *method;
    char url[KV_URL_MAX];
    json_t *body;
    const char *done; /* "written", "deleted", ... for the table output */
};

static bool set_int(json_t *obj, const char *key, uint32_t v, bool when)
{
    return !when || json_object_set_new(obj, key, json_integer(v)) == 0;
}

/* meta_body: -max-versions and -cas-required as a metadata or config body. */
static json_t *meta_body(const struct kv_flags *f)
{
    json_t *b = json_object();

    if (f->cas_required != NULL) {
        (void)json_object_set_new(b, "cas_required",
                                  json_boolean(strcmp(f->cas_required, "true") == 0));
    }
    (void)set_int(b, "max_versions", f->max_versions, f->max_versions != UINT32_MAX);
    return b;
}

static json_t *gen_body(const struct kv_flags *f)
{
    static const char *const mins[4] = { "min_upper", "min_lower", "min_digit", "min_symbol" };
    json_t *b = json_pack("{s:i}", "length", (int)f->length);

    if (b != NULL && f->charset != NULL) {
        (void)json_object_set_new(b, "charset", json_string(f->charset));
    }
    if (b != NULL && f->field != NULL) {
        (void)json_object_set_new(b, "field", json_string(f->field));
    }
    for (size_t i = 0; i < 4 && b != NULL; i++) {
        (void)set_int(b, mins[i], f->min[i], f->min[i] != 0);
    }
    return b;
}

/* data_req: get, put, patch and delete (of the latest) on MOUNT/data/PATH. */
static const char *data_req(struct kv_req *r, const char *sub, const struct kv_flags *f,
                            char **args, int num_args)
{
    json_t *pairs;

    if (!make_url(r->url, sizeof(r->url), args[0], "data")) {
        return "PATH must be MOUNT/SECRET";
    }
    if (strcmp(sub, "get") == 0) {
        r->method = "GET";
        if (f->version != 0) {
            size_t n = strlen(r->url);

            (void)snprintf(r->url + n, sizeof(r->url) - n, "?version=%u", (unsigned)f->version);
        }
        return num_args == 1 ? NULL : "get takes one PATH";
    }
    if (strcmp(sub, "delete") == 0) {
        r->method = "DELETE";
        r->done = "deleted";
        return num_args == 1 ? NULL : "delete takes one PATH";
    }
    if ((pairs = pairs_json(args + 1, num_args - 1)) == NULL || num_args < 2) {
        json_decref(pairs);
        return "give the data as key=value pairs after PATH";
    }
    r->method = strcmp(sub, "put") == 0 ? "POST" : "PATCH";
    r->body = json_pack("{s:o}", "data", pairs);
    if (r->body != NULL && f->has_cas) {
        (void)json_object_set_new(r->body, "options", json_pack("{s:i}", "cas", (int)f->cas));
    }
    return NULL;
}

/* config_req: `kv config MOUNT` reads; with -max-versions or -cas-required, writes. */
static const char *config_req(struct kv_req *r, const struct kv_flags *f, const char *mount)
{
    bool write = f->max_versions != UINT32_MAX || f->cas_required != NULL;

    (void)snprintf(r->url, sizeof(r->url), "/v1/%s/config", mount);
    r->method = write ? "POST" : "GET";
    r->done = "written";
    r->body = write ? meta_body(f) : NULL;
    return strchr(mount, '/') == NULL ? NULL : "config takes the MOUNT";
}

/* tune_req: `kv tune MOUNT` reads sys/mounts/MOUNT/tune (Vault's KV version check). */
static const char *tune_req(struct kv_req *r, const char *mount)
{
    size_t n;

    r->method = "GET";
    (void)snprintf(r->url, sizeof(r->url), "/v1/sys/mounts/");
    if (mount[0] == '\0' || strchr(mount, '/') != NULL ||
        !encode_path(r->url, sizeof(r->url), mount)) {
        return "tune takes the MOUNT";
    }
    n = strlen(r->url);
    if (snprintf(r->url + n, sizeof(r->url) - n, "/tune") >= (int)(sizeof(r->url) - n)) {
        return "MOUNT is too long";
    }
    return NULL;
}

/* other_req: the subcommands on delete/, undelete/, destroy/, metadata/, config, generate/. */
static const char *other_req(struct kv_req *r, const char *sub, const struct kv_flags *f,
                             const char *path)
{
    bool versions =
        strcmp(sub, "delete") == 0 || strcmp(sub, "undelete") == 0 || strcmp(sub, "destroy") == 0;
    const char *kind = versions ? sub : strcmp(sub, "generate") == 0 ? "generate" : "metadata";

    r->method = "POST";
    r->done = "written";
    if (!make_url(r->url, sizeof(r->url), path, kind)) {
        return "PATH must be MOUNT/SECRET";
    }
    if (versions) {
        r->body = f->versions != NULL ? versions_json(f->versions) : NULL;
        return r->body != NULL ? NULL : "give -versions=1,2,...";
    }
    if (strcmp(sub, "generate") == 0) {
        r->body = gen_body(f);
    } else if (strcmp(sub, "list") == 0) {
        r->method = "LIST";
    } else if (strcmp(sub, "metadata get") == 0) {
        r->method = "GET";
    } else if (strcmp(sub, "metadata delete") == 0) {
        r->method = "DELETE";
        r->done = "deleted";
    } else {
        r->body = meta_body(f);
    }
    return NULL;
}

static int kv_run(struct ward_cli_cmd *cmd, const char *sub, const struct kv_flags *f)
{
    struct kv_req r = { .done = "written" };
    struct ward_client_resp resp = { 0 };
    char **args = cmd->parse.args;
    const char *why;
    ward_err err;
    int rc;

    if (cmd->parse.num_args < 1) {
        return ward_cli_usage_error(cmd, "PATH is required");
    }
    if ((strcmp(sub, "delete") == 0 && f->versions == NULL) || strcmp(sub, "get") == 0 ||
        strcmp(sub, "put") == 0 || strcmp(sub, "patch") == 0) {
        why = data_req(&r, sub, f, args, cmd->parse.num_args);
    } else {
        why = cmd->parse.num_args != 1     ? "too many arguments"
              : strcmp(sub, "config") == 0 ? config_req(&r, f, args[0])
              : strcmp(sub, "tune") == 0   ? tune_req(&r, args[0])
                                           : other_req(&r, sub, f, args[0]);
    }
    if (why != NULL) {
        json_decref(r.body);
        return ward_cli_usage_error(cmd, why);
    }
    err = ward_cli_request_json(cmd, &resp, r.method, r.url, r.body);
    rc = err == WARD_OK ? show(cmd, &resp, r.done) : ward_cli_cmd_fail(cmd, err);
    if (err != WARD_OK && resp.body_len > 0 && strcmp(sub, "get") == 0) {
        (void)fprintf(cmd->ctx->err, "%s", resp.body);
    }
    ward_client_resp_cleanup(&resp);
    json_decref(r.body);
    return rc;
}

static const char *const g_subs[] = { "get",     "put",  "patch",  "delete", "undelete",
                                      "destroy", "list", "config", "tune",   "generate" };
static const char *const g_meta_subs[] = { "metadata get", "metadata put", "metadata delete" };

/* sub_name finds argv's subcommand ("metadata get" takes two words); NULL if none. */
static const char *sub_name(int argc, char **argv, int *out_words)
{
    *out_words = 1;
    if (argc >= 3 && strcmp(argv[1], "metadata") == 0) {
        *out_words = 2;
        for (size_t i = 0; i < sizeof(g_meta_subs) / sizeof(g_meta_subs[0]); i++) {
            if (strcmp(g_meta_subs[i] + strlen("metadata "), argv[2]) == 0) {
                return g_meta_subs[i];
            }
        }
        return NULL;
    }
    for (size_t i = 0; i < sizeof(g_subs) / sizeof(g_subs[0]); i++) {
        if (strcmp(g_subs[i], argv[1]) == 0) {
            return g_subs[i];
        }
    }
    return NULL;
}

/* finish_flags turns the string flags into values; false if one is malformed. */
static bool finish_flags(struct kv_flags *f, const char *cas, const char *max)
{
    char *end = NULL;

    if (cas != NULL) {
        f->cas = (uint32_t)strtoul(cas, &end, 10);
        f->has_cas = end != cas && *end == '\0';
        if (!f->has_cas) {
            return false;
        }
    }
    if (max != NULL) {
        f->max_versions = (uint32_t)strtoul(max, &end, 10);
        if (end == max || *end != '\0') {
            return false;
        }
    }
    return f->cas_required == NULL || strcmp(f->cas_required, "true") == 0 ||
           strcmp(f->cas_required, "false") == 0;
}

int ward_cli_kv(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_kv_usage };
    struct kv_flags f = { .length = 32, .max_versions = UINT32_MAX };
    const char *cas = NULL;
    const char *max = NULL;
    struct ward_cli_flag flags[] = {
        WARD_CLI_COMMON_FLAGS(&cmd.common),
        { "version", WARD_CLI_FLAG_U32, &f.version },
        { "cas", WARD_CLI_FLAG_STR, &cas },
        { "versions", WARD_CLI_FLAG_STR, &f.versions },
        { "max-versions", WARD_CLI_FLAG_STR, &max },
        { "cas-required", WARD_CLI_FLAG_STR, &f.cas_required },
        { "length", WARD_CLI_FLAG_U32, &f.length },
        { "charset", WARD_CLI_FLAG_STR, &f.charset },
        { "min-upper", WARD_CLI_FLAG_U32, &f.min[0] },
        { "min-lower", WARD_CLI_FLAG_U32, &f.min[1] },
        { "min-digit", WARD_CLI_FLAG_U32, &f.min[2] },
        { "min-symbol", WARD_CLI_FLAG_U32, &f.min[3] },
        { "field", WARD_CLI_FLAG_STR, &f.field },
    };
    const char *sub;
    int words;
    int rc;

    if (argc < 2 || ward_cli_is_help(argv[1])) {
        (void)fputs(g_kv_usage, argc < 2 ? ctx->err : ctx->out);
        return argc < 2 ? WARD_CLI_EXIT_USAGE : WARD_CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "metadata") == 0 && (argc < 3 || ward_cli_is_help(argv[2]))) {
        (void)fputs(g_kv_usage, argc < 3 ? ctx->err : ctx->out);
        return argc < 3 ? WARD_CLI_EXIT_USAGE : WARD_CLI_EXIT_OK;
    }
    if ((sub = sub_name(argc, argv, &words)) == NULL) {
        (void)fprintf(ctx->err, "Error: unknown kv subcommand\n\n%s", g_kv_usage);
        return WARD_CLI_EXIT_USAGE;
    }
    argc -= words; /* argv[0] becomes the subcommand's last word */
    argv += words;
    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    /* flags first, then PATH and pairs: begin sees the flags only */
    if (ward_cli_parse_flags(&cmd.parse, argc, argv) != WARD_OK) {
        return ward_cli_usage_error(&cmd, cmd.parse.error);
    }
    if ((rc = ward_cli_cmd_begin(&cmd, argc - cmd.parse.num_args, argv)) != WARD_CLI_CONTINUE) {
        return rc;
    }
    /* begin parsed the flags alone; parse again for PATH and the pairs */
    if (ward_cli_parse_flags(&cmd.parse, argc, argv) != WARD_OK || !finish_flags(&f, cas, max)) {
        return ward_cli_cmd_end(&cmd, ward_cli_usage_error(&cmd, "malformed flag value"));
    }
    return ward_cli_cmd_end(&cmd, kv_run(&cmd, sub, &f));
}
