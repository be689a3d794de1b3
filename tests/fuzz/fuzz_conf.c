/*
 * fuzz_conf.c - the config file parser and its key mapping
 * (src/base/conf.c, src/server/server_config.c). Property: no crash; a parse
 * that succeeds leaves NUL-terminated paths.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "server/server_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server_config cfg;
    char why[256];

    server_config_defaults(&cfg);
    if (server_config_parse_text(&cfg, (const char *)data, size, why, sizeof(why)) == WARD_OK) {
        if (memchr(cfg.front.cert_file, '\0', sizeof(cfg.front.cert_file)) == NULL ||
            memchr(cfg.storage_spec, '\0', sizeof(cfg.storage_spec)) == NULL) {
            abort();
        }
    }
    return 0;
}
