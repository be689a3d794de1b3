/*
 * cli.h - the `ward` command's pieces, shared between its source files.
 */
#ifndef WARD_CLI_CLI_H
#define WARD_CLI_CLI_H

/*
 * ward_cli_server runs `ward server [flags]` (argv[0] is "server"): loads the
 * config, opens storage and the barrier, starts the HTTPS front and blocks
 * until SIGTERM. Returns the process exit code (0 ok, 1 error, 2 usage).
 * Implemented in src/cli/server.c.
 */
int ward_cli_server(int argc, char **argv);

#endif
