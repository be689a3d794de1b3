/*
 * log.c - log lines and clocks.
 *
 * THREADS: g_level is set once before threads start. Each line is formatted
 * into a local buffer and written whole, so lines never interleave. A thread
 * that called ward_log_buffer_begin (a front worker) collects its lines in a
 * thread-local buffer instead, written by ward_log_flush (the worker calls it
 * before it waits for events) or when the buffer fills: one write(2) per
 * event-loop round instead of one per request.
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum ward_log_level g_level = WARD_LOG_INFO;

static const char *const g_names[] = { "debug", "info", "warn", "error" };

#define LOG_BUF_LEN 16384

/* This thread's pending lines (buffering threads only). */
static _Thread_local bool t_buf_on;
static _Thread_local size_t t_buf_len;
static _Thread_local char t_buf[LOG_BUF_LEN];

void ward_log_buffer_begin(void)
{
    t_buf_on = true;
    t_buf_len = 0;
}

void ward_log_flush(void)
{
    if (t_buf_len > 0) {
        (void)!write(STDERR_FILENO, t_buf, t_buf_len);
        t_buf_len = 0;
    }
}

static void emit(const char *line, size_t n)
{
    if (!t_buf_on) {
        (void)!write(STDERR_FILENO, line, n);
        return;
    }
    if (t_buf_len + n > sizeof(t_buf)) {
        ward_log_flush();
    }
    memcpy(t_buf + t_buf_len, line, n);
    t_buf_len += n;
}

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
    emit(line, (size_t)n);
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
