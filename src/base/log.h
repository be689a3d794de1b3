/*
 * log.h - structured log lines on stderr: "time level msg key=value ...".
 *
 * SECURITY: callers pass only non-secret values; struct ward_secret has no
 * printable form, which keeps keys and shares out by construction.
 */
#ifndef WARD_BASE_LOG_H
#define WARD_BASE_LOG_H

#include <stdint.h>

enum ward_log_level {
    WARD_LOG_DEBUG,
    WARD_LOG_INFO,
    WARD_LOG_WARN,
    WARD_LOG_ERROR,
};

/* ward_log_set_level sets the lowest level written (before threads start). */
void ward_log_set_level(enum ward_log_level level);

/*
 * ward_log_buffer_begin makes this thread's lines wait in a thread-local
 * buffer until ward_log_flush (or until it fills). For event loops, which
 * flush before they wait.
 */
void ward_log_buffer_begin(void);

/* ward_log_flush writes this thread's buffered lines. */
void ward_log_flush(void);

/* ward_log writes one line; fmt is printf-style. Thread-safe. */
void ward_log(enum ward_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ward_time_now_ms is wall-clock milliseconds since the Unix epoch. */
int64_t ward_time_now_ms(void);

/* ward_time_mono_ms is monotonic milliseconds (for timeouts and expiry). */
int64_t ward_time_mono_ms(void);

#endif
