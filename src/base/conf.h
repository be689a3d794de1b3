/*
 * conf.h - the config file format: INI-style sections of "key = value".
 *
 *   # comment            ; comment
 *   [section]
 *   key = value          (value runs to the end of the line, trimmed)
 *
 * Keys and sections are [a-z0-9_]; a line may not exceed WARD_CONF_MAX_LINE;
 * a NUL byte, a key outside a section or a malformed line is an error that
 * names the line. The parser hands each entry to a callback, which refuses
 * unknown keys (deny by default: a typo is an error, not a silent default).
 */
#ifndef WARD_BASE_CONF_H
#define WARD_BASE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define WARD_CONF_MAX_LINE 1024
#define WARD_CONF_MAX_SIZE (1u << 20)

/* Called once per entry; returns WARD_OK or an error that stops the parse. */
typedef ward_err (*ward_conf_entry_fn)(void *ctx, const char *section, const char *key,
                                       const char *value);

/*
 * ward_conf_parse parses in_len bytes of text. On error, *out_line is the
 * 1-based line at fault (0 if none).
 */
WARD_MUST_CHECK ward_err ward_conf_parse(const char *in, size_t in_len, ward_conf_entry_fn fn,
                                         void *ctx, size_t *out_line);

#endif
