/*
 * server_config.c - the config file's keys, each mapped onto a field.
 *
 * Deny by default: an unknown section or key, a value out of range or of the
 * wrong form is an error naming the line, never a silent default.
 */
#include "server/server_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/mem.h"
#include "secrets/kv.h"

void server_config_defaults(struct server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    ward_front_config_defaults(&cfg->front);
    cfg->front.num_listeners = 1;
    (void)snprintf(cfg->front.listeners[0].addr, sizeof(cfg->front.listeners[0].addr), "%s",
                   "127.0.0.1");
    cfg->front.listeners[0].port = 8200;
    (void)snprintf(cfg->storage_spec, sizeof(cfg->storage_spec), "sqlite:ward.db");
    (void)snprintf(cfg->storage_type, sizeof(cfg->storage_type), "sqlite");
    (void)snprintf(cfg->cluster_name, sizeof(cfg->cluster_name), "ward");
    cfg->log_level = WARD_LOG_INFO;
}

ward_err server_parse_address(struct ward_front_listener *l, const char *text)
{
    const char *colon = strrchr(text, ':');
    const char *host = text;
    size_t host_len;
    char *end = NULL;
    unsigned long port;

    if (colon == NULL) {
        return WARD_E_INVALID;
    }
    host_len = (size_t)(colon - text);
    if (host_len >= 2 && text[0] == '[' && colon[-1] == ']') {
        host = text + 1;
        host_len -= 2;
    }
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    if (host_len == 0 || host_len >= sizeof(l->addr) || errno != 0 || end == colon + 1 ||
        *end != '\0' || port > 65535) {
        return WARD_E_INVALID;
    }
    memcpy(l->addr, host, host_len);
    l->addr[host_len] = '\0';
    l->port = (uint16_t)port;
    return WARD_OK;
}

static ward_err parse_u64(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end = NULL;
    unsigned long long n;

    errno = 0;
    n = strtoull(v, &end, 10);
    if (v[0] == '\0' || v[0] == '-' || errno != 0 || *end != '\0' || n < lo || n > hi) {
        return WARD_E_INVALID;
    }
    *out = n;
    return WARD_OK;
}

static ward_err parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0) {
        *out = true;
        return WARD_OK;
    }
    if (strcmp(v, "false") == 0) {
        *out = false;
        return WARD_OK;
    }
    return WARD_E_INVALID;
}

static ward_err copy_path(char *out, size_t cap, const char *v)
{
    int n = snprintf(out, cap, "%s", v);

    return n < 0 || (size_t)n >= cap ? WARD_E_TOO_LARGE : WARD_OK;
}

static ward_err listener_key(struct server_config *c, const char *key, const char *v)
{
    struct ward_front_config *f = &c->front;

    if (strcmp(key, "address") == 0) {
        return server_parse_address(&f->listeners[0], v);
    }
    if (strcmp(key, "tls_cert_file") == 0) {
        return copy_path(f->cert_file, sizeof(f->cert_file), v);
    }
    if (strcmp(key, "tls_key_file") == 0) {
        return copy_path(f->key_file, sizeof(f->key_file), v);
    }
    if (strcmp(key, "tls_client_ca_file") == 0) {
        return copy_path(f->client_ca_file, sizeof(f->client_ca_file), v);
    }
    if (strcmp(key, "tls_require_client_cert") == 0) {
        return parse_bool(v, &f->require_client_cert);
    }
    if (strcmp(key, "tls_request_client_cert") == 0) {
        return parse_bool(v, &f->request_client_cert);
    }
    return WARD_E_NOT_FOUND;
}

static ward_err storage_key(struct server_config *c, const char *key, const char *v)
{
    if (strcmp(key, "type") == 0) {
        if (strcmp(v, "sqlite") != 0 && strcmp(v, "memory") != 0) {
            return WARD_E_INVALID;
        }
        return copy_path(c->storage_type, sizeof(c->storage_type), v);
    }
    if (strcmp(key, "path") == 0) {
        int n = snprintf(c->storage_spec, sizeof(c->storage_spec), "sqlite:%s", v);

        return n < 0 || (size_t)n >= sizeof(c->storage_spec) || v[0] == '\0' ? WARD_E_INVALID
                                                                             : WARD_OK;
    }
    if (strcmp(key, "disable_cache") == 0) {
        return parse_bool(v, &c->storage_disable_cache);
    }
    return WARD_E_NOT_FOUND;
}

