/* `hvtrace gdb`: a GDB remote protocol server over hvtrace's C API. */
#ifndef TOOLS_GDB_GDB_H
#define TOOLS_GDB_GDB_H

/* argv[0] is "gdb"; returns the process exit status. */
int gdb_main(int argc, char **argv);

#endif
