/*
 * audit.c - `ward audit enable|list|disable|hash|head|verify`: Vault's
 * sys/audit commands, and Ward's verifier of an audit file.
 *
 *   ward audit enable [-path=P] [-description=D] TYPE [option=value ...]
 *   ward audit list
 *   ward audit disable PATH
 *   ward audit hash PATH            (the value to hash from stdin)
 *   ward audit head PATH
 *   ward audit verify [-key-file=K] [-head=SEQ:HASH] [-device=PATH] FILE
 *
 * verify reads FILE whole and checks it (src/audit/verify.c). The MAC key
 * comes from -key-file (64 hex digits, as sys/audit-key gives it) or, with
 * -device, from the server (sys/audit-key/PATH for the file's own start
 * value); the anchor for a cut tail from -head or, with -device, from
 * sys/audit-head/PATH when the file is the device's current one. Exit 0
 * intact, 1 tampered (the first bad seq and why), 2 usage or nothing to
 * verify with (unreadable file, server error).
 *
 * SECURITY: the value to hash comes from stdin, never argv; the file key is
 * kept in a wiped buffer.
 */
#include "audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli_int.h"

#define AUDIT_FILE_MAX (1u << 30)
#define AUDIT_URL_MAX  256

static const char g_audit_usage[] =
    "Usage: ward audit <subcommand> [options] [args]\n\n"
    "Subcommands:\n"
    "  enable      Enable a device: TYPE (file, syslog, socket) and option=value pairs\n"
    "              (file_path=..., facility=... tag=..., address=host:port spool_path=...)\n"
    "  list        List the enabled devices\n"
    "  disable     Disable the device at PATH (it writes a close record)\n"
    "  hash        HMAC a value (from stdin) as the device's records show identifiers\n"
    "  head        Print the device's head: the seq and hash of its last record\n"
    "  verify      Check an audit file: chain, MACs, and with a head, a cut tail\n\n"
    "Options:\n"
    "  -path=<name>        enable: the device's path (default: TYPE)\n"
    "  -description=<text> enable: a description\n"
    "  -key-file=<file>    verify: the file key (64 hex digits)\n"
    "  -head=<seq>:<hash>  verify: the head to anchor the tail to\n"
    "  -device=<path>      verify: fetch the key and the head from the server\n" WARD_CLI_COMMON_HELP
    "\nExit codes of verify: 0 intact, 1 tampered, 2 usage or could not verify.\n\n"
    "Example:\n  $ ward audit enable file file_path=/var/log/ward/audit.log\n"
    "  $ ward audit verify -device=file /var/log/ward/audit.log\n";

struct audit_flags {
    const char *path;
    const char *description;
    const char *key_file;
    const char *head;
    const char *device;
};

/* show prints a 2xx answer: its JSON, or its data as a table. */
static int show(struct ward_cli_cmd *cmd, const struct ward_client_resp *resp, const char *done)
{
    json_t *root;
    int rc;

    if (resp->body_len == 0) {
        (void)fprintf(cmd->ctx->out, "Success! %s\n", done);
        return WARD_CLI_EXIT_OK;
    }
    if (cmd->json) {
        return fprintf(cmd->ctx->out, "%s", resp->body) < 0 ? WARD_CLI_EXIT_ERROR
                                                            : WARD_CLI_EXIT_OK;
    }
    root = json_loads(resp->body, 0, NULL);
    rc = ward_cli_print_object(cmd->ctx->out, json_object_get(root, "data"));
    json_decref(root);
    return rc;
}

static int call(struct ward_cli_cmd *cmd, const char *method, const char *url, json_t *body,
                const char *done)
{
    struct ward_client_resp resp = { 0 };
    ward_err err = ward_cli_request_json(cmd, &resp, method, url, body);
    int rc = err == WARD_OK ? show(cmd, &resp, done) : ward_cli_cmd_fail(cmd, err);

    ward_client_resp_cleanup(&resp);
    json_decref(body);
    return rc;
}

