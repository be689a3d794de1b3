/*
 * sys_mounts.c - sys/mounts/secret/tune: the tuning of Ward's one KV v2
 * mount, in Vault's shape.
 *
 * Keeper-side. Vault clients read it before using a KV mount, to learn its
 * version: MariaDB's hashicorp_key_management plugin refuses to start unless
 * options.version is 2 or more, and the Vault CLI's kv commands ask the same.
 * Ward's mounts are fixed (secret/ is KV v2; there is nothing to tune), so
 * the answer is constant: Vault's defaults of a fresh `kv-v2` mount. Like
 * Vault, the fields appear both at the top level and under "data" (Vault's
 * envelope, kv_reply), and other mount paths are 404 (no such row).
 */
#include "kv_int.h"

#define TUNE_LEASE_TTL_S 2764800 /* Vault's default and max lease TTL: 32 days */

/* tune_json returns the fields of the tuning of a KV v2 mount. */
static json_t *tune_json(void)
{
    return json_pack("{s:s, s:i, s:i, s:b, s:{s:s}}", "description", "key/value secret storage",
                     "default_lease_ttl", TUNE_LEASE_TTL_S, "max_lease_ttl", TUNE_LEASE_TTL_S,
                     "force_no_cache", 0, "options", "version", "2");
}

void op_mount_tune_read(struct op_ctx *c)
{
    json_t *top = tune_json();

    kv_reply(c, tune_json());
    if (c->data == NULL || top == NULL || json_object_update_missing(c->data, top) != 0) {
        op_fail(c, WARD_E_NOMEM, NULL);
    }
    json_decref(top);
}