/* A limits key: name, where it goes, bounds. */
struct limit_row {
    const char *key;
    size_t offset; /* into struct ward_front_limits */
    bool is_ms;    /* int64_t milliseconds, else size_t */
    uint64_t lo;
    uint64_t hi;
};

static const struct limit_row g_limits[] = {
    { "max_request_bytes", offsetof(struct ward_front_limits, max_body_bytes), false, 1024,
      64u << 20 },
    { "max_header_bytes", offsetof(struct ward_front_limits, max_header_bytes), false, 1024,
      1u << 20 },
    { "max_headers", offsetof(struct ward_front_limits, max_headers), false, 8, 10000 },
    { "max_connections", offsetof(struct ward_front_limits, max_connections), false, 1, 1000000 },
    { "header_timeout_ms", offsetof(struct ward_front_limits, header_timeout_ms), true, 100,
      600000 },
    { "body_timeout_ms", offsetof(struct ward_front_limits, body_timeout_ms), true, 100, 600000 },
    { "idle_timeout_ms", offsetof(struct ward_front_limits, idle_timeout_ms), true, 100, 3600000 },
    { "drain_timeout_ms", offsetof(struct ward_front_limits, drain_timeout_ms), true, 0, 600000 },
};

static ward_err limits_key(struct server_config *c, const char *key, const char *v)
{
    uint8_t *base = (uint8_t *)&c->front.limits;
    uint64_t n = 0;
    ward_err err;

    for (size_t i = 0; i < sizeof(g_limits) / sizeof(g_limits[0]); i++) {
        const struct limit_row *r = &g_limits[i];

        if (strcmp(key, r->key) != 0) {
            continue;
        }
        if ((err = parse_u64(v, r->lo, r->hi, &n)) != WARD_OK) {
            return err;
        }
        if (r->is_ms) {
            int64_t ms = (int64_t)n;

            memcpy(base + r->offset, &ms, sizeof(ms));
        } else {
            size_t sz = (size_t)n;

            memcpy(base + r->offset, &sz, sizeof(sz));
        }
        return WARD_OK;
    }
    return WARD_E_NOT_FOUND;
}

static ward_err kv_key(struct server_config *c, const char *key, const char *v)
{
    uint64_t n = 0;
    ward_err err;

    if (strcmp(key, "max_value_bytes") == 0) {
        if ((err = parse_u64(v, 1024, WARD_KV_MAX_VALUE, &n)) == WARD_OK) {
            c->kv_max_value_bytes = (size_t)n;
        }
        return err;
    }
    return WARD_E_NOT_FOUND;
}

static ward_err audit_key(struct server_config *c, const char *key, const char *v)
{
    if (strcmp(key, "spool_dir") == 0) {
        return v[0] == '/' ? copy_path(c->audit_spool_dir, sizeof(c->audit_spool_dir), v)
                           : WARD_E_INVALID;
    }
    if (strcmp(key, "node") == 0) {
        return v[0] != '\0' ? copy_path(c->audit_node, sizeof(c->audit_node), v) : WARD_E_INVALID;
    }
    return WARD_E_NOT_FOUND;
}

/* parse_duration_ms reads "90", "90s", "500ms", "15m" or "2h" (no unit: seconds), at most a day. */
static ward_err parse_duration_ms(const char *v, int64_t *out)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = { { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };

    size_t digits = strspn(v, "0123456789");
    uint64_t n = 0;
    char num[16];

    if (digits == 0 || digits >= sizeof(num)) {
        return WARD_E_INVALID;
    }
    memcpy(num, v, digits);
    num[digits] = '\0';
    if (parse_u64(num, 1, 86400000, &n) != WARD_OK) {
        return WARD_E_INVALID;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(v + digits, units[i].unit) == 0) {
            *out = (int64_t)n * units[i].ms;
            return *out <= 86400000 ? WARD_OK : WARD_E_INVALID;
        }
    }
    return WARD_E_INVALID;
}