/* enable_body: {type, description, options: {k: v}} from TYPE and the pairs. */
static json_t *enable_body(const struct audit_flags *f, char **args, int num)
{
    json_t *opts = json_object();
    json_t *body;

    for (int i = 1; i < num && opts != NULL; i++) {
        const char *eq = strchr(args[i], '=');
        char key[64];

        if (eq == NULL || eq == args[i] || (size_t)(eq - args[i]) >= sizeof(key)) {
            json_decref(opts);
            return NULL;
        }
        (void)snprintf(key, sizeof(key), "%.*s", (int)(eq - args[i]), args[i]);
        (void)json_object_set_new(opts, key, json_string(eq + 1));
    }
    body = json_pack("{s:s, s:s, s:o}", "type", args[0], "description",
                     f->description != NULL ? f->description : "", "options", opts);
    return body;
}

/* one_path builds URL prefix + the one PATH argument; NULL when args are wrong. */
static const char *one_path(struct ward_cli_cmd *cmd, char *url, size_t cap, const char *prefix)
{
    const char *p = cmd->parse.num_args == 1 ? cmd->parse.args[0] : NULL;

    if (p == NULL || p[0] == '\0' ||
        strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789-_.") != strlen(p)) {
        return "give one device PATH (letters, digits, '-', '_', '.')";
    }
    return snprintf(url, cap, "%s%s", prefix, p) < (int)cap ? NULL : "PATH is too long";
}

static int run_hash(struct ward_cli_cmd *cmd, const char *url)
{
    struct ward_buf in;
    json_t *body;

    ward_buf_init(&in, 1u << 20);
    if (ward_cli_read_all(&in, cmd->ctx->in_fd, NULL) != WARD_OK) {
        ward_buf_cleanup(&in);
        return ward_cli_usage_error(cmd, "cannot read the value from stdin");
    }
    while (in.len > 0 && (in.data[in.len - 1] == '\n' || in.data[in.len - 1] == '\r')) {
        in.len--;
    }
    body = json_pack("{s:s%}", "input", in.len > 0 ? (const char *)in.data : "", in.len);
    ward_buf_cleanup(&in);
    return call(cmd, "POST", url, body, "");
}

/* fetch_data GETs or POSTs url and returns the answer's data (owned), or NULL. */
static json_t *fetch_data(struct ward_cli_cmd *cmd, const char *method, const char *url,
                          json_t *body)
{
    struct ward_client_resp resp = { 0 };
    ward_err err = ward_cli_request_json(cmd, &resp, method, url, body);
    json_t *root = err == WARD_OK ? json_loads(resp.body, 0, NULL) : NULL;
    json_t *data = json_incref(json_object_get(root, "data"));

    if (err != WARD_OK) {
        (void)ward_cli_cmd_fail(cmd, err);
    }
    ward_client_resp_cleanup(&resp);
    json_decref(root);
    json_decref(body);
    return data;
}

/* hex_field reads data's member name as 64 hex digits into out. */
static bool hex_field(uint8_t out[32], const json_t *data, const char *name)
{
    const char *s = json_string_value(json_object_get(data, name));

    return s != NULL && ward_audit_unhex(out, 32, s, strlen(s)) == WARD_OK;
}

struct verify_in {
    uint8_t key[WARD_AUDIT_KEY_LEN];
    bool have_key;
    struct ward_audit_head head;
    bool have_head;
};

