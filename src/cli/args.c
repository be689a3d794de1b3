/*
 * args.c - `ward` flag parsing (Vault's style) and the environment fallback
 * of the connection settings. Pure functions of their inputs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

static const struct ward_cli_flag *find_flag(const struct ward_cli_parse *p, const char *name,
                                             size_t name_len)
{
    for (size_t i = 0; i < p->num_flags; i++) {
        if (strlen(p->flags[i].name) == name_len &&
            strncmp(p->flags[i].name, name, name_len) == 0) {
            return &p->flags[i];
        }
    }
    return NULL;
}

static ward_err parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9') {
        return WARD_E_INVALID;
    }
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return WARD_E_INVALID;
    }
    *out = (uint32_t)v;
    return WARD_OK;
}

static ward_err parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = true;
    } else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = false;
    } else {
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

static ward_err set_value(struct ward_cli_parse *p, const struct ward_cli_flag *f,
                          const char *value)
{
    ward_err err = WARD_OK;

    switch (f->type) {
    case WARD_CLI_FLAG_BOOL:
        err = parse_bool(value, f->dst);
        break;
    case WARD_CLI_FLAG_U32:
        err = parse_u32(value, f->dst);
        break;
    case WARD_CLI_FLAG_STR:
        *(const char **)f->dst = value;
        break;
    }
    if (err != WARD_OK) {
        (void)snprintf(p->error, sizeof(p->error), "invalid value \"%s\" for flag -%s", value,
                       f->name);
    }
    return err;
}

/* parse_one handles argv[*i], a flag; it may consume argv[*i + 1] as its value. */
static ward_err parse_one(struct ward_cli_parse *p, int argc, char **argv, int *i)
{
    const char *name = argv[*i] + (argv[*i][1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct ward_cli_flag *f = NULL;

    if ((name_len == 1 && name[0] == 'h') || (name_len == 4 && strncmp(name, "help", 4) == 0)) {
        p->help = true;
        return WARD_OK;
    }
    if ((f = find_flag(p, name, name_len)) == NULL) {
        (void)snprintf(p->error, sizeof(p->error), "flag provided but not defined: -%.*s",
                       (int)(name_len < 64 ? name_len : 64), name);
        return WARD_E_INVALID;
    }
    if (eq != NULL) {
        return set_value(p, f, eq + 1);
    }
    if (f->type == WARD_CLI_FLAG_BOOL) {
        *(bool *)f->dst = true;
        return WARD_OK;
    }
    if (*i + 1 >= argc) {
        (void)snprintf(p->error, sizeof(p->error), "flag needs an argument: -%s", f->name);
        return WARD_E_INVALID;
    }
    (*i)++;
    return set_value(p, f, argv[*i]);
}

ward_err ward_cli_parse_flags(struct ward_cli_parse *p, int argc, char **argv)
{
    int i = 1;
    ward_err err;

    p->help = false;
    p->error[0] = '\0';
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (argv[i][0] != '-' || argv[i][1] == '\0') {
            break;
        }
        if ((err = parse_one(p, argc, argv, &i)) != WARD_OK) {
            return err;
        }
    }
    p->num_args = argc - i;
    p->args = argv + i;
    return WARD_OK;
}

static const char *pick(const char *flag, ward_cli_getenv_fn *getenv_fn, const char *ward_name,
                        const char *vault_name)
{
    const char *v = flag;

    if (v == NULL || v[0] == '\0') {
        v = getenv_fn(ward_name);
    }
    if (v == NULL || v[0] == '\0') {
        v = getenv_fn(vault_name);
    }
    return v != NULL && v[0] != '\0' ? v : NULL;
}

void ward_cli_resolve(struct ward_client_opts *out, const struct ward_cli_common *common,
                      ward_cli_getenv_fn *getenv_fn)
{
    memset(out, 0, sizeof(*out));
    out->addr = pick(common->address, getenv_fn, "WARD_ADDR", "VAULT_ADDR");
    out->cacert = pick(common->ca_cert, getenv_fn, "WARD_CACERT", "VAULT_CACERT");
    out->token = pick(NULL, getenv_fn, "WARD_TOKEN", "VAULT_TOKEN");
    out->retries = 2;
}

bool ward_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "-help") == 0 || strcmp(arg, "--help") == 0;
}
