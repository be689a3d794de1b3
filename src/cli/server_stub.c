/*
 * server_stub.c - `ward server` until src/cli/server.c lands (TODO(#4)):
 * it only says the server is not built in, so the client commands link.
 */
#include <stdio.h>

#include "cli.h"

int ward_cli_server(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    (void)fputs("Error: this ward was built without the server (code: unsupported)\n", stderr);
    return 1;
}