/* lockout_key: Vault's user_lockout stanza, plus Ward's per-address source_threshold. */
static ward_err lockout_key(struct server_config *c, const char *key, const char *v)
{
    struct ward_lockout_config *l = &c->user_lockout;
    uint64_t n = 0;
    ward_err err;

    if (strcmp(key, "lockout_threshold") == 0 || strcmp(key, "source_threshold") == 0) {
        if ((err = parse_u64(v, 1, 1000000, &n)) == WARD_OK) {
            *(key[0] == 'l' ? &l->threshold : &l->source_threshold) = (uint32_t)n;
        }
        return err;
    }
    if (strcmp(key, "lockout_duration") == 0) {
        return parse_duration_ms(v, &l->duration_ms);
    }
    if (strcmp(key, "lockout_counter_reset") == 0) {
        return parse_duration_ms(v, &l->counter_reset_ms);
    }
    if (strcmp(key, "disable_lockout") == 0) {
        return parse_bool(v, &l->disable);
    }
    return WARD_E_NOT_FOUND;
}

static ward_err server_key(struct server_config *c, const char *key, const char *v)
{
    uint64_t n = 0;
    ward_err err;

    if (strcmp(key, "workers") == 0) {
        if ((err = parse_u64(v, 0, 256, &n)) == WARD_OK) {
            c->front.workers = (unsigned)n;
        }
        return err;
    }
    if (strcmp(key, "cluster_name") == 0) {
        return copy_path(c->cluster_name, sizeof(c->cluster_name), v);
    }
    if (strcmp(key, "log_level") == 0) {
        static const char *const names[] = { "debug", "info", "warn", "error" };

        for (int i = 0; i < 4; i++) {
            if (strcmp(v, names[i]) == 0) {
                c->log_level = (enum ward_log_level)i;
                return WARD_OK;
            }
        }
        return WARD_E_INVALID;
    }
    return WARD_E_NOT_FOUND;
}

static ward_err on_entry(void *ctx, const char *section, const char *key, const char *value)
{
    struct server_config *c = ctx;

    if (strcmp(section, "server") == 0) {
        return server_key(c, key, value);
    }
    if (strcmp(section, "listener") == 0) {
        return listener_key(c, key, value);
    }
    if (strcmp(section, "storage") == 0) {
        return storage_key(c, key, value);
    }
    if (strcmp(section, "limits") == 0) {
        return limits_key(c, key, value);
    }
    if (strcmp(section, "kv") == 0) {
        return kv_key(c, key, value);
    }
    if (strcmp(section, "audit") == 0) {
        return audit_key(c, key, value);
    }
    if (strcmp(section, "user_lockout") == 0) {
        return lockout_key(c, key, value);
    }
    return WARD_E_NOT_FOUND;
}

ward_err server_config_parse_text(struct server_config *cfg, const char *text, size_t len,
                                  char *why, size_t why_cap)
{
    size_t line = 0;
    ward_err err = ward_conf_parse(text, len, on_entry, cfg, &line);

    why[0] = '\0';
    if (err == WARD_E_NOT_FOUND) {
        (void)snprintf(why, why_cap, "line %zu: unknown section or key", line);
        return WARD_E_INVALID;
    }
    if (err != WARD_OK) {
        (void)snprintf(why, why_cap, "line %zu: %s", line, ward_err_str(err));
        return err;
    }
    if (strcmp(cfg->storage_type, "memory") == 0) {
        (void)snprintf(cfg->storage_spec, sizeof(cfg->storage_spec), "memory:");
    }
    /* a set value limit the front's body limit would undercut is a mistake: say so now */
    if (cfg->kv_max_value_bytes > cfg->front.limits.max_body_bytes) {
        (void)snprintf(why, why_cap,
                       "[kv] max_value_bytes (%zu) is larger than [limits] max_request_bytes (%zu)",
                       cfg->kv_max_value_bytes, cfg->front.limits.max_body_bytes);
        return WARD_E_INVALID;
    }
    return WARD_OK;
}

ward_err server_config_load(struct server_config *cfg, const char *path, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len;
    ward_err err = WARD_E_INTERNAL;

    why[0] = '\0';
    if (f == NULL) {
        (void)snprintf(why, why_cap, "cannot open %s", path);
        return WARD_E_NOT_FOUND;
    }
    if ((text = ward_alloc(WARD_CONF_MAX_SIZE + 1)) == NULL) {
        err = WARD_E_NOMEM;
        goto out;
    }
    len = fread(text, 1, WARD_CONF_MAX_SIZE + 1, f);
    if (ferror(f) || len > WARD_CONF_MAX_SIZE) {
        (void)snprintf(why, why_cap, "cannot read %s (or larger than 1 MiB)", path);
        err = WARD_E_TOO_LARGE;
        goto out;
    }
    err = server_config_parse_text(cfg, text, len, why, why_cap);
out:
    ward_free(text);
    (void)fclose(f);
    return err;
}