/* from_server fills the key (for the file's start) and, for the current file, the head. */
static bool from_server(struct ward_cli_cmd *cmd, struct verify_in *v, const char *device,
                        const uint8_t start[32])
{
    char url[AUDIT_URL_MAX];
    char hex[WARD_AUDIT_HEX_LEN + 1];
    uint8_t hstart[32];
    json_t *data;
    bool ok;

    ward_audit_hex(hex, start, 32);
    (void)snprintf(url, sizeof(url), "/v1/sys/audit-key/%s", device);
    data = fetch_data(cmd, "POST", url, json_pack("{s:s}", "start", hex));
    v->have_key = data != NULL && hex_field(v->key, data, "key");
    json_decref(data); /* the allocator wipes the key's text */
    (void)snprintf(url, sizeof(url), "/v1/sys/audit-head/%s", device);
    data = fetch_data(cmd, "GET", url, NULL);
    ok = data != NULL && hex_field(hstart, data, "start") &&
         hex_field(v->head.hash, data, "hash") && json_is_integer(json_object_get(data, "seq"));
    if (ok && memcmp(hstart, start, 32) == 0) {
        v->head.seq = (uint64_t)json_integer_value(json_object_get(data, "seq"));
        v->have_head = true;
    } else if (ok) {
        (void)fprintf(cmd->ctx->err, "note: the file is not the device's current one (another "
                                     "start value): its tail cannot be anchored\n");
    }
    json_decref(data);
    return v->have_key && ok;
}

/* local_inputs reads -key-file and -head. */
static const char *local_inputs(struct verify_in *v, const struct audit_flags *f)
{
    struct ward_buf kb;
    const char *colon;
    char *end = NULL;

    if (f->key_file != NULL) {
        ward_buf_init(&kb, 256);
        if (ward_cli_read_all(&kb, -1, f->key_file) != WARD_OK) {
            ward_buf_cleanup(&kb);
            return "cannot read -key-file";
        }
        while (kb.len > 0 && (kb.data[kb.len - 1] == '\n' || kb.data[kb.len - 1] == ' ')) {
            kb.len--;
        }
        v->have_key =
            ward_audit_unhex(v->key, sizeof(v->key), (const char *)kb.data, kb.len) == WARD_OK;
        ward_buf_cleanup(&kb);
        if (!v->have_key) {
            return "-key-file must hold 64 lowercase hex digits";
        }
    }
    if (f->head != NULL) {
        colon = strchr(f->head, ':');
        v->head.seq = strtoull(f->head, &end, 10);
        if (colon == NULL || end != colon ||
            ward_audit_unhex(v->head.hash, 32, colon + 1, strlen(colon + 1)) != WARD_OK) {
            return "-head must be SEQ:HASH (64 hex digits)";
        }
        v->have_head = true;
    }
    return NULL;
}

static int verify_report(struct ward_cli_cmd *cmd, const struct ward_audit_verdict *r)
{
    if (!r->intact) {
        (void)fprintf(cmd->ctx->out, "TAMPERED: line %zu, seq %llu: %s\n", r->bad_line,
                      (unsigned long long)r->bad_seq, r->why);
        return WARD_CLI_EXIT_ERROR;
    }
    (void)fprintf(cmd->ctx->out, "intact: %llu records (%llu with a MAC), last seq %llu; %s\n",
                  (unsigned long long)r->records, (unsigned long long)r->keyed,
                  (unsigned long long)r->last_seq, r->why);
    return WARD_CLI_EXIT_OK;
}

static int run_verify(struct ward_cli_cmd *cmd, const struct audit_flags *f)
{
    struct verify_in v;
    struct ward_audit_verdict r;
    struct ward_buf file;
    uint8_t start[32];
    const char *why;
    int rc = WARD_CLI_EXIT_USAGE;

    memset(&v, 0, sizeof(v));
    if (cmd->parse.num_args != 1) {
        return ward_cli_usage_error(cmd, "give one FILE");
    }
    if ((why = local_inputs(&v, f)) != NULL) {
        return ward_cli_usage_error(cmd, why);
    }
    ward_buf_init(&file, AUDIT_FILE_MAX);
    if (ward_cli_read_all(&file, -1, cmd->parse.args[0]) != WARD_OK) {
        (void)fprintf(cmd->ctx->err, "Error: cannot read %s\n", cmd->parse.args[0]);
        goto out;
    }
    if (f->device != NULL && !v.have_key) {
        if (ward_audit_file_start(start, file.data, file.len) != WARD_OK) {
            (void)fprintf(cmd->ctx->out, "TAMPERED: line 1, seq 0: the first line is not a "
                                         "header\n");
            rc = WARD_CLI_EXIT_ERROR;
            goto out;
        }
        if (!from_server(cmd, &v, f->device, start)) {
            goto out;
        }
        /* read again: the head is newer than the first read (its own request is in it) */
        ward_buf_reset(&file);
        if (ward_cli_read_all(&file, -1, cmd->parse.args[0]) != WARD_OK) {
            (void)fprintf(cmd->ctx->err, "Error: cannot read %s\n", cmd->parse.args[0]);
            goto out;
        }
    }
    if (!v.have_key) {
        (void)ward_cli_usage_error(cmd, "give -key-file or -device (the MACs need the file key)");
        goto out;
    }
    if (ward_audit_verify(&r, file.data, file.len, v.key, v.have_head ? &v.head : NULL) ==
        WARD_OK) {
        rc = verify_report(cmd, &r);
    }
out:
    OPENSSL_cleanse(&v, sizeof(v));
    ward_buf_cleanup(&file);
    return rc;
}

