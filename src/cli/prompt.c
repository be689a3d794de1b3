/*
 * prompt.c - reading one key share: from the terminal with echo off, or
 * one line of a pipe; and reading a whole input (stdin or a file) into a
 * wiped buffer, for the transit commands.
 *
 * SECURITY: bytes are read one at a time with read(2), straight into a
 * struct ward_secret (locked, wiped on free), so no stdio buffer holds a
 * copy; the terminal's echo is restored on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "cli_int.h"

/* read_line reads up to '\n' or EOF into s->data; s->len is the length read. */
static ward_err read_line(struct ward_secret *s, int fd)
{
    uint8_t ch = 0;
    ssize_t n;

    s->len = 0;
    for (;;) {
        n = read(fd, &ch, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return WARD_E_SYS;
        }
        if (n == 0 || ch == '\n') {
            break;
        }
        if (s->len >= WARD_CLI_SHARE_MAX) {
            return WARD_E_TOO_LARGE;
        }
        s->data[s->len++] = ch;
    }
    if (s->len > 0 && s->data[s->len - 1] == '\r') {
        s->len--;
    }
    s->data[s->len] = '\0';
    return s->len == 0 ? WARD_E_INVALID : WARD_OK;
}

/* read_hidden turns echo off around read_line and restores it afterwards. */
static ward_err read_hidden(struct ward_secret *s, int fd, FILE *err_f, const char *prompt)
{
    struct termios saved;
    struct termios quiet;
    ward_err err = WARD_E_SYS;

    (void)fputs(prompt, err_f);
    (void)fflush(err_f);
    if (tcgetattr(fd, &saved) != 0) {
        return WARD_E_SYS;
    }
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
        return WARD_E_SYS;
    }
    err = read_line(s, fd);
    (void)tcsetattr(fd, TCSAFLUSH, &saved);
    (void)fputc('\n', err_f);
    return err;
}

ward_err ward_cli_read_share(struct ward_secret **out, int fd, bool tty, FILE *err_f,
                             const char *prompt)
{
    struct ward_secret *s = NULL;
    ward_err err = WARD_E_INTERNAL;

    *out = NULL;
    if ((err = ward_secret_new(&s, WARD_CLI_SHARE_MAX + 1)) != WARD_OK) {
        goto out;
    }
    if (tty) {
        err = read_hidden(s, fd, err_f, prompt);
    } else {
        err = read_line(s, fd);
    }
    if (err != WARD_OK) {
        goto out;
    }
    *out = s;
    s = NULL;
    err = WARD_OK;
out:
    ward_secret_free(s);
    return err;
}

ward_err ward_cli_get_share(struct ward_cli_cmd *cmd, struct ward_secret **out, const char *prompt)
{
    int fd = cmd->ctx->in_fd;
    ward_err err = ward_cli_read_share(out, fd, isatty(fd) == 1, cmd->ctx->err, prompt);
    const char *why = NULL;

    if (err == WARD_E_INVALID) {
        why = "no key share given: type it at the prompt or pipe one line to stdin";
    } else if (err == WARD_E_TOO_LARGE) {
        why = "key share is too long";
    } else if (err != WARD_OK) {
        why = "cannot read the key share from stdin";
    }
    if (why != NULL) {
        (void)fprintf(cmd->ctx->err, "Error: %s (code: %s)\n", why, ward_err_name(err));
    }
    return err;
}

/* read_chunks appends what fd yields until EOF. */
static ward_err read_chunks(struct ward_buf *out, int fd)
{
    ward_err err;
    ssize_t n;

    for (;;) {
        if (out->len == out->max) {
            uint8_t probe;

            /* full: only an input that ends here fits */
            return read(fd, &probe, 1) == 0 ? WARD_OK : WARD_E_TOO_LARGE;
        }
        if ((err = ward_buf_reserve(out, 1)) != WARD_OK) {
            return err;
        }
        n = read(fd, out->data + out->len, out->cap - out->len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return WARD_E_SYS;
        }
        if (n == 0) {
            return WARD_OK;
        }
        out->len += (size_t)n;
    }
}

ward_err ward_cli_read_all(struct ward_buf *out, int fd, const char *path)
{
    ward_err err;

    if (path == NULL) {
        return read_chunks(out, fd);
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return WARD_E_SYS;
    }
    err = read_chunks(out, fd);
    (void)close(fd);
    return err;
}
