/* The `hvtrace strace` command (tools/strace/cli.c). */
#ifndef TOOLS_STRACE_CLI_H
#define TOOLS_STRACE_CLI_H

/* argv[0] is "strace"; returns the traced program's exit status (2: bad usage). */
int strace_main(int argc, char **argv);

#endif
