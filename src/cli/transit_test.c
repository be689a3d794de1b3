/*
 * transit_test.c - `ward transit`'s parsing, without a server: help for
 * every subcommand, the usage errors (exit 2) caught before any request,
 * and well-formed commands reaching the transport (exit 1, code system,
 * against a closed port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_int.h"

#define OUT_CAP 8192

/* Nothing listens on port 1: a request that is sent fails at once. */
static const char *fake_getenv(const char *name)
{
    return strcmp(name, "WARD_ADDR") == 0 ? "https://127.0.0.1:1" : NULL;
}

struct run {
    int rc;
    char out[OUT_CAP];
    char err[OUT_CAP];
};

/* A NULL-terminated list of arguments after `ward transit`. */
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* run_transit runs `ward transit <args>` with stdin from in. */
static void run_transit(struct run *r, const char *in, const char *const *args)
{
    char *argv[16] = { "transit" };
    int argc = 1;
    int fds[2];
    struct ward_cli_ctx ctx = { fake_getenv, -1, NULL, NULL };

    for (; *args != NULL && argc < 15; args++) {
        argv[argc++] = (char *)*args;
    }
    memset(r, 0, sizeof(*r));
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], in, strlen(in)), (ssize_t)strlen(in));
    assert_int_equal(close(fds[1]), 0);
    ctx.in_fd = fds[0];
    ctx.out = fmemopen(r->out, OUT_CAP - 1, "w");
    ctx.err = fmemopen(r->err, OUT_CAP - 1, "w");
    assert_non_null(ctx.out);
    assert_non_null(ctx.err);
    r->rc = ward_cli_transit(&ctx, argc, argv);
    assert_int_equal(fclose(ctx.out), 0);
    assert_int_equal(fclose(ctx.err), 0);
    assert_int_equal(close(fds[0]), 0);
}

static void expect_usage(const char *why, const char *in, const char *const *args)
{
    struct run r;

    run_transit(&r, in, args);
    assert_int_equal(r.rc, WARD_CLI_EXIT_USAGE);
    if (strstr(r.err, why) == NULL) {
        fail_msg("want \"%s\" in: %s", why, r.err);
    }
}

/* expect_sent: the command passed every check and failed only at the transport. */
static void expect_sent(const char *in, const char *const *args)
{
    struct run r;

    run_transit(&r, in, args);
    assert_int_equal(r.rc, WARD_CLI_EXIT_ERROR);
    if (strstr(r.err, "(code: system)") == NULL) {
        fail_msg("want a transport error, got: %s", r.err);
    }
}

static void test_help(void **state)
{
    static const char *const subs[] = {
        "list",   "create",  "read",    "delete", "config",   "rotate",       "trim",    "state",
        "export", "backup",  "restore", "import", "wrap-for", "wrapping-key", "encrypt", "decrypt",
        "rewrap", "datakey", "random",  "hash",   "hmac",     "sign",         "verify",
    };
    char want[64];
    struct run r;

    (void)state;
    run_transit(&r, "", ARGS("--help"));
    assert_int_equal(r.rc, WARD_CLI_EXIT_OK);
    run_transit(&r, "", (const char *const[]){ NULL });
    assert_int_equal(r.rc, WARD_CLI_EXIT_USAGE);
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        assert_non_null(strstr(r.err, subs[i]));
    }
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        run_transit(&r, "", ARGS(subs[i], "-h"));
        assert_int_equal(r.rc, WARD_CLI_EXIT_OK);
        (void)snprintf(want, sizeof(want), "Usage: ward transit %s ", subs[i]);
        assert_non_null(strstr(r.out, want));
        assert_non_null(strstr(r.out, "Example:"));
    }
    run_transit(&r, "", ARGS("bogus"));
    assert_int_equal(r.rc, WARD_CLI_EXIT_USAGE);
}

static void test_usage_errors(void **state)
{
    (void)state;
    expect_usage("NAME is required", "", ARGS("read"));
    expect_usage("takes no NAME", "", ARGS("list", "k"));
    expect_usage("too many arguments", "", ARGS("read", "a", "b"));
    expect_usage("a key name is", "", ARGS("read", "a/b"));
    expect_usage("a key name is", "", ARGS("read", ".."));
    expect_usage("not defined: -plaintext", "", ARGS("encrypt", "-plaintext=x", "k"));
    expect_usage("not defined: -type", "", ARGS("read", "-type=aes256-gcm96", "k"));
    expect_usage("-min-available-version=N is required", "", ARGS("trim", "k"));
    expect_usage("-state=S is required", "", ARGS("state", "k"));
    expect_usage("one of -signature or -hmac", "", ARGS("verify", "k"));
    expect_usage("one of -signature or -hmac", "", ARGS("verify", "-signature=a", "-hmac=b", "k"));
    expect_usage("-kind must be", "", ARGS("export", "-kind=secret", "k"));
    expect_usage("-version must be a number or latest", "",
                 ARGS("export", "-kind=hmac-key", "-version=first", "k"));
    expect_usage("-type must be plaintext or wrapped", "", ARGS("datakey", "k"));
    expect_usage("-deletion-allowed must be true or false", "",
                 ARGS("config", "-deletion-allowed=yes", "k"));
    expect_usage("-min-decryption-version must be a number", "",
                 ARGS("config", "-min-decryption-version=-1", "k"));
    expect_usage("-key-version must be a number", "", ARGS("encrypt", "-key-version=x", "k"));
    expect_usage("-managed decrypts without a NAME", "", ARGS("decrypt", "-managed", "k"));
    expect_usage("-format must be table or json", "", ARGS("read", "-format=hex", "k"));
    expect_usage("-format must be table or json", "", ARGS("encrypt", "-format=hex", "k"));
}

static void test_well_formed(void **state)
{
    (void)state;
    expect_sent("", ARGS("list"));
    expect_sent("", ARGS("create", "-type=ed25519", "k@1.x_y-z"));
    expect_sent("plain\n\0bytes", ARGS("encrypt", "-format=vault", "k"));
    expect_sent("ward:v1:AA==\n", ARGS("decrypt"));
    expect_sent("", ARGS("decrypt", "-ciphertext=vault:v1:AA==", "k"));
    expect_sent("", ARGS("random", "-format=hex", "-bytes=8"));
    expect_sent("abc", ARGS("hash", "-format=base64", "-algorithm=sha3-256"));
    expect_sent("", ARGS("export", "-kind=public-key", "-version=latest", "k"));
    expect_sent("", ARGS("config", "-deletion-allowed=true", "k"));
    expect_sent("AAAA", ARGS("import", "-version", "k"));
    expect_sent("", ARGS("datakey", "-type=wrapped", "k"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_well_formed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
