/*
 * log.c - log lines and clocks.
 *
 * THREADS: g_level is set once before threads start. Each line is formatted
 * into a local buffer and written with one write(2), so lines never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum ward_log_level g_level = WARD_LOG_INFO;

static const char *const g_names[] = { "debug", "info", "warn", "error" };

void ward_log_set_level(enum ward_log_level level)
{
    g_level = level;
}

void ward_log(enum ward_log_level level, const char *fmt, ...)
{
    char line[1024];
    struct tm tm;
    time_t secs;
    int64_t now = ward_time_now_ms();
    int n;
    int m;
    va_list ap;

    if (level < g_level) {
        return;
    }
    secs = (time_t)(now / 1000);
    (void)gmtime_r(&secs, &tm);
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now % 1000),
                 g_names[level]);
    if (n < 0) {
        return;
    }
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) {
        return;
    }
    n += m;
    if ((size_t)n > sizeof(line) - 2) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    (void)!write(STDERR_FILENO, line, (size_t)n);
}

int64_t ward_time_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ward_time_mono_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