static int audit_run(struct ward_cli_cmd *cmd, const char *sub, const struct audit_flags *f)
{
    char url[AUDIT_URL_MAX];
    const char *why = NULL;

    if (strcmp(sub, "verify") == 0) {
        return run_verify(cmd, f);
    }
    if (strcmp(sub, "list") == 0) {
        return cmd->parse.num_args == 0 ? call(cmd, "GET", "/v1/sys/audit", NULL, "")
                                        : ward_cli_usage_error(cmd, "list takes no argument");
    }
    if (strcmp(sub, "enable") == 0) {
        json_t *body;

        if (cmd->parse.num_args < 1) {
            return ward_cli_usage_error(cmd, "give the TYPE");
        }
        (void)snprintf(url, sizeof(url), "/v1/sys/audit/%.64s",
                       f->path != NULL ? f->path : cmd->parse.args[0]);
        if ((body = enable_body(f, cmd->parse.args, cmd->parse.num_args)) == NULL) {
            return ward_cli_usage_error(cmd, "options are option=value pairs");
        }
        return call(cmd, "PUT", url, body, "Enabled the audit device.");
    }
    why = one_path(cmd, url, sizeof(url),
                   strcmp(sub, "disable") == 0 ? "/v1/sys/audit/"
                   : strcmp(sub, "hash") == 0  ? "/v1/sys/audit-hash/"
                                               : "/v1/sys/audit-head/");
    if (why != NULL) {
        return ward_cli_usage_error(cmd, why);
    }
    if (strcmp(sub, "disable") == 0) {
        return call(cmd, "DELETE", url, NULL, "Disabled the audit device.");
    }
    return strcmp(sub, "hash") == 0 ? run_hash(cmd, url) : call(cmd, "GET", url, NULL, "");
}

static const char *const g_subs[] = { "enable", "list", "disable", "hash", "head", "verify", NULL };

static int run_sub(struct ward_cli_cmd *cmd, const char *sub, void *arg)
{
    return audit_run(cmd, sub, arg);
}

int ward_cli_audit(struct ward_cli_ctx *ctx, int argc, char **argv)
{
    struct audit_flags f = { 0 };
    struct ward_cli_cmd cmd = { .ctx = ctx, .usage = g_audit_usage };
    const struct ward_cli_flag flags[] = {
        WARD_CLI_COMMON_FLAGS(&cmd.common),
        { "path", WARD_CLI_FLAG_STR, &f.path },
        { "description", WARD_CLI_FLAG_STR, &f.description },
        { "key-file", WARD_CLI_FLAG_STR, &f.key_file },
        { "head", WARD_CLI_FLAG_STR, &f.head },
        { "device", WARD_CLI_FLAG_STR, &f.device },
    };

    cmd.parse.flags = flags;
    cmd.parse.num_flags = sizeof(flags) / sizeof(flags[0]);
    return ward_cli_run_sub(&cmd, argc, argv, g_subs, run_sub, &f);
}
