/*
 * server_config.h - `ward server`'s configuration: the config file's sections
 * and keys (docs/config.md), mapped onto the front, storage and log settings.
 */
#ifndef WARD_CLI_SERVER_CONFIG_H
#define WARD_CLI_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/lockout.h"
#include "base/err.h"
#include "base/log.h"
#include "front/front.h"

struct server_config {
    struct ward_front_config front;
    char storage_spec[600]; /* "sqlite:<path>" or "memory:" */
    char storage_type[16];
    bool storage_disable_cache; /* [storage] disable_cache: no read cache over the backend */
    char cluster_name[64];
    enum ward_log_level log_level;
    bool disable_mlock_warning;
    size_t kv_max_value_bytes; /* [kv] max_value_bytes; 0 (unset) = WARD_KV_DEFAULT_MAX_VALUE */
    char audit_spool_dir[512]; /* [audit] spool_dir; "" = the SQLite file's directory */
    char audit_node[64];       /* [audit] node; "" = the host name */
    struct ward_lockout_config user_lockout; /* [user_lockout]; zeros = Vault's defaults */
};

/* server_config_defaults: one listener on 127.0.0.1:8200, sqlite at ./ward.db. */
void server_config_defaults(struct server_config *cfg);

/*
 * server_config_load parses the file at path into cfg (on top of the
 * defaults). On error, why (why_cap bytes) says which line and what.
 */
WARD_MUST_CHECK ward_err server_config_load(struct server_config *cfg, const char *path, char *why,
                                            size_t why_cap);

/* server_config_parse_text is server_config_load on text already read (fuzzed). */
WARD_MUST_CHECK ward_err server_config_parse_text(struct server_config *cfg, const char *text,
                                                  size_t len, char *why, size_t why_cap);

/* server_parse_address splits "ip:port" ("[::1]:8200" for IPv6) into l. */
WARD_MUST_CHECK ward_err server_parse_address(struct ward_front_listener *l, const char *text);

#endif
