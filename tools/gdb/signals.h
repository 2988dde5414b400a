/* The remote protocol numbers signals as gdb's own enum gdb_signal (include/gdb/
 * signals.def), not as Linux: SIGUSR1 is 30 there, 10 here. */
#ifndef TOOLS_GDB_SIGNALS_H
#define TOOLS_GDB_SIGNALS_H

/* gdb's number for Linux signal sig (0 stays 0; unknown ones map to GDB_SIGNAL_UNKNOWN). */
int gdb_signal_from_host(int sig);
/* Linux's number for gdb signal g, or -EINVAL when Linux has no such signal. */
int gdb_signal_to_host(int g);

#define GDB_SIGNAL_TRAP 5
#define GDB_SIGNAL_INT 2
#define GDB_SIGNAL_UNKNOWN 143
/* One past the largest gdb signal number we accept (QPassSignals' bitmap). */
#define GDB_SIGNAL_LAST 160

#endif
